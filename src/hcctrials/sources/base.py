"""The contract every registry parser follows, and the results it yields.

A parser reads one file (which may hold one record, a page of records or a whole
download) and yields, record by record, either a :class:`ParsedRecord` or a
:class:`RecordFailure`.  A problem with the whole file (empty, binary, truncated, not
this format after all) raises :class:`~hcctrials.errors.ParseError` naming the file.
Parsers are pure with respect to the database: they never write anywhere.

Size limits (issue 11: a 50 MB title was stored and then hung the search-index refresh):
a parsed record whose text field is longer than :data:`MAX_FIELD_CHARS`, or whose text adds up
to more than :data:`MAX_RECORD_CHARS`, is a :class:`RecordFailure` naming the file, the record
and the field (:func:`check_record_size`), never stored and never silently cut.  A file read
whole is refused above :data:`MAX_FILE_BYTES` (:func:`read_bytes_limited`).
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pydantic

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
    "MAX_FIELD_CHARS",
    "MAX_RECORD_CHARS",
    "MAX_FILE_BYTES",
    "check_record_size",
    "check_parsed_record",
    "read_bytes_limited",
    "MAX_JSON_DEPTH",
    "JsonDepthMeter",
]

#: Longest text of one field of a record.  CT.gov caps its longest fields (detailed
#: description, eligibility criteria) at 32,000 characters; ChiCTR pages are shorter.
MAX_FIELD_CHARS = 200_000
#: Most text in one record, all fields together.
MAX_RECORD_CHARS = 2_000_000
#: Largest file a parser reads whole into memory (one registration page, one listing).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Deepest nesting of a registry JSON file (a CT.gov study nests about 8 levels).  Streaming
#: parsers slow down with the square of the depth (ijson builds a prefix per level).
MAX_JSON_DEPTH = 256


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


def check_record_size(data: Any, *, file: str, record: str | None) -> ParseError | None:
    """The size error of one parsed record (a Trial, or its dict form), or None.

    Walks the record without recursion or copying: every string (and every dict key) counts
    towards :data:`MAX_RECORD_CHARS`; one longer than :data:`MAX_FIELD_CHARS` is named with
    its path (``brief_title.en``, ``eligibility.inclusion.3.zh``).
    """
    total = 0
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_FIELD_CHARS:
                return ParseError(f"field text longer than {MAX_FIELD_CHARS:,} characters "
                                  f"({len(item):,})", file=file, record=record, field=path or None,
                                  value=item, hint="this is not a registry record as published; "
                                                   "check the file (a field is never cut silently)")
            total += len(item)
            if total > MAX_RECORD_CHARS:
                return ParseError(f"record text longer than {MAX_RECORD_CHARS:,} characters", file=file,
                                  record=record, field=path or None,
                                  hint="this is not a registry record as published; check the file")
        elif isinstance(item, pydantic.BaseModel):
            stack.extend((f"{path}.{k}" if path else k, v) for k, v in item.__dict__.items())
        elif isinstance(item, dict):
            for k, v in item.items():
                key = str(k)
                total += len(key)
                stack.append((f"{path}.{key}" if path else key, v))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(item))
    return None


def check_parsed_record(result: ParseResult) -> ParseResult:
    """*result*, or a :class:`RecordFailure` if its Trial breaks the size limits."""
    if not isinstance(result, ParsedRecord):
        return result
    prov = result.trial.provenance
    file = prov.source_file or "<input>"
    error = check_record_size(result.trial, file=file, record=result.trial.trial_id)
    if error is None:
        return result
    return RecordFailure(file=file, locator=prov.record_locator or result.trial.trial_id, error=error,
                         record_id=result.trial.trial_id, details={"field": error.field or ""})


def read_bytes_limited(path: Path, limit: int = MAX_FILE_BYTES, *, what: str = "file",
                       hint: str = "one registration page or listing is far smaller; check the file") -> bytes:
    """The bytes of *path*; ParseError naming the file if it is larger than *limit* (*what* names the
    kind of file in the message, *hint* says what to do)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    if len(raw) > limit:
        raise ParseError(f"{what} larger than {limit // (1024 * 1024)} MB", file=str(path), hint=hint)
    return raw


_STRUCTURE = b'"[]{}'
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in _STRUCTURE)


class JsonDepthMeter:
    """The nesting depth of a JSON byte stream read in chunks, brackets in strings excluded.

    Cheap next to the JSON parser: per chunk, escaped backslashes and escaped quotes are
    removed (``bytes.replace``, left to right as JSON reads them; an odd backslash at the end
    of a chunk is carried to the next), everything but ``"[]{}`` is deleted
    (``bytes.translate``), and NumPy follows the few bytes left: quotes toggle "inside a
    string", ``[``/``{`` outside strings add one level, ``]``/``}`` remove one.  :meth:`feed`
    raises :class:`~hcctrials.errors.ParseError` naming *file* once the depth passes *limit*
    (issue 11: ``{"studies": [[[[...]]]]}`` 50,000 levels deep took minutes in ijson).
    """

    def __init__(self, file: str, limit: int = MAX_JSON_DEPTH) -> None:
        self.file = file
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self._carry = b""

    def feed(self, chunk: bytes) -> None:
        import numpy as np

        data = self._carry + chunk if self._carry else chunk
        self._carry = b""
        if data.endswith(b"\\"):
            run = len(data) - len(data.rstrip(b"\\"))
            if run % 2:
                self._carry, data = b"\\", data[:-1]
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
        if not data:
            return
        a = np.frombuffer(data, dtype=np.uint8)
        toggles = np.cumsum(a == 0x22)
        inside = (toggles + int(self.in_string)) % 2 == 1
        step = (((a == 0x5B) | (a == 0x7B)).astype(np.int64) - ((a == 0x5D) | (a == 0x7D))) * ~inside
        levels = self.depth + np.cumsum(step)
        if int(levels.max()) > self.limit:
            raise ParseError(f"JSON nested deeper than {self.limit} levels", file=self.file,
                             hint="a registry record nests a few levels; the file is damaged or not a record")
        self.depth = int(levels[-1])
        self.in_string = bool((int(toggles[-1]) + int(self.in_string)) % 2)


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
