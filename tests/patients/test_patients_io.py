"""Patient files: JSON/YAML schema (docs/patients.md), JSON lines, arrays, FHIR NDJSON, CSV."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from hcctrials.datasets.patients import EXAMPLES, example_patient_path
from hcctrials.errors import ParseError, ValidationError
from hcctrials.patients import load_patient, load_patients, patient_json_schema

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_loads(name) -> None:
    p = load_patient(example_patient_path(name))
    assert p.patient_id.startswith("EX-")


def test_yaml_fields() -> None:
    p = load_patient(example_patient_path("shenzhen_2l_after_atezo_bev"))
    assert p.sex == "female" and p.location.city == "Shenzhen" and p.ecog == 1
    assert p.treatments[0].agents == ["阿替利珠单抗", "贝伐珠单抗"]
    assert p.treatments[0].progression_date == date(2024, 2, 12)
    assert p.virology.hbv_antiviral is True
    hbv = p.latest_lab("hbv_dna")
    assert hbv is not None and hbv.qualifier == "<" and hbv.value == 20


def test_validation_error_names_file_and_field(tmp_path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("patient_id: X1\necog: 7\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_patient(f)
    text = str(err.value)
    assert "bad.yaml" in text and "ecog" in text and "X1" in text


def test_nested_field_path_in_error(tmp_path) -> None:
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"patient_id": "X2", "labs": [{"analyte": "alt", "value": "high"}]}))
    with pytest.raises(ValidationError) as err:
        load_patient(f)
    assert "labs.0.value" in str(err.value)


def test_unknown_field_rejected(tmp_path) -> None:
    f = tmp_path / "typo.json"
    f.write_text(json.dumps({"patient_id": "X3", "ecgo": 1}))
    with pytest.raises(ValidationError, match="ecgo"):
        load_patient(f)


def test_invalid_json(tmp_path) -> None:
    f = tmp_path / "broken.json"
    f.write_text("{not json")
    with pytest.raises(ParseError, match="broken.json"):
        load_patient(f)


def test_list_file_needs_load_patients(tmp_path) -> None:
    f = tmp_path / "two.json"
    f.write_text(json.dumps([{"patient_id": "A"}, {"patient_id": "B"}]))
    with pytest.raises(ParseError):
        load_patient(f)
    assert [p.patient_id for p in load_patients(f)] == ["A", "B"]


def test_json_lines_mixing_schema_and_bundle(tmp_path) -> None:
    bundle = json.loads(example_patient_path("shanghai_fhir_bundle").read_text(encoding="utf-8"))
    f = tmp_path / "cohort.jsonl"
    f.write_text(json.dumps({"patient_id": "J1", "sex": "male"}) + "\n\n" + json.dumps(bundle) + "\n",
                 encoding="utf-8")
    assert [p.patient_id for p in load_patients(f)] == ["J1", "EX-SH-005"]


def test_json_lines_error_names_line(tmp_path) -> None:
    f = tmp_path / "cohort.jsonl"
    f.write_text('{"patient_id": "J1"}\n{"patient_id": "J2", "ecog": -1}\n', encoding="utf-8")
    it = load_patients(f)
    assert next(it).patient_id == "J1"
    with pytest.raises(ValidationError, match="line 2"):
        next(it)


def test_fhir_bulk_ndjson_grouped_by_patient(tmp_path) -> None:
    bundle = json.loads(example_patient_path("shanghai_fhir_bundle").read_text(encoding="utf-8"))
    f = tmp_path / "export.ndjson"
    f.write_text("\n".join(json.dumps(e["resource"], ensure_ascii=False) for e in bundle["entry"]),
                 encoding="utf-8")
    patients = list(load_patients(f))
    assert len(patients) == 1 and patients[0].patient_id == "EX-SH-005"
    assert patients[0].latest_lab("afp").value == 486


def test_csv_flat_layout() -> None:
    patients = list(load_patients(FIXTURES / "cohort_flat.csv"))
    assert [p.patient_id for p in patients] == ["C1", "C2"]
    c1 = patients[0]
    assert c1.sex == "female" and c1.location.city == "Shenzhen" and c1.ecog == 1
    assert c1.tumour.nodule_count == 2 and c1.liver.ascites == "none"
    bili = c1.latest_lab("bilirubin_total")
    assert (bili.value, bili.unit, bili.date, bili.uln) == (1.1, "mg/dL", date(2024, 5, 2), 1.2)
    assert c1.latest_lab("albumin").date == date(2024, 5, 1)  # labs_date default
    assert patients[1].latest_lab("bilirubin_total") is None  # empty cell is missing, not zero


def test_csv_eligibility_columns(tmp_path) -> None:
    """The flat CSV carries the newer eligibility facts (CNS metastases, PVTT Cheng type, varices,
    endoscopy, residual toxicity, history reviewed); booleans and dates are read as in JSON."""
    f = tmp_path / "p.csv"
    f.write_text("patient_id,cns_metastasis,cns_metastasis_treated_stable,pvtt_cheng,varices,endoscopy_date,"
                 "residual_toxicity_grade,history_reviewed,measurable_disease_mrecist\n"
                 "P1,yes,true,iii,large,2026-01-05,2,true,no\n", encoding="utf-8")
    (p,) = list(load_patients(f))
    assert p.tumour.cns_metastasis is True and p.tumour.cns_metastasis_treated_stable is True
    assert p.tumour.pvtt_cheng == "iii" and p.tumour.measurable_disease_mrecist is False
    assert p.liver.varices == "large" and p.liver.endoscopy_date.isoformat() == "2026-01-05"
    assert p.residual_toxicity_grade == 2 and p.history_reviewed is True
    f.write_text("patient_id,residual_toxicity_grade\nP2,5\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="residual_toxicity_grade"):
        list(load_patients(f))


def test_csv_unknown_column(tmp_path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("patient_id,bilirubin_totl\nA,1\n", encoding="utf-8")
    with pytest.raises(ParseError, match="bilirubin_totl"):
        list(load_patients(f))


def test_unknown_file_type(tmp_path) -> None:
    f = tmp_path / "x.txt"
    shutil.copy(example_patient_path("houston_us_units_bclc_a"), f)
    with pytest.raises(ParseError):
        list(load_patients(f))


def test_schema_exportable() -> None:
    schema = patient_json_schema()
    assert "patient_id" in schema["properties"] and "LabResult" in schema["$defs"]
