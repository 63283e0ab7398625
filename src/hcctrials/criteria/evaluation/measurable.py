"""Measurable disease (RECIST 1.1 / mRECIST) and Cheng's PVTT type from the patient's tumour data (pure).

Rules (``../shared/docs/response-and-endpoints.md`` s. 1.1 and 2; hcc-domain.md s. 2.2 and 3):

* RECIST 1.1, non-nodal lesion: longest diameter >= 10 mm on CT/MRI with slice thickness <= 5 mm;
  with thicker slices the minimum is twice the slice thickness.  Lymph node: short axis >= 15 mm.
  A slice thickness that is not recorded is taken as <= 5 mm (standard multidetector CT / MRI) and
  the reason says so.
* mRECIST: an intrahepatic lesion is a target when it is RECIST-measurable **and** its viable
  (arterially enhancing) longest diameter is >= 10 mm; extrahepatic lesions follow RECIST 1.1.
* A lesion treated locally (TACE, ablation, radiotherapy) is non-measurable unless it has progressed
  since ("the protocol must say"; response-and-endpoints.md s. 1.1).  For the plain criterion a
  lesion whose local treatment is not recorded counts; for "untreated lesion" criteria it is unknown.
* The recorded assessments ``measurable_disease`` / ``measurable_disease_mrecist`` win over the
  lesion list (the clinician's reading); the list decides when they are not set.

Three-valued: ``True`` / ``False`` / ``None`` (unknown) with a reason and what to measure.
"""

from __future__ import annotations

from typing import Literal

from hcctrials.criteria.evaluation.kleene import and3 as _and3
from hcctrials.i18n import Msg, msg
from hcctrials.model.patient import Lesion, TumourBurden

__all__ = ["lesion_measurable", "assess_measurable", "cheng_from_vp"]

Criteria = Literal["recist11", "mrecist"]

_RECIST_MIN_MM = 10.0
_NODE_MIN_SA_MM = 15.0
_MRECIST_VIABLE_MIN_MM = 10.0


def _recist_size(lesion: Lesion) -> bool | None:
    if lesion.site == "lymph_node":
        if lesion.short_axis_mm is None:
            return None
        return lesion.short_axis_mm >= _NODE_MIN_SA_MM
    if lesion.longest_diameter_mm is None:
        return None
    minimum = _RECIST_MIN_MM
    # RECIST 1.1 (Eisenhauer 2009, appendix II) defines CT measurability "based on the assumption
    # that CT slice thickness is 5 mm or less"; thicker slices: at least twice the thickness.  An
    # unrecorded thickness is therefore the guideline's own assumption (the reason text says so).
    if lesion.slice_thickness_mm is not None and lesion.slice_thickness_mm > 5:
        minimum = 2 * lesion.slice_thickness_mm
    return lesion.longest_diameter_mm >= minimum


def lesion_measurable(lesion: Lesion, criteria: Criteria = "recist11", *, untreated: bool = False,
                      local_therapy: bool = False) -> bool | None:
    """Is *lesion* measurable under *criteria* (``untreated``: and not treated locally, or progressed since)?

    A lesion in an area treated locally is measurable only if it has progressed since (RECIST 1.1
    s. 3.1.4; mRECIST the same).  Whether a lesion was treated, when the lesion does not say: not
    treated if the patient has no local therapy on record (*local_therapy* False), else unknown;
    for an ``untreated`` criterion always unknown.
    """
    size = _recist_size(lesion)
    if criteria == "mrecist" and lesion.site not in ("lymph_node", "other"):  # liver (or site not recorded)
        viable = None if lesion.viable_diameter_mm is None else lesion.viable_diameter_mm >= _MRECIST_VIABLE_MIN_MM
        size = _and3(size, viable)
    local: bool | None
    if lesion.locally_treated is True:
        local = lesion.progressed_after_local_therapy
    elif lesion.locally_treated is False:
        local = True
    else:
        local = None if untreated or local_therapy else True
    return _and3(size, local)


def assess_measurable(tumour: TumourBurden, criteria: Criteria = "recist11", *, untreated: bool = False,
                      local_therapy: bool = False) -> tuple[bool | None, Msg, tuple[Msg, ...]]:
    """(measurable?, reason, what to measure) for at least one measurable lesion; *local_therapy*:
    the patient has locoregional therapy or radiotherapy on record (see :func:`lesion_measurable`)."""
    name = "RECIST 1.1" if criteria == "recist11" else "mRECIST"
    what = (msg("measurable untreated lesion ({criteria})", criteria=name) if untreated
            else msg("measurable lesion ({criteria})", criteria=name))
    recorded = tumour.measurable_disease if criteria == "recist11" else tumour.measurable_disease_mrecist
    if recorded is None and criteria == "mrecist" and tumour.measurable_disease is False:
        recorded = False  # nothing RECIST-measurable: nothing mRECIST-measurable (targets are RECIST-measurable)
    if recorded is False:
        return False, msg("{what}: none (recorded)", what=what), ()
    if recorded is True and not untreated:
        return True, msg("{what}: yes (recorded)", what=what), ()
    if tumour.lesions:
        verdicts = [lesion_measurable(le, criteria, untreated=untreated, local_therapy=local_therapy)
                    for le in tumour.lesions]
        if any(v is True for v in verdicts):
            if all(le.slice_thickness_mm is not None for le in tumour.lesions):
                return True, msg("{what}: yes, from lesion sizes", what=what), ()
            return True, msg("{what}: yes, from lesion sizes (slice thickness not recorded: taken as <= 5 mm)",
                             what=what), ()
        if all(v is False for v in verdicts):
            return False, msg("{what}: none of {n} recorded lesions", what=what, n=len(verdicts)), ()
    sizes = msg("baseline lesion sizes (longest diameter; viable diameter for mRECIST; lymph-node short axis)")
    missing = ((sizes, msg("whether lesions were treated locally")) if untreated or local_therapy else (sizes,))
    if recorded is True:  # measurable, but whether an untreated lesion is among them is not known
        return None, msg("{what}: measurable disease recorded; local treatment of the lesions not known", what=what), missing
    return None, msg("{what}: not known", what=what), missing


def cheng_from_vp(vp: str | None) -> tuple[list[str], Msg]:
    """The Cheng types compatible with a Vp level (hcc-domain.md s. 2.2): vp0 -> no PVTT; vp1/vp2
    (segmental / sectoral branches) -> i; vp3 (first-order branch = right/left portal vein) -> ii;
    vp4 (main trunk *or* contralateral branch) -> ii, iii or iv (not decidable)."""
    if vp is None:
        return [], msg("PVTT level not known")
    return {"vp0": ([], msg("no PVTT (vp0)")), "vp1": (["i"], msg("vp1 = Cheng I")), "vp2": (["i"], msg("vp2 = Cheng I")),
            "vp3": (["ii"], msg("vp3 = Cheng II")),
            "vp4": (["ii", "iii", "iv"], msg("vp4 = Cheng II-IV (main trunk or contralateral branch)"))}[vp]
