"""The collector policy of a server process (issue 12, benchmarks/web_bench.py): what a server keeps is
frozen, so full collections do not walk the match catalog and the caches again and again.

Measured before this policy at 10,000 trials: each full collection walked ~740,000 kept objects (~280 ms
of CPU, every few hundred match requests, stalling every request of that worker).  These tests check the
mechanism, not the timing; each restores the collector as it found it (the test process is not a server)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from web_support import TODAY


#: these tests force full collections, which free what earlier tests of the same worker left behind (an unclosed
#: database connection's __del__ warns then): pytest would blame that warning on the test that collected
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector's state restored after the test: thresholds, callbacks, nothing left frozen."""
    from hcctrials.web import services

    thresholds = gc.get_threshold()
    callbacks = list(gc.callbacks)
    gc.unfreeze()
    services._FROZEN_AFTER_FULL.clear()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.callbacks[:] = callbacks
        gc.set_threshold(*thresholds)
        services._FROZEN_AFTER_FULL.clear()


def test_a_warmed_server_process_freezes_what_it_keeps(web_db: str, collector: None) -> None:
    from hcctrials.web.services import WebServices

    services = WebServices(web_db)
    try:
        services.freeze_after_load = True  # as hcctrials.web.server sets it
        services.warm(TODAY)
        # the match catalog and today's recruiting states are read, then frozen: no full collection walks them
        assert services._catalog_state().recruiting, "warming read today's recruiting states"
        assert services._catalog_state().match_catalog is not None
        assert gc.get_freeze_count() > 0
        kept = services._catalog_state().match_catalog
        assert not any(obj is kept for obj in gc.get_objects())  # frozen objects are not tracked for collection
    finally:
        services.close()


def test_an_app_of_the_tests_keeps_its_garbage_collectable(web_db: str, collector: None) -> None:
    from hcctrials.web.services import WebServices

    services = WebServices(web_db)
    try:
        services.warm(TODAY)  # freeze_after_load is off by default (tests create many apps)
        assert gc.get_freeze_count() == 0
    finally:
        services.close()


def test_after_a_full_collection_that_found_nothing_the_survivors_are_frozen(collector: None) -> None:
    from hcctrials.web.services import keep_long_lived, settle

    keep_long_lived()
    keep_long_lived()  # installed once per process
    from hcctrials.web.services import _after_collection

    assert gc.callbacks.count(_after_collection) == 1
    assert gc.get_threshold()[0] == 20_000
    gc.collect()  # whatever garbage the test process had
    kept = [{"trial": i} for i in range(1000)]  # a cache filled by the first requests
    gc.collect()
    gc.collect()  # found nothing: what it walked is long-lived
    settle()
    assert gc.get_freeze_count() >= len(kept)
    assert not any(obj is kept for obj in gc.get_objects())
    frozen = gc.get_freeze_count()
    settle()  # nothing new: nothing done
    assert gc.get_freeze_count() == frozen


def test_a_full_collection_that_found_garbage_freezes_nothing(collector: None) -> None:
    from hcctrials.web.services import keep_long_lived, settle

    keep_long_lived()
    gc.collect()
    gc.collect()
    settle()  # (whatever the test process had is frozen now)
    gc.unfreeze()
    cycle: list[Any] = []
    cycle.append(cycle)  # a cycle only the collector frees
    del cycle
    assert gc.collect() > 0
    settle()
    assert gc.get_freeze_count() == 0
