"""CTCAE v5.0 (NCI CTEP, 27 Nov 2017) lab grades; thresholds for the §4 terms as tabulated in
hcc-domain.md §4, the other terms from the same v5.0 document (ALP/GGT, lymphocyte/WBC
decreased, hypoalbuminemia, hyponatremia, hyper-/hypokalemia, proteinuria, INR increased)."""

from __future__ import annotations

import pytest

from hcctrials.errors import ValidationError
from hcctrials.scores import grade_ctcae


def g(term, value, unit, **kw):
    return grade_ctcae(term, value=value, unit=unit, **kw).grade


@pytest.mark.parametrize("value, grade", [
    (40, 0), (41, 1), (120, 1), (121, 2), (200, 2), (201, 3), (800, 3), (801, 4)])
def test_alt_baseline_normal(value, grade) -> None:
    # ULN 40: > ULN-3.0, > 3.0-5.0, > 5.0-20.0, > 20.0 × ULN
    assert g("ALT increased", value, "U/L", uln=40, baseline=30) == grade


@pytest.mark.parametrize("value, grade", [
    (89, 0), (90, 1), (180, 1), (181, 2), (300, 2), (301, 3), (1201, 4)])
def test_ast_baseline_abnormal(value, grade) -> None:
    # baseline 60 (> ULN 40): 1.5-3.0, > 3.0-5.0, > 5.0-20.0, > 20.0 × baseline
    assert g("AST increased", value, "U/L", uln=40, baseline=60) == grade


@pytest.mark.parametrize("value, grade", [(21, 0), (22, 1), (31.5, 1), (32, 2), (63, 2), (64, 3),
                                          (210, 3), (211, 4)])
def test_bilirubin_normal_baseline(value, grade) -> None:
    # ULN 21 µmol/L: > ULN-1.5, > 1.5-3.0, > 3.0-10.0, > 10.0 × ULN
    assert g("Blood bilirubin increased", value, "umol/L", uln=21, baseline=10) == grade


def test_bilirubin_abnormal_baseline_and_units() -> None:
    # baseline 2.0 mg/dL (> ULN 1.2): 2.5 mg/dL = 1.25 × baseline -> grade 1
    assert g("Blood bilirubin increased", 2.5, "mg/dL", uln=1.2, baseline=2.0) == 1
    assert g("Blood bilirubin increased", 2.0, "mg/dL", uln=1.2, baseline=2.0) == 0


def test_missing_baseline_named_assumption() -> None:
    r = grade_ctcae("ALT increased", value=100, unit="U/L", uln=40)
    assert r.grade == 1 and r.assumptions


def test_missing_uln() -> None:
    r = grade_ctcae("ALT increased", value=100, unit="U/L")
    assert r.grade is None and r.missing == ("uln",)


@pytest.mark.parametrize("value, grade", [(100, 0), (101, 1), (250, 1), (251, 2), (500, 2), (501, 3),
                                          (2001, 4)])
def test_alp(value, grade) -> None:
    assert g("Alkaline phosphatase increased", value, "U/L", uln=100, baseline=80) == grade


def test_ggt_abnormal_baseline() -> None:
    # 2.0-2.5 × baseline -> 1
    assert g("GGT increased", 199, "U/L", uln=50, baseline=100) == 0
    assert g("GGT increased", 200, "U/L", uln=50, baseline=100) == 1


@pytest.mark.parametrize("value, grade", [(1.0, 0), (1.1, 1), (1.5, 1), (1.6, 2), (3.0, 2), (3.1, 3),
                                          (6.0, 3), (6.1, 4)])
def test_creatinine_uln(value, grade) -> None:
    assert g("Creatinine increased", value, "mg/dL", uln=1.0) == grade


def test_creatinine_baseline_rule() -> None:
    # > 1.5-3.0 × baseline is grade 2 even within 1.5 × ULN
    assert g("Creatinine increased", 1.4, "mg/dL", uln=1.2, baseline=0.8) == 2


@pytest.mark.parametrize("value, grade", [(150, 0), (149, 1), (75, 1), (74.9, 2), (50, 2),
                                          (49, 3), (25, 3), (24, 4)])
def test_platelets(value, grade) -> None:
    assert g("Platelet count decreased", value, "10^9/L", lln=150) == grade


@pytest.mark.parametrize("value, unit, grade", [(1500, "/mm3", 1), (1499, "/mm3", 2), (1.0, "10^9/L", 2),
                                                (0.99, "10^9/L", 3), (0.49, "10^9/L", 4)])
def test_neutrophils_in_mixed_units(value, unit, grade) -> None:
    # 1.5 ×10^9/L = 1500/mm³ (§4 implementation note)
    assert g("Neutrophil count decreased", value, unit, lln=1800 if unit == "/mm3" else 1.8) == grade


def test_decreased_without_lln() -> None:
    r = grade_ctcae("Platelet count decreased", value=100, unit="10^9/L")
    assert r.grade is None and r.missing == ("lln",)
    assert g("Platelet count decreased", 60, "10^9/L") == 2  # decidable without LLN


@pytest.mark.parametrize("term, value, unit, grade", [
    ("Lymphocyte count decreased", 0.79, "10^9/L", 2), ("Lymphocyte count decreased", 0.19, "10^9/L", 4),
    ("White blood cell decreased", 2.9, "10^9/L", 2), ("White blood cell decreased", 0.9, "10^9/L", 4),
    ("Anemia", 9.9, "g/dL", 2), ("Anemia", 7.9, "g/dL", 3), ("Anemia", 100, "g/L", 1),
    ("Hypoalbuminemia", 2.9, "g/dL", 2), ("Hypoalbuminemia", 19, "g/L", 3),
    ("Hypoalbuminemia", 33, "g/L", 1),
])
def test_other_decreased(term, value, unit, grade) -> None:
    lln = {"g/dL": 12.0, "g/L": 120.0}.get(unit, 4.0) if term == "Anemia" else (
        35.0 if term == "Hypoalbuminemia" and unit == "g/L" else 3.5 if term == "Hypoalbuminemia" else 1.0
        if term.startswith("Lymph") else 4.0)
    assert g(term, value, unit, lln=lln) == grade


def test_anemia_grade_3_is_lower_bound() -> None:
    assert grade_ctcae("Anemia", value=75, unit="g/L", lln=120).grade_is_lower_bound


@pytest.mark.parametrize("value, grade", [(136, 0), (134, 1), (130, 1), (129, 2), (125, 2), (124, 3),
                                          (120, 3), (119, 4)])
def test_hyponatremia(value, grade) -> None:
    assert g("Hyponatremia", value, "mmol/L", lln=135) == grade


def test_hyponatremia_symptomatic() -> None:
    assert g("Hyponatremia", 127, "mmol/L", lln=135, symptomatic=True) == 3


@pytest.mark.parametrize("term, value, grade", [
    ("Hyperkalemia", 5.1, 0), ("Hyperkalemia", 5.3, 1), ("Hyperkalemia", 5.6, 2), ("Hyperkalemia", 6.1, 3),
    ("Hyperkalemia", 7.1, 4), ("Hypokalemia", 3.5, 0), ("Hypokalemia", 3.0, 1), ("Hypokalemia", 2.9, 3),
    ("Hypokalemia", 2.4, 4),
])
def test_potassium(term, value, grade) -> None:
    assert g(term, value, "mmol/L", uln=5.2, lln=3.5) == grade


@pytest.mark.parametrize("text, grade", [("negative", 0), ("1+", 1), ("2+", 2), ("3+", 2), ("4+", 3)])
def test_proteinuria_dipstick(text, grade) -> None:
    assert g("Proteinuria", text, None) == grade


@pytest.mark.parametrize("value, grade", [(0.1, 0), (0.15, 1), (0.99, 1), (1.0, 2), (3.49, 2), (3.5, 3)])
def test_proteinuria_24h(value, grade) -> None:
    assert g("Proteinuria", value, "g/24h", uln=0.15) == grade


@pytest.mark.parametrize("value, grade", [(1.2, 0), (1.21, 1), (1.5, 1), (1.51, 2), (2.5, 2), (2.51, 3)])
def test_inr(value, grade) -> None:
    assert g("INR increased", value, None) == grade


@pytest.mark.parametrize("sbp, dbp, grade", [(119, 79, 0), (120, 70, 1), (139, 89, 1), (140, 70, 2),
                                             (130, 90, 2), (159, 99, 2), (160, 80, 3), (120, 100, 3)])
def test_hypertension_v5(sbp, dbp, grade) -> None:
    # v5.0: grade 3 is SBP ≥ 160 or DBP ≥ 100 (§11 item 6), not "> 160/100"
    r = grade_ctcae("Hypertension", value=sbp, unit="mmHg", diastolic=dbp)
    assert r.grade == grade and r.grade_is_lower_bound


def test_unknown_term() -> None:
    with pytest.raises(ValidationError):
        grade_ctcae("Fatigue", value=1, unit=None)


def test_negative_value() -> None:
    with pytest.raises(ValidationError):
        grade_ctcae("ALT increased", value=-1, unit="U/L", uln=40)
