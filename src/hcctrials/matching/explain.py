"""Explanations of a match result: a JSON-ready dict and plain-text lines (bilingual labels).

Status words: met / not met / unknown / administrative / needs review; for an exclusion
criterion "met" means the patient is *not* excluded by it (the trial's view).
"""

from __future__ import annotations

from typing import Any

from hcctrials.matching.matcher import MatchResult, TrialMatch
from hcctrials.matching.setting import SETTING_LABELS

__all__ = ["match_to_dict", "result_to_dict", "describe_match", "VERDICT_LABELS", "STATUS_LABELS"]

VERDICT_LABELS = {
    "eligible": {"en": "eligible", "zh": "符合"},
    "possibly_eligible": {"en": "possibly eligible", "zh": "可能符合"},
    "ineligible": {"en": "not eligible", "zh": "不符合"},
    "unknown_no_criteria": {"en": "unknown: criteria not in the record", "zh": "未知:记录中无入排标准"},
}
STATUS_LABELS = {"met": "met", "not_met": "not met", "unknown": "unknown", "administrative": "administrative",
                 "needs_review": "needs review"}


def match_to_dict(m: TrialMatch) -> dict[str, Any]:
    return {
        "trial_id": m.trial_id, "registry": m.registry, "title": m.title, "verdict": m.verdict,
        "reason": m.reason,
        "setting": list(m.setting.settings), "setting_evidence": {k: list(v) for k, v in m.setting.evidence.items()},
        "intervention_classes": sorted(m.setting.intervention_classes), "setting_affinity": m.setting_affinity,
        "recruiting": {"state": m.recruiting.state, "record_status": m.recruiting.record_status,
                       "reason": m.recruiting.reason, "contradiction": m.recruiting.contradiction,
                       "window": list(m.recruiting.window)},
        "criteria": [{"number": c.number, "role": c.role, "text": c.text, "status": c.status, "reason": c.reason,
                      "missing": list(c.missing)} for c in m.criteria],
        "deciding": [{"number": c.number, "role": c.role, "text": c.text, "reason": c.reason} for c in m.deciding],
        "to_measure": m.to_measure, "unknown_count": m.unknown_count,
        "sites": [{"institution": s.institution, "place": s.place, "distance": s.distance} for s in m.sites],
        "nearest_site": m.nearest, "links": m.links,
    }


def result_to_dict(result: MatchResult) -> dict[str, Any]:
    return {
        "patient_id": result.patient_id, "as_of": result.as_of.isoformat(),
        "line_of_therapy": {"prior_systemic_lines": result.line.prior_systemic_lines,
                            "settings": list(result.line.settings), "reason": result.line.reason},
        "trials": [match_to_dict(m) for m in result.matches],
        "hidden_ineligible": result.hidden_ineligible, "hidden_closed": result.hidden_closed,
        "to_measure": [{"item": item, "would_inform_trials": n} for item, n in result.to_measure],
    }


def describe_match(m: TrialMatch, *, language: str = "en", all_criteria: bool = True) -> list[str]:
    """Plain-text lines explaining one trial for the patient."""
    lang = "zh" if language == "zh" else "en"
    lines = [f"{m.trial_id} [{VERDICT_LABELS[m.verdict][lang]}] {m.title}",
             f"  setting: {' + '.join(SETTING_LABELS[s][lang] for s in m.setting.settings)}; "
             f"classes: {m.setting.class_label() or '-'}",
             f"  recruiting on {m.recruiting.as_of}: {m.recruiting.state} ({m.recruiting.reason})"]
    if m.recruiting.contradiction:
        lines.append(f"  ! record contradiction: {m.recruiting.contradiction}")
    if m.sites:
        lines.append("  sites: " + "; ".join(f"{s.institution or '-'} ({s.place}, {s.distance})" for s in m.sites[:5]))
    for c in m.criteria if all_criteria else m.deciding:
        lines.append(f"    {c.role[:3]} {c.number:>3} {STATUS_LABELS.get(c.status, c.status):<14} {c.reason}")
    if m.to_measure:
        lines.append("  to measure next: " + "; ".join(m.to_measure))
    if m.links:
        lines.append("  links: " + " ".join(m.links))
    return lines
