"""Benchmark: evaluate one patient against 10,000 compiled trials (target < 50 ms).

Builds and compiles the trials as benchmarks/criteria_compile.py does, puts them in a
CompiledCatalog (identical criteria deduplicated), then times evaluate() for fresh
PatientFacts (per-patient precomputation included) several times.
Usage: python benchmarks/criteria_evaluate.py [N_TRIALS]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from criteria_compile import build  # noqa: E402

from hcctrials.criteria import CompiledCatalog, PatientFacts, compile_trials  # noqa: E402
from hcctrials.model.patient import (  # noqa: E402
    Diagnosis, LabResult, LiverFunction, Patient, TherapyLine, TumourBurden, Virology,
)

AS_OF = date(2026, 3, 10)
DAY = date(2026, 3, 1)


def patient() -> Patient:
    labs = [("anc", 2.5, "10^9/L", None), ("platelets", 120, "10^9/L", None), ("hemoglobin", 125, "g/L", None),
            ("bilirubin_total", 15, "umol/L", 21), ("albumin", 40, "g/L", None), ("inr", 1.1, None, None),
            ("creatinine", 80, "umol/L", 110), ("alt", 35, "U/L", 40), ("ast", 38, "U/L", 40)]
    return Patient(
        patient_id="bench", birth_date=date(1960, 5, 1), sex="male", ecog=1, life_expectancy_weeks=30,
        diagnosis=Diagnosis(confirmed_by="histology", histology="hcc"),
        tumour=TumourBurden(measurable_disease=True, nodule_count=3, largest_diameter_cm=6, pvtt="vp2",
                            vascular_invasion=True, extrahepatic_spread=False),
        liver=LiverFunction(ascites="none", encephalopathy="none"),
        labs=[LabResult(analyte=a, value=v, unit=u, uln=n, date=DAY) for a, v, u, n in labs],
        virology=Virology(hbsag_positive=True, hbv_antiviral=True, hbv_antiviral_start=date(2024, 1, 1), hiv_positive=False),
        treatments=[TherapyLine(agents=["atezolizumab", "bevacizumab"], line=1, start=date(2025, 1, 10),
                                end=date(2026, 1, 20), stop_reason="progression")],
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    compiled = compile_trials(build(n), workers=2)
    t0 = time.perf_counter()
    catalog = CompiledCatalog(compiled)
    t1 = time.perf_counter()
    p = patient()
    times = []
    for _ in range(7):
        s = time.perf_counter()
        codes = catalog.evaluate(PatientFacts(p, AS_OF))
        times.append(time.perf_counter() - s)
    counts = {name: int((codes == k).sum()) for k, name in enumerate(("eligible", "possibly_eligible", "ineligible"))}
    print(f"catalog of {n} trials: {len(catalog.criterion_ids)} criteria, {len(catalog.rules)} distinct rules, "
          f"{len(catalog.leaves)} distinct leaves ({len(catalog._variable)} evaluated per patient) "
          f"(built in {t1 - t0:.1f} s)")
    print(f"evaluate one patient: median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms, first {times[0] * 1000:.1f} ms; target < 50 ms")
    print(f"verdicts: {counts}")


if __name__ == "__main__":
    main()
