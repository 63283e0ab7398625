"""Cardiovascular history lists whose lead-in carries the time window (issue 10, session 5, helper h51).

Each test quotes a criterion from a registry record in ../shared (ClinicalTrials.gov HINT HCC subset), a patient,
the verdict a clinician reads and why.  Screening date: ``AS_OF`` (2026-03-10).  The rules:
criteria/families/cardiac.py (the lead-in's window applies to every item; a list is read only when every item
is), evaluation/leaves_history.py (a NYHA class item within a window: today's class is below it -> unknown).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient, stays_for_review

from hcctrials.model.patient import Condition

# NCT01012362 exclusion 8
CARDIOVASCULAR_6_MONTHS = """History of any one or more of the following cardiovascular conditions within the past 6 months:
  - Cardiac angioplasty or stenting
  - Myocardial infarction
  - Unstable angina
  - Coronary artery bypass graft surgery
  - Symptomatic peripheral vascular disease
  - Class III or IV congestive heart failure, as defined by the New York Heart Association (NYHA)"""


@pytest.mark.parametrize(("conditions", "reviewed", "expected", "why"), [
    ([Condition(code="myocardial_infarction", name="NSTEMI", onset=date(2025, 12, 1), status="history")], True, "met",
     "an infarction 3 months ago: the lead-in's 6 months apply to every item"),
    ([Condition(code="myocardial_infarction", name="STEMI, stented", onset=date(2023, 3, 1), status="history")], True,
     "not_met", "an infarction three years ago is outside the window; the history was reviewed"),
    ([Condition(code="coronary_revascularisation", name="drug-eluting stent to the LAD", onset=date(2025, 11, 20),
                status="history")], True, "met", "coronary stenting within the past 6 months"),
    ([Condition(code="coronary_revascularisation", name="CABG x3", onset=date(2019, 6, 1), status="history")], True,
     "not_met", "a bypass operation seven years ago is outside the window"),
    ([Condition(code="peripheral_vascular_disease", name="intermittent claudication", onset=date(2024, 1, 1),
                status="active")], True, "met", "symptomatic peripheral arterial disease present, so within the window"),
    ([Condition(code="heart_failure", name="congestive heart failure", nyha_class=3, status="active")], True, "met",
     "NYHA class III heart failure today"),
    ([Condition(code="heart_failure", name="congestive heart failure", nyha_class=2, status="controlled")], True,
     "unknown", "class II today; whether it was III or IV within the past 6 months is not recorded"),
    ([Condition(code="heart_failure", name="heart failure after myocarditis", nyha_class=2, status="resolved",
                onset=date(2018, 1, 1), resolved_on=date(2019, 1, 1))], True, "not_met",
     "a heart failure that resolved seven years ago is not within the window"),
    ([], True, "not_met", "a reviewed history without any of the conditions"),
    ([], False, "unknown", "the cardiovascular history was not taken"),
])
def test_the_lead_in_window_applies_to_every_item(conditions: list[Condition], reviewed: bool, expected: str,
                                                  why: str) -> None:
    patient = make_patient(conditions=conditions, history_reviewed=reviewed)
    assert compiled_status(CARDIOVASCULAR_6_MONTHS, "exclusion", patient) == expected, why


def test_a_list_with_an_item_not_read_stays_for_review() -> None:
    # an item the compiler does not read ("Severe conduction disturbance") leaves the whole list to a reader
    stays_for_review("History of any one or more of the following cardiovascular conditions within the past 6 months:\n"
                     "  - Myocardial infarction\n  - Severe conduction disturbance (e.g. 3rd degree heart block)",
                     "exclusion")


def test_a_positive_list_among_the_inclusions_is_not_read_as_an_exclusion() -> None:
    # the lead-in without "no" in an inclusion list would require the conditions: not this reader's reading
    stays_for_review("History of any one or more of the following cardiovascular conditions within the past 6 months:\n"
                     "  - Myocardial infarction\n  - Unstable angina", "inclusion")


# NCT01009801 inclusion 22: the lead-in names the events; the items are examples of them
NO_THROMBOSIS = """No thrombotic or embolic events within the past 6 months including any of the following:
  - Cerebrovascular accident (including transient ischemic attacks)
  - Pulmonary embolism
  - Deep vein thrombosis"""


@pytest.mark.parametrize(("conditions", "expected", "why"), [
    ([Condition(code="venous_thromboembolism", name="femoral DVT", onset=date(2026, 1, 5), resolved_on=date(2026, 2, 20),
                status="resolved")], "not_met", "a deep vein thrombosis two months ago"),
    ([Condition(code="arterial_thromboembolism", name="transient ischaemic attack", onset=date(2025, 12, 24),
                status="resolved", resolved_on=date(2025, 12, 24))], "not_met", "a TIA counts with the strokes"),
    ([Condition(code="arterial_thromboembolism", name="ischaemic stroke", onset=date(2023, 4, 1), status="resolved",
                resolved_on=date(2023, 5, 1))], "met", "a stroke three years ago is outside the 6 months"),
    ([], "met", "no thrombotic event in a reviewed history"),
])
def test_no_thrombotic_events_within_6_months(conditions: list[Condition], expected: str, why: str) -> None:
    assert compiled_status(NO_THROMBOSIS, "inclusion", make_patient(conditions=conditions)) == expected, why


def test_an_example_item_wider_than_the_lead_in_stays_for_review() -> None:
    # "Bleeding" is not a thrombotic event: an item the lead-in does not cover changes the rule
    stays_for_review("No thrombotic or embolic events within the past 6 months including any of the following:\n"
                     "  - Pulmonary embolism\n  - Gastrointestinal bleeding", "inclusion")


# NCT02989870 exclusion 13: the window belongs to the infarction; the states of the list are the present ones
CARDIAC_LIST = ("Myocardial infarction within past 6 months, congestive heart failure, unstable angina, active cardiomyopathy, "
                "unstable ventricular arrhythmia")


@pytest.mark.parametrize(("conditions", "expected", "why"), [
    ([Condition(code="heart_failure", name="CHF on furosemide", nyha_class=2, status="controlled")], "met",
     "compensated congestive heart failure is still heart failure now"),
    ([Condition(code="heart_failure", name="post-partum heart failure", status="resolved", onset=date(2012, 1, 1),
                resolved_on=date(2013, 1, 1))], "not_met", "a heart failure that recovered 13 years ago is not present"),
    ([Condition(code="myocardial_infarction", name="NSTEMI", onset=date(2025, 11, 1), status="history")], "met",
     "an infarction four months ago"),
    ([Condition(code="myocardial_infarction", name="STEMI", onset=date(2022, 11, 1), status="history")], "not_met",
     "an infarction more than 3 years ago is outside the window"),
    ([Condition(code="unstable_angina", name="unstable angina", onset=date(2020, 2, 1), status="resolved",
                resolved_on=date(2020, 3, 1))], "not_met", "unstable angina six years ago, revascularised, none now"),
])
def test_states_of_a_windowed_list_are_the_present_ones(conditions: list[Condition], expected: str, why: str) -> None:
    assert compiled_status(CARDIAC_LIST, "exclusion", make_patient(conditions=conditions)) == expected, why


def test_an_event_outside_the_window_in_such_a_list_stays_for_review() -> None:
    # "Stroke" after the window: an event named without its own window (ever, or within the 6 months?)
    stays_for_review("Myocardial infarction within past 6 months, stroke", "exclusion")
