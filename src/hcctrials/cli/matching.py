"""Matching commands: ``match``, ``screen``, ``landscape`` and ``trials search``.

``trials search`` is added to the ``trials`` sub-app that :mod:`hcctrials.cli.registry`
registers (looked up among the root app's registered groups, so this module must be
registered after ``registry``, as ``COMMAND_MODULES`` orders it).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hcctrials.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

    from hcctrials.matching.cohort import CohortCatalog
    from hcctrials.storage.repository import TrialStore

__all__ = ["register", "search_command"]

_DB_HELP = "Database: a file path or a URL. Default: $HCCTRIALS_DB or the user data folder."


def _store(db: str | None) -> TrialStore:
    from hcctrials.config import load_settings
    from hcctrials.storage import open_store

    return open_store(load_settings(database_url=db).database_url)


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()  # the CLI (adapter) may read the clock; the core never does
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"--as-of: expected YYYY-MM-DD, got {value!r}", field="as_of", value=value) from exc


def match_command(
    patient: Path = typer.Argument(..., help="Patient file (JSON/YAML or FHIR R4 bundle)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluation date YYYY-MM-DD (default today)."),
    near: Optional[str] = typer.Option(None, "--near", help="City or province (深圳 / Shenzhen / 广东) for distances."),
    show_ineligible: bool = typer.Option(False, "--show-ineligible", help="Also list ineligible trials."),
    show_closed: bool = typer.Option(False, "--show-closed", help="Also list closed trials."),
    show_other_conditions: bool = typer.Option(
        False, "--show-other-conditions", help="Also list trials for other conditions (hidden by default)."),
    limit: int = typer.Option(20, "--limit", help="Trials to show."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en or zh (default: $HCCTRIALS_LANG, else en)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Which trials can this patient join? Relevant trials only, ranked: relevance, setting, criteria decided."""
    from hcctrials.i18n import resolve_language, say
    from hcctrials.matching.compiled_cache import load_match_catalog
    from hcctrials.matching.explain import describe_match, describe_result_footer, describe_result_header, result_to_dict
    from hcctrials.matching.geography import normalise_place
    from hcctrials.matching.matcher import match_patient
    from hcctrials.patients import load_patient

    from hcctrials.patients.plausibility import check_dates

    language = resolve_language(lang)
    day = _as_of(as_of)
    person = check_dates(load_patient(patient), day)
    place = normalise_place(near) if near else None
    with _store(db) as store:
        catalog = load_match_catalog(store)
        result = match_patient(person, catalog, as_of=day, near=place,
                               include_ineligible=show_ineligible, include_closed=show_closed,
                               include_irrelevant=show_other_conditions)
    result.matches = result.matches[:limit]
    if as_json:
        typer.echo(json.dumps({**result_to_dict(result, language), "patient_data_findings": person.data_findings},
                              ensure_ascii=False, indent=2))
        return
    console = Console()
    if not catalog.trials:
        console.print(say("the database holds no trials: run `hcctrials ingest FILES` or `hcctrials ingest --examples` "
                         "first", language), highlight=False, markup=False)
        return
    console.print(describe_result_header(result, language), highlight=False, markup=False)
    for finding in person.data_findings:
        console.print("! " + say("patient data: {finding}", language, finding=finding), highlight=False, markup=False)
    for m in result.matches:
        console.print("\n".join(describe_match(m, language=language)), highlight=False, markup=False)
    for line in describe_result_footer(result, language):
        console.print(line, highlight=False, markup=False)


def search_command(
    query: str = typer.Argument("", help='Words in English or Chinese, e.g. "阿帕替尼 二线".'),
    status: list[str] = typer.Option([], "--status", help="recruiting, not_yet_recruiting, completed ..."),
    phase: list[str] = typer.Option([], "--phase", help="phase1, phase2, phase3 ..."),
    setting: list[str] = typer.Option([], "--setting", help="advanced_second_line_plus, adjuvant ..."),
    drug: list[str] = typer.Option([], "--drug", help="Drug name in any language (lexicon)."),
    drug_class: list[str] = typer.Option([], "--class", help="pd1, pdl1, ctla4, tigit, anti_vegf, tki ..."),
    registry: list[str] = typer.Option([], "--registry", help="ctgov, chictr, trial_finder."),
    place: list[str] = typer.Option([], "--place", help="Country, province or city of a site."),
    started_after: Optional[str] = typer.Option(None, "--started-after", help="YYYY-MM-DD"),
    started_before: Optional[str] = typer.Option(None, "--started-before", help="YYYY-MM-DD"),
    limit: int = typer.Option(50, "--limit"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Full-text search in both languages, with filters."""
    from hcctrials.matching.search import INDEX_VERSION, SearchFilters, normalise_filters, parse_query
    from hcctrials.storage.search_index import search_index_status, search_trials
    from hcctrials.vocab import load_lexicon

    drug_ids = []
    for name in drug:
        therapy = load_lexicon().lookup(name)
        if therapy is None:
            raise InputError(f"--drug: {name!r} is not in the drug lexicon", field="drug", value=name)
        drug_ids.append(therapy.id)
    filters = SearchFilters(
        status=tuple(status), phase=tuple(phase), setting=tuple(setting), drug=tuple(drug_ids),
        drug_class=tuple(drug_class), registry=tuple(registry), place=tuple(place),
        started_after=_as_of(started_after) if started_after else None,
        started_before=_as_of(started_before) if started_before else None)
    filters = normalise_filters(filters)
    with _store(db) as store:
        # a read path never writes (issue 11): the index is written by `hcctrials ingest` / `hcctrials db index`;
        # a stale index answers from what is indexed and says so
        index = search_index_status(store, index_version=INDEX_VERSION)
        hits = search_trials(store, parse_query(query), filters=filters, limit=limit)
    if not index.current:
        from hcctrials.cli.messages import STALE_INDEX

        Console(stderr=True).print(STALE_INDEX.format(stale=index.stale, trials=index.trials), highlight=False,
                                   markup=False)
    if as_json:
        typer.echo(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2, default=list))
        return
    table = Table(title=f"{len(hits)} trial(s)", header_style="bold")
    for name in ("trial", "registry", "status", "phase", "setting", "classes", "title"):
        table.add_column(name, overflow="fold")
    for h in hits:
        table.add_row(h.trial_id, h.registry, h.status, ",".join(h.phases), ",".join(h.settings),
                      ",".join(h.classes), h.title)
    Console().print(table)


def landscape_command(
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write the plot (.png or .svg)."),
    as_json: bool = typer.Option(False, "--json", help="Print the long table as JSON."),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Summarise the catalog: trials by setting x intervention class x phase x registry x year."""
    from hcctrials.matching.landscape import derive_landscape_rows, summarise_landscape

    with _store(db) as store:
        rows = derive_landscape_rows(store.iter_trials())
    summary = summarise_landscape(rows)
    if plot is not None:
        from hcctrials.reports.landscape_plot import save_landscape_plot

        save_landscape_plot(summary, plot)
    if as_json:
        # pandas-stubs gap: the stubs do not accept None as ``other``, which pandas supports (missing -> None)
        typer.echo(summary["long"].astype(object).where(summary["long"].notna(), None).to_json(  # type: ignore[call-overload]
            orient="records", force_ascii=False))
        return
    console = Console()
    for name in ("setting_by_class", "setting_by_phase", "setting_by_registry"):
        frame = summary[name]
        table = Table(title=name.replace("_", " "), header_style="bold")
        table.add_column("setting")
        for col in frame.columns:
            table.add_column(str(col), justify="right")
        for idx, row in frame.iterrows():
            table.add_row(str(idx), *(str(v) for v in row.tolist()))
        console.print(table)
    if plot is not None:
        console.print(f"plot written to {plot}", highlight=False)


def _screen_init(catalog: CohortCatalog) -> None:
    global _SCREEN_CATALOG
    _SCREEN_CATALOG = catalog


_SCREEN_CATALOG: CohortCatalog | None = None


def _screen_batch(batch: pa.Table) -> pa.Table:
    from hcctrials.matching.cohort import evaluate_cohort_batch

    # _screen_init sets the catalog (in this process or in each worker) before any batch is screened
    return evaluate_cohort_batch(batch, cast("CohortCatalog", _SCREEN_CATALOG))


_PARALLEL_SCREEN_BYTES = 5 * 1024 * 1024


def screen_command(
    patients: Path = typer.Argument(..., help="Patients: JSON lines, JSON array, FHIR NDJSON or CSV."),
    out: Path = typer.Option(..., "--out", "-o", help="Verdicts table (.parquet or .csv)."),
    trials: list[str] = typer.Option([], "--trials", help="Trial ids to screen against (default: all)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluation date YYYY-MM-DD (default today)."),
    batch_size: int = typer.Option(10_000, "--batch-size", min=1, help="Patients per batch (memory bound)."),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1,
        help="Processes evaluating batches in parallel (default: every CPU for inputs over 5 MB, else 1)."),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Screen many patients against the catalog; write one row per patient x trial, streamed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from hcctrials.matching.cohort import VERDICT_SCHEMA, build_cohort_catalog, iter_patient_batches
    from hcctrials.matching.compiled_cache import load_compiled_trials
    from hcctrials.patients import load_patients

    if workers is None:  # a process pool only pays for itself on large cohorts
        large = patients.is_file() and patients.stat().st_size > _PARALLEL_SCREEN_BYTES
        workers = max(1, len(os.sched_getaffinity(0))) if large else 1
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(f"--out: unsupported file type {out.suffix!r}", value=str(out), hint="Use .parquet or .csv")
    day = _as_of(as_of)
    with _store(db) as store:
        selected = [store.get(t) for t in trials] if trials else list(store.iter_trials())
        compiled = load_compiled_trials(store, selected)
    catalog = build_cohort_catalog(selected, as_of=day, compiled=compiled)
    plain = pa.schema([(f.name, pa.string() if f.name != "n_unknown" else f.type) for f in VERDICT_SCHEMA])
    writer = pq.ParquetWriter(out, VERDICT_SCHEMA) if suffix == ".parquet" else pacsv.CSVWriter(out, plain)
    batches = iter_patient_batches(load_patients(patients), batch_size=batch_size)
    count = 0
    with writer, Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          transient=True) as progress:
        task = progress.add_task("patients", total=None)

        def write(table: pa.Table) -> None:
            nonlocal count
            writer.write_table(table if suffix == ".parquet" else table.cast(plain))
            count += table.num_rows // max(1, len(catalog.trial_ids))
            progress.update(task, completed=count)

        if workers <= 1:
            _screen_init(catalog)
            for batch in batches:
                write(_screen_batch(batch))
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers, initializer=_screen_init, initargs=(catalog,)) as pool:
                pending = []
                for batch in batches:  # at most 2 batches per worker in flight: memory stays bounded
                    pending.append(pool.submit(_screen_batch, batch))
                    if len(pending) >= 2 * workers:
                        write(pending.pop(0).result())
                for fut in pending:
                    write(fut.result())
    Console().print(f"{count} patient(s) x {len(catalog.trial_ids)} trial(s) -> {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``match``, ``screen``, ``landscape`` and ``trials search`` to *app*."""
    app.command("match")(match_command)
    app.command("screen")(screen_command)
    app.command("landscape")(landscape_command)
    for group in app.registered_groups:
        if group.name == "trials" and group.typer_instance is not None:
            group.typer_instance.command("search")(search_command)
            break
