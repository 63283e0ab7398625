"""The study workspace end to end in a real headless Chromium (Debian's /usr/bin/chromium), Playwright.

A coordinator signs in, creates the example study from its study.json, uploads its tables, sees the
validation error of a bad row in place (record, field, value), uploads the good table and reads the
Kaplan-Meier plots; a viewer signs in and cannot upload (no form; the API answers 403).  The app runs
under uvicorn on a free loopback port (SQLite).  Screenshots are saved in the test's tmp folder and
copied to ``$HCCTRIALS_WEB_SHOTS`` when set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_support import BROWSER_MARKS, TODAY, live_server, new_tab, save_shot

from hcctrials.datasets.example_study import EXAMPLE_STUDY_DIR

pytestmark = BROWSER_MARKS
PASSWORD = "study browser password"
BAD_ROW = ("EX-001,2025-03-15,T1,target,liver,False,54.3,", "EX-001,2025-03-15,T1,target,liver,False,-5,")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from hcctrials.web import create_app
    from hcctrials.web.auth import hash_password

    url = f"sqlite:///{tmp_path_factory.mktemp('studybrowserdb') / 'web.sqlite3'}"
    app = create_app(url, today=lambda: TODAY)
    for name in ("coordinator", "viewer", "principal", "member"):
        app.state.study_store.create_user(name, hash_password(PASSWORD))
    with live_server(app) as port:
        yield f"http://localhost:{port}"  # a secure context for the browser: the Secure session cookie is kept


def _tab(browser: Any) -> Any:
    return new_tab(browser, timeout_ms=30_000)


_shot = save_shot


def _sign_in(page: Any, server: str, name: str) -> None:
    page.goto(server + "/studies?lang=en")
    page.wait_for_url("**/login?next=/studies")  # signed out: sent to the sign-in page
    page.fill("#login-username", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/studies")
    assert name in page.locator("#study-user").inner_text()


def _upload(page: Any, kind: str, name: str, content: bytes) -> None:
    page.select_option("#upload-kind", kind)
    page.set_input_files("#upload-file", {"name": name, "mimeType": "text/csv", "buffer": content})
    page.click("#upload-submit")
    page.wait_for_load_state("load")


def test_upload_the_example_study_see_a_bad_row_then_the_km_plot_and_a_viewer_cannot_upload(
        server: str, browser: Any, tmp_path: Path) -> None:
    page = _tab(browser)
    _sign_in(page, server, "coordinator")
    page.set_input_files("#study-json", str(EXAMPLE_STUDY_DIR / "study.json"))
    page.click("#create-study-submit")
    page.wait_for_url("**/studies/*")
    assert "HCC-EX-001" in page.locator("#study-title").inner_text()
    assert page.locator("#study-role").inner_text() == "investigator"
    study_path = page.url.split(server, 1)[1]

    _upload(page, "subjects", "subjects.csv", (EXAMPLE_STUDY_DIR / "subjects.csv").read_bytes())
    assert "subjects.csv accepted: 56 rows" in page.locator("#study-notice").inner_text()
    original = (EXAMPLE_STUDY_DIR / "tumour_assessments.csv").read_text(encoding="utf-8")
    _upload(page, "tumour_assessments", "tumour_assessments.csv", original.replace(*BAD_ROW).encode())
    error = page.locator("#upload-error")
    error.wait_for()
    assert error.locator('[data-error="file"]').inner_text() == "tumour_assessments.csv"
    assert error.locator('[data-error="record"]').inner_text() == "subject EX-001, visit 2025-03-15, lesion T1"
    assert error.locator('[data-error="field"]').inner_text() == "diameter_mm"
    assert error.locator('[data-error="value"]').inner_text() == "-5.0"
    assert "not uploaded" in page.locator('tr[data-kind="tumour_assessments"]').inner_text()
    _shot(page, tmp_path, "study-upload-bad-row-en")

    for kind in ("tumour_assessments", "adverse_events", "dosing"):
        _upload(page, kind, f"{kind}.csv", (EXAMPLE_STUDY_DIR / f"{kind}.csv").read_bytes())
        assert page.locator("#upload-error").count() == 0
        assert page.locator(f'tr[data-kind="{kind}"] td').nth(2).inner_text() == "1"  # version 1
    page.fill("#member-form input[name='username']", "viewer")
    page.select_option("#member-form select[name='role']", "viewer")
    page.click("#member-form button")
    page.wait_for_load_state("load")
    assert page.locator('[data-member="viewer"]').count() == 1
    assert page.locator('#audit-log tr[data-action="table_uploaded"]').count() == 4
    _shot(page, tmp_path, "study-workspace-en")

    page.click("#endpoints-link")
    page.wait_for_url("**/endpoints")
    plot = page.locator('#endpoints-recist11 figure[data-endpoint="PFS"] img.km-plot')
    plot.wait_for()
    plot.scroll_into_view_if_needed()
    from playwright.sync_api import expect

    expect(plot).to_have_js_property("complete", True)
    assert plot.evaluate("img => img.naturalWidth") > 300  # the SVG was served and drawn
    assert page.locator("img.km-plot").count() == 8
    assert "Clopper-Pearson" in page.locator("#endpoints-recist11 .orr").inner_text()
    _shot(page, tmp_path, "study-km-plot-en")
    page.locator("#lang-switch").click()
    page.wait_for_url("**lang=zh**")
    assert page.locator("#nav-studies").inner_text() == "研究工作区(登录)"
    page.locator("img.km-plot").first.scroll_into_view_if_needed()
    _shot(page, tmp_path, "study-km-plot-zh")
    page.context.close()

    viewer = _tab(browser)
    _sign_in(viewer, server, "viewer")
    viewer.goto(server + study_path + "?lang=en")
    assert viewer.locator("#study-role").inner_text() == "viewer"
    assert viewer.locator("#upload-form").count() == 0
    assert "not upload" in viewer.locator("#viewer-note").inner_text()
    _shot(viewer, tmp_path, "study-viewer-en")
    token = viewer.request.get(server + "/api/session").json()["csrf_token"]
    study_id = study_path.rsplit("/", 1)[1]
    refused = viewer.request.put(f"{server}/api/studies/{study_id}/tables/dosing", headers={"x-csrf-token": token},
                                 multipart={"file": {"name": "dosing.csv", "mimeType": "text/csv",
                                                     "buffer": (EXAMPLE_STUDY_DIR / "dosing.csv").read_bytes()}})
    assert refused.status == 403 and refused.headers["content-type"] == "application/problem+json"
    endpoints = viewer.request.get(f"{server}/api/studies/{study_id}/endpoints")
    assert endpoints.status == 200 and endpoints.json()["n_treated"] == 49  # viewers read
    viewer.context.close()


def test_an_investigator_removes_a_member_and_changes_her_password_in_chinese(
        server: str, browser: Any, tmp_path: Path) -> None:
    page = _tab(browser)
    _sign_in(page, server, "principal")
    page.fill("#study-code", "HCC-RM-01")
    page.fill("#study-title", "Removal study")
    page.click("#create-study-submit")
    page.wait_for_url("**/studies/*")
    study_path = page.url.split(server, 1)[1].split("?", 1)[0]
    page.fill("#member-form input[name='username']", "member")
    page.select_option("#member-form select[name='role']", "coordinator")
    page.click("#member-form button")
    page.wait_for_load_state("load")
    assert page.locator('[data-member="member"]').count() == 1

    member = _tab(browser)
    _sign_in(member, server, "member")
    assert member.goto(server + study_path + "?lang=en").status == 200

    page.goto(server + study_path + "?lang=zh")
    page.click('button[data-remove="member"]')
    page.wait_for_load_state("load")
    assert page.locator("#study-notice").inner_text() == "已将 member 移出本研究。"
    assert page.locator('[data-member="member"]').count() == 0
    assert page.locator('#audit-log tr[data-action="member_removed"]').count() == 1
    page.click('button[data-remove="principal"]')  # the only investigator stays
    page.wait_for_load_state("load")
    assert "唯一的研究者" in page.locator("#study-refused").inner_text()
    _shot(page, tmp_path, "study-member-removed-zh")
    assert member.goto(server + study_path + "?lang=en").status == 404  # access ends with the next request
    member.context.close()

    page.click("#account-link")
    page.wait_for_url("**/account")
    assert page.locator("#change-password h2").inner_text() == "修改密码"
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", "a brand new password")
    page.fill("#repeat-password", "a brand new passw0rd")
    page.click("#password-submit")
    page.wait_for_load_state("load")
    assert page.locator("#password-error").inner_text() == "两次输入的新密码不一致。"
    page.fill("#current-password", PASSWORD)
    page.fill("#new-password", "a brand new password")
    page.fill("#repeat-password", "a brand new password")
    page.click("#password-submit")
    page.wait_for_load_state("load")
    assert page.locator("#password-notice").inner_text() == "您的密码已修改。"
    _shot(page, tmp_path, "account-password-changed-zh")
    page.context.close()
