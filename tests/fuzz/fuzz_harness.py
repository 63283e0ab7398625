"""The fuzz harness (shared by tests/fuzz/test_fuzz_*.py): every input ends in a result or a clean HcctrialsError, within a time limit.

* The time limit is enforced here, per example, by ``signal.setitimer`` (the tests run in
  the main thread): an input that takes longer than :data:`EXAMPLE_SECONDS` fails the example
  with :class:`FuzzTimeout` (hypothesis then shrinks it), so a hang is a failure, not a slow run.
* Any exception outside the :class:`~hcctrials.errors.HcctrialsError` tree fails the example.
* Warnings: the project's named :class:`~hcctrials.errors.DataQualityWarning` are results;
  any other warning fails the example (the suite treats warnings as errors).
* Each test counts the inputs it ran; the counts are printed in the terminal summary
  ("fuzz inputs per target").

Examples per target are bounded (``FUZZ_EXAMPLES``, default below) and derandomised when
``CI`` is set (the profile in ``tests/conftest.py``), so the folder stays within a minute on a
2-core machine.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import pytest
from deadline import Deadline, within

from hcctrials.errors import DataQualityWarning, HcctrialsError

#: Wall-clock limit for one input (generous: the slowest seed parses in well under 0.2 s).
EXAMPLE_SECONDS = float(os.environ.get("FUZZ_EXAMPLE_SECONDS", "5"))
#: Examples per fuzz target.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))

COUNTS: Counter[str] = Counter()
#: Inputs per target that ended in a clean HcctrialsError (the rest ended in a result).
ERRORS: Counter[str] = Counter()
#: Parser bugs that a parser reported as a RecordFailure ("unexpected ... while mapping"):
#: not crashes (the other records still count), but listed in the summary for review.
MASKED: Counter[str] = Counter()
_T = TypeVar("_T")


FuzzTimeout = Deadline


def time_limit(seconds: float, what: str) -> AbstractContextManager[None]:
    return within(seconds, what)


def run_input(target: str, fn: Callable[[], _T]) -> _T | HcctrialsError:
    """Run *fn* on one fuzz input: its result, or the clean HcctrialsError it raised.

    Fails the example on a timeout, on any other exception, and on a warning that is not a
    DataQualityWarning.
    """
    COUNTS[target] += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with time_limit(EXAMPLE_SECONDS, target):
                result: _T | HcctrialsError = fn()
        except HcctrialsError as exc:
            str(exc)  # the message itself must be cheap and must not fail
            ERRORS[target] += 1
            result = exc
    stray = [w for w in caught if not issubclass(w.category, DataQualityWarning)]
    if stray:
        first = stray[0]
        pytest.fail(f"{target}: warning {first.category.__name__}: {first.message} "
                    f"({first.filename}:{first.lineno})")
    return result
