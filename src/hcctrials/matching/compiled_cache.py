"""Compiled criteria cached in the database and in the process (adapter: database I/O).

* :func:`load_compiled_trials` returns the compiled criteria of *trials* from the
  ``compiled_criteria`` table (key: trial id, registry, raw hash, :func:`compiler_version`),
  compiling and storing the missing ones, so a cold ``hcctrials match`` does not recompile an
  unchanged catalog.
* :func:`load_match_catalog` keeps one :class:`~hcctrials.matching.matcher.MatchCatalog` per
  database in the process, reused while the database's (trial id, registry, raw hash) list is
  unchanged (one small query), so a server answers each patient without reloading records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import TypeAdapter
from sqlalchemy import insert, select, tuple_

from hcctrials.criteria import CompiledTrial, compile_trials
from hcctrials.model.eligibility import Criterion
from hcctrials.model.trial import Trial

__all__ = ["compiler_version", "load_compiled_trials", "load_match_catalog", "catalog_fingerprint"]

_CRITERIA = TypeAdapter(list[Criterion])
_CATALOGS: dict[str, tuple[str, object]] = {}


@lru_cache(maxsize=1)
def compiler_version() -> str:
    """Hash of the compiler's source and lexicon (criteria and vocab packages): any change to
    them invalidates the cached trees; no hand-maintained version number to forget."""
    import hcctrials.criteria
    import hcctrials.vocab

    digest = hashlib.sha256()
    for package in (hcctrials.criteria, hcctrials.vocab):
        root = Path(package.__file__).parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".json", ".csv")):
            if path.name == "columnar.py":  # the evaluator, not the compiler
                continue
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _table():  # type: ignore[no-untyped-def]
    from hcctrials.storage.compiled_criteria import compiled_criteria

    return compiled_criteria


def load_compiled_trials(store, trials: Sequence[Trial], *, workers: int = 1) -> list[CompiledTrial]:  # type: ignore[no-untyped-def]
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
        import json

        rows = [{"trial_id": keys[i][0], "registry": keys[i][1], "raw_sha256": keys[i][2], "compiler_version": version,
                 "criteria": json.dumps(c.to_json()["criteria"], ensure_ascii=False)} for i, c in zip(missing, fresh)]
        with store.engine.begin() as conn:
            conn.execute(insert(table), rows)
    by_index = dict(zip(missing, fresh))
    out = []
    for i, k in enumerate(keys):
        if i in by_index:
            out.append(by_index[i])
        else:
            out.append(CompiledTrial(k[0], _CRITERIA.validate_json(found[k])))
    return out


def catalog_fingerprint(store) -> str:  # type: ignore[no-untyped-def]
    """Hash of every current record's (trial id, registry, raw hash): changes when any record does."""
    from hcctrials.storage.schema import trials

    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        for row in conn.execute(select(trials.c.trial_id, trials.c.registry, trials.c.raw_sha256)
                                .order_by(trials.c.trial_id, trials.c.registry)):
            digest.update("\x1f".join(row).encode() + b"\x1e")
    return digest.hexdigest()


def load_match_catalog(store):  # type: ignore[no-untyped-def]
    """The prepared MatchCatalog of *store*, reused in this process while the records are unchanged."""
    from hcctrials.matching.matcher import MatchCatalog

    fingerprint = catalog_fingerprint(store)
    hit = _CATALOGS.get(store.url)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    trials = list(store.iter_trials())
    with_criteria = [t for t in trials if MatchCatalog.has_criteria(t)]
    compiled = load_compiled_trials(store, with_criteria)
    catalog = MatchCatalog(trials, compiled={MatchCatalog.key(t): c for t, c in zip(with_criteria, compiled)})
    catalog.warm()
    _CATALOGS[store.url] = (fingerprint, catalog)
    return catalog
