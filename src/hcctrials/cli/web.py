"""``hcctrials serve``: the web app and REST API (:mod:`hcctrials.web`) on uvicorn.

``--workers N`` runs N server processes (one per core on a shared server); on Unix the supervisor accepts and
hands the new connections to the workers in turn (:mod:`hcctrials.web.workers`; elsewhere uvicorn's
supervisor, whose workers share one socket),
``--timeout-keep-alive`` closes idle keep-alive connections after so many seconds and
``--timeout-graceful-shutdown`` bounds how long a stopping server (Ctrl+C, SIGTERM) waits for the
requests in flight (uvicorn's ``timeout_keep_alive`` and ``timeout_graceful_shutdown``).  The
supervisor's worker health check waits up to 120 s: a worker reading the match catalog at start
holds the interpreter for seconds and must not be restarted for it.  ``GET /healthz`` answers
from the event loop (no thread, no database) and ``GET /api/health`` reads the database with a
2-second deadline, so both answer in time under load.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

from hcctrials.cli.options import lang_option
from hcctrials.errors import InputError
from hcctrials.i18n import msg, resolve_language, say

__all__ = ["register", "serve_command", "WORKER_HEALTHCHECK_SECONDS"]

#: uvicorn's supervisor restarts a worker that does not answer its health check within this time.
WORKER_HEALTHCHECK_SECONDS = 120


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: Optional[str] = typer.Option(None, "--db", help="Database: a file path or a URL. Default: $HCCTRIALS_DB "
                                                        "or the user data folder."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Server processes (about one per core)."),
    timeout_keep_alive: int = typer.Option(5, "--timeout-keep-alive", min=1, max=3600,
                                             help="Seconds an idle keep-alive connection stays open."),
    timeout_graceful_shutdown: int = typer.Option(
        30, "--timeout-graceful-shutdown", min=0, max=3600,
        help="On Ctrl+C or SIGTERM, seconds to let requests in flight finish before closing them."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log",
                                    help="Log one line per request (method, path, status; never a body)."),
    lang: Optional[str] = lang_option(),
) -> None:
    """Start the web app (trial catalog, trial pages, match a patient) and the JSON API under /api."""
    import uvicorn

    from hcctrials.config import load_settings
    from hcctrials.storage import open_store

    language = resolve_language(lang)
    if not 0 < port < 65536:
        raise InputError("--port must be 1 to 65535", field="port", value=port)
    url = load_settings(database_url=db).database_url
    with open_store(url) as store:  # fails here, with one line, when the database cannot be opened
        trials = store.count()
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    typer.echo(say("hcctrials web app: {url}  ({trials} trial(s); API: {api}; Ctrl+C stops it)", language,
                   url=f"http://{shown}:{port}/", trials=trials, api=f"http://{shown}:{port}/api/openapi.json"))
    if workers > 1:
        typer.echo(say("{n} server processes; health: {url}", language, n=workers,
                       url=f"http://{shown}:{port}/healthz"))
    options: dict[str, Any] = dict(host=host, port=port, log_level="info", access_log=access_log, server_header=False,
                   timeout_keep_alive=timeout_keep_alive, timeout_graceful_shutdown=timeout_graceful_shutdown)
    if workers > 1:
        import errno
        import os

        from hcctrials.web.workers import handing_over_available, listen, run_workers

        os.environ["HCCTRIALS_DB"] = url
        if handing_over_available():  # the supervisor accepts and hands connections to the workers in turn
            try:
                listener = listen(host, port)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise InputError(msg("port {port} is in use on {host}", port=port, host=host), field="port",
                                     value=port) from None
                # e.g. a port below 1024 without the right, an address this machine does not have
                raise InputError(msg("cannot listen on {host} port {port}: {reason}", host=host, port=port,
                                     reason=exc.strerror or str(exc)), field="host", value=host) from None
            options.pop("host"), options.pop("port")
            run_workers(workers, listener, options)
            return
        uvicorn.run("hcctrials.web.server:app", workers=workers, timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
                    **options)
        return
    from hcctrials.web import create_app
    from hcctrials.web.services import keep_long_lived

    served = create_app(url)
    served.state.services.freeze_after_load = True  # the server's collector policy, as `hcctrials.web.server` sets it
    keep_long_lived()
    uvicorn.run(served, **options)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to *app*."""
    app.command("serve")(serve_command)
