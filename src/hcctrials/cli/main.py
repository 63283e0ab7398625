"""The ``hcctrials`` command: a thin Typer shell over the library.

Each command group lives in its own module exposing ``register(app)``; this module only
assembles them and turns :class:`~hcctrials.errors.HcctrialsError` into a one-line message
and a non-zero exit status.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from hcctrials import __version__
from hcctrials.errors import HcctrialsError

__all__ = ["app", "main", "COMMAND_MODULES"]

#: Modules under ``hcctrials.cli`` that add commands, in help order.
COMMAND_MODULES = (
    "registry",
    "fetch",
    "scores",
    "criteria",
    "matching",
    "response",
    "endpoints",
)

app = typer.Typer(
    name="hcctrials",
    help="Workbench for hepatocellular-carcinoma (HCC) clinical trials: registry, eligibility, "
    "matching, tumour response and endpoints. Chinese and English.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hcctrials {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """hcctrials command line."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"hcctrials.cli.{_name}").register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, printing hcctrials errors as one line on stderr (exit 2)."""
    try:
        status = app(args=argv, standalone_mode=False)
    except HcctrialsError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors arrive as ClickException
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
