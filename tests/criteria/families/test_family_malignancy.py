"""Other (second) malignancy criteria with their exception lists (``criteria/families/malignancy.py``:
``scan_malignancy``, ``read_malignancy_criterion``).

From ``tests/criteria/test_criteria_patterns_malignancy_organs.py`` (3 of its 8 tests; the others are in
``families/test_family_lablists.py``, ``families/test_family_labs.py``, ``families/test_family_organs.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_round4_history_therapy.py`` (5 of its 47 tests; the others are in
``families/test_family_history.py``, ``families/test_family_organs.py``, ``families/test_family_recovery.py``,
``families/test_family_therapy.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_virology_malignancy.py`` (4 of its 14 tests; the others are in
``families/test_family_virology.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date

import pytest

from hcctrials.criteria import PatientFacts, compile_criterion, evaluate_node, is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.model import eligibility as E
from hcctrials.model.eligibility import OtherMalignancy, walk
from hcctrials.model.patient import Condition

from helpers_criteria import AS_OF, make_patient
from helpers_criteria import exact_rule as _exact_rule, compiled_status as _exact_status


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
    # audit 2026-12-04 round 2: "concurrent" with a disease-free exception means past cancers count too; read as active
    # cancer, a colorectal cancer resected two years ago did not exclude.  Issue 10 (session 6): read as any cancer of the
    # history (malignancy.scan_malignancy), so that cancer excludes and one disease-free for six years does not
    assert isinstance(node, E.OtherMalignancy) and node.status == "ever", node
    colorectal = Condition(code="other_malignancy", name="colorectal cancer", malignancy_type="other", status="resolved",
                           onset=date(2024, 1, 10), resolved_on=date(2024, 3, 1), cured=True)
    assert _status(text, "exclusion", make_patient(conditions=[colorectal])) == "met"
    old_cancer = colorectal.model_copy(update={"onset": date(2019, 1, 10), "resolved_on": date(2020, 3, 1)})
    assert _status(text, "exclusion", make_patient(conditions=[old_cancer])) == "not_met"
    # an exception the vocabulary cannot express stays a NeedsReview node inside the tree
    node2 = compile_criterion("History of another primary malignancy except lentigo maligna.", role="exclusion")
    assert not is_fully_compiled(node2) and any(n.kind == "other_malignancy" for n in E.walk(node2))


# ---------------------------------------------------------------- other malignancies


def test_curatively_treated_and_disease_free_is_one_exception() -> None:
    text = ("Past or current history of neoplasm other than HCC, except for curatively treated non-melanoma skin "
            "cancer, in situ carcinoma of the cervix, or other cancer curatively treated and with no evidence of "
            "disease for at least 5 years.")
    leaf = next(n for n in walk(_exact_rule(text, "exclusion")) if isinstance(n, OtherMalignancy))
    generic = [e for e in leaf.exceptions if not e.types]
    assert len(generic) == 1 and generic[0].treated_required and generic[0].min_days_disease_free == 5 * 365
    # "in situ carcinoma of the cervix" is the cervix, not carcinoma in situ of any site
    assert any(e.types == ["cervix_in_situ"] for e in leaf.exceptions)
    cured_2y = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="other", cured=True,
                                                  status="resolved", onset=date(2023, 1, 1), resolved_on=date(2024, 3, 1))])
    cured_8y = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="other", cured=True,
                                                  status="resolved", onset=date(2017, 1, 1), resolved_on=date(2018, 3, 1))])
    assert _exact_status(text, "exclusion", cured_2y) == "met"  # cured but only two years without disease
    assert _exact_status(text, "exclusion", cured_8y) == "not_met"  # cured and disease-free eight years
    dcis = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="breast_in_situ",
                                              status="resolved", onset=date(2025, 1, 1), resolved_on=date(2025, 3, 1))])
    assert _exact_status(text, "exclusion", dcis) == "met"  # breast DCIS is not one of the exceptions


@pytest.mark.parametrize("text,role", [
    ("Other invasive malignancy within 5 years except adequately treated basal cell carcinoma of the skin", "exclusion"),
    ("5年内患有其他浸润性恶性肿瘤", "exclusion"),
])
def test_invasive_malignancy_does_not_count_carcinoma_in_situ(text: str, role: str) -> None:
    assert "invasive" in describe(_exact_rule(text, role))
    dcis = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="breast_in_situ",
                                              status="resolved", onset=date(2024, 1, 1), resolved_on=date(2024, 3, 1))])
    colon = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="other",
                                               status="resolved", onset=date(2024, 1, 1), resolved_on=date(2024, 9, 1))])
    assert _exact_status(text, role, dcis) == "not_met"  # ductal carcinoma in situ is not invasive
    assert _exact_status(text, role, colon) == "met"  # colon cancer two years ago


def test_invasive_inclusion_with_non_invasive_bladder_exception() -> None:
    text = ("Patients must not have other invasive malignancies within the past 5 years (with the exception of "
            "non-melanoma skin cancers or non-invasive bladder cancer).")
    bladder = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="bladder_superficial",
                                                 status="resolved", onset=date(2024, 1, 1), resolved_on=date(2024, 3, 1))])
    assert _exact_status(text, "inclusion", bladder) == "met"  # a non-invasive bladder tumour does not bar the patient


def test_malignancy_must_be_disease_free() -> None:
    text = "History of another malignancy - must be at least 3 years disease-free"
    free_5y = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="other", status="resolved",
                                                 onset=date(2020, 1, 1), resolved_on=date(2021, 1, 1))])
    free_1y = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="other", status="resolved",
                                                 onset=date(2024, 1, 1), resolved_on=date(2025, 1, 1))])
    assert _exact_status(text, "exclusion", free_5y) == "not_met"
    assert _exact_status(text, "exclusion", free_1y) == "met"


def test_malignancy_other_than_the_disease_under_study() -> None:
    text = "Malignancies other than disease under study within 5 years prior to Cycle 1 Day 1"
    colon = make_patient(conditions=[Condition(code="other_malignancy", malignancy_type="other", status="resolved",
                                               onset=date(2023, 1, 1), resolved_on=date(2023, 6, 1))])
    assert _exact_status(text, "exclusion", colon) == "met"
    assert _exact_status(text, "exclusion", make_patient()) == "not_met"


LOCALIZED_SKIN = ("No prior malignancy within the past 5 years except adequately treated carcinoma in situ of the cervix or "
                  "localized nonmelanoma skin cancer")
STANDARD_EN = ("History of another primary malignancy except for:\n  1. Malignancy treated with curative intent with no known "
               "active disease ≥ 5 years before the first dose of study intervention and of low potential risk for recurrence, "
               "or\n  2. Basal cell carcinoma of the skin, squamous cell carcinoma of the skin, or lentigo maligna that has "
               "undergone potentially curative therapy, or\n  3. Adequately treated carcinoma in situ without evidence of disease")
STANDARD_ZH = ("合并其他恶性肿瘤,但以下情况除外:采用治愈性治疗的恶性肿瘤、首次研究干预前>=5年内已知无活动性疾病且潜在复发风险低;"
               "皮肤基底细胞癌、皮肤鳞状细胞癌或已接受潜在根治性治疗的恶性雀斑样痣;或已接受充分治疗且无疾病证据的原位癌;")
INVASIVE_ZH = ("受试者同时具有其他已知的侵袭性恶性肿瘤(通过治疗目前没有肿瘤复发的 证据,且持续时间在 2 年以上者除外)。例外情况包括:"
               "皮肤基底细胞癌, 皮肤鳞状细胞癌,浅表性膀胱癌,低风险前列腺癌或原位宫颈癌。")
PREVIOUS_CONCURRENT = ("Previous concurrent cancer that is distinct in primary site or histology from HCC, except cervical carcinoma "
                       "in situ, treated basal cell carcinoma, superficial bladder tumors and any cancer curatively treated > 3 "
                       "years prior to entry is permitted")


def _malignancy(name: str, **kw: object) -> Condition:
    return Condition(code="other_malignancy", name=name, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- other malignancy


def test_localized_skin_cancer_exception_decides_other_cancers() -> None:
    colon = make_patient(conditions=[_malignancy("colon cancer", malignancy_type="other", status="resolved", cured=True,
                                                 onset=date(2023, 1, 1), resolved_on=date(2023, 4, 1))])
    assert _status(LOCALIZED_SKIN, "inclusion", colon) == "not_met"
    assert _status(LOCALIZED_SKIN, "inclusion", make_patient(conditions=[], history_reviewed=True)) == "met"
    cis = make_patient(conditions=[_malignancy("CIN3", malignancy_type="cervix_in_situ", status="resolved", cured=True,
                                               onset=date(2024, 1, 1), resolved_on=date(2024, 2, 1))])
    assert _status(LOCALIZED_SKIN, "inclusion", cis) == "met"
    # a basal cell carcinoma is excepted only if localized, which the record does not say
    bcc = make_patient(conditions=[_malignancy("basal cell carcinoma", malignancy_type="skin_basal_cell", status="resolved",
                                               cured=True, onset=date(2025, 1, 1), resolved_on=date(2025, 1, 20))])
    assert _status(LOCALIZED_SKIN, "inclusion", bcc) == "needs_review"


@pytest.mark.parametrize("text", [STANDARD_EN, STANDARD_ZH])
def test_standard_three_exception_text(text: str) -> None:
    rectal = make_patient(conditions=[_malignancy("rectal cancer", malignancy_type="other", status="active",
                                                  onset=date(2025, 10, 1))])
    assert _status(text, "exclusion", rectal) == "met"
    # thyroid cancer cured 3 years ago: less than 5 years, not a skin cancer or carcinoma in situ
    thyroid = make_patient(conditions=[_malignancy("papillary thyroid cancer", malignancy_type="thyroid_papillary",
                                                   status="resolved", cured=True, onset=date(2022, 10, 1),
                                                   resolved_on=date(2023, 1, 1))])
    assert _status(text, "exclusion", thyroid) == "met"
    cis = make_patient(conditions=[_malignancy("CIN3", malignancy_type="cervix_in_situ", status="resolved", cured=True,
                                               onset=date(2024, 1, 1), resolved_on=date(2024, 2, 1))])
    assert _status(text, "exclusion", cis) == "not_met"
    # gastric cancer cured 10 years ago: excepted only if "of low potential risk for recurrence"
    gastric = make_patient(conditions=[_malignancy("gastric cancer", malignancy_type="other", status="resolved", cured=True,
                                                   onset=date(2016, 1, 1), resolved_on=date(2016, 3, 1))])
    assert _status(text, "exclusion", gastric) == "needs_review"


def test_invasive_malignancy_with_two_year_disease_free_exception_zh() -> None:
    assert is_fully_compiled(compile_criterion(INVASIVE_ZH, role="exclusion"))
    breast = make_patient(conditions=[_malignancy("乳腺癌", malignancy_type="other", status="resolved", cured=True,
                                                  onset=date(2024, 12, 1), resolved_on=date(2025, 4, 1))])
    assert _status(INVASIVE_ZH, "exclusion", breast) == "met"  # disease-free under 2 years
    old = make_patient(conditions=[_malignancy("乳腺癌", malignancy_type="other", status="resolved", cured=True,
                                               onset=date(2019, 1, 1), resolved_on=date(2019, 6, 1))])
    assert _status(INVASIVE_ZH, "exclusion", old) == "not_met"


def test_previous_concurrent_cancer_reads_past_or_concurrent() -> None:
    node = compile_criterion(PREVIOUS_CONCURRENT, role="exclusion")
    assert is_fully_compiled(node)
    assert "past or concurrent" in describe(node)
    lung = make_patient(conditions=[_malignancy("lung adenocarcinoma", malignancy_type="other", status="active",
                                                onset=date(2025, 12, 1))])
    assert _status(PREVIOUS_CONCURRENT, "exclusion", lung) == "met"
    # "Concurrent cancer within <= 5 years prior": whether a cancer cured 4 years ago is "concurrent" needs reading
    assert not is_fully_compiled(compile_criterion("Concurrent cancer within ≤5 years prior to the randomization",
                                                   role="exclusion"))
