""""Advanced hepatocellular carcinoma" / "晚期肝细胞肝癌" read as a stage (issue 10, stage family).

BCLC names stage C "advanced"; BCLC 2022 gives stage B disease that is not amenable to locoregional
therapy, or progressed after it, the systemic therapy of stage C (Reig et al., J Hepatol 2022); CNLC
2022 stage III (晚期) is BCLC C.  HCC histology is part of the words: an advanced cholangiocarcinoma is
not advanced HCC.  Sentences quoted from ChiCTR2500111736 (the bundled seed) and NCT02576509.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, BCLC_TUMOUR, compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Diagnosis, Patient, TherapyLine, TumourBurden

ZH = "晚期肝细胞肝癌,经组织学/细胞学确诊或符合肝细胞肝癌临床诊断标准。"
EN = "Patients with advanced hepatocellular carcinoma (HCC)"

def _patient(stage: str, *, histology: str = "hcc", confirmed_by: str = "histology", lrt: bool | None = None,
             lines: tuple[TherapyLine, ...] = ()) -> Patient:
    patient = make_patient(ecog=0, tumour=BCLC_TUMOUR[stage], treatments=list(lines), history_reviewed=True,
                           diagnosis=Diagnosis(confirmed_by=confirmed_by, histology=histology,  # type: ignore[arg-type]
                                               locoregional_candidate=lrt))
    assert PatientFacts(patient, AS_OF).scores.bclc.stage == stage
    return patient


def _status(text: str, patient: Patient) -> str:
    return compiled_status(text, "inclusion", patient)


TACE_PD = TherapyLine(kind="locoregional", regimen="TACE", start=date(2025, 6, 1), end=date(2025, 9, 1),
                      best_response="PD", progression_date=date(2025, 11, 1))


@pytest.mark.parametrize("text", [ZH, EN])
@pytest.mark.parametrize(("patient", "expected", "why"), [
    (_patient("C"), "met", "right portal-vein tumour thrombus (Vp3): BCLC C, CNLC IIIa"),
    (_patient("C", confirmed_by="imaging"), "met", "typical imaging in a cirrhotic liver is the clinical diagnosis"),
    (_patient("C", histology="cholangiocarcinoma"), "not_met", "advanced, but a cholangiocarcinoma"),
    (_patient("A"), "not_met", "a single 3 cm nodule: early stage"),
    (_patient("B", lrt=True), "not_met", "intermediate stage, TACE is the treatment"),
    (_patient("B", lrt=False), "met", "BCLC B not amenable to TACE (bilobar infiltrative): treated as advanced"),
    (_patient("B", lrt=True, lines=(TACE_PD,)), "met", "BCLC B that progressed after TACE"),
    (_patient("B"), "unknown", "BCLC B; whether TACE is possible is not recorded"),
])
def test_advanced_hcc(text: str, patient: Patient, expected: str, why: str) -> None:
    assert _status(text, patient) == expected, why


def test_stage_not_recorded_is_unknown() -> None:
    # ECOG 0 (ECOG 1-2 alone makes BCLC C: BCLC 2022)
    patient = make_patient(ecog=0, tumour=TumourBurden(), diagnosis=Diagnosis(confirmed_by="histology", histology="hcc"))
    assert _status(ZH, patient) == "unknown", "histology HCC, but neither the stage nor the tumour extent is recorded"


@pytest.mark.parametrize("text", [
    "Locally advanced HCC",  # a local extent, not the BCLC stage
    "中晚期肝癌",  # intermediate and advanced together
])
def test_other_uses_of_advanced_are_not_read_as_bclc_c(text: str) -> None:
    rule = compile_criterion(text, role="inclusion")
    assert "BCLC stage in {C}" not in describe(rule) or not is_fully_compiled(rule), describe(rule)


def test_advanced_beside_an_alternative_is_one_branch_of_an_any_of() -> None:
    """"Unresectable or advanced HCC": the alternative widens the set, so advanced is one branch of an any-of
    (diagnosis_hcc._SETTING_LIST), never joined with the alternative as an all-of."""
    rule = compile_criterion("Unresectable or advanced HCC", role="inclusion")
    assert describe(rule).startswith("any of (not (candidate for curative resection); all of (diagnosis histology hcc"), \
        describe(rule)
