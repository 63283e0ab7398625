"""Residual toxicity of prior therapy with exceptions (issue 10, toxicity family).

"Presence of >= CTCAE grade 2 toxicity due to prior cancer therapy (except alopecia, peripheral neuropathy
which are excluded if >= CTCAE grade 3)" (NCT02576509, HINT HCC subset): a grade 2 neuropathy does not
count, a grade 2 diarrhoea does.  The events themselves (``Patient.residual_toxicities``) decide; the
highest grade alone decides only below the threshold.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient, ResidualAdverseEvent

NEUROPATHY_UNDER_3 = ("Presence of ≥ CTCAE grade 2 toxicity due to prior cancer therapy (except alopecia, peripheral "
                      "neuropathy which are excluded if ≥ CTCAE grade 3).")


def _status(text: str, role: str, patient: Patient) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


def _events(*events: tuple[str, int]) -> Patient:
    return make_patient(residual_toxicities=[ResidualAdverseEvent(term=t, grade=g) for t, g in events])


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_events(("diarrhoea", 2)), "met", "grade 2 diarrhoea from prior lenvatinib"),
    (_events(("peripheral sensory neuropathy", 2)), "not_met", "grade 2 neuropathy is excepted below grade 3"),
    (_events(("peripheral sensory neuropathy", 3)), "met", "grade 3 neuropathy counts again"),
    (_events(("alopecia", 2), ("fatigue", 1)), "not_met", "alopecia never counts; fatigue grade 1"),
    (make_patient(residual_toxicity_grade=1), "not_met", "everything at most grade 1"),
    (make_patient(residual_toxicity_grade=2), "unknown", "a grade 2 event, but which one is not recorded"),
])
def test_exceptions_are_read_from_the_events(patient: Patient, expected: str, why: str) -> None:
    assert _status(NEUROPATHY_UNDER_3, "exclusion", patient) == expected, why


def test_recovered_to_grade_1_except_fatigue() -> None:
    text = "Toxicities of prior therapy must have resolved to grade ≤ 1 (except alopecia and fatigue)"
    assert _status(text, "inclusion", _events(("fatigue", 2))) == "met"  # fatigue grade 2 is allowed
    assert _status(text, "inclusion", _events(("fatigue", 2), ("rash", 2))) == "not_met"


def test_an_exception_no_term_holds_stays_in_review() -> None:
    text = "Unresolved toxicity of prior therapy grade ≥ 2 (except alopecia, and laboratory values)"
    assert not is_fully_compiled(compile_criterion(text, role="exclusion"))
