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
"unresectable or advanced" (the alternative widens the set; an all-of join would narrow it).
A terminal-stage (BCLC D) patient is not "advanced" in BCLC terms; such trials exclude Child-Pugh C and
ECOG 3-4 in their own criteria.
"""

from __future__ import annotations

from hcctrials.criteria.grammar import Context, Hit, ascii_re
from hcctrials.model.eligibility import AllOf, AnyOf, Diagnosis, Node, Not, PriorTherapy, Stage, TreatmentCandidate

__all__ = ["scan_advanced_hcc"]

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
