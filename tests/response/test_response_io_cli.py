"""File adapters (CSV, Excel, Parquet, SDTM TU/TR) and the ``hcctrials response`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.cli.response import example_path
from hcctrials.errors import ParseError, UnitError
from hcctrials.response import derive_responses, load_assessments
from hcctrials.response.common import ResponseInputError

FIX = Path(__file__).parent / "fixtures"


def test_example_loads_with_first_doses():
    table = load_assessments(example_path())
    assert table.first_doses is not None and len(table.first_doses) == 5
    assert "first_dose_date" not in table.assessments.columns


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_formats_round_trip(tmp_path, suffix):
    src = load_assessments(example_path())
    path = tmp_path / f"a{suffix}"
    frame = src.assessments
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.astype({"non_target_status": str}).replace({"nan": None}).to_parquet(path)
    doses = tmp_path / "d.csv"
    src.first_doses.to_csv(doses, index=False)
    table = load_assessments(path, first_doses_path=doses)
    a = derive_responses(src.assessments, src.first_doses).subjects
    b = derive_responses(table.assessments, table.first_doses).subjects
    assert a["best_overall_response"].tolist() == b["best_overall_response"].tolist()


def test_sdtm_tu_tr(tmp_path):
    """TU/TR written for this project: cm converted to mm, SAXIS marks a node, new lesion
    from TU; response: 70 -> 42 (PR, -40%) -> 39 + new lesion (PD)."""
    table = load_assessments(FIX / "tr.csv", first_doses_path=FIX / "doses.csv")
    df = table.assessments
    assert df.loc[df["lesion_id"] == "T02", "is_lymph_node"].all()
    assert sorted(df["lesion_role"].unique()) == ["new", "non_target", "target"]
    r = derive_responses(df, table.first_doses)
    assert r.visits["target_sum_mm"].tolist() == [42.0, 39.0]
    assert r.visits["overall_response"].tolist() == ["PR", "PD"]
    folder = load_assessments(FIX, first_doses_path=FIX / "doses.csv")
    assert len(folder.assessments) == len(df)


def test_sdtm_unknown_unit_is_an_error(tmp_path):
    tr = pd.read_csv(FIX / "tr.csv")
    tr.loc[0, "TRSTRESU"] = "in"
    tr.to_csv(tmp_path / "tr.csv", index=False)
    (tmp_path / "tu.csv").write_text((FIX / "tu.csv").read_text())
    with pytest.raises(UnitError, match="unit"):
        load_assessments(tmp_path / "tr.csv")


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(ParseError, match="not found"):
        load_assessments(tmp_path / "none.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ParseError, match="unsupported"):
        load_assessments(tmp_path / "x.json")


runner = CliRunner()


def test_cli_table_and_json():
    res = runner.invoke(app, ["response", "--example", "--criteria", "mrecist", "--confirm"])
    assert res.exit_code == 0, res.output
    assert "mRECIST" in res.output and "HCC-003" in res.output
    res = runner.invoke(app, ["response", str(example_path()), "--criteria", "recist11",
                              "--json", "--min-sd-weeks", "8"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["settings"]["sd_min_days"] == 56
    bor = {s["subject_id"]: s["best_overall_response"] for s in data["subjects"]}
    assert bor["HCC-004"] == "NON_CR_NON_PD"


def test_cli_adrs_out(tmp_path):
    out = tmp_path / "adrs.csv"
    res = runner.invoke(app, ["response", "--example", "--criteria", "imrecist", "--visits",
                              "--rules", "--adrs-out", str(out)])
    assert res.exit_code == 0, res.output
    adrs = pd.read_csv(out)
    assert set(adrs["PARAMCD"]) == {"OVR", "BOR", "CBOR"}


def test_cli_bad_criteria_is_one_line_error():
    from hcctrials.cli.main import main
    with pytest.raises(SystemExit) as info:
        main(["response", "--example", "--criteria", "who"])
    assert info.value.code == 2


def test_sdtm_visit_numbers_reach_the_date_checks(tmp_path):
    """VISITNUM is carried into the ``visit`` column, so a visit dated before the previous
    visit of the same subject is reported (subject, visit and lesion named)."""
    table = load_assessments(FIX / "tr.csv", first_doses_path=FIX / "doses.csv")
    assert "visit" in table.assessments.columns
    derive_responses(table.assessments, table.first_doses)  # the fixture is in order
    tr = pd.read_csv(FIX / "tr.csv")
    tr.loc[tr["VISITNUM"] == 1, "VISITNUM"] = 9  # screening numbered after week 8
    tr.to_csv(tmp_path / "tr.csv", index=False)
    (tmp_path / "tu.csv").write_text((FIX / "tu.csv").read_text())
    bad = load_assessments(tmp_path / "tr.csv", first_doses_path=FIX / "doses.csv")
    with pytest.raises(ResponseInputError, match=r"subject HCCX-01.*visit .*lesion.*out of order"):
        derive_responses(bad.assessments, bad.first_doses)
