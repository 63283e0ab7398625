"""The message catalog: every user-facing string in English and Chinese, from one place.

Messages are written in the code in English, wrapped in :func:`say` (the English text is the
message id, gettext style); the Chinese text lives in the gettext catalogs
``hcctrials/i18n/locale/zh/LC_MESSAGES/*.po`` (``hcctrials.po`` for matching and criteria,
one more file per adapter: ``cli.po``, ``web.po``, ``report.po``, ``endpoints.po``), read with Babel (a well-kept library of the
field for .po catalogs and their extraction).  ``tests/test_i18n_catalog.py`` extracts every
``say("...")`` call from the package with Babel and fails on any message without a Chinese text, so
no string is left untranslated.

Fields are ``str.format`` fields, formatted after translation:
``say("{n} trial(s) for other conditions hidden", "zh", n=3)`` -> ``"已隐藏 3 项针对其他疾病的试验"``.

The language comes from ``--lang`` or ``HCCTRIALS_LANG`` (:func:`resolve_language`); English is
the default.  Pure apart from reading the packaged catalog once.

Structured messages (issue 10, "reasons a clinician can read, in Chinese or English"): the
clinical core cannot know the reader's language, so it builds reasons as :class:`Msg` values,
``msg("{label} {value} fails {limit}", label=..., value=..., limit=...)``: a ``str`` whose value
is the English text (every caller that treats a reason as text keeps working), carrying its
``msgid`` and ``fields`` so that an adapter can :func:`render` it in the reader's language later
(fields rendered recursively, so nested messages translate too).  Lists of messages are joined
with :func:`join_msgs`, which keeps the parts.  Record data (drug names as written, dates,
numbers) stay plain fields; vocabulary taken from tables (laboratory names, grades) is wrapped
with :func:`term`, whose Chinese text lives in the catalog like any message.  A plain ``str``
renders as itself (English fallback).  ``tests/test_i18n_catalog.py`` extracts ``msg("...")``
calls as well as ``say("...")``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from collections.abc import Iterable
from typing import Any

__all__ = ["LANGUAGES", "say", "resolve_language", "catalog", "Msg", "msg", "term", "join_msgs", "render", "named"]

#: Languages with a catalog ("en" is the source language).
LANGUAGES = ("en", "zh")


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    """msgid -> translated text for *language* (empty for English, the source language).

    All ``.po`` files of the language are read, in name order, into one catalog; a msgid found in
    two files with different texts is an error (the catalog test names it)."""
    if language == "en":
        return {}
    from babel.messages.pofile import read_po

    folder = resources.files("hcctrials.i18n").joinpath("locale", language, "LC_MESSAGES")
    merged: dict[str, str] = {}
    for path in sorted((p for p in folder.iterdir() if p.name.endswith(".po")), key=lambda p: p.name):
        with path.open("rb") as handle:
            po = read_po(handle, locale=language)
        for m in po:
            if m.id and isinstance(m.id, str) and m.string:
                text = str(m.string)
                if merged.get(str(m.id), text) != text:
                    raise ValueError(f"{path.name}: msgid {m.id!r} has another text in an earlier catalog")
                merged[str(m.id)] = text
    return merged


def say(message: str, language: str = "en", /, **fields: Any) -> str:
    """*message* (English, the msgid) in *language*, with its ``{fields}`` filled in.

    A message without a translation falls back to English (the catalog test fails on it).  A field
    that is a :class:`Msg` (a data-quality finding, a reason) is rendered in *language* too."""
    text = catalog(language).get(message, message) if language != "en" else message
    if not fields:
        return text
    if language == "en":
        return text.format(**fields)
    return text.format(**{k: render(v, language) for k, v in fields.items()})  # a Msg field in the same language


def resolve_language(value: str | None) -> str:
    """The language to use: *value* (``--lang``), else ``$HCCTRIALS_LANG``, else English."""
    from hcctrials.errors import InputError

    chosen = (value or os.environ.get("HCCTRIALS_LANG") or "en").strip().lower()
    chosen = {"cn": "zh", "zh-cn": "zh", "zh_cn": "zh", "chinese": "zh", "中文": "zh", "english": "en"}.get(chosen, chosen)
    if chosen not in LANGUAGES:
        raise InputError(f"unknown language {value!r}", field="lang", value=value or chosen,
                         hint="use en or zh")
    return chosen


class Msg(str):
    """A message built in English now and rendered in any language later (see the module docstring).

    The ``str`` value is the English text, so a Msg compares, hashes, sorts, prints and
    serialises (JSON) as that text; :func:`render` translates it.  Immutable by convention;
    pickles by its msgid and fields (verdicts cross process pools)."""

    msgid: str
    fields: dict[str, Any]

    def __new__(cls, msgid: str, fields: dict[str, Any] | None = None) -> Msg:
        values = dict(fields or {})
        self = super().__new__(cls, msgid.format(**values) if values else msgid)
        self.msgid = msgid
        self.fields = values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Msg, (self.msgid, self.fields))

    def __repr__(self) -> str:
        return f"Msg({str.__repr__(self)})"

    def rendered(self, language: str) -> str:
        """This message in *language* (fields rendered recursively)."""
        if language == "en":
            return str.__str__(self)
        text = catalog(language).get(self.msgid, self.msgid)
        if not self.fields:
            return text
        return text.format(**{k: render(v, language) for k, v in self.fields.items()})


class _Joined(Msg):
    """Messages joined by a separator (itself a message or plain text), parts kept for rendering."""

    sep: str
    parts: tuple[str, ...]

    def __new__(cls, sep: str, parts: Iterable[str]) -> _Joined:
        kept = tuple(parts)
        self = str.__new__(cls, str.__str__(sep).join(str.__str__(p) for p in kept))
        self.msgid, self.fields = "", {}
        self.sep, self.parts = sep, kept
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Joined, (self.sep, self.parts))

    def __repr__(self) -> str:
        return f"join_msgs({str.__repr__(str.__str__(self))})"

    def rendered(self, language: str) -> str:
        if language == "en":
            return str.__str__(self)
        return str(render(self.sep, language)).join(str(render(p, language)) for p in self.parts)


class _Named(Msg):
    """A name with its own text per language (a drug's names from the lexicon; a label as written with
    the catalog's words for another language), not one catalog entry."""

    names: dict[str, str]

    def __new__(cls, names: dict[str, str]) -> _Named:
        self = str.__new__(cls, str.__str__(names["en"]))
        self.msgid, self.fields = "", {}
        self.names = dict(names)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Named, (self.names,))

    def __repr__(self) -> str:
        return f"named({self.names!r})"

    def rendered(self, language: str) -> str:
        if language == "en":
            return str.__str__(self)
        return str(render(self.names.get(language) or self.names["en"], language))


def named(en: str, **others: str) -> Msg:
    """A name given in each language by the caller (``named("atezolizumab", zh="阿替利珠单抗")``; a value
    may itself be a message, rendered in that language): the lexicon's names of a drug, rendered in the
    reader's language without a catalog entry."""
    return _Named({"en": en, **{k: v for k, v in others.items() if v}})


def msg(message: str, /, **fields: Any) -> Msg:
    """A message (English msgid with ``{fields}``) to be rendered later: ``str(msg(...))`` is the English text."""
    return Msg(message, fields)


def term(word: str) -> Msg:
    """A word from a vocabulary table (a laboratory name, a grade) as a message: rendered from the
    catalog when it holds the word, else as written.  Not extracted (the word is not a literal);
    the tables' own tests check that each word has a Chinese text."""
    return Msg(word, {})


def join_msgs(sep: str, parts: Iterable[str]) -> Msg:
    """``sep.join(parts)`` that keeps the parts (and the separator, if a :class:`Msg`) for :func:`render`."""
    return _Joined(sep, parts)


def render(value: Any, language: str = "en") -> Any:
    """*value* in *language*: a :class:`Msg` is translated (fields recursively), a plain ``str`` is
    returned unchanged (English fallback), anything else (a number) as is."""
    if isinstance(value, Msg):
        return value.rendered(language)
    return value
