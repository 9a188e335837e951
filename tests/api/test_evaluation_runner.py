"""The evaluation runner and compare against the real emulator, over HTTP through the SDK."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.evaluation_runner import (
    EVALUATION_MAX_RETRIES,
    EvaluationRunner,
    StreamedReply,
    compare,
    stream_reply,
)
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import demo_profile
from desktop.core.errors import NotFoundError
from desktop.core.playground.evaluation import EvalJob
from desktop.core.types import ChatMessage, ChatRequest
from desktop.sandbox import Emulator
from desktop.sandbox.faults import Faults
from tests.api.support import run

pytestmark = pytest.mark.integration

MODELS = ("gpt-4o-mini-2024-07-18", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14")
UNKNOWN = "gpt-unknown-model"


def request(model: str = MODELS[0], text: str = "Say hello.") -> ChatRequest:
    return ChatRequest(model=model, messages=(ChatMessage("user", text),), max_tokens=40)


def jobs(count: int, model: str = MODELS[0]) -> list[EvalJob]:
    return [EvalJob(i, model, request(model, f"Question number {i}?")) for i in range(count)]


def retrying_provider(emulator: Any) -> OpenAIProvider:
    return create_provider(
        demo_profile(), api_key=None, base_url=emulator.base_url, max_retries=10, timeout=10.0
    )


def test_reply_has_text_usage_and_timing_when_the_stream_finishes(
    api_client: OpenAIProvider,
) -> None:
    reply = run(stream_reply(api_client, request()), api_client)
    assert reply.text.strip()
    assert reply.usage is not None and reply.usage.completion_tokens > 0
    assert reply.finish_reason is not None
    assert reply.time_to_first_token is not None
    assert 0 <= reply.time_to_first_token <= reply.total_time
    assert not reply.failed and not reply.stopped


def test_reply_carries_the_error_when_the_model_is_unknown(api_client: OpenAIProvider) -> None:
    reply = run(stream_reply(api_client, request(UNKNOWN)), api_client)
    assert isinstance(reply.error, NotFoundError)
    assert reply.error_message
    assert reply.text == ""


def test_stop_keeps_the_partial_reply_when_set_during_the_stream(
    api_client: OpenAIProvider,
) -> None:
    async def scenario() -> tuple[StreamedReply, list[str]]:
        stop = asyncio.Event()
        pieces: list[str] = []

        def on_text(piece: str) -> None:
            pieces.append(piece)
            stop.set()

        long = ChatRequest(
            model=MODELS[0],
            messages=(ChatMessage("user", "Tell me a long story about the sea."),),
            max_tokens=400,
        )
        return await stream_reply(api_client, long, on_text=on_text, stop=stop), pieces

    reply, pieces = run(scenario(), api_client)
    assert reply.stopped
    assert reply.text == "".join(pieces)
    assert reply.text
    assert reply.finish_reason is None


def test_all_fifty_complete_when_429s_are_injected(emulator: Any) -> None:
    emulator.faults = Faults(rate_limit_share=0.3, retry_after=0.01)
    provider = retrying_provider(emulator)
    progress: list[tuple[int, int]] = []
    runner = EvaluationRunner(provider, concurrency=8)
    outcome = run(
        runner.run(jobs(50), on_progress=lambda done, total: progress.append((done, total))),
        provider,
    )
    assert not outcome.cancelled
    assert sorted(job.example_index for job, _ in outcome.replies) == list(range(50))
    assert all(not reply.failed for _, reply in outcome.replies)
    assert any(r.status == 429 for r in emulator.requests)
    assert progress[-1] == (50, 50)


def test_the_runner_retry_budget_applies_when_the_client_itself_does_not_retry(
    emulator: Any, api_client: OpenAIProvider
) -> None:
    # api_client has max_retries=0: every answer arriving proves the per-request budget is used.
    emulator.faults = Faults(rate_limit_share=0.3, retry_after=0.01)
    runner = EvaluationRunner(api_client, concurrency=8, max_retries=EVALUATION_MAX_RETRIES)
    outcome = run(runner.run(jobs(30)), api_client)
    assert all(not reply.failed for _, reply in outcome.replies)
    assert len(outcome.replies) == 30
    assert any(r.status == 429 for r in emulator.requests)


def test_one_model_fails_while_the_others_succeed_when_its_id_is_unknown(
    api_client: OpenAIProvider,
) -> None:
    work = [*jobs(4, MODELS[0]), *jobs(4, UNKNOWN), *jobs(4, MODELS[1])]
    outcome = run(EvaluationRunner(api_client, concurrency=3).run(work), api_client)
    failed = {job.model for job, reply in outcome.replies if reply.failed}
    succeeded = {job.model for job, reply in outcome.replies if not reply.failed}
    assert len(outcome.replies) == 12
    assert failed == {UNKNOWN}
    assert succeeded == {MODELS[0], MODELS[1]}


def test_no_more_than_the_limit_are_in_flight_when_running(api_client: OpenAIProvider) -> None:
    in_flight = 0
    most = 0

    class CountingProvider:
        def __getattr__(self, name: str) -> Any:
            return getattr(api_client, name)

        async def stream_chat(self, chat: ChatRequest) -> Any:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            try:
                async for chunk in api_client.stream_chat(chat):
                    yield chunk
            finally:
                in_flight -= 1

    runner = EvaluationRunner(CountingProvider(), concurrency=3)  # type: ignore[arg-type]
    outcome = run(runner.run(jobs(12)), api_client)
    assert len(outcome.replies) == 12
    assert most == 3


def test_cancel_stops_requests_in_flight_when_called_during_a_run() -> None:
    # An emulator of its own: its threads still sleeping after the cancel must not answer
    # into the shared emulator's log of the next test.
    with Emulator(fast=True, faults=Faults(slow_seconds=2.0)) as slow:
        outcome, took = _cancel_during_run(retrying_provider(slow))
    assert outcome.cancelled
    assert outcome.replies == ()
    assert took < 1.0


def _cancel_during_run(provider: OpenAIProvider) -> tuple[Any, float]:

    async def scenario() -> tuple[Any, float]:
        runner = EvaluationRunner(provider, concurrency=4)
        task = asyncio.ensure_future(runner.run(jobs(20)))
        await asyncio.sleep(0.3)  # the first four requests are waiting on the slow emulator
        loop = asyncio.get_running_loop()
        started = loop.time()
        runner.cancel()
        outcome = await task
        return outcome, loop.time() - started

    return run(scenario(), provider)


def test_pause_holds_new_requests_until_resumed_when_called_between_replies(
    api_client: OpenAIProvider,
) -> None:
    async def scenario() -> tuple[int, int, int]:
        runner = EvaluationRunner(api_client, concurrency=2)
        paused_at = asyncio.Event()
        done = 0

        def on_reply(job: EvalJob, reply: StreamedReply) -> None:
            nonlocal done
            done += 1
            if done == 2:
                runner.pause()
                paused_at.set()

        task = asyncio.ensure_future(runner.run(jobs(10), on_reply=on_reply))
        await paused_at.wait()
        await asyncio.sleep(0.5)  # long enough for several replies, were any started
        while_paused = done
        runner.resume()
        outcome = await task
        return while_paused, len(outcome.replies), int(outcome.cancelled)

    while_paused, finished, cancelled = run(scenario(), api_client)
    assert while_paused <= 3  # the other worker's request in flight may still end
    assert finished == 10
    assert not cancelled


def test_compare_reports_each_column_when_one_model_fails(api_client: OpenAIProvider) -> None:
    texts: dict[int, list[str]] = {0: [], 1: [], 2: []}
    done: list[int] = []

    async def scenario() -> list[StreamedReply]:
        return await compare(
            api_client,
            [request(MODELS[0]), request(UNKNOWN), request(MODELS[2])],
            on_text=lambda column, piece: texts[column].append(piece),
            on_done=lambda column, _reply: done.append(column),
        )

    replies = run(scenario(), api_client)
    assert [reply.failed for reply in replies] == [False, True, False]
    assert "".join(texts[0]) == replies[0].text and texts[1] == []
    assert sorted(done) == [0, 1, 2]


def test_compare_finishes_fast_columns_first_when_one_is_slow(api_client: OpenAIProvider) -> None:
    order: list[int] = []

    class SlowFirstColumn:
        def __getattr__(self, name: str) -> Any:
            return getattr(api_client, name)

        async def stream_chat(self, chat: ChatRequest) -> Any:
            if chat.model == MODELS[0]:
                await asyncio.sleep(0.5)
            async for chunk in api_client.stream_chat(chat):
                yield chunk

    async def scenario() -> list[StreamedReply]:
        return await compare(
            SlowFirstColumn(),  # type: ignore[arg-type]
            [request(MODELS[0]), request(MODELS[1])],
            on_done=lambda column, _reply: order.append(column),
        )

    replies = run(scenario(), api_client)
    assert order == [1, 0]
    assert all(not reply.failed for reply in replies)


def test_compare_refuses_when_given_one_model(api_client: OpenAIProvider) -> None:
    with pytest.raises(ValueError):
        run(compare(api_client, [request()]), api_client)


def test_run_stops_and_raises_when_a_callback_fails(api_client: OpenAIProvider) -> None:
    seen: list[int] = []

    def on_reply(job: EvalJob, reply: StreamedReply) -> None:
        seen.append(job.example_index)
        raise RuntimeError("bug in a callback")

    with pytest.raises(RuntimeError, match="bug in a callback"):
        run(
            EvaluationRunner(api_client, concurrency=2).run(jobs(20), on_reply=on_reply), api_client
        )
    assert len(seen) < 20


def test_a_burst_of_buffered_chunks_lets_other_tasks_run_when_streamed(
    api_client: OpenAIProvider,
) -> None:
    class BurstyStream:
        """The real stream, its text chunks then delivered many times over with no wait
        between them (as when much of a reply arrives in one network read)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(api_client, name)

        async def stream_chat(self, chat: ChatRequest) -> Any:
            chunks = [chunk async for chunk in api_client.stream_chat(chat)]
            for _ in range(20_000):
                for chunk in chunks:
                    if chunk.text:
                        yield chunk

    ticks = 0
    ticks_during_stream: list[int] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    def on_text(_text: str) -> None:
        ticks_during_stream.append(ticks)

    async def scenario() -> StreamedReply:
        ticking = asyncio.ensure_future(ticker())
        try:
            return await stream_reply(BurstyStream(), request(), on_text=on_text)  # type: ignore[arg-type]
        finally:
            ticking.cancel()

    reply = run(scenario(), api_client)

    assert not reply.failed
    assert len(ticks_during_stream) >= 20_000
    # The other task kept running while the burst was consumed, not only before and after it.
    assert ticks_during_stream[-1] - ticks_during_stream[len(ticks_during_stream) // 2] > 1
