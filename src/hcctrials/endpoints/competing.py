"""Competing risks: cumulative incidence, Gray's test and Fine-Gray regression.

The HCC case is time to progression (TTP) with death without progression as the competing
event: a patient who dies before progressing can no longer progress, so 1 - KM of TTP
(censoring deaths) overstates the progression risk; the cumulative incidence does not.
Status codes throughout: 0 censored, 1 the cause of interest (progression), 2 the
competing cause (death without progression); any other integer codes work as in R
``cmprsk`` (``censor_code`` marks censoring, every other code is a cause).

Rules, each checked against R ``cmprsk`` 2.2-11 in ``tests/endpoints``:

* Cumulative incidence (Aalen-Johansen for competing risks, Kalbfleisch & Prentice 1980;
  variance of Gray 1988, section 2, as in ``cmprsk::cuminc``): with the overall
  Kaplan-Meier S(t-) just before each distinct time t, n at risk and d_1, d_2 events of the
  cause and of other causes, F(t) = F(t-) + S(t-) d_1 / n.  The variance accumulates three
  sums over event times (one for the cause, one for other causes, each with the tie factor
  1 - (d - 1)/(n - 1)); ``var`` is reported at the cause's event times and carried
  between them, exactly the step vectors ``cuminc`` returns (time 0, each event time
  twice, the group's last follow-up time).
* Gray's K-sample test (Gray RJ, Ann Stat 1988;16:1141-54): score s_k = sum over event
  times of W(t) (d_1k - d_1 R_k / sum R), R_k = n_k (1 - F_k(t-)) / S_k(t-), weight
  W = (1 - F(t-))^rho, with Gray's variance estimator; statistic s' V^-1 s ~ chi-square
  (K - 1); strata add scores and variances.
* Fine-Gray subdistribution hazard model (Fine JP, Gray RJ, JASA 1999;94:496-509): Cox
  partial likelihood in which subjects with a competing event stay at risk with weight
  G(t-)/G(t_i-), G the Kaplan-Meier of the censoring distribution; Newton-Raphson from 0
  with step halving and ``cmprsk::crr``'s convergence rule (gtol 1e-6, at most 10
  iterations); robust sandwich variance H^-1 (sum_i u_i u_i') H^-1 with u_i = eta_i + psi_i
  (Fine & Gray 1999, section 3: the score residual plus the term for estimating G).

Why hand-written: no maintained Python package reproduces ``cmprsk`` (lifelines'
``AalenJohansenFitter`` gives the estimate with a different variance and no Gray test or
Fine-Gray model; scikit-survival has none).  Every sum below is a cumulative sum over the
sorted data, O(n log n), not the O(n^2) to O(n^3) loops of the Fortran original.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2, norm

from hcctrials.errors import InputError

__all__ = [
    "PROGRESSION",
    "DEATH_WITHOUT_PROGRESSION",
    "CumulativeIncidence",
    "GrayTest",
    "CompetingRisks",
    "FineGrayTerm",
    "FineGrayFit",
    "code_ttp_competing_status",
    "compute_cumulative_incidence",
    "compute_gray_test",
    "compute_fine_gray",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Status code of the cause of interest in the HCC case (radiological progression).
PROGRESSION = 1
#: Status code of the competing event in the HCC case (death without progression).
DEATH_WITHOUT_PROGRESSION = 2


def code_ttp_competing_status(progressed: npt.ArrayLike, died: npt.ArrayLike) -> IntArray:
    """Status for TTP with death as competing risk: 1 progression, 2 death without
    progression, 0 censored (alive and progression-free at last assessment).

    A patient who progressed counts as progression whatever happened later.
    """
    p = np.asarray(progressed, dtype=bool)
    d = np.asarray(died, dtype=bool)
    if p.shape != d.shape:
        raise InputError("progressed and died must have the same length",
                         field="progressed/died", value=(p.shape, d.shape))
    return np.where(p, PROGRESSION, np.where(d, DEATH_WITHOUT_PROGRESSION, 0)).astype(np.int64)


# --------------------------------------------------------------------------- input checks

def _as_time(time: npt.ArrayLike) -> FloatArray:
    t = np.asarray(time, dtype=np.float64)
    if t.ndim != 1 or t.size == 0:
        raise InputError("time must be a non-empty one-dimensional array", field="time",
                         value=t.shape)
    bad = ~np.isfinite(t) | (t < 0)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InputError("times must be finite and not negative", record=f"row {i + 1}",
                         field="time", value=float(t[i]))
    return t


def _as_status(status: npt.ArrayLike, n: int) -> FloatArray:
    s = np.asarray(status, dtype=np.float64)
    if s.shape != (n,):
        raise InputError("status must have one value per time", field="status",
                         value=s.shape)
    bad = ~np.isfinite(s)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InputError("status must be a number (0 censored, 1, 2, ... causes)",
                         record=f"row {i + 1}", field="status", value=s[i])
    return s


def _labels(values: npt.ArrayLike | None, n: int, field: str) -> tuple[list[str], IntArray]:
    """Sorted distinct labels (R ``as.factor``) and each row's 0-based code."""
    if values is None:
        return ["1"], np.zeros(n, dtype=np.int64)
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise InputError(f"{field} must have one value per time", field=field, value=arr.shape)
    levels, codes = np.unique(arr, return_inverse=True)
    return [str(v) for v in levels.tolist()], codes.astype(np.int64)


def _tie_factor(d: FloatArray, n: FloatArray) -> FloatArray:
    """1 - (d - 1) / (n - 1) for d > 1, else 1 (Gray 1988's correction for tied events)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 1, 1.0 - (d - 1.0) / (n - 1.0), 1.0)


# ----------------------------------------------------------------- cumulative incidence

@dataclass(frozen=True)
class CumulativeIncidence:
    """One cumulative incidence curve F(t) of ``cause`` in ``group``.

    ``time``, ``estimate`` and ``variance`` are the corner points of the step function, as
    ``cmprsk::cuminc`` returns them: time 0, each event time of the cause twice (value
    before and after the jump), and the group's last follow-up time.
    """

    group: str
    cause: str
    time: FloatArray
    estimate: FloatArray
    variance: FloatArray
    n: int
    events: int

    @property
    def name(self) -> str:
        """The curve's name in ``cmprsk`` ("group cause")."""
        return f"{self.group} {self.cause}"

    @property
    def last_follow_up(self) -> float:
        return float(self.time[-1])

    def _index(self, t: float) -> int | None:
        # cmprsk's tpoi: past the last follow-up -> not estimable; otherwise the corner
        # after the last corner time <= t.
        x = self.time
        if t > x[-1]:
            return None
        if t == x[-1]:
            return x.size - 1
        k = int(np.searchsorted(x[:-1], t, side="right"))
        return None if k == 0 else k

    def at(self, times: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """F(t) and Var F(t) at each time (R ``timepoints``): NaN past the group's last
        follow-up time, where the incidence is not estimable."""
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        est = np.full(t.size, np.nan)
        var = np.full(t.size, np.nan)
        for j, tj in enumerate(t):
            i = self._index(float(tj))
            if i is not None:
                est[j] = self.estimate[i]
                var[j] = self.variance[i]
        return est, var

    def describe_at(self, time: float, *, conf_level: float = 0.95, digits: int = 1) -> str:
        """Text such as ``"23.4% (95% CI 18.0% to 28.8%)"``: a plain normal interval
        F +/- z sqrt(Var F) clipped to [0, 1], or "not estimable" past the last follow-up."""
        est, var = self.at([time])
        if not np.isfinite(est[0]):
            return f"not estimable (beyond the last follow-up at {self.last_follow_up:g})"
        z = float(norm.ppf(1 - (1 - conf_level) / 2))
        se = math.sqrt(max(float(var[0]), 0.0))
        lo, up = max(0.0, est[0] - z * se), min(1.0, est[0] + z * se)
        return (f"{100 * est[0]:.{digits}f}% ({conf_level * 100:g}% CI {100 * lo:.{digits}f}% "
                f"to {100 * up:.{digits}f}%)")


def _cuminc_curve(time: FloatArray, any_event: npt.NDArray[np.bool_],
                  cause_event: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Corner vectors (time, F, Var F) of one group's curve; ``time`` sorted ascending."""
    n = time.size
    starts = np.concatenate(([0], np.flatnonzero(time[1:] != time[:-1]) + 1))
    ut = time[starts]
    d1 = np.add.reduceat(cause_event.astype(np.float64), starts)
    d_all = np.add.reduceat(any_event.astype(np.float64), starts)
    d2 = d_all - d1
    at_risk = (n - starts).astype(np.float64)
    keep = d_all > 0
    ut, d1, d2, d_all, at_risk = ut[keep], d1[keep], d2[keep], d_all[keep], at_risk[keep]
    surv_after = np.cumprod((at_risk - d_all) / at_risk)      # fkn
    surv_before = np.concatenate(([1.0], surv_after[:-1]))    # fk
    jump = surv_before * d1 / at_risk
    f = np.cumsum(jump)                                       # F after each time
    # Gray's variance: increments from other causes (when S(t) > 0) and from the cause.
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_s = np.where(surv_after > 0, 1.0 / surv_after, 0.0)
        t6_2 = surv_before ** 2 * _tie_factor(d2, at_risk) * d2 / at_risk ** 2
        use2 = (d2 > 0) & (surv_after > 0)
        t4_2 = f * inv_s
        dv1 = np.where(use2, t4_2 * t4_2 * t6_2, 0.0)
        dv2 = np.where(use2, inv_s * t4_2 * t6_2, 0.0)
        dv3 = np.where(use2, inv_s * inv_s * t6_2, 0.0)
        t6_1 = surv_before ** 2 * _tie_factor(d1, at_risk) * d1 / at_risk ** 2
        use1 = d1 > 0
        t4_1 = 1.0 + inv_s * f
        dv1 = dv1 + np.where(use1, t4_1 * t4_1 * t6_1, 0.0)
        dv2 = dv2 + np.where(use1, inv_s * t4_1 * t6_1, 0.0)
        dv3 = dv3 + np.where(use1, inv_s * inv_s * t6_1, 0.0)
    # The Fortran adds the two contributions of one time one after the other; the sums
    # below add them per time first, which can differ in the last bit only.
    v1, v2, v3 = np.cumsum(dv1), np.cumsum(dv2), np.cumsum(dv3)
    var = v1 + f * f * v3 - 2.0 * f * v2
    jt = ut[use1]
    jf = f[use1]
    jv = var[use1]
    m = jt.size
    xs = np.empty(2 * m + 2)
    fs = np.empty(2 * m + 2)
    vs = np.empty(2 * m + 2)
    xs[0] = fs[0] = vs[0] = 0.0
    xs[1:2 * m + 1:2] = jt
    xs[2:2 * m + 2:2] = jt
    prev_f = np.concatenate(([0.0], jf[:-1]))
    prev_v = np.concatenate(([0.0], jv[:-1]))
    fs[1:2 * m + 1:2] = prev_f
    fs[2:2 * m + 2:2] = jf
    vs[1:2 * m + 1:2] = prev_v
    vs[2:2 * m + 2:2] = jv
    xs[-1] = time[-1]
    fs[-1] = fs[-2]
    vs[-1] = vs[-2]
    return xs, fs, vs


@dataclass(frozen=True)
class GrayTest:
    """Gray's test that the cumulative incidence of ``cause`` is equal across groups."""

    cause: str
    statistic: float
    p_value: float
    df: int
    stratified: bool

    def describe(self) -> str:
        strat = ", stratified" if self.stratified else ""
        return (f"Gray's test for cause {self.cause}{strat}: chi-square {self.statistic:.3f} "
                f"on {self.df} df, p = {self.p_value:.4g}")


@dataclass(frozen=True)
class CompetingRisks:
    """Cumulative incidence curves per group and cause, and Gray's test per cause."""

    groups: tuple[str, ...]
    causes: tuple[str, ...]
    curves: Mapping[tuple[str, str], CumulativeIncidence]
    tests: tuple[GrayTest, ...]

    def curve(self, group: str, cause: str | int) -> CumulativeIncidence:
        key = (str(group), _cause_label(cause))
        if key not in self.curves:
            raise InputError("no such cumulative incidence curve", field="group/cause",
                             value=key, hint=f"groups {list(self.groups)}, causes {list(self.causes)}")
        return self.curves[key]

    def timepoints(self, times: npt.ArrayLike) -> dict[str, tuple[FloatArray, FloatArray]]:
        """R ``timepoints(ci, times)``: {curve name: (estimates, variances)}."""
        return {c.name: c.at(times) for c in self.curves.values()}


def _cause_label(v: Any) -> str:
    f = float(v)
    return str(int(f)) if f == int(f) else repr(f)


def compute_cumulative_incidence(
    time: npt.ArrayLike,
    status: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
    *,
    strata: npt.ArrayLike | None = None,
    rho: float = 0.0,
    censor_code: float = 0,
) -> CompetingRisks:
    """Cumulative incidence of every cause in every group, with Gray's test when there is
    more than one group (R ``cmprsk::cuminc(time, status, group, strata, rho, cencode)``)."""
    t = _as_time(time)
    s = _as_status(status, t.size)
    glabels, gcode = _labels(group, t.size, "group")
    order = np.argsort(t, kind="stable")
    t, s, gcode = t[order], s[order], gcode[order]
    any_event = s != censor_code
    causes = sorted(set(s[any_event].tolist()))
    if not causes:
        raise InputError("no events of any cause: nothing to estimate", field="status",
                         hint=f"censored subjects carry status {censor_code}")
    curves: dict[tuple[str, str], CumulativeIncidence] = {}
    for c in causes:
        ev = s == c
        for gi, gl in enumerate(glabels):
            m = gcode == gi
            if not np.any(m):
                continue
            x, f, v = _cuminc_curve(t[m], any_event[m], ev[m])
            curves[(gl, _cause_label(c))] = CumulativeIncidence(
                gl, _cause_label(c), x, f, v, int(m.sum()), int(ev[m].sum()))
    tests: tuple[GrayTest, ...] = ()
    if len(glabels) > 1:
        tests = compute_gray_test(t, s, gcode, strata=None if strata is None else
                                  np.asarray(strata)[order], rho=rho, censor_code=censor_code)
    return CompetingRisks(tuple(glabels), tuple(_cause_label(c) for c in causes), curves, tests)


# ----------------------------------------------------------------------- Gray's test

def _gray_stratum(time: FloatArray, m: IntArray, g: IntArray, ng: int,
                  rho: float) -> tuple[FloatArray, FloatArray]:
    """Scores (first ng - 1 groups) and their covariance in one stratum (Gray 1988).

    ``m``: 0 censored, 1 cause of interest, 2 other cause; ``time`` sorted ascending.
    """
    n = time.size
    ng1 = ng - 1
    rs = np.bincount(g, minlength=ng).astype(np.float64)
    score = np.zeros(ng1)
    v = np.zeros((ng1, ng1))
    f1m = np.zeros(ng)
    f1 = np.zeros(ng)
    skmm = np.ones(ng)
    skm = np.ones(ng)
    v3 = np.zeros(ng)
    v2 = np.zeros((ng1, ng))
    c = np.zeros((ng, ng))
    fm = 0.0
    f = 0.0
    starts = np.concatenate(([0], np.flatnonzero(time[1:] != time[:-1]) + 1))
    ends = np.concatenate((starts[1:], [n]))
    counts = np.zeros((3, ng))
    for lo, hi in zip(starts.tolist(), ends.tolist()):
        counts[:] = 0.0
        np.add.at(counts, (m[lo:hi], g[lo:hi]), 1.0)
        d1, d2 = counts[1], counts[2]
        nd1, nd2 = float(d1.sum()), float(d2.sum())
        if nd1 > 0 or nd2 > 0:
            pos = rs > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                skm = np.where(pos, skmm * (rs - d1 - d2) / rs, skm)
                f1 = np.where(pos, f1m + skmm * d1 / rs, f1)
                ratio = np.where(pos, rs / skmm, 0.0)            # n_k / S_k(t-)
                tr = float(ratio.sum())
                tq = float(np.where(pos, rs * (1 - f1m) / skmm, 0.0).sum())
            f = fm + nd1 / tr
            fb = (1.0 - fm) ** rho
            a = -fb * np.outer(ratio, ratio) / tr
            np.fill_diagonal(a, fb * ratio * (1 - ratio / tr))
            a[~pos, :] = 0.0
            a[:, ~pos] = 0.0
            c += a * nd1 / (tr * (1 - fm))
            with np.errstate(divide="ignore", invalid="ignore"):
                sc = fb * (d1 - nd1 * rs * (1 - f1m) / (skmm * tq))
            score += np.where(pos, sc, 0.0)[:ng1]
            if nd1 > 0:
                for k in np.flatnonzero(pos).tolist():
                    t4 = 1 - (1 - f) / skm[k] if skm[k] > 0 else 1.0
                    t5 = 1 - (nd1 - 1) / (tr * skmm[k] - 1) if nd1 > 1 else 1.0
                    t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
                    v3[k] += t4 * t4 * t3
                    t1 = a[:ng1, k] - t4 * c[:ng1, k]
                    v2[:, k] += t1 * t4 * t3
                    v += np.outer(t1, t1) * t3
            if nd2 > 0:
                for k in np.flatnonzero((skm > 0) & (d2 > 0)).tolist():
                    t4 = (1 - f) / skm[k]
                    t5 = 1 - (d2[k] - 1) / (rs[k] - 1) if d2[k] > 1 else 1.0
                    t3 = t5 * skmm[k] ** 2 * d2[k] / rs[k] ** 2
                    v3[k] += t4 * t4 * t3
                    t1 = t4 * c[:ng1, k]
                    v2[:, k] -= t1 * t4 * t3
                    v += np.outer(t1, t1) * t3
        if hi >= n:
            break
        rs -= np.bincount(g[lo:hi], minlength=ng)
        fm = f
        f1m = f1.copy()
        skmm = skm.copy()
    cc = c[:ng1, :]
    v += (cc * v3) @ cc.T + cc @ v2.T + v2 @ cc.T
    return score, v


def compute_gray_test(
    time: npt.ArrayLike,
    status: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    strata: npt.ArrayLike | None = None,
    rho: float = 0.0,
    censor_code: float = 0,
) -> tuple[GrayTest, ...]:
    """Gray's test for each cause (R ``cuminc(...)$Tests``: stat, pv, df).

    A singular score covariance gives a NaN statistic (R reports -1 there).
    """
    t = _as_time(time)
    s = _as_status(status, t.size)
    glabels, gcode = _labels(group, t.size, "group")
    slabels, scode = _labels(strata, t.size, "strata")
    ng = len(glabels)
    if ng < 2:
        raise InputError("Gray's test needs at least two groups", field="group", value=glabels)
    order = np.argsort(t, kind="stable")
    t, s, gcode, scode = t[order], s[order], gcode[order], scode[order]
    any_event = s != censor_code
    causes = sorted(set(s[any_event].tolist()))
    out = []
    for c in causes:
        m = np.where(any_event, np.where(s == c, 1, 2), 0).astype(np.int64)
        score = np.zeros(ng - 1)
        v = np.zeros((ng - 1, ng - 1))
        for k in range(len(slabels)):
            sel = scode == k
            sc, vv = _gray_stratum(t[sel], m[sel], gcode[sel], ng, rho)
            score += sc
            v += vv
        if np.linalg.matrix_rank(v) < ng - 1:
            stat = float("nan")
        else:
            stat = float(score @ np.linalg.solve(v, score))
        pv = float(chi2.sf(stat, ng - 1)) if np.isfinite(stat) else float("nan")
        out.append(GrayTest(_cause_label(c), stat, pv, ng - 1, strata is not None))
    return tuple(out)


# ------------------------------------------------------------------------- Fine-Gray

@dataclass(frozen=True)
class FineGrayTerm:
    """One covariate of a Fine-Gray model: subdistribution hazard ratio exp(coef)."""

    name: str
    coef: float
    se: float
    z: float
    p_value: float
    hazard_ratio: float
    lower: float
    upper: float

    def describe(self) -> str:
        return (f"{self.name}: subdistribution HR {self.hazard_ratio:.3f} "
                f"({self.lower:.3f} to {self.upper:.3f}), p = {self.p_value:.4g}")


@dataclass(frozen=True)
class FineGrayFit:
    """A fitted Fine-Gray model (R ``crr``): coefficients, robust variance, likelihoods."""

    terms: tuple[FineGrayTerm, ...]
    coef: FloatArray
    variance: FloatArray
    loglik: float
    loglik_null: float
    converged: bool
    iterations: int
    n: int
    failcode: str
    conf_level: float

    def term(self, name: str) -> FineGrayTerm:
        for t in self.terms:
            if t.name == name:
                return t
        raise InputError("no such covariate in the model", field="covariate", value=name,
                         hint=f"covariates: {[t.name for t in self.terms]}")


class _FineGrayData:
    """Sorted data, censoring weights and the risk-set sums of the Fine-Gray likelihood."""

    def __init__(self, t: FloatArray, e: IntArray, x: FloatArray) -> None:
        self.t, self.e, self.x = t, e, x
        n = t.size
        # Censoring Kaplan-Meier G evaluated just before each time, as crr does with
        # approx(..., xout = ftime * (1 - 100 eps), method = "constant", f = 0).
        cens = e == 0
        starts = np.concatenate(([0], np.flatnonzero(t[1:] != t[:-1]) + 1))
        ut = t[starts]
        c = np.add.reduceat(cens.astype(np.float64), starts)
        risk = (n - starts).astype(np.float64)
        g_curve = np.cumprod(1.0 - c / risk)
        xout = t * (1 - 100 * np.finfo(float).eps)
        idx = np.searchsorted(ut, xout, side="right") - 1
        self.g = np.where(idx >= 0, g_curve[np.maximum(idx, 0)], 1.0)
        # First and last row of each subject's tie block.
        block = np.searchsorted(starts, np.arange(n), side="right") - 1
        self.first = starts[block]
        ends = np.concatenate((starts[1:], [n]))
        self.last = ends[block] - 1
        self.fail = e == 1
        self.comp = e == 2
        self.fail_first = np.unique(self.first[self.fail])        # one row per distinct time
        self.d = np.bincount(self.first[self.fail], minlength=n)[self.fail_first].astype(np.float64)

    def sums(self, b: FloatArray, order: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """S0, S1, S2 at each row's time (weights G(t-)/G(t_j-) for earlier competing
        events); S2 only when ``order`` is 2."""
        x, g = self.x, self.g
        p = x.shape[1]
        r = np.exp(x @ b)
        rc = np.where(self.comp, r / g, 0.0)

        def suffix(a: FloatArray) -> FloatArray:
            cs = np.cumsum(a[::-1], axis=0)[::-1]
            return np.concatenate((cs, np.zeros((1,) + a.shape[1:])), axis=0)

        def prefix(a: FloatArray) -> FloatArray:
            return np.concatenate((np.zeros((1,) + a.shape[1:]), np.cumsum(a, axis=0)), axis=0)

        f = self.first
        s0 = suffix(r)[f] + g * prefix(rc)[f]
        s1 = suffix(r[:, None] * x)[f] + g[:, None] * prefix(rc[:, None] * x)[f]
        if order < 2:
            return s0, s1, np.zeros((0, p, p))
        xx = x[:, :, None] * x[:, None, :]
        s2 = suffix(r[:, None, None] * xx)[f] + g[:, None, None] * prefix(rc[:, None, None] * xx)[f]
        return s0, s1, s2

    def neg_loglik(self, b: FloatArray) -> float:
        s0, _, _ = self.sums(b, 0)
        eta = self.x @ b
        return float(-eta[self.fail].sum() + (self.d * np.log(s0[self.fail_first])).sum())

    def objective(self, b: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """Negative log partial likelihood, its gradient and Hessian (crr's crrfsv)."""
        s0, s1, s2 = self.sums(b, 2)
        k = self.fail_first
        eta = self.x @ b
        lik = float(-eta[self.fail].sum() + (self.d * np.log(s0[k])).sum())
        xbar = s1[k] / s0[k][:, None]
        grad = -self.x[self.fail].sum(axis=0) + (self.d[:, None] * xbar).sum(axis=0)
        hess = ((self.d / s0[k])[:, None, None] * s2[k]).sum(axis=0) - \
            (self.d[:, None, None] * xbar[:, :, None] * xbar[:, None, :]).sum(axis=0)
        return lik, grad, hess

    def score_residuals(self, b: FloatArray) -> FloatArray:
        """u_i = eta_i + psi_i of Fine & Gray (1999), the rows of crr's crrvv."""
        x, g = self.x, self.g
        n, p = x.shape
        s0, s1, _ = self.sums(b, 1)
        r = np.exp(x @ b)
        fail = self.fail
        xbar = s1 / s0[:, None]
        inv = np.where(fail, 1.0 / s0, 0.0)
        a0 = np.cumsum(inv)                                   # sum over failures j <= row
        a1 = np.cumsum(inv[:, None] * xbar, axis=0)
        ga0 = np.cumsum(g * inv)
        ga1 = np.cumsum((g * inv)[:, None] * xbar, axis=0)
        last = self.last
        le0, le1 = a0[last], a1[last]                          # t_j <= t_i
        gt0 = ga0[-1] - ga0[last]                              # t_j > t_i, times G_j
        gt1 = ga1[-1] - ga1[last]
        eta = -r[:, None] * (x * le0[:, None] - le1)
        comp_part = -(r / g)[:, None] * (x * gt0[:, None] - gt1)
        eta = eta + np.where(self.comp[:, None], comp_part, 0.0)
        eta = eta + np.where(fail[:, None], x - xbar, 0.0)
        # psi: the part from estimating G, at each censoring time u
        # q(u) = sum_{fail j, t_j >= u} G_j / S0_j (P1(u) - xbar_j P0(u)),
        # P(u) = sum_{competing k, t_k < u} exp(x_k b) x_k / G_k.
        rc = np.where(self.comp, r / g, 0.0)
        p0 = np.concatenate(([0.0], np.cumsum(rc)))[self.first]
        p1 = np.concatenate((np.zeros((1, p)), np.cumsum(rc[:, None] * x, axis=0)))[self.first]
        before0 = np.concatenate(([0.0], ga0))[self.first]     # failures with t_j < u
        before1 = np.concatenate((np.zeros((1, p)), ga1))[self.first]
        w0 = ga0[-1] - before0                                 # failures with t_j >= u
        w1 = ga1[-1] - before1
        q = p1 * w0[:, None] - p0[:, None] * w1
        at_risk = (n - self.first).astype(np.float64)
        cens = self.e == 0
        # cumulative sum over censoring times u <= t_i of -q(u) c_u / R(u)^2
        per_row = np.where(cens[:, None], -q / (at_risk ** 2)[:, None], 0.0)
        cum = np.cumsum(per_row, axis=0)[last]
        psi = cum + np.where(cens[:, None], q / at_risk[:, None], 0.0)
        return np.asarray(eta + psi, dtype=np.float64)


def compute_fine_gray(
    time: npt.ArrayLike,
    status: npt.ArrayLike,
    covariates: Mapping[str, npt.ArrayLike] | npt.ArrayLike,
    *,
    failcode: float = 1,
    censor_code: float = 0,
    conf_level: float = 0.95,
    max_iter: int = 10,
    gtol: float = 1e-6,
    names: Sequence[str] | None = None,
) -> FineGrayFit:
    """Fine-Gray subdistribution hazard regression (R ``cmprsk::crr(time, status, cov1,
    failcode, cencode)``), e.g. the arm indicator (1 = experimental) and baseline
    covariates.  One censoring group (crr's default ``cengroup``)."""
    t = _as_time(time)
    s = _as_status(status, t.size)
    if isinstance(covariates, Mapping):
        cov_names = [str(k) for k in covariates]
        cols = [np.asarray(v, dtype=np.float64) for v in covariates.values()]
        if not cols:
            raise InputError("give at least one covariate", field="covariates")
        x = np.column_stack(cols)
    else:
        x = np.asarray(covariates, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        cov_names = list(names) if names is not None else [f"x{i + 1}" for i in range(x.shape[1])]
    if x.shape[0] != t.size:
        raise InputError("covariates must have one row per subject", field="covariates",
                         value=x.shape)
    if len(cov_names) != x.shape[1]:
        raise InputError("one name per covariate column", field="names", value=cov_names)
    bad = ~np.isfinite(x)
    if np.any(bad):
        i, j = (int(v[0]) for v in np.nonzero(bad))
        raise InputError("covariates must be finite numbers", record=f"row {i + 1}",
                         field=cov_names[j], value=x[i, j])
    if not 0 < conf_level < 1:
        raise InputError("conf_level must be between 0 and 1", field="conf_level",
                         value=conf_level)
    order = np.argsort(t, kind="stable")
    t, s, x = t[order], s[order], x[order]
    e = np.where(s == censor_code, 0, np.where(s == failcode, 1, 2)).astype(np.int64)
    if not np.any(e == 1):
        raise InputError("no events of the cause of interest", field="status",
                         value=failcode)
    data = _FineGrayData(t, e, x)
    p = x.shape[1]
    b = np.zeros(p)
    converged = False
    iterations = 0
    for ll in range(max_iter + 1):
        lik, grad, hess = data.objective(b)
        iterations = ll
        if np.max(np.abs(grad) * np.maximum(np.abs(b), 1.0)) < max(abs(lik), 1.0) * gtol:
            converged = True
            break
        if ll == max_iter:
            break
        step = -np.linalg.solve(hess, grad)
        bn = b + step
        fbn = data.neg_loglik(bn)
        halvings = 0
        while not np.isfinite(fbn) or fbn > lik + 1e-4 * float(step @ grad):
            halvings += 1
            step = step * 0.5
            bn = b + step
            fbn = data.neg_loglik(bn)
            if halvings > 20:
                break
        if halvings > 20:
            break
        b = bn
    lik, _, hess = data.objective(b)
    u = data.score_residuals(b)
    hinv = np.linalg.inv(hess)
    var = hinv @ (u.T @ u) @ hinv.T
    se = np.sqrt(np.diag(var))
    z = b / se
    pv = 2 * norm.sf(np.abs(z))
    q = float(norm.ppf(1 - (1 - conf_level) / 2))
    terms = tuple(
        FineGrayTerm(cov_names[i], float(b[i]), float(se[i]), float(z[i]), float(pv[i]),
                     float(np.exp(b[i])), float(np.exp(b[i] - q * se[i])),
                     float(np.exp(b[i] + q * se[i])))
        for i in range(p))
    return FineGrayFit(terms, b, var, -lik, -data.neg_loglik(np.zeros(p)), converged,
                       iterations, int(t.size), _cause_label(failcode), conf_level)
