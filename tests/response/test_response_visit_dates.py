"""Dates out of order when there is no visit number (docs/response.md "Validation").

Without a numeric ``visit`` column the scan date orders the time points, so what can be out
of order is: one date carrying two visit labels, a baseline (screening) visit dated after a
post-baseline one or after first dose, scan dates of one time point further apart than
``visit_window_days``, and assessments before baseline (RECIST 1.1 [E09 1.1]: baseline is
the last assessment on or before first dose).  Errors name subject, visit and lesion.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hcctrials.response import (
    ResponseInputError, ResponseSettings, VisitDateInconsistency, check_assessments,
    derive_responses,
)


def _err(df, **kw):
    with pytest.raises(ResponseInputError) as info:
        derive_responses(df, {"S1": date(2024, 1, 1)}, **kw)
    return str(info.value)


def _two_targets(series, days=(-7, 56, 112)):
    return series(days=days, targets={"T1": [50, 40, 40][: len(days)],
                                       "T2": [30, 30, 30][: len(days)]})


def test_same_date_two_visit_labels_is_an_error(series):
    df = _two_targets(series)
    df["visit"] = ["Screening", "Screening", "Week 8", "Week 16", "Week 16", "Week 16"]
    msg = _err(df)
    assert "one scan date of a subject carries different visit labels" in msg
    assert "subject S1" in msg and "visit 2024-02-26" in msg and "lesion T1" in msg
    assert "Week 16" in msg and "Week 8" in msg
    # found without first doses too (row-level check)
    with pytest.raises(ResponseInputError):
        check_assessments(df)


def test_unscheduled_labels_and_missing_labels_are_not_conflicts(series, run):
    df = _two_targets(series)
    df["visit"] = ["Screening", "Screening", "Week 8", "Unscheduled", None, "Week 16"]
    assert run(df).visits["overall_response"].tolist() == ["SD", "SD"]


def test_screening_dated_after_post_baseline_visit(series):
    df = _two_targets(series)
    df["visit"] = ["Week 8", "Week 8", "Screening", "Screening", "Week 16", "Week 16"]
    msg = _err(df)
    assert "baseline (screening) visit dated after a post-baseline visit" in msg
    assert "subject S1" in msg and "visit 2024-02-26" in msg and "lesion T1" in msg
    assert "'Screening'" in msg


def test_screening_dated_after_first_dose(series):
    """An earlier unlabelled scan is the baseline; a 'Screening' scan on day 3 is not."""
    df = series(days=(-30, 3, 56), targets={"T1": [50, 50, 40]})
    df["visit"] = [None, "Screening", "Week 8"]
    msg = _err(df)
    assert "baseline (screening) visit dated after the first dose" in msg
    assert "visit 2024-01-04" in msg and "lesion T1" in msg


def test_time_point_merging_two_labelled_visits_is_an_error(series):
    df = _two_targets(series, days=(-7, 56))
    df["visit"] = ["Screening", "Screening", "Week 8", "Week 16"]
    df.loc[3, "visit_date"] = date(2024, 2, 28)
    msg = _err(df, settings=ResponseSettings(visit_window_days=3))
    assert "one time point" in msg and "different visit labels" in msg
    assert "'Week 16'" in msg and "'Week 8'" in msg


def test_visit_split_across_time_points_is_a_named_finding(series, run):
    """One labelled visit scanned on days 56 and 58 with the default window 0: scored as two
    (NE) time points, named; with a 2-day window one time point, no finding."""
    df = _two_targets(series, days=(-7, 56))
    df["visit"] = ["Screening", "Screening", "Week 8", "Week 8"]
    df.loc[3, "visit_date"] = date(2024, 2, 28)
    r = run(df)
    split = r.findings[r.findings["code"] == "VISIT_SPLIT_ACROSS_TIMEPOINTS"]
    assert split["lesion_id"].tolist() == ["T1", "T2"]
    assert "2024-02-26, 2024-02-28" in split["message"].iloc[0]
    assert any(isinstance(w, VisitDateInconsistency) for w in r.warnings())
    ok = run(df, visit_window_days=2)
    # SOD 40 + 30 = 70 mm vs baseline 80 mm: -12.5%, neither PR (<= 56) nor PD [E09 1.3]
    assert ok.visits["overall_response"].tolist() == ["SD"]
    assert "VISIT_SPLIT_ACROSS_TIMEPOINTS" not in ok.findings["code"].tolist()


def test_chained_time_point_wider_than_window_is_named(series, run):
    """Dates 56, 59, 62 with a 3-day window chain into one time point spanning 6 days."""
    df = series(days=(-7, 56), targets={"T1": [50, 30], "T2": [50, 30], "T3": [50, 30]},
                 organs={"T1": "liver", "T2": "lung", "T3": "bone"})
    df.loc[4, "visit_date"] = date(2024, 2, 29)
    df.loc[5, "visit_date"] = date(2024, 3, 3)
    r = run(df, visit_window_days=3)
    # SOD 90 mm <= 0.7 x 150 mm = 105 mm: PR [E09 1.3]
    assert r.visits["overall_response"].tolist() == ["PR"]
    wide = r.findings[r.findings["code"] == "TIMEPOINT_SPAN_EXCEEDS_WINDOW"]
    assert wide["subject_id"].tolist() == ["S1"] and wide["lesion_id"].tolist() == ["T3"]
    assert "2024-02-26 to 2024-03-03 (6 days)" in wide["message"].iloc[0]
    assert run(df, visit_window_days=6).findings.empty


def test_assessment_before_baseline_names_subject_visit_lesion(series):
    df = series(days=(-30, -7, 56), targets={"T1": [50, 50, 40]})
    msg = _err(df)
    assert "measurement before baseline" in msg
    assert "subject S1" in msg and "visit 2023-12-02" in msg and "lesion T1" in msg


def test_numeric_visits_checked_even_with_some_text_labels(series):
    df = _two_targets(series)
    df["visit"] = ["Screening", "Screening", 3, 3, 2, 2]
    msg = _err(df)
    assert "out of order" in msg and "subject S1" in msg and "lesion T1" in msg


def test_early_errors_name_subject_and_lesion(series):
    """Row-level errors (before baseline checks) name subject and lesion, not None."""
    df = _two_targets(series, days=(-7, 56))
    msg = _err(pd.concat([df, df.iloc[[2]]]))
    assert "duplicate row" in msg and "subject S1" in msg and "lesion T1" in msg
