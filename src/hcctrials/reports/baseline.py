"""Baseline characteristics table, including liver-function scores and stage.

The scores (Child-Pugh, ALBI, BCLC, CNLC) are never computed here: :func:`compute_liver_scores`
is the single place that calls :mod:`hcctrials.scores` (written by its own module).

Categories are listed in clinical order, not by count (CONSORT 2010 item 15 / ICH E3 11.2
"demographic and other baseline characteristics"): BCLC 0, A, B, C, D (Reig 2022); CNLC Ia, Ib,
IIa, IIb, IIIa, IIIb, IV (China liver cancer guideline 2024); Child-Pugh A5 ... C15; ALBI
grade 1-3; ECOG 0-4; yes before no; undetermined and unknown last.  Every label and unit goes
through :func:`hcctrials.i18n.say`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pandas as pd

from hcctrials import scores
from hcctrials.i18n import say

__all__ = ["compute_liver_scores", "derive_baseline_table", "BaselineGroup", "BCLC_ORDER", "CNLC_ORDER",
           "CHILD_PUGH_ORDER"]

#: BCLC 2022 stages in clinical order (Reig 2022).
BCLC_ORDER = ("0", "A", "B", "C", "D")
#: CNLC stages in clinical order (China liver cancer guideline 2024).
CNLC_ORDER = ("Ia", "Ib", "IIa", "IIb", "IIIa", "IIIb", "IV")
#: Child-Pugh class and points in order (Pugh 1973).
CHILD_PUGH_ORDER = ("A5", "A6", "B7", "B8", "B9", "C10", "C11", "C12", "C13", "C14", "C15")

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


def _stage_text(stage: str | None, candidates: tuple[str, ...], lang: str) -> str:
    if stage is not None:
        return stage
    if candidates:
        return say("undetermined ({candidates})", lang, candidates="/".join(candidates))
    return say("unknown", lang)


def compute_liver_scores(subjects: pd.DataFrame, *, lang: str = "en") -> tuple[pd.DataFrame, list[str]]:
    """Child-Pugh (A5, B7 ...), ALBI grade, BCLC 2022 and CNLC stage per subject, as text.

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
            notes.append(say("Child-Pugh for subject {subject}: missing {items}", lang, subject=sid,
                             items=", ".join(child_pugh.missing)))
        rows.append({
            "subject_id": sid,
            "child_pugh": child_pugh.label or say("{low} to {high} points (incomplete)", lang,
                                                  low=child_pugh.points_min, high=child_pugh.points_max),
            "albi": say("Grade {grade}", lang, grade=albi.grade) if albi.grade else say("unknown", lang),
            "bclc": _stage_text(bclc.stage, bclc.candidates, lang),
            "cnlc": _stage_text(cnlc.stage, cnlc.candidates, lang),
        })
    columns = ["subject_id", "child_pugh", "albi", "bclc", "cnlc"]
    return pd.DataFrame(rows, columns=columns), notes


@dataclass
class BaselineGroup:
    """One characteristic of the baseline table: its label (with unit) and its rows
    (category, value); continuous variables have one row, "median (range)"."""

    characteristic: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _ordered_counts(values: pd.Series, order: tuple[str, ...], n: int, lang: str) -> list[tuple[str, str]]:
    """n (%) per category, categories in *order*, then any others (alphabetical), then unknown."""
    unknown = say("unknown", lang)
    counts = values.fillna(unknown).astype(str).value_counts()
    rank = {c: i for i, c in enumerate(order)}

    def key(cat: str) -> tuple[int, str]:
        if cat in rank:
            return (0, f"{rank[cat]:04d}")
        return (2, cat) if cat == unknown else (1, cat)

    return [(c, f"{int(counts[c])} ({100 * counts[c] / n:.1f})") for c in sorted(counts.index, key=key)]


def _yes_no(series: pd.Series, lang: str) -> pd.Series:
    text = series.astype("string").str.strip().str.lower()
    yes, no = say("Yes", lang), say("No", lang)
    return text.map(lambda v: yes if v in ("true", "yes", "y", "1") else
                    no if v in ("false", "no", "n", "0") else None)


_SEX = {"m": "Male", "male": "Male", "f": "Female", "female": "Female"}
_ETIOLOGY = {"hbv": "Hepatitis B", "hcv": "Hepatitis C", "hbv+hcv": "Hepatitis B and C",
             "alcohol": "Alcohol-related", "masld": "MASLD", "nafld": "MASLD", "nash": "MASLD",
             "other": "Other"}


def _sex_words(lang: str) -> dict[str, str]:
    words = {"Male": say("Male", lang), "Female": say("Female", lang)}
    return {k: words[v] for k, v in _SEX.items()}


def _etiology_words(lang: str) -> dict[str, str]:
    words = {"Hepatitis B": say("Hepatitis B", lang), "Hepatitis C": say("Hepatitis C", lang),
             "Hepatitis B and C": say("Hepatitis B and C", lang),
             "Alcohol-related": say("Alcohol-related", lang), "MASLD": say("MASLD", lang),
             "Other": say("Other", lang)}
    return {k: words[v] for k, v in _ETIOLOGY.items()}


def derive_baseline_table(treated: pd.DataFrame, *, lang: str = "en") -> tuple[list[BaselineGroup], list[str]]:
    """Baseline characteristics of the treated subjects, grouped by characteristic, in clinical
    order, with units in the labels; and notes (e.g. scores that could not be completed).
    Percentages are of the treated subjects (n, %)."""
    n = len(treated)
    groups: list[BaselineGroup] = []

    def cont(label: str, col: str, digits: int = 1) -> None:
        if col not in treated.columns:
            return
        v = pd.to_numeric(treated[col], errors="coerce")
        if v.notna().any():
            groups.append(BaselineGroup(label, [(say("median (range)", lang),
                          f"{v.median():.{digits}f} ({v.min():.{digits}f}-{v.max():.{digits}f})")]))

    def cat(label: str, values: pd.Series, order: tuple[str, ...]) -> None:
        groups.append(BaselineGroup(label, _ordered_counts(values, order, n, lang)))

    cont(say("Age, years", lang), "age", 0)
    if "sex" in treated.columns:
        words = _sex_words(lang)
        cat(say("Sex", lang), treated["sex"].astype("string").str.strip().str.lower().map(words),
            (words["m"], words["f"]))
    if "ecog" in treated.columns:
        ecog = pd.to_numeric(treated["ecog"], errors="coerce").astype("Int64").astype("string")
        cat(say("ECOG performance status", lang), ecog, ("0", "1", "2", "3", "4"))
    if "etiology" in treated.columns:
        words = _etiology_words(lang)
        raw = treated["etiology"].astype("string").str.strip()
        mapped = raw.str.lower().map(words).fillna(raw)
        order = tuple(dict.fromkeys(words[k] for k in ("hbv", "hcv", "hbv+hcv", "alcohol", "masld", "other")))
        cat(say("Aetiology", lang), mapped, order)
    if "prior_systemic_lines" in treated.columns:
        lines = pd.to_numeric(treated["prior_systemic_lines"], errors="coerce").astype("Int64").astype("string")
        cat(say("Prior systemic therapy lines", lang), lines, tuple(str(i) for i in range(10)))
    cont(say("Bilirubin, umol/L", lang), "bilirubin_umol_l")
    cont(say("Albumin, g/L", lang), "albumin_g_l")
    cont(say("INR", lang), "inr", 2)
    cont(say("Platelets, 10^9/L", lang), "platelets_10e9_l", 0)
    cont(say("AFP, ng/mL", lang), "afp_ng_ml")
    if "afp_ng_ml" in treated.columns:
        afp = pd.to_numeric(treated["afp_ng_ml"], errors="coerce")
        high, low = say(">= 400 ng/mL", lang), say("< 400 ng/mL", lang)
        cat(say("AFP >= 400 ng/mL", lang), afp.map(lambda v: None if pd.isna(v) else (high if v >= 400 else low)),
            (high, low))
    for label, col in ((say("Macrovascular invasion", lang), "macrovascular_invasion"),
                       (say("Extrahepatic spread", lang), "extrahepatic_spread")):
        if col in treated.columns:
            cat(label, _yes_no(treated[col], lang), (say("Yes", lang), say("No", lang)))
    liver, notes = compute_liver_scores(treated, lang=lang)
    cat(say("Child-Pugh class and points", lang), liver["child_pugh"], CHILD_PUGH_ORDER)
    cat(say("ALBI grade", lang), liver["albi"], tuple(say("Grade {grade}", lang, grade=g) for g in (1, 2, 3)))
    cat(say("BCLC stage", lang), liver["bclc"], BCLC_ORDER)
    cat(say("CNLC stage", lang), liver["cnlc"], CNLC_ORDER)
    return groups, notes
