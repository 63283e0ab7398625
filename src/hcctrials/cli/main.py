"""The ``hcctrials`` command: a thin Typer shell over the library.

Each command group lives in its own module exposing ``register(app)``; this module only
assembles them and turns :class:`~hcctrials.errors.HcctrialsError` into a one-line message
and a non-zero exit status.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from hcctrials import __version__
from hcctrials.errors import HcctrialsError, describe, is_record

__all__ = ["app", "main", "error_text", "usage_error_lines", "COMMAND_MODULES"]

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


def _lang_below(ctx: typer.Context, value: Optional[str]) -> Optional[str]:
    """``hcctrials --lang zh match ...`` (``--lang`` before the command): *value* becomes the default
    ``--lang`` of every command below this group (click's ``default_map``); a later ``--lang`` wins."""
    if value is not None:
        def below(command: Any) -> dict[str, Any]:
            return {"lang": value, **{name: below(sub) for name, sub in getattr(command, "commands", {}).items()}}

        ctx.default_map = below(ctx.command)
    return value


#: ``--lang`` of the groups (hidden: the help pages list it on each command); ``main`` reads the
#: language from the command line before click parses it, so ``hcctrials --lang zh --help`` is Chinese.
_GROUP_LANG = typer.Option(None, "--lang", hidden=True, callback=_lang_below)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    lang: Optional[str] = _GROUP_LANG,
) -> None:
    """hcctrials command line."""


def _group(lang: Optional[str] = _GROUP_LANG) -> None:
    """The callback of each command group (trials, db, criteria ...): it only takes ``--lang``."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"hcctrials.cli.{_name}").register(app)
for _info in app.registered_groups:
    if _info.typer_instance is not None and _info.typer_instance.registered_callback is None:
        _info.typer_instance.callback()(_group)


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


#: click's usage-error messages (typer vendors click) and their catalog messages: the reader's
#: language for a mistyped command or option, with the names as typed.
_USAGE_ERRORS: tuple[tuple[str, str], ...] = (
    (r"No such command (?P<name>'[^']+')\. Did you mean (?P<hint>'[^']+')\?", "No such command {name}. Did you mean {hint}?"),
    (r"No such command (?P<name>'[^']+')\.", "No such command {name}."),
    (r"No such option: (?P<name>\S+) \(Possible options: (?P<hint>[^)]+)\)", "No such option: {name} (possible options: {hint})"),
    (r"No such option: (?P<name>\S+) Did you mean (?P<hint>\S+)\?", "No such option: {name}. Did you mean {hint}?"),
    (r"No such option: (?P<name>\S+)", "No such option: {name}"),
    (r"Missing argument (?P<name>'[^']+')\.", "Missing argument {name}."),
    (r"Missing option (?P<name>'.+')\.", "Missing option {name}."),
    (r"Option (?P<name>'[^']+') requires an argument\.", "Option {name} requires an argument."),
    (r"Got unexpected extra argument(?:s|\(s\))? \((?P<name>.*)\)", "Unexpected extra argument(s): {name}"),
    (r"Invalid value for (?P<name>.+?): (?P<message>.*)", "Invalid value for {name}: {message}"),
)


def usage_error_lines(exc: Any, language: str) -> list[str]:
    """A usage error as click prints it (usage, help hint, blank line, one error line), in *language*.

    Click's own texts are English; in Chinese the frame and the known messages come from the
    catalog, the names (commands, options, values) as typed.  A message not known here keeps its
    English words rather than being guessed."""
    import re

    from hcctrials.i18n import catalog, say

    ctx = getattr(exc, "ctx", None)
    lines = []
    if ctx is not None:
        usage = ctx.get_usage()  # "Usage: ...", or already the reader's prefix (cli/help_i18n.py)
        usage = usage.removeprefix("Usage: ").removeprefix(say("Usage: {usage}", language, usage=""))
        lines.append(say("Usage: {usage}", language, usage=usage))
        lines.append(say("Try '{command} --help' for help.", language, command=ctx.command_path))
        lines.append("")
    message = exc.format_message()
    text = message
    for pattern, msgid in _USAGE_ERRORS:
        found = re.fullmatch(pattern, message, flags=re.S)
        if found:
            fields = found.groupdict()
            if "message" in fields:
                fields["message"] = catalog(language).get(fields["message"], fields["message"])
            text = say(msgid, language, **fields)
            break
    lines.append(say("Error: {message}", language, message=text))
    return lines


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
        if language == "en":
            status = app(args=args, prog_name="hcctrials", standalone_mode=False)
        else:  # the same commands with their help pages in the reader's language
            from hcctrials.cli.help_i18n import localized_command

            status = localized_command(app, language).main(args=args, prog_name="hcctrials", standalone_mode=False)
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
        # a group run without a command has printed its help page already (click's NoArgsIsHelpError)
        help_shown = type(exc).__name__ == "NoArgsIsHelpError"
        if language != "en" and hasattr(exc, "format_message") and not help_shown:
            for line in usage_error_lines(exc, language):
                typer.echo(line, err=True)
        elif callable(show):
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
