"""The full-text search index (SQL side): fill it, keep it fresh, query it.

Documents are built by the :class:`~hcctrials.model.search.DocumentBuilder` the caller hands in
(:data:`hcctrials.matching.search.SEARCH_DOCUMENTS`); this module stores them and runs queries
(all SQL of the search lives here) and imports nothing from matching.

* SQLite: FTS5 table ``search_fts`` (rowid = ``search_documents.doc_id``), ranked by
  ``bm25()`` (FTS5 docs, "The bm25() function").
* PostgreSQL: ``search_documents.tsv`` written as a tsvector *literal* (positions kept, the
  server never re-segments the jieba tokens), GIN index, ``@@`` with a tsquery literal whose
  phrases use ``<->``, ranked by ``ts_rank``.

``hcctrials ingest`` indexes the records each file makes current inside that file's transaction
(:func:`index_records_on`), then calls :func:`refresh_search_index` for anything else stale
(an index version change, an ingest with ``--no-index``, a killed run).  Read paths only read:
:func:`search_trials` answers from what is indexed and :func:`search_index_status` says whether
that is stale.  :func:`index_trials` and :func:`rebuild_search_index` are the explicit entry
points; every writer takes the write lock up front (``BEGIN IMMEDIATE`` on SQLite).
Documents are built from the stored JSON text (one ``model_validate_json``), optionally in
worker processes (forkserver; the main process reads and writes): see docs/search.md.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from sqlalchemy import (
    tuple_,
    Float,
    Integer,
    Text,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.engine import Connection, Engine

from hcctrials.model.search import DocumentBuilder, SearchDocument, SearchFilters, SearchQuery
from hcctrials.model.trial import Trial
from hcctrials.storage.engine import write_transaction
from hcctrials.storage.schema import search_documents, trials

__all__ = ["search_documents", "SearchHit", "index_trials", "rebuild_search_index", "refresh_search_index",
           "index_records_on", "search_index_status", "SearchIndexStatus", "TRANSACTION_TRIALS",
           "search_trials", "document_rows", "PARALLEL_MIN_TRIALS", "PARALLEL_MIN_CPUS", "fts_match_expression", "tsquery_literal", "tsvector_literal",
           "CatalogSelection", "CatalogIndex", "FacetCounts", "LISTED_FACETS", "search_catalog_page", "search_facets",
           "search_data_version", "DataVersionWatch", "document_ids", "record_fields", "place_value"]



@dataclass(frozen=True)
class SearchHit:
    trial_id: str
    score: float
    title: str
    status: str
    registry: str
    phases: tuple[str, ...]
    settings: tuple[str, ...]
    classes: tuple[str, ...]
    study_start: str | None


def _engine(store: Any) -> Engine:
    return store if isinstance(store, Engine) else store.engine  # TrialStore exposes .engine


def _listed(values: Iterable[str]) -> str:
    """Values stored as ``,a,b,`` so that ``LIKE '%,a,%'`` matches one exactly."""
    return "," + ",".join(values) + "," if values else ","


def place_value(place: str) -> str:
    """A site place as the index stores, filters and counts it: lower case, commas as semicolons
    (the listed column separates values by commas; registries write countries such as
    "Korea, Republic of")."""
    return place.lower().replace(",", ";")


def tsvector_literal(tokens: Sequence[str]) -> str:
    """A PostgreSQL tsvector literal keeping token positions (``'a':1 'b':2``)."""
    by_token: dict[str, list[int]] = {}
    for position, token in enumerate(tokens, start=1):
        lexeme = token[:500]
        by_token.setdefault(lexeme, []).append(min(position, 16383))
    parts = []
    for lexeme, positions in by_token.items():
        quoted = lexeme.replace("\\", "\\\\").replace("'", "''")
        parts.append(f"'{quoted}':" + ",".join(str(p) for p in positions[:256]))
    return " ".join(parts)


def _pg_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_literal(query: SearchQuery) -> str:
    """``(phrase | alt) & (...)`` with phrases as ``'a' <-> 'b'``."""
    groups = []
    for term in query.terms:
        alts = [" <-> ".join(_pg_quote(t) for t in alt) for alt in term.alternatives]
        groups.append("(" + " | ".join(f"({a})" for a in alts) + ")")
    return " & ".join(groups)


def fts_match_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH expression: terms ANDed, alternatives ORed, each a quoted phrase."""
    groups = []
    for term in query.terms:
        alts = ['"' + " ".join(alt).replace('"', '""') + '"' for alt in term.alternatives]
        groups.append("(" + " OR ".join(alts) + ")")
    return " AND ".join(groups)


def _row(doc: SearchDocument, raw_sha256: str, dialect: str, version: int) -> dict[str, Any]:
    return {
        "trial_id": doc.trial_id, "raw_sha256": raw_sha256, "index_version": version,
        "tokens": " ".join(doc.tokens), "registry": doc.registry, "status": doc.status,
        "phases": _listed(doc.phases), "settings": _listed(doc.settings), "classes": _listed(doc.classes),
        "drugs": _listed(doc.drugs), "places": _listed(place_value(p) for p in doc.places),
        "study_start": doc.study_start, "title": doc.title[:2000],
        "tsv": tsvector_literal(doc.tokens) if dialect == "postgresql" else None,
    }


_PG_INSERT = text(
    "INSERT INTO search_documents (trial_id, raw_sha256, index_version, tokens, registry, status, phases, "
    "settings, classes, drugs, places, study_start, title, tsv) VALUES (:trial_id, :raw_sha256, :index_version, "
    ":tokens, :registry, :status, :phases, :settings, :classes, :drugs, :places, :study_start, :title, "
    "CAST(:tsv AS tsvector))")
_SQLITE_FTS_FROM_DOCS = text(
    "INSERT INTO search_fts(rowid, tokens) SELECT doc_id, tokens FROM search_documents "
    "WHERE doc_id IN (SELECT value FROM json_each(:ids))")


def _write(conn: Connection, rows: list[dict[str, Any]], *, replace: bool = True) -> None:
    """Store *rows* (replacing the documents of the same trials unless *replace* is False:
    a rebuild has deleted every document already)."""
    dialect = conn.dialect.name
    keys = [(r["trial_id"], r["registry"]) for r in rows]
    c = search_documents.c
    if replace:
        if dialect == "sqlite":
            old = [d for (d,) in conn.execute(select(c.doc_id).where(tuple_(c.trial_id, c.registry).in_(keys)))]
            if old:
                conn.execute(text("DELETE FROM search_fts WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                             {"ids": json.dumps(old)})
        conn.execute(delete(search_documents).where(tuple_(c.trial_id, c.registry).in_(keys)))
    if dialect == "postgresql":
        conn.execute(_PG_INSERT, rows)  # one executemany (psycopg pipelines it)
        return
    # SQLite: doc_ids are assigned in insertion order after the current maximum; the FTS rows are
    # copied from the stored documents in one INSERT ... SELECT (no token text round trip).
    conn.execute(insert(search_documents), [{**r, "tsv": None} for r in rows])
    new = [d for (d,) in conn.execute(select(c.doc_id).where(tuple_(c.trial_id, c.registry).in_(keys)))]
    conn.execute(_SQLITE_FTS_FROM_DOCS, {"ids": json.dumps(new)})


def _document_row(trial: Trial, dialect: str, builder: DocumentBuilder) -> dict[str, Any]:
    return _row(builder(trial), trial.provenance.raw_sha256, dialect, builder.version)


def document_rows(records_json: Sequence[str], dialect: str, builder: DocumentBuilder) -> list[dict[str, Any]]:
    """Index rows of stored records given as their JSON text (the work of one index worker).

    The document reads neither the outcomes nor the sites beyond their city, province and
    country, and validating a CT.gov record's ~40 sites and ~15 outcomes as pydantic objects
    cost more than building its document; so the record is validated without those two lists
    and the site locations are read from the JSON (the same strings: stored records were
    validated when written).  Documents equal those built from the full Trial (tested).
    """
    rows = []
    for text in records_json:
        data = orjson.loads(text)
        sites = data.get("sites") or []
        data["sites"], data["outcomes"] = [], []
        trial = Trial.model_validate(data)
        locations = [(_text(site.get("city")), _text(site.get("province")), _text(site.get("country")))
                     for site in sites]
        rows.append(_row(builder(trial, sites=locations), trial.provenance.raw_sha256, dialect, builder.version))
    return rows


def _text(value: Any) -> str | None:
    """A stored Text's English, else Chinese (None if neither)."""
    if not isinstance(value, dict):
        return None
    return value.get("en") or value.get("zh")  # as the document builder reads a Site


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that inherit no database connection: forkserver on Linux (spawn elsewhere).

    ``concurrent.futures``: a worker that dies makes the indexing fail (BrokenProcessPool)
    instead of hanging.  As with any spawned pool, a script calling this must guard its entry
    point with ``if __name__ == "__main__":``.
    """
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["hcctrials.storage.search_index"])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),))


def _init_worker(owner_pid: int | None = None) -> None:
    # Each worker dies with the process that started it (hcctrials.storage.parent_watch), then
    # loads the lexicon and builds its jieba tokenizer once (about a second).
    from hcctrials.storage.parent_watch import watch_parent
    from hcctrials.vocab.segment import get_tokenizer

    if owner_pid is not None:
        watch_parent(owner_pid)

    get_tokenizer()


#: Below this many trials the index is built in the calling process (a worker costs ~1.5 s to start
#: and starts with cold caches).
PARALLEL_MIN_TRIALS = 20_000
#: Worker processes are used by default only with at least this many CPUs: the main process reads
#: and writes while 2 workers build documents; on 2 shared cores the parallel build was slower than
#: one process (benchmarks/search_bench.py figures in docs/search.md).
PARALLEL_MIN_CPUS = 4
_CHUNK = 250


def _workers(requested: int | None, n: int) -> int:
    if requested is not None:
        return max(1, requested)
    if n < PARALLEL_MIN_TRIALS or (os.cpu_count() or 1) < PARALLEL_MIN_CPUS:
        return 1
    return 2


def index_trials(store: Any, records: Iterable[Trial], *, builder: DocumentBuilder, batch_size: int = 500) -> int:
    """(Re-)index *records* (current versions of stored trials); returns how many."""
    engine = _engine(store)
    count = 0
    batch: list[dict[str, Any]] = []
    with write_transaction(engine) as conn:
        dialect = conn.dialect.name
        for trial in records:
            batch.append(_document_row(trial, dialect, builder))
            if len(batch) >= batch_size:
                _write(conn, batch)
                count += len(batch)
                batch = []
        if batch:
            _write(conn, batch)
            count += len(batch)
    return count


def _record_text_stmt(keys: Sequence[tuple[str, str]]) -> Any:
    """The stored JSON text of the current records *keys* (cast in SQL: no Python dict built)."""
    return (select(cast(trials.c.record, Text))
            .where(tuple_(trials.c.trial_id, trials.c.registry).in_(keys)))


def index_records_on(conn: Connection, keys: Sequence[tuple[str, str]], *, builder: DocumentBuilder) -> int:
    """Index the current records *keys* on *conn*, inside the caller's transaction (the ingest
    indexes the records a file made current before that file commits: a committed record is
    never without its document).  In this process; returns how many."""
    dialect = conn.dialect.name
    keys = list(dict.fromkeys(keys))
    for i in range(0, len(keys), _CHUNK):
        records = [r for (r,) in conn.execute(_record_text_stmt(keys[i:i + _CHUNK]))]
        if records:
            _write(conn, document_rows(records, dialect, builder), replace=True)
    return len(keys)


#: Trials indexed per write transaction by refresh/rebuild: the write lock is held for about
#: a second or two at a time, so a concurrent ingest waits that long at most, not the whole build.
TRANSACTION_TRIALS = 1_000


def _index_keys(engine: Engine, keys: list[tuple[str, str]], *, builder: DocumentBuilder, replace: bool,
                workers: int | None, recheck: bool = False) -> int:
    """Index the stored records *keys*, :data:`TRANSACTION_TRIALS` per write transaction: read in
    chunks by the main process, documents built in *workers* processes (forkserver: no DB
    connection or open file is inherited), written by the main process.  *recheck*: index only
    the keys still stale once the write lock is held (another process may have indexed them)."""
    if not keys:
        return 0
    n_workers = _workers(workers, len(keys))
    done = 0
    with ExitStack() as stack:
        pool = stack.enter_context(_pool(n_workers)) if n_workers > 1 else None
        for start in range(0, len(keys), TRANSACTION_TRIALS):
            with write_transaction(engine) as conn:
                part = keys[start:start + TRANSACTION_TRIALS]
                if recheck:
                    part = _all_keys(conn, _stale_stmt(builder.version, part))
                done += len(part)
                _index_part(conn, part, builder=builder, replace=replace, pool=pool, n_workers=n_workers)
    return done


def _index_part(conn: Connection, keys: list[tuple[str, str]], *, builder: DocumentBuilder, replace: bool,
                pool: Any, n_workers: int) -> None:
    dialect = conn.dialect.name
    chunks = [keys[i:i + _CHUNK] for i in range(0, len(keys), _CHUNK)]

    def read(chunk: Sequence[tuple[str, str]]) -> list[str]:
        return [r for (r,) in conn.execute(_record_text_stmt(chunk))]

    if pool is None:
        for chunk in chunks:
            _write(conn, document_rows(read(chunk), dialect, builder), replace=replace)
        return
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(pool.submit(document_rows, read(chunk), dialect, builder))
        if len(pending) > 2 * n_workers:  # bounded read-ahead
            _write(conn, pending.popleft().result(), replace=replace)
    while pending:
        _write(conn, pending.popleft().result(), replace=replace)


def _all_keys(conn: Connection, stmt: Any) -> list[tuple[str, str]]:
    return [(t, r) for t, r in conn.execute(stmt)]


def rebuild_search_index(store: Any, *, builder: DocumentBuilder, workers: int | None = None) -> int:
    """Drop every document and index every current trial of *store* (a TrialStore).

    *workers*: processes building documents (default: 2 when there are at least
    ``PARALLEL_MIN_TRIALS`` trials and ``PARALLEL_MIN_CPUS`` CPUs, else 1 = in this process).
    """
    engine = _engine(store)
    with write_transaction(engine) as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM search_fts"))
        conn.execute(delete(search_documents))
        keys = _all_keys(conn, select(trials.c.trial_id, trials.c.registry)
                         .order_by(trials.c.trial_id, trials.c.registry))
    return _index_keys(engine, keys, builder=builder, replace=False, workers=workers)


def _stale_stmt(version: int, keys: Sequence[tuple[str, str]] | None = None) -> Any:
    """``(trial_id, registry)`` of the current records whose document is missing or stale (raw
    hash or index version differs), optionally only among *keys*."""
    stmt = (select(trials.c.trial_id, trials.c.registry)
            .select_from(trials.outerjoin(search_documents, and_(search_documents.c.trial_id == trials.c.trial_id,
                                                                 search_documents.c.registry == trials.c.registry)))
            .where(or_(search_documents.c.trial_id.is_(None),
                       search_documents.c.raw_sha256 != trials.c.raw_sha256,
                       search_documents.c.index_version != version)))
    if keys is not None:
        stmt = stmt.where(tuple_(trials.c.trial_id, trials.c.registry).in_(list(keys)))
    return stmt.order_by(trials.c.trial_id, trials.c.registry)


def refresh_search_index(store: Any, *, builder: DocumentBuilder, workers: int | None = None) -> int:
    """Index the trials whose document is missing or stale (raw hash or index version differs).

    A writer: run it from the ingest or maintenance commands, not from a read path (a search
    reads what is indexed and asks :func:`search_index_status` whether that is stale).  Writes
    in transactions of :data:`TRANSACTION_TRIALS` trials (``BEGIN IMMEDIATE`` on SQLite).
    *workers* as for :func:`rebuild_search_index`.
    """
    engine = _engine(store)
    with engine.connect() as conn:
        keys = _all_keys(conn, _stale_stmt(builder.version))
    return _index_keys(engine, keys, builder=builder, replace=True, workers=workers, recheck=True)


@dataclass(frozen=True)
class SearchIndexStatus:
    """How current the search index is: stored records, documents, records whose document is
    missing or stale (index them with ``hcctrials db index`` or the next ``hcctrials ingest``)."""

    trials: int
    documents: int
    stale: int

    @property
    def current(self) -> bool:
        return self.stale == 0


def search_index_status(store: Any, *, index_version: int) -> SearchIndexStatus:
    """The :class:`SearchIndexStatus` of *store* (reads only: safe on any read path); documents of another
    *index_version* (the builder's, :data:`hcctrials.matching.search.INDEX_VERSION`) are stale."""
    engine = _engine(store)
    with engine.connect() as conn:
        n_trials = int(conn.execute(select(func.count()).select_from(trials)).scalar_one())
        n_docs = int(conn.execute(select(func.count()).select_from(search_documents)).scalar_one())
        stale = int(conn.execute(select(func.count()).select_from(_stale_stmt(index_version).order_by(None).subquery()))
                    .scalar_one())
    return SearchIndexStatus(n_trials, n_docs, stale)


def _filters(filters: SearchFilters, c: Any = None) -> list[Any]:
    """SQL conditions of *filters* on the columns *c* (default: those of ``search_documents``); places are
    matched as given (normalised by the caller: :func:`hcctrials.matching.search.normalise_filters`)."""
    c = search_documents.c if c is None else c
    out: list[Any] = []

    def any_listed(column: Any, values: Sequence[str]) -> Any:
        return or_(*(column.like(f"%,{v},%") for v in values))

    if filters.status:
        out.append(c.status.in_(filters.status))
    if filters.registry:
        out.append(c.registry.in_(filters.registry))
    if filters.phase:
        out.append(any_listed(c.phases, filters.phase))
    if filters.setting:
        out.append(any_listed(c.settings, filters.setting))
    if filters.drug_class:
        out.append(any_listed(c.classes, filters.drug_class))
    if filters.drug:
        out.append(any_listed(c.drugs, filters.drug))
    if filters.place:
        out.append(any_listed(c.places, [place_value(p) for p in filters.place]))
    if filters.started_after:
        out.append(c.study_start >= filters.started_after.isoformat()[:len("YYYY-MM-DD")])
    if filters.started_before:
        out.append(c.study_start <= filters.started_before.isoformat())
    return out


def _hit(row: Any, score: float) -> SearchHit:
    def split(v: str) -> tuple[str, ...]:
        return tuple(x for x in v.split(",") if x)

    return SearchHit(row.trial_id, float(score), row.title or row.trial_id, row.status, row.registry,
                     split(row.phases), split(row.settings), split(row.classes), row.study_start)


def _sqlite_joined(conn: Connection, match: str, cols: list[Any], conds: list[Any], limit: int) -> list[SearchHit]:
    """FTS5 matches with their bm25, joined to their documents by primary key, filtered, best first.

    (A top-k read inside FTS5 with ``ORDER BY bm25 LIMIT`` was tried: exact tie handling needs
    re-reads when many documents tie, and on the benchmark catalog it was slower.)
    """
    c = search_documents.c
    fts = text("SELECT rowid AS doc_id, bm25(search_fts) AS rank FROM search_fts "
               "WHERE search_fts MATCH :q").columns(doc_id=Integer(), rank=Float()).subquery("fts")
    stmt = (select(*cols, fts.c.rank).join(fts, fts.c.doc_id == c.doc_id).where(and_(true(), *conds))
            .order_by(fts.c.rank, c.trial_id).limit(limit))
    return [_hit(r, -float(r.rank)) for r in conn.execute(stmt, {"q": match})]


def search_trials(store: Any, query: SearchQuery, *, filters: SearchFilters | None = None,
                  limit: int = 50) -> list[SearchHit]:
    """Trials matching *query* (all terms) and *filters*, best first (score: higher is better)."""
    engine = _engine(store)
    conds = _filters(filters or SearchFilters())
    c = search_documents.c
    cols = [c.trial_id, c.title, c.status, c.registry, c.phases, c.settings, c.classes, c.study_start]
    with engine.connect() as conn:
        dialect = conn.dialect.name
        if not query.terms:
            stmt = select(*cols).where(and_(true(), *conds)).order_by(c.study_start.desc(), c.trial_id).limit(limit)
            return [_hit(r, 0.0) for r in conn.execute(stmt)]
        if dialect == "sqlite":
            return _sqlite_joined(conn, fts_match_expression(query), cols, conds, limit)
        q = text("CAST(:q AS tsquery)")
        rank = func.ts_rank(c.tsv, q).label("rank")
        stmt = (select(*cols, rank).where(c.tsv.op("@@")(q), *conds)
                .order_by(rank.desc(), c.trial_id).limit(limit))
        rows = conn.execute(stmt, {"q": tsquery_literal(query)})
        return [_hit(r, float(r.rank)) for r in rows]


# -- catalog pages and facet counts (the web catalog) -------------------------------------------

#: Facets whose values are stored as listed columns (``,a,b,``), counted per value of a known vocabulary.
LISTED_FACETS = {"phase": "phases", "setting": "settings", "drug_class": "classes"}


@dataclass(frozen=True)
class CatalogSelection:
    """One catalog request in storage terms: words, filters, and the two filters that are not
    columns of the documents.

    * *condition_tokens*: index tokens of the chosen conditions (any of them; the concept tokens of
      :data:`hcctrials.matching.search.CONDITION_TOKENS`), matched in the full-text index;
    * *groups* / *group*: named sets of document ids worked out by the caller (the recruiting
      state of every trial on a date, decided by :mod:`hcctrials.matching.status`) and the chosen
      names (any of them).
    """

    query: SearchQuery
    filters: SearchFilters = SearchFilters()
    condition_tokens: tuple[str, ...] = ()
    groups: tuple[tuple[str, tuple[int, ...]], ...] = ()
    group: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacetCounts:
    """Results of a selection and, per facet, ``(value, count)`` pairs: each count is the number of
    results the selection would have with that value chosen in place of the facet's own filter
    (the other filters kept): exclusive, standard faceted-search counts."""

    total: int
    counts: dict[str, list[tuple[str, int]]]


@lru_cache(maxsize=1)
def _data_version_stmt() -> Any:
    from hcctrials.storage.schema import trial_versions

    return select(select(func.count()).select_from(trials).scalar_subquery(),
                  select(func.count()).select_from(trial_versions).scalar_subquery(),
                  select(func.count()).select_from(search_documents).scalar_subquery(),
                  select(func.max(search_documents.c.doc_id)).scalar_subquery())


def search_data_version(store: Any) -> str:
    """A cheap fingerprint of what a search reads (one statement, index-only counts): records,
    stored versions, search documents and the largest document id.  Every ingest that changes a
    record adds a version row; every (re-)indexing writes new document rows.  Caches of search
    answers are keyed on it."""
    with _engine(store).connect() as conn:
        row = conn.execute(_data_version_stmt()).one()
    return ":".join(str(v) for v in row)


class DataVersionWatch:
    """Whether the database may have changed since the last look, for a cache keyed on
    :func:`search_data_version` that asks on every request.

    On a SQLite file it asks ``PRAGMA data_version`` on a connection of its own that never writes: the value
    changes when any other connection, in this process or another, has committed (SQLite docs, "PRAGMA
    data_version"); reading it starts no transaction and reads no table (a few microseconds, where the counts
    of :func:`search_data_version` take a transaction and an index scan, ~0.3 ms per request in a busy web
    worker).  Elsewhere (PostgreSQL, in-memory SQLite, whose one connection would not see its own commits) it
    always answers True, and the caller checks the fingerprint as before.  Every *recheck_seconds* it answers
    True anyway, so that a database file replaced under a running server is noticed (the watching connection
    still sees the old file).  Thread-safe."""

    def __init__(self, store: Any, recheck_seconds: float = 5.0) -> None:
        import threading

        engine = _engine(store)
        database = engine.url.database or ""
        self._watching = (engine.dialect.name == "sqlite" and database not in ("", ":memory:")
                          and "mode=memory" not in str(engine.url))
        self._engine = engine
        self._recheck = recheck_seconds
        self._lock = threading.Lock()
        self._connection: Any = None
        self._seen: Any = None
        self._checked = float("-inf")

    def may_have_changed(self, now: float) -> bool:
        """True when the data may differ from the last time this answered (*now*: ``time.monotonic()``)."""
        if not self._watching:
            return True
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._engine.raw_connection()
                value = self._connection.cursor().execute("PRAGMA data_version").fetchone()[0]
            except Exception:  # noqa: BLE001 - a broken watch must not break reads: the caller checks in full
                self._drop()
                return True
            changed = value != self._seen or now - self._checked >= self._recheck
            if changed:
                self._seen, self._checked = value, now
            return changed

    def close(self) -> None:
        """Give the watching connection back to the pool (before the engine is disposed)."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        connection, self._connection, self._seen = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                connection.close()


def document_ids(store: Any) -> dict[tuple[str, str], int]:
    """``(trial_id, registry) -> doc_id`` of every search document."""
    c = search_documents.c
    with _engine(store).connect() as conn:
        return {(t, r): int(d) for d, t, r in conn.execute(select(c.doc_id, c.trial_id, c.registry))}


def _fts_ids(dialect: str, query: SearchQuery, name: str, doc_id: Any = None) -> Any:
    """Documents matching *query* (all terms): a condition on *doc_id* (default
    ``search_documents.doc_id``)."""
    column = search_documents.c.doc_id if doc_id is None else doc_id
    if dialect == "sqlite":
        sub = text(f"SELECT rowid FROM search_fts WHERE search_fts MATCH :{name}").bindparams(
            **{name: fts_match_expression(query)}).columns(rowid=Integer())
        return column.in_(sub)
    if doc_id is None:
        return search_documents.c.tsv.op("@@")(text(f"CAST(:{name} AS tsquery)").bindparams(
            **{name: tsquery_literal(query)}))
    inner = select(search_documents.c.doc_id).where(search_documents.c.tsv.op("@@")(
        text(f"CAST(:{name} AS tsquery)").bindparams(**{name: tsquery_literal(query)})))
    return column.in_(inner)


def _any_token(tokens: Sequence[str]) -> SearchQuery:
    from hcctrials.model.search import QueryTerm

    return SearchQuery(" ".join(tokens), (QueryTerm("any", tuple((t,) for t in tokens)),))


def _ids_in(dialect: str, ids: Sequence[int], name: str, doc_id: Any = None) -> Any:
    """*doc_id* (default ``search_documents.doc_id``) among *ids*, with one bound value (a JSON array
    on SQLite, an array on PostgreSQL)."""
    column = search_documents.c.doc_id if doc_id is None else doc_id
    if dialect == "sqlite":
        sub = text(f"SELECT value FROM json_each(:{name})").bindparams(**{name: json.dumps(list(ids))}) \
            .columns(value=Integer())
        return column.in_(sub)
    from sqlalchemy import bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    return column == func.any(bindparam(name, list(ids), type_=ARRAY(Integer())))


def _selection_conditions(dialect: str, selection: CatalogSelection) -> dict[str, list[Any]]:
    """The SQL conditions of *selection* per facet they belong to (``""``: the words)."""
    f = selection.filters
    single = _filters
    out: dict[str, list[Any]] = {"": [], "status": single(SearchFilters(status=f.status)),
                                 "registry": single(SearchFilters(registry=f.registry)),
                                 "phase": single(SearchFilters(phase=f.phase)),
                                 "setting": single(SearchFilters(setting=f.setting)),
                                 "drug_class": single(SearchFilters(drug_class=f.drug_class)),
                                 "place": single(SearchFilters(place=f.place)),
                                 "year": single(SearchFilters(started_after=f.started_after,
                                                              started_before=f.started_before)),
                                 "drug": single(SearchFilters(drug=f.drug)), "condition": [], "group": []}
    if selection.query.terms:
        out[""].append(_fts_ids(dialect, selection.query, "q_words"))
    if selection.condition_tokens:
        out["condition"].append(_fts_ids(dialect, _any_token(selection.condition_tokens), "q_condition"))
    if selection.group:
        chosen = sorted({i for name, ids in selection.groups if name in selection.group for i in ids})
        out["group"].append(_ids_in(dialect, chosen, "chosen_ids"))
    return out


def search_catalog_page(store: Any, selection: CatalogSelection, *, limit: int, offset: int = 0
                        ) -> tuple[int, list[SearchHit]]:
    """``(number of results, the results offset..offset+limit)`` of *selection*, best first (the order
    of :func:`search_trials`: rank, then trial id; without words, newest start first).  Only that
    page of documents is read."""
    engine = _engine(store)
    c = search_documents.c
    cols = [c.trial_id, c.title, c.status, c.registry, c.phases, c.settings, c.classes, c.study_start]
    with engine.connect() as conn:
        dialect = conn.dialect.name
        per = _selection_conditions(dialect, selection)
        filters = [cond for name, conds in per.items() if name for cond in conds]
        total = int(conn.execute(select(func.count()).select_from(search_documents)
                                 .where(and_(true(), *per[""], *filters))).scalar_one())
        if total == 0 or offset >= total:
            return total, []
        if not selection.query.terms:
            stmt = (select(*cols).where(and_(true(), *filters)).order_by(c.study_start.desc(), c.trial_id)
                    .limit(limit).offset(offset))
            return total, [_hit(r, 0.0) for r in conn.execute(stmt)]
        if dialect == "sqlite":
            fts = text("SELECT rowid AS doc_id, bm25(search_fts) AS rank FROM search_fts "
                       "WHERE search_fts MATCH :q").columns(doc_id=Integer(), rank=Float()).subquery("fts")
            stmt = (select(*cols, fts.c.rank).join(fts, fts.c.doc_id == c.doc_id).where(and_(true(), *filters))
                    .order_by(fts.c.rank, c.trial_id).limit(limit).offset(offset))
            rows = conn.execute(stmt, {"q": fts_match_expression(selection.query)})
            return total, [_hit(r, -float(r.rank)) for r in rows]
        q = text("CAST(:q AS tsquery)")
        rank = func.ts_rank(c.tsv, q).label("rank")
        stmt = (select(*cols, rank).where(c.tsv.op("@@")(q), *filters)
                .order_by(rank.desc(), c.trial_id).limit(limit).offset(offset))
        rows = conn.execute(stmt, {"q": tsquery_literal(selection.query)})
        return total, [_hit(r, float(r.rank)) for r in rows]


def search_facets(store: Any, selection: CatalogSelection, *, conditions: Mapping[str, str],
                  places: int = 30) -> FacetCounts:
    """Counts per facet value of *selection*, exclusive per facet (:class:`FacetCounts`), computed in
    SQL: ``GROUP BY`` for status, registry, start year and the listed columns (phases, settings,
    classes, places; each distinct list's count is added to each of its values), one count per
    condition concept (*conditions*: value -> index token) and per group of the caller.

    One statement per distinct set of filters (:func:`_facet_pass`): all facets without a filter of their own share
    the full selection's pass; a facet with a chosen value gets a pass without its own filter.
    Years newest first; places the *places* most frequent; other facets by count, then value.
    """
    engine = _engine(store)
    names = ["condition", "status", "phase", "registry", "setting", "drug_class", "year", "place"]
    if selection.groups:
        names.append("group")
    counts: dict[str, list[tuple[str, int]]] = {}
    with engine.connect() as conn:
        dialect = conn.dialect.name
        per = _selection_conditions(dialect, selection)
        own = {name: per[name] for name in names}
        passes: dict[str | None, list[str]] = {}  # facet whose filter is left out (None: none) -> facets
        for name in names:
            passes.setdefault(name if own[name] else None, []).append(name)
        total = 0
        for excluded, facets in passes.items():
            where = and_(true(), *(cond for name, conds in per.items() if name != excluded for cond in conds))
            n, found = _facet_pass(conn, dialect, where, facets, conditions=conditions, groups=selection.groups)
            counts.update(found)
            if excluded is None:
                total = n
        if None not in passes:  # every facet has a filter: the total is that of the whole selection
            where = and_(true(), *(cond for conds in per.values() for cond in conds))
            total = int(conn.execute(select(func.count()).select_from(search_documents).where(where)).scalar_one())
    return FacetCounts(total, _facet_lists(names, counts, places))


def _facet_lists(names: Sequence[str], counts: Mapping[str, list[tuple[str, int]]], places: int
                 ) -> dict[str, list[tuple[str, int]]]:
    """The ``(value, count)`` pairs shown per facet: counts above 0, years newest first, places the
    *places* most frequent, other facets by count, then value."""
    out: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        pairs = [(v, n) for v, n in counts.get(name, []) if n > 0]
        if name == "year":
            out[name] = sorted(pairs, reverse=True)
        elif name == "place":
            out[name] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))[:places]
        else:
            out[name] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
    return out


def _facet_pass(conn: Connection, dialect: str, where: Any, facets: list[str], *, conditions: Mapping[str, str],
                groups: Sequence[tuple[str, Sequence[int]]]) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """Counts of *facets* over the documents matching *where*: (number of documents, counts), in one
    statement.  The matching documents' facet columns are read once (the CTE ``hits``, referenced
    several times, so materialised by SQLite and PostgreSQL): the wide rows (tokens) are scanned
    once (a recursive split of the listed columns into one row per value was 4 times slower).  Every
    column is a ``GROUP BY``; for the listed columns (``,a,b,``) that gives the count of each distinct
    list (a few dozen), whose values are then added up here; the condition concepts and the caller's
    groups are counted per value."""
    c = search_documents.c
    hits = select(c.doc_id, c.status, c.registry, c.phases, c.settings, c.classes, c.places,
                  func.substr(c.study_start, 1, 4).label("year")).where(where).cte("hits")
    h = hits.c

    def name(value: str) -> Any:
        return cast(literal(value), Text)

    parts: list[Any] = [select(name(""), name(""), func.count()).select_from(hits)]  # the number of documents
    listed = {facet: getattr(h, column) for facet, column in LISTED_FACETS.items() if facet in facets}
    if "place" in facets:
        listed["place"] = h.places
    for facet, column in listed.items():  # per distinct list (",a,b,": few), split below
        parts.append(select(name(facet), column, func.count()).group_by(column))
    for facet, column in (("status", h.status), ("registry", h.registry), ("year", h.year)):
        if facet in facets:
            parts.append(select(name(facet), column, func.count()).where(column.is_not(None)).group_by(column))
    if "condition" in facets:
        for k, (value, token) in enumerate(conditions.items()):
            parts.append(select(name("condition"), name(value), func.count())
                         .where(_fts_ids(dialect, _any_token([token]), f"q_con{k}", h.doc_id)))
    if "group" in facets:
        for k, (value, ids) in enumerate(groups):
            parts.append(select(name("group"), name(value), func.count())
                         .where(_ids_in(dialect, ids, f"g_ids{k}", h.doc_id)))
    found: dict[str, Counter[str]] = {}
    total = 0
    for facet, value, n in conn.execute(union_all(*parts)):
        if facet == "":
            total = int(n)
        elif facet in listed:  # a list of values: each of its (distinct) values counts n documents
            found.setdefault(facet, Counter()).update({v: int(n) for v in str(value or "").split(",") if v})
        elif value:
            found.setdefault(str(facet), Counter())[str(value)] += int(n)
    return total, {facet: list(counter.items()) for facet, counter in found.items()}


def record_fields(store: Any, fields: Sequence[str], keys: Sequence[tuple[str, str]] | None = None
                  ) -> list[dict[str, Any]]:
    """Top-level *fields* of the current records *keys* (default: every record) as dicts with
    ``trial_id`` and ``registry``, extracted in SQL (JSON path on SQLite, ``->`` on PostgreSQL) so
    that a ~25 kB record is neither sent nor parsed whole.  Absent fields are left out."""
    engine = _engine(store)
    t = trials.c
    columns = [t.record[name].label(f"f{i}") for i, name in enumerate(fields)]
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        chunks: list[Sequence[tuple[str, str]] | None] = (
            [None] if keys is None else [keys[i:i + 500] for i in range(0, len(keys), 500)])
        for chunk in chunks:
            stmt = select(t.trial_id, t.registry, *columns)
            wanted = None if chunk is None else set(chunk)
            if chunk is not None:  # (trial_id IN ...: the primary key's index; a row-value IN scanned the table)
                stmt = stmt.where(t.trial_id.in_(sorted({k[0] for k in chunk})))
            for row in conn.execute(stmt):
                if wanted is not None and (row[0], row[1]) not in wanted:
                    continue
                data: dict[str, Any] = {"trial_id": row[0], "registry": row[1]}
                for name, value in zip(fields, row[2:]):
                    if value is not None:
                        data[name] = value
                out.append(data)
    return out


# -- the catalog's facet columns in memory (counts and pages of the web catalog) ----------------

#: The column each filter of :class:`~hcctrials.model.search.SearchFilters` reads (``year``: both
#: dates of the start-year filter), keyed by the facet it belongs to.
_FILTER_COLUMNS = {"status": "status", "registry": "registry", "phase": "phases", "setting": "settings",
                   "drug_class": "classes", "place": "places", "drug": "drugs", "year": "study_start"}
#: Facets counted per value of a listed column (``,a,b,``).
_LISTED_COUNTS = {**LISTED_FACETS, "place": "places"}
#: Facets counted per value of a column (``year``: the first four characters of ``study_start``).
_PLAIN_COUNTS = {"status": "status", "registry": "registry", "year": "year"}
#: Documents of the word matches kept (12 bytes each: ~5 MB at most), a match counted as 1,000 at least
#: (at most 400 matches kept, however few documents each finds).
_CACHED_MATCH_POSITIONS = 400_000
_CACHED_FILTERS = 512
_CACHED_MASKS = 64  # one byte a document each
_NO_FILTERS = SearchFilters()


@dataclass(frozen=True)
class _Column:
    """One column of every document, factorised: *codes[row]* indexes *values* (None: NULL)."""

    codes: Any  # numpy int32 array, one per document
    values: tuple[str | None, ...]

    @classmethod
    def of(cls, column: Sequence[str | None]) -> _Column:
        import numpy as np

        index: dict[str | None, int] = {}
        codes = np.fromiter((index.setdefault(v, len(index)) for v in column), dtype=np.int32, count=len(column))
        return cls(codes, tuple(index))


@dataclass(frozen=True)
class _WordMatch:
    """The documents matching a full-text query, in page order (rank, then trial id), with their scores."""

    rows: Any  # numpy int array of document rows
    scores: Any  # numpy float array: the hit score (higher is better), as the SQL pages give it


class _Kept:
    """Answers kept by key, least recently used dropped beyond *budget* (the sum of *weight* of the
    kept answers); a missing answer is computed by one thread while the others asking for the same key
    wait for it (the first requests after a start or an ingest often ask the same)."""

    def __init__(self, budget: int, weight: Callable[[Any], int] = lambda _: 1) -> None:
        import threading

        self.budget = budget
        self.weight = weight
        self.used = 0
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._busy: dict[Any, Any] = {}

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        import threading

        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:
            with self._lock:
                found = self._data.get(key)
            if found is not None:
                return found
            try:
                found = compute()
            finally:
                with self._lock:
                    self._busy.pop(key, None)
            with self._lock:
                if key not in self._data:
                    self._data[key] = found
                    self.used += self.weight(found)
                while self.used > self.budget and len(self._data) > 1:
                    _, old = self._data.popitem(last=False)
                    self.used -= self.weight(old)
        return found


class CatalogIndex:
    """The facet columns of every search document in memory (one per process and data version), so that
    a catalog request's counts and page cost a few array operations instead of SQL passes over the
    documents; answers equal :func:`search_facets` and :func:`search_catalog_page` (tested on SQLite
    and PostgreSQL) because every decision about text stays with the database:

    * a filter is the set of a column's *distinct* values that satisfy its SQL condition (:func:`_filters`
      over those values, asked once per filter and kept): ``LIKE``, collations and dates compare as in SQL;
    * words and conditions are the database's full-text matches (ids and rank, kept per query: faceted
      browsing changes filters far more often than words);
    * the orders (start date newest first, trial id) are read from the database's own ``ORDER BY``;
    * the page's documents are read by id.

    Counts are exclusive per facet (:class:`FacetCounts`).  Memory at 10,000 documents: ~0.6 MB of
    columns plus at most :data:`_CACHED_MATCH_POSITIONS` cached match positions.  Thread-safe.
    Hand-written: the counting is a few NumPy masks and ``bincount`` calls; what it replaces is SQL
    that re-scans the wide document rows once per facet pass.
    """

    def __init__(self, *, version: str, dialect: str, doc_ids: Any, columns: dict[str, _Column],
                 by_start: Any, trial_rank: Any) -> None:
        import threading

        self.version = version
        self.dialect = dialect
        self.doc_ids = doc_ids  # sorted
        self.columns = columns
        self.by_start = by_start  # rows in the order of the pages without words
        self.trial_rank = trial_rank  # per row, its place in the database's trial id order
        self._splits = {name: [tuple(dict.fromkeys(v for v in (value or "").split(",") if v))
                               for value in columns[col].values] for name, col in _LISTED_COUNTS.items()}
        self._lock = threading.Lock()
        self._matches = _Kept(_CACHED_MATCH_POSITIONS, lambda match: max(1_000, len(match.rows)))
        self._filter_ok = _Kept(_CACHED_FILTERS)
        self._match_masks = _Kept(_CACHED_MASKS)
        self._groups: tuple[Any, dict[str, Any]] | None = None

    @property
    def size(self) -> int:
        return len(self.doc_ids)

    @classmethod
    def load(cls, store: Any, *, attempts: int = 3) -> CatalogIndex:
        """Read the facet columns of *store*'s documents in one statement (one consistent read), in the
        order of the pages without words (start date newest first, then trial id) with each document's
        place in trial id order, both as the database sorts.  :attr:`version` is
        :func:`search_data_version`, the same before and after the read (re-read up to *attempts* times
        if an ingest changed the data meanwhile; else ``""``, which no data version equals)."""
        import numpy as np

        c = search_documents.c
        names = ["registry", "status", "phases", "settings", "classes", "drugs", "places", "study_start"]
        stmt = (select(c.doc_id, *(getattr(c, n) for n in names), func.substr(c.study_start, 1, 4),
                       func.row_number().over(order_by=c.trial_id))
                .order_by(c.study_start.desc(), c.trial_id))
        version = ""
        with _engine(store).connect() as conn:
            dialect = conn.dialect.name
            for _attempt in range(attempts):
                before = ":".join(str(v) for v in conn.execute(_data_version_stmt()).one())
                rows = conn.execute(stmt).all()
                if before == ":".join(str(v) for v in conn.execute(_data_version_stmt()).one()):
                    version = before
                    break
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        by_id = np.argsort(ids, kind="stable")  # rows are kept in document id order: row r is rows[by_id[r]]
        by_start = np.empty(len(rows), dtype=np.int64)  # the row of each document in page order
        by_start[by_id] = np.arange(len(rows))
        ordered = [rows[i] for i in by_id.tolist()]
        columns = {name: _Column.of([r[i] for r in ordered]) for i, name in enumerate([*names, "year"], start=1)}
        trial_rank = np.array([r[-1] for r in ordered], dtype=np.int64)
        return cls(version=version, dialect=dialect, doc_ids=ids[by_id], columns=columns,
                   by_start=by_start, trial_rank=trial_rank)

    # -- pieces, each kept once asked ------------------------------------------------------------
    def _rows_of(self, ids: Sequence[int]) -> Any:
        """Rows of the documents *ids* (ids not loaded are left out)."""
        import numpy as np

        ids_array = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self.doc_ids, ids_array)
        rows[rows >= len(self.doc_ids)] = 0
        return rows[self.doc_ids[rows] == ids_array] if len(self.doc_ids) else rows[:0]

    def _match(self, store: Any, query: SearchQuery) -> _WordMatch:
        """The documents matching *query* in page order (the database's rank, then trial id)."""
        key = fts_match_expression(query) if self.dialect == "sqlite" else tsquery_literal(query)
        found: _WordMatch = self._matches.get(key, lambda: self._read_match(store, key))
        return found

    def _read_match(self, store: Any, key: str) -> _WordMatch:
        import numpy as np

        if self.dialect == "sqlite":
            stmt = text("SELECT rowid, bm25(search_fts) FROM search_fts WHERE search_fts MATCH :q")
        else:
            stmt = text("SELECT doc_id, ts_rank(tsv, CAST(:q AS tsquery)) FROM search_documents "
                        "WHERE tsv @@ CAST(:q AS tsquery)")
        with _engine(store).connect() as conn:
            pairs = conn.execute(stmt, {"q": key}).all()
        ids = np.array([p[0] for p in pairs], dtype=np.int64)
        ranks = np.array([float(p[1]) for p in pairs], dtype=np.float64)
        rows = np.searchsorted(self.doc_ids, ids)
        rows[rows >= len(self.doc_ids)] = 0
        keep = self.doc_ids[rows] == ids if len(self.doc_ids) else np.zeros(len(ids), dtype=bool)
        rows, ranks = rows[keep], ranks[keep]
        # SQLite: bm25 ascending (better is lower), score -bm25; PostgreSQL: ts_rank descending
        primary = ranks if self.dialect == "sqlite" else -ranks
        order = np.lexsort((self.trial_rank[rows], primary))
        return _WordMatch(rows[order].astype(np.int32), (-ranks if self.dialect == "sqlite" else ranks)[order])

    def _match_mask(self, store: Any, query: SearchQuery) -> Any:
        """The rows matching *query* as a mask (the last :data:`_CACHED_MASKS` kept: the condition concepts
        are counted on every request)."""
        def build() -> Any:
            import numpy as np

            mask = np.zeros(self.size, dtype=bool)
            mask[self._match(store, query).rows] = True
            mask.flags.writeable = False  # shared by the requests
            return mask

        return self._match_masks.get(query, build)

    def _filter_mask(self, store: Any, facet: str, filters: SearchFilters) -> Any:
        """Rows passing *filters* (those of one facet): the distinct values of its column that satisfy
        the SQL condition, asked of the database once per filter."""
        column = self.columns[_FILTER_COLUMNS[facet]]

        def read() -> Any:  # the conditions of _filters on a one-column table of the column's distinct values
            import numpy as np
            from sqlalchemy import column as named

            name = _FILTER_COLUMNS[facet]
            known = [v for v in column.values if v is not None]
            if self.dialect == "sqlite":
                rows = text(f"SELECT value AS {name} FROM json_each(:known)").bindparams(known=json.dumps(known))
            else:
                rows = text(f"SELECT unnest(CAST(:known AS text[])) AS {name}").bindparams(known=known)
            table = rows.columns(named(name, Text)).subquery("known_values")
            with _engine(store).connect() as conn:
                passing = {v for (v,) in conn.execute(select(table.c[name]).where(and_(true(),
                                                                                       *_filters(filters, table.c))))}
            return np.array([v is not None and v in passing for v in column.values], dtype=bool)

        return self._filter_ok.get((facet, filters), read)[column.codes]

    def _group_masks(self, groups: tuple[tuple[str, tuple[int, ...]], ...]) -> dict[str, Any]:
        """Rows per group of the caller (kept for the last *groups* object handed in)."""
        import numpy as np

        with self._lock:
            seen = self._groups
        if seen is not None and seen[0] is groups:
            return seen[1]
        masks = {}
        for name, ids in groups:
            mask = np.zeros(self.size, dtype=bool)
            mask[self._rows_of(ids)] = True
            mask.flags.writeable = False  # shared by the requests
            masks[name] = mask
        with self._lock:
            self._groups = (groups, masks)
        return masks

    def _masks(self, store: Any, selection: CatalogSelection) -> dict[str, Any]:
        """Per facet (``""``: the words), the rows its part of *selection* keeps (facets without a
        filter left out); as :func:`_selection_conditions`."""
        f = selection.filters
        out: dict[str, Any] = {}
        if selection.query.terms:
            out[""] = self._match_mask(store, selection.query)
        single = {"status": SearchFilters(status=f.status), "registry": SearchFilters(registry=f.registry),
                  "phase": SearchFilters(phase=f.phase), "setting": SearchFilters(setting=f.setting),
                  "drug_class": SearchFilters(drug_class=f.drug_class), "place": SearchFilters(place=f.place),
                  "year": SearchFilters(started_after=f.started_after, started_before=f.started_before),
                  "drug": SearchFilters(drug=f.drug)}
        for facet, filters in single.items():
            if filters != _NO_FILTERS:
                out[facet] = self._filter_mask(store, facet, filters)
        if selection.condition_tokens:
            out["condition"] = self._match_mask(store, _any_token(selection.condition_tokens))
        if selection.group:
            import numpy as np

            masks = self._group_masks(selection.groups)
            chosen = np.zeros(self.size, dtype=bool)
            for name in selection.group:
                if name in masks:
                    chosen |= masks[name]
            out["group"] = chosen
        return out

    def _all(self, masks: Mapping[str, Any], *, but: str | None = None) -> Any:
        import numpy as np

        out = np.ones(self.size, dtype=bool)
        for name, mask in masks.items():
            if name != but:
                out &= mask
        return out

    # -- answers ---------------------------------------------------------------------------------
    def facets(self, store: Any, selection: CatalogSelection, *, conditions: Mapping[str, str],
               places: int = 30) -> FacetCounts:
        """:func:`search_facets` of *selection* (the same counts and order), from the columns in memory."""
        import numpy as np

        names = ["condition", "status", "phase", "registry", "setting", "drug_class", "year", "place"]
        if selection.groups:
            names.append("group")
        masks = self._masks(store, selection)
        full = self._all(masks)
        counts: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            base = self._all(masks, but=name) if name in masks else full
            found: Counter[str] = Counter()
            if name in _LISTED_COUNTS or name in _PLAIN_COUNTS:
                column = self.columns[_LISTED_COUNTS.get(name) or _PLAIN_COUNTS[name]]
                per_code = np.bincount(column.codes[base], minlength=len(column.values))
                for code in np.flatnonzero(per_code).tolist():
                    n = int(per_code[code])
                    if name in _LISTED_COUNTS:
                        for value in self._splits[name][code]:
                            found[value] += n
                    elif column.values[code]:
                        found[str(column.values[code])] += n
            elif name == "condition":
                for value, token in conditions.items():
                    found[value] += int(np.count_nonzero(base & self._match_mask(store, _any_token([token]))))
            else:  # the caller's groups
                group_masks = self._group_masks(selection.groups)
                for value, _ids in selection.groups:
                    found[value] += int(np.count_nonzero(base & group_masks[value]))
            counts[name] = list(found.items())
        return FacetCounts(int(np.count_nonzero(full)), _facet_lists(names, counts, places))

    def page(self, store: Any, selection: CatalogSelection, *, limit: int, offset: int = 0
             ) -> tuple[int, list[SearchHit]]:
        """:func:`search_catalog_page` of *selection* (the same total, order and hits)."""
        import numpy as np

        masks = self._masks(store, selection)
        full = self._all(masks)
        total = int(np.count_nonzero(full))
        if total == 0 or offset >= total:
            return total, []
        if selection.query.terms:
            match = self._match(store, selection.query)
            keep = full[match.rows]
            rows = match.rows[keep][offset:offset + limit]
            scores = match.scores[keep][offset:offset + limit].tolist()
        else:
            rows = self.by_start[full[self.by_start]][offset:offset + limit]
            scores = [0.0] * len(rows)
        ids = self.doc_ids[rows].tolist()
        if self.dialect == "sqlite":
            stmt = text("SELECT doc_id, trial_id, title, status, registry, phases, settings, classes, study_start "
                        "FROM search_documents WHERE doc_id IN (SELECT value FROM json_each(:ids))")
            params: dict[str, Any] = {"ids": json.dumps(ids)}
        else:
            stmt = text("SELECT doc_id, trial_id, title, status, registry, phases, settings, classes, study_start "
                        "FROM search_documents WHERE doc_id = ANY(:ids)")
            params = {"ids": ids}
        with _engine(store).connect() as conn:
            by_id = {r.doc_id: r for r in conn.execute(stmt, params)}
        return total, [_hit(by_id[d], s) for d, s in zip(ids, scores) if d in by_id]
