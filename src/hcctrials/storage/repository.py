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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from hcctrials.errors import NotFoundError, StorageError
from hcctrials.model.trial import Finding, Trial
from hcctrials.storage.engine import check_connection, create_engine, describe_url
from hcctrials.storage.migrate import current_revision, head_revision, upgrade
from hcctrials.storage.schema import (
    findings,
    ingest_failures,
    ingest_runs,
    trial_identifiers,
    trial_versions,
    trials,
)
from hcctrials.storage.writer import LOCAL_SCHEMES, SaveOutcome, save_batch

__all__ = ["TrialStore", "TrialSummary", "TrialVersion", "StoredFailure", "open_store", "utc_now"]


def utc_now() -> datetime:
    """The adapter layer's clock (UTC, aware)."""
    return datetime.now(timezone.utc)


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
class StoredFailure:
    """A record or file that could not be ingested (kept in ``ingest_failures``)."""

    file: str
    message: str
    locator: str | None = None
    record_id: str | None = None
    field: str | None = None


@dataclass
class FileWriter:
    """Writes the records of one file inside one transaction (see :meth:`TrialStore.file_transaction`)."""

    conn: Connection
    now: datetime
    outcomes: list[SaveOutcome] = field(default_factory=list)

    def save_batch(self, batch: Sequence[Trial]) -> list[SaveOutcome]:
        result = save_batch(self.conn, batch, now=self.now)
        self.outcomes.extend(result)
        return result


class TrialStore:
    """Repository over one database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        return describe_url(self.engine.url)

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
    def save_trials(self, records: Iterable[Trial], *, batch_size: int = 1000) -> list[SaveOutcome]:
        """Save *records* in one transaction (batches of *batch_size*); one outcome each."""
        outcomes: list[SaveOutcome] = []
        with self.file_transaction() as writer:
            batch: list[Trial] = []
            for trial in records:
                batch.append(trial)
                if len(batch) >= batch_size:
                    outcomes.extend(writer.save_batch(batch))
                    batch = []
            outcomes.extend(writer.save_batch(batch))
        return outcomes

    @contextmanager
    def file_transaction(self) -> Iterator[FileWriter]:
        """One transaction: committed if the block completes, rolled back if it raises."""
        with self.engine.begin() as conn:
            yield FileWriter(conn, utc_now())

    def start_run(self, source_path: str) -> int:
        """Open an ingest run in the log; returns its id."""
        with self.engine.begin() as conn:
            result = conn.execute(insert(ingest_runs).values(started_at=utc_now(), source_path=source_path)
                                  .returning(ingest_runs.c.id))
            return int(result.scalar_one())

    def finish_run(self, run_id: int, counts: dict[str, int], failures: Sequence[StoredFailure]) -> None:
        """Close an ingest run with its counts and failures."""
        with self.engine.begin() as conn:
            conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id)
                         .values(finished_at=utc_now(), counts=counts))
            if failures:
                conn.execute(insert(ingest_failures), [
                    {"run_id": run_id, "file": f.file, "locator": _cut(f.locator, 255),
                     "record_id": _cut(f.record_id, 64), "field": _cut(f.field, 255), "message": f.message}
                    for f in failures
                ])

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

    def find(self, trial_id: str) -> Trial | None:
        """The current record stored under exactly *trial_id*, or None."""
        with self._read() as conn:
            record = conn.execute(select(trials.c.record).where(trials.c.trial_id == trial_id)).scalar()
        return None if record is None else Trial.model_validate(record)

    def resolve(self, any_id: str) -> str:
        """The stored trial id for *any_id*: a record's own id, or an identifier it lists.

        A registry number stored under a different record (e.g. ``NCT04011033`` listed by a
        ChiCTR record or a trial-finder page) resolves to that record, preferring the one whose
        own id it is.  Raises NotFoundError with close ids as suggestion.
        """
        wanted = any_id.strip()
        with self._read() as conn:
            exact = conn.execute(select(trials.c.trial_id).where(
                func.upper(trials.c.trial_id) == wanted.upper())).scalar()
            if exact is not None:
                return str(exact)
            holder = conn.execute(
                select(trial_identifiers.c.trial_id)
                .where(trial_identifiers.c.value == wanted.upper())
                .order_by(trial_identifiers.c.trial_id).limit(1)
            ).scalar()
            if holder is not None:
                return str(holder)
            candidates = [str(v) for v in conn.execute(
                select(trial_identifiers.c.value).distinct()
                .where(trial_identifiers.c.value.like(wanted.upper()[:3] + "%"))).scalars()]
        close = difflib.get_close_matches(wanted.upper(), candidates, n=3, cutoff=0.6)
        hint = f"Did you mean {', '.join(close)}?" if close else "Run `hcctrials trials list` to see the stored ids"
        raise NotFoundError(f"no trial {wanted!r} in {self.url}", hint=hint)

    def get(self, trial_id: str) -> Trial:
        """The current record of *trial_id* (or of the record listing it); NotFoundError if none."""
        found = self.find(self.resolve(trial_id))
        assert found is not None
        return found

    def get_version(self, trial_id: str, version: int) -> Trial:
        with self._read() as conn:
            record = conn.execute(select(trial_versions.c.record).where(
                trial_versions.c.trial_id == trial_id, trial_versions.c.version == version)).scalar()
        if record is None:
            raise NotFoundError(f"trial {trial_id} has no version {version}",
                                hint=f"See `hcctrials trials show {trial_id} --versions`")
        return Trial.model_validate(record)

    def versions(self, trial_id: str) -> list[TrialVersion]:
        """Every stored version of *trial_id*, oldest first."""
        with self._read() as conn:
            current = conn.execute(select(trials.c.current_version).where(trials.c.trial_id == trial_id)).scalar()
            rows = conn.execute(
                select(trial_versions.c.trial_id, trial_versions.c.version, trial_versions.c.raw_sha256,
                       trial_versions.c.last_updated, trial_versions.c.source_format,
                       trial_versions.c.source_file, trial_versions.c.record_locator,
                       trial_versions.c.ingested_at)
                .where(trial_versions.c.trial_id == trial_id).order_by(trial_versions.c.version)
            ).all()
        return [TrialVersion(*row[:-1], ingested_at=_aware(row[-1]), current=row.version == current) for row in rows]

    def findings(self, trial_id: str, *, version: int | None = None) -> list[Finding]:
        """The findings of the current (or given) version of *trial_id*."""
        with self._read() as conn:
            if version is None:
                version = conn.execute(select(trials.c.current_version)
                                       .where(trials.c.trial_id == trial_id)).scalar()
            rows = conn.execute(
                select(findings.c.code, findings.c.field, findings.c.message, findings.c.severity,
                       findings.c["values"])
                .where(findings.c.trial_id == trial_id, findings.c.version == version)
                .order_by(findings.c.id)
            ).all()
        return [Finding(code=r[0], field=r[1], message=r[2], severity=r[3], values=r[4]) for r in rows]

    def linked_trial_ids(self, trial_id: str) -> list[str]:
        """Other stored records sharing a registry number with *trial_id* (same trial elsewhere)."""
        return self._linked(self._read, [trial_id]).get(trial_id, [])

    def _linked(self, reader: Any, ids: Sequence[str]) -> dict[str, list[str]]:
        mine = trial_identifiers.alias("mine")
        other = trial_identifiers.alias("other")
        stmt = (
            select(mine.c.trial_id, other.c.trial_id).distinct()
            .join(other, (other.c.value == mine.c.value) & (other.c.trial_id != mine.c.trial_id))
            .where(mine.c.trial_id.in_(ids), mine.c.scheme.not_in(LOCAL_SCHEMES),
                   other.c.scheme.not_in(LOCAL_SCHEMES))
            .order_by(mine.c.trial_id, other.c.trial_id)
        )
        result: dict[str, list[str]] = {}
        with reader() as conn:
            for own, linked in conn.execute(stmt):
                result.setdefault(own, []).append(linked)
        return result

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
        ).order_by(trials.c.trial_id).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
            ids = [r[0] for r in rows]
            secondary: dict[str, list[str]] = {}
            if ids:
                for tid, value in conn.execute(
                    select(trial_identifiers.c.trial_id, trial_identifiers.c.value)
                    .where(trial_identifiers.c.trial_id.in_(ids),
                           trial_identifiers.c.scheme.not_in(LOCAL_SCHEMES))
                    .order_by(trial_identifiers.c.trial_id, trial_identifiers.c.value)
                ):
                    if value != tid.upper():
                        secondary.setdefault(tid, []).append(value)
        linked = self._linked(self._read, ids) if ids else {}
        return [
            TrialSummary(
                trial_id=r[0], registry=r[1], overall_status=r[2],
                phases=tuple(p for p in (r[3] or "").split(",") if p), title_en=r[4], title_zh=r[5],
                linked_ids=tuple(dict.fromkeys([*secondary.get(r[0], []), *linked.get(r[0], [])])),
            )
            for r in rows
        ]

    def iter_trials(self, *, registry: str | None = None, status: str | None = None,
                    page_size: int = 500) -> Iterator[Trial]:
        """Every current record (ordered by id), read in pages so memory stays flat."""
        last: str | None = None
        while True:
            stmt = self._filtered(select(trials.c.trial_id, trials.c.record), registry, status)
            if last is not None:
                stmt = stmt.where(trials.c.trial_id > last)
            with self._read() as conn:
                rows = conn.execute(stmt.order_by(trials.c.trial_id).limit(page_size)).all()
            if not rows:
                return
            for trial_id, record in rows:
                yield Trial.model_validate(record)
            last = rows[-1][0]

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
