"""One exception tree and the named data-quality warnings used across hcctrials.

Every error names where the problem is (file, record, field, value), what was expected,
and, where possible, how to fix it.  Modules define narrower subclasses of these.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

__all__ = [
    "short_repr",
    "HcctrialsError",
    "InputError",
    "ParseError",
    "UnitError",
    "ValidationError",
    "StorageError",
    "NotFoundError",
    "DataQualityWarning",
    "describe",
    "is_record",
]


#: Longest value shown in an error message.
VALUE_WIDTH = 80


class _ShortRepr(reprlib.Repr):
    """A repr that never builds the whole text of a large value.

    Containers are shown to two levels and their first few items (reprlib), strings and
    bytes are cut before ``repr`` is called, so a value of gigabytes (a YAML "billion
    laughs" alias bomb, a 50 MB title) costs as much as its first few items.
    """

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 2
        self.maxstring = VALUE_WIDTH
        self.maxother = VALUE_WIDTH
        self.maxlong = 40
        for name in ("maxtuple", "maxlist", "maxarray", "maxdict", "maxset", "maxfrozenset", "maxdeque"):
            setattr(self, name, 4)

    def repr_bytes(self, x: bytes, level: int) -> str:
        return self._cut(repr(x[: self.maxstring]), len(x) > self.maxstring)

    def repr_bytearray(self, x: bytearray, level: int) -> str:
        return self._cut(repr(bytes(x[: self.maxstring])), len(x) > self.maxstring)

    def repr_str(self, x: str, level: int) -> str:
        return self._cut(repr(x[: self.maxstring]), len(x) > self.maxstring)

    @staticmethod
    def _cut(shown: str, longer: bool) -> str:
        return shown + "..." if longer else shown


_SHORT = _ShortRepr()


def short_repr(value: Any, width: int = VALUE_WIDTH) -> str:
    """``repr(value)`` cut to *width* characters, without building the whole repr first.

    Strings, bytes and containers are cut before they are rendered (:class:`_ShortRepr`);
    other objects use their own ``repr``, which must then be cheap (numbers, dates, enums;
    pandas and NumPy shorten theirs).
    """
    try:
        shown = _SHORT.repr(value)
    except Exception:  # a broken __repr__ must not hide the error being reported
        shown = f"<{type(value).__name__}>"
    if len(shown) > width:
        shown = shown[: width - 3] + "..."
    return shown


class HcctrialsError(Exception):
    """Base of every error raised on purpose by hcctrials."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | None = None,
        field: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.record = record
        self.field = field
        self.value = value
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.record:
            where.append(f"record {self.record}")
        if self.field:
            where.append(f"field {self.field}")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.value is not None:
            text += f" (value: {short_repr(self.value)})"
        if self.hint:
            text += f". {self.hint}"
        return text


def is_record(value: object) -> bool:
    """Whether an error's *value* is a whole record (a mapping, or a list of them) rather than the
    value of one field: pydantic reports a missing field with its parent object as input.  A whole
    record is never shown (a patient's data stay out of terminals, responses and logs)."""
    from collections.abc import Mapping

    if isinstance(value, Mapping):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, (Mapping, list, tuple)) for item in value)
    return False


def _words(text: Any, language: str) -> Any:
    """A message, record or hint in *language*: a :class:`~hcctrials.i18n.Msg` is rendered; a plain
    English text (a module not yet on the catalog) is looked up whole in the catalog, else kept."""
    from hcctrials.i18n import Msg, catalog, render, say

    if text is None or language == "en" or isinstance(text, Msg) or not isinstance(text, str):
        return render(text, language)
    numbered = _NUMBERED.match(text)  # "line 3" of a record that crossed a table column as text
    if numbered:
        word, n = numbered.groups()
        return {"line": say("line {n}", language, n=n), "row": say("row {n}", language, n=n),
                "item": say("item {n}", language, n=n)}[word]
    return catalog(language).get(text, text)


#: records named by their position ("line 3", "row 12", "item 0"): catalog messages "line {n}" ...
_NUMBERED = re.compile(r"^(line|row|item) (\d+)$")


def describe(exc: HcctrialsError, language: str = "en", *, translate: Any = None) -> str:
    """The one-line text of *exc* in *language*: where (file, record, field), what, the field's value
    and the hint, never a whole record as value.  English is ``str(exc)`` exactly; another language
    has its words from the catalog around the data as given (file, field, value).  *translate*
    (text, language) -> text renders the message, record and hint (default: :func:`_words`)."""
    words = translate or _words
    show_value = exc.value is not None and not is_record(exc.value)
    if language == "en":
        if show_value:
            return str(exc)
        import copy

        shown = copy.copy(exc)
        shown.value = None
        return str(shown)
    from hcctrials.i18n import say

    where = []
    if exc.file:
        file = (say("request body", language) if exc.file == "request body" else
                say("form", language) if exc.file == "form" else exc.file)
        where.append(say("file {file}", language, file=file))
    if exc.record:
        where.append(say("record {record}", language, record=words(exc.record, language)))
    if exc.field:
        where.append(say("field {field}", language, field=exc.field))
    text = str(words(exc.message, language))
    if where:
        text = say("{where}: {message}", language, where=say("; ", language).join(where), message=text)
    if show_value:
        text += say(" (value: {value})", language, value=short_repr(exc.value))
    if exc.hint:
        text += say(". {hint}", language, hint=words(exc.hint, language))
    return text


class InputError(HcctrialsError):
    """The user's input (file, argument, table) cannot be used as given."""


class ParseError(InputError):
    """A registry record or data file could not be parsed."""


class UnitError(InputError):
    """A unit is unknown, missing, or implausible for the analyte; never guessed."""


class ValidationError(InputError):
    """Data parsed but breaks a rule (impossible value, inconsistent dates, ...)."""


class StorageError(HcctrialsError):
    """The database could not be read or written."""


class NotFoundError(HcctrialsError):
    """A requested trial, patient or study does not exist."""


class DataQualityWarning(UserWarning):
    """Base of the named warnings about data that do not stop the work."""
