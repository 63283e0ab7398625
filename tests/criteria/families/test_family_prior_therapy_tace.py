"""TACE is chemoembolization, not every transarterial procedure (issue 10, prior-therapy family).

"Patients who have been treated with TACE or chemotherapy within the last 28 days" (NCT02716012) and "Prior
transarterial chemo-embolization (TACE) at least 28 days prior to initiation of protocol therapy" (NCT01618253).
Chemoembolization is TACE in any form (conventional lipiodol TACE, drug-eluting beads); radioembolization (TARE,
Y-90), bland embolization (TAE) and hepatic arterial infusion chemotherapy (HAIC) are other transarterial
procedures.  A record of "TAE/TACE", or of a transarterial therapy without its technique, leaves the answer open.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import TherapyLine

WASHOUT = "Patients who have been treated with TACE or chemotherapy within the last 28 days"
REQUIRED = "Prior transarterial chemo-embolization (TACE) at least 28 days prior to initiation of protocol therapy."


def _procedure(regimen: str, day: date = date(2026, 2, 20)) -> TherapyLine:
    return TherapyLine(kind="locoregional", regimen=regimen, start=day, end=day)


@pytest.mark.parametrize(("regimen", "expected", "why"), [
    ("TACE", "met", "TACE 18 days ago"),
    ("DEB-TACE", "met", "drug-eluting bead TACE is TACE"),
    ("TARE", "not_met", "radioembolization is not chemoembolization"),
    ("bland embolization", "not_met", "bland embolization (TAE) carries no chemotherapy"),
    ("TAE/TACE", "unknown", "'TAE/TACE': bland embolization or chemoembolization?"),
    ("transarterial therapy", "unknown", "the technique is not recorded"),
])
def test_tace_within_28_days(regimen: str, expected: str, why: str) -> None:
    rule = compile_criterion(WASHOUT, role="exclusion")
    assert is_fully_compiled(rule), describe(rule)
    patient = make_patient(treatments=[_procedure(regimen)])
    assert evaluate_node(rule, PatientFacts(patient, AS_OF)).status == expected, why


@pytest.mark.parametrize(("line", "expected", "why"), [
    (_procedure("conventional TACE", date(2025, 11, 3)), "met", "cTACE four months ago"),
    (_procedure("Y-90 radioembolization", date(2025, 11, 3)), "not_met", "a TARE is not the required TACE"),
])
def test_prior_tace_required(line: TherapyLine, expected: str, why: str) -> None:
    rule = compile_criterion(REQUIRED, role="inclusion")
    assert is_fully_compiled(rule), describe(rule)
    assert evaluate_node(rule, PatientFacts(make_patient(treatments=[line]), AS_OF)).status == expected, why
