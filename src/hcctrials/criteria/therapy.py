"""Prior-therapy criteria: by drug (lexicon), by class, by count of regimens, with windows.

"Previously received PD-L1 immunotherapy or apatinib targeted therapy", "no prior systemic
therapy", "既往仅接受过一种含免疫检查点抑制剂方案治疗" (exactly one prior regimen containing an
ICI, with progression), "progressed on PD-1", "0-2 prior systemic regimens", "4周内接受过...",
"within 28 days or 5 half-lives (whichever is longer)".  Class words of criteria text are this
module's grammar; drug names go through :func:`hcctrials.vocab.load_lexicon`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from hcctrials.criteria.grammar import Context, Hit, ascii_re, to_int
from hcctrials.model.eligibility import AnyOf, Comparator, Node, Not, PriorTherapy, TherapyKind

if TYPE_CHECKING:
    from hcctrials.vocab.lexicon import Lexicon

#: a mention span: start, end, agents (lexicon ids), class tags, TherapyLine kinds
_Span = tuple[int, int, list[str], list[str], list[TherapyKind]]

__all__ = ["scan_therapy", "scan_since", "CLASS_TERMS", "drug_mentions"]

#: class words in criteria text -> (class tags, TherapyLine kinds)
CLASS_TERMS: list[tuple[str, tuple[str, ...], tuple[TherapyKind, ...]]] = [
    (r"anti[- ]?pd[- ]?1|pd[- ]?1(?:\s*(?:inhibitors?|antibod\w*|blockers?|单抗|抑制剂))?", ("pd1",), ()),
    (r"anti[- ]?pd[- ]?l1|pd[- ]?l1(?:\s*(?:inhibitors?|antibod\w*|单抗|抑制剂))?", ("pdl1",), ()),
    (r"anti[- ]?pd[- ]?l2|pd[- ]?l2", ("pdl2",), ()),
    (r"anti[- ]?ctla[- ]?4|ctla[- ]?4", ("ctla4",), ()),
    (r"immune[- ]checkpoint\s+(?:inhibitors?|blockade|therapy)|checkpoint\s+inhibitors?|\bici\b|免疫检查点抑制剂|免疫检查点",
     ("ici",), ()),
    (r"immunotherapy|免疫治疗", ("ici",), ()),
    (r"tyrosine kinase inhibitors?|\btkis?\b|酪氨酸激酶抑制剂|multi-?kinase inhibitors?|多激酶抑制剂", ("tki",), ()),
    (r"targeted (?:therapy|drugs?|agents?)|targeting drugs?|molecular(?:ly)? targeted|靶向(?:药物)?(?:治疗)?", ("tki", "anti_vegf"), ()),
    (r"anti[- ]?vegf|vegf(?:r)?\s*inhibitors?|抗血管生成", ("anti_vegf",), ()),
    (r"mtor inhibitors?", ("mtor",), ()),
    (r"(?:systemic\s+)?chemotherapy|化疗|radiochemotherapy|放化疗", ("chemotherapy",), ()),
    (r"systemic (?:anti-?cancer |anti-?tumou?r |)(?:therapy|therapies|treatment|treatments)|系统(?:性)?(?:抗肿瘤)?治疗"
     r"|全身(?:性)?(?:抗肿瘤)?治疗", (), ("systemic",)),
    (r"\btace\b|\btae\b|chemoemboli\w*|transarterial|hepatic arterial infusion|\bhaic\b|介入治疗|肝动脉化疗栓塞",
     ("transarterial",), ("locoregional",)),
    (r"ablation|radiofrequency|\brfa\b|\bmwa\b|消融", ("ablation",), ("locoregional",)),
    (r"local (?:therapy|treatment|treatments|therapies)|locoregional (?:therapy|treatment)|局部治疗", (), ("locoregional",)),
    (r"radiotherapy|radiation|放疗|sbrt|\by-?90\b|radioemboli\w*", ("radiotherapy",), ("radiotherapy",)),
    (r"cell therapy|car-?t|inkt|细胞治疗", ("cell_therapy",), ()),
    (r"(?:systemic\s+)?(?:cortico)?steroids?|类固醇|糖皮质激素|激素治疗", ("corticosteroid",), ()),
    (r"immunosuppress\w*(?:\s+(?:therapy|agents?|drugs?|treatment))?|免疫抑制(?:剂|治疗)?", ("immunosuppressant",), ()),
    (r"investigational (?:drugs?|agents?|products?|therap\w*|treatments?)|experimental (?:drugs?|treatments?|therap\w*)"
     r"|试验(?:用)?药物|研究药物|实验性治疗|其他试验用药物", ("investigational",), ()),
    (r"(?:any|an?|other|another)\s+(?:other\s+)?(?:clinical\s+|interventional\s+)?(?:trials?|stud(?:y|ies))(?!\s+(?:treatment|drug|intervention))"
     r"|(?:checkpoint inhibitor|ici)\s+stud(?:y|ies)|stud(?:y|ies)\s+(?:on|of)\s+|其他临床试验|其他(?:临床)?研究|检查点抑制剂研究", ("trial_participation",), ()),
    (r"major surgery|major surgical procedures?|major operations?|surgical procedures?|surgical resection|hepatectomy"
     r"|minor surg\w*(?:\s+procedures?)?|open biops(?:y|ies)|(?<![a-z-])surgery|surgical (?:interventions?|treatments?)"
     r"|手术切除|大手术|重大手术|外科手术|小手术|手术", ("surgery",), ("surgery",)),
    (r"live (?:attenuated )?vaccines?|活疫苗|减毒疫苗", ("live_vaccine",), ()),
]
_CLASS_RE = [(ascii_re(p), c, k) for p, c, k in CLASS_TERMS]
_DESCRIPTOR = ascii_re(r"immunotherapy|免疫治疗|targeted (?:therapy|drugs?|agents?)|靶向(?:药物)?(?:治疗)?|单抗|抑制剂|inhibitors?")

_PRIOR = re.compile(
    r"previously\s+(?:received|treated|been treated)|prior\s+(?:treatment|therapy|exposure|use|receipt)?|previous"
    r"|have\s+(?:previously\s+)?(?:received|been treated|undergone)|had\s+(?:received|undergone)|received|receiving"
    r"|treated with|exposure to|treatment with|undergone|participat\w+\s+in|既往(?:曾)?(?:接受过?|使用过?|经)?"
    r"|曾(?:经)?接受过?|接受过|使用过|接受|接种过?|参加(?:了|过)?|参与|做过|进行过|行过",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"(?P<only>only|仅|只)\s*(?:接受过?|received)?\s*(?P<n1>one|1|一|two|2|二|两)\s*(?:种|个|线|prior)?"
    r"|(?P<lo>\d|一|二|两|三)\s*(?:-|to|至|~|或)\s*(?P<hi>\d|一|二|两|三)\s*(?:种|个|线|prior|lines?|regimens?)"
    r"|(?:no more than|not more than|at most|≤|不超过|最多)\s*(?P<max>\d|one|two|three|一|二|两|三)\s*(?:种|个|线|prior|lines?|regimens?)"
    r"|(?:at least|≥|至少)\s*(?P<min>\d|one|two|一|二|两)\s*(?:种|个|线|prior|lines?|regimens?)",
    re.IGNORECASE,
)
# "Radiotherapy within 2 weeks of first dose" (exclusion): the window right after the therapy
# stands for "received"
_WINDOW_AFTER = re.compile(r"\s*(?:\([^()]{0,200}\)\s*)?(?:within(?: the (?:past|last))?|in the (?:past|last)|<|≤)\s*\d+\s*(?:days?|weeks?|months?)"
                           r"|\s*(?:\([^()]{0,200}\)\s*)?\d+\s*(?:days?|weeks?|months?)\s+(?:prior|before)", re.IGNORECASE)
_PROGRESSION = re.compile(r"progress\w*|refractory|failed|failure|进展|失败|耐药", re.IGNORECASE)
_LINES_WORD = re.compile(r"\blines?\b|线", re.IGNORECASE)


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon | None:
    try:
        from hcctrials.vocab import load_lexicon
    except ImportError:  # the vocab package is written concurrently; without it only classes match
        return None
    return load_lexicon()


def drug_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """Drug / procedure mentions (start, end, lexicon id, kind) found by the lexicon.

    For a procedure (kind 'procedure') the id is kept and its class tags are available through
    :func:`hcctrials.criteria.facts.therapy_tags`."""
    lex = _lexicon()
    if lex is None:
        return []
    out = []
    for mention in lex.find_mentions(text):
        therapy = mention.therapy
        out.append((mention.start, mention.end, therapy.id, getattr(therapy, "kind", "drug")))
    return out


_QUALIFIER = re.compile(r"(?:requir\w*|need\w*|需要?|需)\s*$", re.IGNORECASE)


def _groups(spans: list[_Span], text: str) -> list[list[_Span]]:
    """Cluster mention spans separated only by short connector text (one list of therapies)."""
    groups: list[list[_Span]] = []
    for span in sorted(spans):
        if groups:
            gap = text[groups[-1][-1][1]:span[0]]
            if len(gap) <= 30 and not _PRIOR.search(gap) and not re.search(r"诊断|diagnos", gap):
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


def _window_after_list(text: str, end: int) -> bool:
    """"Major surgery, open biopsy or significant traumatic injury within 4 weeks": the window closes
    a list whose other items are not therapies (no verb and no sentence break in between)."""
    m = re.match(r"[^;。()]{0,60}?(?=(?:within|in the (?:past|last))\s)", text[end:])
    if m is None or _PRIOR.search(m.group(0)) or not re.match(r"\s*(?:,|or\b|and\b)", text[end:]):
        return False
    return bool(_WINDOW_AFTER.match(text, end + m.end() - 1))


def scan_therapy(ctx: Context) -> list[Hit]:
    """PriorTherapy hits: one per cluster of drug/class mentions that follows a 'received' verb."""
    text = ctx.lower
    if not _PRIOR.search(text) and not (ctx.role == "exclusion" and _WINDOW_AFTER.search(text)):
        return []
    spans: list[_Span] = []
    for s, e, tid, kind in drug_mentions(ctx.text):
        if kind == "procedure":  # "radiotherapy", "TACE": match the procedure's classes, not only its id
            from hcctrials.criteria.facts import therapy_tags

            tags = [t for t in therapy_tags(tid)[1] if t not in ("locoregional",)] or list(therapy_tags(tid)[1])
            spans.append((s, e, [tid], tags, []))
        else:
            spans.append((s, e, [tid], [], []))
    for pattern, class_tags, kinds_ in _CLASS_RE:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e, *_ in spans):
                continue
            if _QUALIFIER.search(text[max(0, m.start() - 14):m.start()]):
                continue  # "requiring systemic treatment" qualifies a condition (history.py)
            spans.append((m.start(), m.end(), [], list(class_tags), list(kinds_)))
    if not spans:
        return []
    # "PD-L1 immunotherapy", "apatinib targeted therapy": a class word right after a named drug or
    # class describes it, it is not a second class
    spans.sort()
    kept: list[_Span] = []
    for span in spans:
        if kept and span[0] - kept[-1][1] <= 2 and _DESCRIPTOR.fullmatch(text[span[0]:span[1]]):
            prev = kept[-1]
            kept[-1] = (prev[0], span[1], prev[2], prev[3], prev[4])
            continue
        kept.append(span)
    spans = kept
    hits = []
    cm = _COUNT.search(text)
    pm = _PROGRESSION.search(text)
    for group in _groups(spans, text):
        agents = list(dict.fromkeys(a for g in group for a in g[2]))
        classes = list(dict.fromkeys(c for g in group for c in g[3]))
        kinds = list(dict.fromkeys(k for g in group for k in g[4]))
        g_start, g_end = group[0][0], group[-1][1]
        verbs = [m for m in _PRIOR.finditer(text[:g_end]) if m.start() >= g_start - 60]
        start = min(g_start, verbs[-1].start()) if verbs else g_start
        if not verbs and not re.search(_PRIOR.pattern, text[g_end:g_end + 30], re.IGNORECASE) \
                and not (ctx.role == "exclusion" and (_WINDOW_AFTER.match(text, g_end) or _window_after_list(text, g_end))):
            continue  # a therapy named without 'received' (e.g. in a condition) is not prior therapy
        investigational: bool | None = None
        if re.match(r"\s*(?:研究|临床研究|试验|stud(?:y|ies)|trials?)", text[g_end:g_end + 12]) or \
                re.search(r"stud(?:y|ies)\s+(?:on|of)\s+$", text[max(0, g_start - 20):g_start]):
            classes.append("trial_participation")
        if "investigational" in classes or "trial_participation" in classes:
            investigational = True
            classes = [c for c in classes if c not in ("investigational", "trial_participation")]
        if "live_vaccine" in classes:
            continue  # vaccination is a history item (history.py)
        end = g_end
        count_unit: Literal["regimens", "lines", "agents"] = "regimens"
        count_cmp: Comparator = ">="
        count_value = 1
        if cm and abs(cm.start() - g_start) < 40:
            if _LINES_WORD.search(text[cm.start():cm.end() + 10]):
                count_unit = "lines"
            if cm.group("n1"):
                count_cmp, count_value = "==", to_int(cm.group("n1")) or 1
            elif cm.group("max"):
                count_cmp, count_value = "<=", to_int(cm.group("max")) or 0
            elif cm.group("min"):
                count_cmp, count_value = ">=", to_int(cm.group("min")) or 1
            start, end = min(start, cm.start()), max(end, cm.end())
        progression = bool(pm) and not re.search(r"intoleran|不耐受", text)
        node = PriorTherapy(
            agents=agents, classes=classes, kinds=kinds, investigational=investigational,
            count_unit=count_unit, count_comparator=count_cmp, count_value=count_value,
            require_progression=progression, label=ctx.text[start:end],
        )
        extra = {"progression": (pm.start(), pm.end())} if progression and pm else {}
        if cm and cm.group("lo") and abs(cm.start() - g_start) < 40:  # "0-2 prior regimens"
            lo, hi = to_int(cm.group("lo")) or 0, to_int(cm.group("hi")) or 0
            high = node.model_copy(update={"count_comparator": "<=", "count_value": hi})
            hits.append(Hit(start, end, high, priority=2, family="therapy", windowed=True, extra=extra))
            if lo > 0:
                low = node.model_copy(update={"count_comparator": ">=", "count_value": lo})
                hits.append(Hit(start, end, low, priority=2, family="therapy", windowed=True,
                                extra={**extra, "twin": True}))
            continue
        hits.append(Hit(start, end, node, priority=2, family="therapy", windowed=True, extra=extra))
    return hits


# "At least 4 weeks since any major surgery or completion of radiation", "Minimum of 4 weeks since
# ...", "距末次手术至少4周": the therapy must not fall within the window (Not(PriorTherapy within)).
_SINCE = re.compile(
    r"(?P<cmp>at least|a minimum of|minimum of|≥|>|more than|greater than|over)\s*(?P<n>\d+|one|two|three|four|six)\s*"
    r"(?P<u>days?|weeks?|months?)\s+(?:must\s+have\s+(?:elapsed|passed)\s+|(?:have|has)\s+(?:elapsed|passed)\s+)?"
    r"(?:since|from|after)\s+(?P<what>[^;。]+)"
    r"|(?:距|距离)(?:上次|末次|最后一次|最近一次)?(?P<what_zh>[^;。,]{1,24}?)(?:结束|完成)?(?:时间)?\s*(?P<cmp_zh>至少|≥|>|超过|大于)\s*"
    r"(?P<n_zh>\d+)\s*(?P<u_zh>天|周|个月)(?:以上)?",
    re.IGNORECASE)
_SINCE_DAYS = {"day": 1, "week": 7, "month": 30, "天": 1, "周": 7, "个月": 30}


def scan_since(ctx: Context) -> list[Hit]:
    """Washouts written as the time since a therapy: Not(received the therapy within the window).

    "at least N days since X": X ended N days ago or earlier is allowed, so the excluded window is
    N - 1 days (within_days counts an entry that ended <= within_days days ago); "more than N": N."""
    hits = []
    text = ctx.lower
    for m in _SINCE.finditer(text):
        zh = m.group("what_zh") is not None
        n = to_int(m.group("n_zh") if zh else m.group("n"))
        unit = (m.group("u_zh") if zh else m.group("u").lower().rstrip("s"))
        if n is None:
            continue
        days = n * _SINCE_DAYS[unit]
        inclusive = (m.group("cmp_zh") if zh else m.group("cmp")) in ("at least", "a minimum of", "minimum of", "≥", "至少")
        window = days - 1 if inclusive else days
        w_start = m.start("what_zh") if zh else m.start("what")
        w_end = m.end("what_zh") if zh else m.end("what")
        sub = Context(text=ctx.text[w_start:w_end], lower=text[w_start:w_end], language=ctx.language, role="exclusion",
                      trial_drugs=ctx.trial_drugs)
        nodes, last = [], 0
        for pattern, class_tags, kinds_ in _CLASS_RE:
            for c in pattern.finditer(sub.lower):
                if "investigational" in class_tags or "trial_participation" in class_tags or "live_vaccine" in class_tags:
                    continue
                nodes.append((c.start(), PriorTherapy(classes=list(class_tags), kinds=list(kinds_), within_days=window,
                                                      label=sub.text[c.start():c.end()])))
                last = max(last, c.end())
        for s_, e_, tid, _kind in drug_mentions(sub.text):
            nodes.append((s_, PriorTherapy(agents=[tid], within_days=window, label=sub.text[s_:e_])))
            last = max(last, e_)
        if not nodes:
            continue
        nodes.sort(key=lambda x: x[0])
        kept: list[Node] = []
        for _, node in nodes:
            if all(not isinstance(k, PriorTherapy) or node.label not in k.label for k in kept):
                kept.append(node)
        inner: Node = kept[0] if len(kept) == 1 else AnyOf(children=kept)
        end = m.end() if zh else w_start + last
        hits.append(Hit(m.start(), end, Not(child=inner), priority=6, family="therapy"))
    return hits
