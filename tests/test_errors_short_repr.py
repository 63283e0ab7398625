"""Issue 11: an error message shortens its value without building the whole repr first.

Before, ``repr()`` of a YAML "billion laughs" value grew to 1.3 GB before being cut to 80
characters, so ``score``/``evaluate``/``match`` hung on such a file.
"""

from __future__ import annotations

import signal
from typing import Any

from hcctrials.errors import ParseError, short_repr


def _bomb(levels: int = 9) -> list[Any]:
    value: list[Any] = ["lol"] * 9
    for _ in range(levels):
        value = [value] * 9  # shared references: 9**10 leaves, a few hundred objects
    return value


def test_error_message_of_an_alias_bomb_is_immediate() -> None:
    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError("the error message took more than 2 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 2)
    try:
        text = str(ParseError("bad patient", file="p.yaml", field="patient_id", value=_bomb()))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert text.startswith("file p.yaml, field patient_id: bad patient (value: [[")
    assert len(text) < 200


def test_short_repr_cuts_strings_bytes_and_containers() -> None:
    assert short_repr("x" * 10**7) == "'" + "x" * 76 + "..."
    assert len(short_repr(b"\x00" * 10**7)) == 80
    assert short_repr({"a": 1, "b": [1, 2, 3]}) == "{'a': 1, 'b': [1, 2, 3]}"
    assert short_repr(1.5) == "1.5" and short_repr("abc") == "'abc'"


def test_value_that_was_shown_before_is_shown_the_same() -> None:
    assert str(ParseError("m", value="y" * 100)) == "m (value: '" + "y" * 76 + "...)"
    assert str(ParseError("m", value=["a", "b"])) == "m (value: ['a', 'b'])"


class _Broken:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_a_broken_repr_does_not_hide_the_error() -> None:
    assert str(ParseError("m", value=_Broken())).startswith("m (value: <_Broken")
