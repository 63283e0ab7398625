"""Small shared grammar pieces for the family scanners: hits, comparators, numbers, windows.

Text given to scanners is already :func:`hcctrials.criteria.text.normalise_text`-ed (ASCII
punctuation, ≥ ≤ > <, 'x' for ×, 'u' for µ).  Chinese and English patterns sit side by side.

Chinese "以上/以下" include the stated number (Civil Code of the PRC art. 1259: "以上、以下、
以内、届满，包括本数"), so "1.5×10^9/L以上" is ``>=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from hcctrials.model.eligibility import Comparator

__all__ = [
    "Hit", "Context", "NUM", "COMPARATOR", "parse_comparator", "parse_number", "find_window",
    "Window", "CN_NUMERALS", "to_int", "flip", "ascii_re", "trie_regex",
]


@dataclass
class Context:
    """What a scanner may need besides the text."""

    text: str  # normalised
    lower: str  # lower-cased normalised
    language: str
    role: str | None
    trial_drugs: tuple[str, ...] = ()


@dataclass
class Hit:
    """A span of the criterion text a family turned into a node.

    ``priority`` breaks overlaps (higher wins, then longer).  ``windowed``: the node accepts a
    time window found elsewhere in the clause (therapy, history).
    """

    start: int
    end: int
    node: Any
    priority: int = 0
    family: str = ""
    windowed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

# longest first; value: canonical comparator
_COMPARATORS: list[tuple[str, Comparator]] = [
    ("greater than or equal to", ">="), ("greater than or equal", ">="), ("greater than/equal to", ">="),
    ("greater than / equal to", ">="), ("less than/equal to", "<="), ("less than / equal to", "<="), ("more than or equal to", ">="),
    ("equal to or greater than", ">="), ("equal or greater than", ">="), ("equal to or more than", ">="),
    ("less than or equal to", "<="), ("equal to or less than", "<="), ("equal or less than", "<="),
    ("no less than", ">="), ("not less than", ">="), ("no lower than", ">="), ("not lower than", ">="),
    ("no more than", "<="), ("not more than", "<="), ("not greater than", "<="), ("not exceeding", "<="),
    ("not to exceed", "<="), ("no greater than", "<="), ("no higher than", "<="), ("not higher than", "<="),
    ("at least", ">="), ("at most", "<="), ("a minimum of", ">="), ("minimum of", ">="), ("maximum of", "<="),
    ("greater than", ">"), ("more than", ">"), ("higher than", ">"), ("above", ">"), ("over", ">"),
    ("exceeding", ">"), ("less than", "<"), ("lower than", "<"), ("below", "<"), ("under", "<"),
    ("up to", "<="), ("within", "<="), ("of", "=="), ("is", "=="), ("=", "=="),
    ("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("高于或等于", ">="), ("至少", ">="), ("小于或等于", "<="), ("小于等于", "<="), ("不超过", "<="),
    ("不高于", "<="), ("不大于", "<="), ("低于或等于", "<="), ("不多于", "<="), ("大于", ">"), ("高于", ">"),
    ("超过", ">"), ("多于", ">"), ("小于", "<"), ("低于", "<"), ("少于", "<"), ("≥", ">="), ("≤", "<="),
    (">", ">"), ("<", "<"), ("为", "=="), ("在", "=="), ("是", "=="),
]
_COMPARATORS.sort(key=lambda kv: -len(kv[0]))
COMPARATOR = "(?:" + "|".join(re.escape(k) for k, _ in _COMPARATORS) + ")"
_CMP_MAP = dict(_COMPARATORS)


_ASCII_B = r"(?:(?<![A-Za-z0-9])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?![A-Za-z0-9]))"


def ascii_re(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile *pattern* with ``\\b`` meaning an ASCII word boundary (Python's ``\\b`` sees no
    boundary between a Chinese character and a Latin letter: "已知HIV")."""
    return re.compile(pattern.replace(r"\b", _ASCII_B), flags)


#: a character trie: each key is one character ("" marks the end of a word)
_Trie: TypeAlias = "dict[str, _Trie]"


def trie_regex(words: list[str]) -> str:
    """A regex matching any of *words* (longest first), built as a trie: Python's ``re`` tries
    the branches of a plain alternation one by one at every position, which is what made
    long name lists the slowest part of compiling; a trie shares prefixes."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return "(?:" + emit(trie) + ")"


def parse_comparator(text: str) -> Comparator:
    return _CMP_MAP[text.strip().lower()]


def parse_number(text: str) -> float:
    return float(text.replace(",", ""))


def flip(comparator: str) -> Comparator:
    flipped: dict[str, Comparator] = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "=="}
    return flipped[comparator]


CN_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
               "九": 9, "十": 10, "十二": 12, "二十四": 24}


def to_int(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12,
             "single": 1, "zero": 0, "no": 0}
    if text.lower() in words:
        return words[text.lower()]
    return CN_NUMERALS.get(text)


@dataclass(frozen=True)
class Window:
    days: int
    half_lives: float | None
    whichever_longer: bool
    start: int
    end: int


_UNIT_DAYS = {"day": 1, "days": 1, "d": 1, "天": 1, "日": 1, "week": 7, "weeks": 7, "wk": 7,
              "wks": 7, "周": 7, "星期": 7, "month": 30, "months": 30, "个月": 30, "月": 30,
              "year": 365, "years": 365, "年": 365}
_TU = r"(days?|d|weeks?|wks?|months?|years?|天|日|周|星期|个月|月|年)"
_WINDOW_PATTERNS = [
    # 28 days or 5 half-lives (whichever is longer) / 28天或5个半衰期(以时间长者为准)
    re.compile(
        rf"(?P<n>{NUM}|[一二两三四五六七八九十]+)\s*(?P<u>{_TU})\s*(?:or|或|或者)\s*(?P<h>{NUM})\s*"
        r"(?:个)?\s*(?:half[- ]?lives|half[- ]?life|半衰期)\s*(?:\(?\s*(?P<w>whichever\s+is\s+(?:longer|greater)"
        r"|以(?:时间)?(?:长|较长)者为准|以较长者为准|取较长者)\s*\)?)?",
        re.IGNORECASE),
    re.compile(
        rf"(?:(?:within|in|during|over|for)(?:\s+the)?(?:\s+(?:past|last|previous|preceding|prior))?|(?:past|last|previous|preceding)"
        rf"|<|≤)\s*(?P<n>{NUM}|one|two|three|four|six|twelve)\s*(?P<u>{_TU})\b",
        re.IGNORECASE),
    re.compile(rf"(?P<n>{NUM}|[一二两三四五六七八九十]+)\s*(?P<u>{_TU})\s*(?:内|以内|之内|中|前)"),
    re.compile(rf"(?:过去|近|最近|前)\s*(?:的)?\s*(?P<n>{NUM}|[一二两三四五六七八九十]+)\s*(?P<u>{_TU})"),
    re.compile(rf"(?P<n>{NUM})\s*(?P<u>{_TU})\s*(?:prior|before|preceding)", re.IGNORECASE),
]


def find_window(text: str) -> Window | None:
    """The first look-back window stated in *text* ("within 28 days", "入组前3个月内", "28天或5个
    半衰期(以时间长者为准)"), in days (month = 30 days, year = 365 days)."""
    for pattern in _WINDOW_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        n_text = m.group("n")
        n = to_int(n_text) if not re.match(r"\d", n_text) else parse_number(n_text)
        if n is None:
            continue
        unit = m.group("u").lower()
        days = int(round(float(n) * _UNIT_DAYS.get(unit, _UNIT_DAYS.get(unit.rstrip("s"), 1))))
        groups = m.groupdict()
        half = parse_number(groups["h"]) if groups.get("h") else None
        longer = bool(groups.get("w")) or (half is not None and bool(
            re.search(r"whichever\s+is\s+(?:longer|greater)|以.{0,4}长者为准|较长者", text[m.end():m.end() + 40],
                      re.IGNORECASE)))
        return Window(days=days, half_lives=half, whichever_longer=longer, start=m.start(), end=m.end())
    return None
