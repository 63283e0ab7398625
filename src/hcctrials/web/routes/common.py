"""Helpers shared by the routers: the services of the app, today's date, catalog query parameters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any, TypeVar

from fastapi import Request

from hcctrials.web.services import CatalogQuery, WebServices, facet_values

__all__ = ["services", "today", "catalog_query", "in_match_thread"]

_R = TypeVar("_R")


async def in_match_thread(request: Request, function: Callable[..., _R], *args: Any, **kwargs: Any) -> _R:
    """*function* (a match, which may wait for the match catalog being read or for another match) in a thread of
    the app's match limiter (``app.state.match_threads``, made at start), not one of the request threads
    (:data:`hcctrials.web.app.REQUEST_THREADS`), so that a match waiting seconds for the catalog never keeps the
    catalog and trial pages waiting."""
    import anyio.to_thread

    limiter = getattr(request.app.state, "match_threads", None)
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), limiter=limiter)


def services(request: Request) -> WebServices:
    found: WebServices = request.app.state.services
    return found


def today(request: Request) -> date:
    found: date = request.app.state.today()
    return found


def catalog_query(q: str, status: list[str], phase: list[str], registry: list[str], setting: list[str],
                  drug_class: list[str], condition: list[str], year: int | None, place: list[str], page: int,
                  per_page: int, recruiting: list[str] | None = None) -> CatalogQuery:
    """A :class:`CatalogQuery` from query parameters (repeated or comma-separated values), checked."""
    return CatalogQuery(q=q.strip(), status=facet_values(status), phase=facet_values(phase),
                        registry=facet_values(registry), setting=facet_values(setting),
                        drug_class=facet_values(drug_class), condition=facet_values(condition), year=year,
                        place=facet_values(place), recruiting=facet_values(recruiting or []), page=page,
                        per_page=per_page).check()
