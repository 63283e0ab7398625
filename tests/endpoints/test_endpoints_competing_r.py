"""Cumulative incidence, Gray's test and Fine-Gray regression against R cmprsk 2.2-11.

Every expected number comes from ``fixtures/competing/*.csv``, written by
``fixtures/competing/make_reference.R``:

    ci <- cuminc(time, status, group, cencode = 0)          # curves: $time, $est, $var
    timepoints(ci, TIMES)                                    # est and var at landmarks
    ci$Tests; cuminc(..., strata = strata)$Tests             # Gray's test, stat/pv/df
    crr(time, status, cov1 = X, failcode = 1 or 2)           # Fine-Gray: coef, se, z, p, CI

on survival::mgus2 (progression to plasma-cell malignancy with death before progression
as competing event: the structure of HCC TTP with death as competing risk), cmprsk's own
seeded example (three groups, two strata) and a small hand-made set with ties.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from r_fixtures import assert_r_fixtures_current

from hcctrials.endpoints.competing import (
    code_ttp_competing_status, compute_cumulative_incidence, compute_fine_gray,
    compute_gray_test,
)
from hcctrials.errors import InputError

HERE = Path(__file__).parent / "fixtures" / "competing"
DATASETS = ["mgus2", "sim", "ties"]
TOL = 1e-10


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


def _close(ours: object, ref: object, tol: float = TOL) -> None:
    o = np.asarray(ours, dtype=float)
    r = np.asarray(ref, dtype=float)
    assert o.shape == r.shape
    np.testing.assert_array_equal(np.isnan(o), np.isnan(r))
    fin = np.isfinite(r)
    np.testing.assert_allclose(o[fin], r[fin], rtol=tol, atol=tol)


@pytest.mark.parametrize("ds", DATASETS)
def test_cumulative_incidence_curves_match_cuminc(ds: str) -> None:
    d = _read(f"data_{ds}.csv")
    cr = compute_cumulative_incidence(d["time"], d["status"], d["group"])
    ref = _read(f"cuminc_{ds}.csv")
    assert sorted(c.name for c in cr.curves.values()) == sorted(ref["curve"].unique())
    for name, g in ref.groupby("curve", sort=False):
        group, cause = str(name).rsplit(" ", 1)
        curve = cr.curve(group, cause)
        _close(curve.time, g["time"])
        _close(curve.estimate, g["est"])
        _close(curve.variance, g["var"])


@pytest.mark.parametrize("ds", DATASETS)
def test_timepoints_match_and_past_follow_up_is_not_estimable(ds: str) -> None:
    d = _read(f"data_{ds}.csv")
    cr = compute_cumulative_incidence(d["time"], d["status"], d["group"])
    ref = _read(f"timepoints_{ds}.csv")
    got = cr.timepoints(ref["time"].unique())
    for name, g in ref.groupby("curve", sort=False):
        est, var = got[str(name)]
        _close(est, g["est"])
        _close(var, g["var"])


@pytest.mark.parametrize("stratified", [False, True])
@pytest.mark.parametrize("ds", DATASETS)
def test_gray_test_matches_cuminc_tests(ds: str, stratified: bool) -> None:
    d = _read(f"data_{ds}.csv")
    ref = _read(f"gray_strata_{ds}.csv" if stratified else f"gray_{ds}.csv")
    tests = compute_gray_test(d["time"], d["status"], d["group"],
                              strata=d["strata"] if stratified else None)
    assert [t.cause for t in tests] == [str(c) for c in ref["cause"]]
    _close([t.statistic for t in tests], ref["stat"])
    _close([t.p_value for t in tests], ref["pv"])
    assert [t.df for t in tests] == ref["df"].astype(int).tolist()


@pytest.mark.parametrize("failcode", [1, 2])
@pytest.mark.parametrize("model", ["x1", "x1x2"])
@pytest.mark.parametrize("ds", DATASETS)
def test_fine_gray_matches_crr(ds: str, model: str, failcode: int) -> None:
    d = _read(f"data_{ds}.csv")
    ref = _read(f"crr_{ds}_{model}_cause{failcode}.csv")
    cols = ["x1"] if model == "x1" else ["x1", "x2"]
    fit = compute_fine_gray(d["time"], d["status"], {c: d[c] for c in cols}, failcode=failcode)
    assert [t.name for t in fit.terms] == ref["term"].tolist()
    assert fit.converged == bool(ref["converged"].iloc[0])
    for col, attr in [("coef", "coef"), ("exp_coef", "hazard_ratio"), ("se", "se"), ("z", "z"),
                      ("p", "p_value"), ("lower", "lower"), ("upper", "upper")]:
        _close([getattr(t, attr) for t in fit.terms], ref[col], tol=1e-9)
    _close(fit.loglik, ref["loglik"].iloc[0], tol=1e-9)
    _close(fit.loglik_null, ref["loglik_null"].iloc[0], tol=1e-9)


def test_hcc_ttp_with_death_as_competing_event() -> None:
    """Progression wins over a later death; death without progression is the competing
    event; the rest are censored.  The incidence of progression is below 1 - KM."""
    status = code_ttp_competing_status([True, False, False, True, False],
                                       [True, True, False, False, False])
    assert status.tolist() == [1, 2, 0, 1, 0]
    d = _read("data_mgus2.csv")
    cr = compute_cumulative_incidence(d["time"], d["status"])
    est, _ = cr.curve("1", 1).at([360])
    from hcctrials.endpoints.survival import compute_kaplan_meier
    km = compute_kaplan_meier(d["time"], d["status"] == 1)
    assert est[0] < 1 - km.at([360])[0].survival
    assert "not estimable" in cr.curve("1", 1).describe_at(10_000)


def test_bad_input_names_row_and_field() -> None:
    with pytest.raises(InputError, match="row 2.*time"):
        compute_cumulative_incidence([1.0, -2.0], [1, 0])
    with pytest.raises(InputError, match="two groups"):
        compute_gray_test([1.0, 2.0], [1, 2], ["A", "A"])
    with pytest.raises(InputError, match="cause of interest"):
        compute_fine_gray([1.0, 2.0, 3.0], [0, 2, 0], [0.0, 1.0, 1.0])
    with pytest.raises(InputError, match="row 1.*arm"):
        compute_fine_gray([1.0, 2.0], [1, 0], {"arm": [np.nan, 1.0]})


def test_stored_reference_is_what_rscript_produces_now(tmp_path: Path) -> None:
    """Re-run the R script and confirm that the stored fixtures are R's current output."""
    assert_r_fixtures_current(HERE, tmp_path, "r-cran-cmprsk")
