"""The ``hcctrials`` command: a thin Typer shell over the library.

Each command group lives in its own module exposing ``register(app)``; this module only
assembles them and turns :class:`~hcctrials.errors.HcctrialsError` into a one-line message
and a non-zero exit status.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from hcctrials import __version__
from hcctrials.errors import HcctrialsError, describe, is_record

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
    """Whether an error's *value* is a whole record (see :func:`hcctrials.errors.is_record`)."""
    return is_record(value)


def error_text(exc: HcctrialsError, language: str = "en") -> str:
    """The one-line message of *exc* as the CLI prints it, in *language*: file, record, field, message
    and the field's value, but never a whole record (a patient's data stay out of terminals and logs)."""
    return describe(exc, language)


def argv_language(argv: list[str]) -> str:
    """The reader's language of a command line: its ``--lang`` (``--lang zh`` / ``--lang=zh``), else
    ``$HCCTRIALS_LANG``, else English; an unknown value counts as English (the command itself says so)."""
    from hcctrials.i18n import resolve_language

    chosen: str | None = None
    for k, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and k + 1 < len(argv):
            chosen = argv[k + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    try:
        return resolve_language(chosen)
    except HcctrialsError:
        return "en"


def _show_warnings(language: str) -> Any:
    """Print data-quality warnings (FHIR resources left out ...) as one line each in *language*."""
    import warnings

    from hcctrials.errors import DataQualityWarning
    from hcctrials.i18n import render, say

    plain = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object = None, line: str | None = None) -> None:
        if isinstance(message, DataQualityWarning):
            text = str(render(message.args[0], language)) if message.args else str(message)
            Console(stderr=True).print(escape(say("warning: {message}", language, message=text)),
                                       highlight=False, soft_wrap=True)
            return
        plain(message, category, filename, lineno, file, line)  # type: ignore[arg-type]

    warnings.showwarning = show
    return plain


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, printing hcctrials errors as one line on stderr (exit 2).

    Usage errors (a mistyped command or option, a bad value) print the usage and one line
    naming the problem, exit status 2.  Typer (>= 0.29) vendors click; its exceptions all derive
    from :class:`typer.TyperException`, so click itself is never imported here.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    language = argv_language(args)
    plain_warnings = _show_warnings(language)
    try:
        status = app(args=args, prog_name="hcctrials", standalone_mode=False)
    except HcctrialsError as exc:
        from hcctrials.i18n import say

        label = say("error:", language)
        space = " " if language == "en" else ""  # the Chinese label ends with a full-width colon
        Console(stderr=True).print(f"[bold red]{escape(label)}[/]{space}{escape(error_text(exc, language))}",
                                   highlight=False, soft_wrap=True)
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
    finally:
        import warnings

        warnings.showwarning = plain_warnings
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
