"""Split a ClinicalTrials.gov eligibility-criteria block into inclusion and exclusion items.

CT.gov publishes eligibility as one free-text block (API v2 ``eligibilityCriteria``, legacy
XML ``eligibility/criteria/textblock``, the HINT benchmark ``criteria`` column) laid out as
``Inclusion Criteria:`` / ``Exclusion Criteria:`` headings followed by bulleted or numbered
items; nested items (sub-bullets) are indented deeper than their parent and long items are
wrapped onto indented continuation lines (legacy XML).  This module turns that layout into
lists of items.  It is pure (text in, lists out) and written by hand because no library
parses this CT.gov-specific layout.

Rules (documented in docs/sources/ctgov.md):

* A heading line (optionally bulleted, optionally "Key"/"Main"/"Major"/"General", any case,
  optional trailing qualifier and colon, English or Chinese 入选/纳入/排除标准) switches the
  section; text after the colon on the same line starts the first item.
* A bullet line (``*``, ``-``, ``•``, ``·``, ``o``-less markers ``1.`` ``1)`` ``(1)`` ``a.``
  ``a)``) at the section's outermost bullet indentation starts a new item; a bullet indented
  deeper is a sub-item and stays attached to its parent (on a new line).
* A non-bullet line continues the current item, unless it follows a blank line at (or left
  of) the outermost bullet indentation, in which case it is a paragraph item of its own.
* Text before any heading, and text with no heading at all (e.g. the old NCI PDQ layout with
  ``DISEASE CHARACTERISTICS:`` sub-headings), is inclusion.
* No non-blank line is ever dropped: every line other than a section heading ends up (with
  its bullet marker removed) inside exactly one item.
"""

from __future__ import annotations

import re

__all__ = ["split_criteria", "is_section_heading"]

_HEADING_COLON = re.compile(
    r"^(?:(?:key|main|major|general|other)\s+)?(?P<kind>inclusion|exclusion)"
    r"(?:\s+criteria(?:[^:：]{0,60}))?\s*[:：]\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADING_BARE = re.compile(
    r"^(?:(?:key|main|major|general|other)\s+)?(?P<kind>inclusion|exclusion)\s+criteria\s*(?P<rest>)$",
    re.IGNORECASE,
)
_HEADING_ZH = re.compile(r"^(?P<kind>入选|纳入|入组|排除)标准\s*[:：]?\s*(?P<rest>.*)$")
_LEADING_BULLET = re.compile(r"^\s*(?:[-*•·]\s*)?")
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[*\-•·▪◦●]|\d{1,3}[.)](?!\d)|\(\d{1,3}\)|[a-zA-Z][.)](?=\s)|\([a-z]\))"
    r"[ \t]+(?P<text>\S.*)$"
)


def _heading_match(line: str) -> re.Match[str] | None:
    candidate = _LEADING_BULLET.sub("", line, count=1).strip()
    for pattern in (_HEADING_COLON, _HEADING_BARE, _HEADING_ZH):
        match = pattern.match(candidate)
        if match is not None:
            return match
    return None


def is_section_heading(line: str) -> str | None:
    """``"inclusion"``/``"exclusion"`` if *line* is a criteria section heading, else None."""
    match = _heading_match(line)
    if match is None:
        return None
    kind = match.group("kind").lower()
    return "exclusion" if kind in ("exclusion", "排除") else "inclusion"


def _heading_rest(line: str) -> str:
    match = _heading_match(line)
    return match.group("rest").strip() if match else ""


def _indent_width(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


def split_criteria(text: str) -> tuple[list[str], list[str]]:
    """Split a CT.gov eligibility block into ``(inclusion_items, exclusion_items)``.

    >>> split_criteria("Inclusion Criteria:\\n\\n* Age >= 18\\n\\nExclusion Criteria:\\n\\n* Pregnancy")
    (['Age >= 18'], ['Pregnancy'])
    """
    sections: dict[str, list[list[str]]] = {"inclusion": [], "exclusion": []}
    current_section = "inclusion"
    items = sections[current_section]
    top_indent: int | None = None  # outermost bullet indentation in this section
    previous_blank = True
    item_open = False

    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw_line.strip():
            previous_blank = True
            continue
        kind = is_section_heading(raw_line)
        if kind is not None:
            current_section = kind
            items = sections[kind]
            top_indent = None
            item_open = False
            previous_blank = True
            rest = _heading_rest(raw_line)
            if rest:
                items.append([rest])
                item_open = True
                previous_blank = False
            continue
        bullet = _BULLET.match(raw_line)
        if bullet is not None:
            indent = _indent_width(bullet.group("indent"))
            body = bullet.group("text").strip()
            if top_indent is None or indent <= top_indent or not item_open:
                if top_indent is None or indent < top_indent:
                    top_indent = indent
                items.append([body])
                item_open = True
            else:  # nested sub-item: keep with its parent, marker kept for readability
                items[-1].append("\n  " + bullet.group("marker") + " " + body)
            previous_blank = False
            continue
        stripped = raw_line.strip()
        indent = _indent_width(raw_line)
        starts_paragraph = previous_blank and (top_indent is None or indent <= top_indent)
        if not item_open or starts_paragraph:
            items.append([stripped])
            item_open = True
        elif previous_blank:
            items[-1].append("\n" + stripped)
        else:
            items[-1].append(" " + stripped)
        previous_blank = False

    def finish(parts_list: list[list[str]]) -> list[str]:
        return [text for text in ("".join(parts).strip() for parts in parts_list) if text]

    return finish(sections["inclusion"]), finish(sections["exclusion"])
