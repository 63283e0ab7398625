"""Two registry cardiac exclusions read as a whole (issue 10, session 5, helper h51; criteria/families/cardiac.py).

Each test quotes the criterion from its record in ../shared (ClinicalTrials.gov HINT HCC subset), a patient, the verdict
a clinician reads and why.  Screening date: ``AS_OF`` (2026-03-10).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient, stays_for_review

from hcctrials.model.patient import Condition

# NCT01337492 exclusion 1 (the sorafenib label's cardiac exclusion)
NCI_CARDIAC = ("Cardiac disease: Congestive heart failure > class II New York Heart Association (NYHA). Patients must not "
               "have unstable angina (anginal symptoms at rest) or new onset angina (began within the last 3 months) or "
               "myocardial infarction within the past 6 months.")


@pytest.mark.parametrize(("conditions", "expected", "why"), [
    ([Condition(code="heart_failure", name="CHF", nyha_class=3, status="active")], "met", "NYHA III is worse than class II"),
    ([Condition(code="heart_failure", name="CHF", nyha_class=2, status="controlled")], "not_met",
     "NYHA II is not worse than class II (the class has no window here)"),
    ([Condition(code="angina", name="exertional angina", onset=date(2026, 1, 20), status="active")], "met",
     "angina that began seven weeks ago is new onset angina"),
    ([Condition(code="angina", name="stable angina on nitrates", onset=date(2020, 1, 1), status="controlled")], "not_met",
     "angina that began six years ago is not new onset, and it is stable"),
    ([Condition(code="angina", name="exertional angina", status="active")], "unknown", "when the angina began is not recorded"),
    ([Condition(code="unstable_angina", name="unstable angina, stented", onset=date(2025, 12, 1), status="resolved",
                resolved_on=date(2025, 12, 5))], "met", "unstable angina three months ago, within the 6 months"),
    ([Condition(code="myocardial_infarction", name="STEMI", onset=date(2025, 1, 1), status="history")], "not_met",
     "an infarction 14 months ago is outside the 6 months"),
])
def test_the_sorafenib_cardiac_exclusion(conditions: list[Condition], expected: str, why: str) -> None:
    assert compiled_status(NCI_CARDIAC, "exclusion", make_patient(conditions=conditions)) == expected, why


def test_the_same_words_in_a_longer_list_stay_for_review() -> None:
    # NCT01203787: the paragraph is item 1 of a numbered list with other items: not read as a whole here
    stays_for_review("Contraindications to sorafenib\n  1. " + NCI_CARDIAC + "\n  2. Cardiac ventricular arrhythmias "
                     "requiring anti-arrhythmic therapy", "exclusion")


# NCT01171924 exclusion 3
CARDIAC_6_MONTHS = ("History of cardiac disease with a New York Heart Association (NYHA) Class II or greater congestive heart "
                    "failure (CHF), myocardial infarction (MI) or unstable angina in the past 6 months prior to Day 1 of "
                    "treatment, serious arrhythmias requiring medication for treatment.")


@pytest.mark.parametrize(("conditions", "expected", "why"), [
    ([Condition(code="heart_failure", name="CHF", nyha_class=2, status="controlled")], "met", "NYHA II heart failure today"),
    ([Condition(code="heart_failure", name="CHF", nyha_class=1, status="controlled")], "unknown",
     "class I today; whether it was class II or worse within the 6 months is not recorded"),
    ([Condition(code="myocardial_infarction", name="NSTEMI", onset=date(2025, 12, 20), status="history")], "met",
     "an infarction 11 weeks ago"),
    ([Condition(code="arrhythmia", name="atrial fibrillation on flecainide", status="controlled",
                requires_systemic_treatment=True)], "met", "an arrhythmia that needs antiarrhythmic medication"),
    ([Condition(code="arrhythmia", name="isolated ectopic beats, no treatment", status="active",
                requires_systemic_treatment=False)], "not_met", "an arrhythmia that needs no medication"),
    ([], "not_met", "a reviewed history without cardiac disease"),
])
def test_cardiac_disease_in_the_past_6_months(conditions: list[Condition], expected: str, why: str) -> None:
    assert compiled_status(CARDIAC_6_MONTHS, "exclusion", make_patient(conditions=conditions)) == expected, why


def test_an_arrhythmia_exception_stays_for_review() -> None:
    # "other than beta blockers or digoxin" narrows the arrhythmia item: the paragraph reader does not take it
    stays_for_review(CARDIAC_6_MONTHS.replace("for treatment.", "other than beta blockers or digoxin."), "exclusion")
