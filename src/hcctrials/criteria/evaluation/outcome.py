"""The three-valued verdict of one rule and how verdicts combine (pure).

A :class:`Verdict` has a status ('met' | 'not_met' | 'unknown' | 'administrative' |
'needs_review'), a reason (a catalog message naming value, threshold and conversions) and, for
unknown, the data items that would decide it.  AllOf = not_met if any child is not_met, else
unknown if any is unknown, else needs_review if any needs review, else met (administrative
children are neutral); AnyOf is the dual (met if any child is met); Not swaps met and not_met
(Kleene's strong three-valued logic, with needs_review as a second kind of undecided).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hcctrials.i18n import join_msgs, msg

__all__ = ["Verdict", "STATUSES", "combine_all", "combine_any", "negate", "negated_status"]

STATUSES = ("met", "not_met", "unknown", "administrative", "needs_review")


class Verdict:
    """One rule's verdict: *status*, *reason*, the data items that would decide it (*missing*) and the verdicts it
    was combined from (*children*).  Immutable.

    The reason may be given as a function that says it, called when the reason is first read: a combined verdict's
    (AllOf, AnyOf, Not: its children's reasons joined), and those of the leaf rules that name what they found
    (history, prior therapy, labs, age).  A match decides thousands of rules by their status alone and explains
    only the trials it shows (issue 12: the messages were about half of evaluating a leaf).  It is the same message
    either way; a verdict compares, prints and pickles with its reason said.  Such a function keeps the values it
    names, never the patient's facts (which keep the verdict: a reference cycle; tests/criteria/evaluation/
    test_evaluation_lazy_reasons.py)."""

    __slots__ = ("status", "_reason", "missing", "children")

    status: str
    _reason: str | Callable[[], str]
    missing: tuple[str, ...]
    children: tuple[Verdict, ...]

    def __init__(self, status: str, reason: str | Callable[[], str], missing: tuple[str, ...] = (),
                 children: tuple[Verdict, ...] = ()) -> None:
        set_ = object.__setattr__
        set_(self, "status", status)
        set_(self, "_reason", reason)
        set_(self, "missing", missing)
        set_(self, "children", children)

    @property
    def reason(self) -> str:
        """Why (a catalog message naming value, threshold and conversions)."""
        reason = self._reason
        if not isinstance(reason, str):  # a function that says it: said once, when first read
            reason = reason()
            object.__setattr__(self, "_reason", reason)
        return reason

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Verdict is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Verdict is immutable: cannot delete {name!r}")

    def _fields(self) -> tuple[Any, ...]:
        return (self.status, self.reason, self.missing, self.children)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Verdict(status={self.status!r}, reason={self.reason!r}, missing={self.missing!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Verdict, self._fields())


#: met and not met swap under Not; the other statuses stay
_NEGATED = {"met": "not_met", "not_met": "met"}


def negated_status(status: str) -> str:
    """The status of Not(rule) for a rule of *status* (Kleene: met and not met swap, the rest stay)."""
    return _NEGATED.get(status, status)


def negate(v: Verdict) -> Verdict:
    return Verdict(negated_status(v.status), lambda: msg("not ({reason})", reason=v.reason), v.missing, (v,))


def _missing(children: list[Verdict]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m for c in children for m in c.missing))


#: what joins the reasons of the children of AllOf, AnyOf (undecided) and AnyOf (not met): messages, immutable
_ALL_SEP, _OR_SEP, _AND_SEP = msg("; "), msg(" or "), msg(" and ")


def _joined(sep: str, children: list[Verdict]) -> Callable[[], str]:
    """The children's reasons joined, when first read (a message, so that each reason renders in the reader's
    language)."""
    return lambda: join_msgs(sep, [c.reason for c in children])


def combine_all(children: list[Verdict]) -> Verdict:
    active = [c for c in children if c.status != "administrative"]
    if not active:
        return Verdict("administrative", _joined(_ALL_SEP, children), (), tuple(children))
    for status in ("not_met", "unknown", "needs_review"):
        picked = [c for c in active if c.status == status]
        if picked:
            missing = _missing(picked) if status == "unknown" else ()
            return Verdict(status, _joined(_ALL_SEP, picked), missing, tuple(children))
    return Verdict("met", _joined(_ALL_SEP, active), (), tuple(children))


def combine_any(children: list[Verdict]) -> Verdict:
    active = [c for c in children if c.status != "administrative"]
    if not active:
        return Verdict("administrative", _joined(_ALL_SEP, children), (), tuple(children))
    for status in ("met", "unknown", "needs_review"):
        picked = [c for c in active if c.status == status]
        if picked:
            missing = _missing(picked) if status == "unknown" else ()
            if status == "met":
                first = picked[0]
                return Verdict(status, lambda: first.reason, missing, tuple(children))
            return Verdict(status, _joined(_OR_SEP, picked), missing, tuple(children))
    return Verdict("not_met", _joined(_AND_SEP, active), (), tuple(children))
