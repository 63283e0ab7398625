"""ADSL, ADRS and ADTTE as admiral / admiralonco users know them.

Small literal patient timelines first (every expected value worked out by hand from the
comments), then the bundled two-arm example against R: ``fixtures/adam/r_adtte.csv`` is
R's own derivation of PFS and OS from the raw subject table, and ``km_*.csv`` /
``table_*.csv`` are ``survfit(Surv(AVAL, CNSR == 0) ~ ARM, conf.type = "log-log")`` on the
ADTTE that hcctrials exports (``fixtures/adam/make_reference.R``, R survival 3.5-3;
inputs written by ``fixtures/adam/make_inputs.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hcctrials.datasets.example_two_arm_study import (
    CONTROL_ARM, EXPERIMENTAL_ARM, load_example_two_arm_study,
)
from hcctrials.endpoints.adam import (
    ADSL_COLUMNS, ADTTE_COLUMNS, adam_paramcd, build_adam, build_adrs, build_adsl, build_adtte,
)
from hcctrials.endpoints.derive import derive_tte
from hcctrials.endpoints.events import DOR, OS, PFS, TTP
from hcctrials.endpoints.study import StudyAnalysis, StudyData, analyse_study
from hcctrials.endpoints.survival import compute_kaplan_meier
from hcctrials.errors import ValidationError

HERE = Path(__file__).parent / "fixtures" / "adam"
EXP, CTL = "Combination", "TACE"

# A1: randomised 2025-01-01 (combination), first dose 01-08; PR 02-19, PR 04-02 (RECIST
#     1.1 and mRECIST), PD by mRECIST only on 05-14 (RECIST 1.1 still PR); last dose 05-14
#     (a later row with 0 mg delivered does not count); alive 2025-09-30.
# A2: randomised 2025-01-03 (TACE), never treated, died 2025-04-01.
# A3: randomised 2025-01-06 (combination) but treated with TACE from 01-10; SD 02-21;
#     died 2025-06-01.
# X9: screen failure.
SUBJECTS = pd.DataFrame({
    "subject_id": ["A1", "A2", "A3", "X9"], "age": [61, 55, 70, 48], "sex": ["M", "F", "M", "M"],
    "randomisation_date": ["2025-01-01", "2025-01-03", "2025-01-06", None],
    "arm": [EXP, CTL, EXP, None], "actual_arm": [EXP, None, CTL, None],
    "first_dose_date": ["2025-01-08", None, "2025-01-10", None],
    "death_date": [None, "2025-04-01", "2025-06-01", None],
    "last_known_alive_date": ["2025-09-30", None, None, None],
    "end_of_treatment_reason": ["Disease progression", "Not treated", "Death", None],
    "bclc": ["B", "C", "C", None], "afp400": ["<400", ">=400", "<400", None],
})
DOSING = pd.DataFrame({
    "subject_id": ["A1", "A1", "A1", "A3"], "drug": ["lenvatinib"] * 3 + ["TACE"],
    "cycle": [1, 2, 3, 1], "dose_date": ["2025-01-08", "2025-05-14", "2025-06-04", "2025-01-10"],
    "planned_dose": [252, 252, 252, 1], "actual_dose": [252, 252, 0, 1],
})
MRECIST = pd.DataFrame({
    "subject_id": ["A1", "A1", "A1", "A3"],
    "visit_date": pd.to_datetime(["2025-02-19", "2025-04-02", "2025-05-14", "2025-02-21"]),
    "overall_response": ["PR", "PR", "PD", "SD"], "in_bor_window": [True, True, True, True]})
RECIST = MRECIST.assign(overall_response=["PR", "PR", "PR", "SD"])


def _bor() -> pd.DataFrame:
    return pd.DataFrame({
        "subject_id": ["A1", "A2", "A3"], "first_response_date": ["2025-02-19", None, None],
        "best_overall_response_unconfirmed": ["PR", None, "SD"],
        "bor_unconfirmed_date": ["2025-02-19", None, "2025-02-21"],
        "best_overall_response_confirmed": ["PR", None, "SD"],
        "bor_confirmed_date": ["2025-02-19", None, "2025-02-21"]})


def _study() -> StudyData:
    empty = pd.DataFrame({"subject_id": pd.Series(dtype=str), "visit_date": pd.Series(dtype=str)})
    return StudyData(SUBJECTS, empty, empty, DOSING,
                     {"study_id": "HCC-T-01", "arms": [EXP, CTL], "strata": ["bclc", "afp400"],
                      "data_cutoff": "2025-12-31"})


@pytest.fixture(scope="module")
def adsl() -> pd.DataFrame:
    return build_adsl(_study())


@pytest.fixture(scope="module")
def records() -> dict[str, pd.DataFrame]:
    itt = SUBJECTS[SUBJECTS["randomisation_date"].notna()]
    return {c: derive_tte(itt, v[["subject_id", "visit_date", "overall_response"]],
                          responses=_bor(), endpoints=(PFS, TTP, DOR, OS),
                          start_from="randomisation")
            for c, v in (("mrecist", MRECIST), ("recist11", RECIST))}


@pytest.fixture(scope="module")
def adrs(adsl: pd.DataFrame) -> pd.DataFrame:
    return build_adrs({"mrecist": (MRECIST, _bor()), "recist11": (RECIST, _bor())},
                      adsl, primary_criteria="mrecist")


@pytest.fixture(scope="module")
def adtte(records: dict[str, pd.DataFrame], adsl: pd.DataFrame, adrs: pd.DataFrame) -> pd.DataFrame:
    return build_adtte(records, adsl, primary_criteria="mrecist", adrs=adrs)


def _one(frame: pd.DataFrame, sid: str, paramcd: str) -> pd.Series:
    r = frame[(frame["USUBJID"] == sid) & (frame["PARAMCD"] == paramcd)]
    assert len(r) == 1, (sid, paramcd, len(r))
    return r.iloc[0]


def test_adsl_arms_dates_and_flags(adsl: pd.DataFrame) -> None:
    assert list(adsl.columns) == [*ADSL_COLUMNS, "BCLC", "AFP400"]
    a = adsl.set_index("USUBJID")
    assert list(a["ITTFL"]) == ["Y", "Y", "Y", "N"]
    assert list(a["SAFFL"]) == ["Y", "N", "Y", "N"]
    assert list(a["PPROTFL"]) == ["Y", "N", "N", "N"]
    assert (a.loc["A3", "TRT01P"], a.loc["A3", "TRT01A"]) == (EXP, CTL)   # as randomised / treated
    assert (a.loc["A2", "ARM"], a.loc["A2", "ACTARM"], a.loc["A2", "TRT01A"]) == (CTL, "Not Treated", "")
    assert a.loc["X9", "ARM"] == "Screen Failure"
    assert a.loc["A1", "RANDDT"] == pd.Timestamp("2025-01-01")
    assert a.loc["A1", "TRTSDT"] == pd.Timestamp("2025-01-08")
    assert a.loc["A1", "TRTEDT"] == pd.Timestamp("2025-05-14")      # the 0 mg row is no dose
    assert pd.isna(a.loc["A2", "TRTSDT"]) and pd.isna(a.loc["A2", "TRTEDT"])
    assert a.loc["A2", "DTHFL"] == "Y" and a.loc["A2", "DTHDT"] == pd.Timestamp("2025-04-01")
    assert a.loc["A1", "LSTALVDT"] == pd.Timestamp("2025-09-30") and pd.isna(a.loc["A2", "LSTALVDT"])
    assert (a.loc["A1", "EOTSTT"], a.loc["A1", "DCTREAS"]) == ("DISCONTINUED", "Disease progression")
    assert (a.loc["A2", "BCLC"], a.loc["A2", "AFP400"]) == ("C", ">=400")
    assert set(a["STUDYID"]) == {"HCC-T-01"}


def test_adtte_one_record_per_parameter(adtte: pd.DataFrame) -> None:
    assert list(adtte.columns[:len(ADTTE_COLUMNS)]) == ADTTE_COLUMNS
    assert "subject_id" not in adtte.columns
    # OS does not depend on the criteria: once per subject, no criteria in PARAM
    os_ = adtte[adtte["PARAMCD"] == "OS"]
    assert sorted(os_["USUBJID"]) == ["A1", "A2", "A3"]
    assert set(os_["PARAM"]) == {"Overall survival"} and set(os_["PARCAT1"]) == {""}
    # PFS per criteria set, the primary (mRECIST) plain, RECIST 1.1 suffixed
    assert set(adtte["PARAMCD"]) == {"PFS", "TTP", "DOR", "OS", "PFSR", "TTPR", "DORR"}
    assert adtte.groupby(["PARAMCD", "USUBJID"]).size().max() == 1
    assert _one(adtte, "A1", "PFS")["PARAM"] == "Progression-free survival (mRECIST)"
    assert _one(adtte, "A1", "PFSR")["PARAM"] == "Progression-free survival (RECIST 1.1)"
    assert adtte.groupby("PARAMCD")["PARAM"].nunique().max() == 1   # PARAM 1:1 with PARAMCD


def test_adtte_values_admiral_style(adtte: pd.DataFrame, adrs: pd.DataFrame) -> None:
    # A1 mRECIST: PD 2025-05-14, from randomisation 2025-01-01 -> day 134, event
    r = _one(adtte, "A1", "PFS")
    assert (r["STARTDT"], r["ADT"], r["AVAL"], r["CNSR"]) == (
        pd.Timestamp("2025-01-01"), pd.Timestamp("2025-05-14"), 134, 0)
    assert (r["EVNTDESC"], r["CNSDTDSC"], r["SRCDOM"], r["SRCVAR"]) == (
        "Disease progression", "", "ADRS", "ADT")
    src = adrs[(adrs["USUBJID"] == "A1") & (adrs["ASEQ"] == r["SRCSEQ"])].iloc[0]
    assert (src["PARAMCD"], src["AVALC"], src["ADT"]) == ("OVR", "PD", pd.Timestamp("2025-05-14"))
    # A1 RECIST 1.1: no PD; censored at the last adequate assessment 2025-05-14 -> day 134
    r = _one(adtte, "A1", "PFSR")
    assert (r["AVAL"], r["CNSR"], r["EVNTDESC"], r["CNSDTDSC"]) == (
        134, 1, "Last adequate tumour assessment", "Date of last adequate tumour assessment")
    src = adrs[(adrs["USUBJID"] == "A1") & (adrs["ASEQ"] == r["SRCSEQ"])].iloc[0]
    assert (src["PARAMCD"], src["ADT"]) == ("OVRR", pd.Timestamp("2025-05-14"))
    # A2 untreated, died 2025-04-01 (day 89): PFS and OS events from ADSL.DTHDT
    r = _one(adtte, "A2", "PFS")
    assert (r["AVAL"], r["CNSR"], r["SRCDOM"], r["SRCVAR"]) == (89, 0, "ADSL", "DTHDT")
    assert pd.isna(r["SRCSEQ"])
    # ... TTP censored at randomisation (ADSL.RANDDT), CNSR 2
    r = _one(adtte, "A2", "TTP")
    assert (r["AVAL"], r["CNSR"], r["SRCVAR"], r["CNSDTDSC"]) == (1, 2, "RANDDT", "Randomisation date")
    # A1 OS: alive 2025-09-30 -> day 273, censored at ADSL.LSTALVDT
    r = _one(adtte, "A1", "OS")
    assert (r["AVAL"], r["CNSR"], r["SRCVAR"], r["CNSDTDSC"]) == (
        273, 1, "LSTALVDT", "Date last known alive")
    # DoR: A1 responded 2025-02-19, PD 05-14 -> day 85; RECIST: censored 05-14
    assert (_one(adtte, "A1", "DOR")["AVAL"], _one(adtte, "A1", "DOR")["CNSR"]) == (85, 0)
    assert list(adtte.loc[adtte["PARAMCD"] == "DOR", "USUBJID"]) == ["A1"]
    # ARM and strata come from ADSL, as randomised
    r = _one(adtte, "A3", "OS")
    assert (r["ARM"], r["TRT01A"], r["BCLC"], r["ITTFL"], r["SAFFL"]) == (EXP, CTL, "C", "Y", "Y")


def test_adrs_parameters(adrs: pd.DataFrame) -> None:
    assert "subject_id" not in adrs.columns
    a1 = adrs[adrs["USUBJID"] == "A1"]
    assert list(a1["PARAMCD"]) == ["OVR", "OVR", "OVR", "BOR", "CBOR",
                                   "OVRR", "OVRR", "OVRR", "BORR", "CBORR"]
    assert list(a1["ASEQ"]) == list(range(1, 11))
    assert list(a1["AVAL"].iloc[:3]) == [2, 2, 5]            # PR, PR, PD (admiral aval_resp)
    a2 = adrs[adrs["USUBJID"] == "A2"]                        # randomised, never assessed
    assert list(a2["PARAMCD"]) == ["BOR", "CBOR", "BORR", "CBORR"]
    assert set(a2["AVALC"]) == {"MISSING"} and set(a2["AVAL"]) == {7}
    assert adrs.groupby("PARAMCD")["PARAM"].nunique().max() == 1


def test_paramcd_rules() -> None:
    assert adam_paramcd("PFS", "mrecist", primary_criteria="mrecist") == "PFS"
    assert adam_paramcd("PFS", "recist11", primary_criteria="mrecist") == "PFSR"
    assert adam_paramcd("OS", "recist11", primary_criteria="mrecist") == "OS"
    with pytest.raises(ValidationError, match="longer than 8"):
        adam_paramcd("PFSNACT", "imrecist", primary_criteria="mrecist")
    with pytest.raises(ValidationError, match="no PARAMCD suffix"):
        adam_paramcd("PFS", "choi", primary_criteria="mrecist")


def test_os_differing_between_criteria_sets_is_refused(
        records: dict[str, pd.DataFrame], adsl: pd.DataFrame) -> None:
    bad = dict(records)
    r = bad["recist11"].copy()
    r.loc[(r["PARAMCD"] == "OS") & (r["subject_id"] == "A1"), "AVAL"] = 200
    bad["recist11"] = r
    with pytest.raises(ValidationError, match="OS differs between criteria sets"):
        build_adtte(bad, adsl, primary_criteria="mrecist")


def test_records_of_unknown_subjects_are_refused(records: dict[str, pd.DataFrame]) -> None:
    adsl = build_adsl(_study())
    with pytest.raises(ValidationError, match="not in ADSL") as e:
        build_adtte(records, adsl[adsl["USUBJID"] != "A3"], primary_criteria="mrecist")
    assert "A3" in str(e.value)


# ------------------------------------------------------- the bundled two-arm example vs R

def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, na_values=["NA"], keep_default_na=False)


@pytest.fixture(scope="module")
def example() -> tuple[StudyData, StudyAnalysis, dict[str, pd.DataFrame]]:
    study = load_example_two_arm_study()
    analysis = analyse_study(study, analysis_set="itt")
    return study, analysis, build_adam(study, analysis)


def test_example_adam_shapes(example: tuple[StudyData, StudyAnalysis, dict[str, pd.DataFrame]]) -> None:
    study, _, adam = example
    adsl, adrs, adtte = adam["ADSL"], adam["ADRS"], adam["ADTTE"]
    assert len(adsl) == len(study.subjects) and adsl["USUBJID"].is_unique
    assert (adsl["ITTFL"] == "Y").sum() == 120 and (adsl["SAFFL"] == "Y").sum() == 117
    for p in ("OS", "PFS", "PFSR", "TTP", "TTPR"):
        rows = adtte[adtte["PARAMCD"] == p]
        assert len(rows) == 120 and rows["USUBJID"].is_unique, p
    assert set(adtte["ARM"]) == {EXPERIMENTAL_ARM, CONTROL_ARM}
    untreated = set(adsl.loc[(adsl["ITTFL"] == "Y") & (adsl["SAFFL"] == "N"), "USUBJID"])
    assert len(untreated) == 3 and untreated <= set(adtte["USUBJID"])
    # every date taken from a tumour assessment points at its ADRS record
    rs = adtte[adtte["SRCDOM"] == "ADRS"].merge(
        adrs, left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "ASEQ"], suffixes=("", "_rs"))
    assert len(rs) == (adtte["SRCDOM"] == "ADRS").sum()
    assert (rs["ADT"] == rs["ADT_rs"]).all()
    assert rs["PARAMCD_rs"].str.startswith("OVR").all()


def test_example_inputs_of_the_r_script_are_current(
        example: tuple[StudyData, StudyAnalysis, dict[str, pd.DataFrame]]) -> None:
    _, analysis, adam = example
    v = analysis.by_criteria["mrecist"].visits[["subject_id", "visit_date", "overall_response"]]
    ref = _read("visits_mrecist.csv")
    assert list(v["subject_id"]) == list(ref["subject_id"])
    assert list(v["visit_date"].dt.strftime("%Y-%m-%d")) == list(ref["visit_date"])
    assert list(v["overall_response"].fillna("NA")) == list(ref["overall_response"].fillna("NA"))
    adtte = adam["ADTTE"]
    exported = adtte[adtte["PARAMCD"].isin(["PFS", "OS"])][["USUBJID", "PARAMCD", "ARM", "AVAL", "CNSR"]]
    pd.testing.assert_frame_equal(exported.reset_index(drop=True), _read("adtte_export.csv"),
                                  check_dtype=False)


def test_example_adtte_equals_r_derivation(
        example: tuple[StudyData, StudyAnalysis, dict[str, pd.DataFrame]]) -> None:
    adtte = example[2]["ADTTE"]
    ref = _read("r_adtte.csv")
    ours = adtte[adtte["PARAMCD"].isin(["PFS", "OS"])].merge(
        ref, on=["USUBJID", "PARAMCD"], suffixes=("", "_r"), how="outer", indicator=True)
    assert (ours["_merge"] == "both").all()
    assert len(ours) == 240
    np.testing.assert_array_equal(ours["AVAL"], ours["AVAL_r"])
    np.testing.assert_array_equal(ours["CNSR"], ours["CNSR_r"])
    assert (ours["ADT"].dt.strftime("%Y-%m-%d") == ours["ADT_r"]).all()


@pytest.mark.parametrize("paramcd", ["PFS", "OS"])
def test_example_km_by_arm_equals_r_survfit(
        paramcd: str, example: tuple[StudyData, StudyAnalysis, dict[str, pd.DataFrame]]) -> None:
    adtte = example[2]["ADTTE"]
    curve = _read(f"km_{paramcd}.csv")
    table = _read(f"table_{paramcd}.csv").set_index("strata")
    for arm in (EXPERIMENTAL_ARM, CONTROL_ARM):
        d = adtte[(adtte["PARAMCD"] == paramcd) & (adtte["ARM"] == arm)]
        km = compute_kaplan_meier(d["AVAL"].to_numpy(float), (d["CNSR"] == 0).to_numpy(),
                                  conf_type="log-log")
        ref = curve[curve["strata"] == arm]
        np.testing.assert_array_equal(km.time, ref["time"])
        np.testing.assert_array_equal(km.n_risk, ref["n.risk"])
        np.testing.assert_array_equal(km.n_event, ref["n.event"])
        np.testing.assert_array_equal(km.n_censor, ref["n.censor"])
        for ours, col in ((km.survival, "surv"), (km.std_err_log, "std.err"),
                          (km.lower, "lower"), (km.upper, "upper")):
            r = ref[col].to_numpy(float)
            o = np.asarray(ours, dtype=float)
            np.testing.assert_array_equal(np.isnan(o), np.isnan(r))
            ok = ~np.isnan(r)
            np.testing.assert_allclose(o[ok], r[ok], rtol=1e-10, atol=1e-12)
        med = km.median()
        t = table.loc[arm]
        assert (km.n, km.events) == (t["n"], t["events"])
        for ours_v, ref_v in ((med.estimate, t["median"]), (med.lower, t["lower"]),
                              (med.upper, t["upper"])):
            if pd.isna(ref_v):
                assert ours_v is None
            else:
                assert ours_v == pytest.approx(float(ref_v), abs=1e-10)


def test_one_arm_example_adam() -> None:
    """The one-arm example: RECIST 1.1 primary (plain codes), mRECIST suffixed, OS once;
    times from the first dose (TRTSDT), ARM from the study drugs."""
    from hcctrials.reports.load import load_study

    study = load_study("example")
    analysis = analyse_study(study)
    adam = build_adam(study, analysis)
    adtte = adam["ADTTE"]
    n = len(study.treated)
    for p in ("OS", "PFS", "PFSM", "TTP", "TTPM"):
        assert (adtte["PARAMCD"] == p).sum() == n, p
    assert adtte.groupby(["PARAMCD", "USUBJID"]).size().max() == 1
    start = adtte[adtte["SRCVAR"].isin(["RANDDT", "TRTSDT"])]
    assert set(start["SRCVAR"]) == {"TRTSDT"}
    assert set(adam["ADSL"].loc[adam["ADSL"]["SAFFL"] == "Y", "ARM"]) == {"adebrelimab + apatinib"}
    assert {"OVR", "BOR", "CBOR", "OVRM", "BORM", "CBORM"} == set(adam["ADRS"]["PARAMCD"])
