"""The study report as a journal or sponsor would receive it (issue 13): a PDF drawn by WeasyPrint
from the same HTML, with selectable text, embedded TrueType/OpenType fonts (no Type 3), every table
of the HTML, the study id, cut-off and page number on every page; both languages complete from the
message catalog; figures with captions and alt text carrying their key numbers; the landscape plot
counting HCC trials only."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path
from typing import Any

import pytest

import hcctrials.i18n as i18n
from hcctrials.endpoints.study import analyse_study
from hcctrials.reports import load_study
from hcctrials.reports.render import build_report, html_to_pdf, render_document

pypdf = pytest.importorskip("pypdf")  # test dependency (PDF text and font dictionaries)


@pytest.fixture(scope="module")
def study() -> Any:
    return load_study("example")


@pytest.fixture(scope="module")
def analysis(study: Any) -> Any:
    return analyse_study(study)


@pytest.fixture(scope="module")
def rendered(study: Any, analysis: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Path]]:
    out = {}
    for lang in ("en", "zh"):
        from datetime import date

        html = render_document(build_report(study, analysis, lang=lang, generated_on=date(2026, 4, 2)))
        pdf = html_to_pdf(html, tmp_path_factory.mktemp(lang) / f"report-{lang}.pdf")
        out[lang] = (html, pdf)
    return out


def _visible(html: str) -> str:
    """The text a reader sees: no tags, no embedded images, no style block."""
    text = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r'src="data:[^"]+"', "", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return htmllib.unescape(text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _fonts(reader: Any) -> list[Any]:
    """Every font dictionary used by the pages (also inside form XObjects, e.g. SVG figures)."""
    found: dict[int, Any] = {}

    def walk(resources: Any, depth: int = 0) -> None:
        if resources is None or depth > 6:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            for ref in fonts.get_object().values():
                obj = ref.get_object()
                found[id(obj)] = obj
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                x = ref.get_object()
                if x.get("/Subtype") == "/Form":
                    walk(x.get("/Resources"), depth + 1)

    for page in reader.pages:
        walk(page.get("/Resources"))
    return list(found.values())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_has_selectable_text_embedded_fonts_and_no_type3(rendered: Any, lang: str) -> None:
    _html, pdf = rendered[lang]
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 8
    text = "".join(p.extract_text() for p in reader.pages)
    assert ("Kaplan-Meier" in text) and (("Subject flow" in text) if lang == "en" else ("受试者流程" in text))
    fonts = _fonts(reader)
    assert fonts
    for font in fonts:
        assert font.get("/Subtype") != "/Type3", font.get("/BaseFont")
        descendant = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile2", "/FontFile3", "/FontFile")), font.get("/BaseFont")
    names = " ".join(str(f.get("/BaseFont")) for f in fonts)
    if lang == "zh":
        assert re.search(r"WenQuanYi|Noto|SourceHan|CJK|Hei", names), names


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_holds_every_table_of_the_html(rendered: Any, lang: str) -> None:
    html, pdf = rendered[lang]
    captions = [htmllib.unescape(re.sub(r"<[^>]+>", "", c))
                for c in re.findall(r"<caption>(.*?)</caption>", html, flags=re.S)]
    assert len(captions) == html.count('<table class="data"') >= 12
    text = _squash("".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages))
    missing = [c for c in captions if _squash(c) not in text]
    assert not missing
    for heading in re.findall(r"<h2>(.*?)</h2>", html):
        assert _squash(htmllib.unescape(heading)) in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_has_study_id_cutoff_and_page_number(rendered: Any, lang: str) -> None:
    _html, pdf = rendered[lang]
    pages = pypdf.PdfReader(str(pdf)).pages
    total = len(pages)
    for i, page in enumerate(pages, start=1):
        text = _squash(page.extract_text())
        assert "HCC-EX-001" in text
        if lang == "en":
            assert f"Page{i}of{total}" in text and "31Mar2026" in text and "2Apr2026" in text
        else:
            assert f"第{i}页，共{total}页" in text and "2026年3月31日" in text


def test_zh_report_is_completely_translated(study: Any, analysis: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message the zh report asked the catalog for has a Chinese text (records the msgids
    used, data texts of the example study included), and known English labels are absent."""
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
    untranslated = sorted(m for m in used if not real.get(m))
    assert not untranslated
    visible = _visible(html)
    for english in ("Baseline characteristics", "Age, years", "Sex", "not reached", "Probability",
                    "Screen failures", "Withdrew consent", "Any TEAE", "Months", "events", "Figure",
                    "Table", "Progression-free survival", "Overall survival", "At risk", "Yes", "No",
                    "True", "False", "Grade", "Page", "adebrelimab", "Decreased appetite",
                    "Investigations", "Disease progression", "median"):
        assert not re.search(rf"\b{re.escape(english)}\b", visible), english
    assert "阿得贝利单抗" in visible and "未达到" in visible and "无进展生存期" in visible


def test_figures_have_numbered_captions_and_alt_text_with_key_numbers(study: Any, analysis: Any) -> None:
    doc = build_report(study, analysis, lang="en")
    figures = [f for s in doc.sections for f in s.figures]
    assert [f.number for f in figures] == list(range(1, len(figures) + 1))
    assert len(figures) == 12  # PFS, TTP, DoR x 2 criteria sets, OS; waterfall + spider x 2; swimmer
    pfs = analysis.by_criteria["recist11"].summaries["PFS"]
    first = figures[0]
    assert "Progression-free survival" in first.caption
    assert f"{pfs.n} subjects, {pfs.events} events" in first.alt
    assert f"median {pfs.median.estimate / 30.4375:.1f} months" in first.alt
    waterfall = next(f for f in figures if f.alt.startswith("Waterfall plot (RECIST 1.1)"))
    n_measured = int(analysis.by_criteria["recist11"].responses["best_pct_change_from_baseline"].notna().sum())
    assert f"{n_measured} subjects" in waterfall.alt and "1 unconfirmed" in waterfall.alt
    assert "5 progressions by a new lesion" in waterfall.alt
    html = render_document(doc)
    assert html.count("<figcaption>") == len(figures)
    assert html.count('src="data:image/svg+xml;base64,') == len(figures)
    assert not re.search(r'alt=""', html)


def test_km_svg_names_the_endpoint_on_the_y_axis(study: Any, analysis: Any) -> None:
    import matplotlib.pyplot as plt

    from hcctrials.reports.plots import KmGroup, plot_km

    s = analysis.by_criteria["recist11"].summaries["PFS"]
    fig = plot_km([KmGroup("All treated", s, "All treated")], ylabel="Progression-free survival (probability)",
                  xlabel="Months since first dose", at_risk_label="Number at risk", censored_label="Censored")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Progression-free survival (probability)"
    table = fig.axes[1]
    shown = [t.get_text() for t in table.texts]
    assert "Number at risk" in shown and str(s.n) in shown  # numbers at risk from time 0
    plt.close(fig)
    assert plt.rcParams["pdf.fonttype"] == 42 and plt.rcParams["svg.fonttype"] == "path"


def test_flow_diagram_comes_from_the_subject_flow(study: Any, analysis: Any) -> None:
    doc = build_report(study, analysis, lang="en")
    flow = next(s for s in doc.sections if s.key == "flow")
    steps = flow.data["steps"]
    counts = analysis.flow.groupby("stage")["n"].sum()
    assert steps[0]["main"]["n"] == counts["screened"] == 56
    assert steps[0]["side"]["n"] == counts["screen_failure"] == 6
    assert sum(r["n"] for r in steps[0]["side"]["reasons"]) == 6
    assert steps[2]["main"]["n"] == counts["treated"] == 49
    assert steps[2]["side"]["n"] == counts["discontinued"]
    assert steps[3]["main"]["n"] == counts["ongoing"]


def test_bor_table_in_response_order(study: Any, analysis: Any) -> None:
    doc = build_report(study, analysis, lang="en")
    bor = next(s for s in doc.sections if s.key == "response").tables[0]
    labels = [r["cells"][0] for r in bor.rows]
    assert labels[:4] == ["Partial response (PR)", "Stable disease (SD)", "Progressive disease (PD)",
                          "Not evaluable (NE)"]
    assert labels[-1].startswith("CR/PR not confirmed")


def _trial(trial_id: str, title: str, start: str | None) -> Any:
    from hcctrials.model.trial import Trial

    data: dict[str, Any] = {"trial_id": trial_id, "registry": "ctgov", "brief_title": {"en": title},
                            "provenance": {"source_format": "test", "raw_sha256": trial_id.lower().ljust(64, "0")[:64]}}
    if start:
        data["dates"] = {"study_start": start}
    return Trial.model_validate(data)


def test_landscape_counts_hcc_trials_only_and_says_what_it_dropped(tmp_path: Path) -> None:
    from hcctrials.reports.landscape_plot import class_label, plot_trial_landscape

    trials = [
        _trial("NCT00000001", "Atezolizumab first-line in advanced hepatocellular carcinoma", "2020-01"),
        _trial("NCT00000002", "Sintilimab second-line in advanced HCC", None),
        _trial("NCT00000003", "Semaglutide in adults with obesity", "2021"),
        _trial("NCT00000004", "Pembrolizumab in advanced solid tumours", "2022"),
    ]
    result = plot_trial_landscape(trials, tmp_path / "landscape.svg")
    assert result.trials == 2
    assert result.dropped == {"other_condition": 1, "basket": 1}
    assert result.without_start_year == 1
    svg = (tmp_path / "landscape.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml")
    everything = plot_trial_landscape(trials, tmp_path / "all.png", hcc_only=False)
    assert everything.trials == 4 and everything.dropped == {}
    assert class_label("pd1", "en") == "PD-1 inhibitor" and class_label("pd1", "zh") == "PD-1抑制剂"


def test_landscape_note_names_the_dropped_records() -> None:
    from hcctrials.reports.landscape_plot import dropped_note

    assert dropped_note({"other_condition": 3}, 83, "en") == \
        "Not counted: 3 trials of other conditions; 83 records without a start year (not in the year chart)"
    assert "83 条无开始年份的记录" in dropped_note({}, 83, "zh")
