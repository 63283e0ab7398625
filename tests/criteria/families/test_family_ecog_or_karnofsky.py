"""ECOG or Karnofsky offered as alternatives (issue 10, ECOG family).

"Patients who have an ECOG PS of 0, 1 or 2 or a Karnofsky Performance Status > 70 %" (NCT01335074) and
"ECOG Performance Status ≤1 (or Karnofsky ≥70%)" (NCT01618253): either scale admits.  Karnofsky is read through
the ECOG bands (Oken et al., Am J Clin Oncol 1982: ECOG 0 = KPS 90-100, 1 = 70-80, 2 = 50-60, 3 = 30-40);
ECOG 3 is KPS 30-40, which passes neither.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts

ECOG_0_2_OR_KPS = "Patients who have an ECOG PS of 0, 1 or 2 or a Karnofsky Performance Status > 70 %"
ECOG_1_OR_KPS = "Eastern Cooperative Oncology Group (ECOG) Performance Status ≤1 (or Karnofsky ≥70%)."


@pytest.mark.parametrize(("text", "ecog", "expected", "why"), [
    (ECOG_0_2_OR_KPS, 2, "met", "ECOG 2 is among 0, 1 or 2"),
    (ECOG_0_2_OR_KPS, 3, "not_met", "ECOG 3 (KPS 30-40): neither ECOG 0-2 nor KPS > 70"),
    (ECOG_0_2_OR_KPS, None, "unknown", "no performance status recorded"),
    (ECOG_1_OR_KPS, 1, "met", "ECOG 1"),
    (ECOG_1_OR_KPS, 2, "not_met", "ECOG 2 (KPS 50-60) passes neither"),
])
def test_ecog_or_karnofsky(text: str, ecog: int | None, expected: str, why: str) -> None:
    rule = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert evaluate_node(rule, PatientFacts(make_patient(ecog=ecog), AS_OF)).status == expected, why


def test_a_karnofsky_restatement_without_or_stays_for_review() -> None:
    # "(Karnofsky greater than 60%)" restates ECOG <= 2 inexactly (ECOG 2 is KPS 50-60)
    rule = compile_criterion("ECOG Performance status less than/equal to 2 (Karnofsky greater than 60%).", role="inclusion")
    assert not is_fully_compiled(rule), describe(rule)
