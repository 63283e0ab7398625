""""Advanced hepatocellular carcinoma" / "晚期肝细胞癌" as a stage (EN + ZH).

The Barcelona Clinic Liver Cancer system names its stage C "advanced" (vascular invasion or extrahepatic
spread, Child-Pugh A, ECOG 1-2); BCLC 2022 treats stage B disease that is not amenable to locoregional
therapy, or that progressed after it, with the systemic therapies of stage C (Reig et al., J Hepatol
2022;76:681-693; hcc-domain.md s. 2).  CNLC 2022 calls its stage III (IIIa vascular invasion, IIIb
extrahepatic metastasis, both BCLC C) 晚期.  So "advanced HCC" reads as HCC histology and:

* BCLC C;
* or BCLC B not amenable to locoregional therapy, or progressed after it
  (the qualified stage B of :mod:`hcctrials.criteria.families.recovery`).

Not read here (left to review or to other rules): "locally advanced" (a local extent, not a stage),
"intermediate-advanced" / 中晚期 (BCLC B and C together), and "advanced" beside an alternative such as
"unresectable or advanced" (the alternative widens the set; an all-of join would narrow it: diagnosis_hcc.py reads
such a list as any of its settings, with :func:`advanced_hcc_node` as one branch).
A terminal-stage (BCLC D) patient is not "advanced" in BCLC terms; such trials exclude Child-Pugh C and
ECOG 3-4 in their own criteria.
"""

from __future__ import annotations

from hcctrials.criteria.grammar import Context, Hit, ascii_re
from hcctrials.model.eligibility import AllOf, AnyOf, Diagnosis, Node, Not, PriorTherapy, Stage, TreatmentCandidate

__all__ = ["scan_advanced_hcc", "advanced_hcc_node", "read_setting_criterion"]

_ADVANCED = ascii_re(
    r"(?<!locally )(?<!locally-)(?<!intermediate )(?<!intermediate-)(?<!intermediate or )(?<!or )(?<!/)"
    r"\badvanced(?:\s+stage)?(?:\s*(?:,|or|and/or|/)\s*metastatic)?\s+(?:(?:hepatocellular|hepato-cellular)\s+(?:carcinoma|cancer)|hcc\b|(?:primary\s+)?liver\s+cancer)"
    r"(?:\s*\((?:hcc|bclc\s+stage\s+c)\))?"
    r"|(?<![中或/、])晚期(?:或转移性)?(?:原发性)?(?:肝细胞(?:肝)?癌|肝癌)")
_ALTERNATIVE_BEFORE = ascii_re(r"(?:\bor\b|\band/or\b|或|/)\s*$")


def advanced_hcc_node(label: str) -> Node:
    """HCC at BCLC stage C, or at stage B not amenable to (or progressed after) locoregional therapy."""
    not_lrt = Not(child=TreatmentCandidate(treatment="locoregional", label=label))
    progressed = PriorTherapy(kinds=["locoregional", "radiotherapy"], sites=["liver"], require_progression=True,
                              label=label)
    stage_b = AllOf(children=[Stage(system="bclc", allowed=["B"]), AnyOf(children=[not_lrt, progressed])])
    stage = AnyOf(children=[Stage(system="bclc", allowed=["C"]), stage_b])
    return AllOf(children=[Diagnosis(histology=["hcc"]), stage])


def scan_advanced_hcc(ctx: Context) -> list[Hit]:
    hits = []
    for m in _ADVANCED.finditer(ctx.lower):
        if _ALTERNATIVE_BEFORE.search(ctx.lower[max(0, m.start() - 12):m.start()]):
            continue
        hits.append(Hit(m.start(), m.end(), advanced_hcc_node(ctx.text[m.start():m.end()]), priority=6,
                        family="stage"))
    return hits


# Whole inclusions of the disease setting (issue 10, session 6), whose alternatives span a ";":
# "Histologically confirmed advanced hepatocellular carcinoma, not eligible for surgical and/or locoregional therapies;
# or progressive disease after surgical and /or locoregional therapies" (NCT02576509): histology, advanced HCC (above),
# and either not a candidate for resection nor for locoregional therapy ("not eligible for surgical and/or locoregional
# therapies": eligible for neither), or progression after a surgical or locoregional therapy of the liver.
_HISTO_ADVANCED_NOT_ELIGIBLE_OR_PD = ascii_re(
    r"histolog\w*\s+confirmed\s+advanced\s+(?:hepatocellular\s+carcinoma|hcc)(?:\s*\(hcc\))?\s*,?\s*not\s+eligible\s+for\s+"
    r"surgical\s+(?:and\s*/\s*or|or)\s+loco-?regional\s+therap(?:y|ies)\s*[;,]?\s*or\s+progressive\s+disease\s+after\s+"
    r"surgical\s+(?:and\s*/\s*or|or)\s+loco-?regional\s+therap(?:y|ies)\s*\.?")


# "Life expectancy of at least 3 months without any active treatment. This is defined as a patient who has OKUDA I or II
# inoperable HCC." (NCT00712790): the second sentence is the operational definition of the first: Okuda stage I or II and
# not a candidate for resection.
_LIFE_EXPECTANCY_AS_OKUDA = ascii_re(
    r"life\s+expectancy\s+of\s+at\s+least\s+\d+\s+months?\s+without\s+any\s+active\s+treatment\s*\.\s*this\s+is\s+defined\s+as\s+"
    r"a\s+patient\s+who\s+has\s+(?P<okuda>okuda\s+(?:stage\s+)?i{1,3}(?:\s+or\s+i{1,3})?)\s+(?:inoperable|unresectable)\s+"
    r"(?:hcc|hepatocellular\s+carcinoma)\s*\.?")


# "Subject has unresectable stage B (intermediate), or C (advanced) Hepatocellular carcinoma according to the Barcelona
# Clinic Liver Cancer staging.Stage B subjects must have progressed after, or are not eligible for curative resection,
# transplantation, embolic, or ablative therapies" (NCT02323906): unresectable, and BCLC C, or BCLC B that progressed
# after one of those therapies (surgery, transplant, locoregional lines with progression) or is eligible for none of
# them (not a candidate for resection, for transplant, nor for locoregional therapy: embolic and ablative together).
_UNRESECTABLE_B_OR_C = ascii_re(
    r"(?:subject|patient)s?\s+(?:has|have)\s+unresectable\s+(?:bclc\s+)?stage\s+b\s*(?:\(intermediate\))?\s*,?\s*or\s+c\s*(?:\(advanced\))?\s+"
    r"(?:hepatocellular\s+carcinoma|hcc)\s+according\s+to\s+the\s+barcelona\s+clinic\s+liver\s+cancer\s+(?:\(bclc\)\s+)?staging\s*\.\s*"
    r"stage\s+b\s+(?:subjects|patients)\s+must\s+have\s+progressed\s+after\s*,?\s*or\s+are\s+not\s+eligible\s+for\s+curative\s+"
    r"resection\s*,\s*transplantation\s*,\s*embolic\s*,?\s*or\s+ablative\s+therapies\s*\.?")


def read_setting_criterion(text: str, role: str | None) -> Node | None:
    """The rule of a whole disease-setting inclusion of the list above, or None."""
    if role != "inclusion":
        return None
    import re

    flat = re.sub(r"\s+", " ", text).strip()
    okuda = _LIFE_EXPECTANCY_AS_OKUDA.fullmatch(flat)
    if okuda is not None:
        from hcctrials.criteria.families.staging import scan_okuda
        from hcctrials.criteria.grammar import Context

        low = okuda.group("okuda").lower()
        stage = scan_okuda(Context(text=low, lower=low, language="en", role=role))
        if len(stage) != 1:
            return None
        return AllOf(children=[stage[0].node, Not(child=TreatmentCandidate(treatment="resection", label=flat))])
    if _UNRESECTABLE_B_OR_C.fullmatch(flat):
        label = flat
        eligible_for_none = AllOf(children=[Not(child=TreatmentCandidate(treatment=t, label=label))  # type: ignore[arg-type]
                                            for t in ("resection", "transplant", "locoregional")])
        progressed = PriorTherapy(kinds=["surgery", "transplant", "locoregional"], require_progression=True, label=label)
        stage_b = AllOf(children=[Stage(system="bclc", allowed=["B"]), AnyOf(children=[progressed, eligible_for_none])])
        return AllOf(children=[Not(child=TreatmentCandidate(treatment="resection", label=label)),
                               AnyOf(children=[Stage(system="bclc", allowed=["C"]), stage_b])])
    if _HISTO_ADVANCED_NOT_ELIGIBLE_OR_PD.fullmatch(flat):
        label = flat
        not_eligible = AllOf(children=[Not(child=TreatmentCandidate(treatment="resection", label=label)),
                                       Not(child=TreatmentCandidate(treatment="locoregional", label=label))])
        progressed = PriorTherapy(kinds=["surgery", "locoregional"], sites=["liver"], require_progression=True, label=label)
        return AllOf(children=[Diagnosis(confirmed_by=["histology"]), advanced_hcc_node(label),
                               AnyOf(children=[not_eligible, progressed])])
    return None
