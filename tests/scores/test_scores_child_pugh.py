"""Child-Pugh: Pugh RNH et al., Br J Surg 1973;60:646-649 (points table, PT column); INR
column as the modern adaptation; boundary conventions from hcc-domain.md §1.1 (2.0 and 3.0
mg/dL bilirubin = 2 points, albumin 3.5 and 2.8 g/dL = 2 points, INR 1.7 and 2.3 = 2 points)
and the variants of §11 items 1-3."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcctrials.errors import ValidationError
from hcctrials.scores import CHILD_PUGH_CHINESE_TABLE, compute_child_pugh
from hcctrials.scores.child_pugh import ALBUMIN_30, INR_2_2
from hcctrials.units import convert

NORMAL = dict(bilirubin_umol_l=15.0, albumin_g_l=42.0, inr=1.0, ascites="none",
              encephalopathy="none")


def cp(**kw):
    return compute_child_pugh(**{**NORMAL, **kw})


def bili(mg_dl: float) -> float:
    return convert(mg_dl, "mg/dL", "umol/L", analyte="bilirubin_total")


@pytest.mark.parametrize("mg_dl, points", [
    (1.99, 1), (2.0, 2), (2.5, 2), (3.0, 2), (3.01, 3),  # §1.1: 2.0 and 3.0 mg/dL are 2 points
])
def test_bilirubin_boundaries_in_mg_dl(mg_dl, points) -> None:
    assert cp(bilirubin_umol_l=bili(mg_dl)).item_points["bilirubin"] == points


@pytest.mark.parametrize("umol, points_default, points_cn", [
    (34.0, 1, 2), (34.1, 1, 2), (34.2, 2, 2), (51.0, 2, 2), (51.2, 2, 3), (51.3, 2, 3), (51.4, 3, 3),
])
def test_bilirubin_umol_variants(umol, points_default, points_cn) -> None:
    # default: exact conversion 34.2/51.3; Chinese tables: 34/51 (§11 item 3)
    assert cp(bilirubin_umol_l=umol).item_points["bilirubin"] == points_default
    assert cp(bilirubin_umol_l=umol, variant=CHILD_PUGH_CHINESE_TABLE).item_points["bilirubin"] == points_cn


@pytest.mark.parametrize("g_l, points", [(35.1, 1), (35.0, 2), (30.0, 2), (28.0, 2), (27.9, 3)])
def test_albumin_boundaries(g_l, points) -> None:
    assert cp(albumin_g_l=g_l).item_points["albumin"] == points


def test_albumin_30_variant() -> None:
    # §11 item 1: Harrison's-derived band 30-35 g/L
    assert cp(albumin_g_l=29.0, variant=ALBUMIN_30).item_points["albumin"] == 3
    assert cp(albumin_g_l=29.0).item_points["albumin"] == 2


@pytest.mark.parametrize("inr, points", [(1.69, 1), (1.7, 2), (2.3, 2), (2.31, 3)])
def test_inr_boundaries(inr, points) -> None:
    assert cp(inr=inr).item_points["coagulation"] == points


def test_inr_2_2_variant() -> None:
    assert cp(inr=2.25, variant=INR_2_2).item_points["coagulation"] == 3
    assert cp(inr=2.25).item_points["coagulation"] == 2


@pytest.mark.parametrize("seconds, points", [(3.9, 1), (4.0, 2), (6.0, 2), (6.1, 3)])
def test_pt_prolongation_pugh_1973(seconds, points) -> None:
    # Pugh 1973: < 4 s / 4-6 s / > 6 s
    assert cp(inr=None, pt_prolongation_s=seconds).item_points["coagulation"] == points


def test_inr_preferred_over_pt() -> None:
    assert cp(inr=1.0, pt_prolongation_s=7.0).item_points["coagulation"] == 1


@pytest.mark.parametrize("ascites, points", [
    ("none", 1), ("mild", 2), ("moderate_severe", 3), ("少量腹水", 2), ("大量腹水", 3), ("中等量", 3)])
def test_ascites(ascites, points) -> None:
    # §1.1 mapping hints: 少量腹水/轻度 -> 2; 中等量/大量腹水 -> 3
    assert cp(ascites=ascites).item_points["ascites"] == points


@pytest.mark.parametrize("he, points", [("none", 1), ("grade_1_2", 2), ("grade_3_4", 3), (0, 1),
                                        (2, 2), (3, 3), ("1~2期", 2), ("3~4期", 3)])
def test_encephalopathy(he, points) -> None:
    assert cp(encephalopathy=he).item_points["encephalopathy"] == points


def test_cholestatic_row_only_on_request() -> None:
    # PBC/PSC row: < 4 / 4-10 / > 10 mg/dL (68/170 µmol/L)
    assert cp(bilirubin_umol_l=bili(5.0)).item_points["bilirubin"] == 3
    assert cp(bilirubin_umol_l=bili(5.0), cholestatic=True).item_points["bilirubin"] == 2
    assert cp(bilirubin_umol_l=bili(10.0), cholestatic=True).item_points["bilirubin"] == 2
    assert cp(bilirubin_umol_l=bili(10.5), cholestatic=True).item_points["bilirubin"] == 3


@pytest.mark.parametrize("kw, points, label", [
    ({}, 5, "A5"),
    ({"albumin_g_l": 33.0}, 6, "A6"),
    ({"albumin_g_l": 33.0, "ascites": "mild"}, 7, "B7"),   # "Child-Pugh B7" = exactly 7 (§1.1)
    ({"albumin_g_l": 33.0, "ascites": "mild", "inr": 1.8}, 8, "B8"),
    ({"albumin_g_l": 25.0, "ascites": "mild", "inr": 1.8, "encephalopathy": "grade_1_2"}, 10, "C10"),
    ({"albumin_g_l": 25.0, "ascites": "moderate_severe", "inr": 2.5, "encephalopathy": "grade_3_4",
      "bilirubin_umol_l": 60.0}, 15, "C15"),
])
def test_classes_and_labels(kw, points, label) -> None:
    r = cp(**kw)
    assert (r.points, r.label, r.grade) == (points, label, label[0])
    assert r.missing == ()


@pytest.mark.parametrize("points, grade", [(6, "A"), (7, "B"), (9, "B"), (10, "C")])
def test_class_boundaries(points, grade) -> None:
    # A = 5-6, B = 7-9, C = 10-15
    from hcctrials.scores import child_pugh_class
    assert child_pugh_class(points) == grade


def test_partial_score_gives_range_never_normal() -> None:
    r = cp(ascites=None, encephalopathy=None)
    assert r.points is None and r.label is None and r.grade is None
    assert (r.points_min, r.points_max) == (5, 9)
    assert r.range_text == "5-9"
    assert set(r.missing) == {"ascites", "encephalopathy"}
    assert r.classes_possible == ("A", "B")


def test_partial_score_can_still_decide_class() -> None:
    r = cp(bilirubin_umol_l=60.0, albumin_g_l=25.0, inr=2.5, ascites="moderate_severe",
           encephalopathy=None)
    assert (r.points_min, r.points_max) == (13, 15)
    assert r.grade == "C" and r.points is None


def test_ascites_present_severity_unknown() -> None:
    r = cp(ascites=True)
    assert (r.points_min, r.points_max) == (6, 7) and "ascites_severity" in r.missing


def test_missing_coagulation() -> None:
    r = cp(inr=None)
    assert "inr_or_pt_prolongation" in r.missing and r.points_max == 7


def test_negative_value_rejected() -> None:
    with pytest.raises(ValidationError):
        cp(albumin_g_l=-1.0)


def test_unknown_ascites_word_rejected() -> None:
    with pytest.raises(ValidationError):
        cp(ascites="lots")


ASCITES = st.sampled_from(["none", "mild", "moderate_severe"])
HE = st.sampled_from(["none", "grade_1_2", "grade_3_4"])
BILI = st.floats(min_value=1, max_value=800, allow_nan=False)
ALB = st.floats(min_value=10, max_value=60, allow_nan=False)
INR = st.floats(min_value=0.8, max_value=6, allow_nan=False)


@given(BILI, ALB, INR, ASCITES, HE)
def test_total_is_sum_of_items_within_5_15(b, a, i, asc, he) -> None:
    r = compute_child_pugh(bilirubin_umol_l=b, albumin_g_l=a, inr=i, ascites=asc, encephalopathy=he)
    assert r.points == sum(r.item_points.values())  # type: ignore[arg-type]
    assert 5 <= r.points <= 15


@given(BILI, BILI, ALB, INR)
def test_monotone_in_bilirubin(b1, b2, a, i) -> None:
    lo, hi = sorted((b1, b2))
    p = [compute_child_pugh(bilirubin_umol_l=b, albumin_g_l=a, inr=i, ascites="none",
                            encephalopathy="none").points for b in (lo, hi)]
    assert p[0] <= p[1]


@given(BILI, ALB, ALB, INR)
def test_monotone_in_albumin(b, a1, a2, i) -> None:
    lo, hi = sorted((a1, a2))
    p = [compute_child_pugh(bilirubin_umol_l=b, albumin_g_l=a, inr=i, ascites="none",
                            encephalopathy="none").points for a in (lo, hi)]
    assert p[0] >= p[1]  # lower albumin is worse


@given(BILI, ALB, INR, INR)
def test_monotone_in_inr(b, a, i1, i2) -> None:
    lo, hi = sorted((i1, i2))
    p = [compute_child_pugh(bilirubin_umol_l=b, albumin_g_l=a, inr=i, ascites="none",
                            encephalopathy="none").points for i in (lo, hi)]
    assert p[0] <= p[1]


@given(BILI, ALB, INR, st.sampled_from([None, "none", "mild", "moderate_severe"]),
       st.sampled_from([None, "none", "grade_1_2", "grade_3_4"]))
def test_partial_range_contains_every_completion(b, a, i, asc, he) -> None:
    r = compute_child_pugh(bilirubin_umol_l=b, albumin_g_l=a, inr=i, ascites=asc, encephalopathy=he)
    for asc2 in ([asc] if asc else ["none", "mild", "moderate_severe"]):
        for he2 in ([he] if he else ["none", "grade_1_2", "grade_3_4"]):
            full = compute_child_pugh(bilirubin_umol_l=b, albumin_g_l=a, inr=i, ascites=asc2,
                                      encephalopathy=he2)
            assert r.points_min <= full.points <= r.points_max


def test_recorded_child_pugh_narrows_a_partial_score() -> None:
    """Issue 10: a recorded Child-Pugh when components are missing.  Bilirubin 22 umol/L (1 point),
    albumin 33 g/L (2), INR unknown (1-3), no ascites (1), no encephalopathy (1): 6-8 points possible.
    The clinician recorded B7: the score is 7 (class B); a recorded A narrows it to 6 (the only A
    total in 6-8); a recorded C contradicts the components, which win."""
    from hcctrials.scores.child_pugh import compute_child_pugh, narrow_to_recorded

    partial = compute_child_pugh(bilirubin_umol_l=22, albumin_g_l=33, inr=None, ascites="none", encephalopathy="none")
    assert (partial.points_min, partial.points_max) == (6, 8)
    b7 = narrow_to_recorded(partial, "B7")
    assert (b7.points, b7.grade, b7.label, b7.missing) == (7, "B", "B7 (recorded)", ())
    a = narrow_to_recorded(partial, "A")
    assert (a.points, a.grade) == (6, "A")
    c = narrow_to_recorded(partial, "C")
    assert (c.points_min, c.points_max) == (6, 8) and c.inputs["recorded_contradiction"] == "C"
    complete = compute_child_pugh(bilirubin_umol_l=22, albumin_g_l=33, inr=1.1, ascites="none", encephalopathy="none")
    assert narrow_to_recorded(complete, "B7") is complete  # measured components are never overridden
