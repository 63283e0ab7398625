"""ORR/DCR and Clopper-Pearson intervals.

Expected values: spec response-and-endpoints.md section 5 (5/29 -> 0.05846, 0.35775), and
the Clopper-Pearson definition [CP34] (0/n lower limit 0; n/n upper limit 1; 0/10 upper
= 1 - 0.025^(1/10) = 0.30849...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from hcctrials.endpoints.proportions import (
    compute_clopper_pearson, compute_clopper_pearson_many, derive_dcr, derive_orr,
)
from hcctrials.errors import InputError, ValidationError


def test_spec_example_5_of_29() -> None:
    lo, up = compute_clopper_pearson(5, 29)
    assert round(lo, 5) == 0.05846 and round(up, 5) == 0.35775


def test_edges_zero_and_all() -> None:
    lo, up = compute_clopper_pearson(0, 10)
    assert lo == 0.0 and up == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-12)
    lo, up = compute_clopper_pearson(10, 10)
    assert up == 1.0 and lo == pytest.approx(0.025 ** (1 / 10), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_vectorised_equals_scipy_binomtest(xn: tuple[int, int]) -> None:
    x, n = xn
    ref = binomtest(x, n).proportion_ci(method="exact")
    lo, up = compute_clopper_pearson_many(np.array([x]), np.array([n]))
    assert lo[0] == pytest.approx(ref.low, abs=1e-12) and up[0] == pytest.approx(ref.high, abs=1e-12)


def test_bad_counts() -> None:
    with pytest.raises(InputError):
        compute_clopper_pearson(3, 2)
    with pytest.raises(InputError):
        compute_clopper_pearson(0, 0)


def _subjects() -> pd.DataFrame:
    # 6 treated subjects: 1 CR, 1 PR, 1 SD, 1 PD, 1 NE, 1 with no post-baseline assessment
    return pd.DataFrame({
        "subject_id": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "first_dose_date": ["2025-01-01"] * 6,
        "best_overall_response_confirmed": ["CR", "PR", "SD", "PD", "NE", None],
    })


def test_orr_keeps_ne_and_missing_in_denominator_and_lists_them() -> None:
    orr = derive_orr(_subjects())
    assert (orr.count, orr.n) == (2, 6)
    assert orr.non_evaluable == ("S5", "S6")
    assert "NE and missing" in orr.denominator
    assert "2/6" in orr.describe()


def test_dcr_sd_minimum_checked_on_visits() -> None:
    """SD counts for DCR only at >= 56 days after first dose (spec 5)."""
    visits = pd.DataFrame({"subject_id": ["S1", "S2", "S3"],
                           "visit_date": ["2025-02-26", "2025-02-26", "2025-02-20"],
                           "overall_response": ["CR", "PR", "SD"]})  # S3 SD at day 50
    dcr = derive_dcr(_subjects(), visits=visits)
    assert (dcr.count, dcr.n) == (2, 6)
    visits.loc[2, "visit_date"] = "2025-02-26"  # day 56: counts
    assert derive_dcr(_subjects(), visits=visits).count == 3
    assert derive_dcr(_subjects()).count == 3


def test_duplicate_subject_is_named() -> None:
    s = pd.concat([_subjects(), _subjects().iloc[[0]]])
    with pytest.raises(ValidationError, match="S1"):
        derive_orr(s)
