"""Seed 002 (header-less CT.gov CSV record with mojibake) and golden normalised records."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.ctgov.csv_export import CtgovCsvParser
from hcctrials.sources.detect import detect_parser, parse_path
from hcctrials.vocab import load_lexicon

GOLDEN = Path(__file__).parent / "golden"


def _seed_002(seeds_dir: Path) -> Path:
    (path,) = seeds_dir.glob("002_*.txt")
    return path


def test_seed_002_values(seeds_dir: Path) -> None:
    """Values read from seed 002's 7 cells (title, summary, conditions, interventions, primary,
    secondary outcomes, detailed description)."""
    path = _seed_002(seeds_dir)
    assert detect_parser(path).source_format == "ctgov_csv"
    (result,) = list(parse_path(path))
    assert isinstance(result, ParsedRecord)
    trial = result.trial
    assert trial.brief_title.en == ("A Study to Evaluate Safety and Efficacy of Armored CAR-T Cell Injection "
                                    "C-CAR031 in Advanced Hepatocellular Carcinoma")
    assert [c.en for c in trial.conditions] == ["Hepatocellular Carcinoma"]
    assert [(i.type, i.name.en) for i in trial.interventions] == [
        ("biological", "C-CAR031"), ("drug", "Lenvatinib"), ("drug", "PD-1(L1) monoclonal antibody")]
    lenvatinib = load_lexicon().lookup("lenvatinib")
    assert lenvatinib is not None and trial.interventions[1].lexicon_ids == [lenvatinib.id]
    primary = [o for o in trial.outcomes if o.kind == "primary"]
    assert [o.measure.en for o in primary] == ["TEAEs", "AESIs"]
    assert primary[0].method.en == "treatment emergent adverse events"
    assert primary[0].time_frame.en == "start pretreatment to 12 months"
    secondary = [o for o in trial.outcomes if o.kind == "secondary"]
    assert len(secondary) == 11
    assert secondary[0].time_frame.en == "at Weeks 6, 12, and 18 and Months 6, 9, and 12 after cell infusion"
    assert secondary[-1].measure.en == "12-months overall survival"
    # "monitoringï¼Œor" is UTF-8 "，" (U+FF0C) read as cp1252: repaired, and reported
    assert "monitoring\uff0cor further" in trial.description.en
    mojibake = [f for f in trial.findings if f.code == "repaired_mojibake"]
    assert len(mojibake) == 1 and mojibake[0].field == "description"
    # no NCT number in the row: derived, stable id and a missing_field finding
    assert trial.trial_id == "CTGOV-CSV-" + trial.provenance.raw_sha256[:12]
    assert any(f.code == "missing_field" and f.field == "nct_id" for f in trial.findings)


def test_explicit_columns_argument(tmp_path: Path) -> None:
    path = tmp_path / "row.csv"
    path.write_text('NCT01234567,"Lenvatinib in HCC",DRUG: Lenvatinib\n', encoding="utf-8")
    parser = CtgovCsvParser(columns=["NCT Number", "Study Title", "Interventions"])
    (result,) = list(parser.iter_records(path))
    assert result.trial.trial_id == "NCT01234567"
    assert result.trial.brief_title.en == "Lenvatinib in HCC"


def _normalised(path: Path) -> list[dict]:
    out = []
    for result in parse_path(path):
        assert isinstance(result, ParsedRecord), result
        data = result.trial.model_dump(mode="json")
        data["provenance"]["source_file"] = path.name  # independent of where ../shared is
        # the file's modification time (checked in test_fetched_at_is_the_file_time)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["provenance"]["fetched_at"])
        data["provenance"]["fetched_at"] = None
        out.append(data)
    return out


GOLDEN_CASES = {
    "seed_002": lambda shared: next((shared / "seeds").glob("002_*.txt")),
    "api_v2_dgg32_ctg-studies-5_NCT05883644": lambda shared: shared / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-5.json",
    "legacy_xml_NCT05482516": lambda shared: shared / "data/registry/ctgov_legacy_xml/NCT05482516.xml",
    "csv_anand21j_NCT06961617": lambda shared: shared / "data/registry/ctgov_csv/anand21j_ctg-studies_hcc9.csv",
    "example_api_v2_study": lambda shared: Path(__file__).parents[3] / "src/hcctrials/datasets/registry/ctgov/example_api_v2_study.json",
    "example_csv": lambda shared: Path(__file__).parents[3] / "src/hcctrials/datasets/registry/ctgov/example_ctgov_download.csv",
}
_PICK = {"api_v2_dgg32_ctg-studies-5_NCT05883644": "NCT05883644", "csv_anand21j_NCT06961617": "NCT06961617"}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str, shared_dir: Path) -> None:
    """Regenerate the normalised record and compare; HCCTRIALS_UPDATE_GOLDEN=1 rewrites."""
    records = _normalised(GOLDEN_CASES[name](shared_dir))
    if name in _PICK:
        records = [r for r in records if r["trial_id"] == _PICK[name]]
    assert records
    golden = GOLDEN / f"{name}.json"
    text = json.dumps(records, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("HCCTRIALS_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing golden {golden}; run with HCCTRIALS_UPDATE_GOLDEN=1 and review it"
    assert json.loads(golden.read_text(encoding="utf-8")) == json.loads(text)


def test_raw_hash_is_stable_across_layouts(shared_dir: Path, tmp_path: Path) -> None:
    """The same study alone, in a page and re-indented hashes the same."""
    source = json.loads((shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-2.json").read_text())
    (study,) = source
    single = tmp_path / "single.json"
    single.write_text(json.dumps(study, indent=4), encoding="utf-8")
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": [study], "nextPageToken": "abc"}), encoding="utf-8")
    hashes = {r.trial.provenance.raw_sha256 for p in (single, page) for r in parse_path(p)}
    original = {r.trial.provenance.raw_sha256 for r in
                parse_path(shared_dir / "data/registry/ctgov_api_v2_json/dgg32_ctg-studies-2.json")}
    assert len(hashes) == 1 and hashes == original
    assert [r.trial.provenance.record_locator for r in parse_path(page)] == ["studies[0]"]


def test_fetched_at_is_the_file_time(tmp_path: Path) -> None:
    """provenance.fetched_at is when the file was saved (its modification time, UTC)."""
    import calendar
    import shutil

    path = tmp_path / "study.json"
    shutil.copy(GOLDEN_CASES["example_api_v2_study"](tmp_path), path)
    moment = calendar.timegm((2026, 1, 2, 3, 4, 5))
    os.utime(path, (moment, moment))
    (result,) = list(parse_path(path))
    assert isinstance(result, ParsedRecord)
    assert result.trial.provenance.fetched_at == "2026-01-02T03:04:05Z"
