"""Fuzz every registry parser (issue 11: no input may hang or crash the tool).

Each target starts from a real record of its format (the bundled examples, or the public
samples in ``../shared``, read only) and parses mutated copies through
:func:`hcctrials.sources.detect.parse_path`, exactly as ``hcctrials ingest`` does.  Every
input must end in records (:class:`ParsedRecord`/:class:`RecordFailure`) or a clean
:class:`~hcctrials.errors.HcctrialsError`, within the per-example time limit of
``fuzz_harness.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_harness import EXAMPLES, MASKED, run_input
from fuzz_inputs import file_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from hcctrials.datasets import __file__ as _datasets_init
from hcctrials.sources.base import ParsedRecord, RecordFailure
from hcctrials.sources.detect import parse_path

DATASETS = Path(_datasets_init).parent / "registry"
SHARED = Path(__file__).resolve().parents[3] / "shared"
REGISTRY = SHARED / "data" / "registry"


def _head_lines(path: Path, n: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:n])


#: target -> (file suffix, seed bytes loader)
SEEDS = {
    "ctgov_api_v2_json": (".json", lambda: (DATASETS / "ctgov" / "example_api_v2_study.json").read_bytes()),
    "ctgov_api_v2_json_array": (".json", lambda: (REGISTRY / "ctgov_api_v2_json" / "dgg32_ctg-studies-2.json").read_bytes()),
    "ctgov_csv": (".csv", lambda: (DATASETS / "ctgov" / "example_ctgov_download.csv").read_bytes()),
    "ctgov_legacy_xml": (".xml", lambda: (REGISTRY / "ctgov_legacy_xml" / "NCT00055081.xml").read_bytes()),
    "chictr_text": (".txt", lambda: (DATASETS / "chictr" / "example_ChiCTR2400000017.txt").read_bytes()),
    "chictr_html": (".html", lambda: (REGISTRY / "chictr" / "chictr_detail_ChiCTR2400084905.html").read_bytes()),
    "chictr_search_html": (".html", lambda: (REGISTRY / "chictr" / "chictr_search_results_KRAS.html").read_bytes()),
    "chictr_ictrp_xml": (".xml", lambda: (REGISTRY / "chictr" / "ChiCTR2000034346_ictrp.xml").read_bytes()),
    "trial_finder_page": (".txt", lambda: (DATASETS / "pages" / "example_trial_finder_NCT09999918.txt").read_bytes()),
    "cde_listing_tsv": (".tsv", lambda: _head_lines(REGISTRY / "cn_cde_listing" / "6youcai_chinadrugtrials_liver.tsv", 6)),
}


def _parse_all(path: Path, target: str = "") -> list[object]:
    results = list(parse_path(path))
    for result in results:
        assert isinstance(result, (ParsedRecord, RecordFailure)), type(result)
        if isinstance(result, RecordFailure) and "unexpected" in result.error.message:
            MASKED[f"{target}: {result.error.message[:100]}"] += 1
    return results


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_seed_parses(target: str) -> None:
    """The unmutated seed is a record of the target's format (the fuzzing starts from it)."""
    suffix, load = SEEDS[target]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"seed{suffix}"
        path.write_bytes(load())
        assert any(isinstance(r, ParsedRecord) for r in _parse_all(path))


@pytest.mark.parametrize("target", sorted(SEEDS))
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_fuzz_parser(target: str, data: st.DataObject) -> None:
    suffix, load = SEEDS[target]
    raw = data.draw(file_bytes(load()), label="file bytes")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(raw)
        run_input(target, lambda: _parse_all(path, target))


@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_fuzz_ctgov_json_structure(data: st.DataObject) -> None:
    """CT.gov API v2 JSON that is valid JSON but not a valid study (wrong types, NaN, deep)."""
    import json

    from fuzz_inputs import mutated_json

    seed = json.loads((DATASETS / "ctgov" / "example_api_v2_study.json").read_bytes())
    study = data.draw(mutated_json(seed), label="study")
    shape = data.draw(st.sampled_from(["study", "response", "array"]), label="layout")
    document = {"study": study, "response": {"studies": [study]}, "array": [study]}[shape]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        run_input("ctgov_api_v2_json_structure", lambda: _parse_all(path, "ctgov_api_v2_json_structure"))
