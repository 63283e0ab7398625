"""The column-wise evaluator gives exactly the scalar engine's verdicts (the key guarantee).

Random patients (hypothesis) are built from the bundled example patients and varied in every
field the leaf rules read: lab values, units (µmol/L vs mg/dL, /µL vs 10^9/L, missing, unknown),
censoring qualifiers, reference limits, dates inside and outside the look-back window, age, sex,
ECOG, liver items, tumour features, virology, therapy lines, conditions, pregnancy and allergies.
Catalogs: the seed trials, the HINT HCC subset (tests-only data) and the examples written here.
For every patient x trial the columnar status, unknown count and first failing criterion must equal
:func:`hcctrials.criteria.evaluate_trial`.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.criteria.evaluation.verdict import TRIAL_VERDICTS
from hcctrials.criteria import CompiledCatalog, compile_trial, evaluate_trial
from hcctrials.criteria.columnar import (
    ADMINISTRATIVE, MET, NEEDS_REVIEW, NOT_MET, UNKNOWN, ColumnarCatalog, FactColumns, evaluate_columnar,
)
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Condition, LabResult, Lesion, Patient, TherapyLine
from hcctrials.patients import load_patient
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path

AS_OF = date(2024, 3, 10)
EXAMPLES = Path(__file__).resolve().parents[3] / "src/hcctrials/datasets/patients"
NAMES = TRIAL_VERDICTS

# (analyte, units to draw from, low, high, ULN choices) - ranges around typical eligibility thresholds
LAB_SPECS = [
    ("bilirubin_total", ["umol/L", "µmol/L", "mg/dL", None, "furlongs"], 3, 80, [None, 17.1, 21.0]),
    ("albumin", ["g/L", "g/dL"], 2.0, 50, [None]),
    ("inr", [None, "1"], 0.8, 2.5, [None]),
    ("creatinine", ["umol/L", "mg/dL"], 0.5, 200, [None, 104.0, 84.0]),
    ("creatinine_clearance", ["mL/min"], 20, 120, [None]),
    ("platelets", ["10^9/L", "/uL", "×10^9/L"], 20, 300000, [None]),
    ("anc", ["10^9/L", "/uL"], 0.3, 5000, [None]),
    ("hemoglobin", ["g/dL", "g/L"], 6, 160, [None]),
    ("alt", ["U/L"], 10, 300, [None, 40.0, 50.0]),
    ("ast", ["U/L"], 10, 300, [None, 40.0]),
    ("hbv_dna", ["IU/mL", "copies/mL"], 10, 100000, [None]),
    ("wbc", ["10^9/L"], 1, 15, [None]),
    ("afp", ["ng/mL"], 1, 2000, [None]),
]
AGENTS = [["atezolizumab", "bevacizumab"], ["sintilimab"], ["sorafenib"], ["lenvatinib"], ["阿替利珠单抗"],
          ["durvalumab", "tremelimumab"], ["camrelizumab", "apatinib"], ["regorafenib"], ["unknownumab"],
          ["prednisone"], []]
CONDITIONS = ["autoimmune_disease", "organ_transplant", "hiv", "active_tuberculosis", "interstitial_lung_disease",
              "other_malignancy", "hepatic_encephalopathy", "gi_bleeding", "heart_failure", "pneumonitis",
              "non_healing_wound", "bone_fracture", "coronary_artery_disease", "arrhythmia", "spinal_cord_compression"]


@st.composite
def labs(draw: st.DrawFn) -> list[LabResult]:
    out = []
    for analyte, units, lo, hi, ulns in LAB_SPECS:
        for _ in range(draw(st.integers(0, 2))):
            value = max(lo, round(draw(st.floats(lo, hi)), draw(st.sampled_from([0, 1, 2]))))
            out.append(LabResult(
                analyte=analyte, value=value, unit=draw(st.sampled_from(units)),
                qualifier=draw(st.sampled_from([None, None, None, "<", ">="])), uln=draw(st.sampled_from(ulns)),
                date=draw(st.sampled_from([None, AS_OF, AS_OF - timedelta(days=10), AS_OF - timedelta(days=27),
                                           AS_OF - timedelta(days=40), AS_OF + timedelta(days=3)]))))
    for _ in range(draw(st.integers(0, 2))):  # categorical urine dipstick results (text, no value)
        out.append(LabResult(analyte="urine_protein", text=draw(st.sampled_from(["negative", "trace", "1+", "++",
                                                                                 "3+", "阴性", "unclear"])),
                             date=draw(st.sampled_from([None, AS_OF - timedelta(days=5), AS_OF - timedelta(days=60)]))))
    return out


@st.composite
def therapy(draw: st.DrawFn) -> TherapyLine:
    start = AS_OF - timedelta(days=draw(st.integers(-10, 900)))
    ended = draw(st.booleans())
    return TherapyLine(
        kind=draw(st.sampled_from(["systemic", "systemic", "locoregional", "surgery", "radiotherapy", "transplant"])),
        line=draw(st.sampled_from([None, 1, 2, 3])), agents=draw(st.sampled_from(AGENTS)),
        investigational=draw(st.sampled_from([None, True, False])), start=start,
        end=start + timedelta(days=draw(st.integers(1, 300))) if ended else None,
        ongoing=draw(st.sampled_from([None, True, False])),
        progression_date=draw(st.sampled_from([None, AS_OF - timedelta(days=20)])),
        stop_reason=draw(st.sampled_from([None, "progression", "toxicity"])),
        best_response=draw(st.sampled_from([None, "PR", "PD", "SD"])),
        half_life_days=draw(st.sampled_from([None, 5.0, 20.0])))


@st.composite
def condition(draw: st.DrawFn) -> Condition:
    return Condition(
        code=draw(st.sampled_from(CONDITIONS)),
        status=draw(st.sampled_from([None, "active", "controlled", "resolved", "history", "absent"])),
        onset=draw(st.sampled_from([None, AS_OF - timedelta(days=30), AS_OF - timedelta(days=2000)])),
        requires_systemic_treatment=draw(st.sampled_from([None, True, False])),
        resolved_on=draw(st.sampled_from([None, AS_OF - timedelta(days=400), AS_OF - timedelta(days=3000)])),
        cured=draw(st.sampled_from([None, True, False])), nyha_class=draw(st.sampled_from([None, 1, 2, 3, 4])),
        malignancy_type=draw(st.sampled_from([None, "skin_basal_cell", "cervix_in_situ", "thyroid_papillary",
                                              "other"])))


BASES = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]


@st.composite
def lesion(draw: st.DrawFn) -> Lesion:
    return Lesion(site=draw(st.sampled_from([None, "liver", "lymph_node"])),
                  longest_diameter_mm=draw(st.sampled_from([None, 8.0, 10.0, 25.0])),
                  short_axis_mm=draw(st.sampled_from([None, 12.0, 15.0])),
                  viable_diameter_mm=draw(st.sampled_from([None, 0.0, 9.0, 12.0])),
                  slice_thickness_mm=draw(st.sampled_from([None, 5.0, 7.0])),
                  locally_treated=draw(st.sampled_from([None, True, False])),
                  progressed_after_local_therapy=draw(st.sampled_from([None, True, False])))


@st.composite
def patients(draw: st.DrawFn) -> Patient:
    base = draw(st.sampled_from(BASES))
    maybe = lambda values: draw(st.sampled_from(values))  # noqa: E731
    update = {
        "patient_id": f"H{draw(st.integers(0, 10**6))}",
        "labs": draw(labs()) if draw(st.booleans()) else base.labs,
        "birth_date": maybe([None, date(1940, 1, 1), date(1960, 6, 1), date(2006, 3, 11), date(2006, 3, 10)]),
        "age_years": maybe([None, 17.0, 45.0, 80.0]),
        "sex": maybe([None, "female", "male"]), "ecog": maybe([None, 0, 1, 2, 3]),
        "life_expectancy_weeks": maybe([None, 8.0, 12.0, 30.0]),
        "pregnant": maybe([None, True, False]), "breastfeeding": maybe([None, False]),
        "history_reviewed": maybe([None, True, False]),
        "allergies": maybe([[], ["sintilimab"], ["PD-1 antibody"]]),
        "treatments": draw(st.lists(therapy(), max_size=3)) if draw(st.booleans()) else base.treatments,
        "conditions": draw(st.lists(condition(), max_size=3)),
        "weight_kg": maybe([None, 60.0]),
        "residual_toxicity_grade": maybe([None, 0, 1, 2, 3]),
        "liver": base.liver.model_copy(update={
            "ascites": maybe([None, "none", "mild", "moderate_severe"]),
            "encephalopathy": maybe([None, "none", "grade_1_2"]), "varices": maybe([None, "none", "large", "treated"]),
            "endoscopy_date": maybe([None, AS_OF - timedelta(days=30), AS_OF - timedelta(days=400)]),
            "variceal_bleeding_dates": maybe([[], [AS_OF - timedelta(days=60)], [AS_OF - timedelta(days=500)]]),
            "ascites_requires_paracentesis": maybe([None, True, False]),
            "child_pugh_recorded": maybe([None, "A", "B7", "C"])}),
        "tumour": base.tumour.model_copy(update={
            "pvtt": maybe([None, "vp0", "vp2", "vp4"]), "measurable_disease": maybe([None, True, False]),
            "extrahepatic_spread": maybe([None, True, False]), "liver_involvement_pct": maybe([None, 20.0, 60.0]),
            "cns_metastasis": maybe([None, True, False]), "cns_metastasis_treated_stable": maybe([None, True, False]),
            "measurable_disease_mrecist": maybe([None, True, False]), "pvtt_cheng": maybe([None, "ii", "iii"]),
            "hepatic_vein_invasion": maybe([None, True, False]), "nodule_count": maybe([None, 0, 2]),
            "lesions": draw(st.lists(lesion(), max_size=2))}),
        "virology": base.virology.model_copy(update={
            "hbsag_positive": maybe([None, True, False]), "hiv_positive": maybe([None, True, False]),
            "hcv_rna_detectable": maybe([None, True, False]), "hbv_antiviral": maybe([None, True, False])}),
        "diagnosis": base.diagnosis.model_copy(update={
            "histology": maybe([None, "hcc", "fibrolamellar"]), "bclc_stage": maybe([None, "B", "C"]),
            "resectable": maybe([None, True, False]), "transplant_candidate": maybe([None, True, False])}),
    }
    return Patient.model_validate({**base.model_dump(), **{k: v for k, v in update.items()}}
                                  | {"labs": [x.model_dump() for x in update["labs"]],
                                     "treatments": [x.model_dump() for x in update["treatments"]],
                                     "conditions": [x.model_dump() for x in update["conditions"]],
                                     "liver": update["liver"].model_dump(), "tumour": update["tumour"].model_dump(),
                                     "virology": update["virology"].model_dump(),
                                     "diagnosis": update["diagnosis"].model_dump()})


def _example_trials() -> list:  # type: ignore[type-arg]
    from hcctrials.model.trial import Trial

    texts = (["Age 18-75 years", "ECOG 0-1", "Child-Pugh A or B7", "Total bilirubin ≤ 1.5 × ULN",
              "Platelet count ≥ 75 × 10^9/L", "Creatinine ≤ 1.5 mg/dL or creatinine clearance ≥ 50 mL/min",
              "Albumin ≥ 2.8 g/dL", "BCLC stage B or C", "Life expectancy ≥ 12 weeks",
              "Disease progression on prior anti-PD-1 therapy", "Only one prior immune checkpoint inhibitor regimen",
              "HBV DNA < 500 IU/mL", "Toxicities of prior therapy recovered to grade ≤ 1 (except alopecia)",
              "Unresectable hepatocellular carcinoma", "At least 4 weeks since prior major surgery",
              "At least one measurable lesion per RECIST 1.1 that has not been previously treated with locoregional therapy",
              "Measurable disease according to mRECIST", "Measurable or evaluable disease", "PVTT Vp1-Vp3",
              "Upper endoscopy within 6 months"],
             ["Previously received PD-L1 immunotherapy", "Active autoimmune disease requiring systemic treatment",
              "Pregnant or breastfeeding women", "HIV infection", "Main portal vein tumour thrombus (Vp4)",
              "Hepatic encephalopathy", "Ascites requiring paracentesis", "Prior liver transplantation",
              "Known allergy to PD-1 antibodies", "Other malignancy within 5 years",
              "Other malignancy within 3 years, except cured basal cell carcinoma of the skin or carcinoma in situ",
              "Congestive heart failure NYHA class III or IV", "Urine protein ≥ 2+ on dipstick",
              "Systemic anticancer therapy within 28 days or 5 half-lives, whichever is longer",
              "Symptomatic or untreated CNS metastases", "On the waiting list for liver transplantation",
              "Serious non-healing wound, ulcer, or bone fracture", "Unstable coronary artery disease",
              "Grade > 1 prior treatment-related toxicities (excluding alopecia)",
              "Cheng's type III-IV portal vein tumour thrombus", "Evidence of hepatic vein invasion or caval thrombosis",
              "Untreated or incompletely treated esophageal or gastric varices with bleeding or high risk for bleeding",
              "High-risk varices on endoscopy within 6 months", "Variceal bleeding within 6 months",
              "Gastrointestinal bleeding within 3 months"])
    return [Trial.model_validate({
        "trial_id": "NCT09990500", "registry": "ctgov",
        "provenance": {"source_format": "test", "raw_sha256": "e" * 64},
        "interventions": [{"type": "drug", "name": {"en": "sintilimab"}}],
        "eligibility": {"inclusion": [{"en": t} for t in texts[0]], "exclusion": [{"en": t} for t in texts[1]]}})]


@pytest.fixture(scope="module")
def compiled(seeds_dir: Path, shared_dir: Path) -> list:  # type: ignore[type-arg]
    paths = [p for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("003")]
    trials = [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]
    hint = shared_dir / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"
    trials += [r.trial for r in parse_path(hint) if isinstance(r, ParsedRecord)]
    trials += _example_trials()
    return [compile_trial(t) for t in trials]


@pytest.fixture(scope="module")
def columnar(compiled: list) -> ColumnarCatalog:  # type: ignore[type-arg]
    return ColumnarCatalog(CompiledCatalog(compiled))


def _check(columnar: ColumnarCatalog, batch: list[Patient]) -> None:
    got = evaluate_columnar(columnar, batch, as_of=AS_OF)
    for k, trial in enumerate(columnar.catalog.trials):
        for j, p in enumerate(batch):
            tv = evaluate_trial(trial, p, as_of=AS_OF)
            active = [r for r in tv.results if not r.criterion.exclude_from_matching]
            where = f"{trial.trial_id} x {p.patient_id}"
            assert NAMES[got.status[k, j]] == tv.status, where
            assert got.n_unknown[k, j] == sum(r.status in ("unknown", "needs_review") for r in active), where
            if tv.failing:
                assert columnar.criteria[got.deciding[k, j]] is tv.failing[0].criterion, where
            else:
                assert got.deciding[k, j] == -1, where
            unknown = [r for r in active if r.status in ("unknown", "needs_review")]
            if unknown:
                assert columnar.criteria[got.first_unknown[k, j]] is unknown[0].criterion, where
            else:
                assert got.first_unknown[k, j] == -1, where


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(patients(), min_size=1, max_size=6))
def test_columnar_equals_scalar_for_random_patients(columnar: ColumnarCatalog, batch: list[Patient]) -> None:
    _check(columnar, batch)


def test_columnar_equals_scalar_for_the_examples(columnar: ColumnarCatalog) -> None:
    _check(columnar, BASES)


def test_tree_lattice_matches_combine_functions() -> None:
    """AllOf / AnyOf / Not over every pair of leaf statuses, against the scalar combine rules."""
    from hcctrials.criteria.catalog import CompiledTrial
    from hcctrials.model.eligibility import Criterion

    kinds = {NOT_MET: E.Sex(allowed=["female"]), MET: E.Sex(allowed=["male"]), UNKNOWN: E.Ecog(allowed=[0]),
             NEEDS_REVIEW: E.NeedsReview(reason="x"), ADMINISTRATIVE: E.Administrative(category="consent")}
    patient = Patient(patient_id="M", sex="male")
    criteria = []
    for a in kinds.values():
        for b in kinds.values():
            for rule in (E.AllOf(children=[a, b]), E.AnyOf(children=[a, b]), E.Not(child=E.AnyOf(children=[a, b]))):
                for role in ("inclusion", "exclusion"):
                    criteria.append(Criterion(number=str(len(criteria)), role=role, text="t", language="en", rule=rule))
    trials = [CompiledTrial(f"T{i}", [c]) for i, c in enumerate(criteria)]
    got = evaluate_columnar(CompiledCatalog(trials), [patient], as_of=AS_OF)
    want = [NAMES.index(evaluate_trial(t, patient, as_of=AS_OF).status) for t in trials]
    assert got.status[:, 0].tolist() == want


def test_fact_columns_pick_newest_lab_in_window() -> None:
    p = Patient(patient_id="L", labs=[
        LabResult(analyte="platelets", value=50, unit="10^9/L", date=AS_OF - timedelta(days=40)),
        LabResult(analyte="platelets", value=90, unit="10^9/L", date=AS_OF - timedelta(days=5)),
        LabResult(analyte="platelets", value=95, unit="10^9/L", date=AS_OF + timedelta(days=1))])
    col = FactColumns([p], AS_OF).lab("platelets", 28)
    assert col.present.tolist() == [True] and col.value.tolist() == [90.0]
    assert np.isnan(FactColumns([Patient(patient_id="E")], AS_OF).lab("platelets", 28).value[0])
