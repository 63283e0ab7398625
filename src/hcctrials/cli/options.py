"""Options shared by every command: ``--lang`` (the reader's language for everything printed)."""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["LANG_HELP", "lang_option"]

LANG_HELP = "zh or en: the language of everything printed (default: $HCCTRIALS_LANG, else en)."


def lang_option() -> Any:
    """The ``--lang`` option (resolve it with :func:`hcctrials.i18n.resolve_language`)."""
    return typer.Option(None, "--lang", help=LANG_HELP)
