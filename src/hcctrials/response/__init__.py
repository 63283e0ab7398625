"""Tumour response engine: RECIST 1.1, mRECIST, iRECIST and imRECIST.

Public API (see ``docs/response.md``)::

    from hcctrials.response import derive_responses, ResponseSettings, load_assessments
    table = load_assessments("assessments.csv", first_doses_path="doses.csv")
    result = derive_responses(table.assessments, table.first_doses, criteria="recist11",
                              settings=ResponseSettings(confirm=True))
    result.visits, result.subjects, result.to_adrs()
"""

from hcctrials.response.common import (
    CRITERIA,
    FINDING_WARNINGS,
    ConfirmationOutsideWindow,
    CrThenPr,
    InconsistentLesionRecord,
    LesionNotRecorded,
    ResponseInputError,
    ResponseSettings,
    UnconfirmedResponse,
    VisitDateInconsistency,
)
from hcctrials.response.engine import derive_responses
from hcctrials.response.io import AssessmentTable, load_assessments, load_first_doses
from hcctrials.response.result import ResponseResult
from hcctrials.response.validate import (
    check_assessments,
    check_first_doses,
    normalise_assessments,
)

__all__ = [
    "CRITERIA",
    "FINDING_WARNINGS",
    "InconsistentLesionRecord",
    "LesionNotRecorded",
    "AssessmentTable",
    "ConfirmationOutsideWindow",
    "VisitDateInconsistency",
    "CrThenPr",
    "ResponseInputError",
    "ResponseResult",
    "ResponseSettings",
    "UnconfirmedResponse",
    "check_assessments",
    "check_first_doses",
    "derive_responses",
    "load_assessments",
    "load_first_doses",
    "normalise_assessments",
]
