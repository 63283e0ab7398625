"""Heart failure by NYHA class and urine protein (``criteria/families/organs.py``: ``scan_nyha``,
``scan_urine_protein``).

From ``tests/criteria/test_criteria_history_cardiac_varices.py`` (2 of its 11 tests; the others are in
``families/test_family_history.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_malignancy_organs.py`` (3 of its 8 tests; the others are in
``families/test_family_lablists.py``, ``families/test_family_labs.py``,
``families/test_family_malignancy.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_round4_history_therapy.py`` (1 of its 47 tests; the others are in
``families/test_family_history.py``, ``families/test_family_malignancy.py``,
``families/test_family_recovery.py``, ``families/test_family_therapy.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe, is_fully_compiled
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Condition, LabResult

from helpers_criteria import AS_OF, make_patient
from helpers_criteria import exact_rule as _exact_rule, compiled_status as _exact_status
from helpers_criteria import status_for


SCREENING = date(2026, 6, 1)


status = status_for("exclusion")


def cond(code: str, **kw: Any) -> dict[str, Any]:
    return {"code": code, **kw}


def test_class_iii_or_iv_chf_as_defined_by_the_nyha() -> None:
    text = "Class III or IV congestive heart failure, as defined by the New York Heart Association (NYHA)"
    assert describe(compile_criterion(text, role="exclusion")) == "heart failure NYHA class ≥ 3 (symptomatic)"
    assert status(text, {"conditions": [cond("heart_failure", nyha_class=3)]}) == "met"
    assert status(text, {"conditions": [cond("heart_failure", nyha_class=2)]}) == "not_met"


PRE_EXISTING_HF = ("Pre-existing heart failure with either a clinical classification of New York Heart Association Class III or IV "
                   "or cardiac ejection fraction of <45%.")


@pytest.mark.parametrize("patient, expected, why", [
    ({"conditions": [cond("heart_failure", nyha_class=4, status="active")]}, "met", "NYHA IV"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")],
      "labs": [{"analyte": "lvef", "value": 38, "unit": "%", "date": "2026-05-20"}]}, "met", "ejection fraction 38% < 45%"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")],
      "labs": [{"analyte": "lvef", "value": 55, "unit": "%", "date": "2026-05-20"}]}, "not_met", "NYHA II, EF 55%"),
    ({"conditions": [cond("heart_failure", nyha_class=2, status="active")]}, "unknown", "NYHA II, EF not measured"),
])
def test_pre_existing_heart_failure_nyha_or_ejection_fraction(patient: dict[str, Any], expected: str, why: str) -> None:
    assert describe(compile_criterion(PRE_EXISTING_HF, role="exclusion")) == \
        "any of (heart failure NYHA class ≥ 3 (symptomatic); LVEF < 45 %)"
    assert status(PRE_EXISTING_HF, patient) == expected, why


def _status(text: str, role: str, patient) -> str:  # type: ignore[no-untyped-def]
    return evaluate_node(compile_criterion(text, role=role), PatientFacts(patient, AS_OF)).status


def _leaf(node, kind):  # type: ignore[no-untyped-def]
    return next(n for n in E.walk(node) if n.kind == kind)


NYHA_EN = "Congestive heart failure (NYHA class III or IV)"
NYHA_ZH = "充血性心力衰竭(纽约心脏病协会心功能分级≥III级)"


@pytest.mark.parametrize("text", [NYHA_EN, NYHA_ZH, "New York Heart Association (NYHA) class > 2 heart failure"])
def test_nyha(text: str) -> None:
    node = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(node) and _leaf(node, "heart_failure_nyha").min_class == 3
    hf = lambda k: make_patient(conditions=[Condition(code="heart_failure", nyha_class=k, status="active")])  # noqa: E731
    assert _status(text, "exclusion", hf(3)) == "met"
    assert _status(text, "exclusion", hf(2)) == "not_met"
    assert _status(text, "exclusion", make_patient(conditions=[Condition(code="heart_failure", status="active")])) == "unknown"
    assert _status(text, "exclusion", make_patient(conditions=[], history_reviewed=True)) == "not_met"


def test_nyha_single_class_is_not_guessed() -> None:
    assert not any(n.kind == "heart_failure_nyha" for n in E.walk(compile_criterion("NYHA class II", role="exclusion")))


def _urine(text: str | None = None, g24: float | None = None) -> list[LabResult]:
    out = []
    if text is not None:
        out.append(LabResult(analyte="urine_protein", text=text, date=date(2026, 3, 1)))
    if g24 is not None:
        out.append(LabResult(analyte="urine_protein_24h", value=g24, unit="g/24h", date=date(2026, 3, 1)))
    return out


@pytest.mark.parametrize("text", ["Urine dipstick for proteinuria < 2+ or 24-hour urine protein < 1 g", "尿蛋白<2+或24小时尿蛋白定量<1g"])
def test_proteinuria(text: str) -> None:
    node = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(node)
    assert _status(text, "inclusion", make_patient(labs={}, drop_labs=(), **{})) == "unknown"
    p = make_patient()
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("1+")})) == "met"
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("++", g24=1.5)})) == "not_met"
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("2+", g24=0.5)})) == "met"
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("3+")})) == "unknown"  # 24 h missing


# ---------------------------------------------------------------- heart failure by NYHA class


@pytest.mark.parametrize("text,min_class", [
    ("Congestive heart failure > class II New York Heart Association (NYHA)", 3),
    ("Patients with heart failure class III or higher according to NYHA cardiac function classification", 3),
    ("Symptomatic congestive heart failure (New York Heart Association II-IV)", 2),
])
def test_nyha_wordings(text: str, min_class: int) -> None:
    # NYHA II and above are the classes with symptoms, so "symptomatic ... (NYHA II-IV)" is NYHA >= II
    rule = _exact_rule(text, "exclusion")
    assert f"NYHA class ≥ {min_class}" in describe(rule)
    nyha2 = make_patient(conditions=[Condition(code="heart_failure", status="controlled", nyha_class=2)])
    nyha3 = make_patient(conditions=[Condition(code="heart_failure", status="active", nyha_class=3)])
    assert _exact_status(text, "exclusion", nyha3) == "met"
    assert _exact_status(text, "exclusion", nyha2) == ("met" if min_class == 2 else "not_met")
