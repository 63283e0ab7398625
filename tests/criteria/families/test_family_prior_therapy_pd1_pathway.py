"""Prior therapy "targeting programmed death (PD) 1 or PD-ligand 1/2 signaling pathways" (issue 10, prior-therapy family).

KEYNOTE-style wording (NCT02572687): "Has received any previous systemic therapy targeting programmed death (PD) 1
or PD-ligand 1/2 signaling pathways, and other immune checkpoint inhibitors".  The drugs are the PD-1/PD-L1/PD-L2
antibodies and other checkpoint inhibitors; "systemic therapy" here is the drugs' kind, not an alternative, so a
patient treated with sorafenib only is not excluded.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import TherapyLine

TEXT = ("Has received any previous systemic therapy targeting programmed death (PD) 1 or PD-ligand 1/2 signaling "
        "pathways, and other immune checkpoint inhibitors")


def _line(*agents: str) -> TherapyLine:
    return TherapyLine(kind="systemic", line=1, regimen=" + ".join(agents), agents=list(agents), start=date(2025, 1, 1),
                       end=date(2026, 2, 1), stop_reason="progression")


@pytest.mark.parametrize(("agents", "expected", "why"), [
    (("atezolizumab", "bevacizumab"), "met", "atezolizumab is an anti-PD-L1 antibody"),
    (("sintilimab",), "met", "sintilimab is an anti-PD-1 antibody"),
    (("ipilimumab",), "met", "ipilimumab is another immune checkpoint inhibitor (CTLA-4)"),
    (("sorafenib",), "not_met", "sorafenib is a kinase inhibitor, not a checkpoint inhibitor"),
])
def test_pd1_pathway_or_other_checkpoint_inhibitors(agents: tuple[str, ...], expected: str, why: str) -> None:
    rule = compile_criterion(TEXT, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert "kinds systemic" not in describe(rule), describe(rule)
    patient = make_patient(treatments=[_line(*agents)])
    assert evaluate_node(rule, PatientFacts(patient, AS_OF)).status == expected, why


@pytest.mark.parametrize("text", [
    "Prior treatment with OX40 agonists or sorafenib",  # OX40 agonists are not in the lexicon (CD137 now is)
])
def test_a_drug_class_the_lexicon_does_not_know_is_not_dropped(text: str) -> None:
    # read without the unknown class, a patient given an anti-CD137 agonist would not be excluded
    rule = compile_criterion(text, role="exclusion")
    assert not is_fully_compiled(rule), describe(rule)
    assert "drug class the lexicon does not know" in describe(rule), describe(rule)


def test_known_checkpoint_classes_are_not_taken_for_unknown_ones() -> None:
    rule = compile_criterion("Prior PD-1 or PD-L1 inhibitor therapy", role="exclusion")
    assert "does not know" not in describe(rule), describe(rule)
