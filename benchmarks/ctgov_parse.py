"""Parse throughput of the CT.gov API v2 JSON parser alone (no storage).

Builds a JSON array of N studies (default 100,000) from the real records in
../shared/data/registry/ctgov_api_v2_json, each with its own NCT id, writes it to a temporary
file, then streams it through ``ApiV2JsonParser.iter_records`` and prints studies/s, MB/s
and the peak RSS of the process.  Then times the storage fast path
(``parse_study_for_storage``, what the parallel ingest's workers run per study) on the same file.

``--check`` first verifies, for every real record, that the storage fast path's record JSON is
byte for byte ``Trial.model_dump_json()`` of the record the parser yields (exit status 1 if not).

    python benchmarks/ctgov_parse.py [N] [--check]
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import argparse

import orjson

from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.ctgov.api_json import ApiV2JsonParser, iter_array_lines, parse_study_for_storage

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "registry" / "ctgov_api_v2_json"


def build_corpus(path: Path, n: int) -> int:
    templates = [s for f in sorted(SHARED.glob("*.json")) for s in json.loads(f.read_text(encoding="utf-8"))]
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for i in range(n):
            study = templates[i % len(templates)]
            ident = study["protocolSection"]["identificationModule"]
            original = ident["nctId"]
            ident["nctId"] = f"NCT{90000000 + i:08d}"
            out.write(("," if i else "") + json.dumps(study, ensure_ascii=False) + "\n")
            ident["nctId"] = original
        out.write("]\n")
    return path.stat().st_size


def check_storage_fast_path() -> bool:
    """True if the storage fast path gives the parser's record JSON for every real record."""
    parser, ok, checked = ApiV2JsonParser(), True, 0
    for file in sorted(SHARED.glob("*.json")):
        studies = json.loads(file.read_text(encoding="utf-8"))
        for index, (record, study) in enumerate(zip(parser.iter_records(file), studies)):
            fast = parse_study_for_storage(study, file=str(file), index=index)
            expected = record.trial.model_dump_json() if isinstance(record, ParsedRecord) else None
            got = fast[1] if isinstance(fast, tuple) else None
            checked += 1
            if got != expected:
                ok = False
                print(f"MISMATCH {file.name}[{index}]")
    print(f"storage fast path: {checked} real records checked, {'all identical' if ok else 'MISMATCHES'}")
    return ok


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("n", type=int, nargs="?", default=100_000)
    args.add_argument("--check", action="store_true")
    options = args.parse_args()
    if options.check and not check_storage_fast_path():
        sys.exit(1)
    n = options.n
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.json"
        start = time.perf_counter()
        size = build_corpus(path, n)
        print(f"built {n} studies, {size / 1e6:.0f} MB in {time.perf_counter() - start:.1f} s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        parser = ApiV2JsonParser()
        ok = failed = 0
        start = time.perf_counter()
        for result in parser.iter_records(path):
            if isinstance(result, ParsedRecord):
                ok += 1
            else:
                failed += 1
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"parsed {ok} studies ({failed} failures) in {elapsed:.1f} s: "
              f"{ok / elapsed:,.0f} studies/s, {size / 1e6 / elapsed:.1f} MB/s, "
              f"{elapsed / max(ok, 1) * 1e6:.0f} us/study")
        print(f"peak RSS {peak:.0f} MiB (before parsing {rss_before:.0f} MiB; file {size / 2**20:.0f} MiB)")
        start, cpu = time.perf_counter(), time.process_time()
        count = 0
        for index, raw in enumerate(iter_array_lines(path)):
            parse_study_for_storage(orjson.loads(raw), file=str(path), index=index)
            count += 1
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"storage fast path (a worker's job): {count / elapsed:,.0f} studies/s, "
              f"{cpu / max(count, 1) * 1e6:.0f} us CPU/study")


if __name__ == "__main__":
    main()
