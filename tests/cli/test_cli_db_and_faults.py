"""``hcctrials ingest`` against bad and truncated records, ``db backup`` / ``db check``, and
patient errors that must not print the patient's record."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import hcctrials.ingest as ingest_module
from hcctrials.cli.main import app, main
from hcctrials.ingest import ingest_paths
from hcctrials.storage import open_store
from hcctrials.matching.search import SEARCH_DOCUMENTS
from hcctrials.storage.search_index import search_index_status

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "src/hcctrials/datasets/registry/ctgov/example_api_v2_study.json"


def _study() -> dict[str, Any]:
    return dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def _write(path: Path, studies: list[dict[str, Any]]) -> Path:
    """A website-style download array: one study per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[\n" + ",\n".join(json.dumps(s, ensure_ascii=False) for s in studies) + "\n]\n",
                    encoding="utf-8")
    return path


def _truncated(study: dict[str, Any]) -> dict[str, Any]:
    """The same study re-downloaded as a third of the page: no arms, interventions, outcomes,
    sites or criteria, a later update date."""
    short = copy.deepcopy(study)
    protocol = short["protocolSection"]
    for module in ("armsInterventionsModule", "outcomesModule", "contactsLocationsModule", "eligibilityModule"):
        protocol.pop(module, None)
    protocol["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2025-07-01", "type": "ACTUAL"}
    return short


# ------------------------------------------------------------------ shrink guard

def test_truncated_redownload_is_held_until_accept_shrink(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite3")
    full = _write(tmp_path / "v1" / "study.json", [_study()])
    short = _write(tmp_path / "v2" / "study.json", [_truncated(_study())])
    assert runner.invoke(app, ["ingest", str(full), "--db", db]).exit_code == 0

    held = runner.invoke(app, ["ingest", str(short), "--db", db])
    assert held.exit_code == 1, held.output
    assert "held back 1 new version(s)" in held.output and "NCT09990001 (version 2)" in held.output
    assert "--accept-shrink" in held.output
    with open_store(db) as store:
        current = store.get("NCT09990001")
        assert len(current.interventions) == 2 and len(current.sites) == 2  # the old version stays
        assert [v.current for v in store.versions("NCT09990001")] == [True, False]
    as_json = runner.invoke(app, ["ingest", str(short), "--db", db, "--json"])
    assert as_json.exit_code == 1
    summary = json.loads(as_json.stdout)
    assert summary["held"] == 1 and summary["held_versions"] == [{"trial_id": "NCT09990001", "version": 2}]

    accepted = runner.invoke(app, ["ingest", str(short), "--db", db, "--accept-shrink", "--json"])
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.stdout)["updated"] == 1
    with open_store(db) as store:
        assert store.get("NCT09990001").interventions == []
        assert search_index_status(store, index_version=SEARCH_DOCUMENTS.version).current  # the accepted version was indexed


# ------------------------------------------------------------------ identifiers and control characters

def _bad_studies() -> list[dict[str, Any]]:
    good = _study()
    traversal = copy.deepcopy(good)
    traversal["protocolSection"]["identificationModule"]["nctId"] = "../../etc/passwd"
    not_an_id = copy.deepcopy(good)
    not_an_id["protocolSection"]["identificationModule"]["nctId"] = "NOT-AN-ID"
    nul = copy.deepcopy(good)
    nul["protocolSection"]["identificationModule"]["nctId"] = "NCT09990002"
    nul["protocolSection"]["identificationModule"]["briefTitle"] = "Sorafenib\x00 in HCC"
    bell = copy.deepcopy(good)
    bell["protocolSection"]["identificationModule"]["nctId"] = "NCT09990003"
    bell["protocolSection"]["contactsLocationsModule"]["locations"][1]["city"] = "Shen\x07zhen"
    tab_newline = copy.deepcopy(good)
    tab_newline["protocolSection"]["identificationModule"]["nctId"] = "NCT09990004"
    tab_newline["protocolSection"]["descriptionModule"]["briefSummary"] = "line one\n\tline two"
    return [good, traversal, not_an_id, nul, bell, tab_newline]


@pytest.mark.parametrize("fast_path", [True, False], ids=["storage_fast_path", "validating_parser"])
def test_bad_ids_and_control_characters_are_rejected_by_name(tmp_path: Path, fast_path: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "INLINE_FAST_PATH", fast_path)
    file = _write(tmp_path / "in" / "bad.json", _bad_studies())
    db = str(tmp_path / "bad.sqlite3")
    with open_store(db) as store:
        summary = ingest_paths([file], store, workers=0)
        stored = sorted(t.trial_id for t in store.iter_trials())
    assert stored == ["NCT09990001", "NCT09990004"]
    assert summary.failed == 4
    by_record = {f.locator: f for f in summary.failures}
    assert set(by_record) == {"[1]", "[2]", "[3]", "[4]"}
    for failure in summary.failures:
        assert failure.file == str(file)
    assert "'../../etc/passwd' is not a ctgov id" in by_record["[1]"].message
    assert by_record["[1]"].field == "protocolSection.identificationModule.nctId"
    assert "'NOT-AN-ID' is not a ctgov id: expected NCT followed by 8 digits" in by_record["[2]"].message
    assert "U+0000" in by_record["[3]"].message and "Sorafenib" in by_record["[3]"].message
    assert by_record["[3]"].field == "brief_title.en"
    assert "U+0007" in by_record["[4]"].message and by_record["[4]"].field == "sites.1.city.en"
    assert by_record["[3]"].record_id == "NCT09990002" and by_record["[4]"].record_id == "NCT09990003"


def test_cli_reports_bad_records_with_file_record_field_value(tmp_path: Path) -> None:
    file = _write(tmp_path / "in" / "bad.json", _bad_studies())
    result = runner.invoke(app, ["ingest", str(file), "--db", str(tmp_path / "x.sqlite3"), "--json"])
    assert result.exit_code == 1
    failures = json.loads(result.stdout)["failures"]
    assert len(failures) == 4
    assert {f["field"] for f in failures} >= {"protocolSection.identificationModule.nctId", "brief_title.en"}
    assert all(f["file"] == str(file) for f in failures)


# ------------------------------------------------------------------ db backup / db check

def test_db_backup_and_check(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite3"
    assert runner.invoke(app, ["ingest", "--examples", "--db", str(db)]).exit_code in (0, 1)
    with open_store(str(db)) as store:
        count = store.count()
    assert count > 0
    dest = tmp_path / "backups" / "copy.sqlite3"
    result = runner.invoke(app, ["db", "backup", str(dest), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM trials").fetchone()[0] == count
    finally:
        conn.close()
    again = runner.invoke(app, ["db", "backup", str(dest), "--db", str(db)])
    assert again.exit_code != 0 and "exists" in str(again.exception)  # never overwritten

    check = runner.invoke(app, ["db", "check", "--db", str(db)])
    assert check.exit_code == 0, check.output
    assert "ok" in check.output
    check_copy = runner.invoke(app, ["db", "check", "--db", str(dest)])
    assert check_copy.exit_code == 0, check_copy.output


def test_db_check_finds_a_stale_index_and_db_index_fixes_it(tmp_path: Path) -> None:
    db = str(tmp_path / "stale.sqlite3")
    file = _write(tmp_path / "in" / "one.json", [_study()])
    assert runner.invoke(app, ["ingest", str(file), "--db", db, "--no-index"]).exit_code == 0
    check = runner.invoke(app, ["db", "check", "--db", db])
    assert check.exit_code == 1
    assert "search index: stale for 1 of 1 trial(s)" in check.output
    fixed = runner.invoke(app, ["db", "index", "--db", db])
    assert fixed.exit_code == 0 and "indexed 1 trial(s)" in fixed.output
    assert runner.invoke(app, ["db", "check", "--db", db]).exit_code == 0


def test_db_check_finds_a_corrupt_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "corrupt.sqlite3"
    assert runner.invoke(app, ["ingest", str(_write(tmp_path / "in" / "a.json", [_study()])),
                               "--db", str(db)]).exit_code == 0
    conn = sqlite3.connect(db)  # the one-entry b-tree of an index garbled: integrity_check fails
    conn.execute("PRAGMA journal_mode=DELETE")  # fold the WAL into the file
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_trials_overall_status'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as f:
        f.seek(root * page_size - 12)  # the end of the page: the key of its only cell
        f.write(b"zzzzzzzzzzzz")
    with pytest.raises(SystemExit) as exited:
        main(["db", "check", "--db", str(db)])
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "integrity: " in out and "problem(s)" in out
    # a file that is not a database at all: one line, exit status 2, no traceback
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 500)
    with pytest.raises(SystemExit) as exited:
        main(["db", "check", "--db", str(junk)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "cannot connect to the database" in captured.err


def test_backup_of_postgresql_prints_a_pg_dump_hint(postgres_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["db", "backup", str(tmp_path / "pg.dump"), "--db", postgres_url])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "no backup made" in err


# ------------------------------------------------------------------ patient errors

def test_patient_error_names_the_field_without_printing_the_record(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    patients = Path(__file__).parents[2] / "src/hcctrials/datasets/patients/houston_us_units_bclc_a.json"
    record = json.loads(patients.read_text(encoding="utf-8"))
    del record["patient_id"]
    record["notes"] = "PRIVATE-NOTE-7731"
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["score", str(path), "--as-of", "2024-03-05"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "field patient_id" in err and "Field required" in err
    assert "PRIVATE-NOTE-7731" not in err and record["birth_date"] not in err and "Traceback" not in err
    record["patient_id"] = "P-1"
    record["sex"] = "unknown-sex"
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["score", str(path), "--as-of", "2024-03-05"])
    err = capsys.readouterr().err
    assert "field sex" in err and "'unknown-sex'" in err  # a field's own value is shown
    assert "PRIVATE-NOTE-7731" not in err
