"""Administrative criteria (``criteria/families/admin.py``, ``scan_admin``): what the site checks (consent,
compliance, investigator's judgement, procedures); listed for the coordinator, never deciding a trial.

From ``tests/criteria/test_criteria_site_checks_and_sentences.py`` (1 of its 5 tests; the others are in
``compiler/test_compiler_pipeline.py``, ``evaluation/test_evaluation_reasons_zh.py``,
``families/test_family_demographics.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

import pytest

from hcctrials.criteria import PatientFacts, compile_criterion, describe, evaluate_node
from hcctrials.model.eligibility import Administrative

from helpers_criteria import AS_OF, make_patient


@pytest.mark.parametrize(("text", "role", "category"), [
    ("Patient must be mentally capable of understanding the information given.", "inclusion", "consent"),
    ("Must be able to swallow oral medications.", "inclusion", "compliance"),
    ("Any condition that impairs patient's ability to swallow whole pills.", "exclusion", "compliance"),
    ("Active alcohol dependence per PI discretion", "exclusion", "investigator_judgement"),
    ("No serious underlying medical condition, at the judgment of the investigator, which could impair the ability "
     "of the patient to participate in the trial", "inclusion", "investigator_judgement"),
    ("Eligible to undergo pre and post treatment mandated biopsies", "inclusion", "procedure"),
    ("No contraindication to have MRI (e.g., pacemaker)", "inclusion", "procedure"),
    ("Has any contraindication for MRI procedure", "exclusion", "procedure"),
])
def test_the_site_checks_these_and_they_never_decide_the_trial(text: str, role: str, category: str) -> None:
    """A coordinator asks the patient or the investigator; no record field answers these."""
    rule = compile_criterion(text, role=role)
    assert isinstance(rule, Administrative) and rule.category == category, describe(rule)
    assert evaluate_node(rule, PatientFacts(make_patient(), AS_OF)).status == "administrative"
