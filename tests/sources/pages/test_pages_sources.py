"""Trial-finder page (seed 004, ClinicalTrials.Veeva) and China CDE listing rows.

Expected values are read off seed 004 (line numbers cited) and the CDE TSV rows.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from hcctrials.errors import ParseError
from hcctrials.model.trial import Trial
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import detect_parser
from hcctrials.sources.pages import CdeListingParser, TrialFinderPageParser
from hcctrials.sources.pages.cde import map_cde_status

GOLDEN = Path(__file__).parent / "golden"


def check_golden(data: object, name: str) -> None:
    path = GOLDEN / f"{name}.json"
    if os.environ.get("HCCTRIALS_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.is_file(), f"golden file {path} missing: run with HCCTRIALS_UPDATE_GOLDEN=1"
    assert data == json.loads(path.read_text(encoding="utf-8"))


def dump(trial: Trial) -> dict:
    data = trial.model_dump(mode="json")
    data["provenance"]["source_file"] = Path(data["provenance"]["source_file"]).name
    return data


@pytest.fixture(scope="module")
def seed004(seeds_dir: Path) -> Trial:
    path = seeds_dir / "004_8905615785394f83.txt"
    assert isinstance(detect_parser(path), TrialFinderPageParser)
    [result] = list(TrialFinderPageParser().iter_records(path))
    assert isinstance(result, ParsedRecord)
    return result.trial


def test_seed004_golden(seed004: Trial) -> None:
    check_golden(dump(seed004), "seed004_NCT04011033")


def test_seed004_values(seed004: Trial) -> None:
    t = seed004
    assert t.trial_id == "NCT04011033" and t.registry.value == "trial_finder"  # line 36
    assert [(i.scheme, i.value, i.primary) for i in t.identifiers] == [
        ("nct", "NCT04011033", True), ("ethics", "Beijing Youan Ethics [2018]016", False)]  # lines 36-37
    assert "NCT04011033" in t.linked_ids()
    assert t.brief_title.en == "Study of Adoptive Transfer of iNKT Cells Combined With TAE/TACE to Treat Unresectable HCC"
    assert t.sponsors[0].name.en == "Capital Medical University" and t.sponsors[0].agency_class == "other"
    assert (t.overall_status.value, t.phases) == ("completed", ["phase2"])  # lines 13-14
    assert [c.en for c in t.conditions] == ["Hepatocellular Carcinoma"]
    assert [(i.type, i.name.en, i.lexicon_ids) for i in t.interventions] == [  # lines 22-24
        ("procedure", "TAE/TACE", ["tae-tace"]), ("biological", "iNKT cells", ["inkt-cells"]),
        ("drug", "Human recombinated Interleukin-2", ["interleukin-2"])]
    assert t.study_type == "interventional"
    assert t.enrollment.count == 60  # "60 patients", line 53
    e = t.eligibility
    assert (e.sex, e.min_age_years, e.max_age_years, e.healthy_volunteers) == ("all", 18, 80, False)  # lines 57-65
    assert len(e.inclusion) == 6 and len(e.exclusion) == 10  # bullets, lines 69-87
    assert e.inclusion[0].en == "Age 18-80 years."
    d = t.design  # lines 91-105
    assert (d.primary_purpose, d.allocation, d.intervention_model, d.masking) == ("treatment", "randomized", "parallel", "none")
    assert [(a.label.en, a.type) for a in t.arms] == [  # lines 109-122
        ("TAE/TACE+iNKT for unresectable HCC", "experimental"), ("TAE/TACE for unresectable HCC", "other")]
    assert t.arms[0].intervention_names == ["Human recombinated Interleukin-2", "iNKT cells", "TAE/TACE"]
    assert t.arms[1].intervention_names == ["TAE/TACE"] and t.arms[1].description.en.startswith("TAE/TACE will be")
    assert [c.en for c in t.contacts] == ["Jun Lu, Director", "Jia Guo, Clinician"]  # line 135
    assert t.summary.en.startswith("Hepatocellular carcinoma (HCC) is a common disease")
    assert t.description.en.startswith("Patients with unresectable HCC will be enrolled")
    assert t.provenance.record_locator == "ClinicalTrials.Veeva: NCT04011033"
    assert any(f.code == "derived_record" for f in t.findings)


def test_saved_html_variant_parses_the_same(seed004: Trial, seeds_dir: Path, tmp_path: Path) -> None:
    """The same page as HTML (headings in <h2>, bullets in <li>) gives the same record."""
    import html

    lines = (seeds_dir / "004_8905615785394f83.txt").read_text(encoding="utf-8").splitlines()
    body = "".join(f"<li>{html.escape(line.strip()[1:].strip())}</li>" if line.strip().startswith("•")
                   else f"<div>{html.escape(line)}</div>" for line in lines if line.strip())
    path = tmp_path / "veeva.html"
    path.write_text(f"<!DOCTYPE html><html><head><title>ClinicalTrials.Veeva</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    assert isinstance(detect_parser(path), TrialFinderPageParser)
    [result] = list(TrialFinderPageParser().iter_records(path))
    got = result.trial.model_dump(exclude={"provenance"})
    want = seed004.model_dump(exclude={"provenance"})
    want["eligibility"]["raw_text"] = got["eligibility"]["raw_text"]  # bullets are <li> markup, not "•"
    assert got == want


def test_not_a_trial_finder_page(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("ClinicalTrials.Veeva\n\nMenu\n\nSome page\n", encoding="utf-8")
    with pytest.raises(ParseError, match="not a trial-finder page"):
        list(TrialFinderPageParser().iter_records(path))


@pytest.fixture(scope="module")
def cde_path(shared_dir: Path) -> Path:
    return shared_dir / "data" / "registry" / "cn_cde_listing" / "6youcai_chinadrugtrials_liver.tsv"


def test_cde_every_row(cde_path: Path) -> None:
    assert isinstance(detect_parser(cde_path), CdeListingParser)
    results = list(CdeListingParser().iter_records(cde_path))
    with cde_path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(results) == len(rows) == 83 and all(isinstance(r, ParsedRecord) for r in results)
    trials = [r.trial for r in results]  # type: ignore[union-attr]
    for trial, row in zip(trials, rows):
        assert trial.trial_id == row[1] and trial.brief_title.zh == row[5] and trial.conditions[0].zh == row[4]
        assert trial.interventions[0].name.zh == row[3] and trial.status_text.zh == row[2]
        assert trial.overall_status == map_cde_status(row[2]) and trial.registry.value == "other"
        assert any(f.code == "partial_record" for f in trial.findings)
    check_golden([dump(t) for t in trials], "cde_listing_all_rows")
    first = trials[0]  # CTR20181144 进行中 尚未招募 ATG-008
    assert (first.trial_id, first.overall_status.value) == ("CTR20181144", "not_yet_recruiting")
    assert trials[1].interventions[0].lexicon_ids == ["camrelizumab"]  # 注射用SHR-1210


@pytest.mark.parametrize(("text", "status"), [
    ("进行中 招募中", "recruiting"), ("进行中 尚未招募", "not_yet_recruiting"), ("进行中 招募完成", "active_not_recruiting"),
    ("已完成", "completed"), ("主动暂停", "suspended"), ("主动终止", "terminated")])
def test_cde_status(text: str, status: str) -> None:
    assert map_cde_status(text).value == status  # type: ignore[union-attr]


def test_cde_bad_row_is_a_record_failure(tmp_path: Path) -> None:
    path = tmp_path / "cde.tsv"
    path.write_text("1\tCTR20180001\t已完成\t阿帕替尼\t肝细胞癌\t标题\tid\n2\tXYZ\t已完成\t药\t病\t题\tid\n", encoding="utf-8")
    results = list(CdeListingParser().iter_records(path))
    assert isinstance(results[0], ParsedRecord) and results[0].trial.interventions[0].lexicon_ids == ["apatinib"]
    assert results[1].locator == "line 2" and "CTR number" in str(results[1].error)
