"""``derive_responses``: assessments table in, per-visit and per-subject responses out.

Pure: no I/O, no clock.  Pipeline: :func:`~.validate.check_assessments` ->
:func:`~.lesions.derive_time_points` (vectorised) -> :func:`~.recist11.evaluate_time_points`
(vectorised; iRECIST/imRECIST then run their sequential state machines) ->
:func:`~.best_response.derive_best_response` (vectorised).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from hcctrials.i18n import msg
from hcctrials.response.best_response import derive_best_response
from hcctrials.response.common import (
    CPD, CR, CRITERIA, HUNDREDTHS, NE, PD, PR, SD, ResponseInputError, ResponseSettings,
    labels_for,
)
from hcctrials.response.imrecist import evaluate_imrecist
from hcctrials.response.irecist import (
    CPD_BY_NON_TARGET, CPD_BY_TARGET, WINDOW_LATE, WINDOW_OK, evaluate_irecist,
)
from hcctrials.response.lesions import derive_time_points
from hcctrials.response.recist11 import BIG, evaluate_time_points, response_term, rule_texts
from hcctrials.response.result import ResponseResult
from hcctrials.response.validate import check_first_doses, normalise_assessments

__all__ = ["derive_responses"]

_NONE = np.iinfo(np.int64).max
_SOURCES = {"recist11": msg("RECIST 1.1 [E09] overall response table"),
            "mrecist": msg("mRECIST [LL10] with RECIST 1.1 overall response table")}


def _days(values: pd.Series | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = _NONE
    return out


def _to_date(days: np.ndarray) -> pd.Series:
    vals = np.where(days == _NONE, np.datetime64("NaT"), days.astype("datetime64[D]"))
    return pd.Series(pd.to_datetime(vals.astype("datetime64[ns]")))


def _mm(hundredths: np.ndarray, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, hundredths / HUNDREDTHS, np.nan)


def _pct(value: np.ndarray, ref: np.ndarray, valid: np.ndarray) -> np.ndarray:
    ok = valid & (ref > 0) & (ref < BIG)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, (value - ref) * 100.0 / np.where(ok, ref, 1), np.nan)


def _window_findings(post: pd.DataFrame, window: np.ndarray, anchor: np.ndarray,
                     day: np.ndarray, rules: np.ndarray,
                     settings: ResponseSettings) -> pd.DataFrame | None:
    """iRECIST confirmation-window findings [S17 "next assessment, 4 to 8 weeks later"]."""
    flagged = window != WINDOW_OK
    if not flagged.any():
        return None
    rows = np.flatnonzero(flagged)
    gap = day[rows] - anchor[rows]
    iupd = _to_date(anchor[rows]).dt.strftime("%Y-%m-%d").to_numpy()
    late = window[rows] == WINDOW_LATE
    lo, hi = settings.irecist_confirmation_min_days, settings.irecist_confirmation_max_days
    early_msg = np.array([
        msg("scan {gap} days after the iUPD of {date}, earlier than {days} days: disregarded for "
            "iUPD confirmation and reset [WG iRECIST FAQ]; it shows another new lesion: the FAQ allows "
            "iCPD from it only if the scan was done for a new symptom or sign, review",
            gap=int(g), date=d, days=lo) if "another new lesion" in str(rule) else
        msg("scan {gap} days after the iUPD of {date}, earlier than {days} days: disregarded for "
            "iUPD confirmation and reset [WG iRECIST FAQ]", gap=int(g), date=d, days=lo)
        for g, d, rule in zip(gap, iupd, rules[rows])], dtype=object)
    late_msg = np.array([
        msg("iUPD confirmation outside the 4-8 week window: the first evaluable assessment "
            "after the iUPD of {date} is {gap} days later (window {low}-{high} days) [S17]; it is "
            "still used to confirm or reset the iUPD", date=d, gap=int(g), low=lo, high=hi)
        for g, d in zip(gap, iupd)], dtype=object)
    return pd.DataFrame({
        "subject_id": post["subject_id"].to_numpy()[rows],
        "visit_date": post["tp_date"].to_numpy()[rows],
        "lesion_id": "",
        "code": np.where(late, "IUPD_CONFIRMATION_LATE", "IUPD_SCAN_TOO_EARLY"),
        "message": np.where(late, late_msg, early_msg),
    })


def _confirming_day(code: np.ndarray, scode: np.ndarray, day: np.ndarray,
                    n_subj: int) -> np.ndarray:
    """Per subject: day of the first PD time point (``_NONE`` if none)."""
    out = np.full(n_subj, _NONE, dtype=np.int64)
    is_pd = (code == PD) & (scode >= 0)
    np.minimum.at(out, scode[is_pd], day[is_pd])
    return out


def _first_progression(code: np.ndarray, scode: np.ndarray, day: np.ndarray,
                       post: pd.DataFrame, n_subj: int) -> np.ndarray:
    """Per subject: first PD date, or the first appearance of the new lesion(s) that made
    it PD when that is earlier (back-dating, computed in :mod:`.lesions`) [E09 1.5]."""
    prog = np.full(n_subj, _NONE, dtype=np.int64)
    first_pd_idx = pd.Series(np.where(code == PD, np.arange(len(code)), _NONE)).groupby(
        scode).min()
    idx = first_pd_idx[first_pd_idx != _NONE]
    rows = idx.to_numpy(dtype=np.int64)
    pd_day = np.minimum(day[rows], np.where(post["new_lesion"].to_numpy()[rows],
                                            post["new_first_seen"].to_numpy()[rows], _NONE))
    prog[idx.index.to_numpy()] = pd_day
    return prog


def derive_responses(assessments: pd.DataFrame,
                     first_doses: Mapping[str, date] | pd.DataFrame, *,
                     criteria: str = "recist11",
                     settings: ResponseSettings | None = None) -> ResponseResult:
    """Derive time-point responses and best overall response under *criteria*.

    *assessments* is the canonical long table (one row per lesion per visit; see
    ``docs/response.md``); *first_doses* maps subject_id -> first dose date (or a frame with
    subject_id, first_dose_date and optionally new_anticancer_therapy_date).
    *criteria* is one of recist11, mrecist, irecist, imrecist.
    """
    if criteria not in CRITERIA:
        raise ResponseInputError(msg("unknown response criteria"), field="criteria", value=criteria,
                                 hint=msg("use one of {values}", values=", ".join(CRITERIA)))
    settings = settings or ResponseSettings()
    immune = criteria in ("irecist", "imrecist")
    labels = labels_for(criteria)
    frame = normalise_assessments(assessments, first_doses, criteria=criteria, settings=settings)
    doses = check_first_doses(first_doses).sort_values("subject_id").reset_index(drop=True)
    if "new_anticancer_therapy_date" not in doses.columns:
        doses["new_anticancer_therapy_date"] = pd.NaT
    tps, findings = derive_time_points(frame, criteria=criteria, settings=settings)
    no_disease = tps["is_baseline"] & (tps["n_targets"] + tps["n_non_targets"] == 0)
    if no_disease.any():
        raise ResponseInputError(msg("no target or non-target lesion at baseline"),
                                 record=msg("subject {subject}", subject=str(tps.loc[no_disease, "subject_id"].iloc[0])),
                                 hint=msg("response criteria need disease at baseline"))
    ev = evaluate_time_points(tps, criteria="mrecist" if criteria == "mrecist" else "recist11",
                              settings=settings)
    base_rows = ev[ev["is_baseline"].to_numpy()]
    post = ev[~ev["is_baseline"].to_numpy()].reset_index(drop=True)
    subjects = pd.Index(doses["subject_id"].astype(str))
    n_subj = len(subjects)
    scode = subjects.get_indexer(pd.Index(post["subject_id"].astype(str)))
    starts = np.searchsorted(scode, np.arange(n_subj + 1))
    day = _days(post["tp_date"])
    dose_day_subj = _days(doses["first_dose_date"])
    dose_day = dose_day_subj[scode]
    bcode = subjects.get_indexer(pd.Index(base_rows["subject_id"].astype(str)))
    base_sum = np.zeros(n_subj, dtype=np.int64)
    base_sum[bcode] = base_rows["baseline_sum"].to_numpy()
    has_t_subj = np.zeros(n_subj, dtype=bool)
    has_t_subj[bcode] = base_rows["n_targets"].to_numpy() > 0
    has_t = has_t_subj[scode]
    sums = post["target_sum"].to_numpy(dtype=np.int64)
    complete = post["targets_missing"].to_numpy() == 0
    nadir = post["nadir"].to_numpy(dtype=np.int64)
    pct_sum = sums
    extra: dict[str, np.ndarray] = {}
    unconfirmed_prog = np.full(n_subj, _NONE, dtype=np.int64)
    cpd_by = np.zeros(len(post), dtype=np.int8)
    window_findings: pd.DataFrame | None = None
    if criteria in ("recist11", "mrecist"):
        code = post["overall_code"].to_numpy(dtype=np.int64)
        rules = rule_texts(post["target_reason"].to_numpy(), post["nt_code"].to_numpy(),
                           post["new_lesion"].to_numpy(), code, criteria=criteria,
                           pd_absolute=int(post["pd_absolute"].iloc[0]) if len(post) else 0,
                           node_text=msg("nodes < 20 mm at porta hepatis, < 10 mm elsewhere")
                           if criteria == "mrecist" else msg("nodes < 10 mm short axis"),
                           source=_SOURCES[criteria])
        prog = _first_progression(code, scode, day, post, n_subj)
        if settings.backdate_equivocal_new_lesions:
            # [E09 1.5] PD is dated at the scan where the (equivocal) new lesion first
            # appeared; that time point is re-read as PD so that BOR stops there too and
            # never counts its CR/PR (BOR and progression date agree).
            subj_ok = scode >= 0
            back = subj_ok & (code != PD) & (day == prog[np.where(subj_ok, scode, 0)])
            if back.any():
                confirmed_at = _to_date(_confirming_day(code, scode, day, n_subj)[scode[back]])
                source = "E09 1.5" if criteria == "recist11" else msg("LL10 interval growth; E09 1.5")
                rules = rules.copy()
                rules[back] = [
                    msg("PD (back-dated): new lesion first seen at this scan (equivocal then), "
                        "confirmed on {date}; PD is dated at its first appearance, so this "
                        "time point (read alone: {alone}) is PD [{source}]",
                        date=format(d, "%Y-%m-%d"), alone=response_term(labels[int(c)]), source=source)
                    for d, c in zip(confirmed_at, code[back])]
                code = np.where(back, PD, code)
    elif criteria == "irecist":
        code, rules, prog, first_iupd, open_iupd, window, anchor, cpd_by = evaluate_irecist(
            starts, post["target_code"].to_numpy(), sums, post["targets_missing"].to_numpy(),
            post["nt_code"].to_numpy(), post["nt_increased"].to_numpy(),
            post["new_count"].to_numpy(), post["new_target_sum"].to_numpy(),
            post["new_nontarget_increased"].to_numpy(), day,
            min_days=settings.irecist_confirmation_min_days,
            max_days=settings.irecist_confirmation_max_days)
        window_findings = _window_findings(post, window, anchor, day, rules, settings)
        if settings.irecist_unconfirmed_iupd_is_event:
            prog = np.where(prog == _NONE, open_iupd, prog)
        unconfirmed_prog = first_iupd
        extra["new_lesion_target_sum_mm"] = _mm(post["new_target_sum"].to_numpy(),
                                                np.ones(len(post), dtype=bool))
    else:
        burden = sums + post["new_target_sum"].to_numpy(dtype=np.int64)
        missing = (~complete) | post["new_target_missing"].to_numpy()
        code, rules, nadir, prog, unconfirmed_prog = evaluate_imrecist(
            starts, base_sum, has_t_subj, burden, missing, post["targets_cr"].to_numpy(),
            post["nt_code"].to_numpy(), post["new_any_lesion"].to_numpy(), day,
            settings=settings)
        pct_sum, complete = burden, ~missing
        extra["tumour_burden_mm"] = _mm(burden, complete)
    # BOR window: up to and including the first PD (immune: first confirmed PD), before NACT
    stop = (code == CPD) if immune else (code == PD)
    before_stop = pd.Series(stop.astype(np.int64)).groupby(scode).cumsum().to_numpy() - stop
    keep = before_stop == 0
    nact = _days(doses["new_anticancer_therapy_date"])[scode]
    if settings.exclude_after_new_therapy:
        keep &= ~((nact != _NONE) & (day >= nact))
    br = derive_best_response(scode[keep], code[keep], day[keep], dose_day[keep], has_t[keep],
                              n_subj, settings=settings, immune=immune)
    if settings.continuing_pr and not immune:
        resp_day = (br.first_confirmed_response_day if settings.confirm
                    else br.first_response_day)[scode]
        cont = keep & (code == SD) & (day > resp_day) & (resp_day != _NONE)
        code = np.where(cont, PR, code)
        continuing = msg("continuing PR after an earlier (confirmed) PR until PD [S16 Q&A]; per-visit label only")
        rules = np.asarray([continuing if c else r for c, r in zip(cont, rules)], dtype=object)
    # findings: CR followed by PR [E09 Table 3 note; admiralonco signal_crpr]
    kc = code[keep]
    ks = scode[keep]
    crpr = np.zeros(len(kc), dtype=bool)
    if len(kc) > 1:
        crpr[1:] = (kc[1:] == PR) & (kc[:-1] == CR) & (ks[1:] == ks[:-1])
    extra_findings = [] if window_findings is None else [window_findings]
    if crpr.any():
        sub = post[keep][crpr]
        extra_findings.append(pd.DataFrame({
            "subject_id": sub["subject_id"], "visit_date": sub["tp_date"], "lesion_id": "",
            "code": "CR_THEN_PR",
            "message": msg("PR after CR: if the CR was real this is PD; review [E09 Table 3 note]")}))
    if settings.confirm:
        unconf = np.isin(br.bor, [CR, PR]) & (br.cbor != br.bor)
        if unconf.any():
            extra_findings.append(pd.DataFrame({
                "subject_id": subjects[unconf], "visit_date": _to_date(br.bor_day[unconf]),
                "lesion_id": "", "code": "UNCONFIRMED_RESPONSE",
                "message": msg("CR/PR not confirmed; confirmed BOR is lower [E09 1.7]")}))
    parts = [f for f in (findings, *extra_findings) if len(f)]
    findings = pd.concat(parts, ignore_index=True) if parts else findings

    pct_b = _pct(pct_sum, base_sum[scode], complete)
    pct_n = _pct(pct_sum, nadir, complete)
    best_pct = np.full(n_subj, np.inf)
    ok = keep & ~np.isnan(pct_b)
    np.minimum.at(best_pct, scode[ok], pct_b[ok])
    best_pct[np.isinf(best_pct)] = np.nan
    adequate = code != NE
    if settings.exclude_after_new_therapy:
        adequate &= ~((nact != _NONE) & (day >= nact))
    last_adequate = np.full(n_subj, -1, dtype=np.int64)
    np.maximum.at(last_adequate, scode[adequate], day[adequate])
    last_adequate[last_adequate < 0] = _NONE
    n_assess = np.bincount(scode, minlength=n_subj)

    label_arr = np.array([labels.get(i) for i in range(8)], dtype=object)   # 0 -> None
    target_label = label_arr[post["target_code"].to_numpy()]
    nt_label = label_arr[post["nt_code"].to_numpy()]
    # iRECIST: the category whose further growth confirmed the iUPD reads iCPD [S17 Table 2]
    target_label = np.where((cpd_by & CPD_BY_TARGET) > 0, labels[CPD], target_label)
    nt_label = np.where((cpd_by & CPD_BY_NON_TARGET) > 0, labels[CPD], nt_label)
    visits = pd.DataFrame({
        "subject_id": pd.Series(post["subject_id"].to_numpy(), dtype=object),
        "visit_date": post["tp_date"].to_numpy(),
        "days_from_first_dose": day - dose_day,
        "target_sum_mm": _mm(sums, has_t & (post["targets_missing"].to_numpy() == 0)),
        "targets_not_assessed": post["targets_missing"].to_numpy(),
        "baseline_sum_mm": base_sum[scode] / HUNDREDTHS,
        "nadir_mm": _mm(nadir, nadir < BIG),
        "pct_change_from_baseline": pct_b,
        "pct_change_from_nadir": pct_n,
        "target_response": pd.Series(target_label, dtype=object),
        "non_target_response": pd.Series(nt_label, dtype=object),
        "new_lesion": post["new_lesion"].to_numpy() if criteria != "imrecist"
        else post["new_any_lesion"].to_numpy(),
        "overall_response": pd.Series(label_arr[code], dtype=object),
        "rule": pd.Series(rules, dtype=object),
        "in_bor_window": keep,
        **extra,
    })
    bor_lab = label_arr[br.bor]
    cbor_lab = label_arr[br.cbor]
    none_seen = n_assess == 0
    subj = pd.DataFrame({
        "subject_id": subjects.to_numpy(),
        "first_dose_date": doses["first_dose_date"].to_numpy(),
        "best_overall_response": cbor_lab if settings.confirm else bor_lab,
        "best_overall_response_unconfirmed": bor_lab,
        "best_overall_response_confirmed": cbor_lab,
        "bor_date": _to_date(br.cbor_day if settings.confirm else br.bor_day),
        "first_response_date": _to_date(br.first_confirmed_response_day if settings.confirm
                                        else br.first_response_day),
        "confirmation_date": _to_date(br.confirmation_day),
        "first_progression_date": _to_date(prog),
        "best_pct_change_from_baseline": best_pct,
        "last_adequate_assessment_date": _to_date(last_adequate),
        "n_assessments": n_assess,
        "bor_note": np.asarray([msg("no post-baseline assessment (admiralonco MISSING)") if n else ""
                                for n in none_seen], dtype=object),
    })
    subj["bor_unconfirmed_date"] = _to_date(br.bor_day)
    subj["bor_confirmed_date"] = _to_date(br.cbor_day)
    if immune:
        subj["first_unconfirmed_progression_date"] = _to_date(unconfirmed_prog)
    return ResponseResult(criteria=criteria, settings=settings, visits=visits, subjects=subj,
                          findings=findings.reset_index(drop=True))
