"""HCC diagnosis read exactly (issue 10, diagnosis family): the non-invasive route in cirrhosis and
excluded histological subtypes.

* "clinical diagnosis by American Association for the Study of Liver Diseases (AASLD) criteria in
  cirrhotic subjects", "a diagnosis of cirrhosis and a tumor with classical HCC imaging
  characteristics": the AASLD / EASL non-invasive diagnosis (typical arterial enhancement and washout
  on multiphase CT or MRI) applies only to a cirrhotic liver (AASLD 2018 practice guidance, EASL 2018
  clinical practice guidelines: in non-cirrhotic livers a biopsy is needed), so the route is
  all of (diagnosis by imaging / clinical criteria, cirrhosis).  ``Patient.diagnosis.confirmed_by``
  ``imaging`` or ``clinical`` (the Chinese guideline's clinical diagnosis is the same imaging route).
* "For subjects without cirrhosis histological confirmation is mandatory": any of (cirrhosis,
  histology) (the conditional, read exactly).
* "HCC based on histopathologic findings", "histopathological findings from tumour tissue":
  histology.
* "(fibrolamellar and mixed hepatocellular/cholangiocarcinoma subtypes are not eligible)": not those
  histological types (the histology scanner reads the types; the words after them negate).

Pure; the leaves are :class:`hcctrials.model.eligibility.Diagnosis` nodes, evaluated as before.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AnyOf, Diagnosis, Node, Not

__all__ = ["scan_diagnosis_routes", "negate_excluded_subtypes"]

_AASLD = (r"(?:the\s+)?(?:american association for the study of liver diseases?\s*(?:\(\s*aasld\s*\))?|aasld)"
          r"(?:\s*(?:/|or|and)\s*(?:european association for the study of the liver\s*(?:\(\s*easl\s*\))?|easl))?")
_CIRRHOTIC = r"(?:in|for)\s+(?:(?:patients?|subjects?|participants?)\s+with\s+(?:liver\s+)?cirrhosis|cirrhotic\s+(?:patients?|subjects?|participants?|livers?))"
_NONINVASIVE = [
    # "clinical diagnosis by AASLD criteria (see Appendix 1) in cirrhotic subjects"
    re.compile(rf"(?:a\s+)?(?:clinical|non-?invasive|radiolog\w*)\s+diagnosis\s+(?:by|per|according\s+to|using)\s+{_AASLD}\s*"
               rf"(?:criteria|guidelines?)\s*(?:\((?:see\s+)?appendix\s*\w+\)\s*)?{_CIRRHOTIC}", re.IGNORECASE),
    # "a diagnosis of cirrhosis and a tumor with classical HCC imaging characteristics"
    re.compile(r"(?:a\s+)?diagnosis\s+of\s+(?:liver\s+)?cirrhosis\s+and\s+(?:a\s+)?(?:tumou?r|lesion|nodule|mass)\s+with\s+"
               r"(?:classical|classic|typical|characteristic)\s+(?:hcc\s+|hepatocellular carcinoma\s+)?(?:imaging|radiolog\w*)\s+"
               r"(?:characteristics|features|findings|appearance|pattern)", re.IGNORECASE),
]
# "For subjects without cirrhosis histological confirmation is mandatory"
_NONCIRRHOTIC_HISTOLOGY = re.compile(
    r"(?:for|in)\s+(?:patients?|subjects?|participants?)\s+without\s+(?:liver\s+)?cirrhosis\s*,?\s*(?:a\s+)?"
    r"histolog\w*\s+(?:confirmation|diagnosis|proof)\s+(?:is\s+)?(?:mandatory|required|necessary|needed)", re.IGNORECASE)
# "HCC based on histopathologic findings", "confirmed HCC based on histopathological findings from tumour tissue"
_HISTOPATHOLOGY = re.compile(
    r"(?:confirmed\s+)?(?:(?:a\s+)?diagnosis\s+of\s+)?(?:hcc|hepatocellular carcinoma)(?:\s*\(hcc\))?\s+based\s+on\s+"
    r"histopatholog\w*\s+findings(?:\s+(?:from|of|on)\s+(?:the\s+)?tumou?r\s+tissue)?", re.IGNORECASE)


# "Either histological confirmation or ...": the noun form the diagnosis scanner does not read
_CONFIRMATION = re.compile(r"(?P<how>histolog\w*|cytolog\w*|histopatholog\w*)\s+(?:confirmation|proof|verification)"
                           r"(?!\s+(?:is\s+)?(?:mandatory|required|necessary|needed))", re.IGNORECASE)


# "Confirmation either by histologic confirmation or accepted radiographic criteria" (NCT03382886): histology, or the
# imaging diagnosis of HCC (the radiographic criteria of the AASLD / EASL guidelines), as "radiologically confirmed" is read
_HISTOLOGY_OR_RADIOGRAPHIC = re.compile(
    r"confirmation\s+(?:either\s+)?by\s+(?:either\s+)?histolog\w*(?:\s+confirmation)?\s+or\s+(?:by\s+)?"
    r"(?:accepted|standard|established)\s+(?:radiographic|radiological|imaging)\s+criteria", re.IGNORECASE)


def scan_diagnosis_routes(ctx: Context) -> list[Hit]:
    """Hits for the non-invasive route in cirrhosis, histology required without cirrhosis, histopathology."""
    hits: list[Hit] = []
    for m in _HISTOLOGY_OR_RADIOGRAPHIC.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=["histology", "imaging"]), priority=7, family="diagnosis"))
    for pattern in _NONINVASIVE:
        for m in pattern.finditer(ctx.lower):
            node = Diagnosis(confirmed_by=["clinical", "imaging"], cirrhosis=True)
            hits.append(Hit(m.start(), m.end(), node, priority=6, family="diagnosis"))
    for m in _NONCIRRHOTIC_HISTOLOGY.finditer(ctx.lower):
        either: Node = AnyOf(children=[Diagnosis(cirrhosis=True), Diagnosis(confirmed_by=["histology"])])
        hits.append(Hit(m.start(), m.end(), either, priority=6, family="diagnosis"))
    for m in _CONFIRMATION.finditer(ctx.lower):
        how = "cytology" if m.group("how").startswith("cyto") else "histology"
        hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=[how]), priority=3, family="diagnosis"))  # type: ignore[list-item]
    for m in _HISTOPATHOLOGY.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=["histology"]), priority=6, family="diagnosis"))
    return hits


# "(fibrolamellar and mixed ... subtypes are not eligible)": the words after the types exclude them
_NOT_ELIGIBLE = re.compile(r"\s*(?:sub-?types?|variants?|types?|histolog(?:y|ies))?\s*(?:are|is)\s+(?:not\s+eligible|ineligible|excluded|"
                           r"not\s+allowed|not\s+permitted)\s*\)?", re.IGNORECASE)


def negate_excluded_subtypes(hit: Hit, ctx: Context) -> Hit:
    """*hit* (histological types) negated and extended when the text after it says they are not eligible."""
    if not isinstance(hit.node, Diagnosis) or not hit.node.histology:
        return hit
    m = _NOT_ELIGIBLE.match(ctx.lower, hit.end)
    if not m:
        return hit
    return Hit(hit.start, m.end(), Not(child=hit.node), priority=hit.priority, family=hit.family)
