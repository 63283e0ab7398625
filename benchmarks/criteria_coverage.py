"""Coverage of the compiler on the seeds (000, 001, 004), the HINT HCC subset and the real
registry records in ../shared (read here only, never copied).  Prints per-corpus figures and the
criteria needing review most often, grouped into families (a keyword classifier over the text
left for review) with one example each, so the next compiler families can be chosen by count.

Usage: python benchmarks/criteria_coverage.py [--families N] [--examples K]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

from hcctrials.criteria import compile_trial, compute_coverage
from hcctrials.criteria.coverage import criterion_state
from hcctrials.model.eligibility import NeedsReview, walk
from hcctrials.sources.base import ParsedRecord
from hcctrials.sources.detect import iter_input_files, parse_path

SHARED = Path(__file__).resolve().parents[2] / "shared"

#: family name -> keywords (EN + ZH) searched in the text left for review.  A criterion counts once
#: per family it touches; the first matching family is its "primary" family.
FAMILIES: list[tuple[str, str]] = [
    ("toxicity recovered to grade <= 1", r"toxicit|adverse (?:event|effect|reaction)|recover\w* from|grade\s*[≤<]|毒性|不良反应|不良事件|恢复"),
    ("surgery / wound healing", r"surg\w*|operation|wound|fracture|ulcer|biops|手术|伤口|骨折|溃疡|创伤"),
    ("cardiac (MI, angina, arrhythmia, QTc, LVEF)", r"cardi\w*|heart|myocard|angina|arrhythm|qtc|qt interval|ejection|lvef|stroke|"
     r"cerebrovasc|coronary|心|卒中|脑血管|冠"),
    ("CNS / brain metastases", r"brain|cns|central nervous|leptomening|spinal cord|脑转移|中枢神经"),
    ("HBV / HCV", r"hbv|hcv|hepatitis|hbsag|乙肝|丙肝|乙型|丙型|肝炎"),
    ("infection / HIV / TB", r"infect|hiv|tubercul|sepsis|antibiotic|感染|艾滋|结核|抗生素"),
    ("transplant", r"transplant|移植"),
    ("bleeding / varices / thrombosis", r"bleed|hemorrhag|haemorrhag|varic|thromb|embol|anticoag|出血|静脉曲张|血栓|栓塞|抗凝"),
    ("measurable disease (RECIST)", r"measurable|recist|可测量|可评估"),
    ("portal vein / vascular invasion", r"portal|vp\s*[0-4]|vascular invasion|门静脉|癌栓"),
    ("prior therapy / named drugs", r"prior|previous|therap|treat|regimen|chemo|inhibitor|antibod|drug|medicat|agent|"
     r"既往|治疗|药物|化疗|抑制剂"),
    ("diagnosis / disease setting (other cancers)", r"carcinoma|cancer|tumou?r|malignan|neoplas|metasta|unresectable|"
     r"resect|癌|肿瘤|转移"),
    ("organ function / labs", r"function|laborator|renal|hepatic|marrow|hemoglobin|platelet|功能|血常规"),
    ("hypertension / vital signs", r"hypertens|blood pressure|血压"),
    ("lung / pneumonitis / effusion", r"lung|pulmonar|pneumon|effusion|copd|asthma|肺|胸腔积液"),
    ("autoimmune / immunosuppression", r"autoimmun|immun|steroid|自身免疫|免疫"),
    ("oral intake / GI absorption", r"swallow|oral|absorption|gastrointestinal|吞咽|口服|吸收"),
    ("psychiatric / substance", r"psychiat|mental|alcohol|substance|depress|精神|酒精|药物滥用"),
]
_FAMILY_RE = [(name, re.compile(p, re.IGNORECASE)) for name, p in FAMILIES]


def trials(paths: list[Path]):  # type: ignore[no-untyped-def]
    for root in paths:
        for f in iter_input_files(root):
            for r in parse_path(f):
                if isinstance(r, ParsedRecord):
                    yield r.trial


def review_text(rule: object) -> str:
    """The text of a criterion's review parts (reasons without their 'no rule recognised in:' prefix)."""
    parts = []
    for n in walk(rule):  # type: ignore[arg-type]
        if isinstance(n, NeedsReview):
            parts.append(re.sub(r"^(?:no rule recognised in|text not compiled|condition[^:]*):\s*", "", n.reason))
    return " | ".join(parts)


def families_of(text: str) -> list[str]:
    return [name for name, rx in _FAMILY_RE if rx.search(text)] or ["(other)"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--families", type=int, default=len(FAMILIES) + 1, help="families to list per corpus")
    ap.add_argument("--examples", type=int, default=1, help="example texts per family")
    args = ap.parse_args()
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
        touched: Counter[str] = Counter()
        primary: Counter[str] = Counter()
        examples: dict[str, list[str]] = defaultdict(list)
        for trial in compiled:
            for c in trial.criteria:
                if criterion_state(c.rule) == "compiled":
                    continue
                text = review_text(c.rule)
                fams = families_of(text)
                primary[fams[0]] += 1
                for fam in fams:
                    touched[fam] += 1
                    if len(examples[fam]) < args.examples:
                        examples[fam].append(" ".join(text.split())[:110])
        print("   review families (criteria touching / primary):")
        for fam, n in touched.most_common(args.families):
            print(f"     {n:5d} / {primary[fam]:5d}  {fam}: e.g. {examples[fam][0]!r}")
            for ex in examples[fam][1:]:
                print(f"                  {ex!r}")


if __name__ == "__main__":
    main()
