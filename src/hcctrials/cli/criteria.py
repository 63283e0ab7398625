"""CLI commands for eligibility criteria: ``hcctrials criteria show|coverage|compile-text|evaluate``.

Trials come from the database (``--db``, read through :mod:`hcctrials.storage`) or straight
from registry files (``--file PATH``, any format :func:`hcctrials.sources.detect.parse_path`
knows; ``--folder`` for coverage).  A thin shell over :mod:`hcctrials.criteria`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.cli.options import lang_option
from hcctrials.errors import InputError, NotFoundError
from hcctrials.i18n import resolve_language, say

if TYPE_CHECKING:
    from hcctrials.model.eligibility import Role

__all__ = ["register"]

_DB_HELP = "Database (path or URL); default $HCCTRIALS_DB or the user data folder."


def _trials_from_files(paths: list[Path]) -> Iterator[object]:
    from hcctrials.sources.base import ParsedRecord
    from hcctrials.sources.detect import iter_input_files, parse_path

    for root in paths:
        for path in iter_input_files(root):
            for result in parse_path(path):
                if isinstance(result, ParsedRecord):
                    yield result.trial


def _find_trial(trial_id: str, db: str | None, files: list[Path]):  # type: ignore[no-untyped-def]
    if files:
        for trial in _trials_from_files(files):
            if trial_id.upper() in trial.linked_ids():  # type: ignore[attr-defined]
                return trial
        raise NotFoundError(f"trial {trial_id} not found in the given files", record=trial_id)
    from hcctrials.config import load_settings
    from hcctrials.storage.repository import open_store

    with open_store(load_settings(database_url=db).database_url) as store:
        return store.get(trial_id)


def _compiled(trial, protocol: Path | None, language: str):  # type: ignore[no-untyped-def]
    from hcctrials.criteria import apply_protocol, compile_trial, load_protocol

    compiled = compile_trial(trial, language=language)
    if protocol is not None:
        proto, rules = load_protocol(protocol)
        compiled = apply_protocol(compiled, proto, rules)
    return compiled


#: criterion states (hcctrials.criteria.coverage.criterion_state) -> catalog msgids
_STATE_WORDS = {"compiled": "compiled", "needs_review": "needs review", "partial": "partly compiled"}


def register(app: typer.Typer) -> None:
    """Add the criteria commands to *app*."""
    crit = typer.Typer(help="Eligibility criteria: compile, review coverage, evaluate a patient.",
                       no_args_is_help=True)
    app.add_typer(crit, name="criteria")

    @crit.command("show")
    def show(
        trial_id: str = typer.Argument(..., help="NCT... / ChiCTR... id"),
        db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
        file: list[Path] = typer.Option([], "--file", help="Read the trial from a registry file instead."),
        protocol: Optional[Path] = typer.Option(None, "--protocol", help="Protocol override YAML."),
        language: str = typer.Option("auto", "--language", help="Language of the criteria text: auto | en | zh"),
        as_json: bool = typer.Option(False, "--json", help="Print the compiled trial as JSON."),
        lang: Optional[str] = lang_option(),
    ) -> None:
        """Each criterion with its compiled rule, or why it needs review."""
        from hcctrials.criteria.compiler.describe_i18n import describe_for_reader
        from hcctrials.criteria.coverage import criterion_state

        reader = resolve_language(lang)
        compiled = _compiled(_find_trial(trial_id, db, file), protocol, language)
        if as_json:
            typer.echo(json.dumps(compiled.to_json(), ensure_ascii=False, indent=2))
            return
        table = Table(title=say("{trial}: compiled criteria", reader, trial=compiled.trial_id))
        for col in ("Role", "#", "State", "Criterion", "Rule"):
            table.add_column(say(col, reader) if col != "#" else col, overflow="fold")
        for c in compiled.criteria:
            state = say(_STATE_WORDS[criterion_state(c.rule)], reader)
            if c.overridden:
                state += say(" (override)", reader)
            table.add_row(say(c.role, reader), c.number, state, c.text, describe_for_reader(c.rule, reader))
        Console().print(table)

    @crit.command("compile-text")
    def compile_text(
        text: str = typer.Argument(..., help="One criterion, English or Chinese."),
        role: str = typer.Option("inclusion", "--role", help="inclusion | exclusion"),
        as_json: bool = typer.Option(False, "--json"),
        lang: Optional[str] = lang_option(),
    ) -> None:
        """Compile one criterion and print its state and rule (in the reader's language)."""
        from hcctrials.criteria import compile_criterion
        from hcctrials.criteria.compiler.describe_i18n import describe_for_reader
        from hcctrials.criteria.coverage import criterion_state

        reader = resolve_language(lang)

        roles: dict[str, Role] = {"inclusion": "inclusion", "exclusion": "exclusion"}
        checked = roles.get(role)
        if checked is None:
            raise InputError("--role must be inclusion or exclusion", field="role", value=role)
        node = compile_criterion(text, role=checked)
        if as_json:
            typer.echo(json.dumps(node.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        typer.echo(say("{role} criterion, {state}", reader, role=say(checked, reader),
                       state=say(_STATE_WORDS[criterion_state(node)], reader)))
        typer.echo(say("Rule: {rule}", reader, rule=describe_for_reader(node, reader)))

    @crit.command("coverage")
    def coverage(
        db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
        file: list[Path] = typer.Option([], "--file", help="Registry file(s) instead of the database."),
        folder: list[Path] = typer.Option([], "--folder", help="Folder(s) of registry files."),
        as_json: bool = typer.Option(False, "--json"),
        lang: Optional[str] = lang_option(),
    ) -> None:
        """Share of criteria compiled (not needing review), per trial and overall."""
        from hcctrials.criteria import compile_trial, compute_coverage

        reader = resolve_language(lang)

        sources = [*file, *folder]
        if sources:
            trials = list(_trials_from_files(sources))
        else:
            from hcctrials.config import load_settings
            from hcctrials.storage.repository import open_store

            with open_store(load_settings(database_url=db).database_url) as store:
                trials = list(store.iter_trials())
        report = compute_coverage(compile_trial(t) for t in trials)  # type: ignore[arg-type]
        if as_json:
            typer.echo(json.dumps({
                "overall": report.share, "with_partial": report.share_with_partial, "criteria": report.total,
                "trials": [t.__dict__ | {"share": t.share} for t in report.trials]}, ensure_ascii=False, indent=2))
            return
        if not trials and not sources:  # an empty database: say what to do rather than print an empty table
            Console(stderr=True).print(say("the database holds no trials: run `hcctrials ingest FILES` or "
                                       "`hcctrials ingest --examples` first", reader),
                                   highlight=False, markup=False, soft_wrap=True)
            return
        table = Table(title=say("Criteria compiled", reader))
        for col in ("Trial", "Number of criteria", "compiled", "partly compiled", "needs review", "Share"):
            table.add_column(say(col, reader), justify="right" if col != "Trial" else "left")
        for t in report.trials:
            share = f"{t.share:.0%}" if t.total else "-"  # no criteria in the record: no share
            table.add_row(t.trial_id, str(t.total), str(t.compiled), str(t.partial), str(t.needs_review), share)
        console = Console()
        console.print(table)
        console.print(say("overall: {compiled}/{total} criteria compiled ({share}); with partial rules {partial}; "
                          "{trials} trials", reader, compiled=report.compiled, total=report.total,
                          share=f"{report.share:.1%}", partial=f"{report.share_with_partial:.1%}",
                          trials=len(report.trials)), highlight=False)

    @crit.command("evaluate")
    def evaluate(
        patient: Path = typer.Argument(..., help="Patient file (JSON/YAML or FHIR bundle)."),
        trial_id: str = typer.Argument(...),
        as_of: str = typer.Option(..., "--as-of", help="Evaluation date YYYY-MM-DD."),
        db: Optional[str] = typer.Option(None, "--db", help=_DB_HELP),
        file: list[Path] = typer.Option([], "--file", help="Read the trial from a registry file instead."),
        protocol: Optional[Path] = typer.Option(None, "--protocol", help="Protocol override YAML."),
        lang: Optional[str] = typer.Option(None, "--lang", help="en or zh (default: $HCCTRIALS_LANG, else en)."),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Evaluate a patient against a trial: verdict, each criterion's reason, what to measure."""
        from hcctrials.criteria import describe, evaluate_trial
        from hcctrials.criteria.compiler.describe_i18n import describe_for_reader
        from hcctrials.i18n import render, resolve_language, say
        from hcctrials.matching.localise import localise_reason, message_record
        from hcctrials.matching.explain import status_label, verdict_label
        from hcctrials.matching.matcher import CriterionRow
        from hcctrials.patients import load_patient

        language = resolve_language(lang)
        try:
            when = date.fromisoformat(as_of)
        except ValueError:
            raise InputError("expected a date YYYY-MM-DD", field="--as-of", value=as_of) from None
        from hcctrials.patients.plausibility import check_dates

        person = check_dates(load_patient(patient), when)
        compiled = _compiled(_find_trial(trial_id, db, file), protocol, "auto")
        verdict = evaluate_trial(compiled, person, as_of=when)  # the one trial verdict (criteria.verdict)
        rows = [CriterionRow(r.criterion.number, r.criterion.role, r.criterion.text, r.status, r.verdict.reason,
                             tuple(r.verdict.missing)) for r in verdict.results]
        if as_json:
            # every finding in the reader's language; codes and message ids beside them (docs/matching.md)
            typer.echo(json.dumps({
                "trial_id": verdict.trial_id, "status": verdict.status, "language": language,
                "patient_data_findings": [render(f, language) for f in person.data_findings],
                "patient_data_findings_messages": [message_record(f) for f in person.data_findings],
                "status_label": verdict_label(verdict.status, language),
                "to_measure": [render(i, language) for i in verdict.to_measure],
                "to_measure_messages": [message_record(i) for i in verdict.to_measure],
                "criteria": [{"role": r.criterion.role, "role_label": say(r.criterion.role, language),
                              "number": r.criterion.number, "status": r.status,
                              "status_label": status_label(row, language),
                              "reason": localise_reason(r.verdict.reason, language, criterion=r.criterion.text,
                                                        role=r.criterion.role),
                              "reason_message": message_record(r.verdict.reason),
                              "missing": [render(i, language) for i in r.verdict.missing],
                              "missing_messages": [message_record(i) for i in r.verdict.missing],
                              "rule": describe_for_reader(r.criterion.rule, language),
                              "rule_en": describe(r.criterion.rule)} for r, row in zip(verdict.results, rows)]},
                ensure_ascii=False, indent=2))
            return
        console = Console()
        table = Table(title=say("{trial} for {patient} on {date}: {verdict}", language, trial=verdict.trial_id,
                               patient=person.patient_id, date=when.isoformat(),
                               verdict=verdict_label(verdict.status, language)))
        for col in (say("role", language), "#", say("status", language), say("reason", language)):
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(say("exclusion", language) if row.role == "exclusion" else say("inclusion", language),
                          row.number, status_label(row, language),
                          localise_reason(row.reason, language, criterion=row.text, role=row.role))
        console.print(table)
        for finding in person.data_findings:
            console.print("! " + say("patient data: {finding}", language, finding=finding), highlight=False, markup=False)
        if verdict.to_measure:
            console.print(say("to measure next: {items}", language,
                              items=say("; ", language).join(render(i, language) for i in verdict.to_measure)))
