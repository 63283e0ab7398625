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
from hcctrials.i18n import join_msgs, msg, term

__all__ = ["TumourCriterion", "compute_milan", "compute_up_to_seven", "compute_six_and_twelve",
           "tumour_size_sum", "largest_and_count"]


@dataclass(frozen=True, slots=True)
class TumourCriterion:
    """``within`` True/False, or None when the inputs cannot decide (see ``missing``).

    ``reason`` is a :class:`~hcctrials.i18n.Msg` (its ``str`` is the English text; the adapters
    render it in the reader's language)."""

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
            raise ValidationError(msg("negative tumour diameter"), field="largest_diameter_cm", value=d)
    if nodule_count is not None and nodule_count < 0:
        raise ValidationError(msg("negative nodule count"), field="nodule_count", value=nodule_count)
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
        reasons.append(msg("macrovascular invasion"))
    if extrahepatic_spread:
        reasons.append(msg("extrahepatic spread"))
    if n is not None and n > 3:
        reasons.append(msg("{n} nodules (> 3)", n=n))
    if n == 0:
        reasons.append(msg("no nodule"))
    if d is not None and n is not None:
        if n == 1 and d > 5:
            reasons.append(msg("single nodule {d} cm > 5 cm", d=format(d, "g")))
        if n in (2, 3) and d > 3:
            reasons.append(msg("largest of {n} nodules {d} cm > 3 cm", n=n, d=format(d, "g")))
    elif d is not None and d > 5:
        reasons.append(msg("largest nodule {d} cm > 5 cm", d=format(d, "g")))
    if reasons:
        return TumourCriterion("milan", False, None, "beyond", join_msgs(msg("; "), reasons), (), inputs)
    missing = tuple(k for k, v in inputs.items() if v is None)
    if missing:
        return TumourCriterion("milan", None, None, None, _cannot_decide(missing), missing, inputs)
    return TumourCriterion("milan", True, None, "within",
                           msg("{n} nodule(s), largest {d} cm, no macrovascular invasion or "
                               "extrahepatic spread", n=n, d=format(d, "g")), (), inputs)


def _cannot_decide(missing: tuple[str, ...]) -> str:
    """"cannot decide: nodule_count, ..." as a message (input codes as catalog words)."""
    return msg("cannot decide: {items}", items=join_msgs(msg(", "), [term(code) for code in missing]))


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
            return TumourCriterion("up_to_seven", False, total, "beyond", msg("vascular invasion"),
                                   (), inputs)
        if macrovascular_invasion is None:
            missing += ("macrovascular_invasion",)
    if total is None:
        # a single known part can already exceed 7
        part = (d or 0) + (n or 0)
        if part > 7:
            return TumourCriterion("up_to_seven", False, None, "beyond",
                                   msg("known part of the sum {part} > 7", part=format(part, "g")), (), inputs)
        return TumourCriterion("up_to_seven", None, None, None, _cannot_decide(missing), missing, inputs)
    if total > 7:
        return TumourCriterion("up_to_seven", False, total, "beyond",
                               msg("{d} cm + {n} = {total} > 7", d=format(d, "g"), n=n, total=format(total, "g")), (), inputs)
    if missing:
        return TumourCriterion("up_to_seven", None, total, None, _cannot_decide(missing), missing, inputs)
    return TumourCriterion("up_to_seven", True, total, "within",
                           msg("{d} cm + {n} = {total} ≤ 7", d=format(d, "g"), n=n, total=format(total, "g")), (), inputs)


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
                                   msg("known part of the sum {part} > 12", part=format(part, "g")), missing, inputs)
        return TumourCriterion("six_and_twelve", None, None, None, _cannot_decide(missing), missing, inputs)
    stratum: Literal["≤6", ">6-≤12", ">12"]
    stratum = "≤6" if total <= 6 else (">6-≤12" if total <= 12 else ">12")
    return TumourCriterion("six_and_twelve", total <= 6, total, stratum,
                           msg("{d} cm + {n} = {total} (stratum {stratum})", d=format(d, "g"), n=n, total=format(total, "g"),
                               stratum=stratum), (), inputs)
