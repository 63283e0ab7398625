"""Cohort screening: many patients against a catalog, as a pure function over Arrow batches.

:func:`evaluate_cohort_batch` takes an Arrow table of patients (``patient_id`` and
``patient_json``: the patient in the documented JSON schema) and returns an Arrow table of
verdicts, one row per patient x trial: ``patient_id, trial_id, registry, verdict,
n_unknown, deciding, to_measure, recruiting``.  It reads nothing but its arguments, so the
same function can run per partition on a distributed engine (Spark ``mapInArrow``, Ray Data
``map_batches``); :func:`iter_patient_batches` streams patients into such batches so memory
is bounded by the batch size.

Per patient the catalog's distinct rules are evaluated once
(:class:`hcctrials.criteria.CompiledCatalog` deduplicates identical criteria across trials)
and the per-trial verdicts, the first failing criterion and the unknown counts are combined
with numpy over the flat criterion array, not per trial in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from hcctrials.criteria import CompiledCatalog, PatientFacts, compile_trial
from hcctrials.criteria.catalog import _CODES, _TRIAL
from hcctrials.criteria.evaluate import negate
from hcctrials.matching.status import evaluate_recruiting_status
from hcctrials.model.patient import Patient
from hcctrials.model.trial import Trial

__all__ = ["CohortCatalog", "build_cohort_catalog", "evaluate_cohort_batch", "iter_patient_batches",
           "patients_to_batch", "VERDICT_SCHEMA"]

VERDICT_SCHEMA = pa.schema([
    ("patient_id", pa.string()), ("trial_id", pa.string()), ("registry", pa.string()),
    ("verdict", pa.string()), ("n_unknown", pa.int32()), ("deciding", pa.string()),
    ("to_measure", pa.string()), ("recruiting", pa.string()),
])
_NAMES = np.array(["eligible", "possibly_eligible", "ineligible"], dtype=object)


@dataclass
class CohortCatalog:
    """Trials prepared for screening: compiled criteria (deduplicated) and recruiting state."""

    as_of: date
    trial_ids: list[str]
    registries: list[str]
    with_criteria: np.ndarray  # bool per trial
    recruiting: list[str]
    compiled: CompiledCatalog
    trial_index: np.ndarray  # position of each compiled trial in trial_ids


def build_cohort_catalog(trials: Iterable[Trial], *, as_of: date) -> CohortCatalog:
    """Compile every trial once and fix the recruiting state on *as_of*."""
    ids, regs, has, states, compiled, index = [], [], [], [], [], []
    for i, trial in enumerate(trials):
        el = trial.eligibility
        ok = bool(el.inclusion or el.exclusion or el.raw_text.en or el.raw_text.zh)
        ids.append(trial.trial_id)
        regs.append(trial.registry.value)
        has.append(ok)
        states.append(evaluate_recruiting_status(trial, as_of=as_of).state)
        if ok:
            compiled.append(compile_trial(trial))
            index.append(i)
    return CohortCatalog(as_of, ids, regs, np.asarray(has, dtype=bool), states, CompiledCatalog(compiled),
                         np.asarray(index, dtype=np.int64))


def patients_to_batch(patients: Sequence[Patient]) -> pa.Table:
    """An Arrow table ``patient_id, patient_json`` of *patients*."""
    return pa.table({"patient_id": [p.patient_id for p in patients],
                     "patient_json": [p.model_dump_json(exclude_none=True) for p in patients]})


def iter_patient_batches(patients: Iterable[Patient], *, batch_size: int = 1000) -> Iterator[pa.Table]:
    """Stream *patients* as Arrow batches of at most *batch_size* rows."""
    batch: list[Patient] = []
    for patient in patients:
        batch.append(patient)
        if len(batch) >= batch_size:
            yield patients_to_batch(batch)
            batch = []
    if batch:
        yield patients_to_batch(batch)


def _evaluate_one(catalog: CohortCatalog, patient: Patient) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(status code per compiled trial, unknown count per compiled trial, deciding text, to measure)."""
    cc = catalog.compiled
    facts = PatientFacts(patient, catalog.as_of)
    n_rules = len(cc.rules)
    codes = np.empty(n_rules, dtype=np.int8)
    reasons: list[str] = []
    missing: list[str] = []
    for i, crit in enumerate(cc.rules):
        from hcctrials.criteria.evaluate import evaluate_node

        v = evaluate_node(crit.rule, facts)
        tv = negate(v) if crit.role == "exclusion" else v
        codes[i] = _TRIAL[_CODES[tv.status]]  # 0 fine, 1 unknown, 2 not met (trial view)
        reasons.append(f"{crit.role} {crit.number}: {v.reason}")
        missing.append("; ".join(v.missing))
    n_trials = len(cc.trials)
    per = codes[cc.criterion_ids] if cc.criterion_ids.size else codes[:0]
    owner = np.repeat(np.arange(n_trials), np.diff(cc.offsets))
    status = np.zeros(n_trials, dtype=np.int8)
    np.maximum.at(status, owner, per)
    unknown = np.bincount(owner[per == 1], minlength=n_trials).astype(np.int32)
    deciding = [""] * n_trials
    fail_pos = np.nonzero(per == 2)[0]
    if fail_pos.size:
        trials_failing, first = np.unique(owner[fail_pos], return_index=True)
        for t, pos in zip(trials_failing.tolist(), fail_pos[first].tolist()):
            deciding[t] = reasons[int(cc.criterion_ids[pos])]
    measure = [""] * n_trials
    unk_pos = np.nonzero(per == 1)[0]
    if unk_pos.size:
        for t in np.unique(owner[unk_pos]).tolist():
            rules = cc.criterion_ids[cc.offsets[t]:cc.offsets[t + 1]]
            items = dict.fromkeys(m for r in rules.tolist() if codes[r] == 1 for m in missing[r].split("; ") if m)
            measure[t] = "; ".join(items)
    return status, unknown, deciding, measure


def evaluate_cohort_batch(batch: pa.Table, catalog: CohortCatalog) -> pa.Table:
    """Verdicts of every patient of *batch* against every trial of *catalog* (pure)."""
    n_trials = len(catalog.trial_ids)
    cols: dict[str, list[object]] = {name: [] for name in VERDICT_SCHEMA.names}
    ids = batch.column("patient_id").to_pylist()
    for pid, raw in zip(ids, batch.column("patient_json").to_pylist()):
        patient = Patient.model_validate_json(raw)
        status, unknown, deciding, measure = _evaluate_one(catalog, patient)
        verdict = np.full(n_trials, "unknown_no_criteria", dtype=object)
        verdict[catalog.trial_index] = _NAMES[status]
        n_unknown = np.zeros(n_trials, dtype=np.int32)
        n_unknown[catalog.trial_index] = unknown
        dec = [""] * n_trials
        mea = [""] * n_trials
        for k, t in enumerate(catalog.trial_index.tolist()):
            dec[t], mea[t] = deciding[k], measure[k]
        cols["patient_id"].extend([pid] * n_trials)
        cols["trial_id"].extend(catalog.trial_ids)
        cols["registry"].extend(catalog.registries)
        cols["verdict"].extend(verdict.tolist())
        cols["n_unknown"].extend(n_unknown.tolist())
        cols["deciding"].extend(dec)
        cols["to_measure"].extend(mea)
        cols["recruiting"].extend(catalog.recruiting)
    return pa.table(cols, schema=VERDICT_SCHEMA)
