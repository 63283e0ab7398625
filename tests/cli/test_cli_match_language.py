"""`match` and `criteria evaluate` in Chinese and English (issue 10): verdicts, statuses by role,
relevance and counts come from the message catalog; one verdict for both commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.errors import InputError
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path
from hcctrials.storage import open_store

PATIENT = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path, shared_dir: Path) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lang') / 'm.sqlite3'}"
    paths = [p for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("003")]
    paths.append(shared_dir / "data" / "registry" / "ctgov_api_v2_json" / "dgg32_ctg-studies.json")  # other diseases
    trials = [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]
    with open_store(url) as store:
        store.save_trials(trials)
    return url


def test_match_in_chinese(db: str) -> None:
    res = runner.invoke(app, ["match", str(PATIENT), "--as-of", "2026-06-01", "--db", db, "--lang", "zh"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "ChiCTR2500111736 [可能符合]" in out
    assert "相关性：针对患者所患疾病的试验" in out
    assert "不构成排除" in out and "需人工审核" in out
    assert "项针对其他疾病的试验" in out


def test_match_json_says_how_relevance_was_decided(db: str) -> None:
    res = runner.invoke(app, ["match", str(PATIENT), "--as-of", "2026-06-01", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["hidden_other_conditions"].get("other_condition", 0) > 0
    first = data["trials"][0]
    assert first["trial_id"] == "ChiCTR2500111736" and first["relevance"]["level"] == "disease"
    assert first["verdict"] == "possibly_eligible"
    assert first["reason"] == (f"possibly eligible: {first['review_count']} criteria need review, "
                               f"{first['data_count']} need data")


def test_criteria_evaluate_uses_the_same_verdict_and_speaks_chinese(db: str) -> None:
    args = ["criteria", "evaluate", str(PATIENT), "ChiCTR2500111736", "--as-of", "2026-06-01", "--db", db]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    evaluated = json.loads(res.output)
    matched = json.loads(runner.invoke(app, ["match", str(PATIENT), "--as-of", "2026-06-01", "--db", db,
                                             "--json"]).output)["trials"][0]
    assert evaluated["status"] == matched["verdict"]
    res_zh = runner.invoke(app, [*args, "--lang", "zh"])
    assert res_zh.exit_code == 0, res_zh.output
    assert "可能符合" in res_zh.output and "排除" in res_zh.output


def test_unknown_language_is_a_clear_input_error(db: str) -> None:
    res = runner.invoke(app, ["match", str(PATIENT), "--db", db, "--lang", "fr"])
    assert res.exit_code != 0
    assert isinstance(res.exception, InputError)  # the CLI entry point prints it as one line
    assert "unknown language 'fr'" in str(res.exception) and "use en or zh" in str(res.exception)


def test_match_on_an_empty_database_says_to_ingest(tmp_path: Path) -> None:
    """Issue 13: matching against an empty database printed nothing."""
    res = runner.invoke(app, ["match", str(PATIENT), "--as-of", "2026-06-01", "--db", f"sqlite:///{tmp_path / 'e.db'}",
                              "--lang", "zh"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "数据库中没有试验" in out and "hcctrials ingest --examples" in out
