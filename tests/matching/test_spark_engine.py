"""The Spark engine (PySpark ``mapInArrow``, local mode) gives the local engine's answers, pair for pair.

A generated cohort (the bundled example patients varied in age, ECOG, laboratory values and
histology) is written as Parquet, JSON lines and FHIR bulk NDJSON; each is screened by
:func:`hcctrials.matching.spark_engine.screen_with_spark` on ``local[2]`` and by the local engine
(:func:`hcctrials.matching.cohort.screen_batch` over :func:`iter_patient_file_batches`), and the
listed pairs, the full table and the counts per trial must be identical.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hcctrials.errors import InputError, ValidationError
from hcctrials.matching.cohort import (
    PAIR_SCHEMA, VERDICT_SCHEMA, CohortCatalog, build_cohort_catalog, iter_patient_file_batches, screen_batch,
)
from hcctrials.model.patient import Patient
from hcctrials.model.trial import OverallStatus, Trial
from hcctrials.patients import load_patient
from hcctrials.patients.plausibility import check_patient

# PySpark's driver leaves the local socket of a collect() to the garbage collector (a ResourceWarning
# raised as an unraisable exception): not ours to fix, ignored for these tests only.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning")]

AS_OF = date(2024, 3, 10)
EXAMPLES = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients"


def _cohort(n: int) -> list[Patient]:
    rng = random.Random(15)
    bases = [load_patient(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    out: list[Patient] = []
    while len(out) < n:
        b = bases[len(out) % len(bases)]
        labs = [lab.model_copy(update={"value": round(lab.value * rng.uniform(0.8, 1.25), 2)})
                if lab.value is not None else lab for lab in b.labs]
        p = b.model_copy(update={
            "patient_id": f"S{len(out):04d}", "labs": labs, "ecog": rng.choice([0, 1, 2, None]),
            "birth_date": date(rng.randint(1940, 2003), rng.randint(1, 12), 1),
            "diagnosis": b.diagnosis.model_copy(update={"histology": rng.choice(
                [None, "hcc", "hcc", "cholangiocarcinoma", "combined_hcc_cca"])})})
        try:
            out.append(check_patient(p))
        except ValidationError:
            continue
    return out


@pytest.fixture(scope="module")
def catalog_trials(seed_trials: dict[str, Trial]) -> list[Trial]:
    """The seed trials, each open (recruiting, no window) and closed (completed)."""
    out = []
    for k, t in enumerate(seed_trials.values()):
        dates = t.dates.model_copy(update={"recruitment_start": None, "recruitment_end": None, "study_start": None,
                                           "primary_completion": None})
        out.append(t.model_copy(update={"overall_status": OverallStatus.RECRUITING, "dates": dates}))
        out.append(t.model_copy(update={"trial_id": f"{t.trial_id}-closed", "overall_status": OverallStatus.COMPLETED}))
    return out


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from hcctrials.matching.spark_engine import spark_session

    session = spark_session("local[2]", batch_size=50)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cohort")
    people = _cohort(240)
    lines = folder / "patients.jsonl"
    lines.write_text("".join(p.model_dump_json(exclude_none=True) + "\n" for p in people), encoding="utf-8")
    parquet = folder / "patients.parquet"
    pq.write_table(pa.table({"patient_id": [p.patient_id for p in people],
                             "patient_json": [p.model_dump_json(exclude_none=True) for p in people]}),
                   parquet, row_group_size=60)
    bundle = json.loads((EXAMPLES / "shanghai_fhir_bundle.json").read_text(encoding="utf-8"))
    bulk = folder / "patients.ndjson"
    with bulk.open("w", encoding="utf-8") as handle:
        for k in range(6):  # six patients, resources interleaved as a bulk export lists them by type
            pid = f"EX-SH-{k:03d}"
            for e in bundle["entry"]:
                text = json.dumps(e["resource"], ensure_ascii=False).replace("EX-SH-005", pid)
                if e["resource"]["resourceType"] != "Patient":
                    text = text.replace('"id": "', f'"id": "{k}-')
                handle.write(text + "\n")
    flat = folder / "patients.csv"  # the flat CSV layout of docs/patients.md, a comma inside a quoted field
    rng = random.Random(7)
    rows = ["patient_id,birth_date,sex,ecog,histology,etiologies,ascites,labs_date,platelets,platelets_unit,"
            "bilirubin_total,bilirubin_total_unit,albumin,albumin_unit"]
    for k in range(240):
        rows.append(f"C{k:03d},{rng.randint(1940, 2000)}-0{rng.randint(1, 9)}-01,{rng.choice(['male', 'female'])},"
                    f"{rng.choice(['0', '1', '2', ''])},{rng.choice(['hcc', 'cholangiocarcinoma', ''])},"
                    f"\"hbv;alcohol\",{rng.choice(['none', 'mild', ''])},2024-03-01,{rng.randint(40, 300)},10^9/L,"
                    f"{rng.randint(5, 60)},umol/L,{rng.randint(25, 45)},g/L")
    flat.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {"jsonl": lines, "parquet": parquet, "ndjson": bulk, "csv": flat}


def _local(path: Path, catalog: CohortCatalog, all_pairs: bool) -> tuple[set[tuple], np.ndarray]:
    rows: set[tuple] = set()
    counts = np.zeros(0)
    for batch in iter_patient_file_batches(path, batch_size=70):
        got = screen_batch(batch, catalog, all_pairs=all_pairs)
        rows |= {tuple(r.values()) for r in got.pairs.to_pylist()}
        counts = got.counts if counts.size == 0 else counts + got.counts
    return rows, counts


def _spark(spark: object, path: Path, catalog: CohortCatalog, out: Path, all_pairs: bool) -> tuple[set[tuple], np.ndarray, int]:
    from hcctrials.matching.spark_engine import screen_with_spark

    result = screen_with_spark(str(path), catalog, out=str(out), all_pairs=all_pairs, spark=spark)  # type: ignore[arg-type]
    names = (VERDICT_SCHEMA if all_pairs else PAIR_SCHEMA).names
    table = pq.read_table(out, filters=[("row_kind", "=", "pair")]).select(names)
    assert table.num_rows == result.pairs
    return {tuple(r.values()) for r in table.to_pylist()}, result.counts, result.patients


@pytest.mark.parametrize("kind", ["parquet", "jsonl", "csv"])
def test_spark_lists_the_same_pairs_as_the_local_engine(spark: object, files: dict[str, Path], tmp_path: Path,
                                                        catalog_trials: list[Trial], kind: str) -> None:
    catalog = build_cohort_catalog(catalog_trials, as_of=AS_OF, all_pairs=False)
    local_rows, local_counts = _local(files[kind], catalog, False)
    rows, counts, patients = _spark(spark, files[kind], catalog, tmp_path / "out", False)
    assert local_rows and rows == local_rows
    assert (counts == local_counts).all() and patients == 240
    assert {r[3] for r in rows} <= {"eligible", "possibly_eligible"}


def test_spark_gives_every_verdict_of_the_local_engine(spark: object, files: dict[str, Path], tmp_path: Path,
                                                       catalog_trials: list[Trial]) -> None:
    catalog = build_cohort_catalog(catalog_trials, as_of=AS_OF, all_pairs=True)
    local_rows, local_counts = _local(files["parquet"], catalog, True)
    rows, counts, _ = _spark(spark, files["parquet"], catalog, tmp_path / "all", True)
    assert len(rows) == 240 * len(catalog_trials) and rows == local_rows
    assert (counts == local_counts).all()
    assert {r[3] for r in rows} >= {"ineligible", "other_condition"}


def test_spark_converts_fhir_bulk_ndjson_on_the_executors(spark: object, files: dict[str, Path], tmp_path: Path,
                                                          catalog_trials: list[Trial]) -> None:
    catalog = build_cohort_catalog(catalog_trials, as_of=AS_OF, all_pairs=True)
    local_rows, _ = _local(files["ndjson"], catalog, True)
    rows, _, patients = _spark(spark, files["ndjson"], catalog, tmp_path / "fhir", True)
    assert patients == 6 and rows == local_rows


def test_a_missing_java_runtime_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from hcctrials.matching.spark_engine import require_spark

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(InputError, match="Java runtime") as caught:
        require_spark()
    assert "\n" not in str(caught.value)
