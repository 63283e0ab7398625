"""Matching one patient: drug classes, regimen counting, progression, units, status, ranking.

Trials are written here in the registries' wording; each test puts a patient on each side.
"""

from __future__ import annotations

from datetime import date

from helpers_matching import make_trial

from hcctrials.matching.matcher import derive_line_of_therapy, match_patient
from hcctrials.model.patient import LabResult, Location, Patient, TherapyLine

AS_OF = date(2024, 3, 10)
WINDOW = {"recruitment_start": "2023-01-01", "recruitment_end": "2026-12-31"}


def _trial(tid: str, inclusion: list[str], exclusion: list[str] = (), title: str = "Drug X in advanced HCC",
           status: str = "recruiting", **kw):  # type: ignore[no-untyped-def]
    return make_trial(tid, brief_title={"en": title}, overall_status=status, dates=WINDOW, eligibility={
        "inclusion": [{"en": t} for t in inclusion], "exclusion": [{"en": t} for t in exclusion]}, **kw)


def _patient(*lines: TherapyLine, labs=(), **kw) -> Patient:  # type: ignore[no-untyped-def]
    return Patient(patient_id="P", birth_date=date(1960, 1, 1), treatments=list(lines), labs=list(labs),
                   location=Location(city="Shenzhen", province="Guangdong", country="China"), **kw)


def _line(*agents: str, n: int = 1, progressed: bool = True) -> TherapyLine:
    return TherapyLine(kind="systemic", line=n, agents=list(agents), start=date(2023, 1, 1), end=date(2023, 12, 1),
                       progression_date=date(2023, 11, 20) if progressed else None,
                       stop_reason="progression" if progressed else "toxicity")


def _verdict(trial, patient) -> str:  # type: ignore[no-untyped-def]
    res = match_patient(patient, [trial], as_of=AS_OF, include_ineligible=True, include_closed=True)
    return res.matches[0].verdict


PDL1_EXCLUDED = _trial("NCT09990101", ["Age 18 years or older"], ["Previously received PD-L1 immunotherapy"])


def test_pdl1_class_excludes_atezolizumab_and_durvalumab_not_pd1() -> None:
    assert _verdict(PDL1_EXCLUDED, _patient(_line("atezolizumab", "bevacizumab"))) == "ineligible"
    assert _verdict(PDL1_EXCLUDED, _patient(_line("度伐利尤单抗"))) == "ineligible"  # durvalumab in Chinese
    assert _verdict(PDL1_EXCLUDED, _patient(_line("sintilimab"))) == "eligible"  # PD-1, not PD-L1


ONE_ICI = _trial("NCT09990102", ["Only one prior immune checkpoint inhibitor regimen"])


def test_one_ici_regimen_counts_regimens_not_drugs() -> None:
    # atezolizumab + bevacizumab given together is ONE regimen containing an ICI (two drugs).
    assert _verdict(ONE_ICI, _patient(_line("atezolizumab", "bevacizumab"))) == "eligible"
    two = _patient(_line("atezolizumab", "bevacizumab"), _line("camrelizumab", "apatinib", n=2))
    assert _verdict(ONE_ICI, two) == "ineligible"
    assert _verdict(ONE_ICI, _patient(_line("sorafenib"))) == "ineligible"  # no ICI regimen at all


PROGRESSED_PD1 = _trial("NCT09990103", ["Disease progression on prior anti-PD-1 therapy"])


def test_progressed_on_pd1_needs_documented_progression() -> None:
    assert _verdict(PROGRESSED_PD1, _patient(_line("sintilimab"))) == "eligible"
    # stopped for toxicity without a documented progression: it may have progressed since, so the
    # criterion is undecided (issue 10: not "did not progress"), never eligible
    assert _verdict(PROGRESSED_PD1, _patient(_line("sintilimab", progressed=False))) == "possibly_eligible"
    assert _verdict(PROGRESSED_PD1, _patient(_line("atezolizumab"))) == "ineligible"  # PD-L1 is not PD-1


PLATELETS = _trial("NCT09990104", ["Platelet count ≥ 75 × 10^9/L"])


def test_units_converted_from_patient_data() -> None:
    # 90,000 /µL = 90 x10^9/L (1 /µL = 10^6 /L); 60,000 /µL = 60 x10^9/L.
    ok = _patient(labs=[LabResult(analyte="platelets", value=90000, unit="/uL", date=date(2024, 3, 1))])
    low = _patient(labs=[LabResult(analyte="platelets", value=60000, unit="/µL", date=date(2024, 3, 1))])
    assert _verdict(PLATELETS, ok) == "eligible"
    assert _verdict(PLATELETS, low) == "ineligible"
    unknown = match_patient(_patient(), [PLATELETS], as_of=AS_OF).matches[0]
    assert unknown.verdict == "possibly_eligible" and unknown.to_measure


def test_record_without_criteria_is_never_eligible() -> None:
    bare = make_trial("NCT09990105", brief_title={"en": "Drug Y in HCC"}, overall_status="recruiting", dates=WINDOW)
    m = match_patient(_patient(), [bare], as_of=AS_OF).matches[0]
    assert m.verdict == "unknown_no_criteria" and "criteria not in the record" in m.reason


def test_closed_trials_hidden_and_stale_status_named() -> None:
    done = _trial("NCT09990106", ["Age 18 years or older"], status="completed")
    stale = _trial("NCT09990107", ["Age 18 years or older"], status="recruiting")
    later = date(2027, 6, 1)
    res = match_patient(_patient(), [done, stale], as_of=later)
    assert [m.trial_id for m in res.matches] == ["NCT09990107"] and res.hidden_closed == 1
    assert res.matches[0].recruiting.state == "uncertain" and res.matches[0].recruiting.contradiction


def test_second_line_patient_sees_second_line_trials_first() -> None:
    first = _trial("NCT09990108", ["Age 18 years or older"], title="Drug Z as first-line therapy in advanced HCC")
    second = _trial("NCT09990109", ["Age 18 years or older"], title="Drug Z as second-line therapy in advanced HCC")
    pretreated = _patient(_line("atezolizumab", "bevacizumab"))
    assert derive_line_of_therapy(pretreated, as_of=AS_OF).prior_systemic_lines == 1
    assert [m.trial_id for m in match_patient(pretreated, [first, second], as_of=AS_OF).matches] == \
        ["NCT09990109", "NCT09990108"]
    naive = _patient()
    assert [m.trial_id for m in match_patient(naive, [second, first], as_of=AS_OF).matches] == \
        ["NCT09990108", "NCT09990109"]


def test_adjuvant_therapy_is_not_an_advanced_line() -> None:
    adj = TherapyLine(kind="systemic", setting="adjuvant", agents=["sorafenib"], start=date(2020, 1, 1))
    assert derive_line_of_therapy(_patient(adj), as_of=AS_OF).prior_systemic_lines == 0


def test_seed000_against_the_shenzhen_patient(seed_trials) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from hcctrials.patients import load_patient

    patient = load_patient(Path(__file__).resolve().parents[2]
                           / "src/hcctrials/datasets/patients/shenzhen_2l_after_atezo_bev.yaml")
    res = match_patient(patient, list(seed_trials.values()), as_of=date(2026, 1, 15), include_ineligible=True)
    m = {x.trial_id: x for x in res.matches}["ChiCTR2600122298"]
    # Seed 000 exclusion 1: 既往接受过PD-L1免疫治疗或者阿帕替尼靶向药物治疗 -> atezolizumab is PD-L1.
    assert m.verdict == "ineligible"
    assert m.deciding[0].number == "1" and m.deciding[0].role == "exclusion"
    assert m.nearest == "same_province" and m.setting.primary == "advanced_second_line_plus"


def test_to_measure_counts_equal_the_per_trial_explanations(seed_trials, real_trials) -> None:  # type: ignore[no-untyped-def]
    """The aggregate "measuring X would decide N trials" is computed from the distinct unknown rules
    (without explaining each trial); it must equal counting each possibly-eligible trial's own
    explanation (TrialMatch.to_measure), as the issue-4 definition states."""
    from collections import Counter
    from pathlib import Path

    from hcctrials.patients import load_patient

    folder = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"
    trials = [*seed_trials.values(), *real_trials.values()]
    checked = 0
    for path in sorted(folder.glob("*.yaml")):
        patient = load_patient(path)
        res = match_patient(patient, trials, as_of=date(2026, 1, 15))
        expected: Counter[str] = Counter()
        for m in res.matches:
            if m.verdict == "possibly_eligible":
                expected.update(set(m.to_measure))
        assert dict(res.to_measure) == dict(expected)
        counts = [n for _, n in res.to_measure]
        assert counts == sorted(counts, reverse=True)
        checked += bool(expected)
    assert checked  # at least one patient has something to measure
