"""The database schema (SQLAlchemy Core tables).

The tables are the single source of truth for the schema; Alembic migrations under
``hcctrials/storage/migrations`` create it and a test checks that ``alembic upgrade head``
produces exactly this metadata (autogenerate finds no difference) on SQLite and PostgreSQL.

Layout
------
* ``trials``: one row per record, keyed by (``trial_id``, ``registry``) because a trial-finder
  page may carry the NCT id of the CT.gov record it describes, with the *current* normalised record as JSON
  (JSON on SQLite, JSONB on PostgreSQL) plus the columns used to filter and list.
* ``trial_versions``: every distinct raw version ever ingested (unique on
  ``(trial_id, raw_sha256)``), numbered 1, 2, 3 ... in ingestion order.  ``record`` holds
  the normalised record of every version except the current one (NULL there: it is
  ``trials.record``), so that each ~25 kB record is written once.
* ``trial_identifiers``: every registry number of the current record, upper-cased, to link
  the same trial across registries (a trial-finder page for NCT04011033 and the CT.gov record
  NCT04011033; a ChiCTR record listing an NCT secondary id).
* ``findings``: data-quality findings of each version.
* ``ingest_runs`` / ``ingest_failures``: the log of ``hcctrials ingest`` (a run is ``running``,
  ``finished`` or ``abandoned``: its process died before closing it).

Partial ISO dates (``2025``, ``2025-12``, ``2025-12-30``) are stored as strings: they sort
correctly as text and keep the precision the registry published.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.types import TypeEngine

__all__ = [
    "metadata",
    "JSON_DOCUMENT",
    "trials",
    "trial_versions",
    "trial_identifiers",
    "findings",
    "ingest_runs",
    "ingest_failures",
]

#: Deterministic constraint names, so that migrations and metadata compare equal.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: A JSON document: JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JSON_DOCUMENT: TypeEngine[object] = JSON().with_variant(JSONB(), "postgresql")

#: A JSON document that may be SQL NULL (Python None is stored as NULL, not as JSON ``null``).
NULLABLE_JSON_DOCUMENT: TypeEngine[object] = JSON(none_as_null=True).with_variant(
    JSONB(none_as_null=True), "postgresql")

_TS = DateTime(timezone=True)

trials = Table(
    "trials",
    metadata,
    Column("trial_id", String(64), primary_key=True),
    Column("registry", String(32), primary_key=True),
    Column("current_version", Integer, nullable=False),
    Column("title_en", Text),
    Column("title_zh", Text),
    Column("overall_status", String(32), nullable=False),
    Column("phases", String(128)),  # comma-separated normalised phases: "phase2,phase3"
    Column("study_type", String(64)),
    Column("study_start", String(10)),
    Column("primary_completion", String(10)),
    Column("last_updated", String(10)),
    Column("enrollment_count", Integer),
    Column("schema_version", Integer, nullable=False),
    Column("record", JSON_DOCUMENT, nullable=False),
    Column("raw_sha256", String(64), nullable=False),
    Column("source_format", String(64), nullable=False),
    Column("updated_at", _TS, nullable=False),
    Index(None, "registry"),
    Index(None, "overall_status"),
)

trial_versions = Table(
    "trial_versions",
    metadata,
    Column("trial_id", String(64), primary_key=True),
    Column("registry", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    # NULL for the current version, whose record is trials.record (each record stored once)
    Column("record", NULLABLE_JSON_DOCUMENT, nullable=True),
    Column("raw_sha256", String(64), nullable=False),
    Column("last_updated", String(10)),
    Column("source_format", String(64), nullable=False),
    Column("source_file", Text),
    Column("record_locator", String(255)),
    Column("ingested_at", _TS, nullable=False),
    UniqueConstraint("trial_id", "registry", "raw_sha256"),
)

trial_identifiers = Table(
    "trial_identifiers",
    metadata,
    Column("trial_id", String(64), primary_key=True),
    Column("registry", String(32), primary_key=True),
    Column("scheme", String(32), primary_key=True),
    Column("value", String(255), primary_key=True),  # upper-cased
    ForeignKeyConstraint(["trial_id", "registry"], ["trials.trial_id", "trials.registry"], ondelete="CASCADE"),
    Index(None, "value"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trial_id", String(64), nullable=False),
    Column("registry", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("code", String(64), nullable=False),
    Column("field", String(255), nullable=False),
    Column("message", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("values", JSON_DOCUMENT, nullable=False),
    # the English message with {fields} from values (a catalog msgid), to show it in the reader's
    # language; NULL for findings stored before revision 0006
    Column("template", Text),
    Index(None, "trial_id", "registry", "version"),
    Index(None, "code"),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", _TS, nullable=False),
    Column("finished_at", _TS),
    Column("source_path", Text, nullable=False),
    Column("counts", JSON_DOCUMENT),
    # running | finished | abandoned (migration 0004); pid and host of the ingesting process
    Column("status", String(16)),
    Column("pid", Integer),
    Column("host", String(255)),
    Index(None, "status"),
)

ingest_failures = Table(
    "ingest_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("ingest_runs.id", ondelete="CASCADE"), nullable=False),
    Column("file", Text, nullable=False),
    Column("locator", String(255)),
    Column("record_id", String(64)),
    Column("field", String(255)),
    Column("message", Text, nullable=False),
    Index(None, "run_id"),
)


#: Full-text search documents (one per trial record), filled by hcctrials.storage.search_index.
#: On SQLite an FTS5 virtual table ``search_fts`` (created by migration 0002, invisible to
#: SQLAlchemy metadata) indexes ``tokens``; on PostgreSQL the ``tsv`` column has a GIN index.
search_documents = Table(
    "search_documents",
    metadata,
    Column("doc_id", Integer, primary_key=True, autoincrement=True),
    Column("trial_id", String(64), nullable=False),
    Column("raw_sha256", String(64), nullable=False),
    Column("index_version", Integer, nullable=False),
    Column("tokens", Text, nullable=False),
    Column("registry", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("phases", String(128), nullable=False),
    Column("settings", String(255), nullable=False),
    Column("classes", String(255), nullable=False),
    Column("drugs", Text, nullable=False),
    Column("places", Text, nullable=False),
    Column("study_start", String(10)),
    Column("title", Text),
    Column("tsv", Text().with_variant(TSVECTOR(), "postgresql")),
    ForeignKeyConstraint(["trial_id", "registry"], ["trials.trial_id", "trials.registry"], ondelete="CASCADE"),
    UniqueConstraint("trial_id", "registry"),
    Index(None, "status"),
    Index(None, "tsv", postgresql_using="gin"),
)


def alembic_include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: leave SQLite's FTS5 shadow tables (``search_fts*``) out of comparisons."""
    return not (type_ == "table" and name is not None and name.startswith("search_fts"))


# Tables defined beside their repositories register on the same metadata (Alembic compares it).
import hcctrials.storage.compiled_criteria  # noqa: E402,F401
