"""Cohort screening partitioned on Apache Spark: the same pure batch function, per partition.

``hcctrials screen --engine spark --master local[2] PATIENTS.parquet --out verdicts/`` runs
:func:`hcctrials.matching.cohort.screen_batch` inside PySpark's ``DataFrame.mapInArrow``: each
executor receives Arrow record batches of patients and returns Arrow batches of listed pairs
(or every pair with ``--all-pairs``) and counts per trial.  The prepared
:class:`~hcctrials.matching.cohort.CohortCatalog` (criteria compiled once on the driver, from the
database cache) is broadcast once; each Python worker unpickles it once.

Patients come from

* **Parquet**: a ``patient_json`` column (the batch layout) or the patient schema as columns;
* **JSON lines** (``.jsonl``, ``.ndjson``): one patient (our schema) or FHIR R4 Bundle per line,
  read as text and parsed on the executors; **FHIR bulk NDJSON** (one resource per line) is
  grouped per patient (``Patient/<id>`` and the ``subject`` / ``patient`` references) with a
  shuffle, each group becomes a Bundle and is converted on the executors by the FHIR reader
  (:mod:`hcctrials.patients.fhir`);
* **CSV** (the flat layout of :mod:`hcctrials.patients.io`): rows are read by Spark and converted
  on the executors by the same CSV reader.

The executors write one Parquet folder at ``--out`` in one pass: rows with ``row_kind = 'pair'`` are the
listed pairs (the columns of the local engine's output, plus ``trial_index`` and ``pairs``, empty there);
rows with ``row_kind = 'count'`` hold the pairs per trial and outcome of each batch, which the driver sums
(``OUT.counts.csv``).  This module is an adapter: PySpark is imported here only,
lazily, and a missing PySpark or Java runtime is a one-line error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from hcctrials.errors import InputError, ParseError
from hcctrials.matching.cohort import (
    COUNT_COLUMNS, JSON_LINES, PAIR_SCHEMA, VERDICT_SCHEMA, CohortCatalog, is_fhir_bulk, parquet_rows_to_batch,
    screen_batch,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkScreenResult", "screen_with_spark", "spark_session", "require_spark", "spark_row_schema"]

_OUT_ROWS = 65_536  # rows per Arrow batch returned to the JVM
_ROW_KIND = "row_kind"  # "pair" for a listed pair, "count" for a count row


@dataclass
class SparkScreenResult:
    """Counts per trial and outcome (rows: trials of the catalog; columns: ``COUNT_COLUMNS``), patients
    screened and rows written."""

    counts: np.ndarray
    patients: int
    pairs: int


def require_spark() -> None:
    """A one-line :class:`InputError` when PySpark or a Java runtime is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError("the Spark engine needs PySpark, which is not installed",
                         hint="pip install pyspark (or use --engine local)") from None
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        raise InputError("the Spark engine needs a Java runtime, and none was found (java not on PATH, no JAVA_HOME)",
                         hint="install one, e.g. apt-get install openjdk-17-jre-headless (or use --engine local)")


def spark_row_schema(all_pairs: bool) -> pa.Schema:
    """Arrow schema of the rows the executors return: the output columns as plain strings, ``row_kind``
    (``pair`` for a listed pair; ``count`` for the number of pairs, ``pairs``, of one trial, ``trial_index``,
    with one outcome, ``verdict``, in one batch)."""
    base = VERDICT_SCHEMA if all_pairs else PAIR_SCHEMA
    fields = [pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in base]
    fields += [pa.field("trial_index", pa.int32()), pa.field("pairs", pa.int64()), pa.field(_ROW_KIND, pa.string())]
    return pa.schema(fields)


def _ddl(schema: pa.Schema) -> str:
    kinds = {pa.string(): "string", pa.int32(): "int", pa.int64(): "bigint"}  # the types of spark_row_schema
    return ", ".join(f"{f.name} {kinds[f.type]}" for f in schema)


def _csv_rows_to_batch(batch: pa.RecordBatch, source: str | None) -> pa.Table:
    """Rows of the flat CSV layout (read by Spark, all strings) converted by the CSV patient reader."""
    import tempfile

    import pyarrow.csv as pacsv

    from hcctrials.matching.cohort import patients_to_batch
    from hcctrials.patients import load_patients

    names = [n for n in batch.schema.names if not n.startswith("_hcct_")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "patients.csv")
        pacsv.write_csv(pa.Table.from_batches([batch]).select(names), path,
                        pacsv.WriteOptions(quoting_style="needed"))
        patients = list(load_patients(path))
    return patients_to_batch(patients, source=source, records=[f"patient {p.patient_id}" for p in patients])


def _bundles_to_batch(batch: pa.RecordBatch, source: str | None) -> pa.Table:
    """Groups of FHIR bulk resources (``_hcct_key``, ``_hcct_resources``: the lines of one patient in
    file order) as one Bundle per patient, in the batch layout (converted by :func:`screen_batch`)."""
    import orjson

    keys = batch.column("_hcct_key").to_pylist()
    groups = batch.column("_hcct_resources").to_pylist()
    raws: list[str] = []
    for key, lines in zip(keys, groups):
        resources = [orjson.loads(line) for line in lines]
        patients = [r for r in resources if r.get("resourceType") == "Patient"]
        if not patients:
            raise ParseError("FHIR resources refer to a patient not in the input", file=source, value=key)
        others = [r for r in resources if r.get("resourceType") != "Patient"]
        raws.append(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": r} for r in [patients[0], *others]]}).decode())
    return pa.table({"patient_json": pa.array(raws, pa.string()), "source": pa.array([source] * len(raws), pa.string()),
                     "record": pa.array([str(k) for k in keys], pa.string())})


def _to_patient_batch(batch: pa.RecordBatch, layout: str, source: str | None) -> pa.Table:
    if layout == "csv":
        return _csv_rows_to_batch(batch, source)
    if layout == "fhir_bulk":
        return _bundles_to_batch(batch, source)
    if layout == "lines":
        return pa.table({"patient_json": batch.column("value"),
                         "source": pa.array([source] * batch.num_rows, pa.string()),
                         "record": pa.nulls(batch.num_rows, pa.string())})
    return parquet_rows_to_batch(batch, source=source, first_row=1)


def _output_batches(result_pairs: pa.Table, counts: np.ndarray, catalog: CohortCatalog,
                    schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The executor's output: pair rows, then one count row per trial and outcome with pairs, in batches of
    at most ``_OUT_ROWS`` rows (cast to plain strings slice by slice, so a worker holds one slice of text and
    the JVM converts one batch at a time)."""
    for start in range(0, result_pairs.num_rows, _OUT_ROWS):
        part = result_pairs.slice(start, _OUT_ROWS)
        n = part.num_rows
        columns: list[pa.Array] = []
        for f in schema:
            if f.name in part.schema.names:
                col = part.column(f.name).combine_chunks()
                columns.append(col.cast(f.type) if pa.types.is_dictionary(col.type) else col)
            elif f.name == _ROW_KIND:
                columns.append(pa.array(["pair"] * n, pa.string()))
            else:
                columns.append(pa.nulls(n, f.type))
        yield pa.RecordBatch.from_arrays(columns, schema=schema)
    trial, outcome = np.nonzero(counts)
    n = int(trial.size)
    values = {"trial_id": [catalog.trial_ids[k] for k in trial.tolist()],
              "registry": [catalog.registries[k] for k in trial.tolist()],
              "recruiting": [catalog.recruiting[k] for k in trial.tolist()],
              "verdict": [COUNT_COLUMNS[v] for v in outcome.tolist()],
              "trial_index": trial.astype(np.int32), "pairs": counts[trial, outcome].astype(np.int64),
              _ROW_KIND: ["count"] * n}
    columns = [pa.array(values[f.name], f.type) if f.name in values else pa.nulls(n, f.type) for f in schema]
    yield pa.RecordBatch.from_arrays(columns, schema=schema)


def _screen_partition(broadcast: Any, layout: str, source: str | None, all_pairs: bool,
                      batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow function: Arrow batches of patients in, Arrow batches of rows out (runs on executors)."""
    catalog: CohortCatalog = broadcast.value
    schema = spark_row_schema(all_pairs)
    for batch in batches:
        if batch.num_rows == 0:
            continue
        result = screen_batch(_to_patient_batch(batch, layout, source), catalog, all_pairs=all_pairs)
        yield from _output_batches(result.pairs, result.counts, catalog, schema)


def spark_session(master: str | None, *, batch_size: int = 5_000, app_name: str = "hcctrials screen") -> SparkSession:
    """A Spark session (``master`` None: the one spark-submit or the environment configures)."""
    require_spark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_size))
    if master and master.startswith("local") and "spark.driver.memory" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        # local mode: the driver JVM is the executor; its heap holds Arrow batches in flight, not the cohort
        builder = builder.config("spark.driver.memory", "512m")
        builder = builder.config("spark.hadoop.parquet.block.size", str(32 * 1024 * 1024))  # row groups buffered
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _read_patients(spark: SparkSession, path: str) -> tuple[DataFrame, str]:
    """(patients DataFrame, layout) for a Parquet, JSON lines, FHIR NDJSON or CSV input."""
    from pyspark.sql import functions as F

    suffix = Path(path).suffix.lower()
    local = Path(path)
    if suffix in JSON_LINES or (local.is_dir() and any(local.glob("*.ndjson"))):
        if local.is_file() and is_fhir_bulk(local):
            lines = spark.read.text(path).where(F.length(F.trim("value")) > 0)
            rtype = F.get_json_object("value", "$.resourceType")
            key = F.when(rtype == "Patient", F.concat(F.lit("Patient/"), F.get_json_object("value", "$.id"))) \
                .otherwise(F.coalesce(F.get_json_object("value", "$.subject.reference"),
                                      F.get_json_object("value", "$.patient.reference")))
            keyed = lines.select(key.alias("_hcct_key"), F.monotonically_increasing_id().alias("_hcct_n"), "value")
            missing = keyed.where(F.col("_hcct_key").isNull()).limit(1).collect()
            if missing:
                raise ParseError("FHIR resource without a Patient subject reference", file=path,
                                 field="subject.reference", value=str(missing[0]["value"])[:80])
            grouped = keyed.groupBy("_hcct_key").agg(
                F.sort_array(F.collect_list(F.struct("_hcct_n", "value"))).alias("_g"))
            # one partition per core after the shuffle (not spark.sql.shuffle.partitions, 200 small tasks that
            # each load the catalog): screening is CPU-bound and mapInArrow streams each partition in batches
            parts = max(1, spark.sparkContext.defaultParallelism)
            return grouped.select("_hcct_key", F.col("_g.value").alias("_hcct_resources")).coalesce(parts), "fhir_bulk"
        return spark.read.text(path).where(F.length(F.trim("value")) > 0), "lines"
    if suffix == ".csv":
        return spark.read.option("header", True).option("inferSchema", False).option("multiLine", True).csv(path), "csv"
    if suffix == ".parquet" or local.is_dir():
        return spark.read.parquet(path), "parquet"
    raise InputError(f"the Spark engine reads Parquet, JSON lines, FHIR NDJSON or CSV, not {suffix or 'this'}",
                     file=path, value=suffix, hint="use .parquet, .jsonl, .ndjson or .csv")


def screen_with_spark(patients: str, catalog: CohortCatalog, *, out: str, master: str | None = None,
                      all_pairs: bool = False, batch_size: int = 5_000,
                      spark: SparkSession | None = None) -> SparkScreenResult:
    """Screen the patients at *patients* on Spark; write the rows as a Parquet folder at *out*
    (``row_kind`` ``pair``: the listed pairs; ``count``: counts per trial, outcome and batch)."""
    from functools import partial

    from pyspark.sql import functions as F

    if "://" not in patients and not Path(patients).exists():
        raise InputError("patients file not found", file=patients, value=patients)
    if spark is None:
        spark = spark_session(master, batch_size=batch_size)
    frame, layout = _read_patients(spark, patients)
    parallelism = max(1, spark.sparkContext.defaultParallelism)
    if frame.rdd.getNumPartitions() < parallelism:  # e.g. one Parquet row group: use every core
        frame = frame.repartition(parallelism)
    broadcast = spark.sparkContext.broadcast(catalog)
    schema = spark_row_schema(all_pairs)
    rows = frame.mapInArrow(partial(_screen_partition, broadcast, layout, patients, all_pairs), _ddl(schema))
    # one pass: pairs and counts written together (no cache, no second evaluation, no sort by row kind);
    # then the few count rows are read back (the row_kind column only, then the count rows' columns)
    try:
        rows.write.mode("overwrite").parquet(out)
        written = spark.read.parquet(out).where(F.col(_ROW_KIND) == "pair").count()
        sums = spark.read.parquet(out).where(F.col(_ROW_KIND) == "count").groupBy("trial_index", "verdict").agg(
            F.sum("pairs").alias("pairs")).collect()
    finally:
        try:
            broadcast.destroy()
        except Exception:  # noqa: BLE001 - a dead JVM must not hide the error that killed it
            pass
    counts = np.zeros((len(catalog.trial_ids), len(COUNT_COLUMNS)), dtype=np.int64)
    for row in sums:
        counts[int(row["trial_index"]), COUNT_COLUMNS.index(row["verdict"])] = int(row["pairs"])
    screened = int(counts[0].sum()) if counts.shape[0] else 0
    return SparkScreenResult(counts, screened, written)
