"""The reader's language and the page templates: every label through :func:`hcctrials.i18n.say`.

The language of a request is, in order: ``?lang=`` (which the response also stores in a cookie),
the ``hcctrials_lang`` cookie, the browser's ``Accept-Language`` (Chinese if it prefers ``zh``),
else English.  Templates get ``_`` (say in the page's language), ``lang`` and ``switch_url`` (the
same page in the other language), and the filters ``num`` (a number in the reader's locale, Babel's
CLDR formats) and ``both`` (a record Text as its English and Chinese parts).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from babel.numbers import format_decimal
from starlette.requests import Request

from hcctrials.i18n import LANGUAGES, render, say

__all__ = ["COOKIE", "request_language", "explicit_language", "templates", "switch_url", "format_number",
           "LOCALES"]

COOKIE = "hcctrials_lang"
#: Babel locale of each language (number formats).
LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}
_ALIASES = {"cn": "zh", "zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "中文": "zh", "english": "en"}


def _normalise(value: str | None) -> str | None:
    if not value:
        return None
    chosen = value.strip().lower()
    chosen = _ALIASES.get(chosen, chosen)
    return chosen if chosen in LANGUAGES else None


def explicit_language(request: Request) -> str | None:
    """The language named by ``?lang=`` (None when absent or not one of ours)."""
    return _normalise(request.query_params.get("lang"))


def request_language(request: Request) -> str:
    """The language of *request* (module docstring)."""
    chosen = explicit_language(request) or _normalise(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def switch_url(request: Request, language: str) -> str:
    """This page's URL (path and query) with ``lang`` set to *language*."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "page")]
    if "page" in request.query_params:
        params.append(("page", request.query_params["page"]))
    params.append(("lang", language))
    from urllib.parse import urlencode

    return request.url.path + "?" + urlencode(params)


def format_number(value: Any, language: str, digits: int = 2) -> str:
    """*value* in the reader's number format (at most *digits* decimals); "-" for None."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return str(format_decimal(round(value, digits), locale=LOCALES.get(language, "en_GB")))


@jinja2.pass_context
def _say(context: Any, message: str, **fields: Any) -> str:
    return say(message, context.get("lang", "en"), **fields)


def _say_in(language: str, message: str, **fields: Any) -> str:
    """*message* in *language* (the printable summary is in the patient's language, not the page's)."""
    return say(message, language if language in LANGUAGES else "en", **fields)


@jinja2.pass_context
def _num(context: Any, value: Any, digits: int = 2) -> str:
    return format_number(value, context.get("lang", "en"), digits)


@jinja2.pass_context
def _label(context: Any, kind: str, value: Any) -> str:
    from hcctrials.i18n.labels import label

    return label(kind, value, context.get("lang", "en"))


@jinja2.pass_context
def _word(context: Any, kind: str, value: Any) -> str:
    """A coded value of a registry record (study type, allocation, arm type ...) as a word in the page's language
    (:func:`hcctrials.i18n.record_words.value_word`, the table ``trials show`` uses)."""
    from hcctrials.i18n.record_words import value_word

    return value_word(kind, value, context.get("lang", "en")) or ""


@jinja2.pass_context
def _render(context: Any, value: Any) -> Any:
    """A message in the page's language; a recruiting reason's record-status code said as a word
    (:func:`hcctrials.matching.localise.localise_recruiting`; any other message as :func:`render` says it)."""
    from hcctrials.matching.localise import localise_recruiting

    return localise_recruiting(value, context.get("lang", "en"))


@jinja2.pass_context
def _finding(context: Any, finding: Any) -> dict[str, Any]:
    """A record's data-quality finding in the page's language (:func:`hcctrials.i18n.findings.finding_document`)."""
    from hcctrials.i18n.findings import finding_document

    return finding_document(finding, context.get("lang", "en"))


def _both(text: Any) -> tuple[str, str]:
    """A record :class:`~hcctrials.model.trial.Text` as (English, Chinese), empty strings where absent."""
    if text is None:
        return "", ""
    return getattr(text, "en", None) or "", getattr(text, "zh", None) or ""


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    """The Jinja2 environment of the pages (autoescaped; strict about undefined names)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("hcctrials.web", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["_"] = _say
    env.globals["label"] = _label
    env.globals["word"] = _word
    env.globals["_in"] = _say_in
    env.filters["num"] = _num
    env.filters["render"] = _render
    env.filters["both"] = _both
    env.filters["finding"] = _finding
    return env
