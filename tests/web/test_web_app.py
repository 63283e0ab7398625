"""The web app and its API over SQLite and PostgreSQL: every page and route, read as a clinic would.

Expected answers come from the library functions the CLI uses (search, recruiting status,
criteria compiler, scores, ``hcctrials match --json``), never from the app's own output.
"""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import date
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hcctrials.i18n import say
from hcctrials.web.middleware import SECURITY_HEADERS
from web_support import PATIENTS, TODAY, make_client

EXAMPLE_IDS = {"ChiCTR2400000017", "NCT09990001", "NCT09990002", "NCT09990003", "NCT09999918"}


def _patient(name: str) -> dict[str, Any]:
    text = (PATIENTS / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)
    return json.loads(json.dumps(data, default=str))  # dates as ISO text, as a client sends them


def _ids(html: str, attribute: str = "data-trial") -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', html)


def _cli_match(db: str, patient: str, *extra: str) -> dict[str, Any]:
    from hcctrials.cli.main import app as cli

    result = CliRunner().invoke(cli, ["match", str(PATIENTS / patient), "--as-of", TODAY.isoformat(), "--json",
                                      "--db", db, *extra])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# -- catalog ---------------------------------------------------------------------------------

def test_catalog_lists_every_example_with_status_badges(client: Any) -> None:
    page = client.get("/?lang=en")
    assert page.status_code == 200
    assert set(_ids(page.text)) == EXAMPLE_IDS
    assert 'class="badge status-recruiting"' in page.text and "Not yet recruiting" in page.text
    assert "5 trial(s) found; recruiting state on 2024-05-10" in page.text


def test_chinese_words_find_an_english_only_record(client: Any) -> None:
    api = client.get("/api/trials", params={"q": "仑伐替尼"}).json()
    found = {item["trial_id"] for item in api["items"]}
    assert "NCT09990001" in found  # the record is English only: "Lenvatinib"
    record = client.get("/api/trials/NCT09990001").json()["trial"]
    assert not record["brief_title"].get("zh")
    page = client.get("/", params={"q": "仑伐替尼", "lang": "zh"})
    assert set(_ids(page.text)) == found


def test_search_equals_the_cli_search(client: Any, web_db: str) -> None:
    from hcctrials.cli.main import app as cli

    out = CliRunner().invoke(cli, ["trials", "search", "TACE", "--json", "--db", web_db])
    assert out.exit_code == 0, out.output
    expected = [hit["trial_id"] for hit in json.loads(out.stdout)]
    got = [item["trial_id"] for item in client.get("/api/trials", params={"q": "TACE"}).json()["items"]]
    assert got == expected and got


@pytest.mark.parametrize(("parameter", "value"), [("status", "not_yet_recruiting"), ("registry", "chictr"),
                                                  ("phase", "phase3"), ("condition", "hcc"), ("class", "pd1")])
def test_filters_agree_with_their_facet_counts(client: Any, parameter: str, value: str) -> None:
    everything = client.get("/api/trials").json()
    facet_name = parameter
    counts = {f["value"]: f["count"] for f in everything["facets"][facet_name]}
    filtered = client.get("/api/trials", params={parameter: value}).json()
    assert filtered["total"] == counts[value] > 0
    assert filtered["filters"][parameter] == [value]
    page = client.get("/", params={parameter: value})
    assert len(_ids(page.text)) == counts[value]


def test_year_and_place_filters(client: Any) -> None:
    everything = client.get("/api/trials").json()
    year, n = everything["facets"]["year"][0]["value"], everything["facets"]["year"][0]["count"]
    by_year = client.get("/api/trials", params={"year": year}).json()
    assert by_year["total"] == n and all((i["study_start"] or "").startswith(year) for i in by_year["items"])
    place = client.get("/api/trials", params={"place": "广州"}).json()  # Chinese name of a city of the sites
    assert place["total"] >= 1
    assert place["total"] == dict((f["value"], f["count"]) for f in everything["facets"]["place"])["guangzhou"]


def test_pagination_covers_every_result_once(client: Any) -> None:
    first = client.get("/api/trials", params={"per_page": 2}).json()
    assert first["pages"] == 3 and first["total"] == 5
    seen = [i["trial_id"] for p in (1, 2, 3)
            for i in client.get("/api/trials", params={"per_page": 2, "page": p}).json()["items"]]
    assert sorted(seen) == sorted(EXAMPLE_IDS)
    page = client.get("/", params={"per_page": 2, "page": 2, "lang": "en"})
    assert "page 2 of 3" in page.text and 'rel="prev"' in page.text and 'rel="next"' in page.text


def test_status_may_be_stale_is_the_recruiting_rule(client: Any, web_db: str) -> None:
    from hcctrials.matching.status import evaluate_recruiting_status
    from hcctrials.storage import open_store

    items = {i["trial_id"]: i for i in client.get("/api/trials").json()["items"]}
    with open_store(web_db) as store:
        for trial_id, item in items.items():
            expected = evaluate_recruiting_status(store.get(trial_id), as_of=TODAY)
            assert item["recruiting"]["state"] == expected.state
            assert item["recruiting"]["status_may_be_stale"] == (expected.contradiction is not None)
    stale = [t for t, i in items.items() if i["recruiting"]["status_may_be_stale"]]
    assert stale  # NCT09990001 says recruiting but its window starts in 2025
    page = client.get("/?lang=en")
    for trial_id in stale:
        card = page.text.split(f'data-trial="{trial_id}"')[1].split("</li>")[0]
        assert "status may be stale" in card


# -- one trial --------------------------------------------------------------------------------

def test_trial_page_shows_both_languages_side_by_side(client: Any) -> None:
    page = client.get("/trials/ChiCTR2400000017?lang=en")
    assert page.status_code == 200
    record = client.get("/api/trials/ChiCTR2400000017").json()["trial"]
    title = record["brief_title"]
    assert title["en"] and title["zh"]
    side_by_side = re.search(r'<div class="bilingual title"><div lang="en">(.*?)</div><div lang="zh-CN">(.*?)</div>',
                             page.text)
    assert side_by_side is not None
    assert side_by_side.group(2) == title["zh"]


def test_trial_page_in_chinese_names_coded_values_in_words(client: Any) -> None:
    # The bundled ChiCTR example: its study type, design, arm type and enrolment type are codes in the record
    # (interventional, experimental, ...): the Chinese page says them in Chinese, the English page in English.
    record = client.get("/api/trials/ChiCTR2400000017").json()["trial"]
    zh = client.get("/trials/ChiCTR2400000017?lang=zh").text
    en = client.get("/trials/ChiCTR2400000017?lang=en").text
    client.cookies.clear()
    overview_zh = zh.split('id="overview"')[1].split("</section>")[0]
    arms_zh = zh.split('id="arms"')[1].split("</section>")[0]
    assert record["study_type"] == "interventional"
    assert "<dd>干预性研究</dd>" in overview_zh and "<dd>interventional</dd>" in en
    assert "<dd>随机、平行分组</dd>" in overview_zh and "(预计)" in overview_zh  # randomized, parallel; anticipated
    # the arm's interventions by the record's Chinese names ("Lenvatinib, sintilimab, TACE" as the arm lists them)
    assert "仑伐替尼、信迪利单抗、TACE" in arms_zh and "Lenvatinib, sintilimab, TACE" in en
    for arm in record["arms"]:
        if arm.get("type") == "experimental":
            assert "试验组" in arms_zh and ">experimental" not in arms_zh
    for code in ("interventional", "experimental", "single_group", "active_comparator", "anticipated"):
        assert code not in overview_zh + arms_zh, code


def test_no_trial_page_in_chinese_shows_a_record_code(client: Any) -> None:
    # Every coded value a record carries (record and site statuses, study type, design, arm type, identifier
    # scheme, enrolment type) is said in words on the Chinese page; record text as published (the English side of a
    # bilingual block, ids, file names) is left out of the check.
    from hcctrials.i18n.record_words import _words
    from hcctrials.model.trial import OverallStatus

    codes = {s.value for s in OverallStatus} | {"single_group", "active_comparator", "placebo_comparator", "org_study_id",
                                                 "interventional", "observational", "randomized", "non_randomized"}
    for kind in ("arm_type", "allocation", "model", "masking", "date_type", "scheme"):
        # a code whose word is itself a name (ChiCTR, CTIS) is not a code left unsaid
        codes |= {c for c, word in _words(kind, "en").items() if ("_" in c or len(c) > 5) and word.lower() != c}
    ids = [i["trial_id"] for i in client.get("/api/trials", params={"per_page": 100}).json()["items"]]
    assert len(ids) >= 4
    for trial_id in ids:
        page = client.get(f"/trials/{trial_id}", params={"lang": "zh"}).text
        client.cookies.clear()  # ?lang=zh sets the language cookie: the shared client's next test reads English
        page = re.sub(r'<div lang="en">.*?</div>|<code>.*?</code>|<script.*?</script>|<style.*?</style>', " ", page,
                      flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", page))
        left = {w for w in re.findall(r"\b[a-z][a-z_]+\b", text) if w in codes}
        assert not left, (trial_id, sorted(left))


def test_trial_page_sections(client: Any, web_db: str) -> None:
    from hcctrials.criteria import compile_trial, describe
    from hcctrials.criteria.coverage import criterion_state
    from hcctrials.storage import open_store

    page = client.get("/trials/NCT09990001")
    for section in ("overview", "findings", "arms", "criteria", "outcomes", "sites", "identifiers", "versions",
                    "provenance"):
        assert f'id="{section}"' in page.text
    with open_store(web_db) as store:
        trial = store.get("NCT09990001")
        findings = store.findings("NCT09990001")
    compiled = compile_trial(trial)
    api = client.get("/api/trials/NCT09990001").json()
    assert [(c["number"], c["state"], c["rule"]) for c in api["criteria"]] == \
        [(c.number, criterion_state(c.rule), describe(c.rule)) for c in compiled.criteria]
    states = {c["state"] for c in api["criteria"]}
    assert "needs_review" in states or "partial" in states  # the example has criteria the compiler cannot read
    assert page.text.count('class="criterion ') == len(compiled.criteria)
    assert [f["code"] for f in api["findings"]] == [f.code for f in findings]
    assert "https://clinicaltrials.gov/study/NCT09990001" in page.text
    assert api["versions"][0]["current"] is True
    assert "status may be stale" in page.text and 'id="stale-warning"' in page.text


def test_trial_found_by_a_linked_registry_number(client: Any) -> None:
    api = client.get("/api/trials/NCT09999917").json()  # listed by ChiCTR2400000017 as its NCT number
    assert api["trial"]["trial_id"] == "ChiCTR2400000017"


def test_trial_page_in_chinese(client: Any) -> None:
    page = client.get("/trials/ChiCTR2400000017?lang=zh")
    assert say("Eligibility criteria", "zh") in page.text and "入选标准" in page.text
    assert 'lang="zh-CN"' in page.text


# -- language ---------------------------------------------------------------------------------

def test_language_switch_is_remembered(app: Any) -> None:
    with make_client(app) as fresh:
        english = fresh.get("/")
        assert "Trial catalog" in english.text and 'href="/?lang=zh"' in english.text.replace("&amp;", "&")
        chinese = fresh.get("/?lang=zh")
        assert chinese.cookies.get("hcctrials_lang") == "zh" or fresh.cookies.get("hcctrials_lang") == "zh"
        again = fresh.get("/match")
        assert "患者匹配" in again.text and "English" in again.text
        assert "Match a patient" not in again.text.split("<main>")[1]


def test_accept_language_chooses_chinese(app: Any) -> None:
    with make_client(app) as fresh:
        page = fresh.get("/", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
        assert "试验目录" in page.text


# -- matching ---------------------------------------------------------------------------------

@pytest.mark.parametrize("patient", ["guangzhou_bclc_b_tace_naive.yaml", "shenzhen_2l_after_atezo_bev.yaml",
                                     "shanghai_fhir_bundle.json"])
def test_api_match_is_the_cli_match(client: Any, web_db: str, patient: str) -> None:
    expected = _cli_match(web_db, patient, "--lang", "zh", "--show-ineligible")
    got = client.post("/api/match", params={"as_of": TODAY.isoformat(), "lang": "zh", "show_ineligible": True},
                      json=_patient(patient))
    assert got.status_code == 200, got.text
    document = got.json()
    assert document.pop("catalog_trials") == 5
    assert document == expected  # same ranking, verdicts, explanations, in Chinese


def test_match_form_ranks_as_the_api(client: Any) -> None:
    form = {"age_years": "63", "sex": "male", "ecog": "0", "location.city": "Guangzhou",
            "diagnosis.histology": "hcc", "diagnosis.confirmed_by": "imaging", "diagnosis.cirrhosis": "yes",
            "diagnosis.etiologies": ["hbv"], "tumour.nodule_count": "3", "tumour.largest_diameter_cm": "4",
            "tumour.vascular_invasion": "no", "tumour.extrahepatic_spread": "no", "liver.ascites": "none",
            "liver.encephalopathy": "none", "lab.bilirubin_total": "15.2", "lab.albumin": "40.5", "lab.inr": "1.05",
            "lab.creatinine": "81", "prior_systemic_lines": "0", "as_of": TODAY.isoformat(), "summary_lang": "zh"}
    page = client.post("/match?lang=en", data=form)
    assert page.status_code == 200, page.text
    shown = re.findall(r'data-trial="([^"]+)" data-verdict="([^"]+)"', page.text)
    patient = {"patient_id": "web-patient", "age_years": 63, "age_recorded_on": TODAY.isoformat(), "sex": "male",
               "ecog": 0, "ecog_date": TODAY.isoformat(), "location": {"city": "Guangzhou"},
               "diagnosis": {"histology": "hcc", "confirmed_by": "imaging", "cirrhosis": True, "etiologies": ["hbv"]},
               "tumour": {"nodule_count": 3, "largest_diameter_cm": 4.0, "vascular_invasion": False,
                          "extrahepatic_spread": False, "assessed_on": TODAY.isoformat()},
               "liver": {"ascites": "none", "encephalopathy": "none", "assessed_on": TODAY.isoformat()},
               "labs": [{"analyte": a, "value": v, "unit": u, "date": TODAY.isoformat()} for a, v, u in
                        (("bilirubin_total", 15.2, "umol/L"), ("albumin", 40.5, "g/L"), ("inr", 1.05, "1"),
                         ("creatinine", 81.0, "umol/L"))]}
    api = client.post("/api/match", params={"as_of": TODAY.isoformat()}, json=patient).json()
    assert shown == [(t["trial_id"], t["verdict"]) for t in api["trials"]] and shown
    # the printable summary is in the patient's language, the page in the reader's
    sheet = page.text.split('id="print-summary-sheet"')[1]
    assert say("Clinical trial options", "zh") in sheet
    assert say("possibly eligible", "zh") in sheet
    assert "Child-Pugh</th><td>A5" in page.text  # scores computed for the same patient
    assert say("To check next: {items}", "en", items="").strip() in page.text


@pytest.mark.parametrize("patient", ["guangzhou_bclc_b_tace_naive.yaml", "shanghai_fhir_bundle.json"])
def test_upload_matches_as_the_api(client: Any, patient: str) -> None:
    content = (PATIENTS / patient).read_bytes()
    page = client.post("/match/upload?lang=zh", files={"patient_file": (patient, content)},
                       data={"as_of": TODAY.isoformat(), "summary_lang": "zh"})
    assert page.status_code == 200, page.text
    api = client.post("/api/match", params={"as_of": TODAY.isoformat()}, json=_patient(patient)).json()
    assert re.findall(r'data-trial="([^"]+)" data-verdict="([^"]+)"', page.text) == \
        [(t["trial_id"], t["verdict"]) for t in api["trials"]]


def test_upload_errors_name_the_file_and_field(client: Any) -> None:
    page = client.post("/match/upload", files={"patient_file": ("bad.yaml", b"patient_id: x\necog: 9\n")},
                       data={"as_of": TODAY.isoformat()})
    assert page.status_code == 422
    assert "bad.yaml" in page.text and "ecog" in page.text
    page = client.post("/match/upload", files={"patient_file": ("notes.txt", b"hello")})
    assert page.status_code == 422 and "notes.txt" in page.text


def test_scores_are_the_library_scores(client: Any) -> None:
    from hcctrials.patients import load_patient
    from hcctrials.scores import compute_patient_scores

    day = date(2024, 6, 10)
    expected = compute_patient_scores(load_patient(PATIENTS / "wuhan_child_pugh_b8_ascites.yaml"), as_of=day)
    assert expected.child_pugh.label == "B8"
    got = client.post("/api/scores", params={"as_of": day.isoformat()},
                      json=_patient("wuhan_child_pugh_b8_ascites.yaml"))
    assert got.status_code == 200
    assert got.json() == json.loads(json.dumps(expected.to_dict()))
    early = client.post("/api/scores", params={"as_of": TODAY.isoformat()},
                        json=_patient("wuhan_child_pugh_b8_ascites.yaml")).json()
    assert early["status"] == 422 and early["field"] == "diagnosis.diagnosis_date"  # diagnosed after the date


def test_scores_of_the_form_as_it_is_filled(client: Any) -> None:
    partial = client.post("/api/scores/form", data={"lab.bilirubin_total": "15.2", "lab.albumin": "40.5",
                                                    "as_of": TODAY.isoformat()}).json()
    assert partial["albi"]["score"] == pytest.approx(-2.6624832319564504, abs=1e-12)  # ALBI of the GZ example
    assert partial["child_pugh"]["points"] is None and partial["child_pugh"]["missing"]
    bad = client.post("/api/scores/form", data={"lab.albumin": "forty"})
    assert bad.status_code == 422 and bad.json()["field"] == "lab.albumin"


def test_matching_keeps_and_logs_no_patient_data(client: Any, web_db: str, caplog: pytest.LogCaptureFixture) -> None:
    marker = "PATIENT-MARKER-7f3a"
    patient = {**_patient("guangzhou_bclc_b_tace_naive.yaml"), "patient_id": marker}
    with caplog.at_level(logging.DEBUG):
        assert client.post("/api/match", params={"as_of": TODAY.isoformat()}, json=patient).status_code == 200
        client.post("/match", data={"patient_id": marker, "age_years": "63"})
        client.post("/api/match", json={**patient, "ecog": 9})
    assert marker not in caplog.text
    if web_db.startswith("sqlite"):
        from pathlib import Path

        stored = Path(web_db.removeprefix("sqlite:///")).read_bytes()
        assert marker.encode() not in stored


def test_match_page_when_the_catalog_is_empty(tmp_path: Any) -> None:
    from hcctrials.web import create_app
    with make_client(create_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}", today=lambda: TODAY)) as empty:
        assert "hcctrials ingest --examples" in empty.get("/").text
        page = empty.post("/match", data={"age_years": "60", "as_of": TODAY.isoformat()})
        assert page.status_code == 200 and "hcctrials ingest --examples" in page.text


# -- errors, limits, headers ------------------------------------------------------------------

@pytest.mark.parametrize(("method", "url", "status"), [("get", "/api/nothing", 404), ("get", "/api/trials/NCT00000000", 404),
                                                       ("delete", "/api/trials", 405), ("get", "/api/trials?per_page=0", 422),
                                                       ("get", "/api/trials?status=open-ish", 422),
                                                       ("post", "/api/match", 422)])
def test_every_api_error_is_a_problem_document(client: Any, method: str, url: str, status: int) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"


def test_invalid_patient_is_422_naming_the_field(client: Any) -> None:
    body = client.post("/api/match", json={"patient_id": "x", "liver": {"ascites": "lots"}}).json()
    assert body["status"] == 422 and body["field"] == "liver.ascites" and body["value"] == "'lots'"
    record = client.post("/api/match", json=[1, 2]).json()
    assert record["status"] == 422 and record["errors"]


def test_body_size_limit(app: Any) -> None:
    from hcctrials.web import create_app
    big = json.dumps({"patient_id": "x", "notes": "a" * 3_000_000})
    with make_client(app) as c:
        response = c.post("/api/match", content=big, headers={"content-type": "application/json"})
        assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"

        def chunks() -> Any:
            for _ in range(40):
                yield b"a" * 100_000

        chunked = c.post("/api/scores", content=chunks(), headers={"content-type": "application/json"})
        assert chunked.status_code == 413
    small = create_app(app.state.services.database_url, max_body_bytes=100, today=lambda: TODAY)
    with make_client(small) as c:
        assert c.post("/api/scores", json={"patient_id": "x" * 200}).status_code == 413
        assert c.post("/api/scores", json={"patient_id": "x"}).status_code == 200


def test_security_headers_on_every_response(client: Any) -> None:
    for response in (client.get("/"), client.get("/trials/NCT09990001"), client.get("/api/trials"),
                     client.get("/api/nothing"), client.get("/static/style.css"), client.get("/nothing"),
                     client.post("/api/match", json={"patient_id": "x"})):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)
    assert client.post("/api/match", json={"patient_id": "x"}).headers["cache-control"] == "no-store"


def test_html_errors_are_pages_in_the_readers_language(client: Any) -> None:
    page = client.get("/trials/NCT00000000?lang=zh")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert say("Not found", "zh") in page.text


def test_openapi_document(client: Any) -> None:
    document = client.get("/api/openapi.json").json()
    assert {"/api/trials", "/api/trials/{trial_id}", "/api/match", "/api/scores"} <= set(document["paths"])
    assert "application/problem+json" in document["paths"]["/api/match"]["post"]["responses"]["422"]["content"]
    health = client.get("/api/health").json()
    assert {"status": "ok", "trials": 5}.items() <= health.items() and isinstance(health["warmed"], bool)
