"""The contract every registry parser follows, and the results it yields.

A parser reads one file (which may hold one record, a page of records or a whole
download) and yields, record by record, either a :class:`ParsedRecord` or a
:class:`RecordFailure`.  A problem with the whole file (empty, binary, truncated, not
this format after all) raises :class:`~hcctrials.errors.ParseError` naming the file.
Parsers are pure with respect to the database: they never write anywhere.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from hcctrials.errors import ParseError
from hcctrials.model.trial import Trial

__all__ = [
    "ParsedRecord",
    "RecordFailure",
    "ParseResult",
    "SourceParser",
    "sha256_hex",
    "read_head",
    "file_fetched_at",
]


@dataclass(frozen=True)
class ParsedRecord:
    """One record parsed into a :class:`Trial`."""

    trial: Trial


@dataclass(frozen=True)
class RecordFailure:
    """One record of a file that could not be parsed; the others still count."""

    file: str
    locator: str  # row number, array index, record id: where in the file
    error: ParseError
    record_id: str | None = None
    details: dict[str, str] = field(default_factory=dict)


ParseResult = ParsedRecord | RecordFailure


@runtime_checkable
class SourceParser(Protocol):
    """A parser for one source format (``source_format`` is stored in provenance)."""

    source_format: str
    description: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """True if the file (whose first bytes are *head*) is in this format."""
        ...

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        """Yield each record of *path*; raise ParseError for a whole-file problem."""
        ...


def sha256_hex(raw: bytes | str) -> str:
    """Hash of a record's raw bytes (text is hashed as UTF-8)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return hashlib.sha256(data).hexdigest()


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first *size* bytes of *path*, for sniffing."""
    with path.open("rb") as handle:
        return handle.read(size)


def file_fetched_at(path: Path | str | int) -> str:
    """When the record file was fetched, as far as a file can tell: its modification time
    (the moment a browser saved it or ``hcctrials fetch`` wrote it), ISO 8601 UTC to the
    second (``2026-11-21T14:30:05Z``).  *path* may be an open file descriptor."""
    mtime = os.fstat(path).st_mtime if isinstance(path, int) else os.stat(path).st_mtime
    return datetime.fromtimestamp(int(mtime), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
