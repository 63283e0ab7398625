"""Plausibility of patient data, checked once where it is read (issue 11).

Impossible values must not decide anything:

* a **physiologically impossible** value is an error naming the field and the value (albumin
  3400 g/L; a 400 cm nodule; weight 0.001 kg; a birth date in 1724; a lab analyte that does not
  exist): :class:`~hcctrials.errors.ValidationError`;
* an **implausible or contradictory** value is a finding (two different same-day results for one
  analyte; a nodule count below the number of listed nodules; a largest diameter below a listed
  one): the finding is kept on the patient (:attr:`Patient.data_findings`) and shown wherever the
  patient is matched, and the value is left out of evaluation, so every criterion it feeds is
  *unknown* (naming what to measure) rather than decided.  The record itself is not changed.

Dates need the evaluation date: :func:`check_dates` (a birth or diagnosis date after ``as_of`` is an
error; results dated after ``as_of`` are ignored by the engine and named in a finding).

Limits are physiological (``hcctrials.units.analytes.PLAUSIBLE`` for labs; hcc-domain.md s. 5) and
deliberately wide: they catch a wrong unit or a typing error, not an unusual patient.  Pure.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from datetime import date

from hcctrials.criteria.compiler.describe import ANALYTE_LABELS  # the laboratory names the reasons use
from hcctrials.errors import HcctrialsError, ValidationError
from hcctrials.i18n import Msg, join_msgs, msg, term
from hcctrials.model.patient import ANALYTES, LabResult, Patient

__all__ = ["check_patient", "check_dates", "MIN_BIRTH_YEAR", "MAX_TUMOUR_CM", "WEIGHT_KG", "HEIGHT_CM"]

#: Earliest plausible birth year (a patient aged over 125 on any date after 2026 is a typing error).
MIN_BIRTH_YEAR = 1900
#: Largest plausible tumour diameter: the largest resected HCCs reported are about 30 cm.
MAX_TUMOUR_CM = 35.0
WEIGHT_KG = (2.0, 400.0)
HEIGHT_CM = (40.0, 260.0)
#: Two same-day results differing by more than this share are a contradiction, not rounding.
SAME_DAY_TOLERANCE = 0.05


def _error(field: str, value: object, message: Msg, hint: Msg | None, record: str | None,
           file: str | None = None) -> ValidationError:
    return ValidationError(message, field=field, value=value, hint=hint, record=record, file=file)


def _unit_hint(lab: LabResult, canonical: str, low: float, high: float) -> Msg:
    if lab.unit:
        return msg("the possible range is {low}-{high} {unit}; check the unit ({given}) and the value",
                   low=f"{low:g}", high=f"{high:g}", unit=canonical, given=lab.unit)
    return msg("the possible range is {low}-{high} {unit}; check the unit (none given) and the value",
               low=f"{low:g}", high=f"{high:g}", unit=canonical)


def _check_lab(k: int, lab: LabResult, record: str | None) -> None:
    from hcctrials.units.analytes import CANONICAL_UNITS, PLAUSIBLE
    from hcctrials.units.convert import convert

    field = f"labs[{k}]"
    if lab.analyte not in ANALYTES:
        close = difflib.get_close_matches(lab.analyte, ANALYTES, n=1)
        raise _error(f"{field}.analyte", lab.analyte, msg("unknown analyte"),
                     msg("did you mean {name}?", name=repr(close[0])) if close
                     else msg("see hcctrials.model.patient.ANALYTES"), record)
    if lab.value is None:
        return
    if not math.isfinite(lab.value):
        raise _error(f"{field}.value", lab.value, msg("not a finite number"), msg("leave the value out when unknown"),
                     record)
    if lab.analyte not in PLAUSIBLE or lab.analyte not in CANONICAL_UNITS:
        return
    canonical = CANONICAL_UNITS[lab.analyte]
    unit = lab.unit or canonical
    try:
        value = convert(lab.value, unit, canonical, analyte=lab.analyte)
    except (HcctrialsError, ValueError):
        return  # a unit that cannot be converted leaves the result unusable: the engine says unknown
    low, high = PLAUSIBLE[lab.analyte]
    if not low <= value <= high:
        raise _error(f"{field}.value", f"{lab.value:g} {unit}",
                     msg("{analyte} is physiologically impossible", analyte=term(lab.analyte)),
                     _unit_hint(lab, canonical, low, high), record)


def _same_day_conflicts(patient: Patient) -> tuple[set[int], list[str]]:
    """Indices of results that contradict another result of the same analyte and day, with findings."""
    from hcctrials.units.analytes import CANONICAL_UNITS
    from hcctrials.units.convert import convert

    groups: dict[tuple[str, date], list[tuple[int, float]]] = defaultdict(list)
    for k, lab in enumerate(patient.labs):
        if lab.value is None or lab.date is None or lab.qualifier not in (None, "="):
            continue
        value = lab.value
        if lab.analyte in CANONICAL_UNITS and lab.unit:
            try:
                value = convert(lab.value, lab.unit, CANONICAL_UNITS[lab.analyte], analyte=lab.analyte)
            except (HcctrialsError, ValueError):
                continue
        groups[(lab.analyte, lab.date)].append((k, value))
    dropped: set[int] = set()
    findings: list[str] = []  # Msg values: English as text, rendered in the reader's language by adapters
    for (analyte, day), results in groups.items():
        values = [v for _, v in results]
        lo, hi = min(values), max(values)
        if len(results) > 1 and hi - lo > SAME_DAY_TOLERANCE * max(abs(hi), 1e-9):
            dropped.update(k for k, _ in results)
            shown = join_msgs(msg(", "), [f"{patient.labs[k].value:g} {patient.labs[k].unit or ''}".strip()
                                          for k, _ in results])
            findings.append(msg("contradiction: {analyte} on {day} has different results ({shown}); "
                                "none is used until the record says which is right",
                                analyte=term(ANALYTE_LABELS.get(analyte, analyte)), day=day.isoformat(), shown=shown))
    return dropped, findings


def check_patient(patient: Patient, *, file: str | None = None, record: str | None = None) -> Patient:
    """*patient* checked: raises :class:`ValidationError` for an impossible value; returns the patient
    to evaluate, with implausible or contradictory values left out and named in ``data_findings``."""
    try:
        return _check(patient, record)
    except ValidationError as exc:
        if file and not exc.file:
            raise ValidationError(exc.message, file=file, record=exc.record, field=exc.field, value=exc.value,
                                  hint=exc.hint) from None
        raise


def _check(patient: Patient, record: str | None) -> Patient:
    if patient.birth_date is not None and patient.birth_date.year < MIN_BIRTH_YEAR:
        raise _error("birth_date", patient.birth_date.isoformat(), msg("birth year before {year}", year=MIN_BIRTH_YEAR),
                     msg("check the year"), record)
    for name, value, (low, high) in (("weight_kg", patient.weight_kg, WEIGHT_KG),
                                     ("height_cm", patient.height_cm, HEIGHT_CM)):
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise _error(name, value, msg("{analyte} is physiologically impossible", analyte=name),
                         msg("expected {low}-{high}", low=f"{low:g}", high=f"{high:g}"), record)
    tumour = patient.tumour
    for k, d in enumerate(tumour.nodule_diameters_cm):
        if not (math.isfinite(d) and 0 < d <= MAX_TUMOUR_CM):
            raise _error(f"tumour.nodule_diameters_cm[{k}]", d, msg("nodule diameter is impossible"),
                         msg("diameters are in cm (0-{max}); a value in mm belongs in tumour.lesions",
                             max=f"{MAX_TUMOUR_CM:g}"), record)
    if tumour.largest_diameter_cm is not None and tumour.largest_diameter_cm > MAX_TUMOUR_CM:
        raise _error("tumour.largest_diameter_cm", tumour.largest_diameter_cm, msg("tumour diameter is impossible"),
                     msg("diameters are in cm (0-{max})", max=f"{MAX_TUMOUR_CM:g}"), record)
    for k, lesion in enumerate(tumour.lesions):
        for name in ("longest_diameter_mm", "short_axis_mm", "viable_diameter_mm"):
            value = getattr(lesion, name)
            if value is not None and value > MAX_TUMOUR_CM * 10:
                raise _error(f"tumour.lesions[{k}].{name}", value, msg("lesion diameter is impossible"),
                             msg("lesion sizes are in mm (0-{max})", max=f"{MAX_TUMOUR_CM * 10:g}"), record)
    for k, lab in enumerate(patient.labs):
        _check_lab(k, lab, record)

    findings = list(patient.data_findings)
    dropped, conflicts = _same_day_conflicts(patient)
    findings.extend(f for f in conflicts if f not in findings)
    update: dict[str, object] = {}
    if dropped:
        update["labs"] = [lab for k, lab in enumerate(patient.labs) if k not in dropped]
    tumour_update: dict[str, object] = {}
    listed = len(tumour.nodule_diameters_cm)
    if tumour.nodule_count is not None and listed > tumour.nodule_count:
        findings.append(msg("contradiction: nodule_count {count} but {listed} nodule diameters listed; "
                            "the count is not used", count=tumour.nodule_count, listed=listed))
        tumour_update["nodule_count"] = None
    if tumour.largest_diameter_cm is not None and listed and max(tumour.nodule_diameters_cm) > tumour.largest_diameter_cm:
        findings.append(msg("contradiction: largest_diameter_cm {largest} but a listed nodule measures {nodule} cm; "
                            "the largest diameter is not used", largest=f"{tumour.largest_diameter_cm:g}",
                            nodule=f"{max(tumour.nodule_diameters_cm):g}"))
        tumour_update["largest_diameter_cm"] = None
    if tumour_update:
        update["tumour"] = tumour.model_copy(update=tumour_update)
    if findings != list(patient.data_findings):
        update["data_findings"] = findings
    return patient.model_copy(update=update) if update else patient


def check_dates(patient: Patient, as_of: date) -> Patient:
    """*patient* checked against the evaluation date: a birth or diagnosis date after *as_of* is an
    error; results and assessments dated after it are named in a finding (the engine ignores them)."""
    if patient.birth_date is not None and patient.birth_date > as_of:
        raise ValidationError(msg("birth date after the evaluation date"), field="birth_date",
                              value=patient.birth_date.isoformat(),
                              hint=msg("evaluation date {date}", date=as_of.isoformat()))
    diagnosed = patient.diagnosis.diagnosis_date
    if diagnosed is not None and diagnosed > as_of:
        raise ValidationError(msg("diagnosis date after the evaluation date"), field="diagnosis.diagnosis_date",
                              value=diagnosed.isoformat(), hint=msg("evaluation date {date}", date=as_of.isoformat()))
    later = sorted({lab.analyte for lab in patient.labs if lab.date is not None and lab.date > as_of})
    if not later:
        return patient
    finding = msg("results dated after the evaluation date {date} are not used: {analytes}", date=as_of.isoformat(),
                  analytes=join_msgs(msg(", "), [term(ANALYTE_LABELS.get(a, a)) for a in later]))
    if finding in patient.data_findings:
        return patient
    return patient.model_copy(update={"data_findings": [*patient.data_findings, finding]})
