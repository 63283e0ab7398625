"""Major surgery is not any operation (issue 10, washout family; audit round 9).

"Major surgery within ≤4 weeks prior to the randomization" (NCT02029157) was read as any surgery line, so a port
placement ten days ago excluded the patient.  An operation is major when the record says so
(``TherapyLine.major_surgery``); a liver resection or a transplant is major by nature; any other operation without
the statement is unknown.  "Major surgery within the last 4 weeks; minor surgery within the last 2 weeks"
(NCT03511222) now keeps both windows.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import TherapyLine

MAJOR = "Major surgery within ≤4 weeks prior to the randomization"
BOTH = "Major surgery within the last 4 weeks; minor surgery within the last 2 weeks."


def _op(regimen: str, day: date, major: bool | None = None) -> TherapyLine:
    return TherapyLine(kind="surgery", regimen=regimen, start=day, end=day, major_surgery=major)


def _status(text: str, line: TherapyLine) -> str:
    rule = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(make_patient(treatments=[line]), AS_OF)).status


@pytest.mark.parametrize(("line", "expected", "why"), [
    (_op("left hepatectomy", date(2026, 2, 20)), "met", "a liver resection 18 days ago is major surgery"),
    (_op("port-a-cath placement", date(2026, 2, 28), major=False), "not_met", "a port placement is minor"),
    (_op("laparoscopic cholecystectomy", date(2026, 2, 28)), "unknown", "major or minor is not recorded"),
    (_op("left hepatectomy", date(2025, 11, 2)), "not_met", "the resection was four months ago"),
])
def test_major_surgery_within_4_weeks(line: TherapyLine, expected: str, why: str) -> None:
    assert _status(MAJOR, line) == expected, why


@pytest.mark.parametrize(("line", "expected", "why"), [
    (_op("port-a-cath placement", date(2026, 3, 1), major=False), "met", "minor surgery 9 days ago: within 2 weeks"),
    (_op("port-a-cath placement", date(2026, 2, 20), major=False), "not_met", "minor surgery 18 days ago: past 2 weeks"),
    (_op("right hepatectomy", date(2026, 2, 20)), "met", "major surgery 18 days ago: within 4 weeks"),
])
def test_major_and_minor_surgery_windows(line: TherapyLine, expected: str, why: str) -> None:
    assert _status(BOTH, line) == expected, why
