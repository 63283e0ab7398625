"""Fixtures of the criteria tests: seed criteria texts split by the product's own splitter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hcctrials.criteria.text.split import split_criteria  # noqa: E402


def _criteria(path: Path, start: str, end: str) -> dict[tuple[str, str, str], str]:
    text = path.read_text(encoding="utf-8")
    a = text.index(start)
    b = text.index(end, a)
    out = {}
    for item in split_criteria(text[a:b]).items:
        out[(item.role or "", item.number, item.language)] = item.text
    return out


@pytest.fixture(scope="session")
def seed001(seeds_dir: Path) -> dict[tuple[str, str, str], str]:
    """ChiCTR2500111736: (role, number, language) -> criterion text."""
    return _criteria(next(seeds_dir.glob("001_*.txt")), "纳入标准:", "研究实施时间")


@pytest.fixture(scope="session")
def seed000(seeds_dir: Path) -> dict[tuple[str, str, str], str]:
    """ChiCTR2600122298: exclusion criteria (the record lists no inclusion criteria)."""
    return _criteria(next(seeds_dir.glob("000_*.txt")), "排除标准:", "研究实施时间")


@pytest.fixture(scope="session")
def seed004(seeds_dir: Path) -> dict[tuple[str, str, str], str]:
    """NCT04011033 (ClinicalTrials.Veeva page): bulleted criteria."""
    return _criteria(next(seeds_dir.glob("004_*.txt")), "Inclusion criteria", "Trial design")
