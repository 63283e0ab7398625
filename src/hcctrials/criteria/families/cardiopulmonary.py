"""Cardiac, pulmonary, CNS-tumour, pregnancy-intention and rapalog-allergy wordings read as a whole (issue 10, session 6).

Whole-criterion readers (:func:`read_cardiopulmonary_criterion`); each reads only the wording quoted, exclusions unless
said otherwise, and returns ``None`` for anything else (the sentence compiler then goes its ordinary way):

* "Asthma", "Evidence of chronic obstructive pulmonary disease" (NCT00003926 exclusion 6, NCT01887717 exclusion 4): the
  disease the patient has now, active or controlled (``HistoryCondition`` status ``current``, codes ``asthma`` /
  ``copd``); an asthma of childhood recorded ``resolved`` is not it.  "History of asthma" is not read here.
* "History of cardiac disease(s)" / "History of heart disease" (NCT00105443 exclusion 3, NCT02029157 exclusion 7): any
  cardiac disease ever (code ``cardiac_disease``; every recorded cardiac code counts, and a record named for the
  heart under another code leaves it unknown: :mod:`hcctrials.criteria.evaluation.leaves_history`).
* "Known central nervous system tumors including metastatic brain disease" (NCT00105443 exclusion 6, NCT02774187
  exclusion 8): CNS metastases (``TumourFeature(cns_metastasis)``) or a primary tumour of the brain or spinal cord,
  benign or malignant, that the patient has now (code ``cns_tumour``).
* "Signs and symptoms of heart failure characterised as greater than the New York Heart Association (NYHA) Class I
  or other clinically significant cardiac abnormalities (including history of myocardial infarction) including stable
  abnormalities" (NCT02716012 exclusion 11): heart failure of NYHA class II or worse today; clinically significant
  cardiovascular disease the patient has, stable ones included (``cardiovascular_disease``, status ``current``); a
  myocardial infarction ever.
* "Pregnant, breast feeding, or planning to become pregnant", "Is pregnant or breastfeeding, or expecting to conceive
  or father children within the projected duration of the trial ...", "Pregnancy or breastfeeding, or intention of
  becoming pregnant during study treatment or within N months after the final dose of ... [Women of childbearing
  potential must have a negative serum or urine pregnancy test result within N days prior to initiation of study
  treatment.]" (NCT03382886 exclusion 15, NCT02702401 exclusion 21, NCT05482516 exclusion 37): pregnancy or
  breastfeeding (``Pregnancy``) or a plan to conceive, which is the patient's declaration at the site, as is the
  contraception agreement (``Administrative(contraception)``; the pregnancy test is how the site confirms the first).
* "(Patients with) known hypersensitivity to RAD001 or other rapamycins or its excipients" (NCT00516165 exclusion 10):
  an allergy to everolimus (RAD001), to another rapamycin (sirolimus and its analogues temsirolimus, ridaforolimus,
  zotarolimus) or to an excipient (``related``: another recorded allergy may be to an excipient, so it stays unknown).

* "Pregnant women are excluded from this study because <drug> is ... with the potential for teratogenic or abortifacient
  effects. Because there is an unknown but potential risk for adverse events in nursing infants secondary to treatment of
  the mother with <drug>, breastfeeding should be discontinued if the mother is treated with <drug>." (NCI template;
  NCT03253289 exclusion 11): pregnancy (not breastfeeding: the mother may take part if she stops, her undertaking).
* Inclusions "Women of childbearing potential must have 2 negative serum pregnancy test performed. The first test within
  7-10 days ... The second test within 24 hours ..." (NCT01337492 inclusion 13) and Celgene's "Pregnancy Prevention Risk
  Management Plan" items 1-7 (NCT02323906 inclusion 13): pregnancy testing and prevention, the site's checks
  (``Administrative(contraception)``, as the project reads "negative pregnancy test" criteria).
* "Cardiac arrhythmias requiring anti-arrhythmic therapy other than beta blockers or digoxin" (NCT01258608 exclusion 16),
  alone or in the sorafenib-label list "History of cardiac disease: congestive heart failure (NYHA > 2), active coronary
  artery disease, ..., uncontrolled hypertension; myocardial infarction more than 6 months prior to study entry is
  permitted" (NCT01335074 exclusion 7): an arrhythmia needing drug treatment now and an anti-arrhythmic other than a beta
  blocker or digoxin among the patient's medications (medication class ``antiarrhythmic_not_bb_digoxin``); in the list,
  heart failure of class III-IV at any time, active coronary disease, an infarction within the months named (the
  permitted old one says a recent one is excluded), uncontrolled hypertension.
* "Unstable coronary artery disease or recent myocardial infarct (i.e. within 1 year)" (NCT02460991 exclusion 8): an acute
  coronary syndrome now (code ``unstable_coronary_artery_disease``: unstable angina; coronary disease recorded active is
  unknown) or an infarction within the year.
* Inclusion "No ongoing cardiac dysrhythmias of NCI CTCAE grade >= 2, atrial fibrillation of any grade, prolongation of QTc
  > 500 msec on screening electrocardiogram (ECG), or history of familial long QT syndrome" (NCT01005199 inclusion 28):
  none of an arrhythmia present now of grade >= 2, atrial fibrillation present now (code ``atrial_fibrillation``, read from
  arrhythmia records by name), QTc above the value, long QT syndrome.

History terms added in :mod:`hcctrials.criteria.families.history` for this session: ``aneurysm``, ``arteriovenous_malformation``,
``symptomatic_conduction_abnormality`` and "hemorrhagic or thrombotic cerebrovascular event" (``intracranial_haemorrhage`` or
``thrombotic_cerebrovascular_event``, read from thromboembolism records by name).

Sentence scanner (:func:`scan_cardiopulmonary`):

* "History of symptomatic congestive heart failure" (NCT05883644 exclusion 3): heart failure that was ever symptomatic,
  i.e. of NYHA class II or worse at some time (class I is heart disease without symptoms: New York Heart Association,
  Nomenclature and Criteria for Diagnosis, 9th ed., 1994).  The recorded class is today's, so a patient of class I
  now with heart failure on record is unknown (``HistoryCondition.min_nyha_class``); ``organs.py`` reads the present
  wording ("symptomatic congestive heart failure" without "history").
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import (
    Administrative, AllOf, Allergy, AnyOf, HeartFailureNyha, HistoryCondition, LabThreshold, Medication, Node, Not, Pregnancy,
    TumourFeature,
)

__all__ = ["read_cardiopulmonary_criterion", "scan_cardiopulmonary"]


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


_LUNG = re.compile(r"(?P<ev>evidence of )?(?:(?P<asthma>(?:bronchial )?asthma)|(?P<copd>chronic obstructive pulmonary disease"
                   r"(?: ?\(copd\))?|copd))\.?", re.IGNORECASE)
_CARDIAC_HISTORY = re.compile(r"(?:a )?history of (?:cardiac|heart) diseases?\.?", re.IGNORECASE)
_CNS_TUMOURS = re.compile(r"known (?:central nervous system|cns) (?:\(cns\) )?tumou?rs?,? including metastatic brain disease\.?",
                          re.IGNORECASE)
_HF_OR_SIGNIFICANT = re.compile(
    r"signs and symptoms of heart failure characteri[sz]ed as greater than (?:the )?new york heart association (?:\(nyha\) )?"
    r"class (?:i|1) or other clinically significant cardiac abnormalities \(including (?:a )?history of myocardial infarction\),? "
    r"including stable abnormalities\.?", re.IGNORECASE)
# "Pregnant, breast feeding, or planning to become pregnant" and its variants; the tail after the plan (its window, the
# pregnancy-test sentence) must be one of the forms quoted in the module docstring
_PREGNANT = r"(?:is |are |being )?(?:pregnan(?:t|cy))"
_NURSING = r"(?:breast[- ]?feeding|breast feeding|lactating|nursing)"
_PLAN = (r"(?:planning|plans?|intending|intends?|expecting|expects?) to (?:become pregnant|conceive(?: or father children)?)"
         r"|(?:the )?intention of becoming pregnant")
_PLAN_WINDOW = (r"(?: (?:within|during) the projected duration of the (?:trial|study),? starting with the (?:first dose|screening visit)"
                r"(?: of study (?:drug|medication|treatment))? through \d+ days(?: or longer based on local regulations?)? after the "
                r"last dose of study (?:drug|medication|treatment)"
                r"| during (?:the )?study treatment(?: or within \d+ months after the (?:final|last) dose of [a-z-]+"
                r"(?: or \d+ months after the (?:final|last) dose of [a-z-]+)?)?"
                r"| during the (?:study|trial)(?: period)?)?")
_TEST = (r"(?: women of childbearing potential must have a negative (?:serum|urine|serum or urine|urine or serum) pregnancy test"
         r"(?: result)? within \d+ days (?:prior to|before) (?:initiation of study treatment|the first dose(?: of study (?:drug|treatment))?"
         r"|randomi[sz]ation|enrol(?:l)?ment)\.?)?")
_PREGNANCY_PLAN = re.compile(
    rf"{_PREGNANT},? (?:or )?{_NURSING},? or (?:{_PLAN}){_PLAN_WINDOW}\.?{_TEST}", re.IGNORECASE)
_RAPAMYCINS = re.compile(
    r"(?:patients with )?(?:known )?(?:hypersensitivity|allergy) to (?:rad001|everolimus)(?: \(everolimus\))? or (?:to )?other "
    r"rapamycins?(?: \([^()]{0,40}\))? or (?:to )?(?:its|their) excipients\.?", re.IGNORECASE)
# NCI template: "Pregnant women are excluded from this study because <drug> is <a ... agent> with the potential for
# teratogenic or abortifacient effects. Because there is an unknown but potential risk for adverse events in nursing infants
# secondary to treatment of the mother with <drug>, breastfeeding should be discontinued if the mother is treated with <drug>."
_NCI_PREGNANCY = re.compile(
    r"pregnant women are excluded from this study because [^.]{3,120}? (?:with|has) the potential for teratogenic or abortifacient "
    r"effects\. because there is an unknown but potential risk for adverse events in nursing infants secondary to treatment of "
    r"the mother with [^.]{3,80}?, breast-?feeding should be discontinued if the mother is treated with [^.]{3,80}?\.?", re.IGNORECASE)
# "Women of childbearing potential must have 2 negative serum pregnancy test performed. The first test within 7-10 days prior
# to the start of treatment. The second test within 24 hours prior to start of treatment." (NCT01337492 inclusion 13)
_TWO_TESTS = re.compile(
    r"women of childbearing potential must have (?:2|two) negative (?:serum |urine )?pregnancy tests? performed\. the first test "
    r"within [\d-]+ (?:hours|days) (?:prior to|before) (?:the )?start of treatment\. the second test within [\d-]+ (?:hours|days) "
    r"(?:prior to|before) (?:the )?start of treatment\.?", re.IGNORECASE)
# Celgene's "Pregnancy Prevention Risk Management Plan" paragraph (NCT02323906 inclusion 13): pregnancy testing, contraception,
# no semen or blood donation, no sharing or handling of the capsules, counselling; read when every numbered item is one of
# these (the heading and the first words of each of items 1-7 below)
_PPRMP = re.compile(
    r"pregnancy prevention risk management plan 1\. females of childbearing potential must undergo pregnancy testing .*? "
    r"2\. unless practicing complete abstinence .*? 3\. males \(including those who have had a vasectomy\) must use barrier "
    r"contraception .*? 4\. males must agree not to donate semen or sperm for \d+ months after last dose of [a-z0-9-]+\. "
    r"5\. all subjects must: - understand that [a-z0-9-]+ could have a potential teratogenic risk\. - agree to abstain from donating "
    r"blood .*? - agree not to share (?:either )?study drug with another person\. 6\. other than the subject, .*? should "
    r"not handle [a-z0-9-]+ or touch the capsules, unless gloves are worn\. 7\. be counsell?ed about pregnancy precautions and "
    r"risks of fetal exposure\.?", re.IGNORECASE)
# "Cardiac arrhythmias requiring anti-arrhythmic therapy other than beta blockers or digoxin" (NCT01258608 exclusion 16)
_AA_WORDS = (r"(?:cardiac )?(?:arrhythmias?|dysrhythmias?) requiring anti-?arrhythmic (?:therapy|treatment|medications?) other "
             r"than (?:beta|b|β)[- ]?blockers? or digoxin")
_AA_ONLY = re.compile(_AA_WORDS + r"\.?", re.IGNORECASE)
# "History of cardiac disease: congestive heart failure (NYHA > 2), active coronary artery disease, cardiac arrhythmias
# requiring anti-arrhythmic therapy other than b-blockers or digoxin, uncontrolled hypertension; myocardial infarction more
# than 6 months prior to study entry is permitted" (NCT01335074 exclusion 7)
_AA_LIST = re.compile(
    r"history of cardiac disease: congestive heart failure \(nyha > ?(?:2|ii)\), active coronary artery disease, " + _AA_WORDS
    + r", uncontrolled hypertension; myocardial infarction more than (?P<m>\d+) months prior to (?:study entry|enrol(?:l)?ment"
    r"|registration) is permitted\.?", re.IGNORECASE)
# "Unstable coronary artery disease or recent myocardial infarct (i.e. within 1 year)." (NCT02460991 exclusion 8)
_UNSTABLE_CAD = re.compile(r"unstable coronary (?:artery|heart) disease,? or recent myocardial infarct(?:ion)? \((?:i\.e\.,?|ie,?) "
                           r"within (?P<n>\d+|one|two) years?\)\.?", re.IGNORECASE)
# "No ongoing cardiac dysrhythmias of NCI CTCAE grade >= 2, atrial fibrillation of any grade, prolongation of QTc > 500 msec on
# screening electrocardiogram (ECG), or history of familial long QT syndrome" (NCT01005199 inclusion 28)
_RHYTHM_LIST = re.compile(
    r"no ongoing cardiac dysrhythmias of (?:nci )?ctcae grade (?:≥|>=) ?2, atrial fibrillation of any grade, prolongation of "
    r"(?:the )?qtc(?: interval)? > ?(?P<q>\d+) ?(?:msec|ms) on screening electrocardiogram(?: \(ecg\))?,? or history of "
    r"(?:familial|congenital) long qt syndrome\.?", re.IGNORECASE)
#: rapamycin (sirolimus) and its analogues, the "rapamycins" (rapalogs)
_RAPALOGS = ["everolimus", "sirolimus", "temsirolimus", "ridaforolimus", "zotarolimus"]


def read_cardiopulmonary_criterion(text: str, role: str | None) -> Node | None:
    """The rule of one of the whole wordings of the module docstring, else ``None``."""
    spaced = _spaced(text)
    if role == "inclusion" and (_TWO_TESTS.fullmatch(spaced) or _PPRMP.fullmatch(spaced)):
        # pregnancy tests, contraception and the other undertakings of a pregnancy-prevention plan: the site's checks
        return Administrative(category="contraception")
    m = _RHYTHM_LIST.fullmatch(spaced) if role == "inclusion" else None
    if m is not None:
        # "ongoing": present now, kept in check or not (a rate-controlled atrial fibrillation is ongoing; CTCAE grade 2 is
        # "non-urgent medical intervention indicated"); the QTc of the screening ECG; familial long QT syndrome is lifelong
        return Not(child=AnyOf(children=[
            HistoryCondition(codes=["arrhythmia", "ventricular_arrhythmia"], status="current", min_grade=2,
                             label="ongoing cardiac dysrhythmias of CTCAE grade >= 2"),
            HistoryCondition(codes=["atrial_fibrillation"], status="current", label="atrial fibrillation of any grade"),
            LabThreshold(analyte="qtc", comparator=">", value=float(m.group("q")), unit="ms", label="QTc prolongation"),
            HistoryCondition(codes=["long_qt_syndrome"], status="ever", label="familial long QT syndrome")]))
    if role != "exclusion":
        return None
    m = _LUNG.fullmatch(spaced)
    if m is not None:
        code, label = ("asthma", "asthma") if m.group("asthma") else ("copd", "chronic obstructive pulmonary disease")
        # a chronic disease named bare, or "evidence of" it: the one the patient has now (active or controlled)
        return HistoryCondition(codes=[code], status="current", label=label)
    if _CARDIAC_HISTORY.fullmatch(spaced):
        return HistoryCondition(codes=["cardiac_disease"], status="ever", label="history of cardiac disease")
    if _CNS_TUMOURS.fullmatch(spaced):
        return AnyOf(children=[TumourFeature(feature="cns_metastasis"),
                               HistoryCondition(codes=["cns_tumour"], status="current", label="central nervous system tumour")])
    if _HF_OR_SIGNIFICANT.fullmatch(spaced):
        return AnyOf(children=[
            HeartFailureNyha(min_class=2, label="heart failure greater than NYHA class I"),
            HistoryCondition(codes=["cardiovascular_disease"], status="current",
                             label="other clinically significant cardiac abnormalities, stable ones included"),
            HistoryCondition(codes=["myocardial_infarction"], status="ever", label="history of myocardial infarction")])
    if _PREGNANCY_PLAN.fullmatch(spaced):
        # the plan to conceive (or father children) is the patient's declaration, checked at the site like the
        # contraception agreement; pregnancy and breastfeeding are in the record
        return AnyOf(children=[Pregnancy(), Administrative(category="contraception")])
    if _NCI_PREGNANCY.fullmatch(spaced):
        # pregnancy excludes; a breastfeeding mother may take part if she stops (her undertaking, checked at the site)
        return AnyOf(children=[Pregnancy(include_lactation=False), Administrative(category="contraception")])
    m = _UNSTABLE_CAD.fullmatch(spaced)
    if m is not None:
        years = {"one": 1, "two": 2}.get(m.group("n").lower()) or int(m.group("n"))
        return AnyOf(children=[
            HistoryCondition(codes=["unstable_coronary_artery_disease"], status="current",
                             label="unstable coronary artery disease"),
            HistoryCondition(codes=["myocardial_infarction"], status="ever", look_back_days=365 * years,
                             label="recent myocardial infarct")])
    if _AA_ONLY.fullmatch(spaced):
        return _arrhythmia_not_bb_digoxin(spaced)
    m = _AA_LIST.fullmatch(spaced)
    if m is not None:
        # the permitted old infarction says that a recent one (within the months named) is the active coronary disease
        # the list excludes
        return AnyOf(children=[
            # under "History of": heart failure of class III or IV at any time (a lower class today is unknown)
            HistoryCondition(codes=["heart_failure"], status="ever", min_nyha_class=3, label="congestive heart failure (NYHA > 2)"),
            HistoryCondition(codes=["coronary_artery_disease"], status="active", label="active coronary artery disease"),
            HistoryCondition(codes=["myocardial_infarction"], status="ever", look_back_days=int(m.group("m")) * 30,
                             label="myocardial infarction"),
            _arrhythmia_not_bb_digoxin("cardiac arrhythmias requiring anti-arrhythmic therapy other than b-blockers or digoxin"),
            HistoryCondition(codes=["uncontrolled_hypertension"], status="active", label="uncontrolled hypertension")])
    if _RAPAMYCINS.fullmatch(spaced):
        return Allergy(agents=list(_RAPALOGS), related=True)
    return None


def _arrhythmia_not_bb_digoxin(label: str) -> Node:
    """An arrhythmia that needs drug treatment now, treated with an anti-arrhythmic other than a beta blocker or digoxin
    (the drug the patient takes shows which therapy the arrhythmia requires; the medication vocabulary's class
    ``antiarrhythmic_not_bb_digoxin``: amiodarone, dronedarone, class I drugs ...; a calcium-channel blocker or sotalol is
    a possible member, unknown)."""
    return AllOf(children=[
        HistoryCondition(codes=["arrhythmia"], status="active", requires_systemic_treatment=True, label=label),
        Medication(classes=["antiarrhythmic_not_bb_digoxin"], label="anti-arrhythmic therapy other than beta blockers or digoxin")])


_HISTORY_SYMPTOMATIC_HF = re.compile(
    r"(?:a\s+)?(?:history|hx)\s+of\s+symptomatic\s+(?:congestive\s+|chronic\s+)?(?:heart|cardiac)\s+(?:failure|insufficiency)"
    r"(?:\s*\(chf\))?", re.IGNORECASE)


def scan_cardiopulmonary(ctx: Context) -> list[Hit]:
    """"History of symptomatic (congestive) heart failure": heart failure of NYHA class II or worse at some time."""
    return [Hit(m.start(), m.end(), HistoryCondition(codes=["heart_failure"], status="ever", min_nyha_class=2,
                                                     label=ctx.text[m.start():m.end()]),
                priority=8, family="history", windowed=True)
            for m in _HISTORY_SYMPTOMATIC_HF.finditer(ctx.lower)]
