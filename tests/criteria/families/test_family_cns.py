"""CNS metastasis criteria with their qualifiers (``criteria/families/cns.py``, ``scan_cns_qualified``):
leptomeningeal disease, brain metastases that are symptomatic or untreated, CNS bleeds.

From ``tests/criteria/test_criteria_cardiac_cns_allergy.py`` (10 of its 22 tests; the others are in
``families/test_family_history.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_diagnosis_progression.py`` (1 of its 13 tests; the others are in
``families/test_family_advanced.py``, ``families/test_family_diagnosis.py``,
``families/test_family_metastasis.py``, ``families/test_family_progression.py``,
``families/test_family_staging.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_round3.py`` (2 of its 21 tests; the others are in
``families/test_family_history.py``, ``families/test_family_recovery.py``,
``families/test_family_therapy.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria.compiler.compile import compile_criterion, is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview
from hcctrials.model.patient import Condition, TumourBurden

from helpers_criteria import AS_OF, make_patient
from helpers_criteria import screening_verdict as _verdict


SCREENING = date(2026, 6, 1)


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


def test_cns_or_brain_is_one_site_left_to_the_cns_reading() -> None:
    # the qualifier after the noun ("symptomatic or untreated") must stay part of the rule
    rule = describe(compile_criterion("Known central nervous system (CNS) or brain metastasis that is either symptomatic "
                                      "or untreated", role="exclusion"))
    assert rule.startswith("tumour: cns_metastasis_active ")


def test_leptomeningeal_disease_alone_is_not_any_cns_metastasis() -> None:
    """Audit 2026-12-04 round 4: "History of leptomeningeal carcinomatosis" read as any CNS metastasis
    excluded a patient with parenchymal brain metastases only.  It is now its own history item
    (code leptomeningeal_disease): parenchymal metastases alone do not decide it."""
    rule = compile_criterion("History of leptomeningeal carcinomatosis", role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    brain_only = make_patient(tumour=TumourBurden(cns_metastasis=True),
                              conditions=[Condition(code="leptomeningeal_disease", status="absent")])
    assert evaluate_node(rule, PatientFacts(brain_only, AS_OF)).status == "not_met"
    not_asked = make_patient(tumour=TumourBurden(cns_metastasis=True), history_reviewed=False)
    assert evaluate_node(rule, PatientFacts(not_asked, AS_OF)).status == "unknown"
    lepto = make_patient(conditions=[Condition(code="leptomeningeal_disease", status="history")])
    assert evaluate_node(rule, PatientFacts(lepto, AS_OF)).status == "met"


@pytest.mark.parametrize("text", ["Known carcinomatous meningitis"])
def test_carcinomatous_meningitis_is_not_any_cns_metastasis(text: str) -> None:
    # "known": current or ever? stays in review, never read as brain metastases
    rule = compile_criterion(text, role="exclusion")
    assert isinstance(rule, NeedsReview) and "cns_metastasis" not in describe(rule)
