"""``DataVersionWatch``: the web app asks SQLite whether anything was committed before checking the data's
fingerprint on each request (issue 12: CPU per request).  A commit by any other connection, in this process or
another (an ``hcctrials ingest`` while the server runs), must be seen at once; a false "unchanged" would
show a coordinator yesterday's catalog, so where the watch cannot know (PostgreSQL, an in-memory database) it
always answers "may have changed"."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hcctrials.model.trial import Trial
from hcctrials.storage import open_store
from hcctrials.storage.search_index import DataVersionWatch, search_data_version


def test_a_commit_by_another_connection_is_seen_at_once(tmp_path: Path, full_trial: Callable[..., Trial]) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    with open_store(url) as server, open_store(url) as ingest:
        server.save_trials([full_trial("ChiCTR2600000001")])
        watch = DataVersionWatch(server, recheck_seconds=5.0)
        assert watch.may_have_changed(0.0)  # the first look: nothing is known yet
        assert not watch.may_have_changed(0.1)
        before = search_data_version(server)
        ingest.save_trials([full_trial("ChiCTR2600000002")])  # another connection commits
        assert watch.may_have_changed(0.2)
        assert search_data_version(server) != before
        assert not watch.may_have_changed(0.3)
        server.save_trials([full_trial("ChiCTR2600000003")])  # the server's own pool: another connection too
        assert watch.may_have_changed(0.4)
        watch.close()


def test_a_commit_by_another_process_is_seen(tmp_path: Path, full_trial: Callable[..., Trial]) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    with open_store(url) as server:
        server.save_trials([full_trial("ChiCTR2600000001")])
        watch = DataVersionWatch(server)
        watch.may_have_changed(0.0)
        assert not watch.may_have_changed(0.1)
        script = ("import sys; sys.path.insert(0, sys.argv[2]); from conftest import build_full_trial; "
                  "from hcctrials.storage import open_store\n"
                  "with open_store(sys.argv[1]) as s: s.save_trials([build_full_trial('ChiCTR2600000009')])")
        subprocess.run([sys.executable, "-c", script, url, str(Path(__file__).parent)], check=True, timeout=120)
        assert watch.may_have_changed(0.2)
        watch.close()


def test_it_looks_again_after_the_recheck_interval(tmp_path: Path, full_trial: Callable[..., Trial]) -> None:
    """A database file replaced under a running server is not seen by the watching connection (it keeps the old
    file open), so the full check runs every *recheck_seconds* whatever the watch says."""
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    with open_store(url) as server:
        server.save_trials([full_trial("ChiCTR2600000001")])
        watch = DataVersionWatch(server, recheck_seconds=5.0)
        watch.may_have_changed(100.0)
        assert not watch.may_have_changed(104.9)
        assert watch.may_have_changed(105.0)
        assert not watch.may_have_changed(105.1)
        watch.close()


def test_where_it_cannot_know_it_always_says_the_data_may_have_changed(postgres_url: str) -> None:
    with open_store("sqlite://") as memory:
        watch = DataVersionWatch(memory)
        assert all(watch.may_have_changed(float(t)) for t in range(3))
    with open_store(postgres_url) as shared:
        watch = DataVersionWatch(shared)
        assert all(watch.may_have_changed(float(t)) for t in range(3))
