"""Age, sex, ECOG performance status, life expectancy, pregnancy/lactation (EN + ZH).

Examples: "18-75岁", "年龄≥18岁且≤75岁", "aged ≥ 18 years", "18 years of age or older",
"between 18 and 75 years old", "ECOG 0-1", "ECOG PS评分0-1分", "东部肿瘤协作组(ECOG)的一般
状态评分为 0 或 1 分", "WHO performance status 0-1", "Life expectancy of ≥ 12 weeks",
"预期生存>3 个月", "Pregnant or lactating", "妊娠或哺乳期女性".  ECOG: hcc-domain.md s. 1.4.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import COMPARATOR, NUM, Context, Hit, parse_comparator, parse_number
from hcctrials.model.eligibility import Age, Ecog, LifeExpectancy, Pregnancy, Sex

__all__ = ["scan_age", "scan_ecog", "scan_life_expectancy", "scan_pregnancy", "scan_sex"]

_YEARS = r"(?:years?\s*(?:of\s+age|old)?|yrs?|岁|周岁)"
# "age" as a word only ("esophageal", "dosage", "stage" contain it)
_AGE_WORD = r"(?:(?<![a-z])age[ds]?(?![a-z])|年龄|年龄为|年龄在)"
_AGE_PATTERNS: list[re.Pattern[str]] = [
    # 18-75岁 / 18 to 75 years / between 18 and 75 years
    re.compile(rf"(?:{_AGE_WORD}\s*[:]?\s*(?:between|from|为|在)?\s*)?(?P<lo>\d{{1,2}})\s*(?:-|to|至|到|and)\s*"
               rf"(?P<hi>\d{{2,3}})\s*{_YEARS}", re.IGNORECASE),
    re.compile(rf"{_AGE_WORD}\s*[:]?\s*(?:between|from)?\s*(?P<lo>\d{{1,2}})\s*(?:-|to|至|到|and)\s*(?P<hi>\d{{2,3}})",
               re.IGNORECASE),
    # 年龄≥18岁且≤75岁 / age ≥ 18 years and ≤ 75 years
    re.compile(rf"{_AGE_WORD}[^0-9;]{{0,30}}?(?P<c1>{COMPARATOR})\s*(?P<v1>\d{{1,3}})(?![\d.])(?!\s*(?:months?|weeks?|days?|hours?|个月|周|天|mm|cm|%))\s*{_YEARS}?"
               rf"(?:\s*(?:且|并且|and|,|但|至)\s*(?P<c2>{COMPARATOR})\s*(?P<v2>\d{{1,3}})\s*{_YEARS}?)?",
               re.IGNORECASE),
    # ≥18 years old / 18 years of age or older / 18岁以上
    re.compile(rf"(?P<c1>{COMPARATOR})\s*(?P<v1>\d{{1,3}})\s*{_YEARS}", re.IGNORECASE),
    re.compile(rf"(?P<v1>\d{{1,3}})\s*{_YEARS}\s*(?:or\s+(?P<post>older|above|over|younger|less)|(?P<zh>以上|以下))",
               re.IGNORECASE),
    re.compile(rf"(?P<post>older|younger)\s+than\s+(?P<v1>\d{{1,3}})", re.IGNORECASE),
]


def _age_from_cmp(cmp: str, value: float) -> Age:
    if cmp in (">=", ">"):
        return Age(min_years=value, min_inclusive=cmp == ">=")
    if cmp in ("<=", "<"):
        return Age(max_years=value, max_inclusive=cmp == "<=")
    return Age(min_years=value, max_years=value)


def scan_age(ctx: Context) -> list[Hit]:
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
            if word in ("older", "above", "over", "以上"):
                node = Age(min_years=v, min_inclusive=inclusive or word == "以上")
            else:
                node = Age(max_years=v, max_inclusive=inclusive or word == "以下")
        else:
            if i == 3 and not re.search(r"age|年龄|岁|years? old|of age", text):
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
        return [Hit(m.start(), m.end(), node, priority=4, family="age")]
    return []


_ECOG = re.compile(
    r"(?:(?:东部肿瘤协作组|eastern cooperative oncology group)?\s*\(?ecog\)?(?:\s*(?:ps|performance status))?|eastern cooperative oncology group|who performance status|zubrod|performance status"
    r"|\bps\b|体力状况|体能状态|一般状态|行为状态)(?P<gap>[^0-9;。]{0,40}?)"
    r"(?:(?P<cmp>≤|<=|=<|<|不超过|不高于|不大于|小于|低于|less than|no more than|not more than|up to|at most)\s*(?P<max>[0-4])"
    r"|(?P<gcmp>≥|>=|=>|>|大于|高于|超过|不低于|不小于|greater than|more than|higher than|above|at least)\s*(?P<min>[0-4])"
    r"|(?P<lo>[0-4])\s*(?:-|–|~|～|to|至|到)\s*(?P<hi>[0-4])"
    r"|(?P<set>[0-4](?:\s*(?:,|or|或|和|and|/)\s*[0-4])*))\s*(?:分|points?)?"
    r"(?P<suffix>\s*(?:or less|or lower|or below|或以下|以下|or more|or greater|or higher|or above|或以上|以上))?",
    re.IGNORECASE,
)
# Comparator words the pattern above does not read: a gap holding one ("status of greater than or
# equal to 2") leaves the criterion to review rather than reading the number as a set.
_ECOG_GAP_COMPARATOR = re.compile(
    r"greater|more|less|fewer|higher|lower|above|below|exceed|over|under|least|most|equal|up to|[≥≤<>]|大|小|高|低|超|不|以",
    re.IGNORECASE)


def scan_ecog(ctx: Context) -> list[Hit]:
    """ECOG performance status: ``≤ 1``, ``0-1``, ``0 or 1``, ``> 2`` (3-4), ``2 or more``, ``≥2分``.

    Issue 10: "ECOG PS > 2" was read as {2}; a lower bound now gives the grades from it up to 4,
    and a comparator word the pattern does not read sends the criterion to review."""
    m = _ECOG.search(ctx.lower)
    if not m:
        return []
    if _ECOG_GAP_COMPARATOR.search(m.group("gap") or ""):
        return []
    suffix = (m.group("suffix") or "").strip()
    if m.group("max") is not None:
        top = int(m.group("max")) - (1 if m.group("cmp") in ("<", "小于", "低于", "less than") else 0)
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


_LIFE = re.compile(
    rf"(?:life\s+expectancy|expected\s+survival|estimated\s+survival|survival\s+expectancy|预期生存期?|预计生存期?"
    rf"|预期寿命)[^0-9;。]{{0,25}}?(?P<cmp>{COMPARATOR})?\s*(?P<n>{NUM}|three|six|twelve|三|六)\s*(?:个)?\s*"
    r"(?P<u>weeks?|months?|周|个月|月)(?P<zh>以上)?",
    re.IGNORECASE,
)


def scan_life_expectancy(ctx: Context) -> list[Hit]:
    m = _LIFE.search(ctx.lower)
    if not m:
        return []
    words = {"three": 3, "six": 6, "twelve": 12, "三": 3, "六": 6}
    word = words.get(m.group("n"))
    n = float(word) if word is not None else parse_number(m.group("n"))
    unit = m.group("u")
    if unit.startswith("week") or unit == "周":
        weeks = n
    else:
        weeks = round(n * 52 / 12, 2)  # months -> weeks: 52/12 weeks per month
    cmp = parse_comparator(m.group("cmp")) if m.group("cmp") else ">="
    inclusive = cmp != ">"
    return [Hit(m.start(), m.end(), LifeExpectancy(min_weeks=weeks, inclusive=inclusive),
                priority=4, family="life")]


_PREG = re.compile(
    r"(?<!not )(?:pregnan(?:t|cy)|lactat(?:ing|ion)|breast[- ]?feeding|nursing|妊娠期?|怀孕|孕妇|哺乳期?)"
    r"(?:\s*(?:or|and/or|and|,|或|及|和|/)\s*(?:pregnan(?:t|cy)|lactat(?:ing|ion)|breast[- ]?feeding|nursing|"
    r"妊娠期?|怀孕|哺乳期?))*",
    re.IGNORECASE,
)
_PREG_TEST = re.compile(r"pregnancy\s+test|妊娠试验|妊娠检测|怀孕测试|hcg", re.IGNORECASE)


def scan_pregnancy(ctx: Context) -> list[Hit]:
    hits = []
    for m in _PREG.finditer(ctx.lower):
        around = ctx.lower[max(0, m.start() - 5):m.end() + 8]
        if _PREG_TEST.search(around):
            continue
        lact = bool(re.search(r"lactat|breast|nursing|哺乳", m.group(0)))
        preg = bool(re.search(r"pregnan|妊娠|怀孕|孕妇", m.group(0)))
        node = Pregnancy(include_lactation=lact or not preg)
        hits.append(Hit(m.start(), m.end(), node, priority=3, family="pregnancy"))
    return hits


_SEX = re.compile(r"\b(?P<s>male|female|men|women)\s+(?:patients|subjects|only)\b|(?P<zh>男性|女性)患者", re.IGNORECASE)


def scan_sex(ctx: Context) -> list[Hit]:
    m = _SEX.search(ctx.lower)
    if not m or re.search(r"childbearing|育龄|contracep|避孕", ctx.lower):
        return []
    word = (m.group("s") or m.group("zh") or "").lower()
    allowed = ["male"] if word in ("male", "men", "男性") else ["female"]
    return [Hit(m.start(), m.end(), Sex(allowed=allowed), priority=1, family="sex")]  # type: ignore[arg-type]
