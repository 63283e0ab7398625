"""Trial endpoints: ORR/DCR, time-to-event derivation, Kaplan-Meier, designs, safety.

See ``docs/endpoints.md``.  Pure functions (no I/O, no clock).
"""

from hcctrials.endpoints.derive import TteSettings, check_tte_inputs, derive_tte
from hcctrials.endpoints.design import (
    compute_simon_designs, compute_single_stage_design, compute_survival_sample_size,
    evaluate_single_stage,
)
from hcctrials.endpoints.events import (
    DOR, OS, PFS, PFS_MISSED, PFS_NACT, STANDARD_ENDPOINTS, TTP, EndpointDefinition, Source,
    get_endpoint,
)
from hcctrials.endpoints.proportions import (
    ProportionEstimate, compute_clopper_pearson, compute_clopper_pearson_many, derive_dcr,
    derive_orr,
)
from hcctrials.endpoints.summary import TteSummary, summarise_tte
from hcctrials.endpoints.survival import (
    DAYS_PER_MONTH, DEFAULT_CONF_TYPE, KaplanMeier, compute_kaplan_meier,
)

__all__ = [
    "DAYS_PER_MONTH", "DEFAULT_CONF_TYPE", "DOR", "OS", "PFS", "PFS_MISSED", "PFS_NACT",
    "STANDARD_ENDPOINTS", "TTP", "EndpointDefinition", "KaplanMeier", "ProportionEstimate",
    "Source", "TteSettings", "TteSummary", "check_tte_inputs", "compute_clopper_pearson",
    "compute_clopper_pearson_many", "compute_kaplan_meier", "compute_simon_designs",
    "compute_single_stage_design", "compute_survival_sample_size", "derive_dcr", "derive_orr",
    "derive_tte", "evaluate_single_stage", "get_endpoint", "summarise_tte",
]

# Issue 14 (part B): competing risks, response rates between arms, group-sequential designs.
from hcctrials.endpoints.competing import (  # noqa: E402
    CompetingRisks, CumulativeIncidence, FineGrayFit, GrayTest, code_ttp_competing_status,
    compute_cumulative_incidence, compute_fine_gray, compute_gray_test,
)
from hcctrials.endpoints.gsd import (  # noqa: E402
    GroupSequentialDesign, SurvivalGroupSequential, compute_group_sequential_design,
    compute_survival_group_sequential,
)
from hcctrials.endpoints.rates import (  # noqa: E402
    RateDifference, StratifiedRates, compute_rate_difference, compute_stratified_rates,
)

__all__ += [
    "CompetingRisks", "CumulativeIncidence", "FineGrayFit", "GrayTest",
    "code_ttp_competing_status", "compute_cumulative_incidence", "compute_fine_gray",
    "compute_gray_test", "GroupSequentialDesign", "SurvivalGroupSequential",
    "compute_group_sequential_design", "compute_survival_group_sequential", "RateDifference",
    "StratifiedRates", "compute_rate_difference", "compute_stratified_rates",
]

# Issue 14 (part A): comparing two arms (KM by arm, landmark difference, log-rank, Cox,
# cox.zph, RMST).
from hcctrials.endpoints.comparative import (  # noqa: E402
    ChiSquareTest, CoxModel, CoxTerm, LandmarkDifference, LogRankTest, ProportionalHazardsTest,
    RestrictedMean, RmstComparison, RmstContrast, compute_cox, compute_cox_zph,
    compute_km_by_arm, compute_landmark_difference, compute_log_rank, compute_restricted_mean,
    compute_rmst,
)

__all__ += [
    "ChiSquareTest", "CoxModel", "CoxTerm", "LandmarkDifference", "LogRankTest",
    "ProportionalHazardsTest", "RestrictedMean", "RmstComparison", "RmstContrast",
    "compute_cox", "compute_cox_zph", "compute_km_by_arm", "compute_landmark_difference",
    "compute_log_rank", "compute_restricted_mean", "compute_rmst",
]
