"""Cox proportional hazards for the arm effect, and the test of proportional hazards.

Rules (Cox 1972; Efron 1977; Breslow 1974; R survival 3.5-3 ``coxph`` and ``cox.zph``):

* Partial likelihood with tied event times handled by Efron's approximation (default, as
  R) or Breslow's: at an event time with d tied events, Efron's l-th term (l = 0..d-1)
  removes the fraction l/d of the tied subjects' risk from the risk-set sums, Breslow's
  removes none.  Risk sets restart in each stratum (``+ strata(s)``).
* Newton-Raphson from beta = 0 exactly as R's ``coxfit6``: a step is taken while the log
  partial likelihood rises, halved (averaged towards the last good beta) when it falls,
  and the iteration stops when |1 - l_old / l_new| <= 1e-9 (``coxph.control``: eps 1e-9,
  iter.max 20); the variance is the inverse information at the final beta.
* Tests as ``summary.coxph`` prints them: Wald beta' V^-1 beta, score (log-rank)
  u(0)' I(0)^-1 u(0), likelihood ratio 2 (l(beta) - l(0)); each chi-square on p df.
  Per term z = beta / se, two-sided normal p; CI exp(beta -/+ z_{1-alpha/2} se).
* ``cox.zph`` (Grambsch & Therneau 1994; survival >= 3.0): a score test, at (beta-hat, 0),
  of the extended model with covariates X and X * g(t), g the transformed time centred at
  its mean over events; g(t) = 1 - KM(t-) (transform "km", KM of all subjects) by
  default.  One chi-square per term (1 df here) and a global one.

Why hand-written rather than lifelines' ``CoxPHFitter``: lifelines has no Breslow ties, no
score test at beta = 0, stops Newton-Raphson on its own criterion (so its coefficients
differ from R's in the 7th-9th digit), has no cox.zph-style score test (its
``check_assumptions`` uses a different statistic), and builds pandas frames per
iteration, which is slow on a million subjects.  The sums below are cumulative sums over
the data sorted once by (stratum, descending time): O(n p^2) per iteration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import chi2, norm, rankdata

from hcctrials.endpoints.comparative._data import (
    BoolArray, FloatArray, IntArray, Prepared, prepare, reference_code,
)
from hcctrials.endpoints.survival import compute_kaplan_meier
from hcctrials.errors import InputError

__all__ = [
    "Ties", "ChiSquareTest", "CoxTerm", "CoxModel", "ProportionalHazardsTest",
    "compute_cox", "compute_cox_zph",
]

Ties = Literal["efron", "breslow"]
ZphTransform = Literal["km", "identity", "rank", "log"]


@dataclass(frozen=True)
class ChiSquareTest:
    """A chi-square test: statistic, degrees of freedom and p-value."""

    name: str
    chisq: float
    df: int
    p_value: float


def _chisq_test(name: str, stat: float, df: int) -> ChiSquareTest:
    return ChiSquareTest(name, float(stat), int(df), float(chi2.sf(stat, df)))


@dataclass(frozen=True)
class CoxTerm:
    """One coefficient: log hazard ratio, its SE, the hazard ratio with CI, Wald z and p."""

    name: str
    coef: float
    std_err: float
    hazard_ratio: float
    lower: float
    upper: float
    z: float
    p_value: float

    def describe(self, conf_level: float = 0.95) -> str:
        return (f"{self.name}: HR {self.hazard_ratio:.2f} ({conf_level * 100:g}% CI "
                f"{self.lower:.2f} to {self.upper:.2f}), p = {self.p_value:.2g}")


@dataclass(frozen=True)
class _Design:
    """Data sorted once by (stratum, descending time), with the tie structure."""

    x: FloatArray               # n x p, centred, sorted
    xx: FloatArray              # n x p(p+1)/2 products x_i x_j (i <= j)
    pairs: tuple[tuple[int, int], ...]
    time: FloatArray            # sorted
    event: BoolArray            # sorted
    slices: tuple[tuple[int, int], ...]   # stratum row ranges in sorted order
    ev_rows: IntArray           # sorted-order indices of events
    ev_group_end: IntArray      # last sorted row of each event's tie group
    ev_group: IntArray          # 0-based id of each event's tie group (among event groups)
    n_groups: int
    frac_efron: FloatArray      # l / d for each event (l-th of d tied events)


@dataclass(frozen=True)
class CoxModel:
    """A fitted Cox model; the first term is the arm (experimental vs reference)."""

    reference_arm: str
    experimental_arm: str
    terms: tuple[CoxTerm, ...]
    ties: str
    conf_level: float
    n: int
    events: int
    loglik_null: float
    loglik: float
    wald: ChiSquareTest
    score: ChiSquareTest
    likelihood_ratio: ChiSquareTest
    variance: FloatArray
    iterations: int
    converged: bool
    strata: tuple[str, ...] | None
    n_dropped: int
    #: Terms whose coefficient may be infinite (R's "Loglik converged before variable"
    #: warning), e.g. when one arm has no events: their HR and CI are meaningless.
    possibly_infinite: tuple[str, ...]
    _design: _Design = field(repr=False, compare=False)
    _beta: FloatArray = field(repr=False, compare=False)

    @property
    def arm(self) -> CoxTerm:
        """The treatment effect: hazard ratio of the experimental against the reference arm."""
        return self.terms[0]

    def describe(self) -> str:
        """Text such as ``"HR 0.59 (95% CI 0.42 to 0.82), Wald p = 0.0015; ..."``."""
        a = self.arm
        if a.name in self.possibly_infinite:
            return (f"HR {self.experimental_arm} vs {self.reference_arm} not estimable: the "
                    f"likelihood keeps rising (coefficient may be infinite, e.g. no events "
                    f"in one arm)")
        strat = f", stratified by {len(self.strata)} strata" if self.strata else ""
        return (f"HR {self.experimental_arm} vs {self.reference_arm} {a.hazard_ratio:.2f} "
                f"({self.conf_level * 100:g}% CI {a.lower:.2f} to {a.upper:.2f}), "
                f"Wald p = {a.p_value:.2g}; score (log-rank) p = {self.score.p_value:.2g}; "
                f"{self.ties} ties{strat}")


@dataclass(frozen=True)
class ProportionalHazardsTest:
    """R ``cox.zph``: one chi-square per term and the global test."""

    transform: str
    terms: tuple[ChiSquareTest, ...]
    global_test: ChiSquareTest


def _design(p: Prepared, x: FloatArray) -> _Design:
    order = np.lexsort((-p.time, p.stratum))
    ts, es, ss = p.time[order], p.event[order], p.stratum[order]
    xs = x[order] - x.mean(axis=0)
    n, q = xs.shape
    pairs = tuple((i, j) for i in range(q) for j in range(i, q))
    xx = (np.column_stack([xs[:, i] * xs[:, j] for i, j in pairs]) if pairs
          else np.zeros((n, 0)))
    new_stratum = np.r_[True, ss[1:] != ss[:-1]]
    starts = np.flatnonzero(new_stratum)
    slices = tuple(zip(starts.tolist(), np.r_[starts[1:], n].tolist()))
    new_group = new_stratum | np.r_[True, ts[1:] != ts[:-1]]
    group_id = np.cumsum(new_group) - 1
    group_last = np.r_[np.flatnonzero(new_group)[1:] - 1, n - 1]
    ev_rows = np.flatnonzero(es)
    g_of_ev = group_id[ev_rows]
    # Event groups renumbered 0..G-1; position of each event within its group.
    new_ev_group = np.r_[True, g_of_ev[1:] != g_of_ev[:-1]] if ev_rows.size else \
        np.zeros(0, dtype=np.bool_)
    ev_group = np.cumsum(new_ev_group) - 1
    first = np.flatnonzero(new_ev_group)
    d = np.diff(np.r_[first, ev_rows.size])
    pos = np.arange(ev_rows.size) - first[ev_group]
    frac = pos / d[ev_group].astype(np.float64)
    return _Design(x=xs, xx=xx, pairs=pairs, time=ts, event=es, slices=slices,
                   ev_rows=ev_rows, ev_group_end=group_last[g_of_ev],
                   ev_group=ev_group.astype(np.int64), n_groups=int(first.size),
                   frac_efron=frac)


def _terms(dz: _Design, beta: FloatArray, efron: bool
           ) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Log partial likelihood, score, information, and each event term's
    (mean, variance) expanded as an array (n_events x p x p) for ``cox.zph``."""
    q = dz.x.shape[1]
    eta = dz.x @ beta
    r = np.exp(eta)
    w = np.column_stack((r, dz.x * r[:, None], dz.xx * r[:, None]))
    cum = np.empty_like(w)
    for a, b in dz.slices:
        np.cumsum(w[a:b], axis=0, out=cum[a:b])
    risk = cum[dz.ev_group_end]                           # risk-set sums at each event
    if efron:
        wd = w[dz.ev_rows]
        dead = np.empty((dz.n_groups, w.shape[1]))
        for c in range(w.shape[1]):
            dead[:, c] = np.bincount(dz.ev_group, weights=wd[:, c], minlength=dz.n_groups)
        risk = risk - dz.frac_efron[:, None] * dead[dz.ev_group]
    a0 = risk[:, 0]
    mean = risk[:, 1:1 + q] / a0[:, None]
    second = risk[:, 1 + q:] / a0[:, None]
    var = np.empty((a0.size, q, q))
    for k, (i, j) in enumerate(dz.pairs):
        v = second[:, k] - mean[:, i] * mean[:, j]
        var[:, i, j] = v
        var[:, j, i] = v
    loglik = float(eta[dz.ev_rows].sum() - np.log(a0).sum())
    score = dz.x[dz.ev_rows].sum(axis=0) - mean.sum(axis=0)
    info = var.sum(axis=0)
    return loglik, score, info, np.concatenate((mean[:, :, None], var), axis=2)


def _solve(info: FloatArray, rhs: FloatArray) -> FloatArray:
    try:
        return np.asarray(np.linalg.solve(info, rhs), dtype=np.float64)
    except np.linalg.LinAlgError:
        raise InputError("the Cox model cannot be fitted: a covariate is constant or "
                         "collinear with the others", field="covariates",
                         hint="remove the constant or duplicated covariate") from None


def compute_cox(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    *,
    covariates: Mapping[str, npt.ArrayLike] | None = None,
    strata: npt.ArrayLike | None = None,
    ties: Ties | str = "efron",
    reference: object | None = None,
    conf_level: float = 0.95,
    max_iter: int = 20,
    eps: float = 1e-9,
    drop_missing: bool = False,
    timefix: bool = True,
) -> CoxModel:
    """Cox proportional hazards model of the arm (plus optional numeric covariates),
    equal to R ``coxph(Surv(time, event) ~ arm + covariates [+ strata(s)], ties = ties)``.

    ``arm`` has exactly two values; the hazard ratio is experimental over ``reference``
    (default: the first level in R's order, e.g. ``Maintained`` for aml's ``x``, 1 for a
    1/2 code).  ``covariates`` maps names to numbers per subject (dummy-code factors
    yourself).  ``ties``: "efron" (R's and lifelines' default) or "breslow".
    ``timefix`` (default True, as R) merges times that differ by rounding error only
    (R ``aeqSurv``); ``drop_missing`` leaves out subjects with a missing value (R's
    ``na.omit``) instead of stopping with an error naming the row.
    """
    if ties not in ("efron", "breslow"):
        raise InputError("ties must be 'efron' or 'breslow'", field="ties", value=ties)
    if not 0 < conf_level < 1:
        raise InputError("conf_level must be between 0 and 1", field="conf_level",
                         value=conf_level)
    p = prepare(time, event, arm, strata=strata, covariates=covariates,
                drop_missing=drop_missing,
                timefix=timefix)
    ref = reference_code(p.arm_labels, reference)
    exp_arm = 1 - ref
    x = np.column_stack(((p.arm == exp_arm).astype(np.float64), p.covariates))
    names = (f"{p.arm_labels[exp_arm]} vs {p.arm_labels[ref]}",) + p.covariate_names
    dz = _design(p, x)
    if dz.ev_rows.size == 0:
        raise InputError("no events: a hazard ratio needs at least one event", field="event")
    efron = ties == "efron"
    q = x.shape[1]

    beta = np.zeros(q)
    loglik0, u, info, _ = _terms(dz, beta, efron)
    step = _solve(info, u)
    score_stat = float(u @ step)
    best = loglik0
    new_beta = beta + step
    halving = 0
    converged = False
    iterations = max_iter
    loglik = loglik0
    for it in range(1, max_iter + 1):
        new_lk, u, info, _ = _terms(dz, new_beta, efron)
        finite = np.isfinite(new_lk) and np.all(np.isfinite(u)) and np.all(np.isfinite(info))
        if finite and abs(1.0 - best / new_lk) <= eps:
            beta, loglik, converged, iterations = new_beta, new_lk, True, it
            break
        if not finite or new_lk < best:
            halving += 1
            new_beta = (new_beta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = new_lk
            step = _solve(info, u)
            beta = new_beta
            new_beta = new_beta + step
    if not converged:
        loglik, u, info, _ = _terms(dz, beta, efron)
    variance = _solve(info, np.eye(q))
    se = np.sqrt(np.diag(variance))
    zq = float(norm.ppf(1 - (1 - conf_level) / 2))
    # R coxph.fit's warning "Loglik converged before variable i; coefficient may be
    # infinite" (monotone likelihood, e.g. no events in one arm): toler.inf = sqrt(eps).
    infs = np.abs(u @ variance)
    infinite = ~np.isfinite(u) | ((infs > eps) & (infs > np.sqrt(eps) * np.abs(beta)))
    with np.errstate(over="ignore"):
        terms = tuple(
            CoxTerm(name=names[i], coef=float(beta[i]), std_err=float(se[i]),
                    hazard_ratio=float(np.exp(beta[i])),
                    lower=float(np.exp(beta[i] - zq * se[i])),
                    upper=float(np.exp(beta[i] + zq * se[i])), z=float(beta[i] / se[i]),
                    p_value=float(2 * norm.sf(abs(beta[i] / se[i]))))
            for i in range(q))
    wald = float(beta @ _solve(variance, beta))
    return CoxModel(
        reference_arm=p.arm_labels[ref], experimental_arm=p.arm_labels[exp_arm], terms=terms,
        ties=str(ties), conf_level=float(conf_level), n=p.n, events=int(dz.ev_rows.size),
        loglik_null=loglik0, loglik=loglik, wald=_chisq_test("Wald", wald, q),
        score=_chisq_test("score (log-rank)", score_stat, q),
        likelihood_ratio=_chisq_test("likelihood ratio", 2 * (loglik - loglik0), q),
        variance=variance, iterations=iterations, converged=converged,
        strata=p.strata_labels, n_dropped=p.n_dropped,
        possibly_infinite=tuple(names[i] for i in range(q) if infinite[i]),
        _design=dz, _beta=beta)


def compute_cox_zph(model: CoxModel, *, transform: ZphTransform | str = "km"
                    ) -> ProportionalHazardsTest:
    """Test of proportional hazards, equal to R ``cox.zph(fit, transform)`` (survival 3.x:
    a score test, not the older correlation of scaled Schoenfeld residuals with time).

    ``transform``: "km" (default, g(t) = 1 - KM(t-) over all subjects), "identity",
    "rank" or "log".  A small p-value says the hazard ratio changes over time.
    """
    dz = model._design
    t, e = dz.time, dz.event
    if transform == "km":
        km = compute_kaplan_meier(t, e, conf_type="plain")
        before = np.searchsorted(km.time, t, side="left")      # KM times < t
        g = 1.0 - np.r_[1.0, km.survival][before]
    elif transform == "identity":
        g = t.copy()
    elif transform == "rank":
        g = np.asarray(rankdata(t), dtype=np.float64)
    elif transform == "log":
        with np.errstate(divide="ignore"):
            g = np.log(t)
    else:
        raise InputError("unknown time transform for the proportional-hazards test",
                         field="transform", value=transform,
                         hint="use km, identity, rank or log")
    g = g - g[e].mean()
    _, _, _, parts = _terms(dz, model._beta, model.ties == "efron")
    mean, var = parts[:, :, 0], parts[:, :, 1:]
    gj = g[dz.ev_rows]
    q = mean.shape[1]
    u_time = (gj[:, None] * (dz.x[dz.ev_rows] - mean)).sum(axis=0)
    imat = np.empty((2 * q, 2 * q))
    imat[:q, :q] = var.sum(axis=0)
    imat[:q, q:] = (gj[:, None, None] * var).sum(axis=0)
    imat[q:, :q] = imat[:q, q:].T
    imat[q:, q:] = (gj[:, None, None] ** 2 * var).sum(axis=0)
    u = np.r_[np.zeros(q), u_time]
    out = []
    for j, term in enumerate(model.terms):
        kk = np.r_[np.arange(q), q + j]
        uk = u[kk]
        out.append(_chisq_test(term.name, float(uk @ np.linalg.solve(imat[np.ix_(kk, kk)], uk)),
                               1))
    glob = _chisq_test("GLOBAL", float(u @ np.linalg.solve(imat, u)), q)
    return ProportionalHazardsTest(transform=str(transform), terms=tuple(out), global_test=glob)
