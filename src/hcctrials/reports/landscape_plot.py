"""Plot of the trial landscape: a heat map of trials by setting x intervention class, with a
bar chart of trials by start year per setting beside it (PNG or SVG by file suffix).

:func:`plot_trial_landscape` counts only trials of hepatocellular carcinoma by default: a trial
counts when :func:`hcctrials.matching.relevance.assess_relevance` finds it concerns the disease of
an HCC patient (HCC, primary liver cancer, liver cancer; level ``disease``).  Solid-tumour
baskets, other conditions and records naming no condition are left out and counted; the plot
states what it dropped (per reason, and the records without a start year that the year chart
cannot place).  Classes and settings are labelled in words, in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from hcctrials.errors import InputError
from hcctrials.i18n import msg, say
from hcctrials.matching.landscape import derive_landscape_rows, summarise_landscape
from hcctrials.matching.relevance import assess_relevance, patient_concepts, trial_concepts
from hcctrials.matching.setting import SETTING_LABELS
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial
from hcctrials.reports.fonts import configure_matplotlib

__all__ = ["save_landscape_plot", "plot_trial_landscape", "select_hcc_trials", "LandscapePlot",
           "class_label", "setting_label"]


def class_label(code: str, lang: str) -> str:
    """An intervention class in words."""
    words = {
        "pd1": say("PD-1 inhibitor", lang), "pdl1": say("PD-L1 inhibitor", lang),
        "ctla4": say("CTLA-4 inhibitor", lang), "tigit": say("TIGIT antibody", lang),
        "anti_vegf": say("Anti-VEGF antibody", lang), "tki": say("Tyrosine kinase inhibitor", lang),
        "cell_therapy": say("Cell therapy", lang), "locoregional": say("Locoregional therapy", lang),
        "chemotherapy": say("Chemotherapy", lang), "surgery": say("Surgery", lang),
        "radiotherapy": say("Radiotherapy", lang), "none": say("No class identified", lang),
    }
    return words.get(code, code)


def setting_label(code: str, lang: str) -> str:
    """A treatment setting in words (the English of :data:`SETTING_LABELS` as msgid)."""
    english = SETTING_LABELS.get(code, {}).get("en", code)
    words = {
        "Adjuvant": say("Adjuvant", lang), "Neoadjuvant / perioperative": say("Neoadjuvant / perioperative", lang),
        "Intermediate stage (TACE/HAIC + systemic)": say("Intermediate stage (TACE/HAIC + systemic)", lang),
        "Conversion therapy": say("Conversion therapy", lang), "Advanced, first line": say("Advanced, first line", lang),
        "Advanced, second line or later": say("Advanced, second line or later", lang),
        "Advanced, line not stated": say("Advanced, line not stated", lang), "Unclassified": say("Unclassified", lang),
    }
    return words.get(english, english)


def select_hcc_trials(trials: Iterable[Trial]) -> tuple[list[Trial], dict[str, int]]:
    """The trials of hepatocellular carcinoma, and how many others were dropped per relevance
    level (``basket``, ``other_condition``, ``condition_unknown``)."""
    hcc = patient_concepts(Patient(patient_id="landscape"))  # an HCC patient's disease concepts
    kept: list[Trial] = []
    dropped: dict[str, int] = {}
    for trial in trials:
        level = assess_relevance(trial_concepts(trial), hcc).level
        if level == "disease":
            kept.append(trial)
        else:
            dropped[level] = dropped.get(level, 0) + 1
    return kept, dropped


@dataclass(frozen=True)
class LandscapePlot:
    """What was plotted: the file, trials counted, and records dropped per reason."""

    path: Path
    trials: int
    dropped: dict[str, int] = field(default_factory=dict)
    without_start_year: int = 0


def dropped_note(dropped: Mapping[str, int], without_year: int, lang: str) -> str:
    """What the landscape did not count, in words (\"Not counted: 3 trials of other conditions; ...\")."""
    parts = []
    names = {"basket": say("{n} solid-tumour basket trials", lang, n=dropped.get("basket", 0)),
             "other_condition": say("{n} trials of other conditions", lang, n=dropped.get("other_condition", 0)),
             "condition_unknown": say("{n} records naming no condition", lang,
                                      n=dropped.get("condition_unknown", 0))}
    for level in ("basket", "other_condition", "condition_unknown"):
        if dropped.get(level):
            parts.append(names[level])
    text = say("Not counted: {what}", lang, what="; ".join(parts)) if parts else ""
    if without_year:
        year = say("{n} records without a start year (not in the year chart)", lang, n=without_year)
        text = f"{text}; {year}" if text else say("Not counted: {what}", lang, what=year)
    return text


def plot_trial_landscape(trials: Iterable[Trial], path: str | Path, *, hcc_only: bool = True,
                         lang: str = "en") -> LandscapePlot:
    """Select the HCC trials (unless ``hcc_only=False``), summarise them with
    :func:`hcctrials.matching.landscape.summarise_landscape` and write the plot."""
    chosen, dropped = select_hcc_trials(trials) if hcc_only else (list(trials), {})
    rows = derive_landscape_rows(chosen)
    summary = summarise_landscape(rows)
    no_year = int(rows.loc[rows["start_year"].isna(), "trial_id"].nunique()) if len(rows) else 0
    n = int(rows["trial_id"].nunique()) if len(rows) else 0
    title = say("HCC trial landscape ({n} trials)", lang, n=n) if hcc_only else \
        say("Trial landscape, all conditions ({n} trials)", lang, n=n)
    out = save_landscape_plot(summary, path, title=title, lang=lang,
                              note=dropped_note(dropped, no_year, lang))
    return LandscapePlot(out, n, dropped, no_year)


def save_landscape_plot(summary: dict[str, pd.DataFrame], path: str | Path, *, title: str = "",
                        lang: str = "en", note: str = "") -> Path:
    """Write the landscape plot of :func:`hcctrials.matching.landscape.summarise_landscape`
    (counts as given: use :func:`plot_trial_landscape` to count HCC trials only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out = Path(path)
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(msg("landscape plot: unsupported file type {suffix}", suffix=repr(out.suffix)), value=str(out),
                         hint="Use a .png or .svg file name")
    cjk = configure_matplotlib(lang)
    plot_lang = lang if (lang == "en" or cjk is not None) else "en"
    heat = summary["setting_by_class"]
    years = summary["setting_by_start_year"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.8), gridspec_kw={"width_ratios": [3, 2]})
    image = ax1.imshow(heat.to_numpy(), cmap="Blues", aspect="auto")
    ax1.set_xticks(range(heat.shape[1]), [class_label(str(c), plot_lang) for c in heat.columns],
                   rotation=40, ha="right")
    ax1.set_yticks(range(heat.shape[0]), [setting_label(str(s), plot_lang) for s in heat.index])
    top = float(heat.to_numpy().max()) if heat.size else 0.0
    for key, value in pd.DataFrame(heat.to_numpy()).stack().items():
        # pandas-stubs types index keys as Hashable; stacking a frame with a default
        # RangeIndex on both axes gives (row, column) position pairs.
        i, j = cast(tuple[int, int], key)
        if value:
            ax1.text(j, i, str(value), ha="center", va="center", fontsize=8,
                     color="white" if value > 0.6 * top else "black")
    ax1.set_title(say("Trials by setting and intervention class", plot_lang))
    bar = fig.colorbar(image, ax=ax1, shrink=0.8, label=say("Trials", plot_lang))
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    if not years.empty:
        years.T.sort_index().plot(kind="bar", stacked=True, ax=ax2, legend=True)
        handles, names = ax2.get_legend_handles_labels()
        ax2.legend(handles, [setting_label(str(n), plot_lang) for n in names], fontsize=7)
    ax2.set_title(say("Trials by start year", plot_lang))
    ax2.set_xlabel(say("Start year", plot_lang))
    ax2.set_ylabel(say("Trials", plot_lang))
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of trials: whole numbers only
    fig.suptitle(title or say("HCC trial landscape", plot_lang))
    if note:
        fig.text(0.01, 0.005, note, fontsize=8, ha="left", va="bottom", color="#333333")
    fig.tight_layout(rect=(0, 0.04 if note else 0, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata={"Date": None} if out.suffix.lower() == ".svg" else None)
    plt.close(fig)
    return out
