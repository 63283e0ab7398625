"""A synthetic randomised two-arm HCC study (120 randomised subjects) written for hcctrials.

Deterministic (seeded NumPy generator); no real patient data.  The design echoes the
randomised trials of systemic therapy added to TACE in intermediate/advanced HCC (the
bundled ChiCTR example of lenvatinib + sintilimab + TACE against TACE, NCT04011033 iNKT
cells + TACE against TACE): open-label, 1:1, stratified permuted blocks of 4 by BCLC stage
(B / C) and AFP (>= 400 / < 400 ng/mL); PFS by mRECIST primary, OS, ORR and safety
secondary; tumour assessments every 6 weeks.  True hazard ratios used to simulate: 0.60
for progression, 0.70 for death (exponential times; control medians 7 and 18 months, worse
for BCLC C and AFP >= 400).  Three subjects are randomised but never treated, one receives
TACE alone although randomised to the combination, and a few have major protocol
deviations (``per_protocol`` = False).

Tables (the one-arm example's layout, plus randomisation columns in ``subjects.csv``):

* ``subjects.csv``: as the one-arm example, plus ``randomisation_date``, ``arm`` (planned),
  ``actual_arm`` (received; blank if never treated), the strata ``bclc`` (B/C) and
  ``afp400`` (">=400"/"<400"), ``per_protocol`` and ``protocol_deviation``;
* ``tumour_assessments.csv``, ``adverse_events.csv``, ``dosing.csv`` (TACE is recorded as
  a drug with one planned session per procedure);
* ``study.json``: title, cut-off, criteria, arms, control arm, strata.

``python -m hcctrials.datasets.example_two_arm_study [OUTDIR]`` rewrites the packaged copy
(``scripts`` need not exist: the generator is this module).
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hcctrials.endpoints.study import StudyData

__all__ = ["EXAMPLE_TWO_ARM_STUDY_DIR", "STUDY_INFO", "EXPERIMENTAL_ARM", "CONTROL_ARM",
           "generate_example_two_arm_study", "write_example_two_arm_study",
           "load_example_two_arm_study"]

EXAMPLE_TWO_ARM_STUDY_DIR = Path(__file__).with_name("example_two_arm_study")
SEED = 20260412
CUTOFF = date(2026, 3, 31)
EXPERIMENTAL_ARM = "Lenvatinib + sintilimab + TACE"
CONTROL_ARM = "TACE"
N_RANDOMISED = 120
INTERVAL = 42
#: true hazard ratios (experimental / control) used to simulate
HR_PROGRESSION = 0.60
HR_DEATH = 0.70

STUDY_INFO: dict[str, Any] = {
    "study_id": "HCC-EX-002",
    "title_en": "Synthetic randomised phase II study: lenvatinib plus sintilimab plus TACE "
                "versus TACE alone in intermediate or advanced HCC (example data)",
    "title_zh": "合成示例:仑伐替尼联合信迪利单抗联合TACE对比单纯TACE治疗中晚期肝细胞癌的"
                "随机对照II期研究(虚构数据)",
    "data_cutoff": CUTOFF.isoformat(),
    "criteria": ["mrecist", "recist11"],
    "primary_criteria": "mrecist",
    "assessment_interval_days": INTERVAL,
    "cycle_days": 21,
    "arms": [EXPERIMENTAL_ARM, CONTROL_ARM],
    "control_arm": CONTROL_ARM,
    "strata": ["bclc", "afp400"],
    "randomisation": "1:1, permuted blocks of 4 within strata (BCLC stage x AFP)",
    "drugs": {"lenvatinib": {"dose_mg": 12, "schedule": "daily (8 mg if < 60 kg)"},
              "sintilimab": {"dose_mg": 200, "schedule": "every 3 weeks"},
              "TACE": {"dose_mg": 0, "schedule": "on demand"}},
}

_AE_COMMON = [  # term, SOC, weight, AESI, max grade
    ("Abdominal pain", "Gastrointestinal disorders", 6, False, 3),
    ("Pyrexia", "General disorders and administration site conditions", 6, False, 2),
    ("Nausea", "Gastrointestinal disorders", 4, False, 2),
    ("Alanine aminotransferase increased", "Investigations", 5, False, 3),
    ("Aspartate aminotransferase increased", "Investigations", 5, False, 3),
    ("Blood bilirubin increased", "Investigations", 3, False, 3),
    ("Fatigue", "General disorders and administration site conditions", 4, False, 2),
]
_AE_EXPERIMENTAL = [
    ("Hypertension", "Vascular disorders", 7, False, 3),
    ("Palmar-plantar erythrodysaesthesia syndrome", "Skin and subcutaneous tissue disorders", 4, False, 3),
    ("Proteinuria", "Renal and urinary disorders", 4, False, 3),
    ("Decreased appetite", "Metabolism and nutrition disorders", 4, False, 2),
    ("Diarrhoea", "Gastrointestinal disorders", 4, False, 3),
    ("Hypothyroidism", "Endocrine disorders", 4, True, 2),
    ("Platelet count decreased", "Investigations", 3, False, 4),
    ("Immune-mediated hepatitis", "Hepatobiliary disorders", 1.2, True, 4),
    ("Rash", "Skin and subcutaneous tissue disorders", 2, True, 3),
]
_FAIL_REASONS = ["Child-Pugh B8 liver function", "Main portal vein tumour thrombus (Vp4)",
                 "ECOG performance status 2", "Withdrew consent", "Prior TACE within 6 months",
                 "Platelets < 75 x 10^9/L", "Active hepatitis B (HBV DNA > 2000 IU/mL)",
                 "No measurable lesion (mRECIST)"]
#: randomised subjects never treated (position in randomisation order -> reason)
_UNTREATED = {17: "Withdrew consent before treatment",
              58: "Liver function deteriorated before treatment",
              93: "Withdrew consent before treatment"}
_DEVIATIONS = {31: "Eligibility: Child-Pugh B7 at baseline",
               70: "Prohibited concomitant anti-cancer therapy",
               104: "Missed two consecutive tumour assessments"}


def _d(x: date | None) -> str:
    return "" if x is None else x.isoformat()


def _randomise(strata: list[tuple[str, str]], rng: np.random.Generator) -> list[str]:
    """1:1 permuted blocks of 4 within each stratum, in order of arrival."""
    blocks: dict[tuple[str, str], list[str]] = {}
    arms = []
    for s in strata:
        if not blocks.get(s):
            block = [EXPERIMENTAL_ARM, EXPERIMENTAL_ARM, CONTROL_ARM, CONTROL_ARM]
            blocks[s] = [block[i] for i in rng.permutation(4)]
        arms.append(blocks[s].pop(0))
    return arms


def generate_example_two_arm_study(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Build the example study's tables (deterministic for a given ``seed``)."""
    rng = np.random.default_rng(seed)
    first_rand = date(2024, 3, 4)
    accrual_days = 480
    n_fail = len(_FAIL_REASONS)
    rand_days = np.sort(rng.integers(0, accrual_days, N_RANDOMISED))
    bclc = ["C" if rng.random() < 0.4 else "B" for _ in range(N_RANDOMISED)]
    afp = [">=400" if rng.random() < 0.38 else "<400" for _ in range(N_RANDOMISED)]
    arms = _randomise(list(zip(bclc, afp)), rng)
    subjects: list[dict[str, object]] = []
    lesions: list[dict[str, object]] = []
    aes: list[dict[str, object]] = []
    doses: list[dict[str, object]] = []
    fail_slots = set(int(x) for x in np.linspace(5, N_RANDOMISED - 5, n_fail).round())
    n = 0
    k_fail = 0
    for i in range(N_RANDOMISED):
        if i in fail_slots:  # a screen failure screened around this time
            n += 1
            screened = first_rand + timedelta(days=int(rand_days[i]) - int(rng.integers(5, 15)))
            subjects.append({
                "subject_id": f"TA-{n:03d}", "screening_date": _d(screened),
                "age": int(rng.integers(35, 78)), "sex": "M" if rng.random() < 0.85 else "F",
                "ecog": int(rng.random() < 0.4), "etiology": "HBV",
                "screen_failure_reason": _FAIL_REASONS[k_fail], "enrolled": False,
            })
            k_fail += 1
        n += 1
        sid = f"TA-{n:03d}"
        arm = arms[i]
        exp = arm == EXPERIMENTAL_ARM
        rand = first_rand + timedelta(days=int(rand_days[i]))
        screened = rand - timedelta(days=int(rng.integers(3, 15)))
        stage_c = bclc[i] == "C"
        high_afp = afp[i] == ">=400"
        weight = float(rng.uniform(48, 85))
        row: dict[str, object] = {
            "subject_id": sid, "screening_date": _d(screened),
            "age": int(rng.integers(33, 79)), "sex": "M" if rng.random() < 0.85 else "F",
            "ecog": int(rng.random() < (0.5 if stage_c else 0.25)),
            "etiology": str(rng.choice(["HBV"] * 8 + ["HCV", "alcohol", "MASLD"])),
            "bilirubin_umol_l": round(float(rng.uniform(6, 30)), 1),
            "albumin_g_l": round(float(rng.uniform(32, 47)), 1),
            "inr": round(float(rng.uniform(0.9, 1.3)), 2),
            "ascites": "none" if rng.random() < 0.88 else "mild",
            "encephalopathy": "none",
            "platelets_10e9_l": int(rng.integers(78, 280)),
            "afp_ng_ml": round(float(np.exp(rng.uniform(6.0, 10.5) if high_afp
                                            else rng.uniform(0.5, 5.9))), 1),
            "macrovascular_invasion": bool(stage_c and rng.random() < 0.6),
            "extrahepatic_spread": bool(stage_c and rng.random() < 0.5),
            "prior_systemic_lines": 0,
            "screen_failure_reason": "", "enrolled": True,
            "weight_kg": round(weight, 1),
            "randomisation_date": _d(rand), "arm": arm,
            "bclc": bclc[i], "afp400": afp[i],
        }
        # ---- latent times (days from randomisation): exponential, proportional hazards
        risk = (1.4 if stage_c else 1.0) * (1.3 if high_afp else 1.0)
        lam_p = np.log(2) / (7 * 30.4375) * risk * (HR_PROGRESSION if exp else 1.0)
        lam_d = np.log(2) / (18 * 30.4375) * risk * (HR_DEATH if exp else 1.0)
        t_prog = float(rng.exponential(1 / lam_p))
        t_death = float(rng.exponential(1 / lam_d))
        death: date | None = rand + timedelta(days=max(int(t_death), 3))
        if death is not None and death > CUTOFF:
            death = None
        lost = rng.random() < 0.05
        lka_limit = CUTOFF if not lost else min(CUTOFF, rand + timedelta(
            days=int(rng.integers(60, 400))))
        if lost and death is not None and death > lka_limit:
            death = None
        # ---- baseline lesions (scan 3-20 days before randomisation)
        n_t = int(rng.integers(1, 4)) + (1 if stage_c and rng.random() < 0.5 else 0)
        n_t = min(n_t, 3)
        base = []
        for k in range(n_t):
            node = stage_c and k == 2 and rng.random() < 0.4
            organ = "lymph node" if node else ("liver" if k < 2 else "lung")
            ld = float(rng.uniform(16, 28) if node else rng.uniform(15, 95))
            vfrac = float(rng.uniform(0.6, 0.95))
            base.append((f"T{k + 1}", organ, node, ld, ld * vfrac))
        liver = [ld for _, organ, _, ld, _ in base if organ == "liver"]
        row.update(nodule_count=len(liver),
                   largest_diameter_cm=round(max(liver) / 10, 1) if liver else "")
        has_nt = stage_c and bool(row["macrovascular_invasion"])
        pos = i
        untreated = pos in _UNTREATED
        crossover = exp and not untreated and pos == 44
        received = CONTROL_ARM if crossover else arm
        fd = None if untreated else rand + timedelta(days=int(rng.integers(1, 8)))
        if fd is not None and death is not None and death <= fd:
            death = fd + timedelta(days=int(rng.integers(10, 40)))
        visits = [rand - timedelta(days=int(rng.integers(3, 20)))]
        pd_date: date | None = None
        responder = False
        depth = 0.0
        if fd is not None:
            p_resp = 0.62 if received == EXPERIMENTAL_ARM else 0.38
            responder = rng.random() < p_resp
            depth = float(rng.uniform(0.32, 1.0)) if responder else 0.0
            if responder and rng.random() < 0.3:
                depth = 1.0
            t = 1
            while t <= 20:
                vd = fd + timedelta(days=t * INTERVAL + int(rng.integers(-3, 4)))
                if vd > CUTOFF or vd > lka_limit or (death is not None and vd >= death):
                    break
                if pos in _DEVIATIONS and "Missed" in _DEVIATIONS[pos] and t in (3, 4):
                    t += 1
                    continue
                visits.append(vd)
                if (vd - rand).days >= t_prog:
                    pd_date = vd
                    break
                t += 1
        new_at_pd = rng.random() < 0.55
        growth = float(rng.uniform(1.3, 1.7))
        for vi, vd in enumerate(visits):
            if vi == 0:
                f_total = f_viable = 1.0
            else:
                ramp = min(vi / 2, 1.0)
                f_viable = 1 - depth * ramp if responder else 1 + float(rng.normal(0, 0.04))
                # RECIST sees less shrinkage: necrotic tumour keeps its diameter
                f_total = 1 - 0.5 * depth * ramp if responder else f_viable
                if vd == pd_date and not new_at_pd:
                    f_total = (1 - 0.5 * depth if responder else 1.0) * growth + 0.08
                    f_viable = max(1 - depth, 0.25) * growth + 0.1
            for lid, organ, node, ld, vld in base:
                dm = max(ld * f_total, 6.0) if node else ld * f_total
                lesions.append({
                    "subject_id": sid, "visit_date": _d(vd), "lesion_id": lid,
                    "lesion_role": "target", "organ": organ, "is_lymph_node": node,
                    "diameter_mm": round(max(dm, 0.0), 1),
                    "viable_diameter_mm": round(max(vld * f_viable, 0.0), 1) if organ == "liver" else "",
                    "non_target_status": "", "measurable": True, "typical_vascular_pattern": ""})
            if has_nt:
                status = "absent" if (responder and depth >= 1.0 and vi >= 2) else "present"
                lesions.append({
                    "subject_id": sid, "visit_date": _d(vd), "lesion_id": "NT1",
                    "lesion_role": "non_target", "organ": "portal vein", "is_lymph_node": False,
                    "diameter_mm": "", "viable_diameter_mm": "", "non_target_status": status,
                    "measurable": False, "typical_vascular_pattern": ""})
            if vd == pd_date and new_at_pd:
                lesions.append({
                    "subject_id": sid, "visit_date": _d(vd), "lesion_id": "N1",
                    "lesion_role": "new", "organ": "liver", "is_lymph_node": False,
                    "diameter_mm": round(float(rng.uniform(11, 26)), 1),
                    "viable_diameter_mm": "", "non_target_status": "", "measurable": True,
                    "typical_vascular_pattern": True})
        # ---- follow-up
        last_visit = visits[-1]
        nact = None
        if pd_date is not None and rng.random() < 0.6:
            nact = pd_date + timedelta(days=int(rng.integers(14, 45)))
            if nact > CUTOFF or nact > lka_limit or (death is not None and nact >= death):
                nact = None
        eot: date | None = None
        eot_reason = "Ongoing"
        if untreated:
            eot_reason = "Not treated"
        else:
            if pd_date is not None:
                eot, eot_reason = pd_date, "Disease progression"
            elif death is not None:
                eot, eot_reason = death, "Death"
            elif lost:
                eot, eot_reason = lka_limit, "Lost to follow-up"
            if fd is not None and rng.random() < (0.1 if received == EXPERIMENTAL_ARM else 0.03):
                tox = fd + timedelta(days=int(rng.integers(50, 200)))
                if tox <= CUTOFF and (eot is None or tox < eot):
                    eot, eot_reason = tox, "Adverse event"
        if death is not None:
            lka = None
        else:
            lka = min(lka_limit, CUTOFF - timedelta(days=int(rng.integers(0, 21)))) if not lost \
                else lka_limit
            lka = max(lka, last_visit, rand)
        row.update(
            first_dose_date=_d(fd), actual_arm=received if fd is not None else "",
            death_date=_d(death), last_known_alive_date=_d(lka), new_therapy_date=_d(nact),
            end_of_treatment_date=_d(eot), end_of_treatment_reason=eot_reason,
            per_protocol=not (untreated or crossover or pos in _DEVIATIONS),
            protocol_deviation=_DEVIATIONS.get(pos, "Randomised to combination, received TACE "
                                               "alone" if crossover else ""))
        subjects.append(row)
        if fd is None:
            continue
        # ---- dosing: 21-day cycles; TACE on demand (day 1, then every other cycle, <= 4)
        stop = min(x for x in (eot, death, CUTOFF, lka_limit) if x is not None)
        c = 0
        sessions = 0
        reduced = False
        while True:
            cd = fd + timedelta(days=21 * c)
            if cd > stop or (eot is not None and cd >= eot and c > 0):
                break
            c += 1
            if sessions < 4 and (c == 1 or (c % 3 == 1 and rng.random() < 0.6)):
                sessions += 1
                doses.append({"subject_id": sid, "drug": "TACE", "cycle": c, "dose_date": _d(cd),
                              "planned_dose": 1, "actual_dose": 1, "unit": "session"})
            if received == EXPERIMENTAL_ARM:
                reduced = reduced or rng.random() < 0.08
                daily = 8 if weight < 60 else 12
                got = daily * (0.67 if reduced else 1.0)
                doses.append({"subject_id": sid, "drug": "lenvatinib", "cycle": c,
                              "dose_date": _d(cd), "planned_dose": daily * 21,
                              "actual_dose": round(got * 21), "unit": "mg"})
                doses.append({"subject_id": sid, "drug": "sintilimab", "cycle": c,
                              "dose_date": _d(cd), "planned_dose": 200,
                              "actual_dose": 0 if rng.random() < 0.04 else 200, "unit": "mg"})
        # ---- adverse events
        terms = _AE_COMMON + (_AE_EXPERIMENTAL if received == EXPERIMENTAL_ARM else [])
        weights = np.array([w for _, _, w, _, _ in terms], dtype=float)
        on_days = max((stop - fd).days, 20)
        for _ in range(int(rng.poisson(4.0 if received == EXPERIMENTAL_ARM else 2.5))):
            j = int(rng.choice(len(terms), p=weights / weights.sum()))
            term, soc, _, aesi, gmax = terms[j]
            grade = int(min(gmax, 1 + rng.binomial(3, 0.3)))
            start = fd + timedelta(days=int(rng.integers(1, on_days + 1)))
            if death is not None and start >= death:
                start = death - timedelta(days=1)
            aes.append({"subject_id": sid, "ae_term": term, "soc": soc, "ctcae_grade": grade,
                        "start_date": _d(max(start, fd)),
                        "serious": grade >= 3 and rng.random() < 0.5, "aesi": aesi,
                        "led_to_discontinuation": eot_reason == "Adverse event" and grade >= 3,
                        "related": rng.random() < 0.7})
    return {"subjects": pd.DataFrame(subjects), "tumour_assessments": pd.DataFrame(lesions),
            "adverse_events": pd.DataFrame(aes), "dosing": pd.DataFrame(doses)}


def write_example_two_arm_study(outdir: Path | str = EXAMPLE_TWO_ARM_STUDY_DIR, *,
                                seed: int = SEED) -> Path:
    """Write the example study's CSV files and ``study.json`` to ``outdir``."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in generate_example_two_arm_study(seed).items():
        frame.to_csv(out / f"{name}.csv", index=False)
    (out / "study.json").write_text(json.dumps(STUDY_INFO, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
    return out


def load_example_two_arm_study() -> StudyData:
    """The packaged two-arm example as :class:`~hcctrials.endpoints.study.StudyData`."""
    folder = EXAMPLE_TWO_ARM_STUDY_DIR
    tables = {name: pd.read_csv(folder / f"{name}.csv", dtype={"subject_id": str},
                                keep_default_na=True)
              for name in ("subjects", "tumour_assessments", "adverse_events", "dosing")}
    info = json.loads((folder / "study.json").read_text(encoding="utf-8"))
    return StudyData(tables["subjects"], tables["tumour_assessments"], tables["adverse_events"],
                     tables["dosing"], info)


if __name__ == "__main__":  # pragma: no cover
    print(write_example_two_arm_study(sys.argv[1] if len(sys.argv) > 1 else EXAMPLE_TWO_ARM_STUDY_DIR))
