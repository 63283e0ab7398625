"""Comparing two arms: Kaplan-Meier by arm, landmark differences, log-rank, Cox, cox.zph, RMST,
the arm x subgroup interaction test.

Pure functions (no I/O, no clock); every statistic equals R ``survival`` 3.5-3 to 1e-8
(``tests/endpoints/test_endpoints_comparative_r.py``).  See docs/endpoints.md,
"Comparing two arms".
"""

from hcctrials.endpoints.comparative.cox import (
    ChiSquareTest, CoxModel, CoxTerm, ProportionalHazardsTest, Ties, compute_cox,
    compute_cox_zph,
)
from hcctrials.endpoints.comparative.curves import (
    LandmarkDifference, RestrictedMean, RmstComparison, RmstContrast, compute_km_by_arm,
    compute_landmark_difference, compute_restricted_mean, compute_rmst,
)
from hcctrials.endpoints.comparative.interaction import InteractionTest, compute_interaction_test
from hcctrials.endpoints.comparative.logrank import LogRankTest, compute_log_rank

__all__ = [
    "ChiSquareTest", "CoxModel", "CoxTerm", "InteractionTest", "LandmarkDifference", "LogRankTest",
    "ProportionalHazardsTest", "RestrictedMean", "RmstComparison", "RmstContrast", "Ties",
    "compute_cox", "compute_cox_zph", "compute_interaction_test", "compute_km_by_arm", "compute_landmark_difference",
    "compute_log_rank", "compute_restricted_mean", "compute_rmst",
]
