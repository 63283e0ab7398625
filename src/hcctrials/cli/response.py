"""``hcctrials response``: tumour response (RECIST 1.1, mRECIST, iRECIST, imRECIST).

A thin shell over :func:`hcctrials.response.derive_responses`; see ``docs/response.md``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional, cast

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.cli.options import lang_option
from hcctrials.errors import HcctrialsError, InputError, describe
from hcctrials.i18n import Msg, msg, render, resolve_language, say

if TYPE_CHECKING:  # pandas and the engine load when the command runs: every CLI start is faster
    import pandas as pd

    from hcctrials.response import ResponseResult

__all__ = ["register", "response_command", "example_path", "error_line", "exit_with_error"]


def error_line(exc: HcctrialsError, language: str) -> str:
    """The one-line error of *exc* in *language* (:func:`hcctrials.errors.describe`: where, what, the
    value and the hint), as :func:`hcctrials.cli.main.error_text` prints it in English."""
    return say("error: {message}", language, message=describe(exc, language, translate=render))


def exit_with_error(exc: HcctrialsError, language: str) -> None:
    """Print *exc* in *language* (one line on stderr) and exit with status 2; English errors are
    left to the entry point (:func:`hcctrials.cli.main.main`), which prints them the same way."""
    if language == "en":
        raise exc
    from rich.markup import escape

    Console(stderr=True).print(f"[bold red]{escape(error_line(exc, language))}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def example_path() -> Path:
    """The packaged example assessments (five synthetic HCC subjects, written for hcctrials)."""
    return Path(str(resources.files("hcctrials.datasets").joinpath("response_example.csv")))


#: columns holding response categories (shown as words in the reader's language)
_CATEGORY_COLUMNS = frozenset({"best_overall_response", "best_overall_response_unconfirmed", "target_response",
                               "non_target_response", "overall_response"})


#: categories shown as their abbreviation in the table cells (the words are in the legend below it)
_ABBREVIATED = frozenset({"CR", "PR", "SD", "PD", "NE", "iCR", "iPR", "iSD", "iUPD", "iCPD"})


def _category(code: str, language: str) -> str:
    """A response category as clinicians abbreviate it in both languages (CR, PR, iUPD ...: RECIST 1.1,
    iRECIST [Seymour 2017]); the compound and missing categories in words ("非CR/非PD" / "Non-CR/non-PD")."""
    from hcctrials.reports.i18n import response_label  # the report's words (report.po): one name per category

    return code if code in _ABBREVIATED else response_label(code, language)


def _legend(df: pd.DataFrame, columns: dict[str, str], language: str) -> str:
    """The abbreviated categories of *df*'s shown columns in words: "Abbreviations: Partial response (PR); ..."."""
    from hcctrials.reports.i18n import response_label

    order = ("CR", "PR", "SD", "PD", "NE", "iCR", "iPR", "iSD", "iUPD", "iCPD")
    shown = {v for name in columns if name in _CATEGORY_COLUMNS for v in df[name].dropna() if isinstance(v, str)}
    words = [response_label(code, language) for code in order if code in shown]
    return say("Abbreviations: {items}", language, items=say("; ", language).join(words)) if words else ""


def _show(df: pd.DataFrame, title: str, columns: dict[str, str], language: str = "en") -> Table:
    """A rich table of *columns* (column -> short header, a catalog msgid) of *df*, in *language*."""
    import numpy as np
    import pandas as pd

    table = Table(title=title, show_lines=False)
    for header in columns.values():
        table.add_column(say(header, language))
    for row in df[list(columns)].itertuples(index=False):
        cells = []
        for name, v in zip(columns, row):
            if isinstance(v, Msg):  # a rule or data-quality message of the engine
                cells.append(str(render(v, language)))
            elif name in _CATEGORY_COLUMNS and isinstance(v, str):
                cells.append(_category(v, language))
            elif isinstance(v, (bool, np.bool_)):
                cells.append(say("yes", language) if v else say("no", language))
            elif isinstance(v, pd.Timestamp):
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
    irecist_no_max: bool = typer.Option(
        False, "--irecist-no-confirm-max",
        help="iRECIST: no upper end of the confirmation window (nothing flagged late)."),
    atypical_targets: str = typer.Option(
        "error", "--mrecist-atypical-targets",
        help="mRECIST: intrahepatic targets without a viable diameter: error | whole_lesion."),
    backdate: bool = typer.Option(
        True, "--backdate-equivocal/--no-backdate-equivocal",
        help="Date PD at the first appearance of an equivocal new lesion later confirmed; that "
        "time point then reads PD, so BOR stops there too [RECIST 1.1 1.5]."),
    reappearance_pd: bool = typer.Option(
        True, "--reappearance-after-cr-pd/--no-reappearance-after-cr-pd",
        help="A target reappearing after a true CR is PD [RECIST 1.1 Q&A]."),
    continuing_pr: bool = typer.Option(
        False, "--continuing-pr/--no-continuing-pr",
        help="Keep calling later time points PR after a (confirmed) PR until PD (labels only)."),
    timepoint_date: str = typer.Option(
        "earliest", "--timepoint-date",
        help="Date of a time point made of several scan dates: earliest | latest."),
    exclude_nact: bool = typer.Option(
        True, "--exclude-after-new-therapy/--include-after-new-therapy",
        help="Ignore assessments on or after new anticancer therapy for BOR."),
    irecist_iupd_event: bool = typer.Option(
        False, "--irecist-unconfirmed-iupd-event/--irecist-unconfirmed-iupd-censor",
        help="iRECIST: date an iUPD never confirmed as progression (default: censor)."),
    imrecist_last_event: bool = typer.Option(
        True, "--imrecist-last-pd-event/--imrecist-last-pd-censor",
        help="imRECIST: a PD on the last scan (nothing after it) is an event [H18]."),
    imrecist_confirm_days: int = typer.Option(
        28, "--imrecist-confirm-min-days",
        help="imRECIST: minimum days between a PD and the scan confirming or negating it."),
    show_visits: bool = typer.Option(False, "--visits", help="Also print per-visit responses."),
    show_rules: bool = typer.Option(False, "--rules",
                                    help="With --visits: print the rule that decided each visit."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    adrs_out: Path | None = typer.Option(None, "--adrs-out", help="Write ADRS as CSV here."),
    example: bool = typer.Option(False, "--example",
                                 help="Use the packaged five-subject example table."),
    lang: Optional[str] = lang_option(),
) -> None:
    """Derive per-visit responses and best overall response.

    Example: hcctrials response --example --criteria mrecist --confirm
    """
    language = resolve_language(lang)
    try:
        _respond(assessments, criteria, first_doses, confirm, min_sd_weeks, confirm_days, max_ne, accept_sd,
                 mrecist_abs_mm, visit_window, irecist_min_days, irecist_max_days, irecist_no_max,
                 atypical_targets, backdate, reappearance_pd, continuing_pr, timepoint_date, exclude_nact,
                 irecist_iupd_event, imrecist_last_event, imrecist_confirm_days, show_visits, show_rules,
                 as_json, adrs_out, example, language)
    except HcctrialsError as exc:
        exit_with_error(exc, language)


def _respond(assessments: Path | None, criteria: str, first_doses: Path | None, confirm: bool,
             min_sd_weeks: float, confirm_days: int, max_ne: int, accept_sd: bool,
             mrecist_abs_mm: float | None, visit_window: int, irecist_min_days: int,
             irecist_max_days: int | None, irecist_no_max: bool, atypical_targets: str, backdate: bool,
             reappearance_pd: bool, continuing_pr: bool, timepoint_date: str, exclude_nact: bool,
             irecist_iupd_event: bool, imrecist_last_event: bool, imrecist_confirm_days: int,
             show_visits: bool, show_rules: bool, as_json: bool, adrs_out: Path | None, example: bool,
             language: str) -> None:
    """The body of :func:`response_command` (its errors are printed in the reader's language)."""
    from hcctrials.response import CRITERIA, ResponseSettings, derive_responses, load_assessments

    if example:
        assessments = example_path()
    if assessments is None:
        raise InputError(msg("no assessment table given"), field="ASSESSMENTS",
                         hint=msg("pass a file, or --example for the packaged example"))
    if criteria not in CRITERIA:
        raise InputError(msg("unknown criteria"), field="--criteria", value=criteria,
                         hint=msg("use one of {values}", values=", ".join(CRITERIA)))
    table = load_assessments(assessments, first_doses_path=first_doses)
    if table.first_doses is None:
        raise InputError(msg("no first-dose dates"), file=str(assessments),
                         hint=msg("add a first_dose_date column or pass --first-doses"))
    for option, value, allowed in (("--mrecist-atypical-targets", atypical_targets,
                                    ("error", "whole_lesion")),
                                   ("--timepoint-date", timepoint_date, ("earliest", "latest"))):
        if value not in allowed:
            raise InputError(msg("unknown value"), field=option, value=value,
                             hint=msg("use one of {values}", values=", ".join(allowed)))
    settings = ResponseSettings(
        confirm=confirm, sd_min_days=int(round(min_sd_weeks * 7)),
        confirmation_min_days=confirm_days, max_ne_between_confirmation=max_ne,
        accept_sd_between_pr_and_confirmation=accept_sd, mrecist_pd_absolute_mm=mrecist_abs_mm,
        mrecist_atypical_targets=cast("Literal['error', 'whole_lesion']", atypical_targets),
        backdate_equivocal_new_lesions=backdate, reappearance_after_cr_is_pd=reappearance_pd,
        continuing_pr=continuing_pr, visit_window_days=visit_window,
        timepoint_date=cast("Literal['earliest', 'latest']", timepoint_date),
        exclude_after_new_therapy=exclude_nact,
        irecist_unconfirmed_iupd_is_event=irecist_iupd_event,
        irecist_confirmation_min_days=irecist_min_days,
        irecist_confirmation_max_days=None if irecist_no_max else irecist_max_days,
        imrecist_pd_on_last_scan_is_event=imrecist_last_event,
        imrecist_pd_confirmation_min_days=imrecist_confirm_days)
    result: ResponseResult = derive_responses(table.assessments, table.first_doses,
                                              criteria=criteria, settings=settings)
    if adrs_out is not None:
        result.to_adrs().to_csv(adrs_out, index=False)
    if as_json:
        payload: dict[str, Any] = result.to_json_dict()
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console = Console()
    title = say("{criteria}: best overall response ({confirmation}; SD >= {days} days)", language,
                criteria=result.criteria_title,
                confirmation=say("confirmation required", language) if confirm else say("confirmation not required", language),
                days=settings.sd_min_days)
    best = {"subject_id": "Subject", "best_overall_response": "BOR",
            "best_overall_response_unconfirmed": "BOR (unconfirmed)",
            "first_response_date": "First response", "confirmation_date": "Confirmed on",
            "first_progression_date": "Progression", "best_pct_change_from_baseline": "Best % change"}
    console.print(_show(result.subjects, title, best, language))
    legend = _legend(result.subjects, best, language)
    if legend:
        console.print(legend, highlight=False, markup=False)
    if show_visits:
        visits = {"subject_id": "Subject", "visit_date": "Date", "target_sum_mm": "SOD (mm)",
                  "pct_change_from_baseline": "% from baseline", "pct_change_from_nadir": "% from nadir",
                  "target_response": "Target", "non_target_response": "Non-target",
                  "new_lesion": "New lesion", "overall_response": "Overall"}
        console.print(_show(result.visits, say("Time-point responses", language), visits, language))
        legend = _legend(result.visits, visits, language)
        if legend:
            console.print(legend, highlight=False, markup=False)
        if show_rules:
            # the English heading is kept as it was; the rule texts are in the reader's language
            console.print(say("Rule that decided each time point (the engine's rule text, in English):", language)
                          if language == "en" else say("Rule that decided each time point:", language),
                          highlight=False)
            for row in result.visits.itertuples(index=False):
                # pandas-stubs types tuple fields as any scalar; visit_date is a datetime column.
                visit_date = cast("pd.Timestamp", row.visit_date)
                console.print(f"{row.subject_id} {visit_date.date()}: {render(row.rule, language)}",
                              highlight=False, soft_wrap=True, markup=False)
    if len(result.findings):
        console.print(_show(result.findings, say("Data-quality findings", language), {
            "subject_id": "Subject", "visit_date": "Date", "lesion_id": "Lesion",
            "code": "Code", "message": "Message"}, language))


def register(app: typer.Typer) -> None:
    """Add the ``response`` command to *app*."""
    app.command("response")(response_command)
