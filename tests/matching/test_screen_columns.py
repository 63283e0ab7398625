"""A cohort batch read column-wise means what ``hcctrials match``'s reader makes of each record.

:func:`hcctrials.patients.columns.read_patient_columns` validates categorical parts once per distinct
value and numbers and laboratory values as columns; rows it cannot prove equal go to the reader.
Checked here against :func:`hcctrials.patients.io.parse_patient` record by record (the reference):

* random patients of the columnar property test, written as JSON and then spoilt at random the way
  records go wrong (an unknown field, a number as a string or a boolean, whitespace around a code, an
  impossible albumin or weight, a birth year in the 18th century, a second same-day result, a nodule
  count below the listed nodules, a non-finite number as text, a FHIR Bundle): the patients are equal,
  or the batch raises the error the reader raises for the first bad record (message, file, record,
  field, value);
* the facts built from the columns give the leaf verdicts of the facts built from the patients
  (every leaf of the seed, HINT and example catalog), batch after batch (codes and the leaf cache
  kept across batches).
"""

from __future__ import annotations

import importlib.util
import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.criteria.columnar import ColumnarCatalog, FactColumns, evaluate_leaf_column
from hcctrials.errors import HcctrialsError
from hcctrials.model.patient import Patient
from hcctrials.patients.columns import read_patient_columns
from hcctrials.patients.io import parse_patient

_COLUMNAR = Path(__file__).resolve().parents[1] / "criteria" / "evaluation" / "test_evaluation_columnar.py"
_spec = importlib.util.spec_from_file_location("_columnar_strategies_for_columns", _COLUMNAR)
assert _spec is not None and _spec.loader is not None
_columnar = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_columnar)
AS_OF: date = _columnar.AS_OF
FHIR = Path(__file__).resolve().parents[2] / "src/hcctrials/datasets/patients/shanghai_fhir_bundle.json"


def _spoil(record: dict[str, Any], how: str, rng: random.Random) -> dict[str, Any]:
    """*record* gone wrong in one of the ways of the module docstring (or left as is)."""
    r = json.loads(json.dumps(record))
    labs = r.get("labs", [])
    if how == "unknown_field":
        r["favourite_colour"] = "blue"
    elif how == "unknown_lab_field" and labs:
        labs[0]["flag"] = "H"
    elif how == "number_as_text" and labs:
        lab = rng.choice([x for x in labs] or labs)
        lab["value"] = str(lab.get("value", 1.0))
    elif how == "number_as_bool":
        r["weight_kg"] = True
    elif how == "ecog_as_float":
        r["ecog"] = 1.0
    elif how == "padded_sex" and r.get("sex"):
        r["sex"] = f" {r['sex']} "
    elif how == "padded_unit" and labs:
        labs[0]["unit"] = f"{labs[0].get('unit') or 'g/L'} "
    elif how == "padded_id":
        r["patient_id"] = f"\u3000{r['patient_id']}"
    elif how == "impossible_albumin":
        r.setdefault("labs", []).append({"analyte": "albumin", "value": 3400, "unit": "g/L", "date": "2025-12-20"})
    elif how == "unknown_analyte":
        r.setdefault("labs", []).append({"analyte": "albumen", "value": 34, "unit": "g/L"})
    elif how == "impossible_weight":
        r["weight_kg"] = 0.001
    elif how == "old_birth":
        r["birth_date"] = "1724-05-01"
    elif how == "bad_date":
        r["birth_date"] = "1960-02-30"
    elif how == "same_day" and labs:
        twin = dict(rng.choice(labs))
        if twin.get("value") is not None and twin.get("date"):
            twin["value"] = twin["value"] * rng.choice([1.0, 1.01, 2.0])
            labs.append(twin)
    elif how == "nodules":
        r.setdefault("tumour", {})["nodule_diameters_cm"] = [3.0, 2.0, 1.5]
        r["tumour"]["nodule_count"] = 1
    elif how == "nan_text" and labs:
        labs[0]["value"] = rng.choice(["NaN", "inf", "-Infinity", "1e999"])
    elif how == "age_bound":
        r["age_years"] = rng.choice([130, 130.5, -1, 0])
    elif how == "huge_int":
        r["height_cm"] = 10 ** 30
    elif how == "int_value" and labs:
        lab = labs[0]
        if lab.get("value") is not None:
            lab["value"] = int(round(lab["value"]))
    elif how == "extrahepatic":
        r.setdefault("tumour", {})["extrahepatic_sites"] = ["lung"]
        r["tumour"]["distant_metastasis"] = rng.choice([None, True, False])
    elif how == "not_a_mapping":
        return ["not", "a", "patient"]  # type: ignore[return-value]
    return r


SPOILS = ["none", "none", "none", "unknown_field", "unknown_lab_field", "number_as_text", "number_as_bool",
          "ecog_as_float", "padded_sex", "padded_unit", "padded_id", "impossible_albumin", "unknown_analyte",
          "impossible_weight", "old_birth", "bad_date", "same_day", "nodules", "nan_text", "age_bound", "huge_int",
          "int_value", "extrahepatic", "not_a_mapping"]


def _reference(raw: str, k: int) -> Patient | HcctrialsError:
    try:
        return parse_patient(json.loads(raw), source="cohort.jsonl", record=f"line {k + 1}")
    except HcctrialsError as exc:
        return exc


def _same_error(a: BaseException, b: BaseException) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b)
    for name in ("file", "record", "field", "value"):
        assert repr(getattr(a, name, None)) == repr(getattr(b, name, None)), name  # repr: NaN equals NaN


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(_columnar.patients(), min_size=1, max_size=6),
       spoils=st.lists(st.sampled_from(SPOILS), min_size=6, max_size=6), seed=st.integers(0, 10**6),
       fhir_at=st.sampled_from([None, 0, 2]))
def test_columns_read_each_record_as_the_reader(batch: list[Patient], spoils: list[str], seed: int,
                                                fhir_at: int | None) -> None:
    rng = random.Random(seed)
    raws = [json.dumps(_spoil(json.loads(p.model_dump_json(exclude_none=True)), spoils[k], rng), ensure_ascii=False)
            for k, p in enumerate(batch)]
    if fhir_at is not None and fhir_at <= len(raws):
        raws.insert(fhir_at, json.dumps(json.loads(FHIR.read_text(encoding="utf-8"))))
    expected = [_reference(raw, k) for k, raw in enumerate(raws)]
    records = [f"line {k + 1}" for k in range(len(raws))]
    first_bad = next((e for e in expected if isinstance(e, HcctrialsError)), None)
    if first_bad is not None:
        with pytest.raises(HcctrialsError) as caught:
            read_patient_columns(raws, sources=["cohort.jsonl"] * len(raws), records=records)
        _same_error(caught.value, first_bad)
        return
    got = read_patient_columns(raws, sources=["cohort.jsonl"] * len(raws), records=records)
    assert got.n == len(raws)
    for k, want in enumerate(expected):
        assert isinstance(want, Patient)
        have = got.patient(k)
        assert have.model_dump() == want.model_dump(), f"row {k}: {spoils[k] if k < len(spoils) else 'fhir'}"
        assert got.patient_ids[k] == want.patient_id


def test_a_bad_record_is_named_with_file_record_field_and_value() -> None:
    good = json.loads(_columnar.BASES[0].model_dump_json(exclude_none=True))
    bad = dict(good, labs=[*good.get("labs", []), {"analyte": "albumin", "value": 3400, "unit": "g/L"}])
    raws = [json.dumps(good), json.dumps(bad)]
    with pytest.raises(HcctrialsError) as caught:
        read_patient_columns(raws, sources=["cohort.parquet"] * 2, records=["row 1", "row 2"])
    exc = caught.value
    assert (exc.file, exc.record) == ("cohort.parquet", "row 2")
    assert exc.field == f"labs[{len(good.get('labs', []))}].value" and exc.value == "3400 g/L"
    assert "albumin is physiologically impossible" in str(exc)


def test_contradictory_same_day_results_are_left_out_and_named() -> None:
    base = json.loads(_columnar.BASES[0].model_dump_json(exclude_none=True))
    base["labs"] = [{"analyte": "albumin", "value": 35, "unit": "g/L", "date": "2026-01-10"},
                    {"analyte": "albumin", "value": 28, "unit": "g/L", "date": "2026-01-10"},
                    {"analyte": "alt", "value": 40, "unit": "U/L", "date": "2026-01-10"}]
    got = read_patient_columns([json.dumps(base)])
    p = got.patient(0)
    assert [lab.analyte for lab in p.labs] == ["alt"]
    assert any("contradiction: albumin on 2026-01-10" in f for f in p.data_findings)
    assert got.reread == 1
    assert p.model_dump() == parse_patient(base).model_dump()


@pytest.fixture(scope="module")
def catalog(seeds_dir: Path, shared_dir: Path) -> ColumnarCatalog:
    """The catalog of the columnar property test: seed trials, the HINT HCC subset, its examples."""
    from hcctrials.criteria import CompiledCatalog, compile_trial
    from hcctrials.sources.base import ParsedRecord
    from hcctrials.sources.detect import parse_path

    paths = [p for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("003")]
    trials = [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]
    hint = shared_dir / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"
    trials += [r.trial for r in parse_path(hint) if isinstance(r, ParsedRecord)]
    trials += _columnar._example_trials()
    return ColumnarCatalog(CompiledCatalog([compile_trial(t) for t in trials]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(_columnar.patients(), min_size=1, max_size=8), min_size=2, max_size=3))
def test_column_facts_give_the_leaf_verdicts_of_patient_facts(catalog: ColumnarCatalog,
                                                               batches: list[list[Patient]]) -> None:
    from hcctrials.patients.plausibility import check_patient

    for batch in batches:
        checked = []
        for p in batch:
            try:
                checked.append(check_patient(p))
            except HcctrialsError:
                continue
        if not checked:
            continue
        columns = read_patient_columns([p.model_dump_json(exclude_none=True) for p in checked])
        by_columns = FactColumns.from_columns(columns, AS_OF)
        by_columns.leaf_cache = catalog.leaf_cache(by_columns)
        by_patients = FactColumns(checked, AS_OF)
        for leaf in catalog.leaves:
            a, b = evaluate_leaf_column(leaf, by_columns), evaluate_leaf_column(leaf, by_patients)
            assert np.array_equal(a, b), (leaf, a, b)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(batch=st.lists(_columnar.patients(), min_size=1, max_size=10), seed=st.integers(0, 10**6))
def test_skipping_trials_and_sharing_columns_keep_the_verdicts(catalog: ColumnarCatalog, batch: list[Patient],
                                                               seed: int) -> None:
    """Trials left out for a batch (the relevance gate) do not change the others' verdicts, and patients
    reduced once per distinct column of criterion codes get the verdicts of a patient-by-patient reduction."""
    from hcctrials.patients.plausibility import check_patient

    checked = []
    for p in batch:
        try:
            checked.append(check_patient(p))
        except HcctrialsError:
            continue
    if not checked:
        return
    checked = checked + checked[: len(checked) // 2]  # repeated patients: shared columns
    fc = FactColumns.from_columns(read_patient_columns([p.model_dump_json(exclude_none=True) for p in checked]),
                                  AS_OF)
    every = catalog.screen(fc)
    wanted = np.random.default_rng(seed).random(catalog.n_trials) < 0.3
    some = catalog.screen(fc, trials=wanted)
    codes = catalog.rule_codes(fc)
    one_by_one = [catalog.screen_trials(codes[:, [j]]) for j in range(codes.shape[1])]
    for name in ("status", "n_unknown", "first"):
        assert np.array_equal(getattr(every, name)[wanted], getattr(some, name)[wanted]), name
        alone = np.concatenate([getattr(v, name) for v in one_by_one], axis=1)
        assert np.array_equal(getattr(every, name), alone), name


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), patients=st.integers(1, 300))
def test_trial_reduction_by_slots_gives_the_verdicts_of_the_per_trial_reduction(catalog: ColumnarCatalog, seed: int,
                                                                              patients: int) -> None:
    """The screening reduction (criteria grouped by slot, constant criteria folded in once) gives, for any
    codes of the criteria that vary, the verdict, undecided count and first failing / first undecided
    criterion of the per-trial reduction of :meth:`ColumnarCatalog.combine_trials` (which follows
    ``decide_trial_verdict``): a criterion not met makes the trial ineligible, else an undecided one makes
    it possibly eligible."""
    one = read_patient_columns([Patient(patient_id="x").model_dump_json(exclude_none=True)])
    codes = np.repeat(catalog.rule_codes(FactColumns.from_columns(one, AS_OF)), patients, axis=1)
    varying = catalog._var_needed  # criteria whose code depends on the patient (the others are folded in)
    codes[varying] = np.random.default_rng(seed).integers(0, 3, size=(varying.size, patients))
    got = catalog.screen_trials(codes)
    ref = catalog.combine_trials(codes)
    assert np.array_equal(got.status, ref.status)
    assert np.array_equal(got.n_unknown, ref.n_unknown)
    first = np.where(ref.status == 2, ref.deciding, np.where(ref.status == 1, ref.first_unknown, -1))
    assert np.array_equal(got.first, first)
