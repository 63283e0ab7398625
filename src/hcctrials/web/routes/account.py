"""The signed-in user's account: change one's own password (page ``/account`` and
``POST /api/account/password``), as :mod:`hcctrials.web.accounts` describes.

Both need a signed-in user and the session's CSRF token (form field ``csrf_token``, header
``X-CSRF-Token``).  API failures are RFC 9457 problem documents whose ``detail`` is in the
reader's language (``?lang=``, the language cookie or ``Accept-Language``) and whose ``field``
names the form field at fault; the passwords never appear in a response, a log or the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hcctrials.i18n import say
from hcctrials.storage.studies import User
from hcctrials.web.accounts import PasswordProblem, change_password
from hcctrials.web.auth import MIN_PASSWORD_LENGTH, check_csrf, csrf_token, current_user, require_user
from hcctrials.web.language import request_language
from hcctrials.web.problems import PROBLEM_RESPONSES, PROBLEM_TYPE, Problem, problem_response
from hcctrials.web.routes.study import _page, api_csrf

__all__ = ["router"]

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    **{code: {"model": Problem, "content": {PROBLEM_TYPE: {}}, "description": text}
       for code, text in ((401, "Not signed in"), (403, "Wrong current password, or CSRF token missing"),
                          (429, "Too many wrong passwords"))},
}

api = APIRouter(prefix="/api", tags=["account"], responses=_PROBLEMS)
pages = APIRouter(include_in_schema=False)
router = APIRouter()


class PasswordBody(BaseModel):
    current_password: str = Field(max_length=1024, description="The password in use now")
    new_password: str = Field(max_length=1024, description=f"At least {MIN_PASSWORD_LENGTH} characters")
    repeat_password: str = Field(max_length=1024, description="The new password again")


def _problem(request: Request, problem: PasswordProblem) -> Response:
    headers = {"Retry-After": str(problem.retry_after)} if problem.retry_after else None
    return problem_response(problem.status, detail=problem.text(request_language(request)),
                            instance=request.url.path, field=problem.field, headers=headers)


@api.post("/account/password", summary="Change your own password (the current one, the new one twice)",
          dependencies=[Depends(api_csrf)])
async def api_change_password(request: Request, user: Annotated[User, Depends(require_user)],
                              body: PasswordBody) -> Any:
    try:
        await run_in_threadpool(change_password, request, user, body.current_password, body.new_password,
                                body.repeat_password)
    except PasswordProblem as problem:
        return _problem(request, problem)
    return {"changed": True, "csrf_token": csrf_token(request),
            "detail": say("Your password has been changed.", request_language(request))}


def _account_page(request: Request, user: User, status: int = 200, *, error: str | None = None,
                  field: str | None = None, notice: str | None = None) -> Response:
    return _page(request, "account.html", status, user=user, error=error, error_field=field, notice=notice,
                 min_length=MIN_PASSWORD_LENGTH)


@pages.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login?next=/account", status_code=303)
    return _account_page(request, user)


@pages.post("/account/password", response_class=HTMLResponse)
async def account_password(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/login?next=/account", status_code=303)
    form = await request.form(max_fields=10, max_files=0)
    values = {k: v[:1025] for k, v in form.items() if isinstance(v, str)}
    check_csrf(request, values.get("csrf_token"))
    try:
        await run_in_threadpool(change_password, request, user, values.get("current_password", ""),
                                values.get("new_password", ""), values.get("repeat_password", ""))
    except PasswordProblem as problem:
        response = _account_page(request, user, problem.status, error=problem.text(request_language(request)),
                                 field=problem.field)
        if problem.retry_after:
            response.headers["Retry-After"] = str(problem.retry_after)
        return response
    changed = current_user(request) or user
    return _account_page(request, changed, notice=say("Your password has been changed.", request_language(request)))


router.include_router(api)
router.include_router(pages)
