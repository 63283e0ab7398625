"""History leaves in evaluation (``criteria/evaluation/leaves_history.py``, patient facts): unrecorded,
absent, reviewed and reviewed-on-a-date history items.

From ``tests/criteria/test_criteria_history_reviewed_on.py`` (the whole file); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_history_semantics.py`` (the whole file); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, strategies as st

from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import HistoryCondition
from hcctrials.model.patient import LiverFunction, Patient, Virology

from helpers_criteria import AS_OF, cond, make_patient


SCREENING = date(2026, 6, 1)
HE_6_MONTHS = "Hepatic encephalopathy within the last 6 months"


def _verdict(conditions: list[dict[str, Any]], text: str = HE_6_MONTHS) -> tuple[str, str]:
    """Status and reason, with what is missing appended to the reason."""
    rule = compile_criterion(text, role="exclusion")
    patient = Patient.model_validate({"patient_id": "p1", "conditions": conditions})
    v = evaluate_node(rule, PatientFacts(patient, SCREENING))
    return v.status, " | ".join((v.reason, *v.missing))


OLD_EPISODE = {"code": "hepatic_encephalopathy", "status": "resolved", "onset": "2024-01-05",
               "resolved_on": "2024-02-01"}


def test_an_old_episode_alone_leaves_a_recent_one_possible() -> None:
    status, reason = _verdict([OLD_EPISODE])
    assert status == "unknown"
    assert "not marked as reviewed" in reason


def test_an_old_episode_with_the_history_reviewed_at_screening_does_not_exclude() -> None:
    status, reason = _verdict([{**OLD_EPISODE, "reviewed_on": "2026-05-20"}])
    assert status == "not_met"  # the exclusion does not apply: the patient may join
    assert "reviewed complete 2026-05-20" in reason
    assert "hepatic_encephalopathy" not in reason  # clinical words, not internal codes


def test_a_review_long_before_screening_does_not_cover_the_months_since() -> None:
    status, reason = _verdict([{**OLD_EPISODE, "reviewed_on": "2026-01-20"}])
    assert status == "unknown"
    assert "more than 28 days before screening" in reason


def test_a_review_dated_after_screening_is_not_used() -> None:
    status, reason = _verdict([{**OLD_EPISODE, "reviewed_on": "2026-06-15"}])
    assert status == "unknown"
    assert "after the screening date" in reason


def test_a_recent_episode_excludes_whatever_the_review_says() -> None:
    recent = {"code": "hepatic_encephalopathy", "status": "resolved", "onset": "2026-03-01",
              "resolved_on": "2026-03-10", "reviewed_on": "2026-05-20"}
    status, _ = _verdict([recent])
    assert status == "met"  # the exclusion applies


def test_a_review_of_another_item_does_not_settle_this_one() -> None:
    other = {"code": "gi_bleeding", "status": "absent", "reviewed_on": "2026-05-20"}
    status, _ = _verdict([OLD_EPISODE, other])
    assert status == "unknown"


def test_an_episode_without_dates_stays_unknown_even_when_reviewed() -> None:
    undated = {k: v for k, v in OLD_EPISODE.items() if k not in ("onset", "resolved_on")}
    status, reason = _verdict([{**undated, "reviewed_on": "2026-05-20"}])
    assert status == "unknown"
    assert "date of" in reason


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
