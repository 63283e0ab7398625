"""Criteria the site checks (capacity, investigator's discretion, procedures), sentence ends on a
one-letter class, and an exclusion written into the inclusion list (issue 10).

Texts are quoted from the HCC records in ../shared/data/registry.  Administrative criteria are
listed for the coordinator and never decide a trial; a rule that could be inverted goes to review.
"""

from __future__ import annotations

import pytest

from hcctrials.criteria import PatientFacts, compile_criterion, describe, evaluate_node
from hcctrials.model.eligibility import Administrative, NeedsReview

from helpers_criteria import AS_OF, make_patient


@pytest.mark.parametrize(("text", "role", "category"), [
    ("Patient must be mentally capable of understanding the information given.", "inclusion", "consent"),
    ("Must be able to swallow oral medications.", "inclusion", "compliance"),
    ("Any condition that impairs patient's ability to swallow whole pills.", "exclusion", "compliance"),
    ("Active alcohol dependence per PI discretion", "exclusion", "investigator_judgement"),
    ("No serious underlying medical condition, at the judgment of the investigator, which could impair the ability "
     "of the patient to participate in the trial", "inclusion", "investigator_judgement"),
    ("Eligible to undergo pre and post treatment mandated biopsies", "inclusion", "procedure"),
    ("No contraindication to have MRI (e.g., pacemaker)", "inclusion", "procedure"),
    ("Has any contraindication for MRI procedure", "exclusion", "procedure"),
])
def test_the_site_checks_these_and_they_never_decide_the_trial(text: str, role: str, category: str) -> None:
    """A coordinator asks the patient or the investigator; no record field answers these."""
    rule = compile_criterion(text, role=role)
    assert isinstance(rule, Administrative) and rule.category == category, describe(rule)
    assert evaluate_node(rule, PatientFacts(make_patient(), AS_OF)).status == "administrative"


def test_live_expectancy_is_the_usual_misspelling_of_life_expectancy() -> None:
    """"Patients who have a live expectancy of at least 12 weeks": a patient expected to live 6 months meets it."""
    rule = compile_criterion("Patients who have a live expectancy of at least 12 weeks", role="inclusion")
    assert describe(rule) == "life expectancy ≥ 12 weeks"
    assert evaluate_node(rule, PatientFacts(make_patient(life_expectancy_weeks=26), AS_OF)).status == "met"
    assert evaluate_node(rule, PatientFacts(make_patient(life_expectancy_weeks=8), AS_OF)).status == "not_met"


def test_a_sentence_ending_on_a_stage_letter_is_a_sentence() -> None:
    """"Barcelona Clinic Liver Cancer Stage B or C. Segmental and subsegmental portal vein thrombosis is
    allowed.": BCLC B or C is required; the second sentence only reassures (a note for the site).  It used
    to be read as one permissive note, so BCLC A patients were not excluded."""
    text = ("Barcelona Clinic Liver Cancer Stage B or C. Segmental and subsegmental portal vein thrombosis "
            "is allowed.")
    rule = compile_criterion(text, role="inclusion")
    assert describe(rule) == "BCLC stage in {B,C}"


def test_an_exclusion_written_in_the_inclusion_list_is_never_read_as_an_inclusion() -> None:
    """"Patients with ascites are excluded" among the inclusion criteria: read as an inclusion it would
    *require* ascites.  It goes to review; in the exclusion list the same words exclude ascites."""
    text = "Patients with ascites are excluded"
    assert isinstance(compile_criterion(text, role="inclusion"), NeedsReview)
    assert describe(compile_criterion(text, role="exclusion")) == "liver: ascites"
    qualifier = ("Barcelona Clinic Liver Cancer (BCLC) stage B (that is not eligible for locoregional therapy LRT) "
                 "or stage C")  # "not eligible for ..." qualifies stage B; it does not state an exclusion
    assert "exclusion stated" not in describe(compile_criterion(qualifier, role="inclusion"))


def test_a_review_reason_reads_in_chinese_with_the_criterion_quoted_as_written() -> None:
    """The coordinator reading in Chinese sees why a criterion needs review in Chinese; the quoted criterion
    text and the partly read rule stay as the record and the rule have them."""
    from hcctrials.i18n import render

    rule = compile_criterion("晚期肝细胞肝癌, 或经组织学或细胞学确诊", role="inclusion")
    verdict = evaluate_node(NeedsReview(reason="text not compiled: 晚期肝细胞肝癌 (partly read as: ECOG in {0,1})"),
                            PatientFacts(make_patient(), AS_OF))
    shown = render(verdict.reason, "zh")
    assert "未能编译的文字：晚期肝细胞肝癌" in shown and "已部分读取为：ECOG in {0,1}" in shown
    assert "text not compiled" in str(verdict.reason)  # English unchanged
    assert rule is not None
