"""``JobWatcher``: follows running fine-tuning jobs with ``asyncio`` until they finish.

Nothing here imports Qt or the SDK; every error is a ``desktop.core.errors`` error. Retries of
single requests belong to the SDK client; the only loop here is the polling schedule
(``desktop.core.jobs.polling``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field

from desktop.api.jobs import new_events
from desktop.api.provider import Provider
from desktop.core.errors import FinetuneError, NotFoundError, RateLimitedError
from desktop.core.jobs.polling import PollPolicy, next_poll_delay
from desktop.core.types import FineTuningJob, JobEvent

__all__ = ["JobWatcher"]

# Log lines keep the logger name they had before the watcher moved out of desktop.api.jobs.
log = logging.getLogger("desktop.api.jobs")


def _nothing_known(_job_id: str) -> Container[str]:
    return frozenset()


@dataclass(eq=False)
class _KnownEvents:
    """Event ids seen: those the owner knew (e.g. the local cache) plus those reported here."""

    outside: Container[str]
    reported: set[str] = field(default_factory=set)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.reported or event_id in self.outside


@dataclass(eq=False)
class _Poller:
    job: FineTuningJob
    known: _KnownEvents
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class JobWatcher:
    """Follows active jobs until they finish: one asyncio task per job, no Qt.

    Invariants: at most one poller per job id; a poller's requests run one after the other, so
    there are never two requests for one job at once; a poller stops when its job finished
    (after reading the job's last events), was deleted remotely, was unwatched, or the watcher
    closed. Callbacks run on the event loop's thread, in this order per poll: ``on_events``
    (new events, newest first), then ``on_job`` (only when the job changed).

    Faults: a 429 waits at least the server's ``Retry-After``; other errors (dropped
    connection, server errors...) back off per the policy; ``on_problem`` is called once per
    streak of failed polls, not for each; a 404 calls ``on_gone`` and stops.

    Threading: create and call on the event loop's thread.
    """

    def __init__(
        self,
        provider: Callable[[], Awaitable[Provider]],
        *,
        policy: PollPolicy = PollPolicy(),  # noqa: B008 - frozen, shared safely
        on_job: Callable[[FineTuningJob], None],
        on_events: Callable[[str, list[JobEvent]], None],
        on_problem: Callable[[str, FinetuneError], None],
        on_gone: Callable[[str], None],
        known_event_ids: Callable[[str], Container[str]] = _nothing_known,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Set up the watcher; nothing is polled until ``watch``.

        Args:
            provider: returns the connection's current provider (awaited before every poll,
                so a replaced provider is picked up).
            policy: the polling delays.
            on_job: receives the job each time it changed.
            on_events: receives ``(job_id, new events newest first)``.
            on_problem: receives ``(job_id, error)`` at the start of a streak of failed polls.
            on_gone: receives a job id that answered 404 (deleted remotely); polling stops.
            known_event_ids: event ids already known for a job (so they are not reported).
            sleep: waits between polls (tests pass a fake that returns at once).
        """
        self._provider = provider
        self._policy = policy
        self._on_job = on_job
        self._on_events = on_events
        self._on_problem = on_problem
        self._on_gone = on_gone
        self._known_event_ids = known_event_ids
        self._sleep = sleep
        self._pollers: dict[str, _Poller] = {}
        self._closed = False

    @property
    def watched(self) -> frozenset[str]:
        """Ids of the jobs being followed."""
        return frozenset(self._pollers)

    def watch(self, job: FineTuningJob) -> None:
        """Follow ``job`` (its first poll is immediate); no-op if watched already or finished.

        Raises:
            RuntimeError: the watcher was closed.
        """
        if self._closed:
            raise RuntimeError("JobWatcher used after aclose()")
        if job.id in self._pollers or job.is_finished:
            return
        poller = _Poller(job, _KnownEvents(self._known_event_ids(job.id)))
        self._pollers[job.id] = poller
        poller.task = asyncio.ensure_future(self._follow(poller))

    def unwatch(self, job_id: str) -> None:
        """Stop following a job (a request in flight is cancelled)."""
        poller = self._pollers.pop(job_id, None)
        if poller is not None and poller.task is not None:
            poller.task.cancel()

    def poke(self, job_id: str) -> None:
        """Poll a watched job now instead of at its next turn (e.g. after Refresh)."""
        poller = self._pollers.get(job_id)
        if poller is not None:
            poller.wake.set()

    async def drain(self) -> None:
        """Wait until every poller has stopped on its own (finished, gone or unwatched)."""
        while self._pollers:
            tasks = [p.task for p in self._pollers.values() if p.task is not None]
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel every poller and wait for them to end (e.g. when the connection changes)."""
        self._closed = True
        pollers, self._pollers = list(self._pollers.values()), {}
        tasks = [p.task for p in pollers if p.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ one job

    async def _follow(self, poller: _Poller) -> None:
        job_id = poller.job.id
        try:
            await self._poll_until_done(poller)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("stopped following job %s after an unexpected error", job_id)
        finally:
            if self._pollers.get(job_id) is poller:
                del self._pollers[job_id]

    async def _poll_until_done(self, poller: _Poller) -> None:
        job_id = poller.job.id
        unchanged = errors = 0
        retry_after: float | None = None
        delay: float | None = 0.0
        while delay is not None:
            await self._wait(poller, delay)
            try:
                provider = await self._provider()
                job = await provider.retrieve_job(job_id)
                events = await new_events(provider, job_id, known_ids=poller.known)
            except NotFoundError:
                log.info("job %s answered 404: deleted remotely", job_id)
                self._pollers.pop(job_id, None)
                self._on_gone(job_id)
                return
            except FinetuneError as exc:
                errors += 1
                retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
                log.info("polling job %s failed (%d in a row): %s", job_id, errors, type(exc))
                if errors == 1:
                    self._on_problem(job_id, exc)
            else:
                errors, retry_after = 0, None
                changed = job != poller.job
                if events:
                    poller.known.reported.update(e.id for e in events)
                    self._on_events(job_id, events)
                if changed:
                    poller.job = job
                    self._on_job(job)
                unchanged = 0 if changed or events else unchanged + 1
            delay = next_poll_delay(
                self._policy,
                status=poller.job.status,
                unchanged_polls=unchanged,
                consecutive_errors=errors,
                retry_after=retry_after,
            )

    async def _wait(self, poller: _Poller, delay: float) -> None:
        """Sleep ``delay`` seconds, or less if the job is poked meanwhile."""
        if poller.wake.is_set():
            poller.wake.clear()
            return
        if delay <= 0:
            return
        sleeper = asyncio.ensure_future(self._sleep(delay))
        woken = asyncio.ensure_future(poller.wake.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, woken):
                task.cancel()
            await asyncio.gather(sleeper, woken, return_exceptions=True)
        poller.wake.clear()
