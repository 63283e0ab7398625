"""Therapy class tags and the class words that name them in English and Chinese text.

The tags are the project-wide vocabulary for "any drug of this kind" (criteria such as "no prior
PD-1/PD-L1 inhibitor", "既往仅接受过一种含免疫检查点抑制剂方案治疗").  Implications follow the
domain notes (``/work/shared/docs/hcc-domain.md`` section 8.3, "matching pitfalls"): every
PD-1, PD-L1, CTLA-4, TIGIT or LAG-3 antibody is an immune checkpoint inhibitor; checkpoint
inhibitors, cell therapies and cytokines are immunotherapy; "anti-angiogenic" covers both
VEGF/VEGFR antibodies and the VEGFR multikinase TKIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CLASS_TAGS",
    "IMPLIED_TAGS",
    "ClassWord",
    "expand_tags",
    "class_word_terms",
]

#: Every class tag the project uses, with its meaning (printed in docs/vocabulary.md).
CLASS_TAGS: dict[str, str] = {
    "pd1": "PD-1 antibody (incl. bispecifics with a PD-1 arm)",
    "pdl1": "PD-L1 antibody",
    "ctla4": "CTLA-4 antibody (incl. bispecifics with a CTLA-4 arm)",
    "tigit": "TIGIT antibody",
    "lag3": "LAG-3 antibody",
    "cd137": "CD137 (4-1BB) agonist antibody (urelumab, utomilumab): an immunostimulatory antibody, not a checkpoint inhibitor",
    "ici": "any immune checkpoint inhibitor",
    "raf": "RAF kinase inhibitor (sorafenib, donafenib and regorafenib inhibit RAF)",
    "mek": "MEK inhibitor",
    "farnesyltransferase": "farnesyltransferase inhibitor",
    "cmet": "c-MET/HGF pathway inhibitor (MET kinase inhibitors incl. cabozantinib; MET or HGF antibodies)",
    "anti_vegf": "VEGF/VEGFR antibody (bevacizumab and biosimilars, ramucirumab, VEGF bispecifics)",
    "tki": "multikinase / VEGFR tyrosine kinase inhibitor",
    "anti_angiogenic": "any anti-angiogenic agent (anti_vegf or tki)",
    "targeted": "molecular targeted therapy (tki, anti_vegf)",
    "immunotherapy": "any immunotherapy (ici, cell therapy, cytokines)",
    "chemotherapy": "cytotoxic chemotherapy (and folate modulators given with it)",
    "cell_therapy": "cell therapy (CAR-T, TCR-T, iNKT, CIK ...)",
    "cytokine": "cytokine (interleukin-2, interferon)",
    "immunomodulator": "other immunomodulator (thymalfasin)",
    "bispecific": "bispecific antibody",
    "biosimilar": "biosimilar of a reference antibody",
    "locoregional": "locoregional therapy (transarterial, ablation, radiotherapy to the liver)",
    "transarterial": "transarterial procedure (TACE, TAE, HAIC, TARE)",
    "chemoembolization": "transarterial chemoembolization in any form (TACE, cTACE, DEB-TACE); not TAE, TARE or HAIC",
    "ablation": "local ablation (RFA, MWA, cryoablation, PEI, IRE, HIFU)",
    "radiotherapy": "radiotherapy (SBRT, EBRT, proton, TARE, I-125 seeds)",
    "external_beam": "external beam radiotherapy (EBRT, IMRT, SBRT, protons): not TARE or seeds",
    "surgery": "surgical procedure (resection, ALPPS, PVE)",
    "transplant": "liver (or other organ) transplantation",
    "portal_hypertension": "portal-hypertension procedure (TIPS, variceal ligation)",
    "embolic_agent": "embolic or drug-carrier agent (Lipiodol)",
    "antiviral": "HBV/HCV antiviral",
    "tcm": "traditional Chinese medicine product",
    "not_hcc": "not an HCC therapy (kept to flag registry errors)",
}

#: tag -> tags it implies (applied transitively).
IMPLIED_TAGS: dict[str, frozenset[str]] = {
    "pd1": frozenset({"ici"}),
    "pdl1": frozenset({"ici"}),
    "ctla4": frozenset({"ici"}),
    "tigit": frozenset({"ici"}),
    "lag3": frozenset({"ici"}),
    "ici": frozenset({"immunotherapy"}),
    "cell_therapy": frozenset({"immunotherapy"}),
    "cytokine": frozenset({"immunotherapy"}),
    "cd137": frozenset({"immunotherapy"}),
    "anti_vegf": frozenset({"anti_angiogenic", "targeted"}),
    "tki": frozenset({"anti_angiogenic", "targeted"}),
    "transarterial": frozenset({"locoregional"}),
    "chemoembolization": frozenset({"transarterial"}),
    "ablation": frozenset({"locoregional"}),
}


def expand_tags(tags: Iterable[str]) -> frozenset[str]:
    """Close *tags* under :data:`IMPLIED_TAGS` (``{"pd1"}`` -> ``{"pd1","ici","immunotherapy"}``)."""
    out = set(tags)
    todo = list(out)
    while todo:
        for implied in IMPLIED_TAGS.get(todo.pop(), ()):
            if implied not in out:
                out.add(implied)
                todo.append(implied)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class ClassWord:
    """What a class phrase means: its tags, and whether it names a therapy class explicitly.

    ``qualified`` is False for a bare target such as "PD-L1" (which may be a biomarker,
    "PD-L1 expression >= 1%"), True for "PD-L1 inhibitor", "anti-PD-L1", "PD-L1抑制剂".
    """

    classes: frozenset[str]
    qualified: bool = True


# ----------------------------------------------------------------------------- data
# Spellings of the checkpoint targets (separators are optional when matching, so "PD-1"
# also covers "PD1" and "PD 1").
_TARGETS: dict[tuple[str, ...], list[str]] = {
    ("pd1",): [
        "PD-1", "programmed death-1", "programmed death 1", "programmed cell death-1",
        "programmed cell death protein 1", "programmed death receptor-1",
    ],
    ("pdl1",): [
        "PD-L1", "programmed death-ligand 1", "programmed death ligand-1",
        "programmed cell death ligand 1", "programmed cell death-ligand 1",
    ],
    ("pd1", "pdl1"): [
        "PD-(L)1", "PD-1/PD-L1", "PD-L1/PD-1", "PD-1/L1", "PD-1(L1)", "PD-1 (L1)",
        "PD-1 or PD-L1", "PD-1/PD-L2", "PD-1 and PD-L1", "PD-1/PD-L1/CTLA-4",
    ],
    ("ctla4",): ["CTLA-4", "cytotoxic T-lymphocyte antigen 4", "cytotoxic T-lymphocyte-associated protein 4"],
    ("tigit",): ["TIGIT"],
    ("lag3",): ["LAG-3"],
}
_TARGETS_TAGS_FIX = {"PD-1/PD-L1/CTLA-4": ("pd1", "pdl1", "ctla4")}

_EN_PREFIXES = ["anti-"]  # the separator is optional when matching: "anti PD-1", "antiPD-1"
_EN_SUFFIXES = [
    "inhibitor", "antibody", "antibodies", "monoclonal antibody", "monoclonal antibodies", "mAb",
    "blockade", "blocker", "blocking antibody", "therapy", "therapies", "immunotherapy",
    "agent", "drug", "treatment", "targeted therapy", "targeted agent", "checkpoint inhibitor",
    "pathway inhibitor", "axis inhibitor", "directed therapy", "based therapy", "containing regimen",
    "based regimen",
]
_ZH_SUFFIXES = [
    "抑制剂", "单抗", "抗体", "单克隆抗体", "免疫治疗", "治疗", "阻断剂", "类药物", "药物",
    "免疫检查点抑制剂", "免疫抑制剂", "类免疫检查点抑制剂", "方案", "单抗治疗", "抑制剂治疗",
]
_PLURALS = {"inhibitor", "agent", "drug", "blocker", "treatment", "checkpoint inhibitor",
            "pathway inhibitor", "axis inhibitor", "targeted agent", "containing regimen",
            "based regimen"}

#: (phrase, tags) for the general class words.
_GENERAL: list[tuple[list[str], tuple[str, ...]]] = [
    ([
        "immune checkpoint inhibitor", "immune-checkpoint inhibitor", "checkpoint inhibitor",
        "immune checkpoint blockade", "checkpoint blockade", "immune checkpoint blocker",
        "immunotherapy checkpoint inhibitor", "immune checkpoint therapy", "ICI", "CPI",
        "免疫检查点抑制剂", "检查点抑制剂", "免疫检查点阻断剂", "免疫检查点抑制药物",
        "免疫检查点", "ICI类药物", "ICIs",
    ], ("ici",)),
    ([
        "immunotherapy", "immunotherapies", "immune therapy", "immuno-oncology", "IO therapy",
        "免疫治疗", "免疫疗法", "免疫药物", "免疫单药", "免疫联合治疗",
    ], ("immunotherapy",)),
    ([
        "tyrosine kinase inhibitor", "tyrosine-kinase inhibitor", "multikinase inhibitor",
        "multi-kinase inhibitor", "multi-targeted kinase inhibitor", "multitargeted kinase inhibitor",
        "multi-targeted tyrosine kinase inhibitor", "kinase inhibitor", "TKI", "TKIs", "MKI",
        "VEGFR TKI", "VEGFR-TKI", "VEGFR tyrosine kinase inhibitor", "anti-angiogenic TKI",
        "酪氨酸激酶抑制剂", "多激酶抑制剂", "多靶点激酶抑制剂", "多靶点酪氨酸激酶抑制剂",
        "激酶抑制剂", "小分子靶向药", "小分子靶向药物", "TKI类药物", "TKI治疗",
    ], ("tki",)),
    ([
        "targeted therapy", "targeted therapies", "targeted agent", "targeted drug",
        "targeted treatment", "molecular targeted therapy", "molecularly targeted therapy",
        "molecular targeted agent", "靶向治疗", "靶向药物", "靶向药", "分子靶向药物", "分子靶向治疗",
        "靶向药物治疗",
    ], ("targeted",)),
    ([
        "anti-VEGF", "anti-VEGF antibody", "anti-VEGF monoclonal antibody", "VEGF antibody",
        "VEGF monoclonal antibody", "anti-VEGF therapy", "anti-VEGF agent", "anti-VEGF-A",
        "VEGF-A antibody", "anti-VEGFR2 antibody", "VEGFR2 antibody", "VEGFR-2 antibody",
        "抗VEGF", "抗VEGF单抗", "抗VEGF抗体", "VEGF单抗", "抗VEGF治疗", "贝伐珠单抗类药物",
    ], ("anti_vegf",)),
    ([
        "anti-angiogenic", "antiangiogenic", "anti-angiogenic therapy", "anti-angiogenic agent",
        "anti-angiogenic drug", "anti-angiogenesis therapy", "angiogenesis inhibitor",
        "VEGF inhibitor", "VEGF pathway inhibitor", "VEGF-targeted therapy", "VEGFR inhibitor",
        "VEGF/VEGFR inhibitor", "VEGF/VEGFR-targeted therapy",
        "抗血管生成", "抗血管生成药物", "抗血管生成治疗", "抗血管生成靶向药物", "抗血管生成抑制剂",
        "血管生成抑制剂",
    ], ("anti_angiogenic",)),
    ([
        "chemotherapy", "chemotherapies", "systemic chemotherapy", "cytotoxic chemotherapy",
        "cytotoxic agent", "cytotoxic therapy", "platinum-based chemotherapy",
        "化疗", "化学治疗", "系统化疗", "全身化疗", "化疗药物", "细胞毒药物", "系统性化疗",
    ], ("chemotherapy",)),
    ([
        "cell therapy", "cellular therapy", "cell-based therapy", "adoptive cell therapy",
        "adoptive cell transfer", "adoptive cellular immunotherapy", "cellular immunotherapy",
        "细胞治疗", "细胞免疫治疗", "过继细胞治疗", "细胞疗法", "过继性细胞免疫治疗",
    ], ("cell_therapy",)),
    ([
        "locoregional therapy", "locoregional treatment", "loco-regional therapy",
        "loco-regional treatment", "local therapy", "local treatment", "local-regional therapy",
        "liver-directed therapy", "transarterial therapy", "interventional therapy",
        "interventional treatment", "局部治疗", "局部区域治疗", "局部治疗手段", "介入治疗",
        "肝动脉介入治疗", "经动脉治疗", "局部介入治疗", "肝局部治疗",
    ], ("locoregional",)),
    ([
        "surgery", "surgical treatment", "surgical procedure", "major surgery", "surgical operation",
        "手术", "外科手术", "手术治疗", "大手术", "重大手术", "外科治疗",
    ], ("surgery",)),
    ([
        "transplantation", "transplant", "organ transplant", "organ transplantation",
        "solid organ transplant", "allogeneic transplant", "器官移植", "移植", "实体器官移植",
    ], ("transplant",)),
    ([
        "systemic therapy", "systemic treatment", "systemic anticancer therapy",
        "systemic anti-cancer therapy", "系统治疗", "全身治疗", "系统性治疗", "系统抗肿瘤治疗",
        "全身系统治疗",
    ], ("systemic",)),
]
CLASS_TAGS["systemic"] = "any systemic anticancer therapy (class word only, e.g. 'prior systemic therapy')"


def _plural(word: str) -> list[str]:
    last = word.rsplit(" ", 1)[-1]
    if word in _PLURALS or last in {"inhibitor", "agent", "drug", "blocker", "treatment"}:
        return [word, word + "s"]
    return [word]


def class_word_terms() -> list[tuple[str, ClassWord]]:
    """Every class phrase with its meaning (tags already closed under implication)."""
    terms: list[tuple[str, ClassWord]] = []
    for tags, spellings in _TARGETS.items():
        for spelling in spellings:
            tagset = expand_tags(_TARGETS_TAGS_FIX.get(spelling, tags))
            terms.append((spelling, ClassWord(tagset, qualified=False)))
            word = ClassWord(tagset, qualified=True)
            for prefix in _EN_PREFIXES:
                terms.append((prefix + spelling, word))
                for suffix in _EN_SUFFIXES:
                    for form in _plural(suffix):
                        terms.append((f"{prefix}{spelling} {form}", word))
            for suffix in _EN_SUFFIXES:
                for form in _plural(suffix):
                    terms.append((f"{spelling} {form}", word))
            terms.append(("抗" + spelling, word))
            for suffix in _ZH_SUFFIXES:
                terms.append((spelling + suffix, word))
                terms.append(("抗" + spelling + suffix, word))
    for phrases, tags in _GENERAL:
        tagset = expand_tags(tags)
        for phrase in phrases:
            for form in _plural(phrase) if phrase.isascii() else [phrase]:
                terms.append((form, ClassWord(tagset)))
    return terms
