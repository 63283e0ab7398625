"""Cohort batch evaluation (Arrow in, Arrow out) agrees with single-patient matching; landscape counts."""

from __future__ import annotations

from datetime import date

from helpers_matching import make_trial

from hcctrials.matching.cohort import build_cohort_catalog, evaluate_cohort_batch, patients_to_batch
from hcctrials.matching.landscape import derive_landscape_rows, summarise_landscape
from hcctrials.matching.matcher import match_patient
from hcctrials.model.patient import LabResult, Patient, TherapyLine

AS_OF = date(2024, 3, 10)


def test_batch_matches_single_patient(seed_trials) -> None:  # type: ignore[no-untyped-def]
    trials = list(seed_trials.values())
    patients = [
        Patient(patient_id="A", birth_date=date(1960, 1, 1), treatments=[TherapyLine(
            agents=["durvalumab"], start=date(2023, 1, 1), progression_date=date(2023, 9, 1))]),
        Patient(patient_id="B", birth_date=date(1990, 1, 1), ecog=1,
                labs=[LabResult(analyte="platelets", value=50, unit="10^9/L", date=date(2024, 3, 1))]),
    ]
    table = evaluate_cohort_batch(patients_to_batch(patients), build_cohort_catalog(trials, as_of=AS_OF))
    assert table.num_rows == len(patients) * len(trials)
    rows = {(r["patient_id"], r["trial_id"]): r for r in table.to_pylist()}
    for p in patients:
        single = match_patient(p, trials, as_of=AS_OF, include_ineligible=True, include_closed=True,
                               include_irrelevant=True)
        for m in single.matches:
            # the relevance gate is the same: a trial of another condition is "other_condition" in the screen
            expected = m.verdict if m.relevance.relevant else "other_condition"
            assert rows[(p.patient_id, m.trial_id)]["verdict"] == expected
            if m.verdict == "ineligible":
                assert rows[(p.patient_id, m.trial_id)]["deciding"]


def test_landscape_counts_distinct_trials() -> None:
    trials = [
        make_trial("NCT00000001", brief_title={"en": "Atezolizumab as first-line therapy in advanced HCC"},
                   phases=["phase3"], dates={"study_start": "2020-01"},
                   interventions=[{"type": "drug", "name": {"en": "atezolizumab"}}]),
        make_trial("NCT00000002", brief_title={"en": "Sintilimab second-line in advanced HCC"}, phases=["phase2"],
                   dates={"study_start": "2021"}, interventions=[{"type": "drug", "name": {"en": "sintilimab"}}]),
        make_trial("NCT00000003", brief_title={"en": "Tislelizumab as second-line treatment of advanced HCC"},
                   phases=["phase2"], dates={"study_start": "2021-06"}),
    ]
    summary = summarise_landscape(derive_landscape_rows(trials))
    by_class = summary["setting_by_class"]
    assert by_class.loc["advanced_second_line_plus", "pd1"] == 2
    assert by_class.loc["advanced_first_line", "pdl1"] == 1
    assert summary["setting_by_start_year"].loc["advanced_second_line_plus", 2021] == 2
    assert summary["long"]["trials"].sum() == 3


def test_screen_gates_trials_of_other_conditions() -> None:
    """An obesity trial is never eligible for an HCC patient in the cohort screen (issue 10)."""
    trials = [
        make_trial("NCT00000001", brief_title={"en": "Semaglutide in adults with obesity"},
                   conditions=[{"en": "Obesity"}], eligibility={"inclusion": [{"en": "Age 18 years or older"}]}),
        make_trial("NCT00000002", brief_title={"en": "Lenvatinib in advanced hepatocellular carcinoma"},
                   conditions=[{"en": "Hepatocellular Carcinoma"}], eligibility={"inclusion": [{"en": "Age 18 years or older"}]}),
    ]
    patient = Patient(patient_id="P", birth_date=date(1960, 1, 1))
    table = evaluate_cohort_batch(patients_to_batch([patient]), build_cohort_catalog(trials, as_of=AS_OF))
    verdicts = {r["trial_id"]: r["verdict"] for r in table.to_pylist()}
    assert verdicts == {"NCT00000001": "other_condition", "NCT00000002": "eligible"}
