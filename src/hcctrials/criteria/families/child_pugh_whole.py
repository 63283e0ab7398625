"""Child-Pugh criteria read as a whole (issue 10, session 5: child_pugh / liver_clinical families).

Tried by :func:`hcctrials.criteria.compiler.compile.compile_criterion` before the sentence scanners, like the
virology and malignancy readers: a criterion is read here only when *all* of its text matches one of the
patterns below, so no word is left unread; otherwise the ordinary compiler runs (and its precision gate).

* Child-Pugh / ECOG strata, "complying one of the following" (NCT05883644)::

      Child-Pugh Score classification on liver disease and WHO/ECOG PS at enrolment complying one of the following:
        1. Child-Pugh score B7 or B8 with a WHO/ECOG PS of 0-1 at enrolment, without main trunk portal vein thrombosis.
        2. Child-Pugh class A with a WHO/ECOG PS of 2 at enrolment, without main trunk portal vein thrombosis (ie,
           ECOG PS 2 participants with main portal vein tumour thrombosis are excluded from this study).
        3. Child-Pugh class A with WHO/ECOG PS of 0-1 at enrolment and evidence of chronic main trunk portal vein
           thrombosis

  Any of the options, each all of its Child-Pugh points, ECOG grades and main-trunk clause.  The criterion's own
  gloss ("main portal vein *tumour* thrombosis") says the thrombosis is the tumour thrombus (Vp4,
  ``TumourFeature(main_trunk_pvtt)``): "without" is not Vp4, "evidence of" is Vp4.  The record cannot say
  whether a thrombus is "chronic", so that option keeps a needs-review part: it can rule the option out (class,
  ECOG or no main-trunk thrombus) but never admit by itself.  Without the gloss in the text the criterion is not
  read here (a bland thrombus would be possible).
* "Subject has Child-Pugh score of less than 7 (ie, class A or better) with neither encephalopathy nor clinically
  significant ascites (ascites requiring paracentesis within 3 months of signing the ICF is excluded). Child-Pugh
  status is calculated based on clinical findings and laboratory results during the screening period."
  (NCT02323906): all of (Child-Pugh 5-6, no encephalopathy now, no clinically evident ascites, no ascites requiring
  paracentesis within 3 months).  The last part: ascites needing paracentesis now
  (``ascites_requires_paracentesis``) excludes; no ascites at screening rules it out; mild ascites (imaging-only
  or diuretic-controlled) not needing paracentesis now may still have been tapped within the 3 months, which the
  record does not hold, so it needs review.  The second sentence says how the score is taken (a procedure note).

Child-Pugh classes: A = 5-6 points, B = 7-9 (Pugh RN et al., Br J Surg 1973;60:646; hcc-domain.md s. 1.1).
ECOG: Oken MM et al., Am J Clin Oncol 1982;5:649.  Pure.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import ascii_re
from hcctrials.model.eligibility import (
    AllOf, AnyOf, ChildPugh, Ecog, LiverFeature, NeedsReview, Node, Not, Role, TumourFeature,
)

__all__ = ["read_child_pugh_criterion", "CHRONIC_THROMBUS_REASON", "PARACENTESIS_WINDOW_REASON"]

#: reason of the needs-review part of an option asking for a *chronic* main-trunk thrombus
CHRONIC_THROMBUS_REASON = "whether the main-trunk portal vein thrombus is chronic is not in the record"
#: reason of the needs-review part for mild ascites against "paracentesis within 3 months"
PARACENTESIS_WINDOW_REASON = "paracentesis within the last 3 months is not in the record (mild ascites now)"

_WS = r"\s+"
_OPTIONS_LEAD = ascii_re(
    r"\s*child[- ]pugh\s+(?:score\s+)?(?:classification\s+)?(?:on\s+liver\s+disease\s+)?and\s+(?:who\s*/\s*)?ecog\s+"
    r"(?:ps|performance\s+status)\s+(?:at\s+(?:enrol?ment|screening|baseline)\s+)?(?:complying|meeting|fulfilling|satisfying)"
    r"\s+(?:with\s+)?(?:one|any\s+one|either\s+one)\s+of\s+the\s+following\s*:\s*")
_MARKER = re.compile(r"(?:^|\n)\s*(\d)\.\s+")
_CP_PART = (r"(?P<cp>child[- ]pugh\s+(?:(?P<cls>class\s+a)|score\s+(?P<b1>b[7-9])(?:\s+or\s+(?P<b2>b[7-9]))?))")
_ECOG_PART = r"with\s+(?:a\s+)?(?:who\s*/\s*)?ecog\s+ps\s+of\s+(?P<lo>[0-4])(?:\s*-\s*(?P<hi>[0-4]))?\s+at\s+enrol?ment"
_OPTION = ascii_re(
    rf"\s*{_CP_PART}\s+{_ECOG_PART}\s*"
    r"(?:,\s*(?P<without>without)\s+main\s+trunk\s+portal\s+vein\s+thrombosis"
    r"|\s+and\s+(?P<with>evidence\s+of)\s+(?P<chronic>chronic\s+)?main\s+trunk\s+portal\s+vein\s+thrombosis)\s*"
    r"(?:\(\s*ie,?\s+ecog\s+ps\s+(?P<gloss_ecog>[0-4])\s+participants\s+with\s+main\s+portal\s+vein\s+tumou?r\s+thrombosis\s+"
    r"are\s+excluded\s+from\s+this\s+study\s*\)\s*)?\.?\s*")
_GLOSS = re.compile(r"main\s+portal\s+vein\s+tumou?r\s+thrombosis", re.IGNORECASE)

_CP_BELOW_7 = ascii_re(
    r"\s*(?:(?:the\s+)?(?:subject|patient|participant)s?\s+(?:has|have|must\s+have)\s+)?(?:a\s+)?child[- ]pugh\s+score\s+of\s+"
    r"(?:less\s+than\s+7|<\s*7)\s*\(\s*(?:ie|i\.e\.),?\s+class\s+a\s+or\s+better\s*\)\s+with\s+neither\s+(?:hepatic\s+)?encephalopathy"
    r"\s+nor\s+clinically\s+significant\s+ascites\s*\(\s*ascites\s+requiring\s+paracentesis\s+within\s+(?:3|three)\s+months\s+"
    r"(?:of|before|prior\s+to)\s+(?:signing\s+(?:the\s+)?(?:icf|informed\s+consent(?:\s+form)?)|consent)\s+is\s+excluded\s*\)\s*\.?"
    r"(?:\s*child[- ]pugh\s+(?:status|score|class)\s+(?:is|will\s+be)\s+(?:calculated|determined|assessed)\s+(?:based\s+on|from|using)"
    r"\s+clinical\s+findings\s+and\s+laboratory\s+results\s+(?:during|at)\s+(?:the\s+)?screening(?:\s+period)?\s*\.?)?\s*")


def _option(item: str) -> Node | None:
    m = _OPTION.fullmatch(item)
    if m is None:
        return None
    if m.group("cls"):
        points = [5, 6]
    else:
        points = sorted({int(g[1:]) for g in (m.group("b1"), m.group("b2")) if g})
    lo = int(m.group("lo"))
    hi = int(m.group("hi")) if m.group("hi") else lo
    if hi < lo:
        return None
    if m.group("gloss_ecog") is not None and not (m.group("without") and int(m.group("gloss_ecog")) in range(lo, hi + 1)):
        return None  # the gloss must restate this option's own exclusion
    parts: list[Node] = [ChildPugh(allowed_points=points, label=item[m.start("cp"):m.end("cp")]),
                         Ecog(allowed=list(range(lo, hi + 1)))]
    thrombus = TumourFeature(feature="main_trunk_pvtt")
    if m.group("without"):
        parts.append(Not(child=thrombus))
    else:
        parts.append(thrombus)
        if m.group("chronic"):
            parts.append(NeedsReview(reason=CHRONIC_THROMBUS_REASON))
    return AllOf(children=parts)


def _options(text: str) -> Node | None:
    lead = _OPTIONS_LEAD.match(text)
    if lead is None or not _GLOSS.search(text):
        return None
    body = text[lead.end():]
    marks = list(_MARKER.finditer("\n" + body))
    if len(marks) < 2 or [int(mk.group(1)) for mk in marks] != list(range(1, len(marks) + 1)):
        return None
    if ("\n" + body)[:marks[0].start()].strip():
        return None
    options = []
    for k, mk in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(body) + 1
        node = _option(("\n" + body)[mk.end():end])
        if node is None:
            return None
        options.append(node)
    return AnyOf(children=options)


def _below_7(text: str) -> Node:
    tapped_lately = AnyOf(children=[LiverFeature(feature="ascites_requiring_paracentesis"),
                                    AllOf(children=[LiverFeature(feature="ascites"),
                                                    NeedsReview(reason=PARACENTESIS_WINDOW_REASON)])])
    return AllOf(children=[ChildPugh(allowed_points=[5, 6], label="less than 7 (class A)"),
                           Not(child=LiverFeature(feature="encephalopathy")),
                           Not(child=LiverFeature(feature="ascites_clinically_evident")),
                           Not(child=tapped_lately)])


def read_child_pugh_criterion(text: str, role: Role | None) -> Node | None:
    """The rule of a whole Child-Pugh criterion of the module docstring, or None (inclusion lists only)."""
    if role != "inclusion":
        return None
    norm = text.replace("\r\n", "\n").strip()
    options = _options(norm)
    if options is not None:
        return options
    if _CP_BELOW_7.fullmatch(re.sub(r"[ \t]*\n[ \t]*", " ", norm)):
        return _below_7(norm)
    return None
