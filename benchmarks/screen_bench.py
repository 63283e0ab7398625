"""Cohort screening at hospital-network scale (issue 15): `hcctrials screen` end to end, measured.

A catalog of N open trials (the seed records and the HINT HCC subset, tests-only data read from
../shared at run time, replicated with their numeric thresholds shifted so the rules differ, and
made recruiting on the as-of date: a nightly screen is against every open trial) is stored in a
fresh SQLite database and compiled once (the criteria cache, as after `hcctrials ingest`).  A
cohort of M patients (the bundled example patients, varied in age, sex, ECOG, every laboratory
value, liver items, therapy lines and histology; physiologically possible values only) is written
as Parquet (the batch layout: ``patient_id, patient_json``).

Then ``hcctrials screen`` runs as a new process, as a user runs it, and is timed end to end
(imports, catalog from the database, reading, evaluating, writing); the peak RSS of every process of
the run (parent, worker processes; for Spark the driver, the JVM and the Python workers) is its
``VmHWM`` read from /proc while it runs.  Figures printed:

    python benchmarks/screen_bench.py                  # 1M x 1k local; 100k x 1k local and Spark local[2]
    python benchmarks/screen_bench.py --quick          # 20k x 200 local; 10k x 200 local and Spark

Not a timed test: the machine is shared, so the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

AS_OF = date(2026, 1, 15)
EXAMPLES = Path(__file__).resolve().parents[1] / "src/hcctrials/datasets/patients"


def open_catalog(n: int) -> list[Any]:
    """n trials varied from the real records, each recruiting on AS_OF (status recruiting, no window)."""
    from matching_bench import base_trials, vary

    from hcctrials.model.trial import OverallStatus

    out = []
    for t in vary(base_trials(), n):
        dates = t.dates.model_copy(update={"recruitment_start": None, "recruitment_end": None,
                                           "study_start": None, "primary_completion": None})
        out.append(t.model_copy(update={"overall_status": OverallStatus.RECRUITING, "dates": dates}))
    return out


def write_cohort(path: Path, n: int, *, seed: int = 15, chunk: int = 50_000) -> None:
    """n patients as Parquet (patient_id, patient_json), generated as JSON from the example patients."""
    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hcctrials.errors import ValidationError
    from hcctrials.patients import load_patient
    from hcctrials.patients.plausibility import check_patient

    rng = random.Random(seed)
    bases = [orjson.loads(load_patient(p).model_dump_json(exclude_none=True))
             for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    histologies = ["hcc"] * 8 + ["cholangiocarcinoma", "combined_hcc_cca"]
    # a handful of varied records checked up front: values are scaled within 0.8-1.25, which keeps the
    # examples' values physiologically possible (checked again by the screen itself)
    with pq.ParquetWriter(path, pa.schema([("patient_id", pa.string()), ("patient_json", pa.string())])) as writer:
        done = 0
        while done < n:
            ids: list[str] = []
            raws: list[str] = []
            for _ in range(min(chunk, n - done)):
                b = bases[done % len(bases)]
                d = dict(b)
                pid = f"P{done:07d}"
                d["patient_id"] = pid
                d["labs"] = [{**lab, "value": round(lab["value"] * rng.uniform(0.8, 1.25), 2)} if "value" in lab else lab
                             for lab in b.get("labs", [])]
                d["birth_date"] = f"{rng.randint(1935, 2003)}-{rng.randint(1, 12):02d}-01"
                d.pop("age_years", None)
                d["sex"] = rng.choice(["male", "male", "female"])
                ecog = rng.choice([0, 1, 1, 2, None])
                if ecog is None:
                    d.pop("ecog", None)
                else:
                    d["ecog"] = ecog
                d["liver"] = {**b.get("liver", {}), "ascites": rng.choice(["none", "none", "mild"])}
                d["diagnosis"] = {**b.get("diagnosis", {}), "histology": rng.choice(histologies)}
                treatments = b.get("treatments", [])
                d["treatments"] = treatments if rng.random() < 0.6 else treatments[:rng.randint(0, len(treatments))]
                ids.append(pid)
                raws.append(orjson.dumps(d).decode())
                done += 1
            writer.write_table(pa.table({"patient_id": ids, "patient_json": raws}))
    from hcctrials.model.patient import Patient

    for raw in raws[:200]:  # the generator keeps values possible: a spot check
        try:
            check_patient(Patient.model_validate_json(raw))
        except ValidationError as exc:
            raise SystemExit(f"generated an impossible patient: {exc}") from None


def _tree(pid: int) -> list[int]:
    """pid and its descendants (from /proc/<pid>/task/*/children)."""
    out = [pid]
    k = 0
    while k < len(out):
        try:
            for task in os.listdir(f"/proc/{out[k]}/task"):
                with open(f"/proc/{out[k]}/task/{task}/children") as handle:
                    out.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
        k += 1
    return out


def _cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status(pid: int) -> tuple[str, int] | None:
    """(command name, VmHWM in KiB) of a process, from /proc/<pid>/status."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
    except OSError:
        return None
    hwm = fields.get("VmHWM")
    return (fields["Name"].strip(), int(hwm.split()[0])) if hwm else None


class Run:
    """What one `hcctrials screen` run measured."""

    def __init__(self, wall: float, peaks: dict[int, tuple[str, int]], cpu_total: float,
                 cpu: dict[int, tuple[str, float]], loads: list[float]) -> None:
        self.wall, self.peaks, self.cpu_total, self.cpu, self.loads = wall, peaks, cpu_total, cpu, loads


def run_screen(args: list[str], env: dict[str, str]) -> tuple[Run, str]:
    """Run `hcctrials screen ARGS` as a new process: what it measured (wall s, peak RSS and CPU seconds
    per process, CPU seconds of the whole process tree from getrusage, 1-minute load averages seen)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "hcctrials.cli.main", "screen", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peaks: dict[int, tuple[str, int]] = {}
    cpu: dict[int, tuple[str, float]] = {}
    loads: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        k = 0
        while not stop.is_set():
            for pid in _tree(proc.pid):
                got = _status(pid)
                if got is not None and got[1] >= peaks.get(pid, ("", 0))[1]:
                    peaks[pid] = got
                used = _cpu(pid)
                if got is not None and used is not None:
                    cpu[pid] = (got[0], used)
            if k % 50 == 0:
                loads.append(os.getloadavg()[0])
            k += 1
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"hcctrials screen failed ({proc.returncode}):\n{out[-3000:]}")
    total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # processes that are not waited for by their parent (Spark's JVM and Python workers) are missing from
    # getrusage: then the sum of the last CPU times sampled per process is the better (lower) bound
    total = max(total, sum(used for _, used in cpu.values()))
    return Run(wall, peaks, total, cpu, loads), out


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def report(label: str, patients: int, trials: int, run: Run, out: Path) -> None:
    import pyarrow.parquet as pq

    if out.is_dir() and "row_kind" in pq.read_schema(next(out.rglob("*.parquet"))).names:
        # the Spark engine's folder: pair rows and count rows
        rows = pq.read_table(out, columns=["verdict"], filters=[("row_kind", "=", "pair")]).num_rows
    elif out.is_dir():  # the local engine's folder: part files written by the worker processes
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in out.glob("part-*.parquet"))
    else:
        rows = pq.ParquetFile(out).metadata.num_rows
    procs = sorted(run.peaks.items(), key=lambda x: -x[1][1])
    shown = ", ".join(f"{name} {kib / 1024:.0f}" for _, (name, kib) in procs[:8])
    cpus = sorted(run.cpu.values(), key=lambda x: -x[1])
    per = ", ".join(f"{name} {sec:.0f}" for name, sec in cpus[:8])
    load = f"{min(run.loads):.1f}-{max(run.loads):.1f}" if run.loads else "?"
    print(f"{label}: {patients:,} patients x {trials:,} trials: wall {run.wall:.1f} s, "
          f"{patients / run.wall:,.0f} patients/s, CPU {run.cpu_total:.1f} s in all "
          f"({patients / max(run.cpu_total, 1e-9):,.0f} patients per CPU-second; per process: {per}), "
          f"{rows:,} pairs listed, output {_size(out) / 2**20:.1f} MiB; "
          f"peak RSS per process (MiB): {shown}; largest {procs[0][1][1] / 1024:.0f} MiB; load average {load}",
          flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (20k x 200 local, 10k x 200 Spark)")
    ap.add_argument("--patients", type=int, default=None, help="cohort of the one-machine run (default 1,000,000)")
    ap.add_argument("--trials", type=int, default=None, help="open trials (default 1,000)")
    ap.add_argument("--spark-patients", type=int, default=None, help="cohort of the Spark vs local run (default 100,000)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=5_000)
    ap.add_argument("--skip-spark", action="store_true")
    ap.add_argument("--skip-big", action="store_true", help="only the Spark vs local run")
    ap.add_argument("--all-pairs", action="store_true", help="also time --all-pairs on the Spark-sized cohort")
    ap.add_argument("--single-file", action="store_true",
                    help="local engine: one Parquet file written by the parent (default: a folder of part files "
                         "written by the worker processes, the fastest output)")
    ap.add_argument("--keep", default=None, help="a folder to keep the database and cohorts in (reused)")
    args = ap.parse_args()
    n_big = args.patients or (20_000 if args.quick else 1_000_000)
    n_trials = args.trials or (200 if args.quick else 1_000)
    n_spark = args.spark_patients or (10_000 if args.quick else 100_000)

    from hcctrials.matching.compiled_cache import load_compiled_trials
    from hcctrials.storage import open_store

    tmp = tempfile.TemporaryDirectory()
    folder = Path(args.keep or tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{folder}/screen-{n_trials}.sqlite3"
    print("uptime:", uptime(), flush=True)
    if not Path(folder, f"screen-{n_trials}.sqlite3").exists():
        s = time.perf_counter()
        store = open_store(db)
        trials = open_catalog(n_trials)
        store.save_trials(trials)
        load_compiled_trials(store, list(store.iter_trials()))  # compile once into the cache, as ingest does
        store.close()
        print(f"catalog: {n_trials} open trials saved and compiled in {time.perf_counter() - s:.0f} s (not timed below)")
    else:  # a kept database: bring its criteria cache up to date with this compiler (as `hcctrials ingest` does)
        s = time.perf_counter()
        store = open_store(db)
        load_compiled_trials(store, list(store.iter_trials()))
        store.close()
        print(f"catalog: criteria cache of {n_trials} trials checked in {time.perf_counter() - s:.0f} s (not timed below)")
    cohorts = {}
    for n in sorted({n_spark} if args.skip_big else {n_big, n_spark}):
        path = folder / f"cohort-{n}.parquet"
        if not path.exists():
            s = time.perf_counter()
            write_cohort(path, n)
            print(f"cohort: {n:,} patients written in {time.perf_counter() - s:.0f} s "
                  f"({path.stat().st_size / 2**20:.0f} MiB Parquet; not timed below)", flush=True)
        cohorts[n] = path
    env = dict(os.environ, HCCTRIALS_DB=db, COLUMNS="200")
    common = ["--as-of", AS_OF.isoformat(), "--batch-size", str(args.batch)]

    if not args.skip_big:
        out = folder / ("big.parquet" if args.single_file else "big")
        run, text = run_screen([str(cohorts[n_big]), "--out", str(out), "--workers", str(args.workers),
                                *common], env)
        report(f"local, {args.workers} processes", n_big, n_trials, run, out)
        print("   ", " | ".join(line.strip() for line in text.strip().splitlines()), flush=True)
        print("uptime:", uptime(), flush=True)

    out = folder / ("local.parquet" if args.single_file else "local")
    run, _ = run_screen([str(cohorts[n_spark]), "--out", str(out), "--workers", str(args.workers), *common], env)
    report(f"local, {args.workers} processes", n_spark, n_trials, run, out)
    if args.all_pairs:
        out = folder / "local-all.parquet"
        run, _ = run_screen([str(cohorts[n_spark]), "--out", str(out), "--workers", str(args.workers),
                             "--all-pairs", *common], env)
        report(f"local --all-pairs, {args.workers} processes", n_spark, n_trials, run, out)
    if not args.skip_spark:
        out = folder / "spark-out"
        run, _ = run_screen([str(cohorts[n_spark]), "--out", str(out), "--engine", "spark",
                             "--master", f"local[{args.workers}]", *common], env)
        report(f"spark local[{args.workers}]", n_spark, n_trials, run, out)
    print("uptime:", uptime(), flush=True)
    tmp.cleanup()


if __name__ == "__main__":
    main()
