"""The web application and REST API (issue 12): FastAPI over the same library functions as the CLI.

``create_app(database_url)`` builds the app: server-rendered pages (Jinja2, in Chinese and
English through :func:`hcctrials.i18n.say`) for the trial catalog, one trial and matching a
patient, and the JSON API under ``/api`` (OpenAPI at ``/api/openapi.json``).  No clinical logic
lives here: search, recruiting status, criteria compiling, scores and matching are the library's
(:mod:`hcctrials.matching`, :mod:`hcctrials.criteria`, :mod:`hcctrials.scores`).  See docs/web.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(database_url: str | None = None, **options: Any) -> FastAPI:
    """The FastAPI application over *database_url* (default: ``$HCCTRIALS_DB`` or the user data folder)."""
    from hcctrials.web.app import create_app as build

    return build(database_url, **options)
