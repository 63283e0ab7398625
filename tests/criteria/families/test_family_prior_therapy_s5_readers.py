"""Prior-therapy criteria read as a whole (issue 10, session 5: criteria/families/therapy_readers.py).

Each test quotes a criterion from a real HCC record, gives a patient, and says the verdict a clinician reads
from the text, and why.  Screening date: 2026-03-10 (tests/criteria/helpers_criteria.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.compiler.describe_i18n import describe_for_reader, review_reason_for_reader
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import AnyOf, NeedsReview, Permission, PriorTherapy, node_adapter, walk
from hcctrials.model.patient import ConcomitantMedication, Patient, TherapyLine
from tests.criteria.helpers_criteria import AS_OF, compiled_status, make_patient


def _line(*agents: str, **kw: Any) -> TherapyLine:
    fields: dict[str, Any] = dict(agents=list(agents), start=date(2025, 1, 1), end=date(2026, 1, 1))
    fields.update(kw)
    return TherapyLine(**fields)


def _status(text: str, role: str, patient: Patient) -> str:
    """The verdict, review parts included (a bounded reading decides only where every reading agrees)."""
    return evaluate_node(compile_criterion(text, role=role), PatientFacts(patient, AS_OF)).status  # type: ignore[arg-type]


# ------------------------------------------------------------------ a pure permission excludes no one

PERMISSION_EN = "Prior therapy: prior systemic therapy with sorafenib is allowed."  # NCT01306058 inc-16
PERMISSION_ZH = ("既往接受过其他局部治疗(如手术切除、介入治疗、消融治疗、无水酒精注射、 氩氦刀治疗等)的患者可以纳入本研究。"
                 )  # ChiCTR2500111736 inc-5


@pytest.mark.parametrize("text", [PERMISSION_EN, PERMISSION_ZH])
@pytest.mark.parametrize("patient, why", [
    (make_patient(treatments=[_line("sorafenib", kind="systemic", stop_reason="progression")]), "had the permitted therapy"),
    (make_patient(treatments=[_line(kind="surgery", regimen="肝部分切除术")]), "had a resection"),
    (make_patient(treatments=[]), "no prior therapy, history reviewed"),
    (Patient(patient_id="bare"), "nothing recorded at all"),
])
def test_a_pure_permission_in_the_inclusion_list_is_met_by_every_patient(text: str, patient: Patient, why: str) -> None:
    # the sentence names patients the trial admits and excludes nobody: whoever the patient is, it is met
    assert compiled_status(text, "inclusion", patient) == "met", why


def test_a_permission_is_its_own_leaf_and_round_trips() -> None:
    rule = compile_criterion(PERMISSION_ZH, role="inclusion")
    assert isinstance(rule, Permission)
    assert node_adapter.validate_json(node_adapter.dump_json(rule)) == rule
    assert "met by every patient" in describe(rule)
    assert "所有患者均满足" in describe_for_reader(rule, "zh")


@pytest.mark.parametrize("text", [
    "Prior sorafenib is not allowed.",  # a refusal: a rule
    "Prior TACE is permitted if completed at least 4 weeks before enrolment.",  # a condition: a rule about it
    "既往接受过局部治疗且距入组超过4周的患者可以纳入本研究。",  # a condition in Chinese
])
def test_a_permission_with_a_condition_is_not_read_as_a_pure_permission(text: str) -> None:
    assert not any(isinstance(n, Permission) for n in walk(compile_criterion(text, role="inclusion")))


def test_a_permission_in_the_exclusion_list_is_not_read_as_met() -> None:
    # among exclusions, "met" would mean the patient is excluded: which way it cuts is for a reviewer / a note
    assert not isinstance(compile_criterion(PERMISSION_EN, role="exclusion"), Permission)


# ------------------------------------------------------------------ systemic therapy other than sorafenib

OTHER_THAN = ("Has had prior systemic therapy for HCC in the advanced (incurable) setting other than sorafenib, prior to "
              "the start of study drug.")  # NCT02702401 exc-8


@pytest.mark.parametrize("treatments, expected, why", [
    ([_line("lenvatinib", setting="first_line")], "met", "first-line lenvatinib: systemic therapy other than sorafenib"),
    ([_line("sorafenib", setting="first_line")], "not_met", "sorafenib alone is the exception"),
    ([_line("sorafenib", "nivolumab", setting="second_line")], "met", "sorafenib with nivolumab is more than sorafenib"),
    ([_line("atezolizumab", "bevacizumab", setting="adjuvant"), _line("sorafenib", setting="first_line")], "not_met",
     "the atezolizumab-bevacizumab was adjuvant, not for advanced disease"),
    ([_line("lenvatinib")], "unknown", "lenvatinib recorded without its setting (advanced, or adjuvant?)"),
    ([_line("lenvatinib", setting="conversion")], "unknown", "conversion therapy: incurable or not is not said"),
    ([_line(kind="systemic", regimen="oral targeted drug at another hospital", setting="first_line")], "unknown",
     "the drug is not recorded: sorafenib or another?"),
    ([_line(kind="locoregional", agents=["tace"])], "not_met", "TACE is not systemic therapy"),
])
def test_systemic_therapy_other_than_sorafenib_in_the_advanced_setting(treatments: list[TherapyLine], expected: str,
                                                                       why: str) -> None:
    assert compiled_status(OTHER_THAN, "exclusion", make_patient(treatments=treatments)) == expected, why


def test_other_than_sorafenib_is_described_in_both_languages() -> None:
    rule = compile_criterion(OTHER_THAN, role="exclusion")
    assert isinstance(rule, PriorTherapy) and rule.except_agents == ["sorafenib"] and rule.setting == ["advanced"]
    assert "other than sorafenib" in describe(rule) and "advanced" in describe(rule)
    assert "除外" in describe_for_reader(rule, "zh") and "晚期" in describe_for_reader(rule, "zh")


# ------------------------------------------------------------------ "More than 2 prior systemic chemotherapy"

MORE_THAN_2 = "More than 2 prior systemic chemotherapy."  # NCT02029157 exc-1
SORAFENIB, REGORAFENIB = _line("sorafenib", line=1), _line("regorafenib", line=2)
FOLFOX, GEMOX = _line("oxaliplatin", "fluorouracil", "leucovorin", line=3), _line("gemcitabine", "oxaliplatin", line=4)
DOXORUBICIN = _line("doxorubicin", line=1)


@pytest.mark.parametrize("treatments, expected, why", [
    ([DOXORUBICIN, FOLFOX, GEMOX], "met", "three cytotoxic regimens: more than 2 in either reading of the class word"),
    ([SORAFENIB, REGORAFENIB], "not_met", "two systemic regimens: not more than 2 in either reading"),
    ([SORAFENIB, REGORAFENIB, FOLFOX], "needs_review",
     "three systemic regimens of which one cytotoxic: the count depends on whether sorafenib is 'chemotherapy'"),
])
def test_more_than_two_systemic_chemotherapy_decides_where_both_readings_agree(treatments: list[TherapyLine],
                                                                               expected: str, why: str) -> None:
    assert _status(MORE_THAN_2, "exclusion", make_patient(treatments=treatments)) == expected, why


def test_the_systemic_chemotherapy_question_is_named_for_the_reviewer() -> None:
    rule = compile_criterion(MORE_THAN_2, role="exclusion")
    assert isinstance(rule, AnyOf)
    reason = next(n.reason for n in walk(rule) if isinstance(n, NeedsReview))
    assert "sorafenib" in reason and "全身化疗" in review_reason_for_reader(reason, "zh")


# ------------------------------------------------------------------ a TKI line with progression, or a refusal

TKI = ("Received at least one line of therapy with a TKI (including, but not limited to sorafenib, lenvatinib, and/or "
       "regorafenib) with evidence of disease progression clinically or radiographically as deemed by investigator, or "
       "refused therapy with a TKI. No more than two lines of prior therapy are allowed.")  # NCT03382886 inc-2


@pytest.mark.parametrize("treatments, expected, why", [
    ([_line("sorafenib", line=1, stop_reason="progression", progression_date=date(2025, 12, 20))], "met",
     "one line of sorafenib with radiographic progression"),
    ([_line("sorafenib", line=1, stop_reason="progression"), _line("regorafenib", line=2, stop_reason="progression"),
      _line("cabozantinib", line=3, stop_reason="progression")], "not_met", "three systemic lines: more than two"),
    ([_line("atezolizumab", "bevacizumab", line=1, stop_reason="progression")], "needs_review",
     "no TKI: eligible only if the patient refused a TKI, which the record does not say"),
    ([_line("lenvatinib", line=1, stop_reason="progression"), _line("regorafenib", line=2, stop_reason="progression"),
      _line(kind="locoregional", agents=["tace"])], "needs_review",
     "two systemic lines and a TACE: three 'lines of prior therapy' if TACE counts as a line"),
])
def test_tki_line_with_progression_or_refusal_and_at_most_two_lines(treatments: list[TherapyLine], expected: str,
                                                                    why: str) -> None:
    assert _status(TKI, "inclusion", make_patient(treatments=treatments)) == expected, why


# ------------------------------------------------------------------ investigational or anticancer: either one

EITHER = "No other concurrent investigational drugs or anticancer agents"  # NCT01335074 inc-27


@pytest.mark.parametrize("line, expected, why", [
    (_line("lenvatinib", end=None, ongoing=True), "not_met", "on lenvatinib now: a concurrent anticancer drug"),
    (_line(kind="systemic", regimen="study drug in a phase 1 trial", end=None, ongoing=True, investigational=True),
     "not_met", "an investigational drug taken now"),
    (_line(kind="locoregional", agents=["tace"], start=date(2026, 3, 9), end=date(2026, 3, 9), investigational=True),
     "met", "an investigational TACE yesterday is a procedure, neither a drug nor going on"),
    (_line("sorafenib", end=date(2025, 12, 1)), "met", "sorafenib stopped in December: nothing concurrent"),
])
def test_investigational_drugs_or_anticancer_agents_are_two_alternatives(line: TherapyLine, expected: str,
                                                                         why: str) -> None:
    assert compiled_status(EITHER, "inclusion", make_patient(treatments=[line])) == expected, why


def test_initiation_of_therapy_stays_for_review() -> None:
    # "Initiation ... within 30 days" dates the start of a therapy; the window leaf reads the last dose
    rule = compile_criterion("Initiation of anti-tumor therapy including chemotherapy or investigational drug treatment "
                             "within 30 days before beginning study", role="exclusion")
    assert isinstance(rule, NeedsReview)


# ------------------------------------------------------------------ interferon

INTERFERON_HEPATITIS = "Concurrent interferon therapy against Hepatitis B Virus (HBV)/ Hepatitis C Virus (HCV)"
NOT_ON_INTERFERON = "Antiviral therapy for HCV and HBV is allowed, but patient should not be on interferon."


def _on(name: str, **kw: Any) -> Patient:
    med = ConcomitantMedication(name=name, start=date(2025, 11, 1), ongoing=True, **kw)
    return make_patient(concomitant_medications=[med])


@pytest.mark.parametrize("patient, expected, why", [
    (_on("peginterferon alfa-2a"), "needs_review", "on interferon: for hepatitis, or as an anticancer drug?"),
    (_on("entecavir"), "not_met", "entecavir is not interferon"),
])
def test_interferon_against_viral_hepatitis(patient: Patient, expected: str, why: str) -> None:
    assert _status(INTERFERON_HEPATITIS, "exclusion", patient) == expected, why


@pytest.mark.parametrize("patient, expected, why", [
    (_on("peginterferon alfa-2b"), "met", "on interferon now: excluded"),
    (_on("tenofovir"), "not_met", "another antiviral is allowed"),
])
def test_antivirals_allowed_but_not_interferon(patient: Patient, expected: str, why: str) -> None:
    assert compiled_status(NOT_ON_INTERFERON, "exclusion", patient) == expected, why


# ------------------------------------------------------------------ no systemic therapy; octreotide after a washout

OCTREOTIDE = ("Patients who have not received any systemic anti-cancer treatment for HCC such as: chemotherapy, "
              "immunotherapy, hormonal therapy, vaccines as well as any systemic agent given with antineoplastic intent, "
              "prior to study inclusion. (previous local therapy is permitted). Previous treatment with Octreotide is "
              "however allowed, provided that the administration of the drug was discontinued at least 7 days prior "
              "enrolment or at least 28 days if the LAR (long acting release) formulation of the drug was used.")  # NCT00619541


@pytest.mark.parametrize("treatments, expected, why", [
    ([_line(kind="locoregional", agents=["tace"])], "met", "TACE only: local therapy is permitted"),
    ([_line("sorafenib")], "not_met", "prior sorafenib is systemic anticancer therapy"),
    ([_line("octreotide", end=date(2026, 3, 1))], "met", "short-acting octreotide stopped 9 days ago (at least 7)"),
    ([_line("octreotide", end=date(2026, 3, 5))], "not_met", "short-acting octreotide stopped 5 days ago"),
    ([_line("octreotide LAR", end=date(2026, 2, 20))], "not_met", "octreotide LAR stopped 18 days ago (needs 28)"),
    ([_line("Sandostatin LAR", end=date(2026, 1, 20))], "met", "octreotide LAR stopped 49 days ago"),
    ([_line(kind="systemic", regimen="somatostatin analogue, name not recorded", end=date(2025, 12, 1))], "unknown",
     "a systemic line without its drug: octreotide, or another anticancer drug?"),
])
def test_no_systemic_anticancer_therapy_but_octreotide_after_a_washout(treatments: list[TherapyLine], expected: str,
                                                                       why: str) -> None:
    assert compiled_status(OCTREOTIDE, "inclusion", make_patient(treatments=treatments)) == expected, why
