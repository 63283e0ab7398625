"""Managing a study's members in the storage layer: a study always keeps one investigator.

The clinic's rule: a study workspace without an investigator has nobody left who may add members or
change roles, so the last investigator can be neither removed nor demoted; every removal and role
change is written to the audit log with the old and new role.  Run on SQLite and on PostgreSQL (the
throwaway server of tests/conftest.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hcctrials.errors import InputError
from hcctrials.storage.engine import create_engine
from hcctrials.storage.migrate import upgrade
from hcctrials.storage.studies import LastInvestigator, NotAMember, StudyStore, User


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StudyStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'studies.sqlite3'}"
        upgrade(url)
        engine = create_engine(url)
        yield StudyStore(engine)
        engine.dispose()
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    database = request.getfixturevalue("postgres_database")
    schema = f"s_{uuid.uuid4().hex[:12]}"
    params: dict[str, Any] = dict(host=server.host, port=server.port, user=server.user, dbname=database,
                                  autocommit=True)
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = server.url(database, search_path=schema)
    upgrade(url)
    engine = create_engine(url)
    yield StudyStore(engine)
    engine.dispose()
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _study_with_team(store: StudyStore) -> tuple[int, dict[str, User]]:
    team = {name: store.create_user(name, "not-a-real-hash") for name in ("dr_li", "dr_wang", "nurse_chen")}
    assert all(team.values())
    people = {name: user for name, user in team.items() if user is not None}
    study = store.create_study(people["dr_li"], "HCC-TACE-01", "TACE plus lenvatinib", {})
    store.set_member(people["dr_li"], study.id, "nurse_chen", "coordinator")
    return study.id, people


def test_the_only_investigator_can_be_neither_removed_nor_demoted(store: StudyStore) -> None:
    study_id, people = _study_with_team(store)
    with pytest.raises(LastInvestigator) as removed:
        store.remove_member(people["dr_li"], study_id, "dr_li")
    assert removed.value.username == "dr_li"
    with pytest.raises(LastInvestigator):
        store.set_member_role(people["dr_li"], study_id, "dr_li", "viewer")
    with pytest.raises(LastInvestigator):
        store.set_member(people["dr_li"], study_id, "dr_li", "coordinator")
    assert ("dr_li", "investigator") in store.members(study_id)
    assert store.count_investigators(study_id) == 1
    assert not [e for e in store.audit_entries(study_id=study_id) if e.action == "member_removed"]


def test_with_a_second_investigator_the_first_may_step_down(store: StudyStore) -> None:
    study_id, people = _study_with_team(store)
    store.set_member(people["dr_li"], study_id, "dr_wang", "investigator")
    assert store.set_member_role(people["dr_wang"], study_id, "dr_li", "viewer") == "investigator"
    assert dict(store.members(study_id)) == {"dr_li": "viewer", "dr_wang": "investigator",
                                             "nurse_chen": "coordinator"}
    with pytest.raises(LastInvestigator):  # dr_wang is now the only one
        store.remove_member(people["dr_wang"], study_id, "dr_wang")
    assert store.remove_member(people["dr_wang"], study_id, "nurse_chen") == "coordinator"
    assert dict(store.members(study_id)) == {"dr_li": "viewer", "dr_wang": "investigator"}

    entries = store.audit_entries(study_id=study_id)
    demoted = next(e for e in entries if e.action == "member_role" and e.entity == "member dr_li"
                   and e.new_value == {"role": "viewer"})
    assert demoted.username == "dr_wang" and demoted.old_value == {"role": "investigator"}
    removed = next(e for e in entries if e.action == "member_removed")
    assert removed.entity == "member nurse_chen" and removed.old_value == {"role": "coordinator"}
    assert removed.new_value is None and removed.username == "dr_wang"


def test_changing_someone_who_is_no_member_names_them(store: StudyStore) -> None:
    study_id, people = _study_with_team(store)
    with pytest.raises(NotAMember) as missing:
        store.set_member_role(people["dr_li"], study_id, "dr_wang", "viewer")
    assert missing.value.username == "dr_wang"
    with pytest.raises(NotAMember):
        store.remove_member(people["dr_li"], study_id, "nobody")
    with pytest.raises(InputError) as unknown:
        store.set_member_role(people["dr_li"], study_id, "nurse_chen", "surgeon")
    assert unknown.value.field == "role" and unknown.value.value == "surgeon"


def test_an_unchanged_role_writes_no_audit_entry(store: StudyStore) -> None:
    study_id, people = _study_with_team(store)
    before = len(store.audit_entries(study_id=study_id))
    assert store.set_member_role(people["dr_li"], study_id, "nurse_chen", "coordinator") == "coordinator"
    assert len(store.audit_entries(study_id=study_id)) == before
