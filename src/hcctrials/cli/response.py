"""``hcctrials response``: tumour response (RECIST 1.1, mRECIST, iRECIST, imRECIST).

A thin shell over :func:`hcctrials.response.derive_responses`; see ``docs/response.md``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.errors import InputError

if TYPE_CHECKING:  # pandas and the engine load when the command runs: every CLI start is faster
    import pandas as pd

    from hcctrials.response import ResponseResult

__all__ = ["register", "response_command", "example_path"]


def example_path() -> Path:
    """The packaged example assessments (five synthetic HCC subjects, written for hcctrials)."""
    return Path(str(resources.files("hcctrials.datasets").joinpath("response_example.csv")))


def _show(df: pd.DataFrame, title: str, columns: dict[str, str]) -> Table:
    """A rich table of *columns* (column -> short header) of *df*."""
    import pandas as pd

    table = Table(title=title, show_lines=False)
    for header in columns.values():
        table.add_column(header)
    for row in df[list(columns)].itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, pd.Timestamp):
                cells.append(v.date().isoformat())
            elif v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
                cells.append("")
            elif isinstance(v, float):
                cells.append(f"{v:.1f}")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    return table


def response_command(
    assessments: Path | None = typer.Argument(
        None, help="Assessment table (CSV/TSV/Excel/Parquet, canonical layout) or a folder / "
        "tr.* file with SDTM TU and TR."),
    criteria: str = typer.Option("recist11", "--criteria", "-c",
                                 help="recist11 | mrecist | irecist | imrecist"),
    first_doses: Path | None = typer.Option(
        None, "--first-doses", help="Table of subject_id, first_dose_date[, "
        "new_anticancer_therapy_date]; optional if the assessments carry first_dose_date."),
    confirm: bool = typer.Option(False, "--confirm/--no-confirm",
                                 help="Headline BOR requires confirmation (>= 28 days)."),
    min_sd_weeks: float = typer.Option(8.0, "--min-sd-weeks",
                                       help="Minimum SD duration from first dose (weeks)."),
    confirm_days: int = typer.Option(28, "--confirm-days", help="Minimum confirmation gap."),
    max_ne: int = typer.Option(1, "--max-ne", help="NE assessments allowed before confirmation."),
    accept_sd: bool = typer.Option(False, "--accept-sd",
                                   help="Allow SD between a PR and its confirmation."),
    mrecist_abs_mm: float | None = typer.Option(
        None, "--mrecist-pd-abs-mm", help="mRECIST: absolute PD increase (mm); default none."),
    visit_window: int = typer.Option(0, "--visit-window-days",
                                     help="Join scan dates this close into one time point."),
    irecist_min_days: int = typer.Option(
        28, "--irecist-confirm-min-days",
        help="iRECIST: a scan earlier than this after an iUPD neither confirms nor resets it."),
    irecist_max_days: int | None = typer.Option(
        56, "--irecist-confirm-max-days",
        help="iRECIST: a confirming scan later than this after the iUPD is flagged (still used)."),
    show_visits: bool = typer.Option(False, "--visits", help="Also print per-visit responses."),
    show_rules: bool = typer.Option(False, "--rules",
                                    help="With --visits: print the rule that decided each visit."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    adrs_out: Path | None = typer.Option(None, "--adrs-out", help="Write ADRS as CSV here."),
    example: bool = typer.Option(False, "--example",
                                 help="Use the packaged five-subject example table."),
) -> None:
    """Derive per-visit responses and best overall response.

    Example: hcctrials response --example --criteria mrecist --confirm
    """
    from hcctrials.response import CRITERIA, ResponseSettings, derive_responses, load_assessments

    if example:
        assessments = example_path()
    if assessments is None:
        raise InputError("no assessment table given", field="ASSESSMENTS",
                         hint="pass a file, or --example for the packaged example")
    if criteria not in CRITERIA:
        raise InputError("unknown criteria", field="--criteria", value=criteria,
                         hint=f"use one of {', '.join(CRITERIA)}")
    table = load_assessments(assessments, first_doses_path=first_doses)
    if table.first_doses is None:
        raise InputError("no first-dose dates", file=str(assessments),
                         hint="add a first_dose_date column or pass --first-doses")
    settings = ResponseSettings(
        confirm=confirm, sd_min_days=int(round(min_sd_weeks * 7)),
        confirmation_min_days=confirm_days, max_ne_between_confirmation=max_ne,
        accept_sd_between_pr_and_confirmation=accept_sd, mrecist_pd_absolute_mm=mrecist_abs_mm,
        visit_window_days=visit_window, irecist_confirmation_min_days=irecist_min_days,
        irecist_confirmation_max_days=irecist_max_days)
    result: ResponseResult = derive_responses(table.assessments, table.first_doses,
                                              criteria=criteria, settings=settings)
    if adrs_out is not None:
        result.to_adrs().to_csv(adrs_out, index=False)
    if as_json:
        payload: dict[str, Any] = result.to_json_dict()
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console = Console()
    title = f"{result.criteria_title}: best overall response " \
            f"({'confirmed' if confirm else 'unconfirmed'}; SD >= {settings.sd_min_days} days)"
    console.print(_show(result.subjects, title, {
        "subject_id": "subject", "best_overall_response": "BOR",
        "best_overall_response_unconfirmed": "BOR unconf.",
        "first_response_date": "response", "confirmation_date": "confirmed",
        "first_progression_date": "progression", "best_pct_change_from_baseline": "best %"}))
    if show_visits:
        console.print(_show(result.visits, "Time-point responses", {
            "subject_id": "subject", "visit_date": "date", "target_sum_mm": "SOD mm",
            "pct_change_from_baseline": "% base", "pct_change_from_nadir": "% nadir",
            "target_response": "target", "non_target_response": "non-target",
            "new_lesion": "new", "overall_response": "overall"}))
        if show_rules:
            for row in result.visits.itertuples(index=False):
                # pandas-stubs types tuple fields as any scalar; visit_date is a datetime column.
                visit_date = cast("pd.Timestamp", row.visit_date)
                console.print(f"{row.subject_id} {visit_date.date()}: {row.rule}",
                              highlight=False, soft_wrap=True)
    if len(result.findings):
        console.print(_show(result.findings, "Data-quality findings", {
            "subject_id": "subject", "visit_date": "date", "lesion_id": "lesion",
            "code": "code", "message": "message"}))


def register(app: typer.Typer) -> None:
    """Add the ``response`` command to *app*."""
    app.command("response")(response_command)
