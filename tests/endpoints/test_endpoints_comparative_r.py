"""Comparing two arms equals R ``survival`` 3.5-3: log-rank, Cox, cox.zph, RMST, landmarks.

Expected numbers: ``fixtures/comparative/*.csv`` written by
``fixtures/comparative/make_reference.R`` (R 4.2.2, survival 3.5-3) on R's ``aml`` (arm
``x``), ``lung`` (arm ``sex``; strata ``ph.ecog``; covariates age, ph.ecog) and ``veteran``
(arm ``trt``; strata ``celltype``; covariates karno, age).  The datasets are recorded too,
so R is not needed to run these tests.  ``cases.csv`` lists every analysis; rows with a
missing value in a used variable are dropped, as R's model frame drops them.
The survRM2 difference and ratios are computed in the R script from the per-arm
``survival`` numbers (survRM2 is not packaged by Debian).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.endpoints.comparative import (
    compute_cox, compute_cox_zph, compute_km_by_arm, compute_landmark_difference,
    compute_log_rank, compute_restricted_mean, compute_rmst,
)
from hcctrials.endpoints.survival import compute_kaplan_meier
from hcctrials.errors import InputError

HERE = Path(__file__).parent / "fixtures" / "comparative"
TOL = 1e-8


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


CASES = _read("cases.csv")
TWO_ARM = [c for c in CASES["case"] if c != "veteran_celltype"]
TAU = [c for c, tau in zip(CASES["case"], CASES["tau"]) if pd.notna(tau)]
LANDMARK = [c for c, lm in zip(CASES["case"], CASES["landmarks"]) if lm]


def _case(name: str) -> dict[str, Any]:
    """The case's data (NA rows dropped as R does) and its arm/strata/covariate columns."""
    c = CASES.set_index("case").loc[name]
    d = _read(f"data_{c['dataset']}.csv")
    covs = [v for v in str(c["covariates"]).split(";") if v]
    strata = str(c["strata"]) or None
    used = ["time", "event", str(c["arm"]), *covs, *([strata] if strata else [])]
    d = d.dropna(subset=used).reset_index(drop=True)
    return {"d": d, "time": d["time"], "event": d["event"], "arm": d[str(c["arm"])],
            "strata": d[strata] if strata else None,
            "covariates": {k: d[k] for k in covs}, "tau": c["tau"],
            "landmarks": [float(v) for v in str(c["landmarks"]).split(";") if v]}


def close(got: Any, want: Any) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=TOL, atol=TOL)


# ----------------------------------------------------------------------------- log-rank

@pytest.mark.parametrize("name", list(CASES["case"]))
def test_log_rank_equals_survdiff(name: str) -> None:
    c = _case(name)
    ref = _read("logrank.csv").query("case == @name")
    test = compute_log_rank(c["time"], c["event"], c["arm"], strata=c["strata"])
    assert list(test.arms) == [str(a) for a in ref["arm"]]
    np.testing.assert_array_equal(test.n, ref["n"])
    close(test.observed, ref["observed"])
    close(test.expected, ref["expected"])
    k = len(test.arms)
    close(test.variance, ref[[f"var{j + 1}" for j in range(k)]].to_numpy())
    assert test.df == int(ref["df"].iloc[0])
    close(test.chisq, ref["chisq"].iloc[0])
    close(test.p_value, ref["p"].iloc[0])


def test_stratified_log_rank_changes_who_is_compared_with_whom() -> None:
    """veteran: treatment is not significant either way, but the strata move chi-square
    from 0.008 to 0.70 (cell type is strongly prognostic)."""
    c = _case("veteran_trt_cell")
    plain = compute_log_rank(c["time"], c["event"], c["arm"])
    strat = compute_log_rank(c["time"], c["event"], c["arm"], strata=c["strata"])
    assert plain.chisq == pytest.approx(0.00823, abs=1e-5)
    assert strat.chisq == pytest.approx(0.7017, abs=1e-4)
    assert strat.strata == ("adeno", "large", "smallcell", "squamous")
    assert "stratified, 4 strata" in strat.describe()


# ---------------------------------------------------------------------------------- Cox

@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("name", TWO_ARM)
def test_cox_equals_coxph(name: str, ties: str) -> None:
    c = _case(name)
    ref = _read("cox.csv").query("case == @name and ties == @ties")
    fit = compute_cox(c["time"], c["event"], c["arm"], strata=c["strata"],
                      covariates=c["covariates"], ties=ties)
    assert fit.converged and fit.iterations == int(ref["iter"].iloc[0])
    assert fit.possibly_infinite == ()
    assert (fit.n, fit.events) == (int(ref["n"].iloc[0]), int(ref["nevent"].iloc[0]))
    assert len(fit.terms) == len(ref)
    for term, (_, r) in zip(fit.terms, ref.iterrows()):
        close([term.coef, term.std_err, term.hazard_ratio, term.lower, term.upper, term.z,
               term.p_value],
              [r["coef"], r["se"], r["hr"], r["lower"], r["upper"], r["z"], r["p"]])
    r = ref.iloc[0]
    close([fit.loglik_null, fit.loglik], [r["loglik0"], r["loglik"]])
    for test, key in ((fit.wald, "wald"), (fit.score, "score"), (fit.likelihood_ratio, "lrt")):
        assert test.df == int(r[f"{key}_df"])
        close([test.chisq, test.p_value], [r[key], r[f"{key}_p"]])


def test_cox_arm_term_reads_like_the_clinic() -> None:
    """lung: women (sex 2) die at 0.59 times the rate of men (R: 0.588, 0.424-0.816)."""
    c = _case("lung_sex")
    fit = compute_cox(c["time"], c["event"], c["arm"])
    assert (fit.reference_arm, fit.experimental_arm) == ("1", "2")
    assert fit.arm.name == "2 vs 1"
    assert fit.describe().startswith("HR 2 vs 1 0.59 (95% CI 0.42 to 0.82)")
    flipped = compute_cox(c["time"], c["event"], c["arm"], reference=2)
    close(flipped.arm.coef, -fit.arm.coef)
    close(flipped.arm.std_err, fit.arm.std_err)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("name", TWO_ARM)
def test_cox_zph_equals_r(name: str, ties: str) -> None:
    c = _case(name)
    ref = _read("zph.csv").query("case == @name and ties == @ties")
    fit = compute_cox(c["time"], c["event"], c["arm"], strata=c["strata"],
                      covariates=c["covariates"], ties=ties)
    zph = compute_cox_zph(fit)
    got = [*zph.terms, zph.global_test]
    assert len(got) == len(ref)
    close([t.chisq for t in got], ref["chisq"])
    close([t.p_value for t in got], ref["p"])
    assert [t.df for t in got] == ref["df"].astype(int).tolist()


# --------------------------------------------------------------------- RMST, landmarks

@pytest.mark.parametrize("name", TAU)
def test_rmst_equals_survival_and_survrm2(name: str) -> None:
    c = _case(name)
    tau = float(c["tau"])
    per = _read("rmst.csv").query("case == @name")
    cmp_ = _read("rmst_compare.csv").query("case == @name").iloc[0]
    r = compute_rmst(c["time"], c["event"], c["arm"], tau)
    for arm, (_, row) in zip((r.reference, r.experimental), per.iterrows()):
        assert arm.arm == str(row["arm"])
        close([arm.rmst, arm.std_err, arm.lower, arm.upper],
              [row["rmean"], row["se"], row["lower"], row["upper"]])
    d = r.difference
    close([d.estimate, d.std_err, d.lower, d.upper, d.p_value],
          [cmp_["diff"], cmp_["diff_se"], cmp_["diff_lower"], cmp_["diff_upper"],
           cmp_["diff_p"]])
    q = r.ratio
    close([q.estimate, q.std_err, q.lower, q.upper, q.p_value],
          [cmp_["ratio"], cmp_["log_ratio_se"], cmp_["ratio_lower"], cmp_["ratio_upper"],
           cmp_["ratio_p"]])
    q = r.rmtl_ratio
    close([q.estimate, q.std_err, q.lower, q.upper, q.p_value],
          [cmp_["rmtl_ratio"], cmp_["log_rmtl_ratio_se"], cmp_["rmtl_ratio_lower"],
           cmp_["rmtl_ratio_upper"], cmp_["rmtl_ratio_p"]])


def test_rmst_tau_beyond_an_arms_follow_up_is_refused() -> None:
    c = _case("aml")       # the Nonmaintained arm is followed up to day 45 only
    with pytest.raises(InputError, match="tau <= 45"):
        compute_rmst(c["time"], c["event"], c["arm"], 100.0)


@pytest.mark.parametrize("name", LANDMARK)
def test_landmark_difference_equals_r(name: str) -> None:
    c = _case(name)
    ref = _read("landmark.csv").query("case == @name")
    got = compute_landmark_difference(c["time"], c["event"], c["arm"], c["landmarks"])
    assert [g.time for g in got] == ref["time"].tolist()
    for g, (_, r) in zip(got, ref.iterrows()):
        assert g.estimable == bool(r["estimable"])
        for mine, k in ((g.reference, "0"), (g.experimental, "1")):
            if pd.isna(r[f"n_risk{k}"]):      # R's summary leaves the time out
                assert not mine.estimable and mine.rate is None
            else:
                assert mine.estimable and mine.n_risk == r[f"n_risk{k}"]
                close([mine.survival, mine.std_err], [r[f"surv{k}"], r[f"se{k}"]])
        if g.estimable:
            close([g.difference, g.std_err, g.lower, g.upper, g.p_value],
                  [r["diff"], r["diff_se"], r["lower"], r["upper"], r["p"]])
        else:
            assert g.difference is None and g.describe().startswith("not estimable")


def test_times_differing_by_rounding_error_are_merged_as_r_does() -> None:
    """near_ties: arm B's event at day 1 + 1e-9 is R's day 1 (aeqSurv), so B's survival
    at day 1 is 7/8, not 1; ``timefix=False`` compares the times exactly."""
    c = _case("near_ties")
    fixed = compute_landmark_difference(c["time"], c["event"], c["arm"], [1])[0]
    exact = compute_landmark_difference(c["time"], c["event"], c["arm"], [1], timefix=False)[0]
    assert fixed.experimental.survival == pytest.approx(0.875)
    assert exact.experimental.survival == 1.0


def test_km_by_arm_is_one_curve_per_arm_in_r_order() -> None:
    c = _case("veteran_celltype")
    curves = compute_km_by_arm(c["time"], c["event"], c["arm"], conf_type="log")
    assert list(curves) == ["adeno", "large", "smallcell", "squamous"]
    ref = _read("logrank.csv").query("case == 'veteran_celltype'")
    assert [km.n for km in curves.values()] == ref["n"].tolist()
    assert [km.events for km in curves.values()] == ref["observed"].astype(int).tolist()


# ------------------------------------------------------------------- bad input, NA rows

def test_missing_values_are_named_or_dropped_as_r_does() -> None:
    d = _read("data_lung.csv")      # one subject without ph.ecog (row 14)
    with pytest.raises(InputError, match="row 14, field strata: missing value"):
        compute_log_rank(d["time"], d["event"], d["sex"], strata=d["ph.ecog"])
    test = compute_log_rank(d["time"], d["event"], d["sex"], strata=d["ph.ecog"],
                            drop_missing=True)
    assert test.n_dropped == 1 and int(test.n.sum()) == 227


def test_cox_with_monotone_likelihood_says_the_hr_is_not_estimable() -> None:
    """Arm A's subjects all fail before any of arm B's: R runs 20 iterations to a huge
    coefficient and warns "coefficient may be infinite" (``cox_monotone.csv``)."""
    d = _read("data_monotone.csv")
    ref = _read("cox_monotone.csv").iloc[0]
    fit = compute_cox(d["time"], d["event"], d["arm"])
    close([fit.arm.coef, fit.arm.std_err], [ref["coef"], ref["se"]])
    assert fit.iterations == int(ref["iter"]) and ref["warned"] == 1
    assert fit.possibly_infinite == ("B vs A",)
    assert "not estimable" in fit.describe()


def test_log_rank_without_a_comparison_says_so() -> None:
    """Every event happens while only one arm is at risk: R stops with "exactly singular"."""
    with pytest.raises(InputError, match="not defined"):
        compute_log_rank([1, 1], [1, 1], ["A", "B"])


def test_bad_input_is_named() -> None:
    with pytest.raises(InputError, match="record row 2, field event"):
        compute_log_rank([1, 2, 3, 4], [1, 2, 0, 1], ["A", "B", "A", "B"])
    with pytest.raises(InputError, match="field time"):
        compute_cox([1, -2, 3, 4], [1, 1, 0, 1], ["A", "B", "A", "B"])
    with pytest.raises(InputError, match="exactly 2 distinct values"):
        compute_cox([1, 2, 3, 4], [1, 1, 0, 1], ["A", "B", "C", "B"])
    with pytest.raises(InputError, match="reference arm"):
        compute_cox([1, 2, 3, 4], [1, 1, 0, 1], ["A", "B", "A", "B"], reference="C")
    with pytest.raises(InputError, match="ties"):
        compute_cox([1, 2, 3, 4], [1, 1, 0, 1], ["A", "B", "A", "B"], ties="exact")


# ------------------------------------------------------------------------- properties

trial = st.integers(4, 50).flatmap(lambda n: st.tuples(
    st.lists(st.integers(1, 30), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.integers(0, 1), min_size=n, max_size=n),
    st.lists(st.integers(0, 2), min_size=n, max_size=n)))


def _usable(t: list[int], e: list[int], a: list[int]) -> bool:
    return 0 < sum(a) < len(a) and sum(e) > 0


@settings(max_examples=60, deadline=None)
@given(trial)
def test_breslow_score_test_is_the_log_rank_test(data: tuple[list[int], ...]) -> None:
    """With one binary covariate and no tied event times the Cox score test at beta = 0 is
    the log-rank statistic (Cox 1972), stratified or not.  (With ties the log-rank
    variance has the hypergeometric factor (n - d) / (n - 1), Cox's has not.)"""
    t_int, e, a, s = data
    if not _usable(t_int, e, a):
        return
    t = [x + i / 1000 for i, x in enumerate(t_int)]    # distinct times
    for strata in (None, s):
        try:
            lr = compute_log_rank(t, e, a, strata=strata)
        except InputError:        # no event with both arms at risk: nothing to compare
            continue
        fit = compute_cox(t, e, a, strata=strata, ties="breslow", max_iter=0)
        np.testing.assert_allclose(fit.score.chisq, lr.chisq, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(trial)
def test_log_rank_does_not_depend_on_arm_names_or_time_scale(data: tuple[list[int], ...]) -> None:
    t, e, a, s = data
    if not _usable(t, e, a):
        return
    try:
        base = compute_log_rank(t, e, a, strata=s)
    except InputError:            # no event with both arms at risk: nothing to compare
        return
    swapped = compute_log_rank(np.asarray(t) * 7.25, e, ["B" if x == 0 else "A" for x in a],
                               strata=s)
    np.testing.assert_allclose(swapped.chisq, base.chisq, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(base.observed.sum(), base.expected.sum(), rtol=1e-12)
    np.testing.assert_allclose(swapped.observed[::-1], base.observed)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 100), min_size=2, max_size=40), st.integers(1, 120))
def test_rmst_without_censoring_is_the_mean_of_min_t_tau(times: list[int], tau: int) -> None:
    km = compute_kaplan_meier(times, [1] * len(times))
    m, _ = compute_restricted_mean(km, float(tau))
    np.testing.assert_allclose(m, np.minimum(times, tau).mean(), rtol=1e-12)


def test_identical_arms_have_no_difference() -> None:
    t = [3, 5, 5, 8, 12, 15, 20, 21]
    e = [1, 0, 1, 1, 0, 1, 1, 0]
    arm = ["A"] * 8 + ["B"] * 8
    tt, ee = t + t, e + e
    assert compute_log_rank(tt, ee, arm).chisq == pytest.approx(0.0, abs=1e-12)
    assert compute_cox(tt, ee, arm).arm.hazard_ratio == pytest.approx(1.0, abs=1e-9)
    assert compute_rmst(tt, ee, arm, 20).difference.estimate == pytest.approx(0.0, abs=1e-12)
    lm = compute_landmark_difference(tt, ee, arm, [10])[0]
    assert lm.difference == pytest.approx(0.0, abs=1e-12)
