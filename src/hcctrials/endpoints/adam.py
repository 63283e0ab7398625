"""ADaM datasets that admiral / admiralonco users recognise: ADSL, ADRS and ADTTE.

Pure functions, pandas in and out (no I/O).  One subject key everywhere: ``USUBJID``
(the study's ``subject_id``; ``SUBJID`` repeats it).  Conventions (CDISC ADaM IG 1.3,
ADaM BDS for time-to-event 1.0, admiral ``derive_param_tte``, admiralonco ADRS):

* ADSL: one row per subject of the subject table, population flags ITTFL / SAFFL /
  PPROTFL ("Y"/"N") from :func:`hcctrials.endpoints.study.derive_analysis_sets`; ARM /
  TRT01P as randomised, ACTARM / TRT01A as treated ("Screen Failure", "Not Treated" in
  ARM/ACTARM as in SDTM DM); RANDDT, TRTSDT, TRTEDT (last dose with a delivered amount),
  DTHDT/DTHFL, LSTALVDT; the stratification factors under their column names in capitals.
* ADRS: PARAMCD ``OVR`` (overall response per visit), ``BOR`` (best overall response,
  confirmation not required), ``CBOR`` (confirmed BOR); AVALC in CDISC spelling, AVAL
  coded as admiral's ``aval_resp`` (CR 1 ... NE 6, MISSING 7); ASEQ per subject.
* ADTTE: PARAMCD, PARAM, STARTDT, ADT, AVAL (days, ADT - STARTDT + 1), CNSR (0 event,
  >= 1 censored: 1 at the last adequate assessment or last known alive, 2 at the start
  date, 3 at new anti-cancer therapy, 4 after missed assessments), EVNTDESC, CNSDTDSC
  (the ADaM name of the censoring-date description), SRCDOM / SRCVAR / SRCSEQ pointing at
  the ADSL variable or the ADRS record (ASEQ) that gave ADT.

One record per parameter and subject: a parameter is one PARAMCD, so endpoints that
depend on the response criteria (PFS, TTP, DoR and their sensitivity versions) carry the
criteria in the PARAMCD and PARAM, while OS, which does not depend on them, appears once.
The primary criteria set keeps the plain codes (``PFS``, ``OVR``, ``BOR``); every other
set adds a short suffix (``PFSM`` for mRECIST, ``PFSR`` for RECIST 1.1, ``PFSI``, ``PFSIM``),
because ADaM limits PARAMCD to 8 characters (ADaM IG 1.3 section 3.3.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from hcctrials.endpoints.study import StudyAnalysis, StudyData, derive_analysis_sets
from hcctrials.errors import ValidationError
from hcctrials.response.common import CRITERIA_TITLES
from hcctrials.response.result import ADRS_AVAL

__all__ = ["CRITERIA_SUFFIXES", "CRITERIA_INDEPENDENT", "ADSL_COLUMNS", "ADTTE_COLUMNS",
           "ADRS_COLUMNS", "adam_paramcd", "build_adsl", "build_adrs", "build_adtte",
           "build_adam"]

#: PARAMCD suffix per criteria set when it is not the primary one.
CRITERIA_SUFFIXES: dict[str, str] = {"recist11": "R", "mrecist": "M", "irecist": "I",
                                     "imrecist": "IM"}
#: Endpoints that do not depend on the response criteria (one record, no suffix).
CRITERIA_INDEPENDENT: frozenset[str] = frozenset({"OS"})

ADSL_COLUMNS = ["STUDYID", "USUBJID", "SUBJID", "AGE", "AGEU", "SEX", "ARM", "ACTARM",
                "TRT01P", "TRT01A", "RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "DTHFL",
                "LSTALVDT", "EOTSTT", "DCTREAS", "ITTFL", "SAFFL", "PPROTFL"]
ADRS_COLUMNS = ["STUDYID", "USUBJID", "ASEQ", "PARAMCD", "PARAM", "PARCAT1", "AVALC", "AVAL",
                "ADT", "ANL01FL"]
ADTTE_COLUMNS = ["STUDYID", "USUBJID", "PARAMCD", "PARAM", "PARCAT1", "STARTDT", "ADT", "AVAL",
                 "AVALU", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ"]
#: ADSL variables carried onto ADRS and ADTTE records (plus the strata).
_CARRIED = ["ARM", "TRT01P", "TRT01A", "ITTFL", "SAFFL", "PPROTFL"]
_CDISC_SPELLING = {"NON_CR_NON_PD": "NON-CR/NON-PD", "NON_iCR_NON_iUPD": "NON-iCR/NON-iUPD"}

# SRCNAME of hcctrials.endpoints.derive -> (SRCDOM, SRCVAR, censor-date description)
_SOURCES: dict[str, tuple[str, str, str]] = {
    "pd_event": ("ADRS", "ADT", ""),
    "death_event": ("ADSL", "DTHDT", ""),
    "lasta_censor": ("ADRS", "ADT", "Date of last adequate tumour assessment"),
    "nact_censor": ("ADRS", "ADT", "Date of last adequate tumour assessment before new "
                                   "anti-cancer therapy"),
    "missed_censor": ("ADRS", "ADT", "Date of last adequate tumour assessment before two or "
                                     "more missed assessments"),
    "lastalive_censor": ("ADSL", "LSTALVDT", "Date last known alive"),
}


def adam_paramcd(paramcd: str, criteria: str, *, primary_criteria: str,
                 suffixes: Mapping[str, str] = CRITERIA_SUFFIXES) -> str:
    """The ADaM PARAMCD of an endpoint under a criteria set (plain for the primary set)."""
    if paramcd in CRITERIA_INDEPENDENT or criteria == primary_criteria:
        code = paramcd
    else:
        if criteria not in suffixes:
            raise ValidationError(f"no PARAMCD suffix for criteria set {criteria!r}",
                                  field="criteria", value=criteria,
                                  hint=f"known: {', '.join(sorted(suffixes))}")
        code = paramcd + suffixes[criteria]
    if len(code) > 8:
        raise ValidationError("PARAMCD longer than 8 characters (ADaM IG 1.3)",
                              field="PARAMCD", value=code,
                              hint="pass shorter criteria suffixes")
    return code


def _param_text(param: str, criteria: str, paramcd: str) -> str:
    if paramcd in CRITERIA_INDEPENDENT:
        return param
    return f"{param} ({CRITERIA_TITLES.get(criteria, criteria)})"


def _dt(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[col], errors="coerce").astype("datetime64[ns]")


def _strata_names(study: StudyData) -> list[str]:
    return [c.upper() for c in study.strata]


def build_adsl(study: StudyData, *, data_cutoff: date | None = None) -> pd.DataFrame:
    """ADSL: one row per subject of the subject table (screen failures included).

    ``data_cutoff`` (default ``info["data_cutoff"]``) hides deaths after it and caps
    LSTALVDT, as :func:`~hcctrials.endpoints.derive.derive_tte` does.  LSTALVDT is the
    latest of the last-known-alive date, the last tumour assessment and the start date
    (RANDDT, else TRTSDT); blank for subjects who died."""
    s = study.subjects.reset_index(drop=True)
    sets = derive_analysis_sets(study)
    sid = s["subject_id"].astype(str)
    cut = data_cutoff or (date.fromisoformat(study.info["data_cutoff"])
                          if study.info.get("data_cutoff") else None)
    randdt = _dt(s, "randomisation_date")
    trtsdt = _dt(s, "first_dose_date")
    dthdt = _dt(s, "death_date")
    lka = _dt(s, "last_known_alive_date")
    a = study.assessments
    last_scan = pd.to_datetime(a["visit_date"], errors="coerce").groupby(
        a["subject_id"].astype(str)).max() if len(a) else pd.Series(dtype="datetime64[ns]")
    if cut is not None:
        c = pd.Timestamp(cut)
        dthdt = dthdt.where(dthdt <= c)
        lka = lka.where(lka <= c, c).where(lka.notna())
        last_scan = last_scan[last_scan <= c]
    d = study.dosing
    if len(d):
        given = pd.to_numeric(d["actual_dose"], errors="coerce").fillna(0) > 0
        dd = pd.to_datetime(d["dose_date"], errors="coerce")
        if cut is not None:
            given &= dd <= pd.Timestamp(cut)
        trtedt = dd[given].groupby(d.loc[given, "subject_id"].astype(str)).max()
    else:
        trtedt = pd.Series(dtype="datetime64[ns]")
    start = randdt.fillna(trtsdt)
    alive = pd.concat([lka, sid.map(last_scan).astype("datetime64[ns]"), start], axis=1).max(axis=1)
    screen_fail = sets["ITTFL"].eq("N").to_numpy() & ~trtsdt.notna().to_numpy()
    arm = sets["arm"].to_numpy(dtype=object)
    actual = sets["actual_arm"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "STUDYID": str(study.info.get("study_id", "")),
        "USUBJID": sid, "SUBJID": sid,
        "AGE": pd.to_numeric(s["age"], errors="coerce") if "age" in s.columns else np.nan,
        "AGEU": "YEARS",
        "SEX": s["sex"].astype("string") if "sex" in s.columns else "",
        "ARM": np.where(screen_fail, "Screen Failure", arm),
        "ACTARM": np.where(screen_fail, "Screen Failure",
                           np.where(actual == "", "Not Treated", actual)),
        "TRT01P": arm, "TRT01A": actual,
        "RANDDT": randdt, "TRTSDT": trtsdt,
        "TRTEDT": sid.map(trtedt).astype("datetime64[ns]").where(trtsdt.notna()),
        "DTHDT": dthdt, "DTHFL": np.where(dthdt.notna(), "Y", ""),
        "LSTALVDT": alive.where(dthdt.isna()).where(start.notna()),
        "EOTSTT": "", "DCTREAS": "",
        "ITTFL": sets["ITTFL"].to_numpy(), "SAFFL": sets["SAFFL"].to_numpy(),
        "PPROTFL": sets["PPROTFL"].to_numpy(),
    })
    if "end_of_treatment_reason" in s.columns:
        reason = s["end_of_treatment_reason"].astype("string").fillna("")
        treated = trtsdt.notna()
        out["EOTSTT"] = np.where(~treated, "", np.where(reason.eq("Ongoing") | reason.eq(""),
                                                        "ONGOING", "DISCONTINUED"))
        out["DCTREAS"] = np.where(treated & ~reason.isin(["Ongoing", ""]), reason, "")
    for col, name in zip(study.strata, _strata_names(study)):
        out[name] = s[col].astype("string").fillna("").to_numpy()
    return out[[*ADSL_COLUMNS, *_strata_names(study)]]


def _carry(adsl: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Merge ARM/TRT01P/TRT01A, flags and strata from ADSL onto records by USUBJID."""
    strata = [c for c in adsl.columns if c not in ADSL_COLUMNS]
    keep = ["USUBJID", *_CARRIED, *strata]
    unknown = ~records["USUBJID"].isin(set(adsl["USUBJID"]))
    if unknown.any():
        raise ValidationError("has analysis records but is not in ADSL",
                              record=f"subject {records.loc[unknown, 'USUBJID'].iloc[0]}",
                              field="USUBJID")
    return records.merge(adsl[keep], on="USUBJID", how="left", validate="many_to_one")


def build_adrs(responses: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]], adsl: pd.DataFrame,
               *, primary_criteria: str,
               suffixes: Mapping[str, str] = CRITERIA_SUFFIXES) -> pd.DataFrame:
    """ADRS from each criteria set's per-visit responses and subject-level BOR.

    ``responses``: criteria -> (visits, subjects) as in
    :class:`~hcctrials.endpoints.study.CriteriaAnalysis` (visits: subject_id, visit_date,
    overall_response, in_bor_window; subjects: subject_id,
    best_overall_response_unconfirmed, bor_unconfirmed_date,
    best_overall_response_confirmed, bor_confirmed_date).  Subjects of the analysis set
    without a BOR (never assessed) get BOR/CBOR ``MISSING`` (admiralonco)."""
    parts = []
    for criteria, (visits, subjects) in responses.items():
        title = CRITERIA_TITLES.get(criteria, criteria)
        v = visits[visits["overall_response"].notna()]
        code = {p: adam_paramcd(p, criteria, primary_criteria=primary_criteria,
                                suffixes=suffixes) for p in ("OVR", "BOR", "CBOR")}
        parts.append(pd.DataFrame({
            "USUBJID": v["subject_id"].astype(str), "PARAMCD": code["OVR"],
            "PARAM": f"Overall Response by Investigator ({title})", "PARCAT1": title,
            "AVALC": v["overall_response"].astype(str).replace(_CDISC_SPELLING),
            "ADT": pd.to_datetime(v["visit_date"]).astype("datetime64[ns]"),
            "ANL01FL": np.where(v["in_bor_window"].fillna(False).astype(bool), "Y", "")
            if "in_bor_window" in v.columns else "Y", "_o": 0}))
        for k, (p, param, col, dcol) in enumerate((
                ("BOR", "Best Overall Response", "best_overall_response_unconfirmed",
                 "bor_unconfirmed_date"),
                ("CBOR", "Best Confirmed Overall Response", "best_overall_response_confirmed",
                 "bor_confirmed_date"))):
            bor = subjects[col].astype("string")
            parts.append(pd.DataFrame({
                "USUBJID": subjects["subject_id"].astype(str), "PARAMCD": code[p],
                "PARAM": f"{param} by Investigator ({title})", "PARCAT1": title,
                "AVALC": bor.fillna("MISSING").astype(str).replace(_CDISC_SPELLING),
                "ADT": pd.to_datetime(subjects[dcol]).astype("datetime64[ns]")
                if dcol in subjects.columns else pd.NaT,
                "ANL01FL": "Y", "_o": k + 1}))
    cols = ["USUBJID", "PARAMCD", "PARAM", "PARCAT1", "AVALC", "ADT", "ANL01FL", "_o"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    out["AVAL"] = out["AVALC"].map(ADRS_AVAL).astype("Int64")
    crit_order = {CRITERIA_TITLES.get(c, c): i for i, c in enumerate(responses)}
    out["_c"] = out["PARCAT1"].map(crit_order)
    out = out.sort_values(["USUBJID", "_c", "_o", "ADT"], kind="stable").reset_index(drop=True)
    out["ASEQ"] = out.groupby("USUBJID").cumcount() + 1
    out.insert(0, "STUDYID", adsl["STUDYID"].iloc[0] if len(adsl) else "")
    return _carry(adsl, out[["STUDYID", *[c for c in ADRS_COLUMNS if c != "STUDYID"]]])


def build_adtte(records: Mapping[str, pd.DataFrame], adsl: pd.DataFrame, *,
                primary_criteria: str, adrs: pd.DataFrame | None = None,
                suffixes: Mapping[str, str] = CRITERIA_SUFFIXES) -> pd.DataFrame:
    """ADTTE from the time-to-event records of each criteria set.

    ``records``: criteria -> :func:`~hcctrials.endpoints.derive.derive_tte` output.
    Criteria-independent endpoints (OS) are taken once, after checking that every
    criteria set gave the same records (else :class:`ValidationError`).  ``adrs``
    (:func:`build_adrs`) fills SRCSEQ for dates taken from tumour assessments."""
    parts = []
    seen: dict[str, pd.DataFrame] = {}
    for criteria, tte in records.items():
        for paramcd, rows in tte.groupby("PARAMCD", sort=False):
            code = adam_paramcd(str(paramcd), criteria, primary_criteria=primary_criteria,
                                suffixes=suffixes)
            key = rows[["subject_id", "ADT", "AVAL", "CNSR"]].reset_index(drop=True)
            if code in seen:
                if not seen[code].equals(key):
                    raise ValidationError(f"{code} differs between criteria sets although it "
                                          "does not depend on them", field="PARAMCD",
                                          value=code)
                continue
            seen[code] = key
            title = "" if str(paramcd) in CRITERIA_INDEPENDENT else \
                CRITERIA_TITLES.get(criteria, criteria)
            src = rows["SRCNAME"].astype(str)
            start_var = "RANDDT" if _starts_at(rows, adsl, "RANDDT") else "TRTSDT"
            dom = src.map(lambda n: _SOURCES.get(n, ("ADSL", start_var, ""))[0])
            var = src.map(lambda n: _SOURCES.get(n, ("ADSL", start_var, ""))[1])
            cdesc = src.map(lambda n: _SOURCES.get(
                n, ("", "", "Randomisation date" if start_var == "RANDDT"
                    else "Date of first dose"))[2])
            if rows["PARAMCD"].iloc[0] == "DOR":   # DoR starts at the first response (ADRS)
                start_src = src.eq("rand_censor")
                dom = dom.where(~start_src, "ADRS")
                var = var.where(~start_src, "ADT")
                cdesc = cdesc.where(~start_src, "Date of first response")
            parts.append(pd.DataFrame({
                "USUBJID": rows["subject_id"].astype(str).to_numpy(), "PARAMCD": code,
                "PARAM": _param_text(str(rows["PARAM"].iloc[0]), criteria, str(paramcd)),
                "PARCAT1": title, "STARTDT": rows["STARTDT"].to_numpy(),
                "ADT": rows["ADT"].to_numpy(), "AVAL": rows["AVAL"].to_numpy(),
                "AVALU": rows["AVALU"].to_numpy(), "CNSR": rows["CNSR"].to_numpy(),
                "EVNTDESC": rows["EVNTDESC"].to_numpy(),
                "CNSDTDSC": np.where(rows["CNSR"].to_numpy() > 0, cdesc.to_numpy(), ""),
                "SRCDOM": dom.to_numpy(), "SRCVAR": var.to_numpy(),
                "_crit": title}))
    if not parts:
        return pd.DataFrame(columns=ADTTE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["SRCSEQ"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if adrs is not None and len(adrs):
        ovr = adrs[adrs["PARAMCD"].str.startswith("OVR")]
        seq = ovr.set_index(["USUBJID", "PARCAT1", "ADT"])["ASEQ"]
        seq = seq[~seq.index.duplicated()]
        from_rs = out["SRCDOM"].eq("ADRS")
        idx = pd.MultiIndex.from_arrays([out.loc[from_rs, "USUBJID"], out.loc[from_rs, "_crit"],
                                         out.loc[from_rs, "ADT"]])
        out.loc[from_rs, "SRCSEQ"] = pd.array(seq.reindex(idx).to_numpy(), dtype="Int64")
    out.insert(0, "STUDYID", adsl["STUDYID"].iloc[0] if len(adsl) else "")
    out["CNSR"] = out["CNSR"].astype(int)
    out["AVAL"] = out["AVAL"].astype(int)
    return _carry(adsl, out[ADTTE_COLUMNS])


def _starts_at(rows: pd.DataFrame, adsl: pd.DataFrame, var: str) -> bool:
    """Whether the records' STARTDT equals the ADSL variable (for SRCVAR of start censors)."""
    m = rows[["subject_id", "STARTDT"]].merge(adsl[["USUBJID", var]], left_on="subject_id",
                                              right_on="USUBJID", how="left")
    return bool(len(m)) and bool((m["STARTDT"] == m[var]).all())


def build_adam(study: StudyData, analysis: StudyAnalysis) -> dict[str, pd.DataFrame]:
    """ADSL, ADRS and ADTTE of an analysed study (:func:`~hcctrials.endpoints.study.analyse_study`).

    The primary criteria set is ``info["primary_criteria"]``, else the first analysed."""
    crit = list(analysis.by_criteria)
    primary = str(study.info.get("primary_criteria") or (crit[0] if crit else ""))
    if crit and primary not in crit:
        primary = crit[0]
    adsl = build_adsl(study)
    adrs = build_adrs({c: (a.visits, a.responses) for c, a in analysis.by_criteria.items()},
                      adsl, primary_criteria=primary)
    adtte = build_adtte({c: a.adtte for c, a in analysis.by_criteria.items()}, adsl,
                        primary_criteria=primary, adrs=adrs)
    return {"ADSL": adsl, "ADRS": adrs, "ADTTE": adtte}

