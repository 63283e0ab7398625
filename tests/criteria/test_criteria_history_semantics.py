"""History leaves follow "Unknown is a value": an unrecorded condition is unknown unless it is
recorded absent (``Condition.status == 'absent'``) or the history is marked reviewed
(``Patient.history_reviewed``).  Project rule: /work/helpers/CONVENTIONS.md ("Unknown is a
first-class value") and docs/criteria.md (History)."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, cond, make_patient
from hypothesis import given
from hypothesis import strategies as st

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import HistoryCondition
from hcctrials.model.patient import LiverFunction, Virology


def _eval(node, patient):  # type: ignore[no-untyped-def]
    return evaluate_node(node, PatientFacts(patient, AS_OF))


HE = HistoryCondition(codes=["hepatic_encephalopathy"], label="hepatic encephalopathy")
MI_6M = HistoryCondition(codes=["myocardial_infarction"], look_back_days=180, label="myocardial infarction")
AUTO_ACTIVE = HistoryCondition(codes=["autoimmune_disease"], status="active", label="autoimmune disease")
TRANSPLANT = HistoryCondition(codes=["organ_transplant", "allogeneic_stem_cell_transplant"], label="transplant")


def test_unrecorded_condition_is_unknown_naming_the_item() -> None:
    p = make_patient(history_reviewed=None, liver=LiverFunction(ascites="none"))
    v = _eval(HE, p)
    assert v.status == "unknown"
    assert v.missing == ("history of hepatic encephalopathy (or mark the history as reviewed)",)


def test_history_reviewed_makes_unrecorded_absent() -> None:
    p = make_patient(history_reviewed=True, liver=LiverFunction(ascites="none"))
    v = _eval(HE, p)
    assert v.status == "not_met"
    assert "history reviewed; not recorded" in v.reason


def test_history_reviewed_false_is_like_not_reviewed() -> None:
    assert _eval(MI_6M, make_patient(history_reviewed=False)).status == "unknown"


def test_negative_assertion_decides_absent_without_review() -> None:
    p = make_patient(history_reviewed=None, conditions=[cond("myocardial_infarction", status="absent")])
    v = _eval(MI_6M, p)
    assert v.status == "not_met"
    assert "recorded absent" in v.reason


def test_negative_assertion_must_cover_every_code() -> None:
    only_organ = make_patient(history_reviewed=None, conditions=[cond("organ_transplant", status="absent")])
    assert _eval(TRANSPLANT, only_organ).status == "unknown"
    both = make_patient(history_reviewed=None, conditions=[cond("organ_transplant", status="absent"),
                                                            cond("allogeneic_stem_cell_transplant", status="absent")])
    assert _eval(TRANSPLANT, both).status == "not_met"


def test_recorded_present_decides_even_if_not_reviewed() -> None:
    p = make_patient(history_reviewed=None, conditions=[cond("myocardial_infarction", onset=date(2026, 1, 5))])
    assert _eval(MI_6M, p).status == "met"


def test_old_event_does_not_rule_out_a_recent_one_unless_reviewed() -> None:
    old = [cond("myocardial_infarction", onset=date(2015, 1, 5))]
    assert _eval(MI_6M, make_patient(history_reviewed=None, conditions=old)).status == "unknown"
    assert _eval(MI_6M, make_patient(history_reviewed=True, conditions=old)).status == "not_met"


def test_recorded_status_answers_an_active_criterion() -> None:
    p = make_patient(history_reviewed=None, conditions=[cond("autoimmune_disease", status="controlled")])
    v = _eval(AUTO_ACTIVE, p)
    assert v.status == "not_met" and "controlled" in v.reason
    active = make_patient(history_reviewed=None, conditions=[cond("autoimmune_disease", status="active")])
    assert _eval(AUTO_ACTIVE, active).status == "met"


def test_dedicated_fields_are_negative_assertions() -> None:
    no_he = make_patient(history_reviewed=None,
                         liver=LiverFunction(ascites="none", encephalopathy="none", encephalopathy_history=False))
    assert _eval(HE, no_he).status == "not_met"
    he = make_patient(history_reviewed=None,
                      liver=LiverFunction(ascites="none", encephalopathy="none", encephalopathy_history=True))
    assert _eval(HE, he).status == "met"
    hiv = HistoryCondition(codes=["hiv"], label="HIV")
    assert _eval(hiv, make_patient(history_reviewed=None, virology=Virology(hiv_positive=False))).status == "not_met"
    assert _eval(hiv, make_patient(history_reviewed=None, virology=Virology(hiv_positive=True))).status == "met"
    assert _eval(hiv, make_patient(history_reviewed=None, virology=Virology())).status == "unknown"


@pytest.mark.parametrize("text", ["History of hepatic encephalopathy", "既往有肝性脑病病史"])
def test_compiled_exclusion_is_unknown_then_decided(text: str) -> None:
    """The compiled exclusion (EN and ZH) on both sides and in the unknown middle."""
    rule = compile_criterion(text, role="exclusion")
    unknown = make_patient(history_reviewed=None, liver=LiverFunction(ascites="none"))
    assert _eval(rule, unknown).status == "unknown"
    assert _eval(rule, make_patient(history_reviewed=True, liver=LiverFunction(ascites="none"))).status == "not_met"
    present = make_patient(history_reviewed=None, conditions=[cond("hepatic_encephalopathy", status="history")])
    assert _eval(rule, present).status == "met"


@given(st.sampled_from(["absent", "reviewed", "present", "none"]))
def test_adding_a_present_record_never_turns_met_into_not_met(kind: str) -> None:
    """Monotone in data: a recorded present condition always gives met, whatever else is known."""
    conds = [cond("myocardial_infarction", onset=date(2026, 2, 1))]
    if kind == "absent":
        conds.append(cond("myocardial_infarction", status="absent"))
    p = make_patient(history_reviewed=(kind == "reviewed") or None, conditions=conds)
    assert _eval(MI_6M, p).status == "met"
