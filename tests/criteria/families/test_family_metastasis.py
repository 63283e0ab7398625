"""Metastasis sites (``criteria/families/metastasis.py``, ``scan_metastasis_sites``).

From ``tests/criteria/test_criteria_diagnosis_progression.py`` (2 of its 13 tests; the others are in
``families/test_family_advanced.py``, ``families/test_family_cns.py``, ``families/test_family_diagnosis.py``,
``families/test_family_progression.py``, ``families/test_family_staging.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers_criteria import review_check_for, status_for


SCREENING = date(2026, 6, 1)


status = status_for("inclusion")


needs_review = review_check_for("inclusion")


SITES = "Patients with central nervous system (CNS), bone or peritoneal metastasis"


@pytest.mark.parametrize(("tumour", "expected", "why"), [
    ({"extrahepatic_sites": ["bone"]}, "met", "bone metastasis"),
    ({"extrahepatic_sites": ["peritoneum", "lung"]}, "met", "peritoneal metastasis"),
    ({"cns_metastasis": True}, "met", "brain metastasis"),
    ({"extrahepatic_spread": True, "lymph_node_metastasis": True, "distant_metastasis": False, "cns_metastasis": False},
     "not_met", "nodal disease only"),
    ({"extrahepatic_sites": ["lung"]}, "unknown", "lung metastases; brain, bone and peritoneum not stated as examined"),
    ({}, "unknown", "no staging recorded"),
])
def test_metastasis_sites_are_any_of_the_sites(tumour: dict[str, Any], expected: str, why: str) -> None:
    assert status(SITES, {"tumour": tumour}, role="exclusion") == expected, why


def test_a_site_the_model_cannot_name_stays_for_review() -> None:
    # "Visceral, bone or diffuse metastases." is read since session 5 (visceral = lung, adrenal, peritoneum:
    # families/test_family_extent_s5_metastasis_burden.py); a list placing the brain beside "visceral" is not
    assert needs_review("Visceral or brain metastases.", role="exclusion")
    assert needs_review("Liver or skin metastases", role="exclusion")
