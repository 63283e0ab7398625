"""iRECIST time-point responses [S17, P20, RECIST WG iRECIST FAQ] (spec section 3).

The per-category ingredients (target response against the nadir, non-target status, new
lesions, the separate new-lesion-target sum of measures) come vectorised from
:mod:`~hcctrials.response.lesions` and :mod:`~hcctrials.response.recist11`.  The iUPD /
iCPD / reset logic is inherently sequential, so it runs as one tight loop over NumPy
arrays (no pandas row access):

* iUPD the first time RECIST 1.1 PD is met in any category (target 20% and 5 mm from the
  nadir, unequivocal non-target progression, a new lesion);
* iCPD at a later assessment when a triggering category grew further (target SOD +5 mm or
  more from the iUPD value, any non-target increase, new-lesion-target SOM +5 mm, any new
  non-target increase, another new lesion), or PD appears in a category that had not
  progressed (the stated reading of [S17]); increases are cumulative from the iUPD value;
* reset when an assessment after iUPD meets iSD/iPR/iCR: new lesions seen at iUPD that did
  not grow do not by themselves prevent iSD/iPR when the target sum has shrunk further
  since the iUPD [WG FAQ]; after a reset only further new lesions (or +5 mm in their SOM)
  trigger iUPD again;
* iPFS is dated at the iUPD that was later confirmed (after a reset: the later iUPD);
* confirmation window [S17: "confirm at the next assessment, 4 to 8 weeks later"]: an
  assessment less than ``min_days`` after the iUPD is disregarded (it neither confirms nor
  resets; "scans done less than 4 weeks after the initial iUPD ... should be disregarded and
  repeated as recommended 4-8 weeks after the initial iUPD", RECIST WG iRECIST FAQ); the
  first evaluable assessment at ``min_days`` or later decides as usual, and is flagged
  (never ignored) when it lies more than ``max_days`` after the iUPD.
"""

from __future__ import annotations

import numpy as np

from hcctrials.i18n import Msg, join_msgs, msg, term
from hcctrials.response.common import CPD, CR, FIVE_MM, NE, NN, PD, PR, SD

__all__ = ["evaluate_irecist", "WINDOW_OK", "WINDOW_EARLY", "WINDOW_LATE", "CPD_BY_TARGET",
           "CPD_BY_NON_TARGET", "CPD_BY_NEW"]

#: Per-row confirmation-window flags returned by :func:`evaluate_irecist`.
WINDOW_OK, WINDOW_EARLY, WINDOW_LATE = 0, 1, 2
#: Bits of the per-row "which category confirmed the iUPD" mask of :func:`evaluate_irecist`.
CPD_BY_TARGET, CPD_BY_NON_TARGET, CPD_BY_NEW = 1, 2, 4

_NONE = np.iinfo(np.int64).max
_NAMES = {CR: term("iCR"), PR: term("iPR"), SD: term("iSD"), NN: term("NON-iCR/NON-iUPD"), PD: term("iUPD"),
          NE: term("NE")}
_NO_CATEGORY = msg("none")
#: The rule texts are :class:`~hcctrials.i18n.Msg` values (English as ``str``), rendered by the adapters.
_SEP = msg("; ")


def _table(t: int, nt: int) -> int:
    """[S17] Table 2 without new lesions and without a prior iUPD."""
    if t == 0:  # no target disease
        return {CR: CR, NN: NN}.get(nt, NE)
    if t == CR:
        return CR if nt in (0, CR) else PR
    if t in (PR, SD, NE):
        return t
    return NE


def evaluate_irecist(starts: np.ndarray, target: np.ndarray, sums: np.ndarray,
                     targets_missing: np.ndarray, nt: np.ndarray, nt_increased: np.ndarray,
                     new_count: np.ndarray, new_som: np.ndarray, new_nt_increased: np.ndarray,
                     day: np.ndarray, *, min_days: int = 28, max_days: int | None = 56
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                np.ndarray, np.ndarray, np.ndarray]:
    """Run the iRECIST state machine over post-baseline rows grouped by subject.

    *starts* are the row offsets of each subject (len = subjects + 1); *min_days* and
    *max_days* bound the iUPD confirmation window (None: no upper bound).  Returns
    (overall codes, rule texts, per subject: day of the iUPD later confirmed, first iUPD
    day, day of an iUPD still unconfirmed at the last assessment; per row: window flag
    (``WINDOW_OK``/``WINDOW_EARLY``/``WINDOW_LATE``), the day of the iUPD it refers to, and
    the categories whose growth made the iCPD (bit mask: :data:`CPD_BY_TARGET`,
    :data:`CPD_BY_NON_TARGET`, :data:`CPD_BY_NEW`), so that each category's response at an
    iCPD reads iCPD [S17 Table 2]).
    """
    n = len(target)
    code = np.full(n, NE, dtype=np.int64)
    rules = np.empty(n, dtype=object)
    n_subj = len(starts) - 1
    confirmed_day = np.full(n_subj, _NONE, dtype=np.int64)
    first_iupd = np.full(n_subj, _NONE, dtype=np.int64)
    last_open_iupd = np.full(n_subj, _NONE, dtype=np.int64)
    window = np.zeros(n, dtype=np.int8)
    anchor = np.full(n, _NONE, dtype=np.int64)
    cpd_by = np.zeros(n, dtype=np.int8)
    max_gap = _NONE if max_days is None else max_days
    tl, sl, ml, ntl, nil = (target.tolist(), sums.tolist(), targets_missing.tolist(),
                            nt.tolist(), nt_increased.tolist())
    ncl, nsl, nnl, dl = new_count.tolist(), new_som.tolist(), new_nt_increased.tolist(), day.tolist()
    for s in range(n_subj):
        prior = done = False
        trig_t = trig_nt = trig_new = False
        ref_sum = ref_som = ref_cnt = 0
        base_cnt = base_som = 0  # new lesions accepted at the last reset
        iupd_day = _NONE
        decided = False   # has an evaluable assessment in/after the window been seen?
        for r in range(int(starts[s]), int(starts[s + 1])):
            t, ntc = tl[r], ntl[r]
            if done:
                code[r] = CPD
                rules[r] = msg("after iCPD: not used for iBOR [S17]")
                continue
            new_trig = ncl[r] > base_cnt or (base_cnt > 0 and nsl[r] - base_som >= FIVE_MM)
            if not prior:
                if t == PD or ntc == PD or new_trig:
                    prior, trig_t, trig_nt, trig_new = True, t == PD, ntc == PD, new_trig
                    ref_sum, ref_som, ref_cnt, iupd_day = sl[r], nsl[r], ncl[r], dl[r]
                    decided = False
                    if first_iupd[s] == _NONE:
                        first_iupd[s] = dl[r]
                    cats = [c for c, f in ((msg("target"), trig_t), (msg("non-target"), trig_nt),
                                           (msg("new lesion"), trig_new)) if f]
                    code[r] = PD
                    rules[r] = msg("iUPD: RECIST 1.1 PD in {categories} [S17 Table 2]",
                                   categories=join_msgs(msg(", "), cats))
                else:
                    c = _table(t, ntc)
                    if c == CR and ncl[r] > 0:
                        c = PR
                    code[r] = c
                    rules[r] = msg("target {target}, non-target {non_target}, no new iUPD -> {overall} [S17 Table 2]",
                                   target=_NAMES.get(t, _NO_CATEGORY), non_target=_NAMES.get(ntc, _NO_CATEGORY),
                                   overall=_NAMES[c])
                continue
            grew: list[Msg] = []
            if trig_t and sl[r] - ref_sum >= FIVE_MM:
                grew.append(msg("target SOD +5 mm or more since iUPD"))
            if trig_nt and nil[r]:
                grew.append(msg("further non-target increase"))
            if trig_new and nsl[r] - ref_som >= FIVE_MM:
                grew.append(msg("new-lesion-target SOM +5 mm or more since iUPD"))
            if trig_new and nnl[r]:
                grew.append(msg("new non-target lesion increase"))
            if ncl[r] > ref_cnt:
                grew.append(msg("another new lesion"))
            if not trig_t and t == PD:
                grew.append(msg("target PD in a category not progressed at iUPD"))
            if not trig_nt and ntc == PD:
                grew.append(msg("non-target PD in a category not progressed at iUPD"))
            regained = (t in (CR, PR, SD) and ntc != PD) or (t == 0 and ntc in (CR, NN))
            if regained and trig_new and ncl[r] > 0 and not (t != 0 and sl[r] < ref_sum):
                # [WG FAQ] persisting new lesions allow iSD/iPR only when the other
                # lesions have shrunk further since the iUPD
                regained = False
            still = (trig_t and t == PD) or (trig_nt and ntc == PD) or (trig_new and ncl[r] > 0)
            gap = dl[r] - iupd_day
            anchor[r] = iupd_day
            if gap < min_days:
                # [WG FAQ] disregarded: neither confirms nor resets; the iUPD stays open
                window[r] = WINDOW_EARLY
                shown = (join_msgs(_SEP, grew) if grew else
                         msg("iSD/iPR/iCR level") if regained else
                         msg("iUPD criteria still met") if still else msg("not all lesions assessed"))
                code[r] = PD if (grew or regained or still) else NE
                rules[r] = msg("{overall}: scan {gap} days after the iUPD, earlier than {days}: disregarded "
                               "for confirmation and reset (showed: {shown}); the next assessment decides "
                               "[S17; WG FAQ]", overall=_NAMES[PD] if code[r] == PD else _NAMES[NE],
                               gap=gap, days=min_days, shown=shown)
                continue
            if not decided and (grew or regained or still):
                decided = True
                if gap > max_gap:
                    window[r] = WINDOW_LATE
            late: str = (msg("; {gap} days after the iUPD, outside the {low}-{high} day window [S17]",
                             gap=gap, low=min_days, high=max_days) if window[r] == WINDOW_LATE else "")
            if grew:
                code[r] = CPD
                cpd_by[r] = (
                    CPD_BY_TARGET * ((trig_t and sl[r] - ref_sum >= FIVE_MM)
                                     or (not trig_t and t == PD))
                    + CPD_BY_NON_TARGET * ((trig_nt and bool(nil[r]))
                                           or (not trig_nt and ntc == PD))
                    + CPD_BY_NEW * ((trig_new and (nsl[r] - ref_som >= FIVE_MM or bool(nnl[r])))
                                    or ncl[r] > ref_cnt))
                rules[r] = msg("iCPD: {growth} [S17 Table 2; WG FAQ]{late}", growth=join_msgs(_SEP, grew),
                               late=late)
                confirmed_day[s] = iupd_day
                done = True
                continue
            if regained:
                c = _table(t, ntc)
                if c == CR and ncl[r] > 0:
                    c = PR
                code[r] = c
                rules[r] = msg("{overall} after iUPD: iUPD reset [S17; WG FAQ]{late}", overall=_NAMES[c], late=late)
                prior = False
                base_cnt, base_som = ncl[r], nsl[r]
                continue
            if still:
                code[r] = PD
                rules[r] = msg("iUPD: iUPD criteria still met, no further growth; confirm at next "
                               "assessment [S17]{late}", late=late)
            else:
                code[r] = NE
                rules[r] = msg("NE after iUPD: not all lesions assessed, no further growth [S17]")
        if prior and not done:
            last_open_iupd[s] = iupd_day
    return code, rules, confirmed_day, first_iupd, last_open_iupd, window, anchor, cpd_by
