"""Prior therapy named by drug class (issue 10, prior-therapy family, session 4).

Criteria quoted from the HINT HCC subset in ../shared; a patient's treatment history, the verdict a clinician
reads and why.  The classes are lexicon tags (docs/vocabulary.md): a drug the lexicon does not know stays
unresolved, so the answer for it is "unknown", never "not met".
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.patient import TherapyLine

CD137 = ("Prior treatment with CD137 agonists or immune checkpoint blockade therapies, including anti-CTLA-4, anti-PD-1, "
         "and anti-PD-L1 therapeutic antibodies")  # NCT05482516 exclusion 32
RAF = ("Prior use of Raf-Kinase inhibitors, MEK or Farnesyl Transferase Inhibitors. Any investigational drug therapy "
       "outside of this trial during or within 4 weeks of study entry.")  # NCT00619541 exclusion 18
CMET = "Prior therapy of c-Met inhibitor (including antibody)"  # NCT02029157 exclusion 2
HGF = "Prior treatment with any agent targeting the hepatocyte growth factor (HGF)/c-Met pathway"  # NCT01988493 exc 2
IMMUNE = "Prior exposure to immune-mediated therapy excluding therapeutic anticancer vaccines"  # NCT05883644 exc 17
COSTIM = ("Prior PD-1 or PD-L1 inhibitor therapy, or prior therapy with anti-PD-L2 or anti-CTLA-4 inhibitor, or any "
          "other drug specifically targeting T-cell co-stimulation or immune checkpoint pathways.")  # NCT03511222 exc 3
REGIMENS = "0-2 prior systemic chemotherapy and biologic regimens for hepatocellular carcinoma"  # NCT00516165 inc 3
MEDICAL = ("Subjects who have had prior chemotherapy or other medical agents used to treat hepatocellular "
           "carcinoma.")  # NCT00712790 exclusion 10
HEPATOBILIARY = "No prior chemotherapy for cholangiocarcinoma or hepatobiliary carcinoma"  # NCT00005997 inclusion 32


def _drug(*agents: str, line: int = 1, investigational: bool | None = None, start: date = date(2025, 1, 10),
          end: date | None = date(2025, 9, 1)) -> TherapyLine:
    return TherapyLine(kind="systemic", line=line, agents=list(agents), investigational=investigational, start=start,
                       end=end, ongoing=end is None)



@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("durvalumab", "tremelimumab")], "met", "anti-PD-L1 and anti-CTLA-4 antibodies"),
    ([_drug("urelumab", investigational=True)], "met", "urelumab is a CD137 (4-1BB) agonist"),
    ([_drug("lenvatinib")], "not_met", "a kinase inhibitor is neither"),
    ([_drug("utomilumab")], "met", "utomilumab is a CD137 agonist"),
])
def test_cd137_agonists_or_checkpoint_blockade(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert compiled_status(CD137, "exclusion", make_patient(treatments=lines)) == expected, why


def test_an_agonist_class_the_lexicon_does_not_know_stays_for_review() -> None:
    rule = compile_criterion("Prior treatment with OX40 agonists or sorafenib", role="exclusion")
    assert not is_fully_compiled(rule), describe(rule)


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("sorafenib")], "met", "sorafenib inhibits RAF kinase"),
    ([_drug("regorafenib")], "met", "regorafenib inhibits RAF kinase too"),
    ([_drug("trametinib")], "met", "trametinib is a MEK inhibitor"),
    ([_drug("tipifarnib")], "met", "tipifarnib is a farnesyltransferase inhibitor"),
    ([_drug("lenvatinib")], "not_met", "lenvatinib does not inhibit RAF; given long before the 4-week window"),
    ([_drug("brivanib", investigational=True, start=date(2026, 2, 20), end=None)], "met",
     "an investigational drug still taken at study entry"),
    ([_drug("brivanib", investigational=True, start=date(2025, 1, 1), end=date(2025, 6, 1))], "not_met",
     "an investigational drug stopped 9 months ago, and brivanib is no RAF/MEK/FT inhibitor"),
    ([_drug("vemurafenib")], "unknown", "a drug the lexicon does not know might be a RAF inhibitor"),
])
def test_raf_mek_farnesyltransferase_and_investigational_washout(lines: list[TherapyLine], expected: str,
                                                                  why: str) -> None:
    assert compiled_status(RAF, "exclusion", make_patient(treatments=lines)) == expected, why


@pytest.mark.parametrize("text", [CMET, HGF])
@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("tivantinib", line=2)], "met", "tivantinib is a c-Met inhibitor"),
    ([_drug("cabozantinib", line=2)], "met", "cabozantinib inhibits MET"),
    ([_drug("sorafenib")], "not_met", "sorafenib does not target MET"),
    ([TherapyLine(kind="systemic", regimen="targeted therapy abroad", start=date(2025, 1, 1))], "unknown",
     "the drug is not recorded"),
])
def test_c_met_pathway(text: str, lines: list[TherapyLine], expected: str, why: str) -> None:
    assert compiled_status(text, "exclusion", make_patient(treatments=lines)) == expected, why


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("atezolizumab", "bevacizumab")], "met", "a PD-L1 antibody is immune-mediated therapy"),
    ([_drug("thymalfasin")], "met", "thymalfasin is an immunomodulator"),
    ([_drug("sorafenib")], "not_met", "a kinase inhibitor only"),
])
def test_immune_mediated_therapy(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert compiled_status(IMMUNE, "exclusion", make_patient(treatments=lines)) == expected, why


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("nivolumab")], "met", "a PD-1 inhibitor"),
    ([_drug("urelumab")], "met", "a CD137 agonist targets T-cell co-stimulation"),
    ([_drug("sorafenib")], "not_met", "a kinase inhibitor only"),
])
def test_co_stimulation_or_checkpoint(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert compiled_status(COSTIM, "exclusion", make_patient(treatments=lines)) == expected, why


def test_chemotherapy_and_biologic_regimens_count_every_systemic_line() -> None:
    two = [_drug("sorafenib", line=1, end=date(2025, 4, 1)), _drug("regorafenib", line=2, start=date(2025, 4, 20))]
    three = two + [_drug("cabozantinib", line=3, start=date(2025, 10, 1), end=date(2026, 2, 1))]
    assert compiled_status(REGIMENS, "inclusion", make_patient(treatments=two)) == "met", "two regimens"
    assert compiled_status(REGIMENS, "inclusion", make_patient(treatments=three)) == "not_met", "three regimens"


def test_systemic_chemotherapy_alone_stays_for_review() -> None:
    """'More than 2 prior systemic chemotherapy': cytotoxic only, or any systemic drug?  Not decided here."""
    rule = compile_criterion("More than 2 prior systemic chemotherapy.", role="exclusion")
    assert not is_fully_compiled(rule), describe(rule)


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("sorafenib")], "met", "sorafenib is a medical agent used to treat HCC"),
    ([_drug("doxorubicin")], "met", "systemic chemotherapy"),
    ([TherapyLine(kind="surgery", regimen="right hepatectomy", start=date(2024, 6, 1), end=date(2024, 6, 1))],
     "not_met", "surgery only"),
])
def test_chemotherapy_or_other_medical_agents(lines: list[TherapyLine], expected: str, why: str) -> None:
    assert compiled_status(MEDICAL, "exclusion", make_patient(treatments=lines)) == expected, why


@pytest.mark.parametrize(("lines", "expected", "why"), [
    ([_drug("oxaliplatin", "fluorouracil", "leucovorin")], "not_met", "FOLFOX is chemotherapy for the HCC"),
    ([_drug("sorafenib")], "met", "sorafenib is not chemotherapy"),
])
def test_no_chemotherapy_for_hepatobiliary_carcinoma(lines: list[TherapyLine], expected: str, why: str) -> None:
    """'for cholangiocarcinoma or hepatobiliary carcinoma' names the cancer under study, not a diagnosis to require."""
    assert compiled_status(HEPATOBILIARY, "inclusion", make_patient(treatments=lines)) == expected, why


def test_a_non_steroidal_anti_inflammatory_drug_is_not_a_steroid() -> None:
    rule = compile_criterion("Chronic daily treatment with a non-steroidal anti-inflammatory drug (NSAID)", role="exclusion")
    assert "corticosteroid" not in describe(rule)





def test_a_braf_inhibitor_class_is_not_read_as_raf_kinase_inhibitors() -> None:
    """'BRAF inhibitor' means vemurafenib and the like: sorafenib would not be one to most clinicians (review)."""
    assert not is_fully_compiled(compile_criterion("Prior treatment with a BRAF inhibitor", role="exclusion"))
