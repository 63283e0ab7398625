"""Kaplan-Meier, Greenwood, bands, medians and landmarks against R survival 3.5-3.

Every expected number comes from ``fixtures/r_survival/*.csv``, written by
``fixtures/r_survival/make_reference.R`` (Debian r-cran-survival 3.5-3).  The R calls are:

    fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = T)   # T in log, log-log, plain
    fit$time, fit$n.risk, fit$n.event, fit$n.censor, fit$surv, fit$std.err, fit$lower, fit$upper
    summary(fit)$table[c("median", "0.95LCL", "0.95UCL")]            # -> KaplanMeier.median()
    quantile(fit, probs = c(0.25, 0.5, 0.75))                          # -> KaplanMeier.quantile()
    summary(fit, times = c(30, 91.3125, 182.625, 365.25, 730.5), extend = TRUE)  # -> .at()

on R's datasets aml, lung (status == 2 is death), ovarian (futime, fustat), veteran, and
small constructed sets (flat_mid, flat_last, to_zero, a seeded continuous set "cont").
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hcctrials.endpoints.survival import compute_kaplan_meier

HERE = Path(__file__).parent / "fixtures" / "r_survival"
DATASETS = ["aml", "lung", "ovarian", "veteran", "flat_mid", "flat_last", "to_zero", "cont"]
TYPES = ["log", "log-log", "plain"]
TOL = 1e-10


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


def _close(ours: np.ndarray, ref: np.ndarray) -> None:
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(ours[fin], ref[fin], rtol=TOL, atol=TOL)


def _fit(ds: str, ct: str):
    d = _read(f"data_{ds}.csv")
    return compute_kaplan_meier(d["time"].to_numpy(), d["status"].to_numpy(), conf_type=ct)


@pytest.mark.parametrize("ct", TYPES)
@pytest.mark.parametrize("ds", DATASETS)
def test_curve_matches_r(ds: str, ct: str) -> None:
    km = _fit(ds, ct)
    ref = _read(f"curve_{ds}_{ct}.csv")
    _close(km.time, ref["time"])
    np.testing.assert_array_equal(km.n_risk, ref["n.risk"])
    np.testing.assert_array_equal(km.n_event, ref["n.event"])
    np.testing.assert_array_equal(km.n_censor, ref["n.censor"])
    _close(km.survival, ref["surv"])
    _close(km.std_err_log, ref["std.err"])
    _close(km.lower, ref["lower"])
    _close(km.upper, ref["upper"])


def _opt(v: float | None) -> float:
    return float("nan") if v is None else v


@pytest.mark.parametrize("ct", TYPES)
@pytest.mark.parametrize("ds", DATASETS)
def test_median_matches_r_print_table(ds: str, ct: str) -> None:
    km = _fit(ds, ct)
    ref = _read(f"table_{ds}_{ct}.csv").iloc[0]
    med = km.median()
    assert km.n == ref["n"] and km.events == ref["events"]
    _close(np.array([_opt(med.estimate), _opt(med.lower), _opt(med.upper)]),
           np.array([ref["median"], ref["lower"], ref["upper"]]))


@pytest.mark.parametrize("ct", TYPES)
@pytest.mark.parametrize("ds", DATASETS)
def test_quantiles_match_r_quantile_survfit(ds: str, ct: str) -> None:
    km = _fit(ds, ct)
    ref = _read(f"quantile_{ds}_{ct}.csv")
    for _, row in ref.iterrows():
        # R's probs are failure probabilities: quantile p is where S falls to 1 - p.
        q = km.quantile(1 - row["prob"])
        _close(np.array([_opt(q.estimate), _opt(q.lower), _opt(q.upper)]),
               np.array([row["quantile"], row["lower"], row["upper"]]))


@pytest.mark.parametrize("ct", TYPES)
@pytest.mark.parametrize("ds", DATASETS)
def test_landmarks_match_r_summary_times(ds: str, ct: str) -> None:
    km = _fit(ds, ct)
    ref = _read(f"landmark_{ds}_{ct}.csv")
    got = km.at(ref["time"].to_numpy())
    np.testing.assert_array_equal([g.n_risk for g in got], ref["n.risk"])
    _close(np.array([g.survival for g in got]), ref["surv"])
    _close(np.array([g.std_err if g.survival > 0 else np.nan for g in got]), ref["std.err"])
    _close(np.array([_opt(g.lower) for g in got]), ref["lower"])
    _close(np.array([_opt(g.upper) for g in got]), ref["upper"])


def test_spec_examples_aml_median_ci() -> None:
    """Spec 5.1: aml, R log band gives median 27 (18, 45); R log-log gives (13, 34)."""
    log = _fit("aml", "log").median()
    loglog = _fit("aml", "log-log").median()
    assert (log.estimate, log.lower, log.upper) == (27, 18, 45)
    assert (loglog.estimate, loglog.lower, loglog.upper) == (27, 13, 34)


def test_stored_reference_is_what_rscript_produces_now(tmp_path: Path) -> None:
    """Re-run the R script and confirm that the stored fixtures are R's current output."""
    rscript = shutil.which("Rscript")
    assert rscript is not None, "Rscript with r-cran-survival is required (installed in CI)"
    subprocess.run([rscript, str(HERE / "make_reference.R"), str(tmp_path)], check=True,
                   capture_output=True, timeout=120)
    produced = sorted(p.name for p in tmp_path.glob("*.csv"))
    stored = sorted(p.name for p in HERE.glob("*.csv"))
    assert produced == stored
    for name in produced:
        assert (tmp_path / name).read_text() == (HERE / name).read_text(), name
