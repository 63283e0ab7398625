"""Two-arm (randomised) analysis of a study and its report layout (issue 14, "Report and CLI").

:func:`analyse_two_arms` gathers, for the primary criteria set and an analysis set (ITT,
per-protocol or safety; ICH E9 section 5.2), every between-arm statistic of
:mod:`hcctrials.endpoints`: Kaplan-Meier per arm with medians (Brookmeyer-Crowley CI) and
landmark rates, the landmark difference (Klein et al. 2007), the log-rank test (R
``survdiff``, stratified by the chosen factors), the Cox hazard ratio of the experimental
against the control arm (R ``coxph``, Efron ties, Wald / score / likelihood-ratio p) with
the proportional-hazards test (R ``cox.zph``), RMST per arm with the ``survRM2``
difference and ratio, the cumulative incidence of progression with death without
progression as competing event (Aalen-Johansen, Gray's test; R ``cmprsk``), hazard ratios
by subgroup for the forest plot, and response rates by arm with the Miettinen-Nurminen
difference and, with strata, the Cochran-Mantel-Haenszel analysis.  Every number comes
from those library functions (each checked against R in ``tests/endpoints``); this
module only selects the subjects and arranges the results.

:data:`TWO_ARM_SECTIONS` is the report layout for a randomised two-arm study (used by
:func:`hcctrials.reports.render.build_report` when the study has two arms): KM by arm
with numbers at risk per arm and the HR with CI and log-rank p on the plot, the forest
plot of the HR across subgroups and strata, the RMST table, the cumulative-incidence plot,
response rates by arm; then the safety and exposure sections of the one-arm report.
Every text goes through :func:`hcctrials.i18n.say` (new Chinese texts in
``comparative.po``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from hcctrials.endpoints.comparative import (  # noqa: E402
    CoxModel, InteractionTest, LandmarkDifference, LogRankTest, ProportionalHazardsTest,
    RmstComparison, compute_cox, compute_cox_zph, compute_interaction_test,
    compute_landmark_difference, compute_log_rank, compute_rmst,
)
from hcctrials.endpoints.competing import (  # noqa: E402
    DEATH_WITHOUT_PROGRESSION, PROGRESSION, CompetingRisks, FineGrayTerm, compute_cumulative_incidence,
    compute_fine_gray,
)
from hcctrials.endpoints.events import STANDARD_ENDPOINTS, EndpointDefinition  # noqa: E402
from hcctrials.endpoints.proportions import (  # noqa: E402
    ProportionEstimate, derive_dcr, derive_orr,
)
from hcctrials.endpoints.rates import (  # noqa: E402
    RateDifference, StratifiedRates, compute_rate_difference, compute_stratified_rates,
)
from hcctrials.endpoints.study import (  # noqa: E402
    CriteriaAnalysis, StudyAnalysis, StudyData, analyse_study,
)
from hcctrials.endpoints.summary import LANDMARK_DAYS, TteSummary, summarise_tte  # noqa: E402
from hcctrials.endpoints.survival import DAYS_PER_MONTH, DEFAULT_CONF_TYPE  # noqa: E402
from hcctrials.errors import InputError  # noqa: E402
from hcctrials.i18n import msg, say  # noqa: E402

__all__ = ["ANALYSIS_SETS", "COMPARED_ENDPOINTS", "DEFAULT_TAU_DAYS", "EndpointComparison",
           "RateComparison", "SubgroupEstimate", "TwoArmAnalysis", "analyse_two_arms",
           "is_two_arm", "format_p", "TWO_ARM_SECTIONS", "plot_forest",
           "plot_cumulative_incidence"]

#: Analysis sets of a randomised study (ICH E9 5.2): all randomised by planned arm, from
#: randomisation; per-protocol (ITT subjects without major deviations, treated as
#: randomised), from randomisation; safety (treated), by the arm received, from first dose.
ANALYSIS_SETS = ("itt", "pp", "safety")
#: Endpoints compared between arms (every randomised subject has a record; DoR is
#: conditional on response and is not a randomised comparison).
COMPARED_ENDPOINTS = ("PFS", "TTP", "OS")
#: Default RMST horizon: 12 months in days (spec 5: 365.25).
DEFAULT_TAU_DAYS = 12 * DAYS_PER_MONTH
_SET_COLUMN = {"itt": "arm", "pp": "arm", "safety": "actual_arm"}


def format_p(p: float | None) -> str:
    """A p-value as tables print it: 4 decimals, "<0.0001" below that."""
    if p is None or not np.isfinite(p):
        return "-"
    return "<0.0001" if p < 0.0001 else f"{p:.4f}"


@dataclass(frozen=True)
class EndpointComparison:
    """One time-to-event endpoint compared between the arms."""

    definition: EndpointDefinition
    by_arm: dict[str, TteSummary]
    log_rank: LogRankTest
    cox: CoxModel
    zph: ProportionalHazardsTest
    rmst: RmstComparison | None
    #: The largest RMST horizon survRM2 allows (the shorter arm's last follow-up), days.
    rmst_limit_days: float
    landmarks: tuple[LandmarkDifference, ...]


@dataclass(frozen=True)
class RateComparison:
    """ORR or DCR by arm, their Miettinen-Nurminen difference and the CMH analysis."""

    name: str
    by_arm: dict[str, ProportionEstimate]
    difference: RateDifference
    stratified: StratifiedRates | None
    #: Why the stratified analysis is missing although strata were asked for.
    stratified_note: str = ""


@dataclass(frozen=True)
class SubgroupEstimate:
    """Cox hazard ratio (experimental vs control) within one subgroup, for the forest plot."""

    factor: str
    level: str
    n: int
    events: int
    hazard_ratio: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class TwoArmAnalysis:
    """Everything compared between the arms of a randomised study."""

    study_id: str
    analysis_set: str
    criteria: str
    criteria_title: str
    experimental_arm: str
    control_arm: str
    strata: tuple[str, ...]
    n_by_arm: dict[str, int]
    tau_days: float
    landmark_days: tuple[float, ...]
    conf_type: str
    endpoints: dict[str, EndpointComparison]
    rates: dict[str, RateComparison]
    subgroups: dict[str, tuple[SubgroupEstimate, ...]]
    competing: CompetingRisks | None
    records: pd.DataFrame = field(repr=False, compare=False)
    #: Fine-Gray subdistribution hazard ratio of progression, experimental vs control (death without
    #: progression competing; R cmprsk::crr with the arm as the one covariate)
    fine_gray: FineGrayTerm | None = None
    #: One row per subject of the analysis set: arm, stratum and best overall response (the rows behind
    #: ``rates``).
    response_records: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: Per endpoint of the forest plot and subgroup factor: the likelihood-ratio test of the arm x
    #: factor interaction in the Cox model (R ``anova(coxph(~ arm + f), coxph(~ arm * f))``); None
    #: where it cannot be estimated.
    interactions: dict[str, dict[str, InteractionTest | None]] = field(default_factory=dict)

    @property
    def arms(self) -> tuple[str, str]:
        """(experimental, control)."""
        return self.experimental_arm, self.control_arm

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready numbers (days and months; p-values unrounded)."""
        out: dict[str, Any] = {
            "study": self.study_id, "analysis_set": self.analysis_set,
            "criteria": self.criteria, "experimental_arm": self.experimental_arm,
            "control_arm": self.control_arm, "strata": list(self.strata),
            "n_by_arm": dict(self.n_by_arm), "conf_type": self.conf_type,
            "tau_days": self.tau_days, "tau_months": self.tau_days / DAYS_PER_MONTH,
            "endpoints": {}, "response": {}}
        for code, e in self.endpoints.items():
            lr, cox, zph = e.log_rank, e.cox, e.zph
            arm = cox.arm
            out["endpoints"][code] = {
                "param": e.definition.param,
                "by_arm": {a: s.as_dict() for a, s in e.by_arm.items()},
                "log_rank": {"chisq": lr.chisq, "df": lr.df, "p": lr.p_value,
                             "stratified": lr.strata is not None,
                             "strata": list(lr.strata or ()),
                             "observed": dict(zip(lr.arms, lr.observed.tolist())),
                             "expected": dict(zip(lr.arms, lr.expected.tolist()))},
                "cox": {"hazard_ratio": arm.hazard_ratio, "lower": arm.lower, "upper": arm.upper,
                        "coef": arm.coef, "se": arm.std_err, "conf_level": cox.conf_level,
                        "wald_p": cox.wald.p_value, "wald_chisq": cox.wald.chisq,
                        "score_p": cox.score.p_value, "score_chisq": cox.score.chisq,
                        "lr_p": cox.likelihood_ratio.p_value,
                        "lr_chisq": cox.likelihood_ratio.chisq, "ties": cox.ties,
                        "stratified": cox.strata is not None, "n": cox.n, "events": cox.events,
                        "estimable": arm.name not in cox.possibly_infinite},
                "cox_zph": {"transform": zph.transform, "global_chisq": zph.global_test.chisq,
                            "global_df": zph.global_test.df,
                            "global_p": zph.global_test.p_value},
                "rmst": None if e.rmst is None else _rmst_dict(e.rmst),
                "rmst_limit_days": e.rmst_limit_days,
                "landmark_difference": [
                    {"days": d.time, "months": d.time / DAYS_PER_MONTH,
                     "difference": d.difference, "lower": d.lower, "upper": d.upper,
                     "p": d.p_value, "estimable": d.estimable} for d in e.landmarks],
            }
        for name, r in self.rates.items():
            d = r.difference
            s = r.stratified
            out["response"][name] = {
                "by_arm": {a: {"count": p.count, "n": p.n, "estimate": p.estimate,
                               "lower": p.lower, "upper": p.upper} for a, p in r.by_arm.items()},
                "difference": {"estimate": d.estimate, "lower": d.lower, "upper": d.upper,
                               "conf_level": d.conf_level, "method": d.method},
                "cmh": None if s is None else {
                    "strata": list(s.strata), "odds_ratio": s.odds_ratio,
                    "odds_ratio_lower": s.odds_ratio_lower, "odds_ratio_upper": s.odds_ratio_upper,
                    "statistic": s.cmh_statistic, "p": s.cmh_p_value,
                    "continuity_correction": s.continuity_correction,
                    "risk_difference": s.risk_difference,
                    "risk_difference_lower": s.risk_difference_lower,
                    "risk_difference_upper": s.risk_difference_upper,
                    "variance_method": s.variance_method},
            }
        out["subgroups"] = {
            code: [{"factor": r.factor, "level": r.level, "n": r.n, "events": r.events,
                    "hazard_ratio": r.hazard_ratio, "lower": r.lower, "upper": r.upper}
                   for r in rows] for code, rows in self.subgroups.items()}
        out["subgroup_interaction"] = {
            code: {f: None if i is None else {"chisq": i.chisq, "df": i.df, "p": i.p_value,
                                              "n": i.n, "levels": list(i.levels),
                                              "aliased": list(i.aliased),
                                              "test": "Cox likelihood ratio, arm x subgroup"}
                   for f, i in tests.items()} for code, tests in self.interactions.items()}
        out["competing_risks"] = None if self.competing is None else _competing_dict(
            self.competing, self.landmark_days, self.fine_gray)
        return out


def _competing_dict(cr: CompetingRisks, landmark_days: tuple[float, ...],
                    fine_gray: FineGrayTerm | None) -> dict[str, Any]:
    """Cumulative incidence by arm and cause at the landmarks (estimate, variance), Gray's test per cause,
    and the Fine-Gray sHR of progression (R cmprsk: ``timepoints(cuminc(...))``, ``$Tests``, ``crr``)."""
    cuminc = []
    for (group, cause), curve in cr.curves.items():
        est, var = curve.at(np.asarray(landmark_days, dtype=float))
        cuminc.append({"arm": group, "cause": cause,
                       "cause_name": "progression" if cause == str(PROGRESSION) else "death without progression",
                       "at": [{"days": t, "months": t / DAYS_PER_MONTH, "estimate": e, "variance": v}
                              for t, e, v in zip(landmark_days, est.tolist(), var.tolist())]})
    return {"cumulative_incidence": cuminc,
            "gray_test": [{"cause": g.cause, "statistic": g.statistic, "p": g.p_value} for g in cr.tests],
            "fine_gray": None if fine_gray is None else {
                "subdistribution_hazard_ratio": fine_gray.hazard_ratio, "lower": fine_gray.lower,
                "upper": fine_gray.upper, "coef": fine_gray.coef, "se": fine_gray.se, "p": fine_gray.p_value,
                "cause": "progression"}}


def _rmst_dict(r: RmstComparison) -> dict[str, Any]:
    def arm(m: Any) -> dict[str, Any]:
        return {"rmst_days": m.rmst, "se_days": m.std_err, "lower_days": m.lower,
                "upper_days": m.upper}

    def contrast(c: Any) -> dict[str, Any]:
        return {"estimate": c.estimate, "se": c.std_err, "lower": c.lower, "upper": c.upper,
                "p": c.p_value}

    return {"tau_days": r.tau,
            "by_arm": {r.experimental.arm: arm(r.experimental), r.reference.arm: arm(r.reference)},
            "difference_days": contrast(r.difference), "ratio": contrast(r.ratio),
            "rmtl_ratio": contrast(r.rmtl_ratio)}


def is_two_arm(study: StudyData) -> bool:
    """Whether the study is randomised with exactly two arms (the two-arm layout applies)."""
    return study.is_randomised and len(study.arms) == 2


def _control_arm(study: StudyData) -> tuple[str, str]:
    arms = study.arms
    if not is_two_arm(study):
        raise InputError("a between-arm analysis needs a randomised study with two arms",
                         field="arms", value=arms,
                         hint="the subject table needs randomisation_date and arm; study.json "
                              "'arms' lists the two arms")
    control = str(study.info.get("control_arm") or arms[-1])
    if control not in arms:
        raise InputError("control arm is not one of the study's arms", field="control_arm",
                         value=control, hint=msg("expected one of {values}", values=", ".join(arms)))
    experimental = next(a for a in arms if a != control)
    return experimental, control


def _stratum_labels(subjects: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    missing = [c for c in columns if c not in subjects.columns]
    if missing:
        raise InputError("stratification factor is not a column of the subject table",
                         field="strata", value=missing[0],
                         hint=msg("columns: {columns}", columns=", ".join(str(c) for c in subjects.columns)))
    parts = [subjects[c].astype("string").fillna("").str.strip() for c in columns]
    label = parts[0]
    for p in parts[1:]:
        label = label + " / " + p
    return label


def _records(study: StudyData, analysis: StudyAnalysis, crit: CriteriaAnalysis,
             analysis_set: str, strata: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ADTTE records with arm and stratum, subject-level responses with arm and stratum)
    of the analysis set."""
    sets = analysis.sets
    assert sets is not None
    keep = sets
    if analysis_set == "pp":
        keep = sets[sets["PPROTFL"] == "Y"]
    elif analysis_set == "safety":
        keep = sets[sets["SAFFL"] == "Y"]
    else:
        keep = sets[sets["ITTFL"] == "Y"]
    subj = study.subjects.assign(subject_id=study.subjects["subject_id"].astype(str))
    info = keep[["subject_id"]].assign(arm=keep[_SET_COLUMN[analysis_set]].to_numpy())
    extra = subj.set_index("subject_id")
    info = info.assign(stratum=_stratum_labels(extra, strata).reindex(info["subject_id"]).to_numpy()
                       if strata else "")
    for col in dict.fromkeys([*study.strata, "sex", "age", "ecog"]):
        if col in extra.columns:
            info[f"_{col}"] = extra[col].reindex(info["subject_id"]).to_numpy()
    tte = crit.adtte.assign(subject_id=crit.adtte["subject_id"].astype(str)).merge(
        info, on="subject_id", how="inner")
    resp = crit.responses.assign(subject_id=crit.responses["subject_id"].astype(str)).merge(
        info, on="subject_id", how="inner")
    return tte, resp


def _compare_endpoint(d: EndpointDefinition, rows: pd.DataFrame, arms: tuple[str, str],
                      strata: bool, tau: float, landmark_days: Sequence[float],
                      conf_type: str) -> EndpointComparison:
    exp, ctl = arms
    time = rows["AVAL"].to_numpy(dtype=float)
    event = (rows["CNSR"].to_numpy() == 0).astype(int)
    arm = rows["arm"].to_numpy(dtype=object)
    st = rows["stratum"].to_numpy(dtype=object) if strata else None
    by_arm = {a: summarise_tte(rows[rows["arm"] == a], d.paramcd, conf_type=conf_type,
                               landmark_days=landmark_days) for a in arms}
    lr = compute_log_rank(time, event, arm, strata=st)
    cox = compute_cox(time, event, arm, strata=st, reference=ctl)
    zph = compute_cox_zph(cox)
    limit = min(float(rows.loc[rows["arm"] == a, "AVAL"].max()) for a in arms)
    rmst = compute_rmst(time, event, arm, tau, reference=ctl) if tau <= limit else None
    lms = tuple(compute_landmark_difference(time, event, arm, list(landmark_days), reference=ctl,
                                            conf_type=conf_type)) if landmark_days else ()
    return EndpointComparison(d, by_arm, lr, cox, zph, rmst, limit, lms)


def _subgroup_levels(rows: pd.DataFrame, factor: str) -> pd.Series:
    """Each subject's level of a forest-plot factor (age < 65 / >= 65, ECOG 0 / >= 1, else the
    recorded value); missing where unknown."""
    col = rows[f"_{factor}"]
    if factor in ("age", "ecog"):
        num = pd.to_numeric(col, errors="coerce")
        cut, low, high = (65, "<65", ">=65") if factor == "age" else (1, "0", ">=1")
        return pd.Series([None if pd.isna(v) else (low if v < cut else high) for v in num],
                         index=rows.index, dtype=object)
    txt = col.astype("string").str.strip()
    return pd.Series([None if pd.isna(v) or v == "" else str(v) for v in txt], index=rows.index,
                     dtype=object)


def _interactions(rows: pd.DataFrame, factors: Sequence[str], arms: tuple[str, str]
                  ) -> dict[str, InteractionTest | None]:
    """Arm x factor interaction (Cox likelihood-ratio test) for each forest-plot factor; None
    where fewer than two levels are present or no interaction column can be estimated."""
    out: dict[str, InteractionTest | None] = {}
    ev = (rows["CNSR"].to_numpy() == 0).astype(int)
    for f in factors:
        try:
            out[f] = compute_interaction_test(rows["AVAL"].to_numpy(dtype=float), ev,
                                              rows["arm"].to_numpy(dtype=object),
                                              _subgroup_levels(rows, f).to_numpy(dtype=object),
                                              factor=f, reference=arms[1])
        except InputError:
            out[f] = None
    return out


def _subgroups(rows: pd.DataFrame, factors: Sequence[str], arms: tuple[str, str]
               ) -> tuple[SubgroupEstimate, ...]:
    """Unstratified Cox HR within each level of each factor; "not estimable" (None) where
    an arm has no subject or no event, as R ``coxph`` warns of an infinite coefficient."""
    out: list[SubgroupEstimate] = []

    def one(factor: str, level: str, sub: pd.DataFrame) -> None:
        ev = sub["CNSR"].to_numpy() == 0
        hr = lo = up = None
        if sub["arm"].nunique() == 2 and ev.any():
            try:
                m = compute_cox(sub["AVAL"].to_numpy(dtype=float), ev.astype(int),
                                sub["arm"].to_numpy(dtype=object), reference=arms[1])
            except InputError:
                m = None
            if m is not None and m.arm.name not in m.possibly_infinite:
                hr, lo, up = m.arm.hazard_ratio, m.arm.lower, m.arm.upper
        out.append(SubgroupEstimate(factor, level, len(sub), int(ev.sum()), hr, lo, up))

    one("all", "all", rows)
    for f in factors:
        levels = _subgroup_levels(rows, f)
        for level in sorted(levels.dropna().unique()):
            one(f, str(level), rows[levels == level])
    return tuple(out)


def _rates(resp: pd.DataFrame, arms: tuple[str, str], bor_col: str, strata: bool
           ) -> dict[str, RateComparison]:
    out: dict[str, RateComparison] = {}
    for name, derive in (("ORR", derive_orr), ("DCR", derive_dcr)):
        by_arm = {a: derive(resp[resp["arm"] == a], bor_column=bor_col) for a in arms}
        e, c = by_arm[arms[0]], by_arm[arms[1]]
        diff = compute_rate_difference(e.count, e.n, c.count, c.n)
        strat: StratifiedRates | None = None
        note = ""
        if strata:
            levels = sorted(str(v) for v in resp["stratum"].unique())
            counts = []
            for lv in levels:
                sub = resp[resp["stratum"] == lv]
                ce = [derive(sub[sub["arm"] == a], bor_column=bor_col) if (sub["arm"] == a).any()
                      else None for a in arms]
                counts.append([(p.count, p.n) if p is not None else (0, 0) for p in ce])
            try:
                strat = compute_stratified_rates(
                    [k[0][0] for k in counts], [k[0][1] for k in counts],
                    [k[1][0] for k in counts], [k[1][1] for k in counts], strata=levels)
            except InputError as exc:
                note = str(exc)
        out[name] = RateComparison(name, by_arm, diff, strat, note)
    return out


def _competing_data(tte: pd.DataFrame) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64],
                                                 npt.NDArray[np.object_]] | None:
    """(time, status, arm) of TTP with death without progression as competing event: progression (1)
    at the TTP event time; death without progression (2) at the PFS death date; else censored (0)
    at the TTP censoring time."""
    ttp = tte[tte["PARAMCD"] == "TTP"].set_index("subject_id")
    pfs = tte[tte["PARAMCD"] == "PFS"].set_index("subject_id")
    if ttp.empty:
        return None
    died = pfs["SRCNAME"].eq("death_event") & pfs["CNSR"].eq(0)
    death_time = pfs["AVAL"].where(died).reindex(ttp.index)
    progressed = ttp["CNSR"].eq(0)
    status = np.where(progressed, PROGRESSION,
                      np.where(death_time.notna(), DEATH_WITHOUT_PROGRESSION, 0))
    time = np.where(~progressed & death_time.notna(), death_time, ttp["AVAL"]).astype(float)
    return time, status.astype(np.int64), ttp["arm"].to_numpy(dtype=object)


def _competing(tte: pd.DataFrame, arms: tuple[str, str]) -> CompetingRisks | None:
    """Cumulative incidence by arm and Gray's test (R cmprsk ``cuminc``) of :func:`_competing_data`."""
    data = _competing_data(tte)
    if data is None:
        return None
    time, status, arm = data
    return compute_cumulative_incidence(time, status, arm)


def _fine_gray(tte: pd.DataFrame, arms: tuple[str, str]) -> FineGrayTerm | None:
    """Fine-Gray sHR of progression, experimental (1) vs control (0) (R ``crr(ftime, fstatus,
    cov1 = arm, failcode = 1, cencode = 0)``); None without progressions in both arms."""
    data = _competing_data(tte)
    if data is None:
        return None
    time, status, arm = data
    experimental = (arm == arms[0]).astype(np.float64)
    if not all(((status == PROGRESSION) & (experimental == v)).any() for v in (0.0, 1.0)):
        return None
    fit = compute_fine_gray(time, status, {"arm": experimental}, failcode=PROGRESSION)
    return fit.term("arm")


def analyse_two_arms(
    study: StudyData,
    *,
    analysis_set: str = "itt",
    strata: Sequence[str] = (),
    tau_days: float = DEFAULT_TAU_DAYS,
    landmark_days: Sequence[float] = LANDMARK_DAYS,
    conf_type: str = DEFAULT_CONF_TYPE,
    criteria: str | None = None,
    analysis: StudyAnalysis | None = None,
    subgroup_factors: Sequence[str] | None = None,
) -> TwoArmAnalysis:
    """Between-arm analysis of a randomised two-arm study (see the module docstring).

    ``analysis_set``: "itt" (all randomised, by randomised arm, times from randomisation),
    "pp" (per-protocol subjects of the ITT set, from randomisation) or "safety" (treated,
    by the arm received, from first dose).  ``strata``: subject-table columns whose
    combination stratifies the log-rank test, the Cox model and the CMH analysis.
    ``tau_days``: RMST horizon (not estimated for an endpoint whose shorter-followed arm
    ends before it: survRM2's rule).  ``criteria``: the response criteria set (default the
    study's primary one).  ``analysis`` may pass an :func:`analyse_study` result of the
    matching set (ITT for "itt" and "pp", safety for "safety") to avoid recomputing it.
    """
    if analysis_set not in ANALYSIS_SETS:
        raise InputError("unknown analysis set", field="analysis_set", value=analysis_set,
                         hint="use itt, pp or safety")
    if not np.isfinite(tau_days) or tau_days <= 0:
        raise InputError("tau must be a positive time", field="tau", value=tau_days)
    arms = _control_arm(study)
    strata = tuple(str(s) for s in strata)
    _stratum_labels(study.subjects, strata) if strata else None
    base = "safety" if analysis_set == "safety" else "itt"
    if analysis is None or analysis.analysis_set != base:
        analysis = analyse_study(study, criteria=[criteria] if criteria else None,
                                 conf_type=conf_type, analysis_set=base)  # type: ignore[arg-type]
    by = analysis.by_criteria
    key = criteria or str(analysis.info.get("primary_criteria") or "")
    crit = by[key] if key in by else next(iter(by.values()))
    tte, resp = _records(study, analysis, crit, analysis_set, strata)
    defs = {d.paramcd: d for d in STANDARD_ENDPOINTS}
    endpoints = {code: _compare_endpoint(defs[code], tte[tte["PARAMCD"] == code], arms,
                                         bool(strata), float(tau_days), landmark_days, conf_type)
                 for code in COMPARED_ENDPOINTS if (tte["PARAMCD"] == code).any()}
    factors = list(subgroup_factors) if subgroup_factors is not None else \
        [f for f in dict.fromkeys([*study.strata, "sex", "age", "ecog"]) if f"_{f}" in tte.columns]
    subgroups = {code: _subgroups(tte[tte["PARAMCD"] == code], factors, arms)
                 for code in ("PFS", "OS") if code in endpoints}
    interactions = {code: _interactions(tte[tte["PARAMCD"] == code], factors, arms)
                    for code in subgroups}
    rates = _rates(resp, arms, "best_overall_response_confirmed", bool(strata))
    n_by_arm = {a: int((resp["arm"] == a).sum()) for a in arms}
    return TwoArmAnalysis(
        study_id=str(study.info.get("study_id", "")), analysis_set=analysis_set,
        criteria=crit.criteria, criteria_title=crit.title, experimental_arm=arms[0],
        control_arm=arms[1], strata=strata, n_by_arm=n_by_arm, tau_days=float(tau_days),
        landmark_days=tuple(float(x) for x in landmark_days), conf_type=conf_type,
        endpoints=endpoints, rates=rates, subgroups=subgroups,
        competing=_competing(tte, arms), records=tte, fine_gray=_fine_gray(tte, arms),
        response_records=resp, interactions=interactions)


# ================================================================= wording (both languages)

def set_name(analysis_set: str, lang: str) -> str:
    """The analysis set in words."""
    return {"itt": say("intention-to-treat (all randomised, by randomised arm, from "
                       "randomisation)", lang),
            "pp": say("per-protocol (randomised, treated as randomised, no major deviation; "
                      "from randomisation)", lang),
            "safety": say("safety (treated, by the arm received, from first dose)", lang),
            }[analysis_set]


def short_set_name(analysis_set: str, lang: str) -> str:
    """The analysis set in two words (captions)."""
    return {"itt": say("intention-to-treat set", lang), "pp": say("per-protocol set", lang),
            "safety": say("safety set", lang)}[analysis_set]


def endpoint_name(d: EndpointDefinition, lang: str) -> str:
    return d.param_zh if lang == "zh" else d.param


def months(days: float | None, digits: int = 1) -> str:
    return "-" if days is None else f"{days / DAYS_PER_MONTH:.{digits}f}"


def median_text(s: TteSummary, lang: str, *, unit: bool = False) -> str:
    """"7.8 (95% CI 5.7 to 11.2)" in months; "not reached" in words.  With *unit* (a sentence, not a
    table cell whose header names the unit): "7.8 months (95% CI 5.7 to 11.2)", and no unit after
    "not reached"."""
    if s.n == 0 or s.median is None:
        return say("not estimable", lang)
    m = s.median

    def v(x: float | None) -> str:
        return say("not reached", lang) if x is None else months(x)

    if s.events == 0 or m.estimate is None:
        head = say("not reached", lang)
    else:
        head = months(m.estimate)
        if unit:
            return say("{median} months (95% CI {lower} to {upper})", lang, median=head, lower=v(m.lower),
                       upper=v(m.upper))
    return say("{median} (95% CI {lower} to {upper})", lang, median=head, lower=v(m.lower),
               upper=v(m.upper))


def landmark_text(s: TteSummary, i: int, lang: str) -> str:
    """A landmark rate with its interval, as the one-arm report says it (:func:`render.landmark_sentence`)."""
    from hcctrials.reports.render import landmark_sentence

    return landmark_sentence(s, i, lang)


def hr_text(cox: CoxModel, lang: str) -> str:
    a = cox.arm
    if a.name in cox.possibly_infinite:
        return say("HR not estimable (no events in one arm)", lang)
    return say("HR {hr} (95% CI {lower} to {upper})", lang, hr=f"{a.hazard_ratio:.2f}",
               lower=f"{a.lower:.2f}", upper=f"{a.upper:.2f}")


def log_rank_text(lr: LogRankTest, lang: str) -> str:
    if lr.strata:
        return say("stratified log-rank p = {p}", lang, p=format_p(lr.p_value))
    return say("log-rank p = {p}", lang, p=format_p(lr.p_value))


def arm_label(arm: str, lang: str) -> str:
    """An arm name from the study data in the reader's language where the catalog has it."""
    return say(arm, lang) if arm else arm


# ================================================================= figures

def _blend_x_axes_y_figure(ax: Any, fig: Figure) -> Any:
    from matplotlib.transforms import blended_transform_factory

    return blended_transform_factory(ax.transAxes, fig.transFigure)


def plot_forest(rows: Sequence[SubgroupEstimate], labels: Sequence[str], *, xlabel: str,
                favours: tuple[str, str], overall_hr: float | None, ne_label: str,
                interaction_p: Sequence[str] | None = None, interaction_title: str = "") -> Figure:
    """Forest plot: one line per subgroup (HR on a log axis with its 95% CI, marker area by
    the number of subjects), a dashed line at the overall HR and a solid one at 1; with
    ``interaction_p`` (one text per row, "" for none) a right-hand column of the treatment x
    subgroup interaction p-values headed ``interaction_title``."""
    n = len(rows)
    # Absolute layout (inches): rows 0.32 each, 1.0 below (ticks, axis label, the two
    # "favours" lines) and 0.35 above (column heading).
    bottom_in, top_in = 1.0, 0.35
    height = bottom_in + top_in + 0.32 * n
    fig_w = 8.0 if interaction_p is not None else 7.0
    y0, h = bottom_in / height, 0.32 * n / height
    left, width = (0.36, 0.33) if interaction_p is not None else (0.40, 0.42)
    fig = plt.figure(figsize=(fig_w, height))
    ax = fig.add_axes((left, y0, width, h))
    ys = np.arange(n)[::-1]
    his = [r.upper for r in rows if r.upper is not None]
    los = [r.lower for r in rows if r.lower is not None]
    xmin = min([0.1, *los]) * 0.8
    xmax = max([2.0, *his]) * 1.25
    nmax = max((r.n for r in rows), default=1)
    for y, r, lab in zip(ys, rows, labels):
        if r.hazard_ratio is not None and r.lower is not None and r.upper is not None:
            ax.plot([max(r.lower, xmin), min(r.upper, xmax)], [y, y], color="#0072B2", lw=1.3)
            ax.plot([r.hazard_ratio], [y], "s", color="#0072B2",
                    ms=4 + 6 * np.sqrt(r.n / nmax), mec="#003f63")
    ax.axvline(1.0, color="#333333", lw=0.9)
    if overall_hr is not None:
        ax.axvline(overall_hr, color="#D55E00", lw=0.9, ls="--")
    ax.set_xscale("log")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(ys)
    ax.set_yticklabels(list(labels), fontsize=8)
    ax.set_xticks([0.1, 0.25, 0.5, 1, 2, 4])
    ax.set_xticklabels(["0.1", "0.25", "0.5", "1", "2", "4"])
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    right = fig.add_axes((left + width + 0.01, y0, 0.15, h))
    right.axis("off")
    right.set_ylim(-0.7, n - 0.3)
    for y, r in zip(ys, rows):
        text = (f"{r.hazard_ratio:.2f} ({r.lower:.2f}-{r.upper:.2f})"
                if r.hazard_ratio is not None and r.lower is not None and r.upper is not None
                else ne_label)
        right.text(0.0, y, text, va="center", fontsize=7.5)
    if interaction_p is not None:
        col_x = left + width + 0.17
        col = fig.add_axes((col_x, y0, 0.99 - col_x, h))
        col.axis("off")
        col.set_ylim(-0.7, n - 0.3)
        col.text(0.0, 1.0, interaction_title, transform=col.transAxes, va="bottom", fontsize=7.5,
                 fontweight="bold")
        for y, ptext in zip(ys, interaction_p):
            if ptext:
                col.text(0.0, y, ptext, va="center", fontsize=7.5)
    # One line each (long arm names would run into each other side by side): left-aligned the
    # experimental side, right-aligned the control side, under the axis label.
    ax.text(0.0, 0.30 / height, favours[0], transform=_blend_x_axes_y_figure(ax, fig), fontsize=7.5,
            ha="left", va="center")
    ax.text(1.0, 0.12 / height, favours[1], transform=_blend_x_axes_y_figure(ax, fig), fontsize=7.5,
            ha="right", va="center")
    return fig


def plot_cumulative_incidence(cr: CompetingRisks, arms: Sequence[str], labels: dict[str, str],
                              causes: dict[str, str], *, xlabel: str, ylabel: str) -> Figure:
    """Cumulative incidence step curves per arm: progression solid, death without
    progression dashed; arm colours as in the KM plots."""
    from hcctrials.reports.plots import ARM_COLOURS

    fig = plt.figure(figsize=(7.0, 4.0))
    ax = fig.add_axes((0.12, 0.14, 0.84, 0.80))
    styles = {str(PROGRESSION): "-", str(DEATH_WITHOUT_PROGRESSION): "--"}
    tmax = 0.0
    for i, arm in enumerate(arms):
        for cause, ls in styles.items():
            key = (arm, cause)
            if key not in cr.curves:
                continue
            c = cr.curves[key]
            ax.plot(c.time / DAYS_PER_MONTH, c.estimate, ls=ls, color=ARM_COLOURS[i],
                    lw=1.6, label=f"{labels[arm]}: {causes[cause]}")
            tmax = max(tmax, float(c.time.max()))
    ax.set_xlim(0, tmax / DAYS_PER_MONTH * 1.02 if tmax else 1)
    ax.set_ylim(0, 1.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    return fig


# ================================================================= report sections
# (imported lazily by hcctrials.reports.render to avoid an import cycle)

def _two(b: Any) -> TwoArmAnalysis:
    cached = getattr(b, "_two_arm", None)
    if cached is None:
        an: StudyAnalysis = b.analysis
        cached = analyse_two_arms(b.study, analysis_set="itt" if an.analysis_set == "itt"
                                  else "safety", strata=tuple(b.study.strata),
                                  conf_type=an.conf_type, analysis=an)
        b._two_arm = cached
    return cached


def _arm_legend(b: Any, t: TwoArmAnalysis, lang: str) -> dict[str, str]:
    return {a: arm_label(a, lang) for a in t.arms}


def section_km_by_arm(b: Any) -> Any:
    """KM by arm (PFS, TTP, OS) with numbers at risk per arm, HR with CI and log-rank p on
    the plot, and the summary table by arm."""
    from hcctrials.reports.plots import KmGroup, plot_km
    from hcctrials.reports.render import Section

    t = _two(b)
    P, L = b.plot_lang, b.lang
    strat = strata_text(t.strata, L)
    tab = b.table(b.say("Time-to-event endpoints by arm ({set})", set=short_set_name(t.analysis_set, L)),
                  [b.say("Endpoint"), b.say("Arm"), b.say("N"), b.say("Events, n"),
                   b.say("Median, months (95% CI)"), b.say("6-month rate, % (95% CI)"),
                   b.say("12-month rate, % (95% CI)"),
                   b.say("Hazard ratio (95% CI); p")], text_columns=2)
    figures = []
    for code, e in t.endpoints.items():
        name = endpoint_name(e.definition, L)
        for i, a in enumerate(t.arms):
            s = e.by_arm[a]
            hr = (f"{hr_text(e.cox, L)}; {log_rank_text(e.log_rank, L)}" if i == 0 else "")
            tab.add(name if i == 0 else "", arm_label(a, L), s.n, s.events, median_text(s, L),
                    landmark_text(s, 0, L), landmark_text(s, 1, L), hr)
        groups = [KmGroup(arm_label(a, P), e.by_arm[a],
                          say("{arm}: {events} events / {n} subjects", P, arm=arm_label(a, P),
                              events=e.by_arm[a].events, n=e.by_arm[a].n)) for a in t.arms]
        start = say("randomisation", P) if t.analysis_set != "safety" else say("first dose", P)
        fig = plot_km(groups, ylabel=say("{endpoint} (probability)", P,
                                         endpoint=endpoint_name(e.definition, P)),
                      xlabel=say("Months since {start}", P, start=start),
                      at_risk_label=say("Number at risk", P), censored_label=say("Censored", P))
        on_plot = f"{hr_text(e.cox, P)}\n{log_rank_text(e.log_rank, P)}"
        fig.axes[0].text(0.02, 0.04, on_plot, transform=fig.axes[0].transAxes, fontsize=8.5,
                         va="bottom", ha="left",
                         bbox={"facecolor": "white", "edgecolor": "#999999", "alpha": 0.9})
        e_, c_ = (e.by_arm[a] for a in t.arms)
        strat_txt = b.say(" stratified by {strata}", strata=strat) if strat else ""
        caption = b.say(
            "Kaplan-Meier estimate of {endpoint} by arm ({set}). {exp}: {exp_events} events in "
            "{exp_n} subjects, median {exp_median}; {ctl}: {ctl_events} events in {ctl_n} "
            "subjects, median {ctl_median}. {hr}, Cox model{strat}; {logrank}. Numbers at "
            "risk per arm below the axis.", endpoint=name, set=short_set_name(t.analysis_set, L),
            exp=arm_label(t.experimental_arm, L), exp_events=e_.events, exp_n=e_.n,
            exp_median=median_text(e_, L, unit=True), ctl=arm_label(t.control_arm, L),
            ctl_events=c_.events, ctl_n=c_.n, ctl_median=median_text(c_, L, unit=True),
            hr=hr_text(e.cox, L), strat=strat_txt, logrank=log_rank_text(e.log_rank, L))
        alt = b.say("Kaplan-Meier curves of {endpoint} for two arms: {exp} median {exp_median}, "
                    "{ctl} median {ctl_median}; {hr}; {logrank}.", endpoint=name,
                    exp=arm_label(t.experimental_arm, L), exp_median=median_text(e_, L, unit=True),
                    ctl=arm_label(t.control_arm, L), ctl_median=median_text(c_, L, unit=True),
                    hr=hr_text(e.cox, L), logrank=log_rank_text(e.log_rank, L))
        figures.append(b.figure(fig, caption, alt))
    tab.notes.append(b.say(
        "Hazard ratio of {exp} against {ctl} from a Cox model (Efron ties){strat}, Wald 95% CI; "
        "p from the log-rank test. Medians by Kaplan-Meier with Brookmeyer-Crowley CIs ({band} "
        "transformation); months = days / 30.4375.", exp=arm_label(t.experimental_arm, L),
        ctl=arm_label(t.control_arm, L),
        strat=b.say(" stratified by {strata}", strata=strat) if strat else "", band=t.conf_type))
    ph = b.table(b.say("Tests of the hazard ratio and of proportional hazards"),
                 [b.say("Endpoint"), b.say("Wald p"), b.say("Score (log-rank) p"),
                  b.say("Likelihood-ratio p"), b.say("Proportional hazards (cox.zph) p")])
    for code, e in t.endpoints.items():
        ph.add(endpoint_name(e.definition, L), format_p(e.cox.wald.p_value),
               format_p(e.cox.score.p_value), format_p(e.cox.likelihood_ratio.p_value),
               format_p(e.zph.global_test.p_value))
    ph.notes.append(b.say("cox.zph: score test of a time-varying coefficient (Grambsch and "
                          "Therneau 1994; time transformed by the Kaplan-Meier estimate); a small "
                          "p suggests that the hazard ratio changes over time."))
    return Section("two_arm_tte", b.say("Time-to-event endpoints by arm"), "tables",
                   tables=[tab, ph], figures=figures)


def factor_name(column: str, lang: str) -> str:
    """A subgroup or stratification column in words (the column name when unknown)."""
    names = {"sex": say("Sex", lang), "age": say("Age, years", lang),
             "ecog": say("ECOG performance status", lang), "bclc": say("BCLC stage", lang),
             "afp400": say("AFP, ng/mL", lang)}
    return names.get(column, column)


def strata_text(columns: Sequence[str], lang: str) -> str:
    return ", ".join(factor_name(c, lang) for c in columns)


def _factor_label(f: str, level: str, lang: str) -> str:
    if f == "all":
        return say("All subjects", lang)
    names = {f: factor_name(f, lang)}
    levels = {("sex", "F"): say("Female", lang), ("sex", "M"): say("Male", lang)}
    shown = levels.get((f, level), level)
    return say("{factor}: {level}", lang, factor=names.get(f, f), level=shown)


def section_forest(b: Any) -> Any:
    """Forest plot of the Cox HR (experimental vs control) across subgroups and strata."""
    from hcctrials.reports.render import Section

    t = _two(b)
    P, L = b.plot_lang, b.lang
    figures = []
    tab = b.table(b.say("Hazard ratio by subgroup"),
                  [b.say("Endpoint"), b.say("Subgroup"), b.say("N"), b.say("Events, n"),
                   b.say("Hazard ratio (95% CI)"), b.say("Interaction p")], text_columns=2)
    for code, rows in t.subgroups.items():
        e = t.endpoints[code]
        ne = say("not estimable", P)
        tests = t.interactions.get(code, {})
        # The interaction p stands on the first row of each factor.
        first = {r.factor: i for i, r in reversed(list(enumerate(rows))) if r.factor != "all"}

        def p_cell(i: int, r: SubgroupEstimate, lang: str) -> str:
            if first.get(r.factor) != i:
                return ""
            it = tests.get(r.factor)
            return say("not estimable", lang) if it is None else format_p(it.p_value)

        fig = plot_forest(rows, [f"{_factor_label(r.factor, r.level, P)} (n = {r.n})" for r in rows],
                          xlabel=say("Hazard ratio ({exp} vs {ctl}), log scale", P,
                                     exp=arm_label(t.experimental_arm, P),
                                     ctl=arm_label(t.control_arm, P)),
                          favours=(say("favours {arm}", P, arm=arm_label(t.experimental_arm, P)),
                                   say("favours {arm}", P, arm=arm_label(t.control_arm, P))),
                          overall_hr=rows[0].hazard_ratio, ne_label=ne,
                          interaction_p=[p_cell(i, r, P) for i, r in enumerate(rows)],
                          interaction_title=say("Interaction p", P))
        for i, r in enumerate(rows):
            hr = (say("{hr} ({lower} to {upper})", L, hr=f"{r.hazard_ratio:.2f}",
                      lower=f"{r.lower:.2f}", upper=f"{r.upper:.2f}")
                  if r.hazard_ratio is not None else say("not estimable", L))
            tab.add(endpoint_name(e.definition, L), _factor_label(r.factor, r.level, L), r.n,
                    r.events, hr, p_cell(i, r, L))
        est = [r for r in rows[1:] if r.hazard_ratio is not None]
        lo = min((r.hazard_ratio for r in est if r.hazard_ratio is not None), default=None)
        hi = max((r.hazard_ratio for r in est if r.hazard_ratio is not None), default=None)
        name = endpoint_name(e.definition, L)
        overall = rows[0]
        ov = (f"{overall.hazard_ratio:.2f}" if overall.hazard_ratio is not None
              else say("not estimable", L))
        rng = (say("{lower} to {upper}", L, lower=f"{lo:.2f}", upper=f"{hi:.2f}")
               if lo is not None and hi is not None else "-")
        caption = b.say("Forest plot of the hazard ratio of {endpoint} ({exp} vs {ctl}) in {k} "
                        "subgroups defined by the stratification factors and baseline "
                        "characteristics; squares: HR (area by subgroup size), lines: 95% CI, "
                        "dashed: overall HR {overall} (unstratified Cox model).",
                        endpoint=name, exp=arm_label(t.experimental_arm, L),
                        ctl=arm_label(t.control_arm, L), k=len(rows) - 1, overall=ov)
        caption = caption + " " + b.say("Right-hand column: p-value of the treatment x subgroup "
                                        "interaction.")
        alt = b.say("Forest plot of {endpoint}: overall hazard ratio {overall}; subgroup hazard "
                    "ratios from {range}.", endpoint=name, overall=ov, range=rng)
        figures.append(b.figure(fig, caption, alt))
    tab.notes.append(b.say("Unstratified Cox model (Efron ties) within each subgroup; not "
                           "estimable where an arm has no subject or no event. Subgroups are "
                           "exploratory."))
    tab.notes.append(b.say("Interaction p: likelihood-ratio test of the treatment x subgroup "
                           "interaction in the Cox model (main effects of arm and subgroup against "
                           "the model with their interaction; R anova of the two coxph fits), "
                           "shown on the first row of each factor."))
    return Section("forest", b.say("Hazard ratio by subgroup"), "tables", tables=[tab],
                   figures=figures)


def section_rmst(b: Any) -> Any:
    """Restricted mean survival time per arm and difference / ratio (survRM2)."""
    from hcctrials.reports.render import Section

    t = _two(b)
    L = b.lang
    tau = months(t.tau_days, 0)
    tab = b.table(b.say("Restricted mean survival time to {tau} months", tau=tau),
                  [b.say("Endpoint"), b.say("{arm}, months (95% CI)", arm=arm_label(t.experimental_arm, L)),
                   b.say("{arm}, months (95% CI)", arm=arm_label(t.control_arm, L)),
                   b.say("Difference, months (95% CI); p"), b.say("Ratio (95% CI); p")])
    for code, e in t.endpoints.items():
        r = e.rmst
        name = endpoint_name(e.definition, L)
        if r is None:
            na = b.say("not estimable: follow-up of an arm ends at {limit} months",
                       limit=months(e.rmst_limit_days))
            tab.add(name, na, "-", "-", "-")
            continue

        def ci(m: float, lo: float, up: float) -> str:
            return say("{value} ({lower} to {upper})", L, value=months(m, 2), lower=months(lo, 2),
                       upper=months(up, 2))

        d, q = r.difference, r.ratio
        tab.add(name, ci(r.experimental.rmst, r.experimental.lower, r.experimental.upper),
                ci(r.reference.rmst, r.reference.lower, r.reference.upper),
                f"{ci(d.estimate, d.lower, d.upper)}; p = {format_p(d.p_value)}",
                say("{value} ({lower} to {upper})", L, value=f"{q.estimate:.3f}",
                    lower=f"{q.lower:.3f}", upper=f"{q.upper:.3f}") + f"; p = {format_p(q.p_value)}")
    tab.notes.append(b.say("Area under the Kaplan-Meier curve up to tau (R survival print(fit, "
                           "rmean = tau)); difference and ratio as survRM2 (Uno et al. 2014), "
                           "normal CI on the difference and on the log ratio."))
    return Section("rmst", b.say("Restricted mean survival time"), "tables", tables=[tab])


def section_cumulative_incidence(b: Any) -> Any | None:
    """Cumulative incidence of progression with death without progression as competing
    event, by arm (Aalen-Johansen; Gray's test)."""
    from hcctrials.reports.render import Section

    t = _two(b)
    cr = t.competing
    if cr is None:
        return None
    P, L = b.plot_lang, b.lang
    causes_p = {str(PROGRESSION): say("progression", P),
                str(DEATH_WITHOUT_PROGRESSION): say("death without progression", P)}
    start = say("randomisation", P) if t.analysis_set != "safety" else say("first dose", P)
    fig = plot_cumulative_incidence(cr, t.arms, _arm_legend(b, t, P), causes_p,
                                    xlabel=say("Months since {start}", P, start=start),
                                    ylabel=say("Cumulative incidence", P))
    tab = b.table(b.say("Cumulative incidence of progression (competing risk: death without "
                        "progression)"),
                  [b.say("Arm"), b.say("Cause"), b.say("Events, n"),
                   b.say("6 months, % (95% CI)"), b.say("12 months, % (95% CI)")], text_columns=2)
    causes_l = {str(PROGRESSION): say("progression", L),
                str(DEATH_WITHOUT_PROGRESSION): say("death without progression", L)}
    at12: dict[str, str] = {}
    for a in t.arms:
        for cause, cname in causes_l.items():
            c = cr.curves.get((a, cause))
            if c is None:
                continue
            cells = []
            for months_ in (6, 12):
                est, var = c.at([months_ * DAYS_PER_MONTH])
                if not np.isfinite(est[0]):
                    cells.append(say("not estimable", L))
                    continue
                se = float(np.sqrt(max(var[0], 0.0)))
                lo, up = max(0.0, est[0] - 1.959963984540054 * se), min(1.0, est[0] + 1.959963984540054 * se)
                cells.append(say("{rate}% (95% CI {lower} to {upper})", L, rate=f"{100 * est[0]:.1f}",
                                 lower=f"{100 * lo:.1f}", upper=f"{100 * up:.1f}"))
                if months_ == 12 and cause == str(PROGRESSION):
                    at12[a] = f"{100 * est[0]:.1f}%"
            tab.add(arm_label(a, L), cname, c.events, *cells)
    gray = next((g for g in cr.tests if g.cause == str(PROGRESSION)), None)
    gp = format_p(gray.p_value) if gray is not None else "-"
    tab.notes.append(b.say("Aalen-Johansen estimates with Gray's variance (R cmprsk cuminc); "
                           "plain normal 95% CI. Gray's test for progression: p = {p}.", p=gp))
    fg = t.fine_gray
    if fg is not None:
        tab.notes.append(b.say("Fine-Gray subdistribution hazard ratio of progression, {exp} vs {ctl}: {hr} (95% CI "
                               "{lower} to {upper}), p = {p} (R cmprsk crr).", exp=arm_label(t.experimental_arm, L),
                               ctl=arm_label(t.control_arm, L), hr=f"{fg.hazard_ratio:.3f}",
                               lower=f"{fg.lower:.3f}", upper=f"{fg.upper:.3f}", p=format_p(fg.p_value)))
    caption = b.say("Cumulative incidence of progression (solid) and of death without "
                    "progression (dashed) by arm; Gray's test for progression p = {p}.", p=gp)
    alt = b.say("Cumulative incidence curves of progression by arm: at 12 months {exp} {exp12}, "
                "{ctl} {ctl12}; Gray's test p = {p}.", exp=arm_label(t.experimental_arm, L),
                exp12=at12.get(t.experimental_arm, "-"), ctl=arm_label(t.control_arm, L),
                ctl12=at12.get(t.control_arm, "-"), p=gp)
    return Section("cuminc", b.say("Progression with death as competing risk"), "tables",
                   tables=[tab], figures=[b.figure(fig, caption, alt)])


def section_response_by_arm(b: Any) -> Any:
    """ORR and DCR by arm (Clopper-Pearson), their Miettinen-Nurminen difference and the
    stratified CMH analysis."""
    from hcctrials.reports.render import Section

    t = _two(b)
    L = b.lang
    crit = b.say(t.criteria_title) if t.criteria_title else t.criteria
    tab = b.table(b.say("Response rates by arm ({criteria}, confirmed)", criteria=crit),
                  [b.say("Rate"), b.say("{arm}, n/N (%, 95% CI)", arm=arm_label(t.experimental_arm, L)),
                   b.say("{arm}, n/N (%, 95% CI)", arm=arm_label(t.control_arm, L)),
                   b.say("Difference, % points (95% CI)"),
                   b.say("Stratified (CMH): odds ratio (95% CI); p")])
    names = {"ORR": b.say("Objective response rate (CR + PR)"),
             "DCR": b.say("Disease control rate (CR + PR + SD)")}
    for name, r in t.rates.items():
        cells = []
        for a in t.arms:
            p = r.by_arm[a]
            cells.append(say("{count}/{n} ({rate}, {lower} to {upper})", L, count=p.count, n=p.n,
                             rate=f"{100 * (p.estimate or 0):.1f}",
                             lower=f"{100 * (p.lower or 0):.1f}", upper=f"{100 * (p.upper or 0):.1f}"))
        d = r.difference
        s = r.stratified
        cmh = (say("{value} ({lower} to {upper})", L, value=f"{s.odds_ratio:.2f}",
                   lower=f"{s.odds_ratio_lower:.2f}", upper=f"{s.odds_ratio_upper:.2f}")
               + f"; p = {format_p(s.cmh_p_value)}") if s is not None else "-"
        tab.add(names[name], *cells,
                say("{value} ({lower} to {upper})", L, value=f"{100 * d.estimate:+.1f}",
                    lower=f"{100 * d.lower:.1f}", upper=f"{100 * d.upper:.1f}"), cmh)
    tab.notes.append(b.say("Exact Clopper-Pearson CIs per arm; difference with the "
                           "Miettinen-Nurminen score CI (1985); Mantel-Haenszel odds ratio with "
                           "the Robins-Breslow-Greenland CI and the CMH test over the strata "
                           "{strata}.", strata=strata_text(t.strata, L) or "-"))
    return Section("response_by_arm", b.say("Tumour response by arm"), "tables", tables=[tab])


def section_flow_by_arm(b: Any) -> Any:
    """CONSORT 2010 flow diagram of a two-arm randomised trial (Schulz 2010, item 13 and its
    figure): screened and screen failures by reason, randomised, then per arm: allocated,
    treated (by the treatment received), discontinued treatment by reason, on treatment at the
    data cut-off, and the analysis sets (intention to treat by randomised arm; safety by the
    treatment received).  Counts from :func:`hcctrials.endpoints.study.derive_subject_flow`; the
    per-arm discontinuations from the treated subjects' end-of-treatment reasons."""
    from hcctrials.reports.i18n import data_text
    from hcctrials.reports.render import Section

    L = b.lang
    t = _two(b)
    flow = b.analysis.flow
    n = {str(k): int(v) for k, v in flow.groupby("stage")["n"].sum().items()}

    def per_arm(stage: str) -> dict[str, int]:
        rows = flow[flow["stage"] == stage]
        return {str(r): int(k) for r, k in zip(rows["reason"], rows["n"])}

    fails = flow[flow["stage"] == "screen_failure_reason"]
    steps = [
        {"main": {"label": b.say("Screened"), "n": n.get("screened", 0)},
         "side": {"label": b.say("Screen failures"), "n": n.get("screen_failure", 0),
                  "reasons": [{"label": data_text(r, L), "n": int(k)} for r, k in zip(fails["reason"], fails["n"])]}},
        {"main": {"label": b.say("Randomised"), "n": n.get("randomised", 0)}, "side": None},
    ]
    allocated, treated_n = per_arm("randomised_arm"), per_arm("treated_arm")
    treated = b.study.treated
    arm_col = "actual_arm" if "actual_arm" in treated.columns else "arm"
    reasons = treated.get("end_of_treatment_reason", pd.Series("not stated", index=treated.index)).fillna("Ongoing")
    arms = []
    for arm in t.arms:
        mine = reasons[treated[arm_col] == arm]
        stopped = mine[~mine.eq("Ongoing")]
        arms.append({"label": arm_label(arm, L), "boxes": [
            {"label": b.say("Allocated to {arm}", arm=arm_label(arm, L)), "n": allocated.get(arm, 0), "reasons": []},
            {"label": b.say("Treated (treatment received)"), "n": treated_n.get(arm, 0), "reasons": []},
            {"label": b.say("Discontinued treatment"), "n": len(stopped),
             "reasons": [{"label": data_text(str(r), L), "n": int(k)} for r, k in stopped.value_counts().items()]},
            {"label": b.say("On treatment at data cut-off"), "n": int(mine.eq("Ongoing").sum()), "reasons": []},
            {"label": b.say("Analysed: intention to treat"), "n": allocated.get(arm, 0), "reasons": []},
            {"label": b.say("Analysed: safety set"), "n": treated_n.get(arm, 0), "reasons": []},
        ]})
    return Section("flow", b.say("Subject flow (CONSORT)"), "flow", data={"steps": steps, "sets": [], "arms": arms})


def _section_safety(b: Any) -> Any:
    from hcctrials.reports.render import section_safety

    return section_safety(b)


def _section_exposure(b: Any) -> Any:
    from hcctrials.reports.render import section_exposure

    return section_exposure(b)


def section_baseline_by_arm(b: Any) -> Any:
    """Baseline characteristics of the randomised subjects by randomised arm and in total (CONSORT
    2010 item 15, ICH E3 11.2: the intention-to-treat set, as randomised), categories in clinical
    order (:func:`hcctrials.reports.baseline.derive_baseline_table` per column); a category absent
    from one arm reads 0 (0.0) there."""
    from hcctrials.endpoints.study import derive_analysis_sets
    from hcctrials.reports.baseline import derive_baseline_table
    from hcctrials.reports.render import Section

    L = b.lang
    t = _two(b)
    sets = derive_analysis_sets(b.study)
    itt = set(sets.loc[sets["ITTFL"] == "Y", "subject_id"].astype(str))
    subjects = b.study.subjects[b.study.subjects["subject_id"].astype(str).isin(itt)]
    total, notes = derive_baseline_table(subjects, lang=L)
    columns = [subjects[subjects["arm"] == a] for a in t.arms]
    by_arm = []
    for frame in columns:
        groups, _ = derive_baseline_table(frame, lang=L)
        by_arm.append({(g.characteristic, c): v for g in groups for c, v in g.rows})
    header = [b.say("Characteristic"),
              *(b.say("{arm} (N = {n})", arm=arm_label(a, L), n=len(f)) for a, f in zip(t.arms, columns)),
              b.say("Total (N = {n})", n=len(subjects))]
    tab = b.table(b.say("Baseline characteristics by randomised arm, intention-to-treat set (N = {n})",
                        n=len(subjects)), header)
    median = b.say("median (range)")
    for g in total:
        if len(g.rows) == 1 and g.rows[0][0] == median:
            tab.add(g.characteristic, *(m.get((g.characteristic, median), "-") for m in by_arm), g.rows[0][1])
            continue
        tab.add(g.characteristic, *([""] * (len(by_arm) + 1)), group=True)
        for category, value in g.rows:
            tab.add(category, *(m.get((g.characteristic, category), "0 (0.0)") for m in by_arm), value, level=1)
    tab.notes += notes
    tab.notes.append(b.say("Continuous characteristics: median (range); categories: n (%), percentages of the "
                           "subjects in each column. BCLC: Barcelona Clinic Liver Cancer 2022; CNLC: China "
                           "liver cancer staging 2024; ALBI: albumin-bilirubin grade."))
    return Section("baseline", b.say("Baseline characteristics"), "tables", tables=[tab])


#: The two-arm report, in order (a tuple of section builders for ``build_report``).
TWO_ARM_SECTIONS = (
    section_flow_by_arm, section_baseline_by_arm, section_km_by_arm, section_forest, section_rmst,
    section_cumulative_incidence, section_response_by_arm, _section_safety, _section_exposure,
)
