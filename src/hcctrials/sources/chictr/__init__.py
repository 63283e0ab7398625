"""Parsers for ChiCTR (Chinese Clinical Trial Registry) records.  ``PARSERS`` lists them.

* ``chictr_html`` - the saved chictr.org.cn detail page (``showproj``)
* ``chictr_search_html`` - a saved search-results page (listing rows only)
* ``chictr_ictrp_xml`` - the WHO ICTRP trial XML of ChiCTR's "下载XML文档 / download XML"
* ``chictr_text`` - the page's text or its PDF export
"""

from __future__ import annotations

from hcctrials.sources.base import SourceParser
from hcctrials.sources.chictr.html import ChictrHtmlParser, ChictrSearchHtmlParser
from hcctrials.sources.chictr.ictrp import ChictrIctrpXmlParser
from hcctrials.sources.chictr.text import ChictrTextParser

__all__ = ["PARSERS", "ChictrHtmlParser", "ChictrSearchHtmlParser", "ChictrIctrpXmlParser", "ChictrTextParser"]

PARSERS: list[SourceParser] = [ChictrIctrpXmlParser(), ChictrHtmlParser(), ChictrSearchHtmlParser(),
                               ChictrTextParser()]
