"""Splitting criteria text into items (``criteria/text/split.py``, ``split_criteria``): one-line lists,
sub-items, decimals and headers that set roles.

From ``tests/criteria/test_criteria_compile_examples.py`` (3 of its 4 tests; the others are in
``compiler/test_compiler_pipeline.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from hcctrials.criteria import split_criteria


def test_chictr_one_line_list_is_split() -> None:
    items = split_criteria("1. 年龄18-75岁;2. ECOG 0-1;3. Child-Pugh A级", role="inclusion").items
    assert [(i.number, i.text) for i in items] == [("1", "年龄18-75岁;"), ("2", "ECOG 0-1;"), ("3", "Child-Pugh A级")]


def test_sub_items_stay_with_parent_and_decimals_do_not_split() -> None:
    text = "1. Adequate function:\n (1) ANC ≥ 1.5×10^9/L\n (2) INR ≤ 1.5\n2. ECOG 0 or 1. 3. Age ≥ 18"
    items = split_criteria(text).items
    assert [i.number for i in items] == ["1", "2", "3"]
    assert "(2) INR ≤ 1.5" in items[0].text


def test_headers_set_roles() -> None:
    items = split_criteria("纳入标准:\n1. 年龄≥18岁\n排除标准:\n1. 妊娠").items
    assert [(i.role, i.number) for i in items] == [("inclusion", "1"), ("exclusion", "1")]
