"""Allergy and CNS-metastasis criteria with their qualifiers (issue 10, coverage round 4).

A criterion as the trial wrote it, a patient, the verdict a clinician reads and why.  "met" means the
patient has what the criterion describes (for an exclusion: the patient is excluded).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)


def _verdict(text: str, patient: dict[str, Any], *, role: str = "exclusion",
             trial_drugs: tuple[str, ...] = ()) -> tuple[str, str]:
    rule = compile_criterion(text, role=role, trial_drugs=trial_drugs)  # type: ignore[arg-type]
    v = evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p1", **patient}), SCREENING))
    return v.status, " | ".join((v.reason, *v.missing))


# ------------------------------------------------------------------ allergy

ANTIBODIES = "History of hypersensitivity reaction to human or mouse antibody products"
SORAFENIB_OR_TRIAL = "Known or suspected allergy to sorafenib or any agent given in the course of this trial."
TRIAL_DRUGS_ZH = "对试验药物过敏;"
EXCIPIENTS = ("Have a known immediate or delayed hypersensitivity reaction or idiosyncrasy to drugs chemically related "
              "to study drug, or excipients or to dimethyl sulfoxide")


@pytest.mark.parametrize("allergy, expected", [
    ("rituximab", "met"),  # chimeric mouse-human antibody
    ("atezolizumab", "met"),  # humanised antibody
    ("信迪利单抗", "met"),  # sintilimab, written in Chinese: 单抗 = monoclonal antibody
    ("IVIG", "met"),  # human immunoglobulin is a human antibody product
    # a class no vocabulary lists by every brand name: another recorded allergy may be an antibody ("Rituxan")
    ("penicillin", "unknown"),
])
def test_antibody_products_of_any_origin(allergy: str, expected: str) -> None:
    assert _verdict(ANTIBODIES, {"allergies": [allergy]})[0] == expected


def test_no_allergies_in_a_complete_history_do_not_meet_the_antibody_exclusion() -> None:
    assert _verdict(ANTIBODIES, {"history_reviewed": True})[0] == "not_met"


def test_aminothiol_compounds_mean_amifostine() -> None:
    assert _verdict("Allergy to aminothiol compounds", {"allergies": ["Ethyol"]})[0] == "met"
    assert _verdict("Allergy to aminothiol compounds", {"allergies": ["iodine"]})[0] == "unknown"  # a class by kind
    assert _verdict("Allergy to aminothiol compounds", {"history_reviewed": True})[0] == "not_met"
    assert _verdict("Allergy to aminothiol compounds", {})[0] == "unknown"


def test_allergy_to_the_trial_drugs_uses_the_trials_agents() -> None:
    drugs = ("adebrelimab", "apatinib")
    assert _verdict(TRIAL_DRUGS_ZH, {"allergies": ["阿帕替尼"]}, trial_drugs=drugs)[0] == "met"
    assert _verdict(TRIAL_DRUGS_ZH, {"history_reviewed": True}, trial_drugs=drugs)[0] == "not_met"


def test_another_allergy_is_unknown_when_the_trials_agents_may_be_incomplete() -> None:
    # the trial's list of agents comes from its interventions and may miss one (an investigational code,
    # a premedication): a recorded allergy to something else cannot be called unrelated
    status, reason = _verdict(SORAFENIB_OR_TRIAL, {"allergies": ["penicillin"]}, trial_drugs=("sorafenib",))
    assert status == "unknown"
    assert "penicillin" in reason


def test_sorafenib_allergy_excludes_and_no_allergies_in_a_complete_history_do_not() -> None:
    assert _verdict(SORAFENIB_OR_TRIAL, {"allergies": ["Nexavar"]}, trial_drugs=("sorafenib",))[0] == "met"
    assert _verdict(SORAFENIB_OR_TRIAL, {"history_reviewed": True}, trial_drugs=("sorafenib",))[0] == "not_met"


def test_dmso_named_beside_excipients() -> None:
    assert _verdict(EXCIPIENTS, {"allergies": ["DMSO"]}, trial_drugs=("sorafenib",))[0] == "met"
    assert _verdict(EXCIPIENTS, {"allergies": ["latex"]}, trial_drugs=("sorafenib",))[0] == "unknown"


def test_an_allergy_sentence_that_also_names_other_conditions_stays_for_review() -> None:
    text = ("Evidence of spontaneous bacterial peritonitis or renal failure or allergic reactions to the agent or "
            "excipient at screening visit or within the last two weeks prior to study treatment initiation, "
            "whichever earlier")
    assert not is_fully_compiled(compile_criterion(text, role="exclusion", trial_drugs=("sorafenib",)))


@pytest.mark.parametrize("text", [
    "History of severe hypersensitivity reaction to another monoclonal antibody.",  # severity not recorded
    "History of severe allergic anaphylactic reactions to chimeric or humanized antibodies or fusion proteins",
    "Known hypersensitivity to Chinese hamster ovary cell products or to any component of the atezolizumab or "
    "bevacizumab formulation",
])
def test_severity_and_production_cell_line_qualifiers_stay_for_review(text: str) -> None:
    assert not is_fully_compiled(compile_criterion(text, role="exclusion", trial_drugs=("atezolizumab",)))


# ------------------------------------------------------------------ CNS metastases

CNS_OR_LEPTO = "History or clinical evidence of central nervous system (CNS) metastases or leptomeningeal carcinomatosis"
LEPTO = "History of leptomeningeal carcinomatosis"
POSTPOSED = "Known central nervous system (CNS) or brain metastasis that is either symptomatic or untreated"


def test_leptomeningeal_carcinomatosis_alone_excludes() -> None:
    patient = {"tumour": {"cns_metastasis": False},
               "conditions": [{"code": "leptomeningeal_disease", "status": "history", "onset": "2025-02-01"}]}
    assert _verdict(CNS_OR_LEPTO, patient)[0] == "met"


def test_brain_metastases_meet_the_cns_part() -> None:
    assert _verdict(CNS_OR_LEPTO, {"tumour": {"cns_metastasis": True}})[0] == "met"


def test_no_cns_disease_in_a_complete_history() -> None:
    assert _verdict(CNS_OR_LEPTO, {"tumour": {"cns_metastasis": False}, "history_reviewed": True})[0] == "not_met"


def test_leptomeningeal_disease_named_alone_is_its_own_history_item() -> None:
    # never read as any CNS metastasis (audit 2026-12-04 round 4): parenchymal brain metastases alone do not decide it
    rule = compile_criterion(LEPTO, role="exclusion")
    assert is_fully_compiled(rule) and "cns_metastasis" not in describe(rule)
    assert _verdict(LEPTO, {"tumour": {"cns_metastasis": True}, "history_reviewed": False})[0] == "unknown"


@pytest.mark.parametrize("tumour, expected", [
    ({"cns_metastasis": True, "cns_metastasis_treated_stable": False}, "met"),
    ({"cns_metastasis": True, "cns_metastasis_treated_stable": True}, "not_met"),
    ({"cns_metastasis": False}, "not_met"),
    ({"cns_metastasis": True}, "unknown"),
])
def test_metastasis_that_is_either_symptomatic_or_untreated(tumour: dict[str, Any], expected: str) -> None:
    assert _verdict(POSTPOSED, {"tumour": tumour})[0] == expected


def test_uncontrolled_brain_disease_stays_for_review() -> None:
    rule = compile_criterion("Known carcinomatous meningitis or uncontrolled brain disease", role="exclusion")
    assert not is_fully_compiled(rule)


def test_chinese_brain_or_meningeal_metastasis() -> None:
    patient = {"tumour": {"cns_metastasis": False}, "conditions": [{"code": "leptomeningeal_disease", "status": "history"}]}
    assert _verdict("既往有脑转移或脑膜转移", patient)[0] == "met"


# ------------------------------------------------------------------ cardiac: hypertension

HTN_CRISIS = ("Inadequately controlled hypertension or prior history of hypertensive crisis or hypertensive "
              "encephalopathy")


def test_a_hypertensive_crisis_two_years_ago_is_a_prior_history() -> None:
    patient = {"conditions": [{"code": "hypertensive_crisis", "status": "resolved", "onset": "2024-03-02"}]}
    assert _verdict(HTN_CRISIS, patient)[0] == "met"


def test_inadequately_controlled_hypertension_is_uncontrolled_hypertension() -> None:
    assert _verdict(HTN_CRISIS, {"conditions": [{"code": "uncontrolled_hypertension", "status": "active"}]})[0] == "met"
    status, _ = _verdict("Hypertension uncontrolled by standard therapies",
                         {"history_reviewed": True, "conditions": [{"code": "hypertension", "status": "controlled"}]})
    assert status == "not_met"


def test_hypertension_history_not_recorded_is_unknown() -> None:
    assert _verdict(HTN_CRISIS, {})[0] == "unknown"


# ------------------------------------------------------------------ CNS bleed, rationale text

CNS_BLEED = "History or evidence upon physical or neurological examination of central nervous system bleed"


def test_a_past_intracranial_haemorrhage_is_a_cns_bleed() -> None:
    patient = {"conditions": [{"code": "intracranial_haemorrhage", "status": "resolved", "onset": "2023-07-01"}]}
    assert _verdict(CNS_BLEED, patient)[0] == "met"
    assert _verdict(CNS_BLEED, {"conditions": [{"code": "spinal_haemorrhage", "status": "history"}]})[0] == "met"
    assert _verdict(CNS_BLEED, {"history_reviewed": True})[0] == "not_met"


def test_the_reason_for_excluding_brain_metastases_is_not_a_second_rule() -> None:
    text = ("Patients with known brain metastases will be excluded from this clinical trial because of their poor "
            "prognosis and because they often develop progressive neurologic dysfunction that would confound the "
            "evaluation of neurologic and other adverse events.")
    assert _verdict(text, {"tumour": {"cns_metastasis": True}})[0] == "met"
    assert _verdict(text, {"tumour": {"cns_metastasis": False}})[0] == "not_met"


def test_a_stable_treated_permission_restates_active_cns_metastases() -> None:
    # "(stable treated brain metastases ... allowed)" is what "active" leaves out: never read as any brain metastasis
    rule = compile_criterion("Active central nervous system metastases and/or carcinomatous meningitis (stable treated brain "
                             "metastases not requiring steroids >4 weeks allowed).", role="exclusion")
    import re

    text = describe(rule)  # in review for the meningitis's tense; its reading names the active metastases only
    assert "cns_metastasis_active" in text and not re.search(r"tumour: cns_metastasis(?!_)", text), text
