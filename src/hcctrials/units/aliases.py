"""Lab names (English and Chinese) and LOINC codes -> canonical analyte codes.

Analyte codes are those of :data:`hcctrials.model.patient.ANALYTES`.  LOINC codes from
``hcc-domain.md`` §6.1 (total bilirubin 1975-2 / 14631-6, albumin 1751-7, INR 6301-6,
creatinine 2160-0 / 14682-9, platelets 777-3, neutrophils 751-8, haemoglobin 718-7, ALT 1742-6,
AST 1920-8, sodium 2951-2, AFP 1834-1) plus common companions (verify against the LOINC
release in use).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ANALYTE_ALIASES", "LOINC_TO_ANALYTE", "ECOG_LOINC", "KARNOFSKY_LOINC",
           "resolve_analyte"]

ECOG_LOINC = "89247-1"
KARNOFSKY_LOINC = "89243-0"

LOINC_TO_ANALYTE: dict[str, str] = {
    "1975-2": "bilirubin_total", "14631-6": "bilirubin_total", "42719-5": "bilirubin_total",
    "1968-7": "bilirubin_direct", "14629-0": "bilirubin_direct",
    "1751-7": "albumin", "61151-7": "albumin", "2862-1": "albumin",
    "6301-6": "inr", "34714-6": "inr", "46418-0": "inr",
    "5902-2": "pt_prolongation",  # PT in seconds (prolongation is derived against control)
    "5894-1": "pt_activity",
    "3173-2": "aptt", "14979-9": "aptt",  # aPTT in blood / platelet-poor plasma (seconds)
    "2160-0": "creatinine", "14682-9": "creatinine", "38483-4": "creatinine",
    "2164-2": "creatinine_clearance", "33914-3": "egfr", "62238-1": "egfr", "98979-8": "egfr",
    "2951-2": "sodium", "2947-0": "sodium", "2823-3": "potassium", "6298-4": "potassium",
    "777-3": "platelets", "26515-7": "platelets",
    "751-8": "anc", "26499-4": "anc", "753-4": "anc",
    "6690-2": "wbc", "26464-8": "wbc", "731-0": "lymphocytes", "26474-7": "lymphocytes",
    "718-7": "hemoglobin", "20509-6": "hemoglobin",
    "1742-6": "alt", "1744-2": "alt", "1920-8": "ast", "30239-8": "ast",
    "6768-6": "alp", "2324-2": "ggt",
    "1834-1": "afp", "19176-7": "afp", "83074-5": "afp",
    "48580-1": "pivka2",
    "42595-9": "hbv_dna", "29615-2": "hbv_dna", "20442-0": "hbv_dna",
    "11011-4": "hcv_rna", "20416-4": "hcv_rna",
    "2888-6": "urine_protein", "20454-5": "urine_protein", "5804-0": "urine_protein",
    "2889-4": "urine_protein_24h", "2890-2": "upcr",
    "3016-3": "tsh", "3040-3": "lipase", "1798-8": "amylase",
    "2345-7": "glucose", "2093-3": "cholesterol", "2571-8": "triglycerides",
    "17861-6": "calcium", "2000-8": "calcium",  # total calcium, serum/plasma (mass, moles)
    "4548-4": "hba1c", "17856-6": "hba1c",
    "1994-3": "calcium_ionised",  # ionised calcium, blood (moles)  # haemoglobin A1c/haemoglobin.total in blood (any method, HPLC), %
    "8480-6": "systolic_bp", "8462-4": "diastolic_bp", "10230-1": "lvef", "8636-3": "qtc",
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "bilirubin_total": ("total bilirubin", "bilirubin", "bilirubin total", "serum bilirubin",
                        "tbil", "t-bil", "tbili", "t bil", "bili", "总胆红素", "血清总胆红素",
                        "胆红素", "血胆红素"),
    "bilirubin_direct": ("direct bilirubin", "conjugated bilirubin", "dbil", "d-bil",
                         "直接胆红素", "结合胆红素"),
    "albumin": ("albumin", "serum albumin", "alb", "白蛋白", "血清白蛋白", "血白蛋白"),
    "inr": ("inr", "international normalized ratio", "international normalised ratio",
            "pt-inr", "pt inr", "国际标准化比值", "国际标准化比率"),
    "pt_prolongation": ("pt prolongation", "prothrombin time prolongation",
                        "prothrombin time prolonged", "凝血酶原时间延长", "pt延长"),
    "pt_activity": ("pta", "prothrombin activity", "prothrombin time activity",
                    "凝血酶原活动度"),
    "creatinine": ("creatinine", "serum creatinine", "cr", "scr", "crea", "cre", "肌酐",
                   "血肌酐", "血清肌酐"),
    "creatinine_clearance": ("creatinine clearance", "crcl", "ccr", "calculated creatinine clearance",
                             "肌酐清除率", "内生肌酐清除率"),
    "egfr": ("egfr", "estimated glomerular filtration rate", "glomerular filtration rate", "gfr",
             "估算肾小球滤过率", "肾小球滤过率"),
    "sodium": ("sodium", "serum sodium", "na", "血钠", "钠"),
    "potassium": ("potassium", "serum potassium", "k", "血钾", "钾"),
    "platelets": ("platelets", "platelet", "platelet count", "plt", "血小板", "血小板计数"),
    "anc": ("anc", "absolute neutrophil count", "neutrophils", "neutrophil count",
            "neutrophil", "neut", "中性粒细胞绝对计数", "中性粒细胞计数", "中性粒细胞绝对值",
            "中性粒细胞"),
    "wbc": ("wbc", "white blood cells", "white blood cell count", "white blood cell",
            "leukocytes", "leukocyte count", "白细胞", "白细胞计数"),
    "lymphocytes": ("lymphocytes", "lymphocyte count", "absolute lymphocyte count", "alc",
                    "淋巴细胞", "淋巴细胞计数", "淋巴细胞绝对值"),
    "hemoglobin": ("hemoglobin", "haemoglobin", "hb", "hgb", "血红蛋白"),
    "alt": ("alt", "alanine aminotransferase", "alanine transaminase", "sgpt", "gpt",
            "谷丙转氨酶", "丙氨酸氨基转移酶", "丙氨酸转氨酶"),
    "ast": ("ast", "aspartate aminotransferase", "aspartate transaminase", "sgot", "got",
            "谷草转氨酶", "天门冬氨酸氨基转移酶", "天冬氨酸氨基转移酶", "天冬氨酸转氨酶"),
    "alp": ("alp", "alkaline phosphatase", "akp", "碱性磷酸酶"),
    "ggt": ("ggt", "gamma-glutamyl transferase", "gamma glutamyl transferase", "γ-gt",
            "gamma-gt", "r-gt", "谷氨酰转肽酶", "γ-谷氨酰转移酶", "γ-谷氨酰转肽酶"),
    "afp": ("afp", "alpha-fetoprotein", "alpha fetoprotein", "α-fetoprotein", "甲胎蛋白",
            "α-甲胎蛋白"),
    "pivka2": ("pivka-ii", "pivka ii", "pivka2", "dcp", "des-gamma-carboxy prothrombin",
               "异常凝血酶原"),
    "hbv_dna": ("hbv dna", "hbv-dna", "hepatitis b virus dna", "乙肝病毒dna", "hbv dna定量"),
    "hcv_rna": ("hcv rna", "hcv-rna", "hepatitis c virus rna", "丙肝病毒rna"),
    "urine_protein": ("urine protein", "proteinuria", "urine dipstick protein", "尿蛋白",
                      "尿常规蛋白"),
    "urine_protein_24h": ("24-hour urine protein", "24 hour urine protein", "24h urine protein",
                          "urine protein 24h", "24小时尿蛋白", "24小时尿蛋白定量", "24h尿蛋白"),
    "upcr": ("upcr", "urine protein creatinine ratio", "urine protein/creatinine ratio",
             "urine protein to creatinine ratio", "尿蛋白肌酐比", "尿蛋白/肌酐比值"),
    "tsh": ("tsh", "thyroid stimulating hormone", "促甲状腺激素"),
    "lipase": ("lipase", "脂肪酶"), "amylase": ("amylase", "淀粉酶"),
    "glucose": ("glucose", "blood glucose", "fasting glucose", "血糖", "空腹血糖"),
    "cholesterol": ("cholesterol", "total cholesterol", "胆固醇", "总胆固醇"),
    "triglycerides": ("triglycerides", "triglyceride", "甘油三酯"),
    # total calcium only: ionised and albumin-corrected calcium are other quantities (not aliased)
    "calcium": ("calcium", "serum calcium", "total calcium", "total serum calcium", "ca", "血钙", "钙"),
    "calcium_ionised": ("ionized calcium", "ionised calcium", "calcium ionized", "calcium, ionized", "free calcium",
                        "离子钙"),
    "calcium_corrected": ("corrected calcium", "corrected serum calcium", "albumin-corrected calcium",
                          "albumin corrected calcium", "adjusted calcium", "校正钙", "校正血钙"),
    "hba1c": ("hba1c", "hemoglobin a1c", "haemoglobin a1c", "glycated hemoglobin", "glycated haemoglobin",
              "glycosylated hemoglobin", "glycosylated haemoglobin", "糖化血红蛋白"),
    "systolic_bp": ("systolic blood pressure", "sbp", "systolic", "收缩压"),
    "diastolic_bp": ("diastolic blood pressure", "dbp", "diastolic", "舒张压"),
    "lvef": ("lvef", "left ventricular ejection fraction", "ejection fraction",
             "左心室射血分数", "左室射血分数", "射血分数"),
    "qtc": ("qtc", "qtcf", "corrected qt interval", "qtc间期", "校正qt间期"),
    "aptt": ("aptt", "activated partial thromboplastin time", "ptt", "partial thromboplastin time",
             "活化部分凝血活酶时间", "部分凝血活酶时间"),
    "pt": ("pt", "prothrombin time", "凝血酶原时间"),
}


#: Further spellings met in eligibility-criteria text (hcctrials.criteria scans for them).
_MORE_ALIASES: dict[str, tuple[str, ...]] = {
    'anc': ('absolute neutrophils count',),
    'lymphocytes': ('lymph',),
    'bilirubin_total': ('serum total bilirubin', 'total serum bilirubin',),
    'ggt': ('谷氨酰转移酶',),
    'creatinine_clearance': ('creatinine clearance rate',),
    'hbv_dna': ('hbv病毒载量',),
    'qtc': ('qtc interval', 'qtcf interval', 'qt interval corrected', 'corrected qt',),
    'lvef': ('cardiac ejection fraction',),
    'upcr': ('upc ratio', 'urine protein:creatinine (upc) ratio', 'urine protein:creatinine ratio', 'urine protein-creatinine ratio', '尿蛋白肌酐比值',),
}


def _key(name: str) -> str:
    t = unicodedata.normalize("NFKC", name).strip().lower()
    t = re.sub(r"[\s_]+", " ", t)
    t = re.sub(r"\s*\(.*?\)\s*$", "", t)  # trailing "(TBIL)" style parentheses
    return t.strip(" :：,，.")


#: normalised name -> analyte code (English, abbreviations, Chinese).
ANALYTE_ALIASES: dict[str, str] = {}
for _code, _names in _ALIASES.items():
    ANALYTE_ALIASES[_key(_code)] = _code
    for _n in _names:
        ANALYTE_ALIASES[_key(_n)] = _code
for _code, _names in _MORE_ALIASES.items():
    for _n in _names:
        ANALYTE_ALIASES.setdefault(_key(_n), _code)


def resolve_analyte(name: str) -> str | None:
    """Map a lab name ("TBIL", "总胆红素", "serum creatinine") or LOINC code to an analyte code.

    Returns ``None`` when the name is not known (never a guess).
    """
    if not name:
        return None
    stripped = name.strip()
    if stripped in LOINC_TO_ANALYTE:
        return LOINC_TO_ANALYTE[stripped]
    key = _key(stripped)
    if key in ANALYTE_ALIASES:
        return ANALYTE_ALIASES[key]
    # "总胆红素(TBIL)" -> try the part in brackets too
    m = re.search(r"[（(]\s*([^)）]+?)\s*[)）]", stripped)
    if m:
        inner = _key(m.group(1))
        if inner in ANALYTE_ALIASES:
            return ANALYTE_ALIASES[inner]
        outer = _key(stripped[: m.start()])
        if outer in ANALYTE_ALIASES:
            return ANALYTE_ALIASES[outer]
    return None
