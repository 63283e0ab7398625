"""Cardiac, lung, CNS-tumour, allergy and pregnancy wordings read as a whole (issue 10, session 6;
criteria/families/cardiopulmonary.py, the history terms for aneurysms, AVMs and symptomatic conduction abnormalities).

Every criterion is quoted from its trial record (trial id, role and number given); screening date 2026-06-01.
"""

from __future__ import annotations

import pytest
from helpers_criteria import review_check_for, status_for

from hcctrials.criteria import compile_criterion
from hcctrials.model.eligibility import Administrative, walk

status = status_for("exclusion")
needs_review = review_check_for("exclusion")


def cond(code: str, **kw: object) -> dict[str, object]:
    return {"code": code, **kw}


# NCT00003926 exclusion 6
ASTHMA = "Asthma"
# NCT01887717 exclusion 4
COPD = "Evidence of chronic obstructive pulmonary disease"


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("asthma", name="asthma on inhaled budesonide", status="controlled")]}, "met"),
    # outgrown in childhood: not the asthma the patient has now
    ({"history_reviewed": True, "conditions": [cond("asthma", name="childhood asthma", status="resolved")]}, "not_met"),
    # recorded without a status: whether it is still present is not known
    ({"conditions": [cond("asthma", name="asthma")]}, "unknown"),
    ({}, "unknown"),
])
def test_asthma_is_the_asthma_the_patient_has_now(patient: dict, expected: str) -> None:
    assert status(ASTHMA, patient) == expected


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("copd", name="COPD GOLD 2 on tiotropium", status="active")]}, "met"),
    ({"history_reviewed": True}, "not_met"),
    # an asthma is not a COPD (near miss: another obstructive lung disease)
    ({"history_reviewed": True, "conditions": [cond("asthma", status="active")]}, "not_met"),
    ({}, "unknown"),
])
def test_evidence_of_copd(patient: dict, expected: str) -> None:
    assert status(COPD, patient) == expected


def test_history_of_asthma_is_not_read_as_current_asthma() -> None:
    # "History of asthma" may be any asthma ever: the reader reads the bare disease only, so an outgrown asthma must not
    # pass it as absent
    assert status("History of asthma", {"history_reviewed": True, "conditions": [
        cond("asthma", name="childhood asthma", status="resolved")]}) != "not_met"


# NCT00105443 exclusion 3 / NCT02029157 exclusion 7
CARDIAC = "History of cardiac disease"
CARDIAC_PLURAL = "History of cardiac diseases"


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("myocardial_infarction", name="inferior STEMI", onset="2015-03-02", status="resolved")]}, "met"),
    ({"conditions": [cond("arrhythmia", name="paroxysmal atrial fibrillation", status="controlled")]}, "met"),
    ({"conditions": [cond("cardiac_pacemaker", name="pacemaker for complete heart block")]}, "met"),
    # a heart condition recorded under a code of its own: cardiac, but the code is not one of the cardiac codes
    ({"history_reviewed": True, "conditions": [cond("valvular_disease", name="moderate mitral regurgitation",
                                                    status="active")]}, "unknown"),
    # clinically significant cardiovascular disease may be vascular (not the heart)
    ({"history_reviewed": True, "conditions": [cond("cardiovascular_disease", status="active")]}, "unknown"),
    # near miss: a lung disease and a recorded hypertension are not cardiac diseases
    ({"history_reviewed": True, "conditions": [cond("copd", status="active")]}, "not_met"),
    ({"history_reviewed": True}, "not_met"),
    ({}, "unknown"),
])
def test_history_of_cardiac_disease(patient: dict, expected: str) -> None:
    assert status(CARDIAC, patient) == expected
    assert status(CARDIAC_PLURAL, patient) == expected


# NCT00105443 exclusion 6, NCT02774187 exclusion 8
CNS = "Known central nervous system tumors including metastatic brain disease"


@pytest.mark.parametrize(("patient", "expected"), [
    ({"tumour": {"cns_metastasis": True, "cns_metastasis_treated_stable": True}}, "met"),
    ({"conditions": [cond("other_malignancy", name="left frontal meningioma under surveillance", status="active")]}, "met"),
    ({"conditions": [cond("cns_tumour", name="vestibular schwannoma", status="active")]}, "met"),
    # another cancer whose site is not recorded may be a brain tumour
    ({"history_reviewed": True, "tumour": {"cns_metastasis": False},
      "conditions": [cond("other_malignancy", status="active")]}, "unknown"),
    # near miss: a cured prostate cancer is not a CNS tumour
    ({"history_reviewed": True, "tumour": {"cns_metastasis": False},
      "conditions": [cond("other_malignancy", name="prostate adenocarcinoma", status="resolved", cured=True)]}, "not_met"),
    ({"history_reviewed": True, "tumour": {"cns_metastasis": False}}, "not_met"),
    ({}, "unknown"),
])
def test_known_cns_tumours(patient: dict, expected: str) -> None:
    assert status(CNS, patient) == expected


# NCT02716012 exclusion 11
HF_OR_ABNORMAL = ("Signs and symptoms of heart failure characterised as greater than the New York Heart Association (NYHA) "
                  "Class I or other clinically significant cardiac abnormalities (including history of myocardial infarction) "
                  "including stable abnormalities.")


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("heart_failure", nyha_class=2, status="controlled")]}, "met"),
    ({"conditions": [cond("myocardial_infarction", onset="2018-09-01", resolved_on="2018-09-15", status="resolved")]}, "met"),
    # NYHA class I is not greater than class I, but a heart failure without symptoms may still be a clinically
    # significant (stable) cardiac abnormality: the clinician's call
    ({"history_reviewed": True, "conditions": [cond("heart_failure", nyha_class=1, status="controlled")]}, "unknown"),
    # near miss: a lung disease is no cardiac abnormality
    ({"history_reviewed": True, "conditions": [cond("copd", status="active")]}, "not_met"),
    ({"history_reviewed": True}, "not_met"),
    ({}, "unknown"),
])
def test_heart_failure_above_class_one_or_significant_abnormality(patient: dict, expected: str) -> None:
    assert status(HF_OR_ABNORMAL, patient) == expected


# NCT05883644 exclusion 3
SYMPTOMATIC_HF = "History of symptomatic congestive heart failure, unstable angina pectoris, uncontrolled cardiac arrhythmia"


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("heart_failure", nyha_class=3, status="active")]}, "met"),
    # class I now: it may have been symptomatic before (the recorded class is today's)
    ({"conditions": [cond("heart_failure", nyha_class=1, status="controlled")]}, "unknown"),
    ({"conditions": [cond("arrhythmia", name="atrial fibrillation", status="controlled")], "history_reviewed": True}, "not_met"),
    ({"history_reviewed": True}, "not_met"),
    ({}, "unknown"),
])
def test_history_of_symptomatic_heart_failure(patient: dict, expected: str) -> None:
    assert status(SYMPTOMATIC_HF, patient) == expected


def test_present_symptomatic_heart_failure_keeps_its_reading() -> None:
    # without "history", organs.py reads the present class (NYHA >= II today)
    assert status("Symptomatic congestive heart failure", {"conditions": [cond("heart_failure", nyha_class=1,
                                                                              status="controlled")]}) == "not_met"


# NCT00426829 exclusion 8
VASCULAR = "History of aneurysms, strokes, transient ischemic attacks, and arteriovenous malformations within 6 months."


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("arterial_thromboembolism", name="TIA", onset="2026-03-01", resolved_on="2026-03-01",
                          status="resolved")]}, "met"),
    ({"conditions": [cond("aneurysm", name="aneurysm of the splenic artery", onset="2026-02-01", status="active")]}, "met"),
    ({"conditions": [cond("arteriovenous_malformation", onset="2026-04-15", status="active")]}, "met"),
    ({"history_reviewed": True, "conditions": [cond("arterial_thromboembolism", name="ischaemic stroke", onset="2023-02-01",
                                                    resolved_on="2023-03-01", status="resolved")]}, "not_met"),
    ({}, "unknown"),
])
def test_aneurysm_stroke_tia_avm_within_six_months(patient: dict, expected: str) -> None:
    assert status(VASCULAR, patient) == expected


def test_aneurysm_named_by_site_is_not_any_aneurysm() -> None:
    # "abdominal aortic aneurysm" is narrower than the aneurysm code: the term does not read it
    rule = compile_criterion("History of abdominal aortic aneurysm", role="exclusion")
    assert not any(getattr(n, "codes", None) == ["aneurysm"] for n in walk(rule))


# NCT02288507 exclusion 11
CONDUCTION = ("History of myocardial infarction, stroke, ventricular arrhythmia, or symptomatic conduction abnormality "
              "within 6 months.")


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("myocardial_infarction", onset="2026-02-10", resolved_on="2026-02-20", status="resolved")]}, "met"),
    # a block recorded without its symptoms may be the symptomatic one
    ({"history_reviewed": True, "conditions": [cond("conduction_abnormality", name="second-degree AV block",
                                                    status="active")]}, "unknown"),
    ({"conditions": [cond("symptomatic_conduction_abnormality", name="syncope from trifascicular block",
                          onset="2026-05-01", status="active")]}, "met"),
    ({"history_reviewed": True}, "not_met"),
    ({}, "unknown"),
])
def test_symptomatic_conduction_abnormality(patient: dict, expected: str) -> None:
    assert status(CONDUCTION, patient) == expected


# NCT00516165 exclusion 10
RAPAMYCINS = "Patients with known hypersensitivity to RAD001 or other rapamycins or its excipients"


@pytest.mark.parametrize(("patient", "expected"), [
    ({"allergies": ["sirolimus"]}, "met"),
    ({"allergies": ["everolimus"]}, "met"),
    ({"allergies": ["temsirolimus"]}, "met"),
    # another allergy may be to an excipient of the tablets
    ({"allergies": ["lactose"]}, "unknown"),
    ({"history_reviewed": True}, "not_met"),
    ({}, "unknown"),
])
def test_rapamycin_allergy(patient: dict, expected: str) -> None:
    assert status(RAPAMYCINS, patient) == expected


# NCT03382886 exclusion 15; NCT02702401 exclusion 21; NCT05482516 exclusion 37
PLAN_TEXTS = [
    "Pregnant, breast feeding, or planning to become pregnant.",
    "Is pregnant or breastfeeding, or expecting to conceive or father children within the projected duration of the trial, "
    "starting with the first dose of study drug through 120 days or longer based on local regulation after the last dose of "
    "study drug.",
    "Pregnancy or breastfeeding, or intention of becoming pregnant during study treatment or within 5 months after the final "
    "dose of atezolizumab or 6 months after the final dose of bevacizumab.\nWomen of childbearing potential must have a "
    "negative serum or urine pregnancy test result within 28 days prior to initiation of study treatment.",
]


@pytest.mark.parametrize("text", PLAN_TEXTS)
def test_pregnancy_or_plan_to_conceive(text: str) -> None:
    # pregnancy and breastfeeding are read; the plan is the patient's declaration at the site (administrative)
    assert status(text, {"sex": "female", "pregnant": True}) == "met"
    assert status(text, {"sex": "female", "pregnant": False, "breastfeeding": True}) == "met"
    assert status(text, {"sex": "female"}) == "unknown"
    assert any(isinstance(n, Administrative) for n in walk(compile_criterion(text, role="exclusion")))


def test_plan_with_an_unread_tail_is_not_read() -> None:
    # a window the reader does not know stays out of it
    assert needs_review("Pregnant, breast feeding, or planning to become pregnant unless surgically sterile.")


# NCT03253289 exclusion 11 (NCI template)
NCI_PREGNANCY = ("Pregnant women are excluded from this study because meclizine is a Class B agent with the potential for "
                 "teratogenic or abortifacient effects. Because there is an unknown but potential risk for adverse events in "
                 "nursing infants secondary to treatment of the mother with meclizine, breastfeeding should be discontinued "
                 "if the mother is treated with meclizine.")


@pytest.mark.parametrize(("patient", "expected"), [
    ({"sex": "female", "pregnant": True}, "met"),
    # a nursing mother is not excluded: she is told to stop breastfeeding
    ({"sex": "female", "pregnant": False, "breastfeeding": True}, "not_met"),
    ({"sex": "male"}, "not_met"),
    ({"sex": "female"}, "unknown"),
])
def test_nci_pregnancy_template(patient: dict, expected: str) -> None:
    assert status(NCI_PREGNANCY, patient) == expected


# NCT01337492 inclusion 13; NCT02323906 inclusion 13 (first words)
def test_pregnancy_testing_schedules_are_site_checks() -> None:
    text = ("Women of childbearing potential must have 2 negative serum pregnancy test performed. The first test within 7-10 "
            "days prior to the start of treatment. The second test within 24 hours prior to start of treatment.")
    assert isinstance(compile_criterion(text, role="inclusion"), Administrative)


# NCT01258608 exclusion 16
ARRHYTHMIA_NOT_BB = "Cardiac arrhythmias requiring anti-arrhythmic therapy other than beta blockers or digoxin."


def _med(name: str, **kw: object) -> dict[str, object]:
    return {"name": name, "ongoing": True, "start": "2025-01-01", **kw}


@pytest.mark.parametrize(("patient", "expected"), [
    # atrial fibrillation kept in rhythm by amiodarone: the therapy the text excludes
    ({"conditions": [cond("arrhythmia", name="atrial fibrillation", status="controlled", requires_systemic_treatment=True)],
      "concomitant_medications": [_med("amiodarone")]}, "met"),
    # near miss: rate control with bisoprolol and digoxin is the therapy the text permits
    ({"history_reviewed": True,
      "conditions": [cond("arrhythmia", name="atrial fibrillation", status="controlled", requires_systemic_treatment=True)],
      "concomitant_medications": [_med("bisoprolol"), _med("digoxin")]}, "not_met"),
    # diltiazem for rate control: an anti-arrhythmic other than a beta blocker, or the rate control the text allows?
    ({"history_reviewed": True,
      "conditions": [cond("arrhythmia", name="atrial fibrillation", status="controlled", requires_systemic_treatment=True)],
      "concomitant_medications": [_med("diltiazem")]}, "unknown"),
    # the drugs are not recorded: which therapy the arrhythmia requires is not known
    ({"conditions": [cond("arrhythmia", name="atrial fibrillation", status="active", requires_systemic_treatment=True)]},
     "unknown"),
    ({"history_reviewed": True}, "not_met"),
    ({}, "unknown"),
])
def test_arrhythmia_requiring_therapy_other_than_beta_blockers_or_digoxin(patient: dict, expected: str) -> None:
    assert status(ARRHYTHMIA_NOT_BB, patient) == expected


# NCT01335074 exclusion 7
CARDIAC_LIST = ("History of cardiac disease: congestive heart failure (NYHA > 2), active coronary artery disease, cardiac "
                "arrhythmias requiring anti-arrhythmic therapy other than b-blockers or digoxin, uncontrolled hypertension; "
                "myocardial infarction more than 6 months prior to study entry is permitted")


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("heart_failure", nyha_class=3, status="active")]}, "met"),
    ({"conditions": [cond("uncontrolled_hypertension", status="active")]}, "met"),
    # an infarction two months ago is not the old one the text permits
    ({"conditions": [cond("myocardial_infarction", onset="2026-04-01", resolved_on="2026-04-10", status="resolved")]}, "met"),
    # near miss: the permitted old infarction
    ({"history_reviewed": True,
      "conditions": [cond("myocardial_infarction", onset="2024-01-01", resolved_on="2024-01-10", status="resolved")]}, "not_met"),
    # class I today after heart failure: whether it was ever class III or IV is not recorded
    ({"history_reviewed": True, "conditions": [cond("heart_failure", nyha_class=1, status="controlled")]}, "unknown"),
    ({}, "unknown"),
])
def test_sorafenib_cardiac_history_list(patient: dict, expected: str) -> None:
    assert status(CARDIAC_LIST, patient) == expected


# NCT01005199 inclusion 20
CEREBROVASCULAR = "No history of hemorrhagic or thrombotic cerebrovascular event within the past 12 months"


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("arterial_thromboembolism", name="ischaemic stroke", onset="2026-01-10", resolved_on="2026-01-20",
                          status="resolved")]}, "not_met"),
    ({"conditions": [cond("intracranial_haemorrhage", name="subarachnoid haemorrhage", onset="2026-02-01",
                          resolved_on="2026-02-20", status="resolved")]}, "not_met"),
    # near miss: a leg vein thrombosis is not a cerebrovascular event
    ({"history_reviewed": True, "conditions": [cond("venous_thromboembolism", name="left leg DVT", onset="2026-03-10",
                                                    status="controlled")]}, "met"),
    # an arterial thromboembolism recorded without its site may have been a stroke
    ({"history_reviewed": True, "conditions": [cond("arterial_thromboembolism", onset="2026-03-10", resolved_on="2026-03-12",
                                                    status="resolved")]}, "unknown"),
    # ... but not when it was years before the window
    ({"history_reviewed": True, "conditions": [cond("arterial_thromboembolism", onset="2020-03-10", resolved_on="2020-03-12",
                                                    status="resolved")]}, "met"),
    ({}, "unknown"),
])
def test_no_cerebrovascular_event_within_twelve_months(patient: dict, expected: str) -> None:
    assert status(CEREBROVASCULAR, patient, role="inclusion") == expected


# NCT02460991 exclusion 8
UNSTABLE_CAD = "Unstable coronary artery disease or recent myocardial infarct (i.e. within 1 year)."


@pytest.mark.parametrize(("patient", "expected"), [
    ({"conditions": [cond("unstable_angina", name="crescendo angina at rest", status="active")]}, "met"),
    ({"conditions": [cond("myocardial_infarction", onset="2025-10-01", resolved_on="2025-10-10", status="resolved")]}, "met"),
    # coronary disease recorded active: stable exertional angina, or an acute coronary syndrome?
    ({"history_reviewed": True, "conditions": [cond("coronary_artery_disease", name="coronary artery disease",
                                                    status="active")]}, "unknown"),
    # near miss: stable coronary disease kept in check, infarction two years ago
    ({"history_reviewed": True, "conditions": [
        cond("coronary_artery_disease", name="two-vessel CAD on aspirin and statin", status="controlled"),
        cond("myocardial_infarction", onset="2024-03-01", resolved_on="2024-03-10", status="resolved")]}, "not_met"),
    ({}, "unknown"),
])
def test_unstable_coronary_disease_or_infarct_within_a_year(patient: dict, expected: str) -> None:
    assert status(UNSTABLE_CAD, patient) == expected


# NCT01005199 inclusion 28
RHYTHM = ("No ongoing cardiac dysrhythmias of NCI CTCAE grade ≥ 2, atrial fibrillation of any grade, prolongation of QTc > "
          "500 msec on screening electrocardiogram (ECG), or history of familial long QT syndrome")


def _qtc(value: float) -> dict[str, object]:
    return {"analyte": "qtc", "value": value, "unit": "ms", "date": "2026-05-25"}


@pytest.mark.parametrize(("patient", "expected"), [
    # rate-controlled atrial fibrillation is ongoing, whatever its grade
    ({"conditions": [cond("arrhythmia", name="persistent atrial fibrillation", status="controlled")]}, "not_met"),
    ({"labs": [_qtc(512)]}, "not_met"),
    # near miss: a QTc of 480 ms, nothing else in the reviewed history
    ({"history_reviewed": True, "labs": [_qtc(480)]}, "met"),
    # atrial fibrillation ablated years ago is not ongoing
    ({"history_reviewed": True, "labs": [_qtc(430)],
      "conditions": [cond("arrhythmia", name="paroxysmal atrial fibrillation, ablated 2019", status="resolved",
                          resolved_on="2019-06-01")]}, "met"),
    # an arrhythmia recorded without its kind or grade
    ({"history_reviewed": True, "labs": [_qtc(430)], "conditions": [cond("arrhythmia", status="active")]}, "unknown"),
    ({"history_reviewed": True}, "unknown"),  # no screening ECG
])
def test_no_ongoing_dysrhythmia_af_qtc_or_familial_long_qt(patient: dict, expected: str) -> None:
    assert status(RHYTHM, patient, role="inclusion") == expected
