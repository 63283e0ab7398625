"""Validation of the assessment table: each problem of issue 5 gives a clear error naming
subject, visit and lesion; nothing is silently dropped (RECIST 1.1 1.1-1.2 [E09, S16])."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hcctrials.errors import ValidationError
from hcctrials.response import ResponseInputError, check_assessments, derive_responses


def _err(df, doses=None, **kw):
    with pytest.raises(ResponseInputError) as info:
        derive_responses(df, doses or {"S1": date(2024, 1, 1)}, **kw)
    return str(info.value)


def test_error_is_a_validation_error():
    assert issubclass(ResponseInputError, ValidationError)


def test_target_without_baseline(series):
    df = series(days=(-7, 56), targets={"T1": [50, 40]})
    late = df.iloc[[1]].assign(lesion_id="T9")
    msg = _err(pd.concat([df, late]))
    assert "target lesion without a baseline" in msg
    assert "subject S1" in msg and "lesion T9" in msg and "2024-02-26" in msg


def test_more_than_five_targets(series):
    df = series(days=(-7, 56), targets={f"T{i}": [20, 20] for i in range(6)})
    assert "more than 5 target lesions" in _err(df)


def test_more_than_two_targets_per_organ(series):
    df = series(days=(-7, 56), targets={"T1": [20, 20], "T2": [20, 20], "T3": [20, 20]},
                organs={"T1": "Liver", "T2": "liver", "T3": "LIVER"})
    assert "more than 2 target lesions in one organ" in _err(df)


def test_paired_organs_and_nodes_count_as_one_organ(series):
    lungs = series(days=(-7, 56), targets={"T1": [20, 20], "T2": [20, 20], "T3": [20, 20]},
                   organs={"T1": "left lung", "T2": "right lung", "T3": "lungs"})
    assert "one organ" in _err(lungs)
    nodes = series(days=(-7, 56), targets={"N1": [20, 20], "N2": [20, 20], "N3": [20, 20]},
                   organs={"N1": "neck", "N2": "axilla", "N3": "groin"}, nodes=["N1", "N2", "N3"])
    assert "one organ" in _err(nodes)


def test_measurement_before_baseline(series):
    df = series(days=(-30, -7, 56), targets={"T1": [50, 50, 40]})
    msg = _err(df)
    assert "measurement before baseline" in msg and "2023-12-02" in msg


def test_no_baseline_before_first_dose(series):
    df = series(days=(3, 56), targets={"T1": [50, 40]})
    assert "no baseline assessment" in _err(df)


@pytest.mark.parametrize(("value", "text"), [(-1, "negative"), ("abc", "not a number"),
                                              (12.345, "more than two decimals")])
def test_bad_diameters(series, value, text):
    df = series(days=(-7, 56), targets={"T1": [50, 40]}).astype({"diameter_mm": object})
    df.loc[1, "diameter_mm"] = value
    msg = _err(df)
    assert text in msg and "lesion T1" in msg and "diameter_mm" in msg


def test_duplicate_rows(series):
    df = series(days=(-7, 56), targets={"T1": [50, 40]})
    assert "duplicate row" in _err(pd.concat([df, df.iloc[[1]]]))


def test_dates_out_of_order_against_visit_number(series):
    df = series(days=(-7, 56, 112), targets={"T1": [50, 40, 40]})
    df["visit"] = [1, 3, 2]
    assert "out of order" in _err(df)


def test_bad_date_and_role(series):
    df = series(days=(-7, 56), targets={"T1": [50, 40]}).astype({"visit_date": object})
    df.loc[1, "visit_date"] = "2024-02-31"
    assert "not a date" in _err(df)
    df = series(days=(-7, 56), targets={"T1": [50, 40]})
    df.loc[1, "lesion_role"] = "maybe"
    assert "unknown lesion role" in _err(df)


def test_target_not_measurable_at_baseline(series):
    assert "under 10 mm" in _err(series(days=(-7, 56), targets={"T1": [9.9, 9]}))
    assert "under 15 mm" in _err(series(days=(-7, 56), targets={"N1": [14.9, 9]}, nodes=["N1"]))


def test_subject_without_first_dose(series):
    df = series(days=(-7, 56), targets={"T1": [50, 40]})
    assert "no first-dose date" in _err(df, {"S2": date(2024, 1, 1)})


def test_lesion_changing_role(series):
    df = series(days=(-7, 56), targets={"T1": [50, 40]})
    df.loc[1, "lesion_role"] = "non_target"
    assert "changes role" in _err(df)


def test_check_assessments_without_doses_returns_normalised(series):
    df = series(days=(-7, 56), targets={"T1": [50, 40.5]})
    out = check_assessments(df)
    assert out["d"].tolist() == [5000, 4050]   # exact hundredths of a mm
    assert len(out) == len(df)                 # nothing dropped


def test_visit_window_merges_scan_dates(series, run):
    """CT chest day 56 and MRI liver day 58 are one time point with window 3 days."""
    df = series(days=(-7, 56), targets={"T1": [50, 30], "T2": [50, 30]},
                organs={"T1": "liver", "T2": "lung"})
    df.loc[3, "visit_date"] = date(2024, 2, 28)
    assert len(run(df).visits) == 2            # two time points, both NE
    r = run(df, visit_window_days=3)
    assert r.visits["overall_response"].tolist() == ["PR"]
    assert str(r.visits["visit_date"].iloc[0].date()) == "2024-02-26"
