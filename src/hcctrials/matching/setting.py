"""Clinical setting and intervention class of a trial.

The settings follow the framework of the 2025 review of HCC trials (seed
``003_f4accd4327305c6c.txt``: 可切除肝癌 -> 术后辅助治疗 / 新辅助·围手术期治疗; 中期肝癌 -> TACE
联合系统治疗; 转化治疗; 晚期肝癌 -> 一线 / 二线): adjuvant, neoadjuvant / perioperative,
intermediate stage (TACE or HAIC combined with systemic therapy), conversion therapy,
advanced first line, advanced second line and later.  A trial of advanced disease that states
no line is ``advanced_line_unspecified``; one that states nothing usable is ``unclassified``.

How a setting is decided (rule-based and explainable: every setting keeps the phrases, with
the field they came from, that decided it):

* Phrases are looked for in the titles (weight 3), conditions / keywords / objectives /
  summary (weight 2), inclusion criteria (weight 1) and, for "no prior systemic therapy"
  only, exclusion criteria (weight 0.5).  A setting's score is the sum of the weights of the
  fields it was found in (each field counted once).
* Phrases about prior therapy count for "second line" only when they name *systemic*
  therapy and are not negated ("not previously treated with systemic therapy" is first-line
  evidence; "not previously treated with local therapy" is neither).
* Early settings (adjuvant, neoadjuvant / perioperative, conversion) stated in a title or
  summary (score >= 2) win over line-of-therapy words; "neoadjuvant + adjuvant" is one
  perioperative setting.  A mention in the criteria alone ("recurrence after resection") is
  used only when nothing points to advanced or intermediate disease.
* Intermediate: stated with score >= 2, or locoregional plus systemic interventions, or a
  criteria mention when no line of therapy is stated.  "BCLC B not amenable to TACE" in an
  advanced trial's criteria does not make it an intermediate-stage trial.
* Line: the higher of the second-line and first-line scores; a tie goes to the one found in
  the heavier field, else the line is "unspecified".

Rules are written by hand because they encode the review's framework, which no library
holds; drug classes come from :mod:`hcctrials.vocab` (lexicon ids, drug names and class words
such as "PD-1(L1) monoclonal antibody").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from hcctrials.model.trial import Trial

__all__ = [
    "SETTINGS",
    "SETTING_LABELS",
    "INTERVENTION_CLASSES",
    "CLASS_LABELS",
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

CLASS_LABELS: dict[str, str] = {
    "pd1": "PD-1", "pdl1": "PD-L1", "ctla4": "CTLA-4", "tigit": "TIGIT", "anti_vegf": "anti-VEGF",
    "tki": "TKI", "cell_therapy": "cell therapy", "locoregional": "locoregional",
    "chemotherapy": "chemotherapy", "surgery": "surgery", "radiotherapy": "radiotherapy",
}

_SYSTEMIC_CLASSES = frozenset({"pd1", "pdl1", "ctla4", "tigit", "anti_vegf", "tki", "cell_therapy",
                               "chemotherapy"})
_I = re.IGNORECASE

#: Systemic-therapy words after which "prior / progressed on / previously treated with" means
#: a previous systemic line (drugs of advanced HCC and class words, English and Chinese).
_SYSTEMIC = (
    r"(?:(?:any |one |a |the )?(?:prior |previous )?(?:systemic|first[- ]line|1st[- ]line|front[- ]line|"
    r"sorafenib|lenvatinib|donafenib|atezolizumab|durvalumab|nivolumab|pembrolizumab|camrelizumab|"
    r"sintilimab|tislelizumab|toripalimab|immunotherapy|immune checkpoint|checkpoint inhibitor|"
    r"anti-?pd-?l?1|pd-?l?1|ici|tki|tyrosine kinase|targeted))"
)
_NEGATION = re.compile(r"(?:\bno\b|\bnot\b|\bnever\b|\bwithout\b|\bnaive\b|\bna[iï]ve\b|未|无|没有|从未)"
                       r"[^.;。；]{0,40}$", _I)

# Each rule: (setting, compiled pattern).  English patterns are word-bounded; Chinese are plain.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("neoadjuvant_perioperative", re.compile(
        r"\bneo-?adjuvant\b|\bperi-?operative\b|\bpre-?operative (?:therapy|treatment|immunotherapy)\b|"
        r"新辅助|围手术期|术前(?:治疗|新辅助|用药)", _I)),
    ("adjuvant", re.compile(
        r"(?<!neo)(?<!neo-)\badjuvant\b|\bpost-?operative (?:therapy|treatment|immunotherapy)\b|"
        r"\bafter (?:curative |radical )?(?:hepatectomy|resection|ablation)\b|"
        r"\bhigh risk of recurrence\b|术后辅助|(?<!新)辅助治疗|根治性切除术后|术后复发高危", _I)),
    ("conversion", re.compile(
        r"\bconversion (?:therapy|treatment|surgery|resection)\b|\bdown-?staging\b|"
        r"\bpotentially resectable\b|转化治疗|降期|潜在可切除|转化切除", _I)),
    ("intermediate", re.compile(
        r"\bintermediate[- ](?:stage|hepatocellular)\b|\bBCLC[- ]?(?:stage )?B\b(?![- ]?(?:/|or|and|,)\s*C)|"
        r"\bunresectable,? non-?metastatic\b|中期肝癌|中期肝细胞癌|BCLC\s*B期", _I)),
    ("advanced_second_line_plus", re.compile(
        r"\bsecond[- ]line\b|\b2L\b|\bthird[- ]line\b|\blater[- ]line\b|"
        rf"\b(?:previously treated|pre-?treated|refractory|resistant) (?:to |with )?{_SYSTEMIC}|"
        rf"\bafter (?:failure|progression) (?:of |on |after )?{_SYSTEMIC}|"
        rf"\bprogress(?:ed|ion|ive disease) (?:on|after|following|during) {_SYSTEMIC}|"
        rf"\b(?:failed|failure of|intoleran(?:t|ce) (?:to|of)) {_SYSTEMIC}|"
        rf"(?<!since )(?<!of )\bprior {_SYSTEMIC}|\breceived (?:at least one |one |≤ ?\d |\d )?(?:prior )?{_SYSTEMIC}|"
        r"\bsorafenib was the only systemic\b|"
        r"二线|三线|后线|经治|既往(?:接受过|使用过|经)(?:一线)?(?:系统|全身|免疫|靶向|PD-?L?1|索拉非尼|仑伐替尼|阿替利珠单抗)|"
        r"(?:系统|全身|一线|免疫)治疗(?:后)?(?:失败|耐药|进展)|耐药进展|一线治疗失败", _I)),
    ("advanced_first_line", re.compile(
        r"\bfirst[- ]line\b|\b1L\b|\bfront[- ]line\b|\btreatment[- ]na[iï]ve\b|\bsystemic[- ]therapy[- ]na[iï]ve\b|"
        r"\bno prior systemic\b|\bnot (?:previously )?(?:received|been treated with|treated with) (?:any )?(?:prior )?systemic\b|"
        r"一线(?!治疗失败|治疗后)|初治|未(?:曾)?接受过?(?:任何)?(?:系统|全身)(?:性)?(?:抗肿瘤)?治疗", _I)),
)

#: Literals every match of a rule contains (compared case-insensitively): a text containing none
#: of a rule's literals cannot match it, so its (slow, ``\b``-anchored, case-insensitive) regex is
#: not run.  Only a speed-up: the result is the same (tests/matching/test_matching_search.py
#: checks the literals against each pattern on the seed and CT.gov records).
_RULE_LITERALS: dict[str, tuple[str, ...]] = {
    "neoadjuvant_perioperative": ("adjuvant", "operative", "新辅助", "围手术期", "术前"),
    "adjuvant": ("adjuvant", "operative", "hepatectomy", "resection", "ablation", "recurrence", "术后辅助",
                 "辅助治疗", "根治性切除术后", "术后复发高危"),
    "conversion": ("conversion", "staging", "resectable", "转化治疗", "降期", "潜在可切除", "转化切除"),
    "intermediate": ("intermediate", "bclc", "unresectable", "中期肝"),
    "advanced_second_line_plus": ("second", "2l", "third", "later", "treated", "refractory", "resistant", "progress",
                                  "failed", "failure", "intoleran", "prior", "received", "only systemic", "二线",
                                  "三线", "后线", "经治", "既往", "治疗", "耐药"),
    "advanced_first_line": ("first", "1l", "front", "naive", "naïve", "systemic", "一线", "初治", "接受"),
    "_advanced": ("advanced", "unresectable", "metasta", "bclc", "stage", "晚期", "不可切除", "无法切除", "转移性"),
}
#: re.IGNORECASE matches U+0130 and U+0131 to "i" but str.casefold() does not map them to "i"
#: (every other code point matched to a literal's character casefolds to it: checked over all
#: of Unicode when this was written).
_DOTTED_I = str.maketrans({"\u0130": "i", "\u0131": "i"})


def _caseless(text: str) -> str:
    return text.translate(_DOTTED_I).casefold()


def _may_match(key: str, caseless: str) -> bool:
    return any(literal in caseless for literal in _RULE_LITERALS[key])


_ADVANCED = re.compile(
    r"\badvanced\b|\bunresectable\b|\bmetasta|\bBCLC\)?[- ]?(?:stage )?C\b|\bstage C\b|\blocally advanced\b|"
    r"晚期|不可切除|无法切除|转移性|BCLC\s*C期", _I)
#: An exclusion of prior systemic therapy makes a trial first line ("prior systemic therapy for
#: HCC" as an exclusion criterion), unless it carves out an exception.
_EXCLUDED_PRIOR_SYSTEMIC = re.compile(
    r"\bprior systemic (?:therapy|treatment|anti-?cancer)|\bprevious(?:ly received)? systemic|"
    r"既往(?:接受过|使用过)?(?:系统|全身)(?:性)?(?:抗肿瘤)?治疗", _I)
_EXCEPTION = re.compile(r"\bother than\b|\bexcept\b|\bbesides\b|\bapart from\b|除.{0,20}外", _I)
_LOCOREGIONAL_WORDS = re.compile(
    r"\bTACE\b|\bTAE\b|\bHAIC\b|\bTARE\b|\bSIRT\b|\bchemo-?embolization\b|\bhepatic arterial infusion\b|"
    r"肝动脉化疗栓塞|肝动脉灌注化疗|介入治疗|经动脉", _I)
#: Cell therapies the lexicon may not name (TCR-T, CAR-T, CIK, NK, TIL products).
_CELL_THERAPY_WORDS = re.compile(
    r"\bCAR-?T\b|\bTCR-?T\b|\bTCR-redirected\b|\bT[- ]cells?\b|\bNK cells?\b|\bCIK\b|\bTILs?\b|"
    r"细胞治疗|细胞注射液|CAR-T细胞", _I)

_FIELD_WEIGHTS = {"title": 3.0, "conditions": 2.0, "keywords": 2.0, "objectives": 2.0, "summary": 2.0,
                  "inclusion": 1.0, "exclusion": 0.5, "interventions": 2.0}


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

    def class_label(self) -> str:
        return ", ".join(CLASS_LABELS[c] for c in INTERVENTION_CLASSES if c in self.intervention_classes)


def _texts(trial: Trial) -> Iterator[tuple[str, str, str]]:
    """(field group, field name, text) the classifier reads."""
    for name, value in (("brief_title", trial.brief_title), ("scientific_title", trial.scientific_title),
                        ("acronym", trial.acronym)):
        for text in (value.en, value.zh):
            if text:
                yield "title", name, text
    for name, value in (("objectives", trial.objectives), ("summary", trial.summary)):
        for text in (value.en, value.zh):
            if text:
                yield name, name, text
    for cond in trial.conditions:
        for text in (cond.en, cond.zh):
            if text:
                yield "conditions", "conditions", text
    if trial.keywords:
        yield "keywords", "keywords", "; ".join(trial.keywords)
    for role, items in (("inclusion", trial.eligibility.inclusion), ("exclusion", trial.eligibility.exclusion)):
        for i, item in enumerate(items, 1):
            for text in (item.en, item.zh):
                if text:
                    yield role, f"{role}[{i}]", text
    el = trial.eligibility
    if not el.inclusion and not el.exclusion:
        for text in (el.raw_text.en, el.raw_text.zh):
            if text:  # unsplit criteria: treat as inclusion text (weight 1)
                yield "inclusion", "criteria", text


def _therapies_in(texts: Iterable[str]) -> set[str]:
    tags: set[str] = set()
    for text in texts:
        tags |= _therapy_tags(text)
    return tags


@lru_cache(maxsize=50_000)
def _therapy_tags(text: str) -> frozenset[str]:
    """Class tags one intervention name or title names (cached: the same names recur across trials)."""
    from hcctrials.vocab import load_lexicon

    lexicon = load_lexicon()
    tags: set[str] = set()
    therapy = lexicon.lookup(text)
    if therapy is not None:
        tags.update(therapy.classes)
    for mention in lexicon.find_mentions(text):
        tags.update(mention.therapy.classes)
    for class_mention in lexicon.find_class_mentions(text):
        tags.update(class_mention.classes)
    if _CELL_THERAPY_WORDS.search(text):
        tags.add("cell_therapy")
    return frozenset(tags)


def intervention_classes(trial: Trial) -> frozenset[str]:
    """Class tags of the trial's interventions (PD-1, PD-L1, TKI, locoregional ...).

    Read from the interventions' lexicon ids, names and other names (drug names and class
    words); when the record's interventions name no drug (a ChiCTR page listing only "药物干预"),
    the titles are read instead.
    """
    from hcctrials.vocab import load_lexicon

    lexicon = load_lexicon()
    tags: set[str] = set()
    for item in trial.interventions:
        for therapy_id in item.lexicon_ids:
            therapy = lexicon.get(therapy_id)
            if therapy is not None:
                tags.update(therapy.classes)
        texts = [t for t in (item.name.en, item.name.zh, *item.other_names) if t]
        tags |= _therapies_in(texts)
        if item.type == "procedure" and _LOCOREGIONAL_WORDS.search(" ".join(texts)):
            tags.add("locoregional")
    if not (tags & _SYSTEMIC_CLASSES):
        titles = [t for v in (trial.brief_title, trial.scientific_title, trial.acronym) for t in (v.en, v.zh) if t]
        tags |= _therapies_in(titles)
    return frozenset(t for t in tags if t in INTERVENTION_CLASSES)


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 45):start]))


def classify_trial_setting(trial: Trial) -> TrialSetting:
    """Classify *trial* into the review's settings (see the module docstring for the rules)."""
    evidence: dict[str, list[str]] = {}
    fields_hit: dict[str, dict[str, float]] = {}

    def hit(setting: str, group: str, name: str, phrase: str) -> None:
        evidence.setdefault(setting, []).append(f"{name}: {phrase}")
        fields_hit.setdefault(setting, {})[group] = _FIELD_WEIGHTS[group]

    for group, name, text in _texts(trial):
        if group == "exclusion":
            m = _EXCLUDED_PRIOR_SYSTEMIC.search(text)
            if m and not _EXCEPTION.search(text):
                hit("advanced_first_line", group, name, f"excludes {m.group(0)}")
            continue
        caseless = _caseless(text)
        for setting, pattern in _RULES:
            if not _may_match(setting, caseless):
                continue
            for m in pattern.finditer(text):
                if setting == "advanced_second_line_plus" and _negated(text, m.start()):
                    if re.search(r"systemic|系统|全身", m.group(0), _I):
                        hit("advanced_first_line", group, name, f"not {m.group(0)}")
                    continue
                if setting == "intermediate" and group == "inclusion" and _may_match("_advanced", caseless) \
                        and _ADVANCED.search(text):
                    continue  # "BCLC C, or B not amenable to TACE": an advanced-disease criterion
                hit(setting, group, name, m.group(0))
                break
        if _may_match("_advanced", caseless) and _ADVANCED.search(text):
            fields_hit.setdefault("_advanced", {})[group] = _FIELD_WEIGHTS[group]

    classes = intervention_classes(trial)
    early_named = evidence.keys() & {"adjuvant", "neoadjuvant_perioperative", "conversion"}
    if "locoregional" in classes and classes & _SYSTEMIC_CLASSES and not early_named:
        hit("intermediate", "interventions", "interventions", "locoregional therapy combined with systemic therapy")

    def score(setting: str) -> float:
        return sum(fields_hit.get(setting, {}).values())

    def heaviest(setting: str) -> float:
        return max(fields_hit.get(setting, {}).values(), default=0.0)

    line_scores = {s: score(s) for s in ("advanced_second_line_plus", "advanced_first_line")}
    advanced_words = score("_advanced")
    any_advanced = advanced_words > 0 or any(line_scores.values()) or score("intermediate") > 0

    early = [s for s in ("adjuvant", "neoadjuvant_perioperative", "conversion") if score(s) >= 2
             or (score(s) > 0 and not any_advanced)]
    if "neoadjuvant_perioperative" in early and "adjuvant" in early:
        early.remove("adjuvant")  # "perioperative (neoadjuvant + adjuvant)" is one setting
    ordered: list[str] = list(early)

    line: str | None = None
    l2, l1 = line_scores["advanced_second_line_plus"], line_scores["advanced_first_line"]
    if l2 or l1:
        if l2 > l1 or (l2 == l1 and heaviest("advanced_second_line_plus") > heaviest("advanced_first_line")):
            line = "advanced_second_line_plus"
        elif l1 > l2 or heaviest("advanced_first_line") > heaviest("advanced_second_line_plus"):
            line = "advanced_first_line"
        else:
            line = "advanced_line_unspecified"

    intermediate = score("intermediate")
    line_score = line_scores.get(line or "", 0.0) if line != "advanced_line_unspecified" else max(l1, l2)
    if intermediate >= 2 or (intermediate > 0 and intermediate > line_score and advanced_words < 2):
        if not early or intermediate >= 2:
            ordered.append("intermediate")
    if not early:
        if line is not None and "intermediate" in ordered and intermediate > line_score:
            pass  # the line words belong to the intermediate-stage trial's criteria
        elif line is not None:
            ordered.append(line)
        elif line is None and advanced_words > 0 and "intermediate" not in ordered:
            ordered.append("advanced_line_unspecified")
    elif line is not None and line != "advanced_line_unspecified" and line_scores[line] >= 3:
        ordered.append(line)  # e.g. "conversion therapy after first-line ..." stated in the title
    if not ordered:
        ordered.append("unclassified")
    kept = {k: tuple(v) for k, v in evidence.items() if k in ordered}
    if "advanced_line_unspecified" in ordered:
        kept["advanced_line_unspecified"] = tuple(
            e for s in ("advanced_second_line_plus", "advanced_first_line") for e in evidence.get(s, ())
        ) or ("advanced / unresectable disease without a line of therapy",)
    return TrialSetting(settings=tuple(ordered), evidence=kept, intervention_classes=classes)
