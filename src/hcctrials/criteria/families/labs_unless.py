"""Coagulation limits waived for patients on therapeutic anticoagulation (issue 10, labs family).

"Prothrombin time <= 1.5x ULN, unless receiving therapeutic anticoagulation": a patient on full-dose
anticoagulation has a prolonged PT / INR / PTT by intent, so the limit applies only to patients who are
not anticoagulated (the usual wording of the limit in solid-tumour protocols, e.g. the NCI CTEP
template "INR/PTT <= 1.5 x ULN unless the patient is receiving anticoagulant therapy and the values are
within the intended therapeutic range").  Read exactly:

* inclusion: any of (the coagulation limit, therapeutic anticoagulation now);
* exclusion ("INR > 1.5 unless on therapeutic anticoagulation"): all of (the abnormal value,
  not on therapeutic anticoagulation).

Only the coagulation tests (PT, INR, PTT / aPTT) and only a *therapeutic* (full-dose) anticoagulation
are read; "unless on warfarin (INR 2-3)" and other conditions on the anticoagulation are left for review
(the pattern does not match them, so the leftover words keep the criterion in review).

Pure; the medication leaf is :class:`hcctrials.model.eligibility.Medication` (``classes=['anticoagulant']``,
``therapeutic_only``), read by the existing evaluation.
"""

from __future__ import annotations

import dataclasses
import re

from hcctrials.criteria.families.labs import scan_labs
from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import (
    AllOf, AnyOf, LabThreshold, Medication, NeedsReview, Node, Not, UrineDipstick, walk,
)

__all__ = ["scan_lab_unless_anticoagulated", "scan_lab_normal", "read_lab_criterion"]

_COAGULATION = {"pt", "inr", "aptt", "ptt", "pt_inr"}

# ", unless receiving therapeutic anticoagulation" / "unless the patient is on full-dose anticoagulant therapy"
_UNLESS_ANTICOAGULATED = re.compile(
    r"\s*[,(]?\s*unless\s+(?:the\s+)?(?:(?:patient|subject|participant)s?\s+(?:is|are)\s+)?(?:receiving|on)\s+"
    r"(?:therapeutic|full[- ]dose)\s+(?:oral\s+|parenteral\s+)?anti-?coagula(?:tion|nts?)(?:\s+(?:therapy|treatment))?"
    r"\s*\)?",
    re.IGNORECASE)


def _coagulation_only(node: Node) -> bool:
    leaves = [n for n in walk(node) if isinstance(n, LabThreshold)]
    return bool(leaves) and all(leaf.analyte.lower() in _COAGULATION for leaf in leaves)


def scan_lab_unless_anticoagulated(ctx: Context) -> list[Hit]:
    """Hits for a PT / INR / PTT limit followed by "unless receiving therapeutic anticoagulation"."""
    if "unless" not in ctx.lower:
        return []
    hits: list[Hit] = []
    for lab in scan_labs(ctx):
        m = _UNLESS_ANTICOAGULATED.match(ctx.lower, lab.end)
        if not m or not _coagulation_only(lab.node):
            continue
        label = ctx.text[m.start():m.end()].strip(" ,()")
        on_anticoagulation = Medication(classes=["anticoagulant"], therapeutic_only=True, label=label)
        node: Node
        if ctx.role == "exclusion":
            node = AllOf(children=[lab.node, Not(child=on_anticoagulation)])
        else:
            node = AnyOf(children=[lab.node, on_anticoagulation])
        hits.append(Hit(lab.start, m.end(), node, priority=9, family="lab"))
    return hits


# "Creatinine normal": serum creatinine at or below the upper limit of normal.  A creatinine below the lower
# limit (low muscle mass) is not what a renal-function criterion excludes, so "normal" is read as <= 1 x ULN;
# only the whole statement is read ("Creatinine normal OR" keeps its dangling alternative for review).
# "Creatinine normal OR\nCreatinine clearance at least 60 mL/min" (two PDQ items joined by split.carry_headings): the
# statement followed by its alternative is read too; the alternative is read by its own scanner.
_CREATININE_NORMAL = re.compile(r"^\s*(?:serum\s+)?creatinine\s+(?:normal|within\s+normal\s+limits)"
                                r"(?=\s*\.?\s*$|\s+or\s+(?:measured\s+|calculated\s+)?creatinine\s+clearance\b)", re.IGNORECASE)


def scan_lab_normal(ctx: Context) -> list[Hit]:
    """A hit for "Creatinine normal" (creatinine <= 1 x ULN)."""
    m = _CREATININE_NORMAL.match(ctx.lower)
    if not m:
        return []
    node = LabThreshold(analyte="creatinine", comparator="<=", uln_multiple=1.0)
    rest = re.match(r"\s+or\s+", ctx.lower[m.end():])
    if rest:  # "... OR creatinine clearance at least 60 mL/min": the alternative is read alone, as a whole
        start = m.end() + rest.end()
        sub = dataclasses.replace(ctx, text=ctx.text[start:], lower=ctx.lower[start:])
        alternative = [h for h in scan_labs(sub) if h.start == 0 and h.end == len(sub.lower.rstrip(" .;"))]
        leaves = [n for h in alternative for n in walk(h.node) if isinstance(n, LabThreshold)]
        if len(alternative) != 1 or not leaves or any(leaf.analyte != "creatinine_clearance" for leaf in leaves):
            return []
        return [Hit(m.start(), start + alternative[0].end, AnyOf(children=[node, alternative[0].node]), priority=6,
                    family="lab")]
    return [Hit(m.start(), m.end(), node, priority=6, family="lab")]


# ----------------------------------------------------------------------------- whole criteria
# Two coagulation criteria whose sentences only make sense together (read as a whole by
# :func:`read_lab_criterion`, called by the compiler before the sentence scanners; anything else: ``None``).
#
# * "INR< 2.3. Patients receiving anti-coagulation treatment with an agent such as warfarin or heparin may be
#   allowed to participate. For patients on warfarin, the INR should be measured prior to initiation of sorafenib
#   and monitored at least weekly, ... until INR is stable." (inclusion, NCT01203787): the INR limit, or an
#   anticoagulated patient whom the investigator "may" allow (a judgement: needs review); the monitoring sentence
#   is an on-study instruction.
# * "International Normalised Ratio (INR) > 1.5 or presence of severe coagulation disorders (vg but limited to
#   prothrombin activity < 40% or a platelet count of < 40,000 / mm3)" (exclusion, NCT02210182): the INR, and the
#   two named examples of a severe coagulation disorder, each excludes; the category itself is open ("but [not]
#   limited to"), so a patient with none of the three is left for review, never passed.
_INR_ANTICOAGULATION_ALLOWED = re.compile(
    r"inr\s*<\s*(?P<n>\d+(?:\.\d+)?)\s*\.\s*patients receiving anti-?coagulation (?:treatment|therapy) with an agent such as "
    r"warfarin or heparin may be allowed to participate\.\s*for patients on warfarin, the inr should be measured prior to "
    r"initiation of [a-z0-9 -]+ and monitored at least weekly, or as defined by the local standard of care, until inr is "
    r"stable\.?")
_SEVERE_COAGULATION_DISORDER = re.compile(
    r"international normali[sz]ed ratio \(inr\)\s*>\s*(?P<inr>\d+(?:\.\d+)?) or presence of severe coagulation disorders "
    r"\((?:vg|e\.g\.,?|eg)\.? but (?:not )?limited to prothrombin activity\s*<\s*(?P<pa>\d+(?:\.\d+)?)\s*% or a platelet "
    r"count of\s*<\s*(?P<plt>\d{1,3}(?:,\d{3})+|\d+)\s*/\s*mm3\)\.?")


# Proteinuria screened by dipstick (or UPC ratio) with a 24-hour collection as the decisive test (exclusions):
# * NCT00516165: "Patients with a positive dipstick for urine protein (reading of 2+ or greater) will then undergo a
#   24-hour urine collection for protein. If patients have a 2g or greater of protein/24hr, they will be excluded" =
#   all of (dipstick >= 2+, 24-hour protein >= 2 g): a lower dipstick needs no collection and does not exclude.
# * NCT00426829: "... either UPC ratio > 1.0 ... OR Urine dipstick for proteinuria > 2+ (patients ... > 2+ ... should
#   undergo a 24 hour urine collection and must demonstrate < 1g of protein in 24 hours to be eligible)" = any of
#   (UPC ratio > 1.0, all of (dipstick > 2+, 24-hour protein >= 1 g)).
_DIPSTICK_THEN_24H = re.compile(
    r"patients with a positive dipstick for urine protein \(reading of (?P<grade>[1-4])\+ or greater\) will then undergo a "
    r"24-hour urine collection for protein\. if patients have a (?P<g>\d+(?:\.\d+)?) ?g or greater of protein ?/ ?24 ?hr?, "
    r"they will be excluded from the study\.?")
_UPC_OR_DIPSTICK_THEN_24H = re.compile(
    r"proteinuria at screening as demonstrated by either urine protein:creatinine \(upc\) ratio > (?P<upc>\d+(?:\.\d+)?) "
    r"at screening or urine dipstick for proteinuria > (?P<grade>[0-3])\+ \(patients discovered to have > (?P=grade)\+ "
    r"proteinuria on dipstick urinalysis at baseline should undergo a 24 hour urine collection and must demonstrate "
    r"< (?P<g>\d+(?:\.\d+)?) ?g of protein in 24 hours to be eligible\)\.?")

# * NCT01306058: "Proteinuria, as demonstrated by a 24-hour protein of greater than or equal to 2000 mg. Urine protein
#   will be screened by urine protein-creatinine ratio (UPC). For UPC ratio greater than 1.0, a 24-hour urine protein
#   will need to be obtained and the level should be less than 2000 mg for patient enrollment." = all of (UPC ratio
#   > 1.0, 24-hour protein >= 2000 mg): a UPC ratio at or below the screening limit needs no collection and does not
#   exclude (as the dipstick screen above); a UPC ratio above it with no 24-hour result is unknown.
_UPC_SCREEN_THEN_24H = re.compile(
    r"proteinuria, as demonstrated by a 24-hour (?:urine )?protein (?:of )?(?:greater than or equal to|>=|≥) ?(?P<mg>\d{3,4}) ?mg\. "
    r"urine protein will be screened by urine protein-creatinine ratio \(upc\)\. for upc ratio (?:greater than|>) ?"
    r"(?P<upc>\d+(?:\.\d+)?), a 24-hour urine protein will need to be obtained and the level should be less than "
    r"(?P=mg) ?mg for patient enrollment\.?")


def _protein_24h_at_least(grams: float) -> LabThreshold:
    return LabThreshold(analyte="urine_protein_24h", comparator=">=", value=grams, unit="g/24h")


def read_lab_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of one of the coagulation criteria above, else ``None``."""
    from hcctrials.criteria.text.normalise import normalise_text

    spaced = re.sub(r"\s+", " ", normalise_text(text).lower()).strip()
    if role == "inclusion":
        m = _INR_ANTICOAGULATION_ALLOWED.fullmatch(spaced)
        if m:
            return AnyOf(children=[
                LabThreshold(analyte="inr", comparator="<", value=float(m.group("n"))),
                AllOf(children=[Medication(classes=["anticoagulant"], label="anti-coagulation treatment"),
                                NeedsReview(reason="patients receiving anti-coagulation treatment may be allowed to "
                                                   "participate: the investigator decides")])])
    if role == "exclusion":
        p = _DIPSTICK_THEN_24H.fullmatch(spaced)
        if p:
            return AllOf(children=[UrineDipstick(comparator=">=", grade=float(p.group("grade"))),
                                   _protein_24h_at_least(float(p.group("g")))])
        p = _UPC_SCREEN_THEN_24H.fullmatch(spaced)
        if p:
            return AllOf(children=[LabThreshold(analyte="upcr", comparator=">", value=float(p.group("upc"))),
                                   _protein_24h_at_least(float(p.group("mg")) / 1000)])
        p = _UPC_OR_DIPSTICK_THEN_24H.fullmatch(spaced)
        if p:
            return AnyOf(children=[
                LabThreshold(analyte="upcr", comparator=">", value=float(p.group("upc"))),
                AllOf(children=[UrineDipstick(comparator=">", grade=float(p.group("grade"))),
                                _protein_24h_at_least(float(p.group("g")))])])
        m = _SEVERE_COAGULATION_DISORDER.fullmatch(spaced)
        if m:
            return AnyOf(children=[
                LabThreshold(analyte="inr", comparator=">", value=float(m.group("inr"))),
                LabThreshold(analyte="pt_activity", comparator="<", value=float(m.group("pa")), unit="%",
                             label="severe coagulation disorder"),
                LabThreshold(analyte="platelets", comparator="<", value=float(m.group("plt").replace(",", "")),
                             unit="/mm3", label="severe coagulation disorder"),
                NeedsReview(reason="severe coagulation disorders other than the named examples (an open list)")])
    return None
