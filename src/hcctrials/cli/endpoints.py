"""CLI: ``hcctrials design simon|survival|fit``, ``hcctrials endpoints STUDY`` and
``hcctrials report STUDY``.  Thin shell over :mod:`hcctrials.endpoints` and
:mod:`hcctrials.reports`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.errors import InputError

__all__ = ["register"]

design_app = typer.Typer(help="Single-arm phase II designs and time-to-event sample sizes.",
                         no_args_is_help=True)


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


@design_app.command("simon")
def design_simon(
    p0: float = typer.Option(..., "--p0", help="Uninteresting response rate (H0)."),
    p1: float = typer.Option(..., "--p1", help="Desirable response rate (H1)."),
    alpha: float = typer.Option(0.05, "--alpha", help="One-sided type I error."),
    beta: float = typer.Option(0.20, "--beta", help="Type II error (1 - power)."),
    n_max: int = typer.Option(0, "--n-max", help="Largest total n searched (0: automatic)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Simon's optimal and minimax two-stage designs and the single-stage exact design."""
    from hcctrials.endpoints.design import compute_simon_designs

    res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta, n_max=n_max or None)
    if as_json:
        _echo_json({"p0": p0, "p1": p1, "alpha": alpha, "beta": beta,
                    "optimal": res.optimal.as_dict(), "minimax": res.minimax.as_dict(),
                    "single_stage": res.single_stage.__dict__})
        return
    t = Table(title=f"Simon two-stage designs, p0={p0}, p1={p1}, alpha={alpha}, beta={beta}")
    for col in ("design", "r1/n1", "r/n", "EN(p0)", "PET(p0)", "alpha", "power"):
        t.add_column(col)
    for d in (res.optimal, res.minimax):
        t.add_row(d.kind, f"{d.r1}/{d.n1}", f"{d.r}/{d.n}", f"{d.expected_n_p0:.1f}",
                  f"{d.pet_p0:.3f}", f"{d.alpha:.4f}", f"{d.power:.4f}")
    s = res.single_stage
    t.add_row("single-stage", "-", f">= {s.r} of {s.n}", f"{s.n}", "-", f"{s.alpha:.4f}",
              f"{s.power:.4f}")
    Console().print(t)
    typer.echo("Reject H0 (drug promising) if total responses > r; stop after stage 1 if <= r1.")


@design_app.command("survival")
def design_survival(
    hr: float = typer.Option(0.0, "--hr", help="Hazard ratio (experimental / control)."),
    median_control: float = typer.Option(0.0, "--median-control", help="Control/historical median."),
    median_experimental: float = typer.Option(0.0, "--median-experimental"),
    alpha: float = typer.Option(0.05, "--alpha", help="Two-sided type I error."),
    power: float = typer.Option(0.80, "--power"),
    single_arm: bool = typer.Option(False, "--single-arm", help="One-sample test vs historical median."),
    accrual: float = typer.Option(-1.0, "--accrual", help="Accrual duration (medians' unit)."),
    follow_up: float = typer.Option(-1.0, "--follow-up", help="Additional follow-up."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Events (and subjects) needed for a time-to-event endpoint."""
    from hcctrials.endpoints.design import compute_survival_sample_size

    res = compute_survival_sample_size(
        hazard_ratio=hr or None, median_control=median_control or None,
        median_experimental=median_experimental or None, alpha=alpha, power=power,
        single_arm=single_arm, accrual=None if accrual < 0 else accrual,
        follow_up=None if follow_up < 0 else follow_up)
    if as_json:
        _echo_json(res.__dict__)
    else:
        typer.echo(res.describe())


@design_app.command("fit")
def design_fit(
    n: int = typer.Option(..., "--n", help="Registered sample size."),
    alpha: float = typer.Option(0.05, "--alpha"),
    beta: float = typer.Option(0.20, "--beta"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Which common single-arm designs (p1 = p0 + 0.15 or + 0.20) give ``n`` with 0-20% drop-out."""
    from hcctrials.endpoints.design import compute_simon_designs, evaluate_single_stage

    rows = []
    for p0 in (0.05, 0.10, 0.15, 0.20, 0.25, 0.30):
        for delta in (0.15, 0.20):
            p1 = round(p0 + delta, 2)
            res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta)
            for d in (res.optimal, res.minimax, res.single_stage):
                kind = getattr(d, "kind", "single-stage")
                dropout = 1 - d.n / n if n >= d.n else None
                if dropout is not None and dropout <= 0.20:
                    rows.append({"p0": p0, "p1": p1, "design": kind, "evaluable_n": d.n,
                                 "implied_dropout": round(dropout, 3)})
            ss = evaluate_single_stage(n, p0, p1, alpha=alpha)
            rows.append({"p0": p0, "p1": p1, "design": f"single-stage with all {n}",
                         "evaluable_n": n, "cutoff_responses": ss.r,
                         "power": round(ss.power, 4)})
    if as_json:
        _echo_json(rows)
        return
    t = Table(title=f"Designs consistent with n = {n} (alpha={alpha}, beta={beta})")
    for col in ("p0", "p1", "design", "evaluable n", "drop-out / power"):
        t.add_column(col)
    for r in rows:
        extra = (f"drop-out {100 * r['implied_dropout']:.0f}%" if "implied_dropout" in r
                 else f">= {r['cutoff_responses']} responses, power {r['power']:.3f}")
        t.add_row(str(r["p0"]), str(r["p1"]), str(r["design"]), str(r["evaluable_n"]), extra)
    Console().print(t)


def endpoints_command(
    study: str = typer.Argument(..., help="Study folder, or 'example'."),
    conf_type: str = typer.Option("log-log", "--conf-type", help="log-log (default), log (R default) or plain."),
    criteria: list[str] = typer.Option([], "--criteria", help="Criteria sets (default: the study's)."),
    adtte: Path = typer.Option(None, "--adtte", help="Also write the ADTTE records (CSV)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """ORR/DCR with exact CIs, PFS/TTP/DoR/OS with KM medians and 6/12-month rates, safety overview."""
    from hcctrials.endpoints.study import analyse_study
    from hcctrials.reports.load import load_study

    data = load_study(study)
    res = analyse_study(data, criteria=criteria or None, conf_type=conf_type)
    if adtte is not None:  # ADaM ADTTE: USUBJID, one record per parameter (OS once, PFS/TTP/DoR per criteria set)
        from hcctrials.endpoints.adam import build_adam

        build_adam(data, res)["ADTTE"].to_csv(adtte, index=False)
    if as_json:
        _echo_json(res.as_dict())
        return
    con = Console()
    con.print(f"[bold]{res.info.get('title_en', res.info.get('study_id'))}[/]  "
              f"(treated N = {res.n_treated}; band: {res.conf_type})")
    for c, a in res.by_criteria.items():
        con.print(f"\n[bold]{a.title}[/]")
        con.print("  " + a.orr.describe())
        con.print("  " + a.dcr.describe())
        if a.orr.non_evaluable:
            con.print(f"  non-evaluable (kept in denominator): {', '.join(a.orr.non_evaluable)}")
        for s in a.summaries.values():
            con.print("  " + s.describe().replace("\n", "\n  "))
    con.print("\n[bold]Safety[/]")
    for _, r in res.safety_overview.iterrows():
        con.print(f"  {r['category']}: {r['n_pct']}")


def report_command(
    study: str = typer.Argument(..., help="Study folder, or 'example'."),
    output: Path = typer.Option(..., "-o", "--output", help="report.html or report.pdf"),
    lang: Optional[str] = typer.Option(None, "--lang", help="zh or en (default: $HCCTRIALS_LANG, else en)"),
    conf_type: str = typer.Option("log-log", "--conf-type"),
) -> None:
    """Write the study report (HTML or PDF by the output suffix)."""
    from datetime import date

    from hcctrials.i18n import resolve_language, say
    from hcctrials.reports.load import load_study
    from hcctrials.reports.render import write_report

    language = resolve_language(lang)
    out = write_report(load_study(study), output, lang=language, conf_type=conf_type,
                       generated_on=date.today())
    typer.echo(say("report written: {path}", language, path=out))


def register(app: typer.Typer) -> None:
    """Add the design, endpoints and report commands to *app*."""
    app.add_typer(design_app, name="design")
    app.command("endpoints")(endpoints_command)
    app.command("report")(report_command)
