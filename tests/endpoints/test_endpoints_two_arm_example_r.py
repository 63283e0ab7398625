"""The bundled two-arm example (lenvatinib + sintilimab + TACE against TACE, ITT, mRECIST)
analysed by the library and by R: response rates and competing risks (issue 14).

Reference numbers: ``tests/cli/fixtures/two_arm`` (``make_reference.R`` beside them, run on the
ADTTE and confirmed best responses hcctrials exports there with ``make_inputs.py``):

* ``rates.csv``: ORR and DCR, experimental minus control, with the Miettinen-Nurminen (1985) score
  interval (R implementation of the published formula in the script), and over the BCLC x AFP
  strata the Mantel-Haenszel common odds ratio with its Robins-Breslow-Greenland interval and the
  Cochran-Mantel-Haenszel test (R ``mantelhaen.test``), and the Mantel-Haenszel risk difference
  with the Sato (1989) variance.
* ``competing.csv``: time to progression with death without progression as the competing event:
  cumulative incidence by arm at 6 and 12 months, Gray's test (R ``cmprsk::cuminc``) and the
  Fine-Gray subdistribution hazard ratio of progression (``cmprsk::crr``).

A statistician checking the trial sees the same rate difference, odds ratio and subdistribution
HR as R gives, to 1e-8.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hcctrials.endpoints.rates import compute_stratified_rates
from hcctrials.reports.load import load_study
from hcctrials.reports.two_arm import TwoArmAnalysis, analyse_two_arms

FIXTURES = Path(__file__).parents[1] / "cli" / "fixtures" / "two_arm"
EXP, CTL = "Lenvatinib + sintilimab + TACE", "TACE"
RTOL = 1e-8


@lru_cache(maxsize=None)
def _analysis(stratified: bool = True) -> TwoArmAnalysis:
    strata = ("bclc", "afp400") if stratified else ()
    return analyse_two_arms(load_study("example-two-arm"), strata=strata)


def _ref(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, na_values=["NA"], keep_default_na=False)


def test_r_analysed_the_library_response_records() -> None:
    """The confirmed best responses R counted are the ones behind the library's rates."""
    rec = _analysis().response_records
    assert rec is not None
    ref = _ref("response_two_arm.csv")
    assert list(rec["subject_id"]) == list(ref["USUBJID"])
    assert list(rec["arm"]) == list(ref["ARM"])
    assert list(rec["best_overall_response_confirmed"].fillna("")) == list(ref["BOR"])
    assert list(rec["stratum"]) == [f"{b} / {a}" for b, a in zip(ref["BCLC"], ref["AFP400"])]


@pytest.mark.parametrize("rate", ["ORR", "DCR"])
def test_rate_difference_with_miettinen_nurminen_interval_equals_r(rate: str) -> None:
    r = _ref("rates.csv").set_index("rate").loc[rate]
    got = _analysis().rates[rate]
    e, c = got.by_arm[EXP], got.by_arm[CTL]
    assert (e.count, e.n, c.count, c.n) == (r["responders_exp"], r["n_exp"], r["responders_ctl"],
                                            r["n_ctl"])
    d = got.difference
    assert d.method == "Miettinen-Nurminen score" and d.conf_level == 0.95
    np.testing.assert_allclose([d.estimate, d.lower, d.upper],
                               [r["difference"], r["mn_lower"], r["mn_upper"]], rtol=RTOL)


@pytest.mark.parametrize("rate", ["ORR", "DCR"])
def test_mantel_haenszel_odds_ratio_cmh_and_risk_difference_equal_r(rate: str) -> None:
    r = _ref("rates.csv").set_index("rate").loc[rate]
    s = _analysis().rates[rate].stratified
    assert s is not None
    assert s.strata == ("B / <400", "B / >=400", "C / <400", "C / >=400")
    np.testing.assert_allclose(
        [s.odds_ratio, s.odds_ratio_lower, s.odds_ratio_upper, s.cmh_statistic, s.cmh_p_value],
        [r["mh_or"], r["mh_or_lower"], r["mh_or_upper"], r["cmh_statistic"], r["cmh_p"]], rtol=RTOL)
    assert s.continuity_correction is False
    np.testing.assert_allclose(
        [s.risk_difference, s.risk_difference_variance, s.risk_difference_lower,
         s.risk_difference_upper],
        [r["mh_rd"], r["mh_rd_var"], r["mh_rd_lower"], r["mh_rd_upper"]], rtol=RTOL)


@pytest.mark.parametrize("rate", ["ORR", "DCR"])
def test_stratum_counts_and_continuity_corrected_cmh_equal_r(rate: str) -> None:
    """The 2 x 2 x K table R built from the subjects, and R's default ``correct = TRUE`` CMH test
    on it."""
    k = _ref("rate_strata.csv")
    k = k[k["rate"] == rate]
    rec = _analysis().response_records
    assert rec is not None
    from hcctrials.endpoints.proportions import derive_dcr, derive_orr

    derive = derive_orr if rate == "ORR" else derive_dcr
    for row in k.itertuples():
        sub = rec[rec["stratum"] == row.stratum]
        e = derive(sub[sub["arm"] == EXP])
        c = derive(sub[sub["arm"] == CTL])
        assert (e.count, e.n, c.count, c.n) == (row.responders_exp, row.n_exp, row.responders_ctl,
                                                row.n_ctl), row.stratum
    s = compute_stratified_rates(k["responders_exp"], k["n_exp"], k["responders_ctl"], k["n_ctl"],
                                 strata=list(k["stratum"]), continuity_correction=True)
    r = _ref("rates.csv").set_index("rate").loc[rate]
    np.testing.assert_allclose([s.cmh_statistic, s.cmh_p_value],
                               [r["cmh_statistic_cc"], r["cmh_p_cc"]], rtol=RTOL)


def test_unstratified_analysis_has_the_same_difference_and_no_cmh() -> None:
    r = _ref("rates.csv").set_index("rate").loc["ORR"]
    got = _analysis(stratified=False).rates["ORR"]
    assert got.stratified is None
    np.testing.assert_allclose([got.difference.lower, got.difference.upper],
                               [r["mn_lower"], r["mn_upper"]], rtol=RTOL)


def test_cumulative_incidence_gray_and_fine_gray_equal_r_cmprsk() -> None:
    """Progression (cause 1) and death without progression (cause 2) by arm, at 6 and 12 months."""
    ref = _ref("competing.csv")
    t = _analysis(stratified=False)
    cr = t.competing
    assert cr is not None
    cum = ref[ref["kind"] == "cuminc"]
    assert len(cum) == 8
    for row in cum.itertuples():
        est, var = cr.curve(row.arm, int(row.cause)).at([row.time])
        np.testing.assert_allclose([est[0], var[0]], [row.value, row.var], rtol=RTOL)
    gray = {g.cause: g for g in cr.tests}
    for row in ref[ref["kind"] == "gray"].itertuples():
        np.testing.assert_allclose([gray[str(row.cause)].statistic, gray[str(row.cause)].p_value],
                                   [row.value, row.var], rtol=RTOL)
    fg = t.fine_gray
    assert fg is not None
    kinds = ref.set_index("kind")
    np.testing.assert_allclose([fg.coef, fg.se ** 2], [kinds.loc["finegray_coef", "value"],
                                                      kinds.loc["finegray_coef", "var"]], rtol=RTOL)
    np.testing.assert_allclose([fg.hazard_ratio, fg.p_value, fg.lower, fg.upper],
                               [kinds.loc["finegray_hr", "value"], kinds.loc["finegray_hr", "var"],
                                kinds.loc["finegray_ci", "value"], kinds.loc["finegray_ci", "var"]],
                               rtol=RTOL)
    # Experimental arm progresses less often: the sHR is below 1 and Gray's test agrees.
    assert fg.hazard_ratio < 1 and gray["1"].p_value < 0.05
