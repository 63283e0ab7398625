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
* "Advanced or metastatic and/or unresectable hepatocellular carcinoma", "unresectable or advanced HCC": any of the
  named settings (advanced: :func:`hcctrials.criteria.families.advanced.advanced_hcc_node`; metastatic: extrahepatic
  spread; unresectable / inoperable: not a candidate for resection); "locally advanced" is not read.
* "Unresectable HCC with or without systemic metastases": the "with or without" clause adds nothing;
  not a candidate for resection.

Pure; the leaves are the existing :class:`Diagnosis`, :class:`TreatmentCandidate` and
:class:`TumourFeature` nodes.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import (
    AllOf, AnyOf, Diagnosis, NeedsReview, Node, Not, TreatmentCandidate, TumourFeature,
)

__all__ = ["scan_hcc_named", "read_diagnosis_criterion", "NO_TISSUE_REASON"]

#: the review part of NCT00619541 inclusion 3 (a cytology diagnosis counts only when no tissue could be obtained)
NO_TISSUE_REASON = "a cytological diagnosis counts only if tissue could not be obtained for histology: not in the record"

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


# "Advanced or metastatic and/or unresectable hepatocellular carcinoma" (NCT01308723), "unresectable or advanced HCC": a
# list of alternatives, each its own reading: advanced (BCLC C, or B not amenable to / progressed after locoregional
# therapy: advanced.py), metastatic (extrahepatic spread), unresectable (not a candidate for resection).  "Locally
# advanced" is not a stage and is never read here.
_SETTING_WORD = r"(?:(?<!locally )(?<!locally-)advanced|metastatic|unresectable|non-?resectable|inoperable)"
_SETTING_LIST = re.compile(
    rf"(?<![a-z-]){_SETTING_WORD}(?:\s*(?:,\s*(?:and/or\s+|or\s+)?|\s+and/or\s+|\s+or\s+|\s*/\s*)\s*{_SETTING_WORD})+\s+{_HCC}",
    re.IGNORECASE)


# Issue 10 (session 6), the route of the diagnosis worded around its noun:
# * "histopathological confirmation of carcinoma in the setting of clinical and radiological characteristics which,
#   together with the pathology, are highly suggestive of a diagnosis of HCC" (NCT01306058): a tissue diagnosis of a
#   carcinoma read as HCC -> Diagnosis(confirmed_by histology, histology HCC) (cytology is not histopathology).
# * "Histologically confirmed primary liver cancer and/or based on radiological imaging laboratory tests confirmed primary
#   liver cancer by multidisciplinary team for liver tumors" (NCT02291133, a trial of HCC and cholangiocarcinoma):
#   histology or the non-invasive (imaging and laboratory) route -> Diagnosis(confirmed_by histology / imaging), any
#   primary liver cancer (no histological type); who makes the non-invasive diagnosis is the site's procedure.
_CARCINOMA_SUGGESTIVE_OF_HCC = re.compile(
    r"(?:patients\s+must\s+have\s+)?histopatholog\w*\s+confirmation\s+of\s+carcinoma\s+in\s+the\s+setting\s+of\s+clinical\s+and\s+"
    r"radiolog\w*\s+characteristics\s+which\s*,?\s+together\s+with\s+the\s+pathology\s*,?\s+are\s+highly\s+suggestive\s+of\s+"
    rf"(?:a\s+)?diagnosis\s+of\s+{_HCC}\s*\.?", re.IGNORECASE)
# * "Clinical or pathological diagnosis of unresectable hepatocellular carcinoma (HCC) based on radiologic criteria, elevated
#   alpha fetoprotein and/or tissue biopsy" (NCT01348503): HCC by the non-invasive route or by biopsy (histology, imaging
#   or clinical; a cytology-only diagnosis stays unknown, see the diagnosis leaf) and not a candidate for resection.
_CLINICAL_OR_PATHOLOGICAL = re.compile(
    rf"clinical\s+or\s+patholog\w*\s+diagnosis\s+of\s+(?P<unres>unresectable\s+)?{_HCC}\s+based\s+on\s+radiolog\w*\s+criteria\s*,?\s*"
    r"(?:an?\s+)?elevated\s+(?:alpha[- ]?feto[- ]?protein|afp)(?:\s*\(afp\))?\s*,?\s*(?:and\s*/\s*or|or)\s+(?:a\s+)?(?:tissue\s+)?biops(?:y|ies)",
    re.IGNORECASE)
# * "Unresectable of metastatic HCC. Patients must have prior core biopsy to confirm the diagnosis of HCC and have
#   archived tissues available for correlative studies" (NCT00516165; "of" is the record's typing of "or"): unresectable
#   or metastatic; a tissue (core biopsy) diagnosis of HCC; the archived tissue is the site's procedure (admin.py).
_UNRESECTABLE_OF_METASTATIC = re.compile(rf"^\s*unresectable\s+of\s+metastatic\s+{_HCC}", re.IGNORECASE)
_CORE_BIOPSY_CONFIRMS = re.compile(
    rf"(?:patients\s+must\s+have\s+)?(?:a\s+)?(?:prior\s+)?core\s+(?:needle\s+)?biopsy\s+to\s+confirm\s+the\s+diagnosis\s+of\s+{_HCC}",
    re.IGNORECASE)
# * "Localized, unresectable, or metastatic disease" (NCT01005199, a bullet of the HCC diagnosis): localized (confined to
#   the liver), unresectable, or metastatic (extrahepatic spread): any of the three.
_LOCALIZED_UNRESECTABLE_OR_METASTATIC = re.compile(
    r"(?<![a-z-])locali[sz]ed\s*,\s*unresectable\s*,?\s*or\s+metastatic\s+(?:disease|hcc|hepatocellular\s+carcinoma)", re.IGNORECASE)
_PLC = r"primary\s+liver\s+(?:cancer|carcinoma|malignancy)"
_PLC_HISTOLOGY_OR_IMAGING = re.compile(
    rf"^\s*histolog\w*\s+confirmed\s+{_PLC}\s+(?:and/or|or)\s+(?:based\s+on\s+)?(?:radiolog\w*\s+)?imaging"
    rf"(?:\s*(?:,|and|and/or|/)?\s*laboratory\s+tests?)?\s+confirmed\s+{_PLC}"
    r"(?:\s+by\s+(?:the\s+|a\s+)?multi-?disciplinary\s+team(?:\s+for\s+liver\s+tumou?rs)?)?\s*\.?\s*$", re.IGNORECASE)


def _setting_node(word: str, label: str) -> Node:
    from hcctrials.criteria.families.advanced import advanced_hcc_node

    if word == "advanced":
        return advanced_hcc_node(label)
    if word == "metastatic":
        return TumourFeature(feature="extrahepatic_spread")
    return _not_resectable(label)


def _not_resectable(label: str) -> Node:
    return Not(child=TreatmentCandidate(treatment="resection", label=label))


def scan_hcc_named(ctx: Context) -> list[Hit]:
    """Hits for the HCC diagnosis named plainly and for "unresectable and/or metastatic" HCC."""
    hits: list[Hit] = []
    low = ctx.lower
    for m in _LOCALIZED_UNRESECTABLE_OR_METASTATIC.finditer(low):
        # every disease is one of the three; the rule is decided as soon as the spread (or unresectability) is known
        label = ctx.text[m.start():m.end()]
        hits.append(Hit(m.start(), m.end(), AnyOf(children=[
            Not(child=TumourFeature(feature="extrahepatic_spread")), _not_resectable(label),
            TumourFeature(feature="extrahepatic_spread")]), priority=9, family="candidacy"))
    for m in _PLC_HISTOLOGY_OR_IMAGING.finditer(low):
        hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=["histology", "imaging"]), priority=9, family="diagnosis"))
    if "hcc" not in low and "hepato" not in low:
        return hits
    for m in _CLINICAL_OR_PATHOLOGICAL.finditer(low):
        node: Node = Diagnosis(histology=["hcc"], confirmed_by=["histology", "imaging", "clinical"])
        if m.group("unres"):
            node = AllOf(children=[node, _not_resectable(ctx.text[m.start():m.end()])])
        hits.append(Hit(m.start(), m.end(), node, priority=9, family="diagnosis"))
    for m in _UNRESECTABLE_OF_METASTATIC.finditer(low):
        label = ctx.text[m.start():m.end()]
        hits.append(Hit(m.start(), m.end(), AnyOf(children=[_not_resectable(label), TumourFeature(feature="extrahepatic_spread")]),
                        priority=9, family="candidacy"))
    for m in _CORE_BIOPSY_CONFIRMS.finditer(low):
        hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=["histology"], histology=["hcc"]), priority=9,
                        family="diagnosis"))
    for m in _CARCINOMA_SUGGESTIVE_OF_HCC.finditer(low):
        hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=["histology"], histology=["hcc"]), priority=9,
                        family="diagnosis"))
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
    for m in _SETTING_LIST.finditer(low):
        label = ctx.text[m.start():m.end()]
        words = list(dict.fromkeys(re.sub(r"non-?resectable|inoperable", "unresectable", w.lower())
                                   for w in re.findall(_SETTING_WORD, m.group(0), re.IGNORECASE)))
        found = list(re.finditer(_SETTING_WORD, m.group(0), re.IGNORECASE))
        last_sep = m.group(0)[found[-2].end():found[-1].start()] if len(found) >= 2 else ""
        if len(words) < 2 or not re.search(r"\bor\b|/", last_sep):
            continue  # "Advanced, unresectable HCC": stacked adjectives (both), not alternatives
        hits.append(Hit(m.start(), m.end(), AnyOf(children=[_setting_node(w, label) for w in words]), priority=9,
                        family="candidacy"))
    for m in _UNRESECTABLE_WITH_OR_WITHOUT.finditer(low):
        hits.append(Hit(m.start(), m.end(), _not_resectable(ctx.text[m.start():m.end()]), priority=8, family="candidacy"))
    return hits


# Whole diagnosis-route inclusions listed as bullets (issue 10, session 6; read as a whole, the bullets are alternatives):
# * "Diagnosis of hepatocellular carcinoma is based on the following 1) or 2). - 1) Patients who are confirmed to have early
#   tumor stain and typical finding(s) of hepatocellular carcinoma with CT or MRI imaging - 2) Patients who underwent tumor
#   biopsy and are histopathologically diagnosed as hepatocellular carcinoma" (NCT00165633): HCC by typical imaging or by
#   histology -> Diagnosis(HCC, confirmed by imaging / histology).
# * "Patients should have proven primary HCC according to one of the following criteria: - Histological evidence of HCC on
#   a biopsy specimen. Patients with the fibrolamellar subset are excluded, as are any patients with a mixed histology.
#   - Cytological evidence of HCC is acceptable only if tissue cannot be obtained for histological evaluation."
#   (NCT00619541): HCC (not fibrolamellar, not mixed: histology ``hcc`` only) proven by histology, or by cytology when
#   tissue cannot be obtained (not in the record: that branch needs review, so only a cytology diagnosis stays open).
_IMAGING_OR_BIOPSY_ROUTES = re.compile(
    rf"diagnosis\s+of\s+{_HCC}\s+is\s+based\s+on\s+the\s+following\s+1\)\s+or\s+2\)\s*\.?\s*-?\s*1\)\s*patients\s+who\s+are\s+"
    rf"confirmed\s+to\s+have\s+(?:an?\s+)?early\s+tumou?r\s+stain\s+and\s+typical\s+finding\s*\(?s?\)?\s+of\s+{_HCC}\s+(?:with|on|by)\s+"
    r"ct\s+or\s+mri(?:\s+imaging)?\s*-?\s*2\)\s*patients\s+who\s+underwent\s+(?:a\s+)?tumou?r\s+biopsy\s+and\s+are\s+"
    rf"histopatholog\w*\s+diagnosed\s+as\s+{_HCC}\s*\.?", re.IGNORECASE)
_HISTOLOGY_OR_CYTOLOGY_IF_NO_TISSUE = re.compile(
    rf"patients\s+(?:should|must)\s+have\s+proven\s+primary\s+{_HCC}\s+according\s+to\s+one\s+of\s+the\s+following\s+criteria\s*:?"
    rf"\s*-?\s*histolog\w*\s+evidence\s+of\s+{_HCC}\s+on\s+a\s+biopsy\s+specimen\s*\.\s*patients\s+with\s+the\s+fibrolamellar\s+"
    r"(?:subset|subtype|variant)\s+are\s+excluded\s*,?\s*as\s+are\s+any\s+patients\s+with\s+a\s+mixed\s+histology\s*\.?\s*-?\s*"
    rf"cytolog\w*\s+evidence\s+of\s+{_HCC}\s+is\s+acceptable\s+only\s+if\s+tissue\s+cannot\s+be\s+obtained\s+for\s+"
    r"histolog\w*\s+evaluation\s*\.?", re.IGNORECASE)


def read_diagnosis_criterion(text: str, role: str | None) -> Node | None:
    """The rule of a whole diagnosis-route inclusion of the list above, or None."""
    if role != "inclusion":
        return None
    flat = re.sub(r"\s+", " ", text).strip()
    if _IMAGING_OR_BIOPSY_ROUTES.fullmatch(flat):
        return Diagnosis(histology=["hcc"], confirmed_by=["imaging", "histology"])
    if _HISTOLOGY_OR_CYTOLOGY_IF_NO_TISSUE.fullmatch(flat):
        return AllOf(children=[Diagnosis(histology=["hcc"]), AnyOf(children=[
            Diagnosis(confirmed_by=["histology"]),
            AllOf(children=[Diagnosis(confirmed_by=["cytology"]), NeedsReview(reason=NO_TISSUE_REASON)])])])
    return None
