"""Tumour extent, session 5 (issue 10): metastasis sites, metastatic history, tumour-burden ranges.

Criteria quoted from real HCC records of ``../shared`` (NCT02291133, NCT02716012, NCT01009801, NCT00122876); the
patient, the verdict a clinician reads and why.  Scanners: ``criteria/families/metastasis.py``,
``criteria/families/extent.py`` (``scan_burden``); CNS rule: ``criteria/evaluation/leaves.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.eligibility import NeedsReview, walk
from helpers_criteria import status_for

SCREENING = date(2026, 6, 1)


status = status_for("inclusion")  # every call names its role


def computable(text: str, role: str) -> bool:
    return not any(isinstance(n, NeedsReview) for n in walk(compile_criterion(text, role=role)))  # type: ignore[arg-type]


VISCERAL = "Visceral, bone or diffuse metastases."  # NCT02291133 exclusion 2


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"extrahepatic_sites": ["lung"]}, "met", "lung metastases are visceral"),
    ({"extrahepatic_sites": ["adrenal", "lymph_node"]}, "met", "an adrenal metastasis is visceral"),
    ({"extrahepatic_sites": ["bone"]}, "met", "bone metastasis"),
    ({"extrahepatic_spread": False}, "not_met", "no extrahepatic disease at all"),
    ({"extrahepatic_sites": ["lymph_node"], "distant_metastasis": False}, "not_met",
     "regional nodes only: no visceral, bone or widespread metastasis"),
    ({"extrahepatic_spread": True, "distant_metastasis": True}, "unknown",
     "a distant metastasis without its site: distant nodes alone would be neither visceral nor bone"),
    ({"extrahepatic_sites": ["brain"]}, "unknown", "brain only: whether the author counts it as visceral is open"),
    ({"extrahepatic_sites": ["other"]}, "unknown", "an 'other' site (spleen? skin?) may or may not be visceral"),
    ({}, "unknown", "no staging recorded"),
])
def test_visceral_bone_or_diffuse_metastases(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(VISCERAL, {"tumour": tumour}, "exclusion") == expected, why


def test_visceral_is_read_as_the_visceral_sites_of_the_record() -> None:
    rule = describe(compile_criterion(VISCERAL, role="exclusion"))
    assert rule == ("any of (tumour: lung_metastasis; tumour: adrenal_metastasis; tumour: peritoneal_metastasis; "
                    "tumour: bone_metastasis)")


@pytest.mark.parametrize("text", [
    "Diffuse or bone metastases",          # "diffuse" without "visceral": what is diffuse is not said
    "Visceral or brain metastases",        # brain's place among visceral sites is left open
    "Visceral, skin or bone metastases",   # a site the record cannot name
])
def test_lists_the_reading_does_not_cover_stay_for_review(text: str) -> None:
    assert not computable(text, "exclusion")


SITES = "Patients with central nervous system (CNS), bone or peritoneal metastasis"  # NCT02716012 exclusion 9


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"extrahepatic_spread": False}, "not_met", "no extrahepatic disease: no brain, bone or peritoneal metastasis"),
    ({"extrahepatic_sites": ["lymph_node"], "distant_metastasis": False}, "not_met",
     "nodal disease only: brain, bone and peritoneum are distant sites"),
    ({"extrahepatic_sites": ["lung"]}, "unknown", "lung metastases: brain not stated as imaged"),
    ({"extrahepatic_sites": ["peritoneum"]}, "met", "peritoneal metastasis"),
])
def test_no_extrahepatic_spread_rules_out_brain_metastases_too(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(SITES, {"tumour": tumour}, "exclusion") == expected, why


def test_known_brain_metastases_after_negative_staging() -> None:
    """"No known brain metastases" (NCT00005997): staging that found no extrahepatic spread rules them out, as it
    rules out bone metastases; a record with nothing staged stays unknown."""
    text = "No known brain metastases"
    assert status(text, {"tumour": {"extrahepatic_spread": False}}, "inclusion") == "met"
    assert status(text, {"tumour": {"distant_metastasis": False}}, "inclusion") == "met"
    assert status(text, {"tumour": {"extrahepatic_spread": True, "distant_metastasis": True}}, "inclusion") == "unknown"
    assert status(text, {"tumour": {"cns_metastasis": True, "extrahepatic_spread": True}}, "inclusion") == "not_met"


HISTORY = "No presence or history of metastatic disease"  # NCT01009801 inclusion 4


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"tumour": {"extrahepatic_spread": False}, "history_reviewed": True}, "met",
     "no metastasis on staging, none in the reviewed history"),
    ({"tumour": {"extrahepatic_spread": False}}, "unknown", "none now; an earlier (resected) metastasis not ruled out"),
    ({"tumour": {"extrahepatic_spread": False},
      "conditions": [{"code": "metastatic_disease", "status": "absent"}]}, "met", "past metastasis recorded absent"),
    ({"tumour": {"extrahepatic_sites": ["lymph_node"]}}, "not_met", "nodal metastasis is metastatic disease"),
    ({"tumour": {"extrahepatic_spread": False}, "history_reviewed": True,
      "conditions": [{"code": "metastatic_disease", "name": "lung metastasis resected 2024", "status": "resolved"}]},
     "not_met", "a resected lung metastasis is a history of metastatic disease"),
])
def test_no_presence_or_history_of_metastatic_disease(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(HISTORY, patient, "inclusion") == expected, why


def test_no_presence_or_history_in_an_exclusion_list_stays_for_review() -> None:
    assert not computable(HISTORY, "exclusion")


RANGE = ("Subjects with at least 1 but no more than 3 lesions in the liver may be considered for enrollment in the "
         "study;")  # NCT00122876 inclusion 2


@pytest.mark.parametrize(("nodules", "expected"), [(1, "met"), (3, "met"), (4, "not_met"), (0, "not_met"),
                                                    (None, "unknown")])
def test_one_to_three_liver_lesions(nodules: int | None, expected: str) -> None:
    assert status(RANGE, {"tumour": {"nodule_count": nodules}}, "inclusion") == expected


def test_a_count_range_of_lesions_of_a_size_is_not_read() -> None:
    assert not computable("at least 1 but no more than 3 lesions in the liver ≥ 2 cm", "inclusion")


SIZE_AND_SHARE = ("Subjects with lesions larger than 8 cm in diameter and more than 40% of parenchymal disease "
                  "involvement;")  # NCT00122876 exclusion 2


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"largest_diameter_cm": 11, "liver_involvement_pct": 55}, "met", "both parts hold"),
    ({"largest_diameter_cm": 9, "liver_involvement_pct": 25}, "not_met", "large lesion, small share: 'and' joins them"),
    ({"largest_diameter_cm": 6, "liver_involvement_pct": 45}, "not_met", "large share, no lesion over 8 cm"),
    ({"largest_diameter_cm": 8, "liver_involvement_pct": 60}, "not_met", "8 cm is not larger than 8 cm"),
    ({"largest_diameter_cm": 10}, "unknown", "share of the parenchyma not recorded"),
])
def test_large_lesion_and_large_share_of_the_liver(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(SIZE_AND_SHARE, {"tumour": tumour}, "exclusion") == expected, why
