"""Every real ChiCTR record in ../shared/data/registry/chictr parses, key fields match the source.

Expected values are read off the saved pages themselves (labels quoted in comments).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import detect_parser

GOLDEN = Path(__file__).parent / "golden"


def check_golden(trial: Trial, name: str) -> None:
    data = trial.model_dump(mode="json")
    data["provenance"]["source_file"] = Path(data["provenance"]["source_file"]).name
    path = GOLDEN / f"{name}.json"
    if os.environ.get("HCCTRIALS_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.is_file(), f"golden file {path} missing: run with HCCTRIALS_UPDATE_GOLDEN=1"
    assert data == json.loads(path.read_text(encoding="utf-8"))


def records(path: Path, fmt: str) -> list[Trial]:
    parser = detect_parser(path)
    assert parser.source_format == fmt
    results = list(parser.iter_records(path))
    assert all(isinstance(r, ParsedRecord) for r in results), results
    return [r.trial for r in results if isinstance(r, ParsedRecord)]


@pytest.fixture(scope="module")
def chictr_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "registry" / "chictr"


@pytest.fixture(scope="module")
def detail(chictr_dir: Path) -> Trial:
    [trial] = records(chictr_dir / "chictr_detail_ChiCTR2400084905.html", "chictr_html")
    return trial


def test_detail_golden(detail: Trial) -> None:
    check_golden(detail, "html_ChiCTR2400084905")


def test_detail_key_fields(detail: Trial, chictr_dir: Path) -> None:
    t = detail
    assert t.trial_id == "ChiCTR2400084905"
    assert t.registration_status == "prospective"  # 预注册
    assert t.phases == ["phase3"]  # III期临床试验 / 3
    assert (t.design.allocation, t.design.intervention_model, t.design.masking) == ("randomized", "parallel", "double")
    assert t.brief_title.en.startswith("SUNRAY-01, A Global Pivotal Study")
    assert t.acronym.zh.startswith("一项LY3537982联合帕博利珠单抗")
    # four groups: 试验组/对照组 (A部分) 192 each, (B部分) 276 each
    assert [(a.label.zh, a.sample_size) for a in t.arms] == [
        ("试验组（A部分）", 192), ("对照组（A部分）", 192), ("试验组（B部分）", 276), ("对照组（B部分）", 276)]
    assert [a.type for a in t.arms] == ["experimental", "placebo_comparator", "experimental", "placebo_comparator"]
    assert t.enrollment.count == 936
    assert (t.dates.recruitment_start, t.dates.recruitment_end) == ("2024-06-01", "2026-06-01")
    assert (t.dates.study_start, t.dates.study_completion) == ("2024-06-01", "2029-10-01")
    assert [o.kind for o in t.outcomes] == ["primary", "secondary", "secondary"]
    assert t.outcomes[0].measure.zh == "无进展生存期" and t.outcomes[0].method.zh == "影像评估（RECIST 1.1标准）"
    # one site per 单位级别 label in the page
    html = (chictr_dir / "chictr_detail_ChiCTR2400084905.html").read_text(encoding="utf-8")
    assert len(t.sites) == html.count(">单位级别：<") == 43
    assert t.sites[0].institution.en == "Jilin Cancer Hospital" and t.sites[0].level.zh == "三级甲等"
    assert len(t.eligibility.inclusion) == 12 and len(t.eligibility.exclusion) == 21  # items 1-12, 13-33
    assert t.eligibility.exclusion[0].en.startswith("Have a documented additional validated targetable")
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, None)
    assert t.ethics.approval_date == "2023-12-22"
    assert t.funding[0].en == "Eli Lilly and Company"
    assert "pembrolizumab" in [i for iv in t.interventions for i in iv.lexicon_ids]
    assert not [f for f in t.findings if f.severity != "info"], t.findings


def test_html_and_text_share_the_label_table() -> None:
    from hcctrials.sources.chictr.html import html_blocks
    from hcctrials.sources.chictr.labels import label_events
    import lxml.html

    page = lxml.html.fromstring(
        "<div><p class='cn'>注册号：</p><p class='en'>Registration number：</p><td>ChiCTR2400000001&nbsp;</td>"
        "<p class='cn'>研究负责人电话：</p><p class='en'>Study leader's <br>telephone：</p><td>+86 1</td></div>")
    _, events = label_events(html_blocks(page))
    assert [(e.key, e.lang, e.values) for e in events] == [
        ("registration_number", "zh", []), ("registration_number", "en", ["ChiCTR2400000001"]),
        ("leader_phone", "zh", []), ("leader_phone", "en", ["+86 1"])]


def test_search_results_listing(chictr_dir: Path) -> None:
    trials = records(chictr_dir / "chictr_search_results_KRAS.html", "chictr_search_html")
    html = (chictr_dir / "chictr_search_results_KRAS.html").read_text(encoding="utf-8")
    assert [t.trial_id for t in trials] == re.findall(r"<td>(ChiCTR\d+)</td>", html)
    assert len(trials) == 10
    first = trials[0]
    assert first.trial_id == "ChiCTR2500111173" and first.dates.registered == "2025-10-27"
    assert first.study_type == "interventional" and first.sponsors[0].name.zh == "广东省人民医院（广东省医学科学院）"
    assert first.brief_title.zh.endswith("SUNRAY-02") and first.brief_title.en is None
    assert trials[1].study_type == "observational"
    for t in trials:
        assert any(f.code == "partial_record" and f.severity == "info" for f in t.findings)
    check_golden(trials[0], "search_row1_ChiCTR2500111173")


def test_ictrp_xml(chictr_dir: Path) -> None:
    [t] = records(chictr_dir / "ChiCTR2000034346_ictrp.xml", "chictr_ictrp_xml")
    check_golden(t, "ictrp_ChiCTR2000034346")
    assert t.trial_id == "ChiCTR2000034346" and t.registry.value == "chictr"
    assert t.dates.registered == "2020-07-02" and t.dates.recruitment_start == "2020-04-10"
    assert t.overall_status.value == "completed" and t.study_type == "health_services_research"
    assert t.phases == ["na"]  # "Retrospective study"
    assert [(a.label.en, a.sample_size) for a in t.arms] == [("2019 Y", 2418), ("2020 Y", 821)]  # target_size
    assert t.enrollment.count == 2418 + 821
    assert t.eligibility.sex == "all" and len(t.eligibility.exclusion) == 2
    assert t.outcomes[0].kind == "primary" and t.outcomes[0].measure.en == "decrease"
    assert t.sponsors[0].name.en == "Jianxing He" and t.sites[0].country.en == "China"
    assert t.ethics.approved is True and t.ethics.approval_date == "2020-04-01"
    assert len(t.contacts) == 2 and t.contacts[0].en.startswith("Scientific: Ran Zhong")
    assert t.urls == ["http://www.chictr.org.cn/showproj.aspx?proj=55654"]


def test_ictrp_chinese_text_goes_to_zh(tmp_path: Path) -> None:
    xml = ("<?xml version='1.0' encoding='UTF-8'?><trials><Triall><main><trial_id>ChiCTR2400000002</trial_id>"
           "<public_title>阿帕替尼治疗肝细胞癌</public_title><scientific_title>Apatinib for HCC</scientific_title>"
           "<recruitment_status>Recruiting</recruitment_status><target_size>单臂:30;</target_size>"
           "<i_freetext>单臂:阿帕替尼 250mg 口服 每日1次;</i_freetext></main>"
           "<criteria><inclusion_criteria>1、年龄18-75岁；2、ECOG 0-1</inclusion_criteria><agemin>18</agemin>"
           "<agemax>75</agemax><gender>Both</gender></criteria></Triall></trials>")
    path = tmp_path / "x.xml"
    path.write_text(xml, encoding="utf-8")
    [t] = records(path, "chictr_ictrp_xml")
    assert t.brief_title.zh == "阿帕替尼治疗肝细胞癌" and t.brief_title.en is None
    assert t.scientific_title.en == "Apatinib for HCC"
    assert [(a.label.zh, a.sample_size) for a in t.arms] == [("单臂", 30)]
    [iv] = t.interventions
    assert iv.lexicon_ids == ["apatinib"] and iv.doses[0].amount == 250 and iv.doses[0].frequency == "QD"
    assert [i.zh for i in t.eligibility.inclusion] == ["年龄18-75岁；", "ECOG 0-1"]
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 75)
