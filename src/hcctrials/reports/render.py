"""Render a study report as HTML (jinja2) and as PDF from the same HTML (WeasyPrint).

The report is a list of sections (:data:`SINGLE_ARM_SECTIONS`), each built by one function from
the study and its analysis (:class:`ReportBuilder`) into a :class:`Section` that names the jinja
macro drawing it; a layout for another design (e.g. two arms) is another tuple of section
builders, passed to :func:`build_report`.  Every text goes through :func:`hcctrials.i18n.say`
(Chinese in ``report.po``); tables are numbered and captioned; figures are SVG with a numbered
caption and alt text that carries the key numbers.

The PDF (ICH E3-like layout, A4) is WeasyPrint's rendering of the HTML with the print CSS of the
template: running header with the study id and the data cut-off, footer with the page number
and the rendering date on every page (CSS Paged Media margin boxes), fonts embedded as
TrueType/OpenType subsets (CJK from fontconfig, e.g. WenQuanYi Micro Hei), selectable text.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from hcctrials.endpoints.events import STANDARD_ENDPOINTS, EndpointDefinition
from hcctrials.endpoints.safety import derive_teae
from hcctrials.endpoints.study import CriteriaAnalysis, StudyAnalysis, StudyData, analyse_study
from hcctrials.endpoints.summary import TteSummary
from hcctrials.endpoints.survival import DAYS_PER_MONTH
from hcctrials.errors import InputError
from hcctrials.i18n import say
from hcctrials.reports.baseline import derive_baseline_table
from hcctrials.reports.fonts import CSS_FONT_STACK, configure_matplotlib
from hcctrials.reports.i18n import data_text, format_day, pct, response_label, to_range
from hcctrials.reports.plots import (
    RESPONSE_ORDER, KmGroup, figure_to_svg, plot_km, plot_spider, plot_swimmer, plot_waterfall,
    waterfall_data,
)

__all__ = ["build_report", "render_html", "render_pdf", "write_report", "Section", "ReportFigure",
           "ReportTable", "ReportBuilder", "ReportDocument", "SINGLE_ARM_SECTIONS"]


@dataclass(frozen=True)
class ReportFigure:
    """A numbered figure: SVG (base64) with its caption and alt text."""

    number: int
    svg_base64: str
    caption: str
    alt: str


@dataclass
class ReportTable:
    """A numbered table: caption, header cells, body rows (cells; ``level`` 0 = group row,
    1 = indented row) and footnotes."""

    number: int
    caption: str
    header: list[str]
    text_columns: int = 1
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object, level: int = 0, group: bool = False) -> None:
        self.rows.append({"cells": [str(c) for c in cells], "level": level, "group": group})


@dataclass
class Section:
    """A report section: anchor key, heading, the jinja macro that draws it and its content."""

    key: str
    title: str
    macro: str
    tables: list[ReportTable] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportDocument:
    """Everything the template needs."""

    lang: str
    title: str
    study_id: str
    cutoff: str
    generated: str
    synthetic: bool
    sections: list[Section]
    notes: list[str]
    labels: dict[str, str]
    font_stack: str


class ReportBuilder:
    """Shared state of one rendering: the study, its analysis, the language, and the table
    and figure counters (numbers run through the whole report)."""

    def __init__(self, study: StudyData, analysis: StudyAnalysis, lang: str) -> None:
        self.study = study
        self.analysis = analysis
        self.lang = lang
        cjk = configure_matplotlib(lang)
        self.plot_lang = lang if (lang == "en" or cjk is not None) else "en"
        self.notes: list[str] = []
        if self.plot_lang != lang:
            self.notes.append(say("No CJK font was found: figure labels are in English", lang))
        treated = study.treated
        self.treated = treated.assign(subject_id=treated["subject_id"].astype(str))
        cutoff = analysis.info.get("data_cutoff")
        self.cutoff = pd.Timestamp(cutoff) if cutoff else None
        self._tables = 0
        self._figures = 0

    def say(self, message: str, /, **fields: Any) -> str:
        return say(message, self.lang, **fields)

    def table(self, caption: str, header: list[str], *, text_columns: int = 1) -> ReportTable:
        """A new numbered table; the first *text_columns* columns are text, the others numbers."""
        self._tables += 1
        return ReportTable(self._tables, caption, header, text_columns)

    def figure(self, fig: Figure, caption: str, alt: str) -> ReportFigure:
        self._figures += 1
        svg = figure_to_svg(fig)
        plt.close(fig)
        return ReportFigure(self._figures, base64.b64encode(svg.encode("utf-8")).decode("ascii"),
                            caption, alt)

    @property
    def primary(self) -> CriteriaAnalysis:
        """The analysis by the study's primary criteria set (else the first one)."""
        key = self.analysis.info.get("primary_criteria")
        by = self.analysis.by_criteria
        return by[key] if key in by else next(iter(by.values()))

    def criteria_title(self, a: CriteriaAnalysis) -> str:
        return data_text(a.title, self.lang)


SectionBuilder = Callable[[ReportBuilder], "Section | None"]


# ---------------------------------------------------------------- subject flow (CONSORT 2010)

def section_flow(b: ReportBuilder) -> Section:
    """CONSORT 2010 flow diagram (Schulz 2010, item 13) from
    :func:`hcctrials.endpoints.study.derive_subject_flow`: screened, screen failures by reason,
    enrolled, not treated, treated, discontinued by reason, on treatment at the cut-off,
    analysis sets."""
    flow = b.analysis.flow
    n = {str(s): int(v) for s, v in flow.groupby("stage")["n"].sum().items()}

    def reasons(stage: str) -> list[dict[str, Any]]:
        rows = flow[flow["stage"] == stage]
        return [{"label": data_text(r, b.lang), "n": int(k)} for r, k in zip(rows["reason"], rows["n"])]

    steps = [
        {"main": {"label": b.say("Screened"), "n": n.get("screened", 0)},
         "side": {"label": b.say("Screen failures"), "n": n.get("screen_failure", 0),
                  "reasons": reasons("screen_failure_reason")}},
        {"main": {"label": b.say("Enrolled"), "n": n.get("enrolled", 0)},
         "side": {"label": b.say("Enrolled, not treated"), "n": n.get("not_treated", 0), "reasons": []}},
        {"main": {"label": b.say("Treated"), "n": n.get("treated", 0)},
         "side": {"label": b.say("Discontinued treatment"), "n": n.get("discontinued", 0),
                  "reasons": reasons("discontinued_reason")}},
        {"main": {"label": b.say("On treatment at data cut-off"), "n": n.get("ongoing", 0)}, "side": None},
    ]
    sets = [{"label": b.say("Efficacy analysis set (all treated)"), "n": b.primary.orr.n},
            {"label": b.say("Safety analysis set (at least one dose)"), "n": b.analysis.n_treated}]
    return Section("flow", b.say("Subject flow (CONSORT)"), "flow", data={"steps": steps, "sets": sets})


# ---------------------------------------------------------------- baseline

def section_baseline(b: ReportBuilder) -> Section:
    """Baseline characteristics of the treated subjects (ICH E3 11.2), clinical order."""
    groups, notes = derive_baseline_table(b.treated, lang=b.lang)
    t = b.table(b.say("Baseline characteristics, treated subjects (N = {n})", n=len(b.treated)),
                [b.say("Characteristic"), b.say("n (%) or median (range)")])
    for g in groups:
        if len(g.rows) == 1 and g.rows[0][0] == b.say("median (range)"):
            t.add(g.characteristic, g.rows[0][1], level=0)
            continue
        t.add(g.characteristic, "", group=True)
        for category, value in g.rows:
            t.add(category, value, level=1)
    t.notes += notes
    t.notes.append(b.say("Percentages are of the treated subjects. BCLC: Barcelona Clinic Liver Cancer "
                         "2022; CNLC: China liver cancer staging 2024; ALBI: albumin-bilirubin grade."))
    return Section("baseline", b.say("Baseline characteristics"), "tables", tables=[t])


# ---------------------------------------------------------------- response

def _count_pct(count: int, n: int) -> str:
    return f"{count} ({100 * count / n:.1f})" if n else str(count)


def _ci(lower: float | None, upper: float | None, lang: str) -> str:
    return to_range(pct(lower), pct(upper), lang)


def section_response(b: ReportBuilder) -> Section:
    """Best overall response (confirmed) per criteria set, ORR and DCR with exact
    Clopper-Pearson 95% CIs (Clopper & Pearson 1934), unconfirmed CR/PR shown apart."""
    crits = list(b.analysis.by_criteria.values())
    bor_col = "best_overall_response_confirmed"
    t = b.table(b.say("Best overall response (confirmed), treated subjects"),
                [b.say("Response")] + [b.say("{criteria}, n (%)", criteria=b.criteria_title(a)) for a in crits])
    counts = {a.criteria: a.responses[bor_col].fillna("MISSING").astype(str).value_counts() for a in crits}
    present = set().union(*(set(c.index) for c in counts.values()))
    for code in RESPONSE_ORDER:
        if code in present:
            t.add(response_label(code, b.lang),
                  *(_count_pct(int(counts[a.criteria].get(code, 0)), len(a.responses)) for a in crits))
    unconf = []
    for a in crits:
        r = a.responses
        u = r["best_overall_response_unconfirmed"].fillna("").isin(["CR", "PR"]) & \
            ~r[bor_col].fillna("").isin(["CR", "PR"])
        unconf.append(int(u.sum()))
    t.add(b.say("CR/PR not confirmed (not counted as response)"),
          *(_count_pct(k, len(a.responses)) for k, a in zip(unconf, crits)))
    e = b.table(b.say("Objective response rate and disease control rate"),
                [b.say("Rate")] + [b.say("{criteria}, n/N (%, 95% CI)", criteria=b.criteria_title(a))
                                   for a in crits])
    for name, attr in ((b.say("Objective response rate (CR + PR)"), "orr"),
                       (b.say("Disease control rate (CR + PR + SD)"), "dcr")):
        cells = []
        for a in crits:
            p = getattr(a, attr)
            cells.append(f"{p.count}/{p.n} ({pct(p.estimate)}, {_ci(p.lower, p.upper, b.lang)})")
        e.add(name, *cells)
    for a in crits:
        ne = ", ".join(a.orr.non_evaluable) or b.say("none")
        e.notes.append(b.say("{criteria}: subjects without an evaluable response are counted as "
                             "non-responders: {subjects}", criteria=b.criteria_title(a), subjects=ne))
    e.notes.append(b.say("Exact Clopper-Pearson 95% confidence intervals. Responses need confirmation "
                         "at least 4 weeks later (RECIST 1.1 section 4.4)."))
    return Section("response", b.say("Tumour response"), "tables", tables=[t, e])


# ---------------------------------------------------------------- time to event

def _month(v: float | None, lang: str) -> str:
    return say("NR", lang) if v is None else f"{v / DAYS_PER_MONTH:.1f}"


def _median_text(s: TteSummary, lang: str) -> tuple[str, str]:
    """(median, CI) in months; "not reached" in words, never NaN."""
    if s.n == 0 or s.median is None:
        return say("not estimable", lang), "-"
    m = s.median
    med = say("not reached", lang) if (s.events == 0 or m.estimate is None) else _month(m.estimate, lang)
    if s.events == 0:
        return med, "-"
    return med, to_range(_month(m.lower, lang), _month(m.upper, lang), lang)


def _landmark_text(s: TteSummary, i: int, lang: str) -> str:
    if i >= len(s.landmarks):
        return "-"
    lm = s.landmarks[i]
    if not lm.estimable:
        return say("not estimable", lang)
    return f"{pct(lm.survival)} ({_ci(lm.lower, lm.upper, lang)})"


def landmark_sentence(s: TteSummary, i: int, lang: str) -> str:
    """A landmark rate for a sentence (alt text): "55.9% (95% CI 40.7 to 68.7)"."""
    if i >= len(s.landmarks):
        return "-"
    lm = s.landmarks[i]
    if not lm.estimable or lm.lower is None or lm.upper is None:
        return say("not estimable", lang)
    return say("{rate}% (95% CI {lower} to {upper})", lang, rate=f"{100 * lm.survival:.1f}",
               lower=f"{100 * lm.lower:.1f}", upper=f"{100 * lm.upper:.1f}")


def _endpoint_name(d: EndpointDefinition, lang: str) -> str:
    return d.param_zh if lang == "zh" else d.param


def _km_figure(b: ReportBuilder, d: EndpointDefinition, s: TteSummary, crit: str | None) -> ReportFigure:
    name_plot = _endpoint_name(d, b.plot_lang)
    name = _endpoint_name(d, b.lang)
    arm = say("All treated", b.plot_lang) if d.population == "treated" else say("Responders", b.plot_lang)
    legend = say("{arm}: {events} events / {n} subjects", b.plot_lang, arm=arm, events=s.events, n=s.n)
    fig = plot_km([KmGroup(arm, s, legend)],
                  ylabel=say("{endpoint} (probability)", b.plot_lang, endpoint=name_plot),
                  xlabel=say("Months since {start}", b.plot_lang,
                             start=say("first dose", b.plot_lang) if d.start == "reference"
                             else say("first response", b.plot_lang)),
                  at_risk_label=say("Number at risk", b.plot_lang),
                  censored_label=say("Censored", b.plot_lang))
    median, ci = _median_text(s, b.lang)
    if s.n and s.median is not None and s.events and s.median.estimate is not None:
        median = b.say("{value} months", value=median)  # the unit after a number, never after "not reached"
    where = b.say(" ({criteria})", criteria=crit) if crit else ""
    caption = b.say("Kaplan-Meier estimate of {endpoint}{where}. {events} events in {n} subjects; median "
                    "{median} (95% CI {ci}). Shaded: pointwise 95% confidence band ({band} "
                    "transformation); ticks: censored; numbers at risk below the axis.",
                    endpoint=name, where=where, events=s.events, n=s.n, median=median, ci=ci,
                    band=s.conf_type)
    alt = b.say("Kaplan-Meier curve of {endpoint}{where}: {n} subjects, {events} events, median {median} "
                "(95% CI {ci}); rate at 6 months {rate6}, at 12 months {rate12}.",
                endpoint=name, where=where, n=s.n, events=s.events, median=median, ci=ci,
                rate6=landmark_sentence(s, 0, b.lang),
                rate12=landmark_sentence(s, 1, b.lang))
    return b.figure(fig, caption, alt)


def section_time_to_event(b: ReportBuilder) -> Section:
    """PFS, TTP, DoR per criteria set and OS: n, events, median with Brookmeyer-Crowley CI
    (Brookmeyer & Crowley 1982), 6- and 12-month KM rates, KM curves."""
    crits = list(b.analysis.by_criteria.values())
    header = [b.say("Endpoint"), b.say("Criteria"), b.say("N"), b.say("Events, n"),
              b.say("Median, months (95% CI)"), b.say("6-month rate, % (95% CI)"),
              b.say("12-month rate, % (95% CI)")]
    t = b.table(b.say("Time-to-event endpoints"), header, text_columns=2)
    figures: list[ReportFigure] = []
    for d in STANDARD_ENDPOINTS:
        per = crits[:1] if d.paramcd == "OS" else crits
        for a in per:
            s = a.summaries[d.paramcd]
            med, ci = _median_text(s, b.lang)
            crit = "-" if d.paramcd == "OS" else b.criteria_title(a)
            t.add(_endpoint_name(d, b.lang), crit, s.n, s.events,
                  med if ci == "-" else f"{med} ({ci})",
                  _landmark_text(s, 0, b.lang), _landmark_text(s, 1, b.lang))
            if s.km is not None:
                figures.append(_km_figure(b, d, s, None if d.paramcd == "OS" else b.criteria_title(a)))
    band = b.analysis.conf_type
    t.notes.append(b.say("Medians with Brookmeyer-Crowley 95% CIs ({band} transformation); rates with "
                         "pointwise 95% CIs; months = days / 30.4375. NR: not reached. OS does not "
                         "depend on the response criteria.", band=band))
    return Section("tte", b.say("Time-to-event endpoints"), "tables_figures", tables=[t], figures=figures)


# ---------------------------------------------------------------- endpoint definitions

def section_definitions(b: ReportBuilder) -> Section:
    """Event and censoring rules of each endpoint (FDA 2018 guidance; admiral derive_param_tte)."""
    t = b.table(b.say("Endpoint definitions"),
                [b.say("Endpoint"), b.say("Population"), b.say("Start (day 1)"),
                 b.say("Events (earliest counts)"), b.say("Censoring (when no event)")], text_columns=5)
    zh = b.lang == "zh"
    for d in STANDARD_ENDPOINTS:
        pop = b.say("All treated subjects") if d.population == "treated" else b.say("Responders only")
        start = b.say("First dose") if d.start == "reference" else \
            b.say("First CR/PR (first of the confirmed pair)")
        events = "; ".join(s.description_zh if zh else s.description_en for s in d.events)
        cens = "; ".join(s.description_zh if zh else s.description_en for s in d.censorings)
        if d.death_censored_note:
            cens += "; " + b.say("death without progression is censored at the last adequate assessment")
        t.add(f"{d.paramcd}: {_endpoint_name(d, b.lang)}", pop, start, events, cens)
    t.notes.append(b.say("Time = event or censoring date - start date + 1 day; months = days / 30.4375."))
    return Section("definitions", b.say("Endpoint definitions"), "tables", tables=[t])


# ---------------------------------------------------------------- response figures

def section_response_figures(b: ReportBuilder) -> Section:
    """Waterfall and spider plots per criteria set, swimmer plot by the primary criteria."""
    P = b.plot_lang
    labels_plot = {c: response_label(c, P) for c in RESPONSE_ORDER}
    figures: list[ReportFigure] = []
    n_treated = len(b.treated)
    for a in b.analysis.by_criteria.values():
        crit = b.criteria_title(a)
        w = waterfall_data(a.responses, a.visits)
        n = len(w)
        fig = plot_waterfall(w, title=say("{criteria}: n = {n} of {total} treated", P, criteria=data_text(a.title, P),
                                          n=n, total=n_treated),
                             ylabel=say("Best change in target lesion sum, %", P),
                             response_labels=labels_plot,
                             unconfirmed_label=say("CR/PR not confirmed", P),
                             new_lesion_label=say("PD by new lesion", P),
                             legend_title=say("Best overall response (confirmed)", P))
        resp = int(w["bor"].isin(["CR", "PR"]).sum())
        unc = int(w["unconfirmed_response"].sum())
        new = int(w["pd_new_lesion"].sum())
        vals = w["best_pct_change_from_baseline"]
        low, high = (f"{vals.min():.1f}", f"{vals.max():.1f}") if n else ("-", "-")
        caption = b.say("Waterfall plot of the best percentage change from baseline in the sum of target "
                        "lesion diameters ({criteria}): {n} of {total} treated subjects with a "
                        "post-baseline target measurement. Colour: confirmed best overall response; "
                        "hatched: CR/PR not confirmed ({unconfirmed}); triangle: progression by a new "
                        "lesion ({new_lesion}). Dashed lines: +20% and -30%.",
                        criteria=crit, n=n, total=n_treated, unconfirmed=unc, new_lesion=new)
        alt = b.say("Waterfall plot ({criteria}): {n} subjects; {responders} confirmed responses, "
                    "{unconfirmed} unconfirmed, {new_lesion} progressions by a new lesion; best change "
                    "from {low}% to {high}%.", criteria=crit, n=n, responders=resp, unconfirmed=unc,
                    new_lesion=new, low=low, high=high)
        figures.append(b.figure(fig, caption, alt))
        fig = plot_spider(a.visits, b.treated, a.responses, title=data_text(a.title, P),
                          xlabel=say("Months since first dose", P),
                          ylabel=say("Change in target lesion sum from baseline, %", P),
                          response_labels=labels_plot, legend_title=say("Best overall response (confirmed)", P))
        n_sp = int(a.visits.dropna(subset=["pct_change_from_baseline"])["subject_id"].nunique())
        caption = b.say("Spider plot: percentage change from baseline in the sum of target lesion "
                        "diameters over time ({criteria}), {n} subjects, coloured by confirmed best "
                        "overall response.", criteria=crit, n=n_sp)
        alt = b.say("Spider plot ({criteria}): change of the target lesion sum over time for {n} subjects.",
                    criteria=crit, n=n_sp)
        figures.append(b.figure(fig, caption, alt))
    a = b.primary
    fig = plot_swimmer(b.treated, a.visits, title=data_text(a.title, P), xlabel=say("Months since first dose", P),
                       cutoff=b.cutoff, response_labels=labels_plot,
                       ongoing_label=say("On treatment at data cut-off", P), death_label=say("Death", P),
                       legend_title=say("Time-point response", P))
    fd = pd.to_datetime(b.treated["first_dose_date"])
    eot = pd.to_datetime(b.treated["end_of_treatment_date"], errors="coerce")
    end = eot.fillna(b.cutoff if b.cutoff is not None else fd)
    dur = ((end - fd).dt.days + 1) / DAYS_PER_MONTH
    reason = b.treated.get("end_of_treatment_reason", pd.Series("Ongoing", index=b.treated.index))
    ongoing = int(reason.fillna("Ongoing").eq("Ongoing").sum())
    deaths = int(pd.to_datetime(b.treated["death_date"], errors="coerce").notna().sum())
    median = f"{dur.median():.1f}"
    caption = b.say("Swimmer plot ({criteria}): treatment duration of each of the {n} treated subjects "
                    "(median {median} months) with time-point responses; arrow: on treatment at the data "
                    "cut-off ({ongoing}); cross: death ({deaths}).", criteria=b.criteria_title(a),
                    n=len(b.treated), median=median, ongoing=ongoing, deaths=deaths)
    alt = b.say("Swimmer plot: {n} subjects, median treatment duration {median} months, {ongoing} on "
                "treatment at cut-off, {deaths} deaths.", n=len(b.treated), median=median,
                ongoing=ongoing, deaths=deaths)
    figures.append(b.figure(fig, caption, alt))
    return Section("response_figures", b.say("Tumour response figures"), "figures", figures=figures)


# ---------------------------------------------------------------- safety

def _soc_pt_table(b: ReportBuilder, caption: str, teae: pd.DataFrame, by_term: pd.DataFrame,
                  n: int) -> ReportTable:
    """Subjects by MedDRA system organ class (group rows) and preferred term (indented rows),
    any grade and grade >= 3, each subject counted once per row at the worst grade."""
    t = b.table(caption, [b.say("System organ class / preferred term"), b.say("Any grade, n (%)"),
                          b.say("Grade 3 or higher, n (%)")])
    if by_term.empty:
        t.add(b.say("None reported"), "-", "-")
        return t
    for soc, rows in by_term.groupby("soc", sort=False):
        sub = teae[teae["soc"] == soc]
        worst = sub.groupby("subject_id")["ctcae_grade"].max()
        t.add(data_text(soc, b.lang), _count_pct(len(worst), n), _count_pct(int((worst >= 3).sum()), n),
              group=True)
        for _, r in rows.iterrows():
            t.add(data_text(r["ae_term"], b.lang), _count_pct(int(r["any_grade"]), n),
                  _count_pct(int(r["grade_3_plus"]), n), level=1)
    return t


def section_safety(b: ReportBuilder) -> Section:
    """TEAE overview, TEAEs by SOC/PT (all, serious, AESI, leading to discontinuation) and by
    worst CTCAE v5 grade; safety set = at least one dose."""
    an = b.analysis
    n = an.n_treated
    o = b.table(b.say("Overview of treatment-emergent adverse events (TEAEs), safety set (N = {n})", n=n),
                [b.say("Category"), b.say("Subjects, n (%)"), b.say("Events, n")])
    for _, r in an.safety_overview.iterrows():
        o.add(data_text(r["category"], b.lang), _count_pct(int(r["subjects"]), n), int(r["events"]))
    o.notes.append(b.say("TEAE: starting on or after the first dose and up to 30 days after the last dose; "
                         "graded by CTCAE v5.0; subjects counted once per row at the worst grade."))
    teae_all = derive_teae(b.study.adverse_events, b.treated, b.study.dosing)
    teae = teae_all[teae_all["teae"]]
    tables = [o, _soc_pt_table(b, b.say("TEAEs by system organ class and preferred term"), teae, an.ae_by_term, n)]
    for caption, subset, frame in (
            (b.say("Serious TEAEs by system organ class and preferred term"), "serious", an.serious_by_term),
            (b.say("Adverse events of special interest by system organ class and preferred term"), "aesi",
             an.aesi_by_term),
            (b.say("TEAEs leading to discontinuation by system organ class and preferred term"),
             "led_to_discontinuation", an.discontinuation_by_term)):
        tables.append(_soc_pt_table(b, caption, teae[teae[subset]], frame, n))
    g = b.table(b.say("TEAEs by preferred term and worst CTCAE grade, n"),
                [b.say("Preferred term")] + [b.say("Grade {grade}", grade=k) for k in range(1, 6)]
                + [b.say("Any grade")])
    for _, r in an.ae_by_grade.iterrows():
        g.add(data_text(r["ae_term"], b.lang), *(int(r[f"grade_{k}"]) for k in range(1, 6)), int(r["total"]))
    tables.append(g)
    return Section("safety", b.say("Safety"), "tables", tables=tables)


def _drug_name(drug: str, lang: str) -> str:
    from hcctrials.vocab.lexicon import load_lexicon

    therapy = load_lexicon().lookup(drug)
    return therapy.name(lang) if therapy is not None else drug


def _median_range(v: pd.Series, digits: int = 0, scale: float = 1.0) -> str:
    x = pd.to_numeric(v, errors="coerce").dropna() * scale
    if x.empty:
        return "-"
    return f"{x.median():.{digits}f} ({x.min():.{digits}f}-{x.max():.{digits}f})"


def section_exposure(b: ReportBuilder) -> Section:
    """Exposure per drug: subjects, cycles started, duration, relative dose intensity
    (delivered / planned dose)."""
    t = b.table(b.say("Study drug exposure, safety set"),
                [b.say("Drug"), b.say("Subjects, n"), b.say("Cycles started, median (range)"),
                 b.say("Duration of treatment, days, median (range)"),
                 b.say("Relative dose intensity, %, median (range)")])
    for drug, g in b.analysis.exposure.groupby("drug"):
        t.add(_drug_name(str(drug), b.lang), g["subject_id"].nunique(), _median_range(g["cycles"]),
              _median_range(g["duration_days"]), _median_range(g["relative_dose_intensity"], 1, 100.0))
    t.notes.append(b.say("Duration = last dose - first dose + 1 day; relative dose intensity = delivered / "
                         "planned cumulative dose."))
    return Section("exposure", b.say("Exposure"), "tables", tables=[t])


#: The single-arm report, in order.  A two-arm layout is another tuple of builders.
SINGLE_ARM_SECTIONS: tuple[SectionBuilder, ...] = (
    section_flow, section_baseline, section_response, section_time_to_event, section_definitions,
    section_response_figures, section_safety, section_exposure,
)


def build_report(study: StudyData, analysis: StudyAnalysis, *, lang: str = "en",
                 sections: Sequence[SectionBuilder] | None = None,
                 generated_on: date | None = None) -> ReportDocument:
    """The report document: its sections in order, in *lang* ("en" or "zh").

    By default a randomised two-arm study gets the two-arm layout
    (:data:`hcctrials.reports.two_arm.TWO_ARM_SECTIONS`), any other study the one-arm one."""
    if lang not in ("en", "zh"):
        raise InputError("report language must be 'en' or 'zh'", field="lang", value=lang)
    if sections is None:
        from hcctrials.reports.two_arm import TWO_ARM_SECTIONS, is_two_arm

        sections = TWO_ARM_SECTIONS if is_two_arm(study) else SINGLE_ARM_SECTIONS
    b = ReportBuilder(study, analysis, lang)
    built = [s for s in (make(b) for make in sections) if s is not None]
    info = analysis.info
    title = (info.get("title_zh") if lang == "zh" else None) or info.get("title_en") or info.get("study_id", "")
    study_id = str(info.get("study_id", ""))
    cutoff = format_day(info.get("data_cutoff"), lang)
    generated = format_day(generated_on, lang) if generated_on else "-"
    labels = {
        "cutoff_line": b.say("Study {study}; data cut-off {cutoff}", study=study_id, cutoff=cutoff),
        "cutoff_header": b.say("Data cut-off {cutoff}", cutoff=cutoff),
        "generated_line": b.say("Report generated {date}", date=generated),
        "synthetic": b.say("Synthetic example data: not real patients."),
        "notes": b.say("Notes"), "table": b.say("Table"), "figure": b.say("Figure"),
        "contents": b.say("Contents"),
    }
    page = b.say("Page {page} of {pages}", page="\x00", pages="\x01")
    before, rest = page.split("\x00")
    middle, after = rest.split("\x01")
    labels["page_css"] = (f'"{_css_string(before)}" counter(page) "{_css_string(middle)}" counter(pages) '
                          f'"{_css_string(after)}"')
    return ReportDocument(lang=lang, title=str(title), study_id=study_id, cutoff=cutoff, generated=generated,
                          synthetic=study_id.startswith("HCC-EX"), sections=built, notes=b.notes,
                          labels=labels, font_stack=CSS_FONT_STACK)


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("hcctrials.reports", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "jinja"]),
                              undefined=jinja2.StrictUndefined)


def _css_string(text: str) -> str:
    """*text* for a CSS string (inside <style>: no quote, backslash or tag can break out)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")


def render_document(doc: ReportDocument) -> str:
    """The report document as one self-contained HTML page."""
    return _env().get_template("report.html.jinja").render(doc=doc, css=_css_string)


def render_html(study: StudyData, analysis: StudyAnalysis | None = None, *, lang: str = "en",
                conf_type: str = "log-log", generated_on: date | None = None) -> str:
    """The report as one self-contained HTML page (figures embedded as SVG)."""
    analysis = analysis or analyse_study(study, conf_type=conf_type)
    return render_document(build_report(study, analysis, lang=lang, generated_on=generated_on))


def html_to_pdf(html: str, path: Path) -> Path:
    """Draw *html* as PDF with WeasyPrint (the ``pdf`` extra)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError("PDF output needs WeasyPrint", hint="pip install 'hcctrials[pdf]'") from exc
    path = Path(path)
    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))
    return path


def render_pdf(study: StudyData, path: Path, analysis: StudyAnalysis | None = None, *,
               lang: str = "en", conf_type: str = "log-log", generated_on: date | None = None) -> Path:
    """The report as PDF: WeasyPrint's rendering of the same HTML as :func:`render_html`."""
    html = render_html(study, analysis, lang=lang, conf_type=conf_type, generated_on=generated_on)
    return html_to_pdf(html, path)


def write_report(study: StudyData, out: Path, *, lang: str = "en", conf_type: str = "log-log",
                 generated_on: date | None = None) -> Path:
    """Write HTML or PDF according to the file suffix of ``out``."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InputError("report file must end in .html or .pdf", file=str(out), value=out.suffix)
    analysis = analyse_study(study, conf_type=conf_type)
    if suffix == ".pdf":
        return render_pdf(study, out, analysis, lang=lang, conf_type=conf_type, generated_on=generated_on)
    out.write_text(render_html(study, analysis, lang=lang, conf_type=conf_type, generated_on=generated_on),
                   encoding="utf-8")
    return out
