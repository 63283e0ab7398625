"""One exception tree and the named data-quality warnings used across hcctrials.

Every error names where the problem is (file, record, field, value), what was expected,
and, where possible, how to fix it.  Modules define narrower subclasses of these.
"""

from __future__ import annotations

__all__ = [
    "HcctrialsError",
    "InputError",
    "ParseError",
    "UnitError",
    "ValidationError",
    "StorageError",
    "NotFoundError",
    "DataQualityWarning",
]


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
            shown = repr(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            text += f" (value: {shown})"
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
