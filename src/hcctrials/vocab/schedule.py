"""Frequency, day-range and route statements in English and Chinese dose text.

Frequency codes follow the usual prescription abbreviations: QD (once daily), BID, TID, QID,
QOD (every other day), QW (weekly), BIW (twice weekly), Q{n}W (every n weeks), Q{n}D (every n days
when n is not a multiple of 7), ONCE (single dose); day ranges within a cycle are D1, D1-14,
D1,8.  Statements have a *level* so that only statements about the same thing are compared:
``daily`` (doses per day), ``interval`` (time between doses, ONCE), ``cycle`` (cycle length:
"21 天为一周期"), ``days`` (days within a cycle).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hcctrials.vocab.matcher import fold_text

__all__ = [
    "ScheduleStatement",
    "RouteStatement",
    "choose_frequency",
    "find_frequency_statements",
    "find_route_statements",
    "normalise_frequency",
    "ROUTES",
]

_ZH_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_NUM = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "other": 2,
}
_N = r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|other)"
_ZN = r"(?:\d{1,3}|[一二两三四五六七八九]|十[一二]?)"


def _num(token: str | None, default: int = 1) -> int:
    if not token:
        return default
    token = token.strip()
    if token.isdigit():
        return int(token)
    if token in _EN_NUM:
        return _EN_NUM[token]
    if token.startswith("十"):
        return 10 + (_ZH_NUM.get(token[1:], 0) if len(token) > 1 else 0)
    return _ZH_NUM.get(token, default)


def _per_day(times: int) -> str | None:
    return {1: "QD", 2: "BID", 3: "TID", 4: "QID"}.get(times)


def _interval_days(days: int) -> str | None:
    if days <= 0:
        return None
    if days == 1:
        return "QD"
    if days == 2:
        return "QOD"
    if days % 7 == 0:
        weeks = days // 7
        return "QW" if weeks == 1 else f"Q{weeks}W"
    return f"Q{days}D"


def _weeks(weeks: int) -> str | None:
    if weeks <= 0:
        return None
    return "QW" if weeks == 1 else f"Q{weeks}W"


@dataclass(frozen=True, slots=True)
class ScheduleStatement:
    """One statement found in a text: ``text[start:end] == matched``.

    ``form`` is "code" for a written abbreviation (Q3W, QD, D1-14) and "words" for a phrase
    (每周1次, every 3 weeks); ``level`` is daily | interval | cycle | days.
    """

    code: str
    level: str
    form: str
    start: int
    end: int
    matched: str


_DAILY_CODES = {"QD", "BID", "TID", "QID", "QOD"}
_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"

_RuleFunc = Callable[[re.Match[str]], "tuple[str, str] | None"]
# (regex on folded lower-case text, function(match) -> (code, level) or None, form)
_RULES: list[tuple[re.Pattern[str], _RuleFunc, str]] = []


def _rule(pattern: str, form: str) -> Callable[[_RuleFunc], _RuleFunc]:
    def register(func: _RuleFunc) -> _RuleFunc:
        _RULES.append((re.compile(pattern), func, form))
        return func

    return register


# ---------------------------------------------------------------- abbreviations
@_rule(_B + r"(?:q\.?\s?d\.?|qday)" + _E, "code")
def _qd(m: re.Match[str]) -> tuple[str, str]:
    return "QD", "daily"


@_rule(_B + r"(?:b\.?i\.?d\.?)" + _E, "code")
def _bid(m: re.Match[str]) -> tuple[str, str]:
    return "BID", "daily"


@_rule(_B + r"(?:t\.?i\.?d\.?)" + _E, "code")
def _tid(m: re.Match[str]) -> tuple[str, str]:
    return "TID", "daily"


@_rule(_B + r"(?:q\.?i\.?d\.?)" + _E, "code")
def _qid(m: re.Match[str]) -> tuple[str, str]:
    return "QID", "daily"


@_rule(_B + r"(?:q\.?o\.?d\.?)" + _E, "code")
def _qod(m: re.Match[str]) -> tuple[str, str]:
    return "QOD", "daily"


@_rule(_B + r"biw" + _E, "code")
def _biw(m: re.Match[str]) -> tuple[str, str]:
    return "BIW", "interval"


@_rule(_B + r"q\s?(\d{1,2})?\s?(?:w|wk|wks|week|weeks)" + _E, "code")
def _qnw(m: re.Match[str]) -> tuple[str, str] | None:
    code = _weeks(_num(m.group(1)))
    return (code, "interval") if code else None


@_rule(_B + r"q\s?(\d{1,3})\s?(?:d|day|days)" + _E, "code")
def _qnd(m: re.Match[str]) -> tuple[str, str] | None:
    code = _interval_days(int(m.group(1)))
    return (code, "daily" if code in _DAILY_CODES else "interval") if code else None


@_rule(_B + r"(?:d|day|days)\s?(\d{1,2})(?:\s?(?:-|~|to|至)\s?(?:d|day)?\s?(\d{1,2}))?"
       r"((?:\s?[,、&]\s?(?:d|day)?\s?\d{1,2}(?!\d|\s?-|\s?[a-z]))*)" + _E, "code")
def _days(m: re.Match[str]) -> tuple[str, str] | None:
    first = int(m.group(1))
    if m.group(2):
        last = int(m.group(2))
        if last <= first:
            return None
        return f"D{first}-{last}", "days"
    extra = re.findall(r"\d{1,2}", m.group(3) or "")
    return "D" + ",".join([str(first), *extra]), "days"


# ---------------------------------------------------------------- English words
@_rule(_B + r"(?:once|one time|1 time)\s(?:a|per|each)\s?day" + _E + r"|" + _B
       + r"(?:once[\s-]daily|daily|every\s?day|each\s?day|per\s?day|a\s?day)" + _E
       + r"|/\s?(?:day|d)" + _E + r"|/\s?(?:天|日)", "words")
def _en_qd(m: re.Match[str]) -> tuple[str, str]:
    return "QD", "daily"


@_rule(_B + r"(two|three|four|2|3|4) times\s(?:a|per|each)\s?day" + _E, "words")
def _en_times_day(m: re.Match[str]) -> tuple[str, str] | None:
    code = _per_day(_num(m.group(1)))
    return (code, "daily") if code else None


@_rule(_B + r"(?:twice|thrice)(?:[\s-]daily|\s(?:a|per|each)\s?day)" + _E, "words")
def _en_twice(m: re.Match[str]) -> tuple[str, str]:
    return ("BID" if m.group().startswith("twice") else "TID"), "daily"


@_rule(_B + r"(?:every other day|alternate days|every second day)" + _E, "words")
def _en_qod(m: re.Match[str]) -> tuple[str, str]:
    return "QOD", "daily"


@_rule(_B + r"(?:twice (?:a |per )?week(?:ly)?)" + _E, "words")
def _en_biw(m: re.Match[str]) -> tuple[str, str]:
    return "BIW", "interval"


@_rule(_B + r"(?:once (?:a |per |every )?week(?:ly)?|weekly|every week|each week)" + _E, "words")
def _en_qw(m: re.Match[str]) -> tuple[str, str]:
    return "QW", "interval"


@_rule(_B + r"(?:once\s)?every\s(" + _N + r")[\s-]?(weeks?|wks?|days?)" + _E, "words")
def _en_every(m: re.Match[str]) -> tuple[str, str] | None:
    n = _num(m.group(1))
    code = _weeks(n) if m.group(2).startswith("w") else _interval_days(n)
    if not code:
        return None
    return code, "daily" if code in _DAILY_CODES else "interval"


@_rule(_B + r"(?:every other week|fortnightly)" + _E, "words")
def _en_q2w(m: re.Match[str]) -> tuple[str, str]:
    return "Q2W", "interval"


@_rule(_B + r"(?:monthly|every month|once a month)" + _E, "words")
def _en_q4w(m: re.Match[str]) -> tuple[str, str]:
    return "Q4W", "interval"


@_rule(_B + r"(?:a single(?: priming)? dose|single(?: priming)? dose|single administration|one dose|once only|one-time dose|one time only|once)" + _E, "words")
def _en_once(m: re.Match[str]) -> tuple[str, str]:
    return "ONCE", "interval"


@_rule(_B + r"(" + _N + r")[\s-](?:week|day)s?[\s-]cycles?" + _E + r"|" + _B
       + r"cycles? of (" + _N + r") (weeks?|days?)" + _E, "words")
def _en_cycle(m: re.Match[str]) -> tuple[str, str] | None:
    text = m.group()
    n = _num(m.group(1) or m.group(2))
    code = _weeks(n) if "week" in text else _interval_days(n)
    return (code, "cycle") if code else None


@_rule(_B + r"days?\s(\d{1,2})\s(?:through|to|-)\s(\d{1,2})" + _E, "words")
def _en_days(m: re.Match[str]) -> tuple[str, str] | None:
    a, b = int(m.group(1)), int(m.group(2))
    return (f"D{a}-{b}", "days") if b > a else None


# ---------------------------------------------------------------- Chinese
@_rule(r"(?:每日|每天|一日|每1日|每一日|每1天|每一天)\s?(" + _ZN + r")\s?次", "words")
def _zh_per_day(m: re.Match[str]) -> tuple[str, str] | None:
    code = _per_day(_num(m.group(1)))
    return (code, "daily") if code else None


@_rule(r"(?:每日|每天)(?!\s?" + _ZN + r"\s?次)", "words")
def _zh_daily(m: re.Match[str]) -> tuple[str, str]:
    return "QD", "daily"


@_rule(r"(?:隔日|隔天)(?:\s?[1一]\s?次)?", "words")
def _zh_qod(m: re.Match[str]) -> tuple[str, str]:
    return "QOD", "daily"


@_rule(r"(?:每周|每星期|每1周|每一周)\s?(" + _ZN + r")\s?次", "words")
def _zh_per_week(m: re.Match[str]) -> tuple[str, str] | None:
    times = _num(m.group(1))
    return {1: ("QW", "interval"), 2: ("BIW", "interval")}.get(times)


@_rule(r"(?:每隔|每)\s?(" + _ZN + r")\s?(?:周|星期)(?!\s?为)(?:\s?(?:给药|用药|静滴|静脉滴注)?\s?[1一]\s?次)?", "words")
def _zh_every_weeks(m: re.Match[str]) -> tuple[str, str] | None:
    code = _weeks(_num(m.group(1)))
    return (code, "interval") if code else None


@_rule(r"(?:每隔|每)\s?(" + _ZN + r")\s?(?:天|日)(?!\s?为)(?:\s?(?:给药|用药)?\s?[1一]\s?次)?", "words")
def _zh_every_days(m: re.Match[str]) -> tuple[str, str] | None:
    code = _interval_days(_num(m.group(1)))
    if not code:
        return None
    return code, "daily" if code in _DAILY_CODES else "interval"


@_rule(r"(?:每\s?)?(" + _ZN + r")\s?(周|天|日)\s?为\s?(?:一|1)\s?(?:个)?\s?(?:治疗)?周期", "words")
def _zh_cycle(m: re.Match[str]) -> tuple[str, str] | None:
    n = _num(m.group(1))
    code = _weeks(n) if m.group(2) == "周" else _interval_days(n)
    return (code, "cycle") if code else None


@_rule(r"第\s?(\d{1,2})\s?(?:(?:-|~|至|到)\s?(?:第\s?)?(\d{1,2}))?\s?(?:天|日)", "words")
def _zh_days(m: re.Match[str]) -> tuple[str, str] | None:
    a = int(m.group(1))
    if m.group(2):
        b = int(m.group(2))
        return (f"D{a}-{b}", "days") if b > a else None
    return f"D{a}", "days"


@_rule(r"单次(?:给药)?|一次性给药|仅\s?(?:给药)?\s?[1一]\s?次", "words")
def _zh_once(m: re.Match[str]) -> tuple[str, str]:
    return "ONCE", "interval"


def find_frequency_statements(text: str) -> list[ScheduleStatement]:
    """Every frequency, cycle and day-range statement in *text*, in text order, not overlapping.

    Where two rules match overlapping text the longer match wins ("once every 3 weeks" is Q3W,
    not ONCE).
    """
    if not text:
        return []
    folded = fold_text(text)
    found: list[ScheduleStatement] = []
    for regex, func, form in _RULES:
        for m in regex.finditer(folded):
            result = func(m)
            if result:
                code, level = result
                found.append(ScheduleStatement(code, level, form, m.start(), m.end(), text[m.start():m.end()]))
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[ScheduleStatement] = []
    for statement in found:
        if out and statement.start < out[-1].end:
            continue
        out.append(statement)
    return out


def normalise_frequency(text: str) -> str | None:
    """The frequency code of a short frequency text ("每3周1次" -> "Q3W", "twice daily" -> "BID").

    Returns None when *text* states no frequency.  When it states several, the dosing
    frequency wins (daily level, then interval, then cycle length, then day range) and, within
    a level, a written abbreviation wins over words.
    """
    return choose_frequency(find_frequency_statements(text))


def choose_frequency(statements: list[ScheduleStatement]) -> str | None:
    """Pick one code from *statements* (rule of :func:`normalise_frequency`)."""
    for level in ("daily", "interval", "cycle", "days"):
        at_level = [s for s in statements if s.level == level]
        if at_level:
            codes = [s for s in at_level if s.form == "code"]
            return (codes or at_level)[0].code
    return None


#: route code -> regex (on folded, lower-case text).
ROUTES: dict[str, re.Pattern[str]] = {
    "intra_arterial": re.compile(
        _B + r"(?:intra-?arterial(?:ly)?|hepatic arter(?:ial|y) infusion|i\.?a\.?)" + _E
        + r"|动脉灌注|经动脉|经肝动脉|肝动脉内"
    ),
    "iv": re.compile(
        _B + r"(?:i\.?v\.?|intravenous(?:ly)?|iv infusion|iv drip|infusion|ivgtt|ivd)" + _E
        + r"|静脉滴注|静滴|静脉注射|静脉输注|静推|静脉推注|静脉给药|静点|静脉输液"
    ),
    "oral": re.compile(_B + r"(?:oral(?:ly)?|p\.?o\.?|by mouth|per os)" + _E + r"|口服"),
    "sc": re.compile(_B + r"(?:s\.?c\.?|subcutaneous(?:ly)?|sub-cutaneous(?:ly)?)" + _E + r"|皮下注射|皮下给药"),
    "im": re.compile(_B + r"(?:i\.?m\.?|intramuscular(?:ly)?)" + _E + r"|肌肉注射|肌注"),
    "intratumoral": re.compile(_B + r"(?:intra-?tumou?ral(?:ly)?)" + _E + r"|瘤内注射|瘤内"),
}


@dataclass(frozen=True, slots=True)
class RouteStatement:
    route: str
    start: int
    end: int


def find_route_statements(text: str) -> list[RouteStatement]:
    """Every route statement in *text* (iv, oral, sc, im, intra_arterial, intratumoral), in order."""
    if not text:
        return []
    folded = fold_text(text)
    found = [
        RouteStatement(route, m.start(), m.end())
        for route, regex in ROUTES.items()
        for m in regex.finditer(folded)
    ]
    found.sort(key=lambda r: (r.start, -(r.end - r.start)))
    out: list[RouteStatement] = []
    for item in found:
        if out and item.start < out[-1].end:
            continue
        out.append(item)
    return out
