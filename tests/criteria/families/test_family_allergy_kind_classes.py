"""Allergy classes named by kind (issue 10, session 5): "Allergy to aminothiol compounds" (NCT00003926) and "History of
hypersensitivity reaction to human or mouse antibody products" (NCT01306058).  No list of names is complete for such a
class, so a recorded allergy decides "not met" only when it is a common small-molecule allergen outside the class
(penicillin, sulfa drugs, iodinated contrast ...); any other name stays unknown."""

from __future__ import annotations

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria.families.medications import allergy_outside_kind_classes

AMINOTHIOL = "Allergy to aminothiol compounds"
ANTIBODY_PRODUCTS = "History of hypersensitivity reaction to human or mouse antibody products"


@pytest.mark.parametrize(("allergies", "expected", "why"), [
    (["amifostine"], "met", "amifostine is an aminothiol"),
    (["penicillin"], "not_met", "a penicillin allergy only"),
    (["sulfa drugs", "iodinated contrast"], "not_met", "neither is an aminothiol"),
    (["acetylcysteine"], "unknown", "whether N-acetylcysteine counts is not clear"),
    (["penicillin", "shellfish"], "unknown", "a food allergy the vocabulary does not classify"),
])
def test_aminothiol_allergy(allergies: list[str], expected: str, why: str) -> None:
    patient = make_patient(history_reviewed=None, allergies=allergies)
    assert compiled_status(AMINOTHIOL, "exclusion", patient) == expected, why


@pytest.mark.parametrize(("allergies", "expected", "why"), [
    (["rituximab"], "met", "a chimeric mouse-human monoclonal antibody"),
    (["cetuximab"], "met", "a chimeric monoclonal antibody (INN stem -ximab)"),
    (["amoxicillin"], "not_met", "an antibiotic"),
    (["sorafenib"], "not_met", "a small-molecule kinase inhibitor"),
    (["青霉素"], "not_met", "penicillin, in Chinese"),
    (["etanercept"], "unknown", "a fusion protein with a human antibody Fc part: not said"),
])
def test_antibody_product_allergy(allergies: list[str], expected: str, why: str) -> None:
    patient = make_patient(history_reviewed=None, allergies=allergies)
    assert compiled_status(ANTIBODY_PRODUCTS, "exclusion", patient) == expected, why


def test_the_trial_drugs_stay_unknown_against_another_allergy() -> None:
    # "allergy to the study drugs or their excipients": the trial's drug list may be incomplete, so a penicillin
    # allergy does not decide (an antibiotic prophylaxis trial would list one)
    from hcctrials.criteria import compile_criterion
    from hcctrials.criteria.evaluation.evaluate import evaluate_node
    from hcctrials.criteria.evaluation.facts import PatientFacts
    from helpers_criteria import AS_OF

    rule = compile_criterion("Known hypersensitivity to the study drugs or their excipients", role="exclusion",
                             trial_drugs=("sorafenib",))
    patient = make_patient(allergies=["penicillin"])
    assert evaluate_node(rule, PatientFacts(patient, AS_OF)).status == "unknown"


@pytest.mark.parametrize(("name", "outside"), [
    ("Penicillin", True), ("sulfonamides", True), ("iodine", True), ("头孢曲松", True), ("lenvatinib", True),
    ("penicillamine", False), ("pembrolizumab", False), ("latex", False), ("eggs", False),
])
def test_small_molecule_allergen_vocabulary(name: str, outside: bool) -> None:
    assert allergy_outside_kind_classes(name) is outside


ACTIVE_SOR = "Known hypersensitivity to the active sorafenib or to any of the excipients"  # NCT02716012 exclusion 16


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"allergies": ["Nexavar"]}, "met", "sorafenib by its brand name"),
    ({"history_reviewed": True}, "not_met", "no allergies in a reviewed history"),
    ({"history_reviewed": None, "allergies": ["penicillin"]}, "unknown",
     "another allergy: the engine does not list sorafenib's excipients, so it does not decide"),
])
def test_active_substance_or_excipients(patient: dict[str, object], expected: str, why: str) -> None:
    # "the active sorafenib" is the active substance, not an activity qualifier
    assert compiled_status(ACTIVE_SOR, "exclusion", make_patient(**patient)) == expected, why


SIMILAR = "No history of allergic reactions to compounds similar to temsirolimus or sorafenib"  # NCT01335074 inclusion 21


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"allergies": ["temsirolimus"]}, "not_met", "temsirolimus is named (the sentence scanner read sorafenib only)"),
    ({"allergies": ["sorafenib"]}, "not_met", "sorafenib is named"),
    ({"history_reviewed": None, "allergies": ["everolimus"]}, "unknown", "a rapamycin analogue: the engine lists no similar compounds, so it does not decide"),
    ({"history_reviewed": True}, "met", "no allergies in a reviewed history"),
])
def test_compounds_similar_to_two_named_drugs(patient: dict[str, object], expected: str, why: str) -> None:
    assert compiled_status(SIMILAR, "inclusion", make_patient(**patient)) == expected, why
