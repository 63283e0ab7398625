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

Ranking: eligible, possibly eligible, criteria not in the record, ineligible (hidden unless
asked); then trials of the patient's setting first; then fewest unknown criteria; then
recruiting state (open first); then nearest site; then id.

Pure: no I/O, no clock (``as_of`` is explicit).  :class:`MatchCatalog` compiles each trial's
criteria once (cache keyed by trial id, registry and raw hash) so a server matches many
patients against the same catalog without recompiling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from hcctrials.criteria import CompiledTrial, PatientFacts, TrialVerdict, compile_trial, evaluate_trial
from hcctrials.matching.geography import DISTANCE_ORDER, Place, distance_class, resolve_location, site_location
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


@dataclass
class TrialMatch:
    trial_id: str
    registry: str
    title: str
    verdict: str  # eligible | possibly_eligible | ineligible | unknown_no_criteria
    reason: str
    criteria: list[CriterionRow]
    deciding: list[CriterionRow]
    to_measure: list[str]
    recruiting: RecruitingStatus
    setting: TrialSetting
    setting_affinity: int
    sites: list[SiteMatch]
    nearest: str
    links: list[str]

    @property
    def unknown_count(self) -> int:
        return sum(1 for c in self.criteria if c.status == "unknown")

    def sort_key(self) -> tuple[int, int, int, int, int, str]:
        return (VERDICT_ORDER[self.verdict], self.setting_affinity, self.unknown_count,
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
    """Trials with their compiled criteria, settings and site places, computed once."""

    def __init__(self, trials: Iterable[Trial]) -> None:
        self.trials: list[Trial] = list(trials)
        self._compiled: dict[tuple[str, str, str], CompiledTrial] = {}
        self._settings: dict[tuple[str, str], TrialSetting] = {}
        self._places: dict[tuple[str, str], list[tuple[str | None, Place]]] = {}

    @staticmethod
    def has_criteria(trial: Trial) -> bool:
        el = trial.eligibility
        return bool(el.inclusion or el.exclusion or el.raw_text.en or el.raw_text.zh)

    def compiled(self, trial: Trial) -> CompiledTrial:
        key = (trial.trial_id, trial.registry.value, trial.provenance.raw_sha256)
        if key not in self._compiled:
            self._compiled[key] = compile_trial(trial)
        return self._compiled[key]

    def setting(self, trial: Trial) -> TrialSetting:
        key = (trial.trial_id, trial.registry.value)
        if key not in self._settings:
            self._settings[key] = classify_trial_setting(trial)
        return self._settings[key]

    def places(self, trial: Trial) -> list[tuple[str | None, Place]]:
        key = (trial.trial_id, trial.registry.value)
        if key not in self._places:
            self._places[key] = [(s.institution.get("en"), site_location(s)) for s in trial.sites]
        return self._places[key]

    def warm(self) -> None:
        """Compile and classify every trial now (a server calls this once at start)."""
        for trial in self.trials:
            if self.has_criteria(trial):
                self.compiled(trial)
            self.setting(trial)
            self.places(trial)


def _rows(verdict: TrialVerdict) -> list[CriterionRow]:
    return [CriterionRow(r.criterion.number, r.criterion.role, r.criterion.text, r.status, r.verdict.reason,
                         tuple(r.verdict.missing)) for r in verdict.results]


def _match_one(trial: Trial, catalog: MatchCatalog, facts: PatientFacts, line: PatientLine,
               here: Place, as_of: date) -> TrialMatch:
    setting = catalog.setting(trial)
    recruiting = evaluate_recruiting_status(trial, as_of=as_of)
    sites = [SiteMatch(inst, place.describe(), distance_class(here, place)) for inst, place in catalog.places(trial)]
    nearest = min((s.distance for s in sites), key=DISTANCE_ORDER.__getitem__, default="unknown")
    if not catalog.has_criteria(trial):
        verdict, reason, rows, deciding, to_measure = ("unknown_no_criteria", "unknown: criteria not in the record",
                                                       [], [], [])
    else:
        tv = evaluate_trial(catalog.compiled(trial), facts, as_of=as_of)
        rows = _rows(tv)
        verdict = tv.status
        deciding = [row for row in rows if row.status == "not_met"]
        to_measure = list(tv.to_measure)
        if verdict == "ineligible":
            reason = "not eligible: " + "; ".join(f"{d.role} {d.number}: {d.reason}" for d in deciding[:3])
        elif verdict == "possibly_eligible":
            reason = f"possibly eligible: {sum(r.status == 'unknown' for r in rows)} criteria unknown"
        else:
            reason = "eligible: every computable criterion met"
    return TrialMatch(trial.trial_id, trial.registry.value, trial.title("en"), verdict, reason, rows, deciding,
                      to_measure, recruiting, setting, setting_affinity(line, setting), sites, nearest,
                      trial_links(trial))


def match_patient(patient: Patient, trials: Sequence[Trial] | MatchCatalog, *, as_of: date,
                  near: Location | Place | None = None, include_ineligible: bool = False,
                  include_closed: bool = False) -> MatchResult:
    """Rank *trials* for *patient* on *as_of* (see the module docstring).

    *near* overrides the patient's own location for the distance classes.
    """
    catalog = trials if isinstance(trials, MatchCatalog) else MatchCatalog(trials)
    facts = PatientFacts(patient, as_of)
    line = derive_line_of_therapy(patient, as_of=as_of)
    where = near if near is not None else patient.location
    here = where if isinstance(where, Place) else resolve_location(where.city, where.province, where.country)
    matches: list[TrialMatch] = []
    hidden_ineligible = hidden_closed = 0
    measure: Counter[str] = Counter()
    for trial in catalog.trials:
        m = _match_one(trial, catalog, facts, line, here, as_of)
        if not m.recruiting.offered and not include_closed:
            hidden_closed += 1
            continue
        if m.verdict == "possibly_eligible":
            measure.update(set(m.to_measure))
        if m.verdict == "ineligible" and not include_ineligible:
            hidden_ineligible += 1
            continue
        matches.append(m)
    matches.sort(key=TrialMatch.sort_key)
    return MatchResult(patient.patient_id, as_of, line, matches, hidden_ineligible, hidden_closed,
                       measure.most_common())
