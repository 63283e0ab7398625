"""RECIST 1.1 time-point responses, vectorised (also used by mRECIST, iRECIST, imRECIST).

Rules [E09, S16], restated in ``docs/response.md`` sections 1.3-1.6:

* target PD: SOD >= 1.2 x nadir **and** SOD >= nadir + 5 mm (both inclusive), the nadir being
  the smallest complete SOD so far **including baseline**; the SOD must also exceed the nadir
  (mRECIST without an absolute minimum: 0 mm at a nadir of 0 is not PD); PD wins even when some targets
  were not assessed, because missing lesions can only add;
* target NE: a target not assessed (and no PD); CR: every non-nodal target 0 mm and every
  nodal target under 10 mm; PR: SOD <= 0.7 x baseline SOD; SD otherwise;
* a reappearing target after a true CR is PD [S16 Q&A];
* overall response from the tables of section 1.6 (with / without target disease).

All comparisons are on integers (hundredths of a mm): ``10*S <= 7*B`` and ``10*S >= 12*N``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hcctrials.i18n import Msg, msg, term
from hcctrials.response.common import (
    CR, FIVE_MM, HUNDREDTHS, NE, NN, PD, PR, SD, ResponseSettings, labels_for,
)

__all__ = [
    "BIG",
    "response_term",
    "TARGET_REASONS",
    "evaluate_target_response",
    "evaluate_non_target_response",
    "evaluate_overall_response",
    "evaluate_time_points",
    "nadir_before",
    "rule_texts",
]

BIG = np.int64(10**12)  # "no complete sum yet"

#: Why the target response is what it is (code -> message id); 0 = no target disease.
#: The texts are :func:`hcctrials.i18n.msg` ids: the rule column holds :class:`~hcctrials.i18n.Msg`
#: values (English as ``str``) that the command line renders in the reader's language.
TARGET_REASONS = {
    0: msg("no target disease").msgid,
    1: msg("target PD: SOD >= 120% of nadir{abs}", abs="").msgid,
    2: msg("target PD: measured targets alone already meet PD (others not assessed)").msgid,
    3: msg("target PD: reappearing target after CR").msgid,
    4: msg("target NE: target lesion(s) not assessed").msgid,
    5: msg("target CR: all targets gone ({node})", node="").msgid,
    6: msg("target PR: SOD <= 70% of baseline SOD").msgid,
    7: msg("target SD: neither PR (<= 70% of baseline) nor PD (from nadir)").msgid,
}


def response_term(code: str) -> Msg:
    """A response label (``SD``, ``NON_CR_NON_PD``, ``iUPD``) as a message: the abbreviations read the
    same in Chinese [RECIST 1.1; iRECIST], the compound ones are words in the catalog (非CR/非PD)."""
    return term(code)
_T_LOOKUP = np.array([0, PD, PD, PD, NE, CR, PR, SD], dtype=np.int64)


def nadir_before(subject: np.ndarray, sums: np.ndarray, complete: np.ndarray) -> np.ndarray:
    """Smallest complete sum at earlier time points of the same subject (BIG if none).

    The baseline counts [spec pitfall 1]; incomplete (NE) sums never set the nadir.
    """
    vals = pd.Series(np.where(complete, sums, BIG))
    cm = vals.groupby(subject, sort=False).cummin()
    prev = cm.groupby(subject, sort=False).shift(1)
    return np.asarray(prev.fillna(BIG).to_numpy(dtype=np.int64))


def evaluate_target_response(sums: np.ndarray, baseline: np.ndarray, nadir: np.ndarray,
                             missing: np.ndarray, all_gone: np.ndarray, has_targets: np.ndarray,
                             *, pd_absolute: int) -> np.ndarray:
    """Target reason codes (see :data:`TARGET_REASONS`) from integer sums (hundredths)."""
    # PD needs a real increase: 0 mm at a nadir of 0 is not PD even without an absolute
    # minimum (mRECIST [LL10] states none), else a CR could never be confirmed.
    pd_hit = ((nadir < BIG) & (10 * sums >= 12 * nadir) & (sums - nadir >= pd_absolute)
              & (sums > nadir))
    return np.select(
        [~has_targets, pd_hit & (missing == 0), pd_hit, missing > 0, all_gone,
         10 * sums <= 7 * baseline],
        [0, 1, 2, 4, 5, 6], default=7).astype(np.int64)


def evaluate_non_target_response(n_non_targets: np.ndarray, upd: np.ndarray,
                                 not_evaluated: np.ndarray, all_absent: np.ndarray) -> np.ndarray:
    """Non-target response codes: 0 none at baseline, else PD, NE, CR or NN [E09 1.4]."""
    return np.select([n_non_targets == 0, upd, not_evaluated, all_absent],
                     [0, PD, NE, CR], default=NN).astype(np.int64)


def evaluate_overall_response(target: np.ndarray, non_target: np.ndarray,
                              new_lesion: np.ndarray) -> np.ndarray:
    """Overall time-point response from the tables of [E09] (spec 1.6)."""
    has_t = target != 0
    nt_ok_for_cr = (non_target == 0) | (non_target == CR)
    return np.select(
        [new_lesion, target == PD, non_target == PD,
         has_t & (target == CR) & nt_ok_for_cr, has_t & (target == CR),
         has_t & (target == PR), has_t & (target == SD), has_t & (target == NE),
         ~has_t & (non_target == CR), ~has_t & (non_target == NN)],
        [PD, PD, PD, CR, PR, PR, SD, NE, CR, NN], default=NE).astype(np.int64)


def rule_texts(reason: np.ndarray, non_target: np.ndarray, new_lesion: np.ndarray,
               overall: np.ndarray, *, criteria: str, pd_absolute: int,
               node_text: str, source: str) -> np.ndarray:
    """Human-readable rule per time point, formatted once per distinct combination."""
    labels = labels_for(criteria)
    nt_text = {0: msg("no non-target disease"), CR: msg("non-target CR"), NN: msg("non-target NON-CR/NON-PD"),
               PD: msg("non-target unequivocal progression"), NE: msg("non-target not all evaluated")}
    key = (reason * 1000 + non_target * 100 + new_lesion.astype(np.int64) * 10 + overall)
    uniq, inverse = np.unique(key, return_inverse=True)
    texts = []
    for k in uniq:
        r, rest = divmod(int(k), 1000)
        ntc, rest = divmod(rest, 100)
        nw, ov = divmod(rest, 10)
        abs_text = (msg(" and >= nadir + {mm} mm", mm=format(pd_absolute / HUNDREDTHS, "g")) if pd_absolute
                    else msg(" (no absolute minimum; above the nadir)"))
        t = Msg(TARGET_REASONS[r], {"abs": abs_text} if r == 1 else {"node": node_text} if r == 5 else {})
        texts.append(msg("{target}; {non_target}; {new} -> {overall} [{source}]", target=t,
                         non_target=nt_text[ntc], new=msg("new lesion") if nw else msg("no new lesion"),
                         overall=response_term(labels[ov]), source=source))
    return np.asarray(texts, dtype=object)[inverse]


def evaluate_time_points(tps: pd.DataFrame, *, criteria: str,
                         settings: ResponseSettings) -> pd.DataFrame:
    """Add target/non-target/overall codes to the time-point table (RECIST 1.1 / mRECIST).

    Adds: subject_code, baseline_sum, nadir, target_reason, target_code, nt_code,
    new_lesion, overall_code, reappearance_pd.
    """
    out = tps.copy()
    subj = pd.factorize(out["subject_id"])[0]
    out["subject_code"] = subj
    sums = out["target_sum"].to_numpy(dtype=np.int64)
    is_base = out["is_baseline"].to_numpy()
    complete = out["targets_missing"].to_numpy() == 0
    base = np.bincount(subj, weights=np.where(is_base, sums, 0)).astype(np.int64)[subj]
    nadir = nadir_before(subj, sums, complete)
    if criteria == "mrecist":
        mm = settings.mrecist_pd_absolute_mm
        pd_abs = 0 if mm is None else int(round(mm * HUNDREDTHS))
    else:
        pd_abs = FIVE_MM
    has_t = out["n_targets"].to_numpy() > 0
    reason = evaluate_target_response(sums, base, nadir, out["targets_missing"].to_numpy(),
                                      out["targets_cr"].to_numpy(), has_t, pd_absolute=pd_abs)
    nt = evaluate_non_target_response(out["n_non_targets"].to_numpy(), out["nt_upd"].to_numpy(),
                                      out["nt_not_evaluated"].to_numpy(),
                                      out["nt_all_absent"].to_numpy())
    new = out["new_count"].to_numpy() > 0
    target = _T_LOOKUP[reason]
    overall = evaluate_overall_response(target, nt, new)
    # reappearance after a true CR [S16 Q&A]: previous evaluated overall response was CR
    reappear_pd = np.zeros(len(out), dtype=bool)
    if settings.reappearance_after_cr_is_pd and len(out):
        prev = pd.Series(np.where((overall == NE) | is_base, np.nan, overall))
        prev = prev.groupby(subj, sort=False).ffill().groupby(subj, sort=False).shift(1)
        reappear_pd = ((prev.to_numpy() == CR) & out["targets_reappear"].to_numpy()
                       & (target != PD) & ~is_base)
        reason = np.where(reappear_pd, 3, reason)
        target = np.where(reappear_pd, PD, target)
        overall = np.where(reappear_pd, PD, overall)
    out["baseline_sum"] = base
    out["nadir"] = nadir
    out["pd_absolute"] = pd_abs
    out["target_reason"] = reason
    out["target_code"] = target
    out["nt_code"] = nt
    out["new_lesion"] = new
    out["overall_code"] = overall
    out["reappearance_pd"] = reappear_pd
    return out
