"""Report labels in English and Chinese (简体中文)."""

from __future__ import annotations

__all__ = ["LABELS", "label"]

LABELS: dict[str, dict[str, str]] = {
    "report": {"en": "Study report", "zh": "研究报告"},
    "cutoff": {"en": "Data cut-off", "zh": "数据截止日期"},
    "flow": {"en": "Subject flow (CONSORT)", "zh": "受试者流程(CONSORT)"},
    "screened": {"en": "Screened", "zh": "筛选"},
    "screen_failure": {"en": "Screen failures", "zh": "筛选失败"},
    "enrolled": {"en": "Enrolled", "zh": "入组"},
    "not_treated": {"en": "Enrolled, not treated", "zh": "入组但未接受治疗"},
    "treated": {"en": "Treated (safety and efficacy set)", "zh": "接受治疗(安全性及疗效分析集)"},
    "discontinued": {"en": "Discontinued treatment", "zh": "终止治疗"},
    "ongoing": {"en": "On treatment at cut-off", "zh": "截止时仍在治疗"},
    "baseline": {"en": "Baseline characteristics", "zh": "基线特征"},
    "characteristic": {"en": "Characteristic", "zh": "特征"},
    "category": {"en": "Category", "zh": "类别"},
    "value": {"en": "Value", "zh": "数值"},
    "response": {"en": "Tumour response by criteria set", "zh": "按疗效评价标准的肿瘤缓解"},
    "bor": {"en": "Best overall response (confirmed)", "zh": "最佳总体缓解(经确认)"},
    "efficacy": {"en": "ORR and DCR", "zh": "客观缓解率与疾病控制率"},
    "tte": {"en": "Time-to-event endpoints", "zh": "时间-事件终点"},
    "definitions": {"en": "Endpoint definitions", "zh": "终点定义"},
    "endpoint": {"en": "Endpoint", "zh": "终点"},
    "n": {"en": "N", "zh": "例数"},
    "events": {"en": "Events", "zh": "事件数"},
    "median": {"en": "Median (months, 95% CI)", "zh": "中位时间(月,95% CI)"},
    "rate6": {"en": "6-month rate", "zh": "6个月率"},
    "rate12": {"en": "12-month rate", "zh": "12个月率"},
    "plots": {"en": "Figures", "zh": "图"},
    "safety": {"en": "Safety", "zh": "安全性"},
    "overview": {"en": "TEAE overview", "zh": "治疗期间不良事件概览"},
    "by_term": {"en": "TEAEs by system organ class and term", "zh": "按系统器官分类和术语的TEAE"},
    "by_grade": {"en": "TEAEs by worst CTCAE grade", "zh": "按最严重CTCAE分级的TEAE"},
    "aesi": {"en": "Adverse events of special interest", "zh": "特别关注的不良事件(AESI)"},
    "serious": {"en": "Serious TEAEs", "zh": "严重TEAE"},
    "disc": {"en": "TEAEs leading to discontinuation", "zh": "导致停药的TEAE"},
    "exposure": {"en": "Exposure", "zh": "药物暴露"},
    "soc": {"en": "System organ class", "zh": "系统器官分类"},
    "term": {"en": "Term", "zh": "术语"},
    "any_grade": {"en": "Any grade", "zh": "任何级别"},
    "grade3": {"en": "Grade >= 3", "zh": "≥3级"},
    "drug": {"en": "Drug", "zh": "药物"},
    "cycles": {"en": "Cycles, median (range)", "zh": "周期数,中位(范围)"},
    "duration": {"en": "Duration, days, median (range)", "zh": "持续时间(天),中位(范围)"},
    "rdi": {"en": "Relative dose intensity, median (range)", "zh": "相对剂量强度,中位(范围)"},
    "notes": {"en": "Notes", "zh": "说明"},
    "ci_note": {"en": "Medians with Brookmeyer-Crowley 95% CIs from the {band} band; months = days / 30.4375; ORR/DCR with exact Clopper-Pearson 95% CIs.",
                "zh": "中位时间的95%置信区间采用Brookmeyer-Crowley法({band}变换);月 = 天 / 30.4375;ORR/DCR采用Clopper-Pearson精确95%置信区间。"},
    "none": {"en": "None reported", "zh": "无"},
    "non_evaluable": {"en": "Counted as non-responders (NE or no post-baseline assessment)",
                      "zh": "计为未缓解者(NE或无基线后评估)"},
    "synthetic": {"en": "Synthetic example data: not real patients.",
                  "zh": "合成示例数据:非真实患者。"},
}


def label(key: str, lang: str) -> str:
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang, entry["en"])
