"""``hcctrials ingest / trials list / trials show / schema trial / db upgrade`` end to end.

Real CT.gov API v2 JSON downloads from ../shared are copied to a temporary folder at test
time (never into the tree) and ingested through format detection.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app, main
from hcctrials.storage import head_revision
from hcctrials.model.trial import Identifier, Provenance, Text, Trial
from hcctrials.sources.base import sha256_hex
from hcctrials.storage import open_store

runner = CliRunner()

#: NCT05883644 (durvalumab + tremelimumab, advanced HCC) is in the 50-study download
#: (shared/data/registry/SOURCES.md).
HCC_STUDY = "NCT05883644"


@pytest.fixture
def records(tmp_path: Path, shared_dir: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    shutil.copy(shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-5.json", folder / "search.json")
    return folder


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "db" / "trials.sqlite3")  # parent folder created on demand


def _chictr_listing(nct: str) -> Trial:
    return Trial(
        trial_id="ChiCTR2600000077", registry="chictr",
        identifiers=[Identifier(scheme="chictr", value="ChiCTR2600000077", primary=True),
                     Identifier(scheme="nct", value=nct)],
        brief_title=Text(en="Durvalumab plus tremelimumab in HCC", zh="度伐利尤单抗联合替西木单抗治疗肝细胞癌"),
        overall_status="recruiting",
        eligibility={"inclusion": [{"zh": "年龄≥18岁"}, {"zh": "经病理确诊的肝细胞癌"}], "exclusion": [{"zh": "既往接受过免疫治疗"}]},
        findings=[{"code": "bilingual_mismatch", "field": "interventions", "message": "英文与中文药名不一致"}],
        provenance=Provenance(source_format="chictr_text", raw_sha256=sha256_hex("chictr-77")),
    )


def test_ingest_list_show(records: Path, db: str) -> None:
    result = runner.invoke(app, ["ingest", str(records), "--db", db])
    assert result.exit_code == 0, result.output
    assert "ingest summary" in result.stdout
    again = runner.invoke(app, ["ingest", str(records), "--db", db, "--json"])
    summary = json.loads(again.stdout)
    assert (summary["ingested"], summary["unchanged"], summary["failed"]) == (0, 50, 0)

    listing = json.loads(runner.invoke(app, ["trials", "list", "--db", db, "--json"]).stdout)
    assert len(listing) == 50 and HCC_STUDY in {row["trial_id"] for row in listing}
    table = runner.invoke(app, ["trials", "list", "--db", db, "--limit", "2"])
    assert table.exit_code == 0 and "Registry" in table.stdout

    shown = runner.invoke(app, ["trials", "show", HCC_STUDY, "--db", db, "--versions"])
    assert shown.exit_code == 0, shown.output
    assert "Hepatocellular Carcinoma" in shown.stdout and "Inclusion criteria" in shown.stdout
    assert "versions" in shown.stdout

    as_json = runner.invoke(app, ["trials", "show", HCC_STUDY, "--db", db, "--json"])
    trial = Trial.model_validate_json(as_json.stdout)
    assert trial.trial_id == HCC_STUDY
    with open_store(db) as store:
        assert trial == store.get(HCC_STUDY)


def test_show_in_chinese_with_linked_records(records: Path, db: str) -> None:
    assert runner.invoke(app, ["ingest", str(records), "--db", db]).exit_code == 0
    with open_store(db) as store:
        store.save_trials([_chictr_listing(HCC_STUDY)])
    zh = runner.invoke(app, ["trials", "show", "ChiCTR2600000077", "--db", db, "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    for text in ("度伐利尤单抗联合替西木单抗治疗肝细胞癌", "纳入标准", "1. 年龄≥18岁", "排除标准", "数据质量问题", HCC_STUDY):
        assert text in zh.stdout
    ctgov = runner.invoke(app, ["trials", "show", HCC_STUDY, "--db", db])
    assert "ChiCTR2600000077" in ctgov.stdout  # the linked ChiCTR record is named
    listing = json.loads(runner.invoke(app, ["trials", "list", "--db", db, "--registry", "chictr", "--json",
                                             "--lang", "zh"]).stdout)
    assert listing == [{"trial_id": "ChiCTR2600000077", "registry": "chictr", "overall_status": "recruiting",
                        "phases": [], "title": "度伐利尤单抗联合替西木单抗治疗肝细胞癌", "linked_ids": [HCC_STUDY]}]


def test_failed_file_gives_exit_status_1(records: Path, db: str) -> None:
    whole = (records / "search.json").read_bytes()
    (records / "truncated.json").write_bytes(whole[:50_000])
    result = runner.invoke(app, ["ingest", str(records), "--db", db, "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["ingested"] == 50 and summary["failed"] == 1
    assert summary["failures"][0]["file"].endswith("truncated.json")


def test_unknown_id_and_unreachable_database_are_one_line_errors(
        records: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.invoke(app, ["ingest", str(records), "--db", db]).exit_code == 0
    with pytest.raises(SystemExit) as info:
        main(["trials", "show", "NCT05883645", "--db", db])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "no trial 'NCT05883645'" in err and "Did you mean" in err and HCC_STUDY in err
    with pytest.raises(SystemExit) as info:
        main(["trials", "list", "--db", "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "cannot connect to the database" in err and "pw@" not in err


def test_ingest_exit_status_through_main(records: Path, db: str) -> None:
    (records / "empty.json").write_text("")
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(records), "--db", db, "--json"])
    assert info.value.code == 1


def test_schema_and_db_upgrade(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = json.loads(runner.invoke(app, ["schema", "trial"]).stdout)
    assert schema == Trial.model_json_schema() and "provenance" in schema["required"]
    monkeypatch.setenv("HCCTRIALS_DB", db)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0 and f"schema at revision {head_revision()}" in result.stdout
    assert Path(db).is_file()


def test_ingest_needs_a_path_or_examples(db: str) -> None:
    result = runner.invoke(app, ["ingest", "--db", db])
    assert result.exit_code == 2


def test_schema_patient_is_the_patient_model_schema() -> None:
    from hcctrials.model.patient import Patient

    result = CliRunner().invoke(app, ["schema", "patient"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Patient" and set(Patient.model_fields) <= set(schema["properties"])
