"""Engines: URL normalisation, SQLite pragmas, fast JSON, clear connection errors.

* A bare path (``trials.sqlite3``) means a SQLite file; its parent folders are created.
* ``postgresql://`` and ``postgres://`` URLs use psycopg 3 (``postgresql+psycopg://``).
* SQLite connections get ``journal_mode=WAL``, ``synchronous=NORMAL`` and
  ``foreign_keys=ON`` in a connect event (SQLite docs, "Write-Ahead Logging" and "PRAGMA
  synchronous": NORMAL is safe from corruption in WAL mode and much faster than FULL), and a
  busy timeout of :data:`BUSY_TIMEOUT_MS`.
* Concurrency (SQLite): every transaction that writes is opened with :func:`write_transaction`,
  which emits ``BEGIN IMMEDIATE``: the writer takes the database's write lock up front and,
  if another process holds it, waits (busy timeout) instead of failing.  A deferred ``BEGIN``
  that reads first and writes later cannot wait: SQLite answers "database is locked" at once
  when another writer committed in between (SQLite docs, "Write-Ahead Logging", section 2.2,
  and "BEGIN TRANSACTION").  Read transactions stay deferred and never block in WAL mode.
  On PostgreSQL a write transaction takes the advisory lock :data:`PG_WRITER_LOCK` first, so
  writers queue the same way (readers are never blocked).
* JSON columns are written with compact separators; a value already serialised (a
  :class:`RawJSON`, e.g. from pydantic's ``model_dump_json``) is passed through unchanged so
  a record is serialised once even though it is stored in two tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import SQLAlchemyError as _SQLAlchemyError
from sqlalchemy import create_engine as _create_engine

from hcctrials.errors import StorageError

__all__ = ["RawJSON", "normalise_url", "create_engine", "describe_url", "dumps_json", "check_connection",
           "write_transaction", "mark_writer", "BUSY_TIMEOUT_MS"]

#: How long a SQLite connection waits for another process's lock (a concurrent ingest commits
#: a file, or a bulk load holds the rollback journal) before "database is locked".
BUSY_TIMEOUT_MS = 60_000

#: PostgreSQL advisory lock key held by every write transaction (``pg_advisory_xact_lock``).
PG_WRITER_LOCK = 0x4843435452  # "HCCTR"

#: Execution option that makes a SQLite connection's transactions ``BEGIN IMMEDIATE``.
_WRITER_OPTION = "hcctrials_writer"


class RawJSON(str):
    """A string that already holds serialised JSON (stored as is)."""

    __slots__ = ()


_COMPACT = (",", ":")


def dumps_json(value: Any) -> str:
    """Serialise *value* compactly (a :class:`RawJSON` is returned unchanged)."""
    if isinstance(value, RawJSON):
        return value
    return json.dumps(value, ensure_ascii=False, separators=_COMPACT)


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL from what a user typed (path, sqlite, postgresql URL)."""
    url = url.strip()
    if not url:
        raise StorageError("empty database URL", hint="Give --db PATH or a URL, or set HCCTRIALS_DB")
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def describe_url(url: str | URL) -> str:
    """The URL with any password hidden, for messages."""
    try:
        parsed = make_url(str(url))
    except ArgumentError:
        return str(url)
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The pysqlite driver's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented
    # recipe ("Serializable isolation / Savepoints / Transactional DDL") turns it off and emits
    # BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # the busy timeout first: switching a new file to WAL needs its lock too
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            # Another process holds the file in rollback-journal mode (an ingest in bulk-load
            # mode, TrialStore.bulk_load): the switch needs the file to itself and SQLite does not
            # wait for it.  Use the file as it is (reads and writes wait for that ingest's locks);
            # the bulk load switches it back to WAL when it ends.
            pass
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Bulk ingest: a 64 MiB page cache and in-memory temporary tables (SQLite docs, "PRAGMA
        # cache_size", "PRAGMA temp_store"); durability is unchanged (WAL + synchronous=NORMAL).
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
    finally:
        cursor.close()


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(_WRITER_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def mark_writer(conn: Connection) -> Connection:
    """Make *conn*'s next transactions take the write lock up front (SQLite ``BEGIN IMMEDIATE``;
    nothing changes on PostgreSQL).  Returns *conn*."""
    return conn.execution_options(**{_WRITER_OPTION: True})


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: committed if the block completes, rolled back if it raises.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (waits up to :data:`BUSY_TIMEOUT_MS` for
    another writer to commit); use ``engine.connect()`` for reading only.
    """
    with engine.connect() as conn:
        mark_writer(conn)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # the same one-writer-at-a-time rule: two ingests of the same trial would otherwise
                # race on its unique keys (the second failing its records); released at commit
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITER_LOCK})")
            yield conn


def create_engine(url: str) -> Engine:
    """An engine for *url* (normalised), with the pragmas and JSON settings above.

    Raises StorageError for a malformed URL or a missing driver; connection problems are
    reported when the engine is first used (see :func:`check_connection`).
    """
    normalised = normalise_url(url)
    try:
        parsed = make_url(normalised)
    except ArgumentError as exc:
        raise StorageError(f"malformed database URL: {exc}", value=url,
                           hint="Use a file path, sqlite:///PATH or postgresql://USER@HOST/DB") from exc
    kwargs: dict[str, Any] = {"json_serializer": dumps_json, "json_deserializer": json.loads}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = _create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError, _SQLAlchemyError) as exc:
        raise StorageError(f"cannot use database URL {describe_url(parsed)}: {exc}",
                           hint="Supported: sqlite:///PATH, postgresql+psycopg://USER@HOST:PORT/DB") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def check_connection(engine: Engine) -> None:
    """Open and close one connection; a StorageError naming the URL if that fails."""
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:  # OperationalError (unreachable, locked), DatabaseError (not a database, malformed)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise StorageError(f"cannot connect to the database {describe_url(engine.url)}: {reason}",
                           hint="Check the URL given with --db or HCCTRIALS_DB and that the server is running") from exc
