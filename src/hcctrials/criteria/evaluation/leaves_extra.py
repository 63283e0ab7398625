"""Leaf rules for the kinds added for coverage: other malignancy with exceptions, heart failure by
NYHA class, urine protein by dipstick (pure; same conventions as :mod:`hcctrials.criteria.evaluation.leaves`).

Three-valued throughout: a fact the record does not hold gives ``unknown`` naming it, never
"absent".  A condition not recorded is absent only when recorded ``status: absent`` or when
``Patient.history_reviewed`` is set (as for history leaves).
Facts: hcc-domain.md s. 5 (dipstick vs g/24 h) and s. 9 (typical exclusions).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.evaluation.kleene import and3 as _and3
from hcctrials.criteria.evaluation.kleene import or3 as _or3
from hcctrials.i18n import join_msgs, msg, term
from hcctrials.model import eligibility as E
from hcctrials.model.patient import Condition

__all__ = ["EXTRA_EVALUATORS", "dipstick_grade", "IN_SITU_OR_SKIN"]

#: the types :attr:`Condition.in_situ_or_skin` stands for (carcinoma in situ of any site, basal or
#: squamous cell skin cancer)
IN_SITU_OR_SKIN = frozenset({"skin_basal_cell", "skin_squamous_cell", "cervix_in_situ", "breast_in_situ",
                             "prostate_in_situ", "bladder_in_situ", "other_in_situ"})


def _v(status: str, reason: str, missing: tuple[str, ...] = ()) -> Verdict:
    return Verdict(status, reason, missing)


def _type_matches(exc: E.MalignancyException, c: Condition) -> bool | None:
    if not exc.types:
        return True
    types = set(exc.types)
    if c.malignancy_type is not None:
        return c.malignancy_type in types
    if c.in_situ_or_skin is True:
        if IN_SITU_OR_SKIN <= types:
            return True
        return None if types & IN_SITU_OR_SKIN else False
    if c.in_situ_or_skin is False and types <= IN_SITU_OR_SKIN:
        return False
    return None


def _excepted(exc: E.MalignancyException, c: Condition, f: PatientFacts) -> bool | None:
    treated: bool | None = True
    if exc.treated_required:
        treated = c.cured
    days_ok: bool | None = True
    if exc.min_days_disease_free is not None:
        if c.status == "active":
            days_ok = False
        elif c.resolved_on is not None:
            days_ok = (f.as_of - c.resolved_on).days >= exc.min_days_disease_free
        else:
            days_ok = None
    return _and3(_type_matches(exc, c), treated, days_ok)


def _in_scope(node: E.OtherMalignancy, c: Condition, f: PatientFacts) -> bool | None:
    if node.requiring_treatment and c.status in ("active", "controlled"):
        # "malignancy requiring treatment": one kept in check by treatment or needing (systemic) treatment counts;
        # an active one not known to need treatment (watchful waiting) is not decidable
        return True if c.status == "controlled" or c.requires_systemic_treatment else None
    if node.requiring_treatment and c.status is None:
        # status not recorded: whether it needed treatment in the window is not known (out of the window it is not counted)
        last = c.resolved_on or c.onset
        if node.look_back_days is not None and last is not None and (f.as_of - last).days > node.look_back_days:
            return False
        return None
    if c.status == "active":
        return True
    if node.look_back_days is None:
        if node.status == "ever":
            return True
        return None if c.status is None else False
    last = c.resolved_on or c.onset
    if last is None:
        return None
    return (f.as_of - last).days <= node.look_back_days


def _other_malignancy(node: E.OtherMalignancy, f: PatientFacts) -> Verdict:
    p = f.patient
    label = node.label or msg("other malignancy")
    window = msg(" within {days} days", days=node.look_back_days) if node.look_back_days is not None else ""
    found, unsure, excused = [], [], []
    for c in p.conditions:
        if c.code != "other_malignancy" or c.status == "absent":
            continue
        name = c.name or (term(c.malignancy_type.replace("_", " ")) if c.malignancy_type else c.code)
        excepted = _or3([_excepted(e, c, f) for e in node.exceptions]) if node.exceptions else False
        counts = _and3(_in_scope(node, c, f), None if excepted is None else not excepted)
        if counts is True:
            found.append(name)
        elif counts is None:
            unsure.append(name)
        else:
            excused.append(name)
    if found:
        return _v("met", msg("{item}{window}: {found}", item=label, window=window, found=join_msgs(msg(", "), found)))
    if unsure:
        return _v("unknown", msg("{item}{window}: not decidable for {which}", item=label, window=window,
                                 which=join_msgs(msg(", "), unsure)),
                  tuple(msg("type, curative treatment and dates of {item}", item=n) for n in unsure))
    if excused:
        return _v("not_met", msg("no {item}{window} that counts ({which} excepted or outside the window)", item=label,
                                 window=window, which=join_msgs(msg(", "), excused)))
    if any(c.code == "other_malignancy" and c.status == "absent" for c in p.conditions):
        return _v("not_met", msg("no {item} (recorded absent)", item=label))
    if p.history_reviewed:
        return _v("not_met", msg("no {item}: history reviewed; not recorded", item=label))
    return _v("unknown", msg("{item}: not recorded and the history is not marked as reviewed", item=label),
              (msg("history of other malignancies (or mark the history as reviewed)"),))


def _heart_failure_nyha(node: E.HeartFailureNyha, f: PatientFacts) -> Verdict:
    p = f.patient
    what = msg("heart failure NYHA class ≥ {grade}", grade=node.min_class)
    found: list[str] = []
    unsure: list[str] = []
    below: list[str] = []
    for c in p.conditions:
        if c.code != "heart_failure" or c.status in ("absent", "resolved"):
            continue
        if c.nyha_class is None:
            unsure.append(c.name or c.code)
        elif c.nyha_class >= node.min_class:
            found.append(f"NYHA {c.nyha_class}")
        else:
            below.append(f"NYHA {c.nyha_class}")
    if found:
        return _v("met", msg("{item}: {found}", item=what, found=join_msgs(msg(", "), found)))
    if unsure:
        return _v("unknown", msg("{item}: heart failure recorded without NYHA class", item=what),
                  (msg("NYHA class of heart failure"),))
    if below:
        return _v("not_met", msg("{item}: {found}", item=what, found=join_msgs(msg(", "), below)))
    if any(c.code == "heart_failure" and c.status == "absent" for c in p.conditions) or p.history_reviewed:
        return _v("not_met", msg("no {item} (no heart failure recorded; history reviewed or recorded absent)", item=what))
    return _v("unknown", msg("{item}: not recorded and the history is not marked as reviewed", item=what),
              (msg("heart failure and its NYHA class (or mark the history as reviewed)"),))


_DIPSTICK = {"negative": 0.0, "neg": 0.0, "-": 0.0, "阴性": 0.0, "trace": 0.5, "±": 0.5, "+-": 0.5, "微量": 0.5,
             "+": 1.0, "++": 2.0, "+++": 3.0, "++++": 4.0}
_DIPSTICK_N = re.compile(r"^\s*([0-4])\s*\+\s*$")


def dipstick_grade(text: str | None) -> float | None:
    """Dipstick grade of a urine protein result written as text ("2+", "++", "trace", "阴性"), else None."""
    if not text:
        return None
    t = text.strip().lower().replace(" ", "")
    if t in _DIPSTICK:
        return _DIPSTICK[t]
    m = _DIPSTICK_N.match(t)
    return float(m.group(1)) if m else None


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b,
}


def _urine_dipstick(node: E.UrineDipstick, f: PatientFacts) -> Verdict:
    window = node.look_back_days or f.lab_window_days
    thr = f"{node.comparator} {node.grade:g}+"
    for lab in f.patient.labs_for("urine_protein", as_of=f.as_of, within_days=window):
        grade = dipstick_grade(lab.text)
        if grade is None:
            continue
        when = msg("[lab {date}]", date=lab.date.isoformat()) if lab.date else msg("[lab undated]")
        ok = _OPS[node.comparator](grade, node.grade)
        return _v("met" if ok else "not_met", msg("urine protein dipstick {result} (grade {grade}) {limit} {when}",
                                                 result=lab.text, grade=f"{grade:g}", limit=thr, when=when))
    return _v("unknown", msg("no urine protein dipstick result within {days} days", days=window),
              (msg("urine protein dipstick within {days} days", days=window),))


#: Adverse-event words of recorded terms -> the terms criteria except (a closed list written by hand: CTCAE terms
#: as clinicians write them, English and Chinese; no library maps free-text AE terms to these groups).
_AE_TERMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((t, re.compile(p, re.IGNORECASE)) for t, p in (
    ("alopecia", r"alopecia|hair loss|脱发"),
    ("peripheral_neuropathy", r"neuropath|paresthesia|paraesthesia|dysaesthesia|dysesthesia|神经病变|神经毒性|感觉异常"),
    ("fatigue", r"fatigue|asthenia|乏力|疲劳"),
    ("hypothyroidism", r"hypothyroid|甲状腺功能减退|甲减"),
    ("vitiligo", r"vitiligo|白癜风"),
    ("endocrinopathy", r"hypothyroid|hyperthyroid|thyroiditis|adrenal insufficien|hypophysitis|diabetes|endocrin"
                       r"|甲状腺|肾上腺|垂体|糖尿病|内分泌"),
    ("skin_pigmentation", r"pigment|色素"),
))


def _ae_terms(term_text: str) -> set[str]:
    return {t for t, pattern in _AE_TERMS if pattern.search(term_text)}


def _toxicity_excepted(node: E.ResidualToxicity, event: Any) -> bool:
    terms = _ae_terms(event.term)
    return "alopecia" in terms or any(x.term in terms and (x.below_grade is None or event.grade < x.below_grade)
                                      for x in node.exceptions)


def _residual_toxicity(node: E.ResidualToxicity, f: PatientFacts) -> Verdict:
    """Unresolved toxicity of prior therapy of grade >= ``min_grade`` (CTCAE; alopecia not counted).

    No grade recorded: unknown, except for a patient whose history was reviewed and who has no
    prior therapy (not_met).  With exceptions ("except peripheral neuropathy grade <= 2"), the recorded
    events (``Patient.residual_toxicities``) decide; the highest grade alone decides only when it is below
    ``min_grade``."""
    events = f.patient.residual_toxicities
    grade = f.patient.residual_toxicity_grade
    if grade is None and events:  # the highest grade of the events, alopecia not counted
        grade = max((e.grade for e in events if "alopecia" not in _ae_terms(e.term)), default=0)
    what = msg("unresolved toxicity of prior therapy grade ≥ {grade}", grade=node.min_grade)
    if events and grade is not None and grade >= node.min_grade:
        counted = [e for e in events if e.grade >= node.min_grade and not _toxicity_excepted(node, e)]
        listed = ", ".join(f"{e.term} G{e.grade}" for e in events)
        if counted:
            return _v("met", msg("{item}: {found}", item=what, found=", ".join(f"{e.term} G{e.grade}" for e in counted)))
        return _v("not_met", msg("{item}: none counted ({events}; the criterion's exceptions apply)", item=what,
                                 events=listed))
    if node.exceptions and grade is not None and grade >= node.min_grade:
        return _v("unknown", msg("{item}: grade {grade} recorded, but not which event (the criterion excepts some)",
                                 item=what, grade=grade),
                  (msg("unresolved toxicities of prior therapy by name and grade"),))
    if grade is None:
        if not f.patient.treatments and f.patient.history_reviewed:  # reviewed history, no prior therapy
            return _v("not_met", msg("{item}: no prior therapy recorded", item=what))
        return _v("unknown", msg("{item}: not assessed", item=what),
                  (msg("highest CTCAE grade of unresolved toxicities of prior therapy"),))
    shown = msg("none (resolved to grade 0 or baseline)") if grade == 0 else msg("grade {grade}", grade=grade)
    return _v("met" if grade >= node.min_grade else "not_met", msg("{item}: {found}", item=what, found=shown))


def _treatment_candidate(node: E.TreatmentCandidate, f: PatientFacts) -> Verdict:
    """Candidate for curative resection (``diagnosis.resectable``), liver transplantation
    (``diagnosis.transplant_candidate``) or locoregional therapy (``diagnosis.locoregional_candidate``)."""
    d = f.patient.diagnosis
    if node.treatment == "resection":
        value, what, missing = (d.resectable, msg("candidate for curative resection"),
                                msg("resectability (surgical assessment)"))
    elif node.treatment == "locoregional":
        value, what, missing = (d.locoregional_candidate, msg("amenable to locoregional therapy"),
                                msg("whether the tumour is amenable to locoregional therapy (TACE, ablation)"))
    elif node.treatment == "transplant_list":
        # not a candidate: not listed either; a candidate may or may not be on the list yet
        value = d.transplant_listed if d.transplant_listed is not None else (False if d.transplant_candidate is False
                                                                             else None)
        what, missing = msg("on the liver-transplant waiting list"), msg("whether listed for liver transplantation")
    else:
        value = d.transplant_candidate if d.transplant_candidate is not None else (True if d.transplant_listed else None)
        what, missing = msg("liver-transplant candidate"), msg("liver-transplant candidacy")
    if value is None:
        return _v("unknown", msg("{item}: not assessed", item=what), (missing,))
    return _v("met" if value else "not_met", msg("{item}: {answer}", item=what,
                                                answer=msg("yes") if value else msg("no")))


def _body_weight(node: E.BodyWeight, f: PatientFacts) -> Verdict:
    """Body weight against the threshold: unknown (naming the weight) when not recorded."""
    weight = f.patient.weight_kg
    limit = f"{node.value_kg:g}"
    if weight is None:
        return _v("unknown", msg("body weight {cmp} {limit} kg: weight not recorded", cmp=node.comparator, limit=limit),
                  (msg("body weight (kg)"),))
    ok = {"<": weight < node.value_kg, "<=": weight <= node.value_kg, ">": weight > node.value_kg,
          ">=": weight >= node.value_kg, "==": weight == node.value_kg}[node.comparator]
    if ok:
        return _v("met", msg("body weight {weight} kg passes {cmp} {limit} kg", weight=f"{weight:g}", cmp=node.comparator,
                             limit=limit))
    return _v("not_met", msg("body weight {weight} kg fails {cmp} {limit} kg", weight=f"{weight:g}", cmp=node.comparator,
                             limit=limit))


EXTRA_EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {
    "body_weight": _body_weight,
    "residual_toxicity": _residual_toxicity,
    "treatment_candidate": _treatment_candidate,
    "other_malignancy": _other_malignancy,
    "heart_failure_nyha": _heart_failure_nyha,
    "urine_dipstick": _urine_dipstick,
}
