"""Compiled criteria and match summaries cached in the database and in the process (adapter: database I/O).

* :func:`load_compiled_trials` returns the compiled criteria of *trials* from the
  ``compiled_criteria`` table (key: trial id, registry, raw hash, :func:`compiler_version`),
  compiling and storing the missing ones (with their summaries), so a cold ``hcctrials match`` /
  ``screen`` does not recompile an unchanged catalog.
* :func:`load_match_catalog` builds a :class:`~hcctrials.matching.matcher.MatchCatalog` from the cache
  rows alone (compiled criteria + :func:`trial_summary`: slim record, setting, places; no full record
  parsed) and keeps it per database in the process, reused while :func:`catalog_fingerprint` (two
  index-only counts) is unchanged, so a server answers each patient without reloading anything.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Table, insert, select, tuple_

from hcctrials.criteria import CompiledTrial, compile_trials
from hcctrials.model.eligibility import Criterion, Node
from hcctrials.model.trial import Trial

if TYPE_CHECKING:
    from hcctrials.matching.geography import Place
    from hcctrials.matching.matcher import MatchCatalog
    from hcctrials.matching.relevance import TrialConcepts
    from hcctrials.matching.setting import TrialSetting
    from hcctrials.storage.repository import TrialStore

__all__ = ["compiler_version", "load_compiled_trials", "load_match_catalog", "catalog_fingerprint", "trial_summary"]

_NODE: TypeAdapter[Any] = TypeAdapter(Node)
#: Layout of the cached ``criteria`` column (part of :func:`compiler_version`, so rows written in
#: another layout are simply not found): a JSON list of criteria (``Criterion.model_dump(mode="json")``)
#: whose ``rule`` is the rule tree's own JSON text, so that a reader can key rules by that text and
#: parse each distinct rule once without re-serialising it.
_ROW_FORMAT = "criteria-rows-2"
_CATALOGS: dict[str, tuple[str, MatchCatalog]] = {}


@lru_cache(maxsize=1)
def compiler_version() -> str:
    """Hash of the compiler's source and lexicon (criteria and vocab packages) and of the setting
    classifier and place normaliser (the summary): any change to them invalidates the cached rows;
    no hand-maintained version number to forget."""
    import hcctrials.criteria
    import hcctrials.vocab

    digest = hashlib.sha256()
    digest.update(_ROW_FORMAT.encode())
    here = Path(__file__).parent
    for path in (here / "setting.py", here / "geography.py", here / "relevance.py"):  # the per-trial summary
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for package in (hcctrials.criteria, hcctrials.vocab):
        # regular packages (not namespace packages) always have a __file__
        root = Path(cast(str, package.__file__)).parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".json", ".csv")):
            if path.name == "columnar.py":  # the evaluator, not the compiler
                continue
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _table() -> Table:
    from hcctrials.storage.compiled_criteria import compiled_criteria

    return compiled_criteria


def load_compiled_trials(store: TrialStore, trials: Sequence[Trial], *, workers: int = 1) -> list[CompiledTrial]:
    """Compiled criteria of *trials* (same order): from the cache, else compiled now and stored."""
    table = _table()
    version = compiler_version()
    keys = [(t.trial_id, t.registry.value, t.provenance.raw_sha256) for t in trials]
    found: dict[tuple[str, str, str], str] = {}
    with store.engine.connect() as conn:
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            stmt = select(table.c.trial_id, table.c.registry, table.c.raw_sha256, table.c.criteria).where(
                table.c.compiler_version == version,
                tuple_(table.c.trial_id, table.c.registry, table.c.raw_sha256).in_(chunk))
            for tid, reg, sha, text in conn.execute(stmt):
                found[(tid, reg, sha)] = text
    missing = [i for i, k in enumerate(keys) if k not in found]
    fresh = compile_trials([trials[i] for i in missing], workers=workers) if missing else []
    if fresh:
        _store_rows(store, [(trials[i], c) for i, c in zip(missing, fresh)], version)
    by_index = dict(zip(missing, fresh))
    memo: dict[str, Any] = {}
    out = []
    for i, k in enumerate(keys):
        if i in by_index:
            out.append(by_index[i])
        else:
            out.append(CompiledTrial(k[0], _parse_criteria(found[k], memo)))
    return out


def catalog_fingerprint(store: TrialStore) -> str:
    """A cheap fingerprint of the records: the number of records and of stored versions (two counts
    answered from the primary-key indexes, ~1 ms at 10,000 trials, instead of reading and hashing
    every row: ~70 ms, or ~30 ms for an aggregate over the wide ``trials`` rows).  Every save that
    changes a record's current version stores a new ``trial_versions`` row and every new record a
    ``trials`` row, and the store has no deletion, so any change of the catalog changes the counts.
    (A future deletion API must keep this true, e.g. by keeping the version rows.)"""
    from sqlalchemy import func

    from hcctrials.storage.schema import trial_versions, trials

    with store.engine.connect() as conn:
        records = conn.execute(select(func.count()).select_from(trials)).scalar_one()
        versions = conn.execute(select(func.count()).select_from(trial_versions)).scalar_one()
    return f"{records}:{versions}"


#: Record fields a match needs besides criteria, settings and places (titles, status and dates for
#: the recruiting state, identifiers and URLs for the links, provenance for the cache key).
_SLIM_FIELDS = {"schema_version", "trial_id", "registry", "identifiers", "brief_title", "scientific_title",
                "overall_status", "dates", "urls", "provenance"}


def trial_summary(trial: Trial) -> dict[str, Any]:
    """What ``hcctrials match`` needs of *trial* besides its criteria (JSON-ready): a slim record,
    whether it has criteria, its setting classification, its disease concepts (relevance) and its
    normalised site places."""
    from hcctrials.matching.geography import site_location
    from hcctrials.matching.matcher import MatchCatalog
    from hcctrials.matching.relevance import trial_concepts
    from hcctrials.matching.setting import classify_trial_setting

    setting = classify_trial_setting(trial)
    return {
        "trial": trial.model_dump(mode="json", include=_SLIM_FIELDS, exclude_defaults=True),
        "has_criteria": MatchCatalog.has_criteria(trial),
        "setting": {"settings": list(setting.settings), "evidence": {k: list(v) for k, v in setting.evidence.items()},
                    "intervention_classes": sorted(setting.intervention_classes)},
        "concepts": trial_concepts(trial).to_json(),
        "places": [[site.institution.get("en"), *dataclasses.astuple(site_location(site))] for site in trial.sites],
    }


def _store_rows(store: TrialStore, pairs: Sequence[tuple[Trial, CompiledTrial]], version: str) -> list[dict[str, str]]:
    """Insert (or replace) the cache rows of *pairs* (record, compiled criteria); returns the rows."""
    import orjson
    from sqlalchemy import and_, delete

    table = _table()
    rows = [{"trial_id": t.trial_id, "registry": t.registry.value, "raw_sha256": t.provenance.raw_sha256,
             "compiler_version": version, "criteria": _criteria_row(c),
             "summary": orjson.dumps(trial_summary(t)).decode()} for t, c in pairs]
    with store.engine.begin() as conn:
        for row in rows:  # a row without summary (or a concurrent writer) is replaced
            conn.execute(delete(table).where(and_(
                table.c.trial_id == row["trial_id"], table.c.registry == row["registry"],
                table.c.raw_sha256 == row["raw_sha256"], table.c.compiler_version == version)))
        if rows:
            conn.execute(insert(table), rows)
    return rows


def _from_summary(summary: dict[str, Any]) -> tuple[Trial, TrialSetting, list[tuple[str | None, Place]], TrialConcepts]:
    from hcctrials.matching.geography import Place
    from hcctrials.matching.relevance import TrialConcepts
    from hcctrials.matching.setting import TrialSetting

    s = summary["setting"]
    setting = TrialSetting(tuple(s["settings"]), {k: tuple(v) for k, v in s["evidence"].items()},
                           frozenset(s["intervention_classes"]))
    places = [(inst, Place(city, province, country)) for inst, city, province, country in summary["places"]]
    return Trial.model_validate(summary["trial"]), setting, places, TrialConcepts.from_json(summary["concepts"])


def _criteria_row(compiled: CompiledTrial) -> str:
    """The ``criteria`` column of *compiled* (layout :data:`_ROW_FORMAT`)."""
    import orjson

    items = []
    for criterion in compiled.criteria:
        item = criterion.model_dump(mode="json")
        item["rule"] = orjson.dumps(item["rule"]).decode()
        items.append(item)
    return orjson.dumps(items).decode()


def _parse_criteria(text: str, memo: dict[str, Any]) -> list[Criterion]:
    """The stored criteria list, validating each distinct rule tree once (*memo*: rule JSON -> node).

    Across a catalog most rules recur (the same age, ECOG, lab or history criterion in many trials),
    so validating per distinct rule rather than per criterion divides the cold-start parsing by the
    repetition (~100x at 10,000 trials); the rule's JSON text is stored as such, so it is the key."""
    import orjson

    out = []
    for item in orjson.loads(text):
        key = item["rule"]
        rule = memo.get(key)
        if rule is None:
            rule = memo[key] = _NODE.validate_json(key)
        # the other fields are plain strings / booleans written by Criterion.model_dump (validated
        # when compiled), so the criterion is constructed without re-validating them (~10 us each)
        out.append(Criterion.model_construct(
            number=item["number"], role=item["role"], text=item["text"], language=item["language"], rule=rule,
            overridden=bool(item.get("overridden", False)),
            exclude_from_matching=bool(item.get("exclude_from_matching", False))))
    return out


def load_match_catalog(store: TrialStore, *, workers: int = 1) -> MatchCatalog:
    """The prepared MatchCatalog of *store*, reused in this process while the records are unchanged.

    A new process reads the current records' keys joined with their cache rows in one query and
    builds the catalog from the compiled criteria and summaries (slim records, settings, places)
    without parsing full records; only records without a current cache row are loaded, compiled,
    summarised and stored (in *workers* processes when many).
    """
    fingerprint = catalog_fingerprint(store)
    hit = _CATALOGS.get(store.url)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    if hit is not None:
        del _CATALOGS[store.url]
        gc.unfreeze()
    catalog = _build_match_catalog(store, workers=workers)
    _CATALOGS[store.url] = (fingerprint, catalog)
    # The catalog is millions of long-lived objects: a full garbage collection that scans them takes
    # ~1 s and would land in some unlucky match.  Freeze them out of the collector (gc.freeze, the
    # documented use: long-lived objects created at start-up); a rebuild unfreezes first so a
    # replaced catalog can still be freed.  (No gc.collect() first: ~0.7 s, and the load's temporary
    # objects are freed by reference counting.)
    gc.freeze()
    return catalog


def _build_match_catalog(store: TrialStore, *, workers: int) -> MatchCatalog:
    """The catalog from the cache rows, compiling and storing the rows that are missing."""
    from sqlalchemy import and_

    from hcctrials.storage.schema import trials as trials_table

    table = _table()
    version = compiler_version()
    join = trials_table.outerjoin(table, and_(
        table.c.trial_id == trials_table.c.trial_id, table.c.registry == trials_table.c.registry,
        table.c.raw_sha256 == trials_table.c.raw_sha256, table.c.compiler_version == version))
    stmt = (select(trials_table.c.trial_id, trials_table.c.registry, table.c.criteria, table.c.summary)
            .select_from(join).order_by(trials_table.c.trial_id, trials_table.c.registry))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    todo = [(tid, reg) for tid, reg, criteria, summary in rows if criteria is None or summary is None]
    fresh: dict[tuple[str, str], tuple[str, str]] = {}
    if todo:
        if len(todo) > 200:  # many: one pass over the records rather than one query each
            wanted = set(todo)
            full = [t for t in store.iter_trials() if (t.trial_id, t.registry.value) in wanted]
        else:
            full = [store.get(tid, registry=reg) for tid, reg in todo]
        compiled = compile_trials(full, workers=workers)
        for row in _store_rows(store, list(zip(full, compiled)), version):
            fresh[(row["trial_id"], row["registry"])] = (row["criteria"], row["summary"])
    # Building the catalog from the rows creates millions of objects that all stay alive (and no
    # cyclic garbage); each automatic collection would scan those made so far, which more than
    # doubled this part (~8 s -> ~3.7 s at 10,000 trials).  The collector is paused meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _catalog_from_rows(rows, fresh)
    finally:
        if collecting:
            gc.enable()


def _catalog_from_rows(rows: Sequence[Any], fresh: dict[tuple[str, str], tuple[str, str]]) -> MatchCatalog:
    import orjson

    from hcctrials.matching.matcher import MatchCatalog

    slim: list[Trial] = []
    compiled_by_key: dict[tuple[str, str, str], CompiledTrial] = {}
    settings: dict[tuple[str, str], TrialSetting] = {}
    places: dict[tuple[str, str], list[tuple[str | None, Place]]] = {}
    has: dict[tuple[str, str], bool] = {}
    concepts: dict[tuple[str, str], TrialConcepts] = {}
    memo: dict[str, Any] = {}
    for tid, reg, criteria, summary_text in rows:
        if (tid, reg) in fresh:
            criteria, summary_text = fresh[(tid, reg)]
        summary = orjson.loads(summary_text)
        trial, setting, where, named = _from_summary(summary)
        slim.append(trial)
        key = (tid, reg)
        settings[key], places[key], has[key], concepts[key] = setting, where, bool(summary["has_criteria"]), named
        if has[key]:
            compiled_by_key[MatchCatalog.key(trial)] = CompiledTrial(tid, _parse_criteria(criteria, memo))
    catalog = MatchCatalog(slim, compiled=compiled_by_key, settings=settings, places=places, with_criteria=has,
                           concepts=concepts)
    catalog.warm()
    return catalog
