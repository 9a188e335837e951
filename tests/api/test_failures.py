"""Every failure the service can produce, mapped to the app's errors (real SDK, real HTTP)."""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.openai_provider import OpenAIProvider
from desktop.api.retries import RetryNotice, watch_retries
from desktop.core.connections import ConnectionKind, ConnectionProfile, demo_profile
from desktop.core.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConnectionFailedError,
    FineTuningUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    StreamInterruptedError,
    TimeoutFailedError,
)
from desktop.core.types import ChatChunk, ChatMessage, ChatRequest, JobCreateRequest
from tests.api.support import run, write_training_file

pytestmark = pytest.mark.integration

BAD_KEY = "sk-bad-SECRETvalue-9876"
BASE_MODEL = "gpt-4o-mini-2024-07-18"


def _faults(**values: Any) -> Any:
    from desktop.sandbox import Faults

    return Faults(**values)


def _compatible(url: str) -> ConnectionProfile:
    return ConnectionProfile(id="c1", name="Local", kind=ConnectionKind.COMPATIBLE, base_url=url)


def _demo_provider(emulator: Any, **options: Any) -> OpenAIProvider:
    options.setdefault("max_retries", 0)
    return create_provider(demo_profile(), api_key=None, base_url=emulator.base_url, **options)


def _fails(provider: OpenAIProvider, coro: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        run(coro, provider)
    return caught.value


def _assert_no_key(error: BaseException, key: str = BAD_KEY) -> None:
    shown = "".join(traceback.format_exception(error)) + repr(error)
    shown += getattr(error, "user_message", "")
    assert key not in shown
    assert key[-4:] not in shown
    assert "SECRET" not in shown


# --------------------------------------------------------------------------- HTTP status


def test_bad_key_raises_auth_error_without_the_key_in_any_text(strict_emulator: Any) -> None:
    provider = create_provider(_compatible(strict_emulator.base_url), api_key=BAD_KEY)
    error = _fails(provider, provider.list_models())
    assert isinstance(error, AuthError)
    assert error.status_code == 401
    assert "Settings" in error.user_message
    _assert_no_key(error)


def test_good_key_is_accepted_by_the_strict_emulator(strict_emulator: Any) -> None:
    provider = create_provider(_compatible(strict_emulator.base_url), api_key="sk-good")
    assert run(provider.list_models(), provider)


def test_forbidden_raises_permission_denied(api_client: OpenAIProvider, emulator: Any) -> None:
    emulator.faults = _faults(forbidden=True)
    error = _fails(api_client, api_client.list_models())
    assert type(error) is PermissionDeniedError
    assert error.status_code == 403


def test_refused_fine_tuning_raises_fine_tuning_unavailable_on_create_job(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> None:
        stored = await api_client.upload_file(write_training_file(tmp_path))
        emulator.faults = _faults(refuse_fine_tuning=True)
        await api_client.list_models()  # other calls still work
        await api_client.create_job(JobCreateRequest(model=BASE_MODEL, training_file=stored.id))

    error = _fails(api_client, scenario())
    assert isinstance(error, FineTuningUnavailableError)
    assert "Azure" in error.user_message


def test_insufficient_quota_raises_quota_exceeded(
    api_client: OpenAIProvider, emulator: Any
) -> None:
    emulator.faults = _faults(insufficient_quota=True)
    error = _fails(api_client, api_client.list_models())
    assert isinstance(error, QuotaExceededError)
    assert (error.status_code, error.code) == (429, "insufficient_quota")


def test_rate_limit_without_retries_raises_rate_limited_with_retry_after(
    api_client: OpenAIProvider, emulator: Any
) -> None:
    emulator.faults = _faults(rate_limit_first=1, retry_after=2.0)
    error = _fails(api_client, api_client.list_models())
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == pytest.approx(2.0)
    assert "2 seconds" in error.user_message


def test_rate_limit_is_retried_by_the_sdk_and_the_retry_is_observed(emulator: Any) -> None:
    emulator.faults = _faults(rate_limit_first=1, retry_after=0.2)
    provider = _demo_provider(emulator, max_retries=1)
    notices: list[RetryNotice] = []
    stop = watch_retries(notices.append)
    try:
        models = run(provider.list_models(), provider)
    finally:
        stop()
    assert models
    assert len(notices) == 1
    assert notices[0].attempt == 1 and notices[0].max_retries == 1
    assert notices[0].delay_seconds == pytest.approx(0.2, abs=0.05)
    assert [r.status for r in emulator.requests if r.path.endswith("/models")] == [429, 200]


def test_unknown_job_raises_not_found(api_client: OpenAIProvider) -> None:
    error = _fails(api_client, api_client.retrieve_job("ftjob-doesnotexist"))
    assert isinstance(error, NotFoundError)
    assert error.status_code == 404


def test_invalid_training_file_raises_bad_request_quoting_the_server(
    api_client: OpenAIProvider, tmp_path: Path
) -> None:
    bad = tmp_path / "examples.txt"
    bad.write_text("this is not a JSONL file\n")

    error = _fails(api_client, api_client.upload_file(bad))

    assert isinstance(error, BadRequestError)
    assert error.status_code == 400
    assert error.user_message.startswith("The service said: ")
    assert ".jsonl" in error.user_message


def test_unknown_training_file_on_create_job_raises_bad_request(
    api_client: OpenAIProvider,
) -> None:
    request = JobCreateRequest(model=BASE_MODEL, training_file="file-doesnotexist")
    error = _fails(api_client, api_client.create_job(request))
    assert type(error) is BadRequestError
    assert "file-doesnotexist" in error.user_message


def test_server_error_raises_server_error(api_client: OpenAIProvider, emulator: Any) -> None:
    emulator.faults = _faults(server_error_first=1)
    error = _fails(api_client, api_client.list_models())
    assert isinstance(error, ServerError)
    assert error.status_code == 500


# --------------------------------------------------------------------------- transport


def test_nothing_listening_raises_connection_failed_saying_refused(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    provider = create_provider(_compatible(url), api_key="k", max_retries=0)
    error = _fails(provider, provider.list_models())
    assert type(error) is ConnectionFailedError
    assert "refused" in error.user_message


def test_plain_http_server_behind_https_raises_connection_failed_saying_certificate(
    emulator: Any,
) -> None:
    url = emulator.base_url.replace("http://", "https://")
    provider = create_provider(_compatible(url), api_key="k", max_retries=0)
    error = _fails(provider, provider.list_models())
    assert type(error) is ConnectionFailedError
    assert "secure connection" in error.user_message


def test_slow_answer_raises_timeout_failed(emulator: Any) -> None:
    emulator.faults = _faults(slow_seconds=1.5)
    provider = _demo_provider(emulator, timeout=0.3)
    error = _fails(provider, provider.list_models())
    assert isinstance(error, TimeoutFailedError)


def test_lost_answer_to_job_creation_warns_that_the_job_may_exist(
    api_client: OpenAIProvider, emulator: Any, tmp_path: Path
) -> None:
    async def scenario() -> tuple[ApiError, int]:
        stored = await api_client.upload_file(write_training_file(tmp_path))
        emulator.faults = _faults(lose_job_create_responses=1)
        request = JobCreateRequest(model=BASE_MODEL, training_file=stored.id)
        with pytest.raises(ApiError) as caught:
            await api_client.create_job(request)
        return caught.value, len((await api_client.list_jobs()).items)

    error, job_count = run(scenario(), api_client)
    assert isinstance(error, ConnectionFailedError)
    assert "may have started" in error.user_message
    assert job_count == 1


# --------------------------------------------------------------------------- streams


def test_cut_stream_raises_stream_interrupted_after_partial_chunks(
    api_client: OpenAIProvider, emulator: Any
) -> None:
    emulator.faults = _faults(cut_stream_after=2)
    received: list[ChatChunk] = []
    request = ChatRequest(model=BASE_MODEL, messages=(ChatMessage("user", "Tell a story."),))

    async def scenario() -> None:
        stream: AsyncIterator[ChatChunk] = api_client.stream_chat(request)
        async for chunk in stream:
            received.append(chunk)

    error = _fails(api_client, scenario())
    assert isinstance(error, StreamInterruptedError)
    assert "".join(c.text for c in received)
    assert not any(c.usage for c in received)
