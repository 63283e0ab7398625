"""The HINT clinical-trial-outcome benchmark CSV (Fu et al., futianfan/clinical-trial-outcome-
prediction), derived from ClinicalTrials.gov: ``nctid,status,why_stop,label,phase,diseases,
icdcodes,drugs,smiless,criteria``.

``diseases`` and ``drugs`` are Python list literals, read with :func:`ast.literal_eval`
(literals only, never code; cells over 100,000 characters are refused).  ``label`` (HINT's
success label), ``icdcodes`` and ``smiless`` are benchmark annotations, not registry data,
and are not mapped.  HINT does not say whether a drug is a drug or a biological, so the
intervention type is left unknown.
"""

from __future__ import annotations

import ast
import csv
from functools import partial
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.sources.base import ParseResult, RecordFailure, sha256_hex
from hcctrials.sources.csv_rows import iter_csv_rows
from hcctrials.sources.ctgov.common import (
    CtgovFieldError,
    STUDY_URL,
    finding,
    guarded,
    intervention_lexicon_ids,
    normalise_phases,
    normalise_status,
    vocabulary_finding,
)
from hcctrials.sources.ctgov.criteria_text import split_criteria

__all__ = ["HintCsvParser", "HINT_COLUMNS", "parse_list_literal"]

SOURCE_FORMAT = "ctgov_hint_csv"
HINT_COLUMNS = ("nctid", "status", "why_stop", "label", "phase", "diseases", "icdcodes", "drugs",
                "smiless", "criteria")
_REQUIRED = {"nctid", "status", "phase", "diseases", "drugs", "criteria"}
_MAX_LITERAL = 100_000


def parse_list_literal(cell: str, *, field: str) -> list[str]:
    """``"['liver cancer', 'hcc']"`` -> list of str; anything else is a CtgovFieldError."""
    text = cell.strip()
    if not text:
        return []
    if len(text) > _MAX_LITERAL:
        raise CtgovFieldError("list literal too long", field=field, value=text[:80])
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise CtgovFieldError(f"not a Python list literal ({type(exc).__name__})", field=field,
                              value=text) from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CtgovFieldError("expected a list of strings", field=field, value=text)
    return [v.strip() for v in value if v.strip()]


class HintCsvParser:
    """HINT benchmark CSV (CT.gov-derived trials with eligibility text)."""

    source_format = SOURCE_FORMAT
    description = "HINT clinical-trial-outcome benchmark CSV (nctid,status,...,criteria)"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.decode("utf-8-sig", "replace").split("\n", 1)[0].strip()
        fields = {f.strip().lower() for f in first.split(",")}
        return _REQUIRED <= fields

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        file = str(path)
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = [h.strip().lower() for h in next(reader)]
            except StopIteration:
                raise ParseError("the file is empty", file=file) from None
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ParseError(f"unreadable CSV header: {exc}", file=file) from None
            missing = _REQUIRED - set(header)
            unknown = [h for h in header if h not in HINT_COLUMNS]
            if missing or unknown:
                raise ParseError(
                    "not a HINT CSV: " + ("missing column(s) " + ", ".join(sorted(missing)) if missing
                                           else "unknown column(s) " + ", ".join(unknown)),
                    file=file, hint="Expected header: " + ",".join(HINT_COLUMNS))
            for item in iter_csv_rows(reader, header, file=file):
                if isinstance(item, RecordFailure):
                    yield item
                    continue
                locator, row = item
                record_id = row["nctid"].strip() or None
                yield guarded(partial(_map, row, file=file, locator=locator),
                              file=file, locator=locator, record_id=record_id)


def _map(row: dict[str, str], *, file: str, locator: str) -> dict[str, Any]:
    nct_id = row["nctid"].strip()
    if not nct_id:
        raise CtgovFieldError("the row has no nctid", field="nctid")
    findings: list[dict[str, Any]] = []
    status, recognised = normalise_status(row["status"])
    if not recognised:
        findings.append(finding("unparsed_value", "overall_status",
                                msg("status {value!r} is not a recruitment status", value=row["status"]),
                                severity="info"))
    why = " ".join((row.get("why_stop") or "").split())
    status_text = row["status"].strip() + (f" (why stopped: {why})" if why else "")
    try:
        phases = normalise_phases([row["phase"]]) if row["phase"].strip() else []
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field="phase", value=row["phase"]) from None
    conditions = parse_list_literal(row["diseases"], field="diseases")
    drugs = parse_list_literal(row["drugs"], field="drugs")
    criteria = row["criteria"].strip()
    inclusion, exclusion = split_criteria(criteria) if criteria else ([], [])
    interventions = [{"name": {"en": d}, "lexicon_ids": intervention_lexicon_ids(d)} for d in drugs]
    return {
        "trial_id": nct_id,
        "registry": "ctgov",
        "identifiers": [{"scheme": "nct", "value": nct_id, "primary": True, "source_label": "nctid"}],
        "overall_status": status,
        "status_text": {"en": status_text} if status_text else {},
        "phases": phases,
        "conditions": [{"en": c} for c in conditions],
        "interventions": interventions,
        "eligibility": {"inclusion": [{"en": i} for i in inclusion],
                        "exclusion": [{"en": e} for e in exclusion],
                        "raw_text": {"en": criteria} if criteria else {}},
        "urls": [STUDY_URL.format(nct_id=nct_id)],
        "findings": findings + (vocabulary_finding() if interventions else []),
        "provenance": {"source_format": SOURCE_FORMAT, "source_file": file, "record_locator": locator,
                       "raw_sha256": sha256_hex(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))},
    }
