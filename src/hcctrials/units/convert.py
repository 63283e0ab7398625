"""Convert lab values between units, per analyte, and bring a :class:`LabResult` to canonical.

Two mechanisms, never a guess:

* an explicit per-analyte table (:data:`~hcctrials.units.analytes.MOLAR_FACTORS`) for
  mass <-> molar and definitional equivalences (bilirubin mg/dL × 17.1 = µmol/L, creatinine
  mg/dL × 88.4 = µmol/L, mEq/L = mmol/L for Na/K, IU/L = U/L for enzymes, µkat/L × 60 = U/L);
* pint for plain dimensional conversions (g/dL <-> g/L, /µL <-> 10^9/L, mg/24h <-> g/24h ...).

Refused on purpose: HBV DNA ``copies/mL`` (the copies-per-IU factor is assay-specific, about
5-6), AFP ``IU/mL`` (assay-specific ≈1.21), and any pair not listed for the analyte.
Source: ``hcc-domain.md`` section 5.

Implausible values (a value that only makes sense in another unit) give
:class:`ImplausibleUnitWarning`; a negative value gives :class:`~hcctrials.errors.ValidationError`.
By default :func:`to_canonical` *issues* the warning (``warnings.warn``) **and** records it in
``CanonicalLab.findings``; ``on_implausible="record"`` only records it (used by
:func:`hcctrials.scores.compute_patient_scores`, which returns findings), ``"raise"`` raises
:class:`~hcctrials.errors.UnitError`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from hcctrials.errors import DataQualityWarning, UnitError, ValidationError
from hcctrials.model.patient import LabResult
from hcctrials.units.analytes import ACCEPTED_UNITS, CANONICAL_UNITS, MOLAR_FACTORS, PLAUSIBLE
from hcctrials.units.normalise import UNITLESS, normalise_unit

__all__ = [
    "convert",
    "load_unit_registry",
    "canonical_unit",
    "to_canonical",
    "check_plausible",
    "CanonicalLab",
    "ImplausibleValueWarning",
    "ImplausibleUnitWarning",
]


class ImplausibleValueWarning(DataQualityWarning):
    """A lab value outside the physiologically possible range for its analyte."""


class ImplausibleUnitWarning(ImplausibleValueWarning):
    """A lab value implausible in its declared unit (probably reported in another unit)."""


# pint expressions for the dimensional units; built lazily (creating a registry takes ~0.3 s).
_PINT_EXPR = {
    "g/L": "g/L", "g/dL": "g/dL", "mg/dL": "mg/dL", "mg/L": "mg/L", "ug/L": "ug/L",
    "ng/mL": "ng/mL", "ug/mL": "ug/mL",
    "10^9/L": "1e9/L", "10^12/L": "1e12/L", "/uL": "1/uL", "/L": "1/L",
    "mmol/L": "mmol/L", "umol/L": "umol/L",
    "g/24h": "g/(24 h)", "mg/24h": "mg/(24 h)", "mg/mg": "mg/mg", "mg/g": "mg/g",
    "s": "s", "ms": "ms", "kg": "kg", "cm": "cm", "mm": "mm", "mL/min": "mL/min",
}


@lru_cache(maxsize=1)
def _registry():  # type: ignore[no-untyped-def]
    import pint

    return pint.UnitRegistry()


def load_unit_registry() -> None:
    """Build pint's unit registry now (~0.3-0.5 s of CPU) rather than at the first conversion that needs it: a
    server calls this while it warms up, so that no request pays for it."""
    _registry()


@lru_cache(maxsize=1024)
def _pint_factor(from_unit: str, to_unit: str) -> float | None:
    if from_unit not in _PINT_EXPR or to_unit not in _PINT_EXPR:
        return None
    import pint

    ureg = _registry()
    src = ureg.parse_expression(_PINT_EXPR[from_unit])
    dst = ureg.parse_expression(_PINT_EXPR[to_unit])
    try:
        return float((src.to(dst.units)).magnitude / dst.magnitude)
    except pint.DimensionalityError:
        return None


def canonical_unit(analyte: str) -> str:
    """The canonical unit of *analyte* (hcc-domain.md §5); :class:`UnitError` if unknown."""
    try:
        return CANONICAL_UNITS[analyte]
    except KeyError:
        raise UnitError("no canonical unit for this analyte", field=analyte, value=analyte,
                        hint="use an analyte code from hcctrials.model.patient.ANALYTES") from None


def _factor(analyte: str, src: str, dst: str,
            factors: dict[tuple[str, str, str], float] | None) -> float:
    if src == dst:
        return 1.0
    table = MOLAR_FACTORS if factors is None else {**MOLAR_FACTORS, **factors}
    if (analyte, src, dst) in table:
        return table[(analyte, src, dst)]
    if (analyte, dst, src) in table:
        return 1.0 / table[(analyte, dst, src)]
    # via the canonical unit: src -> canonical -> dst, each step explicit or dimensional
    canon = CANONICAL_UNITS.get(analyte)
    direct = _pint_factor(src, dst)
    if direct is not None:
        return direct
    if canon is not None and canon not in (src, dst):
        return _factor(analyte, src, canon, factors) * _factor(analyte, canon, dst, factors)
    # one dimensional hop and one table hop (e.g. bilirubin mg/L -> mg/dL -> umol/L)
    for (a, f, t), k in table.items():
        if a != analyte:
            continue
        if t == dst and (p := _pint_factor(src, f)) is not None:
            return p * k
        if f == dst and (p := _pint_factor(src, t)) is not None:
            return p / k
        if f == src and (p := _pint_factor(t, dst)) is not None:
            return k * p
        if t == src and (p := _pint_factor(f, dst)) is not None:
            return p / k
    raise UnitError(f"cannot convert {analyte} from {src} to {dst}", field=analyte,
                    value=f"{src} -> {dst}",
                    hint=f"accepted units for {analyte}: {', '.join(ACCEPTED_UNITS.get(analyte, ()))}")


def _refuse(analyte: str, unit: str) -> None:
    if unit == "copies/mL":
        raise UnitError(f"{analyte} in copies/mL cannot be converted without the assay's "
                        "copies-per-IU factor (about 5-6, assay-specific)", field=analyte,
                        value=unit, hint="report the result in IU/mL")
    if unit == "xULN":
        raise UnitError(f"{analyte} given as a multiple of ULN has no absolute value",
                        field=analyte, value=unit,
                        hint="report the value with its unit and the lab's ULN")
    if analyte == "afp" and unit in ("IU/mL", "IU/L"):
        raise UnitError("AFP in IU/mL needs the assay's conversion factor (≈1.21 ng/mL per IU)",
                        field=analyte, value=unit, hint="report AFP in ng/mL")
    if unit not in ACCEPTED_UNITS.get(analyte, (unit,)):
        raise UnitError(f"unit {unit} is not a unit for {analyte}", field=analyte, value=unit,
                        hint=f"accepted units: {', '.join(ACCEPTED_UNITS.get(analyte, ()))}")


def convert(value: float, from_unit: str, to_unit: str, *, analyte: str,
            factors: dict[tuple[str, str, str], float] | None = None) -> float:
    """Convert *value* of *analyte* from *from_unit* to *to_unit*.

    ``factors`` overrides table entries, e.g. ``{("bilirubin_total", "mg/dL", "umol/L"): 17.104}``.
    The result is rounded to 10 decimals so that boundary values survive the round trip
    (3.0 mg/dL × 17.1 is 51.3, not 51.300000000000004).
    """
    if analyte not in CANONICAL_UNITS:
        raise UnitError("unknown analyte", field="analyte", value=analyte)
    src = normalise_unit(from_unit)
    dst = normalise_unit(to_unit)
    _refuse(analyte, src)
    _refuse(analyte, dst)
    if src == dst:
        return float(value)
    if "log10 IU/mL" in (src, dst):
        if src == "log10 IU/mL" and dst == "IU/mL":
            return float(10.0 ** value)
        if src == "IU/mL" and dst == "log10 IU/mL":
            if value <= 0:
                raise ValidationError("log10 of a non-positive value", field=analyte, value=value)
            return math.log10(value)
    return round(float(value) * _factor(analyte, src, dst, factors), 10)


@dataclass(frozen=True, slots=True)
class CanonicalLab:
    """A lab result in the canonical unit of its analyte, with the original kept beside it."""

    analyte: str
    value: float | None
    unit: str
    uln: float | None
    lln: float | None
    qualifier: str | None
    date: date | None
    original_value: float | None
    original_unit: str | None
    text: str | None = None
    findings: tuple[str, ...] = ()

    @property
    def times_uln(self) -> float | None:
        """value / ULN (both canonical), or ``None`` when either is missing."""
        if self.value is None or not self.uln:
            return None
        return self.value / self.uln


def check_plausible(analyte: str, value: float, declared_unit: str | None = None) -> str | None:
    """Return a message if canonical *value* is not physiologically possible, else ``None``.

    When another accepted unit would make the declared number plausible, the message says so.
    """
    rng = PLAUSIBLE.get(analyte)
    if rng is None or rng[0] <= value <= rng[1]:
        return None
    text = (f"{analyte} {value:g} {CANONICAL_UNITS[analyte]} is outside the plausible range "
            f"{rng[0]:g}-{rng[1]:g} {CANONICAL_UNITS[analyte]}")
    if declared_unit is not None:
        canon = CANONICAL_UNITS[analyte]
        try:
            raw = convert(value, canon, declared_unit, analyte=analyte)
        except UnitError:
            raw = None
        if raw is not None:
            for alt in ACCEPTED_UNITS.get(analyte, ()):
                if alt == declared_unit:
                    continue
                try:
                    as_alt = convert(raw, alt, canon, analyte=analyte)
                except UnitError:
                    continue
                if rng[0] <= as_alt <= rng[1]:
                    text += (f"; {raw:g} {declared_unit} looks like a value in {alt} "
                             f"(= {as_alt:g} {canon})")
                    break
    return text


def to_canonical(lab: LabResult, *,
                 on_implausible: Literal["warn", "record", "raise"] = "warn",
                 factors: dict[tuple[str, str, str], float] | None = None) -> CanonicalLab:
    """Return *lab* converted to the canonical unit of its analyte (value, ULN, LLN).

    Raises :class:`ValidationError` for a negative value and :class:`UnitError` for a missing
    or unknown unit (a unitless analyte such as INR may omit it).  An implausible value is
    reported per *on_implausible* (see module docstring).
    """
    analyte = lab.analyte
    canon = canonical_unit(analyte)
    where = f"{analyte}" + (f" on {lab.date.isoformat()}" if lab.date else "")
    if lab.value is None:
        return CanonicalLab(analyte, None, canon, None, None, lab.qualifier, lab.date, None,
                            lab.unit, lab.text)
    if lab.value < 0 and analyte not in ("pt_prolongation",) and lab.unit != "log10 IU/mL":
        raise ValidationError("negative value", record=where, field=f"{analyte}.value",
                              value=lab.value)
    if lab.unit is None or not lab.unit.strip():
        if canon == UNITLESS:
            src = UNITLESS
        else:
            raise UnitError("missing unit", record=where, field=f"{analyte}.unit", value=lab.value,
                            hint=f"give the unit as reported (canonical: {canon})")
    else:
        try:
            src = normalise_unit(lab.unit)
        except UnitError as exc:
            raise UnitError(f"unknown unit for {analyte}", record=where, field=f"{analyte}.unit",
                            value=lab.unit, hint=exc.hint) from None
    try:
        value = convert(lab.value, src, canon, analyte=analyte, factors=factors)
        uln = None if lab.uln is None else convert(lab.uln, src, canon, analyte=analyte,
                                                     factors=factors)
        lln = None if lab.lln is None else convert(lab.lln, src, canon, analyte=analyte,
                                                     factors=factors)
    except UnitError as exc:
        raise UnitError(exc.message, record=where, field=f"{analyte}.unit", value=lab.unit,
                        hint=exc.hint) from None
    findings: list[str] = []
    problem = check_plausible(analyte, value, src)
    if problem is not None:
        message = f"{where}: {problem}"
        if on_implausible == "raise":
            raise UnitError(problem, record=where, field=f"{analyte}.value", value=lab.value)
        if on_implausible == "warn":
            warnings.warn(message, ImplausibleUnitWarning, stacklevel=2)
        findings.append(message)
    return CanonicalLab(analyte, value, canon, uln, lln, lab.qualifier, lab.date, lab.value,
                        lab.unit, lab.text, tuple(findings))
