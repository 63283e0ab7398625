"""``hcctrials score PATIENT``: every liver score, stage and tumour-burden criterion with inputs.

Thin shell over :func:`hcctrials.patients.load_patient` and
:func:`hcctrials.scores.compute_patient_scores`.
"""

from __future__ import annotations

import json
from datetime import date
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.cli.options import lang_option
from hcctrials.errors import InputError
from hcctrials.i18n import resolve_language, say

__all__ = ["register", "render_scores"]


def _fmt(value: object, language: str = "en") -> str:
    if value is None:
        return say("unknown", language)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _words(items: Iterable[str], language: str) -> str:
    """Missing inputs and similar vocabulary in the reader's language (the catalog's word, else as written)."""
    return ", ".join(say(str(item), language) for item in items) or "-"


def render_scores(scores: object, language: str = "en") -> list[Table]:
    """Rich tables for a :class:`~hcctrials.scores.PatientScores`, in *language*."""
    from hcctrials.scores import PatientScores

    assert isinstance(scores, PatientScores)
    s = scores
    lang = language
    table = Table(title=say("Scores for {patient} as of {as_of} (labs within {days} days)", lang,
                            patient=s.patient_id, as_of=s.as_of.isoformat(), days=s.lab_window_days))
    for col in ("Score", "Value", "Class / stage", "Missing", "Variant / notes"):
        table.add_column(say(col, lang), overflow="fold")
    cp = s.child_pugh
    possible = say("{classes} possible", lang, classes="/".join(cp.classes_possible))
    table.add_row("Child-Pugh", _fmt(cp.points, lang) if cp.points is not None else say("{range} (range)", lang,
                                                                                          range=cp.range_text),
                  cp.label or possible, _words(cp.missing, lang),
                  cp.variant + "; " + say("items", lang) + " " + ", ".join(f"{k}={_fmt(v, lang)}"
                                                                             for k, v in cp.item_points.items()))
    table.add_row("ALBI", _fmt(s.albi.score, lang),
                  say("grade {grade} (mALBI {subgrade})", lang, grade=s.albi.grade, subgrade=s.albi.subgrade)
                  if s.albi.grade else say("unknown", lang), _words(s.albi.missing, lang), s.albi.variant)
    for name, m in (("MELD", s.meld), ("MELD-Na", s.meld_na), ("MELD 3.0", s.meld_3)):
        table.add_row(name, _fmt(m.score, lang), "-", _words(m.missing, lang), "; ".join((m.variant,) + m.assumptions))
    for name, st in (("BCLC", s.bclc), ("CNLC", s.cnlc)):
        table.add_row(name, st.stage or say("unknown", lang), say("possible: {stages}", lang,
                                                                  stages=", ".join(st.candidates)),
                      _words(st.missing, lang), f"{st.variant}; {st.reason}")
    within_words = {True: say("within", lang), False: say("beyond", lang), None: say("unknown", lang)}
    for name, t in ((say("Milan", lang), s.milan), (say("Up-to-seven", lang), s.up_to_seven),
                    (say("Six-and-twelve", lang), s.six_and_twelve)):
        table.add_row(name, _fmt(t.value, lang), t.stratum or within_words[t.within], _words(t.missing, lang), t.reason)
    table.add_row("ECOG", _fmt(s.ecog.value, lang), "-", _words(s.ecog.missing, lang),
                  s.ecog.date.isoformat() if s.ecog.date else "")

    inputs = Table(title=say("Inputs used", lang))
    for col in ("Input", "Value", "Unit", "Date", "As reported"):
        inputs.add_column(say(col, lang), overflow="fold")
    for name, inp in s.inputs.items():
        reported = "" if inp.original_value is None else f"{_fmt(inp.original_value, lang)} {inp.original_unit or ''}"
        inputs.add_row(say(name, lang), _fmt(inp.value, lang), inp.unit or "", inp.date.isoformat() if inp.date else "",
                       reported.strip())
    for name, why in s.unavailable.items():
        inputs.add_row(say(name, lang), say("missing", lang), "", "", why)
    tables = [table, inputs]
    if s.findings:
        findings = Table(title=say("Data-quality findings", lang))
        findings.add_column(say("Finding", lang), overflow="fold")
        for f in s.findings:
            findings.add_row(f)
        tables.append(findings)
    return tables


def register(app: typer.Typer) -> None:
    """Add the ``score`` command to *app*."""

    @app.command("score")
    def score(
        patient: Path = typer.Argument(..., help="Patient file: JSON/YAML (docs/patients.md) or a FHIR R4 Bundle."),
        as_of: str = typer.Option(None, "--as-of", help="Date of the assessment (YYYY-MM-DD); default today."),
        lab_window_days: int = typer.Option(28, "--lab-window-days", min=0,
                                            help="Use labs at most N days before --as-of."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
        lang: Optional[str] = lang_option(),
    ) -> None:
        """Compute Child-Pugh, ALBI, MELD family, BCLC, CNLC, Milan, up-to-seven and 6&12 for PATIENT."""
        from hcctrials.patients import load_patient
        from hcctrials.scores import compute_patient_scores

        language = resolve_language(lang)
        if as_of is None:
            when = date.today()  # the CLI (not the core) may read the clock
        else:
            try:
                when = date.fromisoformat(as_of)
            except ValueError:
                raise InputError("--as-of must be a date YYYY-MM-DD", field="--as-of",
                                 value=as_of) from None
        from hcctrials.patients.plausibility import check_dates

        result = compute_patient_scores(check_dates(load_patient(patient), when), as_of=when,
                                        lab_window_days=lab_window_days)
        if as_json:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
            return
        console = Console()
        for table in render_scores(result, language):
            console.print(table)
