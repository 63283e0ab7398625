"""Small helpers shared by the score modules (pure)."""

from __future__ import annotations

from hcctrials.errors import ValidationError
from hcctrials.i18n import msg

__all__ = ["band_increasing", "band_decreasing", "check_non_negative", "EPS"]

#: Values are compared after rounding to 9 decimals so that converted boundary values
#: (3.0 mg/dL × 17.1 = 51.300000000000004) land on the boundary.
EPS = 9


def band_increasing(value: float, low: float, high: float) -> int:
    """1 point below *low*, 2 points for low <= value <= high (both inclusive), 3 above."""
    v = round(value, EPS)
    if v < low:
        return 1
    if v <= high:
        return 2
    return 3


def band_decreasing(value: float, low: float, high: float) -> int:
    """1 point above *high*, 2 points for low <= value <= high (both inclusive), 3 below."""
    v = round(value, EPS)
    if v > high:
        return 1
    if v >= low:
        return 2
    return 3


def check_non_negative(name: str, value: float | None, *, positive: bool = False) -> None:
    """Raise :class:`ValidationError` for a negative (or, if *positive*, zero) input."""
    if value is None:
        return
    if value < 0 or (positive and value == 0):
        raise ValidationError(msg("must be positive") if positive else msg("must not be negative"),
                              field=name, value=value)
