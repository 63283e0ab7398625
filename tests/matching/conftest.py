"""Fixtures for the matching tests: the seed records parsed once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path


def _parse(path: Path) -> list[Trial]:
    return [r.trial for r in parse_path(path) if isinstance(r, ParsedRecord)]


@pytest.fixture(scope="session")
def seed_trials(seeds_dir: Path) -> dict[str, Trial]:
    """Seeds 000, 001, 002 and 004 by file prefix."""
    out: dict[str, Trial] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        prefix = path.name[:3]
        if prefix == "003":
            continue  # the review, not a record
        (trial,) = _parse(path)
        out[prefix] = trial
    return out


@pytest.fixture(scope="session")
def real_trials(shared_dir: Path) -> dict[str, Trial]:
    """The HCC records of ../shared/data/registry used by the tests, by trial id."""
    registry = shared_dir / "data" / "registry"
    out: dict[str, Trial] = {}
    for path in (registry / "ctgov_csv" / "anand21j_ctg-studies_hcc9.csv",
                 registry / "ctgov_api_v2_json" / "dgg32_ctg-studies-5.json"):
        for trial in _parse(path):
            out[trial.trial_id] = trial
    return out
