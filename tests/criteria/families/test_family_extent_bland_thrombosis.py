"""Portal vein thrombosis without "tumour": a tumour thrombus or a bland one (issue 10, pvtt/extent family).

A patient, a criterion, the verdict a clinician reads and why.  A bland (non-tumour) portal vein
thrombosis is the condition ``portal_vein_thrombosis`` (docs/patients.md); a tumour thrombus is
``TumourBurden.pvtt``.  "Presence of portal venous thrombosis" is quoted from the HINT HCC subset.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Condition, Patient, TumourBurden

PVT = "Presence of portal venous thrombosis"


def _status(text: str, role: str, patient: Patient) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (make_patient(tumour=TumourBurden(vascular_invasion=True, pvtt="vp3")), "met", "tumour thrombus in the right portal vein"),
    (make_patient(tumour=TumourBurden(vascular_invasion=False, pvtt="vp0"),
                  conditions=[Condition(code="portal_vein_thrombosis", status="active", name="bland PVT on anticoagulation")]),
     "met", "a bland portal vein thrombosis is a portal venous thrombosis"),
    (make_patient(tumour=TumourBurden(vascular_invasion=False, pvtt="vp0"),
                  conditions=[Condition(code="portal_vein_thrombosis", status="absent")]),
     "not_met", "neither a tumour thrombus nor a bland one"),
    (make_patient(tumour=TumourBurden(vascular_invasion=False, pvtt="vp0"), history_reviewed=False), "unknown",
     "no tumour thrombus; a bland thrombosis not asked about"),
])
def test_portal_venous_thrombosis_of_either_kind(patient: Patient, expected: str, why: str) -> None:
    assert _status(PVT, "exclusion", patient) == expected, why


@pytest.mark.parametrize("text", ["Complete main portal vein thrombosis.", "Main portal vein thrombosis"])
def test_a_located_or_occlusive_thrombosis_stays_in_review(text: str) -> None:
    # where a bland thrombus lies, and whether it occludes, are not recorded
    assert not is_fully_compiled(compile_criterion(text, role="exclusion"))


def test_a_tumour_thrombus_is_not_widened() -> None:
    assert describe(compile_criterion("Portal vein tumor thrombosis", role="exclusion")) == "tumour: pvtt"
