"""Benchmark the response engine: 100,000 subjects x 8 visits x up to 5 targets + 2
non-targets (issue 5 target: < 10 s for RECIST 1.1 with confirmation on 2 cores).

Run: ``python benchmarks/response_bench.py [--subjects N] [--criteria recist11,mrecist,...]``.
Prints the generation time, the derivation wall and CPU time per criteria (CPU time is the
fairer figure on a shared machine) and the rows processed.
Data are synthetic, generated here with NumPy (seeded), not taken from anywhere.
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import pandas as pd

from hcctrials.response import ResponseSettings, derive_responses


def make_study(n_subjects: int, n_visits: int = 8, seed: int = 5) -> tuple[pd.DataFrame,
                                                                            pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_targets = rng.integers(1, 6, n_subjects)                 # 1..5 targets
    dose = np.datetime64("2024-01-01") + rng.integers(0, 365, n_subjects).astype("timedelta64[D]")
    visit_offsets = np.array([-7] + [42 * k for k in range(1, n_visits)])
    # per-subject trend: shrink, stable or grow
    trend = rng.choice([-0.12, -0.02, 0.06], n_subjects, p=[0.3, 0.45, 0.25])
    parts = []
    for lesion in range(5):
        has = n_targets > lesion
        subj = np.flatnonzero(has)
        base = rng.integers(100, 600, len(subj)) / 10.0
        for v, off in enumerate(visit_offsets):
            noise = rng.normal(0, 0.03, len(subj))
            d = np.clip(base * (1 + trend[subj] * v + noise), 0, None).round(1)
            d[rng.random(len(subj)) < 0.01] = np.nan          # ~1% not assessed
            if v == 0:
                d = base
            parts.append(pd.DataFrame({
                "subject_id": subj, "visit_date": dose[subj] + np.timedelta64(int(off), "D"),
                "lesion_id": f"T{lesion}", "lesion_role": "target",
                "organ": f"organ{lesion}", "is_lymph_node": False, "diameter_mm": d,
                "viable_diameter_mm": np.nan if lesion else d, "non_target_status": None}))
    for lesion in range(2):
        subj = np.arange(n_subjects)
        for v, off in enumerate(visit_offsets):
            status = np.where(rng.random(n_subjects) < 0.97, "present", "not_evaluated")
            if v == 0:
                status[:] = "present"
            parts.append(pd.DataFrame({
                "subject_id": subj, "visit_date": dose + np.timedelta64(int(off), "D"),
                "lesion_id": f"NT{lesion}", "lesion_role": "non_target", "organ": "bone",
                "is_lymph_node": False, "diameter_mm": np.nan, "viable_diameter_mm": np.nan,
                "non_target_status": status}))
    # a new lesion for ~5% of subjects at a random visit
    subj = np.flatnonzero(rng.random(n_subjects) < 0.05)
    when = rng.integers(1, n_visits, len(subj))
    parts.append(pd.DataFrame({
        "subject_id": subj, "visit_date": dose[subj] + visit_offsets[when].astype("timedelta64[D]"),
        "lesion_id": "NEW1", "lesion_role": "new", "organ": "lung", "is_lymph_node": False,
        "diameter_mm": 15.0, "viable_diameter_mm": np.nan, "non_target_status": None}))
    df = pd.concat(parts, ignore_index=True)
    df["subject_id"] = "S" + df["subject_id"].astype(str).str.zfill(6)
    doses = pd.DataFrame({"subject_id": "S" + pd.Series(np.arange(n_subjects)).astype(str)
                          .str.zfill(6), "first_dose_date": dose})
    return df, doses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--criteria", default="recist11,mrecist,irecist,imrecist")
    args = parser.parse_args()
    t0 = time.perf_counter()
    df, doses = make_study(args.subjects)
    print(f"generated {len(df):,} lesion rows for {args.subjects:,} subjects "
          f"in {time.perf_counter() - t0:.1f} s")
    for criteria in args.criteria.split(","):
        t0 = time.perf_counter()
        c0 = time.process_time()
        result = derive_responses(df, doses, criteria=criteria,
                                  settings=ResponseSettings(confirm=True))
        dt = time.perf_counter() - t0
        cpu = time.process_time() - c0
        counts = result.subjects["best_overall_response"].value_counts().to_dict()
        print(f"{criteria:9s} confirm=True: {dt:6.2f} s wall, {cpu:6.2f} s CPU  visits={len(result.visits):,}  "
              f"BOR={counts}")
        del result
        gc.collect()


if __name__ == "__main__":
    main()
