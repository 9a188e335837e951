"""Saved connection profiles and which one is active. Keys are never stored here.

The built-in simulated connections are not in the database: :meth:`ProfileStore.list` always
puts the Demo first and "Demo Azure (simulated)" last; neither can be saved over nor deleted.
"""

from __future__ import annotations

import json
import logging
import sqlite3

from desktop.core.connections import (
    BUILT_IN_PROFILE_IDS,
    DEMO_PROFILE_ID,
    ConnectionKind,
    ConnectionProfile,
    built_in_profile,
    demo_azure_profile,
    demo_profile,
    validate_profile,
)
from desktop.core.errors import StorageError, ValidationFailedError
from desktop.storage.database import Database
from desktop.storage.settings import SettingsStore

__all__ = ["ACTIVE_PROFILE_SETTING", "BuiltInProfileError", "ProfileNotFoundError", "ProfileStore"]

ACTIVE_PROFILE_SETTING = "connections.active_profile"

_log = logging.getLogger(__name__)

_COLUMNS = (
    "id, name, kind, base_url, organization, project, azure_endpoint, api_version, deployments"
)


class ProfileNotFoundError(StorageError, KeyError):
    """No saved connection has this id. Also a ``KeyError``, like a missing dict key."""

    default_user_message = "That connection no longer exists. Choose another one in Settings."

    def __str__(self) -> str:  # KeyError would show the message quoted
        return Exception.__str__(self)


class BuiltInProfileError(StorageError):
    """A built-in simulated connection (Demo, Demo Azure) cannot be changed or deleted."""

    default_user_message = "The demo connections are built in: they cannot be changed or deleted."


class ProfileStore:
    """Connection profiles in the ``profiles`` table, ordered by ``position``.

    Deleting a profile does not touch its key: the caller removes it from the keychain too.
    Same threading rule as :class:`~desktop.storage.database.Database`.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._settings = SettingsStore(db)

    def list(self) -> list[ConnectionProfile]:
        """All profiles: the built-in Demo first, the saved ones in their order, then the
        built-in Demo Azure.

        Raises:
            DatabaseError: the database cannot be read.
        """
        rows = self._db.query(f"SELECT {_COLUMNS} FROM profiles ORDER BY position, created_at, id")
        saved = [profile for row in rows if (profile := _from_row(row)) is not None]
        return [demo_profile(), *saved, demo_azure_profile()]

    def get(self, profile_id: str) -> ConnectionProfile:
        """The profile with this id (``"demo"``/``"demo-azure"`` give the built-in ones).

        Raises:
            ProfileNotFoundError: no such profile (also a ``KeyError``).
            DatabaseError: the database cannot be read.
        """
        built_in = built_in_profile(profile_id)
        if built_in is not None:
            return built_in
        rows = self._db.query(f"SELECT {_COLUMNS} FROM profiles WHERE id = ?", (profile_id,))
        profile = _from_row(rows[0]) if rows else None
        if profile is None:
            raise ProfileNotFoundError(f"no connection profile with id {profile_id!r}")
        return profile

    def save(self, profile: ConnectionProfile) -> ConnectionProfile:
        """Insert a new profile (placed last) or update the one with the same id.

        Args:
            profile: the profile; its fields are validated and URLs normalised first.

        Returns:
            The profile as stored (normalised).

        Raises:
            BuiltInProfileError: the profile is a built-in one, or of the demo kind.
            ValidationFailedError: a field is missing or malformed.
            DatabaseError: the database cannot be written.
        """
        if profile.id in BUILT_IN_PROFILE_IDS or profile.kind is ConnectionKind.DEMO:
            raise BuiltInProfileError(f"refusing to save demo profile {profile.id!r}")
        if not profile.id.strip():
            raise ValidationFailedError("empty profile id")
        clean = validate_profile(profile)
        values = (
            clean.name,
            clean.kind.value,
            clean.base_url,
            clean.organization,
            clean.project,
            clean.azure_endpoint,
            clean.api_version,
            json.dumps(list(clean.deployments)),
        )
        with self._db.transaction():
            changed = self._db.execute(
                "UPDATE profiles SET name = ?, kind = ?, base_url = ?, organization = ?, "
                "project = ?, azure_endpoint = ?, api_version = ?, deployments = ? WHERE id = ?",
                (*values, clean.id),
            )
            if changed == 0:
                self._db.execute(
                    f"INSERT INTO profiles ({_COLUMNS}, position) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "(SELECT COALESCE(MAX(position), -1) + 1 FROM profiles))",
                    (clean.id, *values),
                )
        return clean

    def delete(self, profile_id: str) -> None:
        """Delete a saved profile; nothing happens if it does not exist.

        If it was the active profile, the Demo becomes active.

        Raises:
            BuiltInProfileError: the id is a built-in one's (Demo, Demo Azure).
            DatabaseError: the database cannot be written.
        """
        if profile_id in BUILT_IN_PROFILE_IDS:
            raise BuiltInProfileError(f"refusing to delete built-in profile {profile_id!r}")
        with self._db.transaction():
            self._db.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))
            if self._settings.get(ACTIVE_PROFILE_SETTING) == profile_id:
                self._settings.delete(ACTIVE_PROFILE_SETTING)

    def active_id(self) -> str:
        """The active profile's id: the Demo's unless another profile (or Demo Azure) was chosen.

        Falls back to the Demo when the chosen profile no longer exists.

        Raises:
            DatabaseError: the database cannot be read.
        """
        chosen = self._settings.get(ACTIVE_PROFILE_SETTING)
        if not isinstance(chosen, str) or chosen == DEMO_PROFILE_ID:
            return DEMO_PROFILE_ID
        if chosen in BUILT_IN_PROFILE_IDS:
            return chosen
        if not self._db.query("SELECT 1 FROM profiles WHERE id = ?", (chosen,)):
            return DEMO_PROFILE_ID
        return chosen

    def set_active(self, profile_id: str) -> None:
        """Make a profile the active one.

        Raises:
            ProfileNotFoundError: no such profile.
            DatabaseError: the database cannot be written.
        """
        self.get(profile_id)
        self._settings.set(ACTIVE_PROFILE_SETTING, profile_id)


def _from_row(row: sqlite3.Row) -> ConnectionProfile | None:
    """A profile from its row, or None (logged) when the row cannot be understood."""
    try:
        kind = ConnectionKind(row["kind"])
        deployments = json.loads(row["deployments"] or "[]")
        if not isinstance(deployments, list) or not all(isinstance(d, str) for d in deployments):
            raise ValueError("deployments is not a list of strings")
    except ValueError as exc:  # JSONDecodeError is a ValueError
        _log.warning("skipping unreadable connection profile %r: %s", row["id"], exc)
        return None
    if kind is ConnectionKind.DEMO or row["id"] in BUILT_IN_PROFILE_IDS:
        return None
    return ConnectionProfile(
        id=row["id"],
        name=row["name"],
        kind=kind,
        base_url=row["base_url"],
        organization=row["organization"],
        project=row["project"],
        azure_endpoint=row["azure_endpoint"],
        api_version=row["api_version"],
        deployments=tuple(deployments),
    )
