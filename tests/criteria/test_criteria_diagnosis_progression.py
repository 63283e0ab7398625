"""Diagnosis routes, metastasis sites and progression or intolerance (issue 10).

Each test: a criterion from a real HCC trial, a patient, the verdict a clinician reads, and why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview, walk
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)


def status(text: str, patient: dict[str, Any], role: str = "inclusion") -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING)).status


def needs_review(text: str, role: str = "inclusion") -> bool:
    return any(isinstance(n, NeedsReview) for n in walk(compile_criterion(text, role=role)))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- diagnosis

AASLD_TEXTS = [
    "Histologically or cytologically confirmed HCC or clinical diagnosis by American Association for the Study of Liver "
    "Diseases (AASLD) criteria in cirrhotic subjects is required. m)",
    "Either histological confirmation or clinical diagnosis by American Association for the Study of Liver Diseases(AASLD) "
    "criteria (see Appendix 1) in cirrhotic subjects is required. For subjects without cirrhosis histological "
    "confirmation is mandatory.",
    "A diagnosis of HCC based on histopathologic findings, or a diagnosis of cirrhosis and a tumor with classical HCC "
    "imaging characteristics.",
]


@pytest.mark.parametrize("text", AASLD_TEXTS)
@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    ({"confirmed_by": "histology", "histology": "hcc", "cirrhosis": False}, "met", "biopsy-proven HCC"),
    ({"confirmed_by": "imaging", "cirrhosis": True}, "met", "typical imaging in a cirrhotic liver (AASLD)"),
    ({"confirmed_by": "clinical", "cirrhosis": True}, "met", "a clinical (imaging-based) diagnosis in cirrhosis"),
    ({"confirmed_by": "imaging", "cirrhosis": False}, "not_met", "non-invasive criteria do not apply without cirrhosis"),
    ({"confirmed_by": "imaging"}, "unknown", "cirrhosis not recorded"),
])
def test_non_invasive_diagnosis_counts_only_in_cirrhosis(text: str, diagnosis: dict[str, Any], expected: str,
                                                         why: str) -> None:
    assert status(text, {"diagnosis": diagnosis}) == expected, why


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


def test_histopathology_of_tumour_tissue() -> None:
    text = "Confirmed HCC based on histopathological findings from tumour tissue"
    assert status(text, {"diagnosis": {"confirmed_by": "histology"}}) == "met"
    assert status(text, {"diagnosis": {"confirmed_by": "imaging"}}) == "not_met"


def test_subtypes_that_are_not_eligible_are_excluded() -> None:
    text = ("Has a HCC diagnosis confirmed by radiology, histology or cytology (fibrolamellar and mixed "
            "hepatocellular/cholangiocarcinoma subtypes are not eligible).")
    assert describe(compile_criterion(text, role="inclusion")) == (
        "all of (diagnosis confirmed by cytology/histology/imaging; not (diagnosis histology combined_hcc_cca/fibrolamellar))")
    assert status(text, {"diagnosis": {"confirmed_by": "histology", "histology": "hcc"}}) == "met"
    assert status(text, {"diagnosis": {"confirmed_by": "histology", "histology": "fibrolamellar"}}) == "not_met"
    assert status(text, {"diagnosis": {"confirmed_by": "histology", "histology": "combined_hcc_cca"}}) == "not_met"


def test_advanced_hcc_is_read_as_bclc_c_or_b_beyond_locoregional_therapy() -> None:
    # 晚期 (advanced): BCLC C (CNLC III), or BCLC B not amenable to / progressed after locoregional therapy
    # (criteria/families/advanced.py; the verdicts are in test_family_advanced_stage.py)
    assert not needs_review("晚期肝细胞肝癌,经组织学/细胞学确诊或符合肝细胞肝癌临床诊断标准。")


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


SITES = "Patients with central nervous system (CNS), bone or peritoneal metastasis"


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"extrahepatic_sites": ["bone"]}, "met", "bone metastasis"),
    ({"extrahepatic_sites": ["peritoneum", "lung"]}, "met", "peritoneal metastasis"),
    ({"cns_metastasis": True}, "met", "brain metastasis"),
    ({"extrahepatic_spread": True, "lymph_node_metastasis": True, "distant_metastasis": False, "cns_metastasis": False},
     "not_met", "nodal disease only"),
    ({"extrahepatic_sites": ["lung"]}, "unknown", "lung metastases; brain, bone and peritoneum not stated as examined"),
    ({}, "unknown", "no staging recorded"),
])
def test_metastasis_sites_are_any_of_the_sites(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(SITES, {"tumour": tumour}, role="exclusion") == expected, why


def test_cns_or_brain_is_one_site_left_to_the_cns_reading() -> None:
    # the qualifier after the noun ("symptomatic or untreated") must stay part of the rule
    rule = describe(compile_criterion("Known central nervous system (CNS) or brain metastasis that is either symptomatic "
                                      "or untreated", role="exclusion"))
    assert rule.startswith("tumour: cns_metastasis_active ")


def test_a_site_the_model_cannot_name_stays_for_review() -> None:
    assert needs_review("Visceral, bone or diffuse metastases.", role="exclusion")


# --------------------------------------------------------------------------- progression or intolerance

PROGRESSION_OR_INTOLERANCE = ("Has documented objective radiographic progression during or after treatment with sorafenib "
                              "or intolerance to sorafenib.")


def _sorafenib(**line: Any) -> dict[str, Any]:
    return {"treatments": [{"kind": "systemic", "agents": ["sorafenib"], "start": "2025-06-01", **line}]}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_sorafenib(end="2026-03-01", progression_date="2026-02-20", stop_reason="progression"), "met", "progressed on it"),
    (_sorafenib(end="2025-08-01", stop_reason="toxicity"), "met", "stopped for toxicity: intolerance"),
    ({"history_reviewed": True, "treatments": [{"kind": "locoregional", "regimen": "TACE", "start": "2025-06-01",
                                                "end": "2025-06-01"}]}, "not_met", "never had sorafenib"),
    (_sorafenib(ongoing=True), "unknown", "still on sorafenib, no progression documented yet"),
    (_sorafenib(end="2025-12-01"), "unknown", "stopped, reason not recorded"),
    (_sorafenib(end="2025-12-01", stop_reason="completed"), "unknown",
     "stopped as planned: not intolerance, and progression is not documented"),
])
def test_progression_on_or_intolerance_to_sorafenib(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(PROGRESSION_OR_INTOLERANCE, patient) == expected, why


def test_intolerance_to_another_drug_is_not_this_reading() -> None:
    assert needs_review("Has documented radiographic progression during or after treatment with sorafenib or intolerance "
                        "to lenvatinib.")


def test_chemotherapy_including_sorafenib_stays_for_review() -> None:
    assert needs_review("Radiographic progression is confirmed during or after systemic chemotherapy including sorafenib, "
                        "or those who are intolerance to the chemotherapy.")
