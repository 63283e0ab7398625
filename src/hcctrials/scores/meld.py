"""MELD (UNOS/OPTN), MELD-Na (OPTN 2016 and published variants) and MELD 3.0.

Sources (hcc-domain.md §1.3 and §11 items 4-5): Kamath PS et al., Hepatology 2001;33:464-470
and the OPTN form; Kim WR et al., N Engl J Med 2008;359:1018-1026 and OPTN policy 2016
(MELD-Na); Biggins SW et al., Gastroenterology 2006 (135 − Na form); Kim WR et al.,
Gastroenterology 2021;161:1887-1895 (MELD 3.0).

All MELD variants use US units: bilirubin and creatinine mg/dL, albumin g/dL, sodium mmol/L.
Bounds: bilirubin, creatinine, INR < 1.0 -> 1.0; creatinine capped at 4.0 (MELD, MELD-Na) or
3.0 (MELD 3.0); dialysis ≥ 2× in the past week -> creatinine at the cap; MELD/MELD-Na bounded
6-40; MELD 3.0 maximum 40.  OPTN rounding (default): MELD(i) rounded to one decimal, × 10,
and that rounded MELD enters the MELD-Na sodium step.

Dialysis status unknown (``None``) is computed as "no dialysis" and named in ``assumptions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from hcctrials.errors import ValidationError
from hcctrials.i18n import msg
from hcctrials.scores._common import check_non_negative

__all__ = ["Meld", "compute_meld", "compute_meld_na", "compute_meld_3", "MeldNaVariant"]

MeldNaVariant = Literal["optn2016", "kim2008", "biggins2006"]
#: "optn": the MELD-Na sodium step uses the rounded MELD (OPTN); "unrounded": 10 × MELD(i).
Rounding = Literal["optn", "unrounded"]


@dataclass(frozen=True, slots=True)
class Meld:
    """A MELD-family score: integer ``score`` (None when inputs are missing), unrounded ``raw``."""

    score: int | None
    raw: float | None
    missing: tuple[str, ...]
    inputs: dict[str, object] = field(default_factory=dict)
    bounded_inputs: dict[str, float] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    variant: str = ""


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _check(values: dict[str, float | None]) -> tuple[str, ...]:
    """Names of missing inputs; ValidationError for a NaN, infinite, negative or zero input.

    NaN passes every comparison (``nan < 0`` is False) and once reached ``int(floor(nan))``
    (issue 11), so it is refused by name here; unknown is None, never NaN.
    """
    for name, value in values.items():
        if value is not None and not math.isfinite(value):
            raise ValidationError(msg("must be a finite number"), field=name, value=value,
                                  hint=msg("leave an unknown value out (None) instead of NaN or infinity"))
        check_non_negative(name, value, positive=name != "albumin_g_dl")
    return tuple(n for n, v in values.items() if v is None)


def _meld_core(bili: float, cr: float, inr: float, dialysis: bool | None, cap: float,
               ) -> tuple[dict[str, float], tuple[str, ...]]:
    assumptions: tuple[str, ...] = ()
    if dialysis is None:
        assumptions = (msg("dialysis status unknown: computed as no dialysis in the past week"),)
    bounded = {"bilirubin_mg_dl": max(bili, 1.0), "inr": max(inr, 1.0),
               "creatinine_mg_dl": cap if dialysis else min(max(cr, 1.0), cap)}
    return bounded, assumptions


def compute_meld(*, bilirubin_mg_dl: float | None, creatinine_mg_dl: float | None,
                 inr: float | None, dialysis: bool | None = False) -> Meld:
    """Original MELD (UNOS/OPTN): 10 × (0.957 ln Cr + 0.378 ln bili + 1.120 ln INR + 0.643)."""
    inputs = {"bilirubin_mg_dl": bilirubin_mg_dl, "creatinine_mg_dl": creatinine_mg_dl, "inr": inr}
    missing = _check(inputs)
    variant = "meld@optn"
    if missing:
        return Meld(None, None, missing, dict(inputs, dialysis=dialysis), variant=variant)
    assert bilirubin_mg_dl is not None and creatinine_mg_dl is not None and inr is not None
    b, assumptions = _meld_core(bilirubin_mg_dl, creatinine_mg_dl, inr, dialysis, 4.0)
    meld_i = (0.957 * math.log(b["creatinine_mg_dl"]) + 0.378 * math.log(b["bilirubin_mg_dl"])
              + 1.120 * math.log(b["inr"]) + 0.643)
    raw = 10 * meld_i
    # OPTN: MELD(i) to one decimal (half up), then × 10 == 10 × MELD(i) rounded to an integer
    score = min(max(_round_half_up(round(meld_i * 10, 9)), 6), 40)
    return Meld(score, raw, (), dict(inputs, dialysis=dialysis), b, assumptions, variant)


def compute_meld_na(*, bilirubin_mg_dl: float | None, creatinine_mg_dl: float | None,
                    inr: float | None, sodium_mmol_l: float | None,
                    dialysis: bool | None = False, variant: MeldNaVariant = "optn2016",
                    rounding: Rounding = "optn") -> Meld:
    """MELD-Na.

    ``optn2016`` (default): if MELD > 11, MELD + 1.32 (137 − Na) − 0.033 MELD (137 − Na),
    Na bounded 125-137; ``kim2008``: MELD − Na − 0.025 MELD (140 − Na) + 140, Na 125-140;
    ``biggins2006``: MELD + 1.59 (135 − Na), Na 120-135.  Result bounded 6-40, rounded.
    The MELD used in the sodium step is the rounded integer MELD (``rounding="optn"``,
    OPTN) or the unrounded 10 × MELD(i) (``rounding="unrounded"``); hcc-domain.md §11.4.
    """
    base = compute_meld(bilirubin_mg_dl=bilirubin_mg_dl, creatinine_mg_dl=creatinine_mg_dl,
                        inr=inr, dialysis=dialysis)
    _check({"sodium_mmol_l": sodium_mmol_l})
    missing = base.missing + (("sodium",) if sodium_mmol_l is None else ())
    inputs = dict(base.inputs, sodium_mmol_l=sodium_mmol_l)
    name = f"meld_na@{variant}-{rounding}"
    if missing:
        return Meld(None, None, missing, inputs, variant=name)
    assert base.score is not None and base.raw is not None and sodium_mmol_l is not None
    meld = float(base.score) if rounding == "optn" else base.raw
    if variant == "optn2016":
        na = min(max(sodium_mmol_l, 125.0), 137.0)
        raw = meld + 1.32 * (137 - na) - 0.033 * meld * (137 - na) if base.score > 11 else meld
    elif variant == "kim2008":
        na = min(max(sodium_mmol_l, 125.0), 140.0)
        raw = meld - na - 0.025 * meld * (140 - na) + 140
    elif variant == "biggins2006":
        na = min(max(sodium_mmol_l, 120.0), 135.0)
        raw = meld + 1.59 * (135 - na)
    else:
        raise ValidationError(msg("unknown MELD-Na variant"), field="variant", value=variant)
    score = min(max(_round_half_up(round(raw, 9)), 6), 40)
    bounded = dict(base.bounded_inputs, sodium_mmol_l=na)
    return Meld(score, raw, (), inputs, bounded, base.assumptions, name)


def compute_meld_3(*, bilirubin_mg_dl: float | None, creatinine_mg_dl: float | None,
                   inr: float | None, sodium_mmol_l: float | None, albumin_g_dl: float | None,
                   sex: Literal["female", "male"] | None, dialysis: bool | None = False) -> Meld:
    """MELD 3.0 (Kim 2021)::

        1.33 (female) + 4.56 ln(bili) + 0.82 (137 − Na) − 0.24 (137 − Na) ln(bili)
        + 9.09 ln(INR) + 11.14 ln(Cr) + 1.85 (3.5 − alb) − 1.83 (3.5 − alb) ln(Cr) + 6

    bili/INR/Cr floored at 1.0, Cr capped at 3.0 (dialysis -> 3.0), Na 125-137, albumin
    1.5-3.5 g/dL; rounded to an integer, maximum 40.  Sex is required.
    """
    values = {"bilirubin_mg_dl": bilirubin_mg_dl, "creatinine_mg_dl": creatinine_mg_dl,
              "inr": inr, "sodium_mmol_l": sodium_mmol_l, "albumin_g_dl": albumin_g_dl}
    missing = _check(values) + (("sex",) if sex is None else ())
    inputs: dict[str, object] = dict(values, sex=sex, dialysis=dialysis)
    if missing:
        return Meld(None, None, missing, inputs, variant="meld_3@kim-2021")
    assert (bilirubin_mg_dl is not None and creatinine_mg_dl is not None and inr is not None
            and sodium_mmol_l is not None and albumin_g_dl is not None)
    b, assumptions = _meld_core(bilirubin_mg_dl, creatinine_mg_dl, inr, dialysis, 3.0)
    na = min(max(sodium_mmol_l, 125.0), 137.0)
    alb = min(max(albumin_g_dl, 1.5), 3.5)
    ln_b, ln_cr = math.log(b["bilirubin_mg_dl"]), math.log(b["creatinine_mg_dl"])
    raw = (1.33 * (1 if sex == "female" else 0) + 4.56 * ln_b + 0.82 * (137 - na)
           - 0.24 * (137 - na) * ln_b + 9.09 * math.log(b["inr"]) + 11.14 * ln_cr
           + 1.85 * (3.5 - alb) - 1.83 * (3.5 - alb) * ln_cr + 6)
    score = min(_round_half_up(round(raw, 9)), 40)
    bounded = dict(b, sodium_mmol_l=na, albumin_g_dl=alb)
    return Meld(score, raw, (), inputs, bounded, assumptions, "meld_3@kim-2021")
