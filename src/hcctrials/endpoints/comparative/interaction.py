"""Treatment-by-subgroup interaction in the Cox model: does the arm effect differ between the
levels of a subgroup factor (the interaction p-value of a forest plot)?

Rule (Cox 1972 partial likelihood; likelihood-ratio test of nested models, as R survival 3.5-3
``anova(coxph(Surv ~ arm + f), coxph(Surv ~ arm * f))`` computes it):

* Subjects with a missing or empty subgroup value are left out of both models (R ``na.omit``),
  so the two models are fitted to the same subjects.
* Main-effects model: arm (experimental vs reference) plus treatment-contrast dummies for the
  levels of the factor after the first; interaction model: the same plus arm x dummy columns.
* An interaction column that is a linear combination of the columns before it (e.g. a level in
  which only one arm has subjects) is aliased and left out, as R's ``coxph`` reports its
  coefficient as NA; the degrees of freedom are the interaction columns kept.
* Statistic 2 (l_interaction - l_main) on that many degrees of freedom, upper chi-square tail.

Subgroup analyses are exploratory (EMA Guideline on the investigation of subgroups in
confirmatory clinical trials, 2019; Wang R et al., NEJM 2007;357:2189-94 recommend reporting the
interaction test rather than per-subgroup p-values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import chi2

from hcctrials.endpoints.comparative._data import _levels, _missing, reference_code
from hcctrials.endpoints.comparative.cox import Ties, compute_cox
from hcctrials.errors import InputError

__all__ = ["InteractionTest", "compute_interaction_test"]


@dataclass(frozen=True)
class InteractionTest:
    """Likelihood-ratio test of arm x subgroup interaction in the Cox model."""

    factor: str
    levels: tuple[str, ...]
    n: int
    events: int
    loglik_main: float
    loglik_interaction: float
    chisq: float
    df: int
    p_value: float
    #: Levels whose interaction column was aliased (left out; R reports NA).
    aliased: tuple[str, ...]

    def describe(self) -> str:
        return (f"treatment x {self.factor} interaction (Cox, likelihood ratio): chi-square "
                f"{self.chisq:.3f} on {self.df} df, p = {self.p_value:.4g}")


def _independent(columns: list[npt.NDArray[np.float64]], candidate: npt.NDArray[np.float64]) -> bool:
    """Whether ``candidate`` adds a dimension to the intercept and ``columns`` (relative
    tolerance 1e-9 on the singular values, as a Cholesky pivot tolerance would)."""
    base = np.column_stack([np.ones(candidate.size), *columns])
    both = np.column_stack([base, candidate])
    return bool(np.linalg.matrix_rank(both, tol=None) > np.linalg.matrix_rank(base, tol=None))


def compute_interaction_test(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    arm: npt.ArrayLike,
    subgroup: npt.ArrayLike,
    *,
    factor: str = "subgroup",
    reference: object | None = None,
    ties: Ties | str = "efron",
    drop_missing: bool = True,
) -> InteractionTest:
    """Likelihood-ratio test of the arm x ``subgroup`` interaction, equal to R
    ``anova(coxph(Surv(time, event) ~ arm + f), coxph(Surv(time, event) ~ arm * f))``.

    ``subgroup`` holds one level per subject (text or numbers, treated as a factor; missing or
    empty values leave the subject out).  ``drop_missing`` (default True, R's ``na.omit``) also
    leaves out subjects with a missing time, event or arm; False stops with an error naming the
    row instead.  Raises :class:`InputError` when the factor has fewer than two levels or no
    interaction column can be estimated.
    """
    t = np.asarray(time.to_numpy(dtype=np.float64, na_value=np.nan)
                   if isinstance(time, pd.Series) else time, dtype=np.float64)
    n = t.size
    e = np.asarray(event, dtype=object)
    a = np.asarray(arm, dtype=object)
    s = np.asarray(subgroup, dtype=object)
    for name, arr in (("event", e), ("arm", a), (factor, s)):
        if arr.shape != (n,):
            raise InputError("one value per subject is needed", field=name, value=(arr.shape, n))
    s_missing = np.asarray(pd.isna(s), dtype=np.bool_) | np.array(
        [isinstance(v, str) and v.strip() == "" for v in s.tolist()], dtype=np.bool_)
    keep = ~s_missing
    if drop_missing:
        keep &= ~np.isnan(t) & ~_missing(e) & ~_missing(a)
    if not keep.any():
        raise InputError("no subject has a value of the subgroup factor", field=factor)
    levels, codes = _levels(s, keep)
    if len(levels) < 2:
        raise InputError("an interaction test needs a subgroup factor with at least two levels",
                         field=factor, value=list(levels))
    arm_labels, arm_codes = _levels(a, keep)
    if len(arm_labels) != 2:
        raise InputError(f"arm must have exactly 2 distinct values, found {len(arm_labels)}",
                         field="arm", value=list(arm_labels))
    experimental = 1 - reference_code(arm_labels, reference)
    code = codes[keep]
    exp_ind = (arm_codes[keep] == experimental).astype(np.float64)
    dummies = {f"{factor}={lv}": (code == k).astype(np.float64)
               for k, lv in enumerate(levels) if k > 0}
    tk, ek, ak = t[keep], e[keep], a[keep]
    main = compute_cox(tk, ek, ak, covariates=dummies, reference=reference, ties=ties)
    columns = [exp_ind, *dummies.values()]
    inter: dict[str, npt.NDArray[np.float64]] = {}
    aliased: list[str] = []
    for k, lv in enumerate(levels):
        if k == 0:
            continue
        col = exp_ind * dummies[f"{factor}={lv}"]
        if _independent(columns, col):
            columns.append(col)
            inter[f"arm:{factor}={lv}"] = col
        else:
            aliased.append(lv)
    if not inter:
        raise InputError("no arm x subgroup interaction can be estimated: each level has "
                         "subjects of one arm only", field=factor, value=list(levels))
    full = compute_cox(tk, ek, ak, covariates={**dummies, **inter}, reference=reference, ties=ties)
    stat = 2.0 * (full.loglik - main.loglik)
    df = len(inter)
    return InteractionTest(factor=factor, levels=levels, n=main.n, events=main.events,
                           loglik_main=main.loglik, loglik_interaction=full.loglik,
                           chisq=float(stat), df=df, p_value=float(chi2.sf(stat, df)),
                           aliased=tuple(aliased))
