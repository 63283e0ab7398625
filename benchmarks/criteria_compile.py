"""Benchmark: compile the criteria of 10,000 trials (target < 60 s on 2 cores).

Trials are built at run time by sampling real criteria texts (HINT HCC subset, read from
../shared only here, never copied; and seeds 000/001/004) and varying their numbers, so
most criteria are new texts to the compiler (its cache helps only with exact repeats).
Usage: python benchmarks/criteria_compile.py [N_TRIALS] [WORKERS=2]
"""

from __future__ import annotations

import os
import random
import resource
import re
import sys
import time
from pathlib import Path

from hcctrials.criteria import compile_trials, compute_coverage
from hcctrials.model.trial import Eligibility, Provenance, Registry, Text, Trial
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def real_criteria() -> tuple[list[Text], list[Text]]:
    inc: list[Text] = []
    exc: list[Text] = []
    files = [SHARED / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv",
             *sorted((SHARED / "seeds").glob("00[014]_*.txt"))]
    for f in files:
        for r in parse_path(f):
            if isinstance(r, ParsedRecord):
                inc.extend(r.trial.eligibility.inclusion)
                exc.extend(r.trial.eligibility.exclusion)
    return inc, exc


def vary(text: Text, rng: random.Random) -> Text:
    def bump(m: re.Match[str]) -> str:
        return str(int(m.group(0)) + rng.choice([0, 0, 1, 2, 5]))
    return Text(en=re.sub(r"\d+", bump, text.en) if text.en else None,
                zh=re.sub(r"\d+", bump, text.zh) if text.zh else None)


def build(n: int, seed: int = 3) -> list[Trial]:
    rng = random.Random(seed)
    inc, exc = real_criteria()
    prov = Provenance(source_format="benchmark", raw_sha256="0" * 64)
    trials = []
    for i in range(n):
        el = Eligibility(inclusion=[vary(t, rng) for t in rng.sample(inc, 12)],
                         exclusion=[vary(t, rng) for t in rng.sample(exc, 18)])
        trials.append(Trial(trial_id=f"BENCH{i:05d}", registry=Registry.OTHER, eligibility=el, provenance=prov))
    return trials


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    t0 = time.perf_counter()
    trials = build(n)
    t1 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    compiled = compile_trials(trials, workers=workers)
    t2 = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu0
    report = compute_coverage(compiled)
    distinct = len({c.text for t in compiled for c in t.criteria})
    print(f"built {n} trials ({report.total} criteria, {distinct} distinct texts) in {t1 - t0:.1f} s")
    print(f"compiled with {workers} processes in {t2 - t1:.1f} s ({report.total / (t2 - t1):.0f} criteria/s); target < 60 s")
    print(f"CPU time of the compile step (all processes): {cpu:.1f} s "
          f"(wall time depends on other load: {os.getloadavg()[0]:.1f} load average now)")
    print(f"coverage: {report.share:.1%} compiled, {report.share_with_partial:.1%} with partial rules")


if __name__ == "__main__":
    main()
