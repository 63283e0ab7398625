"""Other malignancy with exceptions, heart failure by NYHA class, urine protein (dipstick, 24 h),
'> or =' comparators and bulleted lab lists with a lead-in window: compile (EN + ZH) and evaluate
on both sides, plus unknown when the data are missing.  Thresholds are the criteria's own words."""

from __future__ import annotations

from datetime import date

import pytest

from hcctrials.criteria import PatientFacts, compile_criterion, evaluate_node, is_fully_compiled
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Condition, LabResult

from helpers_criteria import AS_OF, make_patient


def _status(text: str, role: str, patient) -> str:  # type: ignore[no-untyped-def]
    return evaluate_node(compile_criterion(text, role=role), PatientFacts(patient, AS_OF)).status


def _leaf(node, kind):  # type: ignore[no-untyped-def]
    return next(n for n in E.walk(node) if n.kind == kind)


MAL_EN = "Prior malignancy within 5 years of enrollment, except for non-melanoma skin cancer and carcinoma in situ of the cervix."
MAL_ZH = "5年内患有其他恶性肿瘤,但以下情况除外:皮肤基底细胞癌、皮肤鳞状细胞癌、宫颈原位癌"


@pytest.mark.parametrize("text", [MAL_EN, MAL_ZH])
def test_other_malignancy_compiles_with_exceptions(text: str) -> None:
    node = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(node)
    leaf = _leaf(node, "other_malignancy")
    assert leaf.look_back_days == 5 * 365
    types = {t for e in leaf.exceptions for t in e.types}
    assert {"skin_basal_cell", "skin_squamous_cell", "cervix_in_situ"} <= types


@pytest.mark.parametrize("text", [MAL_EN, MAL_ZH])
def test_other_malignancy_both_sides_and_unknown(text: str) -> None:
    colon = Condition(code="other_malignancy", name="colon cancer", malignancy_type="other", onset=date(2024, 1, 1))
    old_colon = Condition(code="other_malignancy", malignancy_type="other", onset=date(2010, 1, 1),
                          resolved_on=date(2011, 1, 1), status="resolved")
    bcc = Condition(code="other_malignancy", malignancy_type="skin_basal_cell", onset=date(2025, 6, 1), status="active")
    no_type = Condition(code="other_malignancy", onset=date(2025, 6, 1), status="active")
    assert _status(text, "exclusion", make_patient(conditions=[colon])) == "met"
    assert _status(text, "exclusion", make_patient(conditions=[old_colon])) == "not_met"  # outside 5 years
    assert _status(text, "exclusion", make_patient(conditions=[bcc])) == "not_met"  # excepted type
    assert _status(text, "exclusion", make_patient(conditions=[no_type])) == "unknown"  # type not recorded
    assert _status(text, "exclusion", make_patient(conditions=[], history_reviewed=False)) == "unknown"


def test_other_malignancy_cured_exception_and_unexpressed_item_kept() -> None:
    text = ("Any other concurrent malignancy, except for adequately treated basal cell skin cancer, or other cancer "
            "for which the patient has been disease-free for at least five years.")
    node = compile_criterion(text, role="exclusion")
    # audit 2026-12-04 round 2: "concurrent" with a disease-free exception means past cancers count too;
    # read as active cancer, a colorectal cancer resected two years ago did not exclude: now review
    assert isinstance(node, E.NeedsReview) and "disease-free" in node.reason
    # an exception the vocabulary cannot express stays a NeedsReview node inside the tree
    node2 = compile_criterion("History of another primary malignancy except lentigo maligna.", role="exclusion")
    assert not is_fully_compiled(node2) and any(n.kind == "other_malignancy" for n in E.walk(node2))


NYHA_EN = "Congestive heart failure (NYHA class III or IV)"
NYHA_ZH = "充血性心力衰竭(纽约心脏病协会心功能分级≥III级)"


@pytest.mark.parametrize("text", [NYHA_EN, NYHA_ZH, "New York Heart Association (NYHA) class > 2 heart failure"])
def test_nyha(text: str) -> None:
    node = compile_criterion(text, role="exclusion")
    assert is_fully_compiled(node) and _leaf(node, "heart_failure_nyha").min_class == 3
    hf = lambda k: make_patient(conditions=[Condition(code="heart_failure", nyha_class=k, status="active")])  # noqa: E731
    assert _status(text, "exclusion", hf(3)) == "met"
    assert _status(text, "exclusion", hf(2)) == "not_met"
    assert _status(text, "exclusion", make_patient(conditions=[Condition(code="heart_failure", status="active")])) == "unknown"
    assert _status(text, "exclusion", make_patient(conditions=[], history_reviewed=True)) == "not_met"


def test_nyha_single_class_is_not_guessed() -> None:
    assert not any(n.kind == "heart_failure_nyha" for n in E.walk(compile_criterion("NYHA class II", role="exclusion")))


def _urine(text: str | None = None, g24: float | None = None) -> list[LabResult]:
    out = []
    if text is not None:
        out.append(LabResult(analyte="urine_protein", text=text, date=date(2026, 3, 1)))
    if g24 is not None:
        out.append(LabResult(analyte="urine_protein_24h", value=g24, unit="g/24h", date=date(2026, 3, 1)))
    return out


@pytest.mark.parametrize("text", ["Urine dipstick for proteinuria < 2+ or 24-hour urine protein < 1 g", "尿蛋白<2+或24小时尿蛋白定量<1g"])
def test_proteinuria(text: str) -> None:
    node = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(node)
    assert _status(text, "inclusion", make_patient(labs={}, drop_labs=(), **{})) == "unknown"
    p = make_patient()
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("1+")})) == "met"
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("++", g24=1.5)})) == "not_met"
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("2+", g24=0.5)})) == "met"
    assert _status(text, "inclusion", p.model_copy(update={"labs": p.labs + _urine("3+")})) == "unknown"  # 24 h missing


def test_or_equal_comparators_bullets_and_lead_in_window() -> None:
    text = ("Adequate organ function within 14 days of enrollment defined as:   - Absolute neutrophil count (ANC) >1.5 x 10^9/L"
            "   - Hemoglobin > or = 9 g/dL   - Platelets > or = 100 x 10^9/L")
    node = compile_criterion(text, role="inclusion")
    assert is_fully_compiled(node)
    labs = [n for n in E.walk(node) if n.kind == "lab"]
    assert {n.analyte for n in labs} == {"anc", "hemoglobin", "platelets"}
    assert all(n.look_back_days == 14 for n in labs)
    assert next(n for n in labs if n.analyte == "hemoglobin").comparator == ">="


@pytest.mark.parametrize("text,value,expected", [
    ("Prolongation of corrected QT interval (QTc) > 480 msecs", 500, "met"),
    ("Prolongation of corrected QT interval (QTc) > 480 msecs", 450, "not_met"),
    ("校正QT间期(QTc)>480毫秒", 500, "met"),
])
def test_qtc(text: str, value: float, expected: str) -> None:
    p = make_patient()
    p2 = p.model_copy(update={"labs": p.labs + [LabResult(analyte="qtc", value=value, unit="ms", date=date(2026, 3, 1))]})
    assert _status(text, "exclusion", p2) == expected
    assert _status(text, "exclusion", p) == "unknown"
