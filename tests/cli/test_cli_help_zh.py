"""``hcctrials ... --help`` in Chinese (the brief: every user-facing string in Chinese and English,
``--lang`` everywhere), and English help pages exactly as Typer prints them.

For every command and command group the help page is printed through ``hcctrials.cli.main.main``
(the console script), with ``--lang zh`` after the command, before it, or ``$HCCTRIALS_LANG=zh``.  A
Chinese page must show the catalog's Chinese text of every help it lists (the command's, each
option's and argument's), none of the English ones, Typer's labels in Chinese, and no run of three
English words except names a reader types (command paths, formats, library names listed below).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from hcctrials.cli.main import app, main
from hcctrials.i18n import catalog

ROOT = Path(__file__).resolve().parents[2]
PATIENT = ROOT / "src/hcctrials/datasets/patients/wuhan_child_pugh_b8_ascites.yaml"
WIDE = "400"  # one line per help text: the checks below read whole sentences

#: Names that keep their English words in a Chinese help page (typed or quoted as they are).
NAMES = re.compile(r"hcctrials(?: [a-z][\w-]*)+(?: DIR)?|FHIR R4 Bundle|Spark master URL|"
                   r"R rpact getDesignGroupSequential")


def _paths() -> list[tuple[list[str], Any]]:
    """Every command and group of the CLI with its click object, the root first."""
    found: list[tuple[list[str], Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            if not sub.hidden:
                walk(sub, [*path, name])

    walk(get_command(app), [])
    return found


PATHS = _paths()
IDS = [" ".join(p) or "hcctrials" for p, _ in PATHS]


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def _flat(text: str) -> str:
    """The page's words on one line (box drawing and padding dropped)."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _shown(text: str) -> str:
    return " ".join(text.split())


def _helps(command: Any) -> list[tuple[str, bool]]:
    """The English help texts (msgids) a help page of *command* prints: its own and its parameters'
    whole, its subcommands' first paragraph only (second item True)."""
    ctx = command.context_class(command)
    texts = [(command.help or "", False)]
    texts += [(p.help, False) for p in command.get_params(ctx) if getattr(p, "help", None) and not p.hidden]
    texts += [(sub.short_help or sub.help or "", True) for sub in getattr(command, "commands", {}).values()
              if not sub.hidden]
    return [(t, first) for t, first in texts if t.strip()]


@pytest.mark.parametrize(("path", "command"), PATHS, ids=IDS)
def test_chinese_help_page_of_every_command(path: list[str], command: Any, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDE)
    monkeypatch.delenv("HCCTRIALS_LANG", raising=False)
    status, out, err = _help([*path, "--help", "--lang", "zh"], capsys)
    assert (status, err) == (0, ""), err
    page = _flat(out)
    zh = catalog("zh")
    for english, first_paragraph in _helps(command):
        chinese = zh.get(english)
        assert chinese, f"no Chinese text in cli.po for {english!r}"
        if first_paragraph:
            english, chinese = english.split("\n\n")[0], chinese.split("\n\n")[0]
        assert _shown(chinese) in page, f"{' '.join(path)}: Chinese help of {english!r} not shown"
        if chinese != english:
            assert _shown(english) not in page, f"{' '.join(path)}: English help left: {english!r}"
    assert page.startswith(f"用法：hcctrials{' ' if path else ''}{' '.join(path)} ")
    assert "╭ 选项 " in " ".join(re.sub(r"─", " ", out).split())
    for label in ("Usage:", "Options", "Commands", "Arguments", "[default:", "[required]", "Show this message"):
        assert label not in page, f"{' '.join(path)}: Typer label {label!r} left in English"
    english_runs = re.findall(r"[A-Za-z][\w'.-]*(?: [A-Za-z][\w'.-]*){2,}", NAMES.sub(" ", page))
    assert not english_runs, f"{' '.join(path)}: English words in the Chinese help: {english_runs}"


def test_typer_labels_in_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`criteria show` has a required argument and an option with a default: both markers in Chinese."""
    monkeypatch.setenv("COLUMNS", WIDE)
    _status, out, _err = _help(["criteria", "show", "--help", "--lang", "zh"], capsys)
    page = _flat(out)
    assert "╭ 参数 " in " ".join(re.sub(r"─", " ", out).split())
    assert "NCT... / ChiCTR... 编号 [必填]" in page
    assert "标准文本的语言：auto | en | zh [默认：auto]" in page
    _status, out, _err = _help(["--help", "--lang", "zh"], capsys)
    assert "╭ 命令 " in " ".join(re.sub(r"─", " ", out).split())


@pytest.mark.parametrize("argv", [["--lang", "zh", "--help"], ["--lang=zh", "serve", "--help"],
                                  ["criteria", "--lang", "zh", "show", "--help"]],
                         ids=["root", "before-the-command", "on-a-group"])
def test_lang_anywhere_on_the_line(argv: list[str], capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDE)
    monkeypatch.delenv("HCCTRIALS_LANG", raising=False)
    status, out, err = _help(argv, capsys)
    assert (status, err) == (0, "")
    assert out.strip().startswith("用法：hcctrials") and "显示本帮助并退出。" in out


def test_language_from_the_environment(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", WIDE)
    monkeypatch.setenv("HCCTRIALS_LANG", "zh")
    _status, out, _err = _help(["match", "--help"], capsys)
    assert "该患者可以参加哪些试验？" in out and "Which trials" not in out
    status, out, err = _help(["criteria"], capsys)  # a group without a command prints its help page
    assert status == 2 and "入排标准：编译、审核覆盖率、评估患者。" in out
    assert "错误" not in err, err  # no usage-error frame under the help page


@pytest.mark.parametrize(("path", "command"), PATHS, ids=IDS)
def test_english_help_is_typers_own(path: list[str], command: Any, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """English pages through the console script, after a Chinese page in the same process (Typer's
    labels restored), equal Typer's own pages (those of docs/cli.md, checked by test_cli_registry_docs)."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("HCCTRIALS_LANG", raising=False)
    _help([*path, "--help", "--lang", "zh"], capsys)
    typer_page = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100"}).stdout
    for lang in ([], ["--lang", "en"]):
        status, out, err = _help([*path, "--help", *lang], capsys)
        assert (status, err) == (0, "")
        assert out == typer_page, f"hcctrials {' '.join(path)} --help {' '.join(lang)} differs from Typer's page"


def test_lang_before_the_command_is_the_commands_language(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`hcctrials --lang zh score P` prints what `hcctrials score P --lang zh` prints (Wuhan patient,
    Child-Pugh B8 with ascites), and a `--lang` after the command wins."""
    monkeypatch.setenv("COLUMNS", WIDE)
    monkeypatch.delenv("HCCTRIALS_LANG", raising=False)
    args = ["score", str(PATIENT), "--as-of", "2024-06-10"]
    after = _help([*args, "--lang", "zh"], capsys)
    before = _help(["--lang", "zh", *args], capsys)
    assert before == after and re.search(r"[\u4e00-\u9fff]", after[1])
    assert _help(["--lang", "zh", *args, "--lang", "en"], capsys) == _help(args, capsys)


def test_usage_error_keeps_one_usage_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = _help(["criteria", "show", "--lang", "zh"], capsys)
    assert status == 2
    assert err.splitlines()[0].startswith("用法：hcctrials criteria show ") and "用法：用法" not in err
