"""The active connection's fine-tuning jobs, seen from the UI.

``JobsService`` fills the Jobs tab at once from the local record (``JobsStore``), refreshes the
list in the background whenever the connection answers, and follows active jobs with the API
layer's ``JobWatcher`` (``asyncio`` polling with backoff, never two requests for one job; that
part is :mod:`desktop.ui.jobs.job_following`, the per-job requests are
:mod:`desktop.ui.jobs.job_requests`).
What it learns goes to the store first (so history survives a restart), then out as signals.

Invariants: every signal is about the connection named by ``profile_id``; answers that arrive
for a previous connection are dropped; ``job_finished`` is emitted at most once per job and
status (the store remembers it across restarts). Call only from the GUI thread, with the qasync
loop running the coroutines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import FinetuneError
from desktop.core.jobs.metrics import MetricPoint
from desktop.core.jobs.quote import actual_training_cost
from desktop.core.jobs.status import is_active
from desktop.core.types import FineTuningJob, JobEvent
from desktop.ui.common.connection_state import Reachability, ReachState
from desktop.ui.jobs.event_cache import JobEventCache
from desktop.ui.jobs.job_following import JobFollowing, WatcherFactory
from desktop.ui.jobs.job_requests import JobRequests
from desktop.ui.jobs.saved_jobs import SavedJobsReader, recorded

if TYPE_CHECKING:
    from desktop.api.job_watcher import JobWatcher
    from desktop.core.catalog import ModelCatalog
    from desktop.core.connections import ConnectionProfile
    from desktop.core.jobs.records import JobOrigin
    from desktop.storage.jobs_store import JobsStore
    from desktop.ui.common.connection_service import ConnectionService

log = logging.getLogger(__name__)

RESET_THRESHOLD = 40
"""More changed jobs than this in one refresh: reset the list instead of row-by-row updates."""

T = TypeVar("T")


class JobsService(QObject, JobRequests, JobFollowing):
    """Jobs of the active connection: cached list, background refresh, watchers, actions."""

    jobs_reset = Signal(list)
    """The whole list changed (``list[FineTuningJob]``, newest first): new connection, cache."""
    job_changed = Signal(object)
    """A job was added or changed (``FineTuningJob``)."""
    events_added = Signal(str, list)
    """New events of a job (job id, ``list[JobEvent]`` newest first)."""
    older_events_added = Signal(str, list)
    """Events from before those known (the log asked for more), newest first."""
    job_finished = Signal(object)
    """A job seen running finished, failed or was cancelled (once per job)."""
    job_gone = Signal(str)
    """A job no longer exists on the connection (kept locally, flagged)."""
    problem = Signal(str, object)
    """A background request failed (job id or ``""`` for the list, ``FinetuneError``)."""
    refreshing_changed = Signal(bool)
    """Whether the list is being refreshed from the connection."""
    refreshed = Signal()
    """The list was refreshed from the connection (it answered)."""
    cache_loaded = Signal()
    """The jobs saved on this computer for the connection are in (``jobs_reset`` came first)."""

    def __init__(
        self,
        connection: ConnectionService,
        *,
        store: JobsStore | None,
        catalog: Callable[[], ModelCatalog | None] = lambda: None,
        watcher_factory: WatcherFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._connection = connection
        self._store = store
        self._catalog = catalog
        self._watcher_factory = watcher_factory
        self._profile_id = connection.profile.id
        self._jobs: dict[str, FineTuningJob] = {}
        self._events = JobEventCache(self._saved_events, self._save_events)
        self._points: dict[str, list[MetricPoint]] = {}
        self._watcher: JobWatcher | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        self._closed = False
        self._loaded = False
        self._generation = 0
        self._reader = SavedJobsReader(self)
        self._reader.read.connect(self._on_cache_read)

    # ------------------------------------------------------------------ state

    @property
    def profile_id(self) -> str:
        return self._profile_id

    @property
    def profile(self) -> ConnectionProfile:
        return self._connection.profile

    @property
    def store(self) -> JobsStore | None:
        return self._store

    @property
    def jobs(self) -> list[FineTuningJob]:
        """The known jobs (unordered copy)."""
        return list(self._jobs.values())

    def job(self, job_id: str) -> FineTuningJob | None:
        return self._jobs.get(job_id)

    @property
    def watched(self) -> frozenset[str]:
        return self._watcher.watched if self._watcher is not None else frozenset()

    @property
    def refreshing(self) -> bool:
        return self._refresh_task is not None and not self._refresh_task.done()

    def origin(self, job_id: str) -> JobOrigin | None:
        store = self._store
        return recorded(lambda: store.origin(self._profile_id, job_id), None) if store else None

    def dataset_name(self, job: FineTuningJob) -> str | None:
        origin = self.origin(job.id)
        return origin.dataset_name if origin is not None else None

    def cost(self, job: FineTuningJob) -> Decimal | None:
        catalog = self._catalog()
        return actual_training_cost(job, catalog) if catalog is not None else None

    def is_gone(self, job_id: str) -> bool:
        store = self._store
        return recorded(lambda: store.is_gone(self._profile_id, job_id), False) if store else False

    def events(self, job_id: str) -> list[JobEvent]:
        """Events seen so far, newest first (from memory, else the store)."""
        return self._events.events(job_id)

    def _saved_events(self, job_id: str) -> list[JobEvent]:
        store, profile_id = self._store, self._profile_id
        if store is None:
            return []
        return recorded(lambda: store.cached_events(profile_id, job_id), [])

    def _save_events(self, job_id: str, events: Sequence[JobEvent]) -> None:
        store, profile_id = self._store, self._profile_id
        if store is not None:
            recorded(lambda: store.save_events(profile_id, job_id, events), None)

    def cached_points(self, job_id: str) -> list[MetricPoint] | None:
        return self._points.get(job_id)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Fill from the local record and follow the connection (refreshing when it answers)."""
        if self._started:
            return
        self._started = True
        self._connection.connection_changed.connect(self._on_connection_changed)
        self._connection.reachability_changed.connect(self._on_reachability_changed)
        self._load_cache()
        if self._connection.reachability.state is ReachState.REACHABLE:
            self.refresh()

    @property
    def loaded(self) -> bool:
        """Whether the saved jobs of the connection have been read."""
        return self._loaded

    def reload(self) -> None:
        """Show the connection's jobs as saved on this computer again (read in a thread);
        ``cache_loaded`` follows."""
        self._load_cache()

    def _load_cache(self) -> None:
        self._generation += 1
        self._loaded = False
        self._jobs = {}
        self.jobs_reset.emit([])
        if self._store is None:
            self._on_cache_read(self._profile_id, self._generation, [])
        else:
            self._reader.start(self._store, self._profile_id, self._generation)

    def _on_cache_read(self, profile_id: str, generation: int, jobs: list[FineTuningJob]) -> None:
        if generation != self._generation or profile_id != self._profile_id:
            return
        merged = {job.id: job for job in jobs}
        merged.update(self._jobs)  # anything the connection reported meanwhile is newer
        self._jobs = merged
        self._loaded = True
        self.jobs_reset.emit(list(merged.values()))
        self.cache_loaded.emit()

    async def _wait_for_cache(self) -> None:
        while not self._loaded:
            await asyncio.sleep(0.01)

    def _on_connection_changed(self, profile: ConnectionProfile) -> None:
        if profile.id == self._profile_id or self._closed:
            return
        self._stop_following()
        self._profile_id = profile.id
        self._events.clear()
        self._points.clear()
        self._load_cache()

    def _on_reachability_changed(self, reachability: Reachability) -> None:
        if reachability.state is ReachState.REACHABLE and not self._closed:
            self.refresh()

    def _stop_following(self) -> None:
        if self._refresh_task is not None:
            self._refresh_task.cancel()
            self._refresh_task = None
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            for job_id in watcher.watched:
                watcher.unwatch(job_id)
            self._track(watcher.aclose())

    def _track(self, awaitable: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def stop(self) -> None:
        """Stop every poller and the refresh now (their tasks are cancelled). Idempotent."""
        self._closed = True
        self._reader.stop()
        for task in list(self._tasks):
            if not task.done() and task is not asyncio.current_task():
                task.cancel()
        self._stop_following()  # the watcher's own closing is not cancelled

    async def aclose(self) -> None:
        """:meth:`stop`, then wait for the tasks to end. Safe to call twice."""
        self.stop()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------------ refresh

    def refresh(self) -> asyncio.Task[None]:
        """List the connection's jobs in the background (one refresh at a time)."""
        if self._refresh_task is not None and not self._refresh_task.done():
            return self._refresh_task
        self._refresh_task = asyncio.ensure_future(self._refresh(self._profile_id))
        self.refreshing_changed.emit(True)
        self._refresh_task.add_done_callback(lambda _t: self.refreshing_changed.emit(False))
        return self._refresh_task

    async def _refresh(self, profile_id: str) -> None:
        from desktop.api.jobs import list_all_jobs

        await self._wait_for_cache()
        if profile_id != self._profile_id:
            return
        known = dict(self._jobs)
        active_created = [j.created_at for j in known.values() if is_active(j.status)]
        oldest_active = min(active_created, default=None)

        def stop_after(job: FineTuningJob) -> bool:
            # Older than every job that may still change and already known as finished.
            cached = known.get(job.id)
            old_enough = oldest_active is None or job.created_at < oldest_active
            return cached is not None and cached == job and job.is_finished and old_enough

        try:
            provider = await self._connection.provider()
            jobs = await list_all_jobs(provider, stop_after=stop_after)
        except FinetuneError as exc:
            if profile_id == self._profile_id:
                log.info("jobs list of %s not refreshed: %s", profile_id, type(exc).__name__)
                self.problem.emit("", exc)
            return
        if profile_id != self._profile_id:
            return
        self._receive_jobs(jobs)
        self.refreshed.emit()
        for job in self._jobs.values():
            if is_active(job.status):
                self._watch(job)

    def _receive_jobs(self, jobs: Iterable[FineTuningJob]) -> None:
        changed = [job for job in jobs if self._jobs.get(job.id) != job]
        if not changed:
            return
        if self._store is not None:
            store = self._store
            recorded(lambda: store.save_jobs(self._profile_id, changed), None)
        previous = {job.id: self._jobs.get(job.id) for job in changed}
        self._jobs.update({job.id: job for job in changed})
        if len(changed) > RESET_THRESHOLD:
            self.jobs_reset.emit(list(self._jobs.values()))
        else:
            for job in changed:
                self.job_changed.emit(job)
        for job in changed:
            self._maybe_finished(job, previous[job.id])

    def _maybe_finished(self, job: FineTuningJob, previous: FineTuningJob | None) -> None:
        if not job.is_finished or previous is None or previous.is_finished:
            return
        store = self._store
        if store is not None:
            profile_id = self._profile_id
            if recorded(lambda: store.notified_status(profile_id, job.id), None) == job.status:
                return
            recorded(lambda: store.mark_notified(profile_id, job.id, job.status), None)
        self._points.pop(job.id, None)  # the result file replaces the events' points
        self.job_finished.emit(job)

    def add_job(self, job: FineTuningJob) -> None:
        """A job created in this window (the create dialog): show and follow it."""
        self._receive_jobs([job])
        if is_active(job.status):
            self._watch(job)

    def forget(self, job_id: str) -> None:
        """Forget what this computer kept about a job; the connection's copy is untouched, so
        the next refresh lists it again if the connection still has it.

        Raises:
            StorageError: the local record could not be changed (nothing was forgotten).
        """
        if self._store is not None:
            self._store.delete_local_history(self._profile_id, job_id)
        if self._watcher is not None and job_id in self._watcher.watched:
            self._watcher.unwatch(job_id)
        self._events.forget(job_id)
        self._points.pop(job_id, None)
        if self._jobs.pop(job_id, None) is not None:
            self.jobs_reset.emit(list(self._jobs.values()))
