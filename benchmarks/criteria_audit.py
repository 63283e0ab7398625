"""A random audit of compiled criteria from the HCC trials of ../shared (issue 10).

``--draw OUT.yaml`` draws N criteria (fixed seed) among those with a computable rule (not "needs
review", not administrative) from the HCC trials of the seeds, the HINT HCC subset and the registry
records, and writes them for judging by reading: each item has the criterion, its role and the rule
as compiled, and a ``judgement`` to fill in (faithful / partly / wrong) with a note.

``--score FILE.yaml`` prints the judged figures: faithful, partly faithful and wrong counts, and the
share of all HCC criteria with a faithful computable rule (computable share x faithful rate).

Usage: python benchmarks/criteria_audit.py --draw audit.yaml [--n 100 --seed 20261204]
       python benchmarks/criteria_audit.py --score tests/criteria/audit/audit_2026-12-04_round1.yaml
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import yaml

from hcctrials.criteria import compile_trial, describe
from hcctrials.model.eligibility import Administrative, NeedsReview, walk
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import iter_input_files, parse_path

SHARED = Path(__file__).resolve().parents[2] / "shared"
_HCC = re.compile(r"hepatocellular|\bhcc\b|liver cancer|肝细胞癌|肝癌|hepatic carcinoma|liver carcinoma|hepatoma", re.I)


def hcc_trials():  # type: ignore[no-untyped-def]
    roots = [SHARED / "data/criteria/ctgov_hint_csv/hint_hcc_subset.csv",
             *sorted((SHARED / "seeds").glob("00[0124]_*.txt")), SHARED / "data/registry"]
    seen = set()
    for root in roots:
        for path in iter_input_files(root):
            for r in parse_path(path):
                if not isinstance(r, ParsedRecord) or r.trial.trial_id in seen:
                    continue
                t = r.trial
                blob = " ".join([t.title("en"), t.title("zh"), *[(c.en or "") + (c.zh or "") for c in t.conditions]])
                if _HCC.search(blob):
                    seen.add(t.trial_id)
                    yield t


def computable(rule: object) -> bool:
    nodes = list(walk(rule))  # type: ignore[arg-type]
    return not any(isinstance(n, (NeedsReview, Administrative)) for n in nodes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draw", type=Path)
    ap.add_argument("--score", type=Path)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261204)
    args = ap.parse_args()
    if args.draw:
        pool, total, administrative = [], 0, 0
        for trial in hcc_trials():
            for c in compile_trial(trial).criteria:
                total += 1
                nodes = list(walk(c.rule))
                if not any(isinstance(n, NeedsReview) for n in nodes) and any(isinstance(n, Administrative) for n in nodes):
                    administrative += 1
                if computable(c.rule):
                    pool.append({"trial": trial.trial_id, "role": c.role, "number": c.number, "text": c.text,
                                 "rule": describe(c.rule), "judgement": "", "note": ""})
        sample = random.Random(args.seed).sample(pool, min(args.n, len(pool)))
        args.draw.write_text(yaml.safe_dump({"seed": args.seed, "criteria_total": total, "computable": len(pool),
                                             "administrative": administrative,
                                             "items": sample}, allow_unicode=True, sort_keys=False, width=110),
                             encoding="utf-8")
        print(f"{total} criteria in the HCC trials, {len(pool)} with a computable rule "
              f"({100 * len(pool) / total:.1f}%); {len(sample)} drawn (seed {args.seed}) -> {args.draw}")
    if args.score:
        data = yaml.safe_load(args.score.read_text(encoding="utf-8"))
        items = data["items"]
        counts = {k: sum(i["judgement"] == k for i in items) for k in ("faithful", "partly", "wrong")}
        share = data["computable"] / data["criteria_total"]
        print(f"judged {len(items)}: faithful {counts['faithful']}, partly faithful {counts['partly']}, "
              f"wrong {counts['wrong']}")
        print(f"computable share {100 * share:.1f}% of {data['criteria_total']} criteria; share with a faithful "
              f"computable rule {100 * share * counts['faithful'] / len(items):.1f}%")
        if "administrative" in data:  # drawn since session 6: administrative criteria (consent, procedures ...) counted
            admin = data["administrative"] / data["criteria_total"]
            print(f"administrative share {100 * admin:.1f}% (a site check, no patient data); faithful computable or "
                  f"administrative {100 * (share * counts['faithful'] / len(items) + admin):.1f}%")
        for i in items:
            if i["judgement"] != "faithful":
                print(f"- {i['judgement']}: {i['trial']} {i['role']} {i['number']}: {i['text'][:140]} -> {i['rule'][:160]}"
                      f" ({i['note']})")


if __name__ == "__main__":
    main()
