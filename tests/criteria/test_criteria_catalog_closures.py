"""The catalog's compiled rule closures compute exactly what the rule interpreter computes."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from hcctrials.criteria.catalog import (
    _ALL_CODE,
    _ALL_RANK,
    _ANY_CODE,
    _ANY_RANK,
    _all,
    _any,
    _compile_program,
    _run,
)

N_LEAVES = 6


def test_rank_tables_equal_the_combination_rules_on_every_code_list() -> None:
    for n in range(1, 5):
        for codes in itertools.product(range(5), repeat=n):
            assert _ALL_CODE[max(_ALL_RANK[c] for c in codes)] == _all(list(codes)), codes
            assert _ANY_CODE[max(_ANY_RANK[c] for c in codes)] == _any(list(codes)), codes


programs = st.recursive(
    st.integers(min_value=0, max_value=N_LEAVES - 1),
    lambda inner: st.one_of(
        st.tuples(st.just("n"), inner),
        st.tuples(st.sampled_from(["a", "o"]), st.lists(inner, min_size=1, max_size=4).map(tuple)),
    ),
    max_leaves=12,
)


@given(programs, st.lists(st.integers(min_value=0, max_value=4), min_size=N_LEAVES, max_size=N_LEAVES))
def test_compiled_closure_equals_interpreter(program: object, leaf_codes: list[int]) -> None:
    assert _compile_program(program)(leaf_codes) == _run(program, leaf_codes)
