"""Whole-criterion readers for concomitant medications, trial participation and therapy intervals (issue 10, session 6).

Each reader matches the *whole* text of a criterion (after ``normalise_text``, lower case, spaces squashed), so no
word is left unread; any other text returns ``None`` and the sentence scanners run as before.  Tried by
:func:`hcctrials.criteria.compiler.compile.compile_criterion` next to :mod:`.therapy_readers`.  Pure.

Trial participation (exclusion lists).  As for the criteria already read ("Participation in another clinical
trial within the past 28 days"), taking part in another interventional trial is read from the therapy lines
recorded as investigational (``TherapyLine.investigational``; an investigational device is a line of kind
``other``): the patient record holds no enrolment of its own.  A line whose investigational status is not
recorded leaves the rule unknown.

* "Concurrent participation in another clinical trial involving experimental treatment", "Current enrolment in
  any other investigational drug or device study": an investigational line taken now.
* "Participation in a clinical trial of an investigational device or drug within 4 weeks of study entry",
  "Concomitant therapy with other investigational agents or participation in another clinical trial within
  3 months of signature of ICF" (concomitant use is within the window too): an investigational line within the
  window (a month is 30 days, as everywhere in the compiler).
* "Subject is currently enrolled in or has not yet completed at least 30 days since ending other investigational
  device or drug study(s) or subject is receiving other investigational agents": an investigational line taken now
  or ended less than 30 days ago (within 29 days).
* "No participation in concurrent clinical trials", "No use of any other experimental drug or therapy within 28 days
  of baseline" (exclusion lists: an exclusion worded as a requirement loses its negation, as everywhere in the
  compiler): an investigational line taken now / within the window.
* "Prior use of systemic investigational agents for HCC": a systemic line recorded as investigational, ever.
* "Receiving any other investigational agents within 21 days or 5 half-lives (whichever is shorter) prior to the
  first dose of study drug", "Prior anti-cancer therapy given within 21 days or 5 half-lives (whichever is shorter)":
  the shorter window (``PriorTherapy.whichever_shorter``).

Medications (:class:`~hcctrials.model.eligibility.Medication`, vocabulary in :mod:`.medications`).

* "Has a diagnosis of immunodeficiency or is receiving systemic steroid therapy or any other form of
  immunosuppressive therapy within 7 days prior to the first dose of study drug" (the KEYNOTE wording): a
  diagnosis of immunodeficiency (ever), or a systemic corticosteroid, or an immunosuppressant, taken within the
  window.
* "Medical condition that requires chronic systemic steroid therapy, or any other form of immunosuppressive
  medication": chronic (>= 90 days) systemic corticosteroids, or an immunosuppressant taken now.
* "No requirement for anticoagulant therapy except for low-dose anticoagulants for maintenance of patency of
  central venous access or prevention of deep vein thrombosis" (inclusion): no anticoagulant at therapeutic
  intent (``ConcomitantMedication.intent``: 'prophylactic' is exactly the low-dose use the exception names; an
  anticoagulant of unrecorded intent is unknown).
* "Chronic therapy with nonsteroidal anti-inflammatory agents or other anti-platelet agents. Aspirin at doses up
  to 100 milligrams/day is permitted." (REACH-2): chronic NSAIDs or antiplatelets other than aspirin, or chronic
  aspirin above the permitted daily dose (a dose not recorded is unknown).
* "No concurrent strong CYP3A4 inducers*, including any of the following: - Carbamazepine - Continuous dexamethasone
  (> 2 mg/day for > 7 days) - ... NOTE: *Concurrent antacids allowed provided ...": see :func:`_cyp_list`.
* "Using and unable to discontinue use of concomitant strong CYP3A4 inducers (e.g., ...)": see
  :func:`_cyp_unable_to_stop` (``ConcomitantMedication.can_stop``).
* "No other concurrent antidepressant medications or psychostimulants" (inclusion): none taken now.
* "Previous use of pentamidine with treatment discontinuation of less than 6 months prior to signature of ICF":
  pentamidine taken within 6 months.
* "Blood or albumin transfusion within <= 14 days prior to the screening test": red cells / whole blood (a platelet
  or plasma transfusion may be meant too: unknown) or albumin within the window.
* "Patients administered with serum albumin within the last 7 days prior to the first study drug administration":
  albumin within the window.
* "Has received a live vaccine within 30 days prior to the first dose of study drug.  Examples of live vaccines
  include ... Seasonal influenza vaccines for injection ... are allowed; however, intranasal influenza vaccines
  (e.g. FluMist) are live attenuated vaccines and are not allowed." (KEYNOTE): the examples and the influenza note
  spell out what a live vaccine is, so the criterion is the live-vaccine history item in the window, as its first
  sentence alone is read by :mod:`.history`.

A monitoring note in an exclusion list ("Patients taking medications with a narrow therapeutic index including warfarin,
... are not excluded but should be monitored carefully.") excludes no one: ``Administrative`` (permissive).

Prior therapy (:class:`~hcctrials.model.eligibility.PriorTherapy`).

* "No concurrent anticancer drugs (e.g., bevacizumab, and any drugs that target VEGF or VEGF receptors)"
  (inclusion): the examples are members of the class, so no systemic anticancer line taken now.
* "Prior chemotherapy, transarterial chemoembolization and radiofrequency ablation are permitted.  A minimum of
  four weeks must have elapsed between prior treatment and planned protocol therapy." (inclusion): no anticancer
  treatment of any kind within the last 27 days (the permission admits the treatments; the interval is the rule).
* "Prior systemic chemotherapy, immunotherapy, or biological therapy is allowed; however prior use of either
  pazopanib or ixabepilone alone or in combination is not allowed." (inclusion): neither named drug ever.
* "At least 14 days must have elapsed since 1) previous systemic therapy (28 days for bevacizumab) ..., 2) last dose of
  radiation therapy or surgery (28 days for major surgery)." (inclusion): see :func:`_elapsed_since_list`.
* "Has received locoregional therapy to liver (transcatheter chemoembolization [TACE], ..., radiation, radioembolization,
  or ablation) within 4 weeks prior to the first dose of study drug." (exclusion): see :func:`_liver_local_window`.
* "Prior exposure to an anti-IGF-1R class compound" (exclusion): an agent of the class (:data:`_ANTI_IGF1R`).
"""

from __future__ import annotations

import re

from hcctrials.model.eligibility import (
    Administrative, AllOf, AnyOf, HistoryCondition, Medication, Node, Not, PriorTherapy, TherapyKind,
)

__all__ = ["read_medication_criterion"]

_N = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "twelve": 12}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _N[word]


def _days(n: str, unit: str) -> int:
    return _number(n) * _UNIT_DAYS[unit.rstrip("s")]


def _label(text: str) -> str:
    return " ".join(text.split()).rstrip(".;")


_NUM = r"(?P<n>\d{1,3}|one|two|three|four|five|six|eight|twelve)"
_UNIT = r"(?P<u>days?|weeks?|months?)"
_ANCHOR = (r"(?:the\s+)?(?:study\s+entry|entry|enrol{1,2}ment|registration|randomi[sz]ation|signature\s+of\s+(?:the\s+)?icf"
           r"|signing\s+(?:of\s+)?(?:the\s+)?(?:informed\s+consent(?:\s+form)?|icf)"
           r"|(?:the\s+)?first\s+dose\s+of\s+(?:the\s+)?(?:study|trial)\s+(?:drug|treatment|medication)"
           r"|(?:the\s+)?first\s+(?:study|trial)\s+drug\s+administration)")

# ------------------------------------------------------------------ trial participation
_TRIAL_NOW = re.compile(
    r"(?:concurrent|current)\s+participation\s+in\s+(?:another|any\s+other)\s+clinical\s+(?:trial|study)\s+involving\s+"
    r"(?:an?\s+)?(?:experimental|investigational)\s+(?:treatments?|therap(?:y|ies)|drugs?|agents?)\s*[.;]?"
    r"|current(?:ly)?\s+enrol{1,2}ment\s+in\s+(?:any\s+)?(?:other|another)\s+investigational\s+(?:drug|agent)"
    r"(?:\s+or\s+device)?\s+(?:study|trial)\s*[.;]?")
_TRIAL_WINDOW = re.compile(
    rf"participation\s+in\s+(?:a|another|any\s+other)\s+clinical\s+(?:trial|study)\s+(?:of|with)\s+an?\s+investigational\s+"
    rf"(?:device\s+or\s+drug|drug\s+or\s+device|drug|agent)\s+within\s+{_NUM}\s+{_UNIT}\s+(?:of|prior\s+to|before)\s+"
    rf"{_ANCHOR}\s*[.;]?")
_TRIAL_OR_CONCOMITANT = re.compile(
    rf"concomitant\s+therapy\s+with\s+(?:any\s+)?other\s+investigational\s+agents\s+or\s+participation\s+in\s+another\s+"
    rf"clinical\s+(?:trial|study)\s+within\s+{_NUM}\s+{_UNIT}\s+(?:of|prior\s+to|before)\s+{_ANCHOR}\s*[.;]?")
_TRIAL_ENDED = re.compile(
    r"(?:the\s+)?(?:subject|patient|participant)\s+is\s+currently\s+enrol{1,2}ed\s+in\s+or\s+has\s+not\s+yet\s+completed\s+"
    r"at\s+least\s+(?P<n>\d{1,3})\s+days\s+since\s+ending\s+other\s+investigational\s+(?:device\s+or\s+drug|drug\s+or\s+device)"
    r"\s+stud(?:y|ies)(?:\s*\(s\))?\s+or\s+(?:the\s+)?(?:subject|patient|participant)\s+is\s+receiving\s+other\s+"
    r"investigational\s+agents\s*\.?")
# an exclusion worded as a requirement ("No ...") loses its negation, as everywhere in the compiler (compile.py)
_NO_TRIAL_NOW = re.compile(r"no\s+participation\s+in\s+(?:any\s+)?(?:other\s+)?concurrent\s+clinical\s+(?:trials|studies)\s*\.?")
_NO_EXPERIMENTAL_WINDOW = re.compile(
    rf"no\s+use\s+of\s+any\s+other\s+(?:experimental|investigational)\s+drugs?\s+or\s+therap(?:y|ies)\s+within\s+{_NUM}\s+"
    rf"{_UNIT}\s+(?:of|before|prior\s+to)\s+(?:(?:the\s+)?baseline|{_ANCHOR})\s*\.?")
_PRIOR_INVESTIGATIONAL = re.compile(
    r"prior\s+use\s+of\s+(?P<sys>systemic\s+)?investigational\s+(?:agents|drugs)\s+for\s+(?:hcc|hepatocellular\s+carcinoma)"
    r"\s*\.?")


def _trial(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    label = _label(text)
    if _TRIAL_NOW.fullmatch(spaced) or _NO_TRIAL_NOW.fullmatch(spaced):
        return PriorTherapy(investigational=True, within_days=0, label=label)
    m = _TRIAL_WINDOW.fullmatch(spaced) or _TRIAL_OR_CONCOMITANT.fullmatch(spaced) or \
        _NO_EXPERIMENTAL_WINDOW.fullmatch(spaced)
    if m:
        return PriorTherapy(investigational=True, within_days=_days(m.group("n"), m.group("u")), label=label)
    m = _TRIAL_ENDED.fullmatch(spaced)
    if m:
        return PriorTherapy(investigational=True, within_days=int(m.group("n")) - 1, label=label)
    m = _PRIOR_INVESTIGATIONAL.fullmatch(spaced)
    if m:
        return PriorTherapy(investigational=True, kinds=["systemic"] if m.group("sys") else [], label=label)
    return None


# ------------------------------------------------------------------ steroids and immunosuppressants
_IMMUNODEFICIENCY_OR_STEROIDS = re.compile(
    rf"(?:has\s+)?(?:a\s+)?diagnosis\s+of\s+immunodeficiency\s+or\s+(?:is\s+)?receiving\s+systemic\s+steroid\s+therapy\s+or\s+"
    rf"any\s+other\s+form\s+of\s+immunosuppressive\s+therapy\s+within\s+{_NUM}\s+{_UNIT}\s+(?:prior\s+to|before|of)\s+"
    rf"{_ANCHOR}\s*\.?")
_CONDITION_STEROIDS = re.compile(
    r"(?:a\s+)?(?:medical\s+)?condition\s+(?:that|which)\s+requires\s+chronic\s+systemic\s+(?:cortico)?steroid\s+therapy\s*,?\s+"
    r"or\s+any\s+other\s+form\s+of\s+immunosuppressive\s+(?:medication|therapy)\s*\.?")


def _steroids(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    label = _label(text)
    m = _IMMUNODEFICIENCY_OR_STEROIDS.fullmatch(spaced)
    if m:
        days = _days(m.group("n"), m.group("u"))
        return AnyOf(children=[
            HistoryCondition(codes=["immunodeficiency"], status="ever", label=label),
            Medication(classes=["corticosteroid"], systemic_only=True, within_days=days, label=label),
            Medication(classes=["immunosuppressant"], within_days=days, label=label)])
    if _CONDITION_STEROIDS.fullmatch(spaced):
        return AnyOf(children=[
            Medication(classes=["corticosteroid"], systemic_only=True, chronic=True, label=label),
            Medication(classes=["immunosuppressant"], label=label)])
    return None


# ------------------------------------------------------------------ anticoagulants, NSAIDs and antiplatelets
_ANTICOAG_EXCEPT_LOW_DOSE = re.compile(
    r"no\s+requirement\s+for\s+anti-?coagula(?:nt|tion)\s+therapy\s+except\s+(?:for\s+)?low-?\s?dose\s+anti-?coagulants?\s+"
    r"for\s+(?:the\s+)?maintenance\s+of\s+(?:the\s+)?patency\s+of\s+(?:a\s+)?central\s+venous\s+(?:access|catheters?|lines?)"
    r"(?:\s+devices?)?\s+or\s+(?:the\s+)?prevention\s+of\s+deep\s+vein\s+thrombosis\s*\.?")
_NSAID_ANTIPLATELET = re.compile(
    r"chronic\s+(?:therapy|treatment)\s+with\s+(?:nonsteroidal|non-steroidal)\s+anti-?\s?inflammatory\s+(?:agents|drugs)"
    r"(?:\s*\(nsaids?\))?\s+or\s+other\s+anti-?platelet\s+agents\s*\.\s*aspirin\s+at\s+doses?\s+up\s+to\s+(?P<dose>\d{2,3})\s*"
    r"(?:milligrams?|mg)\s*/\s*day\s+(?:is|are)\s+permitted\s*\.?")


def _antithrombotics(spaced: str, text: str, role: str | None) -> Node | None:
    label = _label(text)
    if role == "inclusion" and _ANTICOAG_EXCEPT_LOW_DOSE.fullmatch(spaced):
        return Not(child=Medication(classes=["anticoagulant"], therapeutic_only=True,
                                    label=label))
    m = _NSAID_ANTIPLATELET.fullmatch(spaced) if role == "exclusion" else None
    if m:
        return AnyOf(children=[
            Medication(classes=["nsaid", "antiplatelet"], chronic=True, except_agents=["aspirin"],
                       label=label),
            Medication(agents=["aspirin"], chronic=True, dose_above_mg_per_day=float(m.group("dose")),
                       label=label)])
    return None


# ------------------------------------------------------------------ strong CYP3A4 inducers / inhibitors with a bullet list
_CYP_LIST = re.compile(
    r"no\s+concurrent\s+strong\s+cyp\s?3a4\s+(?P<k>inducers|inhibitors)\s*x?\s*,?\s+including\s+any\s+of\s+the\s+following\s*:"
    r"\s*(?P<body>-\s.*?)(?:\s+note\s*:\s*x?\s*concurrent\s+antacids\s+(?:are\s+)?allowed\s+provided\s+(?:that\s+)?they\s+are\s+"
    r"administered\s+>\s*1\s+hours?\s+before\s+or\s+>\s*1\s+hours?\s+after\s+(?:the\s+)?(?:trial|study)\s+drug\s+"
    r"administration\s*\.?)?")
_CONTINUOUS_DEXAMETHASONE = re.compile(
    r"continuous\s+dexamethasone\s*\(\s*>\s*(?P<dose>\d{1,2}(?:\.\d)?)\s*mg\s*/\s*day\s+for\s+>\s*(?P<days>\d{1,2})\s+days\s*\)")


def _cyp_list(spaced: str, text: str, role: str | None) -> Node | None:
    """"No concurrent strong CYP3A4 inducers*, including any of the following: - Carbamazepine - Continuous
    dexamethasone (> 2 mg/day for > 7 days) - Phenobarbital ... NOTE: *Concurrent antacids allowed provided they are
    administered > 1 hour before or > 1 hour after trial drug administration." (inclusion): no strong inducer
    (inhibitor) taken now, the listed drugs counting as such (phenobarbital, whose strength varies between tables,
    counts because the trial lists it); dexamethasone only when taken continuously above the dose and for longer than
    the period.  The note sets the timing of antacids during the trial and restricts no one at screening."""
    if role != "inclusion":
        return None
    m = _CYP_LIST.fullmatch(spaced)
    if m is None:
        return None
    from hcctrials.criteria.families.medications import medication_tags

    agents: list[str] = []
    dexamethasone: re.Match[str] | None = None
    for item in (i.strip() for i in m.group("body").split(" - ")):
        item = item.lstrip("- ").strip().rstrip(",;.")
        dex = _CONTINUOUS_DEXAMETHASONE.fullmatch(item)
        if dex:
            dexamethasone = dex
            continue
        tid = medication_tags(item)[0]
        if tid is None or tid == "grapefruit":
            return None
        agents.append(tid)
    cls = "strong_cyp3a4_inducer" if m.group("k") == "inducers" else "strong_cyp3a4_inhibitor"
    label = _label(text)
    listed = Medication(classes=[cls], agents=agents, except_agents=["dexamethasone"] if dexamethasone else [],
                        label=label)
    if dexamethasone is None:
        return Not(child=listed)
    dex_node = Medication(agents=["dexamethasone"], dose_above_mg_per_day=float(dexamethasone.group("dose")),
                          min_days_on=int(dexamethasone.group("days")), label=label)
    return Not(child=AnyOf(children=[listed, dex_node]))


_UNABLE_TO_STOP_CYP = re.compile(
    r"(?:using|taking)\s+and\s+unable\s+to\s+(?:discontinue|stop)(?:\s+(?:the\s+)?use\s+of)?\s+(?:concomitant\s+)?"
    r"strong\s+cyp\s?3a4\s+(?P<k>inducers|inhibitors)\s*\(\s*(?:e\.\s?g\.?,?\s*)?(?:including\s+)?(?:but\s+not\s+limited\s+"
    r"to\s+)?(?P<body>[^()]+)\)\s*\.?")


def _cyp_unable_to_stop(spaced: str, text: str, role: str | None) -> Node | None:
    """"Using and unable to discontinue use of concomitant strong CYP3A4 inducers (e.g., including but not limited to
    St. John's Wort, dexamethasone, phenytoin, carbamazepine, rifampin, rifabutin, phenobarbital)" (exclusion): a strong
    inducer (or one the examples name) taken now that cannot be stopped (``ConcomitantMedication.can_stop`` false;
    not assessed: unknown)."""
    if role != "exclusion":
        return None
    m = _UNABLE_TO_STOP_CYP.fullmatch(spaced)
    if m is None:
        return None
    from hcctrials.criteria.families.medications import medication_tags

    agents: list[str] = []
    for item in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group("body").strip().rstrip(".")):
        tid = medication_tags(item)[0] if item else None
        if tid is None or tid == "grapefruit":
            return None
        agents.append(tid)
    cls = "strong_cyp3a4_inducer" if m.group("k") == "inducers" else "strong_cyp3a4_inhibitor"
    return Medication(classes=[cls], agents=agents, unable_to_stop=True, label=_label(text))


# "Patients taking medications with a narrow therapeutic index including warfarin, digoxin, phenobarbital,
# carbamazepine, and cyclosporine are not excluded but should be monitored carefully." (NCT03253289 exclusion 3): a
# monitoring note that says outright the patients are not excluded; it excludes no one
_NOT_EXCLUDED_MONITORED = re.compile(
    r"(?:patients?|subjects?)\s+(?:taking|receiving|on)\s+(?:medications?|drugs?)\s+with\s+a\s+narrow\s+therapeutic\s+"
    r"(?:index|window|range)(?:\s*,?\s+(?:including|such\s+as)\s+[a-z ,]+?)?,?\s+are\s+not\s+excluded\s+but\s+should\s+"
    r"be\s+monitored(?:\s+(?:carefully|closely))?\s*\.?")


def _monitoring_note(spaced: str, text: str, role: str | None) -> Node | None:
    if role == "exclusion" and _NOT_EXCLUDED_MONITORED.fullmatch(spaced):
        return Administrative(category="permissive")
    return None


# ------------------------------------------------------------------ antidepressants and psychostimulants
_ANTIDEPRESSANTS = re.compile(
    r"no\s+(?:other\s+)?concurrent\s+antidepressant\s+(?:medications|drugs|agents)\s+or\s+psychostimulants\s*\.?")


def _psychotropics(spaced: str, text: str, role: str | None) -> Node | None:
    """"No other concurrent antidepressant medications or psychostimulants" (inclusion): none taken now ("other"
    sets the study drug apart, which a screening record does not hold)."""
    if role != "inclusion" or not _ANTIDEPRESSANTS.fullmatch(spaced):
        return None
    return Not(child=Medication(classes=["antidepressant", "psychostimulant"], label=_label(text)))


# ------------------------------------------------------------------ pentamidine, transfusions, albumin
_PENTAMIDINE = re.compile(
    rf"previous\s+use\s+of\s+pentamidine\s+with\s+treatment\s+discontinuation\s+(?:of\s+)?less\s+than\s+{_NUM}\s+{_UNIT}\s+"
    rf"(?:prior\s+to|before)\s+{_ANCHOR}\s*\.?")
_TRANSFUSION = re.compile(
    rf"(?P<what>blood\s+or\s+albumin|albumin\s+or\s+blood)\s+transfusions?\s+within\s+(?:≤|<=)?\s*{_NUM}\s*{_UNIT}\s+"
    rf"(?:prior\s+to|before)\s+(?:the\s+)?screening(?:\s+(?:tests?|visit|laboratory\s+tests?))?\s*\.?")
_ALBUMIN = re.compile(
    rf"(?:patients?|subjects?)\s+(?:administered|treated|given)\s+with\s+(?:serum\s+|human\s+)?albumin\s+within\s+the\s+"
    rf"(?:last|past)\s+{_NUM}\s+{_UNIT}\s+(?:prior\s+to|before)\s+{_ANCHOR}\s*\.?")


def _exposures(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    label = _label(text)
    m = _PENTAMIDINE.fullmatch(spaced)
    if m:
        return Medication(agents=["pentamidine"], within_days=_days(m.group("n"), m.group("u")), label=label)
    m = _TRANSFUSION.fullmatch(spaced)
    if m:
        return Medication(classes=["blood_transfusion", "albumin_infusion"], within_days=_days(m.group("n"), m.group("u")),
                          label=label)
    m = _ALBUMIN.fullmatch(spaced)
    if m:
        return Medication(classes=["albumin_infusion"], within_days=_days(m.group("n"), m.group("u")), label=label)
    return None


# ------------------------------------------------------------------ live vaccines (KEYNOTE wording with its examples)
_LIVE_VACCINE_EXAMPLES = re.compile(
    rf"(?:has\s+)?received\s+a\s+live(?:\s+attenuated)?\s+vaccines?\s+within\s+{_NUM}\s+{_UNIT}\s+(?:prior\s+to|before|of)\s+"
    rf"{_ANCHOR}\s*\.\s*examples\s+of\s+live\s+vaccines\s+include,?\s+but\s+are\s+not\s+limited\s+to,?\s+the\s+following\s*:"
    r"\s*[a-z ,/()'é-]+?vaccines?\s*\.\s*seasonal\s+influenza\s+vaccines\s+for\s+injection\s+are\s+generally\s+killed\s+"
    r"virus\s+vaccines\s+and\s+are\s+allowed\s*;\s*however,?\s+intranasal\s+influenza\s+vaccines\s*\(e\.\s?g\.?,?\s*"
    r"flu-?mist(?:®)?\)\s+are\s+live\s+attenuated\s+vaccines\s+and\s+are\s+not\s+allowed\s*\.?")


def _live_vaccine(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    m = _LIVE_VACCINE_EXAMPLES.fullmatch(spaced)
    if m is None:
        return None
    return HistoryCondition(codes=["live_vaccine"], status="ever", look_back_days=_days(m.group("n"), m.group("u")),
                            label=_label(text))


# ------------------------------------------------------------------ prior therapy
_NO_CONCURRENT_ANTICANCER = re.compile(
    r"no\s+(?:other\s+)?concurrent\s+anti-?cancer\s+(?:drugs|agents)\s*\((?:e\.\s?g\.|for\s+example|such\s+as)[^()]*\)\s*\.?")
_PERMITTED_THEN_INTERVAL = re.compile(
    r"prior\s+(?P<what>[a-z ,/-]{3,120}?)\s+(?:is|are)\s+permitted\s*\.\s*a\s+minimum\s+of\s+" + _NUM + r"\s+" + _UNIT +
    r"\s+must\s+have\s+elapsed\s+between\s+(?:the\s+)?prior\s+treatment\s+and\s+(?:the\s+)?(?:planned\s+)?protocol\s+"
    r"(?:therapy|treatment)\s*\.?")
_ALLOWED_BUT_NAMED = re.compile(
    r"prior\s+systemic\s+chemotherapy,\s+immunotherapy,?\s+or\s+biologic(?:al)?\s+therapy\s+(?:is|are)\s+allowed\s*;\s*"
    r"however,?\s+prior\s+use\s+of\s+either\s+(?P<a>[a-z][a-z-]{3,})\s+or\s+(?P<b>[a-z][a-z-]{3,})\s+alone\s+or\s+in\s+"
    r"combination\s+is\s+not\s+allowed\s*\.?")
_ANY_TREATMENT: list[TherapyKind] = ["systemic", "locoregional", "radiotherapy", "surgery"]
#: Agents of the anti-IGF-1R class (antibodies and kinase inhibitors of the insulin-like growth factor 1 receptor, as
#: named in their INN records and trial registrations; AVE1642 is NCT00791544's own antibody): none is in the therapy
#: lexicon, so a recorded agent is matched by name, and any other agent the lexicon does not know (a code name such as
#: IMC-A12) leaves the rule unknown
_ANTI_IGF1R = ["cixutumumab", "ganitumab", "figitumumab", "dalotuzumab", "robatumumab", "teprotumumab", "istiratumab",
               "ave1642", "linsitinib"]
_PRIOR_ANTI_IGF1R = re.compile(r"prior\s+(?:exposure\s+to|treatment\s+with)\s+an?\s+anti-?igf-?1r\s+class\s+compound\s*\.?")
_SHORTER_HALF_LIVES = re.compile(
    rf"(?P<what>receiving\s+any\s+other\s+investigational\s+agents|prior\s+anti-?cancer\s+therapy\s+given)\s+within\s+"
    rf"(?P<n>\d{{1,3}})\s+(?P<u>days|weeks)\s+or\s+(?P<h>\d{{1,2}})\s+half-?lives\s*\(\s*whichever\s+is\s+shorter\s*\)?"
    rf"(?:\s+(?:prior\s+to|before)\s+{_ANCHOR})?\s*\.?")


def _shorter_window(spaced: str, text: str, role: str | None) -> Node | None:
    """"Receiving any other investigational agents within 21 days or 5 half-lives (whichever is shorter) prior to the
    first dose of study drug", "Prior anti-cancer therapy given within 21 days or 5 half-lives (whichever is shorter)"
    (exclusion): a line (investigational; any anticancer treatment) taken now or ended within the shorter window
    (``PriorTherapy.whichever_shorter``: ended within the days and within k recorded half-lives; an unrecorded
    half-life, as for radiotherapy or surgery, leaves it unknown)."""
    if role != "exclusion":
        return None
    if _PRIOR_ANTI_IGF1R.fullmatch(spaced):
        return PriorTherapy(agents=list(_ANTI_IGF1R), label=_label(text))
    m = _SHORTER_HALF_LIVES.fullmatch(spaced)
    if m is None:
        return None
    investigational = m.group("what").startswith("receiving")
    return PriorTherapy(investigational=True if investigational else None,
                        kinds=[] if investigational else list(_ANY_TREATMENT),
                        within_days=_days(m.group("n"), m.group("u")), half_lives=float(m.group("h")),
                        whichever_shorter=True, label=_label(text))


# "At least 14 days must have elapsed since 1) previous systemic therapy (28 days for bevacizumab) before the 1st dose of
# study drug, 2) last dose of radiation therapy or surgery (28 days for major surgery)." (NCT01012362 inclusion 4)
_ELAPSED_SINCE_LIST = re.compile(
    r"at\s+least\s+(?P<n>\d{1,2})\s+days\s+must\s+have\s+elapsed\s+since\s+1\)\s+(?:previous|prior)\s+systemic\s+therapy\s*"
    r"\(\s*(?P<bev>\d{1,2})\s+days\s+for\s+bevacizumab\s*\)\s+before\s+the\s+(?:1st|first)\s+dose\s+of\s+(?:the\s+)?study\s+"
    r"drug\s*,\s*2\)\s+(?:the\s+)?last\s+dose\s+of\s+radiation\s+therapy\s+or\s+surgery\s*\(\s*(?P<maj>\d{1,2})\s+days\s+"
    r"for\s+major\s+surgery\s*\)\s*\.?")


def _elapsed_since_list(spaced: str, text: str) -> Node | None:
    """The two-item interval list above: no systemic line within the days (bevacizumab within its own, longer
    interval), no radiotherapy or operation within the days, no major operation within its own interval ("at least N
    days since": a line within N - 1 days fails)."""
    m = _ELAPSED_SINCE_LIST.fullmatch(spaced)
    if m is None:
        return None
    label = _label(text)
    n, bev, major = int(m.group("n")), int(m.group("bev")), int(m.group("maj"))
    return AllOf(children=[
        Not(child=PriorTherapy(kinds=["systemic"], within_days=n - 1, label=label)),
        Not(child=PriorTherapy(agents=["bevacizumab"], within_days=bev - 1, label=label)),
        Not(child=PriorTherapy(kinds=["radiotherapy", "surgery"], classes=["radiotherapy"], within_days=n - 1,
                               label=label)),
        Not(child=PriorTherapy(classes=["major_surgery"], within_days=major - 1, label=label))])


# "Has received locoregional therapy to liver (transcatheter chemoembolization [TACE], transcatheter embolization [TAE],
# hepatic arterial infusion [HAI], radiation, radioembolization, or ablation) within 4 weeks prior to the first dose of
# study drug." (KEYNOTE-224 wording, NCT02702401 exclusion 12): the list names the liver-directed modalities the class
# holds, so the rule is the one of "locoregional therapy to the liver within 4 weeks" (criteria/families/therapy.py,
# with_liver_radiotherapy): a locoregional procedure or radiotherapy given to the liver within the window
_LIVER_LOCAL_ITEM = (r"(?:transcatheter|transarterial|trans-arterial)\s+(?:chemo)?embolization\s*(?:\[\s*(?:tace|tae)\s*\])?"
                     r"|hepatic\s+arterial\s+infusion\s*(?:\[\s*hai\s*\])?|radiation|radiotherapy|radioembolization"
                     r"|(?:radiofrequency\s+|microwave\s+)?ablation")
_LIVER_LOCAL_WINDOW = re.compile(
    rf"(?:has\s+)?received\s+loco-?regional\s+therapy\s+to\s+(?:the\s+)?liver\s*\(\s*(?:{_LIVER_LOCAL_ITEM})"
    rf"(?:\s*,\s*(?:or\s+)?(?:{_LIVER_LOCAL_ITEM}))*\s*\)\s+within\s+{_NUM}\s+{_UNIT}\s+(?:prior\s+to|before)\s+"
    rf"{_ANCHOR}\s*\.?")


def _liver_local_window(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    m = _LIVER_LOCAL_WINDOW.fullmatch(spaced)
    if m is None:
        return None
    return PriorTherapy(kinds=["locoregional", "radiotherapy"], sites=["liver"],
                        within_days=_days(m.group("n"), m.group("u")), label=_label(text))


def _prior_therapy(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "inclusion":
        return None
    from hcctrials.criteria.families.therapy import therapy_tags
    from hcctrials.criteria.families.therapy_readers import _therapy_words_only

    label = _label(text)
    elapsed = _elapsed_since_list(spaced, text)
    if elapsed is not None:
        return elapsed
    if _NO_CONCURRENT_ANTICANCER.fullmatch(spaced):
        return Not(child=PriorTherapy(kinds=["systemic"], within_days=0, label=label))
    m = _PERMITTED_THEN_INTERVAL.fullmatch(spaced)
    if m and _therapy_words_only(m.group("what")):
        days = _days(m.group("n"), m.group("u"))
        # "prior treatment": every kind of treatment line the record holds
        return Not(child=PriorTherapy(kinds=[*_ANY_TREATMENT, "transplant", "other"], within_days=days - 1,
                                      label=label))
    m = _ALLOWED_BUT_NAMED.fullmatch(spaced)
    if m:
        agents = [therapy_tags(m.group(g))[0] or m.group(g) for g in ("a", "b")]
        return Not(child=PriorTherapy(agents=agents, label=label))
    return None


def read_medication_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of a criterion this module reads completely (see the module docstring), else ``None``."""
    from hcctrials.criteria.families.therapy_readers import _spaced

    spaced = _spaced(text)
    for reader in (_trial, _shorter_window, _steroids, _antithrombotics, _cyp_list, _cyp_unable_to_stop, _psychotropics,
                   _exposures, _live_vaccine, _liver_local_window, _prior_therapy, _monitoring_note):
        node = reader(spaced, text, role)
        if node is not None:
            return node
    return None
