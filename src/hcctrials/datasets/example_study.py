"""A synthetic single-arm HCC study (about 50 subjects) written for hcctrials.

Deterministic (seeded NumPy generator); no real patient data.  The design echoes a
second-line single-arm phase II trial of a PD-L1 antibody plus a VEGFR2 TKI (ORR primary;
TTP, PFS, DCR, DoR, OS and safety secondary).  Tables:

* ``subjects.csv``: screening, enrolment, first dose, demographics, baseline liver function
  (bilirubin, albumin, INR, ascites, encephalopathy), tumour burden, AFP, follow-up dates
  (death, last known alive, new anti-cancer therapy, end of treatment and its reason);
* ``tumour_assessments.csv``: one row per lesion per visit, in the response engine's
  canonical layout (subject_id, visit_date, lesion_id, lesion_role, organ,
  is_lymph_node, diameter_mm, viable_diameter_mm, non_target_status, measurable,
  typical_vascular_pattern);
* ``adverse_events.csv``: CTCAE v5 term, system organ class, grade, serious, AESI,
  led_to_discontinuation, related, start date;
* ``dosing.csv``: one row per drug per cycle with planned and delivered dose (mg);
* ``study.json``: title, data cut-off, criteria sets, assessment schedule.

``python -m hcctrials.datasets.example_study OUTDIR`` rewrites the packaged copy.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd

__all__ = ["EXAMPLE_STUDY_DIR", "STUDY_INFO", "generate_example_study", "write_example_study"]

EXAMPLE_STUDY_DIR = Path(__file__).with_name("example_study")
SEED = 20260411
CUTOFF = date(2026, 3, 31)


class _Drug(TypedDict):
    dose_mg: int
    schedule: str


class _StudyInfo(TypedDict):
    """Shape of ``study.json`` written next to the tables."""

    study_id: str
    title_en: str
    title_zh: str
    data_cutoff: str
    criteria: list[str]
    primary_criteria: str
    assessment_interval_days: int
    cycle_days: int
    drugs: dict[str, _Drug]


STUDY_INFO: _StudyInfo = {
    "study_id": "HCC-EX-001",
    "title_en": "Synthetic single-arm phase II study: PD-L1 antibody plus apatinib in "
                "previously treated advanced HCC (example data)",
    "title_zh": "合成示例:PD-L1抑制剂联合阿帕替尼治疗既往系统治疗后的晚期肝细胞癌单臂II期研究(虚构数据)",
    "data_cutoff": CUTOFF.isoformat(),
    "criteria": ["recist11", "mrecist"],
    "primary_criteria": "recist11",
    "assessment_interval_days": 56,
    "cycle_days": 21,
    "drugs": {"adebrelimab": {"dose_mg": 1200, "schedule": "every 3 weeks"},
              "apatinib": {"dose_mg": 250, "schedule": "daily"}},
}

_AE_TERMS = [  # term, SOC (MedDRA), weight, AESI (immune-mediated), typical max grade
    ("Hypertension", "Vascular disorders", 8, False, 3),
    ("Palmar-plantar erythrodysaesthesia syndrome", "Skin and subcutaneous tissue disorders", 6, False, 3),
    ("Proteinuria", "Renal and urinary disorders", 6, False, 3),
    ("Aspartate aminotransferase increased", "Investigations", 6, False, 3),
    ("Platelet count decreased", "Investigations", 5, False, 4),
    ("Blood bilirubin increased", "Investigations", 3, False, 3),
    ("Fatigue", "General disorders and administration site conditions", 6, False, 2),
    ("Diarrhoea", "Gastrointestinal disorders", 4, False, 3),
    ("Decreased appetite", "Metabolism and nutrition disorders", 4, False, 2),
    ("Hypothyroidism", "Endocrine disorders", 4, True, 2),
    ("Rash", "Skin and subcutaneous tissue disorders", 3, True, 3),
    ("Immune-mediated hepatitis", "Hepatobiliary disorders", 1.5, True, 4),
    ("Pneumonitis", "Respiratory, thoracic and mediastinal disorders", 1, True, 3),
    ("Gastrointestinal haemorrhage", "Gastrointestinal disorders", 1, False, 5),
]


def _d(x: date | None) -> str:
    return "" if x is None else x.isoformat()


def generate_example_study(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Build the example study's tables (deterministic for a given ``seed``)."""
    rng = np.random.default_rng(seed)
    n_screened = 56
    subjects, lesions, aes, doses = [], [], [], []
    start0 = date(2025, 1, 6)
    interval = STUDY_INFO["assessment_interval_days"]
    fail_reasons = ["Child-Pugh B8 liver function", "No measurable lesion (RECIST 1.1)",
                    "ECOG performance status 2", "Withdrew consent", "Platelets < 75 x 10^9/L",
                    "Active hepatitis B (HBV DNA > 2000 IU/mL)"]
    n_fail = 0
    for i in range(n_screened):
        sid = f"EX-{i + 1:03d}"
        screened = start0 + timedelta(days=int(i * 5 + rng.integers(0, 4)))
        row: dict[str, object] = {
            "subject_id": sid, "screening_date": _d(screened),
            "age": int(rng.integers(34, 76)), "sex": "M" if rng.random() < 0.84 else "F",
            "ecog": int(rng.random() < 0.45),
            "etiology": rng.choice(["HBV", "HBV", "HBV", "HBV", "HCV", "alcohol", "MASLD"]),
            "bilirubin_umol_l": round(float(rng.uniform(7, 32)), 1),
            "albumin_g_l": round(float(rng.uniform(31, 46)), 1),
            "inr": round(float(rng.uniform(0.92, 1.35)), 2),
            "ascites": "none" if rng.random() < 0.82 else "mild",
            "encephalopathy": "none",
            "platelets_10e9_l": int(rng.integers(80, 260)),
            "afp_ng_ml": round(float(np.exp(rng.uniform(1, 10))), 1),
            "macrovascular_invasion": bool(rng.random() < 0.35),
            "extrahepatic_spread": bool(rng.random() < 0.55),
            "prior_systemic_lines": int(rng.choice([1, 1, 1, 2])),
        }
        if i % 9 == 4 and n_fail < len(fail_reasons):
            row.update(screen_failure_reason=fail_reasons[n_fail], enrolled=False)
            n_fail += 1
            subjects.append(row)
            continue
        row.update(screen_failure_reason="", enrolled=True)
        if i == 30:  # enrolled, withdrew before the first dose
            row.update(first_dose_date="", end_of_treatment_reason="Withdrew before dosing")
            subjects.append(row)
            continue
        fd = screened + timedelta(days=int(rng.integers(7, 20)))
        kind = rng.choice(["responder", "stable", "progressor", "early"], p=[0.3, 0.36, 0.28, 0.06])
        # ---- lesions at baseline
        n_t = int(rng.integers(1, 4))
        base = []
        for k in range(n_t):
            node = k == 2 and rng.random() < 0.5
            organ = "lymph node" if node else ("liver" if k < 2 else "lung")
            ld = float(rng.uniform(16, 30) if node else rng.uniform(14, 85))
            base.append((f"T{k + 1}", organ, node, ld, ld * float(rng.uniform(0.6, 0.95))))
        liver = [ld for _, organ, _, ld, _ in base if organ == "liver"]
        row.update(nodule_count=len(liver),  # intrahepatic target lesions at baseline
                   largest_diameter_cm=round(max(liver) / 10, 1) if liver else "")
        has_nt = rng.random() < 0.5
        depth = float(rng.uniform(0.35, 1.0)) if kind == "responder" else 0.0
        growth = float(rng.uniform(1.25, 1.6))
        pd_visit = {"responder": int(rng.integers(4, 9)), "stable": int(rng.integers(3, 7)),
                    "progressor": int(rng.integers(1, 3)), "early": 99}[kind]
        if kind == "stable" and rng.random() < 0.3:
            pd_visit = 99
        new_at_pd = rng.random() < 0.5
        death = None
        visits = [fd - timedelta(days=int(rng.integers(3, 14)))]
        t = 1
        while True:
            vd = fd + timedelta(days=t * interval + int(rng.integers(-4, 5)))
            if vd > CUTOFF or t > 12:
                break
            if kind == "early" and t == 1:
                break
            if t == 3 and rng.random() < 0.08:   # a missed scan
                t += 1
                continue
            visits.append(vd)
            if t >= pd_visit:
                break
            t += 1
        pd_date = visits[-1] if (len(visits) > 1 and len(visits) - 1 >= pd_visit) else None
        for vi, vd in enumerate(visits):
            if vi == 0:
                f = fv = 1.0
            else:
                frac = min(vi / 2, 1.0)
                f = 1 - depth * frac if kind == "responder" else 1 + float(rng.normal(0, 0.05))
                fv = max(f - 0.15 * depth, 0.0) if kind == "responder" else f
                if pd_date is not None and vd == pd_date and not (new_at_pd and kind != "stable"):
                    nadir = 1 - depth if kind == "responder" else 1.0
                    f = nadir * growth + 0.08
                    fv = f
            for lid, organ, node, ld, vld in base:
                d = ld * f
                if node:
                    d = max(d, 6.0)
                lesions.append({"subject_id": sid, "visit_date": _d(vd), "lesion_id": lid,
                                "lesion_role": "target", "organ": organ, "is_lymph_node": node,
                                "diameter_mm": round(max(d, 0.0), 1),
                                "viable_diameter_mm": round(max(vld * fv, 0.0), 1) if organ == "liver" else "",
                                "non_target_status": "", "measurable": True,
                                "typical_vascular_pattern": ""})
            if has_nt:
                status = "present"
                if kind == "responder" and vi >= 2 and depth > 0.95:
                    status = "absent"
                lesions.append({"subject_id": sid, "visit_date": _d(vd), "lesion_id": "NT1",
                                "lesion_role": "non_target", "organ": "portal vein",
                                "is_lymph_node": False, "diameter_mm": "",
                                "viable_diameter_mm": "", "non_target_status": status,
                                "measurable": False, "typical_vascular_pattern": ""})
            if pd_date is not None and vd == pd_date and new_at_pd and kind != "stable":
                lesions.append({"subject_id": sid, "visit_date": _d(vd), "lesion_id": "N1",
                                "lesion_role": "new", "organ": "liver", "is_lymph_node": False,
                                "diameter_mm": round(float(rng.uniform(12, 25)), 1),
                                "viable_diameter_mm": "", "non_target_status": "",
                                "measurable": True, "typical_vascular_pattern": True})
        # ---- follow-up
        last_visit = visits[-1]
        if kind == "early":
            death = fd + timedelta(days=int(rng.integers(20, 50)))
        elif pd_date is not None and rng.random() < 0.65:
            death = pd_date + timedelta(days=int(rng.integers(40, 300)))
        elif rng.random() < 0.08:
            death = last_visit + timedelta(days=int(rng.integers(20, 60)))
        if death is not None and death > CUTOFF:
            death = None
        nact = None
        if pd_date is not None and rng.random() < 0.5:
            nact = pd_date + timedelta(days=int(rng.integers(14, 45)))
            if nact > CUTOFF or (death is not None and nact >= death):
                nact = None
        eot = pd_date or (death if death else None)
        eot_reason = "Disease progression" if pd_date else ("Death" if death else "Ongoing")
        # toxicity discontinuation for a few subjects
        tox_stop = rng.random() < 0.1 and kind != "early"
        if tox_stop:
            eot = fd + timedelta(days=int(rng.integers(60, 160)))
            eot_reason = "Adverse event"
            if pd_date and eot > pd_date:
                eot, eot_reason = pd_date, "Disease progression"
        last_dose_limit = min([x for x in (eot, death, CUTOFF) if x is not None])
        lka = death if death else min(CUTOFF, max(last_visit, last_dose_limit) + timedelta(
            days=int(rng.integers(0, 60))))
        if death is None:
            lka = min(lka, CUTOFF)
        row.update(first_dose_date=_d(fd), death_date=_d(death),
                   last_known_alive_date="" if death else _d(lka),
                   new_therapy_date=_d(nact), end_of_treatment_date=_d(eot if eot_reason != "Ongoing" else None),
                   end_of_treatment_reason=eot_reason)
        subjects.append(row)
        # ---- dosing (21-day cycles)
        c = 0
        tox = False
        while True:
            cd = fd + timedelta(days=21 * c)
            if cd > last_dose_limit or (eot is not None and cd >= eot and c > 0):
                break
            c += 1
            tox = tox or rng.random() < 0.06
            doses.append({"subject_id": sid, "drug": "adebrelimab", "cycle": c, "dose_date": _d(cd),
                          "planned_dose": 1200, "actual_dose": 0 if (tox and rng.random() < 0.3) else 1200,
                          "unit": "mg"})
            red = 1.0 if not tox else float(rng.choice([0.5, 0.75, 1.0]))
            doses.append({"subject_id": sid, "drug": "apatinib", "cycle": c, "dose_date": _d(cd),
                          "planned_dose": 250 * 21, "actual_dose": round(250 * 21 * red), "unit": "mg"})
        # ---- adverse events
        on_days = max((last_dose_limit - fd).days, 20)
        n_ae = int(rng.poisson(3.2))
        weights = np.array([w for _, _, w, _, _ in _AE_TERMS], dtype=float)
        for _ in range(n_ae):
            k = int(rng.choice(len(_AE_TERMS), p=weights / weights.sum()))
            term, soc, _, aesi, gmax = _AE_TERMS[k]
            grade = int(min(gmax, 1 + rng.binomial(3, 0.3)))
            if grade == 5 and death is None:
                grade = 4
            start = fd + timedelta(days=int(rng.integers(1, on_days + 1)))
            aes.append({"subject_id": sid, "ae_term": term, "soc": soc, "ctcae_grade": grade,
                        "start_date": _d(start), "serious": grade >= 3 and rng.random() < 0.5,
                        "aesi": aesi, "led_to_discontinuation": tox_stop and grade >= 3,
                        "related": rng.random() < 0.7})
    tables = {
        "subjects": pd.DataFrame(subjects),
        "tumour_assessments": pd.DataFrame(lesions),
        "adverse_events": pd.DataFrame(aes),
        "dosing": pd.DataFrame(doses),
    }
    return tables


def write_example_study(outdir: Path | str = EXAMPLE_STUDY_DIR, *, seed: int = SEED) -> Path:
    """Write the example study's CSV files and ``study.json`` to ``outdir``."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in generate_example_study(seed).items():
        frame.to_csv(out / f"{name}.csv", index=False)
    (out / "study.json").write_text(json.dumps(STUDY_INFO, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    return out


if __name__ == "__main__":  # pragma: no cover
    print(write_example_study(sys.argv[1] if len(sys.argv) > 1 else EXAMPLE_STUDY_DIR))
