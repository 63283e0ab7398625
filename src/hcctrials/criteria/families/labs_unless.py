"""Coagulation limits waived for patients on therapeutic anticoagulation (issue 10, labs family).

"Prothrombin time <= 1.5x ULN, unless receiving therapeutic anticoagulation": a patient on full-dose
anticoagulation has a prolonged PT / INR / PTT by intent, so the limit applies only to patients who are
not anticoagulated (the usual wording of the limit in solid-tumour protocols, e.g. the NCI CTEP
template "INR/PTT <= 1.5 x ULN unless the patient is receiving anticoagulant therapy and the values are
within the intended therapeutic range").  Read exactly:

* inclusion: any of (the coagulation limit, therapeutic anticoagulation now);
* exclusion ("INR > 1.5 unless on therapeutic anticoagulation"): all of (the abnormal value,
  not on therapeutic anticoagulation).

Only the coagulation tests (PT, INR, PTT / aPTT) and only a *therapeutic* (full-dose) anticoagulation
are read; "unless on warfarin (INR 2-3)" and other conditions on the anticoagulation are left for review
(the pattern does not match them, so the leftover words keep the criterion in review).

Pure; the medication leaf is :class:`hcctrials.model.eligibility.Medication` (``classes=['anticoagulant']``,
``therapeutic_only``), read by the existing evaluation.
"""

from __future__ import annotations

import re

from hcctrials.criteria.families.labs import scan_labs
from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AllOf, AnyOf, LabThreshold, Medication, Node, Not, walk

__all__ = ["scan_lab_unless_anticoagulated", "scan_lab_normal"]

_COAGULATION = {"pt", "inr", "aptt", "ptt", "pt_inr"}

# ", unless receiving therapeutic anticoagulation" / "unless the patient is on full-dose anticoagulant therapy"
_UNLESS_ANTICOAGULATED = re.compile(
    r"\s*[,(]?\s*unless\s+(?:the\s+)?(?:(?:patient|subject|participant)s?\s+(?:is|are)\s+)?(?:receiving|on)\s+"
    r"(?:therapeutic|full[- ]dose)\s+(?:oral\s+|parenteral\s+)?anti-?coagula(?:tion|nts?)(?:\s+(?:therapy|treatment))?"
    r"\s*\)?",
    re.IGNORECASE)


def _coagulation_only(node: Node) -> bool:
    leaves = [n for n in walk(node) if isinstance(n, LabThreshold)]
    return bool(leaves) and all(leaf.analyte.lower() in _COAGULATION for leaf in leaves)


def scan_lab_unless_anticoagulated(ctx: Context) -> list[Hit]:
    """Hits for a PT / INR / PTT limit followed by "unless receiving therapeutic anticoagulation"."""
    if "unless" not in ctx.lower:
        return []
    hits: list[Hit] = []
    for lab in scan_labs(ctx):
        m = _UNLESS_ANTICOAGULATED.match(ctx.lower, lab.end)
        if not m or not _coagulation_only(lab.node):
            continue
        label = ctx.text[m.start():m.end()].strip(" ,()")
        on_anticoagulation = Medication(classes=["anticoagulant"], therapeutic_only=True, label=label)
        node: Node
        if ctx.role == "exclusion":
            node = AllOf(children=[lab.node, Not(child=on_anticoagulation)])
        else:
            node = AnyOf(children=[lab.node, on_anticoagulation])
        hits.append(Hit(lab.start, m.end(), node, priority=9, family="lab"))
    return hits


# "Creatinine normal": serum creatinine at or below the upper limit of normal.  A creatinine below the lower
# limit (low muscle mass) is not what a renal-function criterion excludes, so "normal" is read as <= 1 x ULN;
# only the whole statement is read ("Creatinine normal OR" keeps its dangling alternative for review).
_CREATININE_NORMAL = re.compile(r"^\s*(?:serum\s+)?creatinine\s+(?:normal|within\s+normal\s+limits)\s*\.?\s*$", re.IGNORECASE)


def scan_lab_normal(ctx: Context) -> list[Hit]:
    """A hit for "Creatinine normal" (creatinine <= 1 x ULN)."""
    m = _CREATININE_NORMAL.match(ctx.lower)
    if not m:
        return []
    node = LabThreshold(analyte="creatinine", comparator="<=", uln_multiple=1.0)
    return [Hit(m.start(), m.end(), node, priority=6, family="lab")]
