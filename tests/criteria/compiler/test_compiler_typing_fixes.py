"""Regression tests for the bugs found while making ``criteria/`` pass ``mypy --strict``.

Cockcroft-Gault creatinine clearance (``leaves._crcl``, hcc-domain.md s. 5) is computed from serum
creatinine when no measured clearance exists.  It must treat its creatinine input like the
serum-creatinine leaf does: a result with an unknown or wrong unit makes the criterion
``unknown`` (never an exception out of evaluation), and a newer result without a value does not
hide an older usable one within the look-back window.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, LAB_DAY, lab, make_patient

from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import LabThreshold
from hcctrials.model.patient import LabResult, Patient

CRCL_50 = LabThreshold(analyte="creatinine_clearance", comparator=">=", value=50, unit="mL/min")
SCR_15ULN = LabThreshold(analyte="creatinine", comparator="<=", uln_multiple=1.5)


def _status(node: LabThreshold, patient: Patient) -> str:
    return evaluate_node(node, PatientFacts(patient, AS_OF)).status


@pytest.mark.parametrize("unit", ["bananas", "U/L"])
def test_crcl_with_unusable_creatinine_unit_is_unknown_not_an_error(unit: str) -> None:
    """'bananas' is no unit, U/L is not a creatinine unit: the serum-creatinine leaf answers
    unknown for both, so must the Cockcroft-Gault leaf (it used to raise UnitError)."""
    patient = make_patient(labs={"creatinine": lab("creatinine", 80, unit)})
    assert _status(SCR_15ULN, patient) == "unknown"
    verdict = evaluate_node(CRCL_50, PatientFacts(patient, AS_OF))
    assert verdict.status == "unknown"
    assert any("creatinine" in m for m in verdict.missing), verdict


def test_crcl_uses_newest_creatinine_with_a_value() -> None:
    """A newer creatinine entry without a value (e.g. pending) must not hide the older valid one,
    as for the serum-creatinine leaf (which skips results without a value)."""
    valid = lab("creatinine", 80, "umol/L", day=date(2026, 2, 20))
    baseline = make_patient(labs={"creatinine": valid})
    pending = LabResult(analyte="creatinine", value=None, unit=None, date=LAB_DAY)
    patient = baseline.model_copy(update={"labs": [*baseline.labs, pending]})
    assert _status(SCR_15ULN, patient) == _status(SCR_15ULN, baseline) == "met"
    # same verdict as without the pending entry: 68 kg male aged 65, creatinine 80 umol/L = 0.90 mg/dL
    # -> (140 - 65) * 68 / (72 * 0.90) = 78 mL/min >= 50 (Cockcroft & Gault, Nephron 1976)
    expected = evaluate_node(CRCL_50, PatientFacts(baseline, AS_OF))
    assert expected.status == "met"
    assert evaluate_node(CRCL_50, PatientFacts(patient, AS_OF)) == expected


def test_lab_criterion_without_threshold_is_unknown_not_a_type_error() -> None:
    """A LabThreshold with neither ``value`` nor ``uln_multiple`` (the model does not forbid it,
    e.g. from a protocol file) cannot be decided: unknown, naming the threshold.  It used to
    compare the result with None and raise TypeError."""
    node = LabThreshold(analyte="alt", comparator="<=", unit="U/L")
    verdict = evaluate_node(node, PatientFacts(make_patient(), AS_OF))
    assert verdict.status == "unknown"
    assert any("threshold" in m for m in verdict.missing), verdict


def test_prior_therapy_filter_for_approved_lines_only_skips_investigational_ones() -> None:
    """``investigational=False`` (from a protocol file) counts only non-investigational lines."""
    from datetime import date

    from hcctrials.criteria import PatientFacts, evaluate_node
    from hcctrials.model.eligibility import PriorTherapy
    from hcctrials.model.patient import Patient, TherapyLine

    node = PriorTherapy(classes=["tki"], investigational=False)
    as_of = date(2025, 1, 1)

    def patient(flag: bool | None) -> Patient:
        return Patient(patient_id="P", history_reviewed=True, treatments=[TherapyLine(
            agents=["sorafenib"], investigational=flag, start=date(2024, 1, 1), end=date(2024, 6, 1))])

    assert evaluate_node(node, PatientFacts(patient(True), as_of)).status == "not_met"
    assert evaluate_node(node, PatientFacts(patient(False), as_of)).status == "met"
    assert evaluate_node(node, PatientFacts(patient(None), as_of)).status == "unknown"
