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

from typing import Any

from collections.abc import Callable

from hcctrials.criteria.compiler.describe_i18n import review_reason_for_reader, rule_reader
from hcctrials.i18n import Msg, catalog, render, say

__all__ = ["message_record", "localise_reason", "localise_match_document", "line_reason", "NEEDS_REVIEW_MSGID"]

#: the msgid of a needs-review criterion's reason (criteria/evaluation/leaves.py)
NEEDS_REVIEW_MSGID = "needs review: {reason}"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str.__str__(value) if isinstance(value, str) else str(value)


def message_record(value: Any) -> dict[str, Any]:
    """``{"id", "fields", "en"}`` of a finding: its msgid and fields when it is a structured message (a plain
    text has ``id`` None: record data or a message built before structured messages)."""
    english = _plain(value)
    if isinstance(value, Msg) and value.msgid:
        return {"id": value.msgid, "fields": {k: _plain(v) for k, v in value.fields.items()}, "en": english}
    return {"id": None, "fields": {}, "en": english}


def localise_reason(value: Any, lang: str, *, criterion: str | None = None, role: str | None = None) -> Any:
    """A criterion reason in *lang*: :func:`hcctrials.i18n.render`, with the compiler's review reasons inside
    it ("needs review: text not compiled: ...") said in *lang* too (their fixed words; the quoted text as written;
    the rule they show said in *lang* when it can be rebuilt from the *criterion* text and *role*)."""
    if lang == "en" or not isinstance(value, Msg):
        return render(value, lang)
    read_as = rule_reader(criterion, role, lang) if criterion else None
    return _said(value, lang, read_as)


def _said(value: Any, lang: str, read_as: Callable[[str], str | None] | None) -> Any:
    if not isinstance(value, Msg):
        return value
    parts = getattr(value, "parts", None)
    if parts is not None:  # messages joined by a separator (hcctrials.i18n.join_msgs)
        return str(_said(getattr(value, "sep", ""), lang, read_as)).join(str(_said(p, lang, read_as)) for p in parts)
    if value.msgid == NEEDS_REVIEW_MSGID and "reason" in value.fields:
        return say(NEEDS_REVIEW_MSGID, lang, reason=review_reason_for_reader(str.__str__(value.fields["reason"]), lang,
                                                                             read_as=read_as))
    if not value.fields:
        return value.rendered(lang)
    text = catalog(lang).get(value.msgid, value.msgid)
    return text.format(**{k: _said(v, lang, read_as) for k, v in value.fields.items()})


def line_reason(prior_systemic_lines: int, lang: str) -> str:
    """The patient's line of therapy in words (:func:`hcctrials.matching.matcher.derive_line_of_therapy`)."""
    if prior_systemic_lines == 0:
        return say("no prior systemic therapy for advanced disease: first line", lang)
    return say("{n} prior systemic line(s) for advanced disease: second line or later", lang, n=prior_systemic_lines)


def localise_match_document(document: dict[str, Any], result: Any, findings: list[str], lang: str, *,
                            rebuild_rules: bool = False) -> dict[str, Any]:
    """The ``match --json`` *document* (:func:`hcctrials.matching.explain.result_to_dict` of *result*, in *lang*)
    with the patient-data *findings* and every finding in *lang*, codes and ``*_message`` records beside them.

    The rule a review reason shows ("read as: <rule>") stays in the compiler's notation unless *rebuild_rules*:
    rebuilding it compiles the criterion again (about 25 ms each; 2.7 s for the 104 such reasons of a 20-trial
    match measured on the HINT subset), which a match does not spend by default (``criteria evaluate`` and
    ``criteria show`` do, for one trial)."""
    def whose(row: Any) -> dict[str, str]:
        return {"criterion": row.text, "role": row.role} if rebuild_rules else {}

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
        relevance = dict(trial.get("relevance", {}))
        relevance["evidence_label"] = evidence_text(str(relevance.get("evidence") or ""), lang)
        trial["relevance"] = relevance
        recruiting = dict(trial.get("recruiting", {}))
        recruiting["state_label"] = label("state", recruiting.get("state"), lang)
        recruiting["record_status_label"] = label("status", recruiting.get("record_status"), lang)
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
