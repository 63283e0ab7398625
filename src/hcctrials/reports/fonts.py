"""Fonts for the report: a CJK (Chinese) TrueType/OpenType font for figures and the PDF.

Journals reject PDFs with Type 3 fonts (bitmap-like glyph procedures); matplotlib writes Type 3
by default.  :func:`configure_matplotlib` therefore sets ``pdf.fonttype = ps.fonttype = 42``
(embedded TrueType) and ``svg.fonttype = "path"`` (glyphs as outlines: the SVG needs no font on
the reader's machine), and puts a CJK font first so Chinese labels render instead of boxes.

The PDF itself is drawn by WeasyPrint from the report HTML; it finds fonts through fontconfig by
family name (:data:`CSS_FONT_STACK`) and embeds them as TrueType/OpenType subsets.  On Debian the
CJK font is ``fonts-wqy-microhei`` (installed by ``scripts/setup.sh``).
"""

from __future__ import annotations

import logging

import pathlib
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

__all__ = ["CjkFont", "find_cjk_font", "configure_matplotlib", "CSS_FONT_STACK"]

#: CJK font families known to cover simplified Chinese, in order of preference.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN")
_CJK_FILE_KEYS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehansans", "simhei", "msyh", "uming")

#: The CSS font stack of the report (Latin first, then CJK; fontconfig resolves the names).
CSS_FONT_STACK = ", ".join(f'"{f}"' for f in ("DejaVu Sans", "Noto Sans", *CJK_FAMILIES)) + ", sans-serif"


@dataclass(frozen=True)
class CjkFont:
    """A CJK font matplotlib can use: its family name and file."""

    family: str
    path: str


_scanned = False


def find_cjk_font() -> CjkFont | None:
    """The first CJK font known to matplotlib, or ``None``.

    matplotlib caches its font list; a font installed after the cache was written (e.g. by
    scripts/setup.sh) is missing from it, so on a miss the system font folders are scanned once
    and CJK fonts found there are registered."""
    global _scanned

    def lookup() -> CjkFont | None:
        by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
        family = next((n for n in CJK_FAMILIES if n in by_name), None)
        return None if family is None else CjkFont(family, by_name[family])

    found = lookup()
    if found is None and not _scanned:
        _scanned = True
        for path in font_manager.findSystemFonts():
            if any(key in pathlib.Path(path).name.lower().replace("-", "") for key in _CJK_FILE_KEYS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = lookup()
    return found


def configure_matplotlib(lang: str = "en") -> CjkFont | None:
    """Set matplotlib up for report figures (embedded TrueType, no Type 3).

    For Chinese the CJK font comes first (it has Latin glyphs too; matplotlib's per-glyph
    fallback does not reach text drawn as outlines), for English DejaVu Sans.  Returns the CJK
    font, or ``None`` when there is none (Chinese labels cannot be drawn)."""
    plt.rcParams.update({
        "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "path", "svg.hashsalt": "hcctrials",
        "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
        "figure.dpi": 110, "axes.unicode_minus": False,
    })
    font = find_cjk_font()
    if font is not None:
        # a CJK face with one weight (WenQuanYi Micro Hei has no bold) is drawn at its regular weight;
        # matplotlib logs "findfont: Failed to find font weight bold" to the user's terminal for each
        # bold title, which says nothing the reader can act on
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        current = [f for f in plt.rcParams["font.sans-serif"] if f not in ("DejaVu Sans", font.family)]
        first = [font.family, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font.family]
        plt.rcParams["font.sans-serif"] = [*first, *current]
        plt.rcParams["font.family"] = "sans-serif"
    return font
