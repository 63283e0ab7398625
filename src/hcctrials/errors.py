"""One exception tree and the named data-quality warnings used across hcctrials.

Every error names where the problem is (file, record, field, value), what was expected,
and, where possible, how to fix it.  Modules define narrower subclasses of these.
"""

from __future__ import annotations

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
