"""Report figures with matplotlib (Agg backend): Kaplan-Meier curves with a number-at-risk
table, waterfall of best % change, swimmer plot of treatment duration and responses, and a
spider plot of % change over time.  Sized and lettered for print (A4 width) and screen.
Times are shown in months (days / 30.4375, spec 5)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from hcctrials.endpoints.summary import TteSummary  # noqa: E402
from hcctrials.endpoints.survival import DAYS_PER_MONTH  # noqa: E402

__all__ = ["plot_km", "plot_waterfall", "plot_swimmer", "plot_spider", "figure_to_png_base64",
           "RESPONSE_COLOURS"]

#: Colour-blind-safe (Okabe-Ito) colours per response category.
RESPONSE_COLOURS = {"CR": "#009E73", "PR": "#56B4E9", "SD": "#E69F00", "NON_CR_NON_PD": "#F0E442",
                    "PD": "#D55E00", "NE": "#999999", "iCR": "#009E73", "iPR": "#56B4E9",
                    "iSD": "#E69F00", "iUPD": "#CC79A7", "iCPD": "#D55E00", "MISSING": "#BBBBBB"}
plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
                     "legend.fontsize": 8, "figure.dpi": 110})


def figure_to_png_base64(fig: Figure, *, dpi: int = 150) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_km(summaries: Mapping[str, TteSummary], *, title: str, labels: Mapping[str, str],
            xlabel: str = "Months", ylabel: str = "Probability", at_risk_label: str = "At risk",
            step_months: float = 3.0) -> Figure:
    """KM curves (one per endpoint) with censoring ticks, CI band and a number-at-risk table."""
    fig = plt.figure(figsize=(7.0, 4.6))
    ax = fig.add_axes((0.12, 0.34, 0.84, 0.58))
    tab = fig.add_axes((0.12, 0.04, 0.84, 0.18))
    tab.axis("off")
    colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"]
    tmax = max((float(s.km.time.max()) for s in summaries.values() if s.km is not None), default=1.0)
    tmax_m = tmax / DAYS_PER_MONTH
    ticks = np.arange(0, tmax_m + step_months, step_months)
    rows = []
    for i, (key, s) in enumerate(summaries.items()):
        if s.km is None:
            continue
        km = s.km
        c = colours[i % len(colours)]
        t = np.concatenate(([0.0], km.time)) / DAYS_PER_MONTH
        surv = np.concatenate(([1.0], km.survival))
        lo = np.concatenate(([1.0], np.nan_to_num(km.lower, nan=np.nan)))
        up = np.concatenate(([1.0], np.nan_to_num(km.upper, nan=np.nan)))
        ax.step(t, surv, where="post", color=c, lw=1.6, label=f"{labels.get(key, key)} "
                f"(n={s.n}, events={s.events})")
        ax.fill_between(t, lo, up, step="post", color=c, alpha=0.12, lw=0)
        cens = km.n_censor > 0
        ax.plot(km.time[cens] / DAYS_PER_MONTH, km.survival[cens], "|", color=c, ms=7, mew=1.2)
        rows.append((labels.get(key, key), km.n_at_risk(ticks * DAYS_PER_MONTH), c))
    ax.set_xlim(0, ticks[-1])
    ax.set_ylim(0, 1.02)
    ax.set_xticks(ticks)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", frameon=False)
    tab.set_xlim(0, ticks[-1])
    tab.set_ylim(-0.5, len(rows) + 0.2)
    tab.text(-0.02 * ticks[-1], len(rows), at_risk_label, ha="right", va="center",
             fontweight="bold", fontsize=8)
    for j, (name, risk, c) in enumerate(rows):
        y = len(rows) - 1 - j
        tab.text(-0.02 * ticks[-1], y, name, ha="right", va="center", color=c, fontsize=8)
        for x, r in zip(ticks, risk):
            tab.text(x, y, str(int(r)), ha="center", va="center", fontsize=8)
    return fig


def plot_waterfall(subjects: pd.DataFrame, *, title: str, ylabel: str, bor_column: str,
                   legend_title: str = "BOR") -> Figure:
    """Best % change from baseline in the target sum, one bar per subject, coloured by BOR."""
    d = subjects.dropna(subset=["best_pct_change_from_baseline"]).sort_values(
        "best_pct_change_from_baseline", ascending=False)
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    x = np.arange(len(d))
    cols = [RESPONSE_COLOURS.get(str(b), "#BBBBBB") for b in d[bor_column].fillna("MISSING")]
    ax.bar(x, d["best_pct_change_from_baseline"], color=cols, width=0.85)
    ax.axhline(20, color="#D55E00", ls="--", lw=0.8)
    ax.axhline(-30, color="#0072B2", ls="--", lw=0.8)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks([])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    present = [b for b in RESPONSE_COLOURS if b in set(d[bor_column].fillna("MISSING"))]
    handles = [Rectangle((0, 0), 1, 1, color=RESPONSE_COLOURS[b]) for b in present]
    ax.legend(handles, present, title=legend_title, ncol=min(len(present), 6), loc="lower left",
              frameon=False)
    vals = d["best_pct_change_from_baseline"].to_numpy(dtype=float)
    ax.set_ylim(min(-105.0, float(vals.min(initial=0.0)) - 5),
                max(60.0, float(vals.max(initial=0.0)) + 10))
    return fig


def plot_swimmer(treated: pd.DataFrame, visits: pd.DataFrame, *, title: str, xlabel: str,
                 cutoff: pd.Timestamp | None, ongoing_label: str = "on treatment",
                 death_label: str = "death") -> Figure:
    """Bars = treatment duration (first dose to end of treatment or cut-off); markers =
    time-point responses; arrow = still on treatment; x = death."""
    t = treated.copy()
    fd = pd.to_datetime(t["first_dose_date"])
    eot = pd.to_datetime(t["end_of_treatment_date"], errors="coerce")
    end = eot.fillna(cutoff if cutoff is not None else fd)
    t["dur"] = ((end - fd).dt.days + 1) / DAYS_PER_MONTH
    t["fd"] = fd
    t = t.sort_values("dur").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.0, max(4.0, 0.11 * len(t) + 1.2)))
    ax.barh(np.arange(len(t)), t["dur"], color="#BBBBBB", height=0.7)
    v = visits.merge(t[["subject_id", "fd"]], on="subject_id")
    v["m"] = ((pd.to_datetime(v["visit_date"]) - v["fd"]).dt.days + 1) / DAYS_PER_MONTH
    ypos = dict(zip(t["subject_id"], range(len(t))))
    for resp, grp in v.groupby("overall_response"):
        ax.scatter(grp["m"], grp["subject_id"].map(ypos), s=14, color=RESPONSE_COLOURS.get(str(resp), "#777"),
                   label=str(resp), zorder=3, edgecolor="black", linewidth=0.3)
    ongoing = t["end_of_treatment_reason"].fillna("Ongoing").eq("Ongoing") \
        if "end_of_treatment_reason" in t else pd.Series(False, index=t.index)
    ax.scatter(t.loc[ongoing, "dur"] + 0.25, np.flatnonzero(ongoing), marker=">", color="black",
               s=14, label=ongoing_label, zorder=3)
    dd = pd.to_datetime(t["death_date"], errors="coerce")
    dm = ((dd - t["fd"]).dt.days + 1) / DAYS_PER_MONTH
    dead = dd.notna()
    ax.scatter(dm[dead], np.flatnonzero(dead), marker="x", color="black", s=16, label=death_label,
               zorder=3)
    ax.set_yticks(np.arange(len(t)))
    ax.set_yticklabels(t["subject_id"], fontsize=5.5)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=7, frameon=True)
    return fig


def plot_spider(visits: pd.DataFrame, treated: pd.DataFrame, responses: pd.DataFrame, *,
                title: str, xlabel: str, ylabel: str, bor_column: str) -> Figure:
    """% change of the target sum from baseline over time, one line per subject (BOR colour)."""
    fd = treated.set_index("subject_id")["first_dose_date"].pipe(pd.to_datetime)
    v = visits.dropna(subset=["pct_change_from_baseline"]).copy()
    v["m"] = ((pd.to_datetime(v["visit_date"]) - v["subject_id"].map(fd)).dt.days + 1) / DAYS_PER_MONTH
    bor = responses.set_index("subject_id")[bor_column]
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    for sid, g in v.sort_values("m").groupby("subject_id"):
        c = RESPONSE_COLOURS.get(str(bor.get(sid, "MISSING")), "#BBBBBB")
        ax.plot(np.concatenate(([0], g["m"])), np.concatenate(([0], g["pct_change_from_baseline"])),
                color=c, lw=0.9, marker="o", ms=2)
    ax.axhline(20, color="#D55E00", ls="--", lw=0.8)
    ax.axhline(-30, color="#0072B2", ls="--", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    present = [b for b in RESPONSE_COLOURS if b in set(bor.fillna("MISSING"))]
    ax.legend([Line2D([], [], color=RESPONSE_COLOURS[b]) for b in present], present,
              ncol=min(6, len(present)), fontsize=7, frameon=False, loc="upper left")
    return fig
