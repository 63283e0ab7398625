"""ClinicalTrials.gov API v2 JSON: one study, a paged search response, or the website's
"Download -> JSON" array, read incrementally with ijson (bounded memory for any file size).

Each record's ``raw_sha256`` is the SHA-256 of a canonical re-serialisation of that study
(``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``), so the same
study hashes the same whether it came alone, in a page or in a download array, and however
the file was indented.

Fast path for download arrays.  The website's "Download -> JSON" writes one study per line
(``[``, ``{...},``, ..., ``{...}``, ``]``).  A raw newline can never occur inside a JSON
string, so such a file is split into studies by lines and each line is decoded with orjson
(about 3x faster than ijson's incremental parser on ~28 kB studies).  Whenever a line does not
fit that layout or does not decode (pretty-printed file, two studies on one line, malformed or
truncated JSON, integers orjson does not take ...), the parser falls back to ijson from that
study on, so the records and the errors are exactly those of the streaming parser.
"""

from __future__ import annotations

import json
import mmap
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from hcctrials.errors import ParseError
from hcctrials.sources.base import (
    JsonDepthMeter,
    ParseResult,
    RecordFailure,
    check_record_size,
    sha256_hex,
)
from hcctrials.sources.ctgov.common import guarded, run_mapper
from hcctrials.sources.ctgov.study_map import map_api_study

__all__ = ["ApiV2JsonParser", "canonical_study_json", "EXACT_POSITION_MAX_BYTES", "iter_array_lines",
           "LineLayoutError", "array_layout", "parse_study_for_storage", "iter_array_spans", "mapped_file"]

SOURCE_FORMAT = "ctgov_api_v2_json"
#: Files up to this size are re-read on a syntax error to report the exact line/column.
EXACT_POSITION_MAX_BYTES = 32 * 1024 * 1024
_STUDY_KEYS = {"protocolSection", "derivedSection", "hasResults", "resultsSection",
               "documentSection", "annotationSection"}
_RESPONSE_KEYS = {"studies", "nextPageToken", "totalCount"}
_FIRST_KEY = re.compile(rb'^\s*\{\s*"([^"\\]{1,64})"')


def canonical_study_json(study: dict[str, Any]) -> bytes:
    """The canonical UTF-8 bytes of a study that its ``raw_sha256`` is computed from.

    The same bytes as ``json.dumps(study, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()`` (checked on every real record in the tests), produced
    with orjson, which is about 6x faster than the standard library encoder.
    """
    try:
        return orjson.dumps(study, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # e.g. integers beyond 64 bits: the standard encoder copes
        return json.dumps(study, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class LineLayoutError(Exception):
    """The file is not (or no longer) one study per line: use the streaming parser instead."""


_JSON_WS = frozenset(b" \t\r\n")
_OPEN, _CLOSE, _COMMA, _LBRACE, _RBRACE = b"[],{}"
_RELEASE_BYTES = 32 * 1024 * 1024


def array_layout(path: Path) -> bool:
    """True if *path* looks like a JSON array of API v2 studies (the website download)."""
    from hcctrials.sources.base import read_head

    return _layout(read_head(path)) == "array"


def iter_array_spans(data: Any) -> Iterator[tuple[int, int]]:
    """``(start, end)`` byte offsets of each study of a one-study-per-line JSON array held in
    *data* (bytes, or an ``mmap`` of the file: nothing is copied), in order.

    Raises :class:`LineLayoutError` at the first line that does not fit (after yielding the
    studies before it) and at the end if the array is not closed.  The bytes are not decoded
    here: a line that is not valid JSON is found by the caller's decoder.
    """
    size = len(data)
    state = 0  # 0: before "[", 1: inside the array, 2: after "]"
    after_element = False  # an element was read and its comma not yet
    seen = 0
    pos = 0
    # pages of a mapped file already scanned are given back (else the RSS grows to the file size)
    release = getattr(data, "madvise", None) if hasattr(mmap, "MADV_DONTNEED") else None
    released = 0
    while pos < size:
        if release is not None and pos - released >= _RELEASE_BYTES:
            upto = pos - pos % mmap.PAGESIZE
            release(mmap.MADV_DONTNEED, released, upto - released)
            released = upto
        newline = data.find(b"\n", pos)
        a, b = pos, (size if newline < 0 else newline)
        pos = b + 1
        while a < b and data[a] in _JSON_WS:
            a += 1
        while b > a and data[b - 1] in _JSON_WS:
            b -= 1
        if a == b:
            continue
        if state == 0:
            if data[a] != _OPEN:
                raise LineLayoutError("no opening bracket")
            state = 1
            a += 1
            while a < b and data[a] in _JSON_WS:
                a += 1
            if a == b:
                continue
        if state == 2:
            raise LineLayoutError("text after the closing bracket")
        if data[a] == _COMMA:
            if not after_element:
                raise LineLayoutError("comma without a study before it")
            after_element = False
            a += 1
            while a < b and data[a] in _JSON_WS:
                a += 1
            if a == b:
                continue
        closing = data[b - 1] == _CLOSE
        if closing:
            b -= 1
            while b > a and data[b - 1] in _JSON_WS:
                b -= 1
            if a == b:  # "]" alone; after a comma it is invalid: the streaming parser says so
                if seen and not after_element:
                    raise LineLayoutError("a comma before the closing bracket")
                state = 2
                continue
        if after_element:
            raise LineLayoutError("two studies without a comma")
        trailing_comma = data[b - 1] == _COMMA
        if trailing_comma:
            b -= 1
            while b > a and data[b - 1] in _JSON_WS:
                b -= 1
        if b - a < 2 or data[a] != _LBRACE or data[b - 1] != _RBRACE:
            raise LineLayoutError("a line that is not one whole study")
        if closing and trailing_comma:
            raise LineLayoutError("a comma before the closing bracket")
        yield a, b
        seen += 1
        after_element = not trailing_comma
        if closing:
            state = 2
    if state != 2:
        raise LineLayoutError("the array is not closed")


@contextmanager
def mapped_file(path: Path) -> Iterator[Any]:
    """*path* memory-mapped read-only (``b""`` for an empty file)."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def iter_array_lines(path: Path) -> Iterator[bytes]:
    """The raw bytes of each study of a one-study-per-line JSON array (see :func:`iter_array_spans`)."""
    with mapped_file(path) as data:
        for a, b in iter_array_spans(data):
            yield data[a:b]


class _CountingReader:
    """A binary reader that counts the bytes handed to the JSON parser (error positions) and
    measures their nesting (:class:`~hcctrials.sources.base.JsonDepthMeter`: ijson's time
    grows with the square of the depth, so a file nested thousands deep is refused)."""

    def __init__(self, handle: IO[bytes], file: str = "<json>") -> None:
        self._handle = handle
        self.consumed = 0
        self._depth = JsonDepthMeter(file)

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.consumed += len(data)
        self._depth.feed(data)
        return data


def _layout(head: bytes) -> str | None:
    """``array``, ``response`` or ``study`` from the first bytes, None if not API v2 JSON."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "array" if b'"protocolSection"' in head or stripped[1:].strip() in (b"", b"]") else None
    match = _FIRST_KEY.match(stripped)
    if match is None:
        return None
    key = match.group(1).decode("utf-8", "replace")
    if key in _STUDY_KEYS:
        return "study"
    if key in _RESPONSE_KEYS:
        return "response"
    return None


def _syntax_error(path: Path, reader: _CountingReader, count: int, exc: Exception) -> ParseError:
    where = f"near byte {reader.consumed}"
    size = path.stat().st_size
    if size <= EXACT_POSITION_MAX_BYTES:
        try:
            json.loads(path.read_bytes().decode("utf-8", "replace"))
        except json.JSONDecodeError as decode_error:
            where = (f"at line {decode_error.lineno}, column {decode_error.colno} "
                     f"(byte {decode_error.pos}): {decode_error.msg}")
        except (ValueError, RecursionError) as other:  # an integer of > 4300 digits, deep nesting
            where += f" (a number or nesting too large to read: {str(other)[:60]}...)"
    truncated = "incomplete" in str(exc).lower() or "premature" in str(exc).lower()
    message = ("the JSON is truncated" if truncated else "the JSON is malformed") + f" {where}"
    return ParseError(message, file=str(path),
                      hint=f"{count} complete record(s) were read before it; "
                           "re-download the file (CT.gov API v2 JSON expected)")


class ApiV2JsonParser:
    """CT.gov API v2 JSON (single study, paged search response, website download array)."""

    source_format = SOURCE_FORMAT
    description = ("ClinicalTrials.gov API v2 JSON: a single study, a paged search response "
                   "({\"studies\": [...], \"nextPageToken\": ...}) or the website JSON download array")

    def sniff(self, path: Path, head: bytes) -> bool:
        return _layout(head) is not None

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        from hcctrials.sources.base import read_head

        layout = _layout(read_head(path))
        if layout is None:
            raise ParseError("not ClinicalTrials.gov API v2 JSON", file=str(path),
                             hint="Expected a study object, {\"studies\": [...]} or a JSON array of studies")
        file = str(path)
        skip = 0
        if layout == "array":
            try:
                for raw in iter_array_lines(path):
                    try:
                        study = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        raise LineLayoutError("a line that does not decode") from None
                    yield self._record(study, file=file, locator=f"[{skip}]", index=skip)
                    skip += 1
                return
            except LineLayoutError:
                pass  # the streaming parser takes over from study number `skip`
        yield from self._iter_streaming(path, layout, skip=skip)

    def _iter_streaming(self, path: Path, layout: str, *, skip: int = 0) -> Iterator[ParseResult]:
        """ijson over the whole file; the first *skip* studies were already yielded."""
        prefix = {"array": "item", "response": "studies.item", "study": ""}[layout]
        locator_format = {"array": "[{}]", "response": "studies[{}]", "study": "study"}[layout]
        file = str(path)
        count = 0
        with path.open("rb") as handle:
            reader = _CountingReader(handle, file)
            studies = ijson.items(reader, prefix, use_float=True)
            while True:
                try:
                    study = next(studies)
                except StopIteration:
                    break
                except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
                    raise _syntax_error(path, reader, count, exc) from None
                if count >= skip:
                    locator = locator_format.format(count)
                    yield self._record(study, file=file, locator=locator, index=count)
                count += 1
        if layout == "response" and count == 0:
            _check_studies_array(path)

    def _record(self, study: Any, *, file: str, locator: str, index: int) -> ParseResult:
        return guarded(_mapper(study, file, locator), file=file, locator=locator,
                       record_id=_peek_nct_id(study) or f"record {index}")


def _check_studies_array(path: Path) -> None:
    """ParseError unless the top-level ``studies`` of a search response is an array.

    ``{"studies": {}}`` or ``{"studies": null}`` is not a response with no studies (that is
    ``{"studies": []}``) but a broken file: yielding zero records would hide it (issue 11).
    """
    found = "missing"
    with path.open("rb") as handle:
        try:
            for prefix, event, _ in ijson.parse(handle):
                if prefix == "studies" and event != "map_key":
                    found = event
                    break
        except (ijson.JSONError, UnicodeDecodeError, ValueError):
            return  # a syntax error was already reported by the streaming parser
    if found != "start_array":
        shown = {"start_map": "an object", "null": "null", "missing": "absent"}.get(found, f"a {found}")
        raise ParseError(f"\"studies\" must be an array of studies (found: {shown})", file=str(path),
                         field="studies", hint='Expected {"studies": [...]} (CT.gov API v2 search response)')


def _mapper(study: Any, file: str, locator: str, fetched_at: str | None = None) -> Callable[[], dict[str, Any]]:
    def mapper() -> dict[str, Any]:
        return map_api_study(study, provenance={
            "source_file": file,
            "record_locator": locator,
            "fetched_at": fetched_at,
            "raw_sha256": sha256_hex(canonical_study_json(study)),
        })

    return mapper


# ---------------------------------------------------------------- the storage fast path

def parse_study_for_storage(study: Any, *, file: str, index: int, locator: str | None = None,
                            fetched_at: str | None = None) -> tuple[dict[str, Any], str] | RecordFailure:
    """One study of a download array as ``(record, record_json)`` for the database, without
    building a Trial.

    *record* is the dict :func:`~hcctrials.sources.ctgov.study_map.map_api_study` gives, which
    is already in the exact layout of ``Trial.model_dump(mode="json")`` (every field, in order,
    valid by construction), so ``record_json`` is its orjson serialisation, byte for byte
    ``Trial.model_dump_json()`` of the record the parser yields (checked on every real record
    and on generated studies in ``tests/sources/ctgov/test_ctgov_storage_fast_path.py`` and by
    ``benchmarks/ctgov_parse.py --check``).  Used by the parallel ingest, which stores the JSON
    and never hands a trial out.
    """
    locator = locator or f"[{index}]"
    result = run_mapper(_mapper(study, file, locator, fetched_at), file=file, locator=locator,
                        record_id=_peek_nct_id(study) or f"record {index}")
    if isinstance(result, RecordFailure):
        return result
    record_id = _peek_nct_id(study) or f"record {index}"
    too_big = check_record_size(result, file=file, record=record_id)
    if too_big is not None:
        return RecordFailure(file=file, locator=locator, error=too_big, record_id=record_id,
                             details={"field": too_big.field or ""})
    return result, orjson.dumps(result).decode()


def _peek_nct_id(study: Any) -> str | None:
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) and value.strip() else None
