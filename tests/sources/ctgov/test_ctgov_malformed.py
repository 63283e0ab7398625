"""Malformed inputs give clear errors; mutated inputs never raise anything else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.errors import ParseError
from hcctrials.sources.base import ParsedRecord, RecordFailure
from hcctrials.sources.ctgov import PARSERS, ApiV2JsonParser, CtgovCsvParser, LegacyXmlParser
from hcctrials.sources.ctgov.csv_export import split_location_cell
from hcctrials.sources.detect import parse_path

EXAMPLES = Path(__file__).parents[3] / "src/hcctrials/datasets/registry/ctgov"


def test_truncated_json_names_file_and_position(shared_dir: Path, tmp_path: Path) -> None:
    raw = (shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies.json").read_bytes()
    path = tmp_path / "truncated.json"
    path.write_bytes(raw[: len(raw) // 2])
    results: list = []
    with pytest.raises(ParseError) as info:
        for result in parse_path(path):
            results.append(result)
    message = str(info.value)
    assert str(path) in message and "truncated" in message
    assert re.search(r"at line \d+, column \d+ \(byte \d+\)", message)
    assert len(results) >= 1  # records before the cut were still yielded


def test_malformed_json_in_the_middle(tmp_path: Path) -> None:
    study = json.loads((EXAMPLES / "example_api_v2_study.json").read_text())
    text = "[" + json.dumps(study) + ",\n{\"protocolSection\": {oops}}]"
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=r"malformed at line 2, column"):
        list(parse_path(path))


def test_csv_with_unknown_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("NCT Number,Study Title,Favourite Colour\nNCT01234567,A,blue\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(parse_path(path))
    assert "'Favourite Colour'" in str(info.value) and "Known columns: NCT Number" in str(info.value)


@pytest.mark.parametrize("content", [b"", b"  \n", b"\x00\x01\x02binary\xff\xfe" * 50])
def test_empty_and_binary_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(content)
    with pytest.raises(ParseError, match="empty|binary"):
        list(parse_path(path))


def test_study_without_nct_id_is_a_record_failure(tmp_path: Path) -> None:
    study = json.loads((EXAMPLES / "example_api_v2_study.json").read_text())
    broken = json.loads(json.dumps(study))
    del broken["protocolSection"]["identificationModule"]["nctId"]
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"studies": [study, broken, study]}), encoding="utf-8")
    results = list(parse_path(path))
    assert [type(r) for r in results] == [ParsedRecord, RecordFailure, ParsedRecord]
    failure = results[1]
    assert failure.locator == "studies[1]"
    assert failure.error.field == "protocolSection.identificationModule.nctId"
    assert "record studies[1]" in str(failure.error) or "record record 1" in str(failure.error)


def test_wrong_type_for_known_field_names_it(tmp_path: Path) -> None:
    study = json.loads((EXAMPLES / "example_api_v2_study.json").read_text())
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "120"
    study["protocolSection"]["contactsLocationsModule"]["locations_nested"] = [{"anything": 1}]
    study["protocolSection"]["newModuleFromTheFuture"] = {"x": 1}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(study), encoding="utf-8")
    (failure,) = list(parse_path(path))
    assert isinstance(failure, RecordFailure)
    assert failure.error.field == "protocolSection.designModule.enrollmentInfo.count"
    assert failure.record_id == "NCT09990001"


def test_legacy_xml_entities_not_resolved(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                    "<clinical_study><id_info><nct_id>NCT01234567</nct_id></id_info>"
                    "<brief_title>&e;</brief_title></clinical_study>", encoding="utf-8")
    (result,) = list(LegacyXmlParser().iter_records(path))
    assert isinstance(result, ParsedRecord)
    assert "root:" not in (result.trial.brief_title.en or "")


def test_location_cell_split() -> None:
    assert split_location_cell("Site 1, Seoul, Korea, Republic of") == {
        "facility": "Site 1", "city": "Seoul", "country": "Korea, Republic of"}
    assert split_location_cell("Research Site, La Jolla, California, 92093, United States") == {
        "facility": "Research Site", "city": "La Jolla", "state": "California", "zip": "92093",
        "country": "United States"}


def _mutations() -> st.SearchStrategy:
    return st.tuples(st.sampled_from(["cut", "flip", "insert"]), st.floats(0, 1), st.binary(min_size=1, max_size=8))


_SOURCES = {
    "api": (EXAMPLES / "example_api_v2_study.json", ApiV2JsonParser()),
    "csv": (EXAMPLES / "example_ctgov_download.csv", CtgovCsvParser()),
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(_SOURCES)), mutation=_mutations())
def test_mutated_inputs_only_raise_parse_errors(tmp_path: Path, kind: str, mutation: tuple) -> None:
    source, parser = _SOURCES[kind]
    raw = source.read_bytes()
    how, where, junk = mutation
    pos = int(where * len(raw))
    mutated = {"cut": raw[:pos], "flip": raw[:pos] + junk + raw[pos + len(junk):],
               "insert": raw[:pos] + junk + raw[pos:]}[how]
    path = tmp_path / f"m.{source.suffix}"
    path.write_bytes(mutated)
    try:
        for result in parser.iter_records(path):
            assert isinstance(result, (ParsedRecord, RecordFailure))
            if isinstance(result, RecordFailure):
                assert "unexpected" not in result.error.message, result.error
    except ParseError:
        pass


def test_parsers_registered() -> None:
    assert [p.source_format for p in PARSERS] == [
        "ctgov_api_v2_json", "ctgov_legacy_xml", "ctgov_hint_csv", "ctgov_csv"]
