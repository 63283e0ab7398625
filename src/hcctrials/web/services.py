"""What the pages and the API show, from the library's own functions (no clinical logic here).

* Catalog: :func:`hcctrials.matching.search.parse_query` and
  :func:`hcctrials.storage.search_index.search_trials` (the search of ``hcctrials trials search``),
  filters as :class:`~hcctrials.model.search.SearchFilters`; the condition filter is the search
  index's condition concept token (:data:`hcctrials.matching.search.CONDITION_TOKENS`, so "HCC"
  finds Chinese-only and English-only records alike).  Counts per facet are counted over the
  result set from the stored search documents (read once per catalog state).  The recruiting
  state on today's date and the "status may be stale" warning are
  :func:`hcctrials.matching.status.evaluate_recruiting_status` of each shown record.
* Trial: the stored record, its versions, findings and linked records (:mod:`hcctrials.storage`),
  its criteria compiled by :func:`hcctrials.criteria.compile_trial` (as ``hcctrials criteria show``).
* Match: the steps of ``hcctrials match`` (:func:`hcctrials.cli.matching.match_command`):
  :func:`~hcctrials.patients.plausibility.check_dates`,
  :func:`~hcctrials.matching.compiled_cache.load_match_catalog`,
  :func:`~hcctrials.matching.matcher.match_patient` with the same options, the first *limit*
  trials, and :func:`~hcctrials.matching.explain.result_to_dict` (the CLI's ``--json``), so the web
  ranks and explains exactly as the command line.  Stateless: nothing of the patient is kept.
* Scores: :func:`hcctrials.scores.compute_patient_scores` (``hcctrials score``).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from hcctrials.errors import InputError

if TYPE_CHECKING:
    from hcctrials.criteria import CompiledTrial
    from hcctrials.matching.status import RecruitingStatus
    from hcctrials.model.patient import Patient
    from hcctrials.model.trial import Trial
    from hcctrials.storage.repository import TrialStore, TrialVersion
    from hcctrials.storage.search_index import SearchHit

__all__ = ["WebServices", "CatalogQuery", "CatalogPage", "CatalogItem", "TrialView", "CriterionView",
           "MatchOptions", "PER_PAGE_MAX", "CONDITIONS", "REGISTRIES", "STATUSES", "PHASES"]

PER_PAGE_MAX = 100
#: Filter values offered by the catalog (the index's own vocabularies).
CONDITIONS = ("hcc", "liver_cancer", "cholangiocarcinoma", "liver_metastases")
REGISTRIES = ("ctgov", "chictr", "trial_finder", "other")
STATUSES = ("recruiting", "not_yet_recruiting", "enrolling_by_invitation", "active_not_recruiting", "suspended",
            "terminated", "completed", "withdrawn", "unknown")
PHASES = ("early_phase1", "phase1", "phase2", "phase3", "phase4", "na")


@dataclass(frozen=True)
class CatalogQuery:
    """One catalog request: words (any language), filters, page."""

    q: str = ""
    status: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    setting: tuple[str, ...] = ()
    drug_class: tuple[str, ...] = ()
    condition: tuple[str, ...] = ()
    year: int | None = None
    place: tuple[str, ...] = ()
    page: int = 1
    per_page: int = 20

    def check(self) -> CatalogQuery:
        """*self*, or InputError naming the parameter that is out of range."""
        from hcctrials.matching.search import CLASS_TOKENS, SETTING_TOKENS

        if self.page < 1:
            raise InputError("page must be 1 or more", field="page", value=self.page)
        if not 1 <= self.per_page <= PER_PAGE_MAX:
            raise InputError(f"per_page must be 1 to {PER_PAGE_MAX}", field="per_page", value=self.per_page)
        if self.year is not None and not 1900 <= self.year <= 2200:
            raise InputError("year must be between 1900 and 2200", field="year", value=self.year)
        if len(self.q) > 500:
            raise InputError("search text longer than 500 characters", field="q", value=self.q)
        allowed = {"status": STATUSES, "phase": PHASES, "registry": REGISTRIES, "condition": CONDITIONS,
                   "setting": (*SETTING_TOKENS, "unclassified"), "drug_class": tuple(CLASS_TOKENS)}
        for name, values in allowed.items():
            for value in getattr(self, name):
                if value not in values:
                    raise InputError(f"unknown {name} {value!r}", field=name, value=value,
                                     hint="one of " + ", ".join(values))
        return self


@dataclass(frozen=True)
class CatalogItem:
    trial_id: str
    registry: str
    title: str
    status: str
    phases: tuple[str, ...]
    settings: tuple[str, ...]
    classes: tuple[str, ...]
    study_start: str | None
    score: float
    recruiting: RecruitingStatus

    @property
    def stale(self) -> bool:
        """The record's status contradicts its dates on today's date ("status may be stale")."""
        return self.recruiting.contradiction is not None


@dataclass(frozen=True)
class CatalogPage:
    query: CatalogQuery
    total: int
    items: list[CatalogItem]
    facets: dict[str, list[tuple[str, int]]]
    index_current: bool
    index_stale: int
    catalog_size: int
    as_of: date

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


@dataclass(frozen=True)
class CriterionView:
    role: str
    number: str
    text: str
    state: str  # compiled | partial | needs_review
    rule: str
    overridden: bool = False


@dataclass(frozen=True)
class TrialView:
    trial: Trial
    recruiting: RecruitingStatus
    criteria: list[CriterionView]
    versions: list[TrialVersion]
    findings: list[Any]
    linked: list[tuple[str, str]]
    links: list[str]
    settings: tuple[str, ...]
    classes: tuple[str, ...]


@dataclass(frozen=True)
class MatchOptions:
    """The options of ``hcctrials match``."""

    as_of: date
    near: str | None = None
    show_ineligible: bool = False
    show_closed: bool = False
    show_other_conditions: bool = False
    limit: int = 20


@dataclass
class _FacetRow:
    status: str
    registry: str
    phases: tuple[str, ...]
    settings: tuple[str, ...]
    classes: tuple[str, ...]
    year: str | None
    places: tuple[str, ...]
    conditions: tuple[str, ...]


@dataclass
class _CatalogState:
    """What is read once per state of the catalog (records and index): the facet values per
    trial, the index status, recruiting states and records recently shown."""

    key: str
    rows: dict[tuple[str, str], _FacetRow]
    index_current: bool
    index_stale: int
    size: int
    records: OrderedDict[tuple[str, str], Trial] = field(default_factory=OrderedDict)
    states: dict[tuple[str, str, date], RecruitingStatus] = field(default_factory=dict)
    compiled: OrderedDict[tuple[str, str, str], CompiledTrial] = field(default_factory=OrderedDict)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(x for x in (value or "").split(",") if x)


class WebServices:
    """The library functions behind the pages and the API, over one database (thread-safe)."""

    RECORD_CACHE = 512

    def __init__(self, database_url: str) -> None:
        from hcctrials.storage import open_store

        self.database_url = database_url
        self.store: TrialStore = open_store(database_url)
        self._lock = threading.Lock()
        self._match_lock = threading.Lock()
        self._state: _CatalogState | None = None

    def close(self) -> None:
        self.store.close()

    # -- catalog state ------------------------------------------------------------------------
    def _fingerprint(self) -> str:
        from hcctrials.matching.compiled_cache import catalog_fingerprint

        return catalog_fingerprint(self.store)

    def _catalog_state(self) -> _CatalogState:
        key = self._fingerprint()
        state = self._state
        if state is not None and state.key == key:
            return state
        with self._lock:
            if self._state is not None and self._state.key == key:
                return self._state
            self._state = self._load_state(key)
            return self._state

    def _load_state(self, key: str) -> _CatalogState:
        """Facet values of every indexed trial, from the stored search documents."""
        from sqlalchemy import select

        from hcctrials.matching.search import CONDITION_TOKENS, INDEX_VERSION
        from hcctrials.storage.search_index import search_documents, search_index_status

        token_concept = {token: concept for concept, token in CONDITION_TOKENS.items()}
        c = search_documents.c
        rows: dict[tuple[str, str], _FacetRow] = {}
        with self.store.engine.connect() as conn:
            result = conn.execute(select(c.trial_id, c.registry, c.status, c.phases, c.settings, c.classes,
                                         c.study_start, c.places, c.tokens))
            for r in result:
                concepts = tuple(sorted({token_concept[t] for t in (r.tokens or "").split() if t in token_concept}))
                rows[(r.trial_id, r.registry)] = _FacetRow(
                    r.status, r.registry, _split(r.phases), _split(r.settings), _split(r.classes),
                    (r.study_start or "")[:4] or None, _split(r.places), concepts)
        status = search_index_status(self.store, index_version=INDEX_VERSION)
        return _CatalogState(key, rows, status.current, status.stale, status.trials)

    def _record(self, state: _CatalogState, trial_id: str, registry: str) -> Trial:
        key = (trial_id, registry)
        found = state.records.get(key)
        if found is None:
            found = self.store.get(trial_id, registry=registry)
            with self._lock:
                state.records[key] = found
                while len(state.records) > self.RECORD_CACHE:
                    state.records.popitem(last=False)
        return found

    def _recruiting(self, state: _CatalogState, trial: Trial, as_of: date) -> RecruitingStatus:
        from hcctrials.matching.status import evaluate_recruiting_status

        key = (trial.trial_id, trial.registry.value, as_of)
        found = state.states.get(key)
        if found is None:
            found = evaluate_recruiting_status(trial, as_of=as_of)
            if len(state.states) > 50_000:
                state.states.clear()
            state.states[key] = found
        return found

    def catalog_size(self) -> int:
        return self.store.count()

    # -- catalog ------------------------------------------------------------------------------
    def search(self, query: CatalogQuery, *, as_of: date, language: str = "en") -> CatalogPage:
        """One page of the catalog for *query*, with counts per facet over every result."""
        from hcctrials.matching.search import (
            CONDITION_TOKENS, QueryTerm, SearchFilters, SearchQuery, normalise_filters, parse_query,
        )
        from hcctrials.storage.search_index import search_trials

        query.check()
        state = self._catalog_state()
        parsed = parse_query(query.q)
        if query.condition:
            alternatives = tuple((CONDITION_TOKENS[c],) for c in query.condition)
            parsed = SearchQuery(parsed.text, (*parsed.terms, QueryTerm("condition", alternatives)))
        filters = SearchFilters(
            status=query.status, phase=query.phase, setting=query.setting, drug_class=query.drug_class,
            registry=query.registry, place=query.place,
            started_after=date(query.year, 1, 1) if query.year else None,
            started_before=date(query.year, 12, 31) if query.year else None)
        filters = normalise_filters(filters)
        hits = search_trials(self.store, parsed, filters=filters, limit=max(state.size, 1))
        facets = self._facets(state, hits)
        start = (query.page - 1) * query.per_page
        items = [self._item(state, hit, as_of, language) for hit in hits[start:start + query.per_page]]
        return CatalogPage(query, len(hits), items, facets, state.index_current, state.index_stale, state.size,
                           as_of)

    def _item(self, state: _CatalogState, hit: SearchHit, as_of: date, language: str) -> CatalogItem:
        trial = self._record(state, hit.trial_id, hit.registry)
        return CatalogItem(hit.trial_id, hit.registry, trial.title(language), hit.status, hit.phases, hit.settings,
                           hit.classes, hit.study_start, hit.score, self._recruiting(state, trial, as_of))

    @staticmethod
    def _facets(state: _CatalogState, hits: Sequence[SearchHit]) -> dict[str, list[tuple[str, int]]]:
        counts: dict[str, Counter[str]] = {name: Counter() for name in
                                           ("condition", "status", "phase", "registry", "setting", "drug_class",
                                            "year", "place")}
        for hit in hits:
            row = state.rows.get((hit.trial_id, hit.registry))
            if row is None:
                continue
            counts["status"][row.status] += 1
            counts["registry"][row.registry] += 1
            counts["phase"].update(row.phases)
            counts["setting"].update(row.settings)
            counts["drug_class"].update(row.classes)
            counts["condition"].update(row.conditions)
            counts["place"].update(row.places)
            if row.year:
                counts["year"][row.year] += 1
        out: dict[str, list[tuple[str, int]]] = {}
        for name, counter in counts.items():
            if name == "year":
                out[name] = sorted(counter.items(), reverse=True)
            elif name == "place":
                out[name] = counter.most_common(30)
            else:
                out[name] = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        return out

    # -- one trial ----------------------------------------------------------------------------
    def trial(self, trial_id: str, *, as_of: date, registry: str | None = None) -> TrialView:
        """Everything the trial page shows (module docstring)."""
        from hcctrials.criteria import compile_trial, describe
        from hcctrials.criteria.coverage import criterion_state
        from hcctrials.matching.matcher import trial_links
        from hcctrials.matching.setting import classify_trial_setting

        state = self._catalog_state()
        tid, reg = self.store.resolve(trial_id, registry=registry)
        trial = self._record(state, tid, reg)
        key = (tid, reg, trial.provenance.raw_sha256)
        compiled = state.compiled.get(key)
        if compiled is None:
            compiled = compile_trial(trial)  # as `hcctrials criteria show`
            with self._lock:
                state.compiled[key] = compiled
                while len(state.compiled) > 256:
                    state.compiled.popitem(last=False)
        criteria = [CriterionView(c.role, c.number, c.text, criterion_state(c.rule), describe(c.rule),
                                  c.overridden) for c in compiled.criteria]
        setting = classify_trial_setting(trial)
        return TrialView(trial=trial, recruiting=self._recruiting(state, trial, as_of), criteria=criteria,
                         versions=self.store.versions(tid, registry=reg),
                         findings=self.store.findings(tid, registry=reg),
                         linked=self.store.linked_records(tid, registry=reg), links=trial_links(trial),
                         settings=setting.settings, classes=tuple(sorted(setting.intervention_classes)))

    # -- matching and scores ------------------------------------------------------------------
    def match(self, patient: Patient, options: MatchOptions, language: str,
              also: Sequence[str] = ()) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Any]:
        """``hcctrials match --json`` for *patient*: (the JSON document in *language*, the same in each
        language of *also*, the MatchResult)."""
        from hcctrials.matching.compiled_cache import load_match_catalog
        from hcctrials.matching.explain import result_to_dict
        from hcctrials.matching.geography import normalise_place
        from hcctrials.matching.matcher import match_patient
        from hcctrials.patients.plausibility import check_dates

        if not 1 <= options.limit <= 500:
            raise InputError("limit must be 1 to 500", field="limit", value=options.limit)
        person = check_dates(patient, options.as_of)
        place = normalise_place(options.near) if options.near else None
        # one match at a time: the catalog's caches are shared (matching is CPU-bound under the GIL anyway)
        with self._match_lock:
            catalog = load_match_catalog(self.store)
            result = match_patient(person, catalog, as_of=options.as_of, near=place,
                                   include_ineligible=options.show_ineligible, include_closed=options.show_closed,
                                   include_irrelevant=options.show_other_conditions)
            result.matches = result.matches[:options.limit]
            extra = {"patient_data_findings": person.data_findings, "catalog_trials": len(catalog.trials)}
            document = {**result_to_dict(result, language), **extra}
            others = {lang: {**result_to_dict(result, lang), **extra} for lang in also if lang != language}
        return document, others, result

    @staticmethod
    def scores(patient: Patient, *, as_of: date, lab_window_days: int = 28) -> dict[str, Any]:
        """``hcctrials score --json`` for *patient*."""
        from hcctrials.patients.plausibility import check_dates
        from hcctrials.scores import compute_patient_scores

        if not 0 <= lab_window_days <= 3650:
            raise InputError("lab_window_days must be 0 to 3650", field="lab_window_days", value=lab_window_days)
        result: dict[str, Any] = compute_patient_scores(check_dates(patient, as_of), as_of=as_of,
                                                        lab_window_days=lab_window_days).to_dict()
        return result


def facet_values(values: Iterable[str]) -> tuple[str, ...]:
    """Repeated or comma-separated query values as one tuple, empty ones dropped."""
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(dict.fromkeys(out))


def with_page(query: CatalogQuery, page: int) -> CatalogQuery:
    return replace(query, page=page)
