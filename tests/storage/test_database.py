"""The database opens in WAL mode, migrates once, and reports problems as DatabaseError."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core.errors import DatabaseError
from desktop.storage.database import SCHEMA_VERSION, Database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "app.sqlite3"


def test_creates_schema_when_file_is_new(db_path: Path) -> None:
    db = Database(db_path)
    try:
        tables = {row["name"] for row in db.query("SELECT name FROM sqlite_master")}
        assert {"settings", "profiles"} <= tables
        assert db.schema_version == SCHEMA_VERSION
    finally:
        db.close()


def test_uses_wal_and_foreign_keys_when_opened(db_path: Path) -> None:
    db = Database(db_path)
    try:
        assert db.query("PRAGMA journal_mode")[0][0] == "wal"
        assert db.query("PRAGMA foreign_keys")[0][0] == 1
        assert db.query("PRAGMA busy_timeout")[0][0] > 0
    finally:
        db.close()


def test_keeps_data_when_reopened(db_path: Path) -> None:
    db = Database(db_path)
    db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
    db.close()
    again = Database(db_path)
    try:
        assert again.schema_version == SCHEMA_VERSION
        assert again.query("SELECT value FROM settings WHERE key = 'a'")[0]["value"] == "1"
    finally:
        again.close()


def test_applies_only_new_migrations_when_app_is_upgraded(db_path: Path) -> None:
    first = (("CREATE TABLE a (x INTEGER)",),)
    Database(db_path, migrations=first).close()
    both = (*first, ("CREATE TABLE b (y INTEGER)", "INSERT INTO a VALUES (1)"))
    db = Database(db_path, migrations=both)
    try:
        assert db.schema_version == 2
        assert len(db.query("SELECT * FROM a")) == 1
    finally:
        db.close()
    Database(db_path, migrations=both).close()  # a second open does not re-run them


def test_rolls_back_migration_when_it_fails(db_path: Path) -> None:
    good = ("CREATE TABLE a (x INTEGER)",)
    bad = ("CREATE TABLE b (y INTEGER)", "THIS IS NOT SQL")
    with pytest.raises(DatabaseError, match="migrate to version 2"):
        Database(db_path, migrations=(good, bad))
    db = Database(db_path, migrations=(good,))
    try:
        assert db.schema_version == 1
        names = {row["name"] for row in db.query("SELECT name FROM sqlite_master")}
        assert "b" not in names
    finally:
        db.close()


def test_refuses_database_when_newer_than_app(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(DatabaseError) as info:
        Database(db_path)
    assert "newer version" in info.value.user_message


def test_raises_database_error_when_file_is_corrupt(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database, just some bytes" * 100)
    with pytest.raises(DatabaseError) as info:
        Database(db_path)
    assert "damaged" in info.value.user_message
    assert not isinstance(info.value, sqlite3.Error)


def test_raises_database_error_when_statement_fails(db_path: Path) -> None:
    db = Database(db_path)
    try:
        db.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
        with pytest.raises(DatabaseError, match="UNIQUE"):
            db.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
    finally:
        db.close()


def test_raises_database_error_when_used_after_close(db_path: Path) -> None:
    db = Database(db_path)
    db.close()
    db.close()
    with pytest.raises(DatabaseError):
        db.query("SELECT 1")


def test_rolls_back_transaction_when_block_raises(db_path: Path) -> None:
    db = Database(db_path)
    try:
        with pytest.raises(RuntimeError), db.transaction():
            db.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
            with db.transaction():  # nested: joins the outer one
                db.execute("INSERT INTO settings (key, value) VALUES ('j', 'v')")
            raise RuntimeError("boom")
        assert db.query("SELECT * FROM settings") == []
    finally:
        db.close()


def test_raises_database_error_when_another_writer_holds_lock(db_path: Path) -> None:
    db = Database(db_path, busy_timeout_ms=50)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseError) as info:
            db.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
        assert "in use" in info.value.user_message
    finally:
        other.execute("ROLLBACK")
        other.close()
        db.close()
