"""Administrative statements and non-criteria (issue 10).

* "A signed informed consent must be obtained prior to any study specific procedures" once compiled as prior
  investigational therapy: the time words anchor the consent; it is administrative.
* Trial logistics (visit schedule, relocation, baseline questionnaires, tissue for research) are administrative:
  listed for the coordinator, never blocking, never "met".
* Swallowing ability stays a patient matter: it is not turned into logistics here.
* "See Disease Characteristics" points to another section: not a criterion, it leaves the coverage denominator.
  A lone "Or" between two items is kept (dropping it would turn two alternatives into two requirements).
"""

from __future__ import annotations

import pytest

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.text.split import is_heading
from hcctrials.model.eligibility import Administrative, PriorTherapy, walk


@pytest.mark.parametrize(("text", "category"), [
    ("Ability to understand and the willingness to sign a written informed consent. A signed informed consent must be "
     "obtained prior to any study specific procedures.", "consent"),
    ("Subject understands and voluntarily signs an informed consent document prior to conducting any study related "
     "assessments/procedures", "consent"),
    ("Written Informed Consent must be obtained and documented prior to any study specific procedures.", "consent"),
    ("Subject is able to adhere to the study visit schedule and other protocol requirements", "compliance"),
    ("Plans to relocate from the study center within the period of the trial", "compliance"),
    ("Completed baseline quality of life questionnaire", "procedure"),
    ("Availability of tumor tissue for biomarker analysis", "procedure"),
    ("A tumor biopsy was required for determining MET status", "procedure"),
])
def test_administrative(text: str, category: str) -> None:
    rule = compile_criterion(text, role="inclusion")
    assert isinstance(rule, Administrative), describe(rule)
    assert rule.category == category
    assert not any(isinstance(n, PriorTherapy) for n in walk(rule))


def test_consent_words_do_not_hide_a_clinical_rule() -> None:
    rule = compile_criterion("Age ≥ 18 years at the time of signing informed consent", role="inclusion")
    assert "age" in describe(rule)


@pytest.mark.parametrize(("text", "heading"), [
    ("See Disease Characteristics", True),
    ("See General Eligibility Criteria", True),
    ("DISEASE CHARACTERISTICS:", True),
    ("Not specified", True),
    ("Or", False),
    ("See the protocol for liver function limits", False),
])
def test_not_a_criterion(text: str, heading: bool) -> None:
    assert is_heading(text) is heading


@pytest.mark.parametrize("text", ["签署知情同意书当天年龄≥18 岁且≤75 岁。",
                                  "Age >= 18 years at time of signing Informed Consent Form"])
def test_consent_that_dates_the_age_is_not_a_second_requirement(text: str) -> None:
    """ChiCTR2500111736, NCT05482516: the age is the criterion; the consent only says on which day."""
    rule = compile_criterion(text, role="inclusion")
    assert not any(isinstance(n, Administrative) for n in walk(rule)), describe(rule)
    assert "age ≥ 18" in describe(rule)


def test_signed_consent_alone_stays_administrative() -> None:
    assert isinstance(compile_criterion("愿意并能够签署书面知情同意书。", role="inclusion"), Administrative)
    rule = compile_criterion("Signed informed consent and age ≥ 18 years", role="inclusion")
    assert any(isinstance(n, Administrative) for n in walk(rule))  # two requirements: the consent note is kept


def test_threshold_worded_as_eligible_is_a_requirement_in_the_inclusion_list() -> None:
    """NCT00426829 "Karnofsky performance status >/= 70 are eligible.": a threshold, not a permission note."""
    rule = compile_criterion("Karnofsky performance status >/= 70 are eligible.", role="inclusion")
    assert not any(isinstance(n, Administrative) for n in walk(rule)), describe(rule)
    assert "Karnofsky" in describe(rule) and "NEEDS REVIEW" not in describe(rule)
    # a permission stays a permission
    assert isinstance(compile_criterion("Patients with HBV are eligible", role="inclusion"), Administrative)


def test_required_laboratory_values_is_a_lead_in() -> None:
    assert is_heading("Required laboratory values")
    assert not is_heading("Required laboratory values within 14 days of registration")
