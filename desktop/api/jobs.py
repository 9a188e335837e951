"""Fine-tuning jobs over a ``Provider``: a create that never starts two jobs, complete lists,
new events and result figures. ``JobWatcher``, which follows running jobs with ``asyncio``,
lives in :mod:`desktop.api.job_watcher`.

Nothing here imports Qt or the SDK; every error is a ``desktop.core.errors`` error. Retries of
single requests belong to the SDK client; the only loop here is the create guard's look-up of
its own job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Container, Mapping

from desktop.api.provider import Provider
from desktop.core.errors import (
    BadRequestError,
    ConnectionFailedError,
    FinetuneError,
    ServerError,
)
from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY, client_token_of, with_client_token
from desktop.core.jobs.metrics import MetricPoint, parse_results_csv
from desktop.core.types import Checkpoint, FineTuningJob, JobCreateRequest, JobEvent

__all__ = [
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
