"""Streaming many replies at once: evaluation runs with a request limit, and side-by-side compare.

- :func:`stream_reply` streams one reply and measures it: time to first token, total time,
  usage from the stream. A failure is returned in the reply (``error``), never raised, so one
  request failing never stops the others; the text received before it stands.
- :class:`EvaluationRunner` sends a list of requests with at most ``concurrency`` in flight,
  reports each reply and the progress as they come, and can pause (no new request starts;
  those in flight finish), resume and cancel (requests in flight are closed).
- :func:`compare` streams 2–4 requests for the same conversation in parallel, each column with
  its own callbacks: a slow or failing column never holds up the others.

Retries on 429 and server errors are the SDK's (``max_retries`` of the client, or the
runner's own budget, :data:`EVALUATION_MAX_RETRIES` for the Evaluation window, given to the SDK
per request); nothing here retries. asyncio only: call everything from the app's one event
loop; callbacks run on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop.api.provider import Provider
from desktop.core.errors import FinetuneError
from desktop.core.playground.evaluation import EvalJob
from desktop.core.types import ChatRequest, Usage

__all__ = [
    "EVALUATION_MAX_RETRIES",
    "MAX_COMPARE_COLUMNS",
    "MIN_COMPARE_COLUMNS",
    "EvalJob",
    "EvaluationRunner",
    "RunOutcome",
    "StreamedReply",
    "compare",
    "stream_reply",
]

YIELD_INTERVAL_S = 0.008
"""A stream that delivers a burst of buffered chunks hands control back to the event loop
(the window, under qasync) at least this often, as the chat view does."""

EVALUATION_MAX_RETRIES = 8
"""The SDK's retry budget for each evaluation request. A run sends hundreds of requests at once
and meets a rate limit far more often than a chat; each retry waits as the service's
``Retry-After`` says, so a 429 storm slows the run down instead of failing answers."""

MIN_COMPARE_COLUMNS = 2
MAX_COMPARE_COLUMNS = 4

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class StreamedReply:
    """One streamed reply and how it went.

    Attributes:
        text: the text received (all of it, or what came before a stop or a failure).
        usage: tokens from the stream's last chunk; None when the service did not send it
            (stopped, failed, or a service without usage in streams).
        finish_reason: the service's reason (``"stop"``, ``"length"``…); None if unfinished.
        time_to_first_token: seconds from sending to the first text; None if no text came.
        total_time: seconds from sending to the end (or the stop, or the failure).
        stopped: the caller stopped it; ``text`` is the partial reply.
        error: what went wrong; None when it succeeded or was stopped.
    """

    text: str
    usage: Usage | None
    finish_reason: str | None
    time_to_first_token: float | None
    total_time: float
    stopped: bool = False
    error: FinetuneError | None = None

    @property
    def failed(self) -> bool:
        """Whether the request failed."""
        return self.error is not None

    @property
    def error_message(self) -> str:
        """The failure in plain words ("" when it did not fail)."""
        return self.error.user_message if self.error is not None else ""


class _Progress:
    """What a stream has received so far (kept outside the task so a stop can read it)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.started = clock()
        self.parts: list[str] = []
        self.usage: Usage | None = None
        self.finish_reason: str | None = None
        self.first_token: float | None = None

    def reply(self, *, stopped: bool = False, error: FinetuneError | None = None) -> StreamedReply:
        return StreamedReply(
            text="".join(self.parts),
            usage=self.usage,
            finish_reason=self.finish_reason,
            time_to_first_token=self.first_token,
            total_time=self.clock() - self.started,
            stopped=stopped,
            error=error,
        )


async def _consume(
    provider: Provider,
    request: ChatRequest,
    progress: _Progress,
    on_text: Callable[[str], None] | None,
    max_retries: int | None,
) -> None:
    if max_retries is None:
        stream = provider.stream_chat(request)
    else:
        stream = provider.stream_chat(request, max_retries=max_retries)
    yielded_at = time.monotonic()
    try:
        async for chunk in stream:
            if time.monotonic() - yielded_at > YIELD_INTERVAL_S:
                await asyncio.sleep(0)
                yielded_at = time.monotonic()
            if chunk.text:
                if progress.first_token is None:
                    progress.first_token = progress.clock() - progress.started
                progress.parts.append(chunk.text)
                if on_text is not None:
                    on_text(chunk.text)
            if chunk.finish_reason is not None:
                progress.finish_reason = chunk.finish_reason
            if chunk.usage is not None:
                progress.usage = chunk.usage
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


async def stream_reply(
    provider: Provider,
    request: ChatRequest,
    *,
    on_text: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock = time.perf_counter,
    max_retries: int | None = None,
) -> StreamedReply:
    """Stream one reply, measuring it; failures come back in the reply, not as exceptions.

    Args:
        provider: the connection.
        request: what to ask.
        on_text: called with each piece of text as it arrives.
        stop: when set, the stream is closed and the partial reply returned (``stopped``).
        clock: seconds, monotonic (tests may pass their own).
        max_retries: the SDK's retry budget for this request (None: the client's).

    Returns:
        The reply with its timing and usage.

    Raises:
        asyncio.CancelledError: the calling task was cancelled (the stream is closed first).
    """
    progress = _Progress(clock)
    if stop is None:
        try:
            await _consume(provider, request, progress, on_text, max_retries)
        except FinetuneError as exc:
            return progress.reply(error=exc)
        return progress.reply()
    if stop.is_set():
        return progress.reply(stopped=True)
    consumer = asyncio.ensure_future(_consume(provider, request, progress, on_text, max_retries))
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({consumer, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not consumer.done():  # stopped, or the caller was cancelled: close the stream
            consumer.cancel()
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError, FinetuneError):
            await consumer
    if consumer.cancelled():
        return progress.reply(stopped=True)
    error = consumer.exception()
    if isinstance(error, FinetuneError):
        return progress.reply(error=error)
    if error is not None:
        raise error
    return progress.reply()


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What a run did: the replies received, in order of arrival, and whether it was cancelled.

    Jobs without a reply (cancelled before or while running) are absent from ``replies``.
    """

    replies: tuple[tuple[EvalJob, StreamedReply], ...]
    cancelled: bool


class EvaluationRunner:
    """Sends evaluation requests with at most ``concurrency`` in flight.

    Threading: create and call from the event loop's thread. One ``run`` at a time; pause,
    resume and cancel act on the run in progress (cancel also on the next one, until a new
    runner is made: a cancelled runner stays cancelled).
    """

    def __init__(
        self,
        provider: Provider,
        *,
        concurrency: int,
        clock: Clock = time.perf_counter,
        max_retries: int | None = None,
    ) -> None:
        """Prepare a runner.

        Args:
            provider: the connection (its SDK client retries 429s and server errors).
            concurrency: the most requests in flight at once (at least 1).
            clock: seconds, monotonic (tests may pass their own).
            max_retries: the SDK's retry budget for each request (None: the client's own;
                the Evaluation window passes :data:`EVALUATION_MAX_RETRIES`).

        Raises:
            ValueError: ``concurrency`` is below 1.
        """
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self._provider = provider
        self._concurrency = concurrency
        self._clock = clock
        self._max_retries = max_retries
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._cancelled = False
        self._workers: list[asyncio.Task[None]] = []

    @property
    def concurrency(self) -> int:
        """The most requests in flight at once."""
        return self._concurrency

    @property
    def is_paused(self) -> bool:
        """Whether new requests are held."""
        return not self._resumed.is_set()

    @property
    def is_cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def pause(self) -> None:
        """Hold new requests; those in flight finish and are reported."""
        self._resumed.clear()

    def resume(self) -> None:
        """Let held requests start again."""
        self._resumed.set()

    def cancel(self) -> None:
        """Stop the run: no new request starts and those in flight are closed."""
        self._cancelled = True
        self._resumed.set()  # wake paused workers so they can leave
        for worker in self._workers:
            worker.cancel()

    async def run(
        self,
        jobs: Sequence[EvalJob],
        *,
        on_reply: Callable[[EvalJob, StreamedReply], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> RunOutcome:
        """Send every job's request, at most ``concurrency`` at once.

        Args:
            jobs: the requests, started in this order.
            on_reply: called with each job and its reply (failed ones included) as it ends.
            on_progress: called with (replies received, jobs in all) after each reply.

        Returns:
            The replies and whether the run was cancelled.

        Raises:
            asyncio.CancelledError: the task running ``run`` was cancelled (workers stopped).
            Exception: whatever a callback raised (the other requests are stopped first).
        """
        replies: list[tuple[EvalJob, StreamedReply]] = []
        next_job = 0
        total = len(jobs)

        async def work() -> None:
            nonlocal next_job
            while True:
                await self._resumed.wait()
                if self._cancelled or next_job >= total:
                    return
                job = jobs[next_job]
                next_job += 1
                reply = await stream_reply(
                    self._provider, job.request, clock=self._clock, max_retries=self._max_retries
                )
                replies.append((job, reply))
                if on_reply is not None:
                    on_reply(job, reply)
                if on_progress is not None:
                    on_progress(len(replies), total)

        if self._cancelled:
            return RunOutcome((), cancelled=True)
        self._workers = [
            asyncio.ensure_future(work()) for _ in range(min(self._concurrency, total))
        ]
        workers = self._workers
        try:
            if workers:
                await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            # Cancelled from outside, or a callback failed: stop the other requests too.
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._workers = []
        for worker in workers:
            error = None if worker.cancelled() else worker.exception()
            if error is not None:
                raise error  # a callback failed: a bug, not a request failure
        return RunOutcome(tuple(replies), cancelled=self._cancelled)


async def compare(
    provider: Provider,
    requests: Sequence[ChatRequest],
    *,
    on_text: Callable[[int, str], None] | None = None,
    on_done: Callable[[int, StreamedReply], None] | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock = time.perf_counter,
) -> list[StreamedReply]:
    """Stream 2–4 replies in parallel, each column independently.

    Args:
        provider: the connection.
        requests: one request per column (the same conversation for different models).
        on_text: called with (column, text piece) as each column's text arrives.
        on_done: called with (column, reply) as soon as that column ends.
        stop: when set, every column still streaming stops and keeps its partial reply.
        clock: seconds, monotonic.

    Returns:
        The replies, by column.

    Raises:
        ValueError: fewer than 2 or more than 4 requests.
    """
    if not MIN_COMPARE_COLUMNS <= len(requests) <= MAX_COMPARE_COLUMNS:
        raise ValueError(f"compare takes 2 to 4 models, not {len(requests)}")

    async def column(index: int, request: ChatRequest) -> StreamedReply:
        def text(piece: str) -> None:
            if on_text is not None:
                on_text(index, piece)

        reply = await stream_reply(provider, request, on_text=text, stop=stop, clock=clock)
        if on_done is not None:
            on_done(index, reply)
        return reply

    return list(await asyncio.gather(*(column(i, r) for i, r in enumerate(requests))))
