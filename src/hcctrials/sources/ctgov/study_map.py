"""Map one ClinicalTrials.gov API v2 study object to the fields of a :class:`Trial`.

Field names follow the API v2 study data structure
(https://clinicaltrials.gov/data-api/about-api/study-data-structure).  Unknown keys are
ignored (the API adds fields over time; ``locations_nested`` from one public download is an
example); a *known* field holding the wrong JSON type raises :class:`CtgovFieldError`
naming the field path, which the parser turns into a RecordFailure.
"""

from __future__ import annotations

from typing import Any, cast

from hcctrials.model.trial import partial_date_bounds
from hcctrials.sources.ctgov.common import (
    STUDY_URL,
    CtgovFieldError,
    classify_identifier,
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
    # the hottest helper (~200 calls per study): _str and unescape_markdown inlined
    value = parent.get(key)
    if not value:
        if value is None or value == "":
            return {}
        raise CtgovFieldError("expected a string", field=f"{path}.{key}", value=value)
    if not isinstance(value, str):
        raise CtgovFieldError("expected a string", field=f"{path}.{key}", value=value)
    if "\\" in value:
        value = cast(str, unescape_markdown(value))
    return {"en": value.strip() or None}


def _full_text(parent: dict[str, Any], key: str, path: str) -> dict[str, str | None]:
    """:func:`_text` in full form (``{"en": ..., "zh": None}``) for sites and outcomes, which
    the storage fast path serialises without validation (see the note at the sites)."""
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
        return parse_ctgov_date(value)
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field=f"{path}.{key}", value=value) from None


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


def map_api_study(study: dict[str, Any]) -> dict[str, Any]:
    """The Trial fields (as a dict; provenance added by the caller) of one API v2 study."""
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
    identifiers: list[dict[str, Any]] = [{"scheme": "nct", "value": nct_id, "primary": True,
                                          "source_label": "NCT Number"}]
    org = _obj(ident, "orgStudyIdInfo", ident_path)
    org_id = _str(org, "id", f"{ident_path}.orgStudyIdInfo")
    if org_id and org_id.strip():
        identifiers.append({"scheme": "org_study_id", "value": org_id.strip(),
                            "source_label": "Org Study ID"})
    for path, info in _items(ident, "secondaryIdInfos", ident_path):
        value = _str(info, "id", path)
        if not value or not value.strip():
            continue
        id_type = _str(info, "type", path)
        domain = _str(info, "domain", path)
        identifiers.append({
            "scheme": classify_identifier(value, id_type=id_type, domain=domain),
            "value": value.strip(), "source_label": domain or id_type})

    status_path = f"{p}.statusModule"
    status_mod = _obj(protocol, "statusModule", p)
    status_raw = _str(status_mod, "overallStatus", status_path)
    status, recognised = normalise_status(status_raw)
    if not recognised:
        findings.append(finding("unparsed_value", "overall_status",
                                f"overall status {status_raw!r} is not a recruitment status; kept as unknown",
                                severity="info", value=status_raw or ""))
    dates = {
        "registered": _date(status_mod, "studyFirstSubmitDate", status_path),
        "first_posted": _date(status_mod, "studyFirstPostDateStruct", status_path),
        "last_updated": _date(status_mod, "lastUpdatePostDateStruct", status_path),
        "study_start": _date(status_mod, "startDateStruct", status_path),
        "primary_completion": _date(status_mod, "primaryCompletionDateStruct", status_path),
        "study_completion": _date(status_mod, "completionDateStruct", status_path),
    }
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
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise CtgovFieldError("expected a whole number", field=f"{enrollment_path}.count", value=count)
    enrollment_type = _str(enrollment_info, "type", enrollment_path)
    enrollment = {"count": count,
                  "type": {"ACTUAL": "actual", "ESTIMATED": "anticipated",
                           "ANTICIPATED": "anticipated"}.get((enrollment_type or "").upper())}

    cond_path = f"{p}.conditionsModule"
    cond_mod = _obj(protocol, "conditionsModule", p)
    conditions = [{"en": c.strip()} for c in _str_list(cond_mod, "conditions", cond_path) if c.strip()]
    keywords = [k.strip() for k in _str_list(cond_mod, "keywords", cond_path) if k.strip()]

    arms_path = f"{p}.armsInterventionsModule"
    arms_mod = _obj(protocol, "armsInterventionsModule", p)
    arms = []
    for path, arm in _items(arms_mod, "armGroups", arms_path):
        names = _str_list(arm, "interventionNames", path)
        arms.append({
            "label": _text(arm, "label", path),
            "type": normalise_code(_str(arm, "type", path)),
            "description": _text(arm, "description", path),
            "intervention_names": [n.split(": ", 1)[1] if ": " in n else n for n in names],
        })
    interventions = []
    for path, item in _items(arms_mod, "interventions", arms_path):
        name = (_str(item, "name", path) or "").strip()
        other_names = [o.strip() for o in _str_list(item, "otherNames", path) if o.strip()]
        description = unescape_markdown(_str(item, "description", path))
        interventions.append({
            "type": normalise_code(_str(item, "type", path)),
            "name": {"en": name} if name else {},
            "lexicon_ids": intervention_lexicon_ids(name, other_names),
            "doses": intervention_doses(description),
            "description": {"en": description.strip()} if description and description.strip() else {},
            "arm_labels": _str_list(item, "armGroupLabels", path),
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
        "sex": {"ALL": "all", "FEMALE": "female", "MALE": "male"}.get((sex or "").upper()),
        "healthy_volunteers": healthy,
        "inclusion": [{"en": i} for i in inclusion],
        "exclusion": [{"en": e} for e in exclusion],
        "raw_text": {"en": criteria.strip()} if criteria and criteria.strip() else {},
    }

    out_path = f"{p}.outcomesModule"
    out_mod = _obj(protocol, "outcomesModule", p)
    outcomes = []
    for key, kind in (("primaryOutcomes", "primary"), ("secondaryOutcomes", "secondary"),
                      ("otherOutcomes", "other")):
        for path, item in _items(out_mod, key, out_path):
            # in full and in model field order, as the sites (see there)
            outcomes.append({"kind": kind, "measure": _full_text(item, "measure", path),
                             "method": _full_text(item, "description", path),
                             "time_frame": _full_text(item, "timeFrame", path)})

    sp_path = f"{p}.sponsorCollaboratorsModule"
    sp_mod = _obj(protocol, "sponsorCollaboratorsModule", p)
    sponsors = []
    lead = _obj(sp_mod, "leadSponsor", sp_path)
    if lead:
        sponsors.append({"name": _text(lead, "name", f"{sp_path}.leadSponsor"), "role": "lead",
                         "agency_class": normalise_code(_str(lead, "class", f"{sp_path}.leadSponsor"))})
    for path, item in _items(sp_mod, "collaborators", sp_path):
        sponsors.append({"name": _text(item, "name", path), "role": "collaborator",
                         "agency_class": normalise_code(_str(item, "class", path))})

    loc_path = f"{p}.contactsLocationsModule"
    loc_mod = _obj(protocol, "contactsLocationsModule", p)
    sites = []
    for i, loc in enumerate(_list(loc_mod, "locations", loc_path)):  # "locations_nested" is ignored
        # Every site is given in full, in the field order of model.trial.Site, every text a
        # stripped str or None: the storage fast path (api_json.parse_study_for_storage)
        # serialises these dicts as they are instead of validating ~40 sites per study.  The
        # common case (a plain string) is inlined: this loop is half the mapping time.
        if not isinstance(loc, dict):
            raise CtgovFieldError("expected a JSON object", field=f"{loc_path}.locations[{i}]", value=loc)
        texts = []
        for key in _SITE_KEYS:
            value = loc.get(key)
            if value.__class__ is str and "\\" not in value:
                texts.append({"en": value.strip() or None, "zh": None})
            else:
                texts.append(_full_text(loc, key, f"{loc_path}.locations[{i}]"))
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
                contacts.append({"en": text})

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
    status_text = status_raw or ""
    if why_stopped:
        status_text += f" (why stopped: {why_stopped.strip()})"
    return {
        "trial_id": nct_id,
        "registry": "ctgov",
        "identifiers": identifiers,
        "brief_title": _text(ident, "briefTitle", ident_path),
        "scientific_title": _text(ident, "officialTitle", ident_path),
        "acronym": _text(ident, "acronym", ident_path),
        "summary": _text(desc, "briefSummary", desc_path),
        "description": _text(desc, "detailedDescription", desc_path),
        "overall_status": status,
        "status_text": {"en": status_text} if status_text else {},
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
        "ipd_sharing": {"en": "\n".join(ipd_parts)} if ipd_parts else {},
        "contacts": contacts,
        "urls": [STUDY_URL.format(nct_id=nct_id)],
        "findings": findings + (vocabulary_finding() if interventions else []),
    }
