"""The built-in "Demo Azure (simulated)" connection: the emulator spoken to the Azure way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.api.clients import create_provider
from desktop.api.openai_provider import OpenAIProvider
from desktop.core.connections import demo_azure_profile
from desktop.core.types import ChatMessage, ChatRequest, JobCreateRequest
from tests.api.support import run, write_training_file

pytestmark = pytest.mark.integration

BASE_MODEL = "gpt-4o-mini-2024-07-18"
LONG_ENOUGH = 24 * 3600.0


def _provider(emulator: Any) -> OpenAIProvider:
    return create_provider(
        demo_azure_profile(), api_key=None, base_url=emulator.base_url, max_retries=0
    )


def test_sends_every_request_to_azure_paths_with_api_version_when_demo_azure(
    emulator: Any,
) -> None:
    provider = _provider(emulator)

    models = run(provider.list_models(), provider)

    assert BASE_MODEL in {m.id for m in models}
    (request,) = emulator.requests
    assert request.path == "/openai/models"
    assert request.query["api-version"] == demo_azure_profile().api_version


def test_chats_by_deployment_name_when_demo_azure(emulator: Any) -> None:
    provider = _provider(emulator)
    request = ChatRequest(model=BASE_MODEL, messages=(ChatMessage("user", "Hello?"),))

    async def scenario() -> str:
        return "".join([c.text async for c in provider.stream_chat(request)])

    reply = run(scenario(), provider)

    assert reply
    assert provider.is_azure
    assert emulator.requests[-1].path == f"/openai/deployments/{BASE_MODEL}/chat/completions"


def test_trains_and_chats_with_the_fine_tuned_model_when_demo_azure(
    emulator: Any, tmp_path: Path
) -> None:
    provider = _provider(emulator)

    async def scenario() -> tuple[str, str]:
        stored = await provider.upload_file(write_training_file(tmp_path))
        job = await provider.create_job(JobCreateRequest(model=BASE_MODEL, training_file=stored.id))
        emulator.advance(LONG_ENOUGH)
        done = await provider.retrieve_job(job.id)
        assert done.fine_tuned_model is not None
        chat = ChatRequest(model=done.fine_tuned_model, messages=(ChatMessage("user", "1+1?"),))
        reply = "".join([c.text async for c in provider.stream_chat(chat)])
        return done.status, reply

    status, reply = run(scenario(), provider)

    assert status == "succeeded" and reply
    assert all(r.path.startswith("/openai/") for r in emulator.requests)
