"""Text layer: an asterisk that opens a list item is a bullet; between numbers it is a multiplication sign.

NCT00122876 lists its organ-function thresholds as "*WBC > 2,400/mm; *Platelet Count > 75,000/µl;
*Hemoglobin > 9.4 gm/dL": read as multiplication signs the names became "xPlatelet Count" and no lab
was recognised.  "1.5*ULN" and "1.5*10^9/L" keep their multiplication sign.
"""

from __future__ import annotations

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.text.normalise import normalise_text


def test_bullet_asterisks_are_dropped() -> None:
    assert normalise_text("the following: *WBC > 2,400/mm; *Platelet Count > 75,000/µl") == \
        "the following: WBC > 2,400/mm; Platelet Count > 75,000/ul"


def test_multiplication_asterisks_stay() -> None:
    assert normalise_text("ANC ≥ 1.5*10^9/L; bilirubin < 1.5*ULN") == "ANC ≥ 1.5x10^9/L; bilirubin < 1.5xULN"


def test_bulleted_thresholds_are_read() -> None:
    text = ("Adequate hematologic, liver and renal functions as evidenced by the following: *WBC > 2,400/mm; "
            "*Platelet Count > 75,000/µl; *Hemoglobin > 9.4 gm/dL; *Bilirubin < 1.5 X ULN")
    description = describe(compile_criterion(text, role="inclusion"))
    assert "platelets > 75000 /uL" in description and "haemoglobin > 9.4 g/dL" in description, description
    assert "total bilirubin < 1.5×ULN" in description, description
