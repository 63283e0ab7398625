"""Cardiovascular history lists whose lead-in carries the time window (issue 10, session 5).

"History of any one or more of the following cardiovascular conditions within the past 6 months:
- Cardiac angioplasty or stenting - Myocardial infarction - Unstable angina - Coronary artery bypass graft
surgery - Symptomatic peripheral vascular disease - Class III or IV congestive heart failure, as defined by
the New York Heart Association (NYHA)" (NCT01012362): the window of the lead-in applies to every item, as
a clinician reads such a list.  Each item is compiled on its own with the lead-in's window appended (the
whole compiler, precision audits included); the list is read only when every item becomes a history leaf
carrying that window, else the criterion goes the ordinary way (and to review).

"No thrombotic or embolic events within the past 6 months including any of the following: -
Cerebrovascular accident (including transient ischemic attacks) - Pulmonary embolism - Deep vein
thrombosis" (NCT01009801): the lead-in is itself the rule and the items are examples of it; it is read
when every item names codes the lead-in already covers.

Two registry paragraphs are read as a whole when their wording is exactly matched (the sorafenib-label cardiac
exclusion of NCT01337492 and the windowed cardiac history of NCT01171924; see the comments at their patterns).

A NYHA class item in a windowed list becomes a heart-failure history leaf with ``min_nyha_class``: the
recorded class is today's, so a lower class now leaves the window unknown
(:mod:`hcctrials.criteria.evaluation.leaves_history`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hcctrials.criteria.grammar import ascii_re, find_window
from hcctrials.model.eligibility import (
    AllOf, AnyOf, HeartFailureNyha, HistoryCondition, Node, Not, Role, walk,
)

__all__ = ["read_windowed_condition_list", "read_nci_cardiac_paragraph", "read_cardiac_history_with_window", "CompileItem"]

#: the compiler's ``compile_criterion(text, role=...)``, passed in by the compiler (families sit below it)
CompileItem = Callable[[str, Role], Node]

# "History of any one or more of the following cardiovascular conditions within the past 6 months:"
_ANY_OF_LEAD = ascii_re(
    r"(?P<neg>no\s+|none\s+of\s+the\s+following\s*|)(?:(?:a\s+)?(?:history|hx)\s+of\s+)?(?:any\s+)?(?:one\s+or\s+more\s+of\s+the\s+"
    r"following|of\s+the\s+following|the\s+following)\s+(?:(?:cardiovascular|cardiac|vascular|thrombo-?embolic|arterial|"
    r"medical)\s+)?(?:conditions?|events?|diseases?|disorders?)\s+(?P<window>(?:within|in)\s+the\s+(?:past|last|previous)\s+"
    r"\S+\s+(?:days?|weeks?|months?|years?))\s*:")
# "No thrombotic or embolic events within the past 6 months including any of the following:"
_NAMED_LEAD = ascii_re(r"(?P<lead>.+?(?P<window>(?:within|in)\s+the\s+(?:past|last|previous)\s+\S+\s+(?:days?|weeks?|months?|"
                       r"years?)))\s*,?\s*including\s+(?:any\s+of\s+)?the\s+following\s*:")
_ITEM = re.compile(r"^\s*[-*•]\s+(?P<item>\S.*?)\s*$")


def _lines(text: str) -> tuple[str, list[str]] | None:
    """(lead-in line, items) of a dash list, or None when any line is neither."""
    rows = [r for r in text.strip().splitlines() if r.strip()]
    if len(rows) < 3:
        return None
    items = []
    for row in rows[1:]:
        m = _ITEM.match(row)
        if m is None:
            return None
        items.append(m.group("item").rstrip(".;"))
    return rows[0].strip(), items


def _windowed_item(item: str, window_words: str, days: int, compile_item: CompileItem) -> Node | None:
    """The rule of one list item read with the lead-in's window, or None unless it is one history leaf (or an any-of
    of them) carrying exactly that window."""
    rule = compile_item(f"{item} {window_words}", "exclusion")
    if isinstance(rule, HeartFailureNyha):
        # the class item: heart failure of that class within the window
        return HistoryCondition(codes=["heart_failure"], status="ever", look_back_days=days, min_nyha_class=rule.min_class,
                                label=rule.label or item)
    leaves = list(walk(rule))
    if any(isinstance(n, Not) for n in leaves):
        return None
    kept = [n for n in leaves if not isinstance(n, (AnyOf, AllOf))]
    if not kept or not all(isinstance(n, HistoryCondition) and n.look_back_days == days for n in kept):
        return None
    if any(isinstance(n, AllOf) for n in leaves):
        return None
    return rule.model_copy(update={"source": None})


def read_windowed_condition_list(text: str, role: Role | None, compile_item: CompileItem) -> Node | None:
    """The rule of a cardiovascular (or thromboembolic) history list whose lead-in states the window, or None
    when *text* is not such a list or any item is not read (see the module docstring).  *compile_item* compiles
    one item (the compiler's ``compile_criterion``, audits included)."""
    paragraph = read_nci_cardiac_paragraph(text, role) or read_cardiac_history_with_window(text, role)
    if paragraph is not None:
        return paragraph
    parts = _lines(text)
    if parts is None or role not in ("inclusion", "exclusion"):
        return None
    lead, items = parts
    m = _ANY_OF_LEAD.fullmatch(lead)
    if m is not None:
        negated = bool(m.group("neg").strip())
        if negated != (role == "inclusion"):
            return None  # "No history of ..." in an exclusion list, or a positive list among inclusions: not read here
        window = find_window(m.group("window"))
        if window is None:
            return None
        rules = []
        for item in items:
            rule = _windowed_item(item, m.group("window"), window.days, compile_item)
            if rule is None:
                return None
            rules.append(rule)
        node: Node = rules[0] if len(rules) == 1 else AnyOf(children=rules)
        return Not(child=node) if negated else node
    named = _NAMED_LEAD.fullmatch(lead)
    if named is None:
        return None
    window = find_window(named.group("window"))
    if window is None:
        return None
    rule = compile_item(named.group("lead"), role)
    inner = rule.child if isinstance(rule, Not) else rule
    if not isinstance(inner, HistoryCondition) or inner.look_back_days != window.days:
        return None
    if isinstance(rule, Not) != (role == "inclusion"):
        return None
    covered = set(inner.codes)
    for item in items:
        item_rule = _windowed_item(item, named.group("window"), window.days, compile_item)
        if item_rule is None:
            return None
        if not all(set(n.codes) <= covered for n in walk(item_rule) if isinstance(n, HistoryCondition)):
            return None  # an item the lead-in does not cover adds to the rule: not read here
    return rule.model_copy(update={"source": None})


# NCT01337492 exclusion 1 (the sorafenib label's cardiac exclusion, NCI template): "Cardiac disease: Congestive heart
# failure > class II New York Heart Association (NYHA). Patients must not have unstable angina (anginal symptoms at
# rest) or new onset angina (began within the last 3 months) or myocardial infarction within the past 6 months."
# Read: heart failure NYHA class >= III (today's class); unstable angina within the 6 months (the window closes the
# or-list, as the compiler reads an English list; a current one is within it); angina that began within the 3 months
# (its onset date: ``HistoryCondition.new_onset``); myocardial infarction within the 6 months.
_NUMBER = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}
_NCI_CARDIAC = ascii_re(
    r"\s*cardiac\s+disease\s*:\s*congestive\s+heart\s+failure\s*>\s*class\s+(?:ii|2)\s+(?:new\s+york\s+heart\s+association\s*)?"
    r"(?:\(\s*nyha\s*\)|nyha)\s*\.?\s*patients\s+must\s+not\s+have\s+unstable\s+angina\s*\(\s*anginal\s+symptoms\s+at\s+rest\s*\)"
    r"\s*,?\s*or\s+new[- ]onset\s+angina\s*\(\s*began\s+within\s+the\s+(?:last|past)\s+(?P<a>\d+|one|two|three|four|six)\s+months?\s*\)"
    r"\s*,?\s*or\s+myocardial\s+infarction\s+within\s+the\s+(?:last|past)\s+(?P<m>\d+|six|twelve|three)\s+months?\s*\.?\s*")


def _months(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER[word]


def read_nci_cardiac_paragraph(text: str, role: Role | None) -> Node | None:
    """The rule of the NCI-template cardiac exclusion quoted above, or None when *text* is not exactly it."""
    m = _NCI_CARDIAC.fullmatch(text.lower()) if role == "exclusion" else None
    if m is None:
        return None
    ua_mi_days = _months(m.group("m")) * 30
    return AnyOf(children=[
        HeartFailureNyha(min_class=3, label="congestive heart failure > class II New York Heart Association (NYHA)"),
        HistoryCondition(codes=["unstable_angina"], status="ever", look_back_days=ua_mi_days,
                         label="unstable angina (anginal symptoms at rest)"),
        HistoryCondition(codes=["angina", "unstable_angina"], status="ever", look_back_days=_months(m.group("a")) * 30,
                         new_onset=True, label="new onset angina"),
        HistoryCondition(codes=["myocardial_infarction"], status="ever", look_back_days=ua_mi_days,
                         label="myocardial infarction"),
    ])


# NCT01171924 exclusion 3: "History of cardiac disease with a New York Heart Association (NYHA) Class II or greater
# congestive heart failure (CHF), myocardial infarction (MI) or unstable angina in the past 6 months prior to Day 1 of
# treatment, serious arrhythmias requiring medication for treatment."  The window closes the or-list (heart failure of
# class II or worse, MI, unstable angina within it: the class is today's, so a lower class today is unknown); the
# arrhythmia is one that needs drug treatment now ("requiring medication" is what the text counts as serious; the
# template carves no drug out, unlike "other than beta blockers or digoxin", which stays for review).
_CARDIAC_HISTORY_WINDOW = ascii_re(
    r"\s*history\s+of\s+cardiac\s+disease\s+with\s+a\s+(?:new\s+york\s+heart\s+association\s*)?(?:\(\s*nyha\s*\)|nyha)\s+class\s+"
    r"(?P<c>ii|2|iii|3)\s+or\s+greater\s+congestive\s+heart\s+failure\s*(?:\(\s*chf\s*\))?\s*,\s*myocardial\s+infarction\s*"
    r"(?:\(\s*mi\s*\))?\s*or\s+unstable\s+angina\s+in\s+the\s+(?:past|last)\s+(?P<m>\d+|six|twelve|three)\s+months?\s+prior\s+to\s+"
    r"day\s*1\s+of\s+(?:study\s+)?treatment\s*,\s*serious\s+(?:cardiac\s+)?arrhythmias?\s+requiring\s+medication\s+for\s+treatment"
    r"\s*\.?\s*")


def read_cardiac_history_with_window(text: str, role: Role | None) -> Node | None:
    """The rule of the NCT01171924 cardiac exclusion quoted above, or None when *text* is not exactly it."""
    m = _CARDIAC_HISTORY_WINDOW.fullmatch(text.lower()) if role == "exclusion" else None
    if m is None:
        return None
    days = _months(m.group("m")) * 30
    return AnyOf(children=[
        HistoryCondition(codes=["heart_failure"], status="ever", look_back_days=days,
                         min_nyha_class=2 if m.group("c") in ("ii", "2") else 3,
                         label="congestive heart failure (CHF) of NYHA class II or greater"),
        HistoryCondition(codes=["myocardial_infarction"], status="ever", look_back_days=days, label="myocardial infarction"),
        HistoryCondition(codes=["unstable_angina"], status="ever", look_back_days=days, label="unstable angina"),
        HistoryCondition(codes=["arrhythmia"], status="active", requires_systemic_treatment=True,
                         label="serious arrhythmias requiring medication"),
    ])
