"""Split a published criteria list into its numbered items (Chinese and English).

Registrants number criteria as ``1.`` ``1、`` ``1)`` ``（1）`` ``(1)`` or a bare ``1`` at the
start of a line, and ChiCTR's English export often puts the whole list on one line
("1.Willing ... 2.The age ...").  Items are found as a *sequence*: after item *n* only the
marker of item *n + 1* ends it, so numbers inside an item ("1.5 × 10^9/L", "第8.8节", "≥ 2")
never split it.  A regular expression alone cannot keep that count, hence this small
hand-written scanner.
"""

from __future__ import annotations

import re

__all__ = ["split_items", "detect_script", "has_cjk"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str | None) -> bool:
    """True if *text* holds any CJK ideograph."""
    return bool(text) and _CJK.search(text or "") is not None


def detect_script(text: str | None) -> str | None:
    """'zh' for text with CJK ideographs, 'en' for other text with letters, else None."""
    if not text or not text.strip():
        return None
    if has_cjk(text):
        return "zh"
    if re.search(r"[A-Za-z]", text):
        return "en"
    return None


def _marker(n: int) -> re.Pattern[str]:
    """Where item *n* starts: after the start, a line break, a space or sentence punctuation."""
    num = str(n)
    before = r"(?:^|(?<=[\s。；;.!?！？:：）)\]]))"
    styles = (
        rf"[（(]{num}[）)]",  # （1） (1)
        rf"{num}\s*[.．、](?!\d)",  # 1. 1、 1． but not 1.5
    )
    # "1)" and a bare "1 " only where a new item can start: line start or after "。；;"
    strict = r"(?:^|(?<=\n)|(?<=[。；;])|(?<=[。；;] ))"
    closing = rf"{num}\s*[）)]"
    bare = rf"{num}[ \t\u3000]+(?=\S)"  # "1 经组织学…"
    return re.compile(rf"(?:{before}(?:{'|'.join(styles)}))|(?:{strict}(?:{closing}|{bare}))")


_FIRST = re.compile(r"^\s*(?:[（(](\d{1,2})[）)]|(\d{1,2})\s*[.．、)）](?!\d)|(\d{1,2})[ \t\u3000]+(?=\S))")


def split_items(text: str | None) -> list[str]:
    """The numbered items of a criteria list, markers removed; unnumbered text -> its lines.

    >>> split_items("1.Age 18-75. 2.ECOG 0-1; platelets >= 1.5 x 10^9/L 3.Signed consent")
    ['Age 18-75.', 'ECOG 0-1; platelets >= 1.5 x 10^9/L', 'Signed consent']
    """
    if not text or not text.strip():
        return []
    text = text.strip()
    first = _FIRST.match(text)
    if first is None:
        return [line.strip() for line in text.splitlines() if line.strip()]
    n = int(next(g for g in first.groups() if g))
    starts: list[tuple[int, int]] = [(first.start(), first.end())]
    pos = first.end()
    while True:
        n += 1
        hit = _marker(n).search(text, pos)
        if hit is None:
            break
        starts.append((hit.start(), hit.end()))
        pos = hit.end()
    items = []
    for i, (_, body_start) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        # each line break and the blanks around it -> one space; split, not a regex, so that a
        # long run of blanks without a line break stays linear (issue 11)
        item = " ".join(line.strip(" \t\u3000") for line in text[body_start:end].split("\n")).strip()
        if item:
            items.append(item)
    return items
