"""HCC diagnosis routes (``criteria/families/diagnosis.py``, ``scan_diagnosis_routes``): the non-invasive
route in cirrhosis and histopathology of tumour tissue.

From ``tests/criteria/test_criteria_diagnosis_progression.py`` (2 of its 13 tests; the others are in
``families/test_family_advanced.py``, ``families/test_family_cns.py``, ``families/test_family_metastasis.py``,
``families/test_family_progression.py``, ``families/test_family_staging.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers_criteria import status_for


SCREENING = date(2026, 6, 1)


status = status_for("inclusion")


# --------------------------------------------------------------------------------------- diagnosis

AASLD_TEXTS = [
    "Histologically or cytologically confirmed HCC or clinical diagnosis by American Association for the Study of Liver "
    "Diseases (AASLD) criteria in cirrhotic subjects is required. m)",
    "Either histological confirmation or clinical diagnosis by American Association for the Study of Liver Diseases(AASLD) "
    "criteria (see Appendix 1) in cirrhotic subjects is required. For subjects without cirrhosis histological "
    "confirmation is mandatory.",
    "A diagnosis of HCC based on histopathologic findings, or a diagnosis of cirrhosis and a tumor with classical HCC "
    "imaging characteristics.",
]


@pytest.mark.parametrize("text", AASLD_TEXTS)
@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    ({"confirmed_by": "histology", "histology": "hcc", "cirrhosis": False}, "met", "biopsy-proven HCC"),
    ({"confirmed_by": "imaging", "cirrhosis": True}, "met", "typical imaging in a cirrhotic liver (AASLD)"),
    ({"confirmed_by": "clinical", "cirrhosis": True}, "met", "a clinical (imaging-based) diagnosis in cirrhosis"),
    ({"confirmed_by": "imaging", "cirrhosis": False}, "not_met", "non-invasive criteria do not apply without cirrhosis"),
    ({"confirmed_by": "imaging"}, "unknown", "cirrhosis not recorded"),
])
def test_non_invasive_diagnosis_counts_only_in_cirrhosis(text: str, diagnosis: dict[str, Any], expected: str,
                                                         why: str) -> None:
    assert status(text, {"diagnosis": diagnosis}) == expected, why


def test_histopathology_of_tumour_tissue() -> None:
    text = "Confirmed HCC based on histopathological findings from tumour tissue"
    assert status(text, {"diagnosis": {"confirmed_by": "histology"}}) == "met"
    assert status(text, {"diagnosis": {"confirmed_by": "imaging"}}) == "not_met"
