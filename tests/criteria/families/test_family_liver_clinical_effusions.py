"""Pleural and pericardial effusions (issue 10, liver-clinical family).

"Pleural effusion and/or clinically significant ascites" (NCT02029157): an effusion is a finding on
examination or imaging, so the bare noun is the effusion the patient has now.  A graded or qualified effusion
("moderate or severe pleural effusion", 大量胸腔积液) is not read: the rule has no grade for it.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Condition, LiverFunction, Patient

TEXT = "Pleural effusion and/or clinically significant ascites"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (make_patient(liver=LiverFunction(ascites="moderate_severe")), "met", "moderate ascites"),
    (make_patient(liver=LiverFunction(ascites="none"), conditions=[Condition(code="pleural_effusion", status="active")]),
     "met", "a right pleural effusion on CT, no ascites"),
    (make_patient(liver=LiverFunction(ascites="none"),
                  conditions=[Condition(code="pleural_effusion", status="resolved", name="post-operative effusion 2019")]),
     "not_met", "an effusion that resolved after surgery in 2019 is not present now"),
    (make_patient(history_reviewed=False, liver=LiverFunction(ascites="none")), "unknown",
     "no ascites; the chest was not assessed"),
])
def test_pleural_effusion_or_significant_ascites(patient: Patient, expected: str, why: str) -> None:
    rule = compile_criterion(TEXT, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert evaluate_node(rule, PatientFacts(patient, AS_OF)).status == expected, why


@pytest.mark.parametrize("text", ["大量胸腔积液", "Moderate or severe pleural effusion"])
def test_a_graded_effusion_is_not_read_as_any_effusion(text: str) -> None:
    rule = compile_criterion(text, role="exclusion")
    assert not is_fully_compiled(rule), describe(rule)
