"""Matching benchmarks: one patient x N trials, cohort screening, search latency.

Catalog: the seed records plus the HINT HCC subset (tests-only data, read from ../shared at run
time, never copied), replicated with varied ids.  Prints figures; not a timed test.

    python benchmarks/matching_bench.py --trials 10000 --cohort-patients 1000 --cohort-trials 1000 --search 100000

Cohort screening as a user runs it (issue 15: 1,000,000 patients x 1,000 trials in under 60 s on two cores,
peak RSS under 1 GB per process): ``--screen-cli`` runs ``hcctrials screen`` as a new process on a generated
cohort (benchmarks/screen_bench.py makes the catalog and the cohort; ``--keep DIR`` reuses them) writing a
Parquet folder (part files written by the workers) and, with ``--screen-single-file``, one Parquet file
written by the parent, and prints wall time, CPU seconds of every process (the machine is shared: CPU time
is the figure to compare), peak RSS per process, pairs listed and output size:

    python benchmarks/matching_bench.py --screen-cli --cohort-patients 100000 --keep /tmp/screen-bench

Issue 10 targets (one patient x 10,000 trials): warm p50 < 20 ms; `hcctrials match` in a new process
< 2 s.  ``--skip-cohort --cold-runs 5 --baseline-src OLD/src`` times the new process of another
source tree (e.g. the previous commit checked out elsewhere) alternating with this one, on the same
database (``--db URL`` to reuse one: compiling 10,000 trials takes minutes).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from hcctrials.matching.cohort import build_cohort_catalog, evaluate_cohort_batch, iter_patient_batches
from hcctrials.matching.matcher import MatchCatalog, match_patient
from hcctrials.matching.search import SEARCH_DOCUMENTS, SearchFilters, parse_query
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


def replica_id(trial_id: str, registry: str, i: int) -> str:
    """A distinct id of the registry's shape for replicate *i* (the store checks ids per registry)."""
    if registry == "ctgov":
        return f"CTGOV-CSV-{i:012x}" if trial_id.startswith("CTGOV-CSV-") else f"NCT9{i:07d}"
    if registry == "chictr":
        return f"ChiCTR9{i:07d}"
    return f"{trial_id}-{i}"


def replicate(trials, n):  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        t = trials[i % len(trials)]
        out.append(t.model_copy(update={"trial_id": replica_id(t.trial_id, t.registry.value, i)}))
    return out


def vary(trials, n):  # type: ignore[no-untyped-def]
    """n trials from the real ones: new ids, and every replicate's numeric thresholds shifted a little
    (so distinct trials have distinct rules, as in a real catalog) by editing the criteria text."""
    import re

    out = []
    for i in range(n):
        t = trials[i % len(trials)]
        k = i // len(trials)
        el = t.eligibility
        shift = lambda text: text and re.sub(r"(?<![\d.])(\d{2,3})(?![\d.])",  # noqa: E731
                                             lambda m: str(int(m.group(1)) + k % 7), text)
        items = lambda xs: [x.model_copy(update={"en": shift(x.en), "zh": shift(x.zh)}) for x in xs]  # noqa: E731
        el2 = el.model_copy(update={"inclusion": items(el.inclusion), "exclusion": items(el.exclusion),
                                    "raw_text": el.raw_text.model_copy(update={"en": shift(el.raw_text.en),
                                                                               "zh": shift(el.raw_text.zh)})})
        prov = t.provenance.model_copy(update={"raw_sha256": f"{i:064x}"})
        out.append(t.model_copy(update={"trial_id": replica_id(t.trial_id, t.registry.value, i), "eligibility": el2,
                                        "provenance": prov}))
    return out


def synthetic_patients(bases, n, seed=7):  # type: ignore[no-untyped-def]
    """n patients varied from the example patients: lab values, age, ECOG, liver items, therapy lines."""
    import random

    rng = random.Random(seed)
    for i in range(n):
        b = bases[i % len(bases)]
        labs = [lab.model_copy(update={"value": round(lab.value * rng.uniform(0.5, 1.8), 1)})
                if lab.value is not None else lab for lab in b.labs]
        yield b.model_copy(update={
            "patient_id": f"P{i:06d}", "labs": labs, "ecog": rng.choice([0, 1, 1, 2, None]),
            "birth_date": date(rng.randint(1940, 2000), rng.randint(1, 12), 1),
            "treatments": b.treatments if rng.random() < 0.6 else b.treatments[:rng.randint(0, len(b.treatments))],
            "liver": b.liver.model_copy(update={"ascites": rng.choice(["none", "none", "mild", None])})})


def warm_figures(store, patient, runs: int) -> str:  # type: ignore[no-untyped-def]
    """Warm matches (catalog already loaded in this process): p50 / p95 / max over *runs*."""
    from hcctrials.matching import compiled_cache
    from hcctrials.matching.explain import result_to_dict

    compiled_cache.load_match_catalog(store)
    match_patient(patient, compiled_cache.load_match_catalog(store), as_of=AS_OF)
    times = []
    for _ in range(runs):
        s = time.perf_counter()
        result = match_patient(patient, compiled_cache.load_match_catalog(store), as_of=AS_OF)
        result.matches = result.matches[:20]
        result_to_dict(result)
        times.append(time.perf_counter() - s)
    times.sort()
    return (f"match: warm (db fingerprint check + evaluate + rank + what to measure + explain top 20), "
            f"{len(times)} runs: p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {times[int(0.95 * len(times)) - 1] * 1000:.1f} ms, max {times[-1] * 1000:.0f} ms "
            f"({len(result.matches)} shown, {result.hidden_ineligible} ineligible hidden, "
            f"{len(result.to_measure)} items to measure)")


def screen_cli_figures(args: argparse.Namespace) -> None:
    """`hcctrials screen` as a new process on ``--cohort-patients`` x ``--cohort-trials`` (issue 15)."""
    import os
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pyarrow.parquet as pq
    from screen_bench import open_catalog, run_screen, uptime, write_cohort  # type: ignore[import-not-found]

    from hcctrials.matching.compiled_cache import load_compiled_trials

    tmp = tempfile.TemporaryDirectory()
    folder = Path(args.keep or tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    n, n_trials = args.cohort_patients, args.cohort_trials
    db = f"sqlite:///{folder}/screen-{n_trials}.sqlite3"
    print("uptime:", uptime(), flush=True)
    store = open_store(db)
    if not Path(folder, f"screen-{n_trials}.sqlite3").stat().st_size or not list(store.iter_trials()):
        store.save_trials(open_catalog(n_trials))
    s = time.perf_counter()
    load_compiled_trials(store, list(store.iter_trials()))  # the criteria cache up to date (as after an ingest)
    store.close()
    print(f"catalog: {n_trials} open trials, criteria cache ready in {time.perf_counter() - s:.0f} s (not timed)")
    cohort = folder / f"cohort-{n}.parquet"
    if not cohort.exists():
        write_cohort(cohort, n)
    env = dict(os.environ, HCCTRIALS_DB=db, COLUMNS="200")
    batch = ["--batch-size", str(args.screen_batch)] if args.screen_batch else []
    outs = [folder / "screen-folder"] + ([folder / "screen-single.parquet"] if args.screen_single_file else [])
    for out in outs:
        if out.is_dir():
            shutil.rmtree(out)
        run, text = run_screen([str(cohort), "--out", str(out), "--workers", str(args.workers),
                                "--as-of", AS_OF.isoformat(), *batch], env)
        files = sorted(out.glob("*.parquet")) if out.is_dir() else [out]
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        size = sum(f.stat().st_size for f in files) / 2**20
        per = ", ".join(f"{name} {sec:.1f}" for name, sec in sorted(run.cpu.values(), key=lambda x: -x[1])[:6])
        peaks = ", ".join(f"{kib / 1024:.0f}" for _, kib in sorted(run.peaks.values(), key=lambda x: -x[1])[:6])
        load = f"{min(run.loads):.1f}-{max(run.loads):.1f}" if run.loads else "?"
        kind = f"folder of {len(files)} part files" if out.is_dir() else "one file"
        print(f"screen -> {kind}: {n:,} patients x {n_trials:,} trials, {args.workers} workers: wall {run.wall:.1f} s "
              f"({n / run.wall:,.0f} patients/s), CPU {run.cpu_total:.1f} s in all (per process: {per}); "
              f"{rows:,} pairs, {size:.1f} MiB; peak RSS per process (MiB): {peaks}; load average {load}",
              flush=True)
        print("   ", " | ".join(line.strip() for line in text.strip().splitlines()[-3:]), flush=True)
    print("uptime:", uptime(), flush=True)
    tmp.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--cohort-patients", type=int, default=100000)
    ap.add_argument("--cohort-trials", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--search", type=int, default=0)
    ap.add_argument("--skip-match", action="store_true")
    ap.add_argument("--skip-cohort", action="store_true")
    ap.add_argument("--db", default=None, help="an existing database URL to match against (its records are the "
                                               "catalog; its catalog blob is dropped and rebuilt once)")
    ap.add_argument("--warm-runs", type=int, default=100)
    ap.add_argument("--warm-only", action="store_true", help="with --db: only the warm figures")
    ap.add_argument("--cold-runs", type=int, default=5, help="new-process `hcctrials match` runs")
    ap.add_argument("--baseline-src", default=None,
                    help="a src/ folder of another version (e.g. a checkout of the previous commit) whose "
                         "new-process match is timed in the same run, alternating with this one")
    ap.add_argument("--screen-cli", action="store_true",
                    help="time `hcctrials screen` end to end on a generated cohort (issue 15) and stop")
    ap.add_argument("--screen-single-file", action="store_true",
                    help="with --screen-cli: also the single-file output (written by the parent)")
    ap.add_argument("--screen-batch", type=int, default=None, help="with --screen-cli: --batch-size of the screen")
    ap.add_argument("--keep", default=None, help="with --screen-cli: folder for the database and cohorts (reused)")
    args = ap.parse_args()
    if args.screen_cli:
        screen_cli_figures(args)
        return
    import os
    import subprocess
    import sys

    if args.warm_only:
        store = open_store(args.db)
        print(warm_figures(store, load_patient(PATIENT), args.warm_runs))
        store.close()
        return
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    base = base_trials()
    patient = load_patient(PATIENT)

    # 1. one patient x N trials, end to end from the database (the `hcctrials match` path)
    if not args.skip_match:
        from hcctrials.matching import compiled_cache
        from hcctrials.matching.explain import result_to_dict

        with tempfile.TemporaryDirectory() as tmp:
            url = args.db or f"sqlite:///{tmp}/b.sqlite3"
            store = open_store(url)
            if not args.db:
                s = time.perf_counter()
                store.save_trials(vary(base, args.trials))
                t_save = time.perf_counter() - s
                print(f"match: {args.trials} trials: save records {t_save:.1f} s")
            s = time.perf_counter()
            catalog = compiled_cache.load_match_catalog(store, workers=args.workers)
            t_compile = time.perf_counter() - s
            print(f"match: {len(catalog.trials)} trials: first load (when the database is new: load records, compile, "
                  f"summarise, store cache rows and catalog blob, {args.workers} processes) {t_compile:.1f} s")
            # a new process, as `hcctrials match` runs it: imports, catalog blob -> catalog, match, explain, JSON
            cmd = ["-m", "hcctrials.cli.main", "match", str(PATIENT), "--db", url, "--as-of", AS_OF.isoformat(), "--json"]

            def new_process(src: str | None = None) -> float:
                env = dict(os.environ)
                if src:  # another source tree (e.g. the previous commit) for an old-vs-new comparison
                    env["PYTHONPATH"] = src
                s = time.perf_counter()
                done = subprocess.run([sys.executable, *cmd], capture_output=True, text=True, env=env)
                if done.returncode != 0:
                    raise SystemExit(f"hcctrials match failed: {done.stderr[-2000:]}")
                return time.perf_counter() - s

            def drop_blobs() -> None:  # as after an ingest: the next process rebuilds the catalog blob
                from sqlalchemy import delete

                from hcctrials.storage.compiled_criteria import compiled_criteria as table

                with store.engine.begin() as conn:
                    conn.execute(delete(table).where(table.c.compiler_version.like("catalog-%")))

            if args.baseline_src:
                new_process(args.baseline_src)  # its first run compiles for its own compiler version
            news: list[float] = []
            olds: list[float] = []
            for _ in range(args.cold_runs):
                news.append(new_process())
                if args.baseline_src:
                    olds.append(new_process(args.baseline_src))
            print(f"match: new process (`hcctrials match --json`, end to end): median {statistics.median(news):.2f} s "
                  f"of {len(news)} ({', '.join(f'{t:.2f}' for t in news)})")
            if olds:
                print(f"match: new process, baseline {args.baseline_src}: median {statistics.median(olds):.2f} s "
                      f"of {len(olds)} ({', '.join(f'{t:.2f}' for t in olds)})")
            stale = []
            for _ in range(2):
                drop_blobs()
                stale.append(new_process())
            print(f"match: first new process after a change (catalog blob rebuilt from the rows): "
                  f"{', '.join(f'{t:.2f}' for t in stale)} s")
            print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
            compiled_cache._CATALOGS.clear()
            s = time.perf_counter()
            result = match_patient(patient, compiled_cache.load_match_catalog(store), as_of=AS_OF)
            result_to_dict(result)
            print(f"match: cold in-process (catalog blob -> catalog, prepare, evaluate, rank, explain) "
                  f"{time.perf_counter() - s:.2f} s")
            print(warm_figures(store, patient, args.warm_runs))
            if args.baseline_src:  # the other source tree's warm figures, in a process of its own
                env = dict(os.environ, PYTHONPATH=args.baseline_src)
                done = subprocess.run([sys.executable, __file__, "--warm-only", "--db", url, "--warm-runs",
                                       str(args.warm_runs)], capture_output=True, text=True, env=env)
                print(f"baseline {args.baseline_src}: {done.stdout.strip() or done.stderr[-2000:]}")
            store.close()

    if args.skip_cohort:
        return
    # 2. cohort: the screen path (pure batch function, streamed, process pool)
    from concurrent.futures import ProcessPoolExecutor

    from hcctrials.cli.matching import _SCREEN_PARQUET_OPTIONS, _screen_batch, _screen_init

    cat = build_cohort_catalog(vary(base, args.cohort_trials), as_of=AS_OF)
    print(f"cohort catalog: {args.cohort_trials} trials, {len(cat.compiled.rules)} distinct rules, "
          f"{len(cat.compiled.leaves)} distinct leaves, {cat.columnar.n_nodes} nodes")
    bases = [load_patient(p) for p in sorted(PATIENT.parent.glob("*")) if p.suffix in (".yaml", ".json")]
    people = synthetic_patients(bases, args.cohort_patients)
    import pyarrow.parquet as pq

    from hcctrials.matching.cohort import VERDICT_SCHEMA

    with tempfile.TemporaryDirectory() as tmp:
        s = time.perf_counter()
        rows = 0
        with pq.ParquetWriter(f"{tmp}/v.parquet", VERDICT_SCHEMA, **_SCREEN_PARQUET_OPTIONS) as writer, \
                ProcessPoolExecutor(args.workers, initializer=_screen_init, initargs=(cat,)) as pool:
            pending = []
            for batch in iter_patient_batches(people, batch_size=args.batch):
                pending.append(pool.submit(_screen_batch, batch))
                if len(pending) >= 2 * args.workers:
                    table = pending.pop(0).result()
                    writer.write_table(table)
                    rows += table.num_rows
            for fut in pending:
                table = fut.result()
                writer.write_table(table)
                rows += table.num_rows
        dt = time.perf_counter() - s
        size = os.path.getsize(f"{tmp}/v.parquet") / 2**20
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cohort: {args.cohort_patients} patients x {args.cohort_trials} trials, batches of {args.batch}, "
          f"{args.workers} processes: {dt:.1f} s, {rows} rows ({size:.0f} MiB parquet), "
          f"{args.cohort_patients / dt:.0f} patients/s; peak RSS parent {peak:.0f} MiB, worker {child:.0f} MiB")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if not args.search:
        return

    # 3. search
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/s.sqlite3")
        trials = replicate(base, args.search)
        store.save_trials(trials)
        s = time.perf_counter()
        index_trials(store, trials, builder=SEARCH_DOCUMENTS)
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
