"""Viral hepatitis and HIV criteria read as a whole (``criteria/families/virology.py``:
``read_virology_criterion``, ``scan_virology_terms``).

From ``tests/criteria/test_criteria_virology_malignancy.py`` (10 of its 14 tests; the others are in
``families/test_family_malignancy.py``); what that file covered and its sources: ``tests/criteria/README.md``.
"""

from __future__ import annotations

from datetime import date

from hcctrials.criteria import PatientFacts, compile_criterion, describe, evaluate_node, is_fully_compiled
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Virology

from helpers_criteria import AS_OF, lab, make_patient


HBV_MUST_TREAT = "Participants with hepatitis B virus (HBV) infection must be treated with antiviral therapy prior to enrolment."
HBV_PARAGRAPH = ("符合以下标准的乙型肝炎病毒(HBV)感染得到控制(治疗)的参与者将被允许: HBV 抗病毒治疗必须至少 4 周,并且在第一剂研究干预前 "
                 "HBV 病毒载量必须低 于 500 IU/mL。接受 HBV 活性治疗且病毒载量低于 500 IU/ml 的参与者应在整 个研究治疗期间继续接受相同的"
                 "治疗。抗- hbc(+)、HBsAg 阴性、抗- hbs 阴 性、HBV 病毒载量低于 500 IU/mL 且不需要 HBV 抗病毒预防的参与者。")
HCV_PARAGRAPH = ("在研究筛查期间,必须对患者进行丙型肝炎病毒(HCV)RNA 状态的检测。本研 究允许未经治疗的慢性 HCV 感染患者进行研究。此外,"
                 "对于丙肝治愈的患者, 可纳入本研究,但入组时丙肝治疗应结束 4 周以上。")
ACUTE_ACTIVE_HBV = "Acute/active hepatitis B infection."
HBV_DNA_LONG = "Hepatitis B virus deoxyribonucleic acid (DNA) levels >2,000 international units/mL."
HIV_HEPATITIS_NOTE = ("Known infection with human immunodeficiency virus (HIV), hepatitis B or hepatitis C. Subjects with liver "
                      "cancer and hepatitis may be eligible.")
HIV_ON_ART = ("HIV-positive patients on combination antiretroviral therapy are ineligible because of the potential for "
              "pharmacokinetic interactions with meclizine.")


def _status(text: str, role: str, patient) -> str:  # type: ignore[no-untyped-def]
    return evaluate_node(compile_criterion(text, role=role), PatientFacts(patient, AS_OF)).status  # type: ignore[arg-type]


def _vir(**kw: object) -> Virology:
    return Virology(**kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- HBV / HCV / HIV


def test_hbv_must_be_treated_only_binds_infected_patients() -> None:
    node = compile_criterion(HBV_MUST_TREAT, role="inclusion")
    assert is_fully_compiled(node)
    # HBsAg positive on entecavir: the requirement is met
    assert _status(HBV_MUST_TREAT, "inclusion", make_patient(virology=_vir(hbsag_positive=True,
                                                                          hbv_antiviral_drugs=["entecavir"]))) == "met"
    # chronic HBV never treated: not met
    assert _status(HBV_MUST_TREAT, "inclusion", make_patient(virology=_vir(hbsag_positive=True, hbv_antiviral=False))) == "not_met"
    # no HBV infection: the requirement does not apply
    assert _status(HBV_MUST_TREAT, "inclusion", make_patient(virology=_vir(hbsag_positive=False))) == "met"
    # nothing recorded: unknown
    assert _status(HBV_MUST_TREAT, "inclusion", make_patient(virology=_vir())) == "unknown"


def test_controlled_hbv_paragraph_needs_four_weeks_of_antivirals_and_dna_below_500() -> None:
    node = compile_criterion(HBV_PARAGRAPH, role="inclusion")
    assert is_fully_compiled(node), describe(node)
    suppressed = [lab("hbv_dna", 20, "IU/mL", qualifier="<")]
    on_4_months = _vir(hbsag_positive=True, hbv_antiviral=True, hbv_antiviral_start=date(2025, 11, 1))
    assert _status(HBV_PARAGRAPH, "inclusion", make_patient(virology=on_4_months, labs={"hbv_dna": suppressed[0]})) == "met"
    # started 16 days before screening: under 4 weeks
    recent = _vir(hbsag_positive=True, hbv_antiviral=True, hbv_antiviral_start=date(2026, 2, 22))
    assert _status(HBV_PARAGRAPH, "inclusion", make_patient(virology=recent, labs={"hbv_dna": suppressed[0]})) == "not_met"
    # HBV DNA 2,500 IU/mL: not controlled
    assert _status(HBV_PARAGRAPH, "inclusion",
                   make_patient(virology=on_4_months, labs={"hbv_dna": lab("hbv_dna", 2500, "IU/mL")})) == "not_met"
    # no HBV at all (HBsAg and anti-HBc negative)
    assert _status(HBV_PARAGRAPH, "inclusion", make_patient(virology=_vir(hbsag_positive=False, anti_hbc_positive=False))) == "met"
    # isolated anti-HBc: whether prophylaxis is needed is the clinician's call
    assert _status(HBV_PARAGRAPH, "inclusion",
                   make_patient(virology=_vir(hbsag_positive=False, anti_hbc_positive=True),
                                labs={"hbv_dna": suppressed[0]})) == "unknown"
    # isolated anti-HBc with HBV DNA 800 IU/mL: not among the allowed participants
    assert _status(HBV_PARAGRAPH, "inclusion",
                   make_patient(virology=_vir(hbsag_positive=False, anti_hbc_positive=True),
                                labs={"hbv_dna": lab("hbv_dna", 800, "IU/mL")})) == "not_met"


def test_hcv_paragraph_requires_four_weeks_since_the_end_of_a_curative_treatment() -> None:
    node = compile_criterion(HCV_PARAGRAPH, role="inclusion")
    assert is_fully_compiled(node), describe(node)
    # untreated chronic HCV is allowed
    assert _status(HCV_PARAGRAPH, "inclusion",
                   make_patient(virology=_vir(anti_hcv_positive=True, hcv_rna_detectable=True, hcv_treated=False))) == "met"
    # cured, treatment ended 5 months ago
    cured = _vir(anti_hcv_positive=True, hcv_treated=True, hcv_treatment_end=date(2025, 10, 1), hcv_rna_detectable=False)
    assert _status(HCV_PARAGRAPH, "inclusion", make_patient(virology=cured)) == "met"
    # treatment ended 10 days ago
    recent = _vir(anti_hcv_positive=True, hcv_treated=True, hcv_treatment_end=date(2026, 2, 28), hcv_rna_detectable=False)
    assert _status(HCV_PARAGRAPH, "inclusion", make_patient(virology=recent)) == "not_met"
    # treated but RNA still detectable: neither untreated nor cured
    failed = _vir(anti_hcv_positive=True, hcv_treated=True, hcv_treatment_end=date(2025, 6, 1), hcv_rna_detectable=True)
    assert _status(HCV_PARAGRAPH, "inclusion", make_patient(virology=failed)) == "unknown"
    # exactly 28 days: "4 周以上" includes the number
    on_day_28 = _vir(anti_hcv_positive=True, hcv_treated=True, hcv_treatment_end=date(2026, 2, 10), hcv_rna_detectable=False)
    assert _status(HCV_PARAGRAPH, "inclusion", make_patient(virology=on_day_28)) == "met"


def test_acute_or_active_hepatitis_b_is_decided_only_where_every_definition_agrees() -> None:
    node = compile_criterion(ACUTE_ACTIVE_HBV, role="exclusion")
    assert is_fully_compiled(node)
    viraemic = make_patient(virology=_vir(hbsag_positive=True, hbv_antiviral=False),
                            labs={"hbv_dna": lab("hbv_dna", 85000, "IU/mL")})
    assert _status(ACUTE_ACTIVE_HBV, "exclusion", viraemic) == "met"
    assert _status(ACUTE_ACTIVE_HBV, "exclusion", make_patient(virology=_vir(hbsag_positive=False))) == "not_met"
    # suppressed on entecavir: "active" depends on the trial's definition
    suppressed = make_patient(virology=_vir(hbsag_positive=True, hbv_antiviral_drugs=["entecavir"]),
                              labs={"hbv_dna": lab("hbv_dna", 20, "IU/mL", qualifier="<")})
    assert _status(ACUTE_ACTIVE_HBV, "exclusion", suppressed) == "unknown"


def test_hbv_dna_long_name_and_thousands_separator() -> None:
    node = compile_criterion(HBV_DNA_LONG, role="exclusion")
    assert isinstance(node, E.LabThreshold) and node.value == 2000 and node.comparator == ">"
    assert _status(HBV_DNA_LONG, "exclusion", make_patient(labs={"hbv_dna": lab("hbv_dna", 3500, "IU/mL")})) == "met"
    assert _status(HBV_DNA_LONG, "exclusion", make_patient(labs={"hbv_dna": lab("hbv_dna", 1800, "IU/mL")})) == "not_met"


def test_hiv_with_the_liver_cancer_note_excludes_hiv_only() -> None:
    assert is_fully_compiled(compile_criterion(HIV_HEPATITIS_NOTE, role="exclusion"))
    # HCV-positive HCC patient, HIV negative: the note allows hepatitis with liver cancer
    hcv = make_patient(virology=_vir(hiv_positive=False, hcv_rna_detectable=True))
    assert _status(HIV_HEPATITIS_NOTE, "exclusion", hcv) == "not_met"
    assert _status(HIV_HEPATITIS_NOTE, "exclusion", make_patient(virology=_vir(hiv_positive=True))) == "met"


def test_hiv_on_antiretrovirals_is_decided_for_hiv_negative_patients_only() -> None:
    assert _status(HIV_ON_ART, "exclusion", make_patient(virology=_vir(hiv_positive=False))) == "not_met"
    # HIV positive: the regimen decides (issue 10, session 6: Virology.hiv_antiretroviral; not recorded: unknown)
    assert _status(HIV_ON_ART, "exclusion", make_patient(virology=_vir(hiv_positive=True))) == "unknown"
    assert _status(HIV_ON_ART, "exclusion", make_patient(virology=_vir(hiv_positive=True, hiv_antiretroviral=True))) == "met"
    assert _status(HIV_ON_ART, "exclusion", make_patient(virology=_vir(hiv_positive=True, hiv_antiretroviral=False))) \
        == "not_met"


def test_same_words_in_the_other_role_are_not_read_as_a_whole() -> None:
    # the conditional requirement inside an exclusion list is not the inclusion rule
    assert not is_fully_compiled(compile_criterion(HBV_MUST_TREAT, role="exclusion"))


def test_columnar_agrees_on_hepatitis_status_leaves() -> None:
    from hcctrials.criteria.columnar import FactColumns, evaluate_leaf_column
    from hcctrials.criteria.columnar import STATUS_CODES

    patients = [
        make_patient(patient_id="a", virology=_vir(hbsag_positive=True, hbv_antiviral=False),
                     labs={"hbv_dna": lab("hbv_dna", 85000, "IU/mL")}),
        make_patient(patient_id="b", virology=_vir(hbsag_positive=False, anti_hbc_positive=True)),
        make_patient(patient_id="c", virology=_vir(anti_hcv_positive=True, hcv_treated=True,
                                                   hcv_treatment_end=date(2026, 2, 28), hcv_rna_detectable=False)),
        make_patient(patient_id="d", virology=_vir()),
    ]
    leaves = [E.HepatitisStatus(test="hbv_active", hbv_dna_max_iu_ml=2000), E.HepatitisStatus(test="hbv_antiviral", min_days=28),
              E.HepatitisStatus(test="hcv_treatment_washout", min_days=28),
              E.HepatitisStatus(test="isolated_anti_hbc", hbv_dna_max_iu_ml=500)]
    fc = FactColumns(patients, AS_OF)
    for leaf in leaves:
        codes = evaluate_leaf_column(leaf, fc).tolist()
        scalar = [STATUS_CODES[evaluate_node(leaf, PatientFacts(p, AS_OF)).status] for p in patients]
        assert codes == scalar, leaf
    # JSON round trip of the new kind
    assert E.node_adapter.validate_python(leaves[0].model_dump()) == leaves[0]


HBV_PARAGRAPH_EN = ("Participants with HBV infection who have achieved control (treatment) will be allowed to: The HBV antiviral "
                    "treatment must last for at least 4 weeks, and the HBV viral load must be lower than 500 IU/mL before the first "
                    "dose of the study intervention.Participants who receive HBV active treatment and have a viral load lower than "
                    "500 IU/ml should continue with the same treatment throughout the entire study treatment period. Participants "
                    "with anti-hbc (+), negative HBsAg, negative anti-hbs, a viral load lower than 500 IU/mL, and no need for HBV "
                    "antiviral prophylaxis.")
HCV_PARAGRAPH_EN = ("During the screening process, it is necessary to test the HCV RNA status of the patients. This study allows "
                    "patients with untreated chronic HCV infection to participate in the research. Additionally, patients who have "
                    "been cured of hepatitis C can be included in this study, but the hepatitis C treatment should have been "
                    "completed for more than 4 weeks at the time of enrollment.")


def test_english_version_of_the_same_record_reads_alike() -> None:
    assert describe(compile_criterion(HBV_PARAGRAPH_EN, role="inclusion")) == \
        describe(compile_criterion(HBV_PARAGRAPH, role="inclusion"))
    recent = _vir(hbsag_positive=True, hbv_antiviral=True, hbv_antiviral_start=date(2026, 2, 22))
    assert _status(HBV_PARAGRAPH_EN, "inclusion", make_patient(virology=recent)) == "not_met"
    # "more than 4 weeks": day 28 is not more than 4 weeks (the Chinese 4周以上 includes it)
    on_day_28 = _vir(anti_hcv_positive=True, hcv_treated=True, hcv_treatment_end=date(2026, 2, 10), hcv_rna_detectable=False)
    assert _status(HCV_PARAGRAPH_EN, "inclusion", make_patient(virology=on_day_28)) == "not_met"
    assert _status(HCV_PARAGRAPH, "inclusion", make_patient(virology=on_day_28)) == "met"
