"""Per-time-point lesion aggregates (vectorised): sums, missing targets, statuses, new lesions.

Input is the normalised frame of :func:`~hcctrials.response.validate.check_assessments`
(one row per lesion per time point, integer hundredths of a mm, column ``tp`` numbering
the time points 0..T-1 in subject/date order).  Output is one row per time point with the
ingredients the criteria modules turn into responses.  Measurement choices follow
RECIST 1.1 1.2-1.5 [E09, S16], mRECIST [LL10], iRECIST [S17] and imRECIST [H18].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hcctrials.i18n import Msg, msg
from hcctrials.response.common import HUNDREDTHS, PORTA_HEPATIS, ResponseSettings
from hcctrials.response.validate import (
    NEW, NON_TARGET, ST_ABSENT, ST_INCREASED, ST_NE, ST_NONE, ST_PRESENT, ST_UPD, TARGET,
    Columns, column, organ_mask, visit_kinds,
)

#: Data-quality messages are :class:`~hcctrials.i18n.Msg` values (English as ``str``), rendered by the adapters.
_NOT_RECORDED = {
    "target": msg("baseline target lesion has no row at this visit; treated as not evaluated"),
    "non_target": msg("baseline non_target lesion has no row at this visit; treated as not evaluated"),
}

__all__ = ["PORTA_HEPATIS", "EFFUSION_SITES", "derive_time_points", "select_new_targets"]

#: mRECIST: effusions/ascites are PD only with cytological proof [LL10].
EFFUSION_SITES = frozenset({"ascites", "pleural effusion", "pericardial effusion", "pleura",
                            "peritoneal effusion"})


def _rows(frame: Columns, mask: np.ndarray, cols: list[str]) -> pd.DataFrame:
    """A small DataFrame of the rows of *frame* where *mask* holds."""
    return pd.DataFrame({c: pd.Series(column(frame, c, mask), dtype=object)
                         if c in ("subject_id", "lesion_id", "organ_name", "role_name")
                         else column(frame, c, mask) for c in cols})


def _bincount(idx: np.ndarray, weights: np.ndarray | None, size: int) -> np.ndarray:
    return np.bincount(idx, weights=weights, minlength=size)


def select_new_targets(frame: Columns) -> np.ndarray:
    """Flag rows of new lesions chosen as *new measurable / new lesion-target* lesions.

    iRECIST and imRECIST take up to 5 measurable new lesions, at most 2 per organ (all nodes
    one organ) [S17, H18]; we take them in order of first appearance, then larger first
    diameter, then lesion id (the papers leave the order to the reader).  Measurable: the
    ``measurable`` flag when given, else LD >= 10 mm (nodes: short axis >= 15 mm) [E09 1.1].
    """
    role = frame["role"]
    new = _rows(frame, role == NEW, ["lkey", "subject_id", "tp", "d", "is_node", "organ_name",
                                      "measurable", "lesion_id"])
    chosen = np.zeros(len(role), dtype=bool)
    if new.empty:
        return chosen
    first = new.drop_duplicates("lkey")   # rows are in subject/date order
    d = first["d"].to_numpy()
    node = first["is_node"].to_numpy()
    by_size = np.where(node, d >= 15 * HUNDREDTHS, d >= 10 * HUNDREDTHS)
    flag = first["measurable"].to_numpy()
    measurable = np.where(flag < 0, by_size, flag == 1)
    cand = first[measurable.astype(bool)].copy()
    cand["_g"] = np.where(cand["is_node"].to_numpy(), "lymph node",
                          cand["organ_name"].to_numpy())
    cand["_negd"] = -cand["d"]
    cand = cand.sort_values(["subject_id", "tp", "_negd", "lesion_id"], kind="stable")
    cand = cand[cand.groupby(["subject_id", "_g"]).cumcount().to_numpy() < 2]
    cand = cand[cand.groupby("subject_id").cumcount().to_numpy() < 5]
    chosen = np.isin(frame["lkey"], cand["lkey"].to_numpy()) & (role == NEW)
    return np.asarray(chosen, dtype=bool)


def derive_time_points(frame: Columns, *, criteria: str,
                       settings: ResponseSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Aggregate lesion rows to one row per time point; returns (time points, findings).

    Columns (mm values are int64 hundredths): subject_id, tp_date, first_dose_date,
    new_anticancer_therapy_date, is_baseline, n_targets, target_sum (measured targets),
    targets_missing, targets_cr, targets_reappear, n_non_targets, nt_rows, nt_upd,
    nt_increased, nt_not_evaluated, nt_all_absent, new_count, new_any_lesion,
    new_first_seen (days), new_target_sum, new_target_missing, new_nontarget_increased.
    """
    n_rows = len(frame["tp"])
    n_tp = int(frame["tp"].max()) + 1 if n_rows else 0
    tp = frame["tp"]
    role = frame["role"]
    node = frame["is_node"]
    d = frame["d"]
    v = frame["v"]
    status = frame["nt_status"]
    is_base = frame["is_baseline"]
    lkey = frame["lkey"]
    n_les = int(lkey.max()) + 1 if len(lkey) else 0
    findings: list[pd.DataFrame] = []

    def finding(mask: np.ndarray, code: str, message: Msg) -> None:
        if mask.any():
            sub = _rows(frame, mask, ["subject_id", "tp_date", "lesion_id"])
            sub["code"] = code
            sub["message"] = message
            findings.append(sub)

    # measurement used by the criteria
    m = d.copy()
    if criteria == "mrecist":
        liver = organ_mask(frame, ["liver"]) & (role != NEW)
        base_v = np.full(n_les, -1, dtype=np.int64)
        np.maximum.at(base_v, lkey, np.where(is_base, v, -1))
        base_v = base_v[lkey]
        use_viable = liver & (base_v >= 0)
        m = np.where(use_viable, v, d)
    node_thr = np.full(n_rows, 10 * HUNDREDTHS, dtype=np.int64)
    if criteria == "mrecist":
        node_thr[organ_mask(frame, PORTA_HEPATIS) & node] = 20 * HUNDREDTHS

    # ---- targets
    t = role == TARGET
    tm = t & (m >= 0)
    target_sum = _bincount(tp[tm], m[tm].astype(float), n_tp).astype(np.int64)
    t_rows = _bincount(tp[t], None, n_tp)
    t_missing_val = _bincount(tp[t & (m < 0)], None, n_tp)
    positive = tm & np.where(node, m >= node_thr, m > 0)
    t_positive = _bincount(tp[positive], None, n_tp)

    cyto_true = frame["cytology"] == 1
    typical_true = frame["typical"] == 1
    # ---- non-targets: effective status
    nt = role == NON_TARGET
    eff = status.copy()
    node_known = nt & node & (d >= 0)
    eff = np.where(node_known & (eff == ST_NONE), np.where(d < node_thr, ST_ABSENT, ST_PRESENT),
                   eff)
    contradict = node_known & (eff == ST_ABSENT) & (d >= node_thr)
    finding(contradict, "NODE_STATUS_CONTRADICTION",
            msg("non-target node recorded absent but short axis >= threshold; counted present "
                "[RECIST 1.1 1.4]"))
    eff = np.where(contradict, ST_PRESENT, eff)
    eff = np.where(nt & (eff == ST_NONE), np.where(is_base, ST_PRESENT, ST_NE), eff)
    if criteria == "mrecist":
        effusion = nt & organ_mask(frame, EFFUSION_SITES)
        no_cyto = effusion & (eff == ST_UPD) & ~cyto_true
        finding(no_cyto, "EFFUSION_WITHOUT_CYTOLOGY",
                msg("mRECIST: effusion/ascites progression without cytological proof is not PD "
                    "[LL10]"))
        eff = np.where(no_cyto, ST_PRESENT, eff)
    nt_rows = _bincount(tp[nt], None, n_tp)
    nt_upd = _bincount(tp[nt & (eff == ST_UPD)], None, n_tp)
    nt_inc = _bincount(tp[nt & (eff == ST_INCREASED)], None, n_tp)
    nt_ne = _bincount(tp[nt & (eff == ST_NE)], None, n_tp)
    nt_absent = _bincount(tp[nt & (eff == ST_ABSENT)], None, n_tp)

    # ---- new lesions
    new = role == NEW
    present = new & (d != 0) & (status != ST_ABSENT)
    qualifies = present & ~frame["equivocal"]
    qualifies &= ~node | (d >= node_thr)   # new node counts from SA >= 10 mm [E09 1.5]
    if criteria == "mrecist":
        typical = frame["typical"]
        liver_new = new & organ_mask(frame, ["liver"])
        first_row = np.full(n_les, n_rows, dtype=np.int64)
        np.minimum.at(first_row, lkey, np.arange(n_rows))
        first_d = np.where(new, d[np.minimum(first_row[lkey], n_rows - 1)], -1)
        grew = (first_d >= 0) & (d >= 0) & (d - first_d >= 10 * HUNDREDTHS)
        typical_hcc = typical_true & (d >= 10 * HUNDREDTHS)
        liver_q = present & (typical_hcc | grew)
        finding(liver_new & (typical < 0) & present, "PATTERN_UNKNOWN",
                msg("mRECIST: new liver lesion without a recorded vascular pattern; counted only "
                    "after >= 10 mm growth [LL10]"))
        qualifies = np.where(liver_new, liver_q, qualifies)
        eff_new = new & organ_mask(frame, EFFUSION_SITES)
        qualifies = np.where(eff_new, present & cyto_true, qualifies)
    day = frame["tp_date"].astype("datetime64[D]").astype(np.int64)
    first_seen_l = np.full(n_les, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_seen_l, lkey[present], day[present])
    first_seen = first_seen_l[lkey]
    if not settings.backdate_equivocal_new_lesions:
        first_seen = day
    new_count = _bincount(tp[qualifies], None, n_tp)
    new_any = _bincount(tp[present], None, n_tp)
    big = np.iinfo(np.int64).max
    new_first = np.full(n_tp, big, dtype=np.int64)
    np.minimum.at(new_first, tp[qualifies], first_seen[qualifies])
    chosen = select_new_targets(frame)
    new_t_sum = _bincount(tp[chosen & (d >= 0)], np.where(d >= 0, d, 0)[chosen & (d >= 0)]
                          .astype(float), n_tp).astype(np.int64)
    new_t_missing = _bincount(tp[chosen & (d < 0)], None, n_tp)
    new_nt_inc = _bincount(tp[new & ~chosen & (status == ST_INCREASED)], None, n_tp)

    # ---- one row per time point
    first_idx = np.flatnonzero(np.r_[True, tp[1:] != tp[:-1]]) if len(tp) else np.array([], int)
    tps = pd.DataFrame({
        "subject_id": pd.Series(column(frame, "subject_id", first_idx), dtype=object),
        "tp_date": frame["tp_date"][first_idx],
        "first_dose_date": frame["first_dose_date"][first_idx],
        "new_anticancer_therapy_date": frame["new_anticancer_therapy_date"][first_idx],
        "is_baseline": frame["is_baseline"][first_idx],
    })
    subj = pd.factorize(tps["subject_id"])[0]
    base_t = np.where(tps["is_baseline"].to_numpy(), t_rows, 0)
    base_nt = np.where(tps["is_baseline"].to_numpy(), nt_rows, 0)
    n_targets = np.bincount(subj, weights=base_t)[subj].astype(np.int64)
    n_non_targets = np.bincount(subj, weights=base_nt)[subj].astype(np.int64)
    missing_rows = n_targets - t_rows
    tps["n_targets"] = n_targets
    tps["target_sum"] = target_sum
    tps["targets_missing"] = (missing_rows + t_missing_val).astype(np.int64)
    tps["targets_cr"] = (missing_rows + t_missing_val == 0) & (t_positive == 0) & (n_targets > 0)
    tps["targets_reappear"] = t_positive > 0
    tps["n_non_targets"] = n_non_targets
    tps["nt_upd"] = nt_upd > 0
    tps["nt_increased"] = nt_inc > 0
    tps["nt_not_evaluated"] = (nt_ne > 0) | (nt_rows < n_non_targets)
    tps["nt_all_absent"] = (nt_absent == n_non_targets) & (nt_rows == n_non_targets)
    tps["new_count"] = new_count.astype(np.int64)
    tps["new_any_lesion"] = new_any > 0
    tps["new_first_seen"] = new_first
    tps["new_target_sum"] = new_t_sum
    tps["new_target_missing"] = new_t_missing > 0
    tps["new_nontarget_increased"] = new_nt_inc > 0

    # findings for lesions missing at a post-baseline time point (named, not dropped)
    lack = (~tps["is_baseline"].to_numpy()) & ((missing_rows > 0) | (nt_rows < n_non_targets))
    if lack.any():
        lack_codes = frame["subject_code"][first_idx][lack]
        sub = _rows(frame, np.isin(frame["subject_code"], lack_codes),
                    ["subject_id", "tp_date", "lesion_id", "is_baseline", "role_name"])
        sub = sub.rename(columns={"role_name": "role"})
        lesions = sub[sub["is_baseline"] & sub["role"].isin(["target", "non_target"])][
            ["subject_id", "lesion_id", "role"]]
        visits = tps.loc[lack, ["subject_id", "tp_date"]]
        expect = visits.merge(lesions, on="subject_id")
        have = sub[["subject_id", "tp_date", "lesion_id"]].assign(_h=True)
        gap = expect.merge(have, how="left", on=["subject_id", "tp_date", "lesion_id"])
        gap = gap[gap["_h"].isna()]
        findings.append(gap.assign(
            code="LESION_NOT_RECORDED",
            message=pd.Series([_NOT_RECORDED.get(str(role)) or msg(
                "baseline {role} lesion has no row at this visit; treated as not evaluated", role=str(role))
                for role in gap["role"]], index=gap.index, dtype=object))[["subject_id", "tp_date", "lesion_id", "code",
                                         "message"]])
    findings.extend(_date_findings(frame, first_idx, settings))
    cols = ["subject_id", "tp_date", "lesion_id", "code", "message"]
    found = pd.concat(findings, ignore_index=True) if findings else pd.DataFrame(columns=cols)
    found = found.rename(columns={"tp_date": "visit_date"})
    return tps, found


def _iso_days(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)


def _date_findings(frame: Columns, first_idx: np.ndarray,
                   settings: ResponseSettings) -> list[pd.DataFrame]:
    """Time points whose scan dates disagree by more than ``visit_window_days``.

    * TIMEPOINT_SPAN_EXCEEDS_WINDOW: dates chained within the window (each within
      ``visit_window_days`` of the previous one) make a time point spanning more than it;
    * VISIT_SPLIT_ACROSS_TIMEPOINTS: rows of one visit label fall into several time points
      (dates further apart than the window), so each part is scored on its own.
    Rows are sorted by subject and date, so a time point's first/last rows hold its dates.
    """
    out: list[pd.DataFrame] = []
    n = len(frame["tp"])
    if n == 0:
        return out
    tp = frame["tp"]
    day = frame["visit_date"].astype("datetime64[D]").astype(np.int64)
    window = settings.visit_window_days
    last_idx = np.r_[first_idx[1:] - 1, n - 1]
    span = day[last_idx] - day[first_idx]
    wide = span > window
    if wide.any():
        rows = last_idx[wide]
        sub = _rows(frame, np.isin(np.arange(n), rows), ["subject_id", "tp_date", "lesion_id"])
        first_d, last_d = _iso_days(day[first_idx[wide]]), _iso_days(day[rows])
        sub["code"] = "TIMEPOINT_SPAN_EXCEEDS_WINDOW"
        sub["message"] = [msg("scan dates {first} to {last} ({days} days) were chained into one time point "
                              "although visit_window_days={window}; check the dates",
                              first=a, last=b, days=int(d), window=window)
                          for a, b, d in zip(first_d, last_d, span[wide])]
        out.append(sub)
    if "visit_label" not in frame:
        return out
    labels = frame["_visit_labels"]
    label = frame["visit_label"]
    kind = visit_kinds(labels, label)
    use = np.flatnonzero((label >= 0) & (kind != 2))
    if not len(use):
        return out
    parts = pd.DataFrame({"s": frame["skey"][use], "v": label[use], "tp": tp[use],
                          "row": use, "day": day[use]})
    per_tp = parts.drop_duplicates(["s", "v", "tp"])
    split = per_tp[per_tp.groupby(["s", "v"])["tp"].transform("size").to_numpy() > 1]
    if split.empty:
        return out
    dates = split.groupby(["s", "v"])["day"].agg(lambda d: ", ".join(_iso_days(d.to_numpy())))
    rows = split["row"].to_numpy()
    sub = _rows(frame, np.isin(np.arange(n), rows), ["subject_id", "tp_date", "lesion_id"])
    sub["code"] = "VISIT_SPLIT_ACROSS_TIMEPOINTS"
    keys = list(zip(split["s"], split["v"]))
    sub["message"] = [msg("visit {visit} has scan dates {dates} further apart than "
                          "visit_window_days={window}: scored as separate time points; widen "
                          "visit_window_days or correct the dates", visit=str(labels[v]),
                          dates=dates[(s_, v)], window=window) for s_, v in keys]
    out.append(sub)
    return out
