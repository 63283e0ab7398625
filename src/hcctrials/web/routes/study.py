"""Study workspaces (signed in): accounts, studies, uploads, responses, endpoints, KM plots, ADaM.

Pages (``/login``, ``/studies``, ``/studies/{id}`` ...) and the JSON API (``/api/session``,
``/api/studies/...``) over the same functions.  Every number comes from the library the CLI
calls: uploads are checked by the readers of ``hcctrials response`` / ``endpoints``
(:func:`hcctrials.response.check_assessments`, :func:`hcctrials.response.validate.check_first_doses`,
:func:`hcctrials.endpoints.study.check_study`, :func:`hcctrials.endpoints.safety.derive_teae`,
:func:`hcctrials.endpoints.safety.derive_exposure`), responses by
:func:`hcctrials.response.derive_responses`, endpoints by
:func:`hcctrials.endpoints.study.analyse_study`, the KM plot by :func:`hcctrials.reports.plots.plot_km`,
ADaM tables by :func:`hcctrials.endpoints.adam.build_adam` and the report by
:func:`hcctrials.reports.render.render_html`.  No clinical logic lives here.

Access (:mod:`hcctrials.web.auth`): every route needs a signed-in user who is a member of the
study (administrators see every study); uploads need the investigator or coordinator role;
members are managed (added, role changed, removed: never the last investigator) by investigators
and administrators.  State-changing calls need the CSRF
token.  A stranger asking for a study gets 404 (not 403), so studies are not enumerable.
"""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from starlette.concurrency import run_in_threadpool

from hcctrials.errors import HcctrialsError, InputError, ParseError, ValidationError
from hcctrials.i18n import msg, say, term
from hcctrials.response.common import CRITERIA_TITLES
from hcctrials.storage.studies import (
    FILE_KINDS,
    ROLES,
    LastInvestigator,
    NotAMember,
    Study,
    StudyFile,
    StudyStore,
    User,
)
from hcctrials.web.auth import (
    MIN_PASSWORD_LENGTH,
    can_manage,
    can_upload,
    check_csrf,
    csrf_token,
    current_user,
    hash_password,
    require_user,
    sign_in,
    sign_out,
    study_store,
)
from hcctrials.web.error_text import error_fields
from hcctrials.web.language import COOKIE, explicit_language, request_language, switch_url, templates
from hcctrials.web.problems import PROBLEM_RESPONSES, PROBLEM_TYPE, Problem, problem_response

__all__ = ["router", "STUDY_FILE_NAMES", "validate_upload", "study_data", "AnalysisCache"]

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    **{code: {"model": Problem, "content": {PROBLEM_TYPE: {}}, "description": text}
       for code, text in ((401, "Not signed in"), (403, "Not allowed for this role, or CSRF token missing"),
                          (429, "Too many failed sign-ins"))},
}

api = APIRouter(prefix="/api", tags=["studies"], responses=_PROBLEMS)
pages = APIRouter(include_in_schema=False)
router = APIRouter()

#: The file name of each study table in a ``hcctrials endpoints`` study folder.
STUDY_FILE_NAMES: dict[str, str] = {"subjects": "subjects.csv", "tumour_assessments": "tumour_assessments.csv",
                                    "adverse_events": "adverse_events.csv", "dosing": "dosing.csv",
                                    "first_doses": "first_doses.csv"}
#: Tables ``analyse_study`` needs (first doses are in the subject table there).
_ENDPOINT_TABLES = ("subjects", "tumour_assessments", "adverse_events", "dosing")
CRITERIA_SETS = ("recist11", "mrecist", "irecist", "imrecist")
CONF_TYPES = ("log-log", "log", "plain")
ADAM_DATASETS = ("ADSL", "ADTTE", "ADRS")
_MAX_ROWS = 200_000

Kind = Literal["subjects", "tumour_assessments", "adverse_events", "dosing", "first_doses"]
CriteriaSet = Literal["recist11", "mrecist", "irecist", "imrecist"]
ConfType = Literal["log-log", "log", "plain"]


# ------------------------------------------------------------------ reading and checking uploads

def read_csv(content: bytes, filename: str) -> Any:
    """The uploaded CSV as a DataFrame, read as ``hcctrials.response.io.read_table`` reads a .csv."""
    import pandas as pd

    from hcctrials.textdecode import decode_text

    if not content.strip():
        raise ParseError(msg("the file is empty"), file=filename)
    text = decode_text(content, file=filename, expected="a CSV table")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype={"subject_id": str, "lesion_id": str, "USUBJID": str},
                            keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ParseError(msg("cannot read CSV: {reason}", reason=str(exc).splitlines()[0][:200]), file=filename) from None
    if len(frame) > _MAX_ROWS:
        raise ParseError(msg("more than {n} rows", n=_MAX_ROWS), file=filename)
    if "subject_id" not in frame.columns:
        raise ParseError(msg("the table has no column '{column}'", column="subject_id"), file=filename,
                         field="subject_id",
                         hint=msg("use the layout of the command line (docs/report.md, docs/response.md)"))
    return frame


def _first_doses_of_subjects(subjects: Any) -> Any:
    """The first-dose table ``analyse_study`` derives from the subject table (treated subjects)."""
    from hcctrials.endpoints.study import StudyData

    treated = StudyData(subjects, subjects.iloc[0:0], subjects.iloc[0:0], subjects.iloc[0:0]).treated
    doses = treated[["subject_id", "first_dose_date"]].copy()
    doses["subject_id"] = doses["subject_id"].astype(str)
    if "new_therapy_date" in treated.columns:
        doses["new_anticancer_therapy_date"] = treated["new_therapy_date"]
    return doses


def _first_doses(tables: dict[str, Any]) -> Any:
    from hcctrials.response.validate import check_first_doses

    if "first_doses" in tables:
        return check_first_doses(tables["first_doses"])
    if "subjects" in tables:
        return check_first_doses(_first_doses_of_subjects(tables["subjects"]))
    return None


def validate_upload(kind: str, frame: Any, tables: dict[str, Any], info: dict[str, Any], filename: str) -> None:
    """Check an uploaded table with the library's readers, alone and with the study's other tables
    (*tables*: kind -> frame, the upload already in place).  Raises the library's InputError (file,
    record, field, value); the error names *filename* when the library did not name a file."""
    from hcctrials.endpoints.safety import derive_exposure, derive_teae
    from hcctrials.endpoints.study import StudyData, check_study
    from hcctrials.response import check_assessments
    from hcctrials.response.validate import check_first_doses

    try:
        if kind == "first_doses":
            check_first_doses(frame)
        if kind == "subjects":
            duplicated = frame["subject_id"].astype(str).duplicated()
            if duplicated.any():
                raise ValidationError(msg("subject listed twice"), field="subject_id",
                                      record=msg("subject {subject}",
                                                 subject=str(frame["subject_id"][duplicated].iloc[0])))
            check_first_doses(_first_doses_of_subjects(frame))
        if kind in ("tumour_assessments", "subjects", "first_doses") and "tumour_assessments" in tables:
            doses = _first_doses(tables)
            for criteria in info.get("criteria") or ["recist11"]:
                check_assessments(tables["tumour_assessments"], doses, criteria=str(criteria))
        if kind == "dosing" or ("dosing" in tables and kind == "subjects"):
            derive_exposure(tables["dosing"])
        if {"adverse_events", "subjects", "dosing"} <= tables.keys() and kind in ("adverse_events", "subjects",
                                                                                   "dosing"):
            subjects = tables["subjects"]
            derive_teae(tables["adverse_events"], StudyData(subjects, subjects.iloc[0:0], subjects.iloc[0:0],
                                                            subjects.iloc[0:0]).treated, tables["dosing"])
        if set(_ENDPOINT_TABLES) <= tables.keys():
            check_study(StudyData(tables["subjects"], tables["tumour_assessments"], tables["adverse_events"],
                                  tables["dosing"], dict(info)))
    except HcctrialsError as exc:
        if exc.file is None:
            exc.file = filename
        raise
    except (KeyError, TypeError, ValueError) as exc:  # a table the checks cannot even read
        raise InputError(msg("the table cannot be checked: {reason}", reason=type(exc).__name__), file=filename,
                         hint=msg("compare its columns with the example study (docs/report.md)")) from None


def _tables(store: StudyStore, files: dict[str, StudyFile]) -> dict[str, Any]:
    tables = {}
    for kind, stored in files.items():
        tables[kind] = read_csv(store.file_content(stored.id).encode("utf-8"), stored.filename)
    return tables


def study_data(store: StudyStore, study: Study, files: dict[str, StudyFile]) -> Any:
    """The study's current tables as :class:`hcctrials.endpoints.study.StudyData` (InputError naming
    the first table not uploaded yet)."""
    from hcctrials.endpoints.study import StudyData

    missing = [k for k in _ENDPOINT_TABLES if k not in files]
    if missing:
        raise InputError(msg("upload this table first"), file=STUDY_FILE_NAMES[missing[0]], field=missing[0])
    tables = _tables(store, {k: files[k] for k in _ENDPOINT_TABLES})
    return StudyData(tables["subjects"], tables["tumour_assessments"], tables["adverse_events"], tables["dosing"],
                     dict(study.info))


class AnalysisCache:
    """Analyses of recent study states (key: study, current file ids, band), bounded, thread-safe."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._data: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: StudyStore, study: Study, files: dict[str, StudyFile], conf_type: str) -> tuple[Any, Any]:
        from hcctrials.endpoints.study import analyse_study

        key = (study.id, tuple(sorted((k, f.id) for k, f in files.items() if k in _ENDPOINT_TABLES)), conf_type,
               json.dumps(study.info, sort_keys=True, default=str))
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        data = study_data(store, study, files)
        analysis = analyse_study(data, conf_type=conf_type)
        with self._lock:
            self._data[key] = (data, analysis)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return data, analysis


def _cache(request: Request) -> AnalysisCache:
    cache = getattr(request.app.state, "study_analyses", None)
    if cache is None:
        cache = request.app.state.study_analyses = AnalysisCache()
    return cache


def _responses(store: StudyStore, study: Study, files: dict[str, StudyFile], criteria: str) -> Any:
    """``hcctrials response --criteria C --confirm`` on the study's assessments and first doses."""
    from hcctrials.response import ResponseSettings, derive_responses

    if "tumour_assessments" not in files:
        raise InputError(msg("upload this table first"), file=STUDY_FILE_NAMES["tumour_assessments"],
                         field="tumour_assessments")
    if "first_doses" not in files and "subjects" not in files:
        raise InputError(msg("upload the first doses (or the subject table) first"), file=STUDY_FILE_NAMES["first_doses"],
                         field="first_doses")
    wanted = {k: files[k] for k in ("tumour_assessments", "first_doses", "subjects") if k in files}
    tables = _tables(store, wanted)
    doses = _first_doses(tables)
    assessments = tables["tumour_assessments"]
    assessments = assessments[assessments["subject_id"].astype(str).isin(set(doses["subject_id"].astype(str)))]
    return derive_responses(assessments, doses, criteria=criteria, settings=ResponseSettings(confirm=True))


def _json_ready(value: Any) -> Any:
    """*value* as plain JSON (NaN and infinities as null, dates and NumPy numbers as text/numbers)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False), parse_constant=lambda _c: None)


# ------------------------------------------------------------------ the KM plot

_PLOT_LOCK = threading.Lock()  # matplotlib's global state is not thread-safe


def km_svg(analysis: Any, criteria: str, endpoint: str, language: str) -> str:
    """The KM plot of *endpoint* under *criteria* as SVG, drawn by the report's :func:`plot_km`."""
    import matplotlib.pyplot as plt

    from hcctrials.endpoints.events import STANDARD_ENDPOINTS
    from hcctrials.reports.fonts import configure_matplotlib
    from hcctrials.reports.plots import KmGroup, figure_to_svg, plot_km

    if criteria not in analysis.by_criteria:
        raise InputError(msg("criteria set not analysed for this study"), field="criteria", value=criteria,
                         hint=msg("one of {values}", values=", ".join(analysis.by_criteria)))
    summaries = analysis.by_criteria[criteria].summaries
    definition = next((d for d in STANDARD_ENDPOINTS if d.paramcd == endpoint), None)
    if definition is None or endpoint not in summaries:
        raise InputError(msg("unknown endpoint"), field="endpoint", value=endpoint, hint=msg("one of {values}", values=", ".join(summaries)))
    summary = summaries[endpoint]
    if summary.km is None:
        raise InputError(msg("no subject in this endpoint's analysis"), field="endpoint", value=endpoint)
    with _PLOT_LOCK:
        lang = language if configure_matplotlib(language) is not None or language == "en" else "en"
        name = definition.param_zh if lang == "zh" else definition.param
        group = say("All treated", lang) if definition.population == "treated" else say("Responders", lang)
        legend = say("{arm}: {events} events / {n} subjects", lang, arm=group, events=summary.events, n=summary.n)
        start = say("first dose", lang) if definition.start == "reference" else say("first response", lang)
        figure = plot_km([KmGroup(group, summary, legend)],
                         ylabel=say("{endpoint} (probability)", lang, endpoint=name),
                         xlabel=say("Months since {start}", lang, start=start),
                         at_risk_label=say("Number at risk", lang), censored_label=say("Censored", lang))
        try:
            return figure_to_svg(figure)
        finally:
            plt.close(figure)


# ------------------------------------------------------------------ access

def _study_for(request: Request, user: User, study_id: int) -> Study:
    return study_store(request).study(study_id, user)


def _require_upload(study: Study, user: User) -> None:
    if not can_upload(study.role, user):
        raise HTTPException(403, detail=msg("your role in this study ({role}) may read but not change its data: "
                                            "investigators and coordinators upload",
                                            role=term(study.role) if study.role else msg("none")))


def _require_manage(study: Study, user: User) -> None:
    if not can_manage(study.role, user):
        raise HTTPException(403, detail=msg("only the study's investigators and administrators manage members"))


def api_csrf(request: Request, x_csrf_token: Annotated[str | None, Header(max_length=200)] = None) -> None:
    """State-changing API calls: the session's CSRF token in ``X-CSRF-Token``."""
    check_csrf(request, x_csrf_token)


SignedIn = Annotated[User, Depends(require_user)]
StudyId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The study's number")]


# ------------------------------------------------------------------ API: session and accounts

class SignInBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewUserBody(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[\w.@-]+$")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    is_admin: bool = False


class NewStudyBody(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$", description="Protocol number or short code")
    title: str = Field(default="", max_length=500)
    data_cutoff: date | None = Field(default=None, ge=date(1990, 1, 1), le=date(2200, 12, 31))
    criteria: list[CriteriaSet] = Field(default=["recist11"], min_length=1, max_length=4)
    primary_criteria: CriteriaSet | None = None
    assessment_interval_days: int = Field(default=56, ge=7, le=365)
    title_zh: str | None = Field(default=None, max_length=500)
    cycle_days: int | None = Field(default=None, ge=1, le=365)
    arm: str | None = Field(default=None, max_length=200, description="The arm's name in a one-arm study")
    arms: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(default=None, max_length=20)
    strata: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(default=None, max_length=10)
    drugs: dict[Annotated[str, Field(min_length=1, max_length=100)],
                dict[Annotated[str, Field(max_length=40)], str | int | float]] | None = Field(default=None, max_length=20)


#: study.json keys a workspace keeps (the rest of a study.json file is ignored).
_INFO_EXTRAS = ("title_zh", "cycle_days", "arm", "arms", "strata", "drugs")


class MemberBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: Literal["investigator", "coordinator", "viewer"]


def _user_document(user: User) -> dict[str, Any]:
    return {"username": user.username, "is_admin": user.is_admin}


@api.post("/session", summary="Sign in: starts a session (signed cookie); answers the CSRF token")
def api_sign_in(request: Request, body: SignInBody) -> dict[str, Any]:
    user = sign_in(request, body.username, body.password)
    return {"user": _user_document(user), "csrf_token": csrf_token(request)}


@api.get("/session", summary="The signed-in user and the session's CSRF token")
def api_session(request: Request, user: SignedIn) -> dict[str, Any]:
    return {"user": _user_document(user), "csrf_token": csrf_token(request)}


@api.delete("/session", summary="Sign out", status_code=204, dependencies=[Depends(api_csrf)])
def api_sign_out(request: Request, user: SignedIn) -> Response:
    sign_out(request)
    return Response(status_code=204)


@api.post("/users", summary="Create an account (administrators)", status_code=201, dependencies=[Depends(api_csrf)])
def api_create_user(request: Request, user: SignedIn, body: NewUserBody) -> dict[str, Any]:
    if not user.is_admin:
        raise HTTPException(403, detail=msg("only administrators create accounts"))
    created = study_store(request).create_user(body.username, hash_password(body.password), is_admin=body.is_admin,
                                               actor=user)
    assert created is not None
    return _user_document(created)


# ------------------------------------------------------------------ API: studies

def _file_document(f: StudyFile) -> dict[str, Any]:
    return {"kind": f.kind, "version": f.version, "filename": f.filename, "sha256": f.sha256, "rows": f.n_rows,
            "uploaded_by": f.uploaded_by, "uploaded_at": f.uploaded_at.isoformat()}


def _study_document(study: Study, files: dict[str, StudyFile] | None = None,
                    members: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": study.id, "code": study.code, "title": study.title, "info": study.info,
                           "role": study.role, "created_at": study.created_at.isoformat(),
                           "url": f"/api/studies/{study.id}"}
    if files is not None:
        out["tables"] = {k: _file_document(f) for k, f in sorted(files.items())}
    if members is not None:
        out["members"] = [{"username": u, "role": r} for u, r in members]
    return out


def _info_of(body: NewStudyBody) -> dict[str, Any]:
    """The study.json of the workspace (what ``hcctrials endpoints`` reads from a study folder)."""
    chosen = list(dict.fromkeys(c for c in body.criteria if c in CRITERIA_SETS)) or ["recist11"]
    primary = body.primary_criteria
    if primary is not None and primary not in chosen:
        raise InputError(msg("the primary criteria set must be one of the study's criteria sets"), field="primary_criteria",
                         value=primary, hint=msg("one of {values}", values=", ".join(chosen)))
    info: dict[str, Any] = {"study_id": body.code, "title_en": body.title or body.code, "criteria": chosen,
                            "primary_criteria": primary or chosen[0],
                            "assessment_interval_days": body.assessment_interval_days}
    if body.data_cutoff is not None:
        info["data_cutoff"] = body.data_cutoff.isoformat()
    for key in _INFO_EXTRAS:
        value = getattr(body, key)
        if value is not None:
            info[key] = value
    return info


@api.get("/studies", summary="The studies of the signed-in user, with their role")
def api_studies(request: Request, user: SignedIn) -> dict[str, Any]:
    return {"studies": [_study_document(s) for s in study_store(request).studies_of(user)]}


@api.post("/studies", summary="Create a study (the creator becomes its investigator)", status_code=201,
          dependencies=[Depends(api_csrf)])
def api_create_study(request: Request, user: SignedIn, body: NewStudyBody) -> dict[str, Any]:
    info = _info_of(body)
    study = study_store(request).create_study(user, body.code, body.title, info)
    return _study_document(study, {}, [(user.username, "investigator")])


@api.get("/studies/{study_id}", summary="One study: its tables (newest versions), members and your role")
def api_study(request: Request, user: SignedIn, study_id: StudyId) -> dict[str, Any]:
    store = study_store(request)
    study = _study_for(request, user, study_id)
    return _study_document(study, store.current_files(study.id), store.members(study.id))


async def _accept_upload(request: Request, user: User, study: Study, kind: str, upload: UploadFile) -> StudyFile:
    """Read, check (with the study's other tables) and store an upload; the library's InputError if bad."""
    _require_upload(study, user)
    if kind not in FILE_KINDS:
        raise InputError(msg("unknown study table"), field="kind", value=kind, hint=msg("one of {values}", values=", ".join(FILE_KINDS)))
    content = await upload.read()
    filename = (upload.filename or STUDY_FILE_NAMES[kind]).rsplit("/", 1)[-1][:120] or STUDY_FILE_NAMES[kind]
    store = study_store(request)

    def check_and_store() -> StudyFile:
        files = store.current_files(study.id)
        frame = read_csv(content, filename)
        tables = _tables(store, {k: f for k, f in files.items() if k != kind})
        tables[kind] = frame
        validate_upload(kind, frame, tables, study.info, filename)
        from hcctrials.textdecode import decode_text

        return store.add_file(user, study.id, kind, filename, decode_text(content, file=filename), len(frame))

    try:
        return await run_in_threadpool(check_and_store)
    finally:
        del content


@api.put("/studies/{study_id}/tables/{kind}", summary="Upload a study table (CSV, the command line's layout)",
         dependencies=[Depends(api_csrf)])
async def api_upload(request: Request, user: SignedIn, study_id: StudyId, kind: Kind,
                     file: Annotated[UploadFile, File(description="The CSV file")]) -> dict[str, Any]:
    study = _study_for(request, user, study_id)
    stored = await _accept_upload(request, user, study, kind, file)
    return _file_document(stored)


@api.get("/studies/{study_id}/responses", summary="Per-subject responses under a criteria set "
                                                   "(`hcctrials response --confirm --json`)")
def api_responses(request: Request, user: SignedIn, study_id: StudyId,
                  criteria: CriteriaSet = "recist11") -> dict[str, Any]:
    study = _study_for(request, user, study_id)
    store = study_store(request)
    result = _responses(store, study, store.current_files(study.id), criteria)
    return _json_ready(result.to_json_dict())  # type: ignore[no-any-return]


@api.get("/studies/{study_id}/endpoints", summary="ORR/DCR, PFS/TTP/DoR/OS and safety (`hcctrials endpoints --json`)")
def api_endpoints(request: Request, user: SignedIn, study_id: StudyId,
                  conf_type: ConfType = "log-log") -> dict[str, Any]:
    study = _study_for(request, user, study_id)
    store = study_store(request)
    _data, analysis = _cache(request).get(store, study, store.current_files(study.id), conf_type)
    return _json_ready(analysis.as_dict())  # type: ignore[no-any-return]


@api.get("/studies/{study_id}/km.svg", summary="Kaplan-Meier plot of an endpoint (SVG)",
         responses={200: {"content": {"image/svg+xml": {}}, "description": "The plot"}}, response_class=Response)
def api_km(request: Request, user: SignedIn, study_id: StudyId, endpoint: Literal["PFS", "TTP", "DOR", "OS"] = "PFS",
           criteria: CriteriaSet = "recist11", conf_type: ConfType = "log-log",
           lang: Literal["en", "zh"] | None = None) -> Response:
    study = _study_for(request, user, study_id)
    store = study_store(request)
    _data, analysis = _cache(request).get(store, study, store.current_files(study.id), conf_type)
    svg = km_svg(analysis, criteria, endpoint, lang or request_language(request))
    return Response(svg, media_type="image/svg+xml")


@api.get("/studies/{study_id}/adam/{dataset}", summary="An ADaM-style table (ADSL, ADTTE or ADRS) as CSV",
         responses={200: {"content": {"text/csv": {}}, "description": "The table"}}, response_class=Response)
def api_adam(request: Request, user: SignedIn, study_id: StudyId, dataset: Literal["ADSL", "ADTTE", "ADRS"],
             conf_type: ConfType = "log-log") -> Response:
    from hcctrials.endpoints.adam import build_adam

    study = _study_for(request, user, study_id)
    store = study_store(request)
    data, analysis = _cache(request).get(store, study, store.current_files(study.id), conf_type)
    table = build_adam(data, analysis)[dataset]
    name = f"{study.code}-{dataset.lower()}.csv".replace('"', "")
    return Response(table.to_csv(index=False), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@api.get("/studies/{study_id}/report.html", summary="The study report (HTML, as `hcctrials report`)",
         responses={200: {"content": {"text/html": {}}, "description": "The report"}}, response_class=Response)
def api_report(request: Request, user: SignedIn, study_id: StudyId, lang: Literal["en", "zh"] = "en") -> Response:
    from hcctrials.reports.render import render_html

    study = _study_for(request, user, study_id)
    store = study_store(request)
    data, analysis = _cache(request).get(store, study, store.current_files(study.id), "log-log")
    with _PLOT_LOCK:
        html = render_html(data, analysis, lang=lang, generated_on=request.app.state.today())
    name = f"{study.code}-report-{lang}.html".replace('"', "")
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@api.get("/studies/{study_id}/report.pdf", summary="The study report (PDF, as `hcctrials report --out x.pdf`)",
         responses={200: {"content": {"application/pdf": {}}, "description": "The report"}},
         response_class=Response)
async def api_report_pdf(request: Request, user: SignedIn, study_id: StudyId,
                         lang: Literal["en", "zh"] = "en") -> Response:
    """The report as PDF, drawn by :func:`hcctrials.reports.render.render_pdf` (WeasyPrint) in a
    temporary directory that is removed at once; every member (viewers too) may read it, as the
    HTML report.  Rendered off the event loop: a PDF takes seconds."""
    import tempfile
    from pathlib import Path as FilePath

    from hcctrials.reports.render import render_pdf

    study = _study_for(request, user, study_id)
    store = study_store(request)
    today = request.app.state.today()

    def draw() -> bytes:
        data, analysis = _cache(request).get(store, study, store.current_files(study.id), "log-log")
        with tempfile.TemporaryDirectory(prefix="hcctrials-report-") as folder:
            with _PLOT_LOCK:
                out = render_pdf(data, FilePath(folder) / "report.pdf", analysis, lang=lang, generated_on=today)
            return out.read_bytes()

    pdf = await run_in_threadpool(draw)
    name = f"{study.code}-report-{lang}.pdf".replace('"', "")
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@api.post("/studies/{study_id}/members", summary="Add a member or change a member's role (investigators)",
          dependencies=[Depends(api_csrf)],
          responses={409: {"model": Problem, "content": {PROBLEM_TYPE: {}},
                           "description": "The change would demote the study's last investigator"}})
def api_set_member(request: Request, user: SignedIn, study_id: StudyId, body: MemberBody) -> Any:
    study = _study_for(request, user, study_id)
    _require_manage(study, user)
    store = study_store(request)
    try:
        store.set_member(user, study.id, body.username, body.role)
    except LastInvestigator as exc:
        return problem_response(409, detail=_last_investigator(exc.username, request_language(request)),
                                instance=request.url.path, field="role", value=body.role)
    return {"members": [{"username": u, "role": r} for u, r in store.members(study.id)]}


def _last_investigator(name: str, language: str) -> str:
    return say("{name} is the study's only investigator: make another member investigator first.", language,
               name=name)


@api.delete("/studies/{study_id}/members/{username}",
            summary="Remove a member from the study (investigators; the last investigator stays)",
            dependencies=[Depends(api_csrf)],
            responses={409: {"model": Problem, "content": {PROBLEM_TYPE: {}},
                             "description": "The member is the study's last investigator"}})
def api_remove_member(request: Request, user: SignedIn, study_id: StudyId,
                      username: Annotated[str, Path(min_length=1, max_length=64)]) -> Any:
    study = _study_for(request, user, study_id)
    language = request_language(request)
    if not can_manage(study.role, user):
        return problem_response(403, detail=say("Only the study's investigators and administrators manage members.",
                                                language), instance=request.url.path)
    store = study_store(request)
    try:
        role = store.remove_member(user, study.id, username)
    except NotAMember:
        return problem_response(404, detail=say("{name} is not a member of this study.", language,
                                                name=username.strip()[:64]),
                                instance=request.url.path, field="username", value=username.strip()[:64])
    except LastInvestigator:
        return problem_response(409, detail=_last_investigator(username.strip()[:64], language),
                                instance=request.url.path, field="username", value=username.strip()[:64])
    return {"removed": {"username": username.strip()[:64], "role": role},
            "members": [{"username": u, "role": r} for u, r in store.members(study.id)]}


@api.get("/studies/{study_id}/audit", summary="The study's audit log (who, when, what, old and new value)")
def api_audit(request: Request, user: SignedIn, study_id: StudyId,
              limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
    study = _study_for(request, user, study_id)
    entries = study_store(request).audit_entries(study_id=study.id, limit=limit)
    return {"entries": [{"at": e.at.isoformat(), "username": e.username, "action": e.action, "entity": e.entity,
                         "old_value": e.old_value, "new_value": e.new_value} for e in entries]}


# ------------------------------------------------------------------ pages

def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    language = request_language(request)
    html = templates().get_template(template).render(
        lang=language, switch_url=switch_url(request, "en" if language == "zh" else "zh"), path=request.url.path,
        csrf=csrf_token(request), **context)
    response = HTMLResponse(html, status_code=status)
    chosen = explicit_language(request)
    if chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/studies"
    return target[:500]


def _to_login(request: Request) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse("/login?next=" + quote(request.url.path, safe="/"), status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=50, max_files=0)
    return {k: v for k, v in form.items() if isinstance(v, str)}


@pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    return _page(request, "login.html", user=current_user(request), next=_safe_next(next), error=None)


@pages.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    values = await _form(request)
    target = _safe_next(values.get("next"))
    language = request_language(request)
    try:
        check_csrf(request, values.get("csrf_token"))
        sign_in(request, values.get("username", "")[:64], values.get("password", "")[:1024])
    except HTTPException as exc:
        message = {401: say("Wrong user name or password.", language),
                   403: say("The form has expired: please sign in again.", language),
                   429: say("Too many failed sign-ins: wait a few minutes and try again.", language)}[exc.status_code]
        return _page(request, "login.html", exc.status_code, user=None, next=target, error=message)
    return RedirectResponse(target, status_code=303)


@pages.post("/logout")
async def logout(request: Request) -> Response:
    values = await _form(request)
    check_csrf(request, values.get("csrf_token"))
    sign_out(request)
    return RedirectResponse("/", status_code=303)


def _studies_page(request: Request, user: User, status: int = 200, error: str | None = None,
                  notice: str | None = None) -> Response:
    return _page(request, "studies.html", status, user=user, studies=study_store(request).studies_of(user),
                 criteria_sets=CRITERIA_SETS, criteria_titles=CRITERIA_TITLES, error=error, notice=notice)


@pages.get("/studies", response_class=HTMLResponse)
def studies_page(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    return _studies_page(request, user)


def _study_json(content: bytes, filename: str) -> dict[str, Any]:
    """The fields of an uploaded study.json (the command line's study folder file)."""
    from hcctrials.textdecode import decode_text

    name = filename.rsplit("/", 1)[-1][:120]
    try:
        document = json.loads(decode_text(content, file=name, expected="a study.json file"))
    except ValueError as exc:
        raise ParseError(f"not valid JSON: {exc}", file=name) from None
    if not isinstance(document, dict):
        raise ParseError(msg("expected a JSON object"), file=name)
    fields = {k: document[k] for k in ("criteria", "primary_criteria", "assessment_interval_days", "data_cutoff",
                                       *_INFO_EXTRAS) if k in document}
    if "study_id" in document:
        fields["code"] = document["study_id"]
    if "title_en" in document:
        fields["title"] = document["title_en"]
    return fields


@pages.post("/studies", response_class=HTMLResponse)
async def studies_create(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    async with request.form(max_fields=50, max_files=1) as form:
        return await _create_from_form(request, user, form)


async def _create_from_form(request: Request, user: User, form: Any) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, values.get("csrf_token"))
    fields: dict[str, Any] = {}
    upload = form.get("study_json")
    try:
        if upload is not None and not isinstance(upload, str) and upload.filename:
            fields = _study_json(await upload.read(), upload.filename)
        # typed code and title win; the other settings of an uploaded study.json win over the form's defaults
        for name in ("code", "title", "data_cutoff", "assessment_interval_days", "primary_criteria"):
            if values.get(name, "").strip() and (name in ("code", "title") or name not in fields):
                fields[name] = values[name].strip()
        criteria = [v for v in form.getlist("criteria") if isinstance(v, str)]
        if criteria and "criteria" not in fields:
            fields["criteria"] = criteria
        try:
            body = NewStudyBody.model_validate(fields)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            raise InputError(str(first.get("msg", "invalid")), file="study.json" if upload else None,
                             field=".".join(str(p) for p in first.get("loc", ())),
                             value=str(first.get("input"))[:80] if not isinstance(first.get("input"), dict) else None
                             ) from None
        study = study_store(request).create_study(user, body.code, body.title, _info_of(body))
    except HcctrialsError as exc:
        from hcctrials.web.problems import _hcctrials_error_text

        return _studies_page(request, user, 422, error=_hcctrials_error_text(exc, request_language(request)))
    return RedirectResponse(f"/studies/{study.id}", status_code=303)


@pages.post("/users", response_class=HTMLResponse)
async def users_create(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    values = await _form(request)
    check_csrf(request, values.get("csrf_token"))
    language = request_language(request)
    if not user.is_admin:
        return _studies_page(request, user, 403, error=say("Only administrators create accounts.", language))
    name, password = values.get("username", "").strip()[:64], values.get("password", "")[:1024]
    if len(password) < MIN_PASSWORD_LENGTH:
        return _studies_page(request, user, 422, error=say("A password needs at least {n} characters.", language,
                                                           n=MIN_PASSWORD_LENGTH))
    try:
        study_store(request).create_user(name, hash_password(password), is_admin=values.get("is_admin") == "yes",
                                         actor=user)
    except HcctrialsError as exc:
        from hcctrials.web.problems import _hcctrials_error_text

        return _studies_page(request, user, 422, error=_hcctrials_error_text(exc, request_language(request)))
    return _studies_page(request, user, notice=say("Account {name} created.", language, name=name))


def _short_json(value: Any, width: int = 240) -> str:
    """An audit value as readable JSON text, cut to *width* characters ("-" for none)."""
    if value is None:
        return "-"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def _workspace(request: Request, user: User, study: Study, status: int = 200, *, upload_error: Any = None,
               upload_kind: str | None = None, notice: str | None = None, refused: str | None = None) -> Response:
    store = study_store(request)
    files = store.current_files(study.id)
    return _page(request, "study.html", status, user=user, study=study, files=files, kinds=FILE_KINDS,
                 file_names=STUDY_FILE_NAMES, members=store.members(study.id), roles=ROLES,
                 may_upload=can_upload(study.role, user), may_manage=can_manage(study.role, user),
                 audit=[(e, _short_json(e.old_value), _short_json(e.new_value))
                        for e in store.audit_entries(study_id=study.id, limit=50)], upload_error=upload_error,
                 upload_kind=upload_kind, notice=notice, refused=refused,
                 ready_for_endpoints=all(k in files for k in _ENDPOINT_TABLES),
                 ready_for_responses="tumour_assessments" in files and ("subjects" in files or "first_doses" in files),
                 adam=ADAM_DATASETS)


@pages.get("/studies/{study_id}", response_class=HTMLResponse)
def study_page(request: Request, study_id: int) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    return _workspace(request, user, _study_for(request, user, study_id))


@pages.post("/studies/{study_id}/upload", response_class=HTMLResponse)
async def study_upload(request: Request, study_id: int) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    study = _study_for(request, user, study_id)
    async with request.form(max_fields=20, max_files=1) as form:
        return await _upload_form(request, user, study, form)


async def _upload_form(request: Request, user: User, study: Study, form: Any) -> Response:
    language = request_language(request)
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    if not can_upload(study.role, user):
        return _workspace(request, user, study, 403, refused=say(
            "Your role in this study is viewer: you can read its tables and results but not upload.", language))
    kind = form.get("kind")
    upload = form.get("file")
    if not isinstance(kind, str) or kind not in FILE_KINDS:
        return _workspace(request, user, study, 422, upload_error=error_fields(InputError(
            msg("unknown study table"), field="kind", value=str(kind)[:40]), language))
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _workspace(request, user, study, 422, upload_kind=kind, upload_error=error_fields(InputError(
            msg("choose a file to upload"), field="file"), language))
    try:
        stored = await _accept_upload(request, user, study, kind, upload)
    except HcctrialsError as exc:
        return _workspace(request, user, study, 422, upload_kind=kind, upload_error=error_fields(exc, language))
    return _workspace(request, user, study, notice=say("{file} accepted: {rows} rows, version {version}.", language,
                                                       file=stored.filename, rows=stored.n_rows,
                                                       version=stored.version))


async def _manager_form(request: Request, study_id: int) -> Response | tuple[User, Study, dict[str, str], str]:
    """The members form of a study: (user, study, form values, language) for a manager, else the page to answer
    (sign in; 403 for a member who does not manage the study).  The CSRF token is checked."""
    user = current_user(request)
    if user is None:
        return _to_login(request)
    study = _study_for(request, user, study_id)
    values = await _form(request)
    check_csrf(request, values.get("csrf_token"))
    language = request_language(request)
    if not can_manage(study.role, user):
        return _workspace(request, user, study, 403, refused=say(
            "Only the study's investigators and administrators manage members.", language))
    return user, study, values, language


@pages.post("/studies/{study_id}/members", response_class=HTMLResponse)
async def study_member(request: Request, study_id: int) -> Response:
    form = await _manager_form(request, study_id)
    if isinstance(form, Response):
        return form
    user, study, values, language = form
    try:
        study_store(request).set_member(user, study.id, values.get("username", "")[:64], values.get("role", ""))
    except LastInvestigator as exc:
        return _workspace(request, user, study, 409, refused=_last_investigator(exc.username, language))
    except HcctrialsError as exc:
        from hcctrials.web.problems import _hcctrials_error_text

        return _workspace(request, user, study, 422, refused=_hcctrials_error_text(exc, language))
    return _workspace(request, user, _study_for(request, user, study.id), notice=say("Members updated.", language))


@pages.post("/studies/{study_id}/members/remove", response_class=HTMLResponse)
async def study_member_remove(request: Request, study_id: int) -> Response:
    form = await _manager_form(request, study_id)
    if isinstance(form, Response):
        return form
    user, study, values, language = form
    name = values.get("username", "").strip()[:64]
    try:
        study_store(request).remove_member(user, study.id, name)
    except NotAMember:
        return _workspace(request, user, study, 404, refused=say("{name} is not a member of this study.", language,
                                                                 name=name))
    except LastInvestigator:
        return _workspace(request, user, study, 409, refused=_last_investigator(name, language))
    if name == user.username and not user.is_admin:  # removed oneself: the study is no longer one's own
        return RedirectResponse("/studies", status_code=303)
    return _workspace(request, user, _study_for(request, user, study.id),
                      notice=say("{name} removed from the study.", language, name=name))


def _analysis_page(request: Request, study_id: int, template: str, build: Any) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    study = _study_for(request, user, study_id)
    store = study_store(request)
    files = store.current_files(study.id)
    try:
        context = build(store, study, files)
    except HcctrialsError as exc:
        return _page(request, template, 422, user=user, study=study, error=error_fields(exc, request_language(request)),
                     **build.empty)
    return _page(request, template, user=user, study=study, error=None, **context)


@pages.get("/studies/{study_id}/responses", response_class=HTMLResponse)
def study_responses(request: Request, study_id: int) -> Response:
    def build(store: StudyStore, study: Study, files: dict[str, StudyFile]) -> dict[str, Any]:
        sets = [c for c in (study.info.get("criteria") or ["recist11"]) if c in CRITERIA_SETS]
        results = []
        for criteria in sets:
            result = _responses(store, study, files, criteria)
            rows = result.subjects.to_dict(orient="records")
            results.append({"criteria": criteria, "title": result.criteria_title, "subjects": rows,
                            "n_findings": len(result.findings)})
        return {"results": results}

    build.empty = {"results": []}  # type: ignore[attr-defined]
    return _analysis_page(request, study_id, "study_responses.html", build)


@pages.get("/studies/{study_id}/endpoints", response_class=HTMLResponse)
def study_endpoints(request: Request, study_id: int) -> Response:
    def build(store: StudyStore, study: Study, files: dict[str, StudyFile]) -> dict[str, Any]:
        _data, analysis = _cache(request).get(store, study, files, "log-log")
        document = _json_ready(analysis.as_dict())
        criteria = []
        for c, a in analysis.by_criteria.items():
            criteria.append({"criteria": c, "title": a.title, "orr": a.orr.describe(), "dcr": a.dcr.describe(),
                             "endpoints": [{"code": code, "text": s.describe(), "plot": s.km is not None}
                                           for code, s in a.summaries.items()]})
        return {"analysis": document, "criteria": criteria, "adam": ADAM_DATASETS}

    build.empty = {"analysis": None, "criteria": [], "adam": ADAM_DATASETS}  # type: ignore[attr-defined]
    return _analysis_page(request, study_id, "study_endpoints.html", build)


router.include_router(api)
router.include_router(pages)
