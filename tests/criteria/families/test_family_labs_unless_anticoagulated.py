"""Coagulation limits waived under therapeutic anticoagulation, and lab lists as written (issue 10, labs).

"Prothrombin time <=1.5x ULN, unless receiving therapeutic anticoagulation" (NCT01171924): a patient on
full-dose anticoagulation meets it whatever the PT; one who is not must have the PT within the limit.  The
word "unless" is never a ULN abbreviation ("INR <= 1.5 unless ..." once read "1.5 x UNL" + "ess").
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, lab, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.patient import ConcomitantMedication

PT_UNLESS = "Prothrombin time ≤1.5x ULN, unless receiving therapeutic anticoagulation"
ENOXAPARIN = ConcomitantMedication(name="enoxaparin", drug_class="anticoagulant", intent="therapeutic",
                                   start=date(2026, 2, 1), ongoing=True)
ENTECAVIR = ConcomitantMedication(name="entecavir", start=date(2024, 1, 1), ongoing=True)


@pytest.mark.parametrize(("pt_seconds", "medications", "expected", "why"), [
    (13.0, [ENTECAVIR], "met", "PT 13 s is within 1.5 x ULN (20.25 s)"),
    (25.0, [ENOXAPARIN], "met", "PT 1.85 x ULN, but on full-dose enoxaparin: the limit is waived"),
    (25.0, [ENTECAVIR], "not_met", "PT 1.85 x ULN and no anticoagulant among the medications"),
])
def test_pt_limit_waived_for_therapeutic_anticoagulation(pt_seconds: float, medications: list[ConcomitantMedication],
                                                         expected: str, why: str) -> None:
    patient = make_patient(labs={"pt": lab("pt", pt_seconds, "s", uln=13.5)}, concomitant_medications=medications)
    assert compiled_status(PT_UNLESS, "inclusion", patient) == expected, why


def test_exclusion_wording_reads_the_other_way() -> None:
    """"INR > 1.5 unless on therapeutic anticoagulation" as an exclusion: excludes only the non-anticoagulated."""
    text = "INR > 1.5 unless on therapeutic anticoagulation"
    high = {"inr": lab("inr", 2.4, None)}
    assert compiled_status(text, "exclusion", make_patient(labs=high, concomitant_medications=[ENOXAPARIN])) == "not_met"
    assert compiled_status(text, "exclusion", make_patient(labs=high, concomitant_medications=[ENTECAVIR])) == "met"


def test_unless_is_not_an_upper_limit_of_normal() -> None:
    rule = compile_criterion("INR ≤ 1.5 unless on warfarin with a stable dose", role="inclusion")
    text = describe(rule)
    assert "INR ≤ 1.5" in text and "ULN" not in text, text
    assert "NEEDS REVIEW" in text  # the warfarin condition is not read: review, not a guess


def test_creatinine_normal_is_at_most_the_upper_limit() -> None:
    """"Creatinine normal" (NCT01335074): a renal criterion; a low creatinine is not what it excludes."""
    assert compiled_status("Creatinine normal", "inclusion",
                           make_patient(labs={"creatinine": lab("creatinine", 80, "umol/L", uln=110)})) == "met"
    assert compiled_status("Creatinine normal", "inclusion",
                           make_patient(labs={"creatinine": lab("creatinine", 150, "umol/L", uln=110)})) == "not_met"
    assert "NEEDS REVIEW" in describe(compile_criterion("Creatinine normal OR", role="inclusion"))


def test_platelets_per_mc_is_per_microlitre() -> None:
    """NCT01618253 "platelets >60,000/mc": the microlitre with its L lost."""
    text = ("Normal organ and marrow function (platelets >60,000/mc; hemoglobin ≥8.5 g/dL; international normalized "
            "ratio (INR) ≤2.3; albumin ≥2.8 g/dL; total bilirubin ≤3 mg/dL; aspartate aminotransferase (AST) / alanine "
            "aminotransferase (ALT) <5x upper limit of normal; creatinine ≤1.5x upper limit of normal).")
    assert compiled_status(text, "inclusion", make_patient()) == "met"
    low = make_patient(labs={"platelets": lab("platelets", 50, "10^9/L")})
    assert compiled_status(text, "inclusion", low) == "not_met"
