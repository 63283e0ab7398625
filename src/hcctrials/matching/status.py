"""Recruiting status of a trial on a date: the record's status read against its window.

Rules (issue 4: "say when the record's status contradicts its recruiting window instead of
trusting either silently; a completed or withdrawn trial is never offered as open"):

* ``completed``, ``withdrawn``, ``terminated``, ``active_not_recruiting``, ``suspended``:
  **closed**, whatever the window says; a window still running is named as a contradiction.
* ``recruiting`` / ``enrolling_by_invitation``: **open**, unless the recruitment window (or,
  for ClinicalTrials.gov records that publish no recruitment window, the primary completion
  date) ended more than ``grace_days`` before *as_of*: then **uncertain** with the
  contradiction named (the registry was probably not updated).
* ``not_yet_recruiting``: **not yet open** before the recruitment start; more than
  ``grace_days`` after it (and before its end) **uncertain** (probably open, status stale);
  after the end **uncertain**.
* ``unknown`` status: **closed** when the window ended more than ``grace_days`` before
  *as_of*, otherwise **uncertain** ("status not stated"): a window alone never makes a trial open.

The data-quality finding itself is :func:`hcctrials.sources.quality.check_status_window`
(``stale_status``), attached to the result so reports can list it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, TypedDict

from hcctrials.i18n import Msg, msg
from hcctrials.model.trial import Finding, OverallStatus, Trial, partial_date_bounds

__all__ = ["RecruitingState", "RecruitingStatus", "evaluate_recruiting_status", "STATE_ORDER"]

RecruitingState = Literal["open", "not_yet_open", "uncertain", "closed"]

#: Ranking order of states (open trials first).
STATE_ORDER: dict[str, int] = {"open": 0, "uncertain": 1, "not_yet_open": 2, "closed": 3}

_CLOSED = {OverallStatus.COMPLETED, OverallStatus.WITHDRAWN, OverallStatus.TERMINATED,
           OverallStatus.ACTIVE_NOT_RECRUITING, OverallStatus.SUSPENDED}
_OPEN = {OverallStatus.RECRUITING, OverallStatus.ENROLLING_BY_INVITATION}


@dataclass(frozen=True)
class RecruitingStatus:
    """Whether the trial recruits on ``as_of``, why, and any contradiction in the record."""

    state: RecruitingState
    record_status: str
    as_of: date
    reason: str
    contradiction: str | None = None
    window: tuple[str | None, str | None] = (None, None)
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def offered(self) -> bool:
        """Shown to a patient as a possibility (never when closed)."""
        return self.state != "closed"


class _StatusFields(TypedDict):
    """The fields every :class:`RecruitingStatus` of one evaluation shares."""

    record_status: str
    as_of: date
    window: tuple[str | None, str | None]
    findings: tuple[Finding, ...]


def _window(trial: Trial) -> tuple[str | None, str | None, bool]:
    """(start, end, whether it is the recruitment window) of the window the status is read against."""
    d = trial.dates
    if d.recruitment_start or d.recruitment_end:
        return d.recruitment_start, d.recruitment_end, True
    return d.study_start, d.primary_completion, False


def _span(recruitment: bool, start: str | None, end: str | None) -> Msg:
    if recruitment:
        return msg("recruitment window {start} to {end}", start=start or "?", end=end or "?")
    return msg("study start to primary completion {start} to {end}", start=start or "?", end=end or "?")


def evaluate_recruiting_status(trial: Trial, *, as_of: date, grace_days: int = 30) -> RecruitingStatus:
    """The recruiting state of *trial* on *as_of* (rules in the module docstring)."""
    from hcctrials.sources.quality import check_status_window

    start_s, end_s, recruitment = _window(trial)
    start = partial_date_bounds(start_s)[0] if start_s else None
    end = partial_date_bounds(end_s)[1] if end_s else None
    grace = timedelta(days=grace_days)
    status = trial.overall_status
    findings = tuple(check_status_window(trial, as_of=as_of, grace_days=grace_days))
    base = _StatusFields(record_status=status.value, as_of=as_of, window=(start_s, end_s), findings=findings)
    span = _span(recruitment, start_s, end_s)
    day = as_of.isoformat()
    in_window = (start is None or start <= as_of) and (end is None or as_of <= end)

    if status in _CLOSED:
        contradiction = None
        if end is not None and as_of <= end and (start is None or start <= as_of) and \
                status in (OverallStatus.COMPLETED, OverallStatus.WITHDRAWN):
            contradiction = msg("status {status!r} although the {span} has not ended on {date}", status=status.value, span=span, date=day)
        return RecruitingStatus("closed", reason=msg("record status {status}", status=status.value), contradiction=contradiction, **base)
    if status in _OPEN:
        if end is not None and end + grace < as_of:
            return RecruitingStatus(
                "uncertain", reason=msg("record says recruiting but its window has ended; check with the site"),
                contradiction=msg("status {status!r} but the {span} ended before {date}", status=status.value, span=span, date=day), **base)
        if start is not None and as_of + grace < start:
            return RecruitingStatus(
                "uncertain", reason=msg("record says recruiting but its window has not started"),
                contradiction=msg("status {status!r} but the {span} starts after {date}", status=status.value, span=span, date=day), **base)
        return RecruitingStatus("open", reason=msg("record status {status} ({span})", status=status.value, span=span), **base)
    if status is OverallStatus.NOT_YET_RECRUITING:
        if end is not None and end < as_of:
            return RecruitingStatus(
                "uncertain", reason=msg("record says not yet recruiting but its window has ended"),
                contradiction=msg("status 'not_yet_recruiting' but the {span} ended before {date}", span=span, date=day), **base)
        if start is not None and start + grace < as_of:
            return RecruitingStatus(
                "uncertain", reason=msg("probably recruiting: the window started, the status was not updated"),
                contradiction=msg("status 'not_yet_recruiting' but the {span} started {days} days before {date}",
                                            span=span, days=(as_of - start).days, date=day), **base)
        reason = (msg("record status not_yet_recruiting; opens {start}", start=start_s) if start_s
                  else msg("record status not_yet_recruiting"))
        return RecruitingStatus("not_yet_open", reason=reason, **base)
    # unknown status: the window alone cannot make a trial open
    if start is None and end is None:
        return RecruitingStatus("uncertain", reason=msg("recruiting status not in the record and no window"), **base)
    if end is not None and end + grace < as_of:
        return RecruitingStatus("closed", reason=msg("recruiting status not in the record; the {span} ended before {date}", span=span, date=day),
                                **base)
    reason = (msg("recruiting status not in the record; {date} is inside the {span}", date=day, span=span) if in_window
              else msg("recruiting status not in the record; {date} is outside the {span}", date=day, span=span))
    return RecruitingStatus("uncertain", reason=reason, **base)
