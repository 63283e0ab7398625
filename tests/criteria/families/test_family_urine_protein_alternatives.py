"""Proteinuria thresholds offered as alternatives: a dipstick grade, or a quantified protein (issue 10, labs family).

"Urinary protein is ≤1+ on dipstick or routine urinalysis or 24-hour urine demonstrating <1 gram of protein"
and "Urine dipstick for proteinuria ≤ 1+ OR protein spot urine < 0.6 g/L" (registry records in ../shared):
a patient passes on either test.  A dipstick grade is not a measured concentration, so a 3+ dipstick leaves
the spot-urine alternative open (unknown) rather than guessing a g/L value from the grade.
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
from hcctrials.model.patient import LabResult

DAY = date(2026, 3, 1)
TWENTY_FOUR_HOUR = ("Urinary protein is ≤1+ on dipstick or routine urinalysis or 24-hour urine demonstrating <1 gram "
                    "of protein.")
SPOT = "Urine dipstick for proteinuria ≤ 1+ OR protein spot urine < 0.6 g/L"


def _status(text: str, *labs: LabResult) -> str:
    rule = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(make_patient(labs={lab.analyte: lab for lab in labs}), AS_OF)).status


@pytest.mark.parametrize(("labs", "expected", "why"), [
    ((LabResult(analyte="urine_protein", text="1+", date=DAY),), "met", "dipstick 1+"),
    ((LabResult(analyte="urine_protein", text="2+", date=DAY),
      LabResult(analyte="urine_protein_24h", value=0.6, unit="g/24h", date=DAY)), "met",
     "dipstick 2+, but the 24-hour collection shows 0.6 g: below 1 g"),
    ((LabResult(analyte="urine_protein", text="3+", date=DAY),
      LabResult(analyte="urine_protein_24h", value=1800, unit="mg/24h", date=DAY)), "not_met",
     "dipstick 3+ and 1.8 g in 24 hours"),
    ((LabResult(analyte="urine_protein", text="2+", date=DAY),), "unknown", "dipstick 2+ and no 24-hour collection"),
])
def test_dipstick_or_24_hour_protein(labs: tuple[LabResult, ...], expected: str, why: str) -> None:
    assert _status(TWENTY_FOUR_HOUR, *labs) == expected, why


@pytest.mark.parametrize(("labs", "expected", "why"), [
    ((LabResult(analyte="urine_protein", text="1+", date=DAY),), "met", "dipstick 1+"),
    ((LabResult(analyte="urine_protein", value=0.3, unit="g/L", date=DAY),), "met", "spot urine protein 0.3 g/L"),
    ((LabResult(analyte="urine_protein", value=80, unit="mg/dL", date=DAY),), "unknown",
     "spot urine protein 80 mg/dL = 0.8 g/L fails; the dipstick, the other way to pass, is not recorded"),
    ((LabResult(analyte="urine_protein", value=80, unit="mg/dL", text="2+", date=DAY),), "not_met",
     "dipstick 2+ and 0.8 g/L on the same sample: both tests fail"),
    ((LabResult(analyte="urine_protein", text="3+", date=DAY),), "unknown",
     "dipstick 3+ fails the first test; a grade is not a g/L value, so the spot test is open"),
])
def test_dipstick_or_spot_urine_protein(labs: tuple[LabResult, ...], expected: str, why: str) -> None:
    assert _status(SPOT, *labs) == expected, why
