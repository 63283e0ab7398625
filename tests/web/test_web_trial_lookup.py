"""Looking up one trial reads indexes, not whole tables (issue 12: the trial page at 10,000 trials).

Every statement the trial page's look-ups send (:meth:`TrialStore.resolve`, ``get``, ``find``,
``versions``, ``findings``, ``linked_records``, and ``details``, which :meth:`WebServices.trial` calls) is captured and
explained by the database itself: SQLite's ``EXPLAIN QUERY PLAN`` must show ``SEARCH`` (an index
look-up), never ``SCAN``, on ``trials`` and ``trial_identifiers``; PostgreSQL's ``EXPLAIN`` with
sequential scans switched off must find an index condition for each (a plan that still scans the
table, or reads a whole index with a filter, means no index fits the statement).  The look-ups are
asked with the record's own id, the id in lower case, a registry number another record lists and an
unknown id, so each branch of :meth:`TrialStore.resolve` is explained.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from hcctrials.errors import NotFoundError
from hcctrials.storage import open_store

TABLES = ("trials", "trial_identifiers")


@pytest.fixture(scope="module")
def store(web_db: str) -> Iterator[Any]:
    with open_store(web_db) as opened:
        yield opened


def _statements(store: Any, look_up: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        look_up()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    return seen


def _full_scans_sqlite(conn: Any, statement: str, parameters: Any) -> list[str]:
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [row[-1] for row in rows if row[-1].startswith("SCAN") and row[-1].split()[1] in TABLES]


def _full_scans_postgresql(conn: Any, statement: str, parameters: Any) -> list[str]:
    conn.exec_driver_sql("SET enable_seqscan = off")
    plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    bad: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node.get("Node Type", "")
        relation = node.get("Relation Name")
        index = node.get("Index Name", "")
        on_ours = relation in TABLES or any(index.startswith(f"{p}_{t}") for t in TABLES for p in ("pk", "ix", "uq"))
        if on_ours and (kind == "Seq Scan" or ("Index" in kind and "Index Cond" not in node)):
            bad.append(f"{kind} on {relation or index}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return bad


def _explain(store: Any, statements: list[tuple[str, Any]]) -> dict[str, list[str]]:
    scans: dict[str, list[str]] = {}
    postgres = store.engine.dialect.name == "postgresql"
    with store.engine.connect() as conn:
        for statement, parameters in statements:
            found = (_full_scans_postgresql if postgres else _full_scans_sqlite)(conn, statement, parameters)
            if found:
                scans[" ".join(statement.split())[:200]] = found
        conn.rollback()
    return scans


def _ids(store: Any) -> tuple[str, str]:
    """A record's own id, and a registry number that only other records list (or, failing that, the own id)."""
    with store.engine.connect() as conn:
        own = conn.execute(text("SELECT trial_id FROM trials ORDER BY trial_id")).scalars().first()
        listed = conn.execute(text(
            "SELECT i.value FROM trial_identifiers i WHERE i.scheme NOT IN ('local', 'org_study_id') AND NOT EXISTS "
            "(SELECT 1 FROM trials t WHERE upper(t.trial_id) = i.value) ORDER BY i.value")).scalars().first()
    assert own is not None
    return own, listed or own


def test_the_trial_look_ups_use_indexes(store: Any) -> None:
    own, listed = _ids(store)

    def look_up() -> None:
        for asked in (own, own.lower(), listed):
            tid, registry = store.resolve(asked)
            store.get(asked)
            store.find(tid, registry=registry)
            store.versions(tid, registry=registry)
            store.findings(tid, registry=registry)
            store.linked_records(tid, registry=registry)
            store.details(asked)  # what the trial page reads: all of the above on one connection
            store.details(tid, registry=registry)

    statements = _statements(store, look_up)
    assert len(statements) >= 18
    assert _explain(store, statements) == {}


def test_an_unknown_id_is_answered_without_reading_the_trials_table(store: Any) -> None:
    def look_up() -> None:
        with pytest.raises(NotFoundError):
            store.resolve("NCT00000000X")

    statements = [s for s in _statements(store, look_up) if " trials" in s[0] and "trial_identifiers" not in s[0]]
    assert statements  # the exact primary-key read
    assert _explain(store, statements) == {}


def test_the_look_up_still_finds_records_in_any_case(store: Any) -> None:
    own, listed = _ids(store)
    assert store.resolve(own.lower())[0] == own
    assert store.resolve(own.upper())[0] == own
    assert store.resolve(f"  {own}  ")[0] == own
    assert store.get(listed.lower()).trial_id.upper() != "" and store.resolve(listed) == store.resolve(listed.lower())


def test_a_trial_page_read_again_shows_a_new_version_of_the_record(tmp_path: Any) -> None:
    """The rendered trial page is kept per state of the data: an ingested new version is shown at once."""
    from hcctrials.web import create_app
    from web_support import TODAY, ingest_examples, make_client

    url = f"sqlite:///{tmp_path / 'versions.sqlite3'}"
    ingest_examples(url)
    with make_client(create_app(url, today=lambda: TODAY)) as client:
        first = client.get("/trials/NCT09990001", params={"lang": "en"})
        assert first.status_code == 200
        assert client.get("/trials/NCT09990001", params={"lang": "en"}).text == first.text
        chinese = client.get("/trials/nct09990001", params={"lang": "zh"})
        assert chinese.text != first.text and 'lang="zh-CN"' in chinese.text
        with open_store(url) as store:
            trial = store.get("NCT09990001")
            renamed = trial.brief_title.model_copy(update={"en": "A renamed lenvatinib study for the page cache"})
            provenance = trial.provenance.model_copy(update={"raw_sha256": "f" * 64})  # a new raw version
            saved = store.save_trials([trial.model_copy(update={"brief_title": renamed, "provenance": provenance})])
            assert saved[0].status != "unchanged", saved
        again = client.get("/trials/NCT09990001", params={"lang": "en"})
        assert "A renamed lenvatinib study for the page cache" in again.text
        assert "A renamed lenvatinib study" not in first.text
