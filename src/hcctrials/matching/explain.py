"""Explanations of a match result in the reader's language: a JSON-ready dict and plain-text lines.

Every word comes from the message catalog (:mod:`hcctrials.i18n`); criterion reasons and the items
to measure are structured messages (:class:`hcctrials.i18n.Msg`) rendered here in the reader's
language (:func:`hcctrials.i18n.render`).  Criterion statuses are said
in the trial's view and by role (issue 10): an inclusion criterion is *met* / *not met*; an
exclusion criterion *does not exclude* / *excludes* the patient; an undecided one *needs data*
(with what to measure) or *needs review* (the compiler could not read it exactly);
administrative ones (consent, contraception) are *checked at the site*.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hcctrials.i18n import render, say
from hcctrials.matching.localise import class_labels, localise_reason, localise_recruiting
from hcctrials.matching.relevance import evidence_text
from hcctrials.matching.matcher import CriterionRow, MatchResult, TrialMatch
from hcctrials.matching.setting import SETTING_LABELS

__all__ = ["match_to_dict", "result_to_dict", "describe_match", "describe_result_header", "describe_result_footer",
           "next_steps",
           "verdict_label", "status_label", "trial_reason", "relevance_label"]


def verdict_label(verdict: str, language: str = "en") -> str:
    return {
        "eligible": say("eligible", language),
        "possibly_eligible": say("possibly eligible", language),
        "ineligible": say("not eligible", language),
        "unknown_no_criteria": say("unknown: criteria not in the record", language),
        "other_condition": say("trial for another condition", language),
    }[verdict]


def status_label(row: CriterionRow, language: str = "en") -> str:
    """The status of one criterion for the trial, in words that depend on its role."""
    return _status_words(row.status, row.role == "exclusion", language)


@lru_cache(maxsize=256)
def _status_words(status: str, exclusion: bool, language: str) -> str:
    """The words of :func:`status_label` (from the catalog, so they are worked out once per status and role)."""
    if status == "met":
        return say("does not exclude", language) if exclusion else say("met", language)
    if status == "not_met":
        return say("excludes", language) if exclusion else say("not met", language)
    return {
        "unknown": say("needs data", language),
        "needs_review": say("needs review", language),
        "administrative": say("check with the site", language),
    }.get(status, status)


def relevance_label(m: TrialMatch, language: str = "en") -> str:
    level = {
        "disease": say("trial for the patient's disease", language),
        "basket": say("solid-tumour basket trial (may admit HCC)", language),
        "other_condition": say("trial for another condition", language),
        "condition_unknown": say("no condition could be read in the record", language),
    }[m.relevance.level]
    evidence = evidence_text(m.relevance.evidence, language)
    return f"{level} ({evidence})" if evidence else level


def trial_reason(m: TrialMatch, language: str = "en") -> str:
    """Why the trial has its verdict, in one line."""
    if m.verdict == "unknown_no_criteria":
        return say("unknown: criteria not in the record", language)
    if m.verdict == "ineligible":
        parts = [f"{_role(d.role, language)} {d.number}: {_reason(d, language)}" for d in m.deciding[:3]]
        return say("not eligible: {reasons}", language, reasons=say("; ", language).join(parts))
    if m.verdict == "possibly_eligible":
        return say("possibly eligible: {review} criteria need review, {data} need data", language,
                  review=m.review_count, data=m.data_count)
    return say("eligible: every criterion decided and passed", language)


def _reason(row: CriterionRow, language: str) -> str:
    """The criterion's reason in *language*, a review reason's fixed words and the rule it shows included
    (:func:`hcctrials.matching.localise.localise_reason`)."""
    return str(localise_reason(row.reason, language, criterion=row.text, role=row.role))


def _role(role: str, language: str) -> str:
    return say("exclusion", language) if role == "exclusion" else say("inclusion", language)


def match_to_dict(m: TrialMatch, language: str = "en") -> dict[str, Any]:
    return {
        "trial_id": m.trial_id, "registry": m.registry, "title": m.title_in(language), "verdict": m.verdict,
        "verdict_label": verdict_label(m.verdict, language), "reason": trial_reason(m, language),
        "relevance": {"level": m.relevance.level, "concepts": list(m.relevance.concepts),
                      "evidence": m.relevance.evidence, "label": relevance_label(m, language)},
        "setting": list(m.setting.settings), "setting_evidence": {k: list(v) for k, v in m.setting.evidence.items()},
        "intervention_classes": sorted(m.setting.intervention_classes), "setting_affinity": m.setting_affinity,
        "recruiting": {"state": m.recruiting.state, "overall_status": m.recruiting.record_status,
                       "reason": render(m.recruiting.reason, language), "contradiction": render(m.recruiting.contradiction, language),
                       "window": list(m.recruiting.window)},
        "criteria": [{"number": c.number, "role": c.role, "text": c.text, "status": c.status,
                      "status_label": status_label(c, language), "reason": render(c.reason, language),
                      "missing": [render(i, language) for i in c.missing]} for c in m.criteria],
        "deciding": [{"number": c.number, "role": c.role, "text": c.text, "reason": render(c.reason, language)}
                     for c in m.deciding],
        "to_measure": [render(i, language) for i in m.to_measure], "unknown_count": m.unknown_count, "criteria_count": m.criteria_count,
        "review_count": m.review_count, "data_count": m.data_count,
        "sites": [{"institution": s.institution_in(language), "place": s.place_in(language), "distance": s.distance,
                   "km": None if s.km is None else round(s.km)} for s in m.sites],
        "nearest_site": m.nearest, "links": m.links,
        "contacts": [c.get(language) for c in m.contacts if c.get(language)],
    }


def result_to_dict(result: MatchResult, language: str = "en") -> dict[str, Any]:
    return {
        "patient_id": result.patient_id, "as_of": result.as_of.isoformat(), "language": language,
        "line_of_therapy": {"prior_systemic_lines": result.line.prior_systemic_lines,
                            "settings": list(result.line.settings), "reason": result.line.reason},
        "trials": [match_to_dict(m, language) for m in result.matches],
        "hidden_ineligible": result.hidden_ineligible, "hidden_closed": result.hidden_closed,
        "hidden_other_conditions": dict(result.hidden_irrelevant),
        "to_measure": [{"item": render(item, language), "would_inform_trials": n} for item, n in result.to_measure],
    }


def _state(state: str, language: str) -> str:
    return {"open": say("open", language), "not_yet_open": say("not yet open", language),
            "uncertain": say("uncertain", language), "closed": say("closed", language)}.get(state, state)


def _distance(distance: str, language: str) -> str:
    return {"same_city": say("same city", language), "same_province": say("same province", language),
            "same_country": say("same country", language), "other_country": say("other country", language),
            "unknown": say("distance unknown", language)}.get(distance, distance)


def _km(km: float | None) -> str:
    return f", ~{km:,.0f} km" if km is not None else ""


def describe_match(m: TrialMatch, *, language: str = "en", all_criteria: bool = True) -> list[str]:
    """Plain-text lines explaining one trial for the patient."""
    lang = "zh" if language == "zh" else "en"
    settings = " + ".join(SETTING_LABELS[s][lang] for s in m.setting.settings)
    classes = m.setting.class_label() if lang == "en" else ", ".join(class_labels(m.setting.intervention_classes, lang))
    lines = [f"{m.trial_id} [{verdict_label(m.verdict, lang)}] {m.title_in(lang)}",
             "  " + say("why: {reason}", lang, reason=trial_reason(m, lang)),
             "  " + say("relevance: {relevance}", lang, relevance=relevance_label(m, lang)),
             "  " + say("setting: {setting}; classes: {classes}", lang, setting=settings,
                       classes=classes or "-"),
             "  " + say("recruiting on {date}: {state} ({reason})", lang, date=m.recruiting.as_of.isoformat(),
                       state=_state(m.recruiting.state, lang), reason=localise_recruiting(m.recruiting.reason, lang))]
    if m.recruiting.contradiction:
        lines.append("  ! " + say("record contradiction: {detail}", lang,
                                  detail=localise_recruiting(m.recruiting.contradiction, lang)))
    if m.sites:
        lines.append("  " + say("sites: {sites}", lang, sites="; ".join(
            f"{s.institution_in(lang) or '-'} ({s.place_in(lang)}, {_distance(s.distance, lang)}{_km(s.km)})"
            for s in m.sites[:5])))
    for contact in m.contacts[:2]:
        shown = contact.get(lang)
        if shown:
            lines.append("  " + say("contact: {contact}", lang, contact=shown))
    for c in m.criteria if all_criteria else m.deciding:
        lines.append(f"    {_role(c.role, lang)} {c.number:>3} {status_label(c, lang):<16} {_reason(c, lang)}")
    if m.to_measure:
        lines.append("  " + say("to measure next: {items}", lang, items=say("; ", lang).join(
            render(i, lang) for i in m.to_measure)))
    if m.links:
        lines.append("  " + say("links: {links}", lang, links=" ".join(m.links)))
    return lines


def describe_result_header(result: MatchResult, language: str = "en") -> str:
    return say("{patient} on {date}: {line}", language, patient=result.patient_id, date=result.as_of.isoformat(),
              line=say("{n} prior systemic line(s) for advanced disease", language, n=result.line.prior_systemic_lines))


_REVIEWED = " (or mark the history as reviewed)"


def next_steps(to_measure: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int, int]:
    """(items to measure, history items that marking the history as reviewed would settle, the most
    trials any of them informs): the history items are one step for the clinician, not N questions."""
    items = [(i, n) for i, n in to_measure if not i.endswith(_REVIEWED)]
    history = [(i, n) for i, n in to_measure if i.endswith(_REVIEWED)]
    return items, len(history), max((n for _, n in history), default=0)


def describe_result_footer(result: MatchResult, language: str = "en") -> list[str]:
    other = sum(result.hidden_irrelevant.values())
    lines = [say("hidden: {other} trial(s) for other conditions (--show-other-conditions), {ineligible} not eligible "
                 "(--show-ineligible), {closed} closed (--show-closed)", language, other=other,
                 ineligible=result.hidden_ineligible, closed=result.hidden_closed)]
    items, history, informs = next_steps(result.to_measure)
    if history:
        lines.append(say("mark the patient's history as reviewed (history_reviewed: true): settles {n} history "
                         "item(s) across up to {trials} trial(s)", language, n=history, trials=informs))
    if items:
        lines.append(say("what to measure next: {items}", language, items=say("; ", language).join(
            say("{item} would inform {n} trial(s)", language, item=render(item, language), n=n) for item, n in items[:8])))
    return lines
