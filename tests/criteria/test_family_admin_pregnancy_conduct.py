"""Instructions about pregnancy during the study are administrative, not eligibility (issue 10, admin family).

"Should a woman become pregnant or suspect she is pregnant while participating in this study, she must inform
her treating physician immediately" (NCT03511222) was partly read as "pregnant": an inclusion every woman who
is not pregnant would fail.  It is a conduct instruction for the site to give, like a contraception agreement.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import walk


@pytest.mark.parametrize("text", [
    "Should a woman become pregnant or suspect she is pregnant while participating in this study, she must inform her "
    "treating physician immediately",
    "If a male participant impregnates his partner he should inform his treating physician immediately",
    "Be counseled about pregnancy precautions and risks of fetal exposure",
])
def test_pregnancy_conduct_is_administrative(text: str) -> None:
    rule = compile_criterion(text, role="inclusion")
    assert describe(rule) == "administrative (contraception)", describe(rule)
    assert not any(n.kind == "pregnancy" for n in walk(rule)), describe(rule)


def test_a_woman_who_is_not_pregnant_is_not_failed_by_the_instruction() -> None:
    text = ("Women of childbearing potential and men must agree to use adequate contraception prior to study entry. "
            "Should a woman become pregnant or suspect she is pregnant while participating in this study, she must "
            "inform her treating physician immediately")
    woman = make_patient(sex="female", pregnant=False, breastfeeding=False)
    verdict = evaluate_node(compile_criterion(text, role="inclusion"), PatientFacts(woman, AS_OF))
    assert verdict.status == "administrative", verdict.reason


def test_no_pregnant_or_breastfeeding_with_a_lactation_instruction() -> None:
    # the exclusion list's "No pregnant or breast feeding females" is the requirement copied there: pregnancy excludes;
    # the lenalidomide lactation agreement beside it is an instruction
    text = "No pregnant or breast feeding females. (Lactating females must agree not to breast feed while taking lenalidomide)"
    rule = compile_criterion(text, role="exclusion")
    pregnant = make_patient(sex="female", pregnant=True, breastfeeding=False)
    neither = make_patient(sex="female", pregnant=False, breastfeeding=False)
    assert evaluate_node(rule, PatientFacts(pregnant, AS_OF)).status == "met", describe(rule)
    assert evaluate_node(rule, PatientFacts(neither, AS_OF)).status == "not_met", describe(rule)


def test_a_treatment_instruction_in_parentheses_is_not_a_condition() -> None:
    """NCT00712790: "(SIR-Spheres should not be administered as a whole liver treatment if the total bilirubin is >
    2X the institutional upper limit of normal)" tells the team how to treat; it was read as a second bilirubin
    condition joined by 'and' (bilirubin <= 2 mg/dL and > 2 x ULN: no patient passes)."""
    text = ("Total bilirubin ≤ 2.0 mg/dL (SIR-Spheres should not be administered as a whole liver treatment if the total "
            "bilirubin is > 2X the institutional upper limit of normal).")
    assert describe(compile_criterion(text, role="inclusion")) == "total bilirubin ≤ 2 mg/dL"
