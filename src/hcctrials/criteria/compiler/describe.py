"""Named, printable criteria: one readable line per node (for ``criteria show`` and reviews).

``describe(node)`` renders a tree as text such as
``all of (ANC >= 1.5 10^9/L; platelets >= 40 10^9/L)`` or ``not (prior therapy: classes pdl1;
agents apatinib)``; ``LEAF_DESCRIPTIONS`` names every leaf kind for the docs and the CLI.
"""

from __future__ import annotations

import re

from hcctrials.model.eligibility import (
    Administrative,
    Age,
    Albi,
    AllOf,
    Allergy,
    AnyOf,
    ChildPugh,
    ClipScore,
    Diagnosis,
    Ecog,
    BodyWeight,
    HistoryCondition,
    LabThreshold,
    LifeExpectancy,
    LiverFeature,
    NeedsReview,
    Node,
    Not,
    OkudaStage,
    Pregnancy,
    PriorTherapy,
    Sex,
    Stage,
    TumourFeature,
    Virology,
)

__all__ = ["describe", "LEAF_DESCRIPTIONS", "ANALYTE_LABELS"]

_CLIP_SYM = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "="}

LEAF_DESCRIPTIONS: dict[str, str] = {
    "lab": "a laboratory value against an absolute threshold (with unit) or a multiple of the lab's ULN",
    "age": "age in completed years on the evaluation date within a range",
    "sex": "sex in the allowed set",
    "ecog": "ECOG performance status in the allowed set",
    "child_pugh": "Child-Pugh total points in the allowed set (A = 5-6, B7 = 7)",
    "albi": "ALBI grade (1, 2, 3; mALBI 2a/2b)",
    "clip_score": "CLIP score (Child-Pugh class, tumour morphology, AFP >= 400, portal vein thrombosis; 0-6) against a threshold",
    "okuda_stage": "Okuda stage (tumour > 50% of the liver, ascites, albumin < 3 g/dL, bilirubin > 3 mg/dL; I-III) in the allowed set",
    "stage": "BCLC or CNLC stage in the allowed set",
    "diagnosis": "how HCC was confirmed / the histological type",
    "tumour_feature": "a tumour feature (measurable disease, PVTT, main-trunk PVTT, extrahepatic spread, CNS metastasis ...)",
    "liver_feature": "a clinical liver item (ascites, encephalopathy, varices)",
    "prior_therapy": "prior therapy by drug or class, counted in regimens/lines/agents, with windows and progression",
    "history": "a comorbidity or history item, active or ever, with a look-back window",
    "virology": "HBV/HCV/HIV status (HBsAg with HBV DNA threshold and antiviral therapy)",
    "pregnancy": "pregnant or breastfeeding",
    "life_expectancy": "life expectancy at least N weeks",
    "body_weight": "body weight against a threshold in kg",
    "allergy": "known allergy to the trial drugs, a drug or a class",
    "administrative": "consent, contraception, compliance, investigator judgement (listed, never blocking)",
    "needs_review": "text the compiler could not turn into a rule (kept with the reason)",
    "other_malignancy": "another malignancy (active or within a window) not covered by the listed exceptions "
                        "(types such as basal cell skin cancer or cervical carcinoma in situ; curatively treated; disease-free for N years)",
    "heart_failure_nyha": "heart failure of NYHA class N or worse",
    "urine_dipstick": "urine protein by dipstick against a grade (negative 0, trace 0.5, 1+ ... 4+)",
    "residual_toxicity": "unresolved adverse events of prior anticancer therapy of CTCAE grade N or higher (alopecia not counted)",
    "treatment_candidate": "candidate for curative resection or liver transplantation",
    "medication": "a concomitant medication by drug or class (strong CYP3A4 inhibitor/inducer, anticoagulant at "
                  "therapeutic dose, herbal medicine ...) taken now or within a window",
}

ANALYTE_LABELS = {
    "anc": "ANC", "platelets": "platelets", "hemoglobin": "haemoglobin", "wbc": "WBC",
    "lymphocytes": "lymphocytes", "bilirubin_total": "total bilirubin", "albumin": "albumin", "alt": "ALT",
    "ast": "AST", "creatinine": "creatinine", "creatinine_clearance": "creatinine clearance", "inr": "INR",
    "aptt": "APTT", "pt": "PT", "afp": "AFP", "hbv_dna": "HBV DNA", "systolic_bp": "systolic BP", "diastolic_bp": "diastolic BP",
    "urine_protein": "urine protein (quantified)", "urine_protein_24h": "24-hour urine protein", "upcr": "UPCR",
    "hba1c": "HbA1c", "calcium_ionised": "ionised calcium", "calcium_corrected": "corrected calcium",
    # issue 13: every analyte of the patient model has a name a reader of either language reads
    "alp": "ALP", "amylase": "amylase", "bilirubin_direct": "direct bilirubin", "calcium": "calcium",
    "cholesterol": "cholesterol", "egfr": "eGFR", "ggt": "GGT", "glucose": "glucose", "hcv_rna": "HCV RNA",
    "lipase": "lipase", "lvef": "LVEF", "pivka2": "PIVKA-II", "potassium": "potassium",
    "pt_activity": "prothrombin activity", "qtc": "QTc", "triglycerides": "triglycerides", "tsh": "TSH",
}


#: lexicon procedure ids whose abbreviation hides what they are (the precision audit reads descriptions)
_PROCEDURE_GLOSS = {"tare": "tare (radioembolization)", "tace": "tace (chemoembolization)",
                    "tae": "tae (transarterial embolization)", "haic": "haic (hepatic arterial infusion chemotherapy)"}


_CLASS_GLOSS = {"transarterial": "transarterial (TACE/TAE/TARE/HAIC)",
               "chemoembolization": "chemoembolization (TACE, cTACE, DEB-TACE)"}
_TYPE_GLOSS = {"bladder_superficial": "bladder_superficial (non-invasive)"}
#: history codes whose name does not say what the patient needs
_CODE_GLOSS = {"dialysis": "dialysis (requiring dialysis)",
               "encephalopathy_medication": "encephalopathy_medication (requiring medication to prevent or control "
                                            "hepatic encephalopathy)",
               "hdv_infection": "hdv_infection (HBV/HDV co-infection)",
               # issue 10 (session 5): the code is recorded for symptomatic disease only (docs/patients.md)
               "peripheral_vascular_disease": "peripheral_vascular_disease (symptomatic)",
               # issue 10 (session 6): the code is the class the wording names (docs/patients.md)
               "gi_absorption_impairment": "gi_absorption_impairment (gastrointestinal disease or impairment that may "
                                           "alter the absorption of oral drugs, including after major gastric or bowel "
                                           "resection)"}
_SIGNIFICANT_LABEL = re.compile(r"clinically\s+(?:significant|relevant|important)|有临床意义|具有临床意义|临床显著", re.IGNORECASE)


#: liver features whose code does not say the severity they stand for (the precision audit reads descriptions)
_LIVER_GLOSS = {"ascites_clinically_evident": " (moderate or severe, clinically significant)",
                "ascites_beyond_trace": " (more than trace ascites on imaging)",
                "ascites_refractory": " (refractory to diuretic therapy)",
                "ascites_severe": " (severe: tense or massive)"}


#: Child-Pugh classes as degrees of hepatic impairment (B = moderate, C = severe: the usual drug-label wording)
_CP_IMPAIRMENT = {tuple(range(7, 10)): " (class B: moderate hepatic impairment)",
                  tuple(range(10, 16)): " (class C: severe hepatic impairment)",
                  tuple(range(7, 16)): " (class B or C: moderate or severe hepatic impairment)"}


def _cmp(c: str) -> str:
    return {"<=": "≤", ">=": "≥", "==": "="}.get(c, c)


def describe(node: Node) -> str:  # noqa: C901 - one branch per node kind, flat by design
    """One readable line for *node*."""
    if isinstance(node, AllOf):
        return "all of (" + "; ".join(describe(c) for c in node.children) + ")"
    if isinstance(node, AnyOf):
        return "any of (" + "; ".join(describe(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return "not (" + describe(node.child) + ")"
    if isinstance(node, LabThreshold):
        name = ANALYTE_LABELS.get(node.analyte, node.analyte)
        if node.uln_multiple is not None:
            thr = f"{node.uln_multiple:g}×ULN"
        else:
            thr = f"{node.value:g}" + (f" {node.unit}" if node.unit else "")
        window = f" (within {node.look_back_days} d)" if node.look_back_days else ""
        defines = f" (defines {node.label})" if node.label else ""
        return f"{name} {_cmp(node.comparator)} {thr}{window}{defines}"
    if isinstance(node, Age):
        lo = "" if node.min_years is None else f"{'≥' if node.min_inclusive else '>'} {node.min_years:g}"
        hi = "" if node.max_years is None else f"{'≤' if node.max_inclusive else '<'} {node.max_years:g}"
        return "age " + " and ".join(x for x in (lo, hi) if x) + " years"
    if isinstance(node, Sex):
        return "sex " + "/".join(node.allowed)
    if isinstance(node, Ecog):
        text = "ECOG in {" + ",".join(str(x) for x in node.allowed) + "}"
        if node.undecided:
            text += " (ECOG " + ",".join(str(x) for x in node.undecided) + " undecided)"
        return f"{node.label}: {text}" if node.label else text
    if isinstance(node, ChildPugh):
        text = "Child-Pugh points in {" + ",".join(str(x) for x in node.allowed_points) + "}"
        return text + _CP_IMPAIRMENT.get(tuple(node.allowed_points), "")
    if isinstance(node, Albi):
        return "ALBI grade in {" + ",".join(node.grades) + "}"
    if isinstance(node, ClipScore):
        return f"CLIP score {_CLIP_SYM[node.comparator]} {node.value}"
    if isinstance(node, OkudaStage):
        return "Okuda stage in {" + ",".join(node.allowed) + "}"
    if isinstance(node, Stage):
        return f"{node.system.upper()} stage in {{{','.join(node.allowed)}}}"
    if isinstance(node, Diagnosis):
        parts = []
        if node.confirmed_by:
            parts.append("confirmed by " + "/".join(node.confirmed_by))
        if node.histology:
            parts.append("histology " + "/".join(node.histology))
        if node.cirrhosis is not None:
            if not parts:
                return "cirrhosis" if node.cirrhosis else "no cirrhosis"
            parts.append("cirrhosis" if node.cirrhosis else "no cirrhosis")
        return "diagnosis " + ", ".join(parts)
    if isinstance(node, TumourFeature):
        levels = f" ({'/'.join(node.pvtt_levels)})" if node.pvtt_levels else ""
        if node.comparator is not None and node.value is not None:
            unit = {"largest_diameter": " cm", "sum_diameters": " cm", "liver_involvement_pct": " %"}.get(node.feature, "")
            return f"tumour: {node.feature} {_cmp(node.comparator)} {node.value:g}{unit}"
        if node.feature == "cns_metastasis_active":  # TumourBurden.cns_metastasis_treated_stable is "controlled"
            return "tumour: cns_metastasis_active (present, not treated and stable: uncontrolled, symptomatic or untreated)"
        return f"tumour: {node.feature}{levels}"
    if isinstance(node, LiverFeature):
        if node.comparator is not None and node.value is not None:  # paracentesis_per_month (families/liver_notes)
            return f"liver: {node.feature} {_cmp(node.comparator)} {node.value:g}"
        return f"liver: {node.feature}" + _LIVER_GLOSS.get(node.feature, "")
    if isinstance(node, PriorTherapy):
        what = []
        if node.agents:
            what.append("agents " + "/".join(_PROCEDURE_GLOSS.get(a, a) for a in node.agents))
        if node.classes:
            what.append("classes " + "/".join(_CLASS_GLOSS.get(c, c) for c in node.classes))
        if node.kinds:
            what.append("kinds " + "/".join(node.kinds))
        if node.investigational:
            what.append("investigational")
        if node.sites:
            what.append("given to the " + "/".join(s.replace("_", " ") for s in node.sites))
        text = "prior therapy: " + ("; ".join(what) or "any")
        if node.except_agents:  # criteria/families/therapy_readers.py
            text += ", other than " + "/".join(node.except_agents)
        if node.setting:
            text += ", in the " + "/".join(node.setting) + " setting"
        if (node.count_comparator, node.count_value) != (">=", 1):
            text += f", {node.count_unit} {_cmp(node.count_comparator)} {node.count_value}"
        if node.require_progression:
            text += ", with progression"
        if node.require_intolerance:
            text += ", stopped for intolerance (toxicity)"
        if node.progression_not_documented:
            text += ", without documented progression"
        if node.within_days is not None:
            text += f", within {node.within_days} d"
            if node.half_lives:
                text += f" or {node.half_lives:g} half-lives" + (" (whichever is longer)" if node.whichever_longer else "") \
                    + (" (whichever is shorter)" if node.whichever_shorter else "")
        return text
    if isinstance(node, BodyWeight):
        return f"body weight {node.comparator} {node.value_kg:g} kg"
    if isinstance(node, HistoryCondition):
        text = f"history: {'/'.join(_CODE_GLOSS.get(c, c) for c in node.codes)} ({node.status})"
        # issue 10: "uncontrolled / poorly controlled cardiac arrhythmia" likewise (Condition.status 'controlled' is apart)
        # issue 10 (session 6): "uncontrolled bleeding", "uncontrolled infection" likewise (a bleed or an infection
        # recorded 'controlled' is not uncontrolled; one without a status is unknown)
        if node.status == "active" and node.codes in (["seizure_disorder"], ["arrhythmia"], ["ventricular_arrhythmia"],
                                                      ["bleeding", "gi_bleeding", "variceal_bleeding", "intracranial_haemorrhage",
                                                       "spinal_haemorrhage", "hemoptysis"],
                                                      ["infection", "severe_infection"], ["diabetes"]) and \
                re.search(r"uncontrolled|poorly controlled", node.label, re.IGNORECASE):
            # round 6: "uncontrolled seizures" = a seizure disorder recorded active (not 'controlled')
            text += " uncontrolled (recorded active, not controlled)"
        if _SIGNIFICANT_LABEL.search(node.label):
            # a recorded condition is the clinician's statement that it is clinically significant
            text += " clinically significant (as recorded)"
        if node.look_back_days is not None:
            text += f" {'new onset (began) ' if node.new_onset else ''}within {node.look_back_days} d"
        if node.requires_systemic_treatment:
            text += " requiring systemic treatment"
        if node.min_grade is not None:
            text += f" CTCAE grade ≥ {node.min_grade}"
        if node.min_nyha_class is not None:
            text += f" NYHA class ≥ {node.min_nyha_class}"
        if node.except_viral_hepatitis:
            text += " except hepatitis B or C infection"
        return text
    if isinstance(node, Virology):
        if node.marker == "hbv_controlled":
            text = f"HBV controlled: HBsAg negative, or HBV DNA < {node.hbv_dna_max_iu_ml:g} IU/mL"
            if node.require_antiviral:
                text += " on antiviral therapy"
                if node.antiviral_min_days:
                    text += f" for ≥ {node.antiviral_min_days} d"
            return text
        gloss = {"hbv_hcv_coinfection": " (active co-infection: HBsAg positive and HCV RNA detectable)",
                 "hcv_rna": " (active HCV: RNA detectable)", "hbsag": " (HBsAg positive)"}.get(node.marker, "")
        return f"virology: {node.marker} positive{gloss}"
    if node.kind == "permission":  # criteria/families/therapy_readers.py
        return "permission (excludes no patient: met by every patient)"
    if node.kind == "hepatitis_status":  # criteria/families/virology.py
        if node.test == "hbv_antiviral":
            return "on HBV antiviral therapy" + (f" for ≥ {node.min_days} d" if node.min_days else "")
        if node.test == "hbv_active":
            return (f"acute or active hepatitis B: HBsAg positive with HBV DNA > {node.hbv_dna_max_iu_ml or 2000:g} IU/mL "
                    "(lower HBV DNA: unknown)")
        if node.test == "hcv_treatment_washout":
            return f"HCV untreated, or cured with treatment ended ≥ {node.min_days or 0} d before"
        if node.test == "htlv1_positive":
            return "anti-HTLV-1 antibody positive"
        if node.test == "hbv_dna_undetectable":
            return "HBV DNA undetectable (negative test)"
        if node.test == "hiv_on_art":
            return "HIV positive on combination antiretroviral therapy"
        if node.test == "hiv_active":
            return "active HIV infection (HIV negative: none; HIV positive: unknown)"
        return (f"if anti-HBc positive and HBsAg negative: HBV DNA < {node.hbv_dna_max_iu_ml:g} IU/mL and no need "
                "for HBV antiviral prophylaxis")
    if isinstance(node, Pregnancy):
        if not node.include_pregnancy:
            return "breastfeeding"
        return "pregnant" + (" or breastfeeding" if node.include_lactation else "")
    if isinstance(node, LifeExpectancy):
        return f"life expectancy {'≥' if node.inclusive else '>'} {node.min_weeks:g} weeks"
    if isinstance(node, Allergy):
        allergy_gloss = {"monoclonal_antibody": "monoclonal antibodies (human, humanised, chimeric or murine)",
                 "aminothiol": "aminothiols (amifostine, cysteamine)", "immunoglobulin": "immunoglobulins"}
        what = [*node.agents, *(allergy_gloss.get(c, c) for c in node.classes)] + (["the trial drugs"] if node.trial_drugs else [])
        return "allergy to " + "/".join(what) + (" (or related compounds / excipients)" if node.related else "")
    if isinstance(node, Administrative):
        return f"administrative ({node.category})"
    if isinstance(node, NeedsReview):
        return f"NEEDS REVIEW: {node.reason}"
    return _describe_extra(node)


def _describe_extra(node: Node) -> str:
    from hcctrials.model.eligibility import (
        HeartFailureNyha,
        OtherMalignancy,
        ResidualToxicity,
        TreatmentCandidate,
        UrineDipstick,
    )

    if isinstance(node, OtherMalignancy):
        invasive = re.search(r"(?<!non-)(?<!non)\binvasive\b|浸润性|侵袭性", node.label, re.IGNORECASE)
        status = str(node.status)
        if node.status == "ever" and re.search(r"concurrent|concomitant|current", node.label, re.IGNORECASE) and \
                re.search(r"\b(?:prior|previous|past)\b", node.label, re.IGNORECASE):
            status = "ever: past or concurrent"  # "previous concurrent cancer", "prior or concurrent malignancy"
        text = f"other malignancy{', invasive (in situ not counted)' if invasive else ''} ({status})"
        if node.requiring_treatment:
            text += " requiring treatment"
        if node.look_back_days is not None:
            text += f" within {node.look_back_days} d"
        excs = []
        for e in node.exceptions:
            what = "/".join(_TYPE_GLOSS.get(t, t) for t in e.types) or "any type"
            if e.treated_required:
                what += " treated with curative intent"
            if e.min_days_disease_free is not None:
                what += f" disease-free ≥ {e.min_days_disease_free} d"
            excs.append(what)
        return text + (", except " + "; ".join(excs) if excs else "")
    if isinstance(node, HeartFailureNyha):
        # NYHA class II and above have symptoms (class I: none): "symptomatic heart failure" is NYHA >= II
        return f"heart failure NYHA class ≥ {node.min_class}" + (" (symptomatic)" if node.min_class >= 2 else "")
    if isinstance(node, UrineDipstick):
        return f"urine protein dipstick {_cmp(node.comparator)} {node.grade:g}+"
    if isinstance(node, ResidualToxicity):
        text = f"unresolved toxicity of prior therapy, CTCAE grade ≥ {node.min_grade}"
        if node.exceptions:
            text += ", except " + "; ".join(x.term.replace("_", " ") + (f" below grade {x.below_grade}" if x.below_grade else "")
                                           for x in node.exceptions)
        return text
    if isinstance(node, TreatmentCandidate):
        if node.treatment == "transplant_list":
            return "on the liver-transplant waiting list"
        return "candidate for " + {"resection": "curative resection", "transplant": "liver transplantation",
                                   "locoregional": "locoregional therapy (amenable)"}[node.treatment]
    if node.kind == "medication":
        from hcctrials.criteria.families.medications import describe_medication

        return describe_medication(node)
    return node.kind  # pragma: no cover
