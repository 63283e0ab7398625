"""Relevance before eligibility: does a trial concern the patient's disease at all?

A hospital's catalog holds every disease (dementia, obesity, preterm infants, dental implants ...).
A match answers only for trials that concern the patient's disease; a trial for another
condition is never offered as eligible or possibly eligible, however few of its criteria the
record can decide (issue 10, part 1).

How it is decided (pure, explainable):

1. **Concepts of the trial** (:func:`trial_concepts`, computed once per record and cached with the
   match summary): bilingual patterns for hepatocellular carcinoma (HCC / 肝细胞癌 / hepatoma),
   primary liver cancer (原发性肝癌), liver cancer in the broad sense (liver neoplasms / 肝癌 /
   肝恶性肿瘤), cholangiocarcinoma (胆管癌), liver metastases (肝转移), solid-tumour basket wording
   ("advanced solid tumours", "advanced cancers", 实体瘤) and healthy volunteers (健康受试者),
   searched in order of authority: the registry's **conditions**, then the **titles** and
   **keywords**, then the **disease criteria** (inclusion items that state a diagnosis, without a
   negation).  Each concept keeps the first text that showed it, as evidence.
2. **The patient's disease** (:func:`patient_concepts`): hcctrials patients have HCC unless the
   recorded histology says otherwise (cholangiocarcinoma, combined HCC-CCA).
3. **Decision** (:func:`assess_relevance`): ``disease`` when the trial names the patient's
   disease (HCC, primary or broad liver cancer for an HCC patient); ``basket`` when it names solid
   tumours in general (may admit HCC: the criteria decide); otherwise ``other_condition``
   (another disease, liver metastases of other cancers, healthy volunteers) or
   ``condition_unknown`` (the record names no condition that could be read).  Only ``disease`` and
   ``basket`` trials are relevant; the others are hidden and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from hcctrials.i18n import say
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial

__all__ = ["Concept", "CONCEPTS", "TrialConcepts", "Relevance", "RelevanceLevel", "trial_concepts",
           "patient_concepts", "assess_relevance", "RELEVANT_LEVELS"]


@dataclass(frozen=True)
class Concept:
    """A disease concept with its names in both languages and the pattern that finds it."""

    code: str
    en: str
    zh: str
    pattern: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Organs whose cancer is another disease: a Chinese generic "恶性肿瘤" right after one of them is not generic.
_ORGAN_ZH = "肺胃肠胰乳腺肾胱巢颈管状脑骨血咽胆宫道巴"
#: Disease concepts, most specific first.  The patterns are linear (no nested quantifiers).
CONCEPTS: tuple[Concept, ...] = (
    Concept("hcc", "hepatocellular carcinoma", "肝细胞癌", _rx(
        r"hepato\s?-?cellular\s+(?:carcinoma|cancer|carcinomas)|\bhcc\b|\bhepatomas?\b|carcinoma,\s*hepatocellular"
        r"|肝细胞(?:性)?(?:肝)?癌|肝细胞肝癌")),
    Concept("primary_liver_cancer", "primary liver cancer", "原发性肝癌", _rx(
        r"primary\s+(?:liver|hepatic)\s+(?:cancer|carcinoma|malignanc\w*|neoplasm\w*|tumou?r\w*)|原发性?肝癌|原发性肝脏?恶性肿瘤")),
    Concept("liver_cancer", "liver cancer", "肝癌", _rx(
        r"(?<!metastatic\s)(?:liver|hepatic)\s+(?:cancers?|carcinomas?|neoplasms?|malignanc\w*)|neoplasms?,\s*liver"
        r"|(?<!转移性)(?<!胆管)(?<!继发性)肝癌|肝(?:脏)?恶性肿瘤")),
    Concept("cholangiocarcinoma", "cholangiocarcinoma", "胆管癌", _rx(
        r"cholangio\w*carcinoma|cholangiocarcinomas?|bile\s+duct\s+(?:cancer|carcinoma)|biliary\s+tract\s+(?:cancer|carcinoma)"
        r"|胆管(?:细胞)?癌|胆道(?:恶性肿瘤|癌)")),
    Concept("liver_metastases", "liver metastases", "肝转移", _rx(
        r"(?:liver|hepatic)\s+metasta\w+|metasta\w+\s+(?:to\s+(?:the\s+)?)?liver|metastatic\s+liver|肝转移|转移性肝癌|继发性肝癌")),
    Concept("solid_tumour", "solid tumours (basket)", "实体瘤", _rx(
        r"solid\s+(?:tumou?rs?|malignanc\w*|neoplasms?|cancers?)|advanced\s+(?:cancers?|malignanc\w*)\b"
        r"|metastatic\s+cancers?\b|^\s*(?:cancers?|neoplasms?|malignant\s+neoplasms?|malignant\s+tumou?rs?|tumou?rs?)\s*$"
        r"|实体瘤|实体恶性肿瘤|(?<![" + _ORGAN_ZH + r"])恶性肿瘤|^\s*抗肿瘤\s*$|^\s*肿瘤\s*$")),
    Concept("healthy", "healthy volunteers", "健康受试者", _rx(
        r"healthy\s+(?:volunteers?|subjects?|participants?|adults?|individuals?)|^\s*healthy\s*$|健康(?:受试者|志愿者|成人|人群|人体|人)")),
)
_BY_CODE = {c.code: c for c in CONCEPTS}

RelevanceLevel = Literal["disease", "basket", "other_condition", "condition_unknown"]
RELEVANT_LEVELS = ("disease", "basket")
#: Inclusion items that state the disease ("histologically confirmed ...", 经病理确诊 ...).
_DIAGNOSIS_ITEM = _rx(r"diagnos|confirm|histolog|cytolog|patients?\s+with|确诊|诊断|病理|患者")
_NEGATED = _rx(r"\bno\b|\bnot\b|\bwithout\b|\bexclud|\bhistory of\b|\bprior\b|无|未|非|除外|排除|既往")


@dataclass(frozen=True)
class TrialConcepts:
    """The disease concepts a trial record names, with the text that showed each (first found)."""

    concepts: dict[str, str] = field(default_factory=dict)  # concept code -> "condition: <text>"
    described: bool = False  # the record names a condition or title at all
    healthy_volunteers: bool = False

    def to_json(self) -> dict[str, object]:
        return {"concepts": dict(self.concepts), "described": self.described,
                "healthy_volunteers": self.healthy_volunteers}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> TrialConcepts:
        concepts = data.get("concepts") or {}
        if not isinstance(concepts, dict):
            raise TypeError(f"trial concepts: expected a mapping, got {type(concepts).__name__}")
        return cls({str(k): str(v) for k, v in concepts.items()}, bool(data.get("described")),
                   bool(data.get("healthy_volunteers")))


def _scan(texts: Iterable[tuple[str, str]], found: dict[str, str]) -> None:
    for where, text in texts:
        if not text:
            continue
        for concept in CONCEPTS:
            if concept.code not in found and concept.pattern.search(text):
                shown = " ".join(text.split())
                found[concept.code] = f"{where}: {shown[:120]}"


def trial_concepts(trial: Trial) -> TrialConcepts:
    """The disease concepts of *trial* from its conditions, titles, keywords and disease criteria."""
    conditions = [(lang_text, "condition") for c in trial.conditions for lang_text in (c.en, c.zh) if lang_text]
    titles = [(t, "title") for text in (trial.brief_title, trial.scientific_title, trial.acronym)
              for t in (text.en, text.zh) if t]
    found: dict[str, str] = {}
    _scan(((w, t) for t, w in conditions), found)
    _scan(((w, t) for t, w in titles), found)
    if not conditions:  # keywords are loose ("neoplasms" on a leukaemia study): only when no condition is named
        _scan((("keyword", k) for k in trial.keywords), found)
    if not (set(found) - {"healthy"}):
        items = [t for item in trial.eligibility.inclusion for t in (item.en, item.zh) if t]
        if not items:
            raw = " ".join(t for t in (trial.eligibility.raw_text.en, trial.eligibility.raw_text.zh) if t)
            items = [s for s in re.split(r"[\n;；。]", raw) if s.strip()][:12]
        disease_items = [t[:400] for t in items if _DIAGNOSIS_ITEM.search(t[:400]) and not _NEGATED.search(t[:400])]
        _scan((("inclusion criterion", t) for t in disease_items), found)
    return TrialConcepts(found, bool(conditions or titles), bool(trial.eligibility.healthy_volunteers))


def patient_concepts(patient: Patient) -> frozenset[str]:
    """The concepts that name the patient's disease: HCC unless the recorded histology says otherwise."""
    histology = patient.diagnosis.histology
    if histology == "cholangiocarcinoma":
        return frozenset({"cholangiocarcinoma", "primary_liver_cancer"})
    if histology == "combined_hcc_cca":
        return frozenset({"hcc", "primary_liver_cancer", "liver_cancer", "cholangiocarcinoma"})
    return frozenset({"hcc", "primary_liver_cancer", "liver_cancer"})


@dataclass(frozen=True)
class Relevance:
    """Whether a trial concerns the patient's disease, and why (in words a clinician reads)."""

    level: RelevanceLevel
    concepts: tuple[str, ...]
    evidence: str

    @property
    def relevant(self) -> bool:
        return self.level in RELEVANT_LEVELS

    @property
    def rank(self) -> int:
        """0 a trial of the patient's disease, 1 a solid-tumour basket, 2 not relevant."""
        return {"disease": 0, "basket": 1}.get(self.level, 2)

    def describe(self, language: str = "en") -> str:
        names = ", ".join((_BY_CODE[c].zh if language == "zh" else _BY_CODE[c].en) for c in self.concepts
                          if c in _BY_CODE) or say("none", language)
        label = _level_text(self.level, language)
        evidence = evidence_text(self.evidence, language)
        return f"{label} ({names}; {evidence})" if evidence else f"{label} ({names})"


def _level_text(level: str, language: str) -> str:
    texts = {"disease": say("trial for the patient's disease", language),
             "basket": say("solid-tumour basket trial (may admit HCC)", language),
             "other_condition": say("trial for another condition", language),
             "condition_unknown": say("the record names no condition that could be read", language)}
    return texts.get(level, level)


def evidence_text(evidence: str, language: str) -> str:
    """*evidence* ("title: <text as written>") with its fixed words in *language*; the record's text stays as written."""
    if language == "en" or not evidence:
        return evidence
    fixed = {"healthy volunteers accepted": say("healthy volunteers accepted", language),
             "conditions and titles name no liver-cancer or solid-tumour concept":
                 say("conditions and titles name no liver-cancer or solid-tumour concept", language)}
    if evidence in fixed:
        return fixed[evidence]
    where, sep, text = evidence.partition(": ")
    places = {"condition": say("condition", language), "title": say("title", language),
              "keyword": say("keyword", language), "inclusion criterion": say("inclusion criterion", language)}
    return say("{where}: {text}", language, where=places[where], text=text) if sep and where in places else evidence


def assess_relevance(trial: TrialConcepts, patient: frozenset[str]) -> Relevance:
    """Relevance of a trial with concepts *trial* for a patient with disease concepts *patient*."""
    named = tuple(c for c in trial.concepts if c != "healthy")
    if trial.concepts.get("healthy", "").startswith("title"):  # "[14C]阿可拉定健康人体I期临床研究": the indication is HCC, the subjects are not
        return Relevance("other_condition", ("healthy",), trial.concepts["healthy"])
    matched = [c for c in named if c in patient]
    if matched:
        return Relevance("disease", tuple(matched), trial.concepts[matched[0]])
    if "solid_tumour" in trial.concepts:
        return Relevance("basket", ("solid_tumour",), trial.concepts["solid_tumour"])
    if named or "healthy" in trial.concepts or trial.healthy_volunteers:
        codes = named or ("healthy",)
        first = trial.concepts.get(codes[0], "healthy volunteers accepted" if trial.healthy_volunteers else "")
        return Relevance("other_condition", codes, first)
    if trial.described:
        return Relevance("other_condition", (), "conditions and titles name no liver-cancer or solid-tumour concept")
    return Relevance("condition_unknown", (), "")
