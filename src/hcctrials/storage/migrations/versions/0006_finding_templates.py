"""Findings keep their message template, to be shown in the reader's language (issue 13).

Revision ID: 0006_finding_templates
Revises: 0005_study_workspace
Create Date: 2026-12-05

``findings.template`` is the English message with ``{fields}`` (a msgid of the message catalog)
whose fields are in ``findings.values``; ``findings.message`` stays the English text.  Findings
stored before this revision have no template (NULL): they are shown by matching their English
text against the catalog's templates, else in English.  Self-contained (no imports from the package).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_finding_templates"
down_revision = "0005_study_workspace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("findings", sa.Column("template", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("template")
