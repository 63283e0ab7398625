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
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["LANGUAGES", "say", "resolve_language", "catalog"]

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

    A message without a translation falls back to English (the catalog test fails on it)."""
    text = catalog(language).get(message, message) if language != "en" else message
    return text.format(**fields) if fields else text


def resolve_language(value: str | None) -> str:
    """The language to use: *value* (``--lang``), else ``$HCCTRIALS_LANG``, else English."""
    from hcctrials.errors import InputError

    chosen = (value or os.environ.get("HCCTRIALS_LANG") or "en").strip().lower()
    chosen = {"cn": "zh", "zh-cn": "zh", "zh_cn": "zh", "chinese": "zh", "中文": "zh", "english": "en"}.get(chosen, chosen)
    if chosen not in LANGUAGES:
        raise InputError(f"unknown language {value!r}", field="lang", value=value or chosen,
                         hint="use en or zh")
    return chosen
