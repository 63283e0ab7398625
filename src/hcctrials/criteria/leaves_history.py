"""Leaf rules for prior therapy, history, virology, pregnancy, life expectancy and allergy.

Prior therapy counts TherapyLine entries (regimens), distinct line numbers (lines) or
distinct agents; "progressed on X" needs a progression date, stop reason 'progression' or
best response PD on an X-containing entry; windows: an entry counts when it is ongoing or
ended within the window before as_of (the longer of N days and k half-lives when the
criterion says "whichever is longer"; an unknown half-life then leaves it unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hcctrials.criteria.evaluate import Verdict
from hcctrials.criteria.facts import PatientFacts, TherapyFacts
from hcctrials.model import eligibility as E

__all__ = ["HISTORY_EVALUATORS"]

_OPS: dict[str, Callable[[int, int], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b,
}


def _v(status: str, reason: str, missing: tuple[str, ...] = ()) -> Verdict:
    return Verdict(status, reason, missing)


def _matches(node: E.PriorTherapy, t: TherapyFacts) -> bool | None:
    line = t.line
    if node.investigational is not None and line.investigational is not node.investigational:
        # True: only investigational lines count; False: only approved ones (protocol files)
        return None if line.investigational is None else False
    if not (node.kinds or node.agents or node.classes):
        return True
    # kinds, agents and classes are alternatives ("radiochemotherapy, local therapy or targeted drugs")
    if node.kinds and line.kind in node.kinds:
        return True
    if bool(t.agent_ids & set(node.agents)) or bool(t.classes & set(node.classes)):
        return True
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
    return False


_PROCEDURE_TAGS = frozenset({"transarterial", "ablation", "radiotherapy", "locoregional"})


def _procedure_filter(node: E.PriorTherapy) -> bool:
    """True when the node names a locoregional procedure or radiotherapy (by class or procedure id)."""
    from hcctrials.criteria.facts import therapy_tags

    return bool(set(node.classes) & _PROCEDURE_TAGS) or any(therapy_tags(a)[1] & _PROCEDURE_TAGS for a in node.agents)


def _in_window(node: E.PriorTherapy, t: TherapyFacts, f: PatientFacts) -> bool | None:
    if node.within_days is None:
        return True
    line = t.line
    if line.ongoing:
        return True
    last = line.end
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
        what = node.label or "matching therapy"
        return _v("unknown", f"{what}: no treatments recorded (history not reviewed)",
                  ("prior treatments (or mark the history as reviewed)",))
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
        if m and w and p:
            sure.append(t)
        elif p is not False:  # m and w are True or None here (False was skipped above)
            maybe.append(t)
            if m is None and node.investigational is not None and t.line.investigational is None:
                missing.append(f"whether {', '.join(t.line.agents) or t.line.kind} was investigational")
            elif m is None:
                missing.append(f"drug class of {', '.join(t.unresolved) or 'an agent'}")
            if w is None:
                missing.append(f"end date / half-life of {', '.join(t.line.agents) or t.line.kind}")
            if p is None:
                missing.append(f"whether disease progressed on {', '.join(t.line.agents) or t.line.kind}")

    def count(items: list[TherapyFacts]) -> int:
        if node.count_unit == "agents":
            return len({a for t in items for a in (t.agent_ids or set(t.line.agents))})
        if node.count_unit == "lines":
            return len({t.line.line if t.line.line is not None else id(t) for t in items})
        return len(items)

    lo, hi = count(sure), count(sure + maybe)
    op = _OPS[node.count_comparator]
    what = node.label or "matching therapy"
    # name what decided: the matching lines, else the lines on record that did not match (issue 10: never
    # "0 regimens found (none)" for a treated patient)
    if sure:
        found = "; ".join(t.describe() for t in sure)
    elif f.therapies:
        found = "none among " + "; ".join(t.describe() for t in f.therapies[:4])
    else:
        found = "none recorded"
    counted = f"{lo}" if hi == lo else f"{lo}-{hi}"
    reason = f"{what}: {counted} {node.count_unit} ({found}); required {node.count_comparator} {node.count_value}"
    lo_ok, hi_ok = op(lo, node.count_value), op(hi, node.count_value)
    if lo == hi or all(op(n, node.count_value) == lo_ok for n in range(lo, hi + 1)):
        return _v("met" if lo_ok else "not_met", reason)
    _ = hi_ok
    return _v("unknown", reason, tuple(dict.fromkeys(missing)))


_CODE_ALIASES = {"organ_transplant": {"organ_transplant", "liver_transplant", "kidney_transplant"},
                 # a stem cell / bone marrow transplant without "allogeneic": either kind
                 "stem_cell_transplant": {"stem_cell_transplant", "allogeneic_stem_cell_transplant",
                                          "autologous_stem_cell_transplant"}}
#: a code is known absent when a wider code is recorded absent (no organ transplant: no liver transplant)
_ABSENT_BY_WIDER = {"liver_transplant": ("organ_transplant",), "kidney_transplant": ("organ_transplant",),
                    "allogeneic_stem_cell_transplant": ("stem_cell_transplant",),
                    "autologous_stem_cell_transplant": ("stem_cell_transplant",)}
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
            reasons.append(f"{code.replace('_', ' ')} recorded absent")
        elif wider:
            reasons.append(f"{wider.replace('_', ' ')} recorded absent")
        elif code in _ABSENT_BY_PARTS and all(part in asserted for part in _ABSENT_BY_PARTS[code]):
            reasons.append(f"{' and '.join(part.replace('_', ' ') for part in _ABSENT_BY_PARTS[code])} recorded absent")
        elif code == "hepatic_encephalopathy" and p.liver.encephalopathy_history is False:
            reasons.append("no history of hepatic encephalopathy")
        elif code == "hepatic_encephalopathy" and node.status == "active" and node.look_back_days is None \
                and p.liver.encephalopathy == "none":
            reasons.append("no current encephalopathy")
        elif code == "hiv" and p.virology.hiv_positive is False:
            reasons.append("HIV negative")
        elif code == "hdv_infection" and p.virology.hbsag_positive is False:
            reasons.append("HBsAg negative (hepatitis D needs hepatitis B)")
        elif code == "encephalopathy_medication" and p.liver.encephalopathy_history is False \
                and p.liver.encephalopathy in (None, "none"):
            reasons.append("never had hepatic encephalopathy")
        else:
            return None
    return "; ".join(reasons)


def _history(node: E.HistoryCondition, f: PatientFacts) -> Verdict:
    """History leaf.  Recorded present -> met; recorded absent (``Condition.status == 'absent'``
    or a dedicated field) -> not_met; ``Patient.history_reviewed`` -> not_met ("history
    reviewed; not recorded"); otherwise unknown, naming the item.  A recorded entry whose
    status answers an 'active' criterion without a window (e.g. 'controlled') decides it;
    an old dated event does not rule out a recent one unless the history was reviewed."""
    p, codes = f.patient, set(node.codes)
    for code in list(codes):
        codes |= _CODE_ALIASES.get(code, set())
    found, unknown, decided = [], [], []
    for c in p.conditions:
        if c.code not in codes or c.status == "absent":
            continue
        if node.status == "active" and node.requires_systemic_treatment and c.status == "controlled" \
                and c.requires_systemic_treatment is not False:
            # "active autoimmune disease that has required systemic treatment": a disease kept controlled by
            # systemic treatment (azathioprine, steroids) is what the criterion names
            if c.requires_systemic_treatment:
                found.append(f"{c.name or c.code} (controlled on systemic treatment)")
            else:
                unknown.append(f"whether {c.name or c.code} is controlled by systemic treatment")
            continue
        if node.status == "active" and c.status not in ("active", None):
            if node.look_back_days is None:
                decided.append(f"{c.name or c.code} {c.status}")
            continue
        if node.status == "active" and c.status is None:
            unknown.append(f"whether {c.name or c.code} is active")
            continue
        if node.look_back_days is not None and c.status != "active":  # active: within any window
            if c.onset is None and c.resolved_on is None:
                unknown.append(f"date of {c.name or c.code}")
                continue
            last = c.resolved_on or c.onset
            if last is not None and (f.as_of - last).days > node.look_back_days:
                continue
        if node.min_grade is not None and (c.ctcae_grade or 0) < node.min_grade:
            if c.ctcae_grade is None:
                unknown.append(f"CTCAE grade of {c.name or c.code.replace('_', ' ')}")
            continue  # a lower grade does not count (other, unrecorded events are left to the history review)
        if node.requires_systemic_treatment and c.requires_systemic_treatment is not True:
            if c.requires_systemic_treatment is None:
                unknown.append(f"whether {c.name or c.code} requires systemic treatment")
            else:
                decided.append(f"{c.name or c.code} without systemic treatment")
            continue
        found.append(c.name or c.code)
    # facts held outside the conditions list
    lv = p.liver
    if "hepatic_encephalopathy" in codes:
        if lv.encephalopathy not in (None, "none"):
            found.append(f"current encephalopathy {lv.encephalopathy}")
        elif node.look_back_days is None and node.status != "active" and lv.encephalopathy_history:
            found.append("history of hepatic encephalopathy")
    if "variceal_bleeding" in codes or "gi_bleeding" in codes:
        for d in lv.variceal_bleeding_dates:
            if d <= f.as_of and (node.look_back_days is None or (f.as_of - d).days <= node.look_back_days):
                found.append(f"variceal bleeding {d.isoformat()}")
    if "hiv" in codes and p.virology.hiv_positive:
        found.append("HIV positive")
    if codes & {"organ_transplant"}:
        found.extend("transplant" for t in p.treatments if t.kind == "transplant")
    _derived(node, f, codes, found, unknown)
    label = node.label or "/".join(node.codes)
    window = f" within {node.look_back_days} days" if node.look_back_days is not None else ""
    if found:
        return _v("met", f"{label}{window}: {', '.join(found)}")
    if unknown:
        return _v("unknown", f"{label}{window}: not decidable", tuple(unknown))
    absent = _history_absent(node, f)
    if absent:
        return _v("not_met", f"no {label}{window} ({absent})")
    if decided and node.look_back_days is None:
        return _v("not_met", f"no {label}{window} ({', '.join(decided)})")
    if p.history_reviewed:
        return _v("not_met", f"no {label}{window}: history reviewed; not recorded")
    reviewed, stale = _items_reviewed(node, f, codes)
    if reviewed:
        return _v("not_met", f"no {label}{window}: {reviewed}")
    if stale:
        return _v("unknown", f"{label}{window}: {stale}",
                  (f"history of {label} reviewed at screening",))
    return _v("unknown", f"{label}{window}: not recorded and the history is not marked as reviewed",
              (f"history of {label} (or mark the history as reviewed)",))


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
        item = node.label if len(node.codes) == 1 and node.label else code.replace("_", " ")
        when = reviews.get(code) or next((reviews[a] for a in _CODE_ALIASES.get(code, ()) if a in reviews), None)
        if when is None:
            return None, None
        if when > f.as_of:
            return None, f"history of {item} reviewed {when.isoformat()}, after the screening date"
        if when < oldest:
            return None, (f"history of {item} last reviewed {when.isoformat()}, more than "
                          f"{f.lab_window_days} days before screening")
        settled.append(f"history of {item} reviewed complete {when.isoformat()}")
    return "; ".join(settled), None


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
                    found.append(c.name or "ventricular arrhythmia")
                elif not re.search(r"atrial|supraventricular|\baf\b|flutter", words):
                    unknown.append(f"whether {c.name or 'the recorded arrhythmia'} is ventricular")
    if "cardiovascular_disease" in codes:
        for c in present:
            if c.code in _CARDIAC_CODES:
                unknown.append(f"whether {c.name or c.code} is clinically significant cardiovascular disease")
    if "encephalopathy_medication" in codes:
        lv = p.liver
        for c in present:
            if c.code == "hepatic_encephalopathy":
                if c.status in ("controlled", "active"):  # HE kept controlled (or treated now) by lactulose/rifaximin
                    found.append(f"{c.name or 'hepatic encephalopathy'} ({c.status})")
                else:
                    unknown.append(f"whether medication to prevent encephalopathy is needed after {c.name or 'past HE'}")
        if lv.encephalopathy not in (None, "none"):
            found.append(f"current encephalopathy {lv.encephalopathy} (needs treatment)")
        elif lv.encephalopathy_history and not any(c.code == "hepatic_encephalopathy" for c in present):
            unknown.append("whether medication to prevent encephalopathy is needed after past HE")
    if "liver_transplant" in codes:
        # a transplant line of the HCC treatment history is a liver transplant; an organ transplant recorded without its
        # organ may be one
        found.extend(f"liver transplant{f' ({t.start.isoformat()})' if t.start else ''}"
                     for t in p.treatments if t.kind == "transplant")
        for c in present:
            if c.code != "organ_transplant":
                continue
            words = f"{c.name or ''} {c.detail or ''}".lower()
            if re.search(r"liver|hepatic|肝", words):
                found.append(c.name or "liver transplant")
            elif not re.search(r"kidney|renal|heart|cardiac|lung|pancrea|cornea|intestin|肾|心|肺|胰|角膜|肠", words):
                unknown.append(f"which organ was transplanted ({c.name or 'organ transplant'})")
    if "dialysis" in codes and p.liver.dialysis_twice_in_past_week:
        found.append("dialysis twice in the past week")


def _virology(node: E.Virology, f: PatientFacts) -> Verdict:
    v = f.patient.virology
    if node.marker == "hiv":
        if v.hiv_positive is None:
            return _v("unknown", "HIV status not known", ("HIV antibody",))
        return _v("met" if v.hiv_positive else "not_met", f"HIV {'positive' if v.hiv_positive else 'negative'}")
    if node.marker == "hcv_rna":
        if v.hcv_rna_detectable is None and v.anti_hcv_positive is False:
            return _v("not_met", "anti-HCV negative (no HCV infection)")
        if v.hcv_rna_detectable is None:
            return _v("unknown", "HCV RNA not known", ("HCV RNA",))
        return _v("met" if v.hcv_rna_detectable else "not_met", f"HCV RNA {'detectable' if v.hcv_rna_detectable else 'undetectable'}")
    if node.marker == "hbsag":
        if v.hbsag_positive is None:
            return _v("unknown", "HBsAg not known", ("HBsAg",))
        return _v("met" if v.hbsag_positive else "not_met", f"HBsAg {'positive' if v.hbsag_positive else 'negative'}")
    if node.marker == "hbv_hcv_coinfection":
        if v.hbsag_positive is False or v.hcv_rna_detectable is False or (
                v.hcv_rna_detectable is None and v.anti_hcv_positive is False):  # anti-HCV negative: no HCV infection
            return _v("not_met", "no HBV/HCV co-infection")
        if v.hbsag_positive and v.hcv_rna_detectable:
            return _v("met", "HBsAg positive and HCV RNA detectable")
        return _v("unknown", "co-infection not decidable", ("HBsAg", "HCV RNA"))
    # hbv_controlled
    if v.hbsag_positive is None:
        return _v("unknown", "HBsAg not known", ("HBsAg",))
    if not v.hbsag_positive:
        return _v("met", "HBsAg negative")
    from hcctrials.criteria.leaves import _lab

    dna = _lab(E.LabThreshold(analyte="hbv_dna", comparator="<", value=node.hbv_dna_max_iu_ml, unit="IU/mL"), f)
    parts = [dna]
    if node.require_antiviral:
        if v.hbv_antiviral is None:
            parts.append(_v("unknown", "antiviral therapy not known", ("HBV antiviral therapy",)))
        elif not v.hbv_antiviral:
            parts.append(_v("not_met", "HBsAg positive without antiviral therapy"))
        elif node.antiviral_min_days:
            if v.hbv_antiviral_start is None:
                parts.append(_v("unknown", "antiviral start not known", ("HBV antiviral start date",)))
            else:
                days = (f.as_of - v.hbv_antiviral_start).days
                parts.append(_v("met" if days >= node.antiviral_min_days else "not_met",
                                f"antiviral therapy for {days} days (required ≥ {node.antiviral_min_days})"))
        else:
            parts.append(_v("met", "on HBV antiviral therapy"))
    from hcctrials.criteria.evaluate import combine_all

    return combine_all(parts)


def _pregnancy(node: E.Pregnancy, f: PatientFacts) -> Verdict:
    p = f.patient
    if p.sex == "male":
        return _v("not_met", "male patient")
    values = ([p.pregnant] if node.include_pregnancy else []) + ([p.breastfeeding] if node.include_lactation else [])
    if any(x is True for x in values):
        return _v("met", "pregnant" if node.include_pregnancy and p.pregnant else "breastfeeding")
    what = " or ".join(w for w, on in (("pregnant", node.include_pregnancy), ("breastfeeding", node.include_lactation)) if on)
    if all(x is False for x in values):
        return _v("not_met", f"not {what}")
    return _v("unknown", f"{what}: status not known", (("pregnancy status",) if node.include_pregnancy else ())
              + (("breastfeeding status",) if node.include_lactation else ()))


def _life(node: E.LifeExpectancy, f: PatientFacts) -> Verdict:
    w = f.patient.life_expectancy_weeks
    if w is None:
        return _v("unknown", "life expectancy not recorded", ("life expectancy (investigator estimate)",))
    ok = w >= node.min_weeks if node.inclusive else w > node.min_weeks
    return _v("met" if ok else "not_met", f"life expectancy {w:g} weeks ({'≥' if node.inclusive else '>'} {node.min_weeks:g})")


def _allergy(node: E.Allergy, f: PatientFacts) -> Verdict:
    ids, tags, words = f.allergy_tags
    hit = [a for a in node.agents if a in ids or a in words] + [c for c in node.classes if c in tags]
    if hit:
        return _v("met", f"allergy to {', '.join(hit)}")
    if node.trial_drugs and not node.agents:
        return _v("unknown", "trial drugs not resolved", ("the trial's drugs (lexicon)",))
    if not f.patient.allergies and not f.patient.history_reviewed:
        # an empty allergy list is "none recorded", not "none": unknown until the history is reviewed
        return _v("unknown", "no drug allergies recorded (history not reviewed)", ("drug allergies",))
    if node.related and f.patient.allergies:
        # "... or its excipients / related compounds": another recorded allergy may be one of them
        return _v("unknown", f"allergy to {', '.join(f.patient.allergies)} recorded: related to the trial drugs "
                             "or their excipients?", ("whether the recorded allergy concerns the trial drugs, "
                                                      "related compounds or excipients",))
    return _v("not_met", f"no allergy to {', '.join(node.agents + node.classes)} recorded")


HISTORY_EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {
    "prior_therapy": _prior_therapy, "history": _history, "virology": _virology,
    "pregnancy": _pregnancy, "life_expectancy": _life, "allergy": _allergy,
}
_ = timedelta
