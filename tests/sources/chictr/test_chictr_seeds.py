"""Golden records of the ChiCTR seeds (000: page text, 001: PDF export), values asserted.

Every expected value below is read off the seed text itself (file and line cited).
Regenerate the golden JSON with HCCTRIALS_UPDATE_GOLDEN=1 after checking the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.chictr import ChictrTextParser
from hcctrials.sources.detect import detect_parser

GOLDEN = Path(__file__).parent / "golden"
SEED_000 = "000_0f9b476466e10808.txt"
SEED_001 = "001_f8b8258f40032f41.txt"


def check_golden(trial: Trial, name: str) -> None:
    """Compare the normalised record with tests/sources/chictr/golden/<name>.json."""
    data = trial.model_dump(mode="json")
    data["provenance"]["source_file"] = Path(data["provenance"]["source_file"]).name
    path = GOLDEN / f"{name}.json"
    if os.environ.get("HCCTRIALS_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.is_file(), f"golden file {path} missing: run with HCCTRIALS_UPDATE_GOLDEN=1"
    assert data == json.loads(path.read_text(encoding="utf-8"))


def parse(path: Path) -> Trial:
    parser = detect_parser(path)
    assert parser.source_format == "chictr_text"
    [result] = list(parser.iter_records(path))
    assert isinstance(result, ParsedRecord)
    return result.trial


@pytest.fixture(scope="module")
def seed000(seeds_dir: Path) -> Trial:
    return parse(seeds_dir / SEED_000)


@pytest.fixture(scope="module")
def seed001(seeds_dir: Path) -> Trial:
    return parse(seeds_dir / SEED_001)


def test_seed000_golden(seed000: Trial) -> None:
    check_golden(seed000, "seed000_ChiCTR2600122298")


def test_seed000_identity_dates_status(seed000: Trial) -> None:
    t = seed000
    assert t.trial_id == "ChiCTR2600122298"  # seed 000 line 7
    assert t.registry.value == "chictr"
    assert [(i.scheme, i.value, i.primary) for i in t.identifiers] == [("chictr", "ChiCTR2600122298", True)]
    assert t.dates.last_updated == "2026-04-11"  # line 13
    assert t.dates.registered == "2026-04-11"  # line 19
    assert t.registration_status == "retrospective"  # 补注册 / Retrospective registration, lines 23/27
    assert t.brief_title.en.startswith("Efficacy and safety of Adebrelimab plus Apatinib")
    assert t.brief_title.zh.startswith("阿得贝利单抗(PD-L1抑制剂)联合阿帕替尼")
    assert t.study_type == "interventional"  # 干预性研究, line 293
    assert t.phases == ["na"]  # 其它 / N/A, lines 301/305
    assert (t.design.allocation, t.design.intervention_model, t.design.masking) == ("na", "single_group", "none")
    assert t.overall_status.value == "not_yet_recruiting"  # 尚未开始 / Not yet recruiting, lines 739/741
    assert (t.status_text.zh, t.status_text.en) == ("尚未开始", "Not yet recruiting")
    # Study execute time / Recruiting time, lines 367 and 373
    assert (t.dates.study_start, t.dates.study_completion) == ("2025-12-30", "2028-06-30")
    assert (t.dates.recruitment_start, t.dates.recruitment_end) == ("2025-12-30", "2027-03-31")


def test_seed000_arm_interventions_enrollment(seed000: Trial) -> None:
    t = seed000
    [arm] = t.arms  # 单臂研究 / Single-Arm Study, 样本量 47 (lines 381-385)
    assert (arm.label.zh, arm.label.en, arm.sample_size, arm.type) == ("单臂研究", "Single-Arm Study", 47, "experimental")
    assert (t.enrollment.count, t.enrollment.type) == (47, "anticipated")
    adebrelimab, apatinib = t.interventions  # line 395
    assert adebrelimab.lexicon_ids == ["adebrelimab"] and adebrelimab.name.zh == "阿得贝利单抗"
    [dose] = adebrelimab.doses
    assert (dose.amount, dose.unit, dose.route, dose.frequency) == (1200, "mg", "iv", "Q3W")
    assert apatinib.lexicon_ids == ["apatinib"]
    [dose] = apatinib.doses
    assert (dose.amount, dose.unit, dose.route, dose.frequency) == (250, "mg", "oral", "QD")
    # both texts are kept: the Chinese names adebrelimab, the English (line 401) atezolizumab
    assert adebrelimab.description.zh.startswith("阿得贝利单抗 1200mg")
    assert adebrelimab.description.en.startswith("Atezolizumab 1200mg")
    assert arm.intervention_names == ["adebrelimab", "Apatinib"]


def test_seed000_eligibility(seed000: Trial) -> None:
    e = seed000.eligibility
    # 纳入标准 is directly followed by "Inclusion criteria" and 排除标准 (lines 331-335): empty
    assert e.inclusion == []
    assert len(e.exclusion) == 11  # items 1-11 in both languages, lines 337-361
    assert e.exclusion[0].zh == "既往接受过PD-L1免疫治疗或者阿帕替尼靶向药物治疗;"
    assert e.exclusion[0].en == "Previously received PD-L1 immunotherapy or apatinib targeted therapy;"
    assert e.exclusion[10].en.startswith("Known positive HIV test")
    assert (e.min_age_years, e.max_age_years, e.sex) == (18, None, "all")  # lines 747-756


def test_seed000_outcomes_sites_ethics(seed000: Trial) -> None:
    t = seed000
    assert len(t.outcomes) == 8  # eight 指标中文名 blocks, lines 452-706
    [primary] = [o for o in t.outcomes if o.kind == "primary"]
    assert (primary.measure.zh, primary.measure.en) == ("疾病客观缓解率", "Objective Response Rate(ORR)")
    assert primary.method.zh == "胸部、腹部和盆腔增强CT或增强MRI扫描"
    assert primary.time_frame.en.startswith("Once every 2 courses of treatment")
    assert [o.kind for o in t.outcomes].count("secondary") == 7
    [site] = t.sites  # lines 409-446
    assert (site.country.zh, site.province.en, site.level.zh, site.level.en) == ("中国", "Guangdong", "三级甲等", "Tertiary A")
    assert site.institution.zh == "中国医学科学院肿瘤医院深圳医院"
    assert t.ethics.approved is True and t.ethics.approval_number == "YW2025-17-1"
    assert t.ethics.approval_date == "2025-04-17"
    lead, secondary = t.sponsors
    assert (lead.role, lead.name.en) == ("lead", "Shenzhen Hospital of Cancer Hospital, Chinese Academy of Medical Sciences")
    assert secondary.role == "secondary" and secondary.address.zh == "中国广东省深圳市龙岗区宝荷路113号"
    assert t.funding[0].zh == "自选课题(自筹)"
    assert "Resman" in t.ipd_sharing.en and t.ipd_sharing.zh.startswith("是否共享原始数据: 是")
    assert "病例记录表(CRF)" in t.data_management.zh
    assert t.contacts[0].en.startswith("Applicant: Song Peng")


def test_seed000_findings(seed000: Trial) -> None:
    by_code = {(f.code, f.field): f for f in seed000.findings}
    mismatch = by_code[("bilingual_mismatch", "interventions")]
    assert "adebrelimab" in mismatch.values["zh"] and "Atezolizumab" in mismatch.values["en"]
    schedule = by_code[("contradictory_schedule", "interventions[0].doses")]  # (每周1次, Q3W), line 395
    assert {schedule.values["first"], schedule.values["second"]} == {"QW", "Q3W"}
    assert ("missing_field", "eligibility.inclusion") in by_code
    # 尚未开始 on 2026-04-11 although recruiting began 2025-12-30
    assert by_code[("stale_status", "overall_status")].values["recruitment_start"] == "2025-12-30"
    assert not any(f.field == "titles" for f in seed000.findings)  # both titles name the same drugs


def test_seed001_golden(seed001: Trial) -> None:
    check_golden(seed001, "seed001_ChiCTR2500111736")


def test_seed001_values(seed001: Trial) -> None:
    t = seed001
    assert t.trial_id == "ChiCTR2500111736"  # seed 001 line 15
    assert t.registration_status == "prospective"  # 预注册, line 31
    assert t.phases == ["phase4"]  # 上市后药物 / 4, lines 304-308
    assert t.dates.last_updated == "2025-11-05"
    assert (t.dates.recruitment_start, t.dates.recruitment_end) == ("2025-11-15", "2027-11-30")  # line 405
    assert (t.eligibility.min_age_years, t.eligibility.max_age_years) == (18, 75)  # lines 685-686
    assert t.conditions[0].en == "Metastatic hepatic carcinoma" and t.conditions[0].zh is None
    assert t.ethics.approved is True and t.ethics.approval_number == "YYYIRB-IIT[2025]063"
    [arm] = t.arms
    assert (arm.label.zh, arm.sample_size) == ("试验组", 35)
    # The group says only 药物干预 / Drug intervention; the title names the drugs (line 39:
    # 特瑞普利单抗联合瑞戈非尼...), so those are the interventions, typed drug, with a
    # derived_value finding saying where they came from (issue 11; earlier: one untyped
    # "Drug intervention" and no drug).
    assert [(iv.type, iv.name.zh, iv.lexicon_ids, iv.arm_labels) for iv in t.interventions] == [
        ("drug", "特瑞普利单抗", ["toripalimab"], ["Treatment group"]),
        ("drug", "瑞戈非尼", ["regorafenib"], ["Treatment group"])]
    assert arm.intervention_names == ["toripalimab", "regorafenib"]
    [derived] = [f for f in t.findings if f.code == "derived_value"]
    assert derived.field == "interventions" and "药物干预" in derived.message
    assert [o.kind for o in t.outcomes] == ["primary", "secondary", "secondary", "secondary", "secondary"]
    assert t.ipd_sharing.en.startswith("IPD sharing: No")


def test_seed001_criteria_aligned(seed001: Trial) -> None:
    e = seed001.eligibility
    # 14 inclusion items (Chinese lines 336-349; English all on line 353), 17 exclusion items
    assert len(e.inclusion) == 14 and all(i.zh and i.en for i in e.inclusion)
    assert len(e.exclusion) == 17 and all(i.zh and i.en for i in e.exclusion)
    assert e.inclusion[0].zh == "愿意并能够签署书面知情同意书。"
    assert e.inclusion[0].en == "Willing and able to sign a written informed consent form."
    assert e.inclusion[5].en == ("Liver function is classified as Child Pugh grade A (with a score of 5-6) "
                                 "or grade B (with a score of 7).")
    assert e.inclusion[13].zh.startswith("筛选前4周内未参加其他临床试验")
    assert e.inclusion[13].en.startswith("Participants must not have participated")
    assert e.exclusion[16].en.startswith("Other conditions that the researchers consider")
    assert not any(f.field.startswith("eligibility") for f in seed001.findings)


def test_seed001_findings(seed001: Trial) -> None:
    [mismatch] = [f for f in seed001.findings if f.code == "bilingual_mismatch"]
    assert mismatch.field == "objectives"  # English objectives (line 324) vs the Chinese (and the title)
    assert "toripalimab" in mismatch.values["zh"] and mismatch.values["en"] == "teprotumumab"
    # 尚未开始 with recruitment from 2025-11-15, last refreshed 2025-11-05: not stale
    assert not any(f.code == "stale_status" for f in seed001.findings)


def test_text_parser_is_the_one_detected_for_both_seeds(seeds_dir: Path) -> None:
    for name in (SEED_000, SEED_001):
        assert isinstance(detect_parser(seeds_dir / name), ChictrTextParser)
