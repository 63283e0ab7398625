"""Create and upgrade the schema with Alembic, programmatically.

Alembic migrations are the only way the schema is created: :func:`upgrade` runs
``alembic upgrade head`` with the migration scripts packaged in
``hcctrials/storage/migrations`` (no ``alembic.ini`` needed).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from hcctrials.errors import StorageError
from hcctrials.storage.engine import check_connection, create_engine, describe_url, write_transaction

__all__ = ["alembic_config", "upgrade", "init_db", "head_revision", "current_revision"]

SCRIPT_LOCATION = "hcctrials.storage:migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision the packaged scripts define."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str | Engine, *, revision: str = "head") -> str:
    """Bring the database at *url* to *revision* (default: head); returns the new revision."""
    engine = url if isinstance(url, Engine) else create_engine(url)
    try:
        check_connection(engine)
        config = alembic_config()
        try:
            with write_transaction(engine) as conn:  # concurrent upgrades wait for each other
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        except SQLAlchemyError as exc:
            raise StorageError(f"migration of {describe_url(engine.url)} failed: {exc}") from exc
        now = current_revision(engine)
        assert now is not None
        return now
    finally:
        if not isinstance(url, Engine):
            engine.dispose()


#: ``init_db(url)`` is the same as ``upgrade(url)``: an empty database is migrated to head.
init_db = upgrade
