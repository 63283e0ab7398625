"""Database commands: ``db upgrade``, ``db backup``, ``db check``, ``db index``.

A thin shell over :mod:`hcctrials.storage` (:mod:`hcctrials.storage.maintenance` for backup and
check).  Messages are in :mod:`hcctrials.cli.messages`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from hcctrials.cli import messages
from hcctrials.config import load_settings
from hcctrials.storage import TrialStore, open_store, upgrade

__all__ = ["register", "db_app"]

_DB_HELP = ("Database: a file path or a URL (sqlite:///PATH, postgresql://USER@HOST/DB). "
            "Default: $HCCTRIALS_DB or a SQLite file in the user data folder.")

db_app = typer.Typer(help="Database maintenance: upgrade, backup, check, search index.", no_args_is_help=True)


def _url(db: str | None) -> str:
    return load_settings(database_url=db).database_url


def _store(db: str | None, *, migrate: bool = True) -> TrialStore:
    return open_store(_url(db), migrate=migrate)


@db_app.command("upgrade")
def db_upgrade(db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Create or upgrade the database schema to the newest revision (Alembic)."""
    url = _url(db)
    revision = upgrade(url)
    from hcctrials.storage.engine import describe_url, normalise_url

    typer.echo(f"{describe_url(normalise_url(url))}: schema at revision {revision}")


@db_app.command("backup")
def db_backup(
    dest: Path = typer.Argument(..., help="The new backup file (never overwritten).", show_default=False),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Back up a SQLite database to DEST while it is in use (VACUUM INTO, then integrity_check).

    For PostgreSQL prints the pg_dump command to use instead (exit status 1).
    """
    from hcctrials.storage.maintenance import backup_database, pg_dump_command, sqlite_path
    from hcctrials.storage.engine import describe_url

    with _store(db) as store:
        if sqlite_path(store) is None:  # no backup made: say how, exit status 1
            Console(stderr=True).print(messages.BACKUP_POSTGRES_HINT.format(
                url=store.url, command=pg_dump_command(store, dest)), highlight=False, soft_wrap=True)
            raise SystemExit(1)
        size = backup_database(store, dest)
        typer.echo(messages.BACKUP_DONE.format(url=describe_url(store.engine.url), dest=dest.resolve(), size=size))


@db_app.command("check")
def db_check(db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP)) -> None:
    """Check the database: integrity (SQLite), stale search index, ingest runs whose process died.

    Reads only. Exit status 1 if there is a problem.
    """
    from hcctrials.matching.search import INDEX_VERSION
    from hcctrials.storage.maintenance import check_database

    with _store(db, migrate=False) as store:
        report = check_database(store, index_version=INDEX_VERSION)
    out = Console(highlight=False, soft_wrap=True)
    for line in report.integrity:
        out.print(messages.CHECK_INTEGRITY.format(detail=line))
    if report.stale_documents:
        out.print(messages.CHECK_STALE.format(stale=report.stale_documents, trials=report.trials))
    for run in report.dead_runs:
        out.print(messages.CHECK_DEAD_RUNS.format(id=run.id, started=f"{run.started_at:%Y-%m-%d %H:%M:%S}Z",
                                                  pid=run.pid, host=run.host))
    for run in report.running_runs:
        out.print(messages.CHECK_RUNNING_INFO.format(id=run.id, started=f"{run.started_at:%Y-%m-%d %H:%M:%S}Z",
                                                     pid=run.pid, host=run.host))
    for run in report.abandoned_runs:
        out.print(messages.CHECK_ABANDONED_INFO.format(id=run.id, started=f"{run.started_at:%Y-%m-%d %H:%M:%S}Z"))
    if report.problems:
        out.print(messages.CHECK_PROBLEMS.format(url=report.url, count=report.problems))
        raise SystemExit(1)
    out.print(messages.CHECK_OK.format(url=report.url, trials=report.trials, revision=report.revision))


@db_app.command("index")
def db_index(
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop every search document and index all trials again."),
) -> None:
    """Bring the bilingual search index up to date (the trials whose document is missing or stale)."""
    from hcctrials.matching.search import SEARCH_DOCUMENTS
    from hcctrials.storage.search_index import rebuild_search_index, refresh_search_index

    with _store(db) as store:
        count = (rebuild_search_index(store, builder=SEARCH_DOCUMENTS) if rebuild
                 else refresh_search_index(store, builder=SEARCH_DOCUMENTS))
        typer.echo(messages.INDEX_DONE.format(url=store.url, count=count))


def register(app: typer.Typer) -> None:
    """Add the ``db`` group to *app*."""
    app.add_typer(db_app, name="db")
