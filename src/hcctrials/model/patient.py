"""The patient model: what a clinician knows about an HCC patient at screening.

Everything is optional: a field the record does not state is ``None`` (or an empty list)
and the eligibility engine answers ``unknown`` for criteria that need it, naming the field.
Labs keep the value, unit, date and the lab's own reference range exactly as reported;
conversion happens in :mod:`hcctrials.units` with an explicit per-analyte table.

Facts: ``../shared/docs/hcc-domain.md`` sections 1-5 and 9 (scores, staging, units,
typical eligibility patterns).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

# Alias so that the field ``LabResult.date`` does not shadow the type in its own annotation.
_Date = date

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "LabResult",
    "Diagnosis",
    "TumourBurden",
    "LiverFunction",
    "Virology",
    "TherapyLine",
    "Condition",
    "Location",
    "Patient",
    "ANALYTES",
    "AscitesGrade",
    "EncephalopathyGrade",
    "PvttLevel",
    "ChengType",
    "ExtrahepaticSite",
    "MalignancyType",
    "Lesion",
    "ConcomitantMedication",
]

#: Canonical analyte codes used in :class:`LabResult` (LOINC mapping lives in hcctrials.units).
ANALYTES = (
    "bilirubin_total", "bilirubin_direct", "albumin", "inr", "pt_prolongation", "pt_activity",
    "creatinine", "creatinine_clearance", "egfr", "sodium", "potassium",
    "platelets", "anc", "wbc", "lymphocytes", "hemoglobin",
    "alt", "ast", "alp", "ggt", "afp", "pivka2",
    "hbv_dna", "hcv_rna", "urine_protein", "urine_protein_24h", "upcr",
    "tsh", "lipase", "amylase", "glucose", "cholesterol", "triglycerides", "calcium", "calcium_ionised", "calcium_corrected", "hba1c",
    "systolic_bp", "diastolic_bp", "lvef", "qtc", "aptt", "pt",
)

AscitesGrade = Literal["none", "mild", "moderate_severe"]
EncephalopathyGrade = Literal["none", "grade_1_2", "grade_3_4"]
#: Japanese Vp classification of portal-vein tumour thrombus (Vp0 = none ... Vp4 = main trunk).
PvttLevel = Literal["vp0", "vp1", "vp2", "vp3", "vp4"]
#: Cheng's classification of portal-vein tumour thrombus (程氏分型; hcc-domain.md s. 2.2): i0 microscopic,
#: i segmental/sectoral branches, ii right/left portal vein, iii main trunk, iv superior mesenteric vein.
ChengType = Literal["i0", "i", "ii", "iii", "iv"]
#: Sites of extrahepatic disease (TumourBurden.extrahepatic_sites).
ExtrahepaticSite = Literal["lung", "bone", "lymph_node", "adrenal", "peritoneum", "brain", "other"]


#: Type of another malignancy (``Condition.malignancy_type`` for code ``other_malignancy``): the
#: types eligibility texts name as exceptions, "other" for anything else (e.g. colorectal cancer).
MalignancyType = Literal[
    "skin_basal_cell", "skin_squamous_cell", "cervix_in_situ", "breast_in_situ", "prostate_in_situ",
    "bladder_in_situ", "other_in_situ", "bladder_superficial", "prostate_low_risk", "thyroid_papillary",
    "other",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LabResult(_Model):
    """One laboratory (or vital-sign) result as reported.

    ``value`` with ``unit`` as written by the lab (``"umol/L"``, ``"mg/dL"``, ``"10^9/L"``,
    ``"/uL"``, ``"IU/mL"`` ...).  ``qualifier`` keeps censored results such as ``< 20 IU/mL``.
    ``uln``/``lln`` are the lab's reference limits in the same unit as ``value``;
    categorical results (urine dipstick ``"2+"``, ``"negative"``) go in ``text``.
    """

    analyte: str
    value: float | None = None
    unit: str | None = None
    qualifier: Literal["<", "<=", ">", ">=", "="] | None = None
    text: str | None = None
    date: _Date | None = None
    uln: float | None = None
    lln: float | None = None
    loinc: str | None = None
    source: str | None = None


class Diagnosis(_Model):
    """How and when HCC was diagnosed, and the histological type."""

    confirmed_by: Literal["histology", "cytology", "imaging", "clinical"] | None = None
    histology: Literal[
        "hcc", "fibrolamellar", "cholangiocarcinoma", "combined_hcc_cca", "sarcomatoid", "other"
    ] | None = None
    diagnosis_date: date | None = None
    cirrhosis: bool | None = None
    etiologies: list[Literal["hbv", "hcv", "alcohol", "masld", "other", "unknown"]] = Field(
        default_factory=list
    )
    bclc_stage: str | None = None  # as recorded by the clinician (computed stage is separate)
    cnlc_stage: str | None = None
    resectable: bool | None = None
    transplant_candidate: bool | None = None
    #: on a liver-transplant waiting list (a listed patient is a candidate; a candidate need not be listed yet)
    transplant_listed: bool | None = None
    #: amenable to locoregional therapy (TACE, TARE, ablation) in the treating team's judgement; False for BCLC B
    #: "not amenable to / not eligible for locoregional therapy" (infiltrative or bilobar tumour, TACE refractoriness)
    locoregional_candidate: bool | None = None


class Lesion(_Model):
    """One tumour lesion on the baseline scan (diameters in **mm**, as radiology reports them).

    Measurability (``../shared/docs/response-and-endpoints.md`` s. 1.1 and 2): RECIST 1.1 needs a
    longest diameter >= 10 mm (CT/MRI slice <= 5 mm; thicker slices: >= 2 x slice) or, for a lymph
    node, a short axis >= 15 mm; mRECIST needs, for a liver lesion, a viable (arterially enhancing)
    longest diameter >= 10 mm.  A lesion treated locally (TACE, ablation, radiotherapy ...) counts
    only if it has progressed since.
    """

    site: Literal["liver", "lymph_node", "other"] | None = None
    longest_diameter_mm: float | None = Field(default=None, ge=0)
    short_axis_mm: float | None = Field(default=None, ge=0)  # lymph nodes
    #: mRECIST: longest diameter of the arterially enhancing (viable) part; 0 = no enhancement
    viable_diameter_mm: float | None = Field(default=None, ge=0)
    slice_thickness_mm: float | None = Field(default=None, gt=0)
    locally_treated: bool | None = None  # treated with TACE / ablation / radiotherapy / other local therapy
    progressed_after_local_therapy: bool | None = None


class TumourBurden(_Model):
    """Intrahepatic and extrahepatic tumour burden at a date (diameters in cm; lesions in mm)."""

    assessed_on: date | None = None
    nodule_count: int | None = Field(default=None, ge=0)
    nodule_diameters_cm: list[float] = Field(default_factory=list)
    largest_diameter_cm: float | None = Field(default=None, ge=0)
    vascular_invasion: bool | None = None  # macrovascular invasion of any vessel
    pvtt: PvttLevel | None = None
    pvtt_cheng: ChengType | None = None  # Cheng's type, when the record uses it (Chinese trials)
    hepatic_vein_invasion: bool | None = None
    ivc_or_atrial_thrombus: bool | None = None
    extrahepatic_spread: bool | None = None
    lymph_node_metastasis: bool | None = None
    distant_metastasis: bool | None = None
    #: brain, spinal or leptomeningeal metastases (False also rules out leptomeningeal disease)
    cns_metastasis: bool | None = None
    #: CNS metastases treated (surgery / radiotherapy) and stable: no neurological symptoms, no
    #: radiological progression, no steroids needed for them (criteria "untreated or symptomatic")
    cns_metastasis_treated_stable: bool | None = None
    liver_involvement_pct: float | None = Field(default=None, ge=0, le=100)
    #: gross type of the intrahepatic tumour (Eggel: nodular, massive, diffuse = infiltrative, ill-defined)
    growth_pattern: Literal["nodular", "massive", "diffuse"] | None = None
    measurable_disease: bool | None = None  # at least one RECIST 1.1 measurable lesion
    measurable_disease_mrecist: bool | None = None
    bile_duct_invasion: bool | None = None
    #: baseline lesions with their sizes; used for measurability when the booleans above are not set
    lesions: list[Lesion] = Field(default_factory=list)
    #: where extrahepatic disease is (imaging); a listed site sets the flags above that are not given
    #: (any site: extrahepatic spread; lymph node: nodal metastasis; brain: CNS metastasis; other
    #: sites: distant metastasis) and contradicts a flag given as false
    extrahepatic_sites: list[ExtrahepaticSite] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sites_imply_flags(self) -> TumourBurden:
        if not self.extrahepatic_sites:
            return self
        implied = {"extrahepatic_spread": True}
        if "lymph_node" in self.extrahepatic_sites:
            implied["lymph_node_metastasis"] = True
        if "brain" in self.extrahepatic_sites:
            implied["cns_metastasis"] = True
        if set(self.extrahepatic_sites) - {"lymph_node"}:
            implied["distant_metastasis"] = True
        for name, value in implied.items():
            given = getattr(self, name)
            if given is False:
                raise ValueError(f"{name} is false but extrahepatic_sites lists {', '.join(self.extrahepatic_sites)}")
            if given is None:
                object.__setattr__(self, name, value)
        return self


class LiverFunction(_Model):
    """Clinical liver-function items (the labs are in :attr:`Patient.labs`)."""

    assessed_on: date | None = None
    ascites: AscitesGrade | None = None
    ascites_requires_paracentesis: bool | None = None
    #: therapeutic paracenteses per month lately (e.g. 2 for every two weeks; 0 for none), for criteria such
    #: as "No repeated paracentesis (more than 1 per month)"
    paracentesis_per_month: float | None = Field(default=None, ge=0)
    encephalopathy: EncephalopathyGrade | None = None
    encephalopathy_history: bool | None = None
    varices: Literal["none", "small", "large", "treated"] | None = None
    endoscopy_date: date | None = None
    variceal_bleeding_dates: list[date] = Field(default_factory=list)
    dialysis_twice_in_past_week: bool | None = None  # MELD: creatinine set to 4.0 mg/dL
    cholestatic_disease: bool | None = None  # PBC/PSC bilirubin rows in Child-Pugh
    #: Child-Pugh as the clinician recorded it ("A", "B7"), for when its components are not all in
    #: the record: it narrows the range the components allow (hcctrials.scores.child_pugh.narrow_to_recorded);
    #: components that contradict it win, with a finding.
    child_pugh_recorded: str | None = Field(default=None, pattern=r"^[ABC](?:[5-9]|1[0-5])?$")


class Virology(_Model):
    hbsag_positive: bool | None = None
    anti_hbc_positive: bool | None = None
    hbv_antiviral: bool | None = None
    hbv_antiviral_start: date | None = None
    #: the HBV antiviral drug(s) as written (entecavir, tenofovir alafenamide, 恩替卡韦 ...); naming one
    #: means the patient is on antiviral therapy (``hbv_antiviral`` true when not given)
    hbv_antiviral_drugs: list[str] = Field(default_factory=list)
    anti_hcv_positive: bool | None = None
    hcv_rna_detectable: bool | None = None
    hcv_treated: bool | None = None
    hcv_treatment_end: date | None = None
    hiv_positive: bool | None = None
    #: issue 10 (session 6): on (combination) antiretroviral therapy now, for an HIV-positive patient; None: not recorded
    hiv_antiretroviral: bool | None = None
    #: issue 10 (session 6): anti-HTLV-1 antibody positive (Japanese trials exclude HTLV-1 carriers); None: not tested
    htlv1_positive: bool | None = None

    @model_validator(mode="after")
    def _drug_means_antiviral(self) -> Virology:
        if self.hbv_antiviral_drugs:
            if self.hbv_antiviral is False:
                raise ValueError("hbv_antiviral is false but hbv_antiviral_drugs names "
                                 + ", ".join(self.hbv_antiviral_drugs))
            if self.hbv_antiviral is None:
                object.__setattr__(self, "hbv_antiviral", True)
        return self


class TherapyLine(_Model):
    """One prior (or current) treatment: a systemic line, a locoregional or surgical procedure.

    ``agents`` are names as written (English, Chinese, brand or code names); the eligibility
    engine maps them through the therapy lexicon (:mod:`hcctrials.vocab`).
    """

    kind: Literal["systemic", "locoregional", "surgery", "radiotherapy", "transplant", "other"] = (
        "systemic"
    )
    line: int | None = Field(default=None, ge=0)
    setting: Literal[
        "adjuvant", "neoadjuvant", "perioperative", "intermediate", "conversion",
        "first_line", "second_line", "later_line", "unknown",
    ] | None = None
    regimen: str | None = None
    agents: list[str] = Field(default_factory=list)
    investigational: bool | None = None
    start: date | None = None
    end: date | None = None
    ongoing: bool | None = None
    best_response: Literal["CR", "PR", "SD", "PD", "NE"] | None = None
    progression_date: date | None = None
    stop_reason: Literal["progression", "toxicity", "completed", "patient_choice", "other"] | None = (
        None
    )
    half_life_days: float | None = Field(default=None, gt=0)  # for "5 half-lives" washouts
    #: where a radiotherapy or local procedure was given ("radiotherapy to the liver"); when absent the
    #: eligibility engine reads the site from the regimen text only where it names one
    site: Literal["liver", "bone", "brain", "lung", "lymph_node", "other"] | None = None
    #: for an operation: major (general anaesthesia, a body cavity opened: a resection, a transplant) or minor (a
    #: port placement, a biopsy); unset, a liver resection or a transplant counts as major and any other is unknown
    major_surgery: bool | None = None


class Condition(_Model):
    """A comorbidity or history item.

    ``code`` is a short canonical name (``autoimmune_disease``, ``organ_transplant``,
    ``allogeneic_stem_cell_transplant``, ``hiv``, ``active_tuberculosis``, ``interstitial_lung_disease``,
    ``pneumonitis``, ``other_malignancy``, ``hepatic_encephalopathy``, ``gi_bleeding``,
    ``arterial_thromboembolism``, ``venous_thromboembolism``, ``heart_failure``,
    ``myocardial_infarction``, ``uncontrolled_hypertension``, ``severe_infection``,
    ``drug_allergy``, ``bleeding_disorder``, ``psychiatric_disorder`` ...); ``name`` the text.

    ``status: absent`` is a negative assertion: the item was asked about and the patient has
    never had it (``{code: hepatic_encephalopathy, status: absent}``).  Without it (or
    :attr:`Patient.history_reviewed`) a condition that is not recorded is *unknown*, not absent.

    ``reviewed_on`` says the history of this item was reviewed as complete on that date: the
    episodes recorded with this code are all there were, up to that date.  A review within the
    screening window (28 days, as for labs) lets "no hepatic encephalopathy in the last 6 months"
    be met for a patient whose one recorded episode ended two years ago.
    """

    code: str
    name: str | None = None
    status: Literal["active", "controlled", "resolved", "history", "absent"] | None = None
    onset: date | None = None
    resolved_on: date | None = None
    requires_systemic_treatment: bool | None = None
    cured: bool | None = None  # other malignancy treated with curative intent
    in_situ_or_skin: bool | None = None  # carcinoma in situ / basal or squamous skin cancer
    nyha_class: int | None = Field(default=None, ge=1, le=4)
    #: for code ``other_malignancy``: the type when known (more precise than ``in_situ_or_skin``)
    malignancy_type: MalignancyType | None = None
    detail: str | None = None
    #: the item's history was reviewed as complete on this date (see the class docstring)
    reviewed_on: date | None = None
    #: CTCAE v5 grade of the event (1-5) when recorded: decides graded criteria ("infection > CTCAE grade 2");
    #: ``severe_infection`` records of unstated grade leave such criteria unknown
    ctcae_grade: int | None = Field(default=None, ge=1, le=5)


class ResidualAdverseEvent(_Model):
    """One unresolved adverse event of prior anticancer therapy: its term as written ("peripheral sensory
    neuropathy", "diarrhoea") and its current CTCAE v5 grade.  Criteria with exceptions ("except alopecia and
    grade <= 2 neuropathy") read these; without them only the highest grade is known."""

    term: str
    grade: int = Field(ge=1, le=4)


class ConcomitantMedication(_Model):
    """A medication the patient takes or took outside the anticancer therapy lines (concomitant
    medications: anticoagulants, steroids, CYP3A4 inhibitors/inducers, herbal medicines, growth
    factors ...).  ``name`` as written (generic, brand or Chinese name); ``drug_class`` when the
    record states it (e.g. ``strong_cyp3a4_inhibitor``, ``anticoagulant``, ``herbal``) and the name
    is not in the medication vocabulary (:mod:`hcctrials.criteria.families.medications`).  ``start`` /
    ``stop`` dates; ``ongoing`` true while taken.  ``intent`` 'therapeutic' or 'prophylactic'
    (full-dose vs. low-dose anticoagulation, e.g. for catheter patency).  ``dose_mg_per_day`` and
    ``route`` are kept for the clinician (not read by criteria yet).
    """

    name: str
    drug_class: str | None = None
    start: date | None = None
    stop: date | None = None
    ongoing: bool | None = None
    intent: Literal["therapeutic", "prophylactic"] | None = None
    dose_mg_per_day: float | None = Field(default=None, ge=0)
    route: Literal["oral", "intravenous", "subcutaneous", "intramuscular", "topical", "inhaled", "other"] | None = None
    #: whether the medication can be stopped before the trial (the prescriber agrees), for criteria such as "using and
    #: unable to discontinue strong CYP3A4 inducers"; None: not assessed
    can_stop: bool | None = None


class Location(_Model):
    city: str | None = None
    province: str | None = None
    country: str | None = None


class Patient(_Model):
    """A patient at screening."""

    patient_id: str
    birth_date: date | None = None
    age_years: float | None = Field(default=None, ge=0, le=130)
    age_recorded_on: date | None = None
    sex: Literal["female", "male"] | None = None
    weight_kg: float | None = Field(default=None, gt=0)
    height_cm: float | None = Field(default=None, gt=0)
    ecog: int | None = Field(default=None, ge=0, le=5)
    ecog_date: date | None = None
    life_expectancy_weeks: float | None = Field(default=None, ge=0)
    diagnosis: Diagnosis = Field(default_factory=Diagnosis)
    tumour: TumourBurden = Field(default_factory=TumourBurden)
    liver: LiverFunction = Field(default_factory=LiverFunction)
    labs: list[LabResult] = Field(default_factory=list)
    virology: Virology = Field(default_factory=Virology)
    treatments: list[TherapyLine] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    #: True: the conditions list is complete for the standard HCC history items (comorbidities,
    #: transplant, bleeding, encephalopathy, other malignancies ...), so an item not recorded is
    #: absent.  None/False: an unrecorded item is unknown (record ``status: absent`` per item).
    history_reviewed: bool | None = None
    #: Highest CTCAE grade of adverse events of prior anticancer therapy (including surgery) that have
    #: not resolved, alopecia not counted; 0 = all resolved to grade 0 or baseline.  None: not assessed.
    residual_toxicity_grade: int | None = Field(default=None, ge=0, le=4)
    #: the unresolved adverse events themselves, when recorded (a complete list: an event not listed has resolved)
    residual_toxicities: list[ResidualAdverseEvent] = Field(default_factory=list)
    allergies: list[str] = Field(default_factory=list)
    #: medications outside the therapy lines (see :class:`ConcomitantMedication`).  An empty list is
    #: "none recorded": criteria on current medications are unknown unless ``history_reviewed``.
    concomitant_medications: list[ConcomitantMedication] = Field(default_factory=list)
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    can_consent: bool | None = None
    location: Location = Field(default_factory=Location)
    notes: str | None = None
    #: findings of the plausibility check where the patient was read (hcctrials.patients.plausibility):
    #: contradictory or implausible values left out of evaluation, shown wherever the patient is matched
    data_findings: list[str] = Field(default_factory=list)

    def age_on(self, as_of: date) -> float | None:
        """Age in completed years on *as_of* (from the birth date, else the recorded age)."""
        if self.birth_date is not None:
            years = as_of.year - self.birth_date.year
            if (as_of.month, as_of.day) < (self.birth_date.month, self.birth_date.day):
                years -= 1
            return float(years)
        if self.age_years is not None:
            if self.age_recorded_on is not None and as_of > self.age_recorded_on:
                return self.age_years + (as_of - self.age_recorded_on).days // 365.25
            return self.age_years
        return None

    def labs_for(self, analyte: str, *, as_of: date | None = None,
                 within_days: int | None = None) -> list[LabResult]:
        """Results for *analyte*, newest first, not after *as_of*, within the look-back window."""
        out = []
        for lab in self.labs:
            if lab.analyte != analyte:
                continue
            if as_of is not None and lab.date is not None:
                if lab.date > as_of:
                    continue
                if within_days is not None and (as_of - lab.date).days > within_days:
                    continue
            elif within_days is not None and lab.date is None:
                continue  # an undated result cannot satisfy a look-back window
            out.append(lab)
        return sorted(out, key=lambda r: r.date or date.min, reverse=True)

    def latest_lab(self, analyte: str, *, as_of: date | None = None,
                   within_days: int | None = None) -> LabResult | None:
        """The newest result for *analyte* (see :meth:`labs_for`), or ``None``."""
        found = self.labs_for(analyte, as_of=as_of, within_days=within_days)
        return found[0] if found else None
