"""Administrative and demographic wording (issue 10, session 5): both sexes named, the sex that only names who can
be pregnant, and an investigator's judgement that names example conditions.

Quoted from registry records in ../shared (hint_hcc_subset.csv; ChiCTR2600122298 in shared/seeds).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict

from hcctrials.criteria import compile_criterion, describe
from hcctrials.model.eligibility import Administrative

#: NCT01335074 inclusion 1
MALE_OR_FEMALE_ADULT = "Male or female patients ≥ 18 years of age"
#: NCT00712790 exclusion 20
PREGNANT_WOMEN = "Female subjects who are pregnant or currently breastfeeding."
#: ChiCTR2600122298 exclusion 9, Chinese and English versions of the record
JUDGED_ZH = ("由研究者判定的任何疾病证据(如严重或未受控制的全身性疾病,包括未受控制的高血压、活动性出血性疾病、活动性感染、"
             "活动性ILD/肺部炎症、与腹泻相关的严重慢性胃肠道疾病、精神疾病/社会状况)或研究者认为受试者不适于参与研究或影响对研究"
             "方案的依从性的异体器官移植史;")
JUDGED_EN = ("Any evidence of disease as judged by the investigator (such as severe or uncontrolled systemic diseases, "
             "including uncontrolled hypertension, active hemorrhagic diseases, active infections, active interstitial "
             "lung disease/pulmonary inflammation, severe chronic gastrointestinal diseases related to diarrhea, mental "
             "illness/social conditions) or a history of allogeneic organ transplantation that the investigator "
             "considers makes the subject unfit to participate in the study or affects compliance with the study "
             "protocol;")


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"sex": "female", "birth_date": "1970-03-01"}, "met", "a 56-year-old woman: either sex"),
    ({"sex": "male", "birth_date": "1950-03-01"}, "met", "a 76-year-old man: either sex"),
    ({"sex": "male", "birth_date": "2010-03-01"}, "not_met", "16 years old"),
])
def test_both_sexes_named_is_no_sex_condition(patient: dict[str, Any], expected: str, why: str) -> None:
    assert describe(compile_criterion(MALE_OR_FEMALE_ADULT, role="inclusion")) == "age ≥ 18 years"
    assert screening_verdict(MALE_OR_FEMALE_ADULT, patient, role="inclusion")[0] == expected, why


def test_male_or_female_alone_is_a_note() -> None:
    # NCT02210182 inclusion 1: no condition at all
    assert isinstance(compile_criterion("Male or female subjects", role="inclusion"), Administrative)


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"sex": "female", "pregnant": True, "breastfeeding": False}, "met", "pregnant"),
    ({"sex": "female", "pregnant": False, "breastfeeding": True}, "met", "breastfeeding"),
    ({"sex": "female", "pregnant": False, "breastfeeding": False}, "not_met", "neither"),
    ({"sex": "male"}, "not_met", "a man is neither"),
])
def test_female_subjects_who_are_pregnant(patient: dict[str, Any], expected: str, why: str) -> None:
    # read as "any of (sex female; pregnant ...)" every woman would have been excluded
    assert describe(compile_criterion(PREGNANT_WOMEN, role="exclusion")) == "any of (pregnant; breastfeeding)"
    assert screening_verdict(PREGNANT_WOMEN, patient)[0] == expected, why


@pytest.mark.parametrize("text", [JUDGED_ZH, JUDGED_EN])
@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [{"code": "interstitial_lung_disease", "name": "active ILD", "status": "active"}]}, "met",
     "active interstitial lung disease is one of the named examples"),
    ({"conditions": [{"code": "uncontrolled_hypertension", "status": "active"}]}, "met",
     "uncontrolled hypertension is named"),
    ({"history_reviewed": True}, "needs_review",
     "none of the named conditions, but any other disease the investigator judges still excludes"),
    ({"history_reviewed": True, "conditions": [{"code": "organ_transplant", "name": "kidney transplant",
                                                "status": "resolved", "onset": "2015-04-01"}]},
     "needs_review", "a transplant excludes only when the investigator judges the subject unfit"),
])
def test_named_examples_of_an_investigators_judgement(text: str, patient: dict[str, Any], expected: str,
                                                      why: str) -> None:
    status, reason = screening_verdict(text, patient)
    assert status == expected, (why, reason)


def test_the_judgement_is_never_passed_on_the_named_conditions_alone() -> None:
    # as an inclusion (a copy in the wrong list) the text is not read by this reader
    assert isinstance(compile_criterion(JUDGED_EN, role="inclusion"), Administrative)
