"""Gastrointestinal function for oral drugs, inflammatory bowel and peptic ulcer disease (EN + ZH).

* "Impairment of gastrointestinal function or gastrointestinal disease that may significantly alter the
  absorption of RAD001" (NCT00516165), "... of sorafenib (e.g. ulcerative colitis, uncontrolled nausea, vomiting,
  diarrhea, malabsorption syndrome)" (NCT01335074), "does not have any clinically significant gastrointestinal
  abnormalities that may alter absorption such as malabsorption syndrome or major resection of the stomach or
  bowels" (NCT02292173, NCT02989870), "可能影响药物吸收的胃肠道疾病" -> ``HistoryCondition(gi_absorption_impairment |
  malabsorption, active)``.  The code is the condition the wording names (a gastrointestinal disease or impairment
  that may significantly alter the absorption of oral drugs, the clinician's judgement, recorded while present;
  docs/patients.md); a present malabsorption is one.  The examples after "such as" / "e.g." are examples of that
  class, never the class itself, so they add no leaf.
* "able to swallow and retain orally administered medication", "No known impairment of swallowing that would
  preclude administration of everolimus": the patient's ability to take the oral study drug, checked by the site
  (``Administrative(compliance)``, as :mod:`admin` reads "able to swallow").
* "Active inflammatory bowel disease (IBD) and/or active gastric or duodenal ulcer disease" (NCT00081900):
  ``inflammatory_bowel_disease`` (Crohn's disease, ulcerative colitis) and ``peptic_ulcer`` (gastric or duodenal
  ulcer), active when the text says so.
* "Current or recent (< 2 years) history of pancreatitis" (NCT02210182): ``HistoryCondition(pancreatitis)`` within
  the window (an episode then, or one still present).
Scope: the wordings above; an unqualified "chronic gastrointestinal disease" or "GI disease resulting in an inability
to take oral medication" is not read (no code holds it).
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit, ascii_re
from hcctrials.model.eligibility import Administrative, HistoryCondition

__all__ = ["scan_gi"]

_GI = r"(?:gastro-?intestinal|\bgi\b)(?:\s*\(gi\))?"
_ALTER = (r"\s*,?\s*(?:that|which)\s+(?:may|might|could|would|can|is\s+likely\s+to)\s+(?:significantly\s+)?"
          r"(?:alter|affect|impair|interfere\s+with|reduce|compromise|hamper)\s+(?:the\s+)?(?:oral\s+)?absorption"
          r"(?:\s+of\s+(?:the\s+)?(?:oral\s+)?(?:study\s+(?:drugs?|medications?|treatment)|investigational\s+product|[a-z][\w-]*))?")
# examples of the class: "(e.g. ulcerative colitis, ...)", "such as malabsorption syndrome or major resection of the
# stomach or bowels" (to the end of the sentence)
_EXAMPLES = (r"(?:\s*\(\s*(?:e\.g\.?|eg|such\s+as|including|for\s+example)[^()]*\)"
             r"|(?P<open>\s*,?\s*(?:such\s+as|e\.g\.?,?|including)\s+[^;。]{1,120}?(?=\s*\.?\s*$)))?")
# words an example list never holds: another requirement joined after the examples ("..., or inability to swallow")
_NOT_EXAMPLE = re.compile(r"\b(?:inability|unable|able|must|require\w*|within|history|unless|except|patients?)\b", re.IGNORECASE)
_ABSORPTION = ascii_re(
    r"(?:any\s+)?(?:clinically\s+(?:significant|relevant)\s+)?"
    rf"(?:impairment\s+of\s+{_GI}\s+function\s+(?:or|of|and/or)\s+{_GI}\s+(?:disease|disorder)s?"
    rf"|{_GI}\s+(?:disease|disorder)s?\s+or\s+impairment\s+of\s+{_GI}\s+function"
    rf"|{_GI}\s+(?:abnormalit(?:y|ies)|diseases?|disorders?|conditions?|dysfunction))"
    + _ALTER + _EXAMPLES
    + r"|(?:可能)?(?:显著)?影响(?:口服)?(?:药物|研究药物|试验药物)?吸收的(?:胃肠道?|消化道)(?:疾病|功能(?:障碍|异常)|异常)")
_SWALLOW = ascii_re(
    r"(?:\b(?:un|in)?)(?:able|ability)\s+to\s+take\s+oral\s+(?:medications?|drugs?)(?=\s*\.?\s*$)"
    r"|(?:able|ability)\s+to\s+swallow\s+and\s+retain\s+(?:orally\s+administered|oral)\s+(?:study\s+)?(?:medications?|drugs?|tablets|capsules)"
    r"|(?:no\s+)?(?:known\s+)?impairment\s+of\s+swallowing\s+that\s+(?:would|may|might|could)\s+preclude\s+(?:the\s+)?(?:oral\s+)?"
    r"administration\s+of\s+(?:the\s+)?(?:study\s+drug|[a-z][\w-]*)")
_IBD = ascii_re(r"(?P<active>active\s+)?(?:inflammatory\s+bowel\s+disease(?:\s*\(ibd\))?|crohn'?s\s+disease|ulcerative\s+colitis)"
                r"|(?P<active_zh>活动性)?(?:炎症性肠病|克罗恩病|溃疡性结肠炎)")
_ULCER = ascii_re(r"(?P<active>active\s+)?(?:(?:gastric|duodenal|peptic)(?:\s+(?:or|and|and/or)\s+(?:gastric|duodenal|peptic))?"
                  r"\s+ulcers?(?:\s+disease)?|peptic\s+ulcer\s+disease)"
                  r"|(?P<active_zh>活动性)?(?:消化性溃疡|胃溃疡|十二指肠溃疡)")
# "Current or recent (< 2 years) history of pancreatitis" (NCT02210182): an episode within the window, or one going on
# now (a present condition lies inside every window)
_PANCREATITIS_RECENT = ascii_re(
    r"current\s+or\s+recent\s*\(\s*(?:<|≤|<=|within)\s*(?P<n>\d{1,2})\s*(?P<u>years?|months?)\s*\)\s*(?:history\s+of\s+)?"
    r"(?:(?:acute|chronic)\s+(?:or|and/or)\s+(?:acute|chronic)\s+)?pancreatitis")
# "History of peptic ulcer ... unless ...", "gastritis": other wordings of these items stay for review
_HISTORY_WORDS = re.compile(r"\bhistory\b|\bprior\b|\bprevious\b|病史|既往", re.IGNORECASE)


def scan_gi(ctx: Context) -> list[Hit]:
    text = ctx.lower
    hits: list[Hit] = []
    for m in _ABSORPTION.finditer(text):
        end = m.end()
        if m.group("open") and _NOT_EXAMPLE.search(m.group("open")):
            end = m.start("open")  # the words after "such as" are not only examples: left for the other readers or review
        node = HistoryCondition(codes=["gi_absorption_impairment", "malabsorption"], status="active",
                                label=" ".join(ctx.text[m.start():end].split())[:120])
        hits.append(Hit(m.start(), end, node, priority=6, family="history"))
    for m in _SWALLOW.finditer(text):
        hits.append(Hit(m.start(), m.end(), Administrative(category="compliance"), priority=2, family="admin"))
    for m in _PANCREATITIS_RECENT.finditer(text):
        days = int(m.group("n")) * (365 if m.group("u").startswith("year") else 30)
        node = HistoryCondition(codes=["pancreatitis"], look_back_days=days,
                                label=" ".join(ctx.text[m.start():m.end()].split()))
        hits.append(Hit(m.start(), m.end(), node, priority=6, family="history"))
    for pattern, code in ((_IBD, "inflammatory_bowel_disease"), (_ULCER, "peptic_ulcer")):
        for m in pattern.finditer(text):
            if _HISTORY_WORDS.search(text[max(0, m.start() - 40):m.start()]):
                continue  # a history wording has its own window and exceptions: not read here
            active = bool(m.group("active") or m.group("active_zh"))
            if not active:
                continue  # only the active disease is read (an unqualified mention may be a history item)
            node = HistoryCondition(codes=[code], status="active", label=" ".join(ctx.text[m.start():m.end()].split()))
            hits.append(Hit(m.start(), m.end(), node, priority=5, family="history"))
    return hits
