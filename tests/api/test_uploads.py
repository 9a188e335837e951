"""Multi-part uploads: parallel parts, progress, resume after a dropped connection, cancel.

Real SDK over real HTTP against the emulator, with parts of a kilobyte instead of 64 MB.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openai.resources.uploads.parts import AsyncParts

from desktop.api.clients import client_factory
from desktop.api.openai_provider import OpenAIProvider
from desktop.api.provider import RestartReason, UploadProgress
from desktop.api.uploads import adapt_progress
from desktop.core.connections import demo_profile
from desktop.core.errors import ConnectionFailedError, ResumableUpload, UploadInterruptedError
from desktop.sandbox import Faults
from tests.api.support import run, write_training_file

pytestmark = pytest.mark.integration

PART_SIZE = 1000


def _provider(emulator: Any, *, max_retries: int = 0, parallel: int = 3) -> OpenAIProvider:
    factory = client_factory(
        demo_profile(), api_key=None, base_url=emulator.base_url, max_retries=max_retries
    )
    return OpenAIProvider(
        factory, multipart_threshold=2048, part_size=PART_SIZE, parallel_parts=parallel
    )


def _big_file(folder: Path, examples: int = 60) -> Path:
    path = write_training_file(folder, examples=examples)
    assert path.stat().st_size > 4 * PART_SIZE
    return path


def _part_posts(requests: list[Any]) -> list[Any]:
    return [r for r in requests if r.method == "POST" and r.path.endswith("/parts")]


async def _interrupt(emulator: Any, provider: OpenAIProvider, path: Path) -> ResumableUpload:
    """Upload ``path`` with a connection drop after 3 parts; return the saved state."""
    emulator.faults = Faults(drop_upload_parts_after=3)
    try:
        with pytest.raises(UploadInterruptedError) as caught:
            await provider.upload_file(path)
    finally:
        emulator.faults = Faults()
    return caught.value.state


@pytest.fixture
def concurrent_parts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Records, for each part request, how many part requests were in flight (a spy)."""
    seen: list[int] = []
    in_flight = 0
    original = AsyncParts.create

    async def counting(self: AsyncParts, *args: Any, **kwargs: Any) -> Any:
        nonlocal in_flight
        in_flight += 1
        seen.append(in_flight)
        try:
            return await original(self, *args, **kwargs)
        finally:
            in_flight -= 1

    monkeypatch.setattr(AsyncParts, "create", counting)
    yield seen


def test_sends_parts_in_parallel_and_the_file_is_assembled_in_order(
    emulator: Any, tmp_path: Path, concurrent_parts: list[int]
) -> None:
    provider = _provider(emulator)
    path = _big_file(tmp_path)
    emulator.faults = Faults(slow_seconds=0.05)

    async def scenario() -> tuple[Any, bytes]:
        stored = await provider.upload_file(path)
        return stored, await provider.file_content(stored.id)

    stored, content = run(scenario(), provider)

    data = path.read_bytes()
    assert content == data
    assert (stored.bytes, stored.filename, stored.purpose) == (len(data), path.name, "fine-tune")
    assert len(_part_posts(emulator.requests)) == math.ceil(len(data) / PART_SIZE)
    assert max(concurrent_parts) == 3
    (complete,) = [r for r in emulator.requests if r.path.endswith("/complete")]
    assert json.loads(complete.body)["md5"] == hashlib.md5(data).hexdigest()


def test_sends_one_part_at_a_time_when_parallel_is_one(
    emulator: Any, tmp_path: Path, concurrent_parts: list[int]
) -> None:
    provider = _provider(emulator, parallel=1)
    path = _big_file(tmp_path, examples=30)

    stored = run(provider.upload_file(path), provider)

    assert stored.bytes == path.stat().st_size
    assert set(concurrent_parts) == {1}


def test_reports_progress_monotonically_up_to_the_total_with_a_speed(
    emulator: Any, tmp_path: Path
) -> None:
    provider = _provider(emulator)
    path = _big_file(tmp_path)
    size = path.stat().st_size
    reports: list[UploadProgress] = []

    run(provider.upload_file(path, progress=reports.append), provider)

    sent = [r.bytes_sent for r in reports]
    assert sent[0] == 0 and sent[-1] == size
    assert sent == sorted(sent) and len(reports) >= 2
    assert all(r.total_bytes == size and r.bytes_per_second >= 0 for r in reports)
    assert reports[-1].bytes_per_second > 0
    assert all(r.restarted is None and r.resumed_bytes == 0 for r in reports)


def test_dropped_connection_raises_interrupted_with_the_parts_already_stored(
    emulator: Any, tmp_path: Path
) -> None:
    provider = _provider(emulator)
    path = _big_file(tmp_path)

    state = run(_interrupt(emulator, provider, path), provider)

    stored = [r for r in _part_posts(emulator.requests) if r.status == 200]
    assert isinstance(state, ResumableUpload)
    assert state.path == str(path) and state.size == path.stat().st_size
    assert len(state.part_ids) == math.ceil(state.size / PART_SIZE)
    assert {p for p in state.part_ids if p} == {r.response_json["id"] for r in stored}
    assert state.missing_parts
    assert not [r for r in emulator.requests if r.path.endswith(("/cancel", "/complete"))]


def test_interrupted_error_tells_the_user_how_much_is_on_the_server() -> None:
    state = ResumableUpload(
        upload_id="upload_x",
        path="/data/train.jsonl",
        size=300 * 1024 * 1024,
        mtime_ns=1,
        part_size=64 * 1024 * 1024,
        part_ids=("part_a", "part_b", None, None, None),
        created_at=0,
        expires_at=3600,
    )

    error = UploadInterruptedError("connection reset", state=state)

    assert isinstance(error, ConnectionFailedError)
    assert error.user_message == (
        "The upload was interrupted: 128 of 300 MB are on the server. Click Upload again to "
        "continue where it stopped; the part already sent will not be sent again."
    )
    assert error.state is state


@dataclasses.dataclass
class Resumed:
    state: ResumableUpload
    later: list[Any]
    """Requests the emulator served after the interruption."""
    content: bytes
    reports: list[UploadProgress]


def _interrupt_and_resume(
    emulator: Any,
    provider: OpenAIProvider,
    path: Path,
    between: Callable[[ResumableUpload], ResumableUpload] = lambda state: state,
) -> Resumed:
    """Interrupt an upload, apply ``between`` to its state, resume it; one event loop."""
    reports: list[UploadProgress] = []

    async def scenario() -> tuple[ResumableUpload, int, bytes]:
        state = between(await _interrupt(emulator, provider, path))
        before = len(emulator.requests)
        stored = await provider.upload_file(path, progress=reports.append, resume=state)
        assert stored.bytes == path.stat().st_size
        return state, before, await provider.file_content(stored.id)

    state, before, content = run(scenario(), provider)
    return Resumed(state, emulator.requests[before:], content, reports)


def test_resume_sends_only_the_missing_parts_and_the_file_is_identical(
    emulator: Any, tmp_path: Path
) -> None:
    path = _big_file(tmp_path)

    resumed = _interrupt_and_resume(emulator, _provider(emulator), path)

    state, reports = resumed.state, resumed.reports
    resent = _part_posts(resumed.later)
    assert len(resent) == len(state.missing_parts)
    assert all(state.upload_id in r.path and r.status == 200 for r in resent)
    assert not [r for r in resumed.later if r.path.endswith("/uploads")]  # no new upload
    assert resumed.content == path.read_bytes()
    # The first report comes once the service took the first missing part.
    assert reports[0].resumed_bytes == state.bytes_on_server < reports[0].bytes_sent
    assert reports[-1].bytes_sent == state.size
    assert all(r.restarted is None for r in reports)


def test_resume_starts_a_fresh_upload_when_the_file_changed(emulator: Any, tmp_path: Path) -> None:
    path = _big_file(tmp_path)

    def append_a_line(state: ResumableUpload) -> ResumableUpload:
        with path.open("a") as handle:
            handle.write(json.dumps({"messages": [{"role": "user", "content": "more"}]}) + "\n")
        return state

    resumed = _interrupt_and_resume(emulator, _provider(emulator), path, append_a_line)

    cancel_path = f"/v1/uploads/{resumed.state.upload_id}/cancel"
    assert resumed.content == path.read_bytes()
    assert [r.status for r in resumed.later if r.path == cancel_path] == [200]
    assert len([r for r in resumed.later if r.path == "/v1/uploads"]) == 1
    assert len(_part_posts(resumed.later)) == math.ceil(path.stat().st_size / PART_SIZE)
    assert {r.restarted for r in resumed.reports} == {RestartReason.FILE_CHANGED}
    assert resumed.reports[0].resumed_bytes == resumed.reports[0].bytes_sent == 0


def test_resume_starts_a_fresh_upload_when_the_service_says_it_expired(
    emulator: Any, tmp_path: Path
) -> None:
    path = _big_file(tmp_path)

    def let_an_hour_pass(state: ResumableUpload) -> ResumableUpload:
        emulator.advance(3601)
        return state

    resumed = _interrupt_and_resume(emulator, _provider(emulator), path, let_an_hour_pass)

    old_id = resumed.state.upload_id
    probe, *fresh = _part_posts(resumed.later)
    assert probe.status == 400 and old_id in probe.path
    assert fresh and all(r.status == 200 and old_id not in r.path for r in fresh)
    assert resumed.content == path.read_bytes()
    assert {r.restarted for r in resumed.reports} == {RestartReason.EXPIRED}


def test_resume_starts_a_fresh_upload_without_asking_when_the_state_is_past_expiry(
    emulator: Any, tmp_path: Path
) -> None:
    path = _big_file(tmp_path)

    def expire(state: ResumableUpload) -> ResumableUpload:
        return dataclasses.replace(state, expires_at=0)

    resumed = _interrupt_and_resume(emulator, _provider(emulator), path, expire)

    assert not [r for r in resumed.later if resumed.state.upload_id in r.path]
    assert resumed.content == path.read_bytes()
    assert resumed.reports[-1].restarted is RestartReason.EXPIRED


def test_cancelling_mid_upload_cancels_the_upload_on_the_service(
    emulator: Any, tmp_path: Path
) -> None:
    provider = _provider(emulator, parallel=2)
    path = _big_file(tmp_path, examples=120)
    emulator.faults = Faults(slow_seconds=0.05)

    async def scenario() -> None:
        first_part = asyncio.Event()

        def on_progress(update: UploadProgress) -> None:
            if update.bytes_sent >= PART_SIZE:
                first_part.set()

        task = asyncio.create_task(provider.upload_file(path, progress=on_progress))
        await first_part.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(scenario(), provider)

    (created,) = [r for r in emulator.requests if r.path == "/v1/uploads"]
    upload_id = created.response_json["id"]
    cancels = [r for r in emulator.requests if r.path == f"/v1/uploads/{upload_id}/cancel"]
    assert [r.status for r in cancels] == [200]
    assert not [r for r in emulator.requests if r.path.endswith("/complete")]
    stored = [r for r in _part_posts(emulator.requests) if r.status == 200]
    assert len(stored) < math.ceil(path.stat().st_size / PART_SIZE)


def test_rate_limited_part_is_retried_by_the_sdk_and_the_upload_completes(
    emulator: Any, tmp_path: Path
) -> None:
    provider = _provider(emulator, max_retries=1)
    path = _big_file(tmp_path)

    def limit_the_next_request(update: UploadProgress) -> None:
        if update.bytes_sent == 0:  # reported after the upload was created, before any part
            emulator.faults = Faults(rate_limit_first=1, retry_after=0.01)

    async def scenario() -> bytes:
        stored = await provider.upload_file(path, progress=limit_the_next_request)
        return await provider.file_content(stored.id)

    content = run(scenario(), provider)

    statuses = [r.status for r in _part_posts(emulator.requests)]
    assert statuses.count(429) == 1
    assert statuses.count(200) == math.ceil(path.stat().st_size / PART_SIZE)
    assert content == path.read_bytes()


def test_adapt_progress_accepts_the_earlier_two_argument_callback() -> None:
    seen: list[tuple[int, int]] = []

    adapt_progress(lambda sent, total: seen.append((sent, total)))(UploadProgress(5, 10, 1.0))
    adapt_progress(None)(UploadProgress(5, 10, 1.0))

    assert seen == [(5, 10)]
