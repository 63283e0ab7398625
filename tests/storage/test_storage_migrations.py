"""Alembic migrations create exactly the SQLAlchemy metadata, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from hcctrials.errors import StorageError
from hcctrials.storage import head_revision, open_store, upgrade
from hcctrials.storage.engine import create_engine, normalise_url
from hcctrials.storage.schema import alembic_include_name, metadata


def test_migration_result_equals_metadata(db_url: str) -> None:
    assert upgrade(db_url) == head_revision()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                         "include_name": alembic_include_name})
            assert compare_metadata(context, metadata) == []
        tables = set(inspect(engine).get_table_names())
        assert tables >= {"trials", "trial_versions", "trial_identifiers", "findings", "ingest_runs",
                          "ingest_failures", "alembic_version"}
        if engine.dialect.name == "postgresql":
            record = {c["name"]: c for c in inspect(engine).get_columns("trials")}["record"]
            assert type(record["type"]).__name__ == "JSONB"
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(db_url: str) -> None:
    upgrade(db_url)
    assert upgrade(db_url) == head_revision()


def test_open_store_without_migration_asks_for_upgrade(sqlite_url: str) -> None:
    with pytest.raises(StorageError, match="hcctrials db upgrade"):
        open_store(sqlite_url, migrate=False)


def test_unreachable_server_is_a_clear_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot connect to the database") as info:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "secret" not in str(info.value)


def test_urls_are_normalised(tmp_path: object) -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("data/x.sqlite3").startswith("sqlite:////")
    with pytest.raises(StorageError):
        normalise_url("  ")
