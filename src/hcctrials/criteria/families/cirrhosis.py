"""Child-Pugh required only of a cirrhotic liver (issue 10, liver-function family).

"If liver cirrhosis is present, patient must have a Child-Pugh A classification", "No evidence of
cirrhosis or cirrhosis grade of Child-Pugh class A or B7", "No Cirrhosis or cirrhotic status of
Child-Pugh class A only": the Child-Pugh limit binds a patient with cirrhosis; a patient without
cirrhosis meets the criterion whatever the score.  Read as any of (no cirrhosis, the Child-Pugh
set), with the set read by the Child-Pugh scanner (:func:`hcctrials.criteria.families.staging.scan_child_pugh`)
and taken only when it reads the whole score phrase.  Cirrhosis is ``Patient.diagnosis.cirrhosis``
(unknown when not recorded).
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AnyOf, ChildPugh, Diagnosis, Node

__all__ = ["scan_cirrhosis_child_pugh"]

_CP = r"(?P<cp>child[- ]?pugh(?:[- ]turcotte)?\s+(?:score\s+|class(?:ification)?\s+|status\s+)?[^.;:]{1,40}?)"
_TAIL = r"(?:\s+(?:only|classification|class))?\s*(?=[.;:]|$)"
_PATTERNS = [
    re.compile(r"(?:no\s+(?:evidence\s+of\s+)?(?:liver\s+)?cirrhosis|non-?cirrhotic(?:\s+liver)?)\s*,?\s*or\s+"
               r"(?:(?:liver\s+)?cirrhosis|cirrhotic\s+(?:status|liver))\s+(?:(?:grade|status|class)\s+)?(?:of|with)\s+"
               + _CP + _TAIL, re.IGNORECASE),
    re.compile(r"if\s+(?:liver\s+)?cirrhosis\s+is\s+(?:present|known)\s*,\s*(?:the\s+)?(?:patients?\s+|subjects?\s+)?"
               r"(?:must|should)\s+(?:have|be)\s+(?:an?\s+)?(?:liver\s+function\s+(?:of\s+)?)?" + _CP + _TAIL, re.IGNORECASE),
]
# what may be left of the score phrase once the Child-Pugh scanner has read it
_FILLER = re.compile(r"^[\s,()]*(?:(?:only|classification|class|score|grade|points?|status)[\s,()]*)*$", re.IGNORECASE)


def _child_pugh(ctx: Context, start: int, end: int) -> Node | None:
    """The Child-Pugh node of text[start:end] when the scanner reads all of it, else None."""
    from hcctrials.criteria.families.staging import scan_child_pugh

    sub = Context(text=ctx.text[start:end], lower=ctx.lower[start:end], language=ctx.language, role=ctx.role,
                  trial_drugs=ctx.trial_drugs, compile_fragment=ctx.compile_fragment)
    hits = [h for h in scan_child_pugh(sub) if isinstance(h.node, ChildPugh)]
    if len(hits) != 1:
        return None
    hit = hits[0]
    left = sub.text[:hit.start] + " " + sub.text[hit.end:]
    return hit.node if _FILLER.match(left) else None


def scan_cirrhosis_child_pugh(ctx: Context) -> list[Hit]:
    """Any of (no cirrhosis, Child-Pugh set) for a Child-Pugh limit that binds cirrhotic patients only."""
    hits = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(ctx.lower):
            cp = _child_pugh(ctx, m.start("cp"), m.end("cp"))
            if cp is None:
                continue
            node = AnyOf(children=[Diagnosis(cirrhosis=False), cp])
            hits.append(Hit(m.start(), m.end(), node, priority=6, family="child_pugh"))
    return hits
