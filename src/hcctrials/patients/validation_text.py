"""Pydantic validation errors as catalog messages, translated by the error ``type`` (issue 13).

Pydantic words its errors in English (``"Input should be a valid integer, unable to parse string as an
integer"``).  The reader's language must not depend on parsing that text, so each error is turned into
a :class:`~hcctrials.i18n.Msg` chosen by its ``type`` (``missing``, ``int_parsing``, ``date_parsing``,
``literal_error``, ``greater_than_equal`` ...) with the error's context (``ge``, ``expected`` ...) as
fields.  The English msgids are pydantic's own message templates (pydantic-core 2.x,
``pydantic_core.list_all_errors()``), so English output is unchanged; the Chinese texts live in
``i18n/locale/zh/LC_MESSAGES/errors.po``.

A few errors carry an English detail from a library (``date_parsing``: "month value is outside expected
range of 1-12"; ``json_invalid``: "Expecting value"): the detail is rendered from the catalog when it
holds the text, else the Chinese text leaves the detail out (:class:`DetailedMsg`), so no English
fragment reaches a Chinese reader.  An error type not listed here becomes a generic message naming the
type.  Used by the patient readers and by the web app for request bodies.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from hcctrials.i18n import Msg, catalog, join_msgs, msg, render, term

__all__ = ["validation_message", "field_path", "DetailedMsg", "KNOWN_TYPES"]


class DetailedMsg(Msg):
    """A message with a library's English *detail*: rendered with the detail (``with_detail``) where the
    reader's catalog translates the detail, else as ``without`` (English always shows the detail)."""

    without: Msg
    detail: str

    def __new__(cls, with_detail: Msg, without: Msg, detail: str) -> DetailedMsg:
        self = cast(DetailedMsg, super().__new__(cls, with_detail.msgid, with_detail.fields))
        self.without = without
        self.detail = detail
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (DetailedMsg, (Msg(self.msgid, self.fields), self.without, self.detail))

    def rendered(self, language: str) -> str:
        if language == "en" or catalog(language).get(self.detail):
            return super().rendered(language)
        return self.without.rendered(language)


class EnglishOnly(Msg):
    """A fragment of English grammar (pydantic's plural "s"): itself in English, nothing in another language."""

    def __new__(cls, text: str) -> EnglishOnly:
        return cast(EnglishOnly, super().__new__(cls, text, {}))

    def __reduce__(self) -> tuple[Any, ...]:
        return (EnglishOnly, (str.__str__(self),))

    def rendered(self, language: str) -> str:
        return str.__str__(self) if language == "en" else ""


def _plural(ctx: Mapping[str, Any]) -> dict[str, Any]:
    return {"expected_plural": EnglishOnly(str(ctx.get("expected_plural", "")))}


def _detailed(with_detail: Callable[[Msg], Msg], without: Msg, ctx: Mapping[str, Any]) -> Msg:
    detail = str(ctx.get("error", ""))
    if not detail:
        return without
    return DetailedMsg(with_detail(term(detail)), without, detail)


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\d+(?:\.\d+)?|True|False|None")


def _expected(ctx: Mapping[str, Any]) -> str:
    """The allowed values of a ``literal_error``/``enum`` (pydantic writes ``'a', 'b' or 'c'``) with the
    words between them in the reader's language; the values stay as written."""
    text = str(ctx.get("expected", ""))
    items = _QUOTED.findall(text)
    if len(items) < 2 or ", ".join(items[:-1]) + " or " + items[-1] != text:
        return text
    return msg("{choices} or {last}", choices=join_msgs(msg(", "), items[:-1]), last=items[-1])


#: error type -> message built from the error's context (English = pydantic's own template)
_MESSAGES: dict[str, Callable[[Mapping[str, Any]], Msg]] = {
    "missing": lambda c: msg("Field required"),
    "extra_forbidden": lambda c: msg("Extra inputs are not permitted"),
    "model_type": lambda c: msg("Input should be a valid dictionary or instance of {class_name}",
                                class_name=c.get("class_name", "")),
    "model_attributes_type": lambda c: msg("Input should be a valid dictionary or object to extract fields from"),
    "dict_type": lambda c: msg("Input should be a valid dictionary"),
    "list_type": lambda c: msg("Input should be a valid list"),
    "tuple_type": lambda c: msg("Input should be a valid tuple"),
    "set_type": lambda c: msg("Input should be a valid set"),
    "iterable_type": lambda c: msg("Input should be iterable"),
    "none_required": lambda c: msg("Input should be None"),
    "string_type": lambda c: msg("Input should be a valid string"),
    "string_sub_type": lambda c: msg("Input should be a string, not an instance of a subclass of str"),
    "string_unicode": lambda c: msg("Input should be a valid string, unable to parse raw data as a unicode string"),
    "string_too_short": lambda c: msg("String should have at least {min_length} character{expected_plural}",
                                      min_length=c.get("min_length"), **_plural(c)),
    "string_too_long": lambda c: msg("String should have at most {max_length} character{expected_plural}",
                                     max_length=c.get("max_length"), **_plural(c)),
    "string_pattern_mismatch": lambda c: msg("String should match pattern '{pattern}'", pattern=c.get("pattern")),
    "too_short": lambda c: msg("{field_type} should have at least {min_length} item{expected_plural} after "
                               "validation, not {actual_length}", field_type=term(str(c.get("field_type", ""))),
                               min_length=c.get("min_length"), actual_length=c.get("actual_length"), **_plural(c)),
    "too_long": lambda c: msg("{field_type} should have at most {max_length} item{expected_plural} after "
                              "validation, not {actual_length}", field_type=term(str(c.get("field_type", ""))),
                              max_length=c.get("max_length"), actual_length=c.get("actual_length"), **_plural(c)),
    "bool_type": lambda c: msg("Input should be a valid boolean"),
    "bool_parsing": lambda c: msg("Input should be a valid boolean, unable to interpret input"),
    "int_type": lambda c: msg("Input should be a valid integer"),
    "int_parsing": lambda c: msg("Input should be a valid integer, unable to parse string as an integer"),
    "int_parsing_size": lambda c: msg("Unable to parse input string as an integer, exceeded maximum size"),
    "int_from_float": lambda c: msg("Input should be a valid integer, got a number with a fractional part"),
    "float_type": lambda c: msg("Input should be a valid number"),
    "float_parsing": lambda c: msg("Input should be a valid number, unable to parse string as a number"),
    "finite_number": lambda c: msg("Input should be a finite number"),
    "decimal_parsing": lambda c: msg("Input should be a valid decimal"),
    "bytes_type": lambda c: msg("Input should be a valid bytes"),
    "greater_than": lambda c: msg("Input should be greater than {gt}", gt=c.get("gt")),
    "greater_than_equal": lambda c: msg("Input should be greater than or equal to {ge}", ge=c.get("ge")),
    "less_than": lambda c: msg("Input should be less than {lt}", lt=c.get("lt")),
    "less_than_equal": lambda c: msg("Input should be less than or equal to {le}", le=c.get("le")),
    "multiple_of": lambda c: msg("Input should be a multiple of {multiple_of}", multiple_of=c.get("multiple_of")),
    "literal_error": lambda c: msg("Input should be {expected}", expected=_expected(c)),
    "enum": lambda c: msg("Input should be {expected}", expected=_expected(c)),
    "date_type": lambda c: msg("Input should be a valid date"),
    "date_parsing": lambda c: _detailed(
        lambda d: msg("Input should be a valid date in the format YYYY-MM-DD, {error}", error=d),
        msg("Input should be a valid date in the format YYYY-MM-DD"), c),
    "date_from_datetime_parsing": lambda c: _detailed(
        lambda d: msg("Input should be a valid date or datetime, {error}", error=d),
        msg("Input should be a valid date or datetime"), c),
    "date_from_datetime_inexact": lambda c: msg(
        "Datetimes provided to dates should have zero time - e.g. be exact dates"),
    "date_future": lambda c: msg("Date should be in the future"),
    "datetime_type": lambda c: msg("Input should be a valid datetime"),
    "datetime_parsing": lambda c: _detailed(
        lambda d: msg("Input should be a valid datetime, {error}", error=d),
        msg("Input should be a valid datetime"), c),
    "json_invalid": lambda c: _detailed(lambda d: msg("Invalid JSON: {error}", error=d), msg("Invalid JSON"), c),
    "json_type": lambda c: msg("JSON input should be string, bytes or bytearray"),
    "value_error": lambda c: _detailed(lambda d: msg("Value error, {error}", error=d),
                                       msg("the values contradict each other"), c),
    "assertion_error": lambda c: _detailed(lambda d: msg("Assertion failed, {error}", error=d),
                                           msg("the values contradict each other"), c),
    "uuid_parsing": lambda c: msg("Input should be a valid UUID"),
    "url_parsing": lambda c: msg("Input should be a valid URL"),
    "url_type": lambda c: msg("URL input should be a string or URL"),
}

#: The pydantic error types with a message of their own (others get a generic one naming the type).
KNOWN_TYPES = frozenset(_MESSAGES)


def validation_message(error: Mapping[str, Any]) -> Msg:
    """The message of one pydantic error (an item of ``ValidationError.errors()``), chosen by its type."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    build = _MESSAGES.get(kind)
    if build is None:
        return msg("the value does not fit the schema (check {type})", type=kind or "?")
    return build(ctx)


def field_path(loc: Sequence[Any], *, skip: Sequence[str] = ()) -> str:
    """An error location as a dotted field path (``labs.0.value``); parts in *skip* (``body``) left out."""
    return ".".join(str(p) for p in loc if p not in skip)


def rendered(error: Mapping[str, Any], language: str) -> str:
    """:func:`validation_message` of *error* in *language*."""
    return str(render(validation_message(error), language))
