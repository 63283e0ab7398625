"""What a new user sees at the terminal (issue 13): registry names that never break mid-word in
`trials list` / `trials search`, indented text that keeps its indentation when a line wraps
(`endpoints`), "median not reached" without a unit, and drugs named from the lexicon in the
reader's language (`trials show`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from hcctrials.cli.endpoints import IndentedConsole
from hcctrials.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SINGLE_ARM = ROOT / "src/hcctrials/datasets/example_study"
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('layout') / 'layout.sqlite3'}"
    res = runner.invoke(app, ["ingest", "--examples", "--db", url])
    assert res.exit_code == 0, res.output
    return url


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", [["trials", "list"], ["trials", "search", "HCC"]])
def test_registry_column_never_breaks_a_name(db: str, command: list[str], lang: str) -> None:
    res = runner.invoke(app, [*command, "--db", db, "--lang", lang], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert any(" CT.gov " in line for line in lines) and any(" ChiCTR " in line for line in lines)
    assert "ClinicalTria" not in res.output and "注册中心（Ch" not in res.output
    # ids stay whole too
    assert "ChiCTR2400000017" in res.output and "NCT09999918" in res.output


def test_wrapped_lines_keep_their_indentation_with_a_hanging_indent() -> None:
    out = io.StringIO()
    con = IndentedConsole(Console(file=out, force_terminal=True, width=40, color_system=None, soft_wrap=True))
    con.print("  PFS: 49 subjects, 29 events; median 7.4 months (95% CI 3.8 to 9.3, log-log band)")
    con.print("    6 个月率：55.9%（95% CI 40.7%至68.7%；风险人数 22）")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  PFS:") and len(lines) >= 3
    pfs = [line for line in lines if not line.lstrip().startswith("6 个月率")][:3]
    assert all(line.startswith("    ") for line in pfs[1:])  # continuation: indent 2 + hanging 2
    rate = lines.index(next(line for line in lines if "6 个月率" in line))
    assert lines[rate].startswith("    6") and lines[rate + 1].startswith("      ")
    assert all(len(line) <= 40 for line in lines if line.isascii())


def test_piped_output_keeps_lines_whole() -> None:
    out = io.StringIO()
    con = IndentedConsole(Console(file=out, width=40, color_system=None, soft_wrap=True))
    text = "  PFS: 49 subjects, 29 events; median 7.4 months (95% CI 3.8 to 9.3, log-log band)"
    con.print(text)
    assert out.getvalue() == text + "\n"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "OS: 49 subjects, 10 events; median not reached (95% CI 9.0 to not reached, log-log band)"),
    ("zh", "OS：49 例受试者，10 例事件；中位未达到（95% CI 9.0至未达到，log-log 变换）"),
])
def test_median_not_reached_has_no_unit(lang: str, expected: str) -> None:
    """OS in the single-arm example: 10 deaths among 49 treated subjects, the curve stays above 50%."""
    res = runner.invoke(app, ["endpoints", str(SINGLE_ARM), "--lang", lang])
    assert res.exit_code == 0, res.output
    assert expected in res.output
    assert "not reached months" not in res.output and "未达到 个月" not in res.output


def test_trials_show_names_lexicon_drugs_in_chinese(db: str) -> None:
    """NCT09999918 (example trial-finder page): durvalumab + tremelimumab after radiofrequency ablation."""
    zh = runner.invoke(app, ["trials", "show", "NCT09999918", "--db", db, "--lang", "zh"], env={"COLUMNS": "160"})
    assert zh.exit_code == 0, zh.output
    assert "度伐利尤单抗 (durvalumab)" in zh.output and "射频消融 (rfa)" in zh.output
    en = runner.invoke(app, ["trials", "show", "NCT09999918", "--db", db, "--lang", "en"], env={"COLUMNS": "160"})
    assert "度伐利尤单抗" not in en.output and "durvalumab" in en.output


@pytest.mark.parametrize("command", [["trials", "list"], ["trials", "search", "HCC"], ["landscape"],
                                     ["criteria", "coverage"]])
def test_an_empty_database_tells_the_user_to_ingest(command: list[str], tmp_path: Path) -> None:
    """A new user's first run, before any `ingest`: no empty table, a sentence saying what to do."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    for lang, words in (("en", "hcctrials ingest"), ("zh", "请")):
        res = runner.invoke(app, [*command, "--db", url, "--lang", lang])
        assert res.exit_code == 0, res.output
        assert words in res.output and "ingest" in res.output
        assert "┏" not in res.output and "────" not in res.output  # no empty table


@pytest.mark.parametrize(("argv", "error"), [
    (["trialz", "list"], "错误：没有命令 'trialz'。您是否想输入 'trials'？"),
    (["trials", "list", "--limt", "3"], "错误：没有选项：--limt（可用选项：--limit）"),
    (["match"], "错误：缺少参数 'patient'。"),
    (["trials", "show", "a", "b"], "错误：多余的参数：b"),
])
def test_usage_errors_in_chinese_are_one_line_and_exit_2(argv: list[str], error: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from hcctrials.cli.main import main

    with pytest.raises(SystemExit) as stop:
        main([*argv, "--lang", "zh"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("用法：hcctrials")
    assert [line for line in err.splitlines() if line.startswith("错误：")] == [error]
    assert "Usage:" not in err and "Error:" not in err
