"""Liver-function notes and paracentesis frequency (issue 10, liver_clinical / child_pugh families).

Criteria quoted from real records; each case is a patient a hepatologist would screen, with the verdict
read from the text (``hcctrials.criteria.families.liver_notes``).
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, compiled_status, lab, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import LiverFunction, Patient

# NCT02702401 exclusion 4
APPARENT = ("Has clinically apparent ascites on physical examination. Note: ascites detectable on imaging studies "
            "only ARE allowed.")
# NCT01337492 inclusion 5
B7 = ("Child Pugh A or B (Total point of 7 will be allowed See appendix for scoring system). (ONLY 4 patients with "
      "Child Pugh B7 will be allowed.)")
# NCT01005199 inclusion 29
PARACENTESIS = "No repeated paracentesis (more than 1 per month)"


@pytest.mark.parametrize(("liver", "expected", "why"), [
    (LiverFunction(ascites="moderate_severe"), "met", "shifting dullness on examination: clinically apparent"),
    (LiverFunction(ascites="mild"), "not_met", "a rim of perihepatic fluid on CT only: allowed by the note"),
    (LiverFunction(ascites="none"), "not_met", "no ascites"),
    (LiverFunction(), "unknown", "ascites not assessed"),
])
def test_clinically_apparent_ascites_with_the_imaging_only_note(liver: LiverFunction, expected: str, why: str) -> None:
    assert compiled_status(APPARENT, "exclusion", make_patient(liver=liver)) == expected, why


def test_the_imaging_only_note_in_an_inclusion_list_stays_for_review() -> None:
    rule = compile_criterion("Note: ascites detectable on imaging studies only ARE allowed.", role="inclusion")
    assert not is_fully_compiled(rule), describe(rule)


def _child_pugh_patient(bilirubin_umol: float, albumin_g_l: float, ascites: str) -> Patient:
    return make_patient(labs={"bilirubin_total": lab("bilirubin_total", bilirubin_umol, "umol/L", uln=21),
                              "albumin": lab("albumin", albumin_g_l, "g/L"), "inr": lab("inr", 1.1, None)},
                        liver=LiverFunction(ascites=ascites, encephalopathy="none"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_child_pugh_patient(15, 40, "none"), "met", "Child-Pugh A5"),
    (_child_pugh_patient(38, 33, "none"), "met", "bilirubin 2 + albumin 2 + INR 1 + 1 + 1 = B7: 7 points allowed"),
    (_child_pugh_patient(40, 30, "mild"), "not_met", "bilirubin 2 + albumin 2 + INR 1 + mild ascites 2 + 1 = B8"),
])
def test_child_pugh_a_or_b7_with_a_cap_on_b7_patients(patient: Patient, expected: str, why: str) -> None:
    assert compiled_status(B7, "inclusion", patient) == expected, why


def test_the_b7_cap_is_a_site_check_not_a_patient_rule() -> None:
    rule = compile_criterion("(ONLY 4 patients with Child Pugh B7 will be allowed.)", role="inclusion")
    assert rule.kind == "administrative", describe(rule)


@pytest.mark.parametrize(("liver", "expected", "why"), [
    (LiverFunction(ascites="none"), "met", "no ascites, so no paracentesis"),
    (LiverFunction(ascites="mild", ascites_requires_paracentesis=False), "met", "ascites controlled on diuretics"),
    (LiverFunction(ascites="moderate_severe", ascites_requires_paracentesis=True, paracentesis_per_month=1), "met",
     "one paracentesis a month is not more than one"),
    (LiverFunction(ascites="moderate_severe", ascites_requires_paracentesis=True, paracentesis_per_month=2), "not_met",
     "large-volume paracentesis every two weeks"),
    (LiverFunction(ascites="moderate_severe", ascites_requires_paracentesis=True), "unknown",
     "needs paracentesis, frequency not recorded"),
])
def test_no_repeated_paracentesis(liver: LiverFunction, expected: str, why: str) -> None:
    assert compiled_status(PARACENTESIS, "inclusion", make_patient(liver=liver)) == expected, why


def test_unknown_paracentesis_frequency_names_what_to_record() -> None:
    rule = compile_criterion(PARACENTESIS, role="inclusion")
    patient = make_patient(liver=LiverFunction(ascites="moderate_severe", ascites_requires_paracentesis=True))
    outcome = evaluate_node(rule, PatientFacts(patient, AS_OF))
    assert outcome.status == "unknown"
    assert "paracenteses per month" in " ".join(str(m) for m in outcome.missing)


def test_paracentesis_as_an_exclusion_worded_no_stays_for_review() -> None:
    rule = compile_criterion(PARACENTESIS, role="exclusion")
    assert not is_fully_compiled(rule), describe(rule)


def test_the_frequency_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        LiverFunction(paracentesis_per_month=-1)
