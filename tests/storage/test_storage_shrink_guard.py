"""A new version that lost most of the current one's content (a truncated re-download) is held
back with a finding; ``accept_shrink`` makes it current.  SQLite and PostgreSQL (the stored
record's content is counted in SQL, dialect by dialect)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hcctrials.model.trial import Trial
from hcctrials.sources.base import sha256_hex
from hcctrials.storage import TrialStore, open_store
from hcctrials.storage.writer import SHRINK_ACCEPTED_CODE, SHRUNK_CODE

MakeTrial = Callable[..., Trial]


@pytest.fixture
def store(db_url: str) -> Iterator[TrialStore]:
    with open_store(db_url) as opened:
        yield opened


def _truncated(trial: Trial, raw: str = "v2-truncated") -> Trial:
    """What a third of the registry page gives: title and condition, nothing else."""
    data = trial.model_dump()
    data.update(interventions=[], arms=[], sites=[], outcomes=[])
    data["eligibility"]["inclusion"] = []
    data["eligibility"]["exclusion"] = []
    data["dates"]["last_updated"] = "2026-02-01"
    data["provenance"]["raw_sha256"] = sha256_hex(raw)
    return Trial.model_validate(data)


def test_truncated_version_is_held_and_the_old_one_stays_current(store: TrialStore, full_trial: MakeTrial) -> None:
    full = full_trial()
    store.save_trials([full])
    short = _truncated(full)
    [outcome] = store.save_trials([short])
    assert (outcome.status, outcome.version) == ("held", 2)
    assert store.get(full.trial_id) == full  # still current
    versions = store.versions(full.trial_id)
    assert [(v.version, v.current) for v in versions] == [(1, True), (2, False)]
    assert store.get_version(full.trial_id, 2) == short  # kept, as history
    [held] = [f for f in store.findings(full.trial_id, version=2) if f.code == SHRUNK_CODE]
    assert "0 interventions" in held.message and "2 interventions" in held.message
    assert "--accept-shrink" in held.message
    # saving it again changes nothing and says it is still held
    [again] = store.save_trials([short])
    assert (again.status, again.version) == ("held", 2)
    assert len(store.versions(full.trial_id)) == 2


def test_accept_shrink_makes_a_held_version_current(store: TrialStore, full_trial: MakeTrial) -> None:
    full = full_trial()
    store.save_trials([full])
    short = _truncated(full)
    store.save_trials([short])
    [accepted] = store.save_trials([short], accept_shrink=True)
    assert (accepted.status, accepted.version) == ("updated", 2)
    assert store.get(full.trial_id) == short
    assert [(v.version, v.current) for v in store.versions(full.trial_id)] == [(1, False), (2, True)]
    assert store.get_version(full.trial_id, 1) == full  # moved to history, not lost
    codes = [f.code for f in store.findings(full.trial_id)]
    assert SHRUNK_CODE not in codes and SHRINK_ACCEPTED_CODE in codes
    [unchanged] = store.save_trials([short], accept_shrink=True)
    assert unchanged.status == "unchanged"


def test_new_shrunk_version_with_accept_shrink_is_current_at_once(store: TrialStore, full_trial: MakeTrial) -> None:
    full = full_trial()
    store.save_trials([full])
    [outcome] = store.save_trials([_truncated(full, "v3")], accept_shrink=True)
    assert (outcome.status, outcome.version) == ("updated", 2)
    assert SHRINK_ACCEPTED_CODE in [f.code for f in store.findings(full.trial_id)]


def test_ordinary_changes_and_small_records_are_not_held(store: TrialStore, full_trial: MakeTrial) -> None:
    full = full_trial()
    store.save_trials([full])
    data = full.model_dump()
    data["sites"] = []  # one site of ten units gone: an ordinary update
    data["provenance"]["raw_sha256"] = sha256_hex("v2-no-sites")
    [outcome] = store.save_trials([Trial.model_validate(data)])
    assert outcome.status == "updated"
    data = full_trial("ChiCTR2600000002").model_dump()
    data.update(interventions=[], arms=[], sites=[], outcomes=[])
    data["eligibility"]["exclusion"] = []
    tiny = Trial.model_validate(data)
    store.save_trials([tiny])  # 3 units (a condition, 2 inclusion criteria): too small to judge
    data = tiny.model_dump()
    data["conditions"] = []
    data["eligibility"]["inclusion"] = []
    data["provenance"]["raw_sha256"] = sha256_hex("tiny-v2")
    [small] = store.save_trials([Trial.model_validate(data)])
    assert small.status == "updated"


def test_held_in_the_same_batch_as_its_predecessor(store: TrialStore, full_trial: MakeTrial) -> None:
    """Within one batch the guard compares with the version made current earlier in the batch."""
    full = full_trial()
    outcomes = store.save_trials([full, _truncated(full)])
    assert [o.status for o in outcomes] == ["ingested", "held"]
    assert store.get(full.trial_id) == full
