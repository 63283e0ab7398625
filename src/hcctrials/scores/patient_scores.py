"""Every liver score, stage and tumour-burden criterion for one patient on one date.

Adapter from :class:`hcctrials.model.patient.Patient` to the pure ``compute_*`` functions:
the newest lab on or before ``as_of`` within ``lab_window_days`` (converted to canonical units
with :func:`hcctrials.units.to_canonical`), clinical items from ``Patient.liver``, tumour burden
from ``Patient.tumour``, ECOG and sex from the patient.  Items dated after ``as_of`` are
ignored.  Every result keeps the inputs used (value, unit, date, original value and unit) and
names what is missing; missing is never treated as normal.  Data-quality problems (implausible
value for its unit, unusable unit, stale result) are returned in ``findings``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypedDict

from hcctrials.errors import InputError
from hcctrials.i18n import msg, term
from hcctrials.model.patient import LabResult, Patient
from hcctrials.scores.albi import Albi, compute_albi
from hcctrials.scores.bclc import Bclc, PreservedRule, compute_bclc
from hcctrials.scores.child_pugh import DEFAULT, ChildPugh, ChildPughVariant, compute_child_pugh, narrow_to_recorded
from hcctrials.scores.cnlc import Cnlc, compute_cnlc
from hcctrials.scores.meld import Meld, MeldNaVariant, compute_meld, compute_meld_3, compute_meld_na
from hcctrials.scores.tumour_burden import (
    TumourCriterion,
    compute_milan,
    compute_six_and_twelve,
    compute_up_to_seven,
)
from hcctrials.units import BILIRUBIN_MG_DL_TO_UMOL_L, CREATININE_MG_DL_TO_UMOL_L, to_canonical

__all__ = ["compute_patient_scores", "PatientScores", "ScoreInput", "Ecog", "SCORE_ANALYTES"]

#: Labs read by the scores.
SCORE_ANALYTES = ("bilirubin_total", "albumin", "inr", "pt_prolongation", "creatinine", "sodium")


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """One input as used: canonical value/unit plus the original as reported, and its date."""

    name: str
    value: object
    unit: str | None
    date: date | None
    original_value: object = None
    original_unit: str | None = None
    source: str = "lab"


@dataclass(frozen=True, slots=True)
class Ecog:
    value: int | None
    date: date | None
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatientScores:
    patient_id: str
    as_of: date
    lab_window_days: int
    child_pugh: ChildPugh
    albi: Albi
    meld: Meld
    meld_na: Meld
    meld_3: Meld
    bclc: Bclc
    cnlc: Cnlc
    milan: TumourCriterion
    up_to_seven: TumourCriterion
    six_and_twelve: TumourCriterion
    ecog: Ecog
    inputs: dict[str, ScoreInput] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    findings: tuple[str, ...] = ()
    # reasons, assumptions, ``unavailable`` texts and findings are hcctrials.i18n.Msg values where the
    # scores wrote them (English as ``str``; the command line renders them in the reader's language)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (dates as ISO strings)."""
        return {k: _jsonable(v) for k, v in dataclasses.asdict(self).items()}


class _TumourBurden(TypedDict):
    """Tumour-burden keyword arguments shared by the staging and transplant criteria."""

    nodule_count: int | None
    largest_diameter_cm: float | None
    diameters_cm: list[float]


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def _latest(patient: Patient, analyte: str, as_of: date, window: int,
            inputs: dict[str, ScoreInput], unavailable: dict[str, str], findings: list[str]) -> float | None:
    candidates = [lab for lab in patient.labs_for(analyte, as_of=as_of, within_days=window)
                  if lab.value is not None]
    if not candidates:
        older = [lab for lab in patient.labs_for(analyte, as_of=as_of) if lab.value is not None]
        if older and older[0].date is not None:
            unavailable[analyte] = msg("latest result {date} is older than {days} days before {as_of}",
                                       date=older[0].date.isoformat(), days=window, as_of=as_of.isoformat())
        else:
            unavailable[analyte] = msg("no result on or before as_of")
        return None
    lab: LabResult = candidates[0]
    try:
        canon = to_canonical(lab, on_implausible="record")
    except InputError as exc:
        unavailable[analyte] = msg("unusable result: {error}", error=str(exc))
        findings.append(msg("{analyte}: {error}", analyte=term(analyte), error=str(exc)))
        return None
    findings.extend(canon.findings)
    inputs[analyte] = ScoreInput(analyte, canon.value, canon.unit, lab.date, lab.value, lab.unit)
    return canon.value


def _any_true(*values: bool | None) -> bool | None:
    if any(v is True for v in values):
        return True
    return None


def compute_patient_scores(patient: Patient, *, as_of: date, lab_window_days: int = 28,
                           child_pugh_variant: ChildPughVariant = DEFAULT,
                           meld_na_variant: MeldNaVariant = "optn2016",
                           cnlc_edition: Literal[2022, 2024] = 2024,
                           bclc_preserved_rule: PreservedRule = "cp_a_or_b7_no_ascites_for_c",
                           ) -> PatientScores:
    """All scores for *patient* on *as_of* (labs within *lab_window_days* before it)."""
    if lab_window_days < 0:
        raise InputError(msg("lab window must not be negative"), field="lab_window_days",
                         value=lab_window_days)
    inputs: dict[str, ScoreInput] = {}
    unavailable: dict[str, str] = {}
    findings: list[str] = []
    lab = {a: _latest(patient, a, as_of, lab_window_days, inputs, unavailable, findings)
           for a in SCORE_ANALYTES}
    if lab["inr"] is not None:
        unavailable.pop("pt_prolongation", None)  # PT only needed when INR is absent

    liver = patient.liver
    liver_ok = liver.assessed_on is None or liver.assessed_on <= as_of
    ascites = liver.ascites if liver_ok else None
    he = liver.encephalopathy if liver_ok else None
    dialysis = liver.dialysis_twice_in_past_week if liver_ok else None
    for name, value in (("ascites", ascites), ("encephalopathy", he)):
        if value is not None:
            inputs[name] = ScoreInput(name, value, None, liver.assessed_on, source="liver")
        else:
            unavailable[name] = (msg("not recorded") if liver_ok else
                                 msg("liver assessment {date} is after as_of", date=str(liver.assessed_on)))

    ecog_ok = patient.ecog is not None and (patient.ecog_date is None or patient.ecog_date <= as_of)
    ecog = patient.ecog if ecog_ok else None
    if ecog is not None:
        inputs["ecog"] = ScoreInput("ecog", ecog, None, patient.ecog_date, source="patient")
    else:
        unavailable["ecog"] = msg("not recorded") if patient.ecog is None else msg("ECOG dated after as_of")
    if patient.sex is not None:
        inputs["sex"] = ScoreInput("sex", patient.sex, None, None, source="patient")

    tumour = patient.tumour
    tumour_ok = tumour.assessed_on is None or tumour.assessed_on <= as_of
    if tumour_ok:
        diameters = list(tumour.nodule_diameters_cm)
        count, largest = tumour.nodule_count, tumour.largest_diameter_cm
        pvtt_present = tumour.pvtt is not None and tumour.pvtt != "vp0"
        mvi = _any_true(tumour.vascular_invasion, pvtt_present, tumour.hepatic_vein_invasion,
                        tumour.ivc_or_atrial_thrombus)
        if mvi is None and tumour.vascular_invasion is False:
            mvi = False
        ehs = _any_true(tumour.extrahepatic_spread, tumour.lymph_node_metastasis,
                        tumour.distant_metastasis)
        if ehs is None and tumour.extrahepatic_spread is False:
            ehs = False
        for name, item in (("nodule_count", count), ("largest_diameter_cm", largest),
                           ("macrovascular_invasion", mvi), ("extrahepatic_spread", ehs)):
            if item is not None:
                inputs[name] = ScoreInput(name, item, "cm" if "diameter" in name else None,
                                          tumour.assessed_on, source="tumour")
        if diameters:
            inputs["nodule_diameters_cm"] = ScoreInput("nodule_diameters_cm", diameters, "cm",
                                                       tumour.assessed_on, source="tumour")
    else:
        diameters, count, largest, mvi, ehs = [], None, None, None, None
        unavailable["tumour"] = msg("tumour assessment {date} is after as_of", date=str(tumour.assessed_on))

    cp = compute_child_pugh(bilirubin_umol_l=lab["bilirubin_total"], albumin_g_l=lab["albumin"],
                            inr=lab["inr"], pt_prolongation_s=lab["pt_prolongation"],
                            ascites=ascites, encephalopathy=he,
                            cholestatic=bool(liver.cholestatic_disease), variant=child_pugh_variant)
    cp = narrow_to_recorded(cp, liver.child_pugh_recorded if liver_ok else None)
    albi = compute_albi(bilirubin_umol_l=lab["bilirubin_total"], albumin_g_l=lab["albumin"])
    bili_mg = None if lab["bilirubin_total"] is None else lab["bilirubin_total"] / BILIRUBIN_MG_DL_TO_UMOL_L
    cr_mg = None if lab["creatinine"] is None else lab["creatinine"] / CREATININE_MG_DL_TO_UMOL_L
    alb_g_dl = None if lab["albumin"] is None else lab["albumin"] / 10.0
    meld = compute_meld(bilirubin_mg_dl=bili_mg, creatinine_mg_dl=cr_mg, inr=lab["inr"],
                        dialysis=dialysis)
    meld_na = compute_meld_na(bilirubin_mg_dl=bili_mg, creatinine_mg_dl=cr_mg, inr=lab["inr"],
                              sodium_mmol_l=lab["sodium"], dialysis=dialysis,
                              variant=meld_na_variant)
    meld_3 = compute_meld_3(bilirubin_mg_dl=bili_mg, creatinine_mg_dl=cr_mg, inr=lab["inr"],
                            sodium_mmol_l=lab["sodium"], albumin_g_dl=alb_g_dl, sex=patient.sex,
                            dialysis=dialysis)
    tb: _TumourBurden = {"nodule_count": count, "largest_diameter_cm": largest,
                         "diameters_cm": diameters}
    bclc = compute_bclc(**tb, macrovascular_invasion=mvi, extrahepatic_spread=ehs, ecog=ecog,
                        child_pugh_points=cp.points, child_pugh_range=(cp.points_min, cp.points_max),
                        ascites_none=None if ascites is None else ascites == "none",
                        preserved_rule=bclc_preserved_rule)
    cnlc = compute_cnlc(**tb, macrovascular_invasion=mvi, extrahepatic_spread=ehs, ecog=ecog,
                        child_pugh_class=cp.grade, child_pugh_classes_possible=cp.classes_possible,
                        edition=cnlc_edition)
    milan = compute_milan(**tb, macrovascular_invasion=mvi, extrahepatic_spread=ehs)
    up7 = compute_up_to_seven(**tb, macrovascular_invasion=mvi)
    six12 = compute_six_and_twelve(**tb)
    return PatientScores(
        patient.patient_id, as_of, lab_window_days, cp, albi, meld, meld_na, meld_3, bclc, cnlc,
        milan, up7, six12, Ecog(ecog, patient.ecog_date if ecog is not None else None,
                                () if ecog is not None else ("ecog",)),
        inputs, unavailable, tuple(findings),
    )
