"""Laboratory lists (issue 10, labs family): a lead-in and its items, new analytes, and what stays for review.

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
from hcctrials.criteria.families.lablists import is_lab_lead_in
from hcctrials.model.eligibility import NeedsReview, walk
from hcctrials.model.patient import Patient
from hcctrials.units import convert, resolve_analyte

SCREENING = date(2026, 6, 1)


def lab(analyte: str, value: float, unit: str | None = None, *, uln: float | None = None,
        day: str = "2026-05-25") -> dict[str, Any]:
    return {"analyte": analyte, "value": value, "unit": unit, "uln": uln, "date": day}


def status(text: str, patient: dict[str, Any], role: str = "inclusion") -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING)).status


def needs_review(text: str, role: str = "inclusion") -> bool:
    return any(isinstance(n, NeedsReview) for n in walk(compile_criterion(text, role=role)))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- lead-ins

ORGAN_FUNCTION_14_DAYS = (
    "Adequate organ function within 14 days of enrollment defined as:\n"
    "  - Absolute neutrophil count (ANC) >1.5 x 10^9/L\n"
    "  - Hemoglobin > or = 9 g/dL\n"
    "  - Platelets > or = 100 x 10^9/L\n"
    "  - Prothrombin time or international normalized ratio, and partial thromboplastin time (PTT) < or = 1.2 x upper limit of normal (ULN)\n"
    "  - Total bilirubin < or = ULN\n"
    "  - Aspartate aminotransferase (AST) and alanine aminotransferase (ALT) < or = 2.5 x ULN\n"
    "  - Serum creatinine < or = 1.5 mg/dL\n"
    "  - Urine protein to Creatinine Ratio < 1\n"
    "  - Total serum calcium < 12.0 mg/dL")


def _organ_function_labs(day: str = "2026-05-25", calcium: float = 2.3) -> list[dict[str, Any]]:
    return [lab("anc", 2.0, "10^9/L", day=day), lab("hemoglobin", 11.0, "g/dL", day=day),
            lab("platelets", 150, "10^9/L", day=day), lab("inr", 1.05, uln=1.2, day=day),
            lab("aptt", 32, "s", uln=37, day=day), lab("bilirubin_total", 14, "umol/L", uln=21, day=day),
            lab("ast", 60, "U/L", uln=40, day=day), lab("alt", 55, "U/L", uln=40, day=day),
            lab("creatinine", 0.9, "mg/dL", day=day), lab("upcr", 0.2, "mg/mg", day=day),
            lab("calcium", calcium, "mmol/L", day=day)]


def test_organ_function_list_with_calcium_is_met_when_every_item_is_within_its_limit() -> None:
    # INR alone is enough for "prothrombin time or INR"; calcium 2.3 mmol/L is 9.2 mg/dL (< 12.0)
    assert status(ORGAN_FUNCTION_14_DAYS, {"labs": _organ_function_labs()}) == "met"


def test_organ_function_list_fails_on_a_calcium_of_12_8_mg_dl() -> None:
    # 3.2 mmol/L x 4.008 = 12.8 mg/dL: not below 12.0
    assert status(ORGAN_FUNCTION_14_DAYS, {"labs": _organ_function_labs(calcium=3.2)}) == "not_met"


def test_the_lead_in_window_of_14_days_applies_to_every_item() -> None:
    # labs from 22 days before screening do not count: the criterion asks for results within 14 days
    assert status(ORGAN_FUNCTION_14_DAYS, {"labs": _organ_function_labs(day="2026-05-10")}) == "unknown"


def test_the_partial_thromboplastin_time_is_part_of_the_rule() -> None:
    rule = describe(compile_criterion(ORGAN_FUNCTION_14_DAYS, role="inclusion"))
    assert "APTT ≤ 1.2×ULN" in rule and "any of (PT ≤ 1.2×ULN" in rule
    labs = [x for x in _organ_function_labs() if x["analyte"] != "aptt"] + [lab("aptt", 50, "s", uln=37)]
    assert status(ORGAN_FUNCTION_14_DAYS, {"labs": labs}) == "not_met"  # PTT 1.35 x ULN


NUMBERED = ("Adequate bone marrow, liver and renal function as assessed by the following:\n"
            "  1. Hemoglobin > 8.5 g/dl\n  2. Absolute neutrophil count (ANC) > 1,500/mm3\n"
            "  3. Platelet count > 50,000/mm3\n  4. Total bilirubin < 3 mg/dl\n  5. ALT and AST ( < 5 x ULN)\n"
            "  6. Creatinine < 1.5 times ULN")


def test_numbered_items_under_a_lead_in_are_the_rule() -> None:
    good = [lab("hemoglobin", 10.5, "g/dL"), lab("anc", 2.2, "10^9/L"), lab("platelets", 95, "10^9/L"),
            lab("bilirubin_total", 1.4, "mg/dL"), lab("alt", 70, "U/L", uln=40), lab("ast", 88, "U/L", uln=40),
            lab("creatinine", 0.9, "mg/dL", uln=1.2)]
    assert status(NUMBERED, {"labs": good}) == "met"
    anaemic = [x if x["analyte"] != "hemoglobin" else lab("hemoglobin", 8.0, "g/dL") for x in good]
    assert status(NUMBERED, {"labs": anaemic}) == "not_met"  # Hb 8.0 is not above 8.5


HEPATIC_28_DAYS = ("Have adequate hepatic function, as determined by the following tests measured within 28 days prior to "
                   "registration: serum bilirubin ≤ 2 x upper limit of normal (ULN); serum glutamate oxaloacetate "
                   "transaminase (SGOT) or serum glutamate pyruvate transaminase (SGPT) ≤ 5 x the institutional upper "
                   "limit of normal (IULN).")


def test_a_lead_in_inside_the_sentence_gives_its_window_to_the_items() -> None:
    fresh = [lab("bilirubin_total", 1.5, "mg/dL", uln=1.2), lab("ast", 110, "U/L", uln=40), lab("alt", 95, "U/L", uln=40)]
    assert status(HEPATIC_28_DAYS, {"labs": fresh}) == "met"
    old = [dict(x, date="2026-04-20") for x in fresh]  # 42 days old
    assert status(HEPATIC_28_DAYS, {"labs": old}) == "unknown"


def test_sgot_and_sgpt_spelled_out_are_ast_and_alt() -> None:
    rule = describe(compile_criterion(HEPATIC_28_DAYS, role="inclusion"))
    assert "AST ≤ 5×ULN" in rule and "ALT ≤ 5×ULN" in rule


@pytest.mark.parametrize("text", [
    "Adequate organ function as defined below:",
    "Acceptable laboratory parameters, as demonstrated by:",
    "Normal bone marrow and organ function as defined below:",
    "Patients must have normal organ and marrow function as defined below:",
    "The following laboratory parameters:",
    "Adequate bone marrow, liver and renal function as assessed by the following:\n  1",
    "Inadequate organ function:",
])
def test_lab_list_lead_ins(text: str) -> None:
    assert is_lab_lead_in(text)


@pytest.mark.parametrize("text", [
    "Patients with the following conditions:",
    "Hepatocellular carcinoma:",
    "Subject has the following laboratory parameters at screening: ANC >= 1.5",  # items follow the colon
    "Adequate organ function, unless approved by the sponsor:",
])
def test_sentences_that_are_not_lab_lead_ins(text: str) -> None:
    assert not is_lab_lead_in(text)


def test_a_lead_in_alone_is_not_a_rule() -> None:
    assert needs_review("Adequate organ function as defined below:")


# ------------------------------------------------------------------------------------------ analytes

def test_triglycerides_in_mg_dl_against_a_result_in_mmol_l() -> None:
    text = "Triglycerides ≤ 300 mg/dL"
    assert status(text, {"labs": [lab("triglycerides", 150, "mg/dL")]}) == "met"
    assert status(text, {"labs": [lab("triglycerides", 4.0, "mmol/L")]}) == "not_met"  # about 354 mg/dL
    assert status(text, {}) == "unknown"


def test_a_fasting_limit_stays_for_review() -> None:
    # the lab record does not say whether the sample was fasting
    assert needs_review("Fasting serum cholesterol ≤ 350 mg/dL")


def test_granulocyte_count_is_the_neutrophil_count() -> None:
    # CTCAE v3.0 grades "Neutrophils/granulocytes (ANC/AGC)" as one item
    text = "Granulocyte count at least 1,500/mm^3"
    assert status(text, {"labs": [lab("anc", 2.1, "10^9/L")]}) == "met"
    assert status(text, {"labs": [lab("anc", 1.1, "10^9/L")]}) == "not_met"


def test_sodium_in_meq_per_litre() -> None:
    text = ("Renal function: serum creatinine ≤1.2mg/dL Hematologic function: leukocyte count ≥1,500/mm3, platelet count "
            "≥50,000/mm3 Hepatic function: transaminases ≤5x upper limit normal (ULN), albumin ≥2.0g/dL, total bilirubin "
            "≤3.5mg/dL Sodium: ≥130mEq/L")
    good = [lab("creatinine", 1.0, "mg/dL"), lab("wbc", 3.5, "10^9/L"), lab("platelets", 90, "10^9/L"),
            lab("alt", 80, "U/L", uln=40), lab("ast", 90, "U/L", uln=40), lab("albumin", 3.1, "g/dL"),
            lab("bilirubin_total", 2.0, "mg/dL"), lab("sodium", 136, "mmol/L")]
    assert status(text, {"labs": good}) == "met"
    low_sodium = [x if x["analyte"] != "sodium" else lab("sodium", 126, "mmol/L") for x in good]
    assert status(text, {"labs": low_sodium}) == "not_met"


def test_calcium_units() -> None:
    assert resolve_analyte("Serum calcium") == "calcium"
    assert resolve_analyte("ionized calcium") is None  # another quantity
    assert convert(12.0, "mg/dL", "mmol/L", analyte="calcium") == pytest.approx(12.0 / 4.008)
    assert convert(5.0, "mEq/L", "mmol/L", analyte="calcium") == pytest.approx(2.5)  # divalent


def test_ionized_and_corrected_calcium_stay_for_review() -> None:
    assert needs_review("Uncontrolled or symptomatic hypercalcemia (ionized calcium > 1.5 mmol/L, calcium > 12 mg/dL "
                        "or corrected serum calcium > ULN)", role="exclusion")
    assert needs_review("Corrected calcium > 12 mg/dL", role="exclusion")


# ------------------------------------------------------------------------------ what must stay review

def test_at_least_used_for_an_upper_limit_stays_for_review() -> None:
    # "Serum total bilirubin of at least 3 mg/dL" under "Adequate hepatic function": the text meant at most
    text = ("Subject has the following laboratory parameters at screening:\nAdequate hepatic function including:\n"
            "  1. Serum total bilirubin of at least 3 mg/dL")
    assert needs_review(text)


def test_a_lab_named_but_not_read_sends_the_criterion_to_review() -> None:
    # "or PT/APTT within normal limits" is an alternative the rule would drop
    assert needs_review("INR ≤ 1.5 or PT/APTT within normal limits")


def test_a_decimal_comma_is_never_read_as_a_larger_number() -> None:
    assert needs_review("Normal bone marrow function (neutrophils > 1,5 x 10^9/l and platelets > 100 x 10^9/l)")


def test_and_or_between_two_labs_keeps_both() -> None:
    rule = describe(compile_criterion("Aspartate aminotransferase and/or alanine transaminase >5 times upper limit of "
                                      "normal.", role="exclusion"))
    assert rule == "any of (AST > 5×ULN; ALT > 5×ULN)"
    assert status("Aspartate aminotransferase and/or alanine transaminase >5 times upper limit of normal.",
                  {"labs": [lab("ast", 100, "U/L", uln=40), lab("alt", 260, "U/L", uln=40)]}, role="exclusion") == "met"
