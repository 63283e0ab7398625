"""Protocol override files and the `hcctrials criteria` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_criteria import AS_OF, make_patient
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.criteria import apply_protocol, compile_trial, evaluate_trial, load_protocol, parse_protocol
from hcctrials.criteria.protocol import ProtocolError
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path

EXAMPLE = Path(__file__).resolve().parents[3] / "src/hcctrials/datasets/protocols/ChiCTR2500111736.yaml"


@pytest.fixture(scope="module")
def trial001(seeds_dir: Path):  # type: ignore[no-untyped-def]
    (rec,) = [r for r in parse_path(next(seeds_dir.glob("001_*.txt"))) if isinstance(r, ParsedRecord)]
    return rec.trial


def test_example_protocol_overrides_seed001(trial001) -> None:  # type: ignore[no-untyped-def]
    compiled = apply_protocol(compile_trial(trial001), *load_protocol(EXAMPLE))
    by_key = {(c.role, c.number): c for c in compiled.criteria}
    assert by_key[("inclusion", "3")].overridden and by_key[("inclusion", "3")].rule.kind == "diagnosis"
    assert by_key[("exclusion", "16")].rule.kind == "administrative"
    # with the reviewed rules the seed-001 reference patient is decided except for measured BP items
    verdict = evaluate_trial(compiled, make_patient(treatments=[
        *make_patient().treatments[:0],
        make_patient().treatments[0].model_copy(update={"investigational": False})]), as_of=AS_OF)
    assert verdict.status in ("eligible", "possibly_eligible")
    assert not verdict.failing


def test_protocol_errors_name_the_entry() -> None:
    with pytest.raises(ProtocolError, match=r"criteria\[0\].*exactly one"):
        parse_protocol({"trial_id": "X", "criteria": [{"number": "1", "role": "inclusion"}]}, source="p.yaml")
    with pytest.raises(ProtocolError, match="rule"):
        parse_protocol({"trial_id": "X", "criteria": [{"number": "1", "role": "inclusion",
                                                       "rule": {"kind": "ecog", "allowed": "zero"}}]})
    with pytest.raises(ProtocolError, match="role"):
        parse_protocol({"trial_id": "X", "criteria": [{"number": "1", "role": "maybe", "status": "administrative"}]})


def test_cli_compile_text() -> None:
    result = CliRunner().invoke(app, ["criteria", "compile-text", "Child-Pugh A or B7"])
    assert result.exit_code == 0 and "Child-Pugh points in {5,6,7}" in result.output


def test_cli_show_and_coverage_from_file(seeds_dir: Path) -> None:
    seed = str(next(seeds_dir.glob("001_*.txt")))
    shown = CliRunner().invoke(app, ["criteria", "show", "ChiCTR2500111736", "--file", seed, "--json"])
    assert shown.exit_code == 0, shown.output
    assert len(json.loads(shown.output)["criteria"]) == 31  # 14 inclusion + 17 exclusion
    cov = CliRunner().invoke(app, ["criteria", "coverage", "--file", seed])
    assert cov.exit_code == 0 and "overall:" in cov.output


def test_cli_evaluate(tmp_path: Path, seeds_dir: Path) -> None:
    patient = tmp_path / "p.json"
    patient.write_text(make_patient().model_dump_json(), encoding="utf-8")
    seed = str(next(seeds_dir.glob("001_*.txt")))
    result = CliRunner().invoke(app, ["criteria", "evaluate", str(patient), "ChiCTR2500111736", "--file", seed,
                                      "--as-of", AS_OF.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "possibly_eligible"
    assert any("investigational" in m for m in data["to_measure"])
