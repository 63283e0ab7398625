"""Per-analyte facts: canonical unit, accepted units, mass<->molar factors, plausible ranges.

Source: ``hcc-domain.md`` section 5 (canonical internal units are SI as reported by Chinese
labs; US units are converted at ingest).  The molar factors are the rounded clinical factors
the doc cites (bilirubin ×17.1, creatinine ×88.4); they are module constants so that a caller
can pass another factor to :func:`hcctrials.units.convert` (``factors=``).

``PLAUSIBLE`` ranges are *physiologically possible* values in the canonical unit, wide on
purpose: they catch a value reported in the wrong unit (bilirubin ``2.0 umol/L`` that is
really mg/dL, albumin ``3.5 g/L`` that is really g/dL), not abnormal results.
"""

from __future__ import annotations

from hcctrials.units.normalise import UNITLESS

__all__ = [
    "CANONICAL_UNITS",
    "ACCEPTED_UNITS",
    "MOLAR_FACTORS",
    "PLAUSIBLE",
    "BILIRUBIN_MG_DL_TO_UMOL_L",
    "CREATININE_MG_DL_TO_UMOL_L",
    "HEMOGLOBIN_G_DL_TO_MMOL_L",
]

#: µmol/L per mg/dL of bilirubin (hcc-domain.md §5: ×17.1; exact 17.104 from MW 584.66 g/mol).
BILIRUBIN_MG_DL_TO_UMOL_L = 17.1
#: µmol/L per mg/dL of creatinine (hcc-domain.md §5: ×88.4, MW 113.12 g/mol).
CREATININE_MG_DL_TO_UMOL_L = 88.4
#: mmol/L (Fe) per g/dL of haemoglobin (hcc-domain.md §5: ×0.6206).
HEMOGLOBIN_G_DL_TO_MMOL_L = 0.6206
#: mmol/L per mg/dL: glucose (MW 180.16), cholesterol (386.65), triglycerides (885.7).
GLUCOSE_MG_DL_TO_MMOL_L = 1 / 18.016
CHOLESTEROL_MG_DL_TO_MMOL_L = 0.02586
TRIGLYCERIDES_MG_DL_TO_MMOL_L = 0.01129
#: mmol/L per mg/dL of calcium (atomic weight 40.08: 10 / 40.08); mEq/L = 2 x mmol/L (divalent ion).
CALCIUM_MG_DL_TO_MMOL_L = 10 / 40.08
#: mg/mmol creatinine per mg/mg (creatinine MW 113.12 g/mol): UPCR.
UPCR_MG_MG_TO_MG_MMOL = 113.12

_COUNT = ("10^9/L", "/uL", "/L")
_ENZYME = ("U/L", "IU/L", "ukat/L")

#: analyte -> canonical unit (hcc-domain.md §5).
CANONICAL_UNITS: dict[str, str] = {
    "bilirubin_total": "umol/L", "bilirubin_direct": "umol/L", "albumin": "g/L",
    "inr": UNITLESS, "pt_prolongation": "s", "pt_activity": "%",
    "creatinine": "umol/L", "creatinine_clearance": "mL/min", "egfr": "mL/min/1.73m2",
    "sodium": "mmol/L", "potassium": "mmol/L",
    "platelets": "10^9/L", "anc": "10^9/L", "wbc": "10^9/L", "lymphocytes": "10^9/L",
    "hemoglobin": "g/L",
    "alt": "U/L", "ast": "U/L", "alp": "U/L", "ggt": "U/L", "lipase": "U/L", "amylase": "U/L",
    "afp": "ng/mL", "pivka2": "mAU/mL",
    "hbv_dna": "IU/mL", "hcv_rna": "IU/mL",
    "urine_protein": "mg/dL", "urine_protein_24h": "g/24h", "upcr": "mg/mg",
    "tsh": "mIU/L", "glucose": "mmol/L", "cholesterol": "mmol/L", "triglycerides": "mmol/L",
    "calcium": "mmol/L",
    # glycated haemoglobin in NGSP/DCCT % (the IFCC mmol/mol scale is an affine map, not a factor: not accepted)
    "hba1c": "%",
    # ionised calcium and albumin-corrected total calcium: other quantities than total calcium (their own limits)
    "calcium_ionised": "mmol/L", "calcium_corrected": "mmol/L",
    "systolic_bp": "mmHg", "diastolic_bp": "mmHg", "lvef": "%", "qtc": "ms",
    "aptt": "s", "pt": "s",  # clotting times in seconds (absolute criteria "APTT < 60 s")
}

#: analyte -> units accepted for it (all convertible to the canonical unit).
ACCEPTED_UNITS: dict[str, tuple[str, ...]] = {
    "bilirubin_total": ("umol/L", "mg/dL", "mg/L"),
    "bilirubin_direct": ("umol/L", "mg/dL", "mg/L"),
    "albumin": ("g/L", "g/dL", "mg/dL"),
    "inr": (UNITLESS,), "pt_prolongation": ("s",), "pt_activity": ("%",),
    "creatinine": ("umol/L", "mg/dL", "mg/L", "mmol/L"),
    "creatinine_clearance": ("mL/min",), "egfr": ("mL/min/1.73m2", "mL/min"),
    "sodium": ("mmol/L", "mEq/L"), "potassium": ("mmol/L", "mEq/L"),
    "platelets": _COUNT, "anc": _COUNT, "wbc": _COUNT, "lymphocytes": _COUNT,
    "hemoglobin": ("g/L", "g/dL", "mmol/L"),
    "alt": _ENZYME, "ast": _ENZYME, "alp": _ENZYME, "ggt": _ENZYME,
    "lipase": _ENZYME, "amylase": _ENZYME,
    "afp": ("ng/mL", "ug/L", "ug/mL"),
    "pivka2": ("mAU/mL",),
    "hbv_dna": ("IU/mL", "log10 IU/mL"), "hcv_rna": ("IU/mL", "log10 IU/mL"),
    "urine_protein": ("mg/dL", "g/L", "mg/L"), "urine_protein_24h": ("g/24h", "mg/24h"),
    "upcr": ("mg/mg", "mg/g", "mg/mmol"),
    "tsh": ("mIU/L",), "glucose": ("mmol/L", "mg/dL"), "cholesterol": ("mmol/L", "mg/dL"),
    "triglycerides": ("mmol/L", "mg/dL"),
    "calcium": ("mmol/L", "mg/dL", "mEq/L"),
    "hba1c": ("%",),
    "calcium_ionised": ("mmol/L", "mg/dL", "mEq/L"), "calcium_corrected": ("mmol/L", "mg/dL", "mEq/L"),
    "systolic_bp": ("mmHg", "kPa"), "diastolic_bp": ("mmHg", "kPa"), "lvef": ("%",),
    "qtc": ("ms", "s"),
    "aptt": ("s",), "pt": ("s",),
}

#: (analyte, from_unit, to_unit) -> multiplicative factor for conversions that are NOT plain
#: dimensional ones (mass <-> molar, or definitional equivalences). Reverse pairs are derived.
MOLAR_FACTORS: dict[tuple[str, str, str], float] = {
    ("bilirubin_total", "mg/dL", "umol/L"): BILIRUBIN_MG_DL_TO_UMOL_L,
    ("bilirubin_direct", "mg/dL", "umol/L"): BILIRUBIN_MG_DL_TO_UMOL_L,
    ("creatinine", "mg/dL", "umol/L"): CREATININE_MG_DL_TO_UMOL_L,
    ("creatinine", "mmol/L", "umol/L"): 1000.0,
    ("hemoglobin", "g/dL", "mmol/L"): HEMOGLOBIN_G_DL_TO_MMOL_L,
    ("glucose", "mg/dL", "mmol/L"): GLUCOSE_MG_DL_TO_MMOL_L,
    ("cholesterol", "mg/dL", "mmol/L"): CHOLESTEROL_MG_DL_TO_MMOL_L,
    ("triglycerides", "mg/dL", "mmol/L"): TRIGLYCERIDES_MG_DL_TO_MMOL_L,
    ("calcium", "mg/dL", "mmol/L"): CALCIUM_MG_DL_TO_MMOL_L,
    ("calcium", "mEq/L", "mmol/L"): 0.5,  # divalent ion: 2 mEq = 1 mmol
    ("calcium_ionised", "mg/dL", "mmol/L"): CALCIUM_MG_DL_TO_MMOL_L,
    ("calcium_ionised", "mEq/L", "mmol/L"): 0.5,
    ("calcium_corrected", "mg/dL", "mmol/L"): CALCIUM_MG_DL_TO_MMOL_L,
    ("calcium_corrected", "mEq/L", "mmol/L"): 0.5,
    ("sodium", "mEq/L", "mmol/L"): 1.0,  # monovalent ion: 1 mEq = 1 mmol
    ("potassium", "mEq/L", "mmol/L"): 1.0,
    ("upcr", "mg/mg", "mg/mmol"): UPCR_MG_MG_TO_MG_MMOL,
    ("systolic_bp", "kPa", "mmHg"): 7.50062,
    ("diastolic_bp", "kPa", "mmHg"): 7.50062,
    ("egfr", "mL/min", "mL/min/1.73m2"): 1.0,  # labs often drop the /1.73 m² normalisation
}
for _a in ("alt", "ast", "alp", "ggt", "lipase", "amylase"):
    MOLAR_FACTORS[(_a, "IU/L", "U/L")] = 1.0  # enzyme IU = U (hcc-domain.md §5)
    MOLAR_FACTORS[(_a, "ukat/L", "U/L")] = 60.0  # µkat/L × 60 = U/L (hcc-domain.md §5)

#: analyte -> (low, high) physiologically possible range in the canonical unit.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "bilirubin_total": (2.5, 1000.0),   # < 2.5 µmol/L looks like mg/dL
    "bilirubin_direct": (0.0, 800.0),
    "albumin": (8.0, 65.0),             # 3.5 "g/L" is really g/dL
    "inr": (0.5, 15.0),
    "pt_prolongation": (-5.0, 120.0),
    "pt_activity": (1.0, 200.0),
    "creatinine": (10.0, 2500.0),       # 1.2 "umol/L" is really mg/dL
    "creatinine_clearance": (1.0, 300.0),
    "egfr": (1.0, 200.0),
    "sodium": (90.0, 190.0),
    "potassium": (1.0, 10.0),
    "platelets": (1.0, 2500.0),         # 150000 "10^9/L" is really /uL
    "anc": (0.0, 150.0),
    "wbc": (0.05, 500.0),
    "lymphocytes": (0.0, 400.0),
    "hemoglobin": (25.0, 250.0),        # 12 "g/L" is really g/dL
    "alt": (1.0, 20000.0), "ast": (1.0, 30000.0), "alp": (5.0, 10000.0), "ggt": (1.0, 10000.0),
    "lipase": (1.0, 50000.0), "amylase": (1.0, 20000.0),
    "afp": (0.0, 1.0e7), "pivka2": (0.0, 1.0e7),
    "hbv_dna": (0.0, 1.0e11), "hcv_rna": (0.0, 1.0e9),
    "urine_protein": (0.0, 5000.0), "urine_protein_24h": (0.0, 50.0), "upcr": (0.0, 50.0),
    "tsh": (0.0, 500.0), "glucose": (0.5, 60.0), "cholesterol": (0.5, 30.0),
    "triglycerides": (0.1, 100.0),
    "calcium": (0.5, 5.0),
    "hba1c": (3.0, 20.0),
    "calcium_ionised": (0.3, 3.0), "calcium_corrected": (0.5, 5.0),
    "systolic_bp": (50.0, 300.0), "diastolic_bp": (20.0, 200.0), "lvef": (5.0, 90.0),
    "qtc": (250.0, 750.0),
    "aptt": (10.0, 250.0), "pt": (5.0, 150.0),  # seconds; outside = wrong unit or not a clotting time
}
