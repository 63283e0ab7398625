"""Washouts written as an interval from a named prior therapy (issue 10, prior therapy and washout families).

A patient, a criterion, the verdict a clinician reads and why.  Sentences quoted from the HINT HCC
subset in ../shared; screening (as_of) is helpers_criteria.AS_OF.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import TherapyLine

TACE_28 = "Prior transarterial chemo-embolization (TACE) at least 28 days prior to initiation of protocol therapy."
RESECTION_4W = "Prior liver resection is permitted as long as the interval between surgery and enrollment is at least 4 weeks."


def _status(text: str, role: str, *lines: TherapyLine) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(make_patient(treatments=list(lines), history_reviewed=True), AS_OF)).status


def _done(kind: str, regimen: str, days_ago: int | None) -> TherapyLine:
    day = AS_OF - timedelta(days=days_ago) if days_ago is not None else None
    return TherapyLine(kind=kind, regimen=regimen, start=day, end=day)  # type: ignore[arg-type]


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_done("locoregional", "TACE", 52)], "met", "TACE 52 days before screening: at least 28 days"),
    ([_done("locoregional", "TACE", 28)], "met", "exactly 28 days: 'at least 28' allows it"),
    ([_done("locoregional", "TACE", 12)], "not_met", "TACE 12 days ago"),
    ([_done("locoregional", "TACE", 90), _done("locoregional", "TACE", 10)], "not_met", "the last TACE was 10 days ago"),
    ([_done("locoregional", "radiofrequency ablation", 200)], "not_met", "no prior TACE at all: the inclusion names one"),
])
def test_prior_tace_at_least_28_days(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert _status(TACE_28, "inclusion", *lines) == expected, why


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_done("surgery", "left lateral sectionectomy", 137)], "met", "resection months ago"),
    ([_done("surgery", "hepatectomy", 17)], "not_met", "resection 2.5 weeks ago"),
    ([], "met", "no resection: the permission does not require one"),
    ([TherapyLine(kind="surgery", regimen="liver resection, date not recorded")], "unknown", "when is not known"),
    ([_done("surgery", "segmentectomy", 17)], "unknown", "'segmentectomy' alone: liver or lung? not guessed"),
])
def test_resection_permitted_after_four_weeks(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert _status(RESECTION_4W, "inclusion", *lines) == expected, why


def test_the_permission_in_an_exclusion_list_is_not_read_as_a_washout() -> None:
    # which way a permission cuts when it is filed under exclusions is for the site: listed, never decided
    rule = compile_criterion(RESECTION_4W, role="exclusion")
    assert "prior therapy" not in describe(rule)


def test_an_interval_with_more_conditions_stays_in_review() -> None:
    text = "Prior sorafenib therapy at least 2 weeks prior to randomization, with documented progression"
    assert not is_fully_compiled(compile_criterion(text, role="inclusion"))


SBRT_ANCHOR = ("Have received radiation therapy, major surgery, other locoregional therapy, within 4 weeks prior to the "
               "first date of SBRT")


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_done("radiotherapy", "SBRT to liver segment VII", 200)], "not_met",
     "SBRT months ago: the SBRT named in the text is the study treatment (the window's anchor), not an exclusion"),
    ([_done("locoregional", "TACE", 10)], "met", "TACE 10 days ago: locoregional therapy within 4 weeks"),
    ([_done("surgery", "hepatectomy", 20)], "met", "liver resection 20 days ago"),
])
def test_the_therapy_after_prior_to_is_the_anchor(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert _status(SBRT_ANCHOR, "exclusion", *lines) == expected, why


# "At least 14 days must have elapsed since 1) previous systemic therapy (28 days for bevacizumab) ..., 2) last dose of
# radiation therapy or surgery (28 days for major surgery)." (NCT01012362 inc-4) is read whole since session 6, with
# both of its own windows (criteria/families/medication_readers.py; bevacizumab 21 days ago fails:
# tests/criteria/families/test_family_therapy_s6_medications.py)
@pytest.mark.parametrize(("text", "role"), [
    # a count inside the list: seven prior TACE would pass a reading without it
    ("At least 4 weeks since prior transarterial embolization/chemoembolization [limited to 5 treatments], radiofrequency "
     "ablation, cryoablation, radiation therapy or percutaneous ethanol injection", "inclusion"),
    # the order of therapies: locoregional therapy after systemic therapy (ever), not systemic therapy within 28 days
    ("Hepatic locoregional therapy following prior systemic therapy or within 28 days prior to randomization.", "exclusion"),
])
def test_washouts_with_terms_of_their_own_stay_in_review(text: str, role: str) -> None:
    assert not is_fully_compiled(compile_criterion(text, role=role))  # type: ignore[arg-type]
