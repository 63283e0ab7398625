"""Database commands: ``db upgrade``, ``db backup``, ``db check``, ``db index``.

A thin shell over :mod:`hcctrials.storage` (:mod:`hcctrials.storage.maintenance` for backup and
check).  Every message comes from the catalog (:func:`hcctrials.i18n.say`, Chinese in ``cli.po``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from hcctrials.cli.options import lang_option
from hcctrials.config import load_settings
from hcctrials.i18n import resolve_language, say
from hcctrials.storage import TrialStore, open_store, upgrade

__all__ = ["register", "db_app"]

_DB_HELP = ("Database: a file path or a URL (sqlite:///PATH, postgresql://USER@HOST/DB). "
            "Default: $HCCTRIALS_DB or a SQLite file in the user data folder.")

db_app = typer.Typer(help="Database maintenance: upgrade, backup, check, search index.", no_args_is_help=True)


def _url(db: str | None) -> str:
    return load_settings(database_url=db).database_url


def _stamp(moment: datetime) -> str:
    """A run's start as printed: UTC to the second."""
    return f"{moment:%Y-%m-%d %H:%M:%S}Z"


def _store(db: str | None, *, migrate: bool = True) -> TrialStore:
    return open_store(_url(db), migrate=migrate)


@db_app.command("upgrade")
def db_upgrade(db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP), lang: Optional[str] = lang_option()) -> None:
    """Create or upgrade the database schema to the newest revision (Alembic)."""
    language = resolve_language(lang)
    url = _url(db)
    revision = upgrade(url)
    from hcctrials.storage.engine import describe_url, normalise_url

    typer.echo(say("{url}: schema at revision {revision}", language, url=describe_url(normalise_url(url)),
                   revision=revision))


@db_app.command("backup")
def db_backup(
    dest: Path = typer.Argument(..., help="The new backup file (never overwritten).", show_default=False),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
    lang: Optional[str] = lang_option(),
) -> None:
    """Back up a SQLite database to DEST while it is in use (VACUUM INTO, then integrity_check).

    For PostgreSQL prints the pg_dump command to use instead (exit status 1).
    """
    from hcctrials.storage.maintenance import backup_database, pg_dump_command, sqlite_path
    from hcctrials.storage.engine import describe_url

    language = resolve_language(lang)
    with _store(db) as store:
        if sqlite_path(store) is None:  # no backup made: say how, exit status 1
            Console(stderr=True).print(say(
                "{url} is a PostgreSQL database: no backup made; use the server's tools: {command}", language,
                url=store.url, command=pg_dump_command(store, dest)), highlight=False, soft_wrap=True)
            raise SystemExit(1)
        size = backup_database(store, dest)
        typer.echo(say("{url}: backed up to {dest} ({size} bytes, integrity ok)", language,
                       url=describe_url(store.engine.url), dest=dest.resolve(), size=size))


@db_app.command("check")
def db_check(db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP), lang: Optional[str] = lang_option()) -> None:
    """Check the database: integrity (SQLite), stale search index, ingest runs whose process died.

    Reads only. Exit status 1 if there is a problem.
    """
    from hcctrials.matching.search import INDEX_VERSION
    from hcctrials.storage.maintenance import check_database

    language = resolve_language(lang)
    with _store(db, migrate=False) as store:
        report = check_database(store, index_version=INDEX_VERSION)
    out = Console(highlight=False, soft_wrap=True)
    for line in report.integrity:
        out.print(say("integrity: {detail}", language, detail=line))
    if report.stale_documents:
        out.print(say("search index: stale for {stale} of {trials} trial(s); run `hcctrials db index`", language,
                      stale=report.stale_documents, trials=report.trials))
    for run in report.dead_runs:
        out.print(say("ingest run {id} (started {started}, pid {pid} on {host}) is still marked running but its "
                      "process is gone; the next ingest marks it abandoned", language, id=run.id,
                      started=_stamp(run.started_at), pid=run.pid, host=run.host))
    for run in report.running_runs:
        out.print(say("ingest run {id} (started {started}, pid {pid} on {host}) is running", language, id=run.id,
                      started=_stamp(run.started_at), pid=run.pid, host=run.host))
    for run in report.abandoned_runs:
        out.print(say("ingest run {id} (started {started}) was abandoned (closed by a later run)", language, id=run.id,
                      started=_stamp(run.started_at)))
    if report.problems:
        out.print(say("{url}: {count} problem(s)", language, url=report.url, count=report.problems))
        raise SystemExit(1)
    out.print(say("{url}: ok ({trials} trial(s), schema {revision})", language, url=report.url, trials=report.trials,
                  revision=report.revision))


@db_app.command("index")
def db_index(
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop every search document and index all trials again."),
    lang: Optional[str] = lang_option(),
) -> None:
    """Bring the bilingual search index up to date (the trials whose document is missing or stale)."""
    from hcctrials.matching.search import SEARCH_DOCUMENTS
    from hcctrials.storage.search_index import rebuild_search_index, refresh_search_index

    language = resolve_language(lang)
    with _store(db) as store:
        count = (rebuild_search_index(store, builder=SEARCH_DOCUMENTS) if rebuild
                 else refresh_search_index(store, builder=SEARCH_DOCUMENTS))
        typer.echo(say("{url}: indexed {count} trial(s) for search", language, url=store.url, count=count))


def register(app: typer.Typer) -> None:
    """Add the ``db`` group to *app*."""
    app.add_typer(db_app, name="db")
