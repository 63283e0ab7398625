"""Shared helpers of the ClinicalTrials.gov parsers: value vocabularies, ages, dates,
identifier schemes, drug-lexicon mapping and turning a built record into a validated Trial.

Value vocabularies follow the CT.gov API v2 data model (enums ``OverallStatus``, ``Phase``,
``DesignAllocation``, ``InterventionalAssignment``, ``DesignMasking``, ``AgencyClass`` ...,
https://clinicaltrials.gov/data-api/about-api/study-data-structure) and the legacy XML
public.xsd spellings ("Active, not recruiting", "Single Group Assignment", "None (Open Label)").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from hcctrials.errors import ParseError
from hcctrials.i18n import Msg, msg
from hcctrials.model.trial import OverallStatus, Trial
from hcctrials.sources.base import ParsedRecord, RecordFailure

__all__ = [
    "CtgovFieldError",
    "normalise_status",
    "normalise_phases",
    "normalise_code",
    "normalise_masking",
    "normalise_intervention_model",
    "parse_age_years",
    "parse_ctgov_date",
    "date_type",
    "actual_or_anticipated",
    "classify_identifier",
    "intervention_lexicon_ids",
    "intervention_doses",
    "unescape_markdown",
    "vocabulary_finding",
    "guarded",
    "run_mapper",
    "finding",
    "build_trial",
    "STUDY_URL",
]

STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"


class CtgovFieldError(ParseError):
    """A known CT.gov field holds a value of the wrong type or an impossible value."""


# ---------------------------------------------------------------- vocabularies

_STATUS_MAP = {s.name: s for s in OverallStatus}


def normalise_status(value: str | None) -> tuple[OverallStatus, bool]:
    """(OverallStatus, recognised) for ``RECRUITING``, ``Active, not recruiting``, ``completed``.

    Expanded-access statuses (AVAILABLE, NO_LONGER_AVAILABLE, ...) and anything else are
    ``unknown`` with ``recognised`` False so the caller can record a finding.
    """
    if not value or not value.strip():
        return OverallStatus.UNKNOWN, True
    key = re.sub(r"[^A-Z]+", "_", value.strip().upper()).strip("_")
    status = _STATUS_MAP.get(key)
    if status is None:
        return OverallStatus.UNKNOWN, False
    return status, True


def normalise_phases(values: Iterable[str]) -> list[str]:
    """``PHASE1``/``Phase 1/Phase 2``/``phase 2/phase 3``/``EARLY_PHASE1``/``NA`` -> model codes."""
    phases: list[str] = []
    for value in values:
        value = re.sub(r"\bN/A\b", "NA", value, flags=re.IGNORECASE)
        for part in re.split(r"[|/,]", value):
            part = part.strip()
            if not part:
                continue
            low = part.lower().replace(" ", "").replace("_", "")
            if low in ("na", "n/a", "notapplicable"):
                code = "na"
            elif low.startswith("earlyphase1"):
                code = "early_phase1"
            elif re.fullmatch(r"phase[1-4]", low):
                code = "phase" + low[-1]
            else:
                raise ValueError(f"unknown phase {part!r}")
            if code not in phases:
                phases.append(code)
    return phases


_NON_CODE = re.compile(r"[^a-z0-9]+")


def normalise_code(value: str | None) -> str | None:
    """``ACTIVE_COMPARATOR``/``Active Comparator``/``Basic Science`` -> ``active_comparator``."""
    if value is None:
        return None
    return _code(value)


@lru_cache(maxsize=4096)  # a few dozen distinct values (enums), ~50 calls per study
def _code(value: str) -> str | None:
    return _NON_CODE.sub("_", value.strip().lower()).strip("_") or None


def normalise_masking(value: str | None) -> str | None:
    """``DOUBLE``/``Double (Participant, Investigator)``/``None (Open Label)`` -> ``double``/``none``."""
    if not value or not value.strip():
        return None
    return normalise_code(value.strip().split()[0].split("(")[0])


def normalise_intervention_model(value: str | None) -> str | None:
    """``SINGLE_GROUP``/``Single Group Assignment`` -> ``single_group``."""
    code = normalise_code(value)
    if code and code.endswith("_assignment"):
        code = code[: -len("_assignment")]
    return code


# ---------------------------------------------------------------- ages and dates

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_YEARS_PER = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25,
              "hour": 1 / 8766, "minute": 1 / 525960}


def parse_age_years(value: str | None) -> float | None:
    """``"18 Years"`` -> 18.0, ``"6 Months"`` -> 0.5, ``"N/A"``/None -> None (no limit stated).

    Raises ValueError for text that is not an age, so the caller can name the field.
    """
    if value is None or not value.strip() or value.strip().upper() in ("N/A", "NA", "NONE"):
        return None
    match = _AGE.match(value)
    if match is None:
        raise ValueError(f"not an age like '18 Years': {value!r}")
    return round(float(match.group(1)) * _YEARS_PER[match.group(2).lower()], 4)


_MONTHS = {name: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LONG = re.compile(r"^([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})$")


def parse_ctgov_date(value: str | None) -> str | None:
    """CT.gov dates to partial ISO keeping the published precision.

    ``"2023-07"`` stays ``"2023-07"``; legacy ``"March 2023"`` -> ``"2023-03"``;
    ``"March 15, 2023"`` -> ``"2023-03-15"``.  Written by hand because dateutil would invent
    a day for month-precision dates.  Raises ValueError for anything else.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _ISO.match(text):
        return text
    match = _LONG.match(text)
    if match and match.group(1).lower() in _MONTHS:
        month = _MONTHS[match.group(1).lower()]
        if match.group(2):
            return f"{match.group(3)}-{month:02d}-{int(match.group(2)):02d}"
        return f"{match.group(3)}-{month:02d}"
    raise ValueError(f"not a date like 2023-03-15 or 'March 15, 2023': {value!r}")


#: CT.gov's actual / estimated vocabulary (dates and enrollment): API v2 ``DateType`` and
#: ``EnrollmentType`` (ACTUAL, ESTIMATED), legacy XML ``type`` (Actual, Anticipated, Estimate).
_ACTUAL_OR_ANTICIPATED = {"ACTUAL": "actual", "ESTIMATED": "anticipated", "ANTICIPATED": "anticipated",
                          "ESTIMATE": "anticipated"}


def actual_or_anticipated(raw: str | None) -> str | None:
    """``actual`` or ``anticipated`` for a CT.gov date or enrollment type; None if absent or unknown."""
    return _ACTUAL_OR_ANTICIPATED.get(raw.strip().upper()) if raw else None


def date_type(raw: str | None, *, field: str, findings: list[dict[str, Any]]) -> str | None:
    """``actual`` / ``anticipated`` for a CT.gov date type, None if not stated.  An unknown type
    is not guessed: it is left out and reported as an ``unparsed_value`` finding on ``dates.<field>``."""
    if raw is None or not raw.strip():
        return None
    kind = actual_or_anticipated(raw)
    if kind is None:
        findings.append(finding("unparsed_value", f"dates.{field}",
                                msg("date type {value!r} of {date} is neither actual nor anticipated; not kept",
                                    value=raw, date=field), severity="info"))
    return kind


# ---------------------------------------------------------------- identifiers

_ID_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^NCT\d{8}$", re.I), "nct"),
    (re.compile(r"^ChiCTR[-\w]*\d{6,}$", re.I), "chictr"),
    (re.compile(r"^CTR\d{8}$", re.I), "ctr"),
    (re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}$"), "ctis"),
    (re.compile(r"^\d{4}-\d{6}-\d{2}$"), "eudract"),
    (re.compile(r"^jRCT\w+$", re.I), "jrct"),
    (re.compile(r"^ISRCTN\d+$", re.I), "isrctn"),
    (re.compile(r"^U1111-\d{4}-\d{4}$", re.I), "who_utn"),
]


def classify_identifier(value: str, *, id_type: str | None = None, domain: str | None = None) -> str:
    """The model scheme of a secondary id from its shape, CT.gov ``type`` and ``domain``.

    The shape wins (an EudraCT-shaped number is ``eudract``; the 2-digit-suffixed EU CT number
    is ``ctis``); then the type (``EUDRACT_NUMBER``) and domain (``jRCT``, ``CTIS``, ``WHO``);
    sponsor and grant numbers are ``other``.
    """
    for pattern, scheme in _ID_PATTERNS:
        if pattern.match(value.strip()):
            return scheme
    kind = (id_type or "").upper()
    dom = (domain or "").lower()
    if kind == "EUDRACT_NUMBER":
        return "eudract"
    if "ctis" in dom or "eu ct" in dom:
        return "ctis"
    if "jrct" in dom:
        return "jrct"
    if "chictr" in dom:
        return "chictr"
    return "other"


# ---------------------------------------------------------------- drug lexicon

@lru_cache(maxsize=1)
def _lexicon() -> Any:
    """The project drug lexicon (``hcctrials.vocab.load_lexicon``), None if not installed."""
    try:
        from hcctrials.vocab import load_lexicon
    except ImportError:
        return None
    return load_lexicon()


def vocabulary_finding() -> list[dict[str, Any]]:
    """A finding to add to every record when the drug lexicon could not be loaded."""
    if _lexicon() is not None:
        return []
    return [finding("vocabulary_unavailable", "interventions.lexicon_ids",
                    msg("the drug lexicon (hcctrials.vocab) is not available; interventions were "
                        "not mapped to lexicon ids and doses were not read"))]


@lru_cache(maxsize=65536)
def _ids_for_name(name: str) -> tuple[str, ...]:
    lexicon = _lexicon()
    if lexicon is None:
        return ()
    therapy = lexicon.lookup(name)
    if therapy is not None:
        return (therapy.id,)
    ids: list[str] = []
    for mention in lexicon.find_mentions(name):
        if mention.therapy.id not in ids:
            ids.append(mention.therapy.id)
    return tuple(ids)


def intervention_lexicon_ids(name: str, other_names: Iterable[str] = ()) -> list[str]:
    """Lexicon ids for an intervention: exact lookup of the name, else its other names, else
    the therapies mentioned in the name (``"Atezolizumab + Bevacizumab"``)."""
    ids = list(_ids_for_name(name)) if name else []
    if not ids:
        for other in other_names:
            for therapy_id in _ids_for_name(other):
                if therapy_id not in ids:
                    ids.append(therapy_id)
    return ids


@lru_cache(maxsize=65536)
def _doses_for_text(text: str) -> tuple[dict[str, Any], ...]:
    try:
        from hcctrials.vocab.dose import parse_doses
    except ImportError:
        return ()

    # complete and in JSON form: the CT.gov storage fast path serialises them as they are
    return tuple(dose.model_dump(mode="json") for dose in parse_doses(text))


def intervention_doses(description: str | None) -> list[dict[str, Any]]:
    """Doses stated in an intervention description (``hcctrials.vocab.dose.parse_doses``)."""
    if not description:
        return []
    return [dict(d) for d in _doses_for_text(description)]


# ---------------------------------------------------------------- text and findings

_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=^])")


def unescape_markdown(text: str | None) -> str | None:
    r"""Undo the markdown escaping of API v2 text (``\>30 kg`` -> ``>30 kg``, ``\[CR\]``)."""
    if text is None:
        return None
    return _MD_ESCAPE.sub(r"\1", text) if "\\" in text else text


def finding(code: str, field: str, message: str | Msg, *, severity: str = "warning",
            **values: str) -> dict[str, Any]:
    """A Finding as a plain dict, complete and with stripped strings (the layout of
    ``Finding.model_dump``), so that the storage fast path can serialise it as it is.  A *message*
    built with :func:`hcctrials.i18n.msg` keeps its template, its fields joining *values* (as
    :class:`~hcctrials.model.trial.Finding` does), so that it can be shown in the reader's language."""
    template = message.msgid if isinstance(message, Msg) and message.msgid else None
    fields = {**(message.fields if isinstance(message, Msg) and template else {}), **values}
    return {"code": code.strip(), "field": field.strip(), "message": str.__str__(message).strip(), "severity": severity,
            "values": {k.strip(): str(v).strip() for k, v in fields.items()}, "template": template}


def build_trial(data: dict[str, Any], *, file: str, locator: str,
                record_id: str | None) -> ParsedRecord | RecordFailure:
    """Validate *data* as a Trial; a failing field becomes a RecordFailure naming it."""
    try:
        return ParsedRecord(Trial.model_validate(data))
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        error = ParseError(first["msg"], file=file, record=record_id or locator, field=field,
                           value=first.get("input") if not isinstance(first.get("input"), dict) else None)
        return RecordFailure(file=file, locator=locator, error=error, record_id=record_id,
                             details={"field": field})


def guarded(mapper: Callable[[], dict[str, Any]], *, file: str, locator: str,
            record_id: str | None) -> ParsedRecord | RecordFailure:
    """Run *mapper* and build the Trial; field errors become RecordFailures naming the field.

    Any other exception is a bug in the mapping; it is turned into a RecordFailure that says
    so (type and message) rather than aborting a whole folder's ingest.
    """
    data = run_mapper(mapper, file=file, locator=locator, record_id=record_id)
    if isinstance(data, RecordFailure):
        return data
    return build_trial(data, file=file, locator=locator, record_id=record_id)


def run_mapper(mapper: Callable[[], dict[str, Any]], *, file: str, locator: str,
               record_id: str | None) -> dict[str, Any] | RecordFailure:
    """Run *mapper*: its record dict, or a RecordFailure as :func:`guarded` reports it (no
    validation: for mappers whose output is valid by construction)."""
    try:
        data = mapper()
    except ParseError as exc:
        if exc.file is None:
            exc.file = file
        if exc.record is None:
            exc.record = record_id or locator
        error = ParseError(exc.message, file=exc.file, record=exc.record, field=exc.field,
                           value=exc.value, hint=exc.hint)
        return RecordFailure(file=file, locator=locator, error=error, record_id=record_id,
                             details={"field": exc.field or ""})
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed
        error = ParseError(f"unexpected {type(exc).__name__} while mapping the record: {exc}",
                           file=file, record=record_id or locator,
                           hint="This is a parser bug; please report it with the file")
        return RecordFailure(file=file, locator=locator, error=error, record_id=record_id)
    return data
