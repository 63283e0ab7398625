"""Flat CSV columns for the liver and tumour facts that decide paracentesis and diffuse-HCC criteria
(``hcctrials.patients.io.CSV_COLUMNS``; docs/patients.md, "Many patients").

A coordinator exporting a cohort from a spreadsheet must be able to say how often a patient's ascites is
drained, whether it needs paracentesis at all, and the gross type of the liver tumour: without these columns
"No repeated paracentesis (more than 1 per month)" and "Diffuse HCC" stay unknown for every CSV patient.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hcctrials.errors import ValidationError
from hcctrials.patients import CSV_COLUMNS, load_patients
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts

HEADER = "patient_id,ascites,ascites_requires_paracentesis,paracentesis_per_month,growth_pattern\n"


def _write(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "cohort.csv"
    f.write_text(HEADER + body, encoding="utf-8")
    return f


def test_the_three_columns_are_part_of_the_flat_layout() -> None:
    assert CSV_COLUMNS["paracentesis_per_month"] == "liver.paracentesis_per_month"
    assert CSV_COLUMNS["ascites_requires_paracentesis"] == "liver.ascites_requires_paracentesis"
    assert CSV_COLUMNS["growth_pattern"] == "tumour.growth_pattern"


def test_a_patient_drained_every_two_weeks_reads_as_two_per_month(tmp_path: Path) -> None:
    (tapped, dry, blank) = list(load_patients(_write(
        tmp_path, "P1,moderate_severe,yes,2,massive\nP2,none,false,0,nodular\nP3,,,,\n")))
    assert tapped.liver.ascites == "moderate_severe"
    assert tapped.liver.ascites_requires_paracentesis is True
    assert tapped.liver.paracentesis_per_month == 2.0
    assert tapped.tumour.growth_pattern == "massive"
    assert dry.liver.ascites_requires_paracentesis is False and dry.liver.paracentesis_per_month == 0.0
    assert dry.tumour.growth_pattern == "nodular"
    # empty cells are missing, never "no" or zero
    assert blank.liver.ascites_requires_paracentesis is None
    assert blank.liver.paracentesis_per_month is None and blank.tumour.growth_pattern is None


def test_csv_patients_decide_the_paracentesis_and_diffuse_criteria(tmp_path: Path) -> None:
    """The columns reach the criteria: the inclusion "No repeated paracentesis (more than 1 per month)" fails
    for the patient tapped twice a month and holds for the one never tapped; "Diffuse HCC" (exclusion) applies
    only to the diffuse growth pattern."""
    tapped, dry, diffuse = list(load_patients(_write(
        tmp_path, "P1,moderate_severe,true,2,massive\nP2,none,false,0,nodular\nP3,mild,false,0,diffuse\n")))
    as_of = date(2026, 6, 1)
    paracentesis = compile_criterion("No repeated paracentesis (more than 1 per month)", role="inclusion")
    assert evaluate_node(paracentesis, PatientFacts(tapped, as_of)).status == "not_met"
    assert evaluate_node(paracentesis, PatientFacts(dry, as_of)).status == "met"
    diffuse_rule = compile_criterion("Diffuse HCC", role="exclusion")
    assert evaluate_node(diffuse_rule, PatientFacts(diffuse, as_of)).status == "met"
    assert evaluate_node(diffuse_rule, PatientFacts(tapped, as_of)).status == "not_met"


@pytest.mark.parametrize(("row", "field", "value"), [
    ("P9,moderate_severe,sometimes,,", "liver.ascites_requires_paracentesis", "sometimes"),
    ("P9,moderate_severe,true,-1,", "liver.paracentesis_per_month", "-1"),
    ("P9,moderate_severe,true,twice,", "liver.paracentesis_per_month", "twice"),
    ("P9,none,false,0,infiltrative", "tumour.growth_pattern", "infiltrative"),
])
def test_a_bad_value_names_file_line_field_and_value(tmp_path: Path, row: str, field: str, value: str) -> None:
    f = _write(tmp_path, "P1,none,false,0,nodular\n" + row + "\n")
    with pytest.raises(ValidationError) as caught:
        list(load_patients(f))
    text = str(caught.value)
    assert "cohort.csv" in text and "line 3" in text  # the header is line 1, the bad row line 3
    assert field in text and value in text


def test_a_nan_paracentesis_rate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"liver\.paracentesis_per_month.*nan"):
        list(load_patients(_write(tmp_path, "P1,moderate_severe,true,nan,\n")))
