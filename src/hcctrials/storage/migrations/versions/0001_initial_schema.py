"""Initial schema: trials, trial_versions, trial_identifiers, findings, ingest log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Self-contained on purpose (does not import ``hcctrials.storage.schema``): a migration
describes the schema as it was at this revision, whatever the metadata later becomes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    """JSON on SQLite, JSONB on PostgreSQL (as ``schema.JSON_DOCUMENT``)."""
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trials",
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("registry", sa.String(32), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.Text()),
        sa.Column("title_zh", sa.Text()),
        sa.Column("overall_status", sa.String(32), nullable=False),
        sa.Column("phases", sa.String(128)),
        sa.Column("study_type", sa.String(64)),
        sa.Column("study_start", sa.String(10)),
        sa.Column("primary_completion", sa.String(10)),
        sa.Column("last_updated", sa.String(10)),
        sa.Column("enrollment_count", sa.Integer()),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("record", _json(), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("source_format", sa.String(64), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("trial_id", "registry", name=op.f("pk_trials")),
    )
    op.create_index(op.f("ix_trials_registry"), "trials", ["registry"])
    op.create_index(op.f("ix_trials_overall_status"), "trials", ["overall_status"])

    op.create_table(
        "trial_versions",
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("registry", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record", _json(), nullable=True),  # NULL for the current version (in trials.record)
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("last_updated", sa.String(10)),
        sa.Column("source_format", sa.String(64), nullable=False),
        sa.Column("source_file", sa.Text()),
        sa.Column("record_locator", sa.String(255)),
        sa.Column("ingested_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("trial_id", "registry", "version", name=op.f("pk_trial_versions")),
        sa.UniqueConstraint("trial_id", "registry", "raw_sha256",
                            name=op.f("uq_trial_versions_trial_id_registry_raw_sha256")),
    )

    op.create_table(
        "trial_identifiers",
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("registry", sa.String(32), nullable=False),
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(["trial_id", "registry"], ["trials.trial_id", "trials.registry"], ondelete="CASCADE",
                                name=op.f("fk_trial_identifiers_trial_id_registry_trials")),
        sa.PrimaryKeyConstraint("trial_id", "registry", "scheme", "value", name=op.f("pk_trial_identifiers")),
    )
    op.create_index(op.f("ix_trial_identifiers_value"), "trial_identifiers", ["value"])

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("registry", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("field", sa.String(255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("values", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index(op.f("ix_findings_trial_id_registry_version"), "findings", ["trial_id", "registry", "version"])
    op.create_index(op.f("ix_findings_code"), "findings", ["code"])

    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", _ts(), nullable=False),
        sa.Column("finished_at", _ts()),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("counts", _json()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_runs")),
    )

    op.create_table(
        "ingest_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("locator", sa.String(255)),
        sa.Column("record_id", sa.String(64)),
        sa.Column("field", sa.String(255)),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["ingest_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_ingest_failures_run_id_ingest_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_failures")),
    )
    op.create_index(op.f("ix_ingest_failures_run_id"), "ingest_failures", ["run_id"])


def downgrade() -> None:
    op.drop_table("ingest_failures")
    op.drop_table("ingest_runs")
    op.drop_table("findings")
    op.drop_table("trial_identifiers")
    op.drop_table("trial_versions")
    op.drop_table("trials")
