"""Coverage round 3 families (EN + ZH), each with patients that meet it, do not meet it and leave it
unknown: residual toxicity of prior therapy, candidacy for resection / transplantation, active CNS
metastases, surgery washouts ("within the last N days", "at least N weeks since", 做过大手术), non-healing
wounds and fractures, cardiac history items, transplant wording, HBV/HCV infection.

The English sentences are quoted from the HINT HCC subset and the registry records in ../shared
(facts: the criteria texts themselves); thresholds are the texts' own numbers.  Chinese sentences are
written for these tests in the registry's usual phrasing.  Conventions under test (docs/criteria.md):
month = 30 days, "at least N days since X" allows X ended exactly N days ago.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers_criteria import AS_OF, cond, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview, ResidualToxicity, walk
from hcctrials.model.patient import Condition, Diagnosis, TherapyLine, TumourBurden


def _status(text: str, role: str, patient) -> str:  # type: ignore[no-untyped-def]
    rule = compile_criterion(text, role=role)
    assert is_fully_compiled(rule), rule
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


def _verdict(text: str, role: str, patient):  # type: ignore[no-untyped-def]
    return evaluate_node(compile_criterion(text, role=role), PatientFacts(patient, AS_OF))


# ---------------------------------------------------------------- residual toxicity


@pytest.mark.parametrize("text", [
    "Grade > 1 prior treatment-related toxicities (excluding alopecia) at the time of screening",
    "Previous anticancer treatment-related toxicities not recovered to baseline or Grade 0-1 (except alopecia)",
    "Failure to recover from toxicity and/or complications of previous interventions to nCI-CTCAE ≤1",
    "既往抗肿瘤治疗的毒性未恢复至≤1级（脱发除外）",
])
@pytest.mark.parametrize(("grade", "expected"), [(2, "met"), (1, "not_met"), (0, "not_met"), (None, "unknown")])
def test_residual_toxicity_exclusion(text: str, grade: int | None, expected: str) -> None:
    assert _status(text, "exclusion", make_patient(residual_toxicity_grade=grade)) == expected


@pytest.mark.parametrize("text", [
    "Participant's adverse events [AEs] (excluding alopecia) from prior therapy have improved to grade 1 or baseline",
    "既往治疗相关的不良反应恢复至CTCAE≤1级（脱发除外）",
])
@pytest.mark.parametrize(("grade", "expected"), [(1, "met"), (0, "met"), (3, "not_met"), (None, "unknown")])
def test_recovered_to_grade_1_inclusion(text: str, grade: int | None, expected: str) -> None:
    assert _status(text, "inclusion", make_patient(residual_toxicity_grade=grade)) == expected


def test_residual_toxicity_thresholds_and_no_prior_therapy() -> None:
    text = "Persistent toxicities (Common Terminology Criteria for Adverse Events [CTCAE] Grade > 2) caused by previous anticancer therapy"
    leaf = [n for n in walk(compile_criterion(text, role="exclusion")) if isinstance(n, ResidualToxicity)]
    assert [n.min_grade for n in leaf] == [3]
    assert _status(text, "exclusion", make_patient(residual_toxicity_grade=2)) == "not_met"
    # no therapy recorded: no toxicity of prior therapy (the therapy list is read as complete)
    assert _status(text, "exclusion", make_patient(treatments=[], residual_toxicity_grade=None)) == "not_met"
    v = _verdict(text, "exclusion", make_patient(residual_toxicity_grade=None))
    assert v.status == "unknown" and any("toxicit" in m for m in v.missing)


def test_toxicity_exception_other_than_alopecia_stays_for_review() -> None:
    rule = compile_criterion("Adverse events from prior anti-cancer therapy that have not resolved to Grade ≤ 1 except for "
                             "alopecia, vitiligo, or endocrinopathy managed with replacement therapy", role="exclusion")
    # precision first (issue 10): the exceptions the scanner did not read make the whole criterion a
    # review item; what was read stays in the reason for the reviewer
    assert isinstance(rule, NeedsReview) and "vitiligo" in rule.reason and "unresolved toxicity" in rule.reason


def test_history_of_severe_immune_toxicity_is_not_residual_toxicity() -> None:
    rule = compile_criterion("Any history of an immune-mediated Grade 4 adverse event attributed to prior cancer "
                             "immunotherapy", role="exclusion")
    assert not any(isinstance(n, ResidualToxicity) for n in walk(rule))


# ---------------------------------------------------------------- resection / transplant candidacy


@pytest.mark.parametrize("text", ["Unresectable hepatocellular carcinoma", "HCC that is not amenable to surgical resection",
                                  "经评估不可切除的肝细胞癌"])
@pytest.mark.parametrize(("resectable", "expected"), [(False, "met"), (True, "not_met"), (None, "unknown")])
def test_unresectable_inclusion(text: str, resectable: bool | None, expected: str) -> None:
    p = make_patient(diagnosis=Diagnosis(confirmed_by="histology", histology="hcc", resectable=resectable))
    assert _status(text, "inclusion", p) == expected


def test_advanced_next_to_hcc_stays_for_review() -> None:
    rule = compile_criterion("Advanced or unresectable hepatocellular carcinoma", role="inclusion")
    assert not is_fully_compiled(rule)


@pytest.mark.parametrize("text", ["Subjects who are candidates for surgery with curative intent"])
@pytest.mark.parametrize(("resectable", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")])
def test_candidate_for_curative_surgery_exclusion(text: str, resectable: bool | None, expected: str) -> None:
    p = make_patient(diagnosis=Diagnosis(confirmed_by="histology", histology="hcc", resectable=resectable))
    assert _status(text, "exclusion", p) == expected


@pytest.mark.parametrize("text", ["On a transplant list", "等待肝移植的患者"])
@pytest.mark.parametrize(("listed", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")])
def test_transplant_waiting_list_exclusion(text: str, listed: bool | None, expected: str) -> None:
    # the waiting list itself (diagnosis.transplant_listed), narrower than candidacy:
    # test_family_candidacy_transplant_list.py
    p = make_patient(diagnosis=Diagnosis(confirmed_by="histology", histology="hcc", transplant_listed=listed))
    assert _status(text, "exclusion", p) == expected


# ---------------------------------------------------------------- CNS metastases


@pytest.mark.parametrize("text", [
    "Participant has symptomatic or untreated central nervous system (CNS) metastases. Participants with asymptomatic, "
    "treated CNS metastases are eligible.",
    "Known brain or spinal cord metastases unless adequately treated (surgery or radiotherapy) with no evidence of "
    "progression and neurologically stable off anticonvulsants and steroids.",
    "有症状或未经治疗的脑转移",
])
@pytest.mark.parametrize(("cns", "stable", "expected"), [
    (True, False, "met"), (True, True, "not_met"), (False, None, "not_met"), (True, None, "unknown"), (None, None, "unknown"),
])
def test_active_cns_metastases_exclusion(text: str, cns: bool | None, stable: bool | None, expected: str) -> None:
    p = make_patient(tumour=TumourBurden(measurable_disease=True, cns_metastasis=cns, cns_metastasis_treated_stable=stable))
    assert _status(text, "exclusion", p) == expected


def test_leptomeningeal_disease_alone_is_not_any_cns_metastasis() -> None:
    """Audit 2026-12-04 round 4: "History of leptomeningeal carcinomatosis" read as any CNS metastasis
    excluded a patient with parenchymal brain metastases only.  It is now its own history item
    (code leptomeningeal_disease): parenchymal metastases alone do not decide it."""
    rule = compile_criterion("History of leptomeningeal carcinomatosis", role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    brain_only = make_patient(tumour=TumourBurden(cns_metastasis=True),
                              conditions=[Condition(code="leptomeningeal_disease", status="absent")])
    assert evaluate_node(rule, PatientFacts(brain_only, AS_OF)).status == "not_met"
    not_asked = make_patient(tumour=TumourBurden(cns_metastasis=True), history_reviewed=False)
    assert evaluate_node(rule, PatientFacts(not_asked, AS_OF)).status == "unknown"
    lepto = make_patient(conditions=[Condition(code="leptomeningeal_disease", status="history")])
    assert evaluate_node(rule, PatientFacts(lepto, AS_OF)).status == "met"


@pytest.mark.parametrize("text", ["Known carcinomatous meningitis"])
def test_carcinomatous_meningitis_is_not_any_cns_metastasis(text: str) -> None:
    # "known": current or ever? stays in review, never read as brain metastases
    rule = compile_criterion(text, role="exclusion")
    assert isinstance(rule, NeedsReview) and "cns_metastasis" not in describe(rule)


# ---------------------------------------------------------------- surgery washouts


def _surgery(days_ago: int) -> list[TherapyLine]:
    day = AS_OF - timedelta(days=days_ago)
    return [TherapyLine(kind="surgery", regimen="hepatectomy", start=day, end=day)]


@pytest.mark.parametrize(("text", "window"), [
    ("Major surgery within the last 30 days prior to study treatment initiation", 30),
    ("Major surgery, open biopsy or significant traumatic injury within 4 weeks of first study drug.", 28),
    ("研究治疗首次给药前21天内做过大手术", 21),
])
def test_surgery_washout_exclusion(text: str, window: int) -> None:
    assert _status(text, "exclusion", make_patient(treatments=_surgery(window))) == "met"
    assert _status(text, "exclusion", make_patient(treatments=_surgery(window + 1))) == "not_met"


@pytest.mark.parametrize("text", ["Minimum of 4 weeks since any major surgery or completion of radiation",
                                  "At least 4 weeks since prior surgery", "距末次手术至少4周"])
def test_time_since_surgery_inclusion(text: str) -> None:
    assert _status(text, "inclusion", make_patient(treatments=_surgery(28))) == "met"  # exactly 4 weeks: allowed
    assert _status(text, "inclusion", make_patient(treatments=_surgery(27))) == "not_met"
    ongoing = [TherapyLine(kind="surgery", regimen="hepatectomy", start=AS_OF - timedelta(days=60))]
    assert _status(text, "inclusion", make_patient(treatments=ongoing)) == "unknown"  # no end date


# ---------------------------------------------------------------- wounds, fractures, cardiac, transplant, viral hepatitis


@pytest.mark.parametrize("text", ["Serious non-healing wound, ulcer, or bone fracture.", "严重的未愈合伤口、溃疡或骨折"])
def test_wound_or_fracture(text: str) -> None:
    """Audit 2026-12-04 #14/#53: "non-healing" also qualifies the fracture (an unhealed fracture, not any
    fracture ever): read as "fracture ever", a fracture healed in 2010 excluded the patient.  It went to review;
    wound and fracture are now read as present states (``bone_fracture`` is an unhealed fracture)."""
    rule = compile_criterion(text, role="exclusion")
    healed_2010 = make_patient(conditions=[cond("bone_fracture", status="resolved", onset=AS_OF.replace(year=2010))])
    unhealed = make_patient(conditions=[cond("bone_fracture", status="active", onset=AS_OF - timedelta(days=20))])
    assert evaluate_node(rule, PatientFacts(healed_2010, AS_OF)).status == "not_met"
    assert evaluate_node(rule, PatientFacts(unhealed, AS_OF)).status == "met"


def test_unstable_coronary_disease_goes_to_review() -> None:
    """Audit 2026-12-04 round 5: "Unstable coronary artery disease" read as "CAD, active" excluded a stable CAD
    recorded as active and missed a recorded unstable angina: the record cannot say "unstable": review."""
    rule = compile_criterion("Unstable coronary artery disease", role="exclusion")
    assert isinstance(rule, NeedsReview) and "Unstable" in rule.reason


def test_liver_transplant_is_not_any_organ_transplant() -> None:
    """Audit round 5: "History of liver transplantation" read as any organ transplant excluded a kidney recipient.
    It is now read as a liver transplant (code ``liver_transplant``): the kidney recipient is not excluded."""
    rule = compile_criterion("History of liver transplantation or on the waiting list for liver transplantation",
                             role="exclusion")
    kidney = make_patient(conditions=[cond("organ_transplant", name="kidney transplant")],
                          diagnosis=Diagnosis(transplant_candidate=False))
    liver = make_patient(conditions=[cond("liver_transplant")])
    assert evaluate_node(rule, PatientFacts(kidney, AS_OF)).status == "not_met"
    assert evaluate_node(rule, PatientFacts(liver, AS_OF)).status == "met"


def test_arrhythmia_requiring_therapy_keeps_its_exception_for_review() -> None:
    rule = compile_criterion("Cardiac arrhythmias requiring anti-arrhythmic therapy other than beta blockers or digoxin.",
                             role="exclusion")
    assert any(isinstance(n, NeedsReview) and "digoxin" in n.reason for n in walk(rule))
    p = make_patient(conditions=[cond("arrhythmia", status="active", requires_systemic_treatment=False)])
    assert evaluate_node(rule, PatientFacts(p, AS_OF)).status == "not_met"  # no treatment needed: AllOf not met


def test_hematologic_transplant_includes_autologous() -> None:
    """Audit 2026-12-04 round 6: "hematologic transplant" read as allogeneic only missed an autologous
    stem-cell transplant (for myeloma).  It is now read as any stem cell transplant."""
    rule = compile_criterion("Has had a solid organ or hematologic transplant.", role="exclusion")
    myeloma = make_patient(conditions=[cond("autologous_stem_cell_transplant")])
    assert evaluate_node(rule, PatientFacts(myeloma, AS_OF)).status == "met"


@pytest.mark.parametrize("text", ["Patients with history of renal transplant"])
def test_transplant_wording(text: str) -> None:
    assert _status(text, "exclusion", make_patient(conditions=[cond("organ_transplant")])) == "met"
    assert _status(text, "exclusion", make_patient()) == "not_met"
    assert _status(text, "exclusion", make_patient(history_reviewed=None)) == "unknown"


def test_hbv_or_hcv_infection() -> None:
    text = "Known HBV or HCV infection"
    from hcctrials.model.patient import Virology

    assert _status(text, "exclusion", make_patient()) == "met"  # helper patient is HBsAg positive
    negative = Virology(hbsag_positive=False, hcv_rna_detectable=False)
    assert _status(text, "exclusion", make_patient(virology=negative)) == "not_met"
    assert _status(text, "exclusion", make_patient(virology=Virology(hbsag_positive=False))) == "unknown"
