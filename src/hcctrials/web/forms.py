"""The match form and patient uploads, read into a :class:`~hcctrials.model.patient.Patient`.

The form's fields are the main fields of the patient schema (docs/patients.md), named by their
path in it (``liver.ascites``, ``tumour.nodule_count``) and, for laboratory results, ``lab.<analyte>``
with ``lab.<analyte>.unit``; every value is dated on the evaluation date.  The mapping only moves
values into the schema: the patient is validated by :func:`hcctrials.patients.parse_patient`, as a
file would be, so a bad value is refused with the field it came from.

Uploads (JSON, YAML or a FHIR R4 Bundle) are read in memory, never written to disk, by the same
reader as ``hcctrials match PATIENT`` (size and YAML alias limits of :mod:`hcctrials.patients.io`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from hcctrials.errors import InputError, ParseError
from hcctrials.i18n import msg

__all__ = ["FORM_LABS", "patient_from_form", "patient_from_upload", "form_as_of", "CHOICES"]

#: Laboratory fields of the form: analyte -> units offered (first is the default).
FORM_LABS: dict[str, tuple[str, ...]] = {
    "bilirubin_total": ("umol/L", "mg/dL"),
    "albumin": ("g/L", "g/dL"),
    "inr": ("1",),
    "creatinine": ("umol/L", "mg/dL"),
    "sodium": ("mmol/L",),
    "platelets": ("10^9/L",),
    "afp": ("ng/mL",),
}

#: Choice fields of the form and their schema values.
CHOICES: dict[str, tuple[str, ...]] = {
    "sex": ("female", "male"),
    "diagnosis.histology": ("hcc", "fibrolamellar", "cholangiocarcinoma", "combined_hcc_cca", "sarcomatoid", "other"),
    "diagnosis.confirmed_by": ("histology", "cytology", "imaging", "clinical"),
    "diagnosis.etiologies": ("hbv", "hcv", "alcohol", "masld", "other"),
    "liver.ascites": ("none", "mild", "moderate_severe"),
    "liver.encephalopathy": ("none", "grade_1_2", "grade_3_4"),
    "liver.varices": ("none", "small", "large", "treated"),
    "tumour.pvtt": ("vp0", "vp1", "vp2", "vp3", "vp4"),
}
_BOOLEANS = ("diagnosis.cirrhosis", "tumour.vascular_invasion", "tumour.extrahepatic_spread",
             "tumour.measurable_disease", "virology.hbsag_positive", "virology.anti_hcv_positive")
_NUMBERS = {"age_years": float, "ecog": int, "tumour.nodule_count": int, "tumour.largest_diameter_cm": float,
            "prior_systemic_lines": int}
_TEXTS = ("location.city", "location.province", "location.country")


def _value(form: Mapping[str, Any], name: str) -> str:
    raw = form.get(name)
    return str(raw).strip() if raw is not None else ""


def _number(form: Mapping[str, Any], name: str, kind: type) -> int | float | None:
    text = _value(form, name)
    if not text:
        return None
    try:
        number = kind(float(text)) if kind is int and float(text).is_integer() else kind(text)
    except ValueError:
        raise InputError(msg("not a number"), file="form", field=name, value=text) from None
    if isinstance(number, float) and number != number:
        raise InputError(msg("not a number"), file="form", field=name, value=text)
    return number


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def form_as_of(form: Mapping[str, Any], today: date) -> date:
    """The evaluation date of the form (``as_of``), default *today*."""
    text = _value(form, "as_of")
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(msg("expected a date YYYY-MM-DD"), file="form", field="as_of", value=text) from None


def patient_from_form(form: Mapping[str, Any], etiologies: list[str], *, as_of: date) -> Any:
    """The :class:`~hcctrials.model.patient.Patient` the form describes (module docstring).

    *etiologies*: the ticked ``diagnosis.etiologies`` boxes (a form field given several times)."""
    from hcctrials.patients import parse_patient

    data: dict[str, Any] = {"patient_id": _value(form, "patient_id") or "web-patient"}
    for name, kind in _NUMBERS.items():
        number = _number(form, name, kind)
        if number is None or name == "prior_systemic_lines":
            continue
        _set(data, name, number)
    if "age_years" in data:
        data["age_recorded_on"] = as_of.isoformat()
    if "ecog" in data:
        data["ecog_date"] = as_of.isoformat()
    for name, allowed in CHOICES.items():
        if name == "diagnosis.etiologies":
            continue
        text = _value(form, name)
        if text:
            if text not in allowed:
                raise InputError(msg("not one of the offered values"), file="form", field=name, value=text,
                                 hint=msg("one of {values}", values=", ".join(allowed)))
            _set(data, name, text)
    chosen = [e for e in etiologies if e]
    for e in chosen:
        if e not in CHOICES["diagnosis.etiologies"]:
            raise InputError(msg("not one of the offered values"), file="form", field="diagnosis.etiologies",
                             value=e)
    if chosen:
        _set(data, "diagnosis.etiologies", chosen)
    for name in _BOOLEANS:
        text = _value(form, name)
        if text in ("yes", "no"):
            _set(data, name, text == "yes")
        elif text:
            raise InputError(msg("expected yes, no or empty"), file="form", field=name, value=text)
    for name in _TEXTS:
        text = _value(form, name)
        if text:
            _set(data, name, text[:100])
    if any(k in data.get("liver", {}) for k in ("ascites", "encephalopathy", "varices")):
        data["liver"]["assessed_on"] = as_of.isoformat()
    if data.get("tumour"):
        data["tumour"]["assessed_on"] = as_of.isoformat()
    labs = []
    for analyte, units in FORM_LABS.items():
        number = _number(form, f"lab.{analyte}", float)
        if number is None:
            continue
        unit = _value(form, f"lab.{analyte}.unit") or units[0]
        if unit not in units:
            raise InputError(msg("unit not offered for this result"), file="form", field=f"lab.{analyte}.unit",
                             value=unit, hint=msg("one of {values}", values=", ".join(units)))
        labs.append({"analyte": analyte, "value": number, "unit": unit, "date": as_of.isoformat()})
    if labs:
        data["labs"] = labs
    lines = _number(form, "prior_systemic_lines", int)
    if lines is not None:
        if not 0 <= int(lines) <= 10:
            raise InputError(msg("prior systemic lines must be 0 to 10"), file="form", field="prior_systemic_lines",
                             value=lines)
        agents = [a.strip() for a in _value(form, "prior_agents").replace("，", ",").split(",") if a.strip()]
        settings = ("first_line", "second_line")
        data["treatments"] = [{"kind": "systemic", "line": k + 1,
                               "setting": settings[k] if k < len(settings) else "later_line",
                               **({"agents": agents} if agents and k == int(lines) - 1 else {})}
                              for k in range(int(lines))]
    if _value(form, "history_reviewed") == "yes":
        data["history_reviewed"] = True
    return parse_patient(data, source="form")


def patient_from_upload(filename: str, content: bytes) -> Any:
    """The patient in an uploaded ``.json`` / ``.yaml`` / ``.yml`` file (our schema or a FHIR Bundle)."""
    from hcctrials.patients import parse_patient
    from hcctrials.patients.io import MAX_DEPTH, MAX_YAML_BYTES, load_yaml_text, syntax_message
    from hcctrials.textdecode import decode_text

    name = (filename or "upload").rsplit("/", 1)[-1][:120]
    lowered = name.lower()
    is_yaml = lowered.endswith((".yaml", ".yml"))
    if not is_yaml and not lowered.endswith(".json"):
        raise ParseError(msg("unknown patient file type"), file=name,
                         hint=msg("upload .json, .yaml or .yml (a FHIR R4 Bundle is .json)"))
    if not content:
        raise ParseError(msg("the file is empty"), file=name)
    if is_yaml and len(content) > MAX_YAML_BYTES:
        raise ParseError(msg("YAML patient file larger than {size} bytes", size=MAX_YAML_BYTES), file=name)
    kind = "YAML" if is_yaml else "JSON"
    text = decode_text(content, file=name, expected=f"a {kind} patient file")
    try:
        data = load_yaml_text(text, name) if is_yaml else json.loads(text)
    except RecursionError:
        raise ParseError(msg("not valid {kind}: nested too deeply", kind=kind), file=name,
                         hint=msg("a patient record is at most {levels} levels deep", levels=MAX_DEPTH)) from None
    except ValueError as exc:  # JSONDecodeError, a bad YAML date
        raise ParseError(syntax_message(kind, exc), file=name) from None
    except Exception as exc:  # yaml.YAMLError
        import yaml

        if isinstance(exc, yaml.YAMLError):
            raise ParseError(syntax_message(kind, exc), file=name) from None
        raise
    if isinstance(data, list):
        raise ParseError(msg("the file holds a list of patients; upload one patient"), file=name)
    return parse_patient(data, source=name)


def patient_from_json(data: Any) -> Any:
    """The patient in a JSON request body (our schema or a FHIR Bundle)."""
    from hcctrials.patients import parse_patient

    return parse_patient(data, source="request body")
