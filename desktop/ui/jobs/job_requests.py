"""Requests about one job that the Jobs tab's detail makes: metrics, checkpoints, files and
the actions (cancel, pause, resume). Part of :class:`~desktop.ui.jobs.service.JobsService`.

Call only from the GUI thread, with the qasync loop running the coroutines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from desktop.core.jobs.metrics import MetricPoint, parse_results_csv, points_from_events
from desktop.core.jobs.status import is_active
from desktop.core.types import Checkpoint, FineTuningJob, JobEvent

if TYPE_CHECKING:
    from desktop.api.provider import Provider
    from desktop.ui.common.connection_service import ConnectionService


class _Host(Protocol):
    """What the requests use of the service they are part of."""

    _connection: ConnectionService
    _profile_id: str
    _points: dict[str, list[MetricPoint]]

    def events(self, job_id: str) -> list[JobEvent]: ...

    def _receive_jobs(self, jobs: Iterable[FineTuningJob]) -> None: ...

    def _watch(self, job: FineTuningJob) -> None: ...

    def poke(self, job_id: str) -> None: ...

    async def _act(self, job_id: str, action: str) -> FineTuningJob: ...


class JobRequests:
    """Mixin of :class:`JobsService`: the per-job requests (no state of its own)."""

    async def metric_points(self: _Host, job: FineTuningJob) -> list[MetricPoint]:
        """The job's training metrics: from its result file once it succeeded, else from the
        metrics events. Parsing a result file runs in a worker thread.

        Raises:
            FinetuneError: the result file cannot be read (``ResultFileError`` when not CSV).
        """
        cached = self._points.get(job.id)
        if cached is not None:
            return cached
        profile_id = self._profile_id
        if job.status == "succeeded" and job.result_files:
            provider = await self._connection.provider()
            data = await provider.file_content(job.result_files[0])
            points = await asyncio.to_thread(parse_results_csv, data)
        else:
            points = await asyncio.to_thread(points_from_events, self.events(job.id))
        if profile_id == self._profile_id:
            self._points[job.id] = points
        return points

    def points_from_seen_events(self: _Host, job_id: str) -> list[MetricPoint]:
        """Metrics from the events seen so far (when the result file cannot be read)."""
        return points_from_events(self.events(job_id))

    async def checkpoints(self: _Host, job_id: str) -> list[Checkpoint]:
        from desktop.api.jobs import all_checkpoints

        provider = await self._connection.provider()
        return await all_checkpoints(provider, job_id)

    async def file_content(self: _Host, file_id: str) -> bytes:
        provider = await self._connection.provider()
        return await provider.file_content(file_id)

    async def provider(self: _Host) -> Provider:
        return await self._connection.provider()

    # ------------------------------------------------------------------ actions

    async def cancel(self: _Host, job_id: str) -> FineTuningJob:
        return await self._act(job_id, "cancel")

    async def pause(self: _Host, job_id: str) -> FineTuningJob:
        return await self._act(job_id, "pause")

    async def resume(self: _Host, job_id: str) -> FineTuningJob:
        return await self._act(job_id, "resume")

    async def _act(self: _Host, job_id: str, action: str) -> FineTuningJob:
        profile_id = self._profile_id
        provider = await self._connection.provider()
        method = {
            "cancel": provider.cancel_job,
            "pause": provider.pause_job,
            "resume": provider.resume_job,
        }[action]
        job = await method(job_id)
        if profile_id == self._profile_id:
            self._receive_jobs([job])
            if is_active(job.status):
                self._watch(job)
                self.poke(job_id)
        return job
