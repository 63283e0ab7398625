"""HL7 FHIR R4 Bundle -> :class:`~hcctrials.model.patient.Patient`.

Resources are validated with ``fhir.resources`` (the ``R4B`` package of fhir.resources 8.x:
R4B is R4 for Patient, Observation, Condition, MedicationStatement and Procedure; see
hcc-domain.md §10).  Mapping (hcc-domain.md §6.1-6.2):

* Patient: ``id`` -> patient_id, ``birthDate``, ``gender`` (female/male), ``address[0]``
  city/state/country -> location.
* Observation with a LOINC code: ECOG (89247-1, ``valueInteger`` or LOINC answer LA9622-7 ..
  LA9627-6) -> ecog; a lab LOINC (:data:`hcctrials.units.LOINC_TO_ANALYTE`) -> LabResult with
  ``valueQuantity`` value/unit (UCUM ``code`` preferred over ``unit``), comparator -> qualifier,
  ``effectiveDateTime`` (or period start) -> date, ``referenceRange[0]`` high/low -> uln/lln.
* Condition: ICD-10 / SNOMED CT codes -> diagnosis (C22.0 HCC, cirrhosis), virology (B18.x),
  and comorbidity :class:`Condition` codes.
* MedicationStatement: drug name from ``medicationCodeableConcept`` text/coding display;
  statements starting on the same date form one systemic line; HBV antivirals set
  ``virology.hbv_antiviral`` instead.
* Procedure: TACE/TAE/HAIC/TARE/ablation -> locoregional; resection -> surgery;
  transplantation -> transplant; radiotherapy -> radiotherapy.

Resources that cannot be mapped (an Observation with an unknown code) are reported with
:class:`FhirMappingWarning` and left out; invalid resources raise :class:`ParseError`
naming the file, the resource (``Observation/obs-3``) and the field.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from datetime import date, datetime
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import pydantic

from hcctrials.errors import DataQualityWarning, ParseError
from hcctrials.i18n import Msg, msg, render
from hcctrials.model.patient import (
    Condition,
    Diagnosis,
    LabResult,
    Location,
    Patient,
    TherapyLine,
    Virology,
)
from hcctrials.units import ECOG_LOINC, LOINC_TO_ANALYTE, resolve_analyte

__all__ = ["parse_fhir_bundle", "load_fhir_models", "MAPPED_RESOURCES", "FhirMappingWarning", "ICD10_MAP",
           "SNOMED_MAP"]

LOINC = "http://loinc.org"
ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm",
                 "http://hl7.org/fhir/sid/icd-10-cn")
SNOMED = "http://snomed.info/sct"
_ECOG_ANSWERS = {"LA9622-7": 0, "LA9623-5": 1, "LA9624-3": 2, "LA9625-0": 3, "LA9626-8": 4,
                 "LA9627-6": 5}


class FhirMappingWarning(DataQualityWarning):
    """A FHIR resource (or part of it) that has no place in the patient model.

    Its ``message`` (``args[0]``) is a :class:`~hcctrials.i18n.Msg`: ``str(warning)`` is English,
    ``warning.rendered(language)`` the reader's language (the CLI shows warnings so)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def rendered(self, language: str) -> str:
        """The warning's text in *language*."""
        return str(render(self.message, language))


#: ICD-10 code prefix -> mapping key (longest prefix wins)
ICD10_MAP: dict[str, str] = {
    "C22.0": "hcc", "C22.1": "cholangiocarcinoma", "K74.6": "cirrhosis", "K70.3": "cirrhosis",
    "K74.3": "cirrhosis", "K74.4": "cirrhosis", "K74.5": "cirrhosis", "K71.7": "cirrhosis",
    "B18.0": "hbv", "B18.1": "hbv", "B16": "hbv", "B18.2": "hcv", "B17.1": "hcv",
    "B20": "hiv", "Z21": "hiv", "A15": "active_tuberculosis", "K72": "hepatic_encephalopathy",
    "K76.82": "hepatic_encephalopathy", "R18": "ascites", "I85": "varices",
    "Z94.4": "organ_transplant", "Z94": "organ_transplant", "J84": "interstitial_lung_disease",
    "J70": "pneumonitis", "M32": "autoimmune_disease", "M05": "autoimmune_disease",
    "K75.4": "autoimmune_disease", "E05.0": "autoimmune_disease", "E06.3": "autoimmune_disease",
    "K50": "autoimmune_disease", "K51": "autoimmune_disease", "L40": "autoimmune_disease",
    "K92.2": "gi_bleeding", "I50": "heart_failure", "I21": "myocardial_infarction",
    "I26": "venous_thromboembolism", "I80": "venous_thromboembolism",
    "I63": "arterial_thromboembolism", "K70": "alcohol", "K76.0": "masld",
}
#: SNOMED CT concept id -> mapping key (verify against the SNOMED release in use)
SNOMED_MAP: dict[str, str] = {
    "25370001": "hcc", "19943007": "cirrhosis", "66071002": "hbv", "61977001": "hbv",
    "50711007": "hcv", "128302006": "hcv", "86406008": "hiv", "389087006": "ascites",
    "13920009": "hepatic_encephalopathy", "56717001": "active_tuberculosis",
}
_ANTIVIRALS = ("entecavir", "tenofovir", "恩替卡韦", "替诺福韦", "lamivudine", "adefovir",
               "telbivudine", "拉米夫定", "阿德福韦", "tenofovir amibufenamide")
#: Procedure kinds recognised from the code text (a subset of ``TherapyLine.kind``).
_ProcedureKind = Literal["transplant", "locoregional", "surgery", "radiotherapy"]
_PROCEDURES: tuple[tuple[re.Pattern[str], _ProcedureKind], ...] = (
    (re.compile(r"transplant|移植", re.I), "transplant"),
    (re.compile(r"\bTACE\b|\bTAE\b|\bHAIC\b|\bTARE\b|SIRT|chemoemboli|emboli[sz]ation|栓塞|灌注化疗|"
                r"ablation|\bRFA\b|\bMWA\b|消融|radioemboli", re.I), "locoregional"),
    (re.compile(r"resection|hepatectomy|切除", re.I), "surgery"),
    (re.compile(r"radiotherapy|radiation|SBRT|IMRT|proton|放疗|放射治疗", re.I), "radiotherapy"),
)


def _where(resource: dict[str, Any]) -> str:
    return f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"


#: the resource types a bundle's resources are mapped from (the rest are validated, reported and left out)
MAPPED_RESOURCES = ("Patient", "Observation", "Condition", "MedicationStatement", "Procedure")


def load_fhir_models() -> None:
    """Import the ``fhir.resources`` models of :data:`MAPPED_RESOURCES` now (~0.3 s of CPU: the modules and their
    validators) rather than at the first bundle read: a server calls this while it warms up."""
    from fhir.resources.R4B import get_fhir_model_class

    for name in MAPPED_RESOURCES:
        get_fhir_model_class(name)


def _validate(resource: dict[str, Any], source: str | None) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    rtype = resource.get("resourceType")
    try:
        cls = get_fhir_model_class(rtype)
    except Exception:  # unknown resource type
        raise ParseError(msg("unknown FHIR resource type"), file=source, record=_where(resource),
                         field="resourceType", value=rtype) from None
    try:
        return cls.model_validate(resource)
    except Exception as exc:  # pydantic ValidationError from fhir.resources
        from hcctrials.patients.validation_text import field_path, validation_message

        errors = getattr(exc, "errors", None)
        field = None
        problem: Msg
        if callable(errors):
            first = errors()[0]
            field = field_path(first.get("loc", ()))
            problem = validation_message(first)
        else:
            problem = msg("the resource does not validate")
        raise ParseError(msg("invalid FHIR {resource}: {problem}", resource=str(rtype), problem=problem),
                         file=source, record=_where(resource), field=field) from None


_T = TypeVar("_T")
#: FHIR R4 Quantity.comparator codes that are a qualifier of the value ("ad", "sufficient to
#: achieve this total quantity", is not a bound and has no place in a lab result).
_COMPARATORS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _build(cls: Callable[..., _T], fields: dict[str, Any], *, source: str | None, record: str,
           prefix: str) -> _T:
    """``cls(**fields)``, a pydantic error becoming ParseError naming the resource and field."""
    try:
        return cls(**fields)
    except pydantic.ValidationError as exc:
        from hcctrials.patients.validation_text import field_path, validation_message

        first = exc.errors()[0]
        loc = field_path(first.get("loc", ()))
        raise ParseError(msg("value does not fit the patient model: {problem}", problem=validation_message(first)),
                         file=source,
                         record=record, field=f"{prefix}.{loc}" if loc else prefix,
                         value=first.get("input")) from None


def _to_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _codings(concept: Any) -> list[tuple[str | None, str | None, str | None]]:
    if concept is None:
        return []
    return [(c.system, c.code, c.display) for c in (concept.coding or [])]


def _concept_text(concept: Any) -> str | None:
    if concept is None:
        return None
    if concept.text:
        return str(concept.text)
    for _, code, display in _codings(concept):
        if display:
            return str(display)
    return None


def _lookup(code: str, table: dict[str, str]) -> str | None:
    best = None
    for prefix, key in table.items():
        if (code == prefix or code.startswith(prefix)) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, key)
    return best[1] if best else None


def parse_fhir_bundle(data: dict[str, Any], *, source: str | None = None) -> Patient:
    """Map a FHIR R4 Bundle (dict) of one patient's resources to a :class:`Patient`."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise ParseError(msg("not a FHIR Bundle"), file=source, field="resourceType",
                         value=data.get("resourceType") if isinstance(data, dict) else type(data).__name__)
    resources: dict[str, list[tuple[dict[str, Any], Any]]] = defaultdict(list)
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise ParseError(msg("Bundle.entry must be a list of entries"), file=source, field="entry",
                         value=type(entries).__name__)
    for i, entry in enumerate(entries):
        raw = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(raw, dict):
            raise ParseError(msg("bundle entry without a resource"), file=source, record=f"entry[{i}]",
                             field="resource")
        rtype = raw.get("resourceType", "?")
        if not isinstance(rtype, str):
            raise ParseError(msg("resourceType must be a string"), file=source, record=f"entry[{i}]",
                             field="resource.resourceType", value=rtype)
        resources[rtype].append((raw, _validate(raw, source)))
    patients = resources.get("Patient", [])
    if len(patients) != 1:
        raise ParseError(msg("bundle must contain exactly one Patient (found {n})", n=len(patients)),
                         file=source, field="entry.resource.resourceType")
    raw_pt, pt = patients[0]
    fields: dict[str, Any] = {"patient_id": pt.id or (pt.identifier[0].value if pt.identifier else None)}
    if not fields["patient_id"]:
        raise ParseError(msg("Patient without id or identifier"), file=source, record=_where(raw_pt),
                         field="id")
    fields["birth_date"] = _to_date(pt.birthDate)
    if pt.gender in ("female", "male"):
        fields["sex"] = pt.gender
    if pt.address:
        a = pt.address[0]
        fields["location"] = _build(Location, {"city": a.city, "province": a.state, "country": a.country},
                                    source=source, record=_where(raw_pt), prefix="address")

    labs: list[LabResult] = []
    ecog: tuple[date | None, int] | None = None
    for raw, obs in resources.get("Observation", []):
        loincs = [code for system, code, _ in _codings(obs.code) if system == LOINC and code]
        when = _to_date(obs.effectiveDateTime) or (
            _to_date(obs.effectivePeriod.start) if obs.effectivePeriod else None)
        if ECOG_LOINC in loincs:
            value = obs.valueInteger
            if value is None and obs.valueCodeableConcept is not None:
                for _, code, _ in _codings(obs.valueCodeableConcept):
                    if code in _ECOG_ANSWERS:
                        value = _ECOG_ANSWERS[code]
            if value is None:
                raise ParseError(msg("ECOG observation without a value"), file=source,
                                 record=_where(raw), field="valueInteger")
            if ecog is None or (when or date.min) >= (ecog[0] or date.min):
                ecog = (when, int(value))
            continue
        analyte = next((LOINC_TO_ANALYTE[c] for c in loincs if c in LOINC_TO_ANALYTE), None)
        if analyte is None and obs.code is not None and obs.code.text:
            analyte = resolve_analyte(obs.code.text)
        if analyte is None:
            warnings.warn(FhirMappingWarning(msg(
                "{source}: {resource} has no known LOINC code ({codes}); left out", source=source or "bundle",
                resource=_where(raw), codes=", ".join(loincs) or _concept_text(obs.code) or "-")), stacklevel=2)
            continue
        lab: dict[str, Any] = {"analyte": analyte, "date": when, "loinc": loincs[0] if loincs else None,
                               "source": f"{source or 'fhir'}#{_where(raw)}"}
        q = obs.valueQuantity
        if q is not None:
            lab["value"] = float(q.value) if q.value is not None else None
            lab["unit"] = q.code or q.unit
            if q.comparator:
                if q.comparator not in _COMPARATORS:
                    raise ParseError(msg("Quantity.comparator is not one of <, <=, >, >="), file=source,
                                     record=_where(raw), field="valueQuantity.comparator",
                                     value=q.comparator)
                lab["qualifier"] = _COMPARATORS[q.comparator]
        elif obs.valueString:
            lab["text"] = obs.valueString
        elif obs.valueCodeableConcept is not None:
            lab["text"] = _concept_text(obs.valueCodeableConcept)
        if obs.referenceRange:
            rr = obs.referenceRange[0]
            if rr.high is not None and rr.high.value is not None:
                lab["uln"] = float(rr.high.value)
            if rr.low is not None and rr.low.value is not None:
                lab["lln"] = float(rr.low.value)
        labs.append(_build(LabResult, lab, source=source, record=_where(raw), prefix="Observation"))
    fields["labs"] = labs
    if ecog is not None:
        fields["ecog_date"], fields["ecog"] = ecog

    diagnosis: dict[str, Any] = {"etiologies": []}
    virology: dict[str, Any] = {}
    conditions: list[Condition] = []
    for raw, cond in resources.get("Condition", []):
        # FHIR R4 Condition.verificationStatus: a refuted or entered-in-error condition is not a
        # diagnosis the patient has, so it must not count as present (nor as anything else).
        verification = {c for _, c, _ in _codings(cond.verificationStatus)}
        if verification & {"refuted", "entered-in-error"}:
            continue
        key = None
        for system, code, _ in _codings(cond.code):
            if not code:
                continue
            if system in ICD10_SYSTEMS:
                key = _lookup(code, ICD10_MAP) or (
                    "other_malignancy" if code.startswith("C") and not code.startswith("C22") else None)
            elif system == SNOMED:
                key = SNOMED_MAP.get(code)
            if key:
                break
        onset = _to_date(cond.onsetDateTime) or _to_date(cond.recordedDate)
        status_codes = [c for _, c, _ in _codings(cond.clinicalStatus)]
        status: Literal["active", "resolved", "history"] | None = (
            "active" if "active" in status_codes or "recurrence" in status_codes
            else "resolved" if "resolved" in status_codes or "remission" in status_codes
            else "history" if "inactive" in status_codes else None)
        name = _concept_text(cond.code)
        if key == "hcc":
            diagnosis["histology"] = "hcc"
            diagnosis["diagnosis_date"] = onset
        elif key == "cholangiocarcinoma":
            diagnosis["histology"] = "cholangiocarcinoma"
        elif key == "cirrhosis":
            diagnosis["cirrhosis"] = True
        elif key in ("hbv", "hcv", "alcohol", "masld"):
            if key not in diagnosis["etiologies"]:
                diagnosis["etiologies"].append(key)
            if key == "hbv":
                virology["hbsag_positive"] = True
            if key == "hcv":
                virology["anti_hcv_positive"] = True
        elif key == "hiv":
            virology["hiv_positive"] = True
            conditions.append(_build(Condition, {"code": "hiv", "name": name, "status": status,
                                                 "onset": onset},
                                     source=source, record=_where(raw), prefix="Condition"))
        else:
            detail = None if key else ", ".join(f"{s}|{c}" for s, c, _ in _codings(cond.code))
            conditions.append(_build(Condition, {"code": key or "other", "name": name, "status": status,
                                                 "onset": onset, "detail": detail},
                                     source=source, record=_where(raw), prefix="Condition"))
    fields["diagnosis"] = _build(Diagnosis, diagnosis, source=source, record="Condition", prefix="diagnosis")
    fields["conditions"] = conditions

    by_start: dict[date | None, dict[str, Any]] = {}
    for raw, med in resources.get("MedicationStatement", []):
        name = _concept_text(med.medicationCodeableConcept)
        if name is None:
            raise ParseError(msg("MedicationStatement without medicationCodeableConcept text or display"),
                             file=source, record=_where(raw), field="medicationCodeableConcept")
        period = med.effectivePeriod
        start = _to_date(period.start) if period else _to_date(med.effectiveDateTime)
        end = _to_date(period.end) if period else None
        if any(a in name.lower() for a in _ANTIVIRALS):
            virology["hbv_antiviral"] = True
            virology["hbv_antiviral_start"] = start
            continue
        line = by_start.setdefault(start, {"kind": "systemic", "agents": [], "start": start,
                                           "end": end, "ongoing": None})
        line["agents"].append(name)
        if end and (line["end"] is None or end > line["end"]):
            line["end"] = end
        if med.status == "active":
            line["ongoing"] = True
        elif med.status == "completed" and line["ongoing"] is None:
            line["ongoing"] = False
        reason = _concept_text(med.statusReason[0]) if med.statusReason else None
        if reason and re.search(r"progress|进展", reason, re.I):
            line["stop_reason"] = "progression"
    treatments = [_build(TherapyLine, v, source=source, record="MedicationStatement", prefix="treatments")
                  for _, v in sorted(by_start.items(), key=lambda kv: kv[0] or date.min)]
    for raw, proc in resources.get("Procedure", []):
        text = _concept_text(proc.code) or ""
        kind = next((k for pattern, k in _PROCEDURES if pattern.search(text)), None)
        if kind is None:
            warnings.warn(FhirMappingWarning(msg(
                "{source}: {resource} procedure {text} is not a known HCC treatment; left out",
                source=source or "bundle", resource=_where(raw), text=repr(text))), stacklevel=2)
            continue
        start = _to_date(proc.performedDateTime) or (
            _to_date(proc.performedPeriod.start) if proc.performedPeriod else None)
        end = _to_date(proc.performedPeriod.end) if proc.performedPeriod else start
        treatments.append(_build(TherapyLine, {"kind": kind, "agents": [text], "start": start, "end": end,
                                               "ongoing": False},
                                 source=source, record=_where(raw), prefix="Procedure"))
    fields["treatments"] = sorted(treatments, key=lambda t: t.start or date.min)
    fields["virology"] = _build(Virology, virology, source=source, record="bundle", prefix="virology")
    try:
        return Patient(**fields)
    except pydantic.ValidationError as exc:
        from hcctrials.patients.validation_text import field_path, validation_message

        first = exc.errors()[0]
        raise ParseError(msg("bundle does not fit the patient model: {problem}", problem=validation_message(first)),
                         file=source, record=_where(raw_pt), field=field_path(first.get("loc", ())) or None,
                         value=first.get("input")) from None
