"""Agreement of the compiler with a labelled patient-criterion corpus (issue 10).

Each labelled pair is a real criterion text, a small patient and the verdict a clinician reads
from the text (``met`` / ``not_met`` / ``unknown``; the criterion as written).  The engine's
verdict for the pair is compared with the label:

* **agreement**: equal, where an undecided verdict (``unknown`` or ``needs_review``) agrees
  with an ``unknown`` label;
* **harmful**: the engine decides (``met`` / ``not_met``) and the label says otherwise,
  including a decision where the label is ``unknown`` (a wrong answer is worse than "needs
  review");
* **review**: the engine says ``needs_review`` for a pair the label decides.

Pure: the corpus is passed in as parsed data (see ``tests/criteria/corpus/README.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient

__all__ = ["LabelledCase", "CaseOutcome", "FamilyScore", "parse_corpus", "score_corpus", "DEFAULT_AS_OF"]

DEFAULT_AS_OF = date(2026, 6, 1)
_UNDECIDED = ("unknown", "needs_review", "administrative")


@dataclass(frozen=True)
class LabelledCase:
    case_id: str
    trial: str
    role: str
    family: str
    text: str
    patient: Patient
    expected: str
    why: str
    as_of: date


@dataclass(frozen=True)
class CaseOutcome:
    case: LabelledCase
    got: str
    rule: str

    @property
    def agrees(self) -> bool:
        if self.case.expected == "unknown":
            return self.got in _UNDECIDED
        return self.got == self.case.expected

    @property
    def harmful(self) -> bool:
        return self.got in ("met", "not_met") and self.got != self.case.expected

    @property
    def review(self) -> bool:
        return self.got == "needs_review" and self.case.expected != "unknown"


@dataclass
class FamilyScore:
    family: str
    outcomes: list[CaseOutcome] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def agreement(self) -> int:
        return sum(o.agrees for o in self.outcomes)

    @property
    def harmful(self) -> int:
        return sum(o.harmful for o in self.outcomes)

    @property
    def review(self) -> int:
        return sum(o.review for o in self.outcomes)

    @property
    def decided_labels(self) -> int:
        return sum(o.case.expected != "unknown" for o in self.outcomes)


def parse_corpus(items: Iterable[Mapping[str, Any]]) -> list[LabelledCase]:
    """Cases of the corpus YAML lists (already loaded), patients validated."""
    cases = []
    for item in items:
        for k, case in enumerate(item["cases"]):
            patient = Patient.model_validate({"patient_id": f"{item['id']}#{k}", **(case.get("patient") or {})})
            as_of = case.get("as_of") or DEFAULT_AS_OF
            if isinstance(as_of, str):
                as_of = date.fromisoformat(as_of)
            cases.append(LabelledCase(f"{item['id']}#{k}", str(item["trial"]), str(item["role"]), str(item["family"]),
                                      str(item["text"]), patient, str(case["expected"]), str(case.get("why", "")),
                                      as_of))
    return cases


def score_corpus(cases: Iterable[LabelledCase]) -> dict[str, FamilyScore]:
    """Per family (and ``all``) the outcomes of the engine on *cases*."""
    from hcctrials.criteria.compiler.describe import describe

    out: dict[str, FamilyScore] = defaultdict(lambda: FamilyScore(""))
    for case in cases:
        rule = compile_criterion(case.text, role=case.role)  # type: ignore[arg-type]
        got = evaluate_node(rule, PatientFacts(case.patient, case.as_of)).status
        outcome = CaseOutcome(case, got, describe(rule))
        for key in (case.family, "all"):
            if not out[key].family:
                out[key].family = key
            out[key].outcomes.append(outcome)
    return dict(out)
