"""Other-malignancy criteria read as a whole (issue 10, session 5; ``read_named_criterion`` in
criteria/families/malignancy.py).  Screening date ``AS_OF`` (2026-03-10); the base patient's history is reviewed."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Condition, Patient

NO_ACTIVE = ("No active malignancy except for nonmelanoma skin cancer or in situ cervical cancer. Patients surviving a cancer "
             "that was curatively treated and without evidence of disease for more than 3 years before the trial are allowed.")
REQUIRING = ("Other malignancy requiring treatment in the prior 2 years with the exception of locally treated squamous or "
             "basal cell carcinoma.")
ANOTHER_PRIMARY = ("Patient has another primary tumor, with the exception of conventional basal cell carcinoma, superficial "
                   "bladder cancer, melanoma in situ, or treated prostate cancer currently without biochemical or "
                   "radiographic evidence of active disease")
CONCURRENT_5Y = "Concurrent cancer within ≤5 years prior to the randomization"


def _cancer(**kw: object) -> Condition:
    kw.setdefault("malignancy_type", "other")
    return Condition(code="other_malignancy", **kw)  # type: ignore[arg-type]


def _status(text: str, patient: Patient) -> str:
    """Verdict of a rule that may keep a bounded review part (decided wherever that part cannot matter)."""
    return evaluate_node(compile_criterion(text, role="exclusion"), PatientFacts(patient, AS_OF)).status


@pytest.mark.parametrize(("cancer", "expected", "why"), [
    (_cancer(name="prostate cancer on androgen deprivation", onset=date(2025, 4, 1), status="active"), "met",
     "an active cancer other than skin or cervical in situ"),
    (_cancer(name="basal cell carcinoma of the back", onset=date(2026, 1, 5), status="active", malignancy_type="skin_basal_cell"),
     "not_met", "non-melanoma skin cancer is excepted"),
    (_cancer(name="breast cancer", onset=date(2019, 2, 1), resolved_on=date(2019, 9, 1), status="resolved", cured=True),
     "not_met", "curatively treated and without disease for more than 3 years: allowed"),
    (_cancer(name="colon cancer", onset=date(2024, 2, 1), resolved_on=date(2024, 8, 1), status="resolved", cured=True),
     "needs_review", "no longer active, but disease-free for under 3 years: the text does not say"),
])
def test_no_active_malignancy_with_survivor_note(cancer: Condition, expected: str, why: str) -> None:
    assert _status(NO_ACTIVE, make_patient(conditions=[cancer])) == expected, why


def test_no_active_malignancy_without_any_cancer_in_a_reviewed_history() -> None:
    assert _status(NO_ACTIVE, make_patient()) == "not_met"


@pytest.mark.parametrize(("cancer", "expected", "why"), [
    (_cancer(name="rectal cancer after chemoradiation and surgery", onset=date(2025, 1, 10), resolved_on=date(2025, 7, 1),
             status="resolved"), "met", "treated within the prior 2 years"),
    (_cancer(name="lung cancer on chemotherapy", onset=date(2026, 1, 10), status="active", requires_systemic_treatment=True),
     "met", "requires treatment now"),
    (_cancer(name="prostate cancer on active surveillance", onset=date(2025, 3, 1), status="active"), "unknown",
     "active, but whether it requires treatment is not recorded"),
    (_cancer(name="squamous cell carcinoma of the skin, excised", onset=date(2025, 8, 1), status="resolved", cured=True,
             malignancy_type="skin_squamous_cell"), "not_met", "locally treated skin squamous cell carcinoma is excepted"),
    (_cancer(name="prostate cancer", onset=date(2015, 3, 1), resolved_on=date(2015, 8, 1), status="resolved", cured=True),
     "not_met", "last treated in 2015"),
])
def test_malignancy_requiring_treatment_in_two_years(cancer: Condition, expected: str, why: str) -> None:
    assert compiled_status(REQUIRING, "exclusion", make_patient(conditions=[cancer])) == expected, why


@pytest.mark.parametrize(("cancer", "expected", "why"), [
    (_cancer(name="non-small cell lung cancer", onset=date(2026, 1, 15), status="active"), "met", "an active lung cancer"),
    (_cancer(name="superficial bladder cancer (pTa)", onset=date(2024, 5, 1), status="resolved",
             malignancy_type="bladder_superficial"), "not_met", "superficial bladder cancer is excepted"),
    (_cancer(name="melanoma in situ, excised", onset=date(2024, 5, 1), status="resolved", cured=True,
             malignancy_type="other_in_situ"), "needs_review", "the record's type does not say melanoma in situ"),
])
def test_another_primary_tumour_with_exceptions(cancer: Condition, expected: str, why: str) -> None:
    assert _status(ANOTHER_PRIMARY, make_patient(conditions=[cancer])) == expected, why


def test_concurrent_cancer_within_five_years_stays_for_review() -> None:
    # whether a cancer cured 4 years ago is "concurrent" needs reading (test_family_malignancy.py)
    from hcctrials.criteria.compiler.compile import is_fully_compiled

    assert not is_fully_compiled(compile_criterion(CONCURRENT_5Y, role="exclusion"))


def test_inclusion_wording_is_not_read_by_the_whole_readers() -> None:
    from hcctrials.criteria.families.malignancy import read_malignancy_criterion

    assert read_malignancy_criterion(CONCURRENT_5Y, "inclusion") is None
