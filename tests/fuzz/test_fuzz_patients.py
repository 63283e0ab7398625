"""Fuzz every patient reader (issue 11: no input may hang or crash the tool).

Targets: ``.yaml``, ``.json``, ``.jsonl`` and ``.csv`` files through
:func:`hcctrials.patients.load_patients` (what ``score``/``evaluate``/``match``/``screen``
read), byte-mutated from the bundled example patients; and FHIR R4 Bundles and our schema
mutated at the structure level through :func:`hcctrials.patients.parse_patient`.  Each
patient read is then scored (:func:`hcctrials.scores.compute_patient_scores`), as ``score``
does, so that a value that passes reading but breaks a score (NaN once did) is found too.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fuzz_harness import EXAMPLES, run_input
from fuzz_inputs import file_bytes, mutated_json
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.datasets.patients import example_patient_path
from hcctrials.model.patient import Patient
from hcctrials.patients import load_patients, parse_patient
from hcctrials.scores.patient_scores import compute_patient_scores

FIXTURES = Path(__file__).resolve().parents[1] / "patients" / "fixtures"
AS_OF = date(2024, 9, 1)


def _yaml_seed() -> bytes:
    return example_patient_path("wuhan_child_pugh_b8_ascites").read_bytes()


def _json_seed() -> bytes:
    return example_patient_path("houston_us_units_bclc_a").read_bytes()


def _jsonl_seed() -> bytes:
    lines = [json.dumps(json.loads(_json_seed()))]
    lines.append(json.dumps(yaml.safe_load(_yaml_seed()), default=str))
    return ("\n".join(lines) + "\n").encode()


SEEDS = {
    "patient_yaml": (".yaml", _yaml_seed),
    "patient_json": (".json", _json_seed),
    "patient_fhir_json": (".json", lambda: example_patient_path("shanghai_fhir_bundle").read_bytes()),
    "patient_jsonl": (".jsonl", _jsonl_seed),
    "patient_csv": (".csv", lambda: (FIXTURES / "cohort_flat.csv").read_bytes()),
}


def _read_and_score(path: Path) -> list[Patient]:
    patients = list(load_patients(path))
    for patient in patients:
        compute_patient_scores(patient, as_of=AS_OF)
    return patients


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_seed_reads(target: str) -> None:
    suffix, load = SEEDS[target]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"seed{suffix}"
        path.write_bytes(load())
        assert _read_and_score(path)


@pytest.mark.parametrize("target", sorted(SEEDS))
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_fuzz_patient_file(target: str, data: st.DataObject) -> None:
    suffix, load = SEEDS[target]
    raw = data.draw(file_bytes(load()), label="file bytes")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(raw)
        run_input(target, lambda: _read_and_score(path))


def _parse_and_score(value: Any) -> Patient:
    patient = parse_patient(value, source="fuzz.json")
    compute_patient_scores(patient, as_of=AS_OF)
    return patient


@pytest.mark.parametrize("target", ["patient_fhir_structure", "patient_schema_structure"])
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_fuzz_patient_structure(target: str, data: st.DataObject) -> None:
    """Valid JSON that breaks the schema: wrong types, NaN/inf, deep nesting, odd codes."""
    if target == "patient_fhir_structure":
        seed = json.loads(example_patient_path("shanghai_fhir_bundle").read_bytes())
    else:
        seed = json.loads(json.dumps(yaml.safe_load(_yaml_seed()), default=str))
    value = data.draw(mutated_json(seed), label="patient")
    run_input(target, lambda: _parse_and_score(value))
