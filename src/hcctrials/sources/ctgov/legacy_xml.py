"""Legacy ClinicalTrials.gov XML (``<clinical_study>``, public.xsd), one study per file.

Read with lxml with entity resolution and network access switched off.  The mapping follows
the API v2 one field by field as far as the XML holds it; dates such as ``March 2023`` keep
their month precision (``2023-03``).  Doses stated only in an arm description are read with
the project's dose parser and added to that arm's interventions (:func:`add_arm_doses`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from hcctrials.errors import ParseError
from hcctrials.i18n import msg
from hcctrials.sources.base import ParseResult, sha256_hex
from hcctrials.sources.ctgov.common import (
    STUDY_URL,
    CtgovFieldError,
    actual_or_anticipated,
    classify_identifier,
    date_type,
    finding,
    guarded,
    intervention_doses,
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
from hcctrials.sources.ctgov.criteria_text import split_criteria
from hcctrials.sources.ctgov.study_map import registration_timing

__all__ = ["LegacyXmlParser", "add_arm_doses", "textblock"]

SOURCE_FORMAT = "ctgov_legacy_xml"
_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<clinical_study[\s>]", re.DOTALL)


def textblock(element: Any, *, reflow: bool = False) -> str | None:
    """The text of an element or of its ``<textblock>``, dedented; wrapped lines re-joined
    into paragraphs when *reflow* (summaries), kept as laid out otherwise (criteria)."""
    if element is None:
        return None
    block = element.find("textblock")
    raw = (block.text if block is not None else element.text) or ""
    text = textwrap.dedent(raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return None
    if reflow:
        paragraphs = re.split(r"\n\s*\n", text)
        text = "\n\n".join(" ".join(line.strip() for line in p.split("\n")) for p in paragraphs)
    return text


def _t(text: str | None) -> dict[str, str]:
    return {"en": text.strip()} if text and text.strip() else {}


class LegacyXmlParser:
    """Legacy CT.gov ``<clinical_study>`` XML (one study per file)."""

    source_format = SOURCE_FORMAT
    description = "ClinicalTrials.gov legacy XML (<clinical_study>, one study per file)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _ROOT.match(head.lstrip(b"\xef\xbb\xbf")) is not None

    def iter_records(self, path: Path) -> Iterator[ParseResult]:
        raw = path.read_bytes()
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False, remove_comments=True)
        try:
            root = etree.fromstring(raw, parser)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise ParseError(f"malformed XML at line {line}, column {column}: {exc.msg}",
                             file=str(path)) from None
        if root.tag != "clinical_study":
            raise ParseError(f"root element is <{root.tag}>, expected <clinical_study>", file=str(path))
        nct_id = (root.findtext("id_info/nct_id") or "").strip() or None
        file = str(path)
        yield guarded(lambda: _map(root, file=file, raw_sha=sha256_hex(raw)),
                      file=file, locator="clinical_study", record_id=nct_id)


def _date(root: Any, tag: str) -> str | None:
    value = root.findtext(tag)
    try:
        return parse_ctgov_date(value)
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field=tag, value=value) from None


#: Trial date field <- legacy XML element.
_DATE_TAGS = (("registered", "study_first_submitted"), ("first_posted", "study_first_posted"),
              ("last_updated", "last_update_posted"), ("study_start", "start_date"),
              ("primary_completion", "primary_completion_date"), ("study_completion", "completion_date"))
def _date_type(root: Any, tag: str, findings: list[dict[str, Any]]) -> str | None:
    element = root.find(tag)
    return None if element is None else date_type(element.get("type"), field=tag, findings=findings)


def _allocation(value: str | None) -> str | None:
    """``Randomized`` -> ``randomized``; ``N/A`` -> ``na`` (the code API v2 and the CSV use)."""
    if value is not None and value.strip().upper() == "N/A":
        return "na"
    return normalise_code(value)


def add_arm_doses(arms: list[dict[str, Any]], interventions: list[dict[str, Any]]) -> None:
    """Doses stated only in an arm's description, added to that arm's interventions.

    ``atezolizumab 1200 mg and bevacizumab 15 mg/kg given intravenously ... (Q3W)`` gives
    atezolizumab 1200 mg iv Q3W and bevacizumab 15 mg/kg iv Q3W when the interventions'
    own descriptions state no dose (:func:`hcctrials.vocab.dose.doses_by_therapy`).  A dose
    goes to an intervention of the same arm whose lexicon id is the therapy named with it.
    """
    from hcctrials.vocab.dose import doses_by_therapy

    for arm in arms:
        text, label = arm["description"].get("en"), arm["label"].get("en")
        if not text:
            continue
        for therapy, dose in doses_by_therapy(text):
            found = dose.model_dump(mode="json")
            for item in interventions:
                if label in item["arm_labels"] and therapy.id in item["lexicon_ids"] \
                        and found not in item["doses"]:
                    item["doses"].append(found)


def _map(root: Any, *, file: str, raw_sha: str) -> dict[str, Any]:
    findings: list[dict[str, Any]] = []
    nct_id = (root.findtext("id_info/nct_id") or "").strip()
    if not nct_id:
        raise CtgovFieldError("the study has no nct_id", field="id_info/nct_id")
    identifiers: list[dict[str, Any]] = [{"scheme": "nct", "value": nct_id, "primary": True,
                                          "source_label": "nct_id"}]
    org_id = (root.findtext("id_info/org_study_id") or "").strip()
    if org_id:
        identifiers.append({"scheme": "org_study_id", "value": org_id, "source_label": "org_study_id"})
    for element in root.findall("id_info/secondary_id"):
        value = (element.text or "").strip()
        if value:
            identifiers.append({"scheme": classify_identifier(value), "value": value,
                                "source_label": "secondary_id"})
    for element in root.findall("id_info/nct_alias"):
        if (element.text or "").strip():
            identifiers.append({"scheme": "nct", "value": element.text.strip(), "source_label": "nct_alias"})

    status_raw = (root.findtext("overall_status") or "").strip()
    status, recognised = normalise_status(status_raw)
    if not recognised:
        findings.append(finding("unparsed_value", "overall_status",
                                msg("overall status {value!r} is not a recruitment status", value=status_raw),
                                severity="info"))
    why = (root.findtext("why_stopped") or "").strip()
    status_text = status_raw + (f" (why stopped: {why})" if why else "")
    dates: dict[str, Any] = {}
    date_types: dict[str, str] = {}
    for name, tag in _DATE_TAGS:
        value = dates[name] = _date(root, tag)
        kind = _date_type(root, tag, findings)
        if kind and value:
            date_types[name] = kind
    dates["types"] = date_types
    phase = (root.findtext("phase") or "").strip()
    try:
        phases = normalise_phases([phase]) if phase else []
    except ValueError as exc:
        raise CtgovFieldError(str(exc), field="phase", value=phase) from None
    design_info = root.find("study_design_info")

    def di(tag: str) -> str | None:
        return design_info.findtext(tag) if design_info is not None else None

    design = {"allocation": _allocation(di("allocation")),
              "intervention_model": normalise_intervention_model(di("intervention_model")),
              "masking": normalise_masking(di("masking")),
              "primary_purpose": normalise_code(di("primary_purpose")),
              "observational_model": normalise_code(di("observational_model")),
              "time_perspective": normalise_code(di("time_perspective")),
              "description": _t(di("intervention_model_description"))}
    study_type = (root.findtext("study_type") or "").split("[")[0]

    arms: list[dict[str, Any]] = []
    for arm in root.findall("arm_group"):
        arms.append({"label": _t(arm.findtext("arm_group_label")),
                     "type": normalise_code(arm.findtext("arm_group_type")),
                     "description": _t(arm.findtext("description"))})
    interventions = []
    for item in root.findall("intervention"):
        name = (item.findtext("intervention_name") or "").strip()
        other = [(o.text or "").strip() for o in item.findall("other_name") if (o.text or "").strip()]
        labels = [(a.text or "").strip() for a in item.findall("arm_group_label")]
        description = item.findtext("description")
        interventions.append({"type": normalise_code(item.findtext("intervention_type")),
                              "name": _t(name), "lexicon_ids": intervention_lexicon_ids(name, other),
                              "doses": intervention_doses(description),
                              "description": _t(description), "arm_labels": labels,
                              "other_names": other})
        for arm in arms:
            if arm["label"].get("en") in labels:
                arm.setdefault("intervention_names", []).append(name)

    add_arm_doses(arms, interventions)

    eligibility_el = root.find("eligibility")
    criteria = textblock(eligibility_el.find("criteria")) if eligibility_el is not None else None
    inclusion, exclusion = split_criteria(criteria) if criteria else ([], [])
    eligibility: dict[str, Any] = {"inclusion": [{"en": i} for i in inclusion],
                                   "exclusion": [{"en": e} for e in exclusion],
                                   "raw_text": _t(criteria)}
    if eligibility_el is not None:
        for tag, field in (("minimum_age", "min_age_years"), ("maximum_age", "max_age_years")):
            value = eligibility_el.findtext(tag)
            try:
                eligibility[field] = parse_age_years(value)
            except ValueError as exc:
                raise CtgovFieldError(str(exc), field=f"eligibility/{tag}", value=value) from None
        gender = (eligibility_el.findtext("gender") or "").strip().lower()
        eligibility["sex"] = gender if gender in ("all", "female", "male") else None
        healthy = (eligibility_el.findtext("healthy_volunteers") or "").strip().lower()
        eligibility["healthy_volunteers"] = (True if healthy.startswith("accepts") or healthy == "yes"
                                             else False if healthy == "no" else None)

    outcomes = []
    for tag, kind in (("primary_outcome", "primary"), ("secondary_outcome", "secondary"),
                      ("other_outcome", "other")):
        for item in root.findall(tag):
            outcomes.append({"kind": kind, "measure": _t(item.findtext("measure")),
                             "method": _t(item.findtext("description")),
                             "time_frame": _t(item.findtext("time_frame"))})
    enrollment_el = root.find("enrollment")
    count = None
    enrollment_type = None
    if enrollment_el is not None and (enrollment_el.text or "").strip():
        text = enrollment_el.text.strip()
        if not text.isdigit():
            raise CtgovFieldError("expected a whole number", field="enrollment", value=text)
        count = int(text)
        enrollment_type = actual_or_anticipated(enrollment_el.get("type"))
    sponsors = []
    for tag, role in (("sponsors/lead_sponsor", "lead"), ("sponsors/collaborator", "collaborator")):
        for item in root.findall(tag):
            sponsors.append({"name": _t(item.findtext("agency")), "role": role,
                             "agency_class": normalise_code(item.findtext("agency_class"))})
    sites = []
    for loc in root.findall("location"):
        address = loc.find("facility/address")

        def addr(tag: str, address: Any = address) -> dict[str, str]:
            return _t(address.findtext(tag)) if address is not None else {}

        sites.append({"institution": _t(loc.findtext("facility/name")), "city": addr("city"),
                      "province": addr("state"), "country": addr("country"),
                      "status": normalise_code(loc.findtext("status")), "level": {}, "address": {}})
    ipd_parts = [f"{label}: {value.strip()}" for tag, label in (
        ("patient_data/sharing_ipd", "IPD sharing"), ("patient_data/ipd_description", "Plan"),
        ("patient_data/ipd_time_frame", "Time frame"), ("patient_data/ipd_access_criteria", "Access criteria"),
        ("patient_data/ipd_url", "URL")) if (value := root.findtext(tag)) and value.strip()]
    return {
        "trial_id": nct_id,
        "registry": "ctgov",
        "identifiers": identifiers,
        "brief_title": _t(root.findtext("brief_title")),
        "scientific_title": _t(root.findtext("official_title")),
        "acronym": _t(root.findtext("acronym")),
        "summary": _t(textblock(root.find("brief_summary"), reflow=True)),
        "description": _t(textblock(root.find("detailed_description"), reflow=True)),
        "overall_status": status,
        "status_text": _t(status_text),
        "registration_status": registration_timing(dates["registered"], dates["study_start"]),
        "dates": dates,
        "phases": phases,
        "study_type": normalise_code(study_type),
        "design": design,
        "conditions": [_t(c.text) for c in root.findall("condition") if (c.text or "").strip()],
        "keywords": [k.text.strip() for k in root.findall("keyword") if (k.text or "").strip()],
        "arms": arms,
        "interventions": interventions,
        "eligibility": eligibility,
        "outcomes": outcomes,
        "enrollment": {"count": count, "type": enrollment_type},
        "sponsors": sponsors,
        "sites": sites,
        "ipd_sharing": {"en": "\n".join(ipd_parts)} if ipd_parts else {},
        "urls": [STUDY_URL.format(nct_id=nct_id)],
        "findings": findings + (vocabulary_finding() if interventions else []),
        "provenance": {"source_format": SOURCE_FORMAT, "source_file": file,
                       "record_locator": "clinical_study", "raw_sha256": raw_sha},
    }
