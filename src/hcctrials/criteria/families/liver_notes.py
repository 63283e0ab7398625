"""Liver-function notes that restate or restrict a rule (issue 10, liver_clinical / child_pugh families).

A note worded as a permission normally sends its criterion to review (compile: "a requirement worded as a
permission"), because a permission that states a threshold would otherwise never block.  The notes read
here say exactly which patients the rule around them admits, so they are read as that rule:

* "Has clinically apparent ascites on physical examination. Note: ascites detectable on imaging studies
  only ARE allowed." (exclusion): the note restates the exclusion: ascites found only on imaging (grade 1 of
  the International Club of Ascites, Moore KP et al., Hepatology 2003;38:258) does not exclude; ascites
  evident on examination (grade 2-3, ``LiverFunction.ascites`` ``moderate_severe``) does.  The note is read
  as ``LiverFeature(ascites_clinically_evident)``, the same leaf the first sentence reads, and only in an
  exclusion list (in an inclusion list the permission has no rule to restate).
* "Child Pugh A or B (Total point of 7 will be allowed See appendix for scoring system)": class A or a
  total of 7 points, i.e. Child-Pugh 5-7 (Pugh RN et al., Br J Surg 1973;60:646); and "(ONLY 4 patients
  with Child Pugh B7 will be allowed.)": a cap on the number of B7 patients enrolled, which the site
  checks (``Administrative(other)``: listed, never blocking).
* "No repeated paracentesis (more than 1 per month)", "ascites requiring paracentesis more than once a
  month": ``LiverFeature(paracentesis_per_month, comparator, value)`` against
  ``LiverFunction.paracentesis_per_month`` (unknown when a patient needs paracentesis but the frequency is
  not recorded).
* "Diffuse HCC" (NCT00122876): the diffuse (infiltrative) gross type of Eggel's classification (nodular,
  massive, diffuse), an ill-defined tumour that permeates the liver: ``TumourFeature(diffuse_hcc)`` against
  ``TumourBurden.growth_pattern`` (unknown when not recorded; the tumour extent in % is a different fact).

Whole criteria with an open part (:func:`read_liver_sign_criterion`, tried before the sentence scanners; exclusion
lists only).  The part the record cannot show stays a needs-review child, so the rule decides only where that part
cannot change the answer:

* "Any ascites or other clinical signs of liver failure, on physical examination." (NCT00712790): any of (ascites
  evident on examination, i.e. ``ascites_clinically_evident``: grade 2-3 of the International Club of Ascites,
  grade 1 is seen only on ultrasound; current hepatic encephalopathy, a clinical sign of liver failure; other
  signs (jaundice, asterixis, ...) not read: needs review).  Met with either; otherwise it needs review.
* "Uncontrolled pleural effusion, pericardial effusion, or ascites requiring recurrent drainage procedures (once
  monthly or more frequently); Patients with indwelling catheters (e.g., PleurX) are allowed." (NCT05482516): an
  effusion recorded now, or ascites tapped at least monthly (``paracentesis_per_month >= 1``), needs review (how
  often an effusion is drained, and whether an indwelling catheter drains it, are not in the record); none of them
  (effusions recorded absent, ascites not needing paracentesis) is not met.
* "Patients with complications associated with liver diseases: moderate or severe pleural effusion, pericardial
  effusion, ascites, or gastrointestinal hemorrhage;" (NCT04011033): "moderate or severe" qualifies every item of
  the list (issue 10).  Moderate or severe ascites is ``ascites_clinically_evident`` (grade 2-3); the severity of
  an effusion or of a GI haemorrhage, and whether a past one still counts as a complication now, are not in the
  record, so any recorded one needs review.  Moderate-severe ascites meets it; mild or no ascites with the
  effusions and GI bleeding recorded absent (or a reviewed history without them) does not.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import (
    AllOf, Administrative, AnyOf, ChildPugh, HistoryCondition, LiverFeature, NeedsReview, Node, Role, TumourFeature,
)

__all__ = ["scan_liver_notes", "read_liver_sign_criterion", "OTHER_SIGNS_REASON", "DRAINAGE_REASON", "SEVERITY_REASON"]

#: reasons of the needs-review parts of the whole criteria read by :func:`read_liver_sign_criterion`
OTHER_SIGNS_REASON = "other clinical signs of liver failure on examination (jaundice, asterixis ...) are not read"
DRAINAGE_REASON = "how often the effusion or ascites is drained, and whether by an indwelling catheter, is not in the record"
SEVERITY_REASON = "whether the effusion or GI haemorrhage is moderate or severe, and current, is not in the record"

_IMAGING_ONLY_NOTE = re.compile(
    r"(?:note\s*:\s*)?(?:trace\s+|small\s+|minimal\s+)?ascites\s+(?:that\s+is\s+|which\s+is\s+)?"
    r"(?:only\s+)?(?:detectable|detected|seen|visible|identified)\s+(?:only\s+)?(?:on|by)\s+"
    r"(?:imaging|radiolog\w+|ultrasound|ultrasonography|ct|mri)(?:\s+(?:studies|study|scans?))?\s+only\s+"
    r"(?:is|are)\s+(?:allowed|permitted|acceptable|eligible)\s*\.?",
    re.IGNORECASE)

# "Liver cirrhosis Child Pugh B or C (score > 6)" (NCT00791544): the points in parentheses restate the classes
# (A = 5-6, B = 7-9, C = 10-15; Pugh RN et al., Br J Surg 1973;60:646); read as one rule only when both say the same
_CP_CLASSES_RESTATED = re.compile(
    r"child(?:'s|s)?[- ]?pugh\s+(?:class\s+)?(?P<c1>[abc])(?:\s*(?:or|and/or|/|-|to)\s*(?P<c2>[abc]))?\s*"
    r"\(\s*(?:score|points?|total\s+(?:score|points?))\s*(?P<cmp>>=|≥|>|<=|≤|<)\s*(?P<n>\d{1,2})\s*(?:points?)?\s*\)",
    re.IGNORECASE)
_CP_CLASS_POINTS = {"a": range(5, 7), "b": range(7, 10), "c": range(10, 16)}


def _restated_points(m: re.Match[str]) -> list[int] | None:
    """The points of the classes when the parenthesised score says the same, else None."""
    classes = [c for c in (m.group("c1"), m.group("c2")) if c]
    lo, hi = min(classes), max(classes)
    named = sorted(p for c in "abc" if lo <= c <= hi for p in _CP_CLASS_POINTS[c])
    n, cmp = int(m.group("n")), m.group("cmp")
    tests = {">": lambda p: p > n, ">=": lambda p: p >= n, "≥": lambda p: p >= n, "<": lambda p: p < n,
             "<=": lambda p: p <= n, "≤": lambda p: p <= n}
    stated = [p for p in range(5, 16) if tests[cmp](p)]
    return named if named == stated else None


_CP_B7_ALLOWED = re.compile(
    r"child(?:'s|s)?[- ]?pugh\s+(?:class\s+)?a\s+or\s+b\s*\(\s*total\s+(?:points?|score)\s+of\s+7\s+"
    r"(?:will\s+be|is|are)\s+(?:allowed|permitted|eligible)(?:\.?\s*see\s+appendix\s+for\s+(?:the\s+)?scoring\s+system)?"
    r"\s*\.?\s*\)", re.IGNORECASE)

_CP_B7_CAP = re.compile(
    r"\(?\s*only\s+\d{1,3}\s+(?:patients|subjects|participants)\s+with\s+child(?:'s|s)?[- ]?pugh\s+(?:class\s+|score\s+)?b\s*7\s+"
    r"(?:will\s+be|are|may\s+be|can\s+be)\s+(?:allowed|enrolled|included|permitted)\s*\.?\s*\)?\s*\.?", re.IGNORECASE)

_MORE_THAN_MONTHLY = (r"\(?\s*(?:more\s+than\s+(?:1|one)\s+(?:time\s+|times\s+)?(?:per|a|each)\s+month"
                      r"|more\s+than\s+once\s+(?:per|a|each)\s+month|more\s+often\s+than\s+(?:once\s+)?monthly)\s*\)?")
_PARACENTESIS = re.compile(
    r"(?:repeated|recurrent|frequent)\s+(?:large[- ]volume\s+)?paracentes[ie]s\s*" + _MORE_THAN_MONTHLY
    + r"|ascites\s+requiring\s+(?:repeated\s+|recurrent\s+)?(?:large[- ]volume\s+)?paracentes[ie]s\s+" + _MORE_THAN_MONTHLY,
    re.IGNORECASE)

_DIFFUSE_HCC = re.compile(
    r"(?<![a-z])(?:diffuse|infiltrative)(?:\s*(?:or|/)\s*infiltrative)?\s+(?:type\s+)?(?:hcc|hepatocellular\s+carcinoma)\b"
    r"|弥漫型(?:肝癌|肝细胞癌)", re.IGNORECASE)


# "No encephalopathy" (NCT01005199, a whole statement): no encephalopathy now, of any kind (hepatic encephalopathy, the
# usual one in cirrhosis, is read from the liver record; a hypertensive or other one from the conditions).  The
# history scanner reads a bare "encephalopathy" only as a history item; this present-tense statement is the current one.
_NO_ENCEPHALOPATHY = re.compile(r"\s*(?:no|without)\s+(?P<e>(?:current\s+|active\s+)?encephalopathy)\s*\.?\s*", re.IGNORECASE)


def scan_liver_notes(ctx: Context) -> list[Hit]:
    """Read the permission notes and paracentesis frequencies of the module docstring."""
    hits = []
    if ctx.role == "exclusion":
        for m in _IMAGING_ONLY_NOTE.finditer(ctx.lower):
            if m.start() > 0 and ctx.lower[:m.start()].strip():
                continue  # the note must stand as its own sentence
            hits.append(Hit(m.start(), m.end(), LiverFeature(feature="ascites_clinically_evident"), priority=8,
                            family="liver", extra={"absorb_admin": True}))
    for m in _CP_B7_ALLOWED.finditer(ctx.lower):
        label = ctx.text[m.start():m.end()].strip()
        hits.append(Hit(m.start(), m.end(), ChildPugh(allowed_points=[5, 6, 7], label=label), priority=8,
                        family="child_pugh", extra={"absorb_admin": True}))
    for m in _CP_B7_CAP.finditer(ctx.lower):
        if ctx.lower[:m.start()].strip() or ctx.lower[m.end():].strip():
            continue  # a whole sentence of its own
        hits.append(Hit(m.start(), m.end(), Administrative(category="other"), priority=8, family="child_pugh",
                        extra={"absorb_admin": True}))
    for m in _CP_CLASSES_RESTATED.finditer(ctx.lower):
        points = _restated_points(m)
        if points is not None:
            hits.append(Hit(m.start(), m.end(), ChildPugh(allowed_points=points, label=ctx.text[m.start():m.end()]),
                            priority=8, family="child_pugh"))
    for m in _DIFFUSE_HCC.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="diffuse_hcc"), priority=8, family="tumour"))
    none_m = _NO_ENCEPHALOPATHY.fullmatch(ctx.lower) if ctx.role == "inclusion" else None
    if none_m:
        # issue 10 (session 6): encephalopathy now, of any kind (hepatic: LiverFunction.encephalopathy; others recorded)
        hits.append(Hit(none_m.start("e"), none_m.end("e"), HistoryCondition(
            codes=["hepatic_encephalopathy", "hypertensive_encephalopathy", "encephalopathy"], status="active",
            label=ctx.text[none_m.start("e"):none_m.end("e")]), priority=8, family="liver"))
    for m in _PARACENTESIS.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), LiverFeature(feature="paracentesis_per_month", comparator=">", value=1),
                        priority=8, family="liver"))
    return hits


_LIVER_FAILURE_SIGNS = re.compile(
    r"\s*any\s+ascites\s+or\s+other\s+clinical\s+signs\s+of\s+liver\s+failure\s*,?\s+on\s+physical\s+examination\s*\.?\s*",
    re.IGNORECASE)
_RECURRENT_DRAINAGE = re.compile(
    r"\s*uncontrolled\s+pleural\s+effusion\s*,\s*pericardial\s+effusion\s*,?\s+or\s+ascites\s+requiring\s+recurrent\s+"
    r"drainage\s+procedures\s*\(\s*once\s+monthly\s+or\s+more\s+frequently\s*\)\s*[;.]\s*(?:patients|subjects|participants)"
    r"\s+with\s+indwelling\s+catheters\s*\(\s*e\.?g\.?,?\s+pleurx\s*\)\s+are\s+allowed\s*\.?\s*", re.IGNORECASE)


_MODERATE_SEVERE_COMPLICATIONS = re.compile(
    r"\s*(?:patients\s+with\s+)?complications\s+associated\s+with\s+liver\s+diseases?\s*:\s*moderate\s+or\s+severe\s+pleural\s+"
    r"effusion\s*,\s*pericardial\s+effusion\s*,\s*ascites\s*,?\s+or\s+gastrointestinal\s+(?:hemorrhage|haemorrhage|bleeding)\s*[;.]?\s*",
    re.IGNORECASE)


def read_liver_sign_criterion(text: str, role: Role | None) -> Node | None:
    """The rule of a whole liver-sign exclusion of the module docstring, or None."""
    if role != "exclusion":
        return None
    flat = re.sub(r"\s+", " ", text).strip()
    if _LIVER_FAILURE_SIGNS.fullmatch(flat):
        return AnyOf(children=[LiverFeature(feature="ascites_clinically_evident"), LiverFeature(feature="encephalopathy"),
                               NeedsReview(reason=OTHER_SIGNS_REASON)])
    if _RECURRENT_DRAINAGE.fullmatch(flat):
        drained: list[Node] = [
            HistoryCondition(codes=["pleural_effusion"], status="current"),
            HistoryCondition(codes=["pericardial_effusion"], status="current"),
            LiverFeature(feature="paracentesis_per_month", comparator=">=", value=1),
        ]
        return AnyOf(children=[AllOf(children=[leaf, NeedsReview(reason=DRAINAGE_REASON)]) for leaf in drained])
    if _MODERATE_SEVERE_COMPLICATIONS.fullmatch(flat):
        graded: list[Node] = [
            HistoryCondition(codes=["pleural_effusion"]),
            HistoryCondition(codes=["pericardial_effusion"]),
            HistoryCondition(codes=["gi_bleeding"]),
        ]
        parts: list[Node] = [LiverFeature(feature="ascites_clinically_evident")]
        parts += [AllOf(children=[leaf, NeedsReview(reason=SEVERITY_REASON)]) for leaf in graded]
        return AnyOf(children=parts)
    return None
