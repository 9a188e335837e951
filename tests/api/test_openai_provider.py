"""OpenAIProvider through the real SDK against the built-in emulator over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import client_factory
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import demo_profile
from desktop.core.types import (
    ChatChunk,
    ChatMessage,
    ChatRequest,
    FineTuningJob,
    Hyperparameters,
    JobCreateRequest,
    JobStatus,
    ModelInfo,
)
from tests.api.support import run, write_training_file

pytestmark = pytest.mark.integration

BASE_MODEL = "gpt-4o-mini-2024-07-18"
LONG_ENOUGH = 24 * 3600.0  # simulated seconds after which any demo job has finished


def _chat(text: str = "Say hello.", **options: Any) -> ChatRequest:
    return ChatRequest(model=BASE_MODEL, messages=(ChatMessage("user", text),), **options)


async def _start_job(provider: OpenAIProvider, folder: Path, **options: Any) -> FineTuningJob:
    stored = await provider.upload_file(write_training_file(folder))
    request = JobCreateRequest(model=BASE_MODEL, training_file=stored.id, **options)
    return await provider.create_job(request)


# --------------------------------------------------------------------------- models


def test_list_models_returns_core_types_with_shutdown_dates(api_client: OpenAIProvider) -> None:
    models = run(api_client.list_models(), api_client)

    assert models and all(isinstance(m, ModelInfo) for m in models)
    by_id = {m.id: m for m in models}
    assert by_id["gpt-4o-2024-08-06"].shutdown_date == dt.date(2027, 1, 14)
    assert by_id[BASE_MODEL].shutdown_date is None


def test_retrieve_model_returns_one_model(api_client: OpenAIProvider) -> None:
    model = run(api_client.retrieve_model("gpt-3.5-turbo-0125"), api_client)
    assert model.id == "gpt-3.5-turbo-0125"
    assert model.shutdown_date == dt.date(2026, 10, 23)


# --------------------------------------------------------------------------- files


def test_upload_small_file_then_list_filter_read_and_delete(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    path = write_training_file(tmp_path)
    size = path.stat().st_size
    progress: list[tuple[int, int]] = []

    async def scenario() -> tuple[Any, ...]:
        stored = await api_client.upload_file(path, progress=lambda s, t: progress.append((s, t)))
        fine_tune = await api_client.list_files(purpose="fine-tune")
        batch = await api_client.list_files(purpose="batch")
        fetched = await api_client.retrieve_file(stored.id)
        content = await api_client.file_content(stored.id)
        await api_client.delete_file(stored.id)
        remaining = await api_client.list_files()
        return stored, fine_tune, batch, fetched, content, remaining

    stored, fine_tune, batch, fetched, content, remaining = run(scenario(), api_client)

    assert (stored.filename, stored.purpose, stored.bytes) == ("train.jsonl", "fine-tune", size)
    assert stored.id in {f.id for f in fine_tune}
    assert stored.id not in {f.id for f in batch}
    assert fetched == stored
    assert content == path.read_bytes()
    assert stored.id not in {f.id for f in remaining}
    assert progress == [(0, size), (size, size)]
    assert not any("/uploads" in r.path for r in emulator.requests)


def test_upload_big_file_goes_through_the_uploads_api_in_parts(
    emulator: Any, tmp_path: Path
) -> None:
    factory = client_factory(demo_profile(), api_key=None, base_url=emulator.base_url)
    provider = OpenAIProvider(factory, multipart_threshold=1024, part_size=1000)
    path = write_training_file(tmp_path, examples=40)
    size = path.stat().st_size
    progress: list[tuple[int, int]] = []

    async def scenario() -> tuple[Any, bytes]:
        stored = await provider.upload_file(path, progress=lambda s, t: progress.append((s, t)))
        return stored, await provider.file_content(stored.id)

    stored, content = run(scenario(), provider)

    assert stored.bytes == size and stored.purpose == "fine-tune"
    assert content == path.read_bytes()
    part_posts = [r for r in emulator.requests if r.path.endswith("/parts")]
    assert len(part_posts) == math.ceil(size / 1000)
    assert progress[0] == (0, size) and progress[-1] == (size, size)
    assert [s for s, _ in progress] == sorted(s for s, _ in progress)


def test_a_multipart_upload_that_stops_half_way_is_cancelled(emulator: Any, tmp_path: Path) -> None:
    factory = client_factory(demo_profile(), api_key=None, base_url=emulator.base_url)
    provider = OpenAIProvider(factory, multipart_threshold=1024, part_size=1000)
    path = write_training_file(tmp_path, examples=40)

    def stop_after_first_part(sent: int, total: int) -> None:
        if sent:
            raise UploadStoppedError("user closed the window")

    with pytest.raises(UploadStoppedError):
        run(provider.upload_file(path, progress=stop_after_first_part), provider)

    assert [r.path for r in emulator.requests if r.path.endswith("/cancel")]
    assert not [r for r in emulator.requests if r.path.endswith("/complete")]


class UploadStoppedError(Exception):
    pass


# --------------------------------------------------------------------------- jobs


def test_create_job_with_method_hyperparameters_and_metadata_runs_to_success(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> tuple[Any, ...]:
        created = await _start_job(
            api_client,
            tmp_path,
            hyperparameters=Hyperparameters(n_epochs=2),
            suffix="faq-bot",
            seed=7,
            metadata={"dataset": "faq"},
        )
        emulator.advance(LONG_ENOUGH)
        done = await api_client.retrieve_job(created.id)
        first = await api_client.list_events(created.id, limit=2)
        second = await api_client.list_events(created.id, after=first.last_id, limit=2)
        checkpoints = await api_client.list_checkpoints(created.id, limit=50)
        return created, done, first, second, checkpoints

    created, done, first, second, checkpoints = run(scenario(), api_client)

    assert created.status == JobStatus.VALIDATING_FILES
    assert created.method == "supervised"
    assert created.hyperparameters.n_epochs == 2
    assert created.metadata == {"dataset": "faq"}
    assert created.seed == 7
    assert done.status == JobStatus.SUCCEEDED and done.is_finished
    assert done.fine_tuned_model and "faq-bot" in done.fine_tuned_model
    assert done.suffix == "faq-bot"
    assert done.result_files
    assert len(first.items) == 2 and first.has_more
    assert second.items and not {e.id for e in first.items} & {e.id for e in second.items}
    assert checkpoints.items
    assert all(c.fine_tuning_job_id == created.id for c in checkpoints.items)
    assert all(c.metrics for c in checkpoints.items)


def test_list_jobs_pages_with_after_and_limit(api_client: OpenAIProvider, tmp_path: Path) -> None:
    async def scenario() -> tuple[Any, ...]:
        ids = [(await _start_job(api_client, tmp_path)).id for _ in range(3)]
        first = await api_client.list_jobs(limit=2)
        second = await api_client.list_jobs(after=first.last_id, limit=2)
        return ids, first, second

    ids, first, second = run(scenario(), api_client)

    assert len(first.items) == 2 and first.has_more
    seen = [j.id for j in first.items + second.items]
    assert sorted(seen) == sorted(ids)


def test_list_jobs_returns_only_matching_jobs_when_metadata_filter_given(
    api_client: OpenAIProvider, tmp_path: Path
) -> None:
    async def scenario() -> tuple[str, list[str]]:
        await _start_job(api_client, tmp_path, metadata={"batch": "a"})
        wanted = await _start_job(api_client, tmp_path, metadata={"batch": "b", "x": "1"})
        await _start_job(api_client, tmp_path)
        page = await api_client.list_jobs(metadata={"batch": "b"})
        return wanted.id, [j.id for j in page.items]

    wanted_id, found = run(scenario(), api_client)

    assert found == [wanted_id]


def test_cancel_job_returns_it_cancelled(api_client: OpenAIProvider, tmp_path: Path) -> None:
    async def scenario() -> FineTuningJob:
        job = await _start_job(api_client, tmp_path)
        return await api_client.cancel_job(job.id)

    cancelled = run(scenario(), api_client)
    assert cancelled.status == JobStatus.CANCELLED and cancelled.is_finished


def test_pause_and_resume_a_running_job(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> tuple[FineTuningJob, ...]:
        job = await _start_job(api_client, tmp_path)
        emulator.advance(1.0)  # the fast emulator validates and queues in about half a second
        running = await api_client.retrieve_job(job.id)
        paused = await api_client.pause_job(job.id)
        resumed = await api_client.resume_job(job.id)
        return running, paused, resumed

    running, paused, resumed = run(scenario(), api_client)
    assert running.status == JobStatus.RUNNING
    assert paused.status == JobStatus.PAUSED
    assert resumed.status != JobStatus.PAUSED and not resumed.is_finished


def test_job_with_unusable_examples_fails_with_an_error(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.jsonl"
    bad.write_text("not json at all\n" * 12)

    async def scenario() -> FineTuningJob:
        stored = await api_client.upload_file(bad)
        job = await api_client.create_job(
            JobCreateRequest(model=BASE_MODEL, training_file=stored.id)
        )
        emulator.advance(LONG_ENOUGH)
        return await api_client.retrieve_job(job.id)

    failed = run(scenario(), api_client)
    assert failed.status == JobStatus.FAILED and failed.is_finished
    assert failed.error is not None and failed.error.message


def test_result_file_content_of_a_finished_job_is_readable(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> bytes:
        job = await _start_job(api_client, tmp_path)
        emulator.advance(LONG_ENOUGH)
        done = await api_client.retrieve_job(job.id)
        return await api_client.file_content(done.result_files[0])

    assert b"step" in run(scenario(), api_client)


# --------------------------------------------------------------------------- chat


def test_stream_chat_yields_text_then_finish_then_usage(api_client: OpenAIProvider) -> None:
    async def scenario() -> list[ChatChunk]:
        return [c async for c in api_client.stream_chat(_chat(max_tokens=50))]

    chunks = run(scenario(), api_client)

    text = "".join(c.text for c in chunks)
    assert text.strip()
    assert any(c.finish_reason for c in chunks)
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0


def test_cancelling_a_stream_consumer_closes_the_stream_cleanly(
    api_client: OpenAIProvider,
) -> None:
    async def scenario() -> tuple[list[ChatChunk], list[ModelInfo]]:
        received: list[ChatChunk] = []
        first = asyncio.Event()

        async def consume() -> None:
            async with contextlib.aclosing(api_client.stream_chat(_chat())) as stream:
                async for chunk in stream:
                    received.append(chunk)
                    first.set()
                    await asyncio.sleep(3600)

        task = asyncio.create_task(consume())
        await first.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The client still works afterwards: the stream's connection was released.
        return received, await api_client.list_models()

    received, models = run(scenario(), api_client)
    assert len(received) == 1
    assert models


def test_cancelling_while_waiting_for_the_next_chunk_closes_the_stream(
    api_client: OpenAIProvider,
) -> None:
    async def scenario() -> tuple[list[ChatChunk], list[ChatChunk]]:
        received: list[ChatChunk] = []
        first = asyncio.Event()

        async def consume() -> None:
            async for chunk in api_client.stream_chat(_chat("Tell me a long story.")):
                received.append(chunk)
                first.set()

        task = asyncio.create_task(consume())
        await first.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        complete = [c async for c in api_client.stream_chat(_chat("Tell me a long story."))]
        return received, complete

    received, complete = run(scenario(), api_client)
    assert 1 <= len(received) < len(complete)
    assert complete[-1].usage is not None
