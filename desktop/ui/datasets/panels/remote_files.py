"""The "Remote files" list: the active connection's files, with refresh, filter and delete."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import FinetuneError
from desktop.core.types import RemoteFile
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.datasets.panels.formatting import format_size

if TYPE_CHECKING:
    from desktop.ui.common.connection_service import ConnectionService

log = logging.getLogger(__name__)

RemoteFileRole = Qt.ItemDataRole.UserRole + 1
"""``data(index, RemoteFileRole)`` is the row's ``RemoteFile``."""

PURPOSES = ("fine-tune", "fine-tune-results", "batch", "assistants", "vision", "user_data")
ALL_PURPOSES = "All purposes"
COLUMNS = ("Name", "Size", "Created", "Purpose")

_Index = QModelIndex | QPersistentModelIndex


class RemoteFilesModel(QAbstractTableModel):
    """A thin table over a list of ``RemoteFile`` values, newest first. GUI thread only."""

    def __init__(self) -> None:
        super().__init__()
        self._files: list[RemoteFile] = []

    def set_files(self, files: list[RemoteFile]) -> None:
        self.beginResetModel()
        self._files = sorted(files, key=lambda f: f.created_at, reverse=True)
        self.endResetModel()

    def remove(self, file_id: str) -> None:
        for row, stored in enumerate(self._files):
            if stored.id == file_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._files[row]
                self.endRemoveRows()
                return

    def file(self, row: int) -> RemoteFile | None:
        return self._files[row] if 0 <= row < len(self._files) else None

    @property
    def files(self) -> tuple[RemoteFile, ...]:
        return tuple(self._files)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._files)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        stored = self.file(index.row()) if index.isValid() else None
        if stored is None:
            return None
        if role == RemoteFileRole:
            return stored
        if role == Qt.ItemDataRole.ToolTipRole:
            return stored.id
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return stored.filename
        if column == 1:
            return format_size(stored.bytes)
        if column == 2:
            created = dt.datetime.fromtimestamp(stored.created_at)
            return created.strftime("%Y-%m-%d %H:%M")
        return stored.purpose


class RemoteFilesWidget(QWidget):
    """The connection's files in a table, with Refresh, a purpose filter and Delete.

    Lists the files the first time it is shown and whenever the connection changes (while
    shown). At most one listing runs at a time (``refresh_task``). GUI thread only.
    """

    def __init__(self, service: ConnectionService, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remoteFiles")
        self._service = service
        self.refresh_task: asyncio.Task[None] | None = None
        self.delete_task: asyncio.Task[None] | None = None
        self._loaded = False
        self._build()
        service.connection_changed.connect(self._on_connection_changed)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        title = QLabel("Files on the connection")
        title.setObjectName("sectionLabel")
        self.purpose_combo = QComboBox()
        self.purpose_combo.setObjectName("remoteFilesPurpose")
        self.purpose_combo.addItems([ALL_PURPOSES, *PURPOSES])
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("remoteFilesRefresh")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("remoteFilesDelete")
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.purpose_combo)
        top.addWidget(self.refresh_button)
        top.addWidget(self.delete_button)
        layout.addLayout(top)
        self.model = RemoteFilesModel()
        self.table = QTableView()
        self.table.setObjectName("remoteFilesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)
        self.status_label = QLabel()
        self.status_label.setObjectName("remoteFilesStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.purpose_combo.currentIndexChanged.connect(self._on_purpose_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ public

    @property
    def purpose(self) -> str | None:
        text = self.purpose_combo.currentText()
        return None if text == ALL_PURPOSES else text

    def refresh(self, *, report_errors: bool = False) -> asyncio.Task[None]:
        """List the files again (cancelling a listing in progress).

        Args:
            report_errors: show a failure with ``show_error`` (else only in the status line).

        Returns:
            The listing's task.
        """
        cancel_task(self.refresh_task)
        self.refresh_task = asyncio.ensure_future(self._refresh(report_errors))
        self._update_buttons()
        return self.refresh_task

    def selected_file(self) -> RemoteFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.file(rows[0].row()) if rows else None

    # ------------------------------------------------------------------ events

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and (self.refresh_task is None or self.refresh_task.done()):
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        cancel_task(self.refresh_task)
        cancel_task(self.delete_task)
        super().closeEvent(event)

    def _on_connection_changed(self, _profile: object) -> None:
        self.model.set_files([])
        self._loaded = False
        if self.isVisible():
            self.refresh()

    def _on_refresh_clicked(self) -> None:
        self.refresh(report_errors=True)

    def _on_purpose_changed(self, _index: int) -> None:
        self.refresh(report_errors=True)

    def _on_delete_clicked(self) -> None:
        stored = self.selected_file()
        if stored is None:
            return
        question = (
            f"Delete “{stored.filename}” ({format_size(stored.bytes)}) from the connection? "
            "Jobs that use it keep working, but you cannot start new ones with it. "
            "Your copy on this computer is not touched."
        )
        if not confirm(self, "Delete file", question, action="Delete"):
            return
        self.delete_task = self._delete(stored)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.delete_task is not None and not self.delete_task.done()
        self.delete_button.setEnabled(not busy and self.selected_file() is not None)

    # ------------------------------------------------------------------ work

    async def _refresh(self, report_errors: bool) -> None:
        self.status_label.setText("Listing the files…")
        try:
            provider = await self._service.provider()
            files = await provider.list_files(purpose=self.purpose)
        except FinetuneError as exc:
            log.info("listing remote files failed: %s", type(exc).__name__)
            self.status_label.setText(f"Could not list the files. {exc.user_message}")
            if report_errors:
                show_error(self, exc)
            return
        self.model.set_files(files)
        self._loaded = True
        count = len(files)
        self.status_label.setText(f"{count} file{'s' if count != 1 else ''}.")
        self._update_buttons()

    @async_slot()
    async def _delete(self, stored: RemoteFile) -> None:
        self.status_label.setText(f"Deleting {stored.filename}…")
        try:
            provider = await self._service.provider()
            await provider.delete_file(stored.id)
        except FinetuneError as exc:
            self.status_label.setText("The file was not deleted.")
            show_error(self, exc)
            return
        finally:
            self.delete_task = None
            self._update_buttons()
        self.model.remove(stored.id)
        self.status_label.setText(f"Deleted {stored.filename}.")
        self._update_buttons()
