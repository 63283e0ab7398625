"""Transplants and graded infections, read as a clinician reads them (issue 10, history family).

* "Prior liver transplant" is a liver transplant, not any organ: a kidney recipient may join.
* "Stem cell / bone marrow / haematologic transplant" without "allogeneic" includes autologous ones.
* "Clinically serious infection > CTCAE grade 2" and "infection requiring IV antibiotics" are infections of
  CTCAE v5 grade 3 or worse ("IV antibiotic, antifungal, or antiviral intervention indicated"): the rule
  carries the grade, and an infection recorded without ``ctcae_grade`` leaves it unknown (records coded
  ``severe_infection`` include urinary infections on oral antibiotics).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hcctrials.criteria import describe
from hcctrials.criteria.compiler.compile import compile_criterion
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.patient import Patient

SCREENING = date(2026, 6, 1)


def _status(text: str, role: str, patient: dict[str, Any]) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    return evaluate_node(rule, PatientFacts(Patient.model_validate({"patient_id": "p", **patient}), SCREENING)).status


@pytest.mark.parametrize(("record", "expected", "why"), [
    ({"conditions": [{"code": "liver_transplant", "status": "history"}]}, "met", "a liver recipient"),
    ({"treatments": [{"kind": "transplant", "start": "2020-01-10"}]}, "met",
     "a transplant line in the HCC treatment history is a liver transplant"),
    ({"conditions": [{"code": "organ_transplant", "name": "renal transplant 2012", "status": "history"}],
      "history_reviewed": True}, "not_met", "a kidney recipient is not excluded by a liver-transplant criterion"),
    ({"conditions": [{"code": "organ_transplant", "status": "history"}]}, "unknown", "which organ is not recorded"),
    ({"conditions": [{"code": "organ_transplant", "status": "absent"}]}, "not_met", "no transplant of any organ"),
])
def test_prior_liver_transplant(record: dict[str, Any], expected: str, why: str) -> None:
    assert _status("Prior liver transplant", "exclusion", record) == expected, why


def test_a_bone_marrow_transplant_without_allogeneic_includes_autologous() -> None:
    text = "History of organ or bone marrow transplant"
    assert "stem_cell_transplant" in describe(compile_criterion(text, role="exclusion"))
    autologous = {"conditions": [{"code": "autologous_stem_cell_transplant", "status": "history"}]}
    assert _status(text, "exclusion", autologous) == "met"
    only_allogeneic_ruled_out = {"conditions": [{"code": "allogeneic_stem_cell_transplant", "status": "absent"},
                                                {"code": "organ_transplant", "status": "absent"}]}
    assert _status(text, "exclusion", only_allogeneic_ruled_out) == "unknown"


def test_allogeneic_stays_allogeneic_in_a_combined_list() -> None:
    text = "Prior allogeneic stem cell or solid organ transplantation"
    autologous = {"history_reviewed": True,
                  "conditions": [{"code": "autologous_stem_cell_transplant", "status": "history"}]}
    assert _status(text, "exclusion", autologous) == "not_met"


@pytest.mark.parametrize("text", [
    "Active clinically serious infections (> grade 2 CTCAE v.3.0)",
    "Active clinically serious infection > CTCAE Grade 2.",
    "Active clinically serious infections (> grade 2 NCI-CTC).",
    "Active clinically serious infections defined as ≥ Grade 3 according to Common Toxicity Criteria for "
    "Adverse Effects (CTCAE) 4.0",
    "Active infection requiring IV antibiotics at the time of initiation of study treatment.",
])
def test_graded_serious_infection_is_an_active_severe_infection(text: str) -> None:
    pneumonia_on_iv = {"conditions": [{"code": "severe_infection", "status": "active", "onset": "2026-05-28",
                                       "ctcae_grade": 3}]}
    ungraded = {"conditions": [{"code": "severe_infection", "name": "urinary infection", "status": "active"}]}
    cystitis_grade_2 = {"history_reviewed": True, "conditions": [{"code": "severe_infection", "status": "active",
                                                                  "ctcae_grade": 2}]}
    resolved = {"history_reviewed": True,
                "conditions": [{"code": "severe_infection", "status": "resolved", "resolved_on": "2026-02-01"}]}
    assert _status(text, "exclusion", pneumonia_on_iv) == "met"
    assert _status(text, "exclusion", ungraded) == "unknown"  # the grade decides; it is not recorded
    assert _status(text, "exclusion", cystitis_grade_2) == "not_met"
    assert _status(text, "exclusion", resolved) == "not_met"
    assert _status(text, "exclusion", {}) == "unknown"


def test_an_infection_of_any_grade_is_not_read_as_severe() -> None:
    assert describe(compile_criterion("Presence of uncontrolled infection", role="exclusion")).startswith("NEEDS REVIEW")
    # any infection that needs treatment: both codes, any grade
    assert describe(compile_criterion("Active infection requiring antibiotics", role="exclusion")).startswith(
        "history: infection/severe_infection (active)")


def test_a_history_of_infection_in_a_window_counts_a_resolved_episode() -> None:
    text = ("History of any infection requiring hospitalization or intravenous antibiotics within 2 weeks before "
            "enrollment.")
    resolved_last_week = {"conditions": [{"code": "severe_infection", "status": "resolved", "onset": "2026-05-18",
                                          "resolved_on": "2026-05-26", "ctcae_grade": 4}]}
    assert _status(text, "exclusion", resolved_last_week) == "met"


def test_no_patients_who_in_an_exclusion_list_names_whom_it_excludes() -> None:
    """"No patients who have undergone ... within 30 days" in the exclusion list: such patients are excluded."""
    text = ("No patients who have undergone surgical resection or received chemotherapy, percutaneous ethanol "
            "injection, radiation therapy or chemoembolization within 30 days prior to commencement of the study")
    tace_last_week = {"treatments": [{"kind": "locoregional", "agents": ["TACE"], "start": "2026-05-25",
                                      "end": "2026-05-25"}]}
    tace_last_year = {"treatments": [{"kind": "locoregional", "agents": ["TACE"], "start": "2025-05-25",
                                      "end": "2025-05-25"}]}
    assert _status(text, "exclusion", tace_last_week) == "met"
    assert _status(text, "exclusion", tace_last_year) == "not_met"
    # the same words as an inclusion are not rewritten
    assert describe(compile_criterion("No patients with brain metastases", role="inclusion")).startswith("NEEDS REVIEW")
