"""Text clean-up shared by the splitter and the compiler (pure).

Registry criteria arrive with full-width punctuation (ChiCTR), lost superscripts
("1.5×109/L" for 1.5×10⁹/L after PDF export), escaped carets ("10\\^9", trial-finder pages)
and a zoo of comparator glyphs.  :func:`normalise_text` maps them to one spelling so the
family grammars stay small.  It never changes numbers or words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["normalise_text", "detect_language", "has_cjk"]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPER_POWER = re.compile(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_GLYPHS = [
    ("> or =", "≥"), ("< or =", "≤"), (">/=", "≥"), ("</=", "≤"), ("=/>", "≥"), ("=/<", "≤"),
    ("≧", "≥"), ("≦", "≤"), ("⩾", "≥"), ("⩽", "≤"), (">=", "≥"), ("<=", "≤"), ("=>", "≥"),
    ("=<", "≤"), ("＞", ">"), ("＜", "<"), ("﹥", ">"), ("﹤", "<"), ("\\^", "^"),
    ("μ", "u"), ("µ", "u"), ("〜", "-"), ("～", "-"), ("~", "-"), ("–", "-"), ("—", "-"),
    ("−", "-"), ("‐", "-"), ("‑", "-"), ("×", "x"), ("*", "x"), ("\u3000", " "),
    ("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("、", ","),
]
# "1.5 x 109/L": a lost superscript after a multiplication sign (PDF export of ChiCTR)
_LOST_POWER = re.compile(r"(x\s*)10\s?([369])\s*/\s*(L|l|升)")
_CARET_POWER = re.compile(r"10\s*\^\s*([0-9]+)")
# "...the following: *WBC > 2,400/mm; *Platelet Count > 75,000/ul": an asterisk that opens a list item is a
# bullet, not a multiplication sign (it would read "xWBC")
_BULLET_STAR = re.compile(r"(^|[;:\n]\s*)\*+\s*(?=[A-Za-z\u4e00-\u9fff])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def detect_language(text: str) -> Literal["en", "zh"]:
    """'zh' when the text has a Chinese character, else 'en'."""
    return "zh" if has_cjk(text) else "en"


def normalise_text(text: str) -> str:
    """One spelling for glyphs that mean the same thing (see module docstring).

    NFKC folds full-width ASCII (（１）：；，) to ASCII; comparators become ≥ ≤ > <; the
    multiplication sign and '*' become 'x' (an asterisk opening a list item is dropped); micro signs become 'u'; powers of ten become
    ``10^N``.
    """
    text = _SUPER_POWER.sub(lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), text)
    text = unicodedata.normalize("NFKC", text)
    text = _BULLET_STAR.sub(lambda m: m.group(1), text)
    for old, new in _GLYPHS:
        if old in text:
            text = text.replace(old, new)
    text = _LOST_POWER.sub(lambda m: f"{m.group(1)}10^{m.group(2)}/{m.group(3)}", text)
    text = _CARET_POWER.sub(lambda m: "10^" + m.group(1), text)
    text = _SPACES.sub(" ", text)
    text = _CJK_GAP.sub("", text)  # "正常值 上限" (PDF line wrap) -> "正常值上限"
    return text.strip()
