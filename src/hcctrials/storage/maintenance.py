"""Database maintenance: online backup and a health check (``hcctrials db backup`` / ``db check``).

* :func:`backup_database` (SQLite): ``VACUUM INTO`` a new file (SQLite docs, "VACUUM", "VACUUM
  INTO"): a consistent, compacted copy made from one read transaction, so ingests and searches
  may go on meanwhile (WAL).  The copy is then opened and checked with ``PRAGMA
  integrity_check``.  An existing file is never overwritten.  PostgreSQL databases are backed
  up with the server's own ``pg_dump`` (:func:`pg_dump_command` builds the command line).
* :func:`check_database`: ``PRAGMA integrity_check`` (SQLite), the search index's staleness,
  ingest runs still marked running whose process is gone.  It only reads.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from sqlalchemy.engine import make_url

from hcctrials.errors import StorageError
from hcctrials.storage.migrate import current_revision
from hcctrials.storage.repository import IngestRun, TrialStore, process_alive

__all__ = ["backup_database", "check_database", "DatabaseCheck", "pg_dump_command", "sqlite_path"]


def sqlite_path(store: TrialStore) -> Path | None:
    """The file of a SQLite store (None for PostgreSQL or an in-memory database)."""
    files = store.database_files()
    if not files:
        return None
    database = store.engine.url.database
    return Path(cast(str, database)).expanduser().resolve()


def pg_dump_command(store: TrialStore, dest: Path) -> str:
    """A ``pg_dump`` command line that backs up a PostgreSQL store to *dest* (password hidden)."""
    url = make_url(str(store.engine.url)).set(drivername="postgresql")
    return f"pg_dump --format=custom --file {dest} '{url.render_as_string(hide_password=True)}'"


def backup_database(store: TrialStore, dest: Path) -> int:
    """Copy the SQLite database of *store* to the new file *dest* while others may use it;
    returns the copy's size in bytes.  StorageError if *dest* exists, the store is not a SQLite
    file, or the copy fails its integrity check (the bad copy is removed)."""
    source = sqlite_path(store)
    if source is None:
        raise StorageError(f"{store.url} is not a SQLite file", hint=f"Use {pg_dump_command(store, dest)}")
    dest = dest.expanduser().resolve()
    if dest.exists():
        raise StorageError(f"{dest} exists", field="DEST", value=str(dest),
                           hint="Choose a new file: a backup never overwrites one")
    if dest in store.database_files():
        raise StorageError("the backup cannot be the database itself", field="DEST", value=str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = store.engine.raw_connection()
    try:
        driver = cast(sqlite3.Connection, raw.driver_connection)
        driver.execute("VACUUM INTO ?", (str(dest),))  # outside any transaction (isolation_level None)
    except sqlite3.Error as exc:
        raise StorageError(f"backup of {store.url} to {dest} failed: {exc}") from exc
    finally:
        raw.close()
    problems = _integrity(dest)
    if problems:
        dest.unlink(missing_ok=True)
        raise StorageError(f"the backup {dest} failed its integrity check: {problems[0]}")
    return dest.stat().st_size


def _integrity(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` of the SQLite file *path*, opened read-only: [] when ok."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


@dataclass
class DatabaseCheck:
    """What :func:`check_database` found; ``problems`` empty when all is well."""

    url: str
    revision: str | None
    trials: int
    integrity: list[str] = field(default_factory=list)  # SQLite integrity_check messages (empty: ok)
    stale_documents: int = 0
    dead_runs: list[IngestRun] = field(default_factory=list)  # marked running, process gone
    abandoned_runs: list[IngestRun] = field(default_factory=list)  # closed as abandoned earlier
    running_runs: list[IngestRun] = field(default_factory=list)  # running now (or on another host)

    @property
    def problems(self) -> int:
        return len(self.integrity) + (1 if self.stale_documents else 0) + len(self.dead_runs)


def check_database(store: TrialStore, *, index_version: int) -> DatabaseCheck:
    """Check *store* without writing to it (see the module docstring); search documents of another
    *index_version* (the document builder's) count as stale."""
    from hcctrials.storage.search_index import search_index_status

    status = search_index_status(store, index_version=index_version)
    report = DatabaseCheck(url=store.url, revision=current_revision(store.engine), trials=status.trials,
                           stale_documents=status.stale)
    source = sqlite_path(store)
    if source is not None:
        with store.engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
        report.integrity = [] if rows == ["ok"] else rows
    for run in store.ingest_runs():
        if run.status == "abandoned":
            report.abandoned_runs.append(run)
        elif run.status == "running":
            alive = process_alive(run.pid, run.host)
            (report.dead_runs if alive is False else report.running_runs).append(run)
    return report
