"""Ingest registry files: files -> parsers -> storage, with a summary.

Transactions (what "nothing half-written" means here):

* Each **file** is written in one database transaction, committed only when the parser has
  read the whole file.  A file-level :class:`~hcctrials.errors.ParseError` (truncated JSON,
  unrecognised format ...) or any other error while reading it rolls the transaction back:
  nothing of that file is stored and the file is reported as one failure.  Records are still
  streamed: they are written in batches as they arrive (the uncommitted rows wait in the
  database's journal, not in memory), so a 100,000-study download needs little memory.
* Inside the file, each **batch** (``batch_size`` records) is one SAVEPOINT; if the database
  rejects the batch, each record is retried in its own SAVEPOINT so a bad record fails alone
  (see :mod:`hcctrials.storage.writer`).
* A record the parser could not read (:class:`~hcctrials.sources.base.RecordFailure`) is
  reported with file, locator, record id, field and reason; the other records still ingest.

The run and its failures are logged in ``ingest_runs`` / ``ingest_failures``.

Concurrency and faults (docs/storage.md, "Concurrency"): each file's transaction takes the
write lock up front (SQLite ``BEGIN IMMEDIATE``), so concurrent ingests queue instead of failing;
with ``search_index=True`` the records a file makes current are indexed in that file's
transaction (searches never see a committed record without its document); worker processes die
with the ingest (:mod:`hcctrials.storage.parent_watch`); runs left ``running`` by a killed ingest
are marked ``abandoned`` by the next one; a new version that lost most of the current one's
content is held back unless ``accept_shrink`` (:mod:`hcctrials.storage.writer`).

Parallel parsing (large CT.gov download arrays): a file of at least :data:`PARALLEL_MIN_BYTES`
that is a one-study-per-line API v2 JSON array (the website download) is split into lines in
this process (only byte offsets: the file is memory-mapped and only line ends are looked at)
and read, parsed, normalised and serialised in worker processes (``forkserver`` start
method: workers never inherit the database connection), while this process only runs SQL.
Chunks are handled in file order, at most a few chunks are in flight (bounded memory), and the
file is still one transaction.  If any line does not fit the one-study-per-line layout or is
not valid JSON, that transaction is rolled back and the file is ingested again by the ordinary
streaming parser, so its records and errors (e.g. "the JSON is truncated at line ...") are
exactly those of the single-process path.  Smaller download arrays (and any with ``workers=0``)
take the same fast path in this process (:data:`INLINE_FAST_PATH`); other formats use the
parser's validating path.

Bulk-load mode: an ingest of at least :data:`BULK_MIN_BYTES` runs its file transactions inside
:meth:`~hcctrials.storage.repository.TrialStore.bulk_load` (SQLite: a rollback journal instead
of WAL, so new pages are written once; each file is still one transaction).
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import orjson

from hcctrials.errors import HcctrialsError, StorageError
from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord, RecordFailure, SourceParser, file_fetched_at
from hcctrials.sources.ctgov.api_json import (
    ApiV2JsonParser,
    LineLayoutError,
    array_layout,
    iter_array_spans,
    mapped_file,
    parse_study_for_storage,
)
from hcctrials.sources.detect import detect_parser, iter_input_files, parse_path
from hcctrials.storage.repository import FileWriter, StoredFailure, TrialStore
from hcctrials.storage.writer import PreparedRecord, SaveOutcome, prepare_record_data

__all__ = [
    "IngestSummary",
    "IngestFailure",
    "IngestEvent",
    "ingest_paths",
    "collect_input_files",
    "example_records_dir",
    "PARALLEL_MIN_BYTES",
    "BULK_MIN_BYTES",
]

#: CT.gov download arrays at least this large are parsed in worker processes.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
#: An ingest of at least this many bytes runs in the store's bulk-load mode (SQLite: a rollback
#: journal instead of WAL, so the data are written once; see TrialStore.bulk_load).
BULK_MIN_BYTES = 64 * 1024 * 1024
_CHUNK = 50  # studies per task sent to a worker


#: A record (or a whole file, ``locator`` None) that was not ingested, and why; the same
#: record the storage keeps in ``ingest_failures``.
IngestFailure = StoredFailure


@dataclass
class IngestSummary:
    """What an ingest did: counts per outcome and every failure."""

    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    held: int = 0
    failed: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    files: int = 0
    run_id: int | None = None
    #: (trial id, version) of every new version held back by the shrink guard (not current)
    held_versions: list[tuple[str, int | None]] = field(default_factory=list)
    #: ingest runs found abandoned (their process died) and closed by this one
    abandoned_runs: list[int] = field(default_factory=list)
    #: records (re-)indexed for search by this ingest, including stale ones left by others
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def records(self) -> int:
        return self.ingested + self.updated + self.unchanged + self.older + self.held + self.failed

    def counts(self) -> dict[str, int]:
        return {"ingested": self.ingested, "updated": self.updated, "unchanged": self.unchanged,
                "older": self.older, "held": self.held, "failed": self.failed, "files": self.files}

    def _add(self, outcomes: Iterable[SaveOutcome], file: str, locators: dict[int, str | None]) -> None:
        for i, outcome in enumerate(outcomes):
            if outcome.status == "failed":
                self._fail(IngestFailure(file=file, message=outcome.error or "not stored",
                                         locator=locators.get(i), record_id=outcome.trial_id, field=outcome.field))
            else:
                setattr(self, outcome.status, getattr(self, outcome.status) + 1)
                if outcome.status == "held":
                    self.held_versions.append((outcome.trial_id, outcome.version))

    def _merge(self, local: IngestSummary) -> None:
        """Add the outcomes of one committed file."""
        for name in ("ingested", "updated", "unchanged", "older", "held"):
            setattr(self, name, getattr(self, name) + getattr(local, name))
        self.held_versions.extend(local.held_versions)
        self.indexed += local.indexed

    def _fail(self, failure: IngestFailure) -> None:
        self.failed += 1
        self.failures.append(failure)


@dataclass(frozen=True)
class IngestEvent:
    """Progress report: a file starts, a batch of records was handled, a file is done."""

    kind: Literal["file_start", "records", "file_done"]
    file: Path
    file_index: int
    file_count: int
    records: int = 0


ProgressCallback = Callable[[IngestEvent], None]


def collect_input_files(paths: Sequence[Path]) -> list[Path]:
    """Every file to ingest under *paths* (in order, duplicates dropped); ParseError if a path is missing."""
    files: dict[Path, None] = {}
    for path in paths:
        for file in iter_input_files(Path(path)):
            files.setdefault(file, None)
    return list(files)


@contextmanager
def example_records_dir() -> Iterator[Path]:
    """The example records bundled in ``hcctrials/datasets/registry`` as a real folder."""
    with resources.as_file(resources.files("hcctrials.datasets") / "registry") as folder:
        yield Path(folder)


def _failure_from_error(file: str, error: HcctrialsError, locator: str | None = None,
                        record_id: str | None = None) -> IngestFailure:
    message = error.message + (f". {error.hint}" if error.hint else "")
    if error.value is not None:
        message += f" (value: {error.value!r})"[:200]
    return IngestFailure(file=file, message=message, locator=locator,
                         record_id=record_id or error.record, field=error.field)


@dataclass(frozen=True)
class _Options:
    """What every file's transaction does besides storing: index for search, accept shrinking."""

    search_index: bool = False
    accept_shrink: bool = False


def _key(item: Trial | PreparedRecord) -> tuple[str, str]:
    return (item.trial_id, item.registry.value if isinstance(item, Trial) else item.registry)


def _save(writer: FileWriter, batch: Sequence[Trial | PreparedRecord], local: IngestSummary, file: str,
          locators: dict[int, str | None], current: dict[tuple[str, str], None]) -> None:
    """Save *batch*; remember the records it made current (indexed before the file commits)."""
    outcomes = writer.save_batch(batch)
    local._add(outcomes, file, locators)
    for item, outcome in zip(batch, outcomes):
        if outcome.status in ("ingested", "updated"):
            current[_key(item)] = None


def _index_current(writer: FileWriter, current: dict[tuple[str, str], None], local: IngestSummary,
                   options: _Options) -> None:
    """Index the records this file made current, in its transaction (a committed record is
    never without its search document)."""
    if options.search_index and current:
        from hcctrials.matching.search import SEARCH_DOCUMENTS
        from hcctrials.storage.search_index import index_records_on

        local.indexed += index_records_on(writer.conn, list(current), builder=SEARCH_DOCUMENTS)


def _ingest_file(store: TrialStore, path: Path, summary: IngestSummary, *, index: int, count: int,
                 parsers: Sequence[SourceParser] | None, batch_size: int,
                 progress: ProgressCallback | None, options: _Options = _Options()) -> None:
    file = str(path)
    record_failures: list[IngestFailure] = []
    local = IngestSummary()
    batch: list[Trial] = []
    current: dict[tuple[str, str], None] = {}
    with store.file_transaction(accept_shrink=options.accept_shrink) as writer:
        def flush() -> None:
            locators = {i: t.provenance.record_locator for i, t in enumerate(batch)}
            _save(writer, batch, local, file, locators, current)
            if progress:
                progress(IngestEvent("records", path, index, count, len(batch)))
            batch.clear()

        for result in parse_path(path, parsers=parsers):
            if isinstance(result, ParsedRecord):
                batch.append(result.trial)
                if len(batch) >= batch_size:
                    flush()
            elif isinstance(result, RecordFailure):
                record_failures.append(_failure_from_error(
                    result.file or file, result.error, result.locator, result.record_id))
                if progress:
                    progress(IngestEvent("records", path, index, count, 1))
        if batch:
            flush()
        _index_current(writer, current, local, options)
    # committed: only now do this file's outcomes count
    summary._merge(local)
    for failure in [*record_failures, *local.failures]:
        summary._fail(failure)


class _Fallback(Exception):
    """The file is not one study per line after all: ingest it with the streaming parser."""


def _prepare_chunk(file: str, start: int, spans: list[tuple[int, int]]
                   ) -> tuple[list[PreparedRecord | IngestFailure], bool]:
    """Worker: parse the studies at byte *spans* of *file* (from
    :func:`~hcctrials.sources.ctgov.api_json.iter_array_spans`, numbered from *start*) into
    prepared records.  The worker reads the bytes itself, so only offsets cross the pipe.

    Returns the results so far and False at the first study that is not valid JSON.
    """
    out: list[PreparedRecord | IngestFailure] = []
    fd = os.open(file, os.O_RDONLY)
    try:
        fetched_at = file_fetched_at(fd)
        for offset, (a, b) in enumerate(spans):
            try:
                study = orjson.loads(os.pread(fd, b - a, a))
            except orjson.JSONDecodeError:
                return out, False
            result = parse_study_for_storage(study, file=file, index=start + offset, fetched_at=fetched_at)
            if isinstance(result, RecordFailure):
                out.append(_failure_from_error(result.file or file, result.error, result.locator, result.record_id))
            else:
                out.append(prepare_record_data(result[0], result[1]))
    finally:
        os.close(fd)
    return out, True


def _parallel_eligible(path: Path, parsers: Sequence[SourceParser] | None) -> bool:
    try:
        if path.stat().st_size < PARALLEL_MIN_BYTES:
            return False
        return _array_file(path, parsers)
    except OSError:
        return False  # the ordinary path reports it


def _array_file(path: Path, parsers: Sequence[SourceParser] | None) -> bool:
    """A CT.gov API v2 array (website download, ``hcctrials fetch ctgov`` page): the fast path applies."""
    try:
        return isinstance(detect_parser(path, parsers=parsers), ApiV2JsonParser) and array_layout(path)
    except (HcctrialsError, OSError):
        return False  # the ordinary path reports it


#: CT.gov arrays too small for the worker processes are still read by the storage fast path, in
#: this process (the same code and fallback, run inline); tests switch it off to compare with
#: the pydantic-validating parser.
INLINE_FAST_PATH = True


class _InlinePool:
    """The ``submit`` of an executor, run at once in this process (for small CT.gov arrays)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


def _worker_start(owner_pid: int | None = None) -> None:
    """In each worker: die with the ingest process (*owner_pid*, see
    :mod:`hcctrials.storage.parent_watch`), load the drug lexicon once, then move everything
    loaded so far (modules, pydantic schemas, lexicon) out of the garbage collector's way
    (``gc.freeze``): the collections triggered by the thousands of objects a study allocates
    scan only new ones."""
    import gc

    if owner_pid is not None:
        from hcctrials.storage.parent_watch import watch_parent

        watch_parent(owner_pid)

    from hcctrials.sources.ctgov.common import vocabulary_finding

    vocabulary_finding()  # loads the lexicon
    gc.collect()
    gc.freeze()


class _WorkerPool:
    """A lazily started process pool (forkserver on Linux: no inherited database connections).

    ``concurrent.futures`` rather than ``multiprocessing.Pool``: a worker that dies (killed,
    out of memory) makes the file fail with BrokenProcessPool instead of hanging the ingest.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: Any = None

    def get(self) -> Any:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = "forkserver" if sys.platform.startswith("linux") else "spawn"
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(["hcctrials.ingest"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_start,
                                             initargs=(os.getpid(),))
        return self._pool

    def discard(self) -> None:
        """Drop a pool that broke (the next file starts a new one)."""
        self.close(ok=False)

    def close(self, *, ok: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=not ok)
            self._pool = None


class _Feed:
    """The chunks of one CT.gov download array submitted to the pool, in order, at most a given
    number ahead (the results wait in the futures until the writer takes them)."""

    def __init__(self, path: Path, pool: Any) -> None:
        self.file = str(path)
        self.pool = pool
        self.pending: deque[Any] = deque()
        self.layout_error = False
        self._chunks: Iterator[tuple[int, list[tuple[int, int]]]] | None = self._iter_chunks(path)

    @staticmethod
    def _iter_chunks(path: Path) -> Iterator[tuple[int, list[tuple[int, int]]]]:
        chunk: list[tuple[int, int]] = []
        start = 0
        with mapped_file(path) as data:  # only the line ends are looked at here
            for span in iter_array_spans(data):
                chunk.append(span)
                if len(chunk) >= _CHUNK:
                    yield start, chunk
                    start, chunk = start + len(chunk), []
        if chunk:
            yield start, chunk

    def fill(self, limit: int) -> None:
        """Submit chunks until *limit* are pending or the file is read (or not one study per line)."""
        while self._chunks is not None and len(self.pending) < limit:
            try:
                start, chunk = next(self._chunks)
            except StopIteration:
                self._chunks = None
            except LineLayoutError:
                self._chunks, self.layout_error = None, True
            else:
                self.pending.append(self.pool.submit(_prepare_chunk, self.file, start, chunk))

    def close(self) -> None:
        """Stop reading; let the workers finish what they were given."""
        if self._chunks is not None:
            self._chunks.close()  # type: ignore[attr-defined]
            self._chunks = None
        if self.pending:
            wait(self.pending)


#: Chunks of the next file submitted before a file's commit, so that the workers parse while
#: the database commits (and checkpoints its WAL); their results wait in the main process.
_PREFETCH_CHUNKS = 40


def _ingest_file_parallel(store: TrialStore, path: Path, summary: IngestSummary, *, index: int, count: int,
                          feed: _Feed, workers: int, batch_size: int, progress: ProgressCallback | None,
                          before_commit: Callable[[], None] | None = None, options: _Options = _Options()) -> None:
    file = str(path)
    record_failures: list[IngestFailure] = []
    local = IngestSummary()
    batch: list[PreparedRecord] = []
    current: dict[tuple[str, str], None] = {}
    # Bounded read-ahead: enough chunks that the workers keep parsing while this process
    # writes a batch (~0.2 s per 1,000 studies), at most ~1.5 batches (~40 MB) in memory.
    max_pending = max(2 * workers + 2, (3 * batch_size) // (2 * _CHUNK))
    with store.file_transaction(accept_shrink=options.accept_shrink) as writer:
        def flush() -> None:
            locators = {i: r.record_locator for i, r in enumerate(batch)}
            _save(writer, batch, local, file, locators, current)
            if progress:
                progress(IngestEvent("records", path, index, count, len(batch)))
            batch.clear()

        def handle(task: Any) -> None:
            items, complete = task.result()
            for item in items:
                if isinstance(item, IngestFailure):
                    record_failures.append(item)
                    if progress:
                        progress(IngestEvent("records", path, index, count, 1))
                else:
                    batch.append(item)
                    if len(batch) >= batch_size:
                        flush()
            if not complete:
                raise _Fallback

        try:
            while True:
                feed.fill(max_pending)
                if feed.layout_error:
                    raise _Fallback
                if not feed.pending:
                    break
                handle(feed.pending.popleft())
        finally:
            feed.close()  # on a fallback or an error: let the workers finish what they were given
        if batch:
            flush()
        if before_commit is not None:
            before_commit()
        _index_current(writer, current, local, options)
    summary._merge(local)
    for failure in [*record_failures, *local.failures]:
        summary._fail(failure)


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def ingest_paths(paths: Sequence[Path], store: TrialStore, *, parsers: Sequence[SourceParser] | None = None,
                 batch_size: int = 1000, progress: ProgressCallback | None = None,
                 log_run: bool = True, workers: int | None = None, search_index: bool = False,
                 accept_shrink: bool = False) -> IngestSummary:
    """Ingest every registry file under *paths* into *store*; the summary says what happened.

    Missing paths raise ParseError before anything is written.  Database errors (unreachable
    server, schema missing) raise StorageError.  Everything else wrong with a file or record
    is a failure in the summary and the other files and records still ingest.

    *workers*: processes that parse large CT.gov download arrays (default: the CPUs this
    process may use; 0: never use worker processes).
    *search_index*: index the records each file makes current inside that file's transaction,
    then refresh whatever else is stale (what ``hcctrials ingest`` does unless ``--no-index``).
    *accept_shrink*: make new versions current even when they lost most of the current
    version's content (else they are held back: ``summary.held``).

    With *log_run*, runs of earlier ingests whose process is gone (killed) are first marked
    ``abandoned`` (``summary.abandoned_runs``); this run is logged as ``running`` until it ends.
    Concurrent ingests into one database are safe: each file's transaction takes the write
    lock up front and waits for the other's (see docs/storage.md, "Concurrency").
    """
    workers = _default_workers() if workers is None else max(0, workers)
    pool = _WorkerPool(workers)
    ok = False
    options = _Options(search_index=search_index, accept_shrink=accept_shrink)
    try:
        summary = _ingest_all(paths, store, parsers=parsers, batch_size=batch_size, progress=progress,
                              log_run=log_run, pool=pool, options=options)
        ok = True
    finally:
        pool.close(ok=ok)
    return summary


def _ingest_all(paths: Sequence[Path], store: TrialStore, *, parsers: Sequence[SourceParser] | None,
                batch_size: int, progress: ProgressCallback | None, log_run: bool,
                pool: _WorkerPool, options: _Options) -> IngestSummary:
    own = store.database_files()  # ingesting the folder that holds the database skips it
    files = [f for f in collect_input_files(paths) if f.resolve() not in own]
    summary = IngestSummary(files=len(files))
    if log_run:
        summary.abandoned_runs = store.close_abandoned_runs()
        summary.run_id = store.start_run(", ".join(str(p) for p in paths))
    with ExitStack() as stack:
        if _total_bytes(files) >= BULK_MIN_BYTES:
            stack.enter_context(store.bulk_load())
        _ingest_files(files, store, summary, parsers=parsers, batch_size=batch_size, progress=progress,
                      pool=pool, options=options)
    if options.search_index:  # what others left stale: --no-index runs, a killed run, a new index version
        from hcctrials.matching.search import SEARCH_DOCUMENTS
        from hcctrials.storage.search_index import refresh_search_index

        summary.indexed += refresh_search_index(store, builder=SEARCH_DOCUMENTS)
    if log_run and summary.run_id is not None:
        store.finish_run(summary.run_id, summary.counts(), summary.failures)
    return summary


def _total_bytes(files: Sequence[Path]) -> int:
    total = 0
    for file in files:
        try:
            total += file.stat().st_size
        except OSError:
            pass  # reported when the file's turn comes
    return total


def _ingest_files(files: list[Path], store: TrialStore, summary: IngestSummary, *,
                  parsers: Sequence[SourceParser] | None, batch_size: int, progress: ProgressCallback | None,
                  pool: _WorkerPool, options: _Options) -> None:
    feeds: dict[int, _Feed] = {}  # the next file's feed, started before the current file commits

    def prefetch(next_index: int) -> Callable[[], None]:
        def start() -> None:
            if pool.workers and next_index < len(files) and _parallel_eligible(files[next_index], parsers):
                feed = _Feed(files[next_index], pool.get())
                try:
                    feed.fill(_PREFETCH_CHUNKS)
                except OSError:  # never fail this file for the next one: its own turn reports it
                    feed.close()
                    return
                feeds[next_index] = feed
        return start

    for index, path in enumerate(files):
        if progress:
            progress(IngestEvent("file_start", path, index, len(files)))
        try:
            done = False
            feed = feeds.pop(index, None)
            parallel = feed is not None or bool(pool.workers and _parallel_eligible(path, parsers))
            if parallel or (INLINE_FAST_PATH and _array_file(path, parsers)):
                try:
                    if feed is None:
                        feed = _Feed(path, pool.get() if parallel else _InlinePool())
                    _ingest_file_parallel(store, path, summary, index=index, count=len(files),
                                          feed=feed, workers=max(pool.workers, 1), batch_size=batch_size,
                                          progress=progress, before_commit=prefetch(index + 1), options=options)
                    done = True
                except _Fallback:
                    pass  # rolled back; the streaming parser reads the file again
                except BrokenProcessPool:
                    pool.discard()
                    raise
            if not done:
                _ingest_file(store, path, summary, index=index, count=len(files), parsers=parsers,
                             batch_size=batch_size, progress=progress, options=options)
        except StorageError:
            raise
        except HcctrialsError as exc:
            summary._fail(_failure_from_error(str(path), exc))
        except Exception as exc:  # a parser bug must not lose the other files: report it by name
            from sqlalchemy.exc import SQLAlchemyError

            if isinstance(exc, SQLAlchemyError):
                raise StorageError(f"database error while ingesting {path}: {exc}") from exc
            summary._fail(IngestFailure(
                file=str(path), message=f"unexpected {type(exc).__name__} while reading the file: {exc}"))
        if progress:
            progress(IngestEvent("file_done", path, index, len(files)))
