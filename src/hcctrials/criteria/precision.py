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
    (r"\buncontrolled\b|poorly controlled|未控制|未能控制|控制不佳|控制不良", ("uncontrolled",)),
    (r"\bsymptomatic\b|有症状|症状性", ("symptomatic", "active")),
    (r"\buntreated\b|未经治疗|未治疗", ("untreated", "active", "varices")),
    (r"\bunstable\b|不稳定", ("unstable", "active")),
    (r"\bactive\b|活动性|活动期", ("active", "ever", "hbsag", "hbv dna", "hcv rna", "detectable")),
    (r"\bventricular\b|室性", ("ventricular",)),
    (r"\bclinically (?:significant|relevant|important)\b|有临床意义|临床意义", ("significant",)),
    (r"\brefractory\b|难治", ("refractory",)),
    (r"\blife[- ]threatening\b|危及生命", ("life-threatening", "grade 4")),
    (r"\bdecompensated\b|失代偿", ("decompensat",)),
    (r"\bto the liver\b|\bhepatic radio\w*|\bliver[- ]directed\b|肝脏放疗|肝区放疗", ("liver", "hepatic", "locoregional")),
    (r"\bmain (?:portal|trunk)\b|主干", ("main trunk", "main", "vp4")),
    (r"\bintrahepatic\b|肝内", ("intrahepatic", "liver")),
    (r"\bextrahepatic\b|肝外", ("extrahepatic",)),
    (r"\brequiring\b|\brequired\b", ("requir", "paracentesis", "treatment", "transfusion")),
    (r"\binvasive\b|浸润性|侵袭性", ("invasive",)),
    (r"\bcomplete(?:ly)?\s+(?:occlu\w*|obstruct\w*|thromb\w*|main|portal)|完全(?:闭塞|阻塞|栓塞)", ("complete", "occlu")),
    (r"\bintra-?arterial\b|embolization|embolisation|chemoembolization|\btace\b|栓塞", ("locoregional", "tace", "emboli", "hai")),
)
_QUALIFIERS = [(re.compile(p, re.IGNORECASE), words) for p, words in _QUALIFIER_MEANS]
_EXAMPLES = re.compile(r"[(\[（][^()\[\]（）]*[)\]）]")


def audit_qualifiers(rule: Node, text: str, description: str) -> str | None:
    """The reason a qualifier of the text is missing from the rule, else None.

    The rule's *description* (:func:`hcctrials.criteria.library.describe`) must name every
    qualifier of the text (outside parenthesised examples) or a word of the same meaning."""
    described = description.lower().replace("_", " ")
    plain = _EXAMPLES.sub(" ", text)
    for pattern, words in _QUALIFIERS:
        m = pattern.search(plain)
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


def audit_compiled(rule: Node, text: str, role: str | None, description: str) -> str | None:
    """The first audit's reason to send a fully compiled *rule* for *text* to review, else None."""
    return (audit_lab_direction(rule, role) or audit_threshold(rule) or audit_contradiction(rule)
            or audit_exceptions(description) or audit_descriptive_kind(rule, text)
            or audit_qualifiers(rule, text, description))
