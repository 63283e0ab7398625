"""Parse throughput of the CT.gov API v2 JSON parser alone (no storage).

Builds a JSON array of N studies (default 100,000) from the real records in
../shared/data/registry/ctgov_api_v2_json, each with its own NCT id, writes it to a temporary
file, then streams it through ``ApiV2JsonParser.iter_records`` and prints studies/s, MB/s
and the peak RSS of the process.

    python benchmarks/ctgov_parse.py [N]
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.ctgov.api_json import ApiV2JsonParser

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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
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


if __name__ == "__main__":
    main()
