"""CLI: match, trials search, landscape and screen on a small database (seeds + literals)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path
from hcctrials.storage import open_store
from hcctrials.storage.search_index import refresh_search_index
from hcctrials.matching.search import SEARCH_DOCUMENTS

PATIENT = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'm.sqlite3'}"
    trials = [r.trial for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("003")
              for r in parse_path(p) if isinstance(r, ParsedRecord)]
    with open_store(url) as store:
        store.save_trials(trials)
        refresh_search_index(store, builder=SEARCH_DOCUMENTS)  # as `hcctrials ingest` / `hcctrials db index` do; search only reads
    return url


def test_match_json(db: str) -> None:
    res = runner.invoke(app, ["match", str(PATIENT), "--as-of", "2026-06-01", "--json", "--db", db,
                              "--show-ineligible"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["line_of_therapy"]["prior_systemic_lines"] == 1
    by_id = {t["trial_id"]: t for t in data["trials"]}
    # Seed 000 excludes prior PD-L1 immunotherapy: atezolizumab is a PD-L1 antibody.
    assert by_id["ChiCTR2600122298"]["verdict"] == "ineligible"
    # Seed 002 is a CSV row without criteria; seed 004 is completed and hidden.
    assert by_id["CTGOV-CSV-92dd2bf30d5d"]["verdict"] == "unknown_no_criteria"
    assert "NCT04011033" not in by_id and data["hidden_closed"] == 1
    assert by_id["ChiCTR2600122298"]["nearest_site"] == "same_province"


def test_match_text_and_near(db: str) -> None:
    res = runner.invoke(app, ["match", str(PATIENT), "--as-of", "2026-06-01", "--near", "山东", "--db", db])
    assert res.exit_code == 0, res.output
    assert "ChiCTR2500111736" in res.output and "same province" in res.output


def test_trials_search_both_languages(db: str) -> None:
    res = runner.invoke(app, ["trials", "search", "阿帕替尼 二线", "--json", "--db", db])
    assert res.exit_code == 0, res.output
    assert [h["trial_id"] for h in json.loads(res.output)] == ["ChiCTR2600122298"]
    res = runner.invoke(app, ["trials", "search", "regorafenib", "--json", "--db", db, "--place", "山东"])
    assert [h["trial_id"] for h in json.loads(res.output)] == ["ChiCTR2500111736"]
    res = runner.invoke(app, ["trials", "search", "--drug", "XYZ-not-a-drug", "--db", db])
    assert res.exit_code != 0


def test_landscape_table_and_plot(db: str, tmp_path: Path) -> None:
    plot = tmp_path / "landscape.svg"
    res = runner.invoke(app, ["landscape", "--plot", str(plot), "--db", db])
    assert res.exit_code == 0, res.output
    assert plot.read_text().startswith("<?xml") and "Trials by setting and intervention class" in res.output


def test_screen_writes_parquet(db: str, tmp_path: Path) -> None:
    patients = tmp_path / "p.jsonl"
    from hcctrials.patients import load_patient

    base = load_patient(PATIENT)
    naive = base.model_copy(update={"patient_id": "P2", "treatments": []})
    patients.write_text(base.model_dump_json() + "\n" + naive.model_dump_json() + "\n")
    out = tmp_path / "v.parquet"
    res = runner.invoke(app, ["screen", str(patients), "--out", str(out), "--as-of", "2024-03-10", "--db", db, "--all-pairs"])
    assert res.exit_code == 0, res.output
    table = pq.read_table(out).to_pandas()
    assert len(table) == 2 * 4
    row = table[(table.patient_id == "EX-SZ-001") & (table.trial_id == "ChiCTR2600122298")].iloc[0]
    assert row.verdict == "ineligible" and "PD-L1" in row.deciding
    row2 = table[(table.patient_id == "P2") & (table.trial_id == "ChiCTR2600122298")].iloc[0]
    assert row2.verdict != "ineligible" or "PD-L1" not in row2.deciding


def test_search_reads_only_and_says_when_the_index_is_stale(tmp_path: Path, seeds_dir: Path) -> None:
    """Issue 11: searching never writes the index; a stale index answers from what is indexed and says so."""
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    trials = [r.trial for p in sorted(seeds_dir.glob("00[01]*.txt")) for r in parse_path(p) if isinstance(r, ParsedRecord)]
    with open_store(url) as store:
        store.save_trials(trials)
    res = runner.invoke(app, ["trials", "search", "regorafenib", "--json", "--db", url])
    assert res.exit_code == 0, res.output
    assert "search index is stale for 2 of 2" in res.output
    from hcctrials.storage.search_index import search_index_status

    with open_store(url) as store:
        assert search_index_status(store, index_version=SEARCH_DOCUMENTS.version).documents == 0  # the search wrote nothing
