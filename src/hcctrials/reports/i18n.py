"""Report wording helpers over the one message catalog (:func:`hcctrials.i18n.say`).

The report's Chinese texts live in ``hcctrials/i18n/locale/zh/LC_MESSAGES/report.po``.  This
module only names the response categories and formats dates and numbers per language; it holds
no translations of its own.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from hcctrials.i18n import say

__all__ = ["response_label", "data_text", "format_day", "pct", "to_range"]


def response_label(code: str, lang: str) -> str:
    """A response category in words, with its abbreviation (RECIST 1.1 / iRECIST names)."""
    words = {
        "CR": say("Complete response (CR)", lang), "PR": say("Partial response (PR)", lang),
        "SD": say("Stable disease (SD)", lang), "NON_CR_NON_PD": say("Non-CR/non-PD", lang),
        "PD": say("Progressive disease (PD)", lang), "NE": say("Not evaluable (NE)", lang),
        "iCR": say("Immune complete response (iCR)", lang),
        "iPR": say("Immune partial response (iPR)", lang),
        "iSD": say("Immune stable disease (iSD)", lang),
        "NON_iCR_NON_iUPD": say("Non-iCR/non-iUPD", lang),
        "iUPD": say("Unconfirmed progression (iUPD)", lang),
        "iCPD": say("Confirmed progression (iCPD)", lang),
        "MISSING": say("No post-baseline assessment", lang),
    }
    return words.get(code, code)


def data_text(value: object, lang: str) -> str:
    """A text that comes from the study data (AE term, system organ class, screen-failure or
    discontinuation reason, safety category) in the reader's language when the catalog has it,
    else as recorded."""
    text = str(value)
    return say(text, lang) if text else text


def format_day(value: str | date | None, lang: str) -> str:
    """A date per language: "31 Mar 2026" / "2026年3月31日"; "-" when unknown."""
    if value is None or value == "":
        return "-"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if lang == "zh":
        return format_date(day, format="long", locale="zh_CN")
    return format_date(day, format="d MMM y", locale="en_GB")


def pct(value: float | None, digits: int = 1) -> str:
    """A proportion as a percentage number (the % sign is in the column header)."""
    return "-" if value is None else f"{100 * value:.{digits}f}"


def to_range(lower: str, upper: str, lang: str) -> str:
    """An interval "a to b" in the reader's language."""
    return say("{lower} to {upper}", lang, lower=lower, upper=upper)
