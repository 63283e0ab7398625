"""Thyroid and diabetes conditions named in organ-function lists (EN + ZH; issue 10, session 6).

* "No clinical or laboratory evidence of hypothyroidism" (NCT00387348): hypothyroidism present now, shown
  clinically (a ``hypothyroidism`` condition recorded active: not kept euthyroid by replacement) or by the
  laboratory (a TSH above the upper limit of normal: primary hypothyroidism, overt or subclinical, raises the TSH
  first; Garber JR et al., ATA/AACE guideline, Thyroid 2012;22:1200) -> any of (``HistoryCondition(hypothyroidism,
  active)``, ``TSH > 1 x ULN``).  A patient euthyroid on levothyroxine shows neither.
* "Uncontrolled diabetes" (NCT01335074), "未控制的糖尿病": diabetes recorded active, i.e. not 'controlled'
  (``Condition.status``; docs/patients.md), as "uncontrolled seizures" is read.  A diabetes *defined* by a
  laboratory limit ("uncontrolled diabetes, defined as HbA1c >= 8.0") is that limit, not the status, and is not
  read here, nor one whose qualifier may cover a next item ("uncontrolled diabetes mellitus and hypertension") or a past
  episode ("History of uncontrolled diabetes").
Scope: the wordings above.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit, ascii_re
from hcctrials.model.eligibility import AnyOf, HistoryCondition, LabThreshold

__all__ = ["scan_endocrine"]

_HYPOTHYROID_EVIDENCE = ascii_re(r"(?:(?:clinical|biochemical)\s+(?:or|and/or)\s+laboratory|laboratory\s+(?:or|and/or)\s+clinical)"
                                 r"\s+evidence\s+of\s+hypothyroidism|(?:临床或实验室|实验室或临床)(?:证据)?(?:提示|显示)?的?甲状腺功能减退")
_UNCONTROLLED_DIABETES = ascii_re(r"(?:uncontrolled|poorly\s+controlled|inadequately\s+controlled)\s+diabetes(?:\s+mellitus)?"
                                  r"|(?:未控制|控制不[佳良])的?糖尿病|糖尿病控制不[佳良]")
# a definition after the item ("defined as HbA1c >= 8%", "(HbA1c of 8.0% or higher)") is the rule, not the status
_DEFINED_AFTER = re.compile(r"\s*,?\s*(?:\(|\[|defined|as\s+defined|i\.e\.|定义为)", re.IGNORECASE)
# "uncontrolled diabetes mellitus and hypertension", "poorly controlled diabetes/hypertension": the qualifier may
# cover the next item too, which this reader does not read; "History of uncontrolled diabetes": an episode in the
# past, not the present status; both are left alone
_SHARED_QUALIFIER = re.compile(r"\s*(?:/|,|\band\b|\bor\b|和|及|或)", re.IGNORECASE)
_HISTORY_BEFORE = re.compile(r"(?:history|\bprior\b|\bprevious\b|既往|病史)[^;。]{0,30}$", re.IGNORECASE)


def scan_endocrine(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    for m in _HYPOTHYROID_EVIDENCE.finditer(ctx.lower):
        label = " ".join(ctx.text[m.start():m.end()].split())
        node = AnyOf(children=[HistoryCondition(codes=["hypothyroidism"], status="active", label=label),
                               LabThreshold(analyte="tsh", comparator=">", uln_multiple=1.0)])
        hits.append(Hit(m.start(), m.end(), node, priority=6, family="history"))
    for m in _UNCONTROLLED_DIABETES.finditer(ctx.lower):
        if _DEFINED_AFTER.match(ctx.lower, m.end()):
            continue  # the definition that follows is the rule (left to the lab readers or review)
        if _SHARED_QUALIFIER.match(ctx.lower, m.end()) or _HISTORY_BEFORE.search(ctx.lower[:m.start()]):
            continue
        label = " ".join(ctx.text[m.start():m.end()].split())
        hits.append(Hit(m.start(), m.end(), HistoryCondition(codes=["diabetes"], status="active", label=label),
                        priority=6, family="history"))
    return hits
