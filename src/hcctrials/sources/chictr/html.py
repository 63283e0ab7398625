"""``chictr_html`` and ``chictr_search_html``: saved chictr.org.cn pages.

The detail page (``showproj.html?proj=…``) is the bilingual label table of the text
page in HTML (``<p class="cn">注册号：</p><p class="en">Registration number：</p>`` and
the value cell).  It is flattened into text blocks - one per paragraph, cell or span,
``<br>`` kept as a line break - and read with the same label table as the text parser,
so both map identically.  The search-results page is a listing: one minimal Trial per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.model.trial import (
    Finding, Identifier, Provenance, Registry, Sponsor, Text, Trial, TrialDates,
)
from hcctrials.sources.base import ParsedRecord, ParseResult, RecordFailure, read_bytes_limited, sha256_hex
from hcctrials.sources.chictr import values as V
from hcctrials.sources.chictr.assemble import build_trial, collect
from hcctrials.sources.chictr.items import detect_script
from hcctrials.sources.chictr.labels import label_events
from hcctrials.textdecode import decode_text

__all__ = ["ChictrHtmlParser", "ChictrSearchHtmlParser", "html_blocks", "parse_chictr_html"]

_BLOCK_TAGS = {"p", "td", "th", "tr", "table", "tbody", "thead", "div", "span", "li", "ul", "ol",
               "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "body", "form", "dd", "dt"}
_SKIP_TAGS = {"script", "style", "noscript", "head", "select", "option", "input", "button", "textarea"}


def html_blocks(root: etree._Element, *, mark_list_items: bool = False) -> list[str]:
    """Text blocks of an HTML subtree: one per block element, ``<br>`` as a line break.

    With *mark_list_items* an ``<li>`` block starts with "• " (as the page shows it).

    Written by hand because the page uses ``<span>`` as a table cell ("从" "From" date) and
    BeautifulSoup/lxml text extraction would either merge those or split every inline tag.
    """
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if not current:
            return
        lines = [re.sub(r"[ \t\r\f\v\xa0\u3000]+", " ", line).strip() for line in "".join(current).split("\n")]
        text = "\n".join(line for line in lines if line)
        current.clear()
        if text:
            blocks.append(text)

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or not tag:
            return
        if tag == "br":
            current.append("\n")
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            flush()
        if mark_list_items and tag == "li":
            current.append("• ")
        if el.text:
            current.append(el.text.replace("\n", " "))
        for child in el:
            walk(child)
            if child.tail:
                current.append(child.tail.replace("\n", " "))
        if is_block:
            flush()

    walk(root)
    flush()
    return blocks


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")


def _load_html(raw: bytes, source: str) -> etree._Element:
    """Parse saved HTML: UTF-8, else decoded in the encoding the bytes show (GBK, UTF-16 ...;
    :func:`hcctrials.textdecode.decode_text`), never rejected for its encoding alone."""
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    try:
        if utf8:
            return lxml.html.fromstring(raw, parser=lxml.html.HTMLParser(encoding="utf-8"))
        text = _XML_DECLARATION.sub("", decode_text(raw, file=source, expected="a saved ChiCTR page"), count=1)
        return lxml.html.fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not readable HTML: {exc}", file=source) from exc


def parse_chictr_html(raw: bytes, *, source_file: str = "<html>") -> Trial:
    """The Trial of a saved chictr.org.cn detail page."""
    root = _load_html(raw, source_file)
    detail = root.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' project-ms ')]")
    title = root.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' project-tit ')]")
    preamble = [t.text_content().strip() for t in title[:1]]
    blocks: list[str] = []
    for part in detail or [root]:
        blocks.extend(html_blocks(part))
    pre, events = label_events(blocks)
    return build_trial(collect(preamble + pre, events), source_format="chictr_html",
                       source_file=source_file, raw=raw)


def _head_text(head: bytes) -> str:
    return head.decode("utf-8", errors="ignore").lower()


class ChictrHtmlParser:
    """A saved chictr.org.cn registration detail page."""

    source_format = "chictr_html"
    decodes_any_encoding = True
    description = "chictr.org.cn registration detail page saved as HTML (bilingual label table)"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = _head_text(head)
        return "<html" in text and "chictr" in text and ("project-ms" in text or "registration number" in text)

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        yield ParsedRecord(parse_chictr_html(read_bytes_limited(path), source_file=str(path)))


def _text_by_script(text: str | None) -> Text:
    if not text:
        return Text()
    return Text(zh=text) if detect_script(text) == "zh" else Text(en=text)


class ChictrSearchHtmlParser:
    """A saved chictr.org.cn search-results page: one minimal Trial per result row."""

    source_format = "chictr_search_html"
    decodes_any_encoding = True
    description = "chictr.org.cn search-results page saved as HTML (listing rows, not full records)"
    base_url = "https://www.chictr.org.cn/"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = _head_text(head)
        return "<html" in text and "chictr" in text and ("historyversionpub" in text or "data-total" in text
                                                          or "searchproj" in text)

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        raw = read_bytes_limited(path)
        root = _load_html(raw, str(path))
        rows = [tr for tr in root.xpath("//table//tr") if tr.xpath("./td") and
                re.search(r"ChiCTR[-A-Za-z0-9]+", tr.text_content() or "")]
        if not rows and "historyversionpub" not in raw.decode("utf-8", errors="ignore"):
            raise ParseError("no result rows found in the ChiCTR search page", file=str(path))
        for index, row in enumerate(rows, start=1):
            locator = f"row {index}"
            try:
                yield ParsedRecord(self._row(row, path, locator))
            except (ParseError, ValueError) as exc:
                error = exc if isinstance(exc, ParseError) else ParseError(str(exc), file=str(path), record=locator)
                yield RecordFailure(file=str(path), locator=locator, error=error)

    def _row(self, row: etree._Element, path: Path, locator: str) -> Trial:
        from hcctrials.sources.quality import check_record

        cells = row.xpath("./td")
        texts = [re.sub(r"\s+", " ", c.text_content()).strip() for c in cells]
        number = next((m.group(0) for t in texts if (m := re.fullmatch(r"ChiCTR[-A-Za-z0-9]+", t))), None)
        if number is None:
            raise ParseError("result row without a registration number", file=str(path), record=locator)
        link = row.xpath(".//a[contains(@href, 'showproj')]")
        title = None
        url = None
        if link:
            title = (link[0].get("title") or link[0].text_content()).strip()
            url = self.base_url + link[0].get("href").lstrip("./")
        institution_el = row.xpath(".//td[.//a[contains(@href, 'showproj')]]//p")
        institution = re.sub(r"\s+", " ", institution_el[0].text_content()).strip() if institution_el else None
        type_text = next((t for t in texts if V.map_study_type(t)), None)
        date_text = next((t for t in texts if re.fullmatch(r"\d{4}[/-]\d{1,2}[/-]\d{1,2}", t)), None)
        trial = Trial(
            trial_id=number, registry=Registry.CHICTR,
            identifiers=[Identifier(scheme="chictr", value=number, primary=True, source_label="注册号")],
            brief_title=_text_by_script(title), study_type=V.map_study_type(type_text),
            dates=TrialDates(registered=V.iso_date(date_text)),
            sponsors=[Sponsor(name=_text_by_script(institution), role="lead")] if institution else [],
            urls=[url] if url else [],
            findings=[Finding(code="partial_record", field="*", severity="info",
                              message=msg("a search-results listing row (number, title, institution, study type, "
                                          "registration date), not the full registration"))],
            provenance=Provenance(source_format=self.source_format, source_file=str(path), record_locator=locator,
                                  raw_sha256=sha256_hex(etree.tostring(row, encoding="utf-8"))),
        )
        trial.findings.extend(check_record(trial))
        return trial
