"""Registry commands: ``ingest``, ``trials list``, ``trials show``, ``schema trial`` (``db ...``: :mod:`hcctrials.cli.db`).

A thin shell over :mod:`hcctrials.ingest` and :mod:`hcctrials.storage`.  The database is the
``--db`` option, else ``HCCTRIALS_DB``, else a SQLite file in the user's data folder
(:func:`hcctrials.config.default_database_url`).
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hcctrials.cli.options import lang_option
from hcctrials.config import load_settings
from hcctrials.i18n import resolve_language, say
from hcctrials.ingest import IngestEvent, IngestSummary, example_records_dir, ingest_paths
from hcctrials.model.trial import OverallStatus, Registry, Trial
from hcctrials.storage import TrialStore, open_store

__all__ = ["register"]

_DB_HELP = "Database: a file path or a URL (sqlite:///PATH, postgresql://USER@HOST/DB). Default: $HCCTRIALS_DB or a SQLite file in the user data folder."

trials_app = typer.Typer(help="List and read stored trials.", no_args_is_help=True)
schema_app = typer.Typer(help="Print JSON Schemas of the data model.", no_args_is_help=True)


def _store(db: str | None) -> TrialStore:
    return open_store(load_settings(database_url=db).database_url)


def _lang(value: str | None) -> str:
    return resolve_language(value)


_COLUMNS = ("files", "ingested", "updated", "unchanged", "older", "held", "failed")


#: the summary's column words (catalog msgids; the JSON keys stay as they are)
_COLUMN_WORDS = {"files": "files", "ingested": "ingested", "updated": "updated", "unchanged": "unchanged",
                 "older": "older", "held": "held back", "failed": "failed"}


def _print_summary(console: Console, summary: IngestSummary, language: str = "en") -> None:
    table = Table(title=say("ingest summary", language), show_header=True, header_style="bold")
    for name in _COLUMNS:
        alarm = (name == "failed" and summary.failed) or (name == "held" and summary.held)
        table.add_column(say(_COLUMN_WORDS[name], language), justify="right", style="bold red" if alarm else None)
    counts = summary.counts()
    table.add_row(*(str(counts[name]) for name in _COLUMNS))
    console.print(table)
    if summary.abandoned_runs:
        console.print(say("closed abandoned ingest run(s) {runs}: their process is gone (status 'abandoned')", language,
                          runs=", ".join(map(str, summary.abandoned_runs))), highlight=False)
    if summary.held:
        ids = ", ".join(say("{trial} (version {version})", language, trial=tid, version=version)
                        for tid, version in summary.held_versions[:20])
        more = say(" and {n} more", language, n=len(summary.held_versions) - 20) if len(summary.held_versions) > 20 else ""
        console.print(say("held back {count} new version(s) that lost most of the current version's content: {ids}. "
                          "The current versions stay; run the ingest again with --accept-shrink to make them current",
                          language, count=summary.held, ids=escape(ids + more)), highlight=False)
    if summary.failures:
        failures = Table(title=say("failures", language), show_header=True, header_style="bold red", expand=True)
        for name in ("file", "record", "field", "reason"):
            failures.add_column(say(name, language), overflow="fold")
        for f in summary.failures:
            record = " ".join(p for p in (f.record_id, f"({f.locator})" if f.locator else None) if p)
            failures.add_row(f.file, record or "-", f.field or "-", f.message)
        console.print(failures)


def ingest(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders of registry records.", show_default=False),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
    examples: bool = typer.Option(False, "--examples", help="Also ingest the example records bundled with hcctrials."),
    batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Records written per batch."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    index: bool = typer.Option(True, "--index/--no-index",
                               help="Index new and updated records for search in each file's transaction, then "
                                    "refresh anything stale. --no-index: searches answer from the index as it is "
                                    "until `hcctrials db index` or the next ingest."),
    accept_shrink: bool = typer.Option(False, "--accept-shrink",
                                       help="Make new versions current even when they lost most of the current "
                                            "version's content (interventions, arms, sites, outcomes, conditions, "
                                            "criteria); without it such versions are held back."),
    lang: Optional[str] = lang_option(),
) -> None:
    """Ingest registry records (CT.gov JSON/CSV/XML, ChiCTR pages/XML, trial-finder pages).

    Prints a summary (ingested, updated, unchanged, older, held, failed) and every failure with
    file, record, field and reason. A new version that lost most of the current one's content
    (a truncated download) is held back: stored, not current, with a finding. Exit status 1 if
    anything failed or was held back. Safe to run beside other ingests and searches.
    """
    language = resolve_language(lang)
    if not paths and not examples:
        raise typer.BadParameter(say("give at least one PATH or --examples", language), param_hint="PATH")
    out = Console()
    err = Console(stderr=True)
    with ExitStack() as stack:
        targets = list(paths or [])
        if examples:
            targets.append(stack.enter_context(example_records_dir()))
        store = stack.enter_context(_store(db))
        progress = stack.enter_context(Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[records]} " + say("records", language)), TimeElapsedColumn(),
            console=err, transient=True, disable=as_json or not err.is_terminal,
        ))
        task = progress.add_task("files", total=None, records=0)
        counted = [0]

        def on_event(event: IngestEvent) -> None:
            if event.kind == "file_start":
                progress.update(task, total=event.file_count, description=event.file.name[:40])
            elif event.kind == "records":
                counted[0] += event.records
                progress.update(task, records=counted[0])
            else:
                progress.update(task, completed=event.file_index + 1)

        summary = ingest_paths(targets, store, batch_size=batch_size, progress=on_event,
                               search_index=index, accept_shrink=accept_shrink)
    if as_json:
        typer.echo(json.dumps({**summary.counts(), "run_id": summary.run_id,
                               "failures": [f.__dict__ for f in summary.failures],
                               "held_versions": [{"trial_id": t, "version": v} for t, v in summary.held_versions],
                               "abandoned_runs": summary.abandoned_runs}, ensure_ascii=False, indent=2))
    else:
        _print_summary(out, summary, language)
    if not summary.ok or summary.held:
        # SystemExit rather than typer.Exit: cli.main runs the app with standalone_mode=False,
        # where click turns typer.Exit into a return value that main() does not pass on.
        raise SystemExit(1)


@trials_app.command("list")
def list_trials(
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
    registry: Optional[Registry] = typer.Option(None, "--registry", help="Only this registry."),
    status: Optional[OverallStatus] = typer.Option(None, "--status", help="Only this overall status."),
    lang: Optional[str] = lang_option(),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="At most this many rows."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON rows instead of a table."),
) -> None:
    """List stored trials: id, registry, status, phase, title, linked ids."""
    language = _lang(lang)
    with _store(db) as store:
        rows = store.list_trials(registry=registry.value if registry else None,
                                 status=status.value if status else None, limit=limit)
    if as_json:
        typer.echo(json.dumps([{"trial_id": r.trial_id, "registry": r.registry, "overall_status": r.overall_status,
                                "phases": list(r.phases), "title": r.title(language),
                                "linked_ids": list(r.linked_ids)} for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:  # nothing to tabulate: say why (an empty database, or filters that match nothing)
        Console(stderr=True).print(say("no trials stored yet: run `hcctrials ingest PATH`", language) if not (registry or status)
                                   else say("no stored trial matches these filters", language), highlight=False, markup=False,
                                   soft_wrap=True)
        return
    # Narrow terminals (80 columns, CI logs) still get a readable table: the status wraps on
    # words, linked ids go under the title, and only the title takes the remaining width.
    from hcctrials.i18n.labels import label

    table = Table(show_header=True, header_style="bold", expand=True, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(say("ID", language), no_wrap=True)
    table.add_column(say("Registry", language), no_wrap=True)  # short names (CT.gov, ChiCTR) never wrap
    table.add_column(say("Record status", language), max_width=11, overflow="fold")
    table.add_column(say("Phase", language), max_width=7, overflow="fold")
    table.add_column(say("Title", language), ratio=1, min_width=24, overflow="fold")
    for r in rows:
        title = escape(r.title(language))
        if r.linked_ids:
            title += "\n[dim]" + escape(say("linked: {ids}", language, ids=", ".join(r.linked_ids))) + "[/]"
        table.add_row(r.trial_id, label("registry_short", r.registry, language), label("status", r.overall_status, language),
                      ", ".join(label("phase", p, language) for p in r.phases), title)
    Console().print(table)


@trials_app.command("show")
def show_trial(
    trial_id: str = typer.Argument(..., help="A trial id (NCT..., ChiCTR...) or any registry number a record lists."),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
    registry: Optional[Registry] = typer.Option(
        None, "--registry", help="The record from this registry when several carry the id (default: the issuing registry)."),
    lang: Optional[str] = lang_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the normalised record as JSON."),
    versions: bool = typer.Option(False, "--versions", help="Also list the stored versions."),
) -> None:
    """Show one trial in English or Chinese, with linked records, findings and provenance."""
    from hcctrials.cli.registry_show import render_trial, render_versions

    language = _lang(lang)
    with _store(db) as store:
        resolved, reg = store.resolve(trial_id, registry=registry.value if registry else None)
        trial = store.get(resolved, registry=reg)
        linked = store.linked_trial_ids(resolved, registry=reg)
        history = store.versions(resolved, registry=reg) if versions else []
    if as_json:
        typer.echo(trial.model_dump_json(indent=2))
        return
    console = Console()
    console.print(render_trial(trial, lang=language, linked=linked, requested_id=trial_id))
    if versions:
        console.print(render_versions(history, language))


@schema_app.command("trial")
def schema_trial(lang: Optional[str] = lang_option()) -> None:
    """Print the JSON Schema of the normalised trial record (model.trial.Trial)."""
    resolve_language(lang)  # the schema is a vocabulary (English keys); --lang is checked like everywhere
    typer.echo(json.dumps(Trial.model_json_schema(), ensure_ascii=False, indent=2))


@schema_app.command("patient")
def schema_patient(lang: Optional[str] = lang_option()) -> None:
    """Print the JSON Schema of the patient record (model.patient.Patient; see docs/patients.md)."""
    from hcctrials.patients import patient_json_schema

    resolve_language(lang)  # the schema is a vocabulary (English keys); --lang is checked like everywhere
    typer.echo(json.dumps(patient_json_schema(), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the registry commands to *app*."""
    app.command("ingest")(ingest)
    app.add_typer(trials_app, name="trials")
    app.add_typer(schema_app, name="schema")
