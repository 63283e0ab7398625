"""Several server processes on one port, each with a listening socket of its own (``SO_REUSEPORT``).

uvicorn's supervisor (``uvicorn --workers N``, and gunicorn's arbiter likewise) opens one listening socket in
the parent and shares it between the worker processes: a connection belongs to the process that accepted it
for as long as it stays open, and clients that connect together are mostly accepted by whichever process
wakes first.  ``benchmarks/web_bench.py`` prints the split: in most rounds all 20 keep-alive connections were
held by one of the two workers, which then answered every request while the other core had nothing to do
(matching is CPU-bound, so each client waited for the 19 requests before its own instead of about 9).

Here each worker binds its own socket to the port with ``SO_REUSEPORT`` (Linux 3.9 and later), and the kernel
spreads new connections over the workers' sockets by a hash of the connection's addresses, whatever each
worker is doing; a worker that ends takes its socket with it, so no connection waits on a socket nobody
accepts from.  No ASGI server offers one socket per worker, hence this small supervisor, written for this
project: it starts the workers (``uvicorn.Server`` on the socket, the app ``hcctrials.web.server:app``),
starts another when one ends, gives up when workers keep failing at start, and on Ctrl+C or SIGTERM stops them
all (each finishes its requests in flight within ``timeout_graceful_shutdown``, as uvicorn's workers do).
uvicorn's own supervisor is used where ``SO_REUSEPORT`` is missing (:func:`reuse_port_available`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

__all__ = ["reuse_port_available", "port_in_use", "run_workers", "APP"]

#: The app each worker serves (it reads ``$HCCTRIALS_DB``).
APP = "hcctrials.web.server:app"
#: uvicorn's exit status of a worker that could not start (bad app, database, socket).
_STARTUP_FAILURE = 3
#: A worker that ends within this many seconds of its start counts as failing to start ...
_EARLY_SECONDS = 30.0
#: ... and after this many such ends in a row the server stops instead of trying again.
_EARLY_LIMIT = 5

_log = logging.getLogger("uvicorn.error")


def reuse_port_available() -> bool:
    """Whether this system lets several processes bind one port, the kernel spreading connections (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def port_in_use(host: str, port: int) -> bool:
    """Whether *host*:*port* is taken (by another server, or another ``hcctrials serve``): tried by binding it
    without ``SO_REUSEPORT``, so the workers' sockets never join one another program's."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own socket on the port, the app on uvicorn's server (started by spawning)."""
    import uvicorn

    try:
        sock = _listening_socket(host, port)
    except OSError as exc:
        _log.error("worker %d: cannot listen on %s:%d: %s", os.getpid(), host, port, exc)
        sys.exit(_STARTUP_FAILURE)
    server = uvicorn.Server(uvicorn.Config(APP, host=host, port=port, **options))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(_STARTUP_FAILURE)


def run_workers(workers: int, host: str, port: int, options: dict[str, Any]) -> None:
    """Serve :data:`APP` from *workers* processes on *host*:*port* until Ctrl+C or SIGTERM (module docstring).
    *options* are ``uvicorn.Config`` keywords (timeouts, logging, headers)."""
    import uvicorn

    uvicorn.Config(APP, host=host, port=port, **options)  # the parent logs as the workers do (uvicorn's logging)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker: nothing of the parent's state
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start() -> tuple[Any, float]:
        process = context.Process(target=_worker, args=(host, port, options), name="hcctrials-worker")
        process.start()
        _log.info("Started worker process [%d] (its own socket on port %d)", process.pid, port)
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    early = 0
    while not stop.wait(0.5):
        for i, (process, started) in enumerate(running):
            if process.is_alive():
                continue
            process.join()
            quick = time.monotonic() - started < _EARLY_SECONDS
            early = early + 1 if quick else 0
            if process.exitcode == _STARTUP_FAILURE or early >= _EARLY_LIMIT:
                _log.error("Worker process [%d] could not start (exit status %s): stopping", process.pid,
                           process.exitcode)
                stop.set()
                break
            _log.warning("Worker process [%d] ended (exit status %s): starting another", process.pid,
                         process.exitcode)
            running[i] = start()
    for process, _started in running:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then ends
    grace = float(options.get("timeout_graceful_shutdown") or 0) + 10
    for process, _started in running:
        process.join(timeout=grace)
        if process.is_alive():
            process.kill()
            process.join()
    _log.info("Stopped %d worker process(es)", len(running))
