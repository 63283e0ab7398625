"""Progression on, or intolerance to, a named drug (``criteria/families/progression.py``,
``scan_progression_or_intolerance``).

From ``tests/criteria/test_criteria_diagnosis_progression.py`` (3 of its 13 tests; the others are in
``families/test_family_advanced.py``, ``families/test_family_cns.py``, ``families/test_family_diagnosis.py``,
``families/test_family_metastasis.py``, ``families/test_family_staging.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from helpers_criteria import review_check_for, status_for


SCREENING = date(2026, 6, 1)


status = status_for("inclusion")


needs_review = review_check_for("inclusion")


# --------------------------------------------------------------------------- progression or intolerance

PROGRESSION_OR_INTOLERANCE = ("Has documented objective radiographic progression during or after treatment with sorafenib "
                              "or intolerance to sorafenib.")


def _sorafenib(**line: Any) -> dict[str, Any]:
    return {"treatments": [{"kind": "systemic", "agents": ["sorafenib"], "start": "2025-06-01", **line}]}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_sorafenib(end="2026-03-01", progression_date="2026-02-20", stop_reason="progression"), "met", "progressed on it"),
    (_sorafenib(end="2025-08-01", stop_reason="toxicity"), "met", "stopped for toxicity: intolerance"),
    ({"history_reviewed": True, "treatments": [{"kind": "locoregional", "regimen": "TACE", "start": "2025-06-01",
                                                "end": "2025-06-01"}]}, "not_met", "never had sorafenib"),
    (_sorafenib(ongoing=True), "unknown", "still on sorafenib, no progression documented yet"),
    (_sorafenib(end="2025-12-01"), "unknown", "stopped, reason not recorded"),
    (_sorafenib(end="2025-12-01", stop_reason="completed"), "unknown",
     "stopped as planned: not intolerance, and progression is not documented"),
])
def test_progression_on_or_intolerance_to_sorafenib(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(PROGRESSION_OR_INTOLERANCE, patient) == expected, why


def test_intolerance_to_another_drug_is_not_this_reading() -> None:
    assert needs_review("Has documented radiographic progression during or after treatment with sorafenib or intolerance "
                        "to lenvatinib.")


def test_chemotherapy_including_sorafenib_is_any_systemic_line() -> None:
    # NCT02029157: naming sorafenib as a member of "systemic chemotherapy" shows the broad (older) sense:
    # progression on, or intolerance to, any systemic line (tests/criteria/families/test_family_prior_therapy_progression_class.py)
    rule = compile_criterion("Radiographic progression is confirmed during or after systemic chemotherapy including "
                             "sorafenib, or those who are intolerance to the chemotherapy.", role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert "kinds systemic" in describe(rule), describe(rule)
