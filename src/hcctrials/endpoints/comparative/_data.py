"""Checked, coded input for the two-arm statistics (time, event, arm, strata, covariates).

R's model frame is the model: labels are sorted as R sorts factor levels (numbers
numerically, text by code point), a missing value in any used variable either stops the
analysis with an error naming the row and field, or (``drop_missing=True``) drops the row
as R's default ``na.action = na.omit`` does.  Times that differ by rounding error only
are merged as R's ``aeqSurv`` merges them (``timefix = TRUE``, the default of
``survdiff``, ``survfit`` and ``coxph``): with sqrt(machine epsilon) as tolerance, a
distinct time closer than that to the previous one (absolutely, or relative to the mean of
the distinct times) takes the earlier one's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from hcctrials.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Prepared:
    """Rows that enter the analysis, with arm and stratum codes (0-based, level order)."""

    time: FloatArray
    event: BoolArray
    arm: IntArray
    arm_labels: tuple[str, ...]
    stratum: IntArray
    strata_labels: tuple[str, ...] | None
    covariates: FloatArray          # n x q, extra covariates (q may be 0)
    covariate_names: tuple[str, ...]
    n_dropped: int

    @property
    def n(self) -> int:
        return int(self.time.size)


def _as_array(values: npt.ArrayLike, n: int, field: str) -> npt.NDArray[np.generic]:
    """A 1-D array, numeric when the input is numeric (fast path), else of objects."""
    if isinstance(values, pd.Series):
        arr = values.to_numpy()
    else:
        arr = np.asarray(values)
    if arr.ndim != 1 or arr.size != n:
        raise InputError(f"{field} must have one value per subject", field=field,
                         value=(arr.shape, n))
    if arr.dtype.kind not in "biuf":
        arr = arr.astype(object)
    return arr


def _missing(values: npt.NDArray[np.generic]) -> BoolArray:
    if values.dtype.kind == "f":
        return np.asarray(np.isnan(values), dtype=np.bool_)
    if values.dtype.kind in "biu":
        return np.zeros(values.size, dtype=np.bool_)
    return np.asarray(pd.isna(values), dtype=np.bool_)


def _number_label(v: float) -> str:
    return f"{v:.15g}"


def _levels(values: npt.NDArray[np.generic], keep: BoolArray) -> tuple[tuple[str, ...], IntArray]:
    """Sorted distinct labels of the kept rows and every row's 0-based code (-1 if not kept).

    Numbers sort numerically and text by code point, as R's ``factor`` levels (in the C
    locale); numbers stored as text ("1", "2") are text.
    """
    kept = values[keep]
    codes = np.full(values.size, -1, dtype=np.int64)
    if values.dtype.kind in "biuf":
        uniq, inv = np.unique(kept, return_inverse=True)
        labels = tuple(_number_label(float(v)) for v in uniq.tolist())
    else:
        if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
               for v in kept.tolist()):
            uniq, inv = np.unique(kept.astype(np.float64), return_inverse=True)
            labels = tuple(_number_label(float(v)) for v in uniq.tolist())
        else:
            text = np.asarray([str(v) for v in kept.tolist()], dtype=str)
            uniq_t, inv = np.unique(text, return_inverse=True)
            labels = tuple(str(v) for v in uniq_t.tolist())
    codes[keep] = np.asarray(inv, dtype=np.int64).reshape(-1)
    return labels, codes


def _as_float(values: npt.NDArray[np.generic], keep: BoolArray, field: str) -> FloatArray:
    if values.dtype.kind in "biuf":
        return np.asarray(values[keep], dtype=np.float64)
    out = np.empty(int(keep.sum()), dtype=np.float64)
    for j, (i, v) in enumerate(zip(np.flatnonzero(keep).tolist(), values[keep].tolist())):
        try:
            out[j] = float(v)
        except (TypeError, ValueError):
            raise InputError("event must be 1 (event) or 0 (censored)", record=f"row {i + 1}",
                             field=field, value=v) from None
    return out


#: R's aeqSurv tolerance, sqrt(.Machine$double.eps).
_TIME_TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def fix_times(t: FloatArray) -> FloatArray:
    """R ``aeqSurv``: merge distinct times closer than the tolerance to the previous one."""
    if t.size < 2:
        return t
    top = float(np.abs(t).max())
    if top < 1.0 / _TIME_TOLERANCE and np.all(t == np.floor(t)):
        return t                      # whole numbers: distinct ones differ by >= 1
    y = np.unique(t)
    dy = np.diff(y)
    tied = (dy <= _TIME_TOLERANCE) | (dy / np.mean(np.abs(y)) <= _TIME_TOLERANCE)
    if not np.any(tied):
        return t
    cuts = y[np.r_[True, ~tied]]
    return np.asarray(cuts[np.searchsorted(cuts, t, side="right") - 1], dtype=np.float64)


def _first_row(mask: BoolArray) -> str:
    return f"row {int(np.flatnonzero(mask)[0]) + 1}"


def prepare(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    *,
    strata: npt.ArrayLike | None = None,
    covariates: Mapping[str, npt.ArrayLike] | None = None,
    drop_missing: bool = False,
    timefix: bool = True,
    min_arms: int = 2,
    max_arms: int | None = 2,
) -> Prepared:
    """Check and code the inputs; errors name the row (1-based), field and value."""
    t_raw = np.asarray(time.to_numpy(dtype=np.float64, na_value=np.nan)
                       if isinstance(time, pd.Series) else time, dtype=np.float64)
    if t_raw.ndim != 1 or t_raw.size == 0:
        raise InputError("time must be a non-empty list of follow-up times", field="time",
                         value=t_raw.shape)
    n = t_raw.size
    e_obj = _as_array(event, n, "event")
    a_obj = _as_array(arm, n, "arm")
    s_obj = _as_array(strata, n, "strata") if strata is not None else None
    cov_names = tuple(covariates) if covariates else ()
    cov_cols: list[FloatArray] = []
    for name in cov_names:
        assert covariates is not None
        c = covariates[name]
        col = np.asarray(c.to_numpy(dtype=np.float64, na_value=np.nan)
                         if isinstance(c, pd.Series) else c, dtype=np.float64)
        if col.shape != (n,):
            raise InputError("covariate must have one number per subject", field=name,
                             value=(col.shape, n))
        cov_cols.append(col)

    missing = {"time": np.isnan(t_raw), "event": _missing(e_obj), "arm": _missing(a_obj)}
    if s_obj is not None:
        missing["strata"] = _missing(s_obj)
    for name, col in zip(cov_names, cov_cols):
        missing[name] = np.isnan(col)
    any_missing = np.zeros(n, dtype=np.bool_)
    for field, mask in missing.items():
        if np.any(mask) and not drop_missing:
            raise InputError("missing value", record=_first_row(mask), field=field,
                             hint="fill it in, or pass drop_missing=True to leave such "
                                  "subjects out as R's na.omit does")
        any_missing |= mask
    keep = ~any_missing
    if not np.any(keep):
        raise InputError("no subject has every value needed", field="time/event/arm")

    t = t_raw[keep]
    bad = ~np.isfinite(t) | (t < 0)
    if np.any(bad):
        i = int(np.flatnonzero(keep)[np.flatnonzero(bad)[0]])
        raise InputError("follow-up time must be a finite number >= 0", record=f"row {i + 1}",
                         field="time", value=float(t_raw[i]))
    e_num = _as_float(e_obj, keep, "event")
    bad = (e_num != 0) & (e_num != 1)
    if np.any(bad):
        i = int(np.flatnonzero(keep)[np.flatnonzero(bad)[0]])
        raise InputError("event must be 1 (event) or 0 (censored)", record=f"row {i + 1}",
                         field="event", value=e_obj[i])
    for name, col in zip(cov_names, cov_cols):
        bad = ~np.isfinite(col) & keep
        if np.any(bad):
            raise InputError("covariate must be a finite number", record=_first_row(bad),
                             field=name, value=float(col[np.flatnonzero(bad)[0]]))

    arm_labels, arm_codes = _levels(a_obj, keep)
    if len(arm_labels) < min_arms or (max_arms is not None and len(arm_labels) > max_arms):
        want = (f"exactly {min_arms}" if max_arms == min_arms
                else f"at least {min_arms}" if max_arms is None
                else f"{min_arms} to {max_arms}")
        raise InputError(f"arm must have {want} distinct values, found {len(arm_labels)}",
                         field="arm", value=list(arm_labels))
    if s_obj is not None:
        strata_labels: tuple[str, ...] | None
        strata_labels, s_codes = _levels(s_obj, keep)
        stratum = s_codes[keep]
    else:
        strata_labels = None
        stratum = np.zeros(int(keep.sum()), dtype=np.int64)
    x = (np.column_stack([c[keep] for c in cov_cols]) if cov_cols
         else np.zeros((int(keep.sum()), 0), dtype=np.float64))
    if timefix:
        t = fix_times(t)
    return Prepared(time=t, event=e_num == 1, arm=arm_codes[keep], arm_labels=arm_labels,
                    stratum=stratum, strata_labels=strata_labels,
                    covariates=np.asarray(x, dtype=np.float64), covariate_names=cov_names,
                    n_dropped=int(n - keep.sum()))


def reference_code(labels: tuple[str, ...], reference: object | None) -> int:
    """Index of the reference (control) arm: the first level unless named."""
    if reference is None:
        return 0
    key = (_number_label(float(reference)) if isinstance(reference, (int, float, np.integer,
                                                                        np.floating))
           and not isinstance(reference, bool) else str(reference))
    if key not in labels:
        raise InputError("reference arm is not one of the arms", field="reference",
                         value=reference, hint=f"arms: {', '.join(labels)}")
    return labels.index(key)
