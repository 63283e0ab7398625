"""Builders for small literal patient timelines used by the response tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from hcctrials.response import ResponseResult, ResponseSettings, derive_responses

DOSE = date(2024, 1, 1)


def _series(subject: str = "S1", days: Sequence[int] = (-7, 56, 112),
            targets: Mapping[str, Sequence[float | None]] | None = None,
            non_targets: Mapping[str, Sequence[str | None]] | None = None,
            new: Mapping[str, Sequence[float | None]] | None = None,
            organs: Mapping[str, str] | None = None, nodes: Sequence[str] = (),
            viable: Mapping[str, Sequence[float | None]] | None = None,
            extra: Mapping[str, Mapping[str, Sequence[Any]]] | None = None) -> pd.DataFrame:
    """One subject; ``days`` are offsets from first dose (2024-01-01); None = no row/NaN.

    targets/new: lesion -> diameters per visit (None at a visit: no row for new lesions,
    NaN for targets). non_targets: lesion -> status per visit.
    """
    organs = dict(organs or {})
    rows: list[dict[str, Any]] = []
    for i, day in enumerate(days):
        when = DOSE + timedelta(days=day)
        for lid, values in (targets or {}).items():
            row = dict(subject_id=subject, visit_date=when, lesion_id=lid, lesion_role="target",
                       organ=organs.get(lid, f"organ_{lid}"), is_lymph_node=lid in nodes,
                       diameter_mm=values[i])
            if viable is not None and lid in viable:
                row["viable_diameter_mm"] = viable[lid][i]
            rows.append(row)
        for lid, statuses in (non_targets or {}).items():
            rows.append(dict(subject_id=subject, visit_date=when, lesion_id=lid,
                             lesion_role="non_target", organ=organs.get(lid, "bone"),
                             is_lymph_node=lid in nodes, diameter_mm=None,
                             non_target_status=statuses[i]))
        for lid, values in (new or {}).items():
            if values[i] is None:
                continue
            rows.append(dict(subject_id=subject, visit_date=when, lesion_id=lid,
                             lesion_role="new", organ=organs.get(lid, "lung"),
                             is_lymph_node=lid in nodes, diameter_mm=values[i]))
        for lid, cols in (extra or {}).items():
            for row in rows:
                if row["lesion_id"] == lid and row["visit_date"] == when:
                    for col, vals in cols.items():
                        row[col] = vals[i]
    return pd.DataFrame(rows)


def _run(df: pd.DataFrame, criteria: str = "recist11", doses: Mapping[str, date] | None = None,
         **settings: Any) -> ResponseResult:
    if doses is None:
        doses = {s: DOSE for s in df["subject_id"].unique()}
    return derive_responses(df, doses, criteria=criteria, settings=ResponseSettings(**settings))


@pytest.fixture
def series() -> Callable[..., pd.DataFrame]:
    return _series


@pytest.fixture
def run() -> Callable[..., ResponseResult]:
    return _run
