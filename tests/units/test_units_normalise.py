"""Unit text normalisation (hcc-domain.md §5: canonical units and their common spellings)."""

from __future__ import annotations

import pytest

from hcctrials.errors import UnitError
from hcctrials.units import normalise_unit


@pytest.mark.parametrize("text, expected", [
    ("µmol/L", "umol/L"), ("umol/l", "umol/L"), ("μmol/L", "umol/L"), ("micromol/L", "umol/L"),
    ("x10^9/L", "10^9/L"), ("×10⁹/L", "10^9/L"), ("10⁹/L", "10^9/L"), ("10*9/L", "10^9/L"),
    ("*10^9/L", "10^9/L"), ("x 10^9 /L", "10^9/L"), ("G/L", "10^9/L"), ("K/uL", "10^9/L"),
    ("K/µL", "10^9/L"), ("10^3/µL", "10^9/L"), ("10*3/uL", "10^9/L"), ("x10³/mm³", "10^9/L"),
    ("/mm³", "/uL"), ("/mm3", "/uL"), ("/µL", "/uL"), ("cells/uL", "/uL"),
    ("mg/dl", "mg/dL"), ("MG/DL", "mg/dL"), ("g/dl", "g/dL"), ("g/L", "g/L"),
    ("IU/ml", "IU/mL"), ("[IU]/mL", "IU/mL"), ("copies/mL", "copies/mL"), ("拷贝/mL", "copies/mL"),
    ("log IU/mL", "log10 IU/mL"), ("mmHg", "mmHg"), ("mm[Hg]", "mmHg"), ("%", "%"),
    ("s", "s"), ("sec", "s"), ("秒", "s"), ("×ULN", "xULN"), ("x ULN", "xULN"),
    ("倍正常值上限", "xULN"), ("U/L", "U/L"), ("IU/L", "IU/L"), ("µkat/L", "ukat/L"),
    ("mEq/L", "mEq/L"), ("{INR}", "1"), ("1", "1"), ("ng/ml", "ng/mL"), ("µg/L", "ug/L"),
    ("mL/min/1.73 m²", "mL/min/1.73m2"), ("g/24 h", "g/24h"), ("mg/mmol", "mg/mmol"),
    ("mAU/mL", "mAU/mL"),
])
def test_spellings_normalise(text: str, expected: str) -> None:
    assert normalise_unit(text) == expected


def test_giga_per_litre_is_case_sensitive() -> None:
    # "G/L" (giga per litre, Chinese/European haematology) vs "g/L" (grams per litre)
    assert normalise_unit("G/L") == "10^9/L"
    assert normalise_unit("g/L") == "g/L"


@pytest.mark.parametrize("text", ["furlongs", "mg/fortnight", "", "   "])
def test_unknown_or_missing_unit_is_an_error(text: str) -> None:
    with pytest.raises(UnitError) as err:
        normalise_unit(text)
    assert "unit" in str(err.value)
