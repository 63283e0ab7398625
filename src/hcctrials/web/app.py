"""The application factory: routers, error handlers, middleware, static files.

Routers live in :mod:`hcctrials.web.routes` (``pages``: the HTML pages; ``api``: JSON under
``/api``); a later router (study workspaces, accounts) is one more module there and one more
``include_router`` line in :data:`ROUTERS`.
"""

from __future__ import annotations

import importlib
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

#: Router modules under :mod:`hcctrials.web.routes`, each exposing ``router``.
ROUTERS = ("api", "pages", "study", "account")


def create_app(database_url: str | None = None, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               today: Callable[[], date] = date.today) -> FastAPI:
    """The web app over *database_url* (default: ``$HCCTRIALS_DB`` or the user data folder).

    *today*: the clock the adapter reads for "recruiting on today's date" and the default
    evaluation date (the clinical core never reads a clock); tests pass a fixed date.
    """
    from hcctrials.config import load_settings

    url = load_settings(database_url=database_url).database_url
    services = WebServices(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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
