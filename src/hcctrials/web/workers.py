"""Several server processes on one port, new connections handed to them in turn by the supervisor.

uvicorn's supervisor (``uvicorn --workers N``, and gunicorn's arbiter likewise) opens one listening socket in
the parent and lets every worker accept from it: a connection belongs to the process that accepted it for as
long as it stays open, and clients that connect together are mostly accepted by whichever process wakes first.
``benchmarks/web_bench.py`` prints the split: in most rounds all 20 keep-alive connections were held by one of
the two workers, which then answered every request while the other core had nothing to do (matching is
CPU-bound, so each client waited for the 19 requests before its own instead of about 9).  A socket per worker
(``SO_REUSEPORT``, session 8) lets the kernel spread connections by a hash of their addresses, which is
random: splits of 20 connections ran from 10/10 to 15/5, and the busier worker's clients waited half as long
again.  Handing each connection to the worker holding the fewest ("least connections", tried in session 9)
depends on the workers' word that a connection has closed reaching the supervisor before the next one comes:
clients that close and reconnect at once (a benchmark's rounds, a browser's new page) were split 15/5 again.

Here the supervisor holds the one listening socket and accepts; the connections go to the ready workers in
turn (round robin, nginx's default for its upstreams), passed over a Unix socket pair (``SCM_RIGHTS``: the
worker receives the same connection, the supervisor closes its copy), so N connections opened together are
shared evenly whatever the workers are doing.  The worker serves each with uvicorn's own HTTP protocol
(``loop.connect_accepted_socket``).  No ASGI server offers this for its workers, hence this small supervisor,
written for this project.  After the hand-over a request never passes through the supervisor: it costs one
``accept`` and one ``sendmsg`` per connection, not per request.

The supervisor starts the workers (``uvicorn.Server``, the app ``hcctrials.web.server:app``), hands nothing to
a worker before its app has started (it says so on its socket pair; connections wait in the listening queue
meanwhile), starts another worker when one ends, gives up when workers keep failing at start, and on Ctrl+C or
SIGTERM stops accepting and stops the workers (each finishes its requests in flight within
``timeout_graceful_shutdown``, as uvicorn's workers do).  A worker whose supervisor has gone stops by itself.
Needs ``socket.send_fds`` (Unix); elsewhere uvicorn's supervisor is used (:func:`handing_over_available`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["handing_over_available", "listen", "run_workers", "APP"]

#: The app each worker serves (it reads ``$HCCTRIALS_DB``).
APP = "hcctrials.web.server:app"
#: uvicorn's exit status of a worker that could not start (bad app, database).
_STARTUP_FAILURE = 3
#: A worker that ends within this many seconds of its start counts as failing to start ...
_EARLY_SECONDS = 30.0
#: ... and after this many such ends in a row the server stops instead of trying again.
_EARLY_LIMIT = 5

# One-byte messages on a worker's socket pair (SOCK_SEQPACKET: one message per send, a passed
# connection travels with its own message).
_CONNECTION = b"c"  # supervisor -> worker, with the connection's file descriptor
_READY = b"r"  # worker -> supervisor: the app has started, hand connections over

_log = logging.getLogger("uvicorn.error")


def handing_over_available() -> bool:
    """Whether this system can pass a connection to another process (Unix: ``SCM_RIGHTS``)."""
    return hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX") and sys.platform != "win32"


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """The listening socket of the server (raises :class:`OSError` when *host*:*port* is taken)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


# --- the worker -------------------------------------------------------------------------------------------------

def _server_class() -> type[Any]:
    import uvicorn

    class HandedOver(uvicorn.Server):
        """uvicorn's server without a listening socket of its own: it serves the connections the supervisor
        passes over *channel* (module docstring)."""

        def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
            super().__init__(config)
            self.channel = channel
            self.pending: set[asyncio.Task[Any]] = set()

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])  # the app's start (lifespan); no listener
            if not self.started:
                return
            loop = asyncio.get_running_loop()
            config, state, app_state = self.config, self.server_state, self.lifespan.state
            protocol: Any = config.http_protocol_class  # uvicorn's HTTP protocol (h11 or httptools)

            def serve() -> asyncio.Protocol:
                made: asyncio.Protocol = protocol(config=config, server_state=state, app_state=app_state, _loop=loop)
                return made

            async def connect(sock: socket.socket) -> None:
                try:
                    await loop.connect_accepted_socket(serve, sock, ssl=config.ssl)
                except OSError:  # the client went away before it could be served
                    sock.close()

            def receive() -> None:
                while True:
                    try:
                        message, fds, _flags, _address = socket.recv_fds(self.channel, 16, 4)
                    except BlockingIOError:
                        return
                    except OSError:
                        message, fds = b"", []
                    if not message and not fds:  # the supervisor has gone: stop, as uvicorn's workers do
                        loop.remove_reader(self.channel.fileno())
                        self.should_exit = True
                        return
                    for fd in fds:
                        task = loop.create_task(connect(socket.socket(fileno=fd)))
                        self.pending.add(task)
                        task.add_done_callback(self.pending.discard)

            self.channel.setblocking(False)
            loop.add_reader(self.channel.fileno(), receive)
            self.channel.send(_READY)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            with contextlib.suppress(ValueError, OSError):  # take no more connections
                asyncio.get_running_loop().remove_reader(self.channel.fileno())
            await super().shutdown(sockets=[])

    return HandedOver


def _worker(channel: socket.socket, options: dict[str, Any]) -> None:
    """One worker process (started by spawning): the app on uvicorn's server, fed by the supervisor."""
    import uvicorn

    server = _server_class()(uvicorn.Config(APP, **options), channel)
    server.run()
    if not server.started:
        sys.exit(_STARTUP_FAILURE)


# --- the supervisor ---------------------------------------------------------------------------------------------

@dataclass(eq=False)
class _Worker:
    process: Any
    channel: socket.socket
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    turn: int = 0  # order of its last hand-over: the next connection goes to the ready worker that waited longest


class _Supervisor:
    def __init__(self, count: int, listener: socket.socket, options: dict[str, Any]) -> None:
        self.count, self.listener, self.options = count, listener, options
        self.context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        self.waiting: deque[socket.socket] = deque()  # accepted while no worker could take it
        self.turns = itertools.count(1)
        self.accepting = False
        self.stop = threading.Event()
        self.early = 0

    # workers
    def start(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        process = self.context.Process(target=_worker, args=(theirs, self.options), name="hcctrials-worker")
        process.start()
        theirs.close()  # the worker has its own copy
        ours.setblocking(False)
        worker = _Worker(process, ours)
        self.selector.register(ours, selectors.EVENT_READ, worker)
        _log.info("Started worker process [%d]", process.pid)
        return worker

    def gone(self, worker: _Worker) -> None:
        """*worker*'s socket pair has closed (it ended or is ending): nothing more is handed to it."""
        if worker.channel.fileno() >= 0:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(worker.channel)
            worker.channel.close()
        worker.ready = False

    def hear(self, worker: _Worker) -> None:
        while True:
            try:
                message = worker.channel.recv(16)
            except BlockingIOError:
                return
            except OSError:
                message = b""
            if not message:
                self.gone(worker)
                return
            if message == _READY:
                worker.ready = True

    # connections
    def hand_over(self, connection: socket.socket) -> bool:
        candidates = sorted((w for w in self.workers if w.ready), key=lambda w: w.turn)
        for worker in candidates:
            try:
                socket.send_fds(worker.channel, [_CONNECTION], [connection.fileno()])
            except BlockingIOError:  # its queue of passed connections is full: the next worker
                continue
            except OSError:
                self.gone(worker)
                continue
            worker.turn = next(self.turns)
            connection.close()  # the worker holds it now
            return True
        return False

    def accept(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. too many open files: the connection stays in the queue
                _log.warning("accept failed: %s", exc)
                return
            self.waiting.append(connection)
            self.flush()
            if self.waiting:
                return

    def flush(self) -> None:
        while self.waiting and self.hand_over(self.waiting[0]):
            self.waiting.popleft()

    def listen_while_a_worker_is_ready(self) -> None:
        """Accept only while some worker can take a connection; until then they wait in the kernel's queue."""
        want = any(w.ready for w in self.workers) and not self.waiting
        if want != self.accepting:
            if want:
                self.selector.register(self.listener, selectors.EVENT_READ, None)
            else:
                self.selector.unregister(self.listener)
            self.accepting = want

    def check_processes(self) -> None:
        for i, worker in enumerate(self.workers):
            if worker.process.is_alive():
                continue
            worker.process.join()
            self.gone(worker)
            quick = time.monotonic() - worker.started < _EARLY_SECONDS
            self.early = self.early + 1 if quick else 0
            if worker.process.exitcode == _STARTUP_FAILURE or self.early >= _EARLY_LIMIT:
                _log.error("Worker process [%d] could not start (exit status %s): stopping", worker.process.pid,
                           worker.process.exitcode)
                self.stop.set()
                return
            _log.warning("Worker process [%d] ended (exit status %s): starting another", worker.process.pid,
                         worker.process.exitcode)
            self.workers[i] = self.start()

    def run(self) -> None:
        self.listener.setblocking(False)
        wake_read, wake_write = socket.socketpair()  # a signal wakes the selector at once
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        self.selector.register(wake_read, selectors.EVENT_READ, "wake")
        previous = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        try:
            self.workers = [self.start() for _ in range(self.count)]
            last_check = time.monotonic()
            while not self.stop.is_set():
                self.listen_while_a_worker_is_ready()
                for key, _events in self.selector.select(timeout=0.5):
                    if key.data is None:
                        self.accept()
                    elif key.data == "wake":
                        with contextlib.suppress(OSError):
                            wake_read.recv(64)
                    else:
                        self.hear(key.data)
                self.flush()
                if time.monotonic() - last_check >= 0.5:
                    self.check_processes()
                    last_check = time.monotonic()
        finally:
            signal.set_wakeup_fd(previous)
            self.shut_down()
            wake_read.close()
            wake_write.close()

    def shut_down(self) -> None:
        if self.accepting:
            self.selector.unregister(self.listener)
        self.listener.close()  # new connections are refused from here on
        for connection in self.waiting:
            connection.close()
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then ends
        grace = float(self.options.get("timeout_graceful_shutdown") or 0) + 10
        for worker in self.workers:
            worker.process.join(timeout=grace)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            with contextlib.suppress(OSError):
                worker.channel.close()
        self.selector.close()
        _log.info("Stopped %d worker process(es)", len(self.workers))


def run_workers(workers: int, listener: socket.socket, options: dict[str, Any]) -> None:
    """Serve :data:`APP` from *workers* processes on the listening socket *listener* (see :func:`listen`) until
    Ctrl+C or SIGTERM (module docstring).  *options* are ``uvicorn.Config`` keywords (timeouts, logging,
    headers) without host and port."""
    import uvicorn

    host, port = listener.getsockname()[:2]
    uvicorn.Config(APP, host=host, port=port, **options)  # the supervisor logs as the workers do
    _log.info("Listening on %s:%d; new connections go to the workers in turn (pid %d)",
              host, port, os.getpid())
    _Supervisor(workers, listener, {"host": host, "port": port, **options}).run()
