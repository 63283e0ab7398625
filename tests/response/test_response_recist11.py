"""RECIST 1.1 time-point rules, each threshold tested on both sides.

Sources: [E09] Eisenhauer et al. 2009 sections 4.3.1-4.3.4 (restated in
docs/response.md / spec sections 1.3-1.6); [S16] Schwartz et al. 2016 Q&A (reappearance).
Settings: defaults (no confirmation, sd_min_days=56) unless a test says otherwise.
"""

from __future__ import annotations

import pytest


def overall(result):
    return result.visits["overall_response"].tolist()


def target(result):
    return result.visits["target_response"].tolist()


# --- PR: SOD <= 70% of baseline, inclusive, exact ------------------------------------------

def test_pr_exactly_30_percent_decrease_is_pr_despite_float(series, run):
    """90 -> 63 mm is exactly -30% (spec 1.3: 0.7*90 == 62.99999999999999 in doubles)."""
    assert 0.7 * 90 < 63  # the floating-point trap the engine must avoid
    r = run(series(targets={"T1": [90, 63, 63]}))
    assert target(r) == ["PR", "PR"]
    assert r.visits["pct_change_from_baseline"].iloc[0] == pytest.approx(-30.0)


def test_pr_just_above_70_percent_is_sd(series, run):
    """63.1 of 90 is a 29.9% decrease: not PR (spec 1.3)."""
    r = run(series(targets={"T1": [90, 63.1, 63.1]}))
    assert target(r) == ["SD", "SD"]


# --- PD: >= 20% and >= 5 mm above nadir, both inclusive ------------------------------------

def test_pd_exactly_20_percent_and_8_mm_above_nadir(series, run):
    """Baseline 50, nadir 40 (SD: 40 > 35), then 48 = 1.2 x 40 and +8 mm: PD (spec 1.3)."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 40, 48]}))
    assert target(r) == ["SD", "PD"]


def test_pd_just_under_20_percent_is_sd(series, run):
    """47.9 is +19.75% from nadir 40: SD (spec 1.3)."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [50, 40, 47.9]}))
    assert target(r) == ["SD", "SD"]


def test_pd_needs_5_mm_absolute(series, run):
    """Nadir 20: 24 mm is +20% but only +4 mm: SD; 25 mm (+5 mm, +25%): PD (spec 1.3, pitfall 2)."""
    assert target(run(series(targets={"T1": [20, 20, 24]}))) == ["SD", "SD"]
    assert target(run(series(targets={"T1": [20, 20, 25]}))) == ["SD", "PD"]


def test_pd_measured_from_nadir_not_baseline(series, run):
    """100 -> 50 (PR) -> 60: +20% and +10 mm from the nadir: PD though 40% below baseline
    (spec pitfall 1)."""
    r = run(series(targets={"T1": [100, 50, 60]}))
    assert target(r) == ["PR", "PD"]


def test_baseline_counts_in_nadir(series, run):
    """50 at baseline then 60: the baseline is the nadir, so PD (spec 1.3, pitfall 1)."""
    r = run(series(days=(-7, 56), targets={"T1": [50, 60]}))
    assert target(r) == ["PD"]


def test_ne_sum_does_not_set_nadir(series, run):
    """An incomplete (NE) sum of 20 must not become the nadir: 40 -> NE(20 measured) -> 45
    is SD from nadir 40, not PD from 20 (spec 1.3 NE, pitfall 5)."""
    r = run(series(days=(-7, 40, 80, 120), targets={"T1": [40, 40, None, 45],
                                                     "T2": [20, 20, 20, 20]}))
    assert target(r) == ["SD", "NE", "SD"]


# --- NE with a missing target ------------------------------------------------------------------

def test_missing_target_is_ne_not_pr(series, run):
    """Only T2 measured (shrunk a lot): NE, not PR (spec pitfall 5)."""
    r = run(series(days=(-7, 56), targets={"T1": [50, None], "T2": [50, 10]}))
    assert target(r) == ["NE"]
    assert r.visits["target_sum_mm"].isna().all()


def test_missing_target_but_measured_already_pd_is_pd(series, run):
    """T1 missing but T2 alone 80 >= 1.2 x nadir 60 and +20 mm: PD (spec 1.3 NE exception)."""
    r = run(series(days=(-7, 56), targets={"T1": [30, None], "T2": [30, 80]}))
    assert target(r) == ["PD"]
    assert overall(r) == ["PD"]


def test_missing_target_row_is_ne_and_named_in_findings(series, run):
    df = series(days=(-7, 56), targets={"T1": [30, 20], "T2": [30, 20]})
    df = df[~((df["lesion_id"] == "T2") & (df["visit_date"] != df["visit_date"].min()))]
    r = run(df)
    assert target(r) == ["NE"]
    assert r.findings["code"].tolist() == ["LESION_NOT_RECORDED"]
    assert r.findings["lesion_id"].tolist() == ["T2"]


# --- CR with nodes --------------------------------------------------------------------------

def test_cr_with_nodal_target_under_10mm_sum_above_zero(series, run):
    """Non-nodal target 0 and node 9.9 mm: CR with SOD 9.9 (spec 1.3, pitfall 4)."""
    r = run(series(targets={"T1": [30, 0, 0], "N1": [20, 9.9, 9.9]}, nodes=["N1"],
                   organs={"N1": "lymph node"}))
    assert target(r) == ["CR", "CR"]
    assert r.visits["target_sum_mm"].iloc[0] == pytest.approx(9.9)


def test_node_exactly_10mm_is_not_cr(series, run):
    """Node at exactly 10 mm is still pathological: PR (sum 10 <= 35), not CR (pitfall 4)."""
    r = run(series(targets={"T1": [30, 0, 0], "N1": [20, 10, 10]}, nodes=["N1"]))
    assert target(r) == ["PR", "PR"]


def test_non_target_node_still_10mm_blocks_cr(series, run):
    """Target CR, non-target node recorded 'absent' but SA 10 mm: counted present, so the
    overall response is PR (target CR + non-target NON-CR/NON-PD), with a finding."""
    df = series(days=(-7, 56), targets={"T1": [30, 0]}, non_targets={"NN1": ["present", "absent"]},
                nodes=["NN1"])
    df.loc[df["lesion_id"] == "NN1", "diameter_mm"] = [12.0, 10.0]
    r = run(df)
    assert r.visits["non_target_response"].tolist() == ["NON_CR_NON_PD"]
    assert overall(r) == ["PR"]
    assert "NODE_STATUS_CONTRADICTION" in r.findings["code"].tolist()


def test_non_target_node_under_10mm_counts_absent(series, run):
    df = series(days=(-7, 56), targets={"T1": [30, 0]}, non_targets={"NN1": ["present", None]},
                nodes=["NN1"])
    df.loc[df["lesion_id"] == "NN1", "diameter_mm"] = [12.0, 9.0]
    assert overall(run(df)) == ["CR"]


# --- overall response table, target disease (spec 1.6, [E09] Table 1) ----------------------

@pytest.mark.parametrize(("t2", "nt", "new", "expected"), [
    (0, "absent", None, "CR"),                        # CR, CR, no -> CR
    (0, "present", None, "PR"),                       # CR, NON-CR/NON-PD, no -> PR
    (0, "not_evaluated", None, "PR"),                 # CR, NE, no -> PR
    (20, "present", None, "PR"),                      # PR, non-PD, no -> PR
    (20, "not_evaluated", None, "PR"),                # PR, not all evaluated -> PR
    (40, "present", None, "SD"),                      # SD, non-PD, no -> SD
    (40, "not_evaluated", None, "SD"),                # SD, not all evaluated -> SD
    (None, "present", None, "NE"),                    # NE, non-PD, no -> NE
    (70, "present", None, "PD"),                      # PD, any -> PD
    (40, "unequivocal_progression", None, "PD"),      # any, PD -> PD
    (0, "absent", 12, "PD"),                          # any, any, new -> PD
])
def test_overall_table_with_targets(series, run, t2, nt, new, expected):
    """Baseline SOD 50 (one target); each row of the RECIST 1.1 table [E09 Table 1]."""
    r = run(series(days=(-7, 56), targets={"T1": [50, t2]},
                   non_targets={"NT1": ["present", nt]},
                   new={"NEW1": [None, new]} if new else None))
    assert overall(r) == [expected]


@pytest.mark.parametrize(("nt", "new", "expected"), [
    ("absent", None, "CR"),
    ("present", None, "NON_CR_NON_PD"),
    ("not_evaluated", None, "NE"),
    ("unequivocal_progression", None, "PD"),
    ("present", 15, "PD"),
])
def test_overall_table_non_target_only(series, run, nt, new, expected):
    """Non-target-only disease table [E09 Table 2]."""
    r = run(series(days=(-7, 56), non_targets={"NT1": ["present", nt]},
                   new={"NEW1": [None, new]} if new else None))
    assert overall(r) == [expected]
    assert r.visits["target_response"].tolist() == [None]


# --- new lesions -----------------------------------------------------------------------------

def test_new_node_counts_from_10mm(series, run):
    """A new node counts once SA >= 10 mm [E09 1.5]: 9.9 mm no, 10 mm yes."""
    assert overall(run(series(days=(-7, 56), targets={"T1": [50, 45]},
                              new={"NN": [None, 9.9]}, nodes=["NN"]))) == ["SD"]
    assert overall(run(series(days=(-7, 56), targets={"T1": [50, 45]},
                              new={"NN": [None, 10]}, nodes=["NN"]))) == ["PD"]


def test_equivocal_new_lesion_backdated_when_confirmed(series, run):
    """Equivocal at day 56, unequivocal at day 112: PD at day 112, dated day 56 [E09 1.5];
    with back-dating the day-56 time point reads PD too (BOR and PD date agree, issue 11)."""
    df = series(days=(-7, 56, 112), targets={"T1": [50, 45, 45]}, new={"NEW1": [None, 8, 15]},
                extra={"NEW1": {"equivocal": [None, True, False]}})
    r = run(df)
    assert overall(r) == ["PD", "PD"]
    assert str(r.subjects["first_progression_date"].iloc[0].date()) == "2024-02-26"
    r2 = run(df, backdate_equivocal_new_lesions=False)
    assert overall(r2) == ["SD", "PD"]
    assert str(r2.subjects["first_progression_date"].iloc[0].date()) == "2024-04-22"


# --- reappearing targets [S16 Q&A] -------------------------------------------------------------

def test_reappearance_after_cr_is_pd_even_if_sum_not_pd(series, run):
    """T1 30 + node 20 -> T1 0 + node 8 (CR, SOD 8) -> T1 4 (SOD 12: +4 mm, not PD by sum):
    PD because a target reappeared after a true CR (spec 1.3, pitfall 8)."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [30, 0, 4], "N1": [20, 8, 8]},
                   nodes=["N1"]))
    assert overall(r) == ["CR", "PD"]
    assert "reappearing target after CR" in r.visits["rule"].iloc[1]
    assert not r.visits["new_lesion"].iloc[1]   # not a new lesion
    off = run(series(days=(-7, 56, 112), targets={"T1": [30, 0, 4], "N1": [20, 8, 8]},
                     nodes=["N1"]), reappearance_after_cr_is_pd=False)
    assert overall(off) == ["CR", "PR"]


def test_reappearance_without_prior_cr_is_not_pd(series, run):
    """T1 30, T2 30 -> T1 0, T2 20 (PR) -> T1 3, T2 20 (SOD 23, +3 mm): PR, not PD."""
    r = run(series(days=(-7, 56, 112), targets={"T1": [30, 0, 3], "T2": [30, 20, 20]}))
    assert overall(r) == ["PR", "PR"]


def test_rule_text_explains_decision(series, run):
    r = run(series(days=(-7, 56), targets={"T1": [90, 63]}))
    assert r.visits["rule"].iloc[0].startswith("target PR: SOD <= 70% of baseline SOD")
