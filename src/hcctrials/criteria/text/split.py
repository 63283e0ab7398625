"""Split an eligibility text block into numbered criteria (English and Chinese; pure).

Handles "Inclusion Criteria:" / "Exclusion Criteria:" / 纳入标准 / 入选标准 / 排除标准 headers,
numbered lists (``1.`` ``1、`` ``1)`` ``(1)`` ``（1）`` ``①``), bullets (``-`` ``•`` ``*``),
the ChiCTR export that puts a whole list on one line ("1.xxx 2.yyy" or "1. ...;2. ..."),
and run-on paragraphs without markers (split at ``;``/``；``/``。``).

Rules: the first marker style met in a block is the top level; a marker only starts a new
item when it is the next number in sequence (so "ECOG 0 or 1. 8.According" or "INR 1.5"
never split); sub-items of another style (a) (1) ① and indented bullets stay with their
parent.  Nothing is dropped: every character of the input is inside an item or in a
reported header/marker span (:attr:`SplitResult.dropped`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hcctrials.criteria.text.normalise import detect_language
from hcctrials.model.eligibility import Role

__all__ = ["CriterionText", "SplitResult", "split_criteria", "split_block", "is_heading", "carry_headings"]

#: Items that are not criteria: section headings and list lead-ins ("DISEASE CHARACTERISTICS:",
#: "Renal:", "Adequate organ function as follows:") and empty statements ("Not specified").  Issue 10:
#: they are not criteria and leave the matching and the coverage denominator; the items under a
#: heading carry the rules.
_EMPTY_ITEM = re.compile(r"^\s*(?:not specified|none|n/?a|not applicable|无|不适用)\s*[.。]?\s*$", re.IGNORECASE)
#: a cross-reference to another section of the same record ("See Disease Characteristics", "See General
#: Eligibility Criteria": the PDQ export's pointer; the section it names carries the rules) is not a criterion.
#: A lone connective between two items ("Or") is NOT dropped: it makes its neighbours alternatives, and
#: dropping it would silently require both (it stays a criterion that needs review)
_NOT_A_CRITERION = re.compile(r"^\s*(?:see\s+(?:(?:the\s+)?(?:disease|patient)\s+characteristics|general\s+eligibility(?:\s+criteria)?)"
                              # "Required laboratory values" (NCT00081900): a lead-in whose colon the export lost; the
                              # next item ("Renal function: serum creatinine <= 1.2 mg/dL ...") holds the values
                              r"|required\s+laboratory\s+(?:values|parameters))\s*[.。]?\s*$"
                              # a pointer to a web page ("For more information regarding BMS clinical trial participation,
                              # please visit www.BMSStudyConnect.com", NCT02576509) and the registry's disclaimer about the
                              # list ("The above information is not intended to contain all considerations relevant to a
                              # patient's potential participation in a clinical trial.", NCT00791544): they state no
                              # condition of the patient
                              r"|^\s*for\s+more\s+information\b[^;。]{0,120}?,?\s*(?:please\s+)?(?:visit|see|go\s+to|refer\s+to)\s+"
                              r"(?:https?://|www\.)[^\s;。]+?\s*[.。]?\s*$"
                              r"|^\s*the\s+above\s+information\s+is\s+not\s+intended\s+to\s+contain\s+all\s+considerations\s+"
                              r"relevant\s+to\s+a\s+patient'?s\s+potential\s+participation\s+in\s+a\s+clinical\s+trial\s*[.。]?\s*$",
                              re.IGNORECASE)


def is_heading(text: str) -> bool:
    """True for a section heading, a list lead-in or an empty statement (not a criterion)."""
    stripped = text.strip()
    return bool(_EMPTY_ITEM.match(stripped) or _NOT_A_CRITERION.match(stripped)) or stripped.endswith((":", "："))


@dataclass(frozen=True)
class CriterionText:
    """One criterion as written: number ("3", "b3" for bullets), text, role and span."""

    number: str
    text: str
    language: str
    role: Role | None
    start: int
    end: int


@dataclass
class SplitResult:
    items: list[CriterionText] = field(default_factory=list)
    dropped: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, what)


_HEADER = re.compile(
    r"(?P<h>(?:key[ \t]+)?(?P<en>inclusion|exclusion|eligibility)[ \t]+criteria(?:[ \t]*\([^)\n]{0,60}\))?[ \t]*[:：]?"
    r"|(?P<zh>纳入标准|入选标准|入组标准|排除标准|剔除标准)[ \t]*[:：]?)",
    re.IGNORECASE,
)

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# top-level marker styles: (name, regex with group 'n')
_STYLES: list[tuple[str, re.Pattern[str]]] = [
    ("paren", re.compile(r"(?:(?<=^)|(?<=[\s;；。.:：]))[(（](?P<n>\d{1,2})[)）]\s*")),
    ("dot", re.compile(r"(?:(?<=^)|(?<=[\s;；。:：,，]))(?P<n>\d{1,2})\s*[.．、](?!\d)\s*")),
    ("close", re.compile(r"(?:(?<=^)|(?<=[\s;；。:：]))(?P<n>\d{1,2})[)）]\s*")),
    ("circled", re.compile(r"(?P<n>[①-⑳])\s*")),
]
_BULLET = re.compile(r"^(?P<indent>[^\S\n]*)(?P<m>[-•*·●▪◦]|\u2022)\s+", re.MULTILINE)


def _num(style: str, raw: str) -> int:
    return _CIRCLED.index(raw) + 1 if style == "circled" else int(raw)


def _sequence(style: str, hits: list[re.Match[str]], base: int) -> list[tuple[int, int, int, int]]:
    """Markers numbered 1, 2, 3 ... in order (others are ignored)."""
    seq: list[tuple[int, int, int, int]] = []
    expected = 1
    for m in hits:
        n = _num(style, m.group("n"))
        if n == expected:
            seq.append((base + m.start(), base + m.end(), n, 0))
            expected += 1
    return seq


def _numbered(text: str, base: int) -> list[tuple[int, int, int, int]] | None:
    """Sequential numbered markers: list of (marker_start, marker_end, number) or None."""
    best: list[tuple[int, int, int, int]] | None = None
    first_pos = None
    for style, pattern in _STYLES:
        hits = list(pattern.finditer(text))
        if not hits:
            continue
        at_line_start = [m for m in hits if m.start() == 0 or text[: m.start()].rstrip(" \t").endswith("\n")]
        seq = _sequence(style, hits, base)
        if len(at_line_start) >= 2:
            line_seq = _sequence(style, at_line_start, base)
            if len(line_seq) >= len(seq):
                seq = line_seq
        if len(seq) >= 2 or (len(seq) == 1 and seq[0][0] - base <= 2):
            pos = seq[0][0]
            if first_pos is None or pos < first_pos:
                best, first_pos = seq, pos
    return best


def _bullets(text: str, base: int) -> list[tuple[int, int, int, int]] | None:
    hits = list(_BULLET.finditer(text))
    if not hits:
        return None
    top = min(len(m.group("indent").expandtabs(4)) for m in hits)
    out = []
    for i, m in enumerate(m for m in hits if len(m.group("indent").expandtabs(4)) == top):
        out.append((base + m.start("m"), base + m.end(), i + 1, 1))
    return out


def split_block(text: str, *, role: Role | None = None, base: int = 0) -> SplitResult:
    """Split one block (no headers) into criteria; spans are offsets in the caller's text."""
    result = SplitResult()
    markers = _numbered(text, base)
    bullets = _bullets(text, base)
    if bullets and (not markers or bullets[0][0] < markers[0][0]):
        markers = bullets
    if markers:
        lead = text[: markers[0][0] - base]
        if lead.strip():
            _add(result, lead, base, "0", role)
        for i, (ms, me, n, is_bullet) in enumerate(markers):
            end = markers[i + 1][0] if i + 1 < len(markers) else base + len(text)
            result.dropped.append((ms, me, "marker"))
            _add(result, text[me - base : end - base], me, ("b" if is_bullet else "") + str(n), role)
        return result
    # run-on paragraph: lines, then ; ； 。 inside a single line
    pieces = _runon(text)
    for k, (s, e) in enumerate(pieces, start=1):
        _add(result, text[s:e], base + s, f"p{k}", role)
    return result


_RUNON_SEP = re.compile(r"[;；。\n]")


def _runon(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _RUNON_SEP.finditer(text):
        if text[start : m.end()].strip():
            out.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def _add(result: SplitResult, chunk: str, offset: int, number: str, role: Role | None) -> None:
    stripped = chunk.strip()
    if not stripped:
        return
    lstrip = len(chunk) - len(chunk.lstrip())
    start = offset + lstrip
    result.items.append(
        CriterionText(number=number, text=" ".join(stripped.split()), language=detect_language(stripped),
                      role=role, start=start, end=start + len(stripped))
    )


def split_criteria(text: str, *, role: Role | None = None) -> SplitResult:
    """Split a whole criteria section (may contain inclusion and exclusion headers).

    *role* is the role of text before any header (``None``: unknown).
    """
    result = SplitResult()
    headers = list(_HEADER.finditer(text))
    blocks: list[tuple[int, int, Role | None]] = []
    pos, current = 0, role
    for h in headers:
        if h.start() > pos:
            blocks.append((pos, h.start(), current))
        word = (h.group("en") or h.group("zh") or "").lower()
        if word in ("inclusion", "纳入标准", "入选标准", "入组标准"):
            current = "inclusion"
        elif word in ("exclusion", "排除标准", "剔除标准"):
            current = "exclusion"
        result.dropped.append((h.start(), h.end(), "header"))
        pos = h.end()
    blocks.append((pos, len(text), current))
    for start, end, block_role in blocks:
        part = split_block(text[start:end], role=block_role, base=start)
        result.items.extend(part.items)
        result.dropped.extend(part.dropped)
    return result


#: A section heading that names the quantity its items give the value of (the PDQ export: "Age:" then "18 and
#: over", "Life expectancy:" then "At least 12 weeks", "Performance status:" then "ECOG 0-2").  Issue 10: the value
#: alone is not a criterion a reader can decide; the heading is carried onto each item of its section that does not
#: name the quantity itself.  Other headings ("Hepatic:", "Renal:") only group items that name their own analyte.
_FIELD_HEADING = re.compile(r"^\s*(?P<field>age|life expectancy|performance status|年龄|预期生存期?)\s*[:：]\s*$",
                            re.IGNORECASE)
_FIELD_NAMED = {
    "age": re.compile(r"(?<![a-z])age[sd]?(?![a-z])|years?\s+old", re.IGNORECASE),
    "life expectancy": re.compile(r"life\s+expectancy|surviv|预期", re.IGNORECASE),
    "performance status": re.compile(r"performance|ecog|karnofsky|zubrod|\bwho\b|\bps\b|体力|体能", re.IGNORECASE),
    "年龄": re.compile(r"年龄|age", re.IGNORECASE),
    "预期生存": re.compile(r"预期|生存", re.IGNORECASE),
    "预期生存期": re.compile(r"预期|生存", re.IGNORECASE),
}
#: "Creatinine normal OR" followed by the item "Creatinine clearance at least 60 mL/min": the alternative was put in
#: the next item; the two are one criterion (an either-or), never two requirements
_TRAILING_OR = re.compile(r"(?:^|\s)(?:or|或)\s*$", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[a-z]{3,}|[\u4e00-\u9fff]{2}", re.IGNORECASE)


def carry_headings(items: list[CriterionText]) -> list[CriterionText]:
    """The criteria of one ordered list of items (one role), headings removed (:func:`is_heading`).

    * A field heading ("Age:", "Life expectancy:", "Performance status:") is prefixed to each following item of its
      section that does not name the field ("18 and over" -> "Age: 18 and over"); the next heading ends the section.
    * An item ending with "OR" whose next item starts with the same word ("Creatinine normal OR" / "Creatinine
      clearance at least 60 mL/min") is joined with it into one criterion under the first item's number; an item
      ending with "OR" followed by anything else keeps its dangling alternative (for review).

    Numbers are never renumbered: every kept item keeps its own number (a joined item its first one).
    """
    out: list[CriterionText] = []
    field: str | None = None
    skip = -1
    for i, item in enumerate(items):
        if i <= skip:
            continue
        stripped = item.text.strip()
        if is_heading(stripped):
            m = _FIELD_HEADING.match(stripped)
            field = m.group("field").lower() if m else None
            continue
        text = item.text
        end = item.end
        nxt = items[i + 1] if i + 1 < len(items) else None
        if _TRAILING_OR.search(stripped) and nxt is not None and not is_heading(nxt.text) and nxt.role == item.role:
            first, second = _FIRST_WORD.search(stripped), _FIRST_WORD.search(nxt.text)
            if first and second and first.group(0).lower() == second.group(0).lower():
                text = f"{stripped}\n{nxt.text.strip()}"
                end = nxt.end
                skip = i + 1
        if field is not None and not _FIELD_NAMED[field].search(text):
            heading = "Age" if field == "age" else field[0].upper() + field[1:] if field.isascii() else field
            sep = "：" if not field.isascii() else ": "
            text = f"{heading}{sep}{text.strip()}"
        out.append(CriterionText(item.number, text, item.language, item.role, item.start, end))
    return out
