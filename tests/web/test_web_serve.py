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
    assert health.status_code == 200 and health.json() == {"status": "ok", "trials": 5}
    # both processes answer: the worker's pid is not exposed, so count distinct connections' answers
    answers = {httpx.get(base + "/healthz", timeout=10).status_code for _ in range(10)}
    assert answers == {200}


def _listening(port: int) -> list[str]:
    """Inodes of the sockets listening on *port* (/proc/net/tcp: local port, state 0A)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
            found.append(fields[9])
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


def _listening_ports_of(pid: int) -> set[int]:
    """The ports *pid* listens on (none once it has ended: a dead process's sockets are closed, zombie or not)."""
    inodes = _sockets_of(pid) if Path(f"/proc/{pid}/fd").exists() else set()
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _workers_listening(process: subprocess.Popen[str], port: int) -> dict[int, set[str]]:
    listening = set(_listening(port))
    return {pid: _sockets_of(pid) & listening for pid in _children(process.pid) if _sockets_of(pid) & listening}


def test_each_worker_listens_on_a_socket_of_its_own(two_workers: tuple[subprocess.Popen[str], str]) -> None:
    """The kernel spreads connections over the workers' own sockets (hcctrials.web.workers): two workers, two
    listening sockets on the port, none held by the supervisor (a socket nobody accepts from would leave the
    connections hashed to it waiting)."""
    process, base = two_workers
    port = int(base.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while len(_workers_listening(process, port)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _workers_listening(process, port)
    assert len(workers) == 2, workers
    assert all(len(s) == 1 for s in workers.values()) and len(set.union(*workers.values())) == 2, workers
    assert not _sockets_of(process.pid) & set(_listening(port)), "the supervisor holds no listening socket"


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(examples_db: str) -> None:
    process, base = _serve(examples_db, "--workers", "2", "--timeout-graceful-shutdown", "2")
    port = int(base.rsplit(":", 1)[1])
    try:
        deadline = time.monotonic() + 60
        while len(_workers_listening(process, port)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        first = set(_workers_listening(process, port))
        assert len(first) == 2
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        # once it has ended (its connections, and any the kernel handed its socket at that instant, are reset:
        # a crash loses what the worker held), its socket is gone with it and the other worker answers meanwhile
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and port in _listening_ports_of(victim):
            time.sleep(0.05)
        assert all(httpx.get(base + "/healthz", timeout=10).status_code == 200 for _ in range(20))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = set(_workers_listening(process, port))
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.3)
        assert len(now) == 2 and victim not in now, now
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
        assert client.get("/api/health").json() == {"status": "ok", "trials": 5}  # answers again
