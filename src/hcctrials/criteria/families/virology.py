"""Viral hepatitis and HIV criteria read as a whole (EN + ZH); the rule of the ``hepatitis_status`` leaf
is :mod:`hcctrials.criteria.evaluation.virology`.

Some virology criteria are conditional requirements or several sentences that only make sense
together; the sentence scanners would read one part and leave the rest, so the criterion needed
review.  :func:`read_virology_criterion` recognises such criteria *as a whole*: every sentence of
the text must match one of the patterns below (anything else: ``None``, the ordinary compiler
runs), so no word is left unread.

* "Participants with hepatitis B virus (HBV) infection must be treated with antiviral therapy prior
  to enrolment" (inclusion) → any of (not HBsAg positive, on HBV antiviral therapy).
* The controlled-HBV paragraph (ChiCTR2500111736, in Chinese and in its English version: 符合以下标准的乙型肝炎病毒(HBV)感染
  得到控制(治疗)的参与者将被允许: HBV 抗病毒治疗必须至少 4 周,并且 ... HBV 病毒载量必须低于 500 IU/mL。...):
  HBsAg positive → HBV DNA below the limit and antiviral therapy for the stated weeks; the sentence
  "participants on HBV therapy should continue the same therapy" is an on-study instruction (not a rule); "anti-HBc (+),
  HBsAg negative, anti-HBs negative, HBV DNA < 500 IU/mL and no need for HBV antiviral prophylaxis" →
  ``hepatitis_status(isolated_anti_hbc)`` (the need for prophylaxis is a clinician's judgement: unknown).
* The HCV paragraph (在研究筛查期间,必须对患者进行丙型肝炎病毒(HCV)RNA 状态的检测。本研究允许未经治疗的慢性
  HCV 感染患者进行研究。此外,对于丙肝治愈的患者,可纳入本研究,但入组时丙肝治疗应结束 4 周以上): the screening
  test is a procedure, untreated HCV is allowed, the rule is ``hepatitis_status(hcv_treatment_washout, 28 d)`` (以上 includes the
  number, PRC Civil Code art. 1259).
* "Active hepatitis B or hepatitis C. Note: no testing ... is required unless mandated ..." (exclusion) → any of
  (``hepatitis_status(hbv_active)``, HCV RNA detectable).
* "Known infection with HIV, hepatitis B or hepatitis C. Subjects with liver cancer and hepatitis may be
  eligible." (exclusion) → HIV positive: every patient of this workbench has liver cancer, so the
  hepatitis part is waived by the trial's own note.

* (issue 10, session 6) "No clinically serious infection > grade 2 (NCI CTCAE Version 3.0) except for HBV and HCV
  infection" (inclusion) / "Active clinically serious infection > CTCAE Grade 2 except for ... Hepatitis B (HBV) or
  Hepatitis C (HCV)" (exclusion) → an active ``severe_infection`` of CTCAE grade ≥ 3 whose record is not named as
  hepatitis B/C (``HistoryCondition.except_viral_hepatitis``).  "Active HIV infection." (exclusion) →
  ``hepatitis_status(hiv_active)``: HIV negative is none, HIV positive unknown (the trial's "active").

Scanner :func:`scan_virology_terms`: "Hepatitis B virus deoxyribonucleic acid (DNA) levels >2,000
international units/mL" → ``HBV DNA > 2000 IU/mL``.

Leaf ``hepatitis_status`` (:class:`hcctrials.model.eligibility.HepatitisStatus`) reads only
``Patient.virology`` and the HBV DNA results (the same inputs as ``virology`` leaves).  Clinical
facts: chronic HBV infection is HBsAg positivity (EASL 2017 HBV guideline); an HBsAg-negative,
anti-HBc-positive patient (resolved or occult infection) is assessed for prophylaxis before
immunotherapy or chemotherapy (EASL 2017 s. 11, reactivation risk) — a judgement, never computed here.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import (
    AllOf, AnyOf, HepatitisStatus, HistoryCondition, LabThreshold, NeedsReview, Node, Not, Virology,
)

__all__ = ["read_virology_criterion", "scan_virology_terms"]

_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_HBV = r"(?:hepatitis b virus\s*\(hbv\)|hepatitis b virus|hepatitis b|hbv)"

# ----------------------------------------------------------------------------- whole criteria

_EN_HBV_MUST_TREAT = re.compile(
    rf"(?:participants?|patients?|subjects?)\s+with\s+(?:chronic\s+)?{_HBV}(?:\s+infection)?\s+must\s+"
    r"(?:be\s+(?:treated|on)\s+(?:with\s+)?|receive\s+)(?:an?\s+)?anti-?viral\s+(?:therapy|treatment|medication)"
    r"(?:\s+(?:prior to|before)\s+(?:enrol(?:l)?ment|study entry|randomi[sz]ation|the first dose))?\.?")
_ZH_HBV_MUST_TREAT = re.compile(
    r"(?:乙型肝炎|乙肝|hbv)(?:病毒)?(?:\(hbv\))?感染(?:的)?(?:患者|者|受试者|参与者)(?:入组前)?(?:必须|需|应)(?:在入组前)?接受抗病毒治疗。?")

_ZH_HBV_S1 = re.compile(
    r"符合以下标准的乙型肝炎病毒\(hbv\)感染得到控制\(治疗\)的参与者将被允许:hbv抗病毒治疗必须至少(?P<w>\d+)周,"
    r"并且在第一剂研究干预前hbv病毒载量必须低于(?P<n>\d+)iu/ml")
_ZH_HBV_S2 = re.compile(r"接受hbv活性治疗且病毒载量低于(?P<n>\d+)iu/ml的参与者应在整个研究治疗期间继续接受相同的治疗")
_ZH_HBV_S3 = re.compile(r"抗-hbc\(\+\)[、,]hbsag阴性[、,]抗-hbs阴性[、,]hbv病毒载量低于(?P<n>\d+)iu/ml且不需要hbv抗病毒预防的参与者")
# the English version of the same record (ChiCTR2500111736)
_EN_HBV_S1 = re.compile(
    r"participants with hbv infection who have achieved control \(treatment\) will be allowed to: the hbv antiviral treatment "
    r"must last for at least (?P<w>\d+) weeks, and the hbv viral load must be lower than (?P<n>\d+) iu/ml before the first dose "
    r"of the study intervention")
_EN_HBV_S2 = re.compile(r"participants who receive hbv active treatment and have a viral load lower than (?P<n>\d+) iu/ml should "
                        r"continue with the same treatment throughout the entire study treatment period")
_EN_HBV_S3 = re.compile(r"participants with anti-hbc ?\(\+\), negative hbsag, negative anti-hbs, a viral load lower than (?P<n>\d+) "
                        r"iu/ml,? and no need for hbv antiviral prophylaxis")

_ZH_HCV_S1 = re.compile(r"在研究筛查期间,必须对患者进行丙型肝炎病毒\(hcv\)rna状态的检测")
_ZH_HCV_S2 = re.compile(r"本研究允许未经治疗的慢性hcv感染患者进行研究")
_ZH_HCV_S3 = re.compile(r"此外,对于丙肝治愈的患者,可纳入本研究,但入组时丙肝治疗应结束(?P<w>\d+)周以上")

_EN_HCV_S1 = re.compile(r"during the screening process, it is necessary to test the hcv rna status of the patients")
_EN_HCV_S2 = re.compile(r"this study allows patients with untreated chronic hcv infection to participate in the research")
# "more than 4 weeks" (the Chinese 4周以上 includes the 4 weeks): each version as written
_EN_HCV_S3 = re.compile(r"additionally, patients who have been cured of hepatitis c can be included in this study, but the hepatitis c "
                        r"treatment should have been completed for more than (?P<w>\d+) weeks at the time of enrol?lment")

_EN_HIV_HEP_LIVER = re.compile(
    r"known infection with (?:human immunodeficiency virus \(hiv\)|hiv), hepatitis b(?: virus)?,? or hepatitis c(?: virus)?\.?\s*"
    r"subjects with liver cancer and hepatitis may be eligible\.?")


_EN_ACUTE_ACTIVE_HBV = re.compile(r"(?:known\s+)?acute\s*(?:/|or)\s*active\s+(?:hepatitis b|hbv)(?:\s+virus)?(?:\s+infection)?\.?")
_EN_ACTIVE_HBV_HCV_NOTE = re.compile(
    r"active hepatitis b or hepatitis c\.\s*note: no testing for hepatitis b or c is required unless mandated by local health "
    r"authority\.?")
_EN_HIV_ON_ART = re.compile(
    r"hiv-positive patients on combination antiretroviral therapy are ineligible because of the potential for "
    r"pharmacokinetic interactions with [a-z0-9 -]+\.?")


# "Diagnosis positive for anti-HIV antibody and/or anti-HTLV-1 antibody" (exclusion, NCT02029157): either antibody
# positive excludes (the HTLV-1 serology is ``Virology.htlv1_positive``)
_EN_HIV_OR_HTLV1 = re.compile(
    r"(?:diagnosis |diagnosed |known |test(?:ed)? )?positive for anti-hiv antibod(?:y|ies) (?:and/or|or) anti-htlv-?1 antibod(?:y|ies)\.?")


# NCT01306058 exclusion 11: HIV-positive patients on antiretroviral therapy are excluded (interactions), and those not
# on it are excluded too (the drugs may worsen their condition): every HIV-positive patient, whatever the therapy
_EN_HIV_WITH_OR_WITHOUT_ART = re.compile(
    r"human immunodeficiency virus \(hiv\)-positive patients receiving anti-?retroviral therapy are excluded from this study "
    r"due to the possibility of pharmacokinetic interactions between antiretroviral medications and [a-z0-9 ]+\. "
    r"hiv[- ]positive patients not receiving anti-?retroviral therapy are excluded due to the possibility that [^.]+\.?")
# NCT00005997 inclusion 40: "No concurrent combination antiviral therapy for HIV-positive patients": an HIV-negative
# patient meets it; for an HIV-positive one the regimen (not in the record) decides
_EN_NO_CART_FOR_HIV = re.compile(r"no concurrent combination anti-?(?:retro)?viral therapy for hiv-positive patients\.?")


# NCT01009801 inclusion 26 "No clinically serious infection > grade 2 (NCI CTCAE Version 3.0) except for HBV and HCV
# infection", NCT01337492 exclusion 7 "Active clinically serious infection > CTCAE Grade 2 except for Except Hepatitis
# B(HBV) or Hepatitis C (HCV)": a CTCAE grade >= 3 infection (CTCAE v5 Infections and infestations: IV anti-infective
# indicated), active, other than chronic hepatitis B or C (a record named as hepatitis B/C is excepted)
_EN_SERIOUS_INFECTION_EXCEPT_HEPATITIS = re.compile(
    r"(?P<no>no\s+)?(?:active\s+)?clinically serious infections?\s*(?:>\s*|greater than\s+)(?:nci\s+)?(?:ctcae\s+)?grade\s*(?:2|ii)"
    r"(?:\s*\((?:nci\s+)?ctcae(?:\s+v(?:ersion)?\s*\d(?:\.\d+)?)?\))?\s*,?\s+except\s+(?:for\s+)?(?:except\s+)?"
    r"(?:hepatitis b\s*\(hbv\)|hepatitis b|hbv)\s*(?:and|or|/)\s*(?:hepatitis c\s*\(hcv\)|hepatitis c|hcv)(?:\s+infections?)?\.?")


# NCT02572687 exclusion 7 (a basket trial): the first sentence is for the gastric/GEJ and NSCLC cohorts; for HCC participants
# (every patient of this workbench) chronic HCV is eligible and chronic HBV is eligible only with a negative HBV DNA test
# on antiviral therapy: the exclusion is HBsAg positive without both
_EN_BASKET_HBV_HCC = re.compile(
    r"for gastric/gej and nsclc participants, has chronic hepatitis b or hepatitis c infection\. \(for hcc participants, "
    r"those with chronic hepatitis b virus \[hbv\] infection with a negative hbv deoxyribonucleic acid \[dna\] test and who "
    r"are on antiviral therapy, and those with chronic hepatitis c virus \[hcv\] infection are eligible\)\.?")

# NCT03382886 exclusion 10 "Active HIV infection.": decided for an HIV-negative patient; for an HIV-positive one whether
# the infection is "active" (a detectable viral load? any untreated infection?) is the trial's definition: unknown
_EN_ACTIVE_HIV = re.compile(r"active (?:human immunodeficiency virus \(hiv\)|human immunodeficiency virus|hiv) infection\.?")


def _squash(text: str) -> str:
    """Lower case, NFKC-normalised, without spaces (Chinese PDF exports break words with spaces)."""
    from hcctrials.criteria.text.normalise import normalise_text

    return re.sub(r"\s+", "", normalise_text(text).lower())


def _sentences(text: str) -> list[str]:
    """Sentences of *text* (a full stop followed by a space, the end or a letter: "intervention.Participants")."""
    return [s for s in re.split(r"[。;；]|\.(?=\s|$|[a-z])", text) if s.strip(" .")]


def _controlled_hbv(sentences: list[str], s1: re.Pattern[str], s2: re.Pattern[str], s3: re.Pattern[str]) -> Node | None:
    first = s1.fullmatch(sentences[0]) if sentences else None
    if first is None:
        return None
    limit = float(first.group("n"))
    children: list[Node] = [Virology(marker="hbv_controlled", hbv_dna_max_iu_ml=limit, require_antiviral=True,
                                     antiviral_min_days=int(first.group("w")) * 7)]
    for s in sentences[1:]:
        m2, m3 = s2.fullmatch(s), s3.fullmatch(s)
        if m2 and float(m2.group("n")) == limit:
            continue  # "continue the same HBV therapy during the study": an on-study instruction, not eligibility
        elif m3:
            children.append(HepatitisStatus(test="isolated_anti_hbc", hbv_dna_max_iu_ml=float(m3.group("n"))))
        else:
            return None
    return children[0] if len(children) == 1 else AllOf(children=children)


def read_virology_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of a virology criterion the patterns of this module read completely, else ``None``."""
    squashed = _squash(text)
    if role == "inclusion":
        if _ZH_HBV_MUST_TREAT.fullmatch(squashed):
            return AnyOf(children=[Not(child=Virology(marker="hbsag")), HepatitisStatus(test="hbv_antiviral")])
        zh = _controlled_hbv(_sentences(squashed), _ZH_HBV_S1, _ZH_HBV_S2, _ZH_HBV_S3)
        if zh is not None:
            return zh
        parts = _sentences(squashed)
        if len(parts) == 3 and _ZH_HCV_S1.fullmatch(parts[0]) and _ZH_HCV_S2.fullmatch(parts[1]):
            m = _ZH_HCV_S3.fullmatch(parts[2])
            if m:
                # the screening test is a procedure and "untreated chronic HCV is allowed" is in the leaf: the
                # eligibility content is the washout after a cure
                return HepatitisStatus(test="hcv_treatment_washout", min_days=int(m.group("w")) * 7)
    from hcctrials.criteria.text.normalise import normalise_text

    spaced = re.sub(r"\s+", " ", normalise_text(text).lower()).strip()
    if role == "inclusion":
        if _EN_HBV_MUST_TREAT.fullmatch(spaced):
            return AnyOf(children=[Not(child=Virology(marker="hbsag")), HepatitisStatus(test="hbv_antiviral")])
        parts = [s.strip() for s in _sentences(spaced)]
        en = _controlled_hbv(parts, _EN_HBV_S1, _EN_HBV_S2, _EN_HBV_S3)
        if en is not None:
            return en
        if len(parts) == 3 and _EN_HCV_S1.fullmatch(parts[0]) and _EN_HCV_S2.fullmatch(parts[1]):
            m = _EN_HCV_S3.fullmatch(parts[2])
            if m:
                return HepatitisStatus(test="hcv_treatment_washout", min_days=int(m.group("w")) * 7 + 1)
    serious = _EN_SERIOUS_INFECTION_EXCEPT_HEPATITIS.fullmatch(spaced)
    if serious and (role == "inclusion") == bool(serious.group("no")):
        node = HistoryCondition(codes=["severe_infection"], status="active", min_grade=3, except_viral_hepatitis=True,
                                label="clinically serious infection > grade 2")
        return Not(child=node) if serious.group("no") else node
    if role == "exclusion" and _EN_BASKET_HBV_HCC.fullmatch(spaced):
        return AllOf(children=[Virology(marker="hbsag"), Not(child=AllOf(children=[
            HepatitisStatus(test="hbv_dna_undetectable"), HepatitisStatus(test="hbv_antiviral")]))])
    if role == "exclusion" and _EN_ACTIVE_HIV.fullmatch(spaced):
        return HepatitisStatus(test="hiv_active")
    if role == "exclusion" and _EN_HIV_HEP_LIVER.fullmatch(spaced):
        return Virology(marker="hiv")  # the note waives hepatitis B/C for liver cancer, i.e. for every HCC patient
    if role == "exclusion" and _EN_ACUTE_ACTIVE_HBV.fullmatch(spaced):
        return HepatitisStatus(test="hbv_active", hbv_dna_max_iu_ml=2000)
    if role == "exclusion" and _EN_ACTIVE_HBV_HCV_NOTE.fullmatch(spaced):
        # active HCV = HCV RNA detectable (as the sentence scanners read it); the note only says no test is mandated
        return AnyOf(children=[HepatitisStatus(test="hbv_active", hbv_dna_max_iu_ml=2000), Virology(marker="hcv_rna")])
    if role == "exclusion" and _EN_HIV_WITH_OR_WITHOUT_ART.fullmatch(spaced):
        return Virology(marker="hiv")
    if role == "inclusion" and _EN_NO_CART_FOR_HIV.fullmatch(spaced):
        return Not(child=HepatitisStatus(test="hiv_on_art"))  # issue 10 (session 6): Virology.hiv_antiretroviral
    if role == "exclusion" and _EN_HIV_OR_HTLV1.fullmatch(spaced):
        # issue 10 (session 6): Virology.htlv1_positive (not tested: unknown)
        return AnyOf(children=[Virology(marker="hiv"), HepatitisStatus(test="htlv1_positive")])
    if role == "exclusion" and _EN_HIV_ON_ART.fullmatch(spaced):
        # issue 10 (session 6): HIV positive and on antiretroviral therapy (Virology.hiv_antiretroviral; not recorded: unknown)
        return HepatitisStatus(test="hiv_on_art")
    return None


# ----------------------------------------------------------------------------- scanner

# only the long spellings (the labs scanner reads "HBV DNA < 2000 IU/mL"; "HBsAg ... HBV DNA < N" is hbv_controlled)
_HBV_DNA_LONG = re.compile(
    rf"{_HBV}\s+deoxyribonucleic acid(?:\s*\(dna\))?(?:\s+(?:levels?|load))?\s*(?P<cmp>>|≥|<|≤)\s*(?P<n>{_NUM})\s*"
    r"(?:international units|iu)\s*/\s*ml"
    rf"|{_HBV}\s+dna(?:\s+(?:levels?|load))?\s*(?P<cmp2>>|≥|<|≤)\s*(?P<n2>{_NUM})\s*international units\s*/\s*ml")


# "human immunodeficiency virus (HIV) infection or acquired immunodeficiency syndrome (AIDS)-related illness": an
# AIDS-related illness presupposes HIV infection (AIDS is its advanced stage: CDC 1993 revised classification), so
# the alternative adds nothing to "HIV positive"
_HIV_OR_AIDS = re.compile(
    r"(?:human immunodeficiency virus\s*\(hiv\)|human immunodeficiency virus|hiv)(?:\s+infection)?\s*(?:,\s*)?or\s+"
    r"(?:acquired immunodeficiency syndrome\s*\(aids\)|acquired immunodeficiency syndrome|aids)[\s-]*(?:related\s+illness|defining\s+illness)?")


def scan_virology_terms(ctx: Context) -> list[Hit]:
    """HBV DNA thresholds written with the long name and unit ("deoxyribonucleic acid", "international units/mL");
    "HIV infection or AIDS-related illness" (one fact: HIV positive)."""
    hits = []
    for m in _HIV_OR_AIDS.finditer(ctx.lower):
        hits.append(Hit(m.start(), m.end(), Virology(marker="hiv"), priority=7, family="virology"))
    for m in _HBV_DNA_LONG.finditer(ctx.lower):
        cmp = {">": ">", "≥": ">=", "<": "<", "≤": "<="}[m.group("cmp") or m.group("cmp2")]
        value = float((m.group("n") or m.group("n2")).replace(",", ""))
        node = LabThreshold(analyte="hbv_dna", comparator=cmp, value=value, unit="IU/mL")  # type: ignore[arg-type]
        hits.append(Hit(m.start(), m.end(), node, priority=5, family="labs"))
    return hits
