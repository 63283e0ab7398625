"""Usage errors (a mistyped command or option) print the usage and one line, exit status 2,
never a traceback; click is not imported (typer vendors it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hcctrials.cli.main import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def test_mistyped_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = _run(["trialz"], capsys)
    assert status == 2
    assert "Traceback" not in output
    assert "Usage: hcctrials" in output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: No such command 'trialz'. Did you mean 'trials'?"]


def test_mistyped_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = _run(["ingest", "--bogus"], capsys)
    assert status == 2
    assert "Traceback" not in output
    assert "Usage: hcctrials ingest" in output
    assert [line for line in output.splitlines() if line.startswith("Error:")] == ["Error: No such option: --bogus"]


def test_usage_error_in_a_subcommand_group_and_a_bad_value(capsys: pytest.CaptureFixture[str]) -> None:
    status, output = _run(["trials", "lst"], capsys)
    assert status == 2 and "No such command 'lst'" in output and "Traceback" not in output
    status, output = _run(["ingest", "--batch-size", "zero", "--examples"], capsys)
    assert status == 2 and "Traceback" not in output and "--batch-size" in output


def test_console_script_without_click_installed() -> None:
    """The real entry point, in a fresh interpreter where ``import click`` fails: still a
    one-line usage error (typer >= 0.29 vendors click; hcctrials must not import it)."""
    code = ("import sys; sys.modules['click'] = None\n"
            "from hcctrials.cli.main import main\n"
            "main(['trialz'])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "ModuleNotFoundError" not in proc.stderr
    assert "Error: No such command 'trialz'" in proc.stderr
