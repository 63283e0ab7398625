"""hcctrials.sources.quality: bilingual drug, schedule and status-window checks (pure)."""

from __future__ import annotations

from datetime import date

from hcctrials.model.trial import Dose, Intervention, OverallStatus, Provenance, Text, Trial, TrialDates
from hcctrials.sources.quality import check_bilingual_drugs, check_record, check_schedules, check_status_window


def trial(**fields: object) -> Trial:
    return Trial(trial_id="ChiCTR2400000001", registry="chictr",
                 provenance=Provenance(source_format="test", raw_sha256="0"), **fields)  # type: ignore[arg-type]


def test_different_drugs_in_the_two_languages() -> None:
    t = trial(objectives=Text(zh="评价仑伐替尼联合信迪利单抗的疗效", en="To evaluate lenvatinib plus tislelizumab"))
    [finding] = check_bilingual_drugs(t)
    assert finding.code == "bilingual_mismatch" and finding.field == "objectives"
    assert "sintilimab" in finding.values["zh"] and finding.values["en"] == "tislelizumab"


def test_same_drugs_or_a_shorter_translation_is_fine() -> None:
    same = trial(brief_title=Text(zh="阿帕替尼联合卡瑞利珠单抗", en="Apatinib plus camrelizumab"))
    shorter = trial(objectives=Text(zh="评价仑伐替尼联合信迪利单抗", en="To evaluate the combination"))
    assert check_bilingual_drugs(same) == [] and check_bilingual_drugs(shorter) == []


def test_unlisted_inn_name_is_still_compared() -> None:
    t = trial(objectives=Text(zh="特瑞普利单抗联合瑞戈非尼", en="zanidatamab combined with regorafenib"))
    [finding] = check_bilingual_drugs(t)
    assert finding.values["en"] == "zanidatamab"


def test_contradictory_schedule() -> None:
    iv = Intervention(name=Text(zh="阿得贝利单抗"), description=Text(zh="阿得贝利单抗 1200mg 静脉滴注 (每周1次, Q3W)"),
                      doses=[Dose(amount=1200, unit="mg", frequency="Q3W")])
    [finding] = check_schedules(trial(interventions=[iv]))
    assert finding.code == "contradictory_schedule" and {finding.values["first"], finding.values["second"]} == {"QW", "Q3W"}
    clean = Intervention(name=Text(en="x"), description=Text(en="1200 mg IV Q3W"))
    assert check_schedules(trial(interventions=[clean])) == []


def test_status_window_uses_the_record_date_not_the_clock() -> None:
    t = trial(overall_status=OverallStatus.RECRUITING,
              dates=TrialDates(last_updated="2027-06-01", recruitment_start="2025-01-01", recruitment_end="2027-03-31"))
    [finding] = check_status_window(t)
    assert finding.code == "stale_status" and finding.values["as_of"] == "2027-06-01"
    assert check_status_window(t, as_of=date(2027, 4, 15)) == []  # within 30 days (42 CFR 11.64)
    assert check_status_window(trial(overall_status=OverallStatus.RECRUITING)) == []  # no date: nothing to say


def test_not_yet_recruiting_long_after_start() -> None:
    t = trial(overall_status=OverallStatus.NOT_YET_RECRUITING,
              dates=TrialDates(last_updated="2026-04-11", recruitment_start="2025-12-30"))
    [finding] = check_status_window(t)
    assert "102 days" in finding.message
    assert check_status_window(t, as_of=date(2026, 1, 15)) == []


def test_check_record_does_not_repeat_existing_findings() -> None:
    t = trial(objectives=Text(zh="仑伐替尼", en="sorafenib"))
    t.findings.extend(check_record(t))
    assert len(t.findings) == 1 and check_record(t) == []
