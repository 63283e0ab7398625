"""Heart failure by NYHA class and urine protein (dipstick, 24-hour protein) criteria (EN + ZH).

"congestive heart failure (NYHA > 2)", "NYHA class III or IV heart failure", "New York Heart
Association (NYHA) Class II or greater congestive heart failure", "心功能(NYHA)分级≥III级",
"urine dipstick for proteinuria ≤ 1+", "尿蛋白<2+", "proteinuria ≤ 1 g in 24 h", "24小时尿蛋白定量<1g".
Dipstick grades and g/24 h are separate leaves: no exact conversion exists (hcc-domain.md s. 5).
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import COMPARATOR, NUM, Context, Hit, ascii_re, parse_comparator, parse_number
from hcctrials.model.eligibility import HeartFailureNyha, LabThreshold, Not, UrineDipstick

__all__ = ["scan_nyha", "scan_urine_protein"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_CLS = r"(?:iv|iii|ii|i|[1-4一二三四])(?![a-z0-9])"
_NYHA_WORD = r"(?:new york heart association|nyha|纽约心脏(?:病)?协会)"
_MORE = r"(?:\s*(?:or (?:greater|higher|worse|above|more)|级?及以上|级?以上|or\s+(?:iv|4)\b))"
_NYHA = ascii_re(
    rf"{_NYHA_WORD}\)?\s*(?:\(nyha\))?\s*(?:心功能)?\s*(?:functional\s+)?(?:class(?:ification)?|分级|分类|心功能分级)?\s*(?:of\s+)?"
    rf"(?:(?P<cmp>{COMPARATOR})\s*)?(?:class\s*|grade\s*)?(?P<c>{_CLS})\s*(?:级)?(?:\s*(?:-|to|至|或|or)\s*(?P<c2>{_CLS})\s*(?:级)?)?(?P<more>{_MORE})?"
    rf"|(?:(?P<cmp_b0>>|≥|greater than|more than)\s*)?(?:class|grade)\s*(?:(?P<cmp_b>{COMPARATOR})\s*)?(?P<c_b>{_CLS})(?:\s*(?:-|to|or)\s*(?P<c2_b>{_CLS}))?"
    # round 6: "Class III or IV congestive heart failure, as defined by the NYHA", ">= Class II congestive heart failure
    # according to the New York Heart Association Classification for Congestive Heart Failure"
    rf"(?P<more_b>{_MORE})?\s*(?:(?:congestive\s+)?heart\s+failure(?:\s*\(chf\))?\s*,?\s*(?=as\s+defined|according|per\b|by\b))?"
    rf"(?:as\s+defined\s+)?(?:(?:according to|per|by)\s+(?:the\s+)?)?"
    rf"(?:\(?\s*{_NYHA_WORD}\s*\)?)(?:\s*\(nyha\))?(?:\s*(?:cardiac\s+)?(?:function(?:al)?\s+)?classification)?"
    rf"(?:\s+for\s+(?:congestive\s+)?heart\s+failure)?"
    rf"|(?:>|≥)\s*(?P<c_c>{_CLS})\s*(?:class\s*)?\(?\s*{_NYHA_WORD}"
    rf"|心功能\s*(?P<cmp_d>{COMPARATOR})?\s*(?P<c_d>iv|iii|ii|i|[1-4一二三四])\s*级?(?:\s*(?:-|至|或)\s*(?P<c2_d>iv|iii|ii|i|[1-4一二三四])\s*级)?(?P<more_d>及以上|以上)?"
)
_HF = ascii_re(r"(?:(?:symptomatic|congestive|chronic)\s+){0,2}(?:heart|cardiac)\s+(?:failure|insufficiency)|\bchf\b|(?:充血性)?(?:心力衰竭|心衰)|心功能不全")


def _min_class(cmp: str | None, c: str, c2: str | None, more: str | None) -> tuple[int, bool] | None:
    """(class, negate): the criterion is "NYHA >= class" (negate False) or "NYHA <= class - 1"
    written as not(>= class) (negate True); None when the wording does not state a bound."""
    lo = _ROMAN[c.lower()]
    hi = _ROMAN[c2.lower()] if c2 else None
    if cmp:
        op = parse_comparator(cmp)
        if op == ">=":
            return lo, False
        if op == ">":
            return (lo + 1, False) if lo < 4 else None
        if op == "<=":
            return (lo + 1, True) if lo < 4 else None
        if op == "<":
            return lo, True
        return None
    if more:
        return lo, False
    if hi == 4:  # "class III or IV", "III-IV级"
        return lo, False
    if lo == 4:
        return 4, False
    return None  # "NYHA class II" alone: exactly II? never guessed


def scan_nyha(ctx: Context) -> list[Hit]:
    hits = []
    text = ctx.lower
    for m in _NYHA.finditer(text):
        g = m.groupdict()
        c = g.get("c") or g.get("c_b") or g.get("c_c") or g.get("c_d")
        if not c:
            continue
        cmp = g.get("cmp") or g.get("cmp_b") or g.get("cmp_b0") or g.get("cmp_d") or (">" if g.get("c_c") and ">" in m.group(0)[:2] else
                                                                    ">=" if g.get("c_c") else None)
        found = _min_class(cmp, c, g.get("c2") or g.get("c2_b") or g.get("c2_d"),
                           g.get("more") or g.get("more_b") or g.get("more_d"))
        if found is None:
            continue
        cls, negate = found
        start, end = m.start(), m.end()
        # the heart-failure words next to the class are part of the same statement
        for hf in _HF.finditer(text, max(0, start - 45), min(len(text), end + 45)):
            if hf.end() <= start and not re.search(r"[;。]|\band\b|,\s*(?!\(|or)", text[hf.end():start]):
                start = hf.start()
            elif hf.start() >= end and not re.search(r"[;。,]", text[end:hf.start()]):
                end = hf.end()
        # round 6: "heart failure with either a clinical classification of NYHA Class III or IV": the lead-in is the item's
        lead = re.search(r"(?:pre-?existing\s+)?(?:congestive\s+)?heart\s+failure\s+with\s+(?:either\s+)?(?:a\s+)?(?:clinical\s+)?"
                         r"classification\s+of\s*$", text[:start])
        if lead:
            start = lead.start()
        if end < len(text) and text[end] == ")" and text.count("(", start, end) > text.count(")", start, end):
            end += 1
        node = HeartFailureNyha(min_class=cls, label=ctx.text[start:end])
        hits.append(Hit(start, end, Not(child=node) if negate else node, priority=7, family="nyha"))
    hits.extend(_symptomatic_heart_failure(ctx))
    return hits


# Issue 10 (cardiac): "Symptomatic congestive heart failure" named in the present is heart failure of NYHA class II
# or worse: NYHA class I is, by its definition, heart disease without symptoms (New York Heart Association,
# Nomenclature and Criteria for Diagnosis, 9th ed., 1994).  "History of symptomatic heart failure" (ever, a
# resolved episode too) is not read here (criteria/families/history.py leaves it to review).
_SYMPTOMATIC_HF = ascii_re(r"symptomatic\s+(?:congestive\s+|chronic\s+)?(?:heart|cardiac)\s+(?:failure|insufficiency)(?:\s*\(chf\))?"
                           r"|(?:有症状的?|症状性)(?:充血性)?(?:心力衰竭|心衰|心功能不全)")
_PAST_OR_WINDOW = ascii_re(r"\b(?:history|prior|previous(?:ly)?|past|ever|within|last|since|recent(?:ly)?)\b|既往|病史|曾|以内|内")


def _symptomatic_heart_failure(ctx: Context) -> list[Hit]:
    if _PAST_OR_WINDOW.search(ctx.lower):
        return []
    return [Hit(m.start(), m.end(), HeartFailureNyha(min_class=2, label=ctx.text[m.start():m.end()]), priority=7,
                family="nyha") for m in _SYMPTOMATIC_HF.finditer(ctx.lower)]


_PLUS = r"(?P<g{k}>[0-4])\s*\+|(?P<plus{k}>\+{{1,4}})(?![0-9])"
_DIP = ascii_re(
    rf"(?:(?:urine\s+)?dipstick(?:\s+(?:for\s+)?(?:urine\s+)?(?:protein(?:uria)?))?|(?:(?:urine|urinary)\s+)?protein(?:uria)?(?:\s+(?:by|on)\s+(?:urine\s+)?dipstick)?"
    rf"|尿常规蛋白|尿蛋白定性|尿蛋白)[^;。\d+]{{0,30}}?(?:(?P<cmp>{COMPARATOR})\s*(?:{_PLUS.format(k=1)})|(?:reading\s+of\s+)?(?:{_PLUS.format(k=2)})\s*"
    rf"(?P<after>or\s+(?:greater|more|higher|above)|or\s+(?:less|lower|below)|以上|以下|及以上))"
    # "Urinary protein is ≤1+ on dipstick or routine urinalysis": the method named after the grade
    r"(?:\s*(?:on|by)\s+(?:urine\s+)?dipstick(?:\s+(?:or|and/or)\s+(?:routine\s+)?urinalysis)?)?"
)
# "24-hour urine demonstrating <1 gram of protein" (NCT01009593-style wording): the 24-hour protein excretion
_24H_WORDS = ascii_re(
    rf"24[- ]?(?:h|hr|hour)s?\s+urine(?:\s+collection)?\s+(?:demonstrating|showing|with|revealing|containing)\s+"
    rf"(?P<cmp>{COMPARATOR})\s*(?P<num>{NUM})\s*(?P<unit>grams?|g|milligrams?|mg)\s+(?:of\s+)?protein"
)
# "protein spot urine < 0.6 g/L": the protein concentration of a spot (random) urine sample
_SPOT = ascii_re(
    rf"(?:protein\s+(?:in\s+(?:a\s+)?)?spot\s+urine|spot\s+urine\s+protein|urine\s+protein\s+concentration)\s*"
    rf"(?P<cmp>{COMPARATOR})\s*(?P<num>{NUM})\s*(?P<unit>g\s*/\s*l|mg\s*/\s*dl|mg\s*/\s*l)\b"
)
_24H = ascii_re(
    rf"(?:(?:24[- ]?(?:h|hr|hour|小时)s?\s*(?:urine\s+)?(?:protein|尿蛋白)(?:\s*(?:定量|excretion))?)|proteinuria|urine protein|尿蛋白(?:定量)?)"
    rf"[^;。\d]{{0,30}}?(?P<cmp>{COMPARATOR})\s*(?P<num>{NUM})\s*(?P<unit>g|mg|克)\s*(?:(?:/|in|per)\s*(?:the\s+)?24\s*(?:h|hr|hrs|hours?|小时)s?)?"
)


def _dip_grade(m: re.Match[str]) -> float:
    g = m.group("g1") or m.group("g2")
    return float(g) if g else float(len(m.group("plus1") or m.group("plus2")))


_SPOT_UNITS = {"g/l": "g/L", "mg/dl": "mg/dL", "mg/l": "mg/L"}


def _add_protein(hits: list[Hit], m: re.Match[str], analyte: str, unit: str) -> None:
    """A quantified urine protein threshold from *m* (groups cmp, num); an equality is not a threshold."""
    cmp = parse_comparator(m.group("cmp"))
    if cmp != "==":
        hits.append(Hit(m.start(), m.end(), LabThreshold(analyte=analyte, comparator=cmp,
                                                         value=parse_number(m.group("num")), unit=unit),
                        priority=6, family="lab"))


def scan_urine_protein(ctx: Context) -> list[Hit]:
    hits = []
    text = ctx.lower
    for m in _DIP.finditer(text):
        if m.group("cmp"):
            cmp = parse_comparator(m.group("cmp"))
            if cmp == "==":
                continue
        else:
            cmp = ">=" if re.search(r"greater|more|higher|above|以上", m.group("after")) else "<="
        hits.append(Hit(m.start(), m.end(), UrineDipstick(comparator=cmp, grade=_dip_grade(m)),
                        priority=6, family="lab"))
    for m in _24H.finditer(text):
        if re.search(r"24", m.group(0)):  # "proteinuria < 1 g" without a period: g/24h not stated, never guessed
            _add_protein(hits, m, "urine_protein_24h", "mg/24h" if m.group("unit") == "mg" else "g/24h")
    for m in _24H_WORDS.finditer(text):
        _add_protein(hits, m, "urine_protein_24h", "mg/24h" if m.group("unit").startswith("m") else "g/24h")
    for m in _SPOT.finditer(text):
        _add_protein(hits, m, "urine_protein", _SPOT_UNITS[re.sub(r"\s", "", m.group("unit"))])
    return hits
