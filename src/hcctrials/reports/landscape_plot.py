"""Plot of the trial landscape: a heat map of trials by setting x intervention class, with a
bar chart of trials by start year per setting beside it (PNG or SVG by file suffix)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pandas as pd

from hcctrials.errors import InputError
from hcctrials.matching.setting import SETTING_LABELS

__all__ = ["save_landscape_plot"]


def save_landscape_plot(summary: dict[str, pd.DataFrame], path: str | Path, *, title: str = "HCC trial landscape") -> Path:
    """Write the landscape plot of :func:`hcctrials.matching.landscape.summarise_landscape`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(path)
    if out.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"landscape plot: unsupported file type {out.suffix!r}", value=str(out),
                         hint="Use a .png or .svg file name")
    heat = summary["setting_by_class"]
    years = summary["setting_by_start_year"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [3, 2]})
    labels = [SETTING_LABELS[str(s)]["en"] for s in heat.index]
    image = ax1.imshow(heat.to_numpy(), cmap="Blues", aspect="auto")
    ax1.set_xticks(range(heat.shape[1]), [str(c) for c in heat.columns], rotation=45, ha="right")
    ax1.set_yticks(range(heat.shape[0]), labels)
    for key, value in pd.DataFrame(heat.to_numpy()).stack().items():
        # pandas-stubs types index keys as Hashable; stacking a frame with a default
        # RangeIndex on both axes gives (row, column) position pairs.
        i, j = cast(tuple[int, int], key)
        if value:
            ax1.text(j, i, str(value), ha="center", va="center", fontsize=8)
    ax1.set_title("Trials by setting and intervention class")
    fig.colorbar(image, ax=ax1, shrink=0.8)
    if not years.empty:
        years.T.sort_index().plot(kind="bar", stacked=True, ax=ax2, legend=True)
        handles, names = ax2.get_legend_handles_labels()
        ax2.legend(handles, [SETTING_LABELS[str(n)]["en"] for n in names], fontsize=7)
    ax2.set_title("Trials by start year")
    ax2.set_xlabel("start year")
    fig.suptitle(title)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
