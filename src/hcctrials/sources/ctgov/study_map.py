"""Map one ClinicalTrials.gov API v2 study object to the fields of a :class:`Trial`.

Field names follow the API v2 study data structure
(https://clinicaltrials.gov/data-api/about-api/study-data-structure).  Unknown keys are
ignored (the API adds fields over time; ``locations_nested`` from one public download is an
example); a *known* field holding the wrong JSON type raises :class:`CtgovFieldError`
naming the field path, which the parser turns into a RecordFailure.

The result is the record in the exact layout of ``Trial.model_dump(mode="json")``: every
field, in model field order, every string stripped, every value already valid (dates checked,
counts non-negative, codes from fixed sets).  Validating it with the Trial model changes
nothing, so the storage fast path (``api_json.parse_study_for_storage``) serialises it with
orjson instead of building ~300 pydantic objects per study (the sites alone are ~280), which
cost several times the whole mapping.  ``tests/sources/ctgov/test_ctgov_storage_fast_path.py``
checks the fixed point on every real record and on generated studies.
"""

from __future__ import annotations

from typing import Any, cast

from hcctrials.i18n import msg

from hcctrials.model.trial import (
    Arm,
    Design,
    Identifier,
    Intervention,
    Provenance,
    Sponsor,
    Trial,
    check_identifier_value,
    check_partial_date,
    check_trial_id,
    json_template,
    partial_date_bounds,
)
from hcctrials.sources.ctgov.common import (
    STUDY_URL,
    CtgovFieldError,
    actual_or_anticipated,
    classify_identifier,
    date_type,
    finding,
    intervention_doses,
    intervention_lexicon_ids,
    normalise_code,
    normalise_intervention_model,
    normalise_masking,
    normalise_phases,
    normalise_status,
    parse_age_years,
    parse_ctgov_date,
    unescape_markdown,
    vocabulary_finding,
)
from hcctrials.sources.ctgov.criteria_text import split_criteria

__all__ = ["map_api_study", "registration_timing"]

_EMPTY: dict[str, Any] = {}
# Field order and defaults of the models the record is built from (shared: never mutated).
_TRIAL = json_template(Trial)
_IDENTIFIER = json_template(Identifier)
_DESIGN = json_template(Design)
_ARM = json_template(Arm)
_INTERVENTION = json_template(Intervention)
_SPONSOR = json_template(Sponsor)
_PROVENANCE = json_template(Provenance)
_SEXES = {"ALL": "all", "FEMALE": "female", "MALE": "male"}
_SITE_KEYS = ("facility", "city", "state", "country")  # -> institution, city, province, country


def _obj(parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return _EMPTY
    if not isinstance(value, dict):
        raise CtgovFieldError("expected a JSON object", field=f"{path}.{key}", value=value)
    return value


def _list(parent: dict[str, Any], key: str, path: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CtgovFieldError("expected a JSON array", field=f"{path}.{key}", value=value)
    return value


def _str(parent: dict[str, Any], key: str, path: str) -> str | None:
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    raise CtgovFieldError("expected a string", field=f"{path}.{key}", value=value)


def _text(parent: dict[str, Any], key: str, path: str) -> dict[str, str | None]:
    """A Text in full form (``{"en": ..., "zh": None}``), markdown escapes undone, stripped."""
    # the hottest helper (~250 calls per study): _str and unescape_markdown inlined
    value = parent.get(key)
    if not value:
        if value is None or value == "":
            return {"en": None, "zh": None}
        raise CtgovFieldError("expected a string", field=f"{path}.{key}", value=value)
    if not isinstance(value, str):
        raise CtgovFieldError("expected a string", field=f"{path}.{key}", value=value)
    if "\\" in value:
        value = cast(str, unescape_markdown(value))
    return {"en": value.strip() or None, "zh": None}


def _en(value: str | None) -> dict[str, str | None]:
    """A Text in full form from a string that may be None or blank."""
    return {"en": (value.strip() or None) if value else None, "zh": None}


def _str_list(parent: dict[str, Any], key: str, path: str) -> list[str]:
    values = _list(parent, key, path)
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise CtgovFieldError("expected a string", field=f"{path}.{key}[{i}]", value=value)
    return values


def _items(parent: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i, value in enumerate(_list(parent, key, path)):
        item_path = f"{path}.{key}[{i}]"
        if not isinstance(value, dict):
            raise CtgovFieldError("expected a JSON object", field=item_path, value=value)
        out.append((item_path, value))
    return out


def _date(struct_parent: dict[str, Any], key: str, path: str) -> str | None:
    """A ``*DateStruct`` (``{"date": "2023-07", "type": "ESTIMATED"}``) or a plain date string."""
    value = struct_parent.get(key)
    if value is None:
        return None
    if isinstance(value, dict):
        value = _str(value, "date", f"{path}.{key}")
    if not isinstance(value, str) and value is not None:
        raise CtgovFieldError("expected a date string", field=f"{path}.{key}", value=value)
    try:
        parsed = parse_ctgov_date(value)
        return None if parsed is None else check_partial_date(parsed)
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field=f"{path}.{key}", value=value) from None


#: Trial date field <- API v2 statusModule key (a ``*DateStruct`` or, for the submission, a plain date).
_DATE_KEYS = (("registered", "studyFirstSubmitDate"), ("first_posted", "studyFirstPostDateStruct"),
              ("last_updated", "lastUpdatePostDateStruct"), ("study_start", "startDateStruct"),
              ("primary_completion", "primaryCompletionDateStruct"),
              ("study_completion", "completionDateStruct"))
def _date_type(struct_parent: dict[str, Any], key: str, path: str, findings: list[dict[str, Any]]) -> str | None:
    """The ``type`` of a ``*DateStruct`` (see :func:`~hcctrials.sources.ctgov.common.date_type`)."""
    value = struct_parent.get(key)
    if not isinstance(value, dict):
        return None
    return date_type(_str(value, "type", f"{path}.{key}"), field=key, findings=findings)


def registration_timing(registered: str | None, start: str | None) -> str | None:
    """``prospective`` if registered no later than the study start, ``retrospective`` if after,
    None when unknown or when the start's precision cannot tell (registered inside the start month)."""
    if not registered or not start:
        return None
    reg_first, reg_last = partial_date_bounds(registered)
    start_first, start_last = partial_date_bounds(start)
    if reg_last <= start_first:
        return "prospective"
    if reg_first > start_last:
        return "retrospective"
    return None


def map_api_study(study: dict[str, Any], *, provenance: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Trial record (in ``model_dump(mode="json")`` layout, see the module notes) of one
    API v2 study; *provenance*: the Provenance fields the caller knows (``raw_sha256`` ...)."""
    if not isinstance(study, dict):
        raise CtgovFieldError("a study must be a JSON object", field="(study)", value=type(study).__name__)
    findings: list[dict[str, Any]] = []
    p = "protocolSection"
    protocol = _obj(study, "protocolSection", "")
    if not protocol:
        raise CtgovFieldError("missing protocolSection", field="protocolSection")

    ident_path = f"{p}.identificationModule"
    ident = _obj(protocol, "identificationModule", p)
    nct_id = _str(ident, "nctId", ident_path)
    if not nct_id or not nct_id.strip():
        raise CtgovFieldError("the study has no nctId", field=f"{ident_path}.nctId")
    nct_id = nct_id.strip()
    try:  # the record id has the registry's shape (the model checks the same: check_trial_id)
        check_trial_id(nct_id, "ctgov")
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field=f"{ident_path}.nctId", value=nct_id) from None
    identifiers: list[dict[str, Any]] = [{**_IDENTIFIER, "scheme": "nct", "value": nct_id, "primary": True,
                                          "source_label": "NCT Number"}]
    org = _obj(ident, "orgStudyIdInfo", ident_path)
    org_id = _str(org, "id", f"{ident_path}.orgStudyIdInfo")
    if org_id and org_id.strip():
        try:
            check_identifier_value(org_id.strip(), "org_study_id")
        except ValueError as exc:
            raise CtgovFieldError(str(exc), field=f"{ident_path}.orgStudyIdInfo.id", value=org_id) from None
        identifiers.append({**_IDENTIFIER, "scheme": "org_study_id", "value": org_id.strip(),
                            "source_label": "Org Study ID"})
    for path, info in _items(ident, "secondaryIdInfos", ident_path):
        value = _str(info, "id", path)
        if not value or not value.strip():
            continue
        id_type = _str(info, "type", path)
        domain = _str(info, "domain", path)
        label = domain or id_type
        scheme = classify_identifier(value, id_type=id_type, domain=domain)
        try:  # a registry number has its scheme's shape (the model's Identifier checks the same)
            check_identifier_value(value.strip(), scheme)
        except ValueError as exc:
            raise CtgovFieldError(str(exc), field=f"{path}.id", value=value) from None
        identifiers.append({
            **_IDENTIFIER,
            "scheme": scheme,
            "value": value.strip(), "source_label": None if label is None else label.strip()})

    status_path = f"{p}.statusModule"
    status_mod = _obj(protocol, "statusModule", p)
    status_raw = _str(status_mod, "overallStatus", status_path)
    status, recognised = normalise_status(status_raw)
    if not recognised:
        findings.append(finding("unparsed_value", "overall_status",
                                msg("overall status {value!r} is not a recruitment status; kept as unknown",
                                    value=status_raw or ""), severity="info"))
    dates: dict[str, Any] = {}
    date_types: dict[str, str] = {}
    for name, key in _DATE_KEYS:
        value = dates[name] = _date(status_mod, key, status_path)
        kind = _date_type(status_mod, key, status_path, findings)
        if kind and value:
            date_types[name] = kind
    dates["recruitment_start"] = dates["recruitment_end"] = None
    dates["types"] = date_types
    why_stopped = _str(status_mod, "whyStopped", status_path)

    design_path = f"{p}.designModule"
    design_mod = _obj(protocol, "designModule", p)
    try:
        phases = normalise_phases(_str_list(design_mod, "phases", design_path))
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field=f"{design_path}.phases") from None
    info_path = f"{design_path}.designInfo"
    info = _obj(design_mod, "designInfo", design_path)
    masking = _obj(info, "maskingInfo", info_path)
    design = {
        **_DESIGN,
        "allocation": normalise_code(_str(info, "allocation", info_path)),
        "intervention_model": normalise_intervention_model(_str(info, "interventionModel", info_path)),
        "masking": normalise_masking(_str(masking, "masking", f"{info_path}.maskingInfo")),
        "primary_purpose": normalise_code(_str(info, "primaryPurpose", info_path)),
        "observational_model": normalise_code(_str(info, "observationalModel", info_path)),
        "time_perspective": normalise_code(_str(info, "timePerspective", info_path)),
        "description": _text(info, "interventionModelDescription", info_path),
    }
    enrollment_path = f"{design_path}.enrollmentInfo"
    enrollment_info = _obj(design_mod, "enrollmentInfo", design_path)
    count = enrollment_info.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise CtgovFieldError("expected a whole number of participants (0 or more)",
                              field=f"{enrollment_path}.count", value=count)
    enrollment_type = _str(enrollment_info, "type", enrollment_path)
    enrollment = {"count": count, "type": actual_or_anticipated(enrollment_type),
                  "count_high": None}

    cond_path = f"{p}.conditionsModule"
    cond_mod = _obj(protocol, "conditionsModule", p)
    conditions = [{"en": c.strip(), "zh": None} for c in _str_list(cond_mod, "conditions", cond_path) if c.strip()]
    keywords = [k.strip() for k in _str_list(cond_mod, "keywords", cond_path) if k.strip()]

    arms_path = f"{p}.armsInterventionsModule"
    arms_mod = _obj(protocol, "armsInterventionsModule", p)
    arms = []
    for path, arm in _items(arms_mod, "armGroups", arms_path):
        names = _str_list(arm, "interventionNames", path)
        arms.append({
            **_ARM,
            "label": _text(arm, "label", path),
            "type": normalise_code(_str(arm, "type", path)),
            "description": _text(arm, "description", path),
            "intervention_names": [(n.split(": ", 1)[1] if ": " in n else n).strip() for n in names],
        })
    interventions = []
    for path, item in _items(arms_mod, "interventions", arms_path):
        name = (_str(item, "name", path) or "").strip()
        other_names = [o.strip() for o in _str_list(item, "otherNames", path) if o.strip()]
        description = unescape_markdown(_str(item, "description", path))
        interventions.append({
            **_INTERVENTION,
            "type": normalise_code(_str(item, "type", path)),
            "name": _en(name),
            "lexicon_ids": intervention_lexicon_ids(name, other_names),
            "doses": intervention_doses(description),
            "description": _en(description),
            "arm_labels": [a.strip() for a in _str_list(item, "armGroupLabels", path)],
            "other_names": other_names,
        })

    elig_path = f"{p}.eligibilityModule"
    elig = _obj(protocol, "eligibilityModule", p)
    criteria = unescape_markdown(_str(elig, "eligibilityCriteria", elig_path))
    inclusion, exclusion = split_criteria(criteria) if criteria else ([], [])
    ages = {}
    for key, field in (("minimumAge", "min_age_years"), ("maximumAge", "max_age_years")):
        raw_age = _str(elig, key, elig_path)
        try:
            ages[field] = parse_age_years(raw_age)
        except ValueError as exc:
            raise CtgovFieldError(str(exc), field=f"{elig_path}.{key}", value=raw_age) from None
    healthy = elig.get("healthyVolunteers")
    if healthy is not None and not isinstance(healthy, bool):
        raise CtgovFieldError("expected true/false", field=f"{elig_path}.healthyVolunteers", value=healthy)
    sex = _str(elig, "sex", elig_path)
    eligibility = {
        **ages,
        "sex": _SEXES.get((sex or "").strip().upper()),
        "healthy_volunteers": healthy,
        "inclusion": [{"en": i.strip(), "zh": None} for i in inclusion],
        "exclusion": [{"en": e.strip(), "zh": None} for e in exclusion],
        "raw_text": _en(criteria),
    }

    out_path = f"{p}.outcomesModule"
    out_mod = _obj(protocol, "outcomesModule", p)
    outcomes = []
    for key, kind in (("primaryOutcomes", "primary"), ("secondaryOutcomes", "secondary"),
                      ("otherOutcomes", "other")):
        for path, item in _items(out_mod, key, out_path):
            outcomes.append({"kind": kind, "measure": _text(item, "measure", path),
                             "method": _text(item, "description", path),
                             "time_frame": _text(item, "timeFrame", path)})

    sp_path = f"{p}.sponsorCollaboratorsModule"
    sp_mod = _obj(protocol, "sponsorCollaboratorsModule", p)
    sponsors = []
    lead = _obj(sp_mod, "leadSponsor", sp_path)
    if lead:
        sponsors.append({**_SPONSOR, "name": _text(lead, "name", f"{sp_path}.leadSponsor"), "role": "lead",
                         "agency_class": normalise_code(_str(lead, "class", f"{sp_path}.leadSponsor"))})
    for path, item in _items(sp_mod, "collaborators", sp_path):
        sponsors.append({**_SPONSOR, "name": _text(item, "name", path), "role": "collaborator",
                         "agency_class": normalise_code(_str(item, "class", path))})

    loc_path = f"{p}.contactsLocationsModule"
    loc_mod = _obj(protocol, "contactsLocationsModule", p)
    sites = []
    for i, loc in enumerate(_list(loc_mod, "locations", loc_path)):  # "locations_nested" is ignored
        # ~40 sites per study: this loop is half the mapping time, so the common case (a plain
        # string without markdown escapes) is inlined.
        if not isinstance(loc, dict):
            raise CtgovFieldError("expected a JSON object", field=f"{loc_path}.locations[{i}]", value=loc)
        texts = []
        for key in _SITE_KEYS:
            value = loc.get(key)
            if value.__class__ is str and "\\" not in value:
                texts.append({"en": value.strip() or None, "zh": None})
            else:
                texts.append(_text(loc, key, f"{loc_path}.locations[{i}]"))
        site_status = loc.get("status")
        sites.append({"institution": texts[0], "level": {"en": None, "zh": None}, "city": texts[1],
                      "province": texts[2], "country": texts[3], "address": {"en": None, "zh": None},
                      "status": None if site_status is None else
                      normalise_code(_str(loc, "status", f"{loc_path}.locations[{i}]"))})
    contacts = []
    for key in ("centralContacts", "overallOfficials"):
        for path, person in _items(loc_mod, key, loc_path):
            parts = [_str(person, k, path) for k in ("name", "role", "affiliation", "phone", "email")]
            text = ", ".join(x.strip() for x in parts if x and x.strip())
            if text:
                contacts.append({"en": text, "zh": None})

    ipd_path = f"{p}.ipdSharingStatementModule"
    ipd = _obj(protocol, "ipdSharingStatementModule", p)
    ipd_parts = []
    for key, label in (("ipdSharing", "IPD sharing"), ("description", "Plan"), ("timeFrame", "Time frame"),
                       ("accessCriteria", "Access criteria"), ("url", "URL")):
        value = unescape_markdown(_str(ipd, key, ipd_path))
        if value and value.strip():
            ipd_parts.append(f"{label}: {value.strip()}")
    info_types = _str_list(ipd, "infoTypes", ipd_path)
    if info_types:
        ipd_parts.insert(1, "Information types: " + ", ".join(info_types))

    desc_path = f"{p}.descriptionModule"
    desc = _obj(protocol, "descriptionModule", p)
    status_text = (status_raw or "").strip()
    if why_stopped and why_stopped.strip():
        status_text += f" (why stopped: {why_stopped.strip()})"
    prov = {**_PROVENANCE, "source_format": "ctgov_api_v2_json", **(provenance or {})}
    for name in ("source_file", "record_locator", "fetched_at"):
        if prov[name] is not None:
            prov[name] = prov[name].strip()
    return {
        **_TRIAL,
        "trial_id": nct_id,
        "registry": "ctgov",
        "identifiers": identifiers,
        "brief_title": _text(ident, "briefTitle", ident_path),
        "scientific_title": _text(ident, "officialTitle", ident_path),
        "acronym": _text(ident, "acronym", ident_path),
        "summary": _text(desc, "briefSummary", desc_path),
        "description": _text(desc, "detailedDescription", desc_path),
        "overall_status": status.value,
        "status_text": _en(status_text),
        "registration_status": registration_timing(dates["registered"], dates["study_start"]),
        "dates": dates,
        "phases": phases,
        "study_type": normalise_code(_str(design_mod, "studyType", design_path)),
        "design": design,
        "conditions": conditions,
        "keywords": keywords,
        "arms": arms,
        "interventions": interventions,
        "eligibility": eligibility,
        "outcomes": outcomes,
        "enrollment": enrollment,
        "sponsors": sponsors,
        "sites": sites,
        "ipd_sharing": _en("\n".join(ipd_parts)),
        "contacts": contacts,
        "urls": [STUDY_URL.format(nct_id=nct_id)],
        "findings": findings + (vocabulary_finding() if interventions else []),
        "provenance": prov,
    }
