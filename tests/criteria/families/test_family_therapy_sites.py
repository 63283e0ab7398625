"""Prior therapy given to a named site (issue 10): "Prior external beam radiation therapy to the liver".

A patient, a criterion, the verdict a clinician reads and why.  The site comes from
``TherapyLine.site`` or from the regimen as written ("SBRT to liver segment VIII"); a radiotherapy
whose site is not recorded leaves the verdict unknown, never guessed.  Radioembolisation (Y-90) is
internal radiation: not external beam.  Sentences quoted from the HINT HCC subset in ../shared.
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
from hcctrials.model.eligibility import NeedsReview, PriorTherapy, walk
from hcctrials.model.patient import TherapyLine

EBRT_LIVER = "Prior external beam radiation therapy to the liver"


def _status(text: str, role: str, *lines: TherapyLine) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert is_fully_compiled(rule), describe(rule)
    patient = make_patient(treatments=list(lines), history_reviewed=True)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


def _rt(regimen: str, **kw: object) -> TherapyLine:
    return TherapyLine(kind="radiotherapy", regimen=regimen, start=date(2025, 4, 1), end=date(2025, 4, 10), **kw)


def test_the_rule_names_the_liver() -> None:
    rule = compile_criterion(EBRT_LIVER, role="exclusion")
    leaf = next(n for n in walk(rule) if isinstance(n, PriorTherapy))
    assert leaf.sites == ["liver"] and "external_beam" in leaf.classes


@pytest.mark.parametrize(("line", "expected", "why"), [
    (_rt("SBRT to liver segment VIII lesion, 40 Gy/5 fx"), "met", "stereotactic radiotherapy to the liver is external beam"),
    (_rt("立体定向放疗（肝脏病灶）"), "met", "SBRT to a liver lesion, written in Chinese"),
    (_rt("palliative radiotherapy to T10 vertebral metastasis, 8 Gy"), "not_met", "a bone metastasis, not the liver"),
    (_rt("external beam radiotherapy", site="bone"), "not_met", "the recorded site is bone"),
    (_rt("IMRT", site="liver"), "met", "intensity-modulated radiotherapy recorded to the liver"),
    (TherapyLine(kind="locoregional", regimen="Y-90 radioembolization", start=date(2025, 5, 1)), "not_met",
     "radioembolisation is internal radiation, not external beam"),
    (TherapyLine(kind="locoregional", regimen="TACE", start=date(2025, 8, 1)), "not_met", "chemoembolisation only"),
    (_rt("radiotherapy, site not recorded"), "unknown", "where it was given is not known"),
])
def test_external_beam_to_the_liver(line: TherapyLine, expected: str, why: str) -> None:
    assert _status(EBRT_LIVER, "exclusion", line) == expected, why


def test_unknown_site_asks_for_it() -> None:
    rule = compile_criterion(EBRT_LIVER, role="exclusion")
    patient = make_patient(treatments=[_rt("radiotherapy at an outside hospital")], history_reviewed=True)
    verdict = evaluate_node(rule, PatientFacts(patient, AS_OF))
    assert verdict.status == "unknown"
    assert any("site" in str(m) for m in verdict.missing)


@pytest.mark.parametrize("text", [
    "Prior radiation therapy to the abdomen",  # the rule has no abdominal field
    "Prior external beam radiation therapy to the liver or abdomen",
    "Prior palliative radiotherapy to bone lesions",
])
def test_other_sites_stay_in_review(text: str) -> None:
    rule = compile_criterion(text, role="exclusion")
    assert not is_fully_compiled(rule) or isinstance(rule, NeedsReview), describe(rule)


NONHEPATIC = "Received radiation to any nonhepatic (for example, bone) site within 14 days prior to randomization."


@pytest.mark.parametrize(("line", "expected", "why"), [
    (TherapyLine(kind="radiotherapy", regimen="palliative RT", site="bone", start=date(2026, 3, 2),
                 end=date(2026, 3, 6)),
     "met", "radiotherapy to a vertebral metastasis four days ago"),
    (TherapyLine(kind="radiotherapy", regimen="SBRT", site="liver", start=date(2026, 3, 2), end=date(2026, 3, 6)),
     "not_met", "SBRT to the liver is hepatic"),
    (TherapyLine(kind="radiotherapy", regimen="radiotherapy", start=date(2026, 3, 2), end=date(2026, 3, 6)),
     "unknown", "where the radiation was given is not recorded"),
])
def test_radiation_to_a_nonhepatic_site(line: TherapyLine, expected: str, why: str) -> None:
    rule = compile_criterion(NONHEPATIC, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert evaluate_node(rule, PatientFacts(make_patient(treatments=[line]), AS_OF)).status == expected, why
