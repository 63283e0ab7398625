"""``hcctrials ... --help`` in the reader's language.

Typer builds the click command tree from the English help texts written in the code (docstrings and
``help=`` of each option).  For a Chinese reader, :func:`localized_command` gives every command of
that tree a context class of its own (click's documented extension point); when a help page is
printed (``--help``, or a group run without a command) that context swaps every text the page shows
for its catalog text (the English text is the msgid, Chinese in ``cli.po``): the command's help,
its options' and arguments' help, the ``--help`` option's own line, its subcommands' help, and the
``Usage:`` prefix (the context's formatter class).  Typer's labels (panel titles ``Options`` /
``Arguments`` / ``Commands``, the ``[default: ...]`` / ``[required]`` / ``[env var: ...]`` /
``(deprecated)`` markers) and its highlighter are module settings of :mod:`typer.rich_utils`; they
are set only while the page is printed and restored afterwards.  Names (commands, options, metavars,
values, defaults) stay as typed.

English builds nothing here: the English help is Typer's own, byte for byte.  A text the catalog
lacks stays English (``tests/cli/test_cli_help_zh.py`` fails on it).  Without Rich installed Typer
would print click's plain help, whose headings this module does not translate (Rich is a dependency).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import typer
import typer.main

from hcctrials.i18n import catalog, say

__all__ = ["localized_command", "help_texts", "RICH_LABELS"]

#: Typer's module settings (:mod:`typer.rich_utils`) that a help page prints as words.
RICH_LABELS = (
    "ARGUMENTS_PANEL_TITLE",
    "OPTIONS_PANEL_TITLE",
    "COMMANDS_PANEL_TITLE",
    "DEFAULT_STRING",
    "ENVVAR_STRING",
    "REQUIRED_LONG_STRING",
    "DEPRECATED_STRING",
)


def _text(english: str | None, language: str) -> str | None:
    """*english* in *language* from the catalog (itself when the catalog has no text for it)."""
    if not english:
        return english
    return catalog(language).get(english, english)


#: Han characters and CJK punctuation (full-width forms included): text a terminal may break anywhere.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@lru_cache(maxsize=None)
def _folding(highlighter_class: Any) -> Any:
    """Typer's highlighter class, also letting a help text with Chinese in it fold between characters.

    Rich breaks lines at spaces only and, in the table cells of a help page, cuts a longer run with
    "..." (the column's overflow); a Chinese sentence has no spaces, so at 80 columns most of an
    option's help would be cut.  Chinese may break between any two characters, which is what
    Rich's "fold" overflow does.  Every help text of Typer's pages passes through this highlighter
    (``typer.rich_utils.highlighter``, a module setting like the labels); texts without Chinese,
    option names included, keep Typer's overflow."""

    def highlight(self: Any, text: Any) -> None:
        highlighter_class.highlight(self, text)
        if _CJK.search(text.plain):
            text.overflow = "fold"

    return type(f"{highlighter_class.__name__}Folding", (highlighter_class,), {"highlight": highlight})


@contextmanager
def help_texts(language: str) -> Iterator[None]:
    """Typer's help-page labels in *language* (and its highlighter letting Chinese text fold) for the
    duration of the block; restored after it."""
    import typer.rich_utils as rich_utils  # imported only when a help page is printed

    saved: dict[str, Any] = {name: getattr(rich_utils, name) for name in (*RICH_LABELS, "highlighter")}
    try:
        for name in RICH_LABELS:
            setattr(rich_utils, name, _text(saved[name], language))
        rich_utils.highlighter = _folding(saved["highlighter"].__class__)()
        yield
    finally:
        for name, english in saved.items():
            setattr(rich_utils, name, english)


def _translate(command: Any, ctx: Any, language: str) -> None:
    """Swap the texts a help page of *command* prints for *language*'s: its help, its parameters'
    help (the ``--help`` option included: click creates it in ``get_params``) and the help of its
    subcommands (their first paragraph is the commands panel)."""
    for item in (command, *getattr(command, "commands", {}).values()):
        item.help = _text(item.help, language)
        item.short_help = _text(item.short_help, language)
    for param in command.get_params(ctx):
        if getattr(param, "help", None):
            param.help = _text(param.help, language)


@lru_cache(maxsize=None)
def _context_class(base: Any, language: str) -> Any:
    """A subclass of the click context *base* for a reader of *language*: its usage line starts with
    the catalog's "Usage:", and its help page (click's ``Context.get_help``, which ``--help`` and a
    group run without a command call) is printed with the command's texts and Typer's labels in
    *language*.  The catalog is read only then: a command that prints no help page pays nothing.

    Click lets a command choose its context class and a context its formatter class; the
    subclasses override one method each (click's formatter takes the prefix as a parameter)."""
    plain_formatter: Any = base.formatter_class

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = say("Usage: {usage}", language, usage="")
        plain_formatter.write_usage(self, prog, args, prefix)

    def get_help(self: Any) -> str:
        _translate(self.command, self, language)
        with help_texts(language):
            return str(base.get_help(self))

    formatter = type(f"{plain_formatter.__name__}_{language}", (plain_formatter,), {"write_usage": write_usage})
    return type(f"{base.__name__}_{language}", (base,), {"formatter_class": formatter, "get_help": get_help})


def _localize(command: Any, language: str) -> None:
    """Give *command* and every command below it the context class of *language*."""
    command.context_class = _context_class(command.context_class, language)
    for sub in getattr(command, "commands", {}).values():
        _localize(sub, language)


def localized_command(app: typer.Typer, language: str) -> Any:
    """The click command of *app* whose help pages and usage lines are in *language* (Typer's own
    command for English)."""
    command = typer.main.get_command(app)
    if language != "en":
        _localize(command, language)
    return command
