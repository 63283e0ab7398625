"""On a liver-transplant waiting list is narrower than a transplant candidate (issue 10, candidacy family).

"On a transplant list" (NCT01887717) excluded every transplant candidate: a patient assessed as a candidate
but not (yet) listed is not on the list.  ``diagnosis.transplant_listed`` records the list; a listed patient is
a candidate; a patient who is no candidate is not listed.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Diagnosis


def _status(text: str, diagnosis: Diagnosis) -> str:
    rule = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(make_patient(diagnosis=diagnosis), AS_OF)).status


def _dx(**fields: object) -> Diagnosis:
    return Diagnosis(confirmed_by="histology", histology="hcc", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["On a transplant list", "等待肝移植的患者"])
@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    (_dx(transplant_listed=True), "met", "listed at the transplant centre"),
    (_dx(transplant_candidate=True, transplant_listed=False), "not_met", "within Milan, assessed, not listed"),
    (_dx(transplant_candidate=True), "unknown", "a candidate: listed or not is not recorded"),
    (_dx(transplant_candidate=False), "not_met", "not a transplant candidate, so not on the list"),
])
def test_on_the_waiting_list(text: str, diagnosis: Diagnosis, expected: str, why: str) -> None:
    assert _status(text, diagnosis) == expected, why


def test_a_listed_patient_is_a_candidate() -> None:
    assert _status("Candidates for liver transplantation", _dx(transplant_listed=True)) == "met"
