"""Kaplan-Meier by arm, the difference in landmark survival, and restricted mean survival.

Rules:

* Kaplan-Meier per arm: :func:`hcctrials.endpoints.survival.compute_kaplan_meier` on each
  arm's subjects (R ``survfit(Surv(time, event) ~ arm)``).
* Landmark difference (Klein JP, Logan B, Harhoff M, Andersen PK. Analyzing survival
  curves at a fixed point in time. Stat Med 2007;26:4505-19): S_1(t) - S_0(t) with
  SE sqrt(se_1^2 + se_0^2), se_k the Greenwood SE of S_k(t) that R
  ``summary(survfit, times = t)`` reports; normal CI and two-sided p.  Not estimable when
  t lies beyond either arm's last follow-up (R's ``summary`` omits that time).
* Restricted mean survival time up to tau, as R ``print(survfit(...), rmean = tau)``
  (``survival:::survmean``): the area under the KM step function from 0 to tau, with
  variance sum over KM times t_i <= tau of A_i^2 d_i / (n_i (n_i - d_i)), A_i the area
  from t_i to tau (0 where n_i = d_i).
* Between arms, the unadjusted ``survRM2::rmst2`` method (Uno H et al. J Clin Oncol
  2014;32:2380-5; Tian L et al. Stat Med 2014;33:1147-55): difference m_1 - m_0 with SE
  sqrt(se_1^2 + se_0^2); ratio m_1 / m_0 on the log scale with the delta-method SE
  sqrt(se_1^2 / m_1^2 + se_0^2 / m_0^2); the ratio of restricted mean time lost
  (tau - m) likewise.  survRM2 requires tau to be no later than the earlier of the two
  arms' last follow-up times; so does :func:`compute_rmst`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from hcctrials.endpoints.comparative._data import Prepared, prepare, reference_code
from hcctrials.endpoints.survival import (
    DEFAULT_CONF_TYPE, ConfType, KaplanMeier, LandmarkEstimate, compute_kaplan_meier,
)
from hcctrials.errors import InputError

__all__ = [
    "LandmarkDifference", "RestrictedMean", "RmstContrast", "RmstComparison",
    "compute_km_by_arm", "compute_landmark_difference", "compute_restricted_mean",
    "compute_rmst",
]


def _z(conf_level: float) -> float:
    if not 0 < conf_level < 1:
        raise InputError("conf_level must be between 0 and 1", field="conf_level",
                         value=conf_level)
    return float(norm.ppf(1 - (1 - conf_level) / 2))


def _by_arm(p: Prepared, conf_type: ConfType | str, conf_level: float) -> dict[str, KaplanMeier]:
    return {label: compute_kaplan_meier(p.time[p.arm == k], p.event[p.arm == k],
                                        conf_type=conf_type, conf_level=conf_level)
            for k, label in enumerate(p.arm_labels)}


def compute_km_by_arm(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    *,
    conf_type: ConfType | str = DEFAULT_CONF_TYPE,
    conf_level: float = 0.95,
    drop_missing: bool = False,
    timefix: bool = True,
) -> dict[str, KaplanMeier]:
    """One Kaplan-Meier curve per arm (R ``survfit(Surv(time, event) ~ arm)``), in R's
    level order.  Any number of arms; ``conf_type`` as for ``compute_kaplan_meier``.

    ``timefix`` (default True, as R) merges times that differ by rounding error only
    (R ``aeqSurv``); ``drop_missing`` leaves out subjects with a missing value (R's
    ``na.omit``) instead of stopping with an error naming the row.
    """
    p = prepare(time, event, arm, drop_missing=drop_missing,
                timefix=timefix, min_arms=1, max_arms=None)
    return _by_arm(p, conf_type, conf_level)


@dataclass(frozen=True)
class LandmarkDifference:
    """S_experimental(t) - S_reference(t) with its normal CI (None when not estimable)."""

    time: float
    reference: LandmarkEstimate
    experimental: LandmarkEstimate
    difference: float | None
    std_err: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    conf_level: float

    @property
    def estimable(self) -> bool:
        return self.difference is not None

    def describe(self, *, digits: int = 1) -> str:
        """Text such as ``"+19.8 percentage points (95% CI 8.8 to 30.8)"``."""
        if self.difference is None or self.lower is None or self.upper is None:
            return "not estimable (beyond the last follow-up of an arm)"
        return (f"{100 * self.difference:+.{digits}f} percentage points "
                f"({self.conf_level * 100:g}% CI {100 * self.lower:.{digits}f} to "
                f"{100 * self.upper:.{digits}f})")


def compute_landmark_difference(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    times: npt.ArrayLike,
    *,
    reference: object | None = None,
    conf_level: float = 0.95,
    conf_type: ConfType | str = DEFAULT_CONF_TYPE,
    drop_missing: bool = False,
    timefix: bool = True,
) -> list[LandmarkDifference]:
    """Difference in Kaplan-Meier survival at each landmark time between two arms
    (experimental minus ``reference``; Klein et al. 2007, Greenwood SEs).

    ``conf_type`` only sets the per-arm bands; the difference's CI is normal
    (S_1 - S_0 -/+ z SE).
    ``timefix`` (default True, as R) merges times that differ by rounding error only
    (R ``aeqSurv``); ``drop_missing`` leaves out subjects with a missing value (R's
    ``na.omit``) instead of stopping with an error naming the row.
    """
    z = _z(conf_level)
    p = prepare(time, event, arm, drop_missing=drop_missing,
                timefix=timefix)
    ref = reference_code(p.arm_labels, reference)
    curves = _by_arm(p, conf_type, conf_level)
    km0, km1 = curves[p.arm_labels[ref]], curves[p.arm_labels[1 - ref]]
    out = []
    for a, b in zip(km0.at(times), km1.at(times)):
        if a.estimable and b.estimable:
            diff = b.survival - a.survival
            se = float(np.hypot(a.std_err, b.std_err))
            pv = float(2 * norm.sf(abs(diff / se))) if se > 0 else None
            out.append(LandmarkDifference(a.time, a, b, diff, se, diff - z * se,
                                          diff + z * se, pv, float(conf_level)))
        else:
            out.append(LandmarkDifference(a.time, a, b, None, None, None, None, None,
                                          float(conf_level)))
    return out


@dataclass(frozen=True)
class RestrictedMean:
    """Restricted mean survival time of one arm up to ``tau``, with its SE and normal CI."""

    arm: str
    tau: float
    rmst: float
    std_err: float
    lower: float
    upper: float

    @property
    def rmtl(self) -> float:
        """Restricted mean time lost, tau - RMST."""
        return self.tau - self.rmst


def compute_restricted_mean(km: KaplanMeier, tau: float) -> tuple[float, float]:
    """RMST and its SE from a fitted curve, exactly as R ``survival:::survmean``
    (``print(fit, rmean = tau)``): the curve is extended flat past its last time."""
    if not np.isfinite(tau) or tau <= 0:
        raise InputError("tau must be a positive time", field="tau", value=tau)
    keep = km.time <= tau
    if keep.any():
        nr = km.n_risk[keep].astype(np.float64)
        nd = km.n_event[keep].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            hh = np.where(nr - nd == 0, 0.0, nd / (nr * (nr - nd)))
        t = np.r_[km.time[keep], tau]
        s = np.r_[km.survival[keep], km.survival[keep][-1]]
        hh = np.r_[hh, 0.0]
    else:                                  # tau before the first time: the curve is 1
        t, s, hh = np.array([tau]), np.array([1.0]), np.array([0.0])
    rect = np.diff(np.r_[0.0, t]) * np.r_[1.0, s[:-1]]
    tail = np.cumsum(rect[1:][::-1])                      # area from each time to tau
    var = float(np.sum(tail ** 2 * hh[::-1][1:]))
    return float(rect.sum()), float(np.sqrt(var))


@dataclass(frozen=True)
class RmstContrast:
    """Difference or ratio between arms with CI and two-sided p (survRM2)."""

    measure: str
    estimate: float
    std_err: float          # of the difference, or of the log ratio
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True)
class RmstComparison:
    """RMST per arm and experimental-vs-reference contrasts (``survRM2::rmst2``)."""

    tau: float
    reference: RestrictedMean
    experimental: RestrictedMean
    difference: RmstContrast
    ratio: RmstContrast
    rmtl_ratio: RmstContrast
    conf_level: float

    def describe(self, *, unit: str = "days", scale: float = 1.0, digits: int = 1) -> str:
        d = self.difference
        return (f"RMST to {self.tau / scale:g} {unit}: {self.experimental.arm} "
                f"{self.experimental.rmst / scale:.{digits}f} vs {self.reference.arm} "
                f"{self.reference.rmst / scale:.{digits}f}; difference "
                f"{d.estimate / scale:+.{digits}f} ({self.conf_level * 100:g}% CI "
                f"{d.lower / scale:.{digits}f} to {d.upper / scale:.{digits}f}), "
                f"p = {d.p_value:.2g}")


def _ratio(measure: str, m1: float, se1: float, m0: float, se0: float, z: float) -> RmstContrast:
    log_r = float(np.log(m1 / m0))
    se = float(np.sqrt(se1 ** 2 / m1 ** 2 + se0 ** 2 / m0 ** 2))
    return RmstContrast(measure, float(np.exp(log_r)), se, float(np.exp(log_r - z * se)),
                        float(np.exp(log_r + z * se)), float(2 * norm.sf(abs(log_r / se))))


def compute_rmst(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    tau: float,
    *,
    reference: object | None = None,
    conf_level: float = 0.95,
    drop_missing: bool = False,
    timefix: bool = True,
) -> RmstComparison:
    """Restricted mean survival time to ``tau`` per arm (R ``print(survfit, rmean = tau)``)
    and the survRM2 difference, ratio and RMTL ratio, experimental vs ``reference``.

    ``timefix`` (default True, as R) merges times that differ by rounding error only
    (R ``aeqSurv``); ``drop_missing`` leaves out subjects with a missing value (R's
    ``na.omit``) instead of stopping with an error naming the row.
    """
    z = _z(conf_level)
    p = prepare(time, event, arm, drop_missing=drop_missing,
                timefix=timefix)
    ref = reference_code(p.arm_labels, reference)
    curves = _by_arm(p, "log", conf_level)
    limit = min(float(km.time[-1]) for km in curves.values())
    if not np.isfinite(tau) or tau <= 0 or tau > limit:
        raise InputError("tau must be positive and no later than the last follow-up time "
                         "of the arm followed for the shorter time", field="tau", value=tau,
                         hint=f"choose tau <= {limit:g} (survRM2's rule)")
    per = []
    for k in (ref, 1 - ref):
        m, se = compute_restricted_mean(curves[p.arm_labels[k]], tau)
        per.append(RestrictedMean(p.arm_labels[k], float(tau), m, se, m - z * se, m + z * se))
    r0, r1 = per
    diff = r1.rmst - r0.rmst
    se_d = float(np.hypot(r0.std_err, r1.std_err))
    difference = RmstContrast("RMST difference", diff, se_d, diff - z * se_d, diff + z * se_d,
                              float(2 * norm.sf(abs(diff / se_d))))
    return RmstComparison(
        tau=float(tau), reference=r0, experimental=r1, difference=difference,
        ratio=_ratio("RMST ratio", r1.rmst, r1.std_err, r0.rmst, r0.std_err, z),
        rmtl_ratio=_ratio("RMTL ratio", r1.rmtl, r1.std_err, r0.rmtl, r0.std_err, z),
        conf_level=float(conf_level))
