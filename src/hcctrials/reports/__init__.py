"""Study reports: tables and figures (KM with numbers at risk, waterfall, swimmer, spider)
as HTML or PDF.  See ``docs/report.md``."""

from hcctrials.reports.load import load_study
from hcctrials.reports.render import render_html, render_pdf, write_report

__all__ = ["load_study", "render_html", "render_pdf", "write_report"]
