"""ChiCTR2500111736 (seed 001): every numbered criterion, Chinese and English, with a patient on
each side (and unknown where data are missing).

Status is that of the criterion's rule as written: for an exclusion criterion "met" means the
patient has the excluding condition.  Expected values follow the registered text (seed 001)
and hcc-domain.md (Child-Pugh s. 1.1: A = 5-6, B7 = 7; units s. 5).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import decided_right_or_review, AS_OF, cond, lab, make_patient

from hcctrials.criteria import PatientFacts, compile_criterion, evaluate_node
from hcctrials.model.patient import LiverFunction, TherapyLine, TumourBurden, Virology

BOTH = ("zh", "en")


def _status(text: str, role: str, patient) -> str:  # type: ignore[no-untyped-def]
    node = compile_criterion(text, role=role)
    return evaluate_node(node, PatientFacts(patient, AS_OF)).status


ICI = dict(agents=["atezolizumab", "bevacizumab"], line=1, start=date(2025, 1, 10), end=date(2026, 1, 20))
CASES = [
    # (role, number, languages, label, patient overrides, expected)
    ("inclusion", "1", BOTH, "consent", {}, "administrative"),
    ("inclusion", "2", BOTH, "age 65", {}, "met"),
    ("inclusion", "2", BOTH, "age 80", {"birth_date": date(1945, 1, 1)}, "not_met"),
    ("inclusion", "2", BOTH, "age unknown", {"birth_date": None}, "unknown"),
    # 'advanced' (晚期): BCLC C, or B beyond locoregional therapy (criteria/families/advanced.py); ECOG 1 alone is BCLC C
    ("inclusion", "3", BOTH, "confirmed; advanced (BCLC C)", {}, "met"),
    ("inclusion", "3", BOTH, "confirmed; early stage (BCLC A)", {"ecog": 0, "tumour": TumourBurden(
        nodule_count=1, largest_diameter_cm=3.0, vascular_invasion=False, pvtt="vp0", extrahepatic_spread=False)},
     "not_met"),
    ("inclusion", "3", BOTH, "confirmation unknown", {"diagnosis": {"confirmed_by": None}}, "unknown"),
    ("inclusion", "4", BOTH, "one ICI regimen with progression", {}, "met"),
    ("inclusion", "4", BOTH, "two ICI regimens", {"treatments": [
        TherapyLine(**ICI, progression_date=date(2025, 6, 1)),
        TherapyLine(agents=["camrelizumab", "apatinib"], line=2, start=date(2025, 7, 1), end=date(2026, 1, 1),
                    stop_reason="progression")]}, "not_met"),
    ("inclusion", "4", BOTH, "no prior ICI", {"treatments": [
        TherapyLine(agents=["sorafenib"], line=1, start=date(2025, 1, 1), stop_reason="progression")]}, "not_met"),
    ("inclusion", "4", BOTH, "ICI, progression not recorded", {"treatments": [TherapyLine(**ICI)]}, "unknown"),
    ("inclusion", "5", ("zh",), "permissive note", {}, "met"),  # a pure permission: met by every patient
    # the English translation lists procedures with "etc.": not read as a pure therapy list, so a note (never blocks)
    ("inclusion", "5", ("en",), "permissive note", {}, "administrative"),
    ("inclusion", "6", BOTH, "Child-Pugh A5", {}, "met"),
    ("inclusion", "6", BOTH, "Child-Pugh B8: bili 60 (3) + alb 30 (2) + 1 + 1 + 1", {"labs": {
        "bilirubin_total": lab("bilirubin_total", 60, "umol/L", uln=21), "albumin": lab("albumin", 30, "g/L")}},
     "not_met"),
    ("inclusion", "6", BOTH, "ascites/HE missing, labs give 6-7 or more", {
        "labs": {"albumin": lab("albumin", 33, "g/L")}, "liver": LiverFunction()}, "unknown"),
    ("inclusion", "7", BOTH, "ECOG 1", {}, "met"),
    ("inclusion", "7", BOTH, "ECOG 2", {"ecog": 2}, "not_met"),
    ("inclusion", "7", BOTH, "ECOG unknown", {"ecog": None}, "unknown"),
    ("inclusion", "8", BOTH, "measurable", {}, "met"),
    ("inclusion", "8", BOTH, "not measurable", {"tumour": TumourBurden(measurable_disease=False)}, "not_met"),
    ("inclusion", "8", BOTH, "measurability unknown", {"tumour": TumourBurden()}, "unknown"),
    ("inclusion", "9", BOTH, "HBsAg+ with HBV DNA 2000 IU/mL", {"labs": {"hbv_dna": lab("hbv_dna", 2000, "IU/mL")}},
     "not_met"),
    ("inclusion", "9", BOTH, "HBsAg unknown", {"virology": Virology()}, "unknown"),
    # read as a whole since the virology round (criteria/families/virology.py): on entecavir since 2024, HBV DNA 100 IU/mL
    ("inclusion", "9", BOTH, "controlled HBV: antivirals >= 4 weeks and HBV DNA < 500", {}, "met"),
    ("inclusion", "10", BOTH, "HCV treatment history not recorded", {}, "unknown"),
    ("inclusion", "11", BOTH, "organ function adequate", {}, "met"),
    ("inclusion", "11", BOTH, "platelets 30", {"labs": {"platelets": lab("platelets", 30, "10^9/L")}}, "not_met"),
    ("inclusion", "11", BOTH, "bilirubin 50 > 2x21", {"labs": {"bilirubin_total": lab("bilirubin_total", 50, "umol/L", uln=21)}},
     "not_met"),
    ("inclusion", "11", BOTH, "creatinine 2xULN but CrCl 60", {"labs": {
        "creatinine": lab("creatinine", 220, "umol/L", uln=110), "creatinine_clearance": lab("creatinine_clearance", 60, "mL/min")}},
     "met"),
    ("inclusion", "11", BOTH, "no platelet count", {"drop_labs": ("platelets",)}, "unknown"),
    ("inclusion", "12", BOTH, "30 weeks", {}, "met"),
    ("inclusion", "12", BOTH, "8 weeks", {"life_expectancy_weeks": 8}, "not_met"),
    ("inclusion", "12", BOTH, "not recorded", {"life_expectancy_weeks": None}, "unknown"),
    ("inclusion", "13", BOTH, "contraception", {}, "administrative"),
    ("inclusion", "14", BOTH, "no other trial", {}, "met"),
    ("inclusion", "14", BOTH, "trial drug 10 days ago", {"treatments": [TherapyLine(
        agents=["XYZ-123"], investigational=True, start=date(2026, 1, 1), end=date(2026, 2, 28))]}, "not_met"),
    ("inclusion", "14", BOTH, "trial drug, end date unknown", {"treatments": [TherapyLine(
        agents=["XYZ-123"], investigational=True, start=date(2025, 10, 1))]}, "unknown"),
    ("exclusion", "1", BOTH, "no investigational therapy", {"treatments": [TherapyLine(
        **ICI, investigational=False, stop_reason="progression")]}, "not_met"),
    ("exclusion", "1", BOTH, "not recorded whether the ICI was in a trial", {}, "unknown"),
    ("exclusion", "1", BOTH, "ICI in a trial", {"treatments": [TherapyLine(**ICI, investigational=True,
                                                                                 stop_reason="progression")]}, "met"),
    ("exclusion", "2", BOTH, "no transplant/immunodeficiency/steroids", {}, "not_met"),
    ("exclusion", "2", BOTH, "prior liver transplant", {"conditions": [cond("organ_transplant")]}, "met"),
    ("exclusion", "2", BOTH, "tacrolimus 3 days ago", {"treatments": [TherapyLine(
        agents=["tacrolimus"], kind="other", start=date(2025, 1, 1), end=date(2026, 3, 7))]}, "met"),
    ("exclusion", "3", BOTH, "variceal bleed 30 days ago", {"liver": LiverFunction(
        ascites="none", encephalopathy="none", variceal_bleeding_dates=[date(2026, 2, 8)])}, "met"),
    ("exclusion", "3", BOTH, "bleed 200 days ago", {"liver": LiverFunction(
        ascites="none", encephalopathy="none", variceal_bleeding_dates=[date(2025, 8, 22)])}, "not_met"),
    ("exclusion", "3", BOTH, "bleed, date unknown", {"conditions": [cond("variceal_bleeding")]}, "unknown"),
    ("exclusion", "4", BOTH, "no HE, no ascites", {}, "not_met"),
    ("exclusion", "4", BOTH, "moderate ascites", {"liver": LiverFunction(ascites="moderate_severe", encephalopathy="none")},
     "met"),
    ("exclusion", "4", BOTH, "HE 2 months ago", {"conditions": [cond("hepatic_encephalopathy", onset=date(2026, 1, 5),
                                                                        resolved_on=date(2026, 1, 10))]}, "met"),
    ("exclusion", "4", BOTH, "ascites not assessed", {"liver": LiverFunction(encephalopathy="none")}, "unknown"),
    ("exclusion", "5", BOTH, "active TB", {"conditions": [cond("active_tuberculosis", status="active")]}, "met"),
    ("exclusion", "5", BOTH, "no TB", {}, "not_met"),
    # "known history of active TB" (有已知的活动性结核病病史): a recorded TB of unknown activity is a history of it
    ("exclusion", "5", BOTH, "TB, activity unknown", {"conditions": [cond("active_tuberculosis")]}, "met"),
    ("exclusion", "6", BOTH, "allergic to pembrolizumab (PD-1)", {"allergies": ["pembrolizumab"]}, "met"),
    ("exclusion", "6", BOTH, "no allergy", {}, "not_met"),
    ("exclusion", "7", BOTH, "no other malignancy", {}, "not_met"),
    # exceptions (skin BCC/SCC, superficial bladder, low-risk prostate, cervix in situ) and the "no recurrence for
    # > 2 years after treatment" exception are compiled
    ("exclusion", "7", BOTH, "active other malignancy of unrecorded type: unknown",
     {"conditions": [cond("other_malignancy", status="active")]}, "unknown"),
    ("exclusion", "7", BOTH, "active colon cancer (not an exception)",
     {"conditions": [cond("other_malignancy", status="active", malignancy_type="other")]}, "met"),
    ("exclusion", "7", BOTH, "basal cell skin cancer (an exception)",
     {"conditions": [cond("other_malignancy", status="active", malignancy_type="skin_basal_cell")]}, "not_met"),
    ("exclusion", "8", BOTH, "active lupus on steroids", {"conditions": [cond(
        "autoimmune_disease", status="active", requires_systemic_treatment=True)]}, "met"),
    ("exclusion", "8", BOTH, "vitiligo, no systemic treatment", {"conditions": [cond(
        "autoimmune_disease", status="active", requires_systemic_treatment=False)]}, "not_met"),
    ("exclusion", "8", BOTH, "autoimmune disease, treatment need unknown", {"conditions": [cond(
        "autoimmune_disease", status="active")]}, "unknown"),
    ("exclusion", "9", BOTH, "active pneumonitis", {"conditions": [cond("pneumonitis", status="active")]}, "met"),
    ("exclusion", "9", BOTH, "no pneumonitis", {}, "not_met"),
    # "a known history of active pneumonitis": a recorded pneumonitis is a history of it
    ("exclusion", "9", BOTH, "pneumonitis, activity unknown", {"conditions": [cond("pneumonitis")]}, "met"),
    ("exclusion", "10", BOTH, "active infection on antibiotics", {"conditions": [cond(
        "severe_infection", status="active", requires_systemic_treatment=True)]}, "met"),
    ("exclusion", "10", BOTH, "no infection", {}, "not_met"),
    ("exclusion", "10", BOTH, "infection, treatment unknown", {"conditions": [cond("severe_infection", status="active")]},
     "unknown"),
    ("exclusion", "11", BOTH, "schizophrenia", {"conditions": [cond("psychiatric_disorder", status="active")]}, "met"),
    ("exclusion", "11", BOTH, "none", {}, "not_met"),
    ("exclusion", "12", BOTH, "pregnant", {"sex": "female", "pregnant": True}, "met"),
    ("exclusion", "12", BOTH, "man", {}, "not_met"),
    ("exclusion", "12", BOTH, "woman, status unknown", {"sex": "female"}, "unknown"),
    ("exclusion", "13", BOTH, "HIV positive", {"virology": Virology(hbsag_positive=False, hiv_positive=True)}, "met"),
    ("exclusion", "13", BOTH, "HIV negative", {}, "not_met"),
    ("exclusion", "13", BOTH, "HIV unknown", {"virology": Virology(hbsag_positive=False)}, "unknown"),
    ("exclusion", "14", BOTH, "live vaccine 10 days ago", {"conditions": [cond("live_vaccine", onset=date(2026, 2, 28))]}, "met"),
    ("exclusion", "14", BOTH, "none", {}, "not_met"),
    ("exclusion", "14", BOTH, "vaccine, date unknown", {"conditions": [cond("live_vaccine")]}, "unknown"),
    ("exclusion", "15", BOTH, "SBP 165", {"labs": {"systolic_bp": lab("systolic_bp", 165, "mmHg")}}, "met"),
    ("exclusion", "15", ("en",), "BP 125/80", {}, "not_met"),
    ("exclusion", "15", ("zh",), "BP 125/80; NYHA/CTCAE part left for review", {}, "needs_review"),
    ("exclusion", "15", ("en",), "no BP", {"drop_labs": ("systolic_bp", "diastolic_bp")}, "unknown"),
    ("exclusion", "16", BOTH, "lying flat: review", {}, "needs_review"),
    ("exclusion", "17", BOTH, "investigator judgement", {}, "administrative"),
]


def _patient(overrides: dict):  # type: ignore[no-untyped-def]
    kw = dict(overrides)
    if isinstance(kw.get("diagnosis"), dict):
        from hcctrials.model.patient import Diagnosis

        kw["diagnosis"] = Diagnosis(**kw["diagnosis"])
    return make_patient(**kw)


@pytest.mark.parametrize(
    "role,number,language,label,overrides,expected",
    [(r, n, lang, lbl, o, e) for r, n, langs, lbl, o, e in CASES for lang in langs],
    ids=[f"{r[:3]}{n}-{lang}-{lbl}" for r, n, langs, lbl, o, e in CASES for lang in langs],
)
def test_seed001_criterion(seed001, role, number, language, label, overrides, expected):  # type: ignore[no-untyped-def]
    text = seed001[(role, number, language)]
    assert decided_right_or_review(_status(text, role, _patient(overrides)), expected), text


def test_seed001_every_numbered_criterion_has_cases(seed001) -> None:  # type: ignore[no-untyped-def]
    covered = {(r, n, lang) for r, n, langs, *_ in CASES for lang in langs}
    assert set(seed001) == covered
    assert len([k for k in seed001 if k[0] == "inclusion"]) == 28  # 14 criteria x 2 languages
    assert len([k for k in seed001 if k[0] == "exclusion"]) == 34  # 17 x 2


def test_seed001_lab_reason_shows_conversion(seed001) -> None:  # type: ignore[no-untyped-def]
    node = compile_criterion(seed001[("inclusion", "11", "zh")], role="inclusion")
    v = evaluate_node(node, PatientFacts(make_patient(), AS_OF))
    # 12.5 g/dL = 125 g/L (hcc-domain.md s. 5: g/L = g/dL x 10); ULN from the lab's range
    assert "haemoglobin 125 g/L (= 12.5 g/dL) passes ≥ 90 g/L" in v.reason
    assert "total bilirubin 15 umol/L passes ≤ 2×ULN (2×21 = 42 umol/L)" in v.reason
