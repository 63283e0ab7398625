"""``hcctrials serve``: the web app and REST API (:mod:`hcctrials.web`) on uvicorn."""

from __future__ import annotations

from typing import Optional

import typer

from hcctrials.cli.options import lang_option
from hcctrials.errors import InputError
from hcctrials.i18n import resolve_language, say

__all__ = ["register", "serve_command"]


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: Optional[str] = typer.Option(None, "--db", help="Database: a file path or a URL. Default: $HCCTRIALS_DB "
                                                        "or the user data folder."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server processes."),
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
        import os

        os.environ["HCCTRIALS_DB"] = url
        uvicorn.run("hcctrials.web.server:app", host=host, port=port, workers=workers, log_level="info",
                    access_log=True, server_header=False)
        return
    from hcctrials.web import create_app

    uvicorn.run(create_app(url), host=host, port=port, log_level="info", access_log=True, server_header=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to *app*."""
    app.command("serve")(serve_command)
