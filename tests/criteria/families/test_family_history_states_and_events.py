"""History, cardiac and "other" comorbidity items of issue 10 (helper s4): states named in the present,
events within a window, exceptions that only narrow an exclusion.

Each test quotes a criterion from a registry record in ../shared, a patient, the verdict a clinician reads
and why.  Screening date: ``AS_OF`` (2026-03-10).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview
from hcctrials.model.patient import Condition, Patient, Virology


def _verdict(text: str, role: str, patient: Patient) -> str:
    """The verdict of a criterion that may keep a narrowing exception for review."""
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


# --- states named in the present: the patient has it now ----------------------------------------------------

CHF = "Congestive heart failure"  # NCT00003926 exclusion 4


@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="heart_failure", status="controlled", nyha_class=2), "met",
     "compensated heart failure on diuretics is still congestive heart failure"),
    (Condition(code="heart_failure", status="resolved", onset=date(2015, 1, 1), resolved_on=date(2016, 1, 1)), "not_met",
     "a peripartum cardiomyopathy that recovered ten years ago is not heart failure now"),
    (Condition(code="heart_failure"), "unknown", "heart failure recorded without saying whether it is still present"),
])
def test_congestive_heart_failure_is_the_present_one(condition: Condition, expected: str, why: str) -> None:
    assert compiled_status(CHF, "exclusion", make_patient(conditions=[condition])) == expected, why


def test_confirmed_ild_and_bleeding_diathesis_are_present_states() -> None:
    # issue 10 (session 5): "Confirmed interstitial lung disease" and "No bleeding diathesis." name chronic states, the
    # ones the patient has now (an earlier audit had left their tense to a reader; test_family_history_s5_states.py)
    assert describe(compile_criterion("Confirmed interstitial lung disease", role="exclusion")) == \
        "history: interstitial_lung_disease/pneumonitis (current)"
    assert describe(compile_criterion("No bleeding diathesis.", role="exclusion")) == "history: bleeding_disorder (current)"


MALABSORPTION = "Any malabsorption condition."  # NCT02288507 exclusion 2


def test_malabsorption_condition() -> None:
    short_bowel = Condition(code="malabsorption", name="short bowel syndrome", status="active")
    assert compiled_status(MALABSORPTION, "exclusion", make_patient(conditions=[short_bowel])) == "met"
    assert compiled_status(MALABSORPTION, "exclusion", make_patient()) == "not_met"
    assert compiled_status(MALABSORPTION, "exclusion", make_patient(history_reviewed=False)) == "unknown"


SYMPTOMATIC = ("Symptomatic congestive heart failure (New York Heart Association II-IV), unstable angina pectoris, or "
               "symptomatic or poorly controlled cardiac arrhythmia.")  # NCT02435433 exclusion


@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="heart_failure", status="active", nyha_class=3), "met", "NYHA III is symptomatic heart failure"),
    (Condition(code="heart_failure", status="active", nyha_class=1), "not_met", "NYHA I has no symptoms"),
    (Condition(code="unstable_angina", status="active", onset=date(2026, 3, 1)), "met", "unstable angina now"),
    (Condition(code="unstable_angina", status="resolved", onset=date(2018, 5, 1), resolved_on=date(2018, 6, 1)), "not_met",
     "unstable angina revascularised eight years ago is not unstable angina now"),
    (Condition(code="arrhythmia", name="atrial fibrillation", status="active"), "met", "an arrhythmia not controlled"),
    (Condition(code="arrhythmia", name="atrial fibrillation, rate controlled", status="controlled"), "not_met",
     "a well-controlled arrhythmia is neither symptomatic nor poorly controlled"),
])
def test_symptomatic_heart_failure_unstable_angina_poorly_controlled_arrhythmia(condition: Condition, expected: str,
                                                                                  why: str) -> None:
    assert compiled_status(SYMPTOMATIC, "exclusion", make_patient(conditions=[condition])) == expected, why


def test_symptomatic_heart_failure_in_the_past_is_not_read_as_any_heart_failure() -> None:
    # NCT05883644 exclusion 3: "history of symptomatic" heart failure includes a resolved episode; reading it as any
    # heart failure (NYHA I too) or as the present NYHA class would both be wrong.  Issue 10, session 6: it is read as heart
    # failure of NYHA class II or worse at some time, so a class I today is unknown, never "not met"
    text = "History of symptomatic congestive heart failure, unstable angina pectoris, uncontrolled cardiac arrhythmia"
    class_one_now = make_patient(conditions=[Condition(code="heart_failure", status="controlled", nyha_class=1)])
    class_one_now.history_reviewed = True
    assert compiled_status(text, "exclusion", class_one_now) == "unknown"
    class_three = make_patient(conditions=[Condition(code="heart_failure", status="active", nyha_class=3)])
    assert compiled_status(text, "exclusion", class_three) == "met"


# --- events within a window -------------------------------------------------------------------------------

FISTULA = ("History of abdominal fistula, gastrointestinal perforation, or intra-abdominal abscess within 6 months prior "
           "to Day 0")  # NCT00426829 exclusion 10


@pytest.mark.parametrize(("condition", "expected", "why"), [
    (Condition(code="abdominal_fistula", name="enterocutaneous fistula", status="active", onset=date(2026, 1, 5)), "met",
     "a fistula two months ago"),
    (Condition(code="intra_abdominal_abscess", status="resolved", onset=date(2025, 12, 1), resolved_on=date(2025, 12, 20)),
     "met", "an abscess drained three months ago"),
    (Condition(code="gi_perforation", status="resolved", onset=date(2023, 4, 1), resolved_on=date(2023, 5, 1)), "not_met",
     "a perforation three years ago is outside the 6 months"),
])
def test_fistula_perforation_abscess_within_6_months(condition: Condition, expected: str, why: str) -> None:
    assert compiled_status(FISTULA, "exclusion", make_patient(conditions=[condition])) == expected, why


GI_BLEED = ("History of abdominal fistula, GI perforation, intra-abdominal abscess, or active GI bleeding within 6 months "
            "prior to study treatment. o If GI bleeding was from a lesion or a condition that was appropriately treated and "
            "patient is deemed to be low risk for recurrent GI bleed per investigator judgement, enrollment will be allowed.")


def test_gi_bleed_last_month_is_left_to_the_investigators_exception() -> None:
    # NCT05482516 exclusion 25: a bleed that stopped last month was active within 6 months; whether the investigator
    # judges it treated and low risk is not in the record, so the exclusion is not decided against the patient
    bleed = Condition(code="gi_bleeding", name="bleeding duodenal ulcer", status="resolved", onset=date(2026, 2, 1),
                      resolved_on=date(2026, 2, 5))
    assert _verdict(GI_BLEED, "exclusion", make_patient(conditions=[bleed])) == "needs_review"
    # nothing of the kind in a reviewed history: the exception cannot matter, the patient is not excluded
    assert _verdict(GI_BLEED, "exclusion", make_patient()) == "not_met"


def test_no_history_of_hemoptysis() -> None:
    text = "No history of hemoptysis"  # NCT01009801 inclusion 25
    old = Condition(code="hemoptysis", status="resolved", onset=date(2012, 1, 1), resolved_on=date(2012, 1, 3))
    assert compiled_status(text, "inclusion", make_patient(conditions=[old])) == "not_met"
    assert compiled_status(text, "inclusion", make_patient()) == "met"


def test_known_history_of_porphyria() -> None:
    text = "Known history of porphyria;"  # NCT00122876 exclusion 4 (photodynamic therapy)
    aip = Condition(code="porphyria", name="acute intermittent porphyria", status="history")
    assert compiled_status(text, "exclusion", make_patient(conditions=[aip])) == "met"
    assert compiled_status(text, "exclusion", make_patient(history_reviewed=False)) == "unknown"


# --- HIV or tuberculosis: two items, neither swallowed by the other ----------------------------------------

HIV_TB = "Known to have tested positive for human immunodeficiency virus (HIV) or active tuberculosis infection"


def test_hiv_or_active_tuberculosis_are_two_items() -> None:
    tb = Condition(code="active_tuberculosis", status="active", onset=date(2026, 2, 1))
    assert compiled_status(HIV_TB, "exclusion", make_patient(conditions=[tb])) == "met"
    hiv = Virology(hbsag_positive=True, hbv_antiviral=True, hiv_positive=True)
    assert compiled_status(HIV_TB, "exclusion", make_patient(virology=hiv)) == "met"
    assert compiled_status(HIV_TB, "exclusion", make_patient()) == "not_met"


# --- KEYNOTE-style autoimmune exceptions: they narrow the exclusion -----------------------------------------

AUTOIMMUNE = ("Active autoimmune disease; Patients with type I diabetes mellitus, hypothyroidism requiring only hormone "
              "replacement, psoriasis not requiring systemic treatment, or vitiligo are permitted for enrollment.")


@pytest.mark.parametrize(("conditions", "expected", "why"), [
    ([], "not_met", "no autoimmune disease: the exceptions cannot matter"),
    ([Condition(code="autoimmune_disease", name="systemic lupus erythematosus", status="controlled")], "not_met",
     "a controlled lupus is not active autoimmune disease"),
    ([Condition(code="autoimmune_disease", name="vitiligo", status="active")], "needs_review",
     "an active autoimmune disease that may be one of the permitted kinds: the record does not type it"),
])
def test_active_autoimmune_disease_with_permitted_kinds(conditions: list[Condition], expected: str, why: str) -> None:
    assert _verdict(AUTOIMMUNE, "exclusion", make_patient(conditions=conditions)) == expected, why


def test_permitted_kinds_never_decide_an_inclusion() -> None:
    rule = compile_criterion(AUTOIMMUNE, role="inclusion")
    assert not is_fully_compiled(rule) and isinstance(rule, NeedsReview)
