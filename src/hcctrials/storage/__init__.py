"""Storage: SQLAlchemy schema, the trial repository and Alembic migrations.

Public API::

    from hcctrials.storage import open_store, init_db, upgrade
    store = open_store(url)            # TrialStore, schema migrated to head
    store.save_trials(trials)          # -> list[SaveOutcome]
    store.get("NCT04011033")           # -> Trial (NotFoundError with suggestions)
    store.iter_trials(registry=..., status=...)
    store.list_trials(...), store.versions(id), store.findings(id), store.linked_trial_ids(id)
    store.details(id)                  # -> TrialDetails: record, versions, findings, linked records at once
"""

from hcctrials.storage.engine import create_engine, normalise_url
from hcctrials.storage.migrate import head_revision, init_db, upgrade
from hcctrials.storage.repository import (
    StoredFailure,
    TrialDetails,
    TrialStore,
    TrialSummary,
    TrialVersion,
    open_store,
)
from hcctrials.storage.writer import SaveOutcome, SaveStatus

__all__ = [
    "open_store",
    "init_db",
    "upgrade",
    "head_revision",
    "create_engine",
    "normalise_url",
    "TrialStore",
    "TrialSummary",
    "TrialVersion",
    "TrialDetails",
    "StoredFailure",
    "SaveOutcome",
    "SaveStatus",
]

# Tables defined beside their repositories register on the shared metadata (Alembic compares it).
import hcctrials.storage.studies  # noqa: E402,F401
