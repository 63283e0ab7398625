"""Web benchmark: the app under uvicorn on loopback, 10,000 trials, 20 concurrent clients (httpx async).

Catalog: the seed records plus the HINT HCC subset (tests-only data read from ../shared at run
time, never copied), varied to N trials as benchmarks/matching_bench.py does, saved and indexed.
The server runs in its own processes (uvicorn with ``--workers 2``, as a 2-core server would run
``hcctrials serve --workers 2``); the load generator in this one.  Prints p50/p95/max per endpoint
and the machine's cores and load.  Not a timed test.

The repeated searches (12 queries) are answered from the per-query cache after the first time;
"search (varied)" sends a different combination of words and filters (recruiting state, status,
phase, class) with nearly every request, so it measures searches that compute their facet counts
in SQL.  The trial pages draw from 100 trials, so they are cached too; "trial (first view)" opens
trials no request has opened before.

    python benchmarks/web_bench.py --trials 10000 --clients 20 --requests 400
    python benchmarks/web_bench.py --db sqlite:////tmp/web-bench.sqlite3   # reuse a built catalog

Issue 12 targets (2-core machine): match p95 < 100 ms; catalog search p95 < 50 ms; trial page p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
PATIENTS = ROOT / "src/hcctrials/datasets/patients"
AS_OF = date(2026, 1, 15)
QUERIES = ["仑伐替尼", "lenvatinib", "TACE", "PD-1 二线", "hepatocellular carcinoma", "阿帕替尼", "sorafenib",
           "肝细胞癌 TACE", "atezolizumab bevacizumab", "HAIC", "", "adjuvant"]


def _matching_bench() -> Any:
    spec = importlib.util.spec_from_file_location("matching_bench", ROOT / "benchmarks" / "matching_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_catalog(url: str, n: int) -> None:
    from hcctrials.matching.compiled_cache import load_match_catalog
    from hcctrials.matching.search import SEARCH_DOCUMENTS
    from hcctrials.storage import open_store
    from hcctrials.storage.search_index import refresh_search_index

    bench = _matching_bench()
    s = time.perf_counter()
    with open_store(url) as store:
        store.save_trials(bench.vary(bench.base_trials(), n))
        refresh_search_index(store, builder=SEARCH_DOCUMENTS)
        load_match_catalog(store, workers=2)  # compile once and store the catalog blob, as a first `match` does
    print(f"catalog: {n} trials saved, indexed and compiled in {time.perf_counter() - s:.0f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _patients() -> list[dict[str, Any]]:
    out = []
    for path in sorted(PATIENTS.glob("*")):
        if path.suffix in (".yaml", ".json"):
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text) if path.suffix == ".yaml" else json.loads(text)
            out.append(json.loads(json.dumps(data, default=str)))
    return out


async def _load(base: str, make: Any, clients: int, requests: int) -> tuple[list[float], int, float]:
    """*requests* requests made by *clients* concurrent clients: (latencies in s, errors, wall time)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            method, path, kwargs = make(i)
            start = time.perf_counter()
            response = await client.request(method, path, **kwargs)
            latencies.append(time.perf_counter() - start)
            if response.status_code >= 400:
                errors += 1

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - start
    return latencies, errors, wall


def _figures(name: str, latencies: list[float], errors: int, wall: float) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(0.95 * len(ordered)) - 1)]
    return (f"{name:<16} {len(ordered)} requests: p50 {statistics.median(ordered) * 1000:7.1f} ms  "
            f"p95 {p95 * 1000:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms  {len(ordered) / wall:6.1f} req/s"
            f"  errors {errors}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    ap.add_argument("--db", default=None, help="an existing database to serve (else a new one is built)")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (2 on a 2-core server)")
    args = ap.parse_args()
    print("cores:", os.cpu_count(), "usable:", len(os.sched_getaffinity(0)),
          "| load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/web-bench.sqlite3"
        if not args.db:
            build_catalog(url, args.trials)
        else:  # the compiled catalog blob is keyed by the compiler's source: bring it up to date first
            from hcctrials.matching.compiled_cache import load_match_catalog
            from hcctrials.storage import open_store

            from hcctrials.matching.search import INDEX_VERSION, SEARCH_DOCUMENTS
            from hcctrials.storage.search_index import refresh_search_index, search_index_status

            s = time.perf_counter()
            with open_store(url) as store:
                load_match_catalog(store, workers=2)
                # a catalog built by an older version has a stale search index: searches would find nothing
                if not search_index_status(store, index_version=INDEX_VERSION).current:
                    refresh_search_index(store, builder=SEARCH_DOCUMENTS)
            print(f"compiled catalog and search index checked in {time.perf_counter() - s:.1f} s")
        port = _free_port()
        env = {**os.environ, "HCCTRIALS_DB": url}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "hcctrials.web.server:app", "--host", "127.0.0.1",
                                   "--port", str(port), "--workers", str(args.workers), "--log-level", "warning",
                                   "--no-access-log",
                                   # a worker reading (or, after a compiler change, rebuilding) the match
                                   # catalog holds the GIL for seconds: do not let the supervisor kill it
                                   "--timeout-worker-healthcheck", "120"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    health = httpx.get(base + "/api/health", timeout=2)
                    if health.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            print(f"server: uvicorn, {args.workers} worker process(es), {health.json()['trials']} trials, {base}")
            patients = _patients()
            ids = [i["trial_id"] for i in httpx.get(base + "/api/trials", params={"per_page": 100},
                                                      timeout=120).json()["items"]]
            fresh = [i["trial_id"] for p in range(2, 2 + -(-args.requests // 100))
                     for i in httpx.get(base + "/api/trials", params={"per_page": 100, "page": p, "q": "hepatocellular"},
                                        timeout=120).json()["items"]]
            fresh = [t for t in dict.fromkeys(fresh) if t not in set(ids)]
            rng = random.Random(12)
            trial_ids = [rng.choice(ids) for _ in range(args.requests)]
            # warm up: the first match loads the catalog blob; the first search reads the facet values
            s = time.perf_counter()
            httpx.post(base + "/api/match", params={"as_of": AS_OF.isoformat()}, json=patients[0], timeout=300)
            print(f"first match (loads the catalog): {time.perf_counter() - s:.1f} s")
            s = time.perf_counter()
            httpx.get(base + "/api/trials", params={"q": "TACE"}, timeout=300)
            print(f"first search (reads the facet values): {time.perf_counter() - s:.1f} s")

            # every worker process reads the match catalog and today's recruiting states once, in the
            # background from its start: wait until all have (concurrent searches reach every worker)
            s = time.perf_counter()
            asyncio.run(_load(base, lambda i: ("GET", "/api/trials", {"params": {"recruiting": "open"}}), args.clients,
                              4 * args.clients))
            print(f"workers warmed in {time.perf_counter() - s:.1f} s")

            def match(i: int) -> tuple[str, str, dict[str, Any]]:
                return "POST", "/api/match", {"params": {"as_of": AS_OF.isoformat()}, "json": patients[i % len(patients)]}

            def search(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", "/api/trials", {"params": {"q": QUERIES[i % len(QUERIES)]}}

            def search_page(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", "/", {"params": {"q": QUERIES[i % len(QUERIES)], "lang": "zh" if i % 2 else "en"}}

            def trial_page(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", f"/trials/{trial_ids[i]}", {"params": {"lang": "zh" if i % 2 else "en"}}

            varied_rng = random.Random(99)

            def varied(i: int) -> tuple[str, str, dict[str, Any]]:
                r = varied_rng
                params: dict[str, Any] = {"q": r.choice(QUERIES), "page": r.randint(1, 3)}
                for name, values in (("recruiting", ["open", "uncertain", "not_yet_open", "closed"]),
                                     ("status", ["recruiting", "completed", "terminated", "not_yet_recruiting"]),
                                     ("phase", ["phase1", "phase2", "phase3"]),
                                     ("class", ["pd1", "tki", "locoregional", "anti_vegf"])):
                    if r.random() < 0.5:
                        params[name] = r.choice(values)
                return "GET", "/api/trials", {"params": params}

            def first_view(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", f"/trials/{fresh[i % len(fresh)]}", {"params": {"lang": "zh" if i % 2 else "en"}}

            for name, make, warm in (("match (API)", match, True), ("search (API)", search, True),
                                     ("catalog page", search_page, True), ("trial page", trial_page, True),
                                     ("search (varied)", varied, False), ("trial (first)", first_view, False)):
                if warm:
                    asyncio.run(_load(base, make, args.clients, min(40, args.requests)))  # warm the caches
                latencies, errors, wall = asyncio.run(_load(base, make, args.clients,
                                                            min(args.requests, len(fresh)) if make is first_view
                                                            else args.requests))
                print(_figures(name, latencies, errors, wall) + f"  ({args.clients} concurrent clients; "
                      f"load average {os.getloadavg()[0]:.2f})")
            print("load after the run:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
