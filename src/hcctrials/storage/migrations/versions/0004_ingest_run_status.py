"""Ingest runs: status, process id and host (abandoned runs are found and closed).

Revision ID: 0004_ingest_run_status
Revises: 0003_compiled_criteria
Create Date: 2026-12-04

``ingest_runs.status`` is ``running`` while an ingest runs, ``finished`` when it ended normally
and ``abandoned`` when a later ingest (or ``hcctrials db check``) found that the process that
started it is gone (``kill -9``, power loss): ``pid`` and ``host`` name that process.  Runs
stored before this revision are ``finished`` if they have ``finished_at``, else ``running`` (no
pid: the next ingest marks them abandoned).  Self-contained (no imports from the package).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_ingest_run_status"
down_revision = "0003_compiled_criteria"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ingest_runs", sa.Column("status", sa.String(16), nullable=True))
    op.add_column("ingest_runs", sa.Column("pid", sa.Integer(), nullable=True))
    op.add_column("ingest_runs", sa.Column("host", sa.String(255), nullable=True))
    op.execute("UPDATE ingest_runs SET status = CASE WHEN finished_at IS NULL THEN 'running' ELSE 'finished' END")
    op.create_index(op.f("ix_ingest_runs_status"), "ingest_runs", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ingest_runs_status"), table_name="ingest_runs")
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("host")
        batch.drop_column("pid")
        batch.drop_column("status")
