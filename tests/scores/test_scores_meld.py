"""MELD family.  Formulas and test vectors: hcc-domain.md §1.3 (Kamath 2001 / OPTN MELD;
Kim 2008 and OPTN 2016 MELD-Na; Kim WR et al., Gastroenterology 2021;161:1887-1895 MELD 3.0),
rounding variant from §11 item 4.  Vectors were computed by the doc authors with those
formulas; the hand arithmetic for the first vector is in the test."""

from __future__ import annotations

import pytest

from hcctrials.scores import compute_meld, compute_meld_3, compute_meld_na


@pytest.mark.parametrize("cr, bili, inr, na, meld, meld_na", [
    # MELD(i) = 0.957 ln1.2 + 0.378 ln2 + 1.12 ln1.5 + 0.643 = 1.5336 -> 15;
    # MELD-Na = 15 + 1.32*2 - 0.033*15*2 = 16.65 -> 17
    (1.2, 2.0, 1.5, 135, 15, 17),
    (1.0, 1.5, 1.5, 135, 13, 15),
    (1.9, 4.0, 1.8, 128, 24, 29),
])
def test_domain_doc_vectors(cr, bili, inr, na, meld, meld_na) -> None:
    assert compute_meld(bilirubin_mg_dl=bili, creatinine_mg_dl=cr, inr=inr).score == meld
    assert compute_meld_na(bilirubin_mg_dl=bili, creatinine_mg_dl=cr, inr=inr,
                           sodium_mmol_l=na).score == meld_na


def test_rounding_variant_changes_meld_na_by_one() -> None:
    # §11 item 4: Cr 1.0, bili 1.5, INR 1.5, Na 135 -> 15 with OPTN rounding, 14 without
    kw = dict(bilirubin_mg_dl=1.5, creatinine_mg_dl=1.0, inr=1.5, sodium_mmol_l=135)
    assert compute_meld_na(**kw).score == 15
    assert compute_meld_na(**kw, rounding="unrounded").score == 14


def test_floors_and_minimum() -> None:
    # values < 1.0 set to 1.0 -> MELD(i) = 0.643 -> 6 (lower bound 6)
    r = compute_meld(bilirubin_mg_dl=0.3, creatinine_mg_dl=0.5, inr=0.9)
    assert r.score == 6 and r.bounded_inputs == {"bilirubin_mg_dl": 1.0, "inr": 1.0,
                                                 "creatinine_mg_dl": 1.0}


def test_creatinine_cap_and_dialysis() -> None:
    # creatinine capped at 4.0; dialysis twice in the past week -> 4.0
    capped = compute_meld(bilirubin_mg_dl=2.0, creatinine_mg_dl=6.0, inr=1.5)
    at_cap = compute_meld(bilirubin_mg_dl=2.0, creatinine_mg_dl=4.0, inr=1.5)
    dialysis = compute_meld(bilirubin_mg_dl=2.0, creatinine_mg_dl=1.0, inr=1.5, dialysis=True)
    assert capped.score == at_cap.score == dialysis.score


def test_upper_bound_40() -> None:
    assert compute_meld(bilirubin_mg_dl=40, creatinine_mg_dl=4, inr=8).score == 40


def test_meld_na_not_applied_when_meld_11_or_less() -> None:
    # OPTN 2016: sodium term only if MELD > 11
    r = compute_meld_na(bilirubin_mg_dl=1.0, creatinine_mg_dl=1.0, inr=1.3, sodium_mmol_l=125)
    assert r.score == compute_meld(bilirubin_mg_dl=1.0, creatinine_mg_dl=1.0, inr=1.3).score


def test_sodium_bounds() -> None:
    kw = dict(bilirubin_mg_dl=2.0, creatinine_mg_dl=1.2, inr=1.5)
    assert compute_meld_na(**kw, sodium_mmol_l=110).score == compute_meld_na(**kw, sodium_mmol_l=125).score
    assert compute_meld_na(**kw, sodium_mmol_l=145).score == compute_meld_na(**kw, sodium_mmol_l=137).score


def test_other_published_forms() -> None:
    kw = dict(bilirubin_mg_dl=2.0, creatinine_mg_dl=1.2, inr=1.5, sodium_mmol_l=135)
    # Kim 2008: 15 - 135 - 0.025*15*5 + 140 = 18.125 -> 18
    assert compute_meld_na(**kw, variant="kim2008").score == 18
    # Biggins 2006: 15 + 1.59*(135-135) = 15
    assert compute_meld_na(**kw, variant="biggins2006").score == 15


@pytest.mark.parametrize("sex, expected", [("male", 17), ("female", 18)])
def test_meld_3_vectors(sex, expected) -> None:
    # §1.3: Cr 1.2, bili 2.0, INR 1.5, Na 135, albumin 3.0 -> 17 (male), 18 (female)
    r = compute_meld_3(bilirubin_mg_dl=2.0, creatinine_mg_dl=1.2, inr=1.5, sodium_mmol_l=135,
                       albumin_g_dl=3.0, sex=sex)
    assert r.score == expected


def test_meld_3_second_vector() -> None:
    # §1.3: Cr 2.5, bili 5.0, INR 2.0, Na 128, albumin 2.5, female -> 35
    r = compute_meld_3(bilirubin_mg_dl=5.0, creatinine_mg_dl=2.5, inr=2.0, sodium_mmol_l=128,
                       albumin_g_dl=2.5, sex="female")
    assert r.score == 35


def test_meld_3_creatinine_cap_is_3() -> None:
    kw = dict(bilirubin_mg_dl=2.0, inr=1.5, sodium_mmol_l=135, albumin_g_dl=3.0, sex="male")
    assert (compute_meld_3(creatinine_mg_dl=3.5, **kw).score
            == compute_meld_3(creatinine_mg_dl=3.0, **kw).score
            == compute_meld_3(creatinine_mg_dl=1.0, dialysis=True, **kw).score)
    assert compute_meld_3(creatinine_mg_dl=2.0, **kw).score < compute_meld_3(creatinine_mg_dl=3.0, **kw).score


def test_meld_3_needs_sex() -> None:
    r = compute_meld_3(bilirubin_mg_dl=2.0, creatinine_mg_dl=1.2, inr=1.5, sodium_mmol_l=135,
                       albumin_g_dl=3.0, sex=None)
    assert r.score is None and r.missing == ("sex",)


def test_missing_inputs_named() -> None:
    r = compute_meld_na(bilirubin_mg_dl=2.0, creatinine_mg_dl=None, inr=1.5, sodium_mmol_l=None)
    assert r.score is None and set(r.missing) == {"creatinine_mg_dl", "sodium"}


def test_unknown_dialysis_is_named_assumption() -> None:
    r = compute_meld(bilirubin_mg_dl=2.0, creatinine_mg_dl=1.2, inr=1.5, dialysis=None)
    assert r.score == 15 and r.assumptions
