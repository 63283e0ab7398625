"""Benchmark: the whole endpoint pipeline for design simulation.

10,000 simulated single-arm trials x 50 subjects: lesion-level tumour assessments (one
target lesion, scans every 8 weeks) -> hcctrials.response.derive_responses (RECIST 1.1,
confirmed BOR) -> ORR with Clopper-Pearson CI per trial -> derive_tte (PFS) in one
vectorised pass -> Kaplan-Meier median with Brookmeyer-Crowley CI per trial.
Prints the time of each stage, the total, and the simulated operating characteristics.
Run: python benchmarks/endpoints_simulation.py [n_trials]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from hcctrials.endpoints import PFS, compute_clopper_pearson_many, compute_kaplan_meier, derive_tte
from hcctrials.response import ResponseSettings, derive_responses


def simulate(n_trials: int, n_subj: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = n_trials * n_subj
    sid = np.array([f"T{t:05d}-{s:02d}" for t in range(n_trials) for s in range(n_subj)])
    fd = pd.Timestamp("2025-01-01")
    base = rng.uniform(20, 80, n)
    kind = rng.choice(3, n, p=[0.25, 0.45, 0.30])            # responder, stable, progressor
    depth = np.where(kind == 0, rng.uniform(0.35, 0.9, n), 0.0)
    t_pd = np.where(kind == 2, rng.integers(1, 3, n), rng.integers(3, 9, n))
    death_day = rng.exponential(420, n)
    rows_s, rows_v, rows_d = [], [], []
    n_vis = np.minimum(t_pd, 8)
    for v in range(0, 9):
        alive = (v <= n_vis) & (v * 56 < death_day)
        idx = np.flatnonzero(alive)
        if v == 0:
            f = np.ones(idx.size)
        else:
            f = np.where(kind[idx] == 0, 1 - depth[idx] * min(v / 2, 1), 1 + rng.normal(0, 0.05, idx.size))
            at_pd = v == t_pd[idx]
            f = np.where(at_pd, np.maximum(f, 1 - depth[idx]) * 1.35 + 0.1, f)
        rows_s.append(idx)
        rows_v.append(np.full(idx.size, v))
        rows_d.append(np.round(base[idx] * f, 1))
    s = np.concatenate(rows_s)
    v = np.concatenate(rows_v)
    d = np.concatenate(rows_d)
    dates = fd + pd.to_timedelta(np.where(v == 0, -7, v * 56), unit="D")
    assess = pd.DataFrame({"subject_id": sid[s], "visit_date": dates, "lesion_id": "T1",
                           "lesion_role": "target", "organ": "liver", "is_lymph_node": False,
                           "diameter_mm": d, "measurable": True})
    last_scan = pd.Series(dates).groupby(sid[s]).max()
    death = fd + pd.to_timedelta(np.ceil(death_day), unit="D")
    cutoff = fd + pd.Timedelta(days=720)
    died = death <= cutoff
    dd = pd.Series(np.where(died, death, pd.NaT), index=sid).astype("datetime64[ns]")
    dd = dd.where(~(dd < last_scan.reindex(sid).to_numpy()), last_scan.reindex(sid).to_numpy() + pd.Timedelta(days=1))
    subjects = pd.DataFrame({"subject_id": sid, "first_dose_date": fd, "death_date": dd.to_numpy(),
                             "last_known_alive_date": np.where(died, pd.NaT, cutoff)})
    return subjects, assess


def main() -> None:
    n_trials = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_subj = 50
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    subjects, assess = simulate(n_trials, n_subj, rng)
    t_sim = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = derive_responses(assess, subjects[["subject_id", "first_dose_date"]], criteria="recist11",
                           settings=ResponseSettings(confirm=True))
    t_resp = time.perf_counter() - t1
    t2 = time.perf_counter()
    trial = subjects["subject_id"].str.slice(0, 6)
    bor = subjects[["subject_id"]].merge(res.subjects, on="subject_id", how="left")
    resp = bor["best_overall_response_confirmed"].isin(["CR", "PR"]).to_numpy()
    counts = pd.Series(resp).groupby(trial.to_numpy()).sum().to_numpy()
    lo, up = compute_clopper_pearson_many(counts, n_subj)
    t_orr = time.perf_counter() - t2
    t3 = time.perf_counter()
    adtte = derive_tte(subjects, res.visits[["subject_id", "visit_date", "overall_response"]],
                       endpoints=(PFS,))
    t_tte = time.perf_counter() - t3
    t4 = time.perf_counter()
    trial_of = adtte["subject_id"].str.slice(0, 6).to_numpy()
    order = np.argsort(trial_of, kind="stable")
    aval = adtte["AVAL"].to_numpy(float)[order]
    event = (adtte["CNSR"].to_numpy() == 0)[order]
    bounds = np.flatnonzero(trial_of[order][1:] != trial_of[order][:-1]) + 1
    medians = [compute_kaplan_meier(t, e).median()
               for t, e in zip(np.split(aval, bounds), np.split(event, bounds))]
    t_km = time.perf_counter() - t4
    total = time.perf_counter() - t1
    reject = counts > 7   # Simon optimal 2/18, 7/43 style cut-off for p0 .10, p1 .25 (single look)
    med = np.array([m.estimate if m.estimate is not None else np.nan for m in medians])
    print(f"{n_trials:,} trials x {n_subj} subjects ({len(assess):,} lesion rows): simulate {t_sim:.2f} s (not counted)")
    print(f"  responses (derive_responses, RECIST 1.1 confirmed): {t_resp:.2f} s")
    print(f"  ORR + Clopper-Pearson per trial: {t_orr:.2f} s")
    print(f"  PFS derive_tte: {t_tte:.2f} s;  KM median + CI per trial: {t_km:.2f} s")
    print(f"  TOTAL derive + summarise: {total:.2f} s")
    print(f"  mean ORR {counts.mean() / n_subj:.3f}; mean CI width {np.mean(up - lo):.3f}; "
          f"P(responses > 7) {reject.mean():.3f}; median PFS median {np.nanmedian(med):.0f} days")


if __name__ == "__main__":
    main()
