"""Table ``compiled_criteria``: compiled eligibility trees cached per trial version and compiler.

Keyed by (trial id, registry, raw hash, compiler version), so a changed record or a changed
compiler never reuses a stale tree; ``criteria`` is the JSON list of
:class:`hcctrials.model.eligibility.Criterion` (``CompiledTrial.to_json()['criteria']``) as text, so it
is validated straight from JSON.  ``summary`` is the JSON (orjson) of what ``hcctrials match`` needs
besides the criteria: a slim copy of the record (ids, titles, status, dates, links, provenance), the
setting classification and the normalised site places, so a new process builds its match catalog
from this table alone, without parsing the full records.  Created by migration ``0003_compiled_criteria``; filled and read
by :mod:`hcctrials.matching.compiled_cache`.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKeyConstraint, String, Table, Text

from hcctrials.storage.schema import metadata

__all__ = ["compiled_criteria"]

compiled_criteria = Table(
    "compiled_criteria",
    metadata,
    Column("trial_id", String(64), primary_key=True),
    Column("registry", String(32), primary_key=True),
    Column("raw_sha256", String(64), primary_key=True),
    Column("compiler_version", String(32), primary_key=True),
    Column("criteria", Text, nullable=False),
    Column("summary", Text, nullable=True),
    ForeignKeyConstraint(["trial_id", "registry"], ["trials.trial_id", "trials.registry"], ondelete="CASCADE"),
)
