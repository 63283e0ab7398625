"""Problem documents of the account, study and catalog routes in the reader's language (issue 12).

Sign-in refused (wrong password, too many failures), no session, no CSRF token, a viewer who may not
upload, an administrator-only call, a catalog filter value that is not offered: each answer's title
and detail follow ``?lang=``, the language cookie or ``Accept-Language``, in Chinese and in English.
The texts come from the message catalog by message id (with their fields: the seconds to wait, the
role), not from a lookup of English text.  Run on SQLite and PostgreSQL (the ``web_db`` fixture).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from web_support import make_client

from test_api_problems_bilingual import english_left

PASSWORD = "a long enough password"
CHINESE = [({"lang": "zh"}, {}, {}), ({}, {"accept-language": "zh-CN,zh;q=0.9"}, {}),
           ({}, {}, {"hcctrials_lang": "zh"})]
CHINESE_IDS = ["query", "accept-language", "cookie"]


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


def _account(app: Any, *, admin: bool = False) -> str:
    from hcctrials.web.auth import hash_password

    name = f"u{uuid.uuid4().hex[:10]}"
    app.state.study_store.create_user(name, hash_password(PASSWORD), is_admin=admin)
    return name


def _signed_in(app: Any, name: str) -> tuple[Any, dict[str, str]]:
    client = make_client(app, https=True)
    answer = client.post("/api/session", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client, {"x-csrf-token": answer.json()["csrf_token"]}


@pytest.mark.parametrize(("params", "headers", "cookies"), CHINESE, ids=CHINESE_IDS)
def test_a_wrong_password_and_no_session_in_chinese(workspace_app: Any, params: dict[str, str],
                                                    headers: dict[str, str], cookies: dict[str, str]) -> None:
    name = _account(workspace_app)
    client = make_client(workspace_app, https=True)
    client.cookies.update(cookies)
    wrong = _problem(client.post("/api/session", json={"username": name, "password": "not the password"},
                                 params=params, headers=headers), 401)
    assert (wrong["title"], wrong["detail"]) == ("未登录或登录已失效", "用户名或密码错误")
    nobody = _problem(client.get("/api/studies", params=params, headers=headers), 401)
    assert nobody["detail"] == "请先登录（POST /api/session）"
    assert not english_left(nobody["title"] + nobody["detail"], "POST", "/api/session")


def test_a_wrong_password_and_no_session_in_english(workspace_app: Any) -> None:
    client = make_client(workspace_app, https=True)
    wrong = _problem(client.post("/api/session", json={"username": _account(workspace_app), "password": "nope nope"}),
                     401)
    assert (wrong["title"], wrong["detail"]) == ("Unauthorized", "wrong user name or password")
    assert _problem(client.get("/api/studies"), 401)["detail"] == "sign in first (POST /api/session)"


def test_too_many_sign_ins_names_the_seconds_in_both_languages(workspace_app: Any) -> None:
    name = _account(workspace_app)
    client = make_client(workspace_app, https=True)
    for _ in range(5):
        assert client.post("/api/session", json={"username": name, "password": "wrong wrong"}).status_code == 401
    en = _problem(client.post("/api/session", json={"username": name, "password": PASSWORD}), 429)
    wait = en["detail"].removeprefix("too many failed sign-ins: try again in ").removesuffix(" seconds")
    assert wait.isdigit() and 0 < int(wait) <= 15 * 60, en["detail"]
    assert en["title"] == "Too Many Requests"
    zh = _problem(client.post("/api/session", json={"username": name, "password": PASSWORD}, params={"lang": "zh"}),
                  429)
    seconds = zh["detail"].removeprefix("登录失败次数过多：请 ").removesuffix(" 秒后再试")
    assert seconds.isdigit() and abs(int(seconds) - int(wait)) <= 2, zh["detail"]
    assert zh["title"] == "请求过于频繁"
    assert not english_left(zh["title"] + zh["detail"])


def test_a_missing_csrf_token_and_an_admin_only_call_in_both_languages(workspace_app: Any) -> None:
    client, headers = _signed_in(workspace_app, _account(workspace_app))
    en = _problem(client.post("/api/studies", json={"code": "X-1", "title": "x"}), 403)
    assert en["detail"].startswith("missing or wrong CSRF token")
    zh = _problem(client.post("/api/studies", json={"code": "X-1", "title": "x"}, params={"lang": "zh"}), 403)
    assert (zh["title"], zh["detail"]) == ("无权访问", "CSRF 令牌缺失或错误：请在 X-CSRF-Token 请求头中发送本会话的令牌"
                                                       "（GET /api/session），或重新加载表单")
    body = {"username": f"n{uuid.uuid4().hex[:8]}", "password": PASSWORD}
    assert _problem(client.post("/api/users", json=body, headers=headers), 403)["detail"] == \
        "only administrators create accounts"
    zh = _problem(client.post("/api/users", json=body, headers={**headers, "accept-language": "zh"}), 403)
    assert zh["detail"] == "只有管理员可以创建账户"


def test_a_viewer_refused_an_upload_reads_her_role_in_her_language(workspace_app: Any) -> None:
    owner_name, viewer = _account(workspace_app), _account(workspace_app)
    owner, headers = _signed_in(workspace_app, owner_name)
    created = owner.post("/api/studies", json={"code": f"V-{uuid.uuid4().hex[:6]}", "title": "Roles"}, headers=headers)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert owner.post(f"/api/studies/{sid}/members", json={"username": viewer, "role": "viewer"},
                      headers=headers).status_code == 200
    client, viewer_headers = _signed_in(workspace_app, viewer)

    def upload(**params: str) -> Any:
        return client.put(f"/api/studies/{sid}/tables/dosing", headers=viewer_headers, params=params,
                          files={"file": ("dosing.csv", b"subject_id\nEX-001\n", "text/csv")})

    en = _problem(upload(), 403)
    assert en["detail"] == ("your role in this study (viewer) may read but not change its data: investigators and "
                            "coordinators upload")
    zh = _problem(upload(lang="zh"), 403)
    assert zh["detail"] == "您在本研究中的角色（查看者）只能查看、不能更改研究数据：由研究者和协调员上传"
    assert not english_left(zh["title"] + zh["detail"])
    # a viewer may not manage members either
    zh = _problem(client.post(f"/api/studies/{sid}/members", json={"username": viewer, "role": "investigator"},
                              headers=viewer_headers, params={"lang": "zh"}), 403)
    assert not english_left(zh["title"] + zh["detail"]), zh["detail"]


@pytest.mark.parametrize(("params", "headers", "cookies"), CHINESE, ids=CHINESE_IDS)
def test_a_catalog_filter_value_not_offered_in_chinese(client: Any, params: dict[str, str], headers: dict[str, str],
                                                       cookies: dict[str, str]) -> None:
    fresh = make_client(client.app)
    fresh.cookies.update(cookies)
    zh = _problem(fresh.get("/api/trials", params={"status": "bogus", **params}, headers=headers), 422)
    assert zh["title"] == "输入无法使用"
    assert zh["detail"].startswith("字段 status：筛选条件 status 的值未知（值：'bogus'）"), zh["detail"]
    assert zh["hint"].startswith("应为以下之一：recruiting, not_yet_recruiting"), zh["hint"]
    assert (zh["field"], zh["value"]) == ("status", "'bogus'")
    assert not english_left(zh["title"] + zh["detail"], "status", "bogus", *zh["detail"].split("：")[-1].split(", "))


def test_a_catalog_filter_value_not_offered_in_english(client: Any) -> None:
    en = _problem(client.get("/api/trials", params={"phase": "phase9"}), 422)
    assert en["detail"].startswith("field phase: unknown value of the filter phase (value: 'phase9')"), en["detail"]
    assert en["hint"] == "one of early_phase1, phase1, phase2, phase3, phase4, na"


@pytest.mark.parametrize(("name", "content", "chinese", "english"), [
    ("p.txt", b"patient_id: P-1\n", "未知的患者文件类型", "unknown patient file type"),
    ("p.yaml", b"patient_id: [P-1\n", "YAML 格式无效", "not valid YAML"),
    ("p.json", b'{"patient_id": ', "JSON 格式无效", "not valid JSON"),
    ("p.json", b"[]", "文件包含多名患者的列表；请只上传一名患者", "the file holds a list of patients; upload one patient"),
])
def test_a_bad_patient_upload_on_the_match_page_is_read_by_message_id(client: Any, name: str, content: bytes,
                                                                      chinese: str, english: str) -> None:
    import html
    import re

    def error(language: str) -> str:
        page = client.post(f"/match/upload?lang={language}", files={"patient_file": (name, content, "text/plain")},
                           data={"as_of": "2024-05-10"})
        assert page.status_code == 422, page.text[:300]
        found = re.search(r'id="form-error">(.*?)</p>', page.text, re.S)
        assert found, page.text[:2000]
        return html.unescape(found.group(1)).strip()

    zh, en = error("zh"), error("en")
    assert english in en, en
    assert chinese in zh, zh
    assert not english_left(zh, name, "docs", ".json", ".yaml", ".yml", "Bundle"), zh
