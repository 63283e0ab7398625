"""``hcctrials match --lang zh`` (text and ``--json``) and ``/api/match?lang=zh`` leave no English in the fields a
reader reads (issue 13): the review reasons of the plain-text output, the rule a review reason shows ("read as"),
the recruiting status the reasons name, the intervention classes and the trial setting's evidence.

Record text (titles, the quoted criterion text, the phrase the setting classifier found) stays as the record
writes it; the words around it are the catalog's.  Patient: ``shenzhen_2l_after_atezo_bev.yaml`` (second line
after atezolizumab + bevacizumab) against the bundled examples, ineligible trials shown, on 2024-02-28.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.matching.localise import setting_evidence_text

ROOT = Path(__file__).resolve().parents[2]
PATIENT = ROOT / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
AS_OF = "2024-02-28"
runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")
#: the compiler's rule notation and the review reasons' fixed words are lower-case English; the labels that replace
#: them in Chinese keep only abbreviations (BCLC, ECOG, Child-Pugh, PD-1 ...) in Latin letters
ENGLISH_WORD = re.compile(r"\b[a-z]{4,}\b")
READ_AS_ZH = re.compile(r"（(?:已部分)?读取为：(?P<rule>.*)）$", re.DOTALL)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('matchzh2') / 'm.sqlite3'}"
    res = runner.invoke(app, ["ingest", "--examples", "--db", url])
    assert res.exit_code == 0, res.output
    return url


def _match(db: str, lang: str, *extra: str) -> str:
    res = runner.invoke(app, ["match", str(PATIENT), "--as-of", AS_OF, "--db", db, "--show-ineligible", "--lang", lang,
                              *extra], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    return res.output


def _review_reasons(document: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return {(t["trial_id"], c["role"], c["number"]): c["reason"] for t in document["trials"] for c in t["criteria"]
            if c["status"] == "needs_review"}


def _rule_shown(reason: str) -> str | None:
    m = READ_AS_ZH.search(reason)
    return m.group("rule") if m else None


def test_text_output_says_review_reasons_and_their_rule_in_chinese(db: str) -> None:
    out = _match(db, "zh")
    # NCT09999918 exclusion 1 "Prior immunotherapy." is wider than checkpoint inhibitors: needs review, and the
    # rule it was read as (prior checkpoint-inhibitor therapy) is said in Chinese, not in the notation
    assert "“免疫治疗”的范围大于检查点抑制剂" in out
    assert "is wider than" not in out and "(read as:" not in out and "partly read as" not in out
    assert "is not part of the rule" not in out
    assert "prior therapy: classes ici" not in out and "liver: varices_high_risk" not in out
    line = next(x for x in out.splitlines() if "范围大于检查点抑制剂" in x)
    rule = _rule_shown(line.strip())
    assert rule is not None and "免疫检查点抑制剂" in rule and not ENGLISH_WORD.search(rule), line
    # NCT09990001 exclusion 3 "Untreated oesophageal varices at high risk of bleeding": the qualifier 'Untreated'
    # is not part of the rule (varices at high risk): reason and rule in Chinese, the quoted word as written
    line = next(x for x in out.splitlines() if "“Untreated”" in x)
    rule = _rule_shown(line.strip())
    assert rule is not None and "静脉曲张" in rule and not ENGLISH_WORD.search(rule), line
    # recruiting status and intervention classes in words
    assert "'recruiting'" not in out and "记录状态：recruiting" not in out
    assert "locoregional" not in out and "anti-VEGF" not in out and "局部区域治疗" in out


def test_text_output_in_english_keeps_the_notation(db: str) -> None:
    out = _match(db, "en")
    assert "(read as: prior therapy: classes ici)" in out
    assert "record status recruiting" in out and "locoregional" in out


def test_json_read_as_rules_and_recruiting_in_chinese(db: str) -> None:
    zh, en = json.loads(_match(db, "zh", "--json")), json.loads(_match(db, "en", "--json"))
    reasons_zh, reasons_en = _review_reasons(zh), _review_reasons(en)
    assert reasons_zh.keys() == reasons_en.keys()
    shown = 0
    for key, reason in reasons_zh.items():
        if "read as: " in reasons_en[key]:  # the English reason shows a rule: the Chinese one shows it in Chinese
            rule = _rule_shown(reason)
            assert rule is not None and HAN.search(rule) and not ENGLISH_WORD.search(rule), (key, reason)
            shown += 1
    assert shown >= 3
    # BCLC stage B not suitable for TACE, or stage C (NCT09990001 inclusion 2): only "stage B" was read
    partly = reasons_zh[("NCT09990001", "inclusion", "2")]
    assert partly.endswith("（已部分读取为：BCLC 分期 B）"), partly
    for trial in zh["trials"]:
        recruiting = trial["recruiting"]
        for text in (recruiting["reason"], recruiting["contradiction"] or ""):
            assert "recruiting" not in text, text
    # the machine-readable records keep the English message and its code
    records = [t["recruiting"]["reason_message"] for t in zh["trials"]]
    assert records == [t["recruiting"]["reason_message"] for t in en["trials"]]


def test_json_setting_evidence_in_chinese_with_the_classified_evidence_kept(db: str) -> None:
    zh, en = json.loads(_match(db, "zh", "--json")), json.loads(_match(db, "en", "--json"))
    labelled = 0
    for tz, te in zip(zh["trials"], en["trials"]):
        assert tz["setting_evidence"] == te["setting_evidence"]  # codes and phrases as classified, any language
        assert tz["setting_evidence_labels"].keys() == tz["setting_evidence"].keys()
        for setting, items in tz["setting_evidence_labels"].items():
            assert len(items) == len(tz["setting_evidence"][setting])
            for item in items:
                labelled += 1
                assert HAN.search(item.split("：", 1)[0]), item  # the field named in Chinese
                for english in ("brief_title", "scientific_title", "inclusion[", "exclusion[", "interventions:",
                                "summary:", "keywords:", "excludes ", "combined with systemic therapy"):
                    assert english not in item, item
    assert labelled >= 5


def test_setting_evidence_shapes() -> None:
    # the classifier's own words are said; the record's phrase is kept as written
    assert setting_evidence_text("interventions: locoregional therapy combined with systemic therapy", "intermediate",
                                 "zh") == "干预措施：局部区域治疗联合系统治疗"
    assert setting_evidence_text("exclusion[1]: excludes Prior systemic therapy", "advanced_first_line", "zh") == \
        "排除标准 1：排除Prior systemic therapy"
    assert setting_evidence_text("brief_title: 中期肝细胞癌", "intermediate", "zh") == "简要题目：中期肝细胞癌"
    assert setting_evidence_text("inclusion[2]: BCLC stage B", "intermediate", "zh") == "入选标准 2：BCLC stage B"
    # a negated second-line phrase is first-line evidence
    assert setting_evidence_text("summary: not previously treated with systemic", "advanced_first_line", "zh") == \
        "摘要：否定：previously treated with systemic"
    # a phrase of another setting that begins with "not" is a phrase as written
    assert setting_evidence_text("summary: not amenable", "conversion", "zh") == "摘要：not amenable"
    assert setting_evidence_text("advanced / unresectable disease without a line of therapy",
                                 "advanced_line_unspecified", "zh") == "晚期/不可切除疾病，未述治疗线数"
    assert setting_evidence_text("brief_title: intermediate-stage", "intermediate", "en") == \
        "brief title: intermediate-stage"
    assert setting_evidence_text("something else", "intermediate", "zh") == "something else"


def test_api_match_in_chinese_has_no_english_review_rules(db: str) -> None:
    import warnings
    from datetime import date

    import yaml

    from hcctrials.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        client_of = TestClient(create_app(db, today=lambda: date(2024, 5, 10)))
    patient = json.loads(json.dumps(yaml.safe_load(PATIENT.read_text(encoding="utf-8")), default=str))
    with client_of as client:
        got = client.post("/api/match", params={"as_of": AS_OF, "lang": "zh", "show_ineligible": True}, json=patient)
        assert got.status_code == 200, got.text
        document = got.json()
        english = client.post("/api/match", params={"as_of": AS_OF, "lang": "en", "show_ineligible": True},
                              json=patient).json()
    # the API answers the document of `match --json`, ranking, verdicts and words alike (the API adds the catalog size)
    assert {k: v for k, v in document.items() if k != "catalog_trials"} == json.loads(_match(db, "zh", "--json"))
    assert {k: v for k, v in english.items() if k != "catalog_trials"} == json.loads(_match(db, "en", "--json"))
    for reason in _review_reasons(document).values():
        assert "read as" not in reason, reason
    for trial in document["trials"]:
        assert all(HAN.search(x) for items in trial["setting_evidence_labels"].values() for x in items)
