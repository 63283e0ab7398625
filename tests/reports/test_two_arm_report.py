"""The two-arm report layout (issue 14, "Report and CLI"): a randomised study's report shows KM
by arm with numbers at risk per arm and the HR with CI and log-rank p on the plot, a forest plot
of the HR across subgroups and strata, an RMST table, the cumulative incidence of progression
with death as competing event, and response rates by arm; in English and Chinese, as HTML and
as PDF whose text can be selected."""

from __future__ import annotations

import base64
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from hcctrials.cli.main import app
from hcctrials.reports.load import load_study
from hcctrials.reports.render import html_to_pdf, render_html
from hcctrials.reports.two_arm import analyse_two_arms, format_p

GENERATED = date(2026, 4, 1)

#: Latin-script words allowed in the Chinese report: abbreviations, eponyms of methods, R
#: function names, units and codes that Chinese clinical reports also print in Latin letters.
ALLOWED_IN_ZH = {
    "TACE", "TEAE", "TEAEs", "AESI", "CTCAE", "log-rank", "Kaplan-Meier", "Cox", "AFP", "BCLC",
    "ECOG", "ALBI", "CNLC", "INR", "MASLD", "HBV", "HCV", "Child-Pugh", "Efron", "Wald",
    "cox.zph", "tau", "CMH", "Gray", "Brookmeyer-Crowley", "log-log", "Grambsch", "Therneau",
    "survival", "print", "fit", "rmean", "Uno", "Aalen-Johansen", "cmprsk", "cuminc", "Fine-Gray", "crr",
    "mRECIST", "RECIST", "Clopper-Pearson", "Miettinen-Nurminen", "Mantel-Haenszel",
    "Robins-Breslow-Greenland", "HCC-EX-002", "survRM2", "middot", "mol", "IIa", "IIb", "IIIa", "IIIb",
    "Vp4", "ORR", "DCR", "HR", "RMST", "PFS", "TTP", "OS", "DoR", "SD", "PR", "CR", "PD", "NE",
}


@lru_cache(maxsize=None)
def _html(lang: str) -> str:
    return render_html(load_study("example-two-arm"), lang=lang, generated_on=GENERATED)


def _visible_text(html: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    alts = " ".join(re.findall(r'alt="([^"]*)"', body))
    body = re.sub(r'src="data:[^"]*"', " ", body)
    return re.sub(r"<[^>]+>", " ", body) + " " + alts


def _figures(html: str) -> list[tuple[str, str, str]]:
    """(alt, caption, svg) of every figure."""
    out = []
    for alt, svg, cap in re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)">\s*'
                                    r"<figcaption>(.*?)</figcaption>", html, flags=re.S):
        out.append((alt, cap, base64.b64decode(svg).decode("utf-8")))
    return out


def test_english_layout_has_every_two_arm_part() -> None:
    html = _html("en")
    text = _visible_text(html)
    t = analyse_two_arms(load_study("example-two-arm"), strata=("bclc", "afp400"))
    for heading in ("Time-to-event endpoints by arm", "Hazard ratio by subgroup",
                    "Restricted mean survival time", "Progression with death as competing risk",
                    "Tumour response by arm"):
        assert f"<h2>{heading}</h2>" in html, heading
    pfs = t.endpoints["PFS"]
    hr = (f"HR {pfs.cox.arm.hazard_ratio:.2f} (95% CI {pfs.cox.arm.lower:.2f} to "
          f"{pfs.cox.arm.upper:.2f})")
    assert hr in text
    assert f"stratified log-rank p = {format_p(pfs.log_rank.p_value)}" in text
    figs = _figures(html)
    km = [f for f in figs if f[1].lstrip().startswith("<strong>Figure") and "Kaplan-Meier estimate of Progression-free" in f[1]]
    assert len(km) == 1
    alt, caption, svg = km[0]
    assert hr in alt and hr in caption                  # key numbers in alt text and caption
    assert "Number at risk" in caption or "Numbers at risk" in caption
    forest = [f for f in figs if "Forest plot of the hazard ratio of Progression-free" in f[1]]
    assert len(forest) == 1
    overall = t.subgroups["PFS"][0]
    assert overall.hazard_ratio is not None and f"{overall.hazard_ratio:.2f}" in forest[0][0]
    assert any("Cumulative incidence of progression (solid)" in f[1] for f in figs)
    rmst = t.endpoints["PFS"].rmst
    assert rmst is not None and f"{rmst.experimental.rmst / 30.4375:.2f}" in text
    orr = t.rates["ORR"]
    assert f"{orr.by_arm['TACE'].count}/{orr.by_arm['TACE'].n}" in text


def test_the_hr_is_drawn_on_the_km_plot() -> None:
    """The SVG keeps glyphs as outlines, so the plot's text is checked through matplotlib: the
    KM figure of PFS carries the HR and log-rank p as an annotation on the curve axes."""
    from hcctrials.endpoints.study import analyse_study
    from hcctrials.reports import two_arm
    from hcctrials.reports.render import ReportBuilder

    study = load_study("example-two-arm")
    b = ReportBuilder(study, analyse_study(study), "en")
    drawn: list[list[str]] = []
    real = b.figure

    def capture(fig, caption, alt):  # type: ignore[no-untyped-def]
        drawn.append([t.get_text() for ax in fig.axes for t in ax.texts])
        return real(fig, caption, alt)

    b.figure = capture  # type: ignore[method-assign]
    two_arm.section_km_by_arm(b)
    t = two_arm._two(b)
    pfs = t.endpoints["PFS"]
    on_plot = "\n".join(drawn[0])
    assert f"HR {pfs.cox.arm.hazard_ratio:.2f}" in on_plot
    assert f"log-rank p = {format_p(pfs.log_rank.p_value)}" in on_plot


def test_chinese_layout_has_no_untranslated_english() -> None:
    html = _html("zh")
    assert '<html lang="zh">' in html
    text = _visible_text(html)
    for heading in ("各组时间-事件终点", "各亚组风险比", "限制性平均生存时间", "以死亡为竞争风险的疾病进展",
                    "各组肿瘤缓解"):
        assert heading in text
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9\-\.']{2,}", text))
    english = sorted(w for w in words if w.rstrip(".") not in ALLOWED_IN_ZH)
    assert not english, english
    assert "HR 0.48（95% CI 0.30至0.75）" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_has_selectable_text_with_the_hr(lang: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdf = html_to_pdf(_html(lang), tmp_path / f"two_arm_{lang}.pdf")
    reader = PdfReader(str(pdf))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    if lang == "en":
        assert "HR0.48(95%CI0.30to0.75)" in flat
        assert "Forestplotofthehazardratio" in flat
    else:
        assert "HR0.48（95%CI0.30至0.75）" in flat
        assert "森林图" in flat
    assert len(reader.pages) > 5


def test_cli_report_uses_the_two_arm_layout(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", "example-two-arm", "--lang", "zh", "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "各亚组风险比" in html and "报告已写入" in r.output
