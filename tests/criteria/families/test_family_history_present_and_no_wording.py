"""Two readings a clinician makes without thinking (issue 10, history and prior-therapy families).

1. A condition named in the patient's present ("Patients with heart failure", "有已知的精神疾病") is a
   condition the patient has now: active or controlled, not one that resolved years ago.  A plain noun
   ("Myocardial infarction") says nothing of time and stays for review.
2. "No X" in an exclusion list: where X is something trials exclude for (a prior therapy, an allergy,
   a history item) the line is a requirement copied into the list, and X excludes; where X is what a
   patient needs to be assessed (a measurable lesion), its absence excludes.

Sentences quoted from the registry records in ../shared (NCT02291133, ChiCTR2500111736, NCT01348503,
NCT02288507, NCT00791544).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.patient import Condition, TherapyLine, TumourBurden


_status = compiled_status


HEART_FAILURE = "Patients with heart failure or pace maker."
PSYCHIATRIC_ZH = "有已知的精神疾病或药物滥用障碍者。"


@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="heart_failure", status="controlled", nyha_class=2), "met",
     "heart failure kept controlled on treatment is heart failure the patient has now"),
    (Condition(code="heart_failure", status="resolved", onset=date(2015, 1, 1)), "not_met",
     "peripartum heart failure that resolved ten years ago is not a present heart failure"),
    (Condition(code="heart_failure"), "unknown", "a heart-failure record without a status: is it still present?"),
    (Condition(code="cardiac_pacemaker"), "met", "a pacemaker stays once implanted"),
])
def test_patients_with_heart_failure(condition: Condition, expected: str, why: str) -> None:
    patient = make_patient(conditions=[condition], history_reviewed=True)
    assert _status(HEART_FAILURE, "exclusion", patient) == expected, why


@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="psychiatric_disorder", name="精神分裂症", status="controlled"), "met", "schizophrenia on treatment"),
    (Condition(code="substance_abuse", name="阿片类物质使用障碍", status="active"), "met", "active opioid use disorder"),
    (Condition(code="psychiatric_disorder", name="产后抑郁", status="resolved", onset=date(2010, 5, 1)), "not_met",
     "a postpartum depression that resolved in 2010 is not a known psychiatric illness now"),
])
def test_known_psychiatric_illness_zh(condition: Condition, expected: str, why: str) -> None:
    patient = make_patient(conditions=[condition], history_reviewed=True)
    assert _status(PSYCHIATRIC_ZH, "exclusion", patient) == expected, why


def test_history_reviewed_without_the_condition_is_not_excluded() -> None:
    assert _status(HEART_FAILURE, "exclusion", make_patient(history_reviewed=True)) == "not_met"


@pytest.mark.parametrize("text", [
    "Myocardial infarction",  # an event: ever, or recent? nothing in the words says
    "History of heart failure",  # the past is named: 'ever', not 'current'
])
def test_present_reading_needs_present_words(text: str) -> None:
    rule = compile_criterion(text, role="exclusion")
    assert "(current)" not in describe(rule), describe(rule)


def test_no_prior_lenalidomide_in_the_exclusion_list_excludes_prior_lenalidomide() -> None:
    text = "No prior use of lenalidomide"
    took = make_patient(treatments=[TherapyLine(kind="systemic", regimen="lenalidomide", agents=["lenalidomide"],
                                                start=date(2024, 3, 1), end=date(2024, 9, 1), stop_reason="progression")])
    other = make_patient(treatments=[TherapyLine(kind="systemic", line=1, regimen="sorafenib", agents=["sorafenib"],
                                                 start=date(2025, 1, 10), end=date(2026, 3, 1))])
    assert _status(text, "exclusion", took) == "met", "prior lenalidomide: the exclusion applies"
    assert _status(text, "exclusion", other) == "not_met", "sorafenib only: no lenalidomide"


def test_no_known_hypersensitivity_in_the_exclusion_list_excludes_the_allergy() -> None:
    text = "No known hypersensitivity to thalidomide"
    allergic = make_patient(allergies=["thalidomide"])
    assert _status(text, "exclusion", allergic) == "met"


def test_no_radiation_to_the_liver_in_the_exclusion_list() -> None:
    text = "No prior radiation therapy to the liver"
    sbrt = make_patient(treatments=[TherapyLine(kind="radiotherapy", regimen="SBRT", site="liver",
                                                start=date(2025, 6, 1), end=date(2025, 6, 14))])
    bone = make_patient(treatments=[TherapyLine(kind="radiotherapy", regimen="palliative RT", site="bone",
                                                start=date(2025, 6, 1), end=date(2025, 6, 14))])
    assert _status(text, "exclusion", sbrt) == "met", "SBRT to the liver excludes"
    assert _status(text, "exclusion", bone) == "not_met", "radiotherapy to a bone metastasis is not to the liver"


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    (TumourBurden(assessed_on=date(2026, 5, 12), nodule_count=0, measurable_disease=False, extrahepatic_spread=False), "met",
     "no residual tumour on CT after resection: nothing to assess, the exclusion applies"),
    (TumourBurden(assessed_on=date(2026, 5, 12), nodule_count=2, measurable_disease=True), "not_met",
     "two measurable liver nodules"),
])
def test_no_measurable_lesion_in_the_exclusion_list_excludes_the_absence(tumour: TumourBurden, expected: str,
                                                                         why: str) -> None:
    text = "No measurable or evaluable tumoral lesion"
    assert _status(text, "exclusion", make_patient(tumour=tumour)) == expected, why


def test_no_bleeding_diathesis_is_the_present_diathesis() -> None:
    # issue 10 (session 5): the no-wording is settled (presence excludes) and so is the tense: a bleeding diathesis is a
    # state, the one the patient has now (compiler/precision.py _STATES; test_family_history_s5_states.py)
    rule = compile_criterion("No bleeding diathesis.", role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert describe(rule) == "history: bleeding_disorder (current)"
