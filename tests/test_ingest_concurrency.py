"""Concurrent ingests and searches on one SQLite file, and an ingest killed with SIGKILL.

Real processes (``python -m hcctrials.cli.main``) on real CT.gov downloads from ../shared,
copied under new NCT ids into temporary folders; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.ingest import ingest_paths
from hcctrials.storage import open_store
from hcctrials.matching.search import SEARCH_DOCUMENTS
from hcctrials.storage.search_index import search_index_status

REAL = "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-5.json"  # 50 studies, one per line
CLI = [sys.executable, "-m", "hcctrials.cli.main"]
TIMEOUT = 300  # seconds: any process still running then has hung


def _copies(shared_dir: Path, folder: Path, prefixes: range) -> Path:
    """One download file per prefix: the 50 real studies under ids NCT{prefix}xxxxxx."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = (shared_dir / REAL).read_text(encoding="utf-8").splitlines()
    for prefix in prefixes:
        out = []
        for line in lines:
            if line.startswith('{"protocolSection"'):
                study = json.loads(line.rstrip(","))
                old = study["protocolSection"]["identificationModule"]["nctId"]
                line = line.replace(old, f"NCT{prefix:02d}{old[5:]}")
            out.append(line)
        (folder / f"ctgov_{prefix:02d}.json").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def _summary(proc: subprocess.CompletedProcess[str] | subprocess.Popen[str], stdout: str) -> dict[str, object]:
    assert proc.returncode == 0, stdout
    return dict(json.loads(stdout))


def test_two_ingest_processes_into_one_database_lose_nothing(shared_dir: Path, tmp_path: Path, db_url: str) -> None:
    """Both ingests wait for each other's file transactions (SQLite: BEGIN IMMEDIATE + busy
    timeout; PostgreSQL: an advisory lock): before, on SQLite one of them dropped whole files
    with "database is locked"."""
    a = _copies(shared_dir, tmp_path / "a", range(10, 18))
    b = _copies(shared_dir, tmp_path / "b", range(20, 28))
    for folder in (a, b):  # one file in common: ingested by one process, unchanged for the other
        _copies(shared_dir, folder, range(30, 31))
    db = db_url
    subprocess.run([*CLI, "db", "upgrade", "--db", db], check=True, capture_output=True, timeout=TIMEOUT)
    procs = [subprocess.Popen([*CLI, "ingest", str(folder), "--db", db, "--json", "--batch-size", "10"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for folder in (a, b)]
    outputs = [p.communicate(timeout=TIMEOUT) for p in procs]
    summaries = []
    for proc, (stdout, stderr) in zip(procs, outputs):
        assert proc.returncode == 0, stderr[-2000:]
        summaries.append(json.loads(stdout))
    for summary in summaries:
        assert summary["failed"] == 0 and summary["files"] == 9, summary["failures"]
    assert sum(s["ingested"] for s in summaries) == 17 * 50
    assert sum(s["unchanged"] for s in summaries) == 50
    with open_store(db) as store:
        assert store.count() == 17 * 50
        assert search_index_status(store, index_version=SEARCH_DOCUMENTS.version).stale == 0
        runs = store.ingest_runs()
        assert [r.status for r in runs] == ["finished", "finished"]


def test_search_while_an_ingest_runs_never_fails(shared_dir: Path, tmp_path: Path) -> None:
    """``trials search`` during an ingest answers every time.  The ingest indexes each file's
    records in that file's transaction, so a search never finds committed records without their
    documents and only reads (before: searching wrote the index lazily and failed 12 times in 13)."""
    db = str(tmp_path / "search.sqlite3")
    with open_store(db) as store:
        first = ingest_paths([_copies(shared_dir, tmp_path / "first", range(10, 12))], store, search_index=True)
        assert first.ingested == 100 and first.failed == 0
    more = _copies(shared_dir, tmp_path / "more", range(20, 36))
    proc = subprocess.Popen([*CLI, "ingest", str(more), "--db", db, "--json", "--batch-size", "25"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runner = CliRunner()
    results: list[tuple[int, str]] = []
    during = 0
    deadline = time.monotonic() + TIMEOUT
    try:
        while len(results) < 60 and time.monotonic() < deadline:
            running = proc.poll() is None
            result = runner.invoke(app, ["trials", "search", "hepatocellular", "--db", db, "--json", "--limit", "5"])
            results.append((result.exit_code, result.output[-1000:]))
            if running and proc.poll() is None:
                during += 1
            if not running:
                break
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    failures = [out for code, out in results if code != 0]
    assert not failures, failures[0]
    assert during >= 2, f"only {during} searches ran during the ingest: make the ingest longer"
    assert proc.returncode == 0, stderr[-2000:]
    assert json.loads(stdout)["failed"] == 0
    with open_store(db) as store:
        assert store.count() == 18 * 50 and search_index_status(store, index_version=SEARCH_DOCUMENTS.version).current


# ------------------------------------------------------------------ kill -9 of an ingest

def _descendants(pid: int) -> set[int]:
    """Every live process below *pid* (from /proc), excluding zombies."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


_KILLED_INGEST = """
import sys
import hcctrials.ingest as ingest
ingest.PARALLEL_MIN_BYTES = 1  # every download array goes to the worker processes
from hcctrials.cli.main import main
main(["ingest", sys.argv[1], "--db", sys.argv[2], "--batch-size", "50"])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_an_ingest_leaves_no_process_and_a_later_run_closes_it(shared_dir: Path, tmp_path: Path) -> None:
    folder = _copies(shared_dir, tmp_path / "big", range(10, 50))
    db = str(tmp_path / "killed.sqlite3")
    subprocess.run([*CLI, "db", "upgrade", "--db", db], check=True, capture_output=True, timeout=TIMEOUT)
    log = tmp_path / "killed.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", _KILLED_INGEST, str(folder), db],
                                stdout=subprocess.DEVNULL, stderr=err)
    helpers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            helpers |= _descendants(proc.pid)
            with open_store(db, migrate=False) as store:
                committed = store.count()
            # forkserver, resource tracker and workers started, and a file committed
            if len(helpers) >= 3 and committed >= 50:
                break
            time.sleep(0.2)
        assert proc.poll() is None, f"the ingest ended before it could be killed: {log.read_text()[-2000:]}"
        assert len(helpers) >= 3, helpers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in helpers):
            time.sleep(0.2)
        survivors = [p for p in helpers if _alive(p)]
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in helpers:  # never leave a stray process behind, whatever the outcome
            if _alive(p):
                os.kill(p, signal.SIGKILL)
    assert survivors == [], f"processes of the killed ingest still running: {survivors}"

    with open_store(db, migrate=False) as store:
        (run,) = store.ingest_runs()
        assert run.status == "running" and run.finished_at is None
        kept = store.count()
        assert kept >= 50 and kept % 50 == 0  # whole files only: each is one transaction
        assert search_index_status(store, index_version=SEARCH_DOCUMENTS.version).current  # each committed file carried its documents
    check = subprocess.run([*CLI, "db", "check", "--db", db], capture_output=True, text=True, timeout=TIMEOUT)
    assert check.returncode == 1, check.stdout
    assert f"ingest run {run.id}" in check.stdout and "process is gone" in check.stdout

    # a later run closes the dead one and finishes the job
    later = subprocess.run([*CLI, "ingest", str(folder), "--db", db, "--json"], capture_output=True, text=True,
                           timeout=TIMEOUT)
    assert later.returncode == 0, later.stderr[-2000:]
    summary = json.loads(later.stdout)
    assert summary["abandoned_runs"] == [run.id]
    assert summary["ingested"] == 40 * 50 - kept and summary["unchanged"] == kept
    with open_store(db, migrate=False) as store:
        assert [r.status for r in store.ingest_runs()] == ["abandoned", "finished"]
        assert search_index_status(store, index_version=SEARCH_DOCUMENTS.version).current
    check = subprocess.run([*CLI, "db", "check", "--db", db], capture_output=True, text=True, timeout=TIMEOUT)
    assert check.returncode == 0, check.stdout
    assert f"ingest run {run.id}" in check.stdout and "abandoned" in check.stdout
