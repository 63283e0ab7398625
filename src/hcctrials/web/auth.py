"""Accounts and sessions of the study workspaces: passwords, signed session cookies, CSRF, roles.

* Passwords are hashed with argon2id (``argon2-cffi``'s :class:`~argon2.PasswordHasher`, RFC 9106
  parameters of the library's current defaults); a hash made with older parameters is replaced
  at the next sign-in.  A sign-in with an unknown name still verifies a dummy hash, so the answer
  takes as long as for a known name.
* Sessions live in a signed cookie (Starlette's ``SessionMiddleware``, itsdangerous
  ``TimestampSigner``): ``hcctrials_session``, ``HttpOnly``, ``SameSite=Lax``, ``Secure``
  unless ``$HCCTRIALS_COOKIE_SECURE=0`` (plain-HTTP tests on a LAN), valid 8 hours.  The key is
  ``$HCCTRIALS_SECRET_KEY``, else a random key stored once in the database (``web_secrets``),
  so every server process of one database signs alike.  The session holds the user id, a
  fingerprint of the password hash (a changed password ends older sessions) and the CSRF token;
  signing in starts a new session (no fixation).  A user changes their own password with the
  current one (:mod:`hcctrials.web.accounts`).
* CSRF (OWASP "synchronizer token"): every state-changing form carries ``csrf_token`` and every
  state-changing API call the header ``X-CSRF-Token``; both must equal the session's token
  (compared in constant time).  ``GET /api/session`` answers the token.
* Sign-in rate limit: :class:`LoginThrottle`, at most 5 failures per user name and 20 per client
  address in 15 minutes, then 429 with ``Retry-After`` (per server process).
* Roles per study (:data:`hcctrials.storage.studies.ROLES`): investigators and coordinators
  upload, viewers read; investigators (and administrators) manage members.
* The first administrator: :func:`bootstrap_admin` creates the account named by
  ``$HCCTRIALS_ADMIN_USER`` with ``$HCCTRIALS_ADMIN_PASSWORD`` when the database has no account
  yet (``create_app`` calls it, so ``hcctrials serve`` does).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections import deque
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import FastAPI, HTTPException, Request
from starlette.middleware.sessions import SessionMiddleware

from hcctrials.i18n import msg
from hcctrials.storage.studies import StudyStore, User
from hcctrials.web.accounts import WorkspaceStore

__all__ = ["install_auth", "hash_password", "verify_password", "current_user", "require_user", "check_csrf",
           "csrf_token", "sign_in", "sign_out", "LoginThrottle", "bootstrap_admin", "study_store", "can_upload",
           "can_manage", "fingerprint", "SESSION_COOKIE", "CSRF_HEADER", "MIN_PASSWORD_LENGTH"]

SESSION_COOKIE = "hcctrials_session"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 8 * 3600
MIN_PASSWORD_LENGTH = 10
_LOG = logging.getLogger("hcctrials.web.auth")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """The argon2id hash of *password* (InputError-free: length is checked by the callers)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def fingerprint(password_hash: str) -> str:
    """What a session keeps of the account's password hash: a changed password ends older sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class LoginThrottle:
    """Failed sign-ins per user name and per client address in a sliding window."""

    def __init__(self, per_user: int = 5, per_client: int = 20, window_seconds: float = 900.0) -> None:
        self.per_user, self.per_client, self.window = per_user, per_client, window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait_seconds(self, username: str, client: str) -> int:
        """0 when a sign-in may be tried now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in ((f"u:{username.lower()}", self.per_user), (f"c:{client}", self.per_client)):
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(int(times[0] + self.window - now) + 1)
            return max(waits, default=0)

    def failed(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"u:{username.lower()}", f"c:{client}"):
                self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # bounded memory under a spray of names
                self._failures.clear()

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"u:{username.lower()}", None)


def study_store(request: Request) -> WorkspaceStore:
    store: WorkspaceStore = request.app.state.study_store
    return store


def bootstrap_admin(store: StudyStore, environ: dict[str, str] | None = None) -> User | None:
    """Create the first administrator from ``$HCCTRIALS_ADMIN_USER`` / ``$HCCTRIALS_ADMIN_PASSWORD``
    when both are set and the database has no account yet; None otherwise."""
    env = os.environ if environ is None else environ
    name, password = env.get("HCCTRIALS_ADMIN_USER", "").strip(), env.get("HCCTRIALS_ADMIN_PASSWORD", "")
    if not name or not password:
        return None
    if len(password) < MIN_PASSWORD_LENGTH:
        from hcctrials.errors import InputError

        raise InputError(f"the administrator's password needs at least {MIN_PASSWORD_LENGTH} characters",
                         field="HCCTRIALS_ADMIN_PASSWORD")
    if store.count_users():
        return None
    user = store.create_user(name, hash_password(password), is_admin=True, only_if_no_users=True)
    if user is not None:
        _LOG.info("created the first administrator account")
    return user


def install_auth(app: FastAPI, engine: Any) -> None:
    """Sessions, the study store and the first administrator for *app* over *engine*."""
    store = WorkspaceStore(engine)
    app.state.study_store = store
    app.state.login_throttle = LoginThrottle()
    bootstrap_admin(store)
    key = os.environ.get("HCCTRIALS_SECRET_KEY") or store.secret("session_key", lambda: secrets.token_urlsafe(48))
    secure = os.environ.get("HCCTRIALS_COOKIE_SECURE", "1").strip().lower() not in ("0", "no", "false")
    app.add_middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE, max_age=SESSION_SECONDS,
                       same_site="lax", https_only=secure)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use, also before signing in: the sign-in form)."""
    session = request.session
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """403 unless *submitted* (form field or header) equals the session's token."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not submitted or not hmac.compare_digest(expected, submitted):
        raise HTTPException(403, detail=msg("missing or wrong CSRF token: send the session's token "
                                            "(GET /api/session) in the X-CSRF-Token header, or reload the form"))


def current_user(request: Request) -> User | None:
    """The signed-in user of *request* (None when nobody is, or the session no longer holds)."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = study_store(request).user_by_id(uid)
    if user is None or request.session.get("pw") != fingerprint(user.password_hash):
        request.session.clear()
        return None
    return user


def require_user(request: Request) -> User:
    """The signed-in user, else 401."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401, detail=msg("sign in first (POST /api/session)"),
                            headers={"WWW-Authenticate": 'Session realm="hcctrials"'})
    return user


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def sign_in(request: Request, username: str, password: str) -> User:
    """Check the password and start a new session; 401 for a wrong name or password, 429 after
    too many failures (:class:`LoginThrottle`)."""
    throttle: LoginThrottle = request.app.state.login_throttle
    name = username.strip()[:64]
    wait = throttle.wait_seconds(name, _client(request))
    if wait:
        raise HTTPException(429, detail=msg("too many failed sign-ins: try again in {n} seconds", n=wait),
                            headers={"Retry-After": str(wait)})
    store = study_store(request)
    user = store.user_by_name(name) if name else None
    if user is None:
        verify_password(_DUMMY_HASH, password)  # the same time as for a known name
        ok = False
    else:
        ok = verify_password(user.password_hash, password)
    if not ok or user is None:
        throttle.failed(name, _client(request))
        raise HTTPException(401, detail=msg("wrong user name or password"),
                            headers={"WWW-Authenticate": 'Session realm="hcctrials"'})
    throttle.succeeded(name)
    if _HASHER.check_needs_rehash(user.password_hash):
        store.set_password_hash(user, hash_password(password))
        user = store.user_by_id(user.id) or user
    request.session.clear()
    request.session.update({"uid": user.id, "pw": fingerprint(user.password_hash),
                            "csrf": secrets.token_urlsafe(32)})
    return user


def sign_out(request: Request) -> None:
    request.session.clear()


def can_upload(role: str | None, user: User) -> bool:
    """Investigators and coordinators change study data (administrators who are no members do not)."""
    return role in ("investigator", "coordinator")


def can_manage(role: str | None, user: User) -> bool:
    """Investigators and administrators add members and change roles."""
    return role == "investigator" or user.is_admin
