"""The compile pipeline (``criteria/compiler/compile.py``): the wordings of issue 3, sentence ends,
an exclusion written in the inclusion list, and "No patients who ..." in an exclusion list.

From ``tests/criteria/test_criteria_compile_examples.py`` (1 of its 4 tests; the others are in
``text/test_text_split.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_site_checks_and_sentences.py`` (2 of its 5 tests; the others are in
``evaluation/test_evaluation_reasons_zh.py``, ``families/test_family_admin.py``,
``families/test_family_demographics.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_transplant_infection.py`` (1 of its 7 tests; the others are in
``families/test_family_history.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import compile_criterion, describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview
from hcctrials.model.patient import Patient


EXAMPLES = [
    ("Child-Pugh A or B7", "inclusion", "Child-Pugh points in {5,6,7}"),
    ("Child-Pugh评分≤7分", "inclusion", "Child-Pugh points in {5,6,7}"),
    ("Child-Pugh A级", "inclusion", "Child-Pugh points in {5,6}"),
    ("ANC ≥1.5×10^9/L", "inclusion", "ANC ≥ 1.5 10^9/L"),
    ("总胆红素≤2倍正常值上限", "inclusion", "total bilirubin ≤ 2×ULN"),
    ("ALT and AST ≤ 5 x ULN", "inclusion", "all of (ALT ≤ 5×ULN; AST ≤ 5×ULN)"),
    ("creatinine ≤1.5×ULN or CrCl ≥50 mL/min", "inclusion",
     "any of (creatinine ≤ 1.5×ULN; creatinine clearance ≥ 50 mL/min)"),
    ("AST/ALT ≤ 2.5 x ULN (≤ 5 x ULN for patients with liver metastases)", "inclusion",
     # precision first (issue 10): a partly read criterion needs review as a whole, what was read kept for the reviewer
     "NEEDS REVIEW: no rule recognised in: liver metastases (partly read as: all of (any of (AST ≤ 2.5×ULN; "
     "AST ≤ 5×ULN); any of (ALT ≤ 2.5×ULN; ALT ≤ 5×ULN)))"),
    ("血小板计数不低于75×10^9/L", "inclusion", "platelets ≥ 75 10^9/L"),
    ("中性粒细胞1.5×10^9/L以上", "inclusion", "ANC ≥ 1.5 10^9/L"),
    ("年龄18-75岁", "inclusion", "age ≥ 18 and ≤ 75 years"),
    ("aged ≥ 18 years", "inclusion", "age ≥ 18 years"),
    ("18 years of age or older", "inclusion", "age ≥ 18 years"),
    ("ECOG PS评分0-1分", "inclusion", "ECOG in {0,1}"),
    ("BCLC stage B or C", "inclusion", "BCLC stage in {B,C}"),
    ("CNLC IIb-IIIb期", "inclusion", "CNLC stage in {IIb,IIIa,IIIb}"),
    ("Previously received PD-L1 immunotherapy or apatinib targeted therapy", "exclusion",
     "prior therapy: agents apatinib; classes pdl1"),
    ("No prior systemic therapy for HCC", "inclusion", "not (prior therapy: kinds systemic)"),
    ("既往仅接受过一种含免疫检查点抑制剂方案治疗", "inclusion", "prior therapy: classes ici, regimens = 1"),
    ("Received other investigational drug treatments within 28 days or 5 half-lives (whichever is longer)",
     "exclusion", "prior therapy: investigational, within 28 d or 5 half-lives (whichever is longer)"),
    ("4周内接受过放疗", "exclusion", "prior therapy: agents radiotherapy; classes radiotherapy, within 28 d"),
    ("History of hepatic encephalopathy", "exclusion", "history: hepatic_encephalopathy (ever)"),
    ("Active or previously documented autoimmune disease", "exclusion", "history: autoimmune_disease (ever)"),
    ("HBV DNA < 500 IU/mL", "inclusion", "HBV DNA < 500 IU/mL"),
    ("HBsAg阳性者需HBV DNA<2000 IU/mL且接受抗病毒治疗", "inclusion",
     "HBV controlled: HBsAg negative, or HBV DNA < 2000 IU/mL on antiviral therapy"),
    ("Known HIV infection", "exclusion", "virology: hiv positive"),
    ("Life expectancy ≥12 weeks", "inclusion", "life expectancy ≥ 12 weeks"),
    ("预期生存期≥3个月", "inclusion", "life expectancy ≥ 13 weeks"),
    ("At least one measurable lesion per mRECIST", "inclusion", "tumour: measurable_disease_mrecist"),
    ("Main portal vein tumour thrombus (Vp4)", "exclusion", "tumour: main_trunk_pvtt"),
    ("Prior liver transplantation", "exclusion", "history: liver_transplant (ever)"),
    ("Known hypersensitivity to any of the study drugs", "exclusion", "allergy to the trial drugs"),
    ("Signed informed consent", "inclusion", "administrative (consent)"),
    ("Women of childbearing potential must use effective contraception", "inclusion", "administrative (contraception)"),
]


@pytest.mark.parametrize("text,role,expected", EXAMPLES, ids=[e[0][:40] for e in EXAMPLES])
def test_compile_example(text: str, role: str, expected: str) -> None:
    assert describe(compile_criterion(text, role=role)) == expected


def test_a_sentence_ending_on_a_stage_letter_is_a_sentence() -> None:
    """"Barcelona Clinic Liver Cancer Stage B or C. Segmental and subsegmental portal vein thrombosis is
    allowed.": BCLC B or C is required; the second sentence only reassures (a note for the site).  It used
    to be read as one permissive note, so BCLC A patients were not excluded."""
    text = ("Barcelona Clinic Liver Cancer Stage B or C. Segmental and subsegmental portal vein thrombosis "
            "is allowed.")
    rule = compile_criterion(text, role="inclusion")
    assert describe(rule) == "BCLC stage in {B,C}"


def test_an_exclusion_written_in_the_inclusion_list_is_never_read_as_an_inclusion() -> None:
    """"Patients with ascites are excluded" among the inclusion criteria: read as an inclusion it would
    *require* ascites.  It goes to review; in the exclusion list the same words exclude ascites."""
    text = "Patients with ascites are excluded"
    assert isinstance(compile_criterion(text, role="inclusion"), NeedsReview)
    assert describe(compile_criterion(text, role="exclusion")) == "liver: ascites"
    qualifier = ("Barcelona Clinic Liver Cancer (BCLC) stage B (that is not eligible for locoregional therapy LRT) "
                 "or stage C")  # "not eligible for ..." qualifies stage B; it does not state an exclusion
    assert "exclusion stated" not in describe(compile_criterion(qualifier, role="inclusion"))


SCREENING = date(2026, 6, 1)


def _status(text: str, role: str, patient: dict[str, Any]) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING)).status


def test_no_patients_who_in_an_exclusion_list_names_whom_it_excludes() -> None:
    """"No patients who have undergone ... within 30 days" in the exclusion list: such patients are excluded."""
    text = ("No patients who have undergone surgical resection or received chemotherapy, percutaneous ethanol "
            "injection, radiation therapy or chemoembolization within 30 days prior to commencement of the study")
    tace_last_week = {"treatments": [{"kind": "locoregional", "agents": ["TACE"], "start": "2026-05-25",
                                      "end": "2026-05-25"}]}
    tace_last_year = {"treatments": [{"kind": "locoregional", "agents": ["TACE"], "start": "2025-05-25",
                                      "end": "2025-05-25"}]}
    assert _status(text, "exclusion", tace_last_week) == "met"
    assert _status(text, "exclusion", tace_last_year) == "not_met"
    # the same words as an inclusion are not rewritten
    assert describe(compile_criterion("No patients with brain metastases", role="inclusion")).startswith("NEEDS REVIEW")
