"""desktop.api.jobs and job_watcher against the built-in emulator over HTTP, via the real SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.job_watcher import JobWatcher
from desktop.api.jobs import (
    all_checkpoints,
    create_job_once,
    find_job_by_token,
    list_all_jobs,
    new_events,
    result_metrics,
)
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import demo_profile
from desktop.core.errors import FinetuneError, RateLimitedError, ServerError
from desktop.core.jobs.client_token import CLIENT_TOKEN_KEY, new_client_token
from desktop.core.jobs.metrics import ResultFileError
from desktop.core.jobs.polling import PollPolicy
from desktop.core.types import FineTuningJob, Hyperparameters, JobCreateRequest, JobEvent
from desktop.sandbox import Faults
from tests.api.support import run, write_training_file

pytestmark = pytest.mark.integration

BASE_MODEL = "gpt-4o-mini-2024-07-18"
LONG_ENOUGH = 24 * 3600.0
FAST_POLICY = PollPolicy(
    active_seconds=0.5, queued_seconds=0.5, idle_max_seconds=2.0, error_max_seconds=30.0
)


async def _request(provider: OpenAIProvider, folder: Path, **options: Any) -> JobCreateRequest:
    stored = await provider.upload_file(write_training_file(folder))
    return JobCreateRequest(model=BASE_MODEL, training_file=stored.id, **options)


async def _start(provider: OpenAIProvider, folder: Path, **options: Any) -> FineTuningJob:
    return await provider.create_job(await _request(provider, folder, **options))


# --------------------------------------------------------------------------- create guard


def test_creates_exactly_one_job_when_the_create_answer_is_lost(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    token = new_client_token()

    async def scenario() -> tuple[FineTuningJob, list[FineTuningJob]]:
        request = await _request(api_client, tmp_path)
        emulator.faults = Faults(lose_job_create_responses=1)
        job = await create_job_once(api_client, request, client_token=token)
        return job, await list_all_jobs(api_client)

    job, everything = run(scenario(), api_client)

    assert [j.id for j in everything] == [job.id]
    assert job.metadata[CLIENT_TOKEN_KEY] == token


def test_creates_exactly_one_job_when_sdk_retries_are_on_and_the_answer_is_lost(
    emulator: Any, tmp_path: Path
) -> None:
    provider = create_provider(
        demo_profile(), api_key=None, base_url=emulator.base_url, max_retries=2, timeout=10.0
    )

    async def scenario() -> tuple[FineTuningJob, list[FineTuningJob]]:
        request = await _request(provider, tmp_path)
        emulator.faults = Faults(lose_job_create_responses=1)
        job = await create_job_once(provider, request, client_token=new_client_token())
        return job, await list_all_jobs(provider)

    job, everything = run(scenario(), provider)

    assert [j.id for j in everything] == [job.id]


def test_returns_the_first_job_when_called_again_with_the_same_token(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    token = new_client_token()

    async def scenario() -> tuple[FineTuningJob, FineTuningJob, int]:
        request = await _request(api_client, tmp_path)
        emulator.faults = Faults(lose_job_create_responses=1)
        first = await create_job_once(api_client, request, client_token=token)
        again = await create_job_once(api_client, request, client_token=token)
        return first, again, len(await list_all_jobs(api_client))

    first, again, count = run(scenario(), api_client)

    assert again.id == first.id
    assert count == 1


def test_keeps_the_callers_metadata_when_adding_the_token(
    api_client: OpenAIProvider, tmp_path: Path
) -> None:
    async def scenario() -> FineTuningJob:
        request = await _request(api_client, tmp_path, metadata={"dataset": "faq"})
        return await create_job_once(api_client, request, client_token="t-1")

    job = run(scenario(), api_client)

    assert dict(job.metadata) == {"dataset": "faq", CLIENT_TOKEN_KEY: "t-1"}


def test_finds_no_job_when_no_job_carries_the_token(
    api_client: OpenAIProvider, tmp_path: Path
) -> None:
    async def scenario() -> FineTuningJob | None:
        await _start(api_client, tmp_path, metadata={CLIENT_TOKEN_KEY: "other"})
        return await find_job_by_token(api_client, "mine")

    assert run(scenario(), api_client) is None


@pytest.mark.parametrize("fault", ["ignore_metadata_filter", "refuse_metadata_filter"])
def test_finds_the_job_by_hand_when_the_service_cannot_filter_by_metadata(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path, fault: str
) -> None:
    async def scenario() -> tuple[str, FineTuningJob | None]:
        wanted = await _start(api_client, tmp_path, metadata={CLIENT_TOKEN_KEY: "mine"})
        await _start(api_client, tmp_path, metadata={CLIENT_TOKEN_KEY: "other"})
        emulator.faults = Faults(**{fault: True})
        return wanted.id, await find_job_by_token(api_client, "mine")

    wanted_id, found = run(scenario(), api_client)

    assert found is not None and found.id == wanted_id


# --------------------------------------------------------------------------- lists


def test_lists_every_job_newest_first_when_they_span_pages(
    api_client: OpenAIProvider, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        request = await _request(api_client, tmp_path)
        ids = [(await api_client.create_job(request)).id for _ in range(5)]
        listed = await list_all_jobs(api_client, page_size=2)
        return ids, [j.id for j in listed]

    ids, listed = run(scenario(), api_client)

    assert listed == ids[::-1]


def test_stops_listing_after_the_job_stop_after_accepts(
    api_client: OpenAIProvider, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        request = await _request(api_client, tmp_path)
        ids = [(await api_client.create_job(request)).id for _ in range(5)]
        listed = await list_all_jobs(api_client, page_size=2, stop_after=lambda j: j.id == ids[2])
        return ids, [j.id for j in listed]

    ids, listed = run(scenario(), api_client)

    assert listed == [ids[4], ids[3], ids[2]]


def test_returns_only_events_newer_than_the_first_known_one(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[JobEvent], list[JobEvent]]:
        job = await _start(api_client, tmp_path)
        emulator.advance(LONG_ENOUGH)
        everything = await new_events(api_client, job.id, known_ids=set(), page_size=7)
        known = {e.id for e in everything[3:]}
        return everything, await new_events(api_client, job.id, known_ids=known, page_size=2)

    everything, fresh = run(scenario(), api_client)

    assert everything[-1].message == "Created fine-tuning job"
    assert [e.id for e in fresh] == [e.id for e in everything[:3]]


def test_reads_every_checkpoint_when_the_job_succeeded(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> list[int]:
        job = await _start(api_client, tmp_path, hyperparameters=Hyperparameters(n_epochs=4))
        emulator.advance(LONG_ENOUGH)
        return [c.step_number for c in await all_checkpoints(api_client, job.id)]

    steps = run(scenario(), api_client)

    assert len(steps) == 3 and steps == sorted(steps, reverse=True)


def test_reads_one_point_per_step_from_the_result_file_when_job_succeeded(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> tuple[FineTuningJob, list[Any]]:
        job = await _start(
            api_client, tmp_path, hyperparameters=Hyperparameters(n_epochs=2, batch_size=4)
        )
        emulator.advance(LONG_ENOUGH)
        done = await api_client.retrieve_job(job.id)
        return done, await result_metrics(api_client, done)

    _, points = run(scenario(), api_client)

    assert [p.step for p in points] == [1, 2, 3, 4, 5, 6]
    assert all(p.train_loss is not None for p in points)


def test_raises_result_file_error_when_the_result_file_is_not_csv(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> None:
        job = await _start(api_client, tmp_path)
        emulator.advance(LONG_ENOUGH)
        done = await api_client.retrieve_job(job.id)
        emulator.faults = Faults(broken_result_files=True)
        await result_metrics(api_client, done)

    with pytest.raises(ResultFileError):
        run(scenario(), api_client)


# --------------------------------------------------------------------------- watcher


@dataclass
class Seen:
    """What a watcher reported, in order."""

    jobs: list[FineTuningJob] = field(default_factory=list)
    events: list[JobEvent] = field(default_factory=list)
    problems: list[FinetuneError] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)

    def watcher(
        self,
        provider: OpenAIProvider,
        sleep: Callable[[float], Awaitable[None]],
        **options: Any,
    ) -> JobWatcher:
        async def current() -> OpenAIProvider:
            return provider

        return JobWatcher(
            current,
            policy=FAST_POLICY,
            on_job=self.jobs.append,
            on_events=lambda _id, events: self.events.extend(events),
            on_problem=lambda _id, exc: self.problems.append(exc),
            on_gone=self.gone.append,
            sleep=sleep,
            **options,
        )


def _clock_sleep(emulator: Any, seen: Seen) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the emulator's simulated clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        seen.delays.append(seconds)
        emulator.advance(seconds)
        await asyncio.sleep(0)

    return sleep


def test_follows_a_job_to_succeeded_and_stops_when_it_finishes(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()

    async def scenario() -> frozenset[str]:
        job = await _start(api_client, tmp_path)
        watcher = seen.watcher(api_client, _clock_sleep(emulator, seen))
        watcher.watch(job)
        await watcher.drain()
        return watcher.watched

    watched = run(scenario(), api_client)

    assert seen.jobs[-1].status == "succeeded"
    assert "running" in [j.status for j in seen.jobs]
    assert "The job has successfully completed" in [e.message for e in seen.events]
    assert any(e.type == "metrics" for e in seen.events)
    assert len({e.id for e in seen.events}) == len(seen.events)
    assert watched == frozenset() and not seen.problems


def test_waits_retry_after_and_reports_once_when_rate_limited_while_polling(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()

    async def scenario() -> None:
        job = await _start(api_client, tmp_path)
        emulator.faults = Faults(rate_limit_first=2, retry_after=7.0)
        watcher = seen.watcher(api_client, _clock_sleep(emulator, seen))
        watcher.watch(job)
        await watcher.drain()

    run(scenario(), api_client)

    assert len(seen.problems) == 1 and isinstance(seen.problems[0], RateLimitedError)
    assert seen.delays[0] >= 7.0 and seen.delays[1] >= 7.0
    assert seen.jobs[-1].status == "succeeded"


def test_backs_off_and_reports_once_when_server_errors_repeat(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()

    async def scenario() -> None:
        job = await _start(api_client, tmp_path)
        emulator.faults = Faults(server_error_first=3)
        watcher = seen.watcher(api_client, _clock_sleep(emulator, seen))
        watcher.watch(job)
        await watcher.drain()

    run(scenario(), api_client)

    assert len(seen.problems) == 1 and isinstance(seen.problems[0], ServerError)
    assert seen.delays[0] < seen.delays[1] < seen.delays[2]
    assert seen.jobs[-1].status == "succeeded"


def test_reports_gone_and_stops_when_the_job_was_deleted_remotely(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()

    async def scenario() -> tuple[str, frozenset[str]]:
        job = await _start(api_client, tmp_path)
        emulator.faults = Faults(forget_jobs=True)
        watcher = seen.watcher(api_client, _clock_sleep(emulator, seen))
        watcher.watch(job)
        await watcher.drain()
        return job.id, watcher.watched

    job_id, watched = run(scenario(), api_client)

    assert seen.gone == [job_id]
    assert watched == frozenset() and not seen.problems and not seen.jobs


def test_skips_events_the_owner_already_knows(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()

    async def scenario() -> set[str]:
        job = await _start(api_client, tmp_path)
        known = {e.id for e in await new_events(api_client, job.id, known_ids=set())}
        watcher = seen.watcher(
            api_client, _clock_sleep(emulator, seen), known_event_ids=lambda _id: known
        )
        watcher.watch(job)
        await watcher.drain()
        return known

    known = run(scenario(), api_client)

    assert known and not known & {e.id for e in seen.events}


def test_cancels_every_poller_when_closed(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()
    never = asyncio.Event()

    async def wait_forever(seconds: float) -> None:
        seen.delays.append(seconds)
        await never.wait()

    async def scenario() -> tuple[frozenset[str], frozenset[str]]:
        first = await _start(api_client, tmp_path)
        second = await api_client.create_job(await _request(api_client, tmp_path))
        watcher = seen.watcher(api_client, wait_forever)
        watcher.watch(first)
        watcher.watch(second)
        watcher.watch(first)
        while len(seen.delays) < 2:
            await asyncio.sleep(0.01)
        before = watcher.watched
        await watcher.aclose()
        return before, watcher.watched

    before, after = run(scenario(), api_client)

    assert len(before) == 2 and after == frozenset()


def test_polls_at_once_when_poked(api_client: OpenAIProvider, tmp_path: Path) -> None:
    seen = Seen()
    never = asyncio.Event()

    async def wait_forever(seconds: float) -> None:
        seen.delays.append(seconds)
        await never.wait()

    async def scenario() -> int:
        job = await _start(api_client, tmp_path)
        watcher = seen.watcher(api_client, wait_forever)
        watcher.watch(job)
        while not seen.delays:
            await asyncio.sleep(0.01)
        watcher.poke(job.id)
        while len(seen.delays) < 2:
            await asyncio.sleep(0.01)
        await watcher.aclose()
        return len(seen.delays)

    assert run(scenario(), api_client) == 2


def test_ignores_watch_when_the_job_has_finished(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    seen = Seen()

    async def scenario() -> frozenset[str]:
        job = await api_client.cancel_job((await _start(api_client, tmp_path)).id)
        watcher = seen.watcher(api_client, _clock_sleep(emulator, seen))
        watcher.watch(job)
        return watcher.watched

    assert run(scenario(), api_client) == frozenset()


def test_keeps_polling_a_job_in_an_unknown_status_until_it_finishes(tmp_path: Path) -> None:
    from desktop.sandbox import Emulator

    seen = Seen()
    # Its own emulator: an unknown status is outside the spec the shared fixture checks.
    with Emulator(fast=True, faults=Faults(unknown_job_status="cooling_down")) as server:
        provider = create_provider(
            demo_profile(), api_key=None, base_url=server.base_url, max_retries=0
        )

        async def scenario() -> None:
            job = await _start(provider, tmp_path)
            watcher = seen.watcher(provider, _clock_sleep(server, seen))
            watcher.watch(job)
            await watcher.drain()

        run(scenario(), provider)

    statuses = [j.status for j in seen.jobs]
    assert "cooling_down" in statuses and statuses[-1] == "succeeded"
