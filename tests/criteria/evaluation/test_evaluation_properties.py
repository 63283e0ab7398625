"""Invariants of the three-valued logic, the compiler and the splitter (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from helpers_criteria import AS_OF, lab, make_patient

from hcctrials.criteria import PatientFacts, compile_criterion, evaluate_node, split_criteria
from hcctrials.criteria.evaluation.evaluate import Verdict, combine_all, combine_any, negate
from hcctrials.model.eligibility import AllOf, LabThreshold, NeedsReview, Node, Not, node_adapter

statuses = st.sampled_from(["met", "not_met", "unknown", "administrative", "needs_review"])
verdicts = statuses.map(lambda s: Verdict(s, s, ("x",) if s == "unknown" else ()))


@given(st.lists(verdicts, max_size=6))
def test_all_of_with_a_not_met_child_is_not_met(children: list[Verdict]) -> None:
    assert combine_all([*children, Verdict("not_met", "no")]).status == "not_met"


@given(st.lists(verdicts, max_size=6))
def test_any_of_with_a_met_child_is_met(children: list[Verdict]) -> None:
    assert combine_any([Verdict("met", "yes"), *children]).status == "met"


@given(verdicts)
def test_double_negation_is_identity(v: Verdict) -> None:
    assert negate(negate(v)).status == v.status


COMPARATORS = st.sampled_from(["<", "<=", ">", ">="])


@settings(max_examples=60, deadline=None)
@given(COMPARATORS, st.floats(min_value=1, max_value=500), st.floats(min_value=0, max_value=1000))
def test_unknown_never_becomes_met_by_adding_failing_data(cmp: str, threshold: float, value: float) -> None:
    node = LabThreshold(analyte="platelets", comparator=cmp, value=threshold, unit="10^9/L")  # type: ignore[arg-type]
    rule = AllOf(children=[node, LabThreshold(analyte="anc", comparator=">=", value=1.5, unit="10^9/L")])
    before = evaluate_node(rule, PatientFacts(make_patient(drop_labs=("platelets",)), AS_OF)).status
    assert before == "unknown"
    after = evaluate_node(rule, PatientFacts(make_patient(labs={"platelets": lab("platelets", value, "10^9/L")}), AS_OF))
    direct = evaluate_node(node, PatientFacts(make_patient(labs={"platelets": lab("platelets", value, "10^9/L")}), AS_OF))
    if direct.status == "not_met":
        assert after.status == "not_met"


@settings(max_examples=40, deadline=None)
@given(COMPARATORS, st.floats(min_value=0.5, max_value=10))
def test_not_not_evaluates_like_the_node(cmp: str, mult: float) -> None:
    node: Node = LabThreshold(analyte="alt", comparator=cmp, uln_multiple=mult)  # type: ignore[arg-type]
    facts = PatientFacts(make_patient(), AS_OF)
    assert evaluate_node(Not(child=Not(child=node)), facts).status == evaluate_node(node, facts).status


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_compile_never_raises(text: str) -> None:
    node = compile_criterion(text, role="inclusion")
    node_adapter.validate_json(node_adapter.dump_json(node))  # and the result round-trips through JSON


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("1234567890.、()（）①②;；。 \nabc纳入标准排除:-•ECOG≤≥")), max_size=200))
def test_splitting_keeps_all_text(text: str) -> None:
    result = split_criteria(text)
    covered = [False] * len(text)
    for item in result.items:
        for i in range(item.start, item.end):
            covered[i] = True
    for s, e, _ in result.dropped:
        for i in range(s, e):
            covered[i] = True
    lost = "".join(c for c, ok in zip(text, covered) if not ok and not c.isspace())
    assert lost == "", (text, result)


def test_needs_review_is_kept_with_its_text() -> None:
    node = compile_criterion("The subject must have a lung shunt fraction of 20% or less", role="inclusion")
    assert isinstance(node, NeedsReview) and "lung shunt fraction" in node.reason
    assert node.source is not None and node.source.text.startswith("The subject")
