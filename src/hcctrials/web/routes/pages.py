"""The HTML pages: trial catalog, one trial, match a patient (form or upload) with a printable summary.

Pages render what :mod:`hcctrials.web.services` returns with the Jinja2 templates of
``hcctrials/web/templates``; every word goes through :func:`hcctrials.i18n.say` (``_`` in the
templates).  ``?lang=zh`` / ``?lang=en`` switches the language and remembers it in a cookie.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from hcctrials.errors import HcctrialsError, NotFoundError
from hcctrials.i18n import msg
from hcctrials.web.forms import CHOICES, FORM_LABS, form_as_of, patient_from_form, patient_from_upload
from hcctrials.web.language import COOKIE, explicit_language, request_language, switch_url, templates
from hcctrials.web.routes.api import clean_text
from hcctrials.web.routes.common import catalog_query, in_match_thread, services, today
from hcctrials.web.services import CONDITIONS, PER_PAGE_MAX, MatchOptions

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Patients' data never go in a URL, so a match answers a POST; the form's size is bounded by the
#: body limit of the app.
_FORM_FIELDS_MAX = 200


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    language = request_language(request)
    html = templates().get_template(template).render(
        lang=language, switch_url=switch_url(request, "en" if language == "zh" else "zh"),
        path=request.url.path, **context)
    return _with_language_cookie(request, HTMLResponse(html, status_code=status))


def _with_language_cookie(request: Request, response: HTMLResponse) -> HTMLResponse:
    """*response*, storing the language chosen with ``?lang=`` in the language cookie."""
    chosen = explicit_language(request)
    if chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


@router.get("/", response_class=HTMLResponse)
@router.get("/trials", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    status: Annotated[list[str], Query()] = [],  # noqa: B006
    phase: Annotated[list[str], Query()] = [],  # noqa: B006
    registry: Annotated[list[str], Query()] = [],  # noqa: B006
    setting: Annotated[list[str], Query()] = [],  # noqa: B006
    drug_class: Annotated[list[str], Query(alias="class")] = [],  # noqa: B006
    condition: Annotated[list[str], Query()] = [],  # noqa: B006
    year: Annotated[str, Query(max_length=4)] = "",
    place: Annotated[list[str], Query()] = [],  # noqa: B006
    recruiting: Annotated[list[str], Query()] = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=PER_PAGE_MAX)] = 20,
) -> Response:
    language = request_language(request)
    year_value = int(year) if year.strip().isdigit() else None
    query = catalog_query(clean_text(q), status, phase, registry, setting, drug_class, condition, year_value,
                          [clean_text(p) for p in place], page, per_page, recruiting)
    result = services(request).search(query, as_of=today(request), language=language)

    def page_url(number: int) -> str:
        from urllib.parse import urlencode

        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        return "/?" + urlencode([*params, ("page", str(number))])

    return _page(request, "catalog.html", result=result, query=query, page_url=page_url, conditions=CONDITIONS)


@router.get("/trials/{trial_id}", response_class=HTMLResponse)
def trial_page(request: Request, trial_id: str, registry: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    if clean_text(trial_id) != trial_id or len(trial_id) > 100 or (registry and clean_text(registry) != registry):
        raise NotFoundError(msg("no trial {trial!r}", trial=trial_id[:100]))
    language = request_language(request)
    other = switch_url(request, "en" if language == "zh" else "zh")

    def render(view: Any) -> str:
        html: str = templates().get_template("trial.html").render(
            lang=language, switch_url=other, path=request.url.path, view=view, trial=view.trial)
        return html

    html = services(request).trial_page(trial_id, as_of=today(request), registry=registry or None,
                                        variant=(language, other, request.url.path), render=render)
    return _with_language_cookie(request, HTMLResponse(html))


def _form_context(request: Request, values: dict[str, str] | None = None, etiologies: list[str] | None = None,
                  error: str | None = None) -> dict[str, Any]:
    return {"values": values or {}, "etiologies": etiologies or [], "labs": FORM_LABS, "choices": CHOICES,
            "error": error, "today": today(request).isoformat(), "scores": None, "results": None}


@router.get("/match", response_class=HTMLResponse)
def match_form(request: Request) -> Response:
    return _page(request, "match.html", **_form_context(request))


def _results(request: Request, patient: Any, values: dict[str, str], etiologies: list[str], *, as_of: date,
             near: str | None, summary_language: str, show_ineligible: bool) -> Response:
    from hcctrials.matching.explain import describe_result_header, next_steps

    language = request_language(request)
    svc = services(request)
    options = MatchOptions(as_of=as_of, near=near, show_ineligible=show_ineligible)
    document, others, result = svc.match(patient, options, language, also=(summary_language,))
    summary = others.get(summary_language, document)
    scores = svc.scores(patient, as_of=as_of)
    items, history, informs = next_steps(result.to_measure)
    context = {**_form_context(request, values, etiologies), "results": document, "scores": scores}
    return _page(request, "match.html", **context, summary=summary, summary_lang=summary_language,
                 header=describe_result_header(result, language),
                 summary_header=describe_result_header(result, summary_language),
                 to_measure=[(item, n) for item, n in items[:8]], history_items=history, history_trials=informs)


def _flag(values: dict[str, str], name: str) -> bool:
    return values.get(name, "") in ("1", "yes", "on", "true")


@router.post("/match", response_class=HTMLResponse)
async def match_submit(request: Request) -> Response:
    form = await request.form(max_fields=_FORM_FIELDS_MAX, max_files=0)
    values = {k: clean_text(v) for k, v in form.items() if isinstance(v, str)}
    etiologies = [clean_text(v) for v in form.getlist("diagnosis.etiologies") if isinstance(v, str)]
    language = request_language(request)
    summary_language = values.get("summary_lang") if values.get("summary_lang") in ("en", "zh") else language
    try:
        as_of = form_as_of(values, today(request))
        patient = patient_from_form(values, etiologies, as_of=as_of)
        return await in_match_thread(request, _results, request, patient, values, etiologies, as_of=as_of,
                                     near=values.get("near") or None, summary_language=summary_language or "en",
                                     show_ineligible=_flag(values, "show_ineligible"))
    except HcctrialsError as exc:
        from hcctrials.web.problems import _hcctrials_error_text

        return _page(request, "match.html", 422, **_form_context(request, values, etiologies,
                                                                  error=_hcctrials_error_text(exc, language)))


@router.post("/match/upload", response_class=HTMLResponse)
async def match_upload(request: Request, patient_file: Annotated[UploadFile, File()]) -> Response:
    form = await request.form()
    values = {k: clean_text(v) for k, v in form.items() if isinstance(v, str)}
    language = request_language(request)
    summary_language = values.get("summary_lang") if values.get("summary_lang") in ("en", "zh") else language
    content = await patient_file.read()
    try:
        day = form_as_of(values, today(request))
        patient = patient_from_upload(patient_file.filename or "upload", content)
        return await in_match_thread(request, _results, request, patient, {"as_of": day.isoformat(), **values}, [],
                                     as_of=day, near=values.get("near") or None,
                                     summary_language=summary_language or "en",
                                     show_ineligible=_flag(values, "show_ineligible"))
    except HcctrialsError as exc:
        from hcctrials.web.problems import _hcctrials_error_text

        return _page(request, "match.html", 422, **_form_context(request, values, [],
                                                                  error=_hcctrials_error_text(exc, language)))
    finally:
        del content  # nothing of the patient is kept
