"""Whole-criterion readers for prior-therapy and recovery criteria (issue 10, session 5).

Each reader matches the *whole* text of a criterion (after :func:`normalise_text`, lower case,
spaces squashed), so no word is left unread; anything else returns ``None`` and the sentence
scanners run as before.  Tried by :func:`hcctrials.criteria.compiler.compile.compile_criterion`
next to the virology and malignancy readers.  Pure.

* **Recovery in two sentences** - "Patients must have recovered from any acute toxicity related to
  prior therapy, including surgery.  Toxicity should be less than or equal to grade 1 or returned to
  baseline." (inclusion): the second sentence states what "recovered" means, so the criterion is
  ``Not(ResidualToxicity(min_grade=2))`` (CTCAE v5 grades; ``Patient.residual_toxicity_grade`` counts the
  unresolved adverse events of prior anticancer therapy *including surgery*, 0 = back to baseline).
* **"More than N prior systemic chemotherapy"** (exclusion): the class word is ambiguous - cytotoxic
  chemotherapy only, or (the older usage of sorafenib-era trials, e.g. NCT02029157, whose own inclusion
  list speaks of "systemic chemotherapy including sorafenib") every systemic anticancer drug.  The
  cytotoxic regimens are a subset of the systemic ones, so the criterion is *met* when more than N
  cytotoxic regimens are recorded (true in both readings), *not met* when at most N systemic regimens
  are recorded (false in both), and needs review in between: ``AnyOf(chemo > N, AllOf(systemic > N,
  NeedsReview))``.
* **TKI line or refusal** - "Received at least one line of therapy with a TKI (including, but not limited
  to sorafenib, lenvatinib, and/or regorafenib) with evidence of disease progression ..., or refused therapy
  with a TKI.  No more than two lines of prior therapy are allowed." (inclusion): a TKI line with
  documented progression, or a refusal (not in the patient record: review); and at most two lines.
  "Lines of prior therapy" is read in both senses: systemic lines (the usual sense of "line") must be at
  most two for the criterion to be met, and when other recorded treatments (TACE, surgery) would make
  three or more "lines" the criterion needs review.
* **Systemic therapy other than one drug** - "Has had prior systemic therapy for HCC in the advanced (incurable)
  setting other than sorafenib, prior to the start of study drug." (exclusion): a systemic line given for advanced
  disease (``TherapyLine.setting`` first/second/later line; adjuvant, neoadjuvant or perioperative lines do not count;
  an unrecorded setting is unknown) whose agents are not sorafenib alone (``PriorTherapy.setting`` /
  ``except_agents``).
* **Washout, and prior therapy only after progression** - "Has received any other systemic therapy for HCC within 3
  weeks prior to treatment, Day 1. Prior therapy is acceptable only if there is documented progression following
  completion of the therapy." (exclusion): any of (a systemic line within the window, a systemic line whose
  progression is not documented: ``PriorTherapy.progression_not_documented``).
* **No systemic therapy, octreotide after a washout** (NCT00619541 inclusion 9): no systemic line other than
  octreotide; short-acting octreotide stopped at least 7 days and octreotide LAR at least 28 days before.
* **Interferon** - "Concurrent interferon therapy against HBV/HCV" (exclusion): interferon taken now, and its
  indication, which the record does not hold, for review (a patient not on interferon does not meet it);
  "Antiviral therapy for HCV and HBV is allowed, but patient should not be on interferon." (exclusion): interferon
  taken now.
* **A pure permission of prior therapy in an inclusion list** - "Prior therapy: prior systemic therapy
  with sorafenib is allowed.", "既往接受过其他局部治疗(如手术切除、介入治疗、消融治疗…)的患者可以纳入本研究。":
  a permission with no condition (no interval, count, "only", "if", "not") admits every patient and
  excludes none, so every patient meets it (:class:`~hcctrials.model.eligibility.Permission`).  A
  permission with a condition is not read here (it is a rule about the condition: see
  ``PERMITTED_IF_INTERVAL`` in :mod:`hcctrials.criteria.families.therapy`).
"""

from __future__ import annotations

import re

from hcctrials.model.eligibility import (
    AllOf, AnyOf, Medication, NeedsReview, Node, Not, Permission, PriorTherapy, ResidualToxicity,
)

__all__ = ["read_therapy_criterion", "SYSTEMIC_CHEMOTHERAPY_REVIEW", "INTERFERON_INDICATION_REVIEW",
           "TKI_REFUSAL_REVIEW", "LINES_SENSE_REVIEW"]

SYSTEMIC_CHEMOTHERAPY_REVIEW = ("'systemic chemotherapy' counts cytotoxic regimens only, or every systemic anticancer "
                                "regimen (older usage counts sorafenib)? The count differs between the readings")
TKI_REFUSAL_REVIEW = "refusal of TKI therapy is not in the patient record: check whether the patient refused a TKI"
LINES_SENSE_REVIEW = ("'lines of prior therapy': systemic lines only, or every recorded treatment (TACE, surgery)? "
                      "The count differs between the readings")

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "1": 1, "2": 2, "3": 3, "4": 4}


def _spaced(text: str) -> str:
    from hcctrials.criteria.text.normalise import normalise_text

    return re.sub(r"\s+", " ", normalise_text(text).lower()).strip()


# ------------------------------------------------------------------ recovery in two sentences
_RECOVERED = re.compile(
    r"(?:(?:patients?|subjects?|participants?)\s+)?(?:must|should)\s+have\s+recovered\s+from\s+(?:any|all)\s+(?:the\s+)?"
    r"acute\s+(?:toxicit(?:y|ies)|toxic\s+effects?)\s+(?:related\s+to|of|from|due\s+to|caused\s+by)\s+(?:any\s+)?"
    r"(?:prior|previous)\s+(?:anti-?cancer\s+)?(?:therapy|therapies|treatments?)(?:\s*,\s*including\s+surgery)?\s*\.?")
_GRADE_DEFINED = re.compile(
    r"(?:the\s+)?(?:toxicit(?:y|ies)|toxic\s+effects?)\s+(?:should|must)\s+be\s+"
    r"(?:less\s+than\s+or\s+equal\s+to|≤|<=|at\s+most|no\s+(?:greater|higher|worse)\s+than)\s*(?:ctcae\s+)?grade\s*(?P<g>[01])"
    r"\s+or\s+(?:(?:have\s+)?returned\s+to|back\s+to|at)\s+(?:the\s+)?baseline\s*\.?")


def _recovery_two_sentences(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "inclusion":
        return None
    m = _RECOVERED.match(spaced)
    if m is None:
        return None
    g = _GRADE_DEFINED.fullmatch(spaced[m.end():].strip())
    if g is None:
        return None
    label = " ".join(text.split())
    return Not(child=ResidualToxicity(min_grade=int(g.group("g")) + 1, label=label))


# ------------------------------------------------------------------ "More than N prior systemic chemotherapy"
_MORE_THAN_SYSTEMIC_CHEMO = re.compile(
    r"(?:has\s+received\s+|received\s+)?(?:more\s+than|greater\s+than|>)\s*(?P<n>[1-4]|one|two|three|four)\s+(?:prior\s+)?"
    r"(?:regimens?\s+of\s+|lines?\s+of\s+)?systemic\s+chemotherap(?:y|ies)(?:\s+regimens?)?\s*\.?")


def _more_than_systemic_chemotherapy(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    m = _MORE_THAN_SYSTEMIC_CHEMO.fullmatch(spaced)
    if m is None or re.search(r"\blines?\b", spaced):
        return None  # "lines" counts line numbers, another unit: not read here
    n = _NUMBERS[m.group("n")]
    label = " ".join(text.split()).rstrip(".")
    cytotoxic = PriorTherapy(classes=["chemotherapy"], count_comparator=">", count_value=n, label=label)
    systemic = PriorTherapy(kinds=["systemic"], count_comparator=">", count_value=n, label=label)
    return AnyOf(children=[cytotoxic, AllOf(children=[systemic, NeedsReview(reason=SYSTEMIC_CHEMOTHERAPY_REVIEW)])])


# ------------------------------------------------------------------ TKI line with progression, or refusal
_TKI_OR_REFUSED = re.compile(
    r"received\s+at\s+least\s+one\s+line\s+of\s+therapy\s+with\s+a\s+tki\s+\(including,?\s+but\s+not\s+limited\s+to,?\s+"
    r"sorafenib,\s+lenvatinib,?\s+and/or\s+regorafenib\)\s+with\s+evidence\s+of\s+disease\s+progression\s+clinically\s+or\s+"
    r"radiographically\s+as\s+deemed\s+by\s+(?:the\s+)?investigator,\s+or\s+refused\s+therapy\s+with\s+a\s+tki\s*\.\s*"
    r"no\s+more\s+than\s+(?P<n>two|2|three|3)\s+lines\s+of\s+prior\s+therapy\s+are\s+allowed\s*\.?")


def _tki_line_or_refusal(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "inclusion":
        return None
    m = _TKI_OR_REFUSED.fullmatch(spaced)
    if m is None:
        return None
    n = _NUMBERS[m.group("n")]
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+(?=No more than)", " ".join(text.split()))]
    first = sentences[0] if sentences else " ".join(text.split())
    second = sentences[1] if len(sentences) > 1 else first
    tki = PriorTherapy(classes=["tki"], count_unit="lines", require_progression=True, label=first)
    systemic_lines = PriorTherapy(kinds=["systemic"], count_unit="lines", count_comparator="<=", count_value=n,
                                  label=second)
    all_lines = PriorTherapy(count_unit="lines", count_comparator="<=", count_value=n, label=second)
    return AllOf(children=[
        AnyOf(children=[tki, NeedsReview(reason=TKI_REFUSAL_REVIEW)]),
        systemic_lines,
        AnyOf(children=[all_lines, NeedsReview(reason=LINES_SENSE_REVIEW)]),
    ])


# ------------------------------------------------------------------ systemic therapy other than one drug
# "Has had prior systemic therapy for HCC in the advanced (incurable) setting other than sorafenib, prior to the start
# of study drug." (NCT02702401)
_OTHER_THAN_DRUG = re.compile(
    r"(?:has\s+had|has\s+received|had|received)\s+(?:any\s+)?prior\s+systemic\s+(?:anti-?cancer\s+)?(?:therapy|treatment)\s+"
    r"for\s+(?:hcc|hepatocellular\s+carcinoma)\s+in\s+the\s+advanced\s+(?:\(incurable\)\s+)?setting,?\s+other\s+than\s+"
    r"(?P<drug>[a-z][a-z0-9-]+),?(?:\s+prior\s+to\s+the\s+start\s+of\s+(?:the\s+)?study\s+(?:drug|treatment))?\s*\.?")


def _systemic_other_than(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    m = _OTHER_THAN_DRUG.fullmatch(spaced)
    if m is None:
        return None
    from hcctrials.criteria.families.therapy import drug_mentions

    drug = next((tid for s, e, tid, kind in drug_mentions(spaced) if (s, e) == m.span("drug") and kind == "drug"), None)
    if drug is None:
        return None
    return PriorTherapy(kinds=["systemic"], setting=["advanced"], except_agents=[drug],
                        label=" ".join(text.split()).rstrip("."))


# ------------------------------------------------------------------ washout, and prior therapy only after progression
# "Has received any other systemic therapy for HCC within 3 weeks prior to treatment, Day 1. Prior therapy is acceptable
# only if there is documented progression following completion of the therapy." (NCT00081900, exclusion)
_WASHOUT_UNLESS_PROGRESSED = re.compile(
    r"(?:has\s+received|received)\s+any\s+(?:other\s+)?systemic\s+therapy\s+for\s+(?:hcc|hepatocellular\s+carcinoma)\s+"
    r"within\s+(?P<n>\d+|one|two|three|four|six)\s+(?P<u>days?|weeks?)\s+prior\s+to\s+treatment,?\s*(?:day\s*1)?\s*\.\s*"
    r"prior\s+therapy\s+is\s+acceptable\s+only\s+if\s+there\s+is\s+documented\s+progression\s+following\s+completion\s+of\s+"
    r"the\s+therapy\s*\.?")


def _washout_unless_progressed(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    m = _WASHOUT_UNLESS_PROGRESSED.fullmatch(spaced)
    if m is None:
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else _NUMBERS[m.group("n")]
    days = n * (7 if m.group("u").startswith("week") else 1)
    parts = [p.strip() for p in re.split(r"(?<=\.)\s+(?=Prior therapy)", " ".join(text.split()))]
    first, second = (parts[0], parts[-1]) if len(parts) == 2 else (" ".join(text.split()),) * 2
    return AnyOf(children=[PriorTherapy(kinds=["systemic"], within_days=days, label=first),
                           PriorTherapy(kinds=["systemic"], progression_not_documented=True, label=second)])


# ------------------------------------------------------------------ no systemic therapy, octreotide after a washout
# NCT00619541 inclusion 9 (quoted in the reader's docstring below)
_NO_SYSTEMIC_EXCEPT_OCTREOTIDE = re.compile(
    r"patients\s+who\s+have\s+not\s+received\s+any\s+systemic\s+anti-?cancer\s+treatment\s+for\s+hcc\s+such\s+as\s*:?\s*"
    r"chemotherapy,\s+immunotherapy,\s+hormonal\s+therapy,\s+vaccines\s+as\s+well\s+as\s+any\s+systemic\s+agent\s+given\s+with\s+"
    r"antineoplastic\s+intent,\s+prior\s+to\s+study\s+inclusion\s*\.\s*\(\s*previous\s+local\s+therapy\s+is\s+permitted\s*\)\s*\.\s*"
    r"previous\s+treatment\s+with\s+octreotide\s+is\s+however\s+allowed,\s+provided\s+that\s+the\s+administration\s+of\s+the\s+"
    r"drug\s+was\s+discontinued\s+at\s+least\s+(?P<short>\d+)\s+days\s+prior\s+(?:to\s+)?enrol{1,2}ment\s+or\s+at\s+least\s+"
    r"(?P<lar>\d+)\s+days\s+if\s+the\s+lar\s+\(\s*long\s+acting\s+release\s*\)\s+formulation\s+of\s+the\s+drug\s+was\s+used\s*\.?")


def _no_systemic_except_octreotide(spaced: str, text: str, role: str | None) -> Node | None:
    """"Patients who have not received any systemic anti-cancer treatment for HCC such as: chemotherapy, immunotherapy,
    hormonal therapy, vaccines as well as any systemic agent given with antineoplastic intent, prior to study inclusion.
    (previous local therapy is permitted). Previous treatment with Octreotide is however allowed, provided that the
    administration of the drug was discontinued at least 7 days prior enrolment or at least 28 days if the LAR (long
    acting release) formulation of the drug was used." (inclusion): no systemic line other than octreotide, short-acting
    octreotide stopped at least 7 days and octreotide LAR at least 28 days before (the lexicon tells the two apart)."""
    if role != "inclusion":
        return None
    m = _NO_SYSTEMIC_EXCEPT_OCTREOTIDE.fullmatch(spaced)
    if m is None:
        return None
    label = " ".join(text.split())
    short, lar = int(m.group("short")), int(m.group("lar"))
    return AllOf(children=[
        Not(child=PriorTherapy(kinds=["systemic"], except_agents=["octreotide", "octreotide-lar"], label=label)),
        Not(child=PriorTherapy(agents=["octreotide"], within_days=short - 1, label="octreotide")),
        Not(child=PriorTherapy(agents=["octreotide-lar"], within_days=lar - 1, label="octreotide LAR")),
    ])


# ------------------------------------------------------------------ interferon for viral hepatitis
# "Concurrent interferon therapy against Hepatitis B Virus (HBV)/ Hepatitis C Virus (HCV)" (NCT02029157, exclusion):
# the record names the drug, not its indication (interferon alfa is also an adjuvant anticancer drug in HCC), so a
# patient on interferon needs review and a patient not on it does not meet the exclusion.
_INTERFERON_FOR_HEPATITIS = re.compile(
    r"(?:concurrent|concomitant|current)\s+(?:use\s+of\s+)?interferon\s+(?:therapy|treatment)\s+(?:against|for)\s+"
    r"(?:(?:chronic\s+)?hepatitis\s+b(?:\s+virus)?\s*(?:\(hbv\))?|hbv)\s*(?:/|or|and|and/or)\s*"
    r"(?:hepatitis\s+c(?:\s+virus)?\s*(?:\(hcv\))?|hcv)\s*\.?")
# "Antiviral therapy for HCV and HBV is allowed, but patient should not be on interferon." (NCT03253289, exclusion):
# the exclusion is interferon taken now; the permission restates that other antivirals do not exclude
_NOT_ON_INTERFERON = re.compile(
    r"antiviral\s+(?:therapy|treatment)\s+for\s+(?:hcv|hbv)\s+(?:and|or)\s+(?:hcv|hbv)\s+is\s+(?:allowed|permitted),?\s+"
    r"but\s+(?:the\s+)?(?:patients?|subjects?)\s+should\s+not\s+be\s+on\s+interferon\s*\.?")
INTERFERON_INDICATION_REVIEW = ("interferon is recorded, but not what it is given for (hepatitis B/C, or anticancer): check "
                                "the indication")


def _interferon(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "exclusion":
        return None
    label = " ".join(text.split()).rstrip(".")
    if _NOT_ON_INTERFERON.fullmatch(spaced):
        return Medication(agents=["interferon"], label=label)
    if _INTERFERON_FOR_HEPATITIS.fullmatch(spaced):
        return AllOf(children=[Medication(agents=["interferon"], label=label),
                               NeedsReview(reason=INTERFERON_INDICATION_REVIEW)])
    return None


# ------------------------------------------------------------------ pure permissions
# "Prior therapy: prior systemic therapy with sorafenib is allowed." / "Prior TACE is permitted."
_EN_PERMISSION = re.compile(
    r"(?:prior\s+therapy\s*:\s*)?(?:prior|previous)\s+(?P<what>[a-z0-9 ,/()-]{2,80}?)\s+(?:is|are)\s+(?:allowed|permitted)\s*\.?")
# "既往接受过其他局部治疗(如…)的患者可以纳入本研究。"
_ZH_PERMISSION = re.compile(
    r"既往(?:曾)?(?:接受过?|行)(?P<what>[^,，;；。()]{2,30}?)(?:的)?(?:患者|受试者)?(?:可以|可|允许)(?:被)?(?:纳入|入组|入选|参加)"
    r"(?:本研究|本试验|研究)?[。.]?")
# an example list in parentheses names members of the class already named (如 / such as): not a condition
_EXAMPLES = re.compile(r"\((?:如|例如|包括|e\.g\.|such as|including)[^()]*\)|（(?:如|例如|包括)[^（）]*）")
# words that make a permission carry a condition (then it is a rule about the condition, not read here)
_CONDITION = re.compile(r"\b(?:if|provided|as long as|only|not|no|except\w*|unless|within|at least|more than|less than"
                        r"|weeks?|days?|months?|must|prior to)\b|[≥≤<>]|\d|如果|若|只要|前提|仅|只|不|除|必须|内|以上|以下|超过")


def _therapy_words_only(what: str) -> bool:
    """True when *what* names therapies and nothing else (every word read by the therapy vocabulary)."""
    from hcctrials.criteria.families.therapy import CLASS_TERMS, all_mentions
    from hcctrials.criteria.grammar import ascii_re

    chars = list(what)
    spans = [(m.start(), m.end()) for p, _, _ in CLASS_TERMS for m in ascii_re(p).finditer(what)]
    spans += [(s, e) for s, e, _, _ in all_mentions(what)]
    if not spans:
        return False
    for s, e in spans:
        for i in range(s, e):
            chars[i] = " "
    rest = re.sub(r"\b(?:or|and|and/or|with|of|the|any|other)\b|其他|其它|或|和|及|、|,|/", " ", "".join(chars))
    return not rest.strip()


def _pure_permission(spaced: str, text: str, role: str | None) -> Node | None:
    if role != "inclusion":
        return None
    plain = _EXAMPLES.sub(" ", spaced)
    plain = re.sub(r"\s+", " ", plain).strip()
    m = _EN_PERMISSION.fullmatch(plain) or _ZH_PERMISSION.fullmatch(plain.replace(" ", ""))
    if m is None or _CONDITION.search(m.group("what")) or not _therapy_words_only(m.group("what")):
        return None
    return Permission(label=" ".join(text.split()))


def read_therapy_criterion(text: str, role: str | None) -> Node | None:
    """The whole rule of a prior-therapy / recovery criterion this module reads completely, else ``None``."""
    spaced = _spaced(text)
    for reader in (_recovery_two_sentences, _more_than_systemic_chemotherapy, _tki_line_or_refusal, _systemic_other_than,
                   _washout_unless_progressed, _no_systemic_except_octreotide, _interferon, _pure_permission):
        node = reader(spaced, text, role)
        if node is not None:
            return node
    return None

