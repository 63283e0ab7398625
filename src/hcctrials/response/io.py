"""Adapter: read tumour assessments from CSV, TSV, Excel, Parquet or SDTM TU/TR files.

This is the only module of :mod:`hcctrials.response` that touches files.  The canonical
long layout is described in ``docs/response.md``.  SDTM (SDTMIG TU/TR) is mapped as
follows: TU gives the lesion role (``TUORRES``/``TUSTRESC`` TARGET, NON-TARGET, NEW) and
location (``TULOC``; nodes when it names a lymph node); TR gives, per ``TRLNKID`` and
``TRDTC``, ``LDIAM`` (longest diameter), ``SAXIS`` (short axis, marks a node), ``VIABDIAM``
(viable diameter, mRECIST; our convention, not in the CDISC codelist) and ``TUMSTATE``
(non-target status).  Units come from ``TRSTRESU``/``TRORRESU``: mm or cm, else an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hcctrials.errors import ParseError, UnitError
from hcctrials.i18n import msg
from hcctrials.response.validate import REQUIRED_COLUMNS, check_first_doses

__all__ = ["AssessmentTable", "load_assessments", "load_first_doses", "read_table",
           "parse_sdtm_tu_tr"]

_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq", ".xpt"}
_TUMSTATE = {"PRESENT": "present", "ABSENT": "absent",
             "UNEQUIVOCAL PROGRESSION": "unequivocal_progression",
             "NOT EVALUABLE": "not_evaluated", "NOT EVALUATED": "not_evaluated",
             "NOT ASSESSED": "not_evaluated", "INCREASED": "increased"}
_ROLE = {"TARGET": "target", "NON-TARGET": "non_target", "NON TARGET": "non_target",
         "NEW": "new", "NEW LESION": "new"}
_UNIT = {"mm": 1.0, "cm": 10.0}


@dataclass(frozen=True)
class AssessmentTable:
    """Assessments in the canonical layout plus first doses (when a file was given)."""

    assessments: pd.DataFrame
    first_doses: pd.DataFrame | None
    source: str


def _subject_lesion(row: Any) -> str:
    """"subject S, lesion L" (a message, rendered in the reader's language by the command line)."""
    return msg("subject {subject}, lesion {lesion}", subject=str(row["subject_id"]), lesion=str(row["lesion_id"]))


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one CSV/TSV/Excel/Parquet/SAS-XPT file into a frame of strings and numbers."""
    p = Path(path)
    suffix = p.suffix.lower()
    if not p.exists():
        raise ParseError(msg("file not found"), file=str(p))
    if suffix not in _SUFFIXES:
        raise ParseError(msg("unsupported file type"), file=str(p), value=suffix,
                         hint=msg("use .csv, .tsv, .xlsx, .parquet or SAS .xpt"))
    try:
        if suffix in (".csv", ".txt"):
            return pd.read_csv(p, dtype={"subject_id": str, "lesion_id": str,
                                         "USUBJID": str}, keep_default_na=True)
        if suffix == ".tsv":
            return pd.read_csv(p, sep="\t", dtype={"subject_id": str, "lesion_id": str})
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(p, dtype={"subject_id": str, "lesion_id": str})
        if suffix == ".xpt":
            frame = pd.read_sas(p, format="xport", encoding="utf-8")
            return frame
        return pd.read_parquet(p)
    except (ValueError, OSError, ImportError) as exc:
        raise ParseError(msg("cannot read table: {problem}", problem=str(exc)), file=str(p)) from exc


def _tu_tr_paths(path: Path) -> tuple[Path, Path] | None:
    """Find TU and TR files: a folder holding tu.* and tr.*, or a TR file beside a TU file."""
    def find(folder: Path, stem: str) -> Path | None:
        for cand in sorted(folder.iterdir()):
            if cand.is_file() and cand.stem.lower() == stem and cand.suffix.lower() in _SUFFIXES:
                return cand
        return None

    if path.is_dir():
        tu, tr = find(path, "tu"), find(path, "tr")
        if tu and tr:
            return tu, tr
        raise ParseError(msg("folder holds no tu.* and tr.* SDTM files"), file=str(path))
    if path.stem.lower() == "tr":
        tu = find(path.parent, "tu")
        if tu:
            return tu, path
    return None


def parse_sdtm_tu_tr(tu: pd.DataFrame, tr: pd.DataFrame, *, source: str = "TU/TR") -> pd.DataFrame:
    """Map SDTM TU + TR to the canonical long table (one row per lesion per date)."""
    for name, frame, cols in (("TU", tu, ["USUBJID", "TULNKID"]),
                              ("TR", tr, ["USUBJID", "TRLNKID", "TRTESTCD", "TRDTC"])):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ParseError(msg("SDTM {domain} lacks columns", domain=name), file=source, field=",".join(missing))
    for frame, col in ((tu, "TUEVAL"), (tr, "TREVAL")):
        if col in frame.columns and frame[col].dropna().nunique() > 1:
            raise ParseError(msg("several evaluators in one dataset"), file=source, field=col,
                             value=sorted(frame[col].dropna().unique().tolist()),
                             hint=msg("filter to one evaluator (e.g. INVESTIGATOR) first"))
    role_col = "TUSTRESC" if "TUSTRESC" in tu.columns else "TUORRES"
    tu2 = tu.assign(
        subject_id=tu["USUBJID"].astype(str).str.strip(),
        lesion_id=tu["TULNKID"].astype(str).str.strip(),
        lesion_role=tu[role_col].astype(str).str.strip().str.upper().map(_ROLE),
        organ=tu["TULOC"] if "TULOC" in tu.columns else "unknown",
    )
    bad = tu2["lesion_role"].isna()
    if bad.any():
        row = tu2[bad].iloc[0]
        raise ParseError(msg("unknown tumour identification result"), file=source,
                         record=_subject_lesion(row),
                         field=role_col, value=row[role_col])
    tu2 = tu2.drop_duplicates(["subject_id", "lesion_id"])[
        ["subject_id", "lesion_id", "lesion_role", "organ"]]
    tr2 = tr.assign(subject_id=tr["USUBJID"].astype(str).str.strip(),
                    lesion_id=tr["TRLNKID"].astype(str).str.strip(),
                    visit_date=pd.to_datetime(tr["TRDTC"].astype(str).str[:10], errors="coerce"),
                    test=tr["TRTESTCD"].astype(str).str.strip().str.upper())
    # The visit, for the date/visit consistency checks: VISITNUM (orders visits) if given, else
    # the VISIT label (SDTMIG: TR timing variables).
    visit_col = next((c for c in ("VISITNUM", "VISIT") if c in tr.columns), None)
    if visit_col is not None:
        tr2["visit"] = tr[visit_col]
    bad_date = tr2["visit_date"].isna()
    if bad_date.any():
        row = tr2[bad_date].iloc[0]
        raise ParseError(msg("TRDTC is not a date"), file=source,
                         record=_subject_lesion(row),
                         field="TRDTC", value=row["TRDTC"])
    num_col = "TRSTRESN" if "TRSTRESN" in tr.columns else "TRORRES"
    unit_col = "TRSTRESU" if "TRSTRESU" in tr.columns else "TRORRESU"
    measure = tr2[tr2["test"].isin(["LDIAM", "SAXIS", "VIABDIAM", "DIAMETER"])].copy()
    units = (measure[unit_col].astype("string").str.strip().str.lower()
             if unit_col in measure.columns else pd.Series("", index=measure.index))
    value = pd.to_numeric(measure[num_col], errors="coerce")
    factor = units.map(_UNIT)
    need_unit = value.notna() & factor.isna()
    if need_unit.any():
        row = measure[need_unit].iloc[0]
        raise UnitError(msg("diameter unit missing or unknown"), file=source,
                        record=_subject_lesion(row),
                        field=unit_col, value=row.get(unit_col), hint=msg("use mm or cm"))
    measure["value"] = value * factor
    wide = measure.pivot_table(index=["subject_id", "lesion_id", "visit_date"], columns="test",
                               values="value", aggfunc="first", dropna=False)
    state = tr2[tr2["test"] == "TUMSTATE"]
    state_col = "TRSTRESC" if "TRSTRESC" in tr.columns else "TRORRES"
    st = state.assign(non_target_status=state[state_col].astype(str).str.strip().str.upper()
                      .map(_TUMSTATE))
    unknown = st["non_target_status"].isna()
    if unknown.any():
        row = st[unknown].iloc[0]
        raise ParseError(msg("unknown TUMSTATE result"), file=source,
                         record=_subject_lesion(row),
                         field=state_col, value=row[state_col])
    keys = pd.concat([measure[["subject_id", "lesion_id", "visit_date"]],
                      st[["subject_id", "lesion_id", "visit_date"]]]).drop_duplicates()
    out = keys.merge(wide.reset_index(), how="left", on=["subject_id", "lesion_id", "visit_date"])
    out = out.merge(st[["subject_id", "lesion_id", "visit_date", "non_target_status"]]
                    .drop_duplicates(["subject_id", "lesion_id", "visit_date"]),
                    how="left", on=["subject_id", "lesion_id", "visit_date"])
    out = out.merge(tu2, how="left", on=["subject_id", "lesion_id"])
    orphan = out["lesion_role"].isna()
    if orphan.any():
        row = out[orphan].iloc[0]
        raise ParseError(msg("TR lesion has no TU record"), file=source,
                         record=_subject_lesion(row),
                         field="TRLNKID", hint=msg("every TRLNKID needs a TULNKID in TU"))
    for col in ("LDIAM", "SAXIS", "VIABDIAM", "DIAMETER"):
        if col not in out.columns:
            out[col] = np.nan
    node_loc = out["organ"].astype(str).str.upper().str.contains("NODE")
    has_sa = out.groupby(["subject_id", "lesion_id"])["SAXIS"].transform("count") > 0
    out["is_lymph_node"] = node_loc | has_sa
    out["diameter_mm"] = np.where(out["is_lymph_node"], out["SAXIS"].fillna(out["LDIAM"]),
                                  out["LDIAM"].fillna(out["DIAMETER"]))
    out["viable_diameter_mm"] = out["VIABDIAM"]
    cols = list(REQUIRED_COLUMNS) + ["organ", "is_lymph_node", "viable_diameter_mm",
                                     "non_target_status"]
    if visit_col is not None:
        visits = tr2[["subject_id", "lesion_id", "visit_date", "visit"]].drop_duplicates(
            ["subject_id", "lesion_id", "visit_date"])
        out = out.merge(visits, how="left", on=["subject_id", "lesion_id", "visit_date"])
        cols.append("visit")
    return out[cols].sort_values(["subject_id", "visit_date", "lesion_id"]).reset_index(drop=True)


def load_first_doses(path: str | Path) -> pd.DataFrame:
    """Read first doses (subject_id/USUBJID, first_dose_date/TRTSDT[, new_anticancer_therapy_date])."""
    return check_first_doses(read_table(path))


def load_assessments(path: str | Path, *, first_doses_path: str | Path | None = None
                     ) -> AssessmentTable:
    """Load assessments (canonical layout, or SDTM TU/TR) and optionally first doses.

    *path* is a CSV/TSV/Excel/Parquet file in the canonical layout, a folder holding
    ``tu.*`` and ``tr.*``, or a ``tr.*`` file with ``tu.*`` beside it.  A canonical file may
    carry a ``first_dose_date`` column instead of a separate first-dose file.
    """
    p = Path(path)
    pair = _tu_tr_paths(p) if p.exists() else None
    if pair:
        frame = parse_sdtm_tu_tr(read_table(pair[0]), read_table(pair[1]), source=str(p))
        doses = None
    else:
        frame = read_table(p)
        doses = None
        if "first_dose_date" in frame.columns:
            if "subject_id" not in frame.columns:
                raise ParseError(msg("assessment table has first_dose_date but no subject_id column"),
                                 file=str(p), field="subject_id",
                                 hint=msg("add a subject_id column (one row per lesion per visit; "
                                          "see docs/response.md)"))
            doses = check_first_doses(frame[["subject_id", "first_dose_date"]]
                                      .drop_duplicates())
            frame = frame.drop(columns=["first_dose_date"])
    if first_doses_path is not None:
        doses = load_first_doses(first_doses_path)
    return AssessmentTable(assessments=frame, first_doses=doses, source=str(p))
