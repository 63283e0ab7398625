"""Leaf rules: one function per leaf kind, each returning a Verdict with its reason (pure).

Conventions: a missing patient item gives ``unknown`` naming the item; labs use the newest
result within the look-back window (criterion's own, else ``PatientFacts.lab_window_days``);
ULN multiples use the lab's own reference range, else the site default (reason says
"assumed ULN"); units are converted with :func:`hcctrials.units.convert`; censored results
("< 20 IU/mL") decide only when the whole possible interval is on one side.  History items
("Unknown is a value"): a condition not recorded is unknown unless it is recorded absent
(``Condition.status == 'absent'``) or the history is marked reviewed (``Patient.history_reviewed``);
see :func:`hcctrials.criteria.evaluation.leaves_history._history`.
Facts: hcc-domain.md s. 1, 2, 5, 9.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.compiler.describe import ANALYTE_LABELS
from hcctrials.errors import UnitError
from hcctrials.i18n import Msg, join_msgs, msg, term
from hcctrials.model import eligibility as E

__all__ = ["LEAF_EVALUATORS", "days_between"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b,
}
_SYM = {"<=": "≤", ">=": "≥", "==": "=", "<": "<", ">": ">"}


def _v(status: str, reason: str | Callable[[], str], missing: tuple[str, ...] = ()) -> Verdict:
    """A leaf's verdict; *reason* a message, or a function saying it when first read (:class:`Verdict`)."""
    return Verdict(status, reason, missing)


def _cmp_interval(lo: float, hi: float, cmp: str, thr: float) -> str:
    """Status when the true value is somewhere in [lo, hi]."""
    at_lo, at_hi = _OPS[cmp](lo, thr), _OPS[cmp](hi, thr)
    if at_lo and at_hi and (cmp != "==" or lo == hi):
        return "met"
    if not at_lo and not at_hi and not (lo < thr < hi):
        return "not_met"
    return "unknown"


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _lab(node: E.LabThreshold, f: PatientFacts) -> Verdict:
    from hcctrials.units import canonical_unit, convert, normalise_unit

    label = term(ANALYTE_LABELS.get(node.analyte, node.analyte))
    window = node.look_back_days or f.lab_window_days
    labs = [lab for lab in f.patient.labs_for(node.analyte, as_of=f.as_of, within_days=window)
            if lab.value is not None]
    if node.analyte == "creatinine_clearance" and node.unit and _per_bsa(node.unit) and \
            not any(lab.unit and _per_bsa(lab.unit) for lab in labs):
        return _crcl_per_bsa(node, f, window, labs)
    if not labs and node.analyte == "creatinine_clearance":
        return _crcl(node, f, window)
    if not labs:
        return _v("unknown", msg("no {label} result within {days} days", label=label, days=window),
                  (msg("{label} within {days} days", label=label, days=window),))
    lab = labs[0]
    when = msg("[lab {date}]", date=lab.date.isoformat()) if lab.date else msg("[lab undated]")
    assert lab.value is not None  # `labs` keeps only results with a value; narrows for the type checker
    value = float(lab.value)
    try:
        src_unit = normalise_unit(lab.unit) if lab.unit else None
    except UnitError:
        return _v("unknown", msg("{label}: unknown unit {unit} {when}", label=label, unit=repr(lab.unit), when=when),
                  (msg("{label} with a known unit", label=label),))
    if node.uln_multiple is not None:
        uln, unit, notes = lab.uln, src_unit or "", []
        ask_uln = (msg("ULN of {label} (lab reference range)", label=label),)
        if uln is None:
            default = f.default_uln.get(node.analyte)
            if not f.assume_default_uln or default is None:
                return _v("unknown", msg("{label} {value} {unit} {when}: no ULN", label=label, value=_fmt(value),
                                         unit=unit, when=when), ask_uln)
            uln, d_unit = default
            if src_unit and src_unit != d_unit:
                try:
                    value = convert(value, src_unit, d_unit, analyte=node.analyte)
                except UnitError as exc:
                    return _v("unknown", msg("{label}: {error}", label=label, error=str(exc)), ask_uln)
                notes.append(msg(" (converted from {value} {unit})", value=_fmt(float(lab.value)), unit=lab.unit))
            unit = d_unit
            notes.append(msg(" assumed ULN (site default)"))
        uln_note = join_msgs("", notes)
        thr = node.uln_multiple * uln
        status = _cmp_interval(*_interval(value, lab.qualifier), node.comparator, thr)
        if notes:  # an assumed ULN decides only when every ULN in use gives the same verdict (DEFAULT_ULN_BAND)
            from hcctrials.criteria.evaluation.facts import DEFAULT_ULN_BAND

            low, high = (_cmp_interval(*_interval(value, lab.qualifier), node.comparator, thr * k) for k in DEFAULT_ULN_BAND)
            if low != high:
                return _v("unknown", msg("{label} {value} {unit} {when}: near {multiple}×ULN, the lab's ULN decides",
                                         label=label, value=_fmt(value), unit=unit, when=when,
                                         multiple=_fmt(node.uln_multiple)), ask_uln)
        multiple = node.uln_multiple

        def uln_reason() -> str:  # said when read (Verdict): a match decides most lab rules by their status alone
            fields = dict(label=label, value=_fmt(value), unit=unit, note=uln_note, cmp=_SYM[node.comparator],
                          multiple=_fmt(multiple), uln=_fmt(uln), limit=_fmt(thr), when=when)
            if status == "met":
                return msg("{label} {value} {unit}{note} passes {cmp} {multiple}×ULN ({multiple}×{uln} = {limit} "
                           "{unit}) {when}", **fields)
            if status == "not_met":
                return msg("{label} {value} {unit}{note} fails {cmp} {multiple}×ULN ({multiple}×{uln} = {limit} "
                           "{unit}) {when}", **fields)
            return msg("{label} {value} {unit}{note} against {cmp} {multiple}×ULN ({multiple}×{uln} = {limit} "
                       "{unit}) {when}", **fields)
        return _v(status, uln_reason, (msg("{label} (censored result)", label=label),) if status == "unknown" else ())
    # absolute threshold
    if node.value is None:  # neither value nor uln_multiple: the criterion states no threshold
        return _v("unknown", msg("{label}: the criterion states no threshold", label=label),
                  (msg("threshold of the {label} criterion", label=label),))
    try:
        crit_unit = normalise_unit(node.unit) if node.unit else canonical_unit(node.analyte)
    except (UnitError, KeyError):
        return _v("unknown", msg("{label}: criterion unit {unit} not known", label=label, unit=repr(node.unit)),
                  (msg("{label} in {unit}", label=label, unit=node.unit),))
    note = ""
    if src_unit is None:
        src_unit = crit_unit if crit_unit == "1" else None
    if src_unit is None:
        return _v("unknown", msg("{label} {value} without unit {when}", label=label, value=_fmt(value), when=when),
                  (msg("{label} with its unit", label=label),))
    if src_unit != crit_unit:
        try:
            converted = convert(value, src_unit, crit_unit, analyte=node.analyte)
        except UnitError as exc:
            return _v("unknown", msg("{label}: cannot convert {unit} to {target}: {error}", label=label, unit=lab.unit,
                                     target=node.unit, error=exc.message),
                      (msg("{label} in a convertible unit", label=label),))
        note = msg(" (= {value} {unit})", value=_fmt(value), unit=lab.unit)
        value = converted
    limit = node.value
    status = _cmp_interval(*_interval(value, lab.qualifier), node.comparator, limit)
    shown_unit = "" if crit_unit == "1" else f" {crit_unit}"

    def reason() -> str:  # said when read (Verdict)
        fields = dict(label=label, value=_fmt(value), unit=shown_unit, note=note, cmp=_SYM[node.comparator],
                      limit=_fmt(limit), when=when)
        if status == "met":
            return msg("{label} {value}{unit}{note} passes {cmp} {limit}{unit} {when}", **fields)
        if status == "not_met":
            return msg("{label} {value}{unit}{note} fails {cmp} {limit}{unit} {when}", **fields)
        return msg("{label} {value}{unit}{note} against {cmp} {limit}{unit} {when}", **fields)
    return _v(status, reason, (msg("{label} (censored result)", label=label),) if status == "unknown" else ())


def _interval(value: float, qualifier: str | None) -> tuple[float, float]:
    if qualifier in ("<", "<="):
        return (-math.inf, value)
    if qualifier in (">", ">="):
        return (value, math.inf)
    return (value, value)


def _per_bsa(unit: str) -> bool:
    """True for a clearance normalised to 1.73 m² of body surface area (mL/min/1.73m2)."""
    from hcctrials.units import normalise_unit

    try:
        return normalise_unit(unit) == "mL/min/1.73m2"
    except UnitError:
        return False


#: adult body surface area that bounds a normalisation without height or weight (m²; about the 1st to 99th
#: percentile of adults, Mosteller formula): a threshold decides only if it decides over the whole band
_BSA_BAND = (1.2, 2.8)


def _crcl_per_bsa(node: E.LabThreshold, f: PatientFacts, window: int, labs: list[Any]) -> Verdict:
    """"Creatinine clearance ≥ 60 mL/min/1.73m2": the clearance (measured in mL/min, else Cockcroft-Gault) times
    1.73 / body surface area (Mosteller: sqrt(height cm x weight kg / 3600); Mosteller, N Engl J Med 1987;317:1098).
    Without height or weight the BSA is bounded by the adult band and only a verdict that holds over the whole
    band is given (a clearance in mL/min is never compared with a per-1.73 m² threshold as if equal)."""
    from hcctrials.units import convert, normalise_unit

    p = f.patient
    assert node.value is not None
    if labs:
        lab = labs[0]
        try:
            absolute = convert(float(lab.value), normalise_unit(lab.unit or "mL/min"), "mL/min", analyte=node.analyte)
        except UnitError as exc:
            return _v("unknown", msg("creatinine clearance: {error}", error=exc.message),
                      (msg("creatinine clearance in mL/min"),))
        source = msg("measured")
    else:
        computed = _cockcroft_gault(f, window)
        if isinstance(computed, Verdict):
            return computed
        absolute = computed[0]
        source = msg("Cockcroft-Gault")
    if p.height_cm is not None and p.weight_kg is not None:
        bsa = math.sqrt(p.height_cm * p.weight_kg / 3600)
        low = high = absolute * 1.73 / bsa
        reason = msg("creatinine clearance {crcl} mL/min ({source}) = {normalised} mL/min/1.73m2 (BSA {bsa} m², "
                     "Mosteller) {cmp} {limit} mL/min/1.73m2", crcl=f"{absolute:.1f}", source=source,
                     normalised=f"{low:.1f}", bsa=f"{bsa:.2f}", cmp=_SYM[node.comparator], limit=f"{node.value:g}")
    else:
        low, high = absolute * 1.73 / _BSA_BAND[1], absolute * 1.73 / _BSA_BAND[0]
        reason = msg("creatinine clearance {crcl} mL/min ({source}) = {low}-{high} mL/min/1.73m2 over adult BSA "
                     "{bsa_low}-{bsa_high} m² (height or weight not recorded) {cmp} {limit} mL/min/1.73m2",
                     crcl=f"{absolute:.1f}", source=source, low=f"{low:.0f}", high=f"{high:.0f}",
                     bsa_low=f"{_BSA_BAND[0]:g}", bsa_high=f"{_BSA_BAND[1]:g}", cmp=_SYM[node.comparator],
                     limit=f"{node.value:g}")
    status = _cmp_interval(low, high, node.comparator, node.value)
    return _v(status, reason, (msg("height and weight (body surface area)"),) if status == "unknown" else ())


def _cockcroft_gault(f: PatientFacts, window: int) -> tuple[float, float] | Verdict:
    """(clearance mL/min, serum creatinine mg/dL) by Cockcroft-Gault (hcc-domain.md s. 5), or the unknown verdict
    naming what is missing."""
    from hcctrials.units import convert, normalise_unit

    p = f.patient
    # the newest creatinine *with a value*, as the serum-creatinine leaf (_lab) picks it
    cr = next((lab for lab in p.labs_for("creatinine", as_of=f.as_of, within_days=window)
               if lab.value is not None), None)
    missing: list[str] = []
    if cr is None or cr.value is None or not cr.unit:
        missing.append(msg("creatinine clearance or serum creatinine within {days} days", days=window))
    if f.age is None:
        missing.append(msg("age"))
    if p.weight_kg is None:
        missing.append(msg("weight"))
    if p.sex is None:
        missing.append(msg("sex"))
    # the None checks repeat what `missing` records, so that the type checker sees them
    if missing or cr is None or cr.value is None or not cr.unit or f.age is None or p.weight_kg is None:
        return _v("unknown", msg("no creatinine clearance"), tuple(missing))
    try:
        scr = convert(float(cr.value), normalise_unit(cr.unit), "mg/dL", analyte="creatinine")
    except UnitError as exc:  # an unknown or non-creatinine unit: unknown, as in _lab
        return _v("unknown", msg("creatinine clearance: serum creatinine {error}", error=exc.message),
                  (msg("serum creatinine in a known unit"),))
    return (140 - f.age) * p.weight_kg / (72 * scr) * (0.85 if p.sex == "female" else 1.0), scr


def _crcl(node: E.LabThreshold, f: PatientFacts, window: int) -> Verdict:
    """Cockcroft-Gault creatinine clearance when no measured clearance exists (hcc-domain.md s. 5)."""
    p = f.patient
    computed = _cockcroft_gault(f, window)
    if isinstance(computed, Verdict):
        return computed
    if node.value is None:
        return _v("unknown", msg("no creatinine clearance"), ())
    crcl, scr = computed
    status = "met" if _OPS[node.comparator](crcl, node.value) else "not_met"
    return _v(status, msg("creatinine clearance {crcl} mL/min (Cockcroft-Gault from creatinine {creatinine} mg/dL, "
                          "age {age}, {weight} kg, {sex}) {cmp} {limit} mL/min", crcl=f"{crcl:.1f}",
                          creatinine=f"{scr:.2f}", age=f"{f.age:g}", weight=f"{p.weight_kg:g}", sex=term(str(p.sex)),
                          cmp=_SYM[node.comparator], limit=f"{node.value:g}"))


def _age(node: E.Age, f: PatientFacts) -> Verdict:
    if f.age is None:
        return _v("unknown", msg("age not known"), (msg("birth date or age"),))
    ok = True
    if node.min_years is not None:
        ok &= f.age >= node.min_years if node.min_inclusive else f.age > node.min_years
    if node.max_years is not None:
        ok &= f.age <= node.max_years if node.max_inclusive else f.age < node.max_years
    age, on = f.age, f.as_of  # the reason keeps the values, not the facts (which keep the verdict: no cycle)
    rng = f"{node.min_years if node.min_years is not None else ''}-{node.max_years if node.max_years is not None else ''}"
    return _v("met" if ok else "not_met", lambda: msg("age {age} years on {date} (criterion: {range})",
                                                     age=f"{age:g}", date=on.isoformat(), range=rng))


def _listed(values: Any) -> str:
    """Criterion values ("5, 6"; "histology, cytology") as a message, each value a vocabulary term."""
    return join_msgs(msg(", "), [term(str(v)) for v in values])


def _set_check(value: Any, allowed: list[Any], label: str, missing: str) -> Verdict:
    if value is None:
        return _v("unknown", msg("{label} not known", label=label), (missing,))
    return _v("met" if value in allowed else "not_met",
              msg("{label} {value} (criterion: {allowed})", label=label, value=term(str(value)), allowed=_listed(allowed)))


def _child_pugh(node: E.ChildPugh, f: PatientFacts) -> Verdict:
    cp = f.scores.child_pugh
    possible = set(range(cp.points_min, cp.points_max + 1))
    allowed = set(node.allowed_points)
    shown = f"{cp.points_min}" if cp.points_min == cp.points_max else f"{cp.points_min}-{cp.points_max}"
    criterion = _listed(sorted(allowed))
    if possible <= allowed:
        return _v("met", msg("Child-Pugh {points} points (criterion: {allowed})", points=cp.label or shown,
                             allowed=criterion))
    if not possible & allowed:
        return _v("not_met", msg("Child-Pugh {points} points (criterion: {allowed})", points=cp.label or shown,
                                 allowed=criterion))
    needs = [term(_CHILD_PUGH_ITEMS.get(m, m.replace("_", " "))) for m in cp.missing]
    return _v("unknown", msg("Child-Pugh {points} points possible: needs {items} (criterion: {allowed})", points=shown,
                             items=join_msgs(msg(", "), needs), allowed=criterion),
              tuple(msg("Child-Pugh needs {item}", item=n) for n in needs))


#: Child-Pugh items (hcctrials.scores.child_pugh) in the words a clinician reads in "to measure next".
_CHILD_PUGH_ITEMS = {
    "bilirubin": "total bilirubin", "albumin": "albumin", "inr_or_pt_prolongation": "INR (or PT prolongation)",
    "ascites": "ascites grade (none / mild / moderate-severe)", "encephalopathy": "encephalopathy grade",
    "ascites_severity": "ascites grade (mild or moderate-severe)",
    "encephalopathy_severity": "encephalopathy grade (1-2 or 3-4)",
    "bilirubin_severity": "total bilirubin", "albumin_severity": "albumin", "coagulation_severity": "INR",
}


def _albi(node: E.Albi, f: PatientFacts) -> Verdict:
    a = f.scores.albi
    if a.grade is None:
        return _v("unknown", msg("ALBI not computable"), tuple(term(m) for m in a.missing) or (term("bilirubin"), term("albumin")))
    ok = a.grade in node.grades or a.subgrade in node.grades
    return _v("met" if ok else "not_met", msg("ALBI {score} grade {grade} (criterion: {allowed})", score=f"{a.score:.2f}",
                                             grade=a.subgrade, allowed=_listed(node.grades)))


def _stage(node: E.Stage, f: PatientFacts) -> Verdict:
    result = f.scores.bclc if node.system == "bclc" else f.scores.cnlc
    allowed = {s.upper() for s in node.allowed}
    name = node.system.upper()
    if result.stage is not None:
        return _v("met" if result.stage.upper() in allowed else "not_met",
                  msg("{system} {stage} (computed; criterion: {allowed})", system=name, stage=result.stage,
                      allowed=_listed(node.allowed)))
    recorded = f.patient.diagnosis.bclc_stage if node.system == "bclc" else f.patient.diagnosis.cnlc_stage
    if recorded:
        return _v("met" if recorded.upper() in allowed else "not_met",
                  msg("{system} {stage} (recorded; criterion: {allowed})", system=name, stage=recorded,
                      allowed=_listed(node.allowed)))
    cands = {c.upper() for c in result.candidates}
    if cands and cands <= allowed:
        return _v("met", msg("{system} one of {stages} (all in the criterion)", system=name, stages=str(sorted(cands))))
    if cands and not cands & allowed:
        return _v("not_met", msg("{system} one of {stages} (none in the criterion)", system=name,
                                 stages=str(sorted(cands))))
    return _v("unknown", msg("{system} stage not determined", system=name),
              tuple(term(m) for m in result.missing) or (msg("{system} stage inputs", system=name),))


def _diagnosis(node: E.Diagnosis, f: PatientFacts) -> Verdict:
    d = f.patient.diagnosis
    parts = []
    if node.confirmed_by:
        accepted = list(node.confirmed_by)
        if "imaging" in accepted and "clinical" not in accepted:
            accepted.append("clinical")  # a clinical diagnosis (CNLC, AASLD/EASL non-invasive) is made on typical imaging
        if "imaging" in accepted and d.confirmed_by in ("histology", "cytology") and d.confirmed_by not in accepted:
            # every HCC patient was imaged; a tissue diagnosis does not tell whether the imaging alone was diagnostic
            parts.append(_v("unknown", msg("{label} {value} (criterion: {allowed})", label=msg("HCC confirmed by"),
                                           value=term(d.confirmed_by), allowed=_listed(accepted)),
                            (msg("how HCC was confirmed"),)))
        else:
            parts.append(_set_check(d.confirmed_by, accepted, msg("HCC confirmed by"), msg("how HCC was confirmed")))
    if node.histology:
        parts.append(_set_check(d.histology, node.histology, msg("histology"), msg("histological type")))
    if node.cirrhosis is not None:
        want = msg("cirrhosis") if node.cirrhosis else msg("no cirrhosis")
        if d.cirrhosis is None:
            parts.append(_v("unknown", msg("{want}: cirrhosis not recorded", want=want),
                            (msg("whether the liver is cirrhotic"),)))
        else:
            parts.append(_v("met" if d.cirrhosis == node.cirrhosis else "not_met",
                            msg("{want}: {found} recorded", want=want,
                                found=msg("cirrhosis") if d.cirrhosis else msg("no cirrhosis"))))
    from hcctrials.criteria.evaluation.outcome import combine_all

    return combine_all(parts)


_TUMOUR_FIELDS = {
    "measurable_disease": "measurable_disease", "measurable_disease_mrecist": "measurable_disease_mrecist",
    "vascular_invasion": "vascular_invasion", "extrahepatic_spread": "extrahepatic_spread",
    "distant_metastasis": "distant_metastasis", "lymph_node_metastasis": "lymph_node_metastasis",
    "cns_metastasis": "cns_metastasis", "ivc_or_atrial_thrombus": "ivc_or_atrial_thrombus",
    "bile_duct_invasion": "bile_duct_invasion",
}


def _tumour(node: E.TumourFeature, f: PatientFacts) -> Verdict:
    t = f.patient.tumour
    feat = node.feature
    if feat in ("measurable_disease", "measurable_disease_mrecist", "measurable_untreated",
                "measurable_untreated_mrecist"):
        from hcctrials.criteria.evaluation.measurable import assess_measurable

        local = any(line.kind in ("locoregional", "radiotherapy") for line in f.patient.treatments)
        value, why, need = assess_measurable(t, "mrecist" if feat.endswith("mrecist") else "recist11",
                                             untreated=feat.startswith("measurable_untreated"),
                                             local_therapy=local)
        return _v("unknown" if value is None else "met" if value else "not_met", why, need)
    if feat == "evaluable_disease":
        return _evaluable(t)
    if feat == "diffuse_hcc":  # the diffuse (infiltrative) gross type; families/liver_notes
        if t.growth_pattern is None:
            return _v("unknown", msg("tumour growth pattern not known"), (msg("tumour growth pattern (nodular, massive or diffuse)"),))
        return _v("met" if t.growth_pattern == "diffuse" else "not_met",
                  msg("tumour growth pattern: {pattern}", pattern=term(t.growth_pattern)))
    if feat in ("bone_metastasis", "peritoneal_metastasis", "lung_metastasis", "adrenal_metastasis"):
        from hcctrials.criteria.evaluation.metastasis import evaluate_site

        return evaluate_site(node, t)
    if feat == "hepatic_vein_invasion":
        if t.hepatic_vein_invasion is None:
            return _v("unknown", msg("hepatic vein invasion not known"), (msg("hepatic vein tumour thrombus (imaging)"),))
        return _v("met" if t.hepatic_vein_invasion else "not_met",
                  msg("hepatic vein invasion: {answer}", answer=_yes_no(t.hepatic_vein_invasion)))
    if feat == "pvtt_cheng" or (feat == "main_trunk_pvtt" and t.pvtt_cheng is not None):
        return _cheng(node, t)
    if feat in ("pvtt", "main_trunk_pvtt"):
        if t.pvtt is None:
            return _v("unknown", msg("portal-vein tumour thrombus level not known"), (msg("PVTT (Vp level)"),))
        if feat == "main_trunk_pvtt":
            return _v("met" if t.pvtt == "vp4" else "not_met", msg("PVTT {level} (main trunk = vp4)", level=t.pvtt))
        levels = node.pvtt_levels or ["vp1", "vp2", "vp3", "vp4"]
        return _v("met" if t.pvtt in levels else "not_met", msg("PVTT {level}", level=t.pvtt))
    if feat in ("cns_metastasis", "cns_metastasis_active") and t.cns_metastasis is None and (
            t.extrahepatic_spread is False or t.distant_metastasis is False):
        # a brain metastasis is extrahepatic and distant: staging that found no extrahepatic spread, or no
        # distant metastasis, rules it out as it rules out bone or peritoneal metastases (evaluation/metastasis.py)
        return _v("not_met", msg("no CNS metastases ({why})", why=msg("no extrahepatic spread")
                                 if t.extrahepatic_spread is False else msg("no distant metastasis")))
    if feat == "cns_metastasis_active":
        if t.cns_metastasis is False:
            return _v("not_met", msg("no CNS metastases"))
        if t.cns_metastasis is None:
            return _v("unknown", msg("CNS metastases not known"),
                      (msg("CNS metastases (brain imaging or clinical assessment)"),))
        if t.cns_metastasis_treated_stable is None:
            return _v("unknown", msg("CNS metastases present; whether treated and stable not known"),
                      (msg("whether CNS metastases are treated and stable"),))
        return _v("not_met" if t.cns_metastasis_treated_stable else "met",
                  msg("CNS metastases treated and stable") if t.cns_metastasis_treated_stable else
                  msg("CNS metastases untreated, symptomatic or progressing"))
    if feat in ("nodule_count", "largest_diameter", "liver_involvement_pct"):
        return _burden(node, t)
    if feat == "sum_diameters":
        return _sum_diameters(node, t)
    if feat == "liver_involvement_50":
        if t.liver_involvement_pct is None:
            return _v("unknown", msg("share of liver involved not known"), (msg("tumour share of liver volume"),))
        return _v("met" if t.liver_involvement_pct >= 50 else "not_met",
                  msg("tumour occupies {share}% of the liver", share=f"{t.liver_involvement_pct:g}"))
    value = getattr(t, _TUMOUR_FIELDS[feat])
    if value is None and feat == "measurable_disease_mrecist":
        value = t.measurable_disease if t.measurable_disease is False else None
    feature = term(feat.replace("_", " "))
    if value is None:
        return _v("unknown", msg("{feature} not known", feature=feature), (feature,))
    return _v("met" if value else "not_met", msg("{feature}: {answer}", feature=feature, answer=_yes_no(value)))


def _sum_diameters(node: E.TumourFeature, t: Any) -> Verdict:
    """Sum of the intrahepatic nodules' largest diameters (cm) against a threshold.  Known when every nodule's diameter
    is recorded (``nodule_diameters_cm`` with as many entries as ``nodule_count``, or no count); otherwise bounded by the
    largest nodule (the sum is at least it) and by count x largest (at most), which decide where they can."""
    what = msg("sum of the nodule diameters (cm)")
    if node.comparator is None or node.value is None:
        return _v("unknown", msg("{feature} not known", feature=what), (what,))
    diameters = list(t.nodule_diameters_cm)
    largest = t.largest_diameter_cm if t.largest_diameter_cm is not None else (max(diameters) if diameters else None)
    if diameters and (t.nodule_count is None or t.nodule_count == len(diameters)):
        low = high = float(sum(diameters))
    elif largest is not None:
        low = max(float(largest), float(sum(diameters)))
        high = float(largest) * t.nodule_count if t.nodule_count is not None else float("inf")
    else:
        return _v("unknown", msg("{feature} not known", feature=what), (msg("diameter of every intrahepatic nodule"),))
    op = _OPS[node.comparator]
    if op(low, node.value) and op(high, node.value):
        status = "met"
    elif not op(low, node.value) and not op(high, node.value):
        status = "not_met"
    else:
        return _v("unknown", msg("{feature} between {low} and {high}: the diameters of all nodules decide", feature=what,
                                 low=f"{low:g}", high=f"{high:g}"), (msg("diameter of every intrahepatic nodule"),))
    shown = f"{low:g}" if low == high else f"{low:g}-{high:g}" if high != float("inf") else f"≥ {low:g}"
    if status == "met":
        return _v(status, msg("{feature} {value} {cmp} {limit}", feature=what, value=shown, cmp=_SYM[node.comparator],
                              limit=f"{node.value:g}"))
    return _v(status, msg("{feature} {value}, not {cmp} {limit}", feature=what, value=shown, cmp=_SYM[node.comparator],
                          limit=f"{node.value:g}"))


def _yes_no(value: Any) -> str:
    return msg("yes") if value else msg("no")


def _burden(node: E.TumourFeature, t: Any) -> Verdict:
    """Tumour burden against a threshold: intrahepatic nodule count, largest nodule diameter (cm; the
    recorded largest diameter, else the largest of the recorded nodule diameters), share of the liver (%)."""
    feat = node.feature
    if feat == "nodule_count":
        value, what = t.nodule_count, msg("intrahepatic nodules")
    elif feat == "largest_diameter":
        value = t.largest_diameter_cm if t.largest_diameter_cm is not None else (
            max(t.nodule_diameters_cm) if t.nodule_diameters_cm else None)
        what = msg("largest tumour diameter (cm)")
    else:
        value, what = t.liver_involvement_pct, msg("tumour share of the liver (%)")
    if value is None or node.comparator is None or node.value is None:
        return _v("unknown", msg("{feature} not known", feature=what), (what,))
    ok = _OPS[node.comparator](float(value), node.value)
    return _v("met" if ok else "not_met", msg("{feature} {value} {cmp} {limit}", feature=what, value=f"{value:g}",
                                             cmp=_SYM[node.comparator], limit=f"{node.value:g}"))


def _evaluable(t: Any) -> Verdict:
    """Evaluable disease: any tumour present, measurable or not (RECIST 1.1 non-target lesions count)."""
    if t.measurable_disease or t.measurable_disease_mrecist or t.lesions or (t.nodule_count or 0) > 0 \
            or t.extrahepatic_spread or t.nodule_diameters_cm:
        return _v("met", msg("tumour present (measurable or evaluable lesions recorded)"))
    if t.nodule_count == 0 and t.extrahepatic_spread is False:
        return _v("not_met", msg("no tumour recorded (0 nodules, no extrahepatic spread)"))
    return _v("unknown", msg("evaluable disease not known"), (msg("tumour burden (nodules / lesions on baseline imaging)"),))


def _cheng(node: E.TumourFeature, t: Any) -> Verdict:
    """PVTT of a Cheng type (``cheng_types``; main trunk = iii or iv): the recorded Cheng type, else
    the types compatible with the Vp level (:func:`hcctrials.criteria.evaluation.measurable.cheng_from_vp`)."""
    from hcctrials.criteria.evaluation.measurable import cheng_from_vp

    wanted = set(node.cheng_types) if node.feature == "pvtt_cheng" else {"iii", "iv"}
    shown = "Cheng " + "/".join(sorted(x.upper() for x in wanted))
    if t.pvtt_cheng is not None:
        return _v("met" if t.pvtt_cheng in wanted else "not_met",
                  msg("PVTT Cheng {type} ({asked} asked)", type=t.pvtt_cheng.upper(), asked=shown))
    cands, why = cheng_from_vp(t.pvtt)
    if t.pvtt is None:
        return _v("unknown", msg("PVTT type not known ({asked} asked)", asked=shown), (msg("PVTT (Cheng type or Vp level)"),))
    if cands and set(cands) <= wanted:
        return _v("met", msg("PVTT {detail} ({asked} asked)", detail=why, asked=shown))
    if not set(cands) & wanted:
        return _v("not_met", msg("PVTT {detail} ({asked} asked)", detail=why, asked=shown))
    return _v("unknown", msg("PVTT {detail}: Cheng type not decidable ({asked} asked)", detail=why, asked=shown),
              (msg("PVTT Cheng type"),))


def _endoscopy_recent(lv: Any, f: PatientFacts, days: int | None) -> bool | None:
    """Was the latest upper endoscopy within *days* before as_of (None: no window asked)?"""
    if days is None:
        return True
    if lv.endoscopy_date is None:
        return None
    done: date = lv.endoscopy_date
    return done <= f.as_of and (f.as_of - done).days <= days


def _paracentesis_per_month(node: E.LiverFeature, lv: Any) -> Verdict:
    """Paracenteses per month against ``comparator value`` (hcctrials.criteria.families.liver_notes): the
    recorded frequency decides; without it, no ascites or ascites not needing paracentesis is 0 per month;
    ascites needing paracentesis at an unrecorded frequency is unknown."""
    cmp, limit = node.comparator or ">", node.value if node.value is not None else 1.0
    if lv.paracentesis_per_month is not None:
        rate = float(lv.paracentesis_per_month)
        return _v("met" if _OPS[cmp](rate, limit) else "not_met",
                  msg("paracentesis {rate} per month", rate=f"{rate:g}"))
    if lv.ascites == "none" or lv.ascites_requires_paracentesis is False:
        rate = 0.0
        why = msg("no ascites") if lv.ascites == "none" else msg("ascites not requiring paracentesis")
        return _v("met" if _OPS[cmp](rate, limit) else "not_met", why)
    return _v("unknown", msg("paracentesis frequency not known"), (msg("paracenteses per month"),))


def _liver(node: E.LiverFeature, f: PatientFacts) -> Verdict:
    lv = f.patient.liver
    feat = node.feature
    if feat == "paracentesis_per_month":
        return _paracentesis_per_month(node, lv)
    if feat.startswith("ascites"):
        if lv.ascites is None:
            return _v("unknown", msg("ascites not known"), (msg("ascites grade"),))
        grade = term(lv.ascites)
        if feat == "ascites":
            return _v("met" if lv.ascites != "none" else "not_met", msg("ascites {grade}", grade=grade))
        if feat == "ascites_clinically_evident":
            return _v("met" if lv.ascites == "moderate_severe" else "not_met", msg("ascites {grade}", grade=grade))
        if feat in ("ascites_beyond_trace", "ascites_refractory", "ascites_severe"):
            return _ascites_grade_beyond(feat, lv.ascites)
        if lv.ascites == "none":
            return _v("not_met", msg("no ascites"))
        if lv.ascites_requires_paracentesis is None:
            return _v("unknown", msg("ascites {grade}; need for paracentesis not known", grade=grade),
                      (msg("ascites requiring paracentesis"),))
        return _v("met" if lv.ascites_requires_paracentesis else "not_met",
                  msg("ascites {grade}, paracentesis needed: {answer}", grade=grade,
                      answer=term(str(lv.ascites_requires_paracentesis))))
    if feat == "encephalopathy":
        if lv.encephalopathy is None:
            return _v("unknown", msg("encephalopathy not known"), (msg("hepatic encephalopathy grade"),))
        return _v("met" if lv.encephalopathy != "none" else "not_met",
                  msg("encephalopathy {grade}", grade=term(lv.encephalopathy)))
    window = msg(" within {days} days", days=node.look_back_days) if node.look_back_days is not None else ""
    recent = _endoscopy_recent(lv, f, node.look_back_days)
    if feat == "endoscopy":
        if recent is None:
            return _v("unknown", msg("date of the last upper endoscopy not known"),
                      (msg("upper endoscopy{window}", window=window),))
        return _v("met" if recent else "not_met", msg("upper endoscopy {date}{window}", date=str(lv.endoscopy_date),
                                                     window=window))
    if lv.varices is None or recent is not True:
        what = msg("varices not known") if lv.varices is None else msg(
            "no upper endoscopy{window} (last {date})", window=window,
            date=str(lv.endoscopy_date) if lv.endoscopy_date else msg("not dated"))
        return _v("unknown", what, (msg("upper endoscopy{window} (varices)", window=window),))
    if feat == "varices":
        return _v("met" if lv.varices != "none" else "not_met", msg("varices {grade}", grade=term(lv.varices)))
    return _v("met" if lv.varices == "large" else "not_met", msg("varices {grade}", grade=term(lv.varices)))


def _ecog(node: E.Ecog, f: PatientFacts) -> Verdict:
    """ECOG in the allowed set; a grade in ``undecided`` (a Karnofsky criterion whose threshold falls inside
    the grade's Karnofsky band) is unknown: the Karnofsky score decides."""
    ecog = f.patient.ecog
    if ecog is not None and ecog in node.undecided:
        return _v("unknown", msg("ECOG {ecog}: Karnofsky band straddles {threshold}", ecog=ecog,
                                 threshold=node.label or msg("the threshold")),
                  (msg("Karnofsky performance status"),))
    return _set_check(ecog, node.allowed, msg("ECOG"), msg("ECOG performance status"))


def _ascites_grade_beyond(feat: str, grade: str) -> Verdict:
    """Ascites more than the recorded grade can tell (grades: none / mild = imaging-only or diuretic-controlled /
    moderate-severe = clinically evident, tense or refractory; hcc-domain.md s. 1.1):

    * ``ascites_beyond_trace`` ("ascites; trace ascites on imaging is acceptable"): moderate-severe is more
      than trace; mild may be trace on imaging only or more, so it is unknown;
    * ``ascites_refractory`` (refractory to diuretics): mild ascites is diuretic-controlled, so not refractory;
      moderate-severe may or may not be refractory;
    * ``ascites_severe`` (severe / massive / tense): mild is not; moderate-severe does not say which."""
    if grade == "none":
        return _v("not_met", msg("no ascites"))
    what = {"ascites_beyond_trace": msg("more than trace ascites on imaging"),
            "ascites_refractory": msg("ascites refractory to diuretics"),
            "ascites_severe": msg("severe (tense / massive) ascites")}[feat]
    if grade == "mild":
        if feat == "ascites_beyond_trace":
            return _v("unknown", msg("ascites mild: whether {what} not known", what=what),
                      (msg("ascites: trace on imaging only or more"),))
        return _v("not_met", msg("ascites mild (imaging-only or diuretic-controlled): not {what}", what=what))
    if feat == "ascites_beyond_trace":
        return _v("met", msg("ascites moderate-severe (clinically evident): more than trace"))
    return _v("unknown", msg("ascites moderate-severe: whether {what} not recorded", what=what), (what,))


def review_reason(reason: str) -> str:
    """The compiler's review reason (stored as English text with the rule) as a message: its fixed
    words translatable, the quoted criterion text and the rule description kept as written."""
    left, sep, partial = reason.partition(" (partly read as: ")
    if sep and partial.endswith(")"):
        return msg("{reason} (partly read as: {rule})", reason=review_reason(left), rule=partial[:-1])
    if "; " in reason:
        return join_msgs(msg("; "), [review_reason(part) for part in reason.split("; ")])
    for prefix in _REVIEW_PREFIXES:
        if reason.startswith(prefix + ": "):
            template = prefix + ": {text}"  # one of the msgids listed below
            return msg(template, text=reason[len(prefix) + 2:])
    qualifier = re.fullmatch(r"qualifier '(?P<word>[^']+)' is not part of the rule", reason)
    if qualifier:
        return msg("qualifier '{word}' is not part of the rule", word=qualifier.group("word"))
    return term(reason)  # a fixed reason is rendered from the catalog when it holds it (e.g. criteria_extent.po)


#: Review reasons of the compiler that quote the criterion after a fixed phrase (msgids below, extracted by hand
#: because the phrase is a variable: keep in step with the catalog).
_REVIEW_PREFIXES = ("no rule recognised in", "text not compiled", "exception not compiled",
                    "condition attached to a permissive statement", "an exclusion stated in the inclusion list",
                    "condition not compiled", "metastasis sites not read exactly")
_ = (msg("no rule recognised in: {text}"), msg("text not compiled: {text}"), msg("exception not compiled: {text}"),
     msg("condition attached to a permissive statement: {text}"),
     msg("an exclusion stated in the inclusion list: {text}"), msg("condition not compiled: {text}"),
     msg("metastasis sites not read exactly: {text}"))


LEAF_EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {
    "lab": _lab, "age": _age, "child_pugh": _child_pugh, "albi": _albi, "stage": _stage,
    "diagnosis": _diagnosis, "tumour_feature": _tumour, "liver_feature": _liver,
    "sex": lambda n, f: _set_check(f.patient.sex, n.allowed, msg("sex"), msg("sex")),
    "ecog": lambda n, f: _ecog(n, f),
    "administrative": lambda n, f: _v("administrative", msg("administrative ({category}): check with the site",
                                                            category=term(n.category))),
    "needs_review": lambda n, f: _v("needs_review", _review_verdict_reason(n)),
}


class ReviewVerdictReason(Msg):
    """The reason of a needs-review verdict, "needs review: {reason}" (the same text, msgid and fields as the plain
    message), carrying the rules its reason shows as the compiler kept them (``NeedsReview.read_as``): a reader of
    another language gets those rules said from the rules themselves (:mod:`hcctrials.matching.localise`), not
    rebuilt by compiling the criterion text again (5-25 ms per criterion, the first time a process showed it).
    Pickles with its rules (verdicts cross the screening pool)."""

    read_as: tuple[E.Node, ...]
    source: str

    def __new__(cls, reason: str, read_as: tuple[E.Node, ...]) -> ReviewVerdictReason:
        self = cast(ReviewVerdictReason, super().__new__(cls, "needs review: {reason}",
                                                          {"reason": review_reason(reason)}))
        self.read_as, self.source = read_as, reason
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReviewVerdictReason, (self.source, self.read_as))


def _review_verdict_reason(node: E.NeedsReview) -> str:
    if node.read_as:
        return ReviewVerdictReason(node.reason, tuple(node.read_as))
    return msg("needs review: {reason}", reason=review_reason(node.reason))


def days_between(later: Any, earlier: Any) -> int:
    return int((later - earlier) / timedelta(days=1))
