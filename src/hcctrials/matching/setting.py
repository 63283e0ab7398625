"""Clinical setting and intervention class of a trial.

The settings follow the framework of the 2025 review of HCC trials (seed
``003_f4accd4327305c6c.txt``: 可切除肝癌 -> 术后辅助治疗 / 新辅助·围手术期治疗; 中期肝癌 -> TACE
联合系统治疗; 转化治疗; 晚期肝癌 -> 一线 / 二线): adjuvant, neoadjuvant / perioperative,
intermediate stage (TACE or HAIC combined with systemic therapy), conversion therapy,
advanced first line, advanced second line and later.  A trial of advanced disease that states
no line is ``advanced_line_unspecified``; one that states nothing usable is ``unclassified``.

The classification is rule-based and explainable: every setting carries the phrases (field and
text) that decided it.  Rules are written by hand because they encode the review's framework,
which no library holds; drug classes come from :mod:`hcctrials.vocab`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from hcctrials.model.trial import Trial

__all__ = [
    "SETTINGS",
    "SETTING_LABELS",
    "INTERVENTION_CLASSES",
    "TrialSetting",
    "classify_trial_setting",
    "intervention_classes",
]

#: Settings in the order of the review's framework (early disease to late).
SETTINGS = (
    "adjuvant",
    "neoadjuvant_perioperative",
    "intermediate",
    "conversion",
    "advanced_first_line",
    "advanced_second_line_plus",
    "advanced_line_unspecified",
    "unclassified",
)

SETTING_LABELS: dict[str, dict[str, str]] = {
    "adjuvant": {"en": "Adjuvant", "zh": "术后辅助"},
    "neoadjuvant_perioperative": {"en": "Neoadjuvant / perioperative", "zh": "新辅助/围手术期"},
    "intermediate": {"en": "Intermediate stage (TACE/HAIC + systemic)", "zh": "中期(TACE/HAIC联合系统治疗)"},
    "conversion": {"en": "Conversion therapy", "zh": "转化治疗"},
    "advanced_first_line": {"en": "Advanced, first line", "zh": "晚期一线"},
    "advanced_second_line_plus": {"en": "Advanced, second line or later", "zh": "晚期二线及以上"},
    "advanced_line_unspecified": {"en": "Advanced, line not stated", "zh": "晚期(线数未述)"},
    "unclassified": {"en": "Unclassified", "zh": "未分类"},
}

#: Intervention classes shown on every trial (tags from hcctrials.vocab).
INTERVENTION_CLASSES = (
    "pd1", "pdl1", "ctla4", "tigit", "anti_vegf", "tki", "cell_therapy", "locoregional",
    "chemotherapy", "surgery", "radiotherapy",
)

_I = re.IGNORECASE

# Each rule: (setting, compiled pattern).  English patterns are word-bounded; Chinese are plain.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("neoadjuvant_perioperative", re.compile(
        r"\bneo-?adjuvant\b|\bperi-?operative\b|\bpre-?operative\b|新辅助|围手术期|术前(?:治疗|新辅助|用药)", _I)),
    ("adjuvant", re.compile(
        r"(?<!neo)(?<!neo-)\badjuvant\b|\bpost-?operative (?:therapy|treatment)\b|"
        r"\bafter (?:curative |radical )?(?:hepatectomy|resection|ablation)\b|"
        r"\bhigh risk of recurrence\b|\brecurrence[- ]free survival\b|术后辅助|(?<!新)辅助治疗|根治性切除术后|术后复发高危", _I)),
    ("conversion", re.compile(
        r"\bconversion (?:therapy|treatment|surgery|resection)\b|\bdown-?staging\b|"
        r"\bpotentially resectable\b|转化治疗|降期|潜在可切除|转化切除", _I)),
    ("intermediate", re.compile(
        r"\bintermediate[- ]stage\b|\bBCLC[- ]?(?:stage )?B\b(?![- ]?(?:/|or|and|,)\s*C)|"
        r"\bunresectable,? non-?metastatic\b|中期肝癌|中期肝细胞癌", _I)),
    ("advanced_second_line_plus", re.compile(
        r"\bsecond[- ]line\b|\b2L\b|\bthird[- ]line\b|\bpreviously treated\b|\bpre-?treated\b|"
        r"\brefractory\b|\bafter (?:failure|progression)\b|\bprogress(?:ed|ion) (?:on|after|following)\b|"
        r"\b(?:failed|failure of|intolerant (?:to|of)) (?:first[- ]line|prior|previous|sorafenib|lenvatinib|"
        r"atezolizumab|immunotherapy|systemic)\b|\bprior (?:systemic|immunotherapy|immune checkpoint)\b|"
        r"二线|三线|经治|既往接受过(?:系统|全身)|系统治疗(?:失败|耐药|进展)|耐药进展|治疗失败后", _I)),
    ("advanced_first_line", re.compile(
        r"\bfirst[- ]line\b|\b1L\b|\btreatment[- ]na[iï]ve\b|\bsystemic[- ]therapy[- ]na[iï]ve\b|"
        r"\bno prior systemic\b|\bnot (?:previously )?received (?:any )?(?:prior )?systemic\b|"
        r"一线|初治|未接受过(?:任何)?(?:系统|全身)(?:性)?治疗", _I)),
)

_ADVANCED = re.compile(
    r"\badvanced\b|\bunresectable\b|\bmetasta|\bBCLC[- ]?(?:stage )?C\b|\blocally advanced\b|"
    r"晚期|不可切除|无法切除|转移性|BCLC\s*C期", _I)
_LOCOREGIONAL_WORDS = re.compile(
    r"\bTACE\b|\bTAE\b|\bHAIC\b|\bTARE\b|\bSIRT\b|\bchemo-?embolization\b|\bhepatic arterial infusion\b|"
    r"肝动脉化疗栓塞|肝动脉灌注化疗|介入治疗|经动脉", _I)


@dataclass(frozen=True)
class TrialSetting:
    """A trial's clinical setting(s), most specific first, with the evidence for each."""

    settings: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    intervention_classes: frozenset[str] = frozenset()

    @property
    def primary(self) -> str:
        return self.settings[0]

    def label(self, language: str = "en") -> str:
        return " + ".join(SETTING_LABELS[s]["zh" if language == "zh" else "en"] for s in self.settings)


def _texts(trial: Trial) -> Iterable[tuple[str, str]]:
    """(field, text) pairs the classifier reads: titles, conditions, summary, objectives, criteria."""
    for name, value in (
        ("brief_title", trial.brief_title), ("scientific_title", trial.scientific_title),
        ("objectives", trial.objectives), ("summary", trial.summary),
    ):
        for text in (value.en, value.zh):
            if text:
                yield name, text
    for cond in trial.conditions:
        for text in (cond.en, cond.zh):
            if text:
                yield "conditions", text
    for i, item in enumerate(trial.eligibility.inclusion, 1):
        for text in (item.en, item.zh):
            if text:
                yield f"inclusion[{i}]", text


def intervention_classes(trial: Trial) -> frozenset[str]:
    """Class tags of the trial's interventions (PD-1, PD-L1, TKI, locoregional ...)."""
    from hcctrials.vocab import load_lexicon

    lexicon = load_lexicon()
    tags: set[str] = set()
    for item in trial.interventions:
        therapies = [lexicon.lookup(i) for i in item.lexicon_ids]
        for text in (item.name.en, item.name.zh, *item.other_names):
            if text:
                therapies.append(lexicon.lookup(text))
                therapies.extend(m.therapy for m in lexicon.find_mentions(text))
        for therapy in therapies:
            if therapy is not None:
                tags.update(therapy.classes)
        names = " ".join(t for t in (item.name.en, item.name.zh) if t)
        if item.type == "procedure" and _LOCOREGIONAL_WORDS.search(names):
            tags.add("locoregional")
    return frozenset(t for t in tags if t in INTERVENTION_CLASSES)


def classify_trial_setting(trial: Trial) -> TrialSetting:
    """Classify *trial* into the review's settings (see the module docstring)."""
    evidence: dict[str, list[str]] = {}
    advanced = False
    for field_name, text in _texts(trial):
        for setting, pattern in _RULES:
            match = pattern.search(text)
            if match:
                evidence.setdefault(setting, []).append(f"{field_name}: {match.group(0)}")
        if _ADVANCED.search(text):
            advanced = True
    classes = intervention_classes(trial)
    systemic = bool(classes & {"pd1", "pdl1", "ctla4", "tigit", "anti_vegf", "tki", "cell_therapy"})
    if "locoregional" in classes and systemic and not (
        evidence.keys() & {"adjuvant", "neoadjuvant_perioperative", "conversion"}
    ):
        evidence.setdefault("intermediate", []).append(
            "interventions: locoregional therapy combined with systemic therapy")
    # Line-of-therapy words only name an advanced setting; a neoadjuvant trial "after first-line"
    # is still neoadjuvant, so the early settings win when both appear.
    early = [s for s in ("adjuvant", "neoadjuvant_perioperative", "conversion") if s in evidence]
    if "neoadjuvant_perioperative" in early and "adjuvant" in early:
        early.remove("adjuvant")  # "perioperative (neoadjuvant + adjuvant)" is one setting
    ordered: list[str] = list(early)
    if "intermediate" in evidence:
        ordered.append("intermediate")
    if not early:
        if "advanced_second_line_plus" in evidence:
            ordered.append("advanced_second_line_plus")
        elif "advanced_first_line" in evidence:
            ordered.append("advanced_first_line")
        elif advanced and "intermediate" not in evidence:
            ordered.append("advanced_line_unspecified")
    if not ordered:
        ordered.append("unclassified")
    return TrialSetting(
        settings=tuple(ordered),
        evidence={k: tuple(v) for k, v in evidence.items() if k in ordered},
        intervention_classes=classes,
    )
