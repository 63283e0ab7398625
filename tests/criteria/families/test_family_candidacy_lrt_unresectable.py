"""Candidacy: "LRT" spelled as its abbreviation, and resectable "for cure at presentation" (issue 10).

"Must not be eligible for LRT for unresectable HCC." (NCT05883644): unresectable and not amenable to
locoregional therapy.  "Tumours amenable to surgical resection for cure at presentation." (NCT00712790,
exclusion): a resection candidate now.
"""

from __future__ import annotations

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.model.patient import Diagnosis


def _dx(**fields: object) -> Diagnosis:
    return Diagnosis(confirmed_by="histology", histology="hcc", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("diagnosis", "expected", "why"), [
    (_dx(resectable=False, locoregional_candidate=False), "met", "infiltrative HCC, TACE not possible"),
    (_dx(resectable=False, locoregional_candidate=True), "not_met", "still amenable to TACE / ablation"),
    (_dx(resectable=True, locoregional_candidate=False), "not_met", "resectable: the HCC is not unresectable"),
    (_dx(resectable=False), "unknown", "LRT eligibility not assessed"),
])
def test_not_eligible_for_lrt(diagnosis: Diagnosis, expected: str, why: str) -> None:
    patient = make_patient(diagnosis=diagnosis)
    assert compiled_status("Must not be eligible for LRT for unresectable HCC.", "inclusion", patient) == expected, why


@pytest.mark.parametrize(("resectable", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")])
def test_resectable_for_cure_at_presentation(resectable: bool | None, expected: str) -> None:
    patient = make_patient(diagnosis=_dx(resectable=resectable))
    text = "Tumours amenable to surgical resection for cure at presentation."
    assert compiled_status(text, "exclusion", patient) == expected
