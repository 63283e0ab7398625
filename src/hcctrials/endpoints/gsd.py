"""Group-sequential designs: Lan-DeMets alpha spending, beta-spending futility, events per look.

One-sided tests of H0: theta <= 0 on the standardised statistic Z_k at information
fractions t_1 < ... < t_K = 1 (canonical joint distribution, Jennison & Turnbull,
*Group Sequential Methods with Applications to Clinical Trials*, 2000, ch. 3):
Z_k sqrt(t_k) = Z_{k-1} sqrt(t_{k-1}) + N(theta (t_k - t_{k-1}), t_k - t_{k-1}),
E Z_k = theta sqrt(t_k).

* Spending functions (Lan & DeMets, Biometrika 1983;70:659-63; Hwang, Shih & DeCani,
  Stat Med 1990;9:1439-45): O'Brien-Fleming type a(t) = 2 - 2 Phi(z_{1-a/2} / sqrt t),
  Pocock type a(t) = a ln(1 + (e - 1) t), Hwang-Shih-DeCani a (1 - e^{-g t})/(1 - e^{-g}).
* Efficacy boundaries c_k: P_0(Z_j < c_j, j < k; Z_k >= c_k) = a(t_k) - a(t_{k-1}); the
  futility boundaries are non-binding, so they do not enter this computation.
* Futility by beta spending (Pampallona, Tsiatis & Kim, 2001): for the drift theta,
  b_k solves P_theta(b_j < Z_j < c_j, j < k; Z_k < b_k) = b(t_k) - b(t_{k-1}), and theta is
  the drift at which the last look leaves exactly b(1) = beta, i.e. the final futility
  bound meets the final efficacy bound.  A futility bound above the efficacy bound at the
  same look is lowered to it.  Without futility, theta gives power 1 - beta.
* Sizing: the maximum information is theta^2 (the "shift"); the inflation factor is
  theta^2 / (z_{1-a} + z_{1-b})^2.  For a log-rank test (Schoenfeld, Biometrika
  1981;68:316-9) with allocation r = n_experimental / n_control, maximum events
  D = theta^2 (1 + r)^2 / (r ln^2 HR), events at look k = t_k D, expected events
  sum_k D t_k P(stop at look k).

The probabilities come from the recursive numerical integration of Armitage, McPherson &
Rowe (JRSS A 1969;132:235-44) on a composite Simpson grid (default 2001 points per look on
the continuation region; the lower end of an open region is mean - 12 SD), and every
boundary and drift is solved with Brent's method to 1e-14.  R ``rpact`` uses its own
fixed Newton-Cotes grid and solves to a tolerance of 1e-8; the agreement with it is
recorded in ``tests/endpoints/test_endpoints_gsd_r.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.stats import norm

from hcctrials.errors import InputError

__all__ = [
    "SpendingType",
    "GroupSequentialDesign",
    "SurvivalGroupSequential",
    "spend",
    "compute_group_sequential_design",
    "compute_survival_group_sequential",
]

FloatArray = npt.NDArray[np.float64]
SpendingType = Literal["OF", "P", "HSD"]
_SPENDING_NAMES = {"OF": "O'Brien-Fleming type", "P": "Pocock type",
                   "HSD": "Hwang-Shih-DeCani"}
_XTOL = 1e-14
_LOWER_SD = 12.0


def spend(kind: SpendingType | str, total: float, t: npt.ArrayLike, gamma: float = 0.0) -> FloatArray:
    """Cumulative error spent at information fractions ``t`` (Lan-DeMets / HSD)."""
    tt = np.asarray(t, dtype=np.float64)
    if kind == "OF":
        out = 2.0 * norm.sf(norm.isf(total / 2.0) / np.sqrt(tt))
    elif kind == "P":
        out = total * np.log1p((math.e - 1.0) * tt)
    elif kind == "HSD":
        out = total * tt if gamma == 0 else total * (1 - np.exp(-gamma * tt)) / (1 - math.exp(-gamma))
    else:
        raise InputError("unknown spending function", field="spending", value=kind,
                         hint="use 'OF' (O'Brien-Fleming type), 'P' (Pocock type) or 'HSD'")
    return np.asarray(np.where(tt >= 1.0, total, out), dtype=np.float64)


class _Recursion:
    """Sub-density of Z_k on the continuation region, carried look by look."""

    def __init__(self, t: FloatArray, theta: float, n_grid: int) -> None:
        self.t, self.theta, self.n_grid = t, theta, n_grid
        self.k = 0                    # looks already passed
        self.z: FloatArray = np.zeros(0)
        self.wg: FloatArray = np.zeros(0)   # Simpson weight x sub-density

    def _cond(self, c: float) -> tuple[FloatArray, float]:
        k = self.k
        tk, tp = self.t[k], self.t[k - 1]
        dt = tk - tp
        arg = (c * math.sqrt(tk) - self.z * math.sqrt(tp) - self.theta * dt) / math.sqrt(dt)
        return arg, dt

    def prob_above(self, c: float) -> float:
        """P(continue to this look, Z_k >= c)."""
        if self.k == 0:
            return float(norm.sf(c - self.theta * math.sqrt(self.t[0])))
        arg, _ = self._cond(c)
        return float(self.wg @ norm.sf(arg))

    def prob_below(self, b: float) -> float:
        """P(continue to this look, Z_k < b)."""
        if self.k == 0:
            return float(norm.cdf(b - self.theta * math.sqrt(self.t[0])))
        arg, _ = self._cond(b)
        return float(self.wg @ norm.cdf(arg))

    def advance(self, lower: float, upper: float) -> None:
        """Condition on lower < Z_k < upper and move to the next look."""
        k = self.k
        mean = self.theta * math.sqrt(self.t[k])
        lo = mean - _LOWER_SD if not np.isfinite(lower) else lower
        hi = upper
        if hi <= lo:
            self.z = np.array([lo, lo])
            self.wg = np.zeros(2)
            self.k += 1
            return
        n = self.n_grid
        z = np.linspace(lo, hi, n)
        h = (hi - lo) / (n - 1)
        w = np.ones(n)
        w[1:-1:2] = 4.0
        w[2:-1:2] = 2.0
        w *= h / 3.0
        if k == 0:
            dens = norm.pdf(z - mean)
        else:
            tk, tp = self.t[k], self.t[k - 1]
            dt = tk - tp
            sd = math.sqrt(dt)
            arg = (z[:, None] * math.sqrt(tk) - self.z[None, :] * math.sqrt(tp)
                   - self.theta * dt) / sd
            dens = (norm.pdf(arg) @ self.wg) * math.sqrt(tk) / sd
        self.z = z
        self.wg = w * dens
        self.k += 1


@dataclass(frozen=True)
class GroupSequentialDesign:
    """A one-sided group-sequential design (all arrays one entry per look)."""

    alpha: float
    beta: float
    information_rates: FloatArray
    spending: str
    gamma_alpha: float
    beta_spending: str | None
    gamma_beta: float
    efficacy_z: FloatArray          # reject H0 when Z_k >= efficacy_z[k]
    efficacy_p: FloatArray          # nominal one-sided p-value boundary, 1 - Phi(c_k)
    alpha_spent: FloatArray         # cumulative alpha by the spending function
    futility_z: FloatArray          # NaN where there is no futility bound (last look / none)
    beta_spent: FloatArray          # cumulative beta (NaN without futility)
    shift: float                    # theta^2: maximum information in units of 1/delta^2
    inflation_factor: float
    rejection_h1: FloatArray        # P(stop for efficacy at look k | H1), per look
    futility_h1: FloatArray         # P(stop for futility at look k | H1), per look
    power: float
    expected_information_h1: float  # relative to the fixed design (rpact ASN1)
    expected_information_h01: float  # at half the effect (rpact ASN01)
    expected_information_h0: float  # rpact ASN0 (futility stops counted)
    n_grid: int = field(default=2001)

    @property
    def looks(self) -> int:
        return int(self.information_rates.size)

    def describe(self) -> str:
        lines = [f"{self.looks}-look one-sided design, alpha {self.alpha:g}, power "
                 f"{1 - self.beta:g}; efficacy: {self.spending}"
                 + (f"; futility (non-binding): {self.beta_spending}" if self.beta_spending else "")
                 + f"; inflation factor {self.inflation_factor:.4f}"]
        for k in range(self.looks):
            fut = "" if not np.isfinite(self.futility_z[k]) else \
                f", stop for futility if Z < {self.futility_z[k]:.3f}"
            lines.append(f"  look {k + 1} at {100 * self.information_rates[k]:.1f}% information: "
                         f"reject if Z >= {self.efficacy_z[k]:.3f} (p <= {self.efficacy_p[k]:.5f})"
                         f"{fut}; cumulative alpha {self.alpha_spent[k]:.5f}")
        return "\n".join(lines)


def _check_design_inputs(alpha: float, beta: float, t: FloatArray) -> None:
    if not (0 < alpha < 0.5 and 0 < beta < 0.5):
        raise InputError("alpha and beta must lie in (0, 0.5)", field="alpha/beta",
                         value=(alpha, beta))
    if t.ndim != 1 or t.size < 1 or not np.all(np.isfinite(t)):
        raise InputError("information rates must be a list of numbers", field="information_rates",
                         value=t.tolist() if t.ndim == 1 else t.shape)
    if np.any(t <= 0) or np.any(np.diff(t) <= 0) or abs(t[-1] - 1.0) > 1e-12:
        raise InputError("information rates must increase strictly and end at 1",
                         field="information_rates", value=t.tolist())


def _efficacy_bounds(t: FloatArray, increments: FloatArray, n_grid: int) -> FloatArray:
    rec = _Recursion(t, 0.0, n_grid)
    c = np.empty(t.size)
    for k in range(t.size):
        target = float(increments[k])
        if k == 0:
            c[k] = float(norm.isf(target))
        else:
            c[k] = brentq(lambda x: rec.prob_above(x) - target, -10.0, 40.0, xtol=_XTOL,
                          rtol=4 * np.finfo(float).eps, maxiter=500)
        rec.advance(-math.inf, c[k])
    return c


def _run(t: FloatArray, c: FloatArray, theta: float, beta_inc: FloatArray | None,
         n_grid: int) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Futility bounds (by beta spending, if given) and per-look efficacy and futility
    stopping probabilities at drift theta; the last value is P(accept at the last look)."""
    k_max = t.size
    rec = _Recursion(t, theta, n_grid)
    b = np.full(k_max, -math.inf)
    rej = np.zeros(k_max)
    fut = np.zeros(k_max)
    for k in range(k_max):
        rej[k] = rec.prob_above(c[k])
        if k == k_max - 1:
            fut[k] = rec.prob_below(c[k])
            break
        if beta_inc is not None:
            target = float(beta_inc[k])
            f_lo = rec.prob_below(-40.0) - target
            f_hi = rec.prob_below(c[k]) - target
            if f_hi <= 0:
                b[k] = c[k]
            elif f_lo >= 0:
                b[k] = -40.0
            else:
                b[k] = brentq(lambda x: rec.prob_below(x) - target, -40.0, c[k], xtol=_XTOL,
                              rtol=4 * np.finfo(float).eps, maxiter=500)
            fut[k] = rec.prob_below(b[k])
        rec.advance(b[k], c[k])
    return b, rej, fut, float(fut[-1])


def _expected_information(t: FloatArray, rej: FloatArray, fut: FloatArray) -> float:
    stop = rej + fut
    stop[-1] = 1.0 - float(stop[:-1].sum())
    return float((t * stop).sum())


def compute_group_sequential_design(
    information_rates: Sequence[float] | npt.ArrayLike,
    *,
    alpha: float = 0.025,
    beta: float = 0.20,
    spending: SpendingType | str = "OF",
    gamma_alpha: float = -4.0,
    beta_spending: SpendingType | str | None = None,
    gamma_beta: float = -2.0,
    n_grid: int = 2001,
) -> GroupSequentialDesign:
    """One-sided design with Lan-DeMets efficacy boundaries and, when ``beta_spending`` is
    given, non-binding futility boundaries by beta spending (R ``rpact::
    getDesignGroupSequential(typeOfDesign = "asOF"/"asP"/"asHSD", typeBetaSpending =
    "bsOF"/"bsP"/"bsHSD", bindingFutility = FALSE)`` and ``getDesignCharacteristics``).

    ``alpha`` is one-sided; ``gamma_*`` are the HSD parameters (used only for "HSD").
    """
    t = np.asarray(information_rates, dtype=np.float64)
    _check_design_inputs(alpha, beta, t)
    if n_grid < 101 or n_grid % 2 == 0:
        raise InputError("n_grid must be an odd number of at least 101", field="n_grid",
                         value=n_grid)
    a_cum = spend(spending, alpha, t, gamma_alpha)
    c = _efficacy_bounds(t, np.diff(np.concatenate(([0.0], a_cum))), n_grid)
    z_sum = float(norm.isf(alpha) + norm.isf(beta))
    b_cum = None if beta_spending is None else spend(beta_spending, beta, t, gamma_beta)
    b_inc = None if b_cum is None else np.diff(np.concatenate(([0.0], b_cum)))

    def type2(theta: float) -> float:
        _, rej, fut, last = _run(t, c, theta, b_inc, n_grid)
        if b_inc is None:
            return 1.0 - float(rej.sum()) - beta
        return last - float(b_inc[-1])

    theta = brentq(type2, 0.0, 3 * z_sum + 10, xtol=_XTOL, rtol=4 * np.finfo(float).eps,
                   maxiter=500)
    b, rej1, fut1, _ = _run(t, c, theta, b_inc, n_grid)
    # Half effect and null, with the same (fixed) futility bounds.
    _, rej01, fut01 = _fixed_run(t, c, b, theta / 2, n_grid)
    _, rej0, fut0 = _fixed_run(t, c, b, 0.0, n_grid)
    shift = theta * theta
    fixed = z_sum * z_sum
    futility_z = np.where(np.isfinite(b), b, np.nan)
    futility_z[-1] = np.nan
    if b_inc is None:
        futility_z[:] = np.nan
    return GroupSequentialDesign(
        alpha=alpha, beta=beta, information_rates=t, spending=_SPENDING_NAMES[str(spending)],
        gamma_alpha=gamma_alpha, beta_spending=None if beta_spending is None else
        _SPENDING_NAMES[str(beta_spending)], gamma_beta=gamma_beta, efficacy_z=c,
        efficacy_p=np.asarray(norm.sf(c), dtype=np.float64), alpha_spent=a_cum,
        futility_z=futility_z,
        beta_spent=np.full(t.size, np.nan) if b_cum is None else b_cum,
        shift=shift, inflation_factor=shift / fixed, rejection_h1=rej1,
        futility_h1=np.where(np.arange(t.size) < t.size - 1, fut1, np.nan)
        if b_inc is not None else np.full(t.size, np.nan),
        power=float(rej1.sum()),
        expected_information_h1=_expected_information(t, rej1, fut1) * shift / fixed,
        expected_information_h01=_expected_information(t, rej01, fut01) * shift / fixed,
        expected_information_h0=_expected_information(t, rej0, fut0) * shift / fixed,
        n_grid=n_grid)


def _fixed_run(t: FloatArray, c: FloatArray, b: FloatArray, theta: float,
               n_grid: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    rec = _Recursion(t, theta, n_grid)
    rej = np.zeros(t.size)
    fut = np.zeros(t.size)
    for k in range(t.size):
        rej[k] = rec.prob_above(c[k])
        if k == t.size - 1:
            break
        fut[k] = rec.prob_below(b[k]) if np.isfinite(b[k]) else 0.0
        rec.advance(b[k], c[k])
    return b, rej, fut


@dataclass(frozen=True)
class SurvivalGroupSequential:
    """Events for a log-rank group-sequential design (Schoenfeld)."""

    design: GroupSequentialDesign
    hazard_ratio: float
    allocation_ratio: float
    max_events_exact: float
    max_events: int
    events_per_look_exact: FloatArray
    events_per_look: tuple[int, ...]
    expected_events_h1: float
    expected_events_h01: float
    expected_events_h0: float

    def describe(self) -> str:
        looks = ", ".join(str(e) for e in self.events_per_look)
        return (f"HR {self.hazard_ratio:g}, allocation {self.allocation_ratio:g}:1: maximum "
                f"{self.max_events} events ({self.max_events_exact:.2f} exactly), looks at "
                f"{looks} events; expected {self.expected_events_h1:.1f} events under H1, "
                f"{self.expected_events_h0:.1f} under H0\n{self.design.describe()}")


def compute_survival_group_sequential(
    design: GroupSequentialDesign,
    *,
    hazard_ratio: float,
    allocation_ratio: float = 1.0,
) -> SurvivalGroupSequential:
    """Maximum and expected events (R ``rpact::getSampleSizeSurvival(design, hazardRatio,
    allocationRatioPlanned)``, Schoenfeld's formula): D = shift (1 + r)^2 / (r ln^2 HR)."""
    if not hazard_ratio > 0 or hazard_ratio == 1:
        raise InputError("hazard ratio must be positive and not 1", field="hazard_ratio",
                         value=hazard_ratio)
    if not allocation_ratio > 0:
        raise InputError("allocation ratio must be positive", field="allocation_ratio",
                         value=allocation_ratio)
    r = allocation_ratio
    fixed = float((norm.isf(design.alpha) + norm.isf(design.beta)) ** 2) * (1 + r) ** 2 / \
        (r * math.log(hazard_ratio) ** 2)
    d_max = design.inflation_factor * fixed
    per_look = design.information_rates * d_max
    return SurvivalGroupSequential(
        design, float(hazard_ratio), float(r), float(d_max), int(math.ceil(d_max - 1e-9)),
        np.asarray(per_look, dtype=np.float64),
        tuple(int(math.ceil(x - 1e-9)) for x in per_look),
        design.expected_information_h1 * fixed, design.expected_information_h01 * fixed,
        design.expected_information_h0 * fixed)
