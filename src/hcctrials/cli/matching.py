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
from collections.abc import Callable
from typing import TYPE_CHECKING, Optional, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hcctrials.cli.options import lang_option
from hcctrials.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from hcctrials.matching.cohort import CohortCatalog, CohortPart, ScreenBatch
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
        from hcctrials.matching.localise import localise_match_document

        # findings in the reader's language, codes and message ids beside them (docs/matching.md)
        typer.echo(json.dumps(localise_match_document(result_to_dict(result, language), result, person.data_findings,
                                                      language), ensure_ascii=False, indent=2))
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
    lang: Optional[str] = lang_option(),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Full-text search in both languages, with filters."""
    from hcctrials.i18n import resolve_language, say
    from hcctrials.i18n.labels import label
    from hcctrials.matching.search import INDEX_VERSION, SearchFilters, normalise_filters, parse_query
    from rich import box
    from rich.markup import escape

    from hcctrials.reports.landscape_plot import class_label
    from hcctrials.storage.search_index import search_index_status, search_trials
    from hcctrials.vocab import load_lexicon

    language = resolve_language(lang)
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
        empty = not hits and store.count() == 0
        # the title in the reader's language, as `trials list` shows it (the index keeps one title)
        titles = {(h.trial_id, h.registry): store.get(h.trial_id, registry=h.registry).title(language)
                  for h in hits} if language != "en" else {}
    if empty and not as_json:
        Console(stderr=True).print(say("the database holds no trials: run `hcctrials ingest FILES` or "
                                       "`hcctrials ingest --examples` first", language),
                                   highlight=False, markup=False, soft_wrap=True)
        return
    if not index.current:
        Console(stderr=True).print(say(
            "the search index is stale for {stale} of {trials} trial(s): results come from what is indexed; "
            "run `hcctrials db index` (or the next `hcctrials ingest`) to refresh it", language,
            stale=index.stale, trials=index.trials), highlight=False, markup=False)
    if as_json:
        # one vocabulary with `trials list --json`: the record status is "overall_status"
        rows = [{"trial_id": h.trial_id, "registry": h.registry, "overall_status": h.status, "phases": list(h.phases),
                 "title": titles.get((h.trial_id, h.registry), h.title), "settings": list(h.settings), "classes": list(h.classes),
                 "study_start": h.study_start, "score": h.score} for h in hits]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    # laid out as `trials list`: ids never wrap, the other columns wrap on words, the title takes the
    # rest, with the setting and the intervention classes under it
    table = Table(title=say("{n} trial(s)", language, n=len(hits)), header_style="bold", expand=True,
                  box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(say("Trial", language), no_wrap=True)  # an id never wraps mid-word
    table.add_column(say("Registry", language), no_wrap=True)  # short names (CT.gov, ChiCTR) never wrap
    table.add_column(say("Record status", language), max_width=11, overflow="fold")
    table.add_column(say("Phase", language), max_width=7, overflow="fold")
    table.add_column(say("Title", language) + " / " + say("Setting", language) + " / " + say("Classes", language),
                     ratio=1, min_width=24, overflow="fold")
    for h in hits:
        title = escape(titles.get((h.trial_id, h.registry), h.title))
        details = "; ".join(part for part in (", ".join(label("setting", x, language) for x in h.settings),
                                              ", ".join(class_label(c, language) for c in h.classes)) if part)
        if details:
            title += "\n[dim]" + escape(details) + "[/]"
        table.add_row(h.trial_id, label("registry_short", h.registry, language), label("status", h.status, language),
                      ", ".join(label("phase", p, language) for p in h.phases), title)
    Console().print(table)


def landscape_command(
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write the plot (.png or .svg)."),
    all_conditions: bool = typer.Option(False, "--all-conditions",
                                        help="Count the trials of every condition (default: HCC trials only)."),
    as_json: bool = typer.Option(False, "--json", help="Print the long table as JSON."),
    lang: Optional[str] = lang_option(),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Summarise the catalog: HCC trials by setting x intervention class x phase x registry x year."""
    from hcctrials.i18n import resolve_language, say
    from hcctrials.i18n.labels import label
    from hcctrials.matching.landscape import derive_landscape_rows, summarise_landscape
    from hcctrials.reports.landscape_plot import class_label, dropped_note, plot_trial_landscape, select_hcc_trials

    language = resolve_language(lang)
    with _store(db) as store:
        trials = list(store.iter_trials())
    if not trials and not as_json:
        Console(stderr=True).print(say("the database holds no trials: run `hcctrials ingest FILES` or "
                                       "`hcctrials ingest --examples` first", language),
                                   highlight=False, markup=False, soft_wrap=True)
        return
    chosen, dropped = (trials, {}) if all_conditions else select_hcc_trials(trials)
    rows = derive_landscape_rows(chosen)
    summary = summarise_landscape(rows)
    if plot is not None:
        plot_trial_landscape(trials, plot, hcc_only=not all_conditions, lang=language)
    if as_json:
        long = summary["long"].astype(object).where(summary["long"].notna(), None)  # type: ignore[call-overload]
        typer.echo(json.dumps(long.to_dict(orient="records"), ensure_ascii=False, indent=2, default=str))
        return
    console = Console()

    def phase(value: object) -> str:
        return " / ".join(label("phase", p, language) if p != "not stated" else say("not stated", language)
                          for p in str(value).split("/"))

    def drug_class(value: object) -> str:
        return class_label(str(value), language)

    def registry(value: object) -> str:
        return label("registry", str(value), language)

    columns: dict[str, tuple[str, Callable[[object], str]]] = {
        "setting_by_class": (say("Trials by setting and intervention class", language), drug_class),
        "setting_by_phase": (say("Trials by setting and phase", language), phase),
        "setting_by_registry": (say("Trials by setting and registry", language), registry)}
    for name, (title, word) in columns.items():
        frame = summary[name]
        table = Table(title=title, header_style="bold")
        table.add_column(say("Setting", language))
        for col in frame.columns:
            table.add_column(word(col), justify="right")
        for idx, row in frame.iterrows():
            table.add_row(label("setting", str(idx), language), *(str(v) for v in row.tolist()))
        console.print(table)
    note = dropped_note(dropped, 0, language)
    if note:
        console.print(note, highlight=False)
    if plot is not None:
        console.print(say("plot written to {path}", language, path=str(plot)), highlight=False)


def _screen_init(catalog: CohortCatalog, all_pairs: bool = True) -> None:
    global _SCREEN_CATALOG, _SCREEN_ALL_PAIRS
    _SCREEN_CATALOG = catalog
    _SCREEN_ALL_PAIRS = all_pairs


_SCREEN_CATALOG: CohortCatalog | None = None
_SCREEN_ALL_PAIRS = True


def _screen_result(batch: pa.Table) -> ScreenBatch:
    from hcctrials.matching.cohort import screen_batch

    # _screen_init sets the catalog (in this process or in each worker) before any batch is screened
    return screen_batch(batch, cast("CohortCatalog", _SCREEN_CATALOG), all_pairs=_SCREEN_ALL_PAIRS)


def _screen_batch(batch: pa.Table) -> pa.Table:
    """The output table of one batch (the listed pairs, or every pair with ``--all-pairs``)."""
    return _screen_result(batch).pairs


def _part_file(folder: Path, index: int) -> Path:
    return folder / f"part-{index:05d}.parquet"


def _screen_part(index: int, part: CohortPart, folder: Path, batch_size: int) -> tuple[np.ndarray, int, int]:
    """Screen one part of the cohort and write its rows to ``folder/part-NNNNN.parquet`` (in this process:
    the parent sends file names and row groups and receives counts, never rows).  Returns (counts per
    trial, patients, rows written)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hcctrials.matching.cohort import COUNT_COLUMNS, PAIR_SCHEMA, VERDICT_SCHEMA, part_batches

    catalog = cast("CohortCatalog", _SCREEN_CATALOG)
    counts = np.zeros((len(catalog.trial_ids), len(COUNT_COLUMNS)), dtype=np.int64)
    patients = rows = 0
    schema = VERDICT_SCHEMA if _SCREEN_ALL_PAIRS else PAIR_SCHEMA
    with pq.ParquetWriter(_part_file(folder, index), schema, **_SCREEN_PARQUET_OPTIONS) as writer:
        for batch in part_batches(part, batch_size):
            result = _screen_result(batch)
            writer.write_table(result.pairs)
            counts += result.counts
            patients += result.patients
            rows += result.pairs.num_rows
            del result
    pa.default_memory_pool().release_unused()
    return counts, patients, rows


def _prepare_folder(out: Path) -> None:
    """An output folder for part files: created, or emptied of the part files of an earlier run; a folder
    holding anything else is refused (nothing of the user's is deleted)."""
    if out.exists() and not out.is_dir():
        raise InputError("--out: exists and is not a folder", field="out", value=str(out))
    out.mkdir(parents=True, exist_ok=True)
    others = [p.name for p in out.iterdir() if not (p.name.startswith("part-") and p.suffix == ".parquet")]
    if others:
        raise InputError("--out: the folder holds other files than part-*.parquet", field="out",
                         value=str(out / sorted(others)[0]), hint="choose an empty or new folder")
    for p in out.glob("part-*.parquet"):
        p.unlink()


def _screen_to_folder(patients: Path, out: Path, catalog: CohortCatalog, *, all_pairs: bool, batch_size: int,
                      workers: int, progress: Callable[[int], None]) -> tuple[np.ndarray, int, int]:
    """The local engine writing a Parquet dataset folder: each worker process screens parts of the cohort
    (:func:`hcctrials.matching.cohort.iter_patient_file_parts`: Parquet row groups it reads itself, or
    batches the parent read from a text file) and writes one part file per part, numbered in input order.
    Returns (counts per trial, patients, rows)."""
    import numpy as np

    from hcctrials.matching.cohort import COUNT_COLUMNS, ParquetSlice, iter_patient_file_parts

    _prepare_folder(out)
    total = np.zeros((len(catalog.trial_ids), len(COUNT_COLUMNS)), dtype=np.int64)
    seen = rows = 0
    part_size = max(batch_size, _SCREEN_PART_PATIENTS)
    parts = iter_patient_file_parts(patients, batch_size=batch_size, part_size=part_size)

    def add(got: tuple[np.ndarray, int, int]) -> None:
        nonlocal total, seen, rows
        total += got[0]
        seen += got[1]
        rows += got[2]
        progress(seen)

    if workers <= 1:
        _screen_init(catalog, all_pairs)
        for k, part in enumerate(parts):
            add(_screen_part(k, part, out, batch_size))
        return total, seen, rows
    from concurrent.futures import Future, ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_screen_init,
                             initargs=(catalog, all_pairs)) as pool:
        pending: list[Future[tuple[np.ndarray, int, int]]] = []
        held = 0  # parts in flight that carry records read by the parent (memory bound)
        try:
            for k, part in enumerate(parts):
                pending.append(pool.submit(_screen_part, k, part, out, batch_size))
                if not isinstance(part, ParquetSlice):
                    held += 1
                while held > workers or (pending and pending[0].done()):
                    add(pending.pop(0).result())
                    held = min(held, len(pending))
            while pending:
                add(pending.pop(0).result())
        except BaseException:  # a bad record (or Ctrl+C): the parts not started are not screened
            for fut in pending:
                fut.cancel()
            raise
    return total, seen, rows


#: Patients per part file of the folder output (one worker task): about 20 MB of Parquet in the benchmark.
_SCREEN_PART_PATIENTS = 50_000
_PARALLEL_SCREEN_BYTES = 5 * 1024 * 1024
#: How the listed pairs are written to Parquet.  Column statistics (min/max per row group) are kept for
#: ``patient_id`` only (the output is patient-major, so they find one patient's rows): computing them for
#: every dictionary column tripled the writer's CPU time (measured: 0.15 against 0.055 CPU-s per 1.6 million
#: pairs), and the parent writes while the workers screen.  zstd: a third of snappy's size at the same cost.
#: Dictionary encoding for the string columns only: the undecided count is written plain (dictionary-encoding
#: an int32 column cost 0.011 against 0.004 CPU-s per 1.6 million pairs, for 0.13 against 0.17 MB).
_SCREEN_PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd", "write_statistics": ["patient_id"],
    "use_dictionary": ["patient_id", "trial_id", "registry", "verdict", "first_undecided", "deciding",
                       "first_unknown", "recruiting"]}


def _write_screen_counts(path: Path, catalog: CohortCatalog, counts: np.ndarray) -> None:
    """Counts per trial and outcome as CSV: trial, registry, recruiting state, one column per outcome."""
    import csv

    from hcctrials.matching.cohort import COUNT_COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["trial_id", "registry", "recruiting", *COUNT_COLUMNS])
        for k, trial_id in enumerate(catalog.trial_ids):
            writer.writerow([trial_id, catalog.registries[k], catalog.recruiting[k], *counts[k].tolist()])


def _print_screen_summary(catalog: CohortCatalog, counts: np.ndarray, patients: int, pairs: int, out: str,
                          counts_path: Path, all_pairs: bool, language: str) -> None:
    from hcctrials.i18n import say

    total = counts.sum(axis=0).tolist()
    day = catalog.as_of.isoformat()
    lines = [
        say("{patients} patient(s) x {trials} trial(s) screened on {as_of}", language, patients=patients,
            trials=len(catalog.trial_ids), as_of=day),
        say("eligible: {eligible}; possibly eligible: {possibly}; ineligible: {ineligible}; "
            "no criteria in the record: {no_criteria}; other condition: {other}; not recruiting on {as_of}: "
            "{not_screened} (patient x trial pairs)", language, eligible=total[0], possibly=total[1],
            ineligible=total[2], no_criteria=total[3], other=total[4], not_screened=total[5], as_of=day),
        (say("every pair: {rows} row(s) -> {out}", language, rows=pairs, out=out) if all_pairs else
         say("eligible or possibly eligible for a relevant trial recruiting on {as_of}: {rows} pair(s) -> {out}",
             language, as_of=day, rows=pairs, out=out)),
        say("counts per trial and verdict -> {path}", language, path=str(counts_path)),
    ]
    console = Console()
    for line in lines:
        console.print(line, highlight=False, markup=False)


def screen_command(
    patients: Path = typer.Argument(
        ..., help="Patients: JSON lines (patients or FHIR Bundles), FHIR NDJSON, CSV, Parquet, JSON or YAML."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="Output: .parquet or .csv (written by the parent); or a folder of Parquet part files "
                                  "(written by the worker processes, fastest; Spark engine: always a folder)."),
    trials: list[str] = typer.Option([], "--trials", help="Trial ids to screen against (default: all)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluation date YYYY-MM-DD (default today)."),
    all_pairs: bool = typer.Option(False, "--all-pairs",
                                   help="Write every patient x trial verdict (default: only eligible or possibly "
                                        "eligible pairs of relevant, recruiting trials)."),
    offered: bool = typer.Option(False, "--offered",
                                 help="Screen every trial `hcctrials match` offers (also not yet open or status "
                                      "uncertain), not only trials recruiting on the as-of date."),
    counts: Optional[Path] = typer.Option(None, "--counts",
                                          help="Counts per trial and verdict, CSV (default: OUT.counts.csv)."),
    batch_size: int = typer.Option(5_000, "--batch-size", min=1, help="Patients per batch (memory bound)."),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1,
        help="Processes evaluating batches in parallel (default: every CPU for inputs over 5 MB, else 1)."),
    engine: str = typer.Option("local", "--engine", help="local (this machine) or spark (PySpark mapInArrow)."),
    master: Optional[str] = typer.Option(None, "--master",
                                         help="Spark master URL, e.g. local[2] or spark://host:7077 (Spark engine)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en or zh (default: $HCCTRIALS_LANG, else en)."),
    db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Screen a cohort against the catalog: eligible or possibly eligible pairs of relevant, open trials, streamed."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from hcctrials.i18n import resolve_language
    from hcctrials.matching.cohort import (
        COUNT_COLUMNS, LISTED_STATES, OFFERED_STATES, PAIR_SCHEMA, VERDICT_SCHEMA, build_cohort_catalog,
        iter_patient_file_batches,
    )
    from hcctrials.matching.compiled_cache import load_compiled_trials

    language = resolve_language(lang)
    if engine not in ("local", "spark"):
        raise InputError(f"--engine: expected local or spark, got {engine!r}", field="engine", value=engine)
    if master is not None and engine != "spark":
        raise InputError("--master needs --engine spark", field="master", value=master)
    suffix = out.suffix.lower()
    folder = engine == "local" and (out.is_dir() or not suffix)
    if engine == "local" and not folder and suffix not in (".parquet", ".csv"):
        raise InputError(f"--out: unsupported file type {out.suffix!r}", value=str(out), hint="Use .parquet or .csv")
    if engine == "local" and not patients.is_file():
        raise InputError("patients file not found", file=str(patients), value=str(patients))
    counts_path = counts if counts is not None else out.with_name(out.stem + ".counts.csv")
    day = _as_of(as_of)
    with _store(db) as store:
        selected = [store.get(t) for t in trials] if trials else list(store.iter_trials())
        compiled = load_compiled_trials(store, selected)
    catalog = build_cohort_catalog(selected, as_of=day, compiled=compiled, all_pairs=all_pairs,
                                   states=OFFERED_STATES if offered else LISTED_STATES)
    del selected, compiled  # the catalog keeps what screening needs; the records are not needed any more
    total = np.zeros((len(catalog.trial_ids), len(COUNT_COLUMNS)), dtype=np.int64)
    if engine == "spark":
        from hcctrials.matching.spark_engine import screen_with_spark

        result = screen_with_spark(str(patients), catalog, out=str(out), master=master, all_pairs=all_pairs,
                                   batch_size=batch_size)
        _write_screen_counts(counts_path, catalog, result.counts)
        _print_screen_summary(catalog, result.counts, result.patients, result.pairs, str(out), counts_path,
                              all_pairs, language)
        return
    if workers is None:  # a process pool only pays for itself on large cohorts
        large = patients.stat().st_size > _PARALLEL_SCREEN_BYTES
        workers = max(1, len(os.sched_getaffinity(0))) if large else 1
    if folder:
        with Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:
            task = bar.add_task("patients", total=None)
            total, seen, rows = _screen_to_folder(patients, out, catalog, all_pairs=all_pairs, batch_size=batch_size,
                                                  workers=workers,
                                                  progress=lambda done: bar.update(task, completed=done))
        _write_screen_counts(counts_path, catalog, total)
        _print_screen_summary(catalog, total, seen, rows, str(out), counts_path, all_pairs, language)
        return
    schema = VERDICT_SCHEMA if all_pairs else PAIR_SCHEMA
    plain = pa.schema([pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in schema])
    writer = (pq.ParquetWriter(out, schema, **_SCREEN_PARQUET_OPTIONS) if suffix == ".parquet"
              else pacsv.CSVWriter(out, plain))
    batches = iter_patient_file_batches(patients, batch_size=batch_size)
    seen = 0
    rows = 0
    pool_memory = pa.default_memory_pool()
    with writer, Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          transient=True) as progress:
        task = progress.add_task("patients", total=None)

        def write(result: ScreenBatch) -> None:
            nonlocal seen, rows, total
            table = result.pairs
            writer.write_table(table if suffix == ".parquet" else table.cast(plain))
            total += result.counts
            seen += result.patients
            rows += table.num_rows
            progress.update(task, completed=seen)
            del table, result
            pool_memory.release_unused()  # give the written batch back: the parent holds only batches in flight

        if workers <= 1:
            _screen_init(catalog, all_pairs)
            for batch in batches:
                write(_screen_result(batch))
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers, initializer=_screen_init,
                                     initargs=(catalog, all_pairs)) as pool:
                pending = []
                for batch in batches:  # one batch per worker in flight, and one more: memory stays bounded
                    pending.append(pool.submit(_screen_result, batch))
                    if len(pending) > workers:
                        write(pending.pop(0).result())
                for fut in pending:
                    write(fut.result())
    _write_screen_counts(counts_path, catalog, total)
    _print_screen_summary(catalog, total, seen, rows, str(out), counts_path, all_pairs, language)


def register(app: typer.Typer) -> None:
    """Add ``match``, ``screen``, ``landscape`` and ``trials search`` to *app*."""
    app.command("match")(match_command)
    app.command("screen")(screen_command)
    app.command("landscape")(landscape_command)
    for group in app.registered_groups:
        if group.name == "trials" and group.typer_instance is not None:
            group.typer_instance.command("search")(search_command)
            break
