"""A signed-in user changes their own password; an investigator removes a member (issue 12), on SQLite
and PostgreSQL (``web_db`` of conftest.py), as pages and as API calls.

Password: the current password is required, the new one twice with the sign-up minimum length; the
change needs the CSRF token, is audit-logged without the password, stores a fresh argon2id hash (an
account on older argon2 parameters is rehashed), ends the account's other sessions and keeps this one.
Removal: only investigators (and administrators) remove members, never the last investigator; the
removal is audit-logged with the old role and the removed member loses access with the next request.
Errors are RFC 9457 problem documents in the reader's language.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from argon2 import PasswordHasher

from web_support import make_client

PASSWORD = "a long enough password"
NEW_PASSWORD = "another long password"


def _client(app: Any) -> Any:
    return make_client(app, https=True)  # the session cookie is ``Secure``


def _account(app: Any, password: str = PASSWORD, *, hasher: PasswordHasher | None = None, admin: bool = False) -> str:
    from hcctrials.web.auth import hash_password

    name = f"u{uuid.uuid4().hex[:10]}"
    hashed = hasher.hash(password) if hasher else hash_password(password)
    app.state.study_store.create_user(name, hashed, is_admin=admin)
    return name


def _signed_in(app: Any, name: str, password: str = PASSWORD) -> tuple[Any, dict[str, str]]:
    client = _client(app)
    answer = client.post("/api/session", json={"username": name, "password": password})
    assert answer.status_code == 200, answer.text
    return client, {"x-csrf-token": answer.json()["csrf_token"]}


def _change(client: Any, headers: dict[str, str], current: str, new: str, repeat: str | None = None,
            **kwargs: Any) -> Any:
    return client.post("/api/account/password", headers=headers,
                       json={"current_password": current, "new_password": new,
                             "repeat_password": new if repeat is None else repeat}, **kwargs)


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status and body["title"] and body["instance"]
    return body


# ------------------------------------------------------------------ changing one's password

def test_a_user_changes_their_password_and_only_the_new_one_signs_in(workspace_app: Any) -> None:
    store = workspace_app.state.study_store
    name = _account(workspace_app)
    client, headers = _signed_in(workspace_app, name)
    other_session, _ = _signed_in(workspace_app, name)
    old_hash = store.user_by_name(name).password_hash

    answer = _change(client, headers, PASSWORD, NEW_PASSWORD)
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] is True
    new_token = answer.json()["csrf_token"]
    assert new_token != headers["x-csrf-token"]

    new_hash = store.user_by_name(name).password_hash
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(new_hash, NEW_PASSWORD)
    # this session continues (with the new CSRF token); the other session of the account has ended
    assert client.get("/api/session").json()["csrf_token"] == new_token
    assert other_session.get("/api/session").status_code == 401
    # only the new password signs in
    assert _client(workspace_app).post("/api/session", json={"username": name, "password": PASSWORD}).status_code == 401
    _signed_in(workspace_app, name, NEW_PASSWORD)


def test_the_change_is_audited_without_the_password(workspace_app: Any) -> None:
    store = workspace_app.state.study_store
    name = _account(workspace_app)
    client, headers = _signed_in(workspace_app, name)
    assert _change(client, headers, PASSWORD, NEW_PASSWORD).status_code == 200
    entries = [e for e in store.audit_entries(limit=5000) if e.entity == f"user {name}"]
    assert [e.action for e in entries] == ["password_changed", "user_created"]
    written = json.dumps([[e.old_value, e.new_value, e.entity, e.action] for e in entries])
    assert PASSWORD not in written and NEW_PASSWORD not in written and "argon2" not in written
    assert entries[0].username == name


def test_the_new_password_is_hashed_with_the_current_argon2_parameters(workspace_app: Any) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    name = _account(workspace_app, hasher=weak)  # an account made when the parameters were weaker
    store = workspace_app.state.study_store
    client, headers = _signed_in(workspace_app, name)
    assert _change(client, headers, PASSWORD, NEW_PASSWORD).status_code == 200
    stored = store.user_by_name(name).password_hash
    current = PasswordHasher()
    assert not current.check_needs_rehash(stored) and weak.check_needs_rehash(stored)
    assert stored.split("$")[3] == current.hash("x").split("$")[3]  # m=..., t=..., p=... as the library's defaults
    assert current.verify(stored, NEW_PASSWORD)


@pytest.mark.parametrize(("current", "new", "repeat", "status", "field", "english", "chinese"), [
    ("not my password", NEW_PASSWORD, None, 403, "current_password", "current password is wrong", "当前密码不正确"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", 422, "repeat_password", "differ", "不一致"),
    (PASSWORD, "short", None, 422, "new_password", "at least 10 characters", "至少需要 10 个字符"),
    (PASSWORD, PASSWORD, None, 422, "new_password", "same as the current", "与当前密码相同"),
])
def test_a_refused_change_is_a_problem_in_the_readers_language(workspace_app: Any, current: str, new: str,
                                                                 repeat: str | None, status: int, field: str,
                                                                 english: str, chinese: str) -> None:
    store = workspace_app.state.study_store
    name = _account(workspace_app)
    client, headers = _signed_in(workspace_app, name)
    before = store.user_by_name(name).password_hash
    body = _problem(_change(client, headers, current, new, repeat), status)
    assert body["field"] == field and english in body["detail"]
    body = _problem(_change(client, headers, current, new, repeat, params={"lang": "zh"}), status)
    assert body["field"] == field and chinese in body["detail"]
    body = _problem(_change(client, {**headers, "accept-language": "zh-CN,zh;q=0.9"}, current, new, repeat), status)
    assert chinese in body["detail"]
    assert store.user_by_name(name).password_hash == before
    assert new not in json.dumps(body) and current not in json.dumps(body)


def test_guessing_the_current_password_is_throttled(workspace_app: Any) -> None:
    name = _account(workspace_app)
    client, headers = _signed_in(workspace_app, name)
    statuses = [_change(client, headers, f"guess number {i}", NEW_PASSWORD).status_code for i in range(6)]
    assert statuses[:5] == [403] * 5 and statuses[5] == 429
    answer = _change(client, headers, PASSWORD, NEW_PASSWORD)  # even the right one waits now
    assert _problem(answer, 429)["field"] == "current_password" and int(answer.headers["retry-after"]) > 0


def test_the_change_needs_a_session_and_the_csrf_token(workspace_app: Any) -> None:
    name = _account(workspace_app)
    client, headers = _signed_in(workspace_app, name)
    assert _problem(_change(client, {}, PASSWORD, NEW_PASSWORD), 403)["detail"].startswith("missing or wrong CSRF")
    assert _problem(_change(client, {"x-csrf-token": "x" * 40}, PASSWORD, NEW_PASSWORD), 403)
    stranger = _client(workspace_app)  # no session: neither a user nor a CSRF token of its own
    assert _problem(_change(stranger, headers, PASSWORD, NEW_PASSWORD), 403)
    assert stranger.get("/account", follow_redirects=False).status_code == 303
    _signed_in(workspace_app, name)  # unchanged


def test_the_account_page_changes_the_password_in_chinese(workspace_app: Any) -> None:
    import re

    name = _account(workspace_app)
    client = _client(workspace_app)
    assert client.get("/account", follow_redirects=False).headers["location"] == "/login?next=/account"
    client.post("/api/session", json={"username": name, "password": PASSWORD})
    page = client.get("/account", params={"lang": "zh"})
    assert page.status_code == 200 and "修改密码" in page.text and 'name="repeat_password"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "current_password": PASSWORD, "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD + "!"}
    refused = client.post("/account/password", data=form)
    assert refused.status_code == 422 and "两次输入的新密码不一致" in refused.text
    assert 'data-field="repeat_password"' in refused.text
    assert client.post("/account/password", data={**form, "csrf_token": "wrong" * 8}).status_code == 403
    done = client.post("/account/password", data={**form, "repeat_password": NEW_PASSWORD})
    assert done.status_code == 200 and "您的密码已修改" in done.text
    assert client.get("/account").status_code == 200  # still signed in
    _signed_in(workspace_app, name, NEW_PASSWORD)


# ------------------------------------------------------------------ removing a member

def _study_with(app: Any) -> tuple[Any, dict[str, str], int, dict[str, str]]:
    """An investigator's signed-in client, headers, a new study and its other members (role -> name)."""
    investigator = _account(app)
    client, headers = _signed_in(app, investigator)
    code = f"RM-{uuid.uuid4().hex[:8]}"
    created = client.post("/api/studies", headers=headers, json={"code": code, "title": "Removal"})
    assert created.status_code == 201, created.text
    study_id = int(created.json()["id"])
    others = {"investigator": investigator}
    for role in ("coordinator", "viewer"):
        others[role] = _account(app)
        assert client.post(f"/api/studies/{study_id}/members", headers=headers,
                           json={"username": others[role], "role": role}).status_code == 200
    return client, headers, study_id, others


def test_an_investigator_removes_a_member_who_loses_access_at_once(workspace_app: Any) -> None:
    client, headers, study_id, names = _study_with(workspace_app)
    viewer, viewer_headers = _signed_in(workspace_app, names["viewer"])
    assert viewer.get(f"/api/studies/{study_id}").status_code == 200

    answer = client.delete(f"/api/studies/{study_id}/members/{names['viewer']}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["removed"] == {"username": names["viewer"], "role": "viewer"}
    assert {m["username"] for m in answer.json()["members"]} == {names["investigator"], names["coordinator"]}
    # the same session, the next request: gone (404, as for any stranger)
    assert _problem(viewer.get(f"/api/studies/{study_id}"), 404)
    assert viewer.get(f"/studies/{study_id}").status_code == 404
    assert study_id not in [s["id"] for s in viewer.get("/api/studies").json()["studies"]]

    entry = workspace_app.state.study_store.audit_entries(study_id=study_id)[0]
    assert (entry.action, entry.entity, entry.old_value, entry.new_value, entry.username) == (
        "member_removed", f"member {names['viewer']}", {"role": "viewer"}, None, names["investigator"])


def test_only_investigators_remove_members_and_never_the_last_one(workspace_app: Any) -> None:
    client, headers, study_id, names = _study_with(workspace_app)
    coordinator, coordinator_headers = _signed_in(workspace_app, names["coordinator"])
    body = _problem(coordinator.delete(f"/api/studies/{study_id}/members/{names['viewer']}",
                                       headers=coordinator_headers, params={"lang": "zh"}), 403)
    assert "研究者" in body["detail"]
    assert _problem(client.delete(f"/api/studies/{study_id}/members/{names['viewer']}"), 403)  # no CSRF token

    body = _problem(client.delete(f"/api/studies/{study_id}/members/{names['investigator']}", headers=headers), 409)
    assert body["field"] == "username" and "only investigator" in body["detail"]
    body = _problem(client.delete(f"/api/studies/{study_id}/members/{names['investigator']}", headers=headers,
                                  params={"lang": "zh"}), 409)
    assert "唯一的研究者" in body["detail"]
    body = _problem(client.delete(f"/api/studies/{study_id}/members/nobody-here", headers=headers), 404)
    assert body["value"] == "nobody-here" and "not a member" in body["detail"]

    # with a second investigator, the first may leave; the second then is the last one
    client.post(f"/api/studies/{study_id}/members", headers=headers,
                json={"username": names["coordinator"], "role": "investigator"})
    assert client.delete(f"/api/studies/{study_id}/members/{names['investigator']}", headers=headers).status_code == 200
    assert _problem(client.get(f"/api/studies/{study_id}"), 404)
    assert _problem(coordinator.delete(f"/api/studies/{study_id}/members/{names['coordinator']}",
                                       headers=coordinator_headers), 409)
    members = dict((m["username"], m["role"]) for m in
                   coordinator.get(f"/api/studies/{study_id}").json()["members"])
    assert members == {names["coordinator"]: "investigator", names["viewer"]: "viewer"}


def test_the_study_page_removes_a_member(workspace_app: Any) -> None:
    import re

    client, headers, study_id, names = _study_with(workspace_app)
    page = client.get(f"/studies/{study_id}", params={"lang": "zh"})
    assert f'data-remove="{names["coordinator"]}"' in page.text and "移除" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/studies/{study_id}/members/remove",
                       data={"csrf_token": token, "username": names["coordinator"]})
    assert done.status_code == 200 and f"已将 {names['coordinator']} 移出本研究" in done.text
    assert f'data-member="{names["coordinator"]}"' not in done.text
    refused = client.post(f"/studies/{study_id}/members/remove",
                          data={"csrf_token": token, "username": names["investigator"]})
    assert refused.status_code == 409 and "唯一的研究者" in refused.text
    viewer, _ = _signed_in(workspace_app, names["viewer"])
    page = viewer.get(f"/studies/{study_id}")
    assert "data-remove=" not in page.text
    assert viewer.post(f"/studies/{study_id}/members/remove",
                       data={"csrf_token": token, "username": names["investigator"]}).status_code == 403


def test_the_last_investigator_cannot_be_demoted(workspace_app: Any) -> None:
    import re

    client, headers, study_id, names = _study_with(workspace_app)
    before = len(workspace_app.state.study_store.audit_entries(study_id=study_id))
    body = _problem(client.post(f"/api/studies/{study_id}/members", headers=headers,
                                json={"username": names["investigator"], "role": "viewer"}), 409)
    assert body["field"] == "role" and body["value"] == "viewer" and "only investigator" in body["detail"]
    body = _problem(client.post(f"/api/studies/{study_id}/members", headers=headers, params={"lang": "zh"},
                                json={"username": names["investigator"], "role": "coordinator"}), 409)
    assert "唯一的研究者" in body["detail"]

    page = client.get(f"/studies/{study_id}", params={"lang": "zh"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = client.post(f"/studies/{study_id}/members",
                          data={"csrf_token": token, "username": names["investigator"], "role": "viewer"})
    assert refused.status_code == 409 and "唯一的研究者" in refused.text
    assert f'data-member="{names["investigator"]}"' in refused.text  # the page, with the members, in place
    members = dict((m["username"], m["role"]) for m in client.get(f"/api/studies/{study_id}").json()["members"])
    assert members[names["investigator"]] == "investigator"
    assert len(workspace_app.state.study_store.audit_entries(study_id=study_id)) == before

    # once the coordinator is an investigator too, the first may step down to viewer (audited)
    assert client.post(f"/api/studies/{study_id}/members", headers=headers,
                       json={"username": names["coordinator"], "role": "investigator"}).status_code == 200
    answer = client.post(f"/api/studies/{study_id}/members", headers=headers,
                         json={"username": names["investigator"], "role": "viewer"})
    assert answer.status_code == 200, answer.text
    entry = workspace_app.state.study_store.audit_entries(study_id=study_id)[0]
    assert (entry.action, entry.entity, entry.old_value, entry.new_value) == (
        "member_role", f"member {names['investigator']}", {"role": "investigator"}, {"role": "viewer"})
