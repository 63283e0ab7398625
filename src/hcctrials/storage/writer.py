"""Saving parsed records: versioning rules and batched inserts (all on one connection).

A record is identified by (``trial_id``, ``registry``): a trial-finder page that carries the
NCT id of a CT.gov record is a record of its own, linked through identifiers.

Each record's JSON is stored once: the current version in ``trials.record`` (its row in
``trial_versions`` has ``record`` NULL), every other version in ``trial_versions.record``.  When
a new version becomes current, the record it supersedes is first copied into its version row
(one ``UPDATE ... SET record = (SELECT record FROM trials ...)``), so the full history is kept.

Rules for a record of trial ``T`` whose raw bytes hash to ``h`` (``provenance.raw_sha256``):

* ``T`` unknown -> **ingested**: version 1, current.
* ``h`` equals the hash of any stored version of ``T`` -> **unchanged**: nothing is written.
* otherwise a new version ``max(version) + 1`` is stored, and
  - **older** if the record is certainly older than the current one: both ``dates.last_updated``
    are known and the last day the new one can mean is before the first day the current one
    can mean (partial dates compared by :func:`~hcctrials.model.trial.partial_date_bounds`);
    the current record is kept;
  - **updated** otherwise (newer, same day, or either date unknown): it becomes current.

A batch is written with one ``executemany`` per table after looking up the stored state of
all its trials in two queries.  The writer works on :class:`PreparedRecord` (the record's JSON
and the column values, see :func:`prepare_record`); a :class:`Trial` is prepared on the fly,
and the parallel ingest prepares records in worker processes so that the process holding the
database connection only runs SQL.  :func:`save_batch` wraps the batch in a SAVEPOINT; if the
batch fails (e.g. a value the database rejects), it is rolled back and retried record by
record, each in its own SAVEPOINT, so one bad record fails alone and nothing of it is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Union

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from hcctrials.model.trial import Trial, partial_date_bounds
from hcctrials.storage.engine import RawJSON
from hcctrials.storage.schema import findings, trial_identifiers, trial_versions, trials

__all__ = ["SaveOutcome", "SaveStatus", "PreparedRecord", "prepare_record", "prepare_record_data", "save_batch", "identifier_rows",
           "own_scheme", "LOCAL_SCHEMES"]

SaveStatus = Literal["ingested", "updated", "unchanged", "older", "failed"]

#: Identifier schemes that are not globally unique and so never link records.
LOCAL_SCHEMES = ("org_study_id", "ethics", "other")


@dataclass(frozen=True)
class SaveOutcome:
    """What happened to one record."""

    trial_id: str
    status: SaveStatus
    version: int | None = None
    error: str | None = None


Key = tuple[str, str]  # (trial_id, registry)


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """A record ready to store: its normalised JSON and every column value derived from it.

    Plain data (picklable, cheap to send between processes).  ``columns`` holds the summary
    columns of ``trials``; ``identifiers`` the ``(scheme, value)`` pairs of
    ``trial_identifiers``; ``findings`` the ``findings`` rows without their keys.
    """

    trial_id: str
    registry: str
    raw_sha256: str
    last_updated: str | None
    record: str  # Trial.model_dump_json()
    columns: dict[str, Any]
    source_format: str
    source_file: str | None
    record_locator: str | None
    identifiers: tuple[tuple[str, str], ...]
    findings: tuple[dict[str, Any], ...]


def prepare_record(trial: Trial, *, record_json: str | None = None) -> PreparedRecord:
    """The :class:`PreparedRecord` of *trial* (``record_json``: its ``model_dump_json()`` if
    the caller already has it)."""
    prov = trial.provenance
    dates = trial.dates
    return _prepared(
        trial_id=trial.trial_id,
        registry=trial.registry.value,
        raw_sha256=prov.raw_sha256,
        last_updated=dates.last_updated,
        record=record_json if record_json is not None else trial.model_dump_json(),
        columns={
            "title_en": trial.brief_title.en or trial.scientific_title.en,
            "title_zh": trial.brief_title.zh or trial.scientific_title.zh,
            "overall_status": trial.overall_status.value,
            "phases": ",".join(trial.phases) or None,
            "study_type": trial.study_type,
            "study_start": dates.study_start,
            "primary_completion": dates.primary_completion,
            "enrollment_count": trial.enrollment.count,
            "schema_version": trial.schema_version,
        },
        source_format=prov.source_format,
        source_file=prov.source_file,
        record_locator=prov.record_locator,
        identifiers=[(i.scheme, i.value) for i in trial.identifiers],
        findings=tuple({"code": f.code, "field": f.field, "message": f.message, "severity": f.severity,
                        "values": f.values} for f in trial.findings),
    )


def prepare_record_data(data: dict[str, Any], record_json: str) -> PreparedRecord:
    """The :class:`PreparedRecord` of a record given as its ``Trial.model_dump(mode="json")``
    dict and that dict's JSON (the CT.gov storage fast path, which never builds a Trial)."""
    prov = data["provenance"]
    dates = data["dates"]
    brief, scientific = data["brief_title"], data["scientific_title"]
    return _prepared(
        trial_id=data["trial_id"],
        registry=data["registry"],
        raw_sha256=prov["raw_sha256"],
        last_updated=dates["last_updated"],
        record=record_json,
        columns={
            "title_en": brief["en"] or scientific["en"],
            "title_zh": brief["zh"] or scientific["zh"],
            "overall_status": data["overall_status"],
            "phases": ",".join(data["phases"]) or None,
            "study_type": data["study_type"],
            "study_start": dates["study_start"],
            "primary_completion": dates["primary_completion"],
            "enrollment_count": data["enrollment"]["count"],
            "schema_version": data["schema_version"],
        },
        source_format=prov["source_format"],
        source_file=prov["source_file"],
        record_locator=prov["record_locator"],
        identifiers=[(i["scheme"], i["value"]) for i in data["identifiers"]],
        findings=tuple({"code": f["code"], "field": f["field"], "message": f["message"],
                        "severity": f["severity"], "values": f["values"]} for f in data["findings"]),
    )


def _prepared(*, trial_id: str, registry: str, identifiers: list[tuple[str, str]], **values: Any) -> PreparedRecord:
    return PreparedRecord(trial_id=trial_id, registry=registry,
                          identifiers=tuple(_identifier_pairs(trial_id, registry, identifiers)), **values)


Storable = Union[Trial, PreparedRecord]


@dataclass
class _State:
    current_version: int
    last_updated: str | None
    max_version: int
    hashes: set[str]


def own_scheme(trial: Trial) -> str:
    """The identifier scheme of the record's own id (``nct``, ``chictr`` ...)."""
    return _own_scheme(trial.trial_id, trial.registry.value, [(i.scheme, i.value) for i in trial.identifiers])


def _own_scheme(trial_id: str, registry: str, identifiers: list[tuple[str, str]]) -> str:
    upper = trial_id.upper()
    for scheme, value in identifiers:
        if value.upper() == upper:
            return scheme
    if upper.startswith("NCT"):
        return "nct"
    if upper.startswith("CHICTR"):
        return "chictr"
    return registry


def identifier_rows(trial: Trial) -> list[dict[str, str]]:
    """Rows for ``trial_identifiers``: the record's own id and every identifier it lists."""
    pairs = _identifier_pairs(trial.trial_id, trial.registry.value, [(i.scheme, i.value) for i in trial.identifiers])
    return [{"trial_id": trial.trial_id, "registry": trial.registry.value, "scheme": scheme, "value": value}
            for scheme, value in pairs]


def _identifier_pairs(trial_id: str, registry: str, identifiers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(scheme, value)`` of the record's own id and every identifier it lists, normalised
    (upper-case value, lengths of the columns) and without repeats."""
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for scheme, value in [(_own_scheme(trial_id, registry, identifiers), trial_id), *identifiers]:
        key = (scheme[:32], value.strip().upper()[:255])
        if key[1] and key not in seen:
            seen.add(key)
            out.append(key)
    return out


def _certainly_older(new: str | None, current: str | None) -> bool:
    if not new or not current:
        return False
    return partial_date_bounds(new)[1] < partial_date_bounds(current)[0]


def _load_state(conn: Connection, ids: Sequence[str]) -> dict[Key, _State]:
    state: dict[Key, _State] = {}
    if not ids:
        return state
    rows = conn.execute(
        select(trials.c.trial_id, trials.c.registry, trials.c.current_version, trials.c.last_updated)
        .where(trials.c.trial_id.in_(ids))
    )
    for trial_id, registry, current, last_updated in rows:
        state[(trial_id, registry)] = _State(current, last_updated, current, set())
    versions = conn.execute(
        select(trial_versions.c.trial_id, trial_versions.c.registry, trial_versions.c.version,
               trial_versions.c.raw_sha256)
        .where(trial_versions.c.trial_id.in_(ids))
    )
    for trial_id, registry, version, sha in versions:
        entry = state.get((trial_id, registry))
        if entry is not None:
            entry.hashes.add(sha)
            entry.max_version = max(entry.max_version, version)
    return state


def _trial_row(record: PreparedRecord, version: int, now: datetime) -> dict[str, Any]:
    return {
        "trial_id": record.trial_id,
        "registry": record.registry,
        "current_version": version,
        **record.columns,
        "last_updated": record.last_updated,
        "record": RawJSON(record.record),
        "raw_sha256": record.raw_sha256,
        "source_format": record.source_format,
        "updated_at": now,
    }


def _write_batch(conn: Connection, batch: Sequence[Storable], now: datetime) -> list[SaveOutcome]:
    prepared = [r if isinstance(r, PreparedRecord) else prepare_record(r) for r in batch]
    ids = list(dict.fromkeys(r.trial_id for r in prepared))
    state = _load_state(conn, ids)
    existed = set(state)
    outcomes: list[SaveOutcome] = []
    current_rows: dict[Key, dict[str, Any]] = {}
    current_records: dict[Key, PreparedRecord] = {}
    current_version_rows: dict[Key, dict[str, Any]] = {}  # the version row of each new current record
    move_to_history: list[dict[str, Any]] = []  # stored current records that this batch supersedes
    version_rows: list[dict[str, Any]] = []
    finding_rows: list[dict[str, Any]] = []
    for rec in prepared:
        sha = rec.raw_sha256
        key = (rec.trial_id, rec.registry)
        entry = state.get(key)
        if entry is not None and sha in entry.hashes:
            outcomes.append(SaveOutcome(rec.trial_id, "unchanged"))
            continue
        status: SaveStatus
        if entry is None:
            version, status = 1, "ingested"
            entry = state[key] = _State(1, rec.last_updated, 1, {sha})
        else:
            version = entry.max_version + 1
            entry.max_version = version
            entry.hashes.add(sha)
            status = "older" if _certainly_older(rec.last_updated, entry.last_updated) else "updated"
        version_row = {
            "trial_id": rec.trial_id, "registry": key[1], "version": version, "record": None,
            "raw_sha256": sha,
            "last_updated": rec.last_updated,
            "source_format": rec.source_format,
            "source_file": rec.source_file,
            "record_locator": rec.record_locator,
            "ingested_at": now,
        }
        if status == "older":
            version_row["record"] = RawJSON(rec.record)
        else:
            superseded = current_version_rows.get(key)
            if superseded is not None:  # current since earlier in this batch: keep it in its version row
                superseded["record"] = RawJSON(current_records[key].record)
            elif key in existed:  # the stored current record moves to its version row
                move_to_history.append({"b_trial_id": key[0], "b_registry": key[1],
                                        "b_version": entry.current_version})
            entry.current_version, entry.last_updated = version, rec.last_updated
            current_rows[key] = _trial_row(rec, version, now)
            current_records[key] = rec
            current_version_rows[key] = version_row
        version_rows.append(version_row)
        finding_rows.extend({"trial_id": rec.trial_id, "registry": key[1], "version": version, **f}
                            for f in rec.findings)
        outcomes.append(SaveOutcome(rec.trial_id, status, version))

    new_rows = [row for key, row in current_rows.items() if key not in existed]
    changed = [row for key, row in current_rows.items() if key in existed]
    if new_rows:
        _insert_many(conn, trials, new_rows)
    if move_to_history:
        conn.execute(
            update(trial_versions)
            .where(trial_versions.c.trial_id == bindparam("b_trial_id"),
                   trial_versions.c.registry == bindparam("b_registry"),
                   trial_versions.c.version == bindparam("b_version"),
                   trial_versions.c.record.is_(None))
            .values(record=select(trials.c.record).where(trials.c.trial_id == bindparam("b_trial_id"),
                                                         trials.c.registry == bindparam("b_registry"))
                    .scalar_subquery()),
            move_to_history)
    if changed:
        columns = [c for c in changed[0] if c not in ("trial_id", "registry")]
        stmt = (update(trials).where(trials.c.trial_id == bindparam("b_trial_id"),
                                     trials.c.registry == bindparam("b_registry"))
                .values({c: bindparam(f"b_{c}") for c in columns}))
        conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in changed])
        conn.execute(delete(trial_identifiers).where(
            trial_identifiers.c.trial_id == bindparam("b_trial_id"),
            trial_identifiers.c.registry == bindparam("b_registry")),
            [{"b_trial_id": r["trial_id"], "b_registry": r["registry"]} for r in changed])
    if version_rows:
        _insert_many(conn, trial_versions, version_rows)
    ident_rows = [{"trial_id": rec.trial_id, "registry": rec.registry, "scheme": scheme, "value": value}
                  for rec in current_records.values() for scheme, value in rec.identifiers]
    if ident_rows:
        _insert_many(conn, trial_identifiers, ident_rows)
    if finding_rows:
        _insert_many(conn, findings, finding_rows)
    return outcomes


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT *rows* (dicts with the same keys) into *table* with one executemany.

    On SQLite the statement goes to the driver as plain SQL with tuples, each value passed
    through its column type's bind processor exactly as SQLAlchemy would (DateTime -> its text
    form, JSON -> the serialiser): the same stored values without SQLAlchemy compiling and
    processing parameters row by row, which was a quarter of this process's time in a bulk
    ingest.  Other databases use the Core statement.
    """
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    names = tuple(rows[0])
    sql, processors = _raw_insert(dialect, table, names)
    if processors:
        params = []
        for row in rows:
            values = [row[name] for name in names]
            for index, process in processors:
                values[index] = process(values[index])
            params.append(tuple(values))
    else:
        params = [tuple(row[name] for name in names) for row in rows]
    conn.exec_driver_sql(sql, params)


_RAW_INSERTS: dict[tuple[str, tuple[str, ...]], tuple[str, list[tuple[int, Any]]]] = {}


def _raw_insert(dialect: Any, table: Table, names: tuple[str, ...]) -> tuple[str, list[tuple[int, Any]]]:
    key = (table.name, names)
    cached = _RAW_INSERTS.get(key)
    if cached is None:
        preparer = dialect.identifier_preparer
        sql = (f"INSERT INTO {preparer.format_table(table)} "
               f"({', '.join(preparer.quote(name) for name in names)}) VALUES ({', '.join('?' * len(names))})")
        processors = [(i, process) for i, name in enumerate(names)
                      if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
        cached = _RAW_INSERTS[key] = (sql, processors)
    return cached


def save_batch(conn: Connection, batch: Sequence[Storable], *, now: datetime) -> list[SaveOutcome]:
    """Save *batch* on *conn* (inside the caller's transaction); one outcome per record.

    The batch runs in a SAVEPOINT; if it fails, each record is retried in its own
    SAVEPOINT and a record that still fails gets a ``failed`` outcome with the reason.
    """
    if not batch:
        return []
    try:
        with conn.begin_nested():
            return _write_batch(conn, batch, now)
    except (SQLAlchemyError, ValueError):
        if len(batch) == 1:
            return [_save_one(conn, batch[0], now)]
    return [_save_one(conn, trial, now) for trial in batch]


def _save_one(conn: Connection, trial: Storable, now: datetime) -> SaveOutcome:
    try:
        with conn.begin_nested():
            return _write_batch(conn, [trial], now)[0]
    except (SQLAlchemyError, ValueError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return SaveOutcome(trial.trial_id, "failed", error=f"the database rejected the record: {reason}")
