"""Investigational-drug washouts and concurrent trial participation (issue 10, washout family, session 4).

Criteria quoted from the HINT HCC subset in ../shared; screening date helpers_criteria.AS_OF (2026-03-10).  An
investigational line is TherapyLine.investigational; a line whose status is not recorded leaves the answer open.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model.patient import TherapyLine

OUTSIDE = "Any investigational drug therapy outside of this trial during or within 4 weeks of study entry."
CONCURRENT = "Concurrent participation in another clinical trial involving experimental treatment;"  # NCT00122876 exc 9
SYSTEMIC = "Prior use of systemic investigational agents for HCC"  # NCT01335074 exclusion 2


def _line(investigational: bool | None, start: date, end: date | None, kind: str = "systemic") -> TherapyLine:
    return TherapyLine(kind=kind, agents=["brivanib"] if kind == "systemic" else [],  # type: ignore[arg-type]
                       regimen=None if kind == "systemic" else "TACE", investigational=investigational,
                       start=start, end=end, ongoing=end is None)


@pytest.mark.parametrize(("line", "expected", "why"), [
    (_line(True, date(2026, 1, 5), date(2026, 2, 20)), "met", "an investigational drug stopped 18 days ago"),
    (_line(True, date(2025, 6, 1), date(2025, 12, 1)), "not_met", "stopped more than 4 weeks ago"),
    (_line(True, date(2026, 2, 1), None), "met", "still taking it ('during')"),
    (_line(None, date(2026, 2, 1), None), "unknown", "a current drug of unrecorded status"),
    (_line(False, date(2026, 2, 1), None), "not_met", "a current approved drug"),
])
def test_investigational_drug_outside_this_trial_within_4_weeks(line: TherapyLine, expected: str, why: str) -> None:
    assert compiled_status(OUTSIDE, "exclusion", make_patient(treatments=[line])) == expected, why


def test_the_outside_trial_wording_is_read_only_in_an_exclusion_list() -> None:
    rule = compile_criterion(OUTSIDE, role="inclusion")
    assert "investigational, within 28 d" not in describe(rule) or not is_fully_compiled(rule)


def test_concurrent_participation_keeps_its_qualifier() -> None:
    """Audit replay (tests/criteria/compiler/test_compiler_precision_audits.py): the rule that dropped 'Concurrent'
    went to review; since session 6 the whole criterion is read with it (an investigational line taken now,
    criteria/families/medication_readers.py), so a trial drug finished in 2020 no longer excludes."""
    rule = compile_criterion(CONCURRENT, role="exclusion")
    assert is_fully_compiled(rule) and "within 0 d" in describe(rule)
    old = _line(True, date(2020, 1, 1), date(2020, 6, 1))
    assert compiled_status(CONCURRENT, "exclusion", make_patient(treatments=[old])) == "not_met"


def test_systemic_investigational_agents_keep_their_qualifier() -> None:
    """Audit replay: the rule that dropped 'systemic' went to review; since session 6 it is read with it (a systemic
    line recorded as investigational), so an investigational TACE no longer excludes."""
    rule = compile_criterion(SYSTEMIC, role="exclusion")
    assert is_fully_compiled(rule) and "kinds systemic" in describe(rule)
    tace = TherapyLine(kind="locoregional", agents=["tace"], investigational=True, start=date(2025, 5, 1),
                       end=date(2025, 5, 1))
    assert compiled_status(SYSTEMIC, "exclusion", make_patient(treatments=[tace])) == "not_met"
