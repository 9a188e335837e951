"""Following the active jobs and their events for :class:`~desktop.ui.jobs.service.JobsService`.

The service's part that runs the API layer's ``JobWatcher`` (one asyncio poller per active job)
and keeps what it reports: new jobs' states, events and the metric points read from them.

Call only from the GUI thread, with the qasync loop running the coroutines.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance

from desktop.core.errors import FinetuneError
from desktop.core.jobs.metrics import MetricPoint, merge_points, points_from_events
from desktop.core.jobs.polling import PollPolicy
from desktop.core.types import FineTuningJob, JobEvent, Page
from desktop.ui.jobs.event_cache import JobEventCache
from desktop.ui.jobs.saved_jobs import recorded

if TYPE_CHECKING:
    from desktop.api.job_watcher import JobWatcher
    from desktop.storage.jobs_store import JobsStore
    from desktop.ui.common.connection_service import ConnectionService

EVENTS_PAGE = 50

WatcherFactory = Callable[..., "JobWatcher"]

POLL_POLICY: PollPolicy = PollPolicy()
"""How often active jobs are polled (tests make it faster)."""


class _Host(Protocol):
    """What the following uses of the service it is part of."""

    _connection: ConnectionService
    _profile_id: str
    _closed: bool
    _store: JobsStore | None
    _watcher: JobWatcher | None
    _watcher_factory: WatcherFactory | None
    _events: JobEventCache
    _points: dict[str, list[MetricPoint]]

    @property
    def problem(self) -> SignalInstance: ...

    @property
    def job_gone(self) -> SignalInstance: ...

    @property
    def events_added(self) -> SignalInstance: ...

    @property
    def older_events_added(self) -> SignalInstance: ...

    def _receive_jobs(self, jobs: Iterable[FineTuningJob]) -> None: ...

    def _new_watcher(self, profile_id: str) -> JobWatcher: ...

    def _receive_events(
        self: _Host, job_id: str, events: Iterable[JobEvent], *, older: bool = False
    ) -> list[JobEvent]: ...


class JobFollowing:
    """Mixin of :class:`JobsService`: the watcher and the events it reports (state is the
    service's)."""

    _watcher: JobWatcher | None

    def _watch(self: _Host, job: FineTuningJob) -> None:
        if self._closed:
            return
        if self._watcher is None:
            self._watcher = self._new_watcher(self._profile_id)
        self._watcher.watch(job)

    def _new_watcher(self: _Host, profile_id: str) -> JobWatcher:
        factory = self._watcher_factory
        if factory is None:
            from desktop.api.job_watcher import JobWatcher

            factory = JobWatcher

        def current() -> bool:
            return profile_id == self._profile_id and not self._closed

        def on_job(job: FineTuningJob) -> None:
            if current():
                self._receive_jobs([job])

        def on_events(job_id: str, events: list[JobEvent]) -> None:
            if current():
                self._receive_events(job_id, events)

        def on_problem(job_id: str, exc: FinetuneError) -> None:
            if current():
                self.problem.emit(job_id, exc)

        def on_gone(job_id: str) -> None:
            if current():
                if self._store is not None:
                    store = self._store
                    recorded(lambda: store.mark_gone(self._profile_id, job_id), None)
                self.job_gone.emit(job_id)

        def known_ids(job_id: str) -> Container[str]:
            if not current():
                return set()
            return self._events.known_ids(job_id)

        return factory(
            self._connection.provider,
            policy=POLL_POLICY,
            on_job=on_job,
            on_events=on_events,
            on_problem=on_problem,
            on_gone=on_gone,
            known_event_ids=known_ids,
        )

    def poke(self: _Host, job_id: str) -> None:
        """Ask for fresh news of a watched job now (e.g. after an action)."""
        if self._watcher is not None and job_id in self._watcher.watched:
            self._watcher.poke(job_id)

    # ------------------------------------------------------------------ events and metrics

    def _receive_events(
        self: _Host, job_id: str, events: Iterable[JobEvent], *, older: bool = False
    ) -> list[JobEvent]:
        """Keep new events (``older``: a page from before those known) and announce them."""
        fresh = self._events.add(job_id, events, older=older)
        if not fresh:
            return []
        new_points = points_from_events(fresh)
        if new_points and job_id in self._points:
            self._points[job_id] = merge_points(self._points[job_id], new_points)
        if older:
            self.older_events_added.emit(job_id, fresh)
        else:
            self.events_added.emit(job_id, fresh)
        return fresh

    async def fetch_new_events(self: _Host, job_id: str) -> list[JobEvent]:
        """Events newer than those seen (one request per page until a known one)."""
        from desktop.api.jobs import new_events

        profile_id = self._profile_id
        known = self._events.known_ids(job_id)  # the saved ones count as known
        provider = await self._connection.provider()
        events = await new_events(provider, job_id, known_ids=known)
        return self._receive_events(job_id, events) if profile_id == self._profile_id else []

    async def fetch_older_events(self: _Host, job_id: str, before_id: str) -> Page[JobEvent]:
        """The page of events older than ``before_id`` (the log scrolled to its end)."""
        profile_id = self._profile_id
        provider = await self._connection.provider()
        page = await provider.list_events(job_id, after=before_id, limit=EVENTS_PAGE)
        if profile_id == self._profile_id:
            self._receive_events(job_id, page.items, older=True)
        return page
