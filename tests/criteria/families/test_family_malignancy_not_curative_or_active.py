"""Another cancer "either not treated with curative intent or active within the past 5 years" (KEYNOTE-224 wording,
NCT02572687 exclusion 2; issue 10, malignancy family): a prior cancer is let in only when it was treated with curative
intent AND has had no active disease for 5 years.  Screening date ``AS_OF`` (2026-03-10)."""

from __future__ import annotations

from datetime import date

import pytest
from helpers_criteria import compiled_status, make_patient

from hcctrials.criteria import compile_criterion
from hcctrials.model.eligibility import NeedsReview, OtherMalignancy
from hcctrials.model.patient import Condition

TEXT = ("Has a history of prior cancers not included in this study that were either not treated with curative intent or "
        "have been active within the past 5 years")


def _cancer(**kw: object) -> Condition:
    return Condition(code="other_malignancy", malignancy_type="other", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("cancer", "expected", "why"), [
    (_cancer(name="breast cancer", cured=True, onset=date(2012, 3, 1), resolved_on=date(2012, 10, 1), status="resolved"),
     "not_met", "curative treatment and 13 years without disease"),
    (_cancer(name="colon cancer", cured=True, onset=date(2022, 6, 1), resolved_on=date(2023, 1, 15), status="resolved"),
     "met", "curative treatment, but active disease three years ago"),
    (_cancer(name="prostate cancer on active surveillance", cured=False, onset=date(2012, 1, 1), status="controlled"),
     "met", "never treated with curative intent"),
    (_cancer(name="lymphoma", onset=date(2010, 1, 1), resolved_on=date(2010, 8, 1), status="resolved"),
     "unknown", "15 years without disease, but the intent of the treatment is not recorded"),
])
def test_prior_cancer_excluded_unless_curative_and_inactive_for_5_years(cancer: Condition, expected: str, why: str) -> None:
    assert compiled_status(TEXT, "exclusion", make_patient(conditions=[cancer])) == expected, why


def test_reads_one_joint_exception() -> None:
    rule = compile_criterion(TEXT, role="exclusion")
    assert isinstance(rule, OtherMalignancy)
    assert [(x.treated_required, x.min_days_disease_free) for x in rule.exceptions] == [(True, 5 * 365)]
    # as an inclusion the wording would be inverted: never read
    assert isinstance(compile_criterion(TEXT, role="inclusion"), NeedsReview)
