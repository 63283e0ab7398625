"""History and comorbidity, virology, allergy (EN + ZH).

"history of hepatic encephalopathy" (ever), "within 6 months", "active or previously documented
autoimmune disease", "需要全身治疗的活动性自身免疫性疾病", "known HIV", "active tuberculosis",
"organ transplantation", "HBV DNA < 500 IU/mL", "HBsAg阳性者需HBV DNA<2000 IU/mL且接受抗病毒治疗",
"Allergic to PD-1 inhibitors", "对试验药物过敏".  Condition codes follow
:class:`hcctrials.model.patient.Condition`.
"""

from __future__ import annotations

import re
from typing import Literal

from hcctrials.criteria.grammar import NUM, Context, Hit, ascii_re, parse_number
from hcctrials.model.eligibility import Allergy, HistoryCondition, Node, Not, Virology

__all__ = ["scan_history", "scan_virology", "scan_allergy", "CONDITION_TERMS"]

#: condition words -> condition code
CONDITION_TERMS: list[tuple[str, str]] = [
    (r"(?:stem cell|bone marrow)\s+(?:or|and)\s+(?:solid\s+)?organ\s+transplant\w*|(?:solid\s+)?organ\s+(?:or|and)\s+"
     r"(?:stem cell|bone marrow)\s+transplant\w*|器官(?:或|和)(?:造血)?干细胞移植|(?:造血)?干细胞(?:或|和)器官移植",
     "organ_transplant|allogeneic_stem_cell_transplant"),
    (r"hepatic encephalopathy|肝性脑病", "hepatic_encephalopathy"),
    (r"autoimmune(?:\s+or\s+inflammatory)?\s+(?:diseases?|disorders?)|(?:自身|自体)免疫性?(?:或炎症性)?(?:疾病|病)", "autoimmune_disease"),
    (r"(?:allogeneic\s+)?(?:stem cell|bone marrow|hematopoietic)\s+(?:transplant\w*)|造血干细胞移植|干细胞移植", "allogeneic_stem_cell_transplant"),
    (r"(?:solid\s+)?(?:organ|liver|allogeneic organ|kidney)\s+(?:transplant\w*|allograft)|(?:实体)?器官移植|肝移植|异体器官移植",
     "organ_transplant"),
    (r"tuberculosis|\btb\b|结核(?:病|感染)?", "active_tuberculosis"),
    (r"interstitial lung disease|\bild\b|(?:non-?infectious\s+)?pneumonitis|non-?infectious pneumonia|间质性肺(?:病|疾病|炎)"
     r"|非感染性肺炎|肺部炎症", "pneumonitis"),
    (r"(?:other|another|second|additional)\s+(?:\w+\s+){0,3}?(?:malignan\w*|cancers?|tumou?rs?)|其他(?:\S{0,6})?恶性肿瘤"
     r"|其它(?:\S{0,6})?恶性肿瘤|其他肿瘤", "other_malignancy"),
    (r"(?:esophageal|oesophageal|gastric|variceal|食管|胃底|静脉曲张)[^;。]{0,20}?(?:bleed\w*|hemorrhage|haemorrhage|出血)",
     "variceal_bleeding"),
    (r"(?:bleed\w*|hemorrhage|haemorrhage)\s+(?:from|of)\s+(?:the\s+)?(?:(?:o?esophageal|gastric|gastro-?o?esophageal)\s+"
     r"(?:(?:or|and|and/or|/)\s*(?:gastric\s+|o?esophageal\s+)?)?)?varices|bleeding\s+varices|静脉曲张破裂出血", "variceal_bleeding"),
    (r"(?:gastrointestinal|\bgi\b|upper gastrointestinal|消化道)\s*(?:\(gi\)\s*)?(?:tract\s+)?(?:bleed\w*|hemorrhage|haemorrhage|出血)", "gi_bleeding"),
    (r"(?:gastrointestinal|\bgi\b|bowel|intestinal)\s*(?:\(gi\)\s*)?(?:tract\s+)?perforation|消化道穿孔|胃肠道?穿孔|肠穿孔", "gi_perforation"),
    (r"(?:arterial\s+)?(?:thrombo\s*embolic|thromboembolism|thrombotic|embolic)\s+events?|动脉血栓|血栓栓塞|stroke|脑卒中"
     r"|cerebrovascular accident|脑血管意外", "arterial_thromboembolism"),
    (r"deep vein thrombosis|pulmonary embolism|深静脉血栓|肺栓塞", "venous_thromboembolism"),
    (r"myocardial infarct(?:ion)?s?\b|心肌梗[死塞]|myocardial ischemia|心肌缺血", "myocardial_infarction"),
    (r"unstable angina(?:\s+pectoris)?|不稳定型?心绞痛", "unstable_angina"),
    (r"(?:congestive\s+)?heart failure|cardiac insufficiency|心力衰竭|心功能不全|心衰", "heart_failure"),
    (r"uncontrolled hypertension|poorly controlled hypertension|hypertension[^;。]{0,60}?(?:not|cannot|poorly|unable to)\s+"
     r"(?:\w+\s+){0,3}?control\w*|(?:未控制|控制不[佳良]|难以控制)的?高血压|血压控制不[佳良]|未控制的血压|高血压[^;。]{0,30}?(?:无法|不能|未能)[^;。]{0,10}?控制",
     "uncontrolled_hypertension"),
    (r"(?:severe|serious|active|uncontrolled)\s+(?!tuberculosis)(?:\w+\s+)?infections?|(?:严重|重症|活动性)(?:的)?感染", "severe_infection"),
    (r"immunodeficiency|免疫缺陷", "immunodeficiency"),
    (r"(?:mental|psychiatric)\s+(?:disorders?|illness|diseases?)|精神(?:疾病|病|障碍)", "psychiatric_disorder"),
    (r"substance abuse|drug abuse|药物滥用|吸毒", "substance_abuse"),
    (r"bleeding (?:diathesis|disorders?|tendency)|hemorrhagic diseases?|出血倾向|出血性疾病|凝血功能障碍", "bleeding_disorder"),
    (r"live (?:attenuated )?vaccines?|活疫苗|减毒活疫苗", "live_vaccine"),
    (r"(?:(?:unstable|uncontrolled|symptomatic|serious|significant|ventricular|cardiac|poorly controlled)\s+)*(?:arrhythmias?|dysrhythmias?)"
     r"(?:\s+requiring\s+(?:anti-?arrhythmic\s+)?(?:therapy|treatment|medications?|drugs?))?|心律失常", "arrhythmia"),
    # coverage round 3: surgery/wound, cardiac, transplant, CNS items (codes documented in docs/patients.md)
    (r"(?:solid\s+)?organ(?:/limb)?\s+or\s+(?:hematologic|haematologic|hematopoietic|haematopoietic)\s+(?:stem cell\s+)?transplant\w*"
     r"|(?:hematologic|haematologic|hematopoietic)\s+(?:stem cell\s+)?(?:or|and)\s+(?:solid\s+)?organ\s+transplant\w*",
     "organ_transplant|allogeneic_stem_cell_transplant"),
    (r"(?:solid\s+organ(?:/limb)?|renal|lung|heart|cardiac)\s+(?:transplant\w*|allograft)|肾移植|肺移植|心脏移植", "organ_transplant"),
    (r"(?:serious,?\s+|severe\s+|chronic\s+)?non-?healing\s+wounds?(?:\s*,\s*(?:(?:active|acute|non-?healing)\s+)?ulcers?)?"
     r"|non-?healing\s+ulcers?|wound healing (?:disorders?|complications?|problems?)"
     r"|(?:伤口|创口)(?:长期)?(?:不愈合|未愈合|难以愈合|愈合不良)|(?:未愈合|不愈合|难以愈合)的?(?:伤口|创口|溃疡)(?:\s*,\s*溃疡)?", "non_healing_wound"),
    (r"(?:untreated\s+|unhealed\s+|non-?healing\s+)?bone fractures?|(?:未愈合的?)?骨折", "bone_fracture"),
    (r"(?:significant|major|serious|severe)\s+traumatic\s+injur\w*|严重(?:的)?外伤|严重(?:的)?创伤", "traumatic_injury"),
    (r"(?:(?:unstable|active|symptomatic|severe)\s+)?(?:coronary (?:artery|heart) disease|ischa?emic heart disease)|冠心病"
     r"|冠状动脉(?:粥样硬化性)?心脏病", "coronary_artery_disease"),
    (r"(?:coronary|cardiac)\s+(?:angioplasty|stent\w*|revasculari[sz]ation)(?:\s+or\s+stent\w*)?|angioplasty(?:\s+or\s+stent\w*)?"
     r"|coronary artery bypass(?:\s+graft\w*)?(?:\s+surgery)?(?:\s*\(cabg\))?|\bcabg\b|percutaneous coronary intervention"
     r"|冠状动脉(?:支架|搭桥)\w*|冠脉(?:支架|搭桥)\w*|心脏支架|经皮冠状动脉介入(?:治疗)?", "coronary_revascularisation"),
    (r"(?:(?:restrictive|constrictive|congestive|dilated|hypertrophic|active)\s+(?:or\s+)?)*cardiomyopath\w*|心肌病", "cardiomyopathy"),
    (r"(?:congenital\s+|familial\s+)?long qt syndrome|\blqts\b|(?:先天性)?长qt(?:间期)?综合征", "long_qt_syndrome"),
    (r"(?:uncontrolled\s+)?spinal cord compression|脊髓压迫", "spinal_cord_compression"),
]
_COND_RE = [(ascii_re(p), code) for p, code in CONDITION_TERMS]
_ACTIVE = re.compile(r"\bactive\b|活动性|活动的|current(?:ly)?|uncontrolled|未控制|ongoing|合并|concurrent", re.IGNORECASE)
_SYSTEMIC_TX = re.compile(r"requir\w*\s+systemic\s+(?:treatment|therapy)|需要全身治疗|需全身治疗|需要系统治疗", re.IGNORECASE)
_EVER = re.compile(r"history|病史|既往|previous|prior|documented|ever|曾", re.IGNORECASE)


def scan_history(ctx: Context) -> list[Hit]:
    hits = []
    text = ctx.lower
    for pattern, code in _COND_RE:
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 40):m.start()]
            after = text[m.end():m.end() + 40]
            active = bool(_ACTIVE.search(before + m.group(0)))
            ever = bool(_EVER.search(before))
            # "history of or current X", "active, known, or suspected X", "past or current": any, ever (issue 10:
            # read as active only, it admitted patients with a past episode)
            either = re.search(r"or\s+previously|或既往|history of or|past or|previous or|prior or|known,?\s+or|,\s*known|"
                               r"or\s+(?:a\s+)?history|或(?:有)?(?:既往|病史)|既往或", before + m.group(0))
            status: Literal["active", "ever"] = "active" if active and not ((ever or either) and either) else "ever"
            if code in ("coronary_artery_disease", "cardiomyopathy") and re.match(r"\s*(?:unstable|symptomatic)",
                                                                                 m.group(0)):
                status = "active"
            if code in ("active_tuberculosis", "severe_infection", "uncontrolled_hypertension", "arrhythmia"):
                status = "active" if code != "active_tuberculosis" or active else "ever"
            sys_tx = True if _SYSTEMIC_TX.search(before + after) or (
                code == "arrhythmia" and re.search(r"requiring", m.group(0))) else None
            node = HistoryCondition(codes=code.split("|"), status=status, requires_systemic_treatment=sys_tx,
                                    label=m.group(0))
            hits.append(Hit(m.start(), m.end(), node, priority=3, family="history", windowed=True))
    return hits


_HIV = ascii_re(r"\bhiv\b(?:[^;。]{0,30}?(?:infection|positive|antibod\w*|感染|阳性|抗体|1/2))?|human immunodeficiency virus"
                  r"|人类免疫缺陷病毒|艾滋病?|\baids\b")
_HBV_CONTROLLED = re.compile(
    rf"(?:hbsag|hbv|乙型肝炎|乙肝)[^;。]{{0,160}}?(?:hbv[- ]?dna|病毒载量|viral load)[^;。0-9]{{0,30}}?(?:<|≤|低于|小于|below|lower than|less than)\s*"
    rf"(?P<n>{NUM})\s*(?:iu\s*/\s*ml|iu/ml|国际单位)",
    re.IGNORECASE,
)
_ANTIVIRAL = re.compile(r"antiviral|抗病毒", re.IGNORECASE)
_ANTIVIRAL_MIN = re.compile(r"(?:at least|≥|至少)\s*(?P<n>\d+)\s*(?P<u>weeks?|周|days?|天|months?|个月)", re.IGNORECASE)
_HCV_RNA = re.compile(r"hcv[- ]?rna[^;。]{0,20}?(?:positive|detectable|阳性)|(?:active|chronic|活动性)\s*(?:hepatitis c|hcv|丙型肝炎|丙肝)"
                      r"|(?:hcv|hepatitis c(?:\s+virus)?(?:\s*\(hcv\))?)\s+infection|丙型肝炎病毒感染|丙肝(?:病毒)?感染",
                      re.IGNORECASE)
# "HBV infection", "HBV or HCV infection" (chronic HBV infection = HBsAg positive), 乙肝病毒感染
_HBV_INFECTION = re.compile(r"(?:hbv|hepatitis b(?:\s+virus)?(?:\s*\(hbv\))?)(?=\s+infection|\s+(?:or|and|and/or)\s+(?:hcv|hepatitis c)"
                            r"(?:\s+virus)?(?:\s*\(hcv\))?\s+infection)|乙型肝炎病毒感染|乙肝(?:病毒)?感染", re.IGNORECASE)
_COINFECT = re.compile(r"co-?infect\w*[^;。]{0,30}?(?:hbv|hepatitis b)[^;。]{0,20}?(?:hcv|hepatitis c)"
                       r"|(?:hbv|hepatitis b|乙肝|乙型肝炎)[^;。]{0,15}?(?:and|和|与|合并)\s*(?:hcv|hepatitis c|丙肝|丙型肝炎)"
                       r"[^;。]{0,15}?(?:co-?infect\w*|合并感染|共感染|双重感染)", re.IGNORECASE)


def scan_virology(ctx: Context) -> list[Hit]:
    hits = []
    text = ctx.lower
    for m in _HIV.finditer(text):
        hits.append(Hit(m.start(), m.end(), Virology(marker="hiv"), priority=4, family="virology"))
    hbv = _HBV_CONTROLLED.search(text)
    if hbv:
        av = _ANTIVIRAL.search(text)
        anti = bool(av)
        am = _ANTIVIRAL_MIN.search(text)
        days = None
        if am and anti:
            n, u = int(am.group("n")), am.group("u")
            days = n * (7 if u.startswith("week") or u == "周" else 30 if u.startswith("month") or u == "个月" else 1)
        node = Virology(marker="hbv_controlled", hbv_dna_max_iu_ml=parse_number(hbv.group("n")),
                        require_antiviral=anti, antiviral_min_days=days)
        end = max(hbv.end(), am.end() if am else 0)
        if av and av.start() > hbv.end() and av.start() - hbv.end() < 20:
            tail = re.match(r"[^;。,]*?(?:治疗|therapy|treatment)", text[av.start():])
            end = max(end, av.start() + (tail.end() if tail else len(av.group(0))))
        hits.append(Hit(hbv.start(), end, node, priority=6, family="virology"))
    for m in _COINFECT.finditer(text):
        hits.append(Hit(m.start(), m.end(), Virology(marker="hbv_hcv_coinfection"), priority=6, family="virology"))
    for m in _HCV_RNA.finditer(text):
        hits.append(Hit(m.start(), m.end(), Virology(marker="hcv_rna"), priority=3, family="virology"))
    if not hbv:
        for m in _HBV_INFECTION.finditer(text):
            hits.append(Hit(m.start(), m.end(), Virology(marker="hbsag"), priority=3, family="virology"))
    return hits


_ALLERGY = re.compile(r"allerg\w*|hypersensitiv\w*|过敏", re.IGNORECASE)
_TRIAL_DRUGS = re.compile(r"(?:study|investigational|trial|test|related)\s+(?:drugs?|products?|agents?|medications?|treatment)"
                          r"|试验药物|研究药物|本研究药物|试验用药|其辅料|excipients?|any component", re.IGNORECASE)
_ALLERGY_NEGATION = re.compile(r"\b(?:no|not|without|never|denies|free of|absence of)\b|无|否认|没有", re.IGNORECASE)
_CONTRAST = re.compile(r"contrast (?:media|agents?)|造影剂|碘", re.IGNORECASE)


def scan_allergy(ctx: Context) -> list[Hit]:
    m = _ALLERGY.search(ctx.lower)
    if not m:
        return []
    from hcctrials.criteria.therapy import _CLASS_RE, drug_mentions

    text = ctx.lower
    agents = [tid for _, _, tid, _ in drug_mentions(ctx.text)]
    classes: list[str] = []
    for pattern, tags, _kinds in _CLASS_RE:
        if pattern.search(text):
            classes.extend(t for t in tags if t not in ("investigational", "trial_participation"))
    trial = bool(_TRIAL_DRUGS.search(text))
    if _CONTRAST.search(text):
        agents.append("contrast_media")
    if not (agents or classes or trial):
        return []
    node: Node = Allergy(agents=list(dict.fromkeys(agents)), classes=list(dict.fromkeys(classes)), trial_drugs=trial)
    # The hit spans the sentence, so a negation before the allergy word is read here ("No known allergy
    # to sorafenib" is the absence of the allergy; issue 10 found it read as requiring the allergy).
    if _ALLERGY_NEGATION.search(text[:m.start()]):
        node = Not(child=node)
    return [Hit(0, len(text), node, priority=7, family="allergy")]
