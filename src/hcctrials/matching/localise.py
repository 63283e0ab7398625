"""JSON findings in the reader's language, with their machine-readable keys kept (issue 13).

``hcctrials match --json``, ``hcctrials criteria evaluate --json`` and ``/api/match`` print findings
(criterion reasons, patient-data findings, the line of therapy, the compiled rule) for a reader; an
API user parses them.  Both are served: every finding is rendered in the reader's language, and
beside it stays what does not depend on the language:

* codes, unchanged (``status``, ``verdict``, ``relevance.level``, ``recruiting.state``, ``setting``,
  ``line_of_therapy.settings``), each with a ``*_label`` / ``*_labels`` sibling in words;
* for a finding built as a structured message (:class:`hcctrials.i18n.Msg`), a ``*_message`` object
  ``{"id": <English template, the catalog msgid>, "fields": {...}, "en": <English text>}``: ``id`` is a
  stable key (it changes only when the wording of the English template does), ``fields`` the values
  filled in (record data as written, numbers), ``en`` the English text;
* the compiled rule as ``rule`` (the reader's language) and ``rule_en`` (the notation of
  :func:`hcctrials.criteria.describe`, the form the compiler's audits and tests read).

The shape is documented in ``docs/matching.md`` ("JSON output in the reader's language").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from hcctrials.criteria.compiler.describe_i18n import kept_rule_reader, review_reason_for_reader, rule_reader
from hcctrials.i18n import Msg, catalog, render, say

__all__ = ["message_record", "localise_reason", "localise_recruiting", "localise_match_document", "line_reason",
           "setting_evidence_text", "class_labels", "NEEDS_REVIEW_MSGID"]

#: the msgid of a needs-review criterion's reason (criteria/evaluation/leaves.py)
NEEDS_REVIEW_MSGID = "needs review: {reason}"


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:  # the common cases first
        return value
    if isinstance(value, (bool, int, float)):
        return value
    return str.__str__(value) if isinstance(value, str) else str(value)


def message_record(value: Any) -> dict[str, Any]:
    """``{"id", "fields", "en"}`` of a finding: its msgid and fields when it is a structured message (a plain
    text has ``id`` None: record data or a message built before structured messages)."""
    if isinstance(value, Msg):
        if value.msgid:
            fields = value.fields
            return {"id": value.msgid, "fields": {k: _plain(v) for k, v in fields.items()} if fields else {},
                    "en": str.__str__(value)}
        return {"id": None, "fields": {}, "en": str.__str__(value)}
    return {"id": None, "fields": {}, "en": _plain(value)}


def localise_reason(value: Any, lang: str, *, criterion: str | None = None, role: str | None = None) -> Any:
    """A criterion reason in *lang*: :func:`hcctrials.i18n.render`, with the compiler's review reasons inside
    it ("needs review: text not compiled: ...") said in *lang* too (their fixed words; the quoted text as written;
    the rule they show said in *lang* when it can be rebuilt from the *criterion* text and *role*)."""
    if lang == "en" or not isinstance(value, Msg):
        return render(value, lang)
    return _said(value, lang, (criterion, role) if criterion else None)


def _cached_reader(criterion: str, role: str | None, lang: str) -> Callable[[str], str | None]:
    """:func:`rule_reader` of the criterion, its answers kept per (criterion, role, language, rule shown): what
    a review reason shows depends on the criterion alone, never on the patient, and rebuilding it compiles the
    criterion again (tens of ms), so each is rebuilt once per process (a trial shown again costs a look-up)."""
    def read(rule: str) -> str | None:
        return _read_as(criterion, role, lang, rule)
    return read


@lru_cache(maxsize=32768)
def _read_as(criterion: str, role: str | None, lang: str, rule: str) -> str | None:
    return rule_reader(criterion, role, lang)(rule)


#: recruiting messages (hcctrials.matching.status) whose ``status`` field is a record-status code
_STATUS_FIELD = "status"


def localise_recruiting(value: Any, lang: str) -> Any:
    """A recruiting reason or contradiction (:mod:`hcctrials.matching.status`) in *lang*, the record-status code
    it names ("record status recruiting", "status 'recruiting' but ...") said as a word (正在招募) in Chinese."""
    if lang == "en" or not isinstance(value, Msg) or _STATUS_FIELD not in value.fields or not value.msgid:
        return render(value, lang)
    from hcctrials.i18n.labels import label

    fields = {k: (label("status", str(v), lang) if k == _STATUS_FIELD else render(v, lang))
              for k, v in value.fields.items()}
    return catalog(lang).get(value.msgid, value.msgid).format(**fields)


def class_labels(classes: Any, lang: str) -> list[str]:
    """The intervention classes in words, in the order of :data:`hcctrials.matching.setting.INTERVENTION_CLASSES`."""
    from hcctrials.i18n.labels import label
    from hcctrials.matching.setting import INTERVENTION_CLASSES

    return [label("class", c, lang) for c in INTERVENTION_CLASSES if c in classes]


#: the fields :func:`hcctrials.matching.setting.classify_trial_setting` names in its evidence ("<field>: <phrase>")
_EVIDENCE_FIELD = re.compile(r"(inclusion|exclusion)\[(\d+)\]")


def _evidence_field(name: str, lang: str) -> str | None:
    fixed = {"brief_title": say("brief title", lang), "scientific_title": say("scientific title", lang),
             "acronym": say("acronym", lang), "objectives": say("objectives", lang), "summary": say("summary", lang),
             "conditions": say("conditions", lang), "keywords": say("keywords", lang),
             "criteria": say("eligibility criteria", lang), "interventions": say("interventions", lang)}
    if name in fixed:
        return fixed[name]
    m = _EVIDENCE_FIELD.fullmatch(name)
    if m is None:
        return None
    if m.group(1) == "inclusion":
        return say("inclusion criterion {n}", lang, n=m.group(2))
    return say("exclusion criterion {n}", lang, n=m.group(2))


def setting_evidence_text(evidence: str, setting: str, lang: str) -> str:
    """One piece of a trial's setting evidence (``"<field>: <phrase>"``, :func:`classify_trial_setting`) in *lang*:
    the field named in words, the phrase as the record writes it; the classifier's own words ("excludes ...",
    "not ..." for a negated second-line phrase, "locoregional therapy combined with systemic therapy") said in
    *lang*.  A shape not known is kept as written."""
    if evidence == "advanced / unresectable disease without a line of therapy":
        return say("advanced / unresectable disease without a line of therapy", lang)
    name, sep, phrase = evidence.partition(": ")
    where = _evidence_field(name, lang) if sep else None
    if where is None:
        return evidence
    if name == "interventions" and phrase == "locoregional therapy combined with systemic therapy":
        phrase = say("locoregional therapy combined with systemic therapy", lang)
    elif setting in ("advanced_first_line", "advanced_line_unspecified"):
        # classify_trial_setting: "excludes <phrase>" (an exclusion of prior systemic therapy) and "not <phrase>"
        # (a negated second-line phrase) are first-line evidence only; a first-line phrase as written that begins
        # with "not" reads the same with the word said
        if name.startswith("exclusion[") and phrase.startswith("excludes "):
            phrase = say("excludes {text}", lang, text=phrase[len("excludes "):])
        elif phrase.startswith("not "):
            phrase = say("not {text}", lang, text=phrase[len("not "):])
    return say("{where}: {text}", lang, where=where, text=phrase)


def _said(value: Any, lang: str, whose: tuple[str, str | None] | None) -> Any:
    if not isinstance(value, Msg):
        return value
    parts = getattr(value, "parts", None)
    if parts is not None:  # messages joined by a separator (hcctrials.i18n.join_msgs)
        return str(_said(getattr(value, "sep", ""), lang, whose)).join(str(_said(p, lang, whose)) for p in parts)
    if value.msgid == NEEDS_REVIEW_MSGID and "reason" in value.fields:
        # the rules the reason shows, as the compiler kept them (criteria.evaluation.leaves.ReviewVerdictReason)
        kept = getattr(value, "read_as", ())
        return _review_reason(str.__str__(value.fields["reason"]), lang, *(whose or (None, None)), kept=kept)
    if not value.fields:
        return value.rendered(lang)
    text = catalog(lang).get(value.msgid, value.msgid)
    return text.format(**{k: _said(v, lang, whose) for k, v in value.fields.items()})


#: (reason, language, criterion, role, rules kept) -> the reason said (:func:`_review_reason`)
_REVIEWED: dict[tuple[str, str, str | None, str | None, bool], str] = {}


def _review_reason(reason: str, lang: str, criterion: str | None, role: str | None, *,
                   kept: Sequence[Any] = ()) -> str:
    """A needs-review reason in *lang* (:func:`review_reason_for_reader`), the rule it shows said from the rules the
    compiler *kept* with it (``NeedsReview.read_as``), else rebuilt from the *criterion* text when given (compiling
    it again).  It depends on the criterion alone (never on the patient; the rule shown is part of the *reason*
    text), so it is said once per process: kept here, at most 32,768 at a time."""
    key = (reason, lang, criterion, role, bool(kept))
    found = _REVIEWED.get(key)
    if found is None:
        rebuilt = _cached_reader(criterion, role, lang) if criterion else None
        read_as = kept_rule_reader(kept, lang, rebuilt) if kept else rebuilt
        found = say(NEEDS_REVIEW_MSGID, lang, reason=review_reason_for_reader(reason, lang, read_as=read_as))
        if len(_REVIEWED) >= 32768:
            _REVIEWED.clear()
        _REVIEWED[key] = found
    return found


def line_reason(prior_systemic_lines: int, lang: str) -> str:
    """The patient's line of therapy in words (:func:`hcctrials.matching.matcher.derive_line_of_therapy`)."""
    if prior_systemic_lines == 0:
        return say("no prior systemic therapy for advanced disease: first line", lang)
    return say("{n} prior systemic line(s) for advanced disease: second line or later", lang, n=prior_systemic_lines)


def localise_match_document(document: dict[str, Any], result: Any, findings: list[str], lang: str, *,
                            rebuild_rules: bool = True) -> dict[str, Any]:
    """The ``match --json`` *document* (:func:`hcctrials.matching.explain.result_to_dict` of *result*, in *lang*)
    with the patient-data *findings* and every finding in *lang*, codes and ``*_message`` records beside them.

    The rule a review reason shows ("read as: <rule>") is said in *lang* (:func:`localise_reason`): rebuilding it
    compiles the criterion again (about 25 ms each), once per process and criterion (:func:`_cached_reader`), so a
    trial shown again costs nothing more; ``rebuild_rules=False`` keeps the compiler's notation instead."""
    def whose(row: Any) -> dict[str, str]:
        return {"criterion": row.text, "role": row.role} if rebuild_rules and lang != "en" else {}

    from hcctrials.i18n.labels import label
    from hcctrials.matching.relevance import evidence_text

    doc = dict(document)
    line = dict(doc.get("line_of_therapy", {}))
    count = int(line.get("prior_systemic_lines", 0))
    line["reason_code"] = "first_line" if count == 0 else "second_line_or_later"
    line["reason_en"] = line_reason(count, "en")
    line["reason"] = line_reason(count, lang)
    line["setting_labels"] = [label("setting", s, lang) for s in line.get("settings", [])]
    doc["line_of_therapy"] = line
    doc["patient_data_findings"] = [render(f, lang) for f in findings]
    doc["patient_data_findings_messages"] = [message_record(f) for f in findings]
    trials = []
    for shown, match in zip(doc.get("trials", []), result.matches):
        trial = dict(shown)
        trial["setting_labels"] = [label("setting", s, lang) for s in trial.get("setting", [])]
        trial["intervention_class_labels"] = [label("class", c, lang) for c in trial.get("intervention_classes", [])]
        trial["setting_evidence_labels"] = {setting: [setting_evidence_text(e, setting, lang) for e in items]
                                            for setting, items in trial.get("setting_evidence", {}).items()}
        relevance = dict(trial.get("relevance", {}))
        relevance["evidence_label"] = evidence_text(str(relevance.get("evidence") or ""), lang)
        trial["relevance"] = relevance
        recruiting = dict(trial.get("recruiting", {}))
        recruiting["state_label"] = label("state", recruiting.get("state"), lang)
        recruiting["overall_status_label"] = label("status", recruiting.get("overall_status"), lang)
        recruiting["reason"] = localise_recruiting(match.recruiting.reason, lang)
        recruiting["contradiction"] = localise_recruiting(match.recruiting.contradiction, lang)
        recruiting["reason_message"] = message_record(match.recruiting.reason)
        recruiting["contradiction_message"] = (message_record(match.recruiting.contradiction)
                                               if match.recruiting.contradiction else None)
        trial["recruiting"] = recruiting
        trial["criteria"] = [{**c, "reason": localise_reason(row.reason, lang, **whose(row)),
                              "reason_message": message_record(row.reason),
                              "missing_messages": [message_record(i) for i in row.missing]}
                             for c, row in zip(trial.get("criteria", []), match.criteria)]
        trial["deciding"] = [{**c, "reason": localise_reason(row.reason, lang, **whose(row)),
                              "reason_message": message_record(row.reason)}
                             for c, row in zip(trial.get("deciding", []), match.deciding)]
        trial["to_measure_messages"] = [message_record(i) for i in match.to_measure]
        trials.append(trial)
    doc["trials"] = trials
    doc["to_measure"] = [{**item, "item_message": message_record(raw)}
                         for item, (raw, _n) in zip(doc.get("to_measure", []), result.to_measure)]
    return doc


def match_document(result: Any, findings: list[str], lang: str, *, rebuild_rules: bool = True) -> dict[str, Any]:
    """``localise_match_document(result_to_dict(result, lang), result, findings, lang)`` built in one pass: the
    same document (same keys, same order, same values; ``tests/matching/test_matching_document.py``), each
    finding rendered once, what does not depend on the patient (a trial's setting, classes and their words, the
    review reasons' Chinese) worked out once per process (:func:`_trial_parts`, :func:`_review_reason`).  The web
    API and pages answer with it (issue 12: CPU per match request)."""
    from hcctrials.i18n.labels import label
    from hcctrials.matching.explain import relevance_label, status_label, trial_reason, verdict_label
    from hcctrials.matching.relevance import evidence_text

    line = result.line
    count = line.prior_systemic_lines
    trials = []
    # a rule shared by several criteria shown (the same text in several trials, boilerplate such as "ECOG 0-1")
    # has one verdict per match (matcher._LeafVerdicts): its reason and missing items are said once per document,
    # keyed by the verdict's objects (alive while *result* is), with the criterion's text and role where the words
    # depend on them (a review reason in Chinese shows the rule rebuilt from the text)
    reasons: dict[tuple[int, str | None, str | None] | int, tuple[Any, dict[str, Any]]] = {}
    missings: dict[int, tuple[list[Any], list[dict[str, Any]]]] = {}
    # an item to measure, named by the missing data of several trials shown: said once per document too
    items_said: dict[int, tuple[Any, dict[str, Any]]] = {}

    def item(value: Any) -> tuple[Any, dict[str, Any]]:
        said = items_said.get(id(value))
        if said is None:
            said = items_said[id(value)] = (render(value, lang), message_record(value))
        return said

    by_text = lang != "en" and rebuild_rules
    # a criterion's status in words depends on its status and role alone: looked up here, not called per row
    status_words: dict[tuple[str, str], str] = {}
    for m in result.matches:
        rows = m.criteria
        criteria: list[dict[str, Any]] = []
        deciding: list[dict[str, Any]] = []
        review = data = 0
        for row in rows:
            key = (id(row.reason), row.text, row.role) if by_text else id(row.reason)
            said = reasons.get(key)
            if said is None:
                said = reasons[key] = (_reason_for(row, lang, rebuild_rules), message_record(row.reason))
            reason, record = said
            words = status_words.get((row.status, row.role))
            if words is None:
                words = status_words[(row.status, row.role)] = status_label(row, lang)
            if row.missing:
                items = missings.get(id(row.missing))
                if items is None:
                    items = missings[id(row.missing)] = ([render(i, lang) for i in row.missing],
                                                         [message_record(i) for i in row.missing])
                missing, missing_records = list(items[0]), list(items[1])
            else:
                missing, missing_records = [], []
            criteria.append({"number": row.number, "role": row.role, "text": row.text, "status": row.status,
                             "status_label": words, "reason": reason,
                             "missing": missing, "reason_message": record,
                             "missing_messages": missing_records})
            if row.status == "not_met":
                deciding.append({"number": row.number, "role": row.role, "text": row.text, "reason": reason,
                                 "reason_message": record})
            elif row.status == "needs_review":
                review += 1
            elif row.status == "unknown":
                data += 1
        measure = [item(i) for i in m.to_measure]
        setting, evidence, classes, setting_labels, class_labels_, evidence_labels = _trial_parts(m.setting, lang)
        recruiting = m.recruiting
        relevance = m.relevance
        trials.append({
            "trial_id": m.trial_id, "registry": m.registry, "title": m.title_in(lang), "verdict": m.verdict,
            "verdict_label": verdict_label(m.verdict, lang), "reason": trial_reason(m, lang),
            "relevance": {"level": relevance.level, "concepts": list(relevance.concepts),
                          "evidence": relevance.evidence, "label": relevance_label(m, lang),
                          "evidence_label": evidence_text(str(relevance.evidence or ""), lang)},
            "setting": list(setting), "setting_evidence": {k: list(v) for k, v in evidence},
            "intervention_classes": list(classes), "setting_affinity": m.setting_affinity,
            "recruiting": {"state": recruiting.state, "overall_status": recruiting.record_status,
                           "reason": localise_recruiting(recruiting.reason, lang),
                           "contradiction": localise_recruiting(recruiting.contradiction, lang),
                           "window": list(recruiting.window),
                           "state_label": label("state", recruiting.state, lang),
                           "overall_status_label": label("status", recruiting.record_status, lang),
                           "reason_message": message_record(recruiting.reason),
                           "contradiction_message": (message_record(recruiting.contradiction)
                                                     if recruiting.contradiction else None)},
            "criteria": criteria, "deciding": deciding,
            "to_measure": [said for said, _record in measure], "unknown_count": m.unknown_count,
            "criteria_count": m.criteria_count, "review_count": review, "data_count": data,
            "sites": [{"institution": s.institution_in(lang), "place": s.place_in(lang), "distance": s.distance,
                       "km": None if s.km is None else round(s.km)} for s in m.sites],
            "nearest_site": m.nearest, "links": m.links,
            "contacts": [c.get(lang) for c in m.contacts if c.get(lang)],
            "setting_labels": list(setting_labels), "intervention_class_labels": list(class_labels_),
            "setting_evidence_labels": {k: list(v) for k, v in evidence_labels},
            "to_measure_messages": [record for _said, record in measure],
        })
    return {
        "patient_id": result.patient_id, "as_of": result.as_of.isoformat(), "language": lang,
        "line_of_therapy": {"prior_systemic_lines": count, "settings": list(line.settings),
                            "reason": line_reason(count, lang),
                            "reason_code": "first_line" if count == 0 else "second_line_or_later",
                            "reason_en": line_reason(count, "en"),
                            "setting_labels": [label("setting", s, lang) for s in line.settings]},
        "trials": trials,
        "hidden_ineligible": result.hidden_ineligible, "hidden_closed": result.hidden_closed,
        "hidden_other_conditions": dict(result.hidden_irrelevant),
        "to_measure": [{"item": render(item, lang), "would_inform_trials": n, "item_message": message_record(item)}
                       for item, n in result.to_measure],
        "patient_data_findings": [render(f, lang) for f in findings],
        "patient_data_findings_messages": [message_record(f) for f in findings],
    }


def _reason_for(row: Any, lang: str, rebuild_rules: bool) -> Any:
    if lang == "en" or not isinstance(row.reason, Msg):
        return render(row.reason, lang)
    if rebuild_rules:
        return localise_reason(row.reason, lang, criterion=row.text, role=row.role)
    return localise_reason(row.reason, lang)


#: a trial's setting -> (settings, evidence items, classes sorted, their words ...): per TrialSetting value
_PARTS: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _trial_parts(setting: Any, lang: str) -> tuple[Any, ...]:
    """What the document shows of a trial's setting (codes, evidence, classes, and their words in *lang*), kept per
    value of the setting and language: it never depends on the patient, and the same trials are shown again and
    again.  Keyed by value (not by trial), so a record changed by an ingest is never shown with stale words."""
    evidence = tuple((k, tuple(v)) for k, v in setting.evidence.items())
    key = (setting.settings, evidence, setting.intervention_classes, lang)
    found = _PARTS.get(key)
    if found is None:
        from hcctrials.i18n.labels import label

        classes = tuple(sorted(setting.intervention_classes))
        found = (setting.settings, evidence, classes, tuple(label("setting", s, lang) for s in setting.settings),
                 tuple(label("class", c, lang) for c in classes),
                 tuple((k, tuple(setting_evidence_text(e, k, lang) for e in v)) for k, v in evidence))
        if len(_PARTS) > 50_000:
            _PARTS.clear()
        _PARTS[key] = found
    return found
