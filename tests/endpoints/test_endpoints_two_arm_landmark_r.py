"""Landmark survival of the bundled two-arm example (issue 14: "Kaplan-Meier by arm; the difference in
landmark survival with its CI") equals R survival to 1e-8: per arm at 6 and 12 months R's
``summary(survfit(Surv(AVAL, event) ~ ARM, conf.type = "log-log"), times = T)`` (numbers at risk,
survival, log-log band), and the difference experimental - control with the Greenwood-based Wald
interval and p (fixtures/interaction/landmark_example.csv, written by make_reference.R beside it
from the example's records; the same formula as the lung / veteran / aml cases of
test_endpoints_comparative_r.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.reports.load import load_study
from hcctrials.reports.two_arm import analyse_two_arms

REF = pd.read_csv(Path(__file__).parent / "fixtures" / "interaction" / "landmark_example.csv",
                  keep_default_na=False, na_values=["NA"])
EXP, CTL = "Lenvatinib + sintilimab + TACE", "TACE"


@pytest.fixture(scope="module")
def analysis():  # type: ignore[no-untyped-def]
    return analyse_two_arms(load_study("example-two-arm"))


@pytest.mark.parametrize("code", ["PFS", "TTP", "OS"])
def test_km_by_arm_at_the_landmarks_equals_r_summary_times(analysis, code: str) -> None:  # type: ignore[no-untyped-def]
    e = analysis.endpoints[code]
    for r in REF[REF["endpoint"] == code].itertuples():
        for arm, k in ((EXP, "exp"), (CTL, "ctl")):
            lm = next(x for x in e.by_arm[arm].landmarks if abs(x.time - r.time) < 1e-9)
            assert lm.estimable and lm.n_risk == getattr(r, f"n_risk_{k}")
            np.testing.assert_allclose(
                [lm.survival, lm.lower, lm.upper],
                [getattr(r, f"surv_{k}"), getattr(r, f"lower_{k}"), getattr(r, f"upper_{k}")],
                rtol=1e-8)


@pytest.mark.parametrize("code", ["PFS", "TTP", "OS"])
def test_landmark_difference_with_ci_equals_r(analysis, code: str) -> None:  # type: ignore[no-untyped-def]
    got = {round(d.time, 6): d for d in analysis.endpoints[code].landmarks}
    ref = REF[REF["endpoint"] == code]
    assert len(got) == len(ref) == 2
    for r in ref.itertuples():
        d = got[round(r.time, 6)]
        assert d.estimable
        np.testing.assert_allclose([d.difference, d.std_err, d.lower, d.upper, d.p_value],
                                   [r.diff, r.diff_se, r.diff_lower, r.diff_upper, r.diff_p],
                                   rtol=1e-8)


def test_cli_json_carries_the_r_landmark_difference() -> None:
    res = CliRunner().invoke(app, ["endpoints", "example-two-arm", "--by", "arm", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for r in REF.itertuples():
        d = next(x for x in out["endpoints"][r.endpoint]["landmark_difference"]
                 if abs(x["days"] - r.time) < 1e-9)
        np.testing.assert_allclose([d["difference"], d["lower"], d["upper"], d["p"]],
                                   [r.diff, r.diff_lower, r.diff_upper, r.diff_p], rtol=1e-8)
