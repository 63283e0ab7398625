"""A comparator on a Child-Pugh class-and-points token (issue 10, child_pugh family; ``families/staging.py``).

"Child-Pugh ≤ B7" was read as exactly B7 ({7}): the comparator was dropped, so a Child-Pugh A5 patient failed
an inclusion he meets.  "≤ B7", "< B8", "up to B7", "B7 or better", "B7及以下" are Child-Pugh 5-7; "≥ B8" and
"> B7" are 8-15 (Pugh RN et al., Br J Surg 1973;60:646: A 5-6, B 7-9, C 10-15).
"""

from __future__ import annotations

import pytest
from helpers_criteria import compiled_status, lab, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.eligibility import ChildPugh, walk
from hcctrials.model.patient import LiverFunction, Patient


def _points(text: str) -> list[int]:
    rule = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    return [p for n in walk(rule) if isinstance(n, ChildPugh) for p in n.allowed_points]


@pytest.mark.parametrize(("text", "points"), [
    ("Child-Pugh ≤ B7", [5, 6, 7]), ("Child-Pugh score ≤B7", [5, 6, 7]), ("Child Pugh up to B7", [5, 6, 7]),
    ("Child-Pugh B7 or better", [5, 6, 7]), ("Child-Pugh < B8", [5, 6, 7]), ("Child-Pugh B7及以下", [5, 6, 7]),
    ("Child-Pugh ≥ B8", list(range(8, 16))), ("Child-Pugh score > B7", list(range(8, 16))),
    ("Child-Pugh A or B (up to B7)", [5, 6, 7]),
])
def test_a_comparator_on_a_class_and_points_is_a_range(text: str, points: list[int]) -> None:
    assert _points(text) == points


@pytest.mark.parametrize("text", ["Child-Pugh < A5", "Child-Pugh > C15"])
def test_an_impossible_comparison_is_not_read(text: str) -> None:
    assert not is_fully_compiled(compile_criterion(text, role="inclusion"))


def _a5() -> Patient:
    return make_patient(liver=LiverFunction(ascites="none", encephalopathy="none"))


def _b8() -> Patient:
    return make_patient(labs={"bilirubin_total": lab("bilirubin_total", 40, "umol/L", uln=21),
                              "albumin": lab("albumin", 30, "g/L"), "inr": lab("inr", 1.5, None)},
                        liver=LiverFunction(ascites="mild", encephalopathy="none"))


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_a5(), "met", "Child-Pugh A5 is better than B7"),
    (_b8(), "not_met", "bilirubin 2 + albumin 2 + INR 1 + mild ascites 2 + no HE 1 = B8"),
])
def test_child_pugh_at_most_b7(patient: Patient, expected: str, why: str) -> None:
    assert compiled_status("Child-Pugh ≤ B7", "inclusion", patient) == expected, why
