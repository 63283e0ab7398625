"""Performance status written grades-first (issue 10, demographics, session 5).

"Systemic conditions are 0 to 2 score of Performance Status (according to Eastern Cooperative Oncology Group:
ECOG)." (NCT00165633 inclusion 2, a Japanese-English record: "systemic condition" is the general condition, i.e.
the performance status itself, not a qualifier).
"""

from __future__ import annotations

import pytest
from helpers_criteria import screening_verdict

from hcctrials.criteria import compile_criterion, describe

TEXT = "Systemic conditions are 0 to 2 score of Performance Status (according to Eastern Cooperative Oncology Group: ECOG)."


def test_grades_before_the_scale() -> None:
    assert describe(compile_criterion(TEXT, role="inclusion")) == "ECOG in {0,1,2}"


@pytest.mark.parametrize(("ecog", "expected"), [(0, "met"), (2, "met"), (3, "not_met"), (None, "unknown")])
def test_ecog_zero_to_two(ecog: int | None, expected: str) -> None:
    patient = {} if ecog is None else {"ecog": ecog}
    assert screening_verdict(TEXT, patient, role="inclusion")[0] == expected


def test_systemic_still_qualifies_therapy() -> None:
    # the qualifier audit still reads "systemic" where it qualifies a therapy
    rule = compile_criterion("Prior use of systemic investigational agents for HCC", role="exclusion")
    assert "systemic" in describe(rule)
