"""Instructions about pregnancy during the study are administrative, not eligibility (issue 10, admin family).

"Should a woman become pregnant or suspect she is pregnant while participating in this study, she must inform
her treating physician immediately" (NCT03511222) was partly read as "pregnant": an inclusion every woman who
is not pregnant would fail.  It is a conduct instruction for the site to give, like a contraception agreement.
"""

from __future__ import annotations

import pytest
from helpers_criteria import AS_OF, compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
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


@pytest.mark.parametrize("text", [
    "Karnofsky performance status >/= 70 are eligible.",  # NCT00426829: a threshold
    "Child Pugh A or B (Total point of 7 will be allowed See appendix for scoring system). (ONLY 4 patients with Child "
    "Pugh B7 will be allowed.)",  # NCT01337492: Child-Pugh C is not allowed
    "Received at least one line of therapy with a TKI (including, but not limited to sorafenib, lenvatinib, and/or "
    "regorafenib) with evidence of disease progression clinically or radiographically as deemed by investigator, or "
    "refused therapy with a TKI.",  # NCT03382886: a treatment-naive patient does not qualify
    "No anti-coagulation therapy is allowed with the exception of low-dose aspirin.",  # NCT01306058: a refusal
    "Tumors must not be greater than 10cm (small satellite lesions around a larger lesion are allowed), all of which can "
    "be encompassed in a radiation treatment field",  # NCT00426829: the permission is inside the requirement
    "History of abdominal fistula, GI perforation, intra-abdominal abscess, or active GI bleeding within 6 months prior "
    "to study treatment. o If GI bleeding was from a lesion or a condition that was appropriately treated, per "
    "investigator judgement",  # NCT05482516: clinical items, the judgement only qualifies them
    "Advanced, unresectable hepatocellular carcinoma (unsuitable for resection, transplant or ablation)",  # NCT02989870
])
def test_a_requirement_worded_as_a_permission_or_a_judgement_is_never_a_note(text: str) -> None:
    """Administrative notes never block: a trial whose only other criteria are met is 'eligible'.  A requirement
    hidden in one (a permission word, a judgement word) admitted patients the text excludes; it goes to review."""
    from hcctrials.model.eligibility import Administrative

    role = "exclusion" if text.startswith(("No anti", "History of abdominal")) else "inclusion"
    rule = compile_criterion(text, role=role)
    assert not isinstance(rule, Administrative), describe(rule)
    assert not is_fully_compiled(rule) or "administrative" not in describe(rule), describe(rule)


@pytest.mark.parametrize("text", [
    "Prior therapy: prior systemic therapy with sorafenib is allowed.",
    "既往接受过其他局部治疗(如手术切除、介入治疗、消融治疗、无水酒精注射、 氩氦刀治疗等)的患者可以纳入本研究。",
])
def test_a_plain_permission_in_the_inclusions_is_met_by_every_patient(text: str) -> None:
    """A permission without a condition excludes no one (session 5: it was a note, now a 'permission' leaf that
    is met, so the labelled "met" of these inclusions agrees)."""
    from hcctrials.model.eligibility import Permission

    assert isinstance(compile_criterion(text, role="inclusion"), Permission)
    assert compiled_status(text, "inclusion", make_patient()) == "met"
    assert compiled_status(text, "inclusion", make_patient(treatments=[])) == "met"


def test_a_judgement_stays_a_note() -> None:
    from hcctrials.model.eligibility import Administrative

    text = "Any condition which, in the investigator's opinion, makes the patient unsuitable for trial participation"
    assert isinstance(compile_criterion(text, role="inclusion"), Administrative)


@pytest.mark.parametrize("text", [
    "Male patients must agree not to father a child and must agree to use a condom.",  # NCT00426829
    "Men and women with child-bearing potential must adhere to protocol criteria to prevent conception during study",
    "Females of child-bearing potential must have a negative serum test",  # NCT01887717
    "The definition of childbearing potential may be adapted for alignment with local guidelines or requirements",
])
def test_contraception_methods_and_definitions_are_administrative(text: str) -> None:
    assert describe(compile_criterion(text, role="inclusion")) == "administrative (contraception)"


def test_pregnancy_exclusion_beside_the_contraception_methods_is_kept() -> None:
    # NCT00426829: the methods list no longer hides the exclusion of pregnant women
    text = ("Pregnant women are excluded from this study; women of childbearing potential must agree to practice adequate "
            "contraception (oral, injectable, or implantable hormonal contraceptive; tubal ligation; intra-uterine device; "
            "barrier contraceptive with spermicide; or vasectomized partner)")
    rule = compile_criterion(text, role="exclusion")
    pregnant = make_patient(sex="female", pregnant=True, breastfeeding=False)
    assert evaluate_node(rule, PatientFacts(pregnant, AS_OF)).status == "met", describe(rule)
