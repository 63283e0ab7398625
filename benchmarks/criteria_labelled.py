"""Agreement of the criteria compiler with the labelled corpus (tests/criteria/corpus/*.yaml).

Prints, by rule family: pairs, exact agreement, harmful errors (the engine decides met / not met
and the clinical label says otherwise) and review rate (needs review where the label decides);
then every harmful pair with its rule.  Labels were written from the criterion texts by clinical
reading, never from the compiler's output.

Usage: python benchmarks/criteria_labelled.py [--show-review N] [--glob 'labels_[a-i].yaml']

``--glob`` scores a part of the corpus: ``'labels_[a-i].yaml'`` is the original corpus (1,154 pairs labelled before
the family readers of sessions 5 and 6 were written; the later files were labelled by the sessions that wrote the
readers, from the text before looking at the compiler's output).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from hcctrials.criteria.labelled import parse_corpus, score_corpus

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "criteria" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show-review", type=int, default=0, help="list N pairs sent to review")
    ap.add_argument("--show-disagree", type=int, default=0, help="list N non-harmful disagreements")
    ap.add_argument("--glob", default="*.yaml", help="corpus files to score (default: all)")
    args = ap.parse_args()
    items = []
    for path in sorted(CORPUS.glob(args.glob)):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    scores = score_corpus(parse_corpus(items))
    print(f"{'family':<22}{'pairs':>6}{'agree':>8}{'agree%':>8}{'harmful':>9}{'review':>8}{'review%':>9}")
    for name in sorted(scores, key=lambda k: (k == "all", k)):
        s = scores[name]
        decided = max(1, s.decided_labels)
        print(f"{name:<22}{s.n:>6}{s.agreement:>8}{100 * s.agreement / s.n:>7.1f}%{s.harmful:>9}{s.review:>8}"
              f"{100 * s.review / decided:>8.1f}%")
    outcomes = scores["all"].outcomes
    for o in outcomes:
        if o.harmful:
            print(f"\nHARMFUL {o.case.case_id} [{o.case.role}] expected {o.case.expected}, got {o.got}\n"
                  f"  text: {o.case.text[:300]}\n  rule: {o.rule[:300]}\n  why: {o.case.why}")
    for o in [o for o in outcomes if o.review][:args.show_review]:
        print(f"review {o.case.case_id}: {o.case.text[:160]} -> {o.rule[:200]}")
    for o in [o for o in outcomes if not o.agrees and not o.harmful and not o.review][:args.show_disagree]:
        print(f"disagree {o.case.case_id} expected {o.case.expected} got {o.got}: {o.case.text[:120]} -> {o.rule[:200]}")


if __name__ == "__main__":
    main()
