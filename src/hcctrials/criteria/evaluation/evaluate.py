"""Evaluate an eligibility tree for one patient on one date (pure, three-valued).

``evaluate_node(node, facts)`` -> :class:`Verdict` (status 'met' | 'not_met' | 'unknown' |
'administrative' | 'needs_review', a reason naming value, threshold and conversions, and for
unknown the data items that would decide it).

Logic: AllOf = not_met if any child is not_met, else unknown if any is unknown, else
needs_review if any needs review, else met (administrative children are neutral); AnyOf is
the dual (met if any child is met); Not swaps met and not_met.  Leaf rules are in
:mod:`hcctrials.criteria.evaluation.leaves` and the other evaluation modules; the combination in :mod:`hcctrials.criteria.evaluation.outcome`.  Identical leaves are evaluated once per patient
(``PatientFacts.cache`` keyed by :func:`hcctrials.model.eligibility.leaf_key`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.evaluation.leaves import LEAF_EVALUATORS
from hcctrials.criteria.evaluation.leaves_clip import CLIP_EVALUATORS
from hcctrials.criteria.evaluation.leaves_extra import EXTRA_EVALUATORS
from hcctrials.criteria.evaluation.leaves_history import HISTORY_EVALUATORS
from hcctrials.criteria.evaluation.medications import MEDICATION_EVALUATORS
from hcctrials.criteria.evaluation.virology import VIROLOGY_EVALUATORS
from hcctrials.criteria.evaluation.outcome import STATUSES, Verdict, combine_all, combine_any, negate
from hcctrials.i18n import msg
from hcctrials.model.eligibility import AllOf, AnyOf, Node, Not, leaf_key

__all__ = ["Verdict", "evaluate_node", "evaluate_leaf", "STATUSES", "combine_all", "combine_any", "negate"]

#: Every leaf kind's rule: the family evaluators merged (a kind is defined once; tested).
EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {
    **LEAF_EVALUATORS, **HISTORY_EVALUATORS, **EXTRA_EVALUATORS, **MEDICATION_EVALUATORS,
    **VIROLOGY_EVALUATORS, **CLIP_EVALUATORS}


def evaluate_leaf(node: Any, facts: PatientFacts) -> Verdict:
    """Verdict of one leaf (its family's rule) for the patient in *facts*."""
    fn = EVALUATORS.get(node.kind)
    if fn is None:  # pragma: no cover - every kind has an evaluator (tested)
        return Verdict("needs_review", msg("no evaluator for {kind}", kind=node.kind))
    return fn(node, facts)


def evaluate_node(node: Node, facts: PatientFacts) -> Verdict:
    """Verdict of *node* for the patient in *facts* (see module docstring)."""
    if isinstance(node, AllOf):
        return combine_all([evaluate_node(c, facts) for c in node.children])
    if isinstance(node, AnyOf):
        return combine_any([evaluate_node(c, facts) for c in node.children])
    if isinstance(node, Not):
        return negate(evaluate_node(node.child, facts))
    key = leaf_key(node)
    cached = facts.cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    verdict = evaluate_leaf(node, facts)
    facts.cache[key] = verdict
    return verdict
