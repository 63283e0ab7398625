"""Bilingual search on SQLite (FTS5) and PostgreSQL (tsvector): both languages, filters."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_matching import make_trial

from hcctrials.matching.search import SearchFilters, parse_query
from hcctrials.storage import open_store
from hcctrials.storage.search_index import index_trials, refresh_search_index, search_trials

ZH_ONLY = make_trial(
    "ChiCTR2699000001", brief_title={"zh": "卡瑞利珠单抗联合阿帕替尼二线治疗晚期肝细胞癌的单臂研究"},
    overall_status="recruiting", phases=["phase2"], dates={"study_start": "2025-03-01"},
    sites=[{"city": {"zh": "深圳"}, "province": {"zh": "广东"}, "country": {"zh": "中国"}}])
EN_ONLY = make_trial(
    "NCT09990002", brief_title={"en": "Apatinib as second-line therapy after sorafenib in advanced HCC"},
    overall_status="completed", phases=["phase3"], dates={"study_start": "2016-05"},
    interventions=[{"type": "drug", "name": {"en": "Apatinib"}}],
    sites=[{"city": {"en": "Nanjing"}, "country": {"en": "China"}}])
FIRST_LINE = make_trial(
    "NCT09990003", brief_title={"en": "Sintilimab plus IBI305 as first-line treatment of advanced HCC"},
    overall_status="recruiting", phases=["phase3"], dates={"study_start": "2019-02"},
    interventions=[{"type": "drug", "name": {"en": "sintilimab"}}],
    sites=[{"city": {"en": "Houston"}, "province": {"en": "Texas"}, "country": {"en": "United States"}}])


@pytest.fixture
def store(db_url: str, seed_trials):  # type: ignore[no-untyped-def]
    s = open_store(db_url)
    records = [*seed_trials.values(), ZH_ONLY, EN_ONLY, FIRST_LINE]
    s.save_trials(records)
    assert refresh_search_index(s) == len(records)
    assert refresh_search_index(s) == 0  # nothing stale any more
    yield s
    s.close()


def _ids(store, q: str, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.trial_id for h in search_trials(store, parse_query(q), filters=SearchFilters(**filters))]


def test_chinese_query_finds_both_languages(store) -> None:  # type: ignore[no-untyped-def]
    found = _ids(store, "阿帕替尼 二线")
    # seed 000 (adebrelimab + apatinib after first-line failure), the Chinese-only record and
    # the English-only "second-line" apatinib record; not the first-line sintilimab trial.
    assert {"ChiCTR2600122298", "ChiCTR2699000001", "NCT09990002"} <= set(found)
    assert "NCT09990003" not in found


def test_english_drug_name_finds_chinese_only_record(store) -> None:  # type: ignore[no-untyped-def]
    assert "ChiCTR2699000001" in _ids(store, "apatinib")
    assert "ChiCTR2699000001" in _ids(store, "camrelizumab")


def test_class_and_setting_words(store) -> None:  # type: ignore[no-untyped-def]
    assert "NCT09990003" in _ids(store, "PD-1 first-line")  # sintilimab is a PD-1 antibody
    assert "NCT09990003" not in _ids(store, "PD-1 二线")
    assert "NCT04011033" in _ids(store, "TACE")  # seed 004


def test_english_is_stemmed(store) -> None:  # type: ignore[no-untyped-def]
    # Snowball: "therapies" and "therapy" both stem to "therapi"; "treated" to "treat".
    assert "NCT09990002" in _ids(store, "sorafenib therapies")
    assert "NCT09990002" not in _ids(store, "sorafenib treated")


def test_filters(store) -> None:  # type: ignore[no-untyped-def]
    assert _ids(store, "apatinib", status=("recruiting",)) == ["ChiCTR2699000001"]
    assert _ids(store, "apatinib", phase=("phase3",)) == ["NCT09990002"]
    assert _ids(store, "", place=("深圳",)) == ["ChiCTR2699000001"]
    assert _ids(store, "", place=("Texas",)) == ["NCT09990003"]
    assert set(_ids(store, "", place=("广东",))) == {"ChiCTR2699000001", "ChiCTR2600122298"}
    assert set(_ids(store, "", setting=("advanced_second_line_plus",))) >= {"ChiCTR2699000001", "NCT09990002"}
    assert "NCT09990003" in _ids(store, "", drug_class=("pd1",))
    assert _ids(store, "", drug=("apatinib",), registry=("ctgov",)) == ["NCT09990002"]
    assert _ids(store, "", started_before=date(2017, 1, 1)) == ["NCT09990002"]
    assert "NCT09990002" not in _ids(store, "", started_after=date(2018, 1, 1))


def test_updated_record_is_reindexed(store) -> None:  # type: ignore[no-untyped-def]
    changed = EN_ONLY.model_copy(update={
        "brief_title": EN_ONLY.brief_title.model_copy(update={"en": "Rivoceranib in advanced HCC, third line"}),
        "provenance": EN_ONLY.provenance.model_copy(update={"raw_sha256": "f" * 64}),
        "dates": EN_ONLY.dates.model_copy(update={"last_updated": "2030-01-01"})})
    store.save_trials([changed])
    assert refresh_search_index(store) == 1
    assert "NCT09990002" in _ids(store, "third")
    assert "NCT09990002" not in _ids(store, "sorafenib")
    assert index_trials(store, [changed]) == 1
