"""Units for lab values: normalise unit text, convert per analyte, canonical units.

Public API (used by the criteria compiler and the scores):
:func:`normalise_unit`, :func:`convert`, :func:`canonical_unit`, :func:`to_canonical`,
:func:`resolve_analyte`, :data:`ANALYTE_ALIASES`, :data:`LOINC_TO_ANALYTE`,
:class:`CanonicalLab`, :class:`ImplausibleUnitWarning`.  See ``docs/units.md``.
"""

from hcctrials.units.aliases import (
    ANALYTE_ALIASES,
    ECOG_LOINC,
    KARNOFSKY_LOINC,
    LOINC_TO_ANALYTE,
    resolve_analyte,
)
from hcctrials.units.analytes import (
    ACCEPTED_UNITS,
    BILIRUBIN_MG_DL_TO_UMOL_L,
    CANONICAL_UNITS,
    CREATININE_MG_DL_TO_UMOL_L,
    MOLAR_FACTORS,
    PLAUSIBLE,
)
from hcctrials.units.convert import (
    CanonicalLab,
    ImplausibleUnitWarning,
    ImplausibleValueWarning,
    canonical_unit,
    check_plausible,
    convert,
    load_unit_registry,
    to_canonical,
)
from hcctrials.units.normalise import KNOWN_UNITS, UNITLESS, normalise_unit

__all__ = [
    "normalise_unit", "convert", "load_unit_registry", "canonical_unit", "to_canonical", "check_plausible",
    "resolve_analyte", "ANALYTE_ALIASES", "LOINC_TO_ANALYTE", "ECOG_LOINC", "KARNOFSKY_LOINC",
    "CanonicalLab", "ImplausibleUnitWarning", "ImplausibleValueWarning",
    "CANONICAL_UNITS", "ACCEPTED_UNITS", "MOLAR_FACTORS", "PLAUSIBLE", "KNOWN_UNITS", "UNITLESS",
    "BILIRUBIN_MG_DL_TO_UMOL_L", "CREATININE_MG_DL_TO_UMOL_L",
]
