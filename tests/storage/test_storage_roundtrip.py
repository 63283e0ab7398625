"""Storage round-trip, versioning rules and identifier linking on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hcctrials.errors import NotFoundError
from hcctrials.model.trial import Identifier, Provenance, Text, Trial, TrialDates
from hcctrials.sources.base import sha256_hex
from hcctrials.storage import TrialStore, open_store

MakeTrial = Callable[..., Trial]


@pytest.fixture
def store(db_url: str) -> Iterator[TrialStore]:
    with open_store(db_url) as opened:
        yield opened


def _version(trial: Trial, raw: str, last_updated: str | None) -> Trial:
    """A copy of *trial* as another raw version with the given last-update date."""
    data = trial.model_dump()
    data["dates"]["last_updated"] = last_updated
    data["provenance"]["raw_sha256"] = sha256_hex(raw)
    data["brief_title"]["en"] = f"title of {raw}"
    return Trial.model_validate(data)


def test_full_trial_round_trips(store: TrialStore, full_trial: MakeTrial) -> None:
    trial = full_trial()
    outcomes = store.save_trials([trial])
    assert [(o.trial_id, o.status, o.version) for o in outcomes] == [(trial.trial_id, "ingested", 1)]
    assert store.get(trial.trial_id) == trial
    assert store.get(trial.trial_id).title("zh") == "阿得贝利单抗联合阿帕替尼治疗晚期肝细胞癌"
    assert store.findings(trial.trial_id) == trial.findings
    assert list(store.iter_trials()) == [trial]
    [summary] = store.list_trials()
    assert summary.phases == ("phase2",) and summary.overall_status == "recruiting"
    assert summary.title("zh") == trial.brief_title.zh
    assert summary.linked_ids == ("NCT09990001",)


def test_same_record_twice_is_unchanged(store: TrialStore, full_trial: MakeTrial) -> None:
    trial = full_trial()
    store.save_trials([trial])
    assert [o.status for o in store.save_trials([trial, trial])] == ["unchanged", "unchanged"]
    assert len(store.versions(trial.trial_id)) == 1


def test_newer_version_updates_and_keeps_the_previous(store: TrialStore, full_trial: MakeTrial) -> None:
    first = _version(full_trial(), "a", "2026-01-05")
    newer = _version(first, "b", "2026-02")
    store.save_trials([first])
    assert [(o.status, o.version) for o in store.save_trials([newer])] == [("updated", 2)]
    assert store.get(first.trial_id).brief_title.en == "title of b"
    versions = store.versions(first.trial_id)
    assert [(v.version, v.current) for v in versions] == [(1, False), (2, True)]
    assert store.get_version(first.trial_id, 1) == first
    assert versions[0].ingested_at.tzinfo is not None


def test_unknown_or_equal_date_counts_as_update(store: TrialStore, full_trial: MakeTrial) -> None:
    first = _version(full_trial(), "a", "2026-01-05")
    store.save_trials([first])
    same_day = _version(first, "b", "2026-01-05")
    undated = _version(first, "c", None)
    assert [o.status for o in store.save_trials([same_day, undated])] == ["updated", "updated"]
    assert store.get(first.trial_id).brief_title.en == "title of c"


def test_older_version_is_kept_but_not_current(store: TrialStore, full_trial: MakeTrial) -> None:
    current = _version(full_trial(), "new", "2026-01-05")
    older = _version(current, "old", "2025-06-30")
    store.save_trials([current])
    assert [(o.status, o.version) for o in store.save_trials([older])] == [("older", 2)]
    assert store.get(current.trial_id).brief_title.en == "title of new"
    assert [(v.version, v.current) for v in store.versions(current.trial_id)] == [(1, True), (2, False)]
    # the older version is stored: ingesting it again changes nothing
    assert [o.status for o in store.save_trials([older])] == ["unchanged"]


def test_partial_dates_are_older_only_when_certainly_older(store: TrialStore, full_trial: MakeTrial) -> None:
    current = _version(full_trial(), "day", "2026-01-05")
    store.save_trials([current])
    # "2026-01" may mean 2026-01-31, later than 2026-01-05: not certainly older -> updated
    assert [o.status for o in store.save_trials([_version(current, "month", "2026-01")])] == ["updated"]
    assert [o.status for o in store.save_trials([_version(current, "year", "2025")])] == ["older"]


def test_versions_in_one_batch_follow_the_same_rules(store: TrialStore, full_trial: MakeTrial) -> None:
    base = full_trial()
    v1, v2, v0 = _version(base, "1", "2026-01-01"), _version(base, "2", "2026-03-01"), _version(base, "0", "2025-01-01")
    statuses = [o.status for o in store.save_trials([v1, v2, v0, v2])]
    assert statuses == ["ingested", "updated", "older", "unchanged"]
    assert store.get(base.trial_id).brief_title.en == "title of 2"


def _ctgov(trial_id: str, *identifiers: Identifier) -> Trial:
    return Trial(trial_id=trial_id, registry="ctgov", identifiers=list(identifiers),
                 brief_title=Text(en=f"Study {trial_id}"),
                 provenance=Provenance(source_format="ctgov_api_v2_json", raw_sha256=sha256_hex(trial_id)))


def test_identifiers_link_records_across_registries(store: TrialStore, full_trial: MakeTrial) -> None:
    chictr = full_trial()  # lists NCT09990001 as a secondary id
    ctgov = _ctgov("NCT09990001", Identifier(scheme="org_study_id", value="HCC-2026-01"))
    page = Trial(trial_id="veeva-NCT09990001", registry="trial_finder",
                 identifiers=[Identifier(scheme="nct", value="nct09990001")],
                 provenance=Provenance(source_format="trial_finder_page", raw_sha256=sha256_hex("page")))
    unrelated = _ctgov("NCT01234567", Identifier(scheme="org_study_id", value="HCC-2026-01"))
    store.save_trials([chictr, ctgov, page, unrelated])
    assert store.linked_trial_ids("NCT09990001") == [chictr.trial_id, "veeva-NCT09990001"]
    assert store.resolve("veeva-nct09990001") == ("veeva-NCT09990001", "trial_finder")
    assert store.linked_trial_ids(chictr.trial_id) == ["NCT09990001", "veeva-NCT09990001"]
    # a shared org_study_id is local to a sponsor and never links records
    assert store.linked_trial_ids("NCT01234567") == []
    # an id that is only listed by other records resolves to one of them
    assert store.resolve("nct09990001") == ("NCT09990001", "ctgov")
    assert store.resolve(chictr.trial_id.lower()) == (chictr.trial_id, "chictr")
    rows = {s.trial_id: s.linked_ids for s in store.list_trials(registry="ctgov")}
    assert rows == {"NCT01234567": (), "NCT09990001": (chictr.trial_id, "veeva-NCT09990001")}


def test_identifiers_follow_the_current_version(store: TrialStore, full_trial: MakeTrial) -> None:
    first = full_trial()
    store.save_trials([first])
    data = first.model_dump()
    data["identifiers"] = [{"scheme": "nct", "value": "NCT07770001"}]
    data["provenance"]["raw_sha256"] = sha256_hex("second")
    store.save_trials([Trial.model_validate(data)])
    assert store.resolve("NCT07770001") == (first.trial_id, "chictr")
    with pytest.raises(NotFoundError):
        store.resolve("NCT09990001")


def test_unknown_id_suggests_close_ids(store: TrialStore) -> None:
    store.save_trials([_ctgov("NCT04011033")])
    with pytest.raises(NotFoundError) as info:
        store.get("NCT04011034")
    assert "NCT04011033" in str(info.value)
    assert "NCT04011034" in str(info.value)


def test_filters_and_iteration(store: TrialStore, full_trial: MakeTrial) -> None:
    trials = [_ctgov(f"NCT0000{i:04d}") for i in range(7)] + [full_trial()]
    store.save_trials(trials, batch_size=3)
    assert store.count() == 8
    assert [t.trial_id for t in store.iter_trials(registry="ctgov", page_size=2)] == [t.trial_id for t in trials[:7]]
    assert [s.trial_id for s in store.list_trials(status="recruiting")] == [trials[-1].trial_id]
    assert len(store.list_trials(limit=3)) == 3


def test_same_id_in_two_registries_is_two_linked_records(store: TrialStore) -> None:
    ctgov = _ctgov("NCT04011033")
    page = Trial(trial_id="NCT04011033", registry="trial_finder", brief_title=Text(en="Veeva page"),
                 identifiers=[Identifier(scheme="nct", value="NCT04011033")],
                 provenance=Provenance(source_format="trial_finder_page", raw_sha256=sha256_hex("page")))
    assert [o.status for o in store.save_trials([page, ctgov])] == ["ingested", "ingested"]
    assert store.get("NCT04011033") == ctgov  # the issuing registry comes first
    assert store.get("NCT04011033", registry="trial_finder") == page
    assert store.linked_trial_ids("NCT04011033") == ["NCT04011033 (trial_finder)"]
    assert store.linked_records("NCT04011033", registry="trial_finder") == [("NCT04011033", "ctgov")]
    assert [t.registry.value for t in store.iter_trials(page_size=1)] == ["ctgov", "trial_finder"]


def test_a_record_rejected_by_the_database_fails_alone(
        store: TrialStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record the database refuses (here: NULL in a NOT NULL column) fails alone, nothing of it stays."""
    from hcctrials.storage import writer

    good = [_ctgov("NCT00000001"), _ctgov("NCT00000002")]
    bad = _ctgov("NCT00000666")
    original = writer._trial_row

    def poisoned(trial: Trial, *args: object) -> dict[str, object]:
        row = original(trial, *args)  # type: ignore[arg-type]
        if trial.trial_id == "NCT00000666":
            row["overall_status"] = None  # NOT NULL column: both backends refuse the row
        return row

    monkeypatch.setattr(writer, "_trial_row", poisoned)
    outcomes = store.save_trials([good[0], bad, good[1]])
    assert [o.status for o in outcomes] == ["ingested", "failed", "ingested"]
    assert outcomes[1].error is not None and "rejected" in outcomes[1].error
    assert store.count() == 2
    with pytest.raises(NotFoundError):
        store.versions("NCT00000666")


def test_dates_are_stored_for_filtering(store: TrialStore, full_trial: MakeTrial) -> None:
    trial = full_trial(dates=TrialDates(study_start="2025-12", last_updated="2026-01-05"))
    store.save_trials([trial])
    assert store.get(trial.trial_id).dates.study_start == "2025-12"
