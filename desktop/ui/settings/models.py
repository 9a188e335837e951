"""The list of connection profiles shown on the left of the Settings dialog."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.core.connections import KIND_LABELS, ConnectionKind, ConnectionProfile

ProfileRole = Qt.ItemDataRole.UserRole + 1
"""``data(index, ProfileRole)`` returns the row's ``ConnectionProfile``."""

ProfileIdRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


def profile_label(profile: ConnectionProfile, *, active: bool, draft: bool) -> str:
    """The text of one row, e.g. ``"Work · OpenAI — in use"``."""
    if profile.kind is ConnectionKind.DEMO:
        text = f"{profile.name} · built-in simulation"
    else:
        text = f"{profile.name or 'Unnamed'} · {KIND_LABELS[profile.kind]}"
    if draft:
        text += " (not saved yet)"
    if active:
        text += " — in use"
    return text


class ProfileListModel(QAbstractListModel):
    """A thin adapter over a plain list of profiles, plus which one is in use.

    At most one row is a *draft*: a profile added in the dialog but not saved yet; it is always
    the last row. Call only from the GUI thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self._profiles: list[ConnectionProfile] = []
        self._active_id = ""
        self._draft_id: str | None = None

    # ------------------------------------------------------------------ Qt interface

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._profiles)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._profiles):
            return None
        profile = self._profiles[index.row()]
        active = profile.id == self._active_id
        if role == Qt.ItemDataRole.DisplayRole:
            return profile_label(profile, active=active, draft=profile.id == self._draft_id)
        if role == Qt.ItemDataRole.FontRole and active:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if active:
                return "The app uses this connection now."
            return "Select to edit; press “Use this connection” to switch to it."
        if role == ProfileRole:
            return profile
        if role == ProfileIdRole:
            return profile.id
        return None

    # ------------------------------------------------------------------ our interface

    @property
    def active_id(self) -> str:
        return self._active_id

    @property
    def draft_id(self) -> str | None:
        return self._draft_id

    def set_profiles(self, profiles: list[ConnectionProfile], *, active_id: str) -> None:
        """Replace every row with the saved profiles (drops any draft)."""
        self.beginResetModel()
        self._profiles = list(profiles)
        self._active_id = active_id
        self._draft_id = None
        self.endResetModel()

    def add_draft(self, profile: ConnectionProfile) -> int:
        """Append an unsaved profile (replacing a previous draft); returns its row."""
        self.remove_draft()
        row = len(self._profiles)
        self.beginInsertRows(QModelIndex(), row, row)
        self._profiles.append(profile)
        self._draft_id = profile.id
        self.endInsertRows()
        return row

    def remove_draft(self) -> None:
        if self._draft_id is None:
            return
        row = self.row_of(self._draft_id)
        self._draft_id = None
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._profiles[row]
            self.endRemoveRows()

    def set_active(self, profile_id: str) -> None:
        old, self._active_id = self._active_id, profile_id
        for changed in (old, profile_id):
            row = self.row_of(changed)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def profile_at(self, row: int) -> ConnectionProfile | None:
        return self._profiles[row] if 0 <= row < len(self._profiles) else None

    def row_of(self, profile_id: str) -> int | None:
        for row, profile in enumerate(self._profiles):
            if profile.id == profile_id:
                return row
        return None

    def is_draft(self, profile_id: str) -> bool:
        return profile_id == self._draft_id
