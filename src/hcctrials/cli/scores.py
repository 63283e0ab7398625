"""``hcctrials score PATIENT``: every liver score, stage and tumour-burden criterion with inputs.

Thin shell over :func:`hcctrials.patients.load_patient` and
:func:`hcctrials.scores.compute_patient_scores`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.errors import InputError

__all__ = ["register", "render_scores"]


def _fmt(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def render_scores(scores: object) -> list[Table]:
    """Rich tables for a :class:`~hcctrials.scores.PatientScores`."""
    from hcctrials.scores import PatientScores

    assert isinstance(scores, PatientScores)
    s = scores
    table = Table(title=f"Scores for {s.patient_id} as of {s.as_of.isoformat()} "
                        f"(labs within {s.lab_window_days} days)")
    for col in ("Score", "Value", "Class / stage", "Missing", "Variant / notes"):
        table.add_column(col, overflow="fold")
    cp = s.child_pugh
    table.add_row("Child-Pugh", _fmt(cp.points) if cp.points is not None else f"{cp.range_text} (range)",
                  cp.label or ("/".join(cp.classes_possible) + " possible"), ", ".join(cp.missing) or "-",
                  cp.variant + "; items " + ", ".join(f"{k}={_fmt(v)}" for k, v in cp.item_points.items()))
    table.add_row("ALBI", _fmt(s.albi.score), f"grade {s.albi.grade} (mALBI {s.albi.subgrade})"
                  if s.albi.grade else "unknown", ", ".join(s.albi.missing) or "-", s.albi.variant)
    for name, m in (("MELD", s.meld), ("MELD-Na", s.meld_na), ("MELD 3.0", s.meld_3)):
        table.add_row(name, _fmt(m.score), "-", ", ".join(m.missing) or "-",
                      "; ".join((m.variant,) + m.assumptions))
    table.add_row("BCLC", s.bclc.stage or "unknown", "possible: " + ", ".join(s.bclc.candidates),
                  ", ".join(s.bclc.missing) or "-", f"{s.bclc.variant}; {s.bclc.reason}")
    table.add_row("CNLC", s.cnlc.stage or "unknown", "possible: " + ", ".join(s.cnlc.candidates),
                  ", ".join(s.cnlc.missing) or "-", f"{s.cnlc.variant}; {s.cnlc.reason}")
    for name, t in (("Milan", s.milan), ("Up-to-seven", s.up_to_seven),
                    ("Six-and-twelve", s.six_and_twelve)):
        within = {True: "within", False: "beyond", None: "unknown"}[t.within]
        table.add_row(name, _fmt(t.value), t.stratum or within, ", ".join(t.missing) or "-", t.reason)
    table.add_row("ECOG", _fmt(s.ecog.value), "-", ", ".join(s.ecog.missing) or "-",
                  s.ecog.date.isoformat() if s.ecog.date else "")

    inputs = Table(title="Inputs used")
    for col in ("Input", "Value", "Unit", "Date", "As reported"):
        inputs.add_column(col, overflow="fold")
    for name, inp in s.inputs.items():
        reported = "" if inp.original_value is None else f"{_fmt(inp.original_value)} {inp.original_unit or ''}"
        inputs.add_row(name, _fmt(inp.value), inp.unit or "", inp.date.isoformat() if inp.date else "",
                       reported.strip())
    for name, why in s.unavailable.items():
        inputs.add_row(name, "missing", "", "", why)
    tables = [table, inputs]
    if s.findings:
        findings = Table(title="Data-quality findings")
        findings.add_column("Finding", overflow="fold")
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
    ) -> None:
        """Compute Child-Pugh, ALBI, MELD family, BCLC, CNLC, Milan, up-to-seven and 6&12 for PATIENT."""
        from hcctrials.patients import load_patient
        from hcctrials.scores import compute_patient_scores

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
        for table in render_scores(result):
            console.print(table)
