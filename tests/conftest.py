"""Shared test fixtures: where ../shared is, and isolated databases."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``../shared`` folder beside the project (tests may read, never copy)."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; tests that read real records need it")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"
