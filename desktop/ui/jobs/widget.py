"""The Jobs tab: the connection's fine-tuning jobs, their detail, and its fine-tuned models.

Layout: a tool bar (New job…, status filter, Refresh, a message strip) above two pages —
"Jobs" (the list beside the selected job's detail) and "Models" (fine-tuned models with their
retirement countdown). The list is filled at once from the local record and refreshed in the
background by :class:`JobsService`; a finished job raises a notification.

Cross-tab hooks (the main window connects them): ``open_model_requested(model_id)`` → the
Playground, ``open_dataset_line_requested(path, line)`` → the Datasets tab.

What the tab says (message strip, empty list, badge tooltip) is :mod:`desktop.ui.jobs.tab_messages`.

Call only from the GUI thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.connections import ConnectionProfile
from desktop.core.errors import FinetuneError
from desktop.core.jobs.draft import JobDraft
from desktop.core.types import FineTuningJob, ModelInfo
from desktop.ui.common.async_slots import async_slot, cancel_task
from desktop.ui.common.connection_state import Reachability, ReachState
from desktop.ui.common.errors import show_error
from desktop.ui.jobs import tab_messages
from desktop.ui.jobs.detail import JobDetailWidget
from desktop.ui.jobs.forget import forget_job
from desktop.ui.jobs.job_table import make_job_table
from desktop.ui.jobs.launch import JobLauncher, LaunchServices
from desktop.ui.jobs.models import STATUS_FILTERS, JobListModel, StatusFilter
from desktop.ui.jobs.models_view import FineTunedModelsView
from desktop.ui.jobs.notifications import JobNotifier
from desktop.ui.jobs.service import JobsService

if TYPE_CHECKING:
    from PySide6.QtGui import QHideEvent, QShowEvent

    from desktop.core.catalog import ModelCatalog
    from desktop.storage.jobs_store import JobsStore
    from desktop.ui.common.connection_service import ConnectionService
    from desktop.ui.jobs.create.dialog import CreateJobDialog
    from desktop.ui.jobs.launch import ProviderFor

TITLE = "Jobs"
DURATION_TICK_MS = 30_000


class JobsWidget(QWidget):
    """The Jobs tab. ``service`` holds the jobs; ``detail`` shows the selected one."""

    open_model_requested = Signal(str)
    """Open this model id in the Playground."""
    open_dataset_line_requested = Signal(object, int)
    """Open this local dataset file (``Path``) at this line in the Datasets tab."""

    def __init__(
        self,
        connection: ConnectionService,
        *,
        store: JobsStore | None = None,
        catalog: Callable[[], ModelCatalog | None] | None = None,
        settings: QSettings | None = None,
        provider_for: ProviderFor | None = None,
        profiles: Callable[[], Sequence[ConnectionProfile]] | None = None,
        prepare_tokenizers: Callable[[], None] | None = None,
        service: JobsService | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("jobsTab")
        self._connection = connection
        self._catalog = catalog or (lambda: None)
        self._profiles = profiles or (lambda: [])
        self._today = today
        # Parented: deleted with the tab on the GUI thread, never by the garbage collector
        # in whatever thread it runs (a QObject deleted off its thread can crash Qt).
        self.service = service or JobsService(
            connection, store=store, catalog=self._catalog, parent=self
        )
        self.export_task: asyncio.Task[None] | None = None
        self.notifier = JobNotifier(parent=self)
        self._build()
        self.launcher: JobLauncher | None = None
        if store is not None and settings is not None:
            services = LaunchServices(
                store=store,
                catalog=self._catalog,
                settings=settings,
                provider_for=provider_for,
                profiles=self._profiles,
                prepare_tokenizers=prepare_tokenizers,
                today=today,
            )
            self.launcher = JobLauncher(self, services, connection)
            self.launcher.job_created.connect(self._on_job_created)
            self.launcher.message.connect(self.message.setText)
        service_ = self.service
        service_.jobs_reset.connect(self._on_jobs_reset)
        service_.job_changed.connect(self._on_job_changed)
        service_.job_finished.connect(self._on_job_finished)
        service_.problem.connect(self._on_problem)
        service_.refreshing_changed.connect(self._on_refreshing_changed)
        service_.refreshed.connect(self._on_refreshed)
        service_.cache_loaded.connect(self._after_list_change)
        connection.models_changed.connect(self._on_models_changed)
        connection.reachability_changed.connect(self._on_reachability_changed)
        connection.connection_changed.connect(self._on_connection_changed)
        self._durations = QTimer(self)
        self._durations.setInterval(DURATION_TICK_MS)
        self._durations.timeout.connect(self.list_model.refresh_durations)
        self.service.start()
        self.models_view.set_models(connection.models)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        bar = QHBoxLayout()
        self.new_job_button = QPushButton("New job…")
        self.new_job_button.setObjectName("newJobButton")
        self.new_job_button.setToolTip("Start fine-tuning a model on one of your datasets")
        self.new_job_button.clicked.connect(self._on_new_job_clicked)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("statusFilter")
        for value, label in STATUS_FILTERS:
            self.filter_combo.addItem(label, value)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("refreshJobsButton")
        self.refresh_button.clicked.connect(self._on_refresh_clicked)
        self.message = QLabel("")
        self.message.setObjectName("jobsMessage")
        self.message.setWordWrap(True)
        bar.addWidget(self.new_job_button)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.filter_combo)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.message, 1)
        # Same object name as the Playground's badge: the app's style sheet draws both alike.
        self.simulated_label = QLabel("Simulated")
        self.simulated_label.setObjectName("simulatedBadge")
        self.simulated_label.setToolTip(tab_messages.SIMULATED_TOOLTIP)
        self.simulated_label.setVisible(self._connection.is_demo)
        bar.addWidget(self.simulated_label)
        layout.addLayout(bar)

        self.pages = QTabWidget()
        self.pages.setObjectName("jobsPages")
        self.list_model = JobListModel(
            cost=self.service.cost, dataset_name=self.service.dataset_name, parent=self
        )
        self.table = make_job_table(self.list_model)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.detail = JobDetailWidget(self.service)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("jobsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        # The detail (actions, charts) needs the room; the list scrolls sideways.
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([420, 630])  # scaled to the window; restored when saved
        self.detail.setMinimumWidth(360)
        self.empty_label = QLabel(tab_messages.EMPTY_LIST_TEXT)
        self.empty_label.setObjectName("noJobsLabel")
        self.empty_label.setWordWrap(True)
        jobs_page = QWidget()
        jobs_layout = QVBoxLayout(jobs_page)
        jobs_layout.setContentsMargins(0, 0, 0, 0)
        jobs_layout.addWidget(self.empty_label)
        jobs_layout.addWidget(self.splitter, 1)
        self.models_view = FineTunedModelsView(catalog=self._catalog, today=self._today)
        # Ignored: the list and the detail must not set the window's minimum width.
        self.pages.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pages.addTab(jobs_page, "Jobs")
        self.pages.addTab(self.models_view, "Models")
        layout.addWidget(self.pages, 1)

        self.detail.open_model.connect(self.open_model_requested)
        self.detail.open_dataset_line.connect(self.open_dataset_line_requested)
        self.detail.train_again_requested.connect(self._on_train_again_requested)
        self.detail.export_requested.connect(self._on_export_requested)
        self.detail.forget_requested.connect(self._on_forget_requested)
        self.models_view.open_model.connect(self.open_model_requested)

    # ------------------------------------------------------------------ list

    def selected_job(self) -> FineTuningJob | None:
        rows = self.table.selectionModel().selectedRows()
        return self.list_model.job_at(rows[0].row()) if rows else None

    def select_job(self, job_id: str) -> bool:
        """Select a job in the list (clearing the filter if it hides the job)."""
        row = self.list_model.row_of(job_id)
        if row is None and self.list_model.find(job_id) is not None:
            self.filter_combo.setCurrentIndex(0)
            row = self.list_model.row_of(job_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.list_model.index(row, 0))
        return True

    def show_job(self, profile_id: str, job_id: str) -> bool:
        """Show a job of a connection; when it is not the active one, say how to get there.

        Returns:
            Whether the job is shown.
        """
        self.pages.setCurrentIndex(0)
        if profile_id != self.service.profile_id:
            names = {p.id: p.display_name for p in self._profiles()}
            name = names.get(profile_id, profile_id)
            self.message.setText(tab_messages.other_connection_message(name))
            return False
        if not self.select_job(job_id):
            self.message.setText(tab_messages.not_in_list_message(job_id))
            return False
        return True

    def _on_jobs_reset(self, jobs: list[FineTuningJob]) -> None:
        selected = self.detail.job.id if self.detail.job is not None else None
        self.list_model.set_jobs(jobs)
        self._after_list_change()
        if selected is None or not self.select_job(selected):
            self.detail.show_job(None)

    def _on_job_changed(self, job: FineTuningJob) -> None:
        self.list_model.forget_dataset_name(job.id)
        self.list_model.upsert(job)
        self._after_list_change()

    def _after_list_change(self) -> None:
        self.empty_label.setVisible(self.service.loaded and not self.list_model.all_jobs)
        self.models_view.set_jobs(self.list_model.all_jobs)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        job = self.selected_job()
        if (
            job is not None
            or self.detail.job is None
            or self.list_model.row_of(self.detail.job.id) is None
        ):
            self.detail.show_job(job)

    def _on_filter_changed(self, index: int) -> None:
        value: StatusFilter = self.filter_combo.itemData(index)
        selected = self.detail.job.id if self.detail.job is not None else None
        self.list_model.set_filter(value)
        if selected is not None:
            row = self.list_model.row_of(selected)
            if row is not None:
                self.table.selectRow(row)

    def _on_refresh_clicked(self) -> None:
        self.service.refresh()
        job = self.detail.job
        if job is not None:
            self.service.poke(job.id)

    def _on_refreshing_changed(self, refreshing: bool) -> None:
        self.refresh_button.setEnabled(not refreshing)
        self.refresh_button.setText("Refreshing…" if refreshing else "Refresh")

    def _on_refreshed(self) -> None:
        if tab_messages.is_connection_notice(self.message.text()):
            self.message.setText("")

    # ------------------------------------------------------------------ news

    def _on_problem(self, job_id: str, exc: FinetuneError) -> None:
        self.message.setText(tab_messages.problem_message(job_id, exc))

    def _on_reachability_changed(self, reachability: Reachability) -> None:
        if reachability.state is ReachState.UNREACHABLE and self.list_model.all_jobs:
            self.message.setText(tab_messages.UNREACHABLE_MESSAGE)

    def _on_connection_changed(self, _profile: ConnectionProfile) -> None:
        self.simulated_label.setVisible(self._connection.is_demo)
        self.message.setText("")
        self.models_view.set_models(())

    def _on_models_changed(self, models: tuple[ModelInfo, ...]) -> None:
        self.models_view.set_models(models)

    def _on_job_finished(self, job: FineTuningJob) -> None:
        line = self.notifier.notify(job, self.service.cost(job), simulated=self._connection.is_demo)
        self.message.setText(line)
        if job.fine_tuned_model:
            # The new model is not in the connection's model list yet: list the models again so
            # the Models page and the Playground's picker show it.
            self._connection.start_check()

    # ------------------------------------------------------------------ create / train again

    @property
    def create_dialog(self) -> CreateJobDialog | None:
        """The create dialog opened last (None before the first)."""
        return self.launcher.create_dialog if self.launcher is not None else None

    @property
    def launch_task(self) -> asyncio.Task[None] | None:
        """The running "Train again on…" preparation."""
        return self.launcher.task if self.launcher is not None else None

    def _on_new_job_clicked(self) -> None:
        if self.launcher is not None:
            self.launcher.new_job()

    def new_job_with(self, path: Path) -> None:
        """Open New job… with ``path`` as the training dataset (the Datasets tab's "Train")."""
        if self.launcher is not None:
            self.launcher.new_job(draft=JobDraft(training_path=str(path)))

    def _on_train_again_requested(self, job: FineTuningJob) -> None:
        if self.launcher is not None:
            profile_id = self.service.profile_id
            self.launcher.train_again(
                job, profile_id=profile_id, origin=self.service.origin(job.id)
            )

    def _on_job_created(self, profile_id: str, job: FineTuningJob) -> None:
        if profile_id == self.service.profile_id:
            self.service.add_job(job)
            self.pages.setCurrentIndex(0)
            self.select_job(job.id)
        else:
            self.message.setText(tab_messages.started_elsewhere_message(job.id))

    def _on_forget_requested(self, job: FineTuningJob) -> None:
        line = forget_job(self, self.service, job)
        if line is not None:
            self.message.setText(line)

    # ------------------------------------------------------------------ export

    def _on_export_requested(self, job: FineTuningJob) -> None:
        from desktop.ui.jobs import report_export

        folder = report_export.ask_folder(self, "Export the job report to…")
        if folder is not None:
            self.export_task = self._export(job, folder)

    @async_slot()
    async def _export(self, job: FineTuningJob, folder: Path) -> None:
        from desktop.ui.jobs.report_export import export_job_report

        self.message.setText(f"Exporting the report of {job.id}…")
        try:
            written = await export_job_report(self.service, job, folder, parent=self)
        except FinetuneError as exc:
            self.message.setText("")
            show_error(self, exc)
            return
        self.message.setText(f"Report exported to {folder} ({len(written)} files).")

    # ------------------------------------------------------------------ shutdown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._durations.start()  # only while shown: no timer left running in a closed window

    def hideEvent(self, event: QHideEvent) -> None:
        self._durations.stop()
        super().hideEvent(event)

    def shutdown(self) -> None:
        """Stop pollers and loads (the window is closing)."""
        self._durations.stop()
        self.detail.shutdown()
        self.detail.charts.close_plots()
        for task in (self.launch_task, self.export_task):
            cancel_task(task)
        self.service.stop()
