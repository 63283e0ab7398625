"""Small shared grammar pieces for the family scanners: hits, comparators, numbers, windows.

Text given to scanners is already :func:`hcctrials.criteria.text.normalise.normalise_text`-ed (ASCII
punctuation, ≥ ≤ > <, 'x' for ×, 'u' for µ).  Chinese and English patterns sit side by side.

Chinese "以上/以下" include the stated number (Civil Code of the PRC art. 1259: "以上、以下、
以内、届满，包括本数"), so "1.5×10^9/L以上" is ``>=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, TypeAlias

from hcctrials.model.eligibility import Comparator

__all__ = ["SINGLE_WINDOW", "ANCHOR", "meaningful_residue", 
    "Hit", "Context", "NUM", "COMPARATOR", "parse_comparator", "parse_number", "find_window",
    "Window", "CN_NUMERALS", "to_int", "flip", "ascii_re", "trie_regex",
]


@dataclass
class Context:
    """What a scanner may need besides the text."""

    text: str  # normalised
    lower: str  # lower-cased normalised
    language: str
    role: str | None
    trial_drugs: tuple[str, ...] = ()
    #: compiles a fragment (the condition of a conditional threshold) in this context: set by the
    #: compiler, so that a scanner can read a nested condition without importing the compiler
    compile_fragment: Callable[[str, Context], Any] | None = None


@dataclass
class Hit:
    """A span of the criterion text a family turned into a node.

    ``priority`` breaks overlaps (higher wins, then longer).  ``windowed``: the node accepts a
    time window found elsewhere in the clause (therapy, history).
    """

    start: int
    end: int
    node: Any
    priority: int = 0
    family: str = ""
    windowed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

# longest first; value: canonical comparator
_COMPARATORS: list[tuple[str, Comparator]] = [
    ("greater than or equal to", ">="), ("greater than or equal", ">="), ("greater than/equal to", ">="),
    ("greater than / equal to", ">="), ("less than/equal to", "<="), ("less than / equal to", "<="), ("more than or equal to", ">="),
    ("equal to or greater than", ">="), ("equal or greater than", ">="), ("equal to or more than", ">="),
    ("less than or equal to", "<="), ("equal to or less than", "<="), ("equal or less than", "<="),
    ("no less than", ">="), ("not less than", ">="), ("no lower than", ">="), ("not lower than", ">="),
    ("no more than", "<="), ("not more than", "<="), ("not greater than", "<="), ("not exceeding", "<="),
    ("not to exceed", "<="), ("no greater than", "<="), ("no higher than", "<="), ("not higher than", "<="),
    ("at least", ">="), ("at most", "<="), ("a minimum of", ">="), ("minimum of", ">="), ("maximum of", "<="),
    ("greater than", ">"), ("more than", ">"), ("higher than", ">"), ("above", ">"), ("over", ">"),
    ("exceeding", ">"), ("less than", "<"), ("lower than", "<"), ("below", "<"), ("under", "<"),
    ("up to", "<="), ("within", "<="), ("of", "=="), ("is", "=="), ("=", "=="),
    ("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("高于或等于", ">="), ("至少", ">="), ("小于或等于", "<="), ("小于等于", "<="), ("不超过", "<="),
    ("不高于", "<="), ("不大于", "<="), ("低于或等于", "<="), ("不多于", "<="), ("大于", ">"), ("高于", ">"),
    ("超过", ">"), ("多于", ">"), ("小于", "<"), ("低于", "<"), ("少于", "<"), ("≥", ">="), ("≤", "<="),
    (">", ">"), ("<", "<"), ("为", "=="), ("在", "=="), ("是", "=="),
]
_COMPARATORS.sort(key=lambda kv: -len(kv[0]))
COMPARATOR = "(?:" + "|".join(re.escape(k) for k, _ in _COMPARATORS) + ")"
_CMP_MAP = dict(_COMPARATORS)


_ASCII_B = r"(?:(?<![A-Za-z0-9])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?![A-Za-z0-9]))"


def ascii_re(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile *pattern* with ``\\b`` meaning an ASCII word boundary (Python's ``\\b`` sees no
    boundary between a Chinese character and a Latin letter: "已知HIV")."""
    return re.compile(pattern.replace(r"\b", _ASCII_B), flags)


#: a character trie: each key is one character ("" marks the end of a word)
_Trie: TypeAlias = "dict[str, _Trie]"


def trie_regex(words: list[str]) -> str:
    """A regex matching any of *words* (longest first), built as a trie: Python's ``re`` tries
    the branches of a plain alternation one by one at every position, which is what made
    long name lists the slowest part of compiling; a trie shares prefixes."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return "(?:" + emit(trie) + ")"


def parse_comparator(text: str) -> Comparator:
    return _CMP_MAP[text.strip().lower()]


def parse_number(text: str) -> float:
    return float(text.replace(",", ""))


def flip(comparator: str) -> Comparator:
    flipped: dict[str, Comparator] = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "=="}
    return flipped[comparator]


CN_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
               "九": 9, "十": 10, "十二": 12, "二十四": 24}


def to_int(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12,
             "single": 1, "zero": 0, "no": 0}
    if text.lower() in words:
        return words[text.lower()]
    return CN_NUMERALS.get(text)


@dataclass(frozen=True)
class Window:
    days: int
    half_lives: float | None
    whichever_longer: bool
    start: int
    end: int


_UNIT_DAYS = {"day": 1, "days": 1, "d": 1, "天": 1, "日": 1, "week": 7, "weeks": 7, "wk": 7,
              "wks": 7, "周": 7, "星期": 7, "month": 30, "months": 30, "个月": 30, "月": 30,
              "year": 365, "years": 365, "年": 365}
_TU = r"(days?|d|weeks?|wks?|months?|years?|天|日|周|星期|个月|月|年)"
_WINDOW_PATTERNS = [
    # 28 days or 5 half-lives (whichever is longer) / 28天或5个半衰期(以时间长者为准)
    re.compile(
        rf"(?P<n>{NUM}|[一二两三四五六七八九十]+)\s*(?P<u>{_TU})\s*(?:or|或|或者)\s*(?P<h>{NUM})\s*"
        r"(?:个)?\s*(?:half[- ]?lives|half[- ]?life|半衰期)\s*(?:\(?\s*(?P<w>whichever\s+is\s+(?:longer|greater)"
        r"|以(?:时间)?(?:长|较长)者为准|以较长者为准|取较长者)\s*\)?)?",
        re.IGNORECASE),
    re.compile(
        rf"(?:(?:within|in|during|over|for)(?:\s+the)?(?:\s+(?:past|last|previous|preceding|prior))?|(?:past|last|previous|preceding)"
        rf"|<|≤)\s*(?P<n>{NUM}|one|two|three|four|six|twelve)\s*(?P<u>{_TU})\b",
        re.IGNORECASE),
    re.compile(rf"(?P<n>{NUM}|[一二两三四五六七八九十]+)\s*(?P<u>{_TU})\s*(?:内|以内|之内|中|前)"),
    re.compile(rf"(?:过去|近|最近|前)\s*(?:的)?\s*(?P<n>{NUM}|[一二两三四五六七八九十]+)\s*(?P<u>{_TU})"),
    re.compile(rf"(?P<n>{NUM})\s*(?P<u>{_TU})\s*(?:prior|before|preceding)", re.IGNORECASE),
]


#: "within the past month" (a window with no number: one unit)
SINGLE_WINDOW = ascii_re(r"\b(?:within|in|during|over)\s+the\s+(?:past|last|previous|preceding)\s+(?P<u>day|week|month|year)\b")


def find_window(text: str) -> Window | None:
    """The first look-back window stated in *text* ("within 28 days", "入组前3个月内", "28天或5个
    半衰期(以时间长者为准)"), in days (month = 30 days, year = 365 days)."""
    for pattern in _WINDOW_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        n_text = m.group("n")
        n = to_int(n_text) if not re.match(r"\d", n_text) else parse_number(n_text)
        if n is None:
            continue
        unit = m.group("u").lower()
        days = int(round(float(n) * _UNIT_DAYS.get(unit, _UNIT_DAYS.get(unit.rstrip("s"), 1))))
        groups = m.groupdict()
        half = parse_number(groups["h"]) if groups.get("h") else None
        longer = bool(groups.get("w")) or (half is not None and bool(
            re.search(r"whichever\s+is\s+(?:longer|greater)|以.{0,4}长者为准|较长者", text[m.end():m.end() + 40],
                      re.IGNORECASE)))
        return Window(days=days, half_lives=half, whichever_longer=longer, start=m.start(), end=m.end())
    return None


# ---------------------------------------------------------------------------- residue
# What is left of a criterion after every scanner took its span: filler (context words every
# criterion repeats) or words that carry meaning no rule read (the criterion then needs review).

_EN_FILLER = set("""
patients patient subjects subject participants participant individuals person persons people with who have has had
a an the of and or in on to be is are was were been being known history documented must should shall any other
following criteria criterion requirements requirement meet meeting meets as defined by at for from that this these those
their his her its than all within prior previous previously time screening enrollment enrolment study studies first
dose doses day days week weeks month months year years evidence current currently adequate function functions organ
organs bone marrow liver renal kidney hepatic coagulation hematologic haematologic haematology hematology laboratory
values value normal basically main such e g i etc including include includes diagnosed confirmed according standard
there which would will can may not no without either both each per only also level levels count serum test tests
result results lesion lesions upper limit limits uln agree agreed willing able ability before after into during
since more less than greater equal least most aged age old years' case cases following: i.e. e.g. like eg ie
women men female male period signing form between day
undergone underwent trial currently they participating undergoing those
combined antibodies antibody despite antihypertensive drugs drug medication medications optimal management achieve good during enrollment esophagus stomach rectum regimen regimens administered
imaging assessment indicated progression progressed examination ct mri recist standard general score
condition according eastern cooperative oncology group performance status ecog who thereof
treated treatment treatments therapy therapies received receiving receive use used using require required requiring
clinically significant significant severe active chronic acute presence present positive negative test
diagnosis disorder disorders disease diseases condition conditions infection infections medical subject's patient's
intervention interventions initiation start starting randomization randomisation randomized registration allocation
medication cycle
participant's hepatocellular hcc
""".split())
_ZH_FILLER = re.compile(
    "患者|受试者|参与者|者|的|有|已知|既往|病史|或|和|及|且|并|在|中|时|前|内|为|是|需要|需|必须|应|符合|以下|下列|要求|标准|主要|"
    "器官|功能|基本|正常|骨髓|肝脏|肾脏|凝血|血常规|肝功能|肾功能|检查|包括|等|如|其他|其它|同时|合并|伴有|入组|入选|研究|治疗|"
    "接受|首次|用药|给药|筛选|期间|具有|存在|诊断|确诊|明确|任何|形式|证据|当天|签署|一般|情况|以上|以内|以下|目前|正在|了|过|"
    "曾|经|已|被|对|于|与|到|至|个|月|周|天|年|分|级|期|可|可以|能够|愿意|不|无|未|没有|疾病|状态|评分|确定|活动性|严重|控制|"
    "要|所有|全部|女性|男性|病人|病例|阳性|阴性|检测|结果|值|水平|计数|单位|倍|上限|下限|范围|小时|日|定义|根据|按照|依据|相关|"
    "影像学|评估|显示|提示|出现|发生|之|该|本|此|其|各种|原因|导致|任何|一种|种|项|条|点|类|计划|开始|接种|"
    "东部肿瘤协作组|先前|进行|试验|方案|进展|疾病|根据|可测量|病灶|至少|检查|肝细胞肝癌|肝细胞癌|原发性肝癌|肝癌"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[a-z][a-z'-]+")


# the disease words "hepatocellular carcinoma", "HCC", 肝细胞癌 are context (every patient here has HCC) and
# are filler, but a disease-setting word next to them ("advanced", 晚期, "metastatic") is a condition
_SETTING = re.compile(r"\b(?:advanced|metastatic|recurrent|relapsed|intermediate|early|locally)\b|晚期|中晚期|转移性|复发|早期|中期",
                      re.IGNORECASE)
_HCC_WORDS = re.compile(r"hepatocellular|\bhcc\b|肝细胞肝癌|肝细胞癌|原发性肝癌|肝癌", re.IGNORECASE)


# Words that change what a criterion means: a negation, a qualifier that narrows a condition
# ("moderate or severe", "uncontrolled", "major", "hepatic", "ventricular"), a comparator or an
# exception.  Left over after every scanner, they are never filler: dropping one inverts or
# widens the rule (issue 10: "Not pregnant or nursing" read as pregnant; "moderate or severe ...
# ascites" read as any ascites), so the criterion goes to review instead.
_NEVER_FILLER = re.compile(
    r"\b(?:no|not|never|without|none|non|neither|nor|absence|free|negative|unless|except|excluding|exception|"
    r"only|other than|instead|"
    r"more|less|greater|lower|higher|above|below|exceed\w*|over|under|least|most|maximum|minimum|"
    r"before|after|until|since|completion|completed|last|"
    r"stage\s+(?:[0-4]|[abcd]|i{1,3}|iv)|class\s+[abc]|grade\s+[0-5]|intoleran\w*)\b|不耐受"
    r"|无|未|不|非|没有|否|除外|除了|例外|仅|只|以上|以下|以内|超过|低于|高于|大于|小于|之前|之后|至少|最多"
    # a threshold no scanner read ("(or >= 2.0 mg/dl)", "≥ 1.5") is never filler
    r"|[≥≤<>]\s*\d|\d(?:\.\d+)?\s*(?:mg|g|µg|ug|ng|iu|u|mmol|umol|µmol|mol|%|cm|mm|ml|l)(?:/|\b)"
    # a drug class no scanner read ("CD137 agonists", "OX40 antibodies") is a therapy the rule would drop
    r"|\b[a-z]{1,6}[- ]?\d{1,4}[a-z]?\s+(?:agonists?|antagonists?|inhibitors?|blockers?|modulators?)\b"
    # issue 10 (session 6): a named condition no scanner read is one word the two-word rule below let through
    # ("History of seizures and hypertension" was read as seizures only)
    r"|\b(?:hypertension|hypotension|diabetes|diabetic|asthma|copd|emphysema|epilepsy|seizures?|stroke|angina|"
    r"arrhythmias?|infarction|tuberculosis|syphilis|pancreatitis|pneumonitis|neuropathy|dementia|psychosis|depression|"
    r"lupus|psoriasis|sarcoidosis|ulcers?|fistulae?|perforation)\b"
    # a limit for patients with liver metastases no scanner tied to its condition ("In subjects with documented liver
    # metastases, the AST/ALT may be <= 5x ULN" was read as a second limit for everyone)
    r"|\b(?:liver|hepatic)\s+metasta\w+"
    r"|高血压|糖尿病|哮喘|癫痫|卒中|心绞痛|心律失常|结核|梅毒|胰腺炎|神经病变|溃疡|瘘|穿孔",
    re.IGNORECASE)
# Time phrases that only anchor a window the scanners read ("within 3 months prior to study
# treatment initiation", "入组前"): not a change of meaning.
ANCHOR = re.compile(
    # "within 4 weeks prior to the first date of SBRT": the study treatment named as the anchor
    r"\b(?:prior to|before)\s+(?:the\s+)?(?:first|initial)\s+(?:date|dose|day|session|fraction|administration|cycle)\s+of\s+"
    r"(?:the\s+)?(?:study\s+|protocol\s+)?[\w-]+(?:\s+(?:drug|treatment|therapy))?\b|"
    r"\b(?:prior to|before|preceding)\s+(?:the\s+)?(?:(?:planned|anticipated|scheduled)\s+)?(?:(?:first|start|initiation|beginning)\s+(?:of\s+)?)?"
    r"(?:the\s+)?(?:study|trial|first|initial|randomi[sz]ation|enrol{1,2}ment|registration|screening|treatment|dosing|day\s*1|c1d1|"
    r"start|initiation|inclusion|signing|informed|entry)(?:\s+(?:drug|treatment|therapy|medication|intervention|dose|"
    r"initiation|start|entry|day\s*1))*\b|\bwithin\s+the\s+(?:last|past|previous)\b|\bin\s+the\s+(?:last|past)\b|"
    r"\bany episode of\b|\b(?:prior to|before)\s+(?:the\s+)?commencement of (?:the\s+)?(?:study|trial|treatment)\b|"
    r"入组前|给药前|首次用药前|首次给药前|随机前|治疗前|筛选前|研究治疗前|在?开始研究治疗(?:之)?前|在?计划的研究开始前"
    r"|在?计划(?:的)?(?:开始)?(?:研究)?(?:治疗|给药|用药)(?:开始)?(?:之)?前",
    re.IGNORECASE)


def meaningful_residue(residue: str) -> str | None:
    """The residue text if it carries meaning no scanner explained, else None."""
    residue = ANCHOR.sub(" ", residue)
    if _NEVER_FILLER.search(residue):
        cleaned = " ".join(residue.split()).strip(" ,.;:()[]")
        if cleaned and (_CJK_CHAR.search(cleaned) or _EN_WORD.search(cleaned.lower())):
            return cleaned
    if _SETTING.search(residue) and _HCC_WORDS.search(residue):
        cleaned = " ".join(residue.split()).strip(" ,.;:()[]")
        return cleaned or None
    cjk = _ZH_FILLER.sub("", "".join(_CJK_CHAR.findall(residue)))
    words = [w for w in _EN_WORD.findall(residue.lower()) if w.strip("'-") not in _EN_FILLER and len(w) > 2]
    if len(cjk) >= 3 or len(words) >= 2:
        cleaned = " ".join(residue.split()).strip(" ,.;:()[]")
        return cleaned or None
    return None
