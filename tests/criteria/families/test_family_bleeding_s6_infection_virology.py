"""Bleeding, clotting, infection, HIV and immunodeficiency criteria (issue 10, session 6, helper B).

Readers: ``criteria/families/history.py`` (uncontrolled bleeding / infection, clinically significant bleeding,
haemorrhage, HHT, haematemesis, primary immunodeficiency), ``criteria/families/bleeding_infection.py`` (whole
criteria), ``criteria/families/virology.py`` (serious infection except HBV/HCV, active HIV) and the negation of a list
("No history of A or B") in ``criteria/compiler/compile.py``.  Each criterion is quoted exactly from the HCC record
named beside it; the screening date is 2026-06-01.
"""

from __future__ import annotations

from typing import Any

import pytest

from helpers_criteria import review_check_for, status_for

excl = status_for("exclusion")
incl = status_for("inclusion")
needs_review = review_check_for("exclusion")


def _c(code: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, **kw}


UNCONTROLLED_BLEEDING = "Uncontrolled bleeding"  # NCT00003926 exclusion 3


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("gi_bleeding", name="bleeding duodenal ulcer", status="active")]}, "met", "bleeding now"),
    ({"conditions": [_c("hemoptysis", status="active")]}, "met", "coughing up blood now is bleeding too"),
    ({"history_reviewed": True, "conditions": [_c("gi_bleeding", status="controlled")]}, "not_met",
     "a bleed brought under control is not uncontrolled"),
    ({"conditions": [_c("gi_bleeding")]}, "unknown", "a bleed recorded without its state"),
    ({"history_reviewed": True}, "not_met", "no bleeding in the reviewed history"),
    ({}, "unknown", "bleeding not assessed"),
])
def test_uncontrolled_bleeding(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(UNCONTROLLED_BLEEDING, patient) == expected, why


SIGNIFICANT_BLEEDING = "History of clinically significant bleeding."  # NCT03511222 exclusion 10
HAEMORRHAGE_OR_PERFORATION = "Patients with history of haemorrhage or gastrointestinal perforation"  # NCT02716012 e6


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("intracranial_haemorrhage", status="resolved", onset="2019-04-01")]}, "met",
     "a brain haemorrhage seven years ago: a history of bleeding has no window"),
    ({"liver": {"variceal_bleeding_dates": ["2024-11-02"]}}, "met", "a variceal bleed is a significant bleed"),
    ({"history_reviewed": True}, "not_met", "no bleed in the reviewed history"),
    ({}, "unknown", "history not taken"),
])
def test_history_of_clinically_significant_bleeding(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(SIGNIFICANT_BLEEDING, patient) == expected, why


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("gi_bleeding", status="resolved", onset="2022-05-01")]}, "met", "a past haemorrhage"),
    ({"conditions": [_c("gi_perforation", status="resolved", onset="2018-03-01")]}, "met", "a past perforation"),
    ({"history_reviewed": True}, "not_met", "neither in the reviewed history"),
])
def test_history_of_haemorrhage_or_perforation(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(HAEMORRHAGE_OR_PERFORATION, patient) == expected, why


def test_history_of_bleeding_naming_a_site_is_not_any_bleeding() -> None:
    """Near miss: "history of bleeding varices" / "bleeding ulcer" names the site; the any-site reading is only for the
    bare noun, so a past brain haemorrhage does not meet a variceal criterion."""
    text = "History of bleeding varices"
    patient = {"history_reviewed": True, "conditions": [_c("intracranial_haemorrhage", status="resolved", onset="2019-04-01")]}
    assert excl(text, patient) in ("not_met", "needs_review")


HHT = "Patients with a history of hereditary hemorrhagic telangiectasia (Osler-Weber- Rendu Syndrome)."  # NCT01306058 e14


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [_c("hereditary_haemorrhagic_telangiectasia", name="Osler-Weber-Rendu")]}, "met"),
    ({"history_reviewed": True, "conditions": [_c("gi_bleeding", status="resolved", onset="2020-01-01")]}, "not_met"),
    ({}, "unknown"),
])
def test_hereditary_haemorrhagic_telangiectasia(patient: dict[str, Any], expected: str) -> None:
    assert excl(HHT, patient) == expected


NO_HEMATEMESIS_HEMOPTYSIS = "No history of hematemesis or hemoptysis"  # NCT01335074 inclusion 23


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"history_reviewed": True}, "met", "neither in the reviewed history"),
    ({"conditions": [_c("hemoptysis", status="resolved", onset="2025-02-01")]}, "not_met",
     "the negation covers both items: a past hemoptysis fails it (read as 'not A, or B' it was met)"),
    ({"conditions": [_c("haematemesis", status="resolved", onset="2023-07-01")]}, "not_met", "a past haematemesis"),
    ({"history_reviewed": True, "conditions": [_c("gi_bleeding", name="upper GI bleeding", status="resolved",
                                                  onset="2024-01-15")]}, "unknown",
     "an upper GI bleed may or may not have been vomited"),
    ({"history_reviewed": True, "liver": {"variceal_bleeding_dates": ["2024-03-01"]}}, "unknown",
     "a variceal bleed may or may not have been vomited"),
    ({"history_reviewed": True, "conditions": [_c("gi_bleeding", status="absent")]}, "met",
     "no GI bleed ever: no haematemesis (and no hemoptysis in the reviewed history)"),
])
def test_no_history_of_hematemesis_or_hemoptysis(patient: dict[str, Any], expected: str, why: str) -> None:
    assert incl(NO_HEMATEMESIS_HEMOPTYSIS, patient) == expected, why


def test_negation_of_a_list_does_not_reach_another_kind_of_item() -> None:
    """Near miss of the list negation: "No history of hepatic encephalopathy, ECOG 0-1" are two requirements; the
    ECOG item keeps its own sense (an ECOG 1 patient without encephalopathy meets both)."""
    patient = {"history_reviewed": True, "ecog": 1, "liver": {"encephalopathy_history": False}}
    assert incl("No history of hepatic encephalopathy, ECOG 0-1", patient) == "met"


PRIMARY_IMMUNODEFICIENCY = "History of active primary immunodeficiency"  # NCT05883644 exclusion 7


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("primary_immunodeficiency", name="common variable immunodeficiency", status="active")]}, "met",
     "CVID is a primary immunodeficiency"),
    ({"history_reviewed": True, "conditions": [_c("immunodeficiency", name="immunodeficiency")]}, "unknown",
     "an immunodeficiency of unstated kind may be acquired (near miss: not every immunodeficiency is primary)"),
    ({"conditions": [_c("immunodeficiency", status="absent")]}, "not_met", "no immunodeficiency of any kind"),
    ({"conditions": [_c("immunodeficiency", name="CVID (common variable immunodeficiency)", status="active")]}, "met",
     "an immunodeficiency record whose name is a primary one"),
    ({"history_reviewed": True}, "not_met", "none in the reviewed history"),
])
def test_primary_immunodeficiency(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(PRIMARY_IMMUNODEFICIENCY, patient) == expected, why


UNCONTROLLED_INFECTION = "Presence of uncontrolled infection"  # NCT01012362 exclusion 6
NOT_CONTROLLED = "No active infection not controlled effectively with antimicrobial or antiviral therapy"  # NCT01348503 e11


@pytest.mark.parametrize("text", [UNCONTROLLED_INFECTION, NOT_CONTROLLED])
@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("infection", name="cholangitis", status="active")]}, "met",
     "any infection not controlled, not only a severe one"),
    ({"conditions": [_c("severe_infection", name="pneumonia", status="active")]}, "met", "a severe one too"),
    ({"history_reviewed": True, "conditions": [_c("infection", name="urinary tract infection", status="controlled")]},
     "not_met", "near miss: an infection controlled on treatment is not uncontrolled"),
    ({"conditions": [_c("infection", name="cellulitis")]}, "unknown", "whether it is controlled is not recorded"),
    ({}, "unknown", "infections not assessed"),
])
def test_uncontrolled_infection(text: str, patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(text, patient) == expected, why


SERIOUS_EXCEPT_HEP_INCL = ("No clinically serious infection > grade 2 (NCI CTCAE Version 3.0) except for HBV and HCV "
                           "infection")  # NCT01009801 inclusion 26
SERIOUS_EXCEPT_HEP_EXCL = ("Active clinically serious infection > CTCAE Grade 2 except for Except Hepatitis B(HBV) or "
                           "Hepatitis C (HCV)")  # NCT01337492 exclusion 7


@pytest.mark.parametrize(("patient", "inclusion", "exclusion", "why"), [
    ({"history_reviewed": True}, "met", "not_met", "no infection in the reviewed history"),
    ({"conditions": [_c("severe_infection", name="bacterial pneumonia", status="active", ctcae_grade=3)]},
     "not_met", "met", "a grade 3 pneumonia now"),
    ({"history_reviewed": True, "conditions": [_c("severe_infection", name="hepatitis B reactivation", status="active",
                                                  ctcae_grade=3)]},
     "met", "not_met", "hepatitis B is excepted"),
    ({"history_reviewed": True, "conditions": [_c("severe_infection", name="cellulitis", status="active", ctcae_grade=2)]},
     "met", "not_met", "near miss: grade 2 is not more than grade 2"),
    ({"conditions": [_c("severe_infection", status="active", ctcae_grade=3)]}, "unknown", "unknown",
     "a grade 3 infection of unrecorded kind might be the excepted hepatitis"),
    ({"history_reviewed": True, "conditions": [_c("severe_infection", name="liver abscess", status="resolved",
                                                  resolved_on="2025-10-01", ctcae_grade=3)]},
     "met", "not_met", "resolved months ago: not active"),
])
def test_serious_infection_except_viral_hepatitis(patient: dict[str, Any], inclusion: str, exclusion: str,
                                                  why: str) -> None:
    assert incl(SERIOUS_EXCEPT_HEP_INCL, patient) == inclusion, why
    assert excl(SERIOUS_EXCEPT_HEP_EXCL, patient) == exclusion, why


ACTIVE_HIV = "Active HIV infection."  # NCT03382886 exclusion 10


@pytest.mark.parametrize(("virology", "expected", "why"), [
    ({"hiv_positive": False}, "not_met", "HIV negative"),
    ({"hiv_positive": True}, "unknown", "near miss: 'active' is the trial's definition (viral load), not recorded"),
    ({}, "unknown", "HIV not tested"),
])
def test_active_hiv_infection(virology: dict[str, Any], expected: str, why: str) -> None:
    assert excl(ACTIVE_HIV, {"virology": virology}) == expected, why


ANTICOAG_BLEEDING_CLOTTING = "Anti-coagulant therapy, bleeding or clotting disorder"  # NCT02989870 exclusion 16


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"concomitant_medications": [{"name": "enoxaparin", "ongoing": True, "intent": "prophylactic"}]}, "met",
     "prophylactic enoxaparin is anti-coagulant therapy (the text does not say therapeutic)"),
    ({"history_reviewed": True, "concomitant_medications": [{"name": "warfarin", "stop": "2025-01-10"}]}, "not_met",
     "warfarin stopped last year; no disorder in the reviewed history"),
    ({"history_reviewed": True, "conditions": [_c("thrombophilia", name="factor V Leiden", status="active")]}, "met",
     "a clotting disorder"),
    ({"history_reviewed": True, "conditions": [_c("bleeding_disorder", name="von Willebrand disease", status="active")]},
     "met", "a bleeding disorder"),
    ({}, "unknown", "medications and history not recorded"),
])
def test_anticoagulant_therapy_bleeding_or_clotting_disorder(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(ANTICOAG_BLEEDING_CLOTTING, patient) == expected, why


GRADED_HEMOPTYSIS = ("History of Grade ≥ 2 hemoptysis (defined as ≥ 2.5 mL of bright red blood per episode) within 1 "
                     "month prior to screening.")  # NCT05482516 exclusion 12
HEMOPTYSIS_6_WEEKS = "Hemoptysis with 6 weeks of 1st dose of study drug"  # NCT01012362 exclusion 14


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("hemoptysis", status="resolved", onset="2026-05-15", resolved_on="2026-05-16", ctcae_grade=2)]},
     "met", "grade 2 two weeks ago"),
    ({"history_reviewed": True, "conditions": [_c("hemoptysis", status="resolved", onset="2026-05-20",
                                                  resolved_on="2026-05-20", ctcae_grade=1)]},
     "not_met", "near miss: a grade 1 streak of blood"),
    ({"history_reviewed": True, "conditions": [_c("hemoptysis", status="resolved", onset="2025-08-01",
                                                  resolved_on="2025-08-02", ctcae_grade=3)]},
     "not_met", "outside the month"),
    ({"conditions": [_c("hemoptysis", status="resolved", onset="2026-05-20", resolved_on="2026-05-20")]}, "unknown",
     "grade not recorded"),
])
def test_graded_hemoptysis_within_a_month(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(GRADED_HEMOPTYSIS, patient) == expected, why


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [_c("hemoptysis", status="resolved", onset="2026-05-01", resolved_on="2026-05-02")]}, "met"),
    ({"history_reviewed": True, "conditions": [_c("hemoptysis", status="resolved", onset="2025-12-01",
                                                  resolved_on="2025-12-03")]}, "not_met"),
    ({}, "unknown"),
])
def test_hemoptysis_within_six_weeks(patient: dict[str, Any], expected: str) -> None:
    assert excl(HEMOPTYSIS_6_WEEKS, patient) == expected


EGD_OR_WILLING = ("Patients with cirrhosis must have had esophagogastric endoscopy within the previous 6 months prior to "
                  "study entry for the assessment of varices. If the patient has not had this done they must be willing to "
                  "undergo this procedure prior to study entry.")  # NCT01306058 inclusion 6


def test_endoscopy_or_willing_to_undergo_it_is_a_procedure() -> None:
    """No patient is excluded by it: without a recent endoscopy the patient has one before entry."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.model.eligibility import Administrative

    rule = compile_criterion(EGD_OR_WILLING, role="inclusion")
    assert isinstance(rule, Administrative) and rule.category == "procedure"


@pytest.mark.parametrize("text", [UNCONTROLLED_BLEEDING, SIGNIFICANT_BLEEDING, HAEMORRHAGE_OR_PERFORATION, HHT,
                                  PRIMARY_IMMUNODEFICIENCY, UNCONTROLLED_INFECTION, NOT_CONTROLLED,
                                  SERIOUS_EXCEPT_HEP_EXCL, ACTIVE_HIV, ANTICOAG_BLEEDING_CLOTTING, GRADED_HEMOPTYSIS,
                                  HEMOPTYSIS_6_WEEKS])
def test_read_whole(text: str) -> None:
    assert not needs_review(text)


@pytest.mark.parametrize("text", [
    # the qualifier of the bleed is not read: kept for review
    "Active gastrointestinal bleeding resulting in clinically significant hemodynamic changes or a reduction in hemoglobin.",
    # "with the exception of" a named permission, and "untreated" DVT: not read by these readers
    "History of cerebrovascular accident,pulmonary embolism or untreated deep venous thrombosis (DVT) within the past 6 months",
])
def test_qualified_bleeding_and_thrombosis_stay_in_review(text: str) -> None:
    assert needs_review(text)


HIV_ON_ART = ("HIV-positive patients on combination antiretroviral therapy are ineligible because of the potential for "
              "pharmacokinetic interactions with meclizine.")  # NCT03253289 exclusion 9
NO_CART = "No concurrent combination antiviral therapy for HIV-positive patients"  # NCT00005997 inclusion 40


@pytest.mark.parametrize(("virology", "exclusion", "inclusion", "why"), [
    ({"hiv_positive": False}, "not_met", "met", "HIV negative: no antiretroviral combination"),
    ({"hiv_positive": True, "hiv_antiretroviral": True}, "met", "not_met", "HIV positive on antiretrovirals"),
    ({"hiv_positive": True, "hiv_antiretroviral": False}, "not_met", "met",
     "near miss: HIV positive without antiretrovirals is not what these criteria name"),
    ({"hiv_positive": True}, "unknown", "unknown", "the regimen is not recorded"),
    ({}, "unknown", "unknown", "HIV not tested"),
])
def test_hiv_positive_on_antiretroviral_therapy(virology: dict[str, Any], exclusion: str, inclusion: str,
                                               why: str) -> None:
    assert excl(HIV_ON_ART, {"virology": virology}) == exclusion, why
    assert incl(NO_CART, {"virology": virology}) == inclusion, why


AIDS_OR_SYPHILIS = "Combined with AIDS or syphilis;"  # NCT04011033 exclusion 5


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("syphilis", status="active")]}, "met", "a current syphilis"),
    ({"conditions": [_c("aids", name="AIDS, CD4 120/uL")], "virology": {"hiv_positive": True}}, "met", "AIDS"),
    ({"history_reviewed": True, "virology": {"hiv_positive": False},
      "conditions": [_c("syphilis", status="resolved", resolved_on="2019-05-01")]}, "not_met",
     "HIV negative (no AIDS); syphilis treated and resolved years ago"),
    ({"history_reviewed": True, "virology": {"hiv_positive": True}}, "unknown",
     "near miss: HIV positive is not AIDS, but whether it has progressed is not recorded"),
    ({}, "unknown", "not assessed"),
])
def test_combined_with_aids_or_syphilis(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(AIDS_OR_SYPHILIS, patient) == expected, why


@pytest.mark.parametrize("text", [
    "Uncontrolled bleeding within the past 3 months",
    # NCT02716012 exclusion 5 (read whole for exclusion lists by criteria/families/extent.py; here the inclusion role)
    "Any episode of bleeding from oesophageal varices or other uncontrolled bleeding within the last 3 months prior to study "
    "treatment initiation",
])
def test_uncontrolled_bleeding_in_a_window_stays_in_review(text: str) -> None:
    """Near miss: a bleed that stopped within the window may never have been uncontrolled; the record keeps today's state."""
    assert needs_review(text, role="inclusion")


EGD_AND_TREAT = ("High risk patients must undergo an esophagogastroduodenoscopy (EGD) and all size of varices (small to "
                 "large) must be assessed and treated per local standard of care prior to enrollment. Patients who have "
                 "undergone an EGD within 6 months prior to initiation of study treatment do not need to repeat the "
                 "procedure.")  # NCT05482516 exclusion 19


def test_variceal_work_up_before_enrolment_is_a_procedure() -> None:
    """The endoscopy and the treatment of varices are done before enrolment (the untreated varices are the trial's
    exclusion 18); no patient is excluded by this item."""
    from hcctrials.criteria import compile_criterion
    from hcctrials.model.eligibility import Administrative

    rule = compile_criterion(EGD_AND_TREAT, role="exclusion")
    assert isinstance(rule, Administrative) and rule.category == "procedure"


BASKET_HBV = ("For gastric/GEJ and NSCLC participants, has chronic hepatitis B or hepatitis C infection. (For HCC "
              "participants, those with chronic hepatitis B virus [HBV] infection with a negative HBV deoxyribonucleic acid "
              "[DNA] test and who are on antiviral therapy, and those with chronic hepatitis C virus [HCV] infection are "
              "eligible)")  # NCT02572687 exclusion 7


def _dna(**kw: Any) -> dict[str, Any]:
    return {"analyte": "hbv_dna", "unit": "IU/mL", "date": "2026-05-20", **kw}


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"virology": {"hbsag_positive": False, "anti_hcv_positive": True, "hcv_rna_detectable": True}}, "not_met",
     "chronic HCV is eligible for HCC participants"),
    ({"virology": {"hbsag_positive": True, "hbv_antiviral": True}, "labs": [_dna(value=20, qualifier="<")]}, "not_met",
     "HBV suppressed below the assay's limit on entecavir: eligible"),
    ({"virology": {"hbsag_positive": True, "hbv_antiviral": True}, "labs": [_dna(text="not detected")]}, "not_met",
     "a negative HBV DNA test on antivirals"),
    ({"virology": {"hbsag_positive": True, "hbv_antiviral": True}, "labs": [_dna(value=350)]}, "met",
     "near miss: on antivirals but HBV DNA still detectable"),
    ({"virology": {"hbsag_positive": True, "hbv_antiviral": False}, "labs": [_dna(value=20, qualifier="<")]}, "met",
     "near miss: undetectable without antiviral therapy"),
    ({"virology": {"hbsag_positive": True, "hbv_antiviral": True}}, "unknown", "no HBV DNA test at screening"),
])
def test_basket_trial_hbv_for_hcc_participants(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(BASKET_HBV, patient) == expected, why


GI_BLEED_OR_VKA = ("Patients with clinically significant gastrointestinal bleeding with 30 days prior to study entry or on "
                   "oral anti-vitamin K medication (except low dose coumarin, i.e. INR outside the therapeutic range of 2.0 "
                   "to 3.0)")  # NCT01335074 exclusion 11
_WARFARIN = [{"name": "warfarin", "start": "2025-10-01", "ongoing": True}]


def _inr(value: float) -> list[dict[str, Any]]:
    return [{"analyte": "inr", "value": value, "date": "2026-05-25"}]


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("gi_bleeding", name="ulcer bleed", status="resolved", onset="2026-05-10")]}, "met",
     "a GI bleed three weeks ago"),
    ({"history_reviewed": True, "concomitant_medications": _WARFARIN, "labs": _inr(2.4)}, "met",
     "warfarin at a therapeutic INR"),
    ({"history_reviewed": True, "concomitant_medications": _WARFARIN, "labs": _inr(1.4)}, "not_met",
     "near miss: low-dose coumarin (INR below the therapeutic range) is excepted"),
    ({"history_reviewed": True, "conditions": [_c("gi_bleeding", status="resolved", onset="2025-11-01")], "labs": _inr(1.1)},
     "not_met", "the bleed was seven months ago; no anticoagulant"),
    ({"history_reviewed": True, "concomitant_medications": _WARFARIN}, "unknown", "on warfarin, INR not measured"),
])
def test_gi_bleeding_within_30_days_or_vitamin_k_antagonist(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(GI_BLEED_OR_VKA, patient) == expected, why


INTERCURRENT_INFECTION = ("Uncontrolled intercurrent illness including, but not limited to, ongoing or active "
                          "infection.")  # NCT03511222 exclusion 5


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"conditions": [_c("infection", name="urinary tract infection", status="controlled")]}, "met",
     "an ongoing infection on treatment is the named example"),
    ({"history_reviewed": True, "conditions": [_c("infection", status="resolved", resolved_on="2026-01-01")]}, "not_met",
     "near miss: an infection that resolved months ago is not ongoing (other illnesses: the investigator's check)"),
    ({}, "unknown", "infections not assessed"),
])
def test_uncontrolled_intercurrent_illness_named_infection(patient: dict[str, Any], expected: str, why: str) -> None:
    assert excl(INTERCURRENT_INFECTION, patient) == expected, why
