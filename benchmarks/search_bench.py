"""Search benchmark: index build rate (single process and parallel) and query latency at scale.

Catalog: the CT.gov API v2 JSON records and the ChiCTR seed pages of ../shared (read at run
time, never copied), varied at benchmark time into N trials: new ids, a new raw hash, and a few
words of real registry text appended to the English title (so documents differ).  Prints
figures; not a timed test.

    python benchmarks/search_bench.py --trials 100000 --build-sample 10000
    python benchmarks/search_bench.py --trials 20000 --db postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from hcctrials.matching.search import SEARCH_DOCUMENTS, SearchFilters, normalise_filters, parse_query
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path
from hcctrials.storage import open_store
from hcctrials.storage.search_index import rebuild_search_index, search_trials

SHARED = Path(__file__).resolve().parents[2] / "shared"

QUERIES = ["hepatocellular carcinoma", "apatinib", "sorafenib", "durvalumab tremelimumab", "PD-1 first-line",
           "sorafenib therapies", "TACE lenvatinib", "second-line", "\"advanced hepatocellular carcinoma\"",
           "阿帕替尼 二线", "肝细胞癌", "肝癌", "卡瑞利珠单抗", "一线 免疫", "经动脉化疗栓塞", "索拉非尼"]
FILTERS = {
    "none": SearchFilters(),
    "status=recruiting": SearchFilters(status=("recruiting",)),
    "phase3+place=China": normalise_filters(SearchFilters(phase=("phase3",), place=("China",))),
    "setting=2L": SearchFilters(setting=("advanced_second_line_plus",)),
}


def base_trials() -> list[Any]:
    paths = sorted((SHARED / "data/registry/ctgov_api_v2_json").glob("*.json"))
    paths += [p for p in sorted((SHARED / "seeds").glob("*.txt")) if not p.name.startswith("003")]
    # the HCC trials (most CT.gov JSON records above are not about HCC)
    paths += [SHARED / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv",
              SHARED / "data/registry/ctgov_csv/anand21j_ctg-studies_hcc9.csv"]
    return [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]


def vary(trials: list[Any], n: int, seed: int = 11) -> list[Any]:
    """n trials from the real ones: new ids and hashes, one to six real words appended to the title."""
    rng = random.Random(seed)
    words = sorted({w for t in trials for w in (t.summary.en or "").split() if w.isalpha() and len(w) > 4})
    out = []
    for i in range(n):
        t = trials[i % len(trials)]
        extra = " ".join(rng.sample(words, rng.randint(1, 6)))
        title = t.brief_title.model_copy(update={"en": f"{t.brief_title.en or ''} {extra}".strip()})
        prov = t.provenance.model_copy(update={"raw_sha256": f"{i:064x}"})
        out.append(t.model_copy(update={"trial_id": f"{t.trial_id}-{i}", "brief_title": title,
                                        "provenance": prov}))
    return out


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def timed_rebuild(store: Any, workers: int) -> float:
    start = time.perf_counter()
    n = rebuild_search_index(store, builder=SEARCH_DOCUMENTS, workers=workers)
    elapsed = time.perf_counter() - start
    print(f"  rebuild {n} trials, workers={workers}: {elapsed:.1f} s = {n / elapsed:.0f} trials/s   ({uptime()})")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--build-sample", type=int, default=10_000,
                    help="catalog size for the single vs parallel build-rate figures")
    ap.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each query (median/p95 over all)")
    args = ap.parse_args()
    print("uptime:", uptime())
    base = base_trials()
    print(f"base records: {len(base)}")
    tmp = tempfile.mkdtemp(prefix="hcctrials-search-bench-")
    url = args.db or f"sqlite:///{tmp}/bench.sqlite3"

    # 1. build rate on a sample catalog: one process, then two
    sample = vary(base, args.build_sample)
    store = open_store(url if args.db else f"sqlite:///{tmp}/sample.sqlite3")  # --db: an empty database
    start = time.perf_counter()
    store.save_trials(sample)
    print(f"saved {len(sample)} trials in {time.perf_counter() - start:.1f} s")
    print("index build rate:")
    timed_rebuild(store, 1)
    timed_rebuild(store, 2)
    store.close()
    if args.trials <= args.build_sample:
        return

    # 2. the large catalog, indexed in parallel, then queried
    store = open_store(f"sqlite:///{tmp}/bench.sqlite3" if not args.db else url)
    catalog = vary(base, args.trials, seed=13)
    start = time.perf_counter()
    for i in range(0, len(catalog), 10_000):
        store.save_trials(catalog[i:i + 10_000])
    print(f"saved {len(catalog)} trials in {time.perf_counter() - start:.1f} s")
    del catalog
    timed_rebuild(store, 2)
    print(f"search latency at {store.count()} trials (limit 50, {args.repeat} runs each):")
    for label, filters in FILTERS.items():
        times: list[float] = []
        for q in QUERIES:
            parsed = parse_query(q)
            search_trials(store, parsed, filters=filters)  # warm the statement and page caches
            for _ in range(args.repeat):
                s = time.perf_counter()
                hits = search_trials(store, parsed, filters=filters)
                times.append(time.perf_counter() - s)
            if label == "none":
                print(f"  {q!r}: {len(hits)} hits, median {statistics.median(times[-args.repeat:]) * 1000:.1f} ms")
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"  filters {label}: p50 {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print("uptime:", uptime())
    store.close()


if __name__ == "__main__":
    main()
