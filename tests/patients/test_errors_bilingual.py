"""A clinician who reads Chinese gets Chinese words around the data she uploaded (issues 12/13).

Patient-file errors (pydantic validation, plausibility, syntax, FHIR) and the data-quality findings
are catalog messages with structured fields: English is unchanged (pydantic's own wording where
pydantic found the problem), Chinese comes from the catalog, chosen by the pydantic error *type*
and never by reading pydantic's English.  A Chinese text fails these tests if any English word is
left in it beyond the data as uploaded (file name, record, field, value).
"""

from __future__ import annotations

import json
import pickle
import re
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest

from hcctrials.errors import HcctrialsError, ParseError, ValidationError, describe
from hcctrials.i18n import catalog, render
from hcctrials.model.patient import Patient
from hcctrials.patients import load_patient, parse_fhir_bundle
from hcctrials.patients.fhir import FhirMappingWarning
from hcctrials.patients.plausibility import check_dates
from hcctrials.patients.validation_text import KNOWN_TYPES, validation_message

BUNDLE = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shanghai_fhir_bundle.json"

#: ASCII words that are names, not English prose (formats, standards, units)
NAMES = {"JSON", "YAML", "CSV", "FHIR", "LOINC", "UTF", "GBK", "GB", "MB", "cm", "mm", "kg", "YYYY", "MM", "DD",
         "Bundle", "Patient", "Observation", "Procedure", "docs", "patients", "md", "jsonl", "ndjson", "yaml",
         "json", "csv", "yml", "entry", "resourceType", "nodule_count", "largest_diameter_cm", "tumour", "lesions"}


def english_left(text: str, *data: Any) -> list[str]:
    """English words in *text* once the data values (and format names) are taken out."""
    for value in sorted((str(d) for d in data if d is not None), key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"'[^']*'", " ", text)  # quoted codes: the values the schema allows, as written in files
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in NAMES]


def _error(tmp_path: Path, name: str, content: str) -> HcctrialsError:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HcctrialsError) as caught:
        load_patient(path)
    return caught.value


# (file name, content, pydantic type or None, field, value shown, English words, Chinese words)
CASES = [
    ("age.yaml", "patient_id: P-017\nage_years: sixty\n", "float_parsing", "age_years", "'sixty'",
     "Input should be a valid number, unable to parse string as a number", "应为数值，无法将所填文字解析为数值"),
    ("ecog.yaml", "patient_id: P-018\necog: one\n", "int_parsing", "ecog", "'one'",
     "Input should be a valid integer", "应为整数"),
    ("ecog_low.yaml", "patient_id: P-019\necog: -1\n", "greater_than_equal", "ecog", "-1",
     "Input should be greater than or equal to 0", "应大于或等于 0"),
    ("sex.yaml", "patient_id: P-020\nsex: m\n", "literal_error", "sex", "'m'",
     "Input should be 'female' or 'male'", "应为 'female' 或 'male'"),
    ("born.json", '{"patient_id": "P-021", "birth_date": "2024-13-01"}', "date_from_datetime_parsing", "birth_date",
     "'2024-13-01'", "month value is outside expected range of 1-12", "月份超出 1-12 的范围"),
    ("typo.yaml", "patient_id: P-022\necgo: 1\n", "extra_forbidden", "ecgo", "1",
     "Extra inputs are not permitted", "不允许出现此字段"),
    ("noid.yaml", "sex: male\n", "missing", "patient_id", None, "Field required", "缺少必填字段"),
    ("albumin.yaml", "patient_id: P-023\nlabs:\n  - {analyte: albumin, value: 3400, unit: g/L, date: 2024-03-01}\n",
     None, "labs[0].value", "'3400 g/L'", "albumin is physiologically impossible", "白蛋白"),
    ("analyte.yaml", "patient_id: P-024\nlabs:\n  - {analyte: bilirubin_totl, value: 1, date: 2024-03-01}\n",
     None, "labs[0].analyte", "'bilirubin_totl'", "unknown analyte", "未知的检验项目"),
    ("weight.yaml", "patient_id: P-025\nweight_kg: 0.001\n", None, "weight_kg", "0.001",
     "weight_kg is physiologically impossible", "在生理上不可能"),
    ("born_early.yaml", "patient_id: P-026\nbirth_date: 1724-01-01\n", None, "birth_date", "'1724-01-01'",
     "birth year before 1900", "出生年份早于 1900 年"),
    ("nan.json", '{"patient_id": "P-027", "labs": [{"analyte": "albumin", "value": NaN, "date": "2024-03-01"}]}',
     None, "labs.0.value", "nan",
     "number is NaN or infinite", "数值为 NaN 或无穷大"),
]


@pytest.mark.parametrize(("name", "content", "kind", "field", "value", "english", "chinese"), CASES,
                         ids=[c[0] for c in CASES])
def test_a_bad_patient_file_is_named_in_both_languages(tmp_path: Path, name: str, content: str, kind: str | None,
                                                       field: str, value: str | None, english: str,
                                                       chinese: str) -> None:
    error = _error(tmp_path, name, content)
    assert isinstance(error, ValidationError)
    assert error.field == field
    en, zh = describe(error, "en"), describe(error, "zh")
    assert english in en and str(tmp_path / name) in en
    assert chinese in zh, zh
    assert zh.startswith(f"文件 {tmp_path / name}")
    if value is not None:
        assert f"(value: {value})" in en and f"（值：{value}）" in zh
    record = error.record
    assert not english_left(zh, tmp_path / name, record, field, value, "NaN"), zh


@pytest.mark.parametrize("case", [c for c in CASES if c[2]], ids=[c[0] for c in CASES if c[2]])
def test_english_is_pydantics_own_message_and_chinese_follows_the_error_type(case: tuple[Any, ...]) -> None:
    """English stays pydantic's text; the Chinese text is chosen by the error type (not by its English)."""
    _name, content, kind, *_ = case
    import yaml

    data = json.loads(content) if content.startswith("{") else yaml.safe_load(content)
    with pytest.raises(pydantic.ValidationError) as caught:
        Patient.model_validate(data)
    first = caught.value.errors()[0]
    assert first["type"] == kind
    message = validation_message(first)
    assert str(message) == first["msg"]
    assert catalog("zh").get(message.msgid), message.msgid
    # the same type with another English text still gets its Chinese text: the type decides
    doctored = {**first, "msg": "something else entirely"}
    assert render(validation_message(doctored), "zh") == render(message, "zh")


def test_every_message_template_is_pydantics_own() -> None:
    import pydantic_core

    templates = {e["type"]: e["message_template_python"] for e in pydantic_core._pydantic_core.list_all_errors()}
    from hcctrials.patients import validation_text

    # a type the installed pydantic no longer has (string_sub_type, gone in pydantic-core 2.50) stays mapped for the
    # older versions the dependency range admits
    for kind in sorted(KNOWN_TYPES & set(templates)):
        built = validation_text._MESSAGES[kind]({"error": "x", "expected": "'a' or 'b'", "class_name": "C",
                                                 "field_type": "List", "expected_plural": "s"})
        if kind in ("value_error", "assertion_error", "date_parsing", "date_from_datetime_parsing",
                    "datetime_parsing", "json_invalid"):
            assert built.msgid == templates[kind], kind  # with its {error} detail
        elif kind not in ("uuid_parsing", "url_parsing"):  # their {error} detail is left out
            assert built.msgid == templates[kind], kind
        assert catalog("zh").get(built.msgid), kind


def test_an_unknown_error_type_is_still_chinese() -> None:
    text = render(validation_message({"type": "some_future_type", "loc": ("x",), "msg": "Whatever"}), "zh")
    assert text == "取值不符合数据格式（请检查 some_future_type）"


@pytest.mark.parametrize(("name", "content", "english", "chinese"), [
    ("broken.json", '{"patient_id": "P", }', "Expecting property name enclosed in double quotes (line 1, column 21)",
     "JSON 格式无效：此处应有用双引号括起的字段名（第 1 行第 21 列）"),
    ("broken.yaml", "patient_id: [1, 2\n", "(line 2, column 1)", "YAML 格式无效（第 2 行第 1 列）"),
    ("list.yaml", "- patient_id: A\n- patient_id: B\n", "file holds a list of patients", "文件包含多名患者的列表"),
    ("scalar.json", '"P-1"', "a patient must be a mapping", "患者记录必须是键值映射"),
])
def test_syntax_errors_say_where_in_both_languages(tmp_path: Path, name: str, content: str, english: str,
                                                   chinese: str) -> None:
    error = _error(tmp_path, name, content)
    assert isinstance(error, ParseError)
    assert english in describe(error, "en")
    zh = describe(error, "zh")
    assert chinese in zh, zh
    assert not english_left(zh, tmp_path / name, error.value, "load_patients"), zh


def test_a_missing_file_is_named_without_the_systems_english(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as caught:
        load_patient(tmp_path / "absent.yaml")
    assert describe(caught.value, "zh") == f"文件 {tmp_path / 'absent.yaml'}：文件不存在"
    assert describe(caught.value, "en") == f"file {tmp_path / 'absent.yaml'}: file not found"


def test_findings_are_rendered_in_the_readers_language(tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "contra.yaml"
    path.write_text("patient_id: P-030\ntumour: {nodule_count: 1, nodule_diameters_cm: [3.0, 2.0], "
                    "largest_diameter_cm: 2.5}\nlabs:\n"
                    "  - {analyte: albumin, value: 38, unit: g/L, date: 2024-03-01}\n"
                    "  - {analyte: albumin, value: 28, unit: g/L, date: 2024-03-01}\n"
                    "  - {analyte: platelets, value: 150, unit: 10^9/L, date: 2024-06-01}\n"
                    "  - {analyte: afp, value: 12, unit: ng/mL, date: 2024-06-01}\n", encoding="utf-8")
    patient = check_dates(load_patient(path), date(2024, 5, 10))
    english = [str(f) for f in patient.data_findings]
    chinese = [render(f, "zh") for f in patient.data_findings]
    assert english == [
        "contradiction: albumin on 2024-03-01 has different results (38 g/L, 28 g/L); none is used until the "
        "record says which is right",
        "contradiction: nodule_count 1 but 2 nodule diameters listed; the count is not used",
        "contradiction: largest_diameter_cm 2.5 but a listed nodule measures 3 cm; the largest diameter is not used",
        "results dated after the evaluation date 2024-05-10 are not used: AFP, platelets"]
    assert chinese == [
        "矛盾：白蛋白 在 2024-03-01 有不同结果（38 g/L、28 g/L）；在记录确认哪一个正确之前均不采用",
        "矛盾：结节数（nodule_count）为 1，但列出了 2 个结节直径；结节数不予采用",
        "矛盾：最大径（largest_diameter_cm）为 2.5 cm，但所列结节中有一个为 3 cm；最大径不予采用",
        "评估日期 2024-05-10 之后的结果不予采用：甲胎蛋白（AFP）、血小板"]
    for text in chinese:
        assert not english_left(text, "g/L", "AFP"), text  # AFP: the abbreviation a Chinese report uses too
    # findings cross process pools (cohort screening): they pickle with their catalog parts
    assert [render(f, "zh") for f in pickle.loads(pickle.dumps(patient)).data_findings] == chinese


def test_fhir_mapping_warnings_carry_a_message_for_each_language() -> None:
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    pid = next(e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    bundle["entry"].append({"resource": {
        "resourceType": "Observation", "id": "obs-x", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "99999-9"}]},
        "subject": {"reference": f"Patient/{pid}"}, "valueQuantity": {"value": 1}}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parse_fhir_bundle(bundle, source="bundle.json")
    found = [w.message for w in caught if isinstance(w.message, FhirMappingWarning)]
    assert len(found) == 1
    assert str(found[0]) == "bundle.json: Observation/obs-x has no known LOINC code (99999-9); left out"
    assert found[0].rendered("zh") == "bundle.json：Observation/obs-x 没有可识别的 LOINC 编码（99999-9），已略去"


def test_an_invalid_fhir_resource_is_named_by_type_in_chinese() -> None:
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["birthDate"] = "1960-13-45"
    with pytest.raises(ParseError) as caught:
        parse_fhir_bundle(bundle, source="bundle.json")
    zh = describe(caught.value, "zh")
    assert zh.startswith("文件 bundle.json；记录 Patient/") and "无效的 FHIR Patient" in zh, zh
    assert not english_left(zh, "bundle.json", caught.value.record, caught.value.field), zh
