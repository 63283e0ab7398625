"""Child-Pugh strata and liver-sign criteria read as a whole (issue 10, session 5).

``criteria/families/child_pugh_whole.py`` and ``criteria/families/liver_notes.py`` (``read_liver_sign_criterion``).
Each criterion is quoted from a real HCC record of ``../shared``; a part the record cannot show (a "chronic"
thrombus, a paracentesis date, other signs of liver failure, how often an effusion is drained, the severity of an
effusion) stays a needs-review part, so the rule decides only where that part cannot change the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.i18n import render
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)


def verdict(text: str, patient: dict[str, Any], role: str) -> Any:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING))


def status(text: str, patient: dict[str, Any], role: str) -> str:
    return str(verdict(text, patient, role).status)


def liver_labs(bilirubin: float, albumin: float, inr: float) -> list[dict[str, Any]]:
    return [{"analyte": "bilirubin_total", "value": bilirubin, "unit": "umol/L", "uln": 21, "date": "2026-05-20"},
            {"analyte": "albumin", "value": albumin, "unit": "g/L", "date": "2026-05-20"},
            {"analyte": "inr", "value": inr, "date": "2026-05-20"}]


A5 = liver_labs(15, 41, 1.1)            # 1 + 1 + 1 points, with no ascites and no encephalopathy: A5
B7 = liver_labs(38, 32, 1.2)            # 2 + 2 + 1: B7
CLEAR_LIVER = {"ascites": "none", "encephalopathy": "none", "assessed_on": "2026-05-20"}

STRATA = (  # NCT05883644 inclusion 7
    "Child-Pugh Score classification on liver disease and WHO/ECOG PS at enrolment complying one of the following:\n"
    "  1. Child-Pugh score B7 or B8 with a WHO/ECOG PS of 0-1 at enrolment, without main trunk portal vein thrombosis.\n"
    "  2. Child-Pugh class A with a WHO/ECOG PS of 2 at enrolment, without main trunk portal vein thrombosis (ie, ECOG "
    "PS 2 participants with main portal vein tumour thrombosis are excluded from this study).\n"
    "  3. Child-Pugh class A with WHO/ECOG PS of 0-1 at enrolment and evidence of chronic main trunk portal vein thrombosis")


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"ecog": 1, "tumour": {"pvtt": "vp0"}, "liver": CLEAR_LIVER, "labs": B7}, "met", "option 1: B7, ECOG 1, no Vp4"),
    ({"ecog": 2, "tumour": {"pvtt": "vp2"}, "liver": CLEAR_LIVER, "labs": A5}, "met", "option 2: A5, ECOG 2, no Vp4"),
    ({"ecog": 2, "tumour": {"pvtt": "vp4"}, "liver": CLEAR_LIVER, "labs": A5}, "not_met",
     "A5 ECOG 2 with main-trunk tumour thrombus: the gloss of option 2 excludes exactly this"),
    ({"ecog": 0, "tumour": {"pvtt": "vp0"}, "liver": CLEAR_LIVER, "labs": A5}, "not_met",
     "A5 ECOG 0 without a main-trunk thrombus fits none of the three options"),
    ({"ecog": 0, "tumour": {"pvtt": "vp4"}, "liver": CLEAR_LIVER, "labs": A5}, "needs_review",
     "option 3 needs the thrombus to be chronic, which the record does not say"),
    ({"ecog": 1, "tumour": {"pvtt": "vp1"}, "liver": CLEAR_LIVER, "labs": liver_labs(45, 26, 1.9)}, "not_met",
     "bilirubin 2 + albumin 3 + INR 2 + no ascites 1 + no encephalopathy 1 = B9, in no option"),
    ({"ecog": 1, "liver": CLEAR_LIVER, "labs": B7}, "unknown", "B7 ECOG 1, portal vein status not recorded"),
])
def test_child_pugh_and_ecog_strata(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(STRATA, patient, "inclusion") == expected, why


def test_strata_without_the_tumour_gloss_are_not_read() -> None:
    """Without "(ie, ... main portal vein tumour thrombosis ...)" a bland portal-vein thrombus would be possible."""
    text = STRATA.replace(" (ie, ECOG PS 2 participants with main portal vein tumour thrombosis are excluded from this "
                          "study)", "")
    assert status(text, {"ecog": 1, "tumour": {"pvtt": "vp0"}, "liver": CLEAR_LIVER, "labs": B7},
                  "inclusion") == "needs_review"


BELOW_7 = ("Subject has Child-Pugh score of less than 7 (ie, class A or better) with neither encephalopathy nor clinically "
           "significant ascites (ascites requiring paracentesis within 3 months of signing the ICF is excluded). Child-Pugh "
           "status is calculated based on clinical findings and laboratory results during the screening period.")  # NCT02323906


@pytest.mark.parametrize(("liver", "labs", "expected", "why"), [
    (CLEAR_LIVER, A5, "met", "A5, no encephalopathy, no ascites"),
    (CLEAR_LIVER, B7, "not_met", "Child-Pugh 7 is not less than 7"),
    ({"ascites": "mild", "encephalopathy": "none", "ascites_requires_paracentesis": True}, liver_labs(15, 41, 1.0),
     "not_met", "ascites needing paracentesis now is excluded by the parenthesis"),
    ({"ascites": "mild", "encephalopathy": "none", "ascites_requires_paracentesis": False}, liver_labs(15, 41, 1.0),
     "needs_review", "A6 with mild ascites: a paracentesis in the last 3 months is not in the record"),
    ({"encephalopathy": "none"}, A5, "unknown", "ascites not assessed"),
])
def test_child_pugh_below_7_without_encephalopathy_or_tapped_ascites(liver: dict[str, Any], labs: list[Any],
                                                                      expected: str, why: str) -> None:
    assert status(BELOW_7, {"liver": liver, "labs": labs}, "inclusion") == expected, why


def test_the_review_part_reads_in_chinese() -> None:
    v = verdict(BELOW_7, {"liver": {"ascites": "mild", "encephalopathy": "none", "ascites_requires_paracentesis": False},
                          "labs": liver_labs(15, 41, 1.0)}, "inclusion")
    assert "腹腔穿刺" in render(v.reason, "zh")


SIGNS = "Any ascites or other clinical signs of liver failure, on physical examination."  # NCT00712790 exclusion 2


@pytest.mark.parametrize(("liver", "expected", "why"), [
    ({"ascites": "moderate_severe", "encephalopathy": "none"}, "met", "ascites evident on examination"),
    ({"ascites": "none", "encephalopathy": "grade_1_2"}, "met", "hepatic encephalopathy is a clinical sign"),
    ({"ascites": "mild", "encephalopathy": "none"}, "needs_review",
     "ultrasound-only ascites is not found on examination; jaundice or asterixis are not read"),
    ({}, "unknown", "no examination recorded"),
])
def test_ascites_or_other_signs_of_liver_failure(liver: dict[str, Any], expected: str, why: str) -> None:
    assert status(SIGNS, {"liver": liver}, "exclusion") == expected, why


def test_the_sign_criterion_is_not_read_as_an_inclusion() -> None:
    assert status(SIGNS, {"liver": {"ascites": "moderate_severe"}}, "inclusion") == "needs_review"


DRAINAGE = ("Uncontrolled pleural effusion, pericardial effusion, or ascites requiring recurrent drainage procedures (once "
            "monthly or more frequently); Patients with indwelling catheters (e.g., PleurX) are allowed.")  # NCT05482516


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"liver": {"ascites": "mild", "ascites_requires_paracentesis": False},
      "conditions": [{"code": "pleural_effusion", "status": "absent"}, {"code": "pericardial_effusion", "status": "absent"}]},
     "not_met", "mild ascites never tapped, no effusions"),
    ({"liver": {"ascites": "moderate_severe", "paracentesis_per_month": 2}, "history_reviewed": True}, "needs_review",
     "tapped twice a month, but an indwelling catheter (allowed) is not ruled out"),
    ({"liver": {"ascites": "moderate_severe", "paracentesis_per_month": 0.5}, "history_reviewed": True}, "not_met",
     "tapped every two months: less than monthly, no effusions"),
    ({"liver": {"ascites": "none"}}, "unknown", "effusions not assessed"),
])
def test_effusions_or_ascites_drained_monthly(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(DRAINAGE, patient, "exclusion") == expected, why


COMPLICATIONS = ("Patients with complications associated with liver diseases: moderate or severe pleural effusion, "
                 "pericardial effusion, ascites, or gastrointestinal hemorrhage;")  # NCT04011033 exclusion 8


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"liver": {"ascites": "moderate_severe"}}, "met", "moderate ascites"),
    ({"liver": {"ascites": "mild"}, "conditions": [{"code": "pleural_effusion", "status": "absent"},
                                                   {"code": "pericardial_effusion", "status": "absent"},
                                                   {"code": "gi_bleeding", "status": "absent"}]},
     "not_met", "'moderate or severe' qualifies ascites too: mild ascites only, nothing else"),
    ({"liver": {"ascites": "mild"}}, "unknown", "effusions and GI haemorrhage not assessed"),
    ({"liver": {"ascites": "none"}, "history_reviewed": True,
      "conditions": [{"code": "pleural_effusion", "name": "small right pleural effusion", "status": "active"}]},
     "needs_review", "a pleural effusion of unrecorded severity"),
])
def test_moderate_or_severe_carries_across_the_list(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(COMPLICATIONS, patient, "exclusion") == expected, why
