"""Organ-function and laboratory criteria read in issue 10, session 6 (families/labs.py, labs_unless.py,
endocrine.py, liver_notes.py, history.py transplant terms).

Each criterion is quoted exactly from its HCC record (trial id, role, number); the patients are small partial
records screened on 2026-06-01 (helpers_criteria.SCREENING).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import review_check_for, status_for

from hcctrials.criteria import compile_criterion, describe

status = status_for("inclusion")
needs_review = review_check_for("inclusion")

# NCT00351195 inclusion 5 (a decimal comma)
MARROW = "Normal bone marrow function (neutrophiles > 1,5 x 109/l and platelets > 100 x 109/l)"
# NCT03253289 inclusion 6
ORGANS = ("Patients must have normal organ and marrow function as defined below, within 21 days of registration: Leukocytes "
          "greater than 3,000/mcL; ANC greater than 1,500/mcL; Platelets greater than 50,000/mcL; Hemoglobin greater "
          "than/equal to 8 g/dL; ALT(SGPT) less than/equal to 5X IULN and AST (SGOT) less than/equal to 5X IULN; Creatinine "
          "less than/equal to 2X IULN or Creatinine clearance greater than 60 mL/min for patients with creatinine levels "
          "greater than IULN; Child Pugh Class A (5-6 points) or B (7 points); INR less than/equal to 2.3; Albumin greater "
          "than 2.8 g/dL; Total bilirubin less than/equal to 3X IULN.")
# NCT01306058 exclusion 4
PROTEINURIA = ("Proteinuria, as demonstrated by a 24-hour protein of greater than or equal to 2000 mg. Urine protein will be "
               "screened by urine protein-creatinine ratio (UPC). For UPC ratio greater than 1.0, a 24-hour urine protein "
               "will need to be obtained and the level should be less than 2000 mg for patient enrollment.")
# NCT00387348 inclusion 10
THYROID = "No clinical or laboratory evidence of hypothyroidism"
# NCT01335074 exclusion 13
DIABETES = "Uncontrolled diabetes"
# NCT01005199 inclusion 24
ENCEPHALOPATHY = "No encephalopathy"
# NCT00619541 exclusion 15
AUTOLOGOUS = "Autologous bone marrow transplant or stem cell rescue within 4 months of study entry."

DAY = "2026-05-20"


def _lab(analyte: str, value: float, unit: str | None = None, uln: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"analyte": analyte, "value": value, "date": DAY}
    if unit:
        out["unit"] = unit
    if uln is not None:
        out["uln"] = uln
    return out


@pytest.mark.parametrize(("anc", "platelets", "expected"), [
    (2.1, 160, "met"), (1.2, 160, "not_met"), (1.5, 160, "not_met"), (2.1, 90, "not_met"), (2.1, None, "unknown")])
def test_decimal_comma_is_a_decimal_point(anc: float, platelets: float | None, expected: str) -> None:
    # "1,5" is 1.5 (thousands are grouped by three digits): a neutrophil count of 1.2 fails, 15 is never the limit
    labs = [_lab("anc", anc, "10^9/L")] + ([_lab("platelets", platelets, "10^9/L")] if platelets else [])
    assert status(MARROW, {"labs": labs}) == expected


def test_thousands_comma_unchanged() -> None:
    assert describe(compile_criterion("ANC > 1,500/mm3", role="inclusion")) == "ANC > 1500 /mm3"


def _organ_patient(creatinine: float, clearance: float | None = None, platelets: float = 120) -> dict[str, Any]:
    labs = [_lab("wbc", 5.2, "10^9/L"), _lab("anc", 3.1, "10^9/L"), _lab("platelets", platelets, "10^9/L"),
            _lab("hemoglobin", 12.5, "g/dL"), _lab("alt", 40, "U/L", 40), _lab("ast", 52, "U/L", 40),
            _lab("creatinine", creatinine, "mg/dL", 1.2), _lab("inr", 1.1), _lab("albumin", 3.8, "g/dL"),
            _lab("bilirubin_total", 1.0, "mg/dL", 1.2)]
    if clearance is not None:
        labs.append(_lab("creatinine_clearance", clearance, "mL/min"))
    return {"diagnosis": {"cirrhosis": True, "histology": "hcc", "confirmed_by": "histology"},
            "liver": {"assessed_on": DAY, "ascites": "none", "encephalopathy": "none"}, "labs": labs}


def test_clearance_scope_adds_no_requirement() -> None:
    assert not needs_review(ORGANS)
    assert "any of (creatinine ≤ 2×ULN (within 21 d); creatinine clearance > 60 mL/min (within 21 d))" in \
        describe(compile_criterion(ORGANS, role="inclusion"))
    assert status(ORGANS, _organ_patient(0.9)) == "met"  # normal creatinine: no clearance needed
    assert status(ORGANS, _organ_patient(2.7, clearance=65)) == "met"  # creatinine above 2 x ULN, clearance above 60
    assert status(ORGANS, _organ_patient(2.7, clearance=45)) == "not_met"
    assert status(ORGANS, _organ_patient(2.7)) == "unknown"
    assert status(ORGANS, _organ_patient(0.9, platelets=40)) == "not_met"


def test_clearance_scope_with_a_gap_is_not_folded() -> None:
    # creatinine 1.0-1.5 x ULN is covered by neither branch: the scope stays a requirement (and the guard sends it
    # to review), never dropped
    assert needs_review("Creatinine ≤ 1 x ULN or creatinine clearance ≥ 60 mL/min for patients with creatinine levels > "
                        "1.5 x ULN")


@pytest.mark.parametrize(("labs", "expected"), [
    ([("upcr", 0.4, "mg/mg")], "not_met"),
    ([("upcr", 1.6, "mg/mg"), ("urine_protein_24h", 2600, "mg/24h")], "met"),
    ([("upcr", 1.6, "mg/mg"), ("urine_protein_24h", 1200, "mg/24h")], "not_met"),
    ([("upcr", 1.6, "mg/mg")], "unknown"),
    ([], "unknown"),
])
def test_proteinuria_screened_by_upc(labs: list[tuple[str, float, str]], expected: str) -> None:
    patient = {"labs": [_lab(a, v, u) for a, v, u in labs]}
    assert status(PROTEINURIA, patient, role="exclusion") == expected


def test_hypothyroidism_clinical_or_laboratory() -> None:
    treated = {"history_reviewed": True, "labs": [_lab("tsh", 2.1, "mIU/L", 4.5)],
               "conditions": [{"code": "hypothyroidism", "name": "Hashimoto on levothyroxine", "status": "controlled"}]}
    assert status(THYROID, treated) == "met"
    assert status(THYROID, {"history_reviewed": True, "labs": [_lab("tsh", 9.8, "mIU/L", 4.5)]}) == "not_met"
    assert status(THYROID, {"conditions": [{"code": "hypothyroidism", "status": "active"}]}) == "not_met"
    assert status(THYROID, {"history_reviewed": True}) == "unknown"  # no TSH: the laboratory half is open


def test_uncontrolled_diabetes_is_the_recorded_status() -> None:
    assert status(DIABETES, {"conditions": [{"code": "diabetes", "status": "active"}]}, role="exclusion") == "met"
    assert status(DIABETES, {"history_reviewed": True, "conditions": [{"code": "diabetes", "status": "controlled"}]},
                  role="exclusion") == "not_met"
    assert status(DIABETES, {"conditions": [{"code": "diabetes"}]}, role="exclusion") == "unknown"


@pytest.mark.parametrize("text", [
    "Presence of uncontrolled diabetes, defined as glycated hemoglobin (Hb1Ac) ≥ 8.0",  # NCT02210182 exclusion 1
    "History of uncontrolled diabetes mellitus and hypertension.",  # the qualifier may cover the next item; a past episode
])
def test_diabetes_defined_otherwise_stays_for_review(text: str) -> None:
    assert needs_review(text, role="exclusion")


def test_no_encephalopathy_now() -> None:
    assert status(ENCEPHALOPATHY, {"liver": {"assessed_on": DAY, "encephalopathy": "grade_1_2"}}) == "not_met"
    assert status(ENCEPHALOPATHY, {"history_reviewed": True, "liver": {"assessed_on": DAY, "encephalopathy": "none"}}) == "met"
    past = {"history_reviewed": True, "liver": {"assessed_on": DAY, "encephalopathy": "none"},
            "conditions": [{"code": "hepatic_encephalopathy", "status": "resolved", "onset": "2024-02-01",
                            "resolved_on": "2024-02-10"}]}
    assert status(ENCEPHALOPATHY, past) == "met"
    assert status(ENCEPHALOPATHY, {}) == "unknown"


def test_autologous_transplant_within_four_months() -> None:
    assert describe(compile_criterion(AUTOLOGOUS, role="exclusion")) == \
        "history: autologous_stem_cell_transplant (ever) within 120 d"
    recent = {"conditions": [{"code": "autologous_stem_cell_transplant", "onset": "2026-03-10"}]}
    assert status(AUTOLOGOUS, recent, role="exclusion") == "met"
    old = {"history_reviewed": True, "conditions": [{"code": "autologous_stem_cell_transplant", "onset": "2025-06-01"}]}
    assert status(AUTOLOGOUS, old, role="exclusion") == "not_met"
    # a recent stem cell transplant of unrecorded kind may have been autologous
    unsure = {"history_reviewed": True, "conditions": [{"code": "stem_cell_transplant", "onset": "2026-04-01"}]}
    assert status(AUTOLOGOUS, unsure, role="exclusion") == "unknown"
    allo = {"history_reviewed": True, "conditions": [{"code": "stem_cell_transplant", "name": "allogeneic HSCT",
                                                      "onset": "2026-04-01"}]}
    assert status(AUTOLOGOUS, allo, role="exclusion") == "not_met"


# NCT01306058 inclusion 10
NCI_LIST = ("Patients must have normal organ and marrow function as defined below:\n"
            "  - Absolute neutrophil count greater than or equal to 1,500/mcL\n"
            "  - Platelets greater than or equal to 60,000/mcL without transfusion support within the past 30 days\n"
            "  - Total bilirubin less than or equal to 3 mg/dl.\n"
            "  - Aspartate aminotransaminase (AST)/alanine aminotransaminase (ALT) less than or equal to 10 times upper limit of "
            "normal\n"
            "  - Creatinine less than or equal to 1.5 times upper normal limits OR creatinine clearance greater than or equal "
            "to 40mL/min/1.73 m^2 for patients with creatinine levels above institutional normal, as calculated by the "
            "Cockcroft Gault formula.")


def _nci_patient(**extra: Any) -> dict[str, Any]:
    labs = [_lab("anc", 2.4, "10^9/L"), _lab("platelets", 85, "10^9/L"), _lab("bilirubin_total", 1.8, "mg/dL", 1.2),
            _lab("ast", 180, "U/L", 40), _lab("alt", 150, "U/L", 40), _lab("creatinine", 1.0, "mg/dL", 1.2)]
    return {"labs": labs, **extra}


def test_platelets_without_recent_transfusion() -> None:
    assert not needs_review(NCI_LIST)
    assert status(NCI_LIST, _nci_patient(history_reviewed=True)) == "met"
    transfused = _nci_patient(concomitant_medications=[{"name": "platelet transfusion", "start": "2026-05-22"}])
    assert status(NCI_LIST, transfused) == "not_met"
    assert status(NCI_LIST, _nci_patient()) == "unknown"  # transfusions not reviewed


def test_transfusion_without_a_window_is_not_read() -> None:
    # NCT05482516: "Platelet count >= 75 x 10^9/L (75,000/uL) without transfusion": no window to check it against
    assert needs_review("Platelet count ≥ 75 x 10^9/L (75,000/uL) without transfusion")


def test_upper_normal_limits_and_aminotransaminase_names() -> None:
    assert describe(compile_criterion("Creatinine less than or equal to 1.5 times upper normal limits", role="inclusion")) == \
        "creatinine ≤ 1.5×ULN"
    assert describe(compile_criterion("Aspartate aminotransaminase (AST)/alanine aminotransaminase (ALT) less than or equal "
                                      "to 10 times upper limit of normal", role="inclusion")) == "all of (AST ≤ 10×ULN; ALT ≤ 10×ULN)"


# NCT02210182 exclusion 5
PANCREATITIS = "Current or recent (< 2 years) history of pancreatitis"


def test_current_or_recent_pancreatitis() -> None:
    assert describe(compile_criterion(PANCREATITIS, role="exclusion")) == "history: pancreatitis (ever) within 730 d"
    recent = {"conditions": [{"code": "pancreatitis", "status": "resolved", "onset": "2025-03-10", "resolved_on": "2025-03-25"}]}
    assert status(PANCREATITIS, recent, role="exclusion") == "met"
    chronic = {"conditions": [{"code": "pancreatitis", "name": "chronic pancreatitis", "status": "controlled",
                               "onset": "2015-01-01"}]}
    assert status(PANCREATITIS, chronic, role="exclusion") == "met"  # still present: current
    old = {"history_reviewed": True, "conditions": [{"code": "pancreatitis", "status": "resolved", "onset": "2019-06-01",
                                                     "resolved_on": "2019-06-15"}]}
    assert status(PANCREATITIS, old, role="exclusion") == "not_met"


def test_child_pugh_classes_restated_by_points() -> None:
    # NCT00791544 exclusion 2, item "Liver cirrhosis Child Pugh B or C (score > 6)": the points restate B or C
    assert describe(compile_criterion("Liver cirrhosis Child Pugh B or C (score > 6)", role="exclusion")).startswith(
        "Child-Pugh points in {7,8,9,10,11,12,13,14,15}")
    # points that do not restate the classes are not folded (B7 would be dropped): left for review
    assert needs_review("Child Pugh B or C (score > 7)", role="exclusion")


@pytest.mark.parametrize(("value", "expected"), [(9.1, "met"), (8.0, "not_met"), (6.5, "not_met"), (None, "unknown")])
def test_hba1c_above_eight_percent(value: float | None, expected: str) -> None:
    # NCT00791544 exclusion 2, item "HbA1C > 8%"
    patient = {"labs": [] if value is None else [_lab("hba1c", value, "%")]}
    assert status("HbA1C > 8%", patient, role="exclusion") == expected


def test_hba1c_without_a_unit_is_not_guessed() -> None:
    # NCT02210182 exclusion 1: "≥ 8.0" with no unit stays for review (labs.py never guesses a unit)
    assert needs_review("Presence of uncontrolled diabetes, defined as glycated hemoglobin (Hb1Ac) ≥ 8.0", role="exclusion")


# NCT05482516 exclusion 38
HYPERCALCAEMIA = ("Uncontrolled or symptomatic hypercalcemia (ionized calcium > 1.5 mmol/L, calcium > 12 mg/dL or corrected "
                  "serum calcium > ULN)")


@pytest.mark.parametrize(("labs", "expected"), [
    ([("calcium_ionised", 1.62, "mmol/L", None)], "met"),
    ([("calcium", 12.4, "mg/dL", None)], "met"),
    ([("calcium", 9.9, "mg/dL", None), ("calcium_corrected", 10.9, "mg/dL", 10.5)], "met"),
    ([("calcium", 9.4, "mg/dL", None), ("calcium_ionised", 1.2, "mmol/L", None), ("calcium_corrected", 9.6, "mg/dL", 10.5)],
     "not_met"),
    # a normal total calcium says nothing about the albumin-corrected value: undecided
    ([("calcium", 9.4, "mg/dL", None)], "unknown"),
])
def test_hypercalcaemia_by_any_of_its_limits(labs: list[tuple[str, float, str, float | None]], expected: str) -> None:
    patient = {"labs": [_lab(a, v, u, uln) for a, v, u, uln in labs]}
    assert status(HYPERCALCAEMIA, patient, role="exclusion") == expected
