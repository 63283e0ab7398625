"""imRECIST [H18] (spec section 4, pitfall 12) and seed 000's imRECIST rules: a PD followed
>= 4 weeks later by response or stable disease is not a progression event."""

from __future__ import annotations


def ovr(r):
    return r.visits["overall_response"].tolist()


def prog(r):
    v = r.subjects["first_progression_date"].iloc[0]
    return None if str(v) == "NaT" else str(v.date())


def test_non_target_progression_never_defines_pd(series, run):
    df = series(days=(-7, 56), targets={"T1": [50, 45]},
                non_targets={"NT1": ["present", "unequivocal_progression"]})
    assert ovr(run(df, "recist11")) == ["PD"]
    assert ovr(run(df, "imrecist")) == ["iSD"]


def test_non_measurable_new_lesion_not_pd_but_blocks_cr(series, run):
    """New 8 mm (non-measurable) lesion: no PD; targets gone -> iPR, not iCR."""
    df = series(days=(-7, 56), targets={"T1": [50, 0]}, new={"NL": [None, 8]})
    assert ovr(run(df, "recist11")) == ["PD"]
    assert ovr(run(df, "imrecist")) == ["iPR"]


def test_new_measurable_lesion_added_to_burden(series, run):
    """Baseline 50, nadir 40; then targets 40 + new 10 mm = 50 (>= 48, +10 mm): PD."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 40, 40]}, new={"NL": [None, None, 10]}),
            "imrecist")
    assert ovr(r) == ["iSD", "iUPD"]
    assert r.visits["tumour_burden_mm"].tolist() == [40.0, 50.0]
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 40, 38]}, new={"NL": [None, None, 10]}),
            "imrecist")   # 48 = 1.2 x 40, +8 mm: inclusive
    assert ovr(r) == ["iSD", "iUPD"]


def test_pd_negated_by_disease_control_28_days_later(series, run):
    """Seed 000: PD followed >= 4 weeks later by SD is not a PFS/TTP event."""
    r = run(series(days=(-7, 56, 84), targets={"T1": [50, 70, 55]}), "imrecist")
    assert ovr(r) == ["iUPD", "iSD"]
    assert prog(r) is None
    assert r.subjects["best_overall_response"].iloc[0] == "iSD"


def test_pd_confirmed_is_event_dated_at_first_pd(series, run):
    r = run(series(days=(-7, 56, 84), targets={"T1": [50, 70, 72]}), "imrecist")
    assert ovr(r) == ["iUPD", "iCPD"]
    assert prog(r) == "2024-02-26"


def test_assessment_under_28_days_neither_confirms_nor_negates(series, run):
    """PD d56, SD d76 (20 days: too early), PD d90 (34 days): confirmed."""
    r = run(series(days=(-7, 56, 76, 90), targets={"T1": [50, 70, 55, 70]}), "imrecist")
    assert ovr(r) == ["iUPD", "iSD", "iCPD"]
    assert prog(r) == "2024-02-26"


def test_pd_on_last_scan_is_event_by_default(series, run):
    df = series(days=(-7, 56, 112), targets={"T1": [50, 45, 70]})
    assert prog(run(df, "imrecist")) == "2024-04-22"
    assert prog(run(df, "imrecist", imrecist_pd_on_last_scan_is_event=False)) is None


def test_response_after_unconfirmed_pd_counts_for_bor(series, run):
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 70, 30]}), "imrecist")
    assert r.subjects["best_overall_response"].iloc[0] == "iPR"
