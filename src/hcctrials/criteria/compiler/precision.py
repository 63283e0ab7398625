"""Precision audits of a compiled criterion: compile only what can be read exactly.

Issue 10: an audit of 100 compiled criteria from real HCC trials found 19 wrong rules ("ECOG PS
> 2" read as {2}, "Not pregnant or nursing" read as pregnant, "moderate or severe ... ascites"
read as any ascites, "INR at least 1.5" taken literally, "major surgery" read as any surgery).  A
wrong rule silently admits or excludes a patient; "needs review" costs a clinician a minute.
After a criterion compiles fully, these audits look for signs that the rule does not say what
the text says, and send it to review with the reason:

* **lab direction** (:func:`audit_lab_direction`): an inclusion that asks a lab of organ damage
  (bilirubin, transaminases, INR, creatinine ...) to be *at least* a value, or a blood count
  (neutrophils, platelets, haemoglobin, albumin, creatinine clearance) to be *at most* one,
  asks the opposite of "adequate organ function"; the text almost surely meant the other limit.
* **threshold plausibility** (:func:`audit_threshold`): a threshold outside the physiologically
  possible range of its analyte in its unit ("bilirubin 30 mmol/L") was written in a wrong unit.
* **qualifiers** (:func:`audit_qualifiers`): a word that narrows a condition ("major" surgery,
  "moderate or severe", "uncontrolled", "symptomatic", "ventricular", "clinically significant",
  重度, 未控制 ...) in the text but in no part of the rule means the rule is wider than the text.

Pure; each audit returns the reason (or ``None``).
"""

from __future__ import annotations

import re

from hcctrials.criteria.families.therapy import PERMITTED_IF_INTERVAL
from hcctrials.model.eligibility import LabThreshold, Node, Not, walk

__all__ = ["audit_lab_direction", "audit_threshold", "audit_qualifiers", "audit_compiled"]

#: Labs whose adequate-organ-function criterion is an upper limit (damage markers).
UPPER_LIMIT_LABS = frozenset({"bilirubin_total", "bilirubin_direct", "ast", "alt", "alp", "ggt", "inr", "pt",
                              "pt_prolongation", "aptt", "creatinine", "lipase", "amylase", "urine_protein",
                              "urine_protein_24h", "upcr"})
#: Labs whose adequate-function criterion is a lower limit (reserve).
LOWER_LIMIT_LABS = frozenset({"anc", "platelets", "hemoglobin", "albumin", "wbc", "lymphocytes",
                              "creatinine_clearance", "egfr", "lvef", "pt_activity"})


def _polarity(root: Node) -> dict[int, bool]:
    """id(lab leaf) -> True when the leaf is asserted (an even number of Not above it)."""
    out: dict[int, bool] = {}

    def visit(node: Node, positive: bool) -> None:
        if isinstance(node, Not):
            visit(node.child, not positive)
            return
        if isinstance(node, LabThreshold):
            out[id(node)] = positive
        for child in getattr(node, "children", ()):
            visit(child, positive)

    visit(root, True)
    return out


def audit_lab_direction(rule: Node, role: str | None) -> str | None:
    """The reason a lab threshold asks the opposite of adequate organ function, else None."""
    polarity = _polarity(rule)
    for leaf in walk(rule):
        if not isinstance(leaf, LabThreshold) or leaf.comparator == "==":
            continue
        requires = polarity.get(id(leaf), True) == (role != "exclusion")  # the patient must satisfy the leaf
        # the limit the criterion sets on the patient: a leaf the patient must not satisfy sets the other one
        at_least = (leaf.comparator in (">=", ">")) == requires
        if (leaf.analyte in UPPER_LIMIT_LABS and at_least) or (leaf.analyte in LOWER_LIMIT_LABS and not at_least):
            limit = "a lower" if at_least else "an upper"
            return (f"{leaf.analyte} {leaf.comparator} as {limit} limit for adequate organ function is the opposite of "
                    f"the usual criterion: check whether the text meant the other limit")
    return None


def audit_threshold(rule: Node) -> str | None:
    """The reason a lab threshold is outside the possible range of its analyte (a unit error), else None."""
    from hcctrials.errors import HcctrialsError
    from hcctrials.units.analytes import CANONICAL_UNITS, PLAUSIBLE
    from hcctrials.units.convert import convert

    for leaf in walk(rule):
        if not isinstance(leaf, LabThreshold) or leaf.value is None or leaf.analyte not in PLAUSIBLE:
            continue
        unit = leaf.unit or CANONICAL_UNITS.get(leaf.analyte)
        if unit is None:
            continue
        if leaf.analyte == "creatinine_clearance" and re.sub(r"\s", "", unit).lower() in ("ml/min/1.73m2", "ml/min/1.73m²"):
            # normalised to body surface area: evaluated through the patient's BSA (criteria/evaluation/leaves.py)
            low, high = PLAUSIBLE[leaf.analyte]
            if not low <= leaf.value <= high:
                return (f"{leaf.analyte} threshold {leaf.value:g} {unit} is outside the possible range "
                        f"({low:g}-{high:g} mL/min): probably a wrong unit")
            continue
        try:
            value = convert(leaf.value, unit, CANONICAL_UNITS[leaf.analyte], analyte=leaf.analyte)
        except (HcctrialsError, ValueError, KeyError):
            return f"{leaf.analyte} threshold {leaf.value:g} {unit}: unit not convertible"
        low, high = PLAUSIBLE[leaf.analyte]
        if not low <= value <= high:
            return (f"{leaf.analyte} threshold {leaf.value:g} {unit} is outside the possible range "
                    f"({low:g}-{high:g} {CANONICAL_UNITS[leaf.analyte]}): probably a wrong unit")
    return None


# A qualifier narrows the condition it stands before; the rule must carry it: its description names
# the qualifier or a word of the same meaning (the leaf kinds that encode it).  Chinese qualifiers
# are matched through their English meaning, since descriptions use English codes.
_QUALIFIER_MEANS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bmajor\b|大手术", ("surgery", "major")),  # a recorded kind "surgery" is a major operation (docs/patients.md)
    (r"\bmoderate\b|中度", ("moderate",)),
    (r"\bsevere\b|重度|严重", ("severe", "grade", "wound")),
    (r"\bserious\b", ("severe", "serious", "wound", "infection")),
    (r"\buncontrolled\b|poorly controlled|未控制|未能控制|控制不佳|控制不良|无法(?:获得)?(?:良好)?控制|不能控制",
     ("uncontrolled",)),
    (r"\bsymptomatic\b|有症状|症状性", ("symptomatic", "active")),
    (r"\buntreated\b|未经治疗|未治疗", ("untreated", "active")),
    (r"\bunstable\b|不稳定", ("unstable",)),
    (r"\bactive\b|活动性|活动期", ("active", "ever", "hbsag", "hbv dna", "hcv rna", "detectable")),
    (r"\bventricular\b|室性", ("ventricular",)),
    (r"\bclinically (?:significant|relevant|important)\b|有临床意义|临床意义", ("significant",)),
    (r"\brefractory\b|难治", ("refractory", "with progression")),  # "refractory to TACE": progression after it
    (r"\blife[- ]threatening\b|危及生命", ("life-threatening", "grade 4")),
    (r"\bdecompensated\b|失代偿", ("decompensat",)),
    (r"\bto the liver\b|\bhepatic radio\w*|\bliver[- ]directed\b|肝脏放疗|肝区放疗", ("liver", "hepatic", "locoregional")),
    (r"\bmain (?:portal|trunk)\b|主干", ("main trunk", "main", "vp4")),
    (r"\bintrahepatic\b|肝内", ("intrahepatic", "liver")),
    (r"\bextrahepatic\b|肝外", ("extrahepatic",)),
    # an infection requiring IV antibiotics or hospitalisation is a severe (CTCAE grade >= 3) one; the infection audit
    # below keeps "requiring treatment" (any infection) from being read as severe
    # "... is required" states the criterion, it qualifies nothing
    (r"\brequiring\b|(?<!\bis )(?<!\bare )(?<!\bbe )\brequired\b", ("requir", "paracentesis", "treatment", "transfusion", "severe infection")),
    (r"\binvasive\b|浸润性|侵袭性", ("invasive",)),
    (r"\bprimary\s+immuno\w*|原发性免疫", ("primary",)),
    (r"\binflammatory (?:disease|disorder|condition|bowel)s?|炎症性", ("inflammat",)),
    (r"interstitial lung|间质性肺", ("interstitial",)),
    (r"syphilis|梅毒", ("syphilis",)),
    (r"\bAIDS\b", ("aids",)),
    # a fasting lipid or glucose limit: the patient's result may be non-fasting (lab records do not say)
    (r"\bfasting\b|空腹", ("fasting",)),
    # a transient ischaemic attack is one named event (an arterial thromboembolism), not a qualifier
    (r"(?<!transient )ischa?emi\w*(?!\s+attack)|(?<!脑)缺血(?!发作)", ("ischemi", "ischaemi", "myocardial")),
    (r"leptomening\w*|carcinomatous meningitis|meningeal carcinomatosis|软脑膜|脑膜转移", ("leptomening",)),
    (r"\bdespite\b|\bin spite of\b|尽管|经[^。；]{0,8}治疗(?:后)?仍", ("despite", "uncontrolled", "refractory")),
    (r"\bEASL\b", ("easl", "mrecist")),
    (r"fistul\w*|瘘", ("fistul",)),
    (r"adverse drug reactions?|multiple (?:adverse|drug) reactions?|药物不良反应", ("adverse", "reaction")),
    (r"\belective\b|择期", ("planned", "elective")),
    (r"\bha?emorrhag\w*|\bbleed\w*|出血", ("bleed", "hemorrhag", "haemorrhag", "varic", "diathesis", "coagul")),
    (r"\bplanned\b|\banticipated\b|\bscheduled\b|\bexpected to (?:need|require|undergo)\b|计划|预计", ("planned",)),
    (r"\bacute\b|急性", ("acute",)),
    (r"\bchronic(?:ally)?\b|长期|慢性", ("chronic", "hbsag", "hbv", "hcv", "hepatitis", "liver disease", "cirrhosis")),
    (r"\bconcurrent(?:ly)?\b|\bconcomitant\b|正在", ("concurrent", "ongoing", "current", "within 0 d", "active")),
    # "Systemic conditions are 0 to 2 score of Performance Status" (Japanese-English: the general condition) is no qualifier
    (r"\bsystemic\b(?!\s+(?:lupus|sclerosis|mastocytosis|inflammatory response|metasta|conditions?\s+(?:are|is)\s+[0-4]\b))|全身", ("systemic", "steroid", "corticosteroid", "immunosuppress", "chemotherapy", "pd1", "pdl1",
                            "tki", "anti_vegf", "agents ")),  # named drugs are systemic therapy
    (r"hamster|\bCHO\b|murine|mouse|鼠源", ("hamster", "murine")),
    (r"\bcomplete(?:ly)?\s+(?:occlu\w*|obstruct\w*|thromb\w*|main|portal)|完全(?:闭塞|阻塞|栓塞)", ("complete", "occlu")),
    (r"\bintra-?arterial\b|embolization|embolisation|chemoembolization|\btace\b|栓塞", ("locoregional", "tace", "emboli", "hai")),
)
_QUALIFIERS = [(re.compile(p, re.IGNORECASE), words) for p, words in _QUALIFIER_MEANS]
_EXAMPLES = re.compile(r"[(\[（][^()\[\]（）]*[)\]）]")


def audit_qualifiers(rule: Node, text: str, description: str) -> str | None:
    """The reason a qualifier of the text is missing from the rule, else None.

    The rule's *description* (:func:`hcctrials.criteria.compiler.describe.describe`) must name every
    qualifier of the text (outside parenthesised examples) or a word of the same meaning."""
    described = description.lower().replace("_", " ")
    plain = _EXAMPLES.sub(" ", text)
    for pattern, words in _QUALIFIERS:
        m = pattern.search(plain)
        if m and re.match(r"concurrent|concomitant", m.group(0), re.IGNORECASE) and \
                re.search(r"(?:prior|previous|past)\s+or\s+(?:concurrent|concomitant)", plain, re.IGNORECASE):
            continue  # "prior or concurrent": ever
        if m and re.match(r"concurrent|concomitant", m.group(0), re.IGNORECASE) and \
                "other malignancy (ever" in described and "disease-free" in described:
            continue  # "other concurrent malignancy, except ... cancer disease-free for 5 years": ever (malignancy.py)
        if m and m.group(0).lower() == "decompensated" and "child-pugh points in {5,6,7}" in described and re.search(
                r"mildly\s+decompensated\s+child[- ]pugh\s+(?:class\s+)?b\b[^;.]{0,40}?\(\s*child[- ]pugh\s+score\s*(?:≤|<=)\s*7\s*\)",
                text, re.IGNORECASE):
            continue  # "mildly decompensated Child-Pugh class B liver dysfunction (Child-Pugh score ≤ 7)": defined as B7
        if m and re.match(r"concurrent|concomitant", m.group(0), re.IGNORECASE) and " d)" in described and \
                re.search(r"\bsince\s+prior\s+and\s+no\s+(?:concurrent|concomitant)\b", plain, re.IGNORECASE):
            # "More than 4 weeks since prior and no concurrent major surgery": an ongoing therapy is inside every
            # window (criteria/evaluation/leaves_history._in_window), so the washout rule already excludes it
            continue
        if m and re.match(r"planned|anticipated|scheduled|计划", m.group(0), re.IGNORECASE) and re.match(
                r"\s*(?:start|first dose|initiation|beginning|day\s*1|dosing|administration|enrol|randomi|(?:开始)?(?:研究)?(?:治疗|给药|用药))",
                plain[m.end():], re.IGNORECASE):
            continue  # "within 30 days of planned start of study drug": the anchor of the window, not a planned event
        if m and not any(w in described for w in words) and m.group(0).lower() not in described:
            return f"qualifier '{m.group(0)}' is not part of the rule"
    return None


def audit_contradiction(rule: Node) -> str | None:
    """The reason an all-of asks one score to lie in disjoint sets (a restatement read as a second
    requirement: "CPT score <9 (that is all Child A and Child B with 7 or 8)"), else None."""
    from hcctrials.model.eligibility import AllOf, ChildPugh, Ecog, Stage

    for node in walk(rule):
        if not isinstance(node, AllOf):
            continue
        seen: dict[str, set[object]] = {}
        for child in node.children:
            values: set[object] | None = None
            key: str = child.kind
            if isinstance(child, ChildPugh):
                values = set(child.allowed_points)
            elif isinstance(child, Ecog):
                values = set(child.allowed)
            elif isinstance(child, Stage):
                key = f"stage:{child.system}"
                values = set(child.allowed)
            if values is None:
                continue
            if key in seen and not (seen[key] & values):
                return f"two {key} requirements with nothing in common: a restatement read as a second rule"
            seen[key] = values if key not in seen else seen[key] & values
    return None


def audit_exceptions(description: str) -> str | None:
    """"other cancer curatively treated and with no evidence of disease for 5 years" split into two
    separate exceptions (any curatively treated cancer OR any disease-free one) widens the exception."""
    if "any type treated with curative intent" in description and "any type disease-free" in description:
        return "exceptions 'curatively treated' and 'disease-free for N years' may be one joint condition"
    return None


def audit_descriptive_kind(rule: Node, text: str) -> str | None:
    """"Systemic therapy with ramucirumab" names one drug; read as "ramucirumab or any systemic therapy"
    it counts every systemic line.  Unless the text offers the alternative ("or other systemic
    therapies"), named drugs beside the kind "systemic" go to review."""
    from hcctrials.model.eligibility import PriorTherapy

    for leaf in walk(rule):
        if (isinstance(leaf, PriorTherapy) and (leaf.agents or leaf.classes) and leaf.kinds == ["systemic"]
                and not re.search(r"\b(?:other|any|or)\b[^.;]{0,30}\bsystemic|\bsystemic\b[^.;]{0,40}\bor\b|其他|或",
                                  text, re.IGNORECASE)):
            return "named drugs beside 'systemic therapy': only those drugs, or any systemic therapy?"
    return None


_HISTORY_WORDS = re.compile(
    r"\b(?:history|prior|previous(?:ly)?|past|ever|documented|diagnos\w*|had|has had|have had|within|since|"
    r"recent(?:ly)?|last)\b|既往|病史|曾|史|诊断|以内|内", re.IGNORECASE)
_CURRENT_WORDS = re.compile(r"\b(?:evidence of|current(?:ly)?|present|presence of|ongoing|existing|suffering from|"
                            r"suffers from)\b|现有|目前|当前|存在|患有", re.IGNORECASE)
_PAST_WORDS = re.compile(r"\b(?:history|prior|previous(?:ly)?|past|ever)\b|既往|病史|曾", re.IGNORECASE)


def audit_history_tense(rule: Node, text: str) -> str | None:
    """A condition named in the present ("Unstable angina", "No evidence of bleeding diathesis") read as
    "ever": a patient whose condition resolved years ago would be excluded.  Without a word of time
    (history of, prior, within 6 months, known ...), or with a word of the present, "ever" is a guess."""
    from hcctrials.model.eligibility import HistoryCondition

    leaves = [leaf for leaf in walk(rule) if isinstance(leaf, HistoryCondition)]
    windowed = any(leaf.look_back_days is not None for leaf in leaves)
    for leaf in leaves:
        if leaf.status != "ever" or leaf.look_back_days is not None or set(leaf.codes) <= _LIFELONG:
            continue
        # round 6: "congenital long QT syndrome" lasts for life; "active, known, or suspected X" names the known (ever) one
        if set(leaf.codes) == {"long_qt_syndrome"} and re.search(r"congenital|familial|inherited|先天性|家族性", text, re.IGNORECASE):
            continue
        if re.search(r"\bactive,?\s+known,?\s+or\s+suspected\b", text, re.IGNORECASE):
            continue
        plain = re.sub(r"\b(?:within|in)\s+(?:the\s+)?(?:past|last|previous|prior)\b", "within", text, flags=re.IGNORECASE)
        words = {m.group(0).lower() for m in _HISTORY_WORDS.finditer(plain)}
        # a window word ("within 6 months") belongs to the windowed items of the list, not to this one
        timeless = not words or (windowed and words <= _WINDOW_WORDS)
        present = bool(_CURRENT_WORDS.search(text)) and not _PAST_WORDS.search(text)
        if timeless or present:
            return "a condition named in the present: current, or ever? (read as ever)"
    return None


# "Patients with heart failure", "有已知的精神疾病": the wording puts the
# condition in the patient's present, so the rule is the condition the patient has now (active or controlled).
_PRESENT_SUBJECT = re.compile(
    r"\b(?:patients?|subjects?|participants?|those|people)\s+(?:with|who\s+(?:have|has|are|is)|having|suffering)\b|"
    r"^\s*(?:has|have)\s+(?!had\b|a\s+history|history|been\b)|^\s*有(?!过)|患有|合并", re.IGNORECASE)


def present_tense_reading(rule: Node, text: str) -> Node:
    """*rule* with its 'ever' history leaves read as 'current' where the text names the condition in the
    present and says nothing of the past or of a window (:func:`audit_history_tense` sends the plain
    noun, "Myocardial infarction", to review: an event, not a state, may be meant as ever)."""
    from hcctrials.model.eligibility import AllOf, AnyOf, HistoryCondition, Not

    # issue 10 (session 5): "Myocardial infarction within past 6 months, congestive heart failure, unstable angina": when
    # the only words of time are a window, its windowed items carry it and the unwindowed states of the list are present
    plain = re.sub(r"\b(?:within|in)\s+(?:the\s+)?(?:past|last|previous|prior)\b", "within", text, flags=re.IGNORECASE)
    window_only = not _PAST_WORDS.search(plain) and \
        {m.group(0).lower() for m in _HISTORY_WORDS.finditer(plain)} <= _WINDOW_WORDS
    if _PAST_WORDS.search(text) or _HISTORY_WORDS.search(text):
        if not window_only:
            return rule
        present = False
    else:
        present = bool(_PRESENT_SUBJECT.search(text) or _CURRENT_WORDS.search(text))

    def rewrite(node: Node) -> Node:
        if isinstance(node, HistoryCondition) and node.status == "ever" and node.look_back_days is None \
                and not set(node.codes) <= _LIFELONG and (present or set(node.codes) <= _FINDINGS | _STATES or (
                    set(node.codes) & _STATES and set(node.codes) <= _STATES | _STATE_COMPANIONS)):
            return node.model_copy(update={"status": "current"})
        if isinstance(node, (AllOf, AnyOf)):
            return node.model_copy(update={"children": [rewrite(c) for c in node.children]})
        if isinstance(node, Not):
            return node.model_copy(update={"child": rewrite(node.child)})
        return node

    return rewrite(rule)


#: Findings on examination or imaging, named for what the patient has now ("Pleural effusion").
_FINDINGS = frozenset({"pleural_effusion", "pericardial_effusion"})

#: Issue 10 (history families): states, not events, named bare in an exclusion list ("Congestive heart failure",
#: "unstable angina pectoris", "Any malabsorption condition"): the patient has it now (active or controlled); a
#: resolved or past one is not meant.  Events (infarction, stroke, bleeding, perforation) stay in review: "Myocardial
#: infarction" alone may mean ever.  Issue 10 (session 5): an interstitial lung disease ("Confirmed interstitial lung
#: disease"; the ILD term reads pneumonitis too, an ILD of its own) and a bleeding diathesis ("No bleeding diathesis.")
#: are chronic states too: the one the patient has now (a drug pneumonitis that resolved, an ITP in remission, is not).
_STATES = frozenset({"heart_failure", "unstable_angina", "malabsorption", "cardiomyopathy", "interstitial_lung_disease",
                     "bleeding_disorder"})
#: codes read as a state only beside a state code of the same item ("interstitial lung disease" reads both codes)
_STATE_COMPANIONS = frozenset({"pneumonitis"})

#: Conditions that stay for life once they happened: "ever" is their only reading.
_LIFELONG = frozenset({"organ_transplant", "liver_transplant", "kidney_transplant", "allogeneic_stem_cell_transplant",
                       "stem_cell_transplant", "autologous_stem_cell_transplant",
                       "allogeneic_tissue_transplant", "hiv", "cardiac_pacemaker", "implantable_defibrillator"})
_WINDOW_WORDS = frozenset({"within", "since", "recent", "recently", "last", "以内", "内"})


def audit_scope(text: str, description: str) -> str | None:
    """Known ways a rule is narrower or wider than the words of its text."""
    lower = text.lower()
    if re.search(r"non-?healing|unhealed|未愈合", lower) and re.search(r"bone_fracture \(ever\)(?! within)", description):
        return "'non-healing' also qualifies the fracture (an unhealed fracture, not any fracture ever)"
    if re.search(r"immunotherap|免疫治疗", lower) and re.search(r"\bici\b|/ici\b|ici/|pd1|pdl1", description) and \
            not re.search(r"checkpoint|pd-?1|pd-?l1|ctla|\bici\b|检查点", lower):
        return "'immunotherapy' is wider than checkpoint inhibitors (interferon, cytokines, vaccines, cell therapy)"
    if "other malignancy (active)" in description and "disease-free" in description:
        return "a disease-free exception means past cancers count too: 'concurrent' is not only active cancer"
    if re.search(r"\bmajor\b|大手术", lower) and re.search(r"\bminor\b|小手术", lower) and "major" not in description:
        return "major and minor surgery have different windows; the rule does not tell them apart"
    if re.search(r"\b(?:asian|caucasian|east asian|han chinese|japanese|korean|hispanic|african)\s+(?:male|female|men|women|"
                 r"patients?|subjects?|descent|ethnicity|origin|ancestry|adults?)\b|\bof\s+(?:asian|chinese|japanese|korean)\s+"
                 r"(?:descent|ethnicity|origin|ancestry)|汉族", lower):
        return "an ethnicity or ancestry is named; the rule does not read it"
    order = re.search(r"\b(?:following|after)\s+(?:the\s+)?(?:prior|previous|failure of)\b", lower)
    if "prior therapy" in description and order and not re.search(
            r"(?:progress\w*|refractory|intoleran\w*|relapse\w*|recurr\w*|fail\w*|pd)\s+(?:\w+\s+){0,3}$", lower[:order.start()]):
        return "a therapy given after another: the order of the therapies is not part of the rule"
    if "kinds locoregional" in description and "radiotherapy" not in description and \
            re.search(r"loco-?regional|local-regional|local therap|局部治疗", lower):
        return "locoregional therapy of HCC includes liver radiotherapy (SBRT), which the rule does not count"
    if description.startswith(("allergy", "not (allergy")) and "the trial drugs" not in description and \
            re.search(r"any (?:other )?(?:agent|drug|component|ingredient)|(?:this|the) (?:trial|study)\b|试验药物|研究药物", lower):
        return "the trial's other agents are part of the allergy criterion; the rule reads only the named drugs"
    if description.startswith(("allergy", "not (allergy")) and "(or related compounds / excipients)" not in description and \
            re.search(r"chemically|related (?:to|compounds?|drugs?)|similar (?:drugs?|compounds?)|excipient|dmso|"
                      r"other rapamycins?|component|ingredient|辅料|同类|成分", lower):
        return "the trial's other agents are part of the allergy criterion; the rule reads only the named drugs"
    if re.search(r"skin_squamous_cell(?! treated with curative)", description) and \
            "exception qualifier not verifiable" not in description and \
            re.search(r"adequately treated|curatively treated|completely (?:treated|resected)|locali[sz]ed", lower):
        return "'adequately treated' / 'localized' qualify the skin-cancer exception; the rule excepts any skin cancer"
    if re.search(r"infection|感染", lower) and re.search(r"history: severe_infection \(", description) and \
            not re.search(r"severe|serious|grade\s*[3-5]|严重|重症|requir\w*\s+(?:hospitali[sz]ation\s+or\s+)?(?:iv|intravenous|parenteral)\b",
                          lower):
        return "any infection requiring treatment, not only a severe one: the rule reads severe infection"
    if re.search(r"liver transplant|hepatic transplant|肝移植", lower) and "organ_transplant" in description and \
            "liver_transplant" not in description:
        return "a liver transplant only; the rule reads any organ transplant (a kidney recipient would be excluded)"
    if "uncontrolled_hypertension" in description and re.search(r"any of \(.*(?:systolic|diastolic) BP", description):
        return "the blood-pressure values define the uncontrolled hypertension; read as alternatives, one reading excludes"
    if "arrhythmia (active)" in description and not re.search(
            r"active|uncontrolled|symptomatic|unstable|requir|current|significant|活动|未控制|需要|控制不", lower):
        return "'arrhythmia' without a qualifier read as active arrhythmia only (a controlled one passes)"
    if re.search(r"portal (?:vein|venous) thrombosis|门静脉血栓", lower) and "pvtt" in description and \
            "portal_vein_thrombosis" not in description and \
            not re.search(r"tumou?r|malignant|neoplastic|癌栓|瘤栓", lower):
        return "portal vein thrombosis may be bland (non-tumour); the rule reads a tumour thrombus"
    if re.search(r"cornea|角膜", lower) and "cornea" not in description and "allogeneic_tissue" not in description:
        return "a corneal transplant is named; the rule does not read it"
    if re.search(r"\bsex (?:female|male)\b", description) and re.search(
            r"\bmale or female\b|\bfemale or male\b|\bmen (?:and|or) women\b|both (?:sexes|genders)|男女|男性或女性|女性或男性", lower):
        return "both sexes are named; the rule reads one"
    # "active or prior documented X within the past 24 months": read over the activity (a condition recorded active or
    # controlled counts in any window; a resolved one by its resolution date), not from its onset
    # (criteria/evaluation/leaves_history.py)
    if "allogeneic" in description and re.search(r"stem cell|干细胞|bone marrow|骨髓|ha?ematologic|ha?ematopoietic|造血", lower) and \
            not re.search(r"allogeneic|allo-|异基因|同种异体", lower):
        return "'stem cell / bone marrow transplantation' includes autologous transplants; the rule reads allogeneic only"
    other_gi = re.search(r"ulcer|gastro-?intestinal|\bgi\b|消化道|溃疡", lower) or (
        re.search(r"gastric|stomach|胃", lower) and not re.search(r"varic|静脉曲张", lower))
    if "variceal_bleeding" in description and "gi_bleeding" not in description and other_gi and \
            re.search(r"bleed|hemorrh|haemorrh|出血", lower):
        return "gastrointestinal bleeding of any cause is read as variceal bleeding only"
    if "pregnant or breastfeeding" in description:
        if not re.search(r"pregnan|妊娠|怀孕|孕", lower):
            return "the text names lactation only; the rule also reads pregnancy"
        if not re.search(r"lactat|breast|nursing|哺乳", lower):
            return "the text names pregnancy only; the rule also reads breastfeeding"
    if re.search(r"\b(?:allowed|permitted|acceptable|eligible)\b[^.;]{0,60}\b(?:if|provided|as long as|only if|unless)\b"
                 r"|允许[^。；]{0,30}(?:如果|若|前提)", lower) and not re.search(r"untreated|progress", description) \
            and not PERMITTED_IF_INTERVAL.search(lower):  # "permitted as long as the interval ... is >= 4 weeks": the washout read
        return "a permission with its own conditions ('allowed if ...')"
    return None


#: Diagnoses that last: a look-back window cannot apply to them ("a diagnosis of immunodeficiency or ...
#: steroids within 7 days": the window belongs to the steroids).
_LASTING = frozenset({"immunodeficiency", "hiv", "autoimmune_disease", "organ_transplant", "allogeneic_stem_cell_transplant",
                      "stem_cell_transplant",
                      "liver_transplant", "kidney_transplant", "interstitial_lung_disease"})


def audit_window_on_diagnosis(rule: Node) -> str | None:
    from hcctrials.model.eligibility import HistoryCondition

    for leaf in walk(rule):
        if isinstance(leaf, HistoryCondition) and leaf.look_back_days is not None and leaf.look_back_days < 365 \
                and set(leaf.codes) & _LASTING:
            return f"a {leaf.look_back_days}-day window on a lasting diagnosis ({'/'.join(leaf.codes)}): probably another item's window"
    return None


def audit_sex_alternative(rule: Node) -> str | None:
    """"Female subjects who are pregnant or breastfeeding" read as "female, or pregnant, or ...": every
    woman excluded.  A sex leaf as one alternative of an any-of is a clause read as a list item."""
    from hcctrials.model.eligibility import AnyOf, Sex

    for node in walk(rule):
        if isinstance(node, AnyOf) and any(isinstance(c, Sex) for c in node.children) and len(node.children) > 1:
            return "a sex named as one alternative of a list ('female subjects who are pregnant ...')"
    return None


def audit_child_pugh_gaps(rule: Node) -> str | None:
    """Child-Pugh points with a gap ("A/B9" read as 5, 6, 9): the text almost surely meant a range."""
    from hcctrials.model.eligibility import ChildPugh

    for leaf in walk(rule):
        if isinstance(leaf, ChildPugh):
            points = sorted(leaf.allowed_points)
            if points and points != list(range(points[0], points[-1] + 1)):
                return f"Child-Pugh points {points} with a gap: a range was probably meant"
    return None


def audit_compiled(rule: Node, text: str, role: str | None, description: str) -> str | None:

    """The first audit's reason to send a fully compiled *rule* for *text* to review, else None."""
    return (audit_dangling_or(text) or audit_lab_direction(rule, role) or audit_threshold(rule) or audit_contradiction(rule)
            or audit_exceptions(description) or audit_descriptive_kind(rule, text) or audit_child_pugh_gaps(rule)
            or audit_scope(text, description) or audit_history_tense(rule, text) or audit_window_on_diagnosis(rule)
            or audit_sex_alternative(rule) or _audit_unread_lab(rule, text)
            or audit_qualifiers(rule, text, description))


def audit_dangling_or(text: str) -> str | None:
    """A criterion that ends with "or" ("Creatinine < 2 x ULN OR"): its alternative is in another line of the
    record (or was lost with a table), so the rule read alone is narrower than the criterion (audit round 8)."""
    if re.search(r"(?:\b(?:or|and/or)|或(?:者)?)\s*[:;,.]?\s*$", text.strip(), re.IGNORECASE):
        return "the criterion ends with 'or': its alternative is not in this criterion"
    return None


def _audit_unread_lab(rule: Node, text: str) -> str | None:
    from hcctrials.criteria.families.lablists import audit_unread_lab  # lab lists (issue 10)

    return audit_unread_lab(rule, text)
