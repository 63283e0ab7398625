"""Liver function classes, stages, diagnosis, tumour and liver features (``criteria/families/staging.py``:
``scan_child_pugh``, ``scan_stage``, ``scan_diagnosis``, ``scan_tumour``, ``scan_liver``): Child-Pugh, BCLC,
ascites, radiographic / histologic diagnosis, extrahepatic spread.

From ``tests/criteria/test_criteria_diagnosis_progression.py`` (4 of its 13 tests; the others are in
``families/test_family_advanced.py``, ``families/test_family_cns.py``, ``families/test_family_diagnosis.py``,
``families/test_family_metastasis.py``, ``families/test_family_progression.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_round4_labs_staging.py`` (8 of its 28 tests; the others are in
``evaluation/test_evaluation_columnar_rules.py``, ``families/test_family_demographics.py``,
``families/test_family_extent.py``, ``families/test_family_labs.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe
from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Diagnosis, LabResult, LiverFunction, Patient

from helpers_criteria import AS_OF, lab, make_patient
from helpers_criteria import compiled_status as _status, stays_for_review as _review
from helpers_criteria import status_for


SCREENING = date(2026, 6, 1)


status = status_for("inclusion")


def test_radiographic_or_histologic_diagnosis() -> None:
    text = "Radiographic or histologic diagnosis of hepatocellular carcinoma (HCC)."
    assert status(text, {"diagnosis": {"confirmed_by": "imaging"}}) == "met"
    assert status(text, {"diagnosis": {"confirmed_by": "histology"}}) == "met"
    # a cytology-proven patient was imaged too; whether the imaging alone was diagnostic is not recorded
    assert status(text, {"diagnosis": {"confirmed_by": "cytology"}}) == "unknown"
    assert status(text, {}) == "unknown"


def test_radiologically_established_diagnosis_and_size_are_both_read() -> None:
    text = "Radiologically established diagnosis of hepatocellular carcinoma (HCC) with tumor diameter ≤ 5 cm"
    tumour = {"assessed_on": "2026-05-20", "largest_diameter_cm": 3.2}
    assert status(text, {"diagnosis": {"confirmed_by": "imaging"}, "tumour": tumour}) == "met"
    assert status(text, {"diagnosis": {"confirmed_by": "imaging"},
                         "tumour": {"assessed_on": "2026-05-20", "largest_diameter_cm": 6.0}}) == "not_met"
    # biopsy-proven: not excluded for lack of a radiological diagnosis, only undecided
    assert status(text, {"diagnosis": {"confirmed_by": "histology"}, "tumour": tumour}) == "unknown"


def test_subtypes_that_are_not_eligible_are_excluded() -> None:
    text = ("Has a HCC diagnosis confirmed by radiology, histology or cytology (fibrolamellar and mixed "
            "hepatocellular/cholangiocarcinoma subtypes are not eligible).")
    assert describe(compile_criterion(text, role="inclusion")) == (
        "all of (diagnosis confirmed by cytology/histology/imaging; not (diagnosis histology combined_hcc_cca/fibrolamellar))")
    assert status(text, {"diagnosis": {"confirmed_by": "histology", "histology": "hcc"}}) == "met"
    assert status(text, {"diagnosis": {"confirmed_by": "histology", "histology": "fibrolamellar"}}) == "not_met"
    assert status(text, {"diagnosis": {"confirmed_by": "histology", "histology": "combined_hcc_cca"}}) == "not_met"


# ------------------------------------------------------------------------------- extrahepatic spread

@pytest.mark.parametrize("text", ["Presence of extra-hepatic spread of disease.",
                                  "Confirmed extra hepatic metastases. Participants with indeterminate hepatic hilar lymph "
                                  "nodes up to 2.5 centimeters (cm) in greatest dimension, or with indeterminate lung nodules "
                                  "(single lesion between 1-1.5 cm, or multiple smaller lesions with a total diameter of "
                                  "≤2 cm) may be included if metastatic disease is deemed unlikely"])
def test_extrahepatic_spread_spelled_with_a_hyphen_or_two_words(text: str) -> None:
    assert status(text, {"tumour": {"extrahepatic_sites": ["lung"]}}, role="exclusion") == "met"
    assert status(text, {"tumour": {"extrahepatic_spread": False}}, role="exclusion") == "not_met"
    assert status(text, {}, role="exclusion") == "unknown"


# ---------------------------------------------------------------- Child-Pugh

def cp(points: str, **liver: Any) -> Patient:
    """A patient of the given Child-Pugh class/points (bilirubin, albumin, INR, ascites, encephalopathy)."""
    rows = {  # bilirubin umol/L, albumin g/L, INR, ascites, encephalopathy
        "A5": (15, 40, 1.1, "none", "none"), "A6": (38, 40, 1.1, "none", "none"),
        "B7": (38, 33, 1.1, "none", "none"), "B8": (40, 30, 1.1, "mild", "none"),
        "B9": (40, 30, 1.8, "mild", "none"), "C11": (60, 25, 1.8, "mild", "none"),
    }
    bili, alb, inr, ascites, he = rows[points]
    labs: dict[str, LabResult | None] = {"bilirubin_total": lab("bilirubin_total", bili, "umol/L", uln=21),
                                         "albumin": lab("albumin", alb, "g/L"), "inr": lab("inr", inr, None)}
    fields: dict[str, Any] = {"ascites": ascites, "encephalopathy": he, **liver}
    return make_patient(labs=dict(labs), liver=LiverFunction(**fields))


@pytest.mark.parametrize(("text", "role", "cases"), [
    # B (8,9) and C excluded; B7 is class B but not 8 or 9
    ("Child Pugh Class B (8,9) and Class C are excluded", "exclusion",
     {"A5": "not_met", "B7": "not_met", "B8": "met", "C11": "met"}),
    ("Childs-Pugh score of A or B7", "inclusion", {"A6": "met", "B7": "met", "B8": "not_met"}),
    ("Child-Pugh score of 7 or less", "inclusion", {"B7": "met", "B8": "not_met"}),
    ("Child-Pugh 评分7分及以下", "inclusion", {"B7": "met", "B8": "not_met"}),
    ("Has Stage B or C liver cirrhosis according to Child-Pugh-Turcotte Classification", "exclusion",
     {"A5": "not_met", "B8": "met"}),
    # the parenthesis restates the score ("class A or better" = A): one rule, not two
    ("Child-Pugh score of less than 7 (ie, class A or better)", "inclusion", {"A6": "met", "B7": "not_met"}),
    ("CPT score <9 at the time of screening (that is all Child A and Child B with a score of 7 or 8)", "inclusion",
     {"A5": "met", "B8": "met", "B9": "not_met"}),
    # a comma list of classes with points (it stopped at the first comma and read {5})
    ("Child-Pugh A5, A6, B7", "inclusion", {"A6": "met", "B7": "met", "B8": "not_met"}),
    ("Cirrhotic status of Child's Pugh class A or B. Child's Pugh class C should be excluded", "inclusion",
     {"B8": "met", "C11": "not_met"}),
    ("Child-Pugh C级者除外", "inclusion", {"A5": "met", "C11": "not_met"}),
])
def test_child_pugh_wordings(text: str, role: str, cases: dict[str, str]) -> None:
    for points, expected in cases.items():
        assert _status(text, role, cp(points)) == expected, points


def test_child_pugh_a_with_no_encephalopathy_at_screening() -> None:
    text = "Child-Pugh class A with no encephalopathy according to the screening assessment"
    assert _status(text, "inclusion", cp("A5")) == "met"
    # grade 1-2 encephalopathy at screening: still class A (6 points) but not "no encephalopathy"
    assert _status(text, "inclusion", cp("A5", encephalopathy="grade_1_2")) == "not_met"


# ---------------------------------------------------------------- BCLC


def staged(stage: str) -> Patient:
    return Patient(patient_id="bclc", diagnosis=Diagnosis(bclc_stage=stage))


@pytest.mark.parametrize(("text", "cases"), [
    ("Barcelona Clinic Liver Cancer (BCLC) stage B or stage C", {"B": "met", "C": "met", "A": "not_met"}),
    ("Have a Barcelona score of 0 or A", {"A": "met", "B": "not_met"}),
    ("Intermediate stage B (according to Barcelona Clinic Liver Cancer classification)", {"B": "met", "C": "not_met"}),
    ("Subject has stage B (intermediate), or C (advanced) Hepatocellular carcinoma according to the Barcelona "
     "Clinic Liver Cancer staging.", {"C": "met", "A": "not_met"}),
    ("BCLC分期为B期或C期", {"B": "met", "D": "not_met"}),
])
def test_bclc_wordings(text: str, cases: dict[str, str]) -> None:
    for stage, expected in cases.items():
        assert _status(text, "inclusion", staged(stage)) == expected, stage


@pytest.mark.parametrize("text", [
    # the qualifier restricts stage B only: B alone cannot decide it ("not eligible for locoregional therapy" is read:
    # test_family_stage_bclc_b_qualified.py; "not amenable to TACE" names one procedure, which no field holds)
    "BCLC stage C, or stage B not amenable to TACE",
])
def test_bclc_with_a_qualified_stage_is_left_for_review(text: str) -> None:
    _review(text, "inclusion")


# ---------------------------------------------------------------- ascites


@pytest.mark.parametrize(("text", "cases"), [
    # trace ascites on imaging is allowed; mild may be imaging-only or more
    ("Ascites (trace ascites on imaging is acceptable)", {"none": "not_met", "mild": "unknown", "moderate_severe": "met"}),
    ("Clinically significant ascites.", {"none": "not_met", "mild": "not_met", "moderate_severe": "met"}),
    ("Moderate or severe ascites", {"mild": "not_met", "moderate_severe": "met"}),
    # mild ascites is diuretic-controlled: not refractory; moderate-severe may or may not be
    ("Has ascites refractory to diuretic therapy", {"none": "not_met", "mild": "not_met", "moderate_severe": "unknown"}),
    ("顽固性腹水", {"mild": "not_met", "moderate_severe": "unknown"}),
    # severe / massive: the grade moderate-severe does not say which
    ("大量腹水", {"mild": "not_met", "moderate_severe": "unknown"}),
    ("中等量以上腹水", {"mild": "not_met", "moderate_severe": "met"}),
])
def test_ascites_grades(text: str, cases: dict[str, str]) -> None:
    for grade, expected in cases.items():
        liver = LiverFunction.model_validate({"ascites": grade})
        assert _status(text, "exclusion", make_patient(liver=liver)) == expected, grade


def test_uncontrolled_ascites_is_left_for_review() -> None:
    _review("Uncontrolled ascites", "exclusion")


# ---------------------------------------------------------------- labs


def labs(**values: LabResult | None) -> Patient:
    return make_patient(labs=values)


def test_severe_hepatic_impairment_is_child_pugh_c() -> None:
    # drug-label usage: mild / moderate / severe hepatic impairment = Child-Pugh A / B / C
    text = "Patients with severe hepatic dysfunction (Child-Pugh Class C)"
    assert _status(text, "exclusion", cp("C11")) == "met"
    assert _status(text, "exclusion", cp("B9")) == "not_met"
    assert _status("Moderate or severe hepatic impairment (Child-Pugh B or C)", "exclusion", cp("B7")) == "met"
    _review("Moderate hepatic impairment (Child-Pugh C)", "exclusion")  # the degree contradicts the class


def test_notes_that_restrict_nothing() -> None:
    # how the score is taken, and "no restriction": listed, never blocking
    rule = compile_criterion("Cirrhotic status of Child-Pugh class A or B; Child-Pugh status should be calculated based on "
                             "clinical findings and laboratory results during the sorafenib pretreatment period",
                             role="inclusion")
    assert is_fully_compiled(rule)
    assert evaluate_node(rule, PatientFacts(cp("B8"), AS_OF)).status == "met"
    for text in ("There is no age restriction.", "年龄不限", "No restriction about the Eastern Cooperative Oncology Group "
                 "(ECOG) status"):
        assert evaluate_node(compile_criterion(text, role="inclusion"), PatientFacts(make_patient(), AS_OF)).status \
            == "administrative", text
