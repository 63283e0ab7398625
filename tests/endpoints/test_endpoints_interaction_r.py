"""Treatment-by-subgroup interaction (the forest plot's interaction p-value, issue 14) equals R
``anova(coxph(Surv ~ arm + f), coxph(Surv ~ arm * f))`` to 1e-8: lung (sex by ECOG, with an aliased
column: the one ECOG 3 patient is a man; by age group), veteran (treatment by cell type, by prior
therapy), Efron and Breslow ties, and every subgroup factor of the bundled two-arm example
(fixtures/interaction, R script make_reference.R beside them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hcctrials.endpoints.comparative import compute_interaction_test
from hcctrials.errors import InputError

HERE = Path(__file__).parent / "fixtures" / "interaction"
REF = pd.read_csv(HERE / "interaction.csv", na_values=["NA"], keep_default_na=False,
                  dtype={"endpoint": str})


def _data(dataset: str, endpoint: str) -> tuple[pd.DataFrame, str]:
    if dataset == "example":
        d = pd.read_csv(HERE / "example_two_arm.csv", keep_default_na=False)
        d = d[d["PARAMCD"] == endpoint].copy()
        d["time"], d["event"] = d["AVAL"].astype(float), (d["CNSR"] == 0).astype(int)
        d["AGEGR"] = np.where(d["AGE"] < 65, "<65", ">=65")
        d["ECOGGR"] = np.where(d["ECOG"] == 0, "0", ">=1")
        return d, "TACE"
    d = pd.read_csv(HERE / f"data_{dataset}.csv", na_values=["NA"], keep_default_na=False)
    return d, "1"


def test_r_reference_is_what_its_script_produces(tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    assert rscript is not None, "Rscript with survival is required (installed in CI)"
    subprocess.run([rscript, "make_reference.R", str(tmp_path)], cwd=HERE, check=True,
                   capture_output=True, timeout=300)
    for name in ("interaction.csv", "data_lung.csv", "data_veteran.csv", "subgroup_hr.csv",
                 "landmark_example.csv"):
        assert (tmp_path / name).read_text() == (HERE / name).read_text(), name


def test_r_analysed_the_library_records() -> None:
    """example_two_arm.csv is what the two-arm analysis of the bundled example holds now."""
    from hcctrials.reports.load import load_study
    from hcctrials.reports.two_arm import analyse_two_arms

    rec = analyse_two_arms(load_study("example-two-arm")).records
    rec = rec[rec["PARAMCD"].isin(["PFS", "TTP", "OS"])]
    ref = pd.read_csv(HERE / "example_two_arm.csv", keep_default_na=False)
    assert list(rec["subject_id"]) == list(ref["USUBJID"])
    assert list(rec["AVAL"]) == list(ref["AVAL"]) and list(rec["CNSR"]) == list(ref["CNSR"])
    assert list(rec["_age"].astype(int)) == list(ref["AGE"])
    assert list(rec["_ecog"].astype(int)) == list(ref["ECOG"])


@pytest.mark.parametrize("case", list(REF.itertuples(index=False)),
                         ids=[f"{r.dataset}-{r.endpoint}-{r.subgroup}-{r.ties}" for r in REF.itertuples()])
def test_interaction_likelihood_ratio_equals_r_anova(case: tuple) -> None:  # type: ignore[type-arg]
    d, reference = _data(case.dataset, case.endpoint)
    got = compute_interaction_test(d["time"], d["event"], d[case.arm], d[case.subgroup],
                                   factor=case.subgroup, reference=reference, ties=case.ties)
    assert (got.n, got.events, got.df, len(got.aliased)) == (case.n, case.events, case.df,
                                                             case.aliased)
    np.testing.assert_allclose([got.loglik_main, got.loglik_interaction],
                               [case.loglik_main, case.loglik_interaction], rtol=1e-10)
    np.testing.assert_allclose([got.chisq, got.p_value], [case.chisq, case.p], rtol=1e-8)


def test_aliased_level_is_named() -> None:
    d, _ = _data("lung", "")
    got = compute_interaction_test(d["time"], d["event"], d["sex"], d["ph.ecog"], factor="ph.ecog")
    assert got.aliased == ("3",) and got.levels == ("0", "1", "2", "3")
    assert got.n == 227                     # the patient without ECOG is left out, as na.omit


def test_a_factor_with_one_level_is_refused() -> None:
    d, _ = _data("veteran", "")
    with pytest.raises(InputError, match="at least two levels"):
        compute_interaction_test(d["time"], d["event"], d["trt"], ["same"] * len(d), factor="site")


def test_missing_time_is_an_error_naming_the_row_when_not_dropped() -> None:
    d, _ = _data("veteran", "")
    t = d["time"].astype(float).to_numpy().copy()
    t[4] = np.nan
    with pytest.raises(InputError, match="row 5"):
        compute_interaction_test(t, d["event"], d["trt"], d["prior"], drop_missing=False)


FACTOR_COLUMNS = {"bclc": "BCLC", "afp400": "AFP400", "sex": "SEX", "age": "AGEGR", "ecog": "ECOGGR"}


def test_two_arm_analysis_carries_the_r_interaction_tests() -> None:
    """The forest plot's interaction p per endpoint and factor (PFS and OS) equals R's anova."""
    from hcctrials.reports.load import load_study
    from hcctrials.reports.two_arm import analyse_two_arms

    t = analyse_two_arms(load_study("example-two-arm"))
    assert set(t.interactions) == {"PFS", "OS"}
    ex = REF[REF["dataset"] == "example"]
    for code, tests in t.interactions.items():
        assert set(tests) == set(FACTOR_COLUMNS)
        for factor, got in tests.items():
            r = ex[(ex["endpoint"] == code) & (ex["subgroup"] == FACTOR_COLUMNS[factor])].iloc[0]
            assert got is not None and got.df == r["df"]
            np.testing.assert_allclose([got.chisq, got.p_value], [r["chisq"], r["p"]], rtol=1e-8)


def test_forest_plot_subgroup_hazard_ratios_equal_r_coxph() -> None:
    """Each row of the forest plot (every subject, then each level of each factor) is R's
    ``coxph(Surv(AVAL, event) ~ ARM)`` within that subgroup (fixtures/interaction/subgroup_hr.csv)."""
    from hcctrials.reports.load import load_study
    from hcctrials.reports.two_arm import analyse_two_arms

    ref = pd.read_csv(HERE / "subgroup_hr.csv", keep_default_na=False)
    t = analyse_two_arms(load_study("example-two-arm"))
    for code, rows in t.subgroups.items():
        r_rows = ref[ref["endpoint"] == code]
        assert len(rows) == len(r_rows)
        factor_of = {v: k for k, v in FACTOR_COLUMNS.items()}
        for r in r_rows.itertuples():
            key = ("all", "all") if r.factor == "all" else (factor_of[r.factor], r.level)
            got = next(g for g in rows if (g.factor, g.level) == key)
            assert (got.n, got.events) == (r.n, r.events)
            np.testing.assert_allclose([got.hazard_ratio, got.lower, got.upper],
                                       [r.hr, r.lower, r.upper], rtol=1e-8)
