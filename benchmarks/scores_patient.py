"""Benchmark: compute_patient_scores calls per second on the example patients.

Run: python benchmarks/scores_patient.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from hcctrials.datasets.patients import EXAMPLES, example_patient_path
from hcctrials.patients import load_patient
from hcctrials.scores import compute_patient_scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    patients = [load_patient(example_patient_path(n)) for n in EXAMPLES]
    as_of = date(2024, 8, 10)
    for p in patients:  # warm the caches (pint registry, conversion factors)
        compute_patient_scores(p, as_of=as_of, lab_window_days=400)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for p in patients:
            compute_patient_scores(p, as_of=as_of, lab_window_days=400)
        n += len(patients)
    elapsed = time.perf_counter() - start
    print(f"compute_patient_scores: {n} calls in {elapsed:.2f} s = {n / elapsed:,.0f} patients/s "
          f"({1e3 * elapsed / n:.3f} ms per patient; {len(patients)} example patients, "
          "one with unknown tumour burden and liver items)")


if __name__ == "__main__":
    main()
