"""The CLIP score and Okuda stage leaves (``clip_score``, ``okuda_stage``) from the patient's items (pure).

Cancer of the Liver Italian Program score (CLIP investigators, Hepatology 1998;28:751-755), four items:

* Child-Pugh class A 0, B 1, C 2 (:func:`hcctrials.scores.compute_patient_scores`);
* tumour morphology: uninodular and extension <= 50% of the liver 0; multinodular and extension <= 50% 1;
  massive or extension > 50% 2 (``tumour.nodule_count``, ``tumour.liver_involvement_pct``, ``tumour.growth_pattern``
  "massive"; the diffuse (infiltrative) type is not scored as either: it leaves the item open);
* AFP < 400 ng/mL 0, >= 400 ng/mL 1 (the laboratory leaf's own reading of the latest AFP in the window);
* portal vein thrombosis no 0, yes 1 (a tumour thrombus Vp1-Vp4, or a bland portal vein thrombosis recorded now;
  "no" needs Vp0 or no macrovascular invasion, and no bland thrombosis: recorded absent or history reviewed).

Each item gives the set of points the record allows (an item not recorded: all its points), and the criterion is met
when every total the sets allow satisfies it, not met when none does, else unknown with the items to record.  So
"CLIP <= 3" is decided for a Child-Pugh A patient with one nodule and AFP < 400 even when the portal vein is not
recorded (at most 1 point).

Okuda stage (Okuda et al., Cancer 1985;56:918-928): one point each for tumour > 50% of the liver, ascites, albumin
< 3 g/dL and bilirubin > 3 mg/dL; stage I 0 points, II 1-2, III 3-4 (the laboratory leaf reads the latest result in the
window, with unit conversion).  The same set arithmetic decides the stage where the missing items cannot change it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.i18n import Msg, join_msgs, msg
from hcctrials.model import eligibility as E

__all__ = ["CLIP_EVALUATORS", "clip_points", "okuda_points"]

_OPS: dict[str, Callable[[int, int], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
}
_SYM = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "="}


def _child_pugh_points(f: PatientFacts) -> set[int]:
    cp = f.scores.child_pugh

    def cls(points: int) -> int:
        return 0 if points <= 6 else 1 if points <= 9 else 2

    return set(range(cls(cp.points_min), cls(cp.points_max) + 1))


def _morphology_points(f: PatientFacts) -> set[int]:
    t = f.patient.tumour
    pct = t.liver_involvement_pct
    massive = {"massive": True, "nodular": False}.get(t.growth_pattern or "")
    if massive or (pct is not None and pct > 50):
        return {2}
    count = t.nodule_count
    out = {0} if count is not None and count <= 1 else {1} if count is not None else {0, 1}
    if massive is None or pct is None:
        out.add(2)  # massive type or extension > 50% not excluded by the record
    return out


def _afp_points(f: PatientFacts) -> set[int]:
    return _lab_points(f, "afp", ">=", 400, "ng/mL")


def _pvt_points(f: PatientFacts) -> set[int]:
    p = f.patient
    bland = [c for c in p.conditions if c.code == "portal_vein_thrombosis"]
    if any(c.status in ("active", "controlled", None) for c in bland) or p.tumour.pvtt in ("vp1", "vp2", "vp3", "vp4"):
        return {1}
    no_tumour_thrombus = p.tumour.pvtt == "vp0" or p.tumour.vascular_invasion is False
    no_bland = any(c.status == "absent" for c in bland) or (p.history_reviewed and not bland) or \
        (bool(bland) and all(c.status in ("resolved", "history") for c in bland))
    return {0} if no_tumour_thrombus and no_bland else {0, 1}


def clip_points(f: PatientFacts) -> tuple[set[int], list[Msg]]:
    """The CLIP totals the patient's record allows, and the items it lacks (empty when the score is known)."""
    items: list[tuple[set[int], Msg]] = [
        (_child_pugh_points(f), msg("Child-Pugh class")),
        (_morphology_points(f), msg("tumour morphology (nodule count, share of the liver involved, massive type)")),
        (_afp_points(f), msg("AFP within the lab window")),
        (_pvt_points(f), msg("portal vein thrombosis (tumour or bland)")),
    ]
    totals = {0}
    for points, _ in items:
        totals = {a + b for a in totals for b in points}
    return totals, [what for points, what in items if len(points) > 1]


def _clip_score(node: E.ClipScore, f: PatientFacts) -> Verdict:
    totals, missing = clip_points(f)
    ok = {t for t in totals if _OPS[node.comparator](t, node.value)}
    shown = str(min(totals)) if len(totals) == 1 else f"{min(totals)}-{max(totals)}"
    criterion = f"{_SYM[node.comparator]} {node.value}"
    if ok == totals:
        return Verdict("met", msg("CLIP score {score} (criterion: {criterion})", score=shown, criterion=criterion))
    if not ok:
        return Verdict("not_met", msg("CLIP score {score} (criterion: {criterion})", score=shown, criterion=criterion))
    return Verdict("unknown", msg("CLIP score {score} possible: needs {items} (criterion: {criterion})", score=shown,
                                  items=join_msgs(msg(", "), missing), criterion=criterion), tuple(missing))


def _lab_points(f: PatientFacts, analyte: str, comparator: str, value: float, unit: str) -> set[int]:
    from hcctrials.criteria.evaluation.leaves import LEAF_EVALUATORS

    node = E.LabThreshold(analyte=analyte, comparator=comparator, value=value, unit=unit)  # type: ignore[arg-type]
    verdict = LEAF_EVALUATORS["lab"](node, f)
    return {1} if verdict.status == "met" else {0} if verdict.status == "not_met" else {0, 1}


def okuda_points(f: PatientFacts) -> tuple[set[int], list[Msg]]:
    """The Okuda point totals (0-4) the record allows, and the items it lacks."""
    pct = f.patient.tumour.liver_involvement_pct
    ascites = f.patient.liver.ascites
    items: list[tuple[set[int], Msg]] = [
        ({0, 1} if pct is None else {int(pct > 50)}, msg("share of the liver involved by tumour")),
        ({0, 1} if ascites is None else {int(ascites != "none")}, msg("ascites")),
        (_lab_points(f, "albumin", "<", 3.0, "g/dL"), msg("albumin within the lab window")),
        (_lab_points(f, "bilirubin_total", ">", 3.0, "mg/dL"), msg("total bilirubin within the lab window")),
    ]
    totals = {0}
    for points, _ in items:
        totals = {a + b for a in totals for b in points}
    return totals, [what for points, what in items if len(points) > 1]


def _okuda_stage(node: E.OkudaStage, f: PatientFacts) -> Verdict:
    totals, missing = okuda_points(f)
    stages = {"I" if t == 0 else "II" if t <= 2 else "III" for t in totals}
    shown = "/".join(sorted(stages, key=len))
    criterion = "/".join(node.allowed)
    if stages <= set(node.allowed):
        return Verdict("met", msg("Okuda stage {stage} (criterion: {criterion})", stage=shown, criterion=criterion))
    if not stages & set(node.allowed):
        return Verdict("not_met", msg("Okuda stage {stage} (criterion: {criterion})", stage=shown, criterion=criterion))
    return Verdict("unknown", msg("Okuda stage {stage} possible: needs {items} (criterion: {criterion})", stage=shown,
                                  items=join_msgs(msg(", "), missing), criterion=criterion), tuple(missing))


CLIP_EVALUATORS: dict[str, Callable[[Any, PatientFacts], Verdict]] = {"clip_score": _clip_score,
                                                                      "okuda_stage": _okuda_stage}
