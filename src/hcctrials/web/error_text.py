"""An input error's structured parts in the page's language.

The clinical core builds most error texts as :class:`~hcctrials.i18n.Msg` (English msgid with fields),
which :func:`~hcctrials.i18n.render` translates.  Some modules still raise plain English strings, a
few of them with a value formatted in (``f"subject {id}"``).  For those the adapter looks the text up
in the merged message catalog (exact text first, then the :data:`PLAIN_TEMPLATES`, whose ``{fields}``
match the values that were formatted in), so a Chinese page shows Chinese words around the data as
uploaded; a text found nowhere stays as written (English fallback, as everywhere in the catalog).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hcctrials.errors import HcctrialsError, short_repr
from hcctrials.i18n import Msg, catalog, render

__all__ = ["PLAIN_TEMPLATES", "localise", "error_fields"]

# texts raised as plain strings with a value formatted in (hcctrials.endpoints.safety / .study)
PLAIN_TEMPLATES: tuple[str, ...] = (
    "subject {subject}",
    "is in table {table} but not in the subject table",
    "table {table} has no column {column}",
    "the adverse-event table has no column {column}",
    "the dosing table has no column {column}",
    "unknown analysis set {name}",
    # records named by position (hcctrials.matching.cohort passes them through table columns as text)
    "line {n}",
    "row {n}",
    "item {n}",
    # hcctrials.web.forms (patient form and upload) and hcctrials.textdecode
    "not valid {kind}: {problem}: line {line} column {column} (char {char})",
    "not valid {kind}: nested too deeply",
    "a patient record is at most {levels} levels deep",
    "YAML patient file larger than {size} bytes",
    "one of {values}",
    "Expected {expected} in UTF-8 (or GBK/GB18030, UTF-16)",
    "Expected {expected}; save the file as UTF-8",
    "the file does not decode as {encoding} at byte {byte}",
    "the file does not decode as {encoding}",
    "a {kind} patient file",
    "not valid {kind}: {problem}",
)

#: templates whose field is a library's English detail: without a translation of the detail, the
#: shorter message (no detail) is shown, so no English fragment reaches the reader
DETAIL_DROPPED: dict[str, str] = {
    "not valid {kind}: {problem}: line {line} column {column} (char {char})":
        "not valid {kind} (line {line}, column {column})",
    "not valid {kind}: {problem}": "not valid {kind}",
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$", re.S)


_PATTERNS = tuple((template, _pattern(template)) for template in PLAIN_TEMPLATES)


def localise(text: Any, language: str) -> Any:
    """*text* (a Msg, a plain string or None) in *language* (see the module docstring)."""
    if text is None or isinstance(text, Msg) or language == "en" or not isinstance(text, str):
        return render(text, language)
    words: Mapping[str, str] = catalog(language)
    if text in words:
        return words[text]
    for template, pattern in _PATTERNS:
        found = pattern.match(text)
        if found and template in words:
            fields = {k: localise(v, language) for k, v in found.groupdict().items()}
            shorter = DETAIL_DROPPED.get(template)
            if shorter and found.group("problem") not in words and shorter in words:
                return words[shorter].format(**{k: v for k, v in fields.items() if k != "problem"})
            return words[template].format(**fields)
    return text


def error_fields(exc: HcctrialsError, language: str) -> dict[str, Any]:
    """The error's parts for a page, in *language*: message, record and hint are words (translated);
    file, field and value are the data as uploaded and stay as written."""
    value = None if exc.value is None else short_repr(exc.value)
    return {"message": localise(exc.message, language), "file": exc.file,
            "record": localise(exc.record, language), "field": exc.field, "value": value,
            "hint": localise(exc.hint, language)}
