"""The examples in the vocab docstrings are run as tests."""

from __future__ import annotations

import doctest

import pytest

import hcctrials.vocab
import hcctrials.vocab.matcher


@pytest.mark.parametrize("module", [hcctrials.vocab, hcctrials.vocab.matcher])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
