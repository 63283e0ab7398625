"""Body weight thresholds (issue 10, "recall that matters": body weight)."""

from __future__ import annotations

from datetime import date

import pytest

from hcctrials.criteria import describe
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient


@pytest.mark.parametrize(("text", "rule"), [
    ("Body weight >30 kg", "body weight > 30 kg"),
    ("体重≥40kg", "body weight >= 40 kg"),
    ("Weight at least 45 kg", "body weight >= 45 kg"),
])
def test_read(text: str, rule: str) -> None:
    assert describe(compile_criterion(text, role="inclusion")) == rule


def test_a_weight_in_pounds_is_not_converted_silently() -> None:
    assert describe(compile_criterion("Body weight > 66 lb", role="inclusion")).startswith("NEEDS REVIEW")


@pytest.mark.parametrize(("weight", "expected"), [(52.0, "met"), (30.0, "not_met"), (None, "unknown")])
def test_a_patient_of_52_kg_meets_more_than_30_kg(weight: float | None, expected: str) -> None:
    rule = compile_criterion("Body weight >30 kg", role="inclusion")
    patient = Patient(patient_id="p", weight_kg=weight)
    assert evaluate_node(rule, PatientFacts(patient, date(2026, 6, 1))).status == expected
