"""A bad patient file on the command line, read in Chinese and in English (issue 13).

`match`, `criteria evaluate` and `screen` print one line naming file, record, field and value, exit 2,
no traceback, in the language of ``--lang`` (or ``$HCCTRIALS_LANG``); the data-quality findings of a
readable patient and the FHIR mapping warnings are printed in the same language.  A Chinese line
fails here if an English word is left in it beyond the data as given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app, main

runner = CliRunner()
BUNDLE = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shanghai_fhir_bundle.json"
NAMES = {"JSON", "YAML", "CSV", "FHIR", "LOINC", "docs", "patients", "md", "Observation", "Procedure",
         "nodule_count", "largest_diameter_cm", "cm"}


def english_left(text: str, *data: Any) -> list[str]:
    """English words in *text* once the data values, quoted codes and format names are taken out."""
    for value in sorted((str(d) for d in data if d is not None), key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"'[^']*'", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in NAMES]


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    out, err = capsys.readouterr()
    return int(caught.value.code or 0), out, err


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('errs') / 'e.sqlite3'}"
    result = runner.invoke(app, ["ingest", "--examples", "--db", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def bad_patient(tmp_path: Path) -> Path:
    path = tmp_path / "病人-017.yaml"
    path.write_text("patient_id: P-017\nsex: male\necog: one\n", encoding="utf-8")
    return path


COMMANDS = {
    "match": lambda p, db: ["match", str(p), "--as-of", "2024-05-10", "--db", db],
    "criteria evaluate": lambda p, db: ["criteria", "evaluate", str(p), "ChiCTR2400000017", "--as-of", "2024-05-10",
                                        "--db", db],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_patient_file_is_one_line_in_each_language(command: str, bad_patient: Path, db: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    argv = COMMANDS[command](bad_patient, db)
    status, out, en = _main([*argv, "--lang", "en"], capsys)
    assert status == 2 and out == ""
    assert en.strip() == (f"error: file {bad_patient}, record P-017, field ecog: Input should be a valid integer, "
                          "unable to parse string as an integer (value: 'one'). 1 problem(s); see docs/patients.md")
    status, out, zh = _main([*argv, "--lang", "zh"], capsys)
    assert status == 2 and out == "" and len(zh.strip().splitlines()) == 1 and "Traceback" not in zh
    assert zh.strip() == (f"错误：文件 {bad_patient}；记录 P-017；字段 ecog：应为整数，无法将所填文字解析为整数"
                          "（值：'one'）。共 1 处问题；见 docs/patients.md")
    assert not english_left(zh, bad_patient, "P-017", "ecog"), zh


def test_the_language_may_come_from_the_environment_or_an_equals_sign(bad_patient: Path, db: str,
                                                                      capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    status, _, zh = _main(["match", str(bad_patient), "--db", db, "--lang=zh"], capsys)
    assert status == 2 and zh.startswith("错误：文件")
    monkeypatch.setenv("HCCTRIALS_LANG", "zh")
    status, _, zh = _main(["match", str(bad_patient), "--db", db], capsys)
    assert status == 2 and zh.startswith("错误：文件")
    status, _, en = _main(["match", str(bad_patient), "--db", db, "--lang", "en"], capsys)
    assert status == 2 and en.startswith("error: file")


@pytest.mark.parametrize(("content", "suffix", "chinese", "data"), [
    ('{"patient_id": "P", }', ".json", "JSON 格式无效：此处应有用双引号括起的字段名（第 1 行第 21 列）", []),
    ("patient_id: P-1\nbirth_date: 2024-13-01\n", ".yaml", "YAML 格式无效：月份必须在 1 到 12 之间", []),
    ("patient_id: P-2\nlabs:\n  - {analyte: albumin, value: 3400, unit: g/L, date: 2024-03-01}\n", ".yaml",
     "字段 labs[0].value：白蛋白 在生理上不可能（值：'3400 g/L'）。可能范围为 8-65 g/L；请核对单位（g/L）和数值",
     ["labs[0].value", "g/L"]),
    ("patient_id: P-3\nsex: m\n", ".yaml", "记录 P-3；字段 sex：应为 'female' 或 'male'（值：'m'）", ["P-3", "sex"]),
    ("sex: male\n", ".yaml", "字段 patient_id：缺少必填字段。共 1 处问题", ["patient_id"]),
])
def test_bad_files_of_every_kind_in_chinese(tmp_path: Path, content: str, suffix: str, chinese: str,
                                            data: list[str], db: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"patient{suffix}"
    path.write_text(content, encoding="utf-8")
    status, _, zh = _main(["match", str(path), "--db", db, "--lang", "zh"], capsys)
    assert status == 2
    assert chinese in zh, zh
    assert not english_left(zh, path, *data), zh


def test_a_missing_patient_file_in_chinese(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, zh = _main(["match", str(tmp_path / "nowhere.yaml"), "--db", db, "--lang", "zh"], capsys)
    assert status == 2 and zh.strip() == f"错误：文件 {tmp_path / 'nowhere.yaml'}：文件不存在"


@pytest.mark.parametrize(("name", "content", "record_en", "record_zh"), [
    ("cohort.jsonl", '{"patient_id": "A-1", "sex": "male"}\n{"patient_id": "A-2", "ecog": "one"}\n',
     "record line 2, field ecog", "记录 第 2 行；字段 ecog"),
    ("cohort.csv", "patient_id,sex,ecog\nB-1,male,1\nB-2,male,one\n", "record line 3, field ecog",
     "记录 第 3 行；字段 ecog"),
])
def test_screen_names_the_bad_record_in_each_language(tmp_path: Path, name: str, content: str, record_en: str,
                                                      record_zh: str, db: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    cohort = tmp_path / name
    cohort.write_text(content, encoding="utf-8")
    argv = ["screen", str(cohort), "--out", str(tmp_path / "out.parquet"), "--as-of", "2024-05-10", "--db", db]
    status, _, en = _main([*argv, "--lang", "en"], capsys)
    assert status == 2 and record_en in en and "Input should be a valid integer" in en
    status, _, zh = _main([*argv, "--lang", "zh"], capsys)
    assert status == 2 and record_zh in zh and "应为整数" in zh, zh
    assert not english_left(zh, cohort, "ecog"), zh


CONTRADICTORY = ("patient_id: P-030\nbirth_date: 1960-05-01\nsex: male\necog: 1\n"
                 "diagnosis: {histology: hcc, confirmed_by: histology, cirrhosis: true, etiologies: [hbv]}\n"
                 "tumour: {nodule_count: 1, nodule_diameters_cm: [3.0, 2.0], largest_diameter_cm: 2.5}\n"
                 "labs:\n  - {analyte: albumin, value: 38, unit: g/L, date: 2024-03-01}\n"
                 "  - {analyte: albumin, value: 28, unit: g/L, date: 2024-03-01}\n"
                 "  - {analyte: platelets, value: 150, unit: 10^9/L, date: 2024-06-01}\n")
FINDINGS_ZH = ["患者数据：矛盾：白蛋白 在 2024-03-01 有不同结果（38 g/L、28 g/L）；在记录确认哪一个正确之前均不采用",
               "患者数据：矛盾：结节数（nodule_count）为 1，但列出了 2 个结节直径；结节数不予采用",
               "患者数据：矛盾：最大径（largest_diameter_cm）为 2.5 cm，但所列结节中有一个为 3 cm；最大径不予采用",
               "患者数据：评估日期 2024-05-10 之后的结果不予采用：血小板"]
FINDINGS_EN = ["patient data: contradiction: albumin on 2024-03-01 has different results (38 g/L, 28 g/L); none is "
               "used until the record says which is right",
               "patient data: contradiction: nodule_count 1 but 2 nodule diameters listed; the count is not used",
               "patient data: results dated after the evaluation date 2024-05-10 are not used: platelets"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_findings_are_printed_in_the_readers_language(command: str, tmp_path: Path, db: str) -> None:
    path = tmp_path / "contra.yaml"
    path.write_text(CONTRADICTORY, encoding="utf-8")
    argv = COMMANDS[command](path, db)
    zh = runner.invoke(app, [*argv, "--lang", "zh"], env={"COLUMNS": "400"})
    assert zh.exit_code == 0, zh.output
    shown = [line[2:] for line in zh.output.splitlines() if line.startswith("! ")]
    assert shown == FINDINGS_ZH
    for line in shown:
        assert not english_left(line, "g/L"), line
    en = runner.invoke(app, [*argv, "--lang", "en"], env={"COLUMNS": "400"})
    assert en.exit_code == 0, en.output
    shown = [line[2:] for line in en.output.splitlines() if line.startswith("! ")]
    assert set(FINDINGS_EN) <= set(shown)


@pytest.mark.filterwarnings("always::hcctrials.patients.fhir.FhirMappingWarning")
def test_fhir_mapping_warnings_in_the_readers_language(tmp_path: Path, db: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    pid = next(e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    bundle["entry"].append({"resource": {
        "resourceType": "Procedure", "id": "proc-x", "status": "completed", "code": {"text": "Appendectomy"},
        "subject": {"reference": f"Patient/{pid}"}}})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    status, _, zh = _main(["match", str(path), "--as-of", "2024-05-10", "--db", db, "--lang", "zh"], capsys)
    assert status == 0
    warning = [line for line in zh.splitlines() if "proc-x" in line]
    assert warning == [f"警告：{path}：Procedure/proc-x 的操作 'Appendectomy' 不是已知的肝细胞癌治疗，已略去"]
    status, _, en = _main(["match", str(path), "--as-of", "2024-05-10", "--db", db, "--lang", "en"], capsys)
    assert [line for line in en.splitlines() if "proc-x" in line] == [
        f"warning: {path}: Procedure/proc-x procedure 'Appendectomy' is not a known HCC treatment; left out"]
