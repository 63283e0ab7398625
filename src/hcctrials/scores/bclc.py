"""BCLC (Barcelona Clinic Liver Cancer) stage, 2022 update.

Source: Reig M et al., J Hepatol 2022;76:681-693 (hcc-domain.md §2.1).  Decision logic in
priority order::

    end-stage liver function or PS ≥ 3                          -> D
    macrovascular invasion or extrahepatic spread or PS 1-2    -> C
    single nodule ≤ 2 cm and PS 0                              -> 0
    single nodule (any size), or 2-3 nodules each ≤ 3 cm       -> A
    otherwise                                                  -> B

"Preserved liver function" is not one Child-Pugh class in 2022; it is a configurable predicate
(:func:`classify_liver_function`).  Default rule ``"cp_a_or_b7_no_ascites_for_c"``
(hcc-domain.md §2.1, flagged as an assumption): Child-Pugh A is preserved; Child-Pugh B7
without ascites counts as preserved for stage C only (for a 0/A/B tumour pattern the stage is
left undecided between that stage and D); any other Child-Pugh B and C are not preserved (-> D).
PS is taken as cancer-related (the matcher cannot check the attribution).
Unknown inputs give ``stage=None`` and every stage still possible in ``candidates``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hcctrials.errors import ValidationError
from hcctrials.i18n import join_msgs, msg, term
from hcctrials.scores.staging_common import COUNTS, DIAMETERS, ECOGS, enumerate_stages, possible_values
from hcctrials.scores.tumour_burden import largest_and_count

__all__ = ["Bclc", "compute_bclc", "classify_liver_function", "LiverFunctionStatus",
           "PreservedRule", "BCLC_STAGES"]

BCLC_STAGES = ("0", "A", "B", "C", "D")
#: "preserved"; "b7_c_only" (Child-Pugh B7 without ascites: preserved for stage C only);
#: "not_preserved" (end-stage for BCLC purposes).
LiverFunctionStatus = Literal["preserved", "b7_c_only", "not_preserved"]
PreservedRule = Literal["cp_a_or_b7_no_ascites_for_c", "cp_a", "cp_a_or_b"]


@dataclass(frozen=True, slots=True)
class Bclc:
    stage: str | None
    candidates: tuple[str, ...]
    reason: str
    missing: tuple[str, ...]
    inputs: dict[str, object] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    variant: str = "bclc@2022"


def classify_liver_function(child_pugh_points: int | None, *, ascites_none: bool | None = None,
                            rule: PreservedRule = "cp_a_or_b7_no_ascites_for_c",
                            ) -> LiverFunctionStatus | None:
    """Map a Child-Pugh total (and whether ascites is absent) to a BCLC liver-function status."""
    if child_pugh_points is None:
        return None
    if not 5 <= child_pugh_points <= 15:
        raise ValidationError(msg("Child-Pugh total must be 5-15"), field="child_pugh_points",
                              value=child_pugh_points)
    if child_pugh_points <= 6:
        return "preserved"
    if rule == "cp_a_or_b":
        return "preserved" if child_pugh_points <= 9 else "not_preserved"
    if rule == "cp_a" or child_pugh_points > 7:
        return "not_preserved"
    if ascites_none is None:
        return None
    return "b7_c_only" if ascites_none else "not_preserved"


def _stage(n: int, d: float, mvi: bool, ehs: bool, ps: int, lf: str) -> frozenset[str]:
    if lf == "not_preserved" or ps >= 3:
        return frozenset("D")
    if mvi or ehs or ps in (1, 2):
        return frozenset("C")
    if n == 1 and d <= 2:
        pattern = "0"
    elif n == 1 or (n <= 3 and d <= 3):
        pattern = "A"
    else:
        pattern = "B"
    if lf == "b7_c_only":
        return frozenset({pattern, "D"})
    return frozenset(pattern)


def compute_bclc(*, nodule_count: int | None, largest_diameter_cm: float | None,
                 macrovascular_invasion: bool | None, extrahepatic_spread: bool | None,
                 ecog: int | None, liver_function: LiverFunctionStatus | None = None,
                 child_pugh_points: int | None = None, child_pugh_range: tuple[int, int] | None = None,
                 ascites_none: bool | None = None,
                 preserved_rule: PreservedRule = "cp_a_or_b7_no_ascites_for_c",
                 diameters_cm: list[float] | tuple[float, ...] | None = None) -> Bclc:
    """BCLC 2022 stage.  Give ``liver_function`` directly, or the Child-Pugh total (or the range
    of possible totals from a partial score) and whether ascites is absent."""
    n, d = largest_and_count(nodule_count, largest_diameter_cm, diameters_cm)
    if ecog is not None and not 0 <= ecog <= 5:
        raise ValidationError(msg("ECOG must be 0-5"), field="ecog", value=ecog)
    assumptions: list[str] = [msg("ECOG PS taken as cancer-related")]
    if liver_function is not None:
        lf_options: tuple[LiverFunctionStatus, ...] = (liver_function,)
    else:
        if child_pugh_points is not None:
            totals: range | tuple[int, ...] = (child_pugh_points,)
        elif child_pugh_range is not None:
            totals = range(child_pugh_range[0], child_pugh_range[1] + 1)
        else:
            totals = ()
        statuses: set[LiverFunctionStatus] = set()
        for t in totals:
            status = classify_liver_function(t, ascites_none=ascites_none, rule=preserved_rule)
            if status is None:  # B7 with unknown ascites
                statuses |= {"b7_c_only", "not_preserved"}
            else:
                statuses.add(status)
        lf_options = tuple(sorted(statuses)) or ("preserved", "b7_c_only", "not_preserved")
        assumptions.append(msg("liver function from Child-Pugh by rule {rule}", rule=term(preserved_rule)))
    inputs: dict[str, object] = {
        "nodule_count": n, "largest_diameter_cm": d, "macrovascular_invasion": macrovascular_invasion,
        "extrahepatic_spread": extrahepatic_spread, "ecog": ecog,
        "liver_function": liver_function if liver_function is not None else
        (lf_options[0] if len(lf_options) == 1 else None),
        "child_pugh_points": child_pugh_points,
    }
    options = {
        "n": possible_values(n, COUNTS), "d": possible_values(d, DIAMETERS),
        "mvi": possible_values(macrovascular_invasion, (False, True)),
        "ehs": possible_values(extrahepatic_spread, (False, True)),
        "ps": possible_values(ecog, ECOGS), "lf": lf_options,
    }
    possible = enumerate_stages(_stage, options)  # once (a generator's condition would enumerate per stage)
    candidates = tuple(s for s in BCLC_STAGES if s in possible)
    missing = tuple(k for k in ("nodule_count", "largest_diameter_cm", "macrovascular_invasion",
                                "extrahepatic_spread", "ecog") if inputs[k] is None)
    if len(lf_options) > 1:
        missing += ("liver_function (Child-Pugh total / ascites)",)
    if len(candidates) == 1:
        stage = candidates[0]
        # inputs that could not change the result are not "missing" for this stage
        return Bclc(stage, candidates, _reason(stage, inputs), (), inputs, tuple(assumptions))
    if lf_options == ("b7_c_only",) and not missing:
        first, second = candidates[0], " and ".join(candidates[1:])  # two stages: the tumour's and D
        reason = msg("Child-Pugh B7 without ascites: preserved liver function only assumed for stage C; "
                     "stage between {first} and {second} needs clinical judgement", first=first, second=second)
        return Bclc(None, candidates, reason, ("liver_function judgement",), inputs,
                    tuple(assumptions))
    return Bclc(None, candidates, msg("undetermined: possible stages {stages}", stages=", ".join(candidates)),
                missing, inputs, tuple(assumptions))


def _reason(stage: str, i: dict[str, object]) -> str:
    """Why *stage* (a :class:`~hcctrials.i18n.Msg`: English as ``str``, rendered by the adapters)."""
    if stage == "D":
        return msg("end-stage liver function or ECOG ≥ 3")
    if stage == "C":
        parts: list[str] = [term(k) for k in ("macrovascular_invasion", "extrahepatic_spread") if i.get(k)]
        if isinstance(i.get("ecog"), int) and i["ecog"] in (1, 2):
            parts.append(msg("ECOG {value}", value=i["ecog"]))
        return msg("advanced: {items}", items=join_msgs(msg(", "), parts) if parts
                   else msg("C by every possible value of the missing inputs"))
    if stage == "0":
        return msg("very early: single nodule ≤ 2 cm, ECOG 0, preserved liver function")
    if stage == "A":
        return msg("early: single nodule, or 2-3 nodules each ≤ 3 cm; ECOG 0; preserved liver function")
    return msg("intermediate: multinodular beyond A, ECOG 0, preserved liver function")
