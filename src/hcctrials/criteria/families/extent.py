"""HCC tumour extent and portal hypertension items (EN + ZH): measurable disease, PVTT levels, varices.

* "At least one measurable lesion per RECIST 1.1", "Measurable disease according to mRECIST",
  "At least one tumor lesion that can be accurately measured ... according to RECIST", "根据mRECIST标准，
  至少有一个可测量病灶", "at least one measurable lesion ... not previously treated with locoregional
  therapy", "未经局部治疗的可测量病灶" -> ``TumourFeature(measurable_disease | measurable_disease_mrecist |
  measurable_untreated | measurable_untreated_mrecist)``; "measurable or evaluable disease" ->
  ``evaluable_disease``.  A definition tail is absorbed only when it restates the RECIST 1.1 thresholds
  (>= 10 mm, lymph node short axis >= 15 mm); any other number stays for review.
* "Vp4", "main portal vein invasion", "门静脉主干癌栓", "PVTT Vp1-Vp3", "lobar portal vein branches",
  "Cheng's type III/IV" (程氏分型), "hepatic vein invasion", "caval thrombosis" -> ``TumourFeature``.
* "No advanced stage disease (i.e., either portal invasion [segmental portal obstruction] or extrahepatic
  spread)" (inclusion only) -> not (any PVTT level, extrahepatic spread): the text's own definition.
* "Untreated or incompletely treated esophageal or gastric varices with bleeding or high risk for
  bleeding", "varices that require intervention", "红色征", "高危静脉曲张" -> ``LiverFeature(varices_high_risk)``;
  "endoscopy (EGD / 胃镜) within 6 months" -> ``LiverFeature(endoscopy, look_back_days)``.
Whole criteria with a part the record cannot show (:func:`read_extent_criterion`, tried before the sentence
scanners, exclusion lists only; the unreadable part stays a needs-review child that can only keep the answer open):

* "Any episode of bleeding from oesophageal varices or other uncontrolled bleeding within the last 3 months prior to
  study treatment initiation" (NCT02716012): any of (a variceal bleed in the 90 days; a bleed of any other site in
  the 90 days *and* needs review, since whether it was "uncontrolled" is not recorded).  A variceal bleed in the
  window meets it; no bleeding of any site in the window (history reviewed, or recorded absent) does not.
* "Patients with a history of bleeding varices in previous 1 year are excluded (unless patient has subsequently had
  a liver transplant. Those with gastric varices or varices that are deemed as high risk by the endoscopist should
  be placed on appropriate medical therapy as advised by the gastroenterologist." (NCT01306058): a variceal bleed
  within 365 days, unless a liver transplant followed it.  No transplant recorded absent (or a reviewed history
  without one): the bleed decides; a recorded transplant needs review (the record does not order it against the
  bleed).  The second sentence is an instruction to the treating team, not an eligibility condition.
* "Portal venous (main, primary right, or primary left trunks) or inferior vena cava thrombosis." (NCT01618253):
  any of (a tumour thrombus in the main or a first-order branch, Vp3-Vp4; a caval tumour thrombus; a bland portal
  vein thrombosis (condition ``portal_vein_thrombosis``) or venous thromboembolism recorded now, needing review as
  the record does not say which vessel it occupies).  No Vp3/Vp4, no caval thrombus and no bland thrombosis
  (history reviewed or recorded absent) is not met.

Facts: hcc-domain.md s. 2.2 (Vp and Cheng classifications), s. 3 and s. 9; response-and-endpoints.md
s. 1.1 and 2 (measurability).  Months are 30 days (docs/criteria.md conventions).
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import COMPARATOR, NUM, Context, Hit, ascii_re, parse_comparator, parse_number, to_int
from hcctrials.model.eligibility import (
    Administrative, AllOf, AnyOf, HistoryCondition, LiverFeature, NeedsReview, Node, Not, Role, TumourFeature,
)

__all__ = ["scan_measurable", "scan_pvtt", "scan_varices", "scan_burden", "read_extent_criterion",
           "UNCONTROLLED_BLEEDING_REASON", "TRANSPLANT_ORDER_REASON", "BLAND_THROMBUS_SITE_REASON"]

#: reasons of the needs-review parts of :func:`read_extent_criterion`
UNCONTROLLED_BLEEDING_REASON = "whether a bleed of another site was uncontrolled is not in the record"
TRANSPLANT_ORDER_REASON = "whether the liver transplant followed the variceal bleeding is not in the record"
BLAND_THROMBUS_SITE_REASON = "which vein a bland (non-tumour) thrombosis occupies is not in the record"

# ------------------------------------------------------------------ measurable disease

_RECIST = (r"(?:(?:revised\s+)?(?:(?P<m>m(?:odified)?[- ]?recist|modified response evaluation criteria in solid tumou?rs?)"
           r"|recist|response (?:evaluation )?criteria (?:in|for) solid tumou?rs?)"
           r"(?:\s*[(\[]\s*m?recist\s*[)\]])?(?:\s*(?:criteria|guidelines?))?(?:\s*,?\s*(?:version|ver\.?|v)?\s*1\.[01])?"
           r"(?:\s*[(\[]\s*(?:eisenhauer[^)\]]{0,30})[)\]])?(?:\s*(?:criteria|guidelines?|标准))?)")
_VIA = (r"(?:(?:as\s+)?(?:defined|assessed|evaluated|measured|determined|confirmed)\s+)?(?:according\s+to|per|by|using|based\s+on"
        r"|as\s+per|in\s+accordance\s+with|as\s+defined\s+by|which\s+(?:are|is)\s+defined\s+by|under|following"
        r"|根据|按照|依据|参照|按|基于)\s*(?:the\s+)?")
_IMAGING = (r"(?:(?:spiral|multi-?slice|helical|contrast[- ]enhanced|dynamic|/)\s*)*(?:ct|mri|computed tomography|magnetic resonance imaging)"
            r"(?:\s*[(\[](?:ct|mri)[)\]])?(?:[- ]scans?)?")
_IMAGING_TAIL = rf"\s*(?:by|on|with|using|as\s+measured\s+by)\s+{_IMAGING}(?:\s*(?:or|and|/)\s*{_IMAGING})*"
_TEN_MM = r"(?:10\s*mm|1(?:\.0)?\s*cm)"
# ">10 mm" is not absorbed: RECIST 1.1 counts a 10 mm lesion, a definition "> 10 mm" does not (NCT03253289 stays for review)
_DEFINITION = (rf"\s*,?\s*(?:(?:defined|is defined)\s+as|i\.e\.,?|with\s+(?:target\s+)?lesion\s+size)[^;。]{{0,140}}?(?:≥|at least)\s*{_TEN_MM}"
               rf"(?:[^;。]{{0,30}}?(?:in\s+the\s+)?longest\s+diameter)?(?:[^;。]{{0,70}}?(?:≥|at least)\s*(?:15\s*mm|1\.5\s*cm)"
               r"(?:\s+in\s+case\s+of\s+a\s+lymph\s+node)?)?"
               rf"(?:{_IMAGING_TAIL})?"
               rf"|\s*[(\[]\s*(?:≥|at least)\s*{_TEN_MM}[^)\]]{{0,100}}[)\]]")
_UNTREATED_TAIL = (r"\s*,?\s*(?:and\s+)?(?:(?:that|which)\s+(?:has|have)\s+not\s+(?:been\s+)?(?:previously\s+)?|not\s+previously\s+)"
                   r"(?:treated|subjected|irradiated)(?:\s+(?:with|to|by)\s+(?:any\s+)?(?:prior\s+)?"
                   r"(?:local|locoregional|loco-regional|liver[- ]directed|regional)\s*(?:therapy|treatment)s?)?(?:\s*\([^)]*\))?"
                   r"|\s*,?\s*(?:未经|未接受过|未行)(?:过)?(?:局部|局部区域|介入)?治疗(?:的)?")
_UNTREATED_PRE = r"(?:untreated|previously untreated|non-?treated|未经(?:过)?(?:局部)?治疗的?|未接受过局部治疗的?)"
_LESION = (r"(?:(?:tumou?r(?:al)?\s+|hcc\s+|intrahepatic\s+(?:tumou?r\s+)?|liver\s+|target\s+|marker\s+|metastatic\s+)?"
           r"(?:lesions?|disease|sites?\s+of\s+disease|target\s+lesions?|tumou?rs?)(?:\s*\(\s*s\s*\))?)")
_CORE = ascii_re(
    # "at least one measurable lesion", "measurable disease", "measurable or evaluable disease", "1 unidimensionally measurable site"
    rf"(?:(?:at least|≥|>=|more than|one or more)\s*(?:one|1)\s+(?:\(1\)\s+)?)?(?:(?P<pre>{_UNTREATED_PRE})\s+)?"
    rf"(?:uni-?dimensional(?:ly)?\s+)?(?:(?P<eval1>evaluable|assessable)\s*(?:or|and/or|/)\s*)?(?:measur(?:e)?able)"
    rf"(?:\s*(?:or|and/or|/)\s*(?P<eval2>evaluable|assessable|non-?measurable))?\s+(?:hcc\s+|intrahepatic\s+|liver\s+)?{_LESION}"
    # "at least one tumor lesion that can be accurately measured in at least one dimension"
    rf"|(?:at least|≥)\s*(?:one|1)\s+(?:(?:uni-?dimensional|hcc|tumou?r|intrahepatic|target)\s+){{0,3}}(?:lesions?|target\s+lesions?|sites?\s+of\s+disease)"
    r"\s+(?:that|which)?\s*(?:can|could|is|are)\s+(?:be\s+)?(?:accurately\s+)?(?:measured|assessable|evaluable|measurable)"
    r"(?:\s+in\s+at\s+least\s+(?:one|1)\s+dimension)?(?:\s*\(longest diameter to be recorded\))?"
    r"|(?:at least|≥)\s*(?:one|1)\s+(?:(?:uni-?dimensional|hcc|tumou?r|intrahepatic|target)\s+){0,3}(?:target\s+)?lesions?\s+"
    r"(?:(?:that|which)\s+(?:is|are|can\s+be)\s+)?(?:assessable|evaluable|measurable)"
    # "having measurable target lesions", "measurable target lesion(s)" handled above; Chinese:
    r"|(?:至少|≥|>=)\s*(?:有|具有|存在)?\s*(?:1|一)\s*个[^;。,]{0,12}?(?P<zhpre>未经(?:过)?(?:局部)?治疗的?)?(?:可测量|可评估|可测)(?:的)?(?:肿瘤)?(?:病灶|靶病灶)"
    r"|(?:具有|有|存在)?(?P<zhpre2>未经(?:过)?(?:局部)?治疗的?)?(?:可测量|可评估)(?:的)?(?:肿瘤)?(?:病灶|靶病灶|疾病)"
)
_NEAR_RECIST = ascii_re(rf"{_RECIST}(?:\s*(?P<both>/|or|and/or|and|或|和|及)\s*{_RECIST.replace('?P<m>', '?P<m2>')})?")
_VIA_RECIST = ascii_re(rf"\s*,?\s*(?:{_VIA})?[(\[]?\s*{_RECIST}(?:\s*(?P<both>/|or|and/or|and|或|和|及)\s*{_RECIST.replace('?P<m>', '?P<m2>')})?\s*[)\]]?")
_PRE_RECIST = ascii_re(rf"(?:(?:研究者)?(?:根据|按照|依据|参照|按|基于|per|according to)\s*)?{_RECIST}(?:\s*(?P<both>/|or|and/or|and|或|和|及)\s*{_RECIST.replace('?P<m>', '?P<m2>')})?\s*(?:标准)?\s*(?:评估|评价|定义)?\s*[,:]?\s*(?:必须|需|应)?\s*$")
_TAILS = [ascii_re(p) for p in (_DEFINITION, _UNTREATED_TAIL, _IMAGING_TAIL)]
# restatement of the RECIST rule for locally treated lesions ("lesions in a previously irradiated area are
# considered measurable if progression has been demonstrated"): the leaf rule already applies it
_TREATED_PROGRESSED = ascii_re(
    r"^(?=[^;。]*(?:previously\s+(?:been\s+)?(?:treated|irradiated)|(?:treated|subjected)\s+(?:with|to)\s+(?:local|locoregional|loco-regional)"
    r"|prior\s+(?:local|locoregional)|irradiated area|放疗后|局部治疗后|先前放疗|既往(?:接受过)?局部治疗))"
    r"(?=[^;。]*(?:progress\w*|进展))(?=[^;。]*(?:measur\w*|可测量|eligible|target lesions?|靶病灶))")


def _mrecist(m: re.Match[str]) -> bool:
    """mRECIST only when the criterion names mRECIST alone or "mRECIST and RECIST"; "mRECIST/RECIST 1.1"
    or "mRECIST or RECIST" accepts either, which is RECIST 1.1 (an mRECIST target is RECIST-measurable)."""
    first, second, both = bool(m.group("m")), bool(m.group("m2")), m.group("both")
    if both is None:
        return first
    if re.fullmatch(r"and|和|及", both):
        return first or second
    return first and second


# ------------------------------------------------------------------ tumour burden thresholds

_COUNT_WORD = r"(?:\d{1,2}|one|two|three|four|five|six|ten|single|[一二两三四五六七八九十])"
_NODULE = r"(?:(?:hcc|intrahepatic|liver|hepatic|tumou?r|target)\s+){0,2}(?:lesions?|nodules?|tumou?rs?|foci)"
_IN_LIVER = r"(?:\s+(?:within|in|of)\s+(?:the\s+)?liver)?"
_BURDEN_COUNT = ascii_re(
    # "Maximum of 3 HCC lesions within the liver", "No more than 10 lesions in the liver", "more than 3 nodules"
    rf"(?P<cmp>{COMPARATOR})\s*(?P<n>{_COUNT_WORD})\s+{_NODULE}{_IN_LIVER}(?![a-z])"
    # "number of nodules <= 3", "肿瘤数目≤3个", "病灶数量不超过3个"
    rf"|(?:(?:the\s+)?(?:number|count)\s+of\s+{_NODULE}|(?:肿瘤|病灶|结节|肝内病灶)(?:数目|个数|数量))\s*(?P<cmp2>{COMPARATOR})\s*"
    rf"(?P<n2>{_COUNT_WORD})\s*(?:个)?")
# "at least 1 but no more than 3 lesions in the liver [may be considered for enrollment in the study]": a count range;
# the permission tail is how the inclusion is worded (the range is the requirement)
_BURDEN_RANGE = ascii_re(
    rf"(?:at\s+least|a\s+minimum\s+of|≥)\s*(?P<lo>{_COUNT_WORD})\s*(?:,\s*)?(?:but|and)\s+(?:no|not)\s+more\s+than\s+"
    rf"(?P<hi>{_COUNT_WORD})\s+{_NODULE}{_IN_LIVER}(?![a-z])"
    r"(?P<tail>\s+(?:may|can|will)\s+be\s+(?:considered\s+for\s+enrol?lment|enrol?led|eligible|included)"
    r"(?:\s+(?:in|into)\s+(?:the|this)\s+(?:study|trial))?)?")
# "... and more than 40% of parenchymal disease involvement": the share of the liver parenchyma involved by tumour
_PARENCHYMA_SHARE = ascii_re(
    rf"(?P<cmp>{COMPARATOR})\s*(?P<n>{NUM})\s*%\s+(?:of\s+)?(?:the\s+)?(?:liver\s+|hepatic\s+)?parenchymal?\s+"
    r"(?:disease\s+|tumou?r\s+)?(?:involvement|replacement)(?![a-z])")
_CM = r"(?P<unit>cm|mm|厘米|毫米|centimeters?)"
_BURDEN_SIZE = ascii_re(
    # "Any one hepatocellular carcinoma > 15 cm", "tumor diameter <= 5 cm", "lesions larger than 8 cm in diameter"
    rf"(?:(?P<any>any\s+(?:one\s+)?|(?:the\s+)?(?:largest|maximum|biggest)\s+)?(?:hepatocellular carcinoma|hcc|tumou?rs?|lesions?|nodules?)"
    rf"(?:\s*\((?:hcc)\))?(?:\s+(?:maximum\s+|largest\s+|longest\s+)?(?:diameter|size))?\s*(?P<cmp>{COMPARATOR}|larger than|bigger than)\s*"
    rf"(?P<n>{NUM})\s*{_CM}(?:\s+in\s+(?:(?:largest|greatest|longest|maximum)\s+)?(?:diameter|dimension|size))?"
    rf"|(?:肿瘤|病灶|结节)(?:的)?(?:最大)?(?:直径|长径)\s*(?P<cmp2>{COMPARATOR})\s*(?P<n2>{NUM})\s*{_CM.replace('?P<unit>', '?P<unit2>')})")
_BURDEN_VOLUME = ascii_re(
    # "Tumor volume <= 70% of liver volume (determined by visual estimation)", "肿瘤体积占全肝<70%"
    rf"(?:tumou?r|hcc)\s+(?:volume|burden|involvement|replacement)\s*(?P<cmp>{COMPARATOR})\s*(?P<n>{NUM})\s*%\s*(?:of\s+(?:the\s+)?"
    r"(?:total\s+|whole\s+)?liver(?:\s+(?:volume|parenchyma))?)(?:\s*\((?:determined|estimated|assessed|measured)\s+(?:by|on|with)\s+[^()]{1,40}\))?"
    rf"|肿瘤(?:体积)?(?:占)?(?:全肝|肝脏)(?:体积)?(?:的)?\s*(?P<cmp2>{COMPARATOR})\s*(?P<n2>{NUM})\s*%")


# "Total maximal sum of hepatocellular carcinomas or a single conglomerate HCC > 20 cm" (NCT02989870): the sum of the
# nodules' largest diameters (a conglomerate counts as one nodule, so it is inside the sum)
_SUM_DIAMETERS = ascii_re(
    rf"(?:the\s+)?total\s+(?:maximal\s+)?sum\s+of\s+(?:the\s+)?(?:(?:maximal|largest|longest)\s+diameters?\s+of\s+(?:all\s+)?)?"
    rf"(?:hepatocellular\s+carcinomas|hccs?|(?:liver\s+)?(?:lesions|nodules|tumou?rs))"
    rf"(?:\s+or\s+(?:a\s+)?single\s+conglomerate\s+(?:hcc|hepatocellular\s+carcinoma|tumou?r|lesion))?\s*"
    rf"(?P<cmp>{COMPARATOR})\s*(?P<n>{NUM})\s*(?P<unit>cm|mm)\b")


def scan_burden(ctx: Context) -> list[Hit]:
    """Tumour burden thresholds: nodule count, largest diameter, share of the liver (``TumourFeature`` with
    ``comparator`` / ``value``).  "Any one HCC > 15 cm" and "tumour diameter <= 5 cm" are both about the
    largest nodule (one is larger than 15 cm exactly when the largest is; all are at most 5 cm exactly
    when the largest is); "any lesion < 3 cm" is not (it would be the smallest) and is not matched."""
    hits: list[Hit] = []
    text = ctx.lower
    for m in _SUM_DIAMETERS.finditer(text):
        cmp = parse_comparator(m.group("cmp"))
        if cmp == "==":
            continue
        value = parse_number(m.group("n")) / (10 if m.group("unit") == "mm" else 1)
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="sum_diameters", comparator=cmp, value=value),
                        priority=6, family="tumour"))
    for m in _BURDEN_COUNT.finditer(text):
        cmp = parse_comparator(m.group("cmp") or m.group("cmp2"))
        n = to_int(m.group("n") or m.group("n2"))
        if cmp in ("==", ">=") or n is None:
            continue  # "at least one lesion ..." is about measurable / evaluable disease, not a count limit
        if re.search(r"\d\s*(?:cm|mm|厘米|毫米)|measur|可测量", text[m.end():m.end() + 30]):
            continue  # "no more than 3 lesions >= 2 cm": a count of lesions of a size, not read
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="nodule_count", comparator=cmp, value=float(n)),
                        priority=4, family="tumour"))
    for m in _BURDEN_RANGE.finditer(text):
        lo, hi = to_int(m.group("lo")), to_int(m.group("hi"))
        if lo is None or hi is None or lo > hi or (m.group("tail") and ctx.role != "inclusion"):
            continue
        if re.search(r"\d\s*(?:cm|mm|厘米|毫米)|measur|可测量", text[m.end():m.end() + 30]):
            continue  # a count of lesions of a size, not read
        hits.append(Hit(m.start(), m.end(), AllOf(children=[
            TumourFeature(feature="nodule_count", comparator=">=", value=float(lo)),
            TumourFeature(feature="nodule_count", comparator="<=", value=float(hi))]), priority=5, family="tumour",
            extra={"absorb_admin": True}))
    for m in _PARENCHYMA_SHARE.finditer(text):
        cmp = parse_comparator(m.group("cmp"))
        if cmp == "==":
            continue
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="liver_involvement_pct", comparator=cmp,
                                                          value=parse_number(m.group("n"))), priority=4, family="tumour"))
    for m in _BURDEN_SIZE.finditer(text):
        if re.search(r"(?:single|solitary|单个|单发|单一)\s*$", text[max(0, m.start() - 12):m.start()]):
            continue  # "single tumour <= 5 cm": a solitary tumour of that size (two conditions), not read
        word = m.group("cmp") or m.group("cmp2")
        cmp = ">" if word in ("larger than", "bigger than") else parse_comparator(word)
        if cmp == "==" or (m.group("any") and re.match(r"\s*any", m.group("any")) and cmp in ("<", "<=")):
            continue
        value = parse_number(m.group("n") or m.group("n2"))
        if re.match(r"mm|毫米", m.group("unit") or m.group("unit2") or ""):
            value = value / 10
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="largest_diameter", comparator=cmp, value=value),
                        priority=4, family="tumour"))
    for m in _BURDEN_VOLUME.finditer(text):
        cmp = parse_comparator(m.group("cmp") or m.group("cmp2"))
        if cmp == "==":
            continue
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="liver_involvement_pct", comparator=cmp,
                                                          value=parse_number(m.group("n") or m.group("n2"))),
                        priority=4, family="tumour"))
    return hits


def scan_measurable(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    text = ctx.lower
    for m in _CORE.finditer(text):
        start, end = m.start(), m.end()
        evaluable = bool(m.group("eval1") or m.group("eval2"))
        untreated = bool(m.group("pre") or m.group("zhpre") or m.group("zhpre2"))
        mrecist: bool | None = None
        pre = _PRE_RECIST.search(text[max(0, start - 60):start])
        if pre:
            start = max(0, start - 60) + pre.start()
            mrecist = _mrecist(pre)
        changed = True
        while changed:
            changed = False
            via = _VIA_RECIST.match(text, end)
            if via and via.end() > end:
                mrecist = _mrecist(via) if mrecist is None else mrecist
                end, changed = via.end(), True
            for i, tail in enumerate(_TAILS):
                t = tail.match(text, end)
                if t and t.end() > end:
                    untreated = untreated or i == 1
                    end, changed = t.end(), True
        if mrecist is None:  # "measurable disease (mRECIST)" a little further on in the sentence
            near = _NEAR_RECIST.search(text, end, min(len(text), end + 60))
            if near and not re.search(r"[;。]", text[end:near.start()]):
                mrecist = _mrecist(near)
        if evaluable:
            if untreated:
                continue  # "untreated measurable or evaluable" is not a rule we have
            feature = "evaluable_disease"
        elif untreated:
            feature = "measurable_untreated_mrecist" if mrecist else "measurable_untreated"
        else:
            feature = "measurable_disease_mrecist" if mrecist else "measurable_disease"
        hits.append(Hit(start, end, TumourFeature(feature=feature), priority=5, family="tumour"))  # type: ignore[arg-type]
    if _TREATED_PROGRESSED.search(text):  # the whole sentence restates the rule
        hits.append(Hit(0, len(text), Administrative(category="permissive"), priority=4, family="tumour"))
    return hits


# ------------------------------------------------------------------ portal vein tumour thrombus

_VP_SET = ascii_re(r"\bvp\s*(?P<a>[0-4])(?P<rest>(?:\s*(?:-|to|至|~|或|or|and|/|、|,)\s*(?:vp\s*)?[0-4](?![0-9.]))*)")
_PV = r"(?:portal ve(?:in|nous)|门静脉)"
_THROMBUS = r"(?:(?:tumou?r\s+)?(?:thromb\w*|invasion|involvement|occlusion)|癌栓|侵犯|受侵)"
_MAIN_TRUNK = ascii_re(
    rf"(?:(?:{_PV}\s*)?(?:tumou?r\s+)?(?:thromb\w*|invasion|involvement)\s+(?:at|of|in|into)\s+(?:the\s+)?main\s+portal(?:\s+vein)?(?:\s+trunk)?"
    rf"|(?:invasion|involvement|thrombosis)\s+of\s+(?:the\s+)?main\s+(?:trunk\s+of\s+(?:the\s+)?)?portal\s+vein(?:\s+trunk)?"
    rf"|main(?:\s+trunk)?\s+portal\s+vein(?:\s+trunk)?\s*{_THROMBUS}"
    rf"|门静脉主干(?:及(?:其)?(?:一级)?分支)?(?:内)?(?:癌栓|侵犯|受侵)|门脉主干癌栓)"
    rf"(?:\s*[(\[]\s*vp\s*4\s*[)\]])?")
_LOBAR = ascii_re(rf"(?:(?:macrovascular\s+)?(?:invasion|thrombosis|involvement)\s+of\s+)?(?:the\s+)?(?:lobar|first[- ]order|right or left)\s+portal\s+vein\s+branch\w*"
                  rf"(?:\s+or\s+(?:the\s+)?main\s+portal\s+vein)?|门静脉(?:左|右)支(?:或|及|和|、)?(?:主干)?{_THROMBUS}?")
_BRANCH = ascii_re(rf"\bbranch\w*\s+portal\s+vein\s+{_THROMBUS}|{_PV}\s+branch\w*\s+{_THROMBUS}|门静脉分支(?:癌栓|侵犯)")
_CHENG = ascii_re(r"(?:cheng'?s?|程氏)\s*(?:classification|分型|type)?\s*[,:]?\s*(?:type\s*)?(?P<set>(?:(?:i0|iv|iii|ii|i)(?![a-z])\s*(?:型|type)?"
                  r"\s*(?:-|to|至|~|或|or|and|/|、|,)?\s*(?:type\s*)?)+)")
_HEPATIC_VEIN = ascii_re(rf"(?:hepatic vein|肝静脉)s?\s*(?:tumou?r\s+)?(?:invasion|thromb\w*|involvement|癌栓|侵犯|受侵)"
                         r"|(?:invasion|involvement|thrombosis)\s+of\s+(?:the\s+)?(?:major\s+)?hepatic veins?"
                         r"|肝静脉(?=(?:或|和|及|、|/)下腔静脉(?:癌栓|侵犯|受侵))"
                         r"|hepatic veins?(?=\s+(?:or|and|and/or)\s+(?:the\s+)?(?:inferior vena cava|ivc|caval)\s*(?:\(ivc\)\s*)?(?:tumou?r\s+)?(?:thromb|invasion))")
_IVC = ascii_re(r"caval\s+(?:tumou?r\s+)?thromb\w*|(?:cardiac|right atri\w*|heart)\s+involvement|下腔静脉(?:癌栓|侵犯|受侵)"
                r"|(?:,|or)\s*(?:the\s+)?(?:inferior vena cava|ivc)(?=\s*(?:,|or)[^;。]{0,30}?(?:involvement|invasion|thromb))")
_ORDER = ["i0", "i", "ii", "iii", "iv"]
_PVTT_BEFORE = ascii_re(r"(?:\bpvtt|门静脉癌栓|portal vein tumou?r thromb\w*|portal vein invasion)\s*(?:\(pvtt\))?\s*[,:(]?\s*$")
_PVTT_AFTER = ascii_re(r"\s*(?:型)?\s*(?:的)?\s*(?:\(?\s*(?:pvtt|门静脉癌栓|portal vein tumou?r thromb\w*|portal vein invasion|癌栓)\s*\)?)")


def _pvtt_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a Vp / Cheng span over the PVTT words next to it ("PVTT Vp1-Vp3", "程氏III型门静脉癌栓")."""
    before = _PVTT_BEFORE.search(text[max(0, start - 40):start])
    if before:
        start = max(0, start - 40) + before.start()
    after = _PVTT_AFTER.match(text, end)
    if after:
        end = after.end()
    return start, end


def _levels(m: re.Match[str]) -> list[str]:
    nums = [int(m.group("a"))] + [int(x) for x in re.findall(r"[0-4](?![0-9.])", m.group("rest") or "")]
    seps = re.findall(r"(-|to|至|~|或|or|and|/|、|,)", m.group("rest") or "")
    out: list[int] = [nums[0]]
    for i, n in enumerate(nums[1:]):
        if i < len(seps) and seps[i] in ("-", "to", "至", "~"):
            out.extend(range(out[-1] + 1, n + 1))
        else:
            out.append(n)
    return [f"vp{n}" for n in dict.fromkeys(out) if n > 0]


def scan_pvtt(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    text = ctx.lower
    for m in _VP_SET.finditer(text):
        levels = _levels(m)
        if not levels:
            continue
        if levels == ["vp4"]:
            node = TumourFeature(feature="main_trunk_pvtt")
        else:
            node = TumourFeature(feature="pvtt", pvtt_levels=levels)  # type: ignore[arg-type]
        hits.append(Hit(*_pvtt_span(text, m.start(), m.end()), node, priority=5, family="tumour"))
    for m in _MAIN_TRUNK.finditer(text):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="main_trunk_pvtt"), priority=5, family="tumour"))
    for m in _LOBAR.finditer(text):
        levels = ["vp3", "vp4"] if re.search(r"main|主干", m.group(0)) else ["vp3"]
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="pvtt", pvtt_levels=levels),  # type: ignore[arg-type]
                        priority=5, family="tumour"))
    for m in _BRANCH.finditer(text):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="pvtt", pvtt_levels=["vp1", "vp2", "vp3"]),
                        priority=5, family="tumour"))
    for m in _CHENG.finditer(text):
        toks = re.findall(r"i0|iv|iii|ii|i", m.group("set"))
        seps = re.findall(r"-|to|至|~", m.group("set"))
        types: list[str] = []
        for k, tok in enumerate(toks):
            if k > 0 and seps and types and re.search(rf"{re.escape(toks[k - 1])}\s*(?:型|type)?\s*(?:-|to|至|~)", m.group("set")):
                types.extend(_ORDER[_ORDER.index(types[-1]) + 1:_ORDER.index(tok) + 1])
            else:
                types.append(tok)
        types = list(dict.fromkeys(types))
        if types:
            hits.append(Hit(*_pvtt_span(text, m.start(), m.end()), TumourFeature(feature="pvtt_cheng", cheng_types=types),  # type: ignore[arg-type]
                            priority=5, family="tumour"))
    for m in _HEPATIC_VEIN.finditer(text):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="hepatic_vein_invasion"), priority=5, family="tumour"))
    for m in _IVC.finditer(text):
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip(",or ")))
        hits.append(Hit(start, m.end(), TumourFeature(feature="ivc_or_atrial_thrombus"), priority=5, family="tumour"))
    if ctx.role == "inclusion":
        for m in _NO_ADVANCED_DEFINED.finditer(text):
            neither = Not(child=AnyOf(children=[TumourFeature(feature="pvtt"), TumourFeature(feature="extrahepatic_spread")]))
            hits.append(Hit(m.start(), m.end(), neither, priority=8, family="tumour"))
    return hits + scan_burden(ctx)  # the compiler's scanner list is compile.SCANNERS; burden rides with PVTT


#: "No advanced stage disease (i.e., either portal invasion [segmental portal obstruction] or extrahepatic
#: spread)" (an inclusion): the text defines advanced stage as BCLC C does (portal invasion of any level,
#: segmental included, or extrahepatic spread; hcc-domain.md s. 2), so the criterion is neither.  Only the
#: defined form is read; a bare "no advanced disease" stays for review.
_NO_ADVANCED_DEFINED = re.compile(
    r"no\s+advanced(?:[- ]stage)?\s+(?:disease|hcc)\s*\(\s*(?:i\.?e\.?|that is)\s*,?\s*(?:either\s+)?"
    r"portal\s+(?:vein\s+)?invasion\s*(?:\[\s*segmental\s+portal\s+(?:vein\s+)?obstruction\s*\]\s*)?"
    r"or\s+extra-?\s?hepatic\s+spread\s*\)", re.IGNORECASE)


# ------------------------------------------------------------------ varices and endoscopy

_VARICES = r"(?:(?:o?esophag(?:e|o)al|gastro-?o?esophageal|gastric|fundal)\s+(?:(?:and/or|or|and|/)\s*(?:o?esophageal\s+|gastric\s+)?)?varices|varices|(?:食管|胃底|食管胃底|胃食管)(?:和|或|及|/)?(?:胃底)?静脉曲张|静脉曲张)"
_HIGH_RISK_VARICES = ascii_re(
    rf"(?:untreated|incompletely treated|inadequately treated|not (?:adequately )?treated)\s*(?:(?:or|and/or|/)\s*(?:incompletely|inadequately)\s+treated\s+)?"
    rf"(?:,\s*)?{_VARICES}(?:\s+(?:with|at)\s+(?:(?:active\s+)?bleeding\s+(?:or|and/or)\s+)?(?:a\s+)?high[- ]risk\s+(?:of|for)\s+bleeding"
    r"|\s+with\s+bleeding)?(?:\s+in\s+high[- ]risk\s+patients(?:\s*\([^)]*\))?)?"
    rf"|{_VARICES}\s+(?:that|which)\s+(?:require|requires|need)\s+(?:(?:endoscopic|medical)\s+)?(?:intervention|treatment|therapy)"
    r"(?:\s+or\s+(?:represent|are at)\s+(?:a\s+)?high\s+(?:bleeding\s+risk|risk\s+of\s+bleeding))?"
    rf"|high[- ]risk\s+(?:o?esophag\w*\s+|gastric\s+)?varices|{_VARICES}\s+(?:at|with)\s+(?:a\s+)?high\s+risk\s+(?:of|for)\s+bleeding"
    rf"|(?:未经治疗|治疗不完全|未完全治疗|未经充分治疗)(?:或(?:未经治疗|治疗不完全|未完全治疗))?的?{_VARICES}(?:\s*,?\s*(?:伴有?|合并)?(?:活动性)?(?:出血)?(?:或|和|及|/)?(?:有)?(?:高(?:出血)?风险|出血高风险|出血风险高)?)?"
    rf"|高危(?:的)?{_VARICES}|{_VARICES}[^;。]{{0,10}}?(?:红色征|高出血风险|出血高风险|出血风险高)|(?:中|重)度(?:以上)?(?:的)?{_VARICES}"
)
_ENDOSCOPY = ascii_re(
    r"(?:upper\s+)?(?:gastrointestinal\s+)?(?:endoscop\w*|esophagogastroduodenoscopy|oesophagogastroduodenoscopy|\begd\b|esophagogastric endoscopy|gastroscopy)"
    r"(?:\s*\(egd\))?(?:\s+(?:evaluation|assessment|examination))?|(?:胃镜|内镜|内窥镜)(?:检查)?")
_ENDO_WINDOW = ascii_re(r"(?:within|in)\s+(?:the\s+)?(?:previous\s+|last\s+|past\s+)?(?P<n>\d+)\s*(?P<u>months?|weeks?|days?)"
                        r"|(?:(?P<zn>\d+)\s*(?P<zu>个月|周|天|日)内)")
_UNIT_DAYS = {"month": 30, "months": 30, "个月": 30, "week": 7, "weeks": 7, "周": 7, "day": 1, "days": 1, "天": 1, "日": 1}


def _endo_window(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """(days, start, end) of a window close to an endoscopy mention ("within 6 months", "6个月内")."""
    for m in _ENDO_WINDOW.finditer(text, max(0, start - 30), min(len(text), end + 40)):
        n, u = (m.group("n"), m.group("u")) if m.group("n") else (m.group("zn"), m.group("zu"))
        return int(n) * _UNIT_DAYS[u], m.start(), m.end()
    return None


def scan_varices(ctx: Context) -> list[Hit]:
    """High-risk varices; an endoscopy with a window next to them sets the varices' window ("high-risk
    varices on endoscopy within 6 months"), else it is its own leaf ("endoscopy within 6 months")."""
    text = ctx.lower
    varices = [(m.start(), m.end()) for m in _HIGH_RISK_VARICES.finditer(text)]
    endoscopies = []
    for m in _ENDOSCOPY.finditer(text):
        if ctx.role == "exclusion" and not varices:
            break  # "must have had an endoscopy" inside an exclusion is a requirement: left for review
        win = _endo_window(text, m.start(), m.end())
        if win is None:
            continue
        days, ws, we = win
        start = min(m.start(), ws)
        lead = re.search(r"(?:must\s+)?(?:have\s+)?(?:had|undergone|undergo|received)\s+(?:an?\s+)?(?:upper\s+)?$"
                         r"|(?:需|须|必须)?(?:在)?(?:入组前)?$", text[max(0, start - 30):start])
        if lead and lead.group(0):
            start = max(0, start - 30) + lead.start()
        endoscopies.append((start, max(m.end(), we), days))
    hits: list[Hit] = []
    used: set[int] = set()
    for vs, ve in varices:
        window: int | None = None
        for k, (es, ee, d) in enumerate(endoscopies):
            gap = text[min(ve, ee):max(vs, es)]
            if k not in used and len(gap) <= 60 and not re.search(r"[;。]", gap):
                used.add(k)
                window = d
                vs, ve = min(vs, es), max(ve, ee)
        hits.append(Hit(vs, ve, LiverFeature(feature="varices_high_risk", look_back_days=window), priority=5, family="liver"))
    for k, (es, ee, d) in enumerate(endoscopies):
        if k not in used:
            hits.append(Hit(es, ee, LiverFeature(feature="endoscopy", look_back_days=d), priority=4, family="liver"))
    return hits


# ------------------------------------------------------------------ whole criteria (exclusion lists)

_VARICEAL_OR_UNCONTROLLED = ascii_re(
    r"\s*any\s+episode\s+of\s+bleeding\s+from\s+o?esophageal\s+varices\s+or\s+other\s+uncontrolled\s+bleeding\s+within\s+"
    r"the\s+(?:last|past)\s+(?:3|three)\s+months\s+(?:prior\s+to|before)\s+(?:study\s+)?(?:treatment\s+initiation|"
    r"(?:the\s+)?start\s+of\s+(?:study\s+)?treatment|randomi[sz]ation|enrol?ment)\s*\.?\s*")
_BLEEDING_VARICES_YEAR = ascii_re(
    r"\s*patients\s+with\s+a\s+history\s+of\s+bleeding\s+varices\s+in\s+(?:the\s+)?previous\s+(?:1|one)\s+year\s+are\s+excluded\s*"
    r"\(\s*unless\s+(?:the\s+)?patient\s+has\s+subsequently\s+had\s+a\s+liver\s+transplant\s*\.\s*\)?"
    r"(?:\s*those\s+with\s+gastric\s+varices\s+or\s+varices\s+that\s+are\s+deemed\s+(?:as\s+)?high\s+risk\s+by\s+the\s+endoscopist"
    r"\s+should\s+be\s+placed\s+on\s+appropriate\s+medical\s+therapy\s+as\s+advised\s+by\s+the\s+gastroenterologist\s*\.?\s*\)?)?\s*")
_PORTAL_TRUNKS_OR_IVC = ascii_re(
    r"\s*portal\s+venous\s*\(\s*main\s*,\s*primary\s+right\s*,?\s*or\s+primary\s+left\s+trunks\s*\)\s+or\s+inferior\s+vena\s+"
    r"cava\s+thrombosis\s*\.?\s*")


# Whole measurable-disease inclusions whose wording the sentence scanner cannot span (issue 10, session 6):
# * "Patients must have at least one tumor lesion that meets both of the following criteria: (1) Accurately measured in
#   at least one dimension according to RECIST (Response Evaluation Criteria in Solid Tumors) (2) Not previously treated
#   with local therapy" (NCT00105443): one lesion both measurable and not treated locally -> ``measurable_untreated``.
# * "At least one measurable site of disease according to RECIST criteria that has not been previously irradiated. If it
#   has had previous radiation to the marker lesion(s), there must be evidence of progression since the radiation"
#   (NCT00516165): an unirradiated measurable lesion, or an irradiated one progressed since.  A lesion treated by other
#   local therapy is not RECIST-measurable unless it progressed since either (RECIST 1.1 s. 3.1.4), so the rule is
#   ``measurable_untreated`` (not treated locally, or progressed since).
# * "Patients may have measurable or evaluable disease only." (NCT01306058): disease that is measurable or evaluable
#   (any tumour present) -> ``evaluable_disease``; "may ... only" is how the requirement is worded.
_BOTH_MEASURED_UNTREATED = ascii_re(
    r"(?:patients\s+must\s+have\s+)?at\s+least\s+(?:one|1)\s+tumou?r\s+lesion\s+that\s+meets\s+both\s+of\s+the\s+following\s+"
    r"criteria\s*:?\s*\(?1\)\s*accurately\s+measured\s+in\s+at\s+least\s+one\s+dimension\s+according\s+to\s+recist"
    r"(?:\s*\(response\s+evaluation\s+criteria\s+in\s+solid\s+tumou?rs\))?\s*,?\s*(?:and\s+)?\(?2\)\s*not\s+previously\s+treated\s+"
    r"with\s+(?:local|locoregional|loco-regional)\s+therapy\s*\.?")
_UNIRRADIATED_OR_PROGRESSED = ascii_re(
    r"at\s+least\s+(?:one|1)\s+measurable\s+(?:site\s+of\s+disease|lesion)\s+according\s+to\s+recist(?:\s+(?:criteria|1\.1))?\s+that\s+"
    r"has\s+not\s+been\s+previously\s+irradiated\s*\.\s*if\s+it\s+has\s+had\s+previous\s+radiation\s+to\s+(?:the|teh)\s+marker\s+"
    r"lesion\s*\(?s?\)?\s*,\s*there\s+must\s+be\s+evidence\s+of\s+progression\s+since\s+the\s+radiation\s*\.?")
_MAY_HAVE_MEASURABLE_OR_EVALUABLE = ascii_re(
    r"(?:patients|subjects)\s+may\s+have\s+measurable\s+(?:or|and/or)\s+evaluable\s+disease\s+only\s*\.?")


def read_measurable_criterion(text: str, role: Role | None) -> Node | None:
    """The rule of a whole measurable-disease inclusion of the list above, or None."""
    if role != "inclusion":
        return None
    flat = re.sub(r"\s+", " ", text).strip()
    if _BOTH_MEASURED_UNTREATED.fullmatch(flat) or _UNIRRADIATED_OR_PROGRESSED.fullmatch(flat):
        return TumourFeature(feature="measurable_untreated")
    if _MAY_HAVE_MEASURABLE_OR_EVALUABLE.fullmatch(flat):
        return TumourFeature(feature="evaluable_disease")
    return None


def read_extent_criterion(text: str, role: Role | None) -> Node | None:
    """The rule of a whole bleeding or portal-trunk exclusion of the module docstring (or of a whole inclusion of the
    measurable disease, the disease setting or the diagnosis route: :func:`read_measurable_criterion`,
    ``advanced.read_setting_criterion``, ``diagnosis_hcc.read_diagnosis_criterion``), or None."""
    if role == "inclusion":
        from hcctrials.criteria.families.advanced import read_setting_criterion
        from hcctrials.criteria.families.diagnosis_hcc import read_diagnosis_criterion

        return read_measurable_criterion(text, role) or read_setting_criterion(text, role) or \
            read_diagnosis_criterion(text, role)
    if role != "exclusion":
        return None
    flat = re.sub(r"\s+", " ", text).strip()
    if _VARICEAL_OR_UNCONTROLLED.fullmatch(flat):
        return AnyOf(children=[
            HistoryCondition(codes=["variceal_bleeding"], look_back_days=90),
            AllOf(children=[HistoryCondition(codes=["bleeding", "gi_bleeding", "intracranial_haemorrhage"], look_back_days=90),
                            NeedsReview(reason=UNCONTROLLED_BLEEDING_REASON)])])
    if _BLEEDING_VARICES_YEAR.fullmatch(flat):
        return AllOf(children=[
            HistoryCondition(codes=["variceal_bleeding"], look_back_days=365),
            AnyOf(children=[Not(child=HistoryCondition(codes=["liver_transplant"])),
                            NeedsReview(reason=TRANSPLANT_ORDER_REASON)])])
    if _PORTAL_TRUNKS_OR_IVC.fullmatch(flat):
        return AnyOf(children=[
            TumourFeature(feature="pvtt", pvtt_levels=["vp3", "vp4"]),
            TumourFeature(feature="ivc_or_atrial_thrombus"),
            AllOf(children=[HistoryCondition(codes=["portal_vein_thrombosis", "venous_thromboembolism"], status="current"),
                            NeedsReview(reason=BLAND_THROMBUS_SITE_REASON)])])
    return None
