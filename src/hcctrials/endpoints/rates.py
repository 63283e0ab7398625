"""Response rates between two arms: difference with a score interval, stratified analyses.

* Difference p1 - p2 with the Miettinen-Nurminen score interval (Miettinen O, Nurminen M.
  Comparative analysis of two rates. Stat Med 1985;4:213-26): the limits are the deltas at
  which the score z(delta) = (p1^ - p2^ - delta) / sqrt(V(delta)) equals -/+ z_{1-a/2},
  V = [p1~(1 - p1~)/n1 + p2~(1 - p2~)/n2] * N / (N - 1), with p1~, p2~ = p1~ - delta the
  maximum-likelihood estimates restricted to p1 - p2 = delta, taken from the closed-form
  root of the likelihood cubic (Farrington CP, Manning G. Stat Med 1990;9:1447-54).
  Newcombe (Stat Med 1998;17:873-90, Table II, example (a)) gives 56/70 - 48/80:
  0.0528 to 0.3382.
* Cochran-Mantel-Haenszel over strata (e.g. BCLC stage, the randomisation factors):
  Mantel-Haenszel common odds ratio (Mantel N, Haenszel W. JNCI 1959;22:719-48) with the
  Robins-Breslow-Greenland variance of its logarithm (Biometrics 1986;42:311-23) and the
  CMH chi-square with or without continuity correction, exactly as R ``mantelhaen.test``
  computes them for 2 x 2 x K tables.
* Mantel-Haenszel common risk difference, weights n1k n0k / Nk, with the variance of Sato
  (Biometrics 1989;45:1323-4; consistent for both sparse and large strata, the default) or
  of Greenland & Robins (Biometrics 1985;41:55-68, large strata).

Written by hand: SciPy and statsmodels have no Miettinen-Nurminen interval
(statsmodels' ``confint_proportions_2indep(method="score")`` omits the N/(N-1) factor of
MN by default and its "score" CI is Mee's), and statsmodels' ``StratifiedTable`` gives the
MH odds ratio but no MH risk difference; the formulas are short and checked against R.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.stats import chi2, norm

from hcctrials.errors import InputError

__all__ = [
    "RateDifference",
    "StratifiedRates",
    "compute_rate_difference",
    "compute_stratified_rates",
]


def _z(conf_level: float) -> float:
    if not 0 < conf_level < 1:
        raise InputError("conf_level must be between 0 and 1", field="conf_level",
                         value=conf_level)
    return float(norm.ppf(1 - (1 - conf_level) / 2))


def _check_counts(x: int | float, n: int | float, field: str) -> tuple[int, int]:
    if not (float(x) == int(x) and float(n) == int(n)):
        raise InputError("counts must be whole numbers", field=field, value=(x, n))
    xi, ni = int(x), int(n)
    if ni < 1 or xi < 0 or xi > ni:
        raise InputError("need 0 <= responders <= patients and at least one patient",
                         field=field, value=f"{xi}/{ni}")
    return xi, ni


def _restricted_mle(delta: float, p1: float, n1: int, p2: float, n2: int) -> tuple[float, float]:
    """p1~ and p2~ = p1~ - delta maximising the binomial likelihood under p1 - p2 = delta
    (Farrington & Manning 1990, closed-form root of the cubic)."""
    th = n2 / n1
    a = 1 + th
    b = -(1 + th + p1 + th * p2 + delta * (th + 2))
    c = delta * delta + delta * (2 * p1 + th + 1) + p1 + th * p2
    d = -p1 * delta * (1 + delta)
    v = b ** 3 / (3 * a) ** 3 - b * c / (6 * a * a) + d / (2 * a)
    u = (-1.0 if v < 0 else 1.0) * math.sqrt(max(0.0, b * b / (3 * a) ** 2 - c / (3 * a)))
    ratio = 0.0 if u == 0 else max(-1.0, min(1.0, v / u ** 3))
    w = (math.pi + math.acos(ratio)) / 3
    p1t = min(1.0, max(0.0, 2 * u * math.cos(w) - b / (3 * a)))
    p2t = min(1.0, max(0.0, p1t - delta))
    return p1t, p2t


def _mn_score(delta: float, x1: int, n1: int, x2: int, n2: int) -> float:
    p1, p2 = x1 / n1, x2 / n2
    diff = p1 - p2 - delta
    if diff == 0:
        return 0.0
    p1t, p2t = _restricted_mle(delta, p1, n1, p2, n2)
    big_n = n1 + n2
    var = (p1t * (1 - p1t) / n1 + p2t * (1 - p2t) / n2) * big_n / (big_n - 1)
    return diff / math.sqrt(var)


@dataclass(frozen=True)
class RateDifference:
    """p1 - p2 (experimental minus control) with its Miettinen-Nurminen interval."""

    responders_1: int
    n_1: int
    responders_2: int
    n_2: int
    estimate: float
    lower: float
    upper: float
    conf_level: float
    method: str = "Miettinen-Nurminen score"

    @property
    def rate_1(self) -> float:
        return self.responders_1 / self.n_1

    @property
    def rate_2(self) -> float:
        return self.responders_2 / self.n_2

    def describe(self, *, digits: int = 1) -> str:
        def pct(v: float) -> str:
            return f"{100 * v:.{digits}f}"

        return (f"{self.responders_1}/{self.n_1} ({pct(self.rate_1)}%) vs {self.responders_2}/"
                f"{self.n_2} ({pct(self.rate_2)}%): difference {pct(self.estimate)} points "
                f"({self.conf_level * 100:g}% CI {pct(self.lower)} to {pct(self.upper)}, "
                f"{self.method})")


def compute_rate_difference(responders_1: int, n_1: int, responders_2: int, n_2: int, *,
                            conf_level: float = 0.95) -> RateDifference:
    """Difference in response rate between arm 1 and arm 2 with the Miettinen-Nurminen
    (1985) score interval."""
    x1, n1 = _check_counts(responders_1, n_1, "arm 1 responders/patients")
    x2, n2 = _check_counts(responders_2, n_2, "arm 2 responders/patients")
    z = _z(conf_level)
    est = x1 / n1 - x2 / n2
    edge = 1e-12   # the score is infinite at delta = -1 and 1 exactly

    def lower_eq(dl: float) -> float:
        return _mn_score(dl, x1, n1, x2, n2) - z

    def upper_eq(dl: float) -> float:
        return _mn_score(dl, x1, n1, x2, n2) + z

    lo = -1.0 if est <= -1 else float(brentq(lower_eq, -1 + edge, est, xtol=1e-15,
                                             rtol=4 * np.finfo(float).eps, maxiter=500))
    up = 1.0 if est >= 1 else float(brentq(upper_eq, est, 1 - edge, xtol=1e-15,
                                           rtol=4 * np.finfo(float).eps, maxiter=500))
    return RateDifference(x1, n1, x2, n2, est, lo, up, conf_level)


VarianceMethod = Literal["sato", "greenland-robins"]


@dataclass(frozen=True)
class StratifiedRates:
    """CMH analysis of response by arm across strata (arm 1 = experimental)."""

    strata: tuple[str, ...]
    odds_ratio: float
    odds_ratio_lower: float
    odds_ratio_upper: float
    cmh_statistic: float
    cmh_p_value: float
    continuity_correction: bool
    risk_difference: float
    risk_difference_variance: float
    risk_difference_lower: float
    risk_difference_upper: float
    variance_method: str
    conf_level: float

    def describe(self) -> str:
        pct = f"{self.conf_level * 100:g}%"
        cc = " with continuity correction" if self.continuity_correction else ""
        return (f"Mantel-Haenszel odds ratio {self.odds_ratio:.3f} ({pct} CI "
                f"{self.odds_ratio_lower:.3f} to {self.odds_ratio_upper:.3f}); CMH chi-square "
                f"{self.cmh_statistic:.3f}{cc}, p = {self.cmh_p_value:.4g}; MH risk difference "
                f"{100 * self.risk_difference:.1f} points ({pct} CI "
                f"{100 * self.risk_difference_lower:.1f} to "
                f"{100 * self.risk_difference_upper:.1f}, {self.variance_method} variance) "
                f"over {len(self.strata)} strata")


def compute_stratified_rates(
    responders_1: Sequence[int] | npt.ArrayLike,
    n_1: Sequence[int] | npt.ArrayLike,
    responders_2: Sequence[int] | npt.ArrayLike,
    n_2: Sequence[int] | npt.ArrayLike,
    *,
    strata: Sequence[str] | None = None,
    conf_level: float = 0.95,
    continuity_correction: bool = False,
    variance: VarianceMethod = "sato",
) -> StratifiedRates:
    """Mantel-Haenszel odds ratio (RBG interval), CMH test and MH risk difference.

    One entry per stratum: responders and patients in arm 1 (experimental) and arm 2
    (control).  The CMH statistic equals R ``mantelhaen.test(x, correct =
    continuity_correction)`` (R's default is ``correct = TRUE``).
    """
    a = np.asarray(responders_1, dtype=np.float64)
    n1 = np.asarray(n_1, dtype=np.float64)
    c = np.asarray(responders_2, dtype=np.float64)
    n0 = np.asarray(n_2, dtype=np.float64)
    k = a.size
    if not (a.shape == n1.shape == c.shape == n0.shape == (k,)) or k == 0:
        raise InputError("give one count per stratum for each of the four inputs",
                         field="counts", value=(a.shape, n1.shape, c.shape, n0.shape))
    names = tuple(str(s) for s in strata) if strata is not None else \
        tuple(f"stratum {i + 1}" for i in range(k))
    if len(names) != k:
        raise InputError("one name per stratum", field="strata", value=names)
    for i in range(k):
        for arm, x, n in (("arm 1", a[i], n1[i]), ("arm 2", c[i], n0[i])):
            if n < 1:
                raise InputError(f"{arm} has no patient in this stratum", record=names[i],
                                 field=f"{arm} patients", value=int(n),
                                 hint="a stratum without both arms carries no comparison: "
                                      "drop it or merge it with a neighbouring stratum")
            _check_counts(x, n, f"{arm} responders/patients in {names[i]}")
    if variance not in ("sato", "greenland-robins"):
        raise InputError("unknown variance method", field="variance", value=variance,
                         hint="use 'sato' or 'greenland-robins'")
    z = _z(conf_level)
    b, d = n1 - a, n0 - c
    big_n = n1 + n0
    # Mantel-Haenszel odds ratio and Robins-Breslow-Greenland SD of its log.
    r = a * d / big_n
    s = b * c / big_n
    sr, ss = float(r.sum()), float(s.sum())
    if sr == 0 or ss == 0:
        raise InputError("the common odds ratio is 0 or infinite: no discordant "
                         "information in any stratum", field="counts")
    oratio = sr / ss
    p_ = (a + d) / big_n
    q_ = (b + c) / big_n
    sd = math.sqrt(float((p_ * r).sum()) / (2 * sr * sr)
                   + float((p_ * s + q_ * r).sum()) / (2 * sr * ss)
                   + float((q_ * s).sum()) / (2 * ss * ss))
    # CMH test (R mantelhaen.test, 2 x 2 x K).
    m1 = a + c
    delta = float((a - n1 * m1 / big_n).sum())
    var = float((n1 * n0 * m1 * (big_n - m1) / (big_n ** 2 * (big_n - 1))).sum())
    yates = 0.5 if continuity_correction and abs(delta) >= 0.5 else 0.0
    stat = (abs(delta) - yates) ** 2 / var
    pv = float(chi2.sf(stat, 1))
    # Mantel-Haenszel risk difference.
    w = n1 * n0 / big_n
    sw = float(w.sum())
    rd = float((w * (a / n1 - c / n0)).sum()) / sw
    if variance == "sato":
        pp = float(((n1 ** 2 * c - n0 ** 2 * a + n1 * n0 * (n0 - n1) / 2) / big_n ** 2).sum())
        qq = float(((a * (n0 - c) + c * (n1 - a)) / (2 * big_n)).sum())
        v_rd = (rd * pp + qq) / sw ** 2
        vname = "Sato (1989)"
    else:
        v_rd = float(((a * b * n0 ** 3 + c * d * n1 ** 3) / (n1 * n0 * big_n ** 2)).sum()) / sw ** 2
        vname = "Greenland-Robins (1985)"
    se_rd = math.sqrt(v_rd)
    return StratifiedRates(names, oratio, oratio * math.exp(-z * sd), oratio * math.exp(z * sd),
                           float(stat), pv, continuity_correction, rd, v_rd, rd - z * se_rd,
                           rd + z * se_rd, vname, conf_level)
