"""The dataset page's "Used by jobs": the fine-tuning jobs trained or validated on this file.

The jobs come from the app's local record (:class:`~desktop.storage.jobs_store.JobsStore`):
jobs started from the file, or using a copy of it uploaded from this computer, on any
connection. Double-clicking a job asks to show it in the Jobs tab. Call only from the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QTableView, QVBoxLayout, QWidget

from desktop.core.jobs.records import DatasetJobUse
from desktop.core.jobs.status import status_label

if TYPE_CHECKING:
    from desktop.storage.jobs_store import JobsStore

JobUseRole = Qt.ItemDataRole.UserRole + 1
"""The row's :class:`DatasetJobUse`."""

COLUMNS = ("Job", "Base model", "Status", "Fine-tuned model", "Created")
VISIBLE_ROWS = 4

_Index = QModelIndex | QPersistentModelIndex


def _created(seconds: int) -> str:
    if not seconds:
        return ""
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


class UsedByJobsModel(QAbstractTableModel):
    """The jobs of one dataset, newest first, as :class:`DatasetJobUse` rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._uses: list[DatasetJobUse] = []

    def set_uses(self, uses: list[DatasetJobUse]) -> None:
        self.beginResetModel()
        self._uses = list(uses)
        self.endResetModel()

    def use_at(self, row: int) -> DatasetJobUse | None:
        return self._uses[row] if 0 <= row < len(self._uses) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._uses)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        use = self.use_at(index.row()) if index.isValid() else None
        if use is None:
            return None
        if role == JobUseRole:
            return use
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{use.job_id} on the connection “{use.profile_id}”"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            use.job_id,
            use.model or "not listed yet",
            status_label(use.status) if use.status else "not listed yet",
            use.fine_tuned_model or "",
            _created(use.created_at),
        )
        return values[index.column()]


class UsedByJobsView(QFrame):
    """A titled, compact table of the jobs that used the open dataset; hidden when none did.

    ``job_activated(profile_id, job_id)`` is emitted when a job is double-clicked.
    """

    job_activated = Signal(str, str)

    def __init__(self, store: JobsStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usedByJobs")
        self._store = store
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.title_label = QLabel("Used by jobs")
        self.title_label.setObjectName("sectionTitle")
        self.title_label.setToolTip(
            "Fine-tuning jobs started from this file or from an upload of it"
        )
        layout.addWidget(self.title_label)
        self.model = UsedByJobsModel(self)
        self.table = QTableView()
        self.table.setObjectName("usedByJobsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((190, 190, 110, 260)):
            self.table.setColumnWidth(column, width)
        row_height = self.table.verticalHeader().defaultSectionSize()
        header_height = self.table.horizontalHeader().sizeHint().height()
        self.table.setMaximumHeight(header_height + row_height * VISIBLE_ROWS + 4)
        self.table.doubleClicked.connect(self._on_double_clicked)
        layout.addWidget(self.table)
        self.hide()

    def show_for(self, path: Path | None) -> None:
        """List the jobs that used ``path`` (None, or no store: hide the list)."""
        uses = self._uses_of(path) if path is not None else []
        self.model.set_uses(uses)
        self.title_label.setText(f"Used by jobs ({len(uses)})")
        self.setVisible(bool(uses))

    def _uses_of(self, path: Path) -> list[DatasetJobUse]:
        if self._store is None:
            return []
        # The record keeps the path as the job's dialog spelled it: ask for both spellings.
        spellings = [str(path)]
        try:
            resolved = str(path.resolve())
        except OSError:
            resolved = spellings[0]
        if resolved not in spellings:
            spellings.append(resolved)
        found: dict[tuple[str, str], DatasetJobUse] = {}
        for spelling in spellings:
            for use in self._store.jobs_for_dataset(spelling):
                found.setdefault((use.profile_id, use.job_id), use)
        return sorted(found.values(), key=lambda use: use.created_at, reverse=True)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        use = self.model.use_at(index.row())
        if use is not None:
            self.job_activated.emit(use.profile_id, use.job_id)
