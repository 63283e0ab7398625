"""Laboratory thresholds: "ANC ≥1.5×10^9/L", "总胆红素≤2倍正常值上限", "ALT and AST ≤ 5 x ULN",
"Cre<1.5×the upper limit of normal value", "血小板≥40×10^9/L", "albumin ≥ 29g/L".

Names are the words registries use for labs (a grammar concern of this module; analyte codes
are those of :data:`hcctrials.model.patient.ANALYTES`).  Units are kept as written (cleaned);
conversion happens at evaluation through :mod:`hcctrials.units`.  Facts: hcc-domain.md s. 5.
"""

from __future__ import annotations

import dataclasses
import re

from hcctrials.criteria.grammar import COMPARATOR, NUM, Context, Hit, parse_comparator, parse_number, trie_regex
from hcctrials.model.eligibility import AllOf, AnyOf, Comparator, LabThreshold, Medication, NeedsReview, Node, Not
from hcctrials.units import resolve_analyte

__all__ = ["scan_labs", "LAB_NAMES"]

#: Lab names the compiler scans criteria text for (longest first).  Which analyte each name
#: means comes from the one alias table in hcctrials.units; this list only chooses the names
#: that are safe to look for in free text (the units table also knows words such as "got",
#: "na" or "k" that would match ordinary English here).
_SCANNED_NAMES: tuple[str, ...] = (
    'absolute neutrophil count', 'absolute neutrophils count', 'neutrophil count', 'neutrophils',
    'neutrophil', 'anc', 'neut', '中性粒细胞绝对计数', '中性粒细胞绝对值', '中性粒细胞计数', '中性粒细胞', 'platelet count',
    'platelets', 'platelet', 'plt', '血小板计数', '血小板', 'hemoglobin', 'haemoglobin', 'hgb', 'hb', '血红蛋白',
    'white blood cell count', 'white blood cells', 'white blood cell', 'leukocytes', 'leukocyte count',
    'wbc', '白细胞计数', '白细胞', 'lymphocyte count', 'lymphocytes', 'lymph', '淋巴细胞计数', '淋巴细胞',
    'serum total bilirubin', 'total serum bilirubin', 'total bilirubin', 'serum bilirubin',
    'bilirubin', 'tbil', 'tbili', '血清总胆红素', '总胆红素', '胆红素', 'serum albumin', 'albumin', 'alb', '血清白蛋白',
    '白蛋白', 'alanine aminotransferase', 'alanine transaminase', 'sgpt', 'alt', '谷丙转氨酶', '丙氨酸氨基转移酶',
    '丙氨酸转氨酶', 'aspartate aminotransferase', 'aspartate transaminase', 'sgot', 'ast', '谷草转氨酶',
    '天冬氨酸氨基转移酶', '天门冬氨酸氨基转移酶', 'alkaline phosphatase', 'alp', '碱性磷酸酶', 'gamma-glutamyl transferase',
    'ggt', '谷氨酰转移酶', 'serum creatinine', 'creatinine', 'scr', 'cre', 'cr', '血清肌酐', '血肌酐', '肌酐',
    'calculated creatinine clearance', 'creatinine clearance rate', 'creatinine clearance', 'crcl',
    'ccr', '肌酐清除率', '内生肌酐清除率', 'estimated glomerular filtration rate', 'glomerular filtration rate',
    'egfr', '肾小球滤过率', 'international normalized ratio', 'international normalised ratio', 'inr',
    '国际标准化比率', '国际标准化比值', 'activated partial thromboplastin time', 'aptt', 'ptt', '活化部分凝血活酶时间',
    '部分凝血活酶时间', 'prothrombin time', 'pt', '凝血酶原时间', 'alpha-fetoprotein', 'alpha fetoprotein', 'afp',
    '甲胎蛋白', 'hbv dna', 'hbv-dna', '乙肝病毒dna', 'hbv病毒载量', 'hcv rna', 'hcv-rna', 'serum sodium', 'sodium',
    '血钠', 'potassium', '血钾', 'lipase', 'amylase', '脂肪酶', '淀粉酶', 'systolic blood pressure',
    'systolic bp', 'sbp', '收缩压', 'diastolic blood pressure', 'diastolic bp', 'dbp', '舒张压', 'systolic',
    'diastolic', 'left ventricular ejection fraction', 'lvef', '左心室射血分数', '射血分数', 'qtc', 'qtcf',
    'qtc interval', 'qtcf interval', 'corrected qt interval', 'qt interval corrected', 'corrected qt',
    '校正qt间期', 'qtc间期', 'ejection fraction', 'cardiac ejection fraction',
    'left ventricular ejection fraction (lvef)', 'upc ratio', 'urine protein:creatinine (upc) ratio',
    'urine protein creatinine ratio', 'upcr', 'urine protein:creatinine ratio',
    'urine protein-creatinine ratio', 'urine protein to creatinine ratio',
    'urine protein/creatinine ratio', '尿蛋白肌酐比', '尿蛋白/肌酐比值', '尿蛋白肌酐比值', '24-hour urine protein',
    '24h urine protein', '24小时尿蛋白',
    # issue 10 (lab lists): lipids and total calcium; PTT spelled out
    'triglycerides', 'triglyceride', '甘油三酯', 'cholesterol', 'total cholesterol', '胆固醇', '总胆固醇',
    'calcium', 'serum calcium', 'total calcium', 'total serum calcium', '血钙', 'partial thromboplastin time',
    # issue 10 (session 6): ionised and albumin-corrected calcium (their own analytes); glycated haemoglobin (NGSP %)
    'ionized calcium', 'ionised calcium', 'corrected calcium', 'corrected serum calcium', 'albumin-corrected calcium',
    '离子钙', '校正钙', '校正血钙',
    'hba1c', 'hemoglobin a1c', 'haemoglobin a1c', 'glycated hemoglobin', 'glycated haemoglobin', 'glycosylated hemoglobin',
    'glycosylated haemoglobin', '糖化血红蛋白',
)


def _analyte(name: str) -> str:
    code = resolve_analyte(name)
    if code is None:  # a programming error: every scanned name must be in the units table
        raise LookupError(f"lab name {name!r} is not in hcctrials.units.ANALYTE_ALIASES")
    return code


#: criterion-text lab name -> analyte code
LAB_NAMES: dict[str, str] = {name: _analyte(name) for name in _SCANNED_NAMES}
#: spellings the units table does not list, read as the name they spell (European abbreviations ASAT/ALAT;
#: "creatinin", "creatininemia" = serum creatinine; a measured clearance is a creatinine clearance)
_VARIANT_NAMES = {"asat": "ast", "alat": "alt", "creatinin": "creatinine", "creatininemia": "creatinine",
                  "créatinine": "creatinine", "measured creatinine clearance": "creatinine clearance",
                  "measured or calculated creatinine clearance": "creatinine clearance",
                  "calculated or measured creatinine clearance": "creatinine clearance",
                  # "absolute granulocyte count" is the neutrophil count of older protocols: CTCAE v3.0 grades
                  # "Neutrophils/granulocytes (ANC/AGC)" as one item with the same limits
                  "absolute granulocyte count": "anc", "absolute granulocytes": "anc", "granulocyte count": "anc",
                  "granulocytes": "anc", "粒细胞计数": "anc", "serum cholesterol": "cholesterol",
                  # SGOT / SGPT spelled out
                  "serum glutamate oxaloacetate transaminase": "ast", "serum glutamic oxaloacetic transaminase": "ast",
                  "glutamate oxaloacetate transaminase": "ast", "glutamic oxaloacetic transaminase": "ast",
                  "serum glutamate pyruvate transaminase": "alt", "serum glutamic pyruvic transaminase": "alt",
                  "glutamate pyruvate transaminase": "alt", "glutamic pyruvic transaminase": "alt",
                  # "Aspartate aminotransaminase (AST)/alanine aminotransaminase (ALT)" (NCT01306058)
                  "aspartate aminotransaminase": "ast", "alanine aminotransaminase": "alt",
                  # the French / German spelling of neutrophils (NCT00351195 "neutrophiles > 1,5 x 109/l")
                  "neutrophiles": "anc",
                  # "glycated hemoglobin (Hb1Ac)" (NCT02210182), "HbA1C": the same test
                  "hb1ac": "hba1c",
                  # prothrombin activity (% of normal) in Japanese-English records ("Prothrombin activation is 40% or above")
                  "prothrombin activation": "pt_activity", "prothrombin activity": "pt_activity"}
LAB_NAMES.update({name: _analyte(canonical) for name, canonical in _VARIANT_NAMES.items()})
_PAIR_NAMES = {  # one name for two analytes
    "转氨酶": ("alt", "ast"), "transaminases": ("alt", "ast"), "aminotransferases": ("alt", "ast"),
}

_names = sorted({*LAB_NAMES, *_PAIR_NAMES}, key=len, reverse=True)
_ZH_NAMES = [n for n in _names if re.match(r"[\u4e00-\u9fff]", n)]
_EN_NAMES = [n for n in _names if n not in _ZH_NAMES]
_NAME = rf"(?:(?<![a-z]){trie_regex(_EN_NAMES)}(?![a-z])|{trie_regex(_ZH_NAMES)})"
_NAME_GROUP = rf"{_NAME}(?:\s*(?:\([^()]{{1,50}}\))?\s*(?:,\s*(?:and|or)\b|\band\s*/\s*or\b|\band\b|\bor\b|/|,|和|及|与|或)\s*{_NAME})*"
_ULN = (r"(?:x|times|倍|fold)?\s*(?:the\s+)?(?:institutional\s+)?(?:upper\s+normal\s+limits?|upper\s+limits?\s+(?:of\s+)?(?:the\s+)?normal"
        r"(?:\s+(?:value|range|limit))?(?:\s*\((?:i?uln)\))?|uln|iuln|unl(?![a-z])|正常值?上限|正常值高限|正常范围上限|正常参考值上限"
        r"|参考值上限)(?:\s*\(uln\))?")
_VOL_WORD = r"(?:deciliters?|decilitres?|milliliters?|millilitres?|microliters?|microlitres?|liters?|litres?|mcl)"
_UNIT = (rf"(?:gm\s*/\s*dl|(?:grams?|milligrams?|nanograms?|micromol(?:es)?|g|mg|ng|umol)\s*/\s*{_VOL_WORD}(?:\s*\((?:dl|ml|l|ul|μl)\))?"
         rf"|x?\s*10\^\d+\s*/\s*{_VOL_WORD}(?:\s*\((?:ul|μl|l)\))?|/\s*{_VOL_WORD}(?:\s*\((?:ul|μl)\))?"
         r"|x\s*10\^\d+\s*/\s*(?:l|ul|mm3|mm\^3)|10\^\d+\s*/\s*l|/\s*(?:mm3|mm\^3|ul|μl|mc(?![a-z]))|cells?\s*/\s*(?:mm3|ul)"
         r"|g\s*/\s*dl|g\s*/\s*l|mg\s*/\s*dl|mg\s*/\s*l|umol\s*/\s*l|mmol\s*/\s*l|ml\s*/\s*min(?:\s*/\s*1\.73\s*m\^?2)?"
         r"|iu\s*/\s*ml|iu\s*/\s*l|u\s*/\s*l|ng\s*/\s*ml|copies\s*/\s*ml|mm\s*hg|millimeters of mercury(?:\s*\[mmhg\])?"
         r"|milliliters?\s*/\s*minute|ml\s*/\s*minute|%|msecs?|milliseconds?|毫秒|ms|sec(?:onds)?|s(?![a-z])|秒"
         r"|k\s*/\s*ul|g\s*/\s*24\s*h(?:ours?)?|meq\s*/\s*l)")
_VALUE = rf"(?P<num>{NUM})\s*(?:(?P<uln>{_ULN})|(?P<unit>{_UNIT}))?"
_LAB = re.compile(
    rf"(?P<names>{_NAME_GROUP})(?P<gap>[^0-9<>≤≥;]{{0,40}}?)(?P<cmp>{COMPARATOR})\s*{_VALUE}"
    rf"(?P<suffix>\s*(?:以上|以下|以内))?",
    re.IGNORECASE,
)
# "Total bilirubin <= ULN", "AST/ALT within normal limits" is not read: only a comparator before the bare ULN (1 x ULN)
_LAB_ULN_ONLY = re.compile(
    rf"(?P<names>{_NAME_GROUP})(?P<gap>[^0-9<>≤≥;]{{0,30}}?)(?P<cmp>{COMPARATOR})\s*(?P<uln>(?:the\s+)?(?:institutional\s+)?"
    r"(?:upper\s+limits?\s+(?:of\s+)?(?:the\s+)?normal(?:\s+(?:value|range|limit))?(?:\s*\(i?uln\))?|i?uln|正常值?上限|正常范围上限))"
    r"(?![a-z0-9])",
    re.IGNORECASE,
)
# "中性粒细胞1.5×10^9/L以上", "platelets 75 x10^9/L or more": the comparator after the value
_LAB_AFTER = re.compile(
    rf"(?P<names>{_NAME_GROUP})(?P<gap>[^0-9<>≤≥;]{{0,12}}?)(?P<num>{NUM})\s*(?:(?P<uln>{_ULN})|(?P<unit>{_UNIT}))\s*"
    r"(?P<after>以上|以下|or\s+(?:more|above|higher|greater|less|below|lower))",
    re.IGNORECASE,
)
# "(≤ 5 x ULN for patients with liver metastases)" / "(肝转移者≤5倍ULN)"
_CONDITIONAL = re.compile(
    rf"^\s*[,(]?\s*(?:or\s+)?(?P<cmp>{COMPARATOR})\s*(?P<num>{NUM})\s*(?P<uln>{_ULN})\s*"
    r"(?:for|in|if)\s+(?:patients|subjects|participants)?\s*(?:with|who\s+have)?\s*(?P<cond>[^);]{3,80})\)?",
    re.IGNORECASE,
)
_CONDITIONAL_ZH = re.compile(
    rf"^\s*[,(]?\s*(?P<cond>[^();,<>≤≥]{{2,30}}?)(?:者|患者|的患者)\s*(?P<cmp>{COMPARATOR})\s*(?P<num>{NUM})\s*"
    rf"(?P<uln>{_ULN})\s*\)?"
)
#: conditions every HCC patient meets (the tumour is in the liver): "liver involvement", "hepatic tumour involvement",
#: "HCC", 肝癌.  Liver *metastases* are not among them (a primary liver tumour is not a metastasis; left for review).
_EVERY_HCC_PATIENT = re.compile(
    r"(?:(?:known\s+)?(?:hepatic|liver)\s+(?:tumou?r\s+)?involvement(?:\s+(?:by|of)\s+(?:the\s+)?(?:tumou?r|cancer|hcc))?"
    r"|(?:hepatocellular carcinoma|hcc|liver cancer|primary liver cancer)(?:\s*\(hcc\))?|(?:肝脏?受累|肝癌|肝细胞癌|肝细胞肝癌|原发性肝癌))",
    re.IGNORECASE)
_SPLIT_NAMES = re.compile(r"\s*(?:\([^()]{1,50}\))?\s*(?:,\s*(?:and|or)\b|\band\s*/\s*or\b|\band\b|\bor\b|/|,|和|及|与|或)\s*", re.IGNORECASE)


def _unit_clean(unit: str | None) -> str | None:
    if not unit:
        return None
    u = re.sub(r"\s+", "", unit)
    u = u.lower().replace("x10^", "10^").replace("mm^3", "mm3")
    u = re.sub(r"\((?:dl|ml|l|ul|μl)\)$", "", u)  # "mg/deciliter (dL)": the abbreviation restates the word
    if u == "gm/dl":
        return "g/dL"
    if u.startswith("millimetersofmercury") or u == "mmhg":
        return "mmHg"
    if re.fullmatch(r"(?:milliliters?|ml)/minute", u):
        return "mL/min"
    for word, symbol in (("milligram", "mg"), ("nanogram", "ng"), ("micromole", "umol"), ("micromol", "umol"),
                         ("gram", "g"), ("deciliter", "dl"), ("decilitre", "dl"), ("milliliter", "ml"), ("millilitre", "ml"),
                         ("microliter", "ul"), ("microlitre", "ul"), ("mcl", "ul"), ("liter", "l"), ("litre", "l")):
        u = re.sub(rf"{word}s?(?![a-z])", symbol, u)
    table = {"g/dl": "g/dL", "g/l": "g/L", "mg/dl": "mg/dL", "mg/l": "mg/L", "umol/l": "umol/L",
             "mmol/l": "mmol/L", "iu/ml": "IU/mL", "iu/l": "IU/L", "u/l": "U/L", "ng/ml": "ng/mL",
             "copies/ml": "copies/mL", "mmhg": "mmHg", "msec": "ms", "msecs": "ms", "millisecond": "ms",
             "milliseconds": "ms", "毫秒": "ms", "sec": "s", "seconds": "s", "秒": "s",
             "k/ul": "10^9/L", "/mm3": "/mm3", "/ul": "/uL", "/mc": "/uL", "ml/min": "mL/min",
             "meq/l": "mEq/L"}
    if u.startswith("10^"):
        power, _, per = u[3:].partition("/")
        return f"10^{power}/{'L' if per == 'l' else per}"
    if u.startswith("ml/min/1.73"):
        return "mL/min/1.73m2"
    if u.startswith("cells/") or u.startswith("cell/"):
        return "/" + u.split("/", 1)[1]
    if u.startswith("g/24"):
        return "g/24h"
    return table.get(u, u)


def _analytes(names: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT_NAMES.split(names):
        key = part.strip().lower()
        if key in _PAIR_NAMES:
            out.extend(_PAIR_NAMES[key])
        elif key in LAB_NAMES:
            out.append(LAB_NAMES[key])
    return list(dict.fromkeys(out))


def _leaf(analyte: str, cmp: Comparator, m: re.Match[str]) -> LabThreshold:
    value = parse_number(m.group("num"))
    if m.group("uln"):
        return LabThreshold(analyte=analyte, comparator=cmp, uln_multiple=value)
    unit = _unit_clean(m.group("unit"))
    if unit == "10^6/L":  # "75,000 x 10^6/L" (cells per litre in millions) = 75 x 10^9/L, exactly
        value, unit = value / 1000, "10^9/L"
    return LabThreshold(analyte=analyte, comparator=cmp, value=value, unit=unit)


# cheap pre-check: a lab threshold needs a digit and a comparator word or sign
_QUICK = re.compile(r"\d")
_QUICK_ULN = re.compile(r"uln|upper limit|上限", re.IGNORECASE)
_QUICK_CMP = re.compile(COMPARATOR[3:-1].replace("|of|", "|").replace("|is|", "|") + r"|以上|以下|or\s+(?:more|above|higher|greater|less|below|lower)",
                        re.IGNORECASE)


# "blood pressure >150/100 mmHg", "血压≥160/100 mmHg": systolic and diastolic in one threshold
_BP = re.compile(rf"(?:blood pressure|\bbp\b|(?<!高)血压)[^0-9;。]{{0,30}}?(?P<cmp>{COMPARATOR})\s*(?P<s>\d{{2,3}})\s*/\s*(?P<d>\d{{2,3}})"
                 r"\s*(?:mm\s*hg)", re.IGNORECASE)


def _scan_bp(ctx: Context) -> list[Hit]:
    """"BP > 150/100 mmHg" -> any of (SBP > 150, DBP > 100) for '>'/'>=' (either value high is a high
    pressure); "BP < 140/90" -> all of (SBP < 140, DBP < 90) (both must be below)."""
    hits = []
    for m in _BP.finditer(ctx.lower):
        cmp = parse_comparator(m.group("cmp"))
        if cmp == "==":
            continue
        leaves: list[Node] = [
            LabThreshold(analyte="systolic_bp", comparator=cmp, value=float(m.group("s")), unit="mmHg"),
            LabThreshold(analyte="diastolic_bp", comparator=cmp, value=float(m.group("d")), unit="mmHg")]
        node = AnyOf(children=leaves) if cmp in (">", ">=") else AllOf(children=leaves)
        hits.append(Hit(m.start(), m.end(), node, priority=6, family="lab"))
    return hits


def named_analytes(text: str) -> list[str]:
    """Analytes whose names occur in *text* (lab names as the scanner reads them)."""
    lower = text.lower()
    return _analytes(" , ".join(m.group(0) for m in re.finditer(_NAME, lower, re.IGNORECASE)))


# "ionized calcium", "corrected serum calcium", "fasting glucose": another quantity than the analyte named after the
# word (total calcium is neither the ionised nor the albumin-corrected value); the words stay for review
_OTHER_QUANTITY = re.compile(r"(?:ioni[sz]ed|corrected|adjusted|free|游离|校正)[\s-]*$", re.IGNORECASE)


def _other_quantity(lower: str, start: int, analytes: list[str], gap: str | None = None) -> bool:
    """True when the hit must not be read: the analyte is a qualified other quantity ("ionized calcium"), or
    the words between the names and the comparator name another lab ("PT or INR, and partial thromboplastin
    time (PTT) <= 1.2 x ULN" must not lose the PTT; a restatement such as "(ALT)" of a read name is fine)."""
    if "calcium" in analytes and _OTHER_QUANTITY.search(lower[max(0, start - 20):start]):
        return True
    if gap:
        named = set(_analytes(" , ".join(n.group(0) for n in re.finditer(_NAME, gap, re.IGNORECASE))))
        return not named <= set(analytes)
    return False


# "a partial thromboplastin time (PTT) <= 5 seconds above the ULN", "PT 6 seconds above control": a limit relative to
# the reference value, which no absolute threshold states (left unread, so the criterion stays for review)
_ABOVE_REFERENCE = re.compile(r"\s*(?:above|over|greater than|more than|longer than|beyond)\s+(?:the\s+)?"
                              r"(?:uln|upper limits?|control|normal|institutional)", re.IGNORECASE)


# "neutrophiles > 1,5 x 109/l" (NCT00351195): a comma followed by one or two digits is a decimal comma (a thousands
# separator groups three digits); read as the same-length decimal point so "1,5" is 1.5, never 15 or 1
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}(?![\d,]))")


# "without transfusion support within the past 30 days": only with a stated window (a bare "without transfusion" has
# none the record could be checked against; left for review)
_WITHOUT_TRANSFUSION = re.compile(
    r"\s*,?\s*(?:without|independent\s+of|not\s+requiring)\s+(?:(?:platelet|red\s+(?:blood\s+)?cell|blood)\s+)?"
    r"transfusions?(?:\s+support)?\s+(?:within|in|during)\s+(?:the\s+)?(?:past|last|prior|previous|preceding)\s+"
    r"(?P<n>\d{1,3})\s*(?P<u>days?|weeks?)", re.IGNORECASE)


def scan_labs(ctx: Context) -> list[Hit]:
    """Every lab threshold in the text, with conditional ULN alternatives folded in."""
    if not (_QUICK.search(ctx.lower) or _QUICK_ULN.search(ctx.lower)) or not _QUICK_CMP.search(ctx.lower):
        return []
    if _DECIMAL_COMMA.search(ctx.lower):
        ctx = _with_lower(ctx, _DECIMAL_COMMA.sub(".", ctx.lower))
    hits = _scan_bp(ctx)
    for m in _LAB.finditer(ctx.lower):
        analytes = _analytes(m.group("names"))
        if not analytes or _other_quantity(ctx.lower, m.start(), analytes, m.group("gap")):
            continue
        if re.fullmatch(r"\d+,\d{1,2}", m.group("num").strip()):
            continue  # "neutrophils > 1,5 x 10^9/l": a decimal comma (thousands have three digits); never read as 15
        cmp = parse_comparator(m.group("cmp"))
        suffix = (m.group("suffix") or "").strip()
        if cmp == "==" and suffix:
            cmp = ">=" if suffix == "以上" else "<="
        elif cmp == "==":
            continue  # "albumin of 29 g/L": no direction stated; left for review, never guessed
        if not m.group("uln") and not m.group("unit") and analytes[0] not in ("inr", "upcr"):
            continue  # a unitless number is never a lab threshold except INR and the protein/creatinine
            # ratio (a ratio of two masses: unitless = mg/mg = g/g; never guess a unit)
        if _ABOVE_REFERENCE.match(ctx.lower, m.end()):
            continue  # "PTT <= 5 seconds above the ULN": an offset above the reference, not "PTT <= 5 s" (for review)
        thresholds = [_leaf(a, cmp, m) for a in analytes]
        leaves: list[Node] = list(thresholds)
        end = m.end()
        rest = ctx.lower[end:end + 120]
        cond = _CONDITIONAL.match(rest) or _CONDITIONAL_ZH.match(rest)
        if cond and m.group("uln"):
            alt_cmp = parse_comparator(cond.group("cmp"))
            alt_value = parse_number(cond.group("num"))
            cond_text = ctx.text[end + cond.start("cond"):end + cond.end("cond")]
            if _EVERY_HCC_PATIENT.fullmatch(cond_text.strip(" .,)")):
                # "(< 5 x ULN for patients with liver involvement)": every patient here has HCC, a tumour in the
                # liver, so the limit for liver involvement is the one that applies (in an inclusion and in an
                # exclusion: "AST > 3 x ULN (> 5 x ULN with liver involvement)" excludes above 5 x ULN)
                leaves = [LabThreshold(analyte=leaf.analyte, comparator=alt_cmp, uln_multiple=alt_value) for leaf in thresholds]
            else:
                condition = (ctx.compile_fragment(cond_text, ctx) if ctx.compile_fragment is not None
                             else NeedsReview(reason=f"condition not compiled: {cond_text.strip()}"))
                leaves = [
                    AnyOf(children=[leaf, AllOf(children=[
                        LabThreshold(analyte=leaf.analyte, comparator=alt_cmp, uln_multiple=alt_value),
                        condition])])
                    for leaf in thresholds
                ]
            end += cond.end()
        alt = _ALTERNATIVE.match(ctx.lower, end)
        if alt and not cond:  # "Creatinine > 1.5 x ULN (or >= 2.0 mg/dl)": either threshold
            alt_cmp = parse_comparator(alt.group("cmp"))
            if alt_cmp != "==" and (alt.group("uln") or alt.group("unit")):
                leaves = [AnyOf(children=[leaf, _leaf(a, alt_cmp, alt)]) for leaf, a in zip(leaves, analytes)]
                end = alt.end()
        node = _group(leaves, ctx, m.group("names"))
        support = _WITHOUT_TRANSFUSION.match(ctx.lower, end)
        if support and analytes in (["platelets"], ["hemoglobin"]):
            # "Platelets >= 60,000/mcL without transfusion support within the past 30 days" (NCT01306058): the count
            # must not rest on a transfusion given in the window
            agent = "platelet_transfusion" if analytes == ["platelets"] else "red_cell_transfusion"
            days = int(support.group("n")) * (7 if support.group("u").startswith("week") else 1)
            given = Medication(agents=[agent], within_days=days, label=" ".join(ctx.text[support.start():support.end()].split()))
            node = AllOf(children=[node, Not(child=given)]) if ctx.role != "exclusion" else node
            end = support.end() if ctx.role != "exclusion" else end
        hits.append(Hit(m.start(), end, node, priority=5, family="lab"))
    for m in _LAB_ULN_ONLY.finditer(ctx.lower):
        analytes = _analytes(m.group("names"))
        cmp = parse_comparator(m.group("cmp"))
        if not analytes or cmp == "==" or any(h.start <= m.start() < h.end for h in hits) \
                or _other_quantity(ctx.lower, m.start(), analytes, m.group("gap")):
            continue
        leaves = [LabThreshold(analyte=a, comparator=cmp, uln_multiple=1.0) for a in analytes]
        hits.append(Hit(m.start(), m.end(), _group(leaves, ctx), priority=5, family="lab"))
    for m in _LAB_AFTER.finditer(ctx.lower):
        analytes = _analytes(m.group("names"))
        if not analytes or any(h.start <= m.start() < h.end for h in hits) \
                or _other_quantity(ctx.lower, m.start(), analytes, m.group("gap")):
            continue
        cmp = ">=" if re.match(r"以上|or\s+(?:more|above|higher|greater)", m.group("after")) else "<="
        leaves = [_leaf(a, cmp, m) for a in analytes]
        hits.append(Hit(m.start(), m.end(), _group(leaves, ctx), priority=5, family="lab"))
    hits = _clearance_scope(hits, ctx)
    return [_defined(h, ctx, alone=not any(o.start >= h.end for o in hits)) for h in hits]


def _with_lower(ctx: Context, lower: str) -> Context:
    """*ctx* with another lowered text of the same length (positions stay valid)."""
    return dataclasses.replace(ctx, lower=lower)


# "Creatinine <= 2X IULN or Creatinine clearance > 60 mL/min for patients with creatinine levels greater than IULN"
# (NCT03253289), "... OR creatinine clearance >= 40mL/min/1.73 m^2 for patients with creatinine levels above
# institutional normal" (NCI template): the clause names whom the clearance alternative is for, it adds no requirement
_CLEARANCE_SCOPE = re.compile(
    r"\s*,?\s*(?:\(?\s*(?:as\s+)?calculated\s+(?:by|using|with)\s+(?:the\s+)?cockcroft[- ]gault(?:\s+formula)?\s*\)?\s*,?\s*)?"
    r"for\s+(?:patients|subjects|participants)\s+with\s+(?:serum\s+)?creatinine(?:\s+levels?)?\s+"
    rf"(?:(?P<cmp>{COMPARATOR})\s*(?:(?P<num>{NUM})\s*(?:x|times|×)?\s*)?|above\s+)"
    r"(?:(?:the\s+)?(?:institutional\s+)?(?:upper\s+limits?\s+of\s+normal|i?uln|normal(?:\s+limits?)?)"
    r"|(?:the\s+)?institutional\s+(?:upper\s+limits?\s+of\s+)?normal)(?![a-z])"
    # "..., as calculated by the Cockcroft Gault formula" (NCT01306058): the clearance the leaf reads falls back to it
    r"(?:\s*,?\s*\(?\s*(?:as\s+)?calculated\s+(?:by|using|with)\s+(?:the\s+)?cockcroft[- ]gault(?:\s+formula)?\s*\)?)?",
    re.IGNORECASE)


def _clearance_scope(hits: list[Hit], ctx: Context) -> list[Hit]:
    """Fold "for patients with creatinine levels > m x ULN" into the clearance threshold before it.

    "creatinine <= k x ULN or clearance >= c for patients with creatinine > m x ULN" is "creatinine <= k x ULN or
    clearance >= c" whenever the two branches cover every creatinine (m <= k; m < k when the first is strict):
    a patient above m x ULN may use the clearance, one at or below k x ULN passes the first branch.  The scope is
    consumed (no "creatinine > m x ULN" requirement is joined to the rule); with a gap between the branches
    nothing is folded and the words stay as they are read."""
    out = list(hits)
    folded: list[Hit] = []
    for i, hit in enumerate(hits):
        leaves = _lab_leaves(hit.node)
        if not leaves or any(leaf.analyte not in ("creatinine_clearance", "egfr") for leaf in leaves):
            continue
        m = _CLEARANCE_SCOPE.match(ctx.lower, hit.end)
        if m is None:
            continue
        cmp = parse_comparator(m.group("cmp")) if m.group("cmp") else ">"
        if cmp not in (">", ">="):
            continue
        scope = parse_number(m.group("num")) if m.group("num") else 1.0
        first = [leaf for h in hits if h.end <= hit.start for leaf in _lab_leaves(h.node)
                 if leaf.analyte == "creatinine" and leaf.uln_multiple is not None and leaf.comparator in ("<", "<=")]
        if not first:
            continue
        k = first[-1]
        assert k.uln_multiple is not None  # the list keeps only limits with a multiple
        if scope > k.uln_multiple or (scope == k.uln_multiple and k.comparator == "<" and cmp == ">"):
            continue
        out[i] = Hit(hit.start, m.end(), hit.node, priority=hit.priority, family=hit.family, extra=hit.extra)
        folded.append(out[i])
    # the "creatinine > m x ULN" read inside the folded scope is part of it
    return [h for h in out if not any(o is not h and o.start <= h.start and h.end <= o.end for o in folded)]


#: a condition defined by the lab threshold after it, and the analytes that can define it
_DEFINED_CONDITIONS: tuple[tuple[str, frozenset[str]], ...] = (
    (r"an(?:a)?emia|贫血", frozenset({"hemoglobin"})),
    (r"thrombocytopenia|血小板减少", frozenset({"platelets"})),
    (r"neutropenia|中性粒细胞减少", frozenset({"anc"})),
    (r"leukopenia|白细胞减少", frozenset({"wbc"})),
    (r"(?:renal|kidney)\s+(?:impairment|insufficiency|dysfunction|failure|function)|肾功能(?:不全|损害|异常|障碍)?",
     frozenset({"creatinine", "creatinine_clearance", "egfr"})),
    (r"(?:hepatic|liver)\s+(?:impairment|insufficiency|dysfunction)|hyperbilirubin(?:a)?emia|jaundice|黄疸",
     frozenset({"bilirubin_total", "bilirubin_direct"})),
    (r"hypoalbumin(?:a)?emia|低白蛋白血症", frozenset({"albumin"})),
    (r"coagulopathy|凝血功能(?:异常|障碍)", frozenset({"inr", "pt", "aptt"})),
    (r"hypertension|(?:high\s+)?blood pressure|高血压", frozenset({"systolic_bp", "diastolic_bp"})),
    # "uncontrolled diabetes, defined as HbA1c >= 8%": the glycaemic limit is the condition
    (r"diabetes(?:\s+mellitus)?|糖尿病", frozenset({"hba1c", "glucose"})),
    # "Uncontrolled or symptomatic hypercalcemia (ionized calcium > 1.5 mmol/L, calcium > 12 mg/dL or corrected serum
    # calcium > ULN)" (NCT05482516): the limits are the hypercalcaemia the criterion names
    (r"hypercalc(?:a)?emia|高钙血症", frozenset({"calcium", "calcium_ionised", "calcium_corrected"})),
)
_DEFINED_BEFORE = re.compile(
    r"(?P<neg>(?<![a-z])(?:no|without|absence of)\s+)?(?:(?:presence|evidence)\s+of\s+)?(?:known\s+)?(?:current\s+)?"
    r"(?P<cond>(?:(?:clinically\s+(?:significant|relevant)|significant|severe|moderate(?:\s+(?:or|to)\s+severe)?|uncontrolled|"
    r"impaired|marked|adequate|inadequate|inadequately\s+controlled|poorly\s+controlled"
    # "Uncontrolled or symptomatic hypercalcemia (...)": two qualifiers of the one condition the limits define
    r"|uncontrolled\s+or\s+symptomatic|symptomatic\s+or\s+uncontrolled)\s+)*"
    rf"(?:{'|'.join(p for p, _ in _DEFINED_CONDITIONS)}))\s*(?:,\s*)?(?:[(（]\s*|(?:which\s+is\s+|as\s+)?defined\s+(?:as|by)\s*(?:an?\s+)?"
    r"|i\.e\.,?\s*|定义为)$", re.IGNORECASE)


def _defined(hit: Hit, ctx: Context, *, alone: bool) -> Hit:
    """"No severe anemia, defined as hemoglobin < 10 g/dL", "clinically significant renal impairment, defined as
    a creatinine clearance < 60 mL/min", "Impaired kidney function (creatinin > 150 umol/l)": the threshold
    *is* the condition named before it, qualifier included; the leaf carries that name (``label``) so the
    rule says what it stands for, and "no" before the condition negates it."""
    before = ctx.lower[max(0, hit.start - 90):hit.start]
    m = _DEFINED_BEFORE.search(before)
    if not m or m.group("neg") and (not alone or ctx.role == "exclusion"):
        # "No hypertension, defined as SBP > 150 or DBP > 90": the negation covers thresholds joined later, which
        # this hit cannot wrap; "without ..." in an exclusion list may be a requirement copied there: both for review
        return hit
    cond = m.group("cond").strip()
    leaves = [n for n in _lab_leaves(hit.node)]
    analytes = {leaf.analyte for leaf in leaves}
    if not any(re.search(rf"{pattern}$", cond) and analytes <= allowed for pattern, allowed in _DEFINED_CONDITIONS):
        return hit
    start = max(0, hit.start - 90) + m.start()
    label = " ".join(ctx.text[max(0, hit.start - 90) + m.start("cond"):max(0, hit.start - 90) + m.end("cond")].split())
    node = _relabel(hit.node, label)
    if m.group("neg"):
        node = Not(child=node)
    end = hit.end
    close = re.match(r"\s*\)", ctx.lower[end:])
    if close and "(" in ctx.lower[start:hit.start]:
        end += close.end()
    return Hit(start, end, node, priority=hit.priority, family=hit.family, extra=hit.extra)


def _lab_leaves(node: Node) -> list[LabThreshold]:
    if isinstance(node, LabThreshold):
        return [node]
    if isinstance(node, (AllOf, AnyOf)):
        return [leaf for child in node.children for leaf in _lab_leaves(child)]
    return []


def _relabel(node: Node, label: str) -> Node:
    if isinstance(node, LabThreshold):
        return node.model_copy(update={"label": label})
    if isinstance(node, (AllOf, AnyOf)):
        return node.model_copy(update={"children": [_relabel(c, label) for c in node.children]})
    return node


# "Prothrombin time or international normalized ratio": one clotting test expressed two ways, either suffices
_PT_OR_INR = re.compile(r"(?:\bpt\b|prothrombin time)\s*(?:\([^()]{1,10}\))?\s*(?:\bor\b|/)\s*(?:\binr\b|international normali[sz]ed ratio)"
                        r"|(?:\binr\b|international normali[sz]ed ratio)\s*(?:\([^()]{1,10}\))?\s*(?:\bor\b|/)\s*(?:\bpt\b|prothrombin time)",
                        re.IGNORECASE)


def _group(leaves: list[Node], ctx: Context, names: str = "") -> Node:
    """Several labs under one threshold ("ALT and AST <= 5 x ULN", "ASAT, ALAT > 3 x ULN"): an inclusion asks
    every one to be within the limit; an exclusion lists abnormal values, any one of which excludes
    (whatever the joining word: "AST or ALT" in an inclusion, "AST and ALT" in an exclusion are the
    registries' loose wording for the same organ-function rule)."""
    if len(leaves) == 1:
        return leaves[0]
    if ctx.role != "exclusion" and _PT_OR_INR.search(names):
        clotting: list[Node] = [leaf for leaf in leaves if isinstance(leaf, LabThreshold) and leaf.analyte in ("pt", "inr")]
        if len(clotting) == 2:
            rest = [leaf for leaf in leaves if not any(leaf is c for c in clotting)]
            either: Node = AnyOf(children=clotting)
            return AllOf(children=[either, *rest]) if rest else either
    return AnyOf(children=leaves) if ctx.role == "exclusion" else AllOf(children=leaves)


# "(or >= 2.0 mg/dl)" right after a threshold: a second, alternative threshold of the same lab
_ALTERNATIVE = re.compile(rf"\s*[,(]?\s*(?:or|或)\s+(?P<cmp>{COMPARATOR})\s*{_VALUE}\s*\)?", re.IGNORECASE)
