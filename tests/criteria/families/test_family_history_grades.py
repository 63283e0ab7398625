"""History items narrowed by a CTCAE grade, and negative HIV serology (issue 10, history and virology families).

A patient, a criterion, the verdict a clinician reads and why.  Sentences quoted from the registry
records in ../shared.  CTCAE v5 grades are recorded on the condition (``Condition.ctcae_grade``).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Condition, Patient, Virology


def _status(text: str, role: str, patient: Patient) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


VTE4 = "History of Grade ≥ 4 venous thromboembolism"
NEUROPATHY2 = "Peripheral neuropathy Grade greater than or equal to 2 (Common Terminology Criteria for Adverse Events [CTCAE] v4.0)"


@pytest.mark.parametrize(("grade", "expected", "why"), [
    (4, "met", "a life-threatening pulmonary embolism (grade 4)"),
    (2, "not_met", "a grade 2 deep vein thrombosis is not grade 4"),
    (None, "unknown", "a VTE of unrecorded grade"),
])
def test_history_of_grade_4_vte(grade: int | None, expected: str, why: str) -> None:
    patient = make_patient(conditions=[Condition(code="venous_thromboembolism", status="resolved", onset=date(2024, 3, 1),
                                                 ctcae_grade=grade)], history_reviewed=True)
    assert _status(VTE4, "exclusion", patient) == expected, why


@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="peripheral_neuropathy", status="active", ctcae_grade=2), "met", "grade 2 sensory neuropathy now"),
    (Condition(code="peripheral_neuropathy", status="active", ctcae_grade=1), "not_met", "grade 1 only"),
    (Condition(code="peripheral_neuropathy", status="resolved", ctcae_grade=3), "not_met",
     "a grade 3 neuropathy that resolved is not a present one"),
])
def test_current_peripheral_neuropathy_grade_2_or_more(condition: Condition, expected: str, why: str) -> None:
    assert _status(NEUROPATHY2, "exclusion", make_patient(conditions=[condition], history_reviewed=True)) == expected, why


def test_an_exact_grade_is_not_read_as_a_threshold() -> None:
    assert not is_fully_compiled(compile_criterion("Peripheral neuropathy grade 2", role="exclusion"))


@pytest.mark.parametrize(("hiv", "expected"), [(False, "met"), (True, "not_met"), (None, "unknown")])
def test_negative_hiv_serology(hiv: bool | None, expected: str) -> None:
    patient = make_patient(virology=Virology(hiv_positive=hiv))
    assert _status("Negative human immunodeficiency virus serology.", "inclusion", patient) == expected
    assert _status("HIV抗体阴性", "inclusion", patient) == expected


def test_a_negative_result_among_exclusions_is_for_review() -> None:
    assert not is_fully_compiled(compile_criterion("HIV negative", role="exclusion"))
