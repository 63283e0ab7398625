"""Analysis sets of a randomised trial and the time origin of each (ICH E9 5.2; admiral
``derive_param_tte``: ``start_date = RANDDT`` for ITT, ``TRTSDT`` for the safety set).

Every expected day count below is worked out by hand from the timeline in the comment:
AVAL = ADT - start + 1.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hcctrials.datasets.example_study import EXAMPLE_STUDY_DIR
from hcctrials.datasets.example_two_arm_study import (
    CONTROL_ARM, EXAMPLE_TWO_ARM_STUDY_DIR, EXPERIMENTAL_ARM, generate_example_two_arm_study,
    load_example_two_arm_study,
)
from hcctrials.endpoints.derive import derive_tte
from hcctrials.endpoints.events import OS, PFS, TTP
from hcctrials.endpoints.study import (
    StudyData, analyse_study, check_study, derive_analysis_sets, derive_subject_flow,
)
from hcctrials.errors import ValidationError

EXP, CTL = "Combination", "TACE"

# P1: randomised 2025-01-01 to the combination, first dose 2025-01-08, PD 2025-03-05.
# P2: randomised 2025-01-03 to TACE, never treated, died 2025-04-01.
# P3: randomised 2025-01-05 to TACE, never treated, last known alive 2025-02-14.
# P4: randomised 2025-01-06 to the combination but given TACE (first dose 2025-01-10),
#     SD 2025-02-21, SD 2025-04-04, last known alive 2025-06-30; major deviation.
# S1: screened, failed screening (never randomised).
SUBJECTS = pd.DataFrame({
    "subject_id": ["P1", "P2", "P3", "P4", "S1"],
    "randomisation_date": ["2025-01-01", "2025-01-03", "2025-01-05", "2025-01-06", None],
    "arm": [EXP, CTL, CTL, EXP, None],
    "actual_arm": [EXP, None, None, CTL, None],
    "first_dose_date": ["2025-01-08", None, None, "2025-01-10", None],
    "death_date": [None, "2025-04-01", None, None, None],
    "last_known_alive_date": ["2025-06-30", None, "2025-02-14", "2025-06-30", None],
    "per_protocol": ["yes", "no", "no", "no", None],
    "bclc": ["B", "C", "B", "C", None],
})
VISITS = pd.DataFrame([
    ("P1", "2024-12-20", None), ("P1", "2025-02-19", "SD"), ("P1", "2025-03-05", "PD"),
    ("P4", "2024-12-28", None), ("P4", "2025-02-21", "SD"), ("P4", "2025-04-04", "SD"),
], columns=["subject_id", "visit_date", "overall_response"])


def _study(subjects: pd.DataFrame = SUBJECTS) -> StudyData:
    empty = pd.DataFrame({"subject_id": pd.Series(dtype=str)})
    return StudyData(subjects, empty, empty, empty,
                     {"arms": [EXP, CTL], "strata": ["bclc"], "data_cutoff": "2025-12-31"})


def _row(adtte: pd.DataFrame, sid: str, param: str) -> tuple[str, int, int, str]:
    r = adtte[(adtte["subject_id"] == sid) & (adtte["PARAMCD"] == param)]
    assert len(r) == 1, (sid, param)
    x = r.iloc[0]
    return (str(x["ADT"].date()), int(x["AVAL"]), int(x["CNSR"]), str(x["SRCNAME"]))


def test_flags_itt_safety_per_protocol() -> None:
    sets = derive_analysis_sets(_study()).set_index("subject_id")
    assert list(sets["ITTFL"]) == ["Y", "Y", "Y", "Y", "N"]     # every randomised subject
    assert list(sets["SAFFL"]) == ["Y", "N", "N", "Y", "N"]     # at least one dose
    assert list(sets["PPROTFL"]) == ["Y", "N", "N", "N", "N"]
    # analysed as randomised (ITT) and as treated (safety)
    assert sets.loc["P4", "arm"] == EXP and sets.loc["P4", "actual_arm"] == CTL
    assert sets.loc["P2", "arm"] == CTL and sets.loc["P2", "actual_arm"] == ""


def test_per_protocol_without_a_flag_column_is_treated_as_randomised() -> None:
    sets = derive_analysis_sets(_study(SUBJECTS.drop(columns="per_protocol")))
    assert list(sets["PPROTFL"]) == ["Y", "N", "N", "N", "N"]   # P4 crossed over: not PP


def test_itt_measures_from_randomisation_safety_from_first_dose() -> None:
    itt = derive_tte(SUBJECTS, VISITS, endpoints=(PFS, OS), start_from="randomisation")
    safety = derive_tte(SUBJECTS, VISITS, endpoints=(PFS, OS))
    # P1: PD 2025-03-05; from randomisation 2025-01-01 -> day 64, from first dose 01-08 -> 57
    assert _row(itt, "P1", "PFS") == ("2025-03-05", 64, 0, "pd_event")
    assert _row(safety, "P1", "PFS") == ("2025-03-05", 57, 0, "pd_event")
    # P4: censored at the last adequate assessment 2025-04-04: day 89 (ITT) / 85 (safety)
    assert _row(itt, "P4", "PFS") == ("2025-04-04", 89, 1, "lasta_censor")
    assert _row(safety, "P4", "PFS") == ("2025-04-04", 85, 1, "lasta_censor")
    assert _row(itt, "P4", "OS") == ("2025-06-30", 176, 1, "lastalive_censor")
    assert itt.loc[itt["subject_id"] == "P1", "STARTDT"].iloc[0] == pd.Timestamp("2025-01-01")


def test_untreated_subjects_stay_in_itt_and_leave_the_safety_set() -> None:
    itt = derive_tte(SUBJECTS, VISITS, endpoints=(PFS, TTP, OS), start_from="randomisation")
    safety = derive_tte(SUBJECTS, VISITS, endpoints=(PFS, TTP, OS))
    assert set(itt["subject_id"]) == {"P1", "P2", "P3", "P4"}
    assert set(safety["subject_id"]) == {"P1", "P4"}
    # P2 died 2025-04-01, 88 days after randomisation: a PFS and OS event on day 89
    assert _row(itt, "P2", "PFS") == ("2025-04-01", 89, 0, "death_event")
    assert _row(itt, "P2", "OS") == ("2025-04-01", 89, 0, "death_event")
    # ... and TTP is censored at randomisation (no assessment), saying why
    assert _row(itt, "P2", "TTP") == ("2025-01-03", 1, 2, "rand_censor")
    desc = itt[(itt["subject_id"] == "P2") & (itt["PARAMCD"] == "TTP")]["EVNTDESC"].iloc[0]
    assert desc == "Death without progression: censored at start (no post-baseline assessment)"
    # P3 never assessed: PFS censored at randomisation (day 1); OS at last contact 02-14
    assert _row(itt, "P3", "PFS") == ("2025-01-05", 1, 2, "rand_censor")
    assert _row(itt, "P3", "OS") == ("2025-02-14", 41, 1, "lastalive_censor")


def test_itt_needs_randomisation_and_dose_after_it() -> None:
    with pytest.raises(ValidationError, match="no column 'randomisation_date'") as e:
        derive_tte(SUBJECTS.drop(columns="randomisation_date"), VISITS, start_from="randomisation")
    bad = SUBJECTS.assign(first_dose_date=["2024-12-30", None, None, "2025-01-10", None])
    with pytest.raises(ValidationError, match="first dose dated before randomisation") as e:
        derive_tte(bad, VISITS, start_from="randomisation")
    assert "P1" in str(e.value) and "first_dose_date" in str(e.value)
    bad = SUBJECTS.assign(randomisation_date=[None, "2025-01-03", "2025-01-05", "2025-01-06", None])
    with pytest.raises(ValidationError, match="treated but has no randomisation date") as e:
        derive_tte(bad, VISITS, start_from="randomisation")
    assert "P1" in str(e.value)
    bad = SUBJECTS.assign(death_date=[None, "2025-01-02", None, None, None])
    with pytest.raises(ValidationError, match="death dated before randomisation") as e:
        derive_tte(bad, VISITS, start_from="randomisation")
    assert "P2" in str(e.value)
    with pytest.raises(ValidationError, match="unknown time origin"):
        derive_tte(SUBJECTS, VISITS, start_from="screening")  # type: ignore[arg-type]


def test_data_cutoff_leaves_out_subjects_randomised_after_it() -> None:
    out = derive_tte(SUBJECTS, VISITS, endpoints=(OS,), start_from="randomisation",
                     data_cutoff=date(2025, 1, 4))
    assert set(out["subject_id"]) == {"P1", "P2"}
    assert _row(out, "P2", "OS") == ("2025-01-04", 2, 1, "lastalive_censor")


def test_check_study_names_the_subject() -> None:
    check_study(_study())
    with pytest.raises(ValidationError, match="arm not listed") as e:
        check_study(_study(SUBJECTS.assign(arm=[EXP, "Placebo", CTL, EXP, None])))
    assert "P2" in str(e.value)
    with pytest.raises(ValidationError, match="randomised subject without a value") as e:
        check_study(_study(SUBJECTS.assign(bclc=["B", "C", None, "C", None])))
    assert "P3" in str(e.value) and "bclc" in str(e.value)
    with pytest.raises(ValidationError, match="treated but not randomised") as e:
        check_study(_study(SUBJECTS.assign(first_dose_date=[
            "2025-01-08", None, None, "2025-01-10", "2025-01-20"])))
    assert "S1" in str(e.value)
    with pytest.raises(ValidationError, match="expected yes/no") as e:
        check_study(_study(SUBJECTS.assign(per_protocol=["yes", "maybe", "no", "no", None])))


# ------------------------------------------------------------------ the bundled examples

def test_one_arm_example_keeps_the_treated_set() -> None:
    from hcctrials.reports.load import load_study

    study = load_study(EXAMPLE_STUDY_DIR)
    analysis = analyse_study(study, criteria=["recist11"])
    assert analysis.analysis_set == "safety"
    assert analysis.n_analysed == analysis.n_treated == len(study.treated)
    pfs = analysis.by_criteria["recist11"].adtte
    pfs = pfs[pfs["PARAMCD"] == "PFS"]
    assert (pfs["STARTDT"].to_numpy() == pd.to_datetime(
        study.treated.set_index("subject_id").loc[pfs["subject_id"], "first_dose_date"]).to_numpy()).all()
    with pytest.raises(ValidationError, match="ITT analysis needs randomisation dates"):
        analyse_study(study, analysis_set="itt")


@pytest.fixture(scope="module")
def two_arm() -> StudyData:
    return load_example_two_arm_study()


def test_two_arm_example_is_what_its_generator_writes(two_arm: StudyData) -> None:
    fresh = generate_example_two_arm_study()
    for name in ("subjects", "tumour_assessments", "adverse_events", "dosing"):
        packaged = pd.read_csv(EXAMPLE_TWO_ARM_STUDY_DIR / f"{name}.csv", dtype={"subject_id": str})
        regenerated = pd.read_csv(pd.io.common.StringIO(fresh[name].to_csv(index=False)),
                                  dtype={"subject_id": str})
        pd.testing.assert_frame_equal(packaged, regenerated)


def test_two_arm_example_is_randomised_stratified_one_to_one(two_arm: StudyData) -> None:
    check_study(two_arm)
    sets = derive_analysis_sets(two_arm)
    itt = sets[sets["ITTFL"] == "Y"].merge(two_arm.subjects.astype({"subject_id": str}),
                                           on="subject_id", suffixes=("", "_raw"))
    assert len(itt) == 120
    counts = itt.groupby(["bclc", "afp400", "arm"]).size().unstack()
    # permuted blocks of 4 within each stratum: at most 2 apart in every stratum
    assert (counts[EXPERIMENTAL_ARM] - counts[CONTROL_ARM]).abs().max() <= 2
    assert (sets["SAFFL"] == "Y").sum() == 117                     # three never treated
    assert ((sets["ITTFL"] == "Y") & (sets["SAFFL"] == "N")).sum() == 3
    crossed = sets[(sets["SAFFL"] == "Y") & (sets["arm"] != sets["actual_arm"])]
    assert list(crossed["arm"]) == [EXPERIMENTAL_ARM] and list(crossed["actual_arm"]) == [CONTROL_ARM]
    flow = derive_subject_flow(two_arm)
    rand = flow[flow["stage"] == "randomised_arm"].set_index("reason")["n"]
    treated = flow[flow["stage"] == "treated_arm"].set_index("reason")["n"]
    assert rand.sum() == 120 and treated.sum() == 117
    assert int(flow.loc[flow["stage"] == "randomised", "n"].iloc[0]) == 120


def test_two_arm_example_analyses_itt_by_default(two_arm: StudyData) -> None:
    analysis = analyse_study(two_arm)
    assert analysis.analysis_set == "itt" and analysis.n_analysed == 120
    assert analysis.n_treated == 117
    a = analysis.by_criteria["mrecist"]
    assert a.orr.n == 120                        # untreated subjects are non-responders
    os_ = a.adtte[a.adtte["PARAMCD"] == "OS"]
    assert len(os_) == 120 and os_["subject_id"].is_unique
    start = pd.to_datetime(two_arm.subjects.set_index("subject_id")["randomisation_date"])
    assert (os_["STARTDT"].to_numpy() == start.loc[os_["subject_id"]].to_numpy()).all()
    safety = analyse_study(two_arm, analysis_set="safety", criteria=["mrecist"])
    assert safety.n_analysed == 117
