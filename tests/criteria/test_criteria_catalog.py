"""The fast catalog path agrees with evaluate_trial on real records (HINT subset and seeds)."""

from __future__ import annotations

from pathlib import Path

from helpers_criteria import AS_OF, make_patient

from hcctrials.criteria import CompiledCatalog, PatientFacts, compile_trial, evaluate_trial
from hcctrials.model.patient import LiverFunction, TumourBurden
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import parse_path


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
