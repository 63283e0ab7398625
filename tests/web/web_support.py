"""Helpers of the web tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from hcctrials.ingest import example_records_dir, ingest_paths
from hcctrials.storage import open_store

TODAY = date(2024, 5, 10)
PATIENTS = Path(__file__).resolve().parents[2] / "src" / "hcctrials" / "datasets" / "patients"

#: Debian's Chromium, which Playwright drives (nothing is downloaded: `.ci/run` installs the package).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: The marks of a browser test module: skipped without Chromium, and slow.
BROWSER_MARKS = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                       "(apt-get install chromium; scripts/setup.sh --test installs it)"),
    pytest.mark.slow,
]


def ingest_examples(url: str) -> None:
    """The bundled registry examples, ingested and indexed as ``hcctrials ingest --examples`` does."""
    with example_records_dir() as folder, open_store(url) as store:
        summary = ingest_paths([folder], store, search_index=True, workers=0)
    assert not summary.failures, summary.failures


def make_client(app: Any, *, https: bool = False) -> Any:
    """A TestClient for *app* (Starlette warns that its client will move to httpx2; the tests'
    filterwarnings=error must not turn that notice into a failure).  ``https``: on https, for the study
    workspace, whose session cookie is ``Secure``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        base_url = "https://testserver" if https else "http://testserver"
        return TestClient(app, base_url=base_url, raise_server_exceptions=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[int]:
    """*app* under uvicorn in a thread on a free loopback port (yields the port) until the block ends."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        server.should_exit = True
        pytest.fail("the web app did not start within 30 s")
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def new_tab(browser: Any, *, timeout_ms: int = 20_000) -> Any:
    """A page in a new browser context (desktop size, British English)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(timeout_ms)
    return tab


def save_shot(page: Any, tmp_path: Path, name: str, **options: Any) -> Path:
    """A full-page screenshot in the test's tmp folder (copied to ``$HCCTRIALS_WEB_SHOTS`` when set)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, **options)
    assert path.stat().st_size > 1000
    copy_to = os.environ.get("HCCTRIALS_WEB_SHOTS")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copy_to) / path.name)
    return path
