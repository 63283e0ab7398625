"""Decode the bytes of a user's file: UTF-8 first, else the encoding the bytes show.

Registry pages saved by a browser on a Chinese system and patient files written by
spreadsheet software are often GBK/GB18030 or UTF-16 rather than UTF-8.  The rule (issue 11,
"correct and robust under bad input"):

1. a byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. bytes that decode as UTF-8 are UTF-8;
3. otherwise the encoding is detected with charset-normalizer (a maintained, pure-Python
   detector) and the text is decoded with it; GBK is read as its superset GB18030, which is
   also preferred whenever it explains the bytes about as well as the detector's first choice
   and reads them as Chinese (at least 90% of the non-ASCII characters);
4. bytes no encoding explains (binary files) raise :class:`~hcctrials.errors.ParseError`
   naming the file and saying what was expected.

Detection looks at the first :data:`DETECT_BYTES` bytes only, so it costs the same for any
file size.
"""

from __future__ import annotations

import codecs

from hcctrials.errors import ParseError

__all__ = ["DETECT_BYTES", "detect_encoding", "decode_text"]

#: How many leading bytes the detector reads.
DETECT_BYTES = 65536

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDEN = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "ascii": "utf-8"}


def _utf8_prefix(head: bytes, *, complete: bool) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of a sample is still UTF-8
        return not complete and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


#: How much more "chaos" (charset-normalizer's mess ratio) GB18030 may show than the first choice.
_CHAOS_TOLERANCE = 0.01


def _is_chinese_char(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0x2000 <= code <= 0x206F or code in (0xB7, 0xD7, 0x3BC))


def _reads_as_chinese(head: bytes) -> bool:
    """True if *head* decoded as GB18030 has mostly Chinese characters where it is not ASCII."""
    text = head.decode("gb18030", errors="replace")
    wide = [c for c in text if ord(c) > 127]
    return bool(wide) and sum(map(_is_chinese_char, wide)) >= 0.9 * len(wide)


def detect_encoding(head: bytes, *, complete: bool = False) -> str | None:
    """The Python codec name for bytes starting with *head*, or None if they are not text.

    *complete* says *head* is the whole file (a cut multi-byte character at its end is then
    an error, not a sampling artefact).
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if _utf8_prefix(head, complete=complete):
        return "utf-8"
    from charset_normalizer import from_bytes

    matches = from_bytes(head[:DETECT_BYTES])
    best = matches.best()
    if best is None:
        return None
    # The files read here are Chinese or English: when GB18030 explains the bytes about as
    # well as the detector's first choice (short GBK texts also decode as Korean CP949; a few
    # Chinese words among ASCII as Vietnamese CP1258) and reads them as Chinese, take GB18030.
    chinese = next((m for m in matches if m.encoding == "gb18030"), None)
    if chinese is not None and chinese.chaos <= best.chaos + _CHAOS_TOLERANCE and _reads_as_chinese(
            head[:DETECT_BYTES]):
        best = chinese
    name = str(best.encoding).lower().replace("_", "-")
    return _WIDEN.get(name.replace("-", ""), _WIDEN.get(name, name))


def decode_text(raw: bytes, *, file: str | None, expected: str = "text") -> str:
    """*raw* as text (module rule); :class:`ParseError` naming *file* if it is not text."""
    encoding = detect_encoding(raw[:DETECT_BYTES], complete=len(raw) <= DETECT_BYTES)
    if encoding is None:
        raise ParseError("the file is not text in any known encoding (binary?)", file=file,
                         hint=f"Expected {expected} in UTF-8 (or GBK/GB18030, UTF-16)")
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        at = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise ParseError(f"the file does not decode as {encoding}{at}", file=file, value=encoding,
                         hint=f"Expected {expected}; save the file as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text
