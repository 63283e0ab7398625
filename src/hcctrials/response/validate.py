"""Validate and normalise a tumour-assessment table (pure, vectorised).

The canonical long table has one row per lesion per assessment (see ``docs/response.md``).
:func:`check_assessments` returns a normalised copy (typed columns, diameters as exact
integers in hundredths of a millimetre, baseline flags, time points) or raises
:class:`~hcctrials.response.common.ResponseInputError` naming subject, visit and lesion.
Rules: RECIST 1.1 sections 1.1-1.2 [E09, S16]; mRECIST target selection [LL10].
Nothing is dropped silently: a row is either used or the table is rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from hcctrials.response.common import HUNDREDTHS, ResponseInputError, ResponseSettings

__all__ = [
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "NON_TARGET_STATUSES",
    "check_assessments",
    "check_first_doses",
    "normalise_organ",
]

REQUIRED_COLUMNS = ("subject_id", "visit_date", "lesion_id", "lesion_role", "diameter_mm")
OPTIONAL_COLUMNS = (
    "organ",
    "is_lymph_node",
    "viable_diameter_mm",
    "non_target_status",
    "measurable",
    "equivocal",
    "typical_vascular_pattern",
    "cytology_malignant",
    "visit",
)
NON_TARGET_STATUSES = ("present", "absent", "unequivocal_progression", "not_evaluated", "increased")

_ROLE_SYNONYMS = {
    "target": "target", "t": "target", "tl": "target", "target lesion": "target",
    "non_target": "non_target", "non-target": "non_target", "nontarget": "non_target",
    "non target": "non_target", "nt": "non_target", "ntl": "non_target",
    "non-target lesion": "non_target",
    "new": "new", "nl": "new", "new lesion": "new", "new_lesion": "new",
}
_STATUS_SYNONYMS = {
    "present": "present", "non-cr/non-pd": "present", "persistent": "present",
    "absent": "absent", "cr": "absent", "gone": "absent",
    "unequivocal_progression": "unequivocal_progression",
    "unequivocal progression": "unequivocal_progression", "pd": "unequivocal_progression",
    "unequivocal": "unequivocal_progression",
    "not_evaluated": "not_evaluated", "not evaluated": "not_evaluated", "ne": "not_evaluated",
    "increased": "increased", "increase": "increased",
}
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
#: Paired organs count as one organ [S16 Q&A]; all lymph nodes are one organ [E09 1.2].
_PAIRED = {
    "left lung": "lung", "right lung": "lung", "lungs": "lung",
    "left kidney": "kidney", "right kidney": "kidney", "kidneys": "kidney",
    "left ovary": "ovary", "right ovary": "ovary", "ovaries": "ovary",
    "left adrenal": "adrenal", "right adrenal": "adrenal", "adrenals": "adrenal",
    "hepatic": "liver", "intrahepatic": "liver",
}


def normalise_organ(name: object) -> str:
    """Lower-case organ name with paired organs collapsed (``"Left lung"`` -> ``"lung"``)."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return "unknown"
    text = " ".join(str(name).strip().lower().replace("_", " ").split())
    return _PAIRED.get(text, text) or "unknown"


def _where(row: pd.Series) -> str:
    visit = row.get("visit_date")
    visit_text = visit.date().isoformat() if isinstance(visit, pd.Timestamp) else str(visit)
    return f"subject {row.get('subject_id')}, visit {visit_text}, lesion {row.get('lesion_id')}"


def _fail(df: pd.DataFrame, mask: Any, message: str, *, field: str | None = None,
          hint: str | None = None) -> None:
    """Raise for the first row of *df* where *mask* holds (naming subject/visit/lesion)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    idx = int(np.flatnonzero(mask)[0])
    row = df.iloc[idx]
    more = int(mask.sum()) - 1
    text = message + (f" ({more} more row(s) with the same problem)" if more else "")
    value = row.get(field) if field else None
    if isinstance(value, float) and np.isnan(value):
        value = "missing"
    raise ResponseInputError(text, record=_where(row), field=field, value=value, hint=hint)


def _parse_bool(df: pd.DataFrame, col: str, default: Any) -> pd.Series:
    if col not in df.columns:
        return pd.Series(default, index=df.index, dtype="object")
    raw = df[col]
    text = raw.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=df.index, dtype="object")
    out[text.isin(_TRUE).fillna(False).to_numpy()] = True
    out[text.isin(_FALSE).fillna(False).to_numpy()] = False
    bad = raw.notna().to_numpy() & out.isna().to_numpy()
    _fail(df, bad, "not a yes/no value", field=col, hint="use true/false, yes/no or 1/0")
    if default is not pd.NA:
        out = out.where(out.notna(), default)
    return out


def _parse_diameter(df: pd.DataFrame, col: str) -> np.ndarray:
    """Diameter column -> int64 hundredths of a mm, -1 where missing (not assessed)."""
    if col not in df.columns:
        return np.full(len(df), -1, dtype=np.int64)
    raw = df[col]
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    present = raw.notna().to_numpy()
    if raw.dtype == object:
        present &= raw.astype("string").str.strip().ne("").fillna(False).to_numpy()
    _fail(df, present & np.isnan(num), "diameter is not a number", field=col,
          hint="give millimetres as a number, or leave empty if not assessed")
    _fail(df, np.isinf(num), "diameter is infinite", field=col)
    _fail(df, num < 0, "diameter is negative", field=col, hint="diameters are >= 0 mm")
    scaled = num * HUNDREDTHS
    rounded = np.round(scaled)
    finite = ~np.isnan(num)
    _fail(df, finite & (np.abs(scaled - rounded) > 1e-6), "diameter has more than two decimals",
          field=col, hint="record millimetres to at most 0.01 mm; values are never rounded")
    out = np.where(finite, rounded, -1).astype(np.int64)
    return out


def check_first_doses(first_doses: Mapping[str, date] | pd.DataFrame) -> pd.DataFrame:
    """Normalise first doses to a frame: subject_id, first_dose_date[, new_anticancer_therapy_date]."""
    if isinstance(first_doses, pd.DataFrame):
        frame = first_doses.copy()
        if "subject_id" not in frame.columns and "USUBJID" in frame.columns:
            frame = frame.rename(columns={"USUBJID": "subject_id"})
        if "first_dose_date" not in frame.columns and "TRTSDT" in frame.columns:
            frame = frame.rename(columns={"TRTSDT": "first_dose_date"})
        missing = [c for c in ("subject_id", "first_dose_date") if c not in frame.columns]
        if missing:
            raise ResponseInputError("first-dose table lacks columns", field=",".join(missing),
                                     hint="give subject_id and first_dose_date")
    else:
        frame = pd.DataFrame({"subject_id": list(first_doses.keys()),
                              "first_dose_date": list(first_doses.values())})
    frame["subject_id"] = frame["subject_id"].astype("string").str.strip()
    cols = ["subject_id", "first_dose_date"]
    for col in ("first_dose_date", "new_anticancer_therapy_date"):
        if col not in frame.columns:
            continue
        cols.append(col)
        parsed = pd.to_datetime(frame[col], errors="coerce")
        bad = frame[col].notna() & parsed.isna()
        if col == "first_dose_date":
            bad |= frame[col].isna()
        if bad.any():
            row = frame[bad].iloc[0]
            raise ResponseInputError("first-dose table: date missing or not a date",
                                     record=f"subject {row['subject_id']}", field=col,
                                     value=row[col], hint="use ISO dates (YYYY-MM-DD)")
        frame[col] = parsed.dt.normalize()
    dup = frame["subject_id"].duplicated(keep=False)
    if dup.any():
        raise ResponseInputError("first-dose table: subject listed twice",
                                 record=f"subject {frame.loc[dup, 'subject_id'].iloc[0]}")
    return frame[cols].reset_index(drop=True)


def _time_points(subject_codes: np.ndarray, days: np.ndarray, window: int,
                 which: str) -> tuple[np.ndarray, np.ndarray]:
    """Group sorted dates of each subject into time points (gap <= *window* days joins).

    Returns (time-point number within the whole table, time-point date in days).
    Single-linkage on the gap to the previous distinct date, so it is vectorised.
    """
    n = len(days)
    new = np.ones(n, dtype=bool)
    if n > 1:
        same_subject = subject_codes[1:] == subject_codes[:-1]
        new[1:] = ~same_subject | ((days[1:] - days[:-1]) > window)
    tp = np.cumsum(new) - 1
    if which == "earliest":
        starts = days[new]
        tp_days = starts[tp]
    else:
        ends = np.maximum.reduceat(days, np.flatnonzero(new)) if n else days
        tp_days = ends[tp]
    return tp, tp_days


def check_assessments(
    df: pd.DataFrame,
    first_doses: Mapping[str, date] | pd.DataFrame | None = None,
    *,
    criteria: str = "recist11",
    settings: ResponseSettings | None = None,
) -> pd.DataFrame:
    """Validate a tumour-assessment table and return its normalised form.

    Without *first_doses* only the row-level checks run (types, roles, duplicates,
    target counts, visit order); with them the baseline checks run too (each subject's
    baseline is its last assessment on or before first dose [E09 1.1]).
    Raises :class:`ResponseInputError` naming subject, visit and lesion.
    """
    settings = settings or ResponseSettings()
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ResponseInputError("assessment table lacks required columns",
                                 field=",".join(missing),
                                 hint=f"required: {', '.join(REQUIRED_COLUMNS)}")
    src = df.reset_index(drop=True)
    out = pd.DataFrame(index=src.index)
    for col in ("subject_id", "lesion_id"):
        text = src[col].astype("string").str.strip()
        _fail(src, (text.isna() | text.eq("")).to_numpy(), "identifier is empty", field=col)
        out[col] = text.astype(object)
    dates = pd.to_datetime(src["visit_date"], errors="coerce")
    _fail(src, dates.isna().to_numpy(), "visit date missing or not a date", field="visit_date",
          hint="use ISO dates (YYYY-MM-DD)")
    out["visit_date"] = dates.dt.normalize()
    src = src.assign(visit_date=out["visit_date"], subject_id=out["subject_id"],
                     lesion_id=out["lesion_id"])

    role_text = src["lesion_role"].astype("string").str.strip().str.lower()
    role = role_text.map(_ROLE_SYNONYMS)
    _fail(src, role.isna().to_numpy(), "unknown lesion role", field="lesion_role",
          hint="use target, non_target or new")
    out["role"] = role.astype(object)
    organ = src["organ"] if "organ" in src.columns else pd.Series("unknown", index=src.index)
    organ_codes, organ_uniques = pd.factorize(organ, use_na_sentinel=True)
    organ_norm = np.array([normalise_organ(u) for u in organ_uniques] + ["unknown"], dtype=object)
    out["organ"] = organ_norm[organ_codes]
    out["is_node"] = _parse_bool(src, "is_lymph_node", False).astype(bool)
    out["d"] = _parse_diameter(src, "diameter_mm")
    out["v"] = _parse_diameter(src, "viable_diameter_mm")
    if "non_target_status" in src.columns:
        st_text = src["non_target_status"].astype("string").str.strip().str.lower()
        st = st_text.map(_STATUS_SYNONYMS)
        _fail(src, (st_text.notna() & st_text.ne("") & st.isna()).to_numpy(),
              "unknown non-target status", field="non_target_status",
              hint=f"use one of {', '.join(NON_TARGET_STATUSES)}")
        out["nt_status"] = st.fillna("").astype(object)
    else:
        out["nt_status"] = ""
    out["measurable"] = _parse_bool(src, "measurable", pd.NA)
    out["equivocal"] = _parse_bool(src, "equivocal", False).astype(bool)
    out["typical"] = _parse_bool(src, "typical_vascular_pattern", pd.NA)
    out["cytology"] = _parse_bool(src, "cytology_malignant", pd.NA)
    if "visit" in src.columns:
        out["visit"] = src["visit"]

    # sort and check duplicates / role consistency
    out = out.sort_values(["subject_id", "visit_date", "lesion_id"], kind="stable")
    out = out.reset_index(drop=True)
    dup = out.duplicated(["subject_id", "visit_date", "lesion_id"], keep="first").to_numpy()
    _fail(out, dup, "duplicate row: lesion recorded twice at the same visit",
          hint="remove the repeated row or give the lesions distinct ids")
    roles_per_lesion = out.groupby(["subject_id", "lesion_id"], sort=False)["role"].transform("nunique")
    _fail(out, roles_per_lesion.to_numpy() > 1, "lesion changes role between visits",
          field="role", hint="a lesion keeps its role; record a new lesion under a new id")
    # visit order against a visit number, when one is given
    if "visit" in out.columns:
        vnum = pd.to_numeric(out["visit"], errors="coerce")
        if vnum.notna().all():
            order = out.assign(_v=vnum).sort_values(["subject_id", "_v", "visit_date"], kind="stable")
            prev = order.groupby("subject_id", sort=False)["visit_date"].shift(1)
            bad = (order["visit_date"] < prev).to_numpy()
            _fail(order.reset_index(drop=True), bad,
                  "visit dates out of order: a later visit number has an earlier date",
                  field="visit_date", hint="check the visit dates against the visit numbers")
    # target counts [E09 1.2]: <= 5 per subject, <= 2 per organ (all nodes one organ)
    tgt = out[out["role"].to_numpy() == "target"]
    group = np.where(tgt["is_node"].to_numpy(), "lymph node", tgt["organ"].to_numpy())
    firsts = tgt.assign(_g=group).drop_duplicates(["subject_id", "lesion_id"])
    n_tgt = firsts.groupby("subject_id")["lesion_id"].transform("size").to_numpy()
    _fail(firsts, n_tgt > 5, "more than 5 target lesions", field="lesion_id",
          hint="RECIST 1.1 allows at most 5 targets; record the others as non-target")
    n_org = firsts.groupby(["subject_id", "_g"])["lesion_id"].transform("size").to_numpy()
    _fail(firsts, n_org > 2, "more than 2 target lesions in one organ", field="organ",
          hint="RECIST 1.1 allows 2 per organ (all lymph nodes count as one organ)")

    if first_doses is None:
        return out
    doses = check_first_doses(first_doses)
    merged = out.merge(doses, on="subject_id", how="left", validate="many_to_one")
    _fail(merged, merged["first_dose_date"].isna().to_numpy(), "subject has no first-dose date",
          field="subject_id", hint="add the subject to the first-dose table")
    if "new_anticancer_therapy_date" not in merged.columns:
        merged["new_anticancer_therapy_date"] = pd.NaT
    subj_codes = pd.factorize(merged["subject_id"])[0]
    day = merged["visit_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    tp, tp_days = _time_points(subj_codes, day, settings.visit_window_days,
                               settings.timepoint_date)
    merged["tp"] = tp
    merged["tp_date"] = pd.to_datetime(tp_days.astype("datetime64[D]"))
    dose_day = merged["first_dose_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    pre = tp_days <= dose_day
    frame = pd.DataFrame({"s": subj_codes, "tp": tp, "pre": pre})
    base_tp = frame[pre].groupby("s")["tp"].max()
    has_base = np.isin(subj_codes, base_tp.index.to_numpy())
    _fail(merged, ~has_base, "no baseline assessment on or before the first dose",
          field="visit_date", hint="the baseline scan must precede treatment [RECIST 1.1]")
    base_of_row = base_tp.reindex(subj_codes).to_numpy()
    _fail(merged, tp < base_of_row, "measurement before baseline: an assessment precedes the "
          "subject's baseline (last assessment on or before first dose)", field="visit_date",
          hint="keep one pre-treatment assessment per subject")
    merged["is_baseline"] = tp == base_of_row
    dup2 = merged.duplicated(["tp", "lesion_id"]).to_numpy()
    _fail(merged, dup2, "lesion recorded twice within one visit window", field="visit_date",
          hint="the visit window merged two dates; narrow visit_window_days")
    role_arr = merged["role"].to_numpy()
    first_tp = merged.groupby(["subject_id", "lesion_id"], sort=False)["tp"].transform("min")
    lesion_at_base = (first_tp.to_numpy() == base_of_row)
    _fail(merged, (role_arr == "target") & ~lesion_at_base, "target lesion without a baseline",
          field="lesion_id", hint="targets are chosen at baseline; record later lesions as new")
    _fail(merged, (role_arr == "non_target") & ~lesion_at_base,
          "non-target lesion without a baseline", field="lesion_id",
          hint="non-targets are recorded at baseline; record later lesions as new")
    isb = merged["is_baseline"].to_numpy()
    _fail(merged, (role_arr == "new") & isb, "new lesion at baseline", field="lesion_role",
          hint="baseline lesions are target or non-target")
    d = merged["d"].to_numpy()
    node = merged["is_node"].to_numpy()
    bt = isb & (role_arr == "target")
    _fail(merged, bt & (d < 0), "target lesion without a baseline measurement",
          field="diameter_mm", hint="give the baseline longest diameter (short axis for nodes)")
    _fail(merged, bt & ~node & (d >= 0) & (d < 10 * HUNDREDTHS),
          "target lesion not measurable at baseline: longest diameter under 10 mm",
          field="diameter_mm", hint="record it as non-target [RECIST 1.1 1.1]")
    _fail(merged, bt & node & (d >= 0) & (d < 15 * HUNDREDTHS),
          "nodal target not measurable at baseline: short axis under 15 mm",
          field="diameter_mm", hint="nodes of 10-15 mm short axis are non-target [RECIST 1.1 1.1]")
    meas = merged["measurable"].to_numpy()
    _fail(merged, bt & (meas == False), "target lesion flagged not measurable",  # noqa: E712
          field="measurable", hint="only measurable lesions can be targets")
    bnt = isb & (role_arr == "non_target")
    _fail(merged, bnt & np.isin(merged["nt_status"].to_numpy(),
                                ["absent", "unequivocal_progression", "increased"]),
          "non-target lesion at baseline must be present", field="nt_status")
    if criteria == "mrecist" and settings.mrecist_atypical_targets == "error":
        liver = merged["organ"].to_numpy() == "liver"
        _fail(merged, bt & liver & (merged["v"].to_numpy() < 0),
              "mRECIST: intrahepatic target without a viable (arterially enhancing) diameter",
              field="viable_diameter_mm",
              hint="mRECIST targets must enhance [LL10]; make it non-target or set "
              "mrecist_atypical_targets='whole_lesion'")
    return merged
