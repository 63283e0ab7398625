"""Drugs named in registry free text, and Interventions built from bilingual regimen text.

The drug names come from the project lexicon (:mod:`hcctrials.vocab`: ``find_mentions``),
the doses from :func:`hcctrials.vocab.dose.parse_doses`.  Sponsor code names ("LY3537982") and English names the lexicon does
not list are still noticed when they carry a WHO INN stem for an antineoplastic class
(-mab monoclonal antibodies, -tinib/-nib kinase inhibitors, -ciclib, -parib, -platin,
-taxel, -rubicin, -citabine; WHO "The use of stems in the selection of INN", 2018), so a
translation slip to a drug outside the lexicon (seed 001: "teprotumumab" for 特瑞普利单抗)
is not missed.  Such a name gets the id ``unlisted:<name>`` and no lexicon id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hcctrials.model.trial import Dose, Intervention, Text
from hcctrials.sources.chictr.items import has_cjk

if TYPE_CHECKING:
    from hcctrials.vocab.lexicon import Lexicon

__all__ = ["DrugMention", "drug_mentions", "regimen_segments", "build_interventions"]

_INN_STEM = re.compile(
    r"\b[A-Za-z][a-z]{2,}(?:mab|tinib|nib|ciclib|parib|platin|taxel|rubicin|citabine)\b",
    re.IGNORECASE,
)
#: Sponsor code names ("LY3537982", "SHR-1210", "IBI305"): letters then 3-7 digits.
_CODE_NAME = re.compile(r"(?<![A-Za-z0-9-])[A-Z]{2,5}-?\d{3,7}(?![A-Za-z0-9])")
_JOINERS = re.compile(
    r"(?:\s+|[,，;；、+＋/]+|联合|合并|加用|序贯|及|和|与|或|"
    r"\b(?:combined\s+with|in\s+combination\s+with|plus|and|with|followed\s+by|then|or)\b)*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DrugMention:
    """A therapy named in a text: lexicon id (or ``unlisted:<name>``), names, span."""

    id: str
    name: str  # the lexicon's English name, or the unlisted name as written
    matched: str
    start: int
    end: int
    kind: str  # drug | procedure | regimen | unlisted
    lexicon_id: str | None
    classes: frozenset[str] = frozenset()


def _lexicon() -> Lexicon:
    from hcctrials.vocab import load_lexicon

    return load_lexicon()


def drug_mentions(text: str | None, *, expand: bool = False) -> list[DrugMention]:
    """Therapies named in *text*, in order (lexicon first, INN-stem names the lexicon lacks).

    With *expand*, a named regimen ("阿得贝利单抗联合阿帕替尼") yields one mention per
    component drug, each spanning the regimen's text.
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
    for hit in [*_INN_STEM.finditer(text), *_CODE_NAME.finditer(text)]:
        if any(f.start < hit.end() and hit.start() < f.end for f in found):
            continue
        word = hit.group(0)
        found.append(DrugMention(
            id=f"unlisted:{word.lower().replace('-', '')}", name=word, matched=word, start=hit.start(),
            end=hit.end(), kind="unlisted", lexicon_id=None,
        ))
    found.sort(key=lambda f: f.start)
    return found


def regimen_segments(text: str | None) -> list[tuple[DrugMention, str]]:
    """Each drug named in *text* with the stretch of text up to the next one (its dose).

    Components of a named regimen share the regimen's stretch of text.
    """
    if not text:
        return []
    mentions = drug_mentions(text, expand=True)
    out = []
    for mention in mentions:
        end = min((m.start for m in mentions if m.start > mention.start), default=len(text))
        segment = _JOINERS.sub("", text[mention.start:end]).strip()
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


_TYPE_BY_KIND = {"drug": "drug", "regimen": "drug", "procedure": "procedure", "unlisted": "drug"}


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
            if same and other_mention is not None:
                names["en" if lead == "zh" else "zh"] = other_mention.matched
            if names["en"] is None and mention.lexicon_id:
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
