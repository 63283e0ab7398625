"""Pick the parser for a file and iterate over the records of files and folders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from hcctrials.errors import ParseError
from hcctrials.sources.base import ParsedRecord, ParseResult, SourceParser, file_fetched_at, read_head

__all__ = ["all_parsers", "detect_parser", "parse_path", "iter_input_files"]


def all_parsers() -> list[SourceParser]:
    """Every known parser, most specific first."""
    from hcctrials.sources.chictr import PARSERS as CHICTR
    from hcctrials.sources.ctgov import PARSERS as CTGOV
    from hcctrials.sources.pages import PARSERS as PAGES

    return [*CTGOV, *CHICTR, *PAGES]


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head[:8192]:
        return True
    try:
        head[:8192].decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is not binary
        return exc.start < len(head[:8192]) - 4
    return False


def detect_parser(path: Path, *, parsers: Iterable[SourceParser] | None = None) -> SourceParser:
    """The parser whose ``sniff`` accepts *path*; a clear ParseError if none does."""
    if not path.is_file():
        raise ParseError("not a file", file=str(path))
    head = read_head(path)
    if not head.strip():
        raise ParseError("the file is empty", file=str(path),
                         hint="Expected a registry record (CT.gov JSON/CSV/XML, ChiCTR page, trial-finder page)")
    if _looks_binary(head):
        raise ParseError("the file is binary, not a registry record", file=str(path),
                         hint="Expected UTF-8 text: JSON, CSV, XML, HTML or a saved page")
    candidates = list(parsers) if parsers is not None else all_parsers()
    for parser in candidates:
        if parser.sniff(path, head):
            return parser
    raise ParseError(
        "unrecognised format", file=str(path),
        hint="Known formats: " + ", ".join(p.source_format for p in candidates),
    )


def parse_path(path: Path, *, parsers: Iterable[SourceParser] | None = None) -> Iterator[ParseResult]:
    """Detect the format of *path* and yield its records.

    A record whose parser did not say when it was fetched gets the file's modification time
    as ``provenance.fetched_at`` (:func:`~hcctrials.sources.base.file_fetched_at`).
    """
    parser = detect_parser(path, parsers=parsers)
    fetched_at = file_fetched_at(path)
    for result in parser.iter_records(path):
        if isinstance(result, ParsedRecord) and result.trial.provenance.fetched_at is None:
            result.trial.provenance.fetched_at = fetched_at
        yield result


_SKIP_SUFFIXES = {".md", ".py", ".pyc"}


def iter_input_files(root: Path) -> list[Path]:
    """The files to ingest under *root* (or *root* itself), sorted, hidden files skipped."""
    if root.is_file():
        return [root]
    if not root.exists():
        raise ParseError("no such file or folder", file=str(root))
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.suffix.lower() not in _SKIP_SUFFIXES
    )
