"""Per-analyte conversions (hcc-domain.md §5) and plausibility checks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcctrials.errors import UnitError, ValidationError
from hcctrials.model.patient import ANALYTES, LabResult
from hcctrials.units import (
    ANALYTE_ALIASES,
    CANONICAL_UNITS,
    LOINC_TO_ANALYTE,
    ImplausibleUnitWarning,
    canonical_unit,
    convert,
    resolve_analyte,
    to_canonical,
)


@pytest.mark.parametrize("value, src, dst, analyte, expected", [
    # hcc-domain.md §5: bilirubin µmol/L = mg/dL × 17.1
    (2.0, "mg/dL", "umol/L", "bilirubin_total", 34.2),
    (3.0, "mg/dL", "umol/L", "bilirubin_total", 51.3),
    (34.2, "µmol/L", "mg/dL", "bilirubin_total", 2.0),
    (12.0, "mg/L", "umol/L", "bilirubin_total", 20.52),
    # creatinine µmol/L = mg/dL × 88.4
    (1.0, "mg/dL", "umol/L", "creatinine", 88.4),
    (1.5, "mg/dL", "µmol/L", "creatinine", 132.6),
    # albumin and haemoglobin g/L = g/dL × 10
    (3.5, "g/dL", "g/L", "albumin", 35.0),
    (2.8, "g/dl", "g/L", "albumin", 28.0),
    (10.0, "g/dL", "g/L", "hemoglobin", 100.0),
    (10.0, "g/dL", "mmol/L", "hemoglobin", 6.206),
    # counts: 1.5 ×10^9/L = 1500/mm³ = 1.5 ×10^3/µL; "100,000/mm³" = 100 ×10^9/L
    (1500, "/mm³", "10^9/L", "anc", 1.5),
    (100000, "/mm3", "10^9/L", "platelets", 100.0),
    (1.5, "K/uL", "10^9/L", "anc", 1.5),
    (75, "10^9/L", "/uL", "platelets", 75000.0),
    # sodium mmol/L = mEq/L; enzymes U/L = IU/L; µkat/L × 60 = U/L
    (135, "mEq/L", "mmol/L", "sodium", 135.0),
    (40, "IU/L", "U/L", "alt", 40.0),
    (1.0, "µkat/L", "U/L", "alt", 60.0),
    # AFP ng/mL = µg/L
    (400, "ug/L", "ng/mL", "afp", 400.0),
    (1000, "mg/24h", "g/24h", "urine_protein_24h", 1.0),
    (3.0, "log10 IU/mL", "IU/mL", "hbv_dna", 1000.0),
])
def test_conversion_table(value, src, dst, analyte, expected) -> None:
    assert convert(value, src, dst, analyte=analyte) == pytest.approx(expected, rel=1e-9)


def test_boundary_conversions_are_exact() -> None:
    # 3.0 mg/dL must land exactly on the 51.3 µmol/L Child-Pugh boundary (hcc-domain.md §1.1)
    assert convert(3.0, "mg/dL", "umol/L", analyte="bilirubin_total") == 51.3


def test_factor_is_a_parameter() -> None:
    exact = {("bilirubin_total", "mg/dL", "umol/L"): 17.104}  # MW 584.66 g/mol (§5)
    assert convert(1.0, "mg/dL", "umol/L", analyte="bilirubin_total", factors=exact) == 17.104


def test_hbv_dna_copies_refused_with_hint() -> None:
    with pytest.raises(UnitError) as err:
        convert(2000, "copies/mL", "IU/mL", analyte="hbv_dna")
    assert "IU/mL" in str(err.value) and "assay" in str(err.value)


@pytest.mark.parametrize("src, analyte", [("g/L", "platelets"), ("mmHg", "bilirubin_total"),
                                          ("IU/mL", "afp"), ("xULN", "alt")])
def test_impossible_pairs_refused(src, analyte) -> None:
    with pytest.raises(UnitError):
        convert(1.0, src, canonical_unit(analyte), analyte=analyte)


def test_unknown_analyte() -> None:
    with pytest.raises(UnitError):
        canonical_unit("unobtainium")


def test_every_model_analyte_has_a_canonical_unit() -> None:
    assert set(ANALYTES) <= set(CANONICAL_UNITS)


def test_to_canonical_converts_value_and_reference_range() -> None:
    lab = LabResult(analyte="bilirubin_total", value=1.4, unit="mg/dL", uln=1.2,
                    date=date(2024, 5, 1))
    c = to_canonical(lab)
    assert c.unit == "umol/L"
    assert c.value == pytest.approx(23.94)
    assert c.uln == pytest.approx(20.52)
    assert c.original_value == 1.4 and c.original_unit == "mg/dL"
    assert c.times_uln == pytest.approx(1.4 / 1.2)


def test_unitless_inr_may_omit_unit() -> None:
    assert to_canonical(LabResult(analyte="inr", value=1.3)).value == 1.3


def test_missing_unit_is_an_error_naming_the_field() -> None:
    with pytest.raises(UnitError) as err:
        to_canonical(LabResult(analyte="albumin", value=35))
    assert "albumin.unit" in str(err.value)


def test_unknown_unit_names_analyte_and_unit() -> None:
    with pytest.raises(UnitError) as err:
        to_canonical(LabResult(analyte="creatinine", value=80, unit="mg/fortnight"))
    assert "creatinine" in str(err.value) and "mg/fortnight" in str(err.value)


def test_negative_value_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as err:
        to_canonical(LabResult(analyte="platelets", value=-5, unit="10^9/L"))
    assert "platelets" in str(err.value)


@pytest.mark.parametrize("analyte, value, unit, suggested", [
    ("bilirubin_total", 2.0, "umol/L", "mg/dL"),   # issue 3: 2.0 declared µmol/L
    ("albumin", 3.5, "g/L", "g/dL"),
    ("creatinine", 1.2, "umol/L", "mg/dL"),
    ("hemoglobin", 12.5, "g/L", "g/dL"),
    ("platelets", 150000, "10^9/L", "/uL"),
])
def test_implausible_value_for_unit_warns(analyte, value, unit, suggested) -> None:
    with pytest.warns(ImplausibleUnitWarning, match=suggested):
        c = to_canonical(LabResult(analyte=analyte, value=value, unit=unit))
    assert c.findings and suggested in c.findings[0]


def test_implausible_can_be_recorded_or_raised() -> None:
    lab = LabResult(analyte="albumin", value=3.5, unit="g/L")
    assert to_canonical(lab, on_implausible="record").findings  # no warning issued
    with pytest.raises(UnitError):
        to_canonical(lab, on_implausible="raise")


@pytest.mark.parametrize("name, analyte", [
    ("total bilirubin", "bilirubin_total"), ("TBIL", "bilirubin_total"), ("总胆红素", "bilirubin_total"),
    ("ANC", "anc"), ("中性粒细胞绝对计数", "anc"), ("PLT", "platelets"), ("血小板", "platelets"),
    ("Hb", "hemoglobin"), ("血红蛋白", "hemoglobin"), ("ALT", "alt"), ("谷丙转氨酶", "alt"),
    ("丙氨酸氨基转移酶", "alt"), ("AST", "ast"), ("谷草转氨酶", "ast"), ("Cr", "creatinine"),
    ("肌酐", "creatinine"), ("serum creatinine", "creatinine"), ("CrCl", "creatinine_clearance"),
    ("肌酐清除率", "creatinine_clearance"), ("INR", "inr"), ("国际标准化比值", "inr"),
    ("白蛋白", "albumin"), ("ALB", "albumin"), ("总胆红素(TBIL)", "bilirubin_total"),
    ("1975-2", "bilirubin_total"), ("甲胎蛋白", "afp"),
])
def test_resolve_analyte(name, analyte) -> None:
    assert resolve_analyte(name) == analyte


def test_unknown_name_is_none_not_a_guess() -> None:
    assert resolve_analyte("serum unobtainium") is None


def test_alias_and_loinc_tables_point_to_model_analytes() -> None:
    assert set(ANALYTE_ALIASES.values()) <= set(ANALYTES)
    assert set(LOINC_TO_ANALYTE.values()) <= set(ANALYTES)
    # hcc-domain.md §6.1 LOINC codes
    assert LOINC_TO_ANALYTE["14631-6"] == "bilirubin_total"
    assert LOINC_TO_ANALYTE["14682-9"] == "creatinine"
    assert LOINC_TO_ANALYTE["751-8"] == "anc"


@given(st.floats(min_value=0.01, max_value=100, allow_nan=False))
def test_round_trip_mg_dl(value: float) -> None:
    there = convert(value, "mg/dL", "umol/L", analyte="creatinine")
    assert convert(there, "umol/L", "mg/dL", analyte="creatinine") == pytest.approx(value, rel=1e-8)
