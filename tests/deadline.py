"""One time limit for the robustness tests (issue 11): a hang or super-linear parse fails the test
instead of stalling the suite.  The limit is a SIGALRM timer in the harness, not a timed assertion."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Deadline", "within"]


class Deadline(BaseException):
    """An input took longer than its limit (BaseException: no parser may catch it)."""


@contextmanager
def within(seconds: float, what: str = "input") -> Iterator[None]:
    def expired(signum: int, frame: Any) -> None:
        raise Deadline(f"{what}: no result within {seconds} s (hang or super-linear time)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
