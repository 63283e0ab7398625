"""Best overall response with and without confirmation, vectorised over all subjects.

Rules (``docs/response.md`` section 1.7; [E09] Table 3; admiralonco's ``cbor_cr`` /
``cbor_pr`` / ``bor_sd`` / ``bor_ne`` events):

* ranking CR > PR > SD > NON-CR/NON-PD > PD > NE over the assessments up to and including
  the first PD (iRECIST/imRECIST: up to the first confirmed PD), before new therapy;
* SD (and NON-CR/NON-PD) count only at an assessment >= ``sd_min_days`` after first dose;
  an unconfirmed CR/PR also satisfies the SD minimum; else fall back to PD or NE;
* CR is confirmed by a later CR >= ``confirmation_min_days`` later with only CR/NE between;
  PR by a later CR/PR with only CR/PR/NE (and SD if accepted) between and no PR after a CR;
  at most ``max_ne_between_confirmation`` NE between; never across a PD.

Confirmation is found with a loop over the *lag* (1..max visits per subject), each step a
whole-array NumPy operation, so the cost is O(rows x max visits) with no per-subject Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hcctrials.response.common import CPD, CR, NE, NN, PD, PR, SD, ResponseSettings

__all__ = ["BestResponse", "derive_confirmation", "derive_best_response"]

_NONE = np.iinfo(np.int64).max


@dataclass(frozen=True)
class BestResponse:
    """Per-subject arrays (index = subject code); days are epoch days, ``_NONE`` if absent."""

    bor: np.ndarray
    bor_day: np.ndarray
    cbor: np.ndarray
    cbor_day: np.ndarray
    first_response_day: np.ndarray
    first_confirmed_response_day: np.ndarray
    confirmation_day: np.ndarray
    confirmed_cr: np.ndarray   # per row
    confirmed_pr: np.ndarray   # per row
    confirm_day_row: np.ndarray  # per row


def derive_confirmation(subject: np.ndarray, code: np.ndarray, day: np.ndarray, *,
                        settings: ResponseSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: (CR confirmed, PR confirmed, day of the first confirming assessment).

    Rows must be sorted by subject then date and already restricted to the BOR window.
    """
    n = len(code)
    conf_cr = np.zeros(n, dtype=bool)
    conf_pr = np.zeros(n, dtype=bool)
    conf_day = np.full(n, _NONE, dtype=np.int64)
    if n == 0:
        return conf_cr, conf_pr, conf_day
    ok_cr = code == CR
    ok_pr = code == PR
    seen_cr = np.zeros(n, dtype=bool)
    ne_between = np.zeros(n, dtype=np.int64)
    allowed_pr = [CR, PR, NE] + ([SD] if settings.accept_sd_between_pr_and_confirmation else [])
    max_ne = settings.max_ne_between_confirmation
    gap_min = settings.confirmation_min_days
    lag = 1
    while lag < n and (ok_cr.any() or ok_pr.any()):
        i = np.arange(n - lag)
        j = i + lag
        same = subject[j] == subject[i]
        ok_cr[: n - lag] &= same
        ok_pr[: n - lag] &= same
        ok_cr[n - lag:] = False
        ok_pr[n - lag:] = False
        cj = code[j]
        far = (day[j] - day[i]) >= gap_min
        ne_ok = ne_between[i] <= max_ne
        hit_cr = ok_cr[i] & ~conf_cr[i] & (cj == CR) & far & ne_ok
        hit_pr = (ok_pr[i] & ~conf_pr[i] & ((cj == CR) | (cj == PR)) & far & ne_ok
                  & ~((cj == PR) & seen_cr[i]))
        conf_day[i[hit_cr]] = day[j[hit_cr]]
        conf_day[i[hit_pr]] = day[j[hit_pr]]
        conf_cr[i[hit_cr]] = True
        conf_pr[i[hit_pr]] = True
        # extend the "between" stretch by assessment j
        ok_cr[i] &= ~conf_cr[i] & np.isin(cj, [CR, NE])
        ok_pr[i] &= ~conf_pr[i] & np.isin(cj, allowed_pr) & ~((cj == PR) & seen_cr[i])
        seen_cr[i] |= cj == CR
        ne_between[i] += cj == NE
        lag += 1
    return conf_cr, conf_pr, conf_day


def _first_day(subject: np.ndarray, day: np.ndarray, mask: np.ndarray, n_subj: int) -> np.ndarray:
    out = np.full(n_subj, _NONE, dtype=np.int64)
    np.minimum.at(out, subject[mask], day[mask])
    return out


def _rank(subject: np.ndarray, day: np.ndarray, levels: list[tuple[int, np.ndarray]],
          n_subj: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick, per subject, the first level whose mask has a row; date = its first row."""
    bor = np.full(n_subj, NE, dtype=np.int64)
    bor_day = np.full(n_subj, _NONE, dtype=np.int64)
    decided = np.zeros(n_subj, dtype=bool)
    for level, mask in levels:
        first = _first_day(subject, day, mask, n_subj)
        take = ~decided & (first != _NONE)
        bor[take] = level
        bor_day[take] = first[take]
        decided |= take
    return bor, bor_day


def derive_best_response(subject: np.ndarray, code: np.ndarray, day: np.ndarray,
                         dose_day: np.ndarray, has_targets: np.ndarray, n_subj: int, *,
                         settings: ResponseSettings, immune: bool) -> BestResponse:
    """BOR (unconfirmed) and confirmed BOR for rows restricted to the BOR window.

    *immune* (iRECIST/imRECIST): iCPD outranks iUPD, which outranks NE ([S17] Table 3:
    "iUPD then iCPD -> iCPD"; "iUPD then NE -> iUPD").
    """
    conf_cr, conf_pr, conf_day = derive_confirmation(subject, code, day, settings=settings)
    late = (day - dose_day) >= settings.sd_min_days
    sd_level = late & has_targets & np.isin(code, [CR, PR, SD])
    nn_level = late & (((code == NN)) | (~has_targets & np.isin(code, [CR, PR])))
    pd_levels: list[tuple[int, np.ndarray]]
    if immune:
        pd_levels = [(CPD, code == CPD), (PD, code == PD)]
    else:
        pd_levels = [(PD, (code == PD) | (code == CPD))]
    tail = [(SD, sd_level), (NN, nn_level), *pd_levels, (NE, np.ones(len(code), dtype=bool))]
    bor, bor_day = _rank(subject, day, [(CR, code == CR), (PR, code == PR), *tail], n_subj)
    cbor, cbor_day = _rank(subject, day, [(CR, conf_cr), (PR, conf_pr), *tail], n_subj)
    first_resp = _first_day(subject, day, np.isin(code, [CR, PR]), n_subj)
    confirmed = conf_cr | conf_pr
    first_conf = _first_day(subject, day, confirmed, n_subj)
    confirmation = np.full(n_subj, _NONE, dtype=np.int64)
    rows = np.flatnonzero(confirmed)
    if len(rows):
        subj_rows = subject[rows]
        _, first_idx = np.unique(subj_rows, return_index=True)
        pick = rows[first_idx]
        confirmation[subject[pick]] = conf_day[pick]
    return BestResponse(bor=bor, bor_day=bor_day, cbor=cbor, cbor_day=cbor_day,
                        first_response_day=first_resp, first_confirmed_response_day=first_conf,
                        confirmation_day=confirmation, confirmed_cr=conf_cr,
                        confirmed_pr=conf_pr, confirm_day_row=conf_day)
