"""The log-rank test between arms, unstratified or stratified, as R ``survdiff``.

Rule (Mantel 1966; Peto & Peto 1972; R survival 3.5-3 ``survdiff`` with ``rho = 0``): at
each distinct event time t of a stratum, with n_k(t) subjects of arm k at risk, d_k(t)
events, n and d the totals,

* expected E_k = sum over t of d n_k / n,
* covariance V_jk = sum over t of d (n - d) / (n - 1) * (n_j / n) (1[j = k] - n_k / n)
  (zero when n = 1),

summed over the strata for a stratified test (strata only change who is compared with
whom).  The statistic is (O - E)' V^-1 (O - E) over the arms with E > 0 but the first,
chi-square with (number of such arms - 1) degrees of freedom, as ``survdiff`` computes it.

Why hand-written: ``lifelines.statistics.logrank_test`` has no strata and returns no
expected counts per arm or variance; ``lifelines.statistics.multivariate_logrank_test``
neither.  This version needs no sort for day-valued times (a counting pass) and one sort
otherwise; see ``benchmarks/comparative_bench.py`` for the comparison with lifelines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2

from hcctrials.endpoints.comparative._data import FloatArray, IntArray, Prepared, prepare
from hcctrials.errors import InputError

__all__ = ["LogRankTest", "compute_log_rank", "tie_cells"]


@dataclass(frozen=True)
class LogRankTest:
    """Observed and expected events per arm, their covariance and the chi-square test."""

    arms: tuple[str, ...]
    n: IntArray
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    chisq: float
    df: int
    p_value: float
    strata: tuple[str, ...] | None
    n_dropped: int = 0

    def describe(self) -> str:
        """Text such as ``"log-rank chi-square 10.80 on 1 df, p = 0.001 (stratified, 4 strata)"``.
        """
        strat = f" (stratified, {len(self.strata)} strata)" if self.strata else ""
        return (f"log-rank chi-square {self.chisq:.2f} on {self.df} df, "
                f"p = {self.p_value:.2g}{strat}")


def tie_cells(time: FloatArray, stratum: IntArray) -> tuple[IntArray, IntArray, FloatArray, int]:
    """Group rows by (stratum, time), cells in ascending (stratum, time) order.

    Returns each row's cell index, each cell's stratum, each cell's time and the number
    of cells.  Day-valued times in a compact range need no sort (a counting pass).
    """
    n = time.size
    tmin = float(time.min())
    span = float(time.max()) - tmin
    if span <= 4 * n + 1024 and np.all(time == np.floor(time)):
        rank = (time - tmin).astype(np.int64)
        n_times = int(span) + 1
        utime = np.arange(n_times, dtype=np.float64) + tmin
    else:
        utime, inv = np.unique(time, return_inverse=True)
        rank = np.asarray(inv, dtype=np.int64).reshape(-1)
        n_times = int(utime.size)
    n_strata = int(stratum.max()) + 1 if stratum.size else 1
    key = stratum * n_times + rank
    if n_strata * n_times <= 4 * n + 1024:
        present = np.bincount(key, minlength=n_strata * n_times) > 0
        cells = np.flatnonzero(present)
        lookup = np.cumsum(present) - 1
        cell_of_row = lookup[key]
    else:
        cells, inv = np.unique(key, return_inverse=True)
        cell_of_row = np.asarray(inv, dtype=np.int64).reshape(-1)
    return (cell_of_row.astype(np.int64), (cells // n_times).astype(np.int64),
            utime[cells % n_times], int(cells.size))


def _log_rank(p: Prepared) -> LogRankTest:
    k = len(p.arm_labels)
    cell, cell_stratum, _, n_cells = tie_cells(p.time, p.stratum)
    idx = cell * k + p.arm
    total = np.bincount(idx, minlength=n_cells * k).reshape(n_cells, k)
    events = np.bincount(idx[p.event], minlength=n_cells * k).reshape(n_cells, k)
    # At risk in arm k at a cell = everyone of arm k in the same stratum at that time or
    # later: a reverse cumulative sum, restarted at each stratum (integers: exact).
    rev = np.cumsum(total[::-1], axis=0)[::-1]
    last_cell = np.flatnonzero(np.r_[cell_stratum[1:] != cell_stratum[:-1], True])
    after_stratum = np.zeros((last_cell.size, k), dtype=np.int64)
    after_stratum[:-1] = rev[last_cell[:-1] + 1]
    stratum_index = np.searchsorted(last_cell, np.arange(n_cells))
    at_risk = (rev - after_stratum[stratum_index]).astype(np.float64)
    d_k = events.astype(np.float64)
    has_event = d_k.sum(axis=1) > 0
    nr, dk = at_risk[has_event], d_k[has_event]
    n_t = nr.sum(axis=1)
    d_t = dk.sum(axis=1)
    share = nr / n_t[:, None]
    expected = (d_t[:, None] * share).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n_t > 1, d_t * (n_t - d_t) / (n_t - 1.0), 0.0)
    variance = np.diag((w[:, None] * share).sum(axis=0)) - (w[:, None] * share).T @ share
    observed = d_k.sum(axis=0)
    use = np.flatnonzero(expected > 0)
    rest = use[1:]
    sub = variance[np.ix_(rest, rest)]
    # R's survdiff stops with "system is exactly singular" here (and prints a meaningless
    # p = 0 when fewer than two arms have expected events): say why instead.
    if rest.size == 0 or abs(np.linalg.det(sub)) <= 1e-12 * max(1.0, float(np.abs(sub).max())):
        raise InputError("the log-rank test is not defined for these data: no event happened "
                         "while subjects of more than one arm were at risk together",
                         field="time/event/arm", value=[int(v) for v in observed],
                         hint="check the arm labels and follow-up times")
    diff = (observed - expected)[rest]
    chisq = float(diff @ np.linalg.solve(sub, diff))
    df = int(rest.size)
    p_value = float(chi2.sf(chisq, df))
    n_arm = np.bincount(p.arm, minlength=k).astype(np.int64)
    return LogRankTest(arms=p.arm_labels, n=n_arm, observed=observed, expected=expected,
                       variance=variance, chisq=chisq, df=df, p_value=p_value,
                       strata=p.strata_labels, n_dropped=p.n_dropped)


def compute_log_rank(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    *,
    strata: npt.ArrayLike | None = None,
    drop_missing: bool = False,
    timefix: bool = True,
) -> LogRankTest:
    """Log-rank test of equal survival between arms, equal to R
    ``survdiff(Surv(time, event) ~ arm [+ strata(strata)])``.

    ``time``: follow-up times; ``event``: 1 event, 0 censored; ``arm``: one label per
    subject (two or more arms, levels sorted as R sorts factor levels); ``strata``: an
    optional stratification factor (e.g. the randomisation strata).  Observed and expected
    counts are totals over strata, as ``print.survdiff`` shows them.
    ``timefix`` (default True, as R) merges times that differ by rounding error only
    (R ``aeqSurv``); ``drop_missing`` leaves out subjects with a missing value (R's
    ``na.omit``) instead of stopping with an error naming the row.
    """
    p = prepare(time, event, arm, strata=strata, drop_missing=drop_missing,
                timefix=timefix, max_arms=None)
    return _log_rank(p)
