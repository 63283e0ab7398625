"""Progression on, or intolerance to, a class of systemic therapy (issue 10, prior-therapy family, session 4).

"Radiographic progression is confirmed during or after systemic chemotherapy including sorafenib, or those who
are intolerance to the chemotherapy." (NCT02029157 inclusion 5): naming sorafenib as a member shows the class word
in its broad, older sense (any systemic anticancer drug), so progression on, or intolerance to, any systemic line
qualifies.  Screening date: helpers_criteria.AS_OF.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.patient import TherapyLine

TEXT = ("Radiographic progression is confirmed during or after systemic chemotherapy including sorafenib, or those who "
        "are intolerance to the chemotherapy.")


@pytest.mark.parametrize(("line", "expected", "why"), [
    (TherapyLine(agents=["sorafenib"], line=1, start=date(2025, 3, 1), end=date(2026, 1, 5),
                 progression_date=date(2026, 1, 2), stop_reason="progression"), "met", "progression on sorafenib"),
    (TherapyLine(agents=["sorafenib"], line=1, start=date(2025, 11, 1), end=date(2025, 12, 1), stop_reason="toxicity"),
     "met", "sorafenib stopped for intolerance"),
    (TherapyLine(agents=["lenvatinib"], line=1, start=date(2025, 3, 1), end=date(2026, 1, 5),
                 progression_date=date(2026, 1, 2), stop_reason="progression"), "met",
     "progression on another systemic drug counts: the class is any systemic therapy"),
    (TherapyLine(kind="locoregional", regimen="TACE", start=date(2025, 11, 1), end=date(2025, 11, 1)), "not_met",
     "TACE is not systemic therapy"),
    (TherapyLine(agents=["sorafenib"], line=1, start=date(2025, 6, 1), ongoing=True, best_response="SD"), "unknown",
     "still on sorafenib, best response stable disease: whether it has progressed since is not recorded"),
])
def test_progression_or_intolerance_on_systemic_therapy(line: TherapyLine, expected: str, why: str) -> None:
    assert compiled_status(TEXT, "inclusion", make_patient(treatments=[line])) == expected, why


def test_sorafenib_ended_without_a_reason_is_unknown() -> None:
    line = TherapyLine(agents=["sorafenib"], line=1, start=date(2025, 3, 1), end=date(2025, 12, 1))
    assert compiled_status(TEXT, "inclusion", make_patient(treatments=[line])) == "unknown", \
        "stopped, reason and progression not recorded"


def test_a_cytotoxic_member_does_not_show_the_broad_sense() -> None:
    """'systemic chemotherapy including cisplatin' is cytotoxic chemotherapy: not read by this wording."""
    rule = compile_criterion("Radiographic progression is confirmed during or after systemic chemotherapy including "
                             "cisplatin, or those who are intolerance to the chemotherapy.", role="inclusion")
    assert "kinds systemic" not in describe(rule)
    assert not is_fully_compiled(rule) or "chemotherapy" in describe(rule)
