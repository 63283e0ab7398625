"""Washouts written as the time since a therapy (issue 10, session 5).

Criteria quoted from real HCC records; patient, verdict and why.  Screening date 2026-03-10
(tests/criteria/helpers_criteria.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.model.patient import TherapyLine
from tests.criteria.helpers_criteria import compiled_status, make_patient


def _line(**kw: Any) -> TherapyLine:
    return TherapyLine(**kw)


MAJOR_SURGERY = "More than 4 weeks since prior and no concurrent major surgery"  # NCT01009801 inc-43
RADIOTHERAPY = "More than 3 weeks since prior and no concurrent radiotherapy"  # NCT01009801 inc-44


@pytest.mark.parametrize("line, expected, why", [
    (_line(kind="surgery", agents=["hepatectomy"], start=date(2026, 2, 24), end=date(2026, 2, 24)), "not_met",
     "a liver resection two weeks ago (a major operation)"),
    (_line(kind="surgery", agents=["hepatectomy"], start=date(2026, 2, 10), end=date(2026, 2, 10)), "not_met",
     "exactly 4 weeks ago is not more than 4 weeks"),
    (_line(kind="surgery", agents=["hepatectomy"], start=date(2025, 11, 10), end=date(2025, 11, 10)), "met",
     "four months ago"),
    (_line(kind="surgery", regimen="port placement", major_surgery=False, start=date(2026, 3, 3), end=date(2026, 3, 3)),
     "met", "a port placement is minor surgery"),
    (_line(kind="surgery", regimen="laparotomy", major_surgery=True, start=date(2026, 3, 9), ongoing=True), "not_met",
     "an operation still going on (concurrent): inside every washout window"),
])
def test_more_than_four_weeks_since_prior_and_no_concurrent_major_surgery(line: TherapyLine, expected: str,
                                                                          why: str) -> None:
    assert compiled_status(MAJOR_SURGERY, "inclusion", make_patient(treatments=[line])) == expected, why


@pytest.mark.parametrize("line, expected, why", [
    (_line(kind="radiotherapy", regimen="SBRT to liver", start=date(2026, 2, 1), end=date(2026, 2, 25)), "not_met",
     "radiotherapy ended 13 days ago"),
    (_line(kind="radiotherapy", regimen="radiotherapy to T10", start=date(2026, 3, 2), ongoing=True), "not_met",
     "radiotherapy going on now (concurrent)"),
    (_line(kind="radiotherapy", regimen="radiotherapy to T10", start=date(2025, 12, 1), end=date(2025, 12, 12)), "met",
     "three months ago"),
    (_line(kind="locoregional", agents=["tace"], start=date(2026, 3, 1), end=date(2026, 3, 1)), "met",
     "TACE is not radiotherapy"),
])
def test_more_than_three_weeks_since_prior_and_no_concurrent_radiotherapy(line: TherapyLine, expected: str,
                                                                          why: str) -> None:
    assert compiled_status(RADIOTHERAPY, "inclusion", make_patient(treatments=[line])) == expected, why


SINCE_TRIAL = ("At least 30 days since treatment with other experimental drugs or other anticancer therapy, or treatment "
               "in another clinical trial")  # NCT01009801 inc-41


@pytest.mark.parametrize("line, expected, why", [
    (_line(agents=["sorafenib"], start=date(2025, 6, 1), end=date(2026, 2, 20)), "not_met",
     "sorafenib stopped 18 days ago"),
    (_line(kind="other", regimen="study vaccine", investigational=True, start=date(2026, 1, 1), end=date(2026, 2, 25)),
     "not_met", "an investigational treatment in another trial 13 days ago"),
    (_line(agents=["sorafenib"], start=date(2025, 6, 1), end=date(2026, 2, 8)), "met", "sorafenib stopped 30 days ago"),
])
def test_at_least_30_days_since_experimental_or_anticancer_therapy_or_another_trial(line: TherapyLine, expected: str,
                                                                                     why: str) -> None:
    assert compiled_status(SINCE_TRIAL, "inclusion", make_patient(treatments=[line])) == expected, why


UNLESS_PROGRESSED = ("Has received any other systemic therapy for HCC within 3 weeks prior to treatment, Day\n  1. Prior "
                     "therapy is acceptable only if there is documented progression following completion of the "
                     "therapy.")  # NCT00081900 exc-2


@pytest.mark.parametrize("line, expected, why", [
    (_line(agents=["sorafenib"], start=date(2025, 6, 1), end=date(2026, 2, 27), stop_reason="progression",
           progression_date=date(2026, 2, 20)), "met", "sorafenib stopped 11 days ago: inside the 3-week washout"),
    (_line(agents=["sorafenib"], start=date(2025, 5, 1), end=date(2025, 12, 10), stop_reason="toxicity",
           best_response="SD"), "met", "stopped for toxicity with stable disease: progression not documented"),
    (_line(agents=["sorafenib"], start=date(2025, 5, 1), end=date(2025, 12, 1), stop_reason="progression"), "not_met",
     "ended three months ago with progression documented: acceptable"),
    (_line(agents=["sorafenib"], start=date(2025, 5, 1), end=date(2025, 12, 1)), "unknown",
     "ended three months ago, outcome not recorded: progression documented or not?"),
    (_line(kind="locoregional", agents=["tace"], start=date(2026, 3, 1), end=date(2026, 3, 1)), "not_met",
     "TACE is not systemic therapy (the localized-therapy washout is another criterion)"),
])
def test_systemic_washout_and_prior_therapy_only_after_documented_progression(line: TherapyLine, expected: str,
                                                                              why: str) -> None:
    assert compiled_status(UNLESS_PROGRESSED, "exclusion", make_patient(treatments=[line])) == expected, why
