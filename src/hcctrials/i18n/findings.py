"""Data-quality findings of trial records in the reader's language (issue 13), for the command line,
the web pages and the JSON API alike.

A finding (:class:`hcctrials.model.trial.Finding`) is made at parse time, when the reader is not
known: its producer builds the message with :func:`hcctrials.i18n.msg`, so that the finding keeps
the English text (``message``, what earlier versions stored and what English readers see), the
template (``template``, a msgid of ``locale/<lang>/LC_MESSAGES/findings.po``) and the template's
fields as data (``values``: drug names, ids, values as found; never translated).
:func:`finding_text` renders the template in the reader's language from those values.

Findings stored before templates were kept have only the English text.  They are read back with
the catalog's finding templates (:func:`_legacy`): a template whose literal parts match the whole
text gives the parts between them, which are put, unchanged, in the same places of the translated
template.  Where no template matches, the English text is shown (nothing is guessed).

Codes and record paths (``eligibility.inclusion``, ``arms[0].sample_size``) are shown in words in
Chinese (:func:`finding_code_label`, :func:`finding_field_label`) and as they are in English, so
English output is what it always was.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from hcctrials.i18n import catalog, say

__all__ = ["finding_text", "finding_code_label", "finding_field_label", "finding_document", "FINDINGS_DOMAIN"]

#: The catalog file holding the finding templates (read for findings stored without a template).
FINDINGS_DOMAIN = "findings"


class _FindingLike(Protocol):
    # read-only members: a Finding's Literal severity satisfies them
    @property
    def code(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def values(self) -> dict[str, str]: ...
    @property
    def template(self) -> str | None: ...


_PLACEHOLDER = re.compile(r"\{(\w+)(![rs])?\}")
#: a finding template has at least this many characters of its own besides its fields
_LEAST_LITERAL = 12


def _codes(lang: str) -> dict[str, str]:
    return {
        "partial_record": say("partial record", lang), "derived_record": say("derived record", lang),
        "derived_value": say("derived value", lang), "unparsed_value": say("unparsed value", lang),
        "missing_field": say("missing field", lang), "bilingual_mismatch": say("Chinese and English disagree", lang),
        "contradictory_schedule": say("contradictory schedule", lang), "stale_status": say("stale status", lang),
        "repaired_mojibake": say("garbled text repaired", lang),
        "vocabulary_unavailable": say("drug lexicon unavailable", lang),
        "ambiguous_split": say("ambiguous split", lang), "shrunk_version": say("version held back", lang),
        "shrink_accepted": say("shrunken version accepted", lang),
    }


def _segments(lang: str) -> dict[str, str]:
    return {
        "*": say("whole record", lang), "titles": say("titles", lang), "brief_title": say("brief title", lang),
        "summary": say("summary", lang), "description": say("description", lang),
        "objectives": say("objectives", lang), "conditions": say("conditions", lang),
        "interventions": say("interventions", lang), "arms": say("arms", lang), "doses": say("doses", lang),
        "sample_size": say("sample size", lang), "lexicon_ids": say("lexicon ids", lang),
        "eligibility": say("eligibility", lang), "inclusion": say("inclusion criteria", lang),
        "exclusion": say("exclusion criteria", lang), "min_age_years": say("minimum age", lang),
        "overall_status": say("overall status", lang), "phases": say("phases", lang),
        "study_type": say("study type", lang), "design": say("design", lang), "enrollment": say("enrollment", lang),
        "dates": say("dates", lang), "nct_id": say("NCT number", lang), "outcomes": say("outcomes", lang),
        "sites": say("sites", lang), "sponsors": say("sponsors", lang),
    }


def finding_code_label(code: str, lang: str = "en") -> str:
    """The finding's kind: the code itself in English (as always shown), a word in other languages
    (an unknown code as it is)."""
    if lang == "en":
        return code
    return _codes(lang).get(code, code)


_SEGMENT = re.compile(r"^(\w+|\*)(?:\[(\d+)\])?$")


def finding_field_label(field: str, lang: str = "en") -> str:
    """Where the finding is: the record path in English (``arms[0].sample_size``), in words in other
    languages (``组 1 › 样本量``); a segment without a word (a source's own tag name) stays as it is."""
    if lang == "en" or not field:
        return field
    words = _segments(lang)
    shown = []
    for part in field.split("."):
        hit = _SEGMENT.match(part)
        if hit is None:
            shown.append(part)
            continue
        name, index = hit.groups()
        word = words.get(name, name)
        shown.append(word if index is None else say("{name} {n}", lang, name=word, n=int(index) + 1))
    return say(" › ", lang).join(shown)


def _shown(name: str, value: str, lang: str) -> str:
    """A template field in *lang*: a value named ``field`` is a record path, one named ``status`` a
    record status code, both shown in words; any other value is data, shown as found."""
    if name == "field":
        return finding_field_label(value, lang)
    if name == "status":
        from hcctrials.i18n.labels import label

        return label("status", value, lang)
    return value


def finding_text(finding: _FindingLike, lang: str = "en") -> str:
    """The finding's message in *lang*: the stored English text in English; else its template
    translated and filled with its values (codes among them in words: :func:`_shown`), else (a finding stored without a template) the translation of the
    catalog template its English text matches, else the English text."""
    if lang == "en":
        return finding.message
    table = catalog(lang)
    template = getattr(finding, "template", None)
    if template and table.get(template):
        values = {k: _shown(k, v, lang) for k, v in finding.values.items()}
        try:
            return table[template].format(**values)
        except (KeyError, IndexError, ValueError):  # a values dict that lost a field: try the text
            pass
    if table.get(finding.message):
        return table[finding.message]
    return _legacy(finding.message, lang) or finding.message


@lru_cache(maxsize=None)
def _templates() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(template, regex) of each finding message with fields, from ``findings.po`` (English msgids), the
    most literal text first (so that a longer template is tried before one it contains); the short
    word templates of that file (``{name} {n}``, a path segment and its number) are not messages."""
    from babel.messages.pofile import read_po

    path = resources.files("hcctrials.i18n").joinpath("locale", "zh", "LC_MESSAGES", f"{FINDINGS_DOMAIN}.po")
    with path.open("rb") as handle:
        ids = [str(m.id) for m in read_po(handle) if m.id and isinstance(m.id, str)]
    found = []
    for template in ids:
        if not _PLACEHOLDER.search(template) or len(_PLACEHOLDER.sub("", template).strip()) < _LEAST_LITERAL:
            continue
        pattern, seen, last = [], set(), 0
        for hit in _PLACEHOLDER.finditer(template):
            pattern.append(re.escape(template[last:hit.start()]))
            name = hit.group(1)
            pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            last = hit.end()
        pattern.append(re.escape(template[last:]))
        found.append((template, re.compile("".join(pattern), re.DOTALL)))
    return tuple(sorted(found, key=lambda pair: -len(_PLACEHOLDER.sub("", pair[0]))))


def _legacy(message: str, lang: str) -> str | None:
    """A finding stored without its template (before issue 13): the translated template whose English
    form matches *message* whole, with the matched parts (as written, quotes included) in place of
    its fields.  The matching template with the most literal text wins; None if none matches."""
    table = catalog(lang)
    for template, pattern in _templates():
        hit = pattern.fullmatch(message)
        if hit is None or not table.get(template):
            continue
        parts = {k: _shown(k, v, lang) for k, v in hit.groupdict().items()}
        return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], table[template])
    return None


def finding_document(finding: Any, lang: str = "en") -> dict[str, Any]:
    """A finding as JSON: its stored fields (``message`` the English text, ``template``, ``values``)
    and, in *lang*, ``text`` (the message), ``code_label``, ``field_label`` and ``severity_label``."""
    from hcctrials.i18n.labels import label

    return {**finding.model_dump(mode="json"), "text": finding_text(finding, lang),
            "code_label": finding_code_label(finding.code, lang), "field_label": finding_field_label(finding.field, lang),
            "severity_label": label("severity", finding.severity, lang)}
