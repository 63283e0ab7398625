"""Progression on, or intolerance to, a named drug (issue 10, prior-therapy family).

"Has documented objective radiographic progression during or after treatment with sorafenib or
intolerance to sorafenib": any of (sorafenib with documented progression, sorafenib stopped for
intolerance).  Progression is documented as before (``TherapyLine.progression_date``, stop reason
``progression`` or best response PD; otherwise unknown).  Intolerance is the line's stop reason
``toxicity`` (the usual meaning of "intolerance" in second-line HCC trials: sorafenib discontinued for
adverse events); a line still ongoing, or stopped for progression, completion or the patient's choice, is
not intolerance; a line ended without a recorded reason (or reason ``other``) leaves it unknown
(``PriorTherapy.require_intolerance``).  Only this exact wording with one named drug is read; a class
("systemic chemotherapy including sorafenib") is read only by :func:`scan_progression_on_systemic_class`; a
cohort restriction stays for review.  Pure.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AnyOf, PriorTherapy

__all__ = ["scan_progression_or_intolerance", "scan_progression_on_systemic_class"]

_LEAD = r"(?:(?:has\s+|had\s+)?(?:documented\s+|confirmed\s+)?(?:objective\s+)?(?:radiographic(?:al)?\s+|radiologic(?:al)?\s+|imaging\s+)?)"
_PATTERN = re.compile(
    rf"{_LEAD}(?:disease\s+)?progression\s+(?:\(\s*pd\s*\)\s+)?(?:during\s+or\s+after|on\s+or\s+after|during|on|after|following)\s+"
    r"(?:(?:prior\s+)?(?:treatment|therapy)\s+with\s+)?(?P<d1>[a-z][a-z0-9-]+)\s*,?\s+or\s+"
    r"(?:(?:was\s+|were\s+)?intoleran(?:ce|t)\s+(?:to|of)\s+(?P<d2>[a-z][a-z0-9-]+)|(?:was\s+|were\s+)?intoleran(?:ce|t)\b(?!\s+(?:to|of)\b))",
    re.IGNORECASE)


def scan_progression_or_intolerance(ctx: Context) -> list[Hit]:
    """Any of (progression on the drug, the drug stopped for intolerance) for the wording above."""
    from hcctrials.criteria.families.therapy import drug_mentions

    if "intoleran" not in ctx.lower:
        return []
    hits = []
    for m in _PATTERN.finditer(ctx.lower):
        drugs = {(s, e): drug_id for s, e, drug_id, kind in drug_mentions(ctx.lower) if kind == "drug"}
        d1 = drugs.get((m.start("d1"), m.end("d1")))
        if d1 is None:
            continue
        if m.group("d2") is not None and drugs.get((m.start("d2"), m.end("d2"))) != d1:
            continue  # intolerance to another drug: not this reading
        label = ctx.text[m.start():m.end()]
        node = AnyOf(children=[PriorTherapy(agents=[d1], require_progression=True, label=label),
                               PriorTherapy(agents=[d1], require_intolerance=True, label=label)])
        hits.append(Hit(m.start(), m.end(), node, priority=7, family="therapy"))
    return hits


# "Radiographic progression is confirmed during or after systemic chemotherapy including sorafenib, or those who are
# intolerance to the chemotherapy" (NCT02029157): a class word that names a non-cytotoxic drug as one of its members
# is used in the older, broad sense (any systemic anticancer drug therapy), so the class is read as every systemic
# line; the intolerance clause refers back to the same therapy ("the chemotherapy").
_CLASS_PATTERN = re.compile(
    rf"{_LEAD}(?:disease\s+)?progression\s+(?:is\s+|was\s+|has\s+been\s+)?(?:confirmed\s+|documented\s+)?"
    r"(?:during\s+or\s+after|on\s+or\s+after)\s+(?:prior\s+)?systemic\s+(?:chemotherapy|therapy|treatment)\s+including\s+"
    r"(?P<drug>[a-z][a-z0-9-]+)\s*,?\s+or\s+(?:(?:those|patients|subjects)\s+who\s+(?:are|were)\s+|(?:was\s+|were\s+))?"
    r"intoleran(?:ce|t)\s+(?:to|of)\s+(?:the|this|that)\s+(?:chemotherapy|therapy|treatment)\b",
    re.IGNORECASE)


def scan_progression_on_systemic_class(ctx: Context) -> list[Hit]:
    """Any of (a systemic line with documented progression, a systemic line stopped for intolerance) when the class
    is "systemic chemotherapy including <a named systemic drug that is not cytotoxic>" (see above)."""
    from hcctrials.criteria.families.therapy import drug_mentions, therapy_tags

    if "intoleran" not in ctx.lower or "including" not in ctx.lower:
        return []
    hits = []
    for m in _CLASS_PATTERN.finditer(ctx.lower):
        drug = {(s, e): drug_id for s, e, drug_id, kind in drug_mentions(ctx.lower) if kind == "drug"}.get(
            (m.start("drug"), m.end("drug")))
        if drug is None or "chemotherapy" in therapy_tags(drug)[1]:
            continue  # only a non-cytotoxic member shows the broad sense of the class word
        label = ctx.text[m.start():m.end()]
        node = AnyOf(children=[PriorTherapy(kinds=["systemic"], require_progression=True, label=label),
                               PriorTherapy(kinds=["systemic"], require_intolerance=True, label=label)])
        hits.append(Hit(m.start(), m.end(), node, priority=8, family="therapy"))
    return hits
