"""CNS metastasis criteria with their qualifiers (issue 10, coverage round 4).

* Leptomeningeal disease ("leptomeningeal carcinomatosis / disease", "carcinomatous meningitis",
  "meningeal carcinomatosis", 脑膜转移) named beside CNS metastases is its own history item:
  ``HistoryCondition`` code ``leptomeningeal_disease`` (a :class:`hcctrials.model.patient.Condition`), so
  "CNS metastases or leptomeningeal carcinomatosis" reads both instead of brain metastases only.  Named
  alone it stays for review (audit of 2026-12-04, round 4).
* Qualifiers written after the metastases ("CNS or brain metastasis that is either symptomatic or
  untreated") and "... including patients who continue to require (gluco)corticoids for brain or
  leptomeningeal metastases" read as active CNS metastases (``TumourFeature(cns_metastasis_active)``:
  present and not treated-and-stable; ``TumourBurden.cns_metastasis_treated_stable`` is defined as
  treated, asymptomatic, not progressing and not needing steroids for them).
* A CNS bleed ("central nervous system bleed") is the history codes ``intracranial_haemorrhage`` or
  ``spinal_haemorrhage``; intracranial / cerebral haemorrhage (颅内出血, 脑出血) the first only; "... will be excluded from this clinical trial because of their poor prognosis and
  ..." is the rationale, not a rule.
"""

from __future__ import annotations

import re

from hcctrials.criteria.grammar import Context, Hit
from hcctrials.model.eligibility import AllOf, AnyOf, HistoryCondition, NeedsReview, Node, TumourFeature

__all__ = ["scan_cns_qualified", "read_cns_criterion"]

_LEPTO = re.compile(
    r"leptomeningeal\s+(?:carcinomatosis|disease|involvement|spread)|carcinomatous\s+meningitis"
    r"|meningeal\s+carcinomatosis|neoplastic\s+meningitis|软脑膜转移|脑膜转移|癌性脑膜炎", re.IGNORECASE)
_CNS = (r"(?:(?:known\s+)?(?:central\s+nervous\s+system\s*(?:\(cns\))?|cns|brain)"
        r"(?:\s+or\s+(?:brain|cns|leptomeningeal))?\s+metastas[ie]s)")
_CNS_BESIDE = re.compile(r"(?:central\s+nervous\s+system|\bcns\b|brain)\s*(?:\(cns\)\s*)?metastas[ie]s|脑转移|中枢神经系统转移",
                         re.IGNORECASE)
_Q = r"(?:symptomatic|untreated|progressing|actively\s+progressing)"
_POSTPOSED = re.compile(rf"{_CNS}\s+(?:that|which)\s+(?:is|are)\s+(?:either\s+)?{_Q}(?:\s*(?:,|or|and/or)\s*{_Q})*",
                        re.IGNORECASE)
_STEROID_EXAMPLE = re.compile(
    r",?\s*including\s+patients\s+who\s+(?:continue\s+to\s+)?require\s+(?:glucocorticoids|corticosteroids|steroids)\s+for\s+"
    r"(?:their\s+)?(?:brain|cns|central\s+nervous\s+system)(?:\s+or\s+leptomeningeal)?\s+metastas[ie]s", re.IGNORECASE)


_ACTIVE_CNS = re.compile(r"(?:active|untreated|symptomatic|uncontrolled|progressing)\s+(?:\w+\s+){0,2}?(?:central\s+nervous\s+system|cns|brain)"
                         r"(?:\s*\(cns\))?\s+metastas[ie]s", re.IGNORECASE)
_STABLE_ALLOWED = re.compile(
    r"\(\s*(?:(?:clinically|radiologically|neurologically)\s+)?(?:stable|treated)(?:\s*(?:,|and|/)?\s*(?:stable|treated))?\s+"
    r"(?:brain|cns|central\s+nervous\s+system)\s+metastas[ie]s[^()]{0,80}?\b(?:are\s+|is\s+)?(?:allowed|permitted|eligible)\s*\)",
    re.IGNORECASE)
_CNS_BLEED = re.compile(
    r"(?:history\s+or\s+evidence\s+upon\s+physical\s+or\s+neurological\s+examination\s+of\s+)?"
    r"(?:(?:central\s+nervous\s+system|\bcns\b|intracranial|intracerebral|cerebral|brain)\s+(?:bleed(?:ing)?|ha?emorrhages?)"
    r"|颅内出血|脑出血)", re.IGNORECASE)
# "... brain metastases will be excluded from this clinical trial because of their poor prognosis and because ...":
# the rationale is not a rule
_RATIONALE = re.compile(r"(?P<cns>(?:known\s+)?brain\s+metastases)\s+will\s+be\s+excluded\s+from\s+(?:this|the)\s+"
                        r"(?:clinical\s+)?(?:trial|study)\s+because\s+of\s+their\s+poor\s+prognosis\b[^;。]*$", re.IGNORECASE)


def scan_cns_qualified(ctx: Context) -> list[Hit]:
    """Leptomeningeal disease as its own item; postposed activity qualifiers of CNS metastases."""
    text = ctx.lower
    hits: list[Hit] = []
    # only beside CNS metastases ("CNS metastases or leptomeningeal carcinomatosis"); alone, the audit of
    # 2026-12-04 (round 4) keeps it for review (tests/criteria/families/test_family_cns.py)
    lepto = list(_LEPTO.finditer(text))
    active = list(_ACTIVE_CNS.finditer(text))
    for m in lepto:
        # "Active central nervous system metastases and/or carcinomatous meningitis": the activity qualifier is
        # shared by the two items joined to it (a leptomeningeal disease recorded active; a controlled one passes)
        shared = any(re.fullmatch(r"\s*(?:,|or|and/or|and|/)\s*", text[a.end():m.start()]) for a in active)
        hits.append(Hit(m.start(), m.end(), HistoryCondition(codes=["leptomeningeal_disease"],
                                                             status="active" if shared else "ever",
                                                             label=ctx.text[m.start():m.end()]),
                        priority=5, family="history"))
    for m in _POSTPOSED.finditer(text):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="cns_metastasis_active"), priority=5, family="tumour"))
    for m in _STEROID_EXAMPLE.finditer(text):
        # an example of "uncontrolled" CNS metastases: needing steroids for them is not treated-and-stable
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="cns_metastasis_active"), priority=7, family="tumour"))
    if _ACTIVE_CNS.search(text):
        for m in _STABLE_ALLOWED.finditer(text):
            # "(stable treated brain metastases not requiring steroids > 4 weeks allowed)" restates what "active"
            # excludes (TumourBurden.cns_metastasis_treated_stable): the same leaf, not a second condition
            hits.append(Hit(m.start(), m.end(), TumourFeature(feature="cns_metastasis_active"), priority=7, family="tumour"))
    for m in _CNS_BLEED.finditer(text):
        # a CNS bleed is intracranial or spinal; "intracranial" / "cerebral" / "brain" name the first only
        cns_wide = re.search(r"central|\bcns\b", m.group(0), re.IGNORECASE)
        codes = ["intracranial_haemorrhage", "spinal_haemorrhage"] if cns_wide else ["intracranial_haemorrhage"]
        hits.append(Hit(m.start(), m.end(), HistoryCondition(codes=codes, status="ever",
                                                             label=ctx.text[m.start():m.end()]),
                        priority=5, family="history"))
    for m in _RATIONALE.finditer(text):
        hits.append(Hit(m.start(), m.end(), TumourFeature(feature="cns_metastasis"), priority=7, family="tumour"))
    return hits


# "Known brain metastasis. Patients with neurological symptoms must undergo a CT scan/MRI of the brain to exclude brain
# metastasis." (issue 10, session 5): the second sentence tells the site how to establish the first (a screening
# procedure), it is not a second condition; read as a whole so the conditional wording ("Patients with ... must") is
# not taken for a requirement of some patients only.
_KNOWN_BRAIN_WITH_SCREENING = re.compile(
    r"known brain metastas[ie]s\.?\s*patients with neurological symptoms must undergo an? (?:ct scan|ct|mri)"
    r"(?:\s*(?:/|or)\s*(?:ct scan|ct|mri))? of the brain to exclude (?:a\s+)?brain metastas[ie]s\.?", re.IGNORECASE)


# "Symptomatic or untreated leptomeningeal or brain metastases or spinal cord compression": the two qualifiers lead the
# whole list (a spinal cord compression treated and without symptoms is allowed, as treated stable brain metastases are)
_SYMPTOMATIC_UNTREATED_LIST = re.compile(
    r"symptomatic or untreated leptomeningeal or brain metastas[ie]s,? or spinal cord compression\.?", re.IGNORECASE)


# "Symptomatic brain metastases" (issue 10 audit, session 5): read as "not treated and stable" it excluded an untreated
# metastasis without symptoms
_SYMPTOMATIC_ONLY = re.compile(r"symptomatic (?:brain|cns|central nervous system) metastas[ie]s\.?", re.IGNORECASE)


def read_cns_criterion(text: str, role: str | None) -> Node | None:
    """The rule of a whole CNS-metastasis criterion read as a clinician reads it, else ``None`` (exclusions only).

    * "Known brain metastasis. Patients with neurological symptoms must undergo a CT scan/MRI of the brain to exclude
      brain metastasis": known CNS metastases (the second sentence is the screening procedure).
    * "Symptomatic or untreated leptomeningeal or brain metastases or spinal cord compression": CNS metastases not
      treated and stable, leptomeningeal disease recorded active, or spinal cord compression recorded active (one
      treated and controlled, or resolved, passes).
    * "Symptomatic brain metastases": CNS metastases not treated and stable, needing review whether they cause symptoms
      (decides "not met" when there are none or they are treated and stable).
    """
    if role != "exclusion":
        return None
    spaced = re.sub(r"\s+", " ", text.strip())
    if _KNOWN_BRAIN_WITH_SCREENING.fullmatch(spaced):
        return TumourFeature(feature="cns_metastasis")
    if _SYMPTOMATIC_ONLY.fullmatch(spaced):
        # the record says whether CNS metastases are treated and stable, not whether untreated ones cause symptoms:
        # decided only where no metastasis can be symptomatic (none, or treated and stable)
        return AllOf(children=[TumourFeature(feature="cns_metastasis_active"), NeedsReview(
            reason="whether the brain metastases are symptomatic (untreated or progressing ones may cause no symptoms)")])
    m = _SYMPTOMATIC_UNTREATED_LIST.fullmatch(spaced)
    if m:
        return AnyOf(children=[
            TumourFeature(feature="cns_metastasis_active"),
            HistoryCondition(codes=["leptomeningeal_disease"], status="active", label="leptomeningeal metastases"),
            HistoryCondition(codes=["spinal_cord_compression"], status="active", label="spinal cord compression")])
    return None
