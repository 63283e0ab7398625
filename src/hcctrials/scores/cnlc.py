"""CNLC (China Liver Cancer) stage, national guideline 2022 and 2024 editions.

Sources: 原发性肝癌诊疗指南(2022年版) and (2024年版); Zhou J et al., Liver Cancer 2023 / 2025
(hcc-domain.md §2.2).  Decision logic::

    PS ≥ 3 or Child-Pugh C                -> IV
    extrahepatic metastasis               -> IIIb
    macrovascular invasion                -> IIIa
    1 tumour:   ≤ 5 cm -> Ia, > 5 cm -> Ib
    2-3 tumours: largest ≤ 3 cm -> Ib, > 3 cm -> IIa
    ≥ 4 tumours                           -> IIb

``edition`` is 2022 or 2024.  Per hcc-domain.md §2.2 the stage definitions are the same in both
editions (they differ in treatment options, e.g. durvalumab + tremelimumab in 2024); the edition
is recorded in ``variant`` so a criterion citing one edition can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hcctrials.errors import ValidationError
from hcctrials.i18n import msg
from hcctrials.scores.staging_common import COUNTS, DIAMETERS, ECOGS, enumerate_stages, possible_values
from hcctrials.scores.tumour_burden import largest_and_count

__all__ = ["Cnlc", "compute_cnlc", "CNLC_STAGES", "CNLC_EDITIONS"]

CNLC_STAGES = ("Ia", "Ib", "IIa", "IIb", "IIIa", "IIIb", "IV")
CNLC_EDITIONS = (2022, 2024)


@dataclass(frozen=True, slots=True)
class Cnlc:
    stage: str | None
    candidates: tuple[str, ...]
    reason: str
    missing: tuple[str, ...]
    inputs: dict[str, object] = field(default_factory=dict)
    variant: str = "cnlc@2024"


def _stage(n: int, d: float, mvi: bool, ehs: bool, ps: int, cp: str) -> frozenset[str]:
    if ps >= 3 or cp == "C":
        return frozenset({"IV"})
    if ehs:
        return frozenset({"IIIb"})
    if mvi:
        return frozenset({"IIIa"})
    if n <= 1:
        return frozenset({"Ia" if d <= 5 else "Ib"})
    if n <= 3:
        return frozenset({"Ib" if d <= 3 else "IIa"})
    return frozenset({"IIb"})


#: Why each stage (messages: English as ``str``, rendered by the adapters in the reader's language).
_REASONS = {
    "IV": msg("ECOG ≥ 3 or Child-Pugh C"), "IIIb": msg("extrahepatic metastasis"),
    "IIIa": msg("macrovascular invasion, no extrahepatic metastasis"),
    "Ia": msg("single tumour ≤ 5 cm"), "Ib": msg("single tumour > 5 cm, or 2-3 tumours with largest ≤ 3 cm"),
    "IIa": msg("2-3 tumours with largest > 3 cm"), "IIb": msg("≥ 4 tumours"),
}


def compute_cnlc(*, nodule_count: int | None, largest_diameter_cm: float | None,
                 macrovascular_invasion: bool | None, extrahepatic_spread: bool | None,
                 ecog: int | None, child_pugh_class: Literal["A", "B", "C"] | None,
                 child_pugh_classes_possible: tuple[str, ...] | None = None,
                 edition: Literal[2022, 2024] = 2024,
                 diameters_cm: list[float] | tuple[float, ...] | None = None) -> Cnlc:
    """CNLC stage; unknown inputs give ``stage=None`` with the possible ``candidates``."""
    if edition not in CNLC_EDITIONS:
        raise ValidationError(msg("unknown CNLC edition"), field="edition", value=edition,
                              hint=msg("use 2022 or 2024"))
    if ecog is not None and not 0 <= ecog <= 5:
        raise ValidationError(msg("ECOG must be 0-5"), field="ecog", value=ecog)
    n, d = largest_and_count(nodule_count, largest_diameter_cm, diameters_cm)
    if child_pugh_class is not None:
        cp_options: tuple[object, ...] = (child_pugh_class,)
    elif child_pugh_classes_possible:
        cp_options = tuple(child_pugh_classes_possible)
    else:
        cp_options = ("A", "C")
    inputs: dict[str, object] = {
        "nodule_count": n, "largest_diameter_cm": d, "macrovascular_invasion": macrovascular_invasion,
        "extrahepatic_spread": extrahepatic_spread, "ecog": ecog, "child_pugh_class": child_pugh_class,
    }
    options = {
        "n": possible_values(n, COUNTS), "d": possible_values(d, DIAMETERS),
        "mvi": possible_values(macrovascular_invasion, (False, True)),
        "ehs": possible_values(extrahepatic_spread, (False, True)),
        "ps": possible_values(ecog, ECOGS), "cp": cp_options,
    }
    found = enumerate_stages(_stage, options)
    candidates = tuple(s for s in CNLC_STAGES if s in found)
    variant = f"cnlc@{edition}"
    if len(candidates) == 1:
        return Cnlc(candidates[0], candidates, _REASONS[candidates[0]], (), inputs, variant)
    missing = tuple(k for k, v in inputs.items() if v is None)
    return Cnlc(None, candidates, msg("undetermined: possible stages {stages}", stages=", ".join(candidates)),
                missing, inputs, variant)
