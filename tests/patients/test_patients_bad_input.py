"""Issue 11, "no input may hang or crash the tool": patient files under bad input.

Each test failed before its fix (a hang, or an exception outside the HcctrialsError tree).
Times are limits enforced by an alarm, not measurements.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from deadline import within

import hcctrials.patients.io as patient_io
from hcctrials.datasets.patients import example_patient_path
from hcctrials.errors import ParseError, ValidationError
from hcctrials.patients import load_patient, load_patients, parse_patient




BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
patient_id: [*i]
"""


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    # before: the error message's repr() of the expanded value grew to 1.3 GB (score/evaluate/match hung)
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    with within(5), pytest.raises(ParseError, match="aliases expand to more than") as info:
        load_patient(path)
    assert info.value.file == str(path)


def test_yaml_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("patient_id: &x [1, *x]\n", encoding="utf-8")
    with within(5), pytest.raises(ParseError, match="contains it"):
        load_patient(path)


def test_small_yaml_aliases_are_still_read(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("patient_id: P1\nlabs:\n  - &alb {analyte: albumin, value: 3.5, unit: g/dL,"
                    " date: 2024-01-02}\n", encoding="utf-8")
    assert load_patient(path).labs[0].value == 3.5


@pytest.mark.parametrize("suffix,text", [
    (".json", "[" * 100_000 + "]" * 100_000),
    (".yaml", "patient_id: " + "[" * 5000 + "]" * 5000 + "\n"),
    (".json", '{"patient_id": "P", "x": ' + "[" * 40 + "]" * 40 + "}"),
])
def test_over_deep_file_is_a_parse_error(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    with within(10), pytest.raises(ParseError, match="nested"):
        list(load_patients(path))


def test_over_large_file_is_a_parse_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patient_io, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"patient_id": "P", "note": "x" * 2000}), encoding="utf-8")
    with pytest.raises(ParseError, match="larger than"):
        load_patient(path)


def test_over_long_csv_field_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("patient_id,city\nP1,\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    with pytest.raises(ParseError, match="not valid CSV") as info:
        list(load_patients(path))
    assert info.value.file == str(path)



def _nested(levels: int) -> dict[str, Any]:
    """A patient whose ``x`` holds lists nested so that the deepest list is at *levels* (the record itself is level 1)."""
    inner: Any = []
    for _ in range(levels - 2):
        inner = [inner]
    return {"patient_id": "DEEP-1", "x": inner}


def test_nesting_at_the_limit_is_read_one_level_more_is_refused() -> None:
    """MAX_DEPTH levels of mappings and lists pass the depth check (the record is then refused by the schema for
    the unknown field, not for its depth); one level more is a parse error naming the limit."""
    from hcctrials.patients.io import MAX_DEPTH

    with pytest.raises(ValidationError):  # the schema's error: the depth check let it through
        parse_patient(_nested(MAX_DEPTH), source="p.json")
    with pytest.raises(ParseError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_patient(_nested(MAX_DEPTH + 1), source="p.json")
    # a list inside a mapping inside a list counts every level, whichever container holds it
    mixed: Any = []
    for k in range(MAX_DEPTH - 1):
        mixed = {"k": mixed} if k % 2 else [mixed]
    with pytest.raises(ParseError, match="nested deeper"):
        parse_patient({"patient_id": "DEEP-2", "x": mixed}, source="p.json")

# --- NaN / infinity: refused where patient data is read -----------------------------------------

def _patient(**lab: Any) -> dict[str, Any]:
    return {"patient_id": "NAN-1", "labs": [{"analyte": "bilirubin_total", "value": 1.0, "unit": "mg/dL",
                                             "date": "2024-01-01", **lab}]}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_or_inf_lab_value_is_a_validation_error(value: float) -> None:
    with pytest.raises(ValidationError, match="NaN or infinite") as info:
        parse_patient(_patient(value=value), source="p.json")
    assert info.value.field == "labs.0.value" and info.value.record == "NAN-1"
    assert info.value.file == "p.json"


@pytest.mark.parametrize("suffix,text", [
    (".json", '{"patient_id": "P", "labs": [{"analyte": "inr", "value": NaN, "date": "2024-01-01"}]}'),
    (".yaml", "patient_id: P\nlabs:\n  - {analyte: inr, value: .nan, date: 2024-01-01}\n"),
    (".yaml", "patient_id: P\nlabs:\n  - {analyte: inr, value: 1.1, uln: -.inf, date: 2024-01-01}\n"),
    (".json", '{"patient_id": "P", "labs": [{"analyte": "inr", "value": Infinity, "date": "2024-01-01"}]}'),
])
def test_nan_spelled_in_json_or_yaml_is_refused(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"p{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="NaN or infinite"):
        load_patient(path)


def test_nan_in_csv_is_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("patient_id,labs_date,bilirubin_total,bilirubin_total_unit\nP1,2024-01-01,nan,mg/dL\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError, match="NaN or infinite") as info:
        list(load_patients(path))
    assert info.value.record == "line 2" and info.value.field == "labs.0.value"


# --- encodings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
@pytest.mark.parametrize("name", ["wuhan_child_pugh_b8_ascites", "houston_us_units_bclc_a"])
def test_gbk_and_utf16_patient_files_are_decoded(tmp_path: Path, encoding: str, name: str) -> None:
    source = example_patient_path(name)
    text = source.read_text(encoding="utf-8").replace("\n", "\n# 患者\n", 1) if source.suffix == ".yaml" \
        else source.read_text(encoding="utf-8")
    path = tmp_path / f"p{source.suffix}"
    path.write_bytes(text.encode(encoding))
    assert load_patient(path) == load_patient(source)


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_gbk_and_utf16_csv_and_jsonl_are_decoded(tmp_path: Path, encoding: str) -> None:
    csv_path = tmp_path / "cohort.csv"
    csv_path.write_bytes("patient_id,city,sex\nP1,深圳,male\n".encode(encoding))
    [p] = list(load_patients(csv_path))
    assert p.location is not None and p.location.city == "深圳"
    lines = tmp_path / "cohort.jsonl"
    lines.write_bytes('{"patient_id": "P2", "location": {"city": "广州"}}\n'.encode(encoding))
    [q] = list(load_patients(lines))
    assert q.location is not None and q.location.city == "广州"


def test_binary_patient_file_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(ParseError, match="not text"):
        load_patient(path)


# --- FHIR: clean errors naming the field -----------------------------------------------------------

@pytest.fixture
def bundle() -> dict[str, Any]:
    return dict(json.loads(example_patient_path("shanghai_fhir_bundle").read_text(encoding="utf-8")))


def test_fhir_resource_type_as_a_list(bundle: dict[str, Any]) -> None:
    bundle["entry"][0]["resource"]["resourceType"] = ["Patient"]
    with pytest.raises(ParseError, match="resourceType must be a string") as info:
        parse_patient(bundle, source="b.json")
    assert info.value.field == "resource.resourceType" and info.value.record == "entry[0]"


@pytest.mark.parametrize("entry", [5, {"resource": {}}, "abc"])
def test_fhir_entry_not_a_list(bundle: dict[str, Any], entry: Any) -> None:
    bundle["entry"] = entry
    with pytest.raises(ParseError, match="Bundle.entry must be a list") as info:
        parse_patient(bundle, source="b.json")
    assert info.value.field == "entry"


def _first_quantity(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(e["resource"]["valueQuantity"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == "Observation" and "valueQuantity" in e["resource"])


@pytest.mark.parametrize("comparator", ["<<", "≤", "ad"])
def test_fhir_bad_comparator(bundle: dict[str, Any], comparator: str) -> None:
    bad = copy.deepcopy(bundle)
    _first_quantity(bad)["comparator"] = comparator
    with pytest.raises(ParseError, match="comparator") as info:
        parse_patient(bad, source="b.json")
    assert info.value.field == "valueQuantity.comparator" and info.value.value == comparator
    assert info.value.record and info.value.record.startswith("Observation/")


def test_fhir_ndjson_resource_type_as_a_list(tmp_path: Path) -> None:
    path = tmp_path / "bulk.ndjson"
    path.write_text('{"resourceType": ["Observation"], "id": "o1"}\n', encoding="utf-8")
    with pytest.raises(ParseError, match="resourceType must be a string"):
        list(load_patients(path))
