"""Invariants (architecture convention 6; issue 5): a new lesion never improves a response;
BOR never beats the best single visit; confirmation never upgrades a response; threshold
decisions equal exact rational arithmetic."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.response import ResponseSettings, derive_responses
from hcctrials.response.recist11 import BIG, evaluate_target_response

DOSE = date(2024, 1, 1)
RANK = {"CR": 0, "PR": 1, "SD": 2, "NON_CR_NON_PD": 3, "PD": 4, "NE": 5}       # BOR order
GOOD = {"CR": 5, "PR": 4, "SD": 3, "NON_CR_NON_PD": 3, "NE": 1, "PD": 0}       # clinical


@st.composite
def timelines(draw):
    n_t = draw(st.integers(1, 3))
    n_v = draw(st.integers(1, 6))
    gaps = draw(st.lists(st.integers(14, 70), min_size=n_v, max_size=n_v))
    days = [-7] + list(np.cumsum(gaps))
    rows = []
    for lesion in range(n_t):
        base = draw(st.integers(100, 800)) / 10
        vals = [base] + draw(st.lists(
            st.one_of(st.none(), st.integers(0, 1000).map(lambda x: x / 10)),
            min_size=n_v, max_size=n_v))
        for day, val in zip(days, vals):
            rows.append(dict(subject_id="S1", visit_date=DOSE + timedelta(days=int(day)),
                             lesion_id=f"T{lesion}", lesion_role="target",
                             organ=f"o{lesion}", diameter_mm=val))
    statuses = draw(st.lists(st.sampled_from(["present", "absent", "not_evaluated"]),
                             min_size=n_v, max_size=n_v))
    for day, status in zip(days, ["present", *statuses]):
        rows.append(dict(subject_id="S1", visit_date=DOSE + timedelta(days=int(day)),
                         lesion_id="NT1", lesion_role="non_target", organ="bone",
                         non_target_status=status))
    return pd.DataFrame(rows), [DOSE + timedelta(days=int(d)) for d in days[1:]]


def _derive(df, **kw):
    return derive_responses(df, {"S1": DOSE}, settings=ResponseSettings(**kw))


COMMON = settings(max_examples=60, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(timelines(), st.data())
def test_new_lesion_never_improves(tl, data):
    df, visit_dates = tl
    at = data.draw(st.sampled_from(visit_dates))
    new = pd.DataFrame([dict(subject_id="S1", visit_date=at, lesion_id="NEW",
                             lesion_role="new", organ="lung", diameter_mm=15.0)])
    base = _derive(df)
    worse = _derive(pd.concat([df, new], ignore_index=True))
    row = worse.visits["visit_date"] == pd.Timestamp(at)
    assert (worse.visits.loc[row, "overall_response"] == "PD").all()
    merged = base.visits.merge(worse.visits, on="visit_date", suffixes=("", "_new"))
    for a, b in zip(merged["overall_response"], merged["overall_response_new"]):
        assert b == a or b == "PD"
    for col in ("best_overall_response_unconfirmed", "best_overall_response_confirmed"):
        assert GOOD[worse.subjects[col].iloc[0]] <= GOOD[base.subjects[col].iloc[0]]


@COMMON
@given(timelines(), st.booleans(), st.integers(0, 2))
def test_bor_never_beats_best_visit_and_confirmation_never_upgrades(tl, accept_sd, max_ne):
    df, _ = tl
    r = _derive(df, accept_sd_between_pr_and_confirmation=accept_sd,
                max_ne_between_confirmation=max_ne)
    window = r.visits[r.visits["in_bor_window"]]
    best_visit = min((RANK[x] for x in window["overall_response"]), default=RANK["NE"])
    bor = r.subjects["best_overall_response_unconfirmed"].iloc[0]
    cbor = r.subjects["best_overall_response_confirmed"].iloc[0]
    assert RANK[bor] >= best_visit or (bor == "PD" and best_visit == RANK["PD"])
    assert RANK[cbor] >= RANK[bor]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_thresholds_match_exact_fractions(base, nadir, value):
    """PR iff S <= 7/10 B; PD iff S >= 6/5 N and S - N >= 5 mm (hundredths; spec 1.3)."""
    s = np.array([value]); b = np.array([base]); n = np.array([nadir])
    reason = evaluate_target_response(s, b, n, np.array([0]), np.array([False]),
                                      np.array([True]), pd_absolute=500)[0]
    is_pd = Fraction(value) >= Fraction(6, 5) * nadir and value - nadir >= 500
    is_pr = Fraction(value) <= Fraction(7, 10) * base
    assert (reason == 1) == is_pd
    if not is_pd:
        assert (reason == 6) == is_pr
    assert BIG > 10**6
