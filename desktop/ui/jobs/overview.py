"""A job's fields in plain words: the "Overview" page of the job detail.

Shows every field of the job, the hyperparameters used, the fine-tuned model id (Copy, Open in
Playground), the result files (Download) and, for a failed job, what happened and what to do,
with "Open line N in Datasets" when the error names a line of a local training file.

Widgets only: the detail widget owns the actions; this page emits what the user asked for.
Call only from the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs.client_token import user_metadata
from desktop.core.jobs.failures import FailureExplanation, explain_failure
from desktop.core.jobs.records import JobOrigin
from desktop.core.jobs.status import (
    format_duration,
    job_duration_seconds,
    status_label,
    status_tone,
)
from desktop.core.types import FineTuningJob
from desktop.ui.jobs.formatting import (
    TONE_COLORS,
    describe_hyperparameters,
    format_cost,
    format_job_cost,
    format_timestamp,
    format_tokens,
    job_suffix,
    method_label,
)

FIELDS = (
    ("status", "Status"),
    ("id", "Job id"),
    ("model", "Base model"),
    ("method", "Method"),
    ("suffix", "Suffix"),
    ("dataset", "Dataset"),
    ("training_file", "Training file"),
    ("validation_file", "Validation file"),
    ("created", "Created"),
    ("finished", "Finished"),
    ("duration", "Duration"),
    ("trained_tokens", "Trained tokens"),
    ("cost", "Cost"),
    ("hyperparameters", "Settings used"),
    ("seed", "Seed"),
    ("metadata", "Metadata"),
)


def failure_target(
    explanation: FailureExplanation, origin: JobOrigin | None
) -> tuple[Path, int] | None:
    """The local file and line a failure names, when this computer has that file."""
    if explanation.line is None or origin is None:
        return None
    path = origin.validation_path if explanation.file_param == "validation_file" else None
    path = path or origin.dataset_path
    return (Path(path), explanation.line) if path else None


class JobOverview(QWidget):
    """Labels for one job. ``value(name)`` returns what a field shows (tests read it)."""

    copy_model_requested = Signal(str)
    open_model_requested = Signal(str)
    download_requested = Signal(str)
    open_line_requested = Signal(object, int)
    """(local dataset ``Path``, line number)"""

    def __init__(
        self, *, now: Callable[[], float] = time.time, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobOverview")
        self._now = now
        self._job: FineTuningJob | None = None
        self._target: tuple[Path, int] | None = None
        layout = QVBoxLayout(self)
        self.failure_box = QFrame()
        self.failure_box.setObjectName("failureBox")
        self.failure_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.failure_box.setStyleSheet(
            "#failureBox { border: 1px solid #e6b8b3; background: #fdf0ef; }"
        )
        failure_layout = QVBoxLayout(self.failure_box)
        self.failure_what = QLabel()
        self.failure_what.setObjectName("failureWhat")
        self.failure_todo = QLabel()
        self.failure_todo.setObjectName("failureWhatToDo")
        self.failure_technical = QLabel()
        self.failure_technical.setObjectName("failureTechnical")
        self.failure_technical.setStyleSheet("color: #5f6368;")
        for label in (self.failure_what, self.failure_todo, self.failure_technical):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            failure_layout.addWidget(label)
        self.open_line_button = QPushButton()
        self.open_line_button.setObjectName("openLineButton")
        self.open_line_button.clicked.connect(self._on_open_line_clicked)
        failure_layout.addWidget(self.open_line_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.failure_box)
        self.failure_box.hide()

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._values: dict[str, QLabel] = {}
        for name, title in FIELDS:
            label = QLabel()
            label.setObjectName(f"field_{name}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._values[name] = label
            form.addRow(f"{title}:", label)

        model_row = QHBoxLayout()
        self.model_id_label = QLabel()
        self.model_id_label.setObjectName("fineTunedModelId")
        self.model_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("copyModelIdButton")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.playground_button = QPushButton("Open in Playground")
        self.playground_button.setObjectName("openModelButton")
        self.playground_button.clicked.connect(self._on_playground_clicked)
        model_row.addWidget(self.model_id_label, 1)
        model_row.addWidget(self.copy_button)
        model_row.addWidget(self.playground_button)
        form.insertRow(0, "Fine-tuned model:", model_row)

        self.files_row = QHBoxLayout()
        self._file_buttons: list[QPushButton] = []
        self.files_label = QLabel()
        self.files_row.addWidget(self.files_label)
        self.files_row.addStretch(1)
        form.addRow("Result files:", self.files_row)
        layout.addLayout(form)
        layout.addStretch(1)

    # ------------------------------------------------------------------ content

    def value(self, name: str) -> str:
        return self._values[name].text()

    @property
    def download_buttons(self) -> list[QPushButton]:
        return list(self._file_buttons)

    def show_job(
        self,
        job: FineTuningJob,
        *,
        origin: JobOrigin | None,
        cost: Decimal | None,
        gone: bool = False,
        simulated: bool = False,
    ) -> None:
        """Show ``job``; ``simulated``: it ran on a Demo connection (its cost was not charged)."""
        self._job = job
        tone = status_tone(job.status)
        status = status_label(job.status)
        if gone:
            status += " — no longer on the connection (kept on this computer)"
        values = self._values
        values["status"].setText(status)
        values["status"].setStyleSheet(
            f"color: {TONE_COLORS.get(tone, '#333')}; font-weight: bold;"
        )
        values["id"].setText(job.id)
        values["model"].setText(job.model)
        values["method"].setText(method_label(job.method))
        values["suffix"].setText(job_suffix(job) or "none")
        dataset = origin.dataset_name if origin is not None else None
        if origin is not None and origin.dataset_path:
            dataset = f"{dataset or Path(origin.dataset_path).name} ({origin.dataset_path})"
        values["dataset"].setText(dataset or "not known on this computer")
        values["training_file"].setText(job.training_file)
        values["validation_file"].setText(job.validation_file or "none")
        values["created"].setText(format_timestamp(job.created_at))
        if job.finished_at:
            finished = format_timestamp(job.finished_at)
        elif job.estimated_finish:
            finished = f"not yet (expected around {format_timestamp(job.estimated_finish)})"
        else:
            finished = "not yet"
        values["finished"].setText(finished)
        seconds = job_duration_seconds(job, now=self._now())
        values["duration"].setText("" if seconds is None else format_duration(seconds))
        if job.trained_tokens is not None:
            tokens = format_tokens(job.trained_tokens)
        else:
            tokens = "none reported" if job.is_finished else "known when training has started"
        values["trained_tokens"].setText(tokens)
        values["cost"].setText(self._cost_text(job, origin, cost, simulated=simulated))
        values["hyperparameters"].setText(
            "\n".join(describe_hyperparameters(job.hyperparameters, method=job.method))
        )
        values["seed"].setText("" if job.seed is None else str(job.seed))
        # The app's client token (see client_token.py) means nothing to the user; the job keeps it.
        metadata = sorted(user_metadata(job.metadata).items())
        values["metadata"].setText(
            "\n".join(f"{key} = {value}" for key, value in metadata) or "none"
        )
        self.model_id_label.setText(job.fine_tuned_model or "not ready yet")
        self.copy_button.setEnabled(bool(job.fine_tuned_model))
        self.playground_button.setEnabled(bool(job.fine_tuned_model))
        self._show_files(job)
        self._show_failure(job, origin)

    @staticmethod
    def _cost_text(
        job: FineTuningJob, origin: JobOrigin | None, cost: Decimal | None, *, simulated: bool
    ) -> str:
        parts = []
        if cost is not None and simulated:
            parts.append(format_job_cost(cost, simulated=True))
        elif cost is not None:
            parts.append(f"{format_cost(cost)} (from the tokens trained)")
        elif not job.is_finished:
            parts.append("known when the job has finished")
        elif not job.trained_tokens:
            parts.append("none reported (no tokens were trained)")
        else:
            parts.append("not known (no training price for this model)")
        if origin is not None and origin.quoted_usd is not None:
            parts.append(f"quoted {format_cost(origin.quoted_usd)} before the start")
        return "; ".join(parts)

    def _show_files(self, job: FineTuningJob) -> None:
        for button in self._file_buttons:
            self.files_row.removeWidget(button)
            button.setParent(None)
        self._file_buttons = []
        empty = "none" if job.is_finished else "none yet (written when the job has finished)"
        self.files_label.setText("" if job.result_files else empty)
        for file_id in job.result_files:
            button = QPushButton(f"Download {file_id}…")
            button.setObjectName("downloadResultButton")
            button.clicked.connect(
                lambda _checked=False, f=file_id: self.download_requested.emit(f)
            )
            self.files_row.insertWidget(self.files_row.count() - 1, button)
            self._file_buttons.append(button)

    def _show_failure(self, job: FineTuningJob, origin: JobOrigin | None) -> None:
        explanation = explain_failure(job)
        if explanation is None:
            self.failure_box.hide()
            self._target = None
            return
        self.failure_what.setText(f"<b>What happened:</b> {explanation.what}")
        self.failure_todo.setText(f"<b>What to do:</b> {explanation.what_to_do}")
        self.failure_technical.setText(explanation.technical)
        self._target = failure_target(explanation, origin)
        if self._target is not None:
            self.open_line_button.setText(f"Open line {self._target[1]} in Datasets")
        self.open_line_button.setVisible(self._target is not None)
        self.failure_box.show()

    # ------------------------------------------------------------------ actions

    def _on_copy_clicked(self) -> None:
        if self._job is not None and self._job.fine_tuned_model:
            QGuiApplication.clipboard().setText(self._job.fine_tuned_model)
            self.copy_model_requested.emit(self._job.fine_tuned_model)

    def _on_playground_clicked(self) -> None:
        if self._job is not None and self._job.fine_tuned_model:
            self.open_model_requested.emit(self._job.fine_tuned_model)

    def _on_open_line_clicked(self) -> None:
        if self._target is not None:
            self.open_line_requested.emit(*self._target)
