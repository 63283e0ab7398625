"""Throughput of the therapy vocabulary on eligibility-criteria text.

Usage: python benchmarks/vocab_mentions.py [--criteria PATH] [--repeat N]

Criteria text: the HINT CSV of 45 HCC trials (../shared/data/criteria/ctgov_hint_csv/
hint_hcc_subset.csv, non-commercial, read in place, never copied) split into criterion lines,
plus a small built-in bilingual sample.  Prints: lexicon load time, find_mentions and
find_class_mentions time per criterion and per 500 characters, parse_doses time, and the jieba
tokenizer initialisation and tokenize throughput.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared/data/criteria/ctgov_hint_csv/hint_hcc_subset.csv"
SAMPLE = [
    "既往接受过PD-L1免疫治疗或者阿帕替尼靶向药物治疗;",
    "Previously, only one immunotherapy checkpoint inhibitor regimen had been administered.",
    "Prior treatment with sorafenib, lenvatinib, atezolizumab plus bevacizumab or any anti-PD-1 antibody.",
    "阿得贝利单抗 1200mg 静脉滴注 (每周1次, Q3W) 联合 阿帕替尼 250mg 口服 (每日1次, QD)",
    "Patients who received TACE, HAIC, RFA or SBRT within 4 weeks; hemoglobin >= 90 g/L.",
]


def _criteria(path: Path) -> list[str]:
    lines: list[str] = list(SAMPLE)
    if path.is_file():
        csv.field_size_limit(sys.maxsize)
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for key, value in row.items():
                    if key and "criteria" in key.lower() and value:
                        lines.extend(s.strip() for s in value.splitlines() if len(s.strip()) > 20)
    return lines


def _time(func: Callable[[str], object], items: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            func(item)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criteria", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    from hcctrials.vocab import load_lexicon

    lex = load_lexicon()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    lex.find_class_mentions("x")
    class_build_s = time.perf_counter() - start

    lines = _criteria(args.criteria)
    chars = sum(len(s) for s in lines)
    n_mentions = sum(len(lex.find_mentions(s)) for s in lines)
    n_classes = sum(len(lex.find_class_mentions(s)) for s in lines)
    mention_s = _time(lex.find_mentions, lines, args.repeat)
    class_s = _time(lex.find_class_mentions, lines, args.repeat)
    block = (" ".join(lines))[:500]
    per_500 = _time(lex.find_mentions, [block] * 2000, args.repeat) / 2000

    from hcctrials.vocab.dose import parse_doses

    dose_s = _time(parse_doses, lines, args.repeat)

    from hcctrials.vocab import segment

    start = time.perf_counter()
    segment.get_tokenizer()
    jieba_init_s = time.perf_counter() - start
    tok_s = _time(segment.tokenize, lines, 1)

    print(f"lexicon: {len(lex)} entries, load {load_s * 1e3:.0f} ms (class-word matcher built on first use: {class_build_s * 1e3:.0f} ms)")
    print(f"criteria: {len(lines)} lines, {chars} characters (median {statistics.median(len(s) for s in lines):.0f} chars/line)")
    print(f"find_mentions: {n_mentions} mentions; {mention_s / len(lines) * 1e6:.1f} us/line, {chars / mention_s / 1e6:.2f} M chars/s, {len(lines) / mention_s:,.0f} lines/s")
    print(f"find_mentions on one 500-char text: {per_500 * 1e6:.0f} us")
    print(f"find_class_mentions: {n_classes} mentions; {class_s / len(lines) * 1e6:.1f} us/line")
    print(f"parse_doses: {dose_s / len(lines) * 1e6:.1f} us/line")
    print(f"jieba tokenizer init (lexicon user words): {jieba_init_s * 1e3:.0f} ms; tokenize {tok_s / len(lines) * 1e6:.0f} us/line")


if __name__ == "__main__":
    main()
