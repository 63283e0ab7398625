"""`hcctrials endpoints example-two-arm --by arm` prints the forest plot in words: the Cox hazard
ratio of the experimental arm within every subgroup and, per subgroup factor, the likelihood-ratio
test of the treatment x subgroup interaction (issue 14, "forest plot of the HR across subgroups and
strata"), in English and in Chinese.

Every printed number is checked against R, not against hcctrials: the per-subgroup
``coxph(Surv(AVAL, event) ~ ARM)`` fits of ``subgroup_hr.csv`` and the
``anova(coxph(~ ARM + f), coxph(~ ARM * f))`` tests of ``interaction.csv``, both written by
``tests/endpoints/fixtures/interaction/make_reference.R`` from the bundled example's records.
A statistician reading the terminal sees R's numbers rounded as printed (HR to 3 decimals,
chi-square to 4, p to 4); the JSON carries them unrounded, equal to R to 1e-8.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.i18n import say
from hcctrials.reports.two_arm import factor_name

FIXTURES = Path(__file__).parents[1] / "endpoints" / "fixtures" / "interaction"
SUBGROUP_HR = pd.read_csv(FIXTURES / "subgroup_hr.csv", keep_default_na=False)
INTERACTION = pd.read_csv(FIXTURES / "interaction.csv", keep_default_na=False,
                          na_values=["NA"], dtype={"endpoint": str})
INTERACTION = INTERACTION[INTERACTION["dataset"] == "example"]
#: R column of the fixtures -> the CLI's subgroup factor.
FACTORS = {"BCLC": "bclc", "AFP400": "afp400", "SEX": "sex", "AGEGR": "age", "ECOGGR": "ecog"}
#: Endpoints that carry a forest plot in the two-arm analysis.
FOREST_ENDPOINTS = ("PFS", "OS")
runner = CliRunner()


@lru_cache(maxsize=None)
def _text(lang: str) -> str:
    r = runner.invoke(app, ["endpoints", "example-two-arm", "--by", "arm", "--lang", lang])
    assert r.exit_code == 0, r.output
    return r.stdout


@lru_cache(maxsize=None)
def _json() -> dict[str, Any]:
    r = runner.invoke(app, ["endpoints", "example-two-arm", "--by", "arm", "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def _endpoint_block(text: str, code: str) -> str:
    """The lines of one endpoint, from its heading to the next blank line."""
    m = re.search(rf"^{code}: .*?(?=^\s*$)", text, flags=re.M | re.S)
    assert m is not None, f"no {code} block in:\n{text}"
    return m.group(0)


def _label(r_factor: str, level: str, lang: str) -> str:
    if r_factor == "all":
        return say("All subjects", lang)
    f = FACTORS[r_factor]
    shown = {"F": say("Female", lang), "M": say("Male", lang)}.get(level, level) \
        if f == "sex" else level
    return say("{factor}: {level}", lang, factor=factor_name(f, lang), level=shown)


def _p(p: float) -> str:
    return "<0.0001" if p < 0.0001 else f"{p:.4f}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", FOREST_ENDPOINTS)
def test_every_subgroup_hazard_ratio_printed_is_rs_coxph(lang: str, code: str) -> None:
    block = _endpoint_block(_text(lang), code)
    assert say("Hazard ratio by subgroup (unstratified Cox model, Efron ties; exploratory):",
               lang) in block
    rows = SUBGROUP_HR[SUBGROUP_HR["endpoint"] == code]
    assert len(rows) == 11                     # all + 5 factors x 2 levels
    for r in rows.itertuples():
        hr = say("HR {hr} (95% CI {lower} to {upper})", lang, hr=f"{r.hr:.3f}",
                 lower=f"{r.lower:.3f}", upper=f"{r.upper:.3f}")
        line = say("{subgroup}: {n} subjects, {events} events; {hr}", lang,
                   subgroup=_label(r.factor, r.level, lang), n=r.n, events=r.events, hr=hr)
        assert re.search(rf"^    {re.escape(line)}$", block, flags=re.M), \
            f"{code} {r.factor}={r.level}: expected R's\n{line}\nin\n{block}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", FOREST_ENDPOINTS)
def test_every_interaction_test_printed_is_rs_anova(lang: str, code: str) -> None:
    block = _endpoint_block(_text(lang), code)
    rows = INTERACTION[INTERACTION["endpoint"] == code]
    assert len(rows) == len(FACTORS)
    for r in rows.itertuples():
        line = say("treatment x subgroup interaction ({factor}; Cox likelihood ratio): "
                   "chi-square {chisq} on {df} df, p = {p}", lang,
                   factor=factor_name(FACTORS[r.subgroup], lang), chisq=f"{r.chisq:.4f}",
                   df=int(r.df), p=_p(r.p))
        assert re.search(rf"^      {re.escape(line)}$", block, flags=re.M), \
            f"{code} {r.subgroup}: expected R's\n{line}\nin\n{block}"


@pytest.mark.parametrize("code", FOREST_ENDPOINTS)
def test_interaction_line_follows_the_levels_of_its_factor(code: str) -> None:
    """Each factor reads as a group: its levels, then its interaction test."""
    lines = _endpoint_block(_text("en"), code).splitlines()
    for f in FACTORS.values():
        name = factor_name(f, "en")
        levels = [i for i, s in enumerate(lines) if s.startswith(f"    {name}: ")]
        inter = [i for i, s in enumerate(lines) if f"interaction ({name};" in s]
        assert len(levels) == 2 and len(inter) == 1, (f, lines)
        assert inter[0] == levels[-1] + 1 and levels[1] == levels[0] + 1


def test_endpoint_without_a_forest_plot_prints_no_subgroups() -> None:
    """TTP is compared between arms but has no forest plot in the two-arm analysis."""
    block = _endpoint_block(_text("en"), "TTP")
    assert "Hazard ratio by subgroup" not in block and "interaction" not in block


@pytest.mark.parametrize("code", FOREST_ENDPOINTS)
def test_json_subgroups_and_interactions_equal_r_to_1e_8(code: str) -> None:
    out = _json()
    got = {(g["factor"], g["level"]): g for g in out["subgroups"][code]}
    rows = SUBGROUP_HR[SUBGROUP_HR["endpoint"] == code]
    assert len(got) == len(rows)
    for r in rows.itertuples():
        key = ("all", "all") if r.factor == "all" else (FACTORS[r.factor], r.level)
        g = got[key]
        assert (g["n"], g["events"]) == (r.n, r.events)
        np.testing.assert_allclose([g["hazard_ratio"], g["lower"], g["upper"]],
                                   [r.hr, r.lower, r.upper], rtol=1e-8)
    inter = out["subgroup_interaction"][code]
    for r in INTERACTION[INTERACTION["endpoint"] == code].itertuples():
        i = inter[FACTORS[r.subgroup]]
        assert i["df"] == r.df and i["n"] == r.n
        np.testing.assert_allclose([i["chisq"], i["p"]], [r.chisq, r.p], rtol=1e-8)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_subgroup_without_both_arms_reads_not_estimable(lang: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A level holding one arm only (R coxph: infinite coefficient) and a factor whose interaction
    cannot be estimated are said to be not estimable, never printed as numbers."""
    from types import SimpleNamespace

    from hcctrials.cli.endpoints import _print_subgroups
    from hcctrials.reports.two_arm import SubgroupEstimate

    rows = (SubgroupEstimate("all", "all", 10, 6, 0.5, 0.2, 1.25),
            SubgroupEstimate("bclc", "B", 7, 4, 0.4, 0.1, 1.6),
            SubgroupEstimate("bclc", "C", 3, 2, None, None, None))
    t = SimpleNamespace(subgroups={"OS": rows}, interactions={"OS": {"bclc": None}})
    _print_subgroups(t, "OS", lang)
    out = capsys.readouterr().out
    assert say("HR not estimable (an arm without subjects or events)", lang) in out
    assert say("treatment x subgroup interaction ({factor}): not estimable", lang,
               factor=factor_name("bclc", lang)) in out
    assert out.count("HR 0.") == 2
