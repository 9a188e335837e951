"""Injected failures: rate limits, server errors, cut streams, refusals, lost answers."""

from __future__ import annotations

import contextlib

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from desktop.sandbox import Emulator, Faults
from desktop.sandbox.faults import faults_from_env
from tests.sandbox.data import training_bytes, upload

pytestmark = pytest.mark.integration

HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello, who are you?"}]


def _retrying_client(emulator: Emulator, retries: int = 2) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator.base_url, api_key="sk-test", max_retries=retries)


def test_sdk_retries_after_retry_after_when_rate_limited_once(emulator: Emulator) -> None:
    emulator.faults = Faults(rate_limit_first=1, retry_after=0.01)

    with _retrying_client(emulator) as client:
        client.models.list()

    assert [r.status for r in emulator.requests] == [429, 200]


def test_sends_retry_after_headers_when_rate_limited(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(rate_limit_first=1, retry_after=2.5)

    with pytest.raises(openai.RateLimitError) as caught:
        client.models.list()

    assert caught.value.code == "rate_limit_exceeded"
    headers = caught.value.response.headers
    assert (headers["retry-after"], headers["retry-after-ms"]) == ("3", "2500")
    assert headers["x-request-id"].startswith("req_")


def test_rate_limits_the_same_requests_when_share_is_seeded(emulator: Emulator) -> None:
    def pattern() -> list[int]:
        emulator.reset()
        emulator.faults = Faults(rate_limit_share=0.5)
        with openai.OpenAI(base_url=emulator.base_url, api_key="k", max_retries=0) as client:
            for _ in range(12):
                with contextlib.suppress(openai.RateLimitError):
                    client.models.list()
        return [r.status for r in emulator.requests]

    first, second = pattern(), pattern()

    assert first == second
    assert {429, 200} == set(first)


def test_raises_internal_server_error_when_server_error_injected(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(server_error_first=1)

    with pytest.raises(openai.InternalServerError):
        client.models.list()
    assert client.models.list().data


def test_raises_while_iterating_after_partial_text_when_stream_is_cut(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(cut_stream_after=3)
    received: list[str] = []

    stream = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stream=True)
    with pytest.raises(openai.APIConnectionError):
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")

    assert len([piece for piece in received if piece]) == 3
    assert len(emulator.requests[-1].stream_events) == 4  # the role chunk, then 3 pieces


def test_cuts_only_that_models_stream_when_cut_stream_model_is_set(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    emulator.faults = Faults(cut_stream_after=3, cut_stream_model="gpt-4o-mini")

    whole = client.chat.completions.create(model="gpt-4o", messages=HELLO, stream=True)
    pieces = [chunk.choices[0].delta.content or "" for chunk in whole if chunk.choices]
    cut = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stream=True)
    with pytest.raises(openai.APIConnectionError):
        for _chunk in cut:
            pass

    assert len([piece for piece in pieces if piece]) > 3
    assert len(emulator.requests[-1].stream_events) == 4  # the role chunk, then 3 pieces


def test_raises_permission_denied_on_job_create_when_fine_tuning_refused(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    file_id = upload(client, training_bytes())
    emulator.faults = Faults(refuse_fine_tuning=True)

    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id)

    assert caught.value.code == "fine_tuning_unavailable"
    assert "not available to this organization" in caught.value.message


def test_answers_insufficient_quota_without_retry_when_credit_is_exhausted(
    emulator: Emulator,
) -> None:
    emulator.faults = Faults(insufficient_quota=True)

    with _retrying_client(emulator) as client, pytest.raises(openai.RateLimitError) as caught:
        client.models.list()

    assert caught.value.code == "insufficient_quota"
    assert caught.value.type == "insufficient_quota"
    assert len(emulator.requests) == 1


def test_raises_permission_denied_when_forbidden(emulator: Emulator, client: openai.OpenAI) -> None:
    emulator.faults = Faults(forbidden=True)

    with pytest.raises(openai.PermissionDeniedError):
        client.files.list()


def test_creates_job_but_loses_answer_when_create_response_is_lost(
    emulator: Emulator, client: openai.OpenAI
) -> None:
    file_id = upload(client, training_bytes())
    emulator.faults = Faults(lose_job_create_responses=1)

    with pytest.raises(openai.APIConnectionError):
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=file_id)

    assert len(client.fine_tuning.jobs.list().data) == 1
    assert emulator.requests[-2].status == 0


def test_times_out_when_answers_are_slower_than_client_timeout(emulator: Emulator) -> None:
    emulator.faults = Faults(slow_seconds=0.3)

    with (
        openai.OpenAI(
            base_url=emulator.base_url, api_key="k", max_retries=0, timeout=0.05
        ) as client,
        pytest.raises(openai.APITimeoutError),
    ):
        client.models.list()


def test_reads_every_fault_field_when_env_vars_are_set() -> None:
    env = {
        "FINETUNE_SANDBOX_RATE_LIMIT_SHARE": "0.3",
        "FINETUNE_SANDBOX_RATE_LIMIT_FIRST": "2",
        "FINETUNE_SANDBOX_CUT_STREAM_AFTER": "5",
        "FINETUNE_SANDBOX_CUT_STREAM_MODEL": "gpt-4o-mini",
        "FINETUNE_SANDBOX_REFUSE_FINE_TUNING": "true",
        "UNRELATED": "1",
    }

    faults = faults_from_env(env)

    assert faults == Faults(
        rate_limit_share=0.3,
        rate_limit_first=2,
        cut_stream_after=5,
        cut_stream_model="gpt-4o-mini",
        refuse_fine_tuning=True,
    )


def test_rejects_env_var_when_value_has_wrong_kind() -> None:
    with pytest.raises(ValueError, match="FINETUNE_SANDBOX_SLOW_SECONDS"):
        faults_from_env({"FINETUNE_SANDBOX_SLOW_SECONDS": "soon"})
