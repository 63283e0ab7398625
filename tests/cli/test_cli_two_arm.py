"""`hcctrials endpoints --by arm` and `hcctrials design gsd` (issue 14, "Report and CLI").

The numbers printed are the library's, and the library's equal R: the two-arm example's
statistics against ``fixtures/two_arm`` (R survival on hcctrials' exported ADTTE, script
``make_reference.R`` beside it), the group-sequential designs against the rpact fixtures of
``tests/endpoints/fixtures/gsd``.  A trial statistician reading the terminal sees the same
HR, p-values and boundaries R would give; usage errors are one line with exit status 2.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app, main
from hcctrials.endpoints.survival import DAYS_PER_MONTH
from hcctrials.i18n import say
from hcctrials.reports.load import load_study
from hcctrials.reports.two_arm import analyse_two_arms, format_p

HERE = Path(__file__).parent / "fixtures" / "two_arm"
GSD = Path(__file__).parents[1] / "endpoints" / "fixtures" / "gsd"
EXP, CTL = "Lenvatinib + sintilimab + TACE", "TACE"
runner = CliRunner()


def _run(*args: str) -> Any:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r


@lru_cache(maxsize=None)
def _json(*args: str) -> dict[str, Any]:
    return json.loads(_run("endpoints", "example-two-arm", "--by", "arm", "--json", *args).stdout)


def _ref(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


def test_r_reference_is_what_its_script_produces(tmp_path: Path) -> None:
    rscript = shutil.which("Rscript")
    assert rscript is not None, "Rscript with survival is required (installed in CI)"
    subprocess.run([rscript, "make_reference.R", str(tmp_path)], cwd=HERE, check=True,
                   capture_output=True, timeout=300)
    for name in ("km.csv", "tests.csv", "rmst.csv", "competing.csv", "rates.csv", "rate_strata.csv"):
        assert (tmp_path / name).read_text() == (HERE / name).read_text(), name


def test_r_inputs_are_the_cli_records() -> None:
    """The ADTTE R analysed is the one behind the CLI's ITT numbers."""
    t = analyse_two_arms(load_study("example-two-arm"), strata=("bclc", "afp400"))
    rec = t.records[t.records["PARAMCD"].isin(["PFS", "TTP", "OS"])]
    ref = _ref("adtte_two_arm.csv")
    assert list(rec["subject_id"]) == list(ref["USUBJID"])
    assert list(rec["AVAL"]) == list(ref["AVAL"]) and list(rec["CNSR"]) == list(ref["CNSR"])
    assert list(rec["arm"]) == list(ref["ARM"])


@pytest.mark.parametrize("strata", ["none", "bclc+afp400"])
def test_json_log_rank_cox_and_zph_equal_r(strata: str) -> None:
    args = () if strata == "none" else ("--strata", "bclc", "--strata", "afp400")
    out = _json(*args)
    ref = _ref("tests.csv")
    for _, r in ref[ref["strata"] == strata].iterrows():
        e = out["endpoints"][r["endpoint"]]
        assert e["log_rank"]["stratified"] is (strata != "none")
        np.testing.assert_allclose(e["log_rank"]["chisq"], r["logrank_chisq"], rtol=1e-10)
        np.testing.assert_allclose(e["log_rank"]["p"], r["logrank_p"], rtol=1e-8)
        for ours, theirs in (("hazard_ratio", "hr"), ("lower", "lower"), ("upper", "upper"),
                             ("wald_p", "wald_p"), ("score_p", "score_p"), ("lr_p", "lr_p")):
            np.testing.assert_allclose(e["cox"][ours], r[theirs], rtol=1e-8, err_msg=ours)
        np.testing.assert_allclose(e["cox_zph"]["global_chisq"], r["zph_chisq"], rtol=1e-8)
        np.testing.assert_allclose(e["cox_zph"]["global_p"], r["zph_p"], rtol=1e-8)


def test_json_km_medians_equal_r() -> None:
    out = _json()
    for _, r in _ref("km.csv").iterrows():
        s = out["endpoints"][r["endpoint"]]["by_arm"][r["arm"]]
        assert (s["n"], s["events"]) == (r["n"], r["events"])
        for ours, theirs in (("median_days", "median"), ("median_lower_days", "lower"),
                             ("median_upper_days", "upper")):
            if np.isnan(r[theirs]):
                assert s[ours] is None
            else:
                assert s[ours] == pytest.approx(r[theirs], abs=1e-9)


def test_json_rmst_equals_r() -> None:
    out = _json("--tau", "12")
    for _, r in _ref("rmst.csv").iterrows():
        m = out["endpoints"][r["endpoint"]]["rmst"]
        assert m["tau_days"] == r["tau"] == 12 * DAYS_PER_MONTH
        np.testing.assert_allclose(m["by_arm"][EXP]["rmst_days"], r["rmean_exp"], rtol=1e-10)
        np.testing.assert_allclose(m["by_arm"][EXP]["se_days"], r["se_exp"], rtol=1e-10)
        np.testing.assert_allclose(m["by_arm"][CTL]["rmst_days"], r["rmean_ctl"], rtol=1e-10)
        d, q = m["difference_days"], m["ratio"]
        np.testing.assert_allclose([d["estimate"], d["lower"], d["upper"], d["p"]],
                                   r[["diff", "diff_lower", "diff_upper", "diff_p"]].to_numpy(
                                       dtype=float), rtol=1e-8)
        np.testing.assert_allclose([q["estimate"], q["lower"], q["upper"], q["p"]],
                                   r[["ratio", "ratio_lower", "ratio_upper", "ratio_p"]].to_numpy(
                                       dtype=float), rtol=1e-8)


def test_json_shape_and_response_rates() -> None:
    out = _json("--strata", "bclc", "--strata", "afp400")
    assert out["analysis_set"] == "itt" and out["strata"] == ["bclc", "afp400"]
    assert (out["experimental_arm"], out["control_arm"]) == (EXP, CTL)
    assert out["n_by_arm"] == {EXP: 59, CTL: 61}
    assert set(out["endpoints"]) == {"PFS", "TTP", "OS"}
    e = out["endpoints"]["PFS"]
    assert set(e) >= {"by_arm", "log_rank", "cox", "cox_zph", "rmst", "landmark_difference"}
    assert [lm["months"] for lm in e["by_arm"][EXP]["landmarks"]] == [6.0, 12.0]
    orr = out["response"]["ORR"]
    assert set(orr["by_arm"]) == {EXP, CTL}
    assert orr["difference"]["method"] == "Miettinen-Nurminen score"
    assert orr["cmh"]["strata"] == ["B / <400", "B / >=400", "C / <400", "C / >=400"]
    no_strata = _json()
    assert no_strata["response"]["ORR"]["cmh"] is None
    assert no_strata["endpoints"]["PFS"]["cox"]["stratified"] is False


def test_text_prints_the_library_numbers() -> None:
    """Every number on the screen is the library's (rounded as printed)."""
    out = _run("endpoints", "example-two-arm", "--by", "arm", "--strata", "bclc", "--strata",
               "afp400", "--lang", "en").stdout
    t = analyse_two_arms(load_study("example-two-arm"), strata=("bclc", "afp400"))
    for code, e in t.endpoints.items():
        cox = e.cox.arm
        assert (f"HR {cox.hazard_ratio:.2f} (95% CI {cox.lower:.2f} to {cox.upper:.2f})"
                in out), code
        assert (f"log-rank test stratified by 4 strata: chi-square {e.log_rank.chisq:.4f} on 1 df, "
                f"p = {format_p(e.log_rank.p_value)}") in out
        assert f"Wald p = {format_p(e.cox.wald.p_value)}, score p = {format_p(e.cox.score.p_value)}" in out
        assert (f"proportional hazards (cox.zph, global): chi-square "
                f"{e.zph.global_test.chisq:.4f}, p = {format_p(e.zph.global_test.p_value)}") in out
        assert e.rmst is not None
        assert f"difference {e.rmst.difference.estimate / DAYS_PER_MONTH:+.2f} months" in out
        med = e.by_arm[EXP].median
        assert med is not None and med.estimate is not None
        assert f"median {med.estimate / DAYS_PER_MONTH:.1f} months" in out
    d = t.rates["ORR"].difference
    assert (f"ORR difference {100 * d.estimate:+.1f} percentage points (95% CI "
            f"{100 * d.lower:.1f} to {100 * d.upper:.1f}, Miettinen-Nurminen)") in out
    s = t.rates["ORR"].stratified
    assert s is not None and f"Mantel-Haenszel odds ratio {s.odds_ratio:.3f}" in out


def test_text_in_chinese() -> None:
    out = _run("endpoints", "example-two-arm", "--by", "arm", "--lang", "zh").stdout
    assert "分析集：意向性治疗" in out and "log-rank 检验：卡方" in out
    assert "试验组" in out and "仑伐替尼 + 信迪利单抗 + TACE" in out
    assert "subjects" not in out and "months" not in out and "difference" not in out


def test_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HCCTRIALS_LANG", "zh")
    out = _run("design", "gsd", "--looks", "2").stdout
    assert "成组序贯设计" in out


@pytest.mark.parametrize("analysis_set,n_exp,n_ctl", [("pp", None, None), ("safety", None, None)])
def test_analysis_sets(analysis_set: str, n_exp: Any, n_ctl: Any) -> None:
    out = _json("--analysis-set", analysis_set)
    itt = _json()
    assert out["analysis_set"] == analysis_set
    assert sum(out["n_by_arm"].values()) < sum(itt["n_by_arm"].values())
    sets = load_study("example-two-arm")
    from hcctrials.endpoints.study import derive_analysis_sets

    flags = derive_analysis_sets(sets)
    if analysis_set == "pp":
        pp = flags[flags["PPROTFL"] == "Y"]
        assert out["n_by_arm"] == {a: int((pp["arm"] == a).sum()) for a in (EXP, CTL)}
    else:
        saf = flags[flags["SAFFL"] == "Y"]
        assert out["n_by_arm"] == {a: int((saf["actual_arm"] == a).sum()) for a in (EXP, CTL)}


def _gsd_case(ds: str) -> tuple[list[str], pd.DataFrame, pd.Series]:
    d = pd.read_csv(GSD / f"design_{ds}.csv", na_values=["NA"], keep_default_na=False)
    s = pd.read_csv(GSD / f"summary_{ds}.csv", na_values=["NA"], keep_default_na=False).iloc[0]
    fut = s["typeBetaSpending"]
    args = ["design", "gsd", "--alpha", repr(float(s["alpha"])), "--beta", repr(float(s["beta"])),
            "--information-rates", ",".join(repr(float(x)) for x in d["informationRates"]),
            "--type-of-design", str(s["typeOfDesign"]), "--futility", str(fut),
            "--hazard-ratio", repr(float(s["hazardRatio"])),
            "--allocation-ratio", repr(float(s["allocationRatio"]))]
    return args, d, s


@pytest.mark.parametrize("ds", ["of3_bsof", "p3", "of2_hcc", "p4_bsp", "of4"])
def test_design_gsd_json_equals_rpact(ds: str) -> None:
    """Tolerances as tests/endpoints/test_endpoints_gsd_r.py: rpact's own precision."""
    args, d, s = _gsd_case(ds)
    out = json.loads(_run(*args, "--json").stdout)
    np.testing.assert_allclose(out["efficacy_z"], d["criticalValues"], atol=5e-8)
    np.testing.assert_allclose(out["efficacy_p"], d["stageLevels"], atol=1e-8)
    fut = d["futilityBounds"].to_numpy(dtype=float)
    ours = np.array([np.nan if v is None else v for v in out["futility_z"]], dtype=float)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(fut))
    np.testing.assert_allclose(ours[~np.isnan(fut)], fut[~np.isnan(fut)], atol=5e-8)
    np.testing.assert_allclose(out["events_per_look_exact"], d["eventsPerStage"], rtol=2e-8)
    assert out["max_events_exact"] == pytest.approx(float(s["maxNumberOfEvents"]), rel=2e-8)
    assert out["expected_events_h1"] == pytest.approx(float(s["expectedEventsH1"]), rel=2e-8)


def test_design_gsd_text_prints_the_boundaries() -> None:
    args, d, s = _gsd_case("of2_hcc")
    out = _run(*args).stdout
    for k, r in d.iterrows():
        assert (f"look {k + 1}: information {r['informationRates']:.3f}, "
                f"{int(np.ceil(r['eventsPerStage'] - 1e-9))} events ({r['eventsPerStage']:.2f}); "
                f"reject H0 if Z >= {r['criticalValues']:.4f} (one-sided p <= "
                f"{r['stageLevels']:.5f})") in out
    assert f"stop for futility if Z < {d['futilityBounds'][0]:.4f}" in out
    assert f"maximum {int(np.ceil(s['maxNumberOfEvents']))} events" in out


@pytest.mark.parametrize("argv,needle", [
    (["endpoints", "example-two-arm", "--by", "site"], "--by"),
    (["endpoints", "example-two-arm", "--by", "arm", "--analysis-set", "mitt"], "--analysis-set"),
    (["endpoints", "example-two-arm", "--strata", "bclc"], "--strata"),
    (["endpoints", "example-two-arm", "--by", "arm", "--tau", "-3"], "--tau"),
    (["design", "gsd", "--looks", "3", "--type-of-design", "asXX"], "--type-of-design"),
    (["design", "gsd", "--looks", "3", "--futility", "sometimes"], "--futility"),
    (["design", "gsd", "--information-rates", "0.5,x,1"], "--information-rates"),
    (["design", "gsd"], "--looks"),
    (["design", "gsd", "--looks", "2", "--lang", "fr"], "lang"),
    (["endpoints", "example-two-arm", "--by", "arm", "--strata", "no_such_column"], "no_such_column"),
    (["endpoints", "example", "--by", "arm"], "two arms"),
])
def test_usage_errors_are_one_line_exit_2(argv: list[str], needle: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert exited.value.code == 2
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith(("Error:", "error:"))]
    assert len(errors) == 1 and needle in errors[0], output


@pytest.mark.parametrize("rate", ["ORR", "DCR"])
def test_json_response_rate_comparison_equals_r(rate: str) -> None:
    """fixtures/two_arm/rates.csv: Miettinen-Nurminen difference, Mantel-Haenszel odds ratio and
    CMH test (R mantelhaen.test), MH risk difference (Sato variance), to 1e-8."""
    r = _ref("rates.csv").set_index("rate").loc[rate]
    got = _json("--strata", "bclc", "--strata", "afp400")["response"][rate]
    assert (got["by_arm"][EXP]["count"], got["by_arm"][EXP]["n"]) == (r["responders_exp"], r["n_exp"])
    assert (got["by_arm"][CTL]["count"], got["by_arm"][CTL]["n"]) == (r["responders_ctl"], r["n_ctl"])
    d = got["difference"]
    np.testing.assert_allclose([d["estimate"], d["lower"], d["upper"]],
                               [r["difference"], r["mn_lower"], r["mn_upper"]], rtol=1e-8)
    c = got["cmh"]
    assert c["continuity_correction"] is False
    np.testing.assert_allclose(
        [c["odds_ratio"], c["odds_ratio_lower"], c["odds_ratio_upper"], c["statistic"], c["p"],
         c["risk_difference"], c["risk_difference_lower"], c["risk_difference_upper"]],
        [r["mh_or"], r["mh_or_lower"], r["mh_or_upper"], r["cmh_statistic"], r["cmh_p"], r["mh_rd"],
         r["mh_rd_lower"], r["mh_rd_upper"]], rtol=1e-8)
    unstratified = _json()["response"][rate]["difference"]
    np.testing.assert_allclose([unstratified["lower"], unstratified["upper"]],
                               [r["mn_lower"], r["mn_upper"]], rtol=1e-8)


def test_text_prints_r_response_rate_comparison() -> None:
    """The terminal shows R's ORR difference and odds ratio, rounded as printed."""
    out = " ".join(_run("endpoints", "example-two-arm", "--by", "arm", "--strata", "bclc", "--strata",
                        "afp400").stdout.split())
    r = _ref("rates.csv").set_index("rate").loc["ORR"]
    assert (f"ORR difference {100 * r['difference']:+.1f} percentage points (95% CI "
            f"{100 * r['mn_lower']:.1f} to {100 * r['mn_upper']:.1f}, Miettinen-Nurminen)") in out
    assert (f"Mantel-Haenszel odds ratio {r['mh_or']:.3f} (95% CI {r['mh_or_lower']:.3f} to "
            f"{r['mh_or_upper']:.3f}); CMH chi-square {r['cmh_statistic']:.4f}, p = "
            f"{format_p(r['cmh_p'])}") in out


def test_json_subgroup_interaction_equals_r_anova() -> None:
    """endpoints --by arm --json: per forest-plot endpoint and factor the arm x subgroup likelihood-ratio
    test equals R anova(coxph(~ arm + f), coxph(~ arm * f)) (tests/endpoints/fixtures/interaction)."""
    ref = pd.read_csv(Path(__file__).parents[1] / "endpoints" / "fixtures" / "interaction" / "interaction.csv",
                      keep_default_na=False)
    columns = {"bclc": "BCLC", "afp400": "AFP400", "sex": "SEX", "age": "AGEGR", "ecog": "ECOGGR"}
    got = _json()["subgroup_interaction"]
    assert set(got) == {"PFS", "OS"}
    for code, tests in got.items():
        assert set(tests) == set(columns)
        for factor, test in tests.items():
            r = ref[(ref["dataset"] == "example") & (ref["endpoint"] == code)
                    & (ref["subgroup"] == columns[factor])].iloc[0]
            assert test["df"] == r["df"]
            np.testing.assert_allclose([test["chisq"], test["p"]], [r["chisq"], r["p"]], rtol=1e-8)
    rows = _json()["subgroups"]["PFS"]
    assert rows[0]["factor"] == "all" and rows[0]["n"] == 120


def test_say_catalog_has_the_two_arm_texts() -> None:
    assert say("log-rank p = {p}", "zh", p="0.01") == "log-rank 检验 p = 0.01"
    assert re.search(r"[\u4e00-\u9fff]", say("Hazard ratio by subgroup", "zh"))


def test_competing_risks_equal_r_cmprsk() -> None:
    """TTP with death without progression competing (fixtures/two_arm/competing.csv, R cmprsk 2.2-11 on the
    exported ADTTE): cumulative incidence and its variance at 6 and 12 months, Gray's test per cause, and the
    Fine-Gray subdistribution HR of progression, to 1e-8."""
    ref = _ref("competing.csv")
    got = _json()["competing_risks"]
    curves = {(c["arm"], c["cause"]): c["at"] for c in got["cumulative_incidence"]}
    for row in ref[ref["kind"] == "cuminc"].itertuples():
        at = {round(a["days"], 3): a for a in curves[(row.arm, str(row.cause))]}[round(row.time, 3)]
        assert at["estimate"] == pytest.approx(row.value, abs=1e-8)
        assert at["variance"] == pytest.approx(row.var, abs=1e-8)
    gray = {g["cause"]: g for g in got["gray_test"]}
    for row in ref[ref["kind"] == "gray"].itertuples():
        assert gray[str(row.cause)]["statistic"] == pytest.approx(row.value, rel=1e-8)
        assert gray[str(row.cause)]["p"] == pytest.approx(row.var, rel=1e-8)
    fg = got["fine_gray"]
    coef = ref[ref["kind"] == "finegray_coef"].iloc[0]
    hr = ref[ref["kind"] == "finegray_hr"].iloc[0]
    ci = ref[ref["kind"] == "finegray_ci"].iloc[0]
    assert fg["coef"] == pytest.approx(coef.value, abs=1e-8)
    assert fg["se"] ** 2 == pytest.approx(coef["var"], rel=1e-8)
    assert fg["subdistribution_hazard_ratio"] == pytest.approx(hr.value, rel=1e-8)
    assert fg["p"] == pytest.approx(hr["var"], rel=1e-8)
    assert (fg["lower"], fg["upper"]) == (pytest.approx(ci.value, rel=1e-8), pytest.approx(ci["var"], rel=1e-8))


def test_competing_risks_are_printed_in_both_languages() -> None:
    en = " ".join(_run("endpoints", "example-two-arm", "--by", "arm").stdout.split())
    assert "Fine-Gray subdistribution HR of progression 0.523 (95% CI 0.318 to 0.859)" in en
    assert "Gray's test (progression): chi-square 6.4399" in en
    zh = " ".join(_run("endpoints", "example-two-arm", "--by", "arm", "--lang", "zh").stdout.split())
    assert "疾病进展的 Fine-Gray 亚分布风险比 0.523" in zh and "累积发生率" in zh
