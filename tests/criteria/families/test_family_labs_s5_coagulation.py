"""Coagulation and liver-function lists read as a whole (issue 10, labs family, session 5).

Criteria quoted from the registry records in ../shared (hint_hcc_subset.csv); each test gives a patient, the
verdict a clinician reads from the text and why.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict, stays_for_review

from hcctrials.criteria import compile_criterion, describe

LAB_DAY = "2026-05-25"

#: NCT01203787 inclusion 11
INR_ANTICOAGULATION = ("INR< 2.3. Patients receiving anti-coagulation treatment with an agent such as warfarin or heparin "
                       "may be allowed to participate. For patients on warfarin, the INR should be measured prior to "
                       "initiation of sorafenib and monitored at least weekly, or as defined by the local standard of "
                       "care, until INR is stable.")
#: NCT02210182 exclusion 6
SEVERE_COAGULATION = ("International Normalised Ratio (INR) > 1.5 or presence of severe coagulation disorders (vg but "
                      "limited to prothrombin activity < 40% or a platelet count of < 40,000 / mm3)")
#: NCT00165633 inclusion 6
LIVER_ITEMS = ("Patients who meet the following items to determine liver function:\n  - 1) Albumin is 2.8 g/dL or above\n"
               "  - 2) Total bilirubin is under 2.0 mg/dL\n  - 3) Prothrombin activation is 40% or above")
#: NCT02435433 inclusion 14
PTT_ABOVE_ULN = ("International Normalized Ratio (INR) ≤1.5 and a partial thromboplastin time (PTT) ≤5 seconds above "
                 "the ULN.")


def _lab(analyte: str, value: float, unit: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"analyte": analyte, "value": value, "unit": unit, "date": LAB_DAY, **kw}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"labs": [_lab("inr", 1.3)]}, "met", "INR 1.3 is below 2.3, whatever the anticoagulation"),
    ({"labs": [_lab("inr", 2.6)], "history_reviewed": True}, "not_met",
     "INR 2.6 and no anticoagulant in the reviewed medication list"),
    ({"labs": [_lab("inr", 2.6)], "concomitant_medications": [{"name": "warfarin", "ongoing": True,
                                                               "start": "2025-02-01", "intent": "therapeutic"}]},
     "needs_review", "INR 2.6 on warfarin: such patients 'may be allowed' - the investigator decides"),
    ({}, "unknown", "no INR"),
])
def test_inr_limit_with_anticoagulated_patients_left_to_the_investigator(patient: dict[str, Any], expected: str,
                                                                         why: str) -> None:
    status, reason = screening_verdict(INR_ANTICOAGULATION, patient, role="inclusion")
    assert status == expected, (why, reason)


def test_the_monitoring_sentence_is_no_rule() -> None:
    rule = describe(compile_criterion(INR_ANTICOAGULATION, role="inclusion"))
    assert rule.startswith("any of (INR < 2.3; all of (medication: anticoagulant")
    assert "weekly" not in rule


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"labs": [_lab("inr", 1.7), _lab("pt_activity", 55, "%"), _lab("platelets", 110, "10^9/L")]}, "met",
     "INR 1.7 above 1.5 excludes on its own"),
    ({"labs": [_lab("inr", 1.1), _lab("pt_activity", 35, "%"), _lab("platelets", 150, "10^9/L")]}, "met",
     "prothrombin activity 35 % is a named severe coagulation disorder"),
    ({"labs": [_lab("inr", 1.2), _lab("pt_activity", 80, "%"), _lab("platelets", 35, "10^9/L")]}, "met",
     "platelets 35,000/mm3, below 40,000"),
    ({"history_reviewed": True,
      "labs": [_lab("inr", 1.1), _lab("pt_activity", 90, "%"), _lab("platelets", 150, "10^9/L")]}, "needs_review",
     "none of the three values: another severe coagulation disorder is an open category ('but [not] limited to')"),
])
def test_severe_coagulation_disorders_named_by_example(patient: dict[str, Any], expected: str, why: str) -> None:
    status, reason = screening_verdict(SEVERE_COAGULATION, patient, role="exclusion")
    assert status == expected, (why, reason)


@pytest.mark.parametrize(("labs", "expected", "why"), [
    ([_lab("albumin", 32, "g/L"), _lab("bilirubin_total", 1.4, "mg/dL"), _lab("pt_activity", 70, "%")], "met",
     "albumin 3.2 g/dL, bilirubin 1.4 mg/dL, prothrombin activity 70 %"),
    ([_lab("albumin", 32, "g/L"), _lab("bilirubin_total", 1.4, "mg/dL"), _lab("pt_activity", 35, "%")], "not_met",
     "prothrombin activity 35 % is below 40 %"),
    ([_lab("albumin", 25, "g/L"), _lab("bilirubin_total", 1.4, "mg/dL"), _lab("pt_activity", 70, "%")], "not_met",
     "albumin 2.5 g/dL is below 2.8"),
    ([_lab("albumin", 32, "g/L"), _lab("bilirubin_total", 1.4, "mg/dL")], "unknown", "no prothrombin activity"),
])
def test_numbered_liver_function_items_after_a_lead_in(labs: list[dict[str, Any]], expected: str, why: str) -> None:
    assert describe(compile_criterion(LIVER_ITEMS, role="inclusion")) == \
        "all of (albumin ≥ 2.8 g/dL; total bilirubin < 2 mg/dL; prothrombin activity ≥ 40 %)"
    status, reason = screening_verdict(LIVER_ITEMS, {"labs": labs}, role="inclusion")
    assert status == expected, (why, reason)


def test_ptt_seconds_above_the_uln_is_not_read_as_seconds() -> None:
    # "PTT <= 5 s above the ULN" is a limit of ULN + 5 s, not "PTT <= 5 s" (which every patient would fail)
    stays_for_review(PTT_ABOVE_ULN, "inclusion")
    assert "APTT ≤ 5 s" not in compile_criterion(PTT_ABOVE_ULN, role="inclusion").reason  # type: ignore[union-attr]


def test_creatinine_normal_or_clearance_in_one_item() -> None:
    text = "Creatinine normal OR\nCreatinine clearance at least 60 mL/min"  # NCT00005997 items 20-21, joined
    assert describe(compile_criterion(text, role="inclusion")) == \
        "any of (creatinine ≤ 1×ULN; creatinine clearance ≥ 60 mL/min)"
    high = _lab("creatinine", 130, "umol/L", uln=104)
    assert screening_verdict(text, {"labs": [high, _lab("creatinine_clearance", 75, "mL/min")]},
                             role="inclusion")[0] == "met"
    assert screening_verdict(text, {"labs": [high, _lab("creatinine_clearance", 45, "mL/min")]},
                             role="inclusion")[0] == "not_met"
    # the dangling "OR" alone still names an alternative that is not there
    stays_for_review("Creatinine normal OR", "inclusion")
