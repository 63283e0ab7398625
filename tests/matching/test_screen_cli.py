"""`hcctrials screen` as a screening team runs it: the short list, the counts, the full table on request,
streamed from Parquet, JSON lines or CSV, and clear errors for bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app, main
from hcctrials.model.trial import OverallStatus, Trial
from hcctrials.patients import load_patient
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path
from hcctrials.storage import open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"
AS_OF = "2024-03-10"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> str:
    """The seed trials, one of them recruiting on the as-of date (status recruiting, no window), one closed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('screen') / 's.sqlite3'}"
    trials: list[Trial] = [r.trial for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("003")
                           for r in parse_path(p) if isinstance(r, ParsedRecord)]
    first = trials[0]
    dates = first.dates.model_copy(update={"recruitment_start": None, "recruitment_end": None, "study_start": None,
                                           "primary_completion": None})
    trials[0] = first.model_copy(update={"overall_status": OverallStatus.RECRUITING, "dates": dates})
    trials[1] = trials[1].model_copy(update={"overall_status": OverallStatus.COMPLETED})
    with open_store(url) as store:
        store.save_trials(trials)
    return url


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    people = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    path = tmp_path_factory.mktemp("cohort") / "patients.parquet"
    pq.write_table(pa.table({"patient_json": [p.model_dump_json(exclude_none=True) for p in people]}), path)
    return path


def test_default_output_lists_only_offered_pairs_and_counts_the_rest(db: str, cohort: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.parquet"
    res = runner.invoke(app, ["screen", str(cohort), "--out", str(out), "--as-of", AS_OF, "--db", db])
    assert res.exit_code == 0, res.output
    pairs = pq.read_table(out).to_pylist()
    assert pairs and {r["verdict"] for r in pairs} <= {"eligible", "possibly_eligible"}
    assert {r["recruiting"] for r in pairs} == {"open"}
    assert all(r["first_undecided"] for r in pairs if r["verdict"] == "possibly_eligible")
    with (tmp_path / "pairs.counts.csv").open(encoding="utf-8") as handle:
        counts = list(csv.DictReader(handle))
    patients = 5
    assert all(sum(int(v) for k, v in row.items() if k not in ("trial_id", "registry", "recruiting")) == patients
               for row in counts)
    listed = sum(int(r["eligible"]) + int(r["possibly_eligible"]) for r in counts)
    assert listed == len(pairs)
    closed = [r for r in counts if r["recruiting"] == "closed"]
    assert closed and all(int(r["not_screened"]) + int(r["other_condition"]) == patients for r in closed)
    assert f"{patients} patient(s) x {len(counts)} trial(s) screened on {AS_OF}" in res.output


def test_all_pairs_keeps_the_full_table_and_chinese_summary(db: str, cohort: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    res = runner.invoke(app, ["screen", str(cohort), "--out", str(out), "--as-of", AS_OF, "--db", db, "--all-pairs",
                              "--lang", "zh"])
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 * 4
    assert any(r["verdict"] == "ineligible" and r["deciding"] for r in rows)
    assert "名患者" in res.output and "全部配对：20 行" in res.output


def test_parquet_output_is_zstd_with_patient_statistics_and_the_same_rows_from_two_workers(
        db: str, cohort: Path, tmp_path: Path) -> None:
    """The writer's layout (zstd; min/max per row group for patient_id only, the patient-major sort key) and
    the rows: two worker processes and small batches give the same pairs, in the same order, as one process."""
    got = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.parquet"
        res = runner.invoke(app, ["screen", str(cohort), "--out", str(out), "--as-of", AS_OF, "--db", db,
                                  "--all-pairs", "--workers", workers, "--batch-size", "2"])
        assert res.exit_code == 0, res.output
        meta = pq.ParquetFile(out).metadata
        assert meta.num_row_groups >= 1
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            columns = {group.column(c).path_in_schema: group.column(c) for c in range(group.num_columns)}
            assert {c.compression for c in columns.values()} == {"ZSTD"}
            assert columns["patient_id"].is_stats_set and columns["patient_id"].statistics.has_min_max
            assert not columns["verdict"].is_stats_set
        got[workers] = pq.read_table(out).to_pylist()
    assert len(got["1"]) == 5 * 4 and got["1"] == got["2"]


def test_jsonl_and_csv_give_the_same_pairs_as_parquet(db: str, cohort: Path, tmp_path: Path) -> None:
    people = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    lines = tmp_path / "p.jsonl"
    lines.write_text("".join(p.model_dump_json() + "\n" for p in people), encoding="utf-8")
    got = {}
    for name, path in (("parquet", cohort), ("jsonl", lines)):
        out = tmp_path / f"{name}.parquet"
        res = runner.invoke(app, ["screen", str(path), "--out", str(out), "--as-of", AS_OF, "--db", db, "--all-pairs"])
        assert res.exit_code == 0, res.output
        got[name] = sorted(tuple(r.values()) for r in pq.read_table(out).to_pylist())
    assert got["parquet"] == got["jsonl"]
    flat = tmp_path / "flat.csv"
    flat.write_text("patient_id,birth_date,ecog,platelets,platelets_unit,labs_date\n"
                    "F1,1960-01-01,1,120,10^9/L,2024-03-01\nF2,1990-05-01,0,60,10^9/L,2024-03-01\n", encoding="utf-8")
    out = tmp_path / "flat.parquet"
    res = runner.invoke(app, ["screen", str(flat), "--out", str(out), "--as-of", AS_OF, "--db", db, "--all-pairs"])
    assert res.exit_code == 0, res.output
    assert {r["patient_id"] for r in pq.read_table(out).to_pylist()} == {"F1", "F2"}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The command as a user runs it (hcctrials.cli.main.main: one-line errors, exit status 2)."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def test_an_impossible_value_names_file_line_and_field(db: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"patient_id": "OK"}\n{"patient_id": "B", "labs": [{"analyte": "albumin", "value": 3400, '
                   '"unit": "g/L", "date": "2024-03-01"}]}\n', encoding="utf-8")
    status, output = _run(["screen", str(bad), "--out", str(tmp_path / "o.parquet"), "--as-of", AS_OF, "--db", db],
                          capsys)
    assert status == 2 and "Traceback" not in output
    assert "bad.jsonl" in output and "line 2" in output and "labs[0].value" in output


def test_usage_errors_are_one_line(db: str, cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, output = _run(["screen", str(cohort), "--out", str(tmp_path / "o.txt"), "--db", db], capsys)
    assert status == 2 and "--out: unsupported file type" in output and len(output.strip().splitlines()) == 1
    status, output = _run(["screen", str(cohort), "--out", str(tmp_path / "o.parquet"), "--engine", "ray",
                           "--db", db], capsys)
    assert status == 2 and "--engine: expected local or spark" in output


def _patients_parquet(path: Path, *, row_group_size: int) -> Path:
    people = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    pq.write_table(pa.table({"patient_json": [p.model_dump_json(exclude_none=True) for p in people]}), path,
                   row_group_size=row_group_size)
    return path


@pytest.mark.parametrize("all_pairs", [False, True])
def test_a_folder_output_holds_part_files_written_by_the_workers_with_the_rows_of_one_file(
        db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, all_pairs: bool) -> None:
    """`--out FOLDER`: each worker process reads its Parquet row groups and writes its own part file
    (part-00000.parquet, ... in input order); read as one dataset they are the rows of the single-file output,
    in the same order, and the counts are the same."""
    import hcctrials.cli.matching as screen_cli

    monkeypatch.setattr(screen_cli, "_SCREEN_PART_PATIENTS", 2)  # parts of 2 patients: 3 parts for 5 patients
    cohort = _patients_parquet(tmp_path / "rg.parquet", row_group_size=1)
    flag = ["--all-pairs"] if all_pairs else []
    single = tmp_path / "one.parquet"
    res = runner.invoke(app, ["screen", str(cohort), "--out", str(single), "--as-of", AS_OF, "--db", db, *flag])
    assert res.exit_code == 0, res.output
    expected = pq.read_table(single).to_pylist()
    assert expected
    counts = (tmp_path / "one.counts.csv").read_text(encoding="utf-8")
    for workers in ("1", "2"):
        folder = tmp_path / f"pairs-{workers}"
        for _ in range(2):  # a second run replaces the part files of the first
            res = runner.invoke(app, ["screen", str(cohort), "--out", str(folder), "--as-of", AS_OF, "--db", db,
                                      "--workers", workers, "--batch-size", "1", *flag])
            assert res.exit_code == 0, res.output
        parts = sorted(p.name for p in folder.iterdir())
        assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
        meta = pq.ParquetFile(folder / parts[0]).metadata.row_group(0)
        columns = {meta.column(c).path_in_schema: meta.column(c) for c in range(meta.num_columns)}
        assert {c.compression for c in columns.values()} == {"ZSTD"}
        assert columns["patient_id"].is_stats_set and not columns["verdict"].is_stats_set
        got = [row for name in parts for row in pq.read_table(folder / name).to_pylist()]
        assert got == expected
        assert pq.read_table(folder).num_rows == len(expected)  # readable as one dataset
        assert (tmp_path / f"pairs-{workers}.counts.csv").read_text(encoding="utf-8") == counts
        assert f"-> {folder}" in res.output.replace("\n", "")


def test_a_folder_output_from_json_lines_and_its_errors(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """JSON lines are read by the parent and sent to the workers in parts; a bad record in a later part names
    its file and line; a folder holding other files is refused (nothing of the user's is deleted)."""
    import hcctrials.cli.matching as screen_cli

    monkeypatch.setattr(screen_cli, "_SCREEN_PART_PATIENTS", 2)
    people = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    lines = tmp_path / "p.jsonl"
    lines.write_text("".join(p.model_dump_json() + "\n" for p in people), encoding="utf-8")
    single, folder = tmp_path / "one.parquet", tmp_path / "lines"
    for out in (single, folder):
        res = runner.invoke(app, ["screen", str(lines), "--out", str(out), "--as-of", AS_OF, "--db", db,
                                  "--workers", "2", "--batch-size", "1"])
        assert res.exit_code == 0, res.output
    assert pq.read_table(folder).to_pylist() == pq.read_table(single).to_pylist()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines.read_text(encoding="utf-8") + '{"patient_id": "B", "labs": [{"analyte": "albumin", '
                   '"value": 3400, "unit": "g/L", "date": "2024-03-01"}]}\n', encoding="utf-8")
    status, output = _run(["screen", str(bad), "--out", str(tmp_path / "bad-out"), "--as-of", AS_OF, "--db", db,
                           "--workers", "2", "--batch-size", "1"], capsys)
    assert status == 2 and "Traceback" not in output
    assert "bad.jsonl" in output and f"line {len(people) + 1}" in output and "labs[0].value" in output
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    status, output = _run(["screen", str(lines), "--out", str(mine), "--as-of", AS_OF, "--db", db], capsys)
    assert status == 2 and "other files than part-*.parquet" in output and len(output.strip().splitlines()) == 1
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_parquet_parts_are_whole_row_groups_and_name_their_rows(tmp_path: Path) -> None:
    """A Parquet cohort is cut at row-group boundaries (the parent reads only the footer); each slice reads its
    own rows, named by their row number in the file, so a bad record in a later part names its row."""
    from hcctrials.errors import InputError
    from hcctrials.matching.cohort import ParquetSlice, iter_patient_file_parts, part_batches

    people = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    raws = [p.model_dump_json(exclude_none=True) for p in people]
    raws[4] = raws[4].replace('"patient_id"', '"patient_id_typo"', 1)
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"patient_json": raws}), path, row_group_size=2)
    parts = list(iter_patient_file_parts(path, batch_size=1, part_size=3))
    assert parts == [ParquetSlice(str(path), (0, 1), 1, 4), ParquetSlice(str(path), (2,), 5, 1)]
    batches = list(part_batches(parts[0], 3))
    assert [b.num_rows for b in batches] == [3, 1]  # batches of --batch-size within the slice
    assert [r for b in batches for r in b.column("record").to_pylist()] == ["row 1", "row 2", "row 3", "row 4"]
    assert [r for b in batches for r in b.column("patient_json").to_pylist()] == raws[:4]
    from hcctrials.matching.cohort import read_batch_columns

    with pytest.raises(InputError) as err:
        for batch in part_batches(parts[1], 3):
            read_batch_columns(batch)
    assert err.value.record == "row 5" and err.value.file == str(path)
