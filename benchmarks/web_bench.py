"""Web benchmark: the app under uvicorn on loopback, 10,000 trials, 20 concurrent clients.

Catalog: the seed records plus the HINT HCC subset (tests-only data read from ../shared at run
time, never copied), varied to N trials as benchmarks/matching_bench.py does, saved and indexed.
The server runs in its own processes (``hcctrials serve --workers 2``, as a 2-core server runs it: the
supervisor accepts and hands the connections to the workers in turn, see hcctrials.web.workers; ``--launcher
uvicorn`` starts ``uvicorn --workers 2`` instead, whose workers share one socket); the load generator in this
one.  Every row prints how the clients' connections were spread over the worker processes ("connections per
worker 12/8", read from /proc once they are open): a keep-alive connection stays with one process, so a lopsided
split makes the busier process's clients wait longer.  Prints p50/p95/max per endpoint
and the machine's cores and load.  Not a timed test.

The repeated searches (12 queries) are answered from the per-query cache after the first time;
"search (varied)" sends a different combination of words and filters (recruiting state, status,
phase, class) with nearly every request, so it measures searches that compute their facet counts
per request.  The trial pages draw from 100 trials, so they are cached too; "trial (first view)" opens
trials no request has opened before.

    python benchmarks/web_bench.py --trials 10000 --clients 20 --requests 400
    python benchmarks/web_bench.py --db sqlite:////tmp/web-bench.sqlite3   # reuse a built catalog
    python benchmarks/web_bench.py --db ... --baseline-src /tmp/old/src    # A/B against another source tree
    python benchmarks/web_bench.py --db ... --server-python /usr/bin/python3 --baseline-python python3
                                                                          # A/B between two interpreters

Per-request CPU: besides latencies, every row prints the CPU time the server processes (the uvicorn
supervisor and its workers, read from /proc) and the load generator spent per request during the
row.  On a machine shared with other work the latencies move with the load; the CPU time per request
moves much less, so it is the figure to compare between runs.  ``--baseline-src DIR`` starts a second
server from another source tree (``PYTHONPATH=DIR``, e.g. a copy of ``src`` before a change) on the
same database and measures both in the same run, alternating them row by row and round by round
(``--rounds``), so both see the same load.  The compiled match catalog is keyed by the compiler's
source: on a working tree that others are editing, freeze both sides (copy ``src`` to A and B, make
the change in A only), run the benchmark with ``PYTHONPATH=A`` (it compiles the catalog once for that
source) and ``--baseline-src B``; the servers inherit ``PYTHONPATH``.

Interpreter: every server line names the interpreter it runs on and the CPU time of a fixed pure-Python yardstick
in it (:data:`YARDSTICK`), timed before the servers start and again after the run: its "cpu" part tells a CPython
built with profile-guided and link-time optimisation from one built without (54 against 78-83 ms here), its
"memory" part (ns per read of an object not in the caches) shows how fast the host's memory is at the time.
``--server-python PY`` runs the server on another interpreter; ``--baseline-python PY`` serves this tree on a
second one and measures both in turn.

Load generator (``--generator``, printed on every row): ``streams`` (default), one HTTP/1.1 keep-alive
connection per client over asyncio streams that writes the request and reads the status, the headers and
the body (``Content-Length`` or chunks), ~0.1-0.5 ms of CPU per request, as a lean tool like ``wrk``
would cost; or ``httpx`` (the generator before), ~2 ms of CPU per request, which on a 2-core machine is
taken from the server it loads.  The server and what it answers are the same with either.

Issue 12 targets (2-core machine): match p95 < 100 ms; catalog search p95 < 50 ms; trial page p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

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


def _process_tree(pid: int) -> list[int]:
    """*pid* and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by *pid* and its descendants (/proc/PID/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)
    return total


def _patients() -> list[dict[str, Any]]:
    out = []
    for path in sorted(PATIENTS.glob("*")):
        if path.suffix in (".yaml", ".json"):
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text) if path.suffix == ".yaml" else json.loads(text)
            out.append(json.loads(json.dumps(data, default=str)))
    return out


class _Connection:
    """One HTTP/1.1 keep-alive connection over asyncio streams: the lean load generator.

    httpx (the default generator before) spends ~2 ms of CPU per request of its own (request and
    response models, header normalisation, its connection pool), on the same 2 cores as the server;
    a load generator that only writes the request and reads the status line, the headers and
    ``Content-Length`` bytes (or the chunks) of the answer costs a fraction of that, as ``wrk`` would.
    Written by hand because no installed client is that lean (aiohttp is not a dependency)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, params: dict[str, Any] | None = None,
                      json_body: Any = None) -> tuple[int, bytes]:
        """(status, body) of one request; reconnects when the server closed the connection."""
        target = path + ("?" + urlencode(params, doseq=True) if params else "")
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = (f"{method} {target} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\naccept: */*\r\n"
                + (f"content-type: application/json\r\ncontent-length: {len(body)}\r\n" if json_body is not None
                   else "") + "\r\n").encode()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:  # closed between requests: once more on a new connection
            self.writer.close()
            self.writer = None
            return await self.request(method, path, params, json_body)
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            data = b"".join(parts)
        else:
            data = await self.reader.readexactly(length or 0)
        if close:
            self.writer.close()
            self.writer = None
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def _load_streams(base: str, make: Any, clients: int, requests: int) -> tuple[list[float], int, float]:
    """:func:`_load` with the lean generator (:class:`_Connection`, one connection per client)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    address = urlsplit(base)
    host, port = address.hostname or "127.0.0.1", address.port or 80

    async def worker() -> None:
        nonlocal errors
        connection = _Connection(host, port)
        try:
            for i in counter:
                method, path, kwargs = make(i)
                start = time.perf_counter()
                status, _body = await connection.request(method, path, kwargs.get("params"), kwargs.get("json"))
                latencies.append(time.perf_counter() - start)
                if status >= 400:
                    errors += 1
        finally:
            connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


#: the load generator of the timed rows (``--generator``): "streams" (:class:`_Connection`) or "httpx"
GENERATOR = "streams"


async def _load(base: str, make: Any, clients: int, requests: int) -> tuple[list[float], int, float]:
    """*requests* requests made by *clients* concurrent clients: (latencies in s, errors, wall time)."""
    if GENERATOR == "streams":
        return await _load_streams(base, make, clients, requests)
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


def connections_per_worker(pid: int, port: int) -> list[int]:
    """Established connections on *port* held by each process of *pid*'s tree (Linux /proc/net/tcp and the
    processes' socket descriptors), largest first: how the clients' keep-alive connections are spread over the
    worker processes (uvicorn's workers share one listening socket; each connection stays with the process
    that accepted it)."""
    established: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # local port, ESTABLISHED
                established.add(fields[9])  # inode
    counts = []
    for p in _process_tree(pid):
        n = 0
        for fd in Path(f"/proc/{p}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in established:
                n += 1
        if n:
            counts.append(n)
    return sorted(counts, reverse=True)


def _figures(name: str, latencies: list[float], errors: int, wall: float, server_cpu: float | None = None,
             client_cpu: float | None = None) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(0.95 * len(ordered)) - 1)]
    cpu = ""
    if server_cpu is not None and client_cpu is not None:
        cpu = (f"  CPU/request: server {server_cpu / len(ordered) * 1000:5.1f} ms, "
               f"load generator {client_cpu / len(ordered) * 1000:4.1f} ms")
    return (f"{name:<27} {len(ordered)} requests: p50 {statistics.median(ordered) * 1000:7.1f} ms  "
            f"p95 {p95 * 1000:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms  {len(ordered) / wall:6.1f} req/s"
            f"  errors {errors}{cpu}")


#: how the server is started (``--launcher``): "serve" (``hcctrials serve --workers N``: connections handed to the
#: workers in turn) or "uvicorn" (``uvicorn --workers N``: one socket shared by the workers)
LAUNCHER = "serve"
LAUNCHER_NAMES = {"serve": "hcctrials serve (connections handed to the workers in turn)",
                  "uvicorn": "uvicorn --workers (one shared socket)"}


def _start_server(url: str, workers: int, src: str | None,
                  python: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The app serving *url* from this source tree (or *src*, by ``PYTHONPATH``), on the interpreter *python* (else
    this one), started as :data:`LAUNCHER` says: (process, base URL)."""
    python = python or sys.executable
    port = _free_port()
    env = _server_env(url, src)
    if LAUNCHER == "serve":  # what an operator runs (docs/web.md), without the access log
        command = [python, "-m", "hcctrials.cli.main", "serve", "--db", url, "--port", str(port),
                   "--workers", str(workers), "--no-access-log"]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        return server, f"http://127.0.0.1:{port}"
    server = subprocess.Popen([python, "-m", "uvicorn", "hcctrials.web.server:app", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                               "--no-access-log",
                               # a worker reading (or, after a compiler change, rebuilding) the match
                               # catalog holds the GIL for seconds: do not let the supervisor kill it
                               "--timeout-worker-healthcheck", "120"], env=env)
    return server, f"http://127.0.0.1:{port}"


def _server_env(url: str, src: str | None) -> dict[str, str]:
    env = {**os.environ, "HCCTRIALS_DB": url}
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    return env


#: compiles the match catalog of a source tree into the database (when its compiler version has none there yet)
PREPARE_CATALOG = """
import sys
from hcctrials.matching.compiled_cache import load_match_catalog
from hcctrials.storage import open_store
with open_store(sys.argv[1]) as store:
    load_match_catalog(store, workers=2)
"""


def _prepare_catalog(url: str, src: str, python: str | None) -> None:
    """The match catalog of the tree *src* compiled before its server starts: a tree whose compiler differs from
    this one's has no compiled catalog in the database yet, and its first request would compile it (minutes at
    10,000 trials), past the first request's time limit."""
    s = time.perf_counter()
    done = subprocess.run([python or sys.executable, "-c", PREPARE_CATALOG, url], env=_server_env(url, src),
                          capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        print(f"{src}: could not compile its match catalog beforehand ({last}); its server will at its first match")
        return
    print(f"{src}: compiled match catalog checked in {time.perf_counter() - s:.1f} s")


#: seconds to wait for the background warm-up of a server whose ``/api/health`` has no ``warmed`` field (an older
#: tree served by ``--baseline-src``): it took 2-10 s on the benchmark catalog
WARM_UP_WITHOUT_HEALTH = 20.0

#: fixed pure-Python work timed in the server's interpreter, in two parts.  "cpu": dicts, tuples, strings and small
#: objects that stay in the processor's caches: its time tells interpreters apart (a CPython built without
#: profile-guided and link-time optimisation, as ``pyenv install`` builds it by default, took ~45% longer than
#: Debian's ``python3`` here).  "memory": reading 200,000 small objects in a shuffled order, each read a cache
#: miss: on the 2-core virtual machine of the issue 12 figures such a read cost 350-800 ns (one from the caches ~80
#: ns), and a server request touches thousands of long-lived objects, so this part shows how fast the host's memory
#: is at the time.  Run before the servers start and again after the run.
YARDSTICK = """
import random, time
class Cell:
    __slots__ = ("a", "b")
    def __init__(self, a, b):
        self.a, self.b = a, b
def work():
    table = {}
    for i in range(300_000):
        table[i % 997] = (i, str(i & 255), Cell(i, i).a)
    return len(table)
times = []
for _ in range(5):
    start = time.process_time(); work(); times.append(time.process_time() - start)
cells = [(i, str(i)) for i in range(200_000)]
order = list(range(len(cells)))
random.Random(7).shuffle(order)
walks = []
for _ in range(3):
    start = time.process_time(); total = 0
    for k in order:
        total += cells[k][0]
    walks.append(time.process_time() - start)
print(sorted(times)[2] * 1000, sorted(walks)[1] / len(order) * 1e9)
"""


def _interpreter(python: str) -> str:
    """*python* named with its version and the times of :data:`YARDSTICK` in it."""
    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                             text=True).stdout.strip()
    return f"{python} (Python {version or '?'}; {_yardstick(python)})"


def _yardstick(python: str) -> str:
    out = subprocess.run([python, "-c", YARDSTICK], capture_output=True, text=True).stdout.split()
    if len(out) != 2:
        return "yardstick did not run"
    return f"yardstick: cpu {float(out[0]):.0f} ms, memory {float(out[1]):.0f} ns per read"


def _wait_ready(server: subprocess.Popen[bytes], base: str) -> int:
    deadline = time.monotonic() + 600
    while True:
        try:
            health = httpx.get(base + "/api/health", timeout=2)
            if health.status_code == 200:
                return int(health.json()["trials"])
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=400, help="requests per endpoint (per round)")
    ap.add_argument("--db", default=None, help="an existing database to serve (else a new one is built)")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (2 on a 2-core server)")
    ap.add_argument("--baseline-src", default=None,
                    help="also serve this source tree (a copy of src/ before a change) and measure both in turn")
    ap.add_argument("--server-python", default=None,
                    help="the interpreter the server runs on (default: this one); it must have hcctrials and its web "
                         "dependencies installed")
    ap.add_argument("--baseline-python", default=None,
                    help="also serve this tree on this other interpreter and measure both in turn (e.g. a CPython "
                         "built with PGO and LTO against one built without)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of every row (alternating the servers)")
    ap.add_argument("--launcher", choices=("serve", "uvicorn"), default="serve",
                    help="start the server with `hcctrials serve --workers N` (default; one listening socket per "
                         "worker) or `uvicorn --workers N` (one socket shared by the workers)")
    ap.add_argument("--generator", choices=("streams", "httpx"), default="streams",
                    help="load generator: lean HTTP/1.1 over asyncio streams (default) or httpx (heavier)")
    ap.add_argument("--only", default=None, help="comma-separated rows to run (match,search,catalog,trial,varied,"
                                                  "first)")
    args = ap.parse_args()
    for option, python in (("--server-python", args.server_python), ("--baseline-python", args.baseline_python)):
        if python and shutil.which(python) is None:
            ap.error(f"{option}: no interpreter {python!r} (a path, or a name on PATH)")
    global GENERATOR, LAUNCHER
    GENERATOR = args.generator
    LAUNCHER = args.launcher
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
        trees: list[tuple[str, str | None, str | None]] = [("this tree", None, args.server_python)]
        if args.baseline_src:
            trees.append(("baseline", args.baseline_src, args.server_python))
        if args.baseline_python:
            trees.append(("baseline interpreter", None, args.baseline_python))
        # before any server starts (a worker warming up in the background would slow the yardstick down)
        interpreters = {python: _interpreter(python) for python in dict.fromkeys(t[2] or sys.executable for t in trees)}
        servers: list[tuple[str, subprocess.Popen[bytes], str]] = []
        try:
            for name, src, python in trees:  # one at a time: each may read (or compile) the match catalog at start
                if src:
                    _prepare_catalog(url, src, python)
                server, base = _start_server(url, args.workers, src, python)
                servers.append((name, server, base))
                trials = _wait_ready(server, base)
                print(f"server ({name}{': ' + src if src else ''}): {LAUNCHER_NAMES[LAUNCHER]}, {args.workers} worker process(es), "
                      f"{trials} trials, {base}; {interpreters[python or sys.executable]}")
            base = servers[0][2]
            patients = _patients()
            ids = [i["trial_id"] for i in httpx.get(base + "/api/trials", params={"per_page": 100},
                                                      timeout=120).json()["items"]]
            fresh_pool = [i["trial_id"] for p in range(2, 2 + -(-args.requests * args.rounds * len(servers) // 100))
                          for i in httpx.get(base + "/api/trials",
                                             params={"per_page": 100, "page": p, "q": "hepatocellular"},
                                             timeout=120).json()["items"]]
            fresh_pool = [t for t in dict.fromkeys(fresh_pool) if t not in set(ids)]
            rng = random.Random(12)
            trial_ids = [rng.choice(ids) for _ in range(args.requests)]
            for name, _server, base in servers:
                # warm up: the first match loads the catalog blob; the first search reads the facet values
                s = time.perf_counter()
                httpx.post(base + "/api/match", params={"as_of": AS_OF.isoformat()}, json=patients[0], timeout=300)
                print(f"{name}: first match (loads the catalog): {time.perf_counter() - s:.1f} s")
                s = time.perf_counter()
                httpx.get(base + "/api/trials", params={"q": "TACE"}, timeout=300)
                print(f"{name}: first search (reads the facet values): {time.perf_counter() - s:.1f} s")
                # every worker process warms up once, in the background from its start (the match catalog, today's
                # recruiting states, a made-up patient's match): wait until all have, or the first round would count
                # their warm-up.  `/api/health` says whether the worker answering has; the server hands new
                # connections to its workers in turn, so as many answers in a row as workers cover them all
                s = time.perf_counter()
                asyncio.run(_load(base, lambda i: ("GET", "/api/trials", {"params": {"recruiting": "open"}}),
                                  args.clients, 4 * args.clients))
                in_a_row = 0
                while in_a_row < args.workers and time.perf_counter() - s < 600:
                    warmed = httpx.get(base + "/api/health", timeout=30).json().get("warmed")
                    if warmed is None:  # a tree from before the field: give its background warm-up time to end,
                        # or it runs during the first round of the other server
                        time.sleep(WARM_UP_WITHOUT_HEALTH)
                        print(f"{name}: /api/health does not say whether it has warmed up: waited "
                              f"{WARM_UP_WITHOUT_HEALTH:.0f} s")
                        break
                    in_a_row = in_a_row + 1 if warmed else 0
                    if not warmed:
                        time.sleep(0.2)
                print(f"{name}: workers warmed in {time.perf_counter() - s:.1f} s")

            def match(i: int) -> tuple[str, str, dict[str, Any]]:
                return "POST", "/api/match", {"params": {"as_of": AS_OF.isoformat()}, "json": patients[i % len(patients)]}

            def search(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", "/api/trials", {"params": {"q": QUERIES[i % len(QUERIES)]}}

            def search_page(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", "/", {"params": {"q": QUERIES[i % len(QUERIES)], "lang": "zh" if i % 2 else "en"}}

            def trial_page(i: int) -> tuple[str, str, dict[str, Any]]:
                return "GET", f"/trials/{trial_ids[i]}", {"params": {"lang": "zh" if i % 2 else "en"}}

            def varied_maker(seed: int) -> Any:
                r = random.Random(seed)

                def varied(i: int) -> tuple[str, str, dict[str, Any]]:
                    params: dict[str, Any] = {"q": r.choice(QUERIES), "page": r.randint(1, 3)}
                    for name, values in (("recruiting", ["open", "uncertain", "not_yet_open", "closed"]),
                                         ("status", ["recruiting", "completed", "terminated", "not_yet_recruiting"]),
                                         ("phase", ["phase1", "phase2", "phase3"]),
                                         ("class", ["pd1", "tki", "locoregional", "anti_vegf"])):
                        if r.random() < 0.5:
                            params[name] = r.choice(values)
                    return "GET", "/api/trials", {"params": params}
                return varied

            def first_maker(chunk: list[str]) -> Any:
                def first_view(i: int) -> tuple[str, str, dict[str, Any]]:
                    return "GET", f"/trials/{chunk[i % len(chunk)]}", {"params": {"lang": "zh" if i % 2 else "en"}}
                return first_view

            rows = [("match", "match (API)", True), ("search", "search (API)", True),
                    ("catalog", "catalog page", True), ("trial", "trial page", True),
                    ("varied", "search (varied)", False), ("first", "trial (first)", False)]
            chosen = set(args.only.split(",")) if args.only else {key for key, _, _ in rows}
            first_chunk = max(1, min(args.requests, len(fresh_pool) // (args.rounds * len(servers))))
            used_fresh = 0
            for key, label, warm in rows:
                if key not in chosen:
                    continue
                for round_no in range(args.rounds):
                    order = servers if round_no % 2 == 0 else servers[::-1]
                    for name, server, base in order:
                        make: Any
                        n = args.requests
                        if key == "varied":  # the same varied requests for every server in a round
                            make = varied_maker(99 + round_no)
                        elif key == "first":  # trials no server has opened before
                            chunk = fresh_pool[used_fresh:used_fresh + first_chunk]
                            used_fresh += first_chunk
                            make, n = first_maker(chunk), len(chunk)
                        else:
                            make = {"match": match, "search": search, "catalog": search_page,
                                    "trial": trial_page}[key]
                        if warm and round_no == 0:
                            asyncio.run(_load(base, make, args.clients, min(40, args.requests)))  # warm the caches
                        server_before, client_before = cpu_seconds(server.pid), time.process_time()
                        split: list[int] = []
                        port = int(base.rsplit(":", 1)[1])
                        # the clients' connections per worker process, once they are all open
                        probe = threading.Timer(0.1, lambda: split.extend(connections_per_worker(server.pid, port)))
                        probe.start()
                        latencies, errors, wall = asyncio.run(_load(base, make, args.clients, n))
                        probe.cancel()
                        server_cpu = cpu_seconds(server.pid) - server_before
                        client_cpu = time.process_time() - client_before
                        tag = f"{label} [{name}]" if len(servers) > 1 else label
                        print(_figures(tag, latencies, errors, wall, server_cpu, client_cpu)
                              + f"  ({args.clients} concurrent clients, {GENERATOR}; connections per worker "
                                f"{'/'.join(map(str, split)) or '?'}; load average {os.getloadavg()[0]:.2f})",
                              flush=True)
            print("load after the run:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
            for python in interpreters:
                print(f"{python}: {_yardstick(python)} after the run")
        finally:
            for _name, server, _base in servers:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
