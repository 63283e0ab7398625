"""Simon two-stage, single-stage exact and event-count designs.

Expected designs: Simon R. Control Clin Trials 1989;10:1-10, Table 1 (alpha 0.05,
beta 0.20): p0 .05/p1 .20 optimal 0/10, 3/29 (EN 17.6, PET .60), minimax 0/13, 3/27
(EN 19.8, PET .51); p0 .10/p1 .25 optimal 2/18, 7/43 (EN 24.7, PET .73), minimax 2/22, 7/40
(EN 28.8, PET .62); p0 .10/p1 .30 optimal 1/10, 5/29 (EN 15.0, PET .74), minimax 1/15, 5/25
(EN 19.5, PET .55); p0 .20/p1 .40 optimal 3/13, 12/43 (EN 20.6, PET .75), minimax 4/18,
10/33 (EN 22.3, PET .72).  The last two are also restated in the spec, section 5.2.
Single-stage: A'Hern 2001 / spec 5.2, p0 .10 p1 .30 -> n 25 with >= 6 responses.
Schoenfeld: spec 5.2, HR 0.70 at 80% power (two-sided 0.05) -> 247 events.
"""

from __future__ import annotations

import pytest

from hcctrials.endpoints.design import (
    compute_simon_designs, compute_single_stage_design, compute_survival_sample_size,
    evaluate_single_stage,
)
from hcctrials.errors import InputError

SIMON_TABLE = [
    # p0, p1, optimal (r1, n1, r, n, EN, PET), minimax (r1, n1, r, n, EN, PET)
    (0.05, 0.20, (0, 10, 3, 29, 17.6, 0.60), (0, 13, 3, 27, 19.8, 0.51)),
    (0.10, 0.25, (2, 18, 7, 43, 24.7, 0.73), (2, 22, 7, 40, 28.8, 0.62)),
    (0.10, 0.30, (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    (0.20, 0.40, (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
]


@pytest.mark.parametrize("p0,p1,opt,mm", SIMON_TABLE)
def test_simon_1989_table(p0: float, p1: float, opt: tuple, mm: tuple) -> None:
    res = compute_simon_designs(p0, p1, alpha=0.05, beta=0.20)
    for got, exp in ((res.optimal, opt), (res.minimax, mm)):
        assert (got.r1, got.n1, got.r, got.n) == exp[:4]
        assert round(got.expected_n_p0, 1) == exp[4]
        assert round(got.pet_p0, 2) == exp[5]
        assert got.alpha <= 0.05 and got.power >= 0.80


def test_single_stage_ahern() -> None:
    d = compute_single_stage_design(0.10, 0.30)
    assert (d.n, d.r) == (25, 6)


def test_fixed_n_operating_characteristics() -> None:
    """n = 47 at p0 .10: smallest cut-off with P(X >= r | .10) <= .05 is 9
    (P(X >= 9) = 0.0436 by the binomial sum; P(X >= 8) = 0.0902)."""
    d = evaluate_single_stage(47, 0.10, 0.25)
    assert d.r == 9 and d.alpha <= 0.05


def test_schoenfeld_247() -> None:
    assert compute_survival_sample_size(hazard_ratio=0.70).events == 247


def test_events_to_subjects_and_medians() -> None:
    r = compute_survival_sample_size(median_control=6, median_experimental=9, accrual=18,
                                     follow_up=12)
    assert r.hazard_ratio == pytest.approx(6 / 9)
    assert r.subjects is not None and r.subjects > r.events


def test_bad_design_inputs() -> None:
    with pytest.raises(InputError):
        compute_simon_designs(0.3, 0.2)
    with pytest.raises(InputError):
        compute_survival_sample_size(hazard_ratio=1.0)


# EN(p1) and PET(p1): reference values from R (stats 4.x), printed with digits = 17:
#   f <- function(r1, n1, n, p) c(pet = pbinom(r1, n1, p), en = n1 + (1 - pbinom(r1, n1, p)) * (n - n1))
#   f(1, 10, 29, 0.3); f(1, 15, 25, 0.3); f(0, 10, 29, 0.2); f(3, 13, 43, 0.4)
SIMON_ALTERNATIVE = [
    # p0, p1, which, PET(p1), EN(p1)
    (0.10, 0.30, "optimal", 0.14930834590000003, 26.16314142790000119),
    (0.10, 0.30, "minimax", 0.035267599788147974, 24.647324002118519815),
    (0.05, 0.20, "optimal", 0.10737418240000009, 26.95989053439999950),
    (0.20, 0.40, "optimal", 0.16857969868800005, 37.94260903935999352),
]


@pytest.mark.parametrize("p0,p1,which,pet1,en1", SIMON_ALTERNATIVE)
def test_simon_expected_size_under_the_alternative(p0: float, p1: float, which: str,
                                                   pet1: float, en1: float) -> None:
    """A promising drug rarely stops early: EN(p1) is close to n, unlike EN(p0)."""
    d = getattr(compute_simon_designs(p0, p1), which)
    assert d.pet_p1 == pytest.approx(pet1, abs=1e-12)
    assert d.expected_n_p1 == pytest.approx(en1, abs=1e-10)
    assert d.expected_n_p0 < d.expected_n_p1 <= d.n
    assert "EN(p1)" in d.describe()


def test_schoenfeld_reports_the_unrounded_event_count() -> None:
    """R: 4 * (qnorm(.975) + qnorm(.8))^2 / log(0.7)^2 = 246.78710454735841;
    (qnorm(.975) + qnorm(.8))^2 / (0.3 * 0.7 * log(0.6)^2) = 143.2329814017848."""
    r = compute_survival_sample_size(hazard_ratio=0.70)
    assert r.events == 247
    assert r.events_exact == pytest.approx(246.78710454735841, abs=1e-10)
    r2 = compute_survival_sample_size(hazard_ratio=0.6, allocation=0.3)
    assert r2.events == 144 and r2.events_exact == pytest.approx(143.2329814017848, abs=1e-10)
