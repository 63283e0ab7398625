"""Impossible values never decide anything (issue 11): checked once where patient data is read.

Each case is a patient record a clinic could send by mistake and what hcctrials must do with it:
refuse an impossible value with the field and the value, or keep going with the contradictory value
left out (criteria it feeds become unknown) and a finding shown wherever the patient is matched.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.criteria import PatientFacts, compile_criterion, evaluate_node
from hcctrials.errors import ValidationError
from hcctrials.patients import load_patient
from hcctrials.patients.io import parse_patient
from hcctrials.patients.plausibility import check_dates

AS_OF = date(2026, 6, 1)
runner = CliRunner()


@pytest.mark.parametrize(("record", "field", "shown"), [
    # albumin 3400 g/L gave ALBI -288 and Child-Pugh A5, and match said eligible
    ({"labs": [{"analyte": "albumin", "value": 3400, "unit": "g/L", "date": "2026-05-20"}]}, "labs[0].value", "3400 g/L"),
    # albumin in g/dL written as g/L gave Child-Pugh B7: never guess the unit
    ({"labs": [{"analyte": "albumin", "value": 3.4, "unit": "g/L", "date": "2026-05-20"}]}, "labs[0].value", "3.4 g/L"),
    ({"labs": [{"analyte": "albumn", "value": 34, "unit": "g/L"}]}, "labs[0].analyte", "albumn"),  # was dropped
    ({"birth_date": "1724-03-01"}, "birth_date", "1724-03-01"),  # was "age 300, not met"
    ({"tumour": {"nodule_diameters_cm": [400]}}, "tumour.nodule_diameters_cm[0]", "400"),
    ({"weight_kg": 0.001}, "weight_kg", "0.001"),
])
def test_impossible_values_are_errors_naming_field_and_value(record: dict[str, object], field: str,
                                                             shown: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_patient({"patient_id": "P", **record}, source="patient.yaml")
    assert err.value.field == field and shown in str(err.value) and "patient.yaml" in str(err.value)


def test_same_day_conflicting_bilirubin_decides_nothing() -> None:
    """Two bilirubin results on one day (20 and 45 umol/L): one used to be chosen silently."""
    patient = parse_patient({"patient_id": "P", "labs": [
        {"analyte": "bilirubin_total", "value": 20, "unit": "umol/L", "date": "2026-05-20", "uln": 21},
        {"analyte": "bilirubin_total", "value": 45, "unit": "umol/L", "date": "2026-05-20", "uln": 21}]})
    assert any("total bilirubin on 2026-05-20" in f for f in patient.data_findings)
    verdict = evaluate_node(compile_criterion("Total bilirubin ≤ 1.5 × ULN", role="inclusion"),
                            PatientFacts(patient, AS_OF))
    assert verdict.status == "unknown"


def test_nodule_count_contradicting_the_listed_nodules_is_not_used() -> None:
    patient = parse_patient({"patient_id": "P", "tumour": {"nodule_count": 1, "nodule_diameters_cm": [4.0, 2.5, 1.2]}})
    assert patient.tumour.nodule_count is None
    assert any("nodule_count 1 but 3" in f for f in patient.data_findings)


def test_dates_after_the_evaluation_date() -> None:
    with pytest.raises(ValidationError, match="birth date after the evaluation date"):
        check_dates(parse_patient({"patient_id": "P", "birth_date": "2030-01-01"}), AS_OF)
    with pytest.raises(ValidationError, match="diagnosis date after"):
        check_dates(parse_patient({"patient_id": "P", "diagnosis": {"diagnosis_date": "2027-01-01"}}), AS_OF)
    later = check_dates(parse_patient({"patient_id": "P", "labs": [
        {"analyte": "albumin", "value": 35, "unit": "g/L", "date": "2026-07-01"}]}), AS_OF)
    assert any("albumin" in f and "not used" in f for f in later.data_findings)


def test_match_refuses_albumin_3400_instead_of_saying_eligible(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"patient_id": "P", "labs": [
        {"analyte": "albumin", "value": 3400, "unit": "g/L", "date": "2026-05-20"}]}), encoding="utf-8")
    res = runner.invoke(app, ["match", str(path), "--as-of", "2026-06-01", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert res.exit_code != 0
    assert isinstance(res.exception, ValidationError) and res.exception.field == "labs[0].value"


def test_bundled_examples_are_plausible() -> None:
    folder = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"
    for path in sorted(folder.glob("*.y*ml")) + sorted(folder.glob("*.json")):
        assert load_patient(path).data_findings == [], path.name
