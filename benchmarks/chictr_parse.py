"""Benchmark: ChiCTR parse throughput (pages/s) for the text, HTML and ICTRP XML parsers.

Usage: python benchmarks/chictr_parse.py [--seconds 5]
Reads the shipped example record and, when present, the real pages under ../shared.
"""

from __future__ import annotations

import argparse
import time
from importlib.resources import files
from pathlib import Path

from hcctrials.sources.detect import detect_parser

SHARED = Path(__file__).resolve().parents[2] / "shared"


def inputs() -> list[Path]:
    paths = [Path(str(files("hcctrials.datasets").joinpath("registry", "chictr", "example_ChiCTR2400000017.txt")))]
    for rel in ("seeds/000_0f9b476466e10808.txt", "seeds/001_f8b8258f40032f41.txt",
                "data/registry/chictr/chictr_detail_ChiCTR2400084905.html",
                "data/registry/chictr/ChiCTR2000034346_ictrp.xml"):
        if (SHARED / rel).is_file():
            paths.append(SHARED / rel)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    for path in inputs():
        parser = detect_parser(path)
        list(parser.iter_records(path))  # warm up (lexicon load)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            list(parser.iter_records(path))
            count += 1
        elapsed = time.perf_counter() - start
        size = path.stat().st_size / 1024
        print(f"{parser.source_format:18s} {path.name:42s} {size:7.1f} KiB  {count / elapsed:8.1f} pages/s")


if __name__ == "__main__":
    main()
