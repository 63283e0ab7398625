"""The search index's vocabulary (pure types): documents, queries, filters, and the builder contract.

Documents are built from a trial by :func:`hcctrials.matching.search.build_search_document`;
:mod:`hcctrials.storage.search_index` stores them and answers queries.  Storage knows only these
types and is handed the builder (:class:`DocumentBuilder`), so the storage layer imports nothing
from matching (layers: model <- storage <- matching/adapters).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hcctrials.model.trial import Trial

__all__ = ["SearchDocument", "QueryTerm", "SearchFilters", "SearchQuery", "SiteLocation", "DocumentBuilder"]

#: (city, province, country) of a trial site, as stored
SiteLocation = tuple[str | None, str | None, str | None]

@dataclass(frozen=True)
class SearchDocument:
    """What the index stores for one trial: its tokens and its filter values."""

    trial_id: str
    tokens: tuple[str, ...]
    registry: str
    status: str
    phases: tuple[str, ...]
    settings: tuple[str, ...]
    classes: tuple[str, ...]
    drugs: tuple[str, ...]
    places: tuple[str, ...]  # normalised cities, provinces and countries of the sites
    study_start: str | None
    title: str

@dataclass(frozen=True)
class QueryTerm:
    """One query word: alternatives, each a phrase (tuple of tokens); any alternative matches."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]

@dataclass(frozen=True)
class SearchFilters:
    """Filters of ``trials search`` (all optional, combined with AND)."""

    status: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    setting: tuple[str, ...] = ()
    drug: tuple[str, ...] = ()  # lexicon ids
    drug_class: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    place: tuple[str, ...] = ()  # normalised city / province / country names
    started_after: date | None = None
    started_before: date | None = None

@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[QueryTerm, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DocumentBuilder:
    """How documents are made: ``build(trial, sites=...)`` and the version of that recipe.

    Stored documents of another ``version`` are stale and re-indexed.  ``build`` must be a
    module-level function (it is sent to worker processes)."""

    build: Callable[..., SearchDocument]
    version: int

    def __call__(self, trial: Trial, sites: Sequence[SiteLocation] | None = None) -> SearchDocument:
        return self.build(trial, sites=sites)
