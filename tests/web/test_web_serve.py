"""``hcctrials serve`` as an operator runs it (issue 12): several worker processes, the keep-alive and
graceful-shutdown timeouts, and health checks that answer in time while the server is busy.

The server is the real command in its own process (``python -m hcctrials.cli.main serve``) over a
SQLite database holding the bundled examples; requests go over loopback.  Deadlines here are
functional limits (a health probe that has not answered within seconds has failed), not speed
targets (those are printed by benchmarks/web_bench.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from web_support import PATIENTS, TODAY, ingest_examples, make_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split() if (task / "children").exists() else []
        found.update(int(t) for t in text)
    return found


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('servedb') / 'web.sqlite3'}"
    ingest_examples(url)
    return url


def _serve(url: str, *options: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hcctrials.cli.main", "serve", "--db", url, "--port", str(port), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "HCCTRIALS_COOKIE_SECURE": "0"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.communicate()
    pytest.fail("hcctrials serve did not answer /healthz within 90 s")


@pytest.fixture(scope="module")
def two_workers(examples_db: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, base = _serve(examples_db, "--workers", "2", "--timeout-keep-alive", "1",
                           "--timeout-graceful-shutdown", "5", "--lang", "zh")
    yield process, base
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)  # also closes its output pipe


def test_serve_runs_the_workers_it_is_asked_for(two_workers: tuple[subprocess.Popen[str], str]) -> None:
    process, base = two_workers
    deadline = time.monotonic() + 30
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _children(process.pid)
    assert len(workers) >= 2, workers
    health = httpx.get(base + "/api/health", timeout=10)
    assert health.status_code == 200 and health.json()["trials"] == 5
    # both processes answer: the worker's pid is not exposed, so count distinct connections' answers
    answers = {httpx.get(base + "/healthz", timeout=10).status_code for _ in range(10)}
    assert answers == {200}


def _sockets_on(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets whose local port is *port* in *state* (/proc/net/tcp: 0A listening,
    01 established)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def _sockets_of(pid: int) -> set[str]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def _held(pids: set[int], port: int) -> dict[int, int]:
    """How many established connections on *port* each of *pids* holds."""
    established = _sockets_on(port, "01")
    return {pid: len(_sockets_of(pid) & established) for pid in pids}


def _workers(process: subprocess.Popen[str]) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker, also its child)."""
    found = set()
    for pid in _children(process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            found.add(pid)
    return found


def _ready_workers(process: subprocess.Popen[str], base: str, count: int, seconds: float = 90) -> set[int]:
    """The supervisor's *count* worker processes, once each serves connections (its app has started: *count*
    connections opened together are then held one by each)."""
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = _workers(process)
        if len(workers) == count:
            opened = _keep_alive_connections(base, count)
            try:
                if all(n == 1 for n in _held(workers, port).values()):
                    break
            finally:
                for sock in opened:
                    sock.close()
        time.sleep(0.3)
    else:
        pytest.fail(f"{count} workers did not serve within {seconds} s")
    while any(_held(workers, port).values()) and time.monotonic() < deadline:  # the probes are closed
        time.sleep(0.05)
    return workers


def _keep_alive_connections(base: str, count: int) -> list[socket.socket]:
    """*count* connections, each answered once (so that a worker holds it) and left open."""
    port = int(base.rsplit(":", 1)[1])
    opened = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = b""
        while not answer.endswith(b'{"status":"ok"}'):
            part = sock.recv(4096)
            assert part, answer
            answer += part
        opened.append(sock)
    return opened


def test_connections_opened_together_are_shared_evenly_by_the_workers(
        two_workers: tuple[subprocess.Popen[str], str]) -> None:
    """The supervisor accepts and hands the connections to the workers in turn (hcctrials.web.workers): ten
    keep-alive clients that connect together are served five by each worker, so neither core idles while the
    other's clients queue.  Only the supervisor listens; it keeps no connection it has handed over."""
    process, base = two_workers
    port = int(base.rsplit(":", 1)[1])
    workers = _ready_workers(process, base, 2)
    opened = _keep_alive_connections(base, 10)
    try:
        held = _held(workers, port)
        assert sorted(held.values()) == [5, 5], held
        assert not _sockets_of(process.pid) & _sockets_on(port, "01"), "the supervisor keeps no connection"
        listening = _sockets_on(port, "0A")
        assert len(listening) == 1 and listening <= _sockets_of(process.pid)
        assert not any(_sockets_of(pid) & listening for pid in workers), "the workers do not listen"
    finally:
        for sock in opened:
            sock.close()
    # clients that close and reconnect at once (before the workers have seen the closes) are shared evenly again
    opened = _keep_alive_connections(base, 10)
    try:
        assert sorted(_held(workers, port).values()) == [5, 5]
    finally:
        for sock in opened:
            sock.close()


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(examples_db: str) -> None:
    process, base = _serve(examples_db, "--workers", "2", "--timeout-graceful-shutdown", "2")
    try:
        first = _ready_workers(process, base, 2)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        # the connections it held are lost with it (a crash); new ones go to the other worker meanwhile
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Path(f"/proc/{victim}/fd").exists() and any(
                Path(f"/proc/{victim}/fd").iterdir()):
            time.sleep(0.05)
        assert all(httpx.get(base + "/healthz", timeout=10).status_code == 200 for _ in range(20))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = _workers(process)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.3)
        assert len(now) == 2 and victim not in now, now
        # the new worker takes its share once its app has started
        port = int(base.rsplit(":", 1)[1])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            opened = _keep_alive_connections(base, 4)
            try:
                if sorted(_held(now, port).values()) == [2, 2]:
                    break
            finally:
                for sock in opened:
                    sock.close()
            time.sleep(0.5)
        else:
            pytest.fail("the new worker was handed no connection")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert "starting another" in output, output
    assert process.returncode == 0, output


def test_serve_refuses_a_port_in_use_in_one_line(examples_db: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "hcctrials.cli.main", "serve", "--db", examples_db, "--port",
                               str(port), "--workers", "2", "--lang", "zh"], capture_output=True, text=True,
                              timeout=60)
    assert done.returncode != 0
    assert f"端口 {port} 在 127.0.0.1 上已被占用" in done.stderr + done.stdout, done.stderr
    assert "Traceback" not in done.stderr


def test_serve_names_an_address_it_cannot_listen_on_in_one_line(examples_db: str) -> None:
    """192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it, so binding it fails with "cannot assign", not "in
    use"; the error names the host and port instead of calling the port taken."""
    port = _free_port()
    done = subprocess.run([sys.executable, "-m", "hcctrials.cli.main", "serve", "--db", examples_db, "--host",
                           "192.0.2.1", "--port", str(port), "--workers", "2", "--lang", "zh"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert f"无法在 192.0.2.1 的端口 {port} 上监听" in done.stderr, done.stderr
    assert "已被占用" not in done.stderr and "Traceback" not in done.stderr


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(two_workers: tuple[subprocess.Popen[str], str]
                                                                   ) -> None:
    _process, base = two_workers
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"ok"}'):  # the whole answer (headers and body may come apart)
            part = sock.recv(4096)
            assert part, first
            first += part
        assert first.startswith(b"HTTP/1.1 200")
        sock.settimeout(8)
        started = time.monotonic()
        assert sock.recv(4096) == b""  # the server closed the idle connection
        assert time.monotonic() - started < 6  # --timeout-keep-alive 1 (uvicorn's default would be 5)


def test_serve_stops_gracefully_and_says_so_in_chinese(examples_db: str) -> None:
    process, base = _serve(examples_db, "--timeout-graceful-shutdown", "3", "--lang", "zh")
    assert httpx.get(base + "/api/health", timeout=10).json()["trials"] == 5
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    # uvicorn shuts down, then re-raises the signal it caught (the exit status of a process ended by SIGTERM)
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "hcctrials 网页应用" in output, output
    assert "Shutting down" in output and "Finished server process" in output


def test_health_checks_answer_while_every_request_thread_is_busy(examples_db: str) -> None:
    """40 slow matches keep the single worker's request threads busy; /healthz (event loop) and
    /api/health (its own threads) still answer within their deadlines."""
    process, base = _serve(examples_db)
    patient = json.loads(json.dumps(__import__("yaml").safe_load(
        sorted(PATIENTS.glob("*.yaml"))[0].read_text(encoding="utf-8")), default=str))
    stop = threading.Event()
    busy = {"answered": 0}

    def load() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while not stop.is_set():
                client.post("/api/match", params={"as_of": TODAY.isoformat()}, json=patient)
                busy["answered"] += 1

    threads = [threading.Thread(target=load, daemon=True) for _ in range(40)]
    try:
        for t in threads:
            t.start()
        time.sleep(2)
        for path, deadline in (("/healthz", 5.0), ("/api/health", 5.0)):
            started = time.monotonic()
            answer = httpx.get(base + path, timeout=deadline)
            assert answer.status_code == 200, (path, answer.text)
            assert time.monotonic() - started < deadline
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert busy["answered"] > 0


def test_the_database_health_check_gives_503_in_time_when_the_database_hangs(examples_db: str) -> None:
    from hcctrials.web import create_app

    app = create_app(examples_db, today=lambda: TODAY)
    app.state.health_timeout = 0.3
    services: Any = app.state.services
    release = threading.Event()
    services.catalog_size = lambda: release.wait(10) and 5  # a database that does not answer
    with make_client(app) as client:
        try:
            started = time.monotonic()
            answer = client.get("/api/health", params={"lang": "zh"})
            elapsed = time.monotonic() - started
        finally:
            release.set()
        assert answer.status_code == 503 and elapsed < 3
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"] == "数据库未在 0.3 秒内响应。"
        assert client.get("/healthz").json() == {"status": "ok"}  # alive, though not ready
        assert client.get("/api/health").json()["trials"] == 5  # answers again


def test_health_says_whether_the_worker_has_warmed_up(examples_db: str) -> None:
    """A worker answers while it warms up (the catalog, a made-up patient's match) and says so: a load balancer or
    the benchmark waits for "warmed" before it counts the worker's answers as steady."""
    from hcctrials.web import create_app

    app = create_app(examples_db, today=lambda: TODAY)
    services: Any = app.state.services
    release = threading.Event()
    warm = services.warm
    services.warm = lambda as_of: release.wait(10) and warm(as_of)
    with make_client(app) as client:
        try:
            assert client.get("/api/health").json() == {"status": "ok", "trials": 5, "warmed": False}
        finally:
            release.set()
        services._warming.join(60)
        assert client.get("/api/health").json() == {"status": "ok", "trials": 5, "warmed": True}
