"""TEAE flags and tables on a small literal table (counts worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from hcctrials.endpoints.safety import (
    derive_ae_by_grade, derive_ae_by_term, derive_exposure, derive_safety_overview, derive_teae,
)
from hcctrials.errors import ValidationError

SUBJ = pd.DataFrame({"subject_id": ["S1", "S2"], "first_dose_date": ["2025-01-01", "2025-01-10"]})
DOSE = pd.DataFrame({"subject_id": ["S1", "S1", "S2"], "drug": ["x", "x", "x"], "cycle": [1, 2, 1],
                     "dose_date": ["2025-01-01", "2025-01-22", "2025-01-10"],
                     "planned_dose": [100, 100, 100], "actual_dose": [100, 50, 100]})
AE = pd.DataFrame({
    "subject_id": ["S1", "S1", "S1", "S2", "S2"],
    "ae_term": ["Hypertension", "Hypertension", "Rash", "Hypertension", "Fatigue"],
    "soc": ["Vascular disorders", "Vascular disorders", "Skin", "Vascular disorders", "General"],
    "ctcae_grade": [2, 3, 1, 1, 2],
    # S2 fatigue before first dose -> not treatment-emergent; S1 rash on day 30 after last dose
    "start_date": ["2025-01-05", "2025-02-01", "2025-02-21", "2025-01-12", "2025-01-05"],
    "serious": [False, True, False, False, False], "aesi": [False, False, True, False, False],
    "led_to_discontinuation": [False, True, False, False, False],
})


def test_teae_window_and_tables() -> None:
    t = derive_teae(AE, SUBJ, DOSE)
    assert list(t["teae"]) == [True, True, True, True, False]
    ov = derive_safety_overview(t, 2).set_index("category")
    assert ov.loc["Any TEAE", "subjects"] == 2
    assert ov.loc["Grade >= 3 TEAE", "subjects"] == 1
    assert ov.loc["Serious TEAE", "n_pct"] == "1 (50.0%)"
    by = derive_ae_by_term(t, 2).set_index("ae_term")
    assert by.loc["Hypertension", "any_grade"] == 2 and by.loc["Hypertension", "grade_3_plus"] == 1
    g = derive_ae_by_grade(t, 2).set_index("ae_term")
    assert g.loc["Hypertension", "grade_3"] == 1 and g.loc["Hypertension", "grade_1"] == 1
    assert list(derive_ae_by_term(t, 2, subset="aesi")["ae_term"]) == ["Rash"]


def test_exposure() -> None:
    e = derive_exposure(DOSE).set_index("subject_id")
    assert e.loc["S1", "cycles"] == 2 and e.loc["S1", "relative_dose_intensity"] == 0.75
    assert e.loc["S1", "duration_days"] == 22


def test_bad_grade_and_unknown_subject() -> None:
    bad = AE.copy()
    bad.loc[0, "ctcae_grade"] = 6
    with pytest.raises(ValidationError, match="subject S1.*CTCAE"):
        derive_teae(bad, SUBJ, DOSE)
    bad = AE.copy()
    bad.loc[0, "subject_id"] = "S9"
    with pytest.raises(ValidationError, match="S9"):
        derive_teae(bad, SUBJ, DOSE)
