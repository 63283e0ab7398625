"""The report's baseline table computes liver scores with hcctrials.scores."""

from __future__ import annotations

import pandas as pd

from hcctrials.reports.baseline import compute_liver_scores


def test_liver_scores_for_one_subject_follow_the_published_rules() -> None:
    # Child-Pugh (Pugh 1973, INR adaptation; hcc-domain.md 1.1): bilirubin 11 umol/L (<34.2) 1,
    # albumin 39.8 g/L (>35) 1, INR 0.99 (<1.7) 1, no ascites 1, no encephalopathy 1 -> A5.
    # ALBI (Johnson 2015): 0.66*log10(11) - 0.085*39.8 = -2.696 <= -2.60 -> grade 1.
    # BCLC 2022 (Reig 2022): macrovascular invasion/extrahepatic spread, ECOG 0, CP A -> C.
    # CNLC 2024: extrahepatic metastasis -> IIIb.
    subjects = pd.DataFrame([{
        "subject_id": "S1", "bilirubin_umol_l": 11.0, "albumin_g_l": 39.8, "inr": 0.99,
        "ascites": "none", "encephalopathy": "none", "ecog": 0, "nodule_count": 2,
        "largest_diameter_cm": 8.5, "macrovascular_invasion": True, "extrahepatic_spread": True,
    }])
    table, notes = compute_liver_scores(subjects)
    row = table.iloc[0]
    assert (row.child_pugh, row.albi, row.bclc, row.cnlc) == ("A5", "grade 1", "C", "IIIb")
    assert notes == []


def test_missing_inputs_give_an_undetermined_stage_not_a_guess() -> None:
    subjects = pd.DataFrame([{
        "subject_id": "S2", "bilirubin_umol_l": 11.0, "albumin_g_l": float("nan"), "inr": 1.0,
        "ascites": "none", "encephalopathy": "none", "ecog": 0,
        "macrovascular_invasion": False, "extrahepatic_spread": False,
    }])
    table, notes = compute_liver_scores(subjects)
    row = table.iloc[0]
    assert row.child_pugh.endswith("(incomplete)")
    assert row.albi == "unknown"
    assert row.bclc.startswith("undetermined")
    assert any("S2" in n and "albumin" in n for n in notes)
