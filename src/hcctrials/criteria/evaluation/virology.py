"""Rule of the ``hepatitis_status`` leaf (:class:`hcctrials.model.eligibility.HepatitisStatus`), pure.

It reads only ``Patient.virology`` and the HBV DNA results.  Clinical facts: chronic HBV infection is
HBsAg positivity (EASL 2017 HBV guideline); an HBsAg-negative, anti-HBc-positive patient (resolved or
occult infection) is assessed for prophylaxis before immunotherapy or chemotherapy (EASL 2017 s. 11,
reactivation risk): a judgement, never computed here.  The scanner is
:mod:`hcctrials.criteria.families.virology`.
"""

from __future__ import annotations

import re

from hcctrials.criteria.evaluation.facts import PatientFacts
from hcctrials.criteria.evaluation.leaves import _lab
from hcctrials.criteria.evaluation.outcome import Verdict
from hcctrials.i18n import msg
from hcctrials.model.eligibility import HepatitisStatus, LabThreshold

__all__ = ["VIROLOGY_EVALUATORS", "evaluate_hepatitis_status"]


def _v(status: str, reason: object, missing: tuple[object, ...] = ()) -> Verdict:
    return Verdict(status, reason, missing)  # type: ignore[arg-type]


def evaluate_hepatitis_status(node: HepatitisStatus, f: PatientFacts) -> Verdict:
    """Verdict of a ``hepatitis_status`` leaf (see :class:`~hcctrials.model.eligibility.HepatitisStatus`)."""
    v = f.patient.virology
    if node.test == "hbv_antiviral":
        if v.hbv_antiviral is None:
            return _v("unknown", msg("HBV antiviral therapy not recorded"), (msg("HBV antiviral therapy"),))
        if not v.hbv_antiviral:
            return _v("not_met", msg("no HBV antiviral therapy"))
        if node.min_days is None:
            return _v("met", msg("on HBV antiviral therapy"))
        if v.hbv_antiviral_start is None:
            return _v("unknown", msg("antiviral start not known"), (msg("HBV antiviral start date"),))
        days = (f.as_of - v.hbv_antiviral_start).days
        return _v("met" if days >= node.min_days else "not_met",
                  msg("antiviral therapy for {days} days (required ≥ {required})", days=days, required=node.min_days))
    if node.test == "hcv_treatment_washout":
        if v.anti_hcv_positive is False and not v.hcv_treated:
            return _v("met", msg("anti-HCV negative (no HCV infection)"))
        if v.hcv_treated is False:
            return _v("met", msg("HCV infection not treated (allowed)"))
        if v.hcv_treated is None:
            return _v("unknown", msg("HCV treatment not recorded"), (msg("HCV treatment and its end date"),))
        if v.hcv_treatment_end is None:
            return _v("unknown", msg("end of HCV treatment not known"), (msg("HCV treatment end date"),))
        days = (f.as_of - v.hcv_treatment_end).days
        required = node.min_days or 0
        if days < required:
            return _v("not_met", msg("HCV treatment ended {days} days ago (required ≥ {required})", days=days,
                                     required=required))
        if v.hcv_rna_detectable is False:
            return _v("met", msg("HCV cured (RNA undetectable), treatment ended {days} days ago", days=days))
        if v.hcv_rna_detectable:
            return _v("unknown", msg("HCV treated but RNA still detectable: not cured, not untreated"),
                      (msg("clinician review of treated, uncured HCV"),))
        return _v("unknown", msg("HCV RNA after treatment not known"), (msg("HCV RNA"),))
    if node.test == "hbv_active":
        return _hbv_active(node, f)
    if node.test == "htlv1_positive":
        if v.htlv1_positive is None:
            return _v("unknown", msg("anti-HTLV-1 antibody not tested"), (msg("anti-HTLV-1 antibody"),))
        return _v("met" if v.htlv1_positive else "not_met",
                  msg("anti-HTLV-1 antibody positive") if v.htlv1_positive else msg("anti-HTLV-1 antibody negative"))
    if node.test == "hbv_dna_undetectable":
        return _hbv_dna_undetectable(f)
    if node.test == "hiv_on_art":
        if v.hiv_positive is False:
            return _v("not_met", msg("HIV negative"))
        if v.hiv_positive is None:
            return _v("unknown", msg("HIV status not known"), (msg("HIV antibody"),))
        if v.hiv_antiretroviral is None:
            return _v("unknown", msg("HIV positive: antiretroviral therapy not recorded"), (msg("antiretroviral therapy"),))
        return _v("met" if v.hiv_antiretroviral else "not_met",
                  msg("HIV positive, on antiretroviral therapy") if v.hiv_antiretroviral
                  else msg("HIV positive, not on antiretroviral therapy"))
    if node.test == "hiv_active":
        if v.hiv_positive is None:
            return _v("unknown", msg("HIV status not known"), (msg("HIV antibody"),))
        if not v.hiv_positive:
            return _v("not_met", msg("HIV negative"))
        return _v("unknown", msg("HIV positive: whether the infection is active (viral load) is not recorded"),
                  (msg("HIV viral load and the trial's definition of active HIV infection"),))
    # isolated_anti_hbc
    if v.hbsag_positive is None:
        return _v("unknown", msg("HBsAg not known"), (msg("HBsAg"),))
    if v.hbsag_positive:
        return _v("met", msg("HBsAg positive (the anti-HBc-only rule does not apply)"))
    if v.anti_hbc_positive is None:
        return _v("unknown", msg("anti-HBc not known"), (msg("anti-HBc"),))
    if not v.anti_hbc_positive:
        return _v("met", msg("HBsAg and anti-HBc negative"))
    limit = node.hbv_dna_max_iu_ml if node.hbv_dna_max_iu_ml is not None else 0.0
    dna = _lab(LabThreshold(analyte="hbv_dna", comparator="<", value=limit, unit="IU/mL"), f)
    if dna.status == "not_met":
        return dna
    return _v("unknown", msg("anti-HBc positive, HBsAg negative: whether HBV antiviral prophylaxis is needed is a "
                             "clinician's decision"), (msg("need for HBV antiviral prophylaxis"),) + tuple(dna.missing))


def _hbv_active(node: HepatitisStatus, f: PatientFacts) -> Verdict:
    """Active (or acute) hepatitis B: HBV DNA > 2000 IU/mL in an HBsAg-positive patient is active replication
    under every definition (EASL 2017: the HBV DNA level separating HBeAg-negative chronic hepatitis from
    chronic infection); a lower level (inactive carrier, or suppressed on therapy) depends on the trial's
    definition (some call every HBsAg-positive patient active): unknown."""
    v = f.patient.virology
    if v.hbsag_positive is None:
        return _v("unknown", msg("HBsAg not known"), (msg("HBsAg"),))
    if not v.hbsag_positive:
        return _v("not_met", msg("HBsAg negative"))
    limit = node.hbv_dna_max_iu_ml if node.hbv_dna_max_iu_ml is not None else 2000.0
    dna = _lab(LabThreshold(analyte="hbv_dna", comparator=">", value=limit, unit="IU/mL"), f)
    shown = f"{limit:g}"
    if dna.status == "met":
        return _v("met", msg("HBsAg positive with HBV DNA above {limit} IU/mL (active replication)", limit=shown))
    if dna.status == "not_met":
        return _v("unknown", msg("HBsAg positive with low HBV DNA: active or not depends on the trial's definition"),
                  (msg("the trial's definition of active hepatitis B"),))
    return _v("unknown", msg("HBsAg positive: HBV DNA needed"), tuple(dna.missing) or (msg("HBV DNA"),))


_NEGATIVE_TEXT = re.compile(r"negative|undetect\w*|not detected|below (?:the )?(?:limit|lloq|detection)|阴性|未检出|低于检测下限",
                            re.IGNORECASE)


def _hbv_dna_undetectable(f: PatientFacts) -> Verdict:
    """A negative HBV DNA test (issue 10, session 6): the latest result within the lab window reported negative or
    undetectable, censored below the assay's limit ("< 20 IU/mL": nothing quantifiable), or 0; any measured value is
    a detectable (positive) test."""
    window = f.lab_window_days
    labs = f.patient.labs_for("hbv_dna", as_of=f.as_of, within_days=window)
    if not labs:
        return _v("unknown", msg("no {label} result within {days} days", label="HBV DNA", days=window),
                  (msg("{label} within {days} days", label="HBV DNA", days=window),))
    lab = labs[0]
    if (lab.text and _NEGATIVE_TEXT.search(lab.text)) or lab.qualifier in ("<", "<=") or lab.value == 0:
        return _v("met", msg("HBV DNA undetectable"))
    if lab.value is not None and lab.qualifier in (None, "=", ">", ">="):
        return _v("not_met", msg("HBV DNA detectable ({value} {unit})", value=f"{lab.value:g}", unit=lab.unit or ""))
    return _v("unknown", msg("HBV DNA result not readable"), (msg("HBV DNA"),))


VIROLOGY_EVALUATORS = {"hepatitis_status": evaluate_hepatitis_status}
