"""Leptomeningeal disease beside brain metastases, and upper GI bleeding of any cause (issue 10, cns and
varices/bleeding families).

"Uncontrolled brain or leptomeningeal metastases, including patients who continue to require glucocorticoids"
(NCT00516165) and "Active central nervous system metastases and/or carcinomatous meningitis (stable treated brain
metastases not requiring steroids >4 weeks allowed)" (NCT03382886): the activity word qualifies both items.  A
leptomeningeal metastasis is a CNS metastasis, so a record of no CNS metastasis rules it out.
"History of gastrointestinal perforation or esophageal/gastric bleeding within 6 months" (NCT01308723): an upper
GI bleed of any cause, variceal or not.
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
from hcctrials.model.patient import Condition, LiverFunction, Patient, TumourBurden

UNCONTROLLED = ("Uncontrolled brain or leptomeningeal metastases, including patients who continue to require "
                "glucocorticoids for brain or leptomeningeal metastases")
ACTIVE = ("Active central nervous system metastases and/or carcinomatous meningitis (stable treated brain metastases "
          "not requiring steroids >4 weeks allowed).")
UPPER_GI = "History of gastrointestinal perforation or esophageal/gastric bleeding within 6 months prior to study enrollment"


def _status(text: str, patient: Patient) -> str:
    rule = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


@pytest.mark.parametrize("text", [UNCONTROLLED, ACTIVE])
@pytest.mark.parametrize(("patient", "expected", "why"), [
    (make_patient(tumour=TumourBurden(cns_metastasis=True, cns_metastasis_treated_stable=False)), "met",
     "an untreated brain metastasis on dexamethasone"),
    (make_patient(tumour=TumourBurden(cns_metastasis=False)), "not_met", "no CNS metastasis: no leptomeningeal disease"),
    (make_patient(tumour=TumourBurden(cns_metastasis=True, cns_metastasis_treated_stable=True),
                  conditions=[Condition(code="leptomeningeal_disease", name="carcinomatous meningitis", status="active")]),
     "met", "brain metastasis controlled, but active carcinomatous meningitis"),
    (make_patient(history_reviewed=False, tumour=TumourBurden(cns_metastasis=True, cns_metastasis_treated_stable=True)),
     "unknown",
     "a treated, stable brain metastasis; whether the meninges are involved is not recorded"),
])
def test_brain_or_leptomeningeal_activity(text: str, patient: Patient, expected: str, why: str) -> None:
    assert _status(text, patient) == expected, why


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (make_patient(conditions=[Condition(code="gi_bleeding", name="bleeding duodenal ulcer", status="resolved",
                                        onset=date(2026, 1, 10))]), "met", "an ulcer bleed two months ago"),
    (make_patient(liver=LiverFunction(varices="large", variceal_bleeding_dates=[date(2026, 1, 10)])), "met",
     "an oesophageal variceal bleed two months ago"),
    (make_patient(history_reviewed=True, liver=LiverFunction(varices="treated",
                                                             variceal_bleeding_dates=[date(2024, 5, 3)])),
     "not_met", "the only bleed was in 2024"),
])
def test_esophageal_or_gastric_bleeding_of_any_cause(patient: Patient, expected: str, why: str) -> None:
    assert _status(UPPER_GI, patient) == expected, why


ACTIVE_BLEEDING = "Evidence of active bleeding or bleeding diathesis"  # NCT01012362


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (make_patient(conditions=[Condition(code="gi_bleeding", name="bleeding duodenal ulcer", status="active")]), "met",
     "an ulcer bleeding now is active bleeding, though not a bleeding diathesis"),
    (make_patient(conditions=[Condition(code="bleeding_disorder", name="haemophilia A", status="active")]), "met",
     "haemophilia is a bleeding diathesis"),
    (make_patient(liver=LiverFunction(variceal_bleeding_dates=[date(2023, 4, 2)])), "not_met",
     "a variceal bleed three years ago is not bleeding now; history reviewed"),
    (make_patient(liver=LiverFunction(variceal_bleeding_dates=[date(2026, 3, 1)])), "unknown",
     "a variceal bleed nine days ago: is it still bleeding?"),
])
def test_active_bleeding_is_any_bleeding_now(patient: Patient, expected: str, why: str) -> None:
    assert _status(ACTIVE_BLEEDING, patient) == expected, why


ACTIVE_OR_PRIOR_GI_BLEED = ("Active or prior documented GI bleeding (eg, esophageal varices or ulcer bleeding) within the "
                            "past 6 months.")  # NCT05883644


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (make_patient(conditions=[Condition(code="variceal_bleeding", name="oesophageal variceal bleed", status="resolved",
                                        onset=date(2026, 1, 5))]), "met", "a variceal bleed two months ago is a GI bleed"),
    (make_patient(conditions=[Condition(code="gi_bleeding", name="bleeding gastric ulcer", status="resolved",
                                        onset=date(2024, 2, 1), resolved_on=date(2024, 2, 20))]), "not_met",
     "an ulcer bleed two years ago, healed"),
])
def test_gi_bleeding_within_6_months_counts_variceal_bleeds(patient: Patient, expected: str, why: str) -> None:
    assert _status(ACTIVE_OR_PRIOR_GI_BLEED, patient) == expected, why
