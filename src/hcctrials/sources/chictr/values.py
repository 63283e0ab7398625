"""Value vocabularies of ChiCTR pages: dates, statuses, phases, designs and yes/no answers.

The enumerations are ChiCTR's own (chictr.org.cn search form: 研究类型 / 研究所处阶段 /
研究设计 / 征募研究对象情况 / 性别, each given in Chinese and English), mapped to the
ClinicalTrials.gov vocabulary the model uses.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from hcctrials.model.trial import OverallStatus

__all__ = [
    "iso_date",
    "date_range",
    "map_phase",
    "map_design",
    "map_study_type",
    "map_recruiting_status",
    "map_sex",
    "map_masking",
    "map_outcome_kind",
    "parse_yes_no",
    "parse_age_range",
    "norm",
]


def norm(text: str | None) -> str:
    """Lower-case NFKC text with single spaces, for table look-ups."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")


def iso_date(text: str | None) -> str | None:
    """The first date in *text* as ISO (``2026-04-11 17:00:34`` -> ``2026-04-11``); None if none."""
    if not text:
        return None
    hit = _DATE.search(text)
    if hit is None:
        return None
    year, month, day = hit.group(1), int(hit.group(2)), hit.group(3)
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{int(day):02d}"


def date_range(text: str | None) -> tuple[str | None, str | None]:
    """``From 2025-12-30 00:00:00 To 2027-03-31 00:00:00`` (or 从 … 至 …) -> (start, end)."""
    if not text:
        return None, None
    found = [iso_date(m.group(0)) for m in _DATE.finditer(text)]
    found = [f for f in found if f]
    if not found:
        return None, None
    if len(found) == 1:
        before_to = re.split(r"\bTo\b|至", text, maxsplit=1)[0]
        return (found[0], None) if _DATE.search(before_to) else (None, found[0])
    return found[0], found[1]


_PHASES: dict[str, list[str]] = {
    "i期临床试验": ["phase1"], "1": ["phase1"],
    "ii期临床试验": ["phase2"], "2": ["phase2"], "ii期": ["phase2"],
    "iii期临床试验": ["phase3"], "3": ["phase3"], "iii期": ["phase3"],
    "上市后药物": ["phase4"], "4": ["phase4"], "iv期临床试验": ["phase4"],
    "i期+ii期": ["phase1", "phase2"], "1-2": ["phase1", "phase2"],
    "ii-iii期临床试验": ["phase2", "phase3"], "2-3": ["phase2", "phase3"],
    "探索性研究/预试验": ["early_phase1"], "0": ["early_phase1"],
    "其它": ["na"], "n/a": ["na"], "na": ["na"], "其他": ["na"],
    "治疗新技术临床试验": ["na"], "new treatment measure clinical study": ["na"],
    "诊断试验新技术临床试验": ["na"], "diagnostic new technique clincal study": ["na"],
    "回顾性研究": ["na"], "retrospective study": ["na"],
    "phase 1": ["phase1"], "phase 2": ["phase2"], "phase 3": ["phase3"], "phase 4": ["phase4"],
    "phase 1/phase 2": ["phase1", "phase2"], "phase 2/phase 3": ["phase2", "phase3"],
    "early phase 1": ["early_phase1"], "not applicable": ["na"],
}


def map_phase(*texts: str | None) -> list[str] | None:
    """Phase codes from ChiCTR's phase value(s) ("II期临床试验" / "2"); None if none is known."""
    for text in texts:
        key = norm(text).replace(" ", "") if text and re.search(r"期", text) else norm(text)
        if key in _PHASES:
            return list(_PHASES[key])
    return None


# (allocation, intervention_model, observational_model)
_DESIGNS: dict[str, tuple[str | None, str | None, str | None]] = {
    "单臂": ("na", "single_group", None), "single arm": ("na", "single_group", None),
    "随机平行对照": ("randomized", "parallel", None), "parallel": ("randomized", "parallel", None),
    "非随机对照试验": ("non_randomized", "parallel", None),
    "non randomized control": ("non_randomized", "parallel", None),
    "随机交叉对照": ("randomized", "crossover", None), "cross-over": ("randomized", "crossover", None),
    "连续入组": (None, "sequential", None), "sequential": (None, "sequential", None),
    "半随机对照": ("non_randomized", "parallel", None),
    "quasi-randomized controlled": ("non_randomized", "parallel", None),
    "整群随机分组": ("randomized", "parallel", None), "cluster randomization": ("randomized", "parallel", None),
    "不同剂量对照": (None, "parallel", None), "dose comparison": (None, "parallel", None),
    "析因分组": (None, "factorial", None), "factorial": (None, "factorial", None),
    "单病例随机对照研究": ("randomized", "crossover", None), "n of 1 trial": ("randomized", "crossover", None),
    "历史对照研究": ("non_randomized", None, None), "historical control": ("non_randomized", None, None),
    "横断面": (None, None, "cross_sectional"), "cross-sectional": (None, None, "cross_sectional"),
    "队列研究": (None, None, "cohort"), "cohort study": (None, None, "cohort"),
    "病例对照研究": (None, None, "case_control"), "case-control study": (None, None, "case_control"),
    "巢式病例-对照研究": (None, None, "case_control"), "nested case-control study": (None, None, "case_control"),
    "病例研究": (None, None, "case_only"), "case study": (None, None, "case_only"),
}


def map_design(*texts: str | None) -> tuple[str | None, str | None, str | None] | None:
    """(allocation, intervention model, observational model) from ChiCTR's 研究设计 value."""
    for text in texts:
        key = norm(text)
        key = re.sub(r"[（(].*$", "", key).strip() if key.startswith("析因") else key
        if key in _DESIGNS:
            return _DESIGNS[key]
    return None


_STUDY_TYPES = {
    "干预性研究": "interventional", "interventional study": "interventional",
    "interventional": "interventional",
    "观察性研究": "observational", "observational study": "observational",
    "observational": "observational",
    "诊断试验": "diagnostic_test", "diagnostic test": "diagnostic_test",
    "预防性研究": "prevention", "prevention": "prevention",
    "病因学/相关因素研究": "cause_relative_factors", "cause/relative factors study": "cause_relative_factors",
    "预后研究": "prognosis", "prognosis study": "prognosis",
    "流行病学研究": "epidemiological", "epidemilogical research": "epidemiological",
    "筛查": "screening", "screening": "screening",
    "卫生服务研究": "health_services_research", "health services reaserch": "health_services_research",
    "health services research": "health_services_research",
    "治疗研究": "treatment", "treatment study": "treatment",
    "基础科学研究": "basic_science", "basic science": "basic_science",
    "expanded access": "expanded_access",
}


def map_study_type(*texts: str | None) -> str | None:
    for text in texts:
        if norm(text) in _STUDY_TYPES:
            return _STUDY_TYPES[norm(text)]
    return None


_STATUS = {
    "尚未开始": OverallStatus.NOT_YET_RECRUITING, "not yet recruiting": OverallStatus.NOT_YET_RECRUITING,
    "正在进行": OverallStatus.RECRUITING, "recruiting": OverallStatus.RECRUITING,
    "暂停或中断": OverallStatus.SUSPENDED, "暂停": OverallStatus.SUSPENDED,
    "suspending": OverallStatus.SUSPENDED, "suspended": OverallStatus.SUSPENDED,
    "结束": OverallStatus.COMPLETED, "completed": OverallStatus.COMPLETED,
    "已完成": OverallStatus.COMPLETED, "终止": OverallStatus.TERMINATED,
    "terminated": OverallStatus.TERMINATED, "withdrawn": OverallStatus.WITHDRAWN,
    "active, not recruiting": OverallStatus.ACTIVE_NOT_RECRUITING,
    "enrolling by invitation": OverallStatus.ENROLLING_BY_INVITATION,
}


def map_recruiting_status(*texts: str | None) -> OverallStatus | None:
    """征募研究对象情况 / Recruiting status (正在进行 = recruiting; 结束 = completed ...)."""
    for text in texts:
        key = norm(text)
        if key in _STATUS:
            return _STATUS[key]
    return None


#: The values of ``Eligibility.sex``.
_Sex = Literal["all", "female", "male"]

_SEX: dict[str, _Sex] = {
    "男女均可": "all", "both": "all", "all": "all", "男性": "male", "男": "male", "male": "male",
    "女性": "female", "女": "female", "female": "female",
}


def map_sex(*texts: str | None) -> _Sex | None:
    for text in texts:
        if norm(text) in _SEX:
            return _SEX[norm(text)]
    return None


_MASKING = {"none": "none", "无": "none", "开放": "none", "open label": "none", "不设盲": "none",
            "单盲": "single", "single blinded": "single", "single blind": "single",
            "双盲": "double", "double blinded": "double", "double blind": "double",
            "三盲": "triple", "triple blinded": "triple", "quadruple": "quadruple"}


def map_masking(*texts: str | None) -> str | None:
    for text in texts:
        if norm(text) in _MASKING:
            return _MASKING[norm(text)]
    return None


_OUTCOME_KIND = {"主要指标": "primary", "primary indicator": "primary",
                 "次要指标": "secondary", "secondary indicator": "secondary",
                 "附加指标": "other", "additional indicator": "other",
                 "副作用指标": "other", "adverse events": "other"}


def map_outcome_kind(*texts: str | None) -> str | None:
    for text in texts:
        if norm(text) in _OUTCOME_KIND:
            return _OUTCOME_KIND[norm(text)]
    return None


def parse_yes_no(text: str | None) -> bool | None:
    """是/Yes/有 -> True, 否/No/无 -> False ("是Yes", "是/Yes", "无/No" included); else None."""
    key = norm(text).replace("/", "").replace(" ", "")
    if key in {"是", "yes", "是yes", "有", "有yes", "y"}:
        return True
    if key in {"否", "no", "否no", "无", "无no", "n"}:
        return False
    return None


_AGE_MIN = re.compile(r"(?:最小\s*(?:Min\s*age)?|Min\s*age)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*(岁|years?|月|months?)?",
                      re.IGNORECASE)
_AGE_MAX = re.compile(r"(?:最大\s*(?:Max\s*age)?|Max\s*age)\s*[:：]?\s*(\d+(?:\.\d+)?)\s*(岁|years?|月|months?)?",
                      re.IGNORECASE)


def _years(hit: re.Match[str] | None) -> float | None:
    if hit is None:
        return None
    value = float(hit.group(1))
    unit = (hit.group(2) or "").lower()
    return round(value / 12, 2) if unit.startswith(("月", "month")) else value


def parse_age_range(text: str | None) -> tuple[float | None, float | None]:
    """年龄范围 "最小 Min age 18 years 最大 Max age NA years" -> (18.0, None)."""
    if not text:
        return None, None
    return _years(_AGE_MIN.search(text)), _years(_AGE_MAX.search(text))
