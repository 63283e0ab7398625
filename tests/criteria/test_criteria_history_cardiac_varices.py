"""History, cardiac and variceal-bleeding criteria, round 6 (issue 10).

Each test: a criterion quoted from a real HCC trial, a patient, the verdict a clinician reads, and why.
Screening date 2026-06-01 throughout.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview, walk
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)


def status(text: str, patient: dict[str, Any], role: str = "exclusion") -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING)).status


def needs_review(text: str, role: str = "exclusion") -> bool:
    return any(isinstance(n, NeedsReview) for n in walk(compile_criterion(text, role=role)))  # type: ignore[arg-type]


def cond(code: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, **kw}


# ------------------------------------------------------------------------------------- varices / bleeding

VARICEAL = "A prior bleeding event due to esophageal and/or gastric varices within 6 months prior to initiation of study treatment"


@pytest.mark.parametrize("patient, expected, why", [
    ({"liver": {"variceal_bleeding_dates": ["2026-03-20"]}}, "met", "variceal bleed 10 weeks ago"),
    ({"history_reviewed": True, "liver": {"variceal_bleeding_dates": ["2025-03-01"]}}, "not_met", "last bleed 15 months ago"),
    ({"history_reviewed": True, "conditions": [cond("gi_bleeding", name="duodenal ulcer bleed", onset="2026-04-01",
                                                     status="resolved")]},
     "not_met", "an ulcer bleed is not due to varices"),
    ({}, "unknown", "bleeding history not recorded"),
])
def test_bleeding_event_due_to_varices_within_6_months(patient: dict[str, Any], expected: str, why: str) -> None:
    assert describe(compile_criterion(VARICEAL, role="exclusion")) == "history: variceal_bleeding (ever) within 180 d"
    assert status(VARICEAL, patient) == expected, why


# ----------------------------------------------------------------------------------------------- cardiac

NYHA_LIST = ("Unstable angina, myocardial infarction, cerebrovascular accident, >= Class II congestive heart failure according to "
             "the New York Heart Association Classification for Congestive Heart Failure within 6 months before enrollment.")


@pytest.mark.parametrize("patient, expected, why", [
    ({"conditions": [cond("myocardial_infarction", onset="2026-02-10", status="resolved")]}, "met", "MI within 6 months"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")]}, "met", "NYHA II is >= class II"),
    ({"history_reviewed": True, "conditions": [cond("myocardial_infarction", onset="2019-03-01", resolved_on="2019-03-15",
                                                    status="resolved"), cond("heart_failure", nyha_class=1, status="active")]},
     "not_met", "MI seven years ago, NYHA I"),
    ({}, "unknown", "cardiac history not recorded"),
])
def test_nyha_class_ii_or_more_according_to_the_nyha_classification(patient: dict[str, Any], expected: str, why: str) -> None:
    assert not needs_review(NYHA_LIST)
    assert status(NYHA_LIST, patient) == expected, why


def test_class_iii_or_iv_chf_as_defined_by_the_nyha() -> None:
    text = "Class III or IV congestive heart failure, as defined by the New York Heart Association (NYHA)"
    assert describe(compile_criterion(text, role="exclusion")) == "heart failure NYHA class ≥ 3 (symptomatic)"
    assert status(text, {"conditions": [cond("heart_failure", nyha_class=3)]}) == "met"
    assert status(text, {"conditions": [cond("heart_failure", nyha_class=2)]}) == "not_met"


PRE_EXISTING_HF = ("Pre-existing heart failure with either a clinical classification of New York Heart Association Class III or IV "
                   "or cardiac ejection fraction of <45%.")


@pytest.mark.parametrize("patient, expected, why", [
    ({"conditions": [cond("heart_failure", nyha_class=4, status="active")]}, "met", "NYHA IV"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")],
      "labs": [{"analyte": "lvef", "value": 38, "unit": "%", "date": "2026-05-20"}]}, "met", "ejection fraction 38% < 45%"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")],
      "labs": [{"analyte": "lvef", "value": 55, "unit": "%", "date": "2026-05-20"}]}, "not_met", "NYHA II, EF 55%"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")]}, "unknown", "NYHA II, EF not measured"),
])
def test_pre_existing_heart_failure_nyha_or_ejection_fraction(patient: dict[str, Any], expected: str, why: str) -> None:
    assert describe(compile_criterion(PRE_EXISTING_HF, role="exclusion")) == \
        "any of (heart failure NYHA class ≥ 3 (symptomatic); lvef < 45 %)"
    assert status(PRE_EXISTING_HF, patient) == expected, why


def test_congenital_long_qt_syndrome_lasts_for_life() -> None:
    text = "Congenital long QT syndrome"
    assert not needs_review(text)
    assert status(text, {"conditions": [cond("long_qt_syndrome", name="LQT1")]}) == "met"
    assert status(text, {"conditions": [cond("long_qt_syndrome", status="absent")]}) == "not_met"
    assert status(text, {}) == "unknown"


# ----------------------------------------------------------------------------------------------- history

def test_interstitial_lung_disease_or_pneumonitis() -> None:
    text = "History of interstitial lung disease or pneumonitis"
    assert status(text, {"conditions": [cond("interstitial_lung_disease", name="idiopathic pulmonary fibrosis")]}) == "met"
    assert status(text, {"conditions": [cond("pneumonitis", onset="2024-09-01", status="resolved")]}) == "met"
    assert status(text, {"history_reviewed": True}) == "not_met"
    assert status(text, {}) == "unknown"


def test_confirmed_ild_stays_for_review() -> None:
    # "confirmed" ILD: a present diagnosis, or any past pneumonitis? only reading tells
    assert needs_review("Confirmed interstitial lung disease")


SEIZURES = "History of uncontrolled seizures or encephalopathy within the last 6 months"


@pytest.mark.parametrize("patient, expected, why", [
    ({"conditions": [cond("seizure_disorder", name="epilepsy with breakthrough seizures", status="active")]}, "met",
     "seizures not controlled"),
    ({"history_reviewed": True, "conditions": [cond("seizure_disorder", name="epilepsy, seizure-free on valproate",
                                                     onset="2010-01-01", status="controlled")]},
     "not_met", "controlled epilepsy is not uncontrolled seizures"),
    ({"conditions": [cond("hepatic_encephalopathy", onset="2026-04-01", resolved_on="2026-04-10", status="resolved")]}, "met",
     "hepatic encephalopathy 2 months ago"),
    ({"history_reviewed": True, "conditions": [cond("hepatic_encephalopathy", onset="2024-06-01", resolved_on="2024-06-10",
                                                     status="resolved")]},
     "not_met", "encephalopathy two years ago only"),
    ({"conditions": [cond("seizure_disorder", name="epilepsy")]}, "unknown", "whether the seizures are controlled"),
])
def test_uncontrolled_seizures_or_encephalopathy_within_6_months(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(SEIZURES, patient) == expected, why


def test_history_of_seizure_disorder_counts_controlled_epilepsy() -> None:
    text = "History of seizure disorder."
    assert status(text, {"conditions": [cond("seizure_disorder", name="epilepsy", status="controlled")]}) == "met"
    assert status(text, {"history_reviewed": True}) == "not_met"


def test_bare_encephalopathy_without_time_words_is_not_read_as_history() -> None:
    # "No encephalopathy" may mean no current hepatic encephalopathy (Child-Pugh): not guessed
    assert needs_review("No encephalopathy", role="inclusion")
    rule = compile_criterion("Subject has Child-Pugh score of less than 7 (ie, class A or better) with neither encephalopathy "
                             "nor clinically significant ascites", role="inclusion")
    assert "hepatic_encephalopathy" not in describe(rule)


def test_active_known_or_suspected_autoimmune_disease_is_any_known_one() -> None:
    text = "Active, known, or suspected autoimmune disease"
    ra = cond("autoimmune_disease", name="rheumatoid arthritis on methotrexate", onset="2015-01-01", status="controlled")
    assert status(text, {"conditions": [ra]}) == "met"
    assert status(text, {"conditions": [cond("autoimmune_disease", status="absent")]}) == "not_met"
    # still a present-tense condition elsewhere: "Active autoimmune disease" alone is not read as ever
    assert "ever" not in describe(compile_criterion("Active autoimmune disease", role="exclusion")).split("(")[-1] or \
        needs_review("Active autoimmune disease")
