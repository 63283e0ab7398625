"""Alembic environment: runs on the connection handed over by :mod:`hcctrials.storage.migrate`.

It can also run from the ``alembic`` command line with ``-x url=...`` (or
``sqlalchemy.url`` in a config file) for maintainers writing new revisions.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from hcctrials.storage.engine import create_engine
from hcctrials.storage.schema import alembic_include_name, metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=alembic_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("give the database URL with -x url=... or sqlalchemy.url")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run hcctrials db upgrade")
run_migrations_online()
