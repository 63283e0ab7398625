"""Benchmark: ingest CT.gov API v2 JSON into SQLite, end to end (detect + parse + store).

The corpus is generated at run time from the real download arrays in
``../shared/data/registry/ctgov_api_v2_json/`` (never copied into the tree): the real studies
are repeated with new NCT ids (NCT90000000, NCT90000001 ...) and written as website-style JSON
arrays of ``--per-file`` studies.  Prints studies/s, total seconds, peak RSS and DB size.

    python benchmarks/ingest_ctgov_json.py --studies 100000
"""

from __future__ import annotations

import argparse
import json
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
    """Where the time goes: the parser alone, then storage alone, on the first *sample* studies."""
    import itertools

    from hcctrials.sources.base import ParsedRecord
    from hcctrials.sources.detect import parse_path
    from hcctrials.storage import open_store

    first = sorted(corpus.iterdir())[0]
    start = time.perf_counter()
    trials = [r.trial for r in itertools.islice(parse_path(first), sample) if isinstance(r, ParsedRecord)]
    parse_rate = len(trials) / (time.perf_counter() - start)
    with open_store(str(db)) as store:
        start = time.perf_counter()
        store.save_trials(trials, batch_size=batch_size)
        store_rate = len(trials) / (time.perf_counter() - start)
    size = sum(len(t.model_dump_json()) for t in trials) / len(trials)
    print(f"stages on {len(trials)} studies: parse only {parse_rate:,.0f} studies/s, "
          f"store only {store_rate:,.0f} studies/s (normalised record {size / 1e3:.1f} kB, stored twice)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=1000)
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
    try:
        with open_store(str(db)) as store:
            start = time.perf_counter()
            summary = ingest_paths([corpus], store, batch_size=args.batch_size)
            elapsed = time.perf_counter() - start
            stored = store.count()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db_size = sum(p.stat().st_size for p in work.glob("bench.sqlite3*"))
        print(f"summary: {summary.counts()}")
        if summary.failures:
            print(f"first failure: {summary.failures[0]}")
        print(f"stored trials: {stored}")
        print(f"studies/s: {summary.records / elapsed:,.0f}")
        print(f"total seconds: {elapsed:.1f}")
        print(f"peak RSS MB: {peak:.0f} (before ingest: {rss_before:.0f})")
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
