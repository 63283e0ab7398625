"""mRECIST for HCC [LL10] (spec section 2, pitfall 10): viable diameters, no 5 mm rule by
default, new intrahepatic lesions, porta hepatis nodes, effusions with cytology."""

from __future__ import annotations

import pytest

from hcctrials.response import ResponseInputError


def ovr(r):
    return r.visits["overall_response"].tolist()


def test_viable_diameter_used_not_whole_lesion(series, run):
    """Whole lesion 50 -> 50 (RECIST SD); viable 40 -> 28 (-30%: mRECIST PR)."""
    df = series(days=(-7, 56), targets={"T1": [50, 50]}, organs={"T1": "liver"},
                viable={"T1": [40, 28]})
    assert ovr(run(df, "recist11")) == ["SD"]
    r = run(df, "mrecist")
    assert ovr(r) == ["PR"]
    assert r.visits["target_sum_mm"].tolist() == [28.0]


def test_mrecist_pd_has_no_5mm_rule_by_default(series, run):
    """Viable nadir 20 -> 24: +20% but +4 mm. [LL10] PD (no absolute minimum); with the
    protocol option mrecist_pd_absolute_mm=5 it is SD; 23.9 (+19.5%) is SD either way."""
    df = series(days=(-7, 56, 112), targets={"T1": [40, 40, 40]}, organs={"T1": "liver"},
                viable={"T1": [20, 20, 24]})
    assert ovr(run(df, "mrecist")) == ["SD", "PD"]
    assert ovr(run(df, "mrecist", mrecist_pd_absolute_mm=5)) == ["SD", "SD"]
    df2 = series(days=(-7, 56, 112), targets={"T1": [40, 40, 40]}, organs={"T1": "liver"},
                 viable={"T1": [20, 20, 23.9]})
    assert ovr(run(df2, "mrecist")) == ["SD", "SD"]


def test_cr_is_no_arterial_enhancement(series, run):
    """Viable 0 with a 30 mm necrotic scar: mRECIST CR; RECIST PR at most."""
    df = series(days=(-7, 56), targets={"T1": [50, 30]}, organs={"T1": "liver"},
                viable={"T1": [40, 0]})
    assert ovr(run(df, "mrecist")) == ["CR"]
    assert ovr(run(df, "recist11")) == ["PR"]


def test_extrahepatic_target_uses_recist_diameter(series, run):
    df = series(days=(-7, 56), targets={"T1": [50, 50], "L1": [20, 20]},
                organs={"T1": "liver", "L1": "lung"}, viable={"T1": [40, 20]})
    r = run(df, "mrecist")
    assert r.visits["target_sum_mm"].tolist() == [40.0]   # 20 viable + 20 lung


def test_new_liver_lesion_needs_typical_pattern_and_10mm(series, run):
    """New intrahepatic lesion is PD only if >= 10 mm with the typical vascular pattern."""
    base = dict(days=(-7, 56), targets={"T1": [50, 50]}, organs={"T1": "liver", "NL": "liver"},
                viable={"T1": [40, 40]})
    typical = series(**base, new={"NL": [None, 10]}, extra={"NL": {"typical_vascular_pattern":
                                                                   [None, True]}})
    small = series(**base, new={"NL": [None, 9.9]}, extra={"NL": {"typical_vascular_pattern":
                                                                  [None, True]}})
    atypical = series(**base, new={"NL": [None, 15]}, extra={"NL": {"typical_vascular_pattern":
                                                                    [None, False]}})
    assert ovr(run(typical, "mrecist")) == ["PD"]
    assert ovr(run(small, "mrecist")) == ["SD"]
    assert ovr(run(atypical, "mrecist")) == ["SD"]
    assert ovr(run(atypical, "recist11")) == ["PD"]   # RECIST: any unequivocal new lesion


def test_equivocal_liver_lesion_growing_10mm_is_pd_backdated(series, run):
    """Atypical 8 mm at day 56, 18 mm at day 112 (+10 mm growth): PD, dated day 56 by
    default (backdating is a parameter, spec 2); the day-56 time point is then re-read as PD
    so that BOR and the progression date agree (issue 11)."""
    df = series(days=(-7, 56, 112), targets={"T1": [50, 50, 50]},
                organs={"T1": "liver", "NL": "liver"}, viable={"T1": [40, 40, 40]},
                new={"NL": [None, 8, 18]},
                extra={"NL": {"typical_vascular_pattern": [None, False, False]}})
    r = run(df, "mrecist")
    assert ovr(r) == ["PD", "PD"]
    assert str(r.subjects["first_progression_date"].iloc[0].date()) == "2024-02-26"
    assert ovr(run(df, "mrecist", backdate_equivocal_new_lesions=False)) == ["SD", "PD"]
    df["diameter_mm"] = df["diameter_mm"].astype(float)
    df.loc[df["lesion_id"] == "NL", "diameter_mm"] = [8.0, 17.9]
    assert ovr(run(df, "mrecist")) == ["SD", "SD"]


def test_porta_hepatis_node_threshold_20mm(series, run):
    """New porta hepatis node: malignant only with SA >= 20 mm under mRECIST [LL10]."""
    for sa, expected in ((19.9, "SD"), (20, "PD")):
        df = series(days=(-7, 56), targets={"T1": [50, 50]}, organs={"T1": "liver",
                    "PH": "porta hepatis"}, viable={"T1": [40, 40]}, new={"PH": [None, sa]},
                    nodes=["PH"])
        assert ovr(run(df, "mrecist")) == [expected]
        assert ovr(run(df, "recist11")) == ["PD"]


def test_ascites_progression_needs_cytology(series, run):
    df = series(days=(-7, 56), targets={"T1": [50, 50]}, organs={"T1": "liver", "AS": "ascites"},
                viable={"T1": [40, 40]},
                non_targets={"AS": ["present", "unequivocal_progression"]})
    r = run(df, "mrecist")
    assert ovr(r) == ["SD"]
    assert "EFFUSION_WITHOUT_CYTOLOGY" in r.findings["code"].tolist()
    df.loc[df["lesion_id"] == "AS", "cytology_malignant"] = [None, True]
    assert ovr(run(df, "mrecist")) == ["PD"]


def test_liver_target_without_viable_diameter(series, run):
    df = series(days=(-7, 56), targets={"T1": [50, 40]}, organs={"T1": "liver"})
    with pytest.raises(ResponseInputError, match="viable"):
        run(df, "mrecist")
    r = run(df, "mrecist", mrecist_atypical_targets="whole_lesion")
    assert ovr(r) == ["SD"]
