"""Lead-ins of laboratory lists (issue 10): "Adequate organ function as defined below:", "Acceptable
laboratory parameters, as demonstrated by:", "Have adequate hepatic function, as determined by the
following tests measured within 28 days prior to registration: ...".

A lead-in names the organ functions its items define and, sometimes, when the tests are taken; the
items (one threshold each) carry the rules.  A lead-in that says only that is not a rule of its own:
the compiler reads it as the heading of its items (its window, if any, applies to their lab
thresholds) instead of leaving its words for review.  Anything else in the sentence (a qualifier,
a condition, "at least" ...) keeps the usual handling: the lead-in pattern must match the whole
text up to the colon.  Pure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hcctrials.model.eligibility import Node

__all__ = ["is_lab_lead_in", "split_lab_lead_ins", "audit_unread_lab"]

_WHO = r"(?:(?:the\s+)?(?:patients?|subjects?|participants?)\s+(?:must\s+|should\s+)?(?:has|have|with|meet)\s+|(?:must\s+)?(?:has|have)\s+)"
_QUALITY = r"(?:adequate|acceptable|normal|sufficient|satisfactory|inadequate)"
_ORGAN = (r"(?:bone\s+marrow|marrow|organ|ha?ematologic(?:al)?|ha?ematology|liver|hepatic|renal|kidney|coagulation"
          r"|laboratory|lab|blood)")
_ORGANS = rf"{_ORGAN}(?:\s*(?:,|/|\band\b|,\s*and\b)\s*{_ORGAN})*"
_WHAT = r"(?:functions?|reserve|parameters?|values?|tests?|test\s+results|requirements|criteria)"
_HOW = (r"(?:(?:as\s+)?(?:defined|demonstrated|assessed|evidenced|documented|determined|shown|indicated)\s+(?:by|as|below)"
        r"(?:\s+(?:the\s+)?following)?(?:\s+(?:laboratory\s+|lab\s+)?(?:tests?|values|parameters|requirements|criteria|results))?"
        r"|as\s+follows|including|defined\s+below|below)")
_WHEN = (r"(?:(?:measured|obtained|performed|conducted|done|taken)\s+)?within\s+\d{1,3}\s+days?"
         r"(?:\s+(?:prior\s+to|before|of)\s+(?:the\s+)?(?:registration|enrol{1,2}ment|randomi[sz]ation|screening|"
         r"study\s+entry|entry|first\s+dose|treatment|day\s*1|study\s+treatment|inclusion))?")
_SCREEN = r"(?:at\s+screening|at\s+baseline)"
_MARKER = r"(?:\s*(?:[-*•]\s*)?(?:\d{1,2}|[a-z]|[ivx]{1,4})?\s*[.)]?\s*)"

#: the whole text of a lead-in, up to and including its colon
_LEAD_IN = re.compile(
    rf"\s*{_WHO}?(?:the\s+following\s+)?(?:{_QUALITY}\s+)?{_ORGANS}\s*(?:{_WHAT})?"
    rf"(?:\s*,?\s*{_HOW})?(?:\s*,?\s*{_WHEN})?(?:\s*,?\s*{_SCREEN})?(?:\s*,?\s*(?:including|as\s+follows))?\s*[:：]",
    re.IGNORECASE)
_THE_FOLLOWING = re.compile(
    rf"\s*{_WHO}?the\s+following\s+(?:laboratory|lab)\s+(?:parameters|values|tests|requirements|criteria)"
    rf"(?:\s*,?\s*{_WHEN})?(?:\s*,?\s*{_SCREEN})?\s*[:：]", re.IGNORECASE)


# "Patients who meet the following items to determine liver function:" (a Japanese-English record, NCT00165633)
_ITEMS_TO_DETERMINE = re.compile(
    rf"\s*(?:(?:the\s+)?(?:patients?|subjects?|participants?)\s+who\s+meet\s+)?the\s+following\s+items\s+to\s+"
    rf"(?:determine|assess|evaluate)\s+(?:the\s+)?{_ORGANS}\s*(?:{_WHAT})?\s*[:：]", re.IGNORECASE)
# "- 1) Albumin is 2.8 g/dL or above - 2) Total bilirubin ...": numbered items after a lead-in, run into one sentence
_ITEM_MARKER = re.compile(r"\s*-\s*\d{1,2}\)\s*")


def _lead_in_end(text: str) -> int | None:
    """End (after the colon) of a lab-list lead-in that starts *text*, else None."""
    for pattern in (_LEAD_IN, _THE_FOLLOWING, _ITEMS_TO_DETERMINE):
        m = pattern.match(text)
        if m and re.search(r"[a-z]", m.group(0), re.IGNORECASE):
            # a lead-in names at least one organ function or "laboratory"; a bare "Renal:" heading is one too
            return m.end()
    return None


def is_lab_lead_in(sentence: str) -> bool:
    """True when *sentence* is only a lab-list lead-in (a trailing list marker such as "1" allowed)."""
    end = _lead_in_end(sentence)
    return end is not None and re.fullmatch(_MARKER, sentence[end:]) is not None


def split_lab_lead_ins(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """*spans* (sentences of *text*) with a lab-list lead-in cut from the items that follow it in the same
    sentence ("... as determined by the following tests measured within 28 days prior to registration: serum
    bilirubin ≤ 2 x ULN"), so that the lead-in is a sentence of its own."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        end = _lead_in_end(text[s:e])
        if end is None or re.fullmatch(_MARKER, text[s + end:e]):
            out.append((s, e))
            continue
        out.append((s, s + end))
        rest = text[s + end:e]
        markers = list(_ITEM_MARKER.finditer(rest))
        if markers and markers[0].start() == 0 and len(markers) >= 2:
            # the items of the list, each a sentence of its own; the markers ("- 1)") are not text to read
            bounds = [m.end() for m in markers]
            ends = [m.start() for m in markers[1:]] + [len(rest)]
            out.extend((s + end + b, s + end + x) for b, x in zip(bounds, ends) if rest[b:x].strip())
            continue
        out.append((s + end, e))
    return out


def audit_unread_lab(rule: "Node", text: str) -> str | None:
    """The reason a criterion with lab thresholds names another lab that no threshold reads ("INR <= 1.5 or
    PT/APTT within normal limits" read as INR <= 1.5 alone), else None.  A lab name in the residue has no word
    the compiler's filler test would keep, so it would otherwise be dropped silently."""
    from hcctrials.criteria.families.labs import named_analytes
    from hcctrials.model.eligibility import LabThreshold, walk

    read = {leaf.analyte for leaf in walk(rule) if isinstance(leaf, LabThreshold)}
    if not read:
        return None
    unread = sorted(set(named_analytes(text)) - read - _COVERED.get(frozenset(read), set()))
    if unread:
        return f"lab named in the text but not in the rule: {', '.join(unread)}"
    return None


#: names the rule reads under another analyte (none yet: every scanned name maps to the leaf's analyte)
_COVERED: dict[frozenset[str], set[str]] = {}
