"""Small app settings (window layout, last folder, chosen model...) stored as JSON values."""

from __future__ import annotations

import json
from typing import Any

from desktop.storage.database import Database

__all__ = ["SettingsStore"]


class SettingsStore:
    """Key/value settings in the ``settings`` table; values are anything JSON can hold.

    Never store secrets here: API keys belong in the keychain. Same threading rule as
    :class:`~desktop.storage.database.Database`.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default`` when absent or unreadable.

        Args:
            key: the setting's name, e.g. ``"playground.temperature"``.
            default: returned when the setting was never saved.

        Returns:
            The decoded JSON value.

        Raises:
            DatabaseError: the database cannot be read.
        """
        rows = self._db.query("SELECT value FROM settings WHERE key = ?", (key,))
        if not rows:
            return default
        try:
            return json.loads(rows[0]["value"])
        except json.JSONDecodeError:
            return default  # a hand-edited or damaged value must not stop the app

    def set(self, key: str, value: Any) -> None:
        """Save ``value`` under ``key``, replacing any previous value.

        Args:
            key: the setting's name.
            value: any JSON-serialisable value (dict, list, str, int, float, bool, None).

        Raises:
            TypeError: the value cannot be represented as JSON (a programming error).
            DatabaseError: the database cannot be written.
        """
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except ValueError as exc:
            raise TypeError(f"setting {key!r} is not JSON-serialisable: {exc}") from exc
        self._db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, text),
        )

    def delete(self, key: str) -> None:
        """Forget a setting (no error if it was never saved).

        Raises:
            DatabaseError: the database cannot be written.
        """
        self._db.execute("DELETE FROM settings WHERE key = ?", (key,))
