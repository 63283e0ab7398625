"""The database match path: a catalog built from the cache table (compiled criteria + summaries,
no full records) ranks and explains exactly as one built from the full records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hcctrials.matching import compiled_cache
from hcctrials.matching.explain import result_to_dict
from hcctrials.matching.matcher import match_patient
from hcctrials.model.trial import OverallStatus
from hcctrials.patients import load_patient
from hcctrials.storage import open_store
from hcctrials.storage.compiled_criteria import compiled_criteria

AS_OF = date(2026, 1, 15)
PATIENTS = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"


def test_catalog_from_summaries_matches_full_records(seed_trials, real_trials, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    trials = [*seed_trials.values(), *real_trials.values()]
    store = open_store(sqlite_url)
    try:
        store.save_trials(trials)
        full = list(store.iter_trials())
        compiled_cache._CATALOGS.clear()
        first = compiled_cache.load_match_catalog(store)  # compiles, summarises and stores every trial
        with store.engine.connect() as conn:
            assert conn.execute(compiled_criteria.select()).all()  # rows written, with summaries
            assert all(row.summary for row in conn.execute(compiled_criteria.select()))
        compiled_cache._CATALOGS.clear()
        catalog = compiled_cache.load_match_catalog(store)  # a new process: from the table alone
        assert catalog is not first
        assert all(not t.eligibility.inclusion and not t.sites for t in catalog.trials)  # slim records
        assert compiled_cache.load_match_catalog(store) is catalog  # unchanged database: reused
        for path in sorted(PATIENTS.glob("*.yaml")):
            patient = load_patient(path)
            kw = {"as_of": AS_OF, "include_ineligible": True, "include_closed": True}
            got = result_to_dict(match_patient(patient, catalog, **kw))
            want = result_to_dict(match_patient(patient, full, **kw))
            assert got == want, path.name
            # the Chinese names (title, institution, place) come through the summaries too
            assert result_to_dict(match_patient(patient, catalog, **kw), "zh") == \
                result_to_dict(match_patient(patient, full, **kw), "zh"), path.name
        changed = full[0].model_copy(update={"overall_status": OverallStatus.COMPLETED})
        changed = changed.model_copy(update={"provenance": changed.provenance.model_copy(
            update={"raw_sha256": "f" * 64})})
        store.save_trials([changed])
        assert compiled_cache.load_match_catalog(store) is not catalog  # a new version: rebuilt
    finally:
        compiled_cache._CATALOGS.clear()
        store.close()
