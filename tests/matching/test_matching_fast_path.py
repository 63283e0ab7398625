"""The fast match path (masks over the catalog, the catalog blob of the database cache, criteria
built only for explained trials) gives the same MatchResult as a plain reference: every trial
evaluated on its own with ``evaluate_trial(compile_trial(trial))``, one gate after the other."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from functools import partial
from collections.abc import Iterator
from typing import Any, cast

import pytest

from hcctrials.criteria import PatientFacts, compile_trial, evaluate_trial
from hcctrials.criteria.catalog import CompiledCatalog, CompiledTrial
from hcctrials.criteria.evaluation.verdict import TRIAL_CODE
from hcctrials.matching import compiled_cache
from hcctrials.matching.explain import result_to_dict
from hcctrials.matching.geography import DISTANCE_ORDER, distance_class, distance_km, resolve_location, site_location
from hcctrials.matching.matcher import (
    MatchCatalog,
    MatchResult,
    SiteMatch,
    TrialMatch,
    derive_line_of_therapy,
    explanation_of,
    match_patient,
    setting_affinity,
    trial_links,
)
from hcctrials.matching.relevance import assess_relevance, patient_concepts, trial_concepts
from hcctrials.matching.setting import classify_trial_setting
from hcctrials.matching.status import evaluate_recruiting_status
from hcctrials.model.eligibility import leaf_key
from hcctrials.model.patient import Patient
from hcctrials.model.trial import OverallStatus, Trial
from hcctrials.patients import load_patient
from hcctrials.storage import open_store
from hcctrials.storage.repository import TrialStore
from hcctrials.storage.compiled_criteria import compiled_criteria

PATIENTS = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"
DATES = (date(2020, 6, 1), date(2026, 1, 15))
FLAGS: tuple[dict[str, bool], ...] = ({}, {"include_ineligible": True, "include_closed": True, "include_irrelevant": True})


def _patients() -> list[Patient]:
    return [load_patient(p) for p in sorted(PATIENTS.iterdir()) if p.suffix in (".yaml", ".json")]


def _reference(patient: Patient, trials: list[Trial], compiled: dict[str, CompiledTrial], *, as_of: date,
               include_ineligible: bool = False, include_closed: bool = False,
               include_irrelevant: bool = False) -> MatchResult:
    """One trial at a time, each gate in turn (what match_patient computes with masks)."""
    facts = PatientFacts(patient, as_of)
    line = derive_line_of_therapy(patient, as_of=as_of)
    loc = patient.location
    here = resolve_location(loc.city, loc.province, loc.country)
    disease = patient_concepts(patient)
    matches: list[TrialMatch] = []
    hidden_irrelevant: dict[str, int] = {}
    hidden_closed = hidden_ineligible = 0
    measure: dict[str, set[str]] = {}  # item -> trials naming it, items in order of first mention
    for trial in trials:
        rel = assess_relevance(trial_concepts(trial), disease)
        if not rel.relevant and not include_irrelevant:
            hidden_irrelevant[rel.level] = hidden_irrelevant.get(rel.level, 0) + 1
            continue
        rec = evaluate_recruiting_status(trial, as_of=as_of)
        if not rec.offered and not include_closed:
            hidden_closed += 1
            continue
        verdict, unknown, count, tv = "unknown_no_criteria", 0, 0, None
        if MatchCatalog.has_criteria(trial):
            tv = evaluate_trial(compiled[trial.trial_id], facts, as_of=as_of)
            counted = [r for r in tv.results if not r.criterion.exclude_from_matching]
            verdict, unknown, count = tv.status, sum(TRIAL_CODE[r.status] == 1 for r in counted), len(counted)
        if verdict == "ineligible" and not include_ineligible:
            hidden_ineligible += 1
            continue
        setting = classify_trial_setting(trial)
        sites = [SiteMatch(s.institution.get("en"), site_location(s).describe(), distance_class(here, site_location(s)),
                           distance_km(here, site_location(s)), s.institution.zh, site_location(s)) for s in trial.sites]
        nearest = min((s.distance for s in sites), key=DISTANCE_ORDER.__getitem__, default="unknown")
        matches.append(TrialMatch(trial.trial_id, trial.registry.value, trial.title("en"), verdict, rec, setting,
                                  setting_affinity(line, setting), sites, nearest, trial_links(trial),
                                  unknown_count=unknown, criteria_count=count, relevance=rel, contacts=list(trial.contacts),
                                  explain=None if tv is None else partial(explanation_of, tv)))
        if verdict == "possibly_eligible" and tv is not None:
            for r in tv.results:
                if not r.criterion.exclude_from_matching and TRIAL_CODE[r.status] == 1:
                    for item in r.verdict.missing:
                        measure.setdefault(item, set()).add(trial.trial_id)
    matches.sort(key=TrialMatch.sort_key)
    order = {item: k for k, item in enumerate(measure)}
    to_measure = sorted(((item, len(ids)) for item, ids in measure.items()), key=lambda p: (-p[1], order[p[0]]))
    return MatchResult(patient.patient_id, as_of, line, matches, hidden_ineligible, hidden_closed, to_measure,
                       hidden_irrelevant)


def _snapshot(result: MatchResult) -> dict[str, Any]:
    out: dict[str, Any] = result_to_dict(result)
    out["hidden_irrelevant"] = result.hidden_irrelevant
    out["extra"] = [(m.relevance, m.unknown_count, m.criteria_count, m.review_count, m.data_count, m.reason,
                     m.sort_key()) for m in result.matches]
    return out


def _vary(trials: list[Trial], n: int) -> list[Trial]:
    """*n* trials from *trials*: ids of each registry's shape, numeric thresholds shifted per copy."""
    out = []
    for i in range(n):
        t = trials[i % len(trials)]
        k = i // len(trials)

        def shift(text: str | None, k: int = k) -> str | None:
            return text and re.sub(r"(?<![\d.])(\d{2,3})(?![\d.])", lambda m: str(int(m.group(1)) + k % 3), text)

        el = t.eligibility
        def items(xs: list[Any]) -> list[Any]:
            return [x.model_copy(update={"en": shift(x.en), "zh": shift(x.zh)}) for x in xs]

        el2 = el.model_copy(update={"inclusion": items(el.inclusion), "exclusion": items(el.exclusion),
                                    "raw_text": el.raw_text.model_copy(update={"en": shift(el.raw_text.en),
                                                                               "zh": shift(el.raw_text.zh)})})
        if t.registry.value == "ctgov":
            tid = f"CTGOV-CSV-{i:012x}" if t.trial_id.startswith("CTGOV-CSV-") else f"NCT9{i:07d}"
        elif t.registry.value == "chictr":
            tid = f"ChiCTR9{i:07d}"
        else:
            tid = f"{t.trial_id}-{i}"
        prov = t.provenance.model_copy(update={"raw_sha256": f"{i:064x}"})
        out.append(t.model_copy(update={"trial_id": tid, "eligibility": el2, "provenance": prov}))
    return out


def _check(trials: list[Trial], url: str, patients: list[Patient]) -> None:
    """Reference == in-memory fast path == database catalog (built from the rows, then from the blob)."""
    compiled = {t.trial_id: compile_trial(t) for t in trials}
    store = open_store(url)
    try:
        store.save_trials(trials)
        stored = list(store.iter_trials())  # the store's order (trial id, registry) is the catalog's
        compiled_cache._CATALOGS.clear()
        from_rows = compiled_cache.load_match_catalog(store)  # compiles, stores rows and the blob
        with store.engine.connect() as conn:
            blobs = [r for r in conn.execute(compiled_criteria.select()) if r.compiler_version.startswith("catalog-")]
        assert len(blobs) == 1
        compiled_cache._CATALOGS.clear()
        from_blob = compiled_cache.load_match_catalog(store)  # a new process: the blob alone
        assert from_blob is not from_rows
        in_memory = MatchCatalog(stored)
        for patient in patients:
            for as_of in DATES:
                for flags in FLAGS:
                    want = _snapshot(_reference(patient, stored, compiled, as_of=as_of, **flags))
                    for catalog in (in_memory, from_rows, from_blob):
                        got = _snapshot(match_patient(patient, catalog, as_of=as_of, **flags))
                        assert got == want, (patient.patient_id, as_of, flags)
    finally:
        compiled_cache._CATALOGS.clear()
        store.close()


def test_fast_path_equals_reference_on_seed_records(seed_trials, real_trials, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    _check([*seed_trials.values(), *real_trials.values()], sqlite_url, _patients())


def test_fast_path_equals_reference_on_replicated_catalog(seed_trials, real_trials, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    base = [*seed_trials.values(), *real_trials.values()]
    _check(_vary(base, 3 * len(base)), sqlite_url, _patients()[:3])


def test_blob_structure_is_the_catalog_of_the_trials(seed_trials, real_trials, db_url) -> None:  # type: ignore[no-untyped-def]
    """The compiled catalog read from the blob (SQLite and PostgreSQL) has the structure
    CompiledCatalog(...) computes from the full criteria, and each trial's criteria equal its own."""
    base = [*seed_trials.values(), *real_trials.values()]
    store = open_store(db_url)
    try:
        store.save_trials(_vary(base, 2 * len(base)))
        stored = list(store.iter_trials())
        compiled_cache._CATALOGS.clear()
        compiled_cache.load_match_catalog(store)
        compiled_cache._CATALOGS.clear()
        catalog = compiled_cache.load_match_catalog(store)
        got, _positions, _row = catalog.prepare()
        full = [compile_trial(t) for t in stored if MatchCatalog.has_criteria(t)]
        want = CompiledCatalog(full)
        assert got.programs == want.programs
        assert got.exclusion == want.exclusion
        assert got.criterion_ids.tolist() == want.criterion_ids.tolist()
        assert got.offsets.tolist() == want.offsets.tolist()
        assert [leaf_key(cast(Any, leaf)) for leaf in got.leaves] == [leaf_key(cast(Any, leaf)) for leaf in want.leaves]
        assert [(c.role, leaf_key(c.rule)) for c in got.rules] == [(c.role, leaf_key(c.rule)) for c in want.rules]
        assert list(got.rules) == list(want.rules)  # the representative criteria themselves
        assert [t.criteria for t in got.trials] == [t.criteria for t in full]
        assert [t.trial_id for t in got.trials] == [t.trial_id for t in full]
        assert list(catalog.trials) == [t.model_copy() for t in catalog.trials]
        assert [t.trial_id for t in catalog.trials] == [t.trial_id for t in stored]
    finally:
        compiled_cache._CATALOGS.clear()
        store.close()


MATCH_ALL: dict[str, Any] = {"as_of": DATES[1], "include_ineligible": True, "include_closed": True}


@pytest.fixture
def cached_store(seed_trials, real_trials, sqlite_url) -> Iterator[TrialStore]:  # type: ignore[no-untyped-def]
    """A store of the seed and real records whose catalog blob was written by a first match load."""
    store = open_store(sqlite_url)
    try:
        store.save_trials([*seed_trials.values(), *real_trials.values()])
        compiled_cache._CATALOGS.clear()
        compiled_cache.load_match_catalog(store)
        yield store
    finally:
        compiled_cache._CATALOGS.clear()
        store.close()


def _blobs(store: TrialStore) -> list[str]:
    with store.engine.connect() as conn:
        return [r.criteria for r in conn.execute(compiled_criteria.select()) if r.compiler_version.startswith("catalog-")]


def test_blob_is_not_reused_after_a_record_changes(cached_store: TrialStore) -> None:
    patient = load_patient(PATIENTS / "shenzhen_2l_after_atezo_bev.yaml")
    stored = list(cached_store.iter_trials())
    changed = stored[0].model_copy(update={"overall_status": OverallStatus.RECRUITING,
                                           "dates": stored[0].dates.model_copy(update={
                                               "recruitment_start": "2025-01", "recruitment_end": "2027-12"})})
    changed = changed.model_copy(update={"provenance": changed.provenance.model_copy(update={"raw_sha256": "e" * 64})})
    cached_store.save_trials([changed])
    compiled_cache._CATALOGS.clear()  # a new process after the ingest
    catalog = compiled_cache.load_match_catalog(cached_store)
    now = list(cached_store.iter_trials())
    assert now[0].overall_status is OverallStatus.RECRUITING
    assert _snapshot(match_patient(patient, catalog, **MATCH_ALL)) == _snapshot(match_patient(patient, now, **MATCH_ALL))
    assert len(_blobs(cached_store)) == 1  # the stale blob was replaced


def test_unreadable_blob_is_rebuilt(cached_store: TrialStore) -> None:
    from sqlalchemy import update

    patient = load_patient(PATIENTS / "shenzhen_2l_after_atezo_bev.yaml")
    table = compiled_criteria
    for garbage in ("not json", '{"format": 2}\n[]'):
        with cached_store.engine.begin() as conn:
            conn.execute(update(table).where(table.c.compiler_version.like("catalog-%")).values(criteria=garbage))
        compiled_cache._CATALOGS.clear()
        catalog = compiled_cache.load_match_catalog(cached_store)
        want = match_patient(patient, list(cached_store.iter_trials()), **MATCH_ALL)
        assert _snapshot(match_patient(patient, catalog, **MATCH_ALL)) == _snapshot(want)
        blobs = _blobs(cached_store)
        assert len(blobs) == 1 and blobs[0] != garbage  # replaced


@pytest.mark.parametrize("status", list(OverallStatus))
def test_closed_record_statuses_are_closed_on_any_date(status: OverallStatus) -> None:
    """The matcher skips the recruiting state of records whose status is closed whatever the dates."""
    from helpers_matching import make_trial

    from hcctrials.matching.matcher import _CLOSED_VALUES

    if status.value not in _CLOSED_VALUES:
        return
    for dates in ({}, {"recruitment_start": "2019-01", "recruitment_end": "2030-12"},
                  {"study_start": "2031-01", "primary_completion": "2032-01"}):
        trial = make_trial("NCT09990001", overall_status=status.value, dates=dates)
        for as_of in (date(2018, 1, 1), date(2025, 1, 1), date(2035, 1, 1)):
            assert evaluate_recruiting_status(trial, as_of=as_of).state == "closed"


@pytest.mark.parametrize("size", [1, 7, 300, 10_000])
def test_distinct_indices_by_marking_equal_numpy_unique(size: int) -> None:
    """The fast path's distinct trials, rules and leaves (criteria.catalog.distinct_below) are np.unique's:
    sorted, each once, the same integer type; an empty selection stays empty."""
    import numpy as np

    from hcctrials.criteria.catalog import distinct_below

    rng = np.random.default_rng(size)
    for n in (0, 1, 5, size * 3):
        values = rng.integers(0, size, n, dtype=np.int64)
        found = distinct_below(values, size)
        assert found.tolist() == np.unique(values).tolist()
        assert found.dtype == np.unique(values).dtype
