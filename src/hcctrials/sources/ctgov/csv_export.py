"""ClinicalTrials.gov website CSV download (any subset of its columns, multi-values joined by
``|``), and the header-less single-record layout of seed 002.

Cell formats (as the website writes them): interventions ``DRUG: Lenvatinib|BIOLOGICAL: X``;
outcomes ``measure, description, time frame`` joined by ``|``; ``Study Design`` as
``Allocation: RANDOMIZED|Intervention Model: PARALLEL|Masking: NONE|Primary Purpose: TREATMENT``;
``Locations`` as ``Facility, City, State, Zip, Country|...``; ``Age`` either standard age
groups (``ADULT, OLDER_ADULT``, which state no limit in years) or ``18 Years and older``.

Header-less files (seed 002): one record whose cells are given one per line, or one CSV row,
in a documented column order (:data:`HEADERLESS_COLUMNS`, overridable with ``columns=``).
Text garbled by a UTF-8 -> Latin-1/cp1252 round trip (``ï¼Œ`` for ``，``) is repaired with
ftfy and reported as a ``repaired_mojibake`` finding naming the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ftfy
import orjson

from hcctrials.errors import ParseError
from hcctrials.sources.base import ParseResult, RecordFailure, sha256_hex
from hcctrials.sources.csv_rows import iter_csv_rows
from hcctrials.sources.ctgov.common import (
    STUDY_URL,
    CtgovFieldError,
    classify_identifier,
    finding,
    guarded,
    intervention_lexicon_ids,
    normalise_code,
    normalise_intervention_model,
    normalise_masking,
    normalise_phases,
    normalise_status,
    parse_age_years,
    parse_ctgov_date,
    vocabulary_finding,
)

__all__ = ["CtgovCsvParser", "CSV_COLUMNS", "EXTRA_COLUMNS", "HEADERLESS_COLUMNS",
           "split_outcome_cell", "split_location_cell"]

SOURCE_FORMAT = "ctgov_csv"

#: The columns of the CT.gov website CSV download, in the website's order.
CSV_COLUMNS: tuple[str, ...] = (
    "NCT Number", "Study Title", "Study URL", "Acronym", "Study Status", "Brief Summary",
    "Study Results", "Conditions", "Interventions", "Primary Outcome Measures",
    "Secondary Outcome Measures", "Other Outcome Measures", "Sponsor", "Collaborators", "Sex",
    "Age", "Phases", "Enrollment", "Funder Type", "Study Type", "Study Design", "Other IDs",
    "Start Date", "Primary Completion Date", "Completion Date", "First Posted",
    "Results First Posted", "Last Update Posted", "Locations", "Study Documents",
)
#: Accepted in addition: the API v2 ``detailedDescription`` as a column (seed 002's last cell).
EXTRA_COLUMNS: tuple[str, ...] = ("Detailed Description",)
_KNOWN = {c.lower(): c for c in CSV_COLUMNS + EXTRA_COLUMNS}

#: Column order of a header-less record (seed 002): its 7 cells are the title, the brief
#: summary, the conditions, the interventions (``TYPE: name|...``), the primary and secondary
#: outcome measures (``measure, description, time frame|...``) and, last, a long free-text
#: description of the study plan (``This study plans to enroll 8-44 patients ...``), which is
#: CT.gov's detailed description (API v2 ``descriptionModule.detailedDescription``).
HEADERLESS_COLUMNS: tuple[str, ...] = (
    "Study Title", "Brief Summary", "Conditions", "Interventions", "Primary Outcome Measures",
    "Secondary Outcome Measures", "Detailed Description",
)
_INTERVENTION_TYPES = ("DRUG", "BIOLOGICAL", "DEVICE", "PROCEDURE", "RADIATION", "BEHAVIORAL",
                       "GENETIC", "DIETARY_SUPPLEMENT", "COMBINATION_PRODUCT", "DIAGNOSTIC_TEST",
                       "OTHER")
_INTERVENTION_ITEM = re.compile(r"^(%s):\s*(.*)$" % "|".join(_INTERVENTION_TYPES), re.DOTALL)
_INTERVENTIONS_CELL = re.compile(r"^(?:(?:%s): [^|]+)(?:\|(?:%s): [^|]+)*$"
                                 % ("|".join(_INTERVENTION_TYPES), "|".join(_INTERVENTION_TYPES)))
_FIELD_OF_COLUMN = {"Study Title": "brief_title", "Brief Summary": "summary",
                    "Detailed Description": "description", "Conditions": "conditions",
                    "Interventions": "interventions", "Primary Outcome Measures": "outcomes",
                    "Secondary Outcome Measures": "outcomes", "Other Outcome Measures": "outcomes",
                    "Locations": "sites", "Sponsor": "sponsors", "Collaborators": "sponsors"}


def _multi(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def split_outcome_cell(item: str) -> tuple[str, str | None, str | None, bool]:
    """``"measure, description, time frame"`` -> parts and whether the split was ambiguous.

    The website joins the three with ", " and does not escape commas inside them, so an item
    with more than two separators is split at the first two (measure, description) and the
    rest is the time frame (time frames such as "at Weeks 6, 12, and 18" keep their commas).
    """
    parts = item.split(", ")
    if len(parts) == 1:
        return parts[0].strip(), None, None, False
    if len(parts) == 2:
        return parts[0].strip(), None, parts[1].strip(), False
    return parts[0].strip(), parts[1].strip(), ", ".join(parts[2:]).strip(), len(parts) > 3


_COUNTRY_TAIL = re.compile(
    r"^(?:(?:Islamic |United |Bolivarian |Democratic People's )?Republic of|Plurinational State of|"
    r"Federated States of|Province of China|The .+|U\.S\.|British)$")


def split_location_cell(item: str) -> dict[str, str]:
    """``"Facility, City, State, Zip, Country"`` (state and zip optional) -> parts.

    Written by hand: the website joins the parts with ", " without quoting.  The country is
    last; a part with a digit just before it is the zip; with three or more parts left the
    last two are city and state, with two they are facility and city.
    """
    parts = [p.strip() for p in item.split(", ")]
    out: dict[str, str] = {}
    if len(parts) >= 3 and _COUNTRY_TAIL.match(parts[-1]):  # "Korea, Republic of"
        parts[-2:] = [parts[-2] + ", " + parts[-1]]
    if len(parts) >= 2:
        out["country"] = parts.pop()
    if len(parts) >= 2 and re.search(r"\d", parts[-1]) and len(parts[-1]) <= 12:
        out["zip"] = parts.pop()
    if len(parts) >= 3:
        out["state"] = parts.pop()
        out["city"] = parts.pop()
    elif len(parts) == 2:
        out["city"] = parts.pop()
    if parts:
        out["facility"] = ", ".join(parts)
    return out


def _age_limits(cell: str) -> tuple[float | None, float | None]:
    """``18 Years and older`` / ``18 Years to 75 Years`` / ``up to 17 Years``; age groups -> None."""
    text = re.sub(r"\(.*?\)", "", cell).strip()
    match = re.match(r"^(\d+ \w+) to (\d+ \w+)$", text)
    if match:
        return parse_age_years(match.group(1)), parse_age_years(match.group(2))
    match = re.match(r"^(\d+ \w+) and older$", text, re.IGNORECASE)
    if match:
        return parse_age_years(match.group(1)), None
    match = re.match(r"^up to (\d+ \w+)$", text, re.IGNORECASE)
    if match:
        return None, parse_age_years(match.group(1))
    if re.fullmatch(r"[A-Z_]+(?:,\s*[A-Z_]+)*", text) or not text:
        return None, None  # standard age groups (CHILD, ADULT, OLDER_ADULT) state no limit
    raise ValueError(f"not an age range like '18 Years and older': {cell!r}")


class CtgovCsvParser:
    """CT.gov website CSV download (with a header) or a header-less single record (seed 002)."""

    source_format = SOURCE_FORMAT
    description = ("ClinicalTrials.gov website CSV download (header row, any subset of its "
                   "columns) or a header-less record in the documented column order")

    def __init__(self, *, columns: Sequence[str] | None = None) -> None:
        if columns is not None:
            unknown = [c for c in columns if c.lower() not in _KNOWN]
            if unknown:
                raise ParseError(f"unknown CT.gov CSV column(s): {', '.join(unknown)}",
                                 hint="Known columns: " + ", ".join(CSV_COLUMNS + EXTRA_COLUMNS))
        self.columns = tuple(_KNOWN[c.lower()] for c in columns) if columns else HEADERLESS_COLUMNS

    # ------------------------------------------------------------ sniffing
    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8-sig", "replace")
        first = text.split("\n", 1)[0]
        try:
            header = next(csv.reader([first]))
        except (csv.Error, StopIteration):
            header = []
        if sum(1 for c in header if c.strip().lower() in _KNOWN) >= 2:
            return True
        return self._headerless_cells(text, complete=False) is not None

    def _headerless_cells(self, text: str, *, complete: bool) -> list[str] | None:
        """The cells of a header-less record, or None if *text* does not look like one.

        Conservative: the cell count must equal the column count and the Interventions cell
        (if in the layout) must read ``TYPE: name|TYPE: name``.
        """
        lines = text.strip("\r\n").replace("\r\n", "\n").split("\n")
        candidates: list[list[str]] = []
        if len(lines) == len(self.columns):
            candidates.append([line.strip() for line in lines])
        try:
            rows = list(csv.reader(io.StringIO(text.strip("\r\n"))))
        except csv.Error:
            rows = []
        if len(rows) == 1 and len(rows[0]) == len(self.columns):
            candidates.append([cell.strip() for cell in rows[0]])
        for cells in candidates:
            if "Interventions" in self.columns:
                cell = cells[self.columns.index("Interventions")]
                if not _INTERVENTIONS_CELL.match(cell):
                    continue
            if not complete and not any(cells):
                continue
            return cells
        return None

    # ------------------------------------------------------------ reading
    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        file = str(path)
        raw = path.read_bytes() if path.stat().st_size < 1 << 20 else None
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            try:
                first_line = handle.readline()
            except UnicodeDecodeError as exc:
                raise ParseError(f"not UTF-8 text (byte {exc.start})", file=file) from None
            header = next(csv.reader([first_line]), []) if first_line.strip() else []
            known = [c for c in header if c.strip().lower() in _KNOWN]
            if len(known) >= 2 or (header and len(known) == len(header)):
                yield from self._iter_with_header(handle, header, file)
                return
        if raw is None:
            raise ParseError("not a CT.gov CSV download: no header row", file=file,
                             hint="The first row must name CT.gov columns: " + ", ".join(CSV_COLUMNS))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"not UTF-8 text (byte {exc.start})", file=file) from None
        cells = self._headerless_cells(text, complete=True)
        if cells is None:
            raise ParseError(
                "not a CT.gov CSV download: no header row and the text is not a header-less "
                f"record of {len(self.columns)} cells", file=file,
                hint="Expected columns (one cell per line or one CSV row): " + ", ".join(self.columns))
        row = dict(zip(self.columns, cells))
        yield self._record(row, file=file, locator="record 1", raw_sha=sha256_hex(raw))

    def _iter_with_header(self, handle: io.TextIOBase, header: list[str], file: str) -> Iterator[ParseResult]:
        columns = [c.strip() for c in header]
        unknown = [c for c in columns if c.lower() not in _KNOWN]
        if unknown:
            raise ParseError(
                "unknown column(s) for a ClinicalTrials.gov CSV download: "
                + ", ".join(repr(c) for c in unknown), file=file, field=unknown[0],
                hint="Known columns: " + ", ".join(CSV_COLUMNS + EXTRA_COLUMNS))
        canonical = [_KNOWN[c.lower()] for c in columns]
        for item in iter_csv_rows(csv.reader(handle), canonical, file=file):
            if isinstance(item, RecordFailure):
                yield item
                continue
            locator, row = item
            raw_sha = sha256_hex(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))
            yield self._record(row, file=file, locator=locator, raw_sha=raw_sha)

    def _record(self, row: dict[str, str], *, file: str, locator: str, raw_sha: str) -> ParseResult:
        record_id = (row.get("NCT Number") or "").strip() or None
        return guarded(lambda: self._map(row, file=file, locator=locator, raw_sha=raw_sha),
                       file=file, locator=locator, record_id=record_id)

    # ------------------------------------------------------------ mapping
    def _map(self, row: dict[str, str], *, file: str, locator: str, raw_sha: str) -> dict[str, Any]:
        findings: list[dict[str, Any]] = []
        cells: dict[str, str] = {}
        for column, value in row.items():
            fixed = ftfy.fix_encoding(value) if value else value
            if fixed != value:
                pos = next((i for i, (a, b) in enumerate(zip(value, fixed)) if a != b), 0)
                findings.append(finding(
                    "repaired_mojibake", _FIELD_OF_COLUMN.get(column, column),
                    f"column {column!r}: text garbled by a UTF-8/Latin-1 round trip was repaired",
                    before=value[max(0, pos - 20):pos + 20], after=fixed[max(0, pos - 20):pos + 18],
                    column=column))
            cells[column] = (fixed or "").strip()

        def get(column: str) -> str:
            return cells.get(column, "")

        def date(column: str) -> str | None:
            try:
                return parse_ctgov_date(get(column))
            except ValueError as exc:
                raise CtgovFieldError(str(exc), field=column, value=get(column)) from None

        nct_id = get("NCT Number")
        if nct_id:
            trial_id = nct_id
        else:
            trial_id = "CTGOV-CSV-" + raw_sha[:12]
            findings.append(finding("missing_field", "nct_id",
                                    "the record has no NCT number; a stable id was derived from its hash",
                                    derived_id=trial_id))
        identifiers = [{"scheme": "nct", "value": nct_id, "primary": True, "source_label": "NCT Number"}] if nct_id else []
        for i, other in enumerate(_multi(get("Other IDs"))):
            scheme = classify_identifier(other)
            if scheme == "other" and i == 0:
                scheme = "org_study_id"  # the website lists the sponsor's own id first
            identifiers.append({"scheme": scheme, "value": other, "source_label": "Other IDs"})

        status, recognised = normalise_status(get("Study Status"))
        if not recognised:
            findings.append(finding("unparsed_value", "overall_status",
                                    f"status {get('Study Status')!r} is not a recruitment status",
                                    severity="info", value=get("Study Status")))
        try:
            phases = normalise_phases(_multi(get("Phases")))
        except ValueError as exc:
            raise CtgovFieldError(str(exc), field="Phases", value=get("Phases")) from None

        design: dict[str, Any] = {}
        for part in _multi(get("Study Design")):
            key, _, value = part.partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "allocation":
                design["allocation"] = normalise_code(value)
            elif key == "intervention model":
                design["intervention_model"] = normalise_intervention_model(value)
            elif key == "masking":
                design["masking"] = normalise_masking(value)
            elif key == "primary purpose":
                design["primary_purpose"] = normalise_code(value)
            elif key == "observational model":
                design["observational_model"] = normalise_code(value)
            elif key == "time perspective":
                design["time_perspective"] = normalise_code(value)

        interventions = []
        for item in _multi(get("Interventions")):
            match = _INTERVENTION_ITEM.match(item)
            kind, name = (match.group(1), match.group(2).strip()) if match else (None, item)
            interventions.append({"type": normalise_code(kind), "name": {"en": name},
                                  "lexicon_ids": intervention_lexicon_ids(name)})

        outcomes = []
        for column, kind in (("Primary Outcome Measures", "primary"),
                             ("Secondary Outcome Measures", "secondary"),
                             ("Other Outcome Measures", "other")):
            ambiguous = 0
            for item in _multi(get(column)):
                measure, method, time_frame, unsure = split_outcome_cell(item)
                ambiguous += unsure
                outcomes.append({"kind": kind, "measure": {"en": measure},
                                 "method": {"en": method} if method else {},
                                 "time_frame": {"en": time_frame} if time_frame else {}})
            if ambiguous:
                findings.append(finding(
                    "ambiguous_split", "outcomes",
                    f"{ambiguous} item(s) of {column!r} have more commas than 'measure, description, "
                    "time frame'; split at the first two commas", severity="info", column=column))

        sponsors = []
        if get("Sponsor"):
            sponsors.append({"name": {"en": get("Sponsor")}, "role": "lead",
                             "agency_class": normalise_code(get("Funder Type"))})
        sponsors += [{"name": {"en": c}, "role": "collaborator"} for c in _multi(get("Collaborators"))]

        sites = []
        for item in _multi(get("Locations")):
            parts = split_location_cell(item)
            sites.append({key: {"en": parts[src]} for key, src in (
                ("institution", "facility"), ("city", "city"), ("province", "state"),
                ("country", "country")) if src in parts})

        try:
            min_age, max_age = _age_limits(get("Age"))
        except ValueError as exc:
            raise CtgovFieldError(str(exc), field="Age", value=get("Age")) from None
        enrollment = get("Enrollment")
        if enrollment and not enrollment.isdigit():
            raise CtgovFieldError("expected a whole number", field="Enrollment", value=enrollment)
        dates = {"study_start": date("Start Date"), "primary_completion": date("Primary Completion Date"),
                 "study_completion": date("Completion Date"), "first_posted": date("First Posted"),
                 "last_updated": date("Last Update Posted")}
        urls = [get("Study URL")] if get("Study URL") else (
            [STUDY_URL.format(nct_id=nct_id)] if nct_id else [])

        def text(column: str) -> dict[str, str]:
            return {"en": get(column)} if get(column) else {}

        return {
            "trial_id": trial_id,
            "registry": "ctgov",
            "identifiers": identifiers,
            "brief_title": text("Study Title"),
            "acronym": text("Acronym"),
            "summary": text("Brief Summary"),
            "description": text("Detailed Description"),
            "overall_status": status,
            "status_text": text("Study Status"),
            # registration_status stays unknown: the CSV has no submission date
            "dates": dates,
            "phases": phases,
            "study_type": normalise_code(get("Study Type")),
            "design": design,
            "conditions": [{"en": c} for c in _multi(get("Conditions"))],
            "interventions": interventions,
            "eligibility": {"min_age_years": min_age, "max_age_years": max_age,
                            "sex": {"ALL": "all", "FEMALE": "female", "MALE": "male"}.get(get("Sex").upper())},
            "outcomes": outcomes,
            "enrollment": {"count": int(enrollment) if enrollment else None},
            "sponsors": sponsors,
            "sites": sites,
            "urls": urls,
            "findings": findings + (vocabulary_finding() if interventions else []),
            "provenance": {"source_format": SOURCE_FORMAT, "source_file": file,
                           "record_locator": locator, "raw_sha256": raw_sha},
        }
