"""The parallel ingest path (worker processes parse large download arrays) stores exactly what
the single-process path stores, including failures and the file-level fallback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import hcctrials.ingest as ingest_module
from hcctrials.ingest import ingest_paths
from hcctrials.storage import open_store

REAL = "data/registry/ctgov_api_v2_json"


def _corpus(shared_dir: Path, folder: Path) -> Path:
    """Three download arrays: a real one-study-per-line file, the same studies pretty-printed
    under new ids (not line-splittable: falls back to the streaming parser), and a copy with
    one malformed study line in the middle (the file fails whole, nothing of it is stored)."""
    folder.mkdir()
    real = shared_dir / REAL / "dgg32_ctg-studies-5.json"
    shutil.copy(real, folder / "a_real.json")
    studies = json.loads(real.read_text(encoding="utf-8"))
    for study in studies:
        ident = study["protocolSection"]["identificationModule"]
        ident["nctId"] = ident["nctId"].replace("NCT0", "NCT9")
    (folder / "b_pretty.json").write_text(json.dumps(studies, indent=2), encoding="utf-8")
    lines = real.read_text(encoding="utf-8").splitlines()
    lines[10] = '{"protocolSection": {"identificationModule": '  # truncated study object
    (folder / "c_broken.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _stored(url: str) -> dict[str, str]:
    """Each stored record as its raw JSON text (byte for byte what was written)."""
    with open_store(url) as store, store.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT trial_id, record FROM trials").all())


def test_parallel_and_single_process_ingest_store_the_same(shared_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _corpus(shared_dir, tmp_path / "in")
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_BYTES", 1)  # every array goes to the workers
    parallel_files: list[str] = []
    original = ingest_module._ingest_file_parallel

    def counted(store, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        parallel_files.append(Path(path).name)
        return original(store, path, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "_ingest_file_parallel", counted)
    results = {}
    # (worker processes, bulk-load mode, storage fast path in this process for arrays)
    runs = ((0, False, False), (2, False, False), (2, True, False), (0, False, True))
    for workers, bulk, inline in runs:
        # bulk: the whole ingest in the store's bulk-load mode (rollback journal, not WAL)
        monkeypatch.setattr(ingest_module, "BULK_MIN_BYTES", 1 if bulk else 1 << 60)
        monkeypatch.setattr(ingest_module, "INLINE_FAST_PATH", inline)
        url = f"sqlite:///{tmp_path / f'w{workers}{bulk}{inline}.sqlite3'}"
        parallel_files.clear()
        with open_store(url) as store:
            summary = ingest_paths([folder], store, workers=workers)
        results[workers, bulk, inline] = (summary.counts(),
                                          sorted((f.file, f.locator or "") for f in summary.failures),
                                          _stored(url), list(parallel_files))
    single = results[0, False, False]  # the streaming parser, every record validated by pydantic
    assert single[3] == []
    for key in runs[1:]:
        assert "a_real.json" in results[key][3]  # the fast path really ran (in workers or inline)
        assert results[key][0] == single[0]
        assert results[key][1] == single[1]
        assert results[key][2] == single[2]
    record = json.loads(single[2]["NCT05883644"])
    assert record["provenance"]["fetched_at"].endswith("Z")  # the file's modification time
    counts = single[0]
    assert counts["ingested"] == 100 and counts["failed"] >= 1  # two good files, one failed file
    assert all(Path(f).name == "c_broken.json" for f, _ in single[1])


def test_parallel_ingest_into_postgresql_stores_what_single_process_does(
        shared_dir: Path, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker path (records serialised without pydantic) also feeds PostgreSQL (JSONB,
    SQLAlchemy Core inserts, no bulk-load mode) with the records the single-process path stores."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(shared_dir / REAL / "dgg32_ctg-studies-5.json", folder / "a_real.json")
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(ingest_module, "BULK_MIN_BYTES", 1)
    sqlite_url = f"sqlite:///{tmp_path / 'single.sqlite3'}"
    with open_store(sqlite_url) as store:
        single = ingest_paths([folder], store, workers=0)
    with open_store(postgres_url) as store:
        parallel = ingest_paths([folder], store, workers=2)
    assert parallel.counts() == single.counts() and single.counts()["ingested"] == 50
    expected = {k: json.loads(v) for k, v in _stored(sqlite_url).items()}
    with open_store(postgres_url) as store, store.engine.connect() as conn:
        got = {k: json.loads(v) for k, v in conn.exec_driver_sql("SELECT trial_id, record::text FROM trials").all()}
    assert got == expected
