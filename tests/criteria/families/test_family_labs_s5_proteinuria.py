"""Proteinuria screened by dipstick or UPC ratio, decided by a 24-hour collection (issue 10, labs, session 5).

Quoted from registry records in ../shared (hint_hcc_subset.csv).  The 24-hour collection is the decisive test for a
patient whose screening test is positive; a patient whose screening test is negative needs no collection.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict

from hcctrials.criteria import compile_criterion, describe

#: NCT00516165 exclusion 12
DIPSTICK_THEN_24H = ("Patients with a positive dipstick for urine protein (reading of 2+ or greater) will then undergo a "
                     "24-hour urine collection for protein. If patients have a 2g or greater of protein/24hr, they will "
                     "be excluded from the study.")
#: NCT00426829 exclusion 3
UPC_OR_DIPSTICK = ("Proteinuria at screening as demonstrated by either Urine protein:creatinine (UPC) ratio > 1.0 at "
                   "screening OR Urine dipstick for proteinuria > 2+ (patients discovered to have > 2+ proteinuria on "
                   "dipstick urinalysis at baseline should undergo a 24 hour urine collection and must demonstrate < 1g of "
                   "protein in 24 hours to be eligible).")
DAY = "2026-05-20"


def _dip(grade: str) -> dict[str, Any]:
    return {"analyte": "urine_protein", "text": grade, "date": DAY}


def _p24(grams: float) -> dict[str, Any]:
    return {"analyte": "urine_protein_24h", "value": grams, "unit": "g/24h", "date": DAY}


def _upc(ratio: float) -> dict[str, Any]:
    return {"analyte": "upcr", "value": ratio, "unit": "mg/mg", "date": DAY}


@pytest.mark.parametrize(("labs", "expected", "why"), [
    ([_dip("3+"), _p24(2.5)], "met", "dipstick 3+ and 2.5 g in 24 hours"),
    ([_dip("2+"), _p24(1.2)], "not_met", "dipstick 2+, 1.2 g in 24 hours: under 2 g"),
    ([_dip("1+")], "not_met", "dipstick 1+ is not positive here: no collection needed"),
    ([_dip("2+")], "unknown", "dipstick 2+, collection not done"),
])
def test_dipstick_then_24_hour_collection(labs: list[dict[str, Any]], expected: str, why: str) -> None:
    assert describe(compile_criterion(DIPSTICK_THEN_24H, role="exclusion")) == \
        "all of (urine protein dipstick ≥ 2+; 24-hour urine protein ≥ 2 g/24h)"
    status, reason = screening_verdict(DIPSTICK_THEN_24H, {"labs": labs})
    assert status == expected, (why, reason)


@pytest.mark.parametrize(("labs", "expected", "why"), [
    ([_upc(1.4)], "met", "UPC ratio 1.4 > 1.0"),
    ([_upc(0.3), _dip("1+")], "not_met", "UPC ratio 0.3 and dipstick 1+"),
    ([_upc(0.8), _dip("3+"), _p24(1.5)], "met", "dipstick 3+ and 1.5 g in 24 hours: not under 1 g"),
    ([_upc(0.8), _dip("3+"), _p24(0.6)], "not_met", "dipstick 3+ but 0.6 g in 24 hours: eligible"),
    ([_upc(0.5), _dip("3+")], "unknown", "dipstick 3+, collection not done"),
    ([{"analyte": "upcr", "value": 1.4, "date": DAY}], "unknown",
     "a ratio without its unit (mg/mg, mg/g and mg/mmol differ a hundredfold) is not compared"),
])
def test_upc_ratio_or_dipstick_then_collection(labs: list[dict[str, Any]], expected: str, why: str) -> None:
    status, reason = screening_verdict(UPC_OR_DIPSTICK, {"labs": labs})
    assert status == expected, (why, reason)
