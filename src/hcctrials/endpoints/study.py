"""A study's tables in memory and the full endpoint analysis over them.

:class:`StudyData` holds the tables (see ``docs/endpoints.md``): ``subjects`` (screening,
enrolment, randomisation and arm, first dose, baseline, follow-up dates), ``assessments``
(canonical lesion layout), ``adverse_events``, ``dosing``, and ``info`` (title, cut-off,
criteria, arms, strata).

Analysis sets (ICH E9 section 5.2; CDISC ADaM IG 1.3 flags ITTFL, SAFFL, PPROTFL), by
:func:`derive_analysis_sets`:

* ITT / full analysis set: every randomised subject (``randomisation_date`` given),
  analysed by the arm randomised to (ARM/TRT01P), times from randomisation.  In a study
  without randomisation (one arm) it is every enrolled subject.
* Safety set: every subject with at least one dose (``first_dose_date`` given), analysed
  by the treatment actually received (TRT01A: ``actual_arm``, else the planned arm).
* Per-protocol set: ITT subjects who were treated with the arm they were randomised to,
  and, when the subject table has a ``per_protocol`` yes/no column, flagged yes there
  (the protocol's list of major deviations is the sponsor's to make).
:func:`analyse_study` derives responses with :mod:`hcctrials.response`, then ORR/DCR, the
ADTTE records and their KM summaries for each criteria set, and the safety tables.  Pure:
no file I/O (``hcctrials.reports.load_study`` reads a folder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from hcctrials.endpoints.derive import TteSettings, derive_tte
from hcctrials.endpoints.events import STANDARD_ENDPOINTS, EndpointDefinition
from hcctrials.endpoints.proportions import ProportionEstimate, derive_dcr, derive_orr
from hcctrials.endpoints.safety import (
    derive_ae_by_grade, derive_ae_by_term, derive_exposure, derive_safety_overview, derive_teae,
)
from hcctrials.endpoints.summary import TteSummary, summarise_tte
from hcctrials.endpoints.survival import DEFAULT_CONF_TYPE
from hcctrials.errors import ValidationError

__all__ = ["StudyData", "CriteriaAnalysis", "StudyAnalysis", "AnalysisSet", "analyse_study",
           "derive_subject_flow", "derive_analysis_sets", "check_study"]

AnalysisSet = Literal["itt", "safety"]
_YES = frozenset({"true", "1", "yes", "y"})
_NO = frozenset({"false", "0", "no", "n", ""})


def _filled(col: pd.Series) -> pd.Series:
    """True where a cell holds a value (not NaN, not blank text)."""
    return col.notna() & (col.astype("string").str.strip().fillna("") != "")


def _yes_no(frame: pd.DataFrame, col: str) -> pd.Series:
    txt = frame[col].astype("string").str.strip().str.lower().fillna("")
    bad = ~txt.isin(_YES | _NO)
    if bad.any():
        i = bad[bad].index[0]
        raise ValidationError("expected yes/no", record=f"subject {frame.loc[i, 'subject_id']}",
                              field=col, value=frame.loc[i, col])
    return txt.isin(_YES)


@dataclass(frozen=True)
class StudyData:
    subjects: pd.DataFrame
    assessments: pd.DataFrame
    adverse_events: pd.DataFrame
    dosing: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def treated(self) -> pd.DataFrame:
        fd = self.subjects.get("first_dose_date")
        if fd is None:
            raise ValidationError("the subject table has no column 'first_dose_date'",
                                  field="first_dose_date")
        return self.subjects[fd.notna() & (fd.astype(str).str.strip() != "")]

    @property
    def is_randomised(self) -> bool:
        """Whether the subject table records randomisation (a ``randomisation_date`` column)."""
        return "randomisation_date" in self.subjects.columns

    @property
    def strata(self) -> list[str]:
        """Columns of the subject table holding the stratification factors
        (``info["strata"]``)."""
        return [str(c) for c in self.info.get("strata") or []]

    @property
    def arms(self) -> list[str]:
        """The arms, as listed in ``info["arms"]``, else as found in the ``arm`` column."""
        declared = self.info.get("arms")
        if declared:
            return [str(a) for a in declared]
        if "arm" in self.subjects.columns:
            col = self.subjects["arm"]
            return sorted(str(a) for a in col[_filled(col)].unique())
        return []


@dataclass(frozen=True)
class CriteriaAnalysis:
    criteria: str
    title: str
    visits: pd.DataFrame
    responses: pd.DataFrame
    orr: ProportionEstimate
    dcr: ProportionEstimate
    adtte: pd.DataFrame
    summaries: dict[str, TteSummary]
    findings: pd.DataFrame


@dataclass(frozen=True)
class StudyAnalysis:
    info: dict[str, Any]
    flow: pd.DataFrame
    by_criteria: dict[str, CriteriaAnalysis]
    safety_overview: pd.DataFrame
    ae_by_term: pd.DataFrame
    ae_by_grade: pd.DataFrame
    aesi_by_term: pd.DataFrame
    serious_by_term: pd.DataFrame
    discontinuation_by_term: pd.DataFrame
    exposure: pd.DataFrame
    conf_type: str
    n_treated: int
    #: "safety" (treated, times from the first dose) or "itt" (randomised, from randomisation)
    analysis_set: str = "safety"
    #: subjects in the efficacy analysis set (ORR/DCR denominators, time-to-event records)
    n_analysed: int = 0
    #: :func:`derive_analysis_sets` (subject_id, arm, actual_arm, ITTFL, SAFFL, PPROTFL)
    sets: pd.DataFrame | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the numbers (no per-subject rows)."""
        out: dict[str, Any] = {"study": self.info, "n_treated": self.n_treated,
                               "analysis_set": self.analysis_set,
                               "n_analysed": self.n_analysed,
                               "conf_type": self.conf_type,
                               "flow": self.flow.to_dict(orient="records"), "criteria": {}}
        for c, a in self.by_criteria.items():
            out["criteria"][c] = {
                "title": a.title,
                "orr": _prop(a.orr), "dcr": _prop(a.dcr),
                "endpoints": {k: s.as_dict() for k, s in a.summaries.items()},
            }
        out["safety_overview"] = self.safety_overview.to_dict(orient="records")
        return out


def _prop(p: ProportionEstimate) -> dict[str, Any]:
    return {"count": p.count, "n": p.n, "estimate": p.estimate, "lower": p.lower,
            "upper": p.upper, "conf_level": p.conf_level, "method": p.method,
            "denominator": p.denominator, "numerator": p.numerator,
            "non_evaluable": list(p.non_evaluable), "text": p.describe()}


def check_study(study: StudyData) -> None:
    """Cross-table checks that name the subject: every subject in another table must be in
    the subject table, and treated subjects must have a first dose."""
    known = set(study.subjects["subject_id"].astype(str))
    for name, frame in (("tumour_assessments", study.assessments),
                        ("adverse_events", study.adverse_events), ("dosing", study.dosing)):
        if "subject_id" not in frame.columns:
            raise ValidationError(f"table {name} has no column 'subject_id'", field="subject_id")
        extra = sorted(set(frame["subject_id"].astype(str)) - known)
        if extra:
            raise ValidationError(f"is in table {name} but not in the subject table",
                                  record=f"subject {extra[0]}", field="subject_id",
                                  hint="add the subject to subjects.csv or remove the rows")
    treated = set(study.treated["subject_id"].astype(str))
    dosed = set(study.dosing["subject_id"].astype(str))
    missing = sorted(dosed - treated)
    if missing:
        raise ValidationError("has dosing records but no first_dose_date",
                              record=f"subject {missing[0]}", field="first_dose_date")
    s = study.subjects
    for col in study.strata:
        if col not in s.columns:
            raise ValidationError(f"stratification factor {col!r} (study.json 'strata') is not "
                                  "a column of the subject table", field=col)
    if not study.is_randomised:
        return
    randomised = _filled(s["randomisation_date"])
    if "arm" not in s.columns:
        raise ValidationError("the subject table has randomisation dates but no column 'arm'",
                              field="arm", hint="give the arm each subject was randomised to")
    arms = set(study.arms)
    for col in ("arm", "actual_arm"):
        if col not in s.columns:
            continue
        val = s[col]
        unknown = _filled(val) & ~val.astype(str).isin(arms)
        if unknown.any():
            i = unknown[unknown].index[0]
            raise ValidationError("arm not listed in study.json 'arms'",
                                  record=f"subject {s.loc[i, 'subject_id']}", field=col,
                                  value=val.loc[i], hint=f"expected one of {', '.join(sorted(arms))}")
    for col in ["arm", *study.strata]:
        blank = randomised & ~_filled(s[col])
        if blank.any():
            i = blank[blank].index[0]
            raise ValidationError("randomised subject without a value",
                                  record=f"subject {s.loc[i, 'subject_id']}", field=col)
    unrandomised = _filled(s["first_dose_date"]) & ~randomised
    if unrandomised.any():
        i = unrandomised[unrandomised].index[0]
        raise ValidationError("treated but not randomised", record=f"subject {s.loc[i, 'subject_id']}",
                              field="randomisation_date",
                              hint="in a randomised study every treated subject has a "
                                   "randomisation date")
    if "per_protocol" in s.columns:
        _yes_no(s, "per_protocol")


def derive_analysis_sets(study: StudyData) -> pd.DataFrame:
    """One row per subject of the subject table: ``subject_id``, ``arm`` (planned, as
    randomised), ``actual_arm`` (as treated; blank when never treated), and the ADaM
    population flags ``ITTFL``, ``SAFFL``, ``PPROTFL`` ("Y"/"N").

    ITT: randomised (ICH E9 5.2.1; in a study without randomisation: enrolled).  Safety:
    at least one dose, by the treatment received.  Per-protocol: ITT, treated, actual arm
    equal to the planned arm, and ``per_protocol`` yes where that column exists (ICH E9
    5.2.2).  In a one-arm study the arm is ``info["arm"]`` or the drugs joined by " + "."""
    s = study.subjects
    sid = s["subject_id"].astype(str)
    if study.is_randomised:
        in_itt = _filled(s["randomisation_date"])
    elif "enrolled" in s.columns:
        in_itt = s["enrolled"].astype(str).str.strip().str.lower().isin(_YES)
    else:
        in_itt = pd.Series(True, index=s.index)
    treated = _filled(s["first_dose_date"]) if "first_dose_date" in s.columns else \
        pd.Series(False, index=s.index)
    if "arm" in s.columns:
        planned = s["arm"].astype("string").str.strip().fillna("")
    else:
        one = str(study.info.get("arm") or " + ".join(study.info.get("drugs") or {})
                  or "Study treatment")
        planned = pd.Series(one, index=s.index, dtype="string")
    planned = planned.where(in_itt, "")
    actual = planned.where(treated, "")
    if "actual_arm" in s.columns:
        given = s["actual_arm"].astype("string").str.strip().fillna("")
        actual = given.where((given != "") & treated, actual)
    pp = in_itt & treated & (actual == planned)
    if "per_protocol" in s.columns:
        pp = pp & _yes_no(s, "per_protocol")

    def flag(b: pd.Series) -> pd.Series:
        return b.map({True: "Y", False: "N"}).astype(str)

    return pd.DataFrame({"subject_id": sid.to_numpy(), "arm": planned.astype(str).to_numpy(),
                         "actual_arm": actual.astype(str).to_numpy(),
                         "ITTFL": flag(in_itt).to_numpy(), "SAFFL": flag(treated).to_numpy(),
                         "PPROTFL": flag(pp).to_numpy()})


def derive_subject_flow(study: StudyData) -> pd.DataFrame:
    """CONSORT-style counts: screened, screen failures (by reason), enrolled, treated,
    discontinued treatment (by reason), still on treatment at the cut-off.  In a randomised
    study also: randomised, and per arm (``reason`` = arm) randomised (``randomised_arm``,
    by planned arm) and treated (``treated_arm``, by actual arm)."""
    s = study.subjects
    rows: list[dict[str, Any]] = [{"stage": "screened", "reason": "", "n": len(s)}]
    enrolled = s[s["enrolled"].astype(str).str.lower().isin({"true", "1", "yes", "y"})] \
        if "enrolled" in s.columns else s
    fails = s[~s.index.isin(enrolled.index)]
    rows.append({"stage": "screen_failure", "reason": "", "n": len(fails)})
    if "screen_failure_reason" in s.columns:
        for reason, n in fails["screen_failure_reason"].fillna("not stated").value_counts().items():
            rows.append({"stage": "screen_failure_reason", "reason": str(reason), "n": int(n)})
    rows.append({"stage": "enrolled", "reason": "", "n": len(enrolled)})
    if study.is_randomised:
        sets = derive_analysis_sets(study)
        itt = sets[sets["ITTFL"] == "Y"]
        rows.append({"stage": "randomised", "reason": "", "n": len(itt)})
        for arm in study.arms:
            rows.append({"stage": "randomised_arm", "reason": arm,
                         "n": int((itt["arm"] == arm).sum())})
            rows.append({"stage": "treated_arm", "reason": arm,
                         "n": int((sets["actual_arm"] == arm).sum())})
    treated = study.treated
    rows.append({"stage": "not_treated", "reason": "", "n": len(enrolled) - len(treated)})
    rows.append({"stage": "treated", "reason": "", "n": len(treated)})
    reasons = treated.get("end_of_treatment_reason", pd.Series("not stated", index=treated.index))
    reasons = reasons.fillna("Ongoing")
    ongoing = reasons.eq("Ongoing")
    rows.append({"stage": "discontinued", "reason": "", "n": int((~ongoing).sum())})
    for reason, n in reasons[~ongoing].value_counts().items():
        rows.append({"stage": "discontinued_reason", "reason": str(reason), "n": int(n)})
    rows.append({"stage": "ongoing", "reason": "", "n": int(ongoing.sum())})
    return pd.DataFrame(rows)


def analyse_study(
    study: StudyData,
    *,
    criteria: Sequence[str] | None = None,
    conf_type: str = DEFAULT_CONF_TYPE,
    endpoints: Sequence[EndpointDefinition] = STANDARD_ENDPOINTS,
    data_cutoff: date | None = None,
    confirm: bool = True,
    analysis_set: AnalysisSet | None = None,
) -> StudyAnalysis:
    """Responses, ORR/DCR, time-to-event endpoints and safety for every criteria set.

    ``confirm``: ORR uses confirmed BOR (single-arm trials, spec 5).  The data cut-off
    defaults to ``info["data_cutoff"]``.  ``analysis_set`` is the efficacy set:
    ``"itt"`` (every randomised subject, times from randomisation; untreated subjects
    count in the ORR/DCR denominators without a response) or ``"safety"`` (treated
    subjects, times from the first dose); by default ITT when the study is randomised,
    else the treated set.  Safety tables always use the safety set.
    """
    from hcctrials.response import ResponseSettings, derive_responses

    check_study(study)
    crit = list(criteria or study.info.get("criteria") or ["recist11"])
    cutoff = data_cutoff or (date.fromisoformat(study.info["data_cutoff"])
                             if study.info.get("data_cutoff") else None)
    aset: AnalysisSet = analysis_set or ("itt" if study.is_randomised else "safety")
    if aset not in ("itt", "safety"):
        raise ValidationError(f"unknown analysis set {aset!r}", field="analysis_set",
                              value=aset, hint="use 'itt' or 'safety'")
    if aset == "itt" and not study.is_randomised:
        raise ValidationError("the ITT analysis needs randomisation dates",
                              field="randomisation_date",
                              hint="add randomisation_date to the subject table, or analyse "
                                   "the treated (safety) set")
    sets = derive_analysis_sets(study)
    treated = study.treated.copy()
    treated["subject_id"] = treated["subject_id"].astype(str)
    if aset == "itt":
        everyone = study.subjects.assign(subject_id=study.subjects["subject_id"].astype(str))
        efficacy = everyone[everyone["subject_id"].isin(
            set(sets.loc[sets["ITTFL"] == "Y", "subject_id"]))]
    else:
        efficacy = treated
    doses = treated[["subject_id", "first_dose_date"]].copy()
    if "new_therapy_date" in treated.columns:
        doses["new_anticancer_therapy_date"] = treated["new_therapy_date"]
    bor_col = "best_overall_response_confirmed" if confirm else "best_overall_response_unconfirmed"
    interval = int(study.info.get("assessment_interval_days", 56))
    by: dict[str, CriteriaAnalysis] = {}
    assessments = study.assessments.assign(subject_id=study.assessments["subject_id"].astype(str))
    assessments = assessments[assessments["subject_id"].isin(set(doses["subject_id"]))]
    for c in crit:
        settings = ResponseSettings(confirm=confirm)
        res = derive_responses(assessments, doses, criteria=c, settings=settings)
        subj_resp = efficacy[["subject_id"]].merge(res.subjects, on="subject_id", how="left")
        orr = derive_orr(subj_resp, bor_column=bor_col)
        dcr = derive_dcr(subj_resp, bor_column=bor_col)
        adtte = derive_tte(efficacy, res.visits[["subject_id", "visit_date", "overall_response"]],
                           responses=subj_resp, endpoints=endpoints, data_cutoff=cutoff,
                           settings=TteSettings(assessment_interval_days=interval),
                           bor_column=bor_col,
                           start_from="randomisation" if aset == "itt" else "first_dose")
        sums = {d.paramcd: summarise_tte(adtte, d.paramcd, conf_type=conf_type) for d in endpoints}
        by[c] = CriteriaAnalysis(c, res.criteria_title, res.visits, subj_resp, orr, dcr, adtte,
                                 sums, res.findings)
    n_safety = len(treated)
    teae = derive_teae(study.adverse_events, treated, study.dosing)
    return StudyAnalysis(
        info=dict(study.info), flow=derive_subject_flow(study), by_criteria=by,
        safety_overview=derive_safety_overview(teae, n_safety),
        ae_by_term=derive_ae_by_term(teae, n_safety),
        ae_by_grade=derive_ae_by_grade(teae, n_safety),
        aesi_by_term=derive_ae_by_term(teae, n_safety, subset="aesi"),
        serious_by_term=derive_ae_by_term(teae, n_safety, subset="serious"),
        discontinuation_by_term=derive_ae_by_term(teae, n_safety, subset="led_to_discontinuation"),
        exposure=derive_exposure(study.dosing), conf_type=conf_type, n_treated=n_safety,
        analysis_set=aset, n_analysed=len(efficacy), sets=sets)
