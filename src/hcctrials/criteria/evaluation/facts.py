"""PatientFacts: everything about one patient the evaluator needs, computed once per as_of.

Scores (Child-Pugh, ALBI, BCLC, CNLC ...) come from :func:`hcctrials.scores.compute_patient_scores`;
therapy lines are mapped once to lexicon ids and class tags; a per-patient cache keyed by a
leaf's meaning (:func:`hcctrials.model.eligibility.leaf_key`) makes identical criteria across
trials cost one evaluation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from hcctrials.criteria.families.therapy import all_mentions, therapy_tags
from hcctrials.model.patient import Patient, TherapyLine

__all__ = ["PatientFacts", "TherapyFacts", "DEFAULT_ULN", "DEFAULT_ULN_BAND"]

#: Site-default upper limits of normal used only when a result has no reference range
#: (verdict reasons then say "assumed ULN").  Typical adult reference limits of Chinese and
#: US hospital labs; a site should replace them (parameter ``default_uln`` of PatientFacts).
DEFAULT_ULN: dict[str, tuple[float, str]] = {
    "bilirubin_total": (17.1, "umol/L"),  # 1.0 mg/dL
    "bilirubin_direct": (6.8, "umol/L"),
    "alt": (40.0, "U/L"),
    "ast": (40.0, "U/L"),
    "alp": (125.0, "U/L"),
    "ggt": (60.0, "U/L"),
    "creatinine": (104.0, "umol/L"),  # ~1.18 mg/dL
    "aptt": (37.0, "s"),
    "pt": (13.0, "s"),
    "lipase": (60.0, "U/L"),
    "amylase": (110.0, "U/L"),
}
#: Reference limits differ between labs (bilirubin 17-21 umol/L, ALT 35-50 U/L ...): a result without
#: its lab's ULN is decided against an assumed ULN only when the verdict is the same for every ULN
#: from 0.8 to 1.25 x the site default; in between it is unknown and the lab's ULN is asked for
#: (issue 10: "28 umol/L <= 1.5 x ULN" cannot be decided without knowing whether the ULN is 17 or 21).
DEFAULT_ULN_BAND: tuple[float, float] = (0.8, 1.25)

@dataclass(frozen=True)
class TherapyFacts:
    """One TherapyLine with its agents resolved to lexicon ids and class tags."""

    line: TherapyLine
    agent_ids: frozenset[str]
    classes: frozenset[str]
    unresolved: tuple[str, ...]

    @property
    def progressed(self) -> bool | None:
        """True when progression on this line is documented (a progression date, stopped for
        progression, best response PD); otherwise unknown: a line stopped for toxicity or another
        reason, or with a best response of PR, may still have progressed later (issue 10 corpus:
        "stopped, reason other" must not read as "did not progress")."""
        if self.line.progression_date is not None or self.line.stop_reason == "progression" \
                or self.line.best_response == "PD":
            return True
        return None

    @cached_property
    def sites(self) -> frozenset[str]:
        """Where the therapy was given: ``TherapyLine.site`` when recorded, else the body sites the
        regimen text names ("SBRT to liver segment VIII" -> liver; "radiotherapy to T10 vertebral
        metastasis" -> bone), else liver for a transarterial or ablative procedure and for any line of kind
        'locoregional' (liver-directed by definition); empty when nothing says where."""
        if self.line.site is not None:
            return frozenset({self.line.site})
        text = " ".join([self.line.regimen or "", *self.line.agents])
        found = frozenset(site for site, pattern in _SITE_WORDS if pattern.search(text))
        if not found and (self.classes & {"transarterial", "ablation"} or self.line.kind == "locoregional"):
            return frozenset({"liver"})  # a locoregional procedure of HCC is liver-directed (docs/patients.md)
        return found

    def describe(self) -> str:
        """The line as a clinician names it: "atezolizumab + bevacizumab (PD-L1, anti-VEGF), 2023-04 to 2024-02"
        (drug names in the reader's language where the lexicon names every drug of the regimen).  Said once per
        line: the prior-therapy rules of one match name the same lines again and again (a message, immutable)."""
        return self._described

    @cached_property
    def given(self) -> str:
        """The line's agents as the record names them (each for a reader of either language), else its kind: what a
        prior-therapy reason asks about ("whether sorafenib was investigational")."""
        from hcctrials.i18n import join_msgs, term

        if not self.line.agents:
            return term(self.line.kind)
        return join_msgs(", ", [regimen_name(a) for a in self.line.agents])

    @cached_property
    def _described(self) -> str:
        from hcctrials.i18n import join_msgs, msg, term

        line = self.line
        name = regimen_name(line.regimen or " + ".join(line.agents)) or term(line.kind)
        shown = [term(_CLASS_WORDS[c]) for c in sorted(self.classes) if c in _CLASS_WORDS]
        parts = [name]
        if shown:
            parts.append(msg(" ({classes})", classes=join_msgs(msg(", "), shown)))
        if line.start is not None:
            end = msg("ongoing") if line.ongoing else line.end.isoformat()[:7] if line.end else "?"
            parts.append(msg(", {start} to {end}", start=line.start.isoformat()[:7], end=end))
        return join_msgs("", parts)


#: What may stand between the drug names of a regimen as written ("A + B", "A and B", "A联合B", "A/B").
_REGIMEN_GLUE = re.compile(r"(?:[\s+,/;&、，]|\band\b|\bplus\b|\bwith\b|联合|和|及|加|序贯)*", re.IGNORECASE)


@lru_cache(maxsize=8192)
def regimen_name(text: str) -> str:
    """*text* (a regimen or agent as the record writes it) for a reader of either language: when the
    lexicon finds only drugs in it, joined by nothing but "+", ",", "and" and the like ("atezolizumab +
    bevacizumab", "阿替利珠单抗"), a message that names each drug written by its generic name with the
    lexicon's generic name in the reader's language (English: the text as written when it names its drugs in
    English; Chinese: 阿替利珠单抗 + 贝伐珠单抗). A code, brand or regimen name such as "IBI305" or "FOLFOX4"
    stays as written, so nothing it says is lost; otherwise the text as written (a name the lexicon does not
    know is never guessed)."""
    from hcctrials.i18n import named
    from hcctrials.vocab.lexicon import load_lexicon

    if not text.strip():
        return text
    lexicon = load_lexicon()
    names: list[tuple[str, str, str]] = []
    at = 0
    for start, end, mid, kind in all_mentions(text):
        therapy = lexicon.get(mid) if kind != "unknown_drug" else None
        if therapy is None or start < at or not _REGIMEN_GLUE.fullmatch(text[at:start]):
            return text
        names.extend(_generic_names(text[start:end], therapy, lexicon))
        at = end
    if not names or not _REGIMEN_GLUE.fullmatch(text[at:]):
        return text
    written_in_english = all(en == as_written for en, as_written, _zh in names)
    return named(text if written_in_english else " + ".join(en for en, _w, _zh in names),
                 zh=" + ".join(zh for _en, _w, zh in names))


def _generic_names(written: str, therapy: Any, lexicon: Any) -> list[tuple[str, str, str]]:
    """(English, as written, Chinese) of each drug of one lexicon mention: a drug written by its generic name
    in either language -> the lexicon's generic names; a regimen written as its components ("atezolizumab +
    bevacizumab") -> each component so; anything else as written in both."""
    def drug(part: str, d: Any) -> tuple[str, str, str]:
        if part.casefold() == d.english.casefold():
            return (part, part, d.name("zh"))
        if d.chinese and part == d.chinese[0]:
            return (d.english, part, part)
        return (part, part, part)

    if therapy.kind == "drug":
        return [drug(written, therapy)]
    if therapy.kind == "regimen":
        parts = [p for p in re.split(r"\s*(?:[+,/、，]|\band\b|\bplus\b|联合)\s*", written) if p]
        components = [c for c in (lexicon.get(c) for c in therapy.components) if c is not None and c.kind == "drug"]
        if len(parts) > 1:
            found = []
            for part in parts:
                match = next((c for c in components if part.casefold() == c.english.casefold()
                              or (c.chinese and part == c.chinese[0])), None)
                found.append(drug(part, match) if match is not None else (part, part, part))
            return found
    return [(written, written, written)]


@lru_cache(maxsize=8192)
def _regimen_therapies(regimen: str) -> tuple[frozenset[str], frozenset[str]]:
    """(lexicon ids, class tags) of the therapies a regimen phrase names; cached, as cohorts repeat regimens."""
    ids: set[str] = set()
    tags: set[str] = set()
    for _s, _e, mid, kind in all_mentions(regimen):
        if kind == "unknown_drug":
            continue
        sub_id, sub_classes = therapy_tags(mid)
        ids.add(sub_id or mid)
        tags |= sub_classes
    return frozenset(ids), frozenset(tags)


#: Body-site words of regimen texts, written by hand: a closed list of anatomical words (no library reads
#: treatment sites from free text).  "extrahepatic" and "non-hepatic" are not the liver.
_SITE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((site, re.compile(pattern, re.IGNORECASE)) for site, pattern in (
    ("liver", r"(?<![a-z-])(?:liver|hepatic)\b|\bsegments?\s+(?:[ivx]+|[1-8])\b"
              r"|\bportal vein|肝(?!外|癌|细胞癌)"),
    ("bone", r"\b(?:bones?|osseous|vertebra\w*|spin(?:e|al)|ribs?|femur|femoral|pelvi\w*|sacrum|sacral|skeletal)\b"
             r"|\b[tlc]\d{1,2}\b|骨|椎"),
    ("brain", r"\b(?:brain|cranial|cerebral|whole[- ]brain|intracranial)\b|颅|脑"),
    ("lung", r"\b(?:lungs?|pulmonary)\b|肺"),
    ("lymph_node", r"\b(?:lymph nodes?|nodal)\b|淋巴结"),
))

#: Drug classes named in therapy reasons (lexicon class tags -> words).
_CLASS_WORDS = {"pd1": "PD-1", "pdl1": "PD-L1", "ctla4": "CTLA-4", "tigit": "TIGIT", "anti_vegf": "anti-VEGF",
                "tki": "TKI", "chemotherapy": "chemotherapy", "cell_therapy": "cell therapy"}


@dataclass
class PatientFacts:
    """Precomputed facts of *patient* on *as_of* (see module docstring)."""

    patient: Patient
    as_of: date
    lab_window_days: int = 28
    assume_default_uln: bool = True
    default_uln: dict[str, tuple[float, str]] = field(default_factory=lambda: dict(DEFAULT_ULN))
    cache: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def age(self) -> float | None:
        return self.patient.age_on(self.as_of)

    @cached_property
    def scores(self) -> Any:
        from hcctrials.scores import compute_patient_scores

        return compute_patient_scores(self.patient, as_of=self.as_of, lab_window_days=self.lab_window_days)

    @cached_property
    def therapies(self) -> tuple[TherapyFacts, ...]:
        out = []
        for line in self.patient.treatments:
            if line.start is not None and line.start > self.as_of:
                continue
            ids: set[str] = set()
            tags: set[str] = set()
            unresolved = []
            names = list(line.agents) + ([line.regimen] if line.regimen else [])
            for name in names:
                tid, classes = therapy_tags(name)
                if not tid and not classes and name == line.regimen:
                    # a regimen written as a phrase ("SBRT to liver segment VIII, 40 Gy/5 fx"): the
                    # therapies it names
                    sub_ids, sub_tags = _regimen_therapies(name)
                    ids |= sub_ids
                    tags |= sub_tags
                    continue
                if tid:
                    ids.add(tid)
                if classes:
                    tags |= classes
                if not tid and not classes and name in line.agents:
                    unresolved.append(name)
            out.append(TherapyFacts(line, frozenset(ids), frozenset(tags), tuple(unresolved)))
        return tuple(out)

    @cached_property
    def allergy_tags(self) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
        ids: set[str] = set()
        tags: set[str] = set()
        words = []
        from hcctrials.criteria.families.medications import allergy_name_tags

        for name in self.patient.allergies:
            tid, classes = therapy_tags(name)
            if tid:
                ids.add(tid)
            tags |= classes
            extra_id, extra_classes = allergy_name_tags(name)  # medication vocabulary, antibody (-mab) names
            if extra_id:
                ids.add(extra_id)
            tags |= extra_classes
            words.append(name.lower())
        return frozenset(ids), frozenset(tags), tuple(words)
