"""Landmark rates past the last follow-up are "not estimable", as R leaves them out.

Expected numbers: ``fixtures/landmark/*.csv`` from ``fixtures/landmark/make_reference.R``
(R survival 3.5-3): ``summary(survfit(Surv(time, status) ~ 1), times = TIMES)`` without
``extend`` lists only the estimable landmarks; every other asked time must come back from
:meth:`KaplanMeier.at` flagged ``estimable=False`` and be described as "not estimable".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hcctrials.endpoints.summary import summarise_tte
from hcctrials.endpoints.survival import compute_kaplan_meier

HERE = Path(__file__).parent / "fixtures" / "landmark"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


@pytest.mark.parametrize("ds", ["aml", "dor", "to_zero"])
def test_only_the_landmarks_r_reports_are_estimable(ds: str) -> None:
    d = _read(f"data_{ds}.csv")
    asked = _read(f"asked_{ds}.csv")["time"].to_numpy()
    ref = _read(f"landmark_{ds}.csv")
    km = compute_kaplan_meier(d["time"], d["status"], conf_type="log")
    got = km.at(asked)
    estimable = [g for g in got if g.estimable]
    assert [g.time for g in estimable] == ref["time"].tolist()
    np.testing.assert_array_equal([g.n_risk for g in estimable], ref["n.risk"])
    np.testing.assert_allclose([g.rate for g in estimable], ref["surv"], rtol=0, atol=1e-12)
    for g in got:
        if not g.estimable:
            assert g.rate is None and g.n_risk == 0
            assert g.describe().startswith("not estimable")


def test_twelve_month_duration_of_response_is_not_estimable() -> None:
    """The case from the issue: DoR followed at most 240 days; the 12-month rate must not
    be printed as the carried-forward 62.5% with nobody at risk."""
    d = _read("data_dor.csv")
    adtte = pd.DataFrame({"PARAMCD": "DOR", "PARAM": "Duration of response",
                          "AVAL": d["time"], "CNSR": 1 - d["status"]})
    s = summarise_tte(adtte, "DOR")
    six, twelve = s.landmarks
    assert six.estimable and six.rate == pytest.approx(0.625)
    assert not twelve.estimable and twelve.rate is None
    assert "12 months: not estimable" in s.describe()
    row = s.as_dict()["landmarks"][1]   # type: ignore[index]
    assert row["survival"] is None and row["estimable"] is False
