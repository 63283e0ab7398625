"""The eligibility tree: all-of / any-of / not over named leaf criteria.

Every node is a pydantic model with a ``kind`` discriminator, so a compiled criterion
round-trips through JSON (``Criterion.model_validate_json``/``node_adapter``).  Every node
keeps where it came from (:class:`Source`: the text span, its language, the criterion
number and its inclusion/exclusion role).

Semantics (evaluated by :mod:`hcctrials.criteria.evaluation.evaluate`): a leaf states a fact about the
patient ("platelets >= 75 x10^9/L", "has received a PD-1 antibody"); an *inclusion*
criterion must be met; an *exclusion* criterion is stated positively (the thing that
excludes) and the trial requires ``Not(E)``.  The role is kept on the criterion, the tree
itself never has the exclusion negation folded in, so the text and the rule read alike.

Facts: ``../shared/docs/hcc-domain.md`` sections 1, 2, 5 and 9.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "Source",
    "Comparator",
    "AllOf",
    "AnyOf",
    "Not",
    "LabThreshold",
    "Age",
    "Sex",
    "Ecog",
    "ChildPugh",
    "Albi",
    "ClipScore",
    "OkudaStage",
    "Stage",
    "Diagnosis",
    "TumourFeature",
    "LiverFeature",
    "PriorTherapy",
    "HistoryCondition",
    "Virology",
    "Pregnancy",
    "LifeExpectancy",
    "BodyWeight",
    "Allergy",
    "Administrative",
    "NeedsReview",
    "MalignancyType",
    "HepatitisStatus",
    "Permission",
    "MalignancyException",
    "OtherMalignancy",
    "HeartFailureNyha",
    "UrineDipstick",
    "ResidualToxicity",
    "TreatmentCandidate",
    "Medication",
    "Node",
    "LEAF_KINDS",
    "node_adapter",
    "Criterion",
    "Role",
    "walk",
    "leaf_key",
]

Comparator = Literal["<", "<=", ">", ">=", "=="]
#: TherapyLine kinds a PriorTherapy filter can restrict to
TherapyKind = Literal["systemic", "locoregional", "surgery", "radiotherapy", "transplant", "other"]
Role = Literal["inclusion", "exclusion"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Base):
    """Where a node came from: the text it was compiled from, its language, number and role."""

    text: str = ""
    language: Literal["en", "zh"] | None = None
    number: str | None = None
    role: Role | None = None


class _Node(_Base):
    source: Source | None = None


# ---------------------------------------------------------------- composites


class AllOf(_Node):
    kind: Literal["all_of"] = "all_of"
    children: list[Node]


class AnyOf(_Node):
    kind: Literal["any_of"] = "any_of"
    children: list[Node]


class Not(_Node):
    kind: Literal["not"] = "not"
    child: Node


# ---------------------------------------------------------------- leaves


class LabThreshold(_Node):
    """``analyte comparator value unit`` or ``analyte comparator uln_multiple x ULN``.

    Exactly one of ``value`` (with ``unit``; ``unit`` ``None`` only for unitless analytes
    such as INR) or ``uln_multiple`` is set.  ``look_back_days`` is the window the result
    must fall in (``None``: the evaluator's default window).  ``label`` names the condition the
    threshold defines in the criterion ("severe anaemia" in "No severe anemia, defined as
    haemoglobin < 10 g/dL"); it does not change the evaluation.
    """

    kind: Literal["lab"] = "lab"
    analyte: str
    comparator: Comparator
    value: float | None = None
    unit: str | None = None
    uln_multiple: float | None = None
    look_back_days: int | None = None
    label: str = ""


class Age(_Node):
    """Age in completed years on the evaluation date within [min_years, max_years]."""

    kind: Literal["age"] = "age"
    min_years: float | None = None
    max_years: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True


class Sex(_Node):
    kind: Literal["sex"] = "sex"
    allowed: list[Literal["female", "male"]]


class Ecog(_Node):
    """ECOG performance status in ``allowed``.  A Karnofsky criterion ("KPS >= 60%") is read through the
    ECOG-Karnofsky correspondence (ECOG 0 = KPS 90-100, 1 = 70-80, 2 = 50-60, 3 = 30-40, 4 = 10-20):
    ``undecided`` holds the ECOG grades whose Karnofsky band straddles the threshold (unknown without
    a recorded Karnofsky score) and ``label`` the criterion's wording."""

    kind: Literal["ecog"] = "ecog"
    allowed: list[int]
    undecided: list[int] = Field(default_factory=list)
    label: str = ""


class ChildPugh(_Node):
    """Child-Pugh total points in ``allowed_points`` ("A" = 5-6; "A or B7" = 5-7; "<= 7" = 5-7).

    ``label`` keeps the wording class ("A or B7").  Facts: hcc-domain.md section 1.1.
    """

    kind: Literal["child_pugh"] = "child_pugh"
    allowed_points: list[int]
    label: str = ""


class Albi(_Node):
    """ALBI grade in ``grades`` ('1', '2', '3'; mALBI '2a', '2b')."""

    kind: Literal["albi"] = "albi"
    grades: list[Literal["1", "2", "2a", "2b", "3"]]


class ClipScore(_Node):
    """Cancer of the Liver Italian Program (CLIP) score ``comparator value`` (0-6).

    CLIP (CLIP investigators, Hepatology 1998;28:751-755): Child-Pugh A 0 / B 1 / C 2; tumour morphology uninodular
    and extension <= 50% 0 / multinodular and <= 50% 1 / massive or > 50% 2; AFP < 400 ng/mL 0 / >= 400 1; portal
    vein thrombosis no 0 / yes 1.  Evaluated from the patient's items (``criteria.evaluation.leaves_clip``).
    """

    kind: Literal["clip_score"] = "clip_score"
    comparator: Comparator
    value: int = Field(ge=0, le=6)


class OkudaStage(_Node):
    """Okuda stage in ``allowed`` (I: none of the four items; II: one or two; III: three or four).

    Items (Okuda et al., Cancer 1985;56:918-928): tumour > 50% of the liver; ascites; albumin < 3 g/dL; bilirubin
    > 3 mg/dL.  Evaluated from the patient's items (``criteria.evaluation.leaves_clip``).
    """

    kind: Literal["okuda_stage"] = "okuda_stage"
    allowed: list[Literal["I", "II", "III"]]


class Stage(_Node):
    """Stage in ``allowed`` for ``system`` (bclc: 0 A B C D; cnlc: Ia Ib IIa IIb IIIa IIIb IV)."""

    kind: Literal["stage"] = "stage"
    system: Literal["bclc", "cnlc"]
    allowed: list[str]


class Diagnosis(_Node):
    """HCC diagnosis: how it was confirmed (any of ``confirmed_by``) and/or the histology.

    ``histology`` lists the histological types that satisfy the node (for an exclusion such as
    "fibrolamellar, sarcomatoid or mixed HCC-CCA" the node lists those types).
    """

    kind: Literal["diagnosis"] = "diagnosis"
    confirmed_by: list[Literal["histology", "cytology", "imaging", "clinical"]] = Field(
        default_factory=list
    )
    histology: list[
        Literal["hcc", "fibrolamellar", "cholangiocarcinoma", "combined_hcc_cca", "sarcomatoid", "other"]
    ] = Field(default_factory=list)
    #: the liver is (True) or is not (False) cirrhotic (``Patient.diagnosis.cirrhosis``)
    cirrhosis: bool | None = None


TumourFeatureName = Literal[
    "measurable_disease", "measurable_disease_mrecist", "pvtt", "main_trunk_pvtt",
    "vascular_invasion", "extrahepatic_spread", "distant_metastasis", "lymph_node_metastasis",
    "cns_metastasis", "liver_involvement_50", "ivc_or_atrial_thrombus", "bile_duct_invasion",
    "cns_metastasis_active", "measurable_untreated", "measurable_untreated_mrecist", "evaluable_disease",
    "hepatic_vein_invasion", "pvtt_cheng", "nodule_count", "largest_diameter", "liver_involvement_pct",
    # metastasis sites (tumour.extrahepatic_sites; hcctrials.criteria.families.metastasis)
    "bone_metastasis", "peritoneal_metastasis", "lung_metastasis", "adrenal_metastasis",
    # "Diffuse HCC": the diffuse (infiltrative) gross type, tumour.growth_pattern (families/liver_notes)
    "diffuse_hcc",
    # "Total maximal sum of hepatocellular carcinomas ... > 20 cm": the sum of the intrahepatic nodules' largest diameters
    # (cm; tumour.nodule_diameters_cm, families/extent.py)
    "sum_diameters",
]


class TumourFeature(_Node):
    """The patient has the tumour feature (``pvtt_levels`` restricts ``pvtt`` to Vp levels).

    ``cns_metastasis_active``: CNS metastases that are not treated and stable (symptomatic,
    untreated or progressing; patient fields ``cns_metastasis`` and ``cns_metastasis_treated_stable``).
    ``measurable_untreated`` (``_mrecist``): at least one measurable lesion not treated locally (or
    progressed since); ``evaluable_disease``: any tumour present (measurable or not);
    ``pvtt_cheng``: PVTT of a Cheng type in ``cheng_types``.  Measurability rules:
    ``hcctrials.criteria.evaluation.measurable`` (RECIST 1.1 / mRECIST, response-and-endpoints.md s. 1.1, 2).
    Tumour burden thresholds (``comparator`` ``value``): ``nodule_count`` (intrahepatic nodules),
    ``largest_diameter`` (cm, the largest nodule) and ``liver_involvement_pct`` (% of the liver).
    """

    kind: Literal["tumour_feature"] = "tumour_feature"
    feature: TumourFeatureName
    pvtt_levels: list[Literal["vp1", "vp2", "vp3", "vp4"]] = Field(default_factory=list)
    cheng_types: list[Literal["i0", "i", "ii", "iii", "iv"]] = Field(default_factory=list)
    comparator: Comparator | None = None
    value: float | None = None


class LiverFeature(_Node):
    """A clinical liver-function item: ascites (any / clinically evident / needing paracentesis),
    current encephalopathy, varices (any / large or untreated), ``endoscopy`` (an upper endoscopy
    was done).  ``look_back_days``: for the varices items and ``endoscopy``, the endoscopy must be
    within the window (an older one leaves varices unknown)."""

    kind: Literal["liver_feature"] = "liver_feature"
    feature: Literal[
        "ascites", "ascites_clinically_evident", "ascites_requiring_paracentesis",
        "ascites_beyond_trace", "ascites_refractory", "ascites_severe",
        "encephalopathy", "varices", "varices_high_risk", "endoscopy",
        "paracentesis_per_month",
    ]
    look_back_days: int | None = None
    #: ``paracentesis_per_month`` only: paracenteses per month ``comparator value`` ("more than 1 per month":
    #: ``>`` 1; hcctrials.criteria.families.liver_notes)
    comparator: Comparator | None = None
    value: float | None = None


class PriorTherapy(_Node):
    """The patient has received therapy matching the filter, counted and windowed.

    Filter: any of ``agents`` (lexicon ids) or ``classes`` (lexicon class tags), restricted
    to ``kinds`` (TherapyLine.kind) and ``investigational`` when given; an empty filter with
    ``kinds`` = ['systemic'] means "any systemic therapy".  ``count_unit`` counts regimens
    (TherapyLine entries), lines (distinct line numbers) or agents; the node is met when the
    count of matching entries satisfies ``count_comparator count_value`` (default ``>= 1``).
    ``require_progression``: only entries with documented progression count.
    ``within_days``/``half_lives``: only entries given (ongoing or ended) within the window
    before the evaluation date; with ``whichever_longer`` the window is the longer of the
    days and ``half_lives`` x the agent's half-life.
    """

    kind: Literal["prior_therapy"] = "prior_therapy"
    agents: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    kinds: list[TherapyKind] = Field(default_factory=list)
    investigational: bool | None = None
    count_unit: Literal["regimens", "lines", "agents"] = "regimens"
    count_comparator: Comparator = ">="
    count_value: int = 1
    require_progression: bool = False
    #: only entries stopped for intolerance (``TherapyLine.stop_reason`` toxicity) count
    #: ("progression on or intolerance to sorafenib": hcctrials.criteria.families.progression)
    require_intolerance: bool = False
    within_days: int | None = None
    half_lives: float | None = None
    whichever_longer: bool = False
    #: "within 21 days or 5 half-lives (whichever is shorter)": the window is the shorter of the two; an entry ended
    #: within the days but of unknown half-life is unknown
    whichever_shorter: bool = False
    #: only entries of these settings count; "advanced" = a line of therapy for advanced (incurable) disease
    #: (``TherapyLine.setting`` first/second/later line); adjuvant, neoadjuvant, perioperative lines do not count;
    #: intermediate, conversion, unknown or unrecorded settings are unknown (criteria/families/therapy_readers.py)
    setting: list[str] = Field(default_factory=list)
    #: "other than sorafenib": an entry whose agents are all among these does not count
    except_agents: list[str] = Field(default_factory=list)
    #: only entries whose progression is *not* documented count ("prior therapy is acceptable only if there is
    #: documented progression following completion of the therapy"): a line still taken, or ended with an outcome
    #: recorded other than progression (stop reason, best response), counts; a line with progression documented does
    #: not; an ended line with no outcome recorded is unknown
    progression_not_documented: bool = False
    #: only entries given to one of these body sites count ("radiation therapy to the liver"):
    #: ``TherapyLine.site``, else the site the regimen text names; an entry with no site recorded
    #: might have been given there (unknown)
    sites: list[Literal["liver", "bone", "brain", "lung", "lymph_node", "other"]] = Field(default_factory=list)
    label: str = ""


class HistoryCondition(_Node):
    """A comorbidity or history item (``codes`` as in :class:`hcctrials.model.patient.Condition`).

    ``status`` 'active': currently active; 'current': the patient has it now, active or controlled
    ("Patients with heart failure"; a record without a status is unknown unless the condition is
    lifelong); 'ever': any record.  ``look_back_days``: onset (or
    activity) within the window.  ``requires_systemic_treatment`` narrows to conditions
    needing systemic treatment; ``min_grade`` to events of that CTCAE grade or worse.
    """

    kind: Literal["history"] = "history"
    codes: list[str]
    status: Literal["active", "current", "ever"] = "ever"
    look_back_days: int | None = None
    requires_systemic_treatment: bool | None = None
    #: CTCAE grade the event must reach ("serious infection > grade 2", "infection requiring IV antibiotics": 3);
    #: a record of unstated grade is unknown (``Condition.ctcae_grade``)
    min_grade: int | None = Field(default=None, ge=1, le=5)
    #: heart failure of this NYHA class or worse ("Class III or IV congestive heart failure" in a list "within the past
    #: 6 months": the class within the window; ``Condition.nyha_class`` is the current one, so a lower class now is unknown)
    min_nyha_class: int | None = Field(default=None, ge=1, le=4)
    #: "new onset angina (began within the last 3 months)": the condition *began* within ``look_back_days`` (its onset
    #: date), not only was active in the window; a record without an onset date is unknown
    new_onset: bool = False
    #: issue 10 (session 6): "clinically serious infection > grade 2 except for HBV and HCV infection": a record named as
    #: hepatitis B or C does not count; a record without a name leaves the criterion unknown
    except_viral_hepatitis: bool = False
    label: str = ""


class Virology(_Node):
    """Viral-hepatitis / HIV facts.

    marker 'hiv' / 'hcv_rna' / 'hbsag': the patient is positive.  marker 'hbv_controlled':
    HBsAg-negative, or HBsAg-positive with HBV DNA below ``hbv_dna_max_iu_ml`` (and on
    antiviral therapy for at least ``antiviral_min_days`` when ``require_antiviral``).
    marker 'hbv_hcv_coinfection': HBsAg-positive and HCV RNA detectable.
    """

    kind: Literal["virology"] = "virology"
    marker: Literal["hiv", "hcv_rna", "hbsag", "hbv_controlled", "hbv_hcv_coinfection"]
    hbv_dna_max_iu_ml: float | None = None
    require_antiviral: bool = False
    antiviral_min_days: int | None = None


class HepatitisStatus(_Node):
    """Treatment state of viral hepatitis (``criteria/families/virology.py``; reads only ``Patient.virology`` and
    the HBV DNA results, so the vectorised evaluator's generic per-patient fallback applies).

    test 'hbv_antiviral': the patient takes HBV antiviral therapy (for at least ``min_days`` when set).
    test 'hcv_treatment_washout': any HCV treatment ended at least ``min_days`` before and cured the
    infection (untreated or no HCV infection: met; treated, RNA still detectable: unknown).
    test 'isolated_anti_hbc': an HBsAg-negative, anti-HBc-positive patient has HBV DNA below
    ``hbv_dna_max_iu_ml`` and needs no antiviral prophylaxis (HBsAg positive or anti-HBc negative: met).
    test 'hbv_active': acute or active hepatitis B, read only where every definition agrees: HBsAg negative
    is none; HBsAg positive with HBV DNA above ``hbv_dna_max_iu_ml`` (2000 IU/mL) is active; HBsAg positive
    with a lower HBV DNA (e.g. suppressed on antivirals) is unknown.
    test 'hiv_active' (issue 10, session 6): "Active HIV infection": HIV negative is none; an HIV-positive patient is
    unknown (whether the infection is "active", e.g. a detectable viral load, depends on the trial and is not recorded).
    test 'hiv_on_art': HIV positive and on (combination) antiretroviral therapy now (``Virology.hiv_antiretroviral``).
    test 'hbv_dna_undetectable': the latest HBV DNA within the lab window is negative (reported "negative" /
    "undetectable", censored below the limit "< 20 IU/mL", or 0); a measured value is detectable.
    test 'htlv1_positive': anti-HTLV-1 antibody positive (``Virology.htlv1_positive``; not tested: unknown).
    """

    kind: Literal["hepatitis_status"] = "hepatitis_status"
    test: Literal["hbv_antiviral", "hcv_treatment_washout", "isolated_anti_hbc", "hbv_active", "hiv_active", "hiv_on_art",
                  "hbv_dna_undetectable", "htlv1_positive"]
    min_days: int | None = None
    hbv_dna_max_iu_ml: float | None = None


class Pregnancy(_Node):
    """The patient is pregnant (when ``include_pregnancy``) or breastfeeding (when ``include_lactation``):
    "pregnant or nursing" both, "is lactating" breastfeeding only."""

    kind: Literal["pregnancy"] = "pregnancy"
    include_lactation: bool = True
    include_pregnancy: bool = True


class LifeExpectancy(_Node):
    kind: Literal["life_expectancy"] = "life_expectancy"
    min_weeks: float
    inclusive: bool = True


class BodyWeight(_Node):
    """Body weight (``Patient.weight_kg``) compared with ``value_kg`` ("Body weight > 30 kg", 体重≥40kg)."""

    kind: Literal["body_weight"] = "body_weight"
    comparator: Comparator
    value_kg: float


class Allergy(_Node):
    """Known allergy/hypersensitivity to ``agents``/``classes`` (or to the trial's drugs:
    ``trial_drugs`` True, their lexicon ids added to ``agents`` at compile time)."""

    kind: Literal["allergy"] = "allergy"
    agents: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    trial_drugs: bool = False
    #: "... or its excipients / related compounds / any agent of the trial": an allergy recorded to a
    #: drug not among ``agents``/``classes`` may be one of those, so it leaves the rule unknown
    related: bool = False


class Administrative(_Node):
    """Consent, contraception, compliance, investigator judgement, permissive notes ("patients
    with prior TACE can be included") and procedures (tests to be done at screening): listed,
    never blocking."""

    kind: Literal["administrative"] = "administrative"
    category: Literal["consent", "contraception", "compliance", "investigator_judgement",
                      "trial_participation", "permissive", "procedure", "other"] = "other"


class Permission(_Node):
    """A pure permission in an inclusion list ("Prior systemic therapy with sorafenib is allowed",
    既往接受过其他局部治疗的患者可以纳入本研究): it names patients the trial admits and excludes no one, so
    every patient meets it (issue 10; criteria/families/therapy_readers.py).  A permission with a
    condition ("... as long as the interval is at least 4 weeks") is a rule about the condition instead."""

    kind: Literal["permission"] = "permission"
    label: str = ""


class NeedsReview(_Node):
    """A criterion (or part) the compiler could not turn into a rule; kept with the reason."""

    kind: Literal["needs_review"] = "needs_review"
    reason: str
    #: the rules the reason shows ("... (read as: <rule>)", its own and those of the reasons it joins), kept so
    #: that a reader of another language is shown them in words without compiling the text again; never
    #: evaluated, not walked (:func:`walk`), not part of what the node means (:func:`leaf_key`)
    read_as: list[Node] = []


# ---------------------------------------------------------------- leaves added for coverage (v2)
# New kinds rather than new fields on old kinds, so the vectorised evaluator
# (criteria/columnar.py) keeps agreeing with the scalar rules: a kind it does not know is
# evaluated by the scalar rule (leaves_extra.py).

#: Types of a second malignancy that trial texts name as exceptions ("except basal cell carcinoma
#: of the skin, carcinoma in situ of the cervix, superficial bladder cancer ...").  Mirrors
#: :data:`hcctrials.model.patient.MalignancyType` (the patient side adds "other").
MalignancyType = Literal[
    "skin_basal_cell", "skin_squamous_cell", "cervix_in_situ", "breast_in_situ", "prostate_in_situ",
    "bladder_in_situ", "other_in_situ", "bladder_superficial", "prostate_low_risk", "thyroid_papillary",
]


class MalignancyException(_Base):
    """One exception of an other-malignancy criterion: a malignancy is *excepted* when its type is
    one of ``types`` (empty: any type), it was treated with curative intent if ``treated_required``
    ("adequately treated", "curatively treated", "已治愈") and it has been disease-free (resolved)
    for at least ``min_days_disease_free`` days ("disease-free for >= 5 years")."""

    types: list[MalignancyType] = Field(default_factory=list)
    treated_required: bool = False
    min_days_disease_free: int | None = None


class OtherMalignancy(_Node):
    """The patient has a malignancy other than the trial's cancer that is not excepted.

    ``status`` 'active': currently active (progressing / needing treatment); 'ever': any record.
    ``look_back_days``: diagnosed, active or treated within the window ("within 5 years").
    A malignancy matching any of ``exceptions`` does not count (criterion "X, except Y" is
    X restricted by not-Y).  Patient data: :class:`hcctrials.model.patient.Condition` with code
    ``other_malignancy`` and its ``malignancy_type``, ``in_situ_or_skin``, ``cured``, ``onset``,
    ``resolved_on``.
    """

    kind: Literal["other_malignancy"] = "other_malignancy"
    status: Literal["active", "ever"] = "ever"
    look_back_days: int | None = None
    exceptions: list[MalignancyException] = Field(default_factory=list)
    label: str = ""
    #: "other malignancy requiring treatment in the prior 2 years": an active malignancy counts only when it needs
    #: treatment (``Condition.requires_systemic_treatment`` or status ``controlled``: kept in check by treatment);
    #: an active one without that information is unknown (watchful waiting needs no treatment)
    requiring_treatment: bool = False


class HeartFailureNyha(_Node):
    """Heart failure of New York Heart Association class ``min_class`` or worse (1-4) recorded
    (``Condition`` code ``heart_failure`` with ``nyha_class``)."""

    kind: Literal["heart_failure_nyha"] = "heart_failure_nyha"
    min_class: int = Field(ge=1, le=4)
    label: str = ""


class UrineDipstick(_Node):
    """Urine protein by dipstick: ``grade comparator``; grades negative 0, trace 0.5, 1+ ... 4+.

    Reads the latest ``urine_protein`` result's ``text`` ("2+", "++", "negative", "trace",
    "阴性") within ``look_back_days`` (else the evaluator's default window).  No exact conversion
    between dipstick and g/24 h exists (hcc-domain.md s. 5), so they are separate leaves.
    """

    kind: Literal["urine_dipstick"] = "urine_dipstick"
    comparator: Comparator
    grade: float
    look_back_days: int | None = None


# ---------------------------------------------------------------- leaves added for coverage (v3)


#: Adverse-event terms a residual-toxicity criterion may except (besides alopecia, never counted).
ToxicityTerm = Literal["alopecia", "peripheral_neuropathy", "fatigue", "hypothyroidism", "vitiligo", "endocrinopathy",
                       "skin_pigmentation", "lab_abnormality"]


class ToxicityException(BaseModel):
    """An adverse event that does not count: always (``below_grade`` None) or only below ``below_grade``
    ("peripheral neuropathy, which excludes if >= CTCAE grade 3": below_grade 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    term: ToxicityTerm
    below_grade: int | None = Field(default=None, ge=2, le=5)


class ResidualToxicity(_Node):
    """Adverse events of prior anticancer therapy of CTCAE grade ``min_grade`` or higher have not
    resolved (alopecia not counted).  "Toxicities recovered to grade <= 1" is ``Not(min_grade=2)``.
    Reads :attr:`hcctrials.model.patient.Patient.residual_toxicity_grade`."""

    kind: Literal["residual_toxicity"] = "residual_toxicity"
    min_grade: int = Field(ge=1, le=4)
    #: events that do not count (``Patient.residual_toxicities`` decides them; the highest grade alone cannot)
    exceptions: list[ToxicityException] = Field(default_factory=list)
    label: str = ""


class TreatmentCandidate(_Node):
    """The patient is a candidate for ``treatment`` ("resection": resectable / amenable to curative
    surgical resection; "transplant": liver-transplant candidate, listed or not; "transplant_list": on a
    liver-transplant waiting list; "locoregional": amenable to locoregional therapy such as TACE or
    ablation).  Reads ``Patient.diagnosis.resectable`` / ``transplant_candidate`` / ``transplant_listed`` /
    ``locoregional_candidate``."""

    kind: Literal["treatment_candidate"] = "treatment_candidate"
    treatment: Literal["resection", "transplant", "transplant_list", "locoregional"]
    label: str = ""


# ---------------------------------------------------------------- leaves added for coverage (v4)


class Medication(_Node):
    """The patient takes (``within_days`` None: on the evaluation date) or took within
    ``within_days`` days a concomitant medication among ``agents`` (medication vocabulary ids) or
    ``classes`` (e.g. ``strong_cyp3a4_inhibitor``, ``anticoagulant``, ``herbal``, ``g_csf``).
    ``therapeutic_only``: only medications given at therapeutic intent count (full-dose
    anticoagulation; prophylactic/low-dose use does not).  Reads
    :attr:`hcctrials.model.patient.Patient.concomitant_medications` (rules in
    :mod:`hcctrials.criteria.families.medications`)."""

    kind: Literal["medication"] = "medication"
    agents: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    within_days: int | None = None
    therapeutic_only: bool = False
    #: "chronic" use: taken now for 90 days or more (a course under 14 days is not chronic; in between unknown)
    chronic: bool = False
    #: "systemic" steroids: topical, inhaled (and other local) routes do not count
    systemic_only: bool = False
    #: medications (vocabulary ids) the criterion sets apart ("NSAIDs or other anti-platelet agents" with aspirin
    #: treated on its own): they never count for this leaf
    except_agents: list[str] = Field(default_factory=list)
    #: only a daily dose above this counts ("aspirin > 100 mg/day"): ``ConcomitantMedication.dose_mg_per_day``; a
    #: matching medication without a recorded dose is unknown
    dose_above_mg_per_day: float | None = None
    #: only a medication taken now for more than this many days counts ("continuous dexamethasone for > 7 days");
    #: a matching medication without a start date is unknown
    min_days_on: int | None = None
    #: only a medication the patient cannot stop counts ("using and unable to discontinue"):
    #: ``ConcomitantMedication.can_stop`` false; not assessed is unknown
    unable_to_stop: bool = False
    label: str = ""


Node = Annotated[
    Union[
        AllOf, AnyOf, Not, LabThreshold, Age, Sex, Ecog, ChildPugh, Albi, Stage, Diagnosis,
        TumourFeature, LiverFeature, PriorTherapy, HistoryCondition, Virology, Pregnancy,
        LifeExpectancy, Allergy, Administrative, NeedsReview, OtherMalignancy, HeartFailureNyha,
        UrineDipstick, ResidualToxicity, TreatmentCandidate, Medication, BodyWeight, HepatitisStatus,
        Permission, ClipScore, OkudaStage,
    ],
    Field(discriminator="kind"),
]

for _cls in (AllOf, AnyOf, Not, NeedsReview):
    _cls.model_rebuild()

LEAF_KINDS: tuple[str, ...] = (
    "lab", "age", "sex", "ecog", "child_pugh", "albi", "stage", "diagnosis", "tumour_feature",
    "liver_feature", "prior_therapy", "history", "virology", "pregnancy", "life_expectancy",
    "allergy", "administrative", "needs_review", "other_malignancy", "heart_failure_nyha",
    "urine_dipstick", "residual_toxicity", "treatment_candidate", "medication", "body_weight",
    "hepatitis_status", "permission", "clip_score", "okuda_stage",
)

#: Validate/serialise any node: ``node_adapter.validate_python(data)``.
node_adapter: TypeAdapter[Node] = TypeAdapter(Node)


class Criterion(_Base):
    """One numbered criterion of a trial with its compiled rule."""

    number: str
    role: Role
    text: str
    language: Literal["en", "zh"]
    rule: Node
    overridden: bool = False  # replaced by a protocol file
    exclude_from_matching: bool = False


def walk(node: Node) -> Iterator[Node]:
    """Yield *node* and all its descendants, depth first."""
    yield node
    if isinstance(node, (AllOf, AnyOf)):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)


def leaf_key(node: BaseModel) -> str:
    """A canonical key of what a node *means* (its source text excluded): equal keys evaluate
    alike, so identical rules across trials are evaluated once per patient."""
    return node.model_dump_json(exclude={"source", "read_as"}) if not isinstance(node, (AllOf, AnyOf, Not)) else (
        _composite_key(node)
    )


def _composite_key(node: AllOf | AnyOf | Not) -> str:
    if isinstance(node, Not):
        return f"not({leaf_key(node.child)})"
    inner = ",".join(leaf_key(c) for c in node.children)
    return f"{node.kind}({inner})"
