"""Three-valued (Kleene) logic for facts that may be unknown: True, False, or None = unknown.

``and3``: False if any is False, True if all are True, else unknown; ``or3``: True if any is
True, False if all are False, else unknown (the strong Kleene connectives).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["and3", "or3"]


def and3(*values: bool | None) -> bool | None:
    """Kleene AND of *values*."""
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


def or3(values: Iterable[bool | None]) -> bool | None:
    """Kleene OR of *values*."""
    seen = list(values)
    if any(v is True for v in seen):
        return True
    if all(v is False for v in seen):
        return False
    return None
