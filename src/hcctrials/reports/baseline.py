"""Baseline characteristics table, including liver-function scores and stage.

The scores (Child-Pugh, ALBI, BCLC, CNLC) are never computed here: :func:`compute_liver_scores`
is the single place that calls :mod:`hcctrials.scores` (written by its own module) and
returns "not computed" with the reason when those functions are not available.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any, TypedDict

import pandas as pd

from hcctrials import scores

__all__ = ["compute_liver_scores", "derive_baseline_table"]

#: One subject's row as given by ``DataFrame.to_dict(orient="records")``.
_Row = Mapping[Hashable, Any]


class _TumourInputs(TypedDict):
    """Keyword arguments shared by :func:`compute_bclc` and :func:`compute_cnlc`."""

    nodule_count: int | None
    largest_diameter_cm: float | None
    macrovascular_invasion: bool | None
    extrahepatic_spread: bool | None
    ecog: int | None


def _value(row: _Row, key: str) -> Any:
    """A cell as a Python value, with blanks (NaN) as ``None``."""
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.strip().lower() in ("", "nan", "unknown"):
        return None
    return value


def _flag(row: _Row, key: str) -> bool | None:
    value = _value(row, key)
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    return bool(value)


def _number(row: _Row, key: str) -> float | None:
    value = _value(row, key)
    return None if value is None else float(value)


def _stage_text(stage: str | None, candidates: tuple[str, ...]) -> str:
    if stage is not None:
        return stage
    return "undetermined (" + "/".join(candidates) + ")" if candidates else "unknown"


def compute_liver_scores(subjects: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Child-Pugh (A5, B7 ...), ALBI grade, BCLC 2022 and CNLC stage per subject.

    The single place where the report calls :mod:`hcctrials.scores`; the scores themselves
    follow ``../shared/docs/hcc-domain.md`` sections 1-2 (see ``docs/scores.md``).  Baseline
    columns used: bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy, ecog,
    nodule_count, largest_diameter_cm, macrovascular_invasion, extrahepatic_spread.  A score
    whose inputs are missing is shown as undetermined with its possible classes, never guessed.
    """
    notes: list[str] = []
    rows: list[dict[str, str]] = []
    for record in subjects.to_dict(orient="records"):
        sid = str(record["subject_id"])
        bili, alb = _number(record, "bilirubin_umol_l"), _number(record, "albumin_g_l")
        ecog_value = _number(record, "ecog")
        ecog = None if ecog_value is None else int(ecog_value)
        count_value = _number(record, "nodule_count")
        child_pugh = scores.compute_child_pugh(
            bilirubin_umol_l=bili, albumin_g_l=alb, inr=_number(record, "inr"),
            ascites=_value(record, "ascites"), encephalopathy=_value(record, "encephalopathy"),
        )
        albi = scores.compute_albi(bilirubin_umol_l=bili, albumin_g_l=alb)
        tumour = _TumourInputs(
            nodule_count=None if count_value is None else int(count_value),
            largest_diameter_cm=_number(record, "largest_diameter_cm"),
            macrovascular_invasion=_flag(record, "macrovascular_invasion"),
            extrahepatic_spread=_flag(record, "extrahepatic_spread"),
            ecog=ecog,
        )
        ascites = _value(record, "ascites")
        bclc = scores.compute_bclc(
            **tumour, child_pugh_points=child_pugh.points,
            child_pugh_range=(child_pugh.points_min, child_pugh.points_max),
            ascites_none=None if ascites is None else ascites == "none",
        )
        cnlc = scores.compute_cnlc(
            **tumour, child_pugh_class=child_pugh.grade,
            child_pugh_classes_possible=tuple(child_pugh.classes_possible),
        )
        if child_pugh.missing:
            notes.append(f"Child-Pugh for subject {sid}: missing {', '.join(child_pugh.missing)}")
        rows.append({
            "subject_id": sid,
            "child_pugh": child_pugh.label or (
                f"{child_pugh.points_min}-{child_pugh.points_max} (incomplete)"),
            "albi": f"grade {albi.grade}" if albi.grade else "unknown",
            "bclc": _stage_text(bclc.stage, bclc.candidates),
            "cnlc": _stage_text(cnlc.stage, cnlc.candidates),
        })
    columns = ["subject_id", "child_pugh", "albi", "bclc", "cnlc"]
    return pd.DataFrame(rows, columns=columns), notes


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
