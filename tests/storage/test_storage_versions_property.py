"""Invariant of the versioning rules (hypothesis), on SQLite.

For day-precision dates, the rule "a new version becomes current unless it is older than the
current one" means that after any sequence of versions the current one is the last ingested
among those with the latest ``last_updated``, and one version is stored per distinct raw hash.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.model.trial import Provenance, Text, Trial, TrialDates
from hcctrials.sources.base import sha256_hex
from hcctrials.storage import TrialStore, open_store

_ids = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrialStore]:
    with open_store(str(tmp_path_factory.mktemp("prop") / "p.sqlite3")) as opened:
        yield opened


versions = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 30)), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(sequence=versions)
def test_current_is_last_of_the_latest(store: TrialStore, sequence: list[tuple[int, int]]) -> None:
    trial_id = f"NCT8{next(_ids):07d}"
    records = [
        Trial(trial_id=trial_id, registry="ctgov", brief_title=Text(en=f"raw {raw}"),
              dates=TrialDates(last_updated=(date(2025, 1, 1) + timedelta(days=day)).isoformat()),
              provenance=Provenance(source_format="test", raw_sha256=sha256_hex(f"{trial_id}:{raw}")))
        for raw, day in sequence
    ]
    store.save_trials(records, batch_size=3)
    # first occurrence of each raw version is the one stored
    stored: dict[int, int] = {}
    for raw, day in sequence:
        stored.setdefault(raw, day)
    order = list(dict.fromkeys(raw for raw, _ in sequence))
    latest = max(stored.values())
    expected = [raw for raw in order if stored[raw] == latest][-1]
    assert store.get(trial_id).brief_title.en == f"raw {expected}"
    assert len(store.versions(trial_id)) == len(stored)
