"""Cohort screening: many patients against a catalog, as a pure function over Arrow batches.

:func:`evaluate_cohort_batch` takes an Arrow table of patients (``patient_id`` and
``patient_json``: the patient in the documented JSON schema) and returns an Arrow table of
verdicts, one row per patient x trial: ``patient_id, trial_id, registry, verdict, n_unknown,
deciding, first_unknown, recruiting`` (string columns dictionary-encoded).  ``deciding`` is
the trial's first failing criterion ("exclusion 2: <text>"), ``first_unknown`` its first
criterion the record cannot decide (what to measure first); the full per-criterion
explanation is ``hcctrials match`` for one patient.  The function reads nothing but its
arguments, so the same code can run per partition on a distributed engine (Spark
``mapInArrow``, Ray Data ``map_batches``); :func:`iter_patient_batches` streams patients into
such batches so memory is bounded by the batch size.

The relevance gate of :mod:`hcctrials.matching.relevance` applies as in ``hcctrials match``: a
trial of another condition than the patient's gets the verdict ``other_condition`` whatever its
criteria say.

Evaluation is column-wise (:mod:`hcctrials.criteria.columnar`): each distinct leaf of the
catalog is one vector over the batch, trees and trials are combined with NumPy reductions;
a property test checks it against the scalar engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from hcctrials.criteria import CompiledCatalog, CompiledTrial, compile_trial
from hcctrials.criteria.columnar import ColumnarCatalog, evaluate_columnar
from hcctrials.matching.relevance import TrialConcepts, assess_relevance, patient_concepts, trial_concepts
from hcctrials.matching.status import RecruitingState, evaluate_recruiting_status
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial

__all__ = ["CohortCatalog", "build_cohort_catalog", "evaluate_cohort_batch", "iter_patient_batches",
           "patients_to_batch", "VERDICT_SCHEMA", "VERDICTS"]

_DICT = pa.dictionary(pa.int32(), pa.string())
VERDICT_SCHEMA = pa.schema([
    ("patient_id", _DICT), ("trial_id", _DICT), ("registry", _DICT), ("verdict", _DICT),
    ("n_unknown", pa.int32()), ("deciding", _DICT), ("first_unknown", _DICT), ("recruiting", _DICT),
])
#: verdict codes of the output (0-3 as :data:`hcctrials.criteria.verdict.TRIAL_VERDICTS`; 4 for a trial of
#: another condition than the patient's, which the relevance gate of ``hcctrials match`` hides too)
VERDICTS = ("eligible", "possibly_eligible", "ineligible", "unknown_no_criteria", "other_condition")
OTHER_CONDITION = 4


@dataclass
class CohortCatalog:
    """Trials prepared for screening: compiled criteria (deduplicated, flattened for column-wise
    evaluation) and the recruiting state on ``as_of``."""

    as_of: date
    trial_ids: list[str]
    registries: list[str]
    with_criteria: np.ndarray  # bool per trial
    recruiting: list[RecruitingState]
    columnar: ColumnarCatalog
    trial_index: np.ndarray  # position of each compiled trial in trial_ids
    concepts: list[TrialConcepts] | None = None  # per trial, for the relevance gate (None: no gate)

    def relevant(self, disease: frozenset[str]) -> np.ndarray:
        """Bool per trial: does it concern a patient whose disease has the concepts *disease*."""
        if self.concepts is None:
            return np.ones(len(self.trial_ids), dtype=bool)
        return np.array([assess_relevance(c, disease).relevant for c in self.concepts], dtype=bool)

    @property
    def compiled(self) -> CompiledCatalog:
        return self.columnar.catalog


def build_cohort_catalog(trials: Iterable[Trial], *, as_of: date,
                         compiled: Sequence[CompiledTrial | None] | None = None) -> CohortCatalog:
    """Compile every trial once (or take *compiled*, aligned with *trials*, e.g. from the
    database cache) and fix the recruiting state on *as_of*."""
    ids: list[str] = []
    regs: list[str] = []
    has: list[bool] = []
    states: list[RecruitingState] = []
    concepts: list[TrialConcepts] = []
    chosen: list[CompiledTrial] = []
    index: list[int] = []
    for i, trial in enumerate(trials):
        el = trial.eligibility
        ok = bool(el.inclusion or el.exclusion or el.raw_text.en or el.raw_text.zh)
        ids.append(trial.trial_id)
        regs.append(trial.registry.value)
        has.append(ok)
        states.append(evaluate_recruiting_status(trial, as_of=as_of).state)
        concepts.append(trial_concepts(trial))
        if ok:
            given = compiled[i] if compiled is not None else None
            chosen.append(given if given is not None else compile_trial(trial))
            index.append(i)
    return CohortCatalog(as_of, ids, regs, np.asarray(has, dtype=bool), states,
                         ColumnarCatalog(CompiledCatalog(chosen)), np.asarray(index, dtype=np.int64), concepts)


def patients_to_batch(patients: Sequence[Patient]) -> pa.Table:
    """An Arrow table ``patient_id, patient_json`` of *patients*."""
    return pa.table({"patient_id": [p.patient_id for p in patients],
                     "patient_json": [p.model_dump_json(exclude_none=True) for p in patients]})


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


def _dict(indices: np.ndarray, values: Sequence[str]) -> pa.DictionaryArray:
    """A dictionary array with *unique* values: the Parquet writer stores an Arrow dictionary as is
    (RLE_DICTIONARY) only when its values are distinct, else it falls back to plain strings (measured:
    ~20x the bytes and ~8x the time for the criterion labels, where many trials share a text)."""
    position: dict[str, int] = {}
    remap = np.fromiter((position.setdefault(v, len(position)) for v in values), dtype=np.int32, count=len(values))
    if len(position) < len(values):
        indices = remap[indices]
    return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int32()), pa.array(list(position), pa.string()))


def evaluate_cohort_batch(batch: pa.Table, catalog: CohortCatalog) -> pa.Table:
    """Verdicts of every patient of *batch* against every trial of *catalog* (pure), patient-major."""
    ids = batch.column("patient_id").to_pylist()
    patients = [Patient.model_validate_json(raw) for raw in batch.column("patient_json").to_pylist()]
    n, T = len(patients), len(catalog.trial_ids)
    cat = catalog.columnar
    got = evaluate_columnar(cat, patients, as_of=catalog.as_of)
    # (T, n) for every trial of the catalog; trials without criteria: unknown_no_criteria
    verdict = np.full((T, n), 3, dtype=np.int32)
    n_unknown = np.zeros((T, n), dtype=np.int32)
    labels = [*cat.labels, ""]
    deciding = np.full((T, n), len(cat.labels), dtype=np.int32)
    first_unknown = np.full((T, n), len(cat.labels), dtype=np.int32)
    ti = catalog.trial_index
    verdict[ti] = got.status
    n_unknown[ti] = got.n_unknown
    deciding[ti] = np.where(got.deciding >= 0, got.deciding, len(cat.labels))
    first_unknown[ti] = np.where(got.first_unknown >= 0, got.first_unknown, len(cat.labels))
    # relevance gate (issue 10): a trial of another condition is never eligible or possibly eligible
    gates: dict[frozenset[str], np.ndarray] = {}
    for j, p in enumerate(patients):
        disease = patient_concepts(p)
        if disease not in gates:
            gates[disease] = catalog.relevant(disease)
        verdict[~gates[disease], j] = OTHER_CONDITION
    states = sorted(set(catalog.recruiting))
    state_idx = np.array([states.index(s) for s in catalog.recruiting], dtype=np.int32)
    regs = sorted(set(catalog.registries))
    reg_idx = np.array([regs.index(r) for r in catalog.registries], dtype=np.int32)
    trial_rows = np.tile(np.arange(T, dtype=np.int32), n)
    columns = [
        _dict(np.repeat(np.arange(n, dtype=np.int32), T), ids),
        _dict(trial_rows, catalog.trial_ids),
        _dict(reg_idx[trial_rows], regs),
        _dict(verdict.T.ravel(), VERDICTS),
        pa.array(n_unknown.T.ravel(), type=pa.int32()),
        _dict(deciding.T.ravel(), labels),
        _dict(first_unknown.T.ravel(), labels),
        _dict(state_idx[trial_rows], states),
    ]
    return pa.Table.from_arrays(columns, schema=VERDICT_SCHEMA)
