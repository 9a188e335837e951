"""Which checkpoint? A job's checkpoints with their metrics, the advice, and Playground links.

The advice (``core.jobs.checkpoints.advise``) flags likely over-fitting (validation loss rising
while training loss falls) and recommends the checkpoint with the best validation loss; the
recommended row is bold and selected. "Open in Playground" opens the selected checkpoint,
"Open final model" the job's fine-tuned model.

Call only from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
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

from desktop.core.jobs.checkpoints import CheckpointAdvice
from desktop.core.types import Checkpoint, FineTuningJob
from desktop.ui.jobs.formatting import TONE_COLORS
from desktop.ui.jobs.models import CheckpointTableModel


class CheckpointsView(QWidget):
    """Checkpoints table + advice. ``open_model`` carries the model id to try."""

    open_model = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkpointsView")
        self._job: FineTuningJob | None = None
        self.advice: CheckpointAdvice | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.advice_label = QLabel("")
        self.advice_label.setObjectName("checkpointAdvice")
        self.advice_label.setWordWrap(True)
        layout.addWidget(self.advice_label)
        self.model = CheckpointTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("checkpointTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.open_checkpoint_button = QPushButton("Open checkpoint in Playground")
        self.open_checkpoint_button.setObjectName("openCheckpointButton")
        self.open_checkpoint_button.clicked.connect(self._on_open_checkpoint_clicked)
        self.open_final_button = QPushButton("Open final model in Playground")
        self.open_final_button.setObjectName("openFinalModelButton")
        self.open_final_button.clicked.connect(self._on_open_final_clicked)
        buttons.addWidget(self.open_checkpoint_button)
        buttons.addWidget(self.open_final_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.set_message("")

    def set_message(self, text: str) -> None:
        """Show a note instead of advice (loading, none yet, failed)."""
        self.advice_label.setStyleSheet("")
        self.advice_label.setText(text)
        self._update_buttons()

    def set_job(self, job: FineTuningJob | None) -> None:
        if job is None or self._job is None or job.id != self._job.id:
            self.model.set_checkpoints([], None)
            self.advice = None
        self._job = job
        self._update_buttons()

    def set_checkpoints(
        self, checkpoints: Sequence[Checkpoint], advice: CheckpointAdvice | None
    ) -> None:
        self.advice = advice
        self.model.set_checkpoints(checkpoints, advice)
        if not checkpoints:
            self.set_message("No checkpoints yet: they appear at the end of each epoch.")
            return
        text = advice.explanation if advice is not None else ""
        if advice is not None and advice.overfitting:
            self.advice_label.setStyleSheet(f"color: {TONE_COLORS['warn']}; font-weight: bold;")
            if "over-fit" not in text.lower():
                text = f"Likely over-fitting. {text}"
        else:
            self.advice_label.setStyleSheet("")
        self.advice_label.setText(text)
        recommended = advice.recommended if advice is not None else None
        row = self.model.row_of(recommended.id) if recommended is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._update_buttons()

    def selected_checkpoint(self) -> Checkpoint | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.checkpoint_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        self.open_checkpoint_button.setEnabled(self.selected_checkpoint() is not None)
        final = self._job.fine_tuned_model if self._job is not None else None
        self.open_final_button.setEnabled(bool(final))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        checkpoint = self.model.checkpoint_at(index.row())
        if checkpoint is not None:
            self.open_model.emit(checkpoint.fine_tuned_model_checkpoint)

    def _on_open_checkpoint_clicked(self) -> None:
        checkpoint = self.selected_checkpoint()
        if checkpoint is not None:
            self.open_model.emit(checkpoint.fine_tuned_model_checkpoint)

    def _on_open_final_clicked(self) -> None:
        if self._job is not None and self._job.fine_tuned_model:
            self.open_model.emit(self._job.fine_tuned_model)
