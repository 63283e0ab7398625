"""One trial verdict for every path (issue 10): eligible only when every criterion is decided."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from hcctrials.criteria import CompiledCatalog, CompiledTrial, PatientFacts, compile_criterion, evaluate_trial
from hcctrials.criteria.evaluation.verdict import TRIAL_VERDICTS, decide_trial_verdict
from hcctrials.model.eligibility import Criterion
from hcctrials.model.patient import Patient

AS_OF = date(2026, 6, 1)
STATUSES = ["met", "not_met", "unknown", "needs_review", "administrative"]


def test_a_criterion_that_needs_review_keeps_a_trial_from_eligible() -> None:
    assert decide_trial_verdict(["met", "met", "needs_review"]) == "possibly_eligible"
    assert decide_trial_verdict(["met", "unknown"]) == "possibly_eligible"
    assert decide_trial_verdict(["met", "administrative"]) == "eligible"
    assert decide_trial_verdict(["needs_review", "not_met"]) == "ineligible"


def test_a_record_without_criteria_is_never_eligible() -> None:
    """The C-CAR031 CSV row has no criteria text: `criteria evaluate` said "eligible" (issue 10)."""
    patient = Patient(patient_id="P", birth_date=date(1960, 1, 1))
    assert evaluate_trial(CompiledTrial("CTGOV-CSV-92dd2bf30d5d", []), patient, as_of=AS_OF).status == \
        "unknown_no_criteria"
    codes = CompiledCatalog([CompiledTrial("X", [])]).evaluate(PatientFacts(patient, AS_OF))
    assert TRIAL_VERDICTS[int(codes[0])] == "unknown_no_criteria"


def _criterion(text: str, role: str, number: int) -> Criterion:
    return Criterion(number=str(number), role=role, text=text, language="en",  # type: ignore[arg-type]
                     rule=compile_criterion(text, role=role))  # type: ignore[arg-type]


TEXTS = [("inclusion", "Age 18 years or older"), ("inclusion", "ECOG performance status 0-1"),
         ("exclusion", "History of hepatic encephalopathy"), ("inclusion", "Able to swallow tablets whole"),
         ("inclusion", "Signed informed consent"), ("exclusion", "Known HIV infection")]


@given(st.lists(st.sampled_from(range(len(TEXTS))), min_size=0, max_size=6),
       st.sampled_from([None, 0, 1, 2]), st.booleans())
def test_scalar_and_catalog_paths_give_the_same_verdict(picks: list[int], ecog: int | None, reviewed: bool) -> None:
    trial = CompiledTrial("T", [_criterion(TEXTS[k][1], TEXTS[k][0], i) for i, k in enumerate(picks)])
    patient = Patient(patient_id="P", birth_date=date(1960, 1, 1), ecog=ecog, history_reviewed=reviewed)
    scalar = evaluate_trial(trial, patient, as_of=AS_OF)
    catalog = CompiledCatalog([trial]).evaluate(PatientFacts(patient, AS_OF))
    assert TRIAL_VERDICTS[int(catalog[0])] == scalar.status
    active = [r.status for r in scalar.results]
    assert scalar.status == decide_trial_verdict(active)
    if scalar.status == "eligible":
        assert not any(s in ("unknown", "needs_review") for s in active)
