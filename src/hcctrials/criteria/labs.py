"""Laboratory thresholds: "ANC ≥1.5×10^9/L", "总胆红素≤2倍正常值上限", "ALT and AST ≤ 5 x ULN",
"Cre<1.5×the upper limit of normal value", "血小板≥40×10^9/L", "albumin ≥ 29g/L".

Names are the words registries use for labs (a grammar concern of this module; analyte codes
are those of :data:`hcctrials.model.patient.ANALYTES`).  Units are kept as written (cleaned);
conversion happens at evaluation through :mod:`hcctrials.units`.  Facts: hcc-domain.md s. 5.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import COMPARATOR, NUM, Context, Hit, parse_comparator, parse_number, trie_regex
from hcctrials.model.eligibility import AllOf, AnyOf, Comparator, LabThreshold, Node
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
)


def _analyte(name: str) -> str:
    code = resolve_analyte(name)
    if code is None:  # a programming error: every scanned name must be in the units table
        raise LookupError(f"lab name {name!r} is not in hcctrials.units.ANALYTE_ALIASES")
    return code


#: criterion-text lab name -> analyte code
LAB_NAMES: dict[str, str] = {name: _analyte(name) for name in _SCANNED_NAMES}
_PAIR_NAMES = {  # one name for two analytes
    "转氨酶": ("alt", "ast"), "transaminases": ("alt", "ast"), "aminotransferases": ("alt", "ast"),
}

_names = sorted({*LAB_NAMES, *_PAIR_NAMES}, key=len, reverse=True)
_ZH_NAMES = [n for n in _names if re.match(r"[\u4e00-\u9fff]", n)]
_EN_NAMES = [n for n in _names if n not in _ZH_NAMES]
_NAME = rf"(?:(?<![a-z]){trie_regex(_EN_NAMES)}(?![a-z])|{trie_regex(_ZH_NAMES)})"
_NAME_GROUP = rf"{_NAME}(?:\s*(?:\([^()]{{1,50}}\))?\s*(?:\band\b|\bor\b|/|,|和|及|与|或)\s*{_NAME})*"
_ULN = (r"(?:x|times|倍|fold)?\s*(?:the\s+)?(?:institutional\s+)?(?:upper\s+limits?\s+of\s+(?:the\s+)?normal"
        r"(?:\s+(?:value|range|limit))?(?:\s*\(uln\))?|uln|正常值?上限|正常值高限|正常范围上限|正常参考值上限"
        r"|参考值上限)(?:\s*\(uln\))?")
_UNIT = (r"(?:x\s*10\^\d+\s*/\s*(?:l|ul|mm3|mm\^3)|10\^\d+\s*/\s*l|/\s*(?:mm3|mm\^3|ul|μl)|cells?\s*/\s*(?:mm3|ul)"
         r"|g\s*/\s*dl|g\s*/\s*l|mg\s*/\s*dl|mg\s*/\s*l|umol\s*/\s*l|mmol\s*/\s*l|ml\s*/\s*min(?:\s*/\s*1\.73\s*m\^?2)?"
         r"|iu\s*/\s*ml|iu\s*/\s*l|u\s*/\s*l|ng\s*/\s*ml|copies\s*/\s*ml|mmhg|%|msecs?|milliseconds?|毫秒|ms|sec(?:onds)?|s(?![a-z])|秒"
         r"|k\s*/\s*ul|g\s*/\s*24\s*h(?:ours?)?)")
_VALUE = rf"(?P<num>{NUM})\s*(?:(?P<uln>{_ULN})|(?P<unit>{_UNIT}))?"
_LAB = re.compile(
    rf"(?P<names>{_NAME_GROUP})(?P<gap>[^0-9<>≤≥;]{{0,40}}?)(?P<cmp>{COMPARATOR})\s*{_VALUE}"
    rf"(?P<suffix>\s*(?:以上|以下|以内))?",
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
_SPLIT_NAMES = re.compile(r"\s*(?:\([^()]{1,50}\))?\s*(?:\band\b|\bor\b|/|,|和|及|与|或)\s*", re.IGNORECASE)


def _unit_clean(unit: str | None) -> str | None:
    if not unit:
        return None
    u = re.sub(r"\s+", "", unit)
    u = u.lower().replace("x10^", "10^").replace("mm^3", "mm3")
    table = {"g/dl": "g/dL", "g/l": "g/L", "mg/dl": "mg/dL", "mg/l": "mg/L", "umol/l": "umol/L",
             "mmol/l": "mmol/L", "iu/ml": "IU/mL", "iu/l": "IU/L", "u/l": "U/L", "ng/ml": "ng/mL",
             "copies/ml": "copies/mL", "mmhg": "mmHg", "msec": "ms", "msecs": "ms", "millisecond": "ms",
             "milliseconds": "ms", "毫秒": "ms", "sec": "s", "seconds": "s", "秒": "s",
             "k/ul": "10^9/L", "/mm3": "/mm3", "/ul": "/uL", "ml/min": "mL/min"}
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
    return LabThreshold(analyte=analyte, comparator=cmp, value=value, unit=unit)


# cheap pre-check: a lab threshold needs a digit and a comparator word or sign
_QUICK = re.compile(r"\d") 
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


def scan_labs(ctx: Context) -> list[Hit]:
    """Every lab threshold in the text, with conditional ULN alternatives folded in."""
    if not _QUICK.search(ctx.lower) or not _QUICK_CMP.search(ctx.lower):
        return []
    hits = _scan_bp(ctx)
    for m in _LAB.finditer(ctx.lower):
        analytes = _analytes(m.group("names"))
        if not analytes:
            continue
        cmp = parse_comparator(m.group("cmp"))
        suffix = (m.group("suffix") or "").strip()
        if cmp == "==" and suffix:
            cmp = ">=" if suffix == "以上" else "<="
        elif cmp == "==":
            continue  # "albumin of 29 g/L": no direction stated; left for review, never guessed
        if not m.group("uln") and not m.group("unit") and analytes[0] not in ("inr", "upcr"):
            continue  # a unitless number is never a lab threshold except INR and the protein/creatinine
            # ratio (a ratio of two masses: unitless = mg/mg = g/g; never guess a unit)
        thresholds = [_leaf(a, cmp, m) for a in analytes]
        leaves: list[Node] = list(thresholds)
        end = m.end()
        rest = ctx.lower[end:end + 120]
        cond = _CONDITIONAL.match(rest) or _CONDITIONAL_ZH.match(rest)
        if cond and m.group("uln"):
            alt_cmp = parse_comparator(cond.group("cmp"))
            alt_value = parse_number(cond.group("num"))
            from hcctrials.criteria.compile import compile_fragment  # local: avoids an import cycle

            condition = compile_fragment(ctx.text[end + cond.start("cond"):end + cond.end("cond")], ctx)
            leaves = [
                AnyOf(children=[leaf, AllOf(children=[
                    LabThreshold(analyte=leaf.analyte, comparator=alt_cmp, uln_multiple=alt_value),
                    condition])])
                for leaf in thresholds
            ]
            end += cond.end()
        node = leaves[0] if len(leaves) == 1 else AllOf(children=leaves)
        hits.append(Hit(m.start(), end, node, priority=5, family="lab"))
    for m in _LAB_AFTER.finditer(ctx.lower):
        analytes = _analytes(m.group("names"))
        if not analytes or any(h.start <= m.start() < h.end for h in hits):
            continue
        cmp = ">=" if re.match(r"以上|or\s+(?:more|above|higher|greater)", m.group("after")) else "<="
        leaves = [_leaf(a, cmp, m) for a in analytes]
        node = leaves[0] if len(leaves) == 1 else AllOf(children=leaves)
        hits.append(Hit(m.start(), m.end(), node, priority=5, family="lab"))
    return hits
