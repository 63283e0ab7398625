"""``TrialStore.details``: what a trial page shows of the store, read at once (issue 12, a trial page at
10,000 trials), on SQLite and PostgreSQL.

It must answer exactly what the separate look-ups answer (``get``, ``versions``, ``findings`` of the
current version, ``linked_records``) for every way a page is asked for: the record's own id, the id in
another case, a registry number another record lists, the id with its registry, and an unknown id
(the same NotFoundError).  And it reads on one connection, so the parts come from one state of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event

from hcctrials.errors import NotFoundError
from hcctrials.model.trial import Identifier, Provenance, Text, Trial
from hcctrials.sources.base import sha256_hex
from hcctrials.storage import TrialStore, open_store

MakeTrial = Callable[..., Trial]


@pytest.fixture
def store(db_url: str, full_trial: MakeTrial) -> Iterator[TrialStore]:
    """A ChiCTR record listing NCT09990001 (with a finding), the ClinicalTrials.gov record NCT09990001 in two
    versions (the second one older, so stored but not current), and a trial-finder page for it."""
    with open_store(db_url) as opened:
        chictr = full_trial()
        ctgov = _ctgov("NCT09990001", "v2", "2026-01-05")
        page = Trial(trial_id="veeva-NCT09990001", registry="trial_finder", brief_title=Text(en="Veeva page"),
                     identifiers=[Identifier(scheme="nct", value="NCT09990001")],
                     provenance=Provenance(source_format="trial_finder_page", raw_sha256=sha256_hex("page")))
        outcomes = opened.save_trials([chictr, ctgov, page])
        assert [o.status for o in outcomes] == ["ingested"] * 3
        assert [o.status for o in opened.save_trials([_ctgov("NCT09990001", "v1", "2025-06-30")])] == ["older"]
        yield opened


def _ctgov(trial_id: str, raw: str, last_updated: str) -> Trial:
    return Trial.model_validate({
        "trial_id": trial_id, "registry": "ctgov", "brief_title": {"en": f"Study {trial_id} ({raw})"},
        "identifiers": [{"scheme": "nct", "value": trial_id}], "dates": {"last_updated": last_updated},
        "provenance": {"source_format": "ctgov_api_v2_json", "raw_sha256": sha256_hex(raw)}})


@pytest.mark.parametrize(("asked", "registry"), [
    ("NCT09990001", None),  # own id
    ("nct09990001", None),  # another case
    ("ChiCTR2600000001", "chictr"),  # the catalog's link: id and registry
    ("NCT09990001", "trial_finder"),  # a registry number the page lists, in that registry
    ("HCC-2026-01", None),  # the sponsor's own number the ChiCTR record lists
    ("NCT00000000", "ctgov"),
])
def test_details_answer_as_the_separate_look_ups(store: TrialStore, asked: str, registry: str | None) -> None:
    try:
        tid, reg = store.resolve(asked, registry=registry)
    except NotFoundError as expected:
        with pytest.raises(NotFoundError) as raised:
            store.details(asked, registry=registry)
        assert (str(raised.value), raised.value.hint) == (str(expected), expected.hint)
        return
    details = store.details(asked, registry=registry)
    assert details.trial == store.get(tid, registry=reg)
    assert details.versions == store.versions(tid, registry=reg)
    assert details.findings == store.findings(tid, registry=reg)
    assert details.linked == store.linked_records(tid, registry=reg)


def test_details_of_a_record_with_an_older_version_and_links(store: TrialStore) -> None:
    details = store.details("NCT09990001")
    assert details.trial.brief_title.en == "Study NCT09990001 (v2)"
    assert [(v.version, v.current) for v in details.versions] == [(1, True), (2, False)]
    assert details.linked == [("ChiCTR2600000001", "chictr"), ("veeva-NCT09990001", "trial_finder")]
    chictr = store.details("ChiCTR2600000001", registry="chictr")
    assert [f.code for f in chictr.findings] == ["bilingual_mismatch"]
    assert chictr.linked == [("NCT09990001", "ctgov"), ("veeva-NCT09990001", "trial_finder")]


def test_details_read_on_one_connection(store: TrialStore) -> None:
    checkouts: list[object] = []

    def count(*_args: object) -> None:
        checkouts.append(_args[0])

    event.listen(store.engine, "checkout", count)
    try:
        store.details("nct09990001")
    finally:
        event.remove(store.engine, "checkout", count)
    assert len(checkouts) == 1
