"""A history item reviewed as complete on a date (issue 10, part 5: patient facts).

"No hepatic encephalopathy in the last 6 months" cannot be met from one old recorded episode:
another, recent episode may simply not be recorded.  Once the clinician records that the item's
history was reviewed as complete at screening (``Condition.reviewed_on``), the old episode is all
there was and the criterion is decided.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)
HE_6_MONTHS = "Hepatic encephalopathy within the last 6 months"


def _verdict(conditions: list[dict[str, Any]], text: str = HE_6_MONTHS) -> tuple[str, str]:
    """Status and reason, with what is missing appended to the reason."""
    rule = compile_criterion(text, role="exclusion")
    patient = Patient.model_validate({"patient_id": "p1", "conditions": conditions})
    v = evaluate_node(rule, PatientFacts(patient, SCREENING))
    return v.status, " | ".join((v.reason, *v.missing))


OLD_EPISODE = {"code": "hepatic_encephalopathy", "status": "resolved", "onset": "2024-01-05",
               "resolved_on": "2024-02-01"}


def test_an_old_episode_alone_leaves_a_recent_one_possible() -> None:
    status, reason = _verdict([OLD_EPISODE])
    assert status == "unknown"
    assert "not marked as reviewed" in reason


def test_an_old_episode_with_the_history_reviewed_at_screening_does_not_exclude() -> None:
    status, reason = _verdict([{**OLD_EPISODE, "reviewed_on": "2026-05-20"}])
    assert status == "not_met"  # the exclusion does not apply: the patient may join
    assert "reviewed complete 2026-05-20" in reason
    assert "hepatic_encephalopathy" not in reason  # clinical words, not internal codes


def test_a_review_long_before_screening_does_not_cover_the_months_since() -> None:
    status, reason = _verdict([{**OLD_EPISODE, "reviewed_on": "2026-01-20"}])
    assert status == "unknown"
    assert "more than 28 days before screening" in reason


def test_a_review_dated_after_screening_is_not_used() -> None:
    status, reason = _verdict([{**OLD_EPISODE, "reviewed_on": "2026-06-15"}])
    assert status == "unknown"
    assert "after the screening date" in reason


def test_a_recent_episode_excludes_whatever_the_review_says() -> None:
    recent = {"code": "hepatic_encephalopathy", "status": "resolved", "onset": "2026-03-01",
              "resolved_on": "2026-03-10", "reviewed_on": "2026-05-20"}
    status, _ = _verdict([recent])
    assert status == "met"  # the exclusion applies


def test_a_review_of_another_item_does_not_settle_this_one() -> None:
    other = {"code": "gi_bleeding", "status": "absent", "reviewed_on": "2026-05-20"}
    status, _ = _verdict([OLD_EPISODE, other])
    assert status == "unknown"


def test_an_episode_without_dates_stays_unknown_even_when_reviewed() -> None:
    undated = {k: v for k, v in OLD_EPISODE.items() if k not in ("onset", "resolved_on")}
    status, reason = _verdict([{**undated, "reviewed_on": "2026-05-20"}])
    assert status == "unknown"
    assert "date of" in reason
