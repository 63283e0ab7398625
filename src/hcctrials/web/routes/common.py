"""Helpers shared by the routers: the services of the app, today's date, catalog query parameters."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from hcctrials.web.services import CatalogQuery, WebServices, facet_values

__all__ = ["services", "today", "catalog_query"]


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
