"""Liver function classes, stages, diagnosis, tumour and liver features (EN + ZH).

"Child-Pugh A or B7", "Child-Pugh score ≤ 7", "Child Pugh A 级(评分为 5-6 分)或 B 级(评分为 7 分)",
"ALBI grade 1-2", "CLIP score ≤ 3", "Okuda I or II", "BCLC stage B or C", "CNLC IIb-IIIb期", "histologically or cytologically
confirmed", "符合肝细胞肝癌临床诊断标准", "fibrolamellar / sarcomatoid / mixed HCC-CCA",
"at least one measurable lesion (RECIST 1.1)", "main portal vein tumour thrombus (Vp4)",
"tumour occupying ≥50% of the liver", "CNS metastases", "obvious ascites".
Facts: hcc-domain.md s. 1.1, 1.2, 2.1, 2.2, 3, 9.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import COMPARATOR, Context, Hit, parse_comparator
from hcctrials.model.eligibility import (
    Administrative,
    Albi,
    AnyOf,
    ChildPugh,
    ClipScore,
    Diagnosis,
    HistoryCondition,
    LiverFeature,
    Node,
    Not,
    OkudaStage,
    Stage,
    TumourFeature,
)

__all__ = ["scan_child_pugh", "scan_albi", "scan_clip", "scan_okuda", "scan_stage", "scan_diagnosis", "scan_tumour", "scan_liver"]

_GRADE_POINTS = {"a": [5, 6], "b": [7, 8, 9], "c": list(range(10, 16))}

_CP = re.compile(r"child(?:'s|s)?[- ]?(?:turcotte[- ]?)?pugh(?:[- ]turcotte)?|\bcpt\b(?=\s*(?:score|class|分))|\bchild(?=\s*(?:class\s*)?[abc]\b)|\bctp\b|\bcp\s*(?=评分|分级|score|class)",
                 re.IGNORECASE)
_CP_SCORE_CMP = re.compile(rf"\s*(?:score|评分|分数|分级)?[^0-9a-c;。]{{0,12}}?(?P<cmp>{COMPARATOR})\s*(?P<n>\d{{1,2}})\s*(?:分|points?)?",
                           re.IGNORECASE)
_CP_TOKENS = re.compile(
    r"(?P<range>(?<![0-9.])(?P<lo>[5-9]|1[0-5])\s*(?:-|to|至)\s*(?P<hi>[5-9]|1[0-5])(?![0-9.]))"
    r"|(?<![A-Za-z])(?P<letter>[ABC])\s*(?:级|class|grade)?\s*(?P<digit>[5-9]|1[0-5])?(?![A-Za-z0-9])"
    r"|(?P<single>(?<![0-9.])(?:[5-9]|1[0-5]))\s*(?:分|points?)",
)


#: "A5-B7", "A5 to B7", "A5~B7": a range of points written with class letters (issue 10: it read {5, 7})
_CP_LETTER_RANGE = re.compile(r"(?<![A-Za-z])[ABC]\s*(?P<lo>[5-9]|1[0-5])\s*(?:-|–|~|～|to|至|到)\s*[ABC]\s*(?P<hi>[5-9]|1[0-5])(?![0-9])")


#: "score of 7 or less", "评分7分及以下": the comparator after the number
_CP_SCORE_AFTER = re.compile(r"\s*(?:score|评分|分数)?[^0-9a-c;。]{0,12}?(?P<n>\d{1,2})\s*(?:分|points?)?\s*"
                             r"(?P<after>or\s+(?:less|lower|below|fewer)|or\s+(?:more|greater|higher|above|worse)|及?以下|及?以上)",
                             re.IGNORECASE)


#: "≤ B7", "< B8", "up to B7", "B7 or better", "B7及以下", "≥ B8": a comparator on a class-and-points token (issue 10:
#: the comparator was dropped and "≤ B7" read as {7}); rewritten as the range of points it means
_CP_LETTER_CMP = re.compile(
    r"(?P<pre>≤|<=|=<|<|≥|>=|=>|>|up\s+to|at\s+most|no\s+(?:worse|higher|more)\s+than|not\s+(?:worse|higher|more)\s+than)"
    r"\s*(?:class\s+|grade\s+)?(?P<letter>[ABC])\s*(?P<digit>[5-9]|1[0-5])(?![0-9])"
    r"|(?<![A-Za-z])(?P<letter2>[ABC])\s*(?P<digit2>[5-9]|1[0-5])(?![0-9])\s*(?:级|分)?\s*"
    r"(?P<post>or\s+(?:better|less|lower|below|worse|more|higher|above)|及?以下|或以下|及?以上|或以上)",
    re.IGNORECASE)


def _letter_cmp_range(m: re.Match[str]) -> str:
    """The points range a comparator on "B7" means, as "5-7" (read by the range token)."""
    if m.group("pre") is not None:
        n, word = int(m.group("digit")), m.group("pre").lower()
        below = not word.startswith((">", "≥", "=>"))
        strict = word in ("<", ">")
    else:
        n, word = int(m.group("digit2")), m.group("post").lower()
        below = re.search(r"better|less|lower|below|以下", word) is not None
        strict = False
    if below:
        top = n - 1 if strict else n
        return f" 5-{top} " if top >= 5 else " ? "  # "< A5": no score; nothing read, the text goes to review
    bottom = n + 1 if strict else n
    return f" {bottom}-15 " if bottom <= 15 else " ? "


_CP_WITH_SCORE = re.compile(r"(?<![A-Za-z])([ABC])\s+with\s+(?:a\s+)?(?:total\s+)?(?:score|points?)\s+(?:of\s+)?"
                            r"(\d{1,2}(?:\s*(?:,|or|and|-|to)\s*\d{1,2})*)")


def _cp_points(window: str) -> list[int] | None:
    # "Child B with a score of 7 or 8" restricts the class as "B (7, 8)" does
    window = _CP_WITH_SCORE.sub(lambda x: f"{x.group(1)} ({x.group(2)})", window)
    window = _CP_LETTER_CMP.sub(_letter_cmp_range, window)
    after = _CP_SCORE_AFTER.match(window)
    if after and 5 <= int(after.group("n")) <= 15:
        n = int(after.group("n"))
        return list(range(5, n + 1)) if re.search(r"less|lower|below|fewer|以下", after.group("after")) else list(range(n, 16))
    span = _CP_LETTER_RANGE.search(window)
    if span and int(span.group("lo")) <= int(span.group("hi")):
        head, tail = window[:span.start()], window[span.end():]
        if not _CP_TOKENS.search(head) and not _CP_TOKENS.search(tail):
            return list(range(int(span.group("lo")), int(span.group("hi")) + 1))
    m = _CP_SCORE_CMP.match(window)
    if m and parse_comparator(m.group("cmp")) != "==":
        n, cmp = int(m.group("n")), parse_comparator(m.group("cmp"))
        top = {"<=": n, "<": n - 1}.get(cmp)
        if top is not None and 5 <= top <= 15:
            return list(range(5, top + 1))
        bottom = {">=": n, ">": n + 1}.get(cmp)
        if bottom is not None:
            return list(range(bottom, 16))
    points: set[int] = set()
    tokens = list(_CP_TOKENS.finditer(window))
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.group("letter"):
            letter = t.group("letter").lower()
            if t.group("digit"):
                points.add(int(t.group("digit")))
            else:
                # "B 级(评分为 7 分)": a parenthesis right after the letter restricts it
                tail = window[t.end():t.end() + 32]
                paren = re.match(r"\s*\(([^()]*)\)", tail)
                restrict = None
                if paren:
                    nums = [int(x) for x in re.findall(r"\d{1,2}", paren.group(1))]
                    rng = re.search(r"(\d{1,2})\s*(?:-|to|至)\s*(\d{1,2})", paren.group(1))
                    if rng:
                        restrict = set(range(int(rng.group(1)), int(rng.group(2)) + 1))
                    elif nums:
                        restrict = set(nums)
                allowed = set(_GRADE_POINTS[letter])
                points |= (restrict & allowed) if restrict and restrict & allowed else allowed
                if paren:  # skip tokens inside the parenthesis
                    stop = t.end() + paren.end()
                    while i + 1 < len(tokens) and tokens[i + 1].start() < stop:
                        i += 1
        elif t.group("range"):
            points |= set(range(int(t.group("lo")), int(t.group("hi")) + 1))
        elif t.group("single"):
            points.add(int(t.group("single")))
        i += 1
    points = {p for p in points if 5 <= p <= 15}
    return sorted(points) or None


def scan_child_pugh(ctx: Context) -> list[Hit]:
    hits = []
    for m in _CP.finditer(ctx.lower):
        end = len(ctx.lower)
        stop = re.search(r"[;。]|\.\s|\band\b(?!\s*(?:(?:child[- ]?pugh\s+)?class\s+)?(?:b|c)\b)|且|,(?!\s*(?:or|或|[abc](?![a-z])|\d))",
                         ctx.lower[m.end():])
        if stop:
            end = m.end() + stop.start()
        window = ctx.text[m.end():min(end, m.end() + 70)]
        points = _cp_points(window)
        if not points:
            continue
        # the hit ends after the last score token it read: the words after it ("with no encephalopathy")
        # are the next scanners' (issue 10: they were swallowed and dropped)
        by_cmp = _CP_SCORE_AFTER.match(window) or _CP_SCORE_CMP.match(window)
        if by_cmp is not None and (by_cmp.re is _CP_SCORE_AFTER or parse_comparator(by_cmp.group("cmp")) != "=="):
            used = by_cmp.end()  # "score < 9 (that is ...)": the score comparator is the rule
        else:
            used = max([x.end() for rx in (_CP_LETTER_RANGE, _CP_TOKENS, _CP_LETTER_CMP) for x in rx.finditer(window)]
                       + [x.end() for x in [_CP_SCORE_CMP.match(window)] if x is not None] or [len(window)])
        paren = re.match(r"[^()]*\)", window[used:])  # close a parenthesis the points stood in
        if paren and "(" in window[:used]:
            used += paren.end()
        window = window[:used]
        end = m.end() + len(window.rstrip())
        label = ctx.text[m.start():end].strip()
        # a restatement in parentheses that says the same ("score of less than 7 (ie, class A or better)")
        same = _CP_RESTATE.match(ctx.lower, end)
        if same:
            words = ctx.text[same.start("what"):same.end("what")]
            again = _cp_points(words)
            if again is not None and re.search(r"or better|or less|or lower|以下", words):
                again = list(range(5, max(again) + 1))
            if again == points:
                end = same.end()
        start = m.start()
        degree = _CP_DEGREE.search(ctx.lower[max(0, start - 60):start])
        if degree:  # "severe hepatic impairment (Child-Pugh C)": the degree restates the class when they agree
            degrees = re.findall(r"mild|moderate|severe", degree.group("deg"))
            named = sorted({p for w in degrees for p in _DEGREE_POINTS[w]})
            if named == points:
                start = max(0, start - 60) + degree.start()
        node: ChildPugh | Not = ChildPugh(allowed_points=points, label=label)
        tail = _EXCLUDED.match(ctx.lower, end)
        if tail and ctx.role == "exclusion" and re.search(r"除外|排除", tail.group(0)):
            tail = None  # "... C级除外" in an exclusion list may mean "except": left for review
        if tail:  # "Child-Pugh class B (8,9) and class C are excluded"; in an inclusion: must not be
            end = tail.end()
            if ctx.role != "exclusion":
                node = Not(child=node)
        hits.append(Hit(start, end, node, priority=6, family="child_pugh"))
    hits.extend(_scan_cp_before(ctx))
    howto = _CP_HOWTO.match(ctx.lower)
    if howto:  # "Child-Pugh status should be calculated based on clinical findings and laboratory results ...": how
        # the score is taken, not a condition of its own
        hits.append(Hit(0, len(ctx.lower), Administrative(category="procedure"), priority=7, family="child_pugh"))
    return hits


#: hepatic impairment degrees as Child-Pugh classes (mild = A, moderate = B, severe = C; drug-label usage)
_DEGREE_POINTS = {"mild": range(5, 7), "moderate": range(7, 10), "severe": range(10, 16)}
_CP_DEGREE = re.compile(
    r"(?P<deg>(?:mild|moderate|severe)(?:\s*(?:,|or|and|to|-|/)\s*(?:mild|moderate|severe))*)\s+(?:hepatic|liver)\s+"
    r"(?:impairment|dysfunction|insufficiency)\s*(?:[(,:]\s*)?(?:i\.e\.,?\s*|defined\s+as\s*|as\s+defined\s+by\s*)?$",
    re.IGNORECASE)
_CP_HOWTO = re.compile(
    r"\s*(?:the\s+)?child(?:'s|s)?[- ]?(?:turcotte[- ]?)?pugh\s+(?:status|score|class(?:ification)?|grade)\s+"
    r"(?:should|will|must|is|are|shall|to)\s+(?:be\s+)?(?:calculated|assessed|determined|evaluated|scored)\s+"
    r"(?:based\s+on|using|from|by|according\s+to)\b[^;。<>≤≥]*$", re.IGNORECASE)


_CP_RESTATE = re.compile(r"(?:\s*(?:at|on)\s+(?:the\s+)?(?:time\s+of\s+)?(?:screening|baseline|enrol?ment|study entry))?"
                         r"\s*\((?:i\.?e\.?|that is|namely|即)\s*[,:]?\s*(?P<what>[^()]{1,60})\)", re.IGNORECASE)
#: "... are excluded", "should be excluded", "are not eligible" after a class list
_EXCLUDED = re.compile(r"\s*(?:is|are|will be|should be|must be)\s+(?:excluded|not eligible|ineligible|not allowed)"
                       r"(?:\s+(?:from\s+)?(?:this|the)\s+(?:study|trial))?|\s*(?:者)?(?:除外|排除)", re.IGNORECASE)
#: "Stage B or C liver cirrhosis according to Child-Pugh-Turcotte Classification": the classes before the name
_CP_BEFORE = re.compile(
    r"(?:stage|class|grade)\s+(?P<set>[abc](?:\s*(?:,|or|and|/)\s*[abc])*)(?![a-z0-9])\s*(?:(?:liver\s+)?cirrhosis|liver disease|"
    r"hepatic (?:impairment|dysfunction)|liver (?:impairment|dysfunction))?\s*(?:according to|per|by|as defined by|on)\s+(?:the\s+)?"
    r"child(?:'s|s)?[- ]?(?:turcotte[- ]?)?pugh(?:[- ]turcotte)?(?:\s+(?:classification|class|score|scale|criteria))?",
    re.IGNORECASE)


def _scan_cp_before(ctx: Context) -> list[Hit]:
    hits = []
    for m in _CP_BEFORE.finditer(ctx.lower):
        letters = re.findall(r"[abc]", m.group("set"))
        points = sorted({p for letter in letters for p in _GRADE_POINTS[letter]})
        hits.append(Hit(m.start(), m.end(), ChildPugh(allowed_points=points, label=ctx.text[m.start():m.end()].strip()),
                        priority=6, family="child_pugh"))
    return hits


_ALBI = re.compile(r"\b(?:m)?albi\b[^0-9;。]{0,20}?(?P<a>[123][ab]?)(?:\s*(?:-|to|or|或|至|/)\s*(?P<b>[123][ab]?))?",
                   re.IGNORECASE)


def scan_albi(ctx: Context) -> list[Hit]:
    m = _ALBI.search(ctx.lower)
    if not m:
        return []
    a, b = m.group("a"), m.group("b")
    order = ["1", "2a", "2b", "3"]
    def idx(g: str) -> int:
        return order.index(g) if g in order else order.index("2a" if g == "2" else g)
    if b:
        lo, hi = idx(a), idx("2b" if b == "2" else b)
        grades = order[lo:hi + 1]
        sep = ctx.lower[m.start("a"):m.start("b")]
        if re.search(r"or|或|/", sep):
            grades = [a, b]
    else:
        grades = [a]
    grades = ["2" if g == "2" else g for g in grades]
    return [Hit(m.start(), m.end(), Albi(grades=grades), priority=4, family="albi")]  # type: ignore[arg-type]


# "CLIP Score ≤ 3" (NCT00081900), "CLIP score of equal to or less then 3" (NCT00516165, the source's "then"): the Cancer
# of the Liver Italian Program score against a threshold (leaf ClipScore, evaluated in evaluation/leaves_clip.py).
_CLIP = re.compile(
    rf"\bclip\s*(?:score|评分|积分)?\s*(?:of\s+)?(?:(?P<cmp>{COMPARATOR})|(?P<then>equal\s+to\s+or\s+less\s+then|less\s+then\s+or\s+equal\s+to))"
    r"\s*(?P<n>[0-6])(?![0-9.])(?:\s*(?:points?|分))?"
    r"|\bclip\s*(?:score|评分|积分)?\s*(?:of\s+)?(?P<lo>0)\s*(?:-|to|至|~)\s*(?P<hi>[0-6])(?![0-9.])(?:\s*(?:points?|分))?",
    re.IGNORECASE)


def scan_clip(ctx: Context) -> list[Hit]:
    """"CLIP score <= N" and "CLIP score 0-N" (an upper limit); other comparators as written."""
    hits = []
    for m in _CLIP.finditer(ctx.lower):
        if m.group("hi") is not None:
            node = ClipScore(comparator="<=", value=int(m.group("hi")))
        else:
            cmp = "<=" if m.group("then") else parse_comparator(m.group("cmp"))
            node = ClipScore(comparator=cmp, value=int(m.group("n")))
        hits.append(Hit(m.start(), m.end(), node, priority=5, family="clip"))
    return hits


# "OKUDA I or II" (NCT00712790): the Okuda stage (leaf OkudaStage, evaluation/leaves_clip.py)
_OKUDA = re.compile(r"\bokuda\s*(?:stage\s*)?(?P<a>iii|ii|i)(?![a-z])(?:\s*(?:or|-|to|/|and|,)\s*(?:stage\s*)?(?P<b>iii|ii|i)(?![a-z]))?"
                    r"(?:\s*期)?", re.IGNORECASE)


def scan_okuda(ctx: Context) -> list[Hit]:
    """"Okuda I or II", "Okuda stage I-II" (a range) -> OkudaStage."""
    hits = []
    order = ["I", "II", "III"]
    for m in _OKUDA.finditer(ctx.lower):
        a = m.group("a").upper()
        b = (m.group("b") or m.group("a")).upper()
        sep = ctx.lower[m.end("a"):m.start("b")] if m.group("b") else ""
        lo, hi = order.index(a), order.index(b)
        if lo > hi:
            continue
        allowed = order[lo:hi + 1] if re.search(r"-|to", sep) else list(dict.fromkeys([a, b]))
        hits.append(Hit(m.start(), m.end(), OkudaStage(allowed=allowed), priority=5, family="okuda"))  # type: ignore[arg-type]
    return hits


_BCLC_ORDER = ["0", "a", "b", "c", "d"]
_CNLC_ORDER = ["ia", "ib", "iia", "iib", "iiia", "iiib", "iv"]
_CNLC_CANON = {"ia": "Ia", "ib": "Ib", "iia": "IIa", "iib": "IIb", "iiia": "IIIa", "iiib": "IIIb", "iv": "IV"}
_BCLC_NAME = (r"(?:bclc|barcelona clinic liver cancer(?:\s*\(bclc\))?(?:\s+(?:staging\s+system|staging|classification|stage|criteria))?"
              r"|barcelona\s+(?:score|stage|staging|classification))")
_BCLC_SET = (r"(?:(?:stage\s*)?[0abcd](?![a-z])\s*(?:期|stage)?\s*(?:\((?:very early|early|intermediate|advanced|terminal)(?:\s+stage)?\)\s*)?"
             r"(?:,\s*(?:or|and)|,|or|和|或|及|/|-|to|至|and)?\s*)+")
_BCLC = re.compile(
    rf"(?:bclc|barcelona clinic liver cancer|barcelona(?=\s+(?:score|stage|staging|classification)))(?:\s*\(bclc\))?\s*,?\s*"
    r"(?:score|stage|staging|classification|分期|期)?\s*(?:of\s+)?(?:为|:)?\s*"
    rf"(?P<set>{_BCLC_SET})"
    r"|(?:intermediate|advanced)\s+stage\s+(?P<one>[bc])\s*\((?:according to )?(?:the\s+)?barcelona"
    r"(?:\s+clinic\s+liver\s+cancer(?:\s*\(bclc\))?(?:\s+(?:classification|staging(?:\s+system)?|stage|criteria))?\s*\))?"
    # "stage B (intermediate), or C (advanced) hepatocellular carcinoma according to the Barcelona Clinic Liver Cancer staging"
    rf"|stage\s+(?P<before>{_BCLC_SET})\s*(?:hepatocellular carcinoma|hcc|disease)?\s*(?:\(hcc\)\s*)?"
    rf"(?:according to|per|by|as defined by|based on)\s+(?:the\s+)?{_BCLC_NAME}",
    re.IGNORECASE,
)
_CNLC = re.compile(
    r"(?:cnlc|中国肝癌分期|china liver cancer)(?:\s*\(cnlc\))?\s*(?:stage|分期|期)?\s*(?:为|:)?\s*"
    r"(?P<set>(?:(?:iv|iii[ab]|ii[ab]|i[ab]|iii|ii|i)(?![a-z])\s*(?:期)?\s*(?:,|or|和|或|及|/|-|to|至|and)?\s*)+)",
    re.IGNORECASE,
)


def _expand(tokens: list[str], seps: list[str], order: list[str]) -> list[str]:
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if i > 0 and re.search(r"-|to|至", seps[i - 1]) and out:
            lo, hi = order.index(out[-1]), order.index(tok)
            out.extend(order[lo + 1:hi + 1])
        else:
            out.append(tok)
    return list(dict.fromkeys(out))


def scan_stage(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    allowed: list[str]
    for m in _BCLC.finditer(ctx.lower):
        if m.group("one"):
            allowed = [m.group("one").upper()]
        else:
            raw = m.group("set") or m.group("before")
            raw = re.sub(r"\((?:very early|early|intermediate|advanced|terminal)(?:\s+stage)?\)|stage", " ", raw.strip())
            parts = re.split(r"([^0abcd]+)", raw.strip())
            tokens = [p for p in parts[0::2] if p]
            seps = parts[1::2]
            allowed = [t.upper() for t in _expand(tokens, seps, _BCLC_ORDER)]
        if allowed:
            hits.append(Hit(m.start(), m.end(), Stage(system="bclc", allowed=allowed), priority=5, family="stage"))
    for m in _CNLC.finditer(ctx.lower):
        raw = m.group("set")
        toks = [(t.group(0), t.start(), t.end()) for t in re.finditer(r"iv|iii[ab]?|ii[ab]?|i[ab]?", raw)]
        tok_sets: list[list[str]] = []
        cnlc_seps: list[str] = []
        for k, (tok, s, e) in enumerate(toks):
            if tok in ("i", "ii", "iii"):
                tok_set = [t for t in _CNLC_ORDER if t.startswith(tok) and len(t) == len(tok) + 1]
            else:
                tok_set = [tok]
            if k > 0:
                cnlc_seps.append(raw[toks[k - 1][2]:s])
            tok_sets.append(tok_set)
        allowed = []
        for k, tok_set in enumerate(tok_sets):
            if k > 0 and re.search(r"-|to|至", cnlc_seps[k - 1]) and allowed:
                lo, hi = _CNLC_ORDER.index(allowed[-1].lower()), _CNLC_ORDER.index(tok_set[-1])
                allowed.extend(_CNLC_CANON[t] for t in _CNLC_ORDER[lo + 1:hi + 1])
            else:
                allowed.extend(_CNLC_CANON[t] for t in tok_set)
        if allowed:
            hits.append(Hit(m.start(), m.end(), Stage(system="cnlc", allowed=list(dict.fromkeys(allowed))),
                            priority=5, family="stage"))
    return hits


_CONFIRM = [
    (re.compile(r"histolog\w*|patholog\w*|组织学|病理学?|biopsy|活检", re.IGNORECASE), "histology"),
    (re.compile(r"cytolog\w*|细胞学", re.IGNORECASE), "cytology"),
    (re.compile(r"radiolog\w*|radiograph\w*|imaging|ct\s+or\s+mri|影像学|aasld|easl|li-rads|non-?invasive", re.IGNORECASE), "imaging"),
    (re.compile(r"clinical(?:ly)?\s+diagnos\w*|临床诊断", re.IGNORECASE), "clinical"),
]
_DIAG = re.compile(
    r"(?:(?:histolog|cytolog|patholog|radiolog|radiograph)\w*(?:\s*(?:,\s*(?:or|and/or|and)?|or|and/or|/|and)\s*(?:histolog|cytolog|patholog|radiolog|radiograph)\w*)*"
    r"\s*(?:established\s+diagnosis|confirmed|proven|documented|diagnosed|diagnosis)"
    r"|(?:confirmed|proven|diagnosed|documented)\s+(?:by|with|on)\s+(?:histolog\w*|cytolog\w*|patholog\w*|biopsy|radiolog\w*|imaging)"
    r"(?:\s*(?:/|or|and|,)\s*(?:histolog\w*|cytolog\w*|patholog\w*|biopsy|radiolog\w*|imaging))*(?:\s+(?:examination|evaluation|analysis))?"
    r"|(?:经|通过)?(?:组织学|病理学?|细胞学|影像学)(?:\s*(?:/|或|和|及|、|,)\s*(?:组织学|病理学?|细胞学|影像学|临床))*\s*(?:检查)?\s*(?:确诊|证实|诊断)"
    r"|符合[^;。,]{0,20}?临床诊断标准|(?:meet\w*\s+)?(?:the\s+)?clinical diagnostic criteria(?:\s+for\s+hepatocellular carcinoma)?|(?:aasld|easl)[^;。]{0,40}?criteria)",
    re.IGNORECASE,
)
_HISTO = [
    (re.compile(r"fibrolamellar|fibrous lamellar|纤维板层", re.IGNORECASE), "fibrolamellar"),
    (re.compile(r"sarcomatoid|肉瘤样", re.IGNORECASE), "sarcomatoid"),
    (re.compile(r"mixed(?:[- ]cell)?\s+(?:hepatocellular\s*[-/]?\s*)?(?:cholangio)?carcinoma|mixed cholangiocarcinoma|combined hepatocellular"
                r"|mixed hcc|hcc-cca|chcc-cca|混合(?:细胞)?(?:型)?(?:肝)?癌|混合型", re.IGNORECASE), "combined_hcc_cca"),
    (re.compile(r"(?<!mixed )(?<!hepatocellular/)(?<!hepatocellular-)(?<!hepatocellular)(?<!hepatocellular )(?:intrahepatic\s+)?cholangio(?:cellular\s+)?carcinoma|\bicc\b|胆管细胞癌|胆管癌", re.IGNORECASE),
     "cholangiocarcinoma"),
]
_HISTO_SPAN = re.compile(
    r"(?:fibrolamellar|fibrous lamellar|纤维板层|sarcomatoid|肉瘤样|mixed|混合|combined hepatocellular|cholangio|\bicc\b"
    r"|胆管细胞癌|胆管癌|肝胆管细胞癌)[^;。]*?(?:carcinoma|hcc|癌|components?|成分|(?=[;。]|$))",
    re.IGNORECASE,
)


def scan_diagnosis(ctx: Context) -> list[Hit]:
    hits = []
    for m in _DIAG.finditer(ctx.lower):
        found = [name for pat, name in _CONFIRM if pat.search(m.group(0))]
        if "符合" in m.group(0) or "clinical diagnostic" in m.group(0) or "临床诊断" in m.group(0):
            # the Chinese clinical diagnosis of HCC is made on typical imaging (CNLC 2022 guideline)
            found += ["clinical", "imaging"] if "clinical" not in found else ["imaging"]
        if found:
            hits.append(Hit(m.start(), m.end(), Diagnosis(confirmed_by=sorted(set(found))),  # type: ignore[arg-type]
                            priority=3, family="diagnosis"))
    spans = list(_HISTO_SPAN.finditer(ctx.lower))
    if spans:
        start, end = spans[0].start(), spans[-1].end()
        chunk = ctx.lower[start:end]
        types = [name for pat, name in _HISTO if pat.search(chunk)]
        if types:
            from hcctrials.criteria.families.diagnosis import negate_excluded_subtypes  # "... subtypes are not eligible"

            hits.append(negate_excluded_subtypes(Hit(start, end, Diagnosis(histology=sorted(set(types))),  # type: ignore[arg-type]
                                                     priority=4, family="histology"), ctx))
    return hits


_TUMOUR: list[tuple[re.Pattern[str], dict[str, object]]] = [
    (re.compile(r"(?:at least|≥|至少)\s*(?:one|1|一)\s*(?:个)?\s*(?:\w+\s+){0,3}?(?:measurable|可测量|可评估|evaluable)[^;。]{0,60}?"
                r"(?:lesions?|disease|病灶|target)(?:[^;。]{0,40}?(?:m?recist\s*(?:v?1\.1)?))?"
                r"|measurable\s+(?:disease|lesions?)(?:[^;。]{0,40}?m?recist\s*(?:v?1\.1)?)?"
                r"|(?:根据|按照|依据)?\s*m?recist\s*(?:v?1\.1)?\s*(?:标准)?[^;。]{0,40}?(?:至少|≥)\s*(?:有)?\s*(?:1|一)\s*个[^;。]{0,10}?"
                r"可测量(?:的)?(?:病灶|靶病灶)", re.IGNORECASE), {"feature": "measurable_disease"}),
    (re.compile(r"(?:main|trunk|主干)[^;。,]{0,20}?(?:portal vein|门静脉)[^;。,]{0,20}?(?:tumou?r\s+)?(?:thromb\w*|invasion|癌栓|侵犯)"
                r"|(?:portal vein|门静脉)\s*(?:main\s*trunk|主干)[^;。,]{0,10}?(?:tumou?r\s+)?(?:thromb\w*|invasion|癌栓)"
                r"|\bvp\s*4\b|程氏\s*(?:iii|iv)\s*型", re.IGNORECASE), {"feature": "main_trunk_pvtt"}),
    # "thrumbus": the record's spelling (NCT02774187)
    (re.compile(r"(?:portal vein|portal venous)\s+(?:tumou?r\s+)?(?:thr[ou]mb\w*|invasion|involvement)|\bpvtt\b|门静脉癌栓"
                r"|portal invasion|门静脉侵犯", re.IGNORECASE), {"feature": "pvtt"}),
    (re.compile(r"(?:inferior vena cava|ivc|right atri\w*|下腔静脉|右心房)[^;。]{0,20}?(?:thromb\w*|invasion|癌栓)",
                re.IGNORECASE), {"feature": "ivc_or_atrial_thrombus"}),
    (re.compile(r"macrovascular invasion|major vascular invasion|vascular invasion|大血管侵犯|血管侵犯|血管癌栓",
                re.IGNORECASE), {"feature": "vascular_invasion"}),
    (re.compile(r"extra[- ]?hepatic\s+(?:spread|metasta\w*|disease)|肝外转移|肝外播散", re.IGNORECASE), {"feature": "extrahepatic_spread"}),
    (re.compile(r"(?:central nervous system|cns|brain|leptomeningeal|脑|中枢神经系统)[^;。,]{0,25}?(?:tumou?r\s+metasta\w*|metasta\w*|tumou?r|转移)"
                r"|leptomeningeal\s+(?:disease|carcinomatosis|involvement)|carcinomatous meningitis|meningeal carcinomatosis|癌性脑膜炎|脑膜转移",
                re.IGNORECASE), {"feature": "cns_metastasis"}),
    (re.compile(r"(?:tumou?r|肿瘤)[^;。]{0,30}?(?:involvement|occupy\w*|replac\w*|burden|占)[^;。]{0,30}?(?:≥|>|more than|超过)?\s*"
                r"50\s*%[^;。]{0,25}?(?:liver|肝)|(?:≥|>|超过)\s*50\s*%\s*(?:of\s+)?(?:the\s+)?(?:whole\s+)?(?:liver|全肝)",
                re.IGNORECASE), {"feature": "liver_involvement_50"}),
    (re.compile(r"bile duct (?:invasion|tumou?r thrombus)|胆管癌栓|胆管侵犯", re.IGNORECASE), {"feature": "bile_duct_invasion"}),
]


def scan_tumour(ctx: Context) -> list[Hit]:
    hits = []
    for pattern, fields in _TUMOUR:
        for m in pattern.finditer(ctx.lower):
            feature = fields["feature"]
            if feature == "measurable_disease" and "mrecist" in m.group(0) and "recist 1.1" not in m.group(0):
                feature = "measurable_disease_mrecist"
            node: Node = TumourFeature(feature=feature)  # type: ignore[arg-type]
            if feature == "pvtt" and re.search(r"thromb", m.group(0)) and not _TUMOUR_WORD.search(ctx.lower):
                # "Presence of portal venous thrombosis": a tumour thrombus, or a bland (non-tumour) one recorded as
                # the condition portal_vein_thrombosis (docs/patients.md)
                node = AnyOf(children=[node, HistoryCondition(codes=["portal_vein_thrombosis"], status="active",
                                                              label=ctx.text[m.start():m.end()])])
            hits.append(Hit(m.start(), m.end(), node, priority=3, family="tumour"))
    return hits


_TUMOUR_WORD = re.compile(r"tumou?r|malignant|neoplastic|癌栓|瘤栓|\bvp\s*\d|main|trunk|主干|branch|lobar|segmental|分支", re.IGNORECASE)


_LIVER: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"ascites[^;。]{0,40}?(?:requir\w*|need\w*)[^;。]{0,30}?(?:paracentesis|drainage|tapping)"
                r"|(?:requir\w*|need\w*)[^;。]{0,30}?(?:paracentesis|drainage)[^;。]{0,40}?ascites"
                r"|需要?[^;。]{0,10}?(?:穿刺|引流)[^;。]{0,10}?腹水|腹水[^;。]{0,10}?需要?[^;。]{0,6}?(?:穿刺|引流)",
                re.IGNORECASE), "ascites_requiring_paracentesis"),
    (re.compile(r"(?:clinically\s+(?:significant|evident|apparent|detectable|meaningful|relevant|important)|obvious|moderate(?:\s+(?:or|to)\s+severe)?|"
                r"uncontrolled|明显的?|中等?量以上的?|中等?量及以上的?|中大量|中-大量|中量或大量|中到大量|中至大量)\s*(?:的)?\s*(?:ascites|腹水)",
                re.IGNORECASE), "ascites_clinically_evident"),
    # "refractory ascites", "ascites refractory to diuretic therapy", 顽固性腹水 (hcc-domain.md s. 1.1: mild ascites is
    # diuretic-controlled, so not refractory)
    (re.compile(r"(?:refractory|diuretic[- ]resistant|diuretic[- ]refractory|难治性?的?|顽固性的?|难以控制的?)\s*(?:ascites|腹水)"
                r"|ascites\s+(?:that\s+is\s+)?(?:refractory|resistant|unresponsive)\s+to\s+(?:the\s+)?(?:diuretic|medical)\w*"
                r"(?:\s+(?:therapy|treatment|management))?", re.IGNORECASE), "ascites_refractory"),
    (re.compile(r"(?:severe|massive|tense|大量(?!以上|及以上)|重度|张力性)\s*(?:的)?\s*(?:ascites|腹水)", re.IGNORECASE), "ascites_severe"),
    # "Ascites (trace ascites on imaging is acceptable)", "more than trace ascites"
    (re.compile(r"ascites\s*[(,]\s*(?:except\s+(?:for\s+)?|other than\s+|but\s+)?(?:trace|minimal)\s+(?:ascites\s+)?(?:(?:only\s+)?(?:on|by|detected\s+(?:on|by)|"
                r"seen\s+on|visible\s+(?:on|by))\s+(?:imaging|ultrasound|ultrasonography|ct|mri|radiograph\w*)(?:\s+only)?\s*)?"
                r"(?:(?:is|are)\s+(?:acceptable|allowed|permitted|eligible))?\s*\)?"
                r"|(?:more|greater)\s+than\s+(?:trace|minimal)\s+ascites", re.IGNORECASE), "ascites_beyond_trace"),
    # encephalopathy at screening (a present state, not a history)
    (re.compile(r"(?:hepatic\s+)?encephalopathy\s+(?:according\s+to|at|on|per)\s+(?:the\s+)?(?:screening|baseline)"
                r"(?:\s+(?:assessment|visit|examination|evaluation))?", re.IGNORECASE), "encephalopathy"),
    (re.compile(r"(?<!\w)ascites|腹水", re.IGNORECASE), "ascites"),
    (re.compile(r"(?:high[- ]risk|large|severe|untreated)\s+(?:\w+\s+){0,2}varices|重度(?:食管胃底)?静脉曲张", re.IGNORECASE),
     "varices_high_risk"),
]


def scan_liver(ctx: Context) -> list[Hit]:
    hits = []
    for pattern, feature in _LIVER:
        for m in pattern.finditer(ctx.lower):
            priority = 1 if feature == "ascites" else 5 if feature in ("ascites_beyond_trace", "encephalopathy") else 3
            hits.append(Hit(m.start(), m.end(), LiverFeature(feature=feature), priority=priority,  # type: ignore[arg-type]
                            family="liver"))
    return hits
