"""Concomitant medications in eligibility criteria (issue 10, coverage round 4).

Each test is a criterion as the trial wrote it, a patient's medication list and the verdict a
clinician reads: "met" means the patient has what the criterion describes (for an exclusion: the
patient is excluded).  Medications are ``Patient.concomitant_medications``; an empty list is "none
recorded", so the verdict is unknown until the history is marked reviewed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.families.medications import medication_tags
from hcctrials.model.eligibility import node_adapter
from hcctrials.model.patient import Patient
from hcctrials.patients.io import load_patient

SCREENING = date(2026, 6, 1)
ON = {"start": "2025-09-01", "ongoing": True}

CYP_INHIBITORS = ("No concurrent known strong CYP3A4 inhibitors (e.g., ketoconazole, fluconazole, itraconazole, "
                  "voriconazole, erythromycin, clarithromycin, diltiazem, verapamil, and protease inhibitors)")
CYP_INDUCERS = "Concomitant use of strong Cytochrome P450 3A4 (CYP3A4) inducers"
RIFAMPIN = "Use of St. John's Wort or rifampin (rifampicin)."
ANTICOAG = "Therapeutic dose anticoagulation with warfarin, low molecular-weight heparin, or similar agents."
COUMARIN = "No concurrent full-dose anticoagulation with coumarin derivatives"
HERBAL = "No concurrent traditional Chinese or herbal medicine (e.g. sho-saiko-to, silymarine)"
ACE = "No concurrent angiotensin converting enzyme inhibitors (ACE-I)"
GROWTH_FACTORS = ("At least 30 days since use of biologic response modifiers (e.g., G-CSF and other hematopoietic "
                  "growth factors)")


def _verdict(text: str, role: str, patient: dict[str, Any]) -> tuple[str, str]:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    v = evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p1", **patient}), SCREENING))
    return v.status, " | ".join((v.reason, *v.missing))


def _meds(*entries: dict[str, Any], reviewed: bool | None = None) -> dict[str, Any]:
    return {"concomitant_medications": list(entries), "history_reviewed": reviewed}


# ------------------------------------------------------------------ CYP3A4


def test_clarithromycin_started_last_week_breaks_no_concurrent_strong_inhibitor() -> None:
    status, reason = _verdict(CYP_INHIBITORS, "inclusion",
                              _meds({"name": "Clarithromycin", "start": "2026-05-25", "ongoing": True}))
    assert status == "not_met"
    assert "Clarithromycin" in reason


def test_fluconazole_counts_because_the_trial_names_it_although_the_fda_calls_it_moderate() -> None:
    assert _verdict(CYP_INHIBITORS, "inclusion", _meds({"name": "fluconazole", **ON}))[0] == "not_met"


def test_ritonavir_counts_as_one_of_the_protease_inhibitors() -> None:
    assert _verdict(CYP_INHIBITORS, "inclusion", _meds({"name": "ritonavir", **ON}))[0] == "not_met"


def test_entecavir_and_propranolol_meet_no_strong_inhibitor() -> None:
    status, _ = _verdict(CYP_INHIBITORS, "inclusion",
                         _meds({"name": "entecavir", **ON}, {"name": "propranolol", **ON}))
    assert status == "met"


def test_no_medication_list_is_unknown_until_the_history_is_reviewed() -> None:
    status, reason = _verdict(CYP_INHIBITORS, "inclusion", {})
    assert status == "unknown"
    assert "current medications" in reason
    assert _verdict(CYP_INHIBITORS, "inclusion", {"history_reviewed": True})[0] == "met"


def test_a_drug_the_vocabulary_does_not_know_is_unknown_not_harmless() -> None:
    status, reason = _verdict(CYP_INDUCERS, "exclusion", _meds({"name": "Compound Z", **ON}))
    assert status == "unknown"
    assert "Compound Z" in reason


def test_phenobarbital_is_unknown_against_a_strong_inducer_class_its_strength_varies_between_tables() -> None:
    assert _verdict(CYP_INDUCERS, "exclusion", _meds({"name": "phenobarbital", **ON}))[0] == "unknown"


def test_carbamazepine_stopped_last_year_is_not_concomitant() -> None:
    status, _ = _verdict(CYP_INDUCERS, "exclusion",
                         _meds({"name": "carbamazepine", "start": "2023-01-01", "stop": "2025-01-31"}))
    assert status == "not_met"


def test_carbamazepine_taken_now_excludes() -> None:
    assert _verdict(CYP_INDUCERS, "exclusion", _meds({"name": "Tegretol", **ON}))[0] == "met"


def test_a_medication_without_dates_or_ongoing_flag_is_unknown() -> None:
    status, reason = _verdict(CYP_INDUCERS, "exclusion", _meds({"name": "rifampicin"}))
    assert status == "unknown"
    assert "dates of rifampicin" in reason


def test_the_record_may_state_the_class_of_a_drug_the_vocabulary_does_not_know() -> None:
    med = {"name": "apalutamide-like study drug", "drug_class": "strong_cyp3a4_inducer", **ON}
    assert _verdict(CYP_INDUCERS, "exclusion", _meds(med))[0] == "met"


# ------------------------------------------------------------------ named drugs


def test_st_johns_wort_is_read_as_one_name_not_two_sentences() -> None:
    rule = compile_criterion(RIFAMPIN, role="exclusion")
    assert is_fully_compiled(rule)
    assert _verdict(RIFAMPIN, "exclusion", _meds({"name": "St John's wort", **ON}))[0] == "met"
    assert _verdict(RIFAMPIN, "exclusion", _meds({"name": "Rifadin", **ON}))[0] == "met"


def test_other_drugs_do_not_meet_the_named_drug_exclusion() -> None:
    status, _ = _verdict(RIFAMPIN, "exclusion", _meds({"name": "entecavir", **ON}, reviewed=True))
    assert status == "not_met"


def test_grapefruit_juice_is_food_and_stays_for_review() -> None:
    rule = compile_criterion("Use of ritonavir and grapefruit juice.", role="exclusion")
    assert not is_fully_compiled(rule)


def test_unable_to_discontinue_is_read_from_can_stop() -> None:
    # since session 6 the qualifier is a fact of the record (ConcomitantMedication.can_stop; not assessed: unknown),
    # tests/criteria/families/test_family_therapy_s6_medications.py
    text = ("Using and unable to discontinue use of concomitant strong CYP3A4 inducers (e.g., including but not "
            "limited to St. John's Wort, dexamethasone, phenytoin, carbamazepine, rifampin, rifabutin, phenobarbital)")
    rule = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(rule) and "cannot be stopped" in describe(rule)


# ------------------------------------------------------------------ anticoagulation


@pytest.mark.parametrize("med, expected", [
    ({"name": "warfarin", "intent": "therapeutic", **ON}, "met"),
    ({"name": "rivaroxaban", "intent": "therapeutic", **ON}, "met"),  # "or similar agents"
    ({"name": "enoxaparin", "intent": "prophylactic", **ON}, "not_met"),  # prophylaxis is not therapeutic dose
    ({"name": "enoxaparin", **ON}, "unknown"),  # dose intent not recorded
    ({"name": "aspirin", "intent": "therapeutic", **ON}, "not_met"),  # an antiplatelet, not an anticoagulant
])
def test_therapeutic_dose_anticoagulation(med: dict[str, Any], expected: str) -> None:
    assert _verdict(ANTICOAG, "exclusion", _meds(med))[0] == expected


def test_full_dose_coumarin_only_apixaban_is_not_a_coumarin() -> None:
    assert _verdict(COUMARIN, "inclusion", _meds({"name": "warfarin", "intent": "therapeutic", **ON}))[0] == "not_met"
    assert _verdict(COUMARIN, "inclusion", _meds({"name": "apixaban", "intent": "therapeutic", **ON}))[0] == "met"
    assert _verdict(COUMARIN, "inclusion", _meds({"name": "warfarin", "intent": "prophylactic", **ON}))[0] == "met"


def test_anticoagulation_without_therapeutic_or_full_dose_stays_for_review() -> None:
    # "Anticoagulation for line maintenance is permitted" in the next sentence: the dose decides, the rule
    # would not see the permission
    text = ("Patients currently receiving anticoagulation treatment with coumadin, low molecular weight heparin or "
            "IV heparin. Evidence of bleeding diathesis or coagulopathy. Anticoagulation for line maintenance is permitted.")
    assert not is_fully_compiled(compile_criterion(text, role="exclusion"))


# ------------------------------------------------------------------ herbal, ACE inhibitors, growth factors


def test_huaier_granule_is_traditional_chinese_medicine() -> None:
    assert _verdict(HERBAL, "inclusion", _meds({"name": "槐耳颗粒", **ON}))[0] == "not_met"
    assert _verdict(HERBAL, "inclusion", _meds({"name": "silymarin", **ON}))[0] == "not_met"
    assert _verdict(HERBAL, "inclusion", _meds({"name": "entecavir", **ON}))[0] == "met"


def test_losartan_is_not_an_ace_inhibitor_enalapril_is() -> None:
    assert _verdict(ACE, "inclusion", _meds({"name": "losartan", **ON}))[0] == "met"
    assert _verdict(ACE, "inclusion", _meds({"name": "enalapril", **ON}))[0] == "not_met"


@pytest.mark.parametrize("stop, expected", [
    ("2026-05-20", "not_met"),  # 12 days before screening
    ("2026-05-02", "met"),  # exactly 30 days before screening: "at least 30 days since"
    ("2026-05-03", "not_met"),  # 29 days
])
def test_at_least_30_days_since_g_csf(stop: str, expected: str) -> None:
    med = {"name": "filgrastim", "start": "2026-04-25", "stop": stop}
    assert _verdict(GROWTH_FACTORS, "inclusion", _meds(med))[0] == expected


def test_interferon_given_as_a_therapy_line_counts_as_a_biologic_response_modifier() -> None:
    patient = {"treatments": [{"kind": "systemic", "agents": ["interferon alfa"], "start": "2026-04-01",
                               "end": "2026-05-15"}], "history_reviewed": True}
    assert _verdict(GROWTH_FACTORS, "inclusion", patient)[0] == "not_met"


def test_an_anticancer_line_does_not_make_medication_rules_unknown() -> None:
    patient = {"treatments": [{"kind": "systemic", "agents": ["sorafenib"], "start": "2026-01-01", "ongoing": True}],
               "concomitant_medications": [{"name": "entecavir", **ON}]}
    assert _verdict(CYP_INDUCERS, "exclusion", patient)[0] == "not_met"


# ------------------------------------------------------------------ data and vocabulary


def test_medication_rule_round_trips_through_json() -> None:
    rule = compile_criterion(ANTICOAG, role="exclusion")
    again = node_adapter.validate_json(rule.model_dump_json())
    assert describe(again) == describe(rule) == "medication: anticoagulant at therapeutic dose, current"


def test_concomitant_medications_are_read_from_a_patient_yaml(tmp_path: Any) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("patient_id: P7\nconcomitant_medications:\n  - name: warfarin\n    intent: therapeutic\n"
                    "    start: 2025-01-10\n    ongoing: true\n", encoding="utf-8")
    patient = load_patient(path)
    assert patient.concomitant_medications[0].name == "warfarin"
    v = evaluate_node(compile_criterion(ANTICOAG, role="exclusion"), PatientFacts(patient, SCREENING))
    assert v.status == "met"


def test_vocabulary_knows_brand_generic_and_chinese_names() -> None:
    assert medication_tags("Coumadin")[0] == medication_tags("华法林")[0] == "warfarin"
    assert "strong_cyp3a4_inducer" in medication_tags("Hypericum perforatum")[1]
    assert "strong_cyp3a4_inhibitor" in medication_tags("diltiazem")[2]  # possible only (FDA: moderate)
    assert medication_tags("no such drug")[0] is None


# ------------------------------------------------------------------ chronic steroids and immunosuppressants

CHRONIC = "Chronic treatment with systemic steroids or another immunosuppressive agent"
CHRONIC_ANY_ROUTE = "Chronic treatment with steroids or another immunosuppressive agents"


@pytest.mark.parametrize("med, expected", [
    ({"name": "prednisone", "start": "2025-12-01", "ongoing": True}, "met"),  # six months: chronic
    ({"name": "prednisone", "start": "2026-05-25", "ongoing": True}, "not_met"),  # a one-week course is not chronic
    ({"name": "prednisone", "start": "2026-04-15", "ongoing": True}, "unknown"),  # 47 days: chronic or not?
    ({"name": "budesonide", "start": "2024-01-01", "ongoing": True, "route": "inhaled"}, "not_met"),  # not systemic
    ({"name": "hydrocortisone", "start": "2024-01-01", "ongoing": True}, "unknown"),  # cream or tablets?
    ({"name": "tacrolimus", "start": "2020-01-01", "ongoing": True}, "met"),
    ({"name": "everolimus", "start": "2020-01-01", "ongoing": True}, "unknown"),  # anticancer or transplant use
    ({"name": "prednisone", "start": "2024-01-01", "stop": "2025-06-01"}, "not_met"),  # stopped a year ago
])
def test_chronic_systemic_steroids_or_immunosuppressants(med: dict[str, Any], expected: str) -> None:
    assert _verdict(CHRONIC, "exclusion", _meds(med))[0] == expected


def test_without_systemic_the_steroid_criterion_stays_for_review() -> None:
    # an inhaled or topical steroid may or may not be meant; the 2026-12-04 audit keeps it for review
    assert not is_fully_compiled(compile_criterion(CHRONIC_ANY_ROUTE, role="exclusion"))


def test_steroids_recorded_as_a_therapy_line_count_too() -> None:
    patient = {"treatments": [{"kind": "other", "agents": ["prednisone"], "start": "2025-10-01", "ongoing": True}]}
    assert _verdict("No chronic systemic steroids or other immunosuppressive agents", "inclusion", patient)[0] == "not_met"
