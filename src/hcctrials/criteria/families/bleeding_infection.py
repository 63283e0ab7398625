"""Bleeding, clotting, variceal-screening and infection criteria read as a whole (issue 10, session 6).

Each pattern reads the *whole* criterion (a full match of the normalised text, or ``None``: the ordinary compiler
runs), so no word is left unread.  Scope:

* "Anti-coagulant therapy, bleeding or clotting disorder" (exclusion, NCT02989870 e16): any current anticoagulant
  (prophylactic doses are anticoagulant therapy too: the text does not say "therapeutic"), a bleeding disorder, or a
  clotting disorder.  "Clotting disorder" is read under both of its meanings at once: a disorder of coagulation
  (haemophilia, coagulopathy: the ``bleeding_disorder`` code) or a hypercoagulable state (``thrombophilia``), so
  either reading excludes the same patients.  Both disorders are read as present now (``current``): a record
  without a status leaves them unknown.
* "Patients with cirrhosis must have had esophagogastric endoscopy within the previous 6 months prior to study entry
  for the assessment of varices. If the patient has not had this done they must be willing to undergo this procedure
  prior to study entry." (inclusion, NCT01306058 i6): a patient without a recent endoscopy is admitted once it is
  done, so no patient is excluded by it: a procedure to be done at screening (``Administrative(procedure)``).
* "High risk patients must undergo an esophagogastroduodenoscopy (EGD) and all size of varices (small to large) must be
  assessed and treated per local standard of care prior to enrollment. Patients who have undergone an EGD within 6 months
  prior to initiation of study treatment do not need to repeat the procedure." (exclusion, NCT05482516 e19): the
  work-up and treatment to be done before enrolment (the untreated varices themselves are the trial's exclusion 18):
  ``Administrative(procedure)``.
* "History of Grade ≥ 2 hemoptysis (defined as ≥ 2.5 mL of bright red blood per episode) within 1 month prior to
  screening" (exclusion, NCT05482516 e12): the parenthesis is the trial's definition of the grade (the bevacizumab
  label's), so the rule is a hemoptysis of recorded grade ≥ 2 within the window (a record without a grade: unknown).
* "Hemoptysis with 6 weeks of 1st dose of study drug" (exclusion, NCT01012362 e14): "with" is a typing error for
  "within" (no other reading gives the number of weeks a meaning): any hemoptysis within the window.
* "No active infection not controlled effectively with antimicrobial or antiviral therapy" (exclusion, NCT01348503
  e11): an infection not controlled by its treatment is an uncontrolled infection, recorded ``active`` (an infection
  recorded ``controlled`` is not); the "No" of a requirement written in the exclusion list is the author's wording
  of the exclusion (compiler/compile.py ``_REQUIREMENT_WORDING``).
* "Patients with clinically significant gastrointestinal bleeding with 30 days prior to study entry or on oral anti-vitamin
  K medication (except low dose coumarin, i.e. INR outside the therapeutic range of 2.0 to 3.0)" (exclusion, NCT01335074
  e11): a GI bleed within 30 days ("with" for "within"), or a vitamin K antagonist taken now with an INR inside 2.0-3.0;
  the exception is defined by the text itself ("i.e."): an INR outside that range is the excepted low dose, as written.
* "Uncontrolled intercurrent illness including, but not limited to, ongoing or active infection." (exclusion, NCT03511222
  e5): the named example is a rule (an infection the patient has now, active or on treatment: ``current``); the open
  class beyond it ("uncontrolled intercurrent illness" of any other kind) names no condition the record could hold: the
  investigator's judgement (``Administrative``), listed beside it.
* "Combined with AIDS or syphilis;" (exclusion, NCT04011033 e5; "combined with" renders 合并, having it now): AIDS
  (code ``aids``: the syndrome, not every HIV infection; an HIV-negative patient has none) or a current syphilis
  (code ``syphilis``; one recorded ``resolved`` after treatment is not current).
"""

from __future__ import annotations

import re

from hcctrials.model.eligibility import Administrative, AllOf, AnyOf, HistoryCondition, LabThreshold, Medication, Node

__all__ = ["read_bleeding_infection_criterion"]

_ANTICOAGULANT_BLEEDING_CLOTTING = re.compile(
    r"(?:current\s+)?anti-?coagula(?:nt|tion)\s+(?:therapy|treatment),\s*(?:a\s+)?bleeding\s+(?:or|and/or)\s+"
    r"(?:a\s+)?clotting\s+disorders?\.?")

_EGD_OR_WILLING = re.compile(
    r"patients with cirrhosis must have had (?:an\s+)?(?:o?esophagogastric endoscopy|o?esophagogastroduodenoscopy"
    r"|upper (?:gi|gastrointestinal) endoscopy|endoscopy)(?:\s*\((?:egd|ogd)\))? within the (?:previous|past|last) "
    r"\d+ (?:months?|weeks?) (?:prior to|before) (?:study entry|enrol(?:l)?ment|registration) for the assessment of varices\.?\s*"
    r"if the patient has not had this done,? (?:they|he or she|the patient) must be willing to undergo this procedure "
    r"(?:prior to|before) (?:study entry|enrol(?:l)?ment|registration)\.?")

_EGD_AND_TREAT_VARICES = re.compile(
    r"high[- ]risk patients must undergo an? (?:o?esophagogastroduodenoscopy \(egd\)|egd|upper endoscopy) and all sizes? of "
    r"varices \(small to large\) must be assessed and treated per local standard of care (?:prior to|before) enrol(?:l)?ment\.?\s*"
    r"patients who have undergone an? (?:egd|endoscopy) within (?:the )?\d+ months? (?:prior to|before) (?:initiation of study "
    r"treatment|enrol(?:l)?ment|the first dose) do not need to repeat the procedure\.?")

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}

_GRADED_HEMOPTYSIS_DEFINED = re.compile(
    r"(?:history of )?grade\s*(?:≥|>=)\s*(?P<g>[1-4]) ha?emoptysis\s*\(defined as\s*(?:≥|>=)\s*2\.5\s*ml of bright red blood "
    r"per episode\)\s*within (?:the (?:past|last) )?(?P<n>\d+|one|two|three|four|six) (?P<u>day|week|month)s? "
    r"(?:prior to|before) (?:screening|randomi[sz]ation|enrol(?:l)?ment|the first dose(?: of study (?:drug|treatment))?)\.?")

_HEMOPTYSIS_WITH_WEEKS = re.compile(
    r"ha?emoptysis with (?P<n>\d+|one|two|three|four|six) (?P<u>day|week|month)s? of (?:the )?(?:1st|first) dose of "
    r"(?:the )?study (?:drug|treatment)\.?")

_GI_BLEED_OR_VKA = re.compile(
    r"(?:patients with )?clinically significant (?:gastrointestinal|gi) bleeding with(?:in)? (?P<n>\d+) days (?:prior to|before) "
    r"(?:study entry|enrol(?:l)?ment|randomi[sz]ation) or on oral anti-?vitamin k medication \(except low[- ]dose coumarins?, "
    r"i\.e\.,? inr outside the therapeutic range of (?P<lo>\d(?:\.\d)?) to (?P<hi>\d(?:\.\d)?)\)\.?")

_COMBINED_AIDS_SYPHILIS = re.compile(
    r"(?:patients? )?(?:combined|complicated|co-?existing) with (?:acquired immunodeficiency syndrome \(aids\)|aids) or "
    r"syphilis[;.]?")

_INTERCURRENT_ILLNESS_INFECTION = re.compile(
    r"uncontrolled intercurrent illness including,? but not limited to,? (?:an? )?(?:ongoing or active|active or ongoing) "
    r"infections?\.?")

_INFECTION_NOT_CONTROLLED = re.compile(
    r"(?:no\s+)?active infections? (?:that is |which is )?not (?:effectively )?controlled (?:effectively )?(?:with|by) "
    r"(?:antimicrobial|antibiotic)(?: or antiviral)? (?:therapy|treatment)\.?")


def _spaced(text: str) -> str:
    from hcctrials.criteria.text.normalise import normalise_text

    return re.sub(r"\s+", " ", normalise_text(text).lower()).strip()


def _days(m: re.Match[str]) -> int:
    n = m.group("n")
    return (int(n) if n.isdigit() else _NUMBER_WORDS[n]) * _UNIT_DAYS[m.group("u")]


def read_bleeding_infection_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of a criterion of the module docstring, else ``None``."""
    spaced = _spaced(text)
    if role == "exclusion" and _ANTICOAGULANT_BLEEDING_CLOTTING.fullmatch(spaced):
        return AnyOf(children=[
            Medication(classes=["anticoagulant"], label="anti-coagulant therapy"),
            HistoryCondition(codes=["bleeding_disorder", "thrombophilia"], status="current",
                             label="bleeding or clotting disorder"),
        ])
    if role == "inclusion" and _EGD_OR_WILLING.fullmatch(spaced) or role in ("inclusion", "exclusion") and \
            _EGD_AND_TREAT_VARICES.fullmatch(spaced):
        return Administrative(category="procedure")
    if role == "exclusion":
        m = _GRADED_HEMOPTYSIS_DEFINED.fullmatch(spaced)
        if m:
            return HistoryCondition(codes=["hemoptysis"], status="ever", look_back_days=_days(m), min_grade=int(m.group("g")),
                                    label="hemoptysis")
        m = _HEMOPTYSIS_WITH_WEEKS.fullmatch(spaced)
        if m:
            return HistoryCondition(codes=["hemoptysis"], status="ever", look_back_days=_days(m), label="hemoptysis")
        m = _GI_BLEED_OR_VKA.fullmatch(spaced)
        if m:
            return AnyOf(children=[
                HistoryCondition(codes=["gi_bleeding"], status="ever", look_back_days=int(m.group("n")),
                                 label="clinically significant gastrointestinal bleeding"),
                AllOf(children=[Medication(classes=["vitamin_k_antagonist"], label="oral anti-vitamin K medication"),
                                LabThreshold(analyte="inr", comparator=">=", value=float(m.group("lo"))),
                                LabThreshold(analyte="inr", comparator="<=", value=float(m.group("hi")))]),
            ])
        if _COMBINED_AIDS_SYPHILIS.fullmatch(spaced):
            return AnyOf(children=[HistoryCondition(codes=["aids"], status="current", label="AIDS"),
                                   HistoryCondition(codes=["syphilis"], status="current", label="syphilis")])
        if _INTERCURRENT_ILLNESS_INFECTION.fullmatch(spaced):
            return AnyOf(children=[HistoryCondition(codes=["infection", "severe_infection"], status="current",
                                                    label="ongoing or active infection"),
                                   Administrative(category="investigator_judgement")])
        if _INFECTION_NOT_CONTROLLED.fullmatch(spaced):
            return HistoryCondition(codes=["infection", "severe_infection"], status="active",
                                    label="active infection not controlled (uncontrolled infection)")
    return None
