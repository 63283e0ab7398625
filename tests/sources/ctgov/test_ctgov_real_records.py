"""Every real CT.gov record in ../shared parses with no RecordFailure and its key fields match
the source, read here independently with the standard library (json, csv, ElementTree)."""

from __future__ import annotations

import ast
import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hcctrials.sources.base import ParsedRecord, RecordFailure
from hcctrials.sources.ctgov.api_json import canonical_study_json
from hcctrials.sources.detect import parse_path


def _trials(path: Path, expected_format: str) -> list:
    results = list(parse_path(path))
    failures = [r for r in results if isinstance(r, RecordFailure)]
    assert not failures, [str(f.error) for f in failures]
    trials = [r.trial for r in results if isinstance(r, ParsedRecord)]
    assert all(t.provenance.source_format == expected_format for t in trials)
    return trials


def _api_files(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "data/registry/ctgov_api_v2_json").glob("*.json"))


def test_api_v2_json_key_fields(shared_dir: Path) -> None:
    files = _api_files(shared_dir)
    assert len(files) == 3
    total = 0
    for path in files:
        source = json.loads(path.read_text(encoding="utf-8"))
        trials = _trials(path, "ctgov_api_v2_json")
        assert len(trials) == len(source)
        for study, trial in zip(source, trials):
            p = study["protocolSection"]
            assert trial.trial_id == p["identificationModule"]["nctId"]
            assert trial.brief_title.en == p["identificationModule"]["briefTitle"].strip()
            assert trial.overall_status.value == p["statusModule"]["overallStatus"].lower()
            expected_phases = [ph.lower().replace("early_phase1", "early_phase1")
                               for ph in p["designModule"].get("phases", [])]
            assert trial.phases == expected_phases
            assert trial.enrollment.count == p["designModule"]["enrollmentInfo"]["count"]
            assert len(trial.conditions) == len(p["conditionsModule"]["conditions"])
            assert len(trial.interventions) == len(p.get("armsInterventionsModule", {}).get("interventions", []))
            assert len(trial.sites) == len(p.get("contactsLocationsModule", {}).get("locations", []))
            n_outcomes = sum(len(p["outcomesModule"].get(k, []))
                             for k in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"))
            assert len(trial.outcomes) == n_outcomes
            # the canonical hash text is the stdlib canonical form
            assert canonical_study_json(study) == json.dumps(
                study, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            total += 1
    assert total == 61  # 50 + 10 + 1 studies (SOURCES.md)


def test_nct05883644_hcc_record(shared_dir: Path) -> None:
    """NCT05883644 (SIERRA, durvalumab + tremelimumab 1L HCC): values from the source JSON."""
    trials = _trials(shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-5.json", "ctgov_api_v2_json")
    trial = next(t for t in trials if t.trial_id == "NCT05883644")
    assert trial.acronym.en == "SIERRA"
    assert trial.phases == ["phase3"]
    assert trial.enrollment.count == 140 and trial.enrollment.type == "anticipated"
    assert trial.design.intervention_model == "single_group" and trial.design.masking == "none"
    assert trial.dates.study_start == "2023-07-14" and trial.dates.registered == "2023-05-22"
    # source: "minimumAge": "18 Years", "maximumAge": "130 Years"
    assert trial.eligibility.min_age_years == 18.0 and trial.eligibility.max_age_years == 130.0
    assert [i.name.en for i in trial.interventions] == ["Durvalumab", "Tremelimumab"]
    assert trial.interventions[0].lexicon_ids == ["durvalumab"]
    assert trial.interventions[1].lexicon_ids == ["tremelimumab"]
    # "Body weight \\>30 kg" in the source: markdown escape undone
    assert "Body weight >30 kg" in [t.en for t in trial.eligibility.inclusion]
    assert any(i.en.startswith("Child-Pugh Score classification") and "\n  1. Child-Pugh score B7" in i.en
               for i in trial.eligibility.inclusion)
    assert trial.sponsors[0].name.en == "AstraZeneca" and trial.sponsors[0].agency_class == "industry"
    assert trial.ipd_sharing.en.startswith("IPD sharing: YES")


def test_secondary_ids_get_registry_schemes(shared_dir: Path) -> None:
    trials = {t.trial_id: t for path in _api_files(shared_dir) for t in _trials(path, "ctgov_api_v2_json")}
    schemes = {(i.scheme, i.value) for t in trials.values() for i in t.identifiers}
    assert ("ctis", "2023-503951-81-00") in schemes  # domain "EU CT number"
    assert ("eudract", "2022-002898-28") in schemes  # type EUDRACT_NUMBER
    assert ("jrct", "jRCT2031230046") in schemes
    assert ("who_utn", "U1111-1281-9323") in schemes


def test_legacy_xml_key_fields(shared_dir: Path) -> None:
    files = sorted((shared_dir / "data/registry/ctgov_legacy_xml").glob("*.xml"))
    assert len(files) == 65
    for path in files:
        (trial,) = _trials(path, "ctgov_legacy_xml")
        root = ET.parse(path).getroot()
        assert trial.trial_id == root.findtext("id_info/nct_id")
        assert trial.brief_title.en == root.findtext("brief_title").strip()
        assert trial.status_text.en.startswith(root.findtext("overall_status"))
        phase = root.findtext("phase")
        if phase is None:
            assert trial.phases == []
        elif phase == "N/A":
            assert trial.phases == ["na"]
        else:
            assert trial.phases == [p.strip().lower().replace(" ", "").replace("earlyphase1", "early_phase1")
                                    for p in phase.split("/")]
        assert trial.enrollment.count == int(root.findtext("enrollment"))
        assert len(trial.conditions) == len(root.findall("condition"))
        assert len(trial.interventions) == len(root.findall("intervention"))
        assert len(trial.outcomes) == len(root.findall("primary_outcome")) + len(root.findall("secondary_outcome"))


def test_nct05482516_dates_keep_month_precision(shared_dir: Path) -> None:
    (trial,) = _trials(shared_dir / "data/registry/ctgov_legacy_xml/NCT05482516.xml", "ctgov_legacy_xml")
    # <start_date type="Anticipated">March 2023</start_date>, <study_first_submitted>July 26, 2022
    assert trial.dates.study_start == "2023-03"
    assert trial.dates.registered == "2022-07-26"
    assert trial.enrollment.type == "anticipated" and trial.enrollment.count == 20
    assert trial.interventions[0].lexicon_ids == ["atezolizumab"]
    assert trial.interventions[0].other_names == ["TECENTRIQ"]
    assert trial.arms[0].intervention_names == ["Atezolizumab", "Bevacizumab"]
    assert len(trial.eligibility.inclusion) == 17


@pytest.mark.parametrize("name", ["anand21j_ctg-studies_hcc9.csv", "sammijiyoung2_ctg-studies_first40.csv"])
def test_csv_key_fields(shared_dir: Path, name: str) -> None:
    path = shared_dir / "data/registry/ctgov_csv" / name
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    trials = _trials(path, "ctgov_csv")
    assert len(trials) == len(rows)
    for row, trial in zip(rows, trials):
        assert trial.trial_id == row["NCT Number"]
        assert trial.brief_title.en == row["Study Title"]
        assert trial.overall_status.value == row["Study Status"].lower()
        if "Phases" in row:
            assert trial.phases == [p.lower() for p in row["Phases"].split("|") if p]
        if "Enrollment" in row:
            assert trial.enrollment.count == int(row["Enrollment"])
        assert len(trial.conditions) == len(row["Conditions"].split("|"))
        assert len(trial.interventions) == len([i for i in row["Interventions"].split("|") if i])
        if "Locations" in row:
            assert len(trial.sites) == len([x for x in row["Locations"].split("|") if x])


def test_hint_csv_key_fields(shared_dir: Path) -> None:
    path = shared_dir / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    trials = _trials(path, "ctgov_hint_csv")
    assert len(trials) == len(rows) == 45
    for row, trial in zip(rows, trials):
        assert trial.trial_id == row["nctid"]
        assert trial.overall_status.value == row["status"].replace(", ", "_").replace(" ", "_")
        assert trial.phases == [p.strip().replace(" ", "").replace("earlyphase1", "early_phase1")
                                for p in row["phase"].split("/")]
        assert len(trial.conditions) == len(ast.literal_eval(row["diseases"]))
        assert len(trial.interventions) == len(ast.literal_eval(row["drugs"]))
        assert trial.eligibility.inclusion, row["nctid"]
        if "exclusion criteria" in row["criteria"].lower():
            assert trial.eligibility.exclusion, row["nctid"]
