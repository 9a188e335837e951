"""The "Models" page of the Jobs tab: the connection's fine-tuned models and their lifetime.

A fine-tuned model stops serving with its base model: the retirement date is the connection's
``shutdown_date`` for the model, else its base model's (catalog). Models retiring within
``RETIRING_SOON_DAYS`` are shown in a warning colour, retired ones in red. Models the
connection does not list right now (offline) but that saved jobs produced are listed too.

Call only from the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.catalog import ModelCatalog, base_model_id, effective_shutdown_date
from desktop.core.jobs.base_models import RETIRING_SOON_DAYS
from desktop.core.types import FineTuningJob, ModelInfo
from desktop.ui.jobs.formatting import TONE_COLORS

AnyIndex = QModelIndex | QPersistentModelIndex
MODEL_COLUMNS = ("Model", "Base model", "Created by job", "Retires on", "Time left")


def is_fine_tuned_id(model_id: str) -> bool:
    """OpenAI's ``ft:…`` ids and Azure's ``<base>.ft-<hex>`` ids."""
    return model_id.startswith("ft:") or ".ft-" in model_id


@dataclass(frozen=True, slots=True)
class FineTunedModelRow:
    """One fine-tuned model as the page shows it."""

    id: str
    base_model: str
    job_id: str | None
    shutdown_date: dt.date | None
    days_left: int | None
    listed: bool

    @property
    def retired(self) -> bool:
        return self.days_left is not None and self.days_left <= 0

    @property
    def retiring_soon(self) -> bool:
        return self.days_left is not None and 0 < self.days_left <= RETIRING_SOON_DAYS

    def countdown(self) -> str:
        if self.days_left is None:
            return "no date announced"
        if self.retired:
            return "retired"
        if self.days_left == 1:
            return "1 day"
        return f"{self.days_left:,} days"


def fine_tuned_rows(
    models: Sequence[ModelInfo],
    jobs: Sequence[FineTuningJob],
    catalog: ModelCatalog | None,
    *,
    today: dt.date,
) -> list[FineTunedModelRow]:
    """The rows, soonest retirement first (no date last), then by id."""
    by_model = {job.fine_tuned_model: job for job in jobs if job.fine_tuned_model}
    listed = {model.id: model for model in models if is_fine_tuned_id(model.id)}
    for model_id in by_model:
        if model_id is not None and model_id not in listed:
            listed[model_id] = ModelInfo(id=model_id)
    rows = []
    for model_id, model in listed.items():
        if catalog is not None:
            shutdown = effective_shutdown_date(model, catalog)
        else:
            shutdown = model.shutdown_date
        job = by_model.get(model_id)
        rows.append(
            FineTunedModelRow(
                id=model_id,
                base_model=job.model if job is not None else base_model_id(model_id),
                job_id=job.id if job is not None else None,
                shutdown_date=shutdown,
                days_left=None if shutdown is None else (shutdown - today).days,
                listed=any(m.id == model_id for m in models),
            )
        )
    far = dt.date.max.toordinal()
    rows.sort(key=lambda r: (r.shutdown_date.toordinal() if r.shutdown_date else far, r.id))
    return rows


class FineTunedModelsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FineTunedModelRow] = []

    def set_rows(self, rows: Sequence[FineTunedModelRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> FineTunedModelRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MODEL_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return MODEL_COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.id if row.listed else f"{row.id} (not listed right now)"
            if column == 1:
                return row.base_model
            if column == 2:
                return row.job_id or "not known"
            if column == 3:
                return row.shutdown_date.isoformat() if row.shutdown_date else ""
            return row.countdown()
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 4):
            if row.retired:
                return QBrush(QColor(TONE_COLORS["bad"]))
            if row.retiring_soon:
                return QBrush(QColor(TONE_COLORS["warn"]))
        if role == Qt.ItemDataRole.ToolTipRole and (row.retiring_soon or row.retired):
            return (
                "This model has retired with its base model."
                if row.retired
                else "Retiring soon: train it again on a newer base model or another "
                "connection (Train again on…) before that date."
            )
        return None


class FineTunedModelsView(QWidget):
    """Table of fine-tuned models with "Open in Playground" and "Copy id"."""

    open_model = Signal(str)

    def __init__(
        self,
        *,
        catalog: Callable[[], ModelCatalog | None] = lambda: None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("fineTunedModelsView")
        self._catalog = catalog
        self.today = today
        self._models: tuple[ModelInfo, ...] = ()
        self._jobs: list[FineTuningJob] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel("")
        self.summary.setObjectName("modelsSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = FineTunedModelsModel(self)
        self.table = QTableView()
        self.table.setObjectName("fineTunedModelsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_open_clicked)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open in Playground")
        self.open_button.setObjectName("openFineTunedModelButton")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.copy_button = QPushButton("Copy id")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._rebuild()

    def set_models(self, models: Sequence[ModelInfo]) -> None:
        self._models = tuple(models)
        self._rebuild()

    def set_jobs(self, jobs: Sequence[FineTuningJob]) -> None:
        self._jobs = list(jobs)
        self._rebuild()

    def rows(self) -> list[FineTunedModelRow]:
        return [r for i in range(self.model.rowCount()) if (r := self.model.row_at(i))]

    def _rebuild(self) -> None:
        rows = fine_tuned_rows(self._models, self._jobs, self._catalog(), today=self.today())
        self.model.set_rows(rows)
        soon = [row for row in rows if row.retiring_soon]
        if not rows:
            text = "No fine-tuned models on this connection yet."
        elif soon:
            first = soon[0]
            text = (
                f"{len(soon)} of {len(rows)} models retire within {RETIRING_SOON_DAYS} days; the "
                f"first, {first.id}, on {first.shutdown_date} ({first.countdown()}). Use "
                "“Train again on…” on its job to carry it to a newer model or another connection."
            )
        else:
            text = f"{len(rows)} fine-tuned models."
        self.summary.setText(text)
        has = bool(rows)
        self.open_button.setEnabled(has)
        self.copy_button.setEnabled(has)

    def _selected(self) -> FineTunedModelRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_open_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            self.open_model.emit(row.id)

    def _on_copy_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            QGuiApplication.clipboard().setText(row.id)
