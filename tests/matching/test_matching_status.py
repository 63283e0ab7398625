"""Recruiting status on a date, read against the record's recruitment window."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_matching import make_trial

from hcctrials.matching.status import evaluate_recruiting_status


def _t(status: str, start: str | None = "2025-01-01", end: str | None = "2026-12-31", **dates: str):  # type: ignore[no-untyped-def]
    return make_trial(overall_status=status, dates={"recruitment_start": start, "recruitment_end": end, **dates})


def test_recruiting_inside_window_is_open() -> None:
    r = evaluate_recruiting_status(_t("recruiting"), as_of=date(2025, 6, 1))
    assert (r.state, r.contradiction, r.offered) == ("open", None, True)


def test_recruiting_after_window_end_is_uncertain_and_says_why() -> None:
    r = evaluate_recruiting_status(_t("recruiting"), as_of=date(2027, 3, 1))
    assert r.state == "uncertain"
    assert "ended" in (r.contradiction or "")
    assert [f.code for f in r.findings] == ["stale_status"]


def test_grace_period_of_30_days() -> None:
    # Window ends 2026-12-31; 2027-01-30 is 30 days later: still within the grace period.
    assert evaluate_recruiting_status(_t("recruiting"), as_of=date(2027, 1, 30)).state == "open"
    assert evaluate_recruiting_status(_t("recruiting"), as_of=date(2027, 1, 31)).state == "uncertain"


@pytest.mark.parametrize("status", ["completed", "withdrawn", "terminated", "active_not_recruiting", "suspended"])
def test_closed_statuses_are_never_offered(status: str) -> None:
    r = evaluate_recruiting_status(_t(status), as_of=date(2025, 6, 1))
    assert r.state == "closed" and not r.offered


def test_completed_inside_window_names_the_contradiction() -> None:
    r = evaluate_recruiting_status(_t("completed"), as_of=date(2025, 6, 1))
    assert r.state == "closed" and "has not ended" in (r.contradiction or "")


def test_not_yet_recruiting_before_and_after_start() -> None:
    before = evaluate_recruiting_status(_t("not_yet_recruiting"), as_of=date(2024, 12, 1))
    assert before.state == "not_yet_open" and "2025-01-01" in before.reason
    after = evaluate_recruiting_status(_t("not_yet_recruiting"), as_of=date(2025, 6, 1))
    assert after.state == "uncertain" and "started" in (after.contradiction or "")


def test_seed000_not_yet_recruiting_with_window_started(seed_trials) -> None:
    # Seed 000: status 尚未开始 (not yet recruiting), window 2025-12-30 .. 2027-03-31.
    r = evaluate_recruiting_status(seed_trials["000"], as_of=date(2026, 6, 1))
    assert r.state == "uncertain" and r.contradiction
    r = evaluate_recruiting_status(seed_trials["000"], as_of=date(2025, 12, 1))
    assert r.state == "not_yet_open"


def test_unknown_status_uses_window_but_never_opens() -> None:
    inside = evaluate_recruiting_status(_t("unknown"), as_of=date(2025, 6, 1))
    assert inside.state == "uncertain" and "inside" in inside.reason
    ended = evaluate_recruiting_status(_t("unknown"), as_of=date(2028, 6, 1))
    assert ended.state == "closed"
    nothing = evaluate_recruiting_status(_t("unknown", None, None), as_of=date(2025, 6, 1))
    assert nothing.state == "uncertain"


def test_ctgov_without_window_uses_primary_completion() -> None:
    t = _t("recruiting", None, None, study_start="2020-01", primary_completion="2022-06")
    r = evaluate_recruiting_status(t, as_of=date(2025, 1, 1))
    assert r.state == "uncertain" and "primary completion" in (r.contradiction or "")
