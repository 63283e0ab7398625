"""Age, sex, ECOG performance status, life expectancy, pregnancy/lactation (EN + ZH).

Examples: "18-75岁", "年龄≥18岁且≤75岁", "aged ≥ 18 years", "18 years of age or older",
"between 18 and 75 years old", "ECOG 0-1", "ECOG PS评分0-1分", "东部肿瘤协作组(ECOG)的一般
状态评分为 0 或 1 分", "WHO performance status 0-1", "Life expectancy of ≥ 12 weeks",
"预期生存>3 个月", "Pregnant or lactating", "妊娠或哺乳期女性".  ECOG: hcc-domain.md s. 1.4.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from hcctrials.criteria.grammar import COMPARATOR, NUM, Context, Hit, parse_comparator, parse_number
from hcctrials.model.eligibility import Administrative, Age, BodyWeight, Comparator, Ecog, LifeExpectancy, Not, Pregnancy, Sex

__all__ = ["scan_age", "scan_body_weight", "scan_ecog", "scan_life_expectancy", "scan_pregnancy", "scan_sex"]

_YEARS = r"(?:years?\s*(?:of\s+age|old)?|yrs?|岁|周岁)"
# "age" as a word only ("esophageal", "dosage", "stage" contain it)
_AGE_WORD = r"(?:(?<![a-z])age[ds]?(?![a-z])|年龄|年龄为|年龄在)"
_AGE_PATTERNS: list[re.Pattern[str]] = [
    # 18-75岁 / 18 to 75 years / between 18 and 75 years
    re.compile(rf"(?:{_AGE_WORD}\s*[:]?\s*(?:between|from|为|在)?\s*)?(?P<lo>\d{{1,2}})\s*(?:-|to|至|到|and)\s*"
               rf"(?P<hi>\d{{2,3}})\s*{_YEARS}", re.IGNORECASE),
    re.compile(rf"{_AGE_WORD}\s*[:]?\s*(?:of\s+)?(?:between|from)?\s*(?P<lo>\d{{1,2}})\s*(?:-|to|至|到|and)\s*(?P<hi>\d{{2,3}})",
               re.IGNORECASE),
    # 年龄≥18岁且≤75岁 / age ≥ 18 years and ≤ 75 years
    re.compile(rf"{_AGE_WORD}[^0-9;]{{0,30}}?(?P<c1>{COMPARATOR})\s*(?P<v1>\d{{1,3}})(?![\d.])(?!\s*(?:months?|weeks?|days?|hours?|个月|周|天|mm|cm|%))\s*{_YEARS}?"
               rf"(?:\s*(?:且|并且|and|,|但|至)\s*(?P<c2>{COMPARATOR})\s*(?P<v2>\d{{1,3}})\s*{_YEARS}?)?",
               re.IGNORECASE),
    # ≥18 years old / 18 years of age or older / 18岁以上
    re.compile(rf"(?P<c1>{COMPARATOR})\s*(?P<v1>\d{{1,3}})\s*{_YEARS}(?!\s*(?:ago|prior|before|earlier|since|previously|after))",
               re.IGNORECASE),
    re.compile(rf"(?P<v1>\d{{1,3}})\s*{_YEARS}\s*(?:(?:or|and)\s+(?P<post>older|above|over|more|greater|younger|less|below)"
               r"|(?P<zh>以上|以下))", re.IGNORECASE),
    re.compile(rf"(?P<post>older|younger)\s+than\s+(?P<v1>\d{{1,3}})", re.IGNORECASE),
    # "80 or more years old"
    re.compile(r"(?P<v1>\d{1,3})\s*or\s+(?P<post>more|older)\s+years?\s+(?:old|of age)", re.IGNORECASE),
    # "Age 18 and older", "Age 18 or older" (the word "age" and no unit)
    re.compile(rf"{_AGE_WORD}\s*[:]?\s*(?P<v1>\d{{1,3}})\s*(?:or|and)\s+(?P<post>older|above|over|more|greater)",
               re.IGNORECASE),
    # "Under age 18", "over the age of 60"
    re.compile(rf"(?P<c1>{COMPARATOR})\s*(?:the\s+)?(?<![a-z])ages?\s+(?:of\s+)?(?P<v1>\d{{1,3}})(?![\d.])", re.IGNORECASE),
]
_POPULATION = re.compile(r"\b(?:japanese|chinese|korean|taiwanese|asian|caucasian|white|black|african|hispanic|latino|healthy|"
                         r"volunteers?|postmenopausal|premenopausal|pediatric|paediatric|children|infants?|neonates?)\b",
                         re.IGNORECASE)
# words after an age range that add nothing: "inclusive", "(including both ends)", "regardless of gender",
# "of either gender"
_AGE_TAIL = re.compile(
    r"(?:\s*\(?\s*(?:inclusive|both inclusive|including both ends?|含(?:本数|两端)?)\s*\)?"
    r"|\s*,?\s*(?:at|on)\s+the\s+(?:time|day|date)\s+of\s+(?:signing\s+(?:the\s+)?|obtaining\s+)?(?:written\s+)?(?:informed\s+)?"
    r"consent(?:\s+(?:form|obtaining))?"
    r"|\s*,?\s*\(?(?:of\s+either\s+(?:gender|sex)|regardless\s+of\s+(?:(?:race|gender|sex)(?:\s+(?:or|and)\s+)?){1,2}"
    r"|(?:of\s+)?(?:both|either)\s+(?:genders?|sex(?:es)?)|males?\s+(?:and|or|&)\s+females?|men\s+(?:and|or)\s+women)\)?"
    # "... and any race, religion or socioeconomic group"; the registry's "Genders eligible for study: both"
    r"|\s*(?:,|and)\s*(?:of\s+)?any\s+(?:race|ethnicity|religion|socioeconomic\s+(?:group|status))"
    r"(?:\s*(?:,|or|and)\s*(?:race|ethnicity|religion|socioeconomic\s+(?:group|status)))*"
    r"|\s*,?\s*genders?\s+eligible\s+for\s+study\s*:\s*(?:both|all))*",
    re.IGNORECASE)


def _age_from_cmp(cmp: str, value: float) -> Age:
    if cmp in (">=", ">"):
        return Age(min_years=value, min_inclusive=cmp == ">=")
    if cmp in ("<=", "<"):
        return Age(max_years=value, max_inclusive=cmp == "<=")
    return Age(min_years=value, max_years=value)


#: "There is no age restriction", "No restriction about the ECOG status", 年龄不限: no condition at all
_NO_LIMIT = re.compile(
    r"^\s*(?:there\s+(?:is|are)\s+)?no\s+(?:upper\s+)?(?:age\s+)?(?:restrictions?|limits?|limitations?)\s*"
    r"(?:(?:on|about|for|of|regarding)\s+(?:the\s+)?(?:age|(?:eastern cooperative oncology group\s*)?\(?ecog\)?\s*"
    r"(?:performance\s+)?status|performance\s+status))?\s*[.;]?\s*$|^\s*(?:年龄|性别)不限\s*[。;]?\s*$",
    re.IGNORECASE)


def scan_age(ctx: Context) -> list[Hit]:
    if _NO_LIMIT.match(ctx.lower):
        return [Hit(0, len(ctx.lower), Administrative(category="permissive"), priority=4, family="age")]
    text = ctx.lower
    for i, pattern in enumerate(_AGE_PATTERNS):
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        if g.get("lo"):
            lo, hi = float(g["lo"]), float(g["hi"])
            if lo >= hi or hi > 120:
                continue
            node = Age(min_years=lo, max_years=hi)
        elif g.get("post") or g.get("zh"):
            v = float(g["v1"])
            word = (g.get("post") or g.get("zh") or "").lower()
            inclusive = i == 4  # "18 years or older" includes 18; "older than 18" does not
            if word in ("older", "above", "over", "more", "greater", "以上"):
                node = Age(min_years=v, min_inclusive=inclusive or word == "以上")
            else:
                node = Age(max_years=v, max_inclusive=inclusive or word == "以下")
        else:
            if i == 3 and not re.search(r"(?<![a-z])(?:age[sd]?|adults?)(?![a-z])|年龄|岁|成年|years? old|of age", text):
                continue
            cmp = parse_comparator(g["c1"])
            if cmp == "==" and not g.get("c2"):
                continue
            node = _age_from_cmp(cmp, float(g["v1"]))
            if g.get("c2"):
                other = _age_from_cmp(parse_comparator(g["c2"]), float(g["v2"]))
                node = Age(min_years=node.min_years if node.min_years is not None else other.min_years,
                           max_years=node.max_years if node.max_years is not None else other.max_years,
                           min_inclusive=node.min_inclusive and other.min_inclusive,
                           max_inclusive=node.max_inclusive and other.max_inclusive)
        if i in (6, 7):  # "80 or more years old", "Age 18 and older": inclusive
            node = Age(min_years=float(g["v1"]))
        # a population word beside the age ("Japanese male or female aged 65 years or older"): the tails are not
        # absorbed, so that the words left over keep the criterion for review
        tail = None if _POPULATION.search(text) else _AGE_TAIL.match(text, m.end())
        start = m.start()
        lead = re.search(r"ages?\s+eligible\s+for\s+study\s*:\s*$", text[max(0, start - 30):start])
        if lead:  # the registry's structured field "Ages eligible for study: 18 years and above"
            start = max(0, start - 30) + lead.start()
        return [Hit(start, tail.end() if tail else m.end(), node, priority=4, family="age")]
    return []


_ECOG = re.compile(
    r"(?:(?:东部肿瘤协作组|eastern cooperative oncology group)?\s*\(?ecog\)?(?:\s*(?:ps|performance status))?|eastern cooperative oncology group|who performance status|zubrod|performance status"
    r"|\bps\b|体力状况|体能状态|一般状态|行为状态)(?P<gap>[^0-9;。]{0,40}?)"
    r"(?:(?P<cmp>≤|<=|=<|<|不超过|不高于|不大于|小于或等于|小于等于|小于|低于|less than or equal to|less than\s*/\s*equal to"
    r"|equal to or less than|less than|no more than|not more than|no greater than|not greater than|no higher than|not higher than"
    r"|not exceeding|up to|at most|of at most)\s*(?P<max>[0-4])"
    r"|(?P<gcmp>≥|>=|=>|>|大于或等于|大于等于|大于|高于|超过|不低于|不小于|greater than or equal to|greater than\s*/\s*equal to"
    r"|equal to or greater than|greater than|more than|higher than|above|at least|no less than|not less than)\s*(?P<min>[0-4])"
    r"|(?P<lo>[0-4])\s*(?:-|–|~|～|to|至|到)\s*(?P<hi>[0-4])"
    r"|(?P<set>[0-4](?:\s*(?:,\s*(?:or|and)|,|or|或|和|and|/)\s*[0-4])*))\s*(?:分|points?)?"
    r"(?P<suffix>\s*(?:or less|or lower|or below|或以下|以下|or more|or greater|or higher|or above|或以上|以上))?",
    re.IGNORECASE,
)
# Comparator words the pattern above does not read: a gap holding one ("status of greater than or
# equal to 2") leaves the criterion to review rather than reading the number as a set.
_ECOG_GAP_COMPARATOR = re.compile(
    r"greater|more|less|fewer|higher|lower|above|below|exceed|over|under|least|most|equal|up to|[≥≤<>]|大|小|高|低|超|不|以",
    re.IGNORECASE)


def scan_ecog(ctx: Context) -> list[Hit]:
    """ECOG performance status, and Karnofsky criteria read as ECOG grades (:func:`scan_karnofsky`)."""
    ecog = _scan_ecog(ctx)
    # both scales in one sentence ("ECOG <= 2 (Karnofsky greater than 60%)") restate each other, often not
    # exactly (ECOG 2 = KPS 50-60): the Karnofsky words are left over, for review.  Offered as alternatives
    # ("ECOG PS of 0, 1 or 2 or a Karnofsky Performance Status > 70 %", "ECOG <= 1 (or Karnofsky >= 70%)") either
    # scale admits: the grades of both, a grade the Karnofsky threshold cuts left undecided
    if ecog:
        kps = scan_karnofsky(ctx)
        if kps:
            first, second = sorted([ecog[0], kps[0]], key=lambda h: h.start)
            between = ctx.lower[first.end:second.start]
            if re.fullmatch(r"\s*\(?\s*(?:or|或)\s+(?:an?\s+)?", between):
                e, k = ecog[0].node, kps[0].node
                assert isinstance(e, Ecog) and isinstance(k, Ecog)
                allowed = sorted(set(e.allowed) | set(k.allowed))
                undecided = sorted(set(k.undecided) - set(allowed))
                end = second.end + (1 if ctx.lower[second.end:second.end + 1] == ")" and "(" in between else 0)
                return [Hit(first.start, end, Ecog(allowed=allowed, undecided=undecided,
                                                   label=" ".join(ctx.text[first.start:end].split())),
                            priority=4, family="ecog")]
    return ecog or scan_karnofsky(ctx)


# "Systemic conditions are 0 to 2 score of Performance Status (according to Eastern Cooperative Oncology Group: ECOG)"
# (NCT00165633, a Japanese-English record): the grades before the scale's name
_ECOG_GRADES_FIRST = re.compile(
    r"(?:systemic\s+conditions?\s+(?:are|is)\s+)?(?P<lo>[0-4])\s*(?:-|–|to)\s*(?P<hi>[0-4])\s+(?:points?\s+|score\s+)?"
    r"(?:score\s+)?(?:of|on)\s+(?:the\s+)?performance\s+status\s*\(\s*(?:according\s+to\s+)?(?:the\s+)?"
    r"eastern\s+cooperative\s+oncology\s+group\s*[:,]?\s*(?:\(?ecog\)?)?\s*\)", re.IGNORECASE)


def _scan_ecog(ctx: Context) -> list[Hit]:
    """ECOG performance status: ``≤ 1``, ``0-1``, ``0 or 1``, ``> 2`` (3-4), ``2 or more``, ``≥2分``.

    Issue 10: "ECOG PS > 2" was read as {2}; a lower bound now gives the grades from it up to 4,
    and a comparator word the pattern does not read sends the criterion to review."""
    first = _ECOG_GRADES_FIRST.search(ctx.lower)
    if first and int(first.group("lo")) <= int(first.group("hi")):
        grades = list(range(int(first.group("lo")), int(first.group("hi")) + 1))
        return [Hit(first.start(), first.end(), Ecog(allowed=grades), priority=5, family="ecog")]
    m = _ECOG.search(ctx.lower)
    if not m:
        return []
    if _ECOG_GAP_COMPARATOR.search(m.group("gap") or ""):
        return []
    suffix = (m.group("suffix") or "").strip()
    if m.group("max") is not None:
        top = int(m.group("max")) - (1 if m.group("cmp") in ("<", "小于", "低于", "less than") else 0)
        if m.group("cmp") is not None and "/" in m.group("cmp"):
            top = int(m.group("max"))  # "less than/equal to 2": the slash reads "or"
        allowed = list(range(0, top + 1))
    elif m.group("min") is not None:
        low = int(m.group("min")) + (1 if m.group("gcmp") in (">", "大于", "高于", "超过", "greater than", "more than",
                                                            "higher than", "above") else 0)
        allowed = list(range(low, 5))
    elif m.group("lo") is not None:
        allowed = list(range(int(m.group("lo")), int(m.group("hi")) + 1))
    else:
        allowed = sorted({int(d) for d in re.findall(r"[0-4]", m.group("set"))})
        if suffix and len(allowed) == 1:
            below = suffix in ("or less", "or lower", "or below", "或以下", "以下")
            allowed = list(range(0, allowed[0] + 1)) if below else list(range(allowed[0], 5))
        elif suffix:
            return []
    if not allowed:
        return []
    return [Hit(m.start(), m.end(), Ecog(allowed=allowed), priority=4, family="ecog")]


#: Karnofsky bands of the ECOG grades (Oken et al. 1982; the usual correspondence table)
_KPS_BANDS = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)}
_KPS_NAME = r"(?:karnofsky(?:\s+performance)?(?:\s+(?:status|score|scale|index))?(?:\s*\(kps\))?|\bkps\b|卡氏评分|卡氏|kps评分)"
_KPS = re.compile(
    rf"{_KPS_NAME}\s*(?:score|评分)?[^0-9;。<>≤≥]{{0,20}}?(?:(?P<cmp>{COMPARATOR})\s*(?P<n>\d{{2,3}})|(?P<lo>\d{{2,3}})\s*%?\s*(?:-|–|to|至|~)\s*(?P<hi>\d{{2,3}})"
    r"|(?P<n2>\d{2,3})\s*%?\s*(?:分)?\s*(?P<after>or\s+(?:more|higher|greater|above|less|lower|below)|及?以上|及?以下))\s*%?\s*(?:分)?"
    rf"|(?P<cmp3>{COMPARATOR})\s*(?P<n3>\d{{2,3}})\s*%?\s*(?:on\s+the\s+)?{_KPS_NAME}(?:\s*(?:score|评分))?",
    re.IGNORECASE)


def _kps_ok(cmp: str, n: float) -> Callable[[int], bool]:
    ops: dict[str, Callable[[int], bool]] = {"<": lambda v: v < n, "<=": lambda v: v <= n, ">": lambda v: v > n,
                                            ">=": lambda v: v >= n}
    return ops[cmp]


def scan_karnofsky(ctx: Context) -> list[Hit]:
    """Karnofsky performance status ("KPS >= 60%", "Karnofsky 70-100%", "Less than 30 Karnofsky score",
    卡氏评分≥70分) as ECOG grades through the ECOG-Karnofsky bands: a grade whose whole band meets the
    threshold is allowed; a band the threshold cuts is undecided (unknown without a Karnofsky score)."""
    m = _KPS.search(ctx.lower)
    if not m:
        return []
    ok: Callable[[int], bool]
    if m.group("lo"):
        lo, hi = int(m.group("lo")), int(m.group("hi"))
        ok = range(lo, hi + 1).__contains__
    else:
        if m.group("after"):
            n = float(m.group("n2"))
            cmp = "<=" if re.search(r"less|lower|below|以下", m.group("after")) else ">="
        else:
            n = float(m.group("n") or m.group("n3"))
            cmp = parse_comparator(m.group("cmp") or m.group("cmp3"))
        if cmp == "==":
            return []
        ok = _kps_ok(cmp, n)
    allowed, undecided = [], []
    for grade, (low, high) in _KPS_BANDS.items():
        inside = [ok(v) for v in range(low, high + 1, 10)]
        if all(inside):
            allowed.append(grade)
        elif any(inside):
            undecided.append(grade)
    if not allowed and not undecided:
        return []
    label = " ".join(ctx.text[m.start():m.end()].split())
    return [Hit(m.start(), m.end(), Ecog(allowed=allowed, undecided=undecided, label=label), priority=4, family="ecog")]


_LIFE = re.compile(
    rf"(?:(?:a\s+)?(?:minimum|minimal|estimated|anticipated|predicted|expected)\s+)?"
    rf"(?:li(?:f|v)e\s+expectancy|expected\s+survival|estimated\s+survival|survival\s+expectancy|预期生存期?|预计生存期?"
    rf"|预期寿命)[^0-9;。]{{0,25}}?(?P<cmp>{COMPARATOR})?\s*(?P<n>{NUM}|three|six|twelve|三|六)\s*(?:个)?\s*"
    r"(?P<u>weeks?|months?|days?|周|个月|月|天)(?P<zh>以上)?"
    # "at the pre-treatment evaluation", "at screening", "at the time of enrolment": when it is estimated
    r"(?:\s*(?:at|as of|on)\s+(?:the\s+)?(?:time\s+of\s+)?(?:pre-?treatment evaluation|screening|baseline|enrol?ment"
    r"|inclusion|registration|randomi[sz]ation|study entry|entry))?",
    re.IGNORECASE,
)


_WEIGHT = re.compile(
    r"(?:body\s*weight|\bweight|体重)\s*(?:of\s+|must be\s+|is\s+|should be\s+)?(?P<cmp>>=|<=|≥|≤|>|<|at least|more than|"
    r"greater than|less than|below|above|over|under|not less than|not more than|大于或等于|大于等于|小于或等于|小于等于|大于|小于|不低于|不超过)\s*"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>kg|kilograms?|公斤|千克)(?P<zh>以上|以下)?", re.IGNORECASE)
_WEIGHT_WORDS = {"at least": ">=", "not less than": ">=", "不低于": ">=", "大于或等于": ">=", "大于等于": ">=",
                 "more than": ">", "greater than": ">", "above": ">", "over": ">", "大于": ">",
                 "less than": "<", "below": "<", "under": "<", "小于": "<",
                 "not more than": "<=", "不超过": "<=", "小于或等于": "<=", "小于等于": "<="}


def scan_body_weight(ctx: Context) -> list[Hit]:
    """Body weight thresholds in kg ("Body weight >30 kg", "weight ≥ 40 kg", 体重≥40kg); other units are left
    for review (a unit is never guessed)."""
    hits = []
    for m in _WEIGHT.finditer(ctx.lower):
        word = m.group("cmp")
        cmp = cast(Comparator, _WEIGHT_WORDS.get(word) or parse_comparator(word))
        hits.append(Hit(m.start(), m.end(), BodyWeight(comparator=cmp, value_kg=float(m.group("n"))),
                        priority=4, family="weight"))
    return hits


def scan_life_expectancy(ctx: Context) -> list[Hit]:
    """Life expectancy of at least N weeks / months / days (a month is 52/12 weeks, a day 1/7 week);
    "minimum life expectancy of 12 weeks" is at least 12 weeks."""
    m = _LIFE.search(ctx.lower)
    if not m:
        return []
    words = {"three": 3, "six": 6, "twelve": 12, "三": 3, "六": 6}
    word = words.get(m.group("n"))
    n = float(word) if word is not None else parse_number(m.group("n"))
    unit = m.group("u")
    if unit.startswith("week") or unit == "周":
        weeks = n
    elif unit.startswith("day") or unit == "天":
        weeks = round(n / 7, 2)
    else:
        weeks = round(n * 52 / 12, 2)  # months -> weeks: 52/12 weeks per month
    cmp = parse_comparator(m.group("cmp")) if m.group("cmp") else ">="
    if cmp in ("<", "<="):  # "life expectancy < 3 months" = not (at least 3 months); "<= N" = not (more than N)
        return [Hit(m.start(), m.end(), Not(child=LifeExpectancy(min_weeks=weeks, inclusive=cmp == "<")),
                    priority=4, family="life")]
    inclusive = cmp != ">"
    return [Hit(m.start(), m.end(), LifeExpectancy(min_weeks=weeks, inclusive=inclusive),
                priority=4, family="life")]


_PREG_WORD = (r"(?:pregnan(?:t|cy)|lactat(?:ing|ion)|breast[- ]?feed(?:ing)?|nursing|妊娠期?|怀孕|孕妇|孕期|哺乳期?)")
_PREG_SEP = r"\s*(?:,\s*(?:or|and|nor)?|or|and/or|and|nor|或者?|及|和|与|、|/)\s*"
# a negation that scopes over the whole list: "Not pregnant or nursing" (neither one), "neither pregnant nor
# breastfeeding", "non-pregnant, non-lactating", 非妊娠期或哺乳期, 不在妊娠期或哺乳期; "Male or ..." before a
# negated list adds nothing (the pregnancy leaf is never met for a man)
_PREG_NEG = (r"(?P<neg>(?:(?:male|men|男性)\s*(?:or|或)\s*)?(?:(?<![a-z])(?:neither|not|non-?)\s*(?:be(?:ing)?\s+)?"
             r"|非|未|不在|不处于|无|没有))")
_PREG = re.compile(
    rf"{_PREG_NEG}?{_PREG_WORD}(?:{_PREG_SEP}(?:non-?\s*|not\s+)?{_PREG_WORD})*"
    r"(?:\s*(?:females?|women|woman|patients|subjects|participants|女性|妇女|患者))?",
    re.IGNORECASE,
)
# an exclusion that says it excludes ("Pregnancy and breast feeding are exclusion factors", "Pregnant or
# nursing women cannot participate in this study"): the exclusion itself, nothing more
_PREG_EXCLUDED = re.compile(
    r"\s*(?:(?:is|are|will be)\s+(?:an?\s+)?(?:excluded|not eligible|ineligible|exclusion (?:factors?|criteria|criterion))"
    r"|(?:can ?not|may not|should not|must not)\s+(?:participate|be (?:enrolled|included))|are not allowed)"
    r"(?:\s+(?:in|from)\s+(?:this|the)\s+(?:study|trial))?",
    re.IGNORECASE)
_PREG_TEST = re.compile(r"pregnancy\s+test|妊娠试验|妊娠检测|怀孕测试|hcg", re.IGNORECASE)
# "planning to become pregnant", "wish to become pregnant": an intention the record does not hold
_PREG_PLAN = re.compile(r"(?:plan\w*|wish\w*|intend\w*|intention|expect\w*|desire\w*)\s+(?:of\s+|to\s+)?(?:becom\w+\s+)?$",
                        re.IGNORECASE)


def scan_pregnancy(ctx: Context) -> list[Hit]:
    """Pregnant / breastfeeding; a negation before the list scopes over all of it ("Not pregnant or
    nursing" = neither pregnant nor nursing; "neither ... nor"; "non-pregnant, non-lactating"; 非妊娠期或
    哺乳期) and is read here as ``Not``.  An intention ("planning to become pregnant") is not a state and
    is not matched."""
    hits = []
    for m in _PREG.finditer(ctx.lower):
        around = ctx.lower[max(0, m.start() - 5):m.end() + 8]
        if _PREG_TEST.search(around):
            continue
        if _PREG_PLAN.search(ctx.lower[max(0, m.start() - 40):m.start()]):
            continue
        words = m.group(0)[len(m.group("neg") or ""):]
        lact = bool(re.search(r"lactat|breast|nursing|哺乳", words))
        preg = bool(re.search(r"pregnan|妊娠|怀孕|孕妇|孕期", words))
        node: Pregnancy | Not = Pregnancy(include_lactation=lact or not preg, include_pregnancy=preg or not lact)
        end = m.end()
        if m.group("neg"):
            if ctx.role == "exclusion":
                continue  # "Non-pregnant ..." in an exclusion list: a requirement copied there, or not? review
            node = Not(child=node)
        else:
            tail = _PREG_EXCLUDED.match(ctx.lower, end)
            if tail:  # "... are excluded": the exclusion itself; in an inclusion list, the requirement not to be
                end = tail.end()
                if ctx.role != "exclusion":
                    node = Not(child=node)
        hits.append(Hit(m.start(), end, node, priority=3, family="pregnancy"))
    return hits


_SEX = re.compile(r"\b(?P<s>male|female|men|women)\s+(?:patients|subjects|only)\b|(?P<zh>男性|女性)患者", re.IGNORECASE)
# both sexes named ("Male or female patients >= 18 years of age", "Male or female subjects", 男性或女性): no condition
_BOTH_SEXES = re.compile(
    r"\b(?:(?P<m1>males?|men)\s*(?:or|and|&|/)\s*(?:females?|women)|(?:females?|women)\s*(?:or|and|&|/)\s*(?P<m2>males?|men))\b"
    r"(?:\s+(?:patients|subjects|participants|adults))?|男性或女性|女性或男性|男女(?:均可|不限)?", re.IGNORECASE)
# "Female subjects who are pregnant or currently breastfeeding": the sex is only the subject of the pregnancy words
# (which no man can meet), not a second condition
_SEX_OF_PREGNANCY = re.compile(r"\s*(?:who|that)\s+(?:are|is)\s+(?:currently\s+)?(?:pregnan|breast|lactat|nursing)",
                               re.IGNORECASE)


def _both_sexes(ctx: Context) -> list[Hit]:
    """Both sexes named: no condition.  Alone in the sentence it is a permissive note (the registry's "Male or female
    subjects"); beside other rules its words are only masked (an anchor), so "Male or female patients >= 18 years of
    age" reads the age alone."""
    m = _BOTH_SEXES.search(ctx.lower)
    if not m:
        return []
    rest = (ctx.lower[:m.start()] + " " + ctx.lower[m.end():]).strip(" .;,:。;-")
    if not rest:
        return [Hit(m.start(), m.end(), Administrative(category="permissive"), priority=1, family="admin",
                    extra={"category": "permissive"})]
    return [Hit(m.start(), m.end(), Administrative(category="permissive"), priority=2, family="sex",
                extra={"anchor": True})]


def scan_sex(ctx: Context) -> list[Hit]:
    both = _both_sexes(ctx)
    if both:
        return both
    m = _SEX.search(ctx.lower)
    if not m or re.search(r"childbearing|育龄|contracep|避孕", ctx.lower):
        return []
    if _SEX_OF_PREGNANCY.match(ctx.lower, m.end()):
        return []
    word = (m.group("s") or m.group("zh") or "").lower()
    allowed = ["male"] if word in ("male", "men", "男性") else ["female"]
    return [Hit(m.start(), m.end(), Sex(allowed=allowed), priority=1, family="sex")]  # type: ignore[arg-type]
