"""FHIR R4 Bundle -> Patient (hcc-domain.md §6.1-6.2 resources and LOINC/ICD-10 codes)."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from hcctrials.datasets.patients import example_patient_path
from hcctrials.errors import ParseError
from hcctrials.patients import FhirMappingWarning, load_patient, parse_fhir_bundle


@pytest.fixture(scope="module")
def bundle() -> dict:
    return json.loads(example_patient_path("shanghai_fhir_bundle").read_text(encoding="utf-8"))


def test_demographics_and_location(bundle) -> None:
    p = parse_fhir_bundle(bundle)
    assert p.patient_id == "EX-SH-005" and p.sex == "male" and p.birth_date == date(1963, 4, 9)
    assert (p.location.city, p.location.province, p.location.country) == ("Shanghai", "Shanghai", "CN")


def test_labs_from_loinc_with_ucum_and_reference_range(bundle) -> None:
    p = parse_fhir_bundle(bundle, source="b.json")
    bili = p.latest_lab("bilirubin_total")
    assert (bili.value, bili.unit, bili.uln, bili.loinc, bili.date) == (1.4, "mg/dL", 1.2, "1975-2",
                                                                        date(2024, 8, 5))
    assert "Observation/obs-tbil" in bili.source
    plt = p.latest_lab("platelets")
    assert (plt.unit, plt.lln) == ("10*9/L", 125)
    hbv = p.latest_lab("hbv_dna")
    assert (hbv.qualifier, hbv.value, hbv.unit) == ("<", 100, "[IU]/mL")


def test_ecog(bundle) -> None:
    p = parse_fhir_bundle(bundle)
    assert p.ecog == 1 and p.ecog_date == date(2024, 8, 5)


def test_conditions(bundle) -> None:
    p = parse_fhir_bundle(bundle)
    assert p.diagnosis.histology == "hcc" and p.diagnosis.diagnosis_date == date(2023, 5, 2)
    assert p.diagnosis.cirrhosis is True and p.diagnosis.etiologies == ["hbv"]
    assert p.virology.hbsag_positive is True
    other = [c for c in p.conditions if c.code == "other"]
    assert other and other[0].name.startswith("Essential")


def test_medications_and_procedures(bundle) -> None:
    p = parse_fhir_bundle(bundle)
    assert p.virology.hbv_antiviral is True and p.virology.hbv_antiviral_start == date(2008, 3, 1)
    kinds = [(t.kind, t.start) for t in p.treatments]
    assert kinds == [("locoregional", date(2023, 5, 18)), ("locoregional", date(2023, 7, 6)),
                     ("systemic", date(2023, 9, 1))]
    lenva = p.treatments[-1]
    assert lenva.agents == ["lenvatinib"] and lenva.end == date(2024, 6, 28)
    assert lenva.stop_reason == "progression" and lenva.ongoing is False


def test_same_start_medications_form_one_line(bundle) -> None:
    b = copy.deepcopy(bundle)
    for drug, rid in (("atezolizumab", "m-a"), ("bevacizumab", "m-b")):
        b["entry"].append({"resource": {"resourceType": "MedicationStatement", "id": rid,
                                        "status": "active",
                                        "medicationCodeableConcept": {"text": drug},
                                        "subject": {"reference": "Patient/EX-SH-005"},
                                        "effectivePeriod": {"start": "2024-07-15"}}})
    p = parse_fhir_bundle(b)
    line = p.treatments[-1]
    assert line.agents == ["atezolizumab", "bevacizumab"] and line.ongoing is True


def test_load_patient_detects_bundle() -> None:
    assert load_patient(example_patient_path("shanghai_fhir_bundle")).patient_id == "EX-SH-005"


def test_invalid_resource_names_file_and_id(bundle, tmp_path) -> None:
    b = copy.deepcopy(bundle)
    b["entry"][5]["resource"]["valueInteger"] = "one"
    f = tmp_path / "broken_bundle.json"
    f.write_text(json.dumps(b))
    with pytest.raises(ParseError) as err:
        load_patient(f)
    assert "broken_bundle.json" in str(err.value) and "Observation/obs-ecog" in str(err.value)


def test_unknown_loinc_warns(bundle) -> None:
    b = copy.deepcopy(bundle)
    b["entry"].append({"resource": {"resourceType": "Observation", "id": "obs-x", "status": "final",
                                    "code": {"coding": [{"system": "http://loinc.org", "code": "99999-9"}]},
                                    "subject": {"reference": "Patient/EX-SH-005"},
                                    "valueQuantity": {"value": 1}}})
    with pytest.warns(FhirMappingWarning, match="obs-x"):
        parse_fhir_bundle(b)


def test_bundle_needs_one_patient(bundle) -> None:
    b = copy.deepcopy(bundle)
    b["entry"] = [e for e in b["entry"] if e["resource"]["resourceType"] != "Patient"]
    with pytest.raises(ParseError, match="exactly one Patient"):
        parse_fhir_bundle(b)


def test_not_a_bundle() -> None:
    with pytest.raises(ParseError):
        parse_fhir_bundle({"resourceType": "Patient", "id": "x"})


def test_refuted_or_entered_in_error_conditions_are_not_diagnoses(bundle) -> None:
    """FHIR R4 Condition.verificationStatus (terminology condition-ver-status): a refuted or
    entered-in-error Condition is not a condition the patient has."""
    data = copy.deepcopy(bundle)
    conditions = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Condition"]
    cirrhosis = next(c for c in conditions
                     if any(cd.get("code", "").startswith("K74") for cd in c["code"]["coding"]))
    cirrhosis["verificationStatus"] = {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "refuted"}]}
    assert parse_fhir_bundle(data).diagnosis.cirrhosis is not True
    cirrhosis["verificationStatus"]["coding"][0]["code"] = "confirmed"
    assert parse_fhir_bundle(data).diagnosis.cirrhosis is True
