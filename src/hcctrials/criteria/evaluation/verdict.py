"""The trial verdict: one decision, used by every command, API route and batch path.

A trial's verdict for a patient follows from the status of each of its criteria in the
trial's view (an exclusion criterion is negated first: "met" means the patient passes it):

* **ineligible** when any criterion is *not met* (an inclusion the patient fails, or an
  exclusion that applies);
* **possibly eligible** when none fails but any is undecided: *unknown* (the record lacks the
  data; the criterion names what to measure) or *needs review* (the compiler could not read
  the text exactly, so a person must);
* **eligible** only when every criterion is decided and passed.  Administrative criteria
  (consent, contraception, compliance, the investigator's judgement) are decided at the site,
  not from the record: they are listed as "check with the site" and do not block the verdict;
* **unknown: criteria not in the record** when the record carries no criteria text at all
  (e.g. a CT.gov CSV export row): never "eligible".

Issue 10: "A wrong answer is worse than 'needs review'"; "No path says 'eligible' while any
criterion is undecided; a record with no criteria is never eligible."

The vectorised paths (:class:`~hcctrials.criteria.catalog.CompiledCatalog`, the columnar cohort
evaluator) use :data:`TRIAL_CODE` and :data:`TRIAL_VERDICTS` from here; property tests check they
agree with :func:`decide_trial_verdict`.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["TRIAL_VERDICTS", "TRIAL_CODE", "ELIGIBLE", "POSSIBLY_ELIGIBLE", "INELIGIBLE", "NO_CRITERIA",
           "decide_trial_verdict", "trial_code"]

#: Trial verdicts by code; the code of a trial is the maximum of its criteria's codes (or 3 without criteria).
TRIAL_VERDICTS = ("eligible", "possibly_eligible", "ineligible", "unknown_no_criteria")
ELIGIBLE, POSSIBLY_ELIGIBLE, INELIGIBLE, NO_CRITERIA = 0, 1, 2, 3

#: Criterion status in the trial's view -> 0 decided and passed, 1 undecided, 2 failed.
TRIAL_CODE = {"met": ELIGIBLE, "administrative": ELIGIBLE, "unknown": POSSIBLY_ELIGIBLE,
              "needs_review": POSSIBLY_ELIGIBLE, "not_met": INELIGIBLE}


def trial_code(status: str) -> int:
    """The code (0 passed, 1 undecided, 2 failed) of one criterion's status in the trial's view."""
    return TRIAL_CODE[status]


def decide_trial_verdict(statuses: Iterable[str]) -> str:
    """The trial verdict from its criteria's statuses in the trial's view (see the module docstring).

    >>> decide_trial_verdict(["met", "needs_review", "administrative"])
    'possibly_eligible'
    >>> decide_trial_verdict(["met", "administrative"])
    'eligible'
    >>> decide_trial_verdict([])
    'unknown_no_criteria'
    """
    codes = [TRIAL_CODE[s] for s in statuses]
    if not codes:
        return TRIAL_VERDICTS[NO_CRITERIA]
    return TRIAL_VERDICTS[max(codes)]
