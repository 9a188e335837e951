"""The detail of one job: Overview, Charts, Checkpoints and Events pages plus its actions.

The pages load lazily: events when a job is shown, the charts (and pyqtgraph) when the Charts
page is first opened, checkpoints when the Checkpoints page is opened. While the job runs, new
metrics events go straight into the chart; once it has succeeded, the result file replaces them.

The loads themselves are :mod:`desktop.ui.jobs.detail_loading`, mixed into the widget.

Invariants: at most one load per kind runs (a new job cancels the old loads); answers for a job
no longer shown are dropped. Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.connections import ConnectionKind
from desktop.core.errors import FinetuneError
from desktop.core.jobs.metrics import points_from_events
from desktop.core.jobs.status import is_active, status_label, status_tone
from desktop.core.types import FineTuningJob, JobEvent
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.errors import show_error
from desktop.ui.common.prompts import confirm
from desktop.ui.jobs.charts import MetricsChartWidget
from desktop.ui.jobs.checkpoints_view import CheckpointsView
from desktop.ui.jobs.detail_loading import JobDetailLoading
from desktop.ui.jobs.events_view import EventLogView
from desktop.ui.jobs.forget import can_forget
from desktop.ui.jobs.formatting import TONE_COLORS, job_title
from desktop.ui.jobs.overview import JobOverview

if TYPE_CHECKING:
    from desktop.ui.jobs.service import JobsService

CANCEL_QUESTION = (
    "Cancel the job “{title}”?\n\nTraining stops now and cannot be resumed. What was "
    "already trained is still billed."
)


def _ask_download_path(parent: QWidget, suggested: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save the result file", suggested)
    return Path(path) if path else None


ask_download_path = _ask_download_path
"""Where to save a downloaded result file (tests replace it)."""


class JobDetailWidget(QWidget, JobDetailLoading):
    """Shows one job (``show_job``); empty until a job is selected."""

    open_model = Signal(str)
    """Open this model id in the Playground."""
    open_dataset_line = Signal(object, int)
    """Open this local dataset (``Path``) at this line in the Datasets tab."""
    train_again_requested = Signal(object)
    export_requested = Signal(object)
    forget_requested = Signal(object)
    """Forget this job (``FineTuningJob``) on this computer (the tab asks first)."""

    def __init__(self, service: JobsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobDetail")
        self._service = service
        self.job: FineTuningJob | None = None
        self.events_task: asyncio.Task[None] | None = None
        self.charts_task: asyncio.Task[None] | None = None
        self.checkpoints_task: asyncio.Task[None] | None = None
        self.action_task: asyncio.Task[None] | None = None
        self.download_task: asyncio.Task[None] | None = None
        self._charts_job: str | None = None
        self._checkpoints_job: str | None = None
        self._build()
        service.job_changed.connect(self._on_job_changed)
        service.events_added.connect(self._on_events_added)
        service.job_gone.connect(self._on_job_gone)
        self.show_job(None)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        header = QHBoxLayout()
        self.title_label = QLabel()
        self.title_label.setObjectName("jobTitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_badge = QLabel()
        self.status_badge.setObjectName("jobStatusBadge")
        header.addWidget(self.title_label, 1)
        header.addWidget(self.status_badge)
        layout.addLayout(header)
        actions = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel job…")
        self.cancel_button.setObjectName("cancelJobButton")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseJobButton")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("resumeJobButton")
        self.train_again_button = QPushButton("Train again on…")
        self.train_again_button.setObjectName("trainAgainButton")
        self.export_button = QPushButton("Export report…")
        self.export_button.setObjectName("exportReportButton")
        self.forget_button = QPushButton("Forget on this computer…")
        self.forget_button.setObjectName("forgetJobButton")
        self.forget_button.setToolTip(
            "Remove this app's record of the job; the job and its model stay on the connection"
        )
        self.forget_button.clicked.connect(self._on_forget_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.train_again_button.clicked.connect(self._on_train_again_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        for button in (
            self.cancel_button,
            self.pause_button,
            self.resume_button,
            self.train_again_button,
            self.export_button,
            self.forget_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.notice = QLabel("")
        self.notice.setObjectName("jobNotice")
        self.notice.setWordWrap(True)
        layout.addWidget(self.notice)

        self.pages = QTabWidget()
        self.pages.setObjectName("jobPages")
        self.overview = JobOverview()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.overview)
        self.charts = MetricsChartWidget()
        self.checkpoints = CheckpointsView()
        self.events = EventLogView()
        self.pages.addTab(scroll, "Overview")
        self.pages.addTab(self.charts, "Charts")
        self.pages.addTab(self.checkpoints, "Checkpoints")
        self.pages.addTab(self.events, "Events")
        self.pages.currentChanged.connect(self._on_page_changed)
        layout.addWidget(self.pages, 1)

        self.overview.open_model_requested.connect(self.open_model)
        self.overview.open_line_requested.connect(self.open_dataset_line)
        self.overview.download_requested.connect(self._on_download_requested)
        self.checkpoints.open_model.connect(self.open_model)
        self.events.older_requested.connect(self._on_older_requested)

    # ------------------------------------------------------------------ showing

    def show_job(self, job: FineTuningJob | None) -> None:
        """Show ``job`` (None: nothing selected)."""
        switched = job is None or self.job is None or job.id != self.job.id
        self.job = job
        self.setEnabled(job is not None)
        if switched:
            for task in (self.events_task, self.charts_task, self.checkpoints_task):
                cancel_task(task)
            self._charts_job = self._checkpoints_job = None
            self.notice.setText("")
            self.checkpoints.set_job(job)
            self.charts.set_points([])
            self.charts.file_stem = f"{job.id}-charts" if job is not None else "training-charts"
            self.events.set_events(
                job.id if job else None, self._service.events(job.id) if job else []
            )
        if job is None:
            self.title_label.setText("Select a job to see its details.")
            self.status_badge.setText("")
            self._update_actions()
            return
        self._refresh_labels(job)
        if switched:
            if not self._service.is_gone(job.id) and job.id not in self._service.watched:
                self.events_task = self._load_events(job.id)
            self._on_page_changed(self.pages.currentIndex())

    def _refresh_labels(self, job: FineTuningJob) -> None:
        self.title_label.setText(f"<b>{job_title(job)}</b>")
        color = TONE_COLORS.get(status_tone(job.status), TONE_COLORS["neutral"])
        self.status_badge.setText(status_label(job.status))
        self.status_badge.setStyleSheet(
            f"color: white; background: {color}; border-radius: 4px; padding: 2px 8px;"
        )
        self.overview.show_job(
            job,
            origin=self._service.origin(job.id),
            cost=self._service.cost(job),
            gone=self._service.is_gone(job.id),
            simulated=self._service.profile.kind is ConnectionKind.DEMO,
        )
        self.checkpoints.set_job(job)
        self._update_actions()

    def _update_actions(self) -> None:
        job = self.job
        busy = self.action_task is not None and not self.action_task.done()
        status = job.status if job is not None else ""
        self.cancel_button.setEnabled(job is not None and is_active(status) and not busy)
        # Azure OpenAI (and the Demo Azure simulating it) has no pause or resume: not offered.
        pausable = not self._service.profile.uses_azure_api
        self.pause_button.setVisible(pausable and status != "paused")
        self.pause_button.setEnabled(status == "running" and not busy)
        self.resume_button.setVisible(pausable and status == "paused")
        self.resume_button.setEnabled(status == "paused" and not busy)
        self.train_again_button.setEnabled(job is not None)
        self.export_button.setEnabled(job is not None)
        gone = job is not None and self._service.is_gone(job.id)
        self.forget_button.setVisible(can_forget(job, gone=gone))

    def _on_job_changed(self, job: FineTuningJob) -> None:
        if self.job is None or job.id != self.job.id:
            return
        was_finished = self.job.is_finished
        self.job = job
        self._refresh_labels(job)
        if job.is_finished and not was_finished:
            # The result file and the final checkpoints replace what the events showed.
            self._charts_job = self._checkpoints_job = None
            self._on_page_changed(self.pages.currentIndex())

    def _on_job_gone(self, job_id: str) -> None:
        if self.job is not None and self.job.id == job_id:
            self._refresh_labels(self.job)
            self.notice.setText(
                "This job no longer exists on the connection (it was deleted there). "
                "What this computer recorded is kept."
            )

    def _on_events_added(self, job_id: str, events: list[JobEvent]) -> None:
        if self.job is None or job_id != self.job.id:
            return
        self.events.add_newer(events)
        if not self.job.is_finished and self._charts_job == job_id:
            self.charts.add_points(points_from_events(events))

    def _on_page_changed(self, index: int) -> None:
        job = self.job
        if job is None:
            return
        page = self.pages.widget(index)
        if page is self.charts and self._charts_job != job.id:
            self._charts_job = job.id
            cancel_task(self.charts_task)
            self.charts_task = self._load_charts(job)
        elif page is self.checkpoints and self._checkpoints_job != job.id:
            self._checkpoints_job = job.id
            cancel_task(self.checkpoints_task)
            self.checkpoints_task = self._load_checkpoints(job)

    # ------------------------------------------------------------------ loading

    def _on_older_requested(self, before_id: str) -> None:
        if self.job is not None:
            self.events_task = self._load_older(self.job.id, before_id)

    # ------------------------------------------------------------------ actions

    def _on_cancel_clicked(self) -> None:
        job = self.job
        if job is None:
            return
        question = CANCEL_QUESTION.format(title=job_title(job))
        if confirm(self, "Cancel job", question, action="Cancel job"):
            self.action_task = self._act(job.id, "cancel")
            self._update_actions()

    def _on_pause_clicked(self) -> None:
        if self.job is not None:
            self.action_task = self._act(self.job.id, "pause")
            self._update_actions()

    def _on_resume_clicked(self) -> None:
        if self.job is not None:
            self.action_task = self._act(self.job.id, "resume")
            self._update_actions()

    @async_slot()
    async def _act(self, job_id: str, action: str) -> None:
        service = self._service
        calls = {"cancel": service.cancel, "pause": service.pause, "resume": service.resume}
        try:
            await calls[action](job_id)
        except FinetuneError as exc:
            show_error(self, exc)
        finally:
            self.action_task = None
            self._update_actions()

    def _on_train_again_clicked(self) -> None:
        if self.job is not None:
            self.train_again_requested.emit(self.job)

    def _on_export_clicked(self) -> None:
        if self.job is not None:
            self.export_requested.emit(self.job)

    def _on_forget_clicked(self) -> None:
        if self.job is not None:
            self.forget_requested.emit(self.job)

    def _on_download_requested(self, file_id: str) -> None:
        path = ask_download_path(self, f"{file_id}.csv")
        if path is not None:
            self.download_task = self._download(file_id, path)

    @async_slot()
    async def _download(self, file_id: str, path: Path) -> None:
        try:
            data = await self._service.file_content(file_id)
            await asyncio.to_thread(path.write_bytes, data)
        except FinetuneError as exc:
            show_error(self, exc)
            return
        except OSError as exc:
            from desktop.core.errors import StorageError

            message = "The file could not be saved there. Choose a folder you may write to."
            show_error(self, StorageError(f"cannot write {path}: {exc}", user_message=message))
            return
        self.notice.setText(f"Saved {file_id} to {path}.")

    def shutdown(self) -> None:
        for task in (
            self.events_task,
            self.charts_task,
            self.checkpoints_task,
            self.action_task,
            self.download_task,
        ):
            cancel_task(task)
