"""The ingest pipeline (files -> parser -> storage) with a tiny line-based test parser.

The test format: a first line ``#hcct-test``, one JSON object per line, a last line ``#end``.
A line that is not JSON, or lacks ``id``, is a record failure; a file without ``#end`` is
truncated (a file-level ParseError raised after the records were yielded, like ijson on a
cut JSON array).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hcctrials.errors import ParseError
from hcctrials.ingest import IngestEvent, ingest_paths
from hcctrials.model.trial import Identifier, Provenance, Text, Trial, TrialDates
from hcctrials.sources.base import ParsedRecord, ParseResult, RecordFailure, sha256_hex
from hcctrials.storage import TrialStore, open_store


class LineParser:
    source_format = "hcct_test_lines"
    description = "test records, one JSON object per line"

    def sniff(self, path: Path, head: bytes) -> bool:
        return head.startswith(b"#hcct-test")

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[1:], start=2):
            if line == "#end":
                return
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RecordFailure(file=str(path), locator=f"line {number}",
                                    error=ParseError(f"not JSON: {exc.msg}", file=str(path), field="line"))
                continue
            if "id" not in data:
                yield RecordFailure(file=str(path), locator=f"line {number}",
                                    error=ParseError("the record has no id", file=str(path), field="id"))
                continue
            yield ParsedRecord(Trial(
                trial_id=data["id"], registry=data.get("registry", "ctgov"),
                brief_title=Text(en=data.get("en"), zh=data.get("zh")),
                overall_status=data.get("status", "unknown"),
                dates=TrialDates(last_updated=data.get("updated")),
                identifiers=[Identifier(scheme=s, value=v) for s, v in data.get("ids", [])],
                provenance=Provenance(source_format=self.source_format, source_file=str(path),
                                      record_locator=f"line {number}", raw_sha256=sha256_hex(line)),
            ))
        raise ParseError("truncated: no #end line", file=str(path), hint="Download the file again")


PARSERS = [LineParser()]


def write_records(path: Path, *records: dict[str, object] | str, complete: bool = True) -> Path:
    lines = ["#hcct-test"] + [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines + (["#end"] if complete else [])) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(db_url: str) -> Iterator[TrialStore]:
    with open_store(db_url) as opened:
        yield opened


def test_same_file_twice_changes_nothing(store: TrialStore, tmp_path: Path) -> None:
    file = write_records(tmp_path / "a.txt", {"id": "NCT00000001", "en": "One"}, {"id": "NCT00000002"})
    first = ingest_paths([tmp_path], store, parsers=PARSERS)
    assert (first.ingested, first.updated, first.unchanged, first.failed) == (2, 0, 0, 0)
    second = ingest_paths([file], store, parsers=PARSERS)
    assert (second.ingested, second.unchanged, second.failed) == (0, 2, 0)
    assert store.count() == 2 and second.ok


def test_newer_and_older_versions(store: TrialStore, tmp_path: Path) -> None:
    write_records(tmp_path / "v1.txt", {"id": "NCT00000001", "en": "v1", "updated": "2025-01-01"})
    ingest_paths([tmp_path / "v1.txt"], store, parsers=PARSERS)
    write_records(tmp_path / "v2.txt", {"id": "NCT00000001", "en": "v2", "updated": "2025-06-01"})
    assert ingest_paths([tmp_path / "v2.txt"], store, parsers=PARSERS).updated == 1
    write_records(tmp_path / "v0.txt", {"id": "NCT00000001", "en": "v0", "updated": "2024-01-01"})
    summary = ingest_paths([tmp_path / "v0.txt"], store, parsers=PARSERS)
    assert (summary.older, summary.updated, summary.ingested) == (1, 0, 0)
    assert store.get("NCT00000001").brief_title.en == "v2"
    assert len(store.versions("NCT00000001")) == 3


def test_bad_record_is_reported_and_the_others_ingest(store: TrialStore, tmp_path: Path) -> None:
    file = write_records(tmp_path / "mixed.txt", {"id": "NCT00000001"}, "{not json", {"en": "no id"},
                         {"id": "NCT00000002"})
    summary = ingest_paths([file], store, parsers=PARSERS)
    assert (summary.ingested, summary.failed) == (2, 2)
    assert [(f.file, f.locator, f.field) for f in summary.failures] == [
        (str(file), "line 3", "line"), (str(file), "line 4", "id")]
    assert "no id" in summary.failures[1].message
    assert store.run_failures(summary.run_id or 0)[1].field == "id"
    assert not summary.ok


def test_truncated_file_writes_nothing(store: TrialStore, tmp_path: Path) -> None:
    write_records(tmp_path / "a_good.txt", {"id": "NCT00000009"})
    cut = write_records(tmp_path / "b_cut.txt", *[{"id": f"NCT0000010{i}"} for i in range(5)], complete=False)
    summary = ingest_paths([tmp_path], store, parsers=PARSERS, batch_size=2)
    assert (summary.ingested, summary.failed) == (1, 1)
    [failure] = summary.failures
    assert failure.file == str(cut) and failure.locator is None and "truncated" in failure.message
    assert [t.trial_id for t in store.iter_trials()] == ["NCT00000009"]


def test_unrecognised_and_empty_files_are_failures(store: TrialStore, tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "other.txt").write_text("hello")
    write_records(tmp_path / "ok.txt", {"id": "NCT00000003"})
    summary = ingest_paths([tmp_path], store, parsers=PARSERS)
    assert summary.ingested == 1 and summary.failed == 2
    assert sorted(Path(f.file).name for f in summary.failures) == ["empty.json", "other.txt"]


def test_missing_path_raises_before_writing(store: TrialStore, tmp_path: Path) -> None:
    write_records(tmp_path / "ok.txt", {"id": "NCT00000003"})
    with pytest.raises(ParseError, match="no such file"):
        ingest_paths([tmp_path / "ok.txt", tmp_path / "missing"], store, parsers=PARSERS)
    assert store.count() == 0


def test_progress_events_and_linking(store: TrialStore, tmp_path: Path) -> None:
    write_records(tmp_path / "ctgov.txt", {"id": "NCT04011033", "en": "iNKT"})
    write_records(tmp_path / "chictr.txt", {"id": "ChiCTR2600000002", "registry": "chictr", "zh": "试验",
                                            "ids": [["nct", "NCT04011033"]]})
    events: list[IngestEvent] = []
    summary = ingest_paths([tmp_path], store, parsers=PARSERS, progress=events.append)
    assert summary.ingested == 2
    assert [e.kind for e in events].count("file_done") == 2
    assert sum(e.records for e in events if e.kind == "records") == 2
    assert store.linked_trial_ids("NCT04011033") == ["ChiCTR2600000002"]


def test_the_database_itself_is_not_ingested(tmp_path: Path) -> None:
    write_records(tmp_path / "ok.txt", {"id": "NCT00000004"})
    with open_store(str(tmp_path / "here.sqlite3")) as store:
        summary = ingest_paths([tmp_path], store, parsers=PARSERS)
    assert (summary.files, summary.ingested, summary.failed) == (1, 1, 0)
