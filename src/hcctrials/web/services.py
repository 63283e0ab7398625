"""What the pages and the API show, from the library's own functions (no clinical logic here).

* Catalog: :func:`hcctrials.matching.search.parse_query` and the search index of
  ``hcctrials trials search`` (:mod:`hcctrials.storage.search_index`: same matching and order),
  filters as :class:`~hcctrials.model.search.SearchFilters`; the condition filter is the search
  index's condition concept token (:data:`hcctrials.matching.search.CONDITION_TOKENS`, so "HCC"
  finds Chinese-only and English-only records alike).  Only the requested page of trials is read
  (:func:`~hcctrials.storage.search_index.search_catalog_page`); counts per facet are computed from
  the facet columns kept in memory per data version
  (:class:`~hcctrials.storage.search_index.CatalogIndex`, the same answers as the SQL of
  :func:`~hcctrials.storage.search_index.search_facets`) and are exclusive per filter (the
  count shown for a value is the number of results choosing it would give, the other filters
  kept).  The recruiting state on today's date (the filter, its counts, each listed trial's badge
  and the "status may be stale" warning) is
  :func:`hcctrials.matching.status.evaluate_recruiting_status`; the date comes from the app's clock.
* Trial: the stored record, its versions, findings and linked records (:mod:`hcctrials.storage`),
  its criteria as :func:`hcctrials.criteria.compile_trial` compiles them (``hcctrials criteria
  show``), taken from the match catalog in memory (its compiled catalog) or, before that is
  loaded, the compiled-criteria cache (:func:`hcctrials.matching.compiled_cache.load_compiled_trials`).
* Match: the steps of ``hcctrials match`` (:func:`hcctrials.cli.matching.match_command`):
  :func:`~hcctrials.patients.plausibility.check_dates`,
  :func:`~hcctrials.matching.compiled_cache.load_match_catalog`,
  :func:`~hcctrials.matching.matcher.match_patient` with the same options, the first *limit*
  trials (only those are built and explained: ``limit``), and the CLI's ``--json`` document
  (:func:`~hcctrials.matching.localise.match_document`: ``result_to_dict`` and
  ``localise_match_document`` in one pass), so the web ranks and explains exactly as the command
  line.  Stateless: nothing of the patient is kept.
* Scores: :func:`hcctrials.scores.compute_patient_scores` (``hcctrials score``).

Speed: everything that does not change between ingests is kept per process, keyed on
:func:`~hcctrials.storage.search_index.search_data_version` (one index-only statement per
request): facet counts and result pages per query, slim records of listed trials, every trial's
recruiting state per date, trial pages (without their date-dependent state) and the match
catalog.  An ingest changes the key and every cache starts afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from hcctrials.errors import InputError
from hcctrials.i18n import msg
from hcctrials.model.search import SearchFilters

if TYPE_CHECKING:
    from hcctrials.criteria import CompiledTrial
    from hcctrials.matching.geography import Place
    from hcctrials.matching.status import RecruitingStatus
    from hcctrials.model.patient import Patient
    from hcctrials.model.trial import Site, Trial
    from hcctrials.storage.repository import TrialStore, TrialVersion
    from hcctrials.storage.search_index import CatalogIndex, FacetCounts, SearchHit

_K = TypeVar("_K")
_V = TypeVar("_V")

__all__ = ["WebServices", "CatalogQuery", "CatalogPage", "CatalogItem", "TrialView", "CriterionView",
           "MatchOptions", "keep_long_lived", "settle", "PER_PAGE_MAX", "RECRUITING_STATES", "CONDITIONS",
           "REGISTRIES", "STATUSES", "PHASES"]

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
    recruiting: tuple[str, ...] = ()  # recruiting state on the evaluation date (open, uncertain ...)
    page: int = 1
    per_page: int = 20

    def check(self) -> CatalogQuery:
        """*self*, or InputError naming the parameter that is out of range."""
        from hcctrials.matching.search import CLASS_TOKENS, SETTING_TOKENS

        if self.page < 1:
            raise InputError(msg("page must be 1 or more"), field="page", value=self.page)
        if not 1 <= self.per_page <= PER_PAGE_MAX:
            raise InputError(msg("per_page must be 1 to {n}", n=PER_PAGE_MAX), field="per_page", value=self.per_page)
        if self.year is not None and not 1900 <= self.year <= 2200:
            raise InputError(msg("year must be between 1900 and 2200"), field="year", value=self.year)
        if len(self.q) > 500:
            raise InputError(msg("search text longer than 500 characters"), field="q", value=self.q)
        allowed = {"status": STATUSES, "phase": PHASES, "registry": REGISTRIES, "condition": CONDITIONS,
                   "setting": (*SETTING_TOKENS, "unclassified"), "drug_class": tuple(CLASS_TOKENS),
                   "recruiting": RECRUITING_STATES}
        for name, values in allowed.items():
            for value in getattr(self, name):
                if value not in values:
                    raise InputError(msg("unknown value of the filter {name}", name=name), field=name, value=value,
                                     hint=msg("one of {values}", values=", ".join(values)))
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
    #: the compiled rule (:class:`hcctrials.criteria.CompiledCriterion`'s ``rule``), said in words when first
    #: asked (:attr:`rule`, :attr:`rule_zh`): a page shows one language, and describing costs ~0.1 ms a criterion
    compiled: Any = field(repr=False, hash=False)
    overridden: bool = False

    @cached_property
    def rule(self) -> str:
        """The compiler's notation (:func:`hcctrials.criteria.describe`, English)."""
        from hcctrials.criteria import describe

        text: str = describe(self.compiled)
        return text

    @cached_property
    def rule_zh(self) -> str:
        """The rule in Chinese (:func:`hcctrials.criteria.compiler.describe_i18n.describe_for_reader`)."""
        from hcctrials.criteria.compiler.describe_i18n import describe_for_reader

        text: str = describe_for_reader(self.compiled, "zh")
        return text

    def rule_in(self, language: str) -> str:
        """The rule in *language* (the notation when there is no text in that language)."""
        return self.rule_zh if language == "zh" and self.rule_zh else self.rule


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

    @cached_property
    def linked_escaped(self) -> list[tuple[str, str]]:
        """:attr:`linked` escaped for HTML as the templates' autoescaping would (markupsafe), so that trial.html
        writes the list without escaping each value: a record can share a registry number with hundreds of others."""
        from markupsafe import escape

        registries = {reg: str(escape(reg)) for reg in {reg for _tid, reg in self.linked}}
        return [(str(escape(tid)), registries[reg]) for tid, reg in self.linked]

    def site_places(self, language: str) -> list[tuple[Site, str]]:
        """Each site of the record with its place in *language*: city, province and country (each
        :meth:`~hcctrials.model.trial.Text.get`, the ones missing left out), joined with ", " (a record can
        list hundreds of sites; joined in the template, they cost ~10 us each)."""
        return [(s, ", ".join(part for part in (s.city.get(language), s.province.get(language), s.country.get(language))
                              if part)) for s in self.trial.sites]

    def registry_names(self, language: str) -> dict[str, str]:
        """The word for each registry of :attr:`linked_escaped` in *language* (:func:`hcctrials.i18n.labels.label`),
        escaped for HTML and keyed by the escaped registry: worked out once per registry, not per linked record."""
        from markupsafe import escape

        from hcctrials.i18n.labels import label

        return {str(escape(reg)): str(escape(label("registry", reg, language))) for reg in {r for _t, r in self.linked}}


@dataclass(frozen=True)
class MatchOptions:
    """The options of ``hcctrials match``."""

    as_of: date
    near: str | None = None
    show_ineligible: bool = False
    show_closed: bool = False
    show_other_conditions: bool = False
    limit: int = 20


#: Top-level record fields the catalog reads of a trial: titles for the list, status and dates
#: for the recruiting state (:func:`hcctrials.matching.status.evaluate_recruiting_status`).
_SLIM_FIELDS = ("brief_title", "scientific_title", "overall_status", "dates", "provenance")
#: Recruiting states on a date (the filter "recruiting on today's date" and its counts).
RECRUITING_STATES = ("open", "uncertain", "not_yet_open", "closed")


class _Lru(Generic[_K, _V]):
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[_K, _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _K) -> _V | None:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: _K, value: _V) -> _V:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


@dataclass
class _Recruiting:
    """The recruiting state of every indexed trial on one date, and the document ids per state."""

    states: dict[tuple[str, str], RecruitingStatus]
    groups: tuple[tuple[str, tuple[int, ...]], ...]


@dataclass
class _TrialParts:
    """What the trial page shows that does not depend on the date."""

    trial: Trial
    criteria: list[CriterionView]
    versions: list[TrialVersion]
    findings: list[Any]
    linked: list[tuple[str, str]]
    links: list[str]
    settings: tuple[str, ...]
    classes: tuple[str, ...]


@dataclass
class _CatalogState:
    """What is immutable while the records and the search index do not change (key:
    :func:`hcctrials.storage.search_index.search_data_version`): index status, document ids,
    recruiting states per date, facet counts and result pages per query, slim records of listed
    trials, trial pages.  A new state (all caches empty) replaces it when an ingest changes the data."""

    key: str
    index_current: bool
    index_stale: int
    size: int
    doc_ids: dict[tuple[str, str], int] | None = None
    recruiting: dict[date, _Recruiting] = field(default_factory=dict)
    facets: _Lru[tuple[Any, ...], FacetCounts] = field(default_factory=lambda: _Lru(512))
    pages: _Lru[tuple[Any, ...], tuple[int, list[SearchHit]]] = field(default_factory=lambda: _Lru(1024))
    slim: _Lru[tuple[str, str], Trial] = field(default_factory=lambda: _Lru(20_000))
    trials: _Lru[tuple[str, str | None], _TrialParts] = field(default_factory=lambda: _Lru(512))
    pages_html: _Lru[tuple[Any, ...], str] = field(default_factory=lambda: _Lru(128))
    states: _Lru[tuple[str, str, date], RecruitingStatus] = field(default_factory=lambda: _Lru(20_000))
    match_catalog: Any = None
    #: the facet columns of the indexed catalog (:class:`~hcctrials.storage.search_index.CatalogIndex`), read once
    index: CatalogIndex | None = None
    index_read: bool = False


def warm_up_patient(as_of: date) -> Patient:
    """A made-up patient for the server's warm-up match (:meth:`WebServices.warm`): HCC on HBV cirrhosis after one
    line of systemic therapy, with the labs, scores and history items most criteria read.  Not a person; never
    stored or shown."""
    from hcctrials.patients import parse_patient

    day = as_of.isoformat()
    return parse_patient({
        "patient_id": "warm-up", "birth_date": f"{as_of.year - 60}-01-01", "sex": "male", "ecog": 1,
        "location": {"city": "Guangzhou", "province": "Guangdong", "country": "China"},
        "diagnosis": {"confirmed_by": "histology", "histology": "hcc", "cirrhosis": True, "etiologies": ["hbv"]},
        "tumour": {"nodule_count": 2, "nodule_diameters_cm": [5.0, 2.0], "vascular_invasion": True,
                   "extrahepatic_spread": False, "measurable_disease": True},
        "liver": {"ascites": "none", "encephalopathy": "none"},
        "virology": {"hbsag_positive": True, "hbv_antiviral": True},
        "labs": [{"analyte": a, "value": v, "unit": u, "date": day} for a, v, u in (
            ("bilirubin_total", 1.1, "mg/dL"), ("albumin", 3.6, "g/dL"), ("inr", 1.1, "1"), ("platelets", 110, "10^9/L"),
            ("alt", 40, "U/L"), ("creatinine", 0.9, "mg/dL"), ("hbv_dna", 100, "IU/mL"))],
        "treatments": [{"kind": "systemic", "agents": ["sorafenib"], "line": 1, "stop_reason": "progression"}],
    }, source="warm-up")


class WebServices:
    """The library functions behind the pages and the API, over one database (thread-safe)."""

    def __init__(self, database_url: str) -> None:
        from hcctrials.storage import open_store
        from hcctrials.storage.search_index import DataVersionWatch

        self.database_url = database_url
        self.store: TrialStore = open_store(database_url)
        #: asks SQLite whether anything was committed since the last request (``PRAGMA data_version``) before
        #: checking the data's fingerprint (:meth:`_catalog_state`)
        self._changes = DataVersionWatch(self.store)
        self._lock = threading.Lock()
        self._match_lock = threading.Lock()
        self._state: _CatalogState | None = None
        self._warming: threading.Thread | None = None
        #: after reading a match catalog (and after warming, and after today's recruiting states are read), move
        #: every object alive to the collector's permanent generation (:func:`gc.freeze`), and keep doing so
        #: after a full collection that found nothing (:func:`keep_long_lived`): the catalog and the caches are
        #: ~800,000 long-lived objects at 10,000 trials that each full collection would walk again (~280 ms of
        #: CPU each, every few hundred match requests, stalling every request of that worker).  For a server
        #: process (``web.server``); off by default, so tests that create many apps do not keep their garbage.
        self.freeze_after_load = False

    def close(self) -> None:
        if self._warming is not None:  # let it finish with its connection before the pool closes
            self._warming.join()
        self._changes.close()
        self.store.close()

    # -- catalog state ------------------------------------------------------------------------
    def _catalog_state(self) -> _CatalogState:
        from hcctrials.storage.search_index import search_data_version

        if self.freeze_after_load:
            settle()  # every request passes here: freeze what the last full collection found alive
        state = self._state
        if state is not None and not self._changes.may_have_changed(time.monotonic()):
            return state
        key = search_data_version(self.store)
        state = self._state
        if state is not None and state.key == key:
            return state
        with self._lock:
            if self._state is None or self._state.key != key:
                self._state = self._load_state(key)
            return self._state

    def _load_state(self, key: str) -> _CatalogState:
        from hcctrials.matching.search import INDEX_VERSION
        from hcctrials.storage.search_index import search_index_status

        status = search_index_status(self.store, index_version=INDEX_VERSION)
        return _CatalogState(key, status.current, status.stale, status.trials)

    def warm(self, as_of: date) -> None:
        """Read what the first requests would (the message catalogs, the match catalog, the query parser's lexicon
        and tokenizer, today's recruiting states, the catalog's facet columns and the first catalog page): a server
        calls this once in the background at start."""
        from hcctrials.i18n import LANGUAGES, catalog
        from hcctrials.matching.search import parse_query

        for language in LANGUAGES:  # the message catalogs: else the first Chinese page or match reads them (~0.2 s)
            catalog(language)
        state = self._catalog_state()
        with self._match_lock:
            self._match_catalog(state)
        parse_query("肝细胞癌 hepatocellular carcinoma")  # else the first search with words loads them (~1 s CPU)
        self.search(CatalogQuery(), as_of=as_of)  # today's recruiting states: frozen once read (_recruiting_on)
        # what the first matches would load (~1 s of CPU per worker process): pint's unit registry, the FHIR models,
        # and a match of a made-up patient that reaches the lexicon, the scores and the explanations in both languages
        from hcctrials.patients.fhir import load_fhir_models
        from hcctrials.units import load_unit_registry

        load_unit_registry()
        load_fhir_models()
        for language in LANGUAGES:
            self.match(warm_up_patient(as_of), MatchOptions(as_of=as_of), language)
        # what the warm-up read and keeps (caches, registries, models) out of the collector's reach now, so that no
        # full collection walks it while requests wait (freeze_after_load; ~20-40 ms each in a benchmark run)
        self._freeze()

    @property
    def warmed(self) -> bool:
        """Whether this process has finished warming up (:meth:`start_warming`; True when it never started)."""
        return self._warming is None or not self._warming.is_alive()

    def start_warming(self, as_of: date) -> None:
        """:meth:`warm` in a background thread; a failure (e.g. a database not set up yet) only means
        the first requests read what they need themselves."""
        import logging

        def run() -> None:
            try:
                self.warm(as_of)
            except Exception as exc:  # noqa: BLE001 - warming is an optimisation only
                logging.getLogger(__name__).info("catalog not warmed: %s", type(exc).__name__)

        self._warming = threading.Thread(target=run, name="hcctrials-warm", daemon=True)
        self._warming.start()

    def _slim_records(self, state: _CatalogState, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Trial]:
        """Slim records (titles, status, dates) of *keys*: from the cache, else read in one query."""
        from hcctrials.model.trial import Trial
        from hcctrials.storage.search_index import record_fields

        out: dict[tuple[str, str], Trial] = {}
        missing = []
        for key in keys:
            found = state.slim.get(key)
            if found is None:
                missing.append(key)
            else:
                out[key] = found
        if missing:
            for data in record_fields(self.store, _SLIM_FIELDS, missing):
                trial = Trial.model_validate(data)
                out[(trial.trial_id, trial.registry.value)] = state.slim.put((trial.trial_id, trial.registry.value),
                                                                             trial)
        return out

    def _recruiting_on(self, state: _CatalogState, as_of: date) -> _Recruiting:
        """Every trial's recruiting state on *as_of* (the rules of :mod:`hcctrials.matching.status`),
        computed once per date and state of the catalog from the slim records (read in one query)."""
        from hcctrials.matching.status import evaluate_recruiting_status
        from hcctrials.model.trial import Trial
        from hcctrials.storage.search_index import document_ids, record_fields

        found = state.recruiting.get(as_of)
        if found is not None:
            return found
        with self._lock:
            found = state.recruiting.get(as_of)
            if found is not None:
                return found
            if state.doc_ids is None:
                state.doc_ids = document_ids(self.store)
            states: dict[tuple[str, str], RecruitingStatus] = {}
            for data in record_fields(self.store, _SLIM_FIELDS):
                trial = Trial.model_validate(data)
                key = (trial.trial_id, trial.registry.value)
                states[key] = evaluate_recruiting_status(trial, as_of=as_of)
                state.slim.put(key, trial)  # the titles of listed trials, without another read
            ids: dict[str, list[int]] = {name: [] for name in RECRUITING_STATES}
            for key, doc in state.doc_ids.items():
                recruiting = states.get(key)
                if recruiting is not None:
                    ids[recruiting.state].append(doc)
            found = _Recruiting(states, tuple((name, tuple(sorted(ids[name]))) for name in RECRUITING_STATES))
            if len(state.recruiting) >= 3:
                state.recruiting.clear()
            state.recruiting[as_of] = found
            # the slim records of every trial are kept (the titles of listed trials): ~600,000 objects at 10,000 trials
            self._freeze()
            return found

    def catalog_size(self) -> int:
        return self.store.count()

    # -- catalog ------------------------------------------------------------------------------
    def search(self, query: CatalogQuery, *, as_of: date, language: str = "en") -> CatalogPage:
        """One page of the catalog for *query*, with exclusive counts per facet (each value's count is
        the number of results with that value chosen and the other filters kept), computed from the facet
        columns in memory (:class:`hcctrials.storage.search_index.CatalogIndex`: the answers of the SQL of
        :func:`~hcctrials.storage.search_index.search_facets` and ``search_catalog_page``) and cached per
        query while the data do not change; only the page's trials are read."""
        from hcctrials.matching.search import CONDITION_TOKENS, normalise_filters, parse_query
        from hcctrials.storage.search_index import CatalogSelection, search_catalog_page, search_facets

        query.check()
        state = self._catalog_state()
        recruiting = self._recruiting_on(state, as_of)
        filters = normalise_filters(SearchFilters(
            status=query.status, phase=query.phase, setting=query.setting, drug_class=query.drug_class,
            registry=query.registry, place=query.place,
            started_after=date(query.year, 1, 1) if query.year else None,
            started_before=date(query.year, 12, 31) if query.year else None))
        selection = CatalogSelection(parse_query(query.q), filters,
                                     tuple(CONDITION_TOKENS[c] for c in query.condition),
                                     recruiting.groups, query.recruiting)
        key = (query.q, filters, selection.condition_tokens, query.recruiting, as_of)
        index = self._catalog_index(state)
        facets = state.facets.get(key)
        if facets is None:
            counts = (index.facets if index is not None else search_facets)(
                self.store, selection, conditions=CONDITION_TOKENS)
            counts.counts["recruiting"] = counts.counts.pop("group", [])
            facets = state.facets.put(key, counts)
        page_key = (*key, query.page, query.per_page)
        page = state.pages.get(page_key)
        if page is None:
            page = state.pages.put(page_key, (index.page if index is not None else search_catalog_page)(
                self.store, selection, limit=query.per_page, offset=(query.page - 1) * query.per_page))
        total, hits = page
        slim = self._slim_records(state, [(h.trial_id, h.registry) for h in hits])
        items = []
        for hit in hits:
            key2 = (hit.trial_id, hit.registry)
            trial = slim.get(key2)
            state_now = recruiting.states.get(key2)
            if trial is None or state_now is None:  # indexed but not readable now: read it whole
                trial = self.store.get(hit.trial_id, registry=hit.registry)
                state_now = self._recruiting(state, trial, as_of)
            items.append(CatalogItem(hit.trial_id, hit.registry, trial.title(language), hit.status, hit.phases,
                                     hit.settings, hit.classes, hit.study_start, hit.score, state_now))
        return CatalogPage(query, total, items, facets.counts, state.index_current, state.index_stale, state.size,
                           as_of)

    def _catalog_index(self, state: _CatalogState) -> CatalogIndex | None:
        """The facet columns of *state*'s catalog, read once; None (the SQL of
        :func:`~hcctrials.storage.search_index.search_facets` answers) if they were not those of *state*'s
        data (an ingest wrote meanwhile: the next request has a new state)."""
        from hcctrials.storage.search_index import CatalogIndex

        if not state.index_read:
            with self._lock:
                if not state.index_read:
                    index = CatalogIndex.load(self.store)
                    state.index = index if index.version == state.key else None
                    state.index_read = True
        return state.index

    def _recruiting(self, state: _CatalogState, trial: Trial, as_of: date) -> RecruitingStatus:
        from hcctrials.matching.status import evaluate_recruiting_status

        key = (trial.trial_id, trial.registry.value, as_of)
        found = state.states.get(key)
        if found is None:
            found = state.states.put(key, evaluate_recruiting_status(trial, as_of=as_of))
        return found

    # -- one trial ----------------------------------------------------------------------------
    def trial(self, trial_id: str, *, as_of: date, registry: str | None = None) -> TrialView:
        """Everything the trial page shows (module docstring); what does not depend on the date is
        read once per state of the catalog."""
        return self._trial_view(self._catalog_state(), trial_id, as_of, registry)

    def _trial_view(self, state: _CatalogState, trial_id: str, as_of: date, registry: str | None) -> TrialView:
        parts = state.trials.get((trial_id, registry))
        if parts is None:
            parts = state.trials.put((trial_id, registry), self._trial_parts(state, trial_id, registry))
        p = parts
        return TrialView(trial=p.trial, recruiting=self._recruiting(state, p.trial, as_of), criteria=p.criteria,
                         versions=p.versions, findings=p.findings, linked=p.linked, links=p.links,
                         settings=p.settings, classes=p.classes)

    def trial_page(self, trial_id: str, *, as_of: date, registry: str | None, variant: tuple[Any, ...],
                   render: Callable[[TrialView], str]) -> str:
        """The trial page as *render* makes it from :meth:`trial`, kept per state of the catalog, date
        and *variant* (what else the page shows: language, links): a page read again is not rendered again."""
        state = self._catalog_state()
        key = (trial_id, registry, as_of, *variant)
        found = state.pages_html.get(key)
        if found is None:
            found = state.pages_html.put(key, render(self._trial_view(state, trial_id, as_of, registry)))
        return found

    def _trial_parts(self, state: _CatalogState, trial_id: str, registry: str | None) -> _TrialParts:
        from hcctrials.criteria.coverage import criterion_state
        from hcctrials.matching.compiled_cache import load_compiled_trials
        from hcctrials.matching.matcher import trial_links
        from hcctrials.matching.setting import classify_trial_setting

        # the catalog links records by their own id and registry: read that exactly (an index look-up);
        # anything else (no registry, another case, a registry number the record lists) is resolved.  The
        # record, its versions, findings and linked records in one read (one connection, one snapshot)
        details = self.store.details(trial_id, registry=registry)
        trial = details.trial
        # the criteria as `hcctrials criteria show` compiles them: from the match catalog in memory when it
        # is loaded (its compiled catalog holds every trial's), else from the compiled-criteria cache
        # (keyed by record hash and compiler version; compiled and stored when missing)
        # (and its setting, classify_trial_setting's, kept in the catalog by record)
        catalog = state.match_catalog
        if catalog is not None:
            with self._match_lock:  # the catalog's caches are shared with matching
                compiled = catalog.compiled(trial)
                setting = catalog.setting(trial)
        else:
            compiled = load_compiled_trials(self.store, [trial])[0]
            setting = classify_trial_setting(trial)
        criteria = [CriterionView(c.role, c.number, c.text, criterion_state(c.rule), c.rule, c.overridden)
                    for c in compiled.criteria]
        return _TrialParts(trial=trial, criteria=criteria, versions=details.versions, findings=details.findings,
                           linked=details.linked, links=trial_links(trial),
                           settings=setting.settings, classes=tuple(sorted(setting.intervention_classes)))

    def _match_catalog(self, state: _CatalogState) -> Any:
        """The match catalog of this state of the data (:func:`load_match_catalog`, read once)."""
        from hcctrials.matching.compiled_cache import load_match_catalog

        if state.match_catalog is None:
            # frozen out of the collector's reach by _freeze (freeze_after_load), not by the loader
            state.match_catalog = load_match_catalog(self.store, freeze=False)
            self._freeze()
        return state.match_catalog

    def _freeze(self) -> None:
        """With :attr:`freeze_after_load`: collect, then move every object alive (what was just read and is
        kept) to the collector's permanent generation, which full collections no longer walk."""
        if self.freeze_after_load:
            import gc

            gc.collect()
            gc.freeze()

    # -- matching and scores ------------------------------------------------------------------
    def match(self, patient: Patient, options: MatchOptions, language: str,
              also: Sequence[str] = ()) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Any]:
        """``hcctrials match --json`` for *patient*: (the JSON document in *language*, the same in each
        language of *also*, the MatchResult)."""
        person, place = self._match_inputs(patient, options)
        # one match at a time: the catalog's caches are shared (matching is CPU-bound under the GIL anyway)
        state = self._catalog_state()
        with self._match_lock:
            return self._match_locked(state, person, place, options, language, also)

    def match_without_waiting(self, patient: Patient, options: MatchOptions,
                              language: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Any] | None:
        """:meth:`match`, when it can run at once: the match catalog of the data as they are now is loaded and no
        other match is running.  Else None, and nothing was done: the caller runs :meth:`match` in a thread, where
        reading the catalog (seconds; minutes after a compiler upgrade) or waiting for another match blocks only
        that thread.  The API's match route calls it on the server's event loop, so that the requests of one
        worker process are matched one after the other in the order they came (issue 12: the tail latency)."""
        person, place = self._match_inputs(patient, options)
        state = self._catalog_state()
        if state.match_catalog is None or not self._match_lock.acquire(blocking=False):
            return None
        try:
            return self._match_locked(state, person, place, options, language, ())
        finally:
            self._match_lock.release()

    @staticmethod
    def _match_inputs(patient: Patient, options: MatchOptions) -> tuple[Patient, Place | None]:
        from hcctrials.matching.geography import normalise_place
        from hcctrials.patients.plausibility import check_dates

        if not 1 <= options.limit <= 500:
            raise InputError(msg("limit must be 1 to 500"), field="limit", value=options.limit)
        return check_dates(patient, options.as_of), normalise_place(options.near) if options.near else None

    def _match_locked(self, state: _CatalogState, person: Patient, place: Place | None, options: MatchOptions,
                      language: str, also: Sequence[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Any]:
        from hcctrials.matching.localise import match_document
        from hcctrials.matching.matcher import match_patient

        catalog = self._match_catalog(state)
        # only the trials shown are built and explained (the ranking is over every trial that passed)
        result = match_patient(person, catalog, as_of=options.as_of, near=place,
                               include_ineligible=options.show_ineligible, include_closed=options.show_closed,
                               include_irrelevant=options.show_other_conditions, limit=options.limit)
        # findings in the reader's language, codes and message ids beside them (docs/matching.md): the
        # document of `match --json` (result_to_dict + localise_match_document), built in one pass
        findings = person.data_findings
        extra = {"catalog_trials": len(catalog.trials)}
        document = {**match_document(result, findings, language), **extra}
        others = {lang: {**match_document(result, findings, lang), **extra} for lang in also if lang != language}
        return document, others, result

    @staticmethod
    def scores(patient: Patient, *, as_of: date, lab_window_days: int = 28) -> dict[str, Any]:
        """``hcctrials score --json`` for *patient*."""
        from hcctrials.patients.plausibility import check_dates
        from hcctrials.scores import compute_patient_scores

        if not 0 <= lab_window_days <= 3650:
            raise InputError(msg("lab_window_days must be 0 to 3650"), field="lab_window_days", value=lab_window_days)
        result: dict[str, Any] = compute_patient_scores(check_dates(patient, as_of), as_of=as_of,
                                                        lab_window_days=lab_window_days).to_dict()
        return result


_FROZEN_AFTER_FULL = threading.Event()


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    # a full collection that found no garbage: what it walked is long-lived (caches filled lazily by the
    # first requests); freezing is left to the next request (settle), not done inside the collector
    if phase == "stop" and info.get("generation") == 2 and not info.get("collected"):
        _FROZEN_AFTER_FULL.set()


def keep_long_lived() -> None:
    """The collector policy of a server process (``hcctrials.web.server``): after a full collection that found
    no garbage, the next call of :func:`settle` moves the objects alive to the permanent generation
    (:func:`gc.freeze`), so the caches that the first requests fill (the matcher's per-date recruiting states
    and sites, explained trials' rows) are walked by one full collection, not by every one; and the youngest
    generation is collected after 20,000 allocations instead of 700, so the objects of a match answer being
    built (~50,000 at 10,000 trials) are mostly freed by reference counting before a collection moves them
    towards the oldest generation (whose growth is what triggers full collections).  Installed once per process."""
    import gc

    if _after_collection not in gc.callbacks:
        gc.callbacks.append(_after_collection)
        gc.set_threshold(20_000, 10, 10)


def settle() -> None:
    """Freeze what the last full collection found alive (:func:`keep_long_lived`); cheap when there is nothing to do."""
    if _FROZEN_AFTER_FULL.is_set():
        import gc

        _FROZEN_AFTER_FULL.clear()
        gc.freeze()


def facet_values(values: Iterable[str]) -> tuple[str, ...]:
    """Repeated or comma-separated query values as one tuple, empty ones dropped."""
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(dict.fromkeys(out))


def with_page(query: CatalogQuery, page: int) -> CatalogQuery:
    return replace(query, page=page)
