"""Tumour-burden criteria: Milan, up-to-seven, six-and-twelve (hcc-domain.md §3).

Sources: Mazzaferro V et al., N Engl J Med 1996;334:693-699 (Milan: single ≤ 5 cm, or 2-3
nodules each ≤ 3 cm, no macrovascular invasion, no extrahepatic spread); Mazzaferro V et al.,
Lancet Oncol 2009;10:35-43 (up-to-seven: largest size cm + number ≤ 7); Wang Q et al.,
J Hepatol 2019;70:893-903 (six-and-twelve: largest cm + number, strata ≤ 6, > 6 and ≤ 12, > 12).

Up-to-seven and 6&12 use the same quantity (largest diameter + count): one function, two
cut-offs.  Up-to-seven was defined for transplant with absence of (micro)vascular invasion;
radiologically (TACE selection, BCLC-B sub-classification) only the sum is used.  Default here:
``require_no_vascular_invasion=False`` (the radiological use in trials; §11 item 9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hcctrials.errors import ValidationError

__all__ = ["TumourCriterion", "compute_milan", "compute_up_to_seven", "compute_six_and_twelve",
           "tumour_size_sum", "largest_and_count"]


@dataclass(frozen=True, slots=True)
class TumourCriterion:
    """``within`` True/False, or None when the inputs cannot decide (see ``missing``)."""

    name: str
    within: bool | None
    value: float | None
    stratum: str | None
    reason: str
    missing: tuple[str, ...]
    inputs: dict[str, object] = field(default_factory=dict)


def largest_and_count(nodule_count: int | None, largest_diameter_cm: float | None,
                      diameters_cm: list[float] | tuple[float, ...] | None = None,
                      ) -> tuple[int | None, float | None]:
    """Fill count/largest from the list of diameters when not given; check consistency."""
    diameters = list(diameters_cm or [])
    for d in diameters + ([largest_diameter_cm] if largest_diameter_cm is not None else []):
        if d < 0:
            raise ValidationError("negative tumour diameter", field="largest_diameter_cm", value=d)
    if nodule_count is not None and nodule_count < 0:
        raise ValidationError("negative nodule count", field="nodule_count", value=nodule_count)
    if largest_diameter_cm is None and diameters:
        largest_diameter_cm = max(diameters)
    if nodule_count is None and diameters:
        nodule_count = len(diameters)
    return nodule_count, largest_diameter_cm


def tumour_size_sum(nodule_count: int | None, largest_diameter_cm: float | None) -> float | None:
    """largest diameter (cm) + number of tumours, the up-to-seven / 6&12 quantity."""
    if nodule_count is None or largest_diameter_cm is None:
        return None
    return round(largest_diameter_cm + nodule_count, 9)


def compute_milan(*, nodule_count: int | None, largest_diameter_cm: float | None,
                  macrovascular_invasion: bool | None, extrahepatic_spread: bool | None,
                  diameters_cm: list[float] | tuple[float, ...] | None = None) -> TumourCriterion:
    """Within Milan criteria (Mazzaferro 1996)."""
    n, d = largest_and_count(nodule_count, largest_diameter_cm, diameters_cm)
    inputs: dict[str, object] = {"nodule_count": n, "largest_diameter_cm": d,
                                 "macrovascular_invasion": macrovascular_invasion,
                                 "extrahepatic_spread": extrahepatic_spread}
    reasons = []
    if macrovascular_invasion:
        reasons.append("macrovascular invasion")
    if extrahepatic_spread:
        reasons.append("extrahepatic spread")
    if n is not None and n > 3:
        reasons.append(f"{n} nodules (> 3)")
    if n == 0:
        reasons.append("no nodule")
    if d is not None and n is not None:
        if n == 1 and d > 5:
            reasons.append(f"single nodule {d:g} cm > 5 cm")
        if n in (2, 3) and d > 3:
            reasons.append(f"largest of {n} nodules {d:g} cm > 3 cm")
    elif d is not None and d > 5:
        reasons.append(f"largest nodule {d:g} cm > 5 cm")
    if reasons:
        return TumourCriterion("milan", False, None, "beyond", "; ".join(reasons), (), inputs)
    missing = tuple(k for k, v in inputs.items() if v is None)
    if missing:
        return TumourCriterion("milan", None, None, None, "cannot decide: " + ", ".join(missing),
                               missing, inputs)
    return TumourCriterion("milan", True, None, "within",
                           f"{n} nodule(s), largest {d:g} cm, no macrovascular invasion or "
                           "extrahepatic spread", (), inputs)


def compute_up_to_seven(*, nodule_count: int | None, largest_diameter_cm: float | None,
                        macrovascular_invasion: bool | None = None,
                        diameters_cm: list[float] | tuple[float, ...] | None = None,
                        require_no_vascular_invasion: bool = False) -> TumourCriterion:
    """Within up-to-seven: largest diameter (cm) + number of tumours ≤ 7 (Mazzaferro 2009)."""
    n, d = largest_and_count(nodule_count, largest_diameter_cm, diameters_cm)
    inputs: dict[str, object] = {"nodule_count": n, "largest_diameter_cm": d,
                                 "macrovascular_invasion": macrovascular_invasion}
    total = tumour_size_sum(n, d)
    missing = tuple(k for k in ("nodule_count", "largest_diameter_cm") if inputs[k] is None)
    if require_no_vascular_invasion:
        if macrovascular_invasion:
            return TumourCriterion("up_to_seven", False, total, "beyond", "vascular invasion",
                                   (), inputs)
        if macrovascular_invasion is None:
            missing += ("macrovascular_invasion",)
    if total is None:
        # a single known part can already exceed 7
        part = (d or 0) + (n or 0)
        if part > 7:
            return TumourCriterion("up_to_seven", False, None, "beyond",
                                   f"known part of the sum {part:g} > 7", (), inputs)
        return TumourCriterion("up_to_seven", None, None, None,
                               "cannot decide: " + ", ".join(missing), missing, inputs)
    if total > 7:
        return TumourCriterion("up_to_seven", False, total, "beyond",
                               f"{d:g} cm + {n} = {total:g} > 7", (), inputs)
    if missing:
        return TumourCriterion("up_to_seven", None, total, None,
                               "cannot decide: " + ", ".join(missing), missing, inputs)
    return TumourCriterion("up_to_seven", True, total, "within", f"{d:g} cm + {n} = {total:g} ≤ 7",
                           (), inputs)


def compute_six_and_twelve(*, nodule_count: int | None, largest_diameter_cm: float | None,
                           diameters_cm: list[float] | tuple[float, ...] | None = None,
                           ) -> TumourCriterion:
    """Six-and-twelve score and stratum "≤6" / ">6-≤12" / ">12" (Wang 2019).

    ``within`` is True for the ≤ 6 stratum (the best TACE candidates), False otherwise.
    """
    n, d = largest_and_count(nodule_count, largest_diameter_cm, diameters_cm)
    inputs: dict[str, object] = {"nodule_count": n, "largest_diameter_cm": d}
    total = tumour_size_sum(n, d)
    if total is None:
        missing = tuple(k for k, v in inputs.items() if v is None)
        part = (d or 0) + (n or 0)
        if part > 12:
            return TumourCriterion("six_and_twelve", False, None, ">12",
                                   f"known part of the sum {part:g} > 12", missing, inputs)
        return TumourCriterion("six_and_twelve", None, None, None,
                               "cannot decide: " + ", ".join(missing), missing, inputs)
    stratum: Literal["≤6", ">6-≤12", ">12"]
    stratum = "≤6" if total <= 6 else (">6-≤12" if total <= 12 else ">12")
    return TumourCriterion("six_and_twelve", total <= 6, total, stratum,
                           f"{d:g} cm + {n} = {total:g} (stratum {stratum})", (), inputs)
