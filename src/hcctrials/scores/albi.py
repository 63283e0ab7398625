"""ALBI (albumin-bilirubin) score, grade and modified ALBI (2a/2b) sub-grade.

Source: Johnson PJ et al., J Clin Oncol 2015;33:550-558 (score and grades 1-3);
Hiraoka A et al., Liver Cancer 2017 (mALBI split of grade 2 at -2.270).  hcc-domain.md §1.2::

    ALBI = 0.66 × log10(bilirubin µmol/L) − 0.085 × albumin g/L
    grade 1: ≤ −2.60; grade 2: > −2.60 and ≤ −1.39; grade 3: > −1.39
    2a: > −2.60 to ≤ −2.270; 2b: > −2.270 to ≤ −1.39

Grades are taken on the unrounded score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from hcctrials.scores._common import check_non_negative

__all__ = ["Albi", "compute_albi", "albi_grade", "GRADE_1_MAX", "GRADE_2_MAX", "GRADE_2A_MAX"]

GRADE_1_MAX = -2.60
GRADE_2_MAX = -1.39
GRADE_2A_MAX = -2.270


@dataclass(frozen=True, slots=True)
class Albi:
    score: float | None
    grade: Literal["1", "2", "3"] | None
    subgrade: Literal["1", "2a", "2b", "3"] | None
    missing: tuple[str, ...]
    inputs: dict[str, object] = field(default_factory=dict)
    variant: str = "albi@johnson-2015+malbi-hiraoka-2017"


def albi_grade(score: float) -> tuple[Literal["1", "2", "3"], Literal["1", "2a", "2b", "3"]]:
    """(grade, mALBI sub-grade) of an ALBI *score*."""
    if score <= GRADE_1_MAX:
        return "1", "1"
    if score <= GRADE_2_MAX:
        return "2", ("2a" if score <= GRADE_2A_MAX else "2b")
    return "3", "3"


def compute_albi(*, bilirubin_umol_l: float | None, albumin_g_l: float | None) -> Albi:
    """ALBI from bilirubin (µmol/L, > 0) and albumin (g/L); ``None`` score when either is missing."""
    check_non_negative("bilirubin_umol_l", bilirubin_umol_l, positive=True)
    check_non_negative("albumin_g_l", albumin_g_l)
    missing = tuple(n for n, v in (("bilirubin", bilirubin_umol_l), ("albumin", albumin_g_l))
                    if v is None)
    inputs: dict[str, object] = {"bilirubin_umol_l": bilirubin_umol_l, "albumin_g_l": albumin_g_l}
    if missing:
        return Albi(None, None, None, missing, inputs)
    assert bilirubin_umol_l is not None and albumin_g_l is not None
    score = 0.66 * math.log10(bilirubin_umol_l) - 0.085 * albumin_g_l
    grade, sub = albi_grade(score)
    return Albi(score, grade, sub, (), inputs)
