"""The ``hcctrials`` command: a thin Typer shell over the library.

Each command group lives in its own module exposing ``register(app)``; this module only
assembles them and turns :class:`~hcctrials.errors.HcctrialsError` into a one-line message
and a non-zero exit status.
"""

from __future__ import annotations

import copy
import importlib
import sys
from collections.abc import Mapping

import typer
from rich.console import Console
from rich.markup import escape

from hcctrials import __version__
from hcctrials.errors import HcctrialsError

__all__ = ["app", "main", "error_text", "COMMAND_MODULES"]

#: Modules under ``hcctrials.cli`` that add commands, in help order.
COMMAND_MODULES = (
    "registry",
    "db",
    "fetch",
    "scores",
    "criteria",
    "matching",
    "response",
    "endpoints",
    "web",
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


def _is_record(value: object) -> bool:
    """Whether an error's *value* is a whole record (a mapping, or a list of them) rather than
    the value of one field: pydantic reports a missing field with its parent object as input."""
    if isinstance(value, Mapping):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, (Mapping, list, tuple)) for item in value)
    return False


def error_text(exc: HcctrialsError) -> str:
    """The one-line message of *exc* as the CLI prints it: file, record, field, message and the
    field's value, but never a whole record (a patient's data stay out of terminals and logs)."""
    if not _is_record(exc.value):
        return str(exc)
    shown = copy.copy(exc)
    shown.value = None
    return str(shown)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, printing hcctrials errors as one line on stderr (exit 2).

    Usage errors (a mistyped command or option, a bad value) print the usage and one line
    naming the problem, exit status 2.  Typer (>= 0.29) vendors click; its exceptions all derive
    from :class:`typer.TyperException`, so click itself is never imported here.
    """
    try:
        status = app(args=argv, prog_name="hcctrials", standalone_mode=False)
    except HcctrialsError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {escape(error_text(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except SystemExit:
        raise
    except typer.TyperException as exc:  # click's usage errors, vendored by typer
        show = getattr(exc, "show", None)
        if callable(show):
            show()  # "Usage: ...", "Try 'hcctrials --help' for help.", "Error: ..."
        else:  # pragma: no cover - every TyperException typer raises has show()
            Console(stderr=True).print(f"error: {exc.format_message()}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted", highlight=False)
        sys.exit(130)
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
