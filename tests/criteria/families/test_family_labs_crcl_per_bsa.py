"""Creatinine clearance normalised to 1.73 m² of body surface area (issue 10, labs family).

"Creatinine ≤ 1.5x ULN or calculated creatinine clearance ≥ 60 mL/min/1.73m2" (NCT01171924).  A clearance in
mL/min is not a clearance per 1.73 m²: it is multiplied by 1.73 / BSA (Mosteller, N Engl J Med 1987;317:1098:
BSA = sqrt(height cm x weight kg / 3600)).  Without height or weight the BSA is bounded by the adult band
(1.2-2.8 m²) and only a verdict that holds over the whole band is given.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import LabResult

TEXT = "Creatinine ≤ 1.5x upper limit of normal (ULN) or calculated creatinine clearance ≥ 60mL/min/1.73m2"
DAY = date(2026, 3, 1)


def _cr(umol: float) -> LabResult:
    return LabResult(analyte="creatinine", value=umol, unit="umol/L", uln=104, date=DAY)


def _crcl(ml_min: float, unit: str = "mL/min") -> LabResult:
    return LabResult(analyte="creatinine_clearance", value=ml_min, unit=unit, date=DAY)


def _status(*labs: LabResult, **patient: object) -> str:
    rule = compile_criterion(TEXT, role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    fields = {"weight_kg": None, "height_cm": None, **patient}
    return evaluate_node(rule, PatientFacts(make_patient(labs={lab.analyte: lab for lab in labs}, **fields),
                                            AS_OF)).status


def test_creatinine_within_the_limit_decides() -> None:
    assert _status(_cr(150)) == "met", "150 umol/L = 1.44 x ULN"


def test_measured_clearance_with_height_and_weight() -> None:
    # 65 mL/min, 175 cm, 80 kg: BSA = sqrt(175*80/3600) = 1.972 m²; 65 x 1.73 / 1.972 = 57.0 < 60
    assert math.isclose(math.sqrt(175 * 80 / 3600) , 1.972, abs_tol=1e-3)
    assert _status(_cr(180), _crcl(65), height_cm=175, weight_kg=80) == "not_met"
    # the same clearance in a 155 cm, 50 kg woman: BSA 1.468 m²; 65 x 1.73 / 1.468 = 76.6 >= 60
    assert _status(_cr(180), _crcl(65), height_cm=155, weight_kg=50, sex="female") == "met"


@pytest.mark.parametrize(("crcl", "expected", "why"), [
    (65, "unknown", "65 mL/min is 40-94 mL/min/1.73m2 over the adult BSA band: the BSA decides"),
    (26, "not_met", "26 mL/min is at most 37 mL/min/1.73m2 for any adult"),
    (110, "met", "110 mL/min is at least 68 mL/min/1.73m2 for any adult"),
])
def test_without_height_the_adult_band_decides_only_when_it_can(crcl: float, expected: str, why: str) -> None:
    assert _status(_cr(200), _crcl(crcl)) == expected, why


def test_a_clearance_already_per_173_is_compared_directly() -> None:
    assert _status(_cr(200), _crcl(62, "mL/min/1.73m2")) == "met"
