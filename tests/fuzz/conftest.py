"""Fuzz folder hooks: print how many inputs each target ran (see fuzz_harness.py)."""

from __future__ import annotations

from typing import Any

from fuzz_harness import COUNTS, ERRORS, MASKED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS:
        terminalreporter.write_sep("-", "fuzz inputs per target")
        for target, count in sorted(COUNTS.items()):
            terminalreporter.write_line(f"{target}: {count} inputs ({count - ERRORS[target]} results, "
                                        f"{ERRORS[target]} clean errors)")
    if MASKED:
        terminalreporter.write_sep("-", "parser bugs reported as record failures (review)")
        for signature, count in MASKED.most_common():
            terminalreporter.write_line(f"{count} x {signature}")
