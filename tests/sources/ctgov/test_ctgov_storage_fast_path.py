"""The CT.gov storage fast path: ``map_api_study`` builds the record in the exact layout of
``Trial.model_dump(mode="json")``, so the parallel ingest serialises it with orjson instead of
validating it.  These tests check that the dict is a fixed point of validation (validating and
dumping it gives the same bytes) and that it fails exactly where validation would."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord, RecordFailure
from hcctrials.sources.ctgov.api_json import ApiV2JsonParser, parse_study_for_storage

EXAMPLE = Path(__file__).parents[3] / "src/hcctrials/datasets/registry/ctgov/example_api_v2_study.json"


def _real_studies(shared_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for file in sorted((shared_dir / "data/registry/ctgov_api_v2_json").glob("*.json")):
        for index, study in enumerate(json.loads(file.read_text(encoding="utf-8"))):
            out.append((f"{file.name}[{index}]", study))
    return out


def _check_fixed_point(study: Any, *, file: str = "f.json", fetched_at: str | None = None) -> str | None:
    """The fast path's JSON if the study maps, after checking it against the validated record;
    None if it fails (and then validation-based parsing fails the same record)."""
    fast = parse_study_for_storage(study, file=file, index=0, fetched_at=fetched_at)
    slow = ApiV2JsonParser()._record(study, file=file, locator="[0]", index=0)
    if isinstance(fast, RecordFailure):
        assert isinstance(slow, RecordFailure), "the fast path failed a record that validates"
        assert fast.error.field == slow.error.field
        return None
    record, record_json = fast
    assert isinstance(slow, ParsedRecord), f"validation rejects what the fast path stores: {slow}"
    trial = slow.trial
    if fetched_at is not None:
        trial.provenance.fetched_at = fetched_at
    assert record_json == trial.model_dump_json()
    assert record_json == Trial.model_validate(record).model_dump_json()  # a fixed point
    assert record == orjson.loads(record_json)
    return record_json


def test_every_real_record_is_a_fixed_point(shared_dir: Path) -> None:
    studies = _real_studies(shared_dir)
    assert len(studies) >= 60
    for name, study in studies:
        assert _check_fixed_point(study, fetched_at="2026-11-21T10:00:00Z") is not None, name


def test_example_study_dates_keep_actual_and_anticipated() -> None:
    study = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    record = json.loads(_check_fixed_point(study) or "{}")
    assert record["dates"]["study_start"] == "2025-03"
    assert record["dates"]["types"] == {"first_posted": "actual", "last_updated": "actual",
                                        "study_start": "actual", "primary_completion": "anticipated",
                                        "study_completion": "anticipated"}
    assert Trial.model_validate(record).dates.is_anticipated("primary_completion")


def test_unknown_date_type_is_reported_not_guessed() -> None:
    study = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    study["protocolSection"]["statusModule"]["startDateStruct"]["type"] = "PLANNED-ISH"
    record = json.loads(_check_fixed_point(study) or "{}")
    assert "study_start" not in record["dates"]["types"]
    (found,) = [f for f in record["findings"] if f["field"] == "dates.startDateStruct"]
    assert found["code"] == "unparsed_value" and found["values"] == {"value": "PLANNED-ISH", "date": "startDateStruct"}


@pytest.mark.parametrize("path, value, field", [
    (("designModule", "enrollmentInfo", "count"), -3, "protocolSection.designModule.enrollmentInfo.count"),
    (("statusModule", "startDateStruct", "date"), "2024-13", "protocolSection.statusModule.startDateStruct"),
    (("statusModule", "startDateStruct", "date"), "2025-02-30", "protocolSection.statusModule.startDateStruct"),
    (("eligibilityModule", "minimumAge"), "eighteen", "protocolSection.eligibilityModule.minimumAge"),
])
def test_values_validation_would_reject_fail_the_record(path: tuple[str, ...], value: Any, field: str) -> None:
    study = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    target = study["protocolSection"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _check_fixed_point(study) is None
    fast = parse_study_for_storage(study, file="f.json", index=0)
    assert isinstance(fast, RecordFailure) and fast.error.field == field


# ---------------------------------------------------------------- generated studies

_TEXT_PATHS = [
    ("identificationModule", "briefTitle"), ("identificationModule", "officialTitle"),
    ("identificationModule", "acronym"), ("identificationModule", "nctId"),
    ("statusModule", "overallStatus"), ("statusModule", "whyStopped"),
    ("descriptionModule", "briefSummary"), ("eligibilityModule", "eligibilityCriteria"),
    ("eligibilityModule", "sex"), ("designModule", "enrollmentInfo", "type"),
    ("designModule", "designInfo", "allocation"), ("designModule", "designInfo", "maskingInfo", "masking"),
    ("armsInterventionsModule", "armGroups", 0, "label"),
    ("armsInterventionsModule", "armGroups", 0, "interventionNames", 0),
    ("armsInterventionsModule", "interventions", 0, "name"),
    ("armsInterventionsModule", "interventions", 0, "description"),
    ("armsInterventionsModule", "interventions", 0, "armGroupLabels", 0),
    ("outcomesModule", "primaryOutcomes", 0, "measure"),
    ("outcomesModule", "primaryOutcomes", 0, "timeFrame"),
    ("sponsorCollaboratorsModule", "leadSponsor", "name"),
    ("identificationModule", "secondaryIdInfos", 0, "domain"),
    ("identificationModule", "secondaryIdInfos", 0, "id"),
    ("statusModule", "startDateStruct", "type"),
    ("statusModule", "startDateStruct", "date"),
    ("statusModule", "studyFirstSubmitDate"),
    ("contactsLocationsModule", "locations", 0, "facility"),
    ("contactsLocationsModule", "locations", 0, "city"),
    ("contactsLocationsModule", "locations", 0, "status"),
    ("conditionsModule", "conditions", 0),
    ("conditionsModule", "keywords", 0),
    ("designModule", "enrollmentInfo", "count"),
    ("eligibilityModule", "healthyVolunteers"),
    ("designModule", "phases", 0),
]

_texts = st.one_of(
    st.text(alphabet=st.sampled_from(list(" \t\n\\*>[]_-.:ab肝癌é0123456789")), max_size=12),
    st.sampled_from(["", "  ", " ESTIMATED ", "ACTUAL", "2024-02-29", "2023-02-29", "March 2024",
                     "\\>30 kg", "RECRUITING ", "Drug: sorafenib ", " 18 Years", "N/A"]),
)
_values = st.one_of(_texts, st.none(), st.integers(-5, 5), st.booleans(), st.just([]), st.just({}))


def _base_study() -> dict[str, Any]:
    study: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    protocol = study["protocolSection"]
    protocol.setdefault("contactsLocationsModule", {}).setdefault(
        "locations", [{"facility": "Example Hospital", "city": "Shenzhen", "country": "China"}])
    protocol.setdefault("conditionsModule", {}).setdefault("keywords", ["HCC"])
    return study


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(_TEXT_PATHS), _values), min_size=1, max_size=6),
       st.sampled_from([None, "2026-01-02T03:04:05Z"]))
def test_generated_studies_are_fixed_points_or_fail_alike(changes: list[tuple[tuple[Any, ...], Any]],
                                                           fetched_at: str | None) -> None:
    study = copy.deepcopy(_base_study())
    for path, value in changes:
        target: Any = study["protocolSection"]
        for key in path[:-1]:
            try:
                target = target[key]
            except (KeyError, IndexError, TypeError):
                target = None
                break
        if isinstance(target, dict) or (isinstance(target, list) and isinstance(path[-1], int)
                                        and path[-1] < len(target)):
            target[path[-1]] = value
    _check_fixed_point(study, fetched_at=fetched_at)
