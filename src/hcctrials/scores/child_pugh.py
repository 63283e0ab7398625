"""Child-Pugh (Child-Turcotte-Pugh) score and class, with partial scores.

Source: Pugh RNH et al., Br J Surg 1973;60:646-649 (PT prolongation column); INR column a later
adaptation; table and boundary conventions as in ``hcc-domain.md`` §1.1 and §11 items 1-3.

Each of five items scores 1-3; total 5-15; A = 5-6, B = 7-9, C = 10-15; label = class + total
("B7").  Boundaries (default variant ``child_pugh@inr-1.7-2.3``): bilirubin 2.0 and 3.0 mg/dL
are 2 points, expressed in µmol/L with the **exact** conversion 34.2 / 51.3 (2.0 × 17.1 and
3.0 × 17.1) so that the mg/dL convention survives unit conversion; albumin 28 and 35 g/L are
2 points; INR 1.7 and 2.3 are 2 points; PT prolongation 4 and 6 s are 2 points.  Variants are
:class:`ChildPughVariant` values (:data:`CHINESE_TABLE` uses 34/51 µmol/L).

A missing item is never scored as normal: the result gives the range of possible totals
(``points_min``..``points_max``), the classes still possible and the missing items.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from hcctrials.errors import ValidationError
from hcctrials.i18n import msg
from hcctrials.scores._common import band_decreasing, band_increasing, check_non_negative

__all__ = [
    "ChildPugh",
    "ChildPughVariant",
    "DEFAULT",
    "CHINESE_TABLE",
    "INR_2_2",
    "ALBUMIN_30",
    "compute_child_pugh",
    "child_pugh_class",
    "ascites_points",
    "encephalopathy_points",
]

Grade = Literal["A", "B", "C"]


@dataclass(frozen=True, slots=True)
class ChildPughVariant:
    """Cut-offs (low, high) of the 2-point band, both inclusive (hcc-domain.md §11)."""

    name: str = "child_pugh@inr-1.7-2.3"
    bilirubin_umol_l: tuple[float, float] = (34.2, 51.3)
    bilirubin_cholestatic_umol_l: tuple[float, float] = (68.4, 171.0)
    albumin_g_l: tuple[float, float] = (28.0, 35.0)
    inr: tuple[float, float] = (1.7, 2.3)
    pt_prolongation_s: tuple[float, float] = (4.0, 6.0)


#: Default: bilirubin 34.2/51.3 µmol/L (= 2.0/3.0 mg/dL), albumin 28-35 g/L, INR 1.7-2.3, PT 4-6 s.
DEFAULT = ChildPughVariant()
#: Chinese clinical tables: bilirubin 34/51 µmol/L, albumin 28-35 g/L, PT 1-3 / 4-6 / > 6 s.
CHINESE_TABLE = ChildPughVariant(name="child_pugh@cn-table-34-51", bilirubin_umol_l=(34.0, 51.0))
#: Some online calculators: INR < 1.7 / 1.7-2.2 / > 2.2.
INR_2_2 = ChildPughVariant(name="child_pugh@inr-1.7-2.2", inr=(1.7, 2.2))
#: Harrison's-derived albumin band 30-35 g/L.
ALBUMIN_30 = ChildPughVariant(name="child_pugh@albumin-30-35", albumin_g_l=(30.0, 35.0))

_ASCITES = {
    "none": (1, 1), "absent": (1, 1), "no": (1, 1), "无": (1, 1), "无腹水": (1, 1),
    "mild": (2, 2), "slight": (2, 2), "small": (2, 2), "controlled": (2, 2),
    "少量": (2, 2), "轻度": (2, 2), "少量腹水": (2, 2),
    "moderate_severe": (3, 3), "moderate": (3, 3), "severe": (3, 3), "tense": (3, 3),
    "refractory": (3, 3), "large": (3, 3), "中等量": (3, 3), "大量": (3, 3), "中量": (3, 3),
    "中等量腹水": (3, 3), "大量腹水": (3, 3),
    "present": (2, 3), "yes": (2, 3), "有": (2, 3),
}
_HE = {
    "none": (1, 1), "absent": (1, 1), "no": (1, 1), "无": (1, 1),
    "grade_1_2": (2, 2), "mild": (2, 2), "1-2": (2, 2), "1~2期": (2, 2), "i-ii": (2, 2),
    "grade_3_4": (3, 3), "severe": (3, 3), "3-4": (3, 3), "3~4期": (3, 3), "iii-iv": (3, 3),
    "present": (2, 3), "yes": (2, 3), "有": (2, 3),
}


def ascites_points(ascites: str | bool | None) -> tuple[int, int] | None:
    """(min, max) points for an ascites description; ``None`` if unknown.

    "none"/"mild"/"moderate_severe" (model values), English and Chinese wording
    (hcc-domain.md §1.1: "少量腹水/轻度" -> 2, "中等量/大量腹水" -> 3); ``True`` (present,
    severity unknown) -> (2, 3); ``False`` -> (1, 1).
    """
    if ascites is None:
        return None
    if isinstance(ascites, bool):
        return (2, 3) if ascites else (1, 1)
    key = ascites.strip().lower()
    if key not in _ASCITES:
        raise ValidationError(msg("unknown ascites grade"), field="ascites", value=ascites,
                              hint=msg("use none, mild or moderate_severe"))
    return _ASCITES[key]


def encephalopathy_points(he: str | int | bool | None) -> tuple[int, int] | None:
    """(min, max) points for hepatic encephalopathy (West Haven grade 0-4 or model values)."""
    if he is None:
        return None
    if isinstance(he, bool):
        return (2, 3) if he else (1, 1)
    if isinstance(he, int):
        if not 0 <= he <= 4:
            raise ValidationError(msg("West Haven grade must be 0-4"), field="encephalopathy", value=he)
        return (1, 1) if he == 0 else ((2, 2) if he <= 2 else (3, 3))
    key = he.strip().lower()
    if key not in _HE:
        raise ValidationError(msg("unknown encephalopathy grade"), field="encephalopathy", value=he,
                              hint=msg("use none, grade_1_2 or grade_3_4"))
    return _HE[key]


def child_pugh_class(points: int) -> Grade:
    """A = 5-6, B = 7-9, C = 10-15 (hcc-domain.md §1.1)."""
    if not 5 <= points <= 15:
        raise ValidationError(msg("Child-Pugh total must be 5-15"), field="points", value=points)
    return "A" if points <= 6 else ("B" if points <= 9 else "C")


@dataclass(frozen=True, slots=True)
class ChildPugh:
    """Child-Pugh result; ``points``/``grade``/``label`` are ``None`` unless fully determined."""

    points: int | None
    points_min: int
    points_max: int
    grade: Grade | None
    label: str | None
    item_points: dict[str, int | None]
    missing: tuple[str, ...]
    classes_possible: tuple[str, ...]
    inputs: dict[str, object] = field(default_factory=dict)
    variant: str = DEFAULT.name

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def range_text(self) -> str:
        """"6" or "6-10" (the possible totals)."""
        if self.points_min == self.points_max:
            return str(self.points_min)
        return f"{self.points_min}-{self.points_max}"


def compute_child_pugh(
    *,
    bilirubin_umol_l: float | None,
    albumin_g_l: float | None,
    inr: float | None = None,
    pt_prolongation_s: float | None = None,
    ascites: str | bool | None,
    encephalopathy: str | int | bool | None,
    cholestatic: bool = False,
    variant: ChildPughVariant = DEFAULT,
) -> ChildPugh:
    """Child-Pugh score from explicit values (bilirubin µmol/L, albumin g/L, INR or PT seconds).

    INR is used when given, otherwise PT prolongation; ``cholestatic=True`` uses the PBC/PSC
    bilirubin row (not for HCC by default, hcc-domain.md §1.1).
    """
    for name, value in (("bilirubin_umol_l", bilirubin_umol_l), ("albumin_g_l", albumin_g_l),
                        ("inr", inr)):
        check_non_negative(name, value)
    ranges: dict[str, tuple[int, int] | None] = {}
    bili_cut = variant.bilirubin_cholestatic_umol_l if cholestatic else variant.bilirubin_umol_l
    ranges["bilirubin"] = (None if bilirubin_umol_l is None
                           else (band_increasing(bilirubin_umol_l, *bili_cut),) * 2)
    ranges["albumin"] = (None if albumin_g_l is None
                         else (band_decreasing(albumin_g_l, *variant.albumin_g_l),) * 2)
    if inr is not None:
        ranges["coagulation"] = (band_increasing(inr, *variant.inr),) * 2
    elif pt_prolongation_s is not None:
        ranges["coagulation"] = (band_increasing(pt_prolongation_s, *variant.pt_prolongation_s),) * 2
    else:
        ranges["coagulation"] = None
    ranges["ascites"] = ascites_points(ascites)
    ranges["encephalopathy"] = encephalopathy_points(encephalopathy)

    missing: list[str] = []
    lo = hi = 0
    item_points: dict[str, int | None] = {}
    for item, rng in ranges.items():
        if rng is None:
            missing.append("inr_or_pt_prolongation" if item == "coagulation" else item)
            rng = (1, 3)
            item_points[item] = None
        elif rng[0] != rng[1]:
            missing.append(f"{item}_severity")
            item_points[item] = None
        else:
            item_points[item] = rng[0]
        lo += rng[0]
        hi += rng[1]
    classes = tuple(sorted({child_pugh_class(p) for p in range(lo, hi + 1)}))
    points = lo if lo == hi else None
    grade: Grade | None = classes[0] if len(classes) == 1 else None
    label = f"{grade}{points}" if points is not None and grade is not None else None
    inputs: dict[str, object] = {
        "bilirubin_umol_l": bilirubin_umol_l, "albumin_g_l": albumin_g_l, "inr": inr,
        "pt_prolongation_s": pt_prolongation_s if inr is None else None,
        "ascites": ascites, "encephalopathy": encephalopathy, "cholestatic": cholestatic,
    }
    return ChildPugh(points, lo, hi, grade, label, item_points, tuple(missing), classes, inputs,
                     variant.name)


_CLASS_POINTS = {"A": range(5, 7), "B": range(7, 10), "C": range(10, 16)}


def narrow_to_recorded(cp: ChildPugh, recorded: str | None) -> ChildPugh:
    """*cp* narrowed by the Child-Pugh the clinician recorded ("B7", or a class "A") when its
    components are not all known (issue 10: "a recorded Child-Pugh score or class when components
    are missing").  The recorded value counts only where the known components allow it: a recorded
    class or score outside the computed range is a contradiction and the components win (*cp* is
    returned unchanged, with ``inputs["recorded_contradiction"]`` set)."""
    if recorded is None or cp.complete:
        return cp
    grade = recorded[0]
    allowed = set(_CLASS_POINTS[grade]) if len(recorded) == 1 else {int(recorded[1:])}
    if len(recorded) > 1 and child_pugh_class(int(recorded[1:])) != grade:
        allowed = set()
    possible = set(range(cp.points_min, cp.points_max + 1)) & allowed
    if not possible:
        return replace(cp, inputs={**cp.inputs, "recorded_contradiction": recorded})
    lo, hi = min(possible), max(possible)
    classes = tuple(sorted({child_pugh_class(p) for p in possible}))
    points = lo if lo == hi else None
    known: Grade | None = classes[0] if len(classes) == 1 else None
    label = f"{known}{points} (recorded)" if points is not None and known is not None else None
    return replace(cp, points=points, points_min=lo, points_max=hi, grade=known, label=label,
                   classes_possible=classes, missing=() if points is not None else cp.missing,
                   inputs={**cp.inputs, "recorded": recorded})
