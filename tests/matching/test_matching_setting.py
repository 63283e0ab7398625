"""Trial setting and intervention class (framework of the 2025 review, seed 003)."""

from __future__ import annotations

import pytest
from helpers_matching import make_trial

from hcctrials.matching.setting import SETTINGS, classify_trial_setting, intervention_classes


def test_seed000_adebrelimab_apatinib_second_line(seed_trials) -> None:
    # Seed 000 (ChiCTR2600122298): adebrelimab (PD-L1) + apatinib (TKI) after first-line failure.
    s = classify_trial_setting(seed_trials["000"])
    assert s.settings == ("advanced_second_line_plus",)
    assert s.intervention_classes == {"pdl1", "tki"}
    assert s.evidence["advanced_second_line_plus"]


def test_seed001_toripalimab_regorafenib_second_line_from_title(seed_trials) -> None:
    # Seed 001 lists only "药物干预 / Drug intervention": classes come from the title
    # (toripalimab = PD-1, regorafenib = TKI), the line from "second-line" in the title.
    s = classify_trial_setting(seed_trials["001"])
    assert s.settings == ("advanced_second_line_plus",)
    assert {"pd1", "tki"} <= s.intervention_classes


def test_seed002_cart_advanced_line_not_stated(seed_trials) -> None:
    # Seed 002: CAR-T (C-CAR031) +/- lenvatinib or a PD-1(L1) antibody "in advanced HCC", no line.
    s = classify_trial_setting(seed_trials["002"])
    assert s.settings == ("advanced_line_unspecified",)
    assert {"cell_therapy", "tki", "pd1", "pdl1"} <= s.intervention_classes


def test_seed004_inkt_with_tace_is_intermediate(seed_trials) -> None:
    # Seed 004 (NCT04011033): iNKT cells combined with TAE/TACE in unresectable HCC.
    s = classify_trial_setting(seed_trials["004"])
    assert s.settings == ("intermediate",)
    assert {"locoregional", "cell_therapy"} <= s.intervention_classes


@pytest.mark.parametrize(("trial_id", "expected"), [
    ("NCT05883644", ("advanced_first_line",)),  # durvalumab + tremelimumab "as First Line"
    ("NCT06954467", ("advanced_first_line",)),  # JS207 + JS007 "as First-line Treatment"
    ("NCT06954116", ("neoadjuvant_perioperative",)),  # QL1706 "as Neoadjuvant Therapy"
    ("NCT06958484", ("adjuvant",)),  # "... for Postoperative adjuvant" (title)
])
def test_real_records(real_trials, trial_id: str, expected: tuple[str, ...]) -> None:
    assert classify_trial_setting(real_trials[trial_id]).settings == expected


def test_real_record_classes(real_trials) -> None:
    assert intervention_classes(real_trials["NCT05883644"]) == {"pdl1", "ctla4"}
    assert "cell_therapy" in intervention_classes(real_trials["NCT06961617"])  # HBV-TCR T cells


def _trial(title: str, inclusion: list[str] = (), exclusion: list[str] = (), interventions=()):  # type: ignore[no-untyped-def]
    return make_trial(brief_title={"en": title}, eligibility={
        "inclusion": [{"en": t} for t in inclusion], "exclusion": [{"en": t} for t in exclusion]},
        interventions=list(interventions))


def test_negated_prior_systemic_is_first_line() -> None:
    t = _trial("Drug X in advanced HCC", inclusion=["Not previously treated with systemic therapy"])
    assert classify_trial_setting(t).settings == ("advanced_first_line",)


def test_lesion_not_treated_locally_is_not_a_line() -> None:
    t = _trial("Drug X in advanced HCC", inclusion=["Lesion not previously treated with local therapy"])
    assert classify_trial_setting(t).settings == ("advanced_line_unspecified",)


def test_exclusion_of_prior_systemic_means_first_line_but_not_with_exception() -> None:
    first = _trial("Drug X in unresectable HCC", exclusion=["Prior systemic therapy for HCC"])
    assert classify_trial_setting(first).settings == ("advanced_first_line",)
    other = _trial("Drug X in unresectable HCC", exclusion=["Prior systemic therapy other than sorafenib"])
    assert classify_trial_setting(other).settings == ("advanced_line_unspecified",)


def test_title_beats_criteria_mentions() -> None:
    t = _trial("First-line drug X in advanced HCC", inclusion=["Progressed on prior sorafenib is allowed"])
    assert classify_trial_setting(t).settings == ("advanced_first_line",)


def test_bclc_b_inside_advanced_criterion_is_not_intermediate() -> None:
    t = _trial("Drug X in HCC", inclusion=[
        "BCLC stage C, or BCLC stage B not amenable to TACE", "Progression on sorafenib"])
    assert classify_trial_setting(t).settings == ("advanced_second_line_plus",)


def test_tace_plus_systemic_is_intermediate_and_perioperative_is_one_setting() -> None:
    tace = _trial("TACE plus lenvatinib and pembrolizumab", interventions=[
        {"type": "procedure", "name": {"en": "TACE"}}, {"type": "drug", "name": {"en": "lenvatinib"}}])
    assert classify_trial_setting(tace).settings == ("intermediate",)
    peri = _trial("Perioperative camrelizumab plus apatinib: neoadjuvant and adjuvant therapy for resectable HCC")
    assert classify_trial_setting(peri).settings == ("neoadjuvant_perioperative",)


@pytest.mark.parametrize(("title", "expected"), [
    ("肝细胞癌根治性切除术后辅助治疗研究", "adjuvant"),
    ("不可切除肝癌的转化治疗研究", "conversion"),
    ("晚期肝细胞癌一线治疗", "advanced_first_line"),
    ("晚期肝癌二线治疗", "advanced_second_line_plus"),
    ("中期肝癌 TACE 联合仑伐替尼", "intermediate"),
    ("A registry of liver function tests", "unclassified"),
])
def test_chinese_and_fallback_titles(title: str, expected: str) -> None:
    assert classify_trial_setting(_trial(title)).primary == expected
    assert expected in SETTINGS
