"""CLI: ``hcctrials design simon|survival|fit|gsd``, ``hcctrials endpoints STUDY [--by arm]``
and ``hcctrials report STUDY``.  Thin shell over :mod:`hcctrials.endpoints` and
:mod:`hcctrials.reports`: every number printed is the library's, every text goes through
:func:`hcctrials.i18n.say` (Chinese in ``comparative.po``), ``--lang`` (default
``$HCCTRIALS_LANG``, else English) on every command."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from hcctrials.i18n import resolve_language, say

__all__ = ["register"]

design_app = typer.Typer(help="Single-arm phase II designs, time-to-event sample sizes and "
                              "group-sequential designs.", no_args_is_help=True)

_LANG_HELP = "zh or en (default: $HCCTRIALS_LANG, else en)."


def _lang_option() -> Any:
    return typer.Option(None, "--lang", help=_LANG_HELP)


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(value: object) -> object:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _clean(value: Any) -> Any:
    """Floats that are NaN or infinite become None (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class IndentedConsole:
    """A console for the indented text reports of ``endpoints`` and ``design``.

    On a terminal a long line wraps to the terminal's width keeping its indentation, with a
    hanging indent of two more columns (the terminal's own wrapping would restart continuation
    lines at column 0 and lose the outline); rich measures East Asian wide characters, so Chinese
    lines wrap at the right column too.  Piped or redirected output keeps each line whole (for grep
    and diff).  Text is rich markup, as with :meth:`rich.console.Console.print`."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)

    def print(self, text: Any = "", **kwargs: Any) -> None:
        if not isinstance(text, str) or not self.console.is_terminal:
            self.console.print(text, **kwargs)
            return
        from rich.text import Text

        width = self.console.width
        for line in text.split("\n"):
            body = line.lstrip(" ")
            indent = len(line) - len(body)
            lines = Text.from_markup(body).wrap(self.console, max(width - indent - 2, 20))
            for k, part in enumerate(lines):
                part.rstrip()
                self.console.print(Text(" " * (indent + (2 if k else 0))) + part, soft_wrap=True)


def _console() -> IndentedConsole:
    return IndentedConsole()


# ================================================================= design simon / survival / fit

@design_app.command("simon")
def design_simon(
    p0: float = typer.Option(..., "--p0", help="Uninteresting response rate (H0)."),
    p1: float = typer.Option(..., "--p1", help="Desirable response rate (H1)."),
    alpha: float = typer.Option(0.05, "--alpha", help="One-sided type I error."),
    beta: float = typer.Option(0.20, "--beta", help="Type II error (1 - power)."),
    n_max: int = typer.Option(0, "--n-max", help="Largest total n searched (0: automatic)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    lang: Optional[str] = _lang_option(),
) -> None:
    """Simon's optimal and minimax two-stage designs and the single-stage exact design."""
    from hcctrials.endpoints.design import compute_simon_designs

    language = resolve_language(lang)
    res = compute_simon_designs(p0, p1, alpha=alpha, beta=beta, n_max=n_max or None)
    if as_json:
        _echo_json({"p0": p0, "p1": p1, "alpha": alpha, "beta": beta,
                    "optimal": res.optimal.as_dict(), "minimax": res.minimax.as_dict(),
                    "single_stage": res.single_stage.__dict__})
        return
    t = Table(title=say("Simon two-stage designs, p0={p0}, p1={p1}, alpha={alpha}, beta={beta}",
                        language, p0=p0, p1=p1, alpha=alpha, beta=beta))
    for col in (say("design", language), "r1/n1", "r/n", "EN(p0)", "PET(p0)", "EN(p1)",
                "alpha", say("power", language)):
        t.add_column(col)
    kinds = {"optimal": say("optimal", language), "minimax": say("minimax", language)}
    for d in (res.optimal, res.minimax):
        t.add_row(kinds.get(d.kind, d.kind), f"{d.r1}/{d.n1}", f"{d.r}/{d.n}",
                  f"{d.expected_n_p0:.1f}", f"{d.pet_p0:.3f}", f"{d.expected_n_p1:.1f}",
                  f"{d.alpha:.4f}", f"{d.power:.4f}")
    s = res.single_stage
    t.add_row(say("single-stage", language), "-",
              say(">= {r} of {n}", language, r=s.r, n=s.n), f"{s.n}", "-", f"{s.n}",
              f"{s.alpha:.4f}", f"{s.power:.4f}")
    _console().print(t)
    typer.echo(say("Reject H0 (drug promising) if total responses > r; stop after stage 1 if "
                   "<= r1.", language))


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
    lang: Optional[str] = _lang_option(),
) -> None:
    """Events (and subjects) needed for a time-to-event endpoint."""
    from hcctrials.endpoints.design import compute_survival_sample_size

    language = resolve_language(lang)
    res = compute_survival_sample_size(
        hazard_ratio=hr or None, median_control=median_control or None,
        median_experimental=median_experimental or None, alpha=alpha, power=power,
        single_arm=single_arm, accrual=None if accrual < 0 else accrual,
        follow_up=None if follow_up < 0 else follow_up)
    if as_json:
        _echo_json(res.__dict__)
        return
    design = (say("single arm vs historical median", language) if single_arm
              else say("two arms", language))
    formula = (say("one-sample exponential test: d = (z_{1-a/2} + z_{1-b})^2 / ln^2(HR)",
                   language) if single_arm else
               say("Schoenfeld: d = (z_{1-a/2} + z_{1-b})^2 / (q(1-q) ln^2 HR)", language))
    typer.echo(say("{design}: {events} events ({exact} before rounding up) for HR {hr} "
                   "(two-sided alpha {alpha}, power {power}); {formula}", language,
                   design=design, events=res.events, exact=f"{res.events_exact:.2f}",
                   hr=f"{res.hazard_ratio:.3f}", alpha=res.alpha, power=res.power,
                   formula=formula))
    if res.subjects is not None and res.probability_of_event is not None:
        typer.echo(say("{subjects} subjects: events / P(event) with P(event) = {p} (uniform "
                       "accrual, exponential survival)", language, subjects=res.subjects,
                       p=f"{res.probability_of_event:.4f}"))


@design_app.command("fit")
def design_fit(
    n: int = typer.Option(..., "--n", help="Registered sample size."),
    alpha: float = typer.Option(0.05, "--alpha"),
    beta: float = typer.Option(0.20, "--beta"),
    as_json: bool = typer.Option(False, "--json"),
    lang: Optional[str] = _lang_option(),
) -> None:
    """Which common single-arm designs (p1 = p0 + 0.15 or + 0.20) give ``n`` with 0-20% drop-out."""
    from hcctrials.endpoints.design import compute_simon_designs, evaluate_single_stage

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    language = resolve_language(lang)
    rows = []
    pairs = [(p0, round(p0 + delta, 2)) for p0 in (0.05, 0.10, 0.15, 0.20, 0.25, 0.30) for delta in (0.15, 0.20)]
    err = Console(stderr=True)
    # each Simon search takes 1-3 s: a progress bar on a terminal (stderr, removed when done), none in pipes
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    with progress:
        task = progress.add_task(say("Searching Simon designs", language), total=len(pairs))
        for p0, p1 in pairs:
            progress.update(task, description=say("Searching Simon designs (p0 = {p0}, p1 = {p1})", language,
                                                  p0=p0, p1=p1))
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
            progress.advance(task)
    if as_json:
        _echo_json(rows)
        return
    t = Table(title=say("Designs consistent with n = {n} (alpha={alpha}, beta={beta})", language,
                        n=n, alpha=alpha, beta=beta))
    for col in ("p0", "p1", say("design", language), say("evaluable n", language),
                say("drop-out / power", language)):
        t.add_column(col)
    kinds = {"optimal": say("optimal", language), "minimax": say("minimax", language),
             "single-stage": say("single-stage", language)}
    for r in rows:
        if "implied_dropout" in r:
            extra = say("drop-out {pct}%", language, pct=f"{100 * r['implied_dropout']:.0f}")
            kind = kinds.get(str(r["design"]), str(r["design"]))
        else:
            extra = say(">= {r} responses, power {power}", language, r=r["cutoff_responses"],
                        power=f"{r['power']:.3f}")
            kind = say("single-stage with all {n}", language, n=n)
        t.add_row(str(r["p0"]), str(r["p1"]), kind, str(r["evaluable_n"]), extra)
    _console().print(t)


# ================================================================= design gsd

_DESIGN_TYPES = {"asOF": "OF", "asP": "P", "asHSD": "HSD"}
_BETA_TYPES = {"none": None, "bsOF": "OF", "bsP": "P", "bsHSD": "HSD"}


def _information_rates(looks: int, rates: list[str]) -> list[float]:
    if rates:
        out: list[float] = []
        for item in rates:
            for part in item.replace(";", ",").split(","):
                part = part.strip()
                if not part:
                    continue
                try:
                    out.append(float(part))
                except ValueError:
                    raise typer.BadParameter(f"not a number: {part!r}",
                                             param_hint="--information-rates") from None
        if looks and looks != len(out):
            raise typer.BadParameter(f"{len(out)} information rates for {looks} looks",
                                     param_hint="--looks")
        return out
    if looks < 1:
        raise typer.BadParameter("give --looks K (K >= 1) or --information-rates",
                                 param_hint="--looks")
    return [k / looks for k in range(1, looks + 1)]


@design_app.command("gsd")
def design_gsd(
    alpha: float = typer.Option(0.025, "--alpha", help="One-sided type I error."),
    beta: float = typer.Option(0.20, "--beta", help="Type II error (1 - power)."),
    looks: int = typer.Option(0, "--looks", help="Number of equally spaced looks (incl. the final one)."),
    information_rates: list[str] = typer.Option(
        [], "--information-rates", help="Information fractions, e.g. 0.5,0.75,1 (last = 1)."),
    type_of_design: str = typer.Option("asOF", "--type-of-design",
                                       help="Alpha spending: asOF (O'Brien-Fleming type), asP "
                                            "(Pocock type) or asHSD."),
    gamma_alpha: float = typer.Option(-4.0, "--gamma-alpha", help="HSD parameter of asHSD."),
    futility: str = typer.Option("none", "--futility",
                                 help="Non-binding futility by beta spending: none, bsOF, bsP "
                                      "or bsHSD."),
    gamma_beta: float = typer.Option(-2.0, "--gamma-beta", help="HSD parameter of bsHSD."),
    hazard_ratio: float = typer.Option(0.0, "--hazard-ratio",
                                       help="Hazard ratio to detect (events needed per look)."),
    allocation_ratio: float = typer.Option(1.0, "--allocation-ratio",
                                           help="Experimental : control allocation."),
    as_json: bool = typer.Option(False, "--json"),
    lang: Optional[str] = _lang_option(),
) -> None:
    """Group-sequential design: Lan-DeMets efficacy boundaries, non-binding futility
    boundaries and events per look (R rpact getDesignGroupSequential /
    getSampleSizeSurvival)."""
    from hcctrials.endpoints.gsd import (
        compute_group_sequential_design, compute_survival_group_sequential,
    )

    language = resolve_language(lang)
    if type_of_design not in _DESIGN_TYPES:
        raise typer.BadParameter(f"{type_of_design!r}: use asOF, asP or asHSD",
                                 param_hint="--type-of-design")
    if futility not in _BETA_TYPES:
        raise typer.BadParameter(f"{futility!r}: use none, bsOF, bsP or bsHSD",
                                 param_hint="--futility")
    rates = _information_rates(looks, information_rates)
    g = compute_group_sequential_design(
        rates, alpha=alpha, beta=beta, spending=_DESIGN_TYPES[type_of_design],
        gamma_alpha=gamma_alpha, beta_spending=_BETA_TYPES[futility], gamma_beta=gamma_beta)
    surv = (compute_survival_group_sequential(g, hazard_ratio=hazard_ratio,
                                              allocation_ratio=allocation_ratio)
            if hazard_ratio else None)
    if as_json:
        out: dict[str, Any] = {
            "alpha": g.alpha, "beta": g.beta, "type_of_design": type_of_design,
            "futility": futility, "information_rates": g.information_rates.tolist(),
            "efficacy_z": g.efficacy_z.tolist(), "efficacy_p": g.efficacy_p.tolist(),
            "alpha_spent": g.alpha_spent.tolist(), "futility_z": g.futility_z.tolist(),
            "beta_spent": g.beta_spent.tolist(), "rejection_h1": g.rejection_h1.tolist(),
            "futility_h1": g.futility_h1.tolist(), "power": g.power, "shift": g.shift,
            "inflation_factor": g.inflation_factor,
            "expected_information_h1": g.expected_information_h1,
            "expected_information_h01": g.expected_information_h01,
            "expected_information_h0": g.expected_information_h0}
        if surv is not None:
            out.update({"hazard_ratio": surv.hazard_ratio,
                        "allocation_ratio": surv.allocation_ratio,
                        "max_events_exact": surv.max_events_exact, "max_events": surv.max_events,
                        "events_per_look_exact": surv.events_per_look_exact.tolist(),
                        "events_per_look": list(surv.events_per_look),
                        "expected_events_h1": surv.expected_events_h1,
                        "expected_events_h01": surv.expected_events_h01,
                        "expected_events_h0": surv.expected_events_h0})
        _echo_json(_clean(out))
        return
    spend_name = {"asOF": say("O'Brien-Fleming type", language),
                  "asP": say("Pocock type", language),
                  "asHSD": say("Hwang-Shih-DeCani", language)}
    fut_name = {"none": say("none", language), "bsOF": say("O'Brien-Fleming type", language),
                "bsP": say("Pocock type", language), "bsHSD": say("Hwang-Shih-DeCani", language)}
    typer.echo(say("{k}-look group-sequential design, one-sided alpha {alpha}, power {power}; "
                   "efficacy: Lan-DeMets {spending}; non-binding futility: {futility}",
                   language, k=g.looks, alpha=f"{g.alpha:g}", power=f"{1 - g.beta:g}",
                   spending=spend_name[type_of_design], futility=fut_name[futility]))
    for k in range(g.looks):
        events = "" if surv is None else say(
            ", {events} events ({exact})", language, events=surv.events_per_look[k],
            exact=f"{surv.events_per_look_exact[k]:.2f}")
        fz = g.futility_z[k]
        fut = "" if not math.isfinite(fz) else say("; stop for futility if Z < {z}", language,
                                                   z=f"{fz:.4f}")
        typer.echo("  " + say("look {k}: information {info}{events}; reject H0 if Z >= {z} "
                              "(one-sided p <= {p}), cumulative alpha {alpha}{futility}; "
                              "P(efficacy stop | H1) {reject}", language, k=k + 1,
                              info=f"{g.information_rates[k]:.3f}", events=events,
                              z=f"{g.efficacy_z[k]:.4f}", p=f"{g.efficacy_p[k]:.5f}",
                              alpha=f"{g.alpha_spent[k]:.5f}", futility=fut,
                              reject=f"{g.rejection_h1[k]:.4f}"))
    typer.echo(say("power {power}; inflation factor {inflation} (maximum information relative "
                   "to a fixed design)", language, power=f"{g.power:.4f}",
                   inflation=f"{g.inflation_factor:.4f}"))
    if surv is not None:
        typer.echo(say("HR {hr}, allocation {ratio}:1: maximum {events} events ({exact} "
                       "exactly); expected {h1} events under H1, {h0} under H0 (Schoenfeld)",
                       language, hr=f"{surv.hazard_ratio:g}", ratio=f"{surv.allocation_ratio:g}",
                       events=surv.max_events, exact=f"{surv.max_events_exact:.2f}",
                       h1=f"{surv.expected_events_h1:.1f}", h0=f"{surv.expected_events_h0:.1f}"))


# ================================================================= endpoints

def _median_line(s: Any, language: str) -> str:
    from hcctrials.endpoints.survival import DAYS_PER_MONTH

    if s.n == 0 or s.median is None:
        return say("not estimable: no subjects in the analysis set", language)
    if s.events == 0:
        return say("not estimable: no events among {n} subjects (median not reached)", language,
                   n=s.n)
    m = s.median

    def v(x: float | None) -> str:
        return say("not reached", language) if x is None else f"{x / DAYS_PER_MONTH:.1f}"

    if m.estimate is None:  # no unit after "not reached"
        return say("median not reached (95% CI {lower} to {upper}, {band} band)", language,
                   lower=v(m.lower), upper=v(m.upper), band=s.conf_type)
    return say("median {median} months (95% CI {lower} to {upper}, {band} band)", language,
               median=v(m.estimate), lower=v(m.lower), upper=v(m.upper), band=s.conf_type)


def _landmark_line(lm: Any, language: str) -> str:
    from hcctrials.endpoints.survival import DAYS_PER_MONTH

    at = f"{lm.time / DAYS_PER_MONTH:g}"
    if not lm.estimable or lm.lower is None or lm.upper is None:
        return say("rate at {months} months: not estimable (beyond the last follow-up; 0 at risk)",
                   language, months=at)
    return say("rate at {months} months: {rate}% (95% CI {lower}% to {upper}%; {n} at risk)",
               language, months=at, rate=f"{100 * lm.survival:.1f}",
               lower=f"{100 * lm.lower:.1f}", upper=f"{100 * lm.upper:.1f}", n=lm.n_risk)


def _proportion_line(name: str, p: Any, language: str) -> str:
    if p.n == 0 or p.estimate is None:
        return say("{name}: not estimable (no subjects in the denominator)", language, name=name)
    return say("{name}: {count}/{n} = {rate}% (95% CI {lower}% to {upper}%, Clopper-Pearson)",
               language, name=name, count=p.count, n=p.n, rate=f"{100 * p.estimate:.1f}",
               lower=f"{100 * (p.lower or 0.0):.1f}",
               upper=f"{100 * (p.upper if p.upper is not None else 1.0):.1f}")


def _print_single_arm(res: Any, language: str) -> None:
    from hcctrials.reports.i18n import data_text

    con = _console()
    title = (res.info.get("title_zh") if language == "zh" else None) or \
        res.info.get("title_en", res.info.get("study_id"))
    con.print(f"[bold]{title}[/]  " + say("(treated N = {n}; band: {band})", language,
                                          n=res.n_treated, band=res.conf_type))
    for a in res.by_criteria.values():
        con.print(f"\n[bold]{data_text(a.title, language)}[/]")
        con.print("  " + _proportion_line("ORR", a.orr, language))
        con.print("  " + _proportion_line("DCR", a.dcr, language))
        if a.orr.non_evaluable:
            con.print("  " + say("non-evaluable (kept in denominator): {subjects}", language,
                                 subjects=", ".join(a.orr.non_evaluable)))
        for s in a.summaries.values():
            con.print("  " + say("{code}: {n} subjects, {events} events; {median}", language,
                                 code=s.paramcd, n=s.n, events=s.events,
                                 median=_median_line(s, language)))
            for lm in s.landmarks:
                con.print("    " + _landmark_line(lm, language))
    con.print("\n[bold]" + say("Safety", language) + "[/]")
    for _, r in res.safety_overview.iterrows():
        con.print(f"  {data_text(r['category'], language)}: {r['n_pct']}")


def _print_two_arm(t: Any, study: Any, language: str) -> None:
    from hcctrials.endpoints.survival import DAYS_PER_MONTH
    from hcctrials.reports.i18n import data_text
    from hcctrials.reports.two_arm import (
        arm_label, endpoint_name, format_p, hr_text, set_name,
    )

    con = _console()
    info = study.info
    title = (info.get("title_zh") if language == "zh" else None) or info.get("title_en") or t.study_id
    con.print(f"[bold]{title}[/]")
    con.print(say("Analysis set: {set}; criteria: {criteria}; band: {band}", language,
                  set=set_name(t.analysis_set, language),
                  criteria=data_text(t.criteria_title, language), band=t.conf_type))
    exp, ctl = t.arms
    con.print(say("Arms: {exp} (experimental, n = {n_exp}) vs {ctl} (control, n = {n_ctl})",
                  language, exp=arm_label(exp, language), n_exp=t.n_by_arm[exp],
                  ctl=arm_label(ctl, language), n_ctl=t.n_by_arm[ctl]))
    if t.strata:
        con.print(say("Stratified by: {strata}", language, strata=", ".join(t.strata)))
    for code, e in t.endpoints.items():
        con.print(f"\n[bold]{code}: {endpoint_name(e.definition, language)}[/]")
        for a in t.arms:
            s = e.by_arm[a]
            con.print("  " + say("{arm}: {n} subjects, {events} events; {median}", language,
                                 arm=arm_label(a, language), n=s.n, events=s.events,
                                 median=_median_line(s, language)))
            for lm in s.landmarks:
                con.print("    " + _landmark_line(lm, language))
        lr = e.log_rank
        if lr.strata:
            con.print("  " + say("log-rank test stratified by {k} strata: chi-square {chisq} on "
                                 "{df} df, p = {p}", language, k=len(lr.strata),
                                 chisq=f"{lr.chisq:.4f}", df=lr.df, p=format_p(lr.p_value)))
        else:
            con.print("  " + say("log-rank test: chi-square {chisq} on {df} df, p = {p}",
                                 language, chisq=f"{lr.chisq:.4f}", df=lr.df,
                                 p=format_p(lr.p_value)))
        cox = e.cox
        con.print("  " + say("Cox model ({ties} ties{strat}): {hr}; Wald p = {wald}, score p = "
                             "{score}, likelihood-ratio p = {lr}", language,
                             ties="Efron" if cox.ties == "efron" else "Breslow",
                             strat=say(", stratified", language) if cox.strata else "",
                             hr=hr_text(cox, language), wald=format_p(cox.wald.p_value),
                             score=format_p(cox.score.p_value),
                             lr=format_p(cox.likelihood_ratio.p_value)))
        con.print("  " + say("proportional hazards (cox.zph, global): chi-square {chisq}, p = {p}",
                             language, chisq=f"{e.zph.global_test.chisq:.4f}",
                             p=format_p(e.zph.global_test.p_value)))
        tau = f"{t.tau_days / DAYS_PER_MONTH:g}"
        if e.rmst is None:
            con.print("  " + say("RMST to {tau} months: not estimable (the shorter-followed arm "
                                 "ends at {limit} months; choose a smaller --tau)", language,
                                 tau=tau, limit=f"{e.rmst_limit_days / DAYS_PER_MONTH:.2f}"))
        else:
            r = e.rmst

            def mo(x: float) -> str:
                return f"{x / DAYS_PER_MONTH:.2f}"

            con.print("  " + say("RMST to {tau} months: {exp} {m_exp} (95% CI {lo_exp} to "
                                 "{up_exp}), {ctl} {m_ctl} (95% CI {lo_ctl} to {up_ctl}) months",
                                 language, tau=tau, exp=arm_label(exp, language),
                                 m_exp=mo(r.experimental.rmst), lo_exp=mo(r.experimental.lower),
                                 up_exp=mo(r.experimental.upper), ctl=arm_label(ctl, language),
                                 m_ctl=mo(r.reference.rmst), lo_ctl=mo(r.reference.lower),
                                 up_ctl=mo(r.reference.upper)))
            d, q = r.difference, r.ratio
            con.print("    " + say("difference {diff} months (95% CI {lower} to {upper}), p = "
                                   "{p}; ratio {ratio} (95% CI {rlo} to {rup}), p = {rp}",
                                   language, diff=f"{d.estimate / DAYS_PER_MONTH:+.2f}",
                                   lower=mo(d.lower), upper=mo(d.upper), p=format_p(d.p_value),
                                   ratio=f"{q.estimate:.3f}", rlo=f"{q.lower:.3f}",
                                   rup=f"{q.upper:.3f}", rp=format_p(q.p_value)))
        _print_subgroups(t, code, language)
    _print_competing(t, language)
    con.print("\n[bold]" + say("Response by arm ({criteria}, confirmed)", language,
                               criteria=data_text(t.criteria_title, language)) + "[/]")
    for name, r in t.rates.items():
        for a in t.arms:
            con.print("  " + arm_label(a, language) + ": " +
                      _proportion_line(name, r.by_arm[a], language))
        d = r.difference
        con.print("  " + say("{name} difference {diff} percentage points (95% CI {lower} to "
                             "{upper}, Miettinen-Nurminen)", language, name=name,
                             diff=f"{100 * d.estimate:+.1f}", lower=f"{100 * d.lower:.1f}",
                             upper=f"{100 * d.upper:.1f}"))
        s = r.stratified
        if s is not None:
            con.print("  " + say("CMH over {k} strata: Mantel-Haenszel odds ratio {or_} (95% CI "
                                 "{lower} to {upper}); CMH chi-square {chisq}, p = {p}; MH risk "
                                 "difference {rd} points (95% CI {rdlo} to {rdup})", language,
                                 k=len(s.strata), or_=f"{s.odds_ratio:.3f}",
                                 lower=f"{s.odds_ratio_lower:.3f}",
                                 upper=f"{s.odds_ratio_upper:.3f}",
                                 chisq=f"{s.cmh_statistic:.4f}", p=format_p(s.cmh_p_value),
                                 rd=f"{100 * s.risk_difference:+.1f}",
                                 rdlo=f"{100 * s.risk_difference_lower:.1f}",
                                 rdup=f"{100 * s.risk_difference_upper:.1f}"))
        elif r.stratified_note:
            con.print("  " + say("CMH not estimable: {reason}", language, reason=r.stratified_note))


def _subgroup_label(factor: str, level: str, language: str) -> str:
    """"BCLC stage: B", "Sex: Female", "All subjects" (the forest plot's row labels)."""
    from hcctrials.reports.two_arm import factor_name

    if factor == "all":
        return say("All subjects", language)
    shown = {("sex", "F"): say("Female", language), ("sex", "M"): say("Male", language)}
    return say("{factor}: {level}", language, factor=factor_name(factor, language),
               level=shown.get((factor, level), level))


def _print_subgroups(t: Any, code: str, language: str) -> None:
    """The forest plot in words: the unstratified Cox HR (Efron ties) of the experimental arm
    within each subgroup level, and per factor the likelihood-ratio test of the arm x subgroup
    interaction (R ``anova(coxph(~ arm + f), coxph(~ arm * f))``; Wang et al., NEJM
    2007;357:2189-94: report the interaction test, not per-subgroup p-values)."""
    rows = t.subgroups.get(code)
    if not rows:
        return
    con = _console()
    tests = t.interactions.get(code, {})
    con.print("  " + say("Hazard ratio by subgroup (unstratified Cox model, Efron ties; "
                         "exploratory):", language))
    previous: str = "all"
    for r in rows:
        if r.factor != previous and previous != "all":
            _print_interaction(con, previous, tests.get(previous), language)
        previous = str(r.factor)
        if r.hazard_ratio is None or r.lower is None or r.upper is None:
            hr = say("HR not estimable (an arm without subjects or events)", language)
        else:
            hr = say("HR {hr} (95% CI {lower} to {upper})", language, hr=f"{r.hazard_ratio:.3f}",
                     lower=f"{r.lower:.3f}", upper=f"{r.upper:.3f}")
        con.print("    " + say("{subgroup}: {n} subjects, {events} events; {hr}", language,
                               subgroup=_subgroup_label(r.factor, r.level, language), n=r.n,
                               events=r.events, hr=hr))
    if previous != "all":
        _print_interaction(con, previous, tests.get(previous), language)


def _print_interaction(con: IndentedConsole, factor: str, test: Any, language: str) -> None:
    from hcctrials.reports.two_arm import factor_name, format_p

    name = factor_name(factor, language)
    if test is None:
        con.print("      " + say("treatment x subgroup interaction ({factor}): not estimable",
                                 language, factor=name))
        return
    con.print("      " + say("treatment x subgroup interaction ({factor}; Cox likelihood ratio): "
                             "chi-square {chisq} on {df} df, p = {p}", language, factor=name,
                             chisq=f"{test.chisq:.4f}", df=test.df, p=format_p(test.p_value)))


def _print_competing(t: Any, language: str) -> None:
    """TTP with death without progression competing: cumulative incidence by arm at the landmarks,
    Gray's test and the Fine-Gray subdistribution HR of progression (R cmprsk)."""
    import numpy as np

    from hcctrials.endpoints.competing import DEATH_WITHOUT_PROGRESSION, PROGRESSION
    from hcctrials.endpoints.survival import DAYS_PER_MONTH
    from hcctrials.reports.two_arm import arm_label, format_p

    cr = t.competing
    if cr is None:
        return
    con = _console()
    con.print("\n[bold]" + say("Progression with death as competing risk", language) + "[/]")
    causes = {str(PROGRESSION): say("progression", language),
              str(DEATH_WITHOUT_PROGRESSION): say("death without progression", language)}
    times = np.asarray(t.landmark_days, dtype=float)
    for cause, word in causes.items():
        for a in t.arms:
            if (a, cause) not in cr.curves:
                continue
            est, _var = cr.curves[(a, cause)].at(times)
            values = ", ".join(say("{months} months {pct}%", language, months=f"{d / DAYS_PER_MONTH:g}",
                                   pct=f"{100 * e:.1f}") for d, e in zip(times.tolist(), est.tolist()))
            con.print("  " + say("{arm}, cumulative incidence of {cause}: {values}", language,
                                 arm=arm_label(a, language), cause=word, values=values))
    for g in cr.tests:
        if g.cause in causes:
            con.print("  " + say("Gray's test ({cause}): chi-square {chisq}, p = {p}", language,
                                 cause=causes[g.cause], chisq=f"{g.statistic:.4f}", p=format_p(g.p_value)))
    fg = t.fine_gray
    if fg is not None:
        con.print("  " + say("Fine-Gray subdistribution HR of progression {hr} (95% CI {lower} to {upper}), p = {p}",
                             language, hr=f"{fg.hazard_ratio:.3f}", lower=f"{fg.lower:.3f}",
                             upper=f"{fg.upper:.3f}", p=format_p(fg.p_value)))


def endpoints_command(
    study: str = typer.Argument(..., help="Study folder, 'example' or 'example-two-arm'."),
    conf_type: str = typer.Option("log-log", "--conf-type", help="log-log (default), log (R default) or plain."),
    criteria: list[str] = typer.Option([], "--criteria", help="Criteria sets (default: the study's)."),
    adtte: Path = typer.Option(None, "--adtte", help="Also write the ADTTE records (CSV)."),
    by: Optional[str] = typer.Option(None, "--by", help="'arm': compare the arms of a randomised study."),
    strata: list[str] = typer.Option([], "--strata", help="Subject-table column stratifying the "
                                                          "log-rank, Cox and CMH analyses (repeatable)."),
    analysis_set: Optional[str] = typer.Option(None, "--analysis-set",
                                               help="itt, pp or safety (default: itt when "
                                                    "randomised, else safety)."),
    tau: float = typer.Option(12.0, "--tau", help="RMST horizon in months (with --by arm)."),
    as_json: bool = typer.Option(False, "--json"),
    lang: Optional[str] = _lang_option(),
) -> None:
    """ORR/DCR with exact CIs, PFS/TTP/DoR/OS with KM medians and 6/12-month rates, safety
    overview; with --by arm the comparison of two randomised arms (log-rank, Cox HR, cox.zph,
    RMST, HR by subgroup with the treatment x subgroup interaction test, competing risks,
    response-rate difference, CMH)."""
    from hcctrials.endpoints.study import analyse_study
    from hcctrials.reports.load import load_study

    language = resolve_language(lang)
    if by is not None and by != "arm":
        raise typer.BadParameter(f"{by!r}: only 'arm' is supported", param_hint="--by")
    if analysis_set is not None and analysis_set not in ("itt", "pp", "safety"):
        raise typer.BadParameter(f"{analysis_set!r}: use itt, pp or safety",
                                 param_hint="--analysis-set")
    if by is None and strata:
        raise typer.BadParameter("--strata needs --by arm", param_hint="--strata")
    if by is None and analysis_set == "pp":
        raise typer.BadParameter("the per-protocol set needs --by arm", param_hint="--analysis-set")
    if not (math.isfinite(tau) and tau > 0):
        raise typer.BadParameter(f"{tau!r}: a positive number of months", param_hint="--tau")
    data = load_study(study)
    if by == "arm":
        from hcctrials.endpoints.survival import DAYS_PER_MONTH
        from hcctrials.reports.two_arm import analyse_two_arms

        if len(criteria) > 1:
            raise typer.BadParameter("give one criteria set with --by arm", param_hint="--criteria")
        two = analyse_two_arms(data, analysis_set=analysis_set or "itt", strata=strata,
                               tau_days=tau * DAYS_PER_MONTH, conf_type=conf_type,
                               criteria=criteria[0] if criteria else None)
        if adtte is not None:
            _write_adtte(data, two.analysis_set, criteria, conf_type, adtte)
        if as_json:
            _echo_json(_clean(two.as_dict()))
        else:
            _print_two_arm(two, data, language)
        return
    res = analyse_study(data, criteria=criteria or None, conf_type=conf_type,
                        analysis_set=analysis_set)  # type: ignore[arg-type]
    if adtte is not None:  # ADaM ADTTE: USUBJID, one record per parameter (OS once, PFS/TTP/DoR per criteria set)
        from hcctrials.endpoints.adam import build_adam

        build_adam(data, res)["ADTTE"].to_csv(adtte, index=False)
    if as_json:
        _echo_json(res.as_dict())
        return
    _print_single_arm(res, language)


def _write_adtte(data: Any, analysis_set: str, criteria: list[str], conf_type: str,
                 path: Path) -> None:
    """ADaM ADTTE of the analysis set behind a --by arm run (per-protocol: the ITT records
    of the PPROTFL = Y subjects)."""
    from hcctrials.endpoints.adam import build_adam
    from hcctrials.endpoints.study import analyse_study

    res = analyse_study(data, criteria=criteria or None, conf_type=conf_type,
                        analysis_set="safety" if analysis_set == "safety" else "itt")
    frame = build_adam(data, res)["ADTTE"]
    if analysis_set == "pp":
        frame = frame[frame["PPROTFL"] == "Y"]
    frame.to_csv(path, index=False)


def report_command(
    study: str = typer.Argument(..., help="Study folder, 'example' or 'example-two-arm'."),
    output: Path = typer.Option(..., "-o", "--output", help="report.html or report.pdf"),
    lang: Optional[str] = typer.Option(None, "--lang", help="zh or en (default: $HCCTRIALS_LANG, else en)"),
    conf_type: str = typer.Option("log-log", "--conf-type"),
) -> None:
    """Write the study report (HTML or PDF by the output suffix); a randomised two-arm study
    gets the two-arm layout."""
    from datetime import date

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
