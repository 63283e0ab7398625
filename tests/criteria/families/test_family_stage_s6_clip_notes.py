"""The CLIP score (issue 10, session 6; staging.scan_clip, evaluation/leaves_clip.py) and the items of the "other" bucket
that are no criteria or are the site's business (split.is_heading, admin.py).

CLIP (CLIP investigators, Hepatology 1998;28:751-755): Child-Pugh A 0 / B 1 / C 2; uninodular and <= 50% of the liver
0, multinodular and <= 50% 1, massive or > 50% 2; AFP >= 400 ng/mL 1; portal vein thrombosis 1.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict

from hcctrials.criteria import compile_criterion, describe
from hcctrials.criteria.text.split import is_heading
from hcctrials.model.eligibility import Administrative

CLIP_LE3 = "CLIP Score ≤ 3"  # NCT00081900 inclusion 8
CLIP_THEN = "CLIP score of equal to or less then 3"  # NCT00516165 inclusion 9 (the source's "then")

#: Child-Pugh A5 labs on 2026-05-25 (bilirubin 12 umol/L, albumin 42 g/L, INR 1.0), no ascites, no encephalopathy
CP_A = {"labs": [{"analyte": "bilirubin_total", "value": 12, "unit": "umol/L", "date": "2026-05-25"},
                 {"analyte": "albumin", "value": 42, "unit": "g/L", "date": "2026-05-25"},
                 {"analyte": "inr", "value": 1.0, "date": "2026-05-25"}],
        "liver": {"ascites": "none", "encephalopathy": "none"}}
#: Child-Pugh B7 (bilirubin 40 umol/L = 2 points, albumin 30 g/L = 2 points, INR 1.0, no ascites or encephalopathy)
CP_B = {"labs": [{"analyte": "bilirubin_total", "value": 40, "unit": "umol/L", "date": "2026-05-25"},
                 {"analyte": "albumin", "value": 30, "unit": "g/L", "date": "2026-05-25"},
                 {"analyte": "inr", "value": 1.0, "date": "2026-05-25"}],
        "liver": {"ascites": "none", "encephalopathy": "none"}}
AFP_HIGH = {"analyte": "afp", "value": 2400, "unit": "ng/mL", "date": "2026-05-25"}
AFP_LOW = {"analyte": "afp", "value": 12, "unit": "ng/mL", "date": "2026-05-25"}


def _patient(cp: dict[str, Any], afp: dict[str, Any] | None, tumour: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**cp, "labs": [*cp["labs"], *([afp] if afp else [])], "tumour": tumour, **extra}


@pytest.mark.parametrize("text", [CLIP_LE3, CLIP_THEN])
def test_the_rule(text: str) -> None:
    assert describe(compile_criterion(text, role="inclusion")) == "CLIP score ≤ 3"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_patient(CP_A, AFP_LOW, {"nodule_count": 1, "liver_involvement_pct": 20, "growth_pattern": "nodular", "pvtt": "vp0"},
              history_reviewed=True), "met", "CLIP 0"),
    (_patient(CP_A, None, {"nodule_count": 1, "liver_involvement_pct": 20, "growth_pattern": "nodular"}), "met",
     "AFP and the portal vein are not recorded, but the score is at most 0 + 0 + 1 + 1 = 2"),
    (_patient(CP_B, AFP_HIGH, {"nodule_count": 4, "liver_involvement_pct": 40, "growth_pattern": "nodular", "pvtt": "vp3"}),
     "not_met", "CLIP 1 (B7) + 1 + 1 + 1 = 4"),
    (_patient(CP_A, AFP_HIGH, {"nodule_count": 4, "liver_involvement_pct": 40, "growth_pattern": "nodular", "pvtt": "vp3"}),
     "met", "CLIP 0 + 1 + 1 + 1 = 3: the limit is inclusive"),
    (_patient(CP_B, AFP_HIGH, {"nodule_count": 2, "liver_involvement_pct": 60, "pvtt": "vp0"}), "not_met",
     "more than half of the liver involved scores 2 whatever the nodule count: at least 1 + 2 + 1 + 0 = 4"),
    (_patient(CP_A, AFP_HIGH, {"nodule_count": 3, "pvtt": "vp2"}), "unknown",
     "share of the liver involved not recorded: 0 + 1..2 + 1 + 1 = 3 or 4"),
])
def test_clip_at_most_3(patient: dict[str, Any], expected: str, why: str) -> None:
    assert screening_verdict(CLIP_LE3, patient, role="inclusion")[0] == expected, why


def test_an_unknown_clip_names_what_to_record() -> None:
    status, reason = screening_verdict(CLIP_LE3, _patient(CP_A, AFP_HIGH, {"nodule_count": 3, "pvtt": "vp2"}),
                                       role="inclusion")
    assert status == "unknown" and "tumour morphology" in reason and "AFP" not in reason.split("needs")[1].split("(")[0]


@pytest.mark.parametrize(("text", "heading"), [
    ("For more information regarding BMS clinical trial participation, please visit www.BMSStudyConnect.com", True),  # NCT02576509 i1
    ("The above information is not intended to contain all considerations relevant to a patient's potential "
     "participation in a clinical trial.", True),  # NCT00791544 e6
    ("For more information on staging visit www.example.org; BCLC stage B", False),
    ("Or", False),  # a connective between alternatives stays (dropping it would require both)
])
def test_notes_that_state_no_condition(text: str, heading: bool) -> None:
    assert is_heading(text) is heading


@pytest.mark.parametrize(("text", "category"), [
    ("Contraindications to angiography or selective visceral catheterization", "procedure"),  # NCT01887717 exclusion 11
])
def test_site_procedures_are_administrative(text: str, category: str) -> None:
    rule = compile_criterion(text, role="exclusion")
    assert isinstance(rule, Administrative) and rule.category == category


# NCT00712790 inclusion 20: the second sentence defines the first (Okuda et al., Cancer 1985;56:918-928: one point each
# for tumour > 50% of the liver, ascites, albumin < 3 g/dL, bilirubin > 3 mg/dL; I = 0, II = 1-2, III = 3-4)
OKUDA_DEFINED = ("Life expectancy of at least 3 months without any active treatment. This is defined as a patient who has "
                 "OKUDA I or II inoperable HCC.")


def _okuda(pct: float | None, ascites: str | None, albumin_g_l: float, bilirubin_umol_l: float,
           resectable: bool | None = False) -> dict[str, Any]:
    return {"diagnosis": {"resectable": resectable},
            "tumour": {} if pct is None else {"liver_involvement_pct": pct},
            "liver": {} if ascites is None else {"ascites": ascites},
            "labs": [{"analyte": "albumin", "value": albumin_g_l, "unit": "g/L", "date": "2026-05-20"},
                     {"analyte": "bilirubin_total", "value": bilirubin_umol_l, "unit": "umol/L", "date": "2026-05-20"}]}


def test_okuda_definition_the_rule() -> None:
    assert describe(compile_criterion(OKUDA_DEFINED, role="inclusion")) == \
        "all of (Okuda stage in {I,II}; not (candidate for curative resection))"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_okuda(30, "mild", 28, 20), "met", "ascites and albumin 2.8 g/dL: 2 points, stage II; inoperable"),
    (_okuda(60, "mild", 28, 80), "not_met", "all four items (bilirubin 80 umol/L = 4.7 mg/dL): stage III"),
    (_okuda(30, "none", 40, 20, resectable=True), "not_met", "Okuda I, but operable"),
    (_okuda(None, "mild", 28, 20), "unknown", "2 points known; the share of the liver decides II or III"),
    (_okuda(None, "none", 40, 20), "met", "at most 1 point whatever the share of the liver: I or II"),
])
def test_okuda_i_or_ii_inoperable(patient: dict[str, Any], expected: str, why: str) -> None:
    assert screening_verdict(OKUDA_DEFINED, patient, role="inclusion")[0] == expected, why
