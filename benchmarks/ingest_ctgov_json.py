"""Benchmark: ingest CT.gov API v2 JSON into SQLite, end to end (detect + parse + store).

The corpus is generated at run time from the real download arrays in
``../shared/data/registry/ctgov_api_v2_json/`` (never copied into the tree): the real studies
are repeated with new NCT ids (NCT90000000, NCT90000001 ...) and written as website-style JSON
arrays of ``--per-file`` studies, one study per line as the website writes them.  Prints
studies/s, total seconds, peak RSS (this process and the largest worker), DB size, the load
average of the machine and the CPU time per study (this process + worker processes), then the
split: parse (per study, the worker's job) and store (per study, this process's job).

    python benchmarks/ingest_ctgov_json.py --studies 100000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "registry" / "ctgov_api_v2_json"
_NCT = re.compile(r'"nctId":"(NCT\d{8})"')


def _templates() -> list[tuple[str, str]]:
    """(compact JSON text, its nctId) of every real study."""
    out = []
    for file in sorted(SOURCE.glob("*.json")):
        for study in json.loads(file.read_text(encoding="utf-8")):
            text = json.dumps(study, ensure_ascii=False, separators=(",", ":"))
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            out.append((text, nct))
    return out


def generate_corpus(folder: Path, studies: int, per_file: int) -> int:
    """Write *studies* studies as JSON arrays; returns the bytes written."""
    templates = _templates()
    written = 0
    for start in range(0, studies, per_file):
        path = folder / f"ctg-studies-{start // per_file:04d}.json"
        with path.open("w", encoding="utf-8") as handle:
            handle.write("[\n")
            for i in range(start, min(start + per_file, studies)):
                text, nct = templates[i % len(templates)]
                if i > start:
                    handle.write(",\n")
                handle.write(text.replace(f'"{nct}"', f'"NCT{90000000 + i}"'))
            handle.write("\n]\n")
        written += path.stat().st_size
    return written


def _stages(corpus: Path, db: Path, sample: int, batch_size: int) -> None:
    """Where the time goes, on the first *sample* studies, in this process: parse (what a worker
    does per study: decode, map, validate, serialise, prepare the rows) and store (what the
    process holding the database does per study: SQL, one transaction)."""
    import itertools

    from hcctrials.ingest import _prepare_chunk
    from hcctrials.sources.ctgov.api_json import iter_array_spans, mapped_file
    from hcctrials.storage import open_store

    first = sorted(corpus.iterdir())[0]
    with mapped_file(first) as data:
        lines = list(itertools.islice(iter_array_spans(data), sample))
    _prepare_chunk(str(first), 0, lines[:50])  # warm the lexicon and caches
    start, cpu = time.perf_counter(), time.process_time()
    prepared, _complete = _prepare_chunk(str(first), 0, lines)
    parse_wall, parse_cpu = time.perf_counter() - start, time.process_time() - cpu
    with open_store(str(db)) as store:
        start, cpu = time.perf_counter(), time.process_time()
        with store.file_transaction() as writer:
            for i in range(0, len(prepared), batch_size):
                writer.save_batch(prepared[i:i + batch_size])
        store_wall, store_cpu = time.perf_counter() - start, time.process_time() - cpu
    n = len(prepared)
    size = sum(len(r.record) for r in prepared) / n
    print(f"stages on {n} studies (one process): parse {parse_cpu / n * 1e3:.2f} ms CPU/study "
          f"({n / parse_wall:,.0f} studies/s), store {store_cpu / n * 1e3:.2f} ms CPU/study "
          f"({n / store_wall:,.0f} studies/s); normalised record {size / 1e3:.1f} kB, stored once")


def _worker_cpu() -> tuple[float, float]:
    """(CPU seconds, peak RSS MB) of every child process reaped so far (the forkserver reaps
    the workers; stopping it makes their CPU count here)."""
    try:
        from multiprocessing import forkserver

        forkserver._forkserver._stop()  # private, but the only way to reap the forkserver
    except (AttributeError, ImportError, OSError):
        pass
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None,
                        help="parse worker processes (default: CPUs available; 0: single process)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and database")
    parser.add_argument("--stage-sample", type=int, default=2000,
                        help="also time parse-only and store-only on this many studies (0: skip)")
    args = parser.parse_args(argv)

    from hcctrials.ingest import ingest_paths
    from hcctrials.storage import open_store

    work = Path(tempfile.mkdtemp(prefix="hcctrials-bench-"))
    corpus, db = work / "corpus", work / "bench.sqlite3"
    corpus.mkdir()
    t0 = time.perf_counter()
    size = generate_corpus(corpus, args.studies, args.per_file)
    print(f"corpus: {args.studies} studies, {size / 1e6:.0f} MB in {len(list(corpus.iterdir()))} files "
          f"(generated in {time.perf_counter() - t0:.1f} s)")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_before = os.getloadavg()
    try:
        with open_store(str(db)) as store:
            start = time.perf_counter()
            cpu_start = time.process_time()
            summary = ingest_paths([corpus], store, batch_size=args.batch_size, workers=args.workers)
            elapsed = time.perf_counter() - start
            main_cpu = time.process_time() - cpu_start
            stored = store.count()
        load_after = os.getloadavg()
        children_cpu, worker_rss = _worker_cpu()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db_size = sum(p.stat().st_size for p in work.glob("bench.sqlite3*"))
        n = max(summary.records, 1)
        print(f"summary: {summary.counts()}")
        if summary.failures:
            print(f"first failure: {summary.failures[0]}")
        print(f"stored trials: {stored}")
        print(f"studies/s: {summary.records / elapsed:,.0f}")
        print(f"total seconds: {elapsed:.1f}")
        print(f"CPU per study: {(main_cpu + children_cpu) / n * 1e3:.2f} ms "
              f"(this process {main_cpu / n * 1e3:.2f} ms, workers {children_cpu / n * 1e3:.2f} ms); "
              f"CPU-bound rate on 2 idle cores ~{2 / ((main_cpu + children_cpu) / n):,.0f} studies/s")
        print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
              f"on {os.cpu_count()} CPUs")
        print(f"peak RSS MB: {peak:.0f} (before ingest: {rss_before:.0f}); largest worker: {worker_rss:.0f}")
        print(f"DB size MB: {db_size / 1e6:.0f}")
        if args.stage_sample:
            _stages(corpus, work / "stages.sqlite3", args.stage_sample, args.batch_size)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if summary.ok else 1)


if __name__ == "__main__":
    main()
