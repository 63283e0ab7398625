"""Render a study report as HTML (jinja2, figures embedded as PNG) or PDF (matplotlib
``PdfPages``: no browser or system library needed, so it works headless in CI).

Chinese text in *figures* and in the PDF needs a CJK font; when matplotlib finds none the
figures and the PDF use English labels and the report says so (the HTML text is Chinese
either way, rendered by the reader's browser fonts).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
import pandas as pd
import pathlib

from matplotlib import font_manager
from matplotlib.backends.backend_pdf import PdfPages

from hcctrials.endpoints.events import STANDARD_ENDPOINTS
from hcctrials.endpoints.study import StudyAnalysis, StudyData, analyse_study
from hcctrials.endpoints.survival import DAYS_PER_MONTH
from hcctrials.errors import InputError
from hcctrials.reports.baseline import derive_baseline_table
from hcctrials.reports.i18n import LABELS, label
from hcctrials.reports.plots import (
    figure_to_png_base64, plot_km, plot_spider, plot_swimmer, plot_waterfall,
)

__all__ = ["build_report_context", "render_html", "render_pdf", "write_report", "cjk_font_available"]

_BOR_ORDER = ["CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE", "iCR", "iPR", "iSD",
              "NON_iCR_NON_iUPD", "iUPD", "iCPD", "MISSING"]
_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
        "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")


_CJK_FILES = ("wqy", "notosanscjk", "notoserifcjk", "sourcehansans", "simhei", "msyh", "uming")


def cjk_font_available() -> str | None:
    """Name of a CJK font matplotlib can use, or ``None``.

    matplotlib caches its font list; a font installed after the cache was written (e.g. the
    Debian package fonts-wqy-microhei installed by scripts/setup.sh) is not in it, so on a miss
    the system font folders are scanned once and a CJK font found there is registered.
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((n for n in _CJK if n in names), None)
    if found is None and not getattr(cjk_font_available, "_scanned", False):
        setattr(cjk_font_available, "_scanned", True)
        for path in font_manager.findSystemFonts():
            if any(key in pathlib.Path(path).name.lower().replace("-", "") for key in _CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        names = {f.name for f in font_manager.fontManager.ttflist}
        found = next((n for n in _CJK if n in names), None)
    return found


def _use_cjk_font() -> bool:
    """Put the CJK font first in matplotlib's sans-serif list (for Chinese figures and PDF)."""
    name = cjk_font_available()
    if name is None:
        return False
    current = [f for f in plt.rcParams["font.sans-serif"] if f != name]
    plt.rcParams["font.sans-serif"] = [name, *current]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return True


def _pct(v: float | None) -> str:
    return "not estimable" if v is None else f"{100 * v:.1f}%"


def _rate(lm: Any) -> str:
    if lm is None:
        return "-"
    if not lm.estimable:   # beyond the last follow-up: R summary(fit, times=) omits it
        return _pct(None)
    return f"{_pct(lm.survival)} ({_pct(lm.lower)} to {_pct(lm.upper)})"


def _median_text(s: Any) -> str:
    if s.n == 0:
        return "not estimable (no subjects)"
    if s.events == 0:
        return "not reached (no events)"
    m = s.median

    def f(v: float | None) -> str:
        return "NR" if v is None else f"{v / DAYS_PER_MONTH:.1f}"

    if m.estimate is None:
        return f"not reached ({f(m.lower)} to {f(m.upper)})"
    return f"{f(m.estimate)} ({f(m.lower)} to {f(m.upper)})"


def _range(v: pd.Series, digits: int = 0) -> str:
    return f"{v.median():.{digits}f} ({v.min():.{digits}f} to {v.max():.{digits}f})"


def build_report_context(study: StudyData, analysis: StudyAnalysis, *, lang: str = "en") -> dict[str, Any]:
    """Everything the template needs (strings and base64 PNGs)."""
    if lang not in ("en", "zh"):
        raise InputError("report language must be 'en' or 'zh'", field="lang", value=lang)
    L = {k: label(k, lang) for k in LABELS}
    plot_lang = lang if (lang == "en" or _use_cjk_font()) else "en"
    P = {k: label(k, plot_lang) for k in LABELS}
    title_key = "title_zh" if lang == "zh" else "title_en"
    title = analysis.info.get(title_key) or analysis.info.get("title_en") or analysis.info.get("study_id", "")
    fl = analysis.flow
    flow_rows = []
    indent = {"screen_failure_reason": 2, "discontinued_reason": 2}
    for _, r in fl.iterrows():
        name = r["reason"] if r["reason"] else L.get(r["stage"], r["stage"])
        flow_rows.append({"label": name, "n": int(r["n"]), "indent": indent.get(r["stage"], 0)})
    treated = study.treated.assign(subject_id=study.treated["subject_id"].astype(str))
    baseline, notes = derive_baseline_table(treated)
    if plot_lang != lang:
        notes.append("No CJK font found by matplotlib: figure labels are in English")
    cutoff = analysis.info.get("data_cutoff")
    cut_ts = pd.Timestamp(cutoff) if cutoff else None
    crit_ctx = []
    figures: list[str] = []
    bor_col = "best_overall_response_confirmed"
    all_cats: set[str] = set()
    for c, a in analysis.by_criteria.items():
        counts = a.responses[bor_col].fillna("MISSING").value_counts()
        all_cats |= set(counts.index)
        n = len(a.responses)
        eps = []
        for d in STANDARD_ENDPOINTS:
            s = a.summaries[d.paramcd]
            lms = list(s.landmarks) + [None, None]
            eps.append({"name": d.param_zh if lang == "zh" else d.param, "n": s.n,
                        "events": s.events, "median": _median_text(s),
                        "rate6": _rate(lms[0]), "rate12": _rate(lms[1])})
        km_imgs = []
        groups = [("PFS", "TTP"), ("OS",), ("DOR",)]
        for grp in groups:
            sums = {k: a.summaries[k] for k in grp if a.summaries[k].km is not None}
            if not sums:
                continue
            names = {k: next(d.param for d in STANDARD_ENDPOINTS if d.paramcd == k) for k in sums}
            if plot_lang == "zh":
                names = {k: next(d.param_zh for d in STANDARD_ENDPOINTS if d.paramcd == k) for k in sums}
            fig = plot_km(sums, title=f"{' / '.join(grp)} ({a.title})", labels=names,
                          xlabel="Months" if plot_lang == "en" else "月",
                          at_risk_label="At risk" if plot_lang == "en" else "风险人数")
            km_imgs.append(figure_to_png_base64(fig))
            plt.close(fig)
        crit_ctx.append({
            "title": a.title, "km_images": km_imgs, "endpoints": eps,
            "bor_counts": {k: f"{int(v)} ({100 * v / n:.1f}%)" for k, v in counts.items()},
            "orr": f"{a.orr.count}/{a.orr.n} = {_pct(a.orr.estimate)} ({_pct(a.orr.lower)} to {_pct(a.orr.upper)})",
            "dcr": f"{a.dcr.count}/{a.dcr.n} = {_pct(a.dcr.estimate)} ({_pct(a.dcr.lower)} to {_pct(a.dcr.upper)})",
            "orr_denominator": a.orr.denominator,
            "non_evaluable": ", ".join(a.orr.non_evaluable),
        })
        for fig in (
            plot_waterfall(a.responses, title=f"Best change in target sum ({a.title})",
                           ylabel="Best % change from baseline", bor_column=bor_col),
            plot_spider(a.visits, treated, a.responses, title=f"Target sum over time ({a.title})",
                        xlabel="Months", ylabel="% change from baseline", bor_column=bor_col),
        ):
            figures.append(figure_to_png_base64(fig))
            plt.close(fig)
    first = next(iter(analysis.by_criteria.values()))
    fig = plot_swimmer(treated, first.visits, title=f"Treatment duration and responses ({first.title})",
                       xlabel="Months", cutoff=cut_ts)
    figures.append(figure_to_png_base64(fig))
    plt.close(fig)
    exp_rows = []
    for drug, g in analysis.exposure.groupby("drug"):
        exp_rows.append({"drug": drug, "cycles": _range(g["cycles"]),
                         "duration": _range(g["duration_days"]),
                         "rdi": _range(g["relative_dose_intensity"], 2)})
    ae_tables = [{"title": L[k], "rows": t.to_dict(orient="records")} for k, t in (
        ("by_term", analysis.ae_by_term), ("aesi", analysis.aesi_by_term),
        ("serious", analysis.serious_by_term), ("disc", analysis.discontinuation_by_term))]
    definitions = "\n\n".join(d.describe(lang=lang) for d in STANDARD_ENDPOINTS)
    return {
        "lang": lang, "L": L, "title": title, "cutoff": cutoff or "-",
        "synthetic": str(analysis.info.get("study_id", "")).startswith("HCC-EX"),
        "flow": flow_rows, "baseline": baseline, "baseline_notes": notes,
        "n_treated": analysis.n_treated, "criteria": crit_ctx,
        "bor_categories": [c for c in _BOR_ORDER if c in all_cats],
        "ci_note": L["ci_note"].format(band=analysis.conf_type), "definitions": definitions,
        "figures": figures, "safety_overview": analysis.safety_overview.to_dict(orient="records"),
        "ae_tables": ae_tables, "ae_by_grade": analysis.ae_by_grade.to_dict(orient="records"),
        "exposure": exp_rows,
    }


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("hcctrials.reports", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "jinja"]),
                              undefined=jinja2.StrictUndefined)


def render_html(study: StudyData, analysis: StudyAnalysis | None = None, *, lang: str = "en",
                conf_type: str = "log-log") -> str:
    """The report as one self-contained HTML page."""
    analysis = analysis or analyse_study(study, conf_type=conf_type)
    ctx = build_report_context(study, analysis, lang=lang)
    return _env().get_template("report.html.jinja").render(**ctx)


def render_pdf(study: StudyData, path: Path, analysis: StudyAnalysis | None = None, *,
               lang: str = "en", conf_type: str = "log-log") -> Path:
    """The report as a PDF (matplotlib PdfPages): summary pages then the figures."""
    analysis = analysis or analyse_study(study, conf_type=conf_type)
    use_lang = lang if (lang == "en" or _use_cjk_font()) else "en"
    ctx = build_report_context(study, analysis, lang=use_lang)
    L = ctx["L"]
    lines = [ctx["title"], f"{L['cutoff']}: {ctx['cutoff']}", "", L["flow"]]
    lines += [f"{'  ' * (r['indent'] // 2)}{r['label']}: {r['n']}" for r in ctx["flow"]]
    lines += ["", L["efficacy"]]
    for c in ctx["criteria"]:
        lines += [f"{c['title']}: ORR {c['orr']}; DCR {c['dcr']}"]
        for e in c["endpoints"]:
            lines.append(f"  {e['name']}: n={e['n']}, events={e['events']}, median {e['median']}, "
                         f"6 mo {e['rate6']}, 12 mo {e['rate12']}")
    lines += ["", ctx["ci_note"], "", L["overview"]]
    lines += [f"  {r['category']}: {r['n_pct']}" for r in ctx["safety_overview"]]
    import base64
    import io

    from matplotlib.image import imread
    path = Path(path)
    with PdfPages(path) as pdf:
        wrapped: list[str] = []
        for ln in lines:
            wrapped += textwrap.wrap(ln, 110) or [""]
        for start in range(0, len(wrapped), 60):
            fig = plt.figure(figsize=(8.27, 11.69))
            fig.text(0.06, 0.96, "\n".join(wrapped[start:start + 60]), va="top", ha="left",
                     family="monospace" if use_lang == "en" else None, fontsize=7.5)
            pdf.savefig(fig)
            plt.close(fig)
        imgs = [img for c in ctx["criteria"] for img in c["km_images"]] + ctx["figures"]
        for img in imgs:
            arr = imread(io.BytesIO(base64.b64decode(img)), format="png")
            fig = plt.figure(figsize=(8.27, 11.69))
            ax = fig.add_axes((0.05, 0.3, 0.9, 0.65))
            ax.imshow(arr)
            ax.axis("off")
            pdf.savefig(fig)
            plt.close(fig)
    return path


def write_report(study: StudyData, out: Path, *, lang: str = "en", conf_type: str = "log-log") -> Path:
    """Write HTML or PDF according to the file suffix of ``out``."""
    analysis = analyse_study(study, conf_type=conf_type)
    out = Path(out)
    if out.suffix.lower() == ".pdf":
        return render_pdf(study, out, analysis, lang=lang, conf_type=conf_type)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError("report file must end in .html or .pdf", file=str(out))
    out.write_text(render_html(study, analysis, lang=lang, conf_type=conf_type), encoding="utf-8")
    return out
