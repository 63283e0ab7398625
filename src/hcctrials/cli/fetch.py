"""``hcctrials fetch ctgov``: download CT.gov API v2 search pages as JSON files to ingest."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Optional

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hcctrials.cli.options import lang_option
from hcctrials.i18n import resolve_language, say
from hcctrials.sources.ctgov.client import DEFAULT_BASE_URL, CtgovClient, CtgovFetchError, fetch_pages

__all__ = ["register"]

#: the client's message when no connection could be made at all (no DNS answer, no route, refused)
_UNREACHABLE = re.compile(r"the network is unreachable: could not connect to \S+ \((?P<problem>.*)\)$")

fetch_app = typer.Typer(help="Download registry records from online registries.", no_args_is_help=True)


@fetch_app.command("ctgov")
def fetch_ctgov(
    condition: Optional[str] = typer.Option(None, "--condition", help="Condition query (query.cond)."),
    term: Optional[str] = typer.Option(None, "--term", help="Free-text query (query.term)."),
    intervention: Optional[str] = typer.Option(None, "--intervention", help="Intervention query (query.intr)."),
    status: Optional[str] = typer.Option(None, "--status", help="Overall status filter, e.g. RECRUITING."),
    max_studies: Optional[int] = typer.Option(None, "--max", min=1, help="Stop after this many studies."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default ./ctgov-<date>)."),
    base_url: str = typer.Option(DEFAULT_BASE_URL, "--base-url", help="API base URL."),
    page_size: int = typer.Option(1000, "--page-size", min=1, max=1000,
                                  help="Studies per request and per file (the API allows up to 1000)."),
    min_interval: float = typer.Option(0.35, "--min-interval", min=0.0, help="Seconds between requests."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    lang: Optional[str] = lang_option(),
) -> None:
    """Fetch CT.gov studies page by page into JSON files that `hcctrials ingest DIR` reads.

    Each page is written as the website's "Download -> JSON" writes studies (a JSON array, one
    study per line), which `hcctrials ingest` reads on its fast path.
    """
    language = resolve_language(lang)
    folder = out or Path(f"ctgov-{date.today().isoformat()}")
    console = Console(stderr=True)
    pages = studies = 0
    with CtgovClient(base_url=base_url, min_interval_s=min_interval) as session, Progress(
        TextColumn("[bold]" + say("fetching CT.gov", language)), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=as_json or not console.is_terminal,
    ) as progress:
        task = progress.add_task("studies", total=max_studies)
        try:
            for page in fetch_pages(condition=condition, term=term, intervention=intervention, status=status,
                                    page_size=page_size, max_studies=max_studies, session=session):
                total = page.get("totalCount")
                if isinstance(total, int):
                    progress.update(task, total=min(total, max_studies or total))
                pages += 1
                folder.mkdir(parents=True, exist_ok=True)  # only once there is something to write
                page_studies = page.get("studies", [])
                _write_array(folder / f"page-{pages:05d}.json", page_studies)
                studies += len(page_studies)
                progress.update(task, completed=studies)
        except CtgovFetchError as exc:
            unreachable = _UNREACHABLE.match(exc.message)
            if unreachable is None:
                raise
            problem = unreachable.group("problem")
        else:
            problem = None
        summary = {"out": str(folder), "pages": pages, "studies": studies,
                   "requests": session.requests_made, "retries": session.retries_made}
    if problem is not None:
        # one line, in the reader's language: the network (not the request rate) is the problem
        console.print(say("error: the network is unreachable: could not connect to {url} ({problem}). "
                          "Check the network connection (or proxy) and --base-url", language,
                          url=session.base_url + "/studies", problem=problem),
                      highlight=False, markup=False, soft_wrap=True)
        raise SystemExit(2)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        Console().print(say("fetched {studies} studies in {pages} page(s) into {folder} ({requests} requests, "
                            "{retries} retries); run: hcctrials ingest {folder}", language, studies=studies, pages=pages,
                            folder=str(folder), requests=session.requests_made, retries=session.retries_made),
                        highlight=False)


def _write_array(path: Path, studies: list[Any]) -> None:
    """*studies* as a JSON array with one study per line, written to a hidden file first and
    renamed, so an interrupted fetch never leaves half a page for `ingest` to read."""
    part = path.with_name(f".{path.name}.part")
    with part.open("wb") as out:
        out.write(b"[\n" + b",\n".join(_study_line(study) for study in studies) + b"\n]\n")
    part.replace(path)


def _study_line(study: Any) -> bytes:
    try:
        return orjson.dumps(study)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the standard encoder copes
        return json.dumps(study, ensure_ascii=False, separators=(",", ":")).encode()


def register(app: typer.Typer) -> None:
    """Add the fetch commands to *app*."""
    app.add_typer(fetch_app, name="fetch")
