"""imRECIST time-point responses [H18] (spec section 4).

* tumour burden = target SOD + up to 5 new measurable lesions (at most 2 per organ);
* PD = burden >= 1.2 x nadir of the burden and >= nadir + 5 mm;
* non-target lesions and non-measurable new lesions never define PD; they preclude CR;
* a PD must be confirmed by the next assessment >= 4 weeks later still at PD level
  against the nadir (iCPD); disease control there negates it;
* imPFS event date is the first PD that was not negated; a PD on the last scan is an event
  unless ``imrecist_pd_on_last_scan_is_event`` is False.

Sequential parts run as one loop over NumPy arrays (see :mod:`.irecist`).
"""

from __future__ import annotations

import numpy as np

from hcctrials.i18n import Msg, msg, term
from hcctrials.response.common import CPD, CR, FIVE_MM, NE, NN, PD, PR, SD, ResponseSettings

__all__ = ["evaluate_imrecist"]

_NONE = np.iinfo(np.int64).max
#: Rule texts are :class:`~hcctrials.i18n.Msg` values (English as ``str``), rendered by the adapters.
_NAMES = {CR: term("iCR"), PR: term("iPR"), SD: term("iSD"), NN: term("NON-iCR/NON-iUPD"), PD: term("iUPD"),
          NE: term("NE")}


def evaluate_imrecist(starts: np.ndarray, base_sum: np.ndarray, has_targets: np.ndarray,
                      burden: np.ndarray, missing: np.ndarray, targets_cr: np.ndarray,
                      nt: np.ndarray, new_any: np.ndarray, day: np.ndarray, *,
                      settings: ResponseSettings
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run imRECIST over post-baseline rows grouped by subject (offsets *starts*).

    *base_sum* and *has_targets* are per subject; *nt* are non-target codes (0 = none).
    Returns (overall codes, rule texts, burden nadir before each row, progression day
    per subject, first-PD day per subject).
    """
    n = len(burden)
    code = np.full(n, NE, dtype=np.int64)
    rules = np.empty(n, dtype=object)
    nadir_out = np.zeros(n, dtype=np.int64)
    n_subj = len(starts) - 1
    prog_day = np.full(n_subj, _NONE, dtype=np.int64)
    first_pd = np.full(n_subj, _NONE, dtype=np.int64)
    bl, ml, cl, ntl, nwl, dl = (burden.tolist(), missing.tolist(), targets_cr.tolist(),
                                nt.tolist(), new_any.tolist(), day.tolist())
    min_gap = settings.imrecist_pd_confirmation_min_days
    for s in range(n_subj):
        base = int(base_sum[s])
        with_targets = bool(has_targets[s])
        nadir = base
        pending = _NONE
        done = False
        for r in range(int(starts[s]), int(starts[s + 1])):
            nadir_out[r] = nadir
            if done:
                code[r] = CPD
                rules[r] = msg("after confirmed PD: not used for BOR [H18]")
                continue
            b = bl[r]
            pd_level = 10 * b >= 12 * nadir and b - nadir >= FIVE_MM
            ntc = ntl[r]
            no_disease_nt = ntc in (0, CR)
            why: Msg
            if pd_level:
                c = PD
                why = msg("burden (targets + new measurable) >= 120% of nadir and >= nadir + 5 mm")
            elif ml[r]:
                c, why = NE, msg("target or new measurable lesion not assessed")
            elif with_targets and cl[r]:
                c = CR if (no_disease_nt and not nwl[r]) else PR
                why = (msg("all targets gone") if c == CR else
                       msg("all targets gone, non-target or new lesion present (precludes CR)"))
            elif with_targets and 10 * b <= 7 * base:
                c, why = PR, msg("burden <= 70% of baseline")
            elif with_targets:
                c, why = SD, msg("neither PR nor PD")
            elif ntc == CR and not nwl[r]:
                c, why = CR, msg("all non-target lesions gone, no new lesion")
            elif ntc == NE:
                c, why = NE, msg("non-target lesion not evaluated")
            else:
                c, why = NN, msg("non-target disease present (non-targets never define PD)")
            if not ml[r] and b < nadir:
                nadir = b
            if pending == _NONE:
                if c == PD:
                    pending = dl[r]
                    if first_pd[s] == _NONE:
                        first_pd[s] = dl[r]
                    code[r], rules[r] = PD, msg("iUPD: {why}; needs confirmation [H18]", why=why)
                else:
                    code[r], rules[r] = c, msg("{overall}: {why} [H18]", overall=_NAMES[c], why=why)
                continue
            if dl[r] - pending >= min_gap and c != NE:
                if c == PD:
                    code[r] = CPD
                    rules[r] = msg("iCPD: PD level again >= {days} days after the first PD [H18]", days=min_gap)
                    prog_day[s] = pending
                    done = True
                else:
                    code[r] = c
                    rules[r] = msg("{overall}: {why}; earlier PD negated by disease control [H18]",
                                   overall=_NAMES[c], why=why)
                    pending = _NONE
                continue
            code[r] = c
            rules[r] = msg("{overall}: {why}; PD pending confirmation [H18]", overall=_NAMES[c], why=why)
        if pending != _NONE and not done and settings.imrecist_pd_on_last_scan_is_event:
            prog_day[s] = pending
    return code, rules, nadir_out, prog_day, first_pd
