"""Section headings of the PDQ export carried onto their items (issue 10; ``text/split.carry_headings``).

NCT00005997 (hint_hcc_subset.csv) lists its patient characteristics as heading / value items: "Age:" then
"18 and over", "Life expectancy:" then "At least 12 weeks", "Renal:" then "Creatinine normal OR" and
"Creatinine clearance at least 60 mL/min".  Read alone, "18 and over" is no rule and "Creatinine clearance at
least 60 mL/min" would wrongly be a requirement of its own (it is the alternative of the item before).  Item
numbers never change: every kept item keeps its own number, a joined item its first one.
"""

from __future__ import annotations

from datetime import date

from hcctrials.criteria import compile_trial, describe, evaluate_trial
from hcctrials.criteria.catalog import trial_criteria_texts
from hcctrials.criteria.text.split import CriterionText, carry_headings
from hcctrials.model.patient import LabResult, Patient
from hcctrials.model.trial import Eligibility, Provenance, Text, Trial

# items 5-21 of NCT00005997's inclusion list, as the registry export numbers them
PDQ_ITEMS = ["PATIENT CHARACTERISTICS:", "Age:", "18 and over", "Performance status:", "ECOG 0-2",
             "Life expectancy:", "At least 12 weeks", "Hematopoietic:", "WBC at least 3,000/mm^3", "Renal:",
             "Creatinine normal OR", "Creatinine clearance at least 60 mL/min", "Other:", "Not pregnant or nursing"]


def _items(texts: list[str], first: int = 5) -> list[CriterionText]:
    return [CriterionText(str(k), t, "en", "inclusion", 0, len(t)) for k, t in enumerate(texts, start=first)]


def test_a_field_heading_is_carried_onto_its_value() -> None:
    kept = {c.number: c.text for c in carry_headings(_items(PDQ_ITEMS))}
    assert kept["7"] == "Age: 18 and over"
    assert kept["11"] == "Life expectancy: At least 12 weeks"
    # the item names its field itself: nothing is added
    assert kept["9"] == "ECOG 0-2"
    # a grouping heading ("Hematopoietic:", "Other:") is not carried: its items name their analytes
    assert kept["13"] == "WBC at least 3,000/mm^3"
    assert kept["18"] == "Not pregnant or nursing"


def test_headings_leave_and_numbers_stay() -> None:
    numbers = [c.number for c in carry_headings(_items(PDQ_ITEMS))]
    # headings 5, 6, 8, 10, 12, 14, 17 leave; item 16 is joined into 15
    assert numbers == ["7", "9", "11", "13", "15", "18"]


def test_an_item_ending_with_or_is_joined_with_its_alternative() -> None:
    kept = {c.number: c.text for c in carry_headings(_items(PDQ_ITEMS))}
    assert kept["15"] == "Creatinine normal OR\nCreatinine clearance at least 60 mL/min"


def test_a_dangling_or_before_another_topic_is_not_joined() -> None:
    # NCT03382886: the alternative of "Creatinine < 2 x ULN OR" was lost; the consent item is not it
    items = _items(["Renal:", "Creatinine < 2 × ULN OR", "Able to provide informed consent."], first=10)
    kept = carry_headings(items)
    assert [(c.number, c.text) for c in kept] == [("11", "Creatinine < 2 × ULN OR"),
                                                   ("12", "Able to provide informed consent.")]


def _trial() -> Trial:
    return Trial(trial_id="NCT00005997", registry="ctgov",
                 eligibility=Eligibility(inclusion=[Text(en=t) for t in PDQ_ITEMS]),
                 provenance=Provenance(source_format="ctgov_csv", raw_sha256="0" * 64))


def test_the_trial_compiles_the_carried_items() -> None:
    # the trial's own list starts at 1 (here with the heading "PATIENT CHARACTERISTICS:", which leaves)
    assert [c.number for c in compile_trial(_trial(), language="en").criteria] == ["3", "5", "7", "9", "11", "14"]
    rules = {c.text: describe(c.rule) for c in compile_trial(_trial(), language="en").criteria}
    assert rules["Age: 18 and over"] == "age ≥ 18 years"
    assert rules["Life expectancy: At least 12 weeks"] == "life expectancy ≥ 12 weeks"
    assert rules["Creatinine normal OR\nCreatinine clearance at least 60 mL/min"] == \
        "any of (creatinine ≤ 1×ULN; creatinine clearance ≥ 60 mL/min)"
    assert len(trial_criteria_texts(_trial())["en"]) == 6


def test_a_patient_with_high_creatinine_passes_on_clearance() -> None:
    # creatinine 130 umol/L above the ULN 104, but a measured clearance of 72 mL/min: the either-or is met
    patient = Patient(patient_id="p1", birth_date=date(1955, 4, 2), sex="male", ecog=1, life_expectancy_weeks=26,
                      pregnant=False, breastfeeding=False,
                      labs=[LabResult(analyte="creatinine", value=130, unit="umol/L", uln=104, date=date(2026, 5, 25)),
                            LabResult(analyte="creatinine_clearance", value=72, unit="mL/min", date=date(2026, 5, 25)),
                            LabResult(analyte="wbc", value=5.1, unit="10^9/L", date=date(2026, 5, 25))])
    verdict = evaluate_trial(compile_trial(_trial(), language="en"), patient, as_of=date(2026, 6, 1))
    by_text = {r.criterion.text: r.status for r in verdict.results}
    assert by_text["Creatinine normal OR\nCreatinine clearance at least 60 mL/min"] == "met"
    assert by_text["Age: 18 and over"] == "met"
    assert verdict.status == "eligible"
