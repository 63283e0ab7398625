"""Issue 11, "no input may crash the tool": response tables under bad input.

Each test failed before its fix with an exception outside the HcctrialsError tree
(``KeyError`` in response/io.py, ``AttributeError: Can only use .dt accessor`` in
response/validate.py) or read numbers as dates.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from hcctrials.errors import HcctrialsError, ParseError
from hcctrials.response import ResponseInputError
from hcctrials.response.io import load_assessments
from hcctrials.response.dates import to_dates
from hcctrials.response.validate import check_first_doses, normalise_assessments


def test_table_with_first_dose_but_no_subject_id(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("lesion_id,visit_date,first_dose_date\nT1,2024-01-01,2024-01-02\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no subject_id column") as info:
        load_assessments(path)
    assert info.value.field == "subject_id" and info.value.file == str(path)


def test_first_dose_dates_with_mixed_time_zones_keep_their_dates() -> None:
    frame = pd.DataFrame({"subject_id": ["a", "b"],
                          "first_dose_date": ["2024-01-01T03:00:00+05:00", "2024-01-02T00:00:00+01:00"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = check_first_doses(frame)
    assert out["first_dose_date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]


@pytest.mark.parametrize("column", [[1.5, 2.5], [True, False], ["2024-01-01", 5], ["x", "y"]])
def test_first_dose_column_that_is_not_dates(column: list[object]) -> None:
    frame = pd.DataFrame({"subject_id": ["a", "b"], "first_dose_date": column})
    with pytest.raises(ResponseInputError, match="not a date") as info:
        check_first_doses(frame)
    assert info.value.field == "first_dose_date"


@pytest.mark.parametrize("column", [[1.5, 2.5], [20240101, 20240201],
                                    ["2024-01-01T00:00+05:00", "2024-02-01T00:00+01:00"],
                                    [pd.Timestamp("2024-01-01", tz="UTC"), "2024-02-01"]])
def test_visit_date_column_of_numbers_or_zones(column: list[object]) -> None:
    frame = pd.DataFrame({"subject_id": ["a", "a"], "lesion_id": ["T1", "T1"], "visit_date": column,
                          "lesion_role": ["target", "target"], "diameter_mm": [10, 12]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            normalise_assessments(frame)
        except HcctrialsError as exc:  # numbers are not dates; zoned dates are read
            assert isinstance(exc, ResponseInputError) and exc.field == "visit_date"
            assert isinstance(column[0], (int, float))


def test_to_dates_reads_values_pandas_cannot_read_together() -> None:
    values = pd.Series([pd.Timestamp("2024-03-01", tz="Asia/Shanghai"), "2024-03-02", None, "soon", 7])
    out = to_dates(values)
    assert out.tolist()[:2] == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02")]
    assert out.isna().tolist() == [False, False, True, True, True]
