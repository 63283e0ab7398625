"""Shared vocabulary of the tumour response engine: response codes, settings, errors.

Everything here restates ``docs/response.md`` (which follows RECIST 1.1 [E09, S16],
mRECIST [LL10], iRECIST [S17] and imRECIST [H18]).  Responses are handled internally as
small integer codes so that the per-visit and per-subject derivations can be vectorised;
:data:`LABELS` turns them into the strings of the public tables.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from hcctrials.errors import DataQualityWarning, ValidationError
from hcctrials.i18n import msg

__all__ = [
    "CR",
    "PR",
    "SD",
    "NN",
    "PD",
    "CPD",
    "NE",
    "CRITERIA",
    "CRITERIA_TITLES",
    "Criteria",
    "LABELS",
    "I_LABELS",
    "labels_for",
    "ResponseSettings",
    "ResponseInputError",
    "UnconfirmedResponse",
    "CrThenPr",
    "LesionNotRecorded",
    "InconsistentLesionRecord",
    "ConfirmationOutsideWindow",
    "VisitDateInconsistency",
    "FINDING_WARNINGS",
    "HUNDREDTHS",
    "FIVE_MM",
    "PORTA_HEPATIS",
]

# Internal codes. Order of preference for BOR: CR > PR > SD > NN > PD/CPD > NE [E09 1.7].
CR, PR, SD, NN, PD, CPD, NE = 1, 2, 3, 4, 5, 6, 7

#: Plain RECIST 1.1 / mRECIST labels (NN = NON-CR/NON-PD; CPD is unused there).
LABELS: dict[int, str] = {
    CR: "CR",
    PR: "PR",
    SD: "SD",
    NN: "NON_CR_NON_PD",
    PD: "PD",
    CPD: "PD",
    NE: "NE",
}
#: iRECIST / imRECIST labels [S17]: PD is the unconfirmed iUPD, CPD the confirmed iCPD.
I_LABELS: dict[int, str] = {
    CR: "iCR",
    PR: "iPR",
    SD: "iSD",
    NN: "NON_iCR_NON_iUPD",
    PD: "iUPD",
    CPD: "iCPD",
    NE: "NE",
}

Criteria = Literal["recist11", "mrecist", "irecist", "imrecist"]
CRITERIA: tuple[str, ...] = ("recist11", "mrecist", "irecist", "imrecist")
CRITERIA_TITLES: dict[str, str] = {
    "recist11": "RECIST 1.1",
    "mrecist": "mRECIST",
    "irecist": "iRECIST",
    "imrecist": "imRECIST",
}

#: Measurements are held as integers in hundredths of a millimetre so that every threshold
#: comparison is exact (spec section 1.3: 0.7*90 is 62.99999999999999 in IEEE doubles).
HUNDREDTHS = 100
FIVE_MM = 5 * HUNDREDTHS


#: mRECIST: porta hepatis nodes are malignant only with short axis >= 20 mm [LL10]
#: (organ names as normalised by :func:`~hcctrials.response.validate.normalise_organ`).
PORTA_HEPATIS = frozenset({"porta hepatis", "hepatic hilum", "hepatic hilar", "portal"})


def labels_for(criteria: str) -> dict[int, str]:
    """The label mapping used for *criteria* (i-prefixed for iRECIST and imRECIST)."""
    return I_LABELS if criteria in ("irecist", "imrecist") else LABELS


class ResponseInputError(ValidationError):
    """An assessment table breaks a rule of the criteria (names subject, visit, lesion)."""


class UnconfirmedResponse(DataQualityWarning):
    """A CR/PR that was never confirmed although confirmation is required."""


class CrThenPr(DataQualityWarning):
    """A CR followed by a PR: RECIST 1.1 Table 3 footnote case, needs review [E09]."""


class LesionNotRecorded(DataQualityWarning):
    """A baseline lesion has no row at a follow-up visit (treated as not evaluated)."""


class InconsistentLesionRecord(DataQualityWarning):
    """A lesion record contradicts itself or lacks what the criteria need (see message)."""


class ConfirmationOutsideWindow(DataQualityWarning):
    """An iUPD was confirmed (or not) by an assessment outside the 4-8 week window [S17]."""


class VisitDateInconsistency(DataQualityWarning):
    """Scan dates and visit labels of a time point disagree (see message)."""


#: Finding code (``ResponseResult.findings["code"]``) -> named warning class.
FINDING_WARNINGS: dict[str, type[DataQualityWarning]] = {
    "UNCONFIRMED_RESPONSE": UnconfirmedResponse,
    "CR_THEN_PR": CrThenPr,
    "LESION_NOT_RECORDED": LesionNotRecorded,
    "NODE_STATUS_CONTRADICTION": InconsistentLesionRecord,
    "EFFUSION_WITHOUT_CYTOLOGY": InconsistentLesionRecord,
    "PATTERN_UNKNOWN": InconsistentLesionRecord,
    "IUPD_CONFIRMATION_LATE": ConfirmationOutsideWindow,
    "IUPD_SCAN_TOO_EARLY": ConfirmationOutsideWindow,
    "TIMEPOINT_SPAN_EXCEEDS_WINDOW": VisitDateInconsistency,
    "VISIT_SPLIT_ACROSS_TIMEPOINTS": VisitDateInconsistency,
}


@dataclass(frozen=True)
class ResponseSettings:
    """Protocol parameters of the response derivation; defaults as in ``docs/response.md``.

    Every field is a protocol choice the spec (section 1.7, 2, 3, 4) leaves open.
    """

    #: Confirmed BOR is the headline ``best_overall_response`` (non-randomised trials) [E09 1.7].
    confirm: bool = False
    #: Minimum days between a CR/PR and its confirmation (4 weeks) [E09 Table 3].
    confirmation_min_days: int = 28
    #: NE assessments allowed between a response and its confirmation (admiralonco max_nr_ne).
    max_ne_between_confirmation: int = 1
    #: May an SD lie between a PR and its confirmation (admiralonco accept_sd).
    accept_sd_between_pr_and_confirmation: bool = False
    #: Minimum days from first dose for SD (or NON-CR/NON-PD) to count; seed 000 DCR: 8 weeks.
    sd_min_days: int = 56
    #: mRECIST: absolute increase (mm) required in addition to +20% for PD; None = [LL10] (none).
    mrecist_pd_absolute_mm: float | None = None
    #: mRECIST: intrahepatic targets without a viable diameter at baseline (atypical lesions):
    #: "error" (the paper) or "whole_lesion" (measure them by RECIST diameter).
    mrecist_atypical_targets: Literal["error", "whole_lesion"] = "error"
    #: Date PD at the first appearance of an equivocal new lesion later confirmed [E09 1.5].
    backdate_equivocal_new_lesions: bool = True
    #: After a true CR, a reappearing target is PD [S16 Q&A].
    reappearance_after_cr_is_pd: bool = True
    #: Keep calling later time points PR after a (confirmed) PR until PD [S16 Q&A]; labels only.
    continuing_pr: bool = False
    #: Assessment rows of one subject whose dates lie within this many days of the previous
    #: distinct date are one time point (0: each date is its own time point).
    visit_window_days: int = 0
    #: Date of a time point made of several scan dates: "earliest" or "latest".
    timepoint_date: Literal["earliest", "latest"] = "earliest"
    #: Ignore assessments on or after new anticancer therapy for BOR [E09 1.7].
    exclude_after_new_therapy: bool = True
    #: iRECIST: date an iUPD that is never confirmed as progression (else censored) [S17].
    irecist_unconfirmed_iupd_is_event: bool = False
    #: iRECIST: an assessment earlier than this many days after the iUPD is disregarded for
    #: confirming (iCPD) or resetting it; the next one decides [S17 "next assessment, 4 to 8
    #: weeks later"; RECIST WG iRECIST FAQ].
    irecist_confirmation_min_days: int = 28
    #: iRECIST: upper end of the confirmation window.  The first evaluable assessment that
    #: decides an iUPD is still used when later than this, but named in the findings
    #: (``IUPD_CONFIRMATION_LATE``); None = no upper bound, no finding.
    irecist_confirmation_max_days: int | None = 56
    #: imRECIST: a PD on the last scan with no later scan is an event (H18); False = censor.
    imrecist_pd_on_last_scan_is_event: bool = True
    #: imRECIST: minimum days between the first PD and the assessment that confirms/negates it.
    imrecist_pd_confirmation_min_days: int = 28

    def __post_init__(self) -> None:
        checks: list[tuple[str, bool]] = [
            ("confirmation_min_days", self.confirmation_min_days >= 0),
            ("max_ne_between_confirmation", self.max_ne_between_confirmation >= 0),
            ("sd_min_days", self.sd_min_days >= 0),
            ("visit_window_days", self.visit_window_days >= 0),
            ("imrecist_pd_confirmation_min_days", self.imrecist_pd_confirmation_min_days >= 0),
            ("irecist_confirmation_min_days", self.irecist_confirmation_min_days >= 0),
            (
                "irecist_confirmation_max_days",
                self.irecist_confirmation_max_days is None
                or self.irecist_confirmation_max_days >= self.irecist_confirmation_min_days,
            ),
            (
                "mrecist_pd_absolute_mm",
                self.mrecist_pd_absolute_mm is None or self.mrecist_pd_absolute_mm >= 0,
            ),
            ("mrecist_atypical_targets", self.mrecist_atypical_targets in ("error", "whole_lesion")),
            ("timepoint_date", self.timepoint_date in ("earliest", "latest")),
        ]
        for name, ok in checks:
            if not ok:
                raise ValidationError(
                    msg("invalid response setting"),
                    field=name,
                    value=getattr(self, name),
                    hint=msg("see docs/response.md for the allowed values"),
                )

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for reports and JSON output)."""
        return asdict(self)
