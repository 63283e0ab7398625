"""Prior-therapy criteria and washouts (``criteria/families/therapy.py``: ``scan_therapy``, ``scan_since``):
by drug, by class, by count of lines, surgery and radiotherapy washouts, progression on a line.

From ``tests/criteria/test_criteria_patterns_cardio_washout.py`` (4 of its 15 tests; the others are in
``families/test_family_history.py``, ``families/test_family_labs.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_round3.py`` (2 of its 21 tests; the others are in
``families/test_family_cns.py``, ``families/test_family_history.py``, ``families/test_family_recovery.py``); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_patterns_round4_history_therapy.py`` (18 of its 47 tests; the others are
in ``families/test_family_history.py``, ``families/test_family_malignancy.py``,
``families/test_family_organs.py``, ``families/test_family_recovery.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hcctrials.criteria import compile_criterion
from hcctrials.criteria.compiler.compile import is_fully_compiled
from hcctrials.criteria.compiler.describe import describe
from hcctrials.criteria.evaluation.evaluate import evaluate_node
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.model.eligibility import NeedsReview, PriorTherapy, walk
from hcctrials.model.patient import TherapyLine

from helpers_criteria import AS_OF, make_patient
from helpers_criteria import exact_rule as _exact_rule, compiled_status as _exact_status


def _status(text: str, role: str, patient) -> str:  # type: ignore[no-untyped-def]
    rule = compile_criterion(text, role=role)
    assert is_fully_compiled(rule), rule
    return evaluate_node(rule, PatientFacts(patient, AS_OF)).status


def _surgery(days_ago: int):  # type: ignore[no-untyped-def]
    end = AS_OF - timedelta(days=days_ago)
    return make_patient(treatments=[TherapyLine(kind="surgery", regimen="hepatectomy", start=end, end=end)])


@pytest.mark.parametrize("text", ["Any surgical procedure within 4 weeks prior to start of study drug.",
                                  "Major surgery within 28 days prior to randomization",
                                  "入组前4周内接受过大手术"])
@pytest.mark.parametrize(("days_ago", "expected"), [(20, "met"), (28, "met"), (29, "not_met")])
def test_major_surgery_washout(text: str, days_ago: int, expected: str) -> None:
    assert _status(text, "exclusion", _surgery(days_ago)) == expected


@pytest.mark.parametrize(("days_ago", "expected"), [(10, "met"), (14, "met"), (15, "not_met")])
def test_radiotherapy_washout_without_verb(days_ago: int, expected: str) -> None:
    end = AS_OF - timedelta(days=days_ago)
    p = make_patient(treatments=[TherapyLine(kind="radiotherapy", agents=["radiotherapy"], start=end - timedelta(days=20),
                                             end=end)])
    assert _status("Radiotherapy within 2 weeks of first dose of study medications.", "exclusion", p) == expected


def test_verbless_therapy_is_not_guessed_for_inclusion() -> None:
    rule = compile_criterion("Radiotherapy within 2 weeks of first dose of study medications.", role="inclusion")
    assert isinstance(rule, NeedsReview)


def test_no_surgery_recorded_is_not_met_washout() -> None:
    p = make_patient(treatments=[])
    assert _status("Major surgery within 28 days prior to randomization", "exclusion", p) == "not_met"
    _ = date


# ---------------------------------------------------------------- surgery washouts


def _surgery_lines(days_ago: int) -> list[TherapyLine]:
    day = AS_OF - timedelta(days=days_ago)
    return [TherapyLine(kind="surgery", regimen="hepatectomy", start=day, end=day)]


@pytest.mark.parametrize(("text", "window"), [
    ("Major surgery within the last 30 days prior to study treatment initiation", 30),
    ("Major surgery, open biopsy or significant traumatic injury within 4 weeks of first study drug.", 28),
    ("研究治疗首次给药前21天内做过大手术", 21),
])
def test_surgery_washout_exclusion(text: str, window: int) -> None:
    assert _status(text, "exclusion", make_patient(treatments=_surgery_lines(window))) == "met"
    assert _status(text, "exclusion", make_patient(treatments=_surgery_lines(window + 1))) == "not_met"


@pytest.mark.parametrize("text", ["Minimum of 4 weeks since any major surgery or completion of radiation",
                                  "At least 4 weeks since prior surgery", "距末次手术至少4周"])
def test_time_since_surgery_inclusion(text: str) -> None:
    assert _status(text, "inclusion", make_patient(treatments=_surgery_lines(28))) == "met"  # exactly 4 weeks: allowed
    assert _status(text, "inclusion", make_patient(treatments=_surgery_lines(27))) == "not_met"
    ongoing = [TherapyLine(kind="surgery", regimen="hepatectomy", start=AS_OF - timedelta(days=60))]
    assert _status(text, "inclusion", make_patient(treatments=ongoing)) == "unknown"  # no end date


def _in_review(text: str, role: str) -> str:
    rule = compile_criterion(text, role=role)  # type: ignore[arg-type]
    assert isinstance(rule, NeedsReview), describe(rule)
    return rule.reason


def _line(*agents: str, kind: str = "systemic", **kw) -> TherapyLine:  # type: ignore[no-untyped-def]
    defaults = dict(start=date(2025, 1, 10), end=date(2025, 12, 1), stop_reason="progression")
    defaults.update(kw)
    return TherapyLine(kind=kind, agents=list(agents), **defaults)  # type: ignore[arg-type]


# ---------------------------------------------------------------- prior therapy: names and counts


def test_unknown_drug_name_is_kept_not_dropped() -> None:
    # "mapatumumab" is not in the lexicon: read as "sorafenib" alone, a patient given mapatumumab was admitted
    text = "Previously received mapatumumab or sorafenib."
    rule = _exact_rule(text, "exclusion")
    leaf = next(n for n in walk(rule) if isinstance(n, PriorTherapy))
    assert set(leaf.agents) == {"mapatumumab", "sorafenib"}
    assert _exact_status(text, "exclusion", make_patient(treatments=[_line("Mapatumumab")])) == "met"
    assert _exact_status(text, "exclusion", make_patient(treatments=[_line("lenvatinib")])) == "not_met"


def test_unnamed_systemic_line_could_have_been_the_named_drug() -> None:
    # an outside-hospital "oral targeted therapy", agent not recorded: it may have been sorafenib
    text = "Previously received mapatumumab or sorafenib."
    outside = TherapyLine(kind="systemic", agents=[], regimen="oral targeted therapy at an outside hospital, agent not recorded",
                          start=date(2025, 5, 1), end=date(2026, 1, 15), line=1)
    assert _exact_status(text, "exclusion", make_patient(treatments=[outside])) == "unknown"
    # a locoregional procedure recorded without its name cannot have been a drug
    tace = TherapyLine(kind="locoregional", start=date(2025, 3, 1), end=date(2025, 3, 1))
    assert _exact_status("Prior sorafenib", "exclusion", make_patient(treatments=[tace])) == "not_met"
    # ... but might have been the TACE a criterion names
    assert _exact_status("Prior TACE", "exclusion", make_patient(treatments=[tace])) == "unknown"


def test_prior_tace_is_not_met_by_an_ablation() -> None:
    # TACE and RFA are both 'locoregional' lines: the class filter is the procedure, not the line kind
    rfa = TherapyLine(kind="locoregional", regimen="RFA", start=date(2025, 3, 1), end=date(2025, 3, 1))
    text = "Prior transarterial chemo-embolization (TACE) within 4 weeks"
    assert _exact_status("Prior transarterial chemoembolization (TACE)", "exclusion", make_patient(treatments=[rfa])) == "not_met"
    tace = TherapyLine(kind="locoregional", regimen="TACE", start=AS_OF, end=AS_OF)
    assert _exact_status(text, "exclusion", make_patient(treatments=[tace])) == "met"


@pytest.mark.parametrize("text,role,unit,value", [
    ("More than 2 prior lines of systemic therapy", "exclusion", "lines", 2),
    ("既往接受过超过2线系统治疗", "exclusion", "lines", 2),
])
def test_more_than_n_prior_lines(text: str, role: str, unit: str, value: int) -> None:
    leaf = next(n for n in walk(_exact_rule(text, role)) if isinstance(n, PriorTherapy))
    assert (leaf.count_unit, leaf.count_comparator, leaf.count_value, leaf.kinds) == (unit, ">", value, ["systemic"])
    three = [_line("sorafenib", line=1), _line("regorafenib", line=2), _line("cabozantinib", line=3)]
    two = three[:2]
    assert _exact_status(text, role, make_patient(treatments=three)) == "met"  # three lines: more than 2
    assert _exact_status(text, role, make_patient(treatments=two)) == "not_met"  # two is not more than two


def test_systemic_chemotherapy_is_decided_only_where_both_readings_agree() -> None:
    # older HCC trials count sorafenib as "systemic chemotherapy" ("systemic chemotherapy including sorafenib");
    # modern usage means cytotoxic drugs only: the count is decided only where both readings give the same answer
    text = "More than 2 prior systemic chemotherapy."
    rule = compile_criterion(text, role="exclusion")
    assert not is_fully_compiled(rule) and "systemic chemotherapy" in describe(rule)

    def verdict(*lines: TherapyLine) -> str:
        return evaluate_node(rule, PatientFacts(make_patient(treatments=list(lines)), AS_OF)).status

    cytotoxic = [_line(d, start=date(2020 + i, 1, 1), end=date(2020 + i, 6, 1)) for i, d in
                 enumerate(("doxorubicin", "cisplatin", "gemcitabine"))]
    assert verdict(*cytotoxic) == "met"  # three cytotoxic regimens: more than 2 under either reading
    assert verdict(_line("sorafenib"), _line("lenvatinib", start=date(2026, 1, 5), end=date(2026, 2, 1))) == "not_met"
    assert verdict(_line("sorafenib", start=date(2023, 1, 1), end=date(2023, 6, 1)),
                   _line("lenvatinib", start=date(2024, 1, 1), end=date(2024, 6, 1)),
                   _line("regorafenib")) == "needs_review"  # three TKIs: more than 2 only if a TKI counts


def test_systemic_therapy_with_a_named_drug_is_that_drug() -> None:
    text = "Have received previous systemic therapy with ramucirumab"
    leaf = next(n for n in walk(_exact_rule(text, "exclusion")) if isinstance(n, PriorTherapy))
    assert leaf.agents == ["ramucirumab"] and leaf.kinds == []
    assert _exact_status(text, "exclusion", make_patient(treatments=[_line("sorafenib")])) == "not_met"
    assert _exact_status(text, "exclusion", make_patient(treatments=[_line("ramucirumab")])) == "met"


@pytest.mark.parametrize("text", [
    "Prior selective internal radiotherapy/hepatic arterial Yttrium therapy, at any time",
    "既往接受过选择性内放射治疗",
])
def test_sirt_is_radioembolisation_not_any_radiotherapy(text: str) -> None:
    ebrt = TherapyLine(kind="radiotherapy", regimen="SBRT", start=date(2025, 3, 1), end=date(2025, 3, 10))
    y90 = TherapyLine(kind="locoregional", regimen="Y-90", start=date(2024, 3, 1), end=date(2024, 3, 1))
    tace = TherapyLine(kind="locoregional", regimen="TACE", start=date(2024, 3, 1), end=date(2024, 3, 1))
    assert _exact_status(text, "exclusion", make_patient(treatments=[ebrt])) == "not_met"  # SBRT is not SIRT
    assert _exact_status(text, "exclusion", make_patient(treatments=[tace])) == "not_met"  # nor is TACE
    assert _exact_status(text, "exclusion", make_patient(treatments=[y90])) == "met"


def test_hepatic_artery_directed_therapy() -> None:
    text = "Subjects who have had hepatic artery directed therapy."
    tace = TherapyLine(kind="locoregional", regimen="TACE", start=date(2024, 3, 1), end=date(2024, 3, 1))
    assert _exact_status(text, "exclusion", make_patient(treatments=[tace])) == "met"
    assert _exact_status(text, "exclusion", make_patient(treatments=[_line("sorafenib")])) == "not_met"


def test_therapy_not_allowed_in_an_inclusion_requires_its_absence() -> None:
    text = "Prior yittrium-90 transarterial radioembolization (TARE) or sorafenib not allowed"
    assert _exact_status(text, "inclusion", make_patient(treatments=[_line("sorafenib")])) == "not_met"
    assert _exact_status(text, "inclusion", make_patient(treatments=[_line("lenvatinib")])) == "met"


@pytest.mark.parametrize("text,role", [
    ("Documented radiographic progression on or after prior PD-1 or PD-L1 inhibitor therapy", "inclusion"),
    ("Progression on or after sorafenib", "inclusion"),
    ("既往接受索拉非尼治疗后进展", "inclusion"),
])
def test_progression_on_or_after(text: str, role: str) -> None:
    drug = "atezolizumab" if "PD" in text else "sorafenib"
    progressed = make_patient(treatments=[_line(drug, progression_date=date(2025, 11, 20))])
    other_drug = make_patient(treatments=[_line("lenvatinib", progression_date=date(2025, 11, 20))])
    stopped = make_patient(treatments=[_line(drug, stop_reason="toxicity", best_response="SD")])
    assert _exact_status(text, role, progressed) == "met"
    assert _exact_status(text, role, other_drug) == "not_met"  # progressed, but on another drug
    assert _exact_status(text, role, stopped) == "unknown"  # stopped for toxicity: may have progressed later


def test_stop_for_another_reason_does_not_rule_out_progression() -> None:
    # tislelizumab stopped for "other" reasons, response never recorded: progression is not known either way
    text = "既往仅接受过一种含免疫检查点抑制剂方案治疗,影像学评估疾病出现进展。"
    other = make_patient(treatments=[_line("tislelizumab", stop_reason="other")])
    assert _exact_status(text, "inclusion", other) == "unknown"


def test_radiotherapy_of_a_named_site_stays_in_review() -> None:
    # a site other than the liver has no rule ("to the liver" is read: test_family_therapy_sites.py)
    assert "site" in _in_review("Prior external beam radiation therapy to the liver or abdomen", "exclusion")
    assert "site" in _in_review("No prior abdominopelvic radiotherapy", "inclusion")
    # "abdominal radiation" is not any radiation (and "systemic chemotherapy" is ambiguous, see above)
    assert isinstance(compile_criterion("Prior abdominal radiation therapy.", role="exclusion"), NeedsReview)


# ---------------------------------------------------------------- washout with the therapy named first


@pytest.mark.parametrize(("line", "expected", "why"), [
    (TherapyLine(kind="radiotherapy", regimen="SBRT to liver segment VI", start=AS_OF - timedelta(days=20),
                 end=AS_OF - timedelta(days=14)), "not_met", "liver SBRT two weeks ago is locoregional therapy of HCC"),
    (TherapyLine(kind="locoregional", regimen="TACE", start=AS_OF - timedelta(days=10), end=AS_OF - timedelta(days=10)),
     "not_met", "TACE 10 days ago"),
    (TherapyLine(kind="radiotherapy", regimen="palliative radiotherapy to L2 vertebra", start=AS_OF - timedelta(days=14),
                 end=AS_OF - timedelta(days=10)), "met", "bone palliation is not therapy of the liver tumour"),
    (TherapyLine(kind="locoregional", regimen="RFA", start=AS_OF - timedelta(days=60), end=AS_OF - timedelta(days=60)),
     "met", "ablation two months ago"),
])
def test_locoregional_therapy_completed_at_least_4_weeks_before(line: TherapyLine, expected: str, why: str) -> None:
    # audit 2026-12-04 round 2: locoregional therapy of HCC includes liver radiotherapy (SBRT), which a rule over
    # therapy lines of kind "locoregional" alone did not count (SBRT two weeks ago passed); the rule now reads
    # locoregional procedures and radiotherapy given to the liver
    text = "Locoregional therapy for hepatocellular carcinoma (HCC) must be completed at least 4 weeks prior to the baseline scan"
    assert _exact_status(text, "inclusion", make_patient(treatments=[line], history_reviewed=True)) == expected, why


@pytest.mark.parametrize("text", [
    # the examples are not the whole class: chemotherapy 2 weeks ago would be read as allowed
    "All previous cancer therapy, including radiation, hormonal therapy and surgery, must have been discontinued at "
    "least 28 days prior to treatment in this study",
    # is the prior TACE itself required? only the trial's context says
    "Prior TACE must have been completed at least 4 weeks before enrollment",
])
def test_washouts_read_only_in_part_stay_in_review(text: str) -> None:
    assert isinstance(compile_criterion(text, role="inclusion"), NeedsReview)


# ---------------------------------------------------------------- concurrent therapy


@pytest.mark.parametrize("text,role", [
    ("Patients may not be receiving any other concurrent anti-cancer therapy.", "exclusion"),
    ("正在接受其他抗肿瘤治疗", "exclusion"),
])
def test_concurrent_therapy_is_therapy_at_screening(text: str, role: str) -> None:
    # concurrent = being given at screening: a TACE last year is not concurrent, an ongoing one is
    tace_last_year = make_patient(treatments=[TherapyLine(kind="locoregional", regimen="TACE", start=date(2025, 3, 1),
                                                          end=date(2025, 3, 1))])
    on_chemo = make_patient(treatments=[TherapyLine(kind="systemic", agents=["oxaliplatin"], regimen="FOLFOX4",
                                                    start=date(2026, 2, 1), ongoing=True)])
    excluded = "not_met" if role == "inclusion" else "met"
    allowed = "met" if role == "inclusion" else "not_met"
    assert _exact_status(text, role, on_chemo) == excluded
    assert _exact_status(text, role, tace_last_year) == allowed


def test_listed_classes_are_not_descriptors() -> None:
    # "chemotherapy, immunotherapy or radiotherapy": three classes (immunotherapy is not a word describing
    # chemotherapy); "immunotherapy" is wider than checkpoint inhibitors (interferon, cytokines: audit round 2),
    # so the rule, read with all three classes, goes to review
    text = "Patients currently receiving chemotherapy, immunotherapy or radiotherapy"
    rule = compile_criterion(text, role="exclusion")
    assert isinstance(rule, NeedsReview) and "chemotherapy/ici/radiotherapy" in rule.reason


def test_investigational_beside_other_therapies_is_either_one() -> None:
    # "No other concurrent investigational drugs or anticancer agents": two alternatives, each its own leaf
    text = "No other concurrent investigational drugs or anticancer agents"
    on_sorafenib = make_patient(treatments=[_line("sorafenib", start=date(2026, 1, 5), end=None, stop_reason=None,
                                                  ongoing=True)])
    assert _exact_status(text, "inclusion", on_sorafenib) == "not_met"  # an anticancer agent now
    assert _exact_status(text, "inclusion", make_patient()) == "met"  # the last line ended in 2025


def test_prior_or_concurrent_means_ever() -> None:
    text = "No prior or concurrent sorafenib"
    leaf = next(n for n in walk(_exact_rule(text, "inclusion")) if isinstance(n, PriorTherapy))
    assert leaf.within_days is None  # ever, not only at screening
    assert _exact_status(text, "inclusion", make_patient(treatments=[_line("sorafenib")])) == "not_met"  # stopped 2025
