"""Dose and schedule parsing for registry intervention text, English and Chinese.

``parse_doses("阿得贝利单抗 1200mg 静脉滴注 (每周1次, Q3W) 联合 阿帕替尼 250mg 口服 (每日1次, QD)")``
gives two :class:`~hcctrials.model.trial.Dose` objects (1200 mg iv Q3W; 250 mg oral QD) and
``schedule_conflicts`` of the same text gives ``[("QW", "Q3W")]``: the ChiCTR record says
"每周1次" (weekly) beside "Q3W" for the same dose.

Rules
-----
* A dose is anchored on an amount with a unit: mg, mg/kg, mg/m2, µg (ug, mcg, μg), µg/kg, g,
  g/m2, IU, IU/kg (万IU and MIU are converted to IU), cells, cells/kg (10^n notation), Gy
  (cGy converted), GBq, MBq, mCi; Chinese 毫克/克/微克.  A unit followed by "/" and anything but
  kg, m2 or a day (g/L, mg/dL, IU/mL, g/24 h) is a laboratory value, not a dose; a unit is never
  guessed for a bare number.
* The text is split into regimen segments at 联合 / 序贯 / combined with / plus / followed by /
  "+" / ";" / "。" / new lines.  Within a segment each anchor owns the text from itself to the next
  anchor; the first anchor also owns the words before it (口服阿帕替尼 250mg).
* Route and frequency are read from the words a dose owns (see :mod:`hcctrials.vocab.schedule`);
  doses joined by "and" whose last one is "given"/"administered" share what is stated after it
  ("atezolizumab 1200 mg and bevacizumab 15 mg/kg given intravenously ... Q3W").
  When a dose states two different frequencies of the same level (每周1次 and Q3W), the written
  abbreviation is kept as ``Dose.frequency`` and the pair is reported by
  :func:`schedule_conflicts`.
* Cell doses may be per m2 and written with the unit before the cell words
  ("5×10^8-10^9/m2 iNKT cells"; a bare ``10^9`` as the upper end is 1×10^9; a
  markdown-escaped caret is read as ``^``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hcctrials.model.trial import Dose
from hcctrials.vocab.lexicon import Lexicon, Therapy, load_lexicon
from hcctrials.vocab.matcher import fold_text
from hcctrials.vocab.schedule import (
    ScheduleStatement,
    choose_frequency,
    find_frequency_statements,
    find_route_statements,
    normalise_frequency,
)

__all__ = [
    "doses_by_therapy",
    "parse_doses",
    "parse_regimen",
    "normalise_frequency",
    "schedule_conflicts",
    "find_frequency_statements",
]

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# "\^" is the markdown-escaped caret of CT.gov API text and pages copied from it (5×10\^8).
_EXP = r"(?:\s?[x×*]\s?10\s?(?:\\?\^|\*\*)?\s?(?P<exp>[-⁻]?[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})|e\+?(?P<exp2>\d{1,2}))"
# A bare power of ten as the upper end of a range: "5×10^8-10^9 cells" (10^9 = 1×10^9).
_POW = r"10\s?(?:\\?\^|\*\*)\s?(?P<hpow>[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})"
_CELL_WORDS = r"(?:[a-z0-9+\-]{1,40}\s){0,2}"  # words bounded: linear time (issue 11)

#: unit alternatives, longest first, each with its canonical unit and a multiplier.
_UNITS: list[tuple[str, str, float]] = [
    (r"mg\s?/\s?kg", "mg/kg", 1.0),
    (r"mg\s?/\s?m(?:2|²|\^2)", "mg/m2", 1.0),
    (r"(?:μg|ug|mcg)\s?/\s?kg", "µg/kg", 1.0),
    (r"(?:μg|ug|mcg)\s?/\s?m(?:2|²|\^2)", "µg/m2", 1.0),
    (r"g\s?/\s?m(?:2|²|\^2)", "g/m2", 1.0),
    (r"(?:iu|u)\s?/\s?kg", "IU/kg", 1.0),
    (r"万\s?(?:iu|u|单位|国际单位)", "IU", 1e4),
    (r"(?:miu|million (?:iu|international units))", "IU", 1e6),
    (r"(?:iu|international units|国际单位)", "IU", 1.0),
    (r"(?:" + _CELL_WORDS + r"cells?|个?(?:car-?t)?细胞)\s?/\s?kg|/\s?kg\s" + _CELL_WORDS + r"cells?",
     "cells/kg", 1.0),
    (r"(?:" + _CELL_WORDS + r"cells?|个?(?:car-?t)?细胞)\s?/\s?m(?:2|²|\^2)|/\s?m(?:2|²|\^2)\s"
     + _CELL_WORDS + r"cells?", "cells/m2", 1.0),
    (r"(?:" + _CELL_WORDS + r"cells?|个(?:car-?t)?细胞)", "cells", 1.0),
    (r"mg|毫克", "mg", 1.0),
    (r"μg|ug|mcg|微克", "µg", 1.0),
    (r"cgy", "Gy", 0.01),
    (r"gy|戈瑞", "Gy", 1.0),
    (r"gbq", "GBq", 1.0),
    (r"mbq", "MBq", 1.0),
    (r"mci", "mCi", 1.0),
    (r"g|克", "g", 1.0),
]
_UNIT_RE = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _, _) in enumerate(_UNITS))
# After the unit: not a letter (so "g" is not the start of "gastric"), and a slash only for a
# per-day statement ("mg/d", "mg/天"); anything else after "/" is a laboratory unit.
_AFTER_UNIT = r"(?![a-z])(?!\s?/(?!\s?(?:d(?![a-z])|day|天|日|次|dose|fraction|fx)))"
_ANCHOR = re.compile(
    # the amount is an atomic group: its digits are never re-split while the unit is sought
    # (with the cell-count units' "[a-z0-9+-]+" words that was quadratic on a digit run; issue 11)
    r"(?<![a-z0-9.,])(?P<amount>(?>" + _NUM + r"))(?:" + _EXP + r")?"
    r"(?:\s?(?:-|–|~|～|to|至|—)\s?(?:" + _POW + r"|(?P<high>" + _NUM + r")(?:"
    + _EXP.replace("exp", "hexp") + r")?))?"
    r"\s?(?:" + _UNIT_RE + r")" + _AFTER_UNIT
)
_SEGMENT_BREAK = re.compile(
    r"联合|合并|并用|序贯|加用|combined with|in combination with|(?<![a-z])plus(?![a-z])|"
    r"followed by|(?<!\d)\+(?!\d)|[;；。\n]"
)

_ALTERNATIVE = re.compile(r"(?<![a-z])or(?![a-z])|或")
#: Between two doses of one statement: "and" (和/及/与) and a few words, no number.
_JOINED = re.compile(r"^\s*+,?\s*+(?:and|和|及|与|以及)(?![a-z])[^0-9;；。]{0,60}$")  # possessive: linear
#: Right after the last dose of such a statement: "given" / "administered" (给药).
_GIVEN = re.compile(r"^\s*+[,(]?\s*+(?:both\s+|each\s+)?(?:given|administered|infused|delivered|给药)"
                    r"(?![a-z])")
#: Sentence ends for :func:`doses_by_therapy` (". " but not "0.5", "。", ";", new lines).
_SENTENCE_END = re.compile(r"(?<!\d)\.(?=\s)|[。；;\n]")


@dataclass(frozen=True, slots=True)
class _Anchor:
    start: int
    end: int
    amount: float
    amount_high: float | None
    unit: str


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _exponent(raw: str | None) -> int:
    if not raw:
        return 0
    return int(raw.translate(_SUPERSCRIPTS))


def _find_anchors(folded: str, offset: int, text: str) -> list[_Anchor]:
    anchors = []
    for m in _ANCHOR.finditer(folded):
        index = next(i for i in range(len(_UNITS)) if m.group(f"u{i}") is not None)
        _, unit, factor = _UNITS[index]
        try:
            amount = _number(m.group("amount")) * 10 ** _exponent(m.group("exp") or m.group("exp2")) * factor
            high = None
            if m.group("hpow"):
                high = 10.0 ** _exponent(m.group("hpow")) * factor
            elif m.group("high"):
                exp = m.group("hexp") or m.group("hexp2") or m.group("exp") or m.group("exp2")
                high = _number(m.group("high")) * 10 ** _exponent(exp) * factor
        except (ValueError, OverflowError):
            continue
        if amount != amount or amount == float("inf") or (high is not None and (high != high or high == float("inf"))):
            continue
        if high is not None and high < amount:
            high = None
        anchors.append(_Anchor(offset + m.start(), offset + m.end(), amount, high, unit))
    return anchors


def _segments(text: str, folded: str) -> list[tuple[int, int]]:
    bounds = [0]
    for m in _SEGMENT_BREAK.finditer(folded):
        bounds.extend((m.start(), m.end()))
    bounds.append(len(text))
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2) if bounds[i + 1] > bounds[i]]


@dataclass(frozen=True, slots=True)
class _DoseWindow:
    anchor: _Anchor
    start: int
    end: int


def _windows(text: str) -> list[_DoseWindow]:
    folded = fold_text(text)
    windows: list[_DoseWindow] = []
    for seg_start, seg_end in _segments(text, folded):
        anchors = _find_anchors(folded[seg_start:seg_end], seg_start, text)
        for i, anchor in enumerate(anchors):
            start = seg_start if i == 0 else anchor.start
            end = anchors[i + 1].start if i + 1 < len(anchors) else seg_end
            windows.append(_DoseWindow(anchor, start, end))
    return windows


def _conflicts(statements: list[ScheduleStatement]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for level in ("daily", "interval", "cycle"):
        codes: list[str] = []
        for statement in statements:
            if statement.level == level and statement.code not in codes:
                codes.append(statement.code)
        for i in range(len(codes)):
            for j in range(i + 1, len(codes)):
                pairs.append((codes[i], codes[j]))
    return pairs


def _dose_in_window(text: str, window: _DoseWindow) -> tuple[Dose, list[tuple[str, str]]]:
    part = text[window.start:window.end]
    statements = [
        s for s in find_frequency_statements(part)
        if not (window.anchor.start - window.start <= s.start < window.anchor.end - window.start)
    ]
    routes = find_route_statements(part)
    spans = [(window.anchor.start, window.anchor.end)]
    spans += [(window.start + s.start, window.start + s.end) for s in statements]
    route = None
    if routes:
        route = routes[0].route
        spans.append((window.start + routes[0].start, window.start + routes[0].end))
    lo = min(s for s, _ in spans)
    hi = max(e for _, e in spans)
    anchor = window.anchor
    dose = Dose(
        amount=anchor.amount,
        amount_high=anchor.amount_high,
        unit=anchor.unit,
        route=route,
        frequency=choose_frequency(statements),
        text=text[lo:hi],
    )
    return dose, _conflicts(statements)


def parse_doses(text: str) -> list[Dose]:
    """Every dose stated in *text*, in text order (see the module rules).

    Never raises on any string; ``Dose.text`` is always a substring of *text*.
    """
    if not text:
        return []
    windows = _windows(text)
    doses = [_dose_in_window(text, window)[0] for window in windows]
    # "8 mg (< 60 kg) or 12 mg (>= 60 kg) orally once daily": alternatives joined by "or"/"或"
    # share the route and frequency stated after the last one.
    for i in range(len(doses) - 2, -1, -1):
        between = text[windows[i].anchor.end:windows[i + 1].anchor.start]
        if windows[i + 1].start == windows[i + 1].anchor.start and _ALTERNATIVE.search(fold_text(between)):
            update = {}
            if doses[i].route is None and doses[i + 1].route is not None:
                update["route"] = doses[i + 1].route
            if doses[i].frequency is None and doses[i + 1].frequency is not None:
                update["frequency"] = doses[i + 1].frequency
            if update:
                doses[i] = doses[i].model_copy(update=update)
    # "atezolizumab 1200 mg and bevacizumab 15 mg/kg given intravenously ... (Q3W)": doses joined
    # by "and" whose last one is "given"/"administered" share the route and frequency stated
    # after it.  Without such a participle each dose keeps only what it states itself
    # ("lenvatinib 8 mg and pembrolizumab 200 mg IV Q3W" does not make lenvatinib IV).
    for i in range(len(doses) - 2, -1, -1):
        between = fold_text(text[windows[i].anchor.end:windows[i + 1].anchor.start])
        after = fold_text(text[windows[i + 1].anchor.end:windows[i + 1].end])
        if (_JOINED.match(between) and _GIVEN.match(after)
                and doses[i].route is None and doses[i].frequency is None):
            update = {k: v for k, v in (("route", doses[i + 1].route),
                                         ("frequency", doses[i + 1].frequency)) if v is not None}
            if update:
                doses[i] = doses[i].model_copy(update=update)
    return doses


def doses_by_therapy(text: str, *, lexicon: Lexicon | None = None) -> list[tuple[Therapy, Dose]]:
    """(therapy, dose) pairs stated in a free text such as an arm description, in text order.

    The text is read sentence by sentence (". ", "。", ";", new lines); each dose of a sentence
    (:func:`parse_doses`, so a schedule shared with "and ... given" applies to all) belongs to
    the therapy named inside its own words ("5×10^8/m2 iNKT cells"), else to the nearest therapy
    named before it in the sentence, else to the first named after it ("200 mg of
    pembrolizumab").  A dose in a sentence naming no therapy is not returned.
    """
    if not text:
        return []
    lex = lexicon or load_lexicon()
    pairs: list[tuple[Therapy, Dose]] = []
    start = 0
    for cut in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence, start = text[start:cut], cut
        mentions = lex.find_mentions(sentence)
        if not mentions:
            continue
        pos = 0
        for dose in parse_doses(sentence):
            at = max(sentence.find(dose.text or "", pos), 0)
            end = at + len(dose.text or "")
            pos = at + 1
            inside = [m for m in mentions if at <= m.start < end]
            before = [m for m in mentions if m.end <= at]
            after = [m for m in mentions if m.start >= end]
            chosen = inside[0] if inside else before[-1] if before else after[0] if after else None
            if chosen is not None:
                pairs.append((chosen.therapy, dose))
    return pairs


def schedule_conflicts(text: str) -> list[tuple[str, str]]:
    """Pairs of disagreeing frequency codes stated for the same dose, in text order.

    ``schedule_conflicts("1200mg 静脉滴注 (每周1次, Q3W)") == [("QW", "Q3W")]``.  Statements are
    compared only within one dose (the words it owns) and only at the same level: "QD" beside
    "21 天为一周期" is not a conflict.  Text without any amount is taken as one dose.
    """
    if not text:
        return []
    windows = _windows(text)
    if not windows:
        return _conflicts(find_frequency_statements(text))
    pairs: list[tuple[str, str]] = []
    for window in windows:
        for pair in _dose_in_window(text, window)[1]:
            if pair not in pairs:
                pairs.append(pair)
    return pairs


def parse_regimen(text: str, *, lexicon: Lexicon | None = None) -> list[tuple[Therapy | None, list[Dose]]]:
    """Split a regimen text into (therapy, doses) parts, in text order.

    The text is cut at regimen separators (联合, combined with, plus, "+", ";" ...) that are not
    inside a therapy name ("T+A" stays whole), and again at each further therapy mention; each
    part's doses belong to the first therapy mentioned in it (None when no therapy is named).
    Parts with neither a therapy nor a dose are dropped.
    """
    if not text:
        return []
    lex = lexicon or load_lexicon()
    mentions = lex.find_mentions(text)
    folded = fold_text(text)
    cuts: set[int] = {0, len(text)}
    for m in _SEGMENT_BREAK.finditer(folded):
        if not any(mention.start <= m.start() < mention.end for mention in mentions):
            cuts.update((m.start(), m.end()))
    ordered = sorted(cuts)
    parts: list[tuple[Therapy | None, list[Dose]]] = []
    for seg_start, seg_end in zip(ordered, ordered[1:]):
        inside = [m for m in mentions if seg_start <= m.start < seg_end]
        starts = [seg_start] + [m.start for m in inside[1:]] + [seg_end]
        for k in range(len(starts) - 1):
            therapy = inside[k].therapy if k < len(inside) else None
            doses = parse_doses(text[starts[k]:starts[k + 1]])
            if therapy is not None or doses:
                parts.append((therapy, doses))
    return parts
