"""Reasons said when first read (issue 12: a match decides thousands of rules by status and explains 20 trials).

A verdict's reason may be a function of what the rule found; it is said once, on first reading, and it is the same
message as said at once: the reason of a combined rule joins its children's, an exclusion's reads "not (...)".
Nothing that keeps a verdict may be kept by it in turn (the patient's facts keep the verdicts of their rules), or
every match would leave cyclic garbage for the collector instead of being freed when answered.
"""

from __future__ import annotations

import gc
import pickle
from datetime import date
from pathlib import Path

from hcctrials.criteria import PatientFacts, compile_criterion, evaluate_node
from hcctrials.criteria.evaluation.outcome import Verdict, combine_all, combine_any, negate
from hcctrials.patients import load_patient

AS_OF = date(2024, 6, 1)
EXAMPLE = Path(__file__).resolve().parents[3] / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml"
#: criteria whose rules say their reasons when read: history, prior therapy, labs (absolute and xULN), age, virology
TEXTS = [
    ("exclusion", "History of hepatic encephalopathy within the past 6 months"),
    ("exclusion", "Active autoimmune disease requiring systemic treatment in the past 2 years"),
    ("inclusion", "Progression on or intolerance to prior atezolizumab plus bevacizumab"),
    ("exclusion", "Prior treatment with more than 2 lines of systemic therapy"),
    ("inclusion", "Total bilirubin <= 1.5 x ULN"),
    ("inclusion", "Platelet count >= 75 x 10^9/L"),
    ("inclusion", "Age 18 to 75 years"),
    ("inclusion", "HBV DNA < 500 IU/mL and on antiviral therapy for patients with HBsAg positive"),
]


def test_a_combined_reason_is_said_when_read_and_equals_the_joined_reasons() -> None:
    said: list[str] = []

    def leaf(status: str, text: str) -> Verdict:
        def reason() -> str:
            said.append(text)
            return text
        return Verdict(status, reason)

    children = [leaf("met", "age 60"), leaf("unknown", "no bilirubin"), leaf("unknown", "no INR")]
    both = combine_all(children)
    either = combine_any(children)
    assert both.status == "unknown" and either.status == "met" and said == []  # nothing said yet
    assert both.reason == "no bilirubin; no INR" and either.reason == "age 60"
    assert negate(both).reason == "not (no bilirubin; no INR)" and negate(both).status == "unknown"
    assert said == ["no bilirubin", "no INR", "age 60"]  # each said once, however often read
    assert both.reason == "no bilirubin; no INR" and said == ["no bilirubin", "no INR", "age 60"]


def test_a_verdict_compares_and_pickles_with_its_reason_said() -> None:
    lazy = Verdict("not_met", lambda: "ECOG 2 (criterion: 0, 1)", ("x",))
    eager = Verdict("not_met", "ECOG 2 (criterion: 0, 1)", ("x",))
    assert lazy == eager and hash(lazy) == hash(eager)
    assert pickle.loads(pickle.dumps(lazy)) == eager
    assert "ECOG 2" in repr(lazy)


def test_the_rules_read_from_the_record_leave_no_cyclic_garbage() -> None:
    patient = load_patient(EXAMPLE)
    rules = [compile_criterion(text, role=role) for role, text in TEXTS]  # type: ignore[arg-type]
    gc.collect()
    gc.disable()
    try:
        for read_reasons in (False, True):  # a match reads most verdicts' status alone, and explains a few
            facts = PatientFacts(patient, AS_OF)
            verdicts = [evaluate_node(rule, facts) for rule in rules]
            assert {v.status for v in verdicts} >= {"met", "unknown"}
            if read_reasons:
                assert all(str(v.reason) for v in verdicts)
            del facts, verdicts
            assert gc.collect() == 0, read_reasons  # all freed by reference counting
    finally:
        gc.enable()
