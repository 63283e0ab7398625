"""Leaf rules for prior therapy, history, virology, pregnancy, life expectancy and allergy.

Prior therapy counts TherapyLine entries (regimens), distinct line numbers (lines) or
distinct agents; "progressed on X" needs a progression date, stop reason 'progression' or
best response PD on an X-containing entry; windows: an entry counts when it is ongoing or
ended within the window before as_of (the longer of N days and k half-lives when the
criterion says "whichever is longer"; an unknown half-life then leaves it unknown; the shorter of the two with
"whichever is shorter": beyond N days out, within them the half-life decides).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.criteria.evaluation.facts import PatientFacts, TherapyFacts
from hcctrials.criteria.evaluation.kleene import and3
from hcctrials.criteria.text.normalise import has_cjk
from hcctrials.i18n import Msg, join_msgs, msg, named, render, term
from hcctrials.model import eligibility as E

__all__ = ["HISTORY_EVALUATORS"]

_OPS: dict[str, Callable[[int, int], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b,
}


def _v(status: str, reason: str | Callable[[], str], missing: tuple[str, ...] = ()) -> Verdict:
    return Verdict(status, reason, missing)


#: settings of a line of therapy for advanced (incurable) disease, and of treatment with curative intent
_ADVANCED_SETTINGS = frozenset({"first_line", "second_line", "later_line"})
_CURATIVE_SETTINGS = frozenset({"adjuvant", "neoadjuvant", "perioperative"})


def _in_setting(node: E.PriorTherapy, t: TherapyFacts) -> bool | None:
    """"In the advanced (incurable) setting": a first/second/later line counts, an adjuvant, neoadjuvant or
    perioperative one does not; an intermediate-stage, conversion or unrecorded setting is unknown."""
    if not node.setting:
        return True
    setting = t.line.setting
    if setting in node.setting:
        return True
    if "advanced" in node.setting:
        if setting in _ADVANCED_SETTINGS:
            return True
        if setting in _CURATIVE_SETTINGS:
            return False
        return None
    return None if setting in (None, "unknown") else False


def _not_excepted(node: E.PriorTherapy, t: TherapyFacts) -> bool | None:
    """"Other than sorafenib": a line of the excepted agents only does not count; a line with another agent
    does; a line without a resolved agent (none recorded, or a name the lexicon does not know) is unknown."""
    if not node.except_agents:
        return True
    excepted = set(node.except_agents)
    if t.agent_ids - excepted:
        return True
    if t.unresolved or not t.agent_ids:
        return None
    return False


def _matches(node: E.PriorTherapy, t: TherapyFacts) -> bool | None:
    found = _matches_therapy(node, t)
    if found is not False and (node.setting or node.except_agents):
        found = and3(found, _in_setting(node, t), _not_excepted(node, t))
    if found is False or not node.sites:
        return found
    # "radiation therapy to the liver": the site, where recorded or named in the regimen; unknown otherwise
    sites = t.sites
    if not sites:
        return None
    return found if sites & set(node.sites) else False


_MAJOR_OPERATIONS = frozenset({"hepatectomy", "alpps"})


def _major_surgery(t: TherapyFacts) -> bool | None:
    """Whether the line is a major operation: ``TherapyLine.major_surgery`` when recorded; a liver transplant, a
    liver resection or ALPPS is major; a portal vein embolization is an interventional procedure; any other
    operation is unknown (major or minor is the surgeon's statement)."""
    line = t.line
    if line.kind not in ("surgery", "transplant"):
        return False
    if line.major_surgery is not None:
        return line.major_surgery
    if line.kind == "transplant" or t.agent_ids & _MAJOR_OPERATIONS:
        return True
    if t.agent_ids and t.agent_ids <= {"pve"}:
        return False
    return None


_BIOPSY = re.compile(r"biops|活检", re.IGNORECASE)


def _open_biopsy(t: TherapyFacts) -> bool | None:
    """Whether a treatment line was an open (surgical) biopsy: only a surgery line can be one; one whose regimen
    names a biopsy is, any other operation might have been (audit round 10: unknown, not met)."""
    line = t.line
    if line.kind != "surgery":
        return False
    if line.regimen and _BIOPSY.search(line.regimen):
        return True
    return None


def _matches_therapy(node: E.PriorTherapy, t: TherapyFacts) -> bool | None:
    if "major_surgery" in node.classes:
        major = _major_surgery(t)
        rest_node = node.model_copy(update={"classes": [c for c in node.classes if c != "major_surgery"]})
        rest = _matches_therapy(rest_node, t) if (rest_node.classes or rest_node.agents or rest_node.kinds) else False
        if major is True or rest is True:
            return True
        return None if major is None or rest is None else False
    if "open_biopsy" in node.classes:
        rest_node = node.model_copy(update={"classes": [c for c in node.classes if c != "open_biopsy"]})
        rest = _matches_therapy(rest_node, t) if (rest_node.classes or rest_node.agents or rest_node.kinds) else False
        biopsy = _open_biopsy(t)
        if biopsy is True or rest is True:
            return True
        return None if biopsy is None or rest is None else False
    line = t.line
    if node.investigational is not None and line.investigational is not node.investigational:
        # True: only investigational lines count; False: only approved ones (protocol files)
        return None if line.investigational is None else False
    if not (node.kinds or node.agents or node.classes):
        return True
    # kinds, agents and classes are alternatives ("radiochemotherapy, local therapy or targeted drugs")
    if node.kinds and line.kind in node.kinds:
        return True
    if "radiotherapy" in node.classes and line.kind == "radiotherapy":
        return True  # a radiotherapy line is radiotherapy, whatever its regimen is called ("palliative RT")
    if "chemoembolization" in node.classes and not t.agent_ids & set(node.agents) and (
            "tae-tace" in t.agent_ids or ("transarterial" in t.classes and not t.agent_ids)):
        return None  # "TAE/TACE", or a transarterial therapy of unrecorded technique: chemoembolization, or not?
    if bool(t.agent_ids & set(node.agents)) or bool(t.classes & set(node.classes)):
        return True
    if "external_beam" in node.classes and "radiotherapy" in t.classes and not t.classes & {"transarterial"} \
            and line.kind == "radiotherapy" and t.agent_ids <= {"radiotherapy"}:
        return None  # "radiotherapy" without its technique: external beam, or brachytherapy?
    # a drug the lexicon does not know is kept in the rule as written ("mapatumumab"): same name, same drug
    if node.agents and {a.strip().lower() for a in line.agents} & set(node.agents):
        return True
    if (node.agents or node.classes) and t.unresolved:
        return None  # an agent the lexicon does not know might belong to the class
    if (node.agents or node.classes) and not line.agents and not t.agent_ids and not t.classes:
        # a line recorded without a name the lexicon resolves ("oral targeted therapy at an outside
        # hospital, agent not recorded") might have been the named one, if its kind allows
        if line.kind in ("systemic", "other"):
            return None
        if line.kind in ("locoregional", "radiotherapy") and _procedure_filter(node):
            return None
        if line.kind == "surgery" and _surgery_filter(node):
            return None  # "segmentectomy" the lexicon does not resolve: a liver resection, or another operation?
    return False


_PROCEDURE_TAGS = frozenset({"transarterial", "chemoembolization", "ablation", "radiotherapy", "locoregional"})


def _procedure_filter(node: E.PriorTherapy) -> bool:
    """True when the node names a locoregional procedure or radiotherapy (by class or procedure id)."""
    from hcctrials.criteria.families.therapy import therapy_tags

    return bool(set(node.classes) & _PROCEDURE_TAGS) or any(therapy_tags(a)[1] & _PROCEDURE_TAGS for a in node.agents)


def _surgery_filter(node: E.PriorTherapy) -> bool:
    """True when the node names a surgical procedure (by class or procedure id)."""
    from hcctrials.criteria.families.therapy import therapy_tags

    return bool({"surgery", "major_surgery"} & set(node.classes)) or any("surgery" in therapy_tags(a)[1] for a in node.agents)


def _progression_not_documented(t: TherapyFacts) -> bool | None:
    """"Acceptable only if there is documented progression": True when the record shows the line without documented
    progression (still taken, or ended with another outcome recorded: a stop reason or a best response other than
    progression), False when progression is documented, None when the line ended with no outcome recorded."""
    if t.progressed:
        return False
    line = t.line
    if line.ongoing or line.stop_reason is not None or line.best_response is not None:
        return True
    return None


def _in_window(node: E.PriorTherapy, t: TherapyFacts, f: PatientFacts) -> bool | None:
    if node.within_days is None:
        return True
    line = t.line
    if line.ongoing:
        return True
    last = line.end
    if node.whichever_shorter and node.half_lives:
        # the shorter of N days and k half-lives: beyond the days it is out; within them the half-life decides
        if last is None:
            return None
        days_ago = (f.as_of - last).days
        if days_ago > node.within_days:
            return False
        return None if line.half_life_days is None else days_ago <= node.half_lives * line.half_life_days
    if last is None:
        if line.start is not None and (f.as_of - line.start).days <= node.within_days:
            return True
        return None
    days_ago = (f.as_of - last).days
    if days_ago <= node.within_days:
        return True
    if node.half_lives:
        if line.half_life_days is None:
            return None if node.whichever_longer else False
        return days_ago <= node.half_lives * line.half_life_days if node.whichever_longer else False
    return False


def _prior_therapy(node: E.PriorTherapy, f: PatientFacts) -> Verdict:
    if not f.patient.treatments and not f.patient.history_reviewed:
        # an empty treatment list is "none recorded", not "none given" (issue 10 corpus): unknown until the
        # history is reviewed; a recorded list is read as complete
        what = _therapy_label(node)
        return _v("unknown", msg("{what}: no treatments recorded (history not reviewed)", what=what),
                  (msg("prior treatments (or mark the history as reviewed)"),))
    sure: list[TherapyFacts] = []
    maybe: list[TherapyFacts] = []
    missing: list[str] = []
    for t in f.therapies:
        m = _matches(node, t)
        if m is False:
            continue
        w = _in_window(node, t, f)
        if w is False:
            continue
        p: bool | None = True
        if node.require_progression:
            p = t.progressed
        if node.progression_not_documented:
            p = _progression_not_documented(t)
        if node.require_intolerance and p is not False:
            # stopped for toxicity; a line still taken, or stopped for another stated reason, was tolerated
            stop = t.line.stop_reason
            tolerated = bool(t.line.ongoing) or stop in ("progression", "completed", "patient_choice")
            stopped: bool | None = True if stop == "toxicity" else False if tolerated else None
            p = stopped if p is True else (False if stopped is False else None)
        if m and w and p:
            sure.append(t)
        elif p is not False:  # m and w are True or None here (False was skipped above)
            maybe.append(t)
            given = t.given
            if m is None and node.investigational is not None and t.line.investigational is None:
                missing.append(msg("whether {therapy} was investigational", therapy=given))
            elif m is None and node.setting and _in_setting(node, t) is None:
                missing.append(msg("setting of {therapy} (advanced disease, or adjuvant)", therapy=given))
            elif m is None and node.except_agents and _not_excepted(node, t) is None:
                missing.append(msg("agents of {therapy}", therapy=given))
            elif m is None and node.sites and not t.sites:
                missing.append(msg("where {therapy} was given (site)", therapy=given))
            elif m is None:
                missing.append(msg("drug class of {agents}", agents=", ".join(t.unresolved) or msg("an agent")))
            if w is None:
                missing.append(msg("end date / half-life of {therapy}", therapy=given))
            if p is None and node.require_intolerance:
                missing.append(msg("{label} not known", label=join_msgs(" ", [given, term("stop reason")])))
            elif p is None:
                missing.append(msg("whether disease progressed on {therapy}", therapy=given))

    def count(items: list[TherapyFacts]) -> int:
        if node.count_unit == "agents":
            return len({a for t in items for a in (t.agent_ids or set(t.line.agents))})
        if node.count_unit == "lines":
            return len({t.line.line if t.line.line is not None else id(t) for t in items})
        return len(items)

    lo, hi = count(sure), count(sure + maybe)
    op = _OPS[node.count_comparator]
    therapies = f.therapies  # the reason keeps what it names, not the patient's facts (which keep this verdict)

    def reason() -> str:  # said when read (Verdict): a match decides most prior-therapy rules by their status alone
        # name what decided: the matching lines, else the lines on record that did not match (issue 10: never
        # "0 regimens found (none)" for a treated patient)
        found: str
        if sure or maybe:  # the lines that match, and those that may (what the missing items would settle)
            found = join_msgs(msg("; "), [t.describe() for t in sure]
                              + ([msg("undetermined: {therapies}",
                                      therapies=join_msgs(msg("; "), [t.describe() for t in maybe]))]
                                 if maybe else []))
        elif therapies:
            found = msg("none among {therapies}",
                        therapies=join_msgs(msg("; "), [t.describe() for t in therapies[:4]]))
        else:
            found = msg("none recorded")
        counted = f"{lo}" if hi == lo else f"{lo}-{hi}"
        return msg("{what}: {count} {unit} ({found}); required {cmp} {required}", what=_therapy_label(node),
                   count=counted, unit=term(node.count_unit), found=found, cmp=node.count_comparator,
                   required=node.count_value)

    lo_ok, hi_ok = op(lo, node.count_value), op(hi, node.count_value)
    if lo == hi or all(op(n, node.count_value) == lo_ok for n in range(lo, hi + 1)):
        return _v("met" if lo_ok else "not_met", reason)
    _ = hi_ok
    return _v("unknown", reason, tuple(dict.fromkeys(missing)))


class _TherapySubject(Msg):
    """A prior-therapy rule's subject: its criterion's words as written (the English reason, the audits), and for a
    reader of another language what the rule counts, described from the rule itself when rendered (never built for
    an English reader; pickles with its rule, as reasons cross the screening pool)."""

    node: E.PriorTherapy

    def __new__(cls, label: str, node: E.PriorTherapy) -> _TherapySubject:
        self = str.__new__(cls, label)
        self.msgid, self.fields, self.node = "", {}, node
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_TherapySubject, (str.__str__(self), self.node))

    def rendered(self, language: str) -> str:
        if language == "en":
            return str.__str__(self)
        from hcctrials.criteria.compiler.describe_i18n import prior_therapy_subject

        return prior_therapy_subject(self.node, language) or str(render(msg("matching therapy"), language))


def _therapy_label(node: E.PriorTherapy) -> str:
    """The subject of a prior-therapy reason: the criterion's words (a Chinese reader of an English criterion reads
    what the rule counts, in Chinese), else "matching therapy"."""
    if not node.label:
        return msg("matching therapy")
    if has_cjk(node.label):
        return str(node.label)
    return _TherapySubject(str(node.label), node)


def _history_label(node: Any) -> str:
    """What a history reason calls the item: the criterion's words as written (what the English reason
    and the precision audits read); a reader of the other language gets the catalog's names of the
    history codes the rule checks ("hemoptysis" -> 咯血), never English words inside a Chinese sentence."""
    return _history_label_of(tuple(node.codes), node.label)


@lru_cache(maxsize=8192)
def _history_label_of(codes: tuple[str, ...], label: str | None) -> str:
    """:func:`_history_label` of a rule's codes and words: it depends on the criterion alone, and a match reads the
    same history rules for every patient, so it is said once per process (a message, immutable)."""
    named_codes = join_msgs("/", [term(c) for c in codes])
    if not label:
        return named_codes
    if not codes or has_cjk(label):
        return str(label)
    return named(str(label), zh=named_codes)


_CODE_ALIASES = {"organ_transplant": {"organ_transplant", "liver_transplant", "kidney_transplant"},
                 # a variceal bleed is a gastrointestinal bleed
                 "gi_bleeding": {"gi_bleeding", "variceal_bleeding"},
                 # a stem cell / bone marrow transplant without "allogeneic": either kind
                 "stem_cell_transplant": {"stem_cell_transplant", "allogeneic_stem_cell_transplant",
                                          "autologous_stem_cell_transplant"},
                 # issue 10 (session 6): "History of cardiac disease": every recorded heart disease, and the operations and
                 # devices that only a heart disease brings (criteria/families/cardiopulmonary.py)
                 "cardiac_disease": {"cardiac_disease", "myocardial_infarction", "unstable_angina", "angina", "heart_failure",
                                     "arrhythmia", "ventricular_arrhythmia", "coronary_artery_disease",
                                     "coronary_revascularisation", "cardiomyopathy", "long_qt_syndrome", "cardiac_surgery",
                                     "cardiac_pacemaker", "implantable_defibrillator"},
                 # unstable coronary artery disease: an acute coronary syndrome (unstable angina; an infarction is read by its
                 # own item and window)
                 "unstable_coronary_artery_disease": {"unstable_coronary_artery_disease", "unstable_angina"}}
#: a code is known absent when a wider code is recorded absent (no organ transplant: no liver transplant)
_ABSENT_BY_WIDER = {"liver_transplant": ("organ_transplant",), "kidney_transplant": ("organ_transplant",),
                    "allogeneic_stem_cell_transplant": ("stem_cell_transplant",),
                    "autologous_stem_cell_transplant": ("stem_cell_transplant",)}
_VIRAL_HEPATITIS = re.compile(r"hepatitis\s*(?:b|c)\b|\bhbv\b|\bhcv\b|乙型肝炎|丙型肝炎|乙肝|丙肝", re.IGNORECASE)
#: issue 10 (session 6): a record of a wider (or overlapping) code leaves a narrower one unknown: an immunodeficiency of
#: unstated kind may be primary; a GI bleed recorded without its presentation may have been vomited (haematemesis)
_UNKNOWN_BY_WIDER = {"primary_immunodeficiency": ("immunodeficiency",),
                     "haematemesis": ("gi_bleeding", "variceal_bleeding", "bleeding")}
_ABSENT_BY_WIDER.update({"primary_immunodeficiency": ("immunodeficiency",), "haematemesis": ("gi_bleeding",)})
#: a wider record whose name says the narrower kind is a record of it ("immunodeficiency", name "CVID")
_KIND_NAMES = {"primary_immunodeficiency": re.compile(r"primary immunodeficien|common variable|\bcvid\b|原发性免疫缺陷",
                                                      re.IGNORECASE)}
#: a code is known absent when all its narrower codes are recorded absent
_ABSENT_BY_PARTS = {"stem_cell_transplant": ("allogeneic_stem_cell_transplant", "autologous_stem_cell_transplant")}


def _history_absent(node: E.HistoryCondition, f: PatientFacts) -> str | None:
    """Why every code of *node* is known to be absent (negative assertions), else None.

    A code is absent when the conditions list has ``status: absent`` for it, or a dedicated
    patient field says so (``liver.encephalopathy_history`` False; ``virology.hiv_positive``
    False; current encephalopathy 'none' for an 'active' criterion)."""
    p = f.patient
    asserted = {c.code for c in p.conditions if c.status == "absent"}
    reasons = []
    for code in node.codes:
        wider = next((w for w in _ABSENT_BY_WIDER.get(code, ()) if w in asserted), None)
        if code in asserted:
            reasons.append(msg("{item} recorded absent", item=_code_term(code)))
        elif wider:
            reasons.append(msg("{item} recorded absent", item=_code_term(wider)))
        elif code in _ABSENT_BY_PARTS and all(part in asserted for part in _ABSENT_BY_PARTS[code]):
            reasons.append(msg("{item} recorded absent",
                               item=join_msgs(msg(" and "), [_code_term(part) for part in _ABSENT_BY_PARTS[code]])))
        elif code == "hepatic_encephalopathy" and p.liver.encephalopathy_history is False:
            reasons.append(msg("no history of hepatic encephalopathy"))
        elif code == "hepatic_encephalopathy" and node.status in ("active", "current") and node.look_back_days is None \
                and p.liver.encephalopathy == "none":
            reasons.append(msg("no current encephalopathy"))
        elif code == "leptomeningeal_disease" and (p.tumour.cns_metastasis is False or p.tumour.extrahepatic_spread is False):
            # leptomeningeal metastasis is a CNS metastasis: none recorded (or no extrahepatic disease) rules it out
            reasons.append(msg("no CNS metastasis recorded"))
        elif code in ("hiv", "aids") and p.virology.hiv_positive is False:
            reasons.append(msg("HIV negative"))  # AIDS is the advanced stage of HIV infection
        elif code == "hdv_infection" and p.virology.hbsag_positive is False:
            reasons.append(msg("HBsAg negative (hepatitis D needs hepatitis B)"))
        elif code == "encephalopathy_medication" and p.liver.encephalopathy_history is False \
                and p.liver.encephalopathy in (None, "none"):
            reasons.append(msg("never had hepatic encephalopathy"))
        else:
            return None
    return join_msgs(msg("; "), reasons)


def _code_term(code: str) -> str:
    """A history code in words ("hepatic_encephalopathy" -> "hepatic encephalopathy"), a vocabulary term."""
    return term(code.replace("_", " "))


_BYPASS = re.compile(r"bypass|\bcabg\b|搭桥|graft", re.IGNORECASE)
_STENT = re.compile(r"stent|angioplasty|\bpci\b|\bptca\b|percutaneous|支架|介入|球囊", re.IGNORECASE)


def _revascularisation_kind(name: str | None) -> str | None:
    """'surgery' (coronary artery bypass graft), 'percutaneous' (stent, angioplasty) or None (not said)."""
    if name and _BYPASS.search(name) and not _STENT.search(name):
        return "surgery"
    if name and _STENT.search(name) and not _BYPASS.search(name):
        return "percutaneous"
    return None


#: Conditions that last for life once they happened: a record without a status is still present.
_LIFELONG_CODES = frozenset({"organ_transplant", "liver_transplant", "kidney_transplant", "allogeneic_stem_cell_transplant",
                             "stem_cell_transplant", "autologous_stem_cell_transplant", "allogeneic_tissue_transplant",
                             "hiv", "cardiac_pacemaker", "implantable_defibrillator",
                             # an AIDS diagnosis is kept for life (CDC 2014 surveillance case definition, stage 3)
                             "aids"})


def _history(node: E.HistoryCondition, f: PatientFacts) -> Verdict:
    """History leaf.  Recorded present -> met; recorded absent (``Condition.status == 'absent'``
    or a dedicated field) -> not_met; ``Patient.history_reviewed`` -> not_met ("history
    reviewed; not recorded"); otherwise unknown, naming the item.  A recorded entry whose
    status answers an 'active' criterion without a window (e.g. 'controlled') decides it;
    an old dated event does not rule out a recent one unless the history was reviewed."""
    p, codes = f.patient, set(node.codes)
    for code in list(codes):
        codes |= _CODE_ALIASES.get(code, set())
    found: list[str] = []
    unknown: list[str] = []
    decided: list[str] = []
    for c in p.conditions:
        bypass = False
        if "cardiac_surgery" in codes and c.code == "coronary_revascularisation" and c.code not in codes \
                and c.status != "absent":
            # a revascularisation is cardiac surgery when it was a bypass graft, not when it was a stent
            kind = _revascularisation_kind(c.name)
            if kind is None:
                unknown.append(msg("whether {item} was a bypass operation or a stent", item=c.name or c.code))
            bypass = kind == "surgery"
        for narrow, (wider, named, other, question) in _NAMED_NARROWER.items():
            if narrow in codes and c.code in wider and c.code not in codes and c.status != "absent":
                # issue 10 (session 6): a record under a wider code is the narrower item when its name says so (a stroke
                # recorded as an arterial thromboembolism, atrial fibrillation as an arrhythmia); one named as something
                # else is not; an unnamed one may be
                words = f"{c.name or ''} {c.detail or ''}"
                if named.search(words):
                    bypass = True
                elif not other.search(words) and not _outside_window(node, c, f):
                    unknown.append(msg(question, item=c.name or _code_term(c.code)))
        if (c.code not in codes and not bypass) or c.status == "absent":
            continue
        if node.except_viral_hepatitis:
            # "serious infection ... except for HBV and HCV infection": the exception is read from the record's name
            if c.name is None:
                unknown.append(msg("whether {item} is hepatitis B or C", item=_code_term(c.code)))
                continue
            if _VIRAL_HEPATITIS.search(c.name):
                continue  # excepted (other infections are decided by the rest of the record)
        if node.status == "active" and node.requires_systemic_treatment and c.status == "controlled" \
                and c.requires_systemic_treatment is not False:
            # "active autoimmune disease that has required systemic treatment": a disease kept controlled by
            # systemic treatment (azathioprine, steroids) is what the criterion names
            if c.requires_systemic_treatment:
                found.append(msg("{item} (controlled on systemic treatment)", item=c.name or c.code))
            else:
                unknown.append(msg("whether {item} is controlled by systemic treatment", item=c.name or c.code))
            continue
        if node.status == "active" and c.status not in ("active", None):
            if node.look_back_days is None:
                decided.append(msg("{item} {status}", item=c.name or c.code, status=term(str(c.status))))
            elif c.resolved_on is not None and 0 <= (f.as_of - c.resolved_on).days <= node.look_back_days:
                found.append(c.name or c.code)  # active until a date inside the window
            elif c.resolved_on is None and not (node.requires_systemic_treatment and c.requires_systemic_treatment is False):
                # audit round 10: "History of uncontrolled seizures ... within the last 6 months" and a seizure disorder
                # controlled now: it may have been uncontrolled within the window (the record does not say since when)
                unknown.append(msg("whether {item} was active within the window", item=c.name or c.code))
            continue
        if node.status == "active" and c.status is None:
            unknown.append(msg("whether {item} is active", item=c.name or c.code))
            continue
        if node.status == "current" and c.status in ("resolved", "history"):
            # "Patients with heart failure": a condition the patient has now (active or controlled), not a past one
            if node.look_back_days is None:
                decided.append(msg("{item} {status}", item=c.name or c.code, status=term(str(c.status))))
            continue
        if node.status == "current" and c.status is None and set(node.codes) - _LIFELONG_CODES:
            unknown.append(msg("whether {item} is still present", item=c.name or c.code))
            continue
        if node.new_onset and node.look_back_days is not None:
            # issue 10: "new onset angina (began within the last 3 months)": the onset date decides, not the activity
            if c.onset is None:
                unknown.append(msg("date of {item}", item=c.name or c.code))
            elif 0 <= (f.as_of - c.onset).days <= node.look_back_days:
                found.append(c.name or c.code)
            continue
        # active, or controlled (still present, kept in check by treatment): within any window
        if node.look_back_days is not None and c.status not in ("active", "controlled"):
            if c.onset is None and c.resolved_on is None:
                unknown.append(msg("date of {item}", item=c.name or c.code))
                continue
            last = c.resolved_on or c.onset
            if last is not None and (f.as_of - last).days > node.look_back_days:
                continue
        if node.min_grade is not None and (c.ctcae_grade or 0) < node.min_grade:
            if c.ctcae_grade is None:
                unknown.append(msg("CTCAE grade of {item}", item=c.name or _code_term(c.code)))
            continue  # a lower grade does not count (other, unrecorded events are left to the history review)
        if node.min_nyha_class is not None and (c.nyha_class or 0) < node.min_nyha_class:
            # issue 10: "Class III or IV congestive heart failure" in a list "within the past 6 months": the recorded
            # NYHA class is today's; a lower class now may have been higher within the window
            if c.nyha_class is None:
                unknown.append(msg("NYHA class of {item}", item=c.name or _code_term(c.code)))
            elif node.look_back_days is not None:
                unknown.append(msg("NYHA class of {item} within the last {days} days (now class {nyha})",
                                   item=c.name or _code_term(c.code), days=node.look_back_days, nyha=c.nyha_class))
            elif node.status == "ever":
                # "History of symptomatic heart failure": a higher class in the past is not ruled out by today's
                unknown.append(msg("highest NYHA class of {item} (now class {nyha})", item=c.name or _code_term(c.code),
                                   nyha=c.nyha_class))
            else:
                decided.append(msg("{item} NYHA class {nyha}", item=c.name or _code_term(c.code), nyha=c.nyha_class))
            continue
        if node.requires_systemic_treatment and c.requires_systemic_treatment is not True:
            if c.requires_systemic_treatment is None:
                unknown.append(msg("whether {item} requires systemic treatment", item=c.name or c.code))
            else:
                decided.append(msg("{item} without systemic treatment", item=c.name or c.code))
            continue
        found.append(c.name or c.code)
    for code in node.codes:
        for c in p.conditions:
            if c.code in _UNKNOWN_BY_WIDER.get(code, ()) and c.code not in codes and c.status != "absent":
                kind_named = code in _KIND_NAMES and c.name is not None and bool(_KIND_NAMES[code].search(c.name))
                if kind_named and (node.status == "ever" and node.look_back_days is None or c.status == "active"
                                   and node.look_back_days is None):
                    found.append(c.name or c.code)  # the record names the kind ("immunodeficiency: CVID")
                elif kind_named and node.look_back_days is None and c.status in ("controlled", "resolved", "history") \
                        and node.status == "active":
                    decided.append(msg("{item} {status}", item=c.name or c.code, status=term(str(c.status))))
                else:
                    unknown.append(msg("whether {item} is {narrower}", item=c.name or _code_term(c.code),
                                       narrower=_code_term(code)))
    if "aids" in codes and p.virology.hiv_positive and not any(c.code == "aids" for c in p.conditions):
        unknown.append(msg("whether the HIV infection has progressed to AIDS"))  # a stage the history may not name
    if "immunodeficiency" in codes and p.virology.hiv_positive and not any(
            c.code in ("immunodeficiency", "aids") for c in p.conditions):
        # HIV infection is an acquired immunodeficiency; whether a trial's "diagnosis of immunodeficiency" means it
        # (KEYNOTE texts exclude HIV in a separate item) is the reader's call, not the rule's
        unknown.append(msg("whether the HIV infection counts as the immunodeficiency the criterion names"))
    if "haematemesis" in codes and any(d <= f.as_of for d in p.liver.variceal_bleeding_dates):
        unknown.append(msg("whether {item} is {narrower}", item=_code_term("variceal_bleeding"),
                           narrower=_code_term("haematemesis")))
    # facts held outside the conditions list
    lv = p.liver
    if "hepatic_encephalopathy" in codes:
        if lv.encephalopathy not in (None, "none"):
            found.append(msg("current encephalopathy {grade}", grade=term(str(lv.encephalopathy))))
        elif node.look_back_days is None and node.status == "ever" and lv.encephalopathy_history:
            found.append(msg("history of hepatic encephalopathy"))
    if "variceal_bleeding" in codes or "gi_bleeding" in codes:
        for d in lv.variceal_bleeding_dates:
            if d <= f.as_of and (node.look_back_days is None or (f.as_of - d).days <= node.look_back_days):
                if node.status in ("current", "active") and node.look_back_days is None:
                    # a dated bleed is an event, not a state: one in the last 30 days may still be active
                    if (f.as_of - d).days <= 30:
                        unknown.append(msg("whether the variceal bleeding of {date} is still active", date=d.isoformat()))
                else:
                    found.append(msg("variceal bleeding {date}", date=d.isoformat()))
    if "hiv" in codes and p.virology.hiv_positive:
        found.append(msg("HIV positive"))
    if codes & {"organ_transplant"}:
        found.extend(msg("transplant") for t in p.treatments if t.kind == "transplant")
    _derived(node, f, codes, found, unknown)
    label = _history_label(node)

    # the reasons are said when read (Verdict): a match decides most history rules by their status alone
    def window() -> str:
        return msg(" within {days} days", days=node.look_back_days) if node.look_back_days is not None else ""

    if found:
        return _v("met", lambda: msg("{item}{window}: {found}", item=label, window=window(),
                                     found=join_msgs(msg(", "), found)))
    if unknown:
        return _v("unknown", lambda: msg("{item}{window}: not decidable", item=label, window=window()),
                  tuple(unknown))
    absent = _history_absent(node, f)
    if absent:
        return _v("not_met", lambda: msg("no {item}{window} ({why})", item=label, window=window(), why=absent))
    if decided and node.look_back_days is None:
        return _v("not_met", lambda: msg("no {item}{window} ({why})", item=label, window=window(),
                                         why=join_msgs(msg(", "), decided)))
    if p.history_reviewed:
        return _v("not_met", lambda: msg("no {item}{window}: history reviewed; not recorded", item=label,
                                         window=window()))
    reviewed, stale = _items_reviewed(node, f, codes)
    if reviewed:
        return _v("not_met", lambda: msg("no {item}{window}: {why}", item=label, window=window(), why=reviewed))
    if stale:
        return _v("unknown", lambda: msg("{item}{window}: {why}", item=label, window=window(), why=stale),
                  (msg("history of {item} reviewed at screening", item=label),))
    return _v("unknown", lambda: msg("{item}{window}: not recorded and the history is not marked as reviewed",
                                     item=label, window=window()),
              (msg("history of {item} (or mark the history as reviewed)", item=label),))


def _items_reviewed(node: E.HistoryCondition, f: PatientFacts, codes: set[str]) -> tuple[str | None, str | None]:
    """Whether every code of *node* was reviewed as complete at screening (``Condition.reviewed_on``).

    Returns (why the item is settled absent, None) when each code has a record reviewed within the
    screening window (``lab_window_days`` before ``as_of``, as for labs) and no recorded episode
    counted; (None, why not) when a review exists but is older than the window or after the
    screening date; (None, None) when no code was reviewed.  Called only after the recorded
    episodes were found outside the criterion (no episode in its window, none active)."""
    reviews: dict[str, date] = {}
    for c in f.patient.conditions:
        if c.code in codes and c.reviewed_on is not None:
            reviews[c.code] = max(reviews.get(c.code, c.reviewed_on), c.reviewed_on)
    if not reviews:
        return None, None
    oldest = f.as_of - timedelta(days=f.lab_window_days)
    settled = []
    for code in node.codes:
        item = node.label if len(node.codes) == 1 and node.label else _code_term(code)
        when = reviews.get(code) or next((reviews[a] for a in _CODE_ALIASES.get(code, ()) if a in reviews), None)
        if when is None:
            return None, None
        if when > f.as_of:
            return None, msg("history of {item} reviewed {date}, after the screening date", item=item,
                             date=when.isoformat())
        if when < oldest:
            return None, msg("history of {item} last reviewed {date}, more than {days} days before screening",
                             item=item, date=when.isoformat(), days=f.lab_window_days)
        settled.append(msg("history of {item} reviewed complete {date}", item=item, date=when.isoformat()))
    return join_msgs(msg("; "), settled), None


#: a thromboembolism named as cerebrovascular, or for another site (issue 10, session 6)
_CEREBRAL_EVENT = re.compile(r"stroke|cerebr|\bcva\b|\btias?\b|transient\s+isch|lacunar|brain|sinus\s+thrombosis|"
                             r"脑梗|脑卒中|中风|脑血栓|短暂性脑缺血|脑静脉", re.IGNORECASE)
_OTHER_SITE_EVENT = re.compile(r"deep\s+ve(?:in|nous)|\bdvt\b|pulmonary\s+embol|\bpe\b|portal|femoral|popliteal|iliac|"
                               r"mesenteric|renal|splenic|\blimbs?\b|\blegs?\b|\barms?\b|myocardial|coronary|深静脉|肺栓塞|门静脉", re.IGNORECASE)


_AF = re.compile(r"atrial\s+fibrillation|\baf\b|\bafib\b|\ba-?fib\b|房颤|心房颤动", re.IGNORECASE)
_OTHER_RHYTHM = re.compile(r"flutter|ventric|\bvt\b|\bsvt\b|\bvf\b|tachycardia|brady|block|sinus|extrasystol|ectop|premature|"
                           r"wolff|\bwpw\b|torsade|房扑|室性|室上性|心动过缓|阻滞", re.IGNORECASE)
#: narrower item -> (wider codes it may be recorded under, words naming it, words naming something else, the question)
_NAMED_NARROWER: dict[str, tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str], str]] = {
    "thrombotic_cerebrovascular_event": (("arterial_thromboembolism", "venous_thromboembolism"), _CEREBRAL_EVENT,
                                         _OTHER_SITE_EVENT, "whether {item} was cerebrovascular"),
    "atrial_fibrillation": (("arrhythmia",), _AF, _OTHER_RHYTHM, "whether {item} is atrial fibrillation"),
}


def _outside_window(node: E.HistoryCondition, c: Any, f: PatientFacts) -> bool:
    """True when the condition record *c* is a past event whose last date lies before the window of *node*."""
    if node.look_back_days is None or c.status in ("active", "controlled", None):
        return False
    last = c.resolved_on or c.onset
    return last is not None and (f.as_of - last).days > node.look_back_days


#: words naming the heart in a condition's code, name or detail ("cardiac disease", issue 10 session 6)
_HEART_WORDS = re.compile(r"heart|cardi|coronar|myocard|angina|arrhythm|atrial|ventric|valv|mitral|tricuspid|aortic\s+(?:stenosis|"
                          r"regurgitation|insufficiency)|endocard|pericard|brady|tachy|flutter|fibrillation|心脏|心肌|心律|心包|瓣膜|冠",
                          re.IGNORECASE)
#: primary tumours of the brain or spinal cord, benign or malignant (WHO classification of CNS tumours, 5th ed.)
_CNS_TUMOUR_WORDS = re.compile(r"glioma|glioblastoma|astrocytoma|oligodendroglioma|ependymoma|medulloblastoma|meningioma|"
                               r"schwannoma|acoustic\s+neuroma|craniopharyngioma|pituitary\s+(?:adenoma|tumou?r)|(?:brain|cns|"
                               r"spinal\s+cord|central\s+nervous\s+system)\s+(?:tumou?r|cancer|neoplasm|lymphoma)|脑瘤|胶质瘤|"
                               r"脑膜瘤|垂体瘤", re.IGNORECASE)
#: cardiac codes that are cardiovascular disease; whether one is "clinically significant" is the clinician's call
_CARDIAC_CODES = frozenset({"myocardial_infarction", "unstable_angina", "heart_failure", "arrhythmia", "ventricular_arrhythmia",
                            "coronary_artery_disease", "coronary_revascularisation", "cardiomyopathy", "long_qt_syndrome"})


def _derived(node: E.HistoryCondition, f: PatientFacts, codes: set[str], found: list[str], unknown: list[str]) -> None:
    """Codes decided from related records (round 4): a narrower code than the one recorded leaves the
    item unknown, never absent; a record that implies the item decides it."""
    p = f.patient
    present = [c for c in p.conditions if c.status != "absent"]
    if "ventricular_arrhythmia" in codes:
        for c in present:
            if c.code == "arrhythmia":
                words = f"{c.name or ''} {c.detail or ''}".lower()
                if "ventricular" in words and "supraventricular" not in words:
                    found.append(c.name or msg("ventricular arrhythmia"))
                elif not re.search(r"atrial|supraventricular|\baf\b|flutter", words):
                    unknown.append(msg("whether {item} is ventricular", item=c.name or msg("the recorded arrhythmia")))
    if "cardiovascular_disease" in codes:
        for c in present:
            if c.code in _CARDIAC_CODES:
                unknown.append(msg("whether {item} is clinically significant cardiovascular disease",
                                   item=c.name or c.code))
    if "cardiac_disease" in codes:
        # a record under another code that names the heart (valve disease, pericarditis) or may be cardiac
        # (clinically significant cardiovascular disease, a pericardial effusion) leaves "cardiac disease" unknown
        for c in present:
            if c.code not in codes and (c.code in ("cardiovascular_disease", "pericardial_effusion")
                                        or _HEART_WORDS.search(f"{c.code} {c.name or ''} {c.detail or ''}")):
                unknown.append(msg("whether {item} is a cardiac disease", item=c.name or c.code))
    if "unstable_coronary_artery_disease" in codes:
        # coronary artery disease recorded active (or without a status) may be unstable (an acute coronary syndrome)
        for c in present:
            if c.code == "coronary_artery_disease" and c.status in ("active", None):
                unknown.append(msg("whether {item} is unstable", item=c.name or _code_term(c.code)))
    if "symptomatic_conduction_abnormality" in codes:
        # a conduction abnormality recorded without its symptoms (or a block, bradycardia, sinus node disease recorded as an
        # arrhythmia) may be the symptomatic one
        for c in present:
            if c.code == "conduction_abnormality" or (c.code in ("arrhythmia", "cardiac_pacemaker") and re.search(
                    r"block|brady|sinus|conduction|pacemaker|传导|阻滞|心动过缓", f"{c.code} {c.name or ''} {c.detail or ''}",
                    re.IGNORECASE)):
                unknown.append(msg("whether {item} is a symptomatic conduction abnormality", item=c.name or c.code))
    if "cns_tumour" in codes:
        # a primary brain or spinal-cord tumour may be recorded as another malignancy: named for the CNS it counts (while
        # present), unnamed it leaves the item unknown; a benign one (meningioma) may be recorded under any code
        for c in present:
            if c.code == "cns_tumour" or c.status in ("resolved", "history"):
                continue
            words = f"{c.name or ''} {c.detail or ''}"
            if _CNS_TUMOUR_WORDS.search(words):
                (found if c.status in ("active", "controlled") else unknown).append(
                    c.name or msg("central nervous system tumour"))
            elif c.code == "other_malignancy" and not words.strip() and c.malignancy_type in (None, "other"):
                unknown.append(msg("whether {item} is a central nervous system tumour", item=c.name or _code_term(c.code)))
    if "encephalopathy_medication" in codes:
        lv = p.liver
        for c in present:
            if c.code == "hepatic_encephalopathy":
                if c.status in ("controlled", "active"):  # HE kept controlled (or treated now) by lactulose/rifaximin
                    found.append(msg("{item} ({status})", item=c.name or msg("hepatic encephalopathy"),
                                     status=term(str(c.status))))
                else:
                    unknown.append(msg("whether medication to prevent encephalopathy is needed after {item}",
                                       item=c.name or msg("past HE")))
        if lv.encephalopathy not in (None, "none"):
            found.append(msg("current encephalopathy {grade} (needs treatment)", grade=term(str(lv.encephalopathy))))
        elif lv.encephalopathy_history and not any(c.code == "hepatic_encephalopathy" for c in present):
            unknown.append(msg("whether medication to prevent encephalopathy is needed after past HE"))
    if "liver_transplant" in codes:
        # a transplant line of the HCC treatment history is a liver transplant; an organ transplant recorded without its
        # organ may be one
        found.extend(msg("liver transplant ({date})", date=t.start.isoformat()) if t.start else msg("liver transplant")
                     for t in p.treatments if t.kind == "transplant")
        for c in present:
            if c.code != "organ_transplant":
                continue
            words = f"{c.name or ''} {c.detail or ''}".lower()
            if re.search(r"liver|hepatic|肝", words):
                found.append(c.name or msg("liver transplant"))
            elif not re.search(r"kidney|renal|heart|cardiac|lung|pancrea|cornea|intestin|肾|心|肺|胰|角膜|肠", words):
                unknown.append(msg("which organ was transplanted ({item})", item=c.name or msg("organ transplant")))
    if "inflammatory_bowel_disease" in codes:
        # issue 10 (session 6): Crohn's disease or ulcerative colitis recorded as an autoimmune or inflammatory disease
        for c in present:
            if c.code not in ("autoimmune_disease", "inflammatory_disease") or (
                    node.status == "active" and c.status not in ("active", None)):
                continue
            words = f"{c.name or ''} {c.detail or ''}".lower()
            if re.search(r"crohn|colitis|inflammatory bowel|\bibd\b|克罗恩|结肠炎|炎症性肠病", words):
                if (node.status == "active" and c.status is None) or node.look_back_days is not None:
                    unknown.append(msg("whether {item} is active", item=c.name or c.code))
                else:
                    found.append(c.name or msg("inflammatory bowel disease"))
            elif not words.strip():
                unknown.append(msg("whether {item} is inflammatory bowel disease", item=_code_term(c.code)))
    if "autologous_stem_cell_transplant" in codes and "stem_cell_transplant" not in node.codes:
        # issue 10 (session 6): a stem cell transplant recorded without its kind may have been autologous
        for c in present:
            if c.code == "stem_cell_transplant":
                words = f"{c.name or ''} {c.detail or ''}".lower()
                if re.search(r"allogen|allo-|异基因|同种异体", words):
                    continue
                if node.look_back_days is not None and c.onset is not None and \
                        (f.as_of - c.onset).days > node.look_back_days:
                    continue  # before the window, whatever its kind
                if re.search(r"autolog|自体", words):
                    if node.look_back_days is None or c.onset is not None:
                        found.append(c.name or msg("autologous stem cell transplant"))
                    else:
                        unknown.append(msg("date of {item}", item=c.name or _code_term(c.code)))
                else:
                    unknown.append(msg("whether {item} was autologous", item=c.name or _code_term(c.code)))
    if "dialysis" in codes and p.liver.dialysis_twice_in_past_week:
        found.append(msg("dialysis twice in the past week"))


@lru_cache(maxsize=256)
def _hbv_dna_below(limit: float | None) -> E.LabThreshold:
    """The lab rule "HBV DNA < *limit* IU/mL" of an "HBV controlled" criterion (a rule, immutable: built once)."""
    return E.LabThreshold(analyte="hbv_dna", comparator="<", value=limit, unit="IU/mL")


def _virology(node: E.Virology, f: PatientFacts) -> Verdict:
    v = f.patient.virology
    if node.marker == "hiv":
        if v.hiv_positive is None:
            return _v("unknown", msg("HIV status not known"), (msg("HIV antibody"),))
        return _v("met" if v.hiv_positive else "not_met", msg("HIV positive") if v.hiv_positive else msg("HIV negative"))
    if node.marker == "hcv_rna":
        if v.hcv_rna_detectable is None and v.anti_hcv_positive is False:
            return _v("not_met", msg("anti-HCV negative (no HCV infection)"))
        if v.hcv_rna_detectable is None:
            return _v("unknown", msg("HCV RNA not known"), (msg("HCV RNA"),))
        return _v("met" if v.hcv_rna_detectable else "not_met",
                  msg("HCV RNA detectable") if v.hcv_rna_detectable else msg("HCV RNA undetectable"))
    if node.marker == "hbsag":
        if v.hbsag_positive is None:
            return _v("unknown", msg("HBsAg not known"), (msg("HBsAg"),))
        return _v("met" if v.hbsag_positive else "not_met",
                  msg("HBsAg positive") if v.hbsag_positive else msg("HBsAg negative"))
    if node.marker == "hbv_hcv_coinfection":
        if v.hbsag_positive is False or v.hcv_rna_detectable is False or (
                v.hcv_rna_detectable is None and v.anti_hcv_positive is False):  # anti-HCV negative: no HCV infection
            return _v("not_met", msg("no HBV/HCV co-infection"))
        if v.hbsag_positive and v.hcv_rna_detectable:
            return _v("met", msg("HBsAg positive and HCV RNA detectable"))
        return _v("unknown", msg("co-infection not decidable"), (msg("HBsAg"), msg("HCV RNA")))
    # hbv_controlled
    if v.hbsag_positive is None:
        return _v("unknown", msg("HBsAg not known"), (msg("HBsAg"),))
    if not v.hbsag_positive:
        return _v("met", msg("HBsAg negative"))
    from hcctrials.criteria.evaluation.leaves import _lab

    # several criteria read the same limit ("HBV DNA < 500 IU/mL"): decided once per patient
    key = f"virology: hbv_dna < {node.hbv_dna_max_iu_ml!r} IU/mL"
    dna = f.cache.get(key)
    if dna is None:
        dna = f.cache[key] = _lab(_hbv_dna_below(node.hbv_dna_max_iu_ml), f)
    parts = [dna]
    if node.require_antiviral:
        if v.hbv_antiviral is None:
            parts.append(_v("unknown", msg("antiviral therapy not known"), (msg("HBV antiviral therapy"),)))
        elif not v.hbv_antiviral:
            parts.append(_v("not_met", msg("HBsAg positive without antiviral therapy")))
        elif node.antiviral_min_days:
            if v.hbv_antiviral_start is None:
                parts.append(_v("unknown", msg("antiviral start not known"), (msg("HBV antiviral start date"),)))
            else:
                days = (f.as_of - v.hbv_antiviral_start).days
                parts.append(_v("met" if days >= node.antiviral_min_days else "not_met",
                                msg("antiviral therapy for {days} days (required ≥ {required})", days=days,
                                    required=node.antiviral_min_days)))
        else:
            parts.append(_v("met", msg("on HBV antiviral therapy")))
    from hcctrials.criteria.evaluation.outcome import combine_all

    return combine_all(parts)


def _pregnancy(node: E.Pregnancy, f: PatientFacts) -> Verdict:
    p = f.patient
    if p.sex == "male":
        return _v("not_met", msg("male patient"))
    values = ([p.pregnant] if node.include_pregnancy else []) + ([p.breastfeeding] if node.include_lactation else [])
    if any(x is True for x in values):
        return _v("met", msg("pregnant") if node.include_pregnancy and p.pregnant else msg("breastfeeding"))
    what = join_msgs(msg(" or "), [w for w, on in ((msg("pregnant"), node.include_pregnancy),
                                                   (msg("breastfeeding"), node.include_lactation)) if on])
    if all(x is False for x in values):
        return _v("not_met", msg("not {what}", what=what))
    return _v("unknown", msg("{what}: status not known", what=what),
              ((msg("pregnancy status"),) if node.include_pregnancy else ())
              + ((msg("breastfeeding status"),) if node.include_lactation else ()))


def _life(node: E.LifeExpectancy, f: PatientFacts) -> Verdict:
    w = f.patient.life_expectancy_weeks
    if w is None:
        return _v("unknown", msg("life expectancy not recorded"), (msg("life expectancy (investigator estimate)"),))
    ok = w >= node.min_weeks if node.inclusive else w > node.min_weeks
    return _v("met" if ok else "not_met", msg("life expectancy {weeks} weeks ({cmp} {required})", weeks=f"{w:g}",
                                             cmp="≥" if node.inclusive else ">", required=f"{node.min_weeks:g}"))


#: drug classes in words (an allergy "to pd1" reads "to PD-1 inhibitors"); vocabulary terms with Chinese texts
_CLASS_NAMES = {"pd1": "PD-1 inhibitors", "pdl1": "PD-L1 inhibitors", "pdl2": "PD-L2 inhibitors",
                "ctla4": "CTLA-4 inhibitors", "ici": "immune checkpoint inhibitors", "tki": "tyrosine kinase inhibitors",
                "anti_vegf": "anti-VEGF agents", "chemotherapy": "chemotherapy", "immunotherapy": "immunotherapy"}


def _drug_word(name: str) -> Msg:
    return term(_CLASS_NAMES.get(name, name))


#: allergy classes named by kind, in words (vocabulary terms with Chinese texts)
_KIND_WORDS = {"monoclonal_antibody": "monoclonal antibodies", "immunoglobulin": "immunoglobulins", "aminothiol": "aminothiols"}


def _kind_class_unrelated(node: E.Allergy, allergies: list[str]) -> bool:
    """True for a rule naming only allergy classes by kind (antibody products, aminothiols; no agents, not the
    trial drugs) when every recorded allergy is known to lie outside them
    (:func:`hcctrials.criteria.families.medications.allergy_outside_kind_classes`)."""
    from hcctrials.criteria.families.medications import ALLERGY_KIND_CLASSES, allergy_outside_kind_classes

    return (not node.trial_drugs and not node.agents and bool(node.classes) and set(node.classes) <= ALLERGY_KIND_CLASSES
            and all(allergy_outside_kind_classes(a) for a in allergies))


def _allergy(node: E.Allergy, f: PatientFacts) -> Verdict:
    ids, tags, words = f.allergy_tags
    hit = [a for a in node.agents if a in ids or a in words] + [c for c in node.classes if c in tags]
    if hit:
        return _v("met", msg("allergy to {drugs}", drugs=join_msgs(msg(", "), [_drug_word(h) for h in hit])))
    if node.trial_drugs and not node.agents:
        return _v("unknown", msg("trial drugs not resolved"), (msg("the trial's drugs (lexicon)"),))
    if not f.patient.allergies and not f.patient.history_reviewed:
        # an empty allergy list is "none recorded", not "none": unknown until the history is reviewed
        return _v("unknown", msg("no drug allergies recorded (history not reviewed)"), (msg("drug allergies"),))
    if node.related and f.patient.allergies and _kind_class_unrelated(node, f.patient.allergies):
        # "aminothiol compounds", "human or mouse antibody products": a class named by kind; every recorded
        # allergy is a common small-molecule allergen outside it (penicillin, sulfa drugs, iodinated contrast)
        return _v("not_met", msg("no allergy to {drugs} recorded (recorded: {recorded}, not of that class)",
                                 drugs=join_msgs(msg(", "), [term(_KIND_WORDS.get(d, d)) for d in node.classes]),
                                 recorded=join_msgs(msg(", "), f.patient.allergies)))
    if node.related and f.patient.allergies:
        # "... or its excipients / related compounds": another recorded allergy may be one of them
        return _v("unknown", msg("allergy to {drugs} recorded: related to the trial drugs or their excipients?",
                                 drugs=join_msgs(msg(", "), f.patient.allergies)),
                  (msg("whether the recorded allergy concerns the trial drugs, related compounds or excipients"),))
    return _v("not_met", msg("no allergy to {drugs} recorded",
                             drugs=join_msgs(msg(", "), [_drug_word(d) for d in node.agents + node.classes])))


def _permission(node: E.Permission, f: PatientFacts) -> Verdict:
    """A pure permission ("Prior systemic therapy with sorafenib is allowed") excludes no patient: met for
    everyone, whatever the record holds (criteria/families/therapy_readers.py)."""
    _ = f
    return _v("met", msg("a permission: it excludes no patient ({label})", label=node.label or msg("permission")))


HISTORY_EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {
    "prior_therapy": _prior_therapy, "history": _history, "virology": _virology,
    "pregnancy": _pregnancy, "life_expectancy": _life, "allergy": _allergy,
    "permission": _permission,
}
_ = timedelta
