"""Safety tables: treatment-emergent adverse events (TEAEs) and exposure.

* TEAE: an AE starting on or after the first dose and no later than ``window_days`` (30)
  after the last dose (seed 000: safety follow-up to 30 days after the last dose), or
  flagged ``treatment_emergent`` explicitly.  AEs are graded by CTCAE v5 (1-5).
* Subjects are counted once per row of a table, at their worst grade; percentages are of
  the safety population (every subject with at least one dose).
* Exposure: cycles started, treatment duration (last - first dose + 1 days), and relative
  dose intensity = delivered / planned dose, per drug.
"""

from __future__ import annotations

import pandas as pd

from hcctrials.errors import ValidationError

__all__ = ["derive_teae", "derive_safety_overview", "derive_ae_by_term",
           "derive_ae_by_grade", "derive_exposure"]

_AE_COLUMNS = ("subject_id", "ae_term", "soc", "ctcae_grade", "start_date")


def _flag(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(False, index=frame.index)
    s = frame[col]
    if s.dtype == bool:
        return s
    txt = s.astype("string").str.strip().str.lower()
    ok = txt.isna() | txt.isin({"true", "false", "y", "n", "yes", "no", "1", "0", ""})
    if not ok.all():
        i = ok[~ok].index[0]
        raise ValidationError("expected yes/no", record=f"subject {frame.loc[i, 'subject_id']}",
                              field=col, value=s.loc[i])
    return txt.isin({"true", "y", "yes", "1"}).fillna(False).astype(bool)


def derive_teae(adverse_events: pd.DataFrame, subjects: pd.DataFrame, dosing: pd.DataFrame,
                *, window_days: int = 30) -> pd.DataFrame:
    """Adverse events flagged treatment-emergent (column ``teae``), with checks that name
    the subject: unknown subjects, grades outside 1-5, undated events."""
    for col in _AE_COLUMNS:
        if col not in adverse_events.columns:
            raise ValidationError(f"the adverse-event table has no column {col!r}", field=col)
    ae = adverse_events.copy()
    ae["subject_id"] = ae["subject_id"].astype(str)
    known = set(subjects["subject_id"].astype(str))
    unk = ~ae["subject_id"].isin(known)
    if unk.any():
        raise ValidationError("has adverse events but is not in the subject table",
                              record=f"subject {ae.loc[unk, 'subject_id'].iloc[0]}",
                              field="subject_id")
    grade = pd.to_numeric(ae["ctcae_grade"], errors="coerce")
    bad = grade.isna() | ~grade.isin([1, 2, 3, 4, 5])
    if bad.any():
        i = bad[bad].index[0]
        raise ValidationError("CTCAE grade must be 1 to 5", record=f"subject {ae.loc[i, 'subject_id']}",
                              field="ctcae_grade", value=ae.loc[i, "ctcae_grade"])
    ae["ctcae_grade"] = grade.astype(int)
    ae["start_date"] = pd.to_datetime(ae["start_date"], errors="coerce")
    if ae["start_date"].isna().any():
        i = ae.index[ae["start_date"].isna()][0]
        raise ValidationError("adverse event without a valid start date",
                              record=f"subject {ae.loc[i, 'subject_id']}", field="start_date",
                              value=adverse_events.loc[i, "start_date"])
    for col in ("serious", "aesi", "led_to_discontinuation", "related"):
        ae[col] = _flag(ae, col)
    d = dosing.assign(subject_id=dosing["subject_id"].astype(str),
                      dose_date=pd.to_datetime(dosing["dose_date"]))
    span = d.groupby("subject_id")["dose_date"].agg(["min", "max"])
    first = ae["subject_id"].map(span["min"])
    last = ae["subject_id"].map(span["max"])
    ae["teae"] = (ae["start_date"] >= first) & (ae["start_date"] <= last + pd.Timedelta(days=window_days))
    return ae


def _pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.1f}%)" if total else f"{n}"


def derive_safety_overview(teae: pd.DataFrame, n_safety: int) -> pd.DataFrame:
    """Subjects with any TEAE, grade >=3, serious, AESI, leading to discontinuation, grade 5."""
    t = teae[teae["teae"]]
    rows = [
        ("Any TEAE", t),
        ("Treatment-related TEAE", t[t["related"]]),
        ("Grade >= 3 TEAE", t[t["ctcae_grade"] >= 3]),
        ("Serious TEAE", t[t["serious"]]),
        ("TEAE of special interest (AESI)", t[t["aesi"]]),
        ("TEAE leading to discontinuation", t[t["led_to_discontinuation"]]),
        ("TEAE leading to death (grade 5)", t[t["ctcae_grade"] == 5]),
    ]
    out = [{"category": name, "subjects": int(sub["subject_id"].nunique()),
            "n_pct": _pct(int(sub["subject_id"].nunique()), n_safety), "events": int(len(sub))}
           for name, sub in rows]
    return pd.DataFrame(out)


def derive_ae_by_term(teae: pd.DataFrame, n_safety: int, *, subset: str | None = None) -> pd.DataFrame:
    """Subjects by system organ class and preferred term: any grade and grade >= 3.

    ``subset``: None (all TEAEs), "serious", "aesi" or "led_to_discontinuation"."""
    t = teae[teae["teae"]]
    if subset:
        t = t[t[subset]]
    worst = t.groupby(["soc", "ae_term", "subject_id"])["ctcae_grade"].max().reset_index()
    g = worst.groupby(["soc", "ae_term"])
    table = pd.DataFrame({"any_grade": g["subject_id"].nunique(),
                          "grade_3_plus": g["ctcae_grade"].apply(lambda s: int((s >= 3).sum()))})
    table = table.reset_index().sort_values(["any_grade", "soc", "ae_term"],
                                            ascending=[False, True, True])
    soc_tot = worst.groupby("soc")["subject_id"].nunique()
    table["soc_any_grade"] = table["soc"].map(soc_tot)
    table = table.sort_values(["soc_any_grade", "soc", "any_grade", "ae_term"],
                              ascending=[False, True, False, True])
    table["any_grade_pct"] = [_pct(int(v), n_safety) for v in table["any_grade"]]
    table["grade_3_plus_pct"] = [_pct(int(v), n_safety) for v in table["grade_3_plus"]]
    return table.reset_index(drop=True)


def derive_ae_by_grade(teae: pd.DataFrame, n_safety: int) -> pd.DataFrame:
    """Subjects by term and worst CTCAE grade (columns grade_1 ... grade_5, total)."""
    t = teae[teae["teae"]]
    worst = t.groupby(["ae_term", "subject_id"])["ctcae_grade"].max().reset_index()
    tab = pd.crosstab(worst["ae_term"], worst["ctcae_grade"]).reindex(columns=[1, 2, 3, 4, 5],
                                                                       fill_value=0)
    tab.columns = [f"grade_{g}" for g in tab.columns]
    tab["total"] = tab.sum(axis=1)
    return tab.sort_values("total", ascending=False).reset_index()


def derive_exposure(dosing: pd.DataFrame) -> pd.DataFrame:
    """Per subject and drug: cycles started, duration (days), planned and delivered dose,
    relative dose intensity (delivered / planned)."""
    for col in ("subject_id", "drug", "cycle", "dose_date", "planned_dose", "actual_dose"):
        if col not in dosing.columns:
            raise ValidationError(f"the dosing table has no column {col!r}", field=col)
    d = dosing.assign(dose_date=pd.to_datetime(dosing["dose_date"]),
                      subject_id=dosing["subject_id"].astype(str))
    neg = (pd.to_numeric(d["actual_dose"]) < 0) | (pd.to_numeric(d["planned_dose"]) <= 0)
    if neg.any():
        i = neg[neg].index[0]
        raise ValidationError("dose must be positive (planned) and non-negative (delivered)",
                              record=f"subject {d.loc[i, 'subject_id']}", field="actual_dose",
                              value=(d.loc[i, "planned_dose"], d.loc[i, "actual_dose"]))
    g = d.groupby(["subject_id", "drug"])
    out = pd.DataFrame({
        "cycles": g["cycle"].nunique(),
        "first_dose": g["dose_date"].min(), "last_dose": g["dose_date"].max(),
        "planned_total": g["planned_dose"].sum(), "delivered_total": g["actual_dose"].sum(),
    }).reset_index()
    out["duration_days"] = (out["last_dose"] - out["first_dose"]).dt.days + 1
    out["relative_dose_intensity"] = out["delivered_total"] / out["planned_total"]
    return out
