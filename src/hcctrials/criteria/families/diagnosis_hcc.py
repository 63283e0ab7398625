"""The HCC diagnosis named plainly, and "unresectable and/or metastatic" (issue 10, diagnosis family).

* "Diagnosis of HCC", "Patients must have imaging (MRI or CT abdomen liver protocol) confirmed or highly
  suspicious for Hepatocellular carcinoma": the tumour is HCC, by any route -> ``Diagnosis(histology=
  ['hcc'])`` (a recorded HCC diagnosis meets it; cholangiocarcinoma or another histology does not).
* "The diagnosis of HCC was based on the diagnostic criteria for HCC used by the European Association
  for the Study of the Liver (EASL)": EASL 2018 clinical practice guidelines (J Hepatol 2018;69:182-236):
  histology (or cytology), or the non-invasive imaging criteria, which apply only to a cirrhotic liver ->
  all of (HCC, any of (histology/cytology, all of (imaging/clinical, cirrhosis))).
* "HCC must be unresectable and/or metastatic", "unresectable or metastatic hepatocellular carcinoma":
  any of (not a candidate for resection, extrahepatic spread) (a metastatic HCC is one with extrahepatic
  disease, BCLC C).
* "Unresectable HCC with or without systemic metastases": the "with or without" clause adds nothing;
  not a candidate for resection.

Pure; the leaves are the existing :class:`Diagnosis`, :class:`TreatmentCandidate` and
:class:`TumourFeature` nodes.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AllOf, AnyOf, Diagnosis, Node, Not, TreatmentCandidate, TumourFeature

__all__ = ["scan_hcc_named"]

_HCC = r"(?:hcc|hepatocellular\s+carcinoma|hepato\s*cellular\s+carcinoma)(?:\s*\(hcc\))?"
_EASL = r"european\s+association\s+for\s+the\s+study\s+of\s+the\s+liver(?:\s*\(easl\))?"

# "Diagnosis of HCC" as the whole statement (a route or a stage named after it is another scanner's text)
_DIAGNOSIS_OF_HCC = re.compile(rf"^\s*(?:a\s+)?diagnosis\s+of\s+{_HCC}\s*\.?\s*$", re.IGNORECASE)
_IMAGING_HCC = re.compile(
    rf"(?:patients?\s+must\s+have\s+)?imaging\s*(?:\([^()]{{0,60}}\)\s*)?confirmed\s+or\s+highly\s+suspicious\s+(?:for|of)\s+{_HCC}",
    re.IGNORECASE)
_EASL_CRITERIA = re.compile(
    rf"(?:the\s+)?diagnosis\s+of\s+{_HCC}\s+(?:was|is|must\s+be|should\s+be)\s+based\s+on\s+the\s+diagnostic\s+criteria\s+"
    rf"(?:for\s+{_HCC}\s+)?(?:used\s+by|of)\s+the\s+{_EASL}",
    re.IGNORECASE)
_UNRESECTABLE_OR_METASTATIC = re.compile(
    rf"{_HCC}\s+(?:must\s+be|is|that\s+is)\s+unresectable\s+(?:and/or|or)\s+metastatic"
    rf"|unresectable\s+(?:and/or|or)\s+metastatic\s+{_HCC}",
    re.IGNORECASE)
_UNRESECTABLE_WITH_OR_WITHOUT = re.compile(
    rf"unresectable\s+{_HCC}\s+with\s+or\s+without\s+(?:systemic|distant|extrahepatic|extra-hepatic)\s+metastas[ie]s",
    re.IGNORECASE)


def _not_resectable(label: str) -> Node:
    return Not(child=TreatmentCandidate(treatment="resection", label=label))


def scan_hcc_named(ctx: Context) -> list[Hit]:
    """Hits for the HCC diagnosis named plainly and for "unresectable and/or metastatic" HCC."""
    hits: list[Hit] = []
    low = ctx.lower
    if "hcc" not in low and "hepato" not in low:
        return hits
    hcc = Diagnosis(histology=["hcc"])
    for m in _DIAGNOSIS_OF_HCC.finditer(low):
        hits.append(Hit(m.start(), m.end(), hcc, priority=6, family="diagnosis"))
    for m in _IMAGING_HCC.finditer(low):
        hits.append(Hit(m.start(), m.end(), hcc, priority=7, family="diagnosis"))
    for m in _EASL_CRITERIA.finditer(low):
        route: Node = AnyOf(children=[Diagnosis(confirmed_by=["histology", "cytology"]),
                                      Diagnosis(confirmed_by=["imaging", "clinical"], cirrhosis=True)])
        hits.append(Hit(m.start(), m.end(), AllOf(children=[hcc, route]), priority=8, family="diagnosis"))
    for m in _UNRESECTABLE_OR_METASTATIC.finditer(low):
        label = ctx.text[m.start():m.end()]
        node = AnyOf(children=[_not_resectable(label), TumourFeature(feature="extrahepatic_spread")])
        hits.append(Hit(m.start(), m.end(), node, priority=8, family="candidacy"))
    for m in _UNRESECTABLE_WITH_OR_WITHOUT.finditer(low):
        hits.append(Hit(m.start(), m.end(), _not_resectable(ctx.text[m.start():m.end()]), priority=8, family="candidacy"))
    return hits
