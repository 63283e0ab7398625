"""User-facing messages of the registry and database commands, in one place (there is no
message catalog yet; these are its first entries).  ``str.format`` fields in braces."""

from __future__ import annotations

__all__ = ["ABANDONED_RUNS", "HELD_VERSIONS", "STALE_INDEX", "BACKUP_DONE", "BACKUP_POSTGRES_HINT",
           "CHECK_OK", "CHECK_INTEGRITY", "CHECK_STALE", "CHECK_DEAD_RUNS", "CHECK_ABANDONED_INFO",
           "CHECK_RUNNING_INFO", "CHECK_PROBLEMS", "INDEX_DONE"]

ABANDONED_RUNS = "closed abandoned ingest run(s) {runs}: their process is gone (status 'abandoned')"
HELD_VERSIONS = ("held back {count} new version(s) that lost most of the current version's content: {ids}. "
                 "The current versions stay; run the ingest again with --accept-shrink to make them current")
STALE_INDEX = ("the search index is stale for {stale} of {trials} trial(s): results come from what is indexed; "
               "run `hcctrials db index` (or the next `hcctrials ingest`) to refresh it")
INDEX_DONE = "{url}: indexed {count} trial(s) for search"
BACKUP_DONE = "{url}: backed up to {dest} ({size} bytes, integrity ok)"
BACKUP_POSTGRES_HINT = "{url} is a PostgreSQL database: no backup made; use the server's tools: {command}"
CHECK_OK = "{url}: ok ({trials} trial(s), schema {revision})"
CHECK_INTEGRITY = "integrity: {detail}"
CHECK_STALE = "search index: stale for {stale} of {trials} trial(s); run `hcctrials db index`"
CHECK_DEAD_RUNS = ("ingest run {id} (started {started}, pid {pid} on {host}) is still marked running but its "
                   "process is gone; the next ingest marks it abandoned")
CHECK_ABANDONED_INFO = "ingest run {id} (started {started}) was abandoned (closed by a later run)"
CHECK_RUNNING_INFO = "ingest run {id} (started {started}, pid {pid} on {host}) is running"
CHECK_PROBLEMS = "{url}: {count} problem(s)"
