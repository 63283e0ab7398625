"""Other-malignancy criteria whose exception lists were left for review (issue 10, session 6; malignancy.py).

* NCT00105443 exclusion 1: the superficial bladder tumour exception with its nested T-stage glosses, and the next
  sentence "Any cancer curatively treated > 3 years prior to entry is permitted" as one more exception.
* NCT00712790 exclusion 14: "concurrent" beside an exception for cancers disease-free for five years means any cancer
  of the history (one disease-free for less still counts).
* NCT01348503 inclusion 6: "currently treated basal cell, squamous cell carcinoma of the skin": treatment qualifies both.
Screening date 2026-06-01; histories reviewed unless said.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import status_for

status = status_for("exclusion")

BLADDER = ('Previous or concurrent cancer that is distinct in primary site or histology from HCC, EXCEPT cervical carcinoma '
           'in situ, treated basal cell carcinoma, superficial bladder tumors (Ta [Noninvasive papillary carcinoma], Tis '
           '[Carcinoma in situ: "flat tumor"] & T1 [Tumor invades subepithelial connective tissue]). Any cancer curatively '
           'treated > 3 years prior to entry is permitted')
CONCURRENT = ("Any other concurrent malignancy, except for adequately treated basal cell or squamous cell skin cancer, in situ "
              "cervical cancer, or other cancer for which the patient has been disease-free for at least five years.")
DISEASE_FREE_5Y = ('Disease free of prior malignancies for >/= 5 years with exception of currently treated basal cell, squamous '
                   'cell carcinoma of the skin, or carcinoma "in situ" of the cervix or breast.')


def _with(*cancers: dict[str, Any]) -> dict[str, Any]:
    return {"history_reviewed": True, "conditions": [{"code": "other_malignancy", **c} for c in cancers]}


COLON_CURED_2019 = {"name": "colon cancer", "malignancy_type": "other", "onset": "2018-09-01", "resolved_on": "2019-03-01",
                    "status": "resolved", "cured": True}
COLON_CURED_2024 = {"name": "colon cancer", "malignancy_type": "other", "onset": "2023-09-01", "resolved_on": "2024-03-01",
                    "status": "resolved", "cured": True}
PROSTATE_ACTIVE = {"name": "prostate cancer", "malignancy_type": "other", "onset": "2025-10-01", "status": "active"}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_with({"name": "Ta papillary bladder tumour", "malignancy_type": "bladder_superficial", "onset": "2025-02-01",
            "status": "resolved", "resolved_on": "2025-03-01"}), "not_met", "a superficial bladder tumour is excepted"),
    (_with(COLON_CURED_2019), "not_met", "curatively treated more than 3 years before entry: permitted"),
    (_with(COLON_CURED_2024), "met", "curatively treated, but about 2 years ago"),
    (_with(PROSTATE_ACTIVE), "met", "an active cancer of another site"),
    (_with({"name": "basal cell carcinoma", "malignancy_type": "skin_basal_cell", "onset": "2026-01-10",
            "status": "active"}), "unknown", "a basal cell carcinoma is excepted only when treated; treatment not recorded"),
    ({"history_reviewed": True}, "not_met", "no other cancer in a reviewed history"),
])
def test_bladder_glosses_and_the_permitted_cured_cancer(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(BLADDER, patient) == expected, why


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_with({**COLON_CURED_2019, "name": "breast cancer"}), "not_met", "disease-free for seven years: excepted"),
    (_with({**COLON_CURED_2024, "name": "breast cancer"}), "met",
     "disease-free for two years: not excepted, so it counts although it is no longer active"),
    (_with(PROSTATE_ACTIVE), "met", "an active cancer"),
    (_with({"name": "squamous cell skin cancer, excised", "malignancy_type": "skin_squamous_cell", "onset": "2025-11-01",
            "status": "resolved", "resolved_on": "2025-11-20", "cured": True}), "not_met",
     "adequately treated squamous cell skin cancer is excepted"),
    (_with({"name": "lung cancer", "malignancy_type": "other", "onset": "2022-01-01", "status": "resolved"}), "unknown",
     "no longer active, but when it resolved is not recorded"),
])
def test_concurrent_with_a_disease_free_exception_means_any_cancer(patient: dict[str, Any], expected: str,
                                                                     why: str) -> None:
    assert status(CONCURRENT, patient) == expected, why


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_with({"name": "basal cell carcinoma under treatment", "malignancy_type": "skin_basal_cell", "onset": "2026-04-01",
            "status": "active", "cured": True}), "met", "a currently treated basal cell carcinoma is the exception"),
    (_with({"name": "squamous cell carcinoma of the skin, untreated", "malignancy_type": "skin_squamous_cell",
            "onset": "2026-04-01", "status": "active", "cured": False}), "not_met",
     "'currently treated' also qualifies the squamous cell carcinoma: an untreated one is not excepted"),
    (_with({"name": "DCIS", "malignancy_type": "breast_in_situ", "onset": "2024-05-01", "status": "resolved",
            "resolved_on": "2024-06-01"}), "met", "carcinoma in situ of the breast is excepted"),
    (_with(COLON_CURED_2024), "not_met", "a colon cancer within the 5 years"),
    (_with(COLON_CURED_2019), "met", "more than 5 years disease-free"),
    ({}, "unknown", "no history of other cancers recorded and the history is not marked reviewed"),
])
def test_disease_free_five_years_with_currently_treated_skin_cancer(patient: dict[str, Any], expected: str,
                                                                    why: str) -> None:
    assert status(DISEASE_FREE_5Y, patient, role="inclusion") == expected, why
