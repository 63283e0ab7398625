"""Diagnosis routes, disease setting and measurable disease read as a whole (issue 10, session 6).

Readers: criteria/families/diagnosis_hcc.py (routes, "advanced or metastatic and/or unresectable"), advanced.py
(read_setting_criterion), extent.py (read_measurable_criterion), admin.py (who confirms a finding: a qualifier of the
clinical requirement, not a requirement of its own).  Screening date 2026-06-01 (helpers_criteria.SCREENING).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict, status_for

from hcctrials.criteria import compile_criterion, describe
from hcctrials.model.eligibility import Administrative, NeedsReview, walk

status = status_for("inclusion")

# NCT01308723 inclusion 2
ADV_MET_UNRES = "Advanced or metastatic and/or unresectable hepatocellular carcinoma"
# NCT02291133 inclusion 6
PLC_ROUTES = ("Histologically confirmed primary liver cancer and/or based on radiological imaging laboratory tests confirmed "
              "primary liver cancer by multidisciplinary team for liver tumors.")
# NCT01306058 inclusion 3
CARCINOMA_SUGGESTIVE = ("histopathological confirmation of carcinoma in the setting of clinical and radiological "
                        "characteristics which, together with the pathology, are highly suggestive of a diagnosis of HCC.")
# NCT01348503 inclusion 1
CLINICAL_OR_PATH = ("Clinical or pathological diagnosis of unresectable hepatocellular carcinoma (HCC) based on radiologic "
                    "criteria, elevated alpha fetoprotein and/or tissue biopsy")
# NCT02576509 inclusion 2
ADVANCED_NOT_ELIGIBLE_OR_PD = ("Histologically confirmed advanced hepatocellular carcinoma, not eligible for surgical and/or "
                               "locoregional therapies; or progressive disease after surgical and /or locoregional therapies")
# NCT00105443 inclusion 4
BOTH_CRITERIA = ("Patients must have at least one tumor lesion that meets both of the following criteria: (1) Accurately "
                 "measured in at least one dimension according to RECIST (Response Evaluation Criteria in Solid Tumors) "
                 "(2) Not previously treated with local therapy")
# NCT00516165 inclusion 2 (the source's "teh")
UNIRRADIATED = ("At least one measurable site of disease according to RECIST criteria that has not been previously irradiated. "
                "If it has had previous radiation to teh marker lesion(s), there must be evidence of progression since the "
                "radiation")
# NCT01306058 inclusion 15
MAY_HAVE = "Patients may have measurable or evaluable disease only."
# NCT02702401 inclusion 5, NCT01258608 inclusion 4; NCT03253289 inclusion 2
CENTRAL_VENDOR = "Has at least one measurable lesion based on RECIST 1.1 as confirmed by the blinded central imaging vendor."
BICR = "Radiologic eligibility (measurable disease) must be must be confirmed by the BICR prior to randomization."
BASELINE_8W = ("Patients must have measurable disease, defined as tumor mass which is >10 mm with spiral CT scan or MRI. "
               "Baseline imaging scan must be within 8 weeks of registration.")

SPREAD = {"extrahepatic_spread": True, "extrahepatic_sites": ["lung"]}
CONFINED = {"extrahepatic_spread": False, "nodule_count": 1, "pvtt": "vp0", "vascular_invasion": False}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"ecog": 3, "diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": True}, "tumour": SPREAD},
     "met", "metastatic (lung) is one alternative, whatever the BCLC stage (ECOG 3 makes it D, not 'advanced')"),
    ({"diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": False}, "tumour": CONFINED},
     "met", "unresectable is another alternative"),
    ({"ecog": 0, "diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": True, "bclc_stage": "A"},
      "tumour": CONFINED}, "not_met", "resectable early HCC confined to the liver: none of the three"),
    ({"diagnosis": {"histology": "hcc"}}, "unknown", "resectability and spread not recorded"),
])
def test_advanced_or_metastatic_or_unresectable(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(ADV_MET_UNRES, patient) == expected, why


def test_stacked_adjectives_are_not_alternatives() -> None:
    """NCT02989870 inclusion 1: "Advanced, unresectable HCC" is both, not either: never read as any of."""
    rule = compile_criterion("Advanced, unresectable hepatocellular carcinoma (unsuitable for resection, transplant or "
                             "ablation)", role="inclusion")
    assert any(isinstance(n, NeedsReview) for n in walk(rule)), describe(rule)


@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    ({"confirmed_by": "imaging", "histology": "hcc"}, "met", "the imaging (and laboratory) route"),
    ({"confirmed_by": "histology", "histology": "cholangiocarcinoma"}, "met",
     "any primary liver cancer (the trial takes cholangiocarcinoma too)"),
    ({"confirmed_by": "cytology", "histology": "hcc"}, "unknown",
     "cytology is not histology; whether imaging alone was diagnostic is not recorded"),
    ({"histology": "hcc"}, "unknown", "how it was confirmed is not recorded"),
])
def test_primary_liver_cancer_by_histology_or_imaging(diagnosis: dict[str, Any], expected: str, why: str) -> None:
    assert status(PLC_ROUTES, {"diagnosis": diagnosis}) == expected, why


@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    ({"confirmed_by": "histology", "histology": "hcc"}, "met", "biopsy-proven HCC"),
    ({"confirmed_by": "imaging", "histology": "hcc"}, "not_met", "no tissue: this route needs histopathology"),
    ({"confirmed_by": "histology", "histology": "cholangiocarcinoma"}, "not_met",
     "a carcinoma that is not suggestive of HCC"),
])
def test_carcinoma_highly_suggestive_of_hcc(diagnosis: dict[str, Any], expected: str, why: str) -> None:
    assert status(CARCINOMA_SUGGESTIVE, {"diagnosis": diagnosis}) == expected, why


@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    ({"confirmed_by": "clinical", "histology": "hcc", "resectable": False}, "met", "clinical diagnosis, unresectable"),
    ({"confirmed_by": "histology", "histology": "hcc", "resectable": True}, "not_met", "resectable"),
    ({"confirmed_by": "imaging", "histology": "hcc"}, "unknown", "resectability not recorded"),
])
def test_clinical_or_pathological_unresectable(diagnosis: dict[str, Any], expected: str, why: str) -> None:
    assert status(CLINICAL_OR_PATH, {"diagnosis": diagnosis}) == expected, why


def test_advanced_not_eligible_or_progressed_the_rule() -> None:
    text = describe(compile_criterion(ADVANCED_NOT_ELIGIBLE_OR_PD, role="inclusion"))
    assert "any of (all of (not (candidate for curative resection); not (candidate for locoregional therapy" in text
    assert "prior therapy: kinds surgery/locoregional; given to the liver, with progression" in text


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"ecog": 1, "diagnosis": {"confirmed_by": "histology", "histology": "hcc", "bclc_stage": "C", "resectable": False,
                               "locoregional_candidate": False},
      "tumour": {"nodule_count": 3, "pvtt": "vp3", "vascular_invasion": True}}, "met",
     "BCLC C, eligible neither for surgery nor for locoregional therapy"),
    ({"ecog": 1, "diagnosis": {"confirmed_by": "histology", "histology": "hcc", "bclc_stage": "C", "resectable": False,
                               "locoregional_candidate": True},
      "tumour": {"nodule_count": 3, "pvtt": "vp3", "vascular_invasion": True}, "history_reviewed": True},
     "not_met", "still a candidate for TACE and no progression after local therapy"),
    ({"ecog": 1, "diagnosis": {"confirmed_by": "imaging", "histology": "hcc", "bclc_stage": "C", "resectable": False,
                               "locoregional_candidate": False},
      "tumour": {"nodule_count": 3, "pvtt": "vp3", "vascular_invasion": True}}, "not_met",
     "not histologically confirmed"),
])
def test_advanced_not_eligible_or_progressed(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(ADVANCED_NOT_ELIGIBLE_OR_PD, patient) == expected, why


UNTREATED_LESION = {"lesions": [{"site": "liver", "longest_diameter_mm": 32, "locally_treated": False}]}
TACE_ONLY = {"lesions": [{"site": "liver", "longest_diameter_mm": 32, "locally_treated": True,
                          "progressed_after_local_therapy": False}]}
TREATED_PROGRESSED = {"lesions": [{"site": "liver", "longest_diameter_mm": 32, "locally_treated": True,
                                   "progressed_after_local_therapy": True}]}


@pytest.mark.parametrize("text", [BOTH_CRITERIA, UNIRRADIATED])
@pytest.mark.parametrize(("tumour", "expected", "why"), [
    (UNTREATED_LESION, "met", "a 32 mm liver lesion never treated locally"),
    (TACE_ONLY, "not_met", "the only lesion was treated locally and has not progressed since"),
    (TREATED_PROGRESSED, "met", "treated, but progressed since (RECIST 1.1: measurable again)"),
    ({"nodule_count": 2}, "unknown", "no lesion sizes or treatment history of the lesions"),
])
def test_measurable_lesion_not_treated_locally(text: str, tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(text, {"tumour": tumour}) == expected, why


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"measurable_disease": False, "nodule_count": 2}, "met", "non-measurable (evaluable) disease is enough"),
    ({"measurable_disease": True}, "met", "measurable disease"),
    ({"nodule_count": 0, "extrahepatic_spread": False}, "not_met", "no tumour left"),
])
def test_measurable_or_evaluable_disease_only(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(MAY_HAVE, {"tumour": tumour}) == expected, why


def test_a_strict_size_definition_is_not_recist() -> None:
    """NCT03253289 inclusion 2: "> 10 mm" excludes the 10 mm lesion RECIST 1.1 counts: left for review."""
    rule = compile_criterion(BASELINE_8W, role="inclusion")
    assert any(isinstance(n, NeedsReview) for n in walk(rule)), describe(rule)


@pytest.mark.parametrize("text", [CENTRAL_VENDOR, BICR])
@pytest.mark.parametrize(("tumour", "expected"), [
    ({"measurable_disease": True}, "met"), ({"measurable_disease": False}, "not_met"), ({}, "unknown")])
def test_who_confirms_measurable_disease_does_not_replace_it(text: str, tumour: dict[str, Any], expected: str) -> None:
    """The central review (or the age of the baseline scan) is the site's procedure; the patient must still have
    measurable disease, and the rule is exactly that (never an administrative note that could not block)."""
    rule = compile_criterion(text, role="inclusion")
    assert describe(rule) == "tumour: measurable_disease"
    assert screening_verdict(text, {"tumour": tumour}, role="inclusion")[0] == expected


@pytest.mark.parametrize("text", [
    "Baseline imaging scan must be within 8 weeks of registration.",
    "Patient must be discussed at the multidisciplinary team for liver tumors before entering the trial.",  # NCT02291133 i13
    "Consultation with interventional radiologist and deemed an appropriate candidate for TARE.",  # NCT02288507 i6
])
def test_procedures_alone_are_administrative(text: str) -> None:
    assert isinstance(compile_criterion(text, role="inclusion"), Administrative)


# NCT02323906 inclusion 4 (the record's ".Stage" without a space)
UNRESECTABLE_B_OR_C = ("Subject has unresectable stage B (intermediate), or C (advanced) Hepatocellular carcinoma according to "
                       "the Barcelona Clinic Liver Cancer staging.Stage B subjects must have progressed after, or are not "
                       "eligible for curative resection, transplantation, embolic, or ablative therapies")
STAGE_B = {"nodule_count": 5, "largest_diameter_cm": 4.0, "vascular_invasion": False, "pvtt": "vp0",
           "extrahepatic_spread": False}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"ecog": 0, "diagnosis": {"histology": "hcc", "bclc_stage": "B", "resectable": False, "transplant_candidate": False,
                               "locoregional_candidate": False}, "tumour": STAGE_B}, "met",
     "stage B eligible for none of the listed therapies"),
    ({"ecog": 0, "diagnosis": {"histology": "hcc", "bclc_stage": "B", "resectable": False, "locoregional_candidate": True},
      "tumour": STAGE_B, "history_reviewed": True,
      "treatments": [{"kind": "locoregional", "agents": ["tace"], "start": "2025-09-01", "end": "2025-09-01",
                      "progression_date": "2026-02-01"}]}, "met", "stage B that progressed after TACE"),
    ({"ecog": 0, "diagnosis": {"histology": "hcc", "bclc_stage": "B", "resectable": False, "locoregional_candidate": True},
      "tumour": STAGE_B, "history_reviewed": True}, "not_met", "stage B still amenable to TACE, never treated"),
    ({"ecog": 1, "diagnosis": {"histology": "hcc", "bclc_stage": "C", "resectable": True},
      "tumour": {"nodule_count": 1, "pvtt": "vp2", "vascular_invasion": True}}, "not_met", "resectable"),
])
def test_unresectable_b_or_c(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(UNRESECTABLE_B_OR_C, patient) == expected, why


# NCT00516165 inclusion 1 ("of" is the record's typing of "or")
CORE_BIOPSY = ("Unresectable of metastatic HCC. Patients must have prior core biopsy to confirm the diagnosis of HCC and have "
               "archived tissues available for correlative studies")


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": True},
      "tumour": {"extrahepatic_spread": True, "extrahepatic_sites": ["lung"]}}, "met", "metastatic, biopsy-proven"),
    ({"diagnosis": {"confirmed_by": "imaging", "histology": "hcc", "resectable": False}}, "not_met",
     "unresectable, but no biopsy: the criterion asks for a tissue diagnosis"),
    ({"diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": True},
      "tumour": {"extrahepatic_spread": False}}, "not_met", "resectable and confined to the liver"),
    ({"diagnosis": {"confirmed_by": "histology", "histology": "hcc"}}, "unknown", "resectability and spread not recorded"),
])
def test_unresectable_or_metastatic_with_core_biopsy(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(CORE_BIOPSY, patient) == expected, why


# NCT01005199 inclusion 2 (bullets of one criterion)
CONFIRMED_LOCALIZED = ("Histologically, cytologically, or radiologically confirmed hepatocellular carcinoma (HCC)\n"
                       "  - Localized, unresectable, or metastatic disease\n"
                       "  - Child-Pugh class A or mildly decompensated Child-Pugh class B liver dysfunction (Child-Pugh score ≤ 7)\n"
                       "  - Stage B or C disease according to the Barcelona Clinic Liver Cancer (BCLC) staging classification")
CP_B8_LABS = [{"analyte": "bilirubin_total", "value": 55, "unit": "umol/L", "date": "2026-05-25"},  # 3.2 mg/dL: 3 points
              {"analyte": "albumin", "value": 30, "unit": "g/L", "date": "2026-05-25"},
              {"analyte": "inr", "value": 1.0, "date": "2026-05-25"}]
CP_A5_LABS = [{"analyte": "bilirubin_total", "value": 12, "unit": "umol/L", "date": "2026-05-25"},
              {"analyte": "albumin", "value": 42, "unit": "g/L", "date": "2026-05-25"},
              {"analyte": "inr", "value": 1.0, "date": "2026-05-25"}]


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"ecog": 0, "diagnosis": {"confirmed_by": "imaging", "histology": "hcc", "bclc_stage": "B"}, "labs": CP_A5_LABS,
      "liver": {"ascites": "none", "encephalopathy": "none"}, "tumour": STAGE_B}, "met",
     "radiological diagnosis, localized (no spread), Child-Pugh A5, BCLC B"),
    ({"ecog": 0, "diagnosis": {"confirmed_by": "imaging", "histology": "hcc", "bclc_stage": "B"}, "labs": CP_B8_LABS,
      "liver": {"ascites": "none", "encephalopathy": "none"}, "tumour": STAGE_B}, "not_met",
     "Child-Pugh B8 is beyond 'mildly decompensated (score <= 7)'"),
])
def test_localized_unresectable_or_metastatic_is_any_disease(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(CONFIRMED_LOCALIZED, patient) == expected, why


# NCT02989870 exclusion 5: the sum of the nodules' largest diameters (a conglomerate is one nodule of the sum)
SUM_20 = "Total maximal sum of hepatocellular carcinomas or a single conglomerate HCC > 20 cm"


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"nodule_count": 3, "nodule_diameters_cm": [8, 7, 6.5]}, "met", "8 + 7 + 6.5 = 21.5 cm"),
    ({"nodule_count": 2, "nodule_diameters_cm": [8, 7]}, "not_met", "15 cm in all"),
    ({"nodule_count": 1, "largest_diameter_cm": 22}, "met", "a single 22 cm conglomerate"),
    ({"nodule_count": 4, "largest_diameter_cm": 4}, "not_met", "four nodules of at most 4 cm: at most 16 cm"),
    ({"nodule_count": 4, "largest_diameter_cm": 9}, "unknown", "9 to 36 cm: the other three diameters decide"),
    ({"nodule_count": 3, "nodule_diameters_cm": [12, 7]}, "unknown", "one of three nodules not measured: 19 cm or more"),
])
def test_sum_of_diameters(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert screening_verdict(SUM_20, {"tumour": tumour}, role="exclusion")[0] == expected, why
