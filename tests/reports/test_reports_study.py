"""The example study, the report (HTML en/zh, PDF) and the CLI commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hcctrials.cli.main import app
from hcctrials.datasets.example_study import EXAMPLE_STUDY_DIR, generate_example_study
from hcctrials.endpoints.study import analyse_study
from hcctrials.errors import ValidationError
from hcctrials.reports import load_study, render_html, render_pdf

runner = CliRunner()


@pytest.fixture(scope="module")
def study():
    return load_study("example")


@pytest.fixture(scope="module")
def analysis(study):
    return analyse_study(study)


def test_packaged_example_is_what_the_generator_writes() -> None:
    for name, frame in generate_example_study().items():
        stored = pd.read_csv(EXAMPLE_STUDY_DIR / f"{name}.csv", dtype={"subject_id": str})
        assert len(stored) == len(frame), name
        assert list(stored.columns) == list(frame.columns), name


def test_analysis_numbers_are_consistent(study, analysis) -> None:
    assert analysis.n_treated == len(study.treated) == 49
    rec = analysis.by_criteria["recist11"]
    assert rec.orr.n == 49
    # ORR count equals the number of confirmed CR/PR BORs from the response engine
    assert rec.orr.count == int(rec.responses["best_overall_response_confirmed"].isin(["CR", "PR"]).sum())
    pfs = rec.adtte[rec.adtte["PARAMCD"] == "PFS"]
    assert len(pfs) == 49 and (pfs["AVAL"] >= 1).all()
    assert rec.summaries["DOR"].n == rec.orr.count
    flow = analysis.flow.set_index("stage")["n"]
    assert flow["screened"] == flow["screen_failure"] + flow["enrolled"]


def test_html_report_en_and_zh(study, analysis) -> None:
    en = render_html(study, analysis, lang="en")
    zh = render_html(study, analysis, lang="zh")
    for text in ("Objective response rate", "Kaplan-Meier", "Clopper-Pearson", "Brookmeyer-Crowley",
                 "Subject flow"):
        assert text in en
    assert "受试者流程" in zh and "总生存期" in zh
    assert en.count("data:image/svg+xml;base64,") >= 8
    import re
    visible = re.sub(r"base64,[A-Za-z0-9+/=]+", "", en)
    assert not re.search(r"\bnan\b", visible, flags=re.IGNORECASE)
    assert not re.search(r">\s*(True|False)\s*<", visible)


def test_pdf_report(study, analysis, tmp_path: Path) -> None:
    out = render_pdf(study, tmp_path / "r.pdf", analysis)
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 50_000
    assert b"/Type3" not in out.read_bytes()


def test_cross_table_subject_error(tmp_path: Path) -> None:
    d = tmp_path / "s"
    shutil.copytree(EXAMPLE_STUDY_DIR, d)
    ae = pd.read_csv(d / "adverse_events.csv")
    ae.loc[0, "subject_id"] = "EX-999"
    ae.to_csv(d / "adverse_events.csv", index=False)
    with pytest.raises(ValidationError, match="EX-999"):
        analyse_study(load_study(d))


def test_cli_design_simon_json() -> None:
    r = runner.invoke(app, ["design", "simon", "--p0", "0.10", "--p1", "0.25", "--alpha", "0.05",
                            "--beta", "0.2", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["optimal"]["r1"], out["optimal"]["n1"], out["optimal"]["r"], out["optimal"]["n"]) == (2, 18, 7, 43)


def test_cli_design_survival() -> None:
    r = runner.invoke(app, ["design", "survival", "--hr", "0.7"])
    assert r.exit_code == 0 and "247 events" in r.output


def test_cli_endpoints_and_report(tmp_path: Path) -> None:
    r = runner.invoke(app, ["endpoints", "example", "--json", "--criteria", "recist11"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["criteria"]["recist11"]["orr"]["n"] == 49
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", "example", "--lang", "zh", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.is_file() and "<html lang=\"zh\">" in out.read_text(encoding="utf-8")
    assert "报告已写入" in r.output
    r = runner.invoke(app, ["report", "example", "--lang", "fr", "-o", str(out)])
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_cli_endpoints_writes_adam_adtte(tmp_path: Path) -> None:
    """`--adtte` writes ADaM ADTTE: USUBJID as the key, OS once per subject, PFS per criteria set (issue 14)."""
    out = tmp_path / "adtte.csv"
    r = runner.invoke(app, ["endpoints", "example", "--adtte", str(out)])
    assert r.exit_code == 0, r.output
    adtte = pd.read_csv(out)
    assert {"STUDYID", "USUBJID", "PARAMCD", "AVAL", "CNSR", "EVNTDESC"} <= set(adtte.columns)
    assert "subject_id" not in adtte.columns
    os_rows = adtte[adtte["PARAM"] == "Overall survival"]
    assert len(os_rows) == os_rows["USUBJID"].nunique() == 49
    assert adtte.groupby(["USUBJID", "PARAMCD"]).size().max() == 1
