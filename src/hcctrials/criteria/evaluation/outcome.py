"""The three-valued verdict of one rule and how verdicts combine (pure).

A :class:`Verdict` has a status ('met' | 'not_met' | 'unknown' | 'administrative' |
'needs_review'), a reason (a catalog message naming value, threshold and conversions) and, for
unknown, the data items that would decide it.  AllOf = not_met if any child is not_met, else
unknown if any is unknown, else needs_review if any needs review, else met (administrative
children are neutral); AnyOf is the dual (met if any child is met); Not swaps met and not_met
(Kleene's strong three-valued logic, with needs_review as a second kind of undecided).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hcctrials.i18n import join_msgs, msg

__all__ = ["Verdict", "STATUSES", "combine_all", "combine_any", "negate", "negated_status"]

STATUSES = ("met", "not_met", "unknown", "administrative", "needs_review")


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str
    missing: tuple[str, ...] = ()
    children: tuple[Verdict, ...] = field(default=(), repr=False)


#: met and not met swap under Not; the other statuses stay
_NEGATED = {"met": "not_met", "not_met": "met"}


def negated_status(status: str) -> str:
    """The status of Not(rule) for a rule of *status* (Kleene: met and not met swap, the rest stay)."""
    return _NEGATED.get(status, status)


def negate(v: Verdict) -> Verdict:
    return Verdict(negated_status(v.status), msg("not ({reason})", reason=v.reason), v.missing, (v,))


def _missing(children: list[Verdict]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m for c in children for m in c.missing))


def _joined(sep: str, children: list[Verdict]) -> str:
    """The children's reasons joined (a message, so that each reason renders in the reader's language)."""
    return join_msgs(sep, [c.reason for c in children])


def combine_all(children: list[Verdict]) -> Verdict:
    active = [c for c in children if c.status != "administrative"]
    if not active:
        return Verdict("administrative", _joined(msg("; "), children), (), tuple(children))
    for status in ("not_met", "unknown", "needs_review"):
        picked = [c for c in active if c.status == status]
        if picked:
            missing = _missing(picked) if status == "unknown" else ()
            return Verdict(status, _joined(msg("; "), picked), missing, tuple(children))
    return Verdict("met", _joined(msg("; "), active), (), tuple(children))


def combine_any(children: list[Verdict]) -> Verdict:
    active = [c for c in children if c.status != "administrative"]
    if not active:
        return Verdict("administrative", _joined(msg("; "), children), (), tuple(children))
    for status in ("met", "unknown", "needs_review"):
        picked = [c for c in active if c.status == status]
        if picked:
            missing = _missing(picked) if status == "unknown" else ()
            reason = picked[0].reason if status == "met" else _joined(msg(" or "), picked)
            return Verdict(status, reason, missing, tuple(children))
    return Verdict("not_met", _joined(msg(" and "), active), (), tuple(children))
