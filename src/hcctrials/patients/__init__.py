"""Patient input adapters: JSON/YAML in the documented schema, FHIR R4 Bundles, JSON lines,
FHIR NDJSON and flat CSV (docs/patients.md).  File I/O lives here, never in the core."""

from hcctrials.patients.fhir import FhirMappingWarning, parse_fhir_bundle
from hcctrials.patients.io import (
    CSV_COLUMNS,
    load_patient,
    load_patients,
    parse_patient,
    patient_json_schema,
)

__all__ = ["load_patient", "load_patients", "parse_patient", "parse_fhir_bundle",
           "patient_json_schema", "FhirMappingWarning", "CSV_COLUMNS"]
