"""Issue 11, "no input may hang or crash the tool": registry parsers under bad input.

Each test failed before its fix.  Times are limits enforced by an alarm (the input once took
minutes or never ended), not measurements.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from deadline import within
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.datasets import __file__ as _datasets_init
from hcctrials.errors import ParseError
from hcctrials.model.trial import Text
from hcctrials.sources.base import MAX_FIELD_CHARS, ParsedRecord, RecordFailure
from hcctrials.sources.chictr.regimen import (
    build_interventions,
    drug_mentions,
    regimen_segments,
    strip_trailing_joiners,
)
from hcctrials.sources.ctgov.api_json import parse_study_for_storage
from hcctrials.sources.detect import parse_path

DATASETS = Path(_datasets_init).parent / "registry"




# --- regimen text: the trailing-joiner pattern was exponential --------------------------------

def test_intervention_text_with_many_spaces_does_not_hang() -> None:
    # 24 spaces took 5 s, each 2 more x4: 30 would take minutes, 3000 never end
    text = "索拉非尼 400 mg" + " " * 3000 + "联合 TACE" + " and" * 2000
    with within(5):
        segments = regimen_segments(text)
    assert [m.id for m, _ in segments][:1] == ["sorafenib"]
    assert segments[0][1] == "索拉非尼 400 mg"


def test_ictrp_xml_with_many_spaces_does_not_hang(tmp_path: Path, shared_dir: Path) -> None:
    seed = (shared_dir / "data" / "registry" / "chictr" / "ChiCTR2000034346_ictrp.xml").read_text(encoding="utf-8")
    spaced = re.sub(r"(<i_freetext>)", r"\1仑伐替尼" + " " * 2000, seed, count=1)
    assert spaced != seed
    path = tmp_path / "spaces.xml"
    path.write_text(spaced, encoding="utf-8")
    with within(10):
        results = list(parse_path(path))
    assert results and all(isinstance(r, (ParsedRecord, RecordFailure)) for r in results)


_OLD_JOINERS = re.compile(  # the former pattern: exact on short texts, exponential on long ones
    r"(?:\s+|[,，;；、+＋/]+|联合|合并|加用|序贯|及|和|与|或|"
    r"\b(?:combined\s+with|in\s+combination\s+with|plus|and|with|followed\s+by|then|or)\b)*$",
    re.IGNORECASE,
)
_PIECES = [" ", "  ", ",", "、", "+", "/", "联合", "和", "与", "或", "and", " and", "with", "combined",
           " combined with", "followed", " followed by", "by", "then", "or", "plus", "in combination with",
           "mg", "400", "x", "药", "Rand", "and2", "\t", "Sorafenib", "_", "IN", "in", "With", "\u3000"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_trailing_joiners_scan_agrees_with_the_former_pattern(text: str) -> None:
    assert strip_trailing_joiners(text) == _OLD_JOINERS.sub("", text)


# --- the LY3537982 arm keeps all four agents, and placebo is kept -----------------------------

def test_chictr_arm_keeps_every_agent_and_placebo() -> None:
    """ChiCTR2400084905 (saved page in ../shared): Part B arms name four agents; control arms
    add placebo.  Before: only LY3537982 and pembrolizumab, placebo dropped."""
    groups = [
        ("experimental B", Text(zh="LY3537982联合帕博利珠单抗、培美曲塞和铂类药物",
                                en="LY3537982 in combination with pembrolizumab, pemetrexed and platinum")),
        ("control B", Text(zh="安慰剂联合帕博利珠单抗、培美曲塞和铂类药物",
                           en="placebo with pembrolizumab, pemetrexed and platinum")),
    ]
    items = {iv.name.en: iv for iv in build_interventions(groups)}
    assert set(items) == {"LY3537982", "pembrolizumab", "pemetrexed", "platinum", "placebo"}
    assert items["pemetrexed"].name.zh == "培美曲塞" and items["platinum"].name.zh == "铂类药物"
    assert items["placebo"].name.zh == "安慰剂" and items["placebo"].arm_labels == ["control B"]
    assert items["LY3537982"].arm_labels == ["experimental B"]
    assert items["pembrolizumab"].lexicon_ids == ["pembrolizumab"]


def test_chictr_html_page_keeps_every_agent(shared_dir: Path) -> None:
    path = shared_dir / "data" / "registry" / "chictr" / "chictr_detail_ChiCTR2400084905.html"
    [result] = list(parse_path(path))
    assert isinstance(result, ParsedRecord)
    arms = {a.label.en: a.intervention_names for a in result.trial.arms}
    assert arms["control group（Part B）"] == ["pembrolizumab", "placebo", "pemetrexed", "platinum"]
    assert arms["experimental group（Part B）"] == ["LY3537982", "pembrolizumab", "pemetrexed", "platinum"]


def test_placebo_and_platinum_do_not_make_a_bilingual_mismatch() -> None:
    zh = {m.id for m in drug_mentions("安慰剂联合帕博利珠单抗、培美曲塞和铂类药物", expand=True)}
    en = {m.id for m in drug_mentions("placebo with pembrolizumab, pemetrexed and platinum", expand=True)}
    assert zh - en == set()  # 培美曲塞 is named in arm regimens only (chinese_stems)


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16"])
def test_chictr_text_in_gbk_or_utf16_is_decoded(tmp_path: Path, encoding: str) -> None:
    source = DATASETS / "chictr" / "example_ChiCTR2400000017.txt"
    [utf8] = list(parse_path(source))
    path = tmp_path / f"page-{encoding}.txt"
    path.write_bytes(source.read_text(encoding="utf-8").encode(encoding))
    [other] = list(parse_path(path))
    assert isinstance(utf8, ParsedRecord) and isinstance(other, ParsedRecord)
    strip = {"provenance": {"source_file", "raw_sha256", "fetched_at"}}
    assert other.trial.model_dump(exclude=strip) == utf8.trial.model_dump(exclude=strip)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_chictr_html_in_gbk_or_utf16_is_decoded(tmp_path: Path, shared_dir: Path, encoding: str) -> None:
    source = shared_dir / "data" / "registry" / "chictr" / "chictr_detail_ChiCTR2400084905.html"
    [utf8] = list(parse_path(source))
    path = tmp_path / "page.html"
    path.write_bytes(source.read_text(encoding="utf-8").encode(encoding))
    [other] = list(parse_path(path))
    assert isinstance(utf8, ParsedRecord) and isinstance(other, ParsedRecord)
    assert other.trial.trial_id == utf8.trial.trial_id
    assert other.trial.brief_title == utf8.trial.brief_title
    assert other.trial.interventions == utf8.trial.interventions


def test_binary_file_is_still_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ParseError, match="binary"):
        list(parse_path(path))


def test_utf16_ctgov_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "study.json"
    path.write_bytes((DATASETS / "ctgov" / "example_api_v2_study.json").read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(ParseError, match="must be UTF-8"):
        list(parse_path(path))


# --- CT.gov: {"studies": {}} is an error, not zero records --------------------------------------

@pytest.mark.parametrize("document", ['{"studies": {}}', '{"studies": null}', '{"studies": 3}',
                                      '{"studies": {"a": 1}, "nextPageToken": "x"}'])
def test_ctgov_studies_not_an_array_is_an_error(tmp_path: Path, document: str) -> None:
    path = tmp_path / "page.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(ParseError, match='"studies" must be an array') as info:
        list(parse_path(path))
    assert info.value.field == "studies" and info.value.file == str(path)


def test_ctgov_empty_studies_array_is_zero_records(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text('{"studies": []}', encoding="utf-8")
    assert list(parse_path(path)) == []


# --- size limits per field and per record -------------------------------------------------------

def _study_with_title(title: str) -> dict[str, Any]:
    study = json.loads((DATASETS / "ctgov" / "example_api_v2_study.json").read_text(encoding="utf-8"))
    study["protocolSection"]["identificationModule"]["briefTitle"] = title
    return study


def test_huge_title_is_a_record_failure_naming_the_field(tmp_path: Path) -> None:
    # a 50 MB title was stored and then hung the search-index refresh; 1 MB shows the rule
    path = tmp_path / "study.json"
    path.write_text(json.dumps(_study_with_title("肝" * (MAX_FIELD_CHARS + 1))), encoding="utf-8")
    with within(20):
        [result] = list(parse_path(path))
    assert isinstance(result, RecordFailure)
    assert result.error.field == "brief_title.en" and result.error.file == str(path)
    assert result.error.record and "longer than 200,000 characters" in str(result.error)


def test_huge_title_is_refused_by_the_storage_fast_path_too() -> None:
    result = parse_study_for_storage(_study_with_title("x" * (MAX_FIELD_CHARS + 1)), file="f.json", index=0)
    assert isinstance(result, RecordFailure) and result.error.field == "brief_title.en"


def test_title_at_the_limit_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "study.json"
    path.write_text(json.dumps(_study_with_title("x" * 1000)), encoding="utf-8")
    [result] = list(parse_path(path))
    assert isinstance(result, ParsedRecord) and result.trial.brief_title.en == "x" * 1000


# --- regular expressions on untrusted text stay linear ------------------------------------------

@pytest.mark.parametrize("text", [
    "(" * 100_000,  # CT.gov CSV age cell
    "1" * 100_000, "1-" * 50_000, " " * 100_000,  # dose anchors (cell-count units)
])
def test_ctgov_csv_cells_and_doses_stay_linear(text: str) -> None:
    from hcctrials.sources.ctgov.csv_export import _age_limits
    from hcctrials.vocab.dose import parse_doses

    with within(5):
        try:
            _age_limits(text)
        except ValueError:
            pass  # "not an age range": reported by the CSV parser as a record failure
        parse_doses(text)


def test_chictr_criteria_item_with_long_blank_run_stays_linear() -> None:
    from hcctrials.sources.chictr.items import split_items

    with within(5):
        items = split_items("1. 年龄18-75岁" + " " * 100_000 + "\n 2. ECOG 0-1")
    assert items == ["年龄18-75岁", "ECOG 0-1"]


# --- found by the fuzz harness ----------------------------------------------------------------

@pytest.mark.parametrize("document", [b'{"studies": [' + b"9" * 5000 + b"]}",
                                      b'{"protocolSection": ' + b"9" * 5000 + b"}",
                                      b'{"studies": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"])
def test_ctgov_json_with_a_huge_number_or_deep_nesting_is_a_clean_error(tmp_path: Path, document: bytes) -> None:
    # before: ValueError "Exceeds the limit (4300 digits) for integer string conversion" escaped
    # while the malformed-JSON message was being built
    path = tmp_path / "page.json"
    path.write_bytes(document)
    with within(10):
        try:
            results = list(parse_path(path))
        except ParseError as exc:
            assert exc.file == str(path)
        else:
            assert all(isinstance(r, RecordFailure) for r in results)


def _reference_depth(raw: bytes) -> tuple[int, int]:
    """Deepest and final nesting of JSON bytes, read byte by byte (strings and escapes)."""
    depth = deepest = 0
    inside = escaped = False
    for byte in raw:
        if inside:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                inside = False
        elif byte == 0x22:
            inside = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest, depth


_TRICKY = st.text(alphabet='[]{}"\\ab中', max_size=8)
_JSON = st.recursive(_TRICKY, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_TRICKY, inner, max_size=3)), max_leaves=15)


@settings(max_examples=300)
@given(_JSON, st.lists(st.integers(0, 400), max_size=5), st.booleans())
def test_json_depth_meter_agrees_with_a_byte_by_byte_reading(value: Any, cuts: list[int], ascii_only: bool) -> None:
    from hcctrials.sources.base import JsonDepthMeter

    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    deepest, final = _reference_depth(raw)
    bounds = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    pieces = [raw[a:b] for a, b in zip(bounds, bounds[1:])]
    meter = JsonDepthMeter("f.json", limit=deepest)
    for piece in pieces:
        meter.feed(piece)
    assert meter.depth == final
    if deepest:
        tight = JsonDepthMeter("f.json", limit=deepest - 1)
        with pytest.raises(ParseError, match="nested deeper"):
            for piece in pieces:
                tight.feed(piece)
