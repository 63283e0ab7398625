"""Settings built on demand (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "load_settings", "default_database_url"]


def default_database_url() -> str:
    """SQLite file in the user's data directory unless ``HCCTRIALS_DB`` says otherwise."""
    env = os.environ.get("HCCTRIALS_DB")
    if env:
        return env if "://" in env else f"sqlite:///{Path(env).expanduser().resolve()}"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return f"sqlite:///{(base / 'hcctrials' / 'hcctrials.sqlite3').resolve()}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    language: str = "en"


def load_settings(*, database_url: str | None = None, language: str | None = None) -> Settings:
    """Build settings from explicit arguments, then the environment, then defaults."""
    url = database_url or default_database_url()
    if url and "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    lang = language or os.environ.get("HCCTRIALS_LANG", "en")
    if lang not in ("en", "zh"):
        lang = "en"
    return Settings(database_url=url, language=lang)
