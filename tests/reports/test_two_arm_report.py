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

import pandas as pd
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
    "anova", "coxph",
    "mRECIST", "RECIST", "Clopper-Pearson", "Miettinen-Nurminen", "Mantel-Haenszel",
    "Robins-Breslow-Greenland", "HCC-EX-002", "survRM2", "middot", "mol", "IIa", "IIb", "IIIa", "IIIb",
    "Vp4", "ORR", "DCR", "HR", "RMST", "PFS", "TTP", "OS", "DoR", "SD", "PR", "CR", "PD", "NE",
    "CONSORT", "DNA",  # the CONSORT flow (issue 13) and its screen-failure reason "HBV DNA > 2000 IU/mL"
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


R_TWO_ARM = Path(__file__).parents[1] / "cli" / "fixtures" / "two_arm"


def _r(name: str) -> pd.DataFrame:
    return pd.read_csv(R_TWO_ARM / name, na_values=["NA"], keep_default_na=False)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_competing_risk_section_prints_r_cmprsk_numbers(lang: str) -> None:
    """Table 6 and its notes carry R's cumulative incidence at 6 and 12 months (plain normal CI from
    R's Gray variance), Gray's p and the Fine-Gray sHR with CI and p (fixtures/two_arm/competing.csv,
    R cmprsk on the exported records), rounded as printed, in both languages."""
    import math

    text = " ".join(_visible_text(_html(lang)).split())
    ref = _r("competing.csv")
    for row in ref[ref["kind"] == "cuminc"].itertuples():
        se = math.sqrt(row.var)
        lo, up = max(0.0, row.value - 1.959963984540054 * se), min(1.0, row.value + 1.959963984540054 * se)
        cell = (f"{100 * row.value:.1f}%（95% CI {100 * lo:.1f}至{100 * up:.1f}）" if lang == "zh"
                else f"{100 * row.value:.1f}% (95% CI {100 * lo:.1f} to {100 * up:.1f})")
        assert cell in text, (row.arm, row.cause, row.time)
    kinds = ref.set_index("kind")
    gray_p = ref[(ref["kind"] == "gray") & (ref["cause"] == 1)].iloc[0]["var"]
    shr = (f"{kinds.loc['finegray_hr', 'value']:.3f}（95% CI {kinds.loc['finegray_ci', 'value']:.3f}"
           f"{' 至 '}{kinds.loc['finegray_ci', 'var']:.3f}），p = {format_p(kinds.loc['finegray_hr', 'var'])}"
           if lang == "zh" else
           f"{kinds.loc['finegray_hr', 'value']:.3f} (95% CI {kinds.loc['finegray_ci', 'value']:.3f} to "
           f"{kinds.loc['finegray_ci', 'var']:.3f}), p = {format_p(kinds.loc['finegray_hr', 'var'])}")
    assert shr in text
    gray = (f"疾病进展的 Gray 检验：p = {format_p(gray_p)}" if lang == "zh"
            else f"Gray&#39;s test for progression: p = {format_p(gray_p)}")
    assert gray in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_response_section_prints_r_rate_comparison(lang: str) -> None:
    """Table 7: the Miettinen-Nurminen difference and the Mantel-Haenszel odds ratio with CMH p over
    the randomisation strata are R's (fixtures/two_arm/rates.csv), rounded as printed."""
    text = " ".join(_visible_text(_html(lang)).split())
    for r in _r("rates.csv").itertuples():
        if lang == "zh":
            diff = f"{100 * r.difference:+.1f}（{100 * r.mn_lower:.1f}至{100 * r.mn_upper:.1f}）"
            odds = f"{r.mh_or:.2f}（{r.mh_or_lower:.2f}至{r.mh_or_upper:.2f}）; p = {format_p(r.cmh_p)}"
        else:
            diff = f"{100 * r.difference:+.1f} ({100 * r.mn_lower:.1f} to {100 * r.mn_upper:.1f})"
            odds = f"{r.mh_or:.2f} ({r.mh_or_lower:.2f} to {r.mh_or_upper:.2f}); p = {format_p(r.cmh_p)}"
        assert f"{r.responders_exp}/{r.n_exp}" in text and f"{r.responders_ctl}/{r.n_ctl}" in text
        assert diff in text, (r.rate, diff)
        assert odds in text, (r.rate, odds)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_subgroup_table_has_r_interaction_p_on_each_factor(lang: str) -> None:
    """The subgroup table carries an interaction p column; on the first row of each factor it is
    R's anova p (tests/endpoints/fixtures/interaction), rounded as printed."""
    html = _html(lang)
    header = "交互作用 p" if lang == "zh" else "Interaction p"
    table = html[html.index("<h2>" + ("各亚组风险比" if lang == "zh" else "Hazard ratio by subgroup") + "</h2>"):]
    table = table[:table.index("</table>")]
    assert header in table
    ref = pd.read_csv(Path(__file__).parents[1] / "endpoints" / "fixtures" / "interaction" / "interaction.csv",
                      keep_default_na=False)
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S)]
             for r in rows]
    body = [c for c in cells[1:] if len(c) == 6]
    with_p = [c for c in body if c[5]]
    assert len(with_p) == 10                             # 5 factors x (PFS, OS)
    example = ref[ref["dataset"] == "example"]
    expected = [format_p(float(r.p)) for code in ("PFS", "OS")
                for r in example[example["endpoint"] == code].itertuples()]
    assert [c[5] for c in with_p] == expected            # factors in forest order, PFS then OS
    assert all(c[1] != ("全部受试者" if lang == "zh" else "All subjects") for c in with_p)
