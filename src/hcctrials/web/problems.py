"""One error shape for every failure: RFC 9457 problem details (``application/problem+json``).

Under ``/api`` every error (unknown path 404, wrong method 405, invalid input 422, body too
large 413, an hcctrials error, an unexpected failure 500) is a problem document::

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "...", "instance": "/api/..."}

with, for input errors, the ``file``, ``record`` and ``field`` the error names and its ``value``
(never a whole record: a patient's data stay out of responses and logs) and, for request
validation, ``errors`` (one entry per field: ``field``, ``message``).  Pages get an HTML page with
the same status and message in the reader's language.
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

from hcctrials.errors import HcctrialsError, NotFoundError, StorageError

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


def problem_response(status: int, *, detail: str | None = None, instance: str | None = None,
                     headers: Mapping[str, str] | None = None, **members: Any) -> JSONResponse:
    """A problem document for *status* (title: the HTTP reason phrase)."""
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
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


def _error_members(exc: HcctrialsError) -> dict[str, Any]:
    from hcctrials.errors import short_repr

    value = None if exc.value is None or _is_record(exc.value) else short_repr(exc.value)
    return {"file": exc.file, "record": exc.record, "field": exc.field, "value": value, "hint": exc.hint}


def _hcctrials_error_text(exc: HcctrialsError) -> str:
    if exc.value is not None and _is_record(exc.value):
        import copy

        shown = copy.copy(exc)
        shown.value = None
        return str(shown)
    return str(exc)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure of *app* as a problem document (API) or an error page (pages)."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if _wants_html(request):
            return _html_error(request, exc.status_code, detail or HTTPStatus(exc.status_code).phrase)
        return problem_response(exc.status_code, detail=detail, instance=request.url.path,
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
                   "message": str(e.get("msg", ""))} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        if _wants_html(request):
            return _html_error(request, 422, detail)
        return problem_response(422, detail=detail, instance=request.url.path, errors=errors)

    @app.exception_handler(HcctrialsError)
    async def hcctrials_error(request: Request, exc: HcctrialsError) -> Response:
        status = 404 if isinstance(exc, NotFoundError) else 503 if isinstance(exc, StorageError) else 422
        if status == 503:
            _LOG.error("database error on %s: %s", request.url.path, exc.message)
        text = _hcctrials_error_text(exc)
        if _wants_html(request):
            return _html_error(request, status, text)
        return problem_response(status, detail=text, instance=request.url.path, **_error_members(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # the traceback names code, not data: request bodies are never logged
        _LOG.exception("unexpected error on %s %s", request.method, request.url.path)
        if _wants_html(request):
            return _html_error(request, 500, HTTPStatus(500).phrase)
        return problem_response(500, detail="unexpected error; it has been logged", instance=request.url.path)
