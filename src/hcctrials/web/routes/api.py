"""The JSON API under ``/api``: catalog search with facets, one trial, match, scores.

Every answer is built by :mod:`hcctrials.web.services` from the library functions the CLI uses;
every error is a problem document (:mod:`hcctrials.web.problems`).  Matching and scores take the
patient in the request body and keep nothing.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Path, Query, Request, Response

from hcctrials.errors import InputError, NotFoundError
from hcctrials.i18n import msg
from hcctrials.i18n.findings import finding_document
from hcctrials.i18n.labels import label
from hcctrials.web.forms import form_as_of, patient_from_form, patient_from_json
from hcctrials.web.problems import PROBLEM_RESPONSES, PROBLEM_TYPE, Problem, problem_response
from hcctrials.web.routes.common import catalog_query, in_match_thread, services, today
from hcctrials.web.services import PER_PAGE_MAX, CatalogItem, MatchOptions

__all__ = ["router", "liveness", "HEALTH_TIMEOUT_SECONDS", "catalog_document", "trial_document", "clean_text"]

router = APIRouter(prefix="/api", tags=["api"], responses=PROBLEM_RESPONSES)

Language = Literal["en", "zh"]
_EARLIEST, _LATEST = date(1900, 1, 1), date(2200, 12, 31)


def clean_text(value: str) -> str:
    """*value* without control characters (a NUL cannot reach PostgreSQL, nor anything else odd)."""
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n")


def _date_in_range(value: date | None, name: str, fallback: date) -> date:
    if value is None:
        return fallback
    if not _EARLIEST <= value <= _LATEST:
        raise InputError(f"{name} must be between {_EARLIEST} and {_LATEST}", field=name, value=value.isoformat())
    return value


def _item(item: CatalogItem, language: str) -> dict[str, Any]:
    r = item.recruiting
    return {"trial_id": item.trial_id, "registry": item.registry, "title": item.title, "overall_status": item.status,
            "phases": list(item.phases), "settings": list(item.settings), "classes": list(item.classes),
            "study_start": item.study_start, "score": item.score,
            "recruiting": {"as_of": r.as_of.isoformat(), "state": r.state,
                           "state_label": label("state", r.state, language), "reason": r.reason,
                           "contradiction": r.contradiction, "status_may_be_stale": item.stale},
            "url": f"/trials/{item.trial_id}?registry={item.registry}"}


def catalog_document(page: Any, language: str) -> dict[str, Any]:
    """The JSON of one catalog page (:class:`~hcctrials.web.services.CatalogPage`)."""
    q = page.query
    return {"query": q.q, "as_of": page.as_of.isoformat(), "language": language, "total": page.total,
            "page": q.page, "per_page": q.per_page, "pages": page.pages,
            "filters": {"status": list(q.status), "phase": list(q.phase), "registry": list(q.registry),
                        "setting": list(q.setting), "class": list(q.drug_class), "condition": list(q.condition),
                        "year": q.year, "place": list(q.place), "recruiting": list(q.recruiting)},
            "facets": {("class" if name == "drug_class" else name): [{"value": v, "count": n} for v, n in values]
                       for name, values in page.facets.items()},
            "search_index": {"current": page.index_current, "stale_records": page.index_stale},
            "catalog_trials": page.catalog_size,
            "items": [_item(i, language) for i in page.items]}


@router.get("/trials", summary="Search the trial catalog (Chinese or English), with filters, facets and pages")
def list_trials(
    request: Request,
    q: Annotated[str, Query(max_length=500, description="Words in English or Chinese")] = "",
    status: Annotated[list[str], Query(description="Record status, e.g. recruiting")] = [],  # noqa: B006
    phase: Annotated[list[str], Query(description="phase1, phase2, phase3 ...")] = [],  # noqa: B006
    registry: Annotated[list[str], Query(description="ctgov, chictr, trial_finder")] = [],  # noqa: B006
    setting: Annotated[list[str], Query(description="adjuvant, advanced_first_line ...")] = [],  # noqa: B006
    drug_class: Annotated[list[str], Query(alias="class", description="pd1, tki, locoregional ...")] = [],  # noqa: B006
    condition: Annotated[list[str], Query(description="hcc, liver_cancer, cholangiocarcinoma ...")] = [],  # noqa: B006
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Study start year")] = None,
    place: Annotated[list[str], Query(description="City, province or country of a site")] = [],  # noqa: B006
    recruiting: Annotated[list[str], Query(
        description="Recruiting state on the evaluation date (today): open, uncertain, not_yet_open, closed")
    ] = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=PER_PAGE_MAX)] = 20,
    lang: Language = "en",
) -> dict[str, Any]:
    query = catalog_query(clean_text(q), [clean_text(s) for s in status], phase, registry, setting, drug_class,
                          condition, year, [clean_text(p) for p in place], page, per_page, recruiting)
    result = services(request).search(query, as_of=today(request), language=lang)
    return catalog_document(result, lang)


def trial_document(view: Any, language: str) -> dict[str, Any]:
    """The JSON of one trial (:class:`~hcctrials.web.services.TrialView`)."""
    r = view.recruiting
    return {
        "trial": view.trial.model_dump(mode="json"),
        "recruiting": {"as_of": r.as_of.isoformat(), "state": r.state, "state_label": label("state", r.state, language),
                       "reason": r.reason, "contradiction": r.contradiction,
                       "status_may_be_stale": r.contradiction is not None},
        "settings": list(view.settings), "classes": list(view.classes),
        "criteria": [{"role": c.role, "number": c.number, "text": c.text, "state": c.state, "rule": c.rule_in(language),
                      "rule_en": c.rule, "overridden": c.overridden} for c in view.criteria],
        "findings": [finding_document(f, language) for f in view.findings],
        "versions": [{"version": v.version, "current": v.current, "raw_sha256": v.raw_sha256,
                      "last_updated": v.last_updated, "source_format": v.source_format, "source_file": v.source_file,
                      "record_locator": v.record_locator, "ingested_at": v.ingested_at.isoformat()}
                     for v in view.versions],
        "linked_records": [{"trial_id": t, "registry": reg, "url": f"/api/trials/{t}?registry={reg}"}
                           for t, reg in view.linked],
        "registry_links": view.links,
    }


@router.get("/trials/{trial_id}", summary="One trial: record, recruiting state, compiled criteria, versions")
def get_trial(
    request: Request,
    trial_id: Annotated[str, Path(max_length=100, description="NCT..., ChiCTR... or a linked registry number")],
    registry: Annotated[str | None, Query(max_length=20)] = None,
    lang: Language = "en",
) -> dict[str, Any]:
    if clean_text(trial_id) != trial_id or (registry is not None and clean_text(registry) != registry):
        raise NotFoundError(msg("no trial {trial!r}", trial=trial_id[:100]), record=trial_id[:100])
    view = services(request).trial(trial_id, as_of=today(request), registry=registry or None)
    return trial_document(view, lang)


def _options(request: Request, as_of: date | None, near: str | None, limit: int, show_ineligible: bool,
             show_closed: bool, show_other_conditions: bool) -> MatchOptions:
    day = _date_in_range(as_of, "as_of", today(request))
    return MatchOptions(as_of=day, near=clean_text(near).strip() or None if near else None, limit=limit,
                        show_ineligible=show_ineligible, show_closed=show_closed,
                        show_other_conditions=show_other_conditions)


@router.post("/match", summary="Which trials can this patient join? Ranked as `hcctrials match`",
             response_model=dict[str, Any])
async def match(
    request: Request,
    patient: Annotated[dict[str, Any], Body(description="A patient (docs/patients.md schema) or a FHIR R4 Bundle")],
    as_of: Annotated[date | None, Query(description="Evaluation date (default today)")] = None,
    near: Annotated[str | None, Query(max_length=100, description="City or province for distances")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    show_ineligible: bool = False,
    show_closed: bool = False,
    show_other_conditions: bool = False,
    lang: Language = "en",
) -> Response:
    options = _options(request, as_of, near, limit, show_ineligible, show_closed, show_other_conditions)
    service, person = services(request), patient_from_json(patient)
    # on the event loop when the match can run at once (a few ms of CPU, the requests of this worker matched in the
    # order they came, no thread hand-off); in a thread when the catalog is being read or another match runs
    answer = service.match_without_waiting(person, options, lang)
    if answer is None:
        answer = await in_match_thread(request, service.match, person, options, lang)
    document = answer[0]
    # the document is plain JSON data (str, numbers, lists, dicts): encoded by orjson, not checked again
    # against the response model (pydantic inferring the type of every value of an Any-typed document cost
    # ~2 ms of CPU per answer); the OpenAPI document still declares the model
    return Response(orjson.dumps(document), media_type="application/json")


@router.post("/scores", summary="Child-Pugh, ALBI, MELD family, BCLC, CNLC, Milan ... for a patient")
def scores(
    request: Request,
    patient: Annotated[dict[str, Any], Body(description="A patient (docs/patients.md schema) or a FHIR R4 Bundle")],
    as_of: Annotated[date | None, Query(description="Evaluation date (default today)")] = None,
    lab_window_days: Annotated[int, Query(ge=0, le=3650)] = 28,
) -> dict[str, Any]:
    day = _date_in_range(as_of, "as_of", today(request))
    return services(request).scores(patient_from_json(patient), as_of=day, lab_window_days=lab_window_days)


@router.post("/scores/form", include_in_schema=False)
async def scores_from_form(request: Request) -> dict[str, Any]:
    """The scores of the match form as it is being filled (the page's script posts the form here)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    etiologies = [v for v in form.getlist("diagnosis.etiologies") if isinstance(v, str)]
    day = _date_in_range(form_as_of(fields, today(request)), "as_of", today(request))
    from starlette.concurrency import run_in_threadpool

    patient = patient_from_form(fields, etiologies, as_of=day)
    return await run_in_threadpool(services(request).scores, patient, as_of=day)


#: Seconds the database has to answer ``/api/health`` before it answers 503 (``app.state.health_timeout``).
HEALTH_TIMEOUT_SECONDS = 2.0


@router.get("/health", summary="Whether the server and its database answer (503 if the database does not "
                               "answer within 2 seconds)",
            responses={503: {"model": Problem, "content": {PROBLEM_TYPE: {}},
                             "description": "The database did not answer in time"}})
async def health(request: Request) -> Any:
    """Readiness: the trial count, read in a worker thread with a deadline, and whether the worker process that
    answers has warmed up.  Async, so the answer does not queue behind busy request threads; a slow or locked
    database gives 503 in time instead of a probe that hangs.  (``/healthz`` is the liveness check that reads
    nothing.)"""
    import asyncio

    timeout = float(getattr(request.app.state, "health_timeout", HEALTH_TIMEOUT_SECONDS))
    pending = asyncio.wrap_future(_HEALTH_THREADS.submit(services(request).catalog_size))
    try:
        trials = await asyncio.wait_for(pending, timeout)
    except asyncio.TimeoutError:
        from hcctrials.i18n import say
        from hcctrials.web.language import request_language

        seconds = format(timeout, "g")
        return problem_response(503, detail=say("The database did not answer within {n} seconds.",
                                                request_language(request), n=seconds),
                                instance=request.url.path)
    # "warmed": this worker process has read what the first requests would (WebServices.warm); until then it answers,
    # and its first matches wait for the catalog or pay for what it had not read yet
    return {"status": "ok", "trials": trials, "warmed": services(request).warmed}


#: Health checks get threads of their own: a server whose request threads are all busy still answers.
_HEALTH_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hcctrials-health")

#: Liveness: answered by the event loop itself (no thread, no database), so it answers under any load.
liveness = APIRouter(include_in_schema=False)


@liveness.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}

