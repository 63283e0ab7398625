"""Issue 11: tokenising and dose parsing stay linear in the length of the text.

Before, ``_CJK_CHUNK`` rescanned an unbroken ASCII token from every position (40k characters:
25 s, 500 KB never ended) and jieba's time grew faster than linearly on one long Chinese run.
Limits are enforced by an alarm; they are not measurements.
"""

from __future__ import annotations

import random
import re

import pytest
from deadline import within
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.vocab import segment
from hcctrials.vocab.dose import parse_doses
from hcctrials.vocab.segment import tokenize




@pytest.mark.parametrize("text", ["a" * 500_000, "a1-" * 100_000 + "中", "pd-1" * 50_000])
def test_long_ascii_token_is_linear(text: str) -> None:
    segment.get_tokenizer()
    with within(10):
        tokenize(text)


def test_long_chinese_run_is_cut_for_jieba() -> None:
    segment.get_tokenizer()
    rng = random.Random(11)
    text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(120_000))
    with within(20):
        tokens = tokenize(text)
    assert "".join(tokens) == text


_OLD_CHUNK = re.compile(f"[a-z0-9+\\-]*(?:[{segment._CJK}]+[a-z0-9+\\-]*)+")


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["a", "1", "-", "+", "中", "肝癌", " ", ".", "PD", "K药", "b2"]), max_size=12)
       .map("".join))
def test_chunks_are_the_former_chunks(text: str) -> None:
    """The linear run-and-check finds exactly the chunks of the former pattern."""
    folded = segment.fold_text(text)
    old = [m.span() for m in _OLD_CHUNK.finditer(folded)]
    new = [m.span() for m in segment._RUN.finditer(folded) if segment._HAS_CJK.search(m.group())]
    assert new == old


@pytest.mark.parametrize("text", ["1" * 100_000, "1-" * 50_000, " " * 100_000 + "and",
                                  "400 mg" + " " * 100_000 + "given"])
def test_dose_patterns_are_linear(text: str) -> None:
    with within(5):
        parse_doses(text)


def test_dose_parsing_is_unchanged_on_ordinary_text() -> None:
    [dose] = parse_doses("索拉非尼 400 mg bid")
    assert (dose.amount, dose.unit) == (400.0, "mg")
    cells = parse_doses("2.5×10^8 CAR-T cells/kg")
    assert cells and cells[0].unit == "cells/kg"
