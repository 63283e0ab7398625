"""The catalog's facet columns in memory (:class:`hcctrials.storage.search_index.CatalogIndex`) answer
exactly as the SQL of :func:`search_facets` and :func:`search_catalog_page`, on SQLite and PostgreSQL.

A coordinator narrows the catalog with words and filters; next to every value she sees how many
trials choosing it would give, her other choices kept (exclusive counts).  The web app computes these
from columns kept in memory, so the test holds them to two references over a small made-up catalog
(40 records, statuses, phases, start dates, drugs, sites and conditions cycled):

* a straightforward count in Python over the stored documents (each filter value checked by
  membership in the document's list, the words' documents from :func:`search_trials`);
* the SQL path (one ``GROUP BY`` pass per set of filters, the page read by ``ORDER BY``), including
  what only the database decides: ``LIKE`` wildcards in a value, where a missing start date sorts
  (last on SQLite, first on PostgreSQL), and ties of rank broken by trial id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from hcctrials.matching.search import CONDITION_TOKENS, SEARCH_DOCUMENTS, parse_query
from hcctrials.model.search import QueryTerm, SearchFilters, SearchQuery
from hcctrials.model.trial import Trial
from hcctrials.storage import open_store
from hcctrials.storage.schema import search_documents
from hcctrials.storage.search_index import (
    CatalogIndex,
    CatalogSelection,
    document_ids,
    refresh_search_index,
    search_catalog_page,
    search_data_version,
    search_facets,
    search_trials,
)

STATUSES = ("recruiting", "completed", "terminated", "not_yet_recruiting", "unknown", "active_not_recruiting",
            "withdrawn")
PHASES: tuple[list[str], ...] = (["phase2"], ["phase3"], ["phase1", "phase2"], [], ["phase2", "phase3"],
                                  ["early_phase1"])
STARTS = ("2019-03-01", "2020-07-15", "2020-12-31", None, "2021-01-01", "2020-01-01")  # by i // 2
DRUGS = (("Sorafenib", "sorafenib"), ("Camrelizumab", "camrelizumab"), ("TACE", "tace"),
         ("Lenvatinib", "lenvatinib"), ("Bevacizumab", "bevacizumab"))
SITES = ((("Beijing", "China"),), (("Shanghai", "China"),), (("Seoul", "Korea, Republic of"),), (),
         (("Beijing", "China"), ("Seoul", "Korea, Republic of")))  # by i // 3
CONDITIONS = ("Hepatocellular carcinoma", "Intrahepatic cholangiocarcinoma", "Liver cancer")


def _record(full_trial: Callable[..., Trial], i: int, raw: str = "") -> Trial:
    name, lexicon_id = DRUGS[i % len(DRUGS)]
    base = full_trial(f"ChiCTR26000000{i:02d}", raw=f"r{i}{raw}").model_dump(mode="json")
    condition = CONDITIONS[i % len(CONDITIONS)]
    return Trial.model_validate({
        **base, "overall_status": STATUSES[i % len(STATUSES)], "phases": PHASES[i % len(PHASES)],
        "dates": {"registered": "2019-01-01", "study_start": STARTS[i // 2 % len(STARTS)]},
        "brief_title": {"en": f"{name} for {condition.lower()}"}, "conditions": [{"en": condition}],
        "interventions": [{"type": "drug", "name": {"en": name}, "lexicon_ids": [lexicon_id]}],
        "sites": [{"institution": {"en": "A hospital"}, "city": {"en": city}, "country": {"en": country}}
                  for city, country in SITES[i // 3 % len(SITES)]]})


@pytest.fixture
def store(db_url: str, full_trial: Callable[..., Trial]) -> Iterator[Any]:
    with open_store(db_url) as s:
        s.save_trials([_record(full_trial, i) for i in range(40)])
        refresh_search_index(s, builder=SEARCH_DOCUMENTS)
        # new versions of the first ten, indexed again: their documents come last, so document order is
        # not trial id order (ties of rank are broken by trial id)
        s.save_trials([_record(full_trial, i, raw="again") for i in range(10)])
        refresh_search_index(s, builder=SEARCH_DOCUMENTS)
        yield s


def _groups(store: Any) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Two named sets of documents, as the web's recruiting states are handed in."""
    ids = sorted(document_ids(store).values())
    return (("open", tuple(ids[0::3])), ("closed", tuple(i for i in ids if i not in ids[0::3])))


#: (words, filters, condition tokens, chosen groups): what a coordinator might choose.
SELECTIONS: list[tuple[str, SearchFilters, tuple[str, ...], tuple[str, ...]]] = [
    ("", SearchFilters(), (), ()),
    ("sorafenib", SearchFilters(), (), ()),
    ("hepatocellular carcinoma", SearchFilters(status=("recruiting", "completed")), (), ()),
    ("", SearchFilters(phase=("phase2",), drug_class=("tki",)), (), ()),
    ("TACE", SearchFilters(place=("seoul",)), (), ("open",)),
    ("", SearchFilters(started_after=date(2020, 1, 1), started_before=date(2020, 12, 31)), (), ()),
    ("", SearchFilters(setting=("advanced_line_unspecified",), phase=("phase1", "phase3")),
     (CONDITION_TOKENS["cholangiocarcinoma"],), ()),
    ("lenvatinib", SearchFilters(status=("unknown", "recruiting"), place=("beijing", "shanghai")), (),
     ("open", "closed")),
    ("", SearchFilters(drug=("camrelizumab", "bevacizumab"), status=("terminated",)),
     (CONDITION_TOKENS["hcc"], CONDITION_TOKENS["liver_cancer"]), ("closed",)),
    ("carcinoma", SearchFilters(registry=("chictr",), started_after=date(2020, 1, 1)), (), ()),
]


def _selection(store: Any, words: str, filters: SearchFilters, tokens: tuple[str, ...],
               chosen: tuple[str, ...]) -> CatalogSelection:
    return CatalogSelection(parse_query(words), filters, tokens, _groups(store), chosen)


def _listed(value: str) -> set[str]:
    return {v for v in value.split(",") if v}


def _reference(store: Any, selection: CatalogSelection) -> tuple[set[str], dict[str, dict[str, int]]]:
    """The trials of *selection* and its exclusive counts, worked out document by document."""
    c = search_documents.c
    with store.engine.connect() as conn:
        docs = [r._asdict() for r in conn.execute(search_documents.select().with_only_columns(
            c.doc_id, c.trial_id, c.status, c.registry, c.phases, c.settings, c.classes, c.drugs, c.places,
            c.study_start))]

    def found(query: SearchQuery) -> set[str]:
        return {h.trial_id for h in search_trials(store, query, limit=1000)}

    def any_token(tokens: tuple[str, ...]) -> set[str]:
        return found(SearchQuery(" ".join(tokens), (QueryTerm("any", tuple((t,) for t in tokens)),)))

    f = selection.filters
    words = found(selection.query) if selection.query.terms else None
    conditions = any_token(selection.condition_tokens) if selection.condition_tokens else None
    chosen = {i for name, ids in selection.groups if name in selection.group for i in ids}

    def passes(d: dict[str, Any], facet: str) -> bool:
        start = d["study_start"]
        return bool(
            (words is None or d["trial_id"] in words)
            and (facet == "condition" or conditions is None or d["trial_id"] in conditions)
            and (facet == "group" or not selection.group or d["doc_id"] in chosen)
            and (facet == "status" or not f.status or d["status"] in f.status)
            and (facet == "registry" or not f.registry or d["registry"] in f.registry)
            and (facet == "phase" or not f.phase or _listed(d["phases"]) & set(f.phase))
            and (facet == "setting" or not f.setting or _listed(d["settings"]) & set(f.setting))
            and (facet == "drug_class" or not f.drug_class or _listed(d["classes"]) & set(f.drug_class))
            and (facet == "place" or not f.place or _listed(d["places"]) & set(f.place))
            and (not f.drug or _listed(d["drugs"]) & set(f.drug))
            and (facet == "year" or not f.started_after
                 or (start is not None and start >= f.started_after.isoformat()))
            and (facet == "year" or not f.started_before
                 or (start is not None and start <= f.started_before.isoformat())))

    per_condition = {value: any_token((token,)) for value, token in CONDITION_TOKENS.items()}
    groups = {name: set(ids) for name, ids in selection.groups}

    def values(d: dict[str, Any], facet: str) -> set[str]:
        if facet in ("status", "registry"):
            return {d[facet]}
        if facet == "year":
            return {d["study_start"][:4]} if d["study_start"] else set()
        if facet == "condition":
            return {v for v, trials in per_condition.items() if d["trial_id"] in trials}
        if facet == "group":
            return {name for name, ids in groups.items() if d["doc_id"] in ids}
        return _listed(d[{"phase": "phases", "setting": "settings", "drug_class": "classes",
                          "place": "places"}[facet]])

    counts: dict[str, dict[str, int]] = {}
    for facet in ("condition", "status", "phase", "registry", "setting", "drug_class", "year", "place", "group"):
        tally: dict[str, int] = {}
        for d in docs:
            if passes(d, facet):
                for v in values(d, facet):
                    tally[v] = tally.get(v, 0) + 1
        counts[facet] = tally
    return {d["trial_id"] for d in docs if passes(d, "")}, counts


@pytest.mark.parametrize("chosen", SELECTIONS, ids=[f"{w or '-'}:{i}" for i, (w, *_rest) in enumerate(SELECTIONS)])
def test_counts_and_pages_equal_the_reference_and_the_sql(store: Any, chosen: Any) -> None:
    selection = _selection(store, *chosen)
    index = CatalogIndex.load(store)
    assert index.version == search_data_version(store)

    trials, expected = _reference(store, selection)
    counts = index.facets(store, selection, conditions=CONDITION_TOKENS)
    assert counts.total == len(trials)
    assert {facet: dict(pairs) for facet, pairs in counts.counts.items()} == expected
    assert counts == search_facets(store, selection, conditions=CONDITION_TOKENS)

    listed: list[str] = []
    for offset in (0, 7, 14, 21, 28, 35, 42):  # pages of 7 (ties of rank broken by trial id across pages)
        page = index.page(store, selection, limit=7, offset=offset)
        assert page == search_catalog_page(store, selection, limit=7, offset=offset)
        assert page[0] == len(trials)
        listed.extend(h.trial_id for h in page[1])
    assert sorted(listed) == sorted(trials)  # every trial once


def test_a_value_is_read_by_the_database_wildcards_included(store: Any) -> None:
    # "phase_": LIKE's "_" matches any one character, so the SQL reads phase1, phase2 and phase3; the
    # columns in memory ask the database which stored lists pass and so read it the same way
    selection = _selection(store, "", SearchFilters(phase=("phase_",)), (), ())
    index = CatalogIndex.load(store)
    counts = index.facets(store, selection, conditions=CONDITION_TOKENS)
    assert counts == search_facets(store, selection, conditions=CONDITION_TOKENS)
    assert counts.total == sum(1 for i in range(40) if {"phase1", "phase2", "phase3"} & set(PHASES[i % len(PHASES)]))
    assert index.page(store, selection, limit=50) == search_catalog_page(store, selection, limit=50)


def test_cached_answers_stay_equal_and_an_ingest_changes_the_version(store: Any,
                                                                     full_trial: Callable[..., Trial]) -> None:
    index = CatalogIndex.load(store)
    selection = _selection(store, "sorafenib", SearchFilters(status=("recruiting",)), (), ())
    first = index.facets(store, selection, conditions=CONDITION_TOKENS)
    assert index.facets(store, selection, conditions=CONDITION_TOKENS) == first  # from the kept match and filter
    store.save_trials([_record(full_trial, 40)])
    refresh_search_index(store, builder=SEARCH_DOCUMENTS)
    assert search_data_version(store) != index.version  # the web reads a new index for the new data
    fresh = CatalogIndex.load(store)
    assert fresh.facets(store, selection, conditions=CONDITION_TOKENS) == search_facets(
        store, selection, conditions=CONDITION_TOKENS)


def test_word_matches_kept_are_bounded(store: Any) -> None:
    # searches finding nothing (typos, made-up words) are kept too, but not without end
    index = CatalogIndex.load(store)
    for i in range(450):
        assert index.facets(store, _selection(store, f"zzqx{i}", SearchFilters(), (), ()),
                            conditions=CONDITION_TOKENS).total == 0
    assert len(index._matches._data) <= 400
    assert index.facets(store, _selection(store, "sorafenib", SearchFilters(), (), ()),
                        conditions=CONDITION_TOKENS).total == 8  # i % 5 == 0: 0, 5, ..., 35


def test_simultaneous_misses_read_once() -> None:
    import threading
    import time

    from hcctrials.storage.search_index import _Kept

    reads: list[int] = []

    def read() -> str:
        reads.append(1)
        time.sleep(0.05)
        return "answer"

    kept = _Kept(10)
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(kept.get("q", read))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == ["answer"] * 8 and len(reads) == 1
