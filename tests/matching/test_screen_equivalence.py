"""Cohort screening gives exactly the one-patient engine's answers, relevance gate and reduced output included.

Extends the columnar property test (``tests/criteria/evaluation/test_evaluation_columnar.py``, whose random
patients are reused here and varied further in histology, so the relevance gate sees HCC,
cholangiocarcinoma and combined HCC-CCA patients).  The catalog: the seed trials, the HINT HCC
subset and the examples of that test, plus trials of other conditions (obesity, a cholangiocarcinoma
trial, a solid-tumour basket), each in an open and a closed copy.  For every patient x trial:

* the full table (``--all-pairs``) says what :func:`hcctrials.matching.matcher.match_patient` says
  (``other_condition`` where the match hides the trial as not relevant), with the first failing and
  first undecided criterion of :func:`hcctrials.criteria.evaluate_trial`;
* the default output lists exactly the pairs the match offers as eligible or possibly eligible among
  relevant trials recruiting on the as-of date, with the first undecided criterion; the counts per
  trial and verdict add up to every pair.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcctrials.criteria import evaluate_trial
from hcctrials.errors import ValidationError
from hcctrials.matching.cohort import (
    COUNT_COLUMNS, CohortCatalog, build_cohort_catalog, patients_to_batch, screen_batch,
)
from hcctrials.matching.matcher import match_patient
from hcctrials.model.patient import Patient
from hcctrials.model.trial import OverallStatus, Trial
from hcctrials.patients.plausibility import check_patient
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path

_COLUMNAR = Path(__file__).resolve().parents[1] / "criteria" / "evaluation" / "test_evaluation_columnar.py"
_spec = importlib.util.spec_from_file_location("_columnar_property_strategies", _COLUMNAR)
assert _spec is not None and _spec.loader is not None
_columnar = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_columnar)
AS_OF: date = _columnar.AS_OF
BASES: list[Patient] = _columnar.BASES


def _other_trials() -> list[Trial]:
    def trial(tid: str, title: str, condition: str, inclusion: list[str]) -> Trial:
        return Trial.model_validate({
            "trial_id": tid, "registry": "ctgov", "brief_title": {"en": title},
            "conditions": [{"en": condition}], "provenance": {"source_format": "test", "raw_sha256": "f" * 64},
            "eligibility": {"inclusion": [{"en": t} for t in inclusion],
                            "exclusion": [{"en": "Pregnant or breastfeeding women"}]}})

    return [trial("NCT09990601", "Semaglutide in adults with obesity", "Obesity", ["Age 18 years or older"]),
            trial("NCT09990602", "Gemcitabine and cisplatin in cholangiocarcinoma", "Cholangiocarcinoma",
                  ["Age 18 years or older", "ECOG 0-1"]),
            trial("NCT09990603", "A PD-1 antibody in advanced solid tumours", "Advanced Solid Tumors",
                  ["Age 18-75 years", "ECOG 0-1", "Platelet count ≥ 75 × 10^9/L"])]


def _open_and_closed(trials: list[Trial]) -> list[Trial]:
    """Each trial twice: recruiting without a window (open on any date) and completed (closed)."""
    out = []
    for k, t in enumerate(trials):
        dates = t.dates.model_copy(update={"recruitment_start": None, "recruitment_end": None, "study_start": None,
                                           "primary_completion": None})
        out.append(t.model_copy(update={"overall_status": OverallStatus.RECRUITING, "dates": dates}))
        out.append(t.model_copy(update={"trial_id": f"{t.trial_id}-closed-{k}",
                                        "overall_status": OverallStatus.COMPLETED}))
    return out


@pytest.fixture(scope="module")
def trials(seeds_dir: Path, shared_dir: Path) -> list[Trial]:
    paths = [p for p in sorted(seeds_dir.glob("*.txt")) if not p.name.startswith("003")]
    found = [r.trial for p in paths for r in parse_path(p) if isinstance(r, ParsedRecord)]
    hint = shared_dir / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"
    found += [r.trial for r in parse_path(hint) if isinstance(r, ParsedRecord)][:12]
    found += _columnar._example_trials() + _other_trials()
    return _open_and_closed(found)


@pytest.fixture(scope="module")
def full_catalog(trials: list[Trial]) -> CohortCatalog:
    return build_cohort_catalog(trials, as_of=AS_OF, all_pairs=True)


@pytest.fixture(scope="module")
def screen_catalog(trials: list[Trial]) -> CohortCatalog:
    return build_cohort_catalog(trials, as_of=AS_OF, all_pairs=False)


@st.composite
def screened_patients(draw: st.DrawFn) -> Patient:
    """A random patient of the columnar test, with a histology the relevance gate reads."""
    p: Patient = draw(_columnar.patients())
    histology = draw(st.sampled_from([None, "hcc", "cholangiocarcinoma", "combined_hcc_cca", "fibrolamellar"]))
    return p.model_copy(update={"diagnosis": p.diagnosis.model_copy(update={"histology": histology})})


def _criterion_label(result: Any) -> str:
    c = result.criterion
    return f"{c.role} {c.number}: {c.text}"


def _check(batch: list[Patient], trials: list[Trial], full: CohortCatalog, screen: CohortCatalog) -> None:
    batch = [p.model_copy(update={"patient_id": f"{p.patient_id}-{j}"}) for j, p in enumerate(batch)]
    # the screen reads a record as `hcctrials match` reads a file: checked first (an impossible value is
    # an error naming the record; an implausible one is left out and named), so compare with checked patients
    plausible = []
    for p in batch:
        try:
            plausible.append(check_patient(p))
        except ValidationError:
            with pytest.raises(ValidationError, match=f"record patient {p.patient_id}"):
                screen_batch(patients_to_batch([p]), screen)
    batch = plausible
    if not batch:
        return
    table = patients_to_batch(batch)
    every = {(r["patient_id"], r["trial_id"]): r for r in screen_batch(table, full, all_pairs=True).pairs.to_pylist()}
    reduced = screen_batch(table, screen)
    listed = {(r["patient_id"], r["trial_id"]): r for r in reduced.pairs.to_pylist()}
    by_id = {t.trial_id: t for t in trials}
    compiled = dict(zip([full.trial_ids[i] for i in full.trial_index], full.compiled.trials))
    expected_listed = set()
    expected_counts: Counter[tuple[str, str]] = Counter()
    for p in batch:
        single = match_patient(p, trials, as_of=AS_OF, include_ineligible=True, include_closed=True,
                               include_irrelevant=True)
        assert len(single.matches) == len(trials)
        for m in single.matches:
            where = f"{m.trial_id} x {p.patient_id}"
            row = every[(p.patient_id, m.trial_id)]
            verdict = m.verdict if m.relevance.relevant else "other_condition"
            assert row["verdict"] == verdict, where
            assert row["recruiting"] == m.recruiting.state, where
            if m.trial_id in compiled:
                tv = evaluate_trial(compiled[m.trial_id], p, as_of=AS_OF)
                active = [r for r in tv.results if not r.criterion.exclude_from_matching]
                undecided = [r for r in active if r.status in ("unknown", "needs_review")]
                assert row["n_unknown"] == len(undecided), where
                assert row["deciding"] == (_criterion_label(tv.failing[0]) if tv.failing else ""), where
                assert row["first_unknown"] == (_criterion_label(undecided[0]) if undecided else ""), where
            # the default output: what the match offers among relevant trials recruiting today
            if not m.relevance.relevant:
                outcome = "other_condition"
            elif m.recruiting.state != "open":
                outcome = "not_screened"
            else:
                outcome = m.verdict
            expected_counts[(m.trial_id, outcome)] += 1
            if outcome in ("eligible", "possibly_eligible"):
                expected_listed.add((p.patient_id, m.trial_id))
                got = listed.get((p.patient_id, m.trial_id))
                assert got is not None, where
                assert got["verdict"] == m.verdict and got["recruiting"] == "open", where
                assert got["n_undecided"] == row["n_unknown"], where
                assert got["first_undecided"] == (row["first_unknown"] or None), where
                assert by_id[m.trial_id].overall_status is OverallStatus.RECRUITING
    assert set(listed) == expected_listed
    got_counts = Counter({(tid, COUNT_COLUMNS[v]): int(reduced.counts[k, v])
                          for k, tid in enumerate(screen.trial_ids) for v in range(len(COUNT_COLUMNS))
                          if reduced.counts[k, v]})
    assert got_counts == expected_counts
    assert reduced.counts.sum() == len(batch) * len(trials) and reduced.patients == len(batch)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(screened_patients(), min_size=1, max_size=5))
def test_screen_equals_one_patient_engine_for_random_patients(
        trials: list[Trial], full_catalog: CohortCatalog, screen_catalog: CohortCatalog, batch: list[Patient]) -> None:
    _check(batch, trials, full_catalog, screen_catalog)


def test_screen_equals_one_patient_engine_for_the_examples(
        trials: list[Trial], full_catalog: CohortCatalog, screen_catalog: CohortCatalog) -> None:
    cholangio = BASES[0].model_copy(update={"patient_id": "CCA", "diagnosis": BASES[0].diagnosis.model_copy(
        update={"histology": "cholangiocarcinoma"})})
    _check([*BASES, cholangio], trials, full_catalog, screen_catalog)


def test_a_cholangiocarcinoma_patient_is_offered_the_cholangiocarcinoma_trial_not_hcc_ones(
        screen_catalog: CohortCatalog) -> None:
    """The gate is per patient: the same batch lists the cholangiocarcinoma trial only for that patient."""
    hcc = Patient(patient_id="HCC", birth_date=date(1960, 1, 1), ecog=0, sex="male")
    cca = hcc.model_copy(update={"patient_id": "CCA", "diagnosis": hcc.diagnosis.model_copy(
        update={"histology": "cholangiocarcinoma"})})
    rows = screen_batch(patients_to_batch([hcc, cca]), screen_catalog).pairs.to_pylist()
    offered = {(r["patient_id"], r["trial_id"]) for r in rows}
    assert ("CCA", "NCT09990602") in offered and ("HCC", "NCT09990602") not in offered
    assert not any(t == "NCT09990601" for _, t in offered)  # obesity: nobody
    assert not any("-closed-" in t for _, t in offered)  # completed trials are counted, never listed


def test_screen_catalog_survives_a_pickle_round_trip(screen_catalog: CohortCatalog) -> None:
    """The catalog is broadcast (Spark) or sent to worker processes pickled: same answers after."""
    import pickle

    again = pickle.loads(pickle.dumps(screen_catalog))
    table = patients_to_batch(BASES)
    a, b = screen_batch(table, screen_catalog), screen_batch(table, again)
    assert a.pairs.equals(b.pairs) and (a.counts == b.counts).all()
