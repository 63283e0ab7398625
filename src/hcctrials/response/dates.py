"""Date columns of response tables read without crashing (issue 11, "no input may crash").

Pure: a pandas Series in, a ``datetime64[ns]`` Series out; what is not a date becomes NaT and
the caller (:mod:`hcctrials.response.validate`) reports it with the subject, visit and column.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_dates"]


def _one_date(value: Any) -> Any:
    """One value as a tz-naive Timestamp (wall-clock time kept), or NaT."""
    if value is None or isinstance(value, (bool, int, float, np.number)):
        return pd.NaT
    try:
        ts: Any = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if pd.isna(ts):
        return pd.NaT
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def to_dates(values: pd.Series) -> pd.Series:
    """A date column as ``datetime64[ns]`` (tz-naive); what is not a date becomes NaT.

    Rule (issue 11, "no input may crash the tool"): the caller reports every NaT that was a
    value as "not a date", so nothing is dropped silently.  Numbers and booleans are not dates
    (pandas would read 5 as 5 ns after 1970); a timestamp with a time zone keeps its written
    date and time (the zone is dropped, never converted: the date on the scan is the date); a
    column mixing zones, or text pandas cannot parse, is read value by value.  pandas'
    warnings about guessing formats are not shown: the outcome is checked instead.
    """
    if pd.api.types.is_bool_dtype(values) or (
            pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_datetime64_any_dtype(values)):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        try:
            parsed: Any = pd.to_datetime(values, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            parsed = None
    if parsed is not None and isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    if parsed is None or not pd.api.types.is_datetime64_dtype(parsed.dtype):
        parsed = pd.Series([_one_date(v) for v in values], index=values.index, dtype="datetime64[ns]")
    elif values.dtype == object:
        retry = parsed.isna().to_numpy() & values.notna().to_numpy()
        if retry.any():  # e.g. a naive timestamp next to zoned ones: read value by value
            parsed = parsed.copy()
            parsed[retry] = [_one_date(v) for v in values[retry]]
        # numbers in a text column: pandas reads them as nanoseconds since 1970
        numeric = [v for v in pd.unique(values) if isinstance(v, (bool, int, float, np.number))
                   and not isinstance(v, (datetime, np.datetime64)) and bool(v == v)]
        if numeric:
            parsed = parsed.mask(values.isin(numeric))
    return pd.Series(parsed.astype("datetime64[ns]"), index=values.index)
