"""BCLC B qualified by locoregional therapy, or BCLC C (issue 10, stage and candidacy families).

"Barcelona Clinic Liver Cancer (BCLC) Stage C disease or BCLC Stage B disease not amenable to
locoregional therapy or refractory to locoregional therapy" is the usual inclusion of systemic-therapy
trials (quoted from the registry records in ../shared).  The qualifier belongs to stage B only:
BCLC C is enough; BCLC B needs the tumour to be not amenable to locoregional therapy
(``diagnosis.locoregional_candidate`` False, the treating team's judgement) or to have progressed after it.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, BCLC_TUMOUR, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Diagnosis, Patient, TherapyLine

B_OR_C = ("Barcelona Clinic Liver Cancer (BCLC) Stage C disease or BCLC Stage B disease not amenable to locoregional "
          "therapy or refractory to locoregional therapy.")
B_PAREN = "Barcelona Clinic Liver Cancer (BCLC) stage B (that is not eligible for locoregional therapy LRT) or stage C"


def _patient(stage: str, lrt: bool | None, *lines: TherapyLine) -> Patient:
    patient = make_patient(ecog=0, tumour=BCLC_TUMOUR[stage], treatments=list(lines), history_reviewed=True,
                           diagnosis=Diagnosis(confirmed_by="histology", histology="hcc", locoregional_candidate=lrt))
    assert PatientFacts(patient, AS_OF).scores.bclc.stage == stage
    return patient


def _status(text: str, patient: Patient) -> str:
    rule = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


TACE_PD = TherapyLine(kind="locoregional", regimen="TACE", start=date(2025, 6, 1), end=date(2025, 9, 1),
                      best_response="PD", progression_date=date(2025, 11, 1))


@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_patient("C", None), "met", "BCLC C: the qualifier is about stage B only"),
    (_patient("B", False), "met", "BCLC B, not amenable to TACE (bilobar infiltrative tumour)"),
    (_patient("B", True, TACE_PD), "met", "BCLC B that progressed after TACE: refractory"),
    (_patient("B", True), "not_met", "BCLC B, amenable to TACE and never treated: TACE first"),
    (_patient("B", None), "unknown", "BCLC B; whether TACE is possible is not recorded"),
    (_patient("A", False), "not_met", "BCLC A"),
])
def test_bclc_b_not_amenable_or_refractory_or_c(patient: Patient, expected: str, why: str) -> None:
    assert _status(B_OR_C, patient) == expected, why


@pytest.mark.parametrize(("patient", "expected"), [
    (_patient("C", True), "met"), (_patient("B", False), "met"), (_patient("B", True, TACE_PD), "not_met"),
])
def test_the_bracketed_qualifier_without_refractory(patient: Patient, expected: str) -> None:
    # "(that is not eligible for locoregional therapy)": progression after TACE is not named here
    assert _status(B_PAREN, patient) == expected
