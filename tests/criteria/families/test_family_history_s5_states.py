"""History states named in the present (issue 10, session 5, helper h51): an interstitial lung disease, a bleeding
diathesis and an arrhythmia are conditions the patient has now; a resolved one is not meant.

Each test quotes a criterion from a registry record in ../shared (ClinicalTrials.gov HINT HCC subset), a patient,
the verdict a clinician reads and why.  Screening date: ``AS_OF`` (2026-03-10).  The reading:
criteria/compiler/precision.py ``_STATES`` (this session added ``interstitial_lung_disease`` and ``bleeding_disorder``;
an earlier audit had left their tense for review, see tests/criteria/families/test_family_history.py).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient, stays_for_review

from hcctrials.model.patient import Condition

ILD = "Confirmed interstitial lung disease"  # NCT02029157 exclusion 16


@pytest.mark.parametrize(("conditions", "reviewed", "expected", "why"), [
    ([Condition(code="interstitial_lung_disease", name="idiopathic pulmonary fibrosis", status="active")], True, "met",
     "an idiopathic pulmonary fibrosis is an interstitial lung disease"),
    ([Condition(code="interstitial_lung_disease", name="NSIP on mycophenolate", status="controlled")], True, "met",
     "an interstitial lung disease kept stable by treatment is still present"),
    ([Condition(code="pneumonitis", name="checkpoint-inhibitor pneumonitis, ongoing", status="active")], True, "met",
     "an active pneumonitis is an interstitial lung disease now"),
    ([Condition(code="pneumonitis", name="drug pneumonitis, resolved without fibrosis", status="resolved",
                onset=date(2023, 5, 1), resolved_on=date(2023, 8, 1))], True, "not_met",
     "a pneumonitis that resolved three years ago is not an interstitial lung disease now"),
    ([], True, "not_met", "reviewed history without a lung disease"),
    ([], False, "unknown", "the pulmonary history was not taken"),
])
def test_confirmed_interstitial_lung_disease_is_the_present_one(conditions: list[Condition], reviewed: bool,
                                                                 expected: str, why: str) -> None:
    assert compiled_status(ILD, "exclusion", make_patient(conditions=conditions, history_reviewed=reviewed)) == expected, why


def test_a_history_of_pneumonitis_alone_keeps_its_tense_for_review() -> None:
    # a pneumonitis is an episode, not a state: "Pneumonitis" bare may mean any past one
    stays_for_review("Pneumonitis", "exclusion")


DIATHESIS = "No bleeding diathesis."  # NCT01306058 exclusion 7 (a requirement copied into the exclusion list)


@pytest.mark.parametrize(("conditions", "expected", "why"), [
    ([Condition(code="bleeding_disorder", name="haemophilia A", status="active")], "met", "an inherited bleeding diathesis"),
    ([Condition(code="bleeding_disorder", name="immune thrombocytopenia in remission", status="resolved",
                onset=date(2010, 1, 1), resolved_on=date(2014, 1, 1))], "not_met",
     "an ITP in remission for 12 years is not a bleeding diathesis now"),
    ([], "not_met", "reviewed history without a bleeding disorder"),
])
def test_no_bleeding_diathesis_excludes_a_present_diathesis(conditions: list[Condition], expected: str, why: str) -> None:
    assert compiled_status(DIATHESIS, "exclusion", make_patient(conditions=conditions)) == expected, why


ARRHYTHMIAS = "Patients with arrhythmias."  # NCT02291133 exclusion 12


@pytest.mark.parametrize(("conditions", "reviewed", "expected", "why"), [
    ([Condition(code="arrhythmia", name="atrial fibrillation, rate-controlled on bisoprolol", status="controlled")], True,
     "met", "a patient with atrial fibrillation controlled by treatment has an arrhythmia"),
    ([Condition(code="arrhythmia", name="AVNRT cured by ablation", status="resolved", onset=date(2018, 1, 1),
                resolved_on=date(2019, 1, 1))], True, "not_met", "an arrhythmia cured years ago is not present now"),
    ([Condition(code="arrhythmia", name="palpitations, Holter pending")], True, "unknown",
     "an arrhythmia recorded without saying whether it is still present"),
    ([], False, "unknown", "the cardiac history was not taken"),
])
def test_patients_with_arrhythmias_is_the_present_arrhythmia(conditions: list[Condition], reviewed: bool, expected: str,
                                                             why: str) -> None:
    assert compiled_status(ARRHYTHMIAS, "exclusion",
                           make_patient(conditions=conditions, history_reviewed=reviewed)) == expected, why


@pytest.mark.parametrize("text", [
    "Serious cardiac arrhythmias.",  # NCT00619541 exclusion 3: 'serious' is not read
    "Cardiac arrhythmia",  # a plain noun: current, or ever?
])
def test_other_arrhythmia_wordings_stay_for_review(text: str) -> None:
    stays_for_review(text, "exclusion")


def test_history_of_symptomatic_peripheral_vascular_disease() -> None:
    # the code is recorded for symptomatic peripheral arterial disease only (docs/patients.md)
    text = "History of symptomatic peripheral vascular disease"
    claudication = Condition(code="peripheral_vascular_disease", name="intermittent claudication", status="controlled")
    assert compiled_status(text, "exclusion", make_patient(conditions=[claudication])) == "met"
    assert compiled_status(text, "exclusion", make_patient()) == "not_met"
    stays_for_review("Severe peripheral vascular disease", "exclusion")


# NCT01258608 exclusion 22
RENAL = ("Acute or chronic severe renal insufficiency (glomoerular filtration rate <30 milliliters [mL]/minute/1.73 square "
         "meters) or acute renal insufficiency of any severity due to the hepato-renal syndrome.")


@pytest.mark.parametrize(("egfr", "conditions", "expected", "why"), [
    (22.0, [], "met", "eGFR 22 < 30: severe renal insufficiency"),
    (48.0, [Condition(code="hepatorenal_syndrome", name="HRS-AKI on terlipressin", status="active")], "met",
     "a hepatorenal acute kidney injury counts at any severity"),
    (70.0, [Condition(code="hepatorenal_syndrome", name="HRS 2023", status="resolved", onset=date(2023, 2, 1),
                      resolved_on=date(2023, 3, 1))], "not_met", "the hepatorenal syndrome resolved three years ago"),
    (78.0, [], "not_met", "normal renal function and a reviewed history"),
])
def test_severe_or_hepatorenal_renal_insufficiency(egfr: float, conditions: list[Condition], expected: str,
                                                   why: str) -> None:
    from helpers_criteria import lab

    patient = make_patient(conditions=conditions, labs={"egfr": lab("egfr", egfr, "mL/min/1.73m2")})
    assert compiled_status(RENAL, "exclusion", patient) == expected, why
