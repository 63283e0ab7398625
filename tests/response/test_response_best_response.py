"""Best overall response and confirmation: [E09] section 4.4 and Table 3 (spec 1.7),
admiralonco's confirmed-BOR algorithm (cbor_cr / cbor_pr, max_nr_ne = 1, accept_sd = FALSE)
and the SD minimum of seed 000 (DCR: SD >= 8 weeks = 56 days).

Each test states its settings; days are offsets from first dose (2024-01-01).
"""

from __future__ import annotations

import pytest


def subj(result, col):
    return result.subjects[col].iloc[0]


def t(values):
    """Single-target timeline: baseline 50 mm then the given diameters (50 -> PR <= 35)."""
    return {"T1": [50, *values]}


# CR = 0, PR = 30, SD = 45 (SD2 = 35.5 after a PR: +18% from nadir 30), PD = 70, NE = None
CR, PR, SD, SD2, PD, NE = 0, 30, 45, 35.5, 70, None


# --- Table 3 of [E09], row by row (confirmation required) ---------------------------------

@pytest.mark.parametrize(("first", "second", "first_day", "expected"), [
    ((CR,), (CR,), 56, "CR"),          # CR CR -> CR
    ((CR,), (PD,), 56, "SD"),          # CR PD -> SD if SD minimum met
    ((CR,), (PD,), 42, "PD"),          # ... otherwise PD
    ((CR,), (NE,), 56, "SD"),          # CR NE -> SD if SD minimum met
    ((CR,), (NE,), 42, "NE"),          # ... otherwise NE
    ((PR,), (CR,), 56, "PR"),          # PR CR -> PR
    ((PR,), (PR,), 56, "PR"),          # PR PR -> PR
    ((PR,), (SD2,), 56, "SD"),         # PR SD -> SD
    ((PR,), (PD,), 56, "SD"),          # PR PD -> SD if SD minimum met
    ((PR,), (PD,), 42, "PD"),          # ... otherwise PD
    ((PR,), (NE,), 56, "SD"),          # PR NE -> SD if minimum met
    ((PR,), (NE,), 42, "NE"),          # ... otherwise NE
    ((NE,), (NE,), 56, "NE"),          # NE NE -> NE
])
def test_table3_rows(series, run, first, second, first_day, expected):
    """[E09] Table 3; second assessment 42 days after the first (>= 28)."""
    r = run(series(days=(-7, first_day, first_day + 42), targets=t([*first, *second])),
            confirm=True)
    assert subj(r, "best_overall_response") == expected
    assert subj(r, "best_overall_response_confirmed") == expected


def test_cr_then_sd_is_pd_by_reappearance_then_table3(series, run):
    """CR then targets back (SD-sized sum): after a true CR this is PD [S16], so the Table 3
    row "CR SD" gives SD if the minimum is met (CR at day 56), otherwise PD (day 42)."""
    r = run(series(days=(-7, 56, 98), targets=t([CR, 45])), confirm=True)
    assert r.visits["overall_response"].tolist() == ["CR", "PD"]
    assert subj(r, "best_overall_response") == "SD"
    r = run(series(days=(-7, 42, 84), targets=t([CR, 45])), confirm=True)
    assert subj(r, "best_overall_response") == "PD"


def test_cr_then_pr_from_non_target_gives_sd_and_finding(series, run):
    """CR, then PR (non-target reappears: target CR + non-target present): Table 3 row
    "CR PR": not a confirmed CR; SD as minimum met; CR_THEN_PR finding (admiralonco
    signal_crpr)."""
    r = run(series(days=(-7, 56, 98), targets=t([CR, CR]),
                   non_targets={"NT1": ["present", "absent", "present"]}), confirm=True)
    assert r.visits["overall_response"].tolist() == ["CR", "PR"]
    assert subj(r, "best_overall_response_confirmed") == "SD"
    assert "CR_THEN_PR" in r.findings["code"].tolist()


# --- confirmation interval, NE/SD between, never across PD ------------------------------------

def test_confirmation_needs_28_days(series, run):
    """27 days apart: not confirmed (falls to SD); 28 days: confirmed PR (pitfall 7)."""
    r27 = run(series(days=(-7, 56, 83), targets=t([PR, PR])), confirm=True)
    r28 = run(series(days=(-7, 56, 84), targets=t([PR, PR])), confirm=True)
    assert subj(r27, "best_overall_response") == "SD"
    assert subj(r28, "best_overall_response") == "PR"
    assert str(subj(r28, "confirmation_date").date()) == "2024-03-25"
    assert str(subj(r28, "first_response_date").date()) == "2024-02-26"


def test_later_assessment_can_confirm_after_a_too_early_one(series, run):
    """PR day 56, PR day 70 (14 d), PR day 84 (28 d from the first): confirmed."""
    r = run(series(days=(-7, 56, 70, 84), targets=t([PR, PR, PR])), confirm=True)
    assert subj(r, "best_overall_response") == "PR"


@pytest.mark.parametrize(("max_ne", "n_ne", "expected"), [
    (1, 1, "PR"), (1, 2, "SD"), (2, 2, "PR"), (0, 1, "SD"),
])
def test_ne_between_response_and_confirmation(series, run, max_ne, n_ne, expected):
    """max_ne_between_confirmation (admiralonco max_nr_ne; default 1)."""
    values = [PR] + [NE] * n_ne + [PR]
    days = [-7] + [56 + 28 * i for i in range(len(values))]
    r = run(series(days=days, targets=t(values)), confirm=True,
            max_ne_between_confirmation=max_ne)
    assert subj(r, "best_overall_response") == expected


def test_sd_between_pr_and_confirmation_is_a_parameter(series, run):
    """PR, SD, PR: not confirmed by default (accept_sd=FALSE); confirmed when accepted."""
    df = series(days=(-7, 56, 84, 112), targets=t([PR, SD2, PR]))
    assert run(df).visits["overall_response"].tolist() == ["PR", "SD", "PR"]
    assert subj(run(df, confirm=True), "best_overall_response") == "SD"
    assert subj(run(df, confirm=True, accept_sd_between_pr_and_confirmation=True),
                "best_overall_response") == "PR"


def test_confirmation_never_crosses_pd(series, run):
    """PR, PD, PR: BOR window ends at the first PD, so the PR is unconfirmed -> SD."""
    r = run(series(days=(-7, 56, 84, 112), targets=t([PR, 40, 25])), confirm=True)
    assert r.visits["overall_response"].tolist() == ["PR", "PD", "PR"]
    assert subj(r, "best_overall_response") == "SD"
    assert r.visits["in_bor_window"].tolist() == [True, True, False]


def test_pr_then_cr_confirms_pr_not_cr(series, run):
    """PR then CR 28+ days later: confirmed PR (pitfall 7)."""
    r = run(series(days=(-7, 56, 112), targets=t([PR, CR])), confirm=True)
    assert subj(r, "best_overall_response") == "PR"
    assert subj(r, "best_overall_response_unconfirmed") == "CR"


def test_no_pr_after_cr_in_pr_confirmation(series, run):
    """PR d56, CR d70 (too early to confirm), PR d100: a PR after a CR cannot confirm
    (admiralonco cbor_pr); result SD (SD minimum met).  Baseline SOD 70 (T1 50 + node 20);
    d56 SOD 32 (PR), d70 T1 0 + node 8 (CR), d100 node 11 (SOD 11: +3 mm, not PD; PR)."""
    df = series(days=(-7, 56, 70, 100), targets={"T1": [50, 20, 0, 0], "N1": [20, 12, 8, 11]},
                nodes=["N1"])
    r = run(df, confirm=True, reappearance_after_cr_is_pd=False)
    assert r.visits["overall_response"].tolist() == ["PR", "CR", "PR"]
    assert subj(r, "best_overall_response") == "SD"


def test_unconfirmed_response_finding(series, run):
    r = run(series(days=(-7, 56), targets=t([PR])), confirm=True)
    assert subj(r, "best_overall_response_unconfirmed") == "PR"
    assert subj(r, "best_overall_response") == "SD"
    assert "UNCONFIRMED_RESPONSE" in r.findings["code"].tolist()


# --- BOR without confirmation and the SD minimum ------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [(55, "NE"), (56, "SD")])
def test_sd_minimum_56_days_boundary(series, run, day, expected):
    """Seed 000 DCR: SD >= 8 weeks; day 55 does not count (falls to NE), day 56 does."""
    r = run(series(days=(-7, day), targets=t([SD])), sd_min_days=56)
    assert subj(r, "best_overall_response") == expected


def test_early_sd_then_pd_is_pd(series, run):
    """SD at day 42 then PD: the early SD falls back to PD, never SD (pitfall 6)."""
    r = run(series(days=(-7, 42, 84), targets=t([SD, PD])))
    assert subj(r, "best_overall_response") == "PD"
    assert str(subj(r, "first_progression_date").date()) == "2024-03-25"


def test_bor_ignores_assessments_after_first_pd(series, run):
    """SD, PD, CR: BOR SD (assessments after the first PD are ignored; pitfall 9)."""
    r = run(series(days=(-7, 56, 112, 168), targets=t([SD, 70, 0])))
    assert subj(r, "best_overall_response") == "SD"


def test_unconfirmed_cr_counts_without_confirmation(series, run):
    r = run(series(days=(-7, 28), targets=t([CR])))
    assert subj(r, "best_overall_response") == "CR"


def test_non_target_only_bor_non_cr_non_pd(series, run):
    r = run(series(days=(-7, 56), non_targets={"NT1": ["present", "present"]}))
    assert subj(r, "best_overall_response") == "NON_CR_NON_PD"


def test_new_anticancer_therapy_ends_bor_window(series, run, ):
    from datetime import date

    import pandas as pd
    df = series(days=(-7, 56, 112), targets=t([SD, PR]))
    doses = pd.DataFrame({"subject_id": ["S1"], "first_dose_date": [date(2024, 1, 1)],
                          "new_anticancer_therapy_date": [date(2024, 4, 1)]})
    r = run(df, doses=doses)
    assert subj(r, "best_overall_response") == "SD"


def test_subject_without_assessment_is_ne_and_kept(series, run):
    """No post-baseline assessment: BOR NE, still listed (ORR denominator; spec 1.7)."""
    from datetime import date
    r = run(series(days=(-7, 56), targets=t([PR])),
            doses={"S1": date(2024, 1, 1), "S2": date(2024, 1, 5)})
    s2 = r.subjects.set_index("subject_id").loc["S2"]
    assert s2["best_overall_response"] == "NE"
    assert "no post-baseline" in s2["bor_note"]


def test_continuing_pr_changes_labels_not_bor(series, run):
    """[S16 Q&A] continuing PR: SD after a PR is labelled PR; BOR unchanged."""
    df = series(days=(-7, 56, 112), targets=t([PR, 35.5]))
    plain = run(df)
    cont = run(df, continuing_pr=True)
    assert plain.visits["overall_response"].tolist() == ["PR", "SD"]
    assert cont.visits["overall_response"].tolist() == ["PR", "PR"]
    assert subj(plain, "best_overall_response") == subj(cont, "best_overall_response") == "PR"


def test_adrs_shape(series, run):
    r = run(series(days=(-7, 56, 112), targets=t([PR, PR])), confirm=True)
    adrs = r.to_adrs()
    assert list(adrs["PARAMCD"]) == ["OVR", "OVR", "BOR", "CBOR"]
    assert list(adrs["AVALC"]) == ["PR", "PR", "PR", "PR"]
    assert list(adrs["AVAL"]) == [2, 2, 2, 2]   # admiral aval_resp: PR = 2
    assert {"USUBJID", "PARAM", "ADT"} <= set(adrs.columns)


def test_findings_as_named_warnings(series, run):
    from hcctrials.response import UnconfirmedResponse
    r = run(series(days=(-7, 56), targets=t([PR])), confirm=True)
    warns = r.warnings()
    assert len(warns) == 1 and isinstance(warns[0], UnconfirmedResponse)
    assert "subject S1" in str(warns[0])
