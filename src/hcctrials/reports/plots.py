"""Report figures with matplotlib (Agg backend), sized for A4 print and screen.

* :func:`plot_km`: Kaplan-Meier curves, one per group (arm), censoring ticks, light stepped
  pointwise confidence bands with outlined edges (so bands of two arms stay readable), the
  y-axis naming the endpoint, and a numbers-at-risk table per group under the plot.
* :func:`plot_waterfall`: best % change of the target sum, one bar per subject coloured by
  confirmed best overall response; unconfirmed CR/PR hatched; progression by a new lesion
  marked; the number of subjects in the title.
* :func:`plot_swimmer`: treatment duration per subject with time-point responses (colour and
  shape per response, legend in response order), still on treatment, death.
* :func:`plot_spider`: % change of the target sum over time.

Colours are Okabe-Ito (Okabe & Ito 2008, colour-blind safe).  Every text is passed in by the
caller (already in the reader's language): this module draws and does not translate.  Times
are in months = days / 30.4375 (spec 5).  Figures are returned as SVG (glyphs as outlines, see
:mod:`hcctrials.reports.fonts`) or PNG.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from hcctrials.endpoints.summary import TteSummary  # noqa: E402
from hcctrials.endpoints.survival import DAYS_PER_MONTH  # noqa: E402

__all__ = ["plot_km", "plot_waterfall", "plot_swimmer", "plot_spider", "figure_to_svg",
           "figure_to_png_base64", "waterfall_data", "RESPONSE_ORDER", "RESPONSE_COLOURS",
           "RESPONSE_MARKERS", "ARM_COLOURS", "KmGroup"]

#: Response categories in clinical order (best first): legends and tables follow it.
RESPONSE_ORDER = ("CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE", "iCR", "iPR", "iSD",
                  "NON_iCR_NON_iUPD", "iUPD", "iCPD", "MISSING")
#: Okabe-Ito colours per response category (colour-blind safe).
RESPONSE_COLOURS = {"CR": "#009E73", "PR": "#0072B2", "SD": "#E69F00", "NON_CR_NON_PD": "#F0E442",
                    "PD": "#D55E00", "NE": "#999999", "iCR": "#009E73", "iPR": "#0072B2",
                    "iSD": "#E69F00", "NON_iCR_NON_iUPD": "#F0E442", "iUPD": "#CC79A7",
                    "iCPD": "#D55E00", "MISSING": "#BBBBBB"}
#: Marker shapes per response, so categories differ by shape as well as colour.
RESPONSE_MARKERS = {"CR": "*", "PR": "o", "SD": "s", "NON_CR_NON_PD": "D", "PD": "^", "NE": "X",
                    "iCR": "*", "iPR": "o", "iSD": "s", "NON_iCR_NON_iUPD": "D", "iUPD": "v",
                    "iCPD": "^", "MISSING": "x"}
#: Okabe-Ito colours for arms / groups of a KM plot.
ARM_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def figure_to_svg(fig: Figure) -> str:
    """The figure as SVG text (no timestamp; glyphs as outlines)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def figure_to_png_base64(fig: Figure, *, dpi: int = 150) -> str:
    """The figure as a base64 PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass(frozen=True)
class KmGroup:
    """One curve of a KM plot: a group (arm) label, its summary and the legend text."""

    label: str
    summary: TteSummary
    legend: str


def plot_km(groups: Sequence[KmGroup], *, ylabel: str, xlabel: str, at_risk_label: str,
            censored_label: str, title: str = "", step_months: float = 3.0) -> Figure:
    """KM curves with censoring ticks, stepped pointwise CI bands and numbers at risk.

    Bands are drawn with ``step="post"`` like the curve, the first group's tinted at low opacity and
    the others' hatched, with their edges as thin dotted lines of the group colour: two overlapping
    bands stay distinguishable (no mixed, muddy tint)."""
    shown = [g for g in groups if g.summary.km is not None]
    fig = plt.figure(figsize=(7.0, 3.9 + 0.22 * len(shown)))
    table_h = 0.07 + 0.055 * len(shown)
    ax = fig.add_axes((0.13, 0.16 + table_h, 0.83, 0.74 - table_h))
    tab = fig.add_axes((0.13, 0.02, 0.83, table_h))
    tab.axis("off")
    tmax = max((float(g.summary.km.time.max()) for g in shown if g.summary.km is not None), default=1.0)
    ticks = np.arange(0, tmax / DAYS_PER_MONTH + step_months, step_months)
    rows: list[tuple[str, list[int], str]] = []
    for i, g in enumerate(shown):
        km = g.summary.km
        assert km is not None
        c = ARM_COLOURS[i % len(ARM_COLOURS)]
        t = np.concatenate(([0.0], km.time)) / DAYS_PER_MONTH
        surv = np.concatenate(([1.0], km.survival))
        lo = np.concatenate(([1.0], km.lower))
        up = np.concatenate(([1.0], km.upper))
        if i == 0:
            ax.fill_between(t, lo, up, step="post", color=c, alpha=0.13, lw=0)
        else:  # later groups hatched, not tinted: where two bands overlap, neither colour mixes into grey
            ax.fill_between(t, lo, up, step="post", facecolor="none", edgecolor=c, hatch="////", alpha=0.35,
                            lw=0)
        ax.step(t, lo, where="post", color=c, lw=0.6, ls=":", alpha=0.9)
        ax.step(t, up, where="post", color=c, lw=0.6, ls=":", alpha=0.9)
        ax.step(t, surv, where="post", color=c, lw=1.7, label=g.legend)
        cens = km.n_censor > 0
        ax.plot(km.time[cens] / DAYS_PER_MONTH, km.survival[cens], "|", color=c, ms=7, mew=1.2)
        rows.append((g.label, [int(r) for r in km.n_at_risk(ticks * DAYS_PER_MONTH)], c))
    handles, names = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="#444444", marker="|", ls="", ms=7, mew=1.2))
    names.append(censored_label)
    ax.set_xlim(0, float(ticks[-1]))
    ax.set_ylim(0, 1.02)
    ax.set_xticks(ticks)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(handles, names, loc="upper right", frameon=False)
    tab.set_xlim(0, float(ticks[-1]))
    tab.set_ylim(-0.6, len(rows) + 0.3)
    x_label = -0.02 * float(ticks[-1])
    tab.text(x_label, len(rows), at_risk_label, ha="right", va="center", fontweight="bold", fontsize=8)
    for j, (name, risk, c) in enumerate(rows):
        y = len(rows) - 1 - j
        tab.text(x_label, y, name, ha="right", va="center", color=c, fontsize=8)
        for x, r in zip(ticks, risk):
            tab.text(float(x), y, str(r), ha="center", va="center", fontsize=8)
    return fig


def waterfall_data(responses: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
    """Per subject with a post-baseline target measurement: best % change, confirmed and
    unconfirmed BOR, whether a CR/PR was not confirmed, and whether the first PD was due to a
    new lesion (RECIST 1.1 section 4.3.2: a new lesion is PD whatever the target sum)."""
    d = responses.dropna(subset=["best_pct_change_from_baseline"]).copy()
    d["bor"] = d["best_overall_response_confirmed"].fillna("MISSING").astype(str)
    unconf = d["best_overall_response_unconfirmed"].fillna("MISSING").astype(str)
    d["unconfirmed_response"] = unconf.isin(["CR", "PR"]) & ~d["bor"].isin(["CR", "PR"])
    pd_visits = visits[visits["overall_response"].astype(str) == "PD"].sort_values("visit_date")
    first_pd = pd_visits.groupby("subject_id").head(1)
    by_new = set(first_pd.loc[first_pd["new_lesion"].astype(str).str.lower() == "true", "subject_id"])
    d["pd_new_lesion"] = d["subject_id"].isin(by_new) & d["bor"].eq("PD")
    return d.sort_values("best_pct_change_from_baseline", ascending=False).reset_index(drop=True)[
        ["subject_id", "best_pct_change_from_baseline", "bor", "unconfirmed_response", "pd_new_lesion"]]


def plot_waterfall(data: pd.DataFrame, *, title: str, ylabel: str, response_labels: Mapping[str, str],
                   unconfirmed_label: str, new_lesion_label: str, legend_title: str) -> Figure:
    """Waterfall of :func:`waterfall_data`: bars coloured by confirmed BOR in response order;
    hatched bars = CR/PR not confirmed; triangle under the bar = PD by a new lesion.
    Dashed lines at +20% (PD threshold) and -30% (PR threshold)."""
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    x = np.arange(len(data))
    vals = data["best_pct_change_from_baseline"].to_numpy(dtype=float)
    cols = [RESPONSE_COLOURS.get(b, "#BBBBBB") for b in data["bor"]]
    bars = ax.bar(x, vals, color=cols, width=0.82, edgecolor="none")
    for bar, unc in zip(bars, data["unconfirmed_response"]):
        if unc:
            bar.set_hatch("////")
            bar.set_edgecolor("black")
            bar.set_linewidth(0.4)
    new = data["pd_new_lesion"].to_numpy(dtype=bool)
    ymin = min(-105.0, float(vals.min(initial=0.0)) - 8)
    ymax = max(60.0, float(vals.max(initial=0.0)) + 12)
    marker_y = np.where(vals >= 0, vals + 4, 4)
    ax.scatter(x[new], marker_y[new], marker="v", color="black", s=22, zorder=3)
    ax.axhline(20, color="#D55E00", ls="--", lw=0.8)
    ax.axhline(-30, color="#0072B2", ls="--", lw=0.8)
    ax.text(1.005, 20, "+20%", transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=7,
            color="#D55E00")
    ax.text(1.005, -30, "-30%", transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=7,
            color="#0072B2")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks([])
    ax.set_xlim(-0.8, len(data) - 0.2)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    present = [b for b in RESPONSE_ORDER if b in set(data["bor"])]
    handles: list[Patch | Line2D] = [Patch(color=RESPONSE_COLOURS[b]) for b in present]
    names = [response_labels.get(b, b) for b in present]
    if data["unconfirmed_response"].any():
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="////", linewidth=0.4))
        names.append(unconfirmed_label)
    if new.any():
        handles.append(Line2D([], [], marker="v", color="black", ls="", ms=6))
        names.append(new_lesion_label)
    ax.legend(handles, names, title=legend_title, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.03),
              frameon=False, fontsize=7)
    ax.set_ylim(ymin, ymax)
    return fig


def plot_swimmer(treated: pd.DataFrame, visits: pd.DataFrame, *, title: str, xlabel: str,
                 cutoff: pd.Timestamp | None, response_labels: Mapping[str, str],
                 ongoing_label: str, death_label: str, legend_title: str) -> Figure:
    """Bars = treatment duration (first dose to end of treatment, or the cut-off when still on
    treatment); markers = time-point responses (colour and shape), legend in response order;
    arrow = still on treatment; cross = death."""
    t = treated.copy()
    fd = pd.to_datetime(t["first_dose_date"])
    eot = pd.to_datetime(t["end_of_treatment_date"], errors="coerce")
    end = eot.fillna(cutoff if cutoff is not None else fd)
    t["dur"] = ((end - fd).dt.days + 1) / DAYS_PER_MONTH
    t["fd"] = fd
    t = t.sort_values("dur").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.0, max(4.0, 0.12 * len(t) + 1.4)))
    ax.barh(np.arange(len(t)), t["dur"], color="#D9D9D9", height=0.72)
    v = visits.merge(t[["subject_id", "fd"]], on="subject_id")
    v["m"] = ((pd.to_datetime(v["visit_date"]) - v["fd"]).dt.days + 1) / DAYS_PER_MONTH
    ypos = dict(zip(t["subject_id"], range(len(t))))
    handles: list[Line2D] = []
    names: list[str] = []
    present = set(v["overall_response"].astype(str))
    for resp in [r for r in RESPONSE_ORDER if r in present]:
        grp = v[v["overall_response"].astype(str) == resp]
        ax.scatter(grp["m"], grp["subject_id"].map(ypos), s=20 if resp != "CR" else 36,
                   marker=RESPONSE_MARKERS.get(resp, "o"), color=RESPONSE_COLOURS.get(resp, "#777777"),
                   zorder=3, edgecolor="black", linewidth=0.3)
        handles.append(Line2D([], [], marker=RESPONSE_MARKERS.get(resp, "o"), ls="",
                              color=RESPONSE_COLOURS.get(resp, "#777777"), markeredgecolor="black",
                              markeredgewidth=0.3, ms=6))
        names.append(response_labels.get(resp, resp))
    reason = t["end_of_treatment_reason"] if "end_of_treatment_reason" in t else pd.Series(
        "Ongoing", index=t.index)
    ongoing = reason.fillna("Ongoing").eq("Ongoing")
    ax.scatter(t.loc[ongoing, "dur"] + 0.3, np.flatnonzero(ongoing), marker=">", color="black",
               s=16, zorder=3)
    handles.append(Line2D([], [], marker=">", ls="", color="black", ms=5))
    names.append(ongoing_label)
    dd = pd.to_datetime(t["death_date"], errors="coerce")
    dm = ((dd - t["fd"]).dt.days + 1) / DAYS_PER_MONTH
    dead = dd.notna()
    if dead.any():
        ax.scatter(dm[dead], np.flatnonzero(dead), marker="x", color="black", s=18, zorder=3)
        handles.append(Line2D([], [], marker="x", ls="", color="black", ms=5))
        names.append(death_label)
    ax.set_yticks(np.arange(len(t)))
    ax.set_yticklabels(t["subject_id"], fontsize=5.5)
    ax.set_ylim(-0.8, len(t) - 0.2)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles, names, title=legend_title, loc="lower right", fontsize=7, frameon=True)
    return fig


def plot_spider(visits: pd.DataFrame, treated: pd.DataFrame, responses: pd.DataFrame, *,
                title: str, xlabel: str, ylabel: str, response_labels: Mapping[str, str],
                legend_title: str) -> Figure:
    """% change of the target sum from baseline over time, one line per subject coloured by
    confirmed BOR (legend in response order)."""
    fd = pd.to_datetime(treated.set_index("subject_id")["first_dose_date"])
    v = visits.dropna(subset=["pct_change_from_baseline"]).copy()
    v["m"] = ((pd.to_datetime(v["visit_date"]) - v["subject_id"].map(fd)).dt.days + 1) / DAYS_PER_MONTH
    bor = responses.set_index("subject_id")["best_overall_response_confirmed"].fillna("MISSING").astype(str)
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    for sid, g in v.sort_values("m").groupby("subject_id"):
        c = RESPONSE_COLOURS.get(str(bor.get(sid, "MISSING")), "#BBBBBB")
        ax.plot(np.concatenate(([0.0], g["m"].to_numpy(dtype=float))),
                np.concatenate(([0.0], g["pct_change_from_baseline"].to_numpy(dtype=float))),
                color=c, lw=0.9, marker="o", ms=2)
    ax.axhline(20, color="#D55E00", ls="--", lw=0.8)
    ax.axhline(-30, color="#0072B2", ls="--", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    drawn = set(bor[bor.index.isin(set(v["subject_id"]))])
    present = [b for b in RESPONSE_ORDER if b in drawn]
    ax.legend([Line2D([], [], color=RESPONSE_COLOURS[b]) for b in present],
              [response_labels.get(b, b) for b in present], title=legend_title,
              ncol=min(3, len(present)), fontsize=7, frameon=False, loc="upper center",
              bbox_to_anchor=(0.5, -0.14))
    return fig
