"""Lead-ins of laboratory lists (``criteria/families/lablists.py``: ``is_lab_lead_in``,
``split_lab_lead_ins``): a lead-in and its items, the lead-in's window given to every item.

From ``tests/criteria/test_criteria_lab_lists.py`` (10 of its 20 tests; the others are in
``families/test_family_labs.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_malignancy_organs.py`` (1 of its 8 tests; the others are in
``families/test_family_labs.py``, ``families/test_family_malignancy.py``, ``families/test_family_organs.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe, is_fully_compiled
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.families.lablists import is_lab_lead_in
from hcctrials.model import eligibility as E
from helpers_criteria import review_check_for, status_for


SCREENING = date(2026, 6, 1)


def lab(analyte: str, value: float, unit: str | None = None, *, uln: float | None = None,
        day: str = "2026-05-25") -> dict[str, Any]:
    return {"analyte": analyte, "value": value, "unit": unit, "uln": uln, "date": day}


status = status_for("inclusion")


needs_review = review_check_for("inclusion")


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


def test_or_equal_comparators_bullets_and_lead_in_window() -> None:
    text = ("Adequate organ function within 14 days of enrollment defined as:   - Absolute neutrophil count (ANC) >1.5 x 10^9/L"
            "   - Hemoglobin > or = 9 g/dL   - Platelets > or = 100 x 10^9/L")
    node = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(node)
    labs = [n for n in E.walk(node) if n.kind == "lab"]
    assert {n.analyte for n in labs} == {"anc", "hemoglobin", "platelets"}
    assert all(n.look_back_days == 14 for n in labs)
    assert next(n for n in labs if n.analyte == "hemoglobin").comparator == ">="
