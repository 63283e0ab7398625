"""The trial landscape: counts by setting x intervention class x phase x registry x start year.

Pure aggregation (a pandas table in, tables out); the plot is
:mod:`hcctrials.reports.landscape_plot`.  A trial with several settings or classes is
counted once in each (so the margins of the cross tables can exceed the number of trials;
:func:`derive_landscape_rows` keeps one row per trial x setting x class for that reason).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from hcctrials.matching.setting import INTERVENTION_CLASSES, SETTINGS, classify_trial_setting
from hcctrials.model.trial import Trial

__all__ = ["derive_landscape_rows", "summarise_landscape", "LANDSCAPE_COLUMNS"]

LANDSCAPE_COLUMNS = ("trial_id", "registry", "setting", "intervention_class", "phase", "start_year", "status")


def _phase(trial: Trial) -> str:
    phases = [p for p in trial.phases if p != "na"]
    return "/".join(sorted(phases)) if phases else "not stated"


def derive_landscape_rows(trials: Iterable[Trial]) -> pd.DataFrame:
    """One row per trial x setting x intervention class (class 'none' when none is known)."""
    rows = []
    for trial in trials:
        setting = classify_trial_setting(trial)
        start = trial.dates.study_start or trial.dates.recruitment_start or trial.dates.registered
        year = int(start[:4]) if start else None
        classes = [c for c in INTERVENTION_CLASSES if c in setting.intervention_classes] or ["none"]
        for s in setting.settings:
            for c in classes:
                rows.append((trial.trial_id, trial.registry.value, s, c, _phase(trial), year,
                             trial.overall_status.value))
    frame = pd.DataFrame(rows, columns=list(LANDSCAPE_COLUMNS))
    frame["start_year"] = frame["start_year"].astype("Int64")
    frame["setting"] = pd.Categorical(frame["setting"], categories=list(SETTINGS))
    return frame


def summarise_landscape(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Cross tables of distinct trials: setting x class, setting x phase, setting x registry,
    setting x start year, and the long table by all five dimensions."""
    def cross(col: str) -> pd.DataFrame:
        table = rows.drop_duplicates(["trial_id", "registry", "setting", col]).pivot_table(
            index="setting", columns=col, values="trial_id", aggfunc="count", fill_value=0, observed=True)
        return table.astype(int)

    long = (rows.groupby(["setting", "intervention_class", "phase", "registry", "start_year"], observed=True,
                         dropna=False)["trial_id"].nunique().rename("trials").reset_index())
    return {
        "setting_by_class": cross("intervention_class"),
        "setting_by_phase": cross("phase"),
        "setting_by_registry": cross("registry"),
        "setting_by_start_year": cross("start_year"),
        "long": long[long["trials"] > 0].reset_index(drop=True),
    }
