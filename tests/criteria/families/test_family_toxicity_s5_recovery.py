"""Recovery from the toxicity of prior therapy stated in two sentences (issue 10, session 5).

"Patients must have recovered from any acute toxicity related to prior therapy, including surgery. Toxicity should
be less than or equal to grade 1 or returned to baseline." (NCT01306058 inc-11): the second sentence says what
"recovered" means.  ``Patient.residual_toxicity_grade`` is the highest CTCAE grade of unresolved adverse events of
prior anticancer therapy including surgery (0 = back to baseline).  Screening date 2026-03-10."""

from __future__ import annotations

from datetime import date

import pytest

from hcctrials.criteria import compile_criterion
from hcctrials.model.eligibility import NeedsReview
from hcctrials.model.patient import TherapyLine
from tests.criteria.helpers_criteria import compiled_status, make_patient

RECOVERED = ("Patients must have recovered from any acute toxicity related to prior therapy, including surgery. "
             "Toxicity should be less than or equal to grade 1 or returned to baseline.")
TOXICITY_STOP = TherapyLine(agents=["lenvatinib"], start=date(2025, 6, 1), end=date(2026, 2, 1), stop_reason="toxicity")


@pytest.mark.parametrize("grade, expected, why", [
    (0, "met", "every toxicity resolved (back to baseline)"),
    (1, "met", "a grade 1 residual toxicity is allowed"),
    (2, "not_met", "a grade 2 toxicity has not recovered to grade 1"),
    (3, "not_met", "grade 3 persists"),
])
def test_recovered_to_grade_one_or_baseline(grade: int, expected: str, why: str) -> None:
    patient = make_patient(treatments=[TOXICITY_STOP], residual_toxicity_grade=grade)
    assert compiled_status(RECOVERED, "inclusion", patient) == expected, why


def test_recovery_not_assessed_is_unknown() -> None:
    # lenvatinib stopped for toxicity; whether it has resolved is not recorded
    patient = make_patient(treatments=[TOXICITY_STOP], residual_toxicity_grade=None)
    assert compiled_status(RECOVERED, "inclusion", patient) == "unknown"


def test_a_first_sentence_alone_without_the_grade_is_not_read() -> None:
    # "recovered" without the grade that defines it: grade 1 recovered or not is the trial's convention
    rule = compile_criterion("Patients must have recovered from any acute toxicity related to prior therapy, including "
                             "surgery.", role="inclusion")
    assert isinstance(rule, NeedsReview)
