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

from hcctrials.criteria.grammar import NUM, SINGLE_WINDOW, Context, Hit, ascii_re, find_window, parse_number
from hcctrials.model.eligibility import (
    Administrative, Allergy, AnyOf, HistoryCondition, LabThreshold, NeedsReview, Node, Not, Virology,
)

__all__ = ["scan_history", "scan_virology", "scan_allergy", "CONDITION_TERMS"]

_UNQUALIFIED = "".join(rf"(?<!{w} )" for w in ("moderate", "severe", "massive", "large", "significant", "symptomatic",
                                                   "uncontrolled", "malignant", "recurrent", "refractory", "small", "mild",
                                                   "minimal", "trace"))
_UNQUALIFIED_ZH = "".join(rf"(?<!{w})" for w in ("大量", "中量", "少量", "中等量", "中大量", "难治性", "顽固性", "恶性"))

#: condition words -> condition code
CONDITION_TERMS: list[tuple[str, str]] = [
    # round 4: "allogeneic tissue/solid organ transplant" (KEYNOTE wording), 同种异体组织/实体器官移植: tissue grafts
    # (e.g. cornea) and stem cells are allogeneic tissue too
    (r"allogeneic\s+tissue\s*/\s*solid\s+organ\s+transplant\w*|同种异体组织\s*/\s*实体器官移植",
     "organ_transplant|allogeneic_stem_cell_transplant|allogeneic_tissue_transplant"),
    (r"同种异体(?:造血)?干细胞移植", "allogeneic_stem_cell_transplant"),
    # "organ allograft (including corneal transplant)": a cornea is an allogeneic tissue graft, named into the item
    (r"(?:solid\s+)?organ\s+(?:allograft|transplant\w*)\s*\(\s*including\s+(?:a\s+)?corneal?\s+(?:transplant\w*|allograft|graft)\s*\)",
     "organ_transplant|allogeneic_tissue_transplant"),
    (r"corneal?\s+(?:transplant\w*|allograft|graft)|角膜移植", "allogeneic_tissue_transplant"),
    (r"(?:临床显著|有临床意义|具有临床意义)的?(?:活动性的?)?心(?:血管|脏)(?:疾病|病)", "cardiovascular_disease"),
    (r"(?:allogeneic|allo-?)\s+(?:stem cell|bone marrow|ha?ematopoietic(?:\s+stem cell)?)\s+(?:or|and)\s+(?:solid\s+)?organ\s+"
     r"transplant\w*|(?:solid\s+)?organ\s+(?:or|and)\s+allogeneic\s+(?:stem cell|bone marrow)\s+transplant\w*"
     r"|器官(?:或|和)(?:异基因|同种异体)(?:造血)?干细胞移植|(?:异基因|同种异体)(?:造血)?干细胞(?:或|和)器官移植",
     "organ_transplant|allogeneic_stem_cell_transplant"),
    (r"(?:stem cell|bone marrow)\s+(?:or|and)\s+(?:solid\s+)?organ\s+transplant\w*|(?:solid\s+)?organ\s+(?:or|and)\s+"
     r"(?:stem cell|bone marrow)\s+transplant\w*|器官(?:或|和)(?:造血)?干细胞移植|(?:造血)?干细胞(?:或|和)器官移植",
     "organ_transplant|stem_cell_transplant"),
    (r"hepatic encephalopathy|肝性脑病", "hepatic_encephalopathy"),
    # "autoimmune or inflammatory disorders (including inflammatory bowel disease, diverticulitis, sarcoidosis ...)":
    # the chronic inflammatory diseases that are not autoimmune by name are their own code
    (r"autoimmune\s+or\s+inflammatory\s+(?:diseases?|disorders?)|(?:自身|自体)免疫性?或炎症性(?:疾病|病)",
     "autoimmune_disease|inflammatory_disease"),
    (r"autoimmune\s+(?:diseases?|disorders?)|(?:自身|自体)免疫性?(?:疾病|病)", "autoimmune_disease"),
    (r"allogeneic\s+(?:stem cell|bone marrow|hematopoietic)\s+(?:transplant\w*)|(?:异基因|同种异体)(?:造血)?干细胞移植",
     "allogeneic_stem_cell_transplant"),
    # issue 10 (session 6): "Autologous bone marrow transplant or stem cell rescue" (NCT00619541): "autologous" covers both
    # (a stem cell rescue after high-dose chemotherapy is an autologous transplant)
    (r"autologous\s+(?:bone marrow|(?:peripheral blood\s+)?stem cell|ha?ematopoietic(?:\s+stem cell)?)\s+transplant\w*"
     r"(?:\s+or\s+(?:peripheral blood\s+)?stem cell\s+(?:rescue|support))?|自体(?:造血)?干细胞移植", "autologous_stem_cell_transplant"),
    # without "allogeneic", a stem cell / bone marrow transplant may be autologous
    (r"(?:peripheral blood\s+)?(?:stem cell|bone marrow|hematopoietic)\s+(?:transplant\w*)|造血干细胞移植|干细胞移植|骨髓移植",
     "stem_cell_transplant"),
    (r"(?:orthotopic\s+)?liver\s+(?:transplant\w*|allograft)|hepatic\s+transplant\w*|肝脏?移植", "liver_transplant"),
    (r"(?:solid\s+)?(?:organ|allogeneic organ|kidney)\s+(?:transplant\w*|allograft)|(?:实体)?器官移植|异体器官移植",
     "organ_transplant"),
    (r"tuberculosis|\btb\b|结核(?:病|感染)?", "active_tuberculosis"),
    # round 6: an interstitial lung disease is its own code (idiopathic pulmonary fibrosis is one, not a pneumonitis);
    # a pneumonitis is an interstitial lung disease, so "ILD" reads both codes
    (r"interstitial lung diseases?|\bild\b|间质性肺(?:病|疾病|炎)", "interstitial_lung_disease|pneumonitis"),
    (r"(?:\(non-?infectious\)\s*|non-?infectious\s+)?pneumonitis|non-?infectious pneumonia"
     r"|非感染性肺炎|肺部炎症", "pneumonitis"),
    # round 6: "History of seizure disorder", "uncontrolled seizures", epilepsy, 癫痫
    (r"(?:(?:uncontrolled|poorly controlled)\s+)?seizures?(?:\s+disorders?)?|epilepsy|癫痫(?:发作)?", "seizure_disorder"),
    (r"(?:other|another|second|additional)\s+(?:\w+\s+){0,3}?(?:malignan\w*|cancers?|tumou?rs?)|其他(?:\S{0,6})?恶性肿瘤"
     r"|其它(?:\S{0,6})?恶性肿瘤|其他肿瘤", "other_malignancy"),
    # "esophageal/gastric bleeding" without "varices": an upper GI bleed of any cause (an ulcer, varices)
    (r"(?:esophageal|oesophageal|gastric)\s*(?:/|or|and|and/or)\s*(?:esophageal|oesophageal|gastric)\s+"
     r"(?:bleed\w*|hemorrhage|haemorrhage)", "gi_bleeding|variceal_bleeding"),
    (r"(?:esophageal|oesophageal|gastric|variceal|食管|胃底|静脉曲张)[^;。]{0,20}?(?:bleed\w*|hemorrhage|haemorrhage|出血)",
     "variceal_bleeding"),
    # round 6: "A prior bleeding event due to esophageal and/or gastric varices"
    (r"(?:bleed\w*|hemorrhage|haemorrhage)\s+(?:events?|episodes?)\s+(?:due\s+to|from|secondary\s+to)\s+(?:(?:o?esophageal|gastric)\s+"
     r"(?:(?:or|and|and/or|/)\s*(?:gastric\s+|o?esophageal\s+)?)?)?varices", "variceal_bleeding"),
    (r"(?:bleed\w*|hemorrhage|haemorrhage)\s+(?:from|of)\s+(?:the\s+)?(?:(?:o?esophageal|gastric|gastro-?o?esophageal)\s+"
     r"(?:(?:or|and|and/or|/)\s*(?:gastric\s+|o?esophageal\s+)?)?)?varices|bleeding\s+varices|静脉曲张破裂出血", "variceal_bleeding"),
    (r"(?:gastrointestinal|\bgi\b|upper gastrointestinal|消化道)\s*(?:\(gi\)\s*)?(?:tract\s+)?(?:bleed\w*|hemorrhage|haemorrhage|出血)", "gi_bleeding"),
    # issue 10 (session 6): "Gastrointestinal perforation or fistulae" (NCT02435433): the fistula is a gastrointestinal
    # one (abdominal_fistula, below)
    (r"(?:gastrointestinal|\bgi\b|bowel|intestinal)\s*(?:\(gi\)\s*)?(?:tract\s+)?perforations?\s+(?:or|and|and/or)\s+fistula(?:e|s)?\b"
     r"|消化道穿孔或瘘", "gi_perforation|abdominal_fistula"),
    (r"(?:gastrointestinal|\bgi\b|bowel|intestinal)\s*(?:\(gi\)\s*)?(?:tract\s+)?perforation|消化道穿孔|胃肠道?穿孔|肠穿孔", "gi_perforation"),
    # "thrombolic or embolic events" (a registry typo of thrombotic) is one item; a transient ischaemic attack is an arterial
    # thrombotic event (recorded under this code, as a stroke is)
    # an arterial thrombotic (thromboembolic) event includes a myocardial infarction and unstable angina (arterial
    # thromboembolic events of the VEGF-inhibitor labels: cerebral infarction, TIA, MI, angina; audit round 7: "(including
    # CVA, MI)" with an MI recorded as myocardial_infarction was not counted)
    (r"arterial\s+(?:thrombo(?:tic|lic)\s+or\s+embolic|thrombo\s*embolic|thromboembolism|thrombotic|embolic)\s+events?",
     "arterial_thromboembolism|myocardial_infarction|unstable_angina"),
    (r"动脉血栓|stroke|脑卒中|cerebrovascular accident|脑血管意外"
     r"|transient\s+isch(?:a)?emic\s+attacks?(?:\s*\(tias?\))?|\btias?\b|短暂性脑缺血发作", "arterial_thromboembolism"),
    # without "arterial", a thrombotic or embolic event may be venous (a deep vein thrombosis is one)
    (r"(?:thrombo(?:tic|lic)\s+or\s+embolic|thrombo\s*embolic|thromboembolism|thrombotic|embolic)\s+events?",
     "arterial_thromboembolism|myocardial_infarction|unstable_angina|venous_thromboembolism"),
    # "thromboembolic disease" without a qualifier: venous or arterial
    (r"(?:thrombo\s*embolic|thrombotic)\s+(?:diseases?|disorders?)|血栓栓塞性?疾病|血栓栓塞",
     "arterial_thromboembolism|venous_thromboembolism"),
    (r"deep ve(?:in|nous) thrombosis(?:\s*\(dvt\))?|\bdvt\b|pulmonary embol(?:ism|us)(?:\s*\(pe\))?|venous thrombo\s*embolism(?:\s*\(vte\))?"
     r"|\bvte\b|深静脉血栓|肺栓塞|静脉血栓栓塞", "venous_thromboembolism"),
    (r"peripheral\s+(?:sensory\s+|motor\s+)?(?:neuropathy|neuropathies)|周围神经病变?", "peripheral_neuropathy"),
    (r"myocardial infarct(?:ion)?s?\b|心肌梗[死塞]|myocardial ischemia|心肌缺血", "myocardial_infarction"),
    (r"unstable angina(?:\s+pectoris)?|不稳定型?心绞痛", "unstable_angina"),
    # round 4 (cardiac): hypertensive crisis (emergency / urgency) and hypertensive encephalopathy, as history items
    (r"hypertensive (?:crisis|crises|emergency|urgency)|高血压危象", "hypertensive_crisis"),
    (r"hypertensive encephalopathy|高血压脑病", "hypertensive_encephalopathy"),
    # round 6: "encephalopathy" without a kind: hepatic (the usual one in HCC), hypertensive or any other
    (r"(?<!hepatic )(?<!hypertensive )(?<![a-z-])encephalopath(?:y|ies)", "hepatic_encephalopathy|hypertensive_encephalopathy|encephalopathy"),
    (r"(?:congestive\s+)?heart failure|cardiac insufficiency|心力衰竭|心功能不全|心衰", "heart_failure"),
    (r"uncontrolled hypertension|(?:poorly|inadequately) controlled hypertension|hypertension uncontrolled by|"
     r"hypertension[^;。]{0,60}?(?:not|cannot|poorly|unable to)\s+"
     r"(?:\w+\s+){0,3}?control\w*|(?:未控制|控制不[佳良]|难以控制)的?高血压|血压控制不[佳良]|未控制的血压|高血压[^;。]{0,30}?(?:无法|不能|未能)[^;。]{0,10}?控制",
     "uncontrolled_hypertension"),
    # round 4: "active ongoing infection requiring therapy", "current infections requiring antibiotic therapy": any
    # infection that needs systemic treatment (a recorded severe infection is one too)
    (r"(?:(?:active|current|ongoing|acute)\s+(?:(?:and|or|,)?\s*(?:active|current|ongoing|acute)\s+)?)?(?!tuberculosis)infections?"
     r"(?=\s+(?:that\s+(?:is\s+|are\s+)?)?requir\w*\s+(?:systemic\s+)?(?:antibiotic|antimicrobial|anti-?infective|therapy|treatment|antibiotics))"
     r"|(?:需要|需)(?:全身|系统)?(?:抗感染|抗生素|抗菌)?治疗的(?:活动性)?感染",
     "infection|severe_infection"),
    # 活动性感染 is an active infection (any), 严重/重症感染 a severe one
    (r"活动性(?:的)?感染", "infection|severe_infection"),
    # "clinically serious infection > CTCAE grade 2" and "infection requiring IV antibiotics / hospitalisation" are CTCAE
    # grade >= 3 infections (CTCAE v5, Infections and infestations: grade 3 = IV antibiotic, antifungal or antiviral
    # intervention indicated; invasive intervention indicated): the code severe_infection (docs/patients.md)
    (r"(?:clinically\s+)?serious\s+infections?\s*(?:\(\s*)?(?:defined\s+as\s+)?(?:>\s*(?:nci[- ]?)?(?:ctc(?:ae)?\s+)?grade\s*(?:2|ii)\b"
     r"|≥\s*grade\s*(?:3|iii)\b)(?:\s*(?:\(\s*)?(?:according\s+to\s+(?:the\s+)?common\s+(?:toxicity|terminology)\s+criteria\s+for\s+adverse\s+"
     r"(?:effects|events)\s*(?:\(ctcae\))?|(?:nci[- ]?)?ctc(?:ae)?)(?:\s*(?:v(?:ersion)?\.?\s*)?[2-5](?:\.0\d?)?)?\s*\)?)?",
     "severe_infection"),
    (r"infections?\s+(?:that\s+(?:is\s+|are\s+)?)?requir\w*\s+(?:hospitali[sz]ation\s+(?:or|and/or)\s+)?(?:iv|intravenous|parenteral)\s+"
     r"(?:antibiotics?|antimicrobials?|anti-?infectives?)(?:\s*(?:,|or)\s*(?:antivirals?|antifungals?))*(?:\s*,?\s*or\s+antifungals?)?"
     r"(?:\s+(?:therapy|treatment))?", "severe_infection"),
    # issue 10 (session 6): "uncontrolled infection" is any infection not controlled, not only a severe one (an infection
    # recorded 'controlled' is not uncontrolled; status 'active' is read from the word)
    (r"uncontrolled\s+(?:(?:systemic|bacterial|viral|fungal)\s+)?infections?(?!\s+(?:with|by|of)\b)", "infection|severe_infection"),
    (r"(?:severe|serious|active|uncontrolled(?=\s+(?:severe|serious|active)\b))\s+(?!tuberculosis)(?:\w+\s+)?infections?"
     r"|(?:严重|重症)(?:的)?感染", "severe_infection"),
    # issue 10 (session 6): a primary (inborn) immunodeficiency; a record of an immunodeficiency of unstated kind leaves it
    # unknown (criteria/evaluation/leaves_history.py ``_UNKNOWN_BY_WIDER``)
    (r"primary\s+immunodeficiency(?:\s+(?:diseases?|disorders?|syndromes?))?|原发性免疫缺陷(?:病)?", "primary_immunodeficiency"),
    (r"(?<!primary )immunodeficiency|(?<!原发性)免疫缺陷", "immunodeficiency"),
    (r"(?:mental|psychiatric)\s+(?:disorders?|illness|diseases?)|精神(?:疾病|病|障碍)", "psychiatric_disorder"),
    (r"substance abuse|drug abuse|药物滥用|吸毒", "substance_abuse"),
    # effusions are findings on examination or imaging (a present state; criteria/compiler/precision.py)
    # a graded or qualified effusion ("moderate or severe", "uncontrolled", 大量) is not read: the rule has no grade
    (_UNQUALIFIED + r"pleural\s+effusions?|" + _UNQUALIFIED_ZH + r"(?:胸腔积液|胸水)", "pleural_effusion"),
    (_UNQUALIFIED + r"pericardial\s+effusions?|" + _UNQUALIFIED_ZH + r"心包积液", "pericardial_effusion"),
    (r"bleeding (?:diathesis|disorders?|tendency)|hemorrhagic diseases?|出血倾向|出血性疾病|凝血功能障碍", "bleeding_disorder"),
    # "evidence of active bleeding": bleeding now, from any site (a recorded bleed of any kind, or ``bleeding``)
    (r"(?<=active )(?:bleeding|h(?:a)?emorrhage)(?!\s+(?:diathesis|disorders?|tendency|from|of))|(?<=活动性)出血(?!倾向|性疾病)",
     "bleeding|gi_bleeding|variceal_bleeding|intracranial_haemorrhage"),
    # issue 10 (session 6): "Uncontrolled bleeding": a bleed of any site now (coughing up blood and a spinal bleed too),
    # recorded active (not 'controlled')
    (r"uncontrolled\s+(?:bleeding|h(?:a)?emorrhage)(?!\s+(?:diathesis|disorders?|tendency|from|of|risk))",
     "bleeding|gi_bleeding|variceal_bleeding|intracranial_haemorrhage|spinal_haemorrhage|hemoptysis"),
    # issue 10 (session 6): "History of clinically significant bleeding", "history of haemorrhage": a bleed of any site,
    # ever (as recorded: a recorded bleed is clinically significant, as for GI bleeding); only the bare noun, closed by
    # the end of the item ("history of bleeding ulcer / varices" names a site and is not read here)
    (r"(?:(?<=history of )|(?<=clinically significant ))(?:bleeding|h(?:a)?emorrhage)"
     r"(?=\s*(?:$|[.,;)]|(?:or|and|within|in\s+the\s+(?:past|last))\b))",
     "bleeding|gi_bleeding|variceal_bleeding|intracranial_haemorrhage|spinal_haemorrhage|hemoptysis"),
    # issue 10 (session 6): hereditary haemorrhagic telangiectasia (Osler-Weber-Rendu), a lifelong inherited disease;
    # vomiting of blood (an upper GI bleed; a GI bleed recorded without its presentation leaves it unknown)
    (r"hereditary\s+ha?emorrhagic\s+telangiectasia(?:\s*\(\s*(?:hht|osler[- ]weber[- ]\s*rendu(?:\s+(?:syndrome|disease))?)\s*\))?"
     r"|osler[- ]weber[- ]\s*rendu(?:\s+(?:syndrome|disease))?|遗传性出血性毛细血管扩张症?", "hereditary_haemorrhagic_telangiectasia"),
    (r"ha?ematemesis|呕血", "haematemesis"),
    (r"live(?:[- ]attenuated)?\s+vaccines?(?:\s+or\s+(?:a\s+)?live[- ]attenuated\s+vaccines?)?|(?:减毒)?活疫苗(?:或减毒活疫苗)?", "live_vaccine"),
    (r"(?:(?:unstable|uncontrolled|symptomatic|serious|significant|cardiac|poorly controlled)\s+(?:(?:or|and/or)\s+)?)*(?:arrhythmias?|dysrhythmias?)"
     r"(?:\s+requiring\s+(?:anti-?arrhythmic\s+)?(?:therapy|treatment|medications?|drugs?))?|心律失常", "arrhythmia"),
    # round 4: a ventricular arrhythmia is its own code (a recorded arrhythmia of unstated type leaves it unknown)
    (r"(?:(?:unstable|uncontrolled|symptomatic|serious|significant|cardiac|poorly controlled)\s+)*ventricular\s+"
     r"(?:(?:cardiac\s+)?(?:arrhythmias?|dysrhythmias?)|tachyarrhythmias?|tachycardia|fibrillation)"
     r"(?:\s+requiring\s+(?:anti-?arrhythmic\s+)?(?:therapy|treatment|medications?|drugs?))?|室性心律失常|室性心动过速|室颤", "ventricular_arrhythmia"),
    (r"heart attacks?", "myocardial_infarction"),
    (r"(?:cardiac\s+)?pace\s?makers?|心脏起搏器|起搏器", "cardiac_pacemaker"),
    (r"implant\w*\s+cardioverter[- ]defibrillators?|\bicd\b|植入式心律转复除颤器", "implantable_defibrillator"),
    # "History of ... requirement for medications to prevent or control encephalopathy" (lactulose, rifaximin)
    (r"(?:requirement|need)\s+for\s+(?:medications?|drugs?|treatment)\s+to\s+(?:prevent|control|treat)\s+(?:or\s+(?:prevent|control|treat)\s+)?"
     r"(?:hepatic\s+)?encephalopathy|(?:lactulose|rifaximin)(?:\s+(?:or|and|and/or)\s+(?:lactulose|rifaximin))?\s+(?:for|to\s+(?:prevent|control))"
     r"\s+(?:hepatic\s+)?encephalopathy|需要?(?:药物|乳果糖|利福昔明)(?:预防|控制|治疗)(?:或(?:预防|控制|治疗))?的?肝性脑病", "encephalopathy_medication"),
    (r"(?:renal\s+failure\s+)?requiring\s+(?:hemo-?\s*(?:or\s+peritoneal\s+)?|peritoneal\s+)?dialysis|(?:on|current|chronic|maintenance)\s+"
     r"(?:hemo|peritoneal\s+)?dialysis|(?:需要|正在|长期)(?:血液|腹膜)?透析", "dialysis"),
    # "clinically significant cardiac disease": the code is defined as clinically significant (docs/patients.md)
    (r"clinically\s+(?:significant|relevant)\s+(?:cardiac|cardiovascular|heart)\s+(?:disease|diseases|disorders?|conditions?)"
     r"|有临床意义的心(?:血管|脏)(?:疾病|病)", "cardiovascular_disease"),
    (r"co-?infect\w*\s+with\s+(?:hbv|hepatitis b(?:\s+virus)?)\s+and\s+(?:hdv|hepatitis d(?:elta)?(?:\s+virus)?)(?:\s*\(hdv\))?"
     r"|(?:hdv|hepatitis d(?:elta)?(?:\s+virus)?)\s+(?:co-?)?infection|丁型肝炎(?:病毒)?感染|丁肝(?:病毒)?感染", "hdv_infection"),
    # coverage round 3: surgery/wound, cardiac, transplant, CNS items (codes documented in docs/patients.md)
    (r"(?:solid\s+)?organ(?:/limb)?\s+or\s+(?:hematologic|haematologic|hematopoietic|haematopoietic)\s+(?:stem cell\s+)?transplant\w*"
     r"|(?:hematologic|haematologic|hematopoietic)\s+(?:stem cell\s+)?(?:or|and)\s+(?:solid\s+)?organ\s+transplant\w*",
     "organ_transplant|stem_cell_transplant"),
    (r"(?:solid\s+organ(?:/limb)?|renal|lung|heart|cardiac)\s+(?:transplant\w*|allograft)|肾移植|肺移植|心脏移植", "organ_transplant"),
    # issue 10 (session 6, audit round 11): "Serious, non-healing wound, active ulcer, or untreated bone fracture" (the
    # bevacizumab template): an active ulcer of any site counts, a gastric or duodenal one included
    (r"(?:serious,?\s+|severe\s+|chronic\s+)?non-?healing\s+wounds?\s*,\s*(?:(?:active|acute)\s+)?ulcers?",
     "non_healing_wound|peptic_ulcer"),
    (r"(?:serious,?\s+|severe\s+|chronic\s+)?non-?healing\s+wounds?"
     r"|non-?healing\s+ulcers?|wound healing (?:disorders?|complications?|problems?)"
     r"|(?:伤口|创口)(?:长期)?(?:不愈合|未愈合|难以愈合|愈合不良)|(?:未愈合|不愈合|难以愈合)的?(?:伤口|创口|溃疡)(?:\s*,\s*溃疡)?", "non_healing_wound"),
    (r"(?:untreated\s+|unhealed\s+|non-?healing\s+)?bone fractures?|(?:未愈合的?)?骨折", "bone_fracture"),
    (r"(?:significant|major|serious|severe)\s+traumatic\s+injur\w*|严重(?:的)?外伤|严重(?:的)?创伤", "traumatic_injury"),
    # issue 10 (session 5): symptomatic peripheral arterial disease (claudication, rest pain, tissue loss); the code is
    # recorded for a symptomatic one only (docs/patients.md), so an unqualified or graded one is not read here
    (r"symptomatic\s+(?:arterial\s+)?peripheral\s+(?:arterial\s+|vascular\s+)(?:occlusive\s+)?disease(?:\s*\((?:pvd|pad)\))?"
     r"|(?:有症状的?|症状性)的?外周(?:血管|动脉)(?:疾病|病)", "peripheral_vascular_disease"),
    (r"(?:(?:unstable|active|symptomatic|severe)\s+)?(?:coronary (?:artery|heart) disease|ischa?emic heart disease)|冠心病"
     r"|冠状动脉(?:粥样硬化性)?心脏病", "coronary_artery_disease"),
    (r"(?:coronary|cardiac)\s+(?:angioplasty|stent\w*|revasculari[sz]ation)(?:\s+or\s+stent\w*)?|angioplasty(?:\s+or\s+stent\w*)?"
     r"|coronary artery bypass(?:\s+graft\w*)?(?:\s+surgery)?(?:\s*\(cabg\))?|\bcabg\b|percutaneous coronary intervention"
     r"|冠状动脉(?:支架|搭桥)\w*|冠脉(?:支架|搭桥)\w*|心脏支架|经皮冠状动脉介入(?:治疗)?", "coronary_revascularisation"),
    # "history of organ transplantation or cardiac surgery": open-heart operations (bypass graft, valve surgery); a
    # coronary stent is not surgery (leaves_history reads a recorded revascularisation by its name)
    (r"(?:cardiac|heart|open[- ]heart|cardiothoracic)\s+(?:surgery|surgical\s+procedures?|operations?)|心脏(?:外科)?手术", "cardiac_surgery"),
    (r"(?:(?:restrictive|constrictive|congestive|dilated|hypertrophic|active)\s+(?:or\s+)?)*cardiomyopath\w*|心肌病", "cardiomyopathy"),
    (r"(?:congenital\s+|familial\s+)?long qt syndrome|\blqts\b|(?:先天性)?长qt(?:间期)?综合征", "long_qt_syndrome"),
    (r"(?:uncontrolled\s+)?spinal cord compression|脊髓压迫", "spinal_cord_compression"),
    # issue 10 (history families): coughing up blood (VEGF-inhibitor labels: pulmonary haemorrhage risk), acute or
    # cutaneous porphyria (photodynamic therapy labels: porphyrins are contraindicated), malabsorption (oral drugs);
    # a graded or qualified item ("Grade >= 2 hemoptysis", "malabsorption that may alter ...") keeps its own words
    (r"(?<!grade )(?<!significant )(?<!severe )(?<!massive )ha?emoptysis|咯血", "hemoptysis"),
    (r"porphyri(?:a|as)\b|卟啉病", "porphyria"),
    # issue 10 (session 6): "History of aneurysms, strokes, transient ischemic attacks, and arteriovenous malformations"
    # (NCT00426829): an aneurysm of any artery and a vascular malformation; an aneurysm named by its site ("aortic
    # aneurysm") is narrower and not read by this term
    (r"(?<!aortic )(?<!cerebral )(?<!intracranial )(?<!brain )(?<!ventricular )(?<!abdominal )(?<!thoracic )(?<!coronary )"
     r"(?<!splenic )(?<!hepatic )(?<!visceral )(?<!iliac )(?<!popliteal )(?<!berry )(?<!arterial )(?<!-)\baneurysms?\b"
     r"(?!\s+of\b)", "aneurysm"),
    (r"arteriovenous\s+malformations?(?:\s*\(avms?\))?|\bavms?\b|动静脉畸形", "arteriovenous_malformation"),
    # "hemorrhagic or thrombotic cerebrovascular event" (NCT01005199): a haemorrhagic stroke (intracranial haemorrhage) or a
    # thrombotic one (ischaemic stroke, TIA, cerebral venous thrombosis), read from the thromboembolism records by their
    # names (criteria/evaluation/leaves_history.py)
    (r"(?:ha?emorrhagic\s+or\s+thrombotic|thrombotic\s+or\s+ha?emorrhagic)\s+cerebrovascular\s+(?:events?|accidents?)",
     "intracranial_haemorrhage|thrombotic_cerebrovascular_event"),
    # "symptomatic conduction abnormality" (NCT02288507): a conduction abnormality (atrioventricular or bundle branch block,
    # sinus node disease) that caused symptoms; recorded under its own code (an unqualified record leaves it unknown)
    (r"symptomatic\s+(?:cardiac\s+)?conduction\s+(?:abnormalit(?:y|ies)|disturbances?|disorders?|defects?)",
     "symptomatic_conduction_abnormality"),
    # abdominal fistula and intra-abdominal abscess (bevacizumab label: GI perforation, fistula, abscess); a fistula of
    # another site (tracheo-oesophageal, arteriovenous) is not this code
    (r"(?:abdominal|gastrointestinal|\bgi\b|enteric|intestinal)\s+fistula[es]?|腹腔瘘|消化道瘘|胃肠道?瘘|肠瘘", "abdominal_fistula"),
    (r"intra-?abdominal\s+abscess(?:es)?|腹腔(?:内)?脓肿", "intra_abdominal_abscess"),
    # interstitial lung diseases named by kind (American Thoracic Society/ERS classification of the ILDs:
    # idiopathic pulmonary fibrosis, pneumoconioses, organising pneumonia are ILDs)
    (r"idiopathic\s+pulmonary\s+fibrosis(?:\s*\(ipf\))?|pneumoconios[ie]s|特发性肺纤维化|尘肺", "interstitial_lung_disease"),
    (r"(?:radiation|drug)-induced\s+(?:or\s+(?:radiation|drug)-induced\s+)?pneumonitis|non-?infect(?:ious|ions)\s+pneumonitis"
     r"|放射性肺炎|药物性肺炎", "pneumonitis"),
    (r"(?<!significant )(?<!severe )malabsorption(?:\s+(?:syndromes?|conditions?|problems?|disorders?))?|吸收不良(?:综合征)?",
     "malabsorption"),
]
_COND_RE = [(ascii_re(p), code) for p, code in CONDITION_TERMS]
_ACTIVE = re.compile(r"\bactive\b|活动性|活动的|current(?:ly)?|uncontrolled|未控制|ongoing|合并|concurrent", re.IGNORECASE)
_SYSTEMIC_TX = re.compile(r"requir\w*\s+systemic\s+(?:treatment|therapy)|需要全身治疗|需全身治疗|需要系统治疗", re.IGNORECASE)
# the qualifier right after the item: "pneumonitis that required steroids", "infection requiring systemic
# therapy"; steroids for pneumonitis are its systemic treatment (oral/IV corticosteroids)
_SYSTEMIC_AFTER = re.compile(
    r"\s*(?:\([^()]{0,40}\)\s*)?,?\s*(?:that|which)?\s*(?:has\s+|have\s+|had\s+)?(?:been\s+)?(?:requir\w*|needed|needing)\s+"
    r"(?:(?:treatment\s+with\s+)?(?:systemic\s+)?(?:(?:cortico)?steroids?|glucocorticoids?)|systemic\s+(?:treatment|therapy|therapies)"
    r"|(?:systemic\s+)?(?:antibiotics|antibiotic\s+(?:therapy|treatment)|antimicrobial\s+(?:therapy|treatment)|anti-?infective\s+"
    r"(?:therapy|treatment))|(?:therapy|treatment)\b(?!\s+(?:with|of)\s+(?:iv|intravenous|topical))"
    r"(?:\s+with\s+(?:(?:cortico)?steroids|glucocorticoids))?)"
    r"|\s*(?:需要|需)(?:全身|系统|激素|类固醇|糖皮质激素)治疗",
    re.IGNORECASE)
# before the item (Chinese order): "需要全身治疗的活动性自身免疫性疾病"
_SYSTEMIC_BEFORE = re.compile(r"(?:患有)?(?:需要|需)(?:全身|系统|激素|类固醇|糖皮质激素)治疗的?(?:活动性的?)?$")
_SIGNIFICANT = ascii_re(r"(?:clinically\s+(?:significant|relevant|important)|有临床意义的?|具有临床意义的?|临床显著的?)\s*$")
# Chinese "心肌梗死史", "不稳定型心绞痛病史": the history suffix belongs to the item and makes it "ever"
_ZH_HISTORY_SUFFIX = re.compile(r"(?:病)?史")
# "Replacement therapy (eg. thyroxine, insulin ...) is not considered a form of systemic treatment": the
# definition the leaf already uses (Condition.requires_systemic_treatment leaves replacement therapy out)
_REPLACEMENT_NOTE = ascii_re(r"replacement therapy[^;。]{0,200}?(?:is|are)\s+not\s+considered\s+(?:a\s+form\s+of\s+)?systemic\s+"
                             r"(?:treatment|therapy)|替代(?:治疗|疗法)[^;。]{0,80}?不(?:被)?(?:认为|视为)是?(?:一种)?(?:全身|系统)(?:性)?治疗")
_EVER = re.compile(r"history|病史|既往|previous|prior|documented|ever|曾", re.IGNORECASE)
# "Patients with vitiligo, type 1 diabetes ... are permitted (for enrollment)", "...可以入组": the kinds of autoimmune
# disease a checkpoint-inhibitor trial lets in (KEYNOTE protocols)
_IF_ALLOWED = ascii_re(r"^\W*(?:o\s+)?if\b[^;。]{5,300}?,\s*(?:(?:the\s+)?(?:enrol(?:l)?ment|patient|subject|participant)s?\s+"
                      r"(?:will\s+be|is|are|may\s+be|can\s+be)\s+(?:allowed|permitted|eligible)|(?:the\s+)?(?:patient|subject|participant)s?"
                      r"\s+(?:may|can)\s+(?:be\s+)?(?:enrol(?:l)?(?:ed)?|included|eligible))\W*$")
_AI_KIND = r"(?:vitiligo|type\s+(?:i|1)\s+diabetes|hypothyroid\w*|psoria\w*|白癜风|1型糖尿病|甲状腺功能减退|甲减|银屑病)"
_AUTOIMMUNE_PERMITTED = ascii_re(
    rf"(?:(?:however|but),?\s+)?(?:patients?|subjects?|participants?)\s+with\s+[^.;。；]{{0,40}}?{_AI_KIND}[^.;。；]{{0,200}}?"
    r"\s+(?:are|is|will\s+be)\s+(?:permitted|allowed|eligible|not\s+excluded)(?:\s+(?:for|to)\s+(?:enrol(?:l)?ment|enrol(?:l)?|"
    r"participate|participation|the\s+study))?"
    rf"|(?:患有)?[^.;。；]{{0,40}}?{_AI_KIND}[^.;。；]{{0,120}}?(?:的(?:患者|受试者))?(?:可以|可|允许)(?:入组|纳入|参加)")


_PER_INVESTIGATOR = ascii_re(r",?\s*(?:per|as (?:assessed|judged|evaluated|determined) by|according to)\s+(?:the\s+)?"
                             r"(?:investigator|treating physician|physician)(?:'s|s')?(?:\s+(?:evaluation|assessment|judge?ment|opinion))?")


# issue 10 (session 5): "Acute or chronic severe renal insufficiency (glomoerular filtration rate <30 milliliters
# [mL]/minute/1.73 square meters) or acute renal insufficiency of any severity due to the hepato-renal syndrome": the
# severity is defined by the GFR (eGFR < N); a hepatorenal syndrome (an acute kidney injury of cirrhosis, ICA 2015
# definition) counts at any severity while present
_RENAL_OR_HRS = ascii_re(
    r"(?:acute\s+or\s+chronic\s+)?severe\s+renal\s+insufficiency\s*\(\s*(?:estimated\s+)?glom\w*\s+filtration\s+rate\s*"
    r"(?:\((?:e?gfr)\)\s*)?<\s*(?P<n>\d+)\s*(?:milliliters?\s*\[ml\]|ml)\s*/\s*min(?:ute)?\s*/\s*1\.73\s*(?:square\s+met(?:er|re)s|m2|m²)"
    r"\s*\)\s*or\s+acute\s+renal\s+insufficiency\s+of\s+any\s+severity\s+due\s+to\s+(?:the\s+)?hepato-?renal\s+syndrome")


def _renal_or_hepatorenal(ctx: Context) -> list[Hit]:
    m = _RENAL_OR_HRS.search(ctx.lower)
    if m is None:
        return []
    node = AnyOf(children=[
        LabThreshold(analyte="egfr", comparator="<", value=float(m.group("n")), unit="mL/min/1.73m2",
                     label="acute or chronic severe renal insufficiency"),
        HistoryCondition(codes=["hepatorenal_syndrome"], status="active", label="hepato-renal syndrome")])
    return [Hit(m.start(), m.end(), node, priority=8, family="history")]


def scan_history(ctx: Context) -> list[Hit]:
    hits = _renal_or_hepatorenal(ctx)
    text = ctx.lower
    for pattern, code in _COND_RE:
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 40):m.start()]
            after = text[m.end():m.end() + 40]
            active = bool(_ACTIVE.search(before + m.group(0)))
            # "history of" before the term, or 病史/史 right after it (活动性结核病病史: a history of active TB)
            ever = bool(_EVER.search(before)) or bool(re.match(r"\s*(?:的)?(?:病史|既往史|史)", after))
            if code.endswith("|encephalopathy") and not (ever or re.match(r"[^;。]{0,40}?\bwithin\b", after)):
                continue  # a bare "encephalopathy" is read only as a history item ("no encephalopathy" may be current HE)
            if code == "heart_failure" and re.search(r"symptomatic\s+(?:chronic\s+)?$|(?:有症状的?|症状性)$", before):
                continue  # "symptomatic heart failure": NYHA >= II (criteria/families/organs.py), never any heart failure
            # "history of or current X", "active, known, or suspected X", "past or current": any, ever (issue 10:
            # read as active only, it admitted patients with a past episode)
            either = re.search(r"or\s+previously|or\s+(?:prior|past|previous)|或既往|history of or|(?:past|previous|prior),?\s+or|"
                               r"known,?\s+or|,\s*known|"
                               r"or\s+(?:a\s+)?history|或(?:有)?(?:既往|病史)|既往或", text[max(0, m.start() - 120):m.end()])  # a list may put the words far ahead
            # "既往有...活动性X" / "a history of active X": a past episode of active disease counts (ever)
            status: Literal["active", "ever"] = "active" if active and not (either or (ever and (re.search(
                r"既往|history of|previous|past", before) or re.match(r"\s*(?:的)?(?:病史|既往史|史)", after)))) else "ever"
            if code in ("coronary_artery_disease", "cardiomyopathy") and re.match(r"\s*(?:unstable|symptomatic)",
                                                                                 m.group(0)):
                status = "active"
            if code in ("active_tuberculosis", "severe_infection", "uncontrolled_hypertension", "arrhythmia"):
                status = "active" if code != "active_tuberculosis" or (active and not ever) else "ever"
                if code == "severe_infection" and ever and not active:
                    status = "ever"  # "history of any infection requiring IV antibiotics within 2 weeks": any episode
                # issue 10 (session 5): a bare "arrhythmias" without a qualifier or a word of the present is not only an
                # uncontrolled one: "Patients with arrhythmias" is the one the patient has now, active or controlled
                # (compiler/precision.py reads the present wording; a plain noun keeps its tense for review)
                if code == "arrhythmia" and not active and re.fullmatch(r"(?:cardiac\s+)?(?:arrhythmias?|dysrhythmias?)|心律失常",
                                                                        m.group(0)) \
                        and not re.search(r"(?:控制不[佳良]|未控制|不稳定|严重|有症状)的?\s*$", before):
                    status = "ever"
            start, end = m.start(), m.end()
            suffix = _ZH_HISTORY_SUFFIX.match(text, end)
            if suffix:
                end = suffix.end()
                status = "ever"
            sys_after = _SYSTEMIC_AFTER.match(text, end)
            # "pneumonitis/interstitial lung disease that required steroids": the qualifier after the pair covers both
            pair = re.match(r"\s*/\s*[a-z][a-z -]{2,40}?(?=\s+(?:that|which)\s+(?:has\s+|have\s+)?requir|\s+requir)", text[end:])
            paired_tx = bool(pair) and bool(_SYSTEMIC_AFTER.match(text, end + pair.end())) if pair else False
            sys_before = _SYSTEMIC_BEFORE.search(text[:start])
            # "requiring systemic treatment" qualifies the item it stands next to, not every item of the list
            # ("pneumonitis that required steroids or current pneumonitis": the second one has no qualifier)
            near = re.search(r"(?:requir\w*|需要?)[^;。]*$", before)
            between = before[near.end():] if near else ""
            loose = bool(_SYSTEMIC_TX.search(before + after)) and not re.search(r"\bor\b|或|;|,", between) \
                and not re.match(r"[^;。]{0,40}?\b(?:or|and)\b", after)
            sys_tx = True if (sys_after or sys_before or loose or paired_tx or (
                code in ("arrhythmia", "ventricular_arrhythmia") and re.search(r"requiring", m.group(0)))) else None
            if sys_after:
                end = sys_after.end()
            judged = _PER_INVESTIGATOR.match(text, end)
            if judged:  # "Hepatic encephalopathy, per the investigator's evaluation": who judges, not a new condition
                end = judged.end()
                if not ever and not either:
                    status = "active"  # the investigator's evaluation at screening is of the present state
            if sys_before:
                start = sys_before.start()
            if code == "ventricular_arrhythmia" and re.search(r"requiring|unstable|uncontrolled|poorly controlled|symptomatic",
                                                              m.group(0)):
                status = "active"
            if code == "encephalopathy_medication" or code == "dialysis":
                status = "active"  # a current requirement
            # "serious non-healing wound, ulcer, or bone fracture": a wound that does not heal and a fracture it
            # qualifies are present states (an unhealed fracture, not any fracture ever; bone_fracture is unhealed)
            # "evidence of / suffering from a (known) bleeding diathesis": a present state (an ITP in remission is not one)
            if code == "bleeding_disorder" and not ever and re.search(
                    r"(?:evidence of|presence of|suffering from|suffers from|current|存在|患有)\s*(?:\w+\s+){0,2}$", before):
                status = "active"
            if code.startswith("non_healing_wound") and not ever:
                status = "active"
            if code == "bone_fracture" and not ever and re.search(r"non-?healing|unhealed|未愈合|不愈合", text[:m.start()]):
                status = "active"
            # issue 10: "active GI bleeding within 6 months": a bleed is an event; one that was active at any time in the
            # window counts (read as 'active' now, a bleed that stopped last month was missed)
            if status == "active" and code in ("gi_bleeding", "variceal_bleeding", "gi_bleeding|variceal_bleeding") and \
                    re.match(r"[^;。]{0,40}?\b(?:within|in\s+the\s+(?:past|last))\s+(?:\d+|one|two|three|six|twelve)\b", text[m.end():]):
                status = "ever"
            if code == "hdv_infection":
                status = "active"
            if code == "seizure_disorder" and re.match(r"(?:uncontrolled|poorly controlled)", m.group(0)):
                status = "active"  # "uncontrolled seizures": a seizure disorder not controlled (whatever "history of")
            label = ctx.text[m.start():m.end()]
            significant = _SIGNIFICANT.search(text[:start])
            if significant:  # the qualifier is part of the item (see library.describe)
                start = significant.start()
                label = ctx.text[start:m.end()]
            # "serious infection > CTCAE grade 2", "infection requiring IV antibiotics / hospitalisation": CTCAE v5
            # grade >= 3 (Infections and infestations: "IV antibiotic, antifungal, or antiviral intervention indicated")
            graded = 3 if code == "severe_infection" and re.search(
                r"grade|\biv\b|intravenous|parenteral|hospitali", m.group(0)) else None
            # "History of Grade >= 4 venous thromboembolism", "Peripheral neuropathy Grade >= 2 (CTCAE v4.0)": the
            # CTCAE grade narrows the item (an exact grade without "or higher" is left unread)
            g_before = _GRADE_BEFORE.search(text[max(0, start - 40):start])
            g_after = _GRADE_AFTER.match(text, end)
            grade_m = g_after or g_before
            if graded is None and grade_m is not None:
                graded = _grade_limit(grade_m)
                if graded is not None:
                    if g_after is not None:
                        end = g_after.end()
                    else:
                        start = max(0, start - 40) + g_before.start()  # type: ignore[union-attr]
                        label = ctx.text[start:m.end()]
                    if not ever and code == "peripheral_neuropathy":
                        status = "active"  # a graded neuropathy named in the present is the current one
            node: Node = HistoryCondition(codes=code.split("|"), status=status, requires_systemic_treatment=sys_tx,
                                          min_grade=graded, label=label)
            # issue 10 (session 6): "uncontrolled bleeding / infection within 3 months" is not read: a bleed or infection
            # that resolved within the window may never have been uncontrolled (the record keeps today's state only)
            if m.group(0).lower().startswith("uncontrolled") and code in (
                    "bleeding|gi_bleeding|variceal_bleeding|intracranial_haemorrhage|spinal_haemorrhage|hemoptysis",
                    "infection|severe_infection") and (find_window(ctx.text) is not None or SINGLE_WINDOW.search(text)):
                node = NeedsReview(reason="whether a bleed or infection within the window was uncontrolled is not in the "
                                          "record")
            hits.append(Hit(start, end, node, priority=3, family="history",
                            windowed=code not in ("encephalopathy_medication", "dialysis", "cardiac_pacemaker",
                                                  "implantable_defibrillator")))
    # "within the past month" (no number): find_window reads only numbered windows, so the window is set here
    single = SINGLE_WINDOW.search(text)
    if single and find_window(ctx.text) is None:
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[single.group("u")]
        for h in hits:
            if isinstance(h.node, HistoryCondition) and h.windowed and h.start < single.start():
                h.node = h.node.model_copy(update={"look_back_days": days})
                h.end = max(h.end, single.end()) if not text[h.end:single.start()].strip(" ,") else h.end
    # issue 10: "Active autoimmune disease; Patients with type I diabetes mellitus, hypothyroidism requiring only hormone
    # replacement, psoriasis not requiring systemic treatment, or vitiligo are permitted for enrollment" (KEYNOTE wording):
    # the permitted kinds narrow the exclusion; the record's autoimmune entries are not typed by kind, so the exception is
    # kept for review (an exclusion narrowed by an exception still decides 'not met': compiler/compile.py)
    # (the exception sentence follows the rule's sentence: compiler/compile.py joins it to the rule before it)
    # "If GI bleeding was from a lesion ... appropriately treated and ... low risk per investigator judgement, enrollment
    # will be allowed": a conditional permission about a history item narrows the exclusion before it (not a note)
    if hits and _IF_ALLOWED.match(text):
        hits.append(Hit(0, len(text), NeedsReview(reason=f"exception not compiled: {ctx.text.strip()}"), priority=9,
                        family="history", extra={"absorb_admin": True}))
        return hits
    # (not in a residual-toxicity criterion: "hypothyroidism on replacement" there is an adverse event, recovery.py)
    for m in _AUTOIMMUNE_PERMITTED.finditer(text) if not re.search(r"grade|toxicit|adverse|ctcae|不良反应|毒性", text) else ():
        hits.append(Hit(m.start(), m.end(), NeedsReview(reason=f"exception not compiled: {ctx.text[m.start():m.end()]}"),
                        priority=3, family="history", extra={"absorb_admin": True}))
    for m in _REPLACEMENT_NOTE.finditer(text):
        hits.append(Hit(m.start(), m.end(), Administrative(category="permissive"), priority=1, family="admin",
                        extra={"category": "permissive"}))
    return hits


_GRADE_CMP = (r"(?P<cmp>≥|>=|>|greater than or equal to|greater than|higher than|of at least|at least|of)?\s*(?P<n>[1-5])"
              r"(?P<up>\s*or\s+(?:higher|greater|above|worse))?")
_GRADE_BEFORE = ascii_re(r"(?:ctcae\s+)?(?:v\d(?:\.\d+)?\s+)?grade\s*" + _GRADE_CMP + r"\s*(?:\((?:ctcae|common)[^)]*\)\s*)?$")
_GRADE_AFTER = ascii_re(r"\s*(?:\((?:ctcae|common)[^)]*\)\s*)?,?\s*(?:of\s+)?(?:ctcae\s+)?(?:v\d(?:\.\d+)?\s+)?grade\s*" + _GRADE_CMP
                        + r"(?:\s*(?:\((?:ctcae|common terminology)[^()]*(?:\[[^\]]*\][^()]*)?\)))?")


def _grade_limit(m: re.Match[str]) -> int | None:
    """The lowest CTCAE grade that counts: ">= 2" and "2 or higher" -> 2, "> 2" -> 3; an exact grade -> None."""
    n = int(m.group("n"))
    cmp = (m.group("cmp") or "").lower()
    if cmp in (">", "greater than", "higher than"):
        return n + 1 if n < 5 else None
    if cmp in ("≥", ">=", "greater than or equal to", "of at least", "at least") or m.group("up"):
        return n
    return None


# issue 10: the words up to "infection/positive" never cross "or"/"and"/a comma ("HIV or active tuberculosis infection":
# the tuberculosis is an item of its own, not part of the HIV hit)
_HIV = ascii_re(r"\bhiv\b(?:(?:(?!\bor\b|\band\b|或|和)[^;。,]){0,30}?(?:infection|positive|antibod\w*|感染|阳性|抗体|1/2))?"
                r"|human immunodeficiency virus"
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
_COINFECT = re.compile(r"co-?infect\w*[^;。]{0,30}?(?:hbv|hepatitis b)[^;。]{0,20}?(?:hcv|hepatitis c|\bc\s+virus)"
                       r"|dual\s+(?:active\s+)?(?:hbv|hepatitis b)(?:\s+infection)?\s+and\s+(?:active\s+)?(?:hcv|hepatitis c)(?:\s+infection)?"
                       r"|(?:hbv|hepatitis b|乙肝|乙型肝炎)[^;。]{0,15}?(?:and|和|与|合并)\s*(?:hcv|hepatitis c|丙肝|丙型肝炎)"
                       r"[^;。]{0,15}?(?:co-?infect\w*|合并感染|共感染|双重感染)", re.IGNORECASE)


# "Negative human immunodeficiency virus serology", "HIV antibody negative", "HIV阴性": a negative test result
_HIV_NEGATIVE = ascii_re(
    r"(?:sero)?negative\s+(?:for\s+)?(?:the\s+)?(?:hiv|human immunodeficiency virus)(?:\s*\(hiv\))?"
    r"(?:\s+(?:serology|test(?:ing)?|antibod(?:y|ies)|status|screen(?:ing)?))?"
    r"|(?:hiv|human immunodeficiency virus)(?:\s*\(hiv\))?(?:\s+(?:serology|test(?:ing)?|antibod(?:y|ies)|status|screen(?:ing)?))?"
    r"\s*(?:is\s+|must be\s+)?(?:sero)?negative|(?:hiv|艾滋病?病毒)(?:抗体)?(?:检测)?阴性")


def scan_virology(ctx: Context) -> list[Hit]:
    hits = []
    text = ctx.lower
    for m in _HIV.finditer(text):
        hits.append(Hit(m.start(), m.end(), Virology(marker="hiv"), priority=4, family="virology"))
    for m in _HIV_NEGATIVE.finditer(text) if ctx.role != "exclusion" else ():  # a negative result among exclusions: review
        hits.append(Hit(m.start(), m.end(), Not(child=Virology(marker="hiv")), priority=6, family="virology"))
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
                          r"|(?:the\s+)?treatment\s+components?"
                          r"|any\s+(?:other\s+)?agents?\s+(?:given|used|administered)\s+in\s+(?:the\s+course\s+of|association\s+with)\s+"
                          r"(?:this|the)\s+(?:trial|study)|other\s+agents\s+used\s+in\s+(?:this|the)\s+(?:trial|study)"
                          r"|试验药物|研究药物|本研究药物|试验用药|其辅料|excipients?|any component", re.IGNORECASE)
# The allergy hit spans its sentence: a "related compounds / excipients" rule is kept only when the words
# before the allergy word are lead-in filler and nothing after it narrows or adds ("within two weeks",
# "(Phase 2 only)", "renal failure"), else the precision audit sends it to review.
_ALLERGY_LEAD = re.compile(r"^(?:[\s,.:;-]*(?:patients?|subjects?|participants?|with|who|have|has|had|a|an|any|the|known|"
                           r"or|and|suspected|history|of|no|immediate|delayed|drug|documented|prior|previous|reaction|"
                           r"reactions)\b)*[\s,.:;-]*$|^[对既往有已知本试验研究用药物或其及和与辅料成分任何的、，,\s]*$", re.IGNORECASE)
_ALLERGY_TAIL = re.compile(r"\d|within|screening|phase|only|cohort|severe|grade|anaphyla|failure|infection|peritonitis|"
                           r"bleeding|disease|\bnot\b|\bexcept|unless", re.IGNORECASE)
_TRIAL_AGENTS = re.compile(r"(?:study|investigational|trial|test|related)\s+(?:drugs?|products?|agents?|medications?|treatment)"
                          r"|(?:the\s+)?treatment\s+components?|any\s+(?:other\s+)?agents?\s+(?:given|used|administered)\s+in\s+"
                          r"|other\s+agents\s+used\s+in\s+(?:this|the)\s+(?:trial|study)|试验药物|研究药物|本研究药物|试验用药", re.IGNORECASE)
_ALLERGY_NEGATION = re.compile(r"\b(?:no|not|without|never|denies|free of|absence of)\b|无|否认|没有", re.IGNORECASE)
_CONTRAST = re.compile(r"contrast (?:media|agents?)|造影剂|碘", re.IGNORECASE)
_RELATED = re.compile(r"chemically|related (?:to|compounds?|drugs?)|similar (?:chemical|drugs?|compounds?)|excipient|"
                      r"other rapamycins?|component|ingredient|formulation|辅料|同类|成分", re.IGNORECASE)


def scan_allergy(ctx: Context) -> list[Hit]:
    m = _ALLERGY.search(ctx.lower)
    if not m:
        return []
    from hcctrials.criteria.families.therapy import _CLASS_RE, all_mentions

    text = ctx.lower
    agents = [tid for _, _, tid, _ in all_mentions(ctx.text)]
    classes: list[str] = []
    for pattern, tags, _kinds in _CLASS_RE:
        if pattern.search(text):
            classes.extend(t for t in tags if t not in ("investigational", "trial_participation"))
    trial = bool(_TRIAL_DRUGS.search(text))
    if _CONTRAST.search(text):
        agents.append("contrast_media")
    from hcctrials.criteria.families.medications import allergy_extras

    extra_agents, extra_classes = allergy_extras(text)
    agents += extra_agents
    classes += extra_classes
    if not (agents or classes or trial):
        return []
    # the trial's agents (lexicon ids of its interventions) are the drugs of "allergy to the trial drugs";
    # the list may be incomplete and excipients/related compounds are not listed, so another recorded
    # allergy leaves such a rule unknown (``related``)
    # a class named by kind ("antibody products") cannot be enumerated by name: other allergies stay unknown
    related = (trial or bool(_RELATED.search(text)) or bool(extra_classes)) and bool(agents or classes or (trial and ctx.trial_drugs)) \
        and bool(_ALLERGY_LEAD.match(text[:m.start()])) and not _ALLERGY_TAIL.search(text[m.end():])
    if trial and _TRIAL_AGENTS.search(text):  # not for "X or its excipients" alone
        agents += list(ctx.trial_drugs)
    node: Node = Allergy(agents=list(dict.fromkeys(agents)), classes=list(dict.fromkeys(classes)), trial_drugs=trial,
                         related=related)
    # The hit spans the sentence, so a negation before the allergy word is read here ("No known allergy
    # to sorafenib" is the absence of the allergy; issue 10 found it read as requiring the allergy).
    if _ALLERGY_NEGATION.search(text[:m.start()]):
        node = Not(child=node)
    return [Hit(0, len(text), node, priority=7, family="allergy")]
