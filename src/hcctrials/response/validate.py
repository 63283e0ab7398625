"""Validate and normalise a tumour-assessment table (pure, vectorised).

The canonical long table has one row per lesion per assessment (see ``docs/response.md``).
:func:`check_assessments` returns a normalised copy (typed columns, diameters as exact
integers in hundredths of a millimetre, baseline flags, time points) or raises
:class:`~hcctrials.response.common.ResponseInputError` naming subject, visit and lesion.
Rules: RECIST 1.1 sections 1.1-1.2 [E09, S16]; mRECIST target selection [LL10].
Nothing is dropped silently: a row is either used or the table is rejected.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from hcctrials.i18n import msg
from hcctrials.response.common import (
    HUNDREDTHS, PORTA_HEPATIS, ResponseInputError, ResponseSettings,
)
from hcctrials.response.dates import to_dates

__all__ = [
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "NON_TARGET_STATUSES",
    "check_assessments",
    "normalise_assessments",
    "column",
    "organ_mask",
    "TARGET", "NON_TARGET", "NEW", "ROLE_NAMES", "STATUS_NAMES",
    "ST_NONE", "ST_PRESENT", "ST_ABSENT", "ST_UPD", "ST_NE", "ST_INCREASED",
    "Columns",
    "check_first_doses",
    "normalise_organ",
    "visit_kind",
    "visit_kinds",
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

#: Integer codes of the normalised role and non-target status columns.
TARGET, NON_TARGET, NEW = 0, 1, 2
ROLE_NAMES = np.array(["target", "non_target", "new"], dtype=object)
ST_NONE, ST_PRESENT, ST_ABSENT, ST_UPD, ST_NE, ST_INCREASED = 0, 1, 2, 3, 4, 5
STATUS_NAMES = np.array(["", "present", "absent", "unequivocal_progression", "not_evaluated",
                         "increased"], dtype=object)
_STATUS_CODE = {str(n): i for i, n in enumerate(STATUS_NAMES)}
_ROLE_CODE = {"target": TARGET, "non_target": NON_TARGET, "new": NEW}

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


#: Normalised assessment columns: equal-length NumPy arrays, plus "_subjects"/"_lesions"
#: (distinct identifiers, indexed by the "subject_code"/"lesion_code" columns).
Columns = dict[str, np.ndarray]


def column(frame: Columns, name: str, rows: Any = slice(None)) -> np.ndarray:
    """Column *name* of *frame* at *rows*, decoding coded columns (ids, role, organ, status)."""
    if name == "subject_id":
        return np.asarray(frame["_subjects"][frame["subject_code"][rows]])
    if name == "lesion_id":
        return np.asarray(frame["_lesions"][frame["lesion_code"][rows]])
    if name == "organ_name":
        return np.asarray(frame["_organs"][frame["organ"][rows]])
    if name == "role_name":
        return np.asarray(ROLE_NAMES[frame["role"][rows]])
    if name == "status_name":
        return np.asarray(STATUS_NAMES[frame["nt_status"][rows]])
    return np.asarray(frame[name][rows])


def organ_mask(frame: Columns, names: Any) -> np.ndarray:
    """Rows whose (normalised) organ is one of *names*."""
    wanted = [i for i, o in enumerate(frame["_organs"]) if o in set(names)]
    return np.isin(frame["organ"], wanted)


def _where(row: Mapping[Hashable, Any]) -> str:
    visit = row.get("visit_date")
    if isinstance(visit, np.datetime64):
        visit = pd.Timestamp(visit)
    visit_text = visit.date().isoformat() if isinstance(visit, pd.Timestamp) else str(visit)
    return msg("subject {subject}, visit {visit}, lesion {lesion}", subject=str(row.get("subject_id")),
               visit=visit_text, lesion=str(row.get("lesion_id")))


def _fail(df: pd.DataFrame | Columns, mask: Any, message: str, *, field: str | None = None,
          hint: str | None = None, value_of: Any = None) -> None:
    """Raise for the first row of *df* where *mask* holds (naming subject/visit/lesion)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    idx = int(np.flatnonzero(mask)[0])
    row: dict[Hashable, Any]
    if isinstance(df, pd.DataFrame):
        row = df.iloc[idx].to_dict()
    else:
        row = {k: v[idx] for k, v in df.items() if not k.startswith("_")}
        if "_subjects" in df:
            row["subject_id"] = df["_subjects"][row["subject_code"]]
            row["lesion_id"] = df["_lesions"][row["lesion_code"]]
            row["organ"] = df["_organs"][row["organ"]]
            row["role"] = ROLE_NAMES[row["role"]]
            row["nt_status"] = STATUS_NAMES[row["nt_status"]]
    more = int(mask.sum()) - 1
    text = msg("{message} ({more} more row(s) with the same problem)", message=message, more=more) if more else message
    value = value_of(row) if value_of is not None else (row.get(field) if field else None)
    value = _plain(value)
    if isinstance(value, float) and np.isnan(value):
        value = "missing"
    raise ResponseInputError(text, record=_where(row), field=field, value=value, hint=hint)


def _plain(value: Any) -> Any:
    """NumPy scalars as plain Python values, so messages read ``8.0``, not ``np.float64(8.0)``;
    whole millimetres as ints-looking floats stay floats (``8.0``)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


_INVALID = object()


def _map_unique(raw: pd.Series, fn: Any) -> np.ndarray:
    """Apply *fn* to each distinct value once (fast on long tables); NaN/None -> fn(None).

    Hand-written rather than ``Series.map`` because the mapping must also see missing
    values and must run once per distinct value on multi-million-row tables.
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = [fn(u) for u in uniques] + [fn(None)]
    out = np.empty(len(mapped), dtype=object)
    out[:] = mapped
    return np.asarray(out[codes])


def _map_codes(raw: pd.Series, fn: Any) -> tuple[np.ndarray, np.ndarray]:
    """(integer codes in sorted order of the mapped values, sorted distinct mapped values)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques] + [fn(None)], dtype=object)
    canon, inverse = np.unique(mapped.astype(str), return_inverse=True)
    return inverse[codes].astype(np.int64), canon.astype(object)


def _bool_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return pd.NA
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text == "" or text == "nan":
        return pd.NA
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return _INVALID


def _parse_tri(df: pd.DataFrame, col: str) -> np.ndarray:
    """Yes/no column -> int8 array: 1 yes, 0 no, -1 unknown (missing)."""
    if col not in df.columns:
        return np.full(len(df), -1, dtype=np.int8)
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    vals = [_bool_value(u) for u in uniques] + [pd.NA]
    _fail(df, np.isin(codes, [i for i, v in enumerate(vals) if v is _INVALID]),
          msg("not a yes/no value"), field=col, hint=msg("use true/false, yes/no or 1/0"))
    table = np.array([-1 if v is pd.NA or v is _INVALID else int(bool(v)) for v in vals],
                     dtype=np.int8)
    return np.asarray(table[codes])


def _parse_bool(df: pd.DataFrame, col: str, default: bool) -> np.ndarray:
    """Yes/no column -> bool array, missing values taking *default*."""
    tri = _parse_tri(df, col)
    return np.asarray((tri == 1) | ((tri == -1) & default))


def _parse_diameter(df: pd.DataFrame, col: str) -> np.ndarray:
    """Diameter column -> int64 hundredths of a mm, -1 where missing (not assessed)."""
    if col not in df.columns:
        return np.full(len(df), -1, dtype=np.int64)
    raw = df[col]
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    present = raw.notna().to_numpy()
    if raw.dtype == object:
        present &= raw.astype("string").str.strip().ne("").fillna(False).to_numpy()
    _fail(df, present & np.isnan(num), msg("diameter is not a number"), field=col,
          hint=msg("give millimetres as a number, or leave empty if not assessed"))
    _fail(df, np.isinf(num), msg("diameter is infinite"), field=col)
    _fail(df, num < 0, msg("diameter is negative"), field=col, hint=msg("diameters are >= 0 mm"))
    scaled = num * HUNDREDTHS
    rounded = np.round(scaled)
    finite = ~np.isnan(num)
    _fail(df, finite & (np.abs(scaled - rounded) > 1e-6), msg("diameter has more than two decimals"),
          field=col, hint=msg("record millimetres to at most 0.01 mm; values are never rounded"))
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
            raise ResponseInputError(msg("first-dose table lacks columns"), field=",".join(missing),
                                     hint=msg("give subject_id and first_dose_date"))
    else:
        frame = pd.DataFrame({"subject_id": list(first_doses.keys()),
                              "first_dose_date": list(first_doses.values())})
    frame["subject_id"] = frame["subject_id"].astype("string").str.strip()
    cols = ["subject_id"]
    for col in ("first_dose_date", "new_anticancer_therapy_date"):
        if col not in frame.columns:
            continue
        cols.append(col)
        parsed = to_dates(frame[col])
        bad = frame[col].notna() & parsed.isna()
        if col == "first_dose_date":
            bad |= frame[col].isna()
        if bad.any():
            row = frame[bad].iloc[0]
            raise ResponseInputError(msg("first-dose table: date missing or not a date"),
                                     record=msg("subject {subject}", subject=str(row["subject_id"])), field=col,
                                     value=row[col], hint=msg("use ISO dates (YYYY-MM-DD)"))
        frame[col] = parsed.dt.normalize()
    dup = frame["subject_id"].duplicated(keep=False)
    if dup.any():
        raise ResponseInputError(msg("first-dose table: subject listed twice"),
                                 record=msg("subject {subject}", subject=str(frame.loc[dup, "subject_id"].iloc[0])))
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


_BASELINE_LABELS = frozenset({"baseline", "screening", "bl", "scr", "scrn", "pre-treatment",
                              "pretreatment", "pre-dose", "predose"})


def visit_kind(label: str) -> int:
    """0 scheduled post-baseline (or unknown), 1 baseline/screening, 2 unscheduled.

    Unscheduled labels may legitimately repeat on several dates, so they are left out of
    the label checks; baseline labels must come first.
    """
    text = " ".join(label.lower().replace("_", " ").split())
    if "unsch" in text or "unplanned" in text:
        return 2
    if text in _BASELINE_LABELS or text.startswith("screen") or "baseline" in text:
        return 1
    return 0


def visit_kinds(labels: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """:func:`visit_kind` per row for label *codes* into *labels* (-1 missing -> 2, ignored)."""
    table = np.array([visit_kind(str(x)) for x in labels] + [2], dtype=np.int8)
    return np.asarray(table[codes])


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def check_assessments(
    df: pd.DataFrame,
    first_doses: Mapping[str, date] | pd.DataFrame | None = None,
    *,
    criteria: str = "recist11",
    settings: ResponseSettings | None = None,
) -> pd.DataFrame:
    """Validate a tumour-assessment table and return its normalised form (a DataFrame).

    Without *first_doses* only the row-level checks run (types, roles, duplicates,
    target counts, visit order); with them the baseline checks run too (each subject's
    baseline is its last assessment on or before first dose [E09 1.1]).
    Raises :class:`ResponseInputError` naming subject, visit and lesion.
    """
    cols = normalise_assessments(df, first_doses, criteria=criteria, settings=settings)
    frame = pd.DataFrame({k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in cols.items()
                          if not k.startswith("_")})
    frame.insert(0, "subject_id", column(cols, "subject_id"))
    frame.insert(2, "lesion_id", column(cols, "lesion_id"))
    frame["role"] = column(cols, "role_name")
    frame["organ"] = column(cols, "organ_name")
    frame["nt_status"] = column(cols, "status_name")
    return frame


def normalise_assessments(
    df: pd.DataFrame,
    first_doses: Mapping[str, date] | pd.DataFrame | None = None,
    *,
    criteria: str = "recist11",
    settings: ResponseSettings | None = None,
) -> Columns:
    """:func:`check_assessments` returning plain NumPy columns (the engine's fast path).

    Strings are normalised once per distinct value (``pd.factorize``) and every check works
    on integer keys and NumPy arrays: a 4-million-row study validates in seconds.
    """
    settings = settings or ResponseSettings()
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise ResponseInputError(msg("assessment table lacks required columns"),
                                 field=",".join(missing),
                                 hint=msg("required: {columns}", columns=", ".join(REQUIRED_COLUMNS)))
    src = df
    ids = {}
    codes = {}
    for col in ("subject_id", "lesion_id"):
        codes[col], uniq = _map_codes(src[col], _text)
        ids[col] = uniq
        empty = np.flatnonzero(uniq == "")
        _fail(src, np.isin(codes[col], empty), msg("identifier is empty"), field=col)
    dates = to_dates(src["visit_date"])
    _fail(src, dates.isna().to_numpy(), msg("visit date missing or not a date"), field="visit_date",
          hint=msg("use ISO dates (YYYY-MM-DD)"))
    day = dates.to_numpy().astype("datetime64[D]").astype(np.int64)
    role = _map_unique(src["lesion_role"],
                       lambda v: _ROLE_CODE.get(_ROLE_SYNONYMS.get(_text(v).lower(), ""), -1)
                       ).astype(np.int8)
    _fail(src, role < 0, msg("unknown lesion role"), field="lesion_role",
          hint=msg("use target, non_target or new"))
    if "organ" in src.columns:
        organ, organs = _map_codes(src["organ"], normalise_organ)
    else:
        organ, organs = np.zeros(len(src), dtype=np.int64), np.array(["unknown"], dtype=object)
    if "non_target_status" in src.columns:
        def st_fn(v: Any) -> Any:
            return _STATUS_SYNONYMS.get(_text(v).lower(), "" if _text(v) == "" else None)

        st = _map_unique(src["non_target_status"],
                         lambda v: -1 if st_fn(v) is None else _STATUS_CODE[st_fn(v)]
                         ).astype(np.int8)
        _fail(src, st < 0, msg("unknown non-target status"), field="non_target_status",
              hint=msg("use one of {values}", values=", ".join(NON_TARGET_STATUSES)))
    else:
        st = np.zeros(len(src), dtype=np.int8)
    cols: Columns = {
        "subject_code": codes["subject_id"],
        "lesion_code": codes["lesion_id"],
        "visit_date": day.astype("datetime64[D]").astype("datetime64[ns]"),
        "role": role, "organ": organ,
        "is_node": _parse_bool(src, "is_lymph_node", False),
        "d": _parse_diameter(src, "diameter_mm"), "v": _parse_diameter(src, "viable_diameter_mm"),
        "nt_status": st, "measurable": _parse_tri(src, "measurable"),
        "equivocal": _parse_bool(src, "equivocal", False),
        "typical": _parse_tri(src, "typical_vascular_pattern"),
        "cytology": _parse_tri(src, "cytology_malignant"),
    }
    if "visit" in src.columns:
        cols["visit"] = src["visit"].to_numpy()
        vcodes, vtext = _map_codes(src["visit"], _text)   # once per distinct label
        vcodes = np.where(np.isin(vcodes, np.flatnonzero(vtext == "")), -1, vcodes)
        cols["visit_label"] = vcodes.astype(np.int64)
    # integer keys and sort (subject, date, lesion)
    s_code, l_code = codes["subject_id"], codes["lesion_id"]
    l_uniq = np.unique(l_code)
    order = np.lexsort((l_code, day, s_code))
    cols = {k: v[order] for k, v in cols.items()}
    # metadata first, so that every error below can name subject and lesion
    cols["_subjects"] = ids["subject_id"]
    cols["_lesions"] = ids["lesion_id"]
    cols["_organs"] = organs
    s_code, l_code, day = s_code[order], l_code[order], day[order]
    lkey = pd.factorize(s_code * (int(l_uniq.max()) + 1 if len(l_uniq) else 1) + l_code)[0]
    cols["skey"] = s_code.astype(np.int64)
    cols["lkey"] = lkey.astype(np.int64)
    n = len(day)
    n_les = int(lkey.max()) + 1 if n else 0
    dup = np.zeros(n, dtype=bool)   # rows are sorted by subject, date, lesion
    if n > 1:
        dup[1:] = (lkey[1:] == lkey[:-1]) & (day[1:] == day[:-1])
    _fail(cols, dup, msg("duplicate row: lesion recorded twice at the same visit"),
          hint=msg("remove the repeated row or give the lesions distinct ids"))
    rcode = cols["role"]
    rmin = np.full(n_les, 9)
    rmax = np.full(n_les, -1)
    np.minimum.at(rmin, lkey, rcode)
    np.maximum.at(rmax, lkey, rcode)
    _fail(cols, (rmin != rmax)[lkey], msg("lesion changes role between visits"), field="role",
          hint=msg("a lesion keeps its role; record a new lesion under a new id"))
    if "visit" in cols:
        cols["_visit_labels"] = vtext
        _check_visit_labels(cols, s_code, day, vtext)
    # target counts [E09 1.2]: <= 5 per subject, <= 2 per organ (all nodes one organ)
    first_row = np.full(n_les, n)
    np.minimum.at(first_row, lkey, np.arange(n))
    tfirst_mask = (rcode == 0) & (np.arange(n) == first_row[lkey])
    tfirst = np.flatnonzero(tfirst_mask)
    s_code = pd.factorize(s_code)[0]   # dense subject numbers 0..S-1 in sorted order
    cols["skey"] = s_code.astype(np.int64)
    n_tgt = np.bincount(s_code[tfirst], minlength=int(s_code.max()) + 1 if n else 0)
    _fail(cols, tfirst_mask & (n_tgt[s_code] > 5), msg("more than 5 target lesions"),
          field="lesion_id",
          hint=msg("RECIST 1.1 allows at most 5 targets; record the others as non-target"))
    group = np.where(cols["is_node"][tfirst], "lymph node", organs[cols["organ"][tfirst]])
    gkey = pd.factorize(pd.Series(s_code[tfirst]).astype(str) + "|" + group)[0]
    too_many = np.zeros(n, dtype=bool)
    if len(gkey):
        too_many[tfirst] = np.bincount(gkey)[gkey] > 2
    _fail(cols, too_many, msg("more than 2 target lesions in one organ"), field="organ",
          hint=msg("RECIST 1.1 allows 2 per organ (all lymph nodes count as one organ)"))
    if first_doses is None:
        return cols
    return _check_baseline(cols, day, first_doses, criteria=criteria, settings=settings)


def _label_value(frame: Columns) -> Any:
    labels = frame["_visit_labels"]
    return lambda row: labels[row["visit_label"]] if row["visit_label"] >= 0 else None


def _check_visit_labels(cols: Columns, s_code: np.ndarray, day: np.ndarray,
                        labels: np.ndarray) -> None:
    """Dates against the optional ``visit`` column (rows sorted by subject, date, lesion).

    * numeric visits: a later visit number may not have an earlier date;
    * one scan date of a subject may not carry two visit labels (unscheduled labels aside);
    * a baseline/screening visit may not be dated after a scheduled post-baseline visit.
    """
    label = cols["visit_label"]
    vnum = pd.to_numeric(pd.Series(cols["visit"]), errors="coerce").to_numpy(dtype=float)
    numeric = ~np.isnan(vnum)
    if numeric.sum() > 1:
        rows = np.flatnonzero(numeric)
        vorder = rows[np.lexsort((day[rows], vnum[rows], s_code[rows]))]
        sd, dd = s_code[vorder], day[vorder]
        bad = np.zeros(len(dd), dtype=bool)
        bad[1:] = (sd[1:] == sd[:-1]) & (dd[1:] < dd[:-1])
        _fail({k: v if k.startswith("_") else v[vorder] for k, v in cols.items()}, bad,
              "visit dates out of order: a later visit number has an earlier date",
              field="visit_date", hint=msg("check the visit dates against the visit numbers"))
    kind = visit_kinds(labels, label)
    checked = (label >= 0) & (kind != 2)
    if not checked.any():
        return
    # same subject and date, two different labels: rows are sorted by subject then date
    key = pd.DataFrame({"s": s_code[checked], "d": day[checked], "v": label[checked]})
    n_labels = key.groupby(["s", "d"])["v"].transform("nunique").to_numpy()
    conflict = np.zeros(len(label), dtype=bool)
    conflict[np.flatnonzero(checked)] = n_labels > 1
    if conflict.any():
        first = int(np.flatnonzero(conflict)[0])
        same = conflict & (s_code == s_code[first]) & (day == day[first])
        both = sorted({str(labels[v]) for v in label[same]})
        _fail(cols, conflict, msg("one scan date of a subject carries different visit labels"),
              field="visit", value_of=lambda row: both,
              hint=msg("the date orders the time points; correct the date or the visit label"))
    # baseline/screening dated after a scheduled post-baseline visit of the same subject
    n_subj = int(s_code.max()) + 1
    post = checked & (kind == 0)
    first_post = np.full(n_subj, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_post, s_code[post], day[post])
    late_base = checked & (kind == 1) & (day > first_post[s_code])
    _fail(cols, late_base, msg("baseline (screening) visit dated after a post-baseline visit of "
                                   "the same subject"), field="visit", value_of=_label_value(cols),
          hint=msg("the baseline scan precedes every follow-up scan; check the dates"))


def _mm_value(row: pd.Series) -> Any:
    return None if row["d"] < 0 else row["d"] / HUNDREDTHS


def _check_baseline(out: Columns, day: np.ndarray,
                    first_doses: Mapping[str, date] | pd.DataFrame, *, criteria: str,
                    settings: ResponseSettings) -> Columns:
    """Baseline rules: baseline on or before first dose, lesions present at baseline, ..."""
    doses = check_first_doses(first_doses)
    idx = pd.Index(doses["subject_id"].astype(str)).get_indexer(
        pd.Index(out["_subjects"]))[out["subject_code"]]
    _fail(out, idx < 0, msg("subject has no first-dose date"), field="subject_id",
          hint=msg("add the subject to the first-dose table"))
    out["first_dose_date"] = doses["first_dose_date"].to_numpy().astype("datetime64[ns]")[idx]
    out["new_anticancer_therapy_date"] = (
        doses["new_anticancer_therapy_date"].to_numpy().astype("datetime64[ns]")[idx]
        if "new_anticancer_therapy_date" in doses.columns
        else np.full(len(out["d"]), np.datetime64("NaT"), dtype="datetime64[ns]"))
    s_code = out["skey"]
    lkey = out["lkey"]
    tp, tp_days = _time_points(s_code, day, settings.visit_window_days, settings.timepoint_date)
    out["tp"] = tp
    out["tp_date"] = tp_days.astype("datetime64[D]").astype("datetime64[ns]")
    dose_day = out["first_dose_date"].astype("datetime64[D]").astype(np.int64)
    pre = tp_days <= dose_day
    n_subj = int(s_code.max()) + 1 if len(s_code) else 0
    base_tp = np.full(n_subj, -1, dtype=np.int64)
    np.maximum.at(base_tp, s_code[pre], tp[pre])
    base_of_row = base_tp[s_code]
    _fail(out, base_of_row < 0, msg("no baseline assessment on or before the first dose"),
          field="visit_date", hint=msg("the baseline scan must precede treatment [RECIST 1.1]"))
    _fail(out, tp < base_of_row, msg("measurement before baseline: an assessment precedes the "
                                       "subject's baseline (last assessment on or before first dose)"), field="visit_date",
          hint=msg("keep one pre-treatment assessment per subject"))
    isb = tp == base_of_row
    out["is_baseline"] = isb
    if "visit_label" in out:
        _check_time_point_labels(out, tp, isb, settings)
    n_les = int(lkey.max()) + 1 if len(lkey) else 0
    dup2 = (pd.Series(tp.astype(np.int64) * max(n_les, 1) + lkey).duplicated().to_numpy()
            if settings.visit_window_days else np.zeros(len(tp), dtype=bool))
    _fail(out, dup2, msg("lesion recorded twice within one visit window"), field="visit_date",
          hint=msg("the visit window merged two dates; narrow visit_window_days"))
    role_arr = out["role"]
    first_tp = np.full(n_les, np.iinfo(np.int64).max)
    np.minimum.at(first_tp, lkey, tp)
    lesion_at_base = first_tp[lkey] == base_of_row
    _fail(out, (role_arr == TARGET) & ~lesion_at_base, msg("target lesion without a baseline"),
          field="lesion_id", hint=msg("targets are chosen at baseline; record later lesions as new"))
    _fail(out, (role_arr == NON_TARGET) & ~lesion_at_base,
          msg("non-target lesion without a baseline"), field="lesion_id",
          hint=msg("non-targets are recorded at baseline; record later lesions as new"))
    _fail(out, (role_arr == NEW) & isb, msg("new lesion at baseline"), field="lesion_role",
          hint=msg("baseline lesions are target or non-target"))
    d = out["d"]
    node = out["is_node"]
    bt = isb & (role_arr == TARGET)
    _fail(out, bt & (d < 0), msg("target lesion without a baseline measurement"),
          field="diameter_mm", value_of=_mm_value, hint=msg("give the baseline longest diameter (short axis for nodes)"))
    _fail(out, bt & ~node & (d >= 0) & (d < 10 * HUNDREDTHS),
          msg("target lesion not measurable at baseline: longest diameter under 10 mm"),
          field="diameter_mm", value_of=_mm_value, hint=msg("record it as non-target [RECIST 1.1 1.1]"))
    _fail(out, bt & node & (d >= 0) & (d < 15 * HUNDREDTHS),
          msg("nodal target not measurable at baseline: short axis under 15 mm"),
          field="diameter_mm", value_of=_mm_value, hint=msg("nodes of 10-15 mm short axis are non-target [RECIST 1.1 1.1]"))
    if criteria == "mrecist":
        porta = organ_mask(out, PORTA_HEPATIS)
        _fail(out, bt & node & porta & (d >= 0) & (d < 20 * HUNDREDTHS),
              msg("mRECIST: porta hepatis node as target with short axis under 20 mm"),
              field="diameter_mm", value_of=_mm_value,
              hint=msg("porta hepatis nodes count as malignant only with short axis >= 20 mm "
              "under mRECIST [LL10]; do not record it as a target"))
    meas = out["measurable"] == 0
    _fail(out, bt & meas, msg("target lesion flagged not measurable"),
          field="measurable", hint=msg("only measurable lesions can be targets"))
    bnt = isb & (role_arr == NON_TARGET)
    _fail(out, bnt & np.isin(out["nt_status"], [ST_ABSENT, ST_UPD, ST_INCREASED]),
          "non-target lesion at baseline must be present", field="nt_status")
    if criteria == "mrecist" and settings.mrecist_atypical_targets == "error":
        liver = organ_mask(out, ["liver"])
        _fail(out, bt & liver & (out["v"] < 0),
              "mRECIST: intrahepatic target without a viable (arterially enhancing) diameter",
              field="viable_diameter_mm",
              hint="mRECIST targets must enhance [LL10]; make it non-target or set "
              "mrecist_atypical_targets='whole_lesion'")
    return out


def _check_time_point_labels(out: Columns, tp: np.ndarray, isb: np.ndarray,
                             settings: ResponseSettings) -> None:
    """Visit labels against the time points built from dates (see :func:`_time_points`)."""
    labels = out["_visit_labels"]
    label = out["visit_label"]
    kind = visit_kinds(labels, label)
    checked = (label >= 0) & (kind != 2)
    key = pd.DataFrame({"t": tp[checked], "v": label[checked]})
    merged = np.zeros(len(tp), dtype=bool)
    merged[np.flatnonzero(checked)] = key.groupby("t")["v"].transform("nunique").to_numpy() > 1
    if not merged.any():
        both: list[str] = []
    else:
        at = tp[int(np.flatnonzero(merged)[0])]
        both = sorted({str(labels[v]) for v in label[merged & (tp == at)]})
    _fail(out, merged, f"one time point (scan dates within visit_window_days="
          f"{settings.visit_window_days}) holds different visit labels", field="visit",
          value_of=lambda row: both,
          hint=msg("narrow visit_window_days or correct the dates/labels"))
    _fail(out, checked & (kind == 1) & ~isb, msg("baseline (screening) visit dated after the first "
                                                    "dose: it is not the subject's baseline"), field="visit", value_of=_label_value(out),
          hint=msg("baseline is the last assessment on or before first dose [RECIST 1.1]"))
