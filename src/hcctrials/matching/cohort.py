"""Cohort screening: many patients against a catalog, as a pure function over Arrow batches.

A hospital network screens its whole HCC population against every open trial each night (issue
15).  What a screening team reads is short: the patient x trial pairs that are **eligible** or
**possibly eligible** for a **relevant, open** trial, each with the criterion that tells why (the
first undecided one of a possibly eligible pair: what to measure or review first), plus counts per
trial and per verdict.  Everything else (ineligible pairs, trials of other conditions, trials not
recruiting on the as-of date) is counted, not listed.

:func:`screen_batch` takes an Arrow table of patients (column ``patient_json``: one patient in the
documented JSON schema or a FHIR R4 Bundle, as read from the file; optional ``source`` and
``record`` name the file and the record for error messages) and returns a :class:`ScreenBatch`:

* ``pairs``: the listed pairs, patient-major, :data:`PAIR_SCHEMA` (``patient_id, trial_id,
  registry, verdict, n_undecided, first_undecided, recruiting``); with ``all_pairs`` every patient x
  trial row of :data:`VERDICT_SCHEMA` instead (the full table: ``deciding`` the first failing
  criterion, ``first_unknown`` the first undecided one);
* ``counts``: per trial of the catalog, pairs per outcome (:data:`COUNT_COLUMNS`).

Verdicts are those of the one-patient engine (``hcctrials match``,
:func:`hcctrials.criteria.evaluation.verdict.decide_trial_verdict`): the relevance gate of
:mod:`hcctrials.matching.relevance` first (a trial of another condition than the patient's is
``other_condition`` whatever its criteria say), then the trial's criteria.  Property tests check
the batch function against :func:`hcctrials.matching.matcher.match_patient`.

The function reads nothing but its arguments, so the same code runs per partition on a
distributed engine (:mod:`hcctrials.matching.spark_engine`, Spark ``mapInArrow``).  A
:class:`CohortCatalog` is prepared once (criteria compiled, recruiting state fixed on the as-of
date, the trials to evaluate flattened for column-wise evaluation) and pickles compactly for a
broadcast.  The records of a batch are read column-wise, with the reader's checks and errors and without
a pydantic object per record (:mod:`hcctrials.patients.columns`), and evaluated column-wise
(:mod:`hcctrials.criteria.columnar`): trials that no patient of the batch can be offered (another condition)
are skipped, and patients with the same leaf codes share one evaluation of the trees and one trial
reduction (:func:`_screen_verdicts`); the listed rows of each distinct outcome are laid out once and copied
per patient (:func:`_listed_pairs`).

The last section streams patient files (JSON lines, FHIR NDJSON, CSV, Parquet) into such batches,
so memory is bounded by the batch size, not the cohort (:func:`iter_patient_file_batches`), and cuts them
into parts for worker processes that read and write their rows themselves (:func:`iter_patient_file_parts`:
a Parquet file at row-group boundaries, :class:`ParquetSlice`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from hcctrials.criteria import CompiledCatalog, CompiledTrial, compile_trial
from hcctrials.criteria.columnar import ColumnarCatalog, FactColumns, ScreenVerdicts
from hcctrials.errors import ParseError
from hcctrials.matching.relevance import TrialConcepts, assess_relevance, patient_concepts, trial_concepts
from hcctrials.matching.status import RecruitingState, evaluate_recruiting_status
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial
from hcctrials.patients.columns import PatientColumns, read_patient_columns

__all__ = ["CohortCatalog", "build_cohort_catalog", "evaluate_cohort_batch", "screen_batch", "ScreenBatch",
           "iter_patient_batches", "iter_patient_file_batches", "patients_to_batch", "parse_batch_patients",
           "read_batch_columns", "ParquetSlice", "CohortPart", "part_batches", "iter_patient_file_parts",
           "VERDICT_SCHEMA", "PAIR_SCHEMA", "VERDICTS", "COUNT_COLUMNS", "LISTED_STATES", "OFFERED_STATES"]

_DICT = pa.dictionary(pa.int32(), pa.string())


def _required(name: str, kind: pa.DataType) -> pa.Field:
    """A column that is never null: written to Parquet as REQUIRED (no definition levels to encode: the writer
    spends about 30% less CPU on the listed pairs than with every column OPTIONAL; the values read back are the
    same)."""
    return pa.field(name, kind, nullable=False)


#: Every pair (``--all-pairs``); ``deciding`` / ``first_unknown`` are "" where there is none.
VERDICT_SCHEMA = pa.schema([
    _required("patient_id", _DICT), _required("trial_id", _DICT), _required("registry", _DICT),
    _required("verdict", _DICT), _required("n_unknown", pa.int32()), _required("deciding", _DICT),
    _required("first_unknown", _DICT), _required("recruiting", _DICT),
])
#: The listed pairs (default output): eligible or possibly eligible for a relevant, screened trial;
#: ``first_undecided`` is null for an eligible pair (no criterion undecided).
PAIR_SCHEMA = pa.schema([
    _required("patient_id", _DICT), _required("trial_id", _DICT), _required("registry", _DICT),
    _required("verdict", _DICT), _required("n_undecided", pa.int32()), ("first_undecided", _DICT),
    _required("recruiting", _DICT),
])
#: verdict codes of the output (0-3 as :data:`hcctrials.criteria.evaluation.verdict.TRIAL_VERDICTS`; 4 for a trial of
#: another condition than the patient's, which the relevance gate of ``hcctrials match`` hides too)
VERDICTS = ("eligible", "possibly_eligible", "ineligible", "unknown_no_criteria", "other_condition")
OTHER_CONDITION = 4
#: Outcomes counted per trial: the verdicts, and ``not_screened`` for a relevant trial whose recruiting
#: state on the as-of date is not screened (closed, or not yet open unless asked), which is not evaluated.
COUNT_COLUMNS = (*VERDICTS, "not_screened")
NOT_SCREENED = 5
#: Recruiting states screened by default (recruiting on the as-of date), and what ``hcctrials match`` offers.
LISTED_STATES: tuple[RecruitingState, ...] = ("open",)
OFFERED_STATES: tuple[RecruitingState, ...] = ("open", "not_yet_open", "uncertain")


def _unique(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(distinct values in first-seen order, code of each value)."""
    position: dict[str, int] = {}
    codes = np.fromiter((position.setdefault(v, len(position)) for v in values), dtype=np.int32, count=len(values))
    return list(position), codes


@dataclass
class CohortCatalog:
    """Trials prepared for screening: compiled criteria (deduplicated, flattened for column-wise
    evaluation) of the trials that are evaluated, and the recruiting state on ``as_of``.

    ``screened`` marks the trials whose recruiting state is screened (``states``); with
    ``all_pairs`` every trial with criteria is evaluated, else only the screened ones."""

    as_of: date
    trial_ids: list[str]
    registries: list[str]
    with_criteria: np.ndarray  # bool per trial
    recruiting: list[RecruitingState]
    columnar: ColumnarCatalog
    trial_index: np.ndarray  # position in trial_ids of each evaluated (compiled) trial
    concepts: list[TrialConcepts] | None = None  # per trial, for the relevance gate (None: no gate)
    states: tuple[str, ...] = LISTED_STATES
    all_pairs: bool = True
    _relevance: dict[frozenset[str], np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.screened = np.fromiter((s in self.states for s in self.recruiting), dtype=bool,
                                    count=len(self.recruiting))
        self._trial_values, self._trial_codes = _unique(self.trial_ids)
        self._registry_values, self._registry_codes = _unique(self.registries)
        self._state_values, self._state_codes = _unique(list(self.recruiting))
        self._label_values, self._label_codes = _unique(self.columnar.labels)
        #: leaves whose codes may differ between patients (not a constant needs-review or administrative leaf)
        self.varying_leaves = np.fromiter((getattr(leaf, "kind", None) not in ("needs_review", "administrative")
                                           for leaf in self.columnar.leaves), dtype=bool,
                                          count=len(self.columnar.leaves))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_relevance"] = {}
        return state

    def relevant(self, disease: frozenset[str]) -> np.ndarray:
        """Bool per trial: does it concern a patient whose disease has the concepts *disease*."""
        if self.concepts is None:
            return np.ones(len(self.trial_ids), dtype=bool)
        hit = self._relevance.get(disease)
        if hit is None:
            hit = self._relevance[disease] = np.array(
                [assess_relevance(c, disease).relevant for c in self.concepts], dtype=bool)
        return hit

    @property
    def compiled(self) -> CompiledCatalog:
        return self.columnar.catalog


def build_cohort_catalog(trials: Iterable[Trial], *, as_of: date,
                         compiled: Sequence[CompiledTrial | None] | None = None,
                         states: Sequence[str] = LISTED_STATES, all_pairs: bool = True) -> CohortCatalog:
    """Compile every evaluated trial once (or take *compiled*, aligned with *trials*, e.g. from the
    database cache) and fix the recruiting state on *as_of*.

    With ``all_pairs`` every trial with criteria is evaluated (the full table); otherwise only the
    trials whose recruiting state on *as_of* is in *states* (the others are counted as not screened)."""
    ids: list[str] = []
    regs: list[str] = []
    has: list[bool] = []
    recruiting: list[RecruitingState] = []
    concepts: list[TrialConcepts] = []
    chosen: list[CompiledTrial] = []
    index: list[int] = []
    for i, trial in enumerate(trials):
        el = trial.eligibility
        ok = bool(el.inclusion or el.exclusion or el.raw_text.en or el.raw_text.zh)
        state = evaluate_recruiting_status(trial, as_of=as_of).state
        ids.append(trial.trial_id)
        regs.append(trial.registry.value)
        has.append(ok)
        recruiting.append(state)
        concepts.append(trial_concepts(trial))
        if ok and (all_pairs or state in states):
            given = compiled[i] if compiled is not None else None
            chosen.append(given if given is not None else compile_trial(trial))
            index.append(i)
    return CohortCatalog(as_of, ids, regs, np.asarray(has, dtype=bool), recruiting,
                         ColumnarCatalog(CompiledCatalog(chosen)), np.asarray(index, dtype=np.int64), concepts,
                         tuple(states), all_pairs)


# ----------------------------------------------------------------------------- batches


def patients_to_batch(patients: Sequence[Patient], *, source: str | None = None,
                      records: Sequence[str] | None = None) -> pa.Table:
    """An Arrow batch ``patient_json, source, record`` of *patients* (already parsed and checked)."""
    return pa.table({
        "patient_json": pa.array([p.model_dump_json(exclude_none=True) for p in patients], pa.string()),
        "source": pa.array([source] * len(patients), pa.string()),
        "record": pa.array(list(records) if records is not None else [f"patient {p.patient_id}" for p in patients],
                           pa.string()),
    })


def iter_patient_batches(patients: Iterable[Patient], *, batch_size: int = 10_000) -> Iterator[pa.Table]:
    """Stream *patients* as Arrow batches of at most *batch_size* rows."""
    batch: list[Patient] = []
    for patient in patients:
        batch.append(patient)
        if len(batch) >= batch_size:
            yield patients_to_batch(batch)
            batch = []
    if batch:
        yield patients_to_batch(batch)


def _column(batch: pa.Table | pa.RecordBatch, name: str) -> list[Any]:
    if name in batch.schema.names:
        return list(batch.column(name).to_pylist())
    return [None] * batch.num_rows


#: A JSON string that pydantic could read as a non-finite float ("NaN", "inf", "-Infinity", "1e999"; a
#: float field accepts numeric strings): such records take the reader's full path (:func:`_parse_record`).
#: Matched on the lower-cased text; orjson itself refuses NaN / Infinity literals and overflowing numbers.
_SUSPECT = re.compile(r'"\s*[-+]?(?:nan|inf|[\d.]+e)')


def _parse_record(raw: str, source: str | None, record: str) -> Patient:
    """One patient record of a batch, read exactly as :func:`hcctrials.patients.io.parse_patient` reads it.

    Fast path for a record of our schema: parsed by orjson (which refuses NaN, Infinity and numbers that
    overflow a float) and validated by the model (``extra="forbid"`` and no free-form fields, so its depth
    is bounded by the schema), then checked for plausibility (:func:`check_patient`): the depth and
    finiteness walks of ``parse_patient`` cannot fail on such a record, so they are skipped.  A FHIR
    Bundle, a record whose text may spell a non-finite number, and any record the fast path refuses go
    through ``parse_patient`` itself, so errors are its errors (naming file, record, field and value)."""
    import json

    import orjson
    import pydantic

    from hcctrials.patients.io import parse_patient
    from hcctrials.patients.plausibility import check_patient

    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:  # the line reader's JSON (stdlib) also reads NaN / Infinity, which parse_patient then names
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise ParseError(f"not valid JSON: {exc}", file=source, record=record) from None
        return parse_patient(data, source=source, record=record)
    if not isinstance(data, dict) or "resourceType" in data or _SUSPECT.search(raw.lower()):
        return parse_patient(data, source=source, record=record)
    try:
        patient = Patient.model_validate(data)
    except pydantic.ValidationError:
        return parse_patient(data, source=source, record=record)  # raises the reader's error
    return check_patient(patient, file=source, record=record)


def parse_batch_patients(batch: pa.Table | pa.RecordBatch) -> list[Patient]:
    """The patients of a batch, parsed and checked as ``hcctrials match`` reads one
    (:func:`hcctrials.patients.io.parse_patient`: our schema or a FHIR Bundle, plausibility
    checks); an error names the file and record of the row."""
    raws = batch.column("patient_json").to_pylist()
    sources = _column(batch, "source")
    records = _column(batch, "record")
    out: list[Patient] = []
    for k, raw in enumerate(raws):
        where = records[k] or f"row {k + 1}"
        if raw is None:
            raise ParseError("empty patient record", file=sources[k], record=where, field="patient_json")
        out.append(_parse_record(raw, sources[k], where))
    return out


@dataclass
class ScreenBatch:
    """What :func:`screen_batch` returns: the listed pairs (or every pair) and the counts per trial
    (rows: trials of the catalog; columns: :data:`COUNT_COLUMNS`)."""

    pairs: pa.Table
    counts: np.ndarray  # int64 (n_trials, len(COUNT_COLUMNS))
    patients: int


def _dict(codes: np.ndarray, values: Sequence[str], mask: np.ndarray | None = None) -> pa.DictionaryArray:
    """A dictionary array over *values* (distinct: the Parquet writer stores an Arrow dictionary as is,
    RLE_DICTIONARY, only when its values are distinct, else it falls back to plain strings), null where *mask*.
    The codes are positions in *values* by construction (every caller takes them from the tables *values* came
    with), so Arrow's check of every index is skipped (``safe=False``: it cost as much as building the column);
    the validity bitmap is packed with NumPy (pyarrow's ``mask=`` argument took 15 times as long)."""
    data = np.ascontiguousarray(codes, dtype=np.int32)
    if mask is None:
        indices = pa.array(data, type=pa.int32())
    else:
        valid = np.packbits(~mask, bitorder="little")  # Arrow's validity bitmap: bit i set = row i not null
        indices = pa.Array.from_buffers(pa.int32(), data.size, [pa.py_buffer(valid), pa.py_buffer(data)],
                                        null_count=int(np.count_nonzero(mask)))
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.string()), safe=False)


def _gate_groups(columns: PatientColumns, catalog: CohortCatalog) -> tuple[np.ndarray, np.ndarray]:
    """The relevance gate per distinct diagnosis: ((n_trials, n_groups) bool, each patient's group).  The
    patient's disease (:func:`patient_concepts`) reads the diagnosis only, so it is worked out once per
    distinct diagnosis."""
    distinct, first, group_of = np.unique(columns.codes["diagnosis"], return_index=True, return_inverse=True)
    gate = np.empty((len(catalog.trial_ids), distinct.size), dtype=bool)
    for g, row in enumerate(first.tolist()):
        gate[:, g] = catalog.relevant(patient_concepts(columns.patient(row)))
    return gate, group_of.reshape(columns.n).astype(np.int64)


def _gate(columns: PatientColumns, catalog: CohortCatalog) -> np.ndarray:
    """(n_trials, n_patients) bool: the trial concerns the patient's disease."""
    gate, group_of = _gate_groups(columns, catalog)
    return gate[:, group_of]


def read_batch_columns(batch: pa.Table | pa.RecordBatch) -> PatientColumns:
    """The patients of a batch read column-wise (:func:`hcctrials.patients.columns.read_patient_columns`:
    the checks of ``hcctrials match``'s reader, errors naming the file and record of the row)."""
    import pyarrow.compute as pc

    raws = batch.column("patient_json").to_pylist()
    n = batch.num_rows
    sources: list[str | None] = [None] * n
    if "source" in batch.schema.names:
        one = pc.unique(batch.column("source"))
        sources = [one[0].as_py()] * n if len(one) == 1 else batch.column("source").to_pylist()  # one file: shared
    records = _column(batch, "record")
    if "record" not in batch.schema.names or batch.column("record").null_count:
        records = [r or f"row {k + 1}" for k, r in enumerate(records)]
    return read_patient_columns(raws, sources=sources, records=records)


def screen_batch(batch: pa.Table | pa.RecordBatch, catalog: CohortCatalog, *, all_pairs: bool = False) -> ScreenBatch:
    """Screen every patient of *batch* against every trial of *catalog* (pure; see the module docstring)."""
    columns = read_batch_columns(batch)
    n, T = columns.n, len(catalog.trial_ids)
    if all_pairs:
        if not catalog.all_pairs:
            raise ValueError("all_pairs needs a catalog built with all_pairs=True (every trial evaluated)")
        table = _all_pairs_table(columns, catalog)
        codes = table.column("verdict").combine_chunks()
        verdict = np.asarray(codes.indices).reshape(n, T).T  # dictionary codes are VERDICTS positions
        counts = np.zeros((T, len(COUNT_COLUMNS)), dtype=np.int64)
        for v in range(len(VERDICTS)):
            counts[:, v] = (verdict == v).sum(axis=1)
        return ScreenBatch(table, counts, n)
    cat = catalog.columnar
    ti = catalog.trial_index
    gate, group_of = _gate_groups(columns, catalog)
    on = catalog.screened[ti]  # evaluated trials that are screened (all of them unless built for all pairs)
    # trials no patient of the batch is offered (another condition for all of them, or not screened) are
    # not evaluated: their leaves are skipped, their pairs counted from the gate and the recruiting state
    wanted = on & gate[ti].any(axis=1) if n else on
    got: ScreenVerdicts | None = None
    column_of = np.zeros(n, dtype=np.int64)  # each patient's distinct column of verdicts
    if wanted.any():
        got, column_of = _screen_verdicts(columns, catalog, wanted)
    # patients with the same verdict column and the same diagnosis (gate) have the same outcomes and pairs:
    # each such combination is worked out once, then every patient takes its combination's rows
    G = gate.shape[1]
    combos, combo_of = np.unique(column_of * G + group_of, return_inverse=True)
    combo_of = combo_of.reshape(n)
    col, grp = combos // G, combos % G
    # per trial x combination outcome code (COUNT_COLUMNS)
    outcome = np.full((T, combos.size), NOT_SCREENED, dtype=np.int8)
    outcome[catalog.screened] = 3  # screened without criteria: unknown_no_criteria
    sub_trials = np.nonzero(wanted)[0]  # evaluated trials some patient of the batch may be offered
    if got is not None:
        outcome[ti[sub_trials]] = got.status[sub_trials][:, col]
    outcome[~gate[:, grp]] = OTHER_CONDITION
    # pairs per trial and outcome: each combination's outcomes weighted by its number of patients
    size = np.bincount(combo_of, minlength=combos.size)
    cell = outcome.astype(np.int64) + len(COUNT_COLUMNS) * np.arange(T, dtype=np.int64)[:, None]
    counts = np.bincount(cell.ravel(), weights=np.broadcast_to(size, outcome.shape).ravel(),
                         minlength=T * len(COUNT_COLUMNS)).round().astype(np.int64).reshape(T, len(COUNT_COLUMNS))
    del cell
    if got is None:
        return ScreenBatch(PAIR_SCHEMA.empty_table(), counts, n)
    return ScreenBatch(_listed_pairs(columns, catalog, got, outcome, sub_trials, col, combo_of), counts, n)


def _distinct_columns(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first column of each distinct column, each column's distinct column) of a 2-D int8 array."""
    n = codes.shape[1]
    if not codes.shape[0] or n <= 1:
        return np.zeros(min(n, 1), dtype=np.int64), np.zeros(n, dtype=np.int64)
    keys = np.ascontiguousarray(codes.T)
    _, first, inverse = np.unique(keys.view(np.dtype((np.void, keys.shape[1]))).ravel(), return_index=True,
                                  return_inverse=True)
    return first.astype(np.int64), inverse.reshape(n).astype(np.int64)


def _screen_verdicts(columns: PatientColumns, catalog: CohortCatalog,
                     wanted: np.ndarray) -> tuple[ScreenVerdicts, np.ndarray]:
    """Verdicts of the *wanted* evaluated trials per distinct column, and each patient's column.

    The leaves are evaluated for every patient; patients with the same codes for every leaf that may vary
    (not a constant needs-review or administrative leaf) have the same node, criterion and trial codes, so
    the trees and the trial reductions run once per distinct column of leaf codes (exact: the same inputs,
    the same pure combinations), and once more per distinct column of the criteria that vary
    (:meth:`ColumnarCatalog.screen_distinct`)."""
    cat = catalog.columnar
    fc = FactColumns.from_columns(columns, catalog.as_of)
    needed = cat.needed_nodes(wanted)
    leaves = cat.leaf_codes(fc, needed=needed)
    del fc
    keyed = catalog.varying_leaves if needed is None else catalog.varying_leaves & needed[:len(cat.leaves)]
    first, column_of = _distinct_columns(leaves[keyed])
    codes = cat.criterion_codes(cat.tree_codes(leaves[:, first]))
    del leaves
    got, inverse = cat.screen_distinct(codes)
    if inverse is not None:
        column_of = inverse[column_of]
    return got, column_of


def _listed_pairs(columns: PatientColumns, catalog: CohortCatalog, got: ScreenVerdicts, outcome: np.ndarray,
                  sub_trials: np.ndarray, col: np.ndarray, combo_of: np.ndarray) -> pa.Table:
    """The listed pairs (eligible or possibly eligible, relevant) of every patient, patient-major in input order
    and trial order within a patient (:data:`PAIR_SCHEMA`).

    The rows of each combination (distinct verdict column x diagnosis) are laid out once, as one segment of
    a (6, rows) int32 block (trial, registry, verdict, undecided count, label (-1: none), recruiting state
    codes); each patient's rows are then a copy of its combination's segment, concatenated in patient order."""
    n = columns.n
    ti = catalog.trial_index
    listed = np.ascontiguousarray((outcome[ti[sub_trials]] <= 1).T)  # (combinations, evaluated trials)
    in_combo, in_trial = np.nonzero(listed)
    seg_len = np.count_nonzero(listed, axis=1)
    seg_start = np.cumsum(seg_len) - seg_len
    trial = sub_trials[in_trial]
    at = trial * got.status.shape[1] + col[in_combo]  # position in the (trials, distinct columns) verdicts
    trial_pos = ti[trial]
    first = got.first.ravel().take(at)
    block = np.empty((6, in_combo.size), dtype=np.int32)
    block[0] = catalog._trial_codes.take(trial_pos)
    block[1] = catalog._registry_codes.take(trial_pos)
    block[2] = got.status.ravel().take(at)
    block[3] = got.n_unknown.ravel().take(at)
    block[4] = np.where(first < 0, -1, catalog._label_codes.take(np.maximum(first, 0))) if first.size else 0
    block[5] = catalog._state_codes.take(trial_pos)
    del in_combo, in_trial, trial, at, trial_pos, first
    per_patient = seg_len[combo_of]
    starts = seg_start[combo_of].tolist()
    ends = (seg_start[combo_of] + per_patient).tolist()
    rows = np.concatenate([block[:, a:b] for a, b in zip(starts, ends)], axis=1) if n else block[:, :0]
    del block
    id_values, id_codes = _unique(columns.patient_ids)
    arrays = [
        _dict(np.repeat(id_codes, per_patient), id_values),
        _dict(rows[0], catalog._trial_values),
        _dict(rows[1], catalog._registry_values),
        _dict(rows[2], VERDICTS),
        pa.array(rows[3], type=pa.int32()),
        _dict(rows[4], catalog._label_values, mask=rows[4] < 0),  # null where no criterion is undecided
        _dict(rows[5], catalog._state_values),
    ]
    return pa.Table.from_arrays(arrays, schema=PAIR_SCHEMA)


def _all_pairs_table(columns: PatientColumns, catalog: CohortCatalog) -> pa.Table:
    """Every patient x trial row (:data:`VERDICT_SCHEMA`), patient-major."""
    n, T = columns.n, len(catalog.trial_ids)
    cat = catalog.columnar
    got = cat.combine_trials(cat.rule_codes(FactColumns.from_columns(columns, catalog.as_of)))
    # (T, n) for every trial of the catalog; trials without criteria: unknown_no_criteria
    verdict = np.full((T, n), 3, dtype=np.int32)
    n_unknown = np.zeros((T, n), dtype=np.int32)
    none = len(catalog._label_values)
    deciding = np.full((T, n), -1, dtype=np.int32)
    first_unknown = np.full((T, n), -1, dtype=np.int32)
    ti = catalog.trial_index
    verdict[ti] = got.status
    n_unknown[ti] = got.n_unknown
    deciding[ti] = got.deciding
    first_unknown[ti] = got.first_unknown
    # relevance gate (issue 10): a trial of another condition is never eligible or possibly eligible
    verdict[~_gate(columns, catalog)] = OTHER_CONDITION
    labels = np.append(catalog._label_codes, none).astype(np.int32)
    label_values = [*catalog._label_values, ""]
    id_values, id_codes = _unique(columns.patient_ids)
    trial_rows = np.tile(np.arange(T, dtype=np.int32), n)
    arrays = [
        _dict(np.repeat(id_codes, T), id_values),
        _dict(catalog._trial_codes[trial_rows], catalog._trial_values),
        _dict(catalog._registry_codes[trial_rows], catalog._registry_values),
        _dict(verdict.T.ravel(), VERDICTS),
        pa.array(n_unknown.T.ravel(), type=pa.int32()),
        _dict(labels[deciding.T.ravel()], label_values),
        _dict(labels[first_unknown.T.ravel()], label_values),
        _dict(catalog._state_codes[trial_rows], catalog._state_values),
    ]
    return pa.Table.from_arrays(arrays, schema=VERDICT_SCHEMA)


def evaluate_cohort_batch(batch: pa.Table, catalog: CohortCatalog) -> pa.Table:
    """Verdicts of every patient of *batch* against every trial of *catalog* (pure), patient-major:
    the full table of :func:`screen_batch` with ``all_pairs``."""
    return screen_batch(batch, catalog, all_pairs=True).pairs


# ----------------------------------------------------------------------------- patient files (adapter)

#: Suffixes read as JSON lines (one patient or FHIR Bundle per line; FHIR bulk NDJSON of single resources).
JSON_LINES = (".jsonl", ".ndjson")


def _first_record(path: Path) -> Any:
    """The first non-empty line of a JSON-lines file, parsed (None if there is none or it is not JSON)."""
    import orjson

    from hcctrials.patients.io import _numbered_lines, _open_text

    with _open_text(path) as handle:
        for _, line in _numbered_lines(handle, path):
            if line.strip():
                try:
                    return orjson.loads(line)
                except orjson.JSONDecodeError:
                    return None
    return None


def is_fhir_bulk(path: Path) -> bool:
    """Is *path* FHIR bulk NDJSON (single resources per line, not patients or Bundles)?"""
    first = _first_record(path)
    return isinstance(first, dict) and first.get("resourceType") not in (None, "Bundle")


def _line_batches(path: Path, batch_size: int) -> Iterator[pa.Table]:
    from hcctrials.patients.io import _numbered_lines, _open_text

    source = str(path)
    lines: list[str] = []
    records: list[str] = []
    with _open_text(path) as handle:
        for n, line in _numbered_lines(handle, path):
            if not line.strip():
                continue
            lines.append(line)
            records.append(f"line {n}")
            if len(lines) >= batch_size:
                yield pa.table({"patient_json": lines, "source": [source] * len(lines), "record": records})
                lines, records = [], []
    if lines:
        yield pa.table({"patient_json": lines, "source": [source] * len(lines), "record": records})


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def parquet_rows_to_batch(batch: pa.RecordBatch | pa.Table, *, source: str | None, first_row: int) -> pa.Table:
    """A patient batch from Parquet rows: a ``patient_json`` column as is (the batch layout), or columns
    of the patient schema (nested structs and lists), serialised per row to the patient JSON."""
    import orjson
    import pyarrow.compute as pc

    n = batch.num_rows
    # "row K" for K = first_row, first_row + 1, ... built by Arrow (no Python string per row)
    records = pc.binary_join_element_wise("row ", pc.cast(pa.array(np.arange(first_row, first_row + n)), pa.string()),
                                          "")
    if "patient_json" in batch.schema.names:
        raws = batch.column("patient_json")
    else:
        raws = pa.array([orjson.dumps(_drop_nulls(row)).decode() for row in batch.to_pylist()], pa.string())
    return pa.table({"patient_json": raws, "source": pa.repeat(pa.scalar(source, pa.string()), n),
                     "record": records})


@dataclass(frozen=True)
class ParquetSlice:
    """Consecutive row groups of a Parquet patient file: a part of the cohort that a worker process reads
    itself (so the parent sends a file name and row-group numbers, not the records).  ``first_row`` is the
    1-based number of the slice's first row in the file (records are named ``row K`` as the parent names them)."""

    path: str
    row_groups: tuple[int, ...]
    first_row: int
    rows: int

    def batches(self, batch_size: int) -> Iterator[pa.Table]:
        """The slice as batches of :func:`screen_batch` (at most *batch_size* rows each)."""
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(self.path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise ParseError(f"not a readable Parquet file: {exc}", file=self.path) from None
        row = self.first_row
        with reader:
            for chunk in reader.iter_batches(batch_size=batch_size, row_groups=list(self.row_groups)):
                yield parquet_rows_to_batch(chunk, source=self.path, first_row=row)
                row += chunk.num_rows


#: A part of the cohort for one worker task: Parquet row groups the worker reads, or batches read by the parent.
CohortPart = ParquetSlice | list[pa.Table]


def part_batches(part: CohortPart, batch_size: int) -> Iterator[pa.Table]:
    """The batches of a cohort part (see :func:`iter_patient_file_parts`)."""
    if isinstance(part, ParquetSlice):
        yield from part.batches(batch_size)
    else:
        yield from part


def iter_patient_file_parts(path: str | Path, *, batch_size: int = 10_000,
                            part_size: int = 50_000) -> Iterator[CohortPart]:
    """Split a patient file into parts of about *part_size* patients, in file order, for worker processes
    that each screen a part and write it themselves.

    A Parquet file is split at row-group boundaries into :class:`ParquetSlice` (consecutive row groups, at
    least *part_size* rows unless the file ends): the parent reads only the footer, each worker reads its
    rows.  Other files are read by the parent (:func:`iter_patient_file_batches`) into lists of batches."""
    p = Path(path)
    if p.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            meta = pq.ParquetFile(p).metadata
        except (OSError, pa.ArrowInvalid) as exc:
            raise ParseError(f"not a readable Parquet file: {exc}", file=str(p)) from None
        groups: list[int] = []
        first = row = 1
        for g in range(meta.num_row_groups):
            groups.append(g)
            row += meta.row_group(g).num_rows
            if row - first >= part_size:
                yield ParquetSlice(str(p), tuple(groups), first, row - first)
                groups, first = [], row
        if groups:
            yield ParquetSlice(str(p), tuple(groups), first, row - first)
        return
    batches: list[pa.Table] = []
    held = 0
    for batch in iter_patient_file_batches(p, batch_size=batch_size):
        batches.append(batch)
        held += batch.num_rows
        if held >= part_size:
            yield batches
            batches, held = [], 0
    if batches:
        yield batches


def iter_patient_file_batches(path: str | Path, *, batch_size: int = 10_000) -> Iterator[pa.Table]:
    """Stream a patient file as batches of :func:`screen_batch` (at most *batch_size* rows each).

    * ``.jsonl`` / ``.ndjson`` with one patient (our schema) or FHIR Bundle per line: the lines as
      read (parsed and checked in :func:`screen_batch`, by the worker that screens them);
    * FHIR bulk NDJSON of single resources: grouped per patient by the FHIR reader
      (:func:`hcctrials.patients.load_patients`, which holds that file's resources in memory);
    * ``.parquet``: a ``patient_json`` column (the batch layout) or the patient schema as columns;
    * ``.csv`` (flat layout), ``.json`` / ``.yaml``: read by :func:`hcctrials.patients.load_patients`.
    """
    from hcctrials.patients import load_patients

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in JSON_LINES and not is_fhir_bulk(p):
        yield from _line_batches(p, batch_size)
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(p)
        except (OSError, pa.ArrowInvalid) as exc:
            raise ParseError(f"not a readable Parquet file: {exc}", file=str(p)) from None
        row = 1
        for chunk in reader.iter_batches(batch_size=batch_size):
            yield parquet_rows_to_batch(chunk, source=str(p), first_row=row)
            row += chunk.num_rows
    else:
        batch: list[Patient] = []
        for patient in load_patients(p):
            batch.append(patient)
            if len(batch) >= batch_size:
                yield patients_to_batch(batch, source=str(p))
                batch = []
        if batch:
            yield patients_to_batch(batch, source=str(p))
