"""Match one patient against a catalog of trials: verdicts, status, distance, setting, ranking.

Per-criterion work is the criteria engine's (:func:`hcctrials.criteria.evaluate_trial`); this
module adds, for each trial:

* "unknown: criteria not in the record" for a record without eligibility text (e.g. a CT.gov
  CSV export row): never "eligible";
* the recruiting state on ``as_of`` (:mod:`hcctrials.matching.status`); closed trials are
  never offered (listed only with ``include_closed``);
* sites with their distance class (:mod:`hcctrials.matching.geography`);
* the trial's setting and intervention classes, and the patient's line of therapy
  (:func:`derive_line_of_therapy`) to rank trials of her setting first;
* what to measure next, aggregated over trials ("measuring X would decide N trials").

Relevance comes first (:mod:`hcctrials.matching.relevance`): a trial for another condition is
never offered; such trials are hidden and counted (``include_irrelevant`` lists them).

Ranking (issue 10): relevance (a trial of the patient's disease before a solid-tumour basket);
then setting fit (line of therapy, stage); then the share of criteria decided (an eligible trial
has them all decided; a record without criteria none); then recruiting state (open first); then
nearest site; then id.  Ineligible trials (hidden unless asked) come last.

Pure: no I/O, no clock (``as_of`` is explicit).  :class:`MatchCatalog` compiles each trial's
criteria once (cache keyed by trial id, registry and raw hash) so a server matches many
patients against the same catalog without recompiling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import numpy as np

from hcctrials.criteria import CompiledCatalog, CompiledTrial, PatientFacts, TrialVerdict, compile_trial, evaluate_trial
from hcctrials.criteria.verdict import NO_CRITERIA, TRIAL_VERDICTS
from hcctrials.matching.geography import DISTANCE_ORDER, Place, distance_class, resolve_location, site_location
from hcctrials.matching.relevance import Relevance, TrialConcepts, assess_relevance, patient_concepts, trial_concepts
from hcctrials.matching.setting import TrialSetting, classify_trial_setting
from hcctrials.matching.status import STATE_ORDER, RecruitingStatus, evaluate_recruiting_status
from hcctrials.model.patient import Location, Patient
from hcctrials.model.trial import Trial

__all__ = ["PatientLine", "derive_line_of_therapy", "CriterionRow", "SiteMatch", "TrialMatch", "MatchResult",
           "MatchCatalog", "match_patient", "VERDICT_ORDER", "trial_links", "setting_affinity"]

VERDICT_ORDER = {"eligible": 0, "possibly_eligible": 1, "unknown_no_criteria": 2, "ineligible": 3}
_EARLY = {"adjuvant", "neoadjuvant", "perioperative"}


@dataclass(frozen=True)
class PatientLine:
    """The patient's line of therapy for advanced disease and the settings that fit it."""

    prior_systemic_lines: int
    settings: tuple[str, ...]
    reason: str


def derive_line_of_therapy(patient: Patient, *, as_of: date) -> PatientLine:
    """No prior systemic therapy for advanced disease -> first line; >= 1 -> second line or later.

    Systemic entries given as adjuvant / neoadjuvant / perioperative therapy do not count as an
    advanced line (issue 4 brief).  Entries starting after *as_of* are ignored.
    """
    lines = [t for t in patient.treatments if t.kind == "systemic"
             and (t.start is None or t.start <= as_of) and (t.setting or "") not in _EARLY]
    numbered = {t.line for t in lines if t.line is not None}
    count = max(len(numbered), len([t for t in lines if t.line is None]) + len(numbered)) if lines else 0
    if count == 0:
        return PatientLine(0, ("advanced_first_line", "intermediate", "conversion"),
                           "no prior systemic therapy for advanced disease: first line")
    return PatientLine(count, ("advanced_second_line_plus",),
                       f"{count} prior systemic line(s) for advanced disease: second line or later")


def setting_affinity(line: PatientLine, setting: TrialSetting) -> int:
    """0: the trial studies the patient's setting; 1: line not stated; 2: another setting."""
    if set(setting.settings) & set(line.settings[:1]):
        return 0
    if set(setting.settings) & {"advanced_line_unspecified", "unclassified"} or \
            set(setting.settings) & set(line.settings):
        return 1
    return 2


@dataclass(frozen=True)
class CriterionRow:
    number: str
    role: str
    text: str
    status: str  # for the trial: met | not_met | unknown | administrative | needs_review
    reason: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteMatch:
    institution: str | None
    place: str
    distance: str


class TrialMatch:
    """One trial for the patient.  The verdict, unknown count, status and sites are computed for
    every trial; the per-criterion explanation (``criteria``, ``deciding``, ``to_measure``,
    ``reason``) is built on first access, so only the trials that are shown pay for it."""

    def __init__(self, trial_id: str, registry: str, title: str, verdict: str, recruiting: RecruitingStatus,
                 setting: TrialSetting, setting_affinity: int, sites: list[SiteMatch], nearest: str,
                 links: list[str], *, unknown_count: int = 0, criteria_count: int = 0,
                 relevance: Relevance | None = None,
                 explain: Callable[[], TrialVerdict] | None = None) -> None:
        self.trial_id, self.registry, self.title, self.verdict = trial_id, registry, title, verdict
        self.recruiting, self.setting, self.setting_affinity = recruiting, setting, setting_affinity
        self.sites, self.nearest, self.links = sites, nearest, links
        self.relevance = relevance if relevance is not None else Relevance("condition_unknown", (), "")
        self._unknown = unknown_count
        self._count = criteria_count
        self._explain = explain
        self._rows: list[CriterionRow] | None = None
        self._to_measure: list[str] = []

    def _load(self) -> list[CriterionRow]:
        if self._rows is None:
            if self._explain is None:
                self._rows = []
            else:
                tv = self._explain()
                self._rows = _rows(tv)
                self._to_measure = list(tv.to_measure)
        return self._rows

    @property
    def criteria(self) -> list[CriterionRow]:
        return self._load()

    @property
    def deciding(self) -> list[CriterionRow]:
        return [row for row in self._load() if row.status == "not_met"]

    @property
    def to_measure(self) -> list[str]:
        self._load()
        return self._to_measure

    @property
    def review_count(self) -> int:
        """Criteria that need review (the compiler could not read them exactly)."""
        return sum(row.status == "needs_review" for row in self._load())

    @property
    def data_count(self) -> int:
        """Criteria undecided for lack of the patient's data."""
        return sum(row.status == "unknown" for row in self._load())

    @property
    def reason(self) -> str:
        if self.verdict == "unknown_no_criteria":
            return "unknown: criteria not in the record"
        if self.verdict == "ineligible":
            return "not eligible: " + "; ".join(f"{d.role} {d.number}: {d.reason}" for d in self.deciding[:3])
        if self.verdict == "possibly_eligible":
            return f"possibly eligible: {self.review_count} criteria need review, {self.data_count} need data"
        return "eligible: every criterion decided and passed"

    @property
    def unknown_count(self) -> int:
        """Undecided criteria: unknown for lack of data, or needing review."""
        return self._unknown

    @property
    def criteria_count(self) -> int:
        return self._count

    @property
    def decided_share(self) -> float:
        """Share of the trial's criteria decided for the patient (0 without criteria)."""
        return (self._count - self._unknown) / self._count if self._count else 0.0

    def sort_key(self) -> tuple[int, int, int, float, int, int, str]:
        return (int(self.verdict == "ineligible"), self.relevance.rank, self.setting_affinity, -self.decided_share,
                STATE_ORDER[self.recruiting.state], DISTANCE_ORDER[self.nearest], self.trial_id)


@dataclass
class MatchResult:
    patient_id: str
    as_of: date
    line: PatientLine
    matches: list[TrialMatch]
    hidden_ineligible: int = 0
    hidden_closed: int = 0
    to_measure: list[tuple[str, int]] = field(default_factory=list)
    #: trials hidden because they concern another condition (or name none), by relevance level
    hidden_irrelevant: dict[str, int] = field(default_factory=dict)


def trial_links(trial: Trial) -> list[str]:
    """Registry pages of the trial (its own URLs, then one per registry number it lists)."""
    links = list(trial.urls)
    for ident in sorted(trial.linked_ids()):
        if ident.startswith("NCT"):
            links.append(f"https://clinicaltrials.gov/study/{ident}")
        elif ident.startswith("CHICTR"):
            links.append(f"https://www.chictr.org.cn/searchprojEN.html?regno=ChiCTR{ident[6:]}")
    return list(dict.fromkeys(links))


class MatchCatalog:
    """Trials with their compiled criteria, settings and site places, computed once.

    ``compiled`` may hold criteria compiled earlier (e.g. from the database cache, keyed by trial
    id, registry and raw hash); ``settings``, ``places`` and ``with_criteria`` (keyed by trial id and
    registry) likewise, so the records may be slim summaries without eligibility text or sites
    (:func:`hcctrials.matching.compiled_cache.load_match_catalog`).  :meth:`prepare` builds the deduplicated
    :class:`~hcctrials.criteria.CompiledCatalog` and per-trial setting / places once; recruiting
    states are cached per ``as_of``.
    """

    def __init__(self, trials: Iterable[Trial], *,
                 compiled: dict[tuple[str, str, str], CompiledTrial] | None = None,
                 settings: dict[tuple[str, str], TrialSetting] | None = None,
                 places: dict[tuple[str, str], list[tuple[str | None, Place]]] | None = None,
                 with_criteria: dict[tuple[str, str], bool] | None = None,
                 concepts: dict[tuple[str, str], TrialConcepts] | None = None) -> None:
        self.trials: list[Trial] = list(trials)
        self._compiled: dict[tuple[str, str, str], CompiledTrial] = dict(compiled or {})
        self._settings: dict[tuple[str, str], TrialSetting] = dict(settings or {})
        self._places: dict[tuple[str, str], list[tuple[str | None, Place]]] = dict(places or {})
        #: (trial id, registry) -> has criteria, for slim records (summaries) that carry no eligibility
        self._with_criteria = dict(with_criteria or {})
        self._concepts: dict[tuple[str, str], TrialConcepts] = dict(concepts or {})
        #: patient disease concepts -> per trial: relevance (computed once per kind of patient)
        self._relevance: dict[frozenset[str], list[Relevance]] = {}
        self._prepared: tuple[CompiledCatalog, np.ndarray, np.ndarray] | None = None
        self._status: dict[date, list[RecruitingStatus]] = {}

    @staticmethod
    def has_criteria(trial: Trial) -> bool:
        el = trial.eligibility
        return bool(el.inclusion or el.exclusion or el.raw_text.en or el.raw_text.zh)

    @staticmethod
    def key(trial: Trial) -> tuple[str, str, str]:
        return (trial.trial_id, trial.registry.value, trial.provenance.raw_sha256)

    def compiled(self, trial: Trial) -> CompiledTrial:
        key = self.key(trial)
        if key not in self._compiled:
            self._compiled[key] = compile_trial(trial)
        return self._compiled[key]

    def setting(self, trial: Trial) -> TrialSetting:
        key = (trial.trial_id, trial.registry.value)
        if key not in self._settings:
            self._settings[key] = classify_trial_setting(trial)
        return self._settings[key]

    def concepts(self, trial: Trial) -> TrialConcepts:
        key = (trial.trial_id, trial.registry.value)
        if key not in self._concepts:
            self._concepts[key] = trial_concepts(trial)
        return self._concepts[key]

    def relevance(self, disease: frozenset[str]) -> list[Relevance]:
        """Per trial, its relevance for a patient whose disease has the concepts *disease*."""
        if disease not in self._relevance:
            self._relevance[disease] = [assess_relevance(self.concepts(t), disease) for t in self.trials]
        return self._relevance[disease]

    def places(self, trial: Trial) -> list[tuple[str | None, Place]]:
        key = (trial.trial_id, trial.registry.value)
        if key not in self._places:
            self._places[key] = [(s.institution.get("en"), site_location(s)) for s in trial.sites]
        return self._places[key]

    def prepare(self) -> tuple[CompiledCatalog, np.ndarray, np.ndarray]:
        """(catalog of the trials with criteria, their positions in ``trials``, position -> catalog row or -1)."""
        if self._prepared is None:
            with_criteria = [i for i, t in enumerate(self.trials)
                             if self._with_criteria.get((t.trial_id, t.registry.value), self.has_criteria(t))]
            catalog = CompiledCatalog([self.compiled(self.trials[i]) for i in with_criteria])
            row = np.full(len(self.trials), -1, dtype=np.int64)
            row[with_criteria] = np.arange(len(with_criteria))
            self._prepared = (catalog, np.asarray(with_criteria, dtype=np.int64), row)
        return self._prepared

    def recruiting(self, as_of: date) -> list[RecruitingStatus]:
        if as_of not in self._status:
            if len(self._status) > 8:
                self._status.clear()
            self._status[as_of] = [evaluate_recruiting_status(t, as_of=as_of) for t in self.trials]
        return self._status[as_of]

    def warm(self) -> None:
        """Compile and classify every trial now (a server calls this once at start)."""
        self.prepare()
        for trial in self.trials:
            self.setting(trial)
            self.places(trial)
            self.concepts(trial)


def _trial_codes(catalog: CompiledCatalog, rule_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(status 0 eligible / 1 possibly / 2 ineligible, count of unknown criteria) per catalog trial."""
    n = len(catalog.trials)
    status = np.full(n, NO_CRITERIA, dtype=np.int8)
    unknown = np.zeros(n, dtype=np.int64)
    if catalog.criterion_ids.size:
        per = rule_codes[catalog.criterion_ids]
        starts = np.minimum(catalog.offsets[:-1], per.size - 1)
        nonempty = catalog.offsets[1:] > catalog.offsets[:-1]
        status[nonempty] = np.maximum.reduceat(per, starts)[nonempty]
        unknown[nonempty] = np.add.reduceat((per == 1).astype(np.int64), starts)[nonempty]  # undecided
    return status, unknown


def _rows(verdict: TrialVerdict) -> list[CriterionRow]:
    return [CriterionRow(r.criterion.number, r.criterion.role, r.criterion.text, r.status, r.verdict.reason,
                         tuple(r.verdict.missing)) for r in verdict.results]


def match_patient(patient: Patient, trials: Sequence[Trial] | MatchCatalog, *, as_of: date,
                  near: Location | Place | None = None, include_ineligible: bool = False,
                  include_closed: bool = False, include_irrelevant: bool = False) -> MatchResult:
    """Rank *trials* for *patient* on *as_of* (see the module docstring).

    *near* overrides the patient's own location for the distance classes.  Trials for other
    conditions are hidden and counted by relevance level unless *include_irrelevant*.
    """
    catalog = trials if isinstance(trials, MatchCatalog) else MatchCatalog(trials)
    facts = PatientFacts(patient, as_of)
    line = derive_line_of_therapy(patient, as_of=as_of)
    where = near if near is not None else patient.location
    here = where if isinstance(where, Place) else resolve_location(where.city, where.province, where.country)
    compiled, _positions, row = catalog.prepare()
    rules = compiled.rule_codes(facts)
    status, unknown = _trial_codes(compiled, rules)
    recruiting = catalog.recruiting(as_of)
    relevance = catalog.relevance(patient_concepts(patient))
    counts = compiled.offsets[1:] - compiled.offsets[:-1]
    matches: list[TrialMatch] = []
    hidden_ineligible = hidden_closed = 0
    hidden_irrelevant: dict[str, int] = {}
    possibly_rows: list[int] = []
    for i, trial in enumerate(catalog.trials):
        rel = relevance[i]
        if not rel.relevant and not include_irrelevant:
            hidden_irrelevant[rel.level] = hidden_irrelevant.get(rel.level, 0) + 1
            continue
        rec = recruiting[i]
        if not rec.offered and not include_closed:
            hidden_closed += 1
            continue
        r = int(row[i])
        verdict = TRIAL_VERDICTS[NO_CRITERIA] if r < 0 else TRIAL_VERDICTS[int(status[r])]
        if verdict == "ineligible" and not include_ineligible:
            hidden_ineligible += 1
            continue
        setting = catalog.setting(trial)
        sites = [SiteMatch(inst, place.describe(), distance_class(here, place)) for inst, place in catalog.places(trial)]
        nearest = min((s.distance for s in sites), key=DISTANCE_ORDER.__getitem__, default="unknown")
        explain = None if r < 0 else partial(evaluate_trial, compiled.trials[r], facts, as_of=as_of)
        m = TrialMatch(trial.trial_id, trial.registry.value, trial.title("en"), verdict, rec, setting,
                       setting_affinity(line, setting), sites, nearest, trial_links(trial),
                       unknown_count=0 if r < 0 else int(unknown[r]),
                       criteria_count=0 if r < 0 else int(counts[r]), relevance=rel, explain=explain)
        if verdict == "possibly_eligible":
            possibly_rows.append(r)
        matches.append(m)
    matches.sort(key=TrialMatch.sort_key)
    measure = _to_measure(compiled, rules, facts, np.asarray(possibly_rows, dtype=np.int64))
    return MatchResult(patient.patient_id, as_of, line, matches, hidden_ineligible, hidden_closed, measure,
                       hidden_irrelevant)


def _to_measure(catalog: CompiledCatalog, rule_codes: np.ndarray, facts: PatientFacts,
                rows: np.ndarray) -> list[tuple[str, int]]:
    """What to measure next: per item, how many of the trials *rows* (catalog rows, possibly
    eligible) name it among the missing data of their unknown criteria -- the count of trials whose
    :attr:`TrialVerdict.to_measure` holds it, without explaining each trial: identical criteria are
    one distinct rule of the catalog, so each unknown rule is explained once and its missing items
    are spread to the trials using it.  Most frequent first, ties in catalog order."""
    from hcctrials.criteria.evaluate import evaluate_node

    if rows.size == 0 or catalog.criterion_ids.size == 0:
        return []
    offsets = catalog.offsets
    lengths = offsets[1:] - offsets[:-1]
    sel = np.zeros(lengths.size, dtype=bool)
    sel[rows] = True
    trial_of = np.repeat(np.arange(lengths.size), lengths)
    positions = np.nonzero(sel[trial_of] & (rule_codes[catalog.criterion_ids] == 1))[0]
    if positions.size == 0:
        return []
    rule_ids = catalog.criterion_ids[positions]
    names: dict[str, int] = {}
    per_rule: dict[int, list[int]] = {}
    for r in np.unique(rule_ids).tolist():
        missing = evaluate_node(catalog.rules[r].rule, facts).missing
        per_rule[r] = [names.setdefault(m, len(names)) for m in missing]
    counts = np.array([len(per_rule[r]) for r in rule_ids.tolist()], dtype=np.int64)
    flat = np.fromiter((k for r in rule_ids.tolist() for k in per_rule[r]), dtype=np.int64, count=int(counts.sum()))
    if flat.size == 0:
        return []
    trial = np.repeat(trial_of[positions], counts)
    pairs = np.unique(trial * len(names) + flat)
    per_name = np.bincount(pairs % len(names), minlength=len(names))
    first = np.full(len(names), np.iinfo(np.int64).max)
    np.minimum.at(first, flat, np.repeat(positions, counts))
    order = sorted(range(len(names)), key=lambda k: (-per_name[k], first[k]))
    items = list(names)
    return [(items[k], int(per_name[k])) for k in order if per_name[k] > 0]
