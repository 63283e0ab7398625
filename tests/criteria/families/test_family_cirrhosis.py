"""A Child-Pugh limit that binds only a cirrhotic liver (issue 10, liver-function family).

"If liver cirrhosis is present, patient must have a Child-Pugh A classification": a patient without
cirrhosis meets it whatever the score; a cirrhotic patient needs Child-Pugh A; without a record of
cirrhosis the answer waits for it (unless the score itself is A, which meets either way).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)
CHILD_PUGH_A5 = {"liver": {"ascites": "none", "encephalopathy": "none", "assessed_on": "2026-05-20"},
                 "labs": [{"analyte": "bilirubin_total", "value": 15, "unit": "umol/L", "date": "2026-05-20"},
                          {"analyte": "albumin", "value": 41, "unit": "g/L", "date": "2026-05-20"},
                          {"analyte": "inr", "value": 1.1, "date": "2026-05-20"}]}
CHILD_PUGH_B8 = {"liver": {"ascites": "mild", "encephalopathy": "none", "assessed_on": "2026-05-20"},
                 "labs": [{"analyte": "bilirubin_total", "value": 38, "unit": "umol/L", "date": "2026-05-20"},
                          {"analyte": "albumin", "value": 32, "unit": "g/L", "date": "2026-05-20"},
                          {"analyte": "inr", "value": 1.2, "date": "2026-05-20"}]}

TEXTS = ["If liver cirrhosis is present, patient must have a Child-Pugh A classification.",
         "No Cirrhosis or cirrhotic status of Child-Pugh class A only"]


def _status(text: str, patient: dict[str, Any]) -> str:
    rule = compile_criterion(text, role="inclusion")
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING)).status


@pytest.mark.parametrize("text", TEXTS)
def test_read_as_no_cirrhosis_or_child_pugh_a(text: str) -> None:
    assert describe(compile_criterion(text, role="inclusion")) == "any of (no cirrhosis; Child-Pugh points in {5,6})"


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"diagnosis": {"cirrhosis": False}, **CHILD_PUGH_B8}, "met", "no cirrhosis: the score does not bind"),
    ({"diagnosis": {"cirrhosis": True}, **CHILD_PUGH_A5}, "met", "cirrhosis, Child-Pugh A5"),
    ({"diagnosis": {"cirrhosis": True}, **CHILD_PUGH_B8}, "not_met", "cirrhosis, Child-Pugh B8"),
    (CHILD_PUGH_B8, "unknown", "B8 but cirrhosis not recorded"),
    (CHILD_PUGH_A5, "met", "A5 meets the criterion with or without cirrhosis"),
])
def test_patients(text: str, patient: dict[str, Any], expected: str, why: str) -> None:
    assert _status(text, patient) == expected, why


def test_a_heading_run_into_the_criterion_is_not_read() -> None:
    text = "No evidence of cirrhosis or cirrhosis grade of Child-Pugh class A or B7. Eligibility"
    assert describe(compile_criterion(text, role="inclusion")) == "any of (no cirrhosis; Child-Pugh points in {5,6,7})"
