"""The normalised, bilingual trial model shared by every registry parser.

One :class:`Trial` is one registry record (a ClinicalTrials.gov study, a ChiCTR
registration, a trial-finder page).  Records of the same trial in different registries
are linked through :attr:`Trial.identifiers`, never merged silently.

Conventions
-----------
* Free text that a registry may give in Chinese, English or both is a :class:`Text`.
* Dates are ISO strings of day, month or year precision (``2025-12-30``, ``2025-12``,
  ``2025``) because registries publish all three; :func:`partial_date_bounds` turns one into
  the first or last day it can mean.
* A value the record does not state is ``None`` (or an empty list): never a default.
* Data-quality problems found while parsing are :class:`Finding` objects kept with the
  record (bilingual disagreement, contradictory schedules, repaired mojibake ...).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import to_jsonable_python

from hcctrials.i18n import Msg

__all__ = [
    "Text",
    "PartialDate",
    "DateName",
    "DateType",
    "partial_date_bounds",
    "Registry",
    "OverallStatus",
    "Identifier",
    "TrialDates",
    "Design",
    "Arm",
    "Dose",
    "Intervention",
    "Eligibility",
    "Outcome",
    "Sponsor",
    "Site",
    "Ethics",
    "Enrollment",
    "Finding",
    "Provenance",
    "Trial",
    "SCHEMA_VERSION",
    "json_template",
    "check_partial_date",
    "check_text",
    "check_trial_id",
    "check_identifier_value",
    "find_control_character",
    "TRIAL_ID_PATTERNS",
    "IDENTIFIER_PATTERNS",
]

#: Bumped whenever a field changes meaning; stored with every record.
SCHEMA_VERSION = 1

_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def check_partial_date(value: str) -> str:
    """*value* if it is a partial ISO date (``2025``, ``2025-02``, ``2025-02-28``); ValueError if not."""
    if not _PARTIAL_DATE.match(value):
        raise ValueError(f"expected an ISO date YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    if len(value) == 10:
        date.fromisoformat(value)  # rejects 2025-02-30
    return value


PartialDate = Annotated[str, AfterValidator(check_partial_date)]

#: Control characters never allowed in record text: C0 controls other than tab, line feed and
#: carriage return (CRLF line ends are common in registry exports), and DEL.  NUL and the like
#: come from broken encodings or hostile input and break terminals, CSV and full-text search.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(value: str) -> str:
    """*value* if it has no control character (tab, newline and carriage return are allowed);
    ValueError naming the character and its position otherwise."""
    found = _CONTROL.search(value)
    if found is not None:
        at = found.start()
        raise ValueError(f"contains the control character U+{ord(found.group()):04X} at position {at} "
                         f"(in {value[max(0, at - 20):at + 20]!r}); text may hold tab, newline and carriage "
                         "return but no other control character")
    return value


def find_control_character(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first ``(field path, message)`` of a string with a control character in *value*, a
    record as JSON data (nested dicts and lists, in order; paths as pydantic writes them:
    ``sites.3.city.en``), or None.  ``findings`` (which quote what they found) and
    ``provenance`` (file names, hashes) are not registry text and are skipped at the top level.

    Storage runs this on every record it is given (both the validating parsers' records and
    the CT.gov fast path's JSON), so no control character reaches the database."""
    if isinstance(value, str):
        try:
            check_text(value)
        except ValueError as exc:
            return path, str(exc)
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not path and key in _UNCHECKED_FIELDS:
                continue
            hit = find_control_character(item, f"{path}.{key}" if path else str(key))
            if hit is not None:
                return hit
    elif isinstance(value, list):
        for index, item in enumerate(value):
            hit = find_control_character(item, f"{path}.{index}" if path else str(index))
            if hit is not None:
                return hit
    return None


#: Trial fields whose strings are not registry text and are not checked for control characters.
_UNCHECKED_FIELDS = frozenset({"findings", "provenance"})

#: The shape of a record's own id, per registry (``other`` holds CDE listings, CTR + digits, and
#: ICTRP records of other registries; trial-finder pages carry the id of the record they show):
#: ids of registries without a fixed shape must still be one token of letters, digits and
#: ``. _ / -`` starting with a letter or digit, without ``..`` (never a path).
TRIAL_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    # a CSV export row without an NCT number gets a stable derived id (sources.ctgov.csv_export)
    "ctgov": re.compile(r"NCT\d{8}|CTGOV-CSV-[0-9a-f]{12}"),
    "chictr": re.compile(r"ChiCTR(?:-[A-Z]{2,4}-)?\d+"),
}
_GENERIC_ID = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
#: The shape of listed registry numbers, per identifier scheme (case-insensitive: typed by people).
IDENTIFIER_PATTERNS: dict[str, re.Pattern[str]] = {
    "nct": re.compile(r"NCT\d{8}", re.I),
    "chictr": re.compile(r"ChiCTR(?:-[A-Z]{2,4}-)?\d+", re.I),
    "ctr": re.compile(r"CTR\d+", re.I),
}
_ID_EXPECTED = {"ctgov": "NCT followed by 8 digits (or CTGOV-CSV- and 12 hex digits, derived)", "chictr": "ChiCTR followed by digits",
                "nct": "NCT followed by 8 digits", "ctr": "CTR followed by digits (China CDE)"}


def check_trial_id(value: str, registry: str) -> str:
    """*value* if it has the shape of a record id of *registry* (:data:`TRIAL_ID_PATTERNS`);
    ValueError saying what was expected otherwise."""
    pattern = TRIAL_ID_PATTERNS.get(registry)
    if pattern is not None:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not a {registry} id: expected {_ID_EXPECTED[registry]}")
    elif not _GENERIC_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a registry id: expected letters, digits and . _ / - (at most 64, "
                         "starting with a letter or digit, no '..')")
    return value


def check_identifier_value(value: str, scheme: str) -> str:
    """*value* if it has the shape of a *scheme* number (``nct``, ``chictr``, ``ctr``; other
    schemes are free text without control characters); ValueError otherwise."""
    check_text(value)
    pattern = IDENTIFIER_PATTERNS.get(scheme)
    if pattern is not None and not pattern.fullmatch(value):
        raise ValueError(f"{value!r} is not a {scheme} number: expected {_ID_EXPECTED[scheme]}")
    return value


def partial_date_bounds(value: str) -> tuple[date, date]:
    """First and last calendar day a partial ISO date can mean (``"2025-02"`` -> Feb 1..28)."""
    check_partial_date(value)
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], last)
    d = date(parts[0], parts[1], parts[2])
    return d, d


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class Text(_Model):
    """A piece of registry text in the languages the record gives it."""

    en: str | None = None
    zh: str | None = None

    def get(self, language: str = "en") -> str | None:
        """The text in *language*, falling back to the other language."""
        if language == "zh":
            return self.zh or self.en
        return self.en or self.zh

    def is_empty(self) -> bool:
        return not (self.en or self.zh)


class Registry(str, Enum):
    """Registries (and page sources) a record can come from."""

    CTGOV = "ctgov"
    CHICTR = "chictr"
    TRIAL_FINDER = "trial_finder"
    OTHER = "other"


class OverallStatus(str, Enum):
    """Recruitment status normalised to ClinicalTrials.gov's vocabulary."""

    NOT_YET_RECRUITING = "not_yet_recruiting"
    RECRUITING = "recruiting"
    ENROLLING_BY_INVITATION = "enrolling_by_invitation"
    ACTIVE_NOT_RECRUITING = "active_not_recruiting"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"


class Identifier(_Model):
    """An identifier of the trial: registry numbers (NCT, ChiCTR, EudraCT, CTR ...) or local codes.

    ``scheme`` is a short lower-case name: ``nct``, ``chictr``, ``eudract``, ``ctis``,
    ``ctr`` (China CDE drug-trial registration), ``jrct``, ``isrctn``, ``who_utn``,
    ``org_study_id``, ``ethics``, ``other``.
    """

    scheme: str
    value: str
    primary: bool = False
    source_label: str | None = None

    @field_validator("value", mode="after")
    @classmethod
    def _value_fits_scheme(cls, value: str, info: ValidationInfo) -> str:
        return check_identifier_value(value, str(info.data.get("scheme", "")))


#: The dates a record can carry (the fields of :class:`TrialDates`).
DateName = Literal["registered", "first_posted", "last_updated", "study_start", "primary_completion",
                   "study_completion", "recruitment_start", "recruitment_end"]
#: Whether a date has happened (``actual``) or is planned / estimated (``anticipated``).
DateType = Literal["actual", "anticipated"]


class TrialDates(_Model):
    registered: PartialDate | None = None
    first_posted: PartialDate | None = None
    last_updated: PartialDate | None = None
    study_start: PartialDate | None = None
    primary_completion: PartialDate | None = None
    study_completion: PartialDate | None = None
    recruitment_start: PartialDate | None = None
    recruitment_end: PartialDate | None = None
    #: Whether each date above is ``actual`` or ``anticipated`` (planned, estimated), where the
    #: record states it: ClinicalTrials.gov's date ``type`` (API v2 ``ACTUAL`` / ``ESTIMATED``,
    #: legacy XML ``Actual`` / ``Anticipated``).  A date not listed here: the record does not say.
    types: dict[DateName, DateType] = Field(default_factory=dict)

    def is_anticipated(self, name: str) -> bool:
        """True if the record says the date *name* (``study_start`` ...) is planned, not actual."""
        return self.types.get(cast(DateName, name)) == "anticipated"


class Design(_Model):
    """Study design in ClinicalTrials.gov terms (free text kept where a registry is vaguer)."""

    allocation: str | None = None  # randomized | non_randomized | na
    intervention_model: str | None = None  # single_group | parallel | crossover | factorial | sequential
    masking: str | None = None  # none | single | double | triple | quadruple
    primary_purpose: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    description: Text = Field(default_factory=Text)


class Arm(_Model):
    label: Text
    type: str | None = None  # experimental | active_comparator | placebo_comparator | no_intervention | other ...
    description: Text = Field(default_factory=Text)
    sample_size: int | None = Field(default=None, ge=0)
    intervention_names: list[str] = Field(default_factory=list)


class Dose(_Model):
    """A dose and schedule as stated (``1200 mg IV Q3W``)."""

    amount: float | None = Field(default=None, ge=0)
    amount_high: float | None = Field(default=None, ge=0)  # for ranges "200-400 mg"
    unit: str | None = None  # mg, mg/kg, mg/m2, cells, cells/kg, Gy ...
    route: str | None = None  # iv | oral | sc | intra_arterial | intratumoral | ...
    frequency: str | None = None  # normalised code: QD, BID, TID, QW, Q2W, Q3W, Q4W, ONCE ...
    text: str | None = None  # the text it was read from


class Intervention(_Model):
    type: str | None = None  # drug | biological | procedure | radiation | device | other ...
    name: Text
    lexicon_ids: list[str] = Field(default_factory=list)  # ids from hcctrials.vocab
    doses: list[Dose] = Field(default_factory=list)
    description: Text = Field(default_factory=Text)
    arm_labels: list[str] = Field(default_factory=list)
    other_names: list[str] = Field(default_factory=list)


class Eligibility(_Model):
    min_age_years: float | None = Field(default=None, ge=0)
    max_age_years: float | None = Field(default=None, ge=0)
    sex: Literal["all", "female", "male"] | None = None
    healthy_volunteers: bool | None = None
    inclusion: list[Text] = Field(default_factory=list)
    exclusion: list[Text] = Field(default_factory=list)
    raw_text: Text = Field(default_factory=Text)  # the criteria block as published


class Outcome(_Model):
    kind: Literal["primary", "secondary", "other"]
    measure: Text
    method: Text = Field(default_factory=Text)
    time_frame: Text = Field(default_factory=Text)


class Sponsor(_Model):
    name: Text
    role: Literal["lead", "collaborator", "funder", "secondary"] = "lead"
    agency_class: str | None = None  # industry | nih | other ...
    address: Text = Field(default_factory=Text)


class Site(_Model):
    institution: Text = Field(default_factory=Text)
    level: Text = Field(default_factory=Text)  # e.g. 三级甲等 / Tertiary A
    city: Text = Field(default_factory=Text)
    province: Text = Field(default_factory=Text)
    country: Text = Field(default_factory=Text)
    address: Text = Field(default_factory=Text)
    status: str | None = None


class Ethics(_Model):
    approved: bool | None = None
    approval_number: str | None = None
    committee: Text = Field(default_factory=Text)
    approval_date: PartialDate | None = None


class Enrollment(_Model):
    count: int | None = Field(default=None, ge=0)
    type: Literal["actual", "anticipated"] | None = None
    count_high: int | None = Field(default=None, ge=0)  # "8-44 patients"


class Finding(_Model):
    """A data-quality finding kept with the record.

    ``code`` names the kind: ``bilingual_mismatch``, ``contradictory_schedule``,
    ``stale_status``, ``repaired_mojibake``, ``missing_field``, ``unparsed_value`` ...
    """

    code: str
    field: str
    message: str
    severity: Literal["info", "warning", "error"] = "warning"
    values: dict[str, str] = Field(default_factory=dict)
    #: the English message with ``{fields}`` (a msgid of the catalog, ``findings.po``) whose fields
    #: are in ``values``: rendered in the reader's language by :func:`hcctrials.i18n.findings.finding_text`.
    #: ``message`` stays the English text; None for findings stored before templates were kept.
    template: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_msg(cls, data: Any) -> Any:
        """A ``message`` given as :func:`hcctrials.i18n.msg` keeps its template, its fields joining
        ``values`` as text (the producers' data: drug names, ids, values as found)."""
        if isinstance(data, dict) and isinstance(data.get("message"), Msg) and data["message"].msgid:
            message = data["message"]
            data = {**data, "message": str.__str__(message), "template": data.get("template") or message.msgid,
                    "values": {**{k: str(v) for k, v in message.fields.items()}, **dict(data.get("values") or {})}}
        return data


class Provenance(_Model):
    source_format: str  # ctgov_api_v2_json | ctgov_csv | ctgov_legacy_xml | chictr_text | chictr_html | chictr_ictrp_xml | trial_finder_page ...
    source_file: str | None = None
    record_locator: str | None = None  # row number / array index / page id within the file
    fetched_at: str | None = None  # ISO timestamp when known (file mtime or API fetch time)
    raw_sha256: str  # hash of the raw bytes of this record
    parser_version: str = "1"


class Trial(_Model):
    """A normalised registry record."""

    schema_version: int = SCHEMA_VERSION
    trial_id: str  # the registry's own primary id: NCT..., ChiCTR...
    registry: Registry
    identifiers: list[Identifier] = Field(default_factory=list)
    brief_title: Text = Field(default_factory=Text)
    scientific_title: Text = Field(default_factory=Text)
    acronym: Text = Field(default_factory=Text)
    summary: Text = Field(default_factory=Text)
    description: Text = Field(default_factory=Text)
    objectives: Text = Field(default_factory=Text)
    overall_status: OverallStatus = OverallStatus.UNKNOWN
    status_text: Text = Field(default_factory=Text)  # as published
    registration_status: Literal["prospective", "retrospective"] | None = None
    dates: TrialDates = Field(default_factory=TrialDates)
    phases: list[str] = Field(default_factory=list)  # early_phase1, phase1, phase2, phase3, phase4, na
    study_type: str | None = None  # interventional | observational | expanded_access | ...
    design: Design = Field(default_factory=Design)
    conditions: list[Text] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    arms: list[Arm] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    outcomes: list[Outcome] = Field(default_factory=list)
    enrollment: Enrollment = Field(default_factory=Enrollment)
    sponsors: list[Sponsor] = Field(default_factory=list)
    funding: list[Text] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
    ethics: Ethics = Field(default_factory=Ethics)
    ipd_sharing: Text = Field(default_factory=Text)
    data_management: Text = Field(default_factory=Text)
    contacts: list[Text] = Field(default_factory=list)
    urls: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    provenance: Provenance

    @model_validator(mode="after")
    def _trial_id_fits_registry(self) -> Trial:
        try:
            check_trial_id(self.trial_id, self.registry.value)
        except ValueError as exc:
            raise ValueError(f"trial_id: {exc}") from None
        return self

    def linked_ids(self) -> set[str]:
        """Every registry number of this record (its own and secondary ones), upper-cased."""
        ids = {self.trial_id.upper()}
        ids.update(
            i.value.upper()
            for i in self.identifiers
            if i.scheme not in ("org_study_id", "ethics", "other")
        )
        return ids

    def arm_intervention_names(self, arm: Arm, language: str = "en") -> list[str]:
        """The interventions of *arm* by their names in *language*: each name the arm lists (as the registry
        wrote it) is looked up among the record's interventions (either name, or another name) and shown in
        the reader's language where the record gives it; a name no intervention carries stays as written."""
        by_name: dict[str, Intervention] = {}
        for intervention in self.interventions:
            for written in (intervention.name.en, intervention.name.zh, *intervention.other_names):
                if written:
                    by_name.setdefault(written.casefold(), intervention)
        shown = []
        for name in arm.intervention_names:
            found = by_name.get(name.casefold())
            shown.append((found.name.get(language) or name) if found is not None else name)
        return shown

    def title(self, language: str = "en") -> str:
        """Best available title in *language*."""
        for text in (self.brief_title, self.scientific_title):
            value = text.get(language)
            if value:
                return value
        return self.trial_id


def json_template(model: type[BaseModel]) -> dict[str, Any]:
    """Every field of *model* in declaration order with its default in JSON form (None for a
    required field).

    ``{**json_template(M), **values}`` lists *values* in ``M``'s field order with every other
    field at its default: the layout of ``M(**values).model_dump(mode="json")`` when *values*
    are themselves in that layout (stripped strings, nested models complete).  Producers that
    build records as plain dicts for speed (the CT.gov storage fast path) rely on this; their
    tests check that such a dict is a fixed point of validation.  The template is shared:
    never mutate it or the defaults it holds.
    """
    template: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        template[name] = None if info.is_required() else to_jsonable_python(
            info.get_default(call_default_factory=True))
    return template
