"""End to end in a real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

The app runs under uvicorn on a free loopback port over the bundled examples (SQLite); the tests
search in Chinese and find an English-only record, open a trial and switch the language, fill the
match form (scores appear as it is filled) and read the verdicts, which must be those of the API.
Screenshots are saved in the test's tmp folder (and copied to ``$HCCTRIALS_WEB_SHOTS`` when set).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web_support import BROWSER_MARKS, TODAY, ingest_examples, live_server, save_shot

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from hcctrials.web import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('browserdb') / 'web.sqlite3'}"
    ingest_examples(url)
    with live_server(create_app(url, today=lambda: TODAY)) as port:
        yield f"http://127.0.0.1:{port}"


_shot = save_shot


def test_search_in_chinese_finds_an_english_only_record(server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + "/?lang=zh")
    assert page.locator("#lang-switch").inner_text() == "English"
    page.fill("#q", "仑伐替尼")
    page.press("#q", "Enter")
    page.wait_for_url("**q=*")
    hit = page.locator('[data-trial="NCT09990001"]')
    hit.wait_for()
    title = hit.locator("h2").inner_text()
    assert "Lenvatinib" in title  # an English-only record, found with the Chinese drug name
    assert "找到" in page.locator("#result-count").inner_text()
    _shot(page, tmp_path, "catalog-search-zh")
    phone = page.context.browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    small = phone.new_page()
    small.goto(server + "/?lang=zh&q=TACE")
    small.locator(".trial-hit").first.wait_for()
    assert small.evaluate("document.documentElement.scrollWidth") <= 380  # no sideways scrolling on a phone
    _shot(small, tmp_path, "catalog-phone-zh")
    phone.close()


def test_open_a_trial_and_switch_language(server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + "/?lang=zh&q=TACE")
    page.locator('[data-trial="ChiCTR2400000017"] h2 a').click()
    page.wait_for_url("**/trials/ChiCTR2400000017**")
    assert page.locator("#criteria h2").inner_text() == "入选标准"
    assert page.locator(".bilingual.title div[lang='zh-CN']").count() == 1  # both languages side by side
    _shot(page, tmp_path, "trial-zh")
    page.locator("#lang-switch").click()
    page.wait_for_url("**lang=en**")
    assert page.locator("#criteria h2").inner_text() == "Eligibility criteria"
    assert page.locator("#lang-switch").inner_text() == "中文"
    assert page.locator(".criterion").count() >= 1
    _shot(page, tmp_path, "trial-en")
    page.goto(server + "/")  # the choice is remembered (cookie)
    assert page.locator("nav a").first.inner_text() == "Trial catalog"


def test_fill_the_match_form_and_read_the_verdicts(server: str, page: Any, tmp_path: Path) -> None:
    page.goto(server + "/match?lang=en")
    page.fill("#f-age_years", "63")
    page.select_option("#f-sex", "male")
    page.fill("#f-ecog", "0")
    page.fill("input[name='location.city']", "Guangzhou")
    page.select_option("#f-diagnosis-histology", "hcc")
    page.select_option("#f-diagnosis-confirmed_by", "imaging")
    page.select_option("#f-diagnosis-cirrhosis", "yes")
    page.check("input[name='diagnosis.etiologies'][value='hbv']")
    page.fill("#f-tumour-nodule_count", "3")
    page.fill("#f-tumour-largest_diameter_cm", "4")
    page.select_option("#f-tumour-vascular_invasion", "no")
    page.select_option("#f-tumour-extrahepatic_spread", "no")
    page.select_option("#f-liver-ascites", "none")
    page.select_option("#f-liver-encephalopathy", "none")
    for analyte, value in (("bilirubin_total", "15.2"), ("albumin", "40.5"), ("inr", "1.05"), ("creatinine", "81")):
        page.fill(f"#f-lab-{analyte}", value)
    page.fill("#f-prior_systemic_lines", "0")
    page.fill("#f-as_of", TODAY.isoformat())
    page.select_option("select[name='summary_lang']", "zh")
    # the scores are computed by the server as the fields are filled
    cp = page.locator('#live-scores tr[data-score="child_pugh"] td')
    from playwright.sync_api import expect

    expect(cp).to_have_text("A5")  # (the page's CSP forbids evaluated strings: no wait_for_function)
    assert page.locator('#live-scores tr[data-score="bclc"] td').inner_text() == "B"
    assert page.locator('#live-scores tr[data-score="albi"] td').inner_text().startswith("-2.66")
    _shot(page, tmp_path, "match-form-en")
    page.click("#match-submit")
    page.wait_for_selector("#results")
    shown = [(el.get_attribute("data-trial"), el.get_attribute("data-verdict"))
             for el in page.locator("li.match").all()]
    patient = {"patient_id": "web-patient", "age_years": 63, "age_recorded_on": TODAY.isoformat(), "sex": "male",
               "ecog": 0, "ecog_date": TODAY.isoformat(), "location": {"city": "Guangzhou"},
               "diagnosis": {"histology": "hcc", "confirmed_by": "imaging", "cirrhosis": True, "etiologies": ["hbv"]},
               "tumour": {"nodule_count": 3, "largest_diameter_cm": 4, "vascular_invasion": False,
                          "extrahepatic_spread": False, "assessed_on": TODAY.isoformat()},
               "liver": {"ascites": "none", "encephalopathy": "none", "assessed_on": TODAY.isoformat()},
               "labs": [{"analyte": a, "value": v, "unit": u, "date": TODAY.isoformat()} for a, v, u in
                        (("bilirubin_total", 15.2, "umol/L"), ("albumin", 40.5, "g/L"), ("inr", 1.05, "1"),
                         ("creatinine", 81, "umol/L"))],
               "treatments": []}
    api = httpx.post(server + "/api/match", params={"as_of": TODAY.isoformat()}, json=patient, timeout=30).json()
    assert shown == [(t["trial_id"], t["verdict"]) for t in api["trials"]] and shown
    first = page.locator("li.match").first
    assert first.locator(".badge.verdict").inner_text() == api["trials"][0]["verdict_label"]
    assert first.locator("details.criteria-explained tr").count() == len(api["trials"][0]["criteria"])
    _shot(page, tmp_path, "match-results-en")
    page.emulate_media(media="print")  # the one-page summary, in the patient's language (Chinese)
    assert page.locator("#print-summary-sheet").is_visible()
    assert page.locator("#match-form").is_hidden()
    assert "可供考虑的临床试验" in page.locator("#print-summary-sheet h1").inner_text()
    _shot(page, tmp_path, "match-print-summary-zh")
    pdf = tmp_path / "match-summary.pdf"
    page.pdf(path=str(pdf), format="A4")
    from pypdf import PdfReader

    assert len(PdfReader(str(pdf)).pages) == 1  # one page to hand over in clinic
