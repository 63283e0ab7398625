"""Concomitant medications, trial participation and therapy intervals read as a whole (issue 10, session 6:
criteria/families/medication_readers.py, the Medication fields except_agents / dose_above_mg_per_day / min_days_on
and PriorTherapy.whichever_shorter).

Each test quotes a criterion from a real HCC record (trial id and criterion number), gives a patient, and says the
verdict a clinician reads from the text, and why.  Screening date: 2026-06-01 (tests/criteria/helpers_criteria.py)."""

from __future__ import annotations

from typing import Any

import pytest

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.compiler.describe_i18n import describe_for_reader
from hcctrials.model.eligibility import Medication, PriorTherapy, node_adapter
from tests.criteria.helpers_criteria import exact_rule, review_check_for, screening_verdict, status_for

status = status_for("exclusion")
needs_review = review_check_for("exclusion")


def _med(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, **kw}


def _inv(**kw: Any) -> dict[str, Any]:
    return {"kind": "systemic", "agents": ["ABC-123"], "investigational": True, **kw}


# ------------------------------------------------------------------ trial participation

CONCURRENT_TRIAL = "Concurrent participation in another clinical trial involving experimental treatment;"  # NCT00122876 exc-9
CURRENT_ENROLMENT = "Current enrolment in any other investigational drug or device study."  # NCT00712790 exc-23
TRIAL_4_WEEKS = ("Participation in a clinical trial of an investigational device or drug within 4 weeks of study "
                 "entry.")  # NCT02460991 exc-18
TRIAL_3_MONTHS = ("Concomitant therapy with other investigational agents or participation in another clinical trial "
                  "within 3 months of signature of ICF")  # NCT02210182 exc-9
NOT_30_DAYS = ("Subject is currently enrolled in or has not yet completed at least 30 days since ending other "
               "investigational device or drug study(s) or subject is receiving other investigational "
               "agents.")  # NCT01258608 exc-21
SYSTEMIC_INVESTIGATIONAL = "Prior use of systemic investigational agents for HCC"  # NCT01335074 exc-2


NO_CONCURRENT_TRIALS = "No participation in concurrent clinical trials"  # NCT01887717 exc-18 (an exclusion worded "No")
NO_EXPERIMENTAL_28 = "No use of any other experimental drug or therapy within 28 days of baseline"  # NCT01348503 exc-5


@pytest.mark.parametrize("text", [CONCURRENT_TRIAL, CURRENT_ENROLMENT, NO_CONCURRENT_TRIALS])
def test_a_current_trial_is_an_investigational_line_taken_now(text: str) -> None:
    # on a trial drug now: excluded; a trial drug that ended in December is not concurrent
    assert status(text, {"treatments": [_inv(start="2026-04-01", ongoing=True)]}) == "met"
    assert status(text, {"treatments": [_inv(start="2025-06-01", end="2025-12-01")]}) == "not_met"
    # approved lenvatinib taken now, outside any study
    assert status(text, {"history_reviewed": True, "treatments": [
        {"kind": "systemic", "agents": ["lenvatinib"], "investigational": False, "start": "2026-02-01",
         "ongoing": True}]}) == "not_met"
    # tislelizumab taken now, whether within a study not recorded
    assert status(text, {"treatments": [{"kind": "systemic", "agents": ["tislelizumab"], "start": "2026-04-01",
                                         "ongoing": True}]}) == "unknown"


def test_an_investigational_device_counts_for_a_device_study() -> None:
    device = {"kind": "other", "regimen": "investigational hepatic arterial infusion device", "investigational": True,
              "start": "2026-05-01", "ongoing": True}
    assert status(CURRENT_ENROLMENT, {"treatments": [device]}) == "met"


@pytest.mark.parametrize("text, inside, outside", [
    (TRIAL_4_WEEKS, "2026-05-20", "2026-03-01"),      # 12 days / 3 months before entry
    (TRIAL_3_MONTHS, "2026-04-01", "2025-12-01"),     # 2 months / 6 months before the ICF
    (NOT_30_DAYS, "2026-05-12", "2026-04-01"),        # 20 days / 61 days since the trial drug ended
    (NO_EXPERIMENTAL_28, "2026-05-10", "2026-04-20"),  # 22 days / 42 days before baseline
])
def test_a_trial_within_the_window(text: str, inside: str, outside: str) -> None:
    assert status(text, {"treatments": [_inv(start="2025-06-01", end=inside)]}) == "met"
    assert status(text, {"treatments": [_inv(start="2025-06-01", end=outside)]}) == "not_met"
    assert status(text, {}) == "unknown"  # no treatment history recorded


def test_thirty_days_completed_is_the_boundary() -> None:
    # "has not yet completed at least 30 days since ending": 30 days completed (2026-05-02) is eligible, 29 is not
    assert status(NOT_30_DAYS, {"treatments": [_inv(start="2026-01-01", end="2026-05-02")]}) == "not_met"
    assert status(NOT_30_DAYS, {"treatments": [_inv(start="2026-01-01", end="2026-05-03")]}) == "met"


def test_systemic_investigational_agents_only() -> None:
    assert status(SYSTEMIC_INVESTIGATIONAL, {"treatments": [_inv(start="2024-03-01", end="2024-09-01")]}) == "met"
    # an investigational local treatment is not a systemic agent: the qualifier is kept
    beads = {"kind": "locoregional", "agents": ["tace"], "regimen": "TACE with investigational beads",
             "investigational": True, "start": "2025-05-01", "end": "2025-05-01"}
    assert status(SYSTEMIC_INVESTIGATIONAL, {"treatments": [beads]}) == "not_met"
    rule = exact_rule(SYSTEMIC_INVESTIGATIONAL, "exclusion")
    assert isinstance(rule, PriorTherapy) and rule.kinds == ["systemic"] and rule.investigational is True


# ------------------------------------------------------------------ the shorter of N days and k half-lives

INVESTIGATIONAL_SHORTER = ("Receiving any other investigational agents within 21 days or 5 half-lives (whichever is "
                           "shorter) prior to the first dose of study drug.")  # NCT03511222 exc-2
ANTICANCER_SHORTER = "Prior anti-cancer therapy given within 21 days or 5 half-lives (whichever is shorter)"  # NCT03511222 exc-20


def test_whichever_is_shorter_takes_the_shorter_window() -> None:
    # stopped 7 days ago: 5 half-lives of 3 days (15 d) still run; of 1 day (5 d) have passed
    assert status(INVESTIGATIONAL_SHORTER, {"treatments": [_inv(start="2026-03-01", end="2026-05-25",
                                                                half_life_days=3)]}) == "met"
    assert status(INVESTIGATIONAL_SHORTER, {"treatments": [_inv(start="2026-03-01", end="2026-05-25",
                                                                half_life_days=1)]}) == "not_met"
    # beyond 21 days nothing is left to know; within them the half-life decides
    assert status(INVESTIGATIONAL_SHORTER, {"treatments": [_inv(start="2026-01-01", end="2026-04-20")]}) == "not_met"
    assert status(INVESTIGATIONAL_SHORTER, {"treatments": [_inv(start="2026-03-01", end="2026-05-25")]}) == "unknown"
    # a long half-life does not lengthen the window past 21 days (that would be "whichever is longer")
    assert status(INVESTIGATIONAL_SHORTER, {"treatments": [_inv(start="2026-01-01", end="2026-05-01",
                                                                half_life_days=20)]}) == "not_met"


def test_any_anticancer_therapy_with_the_shorter_window() -> None:
    sorafenib = {"kind": "systemic", "agents": ["sorafenib"], "start": "2025-11-01", "half_life_days": 1.5}
    assert status(ANTICANCER_SHORTER, {"treatments": [{**sorafenib, "end": "2026-05-28"}]}) == "met"  # 4 d < 7.5 d
    assert status(ANTICANCER_SHORTER, {"treatments": [{**sorafenib, "end": "2026-05-20"}]}) == "not_met"  # 12 d
    # a TACE 10 days ago has no half-life: the shorter window cannot be told
    tace = {"kind": "locoregional", "agents": ["tace"], "start": "2026-05-22", "end": "2026-05-22"}
    assert status(ANTICANCER_SHORTER, {"treatments": [tace]}) == "unknown"


def test_whichever_is_longer_is_not_read_as_shorter() -> None:
    longer = INVESTIGATIONAL_SHORTER.replace("shorter", "longer")
    rule = compile_criterion(longer, role="exclusion")
    assert isinstance(rule, PriorTherapy) and rule.whichever_longer and not rule.whichever_shorter


# ------------------------------------------------------------------ steroids and immunosuppressants

KEYNOTE_IMMUNO = ("Has a diagnosis of immunodeficiency or is receiving systemic steroid therapy or any other form of "
                  "immunosuppressive therapy within 7 days prior to the first dose of study drug.")  # NCT02702401 exc-11
CONDITION_STEROIDS = ("Medical condition that requires chronic systemic steroid therapy, or any other form of "
                      "immunosuppressive medication.")  # NCT03382886 exc-8


def test_keynote_immunodeficiency_or_immunosuppression_within_7_days() -> None:
    assert status(KEYNOTE_IMMUNO, {"concomitant_medications": [
        _med("prednisone", route="oral", start="2025-10-01", ongoing=True)]}) == "met"
    # inhaled budesonide is not systemic; dexamethasone stopped 12 days ago is outside the 7 days
    assert status(KEYNOTE_IMMUNO, {"history_reviewed": True, "concomitant_medications": [
        _med("budesonide", route="inhaled", start="2025-01-01", ongoing=True)]}) == "not_met"
    assert status(KEYNOTE_IMMUNO, {"history_reviewed": True, "concomitant_medications": [
        _med("dexamethasone", route="oral", start="2026-05-10", stop="2026-05-20")]}) == "not_met"
    assert status(KEYNOTE_IMMUNO, {"history_reviewed": True, "concomitant_medications": [
        _med("mycophenolate", start="2024-01-01", stop="2026-05-28")]}) == "met"  # stopped 4 days ago
    assert status(KEYNOTE_IMMUNO, {"conditions": [{"code": "immunodeficiency", "status": "active"}]}) == "met"
    assert status(KEYNOTE_IMMUNO, {}) == "unknown"


def test_condition_requiring_chronic_systemic_steroids_or_immunosuppression() -> None:
    assert status(CONDITION_STEROIDS, {"concomitant_medications": [
        _med("prednisone", route="oral", start="2025-01-15", ongoing=True)]}) == "met"
    assert status(CONDITION_STEROIDS, {"concomitant_medications": [
        _med("tacrolimus", start="2023-04-01", ongoing=True)]}) == "met"
    # a 30-day prednisone course: chronic (>= 90 d)? in between: unknown, never excluded on a guess
    assert status(CONDITION_STEROIDS, {"history_reviewed": True, "concomitant_medications": [
        _med("prednisone", route="oral", start="2026-05-02", ongoing=True)]}) == "unknown"
    assert status(CONDITION_STEROIDS, {"history_reviewed": True, "concomitant_medications": [
        _med("entecavir", start="2024-01-01", ongoing=True)]}) == "not_met"


def test_steroids_without_systemic_stay_for_review() -> None:
    # "Chronic treatment with steroids or another immunosuppressive agents" (NCT01335074 exc-4): topical or inhaled
    # steroids would count in one reading and not in the other (audit of 2026-12-04)
    assert needs_review("Chronic treatment with steroids or another immunosuppressive agents")


# ------------------------------------------------------------------ anticoagulants, NSAIDs, antiplatelets

ANTICOAG_LOW_DOSE = ("No requirement for anticoagulant therapy except for low-dose anticoagulants for maintenance of "
                     "patency of central venous access or prevention of deep vein thrombosis")  # NCT01005199 inc-22
REACH2_NSAIDS = ("Chronic therapy with nonsteroidal anti-inflammatory agents or other anti-platelet agents. Aspirin at "
                 "doses up to 100 milligrams/day is permitted.")  # NCT02435433 exc-24


def test_anticoagulation_except_the_low_dose_uses() -> None:
    def inc(patient: dict[str, Any]) -> str:
        return status(ANTICOAG_LOW_DOSE, patient, role="inclusion")
    assert inc({"concomitant_medications": [_med("warfarin", intent="therapeutic", start="2025-03-01",
                                                 ongoing=True)]}) == "not_met"
    assert inc({"concomitant_medications": [_med("enoxaparin", intent="prophylactic", start="2026-05-20",
                                                 ongoing=True)]}) == "met"
    assert inc({"concomitant_medications": [_med("rivaroxaban", start="2026-01-01", ongoing=True)]}) == "unknown"
    assert inc({"history_reviewed": True}) == "met"


def test_reach2_nsaids_and_antiplatelets_with_the_aspirin_allowance() -> None:
    def pt(*meds: dict[str, Any]) -> dict[str, Any]:
        return {"history_reviewed": True, "concomitant_medications": list(meds)}
    assert status(REACH2_NSAIDS, pt(_med("aspirin", dose_mg_per_day=100, start="2024-01-01", ongoing=True))) == "not_met"
    assert status(REACH2_NSAIDS, pt(_med("aspirin", dose_mg_per_day=300, start="2024-01-01", ongoing=True))) == "met"
    assert status(REACH2_NSAIDS, pt(_med("aspirin", start="2024-01-01", ongoing=True))) == "unknown"  # dose?
    assert status(REACH2_NSAIDS, pt(_med("clopidogrel", start="2023-05-01", ongoing=True))) == "met"
    assert status(REACH2_NSAIDS, pt(_med("celecoxib", start="2025-01-01", ongoing=True))) == "met"
    # a 6-day ibuprofen course is not chronic therapy
    assert status(REACH2_NSAIDS, pt(_med("ibuprofen", start="2026-05-26", ongoing=True))) == "not_met"
    # metamizole is an NSAID in some tables, not in others
    assert status(REACH2_NSAIDS, pt(_med("metamizole", start="2025-01-01", ongoing=True))) == "unknown"


# ------------------------------------------------------------------ CYP3A4 inducers with a bullet list

CYP_INDUCERS = ("No concurrent strong CYP3A4 inducers*, including any of the following:\n  - Carbamazepine\n  - "
                "Continuous dexamethasone (> 2 mg/day for > 7 days)\n  - Phenobarbital\n  - Phenytoin\n  - Rifampicin\n"
                "  - St. John's wort NOTE: *Concurrent antacids allowed provided they are administered > 1 hour before or"
                " > 1 hour after trial drug administration.")  # NCT01005199 inc-44


@pytest.mark.parametrize("med, expected, why", [
    (_med("carbamazepine", start="2022-01-01", ongoing=True), "not_met", "listed inducer taken now"),
    (_med("phenobarbital", start="2020-01-01", ongoing=True), "not_met", "listed by the trial, so it counts"),
    (_med("enzalutamide", start="2025-01-01", ongoing=True), "not_met", "a strong inducer the list does not name"),
    (_med("dexamethasone", dose_mg_per_day=4, start="2026-05-20", ongoing=True), "not_met", "4 mg/day for 12 days"),
    (_med("dexamethasone", dose_mg_per_day=4, start="2026-05-29", ongoing=True), "met", "only 3 days so far"),
    (_med("dexamethasone", dose_mg_per_day=1.5, start="2026-01-01", ongoing=True), "met", "not above 2 mg/day"),
    (_med("dexamethasone", start="2026-01-01", ongoing=True), "unknown", "dose not recorded"),
    (_med("dexamethasone", dose_mg_per_day=4, ongoing=True), "unknown", "start date not recorded"),
    (_med("omeprazole", start="2025-01-01", ongoing=True), "met", "no inducer; the antacid note is about timing"),
])
def test_strong_cyp3a4_inducers_listed_with_a_dexamethasone_threshold(med: dict[str, Any], expected: str,
                                                                      why: str) -> None:
    patient = {"history_reviewed": True, "concomitant_medications": [med]}
    assert status(CYP_INDUCERS, patient, role="inclusion") == expected, why


UNABLE_TO_STOP = ("Using and unable to discontinue use of concomitant strong CYP3A4 inducers (e.g., including but not "
                  "limited to St. John's Wort, dexamethasone, phenytoin, carbamazepine, rifampin, rifabutin, "
                  "phenobarbital)")  # NCT01258608 exc-18


@pytest.mark.parametrize("med, expected, why", [
    (_med("rifampicin", start="2026-05-01", ongoing=True, can_stop=False), "met", "cannot be stopped"),
    (_med("rifabutin", start="2026-05-01", ongoing=True, can_stop=False), "met", "named by the trial among the inducers"),
    (_med("phenytoin", start="2020-01-01", ongoing=True, can_stop=True), "not_met", "can be switched before the trial"),
    (_med("carbamazepine", start="2020-01-01", ongoing=True), "unknown", "whether it can be stopped is not recorded"),
    (_med("carbamazepine", start="2020-01-01", stop="2026-04-01"), "not_met", "no longer used"),
    (_med("entecavir", start="2020-01-01", ongoing=True), "not_met", "not an inducer"),
])
def test_an_inducer_that_cannot_be_stopped(med: dict[str, Any], expected: str, why: str) -> None:
    assert status(UNABLE_TO_STOP, {"history_reviewed": True, "concomitant_medications": [med]}) == expected, why
    assert "无法停用" in describe_for_reader(exact_rule(UNABLE_TO_STOP, "exclusion"), "zh")


def test_a_list_item_the_vocabulary_does_not_read_leaves_the_criterion_for_review() -> None:
    text = CYP_INDUCERS.replace("Phenytoin", "Modafinol")
    assert needs_review(text, role="inclusion")


def test_strong_inhibitors_or_unqualified_inducers_stay_for_review() -> None:
    # "strong Cyp3A4 inhibitors or Cyp3A4/5 inducers" (NCT01335074 exc-8): does "strong" qualify the inducers too?
    assert needs_review("Comedication with known strong Cyp3A4 inhibitors or Cyp3A4/5 inducers")


# ------------------------------------------------------------------ other exposures

@pytest.mark.parametrize("text, inside, outside", [
    # NCT02210182 exc-10: stopped 4 months / 8 months ago
    ("Previous use of pentamidine with treatment discontinuation of less than 6 months prior to signature of ICF",
     _med("pentamidine", start="2025-12-01", stop="2026-02-01"), _med("pentamidine", start="2025-08-01", stop="2025-10-01")),
    # NCT02029157 exc-11
    ("Blood or albumin transfusion within ≤14 days prior to the screening test",
     _med("packed red blood cells", start="2026-05-25", stop="2026-05-25"),
     _med("red cell transfusion", start="2026-04-01", stop="2026-04-01")),
    ("Blood or albumin transfusion within ≤14 days prior to the screening test",
     _med("human albumin", start="2026-05-28", stop="2026-05-28"), _med("albumin", start="2026-05-01", stop="2026-05-01")),
    # NCT02716012 exc-7
    ("Patients administered with serum albumin within the last 7 days prior to the first study drug administration",
     _med("albumin 20%", start="2026-05-29", stop="2026-05-30"), _med("human albumin", start="2026-05-08",
                                                                      stop="2026-05-10")),
])
def test_exposures_within_a_window(text: str, inside: dict[str, Any], outside: dict[str, Any]) -> None:
    assert status(text, {"concomitant_medications": [inside]}) == "met"
    assert status(text, {"history_reviewed": True, "concomitant_medications": [outside]}) == "not_met"
    assert status(text, {}) == "unknown"


def test_a_platelet_transfusion_may_or_may_not_be_the_blood_transfusion_meant() -> None:
    text = "Blood or albumin transfusion within ≤14 days prior to the screening test"
    assert status(text, {"concomitant_medications": [
        _med("platelet transfusion", start="2026-05-28", stop="2026-05-28")]}) == "unknown"


def test_albumin_without_a_window_anchor_is_not_read() -> None:
    assert needs_review("Patients administered with serum albumin recently")


# ------------------------------------------------------------------ live vaccines, psychotropics

KEYNOTE_LIVE_VACCINE = (
    "Has received a live vaccine within 30 days prior to the first dose of study drug. Examples of live vaccines "
    "include, but are not limited to, the following: measles, mumps, rubella, varicella/zoster (chicken pox), yellow "
    "fever, rabies, Bacillus Calmette-Guérin (BCG), and typhoid vaccine. Seasonal influenza vaccines for injection are "
    "generally killed virus vaccines and are allowed; however, intranasal influenza vaccines (e.g. FluMist) are live "
    "attenuated vaccines and are not allowed.")  # NCT03511222 exc-17


def test_live_vaccine_with_examples_is_the_live_vaccine_window() -> None:
    recent = {"conditions": [{"code": "live_vaccine", "name": "yellow fever vaccination", "onset": "2026-05-15"}]}
    old = {"history_reviewed": True,
           "conditions": [{"code": "live_vaccine", "name": "varicella vaccination", "onset": "2026-02-01"}]}
    assert status(KEYNOTE_LIVE_VACCINE, recent) == "met"
    assert status(KEYNOTE_LIVE_VACCINE, old) == "not_met"
    assert status(KEYNOTE_LIVE_VACCINE, {}) == "unknown"
    # the same rule as the first sentence alone (criteria/families/history.py)
    first = KEYNOTE_LIVE_VACCINE.split(". Examples")[0] + "."
    assert describe(compile_criterion(first, role="exclusion")) == describe(compile_criterion(KEYNOTE_LIVE_VACCINE,
                                                                                              role="exclusion"))


def test_antidepressants_or_psychostimulants_taken_now() -> None:
    text = "No other concurrent antidepressant medications or psychostimulants"  # NCT00387348 inc-18
    assert status(text, {"concomitant_medications": [_med("sertraline", start="2025-06-01", ongoing=True)]},
                  role="inclusion") == "not_met"
    assert status(text, {"concomitant_medications": [_med("methylphenidate", start="2026-03-01", ongoing=True)]},
                  role="inclusion") == "not_met"
    assert status(text, {"history_reviewed": True, "concomitant_medications": [
        _med("sertraline", start="2024-01-01", stop="2025-01-01")]}, role="inclusion") == "met"
    assert status(text, {"history_reviewed": True, "concomitant_medications": [
        _med("modafinil", start="2025-01-01", ongoing=True)]}, role="inclusion") == "unknown"


# ------------------------------------------------------------------ prior therapy

def test_no_concurrent_anticancer_drugs_with_examples_means_any_systemic_drug() -> None:
    text = ("No concurrent anticancer drugs (e.g., bevacizumab, and any drugs that target VEGF or VEGF "
            "receptors)")  # NCT01009801 inc-46
    assert status(text, {"treatments": [{"kind": "systemic", "agents": ["sorafenib"], "start": "2026-02-01",
                                         "ongoing": True}]}, role="inclusion") == "not_met"
    assert status(text, {"treatments": [{"kind": "systemic", "agents": ["sorafenib"], "start": "2025-10-01",
                                         "end": "2026-04-01"}]}, role="inclusion") == "met"


def test_four_weeks_since_any_prior_treatment_after_a_permission() -> None:
    text = ("Prior chemotherapy, transarterial chemoembolization and radiofrequency ablation are permitted. A minimum of "
            "four weeks must have elapsed between prior treatment and planned protocol therapy.")  # NCT00426829 inc-3
    def tace(day: str) -> dict[str, Any]:
        return {"treatments": [{"kind": "locoregional", "agents": ["tace"], "start": day, "end": day}]}
    assert status(text, tace("2026-05-15"), role="inclusion") == "not_met"   # 17 days
    assert status(text, tace("2026-05-05"), role="inclusion") == "not_met"   # 27 days
    assert status(text, tace("2026-05-04"), role="inclusion") == "met"       # 28 days: four weeks elapsed
    assert status(text, {}, role="inclusion") == "unknown"


def test_prior_systemic_therapy_allowed_but_two_drugs_not() -> None:
    text = ("Prior systemic chemotherapy, immunotherapy, or biological therapy is allowed; however prior use of either "
            "pazopanib or ixabepilone alone or in combination is not allowed.")  # NCT01012362 inc-3
    def drug(name: str) -> dict[str, Any]:
        return {"treatments": [{"kind": "systemic", "agents": [name], "start": "2025-01-01", "end": "2025-06-01"}]}
    assert status(text, drug("pazopanib"), role="inclusion") == "not_met"
    assert status(text, drug("ixabepilone"), role="inclusion") == "not_met"
    assert status(text, drug("sorafenib"), role="inclusion") == "met"


ELAPSED_LIST = ("At least 14 days must have elapsed since 1) previous systemic therapy (28 days for bevacizumab) before the "
                "1st dose of study drug, 2) last dose of radiation therapy or surgery (28 days for major surgery).")  # NCT01012362 inc-4


@pytest.mark.parametrize("line, expected, why", [
    ({"kind": "systemic", "agents": ["sorafenib"], "start": "2026-01-01", "end": "2026-05-22"}, "not_met",
     "sorafenib stopped 10 days ago, less than 14"),
    ({"kind": "systemic", "agents": ["sorafenib"], "start": "2026-01-01", "end": "2026-05-15"}, "met",
     "sorafenib stopped 17 days ago: 14 days have elapsed"),
    ({"kind": "systemic", "agents": ["bevacizumab"], "start": "2026-01-01", "end": "2026-05-11"}, "not_met",
     "bevacizumab 21 days ago: its own interval is 28 days"),
    ({"kind": "radiotherapy", "regimen": "palliative radiotherapy to a rib", "start": "2026-05-15", "end": "2026-05-25"},
     "not_met", "radiotherapy ended 7 days ago"),
    ({"kind": "surgery", "regimen": "port placement", "major_surgery": False, "start": "2026-05-10", "end": "2026-05-10"},
     "met", "minor surgery 22 days ago: 14 days have elapsed"),
    ({"kind": "surgery", "agents": ["hepatectomy"], "start": "2026-05-10", "end": "2026-05-10"}, "not_met",
     "a liver resection 22 days ago: major surgery needs 28 days"),
])
def test_intervals_since_systemic_therapy_radiotherapy_and_surgery(line: dict[str, Any], expected: str, why: str) -> None:
    assert status(ELAPSED_LIST, {"history_reviewed": True, "treatments": [line]}, role="inclusion") == expected, why


def test_anti_igf1r_class() -> None:
    text = "Prior exposure to an anti-IGF-1R class compound"  # NCT00791544 exc-5
    def drug(name: str) -> dict[str, Any]:
        return {"treatments": [{"kind": "systemic", "agents": [name], "start": "2024-01-01", "end": "2024-06-01"}]}
    assert status(text, drug("cixutumumab")) == "met"
    assert status(text, drug("sorafenib")) == "not_met"
    assert status(text, drug("IMC-A12")) == "unknown"  # a code name the rule does not know: could be one


# ------------------------------------------------------------------ the leaves, their notation and round trip

def test_new_medication_fields_round_trip_and_render_in_both_languages() -> None:
    rule = exact_rule(REACH2_NSAIDS, "exclusion")
    assert node_adapter.validate_json(node_adapter.dump_json(rule)) == rule
    assert "except aspirin" in describe(rule) and "> 100 mg/day" in describe(rule)
    zh = describe_for_reader(rule, "zh")
    assert "阿司匹林除外" in zh and "非甾体抗炎药" in zh and "> 100 mg/天" in zh
    dex = exact_rule(CYP_INDUCERS, "inclusion")
    assert "for > 7 d" in describe(dex) and "连续 > 7 天" in describe_for_reader(dex, "zh")
    shorter = exact_rule(INVESTIGATIONAL_SHORTER, "exclusion")
    assert "whichever is shorter" in describe(shorter) and "以较短者为准" in describe_for_reader(shorter, "zh")


def test_reasons_name_the_missing_dose() -> None:
    _status, reason = screening_verdict(REACH2_NSAIDS, {"concomitant_medications": [
        _med("aspirin", start="2024-01-01", ongoing=True)]})
    assert "daily dose of aspirin" in reason


def test_medication_leaf_defaults_are_unchanged() -> None:
    leaf = Medication(classes=["anticoagulant"])
    assert leaf.except_agents == [] and leaf.dose_above_mg_per_day is None and leaf.min_days_on is None
    assert PriorTherapy().whichever_shorter is False


def test_a_monitoring_note_excludes_no_one() -> None:
    # NCT03253289 exc-3: the patients "are not excluded": a note in the exclusion list, administrative (permissive)
    text = ("Patients taking medications with a narrow therapeutic index including warfarin, digoxin, phenobarbital, "
            "carbamazepine, and cyclosporine are not excluded but should be monitored carefully.")
    from hcctrials.model.eligibility import Administrative

    rule = compile_criterion(text, role="exclusion")
    assert isinstance(rule, Administrative) and rule.category == "permissive"
    # without "not excluded" it is a real exclusion the reader does not take
    assert needs_review(text.replace("are not excluded but should be monitored carefully", "are excluded"))


LIVER_LOCAL = ("Has received locoregional therapy to liver (transcatheter chemoembolization [TACE], transcatheter embolization "
               "[TAE], hepatic arterial infusion [HAI], radiation, radioembolization, or ablation) within 4 weeks prior to "
               "the first dose of study drug.")  # NCT02702401 exc-12


@pytest.mark.parametrize("line, expected, why", [
    ({"kind": "locoregional", "agents": ["tace"], "start": "2026-05-20", "end": "2026-05-20"}, "met", "TACE 12 days ago"),
    ({"kind": "radiotherapy", "regimen": "SBRT", "site": "liver", "start": "2026-05-20", "end": "2026-05-25"}, "met",
     "liver SBRT ended a week ago"),
    ({"kind": "radiotherapy", "regimen": "SBRT to a rib metastasis", "site": "bone", "start": "2026-05-20",
      "end": "2026-05-25"}, "not_met", "radiotherapy of a bone metastasis is not therapy to the liver"),
    ({"kind": "locoregional", "agents": ["tace"], "start": "2026-04-01", "end": "2026-04-01"}, "not_met",
     "TACE two months ago, outside 4 weeks"),
])
def test_locoregional_therapy_to_the_liver_with_its_modalities_listed(line: dict[str, Any], expected: str,
                                                                      why: str) -> None:
    assert status(LIVER_LOCAL, {"history_reviewed": True, "treatments": [line]}) == expected, why
    short = "Has received locoregional therapy to liver within 4 weeks prior to the first dose of study drug."
    assert describe(exact_rule(LIVER_LOCAL, "exclusion")) == describe(exact_rule(short, "exclusion"))
