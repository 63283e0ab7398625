"""Baseline characteristics table, including liver-function scores and stage.

The scores (Child-Pugh, ALBI, BCLC, CNLC) are never computed here: :func:`compute_liver_scores`
is the single place that calls :mod:`hcctrials.scores` (written by its own module) and
returns "not computed" with the reason when those functions are not available.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["compute_liver_scores", "derive_baseline_table"]


def compute_liver_scores(subjects: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Child-Pugh class, ALBI grade, BCLC and CNLC stage per subject, from
    :mod:`hcctrials.scores` when it provides them; returns (table, notes)."""
    notes: list[str] = []
    out = pd.DataFrame({"subject_id": subjects["subject_id"].astype(str)})
    try:
        from hcctrials import scores
    except ImportError:  # pragma: no cover - package always present
        scores = None  # type: ignore[assignment]
    for col, fn in (("child_pugh", "compute_child_pugh"), ("albi", "compute_albi"),
                    ("bclc", "compute_bclc"), ("cnlc", "compute_cnlc")):
        func = getattr(scores, fn, None) if scores is not None else None
        if func is None:
            out[col] = "not computed"
            notes.append(f"{col}: hcctrials.scores.{fn} is not available in this build")
            continue
        values: list[Any] = []
        for _, row in subjects.iterrows():
            try:
                res = func(row.to_dict())
                values.append(getattr(res, "label", None) or getattr(res, "category", None)
                              or str(res))
            except Exception as exc:  # a score that cannot be computed is reported, not hidden
                values.append("unknown")
                notes.append(f"{col} for subject {row['subject_id']}: {exc}")
        out[col] = values
    return out, notes


def _n_pct(series: pd.Series, n: int) -> list[tuple[str, str]]:
    counts = series.fillna("unknown").astype(str).value_counts()
    return [(str(k), f"{int(v)} ({100 * v / n:.1f}%)") for k, v in counts.items()]


def derive_baseline_table(treated: pd.DataFrame) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Rows (characteristic, category, value) for the treated subjects, and notes."""
    n = len(treated)
    rows: list[tuple[str, str, str]] = []

    def cont(label: str, col: str, digits: int = 1) -> None:
        if col not in treated.columns:
            return
        v = pd.to_numeric(treated[col], errors="coerce")
        if v.notna().any():
            rows.append((label, "median (range)",
                         f"{v.median():.{digits}f} ({v.min():.{digits}f} to {v.max():.{digits}f})"))

    def cat(label: str, col: str | pd.Series) -> None:
        s = treated[col] if isinstance(col, str) else col
        for k, v in _n_pct(s, n):
            rows.append((label, k, v))

    cont("Age, years", "age", 0)
    if "sex" in treated.columns:
        cat("Sex", "sex")
    if "ecog" in treated.columns:
        cat("ECOG performance status", "ecog")
    if "etiology" in treated.columns:
        cat("Aetiology", "etiology")
    cont("Bilirubin, umol/L", "bilirubin_umol_l")
    cont("Albumin, g/L", "albumin_g_l")
    cont("INR", "inr", 2)
    cont("AFP, ng/mL", "afp_ng_ml")
    for label, col in (("Macrovascular invasion", "macrovascular_invasion"),
                       ("Extrahepatic spread", "extrahepatic_spread")):
        if col in treated.columns:
            cat(label, col)
    scores, notes = compute_liver_scores(treated)
    for label, col in (("Child-Pugh", "child_pugh"), ("ALBI grade", "albi"),
                       ("BCLC stage", "bclc"), ("CNLC stage", "cnlc")):
        cat(label, scores[col])
    return rows, notes
