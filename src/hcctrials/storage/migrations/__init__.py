"""Alembic migrations of the hcctrials database (run through hcctrials.storage.migrate)."""
