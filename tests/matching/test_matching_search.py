"""Bilingual search on SQLite (FTS5) and PostgreSQL (tsvector): both languages, filters."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers_matching import make_trial

from hcctrials.matching.search import SEARCH_DOCUMENTS, SearchFilters, normalise_filters, parse_query
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
    assert refresh_search_index(s, builder=SEARCH_DOCUMENTS) == len(records)
    assert refresh_search_index(s, builder=SEARCH_DOCUMENTS) == 0  # nothing stale any more
    yield s
    s.close()


def _ids(store, q: str, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.trial_id for h in search_trials(store, parse_query(q), filters=normalise_filters(SearchFilters(**filters)))]


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


CCA_EN = make_trial(
    "NCT09990004", brief_title={"en": "Durvalumab in advanced biliary tract cancer"},
    conditions=[{"en": "Cholangiocarcinoma"}], overall_status="recruiting")


def test_condition_names_cross_languages(db_url: str) -> None:
    """A condition named in one language is found by its name in the other (concept tokens):
    肝细胞癌 finds English-only HCC records, 'hepatocellular carcinoma' the Chinese-only one; HCC and
    cholangiocarcinoma are both liver cancers (肝癌), but neither is found by the other's name."""
    with open_store(db_url) as s:
        s.save_trials([ZH_ONLY, EN_ONLY, FIRST_LINE, CCA_EN])
        refresh_search_index(s, builder=SEARCH_DOCUMENTS)
        hcc = {"ChiCTR2699000001", "NCT09990002", "NCT09990003"}
        assert set(_ids(s, "肝细胞癌")) == hcc
        assert set(_ids(s, "hepatocellular carcinoma")) == hcc
        assert set(_ids(s, "HCC")) == hcc
        assert set(_ids(s, "肝癌")) == hcc | {"NCT09990004"}
        assert _ids(s, "胆管癌") == ["NCT09990004"]
        assert _ids(s, "cholangiocarcinoma") == ["NCT09990004"]
        assert set(_ids(s, "肝细胞癌二线")) == {"ChiCTR2699000001", "NCT09990002"}  # AND the setting
        # a quoted phrase is searched as written, without the concept
        assert _ids(s, '"hepatocellular carcinoma"') == []


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
    assert refresh_search_index(store, builder=SEARCH_DOCUMENTS) == 1
    assert "NCT09990002" in _ids(store, "third")
    assert "NCT09990002" not in _ids(store, "sorafenib")
    assert index_trials(store, [changed], builder=SEARCH_DOCUMENTS) == 1


# --- speed-ups must not change results ---------------------------------------------------------

def _stored_documents(store) -> list[tuple]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from hcctrials.storage.search_index import search_documents

    c = search_documents.c
    cols = [c.trial_id, c.registry, c.raw_sha256, c.tokens, c.status, c.phases, c.settings, c.classes, c.drugs,
            c.places, c.study_start, c.title]
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*cols).order_by(c.trial_id))]


def test_parallel_rebuild_equals_single_process(store) -> None:  # type: ignore[no-untyped-def]
    from hcctrials.storage.search_index import rebuild_search_index

    from_refresh = _stored_documents(store)
    assert rebuild_search_index(store, builder=SEARCH_DOCUMENTS, workers=1) == len(from_refresh)
    assert _stored_documents(store) == from_refresh
    assert rebuild_search_index(store, builder=SEARCH_DOCUMENTS, workers=2) == len(from_refresh)  # forkserver worker processes
    assert _stored_documents(store) == from_refresh
    assert refresh_search_index(store, builder=SEARCH_DOCUMENTS) == 0
    assert {"ChiCTR2600122298", "ChiCTR2699000001", "NCT09990002"} <= set(_ids(store, "阿帕替尼 二线"))


def test_documents_from_stored_json_equal_documents_from_trials(seed_trials, shared_dir) -> None:  # type: ignore[no-untyped-def]
    from hcctrials.matching.search import build_search_document
    from hcctrials.storage.search_index import document_rows

    from hcctrials.sources.base import ParsedRecord
    from hcctrials.sources.detect import parse_path
    from hcctrials.storage.search_index import _document_row

    real = [r.trial for r in parse_path(shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-5.json")
            if isinstance(r, ParsedRecord)]
    assert sum(len(t.sites) for t in real) > 100  # sites are read from the JSON, not validated
    records = [*seed_trials.values(), ZH_ONLY, EN_ONLY, FIRST_LINE, *real]
    for dialect in ("sqlite", "postgresql"):
        rows = document_rows([t.model_dump_json() for t in records], dialect, SEARCH_DOCUMENTS)
        for trial, row in zip(records, rows, strict=True):
            assert row == _document_row(trial, dialect, SEARCH_DOCUMENTS)
            assert row["tokens"] == " ".join(build_search_document(trial).tokens)


def test_tokenize_cache_gives_the_same_tokens() -> None:
    from hcctrials.vocab.segment import _tokenize, tokenize

    text = "卡瑞利珠单抗联合阿帕替尼二线治疗 PD-1 inhibitors in advanced HCC"
    assert tokenize(text) == _tokenize(text) == tokenize(text)  # cached the second time
    long_text = " ".join([text] * 20)  # longer than the cached length
    assert tokenize(long_text) == _tokenize(long_text) == tokenize(text) * 20
    tokens = tokenize(text)
    tokens.append("mutated")  # callers get a copy, never the cached tuple
    assert "mutated" not in tokenize(text)


def _rule_texts(shared_dir) -> list[str]:  # type: ignore[no-untyped-def]
    from hcctrials.matching.setting import _texts
    from hcctrials.sources.base import ParsedRecord
    from hcctrials.sources.detect import parse_path

    paths = sorted((shared_dir / "data/registry/ctgov_api_v2_json").glob("*.json"))
    paths += [p for p in sorted((shared_dir / "seeds").glob("*.txt")) if not p.name.startswith("003")]
    return [text for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord) for _, _, text in _texts(r.trial)]


def test_setting_rule_literals_never_hide_a_match(shared_dir) -> None:  # type: ignore[no-untyped-def]
    """classify_trial_setting skips a rule's regex when the text has none of its literals: every
    real text (CT.gov JSON + seeds) that a rule matches must contain one of its literals."""
    from hcctrials.matching.setting import _ADVANCED, _RULES, _caseless, _may_match

    texts = _rule_texts(shared_dir)
    assert len(texts) > 500
    matched = 0
    for text in texts:
        caseless = _caseless(text)
        for key, pattern in (*_RULES, ("_advanced", _ADVANCED)):
            if pattern.search(text):
                matched += 1
                assert _may_match(key, caseless), (key, text)
    assert matched > 50


_FRAGMENTS = ["second-line", "SECOND LINE", "2L", "third-line", "previously treated with sorafenib",
              "PRİOR systemic", "prıor sorafenib", "progressed on atezolizumab", "failure of first-line",
              "intolerant to lenvatinib", "received one prior systemic", "treatment-naïve", "TREATMENT-NAIVE",
              "no prior systemic", "not previously received systemic", "first line", "1L", "front-line",
              "neo-adjuvant", "Peri-operative", "pre-operative therapy", "adjuvant", "post-operative treatment",
              "after curative hepatectomy", "high risk of recurrence", "conversion therapy", "down-staging",
              "potentially resectable", "intermediate-stage", "BCLC stage B", "BCLC-C", "unresectable, non-metastatic",
              "advanced", "metastatic", "stage C", "locally advanced", "二线", "三线", "后线", "经治",
              "既往接受过系统治疗", "免疫治疗后进展", "耐药进展", "一线治疗失败", "一线", "初治", "未接受过系统治疗",
              "新辅助", "围手术期", "术前治疗", "术后辅助", "辅助治疗", "根治性切除术后", "术后复发高危", "转化治疗",
              "降期", "潜在可切除", "中期肝癌", "BCLC B期", "晚期", "不可切除", "转移性", "BCLC C期",
              "sorafenib was the only systemic", "ſecond-line", "\u212a", "the", "of", " ", ",", "HCC", "肝癌"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=6), st.sampled_from([" ", "", "; "]))
def test_setting_rule_literals_property(parts: list[str], sep: str) -> None:
    from hcctrials.matching.setting import _ADVANCED, _RULES, _caseless, _may_match

    text = sep.join(parts)
    for key, pattern in (*_RULES, ("_advanced", _ADVANCED)):
        if pattern.search(text):
            assert _may_match(key, _caseless(text)), (key, text)
