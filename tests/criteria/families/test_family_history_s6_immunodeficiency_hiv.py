""""Diagnosis of immunodeficiency" and HIV (issue 10, session 6, lead's review of helper T's KEYNOTE reading).

HIV infection is an acquired immunodeficiency; KEYNOTE-224's own list excludes HIV in a separate item, so whether its
"diagnosis of immunodeficiency" covers an HIV-positive patient is for the reader: unknown, never "not met".
Quoted from NCT02702401 exclusion 11 (hint_hcc_subset.csv in ../shared).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict

KEYNOTE_IMMUNODEFICIENCY = ("Has a diagnosis of immunodeficiency or is receiving systemic steroid therapy or any other "
                            "form of immunosuppressive therapy within 7 days prior to the first dose of study drug.")


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"virology": {"hiv_positive": True}, "history_reviewed": True}, "unknown",
     "HIV positive, no immunodeficiency named: whether HIV counts is the reader's call"),
    ({"virology": {"hiv_positive": False}, "history_reviewed": True}, "not_met",
     "HIV negative, reviewed history without immunodeficiency, no steroids"),
    ({"virology": {"hiv_positive": True}, "history_reviewed": True,
      "conditions": [{"code": "immunodeficiency", "status": "active"}]}, "met",
     "an immunodeficiency recorded"),
])
def test_immunodeficiency_with_hiv(patient: dict[str, Any], expected: str, why: str) -> None:
    assert screening_verdict(KEYNOTE_IMMUNODEFICIENCY, patient, role="exclusion")[0] == expected, why
