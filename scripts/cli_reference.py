"""Write docs/cli.md, the reference of every hcctrials command, from its ``--help`` output.

    python scripts/cli_reference.py          # rewrite docs/cli.md
    python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date

tests/cli/test_cli_registry_docs.py runs the check, so the page cannot drift from the code.
"""

from __future__ import annotations

import sys
from typing import Any
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

def all_commands() -> list[list[str]]:
    """Every leaf command of the CLI, in help order (groups are walked recursively)."""
    import typer.main

    from hcctrials.cli.main import app

    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        # Typer ships its own click; a group is whatever can list sub-commands.
        if hasattr(command, "list_commands"):
            ctx = command.context_class(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name])
        else:
            found.append(path)

    walk(typer.main.get_command(app), [])
    return found


HEADER = """# CLI reference

Generated from `--help` by `python scripts/cli_reference.py`; do not edit by hand
(`tests/cli/test_cli_registry_docs.py` fails when this page is out of date).

The database is `--db PATH|URL`, else `$HCCTRIALS_DB`, else
`~/.local/share/hcctrials/hcctrials.sqlite3` (folders are created). PostgreSQL:
`--db postgresql://USER@HOST:5432/DB` (psycopg 3). Errors print one line and exit with
status 2; `ingest` exits with status 1 when any file or record failed.
See [storage.md](storage.md) for what is stored and the ingest rules.
"""


def render() -> str:
    from typer.testing import CliRunner

    from hcctrials.cli.main import app

    runner = CliRunner()
    parts = [HEADER]
    for command in all_commands():
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"},
                               terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"hcctrials {' '.join(command)} --help failed: {result.output}")
        text = "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())
        parts.append(f"## hcctrials {' '.join(command)}\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run python scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
