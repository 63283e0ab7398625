"""Residual toxicity of prior therapy, candidacy for curative treatment, active CNS metastases (EN + ZH).

* "Previous anticancer treatment-related toxicities not recovered to baseline or Grade 0-1",
  "Grade > 1 prior treatment-related toxicities (excluding alopecia)", "既往抗肿瘤治疗的毒性未恢复至
  ≤1级(脱发除外)" -> :class:`ResidualToxicity` (``Not`` of it for "recovered to grade <= 1").
  Only alopecia is an exception the patient fact already leaves out; any other exception stays
  as text for review next to the rule.  A criterion about *having had* a severe toxicity
  ("any grade >= 3 immune-related adverse event") is a history, not a residual toxicity, and is
  left alone.
* "unresectable", "not amenable to curative surgical resection", "candidates for surgery with
  curative intent", "on the waiting list for liver transplantation", "不可切除", "等待肝移植"
  -> :class:`TreatmentCandidate`.
* "symptomatic or untreated CNS metastases", "active brain metastases", "brain metastases unless
  treated and stable", "未经治疗或有症状的脑转移" -> ``TumourFeature(cns_metastasis_active)``.
Facts: hcc-domain.md s. 9 (typical HCC eligibility patterns; CTCAE grades s. 4).
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import COMPARATOR, Context, Hit, ascii_re, parse_comparator
from hcctrials.model.eligibility import (
    AllOf,
    AnyOf,
    HistoryCondition,
    NeedsReview,
    Node,
    Not,
    PriorTherapy,
    ResidualToxicity,
    Stage,
    ToxicityException,
    TreatmentCandidate,
    TumourFeature,
)

__all__ = ["scan_toxicity", "scan_candidacy", "scan_cns_active"]

# ------------------------------------------------------------------ residual toxicity

_CTCAE_NAME = re.compile(r"common (?:terminology|toxicity) criteria(?: for adverse (?:events?|effects?))?", re.IGNORECASE)
_TOX = ascii_re(r"toxicit(?:y|ies)|toxic effects?|adverse (?:events?|effects?|reactions?)|\baes?\b|side[- ]effects?"
                r"|毒性(?:反应)?|毒副(?:反应|作用)|不良反应|不良事件")
_PRIOR_CTX = ascii_re(r"\bprior\b|\bprevious\w*|\bpreceding\b|\bearlier\b|anti-?cancer|anti-?tumou?r|(?:treatment|therapy)[- ]related"
                      r"|既往|先前|之前|前期|抗肿瘤|治疗相关|治疗引起|治疗导致|治疗所致")
_HISTORY_OF_TOX = ascii_re(r"immune[- ]related|immune[- ]mediated|\birae\b|免疫相关|occurrence of|\bexperienc\w*|history of"
                           r"|discontinu\w*|dose reduction|permanent\w*")
_RECOVER = ascii_re(r"recover\w*|resol\w*|improv\w*|return\w*|\bto\b|恢复|缓解|降至|至")
_NOT_RECOVERED = ascii_re(r"\bnot\b|\bnon-?\b|failure to|failed to|inadequate\w*|unresolved|persist\w*|ongoing|continuing"
                          r"|未|尚未|没有|仍")
_CMP = rf"(?:{COMPARATOR})"
_GRADE = ascii_re(
    rf"(?P<pre>{_CMP})?\s*(?:nci[- ]?)?(?:ctcae\s*(?:v(?:ersion)?\s*\d(?:\.\d+)?)?\s*)?(?:\bgrade\b|\bg(?=\s*[0-4]))\s*"
    rf"(?P<cmp>{_CMP})?\s*(?P<g>[0-4])(?![.\d])(?:\s*(?:-|to|or)\s*(?P<g2>[0-4])(?![.\d]))?"
    rf"(?P<post>\s*(?:or (?:less|lower|below|better)|or (?:greater|higher|more|above|worse)))?"
    rf"|(?:nci[- ]?)?ctcae\s*(?:v(?:ersion)?\s*\d(?:\.\d+)?)?\s*(?P<cmpc>{_CMP})\s*(?P<gc>[0-4])(?![.\d])"
    rf"|(?:ctcae\s*)?(?P<cmpz>{_CMP})?\s*(?P<gz>[0-4])(?:\s*(?:-|至)\s*(?P<gz2>[0-4]))?\s*级\s*(?P<postz>或以下|及以下|以下|及以上|或以上|以上)?"
)
_ALOPECIA = ascii_re(r"\s*[(\[]?\s*(?:except(?:ing)?|excluding|other than|with the exception of|but not)\s+(?:for\s+)?alopecia\s*[)\]]?"
                     r"|\s*[(\[]?\s*(?:脱发除外|除脱发(?:外|以外)?)\s*[)\]]?")


# words before the toxicity that belong to the statement ("Failure to recover from", "persistent",
# "all", "has not recovered adequately (i.e." ...); a "no" before them is the compiler's negation
_LEAD = ascii_re(r"(?:(?:has|have)\s+)?(?:not\s+|failure\s+to\s+|failed\s+to\s+|inadequate(?:ly)?\s+)?(?:recover\w*|resol\w*)"
                 r"(?:\s+adequately)?(?:\s*\(i\.e\.,?)?\s*(?:from\s+)?(?:any\s+|all\s+)?(?:the\s+)?(?:acute\s+)?$"
                 r"|(?:persistent|ongoing|unresolved|residual|continuing|all|any)\s+(?:(?:the|acute|clinically significant)\s+)?$"
                 r"|(?:inadequate|incomplete)\s+recovery\s+from\s+(?:any\s+|all\s+)?$")
_BASELINE = ascii_re(r"\s*(?:or|/)\s*(?:returned\s+to\s+|return\s+to\s+|to\s+)?(?:the\s+)?baseline|或(?:恢复至|恢复到)?基线(?:水平)?")


def _grade_bound(m: re.Match[str]) -> tuple[str, int] | None:
    """('allowed', n): grades <= n are allowed; ('excluded', n): grades >= n exclude."""
    g = m.groupdict()
    if g.get("gc") is not None:
        cmp, n, hi, post = g["cmpc"], int(g["gc"]), None, None
    elif g.get("gz") is not None:
        cmp, n, hi, post = g.get("cmpz"), int(g["gz"]), g.get("gz2"), g.get("postz")
    else:
        cmp, n, hi, post = g.get("cmp") or g.get("pre"), int(g["g"]), g.get("g2"), g.get("post")
    if hi is not None:
        return "allowed", int(hi)
    op = parse_comparator(cmp) if cmp else None
    if op == "==":
        op = None
    if op in ("<=", "<"):
        return "allowed", n if op == "<=" else n - 1
    if op in (">=", ">"):
        return "excluded", n if op == ">=" else n + 1
    if post:
        low = re.search(r"less|lower|below|better|以下", post)
        return ("allowed", n) if low else ("excluded", n)
    return None  # "grade 1" alone: the recovery wording decides (see scan_toxicity)


def scan_toxicity(ctx: Context) -> list[Hit]:
    text = _CTCAE_NAME.sub(lambda m: " " * len(m.group(0)), ctx.lower)
    tox = _TOX.search(text)
    if not tox or not _PRIOR_CTX.search(text) or _HISTORY_OF_TOX.search(text):
        return []
    grade = next((m for m in _GRADE.finditer(text) if m.group(0).strip()), None)
    if grade is None:
        if not re.search(r"\b(?:ongoing|persistent|unresolved|continuing)\b|持续|未恢复|尚未恢复", text) or \
                re.search(r"recover|resol|恢复至|恢复到", text):
            return []
        kind, min_grade = "excluded", 1  # "ongoing toxicity of prior therapy": any grade
        start, end = tox.start(), tox.end()
    else:
        bound = _grade_bound(grade)
        between = text[min(tox.end(), grade.start()):max(tox.start(), grade.start())]
        recovery = _RECOVER.search(text[max(0, grade.start() - 40):grade.start()]) or _RECOVER.search(between)
        if bound is None:
            if not recovery:
                return []
            bound = ("allowed", int(grade.group("g") or grade.group("gz") or grade.group("gc")))
        kind, n = bound
        min_grade = n + 1 if kind == "allowed" else n
        if not 1 <= min_grade <= 4:
            return []
        start, end = min(tox.start(), grade.start()), max(tox.end(), grade.end())
    prior = [m for m in _PRIOR_CTX.finditer(text) if start - 60 <= m.start() <= end + 60]
    if prior:
        start, end = min(start, prior[0].start()), max(end, prior[-1].end())
        tail = re.match(r"[^;。,(]{0,25}?(?:therap\w*|treatment\w*|interventions?|surgery|治疗)", text[end:])
        if tail:
            end += tail.end()
    base = _BASELINE.match(text, end)
    if base:
        end = base.end()
    exc = _ALOPECIA.match(text, end) or next((m for m in _ALOPECIA.finditer(text) if m.start() >= end - 1), None)
    others = None
    if exc and exc.start() - end < 40:
        end = exc.end()
        # "(except alopecia and peripheral neuropathy)": the other exceptions are kept for review next to the rule
        # (in an exclusion they can only narrow it)
        if "(" in exc.group(0) and not exc.group(0).rstrip().endswith(")"):
            more = re.match(r"\s*(?:,|and|or|/|及|和|、)\s*([^()]{1,120}?)\s*\)", text[end:])
        else:  # an open list after "except for alopecia, ..." stays a review item as a whole (test_criteria_patterns_round3)
            more = None
        if more:
            others = " ".join(ctx.text[end + more.start(1):end + more.end(1)].split())
            end += more.end()
    lead = _LEAD.search(text[:start])
    if lead:
        start = lead.start()
    span_text = text[start:end]
    leaf = ResidualToxicity(min_grade=min_grade, label=" ".join(ctx.text[start:end].split()))
    if kind == "allowed":
        node: Node = leaf if _NOT_RECOVERED.search(span_text) else Not(child=leaf)
    else:
        node = leaf
    if others:
        exceptions = parse_toxicity_exceptions(others)
        if exceptions is None:
            node = AllOf(children=[node, NeedsReview(reason=f"exception not compiled: {others}")])
        else:
            node = _with_exceptions(node, exceptions)
    return [Hit(start, end, node, priority=5, family="toxicity")]


_EXCEPTION_TERMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((t, ascii_re(p)) for t, p in (
    ("peripheral_neuropathy", r"(?:peripheral\s+)?(?:sensory\s+|motor\s+)?neuropath(?:y|ies)|(?:周围)?神经(?:病变|毒性)"),
    ("fatigue", r"fatigue|asthenia|乏力|疲劳"),
    ("hypothyroidism", r"hypothyroidism|甲状腺功能减退|甲减"),
    ("vitiligo", r"vitiligo|白癜风"),
    ("endocrinopathy", r"endocrinopath(?:y|ies)|内分泌(?:疾病|异常)"),
    ("skin_pigmentation", r"skin\s+pigmentation|皮肤色素沉着"),
))
_REPLACEMENT = r"(?:\s+(?:stable\s+|controlled\s+)?(?:on|with|requiring)\s+(?:stable\s+)?(?:hormone\s+)?replacement(?:\s+therapy)?)?"
# the grade above which an excepted event counts again: "which are excluded if >= CTCAE grade 3" (3), "grade <= 2" (3)
_EXCEPTION_GRADE = ascii_re(
    r"\s*,?\s*(?:which|that)\s+(?:are|is)\s+excluded\s+if\s+(?:≥|>=)\s*(?:ctcae\s+)?grade\s*(?P<ge>[2-4])"
    r"|\s*,?\s*(?:if\s+)?(?:(?:ctcae\s+)?grade\s*(?:≤|<=)\s*(?P<le>[1-3])|(?:≤|<=)\s*(?:ctcae\s+)?grade\s*(?P<le2>[1-3])"
    r"|(?:ctcae\s+)?grade\s*(?P<le3>[1-3])\s+or\s+(?:less|lower|below))")


def parse_toxicity_exceptions(text: str) -> list[ToxicityException] | None:
    """The exceptions of a residual-toxicity criterion ("peripheral neuropathy which are excluded if >= CTCAE
    grade 3", "fatigue and hypothyroidism on replacement"); None when any word is left unread."""
    lower = text.lower()
    found: list[ToxicityException] = []
    rest = lower
    for term, pattern in _EXCEPTION_TERMS:
        for m in pattern.finditer(lower):
            end = m.end()
            repl = re.match(_REPLACEMENT, lower[end:], re.IGNORECASE)
            if repl:
                end += repl.end()
            g = _EXCEPTION_GRADE.match(lower, end)
            below = None
            if g:
                below = int(g.group("ge")) if g.group("ge") else int(g.group("le") or g.group("le2") or g.group("le3")) + 1
                end = g.end()
            found.append(ToxicityException(term=term, below_grade=below))  # type: ignore[arg-type]
            rest = rest[:m.start()] + " " * (end - m.start()) + rest[end:]
    residue = re.sub(r"[,;/、及和]|\b(?:and|or|and/or|e\.g\.|such as)\b", " ", rest)
    if not found or residue.strip(" .()[]"):
        return None
    return found


def _with_exceptions(node: Node, exceptions: list[ToxicityException]) -> Node:
    if isinstance(node, ResidualToxicity):
        return node.model_copy(update={"exceptions": exceptions})
    if isinstance(node, Not) and isinstance(node.child, ResidualToxicity):
        return Not(child=node.child.model_copy(update={"exceptions": exceptions}))
    return AllOf(children=[node, NeedsReview(reason="exception not compiled")])


# ------------------------------------------------------------------ candidacy for curative treatment

_NOT_RESECTABLE = ascii_re(
    r"\b(?:unresectable|non-?resectable|inoperable)\b"
    r"|\bnot\s+(?:be\s+)?(?:(?:a|an|considered|deemed)\s+)?(?:amenable|suitable|eligible|appropriate|candidates?|indicated)\s+"
    r"(?:to|for)\s+(?:(?:curative|radical|potentially curative)\s+)?(?:surgical\s+resection|resection|surgery|hepatectomy|surgical\s+treatment)"
    r"(?:\s+with\s+curative\s+intent)?"
    r"|不可切除|无法(?:手术)?切除|不能(?:手术)?切除|不适合(?:手术)?切除|不适宜(?:手术)?切除|失去(?:根治性)?手术(?:切除)?(?:机会|指征)"
    r"|不宜(?:行)?手术(?:切除)?")
_RESECTABLE = ascii_re(
    r"(?<!potentially )(?<!borderline )\bresectable\b"
    r"|\b(?:amenable|suitable|eligible|candidates?|indicated)\s+(?:to|for)\s+(?:(?:curative|radical|potentially curative)\s+)?"
    r"(?:surgical\s+resection|resection|surgery|hepatectomy)(?:\s+(?:with|for)\s+(?:curative\s+intent|cure))?"
    r"|(?<!潜在)(?<!不)可(?:根治性)?(?:手术)?切除|适合(?:根治性)?(?:手术)?切除"
    # "Tumours amenable to surgical resection for cure at presentation": resectable now
    r"|\btumou?rs?\s+amenable\s+to\s+(?:curative\s+)?surgical\s+resection\s+for\s+cure(?:\s+at\s+presentation)?")
_TRANSPLANT = ascii_re(
    r"\b(?:candidates?|eligible|indicated)\s+(?:for\s+)?(?:a\s+)?(?:liver\s+|orthotopic\s+liver\s+)?transplant\w*"
    r"|肝移植候选|拟行肝移植|计划(?:行|进行)肝移植|适合肝移植|符合肝移植(?:标准|指征)")
# on the waiting list: narrower than a candidate (a candidate may not be listed yet)
_TRANSPLANT_LIST = ascii_re(
    r"\blisted\s+(?:for\s+)?(?:a\s+)?(?:liver\s+|orthotopic\s+liver\s+)?transplant\w*"
    r"|\b(?:on|listed on)\s+(?:a|the)\s+(?:liver\s+)?transplant(?:ation)?\s+(?:waiting\s+)?list"
    r"|\b(?:waiting|wait)[- ]?list\w*\s+(?:for\s+)?(?:a\s+)?(?:liver\s+)?transplant\w*"
    r"|\b(?:on|listed on)\s+(?:an?|the)\s+(?:active\s+)?(?:waiting|wait)[- ]?list\s+for\s+(?:a\s+)?(?:liver\s+|orthotopic\s+liver\s+)?"
    r"transplant\w*"
    r"|等待肝移植|肝移植等待")


# "Must not be eligible for LRT for unresectable HCC": the abbreviation alone names the same therapies
_LRT = (r"(?:(?:loco-?regional|local-?regional|liver-directed|local)\s+(?:therapy|therapies|treatments?|procedures?)"
        r"(?:\s*\(?\s*lrt\s*\)?|\s+lrt)?|\blrt\b)")
_NOT_LRT_WORDS = (r"not\s+(?:be\s+)?(?:(?:a|an|considered|deemed)\s+)?(?:amenable|eligible|suitable|candidates?|appropriate)\s+"
                  r"(?:to|for)\s+(?:further\s+)?(?:surgical\s+and/or\s+)?" + _LRT)
_REFRACTORY_LRT = (r"(?:refractory\s+to|progress\w*\s+(?:on|after|following)|failed)\s+(?:prior\s+)?(?:surgical\s+and\s*/?\s*or\s+)?"
                   + _LRT)
_NOT_LRT = ascii_re(_NOT_LRT_WORDS + r"|不适合(?:接受)?(?:局部(?:区域)?治疗|介入治疗|tace(?:治疗)?)")
_BCLC = r"(?:barcelona\s+clinic\s+liver\s+cancer\s*(?:\(bclc\))?|bclc)\s*(?:stage\s*)?"
_QUALIFIER_B = (r"(?:that\s+is\s+|which\s+is\s+|who\s+(?:is|are)\s+)?(?P<not_lrt>" + _NOT_LRT_WORDS + r")"
                r"(?:\s*,?\s*(?:or|and/or)\s+(?P<refractory>" + _REFRACTORY_LRT + r"))?")
# "BCLC stage B (that is not eligible for locoregional therapy LRT) or stage C", "BCLC Stage C disease, or BCLC Stage B
# disease not amenable to locoregional therapy or refractory to locoregional therapy": the qualifier belongs to B only
_BCLC_B_QUALIFIED = ascii_re(
    _BCLC + r"b(?:\s*\(intermediate\))?(?:\s+disease)?\s*\(?\s*" + _QUALIFIER_B + r"\s*\)?\s*,?\s*(?:or|and/or)\s+(?:"
    + _BCLC + r")?(?:stage\s*)?c\b(?:\s*\(advanced\))?(?:\s+disease)?"
    r"|" + _BCLC + r"c(?:\s*\(advanced\))?(?:\s+disease)?\s*,?\s*(?:or|and/or)\s+(?:" + _BCLC + r")?(?:stage\s*)?b\b"
    r"(?:\s*\(intermediate\))?(?:\s+disease)?\s*\(?\s*" + _QUALIFIER_B.replace("?P<not_lrt>", "?P<not_lrt2>").replace(
        "?P<refractory>", "?P<refractory2>") + r"\s*\)?")


def _not_lrt_node(label: str, refractory: bool) -> Node:
    """Not amenable to locoregional therapy (or, when the text says so, refractory to it: progression after it)."""
    not_lrt = Not(child=TreatmentCandidate(treatment="locoregional", label=label))
    if not refractory:
        return not_lrt
    progressed = PriorTherapy(kinds=["locoregional", "radiotherapy"], sites=["liver"], require_progression=True,
                              label=label)
    return AnyOf(children=[not_lrt, progressed])


def scan_candidacy(ctx: Context) -> list[Hit]:
    hits = []
    text = ctx.lower
    for m in _BCLC_B_QUALIFIED.finditer(text):
        refractory = bool(m.group("refractory") or m.group("refractory2"))
        b = AllOf(children=[Stage(system="bclc", allowed=["B"]), _not_lrt_node(ctx.text[m.start():m.end()], refractory)])
        hits.append(Hit(m.start(), m.end(), AnyOf(children=[b, Stage(system="bclc", allowed=["C"])]), priority=8,
                        family="candidacy"))
    for m in _NOT_LRT.finditer(text):
        hits.append(Hit(m.start(), m.end(), Not(child=TreatmentCandidate(treatment="locoregional",
                                                                          label=ctx.text[m.start():m.end()])),
                        priority=5, family="candidacy"))
    for m in _NOT_RESECTABLE.finditer(text):
        node = Not(child=TreatmentCandidate(treatment="resection", label=ctx.text[m.start():m.end()]))
        hits.append(Hit(m.start(), m.end(), node, priority=5, family="candidacy"))
    for m in _RESECTABLE.finditer(text):
        hits.append(Hit(m.start(), m.end(), TreatmentCandidate(treatment="resection", label=ctx.text[m.start():m.end()]),
                        priority=4, family="candidacy"))
    for m in _TRANSPLANT.finditer(text):
        hits.append(Hit(m.start(), m.end(), TreatmentCandidate(treatment="transplant", label=ctx.text[m.start():m.end()]),
                        priority=5, family="candidacy"))
    for m in _TRANSPLANT_LIST.finditer(text):
        hits.append(Hit(m.start(), m.end(), TreatmentCandidate(treatment="transplant_list",
                                                               label=ctx.text[m.start():m.end()]),
                        priority=5, family="candidacy"))
    return hits


# ------------------------------------------------------------------ active CNS metastases

_ACTIVE_Q = (r"(?:symptomatic|untreated|active|actively progressing|progressing|progressive|unstable|uncontrolled"
             r"|not (?:adequately )?treated|有症状的?|症状性|未经?治疗的?|未处理的?|活动性的?|进展(?:性|期)?的?|不稳定的?|未控制的?)")
_CNS_TERM = (r"(?:central nervous system|\bcns\b|brain|cerebral|leptomeningeal|meningeal|脑|中枢神经系统|脑膜)"
             r"(?:\s*\(cns\))?\s*(?:or\s+(?:leptomeningeal|brain|cns|spinal cord)\s+)?(?:tumou?r\s+)?(?:metasta\w*|转移(?:瘤|灶)?)")
_CNS_ACTIVE = ascii_re(
    rf"{_ACTIVE_Q}(?:\s*(?:,|or|and/or|and|/|或|和|及)\s*{_ACTIVE_Q})*\s*(?:,\s*)?(?:known\s+)?{_CNS_TERM}"
    rf"|{_CNS_TERM}[^;。]{{0,20}}?(?:unless|except (?:if|when)|除非)[^;。]{{0,60}}?(?:treated|治疗)[^;。]{{0,80}}?(?:stable|稳定)"
    r"(?:[^;。]{0,60}?(?:steroids|corticosteroids|anticonvulsants|激素))?")


def scan_cns_active(ctx: Context) -> list[Hit]:
    hits = []
    for m in _CNS_ACTIVE.finditer(ctx.lower):
        node: Node = TumourFeature(feature="cns_metastasis_active")
        if re.search(r"leptomeningeal|(?<!lepto)meningeal|脑膜", m.group(0)):
            # "Uncontrolled brain or leptomeningeal metastases": leptomeningeal disease recorded active is the second item
            node = AnyOf(children=[node, HistoryCondition(codes=["leptomeningeal_disease"], status="active",
                                                          label=ctx.text[m.start():m.end()])])
        hits.append(Hit(m.start(), m.end(), node, priority=4, family="tumour"))
    return hits
