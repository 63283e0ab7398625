"""HIV criteria worded with AIDS or with another retrovirus (issue 10, virology family, session 5).

Quoted from registry records in ../shared (hint_hcc_subset.csv).  An AIDS-related illness presupposes HIV
infection (AIDS is its advanced stage), so "HIV infection or AIDS-related illness" is HIV positive; anti-HTLV-1
serology is not in the patient record, so only the HIV part can decide.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_criteria import screening_verdict

from hcctrials.criteria import compile_criterion, describe

#: NCT02572687 exclusion 5
HIV_OR_AIDS = ("Has human immunodeficiency virus (HIV) infection or acquired immunodeficiency syndrome (AIDS)-related "
               "illness, or a history of immunodeficiency")
#: NCT02029157 exclusion 10
HIV_OR_HTLV1 = "Diagnosis positive for anti-HIV antibody and/or anti-HTLV-1 antibody"


def test_hiv_or_aids_is_one_fact() -> None:
    assert describe(compile_criterion(HIV_OR_AIDS, role="exclusion")) == \
        "any of (virology: hiv positive; history: immunodeficiency (ever))"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"virology": {"hiv_positive": True}}, "met", "HIV positive"),
    ({"virology": {"hiv_positive": False}, "history_reviewed": True}, "not_met",
     "HIV negative and no immunodeficiency in the reviewed history"),
    ({"virology": {"hiv_positive": False}, "history_reviewed": True,
      "conditions": [{"code": "immunodeficiency", "name": "common variable immunodeficiency", "status": "active"}]},
     "met", "a primary immunodeficiency"),
    ({"history_reviewed": True}, "unknown", "HIV status not recorded"),
])
def test_hiv_aids_or_immunodeficiency(patient: dict[str, Any], expected: str, why: str) -> None:
    status, reason = screening_verdict(HIV_OR_AIDS, patient)
    assert status == expected, (why, reason)


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"virology": {"hiv_positive": True}}, "met", "anti-HIV positive excludes whatever the HTLV-1 serology"),
    ({"virology": {"hiv_positive": False}}, "unknown", "HIV negative; anti-HTLV-1 not tested (session 6: a field)"),
    ({"virology": {"hiv_positive": False, "htlv1_positive": True}}, "met", "an HTLV-1 carrier"),
    ({"virology": {"hiv_positive": False, "htlv1_positive": False}}, "not_met", "both antibodies negative"),
    ({}, "unknown", "neither serology recorded: the HIV test is asked for first"),
])
def test_hiv_or_htlv1_antibody(patient: dict[str, Any], expected: str, why: str) -> None:
    status, reason = screening_verdict(HIV_OR_HTLV1, patient)
    assert status == expected, (why, reason)


#: NCT01306058 exclusion 11
HIV_WITH_OR_WITHOUT_ART = (
    "Human immunodeficiency virus (HIV)-positive patients receiving anti-retroviral therapy are excluded from this study "
    "due to the possibility of pharmacokinetic interactions between antiretroviral medications and sorafenib or TRC105. "
    "HIV positive patients not receiving antiretroviral therapy are excluded due to the possibility that sorafenib or "
    "TRC105 may worsen their condition and the likelihood that the underlying condition may obscure the attribution of "
    "adverse events with respect to sorafenib or TRC105.")
#: NCT00005997 inclusion 40
NO_CART_FOR_HIV = "No concurrent combination antiviral therapy for HIV-positive patients"


def test_hiv_positive_excluded_with_or_without_antiretrovirals() -> None:
    # the two sentences together exclude every HIV-positive patient: the therapy does not matter
    assert describe(compile_criterion(HIV_WITH_OR_WITHOUT_ART, role="exclusion")) == "virology: hiv positive"
    assert screening_verdict(HIV_WITH_OR_WITHOUT_ART, {"virology": {"hiv_positive": True}})[0] == "met"
    assert screening_verdict(HIV_WITH_OR_WITHOUT_ART, {"virology": {"hiv_positive": False}})[0] == "not_met"


@pytest.mark.parametrize(("patient", "expected", "why"), [
    ({"virology": {"hiv_positive": False}}, "met", "HIV negative: no antiretroviral combination to forbid"),
    ({"virology": {"hiv_positive": True}}, "unknown", "HIV positive: the regimen is not recorded (session 6)"),
    ({"virology": {"hiv_positive": True, "hiv_antiretroviral": True}}, "not_met", "HIV positive on antiretrovirals"),
    ({"virology": {"hiv_positive": True, "hiv_antiretroviral": False}}, "met", "HIV positive, no antiretrovirals"),
    ({}, "unknown", "HIV status not recorded"),
])
def test_no_combination_antiretrovirals_for_hiv_positive(patient: dict[str, Any], expected: str, why: str) -> None:
    status, reason = screening_verdict(NO_CART_FOR_HIV, patient, role="inclusion")
    assert status == expected, (why, reason)
