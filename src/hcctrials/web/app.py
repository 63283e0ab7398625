"""The application factory: routers, error handlers, middleware, static files.

Routers live in :mod:`hcctrials.web.routes` (``pages``: the HTML pages; ``api``: JSON under
``/api``); a later router (study workspaces, accounts) is one more module there and one more
``include_router`` line in :data:`ROUTERS`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any, Callable

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hcctrials import __version__
from hcctrials.web.middleware import DEFAULT_MAX_BODY_BYTES, BodySizeLimit, SecurityHeaders
from hcctrials.web.problems import install_error_handlers
from hcctrials.web.services import WebServices

__all__ = ["create_app", "ROUTERS"]

#: Threads per worker process for the routes that run in threads (anyio's default is 40): 10 requests in flight
#: in one process took turns on the interpreter lock, costing twice the CPU and serving them in no order; with 2
#: (one may wait on the database while the other computes) the rest wait in the order they came.  docs/web.md
REQUEST_THREADS = 2
#: Threads per worker for matches that may wait for the match catalog (``routes.common.in_match_thread``).
MATCH_THREADS = 4

#: Router modules under :mod:`hcctrials.web.routes`, each exposing ``router``.
ROUTERS = ("api", "pages", "study", "account")


def _request_threads() -> int:
    """``$HCCTRIALS_REQUEST_THREADS`` (1 to 64), else :data:`REQUEST_THREADS`."""
    from hcctrials.errors import InputError
    from hcctrials.i18n import msg

    given = os.environ.get("HCCTRIALS_REQUEST_THREADS", "").strip()
    if not given:
        return REQUEST_THREADS
    if not given.isdigit() or not 1 <= int(given) <= 64:
        raise InputError(msg("HCCTRIALS_REQUEST_THREADS must be a whole number from 1 to 64"),
                         field="HCCTRIALS_REQUEST_THREADS", value=given)
    return int(given)


def create_app(database_url: str | None = None, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               today: Callable[[], date] = date.today) -> FastAPI:
    """The web app over *database_url* (default: ``$HCCTRIALS_DB`` or the user data folder).

    *today*: the clock the adapter reads for "recruiting on today's date" and the default
    evaluation date (the clinical core never reads a clock); tests pass a fixed date.
    """
    from hcctrials.config import load_settings

    url = load_settings(database_url=database_url).database_url
    services = WebServices(url)

    threads = _request_threads()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # matches that must wait (the catalog being read) wait in threads of their own (routes.common.in_match_thread)
        app.state.match_threads = anyio.CapacityLimiter(MATCH_THREADS)
        services.start_warming(today())  # read the catalog in the background: the first requests are fast
        try:
            yield
        finally:
            services.close()

    app = FastAPI(
        title="hcctrials", version=__version__,
        description="Hepatocellular-carcinoma clinical trials: catalog, trial records, matching a patient and "
                    "liver scores, in Chinese and English. Errors are RFC 9457 problem details.",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.services = services
    app.state.today = today
    install_error_handlers(app)
    from hcctrials.web.auth import install_auth

    install_auth(app, services.store.engine)  # accounts, sessions, the first administrator (docs/web.md)
    for name in ROUTERS:
        module: Any = importlib.import_module(f"hcctrials.web.routes.{name}")
        app.include_router(module.router)
    from hcctrials.web.routes.api import liveness

    app.include_router(liveness)  # GET /healthz
    app.mount("/static", StaticFiles(packages=[("hcctrials.web", "static")]), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
