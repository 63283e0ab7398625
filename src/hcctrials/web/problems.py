"""One error shape for every failure: RFC 9457 problem details (``application/problem+json``).

Under ``/api`` every error (unknown path 404, wrong method 405, invalid input 422, body too
large 413, an hcctrials error, an unexpected failure 500) is a problem document::

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...", "instance": "/api/..."}

with, for input errors, the ``file``, ``record`` and ``field`` the error names and its ``value``
(never a whole record: a patient's data stay out of responses and logs) and, for request
validation, ``errors`` (one entry per field: ``field``, ``message``).  Pages get an HTML page with
the same status and message in the reader's language.

Title, detail, the record and the hint follow the request's language (``?lang=``, the language cookie,
``Accept-Language``: :func:`hcctrials.web.language.request_language`), issue 12/13: the title is the
HTTP reason phrase from the catalog; an hcctrials error's detail is
:func:`hcctrials.errors.describe` (Chinese words around the data as uploaded); a request validation
error's messages are chosen by the pydantic error type
(:func:`hcctrials.patients.validation_text.validation_message`), never by parsing pydantic's English.
The extension members ``file``, ``record``, ``field`` and ``value`` are for programs: the data as sent,
the same in every language (the detail names them for people).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from hcctrials.errors import HcctrialsError, NotFoundError, StorageError, describe
from hcctrials.i18n import Msg, msg, render, say

__all__ = ["Problem", "problem_response", "install_error_handlers", "PROBLEM_RESPONSES", "PROBLEM_TYPE"]

PROBLEM_TYPE = "application/problem+json"
_LOG = logging.getLogger("hcctrials.web")


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with the hcctrials error's location as extension members."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    file: str | None = None
    record: str | None = None
    field: str | None = None
    value: str | None = None
    hint: str | None = None
    errors: list[FieldProblem] | None = None


#: The ``responses=`` of API routes: the error statuses they may answer, documented as problems.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_TYPE: {}}, "description": HTTPStatus(code).phrase}
    for code in (404, 413, 422)
}


def _is_record(value: object) -> bool:
    if isinstance(value, Mapping):
        return True
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, (Mapping, list, tuple)) for item in value)
    return False


#: The titles of problem documents: the HTTP reason phrases (RFC 9110), in the catalog.
_TITLES: dict[int, Msg] = {
    400: msg("Bad Request"), 401: msg("Unauthorized"), 403: msg("Forbidden"), 404: msg("Not Found"),
    405: msg("Method Not Allowed"), 406: msg("Not Acceptable"), 409: msg("Conflict"),
    413: msg("Request Entity Too Large"), 415: msg("Unsupported Media Type"),
    422: msg("Unprocessable Entity"), 429: msg("Too Many Requests"), 500: msg("Internal Server Error"),
    503: msg("Service Unavailable"),
}


def problem_title(status: int, language: str = "en") -> str:
    """The title of a problem of *status* in *language* (the HTTP reason phrase)."""
    title = _TITLES.get(status)
    if language == "en" or title is None:
        return HTTPStatus(status).phrase
    return str(render(title, language))


def problem_response(status: int, *, detail: str | None = None, instance: str | None = None,
                     headers: Mapping[str, str] | None = None, language: str = "en",
                     **members: Any) -> JSONResponse:
    """A problem document for *status* (title: the HTTP reason phrase in *language*)."""
    body: dict[str, Any] = {"type": "about:blank", "title": problem_title(status, language), "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in members.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=dict(headers or {}))


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api")


def _html_error(request: Request, status: int, message: str) -> Response:
    from hcctrials.web.language import request_language, templates

    from hcctrials.i18n import say

    language = request_language(request)
    titles = {404: say("Not found", language), 405: say("Method not allowed", language),
              413: say("Request too large", language), 422: say("The input cannot be used", language),
              503: say("The database is not available", language)}
    page = templates().get_template("error.html").render(
        lang=language, status=status, title=titles.get(status, say("Something went wrong", language)),
        message=message, path=request.url.path,
        switch_url=request.url.path + "?lang=" + ("en" if language == "zh" else "zh"))
    return HTMLResponse(page, status_code=status)


def _error_members(exc: HcctrialsError, language: str = "en") -> dict[str, Any]:
    """The error's location as extension members, for programs: file, record, field and value as given
    (language-neutral, the same in every language); the hint, a sentence for people, in *language*.
    The detail says all of it in the reader's language."""
    from hcctrials.errors import short_repr
    from hcctrials.web.error_text import localise

    value = None if exc.value is None or _is_record(exc.value) else short_repr(exc.value)
    return {"file": exc.file, "record": None if exc.record is None else str(exc.record), "field": exc.field,
            "value": value,
            "hint": localise(exc.hint, language)}


def _hcctrials_error_text(exc: HcctrialsError, language: str = "en") -> str:
    """The one-line text of *exc* in *language* (never a whole record as value)."""
    from hcctrials.web.error_text import localise

    return describe(exc, language, translate=localise)


def validation_problems(errors: list[Any], language: str) -> list[dict[str, str]]:
    """One ``{field, message}`` per pydantic error, the message chosen by the error type in *language*."""
    from hcctrials.patients.validation_text import field_path, validation_message

    return [{"field": ("body" if e.get("type") == "json_invalid" else  # its location is a character position
                       field_path(e.get("loc", ()), skip=("body",)) or "body"),
             "message": str(render(validation_message(e), language))} for e in errors]


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure of *app* as a problem document (API) or an error page (pages)."""

    from hcctrials.web.error_text import localise
    from hcctrials.web.language import request_language

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        language = request_language(request)
        detail = exc.detail if isinstance(exc.detail, str) else None
        if detail is not None:
            detail = str(localise(detail, language))
        if _wants_html(request):
            return _html_error(request, exc.status_code, detail or problem_title(exc.status_code, language))
        return problem_response(exc.status_code, detail=detail, instance=request.url.path,
                                headers=getattr(exc, "headers", None), language=language)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        language = request_language(request)
        errors = validation_problems(list(exc.errors()), language)
        detail = say("; ", language).join(say("{field}: {message}", language, field=e["field"], message=e["message"])
                                          for e in errors[:5])
        if _wants_html(request):
            return _html_error(request, 422, detail)
        return problem_response(422, detail=detail, instance=request.url.path, errors=errors, language=language)

    @app.exception_handler(HcctrialsError)
    async def hcctrials_error(request: Request, exc: HcctrialsError) -> Response:
        language = request_language(request)
        status = 404 if isinstance(exc, NotFoundError) else 503 if isinstance(exc, StorageError) else 422
        message = exc.message
        if isinstance(message, Msg) and "url" in message.fields:
            # the server's database location is not the client's business (the CLI user sees it; a web client never)
            import copy

            exc = copy.copy(exc)
            exc.message = Msg(message.msgid, {**message.fields, "url": say("the catalog", language)})
        if status == 503:
            _LOG.error("database error on %s: %s", request.url.path, exc.message)
        text = _hcctrials_error_text(exc, language)
        if _wants_html(request):
            return _html_error(request, status, text)
        return problem_response(status, detail=text, instance=request.url.path, language=language,
                                **_error_members(exc, language))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # the traceback names code, not data: request bodies are never logged
        _LOG.exception("unexpected error on %s %s", request.method, request.url.path)
        language = request_language(request)
        if _wants_html(request):
            return _html_error(request, 500, problem_title(500, language))
        return problem_response(500, detail=say("unexpected error; it has been logged", language),
                                instance=request.url.path, language=language)
