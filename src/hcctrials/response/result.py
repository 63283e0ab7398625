"""The result of :func:`~hcctrials.response.derive_responses` and its CDISC ADRS shape.

ADRS follows ADaM BDS conventions as pharmaverse admiralonco uses them: one row per
subject per parameter (and per visit for the overall response), ``PARAMCD`` ``OVR``
(time-point overall response), ``BOR`` (best overall response, unconfirmed) and ``CBOR``
(confirmed BOR); ``AVALC`` in CDISC spelling, ``AVAL`` coded as admiral's ``aval_resp``
(CR 1, PR 2, SD 3, NON-CR/NON-PD 4, PD 5, NE 6; iCPD 5 as well, iUPD 5).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hcctrials.errors import DataQualityWarning
from hcctrials.response.common import CRITERIA_TITLES, FINDING_WARNINGS, ResponseSettings

__all__ = ["ResponseResult", "ADRS_AVAL"]

#: AVALC -> AVAL (admiral ``aval_resp``; i-labels share the RECIST code of their category).
ADRS_AVAL: dict[str, int] = {
    "CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7,
    "iCR": 1, "iPR": 2, "iSD": 3, "NON-iCR/NON-iUPD": 4, "iUPD": 5, "iCPD": 5,
}
_CDISC_SPELLING = {"NON_CR_NON_PD": "NON-CR/NON-PD", "NON_iCR_NON_iUPD": "NON-iCR/NON-iUPD"}


def _iso(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict[Hashable, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@dataclass(frozen=True)
class ResponseResult:
    """Per-visit (``visits``) and per-subject (``subjects``) responses plus named findings.

    ``visits`` holds post-baseline time points only (baseline values are in the
    ``baseline_sum_mm`` column).  ``findings`` lists data-quality problems that did not
    stop the derivation (subject_id, visit_date, lesion_id, code, message).
    """

    criteria: str
    settings: ResponseSettings
    visits: pd.DataFrame
    subjects: pd.DataFrame
    findings: pd.DataFrame

    @property
    def criteria_title(self) -> str:
        """Printable name of the criteria (e.g. ``RECIST 1.1``)."""
        return CRITERIA_TITLES[self.criteria]

    def to_adrs(self) -> pd.DataFrame:
        """The ADaM ADRS shape: USUBJID, PARAMCD (OVR per visit, BOR, CBOR as in admiralonco),
        PARAM, PARCAT1, AVALC, AVAL, ADT, ANL01FL."""
        title = self.criteria_title
        v = self.visits
        ovr = pd.DataFrame({
            "USUBJID": v["subject_id"],
            "PARAMCD": "OVR",
            "PARAM": f"Overall Response by Investigator ({title})",
            "AVALC": v["overall_response"].replace(_CDISC_SPELLING),
            "ADT": v["visit_date"],
            "ANL01FL": np.where(v["in_bor_window"], "Y", ""),
            "DTYPE": "",
        })
        s = self.subjects
        parts = [ovr]
        for paramcd, param, col, dcol in (
            ("BOR", f"Best Overall Response ({title})", "best_overall_response_unconfirmed",
             "bor_unconfirmed_date"),
            ("CBOR", f"Best Confirmed Overall Response ({title})",
             "best_overall_response_confirmed", "bor_confirmed_date"),
        ):
            parts.append(pd.DataFrame({
                "USUBJID": s["subject_id"], "PARAMCD": paramcd, "PARAM": param,
                "AVALC": s[col].replace(_CDISC_SPELLING), "ADT": s[dcol], "ANL01FL": "Y",
                "DTYPE": "",
            }))
        out = pd.concat(parts, ignore_index=True)
        out.insert(3, "PARCAT1", title)
        out["AVAL"] = out["AVALC"].map(ADRS_AVAL).astype("Int64")
        order = {"OVR": 0, "BOR": 1, "CBOR": 2}
        out = out.assign(_o=out["PARAMCD"].map(order)).sort_values(
            ["USUBJID", "_o", "ADT"], kind="stable").drop(columns="_o")
        return out.reset_index(drop=True)[["USUBJID", "PARAMCD", "PARAM", "PARCAT1", "AVALC",
                                           "AVAL", "ADT", "ANL01FL", "DTYPE"]]

    def warnings(self) -> list[DataQualityWarning]:
        """The findings as named :class:`~hcctrials.errors.DataQualityWarning` instances."""
        out: list[DataQualityWarning] = []
        for row in self.findings.itertuples(index=False):
            cls = FINDING_WARNINGS.get(str(row.code), DataQualityWarning)
            when = _iso(row.visit_date)
            lesion = f", lesion {row.lesion_id!s}" if row.lesion_id else ""
            out.append(cls(f"subject {row.subject_id}, visit {when}{lesion}: {row.message}"))
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (dates ISO, NaN -> null)."""
        return {
            "criteria": self.criteria,
            "settings": self.settings.as_dict(),
            "subjects": _records(self.subjects),
            "visits": _records(self.visits),
            "findings": _records(self.findings),
        }
