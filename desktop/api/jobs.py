"""Fine-tuning jobs over a ``Provider``: a create that never starts two jobs, complete lists,
new events, result figures, and ``JobWatcher``, which follows running jobs with ``asyncio``.

Nothing here imports Qt or the SDK; every error is a ``desktop.core.errors`` error. Retries of
single requests belong to the SDK client; the only loops here are the watcher's polling
schedule (``desktop.core.jobs.polling``) and the create guard's look-up of its own job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Container, Mapping
from dataclasses import dataclass, field

from desktop.api.provider import Provider
from desktop.core.errors import (
    BadRequestError,
    ConnectionFailedError,
    FinetuneError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY, client_token_of, with_client_token
from desktop.core.jobs.metrics import MetricPoint, parse_results_csv
from desktop.core.jobs.polling import PollPolicy, next_poll_delay
from desktop.core.types import Checkpoint, FineTuningJob, JobCreateRequest, JobEvent

__all__ = [
    "JobWatcher",
    "all_checkpoints",
    "create_job_once",
    "find_job_by_token",
    "list_all_jobs",
    "new_events",
    "result_metrics",
]

log = logging.getLogger(__name__)

TOKEN_SCAN_PAGES = 3
"""Pages of the newest jobs searched by hand when a service ignores the metadata filter."""

LOST_ANSWER_ERRORS = (ConnectionFailedError, ServerError)
"""Errors after which a create request may have started a job anyway (timeouts included)."""


async def find_job_by_token(provider: Provider, token: str) -> FineTuningJob | None:
    """The job created with client token ``token``, if the connection has one.

    Asks the service to filter by ``metadata``; a service that ignores (or refuses with a 400)
    the filter is handled by reading the newest jobs (``TOKEN_SCAN_PAGES`` pages) and matching
    the token ourselves.

    Args:
        provider: the connection.
        token: the client token the job was created with.

    Returns:
        The job, or None when no job carries the token.

    Raises:
        ApiError: the connection could not be asked.
    """
    wanted: Mapping[str, str] | None = {CLIENT_TOKEN_KEY: token}
    after: str | None = None
    for _ in range(TOKEN_SCAN_PAGES):
        try:
            page = await provider.list_jobs(after=after, limit=100, metadata=wanted)
        except BadRequestError:
            if wanted is None:
                raise
            # A service that refuses the filter itself (not every API version knows it).
            log.info("the job list refused the metadata filter; searching by hand")
            wanted = None
            page = await provider.list_jobs(after=after, limit=100)
        for job in page.items:
            if client_token_of(job) == token:
                return job
        if not page.has_more or not page.items:
            return None
        after = page.last_id
    return None


async def create_job_once(
    provider: Provider, request: JobCreateRequest, *, client_token: str
) -> FineTuningJob:
    """Start a job at most once per client token, even when an answer gets lost.

    The API takes no idempotency key, so the job's metadata carries ``client_token``. Before
    creating, the connection is searched for a job with that token (a caller retrying with the
    SAME token gets the job its earlier attempt started). When the create's answer is lost
    (connection dropped, timeout, server error), the connection is searched again.

    Args:
        provider: the connection; its create request must not be retried by the SDK (the
            ``OpenAIProvider`` sends it without SDK retries).
        request: the job to start (its metadata is kept; the token is added).
        client_token: from ``desktop.core.jobs.client_token.new_client_token``; reuse it when
            trying again after an error.

    Returns:
        The new job, or the one an earlier attempt with this token started.

    Raises:
        ApiError: the job could not be started (for a lost answer: and no job with the token
            exists, so calling again with the same token is safe).
        ValueError: ``client_token`` is empty.
    """
    tagged = with_client_token(request, client_token)
    existing = await find_job_by_token(provider, client_token)
    if existing is not None:
        log.info("job with client token already exists: %s", existing.id)
        return existing
    try:
        return await provider.create_job(tagged)
    except LOST_ANSWER_ERRORS as lost:
        try:
            found = await find_job_by_token(provider, client_token)
        except FinetuneError as lookup_error:
            log.info("could not look for the job after a lost answer: %s", type(lookup_error))
            raise lost from None
        if found is None:
            raise
        log.info("create answer lost, but the job exists: %s", found.id)
        return found


async def list_all_jobs(
    provider: Provider,
    *,
    page_size: int = 100,
    stop_after: Callable[[FineTuningJob], bool] | None = None,
) -> list[FineTuningJob]:
    """Every job of the connection, newest first, reading page after page.

    Args:
        provider: the connection.
        page_size: jobs per request (1..100).
        stop_after: called for each job in order; when it returns True that job is the last one
            read (e.g. a finished job the local cache already holds).

    Returns:
        The jobs, newest first.

    Raises:
        ApiError: a page could not be read.
    """
    jobs: list[FineTuningJob] = []
    after: str | None = None
    while True:
        page = await provider.list_jobs(after=after, limit=page_size)
        for job in page.items:
            jobs.append(job)
            if stop_after is not None and stop_after(job):
                return jobs
        if not page.has_more or not page.items:
            return jobs
        after = page.last_id


async def new_events(
    provider: Provider, job_id: str, *, known_ids: Container[str], page_size: int = 100
) -> list[JobEvent]:
    """A job's events not seen yet, newest first, stopping at the first known one.

    Args:
        provider: the connection.
        job_id: the job.
        known_ids: ids of events already seen (an empty container reads them all).
        page_size: events per request.

    Returns:
        The new events, newest first.

    Raises:
        ApiError: the events could not be read (``NotFoundError``: the job is gone).
    """
    found: list[JobEvent] = []
    after: str | None = None
    while True:
        page = await provider.list_events(job_id, after=after, limit=page_size)
        for event in page.items:
            if event.id in known_ids:
                return found
            found.append(event)
        if not page.has_more or not page.items:
            return found
        after = page.last_id


async def all_checkpoints(provider: Provider, job_id: str) -> list[Checkpoint]:
    """Every checkpoint of a job, newest first.

    Raises:
        ApiError: the checkpoints could not be read.
    """
    checkpoints: list[Checkpoint] = []
    after: str | None = None
    while True:
        page = await provider.list_checkpoints(job_id, after=after, limit=100)
        checkpoints.extend(page.items)
        if not page.has_more or not page.items:
            return checkpoints
        after = page.last_id


async def result_metrics(provider: Provider, job: FineTuningJob) -> list[MetricPoint]:
    """The training figures in a finished job's result file.

    Args:
        provider: the connection.
        job: the job (its first result file is read).

    Returns:
        One point per step, sorted by step; empty when the job has no result file.

    Raises:
        ResultFileError: the file is not a table of training figures.
        ApiError: the file could not be downloaded.
    """
    if not job.result_files:
        return []
    data = await provider.file_content(job.result_files[0])
    return await asyncio.to_thread(parse_results_csv, data)


# --------------------------------------------------------------------------- watcher


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
