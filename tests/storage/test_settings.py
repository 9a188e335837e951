"""Settings round-trip JSON values through the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.storage.database import Database
from desktop.storage.settings import SettingsStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SettingsStore]:
    db = Database(tmp_path / "app.sqlite3")
    yield SettingsStore(db)
    db.close()


def test_returns_default_when_key_never_set(store: SettingsStore) -> None:
    assert store.get("missing") is None
    assert store.get("missing", 42) == 42


def test_round_trips_value_when_json_serialisable(store: SettingsStore) -> None:
    value = {"size": [800, 600], "ratio": 0.5, "name": "héllo", "on": True, "none": None}
    store.set("window", value)
    assert store.get("window") == value


def test_replaces_value_when_set_twice(store: SettingsStore) -> None:
    store.set("k", 1)
    store.set("k", "two")
    assert store.get("k") == "two"


def test_forgets_value_when_deleted(store: SettingsStore) -> None:
    store.set("k", 1)
    store.delete("k")
    store.delete("k")
    assert store.get("k", "gone") == "gone"


def test_rejects_value_when_not_json_serialisable(store: SettingsStore) -> None:
    with pytest.raises(TypeError):
        store.set("k", object())
    with pytest.raises(TypeError):
        store.set("k", float("nan"))
