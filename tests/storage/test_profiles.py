"""Connection profiles: Demo first and built in, CRUD, active profile with fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.connections import (
    DEMO_AZURE_PROFILE_ID,
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
    demo_azure_profile,
    demo_profile,
)
from desktop.core.errors import ValidationFailedError
from desktop.storage.database import Database
from desktop.storage.profiles import BuiltInProfileError, ProfileNotFoundError, ProfileStore


@pytest.fixture
def store(db: Database) -> ProfileStore:
    return ProfileStore(db)


def _openai(profile_id: str = "work", name: str = "Work") -> ConnectionProfile:
    return ConnectionProfile(id=profile_id, name=name, kind=ConnectionKind.OPENAI, project="p1")


def _azure() -> ConnectionProfile:
    return ConnectionProfile(
        id="az",
        name="Contoso",
        kind=ConnectionKind.AZURE,
        azure_endpoint="https://contoso.openai.azure.com/",
        deployments=("gpt-4o-mini", "ft-bot"),
    )


def test_lists_only_the_built_in_demos_when_nothing_saved(store: ProfileStore) -> None:
    assert store.list() == [demo_profile(), demo_azure_profile()]


def test_lists_demo_first_then_saved_in_order_when_profiles_saved(store: ProfileStore) -> None:
    store.save(_openai("b", "Second"))
    store.save(_azure())
    store.save(_openai("b", "Second renamed"))  # an update keeps its place
    ids = [p.id for p in store.list()]
    assert ids == [DEMO_PROFILE_ID, "b", "az", DEMO_AZURE_PROFILE_ID]
    assert store.get("b").name == "Second renamed"


def test_round_trips_every_field_when_saved(store: ProfileStore) -> None:
    saved = store.save(_azure())
    assert saved.azure_endpoint == "https://contoso.openai.azure.com"  # normalised
    assert store.get("az") == saved
    assert store.get("az").deployments == ("gpt-4o-mini", "ft-bot")


def test_keeps_profiles_when_database_reopened(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    ProfileStore(db).save(_openai())
    db.close()
    db = Database(tmp_path / "x.sqlite3")
    try:
        assert ProfileStore(db).get("work") == _openai()
    finally:
        db.close()


def test_rejects_profile_when_invalid(store: ProfileStore) -> None:
    bad = ConnectionProfile(id="c", name="Local", kind=ConnectionKind.COMPATIBLE)
    with pytest.raises(ValidationFailedError):
        store.save(bad)
    assert [p.id for p in store.list()] == [DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID]


def test_raises_not_found_when_id_unknown(store: ProfileStore) -> None:
    with pytest.raises(ProfileNotFoundError, match="'nope'") as info:
        store.get("nope")
    assert isinstance(info.value, KeyError)
    assert "no longer exists" in info.value.user_message


def test_returns_demo_when_demo_id_requested(store: ProfileStore) -> None:
    assert store.get(DEMO_PROFILE_ID) == demo_profile()


def test_refuses_demo_when_deleted_or_saved(store: ProfileStore) -> None:
    with pytest.raises(BuiltInProfileError):
        store.delete(DEMO_PROFILE_ID)
    with pytest.raises(BuiltInProfileError):
        store.save(demo_profile().with_changes(name="Mine"))
    assert store.list() == [demo_profile(), demo_azure_profile()]


def test_returns_demo_azure_when_its_id_requested(store: ProfileStore) -> None:
    assert store.get(DEMO_AZURE_PROFILE_ID) == demo_azure_profile()


def test_refuses_demo_azure_when_deleted_or_saved(store: ProfileStore) -> None:
    with pytest.raises(BuiltInProfileError):
        store.delete(DEMO_AZURE_PROFILE_ID)
    with pytest.raises(BuiltInProfileError):
        store.save(demo_azure_profile().with_changes(name="Mine"))
    assert store.list()[-1] == demo_azure_profile()


def test_remembers_demo_azure_as_active_when_set(db: Database, store: ProfileStore) -> None:
    store.set_active(DEMO_AZURE_PROFILE_ID)

    assert ProfileStore(db).active_id() == DEMO_AZURE_PROFILE_ID


def test_removes_profile_when_deleted(store: ProfileStore) -> None:
    store.save(_openai())
    store.delete("work")
    store.delete("work")  # already gone: no error
    assert [p.id for p in store.list()] == [DEMO_PROFILE_ID, DEMO_AZURE_PROFILE_ID]


def test_active_is_demo_when_nothing_chosen(store: ProfileStore) -> None:
    assert store.active_id() == DEMO_PROFILE_ID


def test_remembers_active_when_set(db: Database, store: ProfileStore) -> None:
    store.save(_openai())
    store.set_active("work")
    assert ProfileStore(db).active_id() == "work"
    store.set_active(DEMO_PROFILE_ID)
    assert store.active_id() == DEMO_PROFILE_ID


def test_active_falls_back_to_demo_when_profile_deleted(store: ProfileStore) -> None:
    store.save(_openai())
    store.set_active("work")
    store.delete("work")
    assert store.active_id() == DEMO_PROFILE_ID


def test_active_falls_back_to_demo_when_stored_id_vanished(db: Database) -> None:
    store = ProfileStore(db)
    store.save(_openai())
    store.set_active("work")
    db.execute("DELETE FROM profiles")
    assert store.active_id() == DEMO_PROFILE_ID


def test_refuses_active_when_profile_unknown(store: ProfileStore) -> None:
    with pytest.raises(ProfileNotFoundError):
        store.set_active("ghost")


def test_skips_row_when_kind_unknown(db: Database, store: ProfileStore) -> None:
    store.save(_openai())
    db.execute("INSERT INTO profiles (id, name, kind) VALUES ('x', 'X', 'martian')")
    assert [p.id for p in store.list()] == [DEMO_PROFILE_ID, "work", DEMO_AZURE_PROFILE_ID]
    with pytest.raises(ProfileNotFoundError):
        store.get("x")


def test_has_no_column_for_keys_when_schema_created(db: Database) -> None:
    columns = {row["name"] for row in db.query("PRAGMA table_info(profiles)")}
    assert not any("key" in column or "secret" in column for column in columns)
