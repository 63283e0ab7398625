"""Issue 11: a NaN lab value crashed MELD ("cannot convert float NaN to integer").

NaN passes every comparison, so it reached ``int(math.floor(nan + 0.5))``; it is now a
ValidationError naming the input.  Unknown is None (architecture convention 3), never NaN.
"""

from __future__ import annotations

import math

import pytest

from hcctrials.errors import ValidationError
from hcctrials.scores.meld import compute_meld, compute_meld_3, compute_meld_na

_BASE = {"bilirubin_mg_dl": 1.0, "creatinine_mg_dl": 1.0, "inr": 1.0}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", sorted(_BASE))
def test_meld_refuses_non_finite_inputs(name: str, bad: float) -> None:
    with pytest.raises(ValidationError, match="finite") as info:
        compute_meld(**{**_BASE, name: bad})
    assert info.value.field == name


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_meld_na_and_meld_3_refuse_non_finite_sodium_and_albumin(bad: float) -> None:
    with pytest.raises(ValidationError, match="finite") as info:
        compute_meld_na(**_BASE, sodium_mmol_l=bad)
    assert info.value.field == "sodium_mmol_l"
    with pytest.raises(ValidationError, match="finite") as info:
        compute_meld_3(**_BASE, sodium_mmol_l=135.0, albumin_g_dl=bad, sex="female")
    assert info.value.field == "albumin_g_dl"


def test_unknown_stays_unknown() -> None:
    assert compute_meld(**{**_BASE, "inr": None}).missing == ("inr",)
