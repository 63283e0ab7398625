"""Coverage of the compiler on the seeds (000, 001, 004), the HINT HCC subset and the real
registry records in ../shared (read here only, never copied).  Prints per-corpus figures and the
criteria needing review most often.  Usage: python benchmarks/criteria_coverage.py"""

from __future__ import annotations

from pathlib import Path

from hcctrials.criteria import compile_trial, compute_coverage
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import iter_input_files, parse_path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def trials(paths: list[Path]):  # type: ignore[no-untyped-def]
    for root in paths:
        for f in iter_input_files(root):
            for r in parse_path(f):
                if isinstance(r, ParsedRecord):
                    yield r.trial


def main() -> None:
    corpora = {
        "seeds 000/001/004": sorted((SHARED / "seeds").glob("00[014]_*.txt")),
        "HINT HCC subset (45 trials)": [SHARED / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"],
        "registry records": [SHARED / "data/registry"],
    }
    for name, paths in corpora.items():
        compiled = [compile_trial(t) for t in trials(paths)]
        rep = compute_coverage(compiled)
        print(f"{name}: {len(rep.trials)} trials, {rep.total} criteria: compiled {rep.compiled} ({rep.share:.1%}), "
              f"partial {rep.partial}, needs review {rep.total - rep.compiled - rep.partial}; "
              f"with partial rules {rep.share_with_partial:.1%}")
        if name.startswith("seeds"):
            for t in rep.trials:
                print(f"   {t.trial_id}: {t.compiled}/{t.total} compiled, {t.partial} partial, {t.needs_review} needs review")


if __name__ == "__main__":
    main()
