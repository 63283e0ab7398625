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
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import Administrative, ChildPugh, LiverFeature, TumourFeature

__all__ = ["scan_liver_notes"]

_IMAGING_ONLY_NOTE = re.compile(
    r"(?:note\s*:\s*)?(?:trace\s+|small\s+|minimal\s+)?ascites\s+(?:that\s+is\s+|which\s+is\s+)?"
    r"(?:only\s+)?(?:detectable|detected|seen|visible|identified)\s+(?:only\s+)?(?:on|by)\s+"
    r"(?:imaging|radiolog\w+|ultrasound|ultrasonography|ct|mri)(?:\s+(?:studies|study|scans?))?\s+only\s+"
    r"(?:is|are)\s+(?:allowed|permitted|acceptable|eligible)\s*\.?",
    re.IGNORECASE)

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
    for m in _DIFFUSE_HCC.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="diffuse_hcc"), priority=8, family="tumour"))
    for m in _PARACENTESIS.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), LiverFeature(feature="paracentesis_per_month", comparator=">", value=1),
                        priority=8, family="liver"))
    return hits
