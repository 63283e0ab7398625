"""Study workspaces: accounts, study memberships, uploaded study tables and the audit log.

Tables (created by migration ``0005_study_workspace``):

* ``users``: one row per account; ``password_hash`` is an argon2id hash made by the caller
  (this module never sees a password); ``is_admin`` may create accounts.
* ``studies``: one row per study workspace (code, title, ``info``: the ``study.json`` of
  ``hcctrials endpoints`` / ``report`` as JSON text: data cut-off, criteria sets ...; text, not
  JSONB, because the order of its keys matters: the drugs name the arm in that order).
* ``study_members``: the role of a user in a study: ``investigator``, ``coordinator`` or
  ``viewer`` (one role per user and study).
* ``study_files``: every accepted upload of a study table, versioned per (study, kind); the
  newest version of each kind is the study's current table.  ``content`` is the CSV text as
  uploaded (the same format the command line reads).
* ``study_audit``: append-only: who (user id and name), when, what (action, study, entity), old
  and new value of every change to study data, accounts and memberships.  There is no update or
  delete function here, and database triggers (SQLite and PostgreSQL) refuse ``UPDATE`` and
  ``DELETE`` on the table for every database user of the application.  File values are
  summaries (version, SHA-256, rows, file name), never the rows themselves.
* ``web_secrets``: the key that signs session cookies when ``$HCCTRIALS_SECRET_KEY`` is not set
  (shared by every server process over the same database).

Storage only: no web, no matching types.  Writes use :func:`~hcctrials.storage.engine.write_transaction`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Literal

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from hcctrials.errors import InputError, NotFoundError
from hcctrials.storage.engine import write_transaction
from hcctrials.storage.schema import NULLABLE_JSON_DOCUMENT, metadata

__all__ = ["users", "studies", "study_members", "study_files", "study_audit", "web_secrets", "ROLES",
           "NotAMember", "LastInvestigator", "FILE_KINDS", "Role", "User", "Study", "StudyFile", "AuditEntry", "StudyStore"]

Role = Literal["investigator", "coordinator", "viewer"]
#: Roles in a study, most rights first: investigators manage members and upload, coordinators
#: upload, viewers read.
ROLES: tuple[str, ...] = ("investigator", "coordinator", "viewer")
#: The study tables a workspace holds (file names of a ``hcctrials endpoints`` study folder).
FILE_KINDS: tuple[str, ...] = ("subjects", "tumour_assessments", "adverse_events", "dosing", "first_doses")

_TS = DateTime(timezone=True)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", _TS, nullable=False),
    UniqueConstraint("username"),
)

studies = Table(
    "studies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("info", Text, nullable=False),  # the study.json, as JSON text (key order kept, e.g. of the drugs)
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", _TS, nullable=False),
    UniqueConstraint("code"),
)

study_members = Table(
    "study_members",
    metadata,
    Column("study_id", Integer, ForeignKey("studies.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("role", String(16), nullable=False),
)

study_files = Table(
    "study_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("study_id", Integer, ForeignKey("studies.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("n_rows", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("uploaded_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("uploaded_at", _TS, nullable=False),
    UniqueConstraint("study_id", "kind", "version"),
)

study_audit = Table(
    "study_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", _TS, nullable=False),
    Column("user_id", Integer, nullable=True),  # no foreign key: the log outlives what it names
    Column("username", String(64), nullable=False),
    Column("study_id", Integer, nullable=True),
    Column("action", String(32), nullable=False),
    Column("entity", String(128), nullable=False),
    Column("old_value", NULLABLE_JSON_DOCUMENT, nullable=True),
    Column("new_value", NULLABLE_JSON_DOCUMENT, nullable=True),
    Index(None, "study_id"),
)

web_secrets = Table(
    "web_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)



class NotAMember(Exception):
    """No member of the study has this user name (``username``: the name asked for)."""

    def __init__(self, username: str) -> None:
        super().__init__(username)
        self.username = username


class LastInvestigator(Exception):
    """The change would leave the study without an investigator: *username* is its only one."""

    def __init__(self, username: str) -> None:
        super().__init__(username)
        self.username = username

@dataclass(frozen=True)
class User:
    id: int
    username: str
    password_hash: str
    is_admin: bool


@dataclass(frozen=True)
class Study:
    id: int
    code: str
    title: str
    info: dict[str, Any]
    created_at: datetime
    #: the role of the user the study was read for (None: an administrator who is no member)
    role: str | None = None


@dataclass(frozen=True)
class StudyFile:
    id: int
    study_id: int
    kind: str
    version: int
    filename: str
    sha256: str
    n_rows: int
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    user_id: int | None
    username: str
    study_id: int | None
    action: str
    entity: str
    old_value: Any
    new_value: Any


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _user(row: Any) -> User:
    return User(int(row.id), str(row.username), str(row.password_hash), bool(row.is_admin))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


class StudyStore:
    """Accounts, studies, study tables and the audit log over one database (migrated to head)."""

    def __init__(self, engine: Engine, *, now: Callable[[], datetime] = _now) -> None:
        self.engine = engine
        self.now = now

    # -- audit (append and read only) ---------------------------------------------------
    def _audit(self, conn: Connection, actor: User | None, action: str, entity: str, *,
               study_id: int | None = None, old: Any = None, new: Any = None) -> None:
        conn.execute(insert(study_audit).values(
            at=self.now(), user_id=actor.id if actor else None, username=actor.username if actor else "(system)",
            study_id=study_id, action=action, entity=entity, old_value=old, new_value=new))

    def audit_entries(self, *, study_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
        """Newest first; one study's entries when *study_id* is given."""
        query = select(study_audit).order_by(study_audit.c.id.desc()).limit(limit)
        if study_id is not None:
            query = query.where(study_audit.c.study_id == study_id)
        with self.engine.connect() as conn:
            return [AuditEntry(int(r.id), _aware(r.at), r.user_id, r.username, r.study_id, r.action, r.entity,
                               r.old_value, r.new_value) for r in conn.execute(query)]

    # -- accounts -------------------------------------------------------------------------
    def count_users(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

    def create_user(self, username: str, password_hash: str, *, is_admin: bool = False,
                    actor: User | None = None, only_if_no_users: bool = False) -> User | None:
        """A new account; InputError if the name is taken.  *only_if_no_users*: create it only in
        an empty user table (the first administrator), else return None."""
        name = username.strip()
        if not name or len(name) > 64:
            raise InputError("a user name has 1 to 64 characters", field="username", value=name[:64])
        try:
            with write_transaction(self.engine) as conn:
                if only_if_no_users and conn.execute(select(func.count()).select_from(users)).scalar_one():
                    return None
                new_id = conn.execute(insert(users).values(
                    username=name, password_hash=password_hash, is_admin=is_admin, created_at=self.now())
                    .returning(users.c.id)).scalar_one()
                user = User(int(new_id), name, password_hash, is_admin)
                self._audit(conn, actor or user, "user_created", f"user {name}",
                            new={"username": name, "is_admin": is_admin})
                return user
        except IntegrityError:
            raise InputError("this user name is taken", field="username", value=name) from None

    def user_by_name(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username.strip())).first()
        return _user(row) if row is not None else None

    def user_by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return _user(row) if row is not None else None

    def set_password_hash(self, user: User, password_hash: str) -> None:
        """Replace *user*'s hash (a rehash with newer argon2 parameters, or a new password)."""
        with write_transaction(self.engine) as conn:
            conn.execute(users.update().where(users.c.id == user.id).values(password_hash=password_hash))
            self._audit(conn, user, "password_changed", f"user {user.username}")

    # -- studies and members -------------------------------------------------------------
    def create_study(self, actor: User, code: str, title: str, info: Mapping[str, Any]) -> Study:
        """A new study; *actor* becomes its investigator."""
        code = code.strip()
        if not code or len(code) > 64:
            raise InputError("a study code has 1 to 64 characters", field="code", value=code[:64])
        title = title.strip() or code
        document = {**dict(info), "study_id": code}
        try:
            with write_transaction(self.engine) as conn:
                new_id = int(conn.execute(insert(studies).values(
                    code=code, title=title, info=json.dumps(document, ensure_ascii=False), created_by=actor.id, created_at=self.now())
                    .returning(studies.c.id)).scalar_one())
                conn.execute(insert(study_members).values(study_id=new_id, user_id=actor.id, role="investigator"))
                self._audit(conn, actor, "study_created", f"study {code}", study_id=new_id,
                            new={"code": code, "title": title, "info": document})
                self._audit(conn, actor, "member_role", f"member {actor.username}", study_id=new_id,
                            new={"role": "investigator"})
        except IntegrityError:
            raise InputError("a study with this code exists", field="code", value=code) from None
        return self.study(new_id, actor)

    def study(self, study_id: int, user: User) -> Study:
        """The study, with *user*'s role; NotFoundError when it does not exist or *user* is neither a
        member nor an administrator (a stranger does not learn that it exists)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(studies).where(studies.c.id == study_id)).first()
            role = conn.execute(select(study_members.c.role).where(
                study_members.c.study_id == study_id, study_members.c.user_id == user.id)).scalar()
        if row is None or (role is None and not user.is_admin):
            raise NotFoundError("no such study", record=f"study {study_id}")
        return Study(int(row.id), str(row.code), str(row.title), dict(json.loads(row.info)), _aware(row.created_at),
                     str(role) if role is not None else None)

    def studies_of(self, user: User) -> list[Study]:
        """The studies *user* is a member of (every study for an administrator), newest first."""
        query = (select(studies, study_members.c.role)
                 .join(study_members, (study_members.c.study_id == studies.c.id)
                       & (study_members.c.user_id == user.id), isouter=user.is_admin)
                 .order_by(studies.c.id.desc()))
        with self.engine.connect() as conn:
            return [Study(int(r.id), str(r.code), str(r.title), dict(json.loads(r.info)), _aware(r.created_at),
                          str(r.role) if r.role is not None else None) for r in conn.execute(query)]

    def members(self, study_id: int) -> list[tuple[str, str]]:
        """(user name, role) of every member of the study, by name."""
        query = (select(users.c.username, study_members.c.role).join(users, users.c.id == study_members.c.user_id)
                 .where(study_members.c.study_id == study_id).order_by(users.c.username))
        with self.engine.connect() as conn:
            return [(str(r.username), str(r.role)) for r in conn.execute(query)]

    def set_member(self, actor: User, study_id: int, username: str, role: str) -> None:
        """Give *username* the *role* in the study (adds the member or changes the role, audited as
        ``member_role``).  Raises :class:`InputError` for an unknown role or user name and
        :class:`LastInvestigator` when the change would leave the study without an investigator."""
        if role not in ROLES:
            raise InputError("unknown role", field="role", value=role, hint="one of " + ", ".join(ROLES))
        member = self.user_by_name(username)
        if member is None:
            raise InputError("no account with this user name", field="username", value=username.strip()[:64])
        with write_transaction(self.engine) as conn:
            old = conn.execute(select(study_members.c.role).where(
                study_members.c.study_id == study_id, study_members.c.user_id == member.id)).scalar()
            if old == role:
                return
            if old is None:
                conn.execute(insert(study_members).values(study_id=study_id, user_id=member.id, role=role))
            else:
                if old == "investigator":
                    self._keep_an_investigator(conn, study_id, member.username)
                conn.execute(study_members.update().where(
                    study_members.c.study_id == study_id, study_members.c.user_id == member.id).values(role=role))
            self._audit(conn, actor, "member_role", f"member {member.username}", study_id=study_id,
                        old={"role": old} if old else None, new={"role": role})

    def set_member_role(self, actor: User, study_id: int, username: str, role: str) -> str:
        """Change the role of an existing member; returns the old role.  Raises :class:`NotAMember`,
        :class:`LastInvestigator` (demoting the only investigator) or :class:`InputError` (unknown
        role).  Audited as ``member_role`` with the old and new role."""
        if role not in ROLES:
            raise InputError("unknown role", field="role", value=role, hint="one of " + ", ".join(ROLES))
        name = username.strip()[:64]
        with write_transaction(self.engine) as conn:
            member = self._member_row(conn, study_id, name)
            old = str(member.role)
            if old == role:
                return old
            if old == "investigator":
                self._keep_an_investigator(conn, study_id, name)
            conn.execute(study_members.update().where(
                study_members.c.study_id == study_id, study_members.c.user_id == member.id).values(role=role))
            self._audit(conn, actor, "member_role", f"member {member.username}", study_id=study_id,
                        old={"role": old}, new={"role": role})
        return old

    def remove_member(self, actor: User, study_id: int, username: str) -> str:
        """Remove *username* from the study; returns the role it had.  Raises :class:`NotAMember`, or
        :class:`LastInvestigator` when it is the study's only investigator.  Audited as
        ``member_removed`` with the old role.

        The investigators' rows are locked (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite's write
        transaction holds the database's write lock from its start), so two investigators removing
        or demoting each other at the same moment cannot leave the study without one."""
        name = username.strip()[:64]
        with write_transaction(self.engine) as conn:
            member = self._member_row(conn, study_id, name)
            role = str(member.role)
            if role == "investigator":
                self._keep_an_investigator(conn, study_id, name)
            removed = conn.execute(delete(study_members).where(
                study_members.c.study_id == study_id, study_members.c.user_id == member.id)).rowcount
            if removed != 1:  # removed by a concurrent request between the read and the delete
                raise NotAMember(name)
            self._audit(conn, actor, "member_removed", f"member {member.username}", study_id=study_id,
                        old={"role": role}, new=None)
        return role

    def count_investigators(self, study_id: int) -> int:
        """How many investigators the study has."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(study_members).where(
                study_members.c.study_id == study_id, study_members.c.role == "investigator")).scalar_one())

    @staticmethod
    def _member_row(conn: Connection, study_id: int, name: str) -> Any:
        member = conn.execute(
            select(users.c.id, users.c.username, study_members.c.role)
            .join(study_members, study_members.c.user_id == users.c.id)
            .where(study_members.c.study_id == study_id, users.c.username == name)).first()
        if member is None:
            raise NotAMember(name)
        return member

    @staticmethod
    def _keep_an_investigator(conn: Connection, study_id: int, name: str) -> None:
        """Raise :class:`LastInvestigator` unless the study has another investigator (rows locked)."""
        investigators = conn.execute(
            select(study_members.c.user_id)
            .where(study_members.c.study_id == study_id, study_members.c.role == "investigator")
            .with_for_update()).all()
        if len(investigators) <= 1:
            raise LastInvestigator(name)

    # -- study tables ------------------------------------------------------------------------
    def add_file(self, actor: User, study_id: int, kind: str, filename: str, content: str, n_rows: int) -> StudyFile:
        """Store an accepted upload as the newest version of the study's *kind* table (audited:
        old and new version, SHA-256, rows and file name)."""
        if kind not in FILE_KINDS:
            raise InputError("unknown study table", field="kind", value=kind, hint="one of " + ", ".join(FILE_KINDS))
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or f"{kind}.csv"
        with write_transaction(self.engine) as conn:
            previous = conn.execute(
                select(study_files.c.version, study_files.c.sha256, study_files.c.n_rows, study_files.c.filename)
                .where(study_files.c.study_id == study_id, study_files.c.kind == kind)
                .order_by(study_files.c.version.desc()).limit(1)).first()
            version = (int(previous.version) + 1) if previous is not None else 1
            now = self.now()
            new_id = int(conn.execute(insert(study_files).values(
                study_id=study_id, kind=kind, version=version, filename=name, sha256=digest, n_rows=n_rows,
                content=content, uploaded_by=actor.id, uploaded_at=now).returning(study_files.c.id)).scalar_one())
            old = None if previous is None else {"version": previous.version, "sha256": previous.sha256,
                                                 "rows": previous.n_rows, "file": previous.filename}
            self._audit(conn, actor, "table_uploaded", f"table {kind}", study_id=study_id, old=old,
                        new={"version": version, "sha256": digest, "rows": n_rows, "file": name})
        return StudyFile(new_id, study_id, kind, version, name, digest, n_rows, actor.username, now)

    def current_files(self, study_id: int) -> dict[str, StudyFile]:
        """The newest version of each table of the study (kind -> file, without content)."""
        newest = (select(study_files.c.kind, func.max(study_files.c.version).label("version"))
                  .where(study_files.c.study_id == study_id).group_by(study_files.c.kind).subquery())
        query = (select(study_files.c.id, study_files.c.kind, study_files.c.version, study_files.c.filename,
                        study_files.c.sha256, study_files.c.n_rows, study_files.c.uploaded_at, users.c.username)
                 .join(newest, (newest.c.kind == study_files.c.kind) & (newest.c.version == study_files.c.version))
                 .join(users, users.c.id == study_files.c.uploaded_by)
                 .where(study_files.c.study_id == study_id))
        with self.engine.connect() as conn:
            return {str(r.kind): StudyFile(int(r.id), study_id, str(r.kind), int(r.version), str(r.filename),
                                           str(r.sha256), int(r.n_rows), str(r.username), _aware(r.uploaded_at))
                    for r in conn.execute(query)}

    def file_content(self, file_id: int) -> str:
        with self.engine.connect() as conn:
            text = conn.execute(select(study_files.c.content).where(study_files.c.id == file_id)).scalar()
        if text is None:
            raise NotFoundError("no such study table", record=f"file {file_id}")
        return str(text)

    # -- the key that signs session cookies --------------------------------------------------
    def secret(self, name: str, make: Callable[[], str]) -> str:
        """The stored secret *name*, made (once, by whichever process comes first) with *make*."""
        with self.engine.connect() as conn:
            found = conn.execute(select(web_secrets.c.value).where(web_secrets.c.name == name)).scalar()
        if found is not None:
            return str(found)
        try:
            with write_transaction(self.engine) as conn:
                found = conn.execute(select(web_secrets.c.value).where(web_secrets.c.name == name)).scalar()
                if found is None:
                    found = make()
                    conn.execute(insert(web_secrets).values(name=name, value=found))
        except IntegrityError:  # another process stored it in between
            with self.engine.connect() as conn:
                found = conn.execute(select(web_secrets.c.value).where(web_secrets.c.name == name)).scalar_one()
        return str(found)
