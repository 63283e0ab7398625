"""Enumerate unknown staging inputs to get the set of possible stages (pure)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

__all__ = ["possible_values", "enumerate_stages"]

#: Representative values that straddle every BCLC/CNLC boundary (2, 3, 5 cm; 1, 2-3, ≥4 nodules).
DIAMETERS = (1.5, 2.5, 4.0, 6.0)
COUNTS = (1, 2, 4)
ECOGS = (0, 1, 3)


def possible_values(value: object, domain: Iterable[object]) -> tuple[object, ...]:
    return tuple(domain) if value is None else (value,)


def enumerate_stages(stage_fn: Callable[..., frozenset[str]],
                     options: dict[str, tuple[object, ...]]) -> set[str]:
    """Union of the stages *stage_fn* gives over every combination of the option values."""
    names = list(options)
    out: set[str] = set()
    for combo in itertools.product(*(options[n] for n in names)):
        out |= stage_fn(**dict(zip(names, combo)))
    return out
