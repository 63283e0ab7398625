"""The wrong rules of the random audit of 2026-12-04 (tests/criteria/audit/audit_2026-12-04_round1.yaml),
each now sent to review with the reason, and the precision audits that catch them.

Each case is a criterion from a real HCC trial, the rule it was compiled to, and the patient for whom
that rule decided against the text (the auditor's note).  "Needs review" costs a clinician a minute;
the wrong rule silently excluded or admitted the patient.
"""

from __future__ import annotations

import pytest

from hcctrials.criteria import compile_criterion
from hcctrials.model.eligibility import NeedsReview

CASES = [
    # (role, text, reason fragment, the patient the old rule got wrong)
    ("exclusion", "Major surgery within previous 4 weeks or planned major surgical procedure during course of study",
     "planned", "a hepatectomy in 2020 excluded the patient"),
    ("exclusion", "Evidence of acute main trunk portal vein thrombosis", "thrombus",
     "a chronic Vp4 thrombus was excluded although the trial admits chronic main-trunk thrombosis"),
    ("exclusion", "Chronic treatment with steroids or another immunosuppressive agents", "Chronic",
     "a 3-day dexamethasone course in 2020 excluded the patient"),
    ("exclusion", "Known hypersensitivity to Chinese hamster ovary cell products or to any component of the "
                  "atezolizumab or bevacizumab formulation", "", "a CHO-product allergy was not excluded"),
    ("inclusion", "Child-Pugh Liver Function Class A/B9", "gap", "Child-Pugh 7 or 8 was rejected"),
    ("exclusion", "Systemic anti-cancer treatment within 2 weeks, all ongoing adverse events related to previous "
                  "systemic anti-cancer therapy resolved to grade ≤1.", "ystemic",
     "sorafenib until 5 days ago without toxicity was not excluded"),
]


# Read faithfully since session 6 (criteria/families/medication_readers.py), so no longer sent to review:
# "Prior use of systemic investigational agents for HCC" (an investigational TACE no longer excludes) and "Concurrent
# participation in another clinical trial involving experimental treatment;" (a trial drug finished in 2020 no longer
# excludes): the two patients of the audit are tests of their own below.
_AUDIT_PATIENTS_NOW_READ = [
    ("Prior use of systemic investigational agents for HCC",
     {"treatments": [{"kind": "locoregional", "agents": ["tace"], "investigational": True, "start": "2025-05-01",
                      "end": "2025-05-01"}]}),
    ("Concurrent participation in another clinical trial involving experimental treatment;",
     {"treatments": [{"kind": "systemic", "agents": ["ABC-123"], "investigational": True, "start": "2020-01-01",
                      "end": "2020-06-01"}]}),
]


@pytest.mark.parametrize(("text", "patient"), _AUDIT_PATIENTS_NOW_READ)
def test_the_audit_patients_are_no_longer_excluded(text: str, patient: dict) -> None:
    from tests.criteria.helpers_criteria import screening_verdict

    assert screening_verdict(text, patient)[0] == "not_met"


@pytest.mark.parametrize(("role", "text", "reason", "patient"), CASES, ids=[c[3][:40] for c in CASES])
def test_audited_wrong_rules_go_to_review(role: str, text: str, reason: str, patient: str) -> None:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert isinstance(rule, NeedsReview), f"{text} -> {rule} ({patient})"
    assert reason in rule.reason


def test_a_stem_cell_transplant_without_allogeneic_counts_autologous_ones() -> None:
    """Audit round 1: "history of stem cell or organ transplantation" read as allogeneic only did not exclude
    an autologous stem-cell transplant.  It went to review, and is now read as any stem cell transplant."""
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.model.patient import Condition, Patient

    rule = compile_criterion("Patients with history of stem cell or organ transplantation;", role="exclusion")
    patient = Patient(patient_id="p", conditions=[Condition(code="autologous_stem_cell_transplant", status="history")])
    assert evaluate_node(rule, PatientFacts(patient, date(2026, 6, 1))).status == "met"


def test_esophageal_or_gastric_bleeding_counts_an_ulcer_bleed() -> None:
    """Audit round 1 #26: "esophageal/gastric bleeding" read as variceal bleeding only did not exclude a patient
    with a gastric-ulcer bleed two months ago.  It went to review, and is now read as an upper GI bleed of any
    cause (variceal or not)."""
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.model.patient import Condition, Patient

    rule = compile_criterion("History of gastrointestinal perforation or esophageal/gastric bleeding within 6 months "
                             "prior to study enrollment", role="exclusion")
    ulcer = Patient(patient_id="p", conditions=[Condition(code="gi_bleeding", name="bleeding gastric ulcer",
                                                          status="resolved", onset=date(2026, 4, 1))])
    assert evaluate_node(rule, PatientFacts(ulcer, date(2026, 6, 1))).status == "met"


def test_evidence_of_bleeding_diathesis_is_a_present_state() -> None:
    """Audit round 1: "No evidence of bleeding diathesis" read as "never had a bleeding disorder" failed a patient
    with an ITP in remission.  It went to review; "evidence of" is now read as the present state."""
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.model.patient import Condition, Patient

    rule = compile_criterion("No evidence of bleeding diathesis", role="inclusion")
    itp_in_remission = Patient(patient_id="p", conditions=[Condition(code="bleeding_disorder", name="ITP in remission",
                                                                     status="resolved", resolved_on=date(2019, 1, 1))])
    haemophilia = Patient(patient_id="q", conditions=[Condition(code="bleeding_disorder", name="haemophilia A",
                                                                status="active")])
    assert evaluate_node(rule, PatientFacts(itp_in_remission, date(2026, 6, 1))).status == "met"
    assert evaluate_node(rule, PatientFacts(haemophilia, date(2026, 6, 1))).status == "not_met"


def test_lactating_is_breastfeeding_only() -> None:
    """Audit round 1: "If female, is lactating" read as pregnant or breastfeeding excluded a pregnant woman who is
    not breastfeeding.  It went to review; the pregnancy leaf now reads lactation alone."""
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.model.patient import Patient

    rule = compile_criterion("If female, is lactating", role="exclusion")
    pregnant = Patient(patient_id="p", sex="female", pregnant=True, breastfeeding=False)
    nursing = Patient(patient_id="q", sex="female", pregnant=False, breastfeeding=True)
    assert evaluate_node(rule, PatientFacts(pregnant, date(2026, 6, 1))).status == "not_met"
    assert evaluate_node(rule, PatientFacts(nursing, date(2026, 6, 1))).status == "met"


def test_a_permission_with_conditions_no_longer_decides() -> None:
    """Audit #83: "Prior local therapy ... is allowed if the index lesion(s) remains outside of the treatment
    field or has progressed" compiled to "no local therapy within 27 days": a resection 12 days ago met it and
    the index-lesion condition was dropped.  It is now a permissive note, checked at the site."""
    from hcctrials.model.eligibility import Administrative

    rule = compile_criterion("Prior local therapy, such as surgery, hepatic arterial embolization, chemoembolization, "
                             "radiofrequency ablation, percutaneous ethanol injection or cryoablation is allowed if the "
                             "index lesion(s) remains outside of the treatment field or has progressed", role="inclusion")
    assert isinstance(rule, (Administrative, NeedsReview))


def test_active_or_prior_autoimmune_disease_is_ever() -> None:
    """Audit #25: "Active or prior documented autoimmune ... disorders" was read as active only, so a patient
    with a prior, resolved autoimmune disease was not excluded; "or inflammatory disorders" (round 3) are not
    all autoimmune: the rule reads them as their own code (test_family_history_autoimmune_inflammatory.py)."""
    from hcctrials.criteria import describe

    rule = compile_criterion("Active or prior documented autoimmune disease", role="exclusion")
    assert describe(rule) == "history: autoimmune_disease (ever)"
    wider = compile_criterion("Active or prior documented autoimmune or inflammatory disorders", role="exclusion")
    assert describe(wider) == "history: autoimmune_disease/inflammatory_disease (ever)"


def _audited_items() -> list[tuple[str, dict[str, str]]]:
    from pathlib import Path

    import yaml

    out = []
    for path in sorted((Path(__file__).parent.parent / "audit").glob("audit_*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            out.append((path.stem, item))
    return out


AUDITED = _audited_items()


@pytest.mark.parametrize(("audit", "item"), [(a, i) for a, i in AUDITED if i["judgement"] == "wrong"],
                         ids=[f"{a}-{i['trial']}-{i['role'][:3]}{i['number']}" for a, i in AUDITED
                              if i["judgement"] == "wrong"])
def test_every_rule_an_audit_found_wrong_no_longer_decides(audit: str, item: dict[str, str]) -> None:
    """Every criterion judged "wrong" in an audit by reading (tests/criteria/audit, the patient that showed
    the error in its note) now goes to review, is a permissive note checked at the site, or compiles to a
    corrected rule (checked below): the audited wrong rule never comes back."""
    from hcctrials.criteria import describe
    from hcctrials.model.eligibility import Administrative

    rule = compile_criterion(item["text"], role=item["role"])  # type: ignore[arg-type]
    if item["text"] in CORRECTED_BY_EVALUATION:
        return  # the same rule, evaluated as the text says: test_corrected_rules_decide_what_the_text_says
    assert isinstance(rule, (NeedsReview, Administrative)) or describe(rule) != item["rule"], \
        f"{item['text']} -> {describe(rule)} ({item['note']})"


#: audited wrong rules whose fix is in the evaluation, not the rule; each with the auditor's patient below
CORRECTED_BY_EVALUATION = {
    # round 6: the window runs over the disease's activity: a disease recorded controlled is present now
    "Has active or prior documented autoimmune disease within the past 24 months",
}


@pytest.mark.parametrize(("text", "patient", "expected"), [
    # round 4: 活动性感染 is any active infection needing systemic treatment, not only a severe one
    ("有活动性感染需要全身治疗。", {"history_reviewed": True, "conditions": [
        {"code": "infection", "name": "pneumonia", "status": "active", "requires_systemic_treatment": True}]}, "met"),
    # round 6: rheumatoid arthritis since 2015, controlled (not resolved): present within the past 24 months
    ("Has active or prior documented autoimmune disease within the past 24 months", {
        "history_reviewed": True, "conditions": [{"code": "autoimmune_disease", "name": "rheumatoid arthritis",
                                                  "status": "controlled", "onset": "2015-03-01"}]}, "met"),
    # ... and Graves' disease treated with radioiodine in 2010, resolved: not within the past 24 months
    ("Has active or prior documented autoimmune disease within the past 24 months", {
        "history_reviewed": True, "conditions": [{"code": "autoimmune_disease", "name": "Graves' disease",
                                                  "status": "resolved", "onset": "2009-01-01",
                                                  "resolved_on": "2010-06-01"}]}, "not_met"),
    # round 4: "previous, or current, ... spinal cord compression": a resolved compression excludes too
    ("History of previous, or current, brain metastases or spinal cord compression.", {
        "history_reviewed": True, "tumour": {"cns_metastasis": False},
        "conditions": [{"code": "spinal_cord_compression", "status": "resolved"}]}, "met"),
])
def test_corrected_rules_decide_what_the_text_says(text: str, patient: dict[str, object], expected: str) -> None:
    from datetime import date

    from hcctrials.criteria import PatientFacts, evaluate_node
    from hcctrials.model.patient import Patient

    rule = compile_criterion(text, role="exclusion")
    person = Patient.model_validate({"patient_id": "P", **patient})
    assert evaluate_node(rule, PatientFacts(person, date(2026, 6, 1))).status == expected


def test_the_audits_were_judged() -> None:
    assert len(AUDITED) >= 400
    assert all(i["judgement"] in ("faithful", "partly", "wrong") for _, i in AUDITED)


def test_round7_arterial_thromboembolic_events_include_a_myocardial_infarction() -> None:
    """Audit round 7 (wrong): "History of arterial thromboembolic event in past 6 months (including CVA, MI)" did not
    count an MI recorded as such; arterial thromboembolic events now include MI and unstable angina."""
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.model.patient import Condition, Patient

    rule = compile_criterion("History of arterial thromboembolic event in past 6 months (including CVA, MI).",
                             role="exclusion")
    mi = Patient(patient_id="p", history_reviewed=True,
                 conditions=[Condition(code="myocardial_infarction", status="history", onset=date(2026, 4, 1))])
    assert evaluate_node(rule, PatientFacts(mi, date(2026, 6, 1))).status == "met"


def test_round7_combined_with_other_tumors_is_a_concurrent_malignancy() -> None:
    """Audit round 7 (wrong): "... or combined with other tumors" (合并其他肿瘤) was read as any malignancy ever, so a
    breast cancer cured in 2010 excluded the patient."""
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from hcctrials.model.patient import Condition, Patient

    rule = compile_criterion("Portal vein tumor thrombus, central nervous system tumor metastasis, or combined with "
                             "other tumors;", role="exclusion")
    cured = Patient(patient_id="p", history_reviewed=True, tumour={"pvtt": "vp0", "vascular_invasion": False, "cns_metastasis": False},
                    conditions=[Condition(code="other_malignancy", name="breast cancer", status="resolved",
                                          onset=date(2009, 5, 1), resolved_on=date(2010, 2, 1), cured=True)])
    assert evaluate_node(rule, PatientFacts(cured, date(2026, 6, 1))).status == "not_met"


def test_a_criterion_ending_with_or_is_for_review() -> None:
    # audit round 8 (2026-12-05): "Creatinine < 2 x ULN OR" of NCT03382886, its alternative lost with the record's
    # table; read alone it would turn away a patient whom the alternative admits
    from hcctrials.criteria import compile_criterion as _compile
    from hcctrials.model.eligibility import NeedsReview as _Review

    assert isinstance(_compile("Creatinine < 2 × ULN OR", role="inclusion"), _Review)
    assert not isinstance(_compile("Creatinine < 2 × ULN", role="inclusion"), _Review)


def test_an_ethnicity_is_not_dropped() -> None:
    # audit round 8: "Asian male or female, 18 years of age or older" read as age only admitted any ancestry
    from hcctrials.criteria import compile_criterion as _compile
    from hcctrials.model.eligibility import NeedsReview as _Review

    assert isinstance(_compile("Asian male or female, 18 years of age or older", role="inclusion"), _Review)


# Audit round 10 (tests/criteria/audit/audit_2026-12-05_round10.yaml): 96 faithful, 4 partly faithful, 0 wrong.
# Each partly faithful rule, the patient it got wrong, and the verdict the text gives.

def _round10_status(text: str, patient: object) -> str:
    from datetime import date

    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts

    rule = compile_criterion(text, role="exclusion")
    return evaluate_node(rule, PatientFacts(patient, date(2026, 6, 1))).status  # type: ignore[arg-type]


def test_round10_a_minor_operation_is_not_an_open_biopsy_unless_it_was_one() -> None:
    """#64 "Major surgery, open biopsy or significant traumatic injury within 4 weeks": "open biopsy" was read as any
    surgery, so a port placement 12 days ago excluded the patient.  Now a minor operation is unknown (it may have
    been an open biopsy), one named a biopsy excludes, a major one excludes."""
    from datetime import date

    from hcctrials.model.patient import Patient, TherapyLine

    text = "Major surgery, open biopsy or significant traumatic injury within 4 weeks prior to first study drug."

    def operated(regimen: str, major: bool | None) -> Patient:
        return Patient(patient_id="p", history_reviewed=True, treatments=[TherapyLine(
            kind="surgery", regimen=regimen, major_surgery=major, start=date(2026, 5, 20), end=date(2026, 5, 20))])

    assert _round10_status(text, operated("port placement", False)) == "unknown"
    assert _round10_status(text, operated("open liver biopsy", False)) == "met"
    assert _round10_status(text, operated("right hepatectomy", None)) == "met"


def test_round10_symptomatic_brain_metastases_do_not_exclude_an_asymptomatic_one() -> None:
    """#54 "Symptomatic brain metastases" was read as any active CNS metastasis: an untreated, asymptomatic brain
    metastasis excluded the patient.  The symptom part now stays for review (never decided "met" on activity alone)."""
    from hcctrials.model.patient import Patient, TumourBurden

    untreated = Patient(patient_id="p", tumour=TumourBurden(cns_metastasis=True, cns_metastasis_treated_stable=False))
    assert _round10_status("Symptomatic brain metastases", untreated) != "met"


def test_round10_uncontrolled_seizures_within_6_months_and_a_controlled_epilepsy() -> None:
    """#46 "History of uncontrolled seizures ... within the last 6 months" admitted a patient whose epilepsy is
    controlled now: it may have been uncontrolled 4 months ago.  Controlled now without a date is unknown."""
    from hcctrials.model.patient import Condition, Patient

    controlled = Patient(patient_id="p", history_reviewed=True,
                         conditions=[Condition(code="seizure_disorder", status="controlled")])
    assert _round10_status("History of uncontrolled seizures or encephalopathy within the last 6 months",
                           controlled) == "unknown"


def test_round10_targeting_drugs_include_every_targeted_class() -> None:
    """#96 "radiochemotherapy, local therapy, or targeting drugs within 4 weeks": targeted drugs were TKI or anti-VEGF
    only, so trametinib (a MEK inhibitor) 2 weeks ago was not caught; a drug the lexicon does not know is unknown."""
    from datetime import date

    from hcctrials.model.patient import Patient, TherapyLine

    text = "Receiving radiochemotherapy, local therapy, or targeting drugs within 4 weeks prior to this treatment;"

    def on(drug: str) -> Patient:
        return Patient(patient_id="p", history_reviewed=True, treatments=[TherapyLine(
            kind="systemic", regimen=drug, start=date(2026, 5, 10), end=date(2026, 5, 20))])

    assert _round10_status(text, on("trametinib")) == "met"
    assert _round10_status(text, on("everolimus")) == "unknown"
    assert _round10_status(text, on("atezolizumab")) == "not_met"


# Audit round 11 (tests/criteria/audit/audit_2026-12-05_round11.yaml): 97 faithful, 3 partly faithful, 0 wrong.

@pytest.mark.parametrize("text", [
    "Serious non-healing wound, ulcer, or bone fracture.",               # NCT01203787 exclusion 13 (#67)
    "Serious, non-healing wound, active ulcer, or untreated bone fracture",  # NCT05482516 exclusion 26 (#82)
])
def test_round11_an_active_peptic_ulcer_is_an_ulcer_of_the_wound_healing_list(text: str) -> None:
    """The bevacizumab wound-healing item: "ulcer" was part of the wound code only, so a patient with an active
    duodenal ulcer was not excluded.  An active ulcer of any site excludes; a healed one does not."""
    from hcctrials.model.patient import Condition, Patient

    def with_ulcer(status: str) -> Patient:
        return Patient(patient_id="p", history_reviewed=True,
                       conditions=[Condition(code="peptic_ulcer", name="duodenal ulcer", status=status)])  # type: ignore[arg-type]

    assert _round10_status(text, with_ulcer("active")) == "met"
    assert _round10_status(text, with_ulcer("resolved")) == "not_met"
