"""Study workspaces through FastAPI's TestClient, on SQLite and PostgreSQL (``web_db`` of conftest.py).

A coordinator signs in, creates the example study from its study.json, uploads its four tables
(the CSV files ``hcctrials endpoints example`` reads) and gets the numbers the library gives for
the same folder: responses (``derive_responses``), endpoints (``analyse_study``), KM plots and the
ADaM tables (``build_adam``).  A bad row is refused with its record, field and value; a viewer
reads but cannot upload; a stranger does not see the study; every change is in an audit log that
the database itself refuses to edit; sign-in is rate limited and every change needs the CSRF token.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from web_support import make_client

from hcctrials.datasets.example_study import EXAMPLE_STUDY_DIR

TABLES = ("subjects", "tumour_assessments", "adverse_events", "dosing")
PASSWORD = "a long enough password"
BAD_ROW = ("EX-001,2025-03-15,T1,target,liver,False,54.3,", "EX-001,2025-03-15,T1,target,liver,False,-5,")


def _client(app: Any) -> Any:
    return make_client(app, https=True)  # the session cookie is ``Secure``


def _account(app: Any, *, admin: bool = False) -> str:
    from hcctrials.web.auth import hash_password

    name = f"u{uuid.uuid4().hex[:10]}"
    app.state.study_store.create_user(name, hash_password(PASSWORD), is_admin=admin)
    return name


def _signed_in(app: Any, name: str) -> tuple[Any, dict[str, str]]:
    client = _client(app)
    answer = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client, {"x-csrf-token": answer.json()["csrf_token"]}


def _example_settings(code: str) -> dict[str, Any]:
    info = json.loads((EXAMPLE_STUDY_DIR / "study.json").read_text(encoding="utf-8"))
    return {"code": code, "title": info["title_en"], "title_zh": info["title_zh"], "data_cutoff": info["data_cutoff"],
            "criteria": info["criteria"], "primary_criteria": info["primary_criteria"],
            "assessment_interval_days": info["assessment_interval_days"], "cycle_days": info["cycle_days"],
            "drugs": info["drugs"]}


def _upload(client: Any, headers: dict[str, str], study_id: int, kind: str, content: bytes) -> Any:
    return client.put(f"/api/studies/{study_id}/tables/{kind}", headers=headers,
                      files={"file": (f"{kind}.csv", content, "text/csv")})


@pytest.fixture(scope="module")
def example_study(workspace_app: Any) -> Iterator[dict[str, Any]]:
    """The example study, uploaded table by table by its investigator (module-wide)."""
    name = _account(workspace_app)
    client, headers = _signed_in(workspace_app, name)
    code = f"EX-{uuid.uuid4().hex[:6]}"
    created = client.post("/api/studies", json=_example_settings(code), headers=headers)
    assert created.status_code == 201, created.text
    study_id = created.json()["id"]
    for kind in TABLES:
        answer = _upload(client, headers, study_id, kind, (EXAMPLE_STUDY_DIR / f"{kind}.csv").read_bytes())
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == len(pd.read_csv(EXAMPLE_STUDY_DIR / f"{kind}.csv"))
    yield {"id": study_id, "code": code, "client": client, "headers": headers, "investigator": name}


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str), parse_constant=lambda _c: None)


def test_endpoints_are_those_of_the_library_for_the_same_folder(example_study: dict[str, Any]) -> None:
    from hcctrials.endpoints.study import analyse_study
    from hcctrials.reports.load import load_study

    expected = _plain(analyse_study(load_study(EXAMPLE_STUDY_DIR)).as_dict())
    got = example_study["client"].get(f"/api/studies/{example_study['id']}/endpoints")
    assert got.status_code == 200, got.text
    answer = got.json()
    assert answer["criteria"] == expected["criteria"]  # ORR, DCR, PFS/TTP/DoR/OS for RECIST 1.1 and mRECIST
    assert answer["safety_overview"] == expected["safety_overview"]
    assert answer["flow"] == expected["flow"]
    assert answer["n_treated"] == expected["n_treated"] == 49


def test_responses_under_each_criteria_set_are_those_of_derive_responses(example_study: dict[str, Any]) -> None:
    from hcctrials.reports.load import load_study
    from hcctrials.response import ResponseSettings, derive_responses

    study = load_study(EXAMPLE_STUDY_DIR)
    treated = study.treated
    doses = treated[["subject_id", "first_dose_date"]].assign(new_anticancer_therapy_date=treated["new_therapy_date"])
    assessments = study.assessments[study.assessments["subject_id"].isin(set(doses["subject_id"]))]
    for criteria in ("recist11", "mrecist"):
        expected = derive_responses(assessments, doses, criteria=criteria, settings=ResponseSettings(confirm=True))
        got = example_study["client"].get(f"/api/studies/{example_study['id']}/responses",
                                          params={"criteria": criteria})
        assert got.status_code == 200, got.text
        assert got.json()["subjects"] == _plain(expected.to_json_dict())["subjects"]
    page = example_study["client"].get(f"/studies/{example_study['id']}/responses?lang=en")
    assert page.status_code == 200
    assert 'id="responses-recist11"' in page.text and 'id="responses-mrecist"' in page.text


def test_adam_tables_and_km_plot(example_study: dict[str, Any]) -> None:
    from hcctrials.endpoints.adam import build_adam
    from hcctrials.endpoints.study import analyse_study
    from hcctrials.reports.load import load_study

    study = load_study(EXAMPLE_STUDY_DIR)
    study.info["study_id"] = example_study["code"]  # the workspace's code is the STUDYID
    expected = build_adam(study, analyse_study(study))
    client, sid = example_study["client"], example_study["id"]
    for name in ("ADSL", "ADTTE", "ADRS"):
        got = client.get(f"/api/studies/{sid}/adam/{name}")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        assert "attachment" in got.headers["content-disposition"]
        table = pd.read_csv(io.StringIO(got.text), dtype=str, keep_default_na=False)
        want = pd.read_csv(io.StringIO(expected[name].to_csv(index=False)), dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(table, want)
    plot = client.get(f"/api/studies/{sid}/km.svg", params={"endpoint": "PFS", "criteria": "mrecist"})
    assert plot.status_code == 200 and plot.headers["content-type"].startswith("image/svg+xml")
    assert plot.text.lstrip().startswith("<?xml") and "<svg" in plot.text
    page = client.get(f"/studies/{sid}/endpoints?lang=zh")
    assert page.status_code == 200
    assert page.text.count('class="km-plot"') == 8  # PFS, TTP, DoR, OS under RECIST 1.1 and mRECIST
    report = client.get(f"/api/studies/{sid}/report.html", params={"lang": "zh"})
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "data:image/svg+xml;base64," in report.text or "<svg" in report.text


def test_a_bad_row_is_refused_with_record_field_and_value(workspace_app: Any, example_study: dict[str, Any],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    client, headers, sid = example_study["client"], example_study["headers"], example_study["id"]
    original = (EXAMPLE_STUDY_DIR / "tumour_assessments.csv").read_text(encoding="utf-8")
    assert original.count(BAD_ROW[0]) == 1
    bad = original.replace(*BAD_ROW).encode()
    before = client.get(f"/api/studies/{sid}").json()["tables"]["tumour_assessments"]
    audit_before = len(client.get(f"/api/studies/{sid}/audit").json()["entries"])
    with caplog.at_level(logging.DEBUG):
        answer = _upload(client, headers, sid, "tumour_assessments", bad)
        page = client.post(f"/studies/{sid}/upload?lang=en", data={"kind": "tumour_assessments",
                                                                   "csrf_token": headers["x-csrf-token"]},
                           files={"file": ("bad_assessments.csv", bad, "text/csv")})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["file"] == "tumour_assessments.csv"
    assert problem["record"] == "subject EX-001, visit 2025-03-15, lesion T1"
    assert problem["field"] == "diameter_mm" and problem["value"] == "-5.0"
    assert page.status_code == 422
    assert 'id="upload-error"' in page.text
    assert 'data-error="record">subject EX-001, visit 2025-03-15, lesion T1<' in page.text
    assert 'data-error="field">diameter_mm<' in page.text and 'data-error="value">-5.0<' in page.text
    assert client.get(f"/api/studies/{sid}").json()["tables"]["tumour_assessments"] == before  # nothing stored
    assert len(client.get(f"/api/studies/{sid}/audit").json()["entries"]) == audit_before
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "EX-001" not in logged and "-5.0" not in logged  # no patient data in logs


def test_a_cross_table_error_names_the_uploaded_file(example_study: dict[str, Any]) -> None:
    client, headers, sid = example_study["client"], example_study["headers"], example_study["id"]
    text = (EXAMPLE_STUDY_DIR / "adverse_events.csv").read_text(encoding="utf-8")
    stranger = text.rstrip("\n") + "\nEX-999,Fatigue,General disorders,1,2025-03-01,False,False,False,True\n"
    answer = _upload(client, headers, sid, "adverse_events", stranger.encode())
    assert answer.status_code == 422, answer.text
    assert answer.json()["file"] == "adverse_events.csv" and answer.json()["record"] == "subject EX-999"


def test_a_viewer_reads_but_cannot_upload(workspace_app: Any, example_study: dict[str, Any]) -> None:
    viewer = _account(workspace_app)
    owner, owner_headers, sid = example_study["client"], example_study["headers"], example_study["id"]
    added = owner.post(f"/api/studies/{sid}/members", json={"username": viewer, "role": "viewer"},
                       headers=owner_headers)
    assert added.status_code == 200 and {"username": viewer, "role": "viewer"} in added.json()["members"]
    client, headers = _signed_in(workspace_app, viewer)
    assert client.get(f"/api/studies/{sid}/endpoints").status_code == 200
    content = (EXAMPLE_STUDY_DIR / "dosing.csv").read_bytes()
    refused = _upload(client, headers, sid, "dosing", content)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "viewer" in refused.json()["detail"]
    page = client.post(f"/studies/{sid}/upload?lang=en", data={"kind": "dosing", "csrf_token": headers["x-csrf-token"]},
                       files={"file": ("dosing.csv", content, "text/csv")})
    assert page.status_code == 403 and 'id="study-refused"' in page.text
    workspace = client.get(f"/studies/{sid}?lang=en")
    assert 'id="viewer-note"' in workspace.text and 'id="upload-form"' not in workspace.text
    assert client.post(f"/api/studies/{sid}/members", json={"username": viewer, "role": "investigator"},
                       headers=headers).status_code == 403  # a viewer cannot promote herself
    assert owner.get(f"/api/studies/{sid}").json()["tables"]["dosing"]["version"] == 1


def test_a_stranger_does_not_see_the_study(workspace_app: Any, example_study: dict[str, Any]) -> None:
    client, _headers = _signed_in(workspace_app, _account(workspace_app))
    sid = example_study["id"]
    for path in (f"/api/studies/{sid}", f"/api/studies/{sid}/endpoints", f"/api/studies/{sid}/adam/ADSL"):
        assert client.get(path).status_code == 404
    assert client.get(f"/studies/{sid}").status_code == 404
    assert all(s["id"] != sid for s in client.get("/api/studies").json()["studies"])


def test_signed_out_requests_are_refused_or_sent_to_sign_in(workspace_app: Any, example_study: dict[str, Any]) -> None:
    client = _client(workspace_app)
    answer = client.get(f"/api/studies/{example_study['id']}/endpoints")
    assert answer.status_code == 401 and answer.headers["content-type"] == "application/problem+json"
    page = client.get(f"/studies/{example_study['id']}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/login?next=/studies/{example_study['id']}"


def test_audit_log_records_every_change_and_cannot_be_edited(workspace_app: Any, example_study: dict[str, Any]) -> None:
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from hcctrials.storage.studies import study_audit

    client, headers, sid = example_study["client"], example_study["headers"], example_study["id"]
    second = _upload(client, headers, sid, "dosing", (EXAMPLE_STUDY_DIR / "dosing.csv").read_bytes())
    assert second.status_code == 200 and second.json()["version"] == 2
    entries = client.get(f"/api/studies/{sid}/audit").json()["entries"]
    newest = entries[0]
    assert newest["username"] == example_study["investigator"] and newest["action"] == "table_uploaded"
    assert newest["entity"] == "table dosing"
    assert newest["old_value"]["version"] == 1 and newest["new_value"]["version"] == 2
    assert newest["old_value"]["sha256"] == newest["new_value"]["sha256"]
    assert {e["entity"] for e in entries if e["action"] == "table_uploaded"} == {f"table {k}" for k in TABLES}
    assert any(e["action"] == "study_created" for e in entries)
    engine = workspace_app.state.study_store.engine
    for statement in (update(study_audit).values(username="someone else"), delete(study_audit)):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(statement)
    assert len(client.get(f"/api/studies/{sid}/audit").json()["entries"]) == len(entries)
    store = workspace_app.state.study_store
    assert not [m for m in dir(store) if "audit" in m and any(w in m for w in ("update", "delete", "edit", "remove"))]


def test_state_changes_need_the_csrf_token(workspace_app: Any) -> None:
    client, headers = _signed_in(workspace_app, _account(workspace_app))
    body = {"code": f"C-{uuid.uuid4().hex[:6]}"}
    missing = client.post("/api/studies", json=body)
    wrong = client.post("/api/studies", json=body, headers={"x-csrf-token": "x" * 40})
    assert missing.status_code == wrong.status_code == 403
    assert "CSRF" in missing.json()["detail"]
    page = client.post("/studies", data={"code": body["code"]})
    assert page.status_code == 403
    assert client.post("/api/studies", json=body, headers=headers).status_code == 201


def test_sign_in_cookie_rate_limit_and_sign_out(workspace_app: Any) -> None:
    name = _account(workspace_app)
    client = _client(workspace_app)
    wrong = client.post("/api/session", json={"username": name, "password": "not it at all"})
    assert wrong.status_code == 401 and wrong.headers["content-type"] == "application/problem+json"
    unknown = client.post("/api/session", json={"username": "nobody-" + name, "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json()["detail"] == wrong.json()["detail"]
    ok = client.post("/api/session", json={"username": name, "password": PASSWORD})
    cookie = ok.headers["set-cookie"].lower()
    assert ok.status_code == 200 and "hcctrials_session=" in cookie
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    token = client.get("/api/session").json()["csrf_token"]
    assert client.delete("/api/session", headers={"x-csrf-token": token}).status_code == 204
    assert client.get("/api/session").status_code == 401
    for _ in range(5):
        assert client.post("/api/session", json={"username": name, "password": "wrong wrong"}).status_code == 401
    limited = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_the_first_administrator_comes_from_the_environment(tmp_path: Path) -> None:
    from hcctrials.errors import InputError
    from hcctrials.storage import create_engine, upgrade
    from hcctrials.storage.studies import StudyStore
    from hcctrials.web.auth import bootstrap_admin, verify_password

    url = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    upgrade(url)
    store = StudyStore(create_engine(url))
    assert bootstrap_admin(store, {}) is None
    with pytest.raises(InputError, match="at least"):
        bootstrap_admin(store, {"HCCTRIALS_ADMIN_USER": "chief", "HCCTRIALS_ADMIN_PASSWORD": "short"})
    admin = bootstrap_admin(store, {"HCCTRIALS_ADMIN_USER": "chief", "HCCTRIALS_ADMIN_PASSWORD": PASSWORD})
    assert admin is not None and admin.is_admin and admin.password_hash.startswith("$argon2id$")
    assert verify_password(admin.password_hash, PASSWORD) and not verify_password(admin.password_hash, "x")
    assert bootstrap_admin(store, {"HCCTRIALS_ADMIN_USER": "other", "HCCTRIALS_ADMIN_PASSWORD": PASSWORD}) is None
    assert store.count_users() == 1
    store.engine.dispose()


def test_study_routes_are_in_the_openapi_document(workspace_app: Any) -> None:
    paths = _client(workspace_app).get("/api/openapi.json").json()["paths"]
    for path in ("/api/session", "/api/studies", "/api/studies/{study_id}", "/api/studies/{study_id}/tables/{kind}",
                 "/api/studies/{study_id}/endpoints", "/api/studies/{study_id}/adam/{dataset}"):
        assert path in paths, path
    assert "403" in paths["/api/studies/{study_id}/tables/{kind}"]["put"]["responses"]


def _error_texts(html: str) -> dict[str, str]:
    """The upload error box of a workspace page: its message and each row, as text."""
    import re

    box = re.search(r'<div class="error" role="alert" id="upload-error">(.*?)</div>', html, re.S)
    assert box, "no upload error on the page"
    cells = dict(re.findall(r'data-error="(\w+)">(.*?)</td>', box.group(1), re.S))
    cells["message"] = re.sub(r"<[^>]+>", "", box.group(1).split("<table", 1)[0]).strip()
    return cells


# bad files for each table the clinic uploads: a negative diameter, a negative delivered dose, an adverse
# event of a subject not in the study, a file without the subject column
_BAD_UPLOADS_ZH = [
    ("tumour_assessments", lambda text: text.replace(*BAD_ROW)),
    ("dosing", lambda text: text.replace("EX-001,adebrelimab,1,2025-01-14,1200,1200,",
                                         "EX-001,adebrelimab,1,2025-01-14,1200,-1200,", 1)),
    ("adverse_events", lambda text: text.rstrip("\n")
     + "\nEX-999,Fatigue,General disorders,1,2025-03-01,False,False,False,True\n"),
    ("dosing", lambda text: text.replace("subject_id,", "patient,", 1)),
]


@pytest.mark.parametrize(("kind", "spoil"), _BAD_UPLOADS_ZH, ids=["assessment", "negative_dose", "ae_subject",
                                                                  "no_subject_column"])
def test_validation_errors_on_a_chinese_page_are_in_chinese(example_study: dict[str, Any], kind: str,
                                                           spoil: Any) -> None:
    import re

    client, headers, sid = example_study["client"], example_study["headers"], example_study["id"]
    bad = spoil((EXAMPLE_STUDY_DIR / f"{kind}.csv").read_text(encoding="utf-8")).encode()
    page = client.post(f"/studies/{sid}/upload?lang=zh", data={"kind": kind, "csrf_token": headers["x-csrf-token"]},
                       files={"file": (f"bad_{kind}.csv", bad, "text/csv")})
    assert page.status_code == 422
    cells = _error_texts(page.text)
    assert cells["file"] == f"bad_{kind}.csv"
    english = ""
    for part in ("message", "record", "hint"):  # the words; file, field and value are the data as uploaded
        text = cells.get(part, "")
        text = re.sub(r"EX-\d+|\d{4}-\d{2}-\d{2}|docs/\w+\.md|bad_\w+\.csv|'?\w+_\w+'?|T\d", "", text)
        english += " ".join(re.findall(r"[A-Za-z]{3,}", text)) + " "
    assert not english.strip(), f"English words on a Chinese page: {english!r} in {cells}"
    assert re.search(r"[\u4e00-\u9fff]", cells["message"]), cells


def test_every_plain_error_template_has_chinese_text() -> None:
    from hcctrials.i18n import catalog
    from hcctrials.web.error_text import PLAIN_TEMPLATES, localise

    assert [t for t in PLAIN_TEMPLATES if t not in catalog("zh")] == []
    assert localise("is in table dosing but not in the subject table", "zh") == "在表 dosing 中，但不在受试者表中"
    assert localise("subject EX-042", "zh") == "受试者 EX-042"
    assert localise("subject EX-042", "en") == "subject EX-042"
    assert localise("a sentence in no catalog", "zh") == "a sentence in no catalog"  # English fallback


def test_the_report_downloads_as_a_pdf_naming_the_study(workspace_app: Any, example_study: dict[str, Any]) -> None:
    """Every member reads the report, viewers too (only uploads are the investigators' and coordinators')."""
    import pypdf

    viewer = _account(workspace_app)
    owner, owner_headers, sid = example_study["client"], example_study["headers"], example_study["id"]
    assert owner.post(f"/api/studies/{sid}/members", json={"username": viewer, "role": "viewer"},
                      headers=owner_headers).status_code == 200
    client, _ = _signed_in(workspace_app, viewer)
    workspace = client.get(f"/studies/{sid}?lang=zh")
    assert f'href="/api/studies/{sid}/report.pdf?lang=zh"' in workspace.text
    answer = client.get(f"/api/studies/{sid}/report.pdf", params={"lang": "zh"})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{example_study["code"]}-report-zh.pdf"'
    assert answer.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(answer.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert example_study["code"] in text and len(reader.pages) >= 2
    # a stranger does not learn that the study exists; signed out, no report at all
    stranger, _ = _signed_in(workspace_app, _account(workspace_app))
    assert stranger.get(f"/api/studies/{sid}/report.pdf").status_code == 404
    assert _client(workspace_app).get(f"/api/studies/{sid}/report.pdf").status_code == 401
