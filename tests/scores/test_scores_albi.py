"""ALBI: Johnson PJ et al., J Clin Oncol 2015;33:550-558 (formula, grade cut-offs -2.60 and
-1.39); mALBI 2a/2b split at -2.270 (Hiraoka A et al., Liver Cancer 2017).  Test vectors from
hcc-domain.md §1.2 (computed with the formula)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcctrials.errors import ValidationError
from hcctrials.scores import albi_grade, compute_albi
from hcctrials.units import convert


@pytest.mark.parametrize("bili, alb, score, grade, sub", [
    (20.52, 35, -2.109, "2", "2b"),
    (12, 42, -2.858, "1", "1"),
    (40, 30, -1.493, "2", "2b"),
    (60, 25, -0.951, "3", "3"),
])
def test_domain_doc_vectors(bili, alb, score, grade, sub) -> None:
    r = compute_albi(bilirubin_umol_l=bili, albumin_g_l=alb)
    assert r.score == pytest.approx(score, abs=5e-4)
    assert (r.grade, r.subgrade) == (grade, sub)


def test_us_units_via_conversion() -> None:
    # §1.2: bilirubin µmol/L = mg/dL × 17.1; albumin g/L = g/dL × 10 -> 1.2 mg/dL, 3.5 g/dL
    b = convert(1.2, "mg/dL", "umol/L", analyte="bilirubin_total")
    a = convert(3.5, "g/dL", "g/L", analyte="albumin")
    assert compute_albi(bilirubin_umol_l=b, albumin_g_l=a).score == pytest.approx(-2.109, abs=5e-4)


@pytest.mark.parametrize("score, grade, sub", [
    (-2.601, "1", "1"), (-2.60, "1", "1"), (-2.599, "2", "2a"), (-2.270, "2", "2a"),
    (-2.269, "2", "2b"), (-1.39, "2", "2b"), (-1.389, "3", "3"),
])
def test_grade_boundaries(score, grade, sub) -> None:
    assert albi_grade(score) == (grade, sub)


def test_missing_input_is_unknown() -> None:
    r = compute_albi(bilirubin_umol_l=None, albumin_g_l=40)
    assert r.score is None and r.grade is None and r.missing == ("bilirubin",)


def test_zero_bilirubin_rejected() -> None:
    with pytest.raises(ValidationError):
        compute_albi(bilirubin_umol_l=0, albumin_g_l=40)


POS = st.floats(min_value=1, max_value=800, allow_nan=False)
ALB = st.floats(min_value=10, max_value=60, allow_nan=False)


@given(POS, POS, ALB)
def test_monotone_in_bilirubin(b1, b2, a) -> None:
    lo, hi = sorted((b1, b2))
    s = [compute_albi(bilirubin_umol_l=b, albumin_g_l=a) for b in (lo, hi)]
    assert s[0].score <= s[1].score and s[0].grade <= s[1].grade


@given(POS, ALB, ALB)
def test_monotone_in_albumin(b, a1, a2) -> None:
    lo, hi = sorted((a1, a2))
    s = [compute_albi(bilirubin_umol_l=b, albumin_g_l=a) for a in (lo, hi)]
    assert s[0].score >= s[1].score and s[0].grade >= s[1].grade
