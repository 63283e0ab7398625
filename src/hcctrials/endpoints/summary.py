"""Summaries of derived ADTTE records: KM curve, median with CI, landmark rates, in words.

Times are analysed in days (AVAL); medians are shown in months = days / 30.4375 (spec 5).
Landmarks default to 6 and 12 months = 182.625 and 365.25 days (spec 5, OS rates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from hcctrials.endpoints.survival import (
    DAYS_PER_MONTH, DEFAULT_CONF_TYPE, KaplanMeier, LandmarkEstimate, QuantileEstimate,
    compute_kaplan_meier,
)
from hcctrials.errors import ValidationError

__all__ = ["TteSummary", "summarise_tte", "LANDMARK_DAYS"]

#: 6 and 12 months in days (spec 5: 182.625 / 365.25).
LANDMARK_DAYS: tuple[float, ...] = (6 * DAYS_PER_MONTH, 12 * DAYS_PER_MONTH)


@dataclass(frozen=True)
class TteSummary:
    """KM summary of one endpoint; ``km`` is None when there are no subjects."""

    paramcd: str
    param: str
    n: int
    events: int
    km: KaplanMeier | None
    median: QuantileEstimate | None
    landmarks: tuple[LandmarkEstimate, ...]
    conf_type: str
    conf_level: float

    def describe_median(self) -> str:
        """Median in months, in words ("not reached", "no events") rather than NaN."""
        if self.n == 0 or self.median is None:
            return "not estimable: no subjects in the analysis set"
        if self.events == 0:
            return f"not estimable: no events among {self.n} subjects (median not reached)"
        return self.median.describe(scale=DAYS_PER_MONTH, unit="months")

    def describe(self) -> str:
        lines = [f"{self.paramcd} ({self.param}): {self.n} subjects, {self.events} events; "
                 f"median {self.describe_median()}"]
        for lm in self.landmarks:
            lines.append(f"  rate at {lm.time / DAYS_PER_MONTH:g} months: {lm.describe()}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        med = self.median
        return {
            "paramcd": self.paramcd, "param": self.param, "n": self.n, "events": self.events,
            "conf_type": self.conf_type, "conf_level": self.conf_level,
            "median_days": None if med is None else med.estimate,
            "median_lower_days": None if med is None else med.lower,
            "median_upper_days": None if med is None else med.upper,
            "median_text": self.describe_median(),
            "landmarks": [{"months": lm.time / DAYS_PER_MONTH, "days": lm.time,
                           "n_risk": lm.n_risk, "survival": lm.rate,
                           "lower": lm.lower if lm.estimable else None,
                           "upper": lm.upper if lm.estimable else None,
                           "estimable": lm.estimable, "text": lm.describe()}
                          for lm in self.landmarks],
        }


def summarise_tte(
    adtte: pd.DataFrame,
    paramcd: str,
    *,
    conf_type: str = DEFAULT_CONF_TYPE,
    conf_level: float = 0.95,
    landmark_days: Sequence[float] = LANDMARK_DAYS,
) -> TteSummary:
    """Kaplan-Meier summary of ``paramcd`` from an ADTTE table (AVAL days, CNSR 0 = event)."""
    for col in ("PARAMCD", "AVAL", "CNSR"):
        if col not in adtte.columns:
            raise ValidationError(f"the ADTTE table has no column {col!r}", field=col)
    rows = adtte[adtte["PARAMCD"] == paramcd]
    param = str(rows["PARAM"].iloc[0]) if len(rows) and "PARAM" in rows else paramcd
    if rows.empty:
        return TteSummary(paramcd, param, 0, 0, None, None, (), conf_type, conf_level)
    km = compute_kaplan_meier(rows["AVAL"].to_numpy(dtype=float),
                              (rows["CNSR"].to_numpy() == 0), conf_type=conf_type,
                              conf_level=conf_level)
    lms = tuple(km.at(list(landmark_days))) if landmark_days else ()
    return TteSummary(paramcd, param, km.n, km.events, km, km.median(), lms, conf_type,
                      conf_level)
