"""HCC confirmed by histology or by the radiographic criteria (issue 10, diagnosis family, session 5).

"Confirmed unresectable or metastatic hepatocellular carcinoma. Confirmation either by histologic confirmation or
accepted radiographic criteria." (NCT03382886 inclusion 1, hint_hcc_subset.csv): the accepted radiographic criteria
are the imaging diagnosis of HCC (AASLD 2018 practice guidance, EASL 2018 guidelines), read as "radiologically
confirmed" is read elsewhere.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict

from hcctrials.criteria import compile_criterion, describe

TEXT = ("Confirmed unresectable or metastatic hepatocellular carcinoma. Confirmation either by histologic confirmation "
        "or accepted radiographic criteria.")
CONFINED = {"assessed_on": "2026-05-12", "extrahepatic_spread": False, "lymph_node_metastasis": False,
            "distant_metastasis": False}


def test_the_rule() -> None:
    assert describe(compile_criterion(TEXT, role="inclusion")) == \
        "all of (any of (not (candidate for curative resection); tumour: extrahepatic_spread); " \
        "diagnosis confirmed by histology/imaging)"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": False}}, "met",
     "biopsy-proven, unresectable"),
    ({"diagnosis": {"confirmed_by": "imaging", "cirrhosis": True, "resectable": False}}, "met",
     "imaging diagnosis in cirrhosis, unresectable"),
    ({"diagnosis": {"confirmed_by": "histology", "histology": "hcc", "resectable": True}, "tumour": CONFINED},
     "not_met", "resectable and confined to the liver"),
    ({"diagnosis": {"resectable": False}}, "unknown", "the way of confirmation is not recorded"),
])
def test_confirmed_by_histology_or_radiographic_criteria(patient: dict[str, Any], expected: str, why: str) -> None:
    status, reason = screening_verdict(TEXT, patient, role="inclusion")
    assert status == expected, (why, reason)
