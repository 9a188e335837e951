"""The app's SQLite database: connection settings, schema migrations, error translation.

The schema version is ``PRAGMA user_version``. ``MIGRATIONS[i]`` brings a database from version
``i`` to ``i + 1``; each runs in its own transaction, so a failed upgrade leaves the previous
version intact. Append new migrations; never edit a released one.

Every ``sqlite3`` error leaving this module is a :class:`~desktop.core.errors.DatabaseError`
whose ``user_message`` says what to do.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from desktop.core.errors import DatabaseError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Database", "Migration", "Params"]

Migration = tuple[str, ...]  # SQL statements, run in order inside one transaction
Params = Sequence[object]

MIGRATIONS: tuple[Migration, ...] = (
    (
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE profiles (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            base_url TEXT NOT NULL DEFAULT '',
            organization TEXT NOT NULL DEFAULT '',
            project TEXT NOT NULL DEFAULT '',
            azure_endpoint TEXT NOT NULL DEFAULT '',
            api_version TEXT NOT NULL DEFAULT '',
            deployments TEXT NOT NULL DEFAULT '[]',
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
        """,
    ),
    (  # 2: the Jobs tab's local record (desktop/storage/jobs_store.py)
        """
        CREATE TABLE jobs (
            profile_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            model TEXT NOT NULL,
            fine_tuned_model TEXT,
            training_file TEXT NOT NULL DEFAULT '',
            validation_file TEXT,
            data TEXT NOT NULL,
            gone INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (profile_id, job_id)
        )
        """,
        "CREATE INDEX jobs_newest ON jobs (profile_id, created_at DESC, job_id DESC)",
        """
        CREATE TABLE job_events (
            seq INTEGER PRIMARY KEY,
            profile_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            data TEXT NOT NULL,
            UNIQUE (profile_id, job_id, event_id)
        )
        """,
        "CREATE INDEX job_events_newest ON job_events (profile_id, job_id, created_at DESC)",
        """
        CREATE TABLE job_origins (
            profile_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            dataset_path TEXT,
            dataset_name TEXT,
            validation_path TEXT,
            quoted_usd TEXT,
            client_token TEXT,
            created_locally_at REAL NOT NULL,
            PRIMARY KEY (profile_id, job_id)
        )
        """,
        "CREATE INDEX job_origins_dataset ON job_origins (dataset_path)",
        "CREATE INDEX job_origins_validation ON job_origins (validation_path)",
        """
        CREATE TABLE uploads (
            profile_id TEXT NOT NULL,
            remote_file_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            local_path TEXT NOT NULL,
            uploaded_at REAL NOT NULL,
            PRIMARY KEY (profile_id, remote_file_id)
        )
        """,
        "CREATE INDEX uploads_content ON uploads (profile_id, sha256, size)",
        "CREATE INDEX uploads_path ON uploads (local_path)",
        """
        CREATE TABLE job_links (
            from_profile_id TEXT NOT NULL,
            from_job_id TEXT NOT NULL,
            to_profile_id TEXT NOT NULL,
            to_job_id TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (from_profile_id, from_job_id, to_profile_id, to_job_id)
        )
        """,
        "CREATE INDEX job_links_to ON job_links (to_profile_id, to_job_id)",
        """
        CREATE TABLE pending_creates (
            client_token TEXT PRIMARY KEY,
            profile_id TEXT NOT NULL,
            request TEXT NOT NULL,
            started_at REAL NOT NULL,
            dataset_path TEXT,
            dataset_name TEXT,
            validation_path TEXT,
            quoted_usd TEXT
        )
        """,
        """
        CREATE TABLE job_notifications (
            profile_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (profile_id, job_id)
        )
        """,
    ),
    (  # 3: the Playground's sessions, presets, votes and evaluation runs (playground_store.py)
        """
        CREATE TABLE playground_sessions (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            model TEXT NOT NULL,
            search_text TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """,
        "CREATE INDEX playground_sessions_newest ON playground_sessions (updated_at DESC)",
        """
        CREATE TABLE playground_presets (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            data TEXT NOT NULL,
            updated_at REAL NOT NULL
        )
        """,
        """
        CREATE TABLE playground_votes (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            data TEXT NOT NULL
        )
        """,
        "CREATE INDEX playground_votes_newest ON playground_votes (created_at DESC)",
        """
        CREATE TABLE evaluation_runs (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at REAL NOT NULL,
            status TEXT NOT NULL,
            models TEXT NOT NULL,
            settings TEXT NOT NULL,
            concurrency INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX evaluation_runs_newest ON evaluation_runs (created_at DESC)",
        """
        CREATE TABLE evaluation_examples (
            run_id TEXT NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
            example_index INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (run_id, example_index)
        )
        """,
        """
        CREATE TABLE evaluation_results (
            run_id TEXT NOT NULL REFERENCES evaluation_runs (id) ON DELETE CASCADE,
            example_index INTEGER NOT NULL,
            model TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (run_id, example_index, model)
        )
        """,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

BUSY_TIMEOUT_MS = 5000

_FULL_MESSAGE = "The disk is full, so the app cannot save its data. Free some space and try again."
_BUSY_MESSAGE = (
    "The app's database is in use by another program (perhaps another Finetune Studio window). "
    "Close it and try again."
)
_CORRUPT_MESSAGE = (
    "The app's database file is damaged. Quit the app, move the file {path} somewhere else "
    "(the app creates a new one; your saved connections will need to be added again)."
)
_READONLY_MESSAGE = "The app may not write its database file {path}. Check the file's permissions."
_NEWER_MESSAGE = (
    "This data was saved by a newer version of Finetune Studio. Install the newer version "
    "to open it."
)


def _user_message(exc: sqlite3.Error, path: Path) -> str:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL:
        return _FULL_MESSAGE
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return _BUSY_MESSAGE
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return _CORRUPT_MESSAGE.format(path=path)
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return _READONLY_MESSAGE.format(path=path)
    return DatabaseError.default_user_message


class Database:
    """One SQLite connection to the app's database, migrated to :data:`SCHEMA_VERSION`.

    Threading: made for the GUI thread. The connection is opened with
    ``check_same_thread=False`` and every call holds an internal re-entrant lock, so a worker
    thread (``asyncio.to_thread``) may use it too, one call at a time. Rows come back as
    ``sqlite3.Row`` (index by column name).

    The connection runs in autocommit mode: each :meth:`execute` is its own transaction unless
    it runs inside ``with db.transaction():``.
    """

    def __init__(
        self,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        """Open (creating if needed) and migrate the database at ``path``.

        Args:
            path: the database file; its folder is created if missing.
            migrations: the schema steps (tests may pass their own).
            busy_timeout_ms: how long to wait for another writer before failing.

        Raises:
            DatabaseError: the file cannot be opened, is damaged, or is newer than the app.
        """
        self._path = path
        self._lock = threading.RLock()
        self._migrations = tuple(migrations)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"cannot create {path.parent}: {exc}",
                user_message=_READONLY_MESSAGE.format(path=path),
            ) from exc
        with self._translated_errors("open"):
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
            )
        try:
            with self._translated_errors("configure"):
                self._conn.row_factory = sqlite3.Row
                self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
                self._conn.execute("PRAGMA foreign_keys = ON")
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"journal_mode is {mode}, not wal")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        return f"Database({str(self._path)!r}, version={SCHEMA_VERSION})"

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The schema version stored in the file (``PRAGMA user_version``)."""
        return int(self.query("PRAGMA user_version")[0][0])

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a statement and return all its rows.

        Raises:
            DatabaseError: SQLite failed (the message says what to do).
        """
        with self._lock, self._translated_errors("query"):
            return self._conn.execute(sql, tuple(params)).fetchall()

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement that changes data.

        Returns:
            The number of rows changed.

        Raises:
            DatabaseError: SQLite failed (the message says what to do).
        """
        with self._lock, self._translated_errors("write"):
            return self._conn.execute(sql, tuple(params)).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group statements into one transaction; rolled back if the block raises.

        Nested use joins the outer transaction.

        Raises:
            DatabaseError: SQLite failed to begin or commit.
        """
        with self._lock:
            if self._conn.in_transaction:
                yield
                return
            with self._translated_errors("begin"):
                self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.rollback()
                raise
            with self._translated_errors("commit"):
                self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection. Further calls raise DatabaseError. Safe to call twice."""
        with self._lock, self._translated_errors("close"):
            self._conn.close()

    def _migrate(self) -> None:
        known = len(self._migrations)
        with self._lock:
            for target in range(1, known + 1):
                with self.transaction():
                    # Read inside the transaction: another process may have migrated meanwhile.
                    if self.schema_version >= target:
                        continue
                    with self._translated_errors(f"migrate to version {target}"):
                        for statement in self._migrations[target - 1]:
                            self._conn.execute(statement)
                        self._conn.execute(f"PRAGMA user_version = {target}")
            current = self.schema_version
        if current > known:
            raise DatabaseError(
                f"database {self._path} has schema version {current}; this app knows up to {known}",
                user_message=_NEWER_MESSAGE,
            )

    @contextmanager
    def _translated_errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            name = getattr(exc, "sqlite_errorname", type(exc).__name__)
            raise DatabaseError(
                f"SQLite failed to {action} {self._path}: {name}: {exc}",
                user_message=_user_message(exc, self._path),
            ) from exc
