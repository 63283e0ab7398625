"""Matching benchmarks: one patient x N trials, cohort screening, search latency.

Catalog: the seed records plus the HINT HCC subset (tests-only data, read from ../shared at run
time, never copied), replicated with varied ids.  Prints figures; not a timed test.

    python benchmarks/matching_bench.py --trials 10000 --cohort-patients 1000 --cohort-trials 1000 --search 100000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from hcctrials.matching.cohort import build_cohort_catalog, evaluate_cohort_batch, iter_patient_batches
from hcctrials.matching.matcher import MatchCatalog, match_patient
from hcctrials.matching.search import SearchFilters, parse_query
from hcctrials.patients import load_patient
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path
from hcctrials.storage import open_store
from hcctrials.storage.search_index import index_trials, search_trials

SHARED = Path(__file__).resolve().parents[2] / "shared"
PATIENT = Path(__file__).resolve().parents[1] / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
AS_OF = date(2026, 1, 15)


def base_trials():  # type: ignore[no-untyped-def]
    paths = [p for p in sorted((SHARED / "seeds").glob("*.txt")) if not p.name.startswith("003")]
    paths.append(SHARED / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv")
    return [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]


def replicate(trials, n):  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        t = trials[i % len(trials)]
        out.append(t.model_copy(update={"trial_id": f"{t.trial_id}-{i}"}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--cohort-patients", type=int, default=1000)
    ap.add_argument("--cohort-trials", type=int, default=1000)
    ap.add_argument("--search", type=int, default=100000)
    args = ap.parse_args()
    base = base_trials()
    patient = load_patient(PATIENT)

    # 1. one patient x N trials, from the database
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/b.sqlite3")
        store.save_trials(replicate(base, args.trials))
        t0 = time.perf_counter()
        catalog = MatchCatalog(store.iter_trials())
        t1 = time.perf_counter()
        catalog.warm()
        t2 = time.perf_counter()
        times = []
        for _ in range(5):
            s = time.perf_counter()
            match_patient(patient, catalog, as_of=AS_OF)
            times.append(time.perf_counter() - s)
        print(f"match: {args.trials} trials: load from db {t1 - t0:.2f} s, compile+classify once {t2 - t1:.2f} s, "
              f"match one patient p50 {statistics.median(times) * 1000:.0f} ms (warm catalog)")
        s = time.perf_counter()
        match_patient(patient, MatchCatalog(store.iter_trials()), as_of=AS_OF)
        print(f"match: cold end to end (load + compile + match) {time.perf_counter() - s:.2f} s")
        store.close()

    # 2. cohort
    cat = build_cohort_catalog(replicate(base, args.cohort_trials), as_of=AS_OF)
    people = (patient.model_copy(update={"patient_id": f"P{i}"}) for i in range(args.cohort_patients))
    tracemalloc.start()
    s = time.perf_counter()
    rows = 0
    for batch in iter_patient_batches(people, batch_size=500):
        rows += evaluate_cohort_batch(batch, cat).num_rows
    dt = time.perf_counter() - s
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"cohort: {args.cohort_patients} patients x {args.cohort_trials} trials ({len(cat.compiled.rules)} distinct "
          f"rules): {dt:.1f} s, {rows} rows, {args.cohort_patients / dt:.0f} patients/s, peak traced {peak:.0f} MiB")

    # 3. search
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/s.sqlite3")
        trials = replicate(base, args.search)
        store.save_trials(trials)
        s = time.perf_counter()
        index_trials(store, trials)
        print(f"search: indexed {args.search} trials in {time.perf_counter() - s:.1f} s")
        for q, f in (("sorafenib", SearchFilters()), ("阿帕替尼 二线", SearchFilters()),
                     ("hepatocellular carcinoma", SearchFilters(status=("recruiting",))),
                     ("PD-1 second-line", SearchFilters())):
            parsed = parse_query(q)
            times = []
            for _ in range(20):
                s = time.perf_counter()
                search_trials(store, parsed, filters=f, limit=50)
                times.append(time.perf_counter() - s)
            print(f"search {q!r}: p50 {statistics.median(times) * 1000:.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
