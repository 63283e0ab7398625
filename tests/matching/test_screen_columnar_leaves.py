"""The leaves that cohort screening evaluates column-wise give the one-patient engine's verdict, patient by patient.

Cohort screening (``hcctrials screen``) evaluates each distinct leaf of the catalog over a batch at once
(:func:`hcctrials.criteria.columnar.evaluate_leaf_column`).  The leaves checked here are the ones whose
column-wise rule is more than a lookup, each against :func:`hcctrials.criteria.evaluation.evaluate.evaluate_leaf`
for every patient of random batches (hypothesis), both for a batch read column-wise (what ``screen`` reads) and
for patient objects:

* creatinine clearance per 1.73 m² of body surface area: measured in mL/min/1.73m2, in mL/min (Mosteller BSA
  from height and weight, or the adult BSA band when either is missing), without unit, in an unknown unit, or
  computed by Cockcroft-Gault from the newest creatinine with a value (mg/dL, µmol/L, none, unknown), with age,
  weight or sex missing;
* creatinine clearance in mL/min (Cockcroft-Gault when not measured) and serum creatinine;
* virology markers and hepatitis-status tests that read the HBV DNA (IU/mL, copies/mL, censored results,
  results outside the window) besides the virology record;
* Child-Pugh, ALBI and BCLC stage, with bilirubin, albumin, INR and PT on and around the Child-Pugh cut-offs
  (34.2 / 51.3 µmol/L = 2 / 3 mg/dL, 28 / 35 g/L, INR 1.7 / 2.3, PT 4 / 6 s), in both units, and the ALBI
  grade boundaries.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.criteria.columnar import STATUS_CODES, FactColumns, evaluate_leaf_column
from hcctrials.criteria.evaluation.evaluate import evaluate_leaf
from hcctrials.criteria.evaluation.facts import DEFAULT_ULN, PatientFacts
from hcctrials.errors import HcctrialsError
from hcctrials.matching.cohort import patients_to_batch, read_batch_columns
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Patient
from hcctrials.patients import load_patient

AS_OF = date(2026, 1, 15)
EXAMPLES = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"
BASES = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]

BSA = "mL/min/1.73m2"
LEAVES: list[Any] = [
    *(E.LabThreshold(analyte="creatinine_clearance", comparator=cmp, value=v, unit=unit, look_back_days=days)
      for cmp in (">=", "<") for v in (30.0, 60.0) for unit in (BSA, "mL/min/1.73 m2") for days in (None, 14)),
    E.LabThreshold(analyte="creatinine_clearance", comparator=">", value=50.0, unit=BSA),
    E.LabThreshold(analyte="creatinine_clearance", comparator=">=", value=50.0, unit="mL/min"),
    E.LabThreshold(analyte="creatinine_clearance", comparator="<", value=40.0),
    E.LabThreshold(analyte="creatinine", comparator="<=", value=1.5, unit="mg/dL"),
    E.LabThreshold(analyte="creatinine", comparator="<=", uln_multiple=1.5),
    E.LabThreshold(analyte="hbv_dna", comparator="<", value=500.0, unit="IU/mL"),
    *(E.Virology(marker=m) for m in ("hiv", "hcv_rna", "hbsag", "hbv_hcv_coinfection")),
    E.Virology(marker="hbv_controlled", hbv_dna_max_iu_ml=500.0),
    E.Virology(marker="hbv_controlled", hbv_dna_max_iu_ml=2000.0, require_antiviral=True),
    E.Virology(marker="hbv_controlled", hbv_dna_max_iu_ml=100.0, require_antiviral=True, antiviral_min_days=90),
    E.HepatitisStatus(test="hbv_antiviral"), E.HepatitisStatus(test="hbv_antiviral", min_days=30),
    E.HepatitisStatus(test="hcv_treatment_washout", min_days=28),
    E.HepatitisStatus(test="isolated_anti_hbc"), E.HepatitisStatus(test="isolated_anti_hbc", hbv_dna_max_iu_ml=20.0),
    E.HepatitisStatus(test="hbv_active"), E.HepatitisStatus(test="hbv_active", hbv_dna_max_iu_ml=10000.0),
    E.HepatitisStatus(test="hbv_dna_undetectable"),
    E.ChildPugh(allowed_points=[5, 6]), E.ChildPugh(allowed_points=[5, 6, 7]), E.ChildPugh(allowed_points=[7, 8, 9]),
    E.Albi(grades=["1"]), E.Albi(grades=["1", "2a"]), E.Albi(grades=["2b", "3"]),
    E.Stage(system="bclc", allowed=["B", "C"]), E.Stage(system="cnlc", allowed=["IIa", "IIb", "IIIa"]),
]

DAYS = st.sampled_from([None, AS_OF, AS_OF - timedelta(days=3), AS_OF - timedelta(days=10), AS_OF - timedelta(days=20),
                        AS_OF - timedelta(days=27), AS_OF - timedelta(days=40), AS_OF + timedelta(days=2)])
_MGDL = [0.6, 0.9, 1.2, 1.5, 2.4]
_UMOL = [53.0, 88.4, 106.1, 132.6, 212.2]
_CRCL = [25.0, 40.0, 49.9, 60.0, 95.0]
#: per analyte, (unit, values) pairs: values on and around the cut-offs the rules use, plus ordinary ones, always
#: physiologically possible in their unit (the reader refuses the others)
LABS: list[tuple[str, list[tuple[str | None, list[float]]]]] = [
    ("creatinine", [("mg/dL", _MGDL), ("umol/L", _UMOL), ("µmol/L", _UMOL), (None, _UMOL), ("mmHg", _UMOL)]),
    ("creatinine_clearance", [(BSA, _CRCL), ("mL/min", _CRCL), (None, _CRCL), ("mL/s", [0.5, 1.0, 1.5]),
                              ("mL/min/1.73 m²", _CRCL)]),
    ("hbv_dna", [("IU/mL", [0.0, 10.0, 20.0, 100.0, 499.0, 500.0, 2000.0, 2001.0, 10000.0, 250000.0]),
                 ("copies/mL", [0.0, 50.0, 100.0, 500.0, 2500.0, 2800.0, 11650.0, 60000.0]),
                 ("log10 IU/mL", [0.0, 1.3, 3.3, 5.4]), (None, [20.0, 350.0])]),
    ("bilirubin_total", [("umol/L", [12.0, 34.2, 34.19, 51.3, 51.31, 68.4, 171.0]),
                         ("mg/dL", [0.7, 2.0, 1.99, 3.0, 3.01, 4.0, 10.0])]),
    ("albumin", [("g/L", [27.9, 28.0, 35.0, 35.1, 42.0]), ("g/dL", [2.79, 2.8, 3.5, 3.51, 3.9])]),
    ("inr", [(None, [1.0, 1.69, 1.7, 2.3, 2.31])]),
    ("pt_prolongation", [("s", [2.0, 4.0, 6.0, 6.5])]),
]


#: result texts as laboratories report them (the wording of the HBV DNA assays' result fields: Roche cobas "Target Not
#: Detected", "<20 IU/mL" below the quantification limit, Chinese reports 阴性 / 未检出 / 低于检测下限), and a few that are
#: no negative result ("detected", "pending", "see comment")
TEXTS: dict[str, list[str]] = {"hbv_dna": [
    "Target Not Detected", "Not detected", "undetectable", "Undetectable (<20 IU/mL)", "negative", "HBV DNA negative",
    "below the limit of detection", "<20 IU/mL", "< 1.0E+02 copies/mL", "阴性", "未检出", "低于检测下限", "阳性",
    "detected", "Detected, <20 IU/mL", "see comment", "pending"]}


@st.composite
def lab_results(draw: st.DrawFn) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for analyte, choices in LABS:
        for _ in range(draw(st.integers(0, 2))):
            unit, values = draw(st.sampled_from(choices))
            lab: dict[str, Any] = {"analyte": analyte, "unit": unit, "date": draw(DAYS),
                                   "qualifier": draw(st.sampled_from([None, None, None, "<", ">", "<=", "="]))}
            if draw(st.integers(0, 9)) == 0:
                lab["text"] = "pending"  # a result without a value (newer than the one with a value, sometimes)
            elif analyte in TEXTS and draw(st.integers(0, 2)) == 0:
                # a result reported as text (FHIR valueString / valueCodeableConcept), with or without a value
                lab["text"] = draw(st.sampled_from(TEXTS[analyte]))
                if draw(st.booleans()):
                    lab["value"] = draw(st.sampled_from(values))
            else:
                lab["value"] = draw(st.sampled_from(values))
            if analyte == "creatinine":
                lab["uln"] = draw(st.sampled_from([None, 1.2 if unit in ("mg/dL", None) else 106.1]))
            out.append({k: v for k, v in lab.items() if v is not None})
    return out


@st.composite
def patients(draw: st.DrawFn) -> Patient:
    base = draw(st.sampled_from(BASES)).model_dump(mode="json", exclude_none=True)
    maybe = lambda values: draw(st.sampled_from(values))  # noqa: E731
    record = {**base, "patient_id": f"Q{draw(st.integers(0, 10**6))}", "labs": draw(lab_results()),
              "height_cm": maybe([None, 150.0, 172.5]), "weight_kg": maybe([None, 48.0, 70.0, 95.5]),
              "sex": maybe([None, "female", "male"]), "birth_date": maybe([None, "1950-04-02", "1979-01-15"]),
              "ecog": maybe([None, 0, 1, 2])}
    record.pop("age_years", None)
    record["virology"] = {k: v for k, v in {
        "hbsag_positive": maybe([None, True, False]), "anti_hbc_positive": maybe([None, True, False]),
        "hcv_rna_detectable": maybe([None, True, False]), "anti_hcv_positive": maybe([None, True, False]),
        "hiv_positive": maybe([None, True, False]), "hbv_antiviral": maybe([None, True, False]),
        "hbv_antiviral_start": maybe([None, "2025-12-01", "2024-01-01"]), "hcv_treated": maybe([None, True, False]),
        "hcv_treatment_end": maybe([None, "2025-12-30", "2023-05-01"])}.items() if v is not None}
    liver = dict(base.get("liver", {}))
    liver.update({"ascites": maybe(["none", "mild", "moderate_severe"]), "encephalopathy": maybe(["none", "grade_1_2"]),
                  "cholestatic_disease": maybe([None, False, True]), "child_pugh_recorded": maybe([None, "A", "B7"])})
    liver.pop("assessed_on", None)
    record["liver"] = {k: v for k, v in liver.items() if v is not None}
    for key in ("height_cm", "weight_kg", "sex", "birth_date", "ecog"):
        if record[key] is None:
            del record[key]
    return Patient.model_validate(record)


def _scalar(node: Any, patient: Patient) -> int:
    facts = PatientFacts(patient, AS_OF, 28, True, dict(DEFAULT_ULN))
    return STATUS_CODES[evaluate_leaf(node, facts).status]


def _check(batch: list[Patient]) -> None:
    """Each leaf over the batch as patient objects and as read column-wise (the reader's patients, which may
    carry data findings the objects lack) equals the scalar rule for each patient."""
    cases = [(FactColumns(batch, AS_OF), batch)]
    try:
        columns = read_batch_columns(patients_to_batch(batch))
    except HcctrialsError:  # a record the reader refuses (never screened): the patient-object facts still checked
        columns = None
    if columns is not None:
        cases.append((FactColumns.from_columns(columns, AS_OF), [columns.patient(i) for i in range(columns.n)]))
    for fc, people in cases:
        for node in LEAVES:
            got = evaluate_leaf_column(node, fc).tolist()
            want = [_scalar(node, p) for p in people]
            assert got == want, (node, "columns" if fc.columns is not None else "patients",
                                 [(p.patient_id, g, w) for p, g, w in zip(people, got, want) if g != w])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(patients(), min_size=1, max_size=12))
def test_vectorised_leaves_equal_the_scalar_rule(batch: list[Patient]) -> None:
    _check(batch)


def test_body_surface_area_decides_a_clearance_per_173_m2() -> None:
    """Cockcroft-Gault (140 - 70) x 70 / (72 x 0.9) = 75.6 mL/min (70 years, 70 kg, creatinine 0.9 mg/dL, male);
    Mosteller BSA of 172.5 cm and 70 kg is 1.831 m², so 71.4 mL/min/1.73m2: at least 60.  Without height the adult
    band 1.2-2.8 m² gives 46.7-109.0 mL/min/1.73m2: unknown.  A measured 58 mL/min/1.73m2 is compared as is."""
    node = E.LabThreshold(analyte="creatinine_clearance", comparator=">=", value=60.0, unit=BSA)
    creat = {"analyte": "creatinine", "value": 0.9, "unit": "mg/dL", "date": "2026-01-10"}
    common = {"sex": "male", "birth_date": "1955-06-01", "weight_kg": 70.0, "labs": [creat]}
    with_height = Patient.model_validate({"patient_id": "H1", "height_cm": 172.5, **common})
    without = Patient.model_validate({"patient_id": "H2", **common})
    measured = Patient.model_validate({"patient_id": "H3", "labs": [
        {"analyte": "creatinine_clearance", "value": 58.0, "unit": BSA, "date": "2026-01-12"}]})
    batch = [with_height, without, measured]
    codes = evaluate_leaf_column(node, FactColumns.from_columns(read_batch_columns(patients_to_batch(batch)), AS_OF))
    assert codes.tolist() == [STATUS_CODES["met"], STATUS_CODES["unknown"], STATUS_CODES["not_met"]]
    assert codes.tolist() == [_scalar(node, p) for p in batch]


@pytest.mark.parametrize("value, unit, want", [(34.2, "umol/L", 2), (2.0, "mg/dL", 2), (34.19, "umol/L", 1),
                                               (51.3, "umol/L", 2), (3.0, "mg/dL", 2), (51.31, "umol/L", 3)])
def test_bilirubin_on_the_child_pugh_cut_offs_scores_as_the_scores_do(value: float, unit: str, want: int) -> None:
    """2.0 and 3.0 mg/dL are 2 points (34.2 and 51.3 µmol/L, hcc-domain.md s. 1.1): the column-wise grouping of
    liver values gives the Child-Pugh of each patient computed alone."""
    from hcctrials.scores import compute_patient_scores

    base = {"liver": {"ascites": "none", "encephalopathy": "none"}, "labs": [
        {"analyte": "albumin", "value": 40.0, "unit": "g/L", "date": "2026-01-10"},
        {"analyte": "inr", "value": 1.1, "date": "2026-01-10"}]}
    p = Patient.model_validate({"patient_id": "B", **base, "labs": [
        *base["labs"], {"analyte": "bilirubin_total", "value": value, "unit": unit, "date": "2026-01-10"}]})
    cp = compute_patient_scores(p, as_of=AS_OF).child_pugh
    assert cp.item_points["bilirubin"] == want
    node = E.ChildPugh(allowed_points=[5])
    codes = evaluate_leaf_column(node, FactColumns.from_columns(read_batch_columns(patients_to_batch([p])), AS_OF))
    assert codes.tolist() == [_scalar(node, p)] == [STATUS_CODES["met" if want == 1 else "not_met"]]
    assert np.asarray(codes).dtype == np.int8


def _boundary_batch() -> list[Patient]:
    """Patients equal but for one value on, just below or just above a cut-off the rules use, all in one batch
    (so that values the rules tell apart are never grouped together): HBV DNA around every limit of ``LEAVES``
    (HBsAg positive on antivirals, and HBsAg negative anti-HBc positive); bilirubin, albumin, INR and PT around
    the Child-Pugh cut-offs in both units, and values that the scores round (to 9 decimals) onto a cut-off."""
    day = "2026-01-10"
    base = {"sex": "male", "birth_date": "1960-02-01", "ecog": 1,
            "liver": {"ascites": "none", "encephalopathy": "none"},
            "diagnosis": {"histology": "hcc", "confirmed_by": "histology"}}
    liver = {"bilirubin_total": (12.0, "umol/L"), "albumin": (40.0, "g/L"), "inr": (1.1, None)}
    out: list[Patient] = []

    def patient(labs: dict[str, tuple[float, str | None]], **extra: Any) -> None:
        results = [{"analyte": a, "value": v, "date": day, **({"unit": u} if u else {})} for a, (v, u) in labs.items()]
        out.append(Patient.model_validate({**base, "patient_id": f"B{len(out)}", "labs": results, **extra}))

    viro = [{"hbsag_positive": True, "hbv_antiviral": True, "hbv_antiviral_start": "2025-06-01"},
            {"hbsag_positive": False, "anti_hbc_positive": True}]
    for v in viro:
        for limit in (20.0, 100.0, 500.0, 2000.0, 10000.0):
            for value in (limit * 0.99, limit, limit * 1.01):
                patient({**liver, "hbv_dna": (value, "IU/mL")}, virology=v)
    for value, unit in ((34.19, "umol/L"), (34.2, "umol/L"), (2.0, "mg/dL"), (1.99, "mg/dL"), (51.3, "umol/L"),
                        (3.0, "mg/dL"), (51.31, "umol/L"), (3.01, "mg/dL"),
                        (34.1999999996, "umol/L"), (51.3000000004, "umol/L")):  # 34.2 and 51.3 to 9 decimals
        patient({**liver, "bilirubin_total": (value, unit)})
    for value, unit in ((27.9, "g/L"), (28.0, "g/L"), (2.8, "g/dL"), (35.0, "g/L"), (3.5, "g/dL"), (35.1, "g/L")):
        patient({**liver, "albumin": (value, unit)})
    for value in (1.69, 1.7, 2.3, 2.31):
        patient({**liver, "inr": (value, None)})
    no_inr = {k: v for k, v in liver.items() if k != "inr"}
    for value in (3.9, 4.0, 6.0, 6.1):
        patient({**no_inr, "pt_prolongation": (value, "s")})
    return out


def test_values_on_each_side_of_a_cut_off_are_never_grouped_together() -> None:
    batch = _boundary_batch()
    nodes = [*LEAVES, *(E.ChildPugh(allowed_points=[k]) for k in range(5, 10))]
    columns = read_batch_columns(patients_to_batch(batch))
    people = [columns.patient(i) for i in range(columns.n)]
    for fc, who in ((FactColumns.from_columns(columns, AS_OF), people), (FactColumns(batch, AS_OF), batch)):
        for node in nodes:
            got = evaluate_leaf_column(node, fc).tolist()
            want = [_scalar(node, p) for p in who]
            assert got == want, (node, [(p.patient_id, g, w) for p, g, w in zip(who, got, want) if g != w])


# NCT02572687 exclusion 7: "For gastric/GEJ and NSCLC participants, has chronic hepatitis B or hepatitis C infection.
# (For HCC participants, those with chronic hepatitis B virus [HBV] infection with a negative HBV deoxyribonucleic acid
# [DNA] test and who are on antiviral therapy, ... are eligible)": its "negative HBV DNA test" is the leaf
# HepatitisStatus(test="hbv_dna_undetectable"), read on the newest HBV DNA result of the 28-day lab window.
HBV_DNA_NEGATIVE_CASES: list[tuple[list[dict[str, Any]], str, str]] = [
    ([{"text": "Target Not Detected"}], "met", "the cobas assay's wording for no HBV DNA found"),
    ([{"text": "阴性"}], "met", "a Chinese report: negative"),
    ([{"text": "未检出"}], "met", "a Chinese report: not detected"),
    ([{"value": 20.0, "unit": "IU/mL", "qualifier": "<"}], "met", "below the assay's limit of 20 IU/mL: no DNA measured"),
    ([{"value": 100.0, "unit": "copies/mL", "qualifier": "<"}], "met", "below the limit, in copies/mL: the unit is not "
     "what says negative"),
    ([{"value": 0.0, "unit": "IU/mL"}], "met", "reported as 0"),
    ([{"value": 350.0, "unit": "IU/mL"}], "not_met", "350 IU/mL measured: a positive test, however low"),
    ([{"value": 1200.0, "unit": "copies/mL"}], "not_met", "1,200 copies/mL measured"),
    ([{"text": "阴性", "days": 20}, {"value": 350.0, "unit": "IU/mL", "days": 5}], "not_met",
     "the newest result counts: negative 20 days ago, 350 IU/mL five days ago"),
    ([{"value": 350.0, "unit": "IU/mL", "days": 20}, {"text": "undetectable", "days": 5}], "met",
     "the newest result counts: undetectable five days ago"),
    ([{"text": "pending"}], "unknown", "a result not yet reported says neither"),
    ([{"text": "Target Not Detected", "days": 40}], "unknown", "the only test is 40 days old, outside the 28-day window"),
    ([], "unknown", "no HBV DNA test at screening"),
]


def test_a_negative_hbv_dna_test_read_column_wise() -> None:
    """Each patient is HBsAg positive on entecavir; only the HBV DNA results differ.  Their verdict on "a negative HBV
    DNA test" (NCT02572687 exclusion 7), read column-wise as ``screen`` reads a batch, is the clinical reading of the
    newest result, and equals the one-patient engine's for each patient."""
    node = E.HepatitisStatus(test="hbv_dna_undetectable")
    batch = []
    for k, (results, _want, _why) in enumerate(HBV_DNA_NEGATIVE_CASES):
        labs = [{"analyte": "hbv_dna", "date": (AS_OF - timedelta(days=r.get("days", 3))).isoformat(),
                 **{key: v for key, v in r.items() if key != "days"}} for r in results]
        batch.append(Patient.model_validate({"patient_id": f"D{k}", "labs": labs, "virology": {
            "hbsag_positive": True, "hbv_antiviral": True, "hbv_antiviral_start": "2025-03-01"}}))
    columns = read_batch_columns(patients_to_batch(batch))
    got = evaluate_leaf_column(node, FactColumns.from_columns(columns, AS_OF)).tolist()
    want = [STATUS_CODES[w] for _r, w, _why in HBV_DNA_NEGATIVE_CASES]
    assert got == want, [why for g, w, (_r, _w, why) in zip(got, want, HBV_DNA_NEGATIVE_CASES) if g != w]
    assert got == [_scalar(node, columns.patient(i)) for i in range(columns.n)]
