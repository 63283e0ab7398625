"""Single-arm phase II designs and time-to-event sample sizes.

* Simon two-stage [Si89]: exact binomial enumeration (SciPy ``binom``).  Stop after stage 1
  if responses <= r1 of n1; declare the drug promising if total responses > r of n.
  Constraints P(declare | p0) <= alpha, P(declare | p1) >= 1 - beta.  Optimal minimises
  EN(p0) = n1 + (1 - PET0)(n - n1); minimax minimises n, then EN(p0).  The expected size
  under the alternative, EN(p1) = n1 + (1 - PET1)(n - n1) with PET1 = P(X1 <= r1 | p1), is
  reported too (Simon 1989, section 2; it is what clinfun::ph2simon prints as EN(p1)).
* Single-stage exact design [A01]: the smallest n with a cut-off r such that
  P(X >= r | p0) <= alpha and P(X >= r | p1) >= 1 - beta.
* Events for a hazard ratio (Schoenfeld, 1:1): 4 (z_{1-a/2} + z_{1-b})^2 / ln^2(HR); the
  one-sample exponential analogue for a single-arm median; subjects from events with
  uniform accrual and exponential survival.
Written by hand because no packaged Python library implements Simon's enumeration
(R clinfun is not in Debian, spec 5.2); the binomial sums come from SciPy.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.stats import binom, norm

from hcctrials.errors import InputError

__all__ = ["SimonDesign", "SingleStageDesign", "SimonResult", "SurvivalSampleSize",
           "compute_simon_designs", "compute_single_stage_design", "evaluate_single_stage",
           "compute_survival_sample_size"]


@dataclass(frozen=True)
class SimonDesign:
    kind: str
    r1: int
    n1: int
    r: int
    n: int
    expected_n_p0: float
    pet_p0: float
    alpha: float   # attained P(declare promising | p0)
    power: float   # attained P(declare promising | p1)
    expected_n_p1: float = float("nan")   # EN(p1) = n1 + (1 - PET(p1))(n - n1)
    pet_p1: float = float("nan")          # P(stop after stage 1 | p1)

    def describe(self) -> str:
        return (f"{self.kind}: stage 1 r1/n1 = {self.r1}/{self.n1} (stop if <= {self.r1} "
                f"responses), overall r/n = {self.r}/{self.n} (promising if > {self.r}); "
                f"EN(p0) = {self.expected_n_p0:.1f}, PET(p0) = {self.pet_p0:.2f}, "
                f"EN(p1) = {self.expected_n_p1:.1f}, PET(p1) = {self.pet_p1:.2f}, "
                f"alpha = {self.alpha:.4f}, power = {self.power:.4f}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class SingleStageDesign:
    n: int
    r: int          # declare promising with r or more responses
    alpha: float
    power: float

    def describe(self) -> str:
        return (f"single-stage exact: n = {self.n}, promising with >= {self.r} responses; "
                f"alpha = {self.alpha:.4f}, power = {self.power:.4f}")


@dataclass(frozen=True)
class SimonResult:
    p0: float
    p1: float
    alpha: float
    beta: float
    optimal: SimonDesign
    minimax: SimonDesign
    single_stage: SingleStageDesign


def _check(p0: float, p1: float, alpha: float, beta: float) -> None:
    if not 0 < p0 < p1 < 1:
        raise InputError("need 0 < p0 < p1 < 1", field="p0/p1", value=(p0, p1))
    if not (0 < alpha < 0.5 and 0 < beta < 0.5):
        raise InputError("alpha and beta must lie in (0, 0.5)", field="alpha/beta",
                         value=(alpha, beta))


def compute_single_stage_design(p0: float, p1: float, *, alpha: float = 0.05,
                                beta: float = 0.20, n_max: int = 500) -> SingleStageDesign:
    """The smallest exact single-stage design (A'Hern 2001)."""
    _check(p0, p1, alpha, beta)
    for n in range(1, n_max + 1):
        ks = np.arange(0, n + 2)
        a = binom.sf(ks - 1, n, p0)   # P(X >= k | p0)
        pw = binom.sf(ks - 1, n, p1)
        ok = np.flatnonzero((a <= alpha) & (pw >= 1 - beta))
        if ok.size:
            r = int(ks[ok[0]])
            return SingleStageDesign(n, r, float(a[ok[0]]), float(pw[ok[0]]))
    raise InputError(f"no single-stage design with n <= {n_max}", field="n_max", value=n_max)


def evaluate_single_stage(n: int, p0: float, p1: float, *, alpha: float = 0.05) -> SingleStageDesign:
    """Operating characteristics of a fixed n: the smallest cut-off with
    P(X >= r | p0) <= alpha, and the power it gives at p1."""
    _check(p0, p1, alpha, 0.2)
    ks = np.arange(0, n + 2)
    a = binom.sf(ks - 1, n, p0)
    r = int(ks[np.flatnonzero(a <= alpha)[0]])
    return SingleStageDesign(n, r, float(binom.sf(r - 1, n, p0)), float(binom.sf(r - 1, n, p1)))


def _stage_tables(n1: int, n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """P(declare) for every (r1, r) with 0<=r1<=n1, 0<=r<=n, and PET for every r1."""
    x1 = np.arange(n1 + 1)
    pmf1 = binom.pmf(x1, n1, p)
    rr = np.arange(n + 1)
    sf2 = binom.sf(rr[None, :] - x1[:, None], n - n1, p)  # P(X2 > r - x1)
    m = pmf1[:, None] * sf2
    # declare(r1, r) = sum over x1 > r1 of m[x1, r]
    tail = np.cumsum(m[::-1], axis=0)[::-1]
    declare = np.vstack([tail[1:], np.zeros((1, n + 1))])
    pet = np.cumsum(pmf1)
    return declare, pet


def compute_simon_designs(p0: float, p1: float, *, alpha: float = 0.05, beta: float = 0.20,
                          n_max: int | None = None) -> SimonResult:
    """Simon's optimal and minimax two-stage designs and the single-stage exact design."""
    _check(p0, p1, alpha, beta)
    single = compute_single_stage_design(p0, p1, alpha=alpha, beta=beta)
    nmax = n_max or int(math.ceil(single.n * 1.6)) + 5
    best_opt: tuple[float, int, SimonDesign] | None = None
    best_mm: tuple[int, float, SimonDesign] | None = None
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            d0, pet0 = _stage_tables(n1, n, p0)
            d1, _ = _stage_tables(n1, n, p1)
            r = np.arange(n + 1)
            for r1 in range(0, n1 + 1):
                ok = np.flatnonzero((d0[r1] <= alpha) & (r >= r1))
                if not ok.size:
                    continue
                rmin = int(ok[0])
                if d1[r1, rmin] < 1 - beta:
                    continue
                en = n1 + (1 - pet0[r1]) * (n - n1)
                des = (r1, n1, rmin, n, float(en), float(pet0[r1]), float(d0[r1, rmin]),
                       float(d1[r1, rmin]))
                if best_opt is None or en < best_opt[0] - 1e-12:
                    best_opt = (en, n, SimonDesign("optimal", *des))
                if best_mm is None or (n, en) < (best_mm[0], best_mm[1] - 1e-12):
                    best_mm = (n, en, SimonDesign("minimax", *des))
    if best_opt is None or best_mm is None:
        raise InputError(f"no two-stage design with n <= {nmax}", field="n_max", value=nmax,
                         hint="raise n_max")
    return SimonResult(p0, p1, alpha, beta, _with_alternative(best_opt[2], p1),
                       _with_alternative(best_mm[2], p1), single)


def _with_alternative(d: SimonDesign, p1: float) -> SimonDesign:
    """The design with PET(p1) and EN(p1) filled in."""
    pet1 = float(binom.cdf(d.r1, d.n1, p1))
    return replace(d, pet_p1=pet1, expected_n_p1=d.n1 + (1 - pet1) * (d.n - d.n1))


@dataclass(frozen=True)
class SurvivalSampleSize:
    design: str
    events: int
    subjects: int | None
    hazard_ratio: float
    alpha: float
    power: float
    probability_of_event: float | None
    formula: str
    #: The unrounded event count of the formula (``events`` is it rounded up).
    events_exact: float = float("nan")

    def describe(self) -> str:
        subj = "" if self.subjects is None else f", {self.subjects} subjects"
        return (f"{self.design}: {self.events} events ({self.events_exact:.2f} before rounding "
                f"up){subj} for HR {self.hazard_ratio:.3f} "
                f"(two-sided alpha {self.alpha}, power {self.power}); {self.formula}")


def _p_event(hazard: float, accrual: float, follow_up: float) -> float:
    """P(event observed) with uniform accrual over ``accrual`` and extra ``follow_up``,
    exponential survival with rate ``hazard``."""
    if accrual <= 0:
        return 1 - math.exp(-hazard * follow_up)
    return 1 - (math.exp(-hazard * follow_up) - math.exp(-hazard * (accrual + follow_up))) / (hazard * accrual)


def compute_survival_sample_size(
    *,
    hazard_ratio: float | None = None,
    median_control: float | None = None,
    median_experimental: float | None = None,
    alpha: float = 0.05,
    power: float = 0.80,
    allocation: float = 0.5,
    single_arm: bool = False,
    accrual: float | None = None,
    follow_up: float | None = None,
) -> SurvivalSampleSize:
    """Events (and subjects, given accrual and follow-up in the medians' unit).

    Two arms: Schoenfeld d = (z_{1-a/2} + z_{1-b})^2 / (q(1-q) ln^2 HR); with 1:1
    allocation and HR 0.70 at 80% power that is 247 events (spec 5.2).  Single arm
    (``single_arm=True``): the one-sample exponential test of the median against a
    historical ``median_control``, d = (z_{1-a/2} + z_{1-b})^2 / ln^2(HR).
    HR = median_control / median_experimental under exponential survival.
    """
    if hazard_ratio is None:
        if not median_control or not median_experimental:
            raise InputError("give hazard_ratio, or both medians", field="hazard_ratio")
        hazard_ratio = median_control / median_experimental
    if hazard_ratio <= 0 or hazard_ratio == 1:
        raise InputError("hazard ratio must be positive and not 1", field="hazard_ratio",
                         value=hazard_ratio)
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    if single_arm:
        d = z ** 2 / math.log(hazard_ratio) ** 2
        formula = "one-sample exponential test: d = (z_{1-a/2} + z_{1-b})^2 / ln^2(HR)"
        design = "single arm vs historical median"
    else:
        d = z ** 2 / (allocation * (1 - allocation) * math.log(hazard_ratio) ** 2)
        formula = "Schoenfeld: d = (z_{1-a/2} + z_{1-b})^2 / (q(1-q) ln^2 HR)"
        design = f"two arms, allocation {allocation:g}"
    events = int(math.ceil(d - 1e-9))
    subjects = None
    p_ev = None
    if accrual is not None and follow_up is not None and median_control:
        lam_c = math.log(2) / median_control
        lam_e = lam_c * hazard_ratio
        if single_arm:
            p_ev = _p_event(lam_e, accrual, follow_up)
        else:
            p_ev = allocation * _p_event(lam_e, accrual, follow_up) + \
                (1 - allocation) * _p_event(lam_c, accrual, follow_up)
        subjects = int(math.ceil(events / p_ev))
        formula += "; subjects = events / P(event), uniform accrual, exponential survival"
    return SurvivalSampleSize(design, events, subjects, float(hazard_ratio), alpha, power,
                              p_ev, formula, float(d))
