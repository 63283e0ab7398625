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
    """Union of the stages *stage_fn* gives over every combination of the option values (*options*: parameter
    name -> its possible values).  Called by position when the options name the function's parameters in their
    order (as BCLC's and CNLC's do), else by keyword: an unknown patient enumerates up to ~150 combinations per
    system, and building a keyword dict per call was half of the enumeration's time."""
    names = tuple(options)
    out: set[str] = set()
    combos = itertools.product(*(options[n] for n in names))
    code = getattr(stage_fn, "__code__", None)
    if code is not None and code.co_varnames[:code.co_argcount] == names and not code.co_kwonlyargcount:
        for combo in combos:
            out |= stage_fn(*combo)
    else:
        for combo in combos:
            out |= stage_fn(**dict(zip(names, combo)))
    return out
