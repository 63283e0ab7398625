"""Investigational-drug washout worded "outside of this trial" (issue 10, washout family).

"Any investigational drug therapy outside of this trial during or within 4 weeks of study entry" (NCT00619541):
an investigational drug (``TherapyLine.investigational``) given within the window before study entry, or still
ongoing at screening ("during"), excludes.  "Outside of this trial" only sets the study drug apart, which a
screening record never holds.  A line whose investigational status is not recorded is unknown (the evaluator's
rule for ``PriorTherapy.investigational``).  Only this wording, with a window in days or weeks anchored at study
entry (enrolment, registration, randomisation), and only in an exclusion list, is read; anything else stays with
:mod:`hcctrials.criteria.families.therapy` or goes to review.  Pure.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import PriorTherapy

__all__ = ["scan_investigational_outside_trial"]

_PATTERN = re.compile(
    r"\bany\s+(?:other\s+)?investigational\s+(?:drugs?|agents?)(?:\s+(?:therapy|therapies|treatments?))?\s+"
    r"outside\s+(?:of\s+)?(?:this|the)\s+(?:trial|study)\s+(?:during\s+or\s+)?within\s+(?P<n>\d{1,3})\s*(?P<u>days?|weeks?)\s+"
    r"(?:of|before|prior\s+to)\s+(?:the\s+)?(?:study\s+entry|entry|enrol{1,2}ment|registration|randomi[sz]ation)\b",
    re.IGNORECASE)


def scan_investigational_outside_trial(ctx: Context) -> list[Hit]:
    """PriorTherapy(investigational, within the window) for the wording above (exclusion lists only)."""
    if ctx.role != "exclusion" or "investigational" not in ctx.lower:
        return []
    hits = []
    for m in _PATTERN.finditer(ctx.lower):
        days = int(m.group("n")) * (7 if m.group("u").startswith("week") else 1)
        node = PriorTherapy(investigational=True, within_days=days, label=ctx.text[m.start():m.end()])
        hits.append(Hit(m.start(), m.end(), node, priority=8, family="therapy"))
    return hits
