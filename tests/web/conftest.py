"""Fixtures of the web tests: the bundled example records ingested into SQLite and PostgreSQL (each
database built once per module), an app over each, and its TestClient; for the browser tests, one
headless Chromium per module (Debian's /usr/bin/chromium driven by Playwright) and a page per test.

The evaluation date is fixed (2024-05-10) so that the recruiting states and the "status may be
stale" warnings of the examples do not change with the calendar; the app reads it through its
``today`` clock, as it reads ``date.today`` in production.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from web_support import CHROMIUM, CHROMIUM_ARGS, TODAY, ingest_examples, make_client, new_tab


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def web_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database holding the bundled examples, on each backend (PostgreSQL: a schema of its own on the
    session's throwaway server from tests/conftest.py)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'web.sqlite3'}"
        ingest_examples(url)
        yield url
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    database = request.getfixturevalue("postgres_database")
    schema = f"w_{uuid.uuid4().hex[:12]}"
    params: dict[str, Any] = dict(host=server.host, port=server.port, user=server.user, dbname=database,
                                  autocommit=True)
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = server.url(database, search_path=schema)
    ingest_examples(url)
    yield url
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def app(web_db: str) -> Any:
    from hcctrials.web import create_app

    return create_app(web_db, today=lambda: TODAY)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[Any]:
    with make_client(app) as c:
        yield c


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (the browser test modules skip themselves when it is not installed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page for one test."""
    tab = new_tab(browser)
    yield tab
    tab.context.close()


@pytest.fixture(scope="module")
def workspace_app(web_db: str) -> Iterator[Any]:
    """The web app on the examples database, for the study-workspace and account tests of one module."""
    from hcctrials.web import create_app

    app = create_app(web_db, today=lambda: TODAY)
    yield app
    app.state.services.close()  # the clients here run no lifespan: close the database connections
