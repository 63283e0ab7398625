"""Study workspaces: users, studies, study_members, study_files, study_audit, web_secrets.

Revision ID: 0005_study_workspace
Revises: 0004_ingest_run_status
Create Date: 2026-12-06

The tables are described in :mod:`hcctrials.storage.studies`.  ``study_audit`` is append-only:
triggers refuse ``UPDATE`` and ``DELETE`` on it (SQLite ``RAISE(ABORT)``; PostgreSQL a trigger
function raising an exception), so no role of the application can edit the log.
Self-contained (no imports from the package).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_study_workspace"
down_revision = "0004_ingest_run_status"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("info", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_studies_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studies")),
        sa.UniqueConstraint("code", name=op.f("uq_studies_code")),
    )
    op.create_table(
        "study_members",
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], name=op.f("fk_study_members_study_id_studies")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_study_members_user_id_users")),
        sa.PrimaryKeyConstraint("study_id", "user_id", name=op.f("pk_study_members")),
    )
    op.create_table(
        "study_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], name=op.f("fk_study_files_study_id_studies")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"], name=op.f("fk_study_files_uploaded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_files")),
        sa.UniqueConstraint("study_id", "kind", "version", name=op.f("uq_study_files_study_id_kind_version")),
    )
    op.create_table(
        "study_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("old_value", _json(), nullable=True),
        sa.Column("new_value", _json(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_audit")),
    )
    op.create_index(op.f("ix_study_audit_study_id"), "study_audit", ["study_id"])
    op.create_table(
        "web_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_web_secrets")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION study_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'study_audit is append-only'; END; $$")
        op.execute("CREATE TRIGGER study_audit_no_update BEFORE UPDATE OR DELETE ON study_audit "
                   "FOR EACH ROW EXECUTE FUNCTION study_audit_append_only()")
        op.execute("CREATE TRIGGER study_audit_no_truncate BEFORE TRUNCATE ON study_audit "
                   "FOR EACH STATEMENT EXECUTE FUNCTION study_audit_append_only()")
    else:
        op.execute("CREATE TRIGGER study_audit_no_update BEFORE UPDATE ON study_audit "
                   "BEGIN SELECT RAISE(ABORT, 'study_audit is append-only'); END")
        op.execute("CREATE TRIGGER study_audit_no_delete BEFORE DELETE ON study_audit "
                   "BEGIN SELECT RAISE(ABORT, 'study_audit is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS study_audit_no_truncate ON study_audit")
        op.execute("DROP TRIGGER IF EXISTS study_audit_no_update ON study_audit")
        op.execute("DROP FUNCTION IF EXISTS study_audit_append_only()")
    for table in ("web_secrets", "study_audit", "study_files", "study_members", "studies", "users"):
        op.drop_table(table)
