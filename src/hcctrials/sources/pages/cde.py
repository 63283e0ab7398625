"""``cde_listing_tsv``: China NMPA/CDE drug-trial registry listing rows (chinadrugtrials.org.cn).

A tab-separated listing without a header, one trial per row: row number (of the listing
page, not unique), CTR registration number (``CTR20181144``), status (试验状态, e.g.
"进行中 招募中", "已完成", "主动暂停"), drug name, indication, public title, a sponsor-side
record id.  Listing data only (no criteria, no dates): each Trial carries a
``partial_record`` info finding.  The phase is read from the public title ("II/III期"), with a
``derived_value`` finding.  Text is Chinese as published (drug names may be Latin:
"Atezolizumab注射液"), kept in ``.zh``.  Registry: ``other`` (the model has no CDE member;
the ``ctr`` identifier scheme names the registry).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.model.trial import (
    Finding, Identifier, Intervention, OverallStatus, Provenance, Registry, Text, Trial,
)
from hcctrials.sources.base import ParsedRecord, ParseResult, RecordFailure, sha256_hex
from hcctrials.sources.chictr.regimen import drug_mentions

__all__ = ["CdeListingParser", "map_cde_status", "parse_cde_row", "title_phases"]

# CDE 试验状态 (chinadrugtrials.org.cn): 进行中 (尚未招募 / 招募中 / 招募完成), 已完成, 主动暂停, 主动终止
_STATUS = (
    ("尚未招募", OverallStatus.NOT_YET_RECRUITING),
    ("招募完成", OverallStatus.ACTIVE_NOT_RECRUITING),
    ("招募中", OverallStatus.RECRUITING),
    ("已完成", OverallStatus.COMPLETED),
    ("主动暂停", OverallStatus.SUSPENDED),
    ("主动终止", OverallStatus.TERMINATED),
    ("暂停", OverallStatus.SUSPENDED),
    ("终止", OverallStatus.TERMINATED),
)
_CTR = re.compile(r"^CTR\d{8}$")


def map_cde_status(text: str) -> OverallStatus | None:
    """CDE status text -> overall status (招募中 -> recruiting, 已完成 -> completed ...)."""
    for word, status in _STATUS:
        if word in text:
            return status
    return None


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4,
          "一": 1, "二": 2, "三": 3, "四": 4}
_PHASE_NUM = r"(?:iv|i{1,3}|[ⅠⅡⅢⅣ]|[1-4])[ab]?"
#: "III期", "Ⅱ期", "3期", "I/II期", "Ib/II期", "II/III期" in a public title (before 期), and
#: "一期临床" (Chinese numerals only before 期临床: "第一期" alone is not a phase).
_TITLE_PHASE = re.compile(
    r"(?<![a-z0-9\-.])(?P<a>" + _PHASE_NUM + r")(?:\s*[/／~～\-、]\s*(?P<b>" + _PHASE_NUM + r"))?"
    r"\s*期|(?<![第一二三四五六七八九十])(?P<c>[一二三四])期临床", re.IGNORECASE)


def title_phases(title: str) -> list[str]:
    """Phase codes named in a CDE public title ("…的II/III期临床试验" -> phase2, phase3).

    The listing has no phase column; the title's "N期" is the only statement of it.
    """
    phases: list[str] = []
    for m in _TITLE_PHASE.finditer(title):
        for part in (m.group("a"), m.group("b"), m.group("c")):
            if not part:
                continue
            core = part.lower().rstrip("ab") if part[0].isascii() else part[0]
            number = int(core) if core.isdigit() else _ROMAN.get(core)
            if number is not None and f"phase{number}" not in phases:
                phases.append(f"phase{number}")
    return sorted(phases)


_FORMS = re.compile(r"(注射液|注射用|片|胶囊|颗粒|口服溶液|缓释|乳剂|冻干粉针|混悬液|软胶囊|分散片|肠溶)")


def parse_cde_row(cells: list[str], *, source_file: str, locator: str, raw: str) -> Trial:
    """One listing row as a Trial."""
    from hcctrials.sources.quality import check_record

    if len(cells) < 6:
        raise ParseError(f"expected 7 tab-separated columns, got {len(cells)}", file=source_file, record=locator)
    number = cells[1].strip()
    if not _CTR.match(number):
        raise ParseError("registration number is not a CTR number", file=source_file, record=locator,
                         field="registration number", value=number)
    status_text, drug, indication, title = (c.strip() for c in cells[2:6])
    findings = [Finding(code="partial_record", field="*", severity="info",
                        message=msg("a CDE listing row (number, status, drug, indication, title), not the full registration"))]
    status = map_cde_status(status_text)
    if status is None:
        findings.append(Finding(code="unparsed_value", field="overall_status", severity="info",
                                message=msg("CDE status not recognised: {value!r}", value=status_text)))
    mentions = drug_mentions(drug) or drug_mentions(_FORMS.sub(" ", drug))
    ids = list(dict.fromkeys(m.lexicon_id for m in mentions if m.lexicon_id))
    phases = title_phases(title)
    if phases:
        findings.append(Finding(code="derived_value", field="phases", severity="info",
                                message=msg("phase read from the public title (the listing has no phase column)"),
                                values={"title": title}))
    identifiers = [Identifier(scheme="ctr", value=number, primary=True, source_label="登记号")]
    if len(cells) > 6 and cells[6].strip():
        identifiers.append(Identifier(scheme="other", value=cells[6].strip(), source_label="listing record id"))
    trial = Trial(
        trial_id=number, registry=Registry.OTHER, identifiers=identifiers, brief_title=Text(zh=title or None),
        overall_status=status or OverallStatus.UNKNOWN, status_text=Text(zh=status_text or None),
        conditions=[Text(zh=indication)] if indication else [],
        interventions=[Intervention(type="drug", name=Text(zh=drug), lexicon_ids=ids)] if drug else [],
        study_type="interventional", phases=phases, findings=findings,
        provenance=Provenance(source_format="cde_listing_tsv", source_file=source_file, record_locator=locator,
                              raw_sha256=sha256_hex(raw)),
    )
    trial.findings.extend(check_record(trial))
    return trial


class CdeListingParser:
    """China CDE (chinadrugtrials.org.cn) drug-trial listing, tab-separated, no header."""

    source_format = "cde_listing_tsv"
    description = "China NMPA/CDE drug-trial listing (TSV rows: no., CTR number, status, drug, indication, title, id)"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", errors="ignore")
        lines = [line for line in text.splitlines()[:5] if line.strip()]
        return bool(lines) and all(len(line.split("\t")) >= 6 and _CTR.match(line.split("\t")[1].strip() or "")
                                   for line in lines[:-1] or lines)

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from exc
        reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
        for line_no, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            locator = f"line {line_no}"
            try:
                yield ParsedRecord(parse_cde_row(cells, source_file=str(path), locator=locator, raw="\t".join(cells)))
            except ParseError as exc:
                yield RecordFailure(file=str(path), locator=locator, error=exc,
                                    record_id=cells[1].strip() if len(cells) > 1 else None)
            except ValueError as exc:
                yield RecordFailure(file=str(path), locator=locator,
                                    error=ParseError(str(exc), file=str(path), record=locator))
