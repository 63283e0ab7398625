"""Response rates between arms: Miettinen-Nurminen difference, CMH odds ratio, MH risk
difference, against R.

Expected numbers: ``fixtures/rates/*.csv`` from ``fixtures/rates/make_reference.R``:
the MN interval written in R from the published formula (Miettinen & Nurminen 1985 with
Farrington & Manning's restricted MLE, ``uniroot(tol = 1e-14)``), ``mantelhaen.test`` for the
Mantel-Haenszel odds ratio, Robins-Breslow-Greenland interval and CMH statistic, and the
MH risk difference with Sato (1989) and Greenland-Robins (1985) variances written in R
from the papers' formulas.  Independent check of the MN formula: Newcombe (Stat Med
1998;17:873-90) Table II example (a), 56/70 vs 48/80 -> 0.0528 to 0.3382; R's own
``mantelhaen.test`` help gives p = 0.047 for the penicillin-rabbit data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from r_fixtures import assert_r_fixtures_current

from hcctrials.endpoints.rates import compute_rate_difference, compute_stratified_rates
from hcctrials.errors import InputError

HERE = Path(__file__).parent / "fixtures" / "rates"
TOL = 1e-10


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


MN = _read("mn.csv")


@pytest.mark.parametrize("row", MN.to_dict("records"), ids=lambda r: f"{r['x1']:.0f}/{r['n1']:.0f}-{r['x2']:.0f}/{r['n2']:.0f}")
def test_miettinen_nurminen_interval(row: dict[str, float]) -> None:
    args = (int(row["x1"]), int(row["n1"]), int(row["x2"]), int(row["n2"]))
    r95 = compute_rate_difference(*args)
    r90 = compute_rate_difference(*args, conf_level=0.90)
    assert r95.estimate == pytest.approx(row["estimate"], abs=TOL)
    assert r95.lower == pytest.approx(row["lower95"], abs=TOL)
    assert r95.upper == pytest.approx(row["upper95"], abs=TOL)
    assert r90.lower == pytest.approx(row["lower90"], abs=TOL)
    assert r90.upper == pytest.approx(row["upper90"], abs=TOL)


def test_newcombe_published_example() -> None:
    r = compute_rate_difference(56, 70, 48, 80)
    assert (round(r.lower, 4), round(r.upper, 4)) == (0.0528, 0.3382)
    assert "5.3 to 33.8" in r.describe()


@pytest.mark.parametrize("ds", ["ucb", "rabbits", "hcc"])
def test_cmh_and_mantel_haenszel_risk_difference(ds: str) -> None:
    k = _read(f"counts_{ds}.csv")
    cmh = _read(f"cmh_{ds}.csv").iloc[0]
    rd = _read(f"mhrd_{ds}.csv").iloc[0]
    args = (k["a"], k["n1"], k["c"], k["n0"])
    plain = compute_stratified_rates(*args, strata=k["stratum"].tolist())
    yates = compute_stratified_rates(*args, continuity_correction=True)
    ninety = compute_stratified_rates(*args, conf_level=0.90)
    gr = compute_stratified_rates(*args, variance="greenland-robins")
    checks = [
        (plain.odds_ratio, cmh["estimate"]), (plain.odds_ratio_lower, cmh["lower"]),
        (plain.odds_ratio_upper, cmh["upper"]), (ninety.odds_ratio_lower, cmh["lower90"]),
        (ninety.odds_ratio_upper, cmh["upper90"]), (plain.cmh_statistic, cmh["statistic"]),
        (plain.cmh_p_value, cmh["p"]), (yates.cmh_statistic, cmh["statistic_cc"]),
        (yates.cmh_p_value, cmh["p_cc"]), (plain.risk_difference, rd["estimate"]),
        (plain.risk_difference_variance, rd["var_sato"]),
        (plain.risk_difference_lower, rd["lower_sato"]),
        (plain.risk_difference_upper, rd["upper_sato"]),
        (gr.risk_difference_variance, rd["var_gr"]), (gr.risk_difference_lower, rd["lower_gr"]),
        (gr.risk_difference_upper, rd["upper_gr"]),
    ]
    for ours, ref in checks:
        assert ours == pytest.approx(ref, rel=TOL, abs=TOL)


def test_rabbits_p_value_printed_in_r_help() -> None:
    k = _read("counts_rabbits.csv")
    s = compute_stratified_rates(k["a"], k["n1"], k["c"], k["n0"], continuity_correction=True)
    assert round(s.cmh_p_value, 3) == 0.047


def test_bad_counts_are_named() -> None:
    with pytest.raises(InputError, match="arm 1"):
        compute_rate_difference(12, 10, 3, 10)
    with pytest.raises(InputError, match="record BCLC-C.*arm 2"):
        compute_stratified_rates([3, 4], [10, 10], [2, 0], [10, 0], strata=["BCLC-B", "BCLC-C"])
    with pytest.raises(InputError, match="conf_level"):
        compute_rate_difference(1, 10, 3, 10, conf_level=95)


def test_stored_reference_is_what_rscript_produces_now(tmp_path: Path) -> None:
    assert_r_fixtures_current(HERE, tmp_path, "R")
