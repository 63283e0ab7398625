"""Kaplan-Meier invariants (hypothesis), agreement with lifelines on the log-log band
(spec 6.3: lifelines' band is the exponential Greenwood one), and words instead of NaN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter

from hcctrials.endpoints.summary import summarise_tte
from hcctrials.endpoints.survival import compute_kaplan_meier
from hcctrials.errors import InputError

data = st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 40), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n)))


@settings(max_examples=80, deadline=None)
@given(data)
def test_km_invariants(te: tuple[list[int], list[bool]]) -> None:
    t, e = np.array(te[0], dtype=float), np.array(te[1])
    km = compute_kaplan_meier(t, e)
    assert np.all(np.diff(km.survival) <= 1e-15)            # non-increasing
    assert km.n_risk[0] == len(t) and km.events == int(e.sum())
    ok = ~np.isnan(km.lower)
    assert np.all(km.lower[ok] <= km.survival[ok] + 1e-12)
    assert np.all(km.upper[ok] >= km.survival[ok] - 1e-12)
    # the counting pass (integer times) and the sorting pass give the same curve
    km2 = compute_kaplan_meier(t + 0.5, e)
    np.testing.assert_allclose(km2.survival, km.survival)


@settings(max_examples=40, deadline=None)
@given(data)
def test_loglog_band_equals_lifelines(te: tuple[list[int], list[bool]]) -> None:
    t, e = np.array(te[0], dtype=float), np.array(te[1])
    km = compute_kaplan_meier(t, e, conf_type="log-log")
    kmf = KaplanMeierFitter().fit(t, e)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    s = sf.reindex(km.time).to_numpy()
    np.testing.assert_allclose(km.survival, s, rtol=1e-12, atol=1e-12)
    inner = (km.survival > 0) & (km.survival < 1) & np.isfinite(km.std_err_log)
    np.testing.assert_allclose(km.lower[inner], ci.iloc[:, 0].reindex(km.time).to_numpy()[inner],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(km.upper[inner], ci.iloc[:, 1].reindex(km.time).to_numpy()[inner],
                               rtol=1e-9, atol=1e-12)


def test_no_events_and_not_reached_in_words() -> None:
    adtte = pd.DataFrame({"PARAMCD": "OS", "PARAM": "Overall survival", "AVAL": [10, 20, 30],
                          "CNSR": [1, 1, 1]})
    s = summarise_tte(adtte, "OS")
    assert "no events" in s.describe_median() and "nan" not in s.describe().lower()
    adtte["CNSR"] = [0, 1, 1]
    s = summarise_tte(adtte, "OS")
    assert s.median is not None and s.median.estimate is None
    assert "not reached" in s.describe_median()
    assert "not estimable" in summarise_tte(adtte, "PFS").describe_median()


@pytest.mark.parametrize("t,e", [([1, -2], [1, 1]), ([1, np.nan], [1, 0]), ([1, 2], [1, 2]), ([], [])])
def test_bad_km_input(t: list, e: list) -> None:
    with pytest.raises(InputError):
        compute_kaplan_meier(t, e)


def test_unknown_conf_type() -> None:
    with pytest.raises(InputError, match="conf"):
        compute_kaplan_meier([1, 2], [1, 0], conf_type="logit")
