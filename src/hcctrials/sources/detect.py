"""Pick the parser for a file and iterate over the records of files and folders.

Text that is not UTF-8 (issue 11): a file whose first bytes decode in another encoding
(GBK/GB18030 or UTF-16, as :func:`hcctrials.textdecode.detect_encoding` finds) is text, not
binary.  Its head is given to the sniffers transcoded to UTF-8, and only parsers that decode
any encoding themselves (``decodes_any_encoding = True``: the ChiCTR page parsers) may take it;
for the others such a file is a ParseError asking for UTF-8.  Every record that
:func:`parse_path` yields has passed the size limits of
:func:`hcctrials.sources.base.check_parsed_record`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from hcctrials.errors import ParseError
from hcctrials.sources.base import (
    ParsedRecord,
    ParseResult,
    SourceParser,
    check_parsed_record,
    file_fetched_at,
    read_head,
)
from hcctrials.textdecode import detect_encoding

__all__ = ["all_parsers", "detect_parser", "parse_path", "iter_input_files"]


def all_parsers() -> list[SourceParser]:
    """Every known parser, most specific first."""
    from hcctrials.sources.chictr import PARSERS as CHICTR
    from hcctrials.sources.ctgov import PARSERS as CTGOV
    from hcctrials.sources.pages import PARSERS as PAGES

    return [*CTGOV, *CHICTR, *PAGES]


def _encoding(head: bytes) -> str | None:
    """The encoding of a file starting with *head*; None if it is binary.

    NUL bytes mean binary unless the text is UTF-16/UTF-32 (where they are ordinary).
    """
    sample = head[:8192]
    found = detect_encoding(sample, complete=len(head) < 8192)
    if found is not None and b"\x00" in sample and not found.startswith(("utf-16", "utf-32")):
        return None
    return found


def detect_parser(path: Path, *, parsers: Iterable[SourceParser] | None = None) -> SourceParser:
    """The parser whose ``sniff`` accepts *path*; a clear ParseError if none does."""
    if not path.is_file():
        raise ParseError("not a file", file=str(path))
    head = read_head(path)
    if not head.strip():
        raise ParseError("the file is empty", file=str(path),
                         hint="Expected a registry record (CT.gov JSON/CSV/XML, ChiCTR page, trial-finder page)")
    encoding = _encoding(head)
    if encoding is None:
        raise ParseError("the file is binary, not a registry record", file=str(path),
                         hint="Expected text: JSON, CSV, XML, HTML or a saved page (UTF-8, GBK or UTF-16)")
    candidates = list(parsers) if parsers is not None else all_parsers()
    utf8 = encoding in ("utf-8", "utf-8-sig")
    if not utf8:
        head = head.decode(encoding, errors="ignore").lstrip("\ufeff").encode("utf-8")
        if not head.strip():
            raise ParseError("the file is empty", file=str(path))
    for parser in candidates:
        if parser.sniff(path, head):
            if not utf8 and not getattr(parser, "decodes_any_encoding", False):
                raise ParseError(f"a {parser.source_format} file must be UTF-8, not {encoding}",
                                 file=str(path), value=encoding,
                                 hint="Save or download the file again as UTF-8")
            return parser
    raise ParseError(
        "unrecognised format", file=str(path),
        hint="Known formats: " + ", ".join(p.source_format for p in candidates),
    )


def parse_path(path: Path, *, parsers: Iterable[SourceParser] | None = None) -> Iterator[ParseResult]:
    """Detect the format of *path* and yield its records (each within the size limits).

    A record whose parser did not say when it was fetched gets the file's modification time
    as ``provenance.fetched_at`` (:func:`~hcctrials.sources.base.file_fetched_at`).
    """
    parser = detect_parser(path, parsers=parsers)
    fetched_at = file_fetched_at(path)
    for result in parser.iter_records(path):
        if isinstance(result, ParsedRecord) and result.trial.provenance.fetched_at is None:
            result.trial.provenance.fetched_at = fetched_at
        yield check_parsed_record(result)


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
