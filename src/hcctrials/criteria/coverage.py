"""Coverage: the share of criteria compiled into rules (not needing review), per trial and overall.

A criterion is *compiled* when no part of its tree is ``NeedsReview``; *partial* when the
tree has rules and needs-review parts; *needs_review* when the whole criterion does.
Administrative criteria count as compiled (they are classified, not left for review).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hcctrials.criteria.catalog import CompiledTrial
from hcctrials.model.eligibility import NeedsReview, walk

__all__ = ["TrialCoverage", "CoverageReport", "compute_coverage", "criterion_state"]


def criterion_state(rule: object) -> str:
    nodes = list(walk(rule))  # type: ignore[arg-type]
    reviews = sum(isinstance(n, NeedsReview) for n in nodes)
    if reviews == 0:
        return "compiled"
    if isinstance(rule, NeedsReview):
        return "needs_review"
    return "partial"


@dataclass
class TrialCoverage:
    trial_id: str
    total: int
    compiled: int
    partial: int
    needs_review: int

    @property
    def share(self) -> float:
        return self.compiled / self.total if self.total else 0.0


@dataclass
class CoverageReport:
    trials: list[TrialCoverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.trials)

    @property
    def compiled(self) -> int:
        return sum(t.compiled for t in self.trials)

    @property
    def partial(self) -> int:
        return sum(t.partial for t in self.trials)

    @property
    def share(self) -> float:
        return self.compiled / self.total if self.total else 0.0

    @property
    def share_with_partial(self) -> float:
        return (self.compiled + self.partial) / self.total if self.total else 0.0


def compute_coverage(compiled: Iterable[CompiledTrial]) -> CoverageReport:
    report = CoverageReport()
    for trial in compiled:
        states = [criterion_state(c.rule) for c in trial.criteria]
        report.trials.append(TrialCoverage(trial.trial_id, len(states), states.count("compiled"),
                                           states.count("partial"), states.count("needs_review")))
    return report
