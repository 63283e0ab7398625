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
from typing import Any, NamedTuple, cast, overload

import numpy as np

from hcctrials.criteria import CompiledCatalog, CompiledTrial, PatientFacts, TrialVerdict, compile_trial, evaluate_trial
from hcctrials.criteria.catalog import distinct_below
from hcctrials.criteria.evaluation.evaluate import Verdict, combine_all, combine_any, evaluate_leaf, evaluate_node, negate
from hcctrials.criteria.evaluation.outcome import negated_status
from hcctrials.criteria.evaluation.verdict import INELIGIBLE, NO_CRITERIA, POSSIBLY_ELIGIBLE, TRIAL_VERDICTS
from hcctrials.matching.geography import DISTANCE_ORDER, Place, distance_class, distance_km, resolve_location, site_location
from hcctrials.matching.relevance import Relevance, TrialConcepts, assess_relevance, patient_concepts, trial_concepts
from hcctrials.matching.setting import TrialSetting, classify_trial_setting
from hcctrials.matching.status import _CLOSED, STATE_ORDER, RecruitingStatus, evaluate_recruiting_status
from hcctrials.model.patient import Location, Patient
from hcctrials.model.trial import Text, Trial

__all__ = ["PatientLine", "derive_line_of_therapy", "CriterionRow", "Explanation", "explanation_of", "SiteMatch",
           "TrialMatch", "MatchResult",
           "MatchCatalog", "match_patient", "VERDICT_ORDER", "trial_links", "setting_affinity"]

#: Record statuses that are closed on any date (matching.status: never offered, whatever the window).
_CLOSED_VALUES = frozenset(s.value for s in _CLOSED)
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


class CriterionRow(NamedTuple):
    """One criterion of a trial explained for a patient (a named tuple: see ``criteria.catalog.CriterionResult``)."""

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
    km: float | None = None  # great-circle distance from the patient when both cities are known
    institution_zh: str | None = None  # the record's Chinese name of the institution, where it gives one
    location: Place | None = None  # the normalised place, to describe it in the reader's language

    def institution_in(self, language: str) -> str | None:
        """The institution's name in *language*, else in the other language."""
        if language == "zh":
            return self.institution_zh or self.institution
        return self.institution or self.institution_zh

    def place_in(self, language: str) -> str:
        """The site's place in *language* ("中国山东烟台" / "Yantai, Shandong, China")."""
        return self.location.describe(language) if self.location is not None else self.place


#: A site as the catalog keeps it: (institution in English, institution in Chinese, normalised place).
SitePlace = tuple[str | None, str | None, Place]


class TrialMatch:
    """One trial for the patient.  The verdict, unknown count, status and sites are computed for
    every trial; the per-criterion explanation (``criteria``, ``deciding``, ``to_measure``,
    ``reason``) is built on first access, so only the trials that are shown pay for it."""

    def __init__(self, trial_id: str, registry: str, title: str, verdict: str, recruiting: RecruitingStatus,
                 setting: TrialSetting, setting_affinity: int, sites: list[SiteMatch], nearest: str,
                 links: list[str], *, unknown_count: int = 0, criteria_count: int = 0,
                 relevance: Relevance | None = None, contacts: list[Text] | None = None,
                 explain: Callable[[], Explanation] | None = None, title_zh: str | None = None) -> None:
        self.trial_id, self.registry, self.title, self.verdict = trial_id, registry, title, verdict
        #: the title in Chinese where the record gives one (``title`` is the English one, else the other)
        self.title_zh = title_zh
        #: the record's contacts as registered (name, phone, e-mail where given), in both languages
        self.contacts: list[Text] = list(contacts or [])
        self.recruiting, self.setting, self.setting_affinity = recruiting, setting, setting_affinity
        self.sites, self.nearest, self.links = sites, nearest, links
        self.relevance = relevance if relevance is not None else Relevance("condition_unknown", (), "")
        self._unknown = unknown_count
        self._count = criteria_count
        self._explain = explain
        self._rows: list[CriterionRow] | None = None
        self._to_measure: list[str] = []
        self._review = self._data = 0

    def _load(self) -> list[CriterionRow]:
        if self._rows is None:
            if self._explain is None:
                self._rows = []
            else:
                self._rows, self._to_measure = self._explain()
                statuses = [row.status for row in self._rows]
                self._review, self._data = statuses.count("needs_review"), statuses.count("unknown")
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
        self._load()
        return self._review

    @property
    def data_count(self) -> int:
        """Criteria undecided for lack of the patient's data."""
        self._load()
        return self._data

    @property
    def reason(self) -> str:
        """Why the trial has its verdict (English; :func:`hcctrials.matching.explain.trial_reason` in any language)."""
        from hcctrials.matching.explain import trial_reason

        return trial_reason(self)

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

    def title_in(self, language: str) -> str:
        """The title in *language* (the Chinese title where the record gives one), else the other."""
        return (self.title_zh or self.title) if language == "zh" else self.title

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
    registry) likewise, so the records may be slim summaries without eligibility text or sites.
    :meth:`prepare` builds the deduplicated :class:`~hcctrials.criteria.CompiledCatalog` once.

    The database path (:func:`hcctrials.matching.compiled_cache.load_match_catalog`) builds it with
    :meth:`from_summaries` instead: per trial only its id, record status, disease concepts and
    whether it has criteria are read up front; its slim record, setting and places are parsed from
    its summary when the trial is shown, and its criteria when it is explained.

    Per catalog, what does not depend on the patient is kept: relevance per kind of disease,
    recruiting states per ``as_of`` (only for the trials a match reaches; a record whose status is
    completed, withdrawn, terminated, suspended or active-not-recruiting is closed on any date, so
    its state is only evaluated when closed trials are listed), links, titles and site distances.
    """

    def __init__(self, trials: Iterable[Trial], *,
                 compiled: dict[tuple[str, str, str], CompiledTrial] | None = None,
                 settings: dict[tuple[str, str], TrialSetting] | None = None,
                 places: dict[tuple[str, str], list[SitePlace]] | None = None,
                 with_criteria: dict[tuple[str, str], bool] | None = None,
                 concepts: dict[tuple[str, str], TrialConcepts] | None = None) -> None:
        records = list(trials)
        self._records: list[Trial | None] = list(records)
        self._ids: list[tuple[str, str]] = [(t.trial_id, t.registry.value) for t in records]
        self._record_status: list[str] = [t.overall_status.value for t in records]
        self._summaries: Sequence[str] | None = None
        self._compiled: dict[tuple[str, str, str], CompiledTrial] = dict(compiled or {})
        self._settings: dict[tuple[str, str], TrialSetting] = dict(settings or {})
        self._places: dict[tuple[str, str], list[SitePlace]] = dict(places or {})
        #: (trial id, registry) -> has criteria, for slim records (summaries) that carry no eligibility
        self._with_criteria = dict(with_criteria or {})
        self._concepts: dict[tuple[str, str], TrialConcepts] = dict(concepts or {})
        self._prebuilt: CompiledCatalog | None = None
        self._init_caches()

    def _init_caches(self) -> None:
        self._position: dict[tuple[str, str], int] | None = None
        #: patient disease concepts -> (per trial relevance, relevant mask, level code per trial, levels)
        self._relevance: dict[frozenset[str], tuple[list[Relevance], np.ndarray, np.ndarray, list[str]]] = {}
        self._prepared: tuple[CompiledCatalog, np.ndarray, np.ndarray] | None = None
        self._status: dict[date, dict[int, RecruitingStatus]] = {}
        #: as_of -> per trial 1 offered, 0 closed, -1 not evaluated yet
        self._offered: dict[date, np.ndarray] = {}
        self._closed_record: np.ndarray = np.fromiter(
            (s in _CLOSED_VALUES for s in self._record_status), dtype=bool, count=len(self._record_status))
        self._shown: dict[int, tuple[str, str, Text, tuple[str, ...], TrialSetting, tuple[Text, ...]]] = {}
        #: patient's settings (PatientLine.settings) -> per trial: setting affinity (-1: not worked out yet)
        self._affinity: dict[tuple[str, ...], np.ndarray] = {}
        self._sites: dict[Place, dict[int, tuple[tuple[SiteMatch, ...], str]]] = {}
        #: the ranking's other patient-independent keys per trial, filled as trials pass the gates (-1: not yet):
        #: place -> DISTANCE_ORDER of the nearest site; as_of -> STATE_ORDER of the recruiting state;
        #: patient's disease concepts -> relevance rank; and the rank of the trial id among all ids
        self._nearest: dict[Place, np.ndarray] = {}
        self._state_order: dict[date, np.ndarray] = {}
        self._relevance_rank: dict[frozenset[str], np.ndarray] = {}
        self._id_rank: np.ndarray | None = None
        #: the verdicts of the compiled catalog's leaves that do not read the patient (needs review, administrative):
        #: the same for every patient, said once per catalog (_LeafVerdicts)
        self._constant_verdicts: dict[int, Verdict] = {}
        #: the trials shown (relevant and offered: the same for the patients of one disease on one day) -> the
        #: distinct rules they read and their criteria (_criteria_of), for the last few sets shown
        self._shown_criteria: dict[bytes, tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self._shown_compiled: CompiledCatalog | None = None

    def _criteria_shown(self, compiled: CompiledCatalog,
                        shown: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(``compiled.rules_of_trials(shown)``, ``_criteria_of(compiled, rows shown)``) for the mask *shown* of
        catalog rows, kept for the last 8 masks: array work over every criterion of the catalog (~0.2 ms at 10,000
        trials) that patients of the same disease matched on the same day would repeat."""
        if compiled is not self._shown_compiled:  # kept for one compiled catalog (prepare() builds it once)
            self._shown_criteria, self._shown_compiled = {}, compiled
        key = shown.tobytes()
        found = self._shown_criteria.get(key)
        if found is None:
            found = (compiled.rules_of_trials(shown), _criteria_of(compiled, np.flatnonzero(shown)))
            if len(self._shown_criteria) >= 8:
                self._shown_criteria.pop(next(iter(self._shown_criteria)))
            self._shown_criteria[key] = found
        return found

    @classmethod
    def from_summaries(cls, ids: list[tuple[str, str]], record_status: list[str], summaries: Sequence[str],
                       concepts: list[TrialConcepts], with_criteria: list[bool],
                       compiled: CompiledCatalog) -> MatchCatalog:
        """A catalog of slim records from the database cache: per trial its (id, registry), record
        status value, summary JSON (:func:`~hcctrials.matching.compiled_cache.trial_summary`, parsed
        when the trial is shown), disease concepts and whether it has criteria; *compiled*: the
        compiled catalog of the trials with criteria, in catalog order."""
        self = cls.__new__(cls)
        self._records = [None] * len(ids)
        self._ids, self._record_status, self._summaries = ids, record_status, summaries
        self._compiled, self._settings, self._places = {}, {}, {}
        self._with_criteria = dict(zip(ids, with_criteria))
        self._concepts = dict(zip(ids, concepts))
        self._prebuilt = compiled
        self._init_caches()
        return self

    # -- per trial, by position -------------------------------------------------------------
    def _summary(self, i: int) -> dict[str, Any]:
        import orjson

        assert self._summaries is not None
        data: dict[str, Any] = orjson.loads(self._summaries[i])
        return data

    def _trial_at(self, i: int) -> Trial:
        trial = self._records[i]
        if trial is None:
            trial = self._records[i] = Trial.model_validate(self._summary(i)["trial"])
        return trial

    def _setting_at(self, i: int) -> TrialSetting:
        key = self._ids[i]
        setting = self._settings.get(key)
        if setting is None:
            if self._summaries is not None:
                s = self._summary(i)["setting"]
                setting = TrialSetting(tuple(s["settings"]), {k: tuple(v) for k, v in s["evidence"].items()},
                                       frozenset(s["intervention_classes"]))
            else:
                setting = classify_trial_setting(self._trial_at(i))
            self._settings[key] = setting
        return setting

    def _places_at(self, i: int) -> list[SitePlace]:
        key = self._ids[i]
        found = self._places.get(key)
        if found is None:
            if self._summaries is not None:
                found = [(inst, inst_zh, Place(city, province, country))
                         for inst, inst_zh, city, province, country in self._summary(i)["places"]]
            else:
                found = [(s.institution.en, s.institution.zh, site_location(s)) for s in self._trial_at(i).sites]
            self._places[key] = found
        return found

    def _concepts_at(self, i: int) -> TrialConcepts:
        key = self._ids[i]
        if key not in self._concepts:
            self._concepts[key] = trial_concepts(self._trial_at(i))
        return self._concepts[key]

    def _has_criteria_at(self, i: int) -> bool:
        known = self._with_criteria.get(self._ids[i])
        return known if known is not None else self.has_criteria(self._trial_at(i))

    def _index(self, trial: Trial) -> int | None:
        if self._position is None:
            self._position = {key: i for i, key in enumerate(self._ids)}
        return self._position.get((trial.trial_id, trial.registry.value))

    def _status_at(self, i: int, as_of: date) -> RecruitingStatus:
        states = self._states(as_of)
        state = states.get(i)
        if state is None:
            state = states[i] = evaluate_recruiting_status(self._trial_at(i), as_of=as_of)
        return state

    def _offered_mask(self, as_of: date, positions: np.ndarray) -> np.ndarray:
        """Whether each trial at *positions* is offered on *as_of* (recruiting state not closed)."""
        if as_of not in self._offered:
            if len(self._offered) > 8:
                self._offered.clear()
                self._status.clear()
                self._state_order.clear()
            self._offered[as_of] = np.where(self._closed_record, 0, -1).astype(np.int8)
        known = self._offered[as_of]
        for i in positions[known[positions] < 0].tolist():
            known[i] = self._status_at(i, as_of).offered
        return np.asarray(known[positions] > 0, dtype=bool)

    def _relevance_of(self, disease: frozenset[str]) -> tuple[list[Relevance], np.ndarray, np.ndarray, list[str]]:
        if disease not in self._relevance:
            per = [assess_relevance(self._concepts_at(i), disease) for i in range(len(self._ids))]
            levels: dict[str, int] = {}
            code = np.fromiter((levels.setdefault(r.level, len(levels)) for r in per), dtype=np.int64, count=len(per))
            relevant = np.fromiter((r.relevant for r in per), dtype=bool, count=len(per))
            self._relevance[disease] = (per, relevant, code, list(levels))
        return self._relevance[disease]

    def _states(self, as_of: date) -> dict[int, RecruitingStatus]:
        if as_of not in self._status and len(self._status) > 8:
            self._offered.clear()
            self._status.clear()
            self._state_order.clear()
        return self._status.setdefault(as_of, {})

    def _shown_at(self, i: int) -> tuple[str, str, Text, tuple[str, ...], TrialSetting, tuple[Text, ...]]:
        """What a shown trial carries whoever the patient is: id, registry, title, links, setting, contacts."""
        found = self._shown.get(i)
        if found is None:
            trial = self._trial_at(i)
            found = self._shown[i] = (trial.trial_id, trial.registry.value,
                                      Text(en=trial.title("en"), zh=trial.title("zh")),
                                      tuple(trial_links(trial)), self._setting_at(i), tuple(trial.contacts))
        return found

    def _sites_for(self, here: Place) -> dict[int, tuple[tuple[SiteMatch, ...], str]]:
        """Per trial (filled as trials are shown): its sites seen from *here* and the nearest class."""
        if here not in self._sites and len(self._sites) > 64:
            self._sites.clear()
            self._nearest.clear()
        return self._sites.setdefault(here, {})

    def _ranking_keys(self, positions: np.ndarray, line: PatientLine, here: Place, as_of: date,
                      disease: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For the trials at *positions*, the patient-independent parts of :meth:`TrialMatch.sort_key`:
        (relevance rank, setting affinity, recruiting state order, nearest-site order, trial-id rank).

        Each is worked out once per trial (and per setting of the patient's line, date, place, disease)
        and kept as an array, so ranking a catalog is a sort of arrays."""
        n = len(self._ids)
        rank = self._relevance_rank.get(disease)
        if rank is None:
            per = self._relevance_of(disease)[0]
            rank = self._relevance_rank[disease] = np.fromiter((r.rank for r in per), dtype=np.int64, count=n)
        fit = self._affinity.get(line.settings)
        if fit is None:
            fit = self._affinity[line.settings] = np.full(n, -1, dtype=np.int64)
        for i in positions[fit[positions] < 0].tolist():
            fit[i] = setting_affinity(line, self._shown_at(i)[4])
        self._states(as_of)  # (clears the per-date caches when too many dates are kept)
        state = self._state_order.get(as_of)
        if state is None:
            state = self._state_order[as_of] = np.full(n, -1, dtype=np.int64)
        for i in positions[state[positions] < 0].tolist():
            state[i] = STATE_ORDER[self._status_at(i, as_of).state]
        known = self._sites_for(here)
        nearest = self._nearest.get(here)
        if nearest is None:
            nearest = self._nearest[here] = np.full(n, -1, dtype=np.int64)
        for i in positions[nearest[positions] < 0].tolist():
            nearest[i] = DISTANCE_ORDER[self._sites_at(i, here, known)[1]]
        if self._id_rank is None:
            ids = [trial_id for trial_id, _registry in self._ids]
            ranked = np.empty(n, dtype=np.int64)
            previous: str | None = None
            r = -1
            for i in sorted(range(n), key=ids.__getitem__):  # equal ids (two registries) share a rank
                if ids[i] != previous:
                    r, previous = r + 1, ids[i]
                ranked[i] = r
            self._id_rank = ranked
        return rank[positions], fit[positions], state[positions], nearest[positions], self._id_rank[positions]

    def _sites_at(self, i: int, here: Place, known: dict[int, tuple[tuple[SiteMatch, ...], str]]) -> \
            tuple[list[SiteMatch], str]:
        found = known.get(i)
        if found is None:
            sites = tuple(SiteMatch(inst or inst_zh, place.describe(), distance_class(here, place),
                                    distance_km(here, place), inst_zh, place)
                          for inst, inst_zh, place in self._places_at(i))
            nearest = min((s.distance for s in sites), key=DISTANCE_ORDER.__getitem__, default="unknown")
            found = known[i] = (sites, nearest)
        return list(found[0]), found[1]

    # -- public, by record --------------------------------------------------------------------
    @property
    def trials(self) -> Sequence[Trial]:
        """The records (slim ones for a catalog from the cache, parsed on access)."""
        return _Records(self)

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
            at = self._index(trial) if self._prebuilt is not None else None
            if at is not None:
                _catalog, _positions, row = self.prepare()
                if row[at] >= 0:
                    return self._prebuilt.trials[int(row[at])]  # type: ignore[union-attr]
            self._compiled[key] = compile_trial(trial)
        return self._compiled[key]

    def setting(self, trial: Trial) -> TrialSetting:
        at = self._index(trial)
        if at is None:
            return classify_trial_setting(trial)
        return self._setting_at(at)

    def concepts(self, trial: Trial) -> TrialConcepts:
        at = self._index(trial)
        return trial_concepts(trial) if at is None else self._concepts_at(at)

    def relevance(self, disease: frozenset[str]) -> list[Relevance]:
        """Per trial, its relevance for a patient whose disease has the concepts *disease*."""
        return self._relevance_of(disease)[0]

    def places(self, trial: Trial) -> list[SitePlace]:
        at = self._index(trial)
        if at is None:
            return [(s.institution.en, s.institution.zh, site_location(s)) for s in trial.sites]
        return self._places_at(at)

    def prepare(self) -> tuple[CompiledCatalog, np.ndarray, np.ndarray]:
        """(catalog of the trials with criteria, their positions in ``trials``, position -> catalog row or -1)."""
        if self._prepared is None:
            with_criteria = [i for i in range(len(self._ids)) if self._has_criteria_at(i)]
            if self._prebuilt is not None:
                catalog = self._prebuilt
                if len(catalog.trials) != len(with_criteria):
                    raise ValueError(f"compiled catalog has {len(catalog.trials)} trials, "
                                     f"{len(with_criteria)} records have criteria")
            else:
                catalog = CompiledCatalog([self.compiled(self._trial_at(i)) for i in with_criteria])
            row = np.full(len(self._ids), -1, dtype=np.int64)
            row[with_criteria] = np.arange(len(with_criteria))
            self._prepared = (catalog, np.asarray(with_criteria, dtype=np.int64), row)
        return self._prepared

    def recruiting(self, as_of: date) -> list[RecruitingStatus]:
        """The recruiting state of every trial on *as_of*."""
        return [self._status_at(i, as_of) for i in range(len(self._ids))]

    def warm(self) -> None:
        """Compile and classify every trial now (a server calls this once at start); for a catalog
        from the cache (:meth:`from_summaries`) only the compiled catalog is prepared (the rest is
        parsed per trial when a match needs it)."""
        self.prepare()
        if self._summaries is None:
            for i in range(len(self._ids)):
                self._setting_at(i)
                self._places_at(i)
                self._concepts_at(i)


class _Records(Sequence[Trial]):
    """The records of a :class:`MatchCatalog`, parsed on access."""

    def __init__(self, catalog: MatchCatalog) -> None:
        self._catalog = catalog

    def __len__(self) -> int:
        return len(self._catalog._ids)

    @overload
    def __getitem__(self, index: int) -> Trial: ...

    @overload
    def __getitem__(self, index: slice) -> list[Trial]: ...

    def __getitem__(self, index: int | slice) -> Trial | list[Trial]:
        if isinstance(index, slice):
            return [self._catalog._trial_at(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._catalog._trial_at(index)


def _criteria_of(catalog: CompiledCatalog, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the catalog trials *rows*: (the rows, sorted and distinct; the positions of their counted criteria in
    ``criterion_ids``, in catalog order; the number of criteria of each row)."""
    rows = distinct_below(rows, len(catalog.trials))
    starts = catalog.offsets[rows]
    lengths = catalog.offsets[rows + 1] - starts
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return rows, np.repeat(starts, lengths) + within, lengths


def _trial_codes(catalog: CompiledCatalog, rule_codes: np.ndarray, rows: np.ndarray | None = None, *,
                 criteria: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(status 0 eligible / 1 possibly / 2 ineligible, count of unknown criteria) per catalog trial; with
    *rows*, only those trials are worked out (the others: no criteria, 0); *criteria*: ``_criteria_of(catalog,
    rows)`` worked out already."""
    n = len(catalog.trials)
    status = np.full(n, NO_CRITERIA, dtype=np.int8)
    unknown = np.zeros(n, dtype=np.int64)
    if rows is not None:
        rows, positions, lengths = criteria if criteria is not None else _criteria_of(catalog, rows)
        if positions.size:
            per = rule_codes[catalog.criterion_ids[positions]]
            starts = np.minimum(np.cumsum(lengths) - lengths, per.size - 1)
            nonempty = lengths > 0
            status[rows[nonempty]] = np.maximum.reduceat(per, starts)[nonempty]
            unknown[rows[nonempty]] = np.add.reduceat((per == 1).astype(np.int64), starts)[nonempty]
        return status, unknown
    if catalog.criterion_ids.size:
        per = rule_codes[catalog.criterion_ids]
        starts = np.minimum(catalog.offsets[:-1], per.size - 1)
        nonempty = catalog.offsets[1:] > catalog.offsets[:-1]
        status[nonempty] = np.maximum.reduceat(per, starts)[nonempty]
        unknown[nonempty] = np.add.reduceat((per == 1).astype(np.int64), starts)[nonempty]  # undecided
    return status, unknown


class Explanation(NamedTuple):
    """A trial explained for a patient: a row per criterion (all of them, in the trial's order) and what to measure
    (the missing data of its counted criteria left unknown, each once, in order of first mention), as
    :func:`explanation_of` reads them from the trial's :class:`TrialVerdict`."""

    rows: list[CriterionRow]
    to_measure: list[str]


def explanation_of(verdict: TrialVerdict) -> Explanation:
    """The :class:`Explanation` of a trial verdict (:func:`hcctrials.criteria.evaluate_trial`)."""
    return Explanation([CriterionRow(r.criterion.number, r.criterion.role, r.criterion.text, r.status,
                                     r.verdict.reason, tuple(r.verdict.missing)) for r in verdict.results],
                       list(verdict.to_measure))


class _LeafVerdicts:
    """The verdict of each distinct leaf of a compiled catalog for one patient, evaluated on first use, and of
    its rule programs: one match reads the same leaves for what to measure and for the explanations of the
    trials shown.  A rule's verdict is :func:`evaluate_node` of the rule (the program mirrors the rule tree;
    its leaves are the catalog's leaves of the same :func:`leaf_key`, whose verdicts ``evaluate_node`` also
    shares per patient), without working out each leaf's key again."""

    def __init__(self, catalog: CompiledCatalog, facts: PatientFacts,
                 constant: dict[int, Verdict] | None = None) -> None:
        self._leaves, self._facts, self._programs = catalog.leaves, facts, catalog.programs
        self._done: dict[int, Verdict] = {}
        self._rules: dict[int, Verdict] = {}
        #: the catalog's leaves whose verdict does not depend on the patient (needs review, administrative), and
        #: *constant*: their verdicts kept across patients (MatchCatalog._constant_verdicts)
        self._constant_leaves = catalog._constant
        self._constant = constant if constant is not None else {}

    def leaf(self, i: int) -> Verdict:
        found = self._done.get(i)
        if found is None:
            if i in self._constant_leaves:
                found = self._constant.get(i)
                if found is None:
                    found = self._constant[i] = evaluate_leaf(self._leaves[i], self._facts)
                self._done[i] = found
            else:
                found = self._done[i] = evaluate_leaf(self._leaves[i], self._facts)
        return found

    def rule_at(self, r: int) -> Verdict:
        """The verdict of the catalog's distinct rule *r*, worked out once per patient: what to measure and the
        explanations of the trials shown read the same rules (a criterion shared by several trials, and every
        undecided criterion of a trial shown, which what to measure has read already)."""
        found = self._rules.get(r)
        if found is None:
            found = self._rules[r] = self.rule(self._programs[r])
        return found

    def rule(self, program: object) -> Verdict:
        if type(program) is int:
            return self.leaf(program)
        op, args = cast(tuple[str, Any], program)
        if op == "n":
            return negate(self.rule(args))
        children = [self.rule(a) for a in args]
        return combine_all(children) if op == "a" else combine_any(children)


def _explain(compiled: CompiledCatalog, row: int, facts: PatientFacts, as_of: date,
             leaves: _LeafVerdicts | None = None) -> Explanation:
    """:func:`explanation_of` the :func:`evaluate_trial` of the catalog's trial *row*, its counted criteria read through
    *leaves* (their distinct rules' programs, in the order of ``criterion_ids``), the rows built directly from the
    rules' verdicts (a shown trial has ~30 criteria; the intermediate results were a third of explaining it)."""
    if leaves is None or facts.as_of != as_of:
        return explanation_of(evaluate_trial(compiled.trials[row], facts, as_of=as_of))
    trial = compiled.trials[row]
    at, ids = int(compiled.offsets[row]), compiled.criterion_ids
    rows: list[CriterionRow] = []
    measure: dict[str, None] = {}
    for c in trial.criteria:
        if c.exclude_from_matching:  # not in the catalog's programs, nor in what to measure
            v = evaluate_node(c.rule, facts)
        else:
            v = leaves.rule_at(int(ids[at]))
            at += 1
        # an exclusion's status for the trial is its rule's negated (as evaluate_trial's negate(v).status), without
        # building the negated reason, which nothing reads
        status = negated_status(v.status) if c.role == "exclusion" else v.status
        missing = v.missing
        if status == "unknown" and missing and not c.exclude_from_matching:
            measure.update(dict.fromkeys(missing))
        rows.append(CriterionRow(c.number, c.role, c.text, status, v.reason, tuple(missing)))
    return Explanation(rows, list(measure))


def match_patient(patient: Patient, trials: Sequence[Trial] | MatchCatalog, *, as_of: date,
                  near: Location | Place | None = None, include_ineligible: bool = False,
                  include_closed: bool = False, include_irrelevant: bool = False,
                  limit: int | None = None) -> MatchResult:
    """Rank *trials* for *patient* on *as_of* (see the module docstring).

    *near* overrides the patient's own location for the distance classes.  Trials for other
    conditions are hidden and counted by relevance level unless *include_irrelevant*.

    The gates (relevance, recruiting state, verdict) are applied as masks over the whole catalog and
    the trials that pass them are ranked as arrays of their :meth:`TrialMatch.sort_key` parts (a stable
    sort, so the order is that of sorting the TrialMatch objects by ``sort_key``).  With *limit*, only
    the first *limit* trials of the ranking are built into :class:`TrialMatch` objects (a page of
    results); the ranking, the hidden counts and what to measure are those of every trial that passed.
    """
    catalog = trials if isinstance(trials, MatchCatalog) else MatchCatalog(trials)
    facts = PatientFacts(patient, as_of)
    line = derive_line_of_therapy(patient, as_of=as_of)
    where = near if near is not None else patient.location
    here = where if isinstance(where, Place) else resolve_location(where.city, where.province, where.country)
    compiled, _positions, row = catalog.prepare()
    relevance, relevant, level_code, levels = catalog._relevance_of(patient_concepts(patient))
    counts = compiled.offsets[1:] - compiled.offsets[:-1]
    hidden_irrelevant: dict[str, int] = {}
    positions = np.arange(row.size, dtype=np.int64)
    if not include_irrelevant:
        other = level_code[~relevant]
        if other.size:  # counted per level, levels in order of their first trial (as a loop would)
            per_level = np.bincount(other, minlength=len(levels))
            first = {int(c): k for k, c in reversed(list(enumerate(other.tolist())))}
            for code in sorted(first, key=first.__getitem__):
                hidden_irrelevant[levels[code]] = int(per_level[code])
        positions = positions[relevant]
    hidden_closed = 0
    if not include_closed:
        offered = catalog._offered_mask(as_of, positions)
        hidden_closed = int(positions.size - np.count_nonzero(offered))
        positions = positions[offered]
    r_of = row[positions]
    # only the criteria of the trials still shown are read (most of a hospital's catalog concerns other
    # conditions or is closed): their rules and the leaves those rules read
    shown = np.zeros(len(compiled.trials), dtype=bool)
    shown[r_of[r_of >= 0]] = True
    # each leaf evaluated once: for the codes, what to measure, explanations
    leaves = _LeafVerdicts(compiled, facts, catalog._constant_verdicts)
    rules_read, criteria_shown = catalog._criteria_shown(compiled, shown)
    rules = compiled.rule_codes(facts, rules_read, leaf_verdict=leaves.leaf)
    status, unknown = _trial_codes(compiled, rules, r_of[r_of >= 0], criteria=criteria_shown)
    verdict_code = np.where(r_of < 0, NO_CRITERIA, status[np.maximum(r_of, 0)] if status.size else NO_CRITERIA)
    hidden_ineligible = 0
    if not include_ineligible:
        eligible = verdict_code != INELIGIBLE
        hidden_ineligible = int(positions.size - np.count_nonzero(eligible))
        positions, r_of, verdict_code = positions[eligible], r_of[eligible], verdict_code[eligible]
    # the ranking (TrialMatch.sort_key) over arrays: verdict, relevance, setting fit, share decided, recruiting
    # state, nearest site, trial id; np.lexsort is stable, so ties keep catalog order as list.sort would
    rel_rank, fit, state_order, nearest_order, id_rank = catalog._ranking_keys(
        positions, line, here, as_of, patient_concepts(patient))
    with_rules = r_of >= 0
    n_unknown = np.where(with_rules, unknown[np.maximum(r_of, 0)] if unknown.size else 0, 0)
    n_criteria = np.where(with_rules, counts[np.maximum(r_of, 0)] if counts.size else 0, 0)
    share = np.zeros(positions.size, dtype=np.float64)
    np.divide(n_criteria - n_unknown, n_criteria, out=share, where=n_criteria > 0)
    order = np.lexsort((id_rank, nearest_order, state_order, -share, fit, rel_rank,
                        (verdict_code == INELIGIBLE).astype(np.int64)))
    if limit is not None:
        order = order[:max(0, limit)]
    matches: list[TrialMatch] = []
    states = catalog._states(as_of)
    seen_from_here = catalog._sites_for(here)
    for k in order.tolist():
        i, r, code = int(positions[k]), int(r_of[k]), int(verdict_code[k])
        trial_id, registry, title, links, setting, contacts = catalog._shown_at(i)
        sites, nearest = catalog._sites_at(i, here, seen_from_here)
        state = states.get(i)
        matches.append(TrialMatch(trial_id, registry, title.en or trial_id, TRIAL_VERDICTS[code],
                                  state if state is not None else catalog._status_at(i, as_of), setting, int(fit[k]),
                                  sites, nearest, list(links), unknown_count=int(n_unknown[k]),
                                  criteria_count=int(n_criteria[k]), relevance=relevance[i], contacts=list(contacts),
                                  title_zh=title.zh,
                                  explain=None if r < 0 else partial(_explain, compiled, r, facts, as_of, leaves)))
    possibly_rows = r_of[verdict_code == POSSIBLY_ELIGIBLE]
    measure = _to_measure(compiled, rules, facts, possibly_rows.astype(np.int64), leaves)
    return MatchResult(patient.patient_id, as_of, line, matches, hidden_ineligible, hidden_closed, measure,
                       hidden_irrelevant)


def _to_measure(catalog: CompiledCatalog, rule_codes: np.ndarray, facts: PatientFacts,
                rows: np.ndarray, leaves: _LeafVerdicts | None = None) -> list[tuple[str, int]]:
    """What to measure next: per item, how many of the trials *rows* (catalog rows, possibly
    eligible) name it among the missing data of their unknown criteria -- the count of trials whose
    :attr:`TrialVerdict.to_measure` holds it, without explaining each trial: identical criteria are
    one distinct rule of the catalog, so each unknown rule is explained once and its missing items
    are spread to the trials using it.  Most frequent first, ties in catalog order."""
    if rows.size == 0 or catalog.criterion_ids.size == 0:
        return []
    rows, criteria, lengths = _criteria_of(catalog, rows)  # the criteria of these trials only, in catalog order
    undecided = rule_codes[catalog.criterion_ids[criteria]] == 1
    positions = criteria[undecided]
    if positions.size == 0:
        return []
    trial_of_position = np.repeat(rows, lengths)[undecided]
    rule_ids = catalog.criterion_ids[positions]
    names: dict[str, int] = {}
    per_rule: dict[int, list[int]] = {}
    # np.unique(rule_ids, return_inverse=True), by marking (criteria.catalog.distinct_below)
    distinct = distinct_below(rule_ids, len(catalog.programs))
    slot = np.zeros(len(catalog.programs), dtype=np.int64)
    slot[distinct] = np.arange(distinct.size)
    inverse = slot[rule_ids]
    for r in distinct.tolist():
        missing = (evaluate_node(catalog.rules[r].rule, facts) if leaves is None
                   else leaves.rule_at(r)).missing
        per_rule[r] = [names.setdefault(m, len(names)) for m in missing]
    # each position's items, in the order of rule_ids (as a loop over the positions would list them), spread
    # from the distinct rules' items laid end to end as arrays (thousands of positions per match at 10,000 trials)
    per_distinct = np.array([len(per_rule[r]) for r in distinct.tolist()], dtype=np.int64)
    laid = np.array([k for r in distinct.tolist() for k in per_rule[r]], dtype=np.int64)
    counts = per_distinct[inverse.reshape(-1)]
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    flat = laid[np.repeat((np.cumsum(per_distinct) - per_distinct)[inverse.reshape(-1)], counts) + within]
    if flat.size == 0:
        return []
    trial = np.repeat(trial_of_position, counts)
    keys = trial * len(names) + flat
    domain = (int(trial.max()) + 1) * len(names)
    # by marking while its table stays near the size of the keys (items x trials can be large), else by NumPy
    pairs = distinct_below(keys, domain) if domain <= 8 * keys.size + 65_536 else np.unique(keys)
    per_name = np.bincount(pairs % len(names), minlength=len(names))
    first = np.full(len(names), np.iinfo(np.int64).max)
    np.minimum.at(first, flat, np.repeat(positions, counts))
    order = sorted(range(len(names)), key=lambda k: (-per_name[k], first[k]))
    items = list(names)
    return [(items[k], int(per_name[k])) for k in order if per_name[k] > 0]
