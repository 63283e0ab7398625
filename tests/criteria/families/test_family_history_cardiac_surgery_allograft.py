"""Transplant and cardiac-surgery history items (issue 10, history family).

"Patients with history of organ transplantation or cardiac surgery" (NCT02291133) and "History of organ
allograft (including corneal transplant)" (registry records in ../shared).  A coronary artery bypass graft is
cardiac surgery; a coronary stent is a percutaneous procedure, not surgery; a recorded revascularisation whose
name does not say which is unknown.  A cornea is an allogeneic tissue graft.
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
from hcctrials.model.patient import Condition, Patient, TherapyLine

TRANSPLANT_OR_CARDIAC = "Patients with history of organ transplantation or cardiac surgery"
ALLOGRAFT = "History of organ allograft (including corneal transplant)"


def _status(text: str, patient: Patient) -> str:
    rule = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


def _with(*conditions: Condition, **extra: object) -> Patient:
    return make_patient(conditions=list(conditions), history_reviewed=True, **extra)


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_with(Condition(code="coronary_revascularisation", name="coronary artery bypass graft", onset=date(2018, 3, 1),
                     status="history")), "met", "a bypass graft is cardiac surgery"),
    (_with(Condition(code="coronary_revascularisation", name="drug-eluting stent to the LAD", onset=date(2019, 5, 1),
                     status="history")), "not_met", "a coronary stent is not surgery"),
    (_with(Condition(code="coronary_revascularisation", onset=date(2019, 5, 1), status="history")), "unknown",
     "a revascularisation without a name: bypass or stent?"),
    (_with(Condition(code="cardiac_surgery", name="aortic valve replacement", onset=date(2015, 1, 1), status="history")),
     "met", "valve replacement"),
    (_with(Condition(code="organ_transplant", name="liver transplant", onset=date(2020, 3, 1), status="history")), "met",
     "a liver transplant"),
    (_with(treatments=[TherapyLine(kind="surgery", regimen="left hepatectomy", start=date(2023, 1, 10),
                                   end=date(2023, 1, 10))]), "not_met",
     "a hepatectomy only, history reviewed without a transplant or heart operation"),
])
def test_organ_transplant_or_cardiac_surgery(patient: Patient, expected: str, why: str) -> None:
    assert _status(TRANSPLANT_OR_CARDIAC, patient) == expected, why


def test_cardiac_surgery_window_reads_the_bypass_date() -> None:
    old_bypass = _with(Condition(code="coronary_revascularisation", name="CABG x3", onset=date(2018, 3, 1),
                                 status="history"))
    assert _status("Cardiac surgery within 6 months", old_bypass) == "not_met", "a bypass in 2018 is not within 6 months"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_with(Condition(code="allogeneic_tissue_transplant", name="corneal transplant", onset=date(2012, 1, 1),
                     status="history")), "met", "a corneal graft is named into the item"),
    (_with(Condition(code="organ_transplant", name="kidney transplant", onset=date(2010, 1, 1), status="history")), "met",
     "a kidney allograft"),
    (_with(), "not_met", "reviewed history without an allograft"),
])
def test_organ_allograft_including_corneal_transplant(patient: Patient, expected: str, why: str) -> None:
    assert _status(ALLOGRAFT, patient) == expected, why
