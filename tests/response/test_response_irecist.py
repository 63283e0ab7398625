"""iRECIST [S17] Tables 2-3 and the RECIST WG iRECIST FAQ (spec section 3, pitfall 11).

Baseline SOD 50 (one target), non-targets absent unless stated; no confirmation of
iCR/iPR (settings default) unless stated.
"""

from __future__ import annotations


def ovr(r):
    return r.visits["overall_response"].tolist()


def bor(r):
    return r.subjects["best_overall_response"].iloc[0]


def prog(r):
    v = r.subjects["first_progression_date"].iloc[0]
    return None if v is None or str(v) == "NaT" else str(v.date())


def test_iupd_then_ipr_gives_ipr(series, run):
    """[S17] Table 3: iUPD then iPR -> iBOR iPR (assessments after iUPD count)."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 70, 30]}), "irecist")
    assert ovr(r) == ["iUPD", "iPR"]
    assert bor(r) == "iPR"
    assert prog(r) is None
    assert str(r.subjects["first_unconfirmed_progression_date"].iloc[0].date()) == "2024-02-26"


def test_iupd_then_ne_gives_iupd(series, run):
    """[S17] Table 3: iUPD then NE throughout -> iUPD."""
    r = run(series(days=(-7, 56, 112, 168), targets={"T1": [50, 70, None, None]}), "irecist")
    assert ovr(r) == ["iUPD", "NE", "NE"]
    assert bor(r) == "iUPD"


def test_iupd_then_icpd_dated_at_iupd(series, run):
    """iUPD (70) then +5 mm (75): iCPD; iPFS dated at the iUPD (pitfall 11)."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 70, 75]}), "irecist")
    assert ovr(r) == ["iUPD", "iCPD"]
    assert bor(r) == "iCPD"
    assert prog(r) == "2024-02-26"


def test_icr_then_iupd_icpd_keeps_icr(series, run):
    """[S17] Table 3: iCR, later iUPD and iCPD -> iCR."""
    r = run(series(days=(-7, 56, 112, 168), targets={"T1": [50, 0, 10, 20]}), "irecist")
    assert ovr(r) == ["iCR", "iUPD", "iCPD"]
    assert bor(r) == "iCR"


def test_increase_is_cumulative_from_iupd(series, run):
    """+4 mm then +2 mm after iUPD: iUPD, iUPD, iCPD [WG FAQ]; +4.9 total stays iUPD."""
    r = run(series(days=(-7, 56, 112, 168), targets={"T1": [50, 70, 74, 76]}), "irecist")
    assert ovr(r) == ["iUPD", "iUPD", "iCPD"]
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 70, 74.9]}), "irecist")
    assert ovr(r) == ["iUPD", "iUPD"]


def test_new_lesions_not_added_to_target_sum(series, run):
    """New-lesion measurements are kept separately (SOM), never in the SOD (pitfall 11)."""
    r = run(series(days=(-7, 56), targets={"T1": [50, 45]}, new={"NL": [None, 30]}),
            "irecist")
    assert r.visits["target_sum_mm"].tolist() == [45.0]
    assert r.visits["new_lesion_target_sum_mm"].tolist() == [30.0]
    assert ovr(r) == ["iUPD"]


def test_new_lesion_growth_or_another_new_lesion_confirms(series, run):
    """New-lesion iUPD: SOM +5 mm -> iCPD; another new lesion -> iCPD; unchanged (targets
    not shrinking further) -> iUPD [S17 Table 2; WG FAQ]."""
    grow = run(series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]},
                      new={"NL": [None, 20, 25]}), "irecist")
    assert ovr(grow) == ["iUPD", "iCPD"]
    another = run(series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]},
                         new={"NL": [None, 20, 20], "NL2": [None, None, 12]},
                         organs={"NL2": "bone"}), "irecist")
    assert ovr(another) == ["iUPD", "iCPD"]
    same = run(series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]},
                      new={"NL": [None, 20, 24.9]}), "irecist")
    assert ovr(same) == ["iUPD", "iUPD"]


def test_reset_after_isd_and_pfs_dated_at_second_iupd(series, run):
    """SD, iUPD, iPR (reset), iUPD, iCPD: the iPFS date is the second iUPD (admiralonco
    iRECIST vignette example; spec 3 reset)."""
    r = run(series(days=(-7, 56, 112, 168, 224, 280), targets={"T1": [50, 45, 60, 30, 40, 45]}),
            "irecist")
    assert ovr(r) == ["iSD", "iUPD", "iPR", "iUPD", "iCPD"]
    assert prog(r) == "2024-08-12"   # day 224 = 2024-01-01 + 224 days


def test_new_lesion_at_iupd_does_not_block_isd_when_targets_shrink(series, run):
    """[WG FAQ] new lesion seen at iUPD, not grown, targets shrink: iPR (reset)."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 45, 30]},
                   new={"NL": [None, 15, 15]}), "irecist")
    assert ovr(r) == ["iUPD", "iPR"]


def test_pd_in_other_category_confirms(series, run):
    """Target iUPD, then a new lesion (category not progressed before): iCPD [S17 text]."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 70, 70]}, new={"NL": [None, None, 12]}),
            "irecist")
    assert ovr(r) == ["iUPD", "iCPD"]


def test_unconfirmed_iupd_as_event_is_a_parameter(series, run):
    df = series(days=(-7, 56), targets={"T1": [50, 70]})
    assert prog(run(df, "irecist")) is None
    assert prog(run(df, "irecist", irecist_unconfirmed_iupd_is_event=True)) == "2024-02-26"


# --- [S17] Table 2, row by row (without and with a prior iUPD) -------------------------------
# Baseline target 50 mm, one non-target present; prior iUPD made by a target 70 mm (+40%).

import pytest  # noqa: E402


@pytest.mark.parametrize(("target", "nt", "new", "expected"), [
    (0, "absent", None, "iCR"),                     # iCR, iCR, no -> iCR
    (0, "present", None, "iPR"),                    # iCR, NON-iCR/NON-iUPD -> iPR
    (30, "present", None, "iPR"),                   # iPR, NON-iCR/NON-iUPD -> iPR
    (45, "present", None, "iSD"),                   # iSD, NON-iCR/NON-iUPD -> iSD
    (70, "present", None, "iUPD"),                  # iUPD, not iUPD, no new -> iUPD
    (45, "unequivocal_progression", None, "iUPD"),  # not iUPD, iUPD -> iUPD
    (45, "present", 12, "iUPD"),                    # not iUPD, not iUPD, new -> iUPD
])
def test_table2_no_prior_iupd(series, run, target, nt, new, expected):
    r = run(series(days=(-7, 56), targets={"T1": [50, target]},
                   non_targets={"NT1": ["present", nt]},
                   new={"NL": [None, new]} if new else None), "irecist")
    assert ovr(r) == [expected]


@pytest.mark.parametrize(("target", "nt", "new", "expected"), [
    (0, "absent", None, "iCR"),          # iCR after iUPD: iCR (reset)
    (0, "present", None, "iPR"),         # iCR + NON-iCR -> iPR
    (30, "present", None, "iPR"),
    (45, "present", None, "iSD"),
    (75, "present", None, "iCPD"),       # target iUPD, SOD +5 mm since iUPD -> iCPD
    (74, "present", None, "iUPD"),       # +4 mm: still iUPD
    (70, "unequivocal_progression", None, "iCPD"),  # PD in a category not progressed before
    (70, "present", 12, "iCPD"),         # new lesion after a target iUPD -> iCPD
])
def test_table2_prior_iupd(series, run, target, nt, new, expected):
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 70, target]},
                   non_targets={"NT1": ["present", "present", nt]},
                   new={"NL": [None, None, new]} if new else None), "irecist")
    assert ovr(r) == ["iUPD", expected]


def test_non_target_iupd_then_any_increase_is_icpd(series, run):
    """Non-target iUPD; a further (not necessarily unequivocal) increase -> iCPD; no change
    but still unequivocal -> iUPD [S17 Table 2]."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]},
                   non_targets={"NT1": ["present", "unequivocal_progression", "increased"]}),
            "irecist")
    assert ovr(r) == ["iUPD", "iCPD"]
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]},
                   non_targets={"NT1": ["present", "unequivocal_progression",
                                        "unequivocal_progression"]}), "irecist")
    assert ovr(r) == ["iUPD", "iUPD"]
