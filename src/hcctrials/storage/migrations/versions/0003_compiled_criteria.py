"""Cache of compiled eligibility trees (``compiled_criteria``).

Revision ID: 0003_compiled_criteria
Revises: 0002_search_index
Create Date: 2026-11-23

One row per (trial id, registry, raw hash, compiler version) with the compiled criteria as JSON
text and a per-trial match summary (slim record, setting, places), so ``hcctrials match`` / ``screen`` do not recompile unchanged trials.  Self-contained
(does not import the package's table definitions); the table is defined in
:mod:`hcctrials.storage.compiled_criteria`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_compiled_criteria"
down_revision = "0002_search_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compiled_criteria",
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("registry", sa.String(32), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("compiler_version", sa.String(32), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["trial_id", "registry"], ["trials.trial_id", "trials.registry"], ondelete="CASCADE",
                                name=op.f("fk_compiled_criteria_trial_id_registry_trials")),
        sa.PrimaryKeyConstraint("trial_id", "registry", "raw_sha256", "compiler_version",
                                name=op.f("pk_compiled_criteria")),
    )


def downgrade() -> None:
    op.drop_table("compiled_criteria")
