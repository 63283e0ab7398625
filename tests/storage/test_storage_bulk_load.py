"""TrialStore.bulk_load: SQLite writes large ingests with a rollback journal instead of WAL,
keeps each transaction atomic, and goes back to WAL afterwards; elsewhere it changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from hcctrials.model.trial import Trial
from hcctrials.storage import open_store

MakeTrial = Callable[..., Trial]


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def test_bulk_load_writes_without_wal_and_restores_it(tmp_path: Path, full_trial: MakeTrial) -> None:
    path = tmp_path / "bulk.sqlite3"
    with open_store(str(path)) as store:
        with store.bulk_load() as bulk:
            assert bulk is True
            with store.file_transaction() as writer:
                outcomes = writer.save_batch([full_trial("ChiCTR2600000001"), full_trial("ChiCTR2600000002")])
                assert [o.status for o in outcomes] == ["ingested", "ingested"]
                assert (tmp_path / "bulk.sqlite3-journal").exists()  # the rollback journal, not a WAL
                assert not (tmp_path / "bulk.sqlite3-wal").exists()
        assert _journal_mode(path) == "wal"
        assert store.get("ChiCTR2600000002").trial_id == "ChiCTR2600000002"
        assert store.count() == 2


def test_a_failed_transaction_in_bulk_mode_leaves_nothing(tmp_path: Path, full_trial: MakeTrial) -> None:
    path = tmp_path / "bulk.sqlite3"
    with open_store(str(path)) as store:
        with store.file_transaction() as writer:
            writer.save_batch([full_trial("ChiCTR2600000001")])
        with store.bulk_load():
            with pytest.raises(RuntimeError):
                with store.file_transaction() as writer:
                    writer.save_batch([full_trial("ChiCTR2600000002"), full_trial("ChiCTR2600000003")])
                    raise RuntimeError("the file turned out to be truncated")
            with store.file_transaction() as writer:
                writer.save_batch([full_trial("ChiCTR2600000004")])
        assert sorted(t.trial_id for t in store.iter_trials()) == ["ChiCTR2600000001", "ChiCTR2600000004"]
    assert _journal_mode(path) == "wal"


def test_bulk_load_stays_in_wal_while_another_connection_reads(tmp_path: Path, full_trial: MakeTrial) -> None:
    path = tmp_path / "bulk.sqlite3"
    with open_store(str(path)) as store:
        with store.file_transaction() as writer:
            writer.save_batch([full_trial("ChiCTR2600000001")])
        reader = sqlite3.connect(path, isolation_level=None)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM trials").fetchone()  # holds a read lock
            with store.bulk_load() as bulk:
                assert bulk is False
                with store.file_transaction() as writer:
                    writer.save_batch([full_trial("ChiCTR2600000002")])
            reader.execute("COMMIT")
        finally:
            reader.close()
        assert store.count() == 2
    assert _journal_mode(path) == "wal"


def test_bulk_load_changes_nothing_on_postgresql(postgres_url: str, full_trial: MakeTrial) -> None:
    with open_store(postgres_url) as store:
        with store.bulk_load() as bulk:
            assert bulk is False
            with store.file_transaction() as writer:
                writer.save_batch([full_trial("ChiCTR2600000001")])
        assert store.count() == 1
