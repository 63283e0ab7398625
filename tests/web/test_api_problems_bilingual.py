"""Problem documents (RFC 9457) in the request's language (issues 12/13), on SQLite and PostgreSQL.

A bad patient body, a bad patient upload on the match page, a bad study table and a request that does
not validate (FastAPI's RequestValidationError) answer with title and detail in the language of
``?lang=`` or ``Accept-Language``; the messages of request validation are chosen by the pydantic
error type.  The members ``file``, ``record``, ``field`` and ``value`` are for programs and stay as
in English (the data as sent); the detail names them for people in their language.  A Chinese document fails here
if an English word is left in its title or detail beyond those data.
"""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest

from web_support import make_client

from hcctrials.datasets.example_study import EXAMPLE_STUDY_DIR

NAMES = {"JSON", "YAML", "CSV", "FHIR", "docs", "patients", "md", "report", "response", "mm", "subject_id",
         "body", "query", "as_of", "limit"}
ZH = [({"lang": "zh"}, {}), ({}, {"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})]
PASSWORD = "a long enough password"


def english_left(text: str, *data: Any) -> list[str]:
    """English words in *text* once the data values, quoted codes and format names are taken out."""
    for value in sorted((str(d) for d in data if d is not None), key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"'[^']*'", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in NAMES]


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


def test_a_bad_patient_body_in_english(client: Any) -> None:
    body = _problem(client.post("/api/match", json={"patient_id": "P-1", "ecog": "one"}), 422)
    assert body["title"] == "Unprocessable Entity"
    assert body["detail"] == ("file request body, record P-1, field ecog: Input should be a valid integer, unable to "
                              "parse string as an integer (value: 'one'). 1 problem(s); see docs/patients.md")
    assert (body["file"], body["record"], body["field"], body["value"]) == ("request body", "P-1", "ecog", "'one'")


@pytest.mark.parametrize(("params", "headers"), ZH, ids=["query", "accept-language"])
def test_a_bad_patient_body_in_chinese(client: Any, params: dict[str, str], headers: dict[str, str]) -> None:
    body = _problem(client.post("/api/match", json={"patient_id": "P-1", "ecog": "one"}, params=params,
                                headers=headers), 422)
    assert body["title"] == "输入无法使用"
    assert body["detail"] == ("文件 请求正文；记录 P-1；字段 ecog：应为整数，无法将所填文字解析为整数（值：'one'）。"
                              "共 1 处问题；见 docs/patients.md")
    assert (body["file"], body["record"], body["field"], body["value"]) == ("request body", "P-1", "ecog", "'one'")
    assert body["hint"] == "共 1 处问题；见 docs/patients.md"
    assert not english_left(body["title"] + body["detail"], "P-1", "ecog")


@pytest.mark.parametrize(("patient", "chinese", "data"), [
    ({"patient_id": "P-2", "sex": "m"}, "字段 sex：应为 'female' 或 'male'（值：'m'）", ["P-2", "sex"]),
    ({"patient_id": "P-3", "ecog": -1}, "字段 ecog：应大于或等于 0（值：-1）", ["P-3", "ecog"]),
    ({"sex": "male"}, "字段 patient_id：缺少必填字段", ["patient_id"]),
    ({"patient_id": "P-4", "labs": [{"analyte": "albumin", "value": 3400, "unit": "g/L", "date": "2024-03-01"}]},
     "字段 labs[0].value：白蛋白 在生理上不可能（值：'3400 g/L'）", ["P-4", "labs[0].value", "g/L"]),
    ({"patient_id": "P-5", "birth_date": "2030-01-01"}, "字段 birth_date：出生日期晚于评估日期", ["P-5", "birth_date"]),
    ({"resourceType": "Bundle", "type": "collection", "entry": []}, "Bundle 必须恰好包含一个 Patient 资源（实际 0 个）",
     ["Bundle", "Patient", "entry.resource.resourceType"]),
])
def test_patient_problems_of_every_kind_in_chinese(client: Any, patient: dict[str, Any], chinese: str,
                                                   data: list[str]) -> None:
    body = _problem(client.post("/api/match", json=patient, params={"lang": "zh", "as_of": "2024-05-10"}), 422)
    assert chinese in body["detail"], body["detail"]
    assert not english_left(body["title"] + body["detail"], *data), body["detail"]


def test_request_validation_follows_the_error_type_in_both_languages(client: Any) -> None:
    url = "/api/match"
    en = _problem(client.post(url, json={"patient_id": "P-1"}, params={"limit": "abc", "as_of": "2024-13-01"}), 422)
    assert en["title"] == "Unprocessable Entity"
    assert en["errors"] == [
        {"field": "query.as_of", "message": "Input should be a valid date or datetime, month value is outside "
                                            "expected range of 1-12"},
        {"field": "query.limit", "message": "Input should be a valid integer, unable to parse string as an integer"}]
    zh = _problem(client.post(url, json={"patient_id": "P-1"}, params={"limit": "abc", "as_of": "2024-13-01",
                                                                        "lang": "zh"}), 422)
    assert zh["title"] == "输入无法使用"
    assert zh["errors"] == [{"field": "query.as_of", "message": "应为有效的日期或日期时间：月份超出 1-12 的范围"},
                            {"field": "query.limit", "message": "应为整数，无法将所填文字解析为整数"}]
    assert zh["detail"] == ("query.as_of：应为有效的日期或日期时间：月份超出 1-12 的范围；"
                            "query.limit：应为整数，无法将所填文字解析为整数")
    assert not english_left(zh["title"] + zh["detail"])


@pytest.mark.parametrize(("params", "headers"), ZH, ids=["query", "accept-language"])
def test_a_body_that_is_not_json_or_not_a_patient_in_chinese(client: Any, params: dict[str, str],
                                                             headers: dict[str, str]) -> None:
    broken = _problem(client.post("/api/match", content=b'{"patient_id": ', params=params,
                                  headers={**headers, "content-type": "application/json"}), 422)
    assert broken["errors"] == [{"field": "body", "message": "JSON 格式无效：此处应有一个值"}]
    listed = _problem(client.post("/api/match", json=[1, 2], params=params, headers=headers), 422)
    assert listed["errors"] == [{"field": "body", "message": "应为键值映射（字典）"}]
    for body in (broken, listed):
        assert body["title"] == "输入无法使用" and not english_left(body["title"] + body["detail"])
    english = _problem(client.post("/api/match", content=b'{"patient_id": ',
                                   headers={"content-type": "application/json"}), 422)
    assert english["errors"] == [{"field": "body", "message": "Invalid JSON: Expecting value"}]


def test_not_found_in_both_languages(client: Any) -> None:
    assert _problem(client.get("/api/no-such-thing"), 404)["title"] == "Not Found"
    body = _problem(client.get("/api/no-such-thing", params={"lang": "zh"}), 404)
    assert body["title"] == "未找到" and body["detail"] == "未找到"


def test_a_missing_trial_does_not_name_the_servers_database(client: Any) -> None:
    """The repository's "no trial 'X' in sqlite:////srv/..." is for the CLI user; a web client sees "the catalog"."""
    for params in ({}, {"lang": "zh"}, {"registry": "ctgov"}):
        body = _problem(client.get("/api/trials/NCT0000000X", params=params), 404)
        assert "sqlite" not in body["detail"] and "postgresql" not in body["detail"], body["detail"]
        assert "NCT0000000X" in body["detail"]
    assert "试验目录" in _problem(client.get("/api/trials/NCT0000000X", params={"lang": "zh"}), 404)["detail"]


def _page_error(page: str) -> str:
    found = re.search(r'id="form-error">(.*?)</p>', page, re.S)
    assert found, page[:2000]
    return html.unescape(found.group(1)).strip()


def test_a_bad_upload_on_the_match_page_in_both_languages(client: Any) -> None:
    files = {"patient_file": ("病人.yaml", "patient_id: P-2\nsex: m\n".encode(), "application/yaml")}
    zh = client.post("/match/upload?lang=zh", files=files, data={"as_of": "2024-05-10"})
    assert zh.status_code == 422
    text = _page_error(zh.text)
    assert text == "文件 病人.yaml；记录 P-2；字段 sex：应为 'female' 或 'male'（值：'m'）。共 1 处问题；见 docs/patients.md"
    assert not english_left(text, "病人.yaml", "P-2", "sex")
    en = client.post("/match/upload?lang=en", files=files, data={"as_of": "2024-05-10"})
    assert _page_error(en.text) == ("file 病人.yaml, record P-2, field sex: Input should be 'female' or 'male' "
                                    "(value: 'm'). 1 problem(s); see docs/patients.md")


def _signed_in(app: Any) -> tuple[Any, dict[str, str]]:
    from hcctrials.web.auth import hash_password

    name = f"u{uuid.uuid4().hex[:10]}"
    app.state.study_store.create_user(name, hash_password(PASSWORD), is_admin=False)
    client = make_client(app, https=True)  # the session cookie is ``Secure``
    answer = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client, {"x-csrf-token": answer.json()["csrf_token"]}


def test_a_bad_study_table_in_both_languages(workspace_app: Any) -> None:
    client, headers = _signed_in(workspace_app)
    with client:
        created = client.post("/api/studies", json={"code": f"EX-{uuid.uuid4().hex[:6]}", "title": "Errors"},
                              headers=headers)
        assert created.status_code == 201, created.text
        sid = created.json()["id"]
        subjects = (EXAMPLE_STUDY_DIR / "subjects.csv").read_bytes()
        assert client.put(f"/api/studies/{sid}/tables/subjects", headers=headers,
                          files={"file": ("subjects.csv", subjects, "text/csv")}).status_code == 200
        bad = (EXAMPLE_STUDY_DIR / "tumour_assessments.csv").read_text(encoding="utf-8").replace(
            "EX-001,2025-03-15,T1,target,liver,False,54.3,", "EX-001,2025-03-15,T1,target,liver,False,-5,").encode()

        def upload(**options: Any) -> Any:
            return client.put(f"/api/studies/{sid}/tables/tumour_assessments", headers={**headers, **options.pop(
                "headers", {})}, files={"file": ("tumour_assessments.csv", bad, "text/csv")}, **options)

        en = _problem(upload(), 422)
        assert en["title"] == "Unprocessable Entity"
        assert en["detail"].startswith("file tumour_assessments.csv, record subject EX-001, visit 2025-03-15, "
                                       "lesion T1, field diameter_mm:")
        for options in ({"params": {"lang": "zh"}}, {"headers": {"accept-language": "zh-CN"}}):
            zh = _problem(upload(**options), 422)
            assert zh["title"] == "输入无法使用"
            assert zh["detail"].startswith("文件 tumour_assessments.csv；记录 受试者 EX-001，访视 2025-03-15，病灶 T1；"
                                           "字段 diameter_mm：")
            assert (zh["file"], zh["field"], zh["value"]) == ("tumour_assessments.csv", "diameter_mm", "-5.0")
            assert zh["record"] == "subject EX-001, visit 2025-03-15, lesion T1"  # for programs: as in English
            assert not english_left(zh["title"] + zh["detail"], "tumour_assessments.csv", "EX-001", "T1",
                                    "diameter_mm"), zh["detail"]
        # a body of the study API that does not validate: the message by error type
        zh = _problem(client.post("/api/studies", json={"code": 5, "title": "x"}, headers=headers,
                                  params={"lang": "zh"}), 422)
        assert {"field": "code", "message": "应为字符串"} in zh["errors"]
        assert not english_left(zh["title"] + zh["detail"], "code")


CONTRADICTORY = ("patient_id: P-030\nbirth_date: 1960-05-01\nsex: male\necog: 1\n"
                 "diagnosis: {histology: hcc, confirmed_by: histology, cirrhosis: true, etiologies: [hbv]}\n"
                 "tumour: {nodule_count: 1, nodule_diameters_cm: [3.0, 2.0]}\n"
                 "labs:\n  - {analyte: albumin, value: 38, unit: g/L, date: 2024-03-01}\n"
                 "  - {analyte: albumin, value: 28, unit: g/L, date: 2024-03-01}\n")


def test_the_match_page_shows_findings_in_the_readers_language(client: Any) -> None:
    files = {"patient_file": ("contra.yaml", CONTRADICTORY.encode(), "application/yaml")}
    zh = client.post("/match/upload?lang=zh", files=files, data={"as_of": "2024-05-10"})
    assert zh.status_code == 200, zh.text[:500]
    shown = [html.unescape(t).strip() for t in re.findall(r'<p class="warning">(.*?)</p>', zh.text, re.S)]
    findings = [t for t in shown if t.startswith("患者数据：")]
    assert findings == ["患者数据：矛盾：白蛋白 在 2024-03-01 有不同结果（38 g/L、28 g/L）；在记录确认哪一个正确之前均不采用",
                        "患者数据：矛盾：结节数（nodule_count）为 1，但列出了 2 个结节直径；结节数不予采用"]
    for text in findings:
        assert not english_left(text, "g/L", "nodule_count"), text
    en = client.post("/match/upload?lang=en", files=files, data={"as_of": "2024-05-10"})
    shown = [html.unescape(t).strip() for t in re.findall(r'<p class="warning">(.*?)</p>', en.text, re.S)]
    assert "patient data: contradiction: nodule_count 1 but 2 nodule diameters listed; the count is not used" in shown
