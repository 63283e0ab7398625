"""Issue 11 (registry fidelity): each test failed before its fix and cites its source record.

Sources: the shared registry data (/work/shared/data/registry, SOURCES.md): the CT.gov website
CSV download ``ctgov_csv/anand21j_ctg-studies_hcc9.csv`` (row NCT06954116), the legacy XML
``ctgov_legacy_xml/NCT05482516.xml`` (line 62 allocation, line 114 arm description), the CDE
listing ``cn_cde_listing/6youcai_chinadrugtrials_liver.tsv`` (CTR20160871) and seed 004
(ClinicalTrials.Veeva page of NCT04011033, line 112). CT.gov age groups as its glossary defines
them: Child (birth-17), Adult (18-64), Older Adult (65+).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.ctgov.csv_export import age_group_limits, split_outcome_cell
from hcctrials.sources.detect import parse_path
from hcctrials.sources.pages.cde import title_phases


def _trial(path: Path, trial_id: str | None = None) -> Trial:
    for result in parse_path(path):
        assert isinstance(result, ParsedRecord), result
        if trial_id is None or result.trial.trial_id == trial_id:
            return result.trial
    raise AssertionError(f"{trial_id} not in {path}")


@pytest.fixture(scope="module")
def nct06954116(shared_dir: Path) -> Trial:
    return _trial(shared_dir / "data/registry/ctgov_csv/anand21j_ctg-studies_hcc9.csv", "NCT06954116")


def test_csv_outcomes_of_nct06954116_keep_description_and_time_frame(nct06954116: Trial) -> None:
    """The five items whose description holds ", " (e.g. "...HCC recurrence, or death from any
    cause, whichever comes first.") keep it whole; the time frame is what follows its full stop."""
    outcomes = {o.measure.en: o for o in nct06954116.outcomes}
    assert len(nct06954116.outcomes) == 11
    rfs = outcomes["Recurrence-Free Survival (RFS)"]
    assert rfs.method.en.endswith("or death from any cause, whichever comes first.")
    assert rfs.time_frame.en.startswith("From the date of achieving complete response (CR) after surgery until")
    rate = outcomes["IRF-Assessed RFS Rate at 12 and 24 Months"]
    assert rate.method.en.endswith("using standardized imaging criteria (RECIST 1.1/mRECIST).")
    assert rate.time_frame.en == "At 12 and 24 months post-treatment."
    assert outcomes["Investigator-Assessed RFS Rate at 12 and 24 Months"].time_frame.en == \
        "At 12 and 24 months post-treatment"
    ae = outcomes["Incidence of Adverse Events (AEs)"]
    assert ae.method.en.endswith("graded per Common Terminology Criteria for Adverse Events (CTCAE) v5.0.")
    assert ae.time_frame.en.startswith("From the first dose of iparomlimab/tuvonralimab administration")
    inv = outcomes["Investigator-Assessed Recurrence-Free Survival (RFS)"]
    assert inv.method.en.endswith("as determined by the investigator.")
    assert inv.time_frame.en.startswith("From treatment initiation until")
    # every time frame reads as a time frame, no description sentence in it
    assert not any("Defined as" in (o.time_frame.en or "") for o in nct06954116.outcomes)
    assert not any(f.code == "ambiguous_split" for f in nct06954116.findings)


@pytest.mark.parametrize(("item", "expected"), [
    # three parts as the website writes them (seed 002 line 5, NCT06961617)
    ("TEAEs, treatment emergent adverse events, start pretreatment to 12 months",
     ("TEAEs", "treatment emergent adverse events", "start pretreatment to 12 months", False)),
    # a time frame with commas (seed 002 line 6)
    ("objective response rate by RECIST 1.1, objective response rate according to RECIST 1.1, "
     "at Weeks 6, 12, and 18 and Months 6, 9, and 12 after cell infusion",
     ("objective response rate by RECIST 1.1", "objective response rate according to RECIST 1.1",
      "at Weeks 6, 12, and 18 and Months 6, 9, and 12 after cell infusion", False)),
    # description without a full stop, time frame opened by "From" (NCT06958484)
    ("Relapse-Free Survival, RFS, From enrollment to through study completion, an average of 1 year",
     ("Relapse-Free Survival", "RFS", "From enrollment to through study completion, an average of 1 year",
      False)),
    # nothing marks the time frame: the format's own reading, reported ambiguous
    ("PFS, by IRC, per RECIST, per mRECIST", ("PFS", "by IRC", "per RECIST, per mRECIST", True)),
])
def test_split_outcome_cell(item: str, expected: tuple) -> None:
    assert split_outcome_cell(item) == expected


@pytest.mark.parametrize(("cell", "limits"), [
    ("ADULT, OLDER_ADULT", (18.0, None)), ("ADULT", (18.0, 64.0)), ("CHILD", (0.0, 17.0)),
    ("CHILD, ADULT", (0.0, 64.0)), ("OLDER_ADULT", (65.0, None)), ("ADULT, UNKNOWN", None),
])
def test_age_groups(cell: str, limits: tuple | None) -> None:
    """CT.gov glossary: Child (birth-17), Adult (18-64), Older Adult (65+)."""
    assert age_group_limits(cell) == limits


def test_csv_age_groups_give_derived_minimum(nct06954116: Trial) -> None:
    """NCT06954116's Age cell is "ADULT, OLDER_ADULT": minimum 18, no maximum, marked derived."""
    assert (nct06954116.eligibility.min_age_years, nct06954116.eligibility.max_age_years) == (18, None)
    [derived] = [f for f in nct06954116.findings if f.code == "derived_value"]
    assert derived.field == "eligibility.min_age_years" and "ADULT, OLDER_ADULT" in derived.message


@pytest.fixture(scope="module")
def nct05482516(shared_dir: Path) -> Trial:
    return _trial(shared_dir / "data/registry/ctgov_legacy_xml/NCT05482516.xml")


def test_legacy_xml_allocation_na_is_na(nct05482516: Trial) -> None:
    """<allocation>N/A</allocation> (line 62) is "na", the code API v2 ("NA") and the CSV give."""
    assert nct05482516.design.allocation == "na"


def test_legacy_xml_doses_from_arm_description(nct05482516: Trial) -> None:
    """Line 114: "atezolizumab 1200 mg and bevacizumab 15 mg/kg given intravenously on Day 1 of
    each 21-day cycle (every 3 weeks [Q3W])"; the interventions' own descriptions state no dose."""
    doses = {iv.name.en: [(d.amount, d.unit, d.route, d.frequency) for d in iv.doses]
             for iv in nct05482516.interventions}
    assert doses == {"Atezolizumab": [(1200.0, "mg", "iv", "Q3W")],
                     "Bevacizumab": [(15.0, "mg/kg", "iv", "Q3W")]}


def test_veeva_cell_dose_from_arm_description(seeds_dir: Path) -> None:
    """Seed 004 line 112: "5×10\\^8-10\\^9/m2 iNKT cells will be infused" (experimental arm)."""
    (path,) = seeds_dir.glob("004_*.txt")
    trial = _trial(path)
    inkt = next(iv for iv in trial.interventions if iv.lexicon_ids == ["inkt-cells"])
    assert [(d.amount, d.amount_high, d.unit) for d in inkt.doses] == [(5e8, 1e9, "cells/m2")]
    assert all(not iv.doses for iv in trial.interventions if iv is not inkt)


@pytest.mark.parametrize(("title", "phases"), [
    ("SHR-1210在既往经过治疗的晚期肝细胞癌患者的II/III期临床试验", ["phase2", "phase3"]),  # CTR20160871
    ("INC280联合PDR001或PDR001单药治疗晚期肝细胞癌的Ib/II期研究", ["phase1", "phase2"]),
    ("注射用米铂Ⅲ期临床试验", ["phase3"]),
    ("一线治疗不可切除肝癌随机开放3期研究", ["phase3"]),
    ("注射用米铂一期临床试验", ["phase1"]),
    ("在HBV+晚期肝细胞癌（HCC）受试者中评估 TORC1/TORC2 双重抑制剂 ATG-008", []),
    ("SHR-1210联合阿帕替尼治疗晚期胃癌和肝细胞癌的探索性临床研究", []),
])
def test_cde_title_phases(title: str, phases: list[str]) -> None:
    assert title_phases(title) == phases


def test_cde_row_stores_title_phase(shared_dir: Path) -> None:
    path = shared_dir / "data/registry/cn_cde_listing/6youcai_chinadrugtrials_liver.tsv"
    trial = _trial(path, "CTR20160871")
    assert trial.phases == ["phase2", "phase3"]
    assert any(f.code == "derived_value" and f.field == "phases" for f in trial.findings)
