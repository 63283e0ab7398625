"""``chictr_text``: a ChiCTR registration page saved as text (copied page or PDF export).

The page text (seed 000) and the PDF export (seed 001: a header line "ChiCTR… 版本V1.0
版本创建时间…", "审核状态/Project audit state", criteria lists on one line) carry the same
label table; both go through :func:`hcctrials.sources.chictr.labels.label_events`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord, ParseResult, read_bytes_limited
from hcctrials.sources.chictr.assemble import build_trial, collect
from hcctrials.sources.chictr.labels import label_events, split_blocks
from hcctrials.textdecode import decode_text

__all__ = ["ChictrTextParser", "parse_chictr_text"]


def _decode(raw: bytes, source: str) -> str:
    """The page's text: UTF-8, else the encoding the bytes show (GBK, UTF-16 ...); ParseError
    naming the file if no encoding explains them (:func:`hcctrials.textdecode.decode_text`)."""
    return decode_text(raw, file=source, expected="ChiCTR page text")


def parse_chictr_text(text: str, *, source_file: str = "<text>", raw: bytes | None = None,
                      source_format: str = "chictr_text") -> Trial:
    """The Trial of one ChiCTR page's text; ParseError (naming *source_file*) if it is not one."""
    preamble, events = label_events(split_blocks(text))
    return build_trial(collect(preamble, events), source_format=source_format, source_file=source_file,
                       raw=raw if raw is not None else text)


class ChictrTextParser:
    """ChiCTR page text / PDF-export text, one registration per file."""

    source_format = "chictr_text"
    decodes_any_encoding = True
    description = "ChiCTR registration page text (copied page or PDF export), bilingual label/value"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
        if text.startswith("<") or text.startswith("{") or text.startswith("["):
            return False
        has_zh = "注册号" in text
        has_en = "Registration number" in text
        return (has_zh and has_en) or ("ChiCTR" in text and (has_zh or has_en or "中国临床试验注册中心" in text))

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        raw = read_bytes_limited(path)
        text = _decode(raw, str(path))
        yield ParsedRecord(parse_chictr_text(text, source_file=str(path), raw=raw))
