"""Account and membership changes of the study workspaces: a user's own password, removing a member.

* **Changing one's password** (:func:`change_password`): the current password is checked first
  (a wrong one counts as a failed sign-in of that account in :class:`~hcctrials.web.auth.LoginThrottle`,
  so the form cannot be used to guess it), the new one is typed twice and has at least
  :data:`~hcctrials.web.auth.MIN_PASSWORD_LENGTH` characters, as on sign-up.  It is hashed anew with
  argon2id at the library's current parameters (:func:`~hcctrials.web.auth.hash_password`), so an
  account still on older parameters is rehashed too.  The audit log records ``password_changed``
  with no value (never the password or its hash).  Other sessions of the account end at their next
  request (the session holds a fingerprint of the hash); this one continues with a new CSRF token.
* **Removing a member or changing a role** (:meth:`~hcctrials.storage.studies.StudyStore.remove_member`,
  :meth:`~hcctrials.storage.studies.StudyStore.set_member_role`, in the storage layer): by an
  investigator of the study or an administrator; the study always keeps one investigator (the last one
  can be neither removed nor demoted: :class:`~hcctrials.storage.studies.LastInvestigator`).  The
  change goes in the transaction that writes ``member_removed`` / ``member_role`` to the audit log with
  the old role; every study route reads the membership on each request, so the change holds at once.

These are the OWASP "Authentication Cheat Sheet" rules on changing a password (re-authenticate with
the current password, confirm the new one) and its "Authorization" rule of checking access on
every request rather than caching it in the session.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi import Request

from hcctrials.i18n import say
from hcctrials.storage.studies import LastInvestigator, NotAMember, StudyStore, User

__all__ = ["WorkspaceStore", "PasswordProblem", "change_password", "LastInvestigator", "NotAMember"]


class WorkspaceStore(StudyStore):
    """The study store the web app uses: member management (removal, role changes, the last
    investigator rule and their audit entries) lives in :class:`~hcctrials.storage.studies.StudyStore`;
    this name stays so the web modules have one place to extend."""


class PasswordProblem(Exception):
    """Why a password change was refused: the HTTP status, the form field and the message (*text*:
    the message in a language, through :func:`hcctrials.i18n.say`)."""

    def __init__(self, status: int, field: str, text: Callable[[str], str], *,
                 retry_after: int | None = None) -> None:
        super().__init__(text("en"))
        self.status, self.field, self.text, self.retry_after = status, field, text, retry_after


def change_password(request: Request, user: User, current: str, new: str, repeated: str) -> User:
    """Check and store *user*'s new password (module docstring); raises :class:`PasswordProblem`."""
    from hcctrials.web.auth import (
        MIN_PASSWORD_LENGTH,
        LoginThrottle,
        fingerprint,
        hash_password,
        study_store,
        verify_password,
    )

    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    wait = throttle.wait_seconds(user.username, client)
    if wait:
        raise PasswordProblem(429, "current_password", lambda lang: say(
            "Too many wrong passwords: try again in {n} seconds.", lang, n=wait), retry_after=wait)
    if not current or not verify_password(user.password_hash, current):
        throttle.failed(user.username, client)
        raise PasswordProblem(403, "current_password", lambda lang: say("The current password is wrong.", lang))
    if new != repeated:
        raise PasswordProblem(422, "repeat_password", lambda lang: say("The two new passwords differ.", lang))
    if len(new) < MIN_PASSWORD_LENGTH:
        raise PasswordProblem(422, "new_password", lambda lang: say(
            "A password needs at least {n} characters.", lang, n=MIN_PASSWORD_LENGTH))
    if len(new) > 1024:
        raise PasswordProblem(422, "new_password", lambda lang: say(
            "A password has at most {n} characters.", lang, n=1024))
    if new == current:
        raise PasswordProblem(422, "new_password", lambda lang: say(
            "The new password is the same as the current one.", lang))
    throttle.succeeded(user.username)
    store = study_store(request)
    store.set_password_hash(user, hash_password(new))  # audited as password_changed, without a value
    changed = store.user_by_id(user.id) or user
    # this session continues (other sessions of the account end: their fingerprint no longer holds)
    request.session.update({"pw": fingerprint(changed.password_hash), "csrf": secrets.token_urlsafe(32)})
    return changed
