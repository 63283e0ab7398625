"""Shared builders for the criteria tests: a patient who meets a typical 2L HCC trial, varied per test."""

from __future__ import annotations

from datetime import date
from collections.abc import Callable
from typing import Any

from hcctrials.model.patient import (
    Condition, Diagnosis, LabResult, LiverFunction, Patient, TherapyLine, TumourBurden, Virology,
)

AS_OF = date(2026, 3, 10)
LAB_DAY = date(2026, 3, 1)


def lab(analyte: str, value: float, unit: str | None, *, uln: float | None = None, day: date = LAB_DAY,
        qualifier: str | None = None) -> LabResult:
    return LabResult(analyte=analyte, value=value, unit=unit, uln=uln, date=day, qualifier=qualifier)  # type: ignore[arg-type]


def base_labs() -> dict[str, LabResult]:
    return {
        "anc": lab("anc", 2.5, "10^9/L"), "platelets": lab("platelets", 120, "10^9/L"),
        "hemoglobin": lab("hemoglobin", 12.5, "g/dL"), "wbc": lab("wbc", 5.0, "10^9/L"),
        "lymphocytes": lab("lymphocytes", 1.5, "10^9/L"),
        "bilirubin_total": lab("bilirubin_total", 15, "umol/L", uln=21),
        "albumin": lab("albumin", 40, "g/L"), "inr": lab("inr", 1.1, None),
        "creatinine": lab("creatinine", 80, "umol/L", uln=110), "aptt": lab("aptt", 30, "s", uln=40),
        "alt": lab("alt", 35, "U/L", uln=40), "ast": lab("ast", 38, "U/L", uln=40),
        "systolic_bp": lab("systolic_bp", 125, "mmHg"), "diastolic_bp": lab("diastolic_bp", 80, "mmHg"),
    }


def make_patient(*, labs: dict[str, LabResult | None] | None = None, drop_labs: tuple[str, ...] = (),
                 **overrides: Any) -> Patient:
    """A 65-year-old man with HBV-related HCC, Child-Pugh A5, ECOG 1, progressed on atezolizumab +
    bevacizumab (one ICI regimen), history reviewed (unrecorded conditions are absent); every
    field can be overridden."""
    all_labs = base_labs()
    all_labs.update(labs or {})
    fields: dict[str, Any] = dict(
        patient_id="p-test", birth_date=date(1960, 5, 1), sex="male", ecog=1, life_expectancy_weeks=30,
        weight_kg=68,
        diagnosis=Diagnosis(confirmed_by="histology", histology="hcc", etiologies=["hbv"]),
        tumour=TumourBurden(measurable_disease=True, nodule_count=3, largest_diameter_cm=6.0, pvtt="vp2",
                            vascular_invasion=True, extrahepatic_spread=False, cns_metastasis=False,
                            liver_involvement_pct=30),
        liver=LiverFunction(ascites="none", encephalopathy="none", encephalopathy_history=False, varices="small"),
        virology=Virology(hbsag_positive=True, hbv_antiviral=True, hbv_antiviral_start=date(2024, 1, 1),
                          hiv_positive=False, hcv_rna_detectable=False),
        treatments=[TherapyLine(agents=["atezolizumab", "bevacizumab"], line=1, start=date(2025, 1, 10),
                                end=date(2026, 1, 20), progression_date=date(2026, 1, 20),
                                stop_reason="progression", best_response="PR")],
        conditions=[], history_reviewed=True, allergies=[], pregnant=None, breastfeeding=None,
    )
    fields.update(overrides)
    fields["labs"] = [v for k, v in all_labs.items() if v is not None and k not in drop_labs]
    if "hbv_dna" not in all_labs and "labs_extra" not in overrides:
        fields["labs"].append(lab("hbv_dna", 100, "IU/mL"))
    return Patient(**fields)


def cond(code: str, **kw: Any) -> Condition:
    return Condition(code=code, **kw)


def decided_right_or_review(got: str, expected: str) -> bool:
    """Precision first (issue 10): a criterion the compiler now sends to review is not a wrong
    answer; a decision that differs from the clinical reading is.  Coverage (how many of these are
    decided) is measured by ``benchmarks/criteria_labelled.py`` and ``benchmarks/criteria_coverage.py``."""
    return got == expected or got == "needs_review"


#: tumour burdens that stage as BCLC 2022 A, B and C (Child-Pugh A, ECOG 0; Reig et al., J Hepatol 2022)
BCLC_TUMOUR = {
    "A": TumourBurden(nodule_count=1, largest_diameter_cm=3.0, vascular_invasion=False, pvtt="vp0", extrahepatic_spread=False),
    "B": TumourBurden(nodule_count=5, largest_diameter_cm=4.0, vascular_invasion=False, pvtt="vp0", extrahepatic_spread=False),
    "C": TumourBurden(nodule_count=3, largest_diameter_cm=6.0, vascular_invasion=True, pvtt="vp3", extrahepatic_spread=False),
}


def compiled_status(text: str, role: str, patient: Patient) -> str:
    """The verdict of the criterion *text* for *patient* on AS_OF; the criterion must compile fully."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.criteria.compiler.compile import is_fully_compiled
    from hcctrials.criteria.compiler.describe import describe
    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts

    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


def stays_for_review(text: str, role: str) -> None:
    """Assert the criterion *text* compiles to needs review as a whole (a wrong rule is worse)."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.model.eligibility import NeedsReview

    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert isinstance(rule, NeedsReview), rule


#: the screening date of the labelled corpus (tests/criteria/corpus/README.md)
SCREENING = date(2026, 6, 1)


def screening_verdict(text: str, patient: dict[str, Any], *, role: str = "exclusion",
                      trial_drugs: tuple[str, ...] = ()) -> tuple[str, str]:
    """(status, reason and missing items) of the criterion *text* for a patient built from the
    partial record *patient*, on SCREENING."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts

    rule = compile_criterion(text, role=role, trial_drugs=trial_drugs)  # type: ignore[arg-type]
    v = evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p1", **patient}), SCREENING))
    return v.status, " | ".join((v.reason, *v.missing))


def exact_rule(text: str, role: str) -> Any:
    """The rule compiled from the criterion *text*, which must compile fully (no part left for review)."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.criteria.compiler.compile import is_fully_compiled
    from hcctrials.criteria.compiler.describe import describe

    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    return rule


def status_for(default_role: str) -> Callable[..., str]:
    """``status(text, patient, role=default_role)``: the verdict of the criterion *text* for a patient built from the
    partial record *patient*, on SCREENING (the family tests' shared shape; one default role per test file)."""
    def status(text: str, patient: dict[str, Any], role: str = default_role) -> str:
        return screening_verdict(text, patient, role=role)[0]
    return status


def review_check_for(default_role: str) -> Callable[..., bool]:
    """``needs_review(text, role=default_role)``: whether any part of the compiled criterion is left for review."""
    def needs_review(text: str, role: str = default_role) -> bool:
        from hcctrials.criteria import compile_criterion
        from hcctrials.model.eligibility import NeedsReview, walk

        return any(isinstance(n, NeedsReview) for n in walk(compile_criterion(text, role=role)))  # type: ignore[arg-type]
    return needs_review
