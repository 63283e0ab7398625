"""Named, printable criteria: one readable line per node (for ``criteria show`` and reviews).

``describe(node)`` renders a tree as text such as
``all of (ANC >= 1.5 10^9/L; platelets >= 40 10^9/L)`` or ``not (prior therapy: classes pdl1;
agents apatinib)``; ``LEAF_DESCRIPTIONS`` names every leaf kind for the docs and the CLI.
"""

from __future__ import annotations

from hcctrials.model.eligibility import (
    Administrative,
    Age,
    Albi,
    AllOf,
    Allergy,
    AnyOf,
    ChildPugh,
    Diagnosis,
    Ecog,
    HistoryCondition,
    LabThreshold,
    LifeExpectancy,
    LiverFeature,
    NeedsReview,
    Node,
    Not,
    Pregnancy,
    PriorTherapy,
    Sex,
    Stage,
    TumourFeature,
    Virology,
)

__all__ = ["describe", "LEAF_DESCRIPTIONS", "ANALYTE_LABELS"]

LEAF_DESCRIPTIONS: dict[str, str] = {
    "lab": "a laboratory value against an absolute threshold (with unit) or a multiple of the lab's ULN",
    "age": "age in completed years on the evaluation date within a range",
    "sex": "sex in the allowed set",
    "ecog": "ECOG performance status in the allowed set",
    "child_pugh": "Child-Pugh total points in the allowed set (A = 5-6, B7 = 7)",
    "albi": "ALBI grade (1, 2, 3; mALBI 2a/2b)",
    "stage": "BCLC or CNLC stage in the allowed set",
    "diagnosis": "how HCC was confirmed / the histological type",
    "tumour_feature": "a tumour feature (measurable disease, PVTT, main-trunk PVTT, extrahepatic spread, CNS metastasis ...)",
    "liver_feature": "a clinical liver item (ascites, encephalopathy, varices)",
    "prior_therapy": "prior therapy by drug or class, counted in regimens/lines/agents, with windows and progression",
    "history": "a comorbidity or history item, active or ever, with a look-back window",
    "virology": "HBV/HCV/HIV status (HBsAg with HBV DNA threshold and antiviral therapy)",
    "pregnancy": "pregnant or breastfeeding",
    "life_expectancy": "life expectancy at least N weeks",
    "allergy": "known allergy to the trial drugs, a drug or a class",
    "administrative": "consent, contraception, compliance, investigator judgement (listed, never blocking)",
    "needs_review": "text the compiler could not turn into a rule (kept with the reason)",
    "other_malignancy": "another malignancy (active or within a window) not covered by the listed exceptions "
                        "(types such as basal cell skin cancer or cervical carcinoma in situ; curatively treated; disease-free for N years)",
    "heart_failure_nyha": "heart failure of NYHA class N or worse",
    "urine_dipstick": "urine protein by dipstick against a grade (negative 0, trace 0.5, 1+ ... 4+)",
    "residual_toxicity": "unresolved adverse events of prior anticancer therapy of CTCAE grade N or higher (alopecia not counted)",
    "treatment_candidate": "candidate for curative resection or liver transplantation",
}

ANALYTE_LABELS = {
    "anc": "ANC", "platelets": "platelets", "hemoglobin": "haemoglobin", "wbc": "WBC",
    "lymphocytes": "lymphocytes", "bilirubin_total": "total bilirubin", "albumin": "albumin", "alt": "ALT",
    "ast": "AST", "creatinine": "creatinine", "creatinine_clearance": "creatinine clearance", "inr": "INR",
    "aptt": "APTT", "pt": "PT", "afp": "AFP", "hbv_dna": "HBV DNA", "systolic_bp": "systolic BP", "diastolic_bp": "diastolic BP",
}


def _cmp(c: str) -> str:
    return {"<=": "≤", ">=": "≥", "==": "="}.get(c, c)


def describe(node: Node) -> str:  # noqa: C901 - one branch per node kind, flat by design
    """One readable line for *node*."""
    if isinstance(node, AllOf):
        return "all of (" + "; ".join(describe(c) for c in node.children) + ")"
    if isinstance(node, AnyOf):
        return "any of (" + "; ".join(describe(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return "not (" + describe(node.child) + ")"
    if isinstance(node, LabThreshold):
        name = ANALYTE_LABELS.get(node.analyte, node.analyte)
        if node.uln_multiple is not None:
            thr = f"{node.uln_multiple:g}×ULN"
        else:
            thr = f"{node.value:g}" + (f" {node.unit}" if node.unit else "")
        window = f" (within {node.look_back_days} d)" if node.look_back_days else ""
        return f"{name} {_cmp(node.comparator)} {thr}{window}"
    if isinstance(node, Age):
        lo = "" if node.min_years is None else f"{'≥' if node.min_inclusive else '>'} {node.min_years:g}"
        hi = "" if node.max_years is None else f"{'≤' if node.max_inclusive else '<'} {node.max_years:g}"
        return "age " + " and ".join(x for x in (lo, hi) if x) + " years"
    if isinstance(node, Sex):
        return "sex " + "/".join(node.allowed)
    if isinstance(node, Ecog):
        return "ECOG in {" + ",".join(str(x) for x in node.allowed) + "}"
    if isinstance(node, ChildPugh):
        return "Child-Pugh points in {" + ",".join(str(x) for x in node.allowed_points) + "}"
    if isinstance(node, Albi):
        return "ALBI grade in {" + ",".join(node.grades) + "}"
    if isinstance(node, Stage):
        return f"{node.system.upper()} stage in {{{','.join(node.allowed)}}}"
    if isinstance(node, Diagnosis):
        parts = []
        if node.confirmed_by:
            parts.append("confirmed by " + "/".join(node.confirmed_by))
        if node.histology:
            parts.append("histology " + "/".join(node.histology))
        return "diagnosis " + ", ".join(parts)
    if isinstance(node, TumourFeature):
        levels = f" ({'/'.join(node.pvtt_levels)})" if node.pvtt_levels else ""
        return f"tumour: {node.feature}{levels}"
    if isinstance(node, LiverFeature):
        return f"liver: {node.feature}"
    if isinstance(node, PriorTherapy):
        what = []
        if node.agents:
            what.append("agents " + "/".join(node.agents))
        if node.classes:
            what.append("classes " + "/".join(node.classes))
        if node.kinds:
            what.append("kinds " + "/".join(node.kinds))
        if node.investigational:
            what.append("investigational")
        text = "prior therapy: " + ("; ".join(what) or "any")
        if (node.count_comparator, node.count_value) != (">=", 1):
            text += f", {node.count_unit} {_cmp(node.count_comparator)} {node.count_value}"
        if node.require_progression:
            text += ", with progression"
        if node.within_days is not None:
            text += f", within {node.within_days} d"
            if node.half_lives:
                text += f" or {node.half_lives:g} half-lives" + (" (whichever is longer)" if node.whichever_longer else "")
        return text
    if isinstance(node, HistoryCondition):
        text = f"history: {'/'.join(node.codes)} ({node.status})"
        if node.look_back_days is not None:
            text += f" within {node.look_back_days} d"
        if node.requires_systemic_treatment:
            text += " requiring systemic treatment"
        return text
    if isinstance(node, Virology):
        if node.marker == "hbv_controlled":
            text = f"HBV controlled: HBsAg negative, or HBV DNA < {node.hbv_dna_max_iu_ml:g} IU/mL"
            if node.require_antiviral:
                text += " on antiviral therapy"
                if node.antiviral_min_days:
                    text += f" for ≥ {node.antiviral_min_days} d"
            return text
        return f"virology: {node.marker} positive"
    if isinstance(node, Pregnancy):
        return "pregnant" + (" or breastfeeding" if node.include_lactation else "")
    if isinstance(node, LifeExpectancy):
        return f"life expectancy {'≥' if node.inclusive else '>'} {node.min_weeks:g} weeks"
    if isinstance(node, Allergy):
        what = [*node.agents, *node.classes] + (["the trial drugs"] if node.trial_drugs else [])
        return "allergy to " + "/".join(what)
    if isinstance(node, Administrative):
        return f"administrative ({node.category})"
    if isinstance(node, NeedsReview):
        return f"NEEDS REVIEW: {node.reason}"
    return _describe_extra(node)


def _describe_extra(node: Node) -> str:
    from hcctrials.model.eligibility import (
        HeartFailureNyha,
        OtherMalignancy,
        ResidualToxicity,
        TreatmentCandidate,
        UrineDipstick,
    )

    if isinstance(node, OtherMalignancy):
        text = f"other malignancy ({node.status})"
        if node.look_back_days is not None:
            text += f" within {node.look_back_days} d"
        excs = []
        for e in node.exceptions:
            what = "/".join(e.types) or "any type"
            if e.treated_required:
                what += " treated with curative intent"
            if e.min_days_disease_free is not None:
                what += f" disease-free ≥ {e.min_days_disease_free} d"
            excs.append(what)
        return text + (", except " + "; ".join(excs) if excs else "")
    if isinstance(node, HeartFailureNyha):
        return f"heart failure NYHA class ≥ {node.min_class}"
    if isinstance(node, UrineDipstick):
        return f"urine protein dipstick {_cmp(node.comparator)} {node.grade:g}+"
    if isinstance(node, ResidualToxicity):
        return f"unresolved toxicity of prior therapy, CTCAE grade ≥ {node.min_grade}"
    if isinstance(node, TreatmentCandidate):
        return f"candidate for {'curative resection' if node.treatment == 'resection' else 'liver transplantation'}"
    return node.kind  # pragma: no cover
