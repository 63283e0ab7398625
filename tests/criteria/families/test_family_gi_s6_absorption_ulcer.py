"""Gastrointestinal criteria read in issue 10, session 6 (criteria/families/gi.py, history.py terms).

Each criterion is quoted exactly from its HCC record (trial id, role, number); the patients are small partial
records screened on 2026-06-01 (helpers_criteria.SCREENING).
"""

from __future__ import annotations

from helpers_criteria import review_check_for, status_for

from hcctrials.criteria import compile_criterion, describe
from hcctrials.model.eligibility import Administrative, walk

status = status_for("exclusion")
needs_review = review_check_for("exclusion")

# NCT00516165 exclusion 6
RAD001 = ("Impairment of gastrointestinal function or gastrointestinal disease that may significantly alter the absorption "
          "of RAD001")
# NCT01335074 exclusion 14 ("of" for "or" in the record)
SORAFENIB = ("Impairment of gastrointestinal function of gastrointestinal disease that may significantly alter the absorption "
             "of sorafenib (e.g. ulcerative colitis, uncontrolled nausea, vomiting, diarrhea, malabsorption syndrome)")
# NCT02292173 inclusion 7 (NCT02989870 inclusion 8 is the same sentence)
SWALLOW_AND_ABSORB = ("Able to swallow and retain orally administered medication and does not have any clinically significant "
                      "gastrointestinal abnormalities that may alter absorption such as malabsorption syndrome or major "
                      "resection of the stomach or bowels")
# NCT01009801 inclusion 35
SWALLOWING = "No known impairment of swallowing that would preclude administration of everolimus"
# NCT00081900 exclusion 8
IBD_ULCER = "Active inflammatory bowel disease (IBD) and/or active gastric or duodenal ulcer disease"
# NCT02435433 exclusion 18
PERFORATION = "Gastrointestinal perforation or fistulae within 6 months prior to randomization."


def _conditions(*items: dict[str, object], reviewed: bool = False) -> dict[str, object]:
    return {"conditions": list(items), "history_reviewed": reviewed}


def test_absorption_impairment_is_one_condition_with_its_examples() -> None:
    for text in (RAD001, SORAFENIB):
        assert not needs_review(text)
        assert status(text, _conditions({"code": "malabsorption", "name": "short bowel syndrome", "status": "active"})) == "met"
        assert status(text, _conditions({"code": "gi_absorption_impairment", "name": "total gastrectomy",
                                         "status": "active"})) == "met"
        assert status(text, _conditions(reviewed=True)) == "not_met"
        assert status(text, {}) == "unknown"


def test_examples_do_not_make_their_own_rules() -> None:
    # "ulcerative colitis" is an example of the class, not an exclusion of every colitis: a patient whose colitis is
    # recorded (and no absorption problem) is not excluded by the example alone
    patient = _conditions({"code": "inflammatory_bowel_disease", "name": "ulcerative colitis", "status": "controlled"},
                          reviewed=True)
    assert status(SORAFENIB, patient) == "not_met"


def test_resolved_malabsorption_does_not_exclude() -> None:
    patient = _conditions({"code": "malabsorption", "name": "coeliac disease", "status": "resolved"}, reviewed=True)
    assert status(RAD001, patient) == "not_met"


def test_swallow_and_absorption_inclusion() -> None:
    rule = compile_criterion(SWALLOW_AND_ABSORB, role="inclusion")
    assert not needs_review(SWALLOW_AND_ABSORB, role="inclusion")
    assert any(isinstance(n, Administrative) and n.category == "compliance" for n in walk(rule))
    # the absorption half is a computed rule: a malabsorption excludes whatever the site checks about swallowing
    bad = _conditions({"code": "malabsorption", "name": "chronic pancreatitis with steatorrhoea", "status": "active"})
    assert status(SWALLOW_AND_ABSORB, bad, role="inclusion") == "not_met"


def test_swallowing_is_a_site_check() -> None:
    rule = compile_criterion(SWALLOWING, role="inclusion")
    assert isinstance(rule, Administrative) and rule.category == "compliance"


def test_unqualified_chronic_gi_disease_is_not_read() -> None:
    # NCT05883644 exclusion 2: "chronic gastrointestinal disease" names no condition a code holds
    assert needs_review("Refractory nausea and vomiting, chronic gastrointestinal (GI) disease, inability to swallow a "
                        "formulated product, or previous significant bowel resection")


def test_active_ibd_or_ulcer() -> None:
    assert describe(compile_criterion(IBD_ULCER, role="exclusion")) == \
        "any of (history: inflammatory_bowel_disease (active); history: peptic_ulcer (active))"
    assert status(IBD_ULCER, _conditions({"code": "peptic_ulcer", "name": "duodenal ulcer", "status": "active"})) == "met"
    # Crohn's disease recorded under the autoimmune code is still inflammatory bowel disease
    assert status(IBD_ULCER, _conditions({"code": "autoimmune_disease", "name": "Crohn's disease", "status": "active"})) == "met"
    # an autoimmune disease without a name may be one: undecided, never excluded or passed
    assert status(IBD_ULCER, _conditions({"code": "autoimmune_disease", "status": "active"}, reviewed=True)) == "unknown"
    # the qualifier is kept: colitis in remission is not active disease
    assert status(IBD_ULCER, _conditions({"code": "inflammatory_bowel_disease", "name": "ulcerative colitis",
                                          "status": "controlled"}, reviewed=True)) == "not_met"
    assert status(IBD_ULCER, {}) == "unknown"


def test_ulcer_history_with_exceptions_stays_for_review() -> None:
    # NCT01306058 exclusion 9: a history with a window and an exception the record cannot show
    assert needs_review("History of peptic ulcer disease or gastritis within 6 months of TRC105 administration, unless patient "
                        "has received adequate treatment for peptic ulcer disease and has evidence of complete resolution "
                        "documented by esophagogastroduodenoscopy (EGD). Mild gastritis is allowed.")


def test_perforation_or_fistula_within_six_months() -> None:
    assert describe(compile_criterion(PERFORATION, role="exclusion")) == \
        "history: gi_perforation/abdominal_fistula (ever) within 180 d"
    recent_fistula = _conditions({"code": "abdominal_fistula", "name": "enterocutaneous fistula", "status": "active",
                                  "onset": "2026-02-15"})
    assert status(PERFORATION, recent_fistula) == "met"
    old = _conditions({"code": "gi_perforation", "name": "perforated appendix", "status": "resolved", "onset": "2024-05-01",
                       "resolved_on": "2024-05-20"}, reviewed=True)
    assert status(PERFORATION, old) == "not_met"
    assert status(PERFORATION, {}) == "unknown"


def test_a_requirement_after_the_examples_is_not_swallowed() -> None:
    # constructed near-miss: "such as ..." runs to the end of the sentence, but "inability to swallow" is another item
    rule = compile_criterion("Gastrointestinal disease that may alter absorption such as malabsorption syndrome, or "
                             "inability to swallow tablets", role="exclusion")
    assert "compliance" in describe(rule)
