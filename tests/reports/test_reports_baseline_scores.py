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
    assert (row.child_pugh, row.albi, row.bclc, row.cnlc) == ("A5", "Grade 1", "C", "IIIb")
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


def test_baseline_categories_follow_clinical_order_not_counts() -> None:
    # BCLC 0 < A < B < C < D (Reig 2022) and CNLC Ia ... IV, whatever the counts; yes before no;
    # no raw True/False; units in the labels.

    from hcctrials.reports.baseline import derive_baseline_table
    from hcctrials.reports.load import load_study

    treated = load_study("example").treated
    groups, _notes = derive_baseline_table(treated.assign(subject_id=treated["subject_id"].astype(str)))
    by = {g.characteristic: [c for c, _v in g.rows] for g in groups}
    assert by["BCLC stage"] == ["A", "B", "C", "D"]          # C is the most frequent, yet third
    assert by["CNLC stage"] == ["Ia", "Ib", "IIa", "IIIa", "IIIb"]
    assert by["Child-Pugh class and points"] == ["A5", "A6", "B7"]
    assert by["ALBI grade"] == ["Grade 1", "Grade 2"]
    assert by["Macrovascular invasion"] == ["Yes", "No"]
    assert by["Sex"] == ["Male", "Female"]
    assert by["ECOG performance status"] == ["0", "1"]
    assert "Age, years" in by and "Bilirubin, umol/L" in by and "AFP, ng/mL" in by
    cells = [c for g in groups for row in g.rows for c in row]
    assert not any(c in ("True", "False", "M", "F") for c in cells)


def test_baseline_in_chinese() -> None:
    from hcctrials.reports.baseline import derive_baseline_table
    from hcctrials.reports.load import load_study

    treated = load_study("example").treated
    groups, _ = derive_baseline_table(treated.assign(subject_id=treated["subject_id"].astype(str)), lang="zh")
    by = {g.characteristic: [c for c, _v in g.rows] for g in groups}
    assert by["性别"] == ["男", "女"]
    assert by["大血管侵犯"] == ["是", "否"]
    assert by["ALBI分级"] == ["1级", "2级"]
