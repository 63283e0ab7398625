"""A study's tables in memory and the full endpoint analysis over them.

:class:`StudyData` holds the tables (see ``docs/endpoints.md``): ``subjects`` (screening,
enrolment, first dose, baseline, follow-up dates), ``assessments`` (canonical lesion
layout), ``adverse_events``, ``dosing``, and ``info`` (title, cut-off, criteria).
:func:`analyse_study` derives responses with :mod:`hcctrials.response`, then ORR/DCR, the
ADTTE records and their KM summaries for each criteria set, and the safety tables.  Pure:
no file I/O (``hcctrials.reports.load_study`` reads a folder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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

__all__ = ["StudyData", "CriteriaAnalysis", "StudyAnalysis", "analyse_study",
           "derive_subject_flow", "check_study"]


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

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the numbers (no per-subject rows)."""
        out: dict[str, Any] = {"study": self.info, "n_treated": self.n_treated,
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


def derive_subject_flow(study: StudyData) -> pd.DataFrame:
    """CONSORT-style counts: screened, screen failures (by reason), enrolled, treated,
    discontinued treatment (by reason), still on treatment at the cut-off."""
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
) -> StudyAnalysis:
    """Responses, ORR/DCR, time-to-event endpoints and safety for every criteria set.

    ``confirm``: ORR uses confirmed BOR (single-arm trials, spec 5).  The data cut-off
    defaults to ``info["data_cutoff"]``.
    """
    from hcctrials.response import ResponseSettings, derive_responses

    check_study(study)
    crit = list(criteria or study.info.get("criteria") or ["recist11"])
    cutoff = data_cutoff or (date.fromisoformat(study.info["data_cutoff"])
                             if study.info.get("data_cutoff") else None)
    treated = study.treated.copy()
    treated["subject_id"] = treated["subject_id"].astype(str)
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
        subj_resp = doses[["subject_id"]].merge(res.subjects, on="subject_id", how="left")
        orr = derive_orr(subj_resp, bor_column=bor_col)
        dcr = derive_dcr(subj_resp, bor_column=bor_col)
        adtte = derive_tte(treated, res.visits[["subject_id", "visit_date", "overall_response"]],
                           responses=subj_resp, endpoints=endpoints, data_cutoff=cutoff,
                           settings=TteSettings(assessment_interval_days=interval),
                           bor_column=bor_col)
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
        exposure=derive_exposure(study.dosing), conf_type=conf_type, n_treated=n_safety)
