"""A named condition or a conditional limit the scanners did not read sends the criterion to review (issue 10,
session 6, lead's review).

Before: one unread word passed the residue check (it needs two meaningful words), so "History of seizures and
hypertension" was read as seizures only, and NCT01171924 inclusion 11 applied the liver-metastases limit (AST/ALT
<= 5x ULN) to everyone beside the 2.5x limit, dropping its condition.
"""

from __future__ import annotations

import pytest

from hcctrials.criteria import compile_criterion, describe
from hcctrials.model.eligibility import NeedsReview, walk

#: NCT01171924 inclusion 11 (hint_hcc_subset.csv in ../shared)
LIVER_METASTASES_LIMIT = ("Total bilirubin ≤ 1.5x ULN; AST/ALT ≤ 2.5x ULN. In subjects with documented liver metastases, "
                          "the AST/ALT may be ≤ 5x ULN")


def _needs_review(text: str, role: str) -> bool:
    return any(isinstance(n, NeedsReview) for n in walk(compile_criterion(text, role=role)))


@pytest.mark.parametrize("text", [
    "History of uncontrolled seizures and hypertension",
    "History of seizures and diabetes",
    "History of stroke and hypertension",
])
def test_second_condition_is_not_dropped(text: str) -> None:
    # the rule read only the first condition: a patient with hypertension (or diabetes) alone was "not excluded"
    assert _needs_review(text, "exclusion"), describe(compile_criterion(text, role="exclusion"))


def test_liver_metastases_limit_is_not_applied_to_everyone() -> None:
    assert _needs_review(LIVER_METASTASES_LIMIT, "inclusion")


@pytest.mark.parametrize(("text", "rule"), [
    # the words the scanners read stay read: the guard names only conditions no scanner took
    ("Child-Pugh class C cirrhosis.", "Child-Pugh points in {10,11,12,13,14,15} (class C: severe hepatic impairment)"),
    ("Known human immunodeficiency virus infection.", "virology: hiv positive"),
])
def test_read_conditions_stay_computable(text: str, rule: str) -> None:
    assert describe(compile_criterion(text, role="exclusion")) == rule
