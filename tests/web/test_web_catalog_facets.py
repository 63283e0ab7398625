"""The catalog's filters and counts per facet, on a catalog of a few hundred real records, SQLite and
PostgreSQL.

A coordinator narrowing the catalog sees, next to every filter value, how many trials she would get
by choosing it with her other choices kept (standard faceted search: a facet's own choice does not
shrink its own counts).  Expected numbers are worked out here, trial by trial, from the library:
the search of ``hcctrials trials search`` for the words, each record's search document
(:func:`hcctrials.matching.search.build_search_document`) for its filter values, and
:func:`hcctrials.matching.status.evaluate_recruiting_status` on the app's "today" for the
recruiting state: never from the app's own output.

The records are the seed registry records and the HINT subset of ../shared (tests-only data) with new
ids, their statuses cycled through every status and their recruitment windows moved around
"today", so that every recruiting state occurs.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from web_support import TODAY, ingest_examples, make_client

ROOT = Path(__file__).resolve().parents[2]
N_TRIALS = 240
FACETS = ("recruiting", "condition", "status", "phase", "registry", "setting", "class", "year", "place")


def _varied_records() -> list[Any]:
    from hcctrials.model.trial import OverallStatus

    spec = importlib.util.spec_from_file_location("matching_bench", ROOT / "benchmarks" / "matching_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    statuses = list(OverallStatus)
    out = []
    for i, trial in enumerate(bench.vary(bench.base_trials(), N_TRIALS)):
        start = TODAY + timedelta(days=(i % 11) * 90 - 600)
        end = start + timedelta(days=(i % 5) * 200)
        dates = trial.dates.model_copy(update={"recruitment_start": start.isoformat(),
                                               "recruitment_end": end.isoformat() if i % 7 else None})
        out.append(trial.model_copy(update={"overall_status": statuses[i % len(statuses)], "dates": dates}))
    return out


def _fill(url: str) -> None:
    from hcctrials.matching.search import SEARCH_DOCUMENTS
    from hcctrials.storage import open_store
    from hcctrials.storage.search_index import refresh_search_index

    ingest_examples(url)
    with open_store(url) as store:
        store.save_trials(_varied_records())
        refresh_search_index(store, builder=SEARCH_DOCUMENTS)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def catalog_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('facets') / 'catalog.sqlite3'}"
        _fill(url)
        yield url
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    database = request.getfixturevalue("postgres_database")
    schema = f"f_{uuid.uuid4().hex[:12]}"
    params: dict[str, Any] = dict(host=server.host, port=server.port, user=server.user, dbname=database,
                                  autocommit=True)
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = server.url(database, search_path=schema)
    _fill(url)
    yield url
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def client(catalog_db: str) -> Iterator[Any]:
    from hcctrials.web import create_app

    with make_client(create_app(catalog_db, today=lambda: TODAY)) as c:
        yield c


class Catalog:
    """Every stored trial's filter values, worked out from the library one trial at a time."""

    def __init__(self, url: str) -> None:
        from hcctrials.matching.search import CONDITION_TOKENS, build_search_document
        from hcctrials.matching.status import evaluate_recruiting_status
        from hcctrials.storage import open_store
        from hcctrials.storage.search_index import place_value

        concept_of = {token: concept for concept, token in CONDITION_TOKENS.items()}
        self.url = url
        self.values: dict[tuple[str, str], dict[str, set[str]]] = {}
        with open_store(url) as store:
            for trial in store.iter_trials():
                doc = build_search_document(trial)
                self.values[(trial.trial_id, trial.registry.value)] = {
                    "recruiting": {evaluate_recruiting_status(trial, as_of=TODAY).state},
                    "condition": {concept_of[t] for t in doc.tokens if t in concept_of},
                    "status": {doc.status}, "phase": set(doc.phases), "registry": {doc.registry},
                    "setting": set(doc.settings), "class": set(doc.classes),
                    "year": {doc.study_start[:4]} if doc.study_start else set(),
                    "place": {place_value(p) for p in doc.places},
                }

    def matching_words(self, words: str) -> set[tuple[str, str]]:
        """The trials ``hcctrials trials search WORDS`` finds (every trial for no words)."""
        from hcctrials.matching.search import parse_query
        from hcctrials.storage import open_store
        from hcctrials.storage.search_index import search_trials

        if not words:
            return set(self.values)
        with open_store(self.url) as store:
            return {(h.trial_id, h.registry) for h in search_trials(store, parse_query(words), limit=100_000)}

    def results(self, words: str, chosen: dict[str, list[str]]) -> set[tuple[str, str]]:
        """Trials matching *words* and, per facet, any of its chosen values."""
        return {key for key in self.matching_words(words)
                if all(self.values[key][facet] & set(values) for facet, values in chosen.items() if values)}

    def counts(self, words: str, chosen: dict[str, list[str]], facet: str) -> Counter[str]:
        """Exclusive counts of *facet*: over the results of every other facet's choice."""
        others = {f: v for f, v in chosen.items() if f != facet}
        return Counter(value for key in self.results(words, others) for value in self.values[key][facet])


@pytest.fixture(scope="module")
def catalog(catalog_db: str) -> Catalog:
    return Catalog(catalog_db)


def _api(client: Any, words: str, chosen: dict[str, list[str]], **extra: Any) -> dict[str, Any]:
    answer = client.get("/api/trials", params={"q": words, **chosen, **extra})
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


SELECTIONS = [
    ("", {}),
    ("", {"recruiting": ["open"]}),
    ("hepatocellular", {"status": ["completed", "recruiting"], "phase": ["phase2"]}),
    ("", {"condition": ["hcc"], "recruiting": ["uncertain", "not_yet_open"], "class": ["tki"]}),
    ("sorafenib", {"registry": ["ctgov"], "setting": ["advanced_first_line"]}),
    ("肝细胞癌", {"recruiting": ["closed"], "status": ["terminated"], "phase": ["phase3", "phase1"]}),
]


@pytest.mark.parametrize(("words", "chosen"), SELECTIONS, ids=[f"{w or '-'}:{sorted(c)}" for w, c in SELECTIONS])
def test_every_facet_count_is_what_choosing_that_value_would_give(client: Any, catalog: Catalog, words: str,
                                                                  chosen: dict[str, list[str]]) -> None:
    answer = _api(client, words, chosen)
    assert answer["total"] == len(catalog.results(words, chosen))
    for facet in FACETS:
        shown = {f["value"]: f["count"] for f in answer["facets"][facet]}
        expected = catalog.counts(words, chosen, facet)
        if facet == "place":  # the 30 most frequent places
            expected = Counter(dict(sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:30]))
        assert shown == dict(expected), facet


def test_a_chosen_value_keeps_its_siblings_counted(client: Any, catalog: Catalog) -> None:
    # choosing "completed" must not hide how many "terminated" trials there are
    answer = _api(client, "", {"status": ["completed"]})
    counts = {f["value"]: f["count"] for f in answer["facets"]["status"]}
    assert counts["terminated"] == len(catalog.results("", {"status": ["terminated"]})) > 0
    assert answer["total"] == counts["completed"]


@pytest.mark.parametrize("state", ["open", "uncertain", "not_yet_open", "closed"])
def test_recruiting_today_filter_is_the_status_rule_on_todays_date(client: Any, catalog: Catalog,
                                                                   state: str) -> None:
    expected = catalog.results("", {"recruiting": [state]})
    assert expected, state  # the catalog is made so that every state occurs
    answer = _api(client, "", {"recruiting": [state]}, per_page=100)
    got = {(i["trial_id"], i["registry"]) for page in range(1, answer["pages"] + 1)
           for i in _api(client, "", {"recruiting": [state]}, per_page=100, page=page)["items"]}
    assert got == expected
    assert all(i["recruiting"]["state"] == state and i["recruiting"]["as_of"] == TODAY.isoformat()
               for i in answer["items"])
    assert answer["filters"]["recruiting"] == [state]


def test_pages_list_the_cli_search_order_once(client: Any, catalog_db: str) -> None:
    from hcctrials.matching.search import parse_query
    from hcctrials.storage import open_store
    from hcctrials.storage.search_index import search_trials

    with open_store(catalog_db) as store:
        expected = [h.trial_id + "/" + h.registry for h in search_trials(store, parse_query("hepatocellular"),
                                                                         limit=100_000)]
    first = _api(client, "hepatocellular", {}, per_page=7)
    got = [f"{i['trial_id']}/{i['registry']}" for page in range(1, first["pages"] + 1)
           for i in _api(client, "hepatocellular", {}, per_page=7, page=page)["items"]]
    assert got == expected and len(expected) > 7
    beyond = _api(client, "hepatocellular", {}, per_page=7, page=first["pages"] + 1)
    assert beyond["items"] == [] and beyond["total"] == len(expected)


def test_catalog_page_offers_the_recruiting_filter_with_counts(client: Any, catalog: Catalog) -> None:
    page = client.get("/", params={"recruiting": "open", "lang": "en"})
    assert page.status_code == 200
    assert 'name="recruiting" value="open" checked' in page.text
    assert f"Recruiting on {TODAY.isoformat()}" in page.text
    n = len(catalog.results("", {"recruiting": ["open"]}))
    assert f"{n} trial(s) found" in page.text
    zh = client.get("/", params={"recruiting": "open", "lang": "zh"})
    assert f"{TODAY.isoformat()} 招募状态" in zh.text


def test_an_unknown_recruiting_state_is_a_problem(client: Any) -> None:
    answer = client.get("/api/trials", params={"recruiting": "maybe"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "recruiting" and "maybe" in answer.json()["value"]


def test_an_ingest_is_seen_by_the_next_search(tmp_path: Path) -> None:
    """Answers are cached while the data do not change; a new record must appear at once."""
    from hcctrials.matching.search import SEARCH_DOCUMENTS
    from hcctrials.storage import open_store
    from hcctrials.storage.search_index import refresh_search_index
    from hcctrials.web import create_app

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    ingest_examples(url)
    with make_client(create_app(url, today=lambda: TODAY)) as c:
        before = c.get("/api/trials", params={"q": "sorafenib"}).json()
        trial_before = c.get("/api/trials/NCT09990001").json()
        with open_store(url) as store:
            record = _varied_records()[0]
            store.save_trials([record])
            refresh_search_index(store, builder=SEARCH_DOCUMENTS)
        everything = c.get("/api/trials").json()
        assert everything["total"] == 6 and everything["catalog_trials"] == 6
        assert record.trial_id in {i["trial_id"] for i in c.get("/api/trials", params={"per_page": 10}).json()["items"]}
        assert c.get("/api/trials/NCT09990001").json() == trial_before
        assert before["total"] <= c.get("/api/trials", params={"q": "sorafenib"}).json()["total"]
        assert c.get(f"/api/trials/{record.trial_id}").status_code == 200


def test_the_next_day_has_its_own_recruiting_states(tmp_path: Path) -> None:
    from hcctrials.matching.status import evaluate_recruiting_status
    from hcctrials.storage import open_store
    from hcctrials.web import create_app

    url = f"sqlite:///{tmp_path / 'days.sqlite3'}"
    ingest_examples(url)
    day = [TODAY]
    with make_client(create_app(url, today=lambda: day[0])) as c:
        for when in (TODAY, date(2031, 1, 1)):
            day[0] = when
            items = c.get("/api/trials").json()["items"]
            with open_store(url) as store:
                for item in items:
                    expected = evaluate_recruiting_status(store.get(item["trial_id"], registry=item["registry"]),
                                                          as_of=when)
                    assert (item["recruiting"]["state"], item["recruiting"]["as_of"]) == (expected.state,
                                                                                           when.isoformat())
