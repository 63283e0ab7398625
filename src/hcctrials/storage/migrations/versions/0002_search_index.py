"""Search index: one searchable document per trial (SQLite FTS5 / PostgreSQL tsvector + GIN).

Revision ID: 0002_search_index
Revises: 0001
Create Date: 2026-11-22

``search_documents`` holds, for each current record (trial id + registry, as ``trials``), the pre-segmented tokens (jieba for
Chinese, Snowball-stemmed English, lexicon names in both languages, setting and class concept
tokens) and the filter values of ``hcctrials trials search``.  Full text:

* SQLite: an FTS5 table ``search_fts`` (external content is not used: FTS5 keeps its own
  copy of the token text, rowid = ``search_documents.doc_id``), ``unicode61`` tokenizer over
  the space-separated tokens.
* PostgreSQL: a ``tsv`` tsvector column (the 'simple' configuration is not needed: the
  tokens are written as a tsvector literal so the server never re-segments Chinese) with a
  GIN index.

Self-contained (does not import the package's table definitions).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_search_index"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    columns: list[sa.Column[Any]] = [
        sa.Column("doc_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trial_id", sa.String(64), nullable=False),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("index_version", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("registry", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("phases", sa.String(128), nullable=False),
        sa.Column("settings", sa.String(255), nullable=False),
        sa.Column("classes", sa.String(255), nullable=False),
        sa.Column("drugs", sa.Text(), nullable=False),
        sa.Column("places", sa.Text(), nullable=False),
        sa.Column("study_start", sa.String(10)),
        sa.Column("title", sa.Text()),
    ]
    # tsvector on PostgreSQL; an unused text column on SQLite (FTS5 holds the index there) so
    # that both backends match the one table definition in hcctrials.storage.search_index.
    columns.append(sa.Column("tsv", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")))
    op.create_table(
        "search_documents",
        *columns,
        sa.ForeignKeyConstraint(["trial_id", "registry"], ["trials.trial_id", "trials.registry"], ondelete="CASCADE",
                                name=op.f("fk_search_documents_trial_id_registry_trials")),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("trial_id", "registry", name=op.f("uq_search_documents_trial_id_registry")),
    )
    op.create_index(op.f("ix_search_documents_status"), "search_documents", ["status"])
    op.create_index(op.f("ix_search_documents_tsv"), "search_documents", ["tsv"], postgresql_using="gin")
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(tokens, tokenize='unicode61 remove_diacritics 0')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
