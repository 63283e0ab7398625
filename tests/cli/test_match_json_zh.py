"""``match --json`` and ``criteria evaluate --json`` in the reader's language, codes kept (issue 13).

With ``--lang zh`` the findings a reader sees (patient-data findings, the line of therapy, criterion
reasons including the compiler's review reasons, the compiled rule) are Chinese; beside each stay its
code or its message record (``{"id", "fields", "en"}``), so an API user parses the same document in
either language (docs/matching.md, "JSON output in the reader's language").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
PATIENT = ROOT / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
#: the day before the patient's labs of 2024-03-01: they are named in a patient-data finding
AS_OF = "2024-02-28"
runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('matchzh') / 'm.sqlite3'}"
    res = runner.invoke(app, ["ingest", "--examples", "--db", url])
    assert res.exit_code == 0, res.output
    return url


def _json(args: list[str]) -> Any:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def _match(db: str, lang: str) -> Any:
    return _json(["match", str(PATIENT), "--as-of", AS_OF, "--db", db, "--show-ineligible", "--lang", lang, "--json"])


def test_match_findings_in_chinese_with_their_message_records(db: str) -> None:
    zh, en = _match(db, "zh"), _match(db, "en")
    # the labs of 2024-03-01 are after the evaluation date: named in a finding, in the reader's language
    assert len(en["patient_data_findings"]) == 1
    assert en["patient_data_findings"][0].startswith("results dated after the evaluation date 2024-02-28 are not used: ")
    assert len(zh["patient_data_findings"]) == 1 and HAN.search(zh["patient_data_findings"][0])
    assert "2024-02-28" in zh["patient_data_findings"][0]
    record = zh["patient_data_findings_messages"][0]
    assert record == en["patient_data_findings_messages"][0]  # the machine-readable part is the same in both
    assert record["id"] == "results dated after the evaluation date {date} are not used: {analytes}"
    assert record["fields"]["date"] == "2024-02-28" and record["en"] == en["patient_data_findings"][0]
    # the line of therapy: code, English and Chinese
    line = zh["line_of_therapy"]
    assert line["reason_code"] == "second_line_or_later" and line["settings"] == ["advanced_second_line_plus"]
    assert line["reason"] == "晚期疾病既往接受过 1 线系统治疗：二线及以后"
    assert line["reason_en"] == en["line_of_therapy"]["reason"] == \
        "1 prior systemic line(s) for advanced disease: second line or later"


def test_match_criteria_reasons_and_codes(db: str) -> None:
    zh, en = _match(db, "zh"), _match(db, "en")
    assert [t["trial_id"] for t in zh["trials"]] == [t["trial_id"] for t in en["trials"]]
    reviewed = 0
    for tz, te in zip(zh["trials"], en["trials"]):
        assert (tz["verdict"], tz["relevance"]["level"], tz["recruiting"]["state"]) == \
            (te["verdict"], te["relevance"]["level"], te["recruiting"]["state"])
        assert tz["recruiting"]["reason_message"] == te["recruiting"]["reason_message"]
        assert HAN.search(tz["recruiting"]["state_label"]) and HAN.search(tz["relevance"]["evidence_label"])
        for cz, ce in zip(tz["criteria"], te["criteria"]):
            assert (cz["status"], cz["role"], cz["number"]) == (ce["status"], ce["role"], ce["number"])
            assert cz["reason_message"] == ce["reason_message"] and ce["reason_message"]["en"] == ce["reason"]
            assert HAN.search(cz["reason"]), cz
            if cz["status"] == "needs_review":
                reviewed += 1
                assert cz["reason_message"]["id"] == "needs review: {reason}"
                # the compiler's review reason is said in Chinese too (its fixed words; quoted text as written)
                assert "is wider than" not in cz["reason"] and "no rule recognised" not in cz["reason"]
    assert reviewed >= 2


def test_criteria_evaluate_json_in_chinese(db: str) -> None:
    args = ["criteria", "evaluate", str(PATIENT), "NCT09999918", "--as-of", AS_OF, "--db", db, "--json"]
    zh, en = _json([*args, "--lang", "zh"]), _json([*args, "--lang", "en"])
    assert zh["status"] == en["status"] and zh["language"] == "zh"
    assert zh["patient_data_findings_messages"] == en["patient_data_findings_messages"]
    assert HAN.search(zh["patient_data_findings"][0])
    for cz, ce in zip(zh["criteria"], en["criteria"]):
        assert cz["status"] == ce["status"] and cz["rule_en"] == ce["rule_en"] == ce["rule"]
        assert HAN.search(cz["rule"]) and HAN.search(cz["reason"]) and HAN.search(cz["role_label"])
        assert cz["reason_message"] == ce["reason_message"]
    prior = [c for c in zh["criteria"] if c["role"] == "exclusion" and c["number"] == "1"][0]
    assert prior["rule"].startswith("需人工审核：“免疫治疗”的范围大于检查点抑制剂")


def test_criteria_show_and_compile_text_say_the_rule_in_chinese(db: str) -> None:
    shown = runner.invoke(app, ["criteria", "show", "NCT09999918", "--db", db, "--lang", "zh"], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    assert "Child-Pugh 评分 5,6 分" in shown.output and "Child-Pugh points in" not in shown.output
    compiled = runner.invoke(app, ["criteria", "compile-text", "Prior treatment with sorafenib or lenvatinib",
                                   "--role", "exclusion", "--lang", "zh"])
    assert compiled.exit_code == 0, compiled.output
    assert "索拉非尼" in compiled.output and "仑伐替尼" in compiled.output and "prior therapy" not in compiled.output
    english = runner.invoke(app, ["criteria", "compile-text", "Prior treatment with sorafenib or lenvatinib",
                                  "--role", "exclusion", "--lang", "en"])
    assert "prior therapy: agents sorafenib/lenvatinib" in english.output


def test_api_match_and_trial_page_in_chinese(db: str) -> None:
    """``/api/match?lang=zh`` is the CLI document (findings in Chinese, records beside them); the trial page and
    ``/api/trials/{id}?lang=zh`` show the rule in Chinese, the notation kept as ``rule_en``."""
    import warnings
    from datetime import date

    import yaml

    from hcctrials.web import create_app

    with warnings.catch_warnings():  # Starlette's notice that its client moves to httpx2 (as tests/web/web_support.py)
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        client_of = TestClient(create_app(db, today=lambda: date(2024, 5, 10)))
    patient = yaml.safe_load(PATIENT.read_text(encoding="utf-8"))
    with client_of as client:
        got = client.post("/api/match", params={"as_of": AS_OF, "lang": "zh", "show_ineligible": True},
                          json=json.loads(json.dumps(patient, default=str)))
        assert got.status_code == 200, got.text
        document = got.json()
        assert document["patient_data_findings"] == _match(db, "zh")["patient_data_findings"]
        assert HAN.search(document["patient_data_findings"][0])
        assert document["patient_data_findings_messages"][0]["id"].startswith("results dated after")
        trial = client.get("/api/trials/NCT09999918", params={"lang": "zh"}).json()
        rules = {c["number"] + c["role"]: c for c in trial["criteria"]}
        assert rules["2inclusion"]["rule"] == "Child-Pugh 评分 5,6 分"
        assert rules["2inclusion"]["rule_en"] == "Child-Pugh points in {5,6}"
        page = client.get("/trials/NCT09999918", params={"lang": "zh"}).text
        assert "Child-Pugh 评分 5,6 分" in page and "既往治疗：类别 免疫检查点抑制剂" in page
        english = client.get("/trials/NCT09999918", params={"lang": "en"}).text
        assert "Child-Pugh points in {5,6}" in english
