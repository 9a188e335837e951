"""Loading the pages of :class:`~desktop.ui.jobs.detail.JobDetailWidget`: events, charts and
checkpoints, each when it is needed.

Answers for a job no longer shown are dropped. Call only from the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from desktop.core.errors import FinetuneError
from desktop.core.jobs.checkpoints import advise
from desktop.core.jobs.metrics import MetricPoint
from desktop.core.types import FineTuningJob
from desktop.ui.common.async_slots import async_slot
from desktop.ui.jobs.charts import ChartsUnavailableError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel

    from desktop.ui.jobs.charts import MetricsChartWidget
    from desktop.ui.jobs.checkpoints_view import CheckpointsView
    from desktop.ui.jobs.events_view import EventLogView
    from desktop.ui.jobs.service import JobsService


class _Host(Protocol):
    """What the loading uses of the detail widget it is part of."""

    job: FineTuningJob | None
    _service: JobsService
    events: EventLogView
    charts: MetricsChartWidget
    checkpoints: CheckpointsView
    notice: QLabel

    async def _points(self, job: FineTuningJob) -> tuple[list[MetricPoint], str]: ...


class JobDetailLoading:
    """Mixin of :class:`JobDetailWidget`: the pages' loads (no state of its own)."""

    @async_slot()
    async def _load_events(self: _Host, job_id: str) -> None:
        try:
            await self._service.fetch_new_events(job_id)
        except FinetuneError as exc:
            if self.job is not None and self.job.id == job_id:
                self.events.loading_failed(f"Cannot load new events: {exc.user_message}")

    @async_slot()
    async def _load_older(self: _Host, job_id: str, before_id: str) -> None:
        try:
            page = await self._service.fetch_older_events(job_id, before_id)
        except FinetuneError as exc:
            if self.job is not None and self.job.id == job_id:
                self.events.loading_failed(f"Cannot load older events: {exc.user_message}")
            return
        if self.job is not None and self.job.id == job_id:
            self.events.add_older(page.items, has_more=page.has_more)

    async def _points(self: _Host, job: FineTuningJob) -> tuple[list[MetricPoint], str]:
        try:
            return await self._service.metric_points(job), ""
        except FinetuneError as exc:
            points = self._service.points_from_seen_events(job.id)
            return points, exc.user_message

    @async_slot()
    async def _load_charts(self: _Host, job: FineTuningJob) -> None:
        self.charts.set_points([], empty_message="Loading the training metrics…")
        try:
            await self.charts.ensure_ready()
        except ChartsUnavailableError as exc:
            self.charts.set_points([], empty_message=exc.user_message)
            return
        points, problem = await self._points(job)
        if self.job is None or self.job.id != job.id:
            return
        empty = problem or (
            "No training metrics yet: they appear once training has started."
            if not job.is_finished
            else "This job reported no training metrics."
        )
        await self.charts.show_points(points, empty_message=empty)
        if self.job is None or self.job.id != job.id:
            return
        if problem:
            self.notice.setText(f"The result file could not be read: {problem}")

    @async_slot()
    async def _load_checkpoints(self: _Host, job: FineTuningJob) -> None:
        self.checkpoints.set_message("Loading checkpoints…")
        try:
            checkpoints = await self._service.checkpoints(job.id)
        except FinetuneError as exc:
            if self.job is not None and self.job.id == job.id:
                self.checkpoints.set_message(f"Cannot load the checkpoints: {exc.user_message}")
            return
        points, _problem = await self._points(job)
        if self.job is None or self.job.id != job.id:
            return
        self.checkpoints.set_checkpoints(checkpoints, advise(checkpoints, points))
