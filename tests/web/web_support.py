"""Helpers of the web tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any

from hcctrials.ingest import example_records_dir, ingest_paths
from hcctrials.storage import open_store

TODAY = date(2024, 5, 10)
PATIENTS = Path(__file__).resolve().parents[2] / "src" / "hcctrials" / "datasets" / "patients"


def ingest_examples(url: str) -> None:
    """The bundled registry examples, ingested and indexed as ``hcctrials ingest --examples`` does."""
    with example_records_dir() as folder, open_store(url) as store:
        summary = ingest_paths([folder], store, search_index=True, workers=0)
    assert not summary.failures, summary.failures


def make_client(app: Any) -> Any:
    """A TestClient for *app* (Starlette warns that its client will move to httpx2; the tests'
    filterwarnings=error must not turn that notice into a failure)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        return TestClient(app, raise_server_exceptions=True)
