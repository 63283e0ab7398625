"""compute_patient_scores: latest labs within the window, conversions, clinical items, and the
example patients written for this project (expected values computed by hand from the tables in
hcc-domain.md §1-3; arithmetic in the comments)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hcctrials.datasets.patients import example_patient_path
from hcctrials.model.patient import LabResult, LiverFunction, Patient, TumourBurden
from hcctrials.patients import load_patient
from hcctrials.scores import compute_patient_scores

AS_OF = date(2024, 6, 1)


def patient(labs, **kw) -> Patient:
    return Patient(patient_id="T1", labs=labs, **kw)


def test_latest_lab_within_window_is_used() -> None:
    p = patient([
        LabResult(analyte="bilirubin_total", value=50, unit="umol/L", date=date(2024, 5, 1)),
        LabResult(analyte="bilirubin_total", value=20, unit="umol/L", date=date(2024, 5, 25)),
        LabResult(analyte="bilirubin_total", value=99, unit="umol/L", date=date(2024, 6, 2)),  # after as_of
        LabResult(analyte="albumin", value=40, unit="g/L", date=date(2024, 3, 1)),  # stale
    ])
    s = compute_patient_scores(p, as_of=AS_OF)
    assert s.inputs["bilirubin_total"].value == 20
    assert s.inputs["bilirubin_total"].date == date(2024, 5, 25)
    assert "albumin" not in s.inputs and "older than 28 days" in s.unavailable["albumin"]
    assert s.albi.score is None and s.albi.missing == ("albumin",)
    wider = compute_patient_scores(p, as_of=AS_OF, lab_window_days=120)
    assert wider.albi.score is not None


def test_missing_clinical_items_never_normal() -> None:
    p = patient([LabResult(analyte="bilirubin_total", value=15, unit="umol/L", date=AS_OF),
                 LabResult(analyte="albumin", value=42, unit="g/L", date=AS_OF),
                 LabResult(analyte="inr", value=1.0, date=AS_OF)])
    s = compute_patient_scores(p, as_of=AS_OF)
    assert s.child_pugh.points is None and s.child_pugh.range_text == "5-9"
    assert set(s.child_pugh.missing) == {"ascites", "encephalopathy"}
    assert s.bclc.stage is None and s.cnlc.stage is None


def test_us_units_converted_with_original_kept() -> None:
    p = patient([LabResult(analyte="bilirubin_total", value=2.0, unit="mg/dL", date=AS_OF),
                 LabResult(analyte="albumin", value=3.5, unit="g/dL", date=AS_OF),
                 LabResult(analyte="inr", value=1.7, date=AS_OF)],
                liver=LiverFunction(ascites="none", encephalopathy="none"))
    s = compute_patient_scores(p, as_of=AS_OF)
    # 2.0 mg/dL = 34.2 µmol/L -> 2; 35 g/L -> 2; INR 1.7 -> 2; 1 + 1 -> 8 (B8)
    assert s.child_pugh.label == "B8"
    b = s.inputs["bilirubin_total"]
    assert (b.value, b.unit, b.original_value, b.original_unit) == (34.2, "umol/L", 2.0, "mg/dL")


def test_implausible_unit_is_a_returned_finding_not_an_exception() -> None:
    p = patient([LabResult(analyte="albumin", value=3.5, unit="g/L", date=AS_OF)])
    s = compute_patient_scores(p, as_of=AS_OF)  # pytest turns warnings into errors: none issued
    assert any("g/dL" in f for f in s.findings)


def test_unknown_unit_makes_input_unavailable_and_reported() -> None:
    p = patient([LabResult(analyte="albumin", value=35, unit="mg/fortnight", date=AS_OF)])
    s = compute_patient_scores(p, as_of=AS_OF)
    assert "unusable" in s.unavailable["albumin"] and s.findings


def test_pvtt_counts_as_macrovascular_invasion() -> None:
    p = patient([], ecog=0, tumour=TumourBurden(nodule_count=1, largest_diameter_cm=2.0, pvtt="vp2",
                                                extrahepatic_spread=False))
    s = compute_patient_scores(p, as_of=AS_OF)
    assert s.inputs["macrovascular_invasion"].value is True
    assert s.cnlc.stage == "IIIa" or s.cnlc.candidates[0] == "IIIa"


@pytest.mark.parametrize("name, as_of, expected", [
    # Shenzhen: bili 22 (1) + alb 33 (2) + INR 1.15 (1) + no ascites (1) + no HE (1) = A6;
    # ALBI 0.66*log10(22) - 0.085*33 = -1.919 -> 2b; PVTT vp3 -> BCLC C, CNLC IIIa; 6.2 + 3 = 9.2
    ("shenzhen_2l_after_atezo_bev", date(2024, 3, 10),
     dict(cp="A6", albi="2b", bclc="C", cnlc="IIIa", milan=False, up7=False, s612=">6-≤12")),
    # Guangzhou: A5; ALBI 0.66*log10(15.2) - 0.085*40.5 = -2.663 -> 1; 3 nodules, largest 4 cm:
    # BCLC B, CNLC IIa; 4 + 3 = 7 -> within up-to-seven
    ("guangzhou_bclc_b_tace_naive", date(2024, 5, 10),
     dict(cp="A5", albi="1", bclc="B", cnlc="IIa", milan=False, up7=True, s612=">6-≤12")),
    # Wuhan: bili 45 (2) + alb 30 (2) + INR 1.5 (1) + mild ascites (2) + no HE (1) = B8;
    # B8 is not preserved -> BCLC D (default rule); CNLC admits B: 2 nodules, largest 3.5 -> IIa
    ("wuhan_child_pugh_b8_ascites", date(2024, 6, 10),
     dict(cp="B8", albi="2b", bclc="D", cnlc="IIa", milan=False, up7=True, s612="≤6")),
    # Houston (US units): 0.8 mg/dL = 13.68 µmol/L, 3.9 g/dL = 39 g/L -> A5;
    # ALBI 0.66*log10(13.68) - 3.315 = -2.565 -> 2a; single 2.8 cm, ECOG 0 -> BCLC A, CNLC Ia
    ("houston_us_units_bclc_a", date(2024, 7, 10),
     dict(cp="A5", albi="2a", bclc="A", cnlc="Ia", milan=True, up7=True, s612="≤6")),
])
def test_example_patients(name, as_of, expected) -> None:
    s = compute_patient_scores(load_patient(example_patient_path(name)), as_of=as_of)
    assert s.child_pugh.label == expected["cp"]
    assert s.albi.subgrade == expected["albi"]
    assert s.bclc.stage == expected["bclc"]
    assert s.cnlc.stage == expected["cnlc"]
    assert s.milan.within is expected["milan"]
    assert s.up_to_seven.within is expected["up7"]
    assert s.six_and_twelve.stratum == expected["s612"]
    assert s.findings == ()
    json.dumps(s.to_dict(), ensure_ascii=False)  # JSON-ready


def test_example_meld_us_units() -> None:
    # Houston: Cr 0.9 -> floor 1.0, bili 0.8 -> floor 1.0, INR 1.1 (hcc-domain.md §1.3):
    # MELD(i) = 1.12 * ln(1.1) + 0.643 = 0.74975 -> one decimal 0.7 -> MELD 7
    s = compute_patient_scores(load_patient(example_patient_path("houston_us_units_bclc_a")),
                               as_of=date(2024, 7, 10))
    assert s.meld.score == 7
