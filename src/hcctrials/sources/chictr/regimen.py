"""Drugs named in registry free text, and Interventions built from bilingual regimen text.

The drug names come from the project lexicon (:mod:`hcctrials.vocab`: ``find_mentions``),
the doses from :func:`hcctrials.vocab.dose.parse_doses`.  Sponsor code names ("LY3537982") and English names the lexicon does
not list are still noticed when they carry a WHO INN stem for an antineoplastic class
(-mab monoclonal antibodies, -tinib/-nib kinase inhibitors, -ciclib, -parib, -platin,
-taxel, -rubicin, -citabine; WHO "The use of stems in the selection of INN", 2018), so a
translation slip to a drug outside the lexicon (seed 001: "teprotumumab" for 特瑞普利单抗)
is not missed.  Such a name gets the id ``unlisted:<name>`` and no lexicon id.

Two generic agents are named whether or not the lexicon lists them, with the same id in both
languages so that the bilingual check (:func:`hcctrials.sources.quality.check_bilingual_drugs`)
sees them agree: placebo (安慰剂, id ``placebo``) and the platinum class ("platinum",
"platinum-based", 铂类(药物), 含铂; id ``unlisted:platinum``).  WHO stem -trexed (antifolates:
pemetrexed) joins the English stems.  In arm regimens only (:func:`regimen_segments`), a
Chinese name ending in the Chinese rendering of a stem (培美曲塞, 奥沙利铂, ...; 单抗 -mab,
替尼 -tinib, 曲塞 -trexed, 铂 -platin, 他赛 -taxel, 比星 -rubicin, 他滨 -citabine, 帕利 -parib,
西利 -ciclib) and standing alone between list joiners (、 联合 和 ...) is kept too.

No regular expression here can backtrack more than a bounded amount per character: the
trailing joiners of a dose segment are removed by a right-to-left scan, not by a pattern with
nested quantifiers (issue 11: 30 spaces in a regimen text once took minutes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hcctrials.model.trial import Dose, Intervention, Text
from hcctrials.sources.chictr.items import has_cjk

if TYPE_CHECKING:
    from hcctrials.vocab.lexicon import Lexicon

__all__ = ["DrugMention", "drug_mentions", "regimen_segments", "build_interventions",
           "strip_trailing_joiners"]

_INN_STEM = re.compile(
    r"\b[A-Za-z][a-z]{2,}(?:mab|tinib|nib|ciclib|parib|platin|taxel|rubicin|citabine|trexed)\b",
    re.IGNORECASE,
)
#: Sponsor code names ("LY3537982", "SHR-1210", "IBI305"): letters then 3-7 digits.
_CODE_NAME = re.compile(r"(?<![A-Za-z0-9-])[A-Z]{2,5}-?\d{3,7}(?![A-Za-z0-9])")
#: Generic agents named in arm texts whether or not the lexicon lists them: (id, English, pattern).
_GENERIC_AGENTS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("placebo", "placebo", re.compile(r"安慰剂|\b(?:matching\s)?placebos?\b", re.IGNORECASE)),
    ("unlisted:platinum", "platinum", re.compile(
        r"含铂(?:双药)?(?:化疗|方案)?|铂类(?:药物|化疗)?|"
        r"\bplatinum(?:[- ]based)?(?:\s(?:chemotherapy|doublet|drugs?|agents?))?\b", re.IGNORECASE)),
)
_CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: A Chinese drug name ending in the Chinese rendering of a WHO stem; 2-4 characters before
#: the stem (bounded: linear time).  Kept only when it stands alone between list joiners.
_CJK_STEM = re.compile(f"[{_CJK_RANGE}]{{2,4}}(?:单抗|替尼|曲塞|铂|他赛|比星|他滨|帕利|西利)")
_CJK_RUN = re.compile(f"[{_CJK_RANGE}]+")
_JOINER_CHARS = " \t\r\n\u3000\u00a0,，;；、+＋/"
_CJK_JOINERS = ("联合", "合并", "加用", "序贯", "及", "和", "与", "或")
_WORD_JOINERS = frozenset({"plus", "and", "with", "then", "or"})
#: Multi-word English joiners, read right to left: last word -> the words before it.
_PHRASE_JOINERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "with": (("in", "combination"), ("combined",)),
    "by": (("followed",),),
}


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _last_word(text: str, end: int) -> tuple[str, int]:
    """The ASCII word ending at *end* (after trailing whitespace is skipped) and its start."""
    j = end
    while j > 0 and text[j - 1].isspace():
        j -= 1
    stop = j
    while j > 0 and text[j - 1].isascii() and text[j - 1].isalpha():
        j -= 1
    # whole words only (the \b of the former pattern on both sides: "or和" is no joiner)
    if j == stop or (j > 0 and _is_word_char(text[j - 1])) or (
            stop < len(text) and _is_word_char(text[stop])):
        return "", end
    return text[j:stop].lower(), j


def _phrase_start(text: str, word: str, start: int) -> int | None:
    """Where a multi-word joiner ending in *word* (at *start*) begins, or None."""
    for before in _PHRASE_JOINERS.get(word, ()):
        cut = start
        for expected in reversed(before):
            prev, prev_start = _last_word(text, cut)
            if prev != expected:
                break
            cut = prev_start
        else:
            return cut
    return None


def strip_trailing_joiners(text: str) -> str:
    """*text* without the list joiners at its end ("400 mg 联合", "1000 mg/m2, plus").

    Joiners: whitespace, , ， ; ； 、 + ＋ /, 联合 合并 加用 序贯 及 和 与 或, and the English
    words plus, and, with, then, or, "combined with", "in combination with", "followed by"
    (whole words).  A right-to-left scan removing one joiner per step, each step looking at
    a bounded stretch before *end*: linear in the length of the text.
    """
    end = len(text)
    while end > 0:
        if text[end - 1] in _JOINER_CHARS or text[end - 1].isspace():
            end -= 1
            continue
        cjk = next((j for j in _CJK_JOINERS if text.endswith(j, 0, end)), None)
        if cjk is not None:
            end -= len(cjk)
            continue
        word, start = _last_word(text, end)
        if not word:
            break
        phrase = _phrase_start(text, word, start)
        if phrase is not None:
            end = phrase
        elif word in _WORD_JOINERS:
            end = start
        else:
            break
    return text[:end]


@dataclass(frozen=True)
class DrugMention:
    """A therapy named in a text: lexicon id (or ``unlisted:<name>``), names, span."""

    id: str
    name: str  # the lexicon's English name, or the unlisted name as written
    matched: str
    start: int
    end: int
    kind: str  # drug | procedure | regimen | unlisted | placebo
    lexicon_id: str | None
    classes: frozenset[str] = frozenset()


def _lexicon() -> Lexicon:
    from hcctrials.vocab import load_lexicon

    return load_lexicon()


def drug_mentions(text: str | None, *, expand: bool = False, chinese_stems: bool = False,
                  ) -> list[DrugMention]:
    """Therapies named in *text*, in order (lexicon first, then placebo and the platinum
    class, then INN-stem and code names the lexicon lacks).

    With *expand*, a named regimen ("阿得贝利单抗联合阿帕替尼") yields one mention per
    component drug, each spanning the regimen's text.  With *chinese_stems*, a Chinese name
    ending in a stem and standing alone between list joiners ("、培美曲塞和") is kept as an
    unlisted drug (used for arm regimens; see the module docstring).
    """
    if not text:
        return []
    lexicon = _lexicon()
    found: list[DrugMention] = []
    for m in lexicon.find_mentions(text):
        therapies = lexicon.expand(m.therapy) if expand else [m.therapy]
        chinese = has_cjk(m.matched)
        for therapy in therapies:
            matched = m.matched if therapy is m.therapy else therapy.name("zh" if chinese else "en")
            found.append(DrugMention(
                id=therapy.id, name=therapy.english, matched=matched, start=m.start, end=m.end,
                kind=getattr(therapy, "kind", "drug") or "drug", lexicon_id=therapy.id,
                classes=frozenset(getattr(therapy, "classes", ()) or ()),
            ))
    for agent_id, english, pattern in _GENERIC_AGENTS:
        for hit in pattern.finditer(text):
            if any(f.start < hit.end() and hit.start() < f.end for f in found):
                continue
            found.append(DrugMention(
                id=agent_id, name=english, matched=hit.group(0), start=hit.start(), end=hit.end(),
                kind="placebo" if agent_id == "placebo" else "unlisted", lexicon_id=None,
            ))
    hits = [(h.start(), h.end(), h.group(0)) for h in (*_INN_STEM.finditer(text), *_CODE_NAME.finditer(text))]
    if chinese_stems:
        hits.extend(_chinese_stem_names(text))
    for start, end, word in hits:
        if any(f.start < end and start < f.end for f in found):
            continue
        found.append(DrugMention(
            id=f"unlisted:{word.lower().replace('-', '')}", name=word, matched=word, start=start,
            end=end, kind="unlisted", lexicon_id=None,
        ))
    found.sort(key=lambda f: f.start)
    return found


def _chinese_stem_names(text: str) -> list[tuple[int, int, str]]:
    """Chinese names that end in a stem and fill a piece of a CJK run between list joiners."""
    out: list[tuple[int, int, str]] = []

    def emit(start: int, end: int) -> None:
        if 3 <= end - start <= 6 and _CJK_STEM.fullmatch(text, start, end):
            out.append((start, end, text[start:end]))

    for run in _CJK_RUN.finditer(text):
        piece, i, stop = run.start(), run.start(), run.end()
        while i < stop:
            joiner = next((j for j in _CJK_JOINERS if text.startswith(j, i, stop)), None)
            if joiner is None:
                i += 1
                continue
            emit(piece, i)
            i += len(joiner)
            piece = i
        emit(piece, stop)
    return out


def regimen_segments(text: str | None) -> list[tuple[DrugMention, str]]:
    """Each drug named in *text* with the stretch of text up to the next one (its dose).

    Components of a named regimen share the regimen's stretch of text.
    """
    if not text:
        return []
    mentions = drug_mentions(text, expand=True, chinese_stems=True)
    out = []
    for mention in mentions:
        end = min((m.start for m in mentions if m.start > mention.start), default=len(text))
        segment = strip_trailing_joiners(text[mention.start:end]).strip()
        out.append((mention, segment))
    return out


def _parse_doses(segment: str | None) -> list[Dose]:
    if not segment:
        return []
    from hcctrials.vocab.dose import parse_doses

    return list(parse_doses(segment))


def _conflict_codes(segment: str) -> set[str]:
    from hcctrials.vocab.dose import normalise_frequency, schedule_conflicts

    codes: set[str] = set()
    for pair in schedule_conflicts(segment):
        for statement in pair:
            code = normalise_frequency(statement)
            if code:
                codes.add(code)
    return codes


def _doses_for(primary: str, other: str | None, same_drug: bool) -> list[Dose]:
    """Doses of *primary*; a contradictory frequency is settled only by the other language.

    When the primary text states two frequencies that disagree (每周1次 next to Q3W) and the
    other language's text of the same position states one of them, that one is kept;
    otherwise the frequency is left unknown (never guessed).  The contradiction itself is
    reported by :func:`hcctrials.sources.quality.check_schedules`.
    """
    doses = _parse_doses(primary)
    other_doses = _parse_doses(other) if other else []
    if not doses and same_drug:
        return other_doses
    codes = _conflict_codes(primary)
    if codes:
        other_codes = {d.frequency for d in other_doses if d.frequency}
        agreed = codes & other_codes
        settled = next(iter(agreed)) if len(agreed) == 1 else None
        doses = [d.model_copy(update={"frequency": settled}) if d.frequency in codes or d.frequency is None
                 else d for d in doses]
    return doses


_TYPE_BY_KIND = {"drug": "drug", "regimen": "drug", "procedure": "procedure", "unlisted": "drug",
                 "placebo": "drug"}


def _intervention_type(mention: DrugMention) -> str | None:
    if "cell_therapy" in mention.classes:
        return "biological"
    if "radiation" in mention.classes or "radiotherapy" in mention.classes:
        return "radiation"
    return _TYPE_BY_KIND.get(mention.kind)


def build_interventions(
    groups: list[tuple[str | None, Text]], *, primary: str = "zh"
) -> list[Intervention]:
    """Interventions, one per therapy, from each group's (label, regimen text) pair.

    The *primary* language's text decides which drugs there are (ChiCTR: the Chinese the
    registrant wrote; the English is its translation); the other language's text for the
    same drug (or, when they disagree, the same position) is kept in ``description`` so both
    texts stay readable.  A therapy in several groups is one Intervention with several
    ``arm_labels``.  A group text naming no known therapy becomes one Intervention named by
    that text, without lexicon ids.
    """
    secondary = "en" if primary == "zh" else "zh"
    merged: dict[str, Intervention] = {}
    for arm_label, text in groups:
        first, second = getattr(text, primary), getattr(text, secondary)
        first_segs, second_segs = regimen_segments(first), regimen_segments(second)
        if not first_segs:
            first, second = second, first
            first_segs, second_segs = second_segs, first_segs
            lead = secondary
        else:
            lead = primary
        if not first_segs:
            if text.is_empty():
                continue
            key = f"text:{text.zh or ''}|{text.en or ''}"
            text_item = merged.setdefault(key, Intervention(name=Text(zh=text.zh, en=text.en)))
            if arm_label and arm_label not in text_item.arm_labels:
                text_item.arm_labels.append(arm_label)
            continue
        by_id = {m.id: (m, seg) for m, seg in second_segs}
        positional = len(first_segs) == len(second_segs)
        for index, (mention, segment) in enumerate(first_segs):
            match = by_id.get(mention.id)
            same = match is not None
            if match is None and positional:
                match = second_segs[index]
            other_mention, other_segment = match if match else (None, None)
            names = {lead: mention.matched, ("en" if lead == "zh" else "zh"): None}
            if other_mention is not None and (same or (
                    mention.kind == other_mention.kind == "unlisted" and has_cjk(mention.matched)
                    != has_cjk(other_mention.matched))):
                # the same drug, or two unlisted names in the same position of both languages
                names["en" if lead == "zh" else "zh"] = other_mention.matched
            if names["en"] is None and (mention.lexicon_id or mention.kind == "placebo"):
                names["en"] = mention.name
            description = {lead: segment, ("en" if lead == "zh" else "zh"): other_segment}
            item = merged.get(mention.id)
            doses = _doses_for(segment, other_segment, same)
            if item is None:
                item = Intervention(
                    type=_intervention_type(mention),
                    name=Text(zh=names["zh"], en=names["en"]),
                    lexicon_ids=[mention.lexicon_id] if mention.lexicon_id else [],
                    doses=doses,
                    description=Text(zh=description["zh"], en=description["en"]),
                )
                merged[mention.id] = item
            else:
                item.doses.extend(d for d in doses if d not in item.doses)
            if arm_label and arm_label not in item.arm_labels:
                item.arm_labels.append(arm_label)
    return list(merged.values())
