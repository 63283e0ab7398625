"""The two-arm report as issue 13 asks for it: a CONSORT flow by arm, every message in Chinese,
medians that never read "not reached months", and KM bands of two arms that stay apart.

The example two-arm study (src/hcctrials/datasets/example_two_arm_study, synthetic) randomised 120
of 128 screened subjects: 59 to lenvatinib + sintilimab + TACE (58 treated) and 61 to TACE (59
treated); the counts below are read from its subjects.csv, not from the report code."""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

import pytest

import hcctrials.i18n as i18n
from hcctrials.endpoints.study import analyse_study
from hcctrials.reports import load_study
from hcctrials.reports.render import build_report, render_document


@pytest.fixture(scope="module")
def two_arm() -> Any:
    study = load_study("example-two-arm")
    return study, analyse_study(study)


@pytest.fixture(scope="module")
def single_arm() -> Any:
    study = load_study("example")
    return study, analyse_study(study)


def test_two_arm_report_opens_with_a_consort_flow_by_arm(two_arm: Any) -> None:
    study, analysis = two_arm
    subjects = study.subjects
    doc = build_report(study, analysis, lang="en", generated_on=date(2026, 4, 2))
    flow = doc.sections[0]
    assert flow.key == "flow"
    steps = {s["main"]["label"]: s["main"]["n"] for s in flow.data["steps"]}
    assert steps == {"Screened": len(subjects), "Randomised": int(subjects["randomisation_date"].notna().sum())}
    arms = {a["label"]: {b["label"]: b for b in a["boxes"]} for a in flow.data["arms"]}
    assert list(arms) == ["Lenvatinib + sintilimab + TACE", "TACE"]
    for arm, boxes in arms.items():
        allocated = int((subjects["arm"] == arm).sum())
        treated = int(((subjects["actual_arm"] == arm) & subjects["first_dose_date"].notna()).sum())
        assert boxes[f"Allocated to {arm}"]["n"] == allocated
        assert boxes["Treated (treatment received)"]["n"] == treated
        # every treated subject either stopped (with a reason) or is on treatment at the cut-off
        stopped = boxes["Discontinued treatment"]
        assert stopped["n"] + boxes["On treatment at data cut-off"]["n"] == treated
        assert sum(r["n"] for r in stopped["reasons"]) == stopped["n"]
        assert boxes["Analysed: intention to treat"]["n"] == allocated
        assert boxes["Analysed: safety set"]["n"] == treated
    html = render_document(doc)
    assert 'class="arms"' in html and "Allocated to TACE (n = 61)" in html


def test_zh_two_arm_report_is_completely_translated(two_arm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message the zh two-arm report asks the catalog for has a Chinese text."""
    study, analysis = two_arm
    real = i18n.catalog("zh")
    used: set[str] = set()

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
            used.add(key)
            return super().get(key, default)

    recording = Recording(real)
    monkeypatch.setattr(i18n, "catalog", lambda lang: recording if lang == "zh" else {})
    html = render_document(build_report(study, analysis, lang="zh"))
    assert len(used) > 150
    assert not sorted(m for m in used if not real.get(m))
    text = re.sub(r"<style.*?</style>|src=\"data:[^\"]+\"|<[^>]+>", " ", html, flags=re.S)
    for english in ("Randomised", "Allocated to", "Discontinued treatment", "intention to treat", "Screened",
                    "months", "median", "not reached", "Hazard ratio"):
        assert english not in text, english
    assert "分配至TACE" in text and "受试者流程" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("which", ["single_arm", "two_arm"])
def test_a_median_not_reached_carries_no_unit(which: str, lang: str, request: pytest.FixtureRequest) -> None:
    """OS of the single-arm example has 10 events in 49 subjects and never falls to 50%: its median
    is "not reached", never "not reached months" (a caption and alt text read it aloud)."""
    study, analysis = request.getfixturevalue(which)
    doc = build_report(study, analysis, lang=lang)
    sentences = [t for s in doc.sections for f in s.figures for t in (f.caption, f.alt)]
    assert sentences
    for text in sentences:
        assert not re.search(r"not reached\)? months|未达到）?\s*个月", text), text
    if which == "single_arm":
        reached = "median 7.4 months" if lang == "en" else "中位 7.4 个月"
        assert any(reached in t for t in sentences)
        assert any(("median not reached" if lang == "en" else "中位 未达到") in t for t in sentences)


def test_two_arm_km_bands_do_not_mix_into_one_tint(two_arm: Any) -> None:
    """The control arm's confidence band is hatched, not a second tint over the first."""
    study, analysis = two_arm
    doc = build_report(study, analysis, lang="en")
    km = next(f for s in doc.sections for f in s.figures if f.alt.startswith("Kaplan-Meier curves of"))
    svg = base64.b64decode(km.svg_base64).decode()
    assert "<pattern" in svg  # matplotlib draws a hatch as an SVG pattern


def test_two_arm_baseline_table_is_by_randomised_arm(two_arm: Any) -> None:
    """Table 1 of a randomised trial: the ITT set by randomised arm and in total (CONSORT item 15);
    each arm's sex counts add up to the total's, read from subjects.csv."""
    study, analysis = two_arm
    subjects = study.subjects[study.subjects["randomisation_date"].notna()]
    doc = build_report(study, analysis, lang="en")
    table = next(s for s in doc.sections if s.key == "baseline").tables[0]
    assert table.header[1:] == ["Lenvatinib + sintilimab + TACE (N = 59)", "TACE (N = 61)", "Total (N = 120)"]
    rows = {r["cells"][0]: r["cells"][1:] for r in table.rows if not r["group"]}
    for arm_col, arm in enumerate(["Lenvatinib + sintilimab + TACE", "TACE"]):
        males = int(((subjects["arm"] == arm) & (subjects["sex"] == "M")).sum())
        assert rows["Male"][arm_col].startswith(f"{males} (")
    assert rows["Male"][2].startswith(f"{int((subjects['sex'] == 'M').sum())} (")
    # a category one arm lacks reads 0 (0.0) there, not a blank
    assert all(cell for cells in rows.values() for cell in cells)
