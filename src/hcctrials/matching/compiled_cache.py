"""Compiled criteria and match summaries cached in the database and in the process (adapter: database I/O).

* :func:`load_compiled_trials` returns the compiled criteria of *trials* from the
  ``compiled_criteria`` table (key: trial id, registry, raw hash, :func:`compiler_version`),
  compiling and storing the missing ones (with their summaries), so a cold ``hcctrials match`` /
  ``screen`` does not recompile an unchanged catalog.
* :func:`load_match_catalog` builds a :class:`~hcctrials.matching.matcher.MatchCatalog` and keeps it
  per database in the process, reused while :func:`catalog_fingerprint` (two index-only counts) is
  unchanged, so a server answers each patient without reloading anything.  A new process reads the
  **catalog blob**: one row of the same table, keyed by the current records and the compiler
  version, holding the deduplicated compiled catalog (distinct leaves and rule programs, per-trial
  rule-index arrays), per trial its status, concepts and summary, and its criteria in a compact form
  that is parsed and validated only for the trials that are explained (layout below).  When the
  records or the compiler changed (or the blob cannot be read), the catalog is built from the
  per-trial rows (compiled criteria +
  :func:`trial_summary`; the missing ones compiled and stored first) and the blob is replaced.
"""

from __future__ import annotations

import base64
import dataclasses
import gc
import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import numpy as np
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Table, insert, select, tuple_

from hcctrials.criteria import CompiledTrial, compile_trials
from hcctrials.model.eligibility import Criterion, Node
from hcctrials.model.trial import Trial

if TYPE_CHECKING:
    from hcctrials.matching.matcher import MatchCatalog
    from hcctrials.storage.repository import TrialStore

__all__ = ["compiler_version", "compiler_sources", "EVALUATOR_PARTS", "load_compiled_trials", "load_match_catalog",
           "catalog_fingerprint", "trial_summary"]

_NODE: TypeAdapter[Any] = TypeAdapter(Node)
#: Layout of the cached ``criteria`` column (part of :func:`compiler_version`, so rows written in
#: another layout are simply not found): a JSON list of criteria (``Criterion.model_dump(mode="json")``)
#: whose ``rule`` is the rule tree's own JSON text, so that a reader can key rules by that text and
#: parse each distinct rule once without re-serialising it.
_ROW_FORMAT = "criteria-rows-4"  # 3: summaries carry the contacts; 4: sites carry both names of the institution
_CATALOGS: dict[str, tuple[str, MatchCatalog]] = {}


@lru_cache(maxsize=1)
def compiler_version() -> str:
    """Hash of the compiler's source and lexicon (:func:`compiler_sources`) and of the setting
    classifier and place normaliser (the summary): any change to them invalidates the cached rows;
    no hand-maintained version number to forget."""
    digest = hashlib.sha256()
    digest.update(_ROW_FORMAT.encode())
    here = Path(__file__).parent
    for path in (here / "setting.py", here / "geography.py", here / "relevance.py"):  # the per-trial summary
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for name, path in compiler_sources():
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


#: the parts of the criteria package that evaluate compiled rules rather than compile them (the rule engine, its
#: column-wise form, the agreement with labelled examples): the cached rows hold the rule trees the compiler wrote
#: (JSON of :mod:`hcctrials.model.eligibility`), which no evaluator changes, so a new evaluator does not recompile
#: the catalog (minutes at 10,000 trials).  The compiler imports none of them
#: (tests/matching/test_matching_compiler_version.py).
EVALUATOR_PARTS = ("columnar.py", "evaluation/", "labelled.py")


def compiler_sources() -> list[tuple[str, Path]]:
    """(name, path) of every source and data file of the criteria and vocab packages except the evaluators
    (:data:`EVALUATOR_PARTS`), in a fixed order: what :func:`compiler_version` hashes."""
    import hcctrials.criteria
    import hcctrials.vocab

    found = []
    for package in (hcctrials.criteria, hcctrials.vocab):
        # regular packages (not namespace packages) always have a __file__
        root = Path(cast(str, package.__file__)).parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".json", ".csv")):
            name = path.relative_to(root).as_posix()
            if package is hcctrials.criteria and name.startswith(EVALUATOR_PARTS):
                continue
            found.append((name, path))
    return found


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
_SLIM_FIELDS = {"schema_version", "trial_id", "registry", "identifiers", "brief_title", "scientific_title", "contacts",
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
        "places": [[site.institution.en, site.institution.zh, *dataclasses.astuple(site_location(site))]
                   for site in trial.sites],
    }


def _store_rows(store: TrialStore, pairs: Sequence[tuple[Trial, CompiledTrial]], version: str) -> list[dict[str, str]]:
    """Insert (or replace) the cache rows of *pairs* (record, compiled criteria); returns the rows."""
    import orjson
    from sqlalchemy import and_, delete

    table = _table()
    rows = [{"trial_id": t.trial_id, "registry": t.registry.value, "raw_sha256": t.provenance.raw_sha256,
             "compiler_version": version, "criteria": _criteria_row(c),
             "summary": orjson.dumps(trial_summary(t)).decode()} for t, c in pairs]
    from hcctrials.storage.engine import write_transaction  # writers queue (SQLite BEGIN IMMEDIATE)

    with write_transaction(store.engine) as conn:
        for row in rows:  # a row without summary (or a concurrent writer) is replaced
            conn.execute(delete(table).where(and_(
                table.c.trial_id == row["trial_id"], table.c.registry == row["registry"],
                table.c.raw_sha256 == row["raw_sha256"], table.c.compiler_version == version)))
        if rows:
            conn.execute(insert(table), rows)
    return rows


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


def load_match_catalog(store: TrialStore, *, workers: int = 1, freeze: bool = True) -> MatchCatalog:
    """The prepared MatchCatalog of *store*, reused in this process while the records are unchanged.

    A new process reads the current records' keys joined with their cache rows in one query and
    builds the catalog from the compiled criteria and summaries (slim records, settings, places)
    without parsing full records; only records without a current cache row are loaded, compiled,
    summarised and stored (in *workers* processes when many).  *freeze*: move the new catalog out of
    the collector's reach (below); False for a caller with a collector policy of its own (the web app).
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
    if freeze:
        gc.freeze()
    return catalog


def _build_match_catalog(store: TrialStore, *, workers: int) -> MatchCatalog:
    """The catalog from the catalog blob of the current records (one row), else from the cache
    rows (compiling and storing the rows that are missing), storing the blob for the next process."""
    from sqlalchemy import and_

    from hcctrials.storage.schema import trials as trials_table

    table = _table()
    version = compiler_version()
    mark = _blob_mark(version)
    with store.engine.connect() as conn:
        keys = conn.execute(select(trials_table.c.trial_id, trials_table.c.registry, trials_table.c.current_version)
                            .order_by(trials_table.c.trial_id, trials_table.c.registry)).all()
        digest = _catalog_digest(keys, version)
        blob = None
        if keys:
            blob = conn.execute(select(table.c.criteria).where(
                table.c.trial_id == keys[0][0], table.c.registry == keys[0][1], table.c.raw_sha256 == digest,
                table.c.compiler_version == mark)).scalar_one_or_none()
    if blob is not None:
        try:
            return _without_gc(_catalog_from_blob, blob)
        except (ValueError, KeyError, TypeError, IndexError):  # an unreadable blob is rebuilt, never fatal
            pass
    join = trials_table.outerjoin(table, and_(
        table.c.trial_id == trials_table.c.trial_id, table.c.registry == trials_table.c.registry,
        table.c.raw_sha256 == trials_table.c.raw_sha256, table.c.compiler_version == version))
    stmt = (select(trials_table.c.trial_id, trials_table.c.registry, trials_table.c.current_version, table.c.criteria,
                   table.c.summary)
            .select_from(join).order_by(trials_table.c.trial_id, trials_table.c.registry))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    todo = [(tid, reg) for tid, reg, _v, criteria, summary in rows if criteria is None or summary is None]
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
    entries = [(tid, reg, *fresh.get((tid, reg), (criteria, summary))) for tid, reg, _v, criteria, summary in rows]
    blob = _without_gc(_blob_from_rows, entries)
    if rows:
        _store_blob(store, rows[0][0], rows[0][1], _catalog_digest([r[:3] for r in rows], version), mark, blob)
    return _without_gc(_catalog_from_blob, blob)


_T = TypeVar("_T")


def _without_gc(build: Callable[[Any], _T], arg: Any) -> _T:
    """``build(arg)`` with the garbage collector paused: building a catalog creates many objects
    that all stay alive (and no cyclic garbage); each automatic collection would scan those made
    so far (it more than doubled the build from the rows: ~8 s -> ~3.7 s at 10,000 trials)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build(arg)
    finally:
        if collecting:
            gc.enable()


# -- the catalog blob ------------------------------------------------------------------------
# One cache row per catalog (the current records, the compiler version) holding what a match
# needs in a compact, pre-deduplicated form, so that a new process reads one value instead of
# every trial's criteria JSON and validates only what it evaluates.  Lines (orjson writes no raw
# newline, so a line split needs no unescaping and the per-trial parts are parsed when used):
#
# 1. header (JSON): per trial its (id, registry), record status, disease concepts and whether it
#    has criteria; the compiled catalog's structure (hcctrials.criteria.CompiledCatalog): distinct
#    leaves (JSON, validated at load), rule programs over leaf indices, exclusion flags, criterion
#    -> rule ids and per-trial offsets (little-endian int32, base64), per distinct rule the
#    (catalog row, criterion index) of the criterion representing it; the distinct rule trees with
#    the root ``source`` set to null (*templates*; inner nodes keep theirs);
# 2. the distinct criterion texts (JSON array, parsed at the first explanation);
# 3. one line per trial: its summary (:func:`trial_summary`), parsed when the trial is shown;
# 4. one line per trial with criteria: its criteria, parsed and validated only when the trial is
#    explained, each [number, role, text index, language, template, source, overridden,
#    exclude_from_matching], *source* being 0 when the root source is the criterion's own (text,
#    language, number, role) -- nearly always --, else the stored value (-1: the tree has none).
#
# The row lives in ``compiled_criteria`` (no schema change): trial id and registry of the
# catalog's first record (the foreign key holds), ``raw_sha256`` = digest of every current record's
# (trial id, registry, current version) and of the compiler version, ``compiler_version`` =
# ``catalog-`` + the first 24 characters of the compiler version (``summary``: ``{"catalog_blob": N}``),
# so a changed compiler or any changed record misses it (and the next match rebuilds it from the
# per-trial rows, then replaces every stored blob).
_BLOB_FORMAT = 2


def _blob_mark(version: str) -> str:
    return ("catalog-" + version)[:32]


@lru_cache(maxsize=1)
def _blob_code() -> str:
    """Hash of this module, which defines the blob layout: a changed layout misses old blobs."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _catalog_digest(keys: Sequence[Any], version: str) -> str:
    """Digest of the current records (trial id, registry, current version: a new current record
    always has a new version number), of the compiler version and of the blob layout."""
    digest = hashlib.sha256(f"{_ROW_FORMAT}:{_BLOB_FORMAT}:{_blob_code()}:{version}".encode())
    for tid, reg, current in keys:
        digest.update(f"\n{tid}\t{reg}\t{current}".encode())
    return digest.hexdigest()


def _store_blob(store: TrialStore, trial_id: str, registry: str, digest: str, mark: str, blob: str) -> None:
    """Replace the stored catalog blobs by *blob* (best effort: a cache; a concurrent writer or a
    read-only database only costs the next process a rebuild)."""
    from sqlalchemy import delete
    from sqlalchemy.exc import SQLAlchemyError

    table = _table()
    try:
        from hcctrials.storage.engine import write_transaction  # writers queue (SQLite BEGIN IMMEDIATE)

        with write_transaction(store.engine) as conn:
            conn.execute(delete(table).where(table.c.compiler_version.like("catalog-%")))
            conn.execute(insert(table), [{"trial_id": trial_id, "registry": registry, "raw_sha256": digest,
                                          "compiler_version": mark, "criteria": blob,
                                          "summary": f'{{"catalog_blob": {_BLOB_FORMAT}}}'}])
    except SQLAlchemyError:
        # the blob is only a cache: a database that cannot be written now (read-only, or locked past the busy
        # timeout) still answers this match from the catalog built in memory; the next match tries again
        pass


def _ints(values: np.ndarray) -> str:
    return base64.b64encode(np.asarray(values, dtype="<i4").tobytes()).decode()


def _from_ints(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<i4").astype(np.int64)


def _program_json(program: object) -> object:
    if isinstance(program, int):
        return program
    op, args = cast(tuple[str, Any], program)
    return [op, _program_json(args) if op == "n" else [_program_json(a) for a in args]]


def _program(data: Any) -> object:
    if isinstance(data, int):
        return data
    op, args = data
    return (op, _program(args) if op == "n" else tuple(_program(a) for a in args))


def _blob_from_rows(entries: Sequence[tuple[str, str, str | None, str | None]]) -> str:
    """The catalog blob from the cache rows (trial id, registry, criteria, summary), in catalog order."""
    import orjson

    from hcctrials.criteria import CompiledCatalog

    ids: list[list[str]] = []
    status: list[str] = []
    concepts: list[Any] = []
    has: list[bool] = []
    summaries: list[str] = []
    explain: list[str] = []
    texts: dict[str, int] = {}
    templates: dict[bytes, int] = {}
    parsed: dict[str, tuple[int, Any]] = {}  # rule JSON -> (template index, root source or -1)
    trees: list[Any] = []  # per template, the validated tree
    # one criterion object per distinct (role, template, excluded), rule = the validated template,
    # in order of first occurrence, with that occurrence's (catalog row, criterion index)
    distinct: dict[tuple[str, int, bool], Criterion] = {}
    first: dict[int, tuple[int, int]] = {}
    pair_of: list[list[tuple[str, int, bool]]] = []  # per catalog row, per criterion
    default_status = Trial.model_fields["overall_status"].default.value
    for tid, reg, criteria, summary_text in entries:
        if criteria is None or summary_text is None:
            raise ValueError(f"no cache row for {tid} ({reg})")
        summary = orjson.loads(summary_text)
        ids.append([tid, reg])
        status.append(summary["trial"].get("overall_status", default_status))
        concepts.append(summary["concepts"])
        has.append(bool(summary["has_criteria"]))
        summaries.append(orjson.dumps(summary).decode())  # one line (no raw newline in orjson output)
        if not has[-1]:
            continue
        row = len(pair_of)
        compact: list[list[Any]] = []
        pairs: list[tuple[str, int, bool]] = []
        for k, item in enumerate(orjson.loads(criteria)):
            found = parsed.get(item["rule"])
            if found is None:
                tree = orjson.loads(item["rule"])
                root: Any = -1
                if "source" in tree:
                    root, tree["source"] = tree["source"], None
                template = orjson.dumps(tree)
                if template not in templates:
                    templates[template] = len(templates)
                    trees.append(_NODE.validate_json(template))
                found = parsed[item["rule"]] = (templates[template], root)
            t, source = found
            if source == {"text": item["text"], "language": item["language"], "number": item["number"],
                          "role": item["role"]}:
                source = 0
            overridden, excluded = bool(item.get("overridden", False)), bool(item.get("exclude_from_matching", False))
            compact.append([item["number"], item["role"], texts.setdefault(item["text"], len(texts)), item["language"],
                            t, source, overridden, excluded])
            pair = (item["role"], t, excluded)
            if pair not in distinct:
                criterion = distinct[pair] = Criterion.model_construct(
                    number=item["number"], role=item["role"], text=item["text"], language=item["language"],
                    rule=trees[t], overridden=overridden, exclude_from_matching=excluded)
                first[id(criterion)] = (row, k)
            pairs.append(pair)
        pair_of.append(pairs)
        explain.append(orjson.dumps(compact).decode())
    # Rule and leaf keys ignore every node's source, and the first criterion with a given key is the
    # first occurrence of the first (role, template, excluded) having it, so CompiledCatalog (the one
    # definition of the structure) over the distinct ones, in order of first occurrence, gives the
    # rules, leaves and programs it gives over all the trials' criteria.
    catalog = CompiledCatalog([CompiledTrial("", list(distinct.values()))])
    counted = [pair for pair in distinct if not pair[2]]
    rule_of = dict(zip(counted, catalog.criterion_ids.tolist()))
    criterion_ids = [rule_of[pair] for pairs in pair_of for pair in pairs if not pair[2]]
    offsets = np.cumsum([0, *(sum(not pair[2] for pair in pairs) for pairs in pair_of)])
    header = orjson.dumps({
        "format": _BLOB_FORMAT, "ids": ids, "status": status, "concepts": concepts, "has_criteria": has,
        "templates": [t.decode() for t in templates],
        "leaves": [cast(BaseModel, leaf).model_dump_json() for leaf in catalog.leaves],
        "programs": [_program_json(p) for p in catalog.programs], "exclusion": catalog.exclusion,
        "rules": [list(first[id(c)]) for c in catalog.rules],
        "criterion_ids": _ints(np.asarray(criterion_ids, dtype=np.int64)), "offsets": _ints(offsets),
    }).decode()
    return "\n".join([header, orjson.dumps(list(texts)).decode(), *summaries, *explain])


class _Criteria:
    """Criterion objects of the catalog blob, built (and their rules validated) on first use."""

    def __init__(self, ids: list[str], explain: list[str], texts: str, templates: list[str]) -> None:
        self.ids, self.explain, self.templates = ids, explain, templates
        self._texts_json = texts
        self._texts: list[str] | None = None
        self._items: dict[int, list[list[Any]]] = {}
        self._trials: dict[int, CompiledTrial] = {}
        self._rules: dict[bytes, Any] = {}

    def _row(self, row: int) -> list[list[Any]]:
        import orjson

        items = self._items.get(row)
        if items is None:
            items = self._items[row] = orjson.loads(self.explain[row])
        return items

    def _item(self, row: int, k: int) -> Criterion:
        import orjson

        if self._texts is None:
            self._texts = orjson.loads(self._texts_json)
        number, role, text_index, language, template, source, overridden, excluded = self._row(row)[k]
        text = self._texts[text_index]
        if source == -1:
            rule_text = self.templates[template].encode()
        else:
            tree = orjson.loads(self.templates[template])
            tree["source"] = ({"text": text, "language": language, "number": number, "role": role}
                              if source == 0 else source)
            rule_text = orjson.dumps(tree)
        rule = self._rules.get(rule_text)
        if rule is None:
            rule = self._rules[rule_text] = _NODE.validate_json(rule_text)
        # the fields were written from validated Criterion objects (see _parse_criteria)
        return Criterion.model_construct(number=number, role=role, text=text, language=language, rule=rule,
                                         overridden=overridden, exclude_from_matching=excluded)

    def trial(self, row: int) -> CompiledTrial:
        found = self._trials.get(row)
        if found is None:
            count = len(self._row(row))
            found = self._trials[row] = CompiledTrial(self.ids[row], [self._item(row, k) for k in range(count)])
        return found


class _LazyTrials(Sequence[CompiledTrial]):
    def __init__(self, source: _Criteria) -> None:
        self._source = source

    def __len__(self) -> int:
        return len(self._source.ids)

    @overload
    def __getitem__(self, index: int) -> CompiledTrial: ...

    @overload
    def __getitem__(self, index: slice) -> list[CompiledTrial]: ...

    def __getitem__(self, index: int | slice) -> CompiledTrial | list[CompiledTrial]:
        if isinstance(index, slice):
            return [self._source.trial(i) for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._source.trial(index)


class _LazyRules(Sequence[Criterion]):
    """Per distinct rule, the criterion that represents it (the first with that meaning)."""

    def __init__(self, source: _Criteria, where: list[tuple[int, int]]) -> None:
        self._source, self._where = source, where
        self._built: dict[int, Criterion] = {}

    def __len__(self) -> int:
        return len(self._where)

    @overload
    def __getitem__(self, index: int) -> Criterion: ...

    @overload
    def __getitem__(self, index: slice) -> list[Criterion]: ...

    def __getitem__(self, index: int | slice) -> Criterion | list[Criterion]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        found = self._built.get(index)
        if found is None:
            row, k = self._where[index]
            trial = self._source._trials.get(row)
            found = self._built[index] = trial.criteria[k] if trial is not None else self._source._item(row, k)
        return found


def _catalog_from_blob(blob: str) -> MatchCatalog:
    import orjson

    from hcctrials.criteria import CompiledCatalog
    from hcctrials.matching.matcher import MatchCatalog
    from hcctrials.matching.relevance import TrialConcepts

    lines = blob.split("\n")
    data = orjson.loads(lines[0])
    if data.get("format") != _BLOB_FORMAT:
        raise ValueError(f"catalog blob format {data.get('format')!r}, expected {_BLOB_FORMAT}")
    ids = [(tid, reg) for tid, reg in data["ids"]]
    has: list[bool] = data["has_criteria"]
    n = len(ids)
    source = _Criteria([key[0] for key, h in zip(ids, has) if h], lines[2 + n:], lines[1], data["templates"])
    compiled = CompiledCatalog.from_structure(
        _LazyTrials(source), _LazyRules(source, [(row, k) for row, k in data["rules"]]),
        [_NODE.validate_json(leaf) for leaf in data["leaves"]], [_program(p) for p in data["programs"]],
        [bool(x) for x in data["exclusion"]], _from_ints(data["criterion_ids"]), _from_ints(data["offsets"]))
    concepts = [TrialConcepts.from_json(c) for c in data["concepts"]]
    return MatchCatalog.from_summaries(ids, data["status"], lines[2:2 + n], concepts, has, compiled)
