"""CLI commands for endpoints (filled in by its owner module)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the endpoints commands to *app*."""
