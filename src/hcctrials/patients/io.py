"""Read patients from files: JSON/YAML (documented schema), FHIR R4 Bundles, JSON lines,
FHIR NDJSON and a flat CSV layout (docs/patients.md).

``load_patient(path)`` reads one patient; ``load_patients(path)`` streams many.  Errors name
the file, the record (line number or patient id) and the field.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import yaml

from hcctrials.errors import ParseError, ValidationError
from hcctrials.model.patient import Patient
from hcctrials.patients.fhir import parse_fhir_bundle

__all__ = ["load_patient", "load_patients", "parse_patient", "patient_json_schema",
           "CSV_COLUMNS", "CSV_LAB_SUFFIXES"]

#: Flat CSV columns (one row = one patient); every column is optional except patient_id.
CSV_COLUMNS = {
    "patient_id": "patient_id", "birth_date": "birth_date", "age_years": "age_years",
    "age_recorded_on": "age_recorded_on", "sex": "sex", "weight_kg": "weight_kg",
    "height_cm": "height_cm", "ecog": "ecog", "ecog_date": "ecog_date",
    "city": "location.city", "province": "location.province", "country": "location.country",
    "histology": "diagnosis.histology", "confirmed_by": "diagnosis.confirmed_by",
    "cirrhosis": "diagnosis.cirrhosis", "etiologies": "diagnosis.etiologies",
    "tumour_assessed_on": "tumour.assessed_on", "nodule_count": "tumour.nodule_count",
    "largest_diameter_cm": "tumour.largest_diameter_cm",
    "vascular_invasion": "tumour.vascular_invasion", "pvtt": "tumour.pvtt",
    "extrahepatic_spread": "tumour.extrahepatic_spread",
    "measurable_disease": "tumour.measurable_disease",
    "measurable_disease_mrecist": "tumour.measurable_disease_mrecist",
    "pvtt_cheng": "tumour.pvtt_cheng", "hepatic_vein_invasion": "tumour.hepatic_vein_invasion",
    "cns_metastasis": "tumour.cns_metastasis",
    "cns_metastasis_treated_stable": "tumour.cns_metastasis_treated_stable",
    "liver_assessed_on": "liver.assessed_on", "ascites": "liver.ascites",
    "encephalopathy": "liver.encephalopathy", "varices": "liver.varices",
    "endoscopy_date": "liver.endoscopy_date",
    "residual_toxicity_grade": "residual_toxicity_grade", "history_reviewed": "history_reviewed",
    "hbsag_positive": "virology.hbsag_positive", "hbv_antiviral": "virology.hbv_antiviral",
    "anti_hcv_positive": "virology.anti_hcv_positive", "hiv_positive": "virology.hiv_positive",
    "pregnant": "pregnant", "breastfeeding": "breastfeeding",
}
#: Lab columns: ``<analyte>`` (value), ``<analyte>_unit``, ``<analyte>_date``, ``<analyte>_uln``,
#: ``<analyte>_lln``; ``labs_date`` is the default date of every lab in the row.
CSV_LAB_SUFFIXES = ("_unit", "_date", "_uln", "_lln")


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def parse_patient(data: Any, *, source: str | None = None, record: str | None = None) -> Patient:
    """A patient from a parsed JSON/YAML mapping (our schema) or a FHIR Bundle mapping."""
    if not isinstance(data, dict):
        raise ParseError("a patient must be a mapping", file=source, record=record,
                         value=type(data).__name__)
    if data.get("resourceType") == "Bundle":
        return parse_fhir_bundle(data, source=source)
    try:
        return Patient.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        rec = record or (str(data.get("patient_id")) if data.get("patient_id") else None)
        raise ValidationError(first["msg"], file=source, record=rec,
                              field=_field_path(first["loc"]), value=first.get("input"),
                              hint=f"{exc.error_count()} problem(s); see docs/patients.md") from None


def _read_mapping(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return yaml.safe_load(text)
        return json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ParseError(f"not valid {'YAML' if path.suffix.lower() in ('.yaml', '.yml') else 'JSON'}: "
                         f"{exc}", file=str(path)) from None


def load_patient(path: str | Path) -> Patient:
    """One patient from a ``.json``/``.yaml``/``.yml`` file (our schema or a FHIR Bundle)."""
    p = Path(path)
    data = _read_mapping(p)
    if isinstance(data, list):
        raise ParseError("file holds a list of patients; use load_patients", file=str(p))
    return parse_patient(data, source=str(p))


def load_patients(path: str | Path) -> Iterator[Patient]:
    """Stream patients from a file.

    ``.jsonl``: one patient (or FHIR Bundle) per line.  ``.ndjson``: the same, or FHIR bulk
    NDJSON of single resources (grouped per patient by ``subject``/``patient`` reference; this
    grouping holds the file's resources in memory).  ``.json``/``.yaml``: one patient or a list.
    ``.csv``: the flat layout of :data:`CSV_COLUMNS`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _load_lines(p)
    elif suffix == ".csv":
        yield from _load_csv(p)
    elif suffix in (".json", ".yaml", ".yml"):
        data = _read_mapping(p)
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items):
            yield parse_patient(item, source=str(p), record=f"item {i}")
    else:
        raise ParseError("unknown patient file type", file=str(p), value=suffix,
                         hint="use .json, .yaml, .jsonl, .ndjson or .csv")


def _load_lines(p: Path) -> Iterator[Patient]:
    pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
    patients: dict[str, dict[str, Any]] = {}
    try:
        handle = p.open(encoding="utf-8")
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", file=str(p)) from None
    with handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(f"not valid JSON: {exc.msg}", file=str(p), record=f"line {n}") from None
            rtype = data.get("resourceType") if isinstance(data, dict) else None
            if rtype is None or rtype == "Bundle":
                yield parse_patient(data, source=str(p), record=f"line {n}")
            elif rtype == "Patient":
                patients[str(data.get("id"))] = data
            else:
                ref = (data.get("subject") or data.get("patient") or {}).get("reference", "")
                if not ref.startswith("Patient/"):
                    raise ParseError("FHIR resource without a Patient subject reference",
                                     file=str(p), record=f"line {n} ({rtype}/{data.get('id')})",
                                     field="subject.reference", value=ref or None)
                pending[ref.split("/", 1)[1]].append(data)
    for pid, pt in patients.items():
        entries = [{"resource": pt}] + [{"resource": r} for r in pending.pop(pid, [])]
        yield parse_fhir_bundle({"resourceType": "Bundle", "type": "collection", "entry": entries},
                                source=str(p))
    if pending:
        raise ParseError("FHIR resources refer to patients not in the file", file=str(p),
                         value=sorted(pending)[:5])


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _load_csv(p: Path) -> Iterator[Patient]:
    from hcctrials.model.patient import ANALYTES

    try:
        handle = p.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", file=str(p)) from None
    with handle:
        reader = csv.DictReader(handle)
        known = set(CSV_COLUMNS) | {"labs_date"} | set(ANALYTES) | {
            a + s for a in ANALYTES for s in CSV_LAB_SUFFIXES}
        unknown = [c for c in (reader.fieldnames or []) if c not in known]
        if unknown:
            raise ParseError("unknown CSV column(s)", file=str(p), field=", ".join(unknown),
                             hint="see docs/patients.md for the flat layout")
        for n, row in enumerate(reader, start=2):
            data: dict[str, Any] = {}
            for col, dotted in CSV_COLUMNS.items():
                value = (row.get(col) or "").strip()
                if value:
                    _set(data, dotted, value.split(";") if col == "etiologies" else value)
            labs = []
            default_date = (row.get("labs_date") or "").strip() or None
            for analyte in ANALYTES:
                value = (row.get(analyte) or "").strip()
                if not value:
                    continue
                lab: dict[str, Any] = {"analyte": analyte, "date": (row.get(analyte + "_date") or "").strip()
                                       or default_date, "source": f"{p.name}:{n}"}
                try:
                    lab["value"] = float(value)
                except ValueError:
                    lab["text"] = value
                for suffix, key in (("_unit", "unit"), ("_uln", "uln"), ("_lln", "lln")):
                    extra = (row.get(analyte + suffix) or "").strip()
                    if extra:
                        lab[key] = extra
                labs.append(lab)
            data["labs"] = labs
            yield parse_patient(data, source=str(p), record=f"line {n}")


def patient_json_schema() -> dict[str, Any]:
    """JSON Schema of the patient input format (for ``hcctrials schema patient``)."""
    return Patient.model_json_schema()
