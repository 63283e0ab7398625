"""ClinicalTrials.gov website CSV download (any subset of its columns, multi-values joined by
``|``), and the header-less single-record layout of seed 002.

Cell formats (as the website writes them): interventions ``DRUG: Lenvatinib|BIOLOGICAL: X``;
outcomes ``measure, description, time frame`` joined by ``|``; ``Study Design`` as
``Allocation: RANDOMIZED|Intervention Model: PARALLEL|Masking: NONE|Primary Purpose: TREATMENT``;
``Locations`` as ``Facility, City, State, Zip, Country|...``; ``Age`` either standard age
groups (``ADULT, OLDER_ADULT``: limits derived from the groups' ages, with a
``derived_value`` finding) or ``18 Years and older``.

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
from hcctrials.i18n import msg
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
           "AGE_GROUPS", "age_group_limits", "split_outcome_cell", "split_location_cell"]

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


#: A segment that opens a time frame ("From enrollment ...", "at Weeks 6", "Up to 24 months",
#: "Baseline", "Within 2 years").
_TIME_OPENER = re.compile(
    r"^(?:from|through|at|up to|until|within|approximately|end of|baseline|screening|weeks?|"
    r"days?|months?|years?|cycles?|hours?)\b", re.IGNORECASE)
#: A segment continuing a list of numbers started in the segment before ("12", "and 18").
_LIST_CONTINUATION = re.compile(r"^(?:(?:and|or)\s+)?\d", re.IGNORECASE)
_TIME_UNIT = re.compile(r"\b(?:days?|weeks?|months?|years?|cycles?|hours?)\b", re.IGNORECASE)
#: Words a time frame holds somewhere (used for the tail after a sentence end, ".,").
_TIME_WORDS = re.compile(
    r"\b(?:days?|weeks?|months?|years?|hours?|minutes?|baseline|cycles?|visits?|follow-?up|"
    r"until|up to|through|date|end of|completion|discharge|surgery|post-?\w+)\b|\d",
    re.IGNORECASE)


def split_outcome_cell(item: str) -> tuple[str, str | None, str | None, bool]:
    """``"measure, description, time frame"`` -> parts and whether the split was ambiguous.

    The website joins the three with ", " and escapes no comma inside them (outcome items are
    joined by ``|``), so the boundaries are found from the text:

    * the time frame starts after the **last** ``"., "`` (a description ends with a full stop
      on CT.gov) when what follows reads as a time frame ("From treatment initiation until
      ..., assessed up to 24 months");
    * otherwise at the first segment after the description's first one that opens a time frame
      ("From enrollment ...", "at Weeks 6", "Up to 2 years", "Within 2 years"), or at the segment
      a trailing list of numbers with a time unit starts in ("evaluated at Weeks 6, 12, and 18");
    * exactly three segments are measure, description and time frame as written, and so is an
      item where nothing marks the time frame (split at the first two commas);
    * the measure is the text before the first ", " of what remains, the description the rest.

    The split is reported ambiguous when no full stop anchors the time frame and either nothing
    marks it or the measure and description together still hold more than one ", ".
    """
    parts = item.split(", ")
    if len(parts) == 1:
        return parts[0].strip(), None, None, False
    if len(parts) == 2:
        return parts[0].strip(), None, parts[1].strip(), False
    if len(parts) == 3:
        return parts[0].strip(), parts[1].strip(), parts[2].strip(), False
    cut = None
    for k in range(len(parts) - 1, 1, -1):   # boundary before parts[k]; keep parts[0] as measure
        if parts[k - 1].rstrip().endswith(".") and _TIME_WORDS.search(", ".join(parts[k:])):
            cut = k
            break
    anchored = cut is not None
    found = anchored
    for k in range(2, len(parts)):
        if cut is not None:
            break
        segment = parts[k].strip()
        if _TIME_OPENER.match(segment):
            cut, found = k, True
        elif (k > 2 and _LIST_CONTINUATION.match(segment) and _TIME_UNIT.search(parts[k - 1])
              and not _LIST_CONTINUATION.match(parts[k - 1].strip())):
            cut, found = k - 1, True   # "... evaluated at Weeks 6, 12, and 18"
    if cut is None:
        cut = 2   # the format's own reading: measure, description, the rest
    head, time_frame = parts[:cut], ", ".join(parts[cut:]).strip()
    measure = head[0].strip()
    description = ", ".join(head[1:]).strip() or None
    return measure, description, time_frame, not anchored and (not found or len(head) > 2)


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


#: CT.gov standard age groups (its glossary: "Child (birth-17)", "Adult (18-64)",
#: "Older Adult (65+)"), in years: (lowest age, highest age or None for no upper end).
AGE_GROUPS: dict[str, tuple[float, float | None]] = {
    "CHILD": (0.0, 17.0), "ADULT": (18.0, 64.0), "OLDER_ADULT": (65.0, None),
}


def age_group_limits(cell: str) -> tuple[float | None, float | None] | None:
    """Age limits spanned by CT.gov standard age groups (``ADULT, OLDER_ADULT`` -> 18, None);
    None if *cell* is not a list of known groups.

    Derived: a trial's groups are the groups its own age range touches, so its stated limits may
    be narrower (a 40-75 years trial is also ``ADULT, OLDER_ADULT``).
    """
    names = [n.strip().upper() for n in cell.split(",") if n.strip()]
    if not names or any(n not in AGE_GROUPS for n in names):
        return None
    lows = [AGE_GROUPS[n][0] for n in names]
    highs = [AGE_GROUPS[n][1] for n in names]
    return min(lows), None if any(h is None for h in highs) else max(h for h in highs if h is not None)


def _age_limits(cell: str) -> tuple[float | None, float | None]:
    """``18 Years and older`` / ``18 Years to 75 Years`` / ``up to 17 Years``; age groups ->
    the groups' limits (:func:`age_group_limits`)."""
    # bounded parenthetical (linear time: an unclosed "((((" cell was quadratic; issue 11)
    text = re.sub(r"\([^)\n]{0,200}\)", "", cell).strip()
    match = re.match(r"^(\d+ \w+) to (\d+ \w+)$", text)
    if match:
        return parse_age_years(match.group(1)), parse_age_years(match.group(2))
    match = re.match(r"^(\d+ \w+) and older$", text, re.IGNORECASE)
    if match:
        return parse_age_years(match.group(1)), None
    match = re.match(r"^up to (\d+ \w+)$", text, re.IGNORECASE)
    if match:
        return None, parse_age_years(match.group(1))
    groups = age_group_limits(text)
    if groups is not None:
        return groups
    if re.fullmatch(r"[A-Z_]+(?:,\s*[A-Z_]+)*", text) or not text:
        return None, None  # unknown group names state no limit
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
                    msg("column {column!r}: text garbled by a UTF-8/Latin-1 round trip was repaired",
                        column=column),
                    before=value[max(0, pos - 20):pos + 20], after=fixed[max(0, pos - 20):pos + 18]))
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
                                    msg("the record has no NCT number; a stable id was derived from its hash"),
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
                                    msg("status {value!r} is not a recruitment status", value=get("Study Status")),
                                    severity="info"))
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
                    msg("{items} item(s) of {column!r} have more commas than 'measure, description, "
                        "time frame' and no full stop ending the description; measure taken up to the "
                        "first comma, time frame from the trailing time words", items=ambiguous, column=column),
                    severity="info"))

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
        if age_group_limits(get("Age")) is not None:
            findings.append(finding(
                "derived_value", "eligibility.min_age_years",
                msg("age limits derived from the CT.gov age groups {value!r} (CHILD 0-17, ADULT "
                    "18-64, OLDER_ADULT 65+ years); the trial's own limits may be narrower", value=get("Age")),
                severity="info"))
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
