"""`hcctrials score PATIENT` through Typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.datasets.patients import example_patient_path

runner = CliRunner()


def test_score_table() -> None:
    path = example_patient_path("shenzhen_2l_after_atezo_bev")
    r = runner.invoke(app, ["score", str(path), "--as-of", "2024-03-10"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for text in ("Child-Pugh", "class A, 6 points", "ALBI", "BCLC", "stage C (advanced)", "stage IIIa", "Inputs used",
                 "2024-03-01"):
        assert text in r.output


def test_score_json() -> None:
    path = example_patient_path("houston_us_units_bclc_a")
    r = runner.invoke(app, ["score", str(path), "--as-of", "2024-07-10", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["child_pugh"]["label"] == "A5"
    assert data["inputs"]["bilirubin_total"]["original_unit"] == "mg/dL"
    assert data["inputs"]["bilirubin_total"]["value"] == 13.68


def test_score_window_makes_labs_missing() -> None:
    path = example_patient_path("houston_us_units_bclc_a")
    r = runner.invoke(app, ["score", str(path), "--as-of", "2024-12-01", "--json",
                            "--lab-window-days", "7"])
    data = json.loads(r.output)
    assert data["albi"]["score"] is None
    assert "older than 7 days" in data["unavailable"]["albumin"]


def test_bad_date_is_a_clean_error(tmp_path) -> None:
    from hcctrials.errors import InputError

    path = example_patient_path("houston_us_units_bclc_a")
    r = runner.invoke(app, ["score", str(path), "--as-of", "yesterday"])
    assert r.exit_code != 0 and isinstance(r.exception, InputError)


def test_missing_file_is_a_clean_error(tmp_path) -> None:
    from hcctrials.errors import ParseError

    r = runner.invoke(app, ["score", str(tmp_path / "nobody.yaml"), "--as-of", "2024-01-01"])
    assert isinstance(r.exception, ParseError) and "nobody.yaml" in str(r.exception)
