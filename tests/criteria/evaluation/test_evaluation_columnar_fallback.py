"""The column-wise evaluator's generic fallback for a leaf kind it has no column rule for (e.g. one another
part of the criteria added since): the scalar rule per patient, or once when the rule reads nothing of the
patient (a pure permission is met by everyone).  Either way the codes are the scalar engine's, patient by
patient."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.criteria.columnar import STATUS_CODES, FactColumns, _scalar_column, evaluate_leaf_column
from hcctrials.criteria.evaluation import evaluate as evaluation
from hcctrials.criteria.evaluation.evaluate import evaluate_leaf
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Patient
from hcctrials.patients import load_patient

AS_OF = date(2024, 3, 10)
EXAMPLES = Path(__file__).resolve().parents[3] / "src/hcctrials/datasets/patients"


class AllowedAnyway(E._Node):
    """A leaf kind the column-wise evaluator does not know, whose rule reads nothing of the patient."""

    kind: Literal["test_allowed_anyway"] = "test_allowed_anyway"


class OlderThan(E._Node):
    """A leaf kind the column-wise evaluator does not know, whose rule reads the patient's age."""

    kind: Literal["test_older_than"] = "test_older_than"
    years: float = 60


def _allowed(node: Any, facts: PatientFacts) -> Verdict:
    return Verdict("met", "allowed whatever the record says")


def _older(node: Any, facts: PatientFacts) -> Verdict:
    age = facts.age
    if age is None:
        return Verdict("unknown", "age not recorded")
    return Verdict("met" if age > node.years else "not_met", f"age {age}")


@pytest.fixture(autouse=True)
def _unknown_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(evaluation.EVALUATORS, "test_allowed_anyway", _allowed)
    monkeypatch.setitem(evaluation.EVALUATORS, "test_older_than", _older)


def _examples() -> list[Patient]:
    return [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]


def _scalar(node: Any, people: list[Patient]) -> list[int]:
    return [STATUS_CODES[evaluate_leaf(node, PatientFacts(p, AS_OF)).status] for p in people]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(range(5)), st.one_of(st.none(), st.integers(1930, 2010))),
                min_size=1, max_size=8),
       st.sampled_from([30.0, 55.5, 70.0]))
def test_unknown_kinds_give_the_scalar_codes_patient_by_patient(picks: list[tuple[int, int | None]],
                                                                years: float) -> None:
    bases = _examples()
    people = []
    for k, (which, born) in enumerate(picks):
        base = bases[which % len(bases)]
        people.append(base.model_copy(update={
            "patient_id": f"R{k}", "age_years": None,
            "birth_date": date(born, 6, 1) if born is not None else None}))
    fc = FactColumns(people, AS_OF)
    for node in (AllowedAnyway(), OlderThan(years=years)):
        assert evaluate_leaf_column(node, fc).tolist() == _scalar(node, people)


def test_a_rule_that_reads_nothing_runs_once_and_one_that_reads_runs_per_patient() -> None:
    people = _examples()
    calls = {"allowed": 0, "older": 0}

    def allowed(node: Any, facts: PatientFacts) -> Verdict:
        calls["allowed"] += 1
        return _allowed(node, facts)

    def older(node: Any, facts: PatientFacts) -> Verdict:
        calls["older"] += 1
        return _older(node, facts)

    evaluation.EVALUATORS["test_allowed_anyway"] = allowed
    evaluation.EVALUATORS["test_older_than"] = older
    fc = FactColumns(people, AS_OF)
    assert _scalar_column(AllowedAnyway(), fc).tolist() == [STATUS_CODES["met"]] * len(people)
    assert calls["allowed"] == 1
    got = _scalar_column(OlderThan(years=60), fc)
    assert calls["older"] == len(people)
    assert got.tolist() == _scalar(OlderThan(years=60), people)
    assert len(set(got.tolist())) > 1  # the examples differ in age: a constant would be wrong here
    assert _scalar_column(AllowedAnyway(), FactColumns([], AS_OF)).shape == (0,)


def test_a_permission_is_met_by_everyone_column_wise() -> None:
    people = _examples()
    node = E.Permission(label="prior sorafenib allowed")
    assert evaluate_leaf_column(node, FactColumns(people, AS_OF)).tolist() == _scalar(node, people)
    assert np.all(evaluate_leaf_column(node, FactColumns(people, AS_OF)) == STATUS_CODES["met"])
