"""The catalog (``criteria/catalog.py``) decides exactly as the rule interpreter does.

From ``tests/criteria/test_criteria_catalog.py`` (the whole file); what that file covered and its sources: ``tests/criteria/README.md``.

From ``tests/criteria/test_criteria_catalog_closures.py`` (the whole file); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, strategies as st

from hcctrials.criteria import CompiledCatalog, PatientFacts, compile_trial, evaluate_trial
from hcctrials.criteria.catalog import _ALL_CODE, _ALL_RANK, _ANY_CODE, _ANY_RANK, _all, _any, _compile_program, _run
from hcctrials.model.patient import LiverFunction, TumourBurden
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path

from helpers_criteria import AS_OF, make_patient


def test_catalog_matches_evaluate_trial(shared_dir: Path, seeds_dir: Path) -> None:
    files = [shared_dir / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv", *sorted(seeds_dir.glob("00[014]_*.txt"))]
    trials = [r.trial for f in files for r in parse_path(f) if isinstance(r, ParsedRecord)]
    compiled = [compile_trial(t) for t in trials]
    catalog = CompiledCatalog(compiled + compiled[:5])  # duplicates share rules
    assert len(catalog.rules) < len(catalog.criterion_ids)
    names = ("eligible", "possibly_eligible", "ineligible")
    for patient in (make_patient(), make_patient(ecog=None, tumour=TumourBurden(), liver=LiverFunction())):
        codes = catalog.evaluate(PatientFacts(patient, AS_OF))
        for ct, code in zip(catalog.trials, codes):
            assert evaluate_trial(ct, patient, as_of=AS_OF).status == names[int(code)], ct.trial_id


def test_reading_only_the_shown_trials_gives_them_the_same_codes(shared_dir: Path) -> None:
    """A match reads only the criteria of the trials it may show (relevant, open): for those trials the
    rule codes equal the full evaluation's, whichever subset is shown."""
    import numpy as np

    files = [shared_dir / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"]
    trials = [r.trial for f in files for r in parse_path(f) if isinstance(r, ParsedRecord)]
    catalog = CompiledCatalog([compile_trial(t) for t in trials])
    facts = PatientFacts(make_patient(), AS_OF)
    full = catalog.rule_codes(facts)
    for every in (2, 3, 7):
        shown = np.zeros(len(catalog.trials), dtype=bool)
        shown[::every] = True
        rules = catalog.rules_of_trials(shown)
        assert rules.size and rules.size < len(catalog.programs)
        part = catalog.rule_codes(PatientFacts(make_patient(), AS_OF), rules)
        assert (part[rules] == full[rules]).all()


N_LEAVES = 6


def test_rank_tables_equal_the_combination_rules_on_every_code_list() -> None:
    for n in range(1, 5):
        for codes in itertools.product(range(5), repeat=n):
            assert _ALL_CODE[max(_ALL_RANK[c] for c in codes)] == _all(list(codes)), codes
            assert _ANY_CODE[max(_ANY_RANK[c] for c in codes)] == _any(list(codes)), codes


programs = st.recursive(
    st.integers(min_value=0, max_value=N_LEAVES - 1),
    lambda inner: st.one_of(
        st.tuples(st.just("n"), inner),
        st.tuples(st.sampled_from(["a", "o"]), st.lists(inner, min_size=1, max_size=4).map(tuple)),
    ),
    max_leaves=12,
)


@given(programs, st.lists(st.integers(min_value=0, max_value=4), min_size=N_LEAVES, max_size=N_LEAVES))
def test_compiled_closure_equals_interpreter(program: object, leaf_codes: list[int]) -> None:
    assert _compile_program(program)(leaf_codes) == _run(program, leaf_codes)
