"""The trial repository: the one place other features read and write trials.

>>> store = open_store("sqlite:///trials.sqlite3")      # migrates to head first
>>> store.save_trials([trial])                           # -> [SaveOutcome(..., "ingested", 1)]
>>> store.get("NCT04011033").title("zh")
>>> for trial in store.iter_trials(registry="ctgov"): ...

Every SQL statement lives in this package.  Timestamps (``updated_at``, ``ingested_at``,
ingest runs) are read from the clock here, in the adapter, never in the core.
"""

from __future__ import annotations

import difflib
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, insert, literal, select, tuple_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from hcctrials.errors import NotFoundError, StorageError
from hcctrials.i18n import msg
from hcctrials.model.trial import Finding, Trial
from hcctrials.storage.engine import check_connection, create_engine, describe_url, mark_writer, write_transaction
from hcctrials.storage.migrate import current_revision, head_revision, upgrade
from hcctrials.storage.schema import (
    findings,
    ingest_failures,
    ingest_runs,
    trial_identifiers,
    trial_versions,
    trials,
)
from hcctrials.storage.writer import LOCAL_SCHEMES, PreparedRecord, SaveOutcome, save_batch

__all__ = ["TrialStore", "TrialSummary", "TrialVersion", "TrialDetails", "StoredFailure", "IngestRun", "open_store",
           "utc_now", "process_alive"]


def utc_now() -> datetime:
    """The adapter layer's clock (UTC, aware)."""
    return datetime.now(timezone.utc)


#: Which record an id means when several share it: the registry that issues such ids first.
_REGISTRY_ORDER = {"ctgov": 0, "chictr": 1, "other": 2, "trial_finder": 3}


# The reads of one record, built once: a statement built per call costs more CPU (constructing the
# expression and its cache key) than SQLite takes to answer it.
_KEY = (trials.c.trial_id == bindparam("tid")) & (trials.c.registry == bindparam("reg"))
#: the current record and its version number, by primary key
_RECORD = select(trials.c.record, trials.c.current_version).where(_KEY)
#: the records whose own id is exactly :wanted (primary-key prefix)
_OWN_KEYS = select(trials.c.trial_id, trials.c.registry).where(trials.c.trial_id == bindparam("wanted"))
#: the records holding the registry number :value (own id in upper case, or listed)
_HOLDERS = (select(trial_identifiers.c.trial_id, trial_identifiers.c.registry).distinct()
            .where(trial_identifiers.c.value == bindparam("value")))
_VERSIONS = (select(trial_versions.c.trial_id, trial_versions.c.version, trial_versions.c.raw_sha256,
                    trial_versions.c.last_updated, trial_versions.c.source_format, trial_versions.c.source_file,
                    trial_versions.c.record_locator, trial_versions.c.ingested_at)
             .where(trial_versions.c.trial_id == bindparam("tid"), trial_versions.c.registry == bindparam("reg"))
             .order_by(trial_versions.c.version))
_CURRENT_VERSION = select(trials.c.current_version).where(_KEY)
_FINDINGS = (select(findings.c.code, findings.c.field, findings.c.message, findings.c.severity, findings.c["values"],
                    findings.c.template)
             .where(findings.c.trial_id == bindparam("tid"), findings.c.registry == bindparam("reg"),
                    findings.c.version == bindparam("version"))
             .order_by(findings.c.id))
_MINE = trial_identifiers.alias("mine")
_OTHER = trial_identifiers.alias("other")
_SHARED = ((_OTHER.c.value == _MINE.c.value)
           & ((_OTHER.c.trial_id != _MINE.c.trial_id) | (_OTHER.c.registry != _MINE.c.registry)))


def _not_local(scheme: ColumnElement[str]) -> ColumnElement[bool]:
    """*scheme* is not one of :data:`LOCAL_SCHEMES` (``NOT IN`` written as ``!=`` each: plain parameters,
    so the statement is compiled once, not expanded again at every execution)."""
    return and_(*(scheme != local for local in LOCAL_SCHEMES))


#: pairs (record, other record) sharing a registry number (local numbers excepted), for the records of :ids
_LINKED = (select(_MINE.c.trial_id, _MINE.c.registry, _OTHER.c.trial_id, _OTHER.c.registry).distinct()
           .join(_OTHER, _SHARED)
           .where(_MINE.c.trial_id.in_(bindparam("ids", expanding=True)), _not_local(_MINE.c.scheme),
                  _not_local(_OTHER.c.scheme)))
#: the same for one record (:tid, :reg): the other records only
_LINKED_ONE = (select(_OTHER.c.trial_id, _OTHER.c.registry).distinct()
               .join(_OTHER, _SHARED)
               .where(_MINE.c.trial_id == bindparam("tid"), _MINE.c.registry == bindparam("reg"),
                      _not_local(_MINE.c.scheme), _not_local(_OTHER.c.scheme)))


def _linked_order(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Linked records by id, then in :data:`_REGISTRY_ORDER`."""
    return sorted(keys, key=lambda x: (x[0], _REGISTRY_ORDER.get(x[1], 9)))


def _label(key: tuple[str, str], own_id: str) -> str:
    return f"{key[0]} ({key[1]})" if key[0].upper() == own_id.upper() else key[0]


def _cut(value: str | None, size: int) -> str | None:
    return value if value is None or len(value) <= size else value[: size - 1] + "…"


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class TrialSummary:
    """One row of ``trials list``."""

    trial_id: str
    registry: str
    overall_status: str
    phases: tuple[str, ...]
    title_en: str | None
    title_zh: str | None
    linked_ids: tuple[str, ...] = ()

    def title(self, language: str = "en") -> str:
        if language == "zh":
            return self.title_zh or self.title_en or self.trial_id
        return self.title_en or self.title_zh or self.trial_id


@dataclass(frozen=True)
class TrialVersion:
    """One stored version of a record (without the record itself)."""

    trial_id: str
    version: int
    raw_sha256: str
    last_updated: str | None
    source_format: str
    source_file: str | None
    record_locator: str | None
    ingested_at: datetime
    current: bool


@dataclass(frozen=True)
class TrialDetails:
    """A current record with what its page shows besides it (:meth:`TrialStore.details`)."""

    trial: Trial
    versions: list[TrialVersion]  # every stored version, oldest first
    findings: list[Finding]  # of the current version
    linked: list[tuple[str, str]]  # other records sharing a registry number (TrialStore.linked_records)


@dataclass(frozen=True)
class StoredFailure:
    """A record or file that could not be ingested (kept in ``ingest_failures``)."""

    file: str
    message: str
    locator: str | None = None
    record_id: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class IngestRun:
    """One row of ``ingest_runs``."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    source_path: str
    status: str  # running | finished | abandoned
    pid: int | None
    host: str | None


def process_alive(pid: int | None, host: str | None) -> bool | None:
    """Whether the ingest process *pid* on *host* still runs: True/False on this host, None
    (cannot tell) for a run started on another host."""
    if pid is None:
        return False
    if host not in (None, socket.gethostname()):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class FileWriter:
    """Writes the records of one file inside one transaction (see :meth:`TrialStore.file_transaction`)."""

    conn: Connection
    now: datetime
    outcomes: list[SaveOutcome] = field(default_factory=list)
    accept_shrink: bool = False  # see hcctrials.storage.writer (versions that lost most content)

    def save_batch(self, batch: Sequence[Trial | PreparedRecord]) -> list[SaveOutcome]:
        result = save_batch(self.conn, batch, now=self.now, accept_shrink=self.accept_shrink)
        self.outcomes.extend(result)
        return result


class TrialStore:
    """Repository over one database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._bulk: Connection | None = None  # the connection of bulk_load(), while it runs

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return describe_url(self.engine.url)

    def database_files(self) -> set[Path]:
        """The files of a SQLite database (with its WAL and shared-memory files); empty otherwise."""
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return set()
        base = Path(database).expanduser().resolve()
        return {base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm"),
                base.with_name(base.name + "-journal")}

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> TrialStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (OperationalError, ProgrammingError) as exc:
            raise StorageError(f"cannot read {self.url}: {str(exc.orig or exc).strip().splitlines()[0]}",
                               hint="Run `hcctrials db upgrade` if the database is not initialised") from exc

    # -- writing -------------------------------------------------------------------------
    def save_trials(self, records: Iterable[Trial], *, batch_size: int = 1000,
                    accept_shrink: bool = False) -> list[SaveOutcome]:
        """Save *records* in one transaction (batches of *batch_size*); one outcome each.

        A new version that lost most of the current one's content is ``held`` (stored, not
        current, with a ``shrunk_version`` finding) unless *accept_shrink*."""
        outcomes: list[SaveOutcome] = []
        with self.file_transaction(accept_shrink=accept_shrink) as writer:
            batch: list[Trial] = []
            for trial in records:
                batch.append(trial)
                if len(batch) >= batch_size:
                    outcomes.extend(writer.save_batch(batch))
                    batch = []
            outcomes.extend(writer.save_batch(batch))
        return outcomes

    @contextmanager
    def file_transaction(self, *, accept_shrink: bool = False) -> Iterator[FileWriter]:
        """One write transaction: committed if the block completes, rolled back if it raises.

        It takes the write lock up front (SQLite ``BEGIN IMMEDIATE``): a concurrent ingest
        waits for this one to commit instead of failing with "database is locked"."""
        if self._bulk is not None:
            with self._bulk.begin():
                yield FileWriter(self._bulk, utc_now(), accept_shrink=accept_shrink)
            return
        with write_transaction(self.engine) as conn:
            yield FileWriter(conn, utc_now(), accept_shrink=accept_shrink)

    @contextmanager
    def bulk_load(self) -> Iterator[bool]:
        """Let the block write a large amount of new data faster; yields whether it does.

        SQLite in WAL mode writes every page twice: into the WAL, then into the database at the
        checkpoint after each commit (for a 10,000-study download: ~280 MB, ~1 s of CPU in the
        committing process).  With a rollback journal, pages appended to the file are not
        journaled at all, so inside this block :meth:`file_transaction` uses one connection
        switched to ``journal_mode=TRUNCATE`` with ``synchronous=FULL`` (SQLite docs, "PRAGMA
        journal_mode", "PRAGMA synchronous"): each transaction is still atomic and rolled back
        on failure, the data are written once.  Other processes can read between commits but
        not during one.  WAL (and ``synchronous=NORMAL``) is restored when the block ends.

        Nothing changes (yields False) on PostgreSQL, for an in-memory database, or when the
        switch is refused because another connection has the database open.
        """
        database = self.engine.url.database
        if (self._bulk is not None or self.engine.dialect.name != "sqlite" or not database
                or database == ":memory:" or database.startswith("file:")):
            yield False
            return
        conn = mark_writer(self.engine.connect())
        raw = cast(sqlite3.Connection, conn.connection.driver_connection)
        try:
            mode = raw.execute("PRAGMA journal_mode=TRUNCATE").fetchone()[0]
        except sqlite3.OperationalError:  # locked by another connection: stay in WAL
            mode = None
        if mode != "truncate":
            conn.close()
            yield False
            return
        raw.execute("PRAGMA synchronous=FULL")
        self._bulk = conn
        try:
            yield True
        finally:
            self._bulk = None
            try:
                raw.execute("PRAGMA journal_mode=WAL")
                raw.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.OperationalError:
                # Refused (another connection is reading): drop this connection rather than pool
                # it in rollback mode; the next connection's pragmas switch the file back to WAL.
                conn.invalidate()
            conn.close()

    def start_run(self, source_path: str) -> int:
        """Open an ingest run in the log (status ``running``, this process's pid and host); returns its id."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(insert(ingest_runs).values(
                started_at=utc_now(), source_path=source_path, status="running", pid=os.getpid(),
                host=socket.gethostname()[:255]).returning(ingest_runs.c.id))
            return int(result.scalar_one())

    def finish_run(self, run_id: int, counts: dict[str, int], failures: Sequence[StoredFailure]) -> None:
        """Close an ingest run with its counts and failures (status ``finished``)."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id)
                         .values(finished_at=utc_now(), counts=counts, status="finished"))
            if failures:
                conn.execute(insert(ingest_failures), [
                    {"run_id": run_id, "file": f.file, "locator": _cut(f.locator, 255),
                     "record_id": _cut(f.record_id, 64), "field": _cut(f.field, 255), "message": f.message}
                    for f in failures
                ])

    def ingest_runs(self, *, status: str | None = None) -> list[IngestRun]:
        """The logged ingest runs (oldest first), optionally only those with *status*."""
        stmt = select(ingest_runs.c.id, ingest_runs.c.started_at, ingest_runs.c.finished_at,
                      ingest_runs.c.source_path, ingest_runs.c.status, ingest_runs.c.pid, ingest_runs.c.host)
        if status is not None:
            stmt = stmt.where(ingest_runs.c.status == status)
        with self._read() as conn:
            rows = conn.execute(stmt.order_by(ingest_runs.c.id)).all()
        return [IngestRun(id=r[0], started_at=_aware(r[1]), finished_at=_aware(r[2]) if r[2] else None,
                          source_path=r[3], status=r[4] or "running", pid=r[5], host=r[6]) for r in rows]

    def dead_runs(self) -> list[IngestRun]:
        """Runs still marked ``running`` whose process is gone (killed before it closed the run)."""
        return [run for run in self.ingest_runs(status="running") if process_alive(run.pid, run.host) is False]

    def close_abandoned_runs(self) -> list[int]:
        """Mark every run whose process is gone ``abandoned``; returns their ids.  Runs of live
        processes (a concurrent ingest) and of other hosts are left alone.  What such a run
        committed stays (each file was its own transaction); what it did not commit was rolled back."""
        dead = [run.id for run in self.dead_runs()]
        if dead:
            with write_transaction(self.engine) as conn:
                conn.execute(update(ingest_runs).where(ingest_runs.c.id.in_(dead), ingest_runs.c.status == "running")
                             .values(status="abandoned"))
        return dead

    def run_failures(self, run_id: int) -> list[StoredFailure]:
        with self._read() as conn:
            rows = conn.execute(select(ingest_failures).where(ingest_failures.c.run_id == run_id)
                                .order_by(ingest_failures.c.id)).mappings()
            return [StoredFailure(file=r["file"], message=r["message"], locator=r["locator"],
                                  record_id=r["record_id"], field=r["field"]) for r in rows]

    # -- reading -------------------------------------------------------------------------
    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(trials)).scalar_one())

    def find(self, trial_id: str, *, registry: str | None = None) -> Trial | None:
        """The current record stored under exactly *trial_id* (and *registry*), or None."""
        with self._read() as conn:
            keys = self._keys(conn, trial_id)
        keys = [k for k in keys if registry is None or k[1] == registry]
        if not keys:
            return None
        return self._record(*keys[0])

    def _record(self, trial_id: str, registry: str) -> Trial:
        with self._read() as conn:
            row = conn.execute(_RECORD, {"tid": trial_id, "reg": registry}).first()
        if row is None:
            raise self._no_record(trial_id, registry)
        return Trial.model_validate(row[0])

    def _no_record(self, trial_id: str, registry: str) -> NotFoundError:
        return NotFoundError(msg("no {registry} record {trial!r} in {url}", registry=registry, trial=trial_id,
                                 url=self.url))

    @staticmethod
    def _keys(conn: Connection, wanted: str) -> list[tuple[str, str]]:
        """The records whose own id is exactly *wanted*, in :data:`_REGISTRY_ORDER` (a primary-key read)."""
        rows = conn.execute(_OWN_KEYS, {"wanted": wanted}).all()
        return sorted(((str(r[0]), str(r[1])) for r in rows), key=lambda k: _REGISTRY_ORDER.get(k[1], 9))

    def resolve(self, any_id: str, *, registry: str | None = None) -> tuple[str, str]:
        """The stored record ``(trial_id, registry)`` for *any_id*.

        *any_id* is a record's own id (case-insensitive) or any registry number a record lists
        (``NCT04011033`` listed by a ChiCTR record or a trial-finder page).  When several records
        match, the registry that issues such ids comes first (ctgov, chictr, other, trial_finder).
        Raises NotFoundError with close ids as a suggestion.
        """
        with self._read() as conn:
            return self._resolve(conn, any_id, registry)

    def _resolve(self, conn: Connection, any_id: str, registry: str | None) -> tuple[str, str]:
        """:meth:`resolve` on *conn*."""
        wanted = any_id.strip()
        # one index look-up (trial_identifiers.value) finds both the records whose own id this
        # is (any case) and the records listing it; the exact primary-key read covers a record
        # stored without its identifier rows
        holders = [(str(h[0]), str(h[1])) for h in conn.execute(_HOLDERS, {"value": wanted.upper()}).all()
                   if registry in (None, h[1])]
        own = sorted((k for k in holders if k[0].upper() == wanted.upper()),
                     key=lambda k: _REGISTRY_ORDER.get(k[1], 9))
        if own:
            return own[0]
        exact = [k for k in self._keys(conn, wanted) if registry in (None, k[1])]
        if exact:
            return exact[0]
        ranked: list[tuple[str, str]] = sorted(holders, key=lambda k: (_REGISTRY_ORDER.get(k[1], 9), k[0]))
        if ranked:
            return ranked[0]
        candidates = [str(v) for v in conn.execute(
            select(trial_identifiers.c.value).distinct()
            .where(trial_identifiers.c.value.like(wanted.upper()[:3] + "%"))).scalars()]
        close = difflib.get_close_matches(wanted.upper(), candidates, n=3, cutoff=0.6)
        hint = (msg("Did you mean {ids}?", ids=", ".join(close)) if close
                else msg("Run `hcctrials trials list` to see the stored ids"))
        message = (msg("no trial {trial!r} from registry {registry} in {url}", trial=wanted, registry=registry,
                       url=self.url) if registry else msg("no trial {trial!r} in {url}", trial=wanted, url=self.url))
        raise NotFoundError(message, hint=hint)

    def get(self, trial_id: str, *, registry: str | None = None) -> Trial:
        """The current record of *trial_id* (or of the record listing it); NotFoundError if none."""
        return self._record(*self.resolve(trial_id, registry=registry))

    def details(self, trial_id: str, *, registry: str | None = None) -> TrialDetails:
        """The current record of *trial_id* with its versions, the findings of its current version and
        its linked records (as :meth:`versions`, :meth:`findings` and :meth:`linked_records` give them),
        read on one connection in one transaction, so all from the same state of the data.

        With *registry*, the record stored under exactly *trial_id* in *registry* is taken (a
        primary-key read, as :meth:`find`); otherwise, or when there is none, *trial_id* is resolved
        as :meth:`get` resolves it (NotFoundError if nothing matches)."""
        with self._read() as conn:
            row = conn.execute(_RECORD, {"tid": trial_id, "reg": registry}).first() if registry else None
            key = (trial_id, registry or "")
            if row is None:
                key = self._resolve(conn, trial_id, registry)
                row = conn.execute(_RECORD, {"tid": key[0], "reg": key[1]}).first()
                if row is None:  # deleted since it was resolved (another connection)
                    raise self._no_record(*key)
            record, current = row
            versions = self._versions(conn, key, current)
            found = self._findings(conn, key, current)
            linked = self._linked_one(conn, key)
        return TrialDetails(Trial.model_validate(record), versions, found, linked)

    def get_version(self, trial_id: str, version: int, *, registry: str | None = None) -> Trial:
        """One stored version of a record (see :meth:`versions`)."""
        tid, reg = self.resolve(trial_id, registry=registry)
        with self._read() as conn:
            # the current version's record is kept once, in trials.record (its version row has NULL)
            record = conn.execute(
                select(func.coalesce(trial_versions.c.record, trials.c.record))
                .select_from(trial_versions.join(trials, (trials.c.trial_id == trial_versions.c.trial_id)
                                                 & (trials.c.registry == trial_versions.c.registry)))
                .where(trial_versions.c.trial_id == tid, trial_versions.c.registry == reg,
                       trial_versions.c.version == version)).scalar()
        if record is None:
            raise NotFoundError(msg("trial {trial} has no version {version}", trial=tid, version=version),
                                hint=msg("See `hcctrials trials show {trial} --versions`", trial=tid))
        return Trial.model_validate(record)

    def versions(self, trial_id: str, *, registry: str | None = None) -> list[TrialVersion]:
        """Every stored version of a record, oldest first."""
        with self._read() as conn:
            key = self._resolve(conn, trial_id, registry)
            return self._versions(conn, key, conn.execute(_CURRENT_VERSION, {"tid": key[0], "reg": key[1]}).scalar())

    @staticmethod
    def _versions(conn: Connection, key: tuple[str, str], current: int | None) -> list[TrialVersion]:
        rows = conn.execute(_VERSIONS, {"tid": key[0], "reg": key[1]}).all()
        return [TrialVersion(trial_id=row[0], version=row[1], raw_sha256=row[2], last_updated=row[3],
                             source_format=row[4], source_file=row[5], record_locator=row[6],
                             ingested_at=_aware(row[7]), current=row.version == current) for row in rows]

    def findings(self, trial_id: str, *, registry: str | None = None, version: int | None = None) -> list[Finding]:
        """The findings of the current (or given) version of a record."""
        with self._read() as conn:
            key = self._resolve(conn, trial_id, registry)
            if version is None:
                version = conn.execute(_CURRENT_VERSION, {"tid": key[0], "reg": key[1]}).scalar()
            return self._findings(conn, key, version)

    @staticmethod
    def _findings(conn: Connection, key: tuple[str, str], version: int | None) -> list[Finding]:
        rows = conn.execute(_FINDINGS, {"tid": key[0], "reg": key[1], "version": version}).all()
        return [Finding(code=r[0], field=r[1], message=r[2], severity=r[3], values=r[4], template=r[5])
                for r in rows]

    def linked_records(self, trial_id: str, *, registry: str | None = None) -> list[tuple[str, str]]:
        """Other stored records ``(trial_id, registry)`` sharing a registry number with this one."""
        with self._read() as conn:
            return self._linked_one(conn, self._resolve(conn, trial_id, registry))

    def linked_trial_ids(self, trial_id: str, *, registry: str | None = None) -> list[str]:
        """:meth:`linked_records` as labels: the id, with ``(registry)`` added when it is the same id."""
        with self._read() as conn:
            key = self._resolve(conn, trial_id, registry)
            return [_label(other, key[0]) for other in self._linked_one(conn, key)]

    def _linked(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
        with self._read() as conn:
            return self._linked_on(conn, keys)

    @staticmethod
    def _linked_on(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
        wanted = set(keys)
        result: dict[tuple[str, str], list[tuple[str, str]]] = {}
        rows = conn.execute(_LINKED, {"ids": sorted({k[0] for k in keys})}).all()
        for own_id, own_reg, linked_id, linked_reg in rows:
            if (own_id, own_reg) in wanted:
                result.setdefault((own_id, own_reg), []).append((linked_id, linked_reg))
        return {k: _linked_order(v) for k, v in result.items()}

    @staticmethod
    def _linked_one(conn: Connection, key: tuple[str, str]) -> list[tuple[str, str]]:
        """:meth:`_linked_on` of one record."""
        return _linked_order([(str(r[0]), str(r[1])) for r in conn.execute(_LINKED_ONE, {"tid": key[0], "reg": key[1]})
                              .all()])

    def _filtered(self, stmt: Select[Any], registry: str | None, status: str | None) -> Select[Any]:
        if registry:
            stmt = stmt.where(trials.c.registry == registry)
        if status:
            stmt = stmt.where(trials.c.overall_status == status)
        return stmt

    def list_trials(self, *, registry: str | None = None, status: str | None = None,
                    limit: int | None = None, offset: int = 0) -> list[TrialSummary]:
        """Summaries ordered by trial id, with the registry numbers linking each to others."""
        stmt = self._filtered(
            select(trials.c.trial_id, trials.c.registry, trials.c.overall_status, trials.c.phases,
                   trials.c.title_en, trials.c.title_zh), registry, status,
        ).order_by(trials.c.trial_id, trials.c.registry).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
            keys = [(r[0], r[1]) for r in rows]
            secondary: dict[tuple[str, str], list[str]] = {}
            if keys:
                for tid, reg, value in conn.execute(
                    select(trial_identifiers.c.trial_id, trial_identifiers.c.registry, trial_identifiers.c.value)
                    .where(trial_identifiers.c.trial_id.in_(sorted({k[0] for k in keys})),
                           trial_identifiers.c.scheme.not_in(LOCAL_SCHEMES))
                    .order_by(trial_identifiers.c.trial_id, trial_identifiers.c.value)
                ):
                    if value != tid.upper():
                        secondary.setdefault((tid, reg), []).append(value)
        linked = self._linked(keys) if keys else {}
        return [
            TrialSummary(
                trial_id=r[0], registry=r[1], overall_status=r[2],
                phases=tuple(p for p in (r[3] or "").split(",") if p), title_en=r[4], title_zh=r[5],
                linked_ids=tuple(dict.fromkeys([*secondary.get((r[0], r[1]), []),
                                                *(_label(o, r[0]) for o in linked.get((r[0], r[1]), []))])),
            )
            for r in rows
        ]

    def iter_trials(self, *, registry: str | None = None, status: str | None = None,
                    page_size: int = 500) -> Iterator[Trial]:
        """Every current record (ordered by id), read in pages so memory stays flat."""
        last: tuple[str, str] | None = None
        while True:
            stmt = self._filtered(select(trials.c.trial_id, trials.c.registry, trials.c.record), registry, status)
            if last is not None:
                stmt = stmt.where(tuple_(trials.c.trial_id, trials.c.registry) > tuple_(literal(last[0]), literal(last[1])))
            with self._read() as conn:
                rows = conn.execute(stmt.order_by(trials.c.trial_id, trials.c.registry).limit(page_size)).all()
            if not rows:
                return
            for _trial_id, _registry, record in rows:
                yield Trial.model_validate(record)
            last = (rows[-1][0], rows[-1][1])

    def schema_revision(self) -> str | None:
        return current_revision(self.engine)


def open_store(url: str, *, migrate: bool = True) -> TrialStore:
    """Open the database at *url* (path or SQLAlchemy URL) and bring it to the newest schema.

    With ``migrate=False`` the schema must already be current (else StorageError saying to run
    ``hcctrials db upgrade``).  Raises StorageError if the database cannot be reached.
    """
    engine = create_engine(url)
    try:
        check_connection(engine)
        at_head = current_revision(engine) == head_revision()
        if migrate and not at_head:
            upgrade(engine)
        elif not at_head:
            raise StorageError(f"the database {describe_url(engine.url)} is not at the current schema",
                               hint="Run `hcctrials db upgrade`")
    except BaseException:
        engine.dispose()
        raise
    return TrialStore(engine)
