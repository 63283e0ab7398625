"""Variceal bleeding windows and portal-trunk thrombosis read as a whole (issue 10, session 5).

``criteria/families/extent.py`` (``read_extent_criterion``).  Criteria quoted from real HCC records of ``../shared``;
each keeps the part the record cannot show (was another bleed "uncontrolled"? did the transplant follow the bleed?
which vein does a bland thrombus occupy?) as a needs-review part that can only keep the answer open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpers_criteria import status_for

SCREENING = date(2026, 6, 1)


status = status_for("exclusion")


THREE_MONTHS = ("Any episode of bleeding from oesophageal varices or other uncontrolled bleeding within the last 3 months "
                "prior to study treatment initiation")  # NCT02716012 exclusion 5


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"liver": {"varices": "treated", "variceal_bleeding_dates": ["2026-04-10"]}}, "met", "variceal bleed 7 weeks ago"),
    ({"history_reviewed": True, "liver": {"variceal_bleeding_dates": ["2025-09-01"]}}, "not_met",
     "last variceal bleed 9 months ago; no other bleeding in the reviewed history"),
    ({"history_reviewed": True, "conditions": [{"code": "gi_bleeding", "name": "duodenal ulcer bleed",
                                                 "onset": "2026-05-01", "status": "resolved"}]}, "needs_review",
     "an ulcer bleed last month: whether it was uncontrolled is not recorded"),
    ({"liver": {"variceal_bleeding_dates": ["2025-09-01"]}}, "unknown", "other bleeding not assessed"),
])
def test_variceal_or_other_uncontrolled_bleeding_in_3_months(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(THREE_MONTHS, patient) == expected, why


ONE_YEAR = ("Patients with a history of bleeding varices in previous 1 year are excluded (unless patient has subsequently "
            "had a liver transplant. Those with gastric varices or varices that are deemed as high risk by the endoscopist "
            "should be placed on appropriate medical therapy as advised by the gastroenterologist.")  # NCT01306058


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"history_reviewed": True, "liver": {"varices": "large", "variceal_bleeding_dates": ["2025-12-01"]}}, "met",
     "bled 6 months ago, reviewed history without a transplant"),
    ({"history_reviewed": True, "liver": {"varices": "treated", "variceal_bleeding_dates": ["2024-09-15"]}}, "not_met",
     "last bleed more than a year ago"),
    ({"liver": {"variceal_bleeding_dates": ["2025-09-01"]},
      "treatments": [{"kind": "transplant", "regimen": "liver transplantation", "start": "2026-01-15"}]}, "needs_review",
     "a transplant is recorded; whether it followed the bleed is for the reviewer"),
    ({"liver": {"varices": "large", "variceal_bleeding_dates": ["2025-12-01"]}}, "unknown",
     "bled 6 months ago; transplant history not reviewed"),
])
def test_bleeding_varices_within_a_year_unless_transplanted(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(ONE_YEAR, patient) == expected, why


TRUNKS = "Portal venous (main, primary right, or primary left trunks) or inferior vena cava thrombosis."  # NCT01618253


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"tumour": {"pvtt": "vp3"}}, "met", "tumour thrombus in a first-order (right or left) trunk"),
    ({"tumour": {"pvtt": "vp1", "ivc_or_atrial_thrombus": True}}, "met", "caval tumour thrombus"),
    ({"tumour": {"pvtt": "vp2", "ivc_or_atrial_thrombus": False}, "history_reviewed": True}, "not_met",
     "second-order branch only, no caval thrombus, no bland thrombosis in the reviewed history"),
    ({"tumour": {"pvtt": "vp2", "ivc_or_atrial_thrombus": False}}, "unknown",
     "a bland thrombosis of the trunks is not ruled out"),
    ({"tumour": {"pvtt": "vp0", "ivc_or_atrial_thrombus": False},
      "conditions": [{"code": "portal_vein_thrombosis", "name": "bland portal vein thrombosis", "status": "active"}]},
     "needs_review", "a bland thrombosis whose vein is not recorded"),
])
def test_portal_trunk_or_caval_thrombosis(patient: dict[str, Any], expected: str, why: str) -> None:
    assert status(TRUNKS, patient) == expected, why


@pytest.mark.parametrize("text", [THREE_MONTHS, ONE_YEAR, TRUNKS])
def test_these_readings_are_for_exclusion_lists_only(text: str) -> None:
    assert status(text, {"tumour": {"pvtt": "vp3"}, "liver": {"variceal_bleeding_dates": ["2026-05-01"]}},
                  role="inclusion") in ("needs_review", "unknown")
