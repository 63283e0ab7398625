"""docs/cli.md is generated from --help and must be current; --examples ingests bundled records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.ingest import example_records_dir

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "scripts" / "cli_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == module.render(), \
        "docs/cli.md is out of date: run python scripts/cli_reference.py"


def test_examples_are_ingested(tmp_path: Path) -> None:
    with example_records_dir() as folder:
        files = [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc", ".md")
                 and not p.name.startswith(".")]
    result = CliRunner().invoke(app, ["ingest", "--examples", "--db", str(tmp_path / "x.sqlite3"), "--json"])
    summary = json.loads(result.stdout)
    assert summary["files"] == len(files)
    assert summary["failed"] == 0, summary["failures"]
    assert result.exit_code == 0
