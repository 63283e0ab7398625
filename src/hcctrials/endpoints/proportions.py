"""Response proportions: ORR and DCR with exact Clopper-Pearson intervals.

Rules (spec ``response-and-endpoints.md`` section 5):

* ORR = subjects with best overall response CR or PR / all treated subjects.  Subjects
  with BOR NE, or with no BOR at all (no post-baseline assessment), stay in the
  denominator as non-responders and are listed by name.
* DCR = CR + PR + SD (+ NON-CR/NON-PD, counted by default and stated) where the SD was
  met at an assessment at least ``sd_min_days`` (56) days after the reference date.
* The interval is Clopper-Pearson [CP34], taken from SciPy
  (``scipy.stats.binomtest(...).proportion_ci(method="exact")``), and for many trials at
  once from ``scipy.stats.beta.ppf`` with the same Beta quantiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import beta, binomtest

from hcctrials.errors import InputError, ValidationError

__all__ = [
    "RESPONDER_CATEGORIES",
    "DISEASE_CONTROL_CATEGORIES",
    "ProportionEstimate",
    "compute_clopper_pearson",
    "compute_clopper_pearson_many",
    "derive_orr",
    "derive_dcr",
]

#: BOR values counted as objective response (RECIST 1.1/mRECIST and iRECIST labels).
RESPONDER_CATEGORIES: frozenset[str] = frozenset({"CR", "PR", "iCR", "iPR"})
#: BOR values counted as disease control before the SD-duration check.
DISEASE_CONTROL_CATEGORIES: frozenset[str] = frozenset(
    {"CR", "PR", "SD", "NON_CR_NON_PD", "iCR", "iPR", "iSD", "NON_iCR_NON_iUPD"})
_STABLE = frozenset({"SD", "NON_CR_NON_PD", "iSD", "NON_iCR_NON_iUPD"})


@dataclass(frozen=True)
class ProportionEstimate:
    """A proportion with its exact interval and the denominator stated in words."""

    name: str
    count: int
    n: int
    estimate: float | None
    lower: float | None
    upper: float | None
    conf_level: float
    method: str
    denominator: str
    numerator: str
    non_evaluable: tuple[str, ...] = field(default=())
    counts_by_category: dict[str, int] = field(default_factory=dict)

    def describe(self, *, digits: int = 1) -> str:
        if self.n == 0 or self.estimate is None:
            return f"{self.name}: not estimable (no subjects in the denominator)"
        lo = 100 * (self.lower or 0.0)
        up = 100 * (self.upper if self.upper is not None else 1.0)
        return (f"{self.name}: {self.count}/{self.n} = {100 * self.estimate:.{digits}f}% "
                f"({self.conf_level * 100:g}% CI {lo:.{digits}f}% to {up:.{digits}f}%, "
                f"{self.method}); denominator: {self.denominator}")


def compute_clopper_pearson(count: int, n: int, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Two-sided exact (Clopper-Pearson) interval for ``count`` successes in ``n``.

    Example (spec 5): 5/29 -> (0.05846, 0.35775).  Uses SciPy's ``binomtest``.
    """
    if n <= 0:
        raise InputError("a proportion needs at least one subject", field="n", value=n)
    if not 0 <= count <= n:
        raise InputError("count must lie between 0 and n", field="count", value=(count, n))
    ci = binomtest(int(count), int(n)).proportion_ci(confidence_level=conf_level, method="exact")
    return float(ci.low), float(ci.high)


def compute_clopper_pearson_many(
    counts: npt.ArrayLike, n: npt.ArrayLike, *, conf_level: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Vectorised Clopper-Pearson for many trials (simulation): Beta quantiles
    (x, n-x+1) at alpha/2 and (x+1, n-x) at 1-alpha/2, 0 when x = 0 and 1 when x = n,
    exactly what ``binomtest(...).proportion_ci(method="exact")`` computes."""
    x = np.asarray(counts, dtype=np.float64)
    nn = np.broadcast_to(np.asarray(n, dtype=np.float64), x.shape)
    if np.any(nn <= 0) or np.any(x < 0) or np.any(x > nn):
        raise InputError("counts must lie between 0 and n (n >= 1)", field="counts")
    a = (1 - conf_level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(x == 0, 0.0, beta.ppf(a, x, nn - x + 1))
        upper = np.where(x == nn, 1.0, beta.ppf(1 - a, x + 1, nn - x))
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _subjects_bor(subjects: pd.DataFrame, bor_column: str) -> pd.Series:
    for col in ("subject_id", bor_column):
        if col not in subjects.columns:
            raise ValidationError(f"the subject table has no column {col!r}", field=col,
                                  hint="pass the derived subject-level responses "
                                       "(ResponseResult.subjects) or name the BOR column")
    dup = subjects["subject_id"][subjects["subject_id"].duplicated()]
    if len(dup):
        raise ValidationError("subject listed more than once in the response table",
                              record=str(dup.iloc[0]), field="subject_id")
    return subjects.set_index("subject_id")[bor_column]


def _estimate(name: str, hits: pd.Series, bor: pd.Series, *, conf_level: float,
              numerator: str, denominator: str) -> ProportionEstimate:
    n = int(len(bor))
    count = int(hits.sum())
    missing = bor.isna()
    ne = bor.astype("string").str.upper().eq("NE").fillna(False)
    non_evaluable = tuple(sorted(str(s) for s in bor.index[missing | ne]))
    cats = bor.astype("string").fillna("MISSING").value_counts().to_dict()
    if n == 0:
        return ProportionEstimate(name, 0, 0, None, None, None, conf_level,
                                  "Clopper-Pearson exact", denominator, numerator,
                                  non_evaluable, {})
    lo, up = compute_clopper_pearson(count, n, conf_level=conf_level)
    return ProportionEstimate(name, count, n, count / n, lo, up, conf_level,
                              "Clopper-Pearson exact", denominator, numerator,
                              non_evaluable, {str(k): int(v) for k, v in cats.items()})


def derive_orr(
    subjects: pd.DataFrame,
    *,
    bor_column: str = "best_overall_response_confirmed",
    conf_level: float = 0.95,
    responder_categories: Iterable[str] = RESPONDER_CATEGORIES,
) -> ProportionEstimate:
    """Objective response rate over every subject in ``subjects`` (the treated set).

    ``subjects`` has one row per treated subject (``subject_id`` and the BOR column; a
    missing BOR means no post-baseline assessment and counts as a non-responder).
    """
    bor = _subjects_bor(subjects, bor_column)
    cats = frozenset(responder_categories)
    hits = bor.isin(cats)
    return _estimate("ORR", hits, bor, conf_level=conf_level,
                     numerator=f"BOR in {{{', '.join(sorted(cats))}}} ({bor_column})",
                     denominator="all treated subjects; NE and missing BOR counted as "
                                 "non-responders")


def derive_dcr(
    subjects: pd.DataFrame,
    *,
    bor_column: str = "best_overall_response_confirmed",
    visits: pd.DataFrame | None = None,
    sd_min_days: int = 56,
    include_non_cr_non_pd: bool = True,
    conf_level: float = 0.95,
) -> ProportionEstimate:
    """Disease control rate: BOR CR, PR, or SD (and NON-CR/NON-PD unless switched off).

    When ``visits`` (subject_id, visit_date, overall_response) and a ``first_dose_date``
    column in ``subjects`` are given, an SD BOR counts only if an assessment of SD or
    better lies at least ``sd_min_days`` after the first dose (spec 5: 56 days);
    otherwise the BOR is taken as already carrying the SD minimum of the engine.
    """
    bor = _subjects_bor(subjects, bor_column)
    cats = set(DISEASE_CONTROL_CATEGORIES)
    if not include_non_cr_non_pd:
        cats -= {"NON_CR_NON_PD", "NON_iCR_NON_iUPD"}
    hits = bor.isin(cats)
    rule = "BOR as derived"
    if visits is not None:
        if "first_dose_date" not in subjects.columns:
            raise ValidationError("checking the SD minimum needs first_dose_date in the "
                                  "subject table", field="first_dose_date")
        ref = pd.to_datetime(subjects.set_index("subject_id")["first_dose_date"])
        v = visits[["subject_id", "visit_date", "overall_response"]].copy()
        v["visit_date"] = pd.to_datetime(v["visit_date"])
        v = v[v["overall_response"].isin(cats)]
        visit_date: pd.Series[pd.Timestamp] = v["visit_date"]  # converted just above
        day = (visit_date - v["subject_id"].map(ref)).dt.days
        late = set(v.loc[day >= sd_min_days, "subject_id"])
        stable = bor.isin(_STABLE)
        hits = hits & (~stable | bor.index.isin(late))
        rule = f"SD or better at >= {sd_min_days} days after first dose"
    return _estimate("DCR", hits, bor, conf_level=conf_level,
                     numerator=f"BOR in {{{', '.join(sorted(cats))}}}; {rule}",
                     denominator="all treated subjects; NE and missing BOR counted as "
                                 "without disease control")
